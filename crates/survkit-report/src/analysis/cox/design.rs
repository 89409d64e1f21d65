//! Design matrix for regression models: complete cases, dummy coding of categorical
//! covariates against their reference level, ordinal trend coding, and products of two
//! terms for interactions (as R's `model.matrix` with treatment contrasts).

use serde::{Deserialize, Serialize};
use survkit_core::Error;
use survkit_data::{CovariateValues, Exclusion, Prepared};

/// One column of the design matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The covariate (or `a:b` for an interaction).
    pub variable: String,
    /// The level this dummy column stands for (categorical terms), e.g. `Stage III`.
    pub level: Option<String>,
    /// The reference level it is compared with (categorical terms).
    pub reference: Option<String>,
}

/// Complete-case design of one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// Columns in order.
    pub columns: Vec<Column>,
    /// Column-major values, `x[j * n + k]` for the k-th kept row.
    pub x: Vec<f64>,
    /// Indices (into the Prepared rows) of the rows the model uses.
    pub rows: Vec<usize>,
    /// Rows the model leaves out because a covariate is missing.
    pub excluded: Vec<Exclusion>,
    /// The variables of the model (after adding main effects of interactions).
    pub variables: Vec<String>,
}

impl Design {
    /// Number of rows used.
    pub fn n(&self) -> usize {
        self.rows.len()
    }
}

