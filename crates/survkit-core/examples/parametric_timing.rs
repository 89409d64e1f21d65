//! Release-mode timing of the six parametric models at n = 1e5 with 5 covariates.
//!
//! ```text
//! Rscript crates/survkit-core/examples/parametric_timing.R target/parametric_cohort.csv
//! cargo run --release -p survkit-core --example parametric_timing -- target/parametric_cohort.csv
//! ```
//!
//! The R script writes the seeded cohort (5 standard-normal covariates, Weibull event
//! times with shape 1.5, uniform censoring, about 30% censored) and times `survreg` on
//! it for the four distributions R has; this example reads the same CSV (columns
//! `time,status,x1..x5`) and times all six fits. Without a path it generates a cohort
//! of the same design itself (SplitMix64); with the argument `lognormal`, the same with
//! log-normal times (the generalized gamma then ends near Q = 0). Prints wall-clock and process CPU seconds
//! (median of 3) and the log-likelihood, to compare with R's.

use std::time::Instant;
use survkit_core::parametric::{fit, Distribution, ParametricData, ParametricOptions};

/// SplitMix64 (Steele, Lea & Flood 2014).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `(time, status, x column-major)`; log-normal instead of Weibull times when asked.
fn cohort(n: usize, p: usize, lognormal: bool) -> (Vec<f64>, Vec<bool>, Vec<f64>) {
    let mut rng = SplitMix64(13);
    let x: Vec<f64> = (0..n * p).map(|_| rng.normal()).collect();
    let mut time = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    for i in 0..n {
        let eta = 5.0 + (0..p).map(|j| 0.1 * x[j * n + i]).sum::<f64>();
        let t = if lognormal {
            (eta + 0.8 * rng.normal()).exp()
        } else {
            (eta + (-rng.uniform().ln()).ln() / 1.5).exp()
        };
        let c = 400.0 * rng.uniform();
        time.push(t.min(c));
        status.push(t <= c);
    }
    (time, status, x)
}

fn read_csv(path: &str) -> (Vec<f64>, Vec<bool>, Vec<f64>, usize) {
    let text = std::fs::read_to_string(path).expect("readable CSV");
    let mut lines = text.lines();
    let p = lines.next().expect("header").split(',').count() - 2;
    let rows: Vec<Vec<f64>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(|v| v.parse().expect("number")).collect())
        .collect();
    let time = rows.iter().map(|r| r[0]).collect();
    let status = rows.iter().map(|r| r[1] == 1.0).collect();
    let x = (0..p)
        .flat_map(|j| rows.iter().map(move |r| r[2 + j]))
        .collect();
    (time, status, x, p)
}

fn cpu_seconds() -> f64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
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

fn main() {
    let (time, status, x, p) = match std::env::args().nth(1).as_deref() {
        None | Some("lognormal") => {
            let ln = std::env::args().nth(1).is_some();
            let (t, s, x) = cohort(100_000, 5, ln);
            (t, s, x, 5)
        }
        Some(path) => read_csv(path),
    };
    let n = time.len();
    let columns: Vec<String> = (1..=p).map(|j| format!("x{j}")).collect();
    let data = ParametricData::new(&time, &status, &x, &columns);
    let events = status.iter().filter(|&&s| s).count();
    println!("n = {n}, p = {p}, events = {events}");
    for dist in Distribution::ALL {
        let mut walls = Vec::new();
        let mut cpus = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let (w0, c0) = (Instant::now(), cpu_seconds());
            last = Some(fit(&data, dist, &ParametricOptions::default()).expect("fit"));
            walls.push(w0.elapsed().as_secs_f64());
            cpus.push(cpu_seconds() - c0);
        }
        walls.sort_by(f64::total_cmp);
        cpus.sort_by(f64::total_cmp);
        let f = last.expect("fitted");
        println!(
            "{:<18} wall {:>7.3} s  cpu {:>6.2} s  loglik {:.6}  iterations {}  converged {}",
            format!("{dist:?}"),
            walls[1],
            cpus[1],
            f.loglik,
            f.iterations,
            f.converged
        );
    }
}
