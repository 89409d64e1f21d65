//! The risk-set sweep: log partial likelihood, score vector and information matrix in one
//! pass over time-sorted data, with Efron's or Breslow's handling of tied event times.
//!
//! Rows are sorted once per fit (by stratum, then stop time descending). Walking back in
//! time, a subject joins the running sums `S0 = Σ w r`, `S1 = Σ w r x`, `S2 = Σ w r x xᵀ`
//! at its stop time and leaves them when the sweep passes its start time, so that
//! counting-process `(start, stop]` data cost O(n log n + n p²) per evaluation, like
//! right-censored data (Therneau & Grambsch 2000, §3.2–3.3).

use super::Ties;

/// Data sorted for the sweep; covariates centred (column means), row-major, kept columns only.
/// Rows are stored in sweep order; `orig[k]` is the input row of stored row `k`.
pub(crate) struct Sorted {
    pub n: usize,
    pub p: usize,
    /// Row-major centred covariates, `x[i * p + j]`.
    pub x: Vec<f64>,
    pub start: Option<Vec<f64>>,
    pub stop: Vec<f64>,
    pub status: Vec<bool>,
    pub weight: Vec<f64>,
    pub stratum: Vec<usize>,
    /// Row indices by (stratum ascending, stop descending).
    pub by_stop: Vec<usize>,
    /// Row indices by (stratum ascending, start descending); empty without start times.
    pub by_start: Vec<usize>,
    /// `[begin, end)` ranges of `by_stop` (and `by_start`) for each stratum present.
    pub strata_ranges: Vec<(usize, usize)>,
    /// Input row of each stored row.
    pub orig: Vec<usize>,
}

/// Quantities of one evaluation of the partial likelihood.
pub(crate) struct Eval {
    pub loglik: f64,
    pub u: Vec<f64>,
    /// Information matrix, row-major p×p (full, symmetric).
    pub imat: Vec<f64>,
    /// Risk scores `exp(η)` per stored row (η shifted as in [`Sorted::shifted_eta`]).
    pub r: Vec<f64>,
}

/// Per distinct event time: hazard increments and covariate means needed for residuals.
///
/// For Efron's approximation with `d` tied events the time is split into `d` sub-steps
/// `k = 0..d-1` with denominators `S0 − (k/d) D0` (D0: risk of the tied events).
#[derive(Clone, Debug)]
pub(crate) struct EventTime {
    pub stratum: usize,
    pub time: f64,
    /// `Σ_k dΛ_k` (hazard increment of a subject at risk but not dying at this time).
    pub haz: f64,
    /// `Σ_k x̄_k dΛ_k`.
    pub xhaz: Vec<f64>,
    /// `Σ_k (k/d) dΛ_k`: the part of `haz` the tied events themselves do not carry.
    pub haz_corr: f64,
    /// `Σ_k (k/d) x̄_k dΛ_k`.
    pub xhaz_corr: Vec<f64>,
    /// `(1/d) Σ_k x̄_k`: the mean the event's Schoenfeld residual is taken about.
    pub xbar: Vec<f64>,
    /// Variance matrix of x in the risk set (averaged over Efron sub-steps), row-major.
    pub vbar: Vec<f64>,
    /// Number of events at this time.
    #[allow(dead_code)]
    pub d: usize,
    /// Summed case weight of the events at this time.
    #[allow(dead_code)]
    pub wd: f64,
}

impl Sorted {
    /// Linear predictor `xβ` (centred x) with the per-stratum maximum subtracted, which
    /// leaves the partial likelihood unchanged and keeps `exp` from overflowing.
    pub fn shifted_eta(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut eta = vec![0.0; self.n];
        // Rows are stored in sweep order: each stratum is a contiguous range.
        for &(b, e) in &self.strata_ranges {
            let mut m = f64::NEG_INFINITY;
            for (k, v) in eta[b..e].iter_mut().enumerate() {
                let xi = &self.x[(b + k) * p..(b + k + 1) * p];
                *v = xi.iter().zip(beta).map(|(a, b)| a * b).sum();
                m = m.max(*v);
            }
            if m.is_finite() {
                for v in &mut eta[b..e] {
                    *v -= m;
                }
            }
        }
        eta
    }

