//! Firth's penalized Cox regression against an oracle computed in R
//! (tests/r/cox_firth.R: the penalized likelihood ℓ(β) + ½ log|I(β)| evaluated by
//! survival's coxph at fixed β and maximized numerically, profile limits by uniroot;
//! coxphf itself is not packaged for Debian).
//!
//! Tolerances: the oracle's numerical optimizer is good to about 1e-6 in β; estimates and
//! profile limits 1e-5 absolute, penalized log-likelihoods 1e-8 relative, p-values 1e-4
//! relative.

use serde_json::Value;
use survkit_core::cox::firth::firth;
use survkit_core::cox::{fit, Caveat, CoxData, CoxOptions, Ties};

fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        _ => vec![],
    }
}

#[test]
fn firth_against_r_oracle() {
    let all: Value = serde_json::from_str(include_str!("fixtures/cox_firth.json")).unwrap();
    for (name, m) in all.as_object().unwrap() {
        let time = nums(&m["time"]);
        let status: Vec<bool> = nums(&m["status"]).iter().map(|&s| s == 1.0).collect();
        let x = nums(&m["x"]);
        let p = m["ncol"].as_u64().unwrap() as usize;
        let opts = CoxOptions {
            ties: if m["ties"] == "breslow" {
                Ties::Breslow
            } else {
                Ties::Efron
            },
            ..Default::default()
        };
        let data = CoxData::new(&time, &status, &x, p);
        let f = firth(&data, &opts, 0.95).unwrap();
        assert!(f.converged, "{name}");
        let (coef, lower, upper, pv, ll) = (
            nums(&m["coef"]),
            nums(&m["lower"]),
            nums(&m["upper"]),
            nums(&m["p"]),
            nums(&m["loglik"]),
        );
        for j in 0..p {
            assert!(
                (f.coef[j] - coef[j]).abs() < 1e-5,
                "{name} coef {j}: {} vs {}",
                f.coef[j],
                coef[j]
            );
            let lo = f.lower[j].unwrap();
            let up = f.upper[j].unwrap();
            assert!(
                (lo - lower[j]).abs() < 1e-5,
                "{name} lower {j}: {lo} vs {}",
                lower[j]
            );
            assert!(
                (up - upper[j]).abs() < 1e-5,
                "{name} upper {j}: {up} vs {}",
                upper[j]
            );
            assert!(
                (f.p[j] - pv[j]).abs() < 1e-4 * pv[j],
                "{name} p {j}: {} vs {}",
                f.p[j],
                pv[j]
            );
        }
        assert!(
            (f.loglik[0] - ll[0]).abs() < 1e-8 * ll[0].abs(),
            "{name} l*(0)"
        );
        assert!(
            (f.loglik[1] - ll[1]).abs() < 1e-8 * ll[1].abs(),
            "{name} l*(b)"
        );
        if name.starts_with("monotone") {
            // The ordinary fit has an infinite coefficient; Firth's is finite.
            let plain = fit(&data, &opts).unwrap();
            assert!(plain
                .caveats
                .iter()
                .any(|c| matches!(c, Caveat::InfiniteCoefficient { column: 0 })));
        }
    }
}
