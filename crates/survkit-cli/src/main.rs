//! `survkit`: the command-line shell around the same engine the page uses.
//!
//! Argument parsing, files and exit codes only; every number comes from
//! `survkit_report::run`, exactly as in the browser.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use survkit_data::{EndpointSpec, ImportOptions, TimeUnit, VariableSpec};
use survkit_report::figures::{render, FigureKind, FigureRequest};
use survkit_report::{analyze_bytes, load, tables, Report, Spec};

#[derive(Parser)]
#[command(
    name = "survkit",
    version,
    about = "Survival analysis (Kaplan–Meier, log-rank, Cox) that agrees with R's survival package"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a CSV/TSV/XLSX/ODS file and print medians, tests, follow-up and Cox models.
    Analyze(AnalyzeArgs),
    /// Draw a figure (Kaplan–Meier, forest, cumulative hazard, log-log) as SVG or PDF.
    Figure {
        #[command(flatten)]
        analysis: AnalyzeArgs,
        /// Which figure: km, forest, cumhaz, loglog.
        #[arg(long, default_value = "km")]
        kind: String,
        /// Output file; .svg or .pdf.
        #[arg(long, short)]
        out: PathBuf,
        /// Width in cm.
        #[arg(long, default_value_t = 16.0)]
        width_cm: f64,
        /// Height in cm (default: fits the content).
        #[arg(long)]
        height_cm: Option<f64>,
    },
    /// Show how a file is read: format, delimiter, encoding, columns and their types.
    Inspect {
        /// The data file.
        data: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct AnalyzeArgs {
    /// The data file (CSV, TSV, XLSX, XLS or ODS).
    data: PathBuf,
    /// Analysis settings saved from the page (or by --save-spec); flags override them.
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Column with the follow-up time.
    #[arg(long)]
    time: Option<String>,
    /// Column with the event indicator.
    #[arg(long)]
    event: Option<String>,
    /// Values of the event column that mean "event" (all other values: censored).
    #[arg(long, value_delimiter = ',')]
    event_value: Vec<String>,
    /// Name of the endpoint in the output (e.g. OS).
    #[arg(long)]
    name: Option<String>,
    /// Unit of the time column: days, weeks, months, years.
    #[arg(long)]
    time_unit: Option<String>,
    /// Unit to report times in (months = 30.4375 days, years = 365.25 days).
    #[arg(long)]
    output_unit: Option<String>,
    /// Column with the delayed-entry (left-truncation) time.
    #[arg(long)]
    entry: Option<String>,
    /// Column that defines the groups compared.
    #[arg(long)]
    group: Option<String>,
    /// Column for stratified tests and Cox models.
    #[arg(long)]
    strata: Option<String>,
    /// KM confidence interval transform: log (R), log-log (SAS, Stata, Prism), plain.
    #[arg(long)]
    conf_type: Option<String>,
    /// Confidence level, e.g. 0.95.
    #[arg(long)]
    conf_level: Option<f64>,
    /// Report survival at these times, e.g. 12,36,60.
    #[arg(long, value_delimiter = ',')]
    times: Vec<f64>,
    /// Restricted mean survival time up to this time.
    #[arg(long)]
    rmst_tau: Option<f64>,
    /// Covariates for Cox models (each alone, then together).
    #[arg(long, value_delimiter = ',')]
    covariates: Vec<String>,
    /// Cox tie method: efron (R) or breslow (SAS, Stata).
    #[arg(long)]
    ties: Option<String>,
    /// Reference level of a categorical covariate or the group: var=level (repeatable).
    #[arg(long)]
    reference: Vec<String>,
    /// Worksheet to read from a workbook.
    #[arg(long)]
    sheet: Option<String>,
    /// Print the Report as JSON.
    #[arg(long)]
    json: bool,
    /// Write the Spec used to this file (to reproduce the analysis, or load it in the page).
    #[arg(long)]
    save_spec: Option<PathBuf>,
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn unit(s: &str) -> Result<TimeUnit, String> {
    serde_json::from_value(serde_json::Value::from(s.to_ascii_lowercase()))
        .map_err(|_| format!("unknown time unit '{s}': use days, weeks, months or years"))
}

fn json_enum<T: serde::de::DeserializeOwned>(
    what: &str,
    s: &str,
    allowed: &str,
) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::from(s))
        .map_err(|_| format!("unknown {what} '{s}': use {allowed}"))
}

