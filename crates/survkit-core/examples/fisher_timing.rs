//! Work and time of Fisher's exact test on tables of growing size:
//! `cargo run --release -p survkit-core --example fisher_timing`.
//! Tables are built deterministically near independence (the hard case for pruning).

use std::time::Instant;
use survkit_core::describe::fisher::{fisher_exact, FisherOptions};

fn table(r: usize, c: usize, n: usize) -> Vec<Vec<usize>> {
    // Row and column weights 1..r, 1..c; counts ≈ n·wᵢwⱼ/ΣwΣw, perturbed by a fixed pattern.
    let sr: usize = (1..=r).sum();
    let sc: usize = (1..=c).sum();
    (0..r)
        .map(|i| {
            (0..c)
                .map(|j| {
                    let e = n * (i + 1) * (j + 1) / (sr * sc);
                    e + (i * 7 + j * 3) % 3
                })
                .collect()
        })
        .collect()
}

/// A table with association: extra counts on the diagonal.
fn associated(r: usize, c: usize, n: usize) -> Vec<Vec<usize>> {
    let mut t = table(r, c, n);
    for (i, row) in t.iter_mut().enumerate() {
        if i < c {
            row[i] += n / (4 * r.min(c));
        }
    }
    t
}

fn main() {
    let opts = FisherOptions {
        max_work: 100_000_000,
    };
    for (r, c, n) in [
        (2, 2, 1000),
        (2, 5, 500),
        (2, 10, 300),
        (3, 3, 100),
        (3, 3, 300),
        (3, 3, 900),
        (3, 4, 300),
        (4, 4, 100),
        (4, 4, 200),
        (5, 5, 60),
        (5, 5, 100),
    ] {
        for assoc in [false, true] {
            let t = if assoc {
                associated(r, c, n)
            } else {
                table(r, c, n)
            };
            let total: usize = t.iter().flatten().sum();
            let start = Instant::now();
            let res = fisher_exact(&t, &opts);
            let secs = start.elapsed().as_secs_f64();
            match res {
                Ok(f) => println!(
                    "{r}x{c} N={total}: p = {:.6e}, work = {}, {secs:.3} s",
                    f.p, f.work
                ),
                Err(e) => println!("{r}x{c} N={total}: {e} after {secs:.3} s"),
            }
        }
    }
}
