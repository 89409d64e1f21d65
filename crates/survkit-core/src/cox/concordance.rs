//! Harrell's concordance index with its infinitesimal-jackknife standard error.
//!
//! A pair (i, j) is comparable when i has an event at time tᵢ while j is still at risk
//! (j's interval contains tᵢ, and j is not itself an event at exactly tᵢ). It is
//! concordant when the subject with the event earlier has the higher risk score,
//! discordant when lower, and tied when equal (counting ½):
//!
//! `C = (concordant + tied/2) / (concordant + discordant + tied)`
//!
//! (Harrell et al. 1982; Harrell, Lee & Mark 1996). Pairs are formed within strata only,
//! each weighted by `wᵢ wⱼ`. The standard error is the infinitesimal jackknife
//! `var(C) = Σᵢ (wᵢ ∂C/∂wᵢ)²`, which for C = N/D is `∂C/∂wᵢ = (∂N/∂wᵢ − C ∂D/∂wᵢ)/D`
//! (as R's `concordance()`, Therneau & Watson 2017); with clusters the influences are
//! summed within each cluster before squaring.
//!
//! Cost: one sort and one sweep with two Fenwick trees over the ranks of the score,
//! O(n log n) — no pair is visited individually.

use serde::{Deserialize, Serialize};

/// Harrell's C and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Concordance {
    /// The concordance index (0.5 = no discrimination).
    pub estimate: f64,
    /// Infinitesimal-jackknife standard error.
    pub se: f64,
    /// Weighted number of concordant pairs.
    pub concordant: f64,
    /// Weighted number of discordant pairs.
    pub discordant: f64,
    /// Weighted number of comparable pairs tied on the risk score.
    pub tied_risk: f64,
}

