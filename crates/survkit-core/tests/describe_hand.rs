//! Table 1 hand-computable cases and properties: Fisher's exact test against brute-force
//! enumeration of every table with the same margins, invariance under transposition
//! and permutation, the work limit and its chi-square fallback, empty levels, missing
//! values, unsorted input, and bad input giving errors rather than panics.

use survkit_core::describe::categorical::{
    chisq_test, compare_categorical, smd_categorical, summarize_categorical, CategoricalTestChoice,
    CategoricalTestKind,
};
use survkit_core::describe::continuous::{
    quantile_type7, suggest_format, summarize_continuous, summary, wilcoxon_rank_sum,
    ContinuousFormat, RankSumMethod,
};
use survkit_core::describe::fisher::{fisher_exact, FisherOptions};
use survkit_core::describe::DescribeWarning;
use survkit_core::Error;

fn ln_fact(n: usize) -> f64 {
    (1..=n).map(|i| (i as f64).ln()).sum()
}

fn table_prob(t: &[Vec<usize>]) -> f64 {
    let r: Vec<usize> = t.iter().map(|x| x.iter().sum()).collect();
    let c: Vec<usize> = (0..t[0].len())
        .map(|j| t.iter().map(|x| x[j]).sum())
        .collect();
    let n: usize = r.iter().sum();
    let l = r.iter().map(|&v| ln_fact(v)).sum::<f64>() + c.iter().map(|&v| ln_fact(v)).sum::<f64>()
        - ln_fact(n)
        - t.iter().flatten().map(|&v| ln_fact(v)).sum::<f64>();
    l.exp()
}

/// Every table with the given margins (brute force; tiny tables only).
fn all_tables(rows: &[usize], cols: &[usize]) -> Vec<Vec<Vec<usize>>> {
    fn rec(
        rows: &[usize],
        cols_left: &mut Vec<usize>,
        i: usize,
        cur: &mut Vec<Vec<usize>>,
        out: &mut Vec<Vec<Vec<usize>>>,
    ) {
        if i == rows.len() {
            if cols_left.iter().all(|&c| c == 0) {
                out.push(cur.clone());
            }
            return;
        }
        // All ways to split rows[i] over the columns within what is left.
        fn split(
            left: usize,
            j: usize,
            cols_left: &mut Vec<usize>,
            row: &mut Vec<usize>,
            k: &mut dyn FnMut(&Vec<usize>, &mut Vec<usize>),
        ) {
            if j == cols_left.len() {
                if left == 0 {
                    k(row, cols_left);
                }
                return;
            }
            for v in 0..=left.min(cols_left[j]) {
                cols_left[j] -= v;
                row.push(v);
                split(left - v, j + 1, cols_left, row, k);
                row.pop();
                cols_left[j] += v;
            }
        }
        let mut row = Vec::new();
        split(rows[i], 0, cols_left, &mut row, &mut |row, cl| {
            cur.push(row.clone());
            let mut cl2 = cl.clone();
            rec(rows, &mut cl2, i + 1, cur, out);
            cur.pop();
        });
    }
    let mut out = Vec::new();
    rec(rows, &mut cols.to_vec(), 0, &mut Vec::new(), &mut out);
    out
}

fn brute_fisher(t: &[Vec<usize>]) -> f64 {
    let r: Vec<usize> = t.iter().map(|x| x.iter().sum()).collect();
    let c: Vec<usize> = (0..t[0].len())
        .map(|j| t.iter().map(|x| x[j]).sum())
        .collect();
    let p0 = table_prob(t);
    all_tables(&r, &c)
        .iter()
        .map(|x| table_prob(x))
        .filter(|&p| p <= p0 * (1.0 + 1e-7))
        .sum()
}

/// Deterministic small tables (a linear congruential sequence).
fn small_tables() -> Vec<Vec<Vec<usize>>> {
    let mut s: u64 = 14;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) as usize
    };
    let mut out = Vec::new();
    for _ in 0..40 {
        // Up to 3×4 with counts below 4: brute force stays within a second.
        let r = 2 + next() % 2;
        let c = 2 + next() % 3;
        let t: Vec<Vec<usize>> = (0..r)
            .map(|_| (0..c).map(|_| next() % 4).collect())
            .collect();
        out.push(t);
    }
    out
}

