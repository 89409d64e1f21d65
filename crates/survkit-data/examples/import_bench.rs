//! Import benchmark on a large generated CSV (not committed).
//!
//! ```text
//! cargo run --release -p survkit-data --example import_bench -- gen /tmp/big.csv 1000000
//! /usr/bin/time -v cargo run --release -p survkit-data --example import_bench -- run /tmp/big.csv
//! ```
//! `gen` writes ROWS rows × 15 columns (ids, durations with decimal points, 0/1
//! status, ISO dates, categorical arms and sites, lab values, some missing); `run`
//! imports it and prepares one endpoint, printing the time of each step.

use std::io::Write;
use std::time::Instant;

use survkit_data::{import, prepare, EndpointSpec, ImportOptions, PrepareSpec, VariableSpec};

fn generate(path: &str, rows: usize) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "id,arm,site,sex,age,stage,grade,dx_date,last_date,os_months,os_status,pfs_months,pfs_status,ldh,albumin"
    )?;
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let sites = [
        "Zürich",
        "Köln",
        "Besançon",
        "Leeds",
        "Boston",
        "Madrid",
        "Oslo",
        "Wien",
    ];
    for i in 0..rows {
        let r = next();
        let dx = 14_000 + (r % 3000) as i64;
        let os = (next() % 40_000) as f64 / 10.0 / 30.4375 * 10.0;
        let pfs = os * ((next() % 100) as f64 / 100.0);
        let (y, m, d) = civil(dx);
        let last = dx + (os * 30.4375) as i64;
        let (y2, m2, d2) = civil(last);
        let ldh = if next() % 50 == 0 {
            "NA".to_string()
        } else {
            format!("{}", 100 + next() % 400)
        };
        writeln!(
            out,
            "{},{},{},{},{},{},{},{y:04}-{m:02}-{d:02},{y2:04}-{m2:02}-{d2:02},{:.2},{},{:.2},{},{},{:.1}",
            i + 1,
            if r & 1 == 0 { "A" } else { "B" },
            sites[(r >> 8) as usize % sites.len()],
            if r & 2 == 0 { "F" } else { "M" },
            40 + (r >> 16) % 45,
            ["I", "II", "III", "IV"][(r >> 24) as usize % 4],
            1 + (r >> 28) % 3,
            os,
            (r >> 32) & 1,
            pfs,
            (r >> 33) & 1,
            ldh,
            30.0 + ((r >> 40) % 200) as f64 / 10.0,
        )?;
    }
    Ok(())
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("gen") => {
            let path = args.get(2).expect("path");
            let rows: usize = args
                .get(3)
                .and_then(|r| r.parse().ok())
                .unwrap_or(1_000_000);
            generate(path, rows).expect("write");
            println!("wrote {rows} rows to {path}");
        }
        Some("run") => {
            let path = args.get(2).expect("path");
            let t0 = Instant::now();
            let bytes = std::fs::read(path).expect("read");
            let t1 = Instant::now();
            let table = import(&bytes, path, &ImportOptions::default()).expect("import");
            let t2 = Instant::now();
            drop(bytes);
            let summary = table.summary(20);
            let t3 = Instant::now();
            let spec = PrepareSpec {
                endpoint: EndpointSpec {
                    time: Some("os_months".into()),
                    event: "os_status".into(),
                    ..Default::default()
                },
                group: Some(VariableSpec {
                    column: "arm".into(),
                    ..Default::default()
                }),
                covariates: vec![
                    VariableSpec {
                        column: "age".into(),
                        ..Default::default()
                    },
                    VariableSpec {
                        column: "stage".into(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            };
            let p = prepare(&table, &spec).expect("prepare");
            let t4 = Instant::now();
            println!(
                "{} rows x {} columns ({:.1} MB): read {:.2} s, import {:.2} s, summary {:.2} s, prepare {:.2} s ({} kept)",
                table.n_rows(),
                table.columns().len(),
                summary.source.size_bytes as f64 / 1e6,
                (t1 - t0).as_secs_f64(),
                (t2 - t1).as_secs_f64(),
                (t3 - t2).as_secs_f64(),
                (t4 - t3).as_secs_f64(),
                p.time.len()
            );
            for c in &summary.columns {
                println!(
                    "  {:<12} {:?} missing {} invalid {}",
                    c.name, c.kind, c.n_missing, c.n_invalid
                );
            }
        }
        _ => eprintln!("usage: import_bench gen PATH [ROWS] | run PATH"),
    }
}
