//! Fisher's exact test for an r×c contingency table (Fisher 1935; Freeman & Halton 1951
//! for r×c), with the two-sided p-value of R's `fisher.test`: the total probability of
//! all tables with the observed margins that are no more probable than the observed
//! one, "no more probable" meaning `P(table) ≤ P(observed)·(1 + 1e-7)`.
//!
//! # Formula
//!
//! Under independence with fixed margins (row sums `Rᵢ`, column sums `Cⱼ`, total `N`)
//! a table has the multiple hypergeometric probability
//!
//! `P(x) = Πᵢ Rᵢ! Πⱼ Cⱼ! / (N! Πᵢⱼ xᵢⱼ!)`.
//!
//! # Algorithm
//!
//! A network algorithm in the spirit of Mehta & Patel (1983, 1986): the table is built
//! one column at a time (columns in ascending order of their totals, rows = the shorter
//! dimension); a node at stage k is the vector of row totals still to fill (sorted,
//! since the future depends only on their multiset), and a path to it carries its
//! "past" `Σ −log xᵢⱼ!` over the filled columns. Paths that reach the same node with
//! the same past (to 1e-9 on the log scale) are merged. Each node gets bounds on its
//! most and least probable completion: exact when two columns are left (each row's
//! `−log x! − log(R − x)!` is concave, so the maximum follows from marginal allocation
//! and the minimum lies at a vertex of the polytope); otherwise the tightest of a
//! Lagrangian bound with product-form multipliers (`e^{−λᵢⱼ} = RᵢCⱼ/N`) and the bounds
//! from dropping the row or the column constraints. A path whose every completion is
//! no more probable than the observed table adds the closed-form total over all its
//! completions, `(ΣRᵢ)! / (ΠRᵢ! Π_{j≥k} Cⱼ!)`; a path whose every completion is more
//! probable is dropped; only the others are extended. With two columns left, a node's
//! completions are enumerated once and sorted, and each surviving path takes its share
//! by binary search over their prefix sums.
//!
//! # Cost
//!
//! Counted in steps (column fills enumerated plus paths extended or tested) and capped
//! by [`FisherOptions::max_work`] (default 5·10⁶: at most a few seconds and about
//! 120 MB for the paths kept); beyond it the test returns [`Error::InvalidOption`] and
//! [`super::categorical::compare_categorical`] reports the chi-square test with a typed
//! warning. Tables near independence are cheap (3×3 with N = 909: 2.4·10⁴ steps,
//! 0.02 s; 5×5 with N = 107: 10⁶ steps, 0.4 s); tables with strong association cost
//! most (2×5, N = 625, p = 4e-18: 8.7·10⁵ steps, 0.13 s; 3×3, N = 382, p = 4e-8:
//! 6.7·10⁶, 0.7 s; 3×4, N = 387: 1.2·10⁷, 1.6 s, where R's `fisher.test` takes 54 s;
//! 2×10 with N = 374 exceeds 10⁸ steps, and R's FEXACT fails with workspace 2·10⁸).
//! Figures from `cargo run --release -p survkit-core --example fisher_timing` on a
//! shared 2-core machine.
//!
//! # References
//!
//! - Fisher RA (1935). The logic of inductive inference. *JRSS* 98:39–82.
//! - Freeman GH, Halton JH (1951). Note on an exact treatment of contingency, goodness
//!   of fit and other problems of significance. *Biometrika* 38:141–149.
//! - Mehta CR, Patel NR (1983). A network algorithm for performing Fisher's exact test
//!   in r×c contingency tables. *JASA* 78:427–434; (1986) *ACM TOMS* 12:154–161.

use crate::Error;
use serde::{Deserialize, Serialize};
use statrs::function::factorial::ln_factorial;
use std::collections::BTreeMap;

/// Relative tolerance of "no more probable than the observed table" (R's `fisher.test`).
pub const RELATIVE_TOLERANCE: f64 = 1e-7;

/// Options of the exact test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FisherOptions {
    /// Maximum number of network steps (node × column fill) before giving up.
    pub max_work: u64,
}

impl Default for FisherOptions {
    fn default() -> Self {
        FisherOptions {
            max_work: 5_000_000,
        }
    }
}

/// Result of Fisher's exact test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FisherTest {
    /// Two-sided p-value.
    pub p: f64,
    /// Probability of the observed table under independence.
    pub p_observed_table: f64,
    /// Network steps used (a measure of the cost).
    pub work: u64,
}