/// Builds the Spec from a saved Spec (if any) and the flags.
fn build_spec(a: &AnalyzeArgs) -> Result<Spec, String> {
    let mut spec = match &a.spec {
        Some(p) => Spec::from_json(&String::from_utf8_lossy(&read(p)?))?,
        None => Spec::default(),
    };
    if let Some(sheet) = &a.sheet {
        spec.import.sheet = Some(sheet.clone());
    }
    if a.time.is_some() || a.event.is_some() || spec.endpoints.is_empty() {
        let mut ep = spec.endpoints.first().cloned().unwrap_or_default();
        if let Some(t) = &a.time {
            ep.time = Some(t.clone());
        }
        if let Some(e) = &a.event {
            ep.event = e.clone();
        }
        if ep.event.is_empty() || (ep.time.is_none() && ep.start_date.is_none()) {
            return Err("say which columns hold the time and the event: --time COLUMN --event COLUMN (or --spec FILE)".into());
        }
        spec.endpoints = vec![ep];
    }
    let ep: &mut EndpointSpec = &mut spec.endpoints[0];
    if !a.event_value.is_empty() {
        ep.event_values = Some(a.event_value.clone());
    }
    if let Some(n) = &a.name {
        ep.name = n.clone();
    }
    if let Some(u) = &a.time_unit {
        ep.time_unit = Some(unit(u)?);
    }
    if let Some(u) = &a.output_unit {
        ep.output_unit = Some(unit(u)?);
    }
    if let Some(e) = &a.entry {
        ep.entry = Some(e.clone());
    }
    let var = |c: &str| VariableSpec {
        column: c.to_string(),
        ..Default::default()
    };
    if let Some(g) = &a.group {
        spec.group = Some(var(g));
    }
    if let Some(s) = &a.strata {
        spec.strata = Some(var(s));
    }
    if !a.covariates.is_empty() {
        spec.covariates = a.covariates.iter().map(|c| var(c)).collect();
        spec.cox.covariates = a.covariates.clone();
        spec.cox.univariable = a.covariates.clone();
    }
    for r in &a.reference {
        let (name, level) = r.split_once('=').ok_or_else(|| {
            format!("--reference '{r}': write it as variable=level, e.g. --reference stage=I")
        })?;
        let targets = spec
            .covariates
            .iter_mut()
            .chain(spec.group.as_mut())
            .filter(|v| v.column == name || v.label.as_deref() == Some(name))
            .collect::<Vec<_>>();
        if targets.is_empty() {
            return Err(format!("--reference '{r}': '{name}' is not a covariate or the group; add it with --covariates or --group"));
        }
        for v in targets {
            v.reference = Some(level.to_string());
        }
    }
    if let Some(c) = &a.conf_type {
        spec.survival.km.conf_type = json_enum("CI transform", c, "log, log-log or plain")?;
    }
    if let Some(l) = a.conf_level {
        spec.survival.km.conf_level = l;
        spec.cox.conf_level = l;
    }
    if !a.times.is_empty() {
        spec.survival.km.times = a.times.clone();
    }
    if a.rmst_tau.is_some() {
        spec.survival.km.rmst_tau = a.rmst_tau;
    }
    if let Some(t) = &a.ties {
        spec.cox.ties = json_enum("tie method", t, "efron or breslow")?;
    }
    Ok(spec)
}

fn analyze(a: &AnalyzeArgs) -> Result<Report, String> {
    let spec = build_spec(a)?;
    if let Some(p) = &a.save_spec {
        let json = serde_json::to_string_pretty(&spec).map_err(|e| e.to_string())?;
        std::fs::write(p, json + "\n").map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    }
    let bytes = read(&a.data)?;
    let name = a
        .data
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    analyze_bytes(&bytes, &name, &spec).map_err(|e| e.to_string())
}

fn print_text(report: &Report) {
    println!(
        "survkit {} — {}\n",
        report.survkit_version, report.input.file_name
    );
    for (i, ep) in report.endpoints.iter().enumerate() {
        println!(
            "Endpoint {}: {} ({} patients, {} events; times in {})",
            i + 1,
            ep.name,
            ep.n,
            ep.events,
            ep.time_unit
        );
        println!("Event coding: {}", ep.event_coding);
        for w in ep.all_warnings() {
            println!("WARNING: {}", w.message);
        }
        println!();
    }
    for t in tables::tables(report) {
        println!("{}", t.to_text());
    }
    for ep in &report.endpoints {
        if ep.excluded.is_empty() {
            println!("Rows left out of {}: none.\n", ep.name);
        }
        println!("Methods and results\n{}\n", ep.methods);
    }
    println!("{}", report.conventions_text);
}

fn main_inner() -> Result<(), String> {
    let cli = Cli::parse();
    match cli.command {
        Command::Analyze(a) => {
            let report = analyze(&a)?;
            // The JSON straight from the typed Report: the same serialiser as the page's.
            if a.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
                );
            } else {
                print_text(&report);
            }
        }
        Command::Figure {
            analysis,
            kind,
            out,
            width_cm,
            height_cm,
        } => {
            let report = analyze(&analysis)?;
            let kind: FigureKind = json_enum("figure", &kind, "km, forest, cumhaz or loglog")?;
            let req = FigureRequest {
                kind,
                width_cm: Some(width_cm),
                height_cm,
                ..Default::default()
            };
            let fig = render(&report, &req)?;
            let bytes = match out
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("pdf") => fig.to_pdf(),
                Some("svg") => fig.to_svg().into_bytes(),
                _ => {
                    return Err(format!(
                        "{}: the output file must end in .svg or .pdf",
                        out.display()
                    ))
                }
            };
            std::fs::write(&out, bytes)
                .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        Command::Inspect { data, json } => {
            let bytes = read(&data)?;
            let name = data
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let table =
                load(&bytes, &name, &ImportOptions::default()).map_err(|e| e.to_string())?;
            let summary = table.summary(5);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?
                );
            } else {
                let s = &summary.source;
                println!(
                    "{}: {} rows, {} columns ({:?})",
                    s.file_name,
                    summary.n_rows,
                    summary.columns.len(),
                    s.format
                );
                for n in &s.notes {
                    println!("  note: {n}");
                }
                for c in &summary.columns {
                    println!(
                        "  {:<24} {:<12} missing {:>5}  unreadable {:>5}",
                        c.name,
                        c.kind.as_str(),
                        c.n_missing,
                        c.n_invalid
                    );
                }
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match main_inner() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("survkit: {e}");
            ExitCode::FAILURE
        }
    }
}
