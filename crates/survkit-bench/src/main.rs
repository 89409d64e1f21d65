//! `survkit-bench`: the harness behind `npm run bench`.
//!
//! ```text
//! survkit-bench all [--quick] [--merge] [--reps N] [--engines native,wasm,r,lifelines,browser]
//! survkit-bench gen  --n N --p P --out FILE
//! survkit-bench native --task import|km|cox|page --file FILE --p P --reps N
//! ```
//! `all` writes the cohorts once under `target/bench/data/`, runs every engine as its
//! own process per (task, file) so that each peak-memory figure belongs to one task,
//! prints one table with the survkit/R ratios and writes the same as JSON to
//! `target/bench/results.json` (plus a dated copy). Engine drivers print one JSON line:
//! `{"engine", "version", "times": [s...], "peak_rss_kb", "base_rss_kb", "check"}`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use survkit_bench::{import_rows, page_analysis, write_cohort, Cohort};

const SEED: u64 = 20_261_129;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn need(args: &[String], name: &str) -> Result<String, String> {
    arg(args, name).ok_or_else(|| format!("missing {name}"))
}

fn num(args: &[String], name: &str) -> Result<usize, String> {
    let v = need(args, name)?;
    v.parse::<f64>()
        .map(|x| x as usize)
        .map_err(|_| format!("{name}: not a number: {v}"))
}

/// `VmHWM` / `VmRSS` of this process in kB (0 when /proc is unavailable).
fn proc_status_kb(key: &str) -> u64 {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => gen_cmd(&args),
        Some("native") => native_cmd(&args),
        Some("all") => all_cmd(&args),
        _ => Err("usage: survkit-bench all [--quick] [--reps N] | gen --n N --p P --out FILE | native --task T --file F --p P --reps N".into()),
    };
    if let Err(e) = result {
        eprintln!("survkit-bench: {e}");
        std::process::exit(1);
    }
}

fn gen_cmd(args: &[String]) -> Result<(), String> {
    let n = num(args, "--n")?;
    let p = num(args, "--p")?;
    let out = PathBuf::from(need(args, "--out")?);
    generate(&out, n, p)
}

