//! Words and formatted numbers: the methods paragraph, the results sentence, and the
//! number formats used by every table (page, CLI, exports), so both shells show the
//! same text.

use crate::analysis::ANALYSES;
use crate::cox::Term;
use crate::run::{Conventions, EndpointReport, Report};
use crate::spec::Spec;
use crate::survival::Curve;

/// A p-value as journals want it: "< 0.001", else three decimals ("0.029"); "—" when
/// missing.
pub fn format_p(p: Option<f64>) -> String {
    match p {
        Some(p) if p.is_finite() && p < 0.001 => "< 0.001".into(),
        Some(p) if p.is_finite() => format!("{p:.3}"),
        _ => "—".into(),
    }
}

/// A p-value inside a sentence: "P < 0.001" or "P = 0.029".
pub fn p_phrase(p: Option<f64>) -> String {
    let s = format_p(p);
    if s.starts_with('<') {
        format!("P {s}")
    } else {
        format!("P = {s}")
    }
}

/// A time or other measurement: at most two decimals, trailing zeros dropped
/// ("270", "52.5", "11.23"); "NR" (not reached) when missing.
pub fn format_num(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() => {
            let s = format!("{x:.2}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s == "-0" {
                "0".into()
            } else {
                s.into()
            }
        }
        Some(x) if x.is_infinite() => (if x > 0.0 { "∞" } else { "−∞" }).into(),
        _ => "NR".into(),
    }
}

/// A ratio such as a hazard ratio: two decimals, or three significant digits when
/// small ("0.043"), "—" when missing.
pub fn format_ratio(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() && x.abs() < 0.1 && x != 0.0 => format!("{x:.3}"),
        Some(x) if x.is_finite() => format!("{x:.2}"),
        Some(x) if x.is_infinite() => "∞".into(),
        _ => "—".into(),
    }
}

/// "estimate (lower–upper)" with the given formatter.
pub fn with_ci(
    est: Option<f64>,
    lo: Option<f64>,
    hi: Option<f64>,
    f: fn(Option<f64>) -> String,
) -> String {
    format!("{} ({}–{})", f(est), f(lo), f(hi))
}

/// A survival probability as a percentage with one decimal: "45.3%".
pub fn format_pct(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() => format!("{:.1}%", 100.0 * x),
        _ => "—".into(),
    }
}

/// A number as the formatters take it: `None` when it is not finite (NaN or ±∞ are
/// "not available" in every table, as they are `null` in the Report JSON).
pub(crate) fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// [`fin`] of an optional number.
pub(crate) fn fin_opt(x: Option<f64>) -> Option<f64> {
    x.and_then(fin)
}

/// The name serde gives a unit enum variant (`log-log`, `efron`, `km`, ...).
pub(crate) fn serde_name<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_value(x)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn conf_words(conf_type: &str) -> &'static str {
    match conf_type {
        "log-log" => "the log-log transformation",
        "plain" => "no transformation (plain)",
        _ => "the log transformation",
    }
}

/// The conventions in one sentence, printed under the results.
pub fn conventions(c: &Conventions) -> String {
    format!(
        "Conventions: Kaplan–Meier with {} variance; {}% confidence intervals by {}; medians by R's rule; median follow-up by reverse Kaplan–Meier; Cox ties: {}; 1 month = {} days, 1 year = {} days.",
        c.km_variance,
        format_num(Some(100.0 * c.conf_level)),
        conf_words(&c.km_conf_type),
        if c.cox_ties == "breslow" { "Breslow" } else { "Efron" },
        c.month_days,
        c.year_days
    )
}

/// The group variable's name as the user labelled it (from the Report's `spec`).
pub fn group_name(report: &Report) -> Option<String> {
    report
        .spec
        .group
        .as_ref()
        .map(|g| g.label.clone().unwrap_or_else(|| g.column.clone()))
}

/// The level column of a Cox term: "II vs I", the level alone, or "per unit".
pub fn term_level(term: &Term) -> String {
    match (&term.level, &term.reference) {
        (Some(l), Some(r)) => format!("{l} vs {r}"),
        (Some(l), None) => l.to_string(),
        _ => "per unit".into(),
    }
}

/// Label of one curve of the `km` list: "sex = 2", or "All patients".
pub fn curve_label(curve: &Curve, group_name: Option<&str>) -> String {
    match curve.group.as_deref() {
        Some(g) => match group_name {
            Some(name) if !g.contains('=') => format!("{name} = {g}"),
            _ => g.to_string(),
        },
        None => "All patients".into(),
    }
}

/// The methods paragraph and results sentence for one endpoint: each analysis'
/// methods sentences (in the order of [`crate::analysis::ANALYSES`]), the units and
/// version, then the counts and each analysis' results sentences.
pub fn methods(ep: &EndpointReport, spec: &Spec) -> String {
    let unit = &ep.time_unit;
    let mut s = String::new();
    for a in ANALYSES {
        a.methods(ep, spec, &mut s);
    }
    s.push_str(&format!(
        " Times are in {}{}. Analyses were performed with survkit {}.",
        // No unit stated: the times are as given in the file.
        if unit == "units" {
            "the file's units"
        } else {
            unit.as_str()
        },
        match unit.as_str() {
            "months" => " (1 month = 30.4375 days)",
            "years" => " (1 year = 365.25 days)",
            _ => "",
        },
        env!("CARGO_PKG_VERSION")
    ));
    // Results.
    s.push_str(&format!(
        "\n\nOf {} patients, {} had an event ({}).",
        ep.n,
        ep.events,
        endpoint_words(ep)
    ));
    for a in ANALYSES {
        a.results(ep, spec, &mut s);
    }
    s
}

/// The endpoint's name in a sentence ("survival" when it has none).
pub(crate) fn endpoint_words(ep: &EndpointReport) -> &str {
    if ep.name.is_empty() {
        "survival"
    } else {
        &ep.name
    }
}

/// The group variable's name as the Spec labels it.
pub(crate) fn spec_group_name(spec: &Spec) -> Option<String> {
    spec.group
        .as_ref()
        .map(|g| g.label.clone().unwrap_or_else(|| g.column.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_number_formats() {
        assert_eq!(format_p(Some(0.0004)), "< 0.001");
        assert_eq!(p_phrase(Some(0.0004)), "P < 0.001");
        assert_eq!(p_phrase(Some(0.04567)), "P = 0.046");
        assert_eq!(format_p(Some(f64::NAN)), "—");
        assert_eq!(format_p(None), "—");
        assert_eq!(format_num(Some(310.0)), "310");
        assert_eq!(format_num(Some(15.614)), "15.61");
        assert_eq!(format_num(None), "NR");
        assert_eq!(format_ratio(Some(0.0432)), "0.043");
        assert_eq!(format_pct(Some(0.4531)), "45.3%");
    }
}
