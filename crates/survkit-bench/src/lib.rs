//! # survkit-bench
//!
//! The pieces of `npm run bench` that are plain computation, shared by the native
//! harness (`survkit-bench` binary) and the `bench_*` exports of `survkit-wasm`, so
//! that both engines time exactly the same work:
//!
//! - [`write_cohort`]: a seeded synthetic cohort as CSV (whole-day times with ties,
//!   about 30% censoring, three groups, continuous and binary covariates);
//! - [`Cohort::load`]: file bytes → typed table → analysis-ready arrays (the page's
//!   importer and `prepare`);
//! - the timed tasks: [`import_rows`], [`Cohort::km_logrank`], [`Cohort::cox`],
//!   [`page_analysis`].
//!
//! No file system, threads or clock here: the crate builds for wasm32.
#![deny(missing_docs)]

use std::io::Write;

use survkit_core::compare::{survdiff, TestMethod};
use survkit_core::cox::{fit, CoxData, CoxOptions};
use survkit_core::km::{kaplan_meier, KmOptions};
use survkit_data::{
    import, prepare, CovariateValues, EndpointSpec, ImportOptions, PrepareSpec, VariableSpec,
};
use survkit_report::Spec;

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, well-mixed 64-bit generator, enough
/// for reproducible synthetic data without a `rand` dependency.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1) (never exactly 0, so `ln` is finite).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform integer in `0..k` (`k > 0`; the modulo bias is irrelevant here).
    pub fn below(&mut self, k: u64) -> u64 {
        self.next_u64() % k
    }
}

/// Names of the covariate columns of a cohort with `p` covariates: `x1..xp`.
/// Odd-numbered ones are continuous (standard normal, 3 decimals), even-numbered ones
/// binary 0/1.
pub fn covariate_names(p: usize) -> Vec<String> {
    (1..=p).map(|j| format!("x{j}")).collect()
}

/// Group labels of the cohorts.
pub const GROUPS: [&str; 3] = ["A", "B", "C"];

/// True log hazard ratio of covariate `j` (1-based) in the simulation.
pub fn true_beta(j: usize) -> f64 {
    const B: [f64; 5] = [0.30, -0.25, 0.15, 0.20, -0.10];
    B[(j - 1) % 5] / (1.0 + ((j - 1) / 5) as f64)
}