fn lnf(x: u32) -> f64 {
    ln_factorial(x as u64)
}

/// Greedy maximum of `Σ −log xⱼ!` over `Σ xⱼ = total`, `0 ≤ xⱼ ≤ cap[j]` (the most even
/// spread; exact since `−log x!` is concave). `None` when infeasible.
fn spread_max(total: u32, cap: &[u32]) -> Option<f64> {
    if cap.iter().map(|&c| c as u64).sum::<u64>() < total as u64 {
        return None;
    }
    // Water-filling: raise a common level; columns with smaller capacity saturate.
    let mut caps: Vec<u32> = cap.to_vec();
    caps.sort_unstable();
    let mut left = total;
    let mut val = 0.0;
    let mut k = caps.len();
    for (idx, &c) in caps.iter().enumerate() {
        let share = left / k as u32;
        if c <= share {
            val -= lnf(c);
            left -= c;
            k -= 1;
        } else {
            // The rest (this and all larger capacities) share `left` as evenly as possible.
            let k = (caps.len() - idx) as u32;
            let q = left / k;
            let r = left % k;
            val -= r as f64 * lnf(q + 1) + (k - r) as f64 * lnf(q);
            return Some(val);
        }
    }
    Some(val)
}

/// Minimum of `Σ −log xⱼ!` over `Σ xⱼ = total`, `0 ≤ xⱼ ≤ cap[j]`: fill the largest
/// capacities first (moving a unit from a smaller to a larger cell never increases it).
fn concentrate_min(total: u32, cap: &[u32]) -> Option<f64> {
    let mut caps: Vec<u32> = cap.to_vec();
    caps.sort_unstable_by(|a, b| b.cmp(a));
    let mut left = total;
    let mut val = 0.0;
    for c in caps {
        let v = left.min(c);
        val -= lnf(v);
        left -= v;
        if left == 0 {
            return Some(val);
        }
    }
    (left == 0).then_some(val)
}

/// (max, min) over all completions of `Σ −log xᵢⱼ!` for remaining row sums `rows` and
/// remaining column sums `cols`: exact for one or two columns left, otherwise the
/// tighter of the bounds from relaxing the row or the column constraints (valid
/// bounds, so the test stays exact; looser bounds only mean more paths are extended).
fn bounds(rows: &[u32], cols: &[u32]) -> (f64, f64) {
    match cols.len() {
        0 => (0.0, 0.0),
        1 => {
            let v: f64 = rows.iter().map(|&r| -lnf(r)).sum();
            (v, v)
        }
        2 => two_column_bounds(rows, cols[0]),
        _ => {
            let relax = |a: &[u32], b: &[u32]| {
                let mut hi = 0.0;
                let mut lo = 0.0;
                for &t in a {
                    hi += spread_max(t, b).unwrap_or(f64::NEG_INFINITY);
                    lo += concentrate_min(t, b).unwrap_or(f64::INFINITY);
                }
                (hi, lo)
            };
            let (h1, l1) = relax(rows, cols);
            let (h2, l2) = relax(cols, rows);
            (h1.min(h2).min(lagrangian_max(rows, cols)), l1.max(l2))
        }
    }
}

/// Lagrangian upper bound on the most probable completion: for any multipliers
/// `λᵢⱼ = uᵢ + vⱼ`, `max Σ −log xᵢⱼ! ≤ Σuᵢ Rᵢ + Σvⱼ Cⱼ + Σᵢⱼ max_x (−log x! − λᵢⱼ x)`
/// (weak duality). With the product-form multipliers `e^{−λᵢⱼ} = RᵢCⱼ/N` the bound is
/// close to the maximum, whose table is near the expected counts; each cell's inner
/// maximum is at `x = min(⌊RᵢCⱼ/N⌋, Rᵢ, Cⱼ)` or one above.
fn lagrangian_max(rows: &[u32], cols: &[u32]) -> f64 {
    let n: f64 = rows.iter().map(|&r| r as f64).sum();
    let mut bound = 0.0;
    for &r in rows {
        if r == 0 {
            continue;
        }
        let u = -(r as f64).ln();
        bound += u * r as f64;
        for &c in cols {
            if c == 0 {
                continue;
            }
            let lambda = u + (n.ln() - (c as f64).ln());
            let cap = r.min(c);
            let e = (r as f64) * (c as f64) / n;
            let x0 = (e.floor() as u32).min(cap);
            let g = |x: u32| -lnf(x) - lambda * x as f64;
            let mut best = g(x0);
            if x0 < cap {
                best = best.max(g(x0 + 1));
            }
            bound += best;
        }
    }
    for &c in cols {
        if c > 0 {
            bound += (n.ln() - (c as f64).ln()) * c as f64;
        }
    }
    bound
}