/// Binary indexed tree of sums over ranks.
struct Fenwick {
    t: Vec<f64>,
    /// Plain per-rank sums, for the "equal" part without a second tree walk.
    point: Vec<f64>,
    total: f64,
}

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick {
            t: vec![0.0; n + 1],
            point: vec![0.0; n],
            total: 0.0,
        }
    }
    fn add(&mut self, rank: usize, v: f64) {
        self.total += v;
        self.point[rank] += v;
        let mut i = rank + 1;
        while i < self.t.len() {
            self.t[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    /// Empties the tree (O(m)).
    fn clear(&mut self) {
        self.t.iter_mut().for_each(|v| *v = 0.0);
        self.point.iter_mut().for_each(|v| *v = 0.0);
        self.total = 0.0;
    }
    /// Sum over ranks `< rank`.
    fn below(&self, rank: usize) -> f64 {
        let mut s = 0.0;
        let mut i = rank;
        while i > 0 {
            s += self.t[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
    /// (sum below, sum equal, sum above) for `rank`.
    fn split(&self, rank: usize) -> [f64; 3] {
        let lo = self.below(rank);
        let eq = self.point[rank];
        [lo, eq, self.total - lo - eq]
    }
}

/// Harrell's C of a risk score `score` (higher = earlier event expected), for rows in
/// sweep order: stratum ascending, then stop time descending (as `cox::fit` stores them,
/// so no second sort of a million rows is needed).
///
/// Inputs are assumed validated by the caller (equal lengths, finite values, start <
/// stop); `strata` and `weights` default to one stratum and unit weights.
pub(crate) fn harrell_sorted(
    start: Option<&[f64]>,
    stop: &[f64],
    status: &[bool],
    score: &[f64],
    strata: Option<&[usize]>,
    weights: Option<&[f64]>,
    cluster: Option<&[usize]>,
) -> Concordance {
    let n = stop.len();
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let st = |i: usize| strata.map_or(0, |s| s[i]);
    // Ranks of the score (exact ties share a rank).
    // (score, row) records sorted contiguously: indirect comparisons miss the cache.
    let mut by_score: Vec<(f64, usize)> = score.iter().copied().zip(0..n).collect();
    by_score.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank = vec![0usize; n];
    let mut r = 0;
    for k in 0..n {
        if k > 0 && by_score[k].0 != by_score[k - 1].0 {
            r += 1;
        }
        rank[by_score[k].1] = r;
    }
    drop(by_score);
    let m = r + 1;
    // Rows come in sweep order: the stop-time order is the identity.
    let by_stop: Vec<usize> = (0..n).collect();
    let mut by_start: Vec<usize> = Vec::new();
    if let Some(s0) = start {
        let stratum: Vec<usize> = (0..n).map(st).collect();
        by_start = super::sweep_order(&stratum, s0);
    }
    // Per subject: weighted (concordant, discordant, tied) over pairs it belongs to.
    let mut own = vec![[0.0f64; 3]; n];
    let mut snap = vec![[0.0f64; 3]; n];
    let (mut conc, mut disc, mut tied) = (0.0, 0.0, 0.0);
    let mut risk = Fenwick::new(m);
    let mut deaths = Fenwick::new(m);
    let mut touched: Vec<usize> = Vec::new();
    let mut k = 0;
    let mut sp = 0;
    while k < n {
        let s = st(by_stop[k]);
        let mut send = k;
        while send < n && st(by_stop[send]) == s {
            send += 1;
        }
        // As the later member of a pair, subject j collects the events i with score above
        // (concordant), below (discordant), equal (tied) between joining and leaving.
        let leave = |j: usize, q: [f64; 3], own: &mut [[f64; 3]], snap: &[[f64; 3]]| {
            own[j][0] += q[2] - snap[j][2];
            own[j][1] += q[0] - snap[j][0];
            own[j][2] += q[1] - snap[j][1];
        };
        while k < send {
            let t = stop[by_stop[k]];
            let mut kend = k;
            while kend < send && stop[by_stop[kend]] == t {
                kend += 1;
            }
            if let Some(s0) = start {
                while sp < send && s0[by_start[sp]] >= t {
                    let j = by_start[sp];
                    leave(j, deaths.split(rank[j]), &mut own, &snap);
                    risk.add(rank[j], -w(j));
                    sp += 1;
                }
            }
            for &j in &by_stop[k..kend] {
                if !status[j] {
                    snap[j] = deaths.split(rank[j]);
                    risk.add(rank[j], w(j));
                    touched.push(j);
                }
            }
            for &i in &by_stop[k..kend] {
                if status[i] {
                    let q = risk.split(rank[i]);
                    let wi = w(i);
                    own[i][0] += q[0];
                    own[i][1] += q[2];
                    own[i][2] += q[1];
                    conc += wi * q[0];
                    disc += wi * q[2];
                    tied += wi * q[1];
                }
            }
            for &i in &by_stop[k..kend] {
                if status[i] {
                    deaths.add(rank[i], w(i));
                }
            }
            for &i in &by_stop[k..kend] {
                if status[i] {
                    snap[i] = deaths.split(rank[i]);
                    risk.add(rank[i], w(i));
                    touched.push(i);
                }
            }
            k = kend;
        }
        // End of stratum: everyone still at risk leaves, and the trees are emptied for
        // the next stratum. The deaths tree no longer changes here, so when many
        // subjects remain (always, without strata), one O(m) pass of prefix sums answers
        // their queries and zeroing the arrays empties the trees: with a million ranks,
        // a tree walk per subject misses the cache at nearly every level. With few
        // subjects (many small strata, matched sets), walk and remove entry by entry,
        // so that the total stays O(n log n).
        let leaving: &[usize] = if start.is_some() {
            &by_start[sp..send]
        } else {
            &touched
        };
        let log2m = (usize::BITS - m.leading_zeros()) as usize;
        if leaving.len().saturating_mul(log2m) >= m {
            let mut below = Vec::with_capacity(m);
            let mut acc = 0.0;
            for &v in &deaths.point {
                below.push(acc);
                acc += v;
            }
            for &j in leaving {
                let (lo, eq) = (below[rank[j]], deaths.point[rank[j]]);
                leave(j, [lo, eq, deaths.total - lo - eq], &mut own, &snap);
            }
            risk.clear();
            deaths.clear();
        } else {
            for &j in leaving {
                leave(j, deaths.split(rank[j]), &mut own, &snap);
                risk.add(rank[j], -w(j));
            }
            for &j in &touched {
                if status[j] {
                    deaths.add(rank[j], -w(j));
                }
            }
        }
        sp = send;
        touched.clear();
    }
    let denom = conc + disc + tied;
    if denom <= 0.0 {
        return Concordance {
            estimate: f64::NAN,
            se: f64::NAN,
            concordant: conc,
            discordant: disc,
            tied_risk: tied,
        };
    }
    let c = (conc + tied / 2.0) / denom;
    let infl = |i: usize| {
        let o = own[i];
        w(i) * ((o[0] + o[2] / 2.0) - c * (o[0] + o[1] + o[2])) / denom
    };
    let var: f64 = match cluster {
        None => (0..n).map(|i| infl(i).powi(2)).sum(),
        Some(cl) => {
            // Influences add up within a cluster before squaring.
            let mut ids: Vec<usize> = cl.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let mut sums = vec![0.0; ids.len()];
            for i in 0..n {
                if let Ok(g) = ids.binary_search(&cl[i]) {
                    sums[g] += infl(i);
                }
            }
            sums.iter().map(|v| v * v).sum()
        }
    };
    Concordance {
        estimate: c,
        se: var.sqrt(),
        concordant: conc,
        discordant: disc,
        tied_risk: tied,
    }
}
