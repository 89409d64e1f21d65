//! Release-mode timing of the estimators on a seeded synthetic cohort.
//!
//! ```text
//! cargo run --release -p survkit-core --example cox_timing -- [n] [p] [reps]
//! ```
//!
//! The cohort: `p` standard-normal covariates, a group in 0..3, exponential event times
//! with log-hazard `Σ 0.1·xⱼ + 0.2·group`, independent uniform censoring (about 30%
//! censored), times rounded up to whole days so that ties are as in real data. Prints
//! wall-clock and process CPU seconds (CPU time is the steadier figure on a shared
//! machine) for Kaplan–Meier, the log-rank test and the Cox fit (Efron).

use std::time::Instant;
use survkit_core::compare::{survdiff, TestMethod};
use survkit_core::cox::{fit, CoxData, CoxOptions};
use survkit_core::km::{kaplan_meier, KmOptions};

/// SplitMix64 (Steele, Lea & Flood 2014): enough randomness for a benchmark cohort.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller, one draw per call).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A synthetic cohort: times in days, status, group, covariates column-major.
pub struct Cohort {
    time: Vec<f64>,
    status: Vec<bool>,
    group: Vec<usize>,
    x: Vec<f64>,
}

fn cohort(n: usize, p: usize, seed: u64) -> Cohort {
    let mut rng = SplitMix64(seed);
    let mut x = vec![0.0; n * p];
    let mut time = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    for i in 0..n {
        let g = (rng.next_u64() % 3) as usize;
        let mut lp = 0.2 * g as f64;
        for j in 0..p {
            let v = rng.normal();
            x[j * n + i] = v;
            lp += 0.1 * v;
        }
        // Median survival about two years; censoring uniform over five years.
        let t = -rng.uniform().ln() / (0.35 * lp.exp()) * 365.25;
        let c = rng.uniform() * 5.0 * 365.25 + 30.0;
        time.push(t.min(c).ceil().max(1.0));
        status.push(t <= c);
        group.push(g);
    }
    Cohort {
        time,
        status,
        group,
        x,
    }
}

/// Process CPU seconds (user + system) from /proc; NaN where unavailable.
fn cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which is in parentheses): utime is field 14.
    let Some(rest) = s.rsplit(')').next() else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let tick = |k: usize| {
        f.get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (tick(11) + tick(12)) / 100.0
}

fn time<T>(label: &str, reps: usize, mut f: impl FnMut() -> T) -> T {
    let mut out = None;
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for _ in 0..reps.max(1) {
        let (w0, c0) = (Instant::now(), cpu_seconds());
        out = Some(f());
        walls.push(w0.elapsed().as_secs_f64());
        cpus.push(cpu_seconds() - c0);
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{label:<28} wall {:>8.3} s   cpu {:>7.2} s   (median of {})",
        med(&mut walls),
        med(&mut cpus),
        walls.len()
    );
    out.expect("at least one repetition")
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse::<f64>().ok().map(|v| v as usize))
        .collect();
    let n = args.first().copied().unwrap_or(100_000);
    let p = args.get(1).copied().unwrap_or(5);
    let reps = args.get(2).copied().unwrap_or(3);
    let c = cohort(n, p, 20_261_130);
    let censored = c.status.iter().filter(|&&s| !s).count() as f64 / n as f64;
    let mut days = c.time.clone();
    days.sort_by(f64::total_cmp);
    days.dedup();
    println!(
        "n = {n}, p = {p}: {:.1}% censored, {} distinct times",
        100.0 * censored,
        days.len()
    );
    time("kaplan_meier", reps, || {
        kaplan_meier(&c.time, &c.status, None, &KmOptions::default()).map(|f| f.surv.len())
    })
    .expect("KM");
    time("survdiff (3 groups)", reps, || {
        survdiff(&c.time, &c.status, &c.group, 3, None, TestMethod::LogRank).map(|r| r.chisq)
    })
    .expect("log-rank");
    let data = CoxData::new(&c.time, &c.status, &c.x, p);
    let f = time("cox::fit (Efron)", reps, || {
        fit(&data, &CoxOptions::default())
    })
    .expect("Cox");
    println!(
        "  iterations {}, loglik {:.6} -> {:.6}, C = {:.6}, coef[0] = {:.6}",
        f.iterations, f.loglik[0], f.loglik[1], f.concordance.estimate, f.coef[0]
    );
}