/// Exact (max, min) for two columns left: `x` in the first, `Rᵢ − xᵢ` in the second, with
/// `Σ xᵢ = c`. Each row's `fᵢ(x) = −log x! − log(Rᵢ − x)!` is concave, so the maximum is
/// found by marginal allocation and the minimum lies at a vertex of
/// `{Σx = c, 0 ≤ x ≤ R}` (all rows at a bound but one).
fn two_column_bounds(rows: &[u32], c: u32) -> (f64, f64) {
    let f = |r: u32, x: u32| -lnf(x) - lnf(r - x);
    // Maximum: start from the continuous optimum xᵢ ≈ c·Rᵢ/ΣR (rounded down), then give
    // the remaining units one at a time to the row with the largest gain.
    let total: u32 = rows.iter().sum();
    let mut x: Vec<u32> = rows
        .iter()
        .map(|&r| ((c as u64 * r as u64) / total.max(1) as u64) as u32)
        .collect();
    let mut left = c - x.iter().sum::<u32>();
    while left > 0 {
        let mut best = usize::MAX;
        let mut gain = f64::NEG_INFINITY;
        for (i, (&r, &xi)) in rows.iter().zip(&x).enumerate() {
            if xi < r {
                let g = ((r - xi) as f64).ln() - ((xi + 1) as f64).ln();
                if g > gain {
                    gain = g;
                    best = i;
                }
            }
        }
        x[best] += 1;
        left -= 1;
    }
    // Marginal allocation from a start below the optimum is exact for concave rows only
    // if no unit should move back; improve by pairwise exchanges until none helps.
    loop {
        let mut improved = false;
        for i in 0..rows.len() {
            for j in 0..rows.len() {
                if i != j && x[i] > 0 && x[j] < rows[j] {
                    let d = f(rows[i], x[i] - 1) - f(rows[i], x[i]) + f(rows[j], x[j] + 1)
                        - f(rows[j], x[j]);
                    if d > 1e-12 {
                        x[i] -= 1;
                        x[j] += 1;
                        improved = true;
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    let hi: f64 = rows.iter().zip(&x).map(|(&r, &xi)| f(r, xi)).sum();
    // Minimum over vertices: rows in `mask` full, the others empty, row `free` takes
    // the rest.
    let r = rows.len();
    let mut lo = f64::INFINITY;
    if r <= 16 {
        for free in 0..r {
            for mask in 0u32..(1 << (r - 1)) {
                let mut sum = 0u64;
                let mut val = 0.0;
                let mut bit = 0;
                for (i, &ri) in rows.iter().enumerate() {
                    if i == free {
                        continue;
                    }
                    if mask >> bit & 1 == 1 {
                        sum += ri as u64;
                        val += f(ri, ri);
                    } else {
                        val += f(ri, 0);
                    }
                    bit += 1;
                }
                if sum <= c as u64 && c as u64 - sum <= rows[free] as u64 {
                    val += f(rows[free], c - sum as u32);
                    lo = lo.min(val);
                }
            }
        }
    } else {
        lo = f64::NEG_INFINITY; // no pruning from below: still exact, only slower
    }
    (hi, lo)
}

/// Calls `f(x)` for every column fill `x` with `Σx = total`, `0 ≤ xᵢ ≤ rows[i]`, until
/// `f` returns `false` (so that a work limit stops the enumeration, not just its use).
fn for_each_fill(rows: &[u32], total: u32, f: &mut dyn FnMut(&[u32]) -> bool) {
    fn rec(
        rows: &[u32],
        suffix: &[u32],
        i: usize,
        left: u32,
        x: &mut Vec<u32>,
        f: &mut dyn FnMut(&[u32]) -> bool,
    ) -> bool {
        if i == rows.len() - 1 {
            let mut go_on = true;
            if left <= rows[i] {
                x.push(left);
                go_on = f(x);
                x.pop();
            }
            return go_on;
        }
        // Rows after i must be able to take what is left.
        let lo = left.saturating_sub(suffix[i + 1]);
        let hi = left.min(rows[i]);
        for v in lo..=hi {
            x.push(v);
            let go_on = rec(rows, suffix, i + 1, left - v, x, f);
            x.pop();
            if !go_on {
                return false;
            }
        }
        true
    }
    let mut suffix = vec![0u32; rows.len() + 1];
    for i in (0..rows.len()).rev() {
        suffix[i] = suffix[i + 1] + rows[i];
    }
    if rows.is_empty() || total > suffix[0] {
        return;
    }
    let mut x = Vec::with_capacity(rows.len());
    rec(rows, &suffix, 0, total, &mut x, f);
}

/// The child node (remaining row sums, sorted) of a fill, and the fill's `Σ −log xᵢ!`.
fn child(rows: &[u32], x: &[u32]) -> (Vec<u32>, f64) {
    let mut c: Vec<u32> = rows.iter().zip(x).map(|(r, v)| r - v).collect();
    c.sort_unstable_by(|a, b| b.cmp(a));
    let val: f64 = x.iter().map(|&v| -lnf(v)).sum();
    (c, val)
}

fn too_large(max_work: u64) -> Error {
    Error::InvalidOption(format!(
        "the table is too large for Fisher's exact test (more than {max_work} network steps); \
         use the chi-square test"
    ))
}

/// Fisher's exact test of independence in an r×c table of counts (`table[level][group]`).
///
/// Rows or columns whose total is zero are ignored (they do not change any table's
/// probability). A table with fewer than two non-empty rows or columns has p = 1.
///
/// # Errors
///
/// [`Error::NoData`] for an empty table or one whose rows differ in length;
/// [`Error::InvalidOption`] when the work limit is reached (see the module's *Cost*).
pub fn fisher_exact(table: &[Vec<usize>], opts: &FisherOptions) -> Result<FisherTest, Error> {
    let r = table.len();
    let c = table.first().map_or(0, |row| row.len());
    if r == 0 || c == 0 {
        return Err(Error::NoData(
            "Fisher's exact test needs a non-empty table".into(),
        ));
    }
    if let Some(i) = table.iter().position(|row| row.len() != c) {
        return Err(Error::NoData(format!(
            "row {} of the table has {} columns, expected {c}",
            i + 1,
            table[i].len()
        )));
    }
    let total: usize = table.iter().flatten().sum();
    if total > u32::MAX as usize / 2 {
        return Err(too_large(opts.max_work));
    }
    let row_sums: Vec<u32> = table
        .iter()
        .map(|row| row.iter().sum::<usize>() as u32)
        .collect();
    let col_sums: Vec<u32> = (0..c)
        .map(|j| table.iter().map(|row| row[j]).sum::<usize>() as u32)
        .collect();
    let keep_r: Vec<usize> = (0..r).filter(|&i| row_sums[i] > 0).collect();
    let keep_c: Vec<usize> = (0..c).filter(|&j| col_sums[j] > 0).collect();
    // Observed table without empty rows/columns, transposed so the fills run over the
    // shorter dimension.
    let mut obs: Vec<Vec<u32>> = keep_r
        .iter()
        .map(|&i| keep_c.iter().map(|&j| table[i][j] as u32).collect())
        .collect();
    if obs.len() > obs.first().map_or(0, |v| v.len()) {
        let (rr, cc) = (obs.len(), obs[0].len());
        obs = (0..cc)
            .map(|j| (0..rr).map(|i| obs[i][j]).collect())
            .collect();
    }
    let rr = obs.len();
    let cc = obs.first().map_or(0, |v| v.len());
    let rows: Vec<u32> = obs.iter().map(|v| v.iter().sum()).collect();
    let mut cols: Vec<u32> = (0..cc).map(|j| obs.iter().map(|v| v[j]).sum()).collect();
    let n = rows.iter().sum::<u32>();
    let ln_k: f64 = rows.iter().map(|&v| lnf(v)).sum::<f64>()
        + cols.iter().map(|&v| lnf(v)).sum::<f64>()
        - lnf(n);
    let obs_val: f64 = obs.iter().flatten().map(|&v| -lnf(v)).sum();
    let p_obs = (ln_k + obs_val).exp();
    if rr < 2 || cc < 2 {
        return Ok(FisherTest {
            p: 1.0,
            p_observed_table: p_obs,
            work: 0,
        });
    }
    // Smaller columns first: few distinct nodes while the exact two-column bounds
    // decide the large last columns.
    cols.sort_unstable();
    let threshold = obs_val + RELATIVE_TOLERANCE.ln_1p();
    let mut work: u64 = 0;
    // Suffix sums of Σ log Cⱼ! for the closed-form totals.
    let mut ln_cols_suffix = vec![0.0; cc + 1];
    for j in (0..cc).rev() {
        ln_cols_suffix[j] = ln_cols_suffix[j + 1] + lnf(cols[j]);
    }
    let mut sorted_rows = rows.clone();
    sorted_rows.sort_unstable_by(|a, b| b.cmp(a));
    // Layer: node -> pasts (key, past, number of paths), merged when the node is taken up.
    let mut layer: BTreeMap<Vec<u32>, Vec<(i64, f64, f64)>> = BTreeMap::new();
    layer.entry(sorted_rows).or_default().push((0, 0.0, 1.0));
    let mut p = 0.0;
    for k in 0..=cc {
        let mut next: BTreeMap<Vec<u32>, Vec<(i64, f64, f64)>> = BTreeMap::new();
        for (node, mut pasts) in layer {
            // Merge paths with the same past (counts are whole numbers: exact in f64).
            pasts.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pasts.len());
            let mut last_key = None;
            for (key, past, count) in pasts {
                if last_key == Some(key) {
                    if let Some(m) = merged.last_mut() {
                        m.1 += count;
                    }
                } else {
                    merged.push((past, count));
                    last_key = Some(key);
                }
            }
            let (hi, lo) = bounds(&node, &cols[k..]);
            work += 1;
            let rem: u32 = node.iter().sum();
            let ln_total = lnf(rem) - node.iter().map(|&v| lnf(v)).sum::<f64>() - ln_cols_suffix[k];
            let mut open = Vec::new();
            for (past, count) in merged {
                if past + hi <= threshold {
                    p += count * (ln_k + past + ln_total).exp();
                } else if past + lo > threshold {
                    // Every completion is more probable than the observed table.
                } else {
                    open.push((past, count));
                }
            }
            if open.is_empty() || k == cc {
                continue;
            }
            if k + 2 == cc {
                // Two columns left: the completions are the fills of column k (the last
                // column is forced). Sort their values once; each open past then takes
                // the sum of the completions at or below its limit by binary search.
                let mut vals = Vec::new();
                let budget = opts.max_work.saturating_sub(work);
                for_each_fill(&node, cols[k], &mut |x| {
                    vals.push(
                        node.iter()
                            .zip(x)
                            .map(|(&r, &v)| -lnf(v) - lnf(r - v))
                            .sum::<f64>(),
                    );
                    (vals.len() as u64) <= budget
                });
                work += vals.len() as u64 + open.len() as u64;
                if work > opts.max_work {
                    return Err(too_large(opts.max_work));
                }
                vals.sort_unstable_by(f64::total_cmp);
                let vmax = vals.last().copied().unwrap_or(0.0);
                let mut prefix = Vec::with_capacity(vals.len() + 1);
                prefix.push(0.0);
                let mut acc = 0.0;
                for &v in &vals {
                    acc += (v - vmax).exp();
                    prefix.push(acc);
                }
                for &(past, count) in &open {
                    let idx = vals.partition_point(|&v| past + v <= threshold);
                    p += count * (ln_k + past + vmax).exp() * prefix[idx];
                }
                continue;
            }
            let mut fills = Vec::new();
            let budget = opts.max_work.saturating_sub(work);
            let per_fill = open.len() as u64;
            for_each_fill(&node, cols[k], &mut |x| {
                fills.push(child(&node, x));
                (fills.len() as u64).saturating_mul(per_fill) <= budget
            });
            work += (fills.len() as u64).saturating_mul(per_fill);
            if work > opts.max_work {
                return Err(too_large(opts.max_work));
            }
            for (c, v) in fills {
                let entry = next.entry(c).or_default();
                for &(past, count) in &open {
                    let val = past + v;
                    let key = (val * 1e9).round() as i64;
                    entry.push((key, val, count));
                }
            }
        }
        layer = next;
        if layer.is_empty() {
            break;
        }
    }
    Ok(FisherTest {
        p: p.min(1.0),
        p_observed_table: p_obs,
        work,
    })
}