    /// One sweep: log partial likelihood, score and information at `beta`.
    /// When `record` is given, the per-event-time quantities for residuals are stored.
    ///
    /// This is the hot loop of a Cox fit (one call per Newton step), written for speed:
    ///
    /// - Each row touches the running sums once: a row censored at `t` joins
    ///   `S = (S0, S1, S2)` directly, an event row joins the tie group's `D`, and `D` is
    ///   added to `S` once per distinct time. With `R` the sums before `D` is added (the
    ///   risk set without this time's events), Efron's sub-step `k` (`f = k/d`, `g = 1 − f`)
    ///   has denominator `R0 + g D0`, numerator `R1 + g D1` and second moment
    ///   `R2 + g D2`, so its contributions to the score and the information are linear in
    ///   a handful of scalars summed over the `d` sub-steps:
    ///   `U −= w̄ (Σ 1/den) R1 + w̄ (Σ g/den) D1`,
    ///   `I += w̄ (Σ 1/den) R2 + w̄ (Σ g/den) D2 − w̄ Σ (R1 + g D1)(R1 + g D1)ᵀ/den²`,
    ///   the last expanded in `Σ 1/den²`, `Σ g/den²`, `Σ g²/den²`. A distinct time then
    ///   costs O(d + p²) rather than O(d p²). Every term is bounded by `max|x|²` (R and
    ///   D are sums of positive weights times x), so the expansion loses no precision.
    /// - `S2` and `D2` are packed lower triangles in flat vectors reused for the whole
    ///   sweep, updated through slices (no per-element bounds checks in the inner loop).
    ///
    /// [`Sorted::eval_full`] is the plain per-sub-step form, kept for Firth's correction
    /// (which also needs third moments).
    pub fn eval(&self, beta: &[f64], ties: Ties, record: Option<&mut Vec<EventTime>>) -> Eval {
        let p = self.p;
        let tri = p * (p + 1) / 2;
        let eta = self.shifted_eta(beta);
        let r: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
        let mut record = record;
        let mut loglik = 0.0;
        let mut u = vec![0.0; p];
        let mut itri = vec![0.0; tri];
        let (mut s1, mut s2) = (vec![0.0; p], vec![0.0; tri]);
        let (mut d1, mut d2) = (vec![0.0; p], vec![0.0; tri]);
        // `acc(s1, s2, w, x)`: s1 += w x, s2 += w x xᵀ (packed lower triangle).
        let acc = |s1: &mut [f64], s2: &mut [f64], wr: f64, xi: &[f64]| {
            let mut off = 0;
            for (aa, s1a) in s1.iter_mut().enumerate() {
                let v = wr * xi[aa];
                *s1a += v;
                for (t, &xb) in s2[off..off + aa + 1].iter_mut().zip(&xi[..=aa]) {
                    *t += v * xb;
                }
                off += aa + 1;
            }
        };
        for &(sb, se) in &self.strata_ranges {
            let mut s0 = 0.0;
            s1.iter_mut().for_each(|v| *v = 0.0);
            s2.iter_mut().for_each(|v| *v = 0.0);
            let mut at_risk: usize = 0;
            let mut sp = sb;
            let mut k = sb;
            while k < se {
                // Rows are stored in sweep order (`by_stop` is the identity).
                let t = self.stop[k];
                let mut kend = k;
                while kend < se && self.stop[kend] == t {
                    kend += 1;
                }
                // Leave: subjects whose start is at or after t are not at risk at t.
                if let Some(start) = &self.start {
                    while sp < se && start[self.by_start[sp]] >= t {
                        let i = self.by_start[sp];
                        acc(
                            &mut s1,
                            &mut s2,
                            -self.weight[i] * r[i],
                            &self.x[i * p..(i + 1) * p],
                        );
                        s0 -= self.weight[i] * r[i];
                        at_risk -= 1;
                        sp += 1;
                    }
                    if at_risk == 0 {
                        // Nobody left: clear rounding residue before new subjects join.
                        s0 = 0.0;
                        s1.iter_mut().for_each(|v| *v = 0.0);
                        s2.iter_mut().for_each(|v| *v = 0.0);
                    }
                }
                // Join: censored rows into S, events into the tie group's D.
                let mut d0 = 0.0;
                let mut nd = 0usize;
                let mut wd = 0.0;
                for i in k..kend {
                    let w = self.weight[i];
                    let wr = w * r[i];
                    let xi = &self.x[i * p..(i + 1) * p];
                    at_risk += 1;
                    if self.status[i] {
                        if nd == 0 {
                            d1.iter_mut().for_each(|v| *v = 0.0);
                            d2.iter_mut().for_each(|v| *v = 0.0);
                        }
                        nd += 1;
                        wd += w;
                        d0 += wr;
                        loglik += w * eta[i];
                        for (ua, &xa) in u.iter_mut().zip(xi) {
                            *ua += w * xa;
                        }
                        acc(&mut d1, &mut d2, wr, xi);
                    } else {
                        s0 += wr;
                        acc(&mut s1, &mut s2, wr, xi);
                    }
                }
                if nd > 0 {
                    // S now holds R (at risk, without this time's events).
                    let (steps, wbar) = match ties {
                        Ties::Breslow => (1, wd),
                        Ties::Efron => (nd, wd / nd as f64),
                    };
                    // Unweighted sums over the sub-steps (w̄ is common to all of them).
                    let mut h = [0.0f64; 2]; // Σ 1/den, Σ g/den
                    let mut qd = [0.0f64; 3]; // Σ 1/den², Σ g/den², Σ g²/den²
                    let mut hf = 0.0; // Σ f/den
                    let mut qf = [0.0f64; 2]; // Σ f/den², Σ f g/den²
                                              // Σ log den as the log of running products (one `ln` per several
                                              // sub-steps rather than per sub-step: with hundreds of tied events per
                                              // day, `ln` was a fifth of the sweep). Factors outside [1e-100, 1e100)
                                              // are taken one by one, so the product stays within [1e-300, 1e300].
                    let mut logs = 0.0;
                    let mut prod = 1.0;
                    for step in 0..steps {
                        let f = step as f64 / nd as f64;
                        let g = 1.0 - f;
                        let den = s0 + g * d0;
                        if (1e-100..1e100).contains(&den) {
                            prod *= den;
                            if !(1e-200..1e200).contains(&prod) {
                                logs += prod.ln();
                                prod = 1.0;
                            }
                        } else {
                            logs += den.ln();
                        }
                        let inv = 1.0 / den;
                        let inv2 = inv * inv;
                        h[0] += inv;
                        h[1] += g * inv;
                        qd[0] += inv2;
                        qd[1] += g * inv2;
                        qd[2] += g * g * inv2;
                        hf += f * inv;
                        qf[0] += f * inv2;
                        qf[1] += f * g * inv2;
                    }
                    loglik -= wbar * (logs + prod.ln());
                    for aa in 0..p {
                        u[aa] -= wbar * (h[0] * s1[aa] + h[1] * d1[aa]);
                    }
                    let mut off = 0;
                    for aa in 0..p {
                        for bb in 0..=aa {
                            let ix = off + bb;
                            let m2 = h[0] * s2[ix] + h[1] * d2[ix];
                            let m11 = qd[0] * s1[aa] * s1[bb]
                                + qd[1] * (s1[aa] * d1[bb] + d1[aa] * s1[bb])
                                + qd[2] * d1[aa] * d1[bb];
                            itri[ix] += wbar * (m2 - m11);
                        }
                        off += aa + 1;
                    }
                    if let Some(recs) = record.as_deref_mut() {
                        let ns = steps as f64;
                        let mut vbar = vec![0.0; p * p];
                        let mut off = 0;
                        for aa in 0..p {
                            for bb in 0..=aa {
                                let ix = off + bb;
                                let m2 = h[0] * s2[ix] + h[1] * d2[ix];
                                let m11 = qd[0] * s1[aa] * s1[bb]
                                    + qd[1] * (s1[aa] * d1[bb] + d1[aa] * s1[bb])
                                    + qd[2] * d1[aa] * d1[bb];
                                vbar[aa * p + bb] = (m2 - m11) / ns;
                                vbar[bb * p + aa] = vbar[aa * p + bb];
                            }
                            off += aa + 1;
                        }
                        let comb = |c: f64, e: f64| -> Vec<f64> {
                            (0..p).map(|aa| c * s1[aa] + e * d1[aa]).collect()
                        };
                        recs.push(EventTime {
                            stratum: self.stratum[k],
                            time: t,
                            haz: wbar * h[0],
                            xhaz: comb(wbar * qd[0], wbar * qd[1]),
                            haz_corr: wbar * hf,
                            xhaz_corr: comb(wbar * qf[0], wbar * qf[1]),
                            xbar: comb(h[0] / ns, h[1] / ns),
                            vbar,
                            d: nd,
                            wd,
                        });
                    }
                    // The events join the risk set of earlier times.
                    s0 += d0;
                    for (a, b) in s1.iter_mut().zip(&d1) {
                        *a += b;
                    }
                    for (a, b) in s2.iter_mut().zip(&d2) {
                        *a += b;
                    }
                }
                k = kend;
            }
        }
        let mut imat = vec![0.0; p * p];
        let mut off = 0;
        for aa in 0..p {
            for bb in 0..=aa {
                imat[aa * p + bb] = itri[off + bb];
                imat[bb * p + aa] = itri[off + bb];
            }
            off += aa + 1;
        }
        Eval { loglik, u, imat, r }
    }