/// Builds the design of a model with `variables` (and the `interactions` between pairs
/// of them) on the rows of `p` where all of them are observed.
///
/// # Errors
///
/// [`Error::InvalidOption`] when a variable is not among the prepared covariates, or a
/// categorical reference level is out of range.
pub fn build(
    p: &Prepared,
    variables: &[String],
    interactions: &[[String; 2]],
) -> Result<Design, Error> {
    let mut vars: Vec<String> = Vec::new();
    for v in variables
        .iter()
        .chain(interactions.iter().flat_map(|pair| pair.iter()))
    {
        if !vars.contains(v) {
            vars.push(v.clone());
        }
    }
    let find = |name: &str| {
        p.covariates.iter().find(|c| c.name == name).ok_or_else(|| {
            Error::InvalidOption(format!(
                "covariate '{name}' is not among the prepared covariates ({})",
                p.covariates
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    };
    let n_all = p.time.len();
    let mut keep = vec![true; n_all];
    let mut excluded = Vec::new();
    for v in &vars {
        let c = find(v)?;
        let len = match &c.values {
            CovariateValues::Numeric { values } => values.len(),
            CovariateValues::Categorical {
                levels,
                reference,
                codes,
                ..
            } => {
                if *reference >= levels.len() {
                    return Err(Error::InvalidOption(format!(
                        "covariate '{v}': reference level {} out of range ({} levels)",
                        reference + 1,
                        levels.len()
                    )));
                }
                if let Some((i, k)) = codes
                    .iter()
                    .enumerate()
                    .find_map(|(i, c)| c.filter(|&k| k >= levels.len()).map(|k| (i, k)))
                {
                    return Err(Error::InvalidValue {
                        what: format!("covariate '{v}'"),
                        index: i,
                        reason: format!("level code {k} out of range"),
                    });
                }
                codes.len()
            }
        };
        if len != n_all {
            return Err(Error::LengthMismatch {
                what: format!("covariate '{v}' against time"),
                expected: n_all,
                found: len,
            });
        }
        for i in 0..n_all {
            let missing = match &c.values {
                CovariateValues::Numeric { values } => !values[i].is_some_and(f64::is_finite),
                CovariateValues::Categorical { codes, .. } => codes[i].is_none(),
            };
            if missing && keep[i] {
                keep[i] = false;
                excluded.push(Exclusion {
                    row: p.rows.get(i).copied().unwrap_or(i + 1),
                    column: Some(v.clone()),
                    reason: format!("missing {v}"),
                });
            }
        }
    }
    let rows: Vec<usize> = (0..n_all).filter(|&i| keep[i]).collect();
    let n = rows.len();
    // Columns of each variable, on the kept rows.
    let mut per_var: Vec<(String, Vec<Column>, Vec<Vec<f64>>)> = Vec::new();
    for v in &vars {
        let c = find(v)?;
        let (cols, vals) = match &c.values {
            CovariateValues::Numeric { values } => (
                vec![Column {
                    variable: v.clone(),
                    level: None,
                    reference: None,
                }],
                vec![rows.iter().map(|&i| values[i].unwrap_or(0.0)).collect()],
            ),
            CovariateValues::Categorical {
                levels,
                reference,
                codes,
                ordinal,
            } => {
                if *ordinal {
                    (
                        vec![Column {
                            variable: v.clone(),
                            level: Some(format!("trend per level ({})", levels.join(" < "))),
                            reference: None,
                        }],
                        vec![rows.iter().map(|&i| codes[i].unwrap_or(0) as f64).collect()],
                    )
                } else {
                    let mut cols = Vec::new();
                    let mut vals = Vec::new();
                    for (k, l) in levels.iter().enumerate() {
                        if k == *reference {
                            continue;
                        }
                        cols.push(Column {
                            variable: v.clone(),
                            level: Some(l.clone()),
                            reference: Some(levels[*reference].clone()),
                        });
                        vals.push(
                            rows.iter()
                                .map(|&i| if codes[i] == Some(k) { 1.0 } else { 0.0 })
                                .collect(),
                        );
                    }
                    (cols, vals)
                }
            }
        };
        per_var.push((v.clone(), cols, vals));
    }
    let mut columns = Vec::new();
    let mut x = Vec::new();
    for (_, cols, vals) in &per_var {
        columns.extend(cols.iter().cloned());
        for col in vals {
            x.extend_from_slice(col);
        }
    }
    for [a, b] in interactions {
        let (Some((_, ca, va)), Some((_, cb, vb))) = (
            per_var.iter().find(|t| &t.0 == a),
            per_var.iter().find(|t| &t.0 == b),
        ) else {
            continue;
        };
        for (cola, vala) in ca.iter().zip(va) {
            for (colb, valb) in cb.iter().zip(vb) {
                let lvl = match (&cola.level, &colb.level) {
                    (None, None) => None,
                    (la, lb) => Some(format!(
                        "{}:{}",
                        la.as_deref().unwrap_or(a),
                        lb.as_deref().unwrap_or(b)
                    )),
                };
                let rf = match (&cola.reference, &colb.reference) {
                    (None, None) => None,
                    (ra, rb) => Some(
                        [ra.as_deref(), rb.as_deref()]
                            .iter()
                            .flatten()
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                };
                columns.push(Column {
                    variable: format!("{a}:{b}"),
                    level: lvl,
                    reference: rf,
                });
                x.extend(vala.iter().zip(valb).map(|(u, w)| u * w));
            }
        }
    }
    debug_assert_eq!(x.len(), columns.len() * n);
    Ok(Design {
        columns,
        x,
        rows,
        excluded,
        variables: vars,
    })
}

/// Adds, for each variable in `vars` (already in `design`), its interaction with the
/// strata: for every column of the variable and every stratum level but the first, the
/// column times the indicator of that stratum, as R's
/// `coxph(... ~ x + x:strata(g) + strata(g))`. With the baseline hazard stratified by
/// `g`, the main effect is the effect in the first stratum and each product is the
/// difference in another stratum. Columns are labelled `x:strata(g)`, level `g=level`
/// (`Level:g=level` for a categorical dummy).
///
/// # Errors
///
/// [`Error::InvalidOption`] when a variable is not a term of the design, and
/// [`Error::LengthMismatch`] when the strata do not cover the rows.
pub fn add_strata_interactions(
    design: &mut Design,
    strata: &survkit_data::Factor,
    vars: &[String],
) -> Result<(), Error> {
    let n = design.n();
    if let Some(&last) = design.rows.iter().max() {
        if last >= strata.codes.len() {
            return Err(Error::LengthMismatch {
                what: "strata against time".into(),
                expected: last + 1,
                found: strata.codes.len(),
            });
        }
    }
    let codes: Vec<usize> = design.rows.iter().map(|&i| strata.codes[i]).collect();
    for v in vars {
        let own: Vec<usize> = (0..design.columns.len())
            .filter(|&j| &design.columns[j].variable == v)
            .collect();
        if own.is_empty() {
            return Err(Error::InvalidOption(format!(
                "'{v}' × strata: '{v}' is not a covariate of the model; add it to the covariates"
            )));
        }
        for &j in &own {
            let base = design.columns[j].clone();
            for (k, level) in strata.levels.iter().enumerate().skip(1) {
                let tag = format!("{}={level}", strata.name);
                design.columns.push(Column {
                    variable: format!("{v}:strata({})", strata.name),
                    level: Some(match &base.level {
                        Some(l) => format!("{l}:{tag}"),
                        None => tag,
                    }),
                    reference: base.reference.clone(),
                });
                let col: Vec<f64> = (0..n)
                    .map(|r| {
                        if codes[r] == k {
                            design.x[j * n + r]
                        } else {
                            0.0
                        }
                    })
                    .collect();
                design.x.extend(col);
            }
        }
    }
    Ok(())
}
