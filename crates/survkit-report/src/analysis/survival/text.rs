//! The survival section's sentences for the methods paragraph and the results.

use crate::run::EndpointReport;
use crate::spec::Spec;
use crate::text::{
    conf_words, curve_label, endpoint_words, fin, fin_opt, format_num, p_phrase, serde_name,
    spec_group_name,
};

/// Kaplan–Meier, Greenwood, the median rule, reverse-KM follow-up, the test.
pub(crate) fn methods(ep: &EndpointReport, spec: &Spec, s: &mut String) {
    let conf = serde_name(&spec.survival.km.conf_type);
    let level = format_num(Some(100.0 * spec.survival.km.conf_level));
    s.push_str(&format!(
        "Survival was estimated with the Kaplan–Meier method; standard errors used Greenwood's formula and {level}% confidence intervals used {}. Medians and their confidence intervals were read off the survival curve as in R's survival package. Median follow-up was estimated with the reverse Kaplan–Meier method.",
        conf_words(&conf)
    ));
    if let Some(w) = spec.weights.as_deref().filter(|w| !w.trim().is_empty()) {
        let robust = ep.survival.km.iter().any(|k| k.fit.robust_variance);
        s.push_str(&format!(
            " Case weights ('{w}') were applied to the Kaplan–Meier and Nelson–Aalen estimates{} and to the Cox models; {}. Tests comparing curves, follow-up and hazard ratios without a Cox model are unweighted (R's survdiff takes no weights).",
            if robust {
                ", whose standard errors are then the robust (infinitesimal jackknife) ones, as R's survfit does for non-integer weights"
            } else {
                ""
            },
            "medians, survival at chosen times and restricted means follow from the weighted curves"
        ));
    }
    if spec.group.is_some() && !ep.survival.tests.is_empty() {
        s.push_str(" Survival curves were compared with the log-rank test.");
    }
}

/// Median follow-up, the medians per group and the log-rank P.
pub(crate) fn results(ep: &EndpointReport, spec: &Spec, s: &mut String) {
    let unit = &ep.time_unit;
    let name = endpoint_words(ep);
    let group_name = spec_group_name(spec);
    let fu = &ep.survival.followup;
    if let Some(m) = fin_opt(fu.median) {
        s.push_str(&format!(
            " Median follow-up was {} {unit} (95% CI {}–{}).",
            format_num(Some(m)),
            format_num(fin_opt(fu.lower)),
            format_num(fin_opt(fu.upper))
        ));
    }
    let parts: Vec<String> = ep
        .survival
        .km
        .iter()
        .map(|c| {
            let m = &c.fit.median;
            let est = fin_opt(m.estimate);
            let label = curve_label(c, group_name.as_deref());
            if est.is_none() {
                format!("not reached for {label}")
            } else {
                format!(
                    "{} {unit} (95% CI {}–{}) for {label}",
                    format_num(est),
                    format_num(fin_opt(m.lower)),
                    format_num(fin_opt(m.upper))
                )
            }
        })
        .collect();
    if !parts.is_empty() {
        s.push_str(&format!(" Median {name} was {}", parts.join(" and ")));
        if let Some(t) = ep.survival.tests.first() {
            s.push_str(&format!(" (log-rank {})", p_phrase(fin(t.p))));
        }
        s.push('.');
    }
}