#[test]
fn fisher_matches_brute_force_enumeration() {
    for t in small_tables() {
        let n: usize = t.iter().flatten().sum();
        if n == 0 {
            continue;
        }
        let got = fisher_exact(&t, &FisherOptions::default()).unwrap().p;
        // Empty rows/columns do not change any probability.
        let keep: Vec<Vec<usize>> = t
            .iter()
            .filter(|r| r.iter().sum::<usize>() > 0)
            .cloned()
            .collect();
        let cols: Vec<usize> = (0..keep[0].len())
            .filter(|&j| keep.iter().map(|r| r[j]).sum::<usize>() > 0)
            .collect();
        let keep: Vec<Vec<usize>> = keep
            .iter()
            .map(|r| cols.iter().map(|&j| r[j]).collect())
            .collect();
        let want = if keep.len() < 2 || keep[0].len() < 2 {
            1.0
        } else {
            brute_fisher(&keep)
        };
        assert!(
            (got - want).abs() <= 1e-12 + 1e-10 * want,
            "{t:?}: got {got}, brute force {want}"
        );
    }
}

#[test]
fn fisher_tea_tasting_is_34_over_70() {
    let t = vec![vec![3, 1], vec![1, 3]];
    let f = fisher_exact(&t, &FisherOptions::default()).unwrap();
    assert!((f.p - 34.0 / 70.0).abs() < 1e-14);
    assert!((f.p_observed_table - 16.0 / 70.0).abs() < 1e-14);
}

#[test]
fn fisher_invariant_under_transpose_and_permutation() {
    let t = vec![vec![2, 3, 0, 1], vec![0, 1, 4, 1], vec![1, 0, 2, 0]];
    let p = fisher_exact(&t, &FisherOptions::default()).unwrap().p;
    let tt: Vec<Vec<usize>> = (0..4).map(|j| (0..3).map(|i| t[i][j]).collect()).collect();
    let perm = vec![t[2].clone(), t[0].clone(), t[1].clone()];
    let permc: Vec<Vec<usize>> = t.iter().map(|r| vec![r[3], r[1], r[0], r[2]]).collect();
    for other in [tt, perm, permc] {
        let q = fisher_exact(&other, &FisherOptions::default()).unwrap().p;
        assert!((p - q).abs() < 1e-13, "{p} vs {q}");
    }
}

#[test]
fn fisher_work_limit_falls_back_to_chi_square() {
    let t = vec![vec![37, 29, 27], vec![219, 215, 229], vec![44, 54, 52]];
    let small = FisherOptions { max_work: 1000 };
    assert!(matches!(
        fisher_exact(&t, &small),
        Err(Error::InvalidOption(_))
    ));
    let r = compare_categorical(&t, CategoricalTestChoice::Fisher, &small).unwrap();
    assert_eq!(r.test, CategoricalTestKind::ChiSquare);
    assert!(r
        .warnings
        .contains(&DescribeWarning::ExactTestTooLarge { max_work: 1000 }));
    assert_eq!(r.p, chisq_test(&t, true).unwrap().p);
}

#[test]
fn empty_level_is_dropped_with_a_warning() {
    let with = vec![vec![5, 7], vec![0, 0], vec![9, 2]];
    let without = vec![vec![5, 7], vec![9, 2]];
    let a = chisq_test(&with, true).unwrap();
    let b = chisq_test(&without, true).unwrap();
    assert_eq!(a.statistic, b.statistic);
    assert!(a.yates && b.yates);
    assert!(
        matches!(a.warnings[0], DescribeWarning::EmptyCategoriesDropped { ref levels, .. } if levels == &vec![1])
    );
    let fa = fisher_exact(&with, &FisherOptions::default()).unwrap().p;
    let fb = fisher_exact(&without, &FisherOptions::default()).unwrap().p;
    assert!((fa - fb).abs() < 1e-15);
    // One non-empty level: nothing to test.
    assert!(matches!(
        chisq_test(&[vec![3, 4], vec![0, 0]], true),
        Err(Error::NoData(_))
    ));
}

#[test]
fn categorical_summary_counts_missing_and_checks_codes() {
    // Unsorted rows, a missing value, a level absent from one group.
    let value = [Some(1), None, Some(0), Some(1), Some(2), Some(0), None];
    let group = [1, 0, 0, 1, 1, 0, 1];
    let s = summarize_categorical(&value, &group, 3, 2).unwrap();
    assert_eq!(s.table, vec![vec![2, 0], vec![0, 2], vec![0, 1]]);
    assert_eq!(s.missing, vec![1, 1]);
    assert_eq!(s.n, vec![3, 4]);
    assert!((s.levels[1].percent[1] - 200.0 / 3.0).abs() < 1e-12);
    assert!((s.levels[1].percent_with_missing[1] - 50.0).abs() < 1e-12);
    assert!((s.levels[0].percent_total - 40.0).abs() < 1e-12);
    assert!(matches!(
        summarize_categorical(&[Some(3)], &[0], 3, 1),
        Err(Error::InvalidValue { index: 0, .. })
    ));
    assert!(matches!(
        summarize_categorical(&[Some(0)], &[2], 3, 2),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        summarize_categorical(&[Some(0)], &[0, 0], 3, 2),
        Err(Error::LengthMismatch { .. })
    ));
}

