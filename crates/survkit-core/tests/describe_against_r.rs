//! Table 1 summaries and tests against R 4.2.2: `chisq.test`, `fisher.test`, `table`,
//! `quantile` (type 7), `t.test` (Welch), `oneway.test` (Welch and `var.equal = TRUE`),
//! `anova(aov)`, `wilcox.test`, `kruskal.test`, and the SMD formulas evaluated in R.
//! Expected numbers: `tests/fixtures/describe_golden.json`, written by
//! `tests/r/describe_golden.R`.
//! Tolerance: relative 1e-8 (absolute 1e-12 near zero) for every statistic and p-value;
//! counts exactly. The Welch t confidence limits use statrs' t quantile: 1e-8 too.

use serde_json::Value;
use survkit_core::describe::categorical::{
    any_expected_below, chisq_test, compare_categorical, smd_categorical, summarize_categorical,
    CategoricalTestChoice, CategoricalTestKind,
};
use survkit_core::describe::continuous::{
    anova_oneway, kruskal_wallis, skewness, smd_continuous, split_by_group, summarize_continuous,
    welch_anova, welch_t_test, wilcoxon_rank_sum, RankSumMethod, Summary,
};
use survkit_core::describe::fisher::{fisher_exact, FisherOptions};

const REL: f64 = 1e-8;
const ABS: f64 = 1e-12;

