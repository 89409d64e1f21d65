//! Cox models against R's `coxph` (survival 3.5-3) on the public datasets in tests/data.
//! Expected numbers and the design matrices come from tests/r/cox_models.R.
//!
//! Tolerances: coefficients, standard errors (model-based and robust) 1e-6 relative;
//! log-likelihoods, the three tests and concordance (with its SE) 1e-6 relative;
//! residuals 1e-6 absolute.

use serde_json::Value;
use survkit_core::cox::{fit, CoxData, CoxOptions, Ties};

fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().expect("number")).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        Value::Null => vec![],
        other => panic!("not numbers: {other}"),
    }
}

fn close(what: &str, got: f64, want: f64, rel: f64) {
    let tol = rel * want.abs().max(1e-8);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got:.12e}, R {want:.12e} (|diff| {:.3e} > {tol:.3e})",
        (got - want).abs()
    );
}

fn models() -> Vec<Value> {
    let text = include_str!("fixtures/cox_models.json");
    serde_json::from_str::<Value>(text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn cox_models_against_r() {
    let ms = models();
    assert!(ms.len() >= 10);
    for m in &ms {
        let name = m["name"].as_str().unwrap();
        let n = m["n"].as_u64().unwrap() as usize;
        let p = m["p"].as_u64().unwrap() as usize;
        let x = nums(&m["x"]);
        let stop = nums(&m["stop"]);
        let start = nums(&m["start"]);
        let status: Vec<bool> = nums(&m["status"]).iter().map(|&s| s == 1.0).collect();
        let strata: Vec<usize> = nums(&m["strata"]).iter().map(|&s| s as usize).collect();
        let cluster: Vec<usize> = nums(&m["cluster"]).iter().map(|&s| s as usize).collect();
        let weights = nums(&m["weights"]);
        assert_eq!(stop.len(), n, "{name}");
        let data = CoxData {
            start: (!start.is_empty()).then_some(&start[..]),
            stop: &stop,
            status: &status,
            x: &x,
            p,
            strata: (!strata.is_empty()).then_some(&strata[..]),
            weights: (!weights.is_empty()).then_some(&weights[..]),
            cluster: (!cluster.is_empty()).then_some(&cluster[..]),
        };
        let opts = CoxOptions {
            ties: if m["ties"] == "breslow" {
                Ties::Breslow
            } else {
                Ties::Efron
            },
            robust: m["robust"].as_bool().unwrap(),
            ..Default::default()
        };
        let f = fit(&data, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let w = |q: &str| format!("{name}: {q}");
        assert!(f.converged, "{name}");
        assert!(f.caveats.is_empty(), "{name}: {:?}", f.caveats);
        assert_eq!(
            f.iterations as f64,
            m["iter"].as_f64().unwrap(),
            "{name} iterations"
        );
        assert_eq!(f.events as f64, m["events"].as_f64().unwrap(), "{name}");
        for (j, (&c, &s)) in nums(&m["coef"]).iter().zip(&nums(&m["se"])).enumerate() {
            close(&w(&format!("coef {j}")), f.coef[j], c, 1e-6);
            close(&w(&format!("se {j}")), f.se[j], s, 1e-6);
        }
        let rse = nums(&m["robust_se"]);
        if !rse.is_empty() {
            let got = f.robust_se.as_ref().expect("robust se");
            for j in 0..p {
                close(&w(&format!("robust se {j}")), got[j], rse[j], 1e-6);
            }
            let rs = nums(&m["robust_score"]);
            let got = f.robust_score.expect("robust score");
            close(&w("robust score"), got.chisq, rs[0], 1e-6);
        }
        let ll = nums(&m["loglik"]);
        close(&w("loglik0"), f.loglik[0], ll[0], 1e-9);
        close(&w("loglik1"), f.loglik[1], ll[1], 1e-9);
        for (t, key) in [
            (f.tests.likelihood_ratio, "lr"),
            (f.tests.wald, "wald"),
            (f.tests.score, "score"),
        ] {
            let r = nums(&m[key]);
            close(&w(key), t.chisq, r[0], 1e-6);
            assert_eq!(t.df as f64, r[1], "{name} {key} df");
            close(&w(&format!("{key} p")), t.p, r[2], 1e-6);
        }
        let cc = nums(&m["concordance"]);
        close(&w("concordance"), f.concordance.estimate, cc[0], 1e-6);
        close(&w("concordance se"), f.concordance.se, cc[1], 1e-6);
        close(&w("aic"), f.aic, m["aic"].as_f64().unwrap(), 1e-9);
        let res = f.residuals.as_ref().unwrap();
        for (i, (&mr, &dr)) in nums(&m["martingale"])
            .iter()
            .zip(&nums(&m["deviance"]))
            .enumerate()
        {
            assert!(
                (res.martingale[i] - mr).abs() < 1e-6,
                "{name}: martingale {i}: {} vs {mr}",
                res.martingale[i]
            );
            assert!(
                (res.deviance[i] - dr).abs() < 1e-6,
                "{name}: deviance {i}: {} vs {dr}",
                res.deviance[i]
            );
        }
    }
}

#[test]
fn cox_zph_against_r() {
    use survkit_core::cox::zph::{zph, Transform};
    let mut checked = 0;
    for m in &models() {
        if m.get("zph_km").is_none() {
            continue;
        }
        let name = m["name"].as_str().unwrap();
        let n = m["n"].as_u64().unwrap() as usize;
        let p = m["p"].as_u64().unwrap() as usize;
        let x = nums(&m["x"]);
        let stop = nums(&m["stop"]);
        let start = nums(&m["start"]);
        let status: Vec<bool> = nums(&m["status"]).iter().map(|&s| s == 1.0).collect();
        let strata: Vec<usize> = nums(&m["strata"]).iter().map(|&s| s as usize).collect();
        let cluster: Vec<usize> = nums(&m["cluster"]).iter().map(|&s| s as usize).collect();
        let weights = nums(&m["weights"]);
        assert_eq!(stop.len(), n);
        let data = CoxData {
            start: (!start.is_empty()).then_some(&start[..]),
            strata: (!strata.is_empty()).then_some(&strata[..]),
            weights: (!weights.is_empty()).then_some(&weights[..]),
            cluster: (!cluster.is_empty()).then_some(&cluster[..]),
            ..CoxData::new(&stop, &status, &x, p)
        };
        let opts = CoxOptions {
            ties: if m["ties"] == "breslow" {
                Ties::Breslow
            } else {
                Ties::Efron
            },
            robust: m["robust"].as_bool().unwrap(),
            ..Default::default()
        };
        let f = fit(&data, &opts).unwrap();
        let terms: Vec<Vec<usize>> = m["zph_terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| nums(t).iter().map(|&v| v as usize).collect())
            .collect();
        for (tr, key) in [
            (Transform::Km, "zph_km"),
            (Transform::Rank, "zph_rank"),
            (Transform::Identity, "zph_identity"),
        ] {
            let z = zph(&data, &opts, &f, tr, &terms).unwrap();
            let table = nums(&m[key]["table"]);
            let nrow = m[key]["nrow"].as_u64().unwrap() as usize;
            assert_eq!(nrow, z.terms.len() + 1, "{name} {key}");
            for (k, t) in z.terms.iter().enumerate() {
                close(
                    &format!("{name} {key} term {k} chisq"),
                    t.test.chisq,
                    table[3 * k],
                    1e-6,
                );
                assert_eq!(t.test.df as f64, table[3 * k + 1]);
                close(
                    &format!("{name} {key} term {k} p"),
                    t.test.p,
                    table[3 * k + 2],
                    1e-6,
                );
            }
            let g = 3 * z.terms.len();
            close(
                &format!("{name} {key} global"),
                z.global.chisq,
                table[g],
                1e-6,
            );
            close(
                &format!("{name} {key} global p"),
                z.global.p,
                table[g + 2],
                1e-6,
            );
            if key == "zph_km" {
                let xs = nums(&m[key]["x"]);
                let ys = nums(&m[key]["y"]);
                let ts = nums(&m[key]["time"]);
                let d = xs.len();
                assert_eq!(z.g.len(), d, "{name}");
                // R orders the events by time (strata pooled); compare as sorted sets.
                let nt = z.terms.len();
                assert_eq!(ys.len(), d * nt);
                for t in 0..nt {
                    let mut ours: Vec<(f64, f64, f64)> = (0..d)
                        .map(|k| (z.time[k], z.g[k], z.terms[t].residuals[k]))
                        .collect();
                    let mut theirs: Vec<(f64, f64, f64)> =
                        (0..d).map(|k| (ts[k], xs[k], ys[t * d + k])).collect();
                    let key3 = |a: &(f64, f64, f64), b: &(f64, f64, f64)| {
                        a.0.total_cmp(&b.0).then(a.2.total_cmp(&b.2))
                    };
                    ours.sort_by(key3);
                    theirs.sort_by(key3);
                    for k in 0..d {
                        assert!((ours[k].0 - theirs[k].0).abs() < 1e-9, "{name} time {k}");
                        assert!(
                            (ours[k].1 - theirs[k].1).abs() < 1e-6,
                            "{name} g {k}: {} vs {}",
                            ours[k].1,
                            theirs[k].1
                        );
                        assert!(
                            (ours[k].2 - theirs[k].2).abs() < 1e-6 * theirs[k].2.abs().max(1.0),
                            "{name} y {t} {k}: {} vs {}",
                            ours[k].2,
                            theirs[k].2
                        );
                    }
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "{checked}");
}
