//! The whole import path on arbitrary bytes, shared by the cargo-fuzz target
//! (`fuzz/`) and the crash regression tests (`tests/fuzz_regressions.rs`).

use crate::{
    guess_roles, import, prepare, EndpointSpec, ImportOptions, PrepareSpec, TimeUnit, VariableSpec,
};

/// Runs import (the first byte picks options and the file name), summary, role
/// guesses and prepare() with several specs built from the columns found. Returns the
/// number of specs that prepared successfully; must never panic.
pub fn run(data: &[u8]) -> usize {
    let mut ok = 0usize;
    // First byte picks the options, so the fuzzer explores them too.
    let (sel, bytes) = match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    };
    let mut opts = ImportOptions::default();
    if sel & 1 != 0 {
        opts.header = Some(sel & 2 != 0);
    }
    if sel & 4 != 0 {
        opts.decimal = Some(',');
    }
    if sel & 8 != 0 {
        opts.delimiter = Some(';');
    }
    let name = match sel >> 5 {
        0 => "data.xlsx",
        1 => "data.ods",
        2 => "data.xls",
        _ => "data.csv",
    };
    let Ok(table) = import(bytes, name, &opts) else {
        return ok;
    };
    let _ = table.summary(20);
    let roles = guess_roles(&table);
    let names: Vec<String> = table
        .columns()
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    let mut specs = Vec::new();
    if let (Some(time), Some(event)) = (roles.time.clone(), roles.event.clone()) {
        specs.push(PrepareSpec {
            endpoint: EndpointSpec {
                time: Some(time),
                event,
                ..Default::default()
            },
            group: roles.group.clone().map(|g| VariableSpec {
                column: g,
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    if names.len() >= 2 {
        let a = names[0].clone();
        let b = names[1].clone();
        let last = names[names.len() - 1].clone();
        specs.push(PrepareSpec {
            endpoint: EndpointSpec {
                time: Some(a.clone()),
                event: b.clone(),
                time_unit: Some(TimeUnit::Days),
                output_unit: Some(TimeUnit::Months),
                entry: Some(last.clone()),
                ..Default::default()
            },
            group: Some(VariableSpec {
                column: last.clone(),
                cut_at_median: true,
                ..Default::default()
            }),
            strata: Some(VariableSpec {
                column: b.clone(),
                reference: Some("x".into()),
                ..Default::default()
            }),
            covariates: vec![
                VariableSpec {
                    column: a.clone(),
                    categorical: true,
                    ..Default::default()
                },
                VariableSpec {
                    column: last.clone(),
                    cut_points: vec![0.0, 1.0],
                    ..Default::default()
                },
            ],
            weights: Some(last.clone()),
            cluster: Some(b.clone()),
            ..Default::default()
        });
        specs.push(PrepareSpec {
            endpoint: EndpointSpec {
                start_date: Some(a),
                end_date: Some(b),
                end_dates: vec![last.clone()],
                event: last,
                event_values: Some(vec!["1".into()]),
                ..Default::default()
            },
            ..Default::default()
        });
    }
    for spec in &specs {
        if let Ok(p) = prepare(&table, spec) {
            ok += 1;
            let _ = p;
        }
    }
    ok
}
