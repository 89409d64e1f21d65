//! Release-mode timing of the competing-risks estimators against Kaplan–Meier and the
//! log-rank test on the same synthetic cohort.
//!
//! ```text
//! cargo run --release -p survkit-core --example competing_timing -- [n] [reps]
//! ```
//!
//! The cohort: a group in 0..3, three causes with exponential cause-specific hazards
//! (0.2, 0.1, 0.05 per year, times 1.2^group for cause 1), independent uniform
//! censoring over five years, times rounded up to whole days (ties as in real data).
//! Prints wall-clock and process CPU seconds for: Kaplan–Meier of the all-cause
//! endpoint per group plus the log-rank test (the baseline), and the Aalen–Johansen
//! CIFs of the three causes per group with each variance convention; then the Cox
//! model of cause 1 against the Fine–Gray fits (survival's and crr's conventions).

use std::time::Instant;
use survkit_core::compare::{survdiff, TestMethod};
use survkit_core::competing::{
    aalen_johansen, fine_gray, CifOptions, CifVariance, CompetingData, FineGrayConvention,
};
use survkit_core::cox::{fit, CoxData, CoxOptions, Ties};
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
}

struct Cohort {
    time: Vec<f64>,
    cause: Vec<u32>,
    status: Vec<bool>,
    group: Vec<usize>,
}

fn cohort(n: usize, seed: u64) -> Cohort {
    let mut rng = SplitMix64(seed);
    let mut c = Cohort {
        time: Vec::with_capacity(n),
        cause: Vec::with_capacity(n),
        status: Vec::with_capacity(n),
        group: Vec::with_capacity(n),
    };
    for _ in 0..n {
        let g = (rng.next_u64() % 3) as usize;
        let rates = [0.2 * 1.2f64.powi(g as i32), 0.1, 0.05];
        let (mut t, mut k) = (f64::INFINITY, 0u32);
        for (j, r) in rates.iter().enumerate() {
            let tj = -rng.uniform().ln() / r * 365.25;
            if tj < t {
                t = tj;
                k = j as u32 + 1;
            }
        }
        let cens = rng.uniform() * 5.0 * 365.25 + 30.0;
        let cause = if t <= cens { k } else { 0 };
        c.time.push(t.min(cens).ceil().max(1.0));
        c.cause.push(cause);
        c.status.push(cause > 0);
        c.group.push(g);
    }
    c
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
    let n = args.first().copied().unwrap_or(1_000_000);
    let reps = args.get(1).copied().unwrap_or(3);
    let c = cohort(n, 20_261_203);
    let censored = c.cause.iter().filter(|&&k| k == 0).count() as f64 / n as f64;
    println!(
        "n = {n}, 3 causes, 3 groups: {:.1}% censored",
        100.0 * censored
    );
    let by_group: Vec<(Vec<f64>, Vec<bool>)> = (0..3)
        .map(|g| {
            let idx: Vec<usize> = (0..n).filter(|&i| c.group[i] == g).collect();
            (
                idx.iter().map(|&i| c.time[i]).collect(),
                idx.iter().map(|&i| c.status[i]).collect(),
            )
        })
        .collect();
    let km = time("KM per group + log-rank", reps, || {
        let mut m = 0;
        for (t, s) in &by_group {
            m += kaplan_meier(t, s, None, &KmOptions::default())
                .expect("KM")
                .surv
                .len();
        }
        let lr =
            survdiff(&c.time, &c.status, &c.group, 3, None, TestMethod::LogRank).expect("log-rank");
        (m, lr.chisq)
    });
    let data = CompetingData::new(&c.time, &c.cause, 3).with_groups(&c.group, 3);
    for variance in [
        CifVariance::InfinitesimalJackknife,
        CifVariance::Delta,
        CifVariance::Aalen,
    ] {
        let opts = CifOptions {
            variance,
            ..CifOptions::default()
        };
        let label = format!("CIF x3 causes ({})", variance.name());
        let fit = time(&label, reps, || aalen_johansen(&data, &opts).expect("CIF"));
        let g0 = &fit.groups[0];
        let last = g0.time.len() - 1;
        println!(
            "    group 0 at day {}: S {:.4}, F1 {:.4} (se {:.5}), F2 {:.4}, F3 {:.4}",
            g0.time[last],
            g0.surv[last],
            g0.causes[0].cif[last],
            g0.causes[0].std_err[last],
            g0.causes[1].cif[last],
            g0.causes[2].cif[last]
        );
    }
    println!("(KM curves: {} rows; log-rank chisq {:.2})", km.0, km.1);
    // Regression on (group, a second covariate): Fine–Gray both ways against the
    // cause-specific Cox model of cause 1 on the same design.
    let x: Vec<f64> = c
        .group
        .iter()
        .map(|&g| g as f64)
        .chain((0..n).map(|i| ((i * 7919) % 1000) as f64 / 1000.0))
        .collect();
    let status1: Vec<bool> = c.cause.iter().map(|&k| k == 1).collect();
    let cox = time("Cox, cause 1 (Breslow)", reps, || {
        fit(
            &CoxData::new(&c.time, &status1, &x, 2),
            &CoxOptions {
                ties: Ties::Breslow,
                ..CoxOptions::default()
            },
        )
        .expect("Cox")
    });
    let one = CompetingData::new(&c.time, &c.cause, 3);
    let fg = time("Fine-Gray (finegray, Breslow)", reps, || {
        fine_gray(&one, 1, &x, 2, Ties::Breslow, FineGrayConvention::Finegray).expect("FG")
    });
    let crr = time("Fine-Gray (crr + sandwich)", reps, || {
        fine_gray(&one, 1, &x, 2, Ties::Breslow, FineGrayConvention::Crr).expect("crr")
    });
    println!(
        "    group coef: cause-specific {:.4}, finegray {:.4} (se {:.4}), crr {:.4} (sandwich se {:.4})",
        cox.coef[0],
        fg.coef[0],
        fg.se[0],
        crr.coef[0],
        crr.sandwich_se.as_ref().map_or(f64::NAN, |s| s[0])
    );
}
