//! The Cox section's sentence for the methods paragraph.

use crate::run::EndpointReport;
use crate::spec::Spec;
use crate::text::{format_num, serde_name};

/// Cox regression, the tie method, univariable then multivariable.
pub(crate) fn methods(ep: &EndpointReport, spec: &Spec, s: &mut String) {
    if ep.cox.cox.is_some() || !ep.cox.univariable.is_empty() {
        // The level of the survival estimates, as it always was (the CLI's
        // --conf-level sets both; see docs/architecture.md).
        let level = format_num(Some(100.0 * spec.survival.km.conf_level));
        let ties = serde_name(&spec.cox.ties);
        s.push_str(&format!(
            " Hazard ratios with {level}% confidence intervals were estimated with Cox proportional-hazards regression ({} method for tied event times), first for each variable alone and then for the chosen variables together.",
            if ties == "breslow" { "Breslow's" } else { "Efron's" }
        ));
    }
}
