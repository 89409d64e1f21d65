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
//! Cost: per stratum, one sort by score and one sweep in ascending score with Fenwick
//! trees over the stratum's distinct stop times (a few thousand for times in whole days,
//! so the trees stay in cache), O(n log n) — no pair is visited individually.
//!
//! Method. In a stratum with distinct stop times `τ₀ < … < τ_{T−1}`, give each subject
//! `u` (the index of its stop time), `e = u + 1` if censored and `e = u` if an event, and
//! `c` (the number of stop times ≤ its start; 0 without start times). Subject j is
//! comparable with an event i (as the member still at risk) exactly when
//! `c_j ≤ u_i < e_j`. Walking the subjects in ascending score, the trees hold the
//! weights of the subjects already passed (lower score) keyed by `e`, by `c` and, for
//! events, by `u`, so that an event's at-risk partners below it and a subject's event
//! partners below it are each a prefix sum or a difference of two; subjects with equal
//! scores are passed together (their mutual pairs, the tied ones, are counted in a
//! scratch tree), and the partners above follow from the totals at each time.

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

/// Binary indexed tree of sums over a small index range (a stratum's distinct times).
struct Fenwick {
    t: Vec<f64>,
}

impl Fenwick {
    fn new() -> Self {
        Fenwick { t: Vec::new() }
    }
    /// Empties the tree and sizes it for indices `0..m`.
    fn reset(&mut self, m: usize) {
        self.t.clear();
        self.t.resize(m + 1, 0.0);
    }
    fn add(&mut self, idx: usize, v: f64) {
        let mut i = idx + 1;
        while i < self.t.len() {
            self.t[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    /// Zeroes every node an `add` at `idx` touches: after zeroing at all indices added
    /// to, the tree is exactly empty (no rounding residue, unlike adding `−v`).
    fn zero(&mut self, idx: usize) {
        let mut i = idx + 1;
        while i < self.t.len() {
            self.t[i] = 0.0;
            i += i & i.wrapping_neg();
        }
    }
    /// Zeroes the whole tree.
    fn clear(&mut self) {
        self.t.iter_mut().for_each(|v| *v = 0.0);
    }
    /// Sum over indices `< idx`.
    fn below(&self, idx: usize) -> f64 {
        let mut s = 0.0;
        let mut i = idx;
        while i > 0 {
            s += self.t[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
}

/// One subject in score order: its score, its row, and `u << 1 | event` (`u`: index of
/// its stop time in the stratum). Sixteen bytes, so that the sort moves little memory.
#[derive(Clone, Copy)]
struct Rec {
    score: f64,
    row: u32,
    tag: u32,
}

/// The trees of one sweep: weights keyed by `T − e` (at-risk partners of an event are a
/// prefix), by `T − c` (start times, the same way) and, for events, by `u`.
struct Trees {
    ends: Fenwick,
    starts: Fenwick,
    events: Fenwick,
}

impl Trees {
    fn new() -> Self {
        Trees {
            ends: Fenwick::new(),
            starts: Fenwick::new(),
            events: Fenwick::new(),
        }
    }
    fn reset(&mut self, t: usize, with_start: bool) {
        self.ends.reset(t + 1);
        self.starts.reset(if with_start { t + 1 } else { 0 });
        self.events.reset(t);
    }
    /// Adds subject (u, e, c, event, w).
    fn add(&mut self, t: usize, s: &Subject, with_start: bool) {
        self.ends.add(t - s.e, s.w);
        if with_start {
            self.starts.add(t - s.c, s.w);
        }
        if s.event {
            self.events.add(s.u, s.w);
        }
    }
    /// Removes subject `s` by zeroing the nodes it touched (see [`Fenwick::zero`]).
    fn zero(&mut self, t: usize, s: &Subject, with_start: bool) {
        self.ends.zero(t - s.e);
        if with_start {
            self.starts.zero(t - s.c);
        }
        if s.event {
            self.events.zero(s.u);
        }
    }
    fn clear(&mut self) {
        self.ends.clear();
        self.starts.clear();
        self.events.clear();
    }
    /// (At-risk weight comparable with `s` as an event — 0 unless it is one —, event
    /// weight comparable with `s` as the member at risk), over the subjects in the trees.
    fn query(&self, t: usize, s: &Subject, with_start: bool) -> (f64, f64) {
        let a = if s.event {
            let q = self.ends.below(t - s.u);
            if with_start {
                q - self.starts.below(t - s.u)
            } else {
                q
            }
        } else {
            0.0
        };
        let b = if s.c > 0 {
            self.events.below(s.e) - self.events.below(s.c)
        } else {
            self.events.below(s.e)
        };
        (a, b)
    }
}

/// A subject's sweep keys (see the module documentation).
struct Subject {
    u: usize,
    e: usize,
    c: usize,
    event: bool,
    w: f64,
}

/// Harrell's C of a risk score `score` (higher = earlier event expected), for rows in
/// sweep order: stratum ascending, then stop time descending (as `cox::fit` stores them,
/// so that each stratum's distinct times come without a sort).
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
    // Rows and time indices are kept in 32 bits (half the memory the sort moves); more
    // rows than that would not fit the fit's own arrays anyway (and cannot occur in
    // wasm32). Not computed (NaN) rather than a panic.
    if n >= (1 << 31) {
        return Concordance {
            estimate: f64::NAN,
            se: f64::NAN,
            concordant: f64::NAN,
            discordant: f64::NAN,
            tied_risk: f64::NAN,
        };
    }
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let with_start = start.is_some();
    // Strata are contiguous in sweep order.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut b = 0;
    for k in 1..=n {
        if k == n || strata.is_some_and(|s| s[k] != s[b]) {
            ranges.push((b, k));
            b = k;
        }
    }
    // Per subject, in score order within each stratum: weighted (concordant, discordant,
    // tied) over the pairs it belongs to.
    let mut own = vec![[0.0f64; 3]; n];
    let mut recs: Vec<Rec> = Vec::with_capacity(n);
    let mut cidx: Vec<u32> = vec![0; if with_start { n } else { 0 }];
    let (mut conc, mut disc, mut tied) = (0.0, 0.0, 0.0);
    let mut times: Vec<f64> = Vec::new();
    let mut trees = Trees::new();
    let mut eq = Trees::new();
    // Totals per time index: at-risk weight of an event at u, events with index < x.
    let mut at_risk: Vec<f64> = Vec::new();
    let mut ev_below: Vec<f64> = Vec::new();
    // Group members' (at-risk below, events below) while their ties are counted.
    let mut lows: Vec<(f64, f64)> = Vec::new();
    for &(b, e) in &ranges {
        // Distinct stop times ascending (rows come descending).
        times.clear();
        for k in (b..e).rev() {
            if times.last() != Some(&stop[k]) {
                times.push(stop[k]);
            }
            let u = (times.len() - 1) as u32;
            recs.push(Rec {
                score: score[k],
                row: k as u32,
                tag: (u << 1) | status[k] as u32,
            });
        }
        let t = times.len();
        if let Some(s0) = start {
            for k in b..e {
                cidx[k] = times.partition_point(|&v| v <= s0[k]) as u32;
            }
        }
        let subject = |r: &Rec| {
            let row = r.row as usize;
            let u = (r.tag >> 1) as usize;
            let event = r.tag & 1 == 1;
            Subject {
                u,
                e: u + usize::from(!event),
                c: if with_start { cidx[row] as usize } else { 0 },
                event,
                w: w(row),
            }
        };
        // Totals: at_risk[u] = Σ_{e > u} w − Σ_{c > u} w; ev_below[x] = Σ_{events, u < x} w.
        at_risk.clear();
        at_risk.resize(t + 1, 0.0);
        ev_below.clear();
        ev_below.resize(t + 1, 0.0);
        let mut by_c = vec![0.0; if with_start { t + 1 } else { 0 }];
        for r in &recs[b..e] {
            let s = subject(r);
            at_risk[s.e] += s.w;
            if with_start {
                by_c[s.c] += s.w;
            }
            if s.event {
                ev_below[s.u + 1] += s.w;
            }
        }
        let (mut se, mut sc) = (0.0, 0.0);
        for x in (0..=t).rev() {
            let (we, wc) = (at_risk[x], by_c.get(x).copied().unwrap_or(0.0));
            at_risk[x] = se - sc;
            se += we;
            sc += wc;
        }
        for x in 1..=t {
            ev_below[x] += ev_below[x - 1];
        }
        let rs = &mut recs[b..e];
        rs.sort_unstable_by(|a, b| a.score.total_cmp(&b.score));
        trees.reset(t, with_start);
        eq.reset(t, with_start);
        let own = &mut own[b..e];
        // Combines a subject's partners below, equal and (by the totals) above.
        let mut finish = |k: usize, s: &Subject, lo: (f64, f64), eqv: (f64, f64)| {
            let b_tot = ev_below[s.e] - ev_below[s.c];
            let o = &mut own[k];
            o[0] += b_tot - lo.1 - eqv.1;
            o[1] += lo.1;
            o[2] += eqv.1;
            if s.event {
                let above = at_risk[s.u] - lo.0 - eqv.0;
                o[0] += lo.0;
                o[1] += above;
                o[2] += eqv.0;
                conc += s.w * lo.0;
                disc += s.w * above;
                tied += s.w * eqv.0;
            }
        };
        let mut g0 = 0;
        while g0 < rs.len() {
            let v = rs[g0].score;
            let mut g1 = g0 + 1;
            while g1 < rs.len() && rs[g1].score == v {
                g1 += 1;
            }
            if g1 == g0 + 1 {
                // No tie on the score: no pair within the group.
                let s = subject(&rs[g0]);
                let lo = trees.query(t, &s, with_start);
                finish(g0, &s, lo, (0.0, 0.0));
                trees.add(t, &s, with_start);
            } else {
                lows.clear();
                for r in &rs[g0..g1] {
                    let s = subject(r);
                    lows.push(trees.query(t, &s, with_start));
                    eq.add(t, &s, with_start);
                }
                for (k, r) in rs[g0..g1].iter().enumerate() {
                    let s = subject(r);
                    let eqv = eq.query(t, &s, with_start);
                    finish(g0 + k, &s, lows[k], eqv);
                    trees.add(t, &s, with_start);
                }
                if g1 - g0 >= t {
                    eq.clear();
                } else {
                    for r in &rs[g0..g1] {
                        eq.zero(t, &subject(r), with_start);
                    }
                }
            }
            g0 = g1;
        }
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
    // Influence of the subject at position k of `recs` (score order within strata).
    let infl = |k: usize| {
        let o = own[k];
        w(recs[k].row as usize) * ((o[0] + o[2] / 2.0) - c * (o[0] + o[1] + o[2])) / denom
    };
    let var: f64 = match cluster {
        None => (0..n).map(|k| infl(k).powi(2)).sum(),
        Some(cl) => {
            // Influences add up within a cluster before squaring.
            let mut ids: Vec<usize> = cl.to_vec();
            ids.sort_unstable();
            ids.dedup();
            let mut sums = vec![0.0; ids.len()];
            for k in 0..n {
                if let Ok(g) = ids.binary_search(&cl[recs[k].row as usize]) {
                    sums[g] += infl(k);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Pair-by-pair Harrell's C and its infinitesimal-jackknife SE, straight from the
    /// definitions (O(n²)).
    fn brute(
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
        let mut own = vec![[0.0f64; 3]; n];
        let (mut conc, mut disc, mut tied) = (0.0, 0.0, 0.0);
        for i in (0..n).filter(|&i| status[i]) {
            for j in 0..n {
                let same = strata.is_none_or(|s| s[i] == s[j]);
                let at_risk = start.is_none_or(|s| s[j] < stop[i])
                    && (stop[j] > stop[i] || (stop[j] == stop[i] && !status[j]));
                if j == i || !same || !at_risk {
                    continue;
                }
                let kind = if score[i] > score[j] {
                    0
                } else if score[i] < score[j] {
                    1
                } else {
                    2
                };
                own[i][kind] += w(j);
                own[j][kind] += w(i);
                let ww = w(i) * w(j);
                [&mut conc, &mut disc, &mut tied][kind].add_assign(ww);
            }
        }
        let denom = conc + disc + tied;
        let c = (conc + tied / 2.0) / denom;
        let infl = |i: usize| {
            let o = own[i];
            w(i) * ((o[0] + o[2] / 2.0) - c * (o[0] + o[1] + o[2])) / denom
        };
        let ng = cluster.map_or(n, |cl| cl.iter().max().map_or(0, |m| m + 1));
        let mut sums = vec![0.0; ng];
        for i in 0..n {
            sums[cluster.map_or(i, |cl| cl[i])] += infl(i);
        }
        Concordance {
            estimate: c,
            se: sums.iter().map(|v| v * v).sum::<f64>().sqrt(),
            concordant: conc,
            discordant: disc,
            tied_risk: tied,
        }
    }

    use std::ops::AddAssign;

    /// Small linear congruential generator (Knuth's MMIX constants).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, m: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % m
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-10 * a.abs().max(b.abs()).max(1e-300) || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn matches_pairwise_definition() {
        let mut g = Lcg(7);
        for case in 0..400 {
            let n = 1 + g.next(60) as usize;
            let ntimes = 1 + g.next(12);
            let nscores = 1 + g.next(if case % 2 == 0 { 4 } else { 1000 });
            let use_start = case % 3 == 0;
            let use_strata = case % 4 == 1;
            let use_w = case % 5 < 2;
            let use_cl = case % 7 < 3;
            // (stratum, stop, start, status, score, weight, cluster)
            type Row = (usize, f64, f64, bool, f64, f64, usize);
            let mut rows: Vec<Row> = (0..n)
                .map(|_| {
                    let stop = 1.0 + g.next(ntimes) as f64;
                    let start = if use_start {
                        stop - 1.0 - g.next(4) as f64 * 0.5 + 0.25 * g.next(2) as f64
                    } else {
                        0.0
                    };
                    (
                        if use_strata { g.next(3) as usize } else { 0 },
                        stop,
                        start.min(stop - 0.25),
                        g.next(3) > 0,
                        g.next(nscores) as f64 * 0.37 - 1.0,
                        if use_w { g.next(5) as f64 * 0.5 } else { 1.0 },
                        g.next(8) as usize,
                    )
                })
                .collect();
            // Sweep order: stratum ascending, stop descending.
            rows.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
            let stop: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let start: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let status: Vec<bool> = rows.iter().map(|r| r.3).collect();
            let score: Vec<f64> = rows.iter().map(|r| r.4).collect();
            let wts: Vec<f64> = rows.iter().map(|r| r.5).collect();
            let strata: Vec<usize> = rows.iter().map(|r| r.0).collect();
            let cl: Vec<usize> = rows.iter().map(|r| r.6).collect();
            let args = (
                use_start.then_some(&start[..]),
                use_strata.then_some(&strata[..]),
                use_w.then_some(&wts[..]),
                use_cl.then_some(&cl[..]),
            );
            let got = harrell_sorted(args.0, &stop, &status, &score, args.1, args.2, args.3);
            let want = brute(args.0, &stop, &status, &score, args.1, args.2, args.3);
            for (a, b, what) in [
                (got.estimate, want.estimate, "C"),
                (got.se, want.se, "se"),
                (got.concordant, want.concordant, "conc"),
                (got.discordant, want.discordant, "disc"),
                (got.tied_risk, want.tied_risk, "tied"),
            ] {
                assert!(
                    close(a, b) || (a - b).abs() < 1e-12,
                    "case {case} {what}: {a} vs {b}"
                );
            }
            // Pairs tied on the score are counted exactly: none means exactly zero.
            assert!(want.tied_risk != 0.0 || got.tied_risk == 0.0, "case {case}");
        }
    }
}
