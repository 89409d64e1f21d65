//! The Cox section's R code: `coxph` for the univariable screen and the
//! multivariable model, with the same ties, strata, weights and clusters.

use std::fmt::Write as _;

use crate::rscript::{bq, q, rn, RContext};

/// Appends the Cox code; defines `univariable` and `multivariable` for the JSON output.
pub(crate) fn r_code(cx: &RContext, s: &mut String) {
    let RContext {
        report,
        ep,
        surv,
        has_strata,
        ..
    } = *cx;
    let spec = &report.spec;
    let cox_level = spec.cox.conf_level;
    let ties = report.conventions.cox_ties.clone();
    let weights = spec.weights.as_deref();
    // ---- Cox
    s.push_str("\n# 6. Cox proportional-hazards models.\n");
    let strata_term = if has_strata {
        " + strata(strata_var)"
    } else {
        ""
    };
    let mut extra = String::new();
    if weights.is_some() {
        extra.push_str(", weights = .weights");
    }
    if spec.cluster.is_some() {
        extra.push_str(", cluster = .cluster");
    }
    // Iteration limit and tolerance, when not R's defaults (20, 1e-9).
    if spec.cox.iter_max != 20 {
        extra.push_str(&format!(", iter.max = {}", spec.cox.iter_max));
    }
    if spec.cox.eps != 1e-9 {
        extra.push_str(&format!(", eps = {}", rn(spec.cox.eps)));
    }
    s.push_str(
        "cox_terms <- function(m, level) {\n  sm <- summary(m, conf.int = level)\n  ci <- sm$conf.int\n  data.frame(term = rownames(sm$coefficients), hr = unname(ci[, 1]),\n             lower = unname(ci[, 3]), upper = unname(ci[, 4]), p = unname(sm$coefficients[, ncol(sm$coefficients)]))\n}\nunivariable <- list()\nmultivariable <- NULL\n",
    );
    let univ: Vec<String> = ep
        .cox
        .univariable
        .iter()
        .map(|u| u.variable.clone())
        .collect();
    for v in &univ {
        let _ = writeln!(
            s,
            "m <- coxph({surv} ~ {}{strata_term}, data = e, ties = {}{extra})\nprint(m)\nunivariable[[{}]] <- cox_terms(m, {})",
            bq(v),
            q(&ties),
            q(v),
            rn(cox_level)
        );
    }
    let multi: Vec<String> = ep
        .cox
        .cox
        .as_ref()
        .map(|m| m.variables.clone())
        .unwrap_or_default();
    if !multi.is_empty() {
        let mut rhs: Vec<String> = multi.iter().map(|v| bq(v)).collect();
        // Term × stratum interactions: x + x:strata(g) + strata(g).
        if has_strata {
            for v in &spec.cox.strata_interactions {
                if multi.contains(v) {
                    rhs.push(format!("{}:strata(strata_var)", bq(v)));
                }
            }
        }
        let _ = writeln!(
            s,
            "m <- coxph({surv} ~ {}{strata_term}, data = e, ties = {}{extra})\nprint(summary(m, conf.int = {}))\nmultivariable <- cox_terms(m, {})",
            rhs.join(" + "),
            q(&ties),
            rn(cox_level),
            rn(cox_level)
        );
    }
}
