//! Axis scales and "nice" tick positions (steps of 1, 2 or 5 times a power of ten).

/// A 1-2-5 step giving roughly `target` intervals over `range`.
pub(crate) fn nice_step(range: f64, target: f64) -> f64 {
    if !range.is_finite() || range <= 0.0 {
        return 1.0;
    }
    let raw = range / target.max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let m = if norm < 1.5 {
        1.0
    } else if norm < 3.0 {
        2.0
    } else if norm < 7.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// Multiples of `step` from `lo` to `hi` inclusive (with a small tolerance), at most 200.
pub(crate) fn ticks_between(lo: f64, hi: f64, step: f64) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite() && step.is_finite() && step > 0.0) || hi < lo {
        return vec![];
    }
    let eps = step * 1e-9;
    let first = (lo / step - 1e-9).ceil();
    let mut out = Vec::new();
    let mut k = first;
    while out.len() < 200 {
        let v = k * step;
        if v > hi + eps {
            break;
        }
        // Snap -0.0 and rounding noise.
        let v = if v.abs() < eps { 0.0 } else { v };
        out.push(v);
        k += 1.0;
    }
    out
}

/// Decimal places needed to print multiples of `step` exactly.
pub(crate) fn decimals_for(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    let mut d = 0;
    let mut s = step;
    while d < 6 && (s - s.round()).abs() > 1e-6 * s.max(1.0) {
        s *= 10.0;
        d += 1;
    }
    d
}

/// Format a number with `decimals` places, using a true minus sign.
pub(crate) fn fmt_num(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v);
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    s.replacen('-', "\u{2212}", 1)
}

/// Format a tick value on a log axis (0.1, 0.25, 1, 2, 10, ...).
pub(crate) fn fmt_log_tick(v: f64) -> String {
    if v >= 1.0 {
        let d = decimals_for(v);
        fmt_num(v, d)
    } else {
        // Enough decimals to show the leading significant digit(s).
        let d = decimals_for(v).max(1);
        fmt_num(v, d)
    }
}

/// Linear map from data [d0, d1] to pixels [p0, p1].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Linear {
    pub d0: f64,
    pub d1: f64,
    pub p0: f64,
    pub p1: f64,
}

impl Linear {
    pub fn map(&self, v: f64) -> f64 {
        let span = self.d1 - self.d0;
        if span == 0.0 {
            return self.p0;
        }
        self.p0 + (v - self.d0) / span * (self.p1 - self.p0)
    }
}

/// Axis mapping, linear or base-10 logarithmic.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scale {
    Lin(Linear),
    Log(Linear),
}

impl Scale {
    pub fn map(&self, v: f64) -> f64 {
        match self {
            Scale::Lin(l) => l.map(v),
            Scale::Log(l) => l.map(v.max(1e-300).log10()),
        }
    }
}

/// Nice linear axis covering [lo, hi]: (axis_lo, axis_hi, ticks, decimals). When
/// `fixed_hi` is set the axis ends there exactly; otherwise it extends to the next tick.
pub(crate) fn linear_axis(
    lo: f64,
    hi: f64,
    step: Option<f64>,
    fixed_hi: bool,
    target: f64,
) -> (f64, f64, Vec<f64>, usize) {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() {
        (lo, lo + 1.0)
    } else {
        (0.0, 1.0)
    };
    let step = match step {
        Some(s) if s.is_finite() && s > 0.0 && (hi - lo) / s <= 200.0 => s,
        _ => nice_step(hi - lo, target),
    };
    if !fixed_hi {
        hi = (hi / step - 1e-9).ceil() * step;
    }
    lo = (lo / step + 1e-9).floor() * step;
    if hi <= lo {
        hi = lo + step;
    }
    let ticks = ticks_between(lo, hi, step);
    (lo, hi, ticks, decimals_for(step))
}

