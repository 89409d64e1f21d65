//! Timing of the exact tie likelihoods against Efron on a synthetic cohort with whole-day
//! (or coarser) times: `cargo run --release -p survkit-core --example cox_exact_timing -- 1e5 3 30`
//! (rows, covariates, days per time unit: larger = more ties).
use std::time::Instant;
use survkit_core::cox::exact::{discrete_cost, fit_exact, ExactTies};
use survkit_core::cox::{fit, CoxData, CoxOptions};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n = args.get(1).map_or(1e5, |s| s.parse::<f64>().unwrap()) as usize;
    let p = args.get(2).map_or(3, |s| s.parse().unwrap());
    let unit: f64 = args.get(3).map_or(1.0, |s| s.parse().unwrap());
    // Deterministic pseudo-random cohort (no RNG crate in core).
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut unif = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let x: Vec<f64> = (0..n * p).map(|_| unif() * 2.0 - 1.0).collect();
    let mut stop = Vec::with_capacity(n);
    let mut status = Vec::with_capacity(n);
    for i in 0..n {
        let lp: f64 = (0..p).map(|j| 0.3 * x[j * n + i]).sum();
        let t = -unif().max(1e-300).ln() / (0.002 * lp.exp());
        let c = unif() * 1500.0;
        stop.push((t.min(c) / unit).ceil());
        status.push(t <= c);
    }
    let data = CoxData::new(&stop, &status, &x, p);
    let mut max_ties = 0;
    let mut sorted: Vec<(f64, bool)> = stop.iter().copied().zip(status.iter().copied()).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut k = 0;
    while k < n {
        let mut e = k;
        let mut d = 0;
        while e < n && sorted[e].0 == sorted[k].0 {
            d += usize::from(sorted[e].1);
            e += 1;
        }
        max_ties = max_ties.max(d);
        k = e;
    }
    println!(
        "n = {n}, p = {p}, largest tie = {max_ties}, discrete cost = {:.2e}",
        discrete_cost(&data).unwrap() as f64
    );
    let t0 = Instant::now();
    let e = fit(&data, &CoxOptions::default()).unwrap();
    println!(
        "efron    {:.3} s  coef[0] = {:.6}",
        t0.elapsed().as_secs_f64(),
        e.coef[0]
    );
    for ties in [ExactTies::Discrete, ExactTies::Marginal] {
        let t0 = Instant::now();
        let f = fit_exact(&data, &CoxOptions::default(), ties).unwrap();
        println!(
            "{ties:?} {:.3} s  coef[0] = {:.6}  iterations {}",
            t0.elapsed().as_secs_f64(),
            f.coef[0],
            f.iterations
        );
    }
}