#[test]
fn smd_categorical_two_levels_and_empty_level() {
    let d = smd_categorical(&[30, 70], &[50, 50]).unwrap();
    let want = (0.7f64 - 0.5).abs() / ((0.7 * 0.3 + 0.5 * 0.5) / 2.0f64).sqrt();
    assert!((d - want).abs() < 1e-14);
    // A level absent from both groups changes nothing.
    let e = smd_categorical(&[30, 0, 70], &[50, 0, 50]).unwrap();
    assert!((e - d).abs() < 1e-10, "{e} vs {d}");
    assert!(smd_categorical(&[0, 0], &[1, 2]).unwrap().is_nan());
}

#[test]
fn quantiles_type7_by_hand() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(quantile_type7(&x, 0.25), 1.75);
    assert_eq!(quantile_type7(&x, 0.5), 2.5);
    assert_eq!(quantile_type7(&x, 0.75), 3.25);
    assert_eq!(quantile_type7(&[7.0], 0.25), 7.0);
    assert!(quantile_type7(&[], 0.5).is_nan());
    // Unsorted input with missing values.
    let s = summary(&[4.0, f64::NAN, 1.0, 3.0, 2.0]).unwrap();
    assert_eq!((s.n, s.missing), (4, 1));
    assert_eq!(
        (s.median, s.q1, s.q3, s.min, s.max),
        (2.5, 1.75, 3.25, 1.0, 4.0)
    );
    assert!((s.sd - (5.0f64 / 3.0).sqrt()).abs() < 1e-15);
    assert!(matches!(
        summary(&[1.0, f64::INFINITY]),
        Err(Error::InvalidValue { index: 1, .. })
    ));
    let one = summary(&[5.0]).unwrap();
    assert!(one.sd.is_nan());
    let c = summarize_continuous(&[1.0, 2.0, f64::NAN], &[0, 1, 1], 3).unwrap();
    assert_eq!(c.groups[2].n, 0);
    assert!(c.groups[2].mean.is_nan());
}

#[test]
fn wilcoxon_exact_and_ties_by_hand() {
    // Complete separation: W = 0, P(W' ≤ 0) = 1/C(7,3) = 1/35.
    let w = wilcoxon_rank_sum(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0, 7.0]).unwrap();
    assert_eq!(w.method, RankSumMethod::Exact);
    assert_eq!(w.statistic, 0.0);
    assert!((w.p - 2.0 / 35.0).abs() < 1e-15);
    // Ties: normal approximation with a typed warning.
    let t = wilcoxon_rank_sum(&[1.0, 2.0, 2.0], &[2.0, 3.0]).unwrap();
    assert_eq!(t.method, RankSumMethod::Normal);
    assert!(t
        .warnings
        .contains(&DescribeWarning::TiesNormalApproximation));
    assert!(matches!(
        wilcoxon_rank_sum(&[], &[1.0]),
        Err(Error::NoData(_))
    ));
}

#[test]
fn format_rule_prefers_median_for_skewed_data() {
    let skewed: Vec<f64> = (1..=40).map(|i| ((i as f64) / 8.0).exp()).collect();
    let sym: Vec<f64> = (1..=40).map(|i| i as f64).collect();
    assert_eq!(
        suggest_format(&[&skewed[..20], &skewed[20..]]).format,
        ContinuousFormat::MedianIqr
    );
    assert_eq!(
        suggest_format(&[&sym[..20], &sym[20..]]).format,
        ContinuousFormat::MeanSd
    );
}