/// Nice log axis covering [lo, hi] (both > 0): (axis_lo, axis_hi, ticks). With `extend`
/// the axis runs out to the nearest tick beyond the data on each side, so both ends are
/// labelled; otherwise it ends at the data.
pub(crate) fn log_axis(lo: f64, hi: f64, extend: bool) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && lo > 0.0 && hi > lo {
        (lo, hi)
    } else if lo.is_finite() && lo > 0.0 {
        (lo / 2.0, lo * 2.0)
    } else {
        (0.5, 2.0)
    };
    let decades = (hi / lo).log10();
    let mantissas: &[f64] = if decades <= 1.2 {
        &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0]
    } else if decades <= 2.5 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let e0 = lo.log10().floor() as i32 - 1;
    let e1 = hi.log10().ceil() as i32 + 1;
    let mut cands = Vec::new();
    for e in e0..=e1 {
        for m in mantissas {
            let v = m * 10f64.powi(e);
            // Round away binary noise so 0.3 prints as 0.3.
            let v = (v * 1e9).round() / 1e9;
            cands.push(v);
        }
    }
    let mut ticks: Vec<f64> = cands
        .iter()
        .copied()
        .filter(|&v| v >= lo * 0.999_999 && v <= hi * 1.000_001)
        .collect();
    // Extend the axis to the nearest candidate outside the data so the range is labelled
    // (always when fewer than two ticks fall inside the data).
    let extend = extend || ticks.len() < 2;
    let below = cands
        .iter()
        .copied()
        .filter(|&v| v < lo)
        .fold(f64::NAN, f64::max);
    let above = cands
        .iter()
        .copied()
        .filter(|&v| v > hi)
        .fold(f64::NAN, f64::min);
    let axis_lo =
        if !extend || ticks.first().is_some_and(|&t| t <= lo * 1.000_001) || below.is_nan() {
            lo
        } else {
            ticks.insert(0, below);
            below
        };
    let axis_hi = if !extend || ticks.last().is_some_and(|&t| t >= hi * 0.999_999) || above.is_nan()
    {
        hi
    } else {
        ticks.push(above);
        above
    };
    // Thin to at most 9 labels.
    while ticks.len() > 9 {
        ticks = ticks.iter().copied().step_by(2).collect();
    }
    let first = ticks.first().copied().unwrap_or(axis_lo);
    let last = ticks.last().copied().unwrap_or(axis_hi);
    (axis_lo.min(first), axis_hi.max(last), ticks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps() {
        assert_eq!(nice_step(1022.0, 5.0), 200.0);
        assert_eq!(nice_step(1.0, 5.0), 0.2);
        assert_eq!(nice_step(60.0, 5.0), 10.0);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
    }

    #[test]
    fn linear_axis_extends_to_tick() {
        let (lo, hi, ticks, d) = linear_axis(0.0, 1022.0, None, false, 5.0);
        assert_eq!((lo, hi, d), (0.0, 1200.0, 0));
        assert_eq!(ticks, vec![0.0, 200.0, 400.0, 600.0, 800.0, 1000.0, 1200.0]);
        let (_, hi, ticks, _) = linear_axis(0.0, 1000.0, Some(250.0), true, 5.0);
        assert_eq!(hi, 1000.0);
        assert_eq!(ticks.len(), 5);
        let (_, _, ticks, d) = linear_axis(0.0, 1.0, None, true, 5.0);
        assert_eq!(d, 1);
        assert_eq!(ticks.len(), 6);
    }

    #[test]
    fn formatting() {
        assert_eq!(fmt_num(-0.0, 1), "0.0");
        assert_eq!(fmt_num(-2.0, 0), "\u{2212}2");
        assert_eq!(fmt_log_tick(0.5), "0.5");
        assert_eq!(fmt_log_tick(0.25), "0.25");
        assert_eq!(fmt_log_tick(10.0), "10");
    }

    #[test]
    fn log_axis_contains_range() {
        let (lo, hi, ticks) = log_axis(0.4, 4.04, true);
        assert!(lo <= 0.4 && hi >= 4.04);
        assert!(ticks.contains(&1.0));
        let (_, _, t) = log_axis(0.001, 1000.0, true);
        assert!(t.len() <= 9);
        let (lo, hi, t) = log_axis(5.0, 1022.0, false);
        assert_eq!((lo, hi), (5.0, 1022.0));
        assert_eq!(t.first(), Some(&5.0));
        let (_, _, t) = log_axis(1.1, 1.3, false);
        assert!(t.len() >= 2);
        let (_, _, t) = log_axis(f64::NAN, f64::INFINITY, false);
        assert!(t.len() >= 2);
    }
}