fn generate(out: &Path, n: usize, p: usize) -> Result<(), String> {
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let tmp = out.with_extension("csv.part");
    let file = fs::File::create(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    write_cohort(&mut w, n, p, SEED).map_err(|e| e.to_string())?;
    drop(w);
    fs::rename(&tmp, out).map_err(|e| e.to_string())
}

/// CPU time of this process in seconds (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`,
/// nanosecond resolution; /proc's counters only advance at scheduler ticks).
fn cpu_s() -> f64 {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_PROCESS_CPUTIME_ID: i32 = 2;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec (two 64-bit fields on x86-64/aarch64
    // Linux) through a valid pointer.
    let rc = unsafe { clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc == 0 {
        ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
    } else {
        f64::NAN
    }
}

/// Wall-clock and CPU times of `reps + 1` runs of `f` (the first is the warm-up and
/// is dropped).
type Runs<T> = (Vec<f64>, Vec<f64>, T);
fn time_runs<T>(reps: usize, mut f: impl FnMut() -> Result<T, String>) -> Result<Runs<T>, String> {
    let mut times = Vec::with_capacity(reps);
    let mut cpu = Vec::with_capacity(reps);
    let mut last = None;
    for i in 0..=reps {
        let c0 = cpu_s();
        let t0 = Instant::now();
        let out = f()?;
        let dt = t0.elapsed().as_secs_f64();
        let dc = cpu_s() - c0;
        if i > 0 {
            times.push(dt);
            cpu.push(dc);
        }
        last = Some(out);
    }
    Ok((times, cpu, last.expect("at least one run")))
}

fn native_cmd(args: &[String]) -> Result<(), String> {
    let base = proc_status_kb("VmRSS:");
    let task = need(args, "--task")?;
    let file = need(args, "--file")?;
    let p = num(args, "--p")?;
    let reps = num(args, "--reps")?.max(1);
    let name = Path::new(&file)
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let read = || fs::read(&file).map_err(|e| format!("{file}: {e}"));
    let (times, cpu, check): (Vec<f64>, Vec<f64>, Value) = match task.as_str() {
        "import" => {
            let (t, c, rows) = time_runs(reps, || import_rows(&read()?, &name))?;
            (t, c, json!(rows))
        }
        "km" => {
            let co = Cohort::load(&read()?, &name, p)?;
            let (t, c, chisq) = time_runs(reps, || co.km_logrank())?;
            (t, c, json!(chisq))
        }
        "cox" => {
            let co = Cohort::load(&read()?, &name, p)?;
            let (t, c, (ll, coef)) = time_runs(reps, || co.cox())?;
            (t, c, json!({"loglik": ll, "coef1": coef.first()}))
        }
        "page" => {
            let (t, c, len) = time_runs(reps, || page_analysis(&read()?, &name, p))?;
            (t, c, json!(len))
        }
        other => return Err(format!("unknown task {other}")),
    };
    println!(
        "{}",
        json!({
            "engine": "native",
            "version": env!("CARGO_PKG_VERSION"),
            "times": times,
            "cpu_times": cpu,
            "peak_rss_kb": proc_status_kb("VmHWM:"),
            "base_rss_kb": base,
            "check": check,
        })
    );
    Ok(())
}

// ---------------------------------------------------------------- orchestration

struct Engine {
    id: &'static str,
    label: &'static str,
    cmd: Vec<String>,
    tasks: &'static [&'static str],
}

fn sh(cmd: &str) -> Option<String> {
    let out = Command::new("bash").arg("-c").arg(cmd).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

fn loadavg() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn machine() -> Value {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let mem_gb = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map(|kb| (kb / 1048576.0 * 10.0).round() / 10.0);
    json!({
        "cpu": cpu,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "memory_gb": mem_gb,
        "os": sh("uname -srm"),
        "commit": sh("git rev-parse --short HEAD && git status --porcelain --untracked-files=no | wc -l | sed 's/^/modified files: /'"),
        "rustc": sh("rustc --version"),
        "node": sh("node --version"),
        "r": sh("Rscript -e 'cat(R.version.string, \"; survival\", format(packageVersion(\"survival\")), \"; data.table\", tryCatch(format(packageVersion(\"data.table\")), error = function(e) \"absent\"))' 2>/dev/null"),
        "python": sh("python3 --version 2>&1"),
        "lifelines": sh("python3 -c 'import lifelines, pandas, numpy; print(lifelines.__version__, \"pandas\", pandas.__version__, \"numpy\", numpy.__version__)' 2>/dev/null"),
        "chromium": sh("${CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null"),
        "wasm_size": fs::read_to_string("target/wasm-size.json").ok().and_then(|s| serde_json::from_str::<Value>(&s).ok()),
        "load_average_at_start": loadavg(),
    })
}

fn run_engine(e: &Engine, task: &str, file: &Path, p: usize, reps: usize) -> Value {
    let mut cmd = Command::new("timeout");
    cmd.arg(std::env::var("BENCH_TIMEOUT").unwrap_or_else(|_| "1200".into()));
    cmd.args(&e.cmd);
    cmd.args(["--task", task, "--file"]);
    cmd.arg(file);
    cmd.args(["--p", &p.to_string(), "--reps", &reps.to_string()]);
    let t0 = Instant::now();
    let out = match cmd.output() {
        Ok(o) => o,
        Err(err) => return json!({"error": format!("could not start: {err}")}),
    };
    let wall = t0.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l.trim()).ok());
    match parsed {
        Some(mut v) if out.status.success() => {
            let times: Vec<f64> = v["times"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            if times.is_empty() {
                return json!({"error": "no times reported"});
            }
            v["median_s"] = json!(median(&times));
            let cpu: Vec<f64> = v["cpu_times"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default();
            if !cpu.is_empty() {
                v["median_cpu_s"] = json!(median(&cpu));
            }
            v["min_s"] = json!(times.iter().cloned().fold(f64::INFINITY, f64::min));
            v["process_wall_s"] = json!(wall);
            v
        }
        _ => {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: String = err
                .lines()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join(" | ");
            let why = if out.status.code() == Some(124) {
                "timed out".to_string()
            } else {
                format!("failed ({}): {tail}", out.status)
            };
            json!({"error": why})
        }
    }
}

fn fmt_s(v: &Value, key: &str) -> String {
    match v.get(key).and_then(Value::as_f64) {
        Some(s) if s < 0.01 => format!("{:.2} ms", s * 1e3),
        Some(s) if s < 1.0 => format!("{:.0} ms", s * 1e3),
        Some(s) => format!("{s:.2} s"),
        None => match v.get("error").and_then(Value::as_str) {
            Some(_) => "error".into(),
            None => "–".into(),
        },
    }
}

fn fmt_mem(v: &Value) -> String {
    match v.get("peak_rss_kb").and_then(Value::as_f64) {
        Some(kb) => format!("{:.0}", kb / 1024.0),
        None => "–".into(),
    }
}

fn ratio(a: &Value, b: &Value, key: &str) -> Option<f64> {
    let x = a.get(key)?.as_f64()?;
    let y = b.get(key)?.as_f64()?;
    (y > 0.0).then_some(x / y)
}

fn fmt_ratio(r: Option<f64>) -> String {
    r.map_or("–".into(), |r| format!("{r:.3}"))
}

fn all_cmd(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick")
        || std::env::var("BENCH_QUICK").is_ok_and(|v| !v.is_empty() && v != "0");
    let reps = arg(args, "--reps")
        .or_else(|| std::env::var("BENCH_REPS").ok())
        .and_then(|r| r.parse().ok())
        .unwrap_or(5usize)
        .max(1);
    let wanted: Vec<String> = arg(args, "--engines")
        .or_else(|| std::env::var("BENCH_ENGINES").ok())
        .unwrap_or_else(|| "native,wasm,r,lifelines,browser".into())
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let sizes: Vec<usize> = if let Ok(list) = std::env::var("BENCH_SIZES") {
        // e.g. BENCH_SIZES=1e6 (with --merge to keep the other sizes' figures)
        list.split(',')
            .filter_map(|v| v.trim().parse::<f64>().ok().map(|x| x as usize))
            .collect()
    } else if quick {
        vec![10_000, 100_000]
    } else {
        vec![10_000, 100_000, 1_000_000]
    };
    let root = PathBuf::from("target/bench");
    let data = root.join("data");
    fs::create_dir_all(&data).map_err(|e| e.to_string())?;

    // Engines, each skipped with a message when its runtime is missing.
    let me = std::env::current_exe()
        .map_err(|e| e.to_string())?
        .to_string_lossy()
        .into_owned();
    let mut engines = Vec::new();
    if wanted.iter().any(|w| w == "native") {
        engines.push(Engine {
            id: "native",
            label: "survkit native",
            cmd: vec![me, "native".into()],
            tasks: &["import", "km", "cox", "page"],
        });
    }
    let mut skipped = Vec::new();
    // The benchmark's module: the page's plus the bench_* exports (feature `bench`).
    let has_wasm = Path::new("target/bench/pkg/survkit_wasm_bg.wasm").exists()
        && fs::read_to_string("target/bench/pkg/survkit_wasm.js")
            .is_ok_and(|s| s.contains("bench_import"));
    if wanted.iter().any(|w| w == "wasm") {
        if sh("command -v node").is_none() {
            skipped.push("wasm: node not found".to_string());
        } else if !has_wasm {
            skipped.push(
                "wasm: target/bench/pkg has no bench_* exports (run bash scripts/build-wasm.sh --bench)".into(),
            );
        } else {
            engines.push(Engine {
                id: "wasm",
                label: "survkit wasm (Node)",
                cmd: vec!["node".into(), "bench/wasm.mjs".into()],
                tasks: &["import", "km", "cox", "page"],
            });
        }
    }
    if wanted.iter().any(|w| w == "r") {
        if sh("Rscript -e 'library(survival)' 2>/dev/null").is_some() {
            engines.push(Engine {
                id: "r",
                label: "R survival",
                cmd: vec!["Rscript".into(), "bench/survival.R".into()],
                tasks: &["import", "km", "cox", "page"],
            });
        } else {
            skipped.push("R: Rscript or the survival package not found (apt-get install r-base-core r-cran-survival)".into());
        }
    }
    if wanted.iter().any(|w| w == "lifelines") {
        if sh("python3 -c 'import lifelines' 2>/dev/null").is_some() {
            engines.push(Engine {
                id: "lifelines",
                label: "lifelines",
                cmd: vec!["python3".into(), "bench/lifelines_bench.py".into()],
                tasks: &["km", "cox"],
            });
        } else {
            skipped.push(
                "lifelines: python3 -c 'import lifelines' failed (pip install lifelines)".into(),
            );
        }
    }
    for s in &skipped {
        eprintln!("== skipping {s}");
    }

    let machine = machine();
    eprintln!(
        "== machine: {} ({} cores), load {}",
        machine["cpu"].as_str().unwrap_or("?"),
        machine["cores"],
        loadavg()
    );

    // Tasks: (task, p). KM + log-rank does not depend on p: run on the p = 5 file.
    let plan: [(&str, usize); 7] = [
        ("import", 5),
        ("import", 20),
        ("km", 5),
        ("cox", 5),
        ("cox", 20),
        ("page", 5),
        ("page", 20),
    ];
    let mut results: Vec<Value> = Vec::new();
    for &n in &sizes {
        for p in [5usize, 20] {
            let f = data.join(format!("cohort_n{n}_p{p}.csv"));
            if !f.exists() {
                eprintln!("== writing {}", f.display());
                generate(&f, n, p)?;
            }
        }
        for &(task, p) in &plan {
            let f = data.join(format!("cohort_n{n}_p{p}.csv"));
            let bytes = fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
            let mut row = json!({
                "n": n, "p": p, "task": task,
                "file": f.to_string_lossy(), "file_bytes": bytes,
                "columns": if p < 11 { 15 } else { 4 + p },
                "engines": {},
            });
            for e in &engines {
                if !e.tasks.contains(&task) {
                    continue;
                }
                // At 1e6 the full plan takes over 30 min on 2 shared cores: by default
                // keep what the targets need (BENCH_FULL=1 runs everything).
                let full = std::env::var("BENCH_FULL").is_ok_and(|v| v == "1");
                if n >= 1_000_000
                    && !full
                    && (matches!((task, p), ("import", 20) | ("page", 20))
                        || (e.id == "lifelines" && task == "cox" && p == 5))
                {
                    continue;
                }
                eprint!("   n={n:<8} p={p:<2} {task:<6} {:<20} ", e.label);
                let r = run_engine(e, task, &f, p, reps);
                eprintln!(
                    "{:>10} wall {:>10} CPU  peak {:>6} MB  (load {}){}",
                    fmt_s(&r, "median_s"),
                    fmt_s(&r, "median_cpu_s"),
                    fmt_mem(&r),
                    loadavg(),
                    r.get("error")
                        .and_then(Value::as_str)
                        .map(|e| format!("  {e}"))
                        .unwrap_or_default()
                );
                row["engines"][e.id] = r;
            }
            results.push(row);
            // Saved as it goes, so an interrupted run keeps what it measured.
            if let Ok(text) =
                serde_json::to_string_pretty(&json!({"partial": true, "results": results}))
            {
                let _ = fs::write(root.join("results.partial.json"), text);
            }
        }
    }

    // Browser: the page's own path for the largest cohort.
    let mut browser = Value::Null;
    if wanted.iter().any(|w| w == "browser") {
        let n = *sizes.last().expect("sizes");
        let f = data.join(format!("cohort_n{n}_p5.csv"));
        if has_wasm && sh("node -e \"import('playwright-core')\"").is_some() {
            eprint!("   n={n:<8} browser: drop to figure (headless Chromium) ");
            let b = Engine {
                id: "browser",
                label: "browser",
                cmd: vec!["node".into(), "bench/browser.mjs".into()],
                tasks: &["page"],
            };
            browser = run_engine(&b, "page", &f, 5, reps.min(5));
            eprintln!("{:>10}", fmt_s(&browser, "median_s"));
            browser["n"] = json!(n);
            browser["file_bytes"] = json!(fs::metadata(&f).map(|m| m.len()).unwrap_or(0));
        } else {
            eprintln!("== skipping browser: playwright-core or www/pkg missing");
        }
    }

    // `--merge`: keep the other engines' figures from the previous results.json, so an
    // engine can be re-run alone (e.g. after rebuilding the wasm package).
    let merge = args.iter().any(|a| a == "--merge");
    let mut merged_from = Value::Null;
    if merge {
        if let Some(prev) = fs::read_to_string(root.join("results.json"))
            .ok()
            .and_then(|s| serde_json::from_str::<Value>(&s).ok())
        {
            merged_from = json!({"unix_time": prev["unix_time"], "machine": prev["machine"]});
            for old in prev["results"].as_array().into_iter().flatten() {
                let key = |r: &Value| (r["n"].clone(), r["p"].clone(), r["task"].clone());
                let Some(row) = results.iter_mut().find(|r| key(r) == key(old)) else {
                    // A size not run this time: keep the whole row.
                    let mut row = old.clone();
                    row["from_previous_run"] = json!(true);
                    results.push(row);
                    continue;
                };
                for (id, v) in old["engines"].as_object().into_iter().flatten() {
                    if row["engines"].get(id).is_none() {
                        let mut v = v.clone();
                        v["from_previous_run"] = json!(true);
                        row["engines"][id] = v;
                    }
                }
            }
            if browser.is_null() && !prev["browser"].is_null() {
                browser = prev["browser"].clone();
                browser["from_previous_run"] = json!(true);
            }
        }
    }

    results.sort_by_key(|r| {
        let order = ["import", "km", "cox", "page"];
        let t = r["task"].as_str().unwrap_or("");
        (
            r["n"].as_u64().unwrap_or(0),
            order.iter().position(|o| *o == t).unwrap_or(9),
            r["p"].as_u64().unwrap_or(0),
        )
    });
    let targets_cpu = targets(&results, &machine, "median_cpu_s");
    let targets_wall = targets(&results, &machine, "median_s");
    let table = render_table(&results, &browser, "median_cpu_s");
    let table_wall = render_table(&results, &browser, "median_s");
    println!("CPU time of the engine process (median of {reps} runs after a warm-up):\n{table}");
    println!("Wall-clock time:\n{table_wall}");
    println!("Targets on CPU time:\n{}", render_targets(&targets_cpu));
    println!(
        "Targets on wall-clock time:\n{}",
        render_targets(&targets_wall)
    );
    for s in &skipped {
        println!("skipped: {s}");
    }
    let mut machine = machine;
    machine["load_average_at_end"] = json!(loadavg());
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let doc = json!({
        "schema": 1,
        "unix_time": stamp,
        "quick": quick,
        "reps": reps,
        "seed": SEED,
        "machine": machine,
        "skipped": skipped,
        "merged_from": merged_from,
        "results": results,
        "browser": browser,
        "targets_cpu": targets_cpu,
        "targets_wall": targets_wall,
        "table_cpu_markdown": table,
        "table_wall_markdown": table_wall,
    });
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?;
    fs::write(root.join("results.json"), &text).map_err(|e| e.to_string())?;
    fs::write(root.join(format!("results-{stamp}.json")), &text).map_err(|e| e.to_string())?;
    println!("wrote target/bench/results.json (and results-{stamp}.json)");
    Ok(())
}

fn get<'a>(results: &'a [Value], n: usize, task: &str, p: usize, engine: &str) -> &'a Value {
    results
        .iter()
        .find(|r| r["n"] == json!(n) && r["task"] == json!(task) && r["p"] == json!(p))
        .map(|r| &r["engines"][engine])
        .unwrap_or(&Value::Null)
}

fn render_table(results: &[Value], browser: &Value, key: &str) -> String {
    let names: BTreeMap<&str, &str> = [
        ("import", "CSV import"),
        ("km", "KM + log-rank by group"),
        ("cox", "Cox Efron"),
        ("page", "whole page analysis"),
    ]
    .into_iter()
    .collect();
    let mut s = String::from(
        "| n | task | p | cols | native | wasm | R | lifelines | native/R | wasm/R | wasm/lifelines | peak MB native / wasm / R / lifelines |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in results {
        let e = &r["engines"];
        let cols = r["columns"].as_u64().unwrap_or(0);
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} / {} / {} |\n",
            r["n"],
            names.get(r["task"].as_str().unwrap_or("")).unwrap_or(&"?"),
            r["p"],
            cols,
            fmt_s(&e["native"], key),
            fmt_s(&e["wasm"], key),
            fmt_s(&e["r"], key),
            fmt_s(&e["lifelines"], key),
            fmt_ratio(ratio(&e["native"], &e["r"], key)),
            fmt_ratio(ratio(&e["wasm"], &e["r"], key)),
            fmt_ratio(ratio(&e["wasm"], &e["lifelines"], key)),
            fmt_mem(&e["native"]),
            fmt_mem(&e["wasm"]),
            fmt_mem(&e["r"]),
            fmt_mem(&e["lifelines"]),
        ));
    }
    if !browser.is_null() {
        s.push_str(&format!(
            "\nBrowser (headless Chromium, page's own path, file drop to KM figure), n = {}: {} (median of {} runs; first figure after drop)\n",
            browser["n"],
            fmt_s(browser, "median_s"),
            browser["times"].as_array().map_or(0, Vec::len)
        ));
    }
    s
}