fn check(case: &str, what: &str, got: f64, want: &Value) {
    if want.is_null() && got.is_nan() {
        return; // R's NA
    }
    let w = want
        .as_f64()
        .unwrap_or_else(|| panic!("{case}: {what}: R value missing ({want})"));
    let ok = (got - w).abs() <= ABS || (got - w).abs() <= REL * w.abs();
    assert!(
        ok,
        "{case}: {what}: got {got:e}, R {w:e} (rel {:e})",
        ((got - w) / w).abs()
    );
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/describe_golden.json")).unwrap()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn categorical_against_r() {
    let fx = fixture();
    let cases = fx["categorical"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let mut max_rel: f64 = 0.0;
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let value: Vec<Option<usize>> = c["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().map(|x| x as usize))
            .collect();
        let group = usizes(&c["group"]);
        let nl = c["n_levels"].as_u64().unwrap() as usize;
        let ng = c["n_groups"].as_u64().unwrap() as usize;
        let s = summarize_categorical(&value, &group, nl, ng).unwrap();
        let want_table: Vec<Vec<usize>> =
            c["table"].as_array().unwrap().iter().map(usizes).collect();
        assert_eq!(s.table, want_table, "{name}: table");
        assert_eq!(s.missing, usizes(&c["missing"]), "{name}: missing");
        for l in &s.levels {
            for g in 0..ng {
                let present = s.n[g] - s.missing[g];
                let want = 100.0 * l.count[g] as f64 / present as f64;
                assert!((l.percent[g] - want).abs() < 1e-12, "{name}: percent");
            }
        }
        let chi = chisq_test(&s.table, true).unwrap();
        check(name, "chisq", chi.statistic, &c["chisq"]);
        check(name, "chisq p", chi.p, &c["chisq_p"]);
        assert_eq!(chi.df as f64, c["chisq_df"].as_f64().unwrap(), "{name}: df");
        assert_eq!(chi.yates, c["yates"].as_bool().unwrap(), "{name}: yates");
        let min_e = chi
            .expected
            .iter()
            .flatten()
            .copied()
            .fold(f64::INFINITY, f64::min);
        check(name, "min expected", min_e, &c["expected_min"]);
        assert_eq!(
            any_expected_below(&s.table, 5.0),
            c["expected_min"].as_f64().unwrap() < 5.0,
            "{name}: rule"
        );
        let f = fisher_exact(&s.table, &FisherOptions::default()).unwrap();
        check(name, "fisher p", f.p, &c["fisher_p"]);
        let w = c["fisher_p"].as_f64().unwrap();
        max_rel = max_rel.max(((f.p - w) / w).abs());
        let t = compare_categorical(
            &s.table,
            CategoricalTestChoice::Auto,
            &FisherOptions::default(),
        )
        .unwrap();
        if c["expected_min"].as_f64().unwrap() < 5.0 {
            assert_eq!(t.test, CategoricalTestKind::Fisher, "{name}");
            assert!((t.p - f.p).abs() == 0.0);
        } else {
            assert_ne!(t.test, CategoricalTestKind::Fisher, "{name}");
            assert_eq!(t.p, chi.p);
        }
        if ng == 2 {
            let a: Vec<usize> = s.table.iter().map(|r| r[0]).collect();
            let b: Vec<usize> = s.table.iter().map(|r| r[1]).collect();
            check(name, "smd", smd_categorical(&a, &b).unwrap(), &c["smd"]);
        }
        eprintln!("{name}: fisher work {} steps", f.work);
    }
    eprintln!("max relative error of Fisher p: {max_rel:e}");
}

fn check_summary(case: &str, got: &Summary, want: &Value) {
    assert_eq!(got.n as u64, want["n"].as_u64().unwrap(), "{case}: n");
    assert_eq!(
        got.missing as u64,
        want["missing"].as_u64().unwrap(),
        "{case}: missing"
    );
    for (what, g) in [
        ("mean", got.mean),
        ("sd", got.sd),
        ("median", got.median),
        ("q1", got.q1),
        ("q3", got.q3),
        ("min", got.min),
        ("max", got.max),
    ] {
        check(case, what, g, &want[what]);
    }
}

#[test]
fn continuous_against_r() {
    let fx = fixture();
    let cases = fx["continuous"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let mut exact_seen = 0;
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let value: Vec<f64> = c["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap_or(f64::NAN))
            .collect();
        let group = usizes(&c["group"]);
        let ng = c["n_groups"].as_u64().unwrap() as usize;
        let s = summarize_continuous(&value, &group, ng).unwrap();
        check_summary(&format!("{name} overall"), &s.overall, &c["overall"]);
        for (g, sg) in s.groups.iter().enumerate() {
            check_summary(&format!("{name} group {g}"), sg, &c["groups"][g]);
            check(
                name,
                "skewness",
                skewness(&split_by_group(&value, &group, ng).unwrap().0[g]),
                &c["skew_groups"][g],
            );
        }
        check(
            name,
            "skewness overall",
            skewness(&value),
            &c["skew_overall"],
        );
        let (groups, _) = split_by_group(&value, &group, ng).unwrap();
        let av = anova_oneway(&groups);
        check(name, "anova F", av.statistic, &c["anova"]["f"]);
        check(name, "anova p", av.p, &c["anova"]["p"]);
        check(name, "anova df1", av.df1, &c["anova"]["df1"]);
        check(name, "anova df2", av.df2, &c["anova"]["df2"]);
        if !c["anova"]["oneway_p"].is_null() {
            check(
                name,
                "oneway.test(var.equal) p",
                av.p,
                &c["anova"]["oneway_p"],
            );
        }
        if !c["welch_anova"].is_null() {
            let wa = welch_anova(&groups);
            check(name, "welch anova F", wa.statistic, &c["welch_anova"]["f"]);
            check(name, "welch anova df2", wa.df2, &c["welch_anova"]["df2"]);
            check(name, "welch anova p", wa.p, &c["welch_anova"]["p"]);
        }
        let kw = kruskal_wallis(&groups);
        check(name, "kruskal H", kw.statistic, &c["kruskal"]["h"]);
        check(name, "kruskal p", kw.p, &c["kruskal"]["p"]);
        if ng == 2 {
            let t = welch_t_test(&groups[0], &groups[1], 0.95).unwrap();
            let wt = &c["welch_t"];
            check(name, "t estimate", t.estimate, &wt["estimate"]);
            check(name, "t", t.statistic, &wt["t"]);
            check(name, "t df", t.df, &wt["df"]);
            check(name, "t p", t.p, &wt["p"]);
            check(name, "t se", t.std_err, &wt["se"]);
            check(name, "t lower", t.lower, &wt["lower"]);
            check(name, "t upper", t.upper, &wt["upper"]);
            let w = wilcoxon_rank_sum(&groups[0], &groups[1]).unwrap();
            check(name, "W", w.statistic, &c["wilcoxon"]["w"]);
            check(name, "wilcoxon p", w.p, &c["wilcoxon"]["p"]);
            let exact = c["wilcoxon"]["exact"].as_bool().unwrap();
            assert_eq!(w.method == RankSumMethod::Exact, exact, "{name}: exact");
            exact_seen += exact as usize;
            check(
                name,
                "smd",
                smd_continuous(&groups[0], &groups[1]),
                &c["smd"],
            );
        }
    }
    assert!(exact_seen >= 3, "exact Wilcoxon cases: {exact_seen}");
}