/// Writes a seeded synthetic cohort of `n` patients with `p` covariates as CSV.
///
/// Columns: `id, time, status, arm` (A/B/C), `x1..xp`; with `p < 11` six extra
/// columns a real export carries (`site, sex, dx_date, ldh` with 2% `NA`,
/// `albumin, ecog`) bring the file to 15 columns, the import target's shape.
///
/// Model: exponential event times with hazard `λ₀ exp(γ_arm + Σ β_j x_j)`,
/// `λ₀ = 1/900` per day, arm effects 0, −0.3, +0.2; independent exponential censoring
/// (rate 1/2200 per day) plus administrative censoring at 3650 days, giving about 30%
/// censored; times rounded up to whole days, so a million rows share ~3650 distinct
/// times (heavy ties, as in real registries).
///
/// # Errors
/// Write errors of `out`.
pub fn write_cohort(out: &mut impl Write, n: usize, p: usize, seed: u64) -> std::io::Result<()> {
    let mut rng = SplitMix64::new(seed ^ (n as u64).rotate_left(17) ^ (p as u64).rotate_left(41));
    let extras = p < 11;
    let mut header = String::from("id,time,status,arm");
    for name in covariate_names(p) {
        header.push(',');
        header.push_str(&name);
    }
    if extras {
        header.push_str(",site,sex,dx_date,ldh,albumin,ecog");
    }
    writeln!(out, "{header}")?;
    const SITES: [&str; 8] = [
        "Zurich", "Koeln", "Leeds", "Boston", "Madrid", "Oslo", "Wien", "Lyon",
    ];
    let gamma = [0.0, -0.3, 0.2];
    let mut x = vec![0.0; p];
    let mut line = String::with_capacity(256);
    use std::fmt::Write as _;
    for i in 0..n {
        let g = rng.below(3) as usize;
        let mut eta = gamma[g];
        for (j, xj) in x.iter_mut().enumerate() {
            *xj = if j % 2 == 0 {
                (rng.normal() * 1000.0).round() / 1000.0
            } else if rng.uniform() < 0.4 {
                1.0
            } else {
                0.0
            };
            eta += true_beta(j + 1) * *xj;
        }
        let t_event = -rng.uniform().ln() * 900.0 / eta.exp();
        let t_cens = (-rng.uniform().ln() * 2200.0).min(3650.0);
        let (t, status) = if t_event <= t_cens {
            (t_event, 1)
        } else {
            (t_cens, 0)
        };
        let days = t.ceil().max(1.0) as u64;
        line.clear();
        let _ = write!(line, "{},{days},{status},{}", i + 1, GROUPS[g]);
        for (j, xj) in x.iter().enumerate() {
            if j % 2 == 0 {
                let _ = write!(line, ",{xj:.3}");
            } else {
                let _ = write!(line, ",{}", *xj as u8);
            }
        }
        if extras {
            let site = SITES[rng.below(8) as usize];
            let sex = if rng.below(2) == 0 { "F" } else { "M" };
            let (y, m, d) = civil(14_610 + rng.below(3650) as i64);
            let _ = write!(line, ",{site},{sex},{y:04}-{m:02}-{d:02}");
            if rng.below(50) == 0 {
                line.push_str(",NA");
            } else {
                let _ = write!(line, ",{}", 120 + rng.below(400));
            }
            let _ = write!(
                line,
                ",{:.1},{}",
                30.0 + rng.below(200) as f64 / 10.0,
                rng.below(3)
            );
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Civil date (y, m, d) of day `z` since 1970-01-01 (Hinnant's algorithm).
fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Task "import": file bytes → typed table with the page's default import options.
/// Returns the number of rows read.
///
/// # Errors
/// The importer's message.
pub fn import_rows(bytes: &[u8], file_name: &str) -> Result<usize, String> {
    let table = import(bytes, file_name, &ImportOptions::default()).map_err(|e| e.to_string())?;
    Ok(table.n_rows())
}

/// Analysis-ready arrays of a cohort file, for timing the estimators alone.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// Follow-up time (days).
    pub time: Vec<f64>,
    /// Event indicator.
    pub status: Vec<bool>,
    /// Group index in `0..n_groups`.
    pub group: Vec<usize>,
    /// Number of groups.
    pub n_groups: usize,
    /// Covariates, column-major (`x[j * n + i]`).
    pub x: Vec<f64>,
    /// Number of covariates.
    pub p: usize,
}

/// The page's Spec for a cohort with `p` covariates: endpoint `time`/`status`, group
/// `arm`, covariates `x1..xp` (the page then screens each covariate alone and fits
/// them together, Efron ties).
pub fn page_spec(p: usize) -> Spec {
    Spec {
        endpoints: vec![EndpointSpec {
            time: Some("time".into()),
            event: "status".into(),
            ..Default::default()
        }],
        group: Some(VariableSpec {
            column: "arm".into(),
            ..Default::default()
        }),
        covariates: covariate_names(p)
            .into_iter()
            .map(|column| VariableSpec {
                column,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

impl Cohort {
    /// Imports and prepares a cohort file written by [`write_cohort`] (the same
    /// importer and `prepare` as the page).
    ///
    /// # Errors
    /// Import or prepare errors, or a covariate that is not numeric.
    pub fn load(bytes: &[u8], file_name: &str, p: usize) -> Result<Cohort, String> {
        let table =
            import(bytes, file_name, &ImportOptions::default()).map_err(|e| e.to_string())?;
        let spec = page_spec(p);
        let prep = prepare(
            &table,
            &PrepareSpec {
                endpoint: spec.endpoints[0].clone(),
                group: spec.group.clone(),
                covariates: spec.covariates.clone(),
                ..Default::default()
            },
        )
        .map_err(|e| e.to_string())?;
        let n = prep.time.len();
        let group = prep.group.ok_or("no group column")?;
        let mut x = Vec::with_capacity(n * p);
        for c in &prep.covariates {
            match &c.values {
                CovariateValues::Numeric { values } => {
                    x.extend(values.iter().map(|v| v.unwrap_or(f64::NAN)));
                }
                CovariateValues::Categorical { codes, .. } => {
                    // Binary 0/1 columns read as two levels: code 1 is the "1" level.
                    x.extend(codes.iter().map(|c| c.map_or(f64::NAN, |c| c as f64)));
                }
            }
        }
        if x.len() != n * p {
            return Err(format!(
                "expected {p} covariates, found {}",
                prep.covariates.len()
            ));
        }
        Ok(Cohort {
            time: prep.time,
            status: prep.status,
            n_groups: group.levels.len(),
            group: group.codes,
            x,
            p,
        })
    }

    /// Number of rows.
    pub fn n(&self) -> usize {
        self.time.len()
    }

    /// Task "KM + log-rank by group": one Kaplan–Meier curve per group (R's defaults:
    /// log CIs, quantiles) and the k-sample log-rank test. Returns the log-rank χ².
    ///
    /// # Errors
    /// Estimator errors.
    pub fn km_logrank(&self) -> Result<f64, String> {
        let opts = KmOptions::default();
        for g in 0..self.n_groups {
            let (mut t, mut s) = (Vec::new(), Vec::new());
            for i in 0..self.n() {
                if self.group[i] == g {
                    t.push(self.time[i]);
                    s.push(self.status[i]);
                }
            }
            kaplan_meier(&t, &s, None, &opts).map_err(|e| e.to_string())?;
        }
        let test = survdiff(
            &self.time,
            &self.status,
            &self.group,
            self.n_groups,
            None,
            TestMethod::LogRank,
        )
        .map_err(|e| e.to_string())?;
        Ok(test.chisq)
    }

    /// Task "Cox": Efron ties, all covariates, R's defaults. Returns the maximised log
    /// partial likelihood and the coefficients.
    ///
    /// # Errors
    /// Estimator errors.
    pub fn cox(&self) -> Result<(f64, Vec<f64>), String> {
        let data = CoxData::new(&self.time, &self.status, &self.x, self.p);
        let f = fit(&data, &CoxOptions::default()).map_err(|e| e.to_string())?;
        Ok((f.loglik[1], f.coef))
    }
}

/// Task "whole page analysis": file bytes → import → the page's Report (survival
/// section, tests, Cox section) as JSON, exactly as the page's worker gets it.
/// Returns the JSON length.
///
/// # Errors
/// The Report's error message.
pub fn page_analysis(bytes: &[u8], file_name: &str, p: usize) -> Result<usize, String> {
    let report =
        survkit_report::analyze_bytes(bytes, file_name, &page_spec(p)).map_err(|e| e.message)?;
    let json = serde_json::to_string(&report).map_err(|e| e.to_string())?;
    Ok(json.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cohort_is_reproducible_and_about_30_percent_censored() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        write_cohort(&mut a, 5000, 5, 7).unwrap();
        write_cohort(&mut b, 5000, 5, 7).unwrap();
        assert_eq!(a, b);
        let c = Cohort::load(&a, "c.csv", 5).unwrap();
        assert_eq!(c.n(), 5000);
        assert_eq!(c.n_groups, 3);
        let cens = c.status.iter().filter(|&&s| !s).count() as f64 / 5000.0;
        assert!((0.25..0.36).contains(&cens), "censored {cens}");
        assert!(c.time.iter().all(|t| t.fract() == 0.0 && *t >= 1.0));
        let text = String::from_utf8(a).unwrap();
        assert_eq!(text.lines().next().unwrap().split(',').count(), 15);
    }

    #[test]
    fn tasks_run_and_cox_recovers_the_effects() {
        let mut a = Vec::new();
        write_cohort(&mut a, 20_000, 5, 1).unwrap();
        assert_eq!(import_rows(&a, "c.csv").unwrap(), 20_000);
        let c = Cohort::load(&a, "c.csv", 5).unwrap();
        assert!(c.km_logrank().unwrap() > 10.0);
        let (_, coef) = c.cox().unwrap();
        for (j, b) in coef.iter().enumerate() {
            assert!((b - true_beta(j + 1)).abs() < 0.05, "x{}: {b}", j + 1);
        }
        assert!(page_analysis(&a, "c.csv", 5).unwrap() > 1000);
    }
}