fn targets(results: &[Value], machine: &Value, key: &str) -> Value {
    let n = 1_000_000;
    let med = |task: &str, p: usize, e: &str| get(results, n, task, p, e)[key].as_f64();
    let mut out = Vec::new();
    let mut push = |name: &str, measured: Option<f64>, limit: f64, unit: &str| {
        out.push(json!({
            "target": name,
            "measured": measured,
            "limit": limit,
            "unit": unit,
            "status": match measured { Some(m) if m <= limit => "MET", Some(_) => "MISSED", None => "NOT MEASURED" },
        }));
    };
    let r5 = med("cox", 5, "r");
    push(
        "Cox Efron n=1e6 p=5: wasm / R <= 0.2",
        med("cox", 5, "wasm").zip(r5).map(|(a, b)| a / b),
        0.2,
        "ratio",
    );
    push(
        "Cox Efron n=1e6 p=5: native / R <= 0.1",
        med("cox", 5, "native").zip(r5).map(|(a, b)| a / b),
        0.1,
        "ratio",
    );
    let faster = match (med("cox", 20, "r"), med("cox", 20, "lifelines")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    push(
        "Cox Efron n=1e6 p=20: wasm / min(R, lifelines) <= 0.5",
        med("cox", 20, "wasm").zip(faster).map(|(a, b)| a / b),
        0.5,
        "ratio",
    );
    push(
        "KM + log-rank n=1e6: wasm / lifelines <= 1",
        med("km", 5, "wasm")
            .zip(med("km", 5, "lifelines"))
            .map(|(a, b)| a / b),
        1.0,
        "ratio",
    );
    push(
        "CSV import 1e6 x 15 columns: wasm <= 2 s",
        med("import", 5, "wasm"),
        2.0,
        "s",
    );
    let imp = get(results, n, "import", 5, "wasm");
    let file = results
        .iter()
        .find(|r| r["n"] == json!(n) && r["task"] == "import" && r["p"] == json!(5))
        .and_then(|r| r["file_bytes"].as_f64());
    push(
        "CSV import 1e6 x 15 columns: wasm peak memory <= 3 x file size",
        imp["wasm_memory_bytes"]
            .as_f64()
            .zip(file)
            .map(|(m, f)| m / f),
        3.0,
        "x file size",
    );
    push(
        "wasm file <= 720 KB gzipped",
        machine["wasm_size"]["gzip_bytes"]
            .as_f64()
            .map(|b| b / 1024.0),
        720.0,
        "KB",
    );
    Value::Array(out)
}

fn render_targets(t: &Value) -> String {
    let mut s = String::from("| target | measured | status |\n|---|---|---|\n");
    for x in t.as_array().into_iter().flatten() {
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            x["target"].as_str().unwrap_or(""),
            x["measured"].as_f64().map_or("–".into(), |m| format!(
                "{m:.3} {}",
                x["unit"].as_str().unwrap_or("")
            )),
            x["status"].as_str().unwrap_or("")
        ));
    }
    s
}