#[test]
fn table1_rows_choose_tests_and_pairs() {
    use survkit_core::describe::continuous::ContinuousTest;
    use survkit_core::describe::row::{
        describe_categorical, describe_continuous, CategoricalRowOptions, ContinuousRowOptions,
    };
    // Three groups, small counts: Fisher by the rule; three pairwise SMDs.
    let value = [
        Some(0),
        Some(1),
        Some(0),
        Some(1),
        Some(1),
        None,
        Some(0),
        Some(0),
        Some(1),
    ];
    let group = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    let r = describe_categorical(&value, &group, 2, 3, &CategoricalRowOptions::default()).unwrap();
    assert_eq!(r.test.unwrap().test, CategoricalTestKind::Fisher);
    assert_eq!(r.smd.len(), 3);
    // A constant variable: nothing to test, no error.
    let r = describe_categorical(&[Some(0); 4], &[0, 0, 1, 1], 1, 2, &Default::default()).unwrap();
    assert!(r.test.is_none());

    let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5, f64::NAN];
    let g = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    let mean = ContinuousRowOptions {
        format: Some(ContinuousFormat::MeanSd),
        welch_anova: false,
    };
    assert!(matches!(
        describe_continuous(&x, &g, 3, &mean).unwrap().test,
        Some(ContinuousTest::Anova(_))
    ));
    let welch = ContinuousRowOptions {
        welch_anova: true,
        ..mean
    };
    assert!(matches!(
        describe_continuous(&x, &g, 3, &welch).unwrap().test,
        Some(ContinuousTest::WelchAnova(_))
    ));
    let med = ContinuousRowOptions {
        format: Some(ContinuousFormat::MedianIqr),
        welch_anova: false,
    };
    let r = describe_continuous(&x, &g, 3, &med).unwrap();
    assert!(matches!(r.test, Some(ContinuousTest::KruskalWallis(_))));
    assert_eq!(r.summary.groups[2].missing, 1);
    // Two groups with values out of three: the two-group tests.
    let g2 = [0, 0, 0, 0, 2, 2, 2, 2, 2];
    let r = describe_continuous(&x, &g2, 3, &mean).unwrap();
    assert!(matches!(r.test, Some(ContinuousTest::WelchT(_))));
    assert_eq!(r.smd.len(), 1);
}

#[test]
fn results_do_not_depend_on_row_order() {
    use survkit_core::describe::continuous::{
        anova_oneway, kruskal_wallis, split_by_group, welch_anova, welch_t_test,
    };
    // A fixed pseudo-random cohort and a fixed permutation of its rows.
    let n = 60;
    let x: Vec<f64> = (0..n)
        .map(|i| ((i * 37 % 23) as f64).sqrt() + (i % 5) as f64)
        .collect();
    let g: Vec<usize> = (0..n).map(|i| (i * 7 + 3) % 3).collect();
    let perm: Vec<usize> = (0..n).map(|i| (i * 17 + 5) % n).collect();
    let xp: Vec<f64> = perm.iter().map(|&i| x[i]).collect();
    let gp: Vec<usize> = perm.iter().map(|&i| g[i]).collect();
    let (a, _) = split_by_group(&x, &g, 3).unwrap();
    let (b, _) = split_by_group(&xp, &gp, 3).unwrap();
    let near = |u: f64, v: f64| (u - v).abs() <= 1e-12 * u.abs().max(1e-300);
    assert!(near(anova_oneway(&a).p, anova_oneway(&b).p));
    assert!(near(welch_anova(&a).p, welch_anova(&b).p));
    assert!(near(kruskal_wallis(&a).p, kruskal_wallis(&b).p));
    assert!(near(
        welch_t_test(&a[0], &a[1], 0.95).unwrap().p,
        welch_t_test(&b[0], &b[1], 0.95).unwrap().p
    ));
    assert_eq!(
        wilcoxon_rank_sum(&a[0], &a[2]).unwrap().p,
        wilcoxon_rank_sum(&b[0], &b[2]).unwrap().p
    );
    let codes: Vec<Option<usize>> = x.iter().map(|&v| Some((v as usize) % 4)).collect();
    let codes_p: Vec<Option<usize>> = perm.iter().map(|&i| codes[i]).collect();
    let s = summarize_categorical(&codes, &g, 4, 3).unwrap();
    let sp = summarize_categorical(&codes_p, &gp, 4, 3).unwrap();
    assert_eq!(s.table, sp.table);
}

#[test]
fn fisher_limit_stops_a_huge_enumeration() {
    // 6×6 with N = 1800: one column alone has ~10¹⁰ fills. Without the limit stopping
    // the enumeration itself this would not return.
    let t: Vec<Vec<usize>> = (0..6)
        .map(|i| (0..6).map(|j| 40 + 5 * ((i + j) % 3)).collect())
        .collect();
    let r = fisher_exact(&t, &FisherOptions { max_work: 100_000 });
    assert!(matches!(r, Err(Error::InvalidOption(_))));
}