    /// As [`Sorted::eval`]; with `third`, also the derivatives of the information matrix,
    /// `dimat[r * p * p + a * p + b] = ∂I_ab/∂β_r`, from third-moment risk-set sums
    /// (needed by Firth's correction).
    pub fn eval_full(
        &self,
        beta: &[f64],
        ties: Ties,
        mut record: Option<&mut Vec<EventTime>>,
        third: bool,
    ) -> (Eval, Option<Vec<f64>>) {
        let p = self.p;
        let eta = self.shifted_eta(beta);
        let r: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
        let mut loglik = 0.0;
        let mut u = vec![0.0; p];
        let mut imat = vec![0.0; p * p];
        let mut s1 = vec![0.0; p];
        let mut s2 = vec![0.0; p * p];
        let mut d1 = vec![0.0; p];
        let mut d2 = vec![0.0; p * p];
        let mut a = vec![0.0; p];
        let mut xb = vec![0.0; p];
        let p3 = if third { p * p * p } else { 0 };
        let mut s3 = vec![0.0; p3];
        let mut d3 = vec![0.0; p3];
        let mut dimat = vec![0.0; p3];
        let mut bfull = vec![0.0; if third { p * p } else { 0 }];
        for &(sb, se) in &self.strata_ranges {
            let mut s0 = 0.0;
            s1.iter_mut().for_each(|v| *v = 0.0);
            s2.iter_mut().for_each(|v| *v = 0.0);
            s3.iter_mut().for_each(|v| *v = 0.0);
            let mut at_risk: usize = 0;
            let mut sp = sb;
            let mut k = sb;
            while k < se {
                let t = self.stop[self.by_stop[k]];
                let mut kend = k;
                while kend < se && self.stop[self.by_stop[kend]] == t {
                    kend += 1;
                }
                // Leave: subjects whose start is at or after t are not at risk at t.
                if let Some(start) = &self.start {
                    while sp < se && start[self.by_start[sp]] >= t {
                        let i = self.by_start[sp];
                        let wr = self.weight[i] * r[i];
                        s0 -= wr;
                        let xi = &self.x[i * p..(i + 1) * p];
                        for aa in 0..p {
                            s1[aa] -= wr * xi[aa];
                            for bb in 0..=aa {
                                s2[aa * p + bb] -= wr * xi[aa] * xi[bb];
                            }
                        }
                        if third {
                            add3(&mut s3, xi, -wr);
                        }
                        at_risk -= 1;
                        sp += 1;
                    }
                    if at_risk == 0 {
                        // Nobody left: clear rounding residue before new subjects join.
                        s0 = 0.0;
                        s1.iter_mut().for_each(|v| *v = 0.0);
                        s2.iter_mut().for_each(|v| *v = 0.0);
                        s3.iter_mut().for_each(|v| *v = 0.0);
                    }
                }
                // Join: everyone whose stop time is t.
                let mut d0 = 0.0;
                let mut nd = 0usize;
                let mut wd = 0.0;
                d1.iter_mut().for_each(|v| *v = 0.0);
                d2.iter_mut().for_each(|v| *v = 0.0);
                d3.iter_mut().for_each(|v| *v = 0.0);
                for &i in &self.by_stop[k..kend] {
                    let w = self.weight[i];
                    let wr = w * r[i];
                    let xi = &self.x[i * p..(i + 1) * p];
                    s0 += wr;
                    for aa in 0..p {
                        s1[aa] += wr * xi[aa];
                        for bb in 0..=aa {
                            s2[aa * p + bb] += wr * xi[aa] * xi[bb];
                        }
                    }
                    at_risk += 1;
                    if third {
                        add3(&mut s3, xi, wr);
                        if self.status[i] {
                            add3(&mut d3, xi, wr);
                        }
                    }
                    if self.status[i] {
                        nd += 1;
                        wd += w;
                        d0 += wr;
                        loglik += w * eta[i];
                        for aa in 0..p {
                            u[aa] += w * xi[aa];
                            d1[aa] += wr * xi[aa];
                            for bb in 0..=aa {
                                d2[aa * p + bb] += wr * xi[aa] * xi[bb];
                            }
                        }
                    }
                }
                if nd > 0 {
                    let (steps, wstep) = match ties {
                        Ties::Breslow => (1, wd),
                        Ties::Efron => (nd, wd / nd as f64),
                    };
                    let mut rec = record.as_ref().map(|_| EventTime {
                        stratum: self.stratum[self.by_stop[k]],
                        time: t,
                        haz: 0.0,
                        xhaz: vec![0.0; p],
                        haz_corr: 0.0,
                        xhaz_corr: vec![0.0; p],
                        xbar: vec![0.0; p],
                        vbar: vec![0.0; p * p],
                        d: nd,
                        wd,
                    });
                    for step in 0..steps {
                        let frac = step as f64 / nd as f64;
                        let den = s0 - frac * d0;
                        loglik -= wstep * den.ln();
                        for aa in 0..p {
                            a[aa] = s1[aa] - frac * d1[aa];
                            xb[aa] = a[aa] / den;
                            u[aa] -= wstep * xb[aa];
                        }
                        for aa in 0..p {
                            for bb in 0..=aa {
                                let b = s2[aa * p + bb] - frac * d2[aa * p + bb];
                                let v = b / den - xb[aa] * xb[bb];
                                imat[aa * p + bb] += wstep * v;
                                if let Some(rc) = rec.as_mut() {
                                    rc.vbar[aa * p + bb] += v / steps as f64;
                                }
                            }
                        }
                        if third {
                            // ∂/∂β_r of B/den − a aᵀ/den², with ∂den = a, ∂a = B, ∂B = C.
                            for aa in 0..p {
                                for bb in 0..p {
                                    let (hi, lo) = if aa >= bb { (aa, bb) } else { (bb, aa) };
                                    bfull[aa * p + bb] = s2[hi * p + lo] - frac * d2[hi * p + lo];
                                }
                            }
                            let d2_ = den * den;
                            let d3_ = d2_ * den;
                            for r in 0..p {
                                for aa in 0..p {
                                    for bb in 0..=aa {
                                        let c = s3[(r * p + aa) * p + bb]
                                            - frac * d3[(r * p + aa) * p + bb];
                                        let v = c / den
                                            - bfull[aa * p + bb] * a[r] / d2_
                                            - (bfull[aa * p + r] * a[bb]
                                                + a[aa] * bfull[bb * p + r])
                                                / d2_
                                            + 2.0 * a[aa] * a[bb] * a[r] / d3_;
                                        dimat[(r * p + aa) * p + bb] += wstep * v;
                                    }
                                }
                            }
                        }
                        if let Some(rc) = rec.as_mut() {
                            let dl = wstep / den;
                            rc.haz += dl;
                            rc.haz_corr += frac * dl;
                            for aa in 0..p {
                                rc.xhaz[aa] += xb[aa] * dl;
                                rc.xhaz_corr[aa] += frac * xb[aa] * dl;
                                rc.xbar[aa] += xb[aa] / steps as f64;
                            }
                        }
                    }
                    if let (Some(recs), Some(mut rc)) = (record.as_deref_mut(), rec) {
                        for aa in 0..p {
                            for bb in 0..aa {
                                rc.vbar[bb * p + aa] = rc.vbar[aa * p + bb];
                            }
                        }
                        recs.push(rc);
                    }
                }
                k = kend;
            }
        }
        for aa in 0..p {
            for bb in 0..aa {
                imat[bb * p + aa] = imat[aa * p + bb];
            }
        }
        let dimat = third.then(|| {
            for r in 0..p {
                for aa in 0..p {
                    for bb in 0..aa {
                        dimat[(r * p + bb) * p + aa] = dimat[(r * p + aa) * p + bb];
                    }
                }
            }
            dimat
        });
        (Eval { loglik, u, imat, r }, dimat)
    }
}

/// Adds `w · x_r x_a x_b` to the third-moment sums (full cube; symmetric).
fn add3(s3: &mut [f64], xi: &[f64], w: f64) {
    let p = xi.len();
    for r in 0..p {
        let wr = w * xi[r];
        for aa in 0..p {
            let wra = wr * xi[aa];
            let row = &mut s3[(r * p + aa) * p..(r * p + aa + 1) * p];
            for (bb, v) in row.iter_mut().enumerate() {
                *v += wra * xi[bb];
            }
        }
    }
}
