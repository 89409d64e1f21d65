//! The survival section's R code: `survfit` (medians, quantiles, survival at times,
//! RMST), reverse-KM follow-up, `survdiff`.

use std::fmt::Write as _;

use survkit_core::compare::TestMethod;

use crate::rscript::{nums, nv, q, rn, RContext};
use crate::text::serde_name;

/// Appends the Kaplan–Meier, follow-up and test code; defines `medians`, `at_times`,
/// `followup` and `tests` for the JSON output.
pub(crate) fn r_code(cx: &RContext, s: &mut String) {
    let RContext {
        report,
        surv,
        has_group,
        has_strata,
        ..
    } = *cx;
    let survival = &report.spec.survival;
    let conf_type = report.conventions.km_conf_type.clone();
    let conf_level = report.conventions.conf_level;
    let quantiles = {
        let q = nums(&survival.km.quantiles);
        if q.is_empty() {
            vec![0.25, 0.5, 0.75]
        } else {
            q
        }
    };
    let times = nums(&survival.km.times);
    let tests: Vec<TestMethod> = survival.tests.clone();
    // ---- Kaplan–Meier
    let rhs = if has_group { "group" } else { "1" };
    let _ = writeln!(
        s,
        "\n# 3. Kaplan-Meier: medians, quantiles{}.\nfit <- survfit({surv} ~ {rhs}, data = e, conf.type = {}, conf.int = {}{}{})\nprint(fit)\nqs <- quantile(fit, probs = {})\nprint(qs)",
        if times.is_empty() { "" } else { ", survival at times" },
        q(&conf_type),
        rn(conf_level),
        // Case weights weight the curves as in survkit (survdiff takes none); a
        // variance chosen explicitly is passed on (default: survfit's own rule).
        if report.spec.weights.is_some() { ", weights = .weights" } else { "" },
        match serde_name(&survival.km.variance).as_str() {
            "greenwood" => ", robust = FALSE",
            "robust" => ", robust = TRUE",
            _ => "",
        },
        nv(&quantiles)
    );
    let rmean = survival
        .km
        .rmst_tau
        .map(rn)
        .unwrap_or_else(|| "\"common\"".into());
    let _ = writeln!(
        s,
        "print(fit, rmean = {rmean})  # restricted mean survival time"
    );
    s.push_str(&format!("tab <- summary(fit, rmean = {rmean})$table\n"));
    s.push_str(
        "if (is.null(dim(tab))) tab <- t(as.matrix(tab))\n\
         lev <- if (is.null(fit$strata)) \"all\" else sub(\"^group=\", \"\", names(fit$strata))\n\
         medians <- data.frame(group = lev, n = unname(tab[, \"records\"]), events = unname(tab[, \"events\"]),\n\
         \x20                     median = unname(tab[, \"median\"]), lower = unname(tab[, grep(\"LCL$\", colnames(tab))]),\n\
         \x20                     upper = unname(tab[, grep(\"UCL$\", colnames(tab))]), rmean = unname(tab[, \"rmean\"]))\n",
    );
    if !times.is_empty() {
        let _ = writeln!(
            s,
            "st <- summary(fit, times = {}, extend = TRUE)\nprint(st)\nat_times <- data.frame(group = if (is.null(st$strata)) \"all\" else sub(\"^group=\", \"\", as.character(st$strata)),\n                       time = st$time, surv = st$surv, lower = st$lower, upper = st$upper)",
            nv(&times)
        );
    } else {
        s.push_str("at_times <- NULL\n");
    }

    // ---- follow-up
    s.push_str(
        "\n# 4. Median follow-up by reverse Kaplan-Meier (censoring as the event).\n\
         fu_fit <- survfit(Surv(time, 1 - status) ~ 1, data = e, conf.type = ",
    );
    let _ = writeln!(
        s,
        "{}, conf.int = {})\nfu <- quantile(fu_fit, probs = 0.5)\nfollowup <- list(median = unname(fu$quantile), lower = unname(fu$lower), upper = unname(fu$upper))\ncat(\"Median follow-up:\", followup$median, \"(\", followup$lower, \"-\", followup$upper, \")\\n\")",
        q(&conf_type),
        rn(conf_level)
    );

    // ---- tests
    s.push_str("\n# 5. Tests comparing the groups.\ntests <- list()\n");
    if has_group {
        let strata_term = if has_strata {
            " + strata(strata_var)"
        } else {
            ""
        };
        let list = if tests.is_empty() {
            vec![TestMethod::LogRank]
        } else {
            tests.clone()
        };
        for t in &list {
            let (label, rho) = match t {
                TestMethod::LogRank => ("log-rank", 0.0),
                TestMethod::PetoPeto => ("peto-peto", 1.0),
                other => {
                    // The test as the Spec's JSON writes it (keys sorted).
                    let named = serde_json::to_value(other)
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    let _ = writeln!(
                        s,
                        "# survkit also ran {named}; survdiff() has no such test (see survival::survdiff rho)."
                    );
                    continue;
                }
            };
            let _ = writeln!(
                s,
                "sd <- survdiff({surv} ~ group{strata_term}, data = e, rho = {})\nprint(sd)\ntests[[length(tests) + 1]] <- list(method = {}, chisq = sd$chisq, df = length(sd$n) - 1, p = pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))",
                rn(rho),
                q(label)
            );
        }
    }
}
