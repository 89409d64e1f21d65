//! Properties that must hold for any data: S is non-increasing in [0, 1]; row order and
//! group labels do not matter; duplicating every row leaves S unchanged.

use proptest::prelude::*;
use survkit_core::compare::{survdiff, TestMethod};
use survkit_core::km::{kaplan_meier, KmOptions};

fn rows() -> impl Strategy<Value = Vec<(f64, bool, usize)>> {
    // Small integer times force ties between events and censorings.
    prop::collection::vec(
        ((0u32..30).prop_map(f64::from), any::<bool>(), 0usize..3),
        1..60,
    )
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 || (a - b).abs() <= 1e-9 * b.abs().max(a.abs())
}

proptest! {
    #[test]
    fn surv_is_non_increasing_in_unit_interval(data in rows()) {
        let (t, s): (Vec<f64>, Vec<bool>) = data.iter().map(|r| (r.0, r.1)).unzip();
        let fit = kaplan_meier(&t, &s, None, &KmOptions::default()).unwrap();
        let mut prev = 1.0;
        for (i, &x) in fit.surv.iter().enumerate() {
            prop_assert!((0.0..=1.0).contains(&x));
            prop_assert!(x <= prev);
            prev = x;
            if let (Some(l), Some(u)) = (fit.lower[i], fit.upper[i]) {
                prop_assert!(l <= x + 1e-12 && x <= u + 1e-12 && u <= 1.0);
            }
        }
    }

    #[test]
    fn row_order_does_not_matter(data in rows(), seed in any::<u64>()) {
        let mut shuffled = data.clone();
        // Deterministic Fisher–Yates from the seed (no rand in the core crate).
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let split = |d: &[(f64, bool, usize)]| -> (Vec<f64>, Vec<bool>, Vec<usize>) {
            (d.iter().map(|r| r.0).collect(), d.iter().map(|r| r.1).collect(),
             d.iter().map(|r| r.2).collect())
        };
        let (t1, s1, g1) = split(&data);
        let (t2, s2, g2) = split(&shuffled);
        let a = kaplan_meier(&t1, &s1, None, &KmOptions::default()).unwrap();
        let b = kaplan_meier(&t2, &s2, None, &KmOptions::default()).unwrap();
        prop_assert_eq!(&a, &b);
        let x = survdiff(&t1, &s1, &g1, 3, None, TestMethod::PetoPeto);
        let y = survdiff(&t2, &s2, &g2, 3, None, TestMethod::PetoPeto);
        match (x, y) {
            (Ok(x), Ok(y)) => {
                prop_assert!(close(x.chisq, y.chisq));
                prop_assert_eq!(x.df, y.df);
            }
            (Err(_), Err(_)) => {}
            (x, y) => prop_assert!(false, "{:?} vs {:?}", x, y),
        }
    }

    #[test]
    fn group_labels_do_not_matter(data in rows()) {
        let t: Vec<f64> = data.iter().map(|r| r.0).collect();
        let s: Vec<bool> = data.iter().map(|r| r.1).collect();
        let g: Vec<usize> = data.iter().map(|r| r.2).collect();
        // Relabel 0→2, 1→0, 2→1.
        let relabel = [2usize, 0, 1];
        let h: Vec<usize> = g.iter().map(|&k| relabel[k]).collect();
        for method in [TestMethod::LogRank, TestMethod::GehanBreslow] {
            match (survdiff(&t, &s, &g, 3, None, method), survdiff(&t, &s, &h, 3, None, method)) {
                (Ok(x), Ok(y)) => {
                    prop_assert!(close(x.chisq, y.chisq), "{} vs {}", x.chisq, y.chisq);
                    for gx in &x.groups {
                        let gy = y.groups.iter().find(|c| c.group == relabel[gx.group]).unwrap();
                        prop_assert!(close(gx.expected, gy.expected));
                        prop_assert_eq!(gx.observed, gy.observed);
                    }
                }
                (Err(_), Err(_)) => {}
                (x, y) => prop_assert!(false, "{:?} vs {:?}", x, y),
            }
        }
    }

    #[test]
    fn duplicating_rows_leaves_surv_unchanged(data in rows()) {
        let (t, s): (Vec<f64>, Vec<bool>) = data.iter().map(|r| (r.0, r.1)).unzip();
        let t2: Vec<f64> = t.iter().chain(&t).copied().collect();
        let s2: Vec<bool> = s.iter().chain(&s).copied().collect();
        let a = kaplan_meier(&t, &s, None, &KmOptions::default()).unwrap();
        let b = kaplan_meier(&t2, &s2, None, &KmOptions::default()).unwrap();
        prop_assert_eq!(&a.time, &b.time);
        for (x, y) in a.surv.iter().zip(&b.surv) {
            prop_assert!(close(*x, *y));
        }
        for (x, y) in a.cumhaz.iter().zip(&b.cumhaz) {
            prop_assert!(close(*x, *y));
        }
        prop_assert_eq!(a.median.estimate, b.median.estimate);
    }
}
