//! Median follow-up by the reverse Kaplan–Meier method (Schemper & Smith 1996):
//! the Kaplan–Meier estimate with the roles of events and censorings swapped, so that
//! an event stops follow-up the way censoring stops observation. Also the range of
//! follow-up and the median follow-up of patients still event-free (censored).

use serde::{Deserialize, Serialize};

use crate::km::{kaplan_meier, KmOptions};
use crate::Error;

/// Summary of follow-up.
///
/// JSON: `{"median", "lower", "upper", "min", "max", "median_censored"}` where
/// - `median`, `lower`, `upper`: median follow-up by reverse Kaplan–Meier and its
///   confidence limits, exactly as R's
///   `print(survfit(Surv(time, 1 - status) ~ 1, conf.type = , conf.int = ))`
///   (`null` where not reached);
/// - `min`, `max`: shortest and longest observed time over all patients;
/// - `median_censored`: ordinary sample median of the times of censored patients
///   (those still event-free at last contact), `null` when nobody is censored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// Median follow-up (reverse Kaplan–Meier).
    pub median: Option<f64>,
    /// Lower confidence limit of the median follow-up.
    pub lower: Option<f64>,
    /// Upper confidence limit of the median follow-up.
    pub upper: Option<f64>,
    /// Shortest observed time.
    pub min: f64,
    /// Longest observed time.
    pub max: f64,
    /// Sample median of the censored patients' times.
    pub median_censored: Option<f64>,
}

/// Median follow-up by reverse Kaplan–Meier, range, and median among censored patients.
///
/// # Formula
/// `Ŝ_c(t) = Π_{t_j ≤ t} (1 − c_j/n_j)` with `c_j` censorings and `n_j` at risk at
/// `t_j` (censorings are the "events"; at tied times they are counted before the
/// events). The median follow-up is where `Ŝ_c` crosses 0.5, with limits from the
/// pointwise band using `opts.conf_type` and `opts.conf_level`
/// (Schemper & Smith 1996; Kaplan & Meier 1958).
///
/// # Errors
/// As [`kaplan_meier`]: mismatched lengths, no rows, invalid times or options.
pub fn follow_up(
    time: &[f64],
    status: &[bool],
    entry: Option<&[f64]>,
    opts: &KmOptions,
) -> Result<FollowUp, Error> {
    let reversed: Vec<bool> = status.iter().map(|&s| !s).collect();
    let km_opts = KmOptions {
        conf_type: opts.conf_type,
        conf_level: opts.conf_level,
        quantiles: Vec::new(),
        times: Vec::new(),
        rmst_tau: None,
        beyond_follow_up: opts.beyond_follow_up,
        variance: opts.variance,
    };
    let fit = kaplan_meier(time, &reversed, entry, &km_opts)?;
    let min = time.iter().copied().fold(f64::INFINITY, f64::min);
    let max = time.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut censored: Vec<f64> = time
        .iter()
        .zip(status)
        .filter(|(_, &s)| !s)
        .map(|(&t, _)| t)
        .collect();
    censored.sort_unstable_by(f64::total_cmp);
    let median_censored = match censored.len() {
        0 => None,
        k if k % 2 == 1 => Some(censored[k / 2]),
        k => Some((censored[k / 2 - 1] + censored[k / 2]) / 2.0),
    };
    Ok(FollowUp {
        median: fit.median.estimate,
        lower: fit.median.lower,
        upper: fit.median.upper,
        min,
        max,
        median_censored,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        // Censored at 2, 4, 6 (reverse events); events at 1, 3, 5.
        let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let s = [true, false, true, false, true, false];
        let f = follow_up(&t, &s, None, &KmOptions::default()).unwrap();
        // Reverse KM: at 2: 1 − 1/5 = 0.8; at 4: 0.8·(1 − 1/3) = 0.5333; at 6: 0.
        assert_eq!(f.median, Some(6.0));
        assert_eq!(f.min, 1.0);
        assert_eq!(f.max, 6.0);
        assert_eq!(f.median_censored, Some(4.0));
    }

    #[test]
    fn nobody_censored() {
        let f = follow_up(&[1.0, 2.0], &[true, true], None, &KmOptions::default()).unwrap();
        assert_eq!(f.median, None);
        assert_eq!(f.median_censored, None);
    }
}
