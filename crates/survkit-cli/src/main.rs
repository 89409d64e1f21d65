//! `survkit`: the command-line shell around the same engine the page uses.
//!
//! Argument parsing, files and exit codes only; every number comes from
//! `survkit_report::run`, exactly as in the browser.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use survkit_core::compare::TestMethod;
use survkit_data::{EndpointSpec, ImportOptions, RowFilter, TimeUnit, VariableSpec};
use survkit_report::cox::Backward;
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
    /// Covariates whose effect may differ between strata (needs --strata), as R's
    /// coxph(Surv(t, s) ~ x + x:strata(g) + strata(g)), e.g. --strata-interaction age.
    #[arg(long, value_delimiter = ',')]
    strata_interaction: Vec<String>,
    /// Cox Newton–Raphson iteration limit (R's iter.max, default 20).
    #[arg(long)]
    iter_max: Option<usize>,
    /// Kaplan–Meier variance: auto (R: Greenwood, robust for non-integer weights),
    /// greenwood or robust.
    #[arg(long)]
    km_variance: Option<String>,
    /// Cox convergence tolerance on the log-likelihood (R's eps, default 1e-9).
    #[arg(long)]
    eps: Option<f64>,
    /// Column of case weights (weighted Kaplan–Meier curves and Cox models).
    #[arg(long)]
    weights: Option<String>,
    /// Survival asked for after the last observed time: carry (R) or not-estimable (SAS).
    #[arg(long)]
    beyond_follow_up: Option<String>,
    /// Reference level of a categorical covariate or the group: var=level (repeatable).
    #[arg(long)]
    reference: Vec<String>,
    /// Worksheet to read from a workbook.
    #[arg(long)]
    sheet: Option<String>,
    /// Field delimiter of a text file (default: detected), e.g. ';' or 'tab'.
    #[arg(long)]
    delimiter: Option<String>,
    /// Decimal mark of a text file (default: detected): '.' or ','.
    #[arg(long)]
    decimal: Option<char>,
    /// Text encoding (default: detected), e.g. windows-1252.
    #[arg(long)]
    encoding: Option<String>,
    /// Whether the first row holds the column names (default: detected).
    #[arg(long)]
    header: Option<bool>,
    /// Cell texts that mean "missing" (replaces the default list).
    #[arg(long, value_delimiter = ',')]
    missing: Vec<String>,
    /// Type of a column: name=numeric|date|categorical|boolean (repeatable).
    #[arg(long)]
    column_type: Vec<String>,
    /// Order of ambiguous dates: day-first or month-first.
    #[arg(long)]
    date_order: Option<String>,
    /// Refuse files larger than this many bytes.
    #[arg(long)]
    max_bytes: Option<usize>,
    /// Column with the start date (instead of --time; needs --end-date).
    #[arg(long)]
    start_date: Option<String>,
    /// Column(s) with the end date; later ones fill in where the first is missing.
    #[arg(long, value_delimiter = ',')]
    end_date: Vec<String>,
    /// What a value of the event column means: value=event|censored|exclude (repeatable).
    #[arg(long)]
    event_map: Vec<String>,
    /// Column identifying clusters, for robust standard errors (Cox).
    #[arg(long)]
    cluster: Option<String>,
    /// Keep only rows meeting a condition, e.g. "age>=18" or "arm!=placebo" (repeatable).
    #[arg(long)]
    filter: Vec<String>,
    /// Label of a variable in the output: var=label (repeatable).
    #[arg(long)]
    label: Vec<String>,
    /// Order of a categorical variable's levels: var=a/b/c (repeatable).
    #[arg(long)]
    levels: Vec<String>,
    /// Cut a numeric variable into groups: var=50/65 (repeatable).
    #[arg(long)]
    cut_points: Vec<String>,
    /// Cut these numeric variables at their median.
    #[arg(long, value_delimiter = ',')]
    cut_at_median: Vec<String>,
    /// Enter these categorical variables as ordered scores 1, 2, 3, ...
    #[arg(long, value_delimiter = ',')]
    ordinal: Vec<String>,
    /// Treat these numeric variables as categories.
    #[arg(long, value_delimiter = ',')]
    categorical: Vec<String>,
    /// Quantiles of survival to report, e.g. 0.25,0.5,0.75.
    #[arg(long, value_delimiter = ',')]
    quantiles: Vec<f64>,
    /// Tests between groups: log-rank, peto-peto, gehan-breslow, tarone-ware, fh:RHO:GAMMA.
    #[arg(long, value_delimiter = ',')]
    tests: Vec<String>,
    /// Adjustment of pairwise P values: none, bonferroni, holm, bh.
    #[arg(long)]
    pairwise_adjust: Option<String>,
    /// Pairwise tests of each group against the reference only.
    #[arg(long)]
    pairwise_vs_reference: bool,
    /// Reference group for hazard ratios and RMST differences.
    #[arg(long)]
    reference_group: Option<String>,
    /// Test for trend across the ordered groups.
    #[arg(long)]
    trend: bool,
    /// Covariates of the multivariable model, when not all of --covariates.
    #[arg(long, value_delimiter = ',')]
    multivariable: Vec<String>,
    /// Candidates of the univariable screen, when not all of --covariates.
    #[arg(long, value_delimiter = ',')]
    univariable: Vec<String>,
    /// Robust (sandwich) standard errors.
    #[arg(long)]
    robust: bool,
    /// Test proportional hazards (cox.zph).
    #[arg(long)]
    zph: bool,
    /// Also fit Firth's penalized likelihood.
    #[arg(long)]
    firth: bool,
    /// Add to the multivariable model every candidate with univariable P below this.
    #[arg(long)]
    select_p: Option<f64>,
    /// Backward elimination (exploratory): p[=THRESHOLD] or aic.
    #[arg(long)]
    backward: Option<String>,
    /// Interaction of two covariates: a*b (repeatable).
    #[arg(long)]
    interaction: Vec<String>,
    /// Confidence level of the Cox hazard ratios (default: --conf-level).
    #[arg(long)]
    cox_conf_level: Option<f64>,
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
    apply_import_flags(a, &mut spec)?;
    if a.time.is_some() || a.event.is_some() || a.start_date.is_some() || spec.endpoints.is_empty()
    {
        let mut ep = spec.endpoints.first().cloned().unwrap_or_default();
        if let Some(t) = &a.time {
            ep.time = Some(t.clone());
        }
        if let Some(e) = &a.event {
            ep.event = e.clone();
        }
        if let Some(d) = &a.start_date {
            ep.start_date = Some(d.clone());
            ep.time = None;
        }
        if let Some((first, rest)) = a.end_date.split_first() {
            ep.end_date = Some(first.clone());
            ep.end_dates = rest.to_vec();
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
    apply_model_flags(a, &mut spec)?;
    if !a.strata_interaction.is_empty() {
        if spec.strata.is_none() {
            return Err("--strata-interaction needs a strata column: add --strata COLUMN".into());
        }
        for v in &a.strata_interaction {
            if !spec.cox.covariates.contains(v) {
                return Err(format!(
                    "--strata-interaction '{v}': '{v}' is not a covariate of the model; add it with --covariates"
                ));
            }
        }
        spec.cox.strata_interactions = a.strata_interaction.clone();
    }
    if let Some(k) = a.iter_max {
        if k == 0 {
            return Err("--iter-max must be at least 1 (R's default is 20)".into());
        }
        spec.cox.iter_max = k;
    }
    if let Some(e) = a.eps {
        if !(e > 0.0 && e < 1.0) {
            return Err(format!(
                "--eps must be between 0 and 1 (R's default is 1e-9), found {e}"
            ));
        }
        spec.cox.eps = e;
    }
    if let Some(v) = &a.km_variance {
        spec.survival.km.variance = json_enum("KM variance", v, "auto, greenwood or robust")?;
    }
    if let Some(b) = &a.beyond_follow_up {
        spec.survival.km.beyond_follow_up =
            json_enum("convention after follow-up", b, "carry or not-estimable")?;
    }
    Ok(spec)
}

/// `name=value` of a repeatable flag.
fn pair<'a>(flag: &str, s: &'a str, example: &str) -> Result<(&'a str, &'a str), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim(), v.trim()))
        .ok_or_else(|| format!("--{flag} '{s}': write it as {example}"))
}

/// The import flags (how to read the file).
fn apply_import_flags(a: &AnalyzeArgs, spec: &mut Spec) -> Result<(), String> {
    let im = &mut spec.import;
    if let Some(d) = &a.delimiter {
        im.delimiter = Some(match d.as_str() {
            "tab" | "\\t" => '\t',
            _ if d.chars().count() == 1 => d.chars().next().unwrap_or(','),
            _ => return Err(format!("--delimiter '{d}': give one character, or 'tab'")),
        });
    }
    if a.decimal.is_some() {
        im.decimal = a.decimal;
    }
    if a.encoding.is_some() {
        im.encoding = a.encoding.clone();
    }
    if a.header.is_some() {
        im.header = a.header;
    }
    if !a.missing.is_empty() {
        im.missing = a.missing.clone();
    }
    for c in &a.column_type {
        let (name, kind) = pair(
            "column-type",
            c,
            "name=numeric (or date, categorical, boolean)",
        )?;
        im.column_types.insert(
            name.to_string(),
            json_enum("column type", kind, "numeric, date, categorical or boolean")?,
        );
    }
    if let Some(o) = &a.date_order {
        im.date_order = Some(json_enum("date order", o, "day-first or month-first")?);
    }
    if a.max_bytes.is_some() {
        im.max_bytes = a.max_bytes;
    }
    Ok(())
}

/// Parses a filter such as `age>=18`.
fn filter(s: &str) -> Result<RowFilter, String> {
    for op in ["==", "!=", "<=", ">=", "<", ">", "="] {
        if let Some((col, value)) = s.split_once(op) {
            let op = if op == "=" { "==" } else { op };
            return Ok(RowFilter {
                column: col.trim().to_string(),
                op: json_enum("filter operator", op, "==, !=, <, <=, > or >=")?,
                value: value.trim().to_string(),
            });
        }
    }
    Err(format!(
        "--filter '{s}': write it as column, operator, value, e.g. --filter \"age>=18\""
    ))
}

/// A change to one variable's coding.
type VarEdit = Box<dyn Fn(&mut VariableSpec)>;

/// The variable-coding, survival and Cox flags.
fn apply_model_flags(a: &AnalyzeArgs, spec: &mut Spec) -> Result<(), String> {
    if let Some(w) = &a.weights {
        spec.weights = Some(w.clone());
    }
    if let Some(c) = &a.cluster {
        spec.cluster = Some(c.clone());
    }
    for f in &a.filter {
        spec.filter.push(filter(f)?);
    }
    for m in &a.event_map {
        let (value, meaning) = pair("event-map", m, "value=event (or censored, exclude)")?;
        let meaning = json_enum("event meaning", meaning, "event, censored or exclude")?;
        for ep in &mut spec.endpoints {
            ep.event_map.insert(value.to_string(), meaning);
        }
    }
    // Variable coding: group, strata and covariates by column or label.
    let mut vars: Vec<&mut VariableSpec> = spec
        .covariates
        .iter_mut()
        .chain(spec.group.as_mut())
        .chain(spec.strata.as_mut())
        .collect();
    let find = |flag: &str, name: &str| -> Result<Vec<usize>, String> {
        let hits: Vec<usize> = (0..vars.len())
            .filter(|&i| vars[i].column == name || vars[i].label.as_deref() == Some(name))
            .collect();
        if hits.is_empty() {
            Err(format!("--{flag} '{name}': not a covariate, the group or the strata; add it with --covariates, --group or --strata"))
        } else {
            Ok(hits)
        }
    };
    let mut edits: Vec<(usize, VarEdit)> = Vec::new();
    for l in &a.label {
        let (name, label) = pair("label", l, "variable=label")?;
        let label = label.to_string();
        for i in find("label", name)? {
            let label = label.clone();
            edits.push((i, Box::new(move |v| v.label = Some(label.clone()))));
        }
    }
    for l in &a.levels {
        let (name, levels) = pair("levels", l, "variable=a/b/c")?;
        let levels: Vec<String> = levels.split('/').map(|x| x.trim().to_string()).collect();
        for i in find("levels", name)? {
            let levels = levels.clone();
            edits.push((i, Box::new(move |v| v.levels = levels.clone())));
        }
    }
    for c in &a.cut_points {
        let (name, cuts) = pair("cut-points", c, "variable=50/65")?;
        let cuts = cuts
            .split('/')
            .map(|x| x.trim().parse::<f64>())
            .collect::<Result<Vec<f64>, _>>()
            .map_err(|_| {
                format!("--cut-points '{c}': the cut points must be numbers, e.g. age=50/65")
            })?;
        for i in find("cut-points", name)? {
            let cuts = cuts.clone();
            edits.push((i, Box::new(move |v| v.cut_points = cuts.clone())));
        }
    }
    for n in &a.cut_at_median {
        for i in find("cut-at-median", n)? {
            edits.push((i, Box::new(|v| v.cut_at_median = true)));
        }
    }
    for n in &a.ordinal {
        for i in find("ordinal", n)? {
            edits.push((i, Box::new(|v| v.ordinal = true)));
        }
    }
    for n in &a.categorical {
        for i in find("categorical", n)? {
            edits.push((i, Box::new(|v| v.categorical = true)));
        }
    }
    for (i, edit) in edits {
        edit(vars[i]);
    }
    let sv = &mut spec.survival;
    if !a.quantiles.is_empty() {
        sv.km.quantiles = a.quantiles.clone();
    }
    if !a.tests.is_empty() {
        sv.tests = a
            .tests
            .iter()
            .map(|t| match t.strip_prefix("fh:") {
                Some(rg) => {
                    let (rho, gamma) = rg.split_once(':').unwrap_or((rg, "0"));
                    let num = |x: &str| {
                        x.parse::<f64>()
                            .map_err(|_| format!("--tests '{t}': write fh:RHO:GAMMA, e.g. fh:1:0"))
                    };
                    Ok(TestMethod::FlemingHarrington {
                        rho: num(rho)?,
                        gamma: num(gamma)?,
                    })
                }
                None => json_enum(
                    "test",
                    t,
                    "log-rank, peto-peto, gehan-breslow, tarone-ware or fh:RHO:GAMMA",
                ),
            })
            .collect::<Result<_, String>>()?;
    }
    if let Some(p) = &a.pairwise_adjust {
        sv.pairwise_adjust = json_enum("adjustment", p, "none, bonferroni, holm or bh")?;
    }
    if a.pairwise_vs_reference {
        sv.pairwise_vs_reference = true;
    }
    if a.reference_group.is_some() {
        sv.reference_group = a.reference_group.clone();
    }
    if a.trend {
        sv.trend = true;
    }
    let cox = &mut spec.cox;
    if !a.multivariable.is_empty() {
        cox.covariates = a.multivariable.clone();
    }
    if !a.univariable.is_empty() {
        cox.univariable = a.univariable.clone();
    }
    cox.robust |= a.robust;
    cox.zph |= a.zph;
    cox.firth |= a.firth;
    if a.select_p.is_some() {
        cox.select_p = a.select_p;
    }
    if let Some(b) = &a.backward {
        cox.backward = Some(match b.split_once('=') {
            _ if b == "aic" => Backward::Aic,
            _ if b == "p" => Backward::P { threshold: 0.05 },
            Some(("p", t)) => Backward::P {
                threshold: t
                    .parse()
                    .map_err(|_| format!("--backward '{b}': write p, p=0.1 or aic"))?,
            },
            _ => return Err(format!("--backward '{b}': write p, p=0.1 or aic")),
        });
    }
    for i in &a.interaction {
        let (x, y) = i
            .split_once('*')
            .ok_or_else(|| format!("--interaction '{i}': write it as a*b"))?;
        cox.interactions
            .push([x.trim().to_string(), y.trim().to_string()]);
    }
    if a.cox_conf_level.is_some() {
        cox.conf_level = a.cox_conf_level.unwrap_or(0.95);
    }
    Ok(())
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

#[cfg(test)]
mod spec_coverage {
    //! Every Spec option is reachable from both shells: this walks the Spec's fields
    //! (from its JSON, so a new field shows up here by itself) and fails for any that
    //! has no CLI flag, or no page control and no entry in the page's known gaps.

    use super::*;
    use clap::CommandFactory;
    use serde_json::Value;

    /// Spec field (path in its JSON, `[]` for list items) → CLI flag(s).
    const CLI: &[(&str, &[&str])] = &[
        ("import.delimiter", &["delimiter"]),
        ("import.decimal", &["decimal"]),
        ("import.encoding", &["encoding"]),
        ("import.sheet", &["sheet"]),
        ("import.header", &["header"]),
        ("import.missing", &["missing"]),
        ("import.column_types", &["column-type"]),
        ("import.date_order", &["date-order"]),
        ("import.max_bytes", &["max-bytes"]),
        ("endpoints[].name", &["name"]),
        ("endpoints[].time", &["time"]),
        ("endpoints[].event", &["event"]),
        ("endpoints[].event_values", &["event-value"]),
        ("endpoints[].event_map", &["event-map"]),
        ("endpoints[].start_date", &["start-date"]),
        ("endpoints[].end_date", &["end-date"]),
        ("endpoints[].end_dates", &["end-date"]),
        ("endpoints[].time_unit", &["time-unit"]),
        ("endpoints[].output_unit", &["output-unit"]),
        ("endpoints[].entry", &["entry"]),
        ("group.column", &["group"]),
        ("strata.column", &["strata"]),
        ("covariates[].column", &["covariates"]),
        ("group.label", &["label"]),
        ("group.levels", &["levels"]),
        ("group.reference", &["reference"]),
        ("group.cut_points", &["cut-points"]),
        ("group.cut_at_median", &["cut-at-median"]),
        ("group.ordinal", &["ordinal"]),
        ("group.categorical", &["categorical"]),
        ("weights", &["weights"]),
        ("cluster", &["cluster"]),
        ("filter", &["filter"]),
        ("survival.conf_type", &["conf-type"]),
        ("survival.conf_level", &["conf-level"]),
        ("survival.quantiles", &["quantiles"]),
        ("survival.times", &["times"]),
        ("survival.rmst_tau", &["rmst-tau"]),
        ("survival.tests", &["tests"]),
        ("survival.pairwise_adjust", &["pairwise-adjust"]),
        ("survival.pairwise_vs_reference", &["pairwise-vs-reference"]),
        ("survival.reference_group", &["reference-group"]),
        ("survival.trend", &["trend"]),
        ("cox.covariates", &["multivariable", "covariates"]),
        ("cox.univariable", &["univariable", "covariates"]),
        ("cox.ties", &["ties"]),
        ("cox.robust", &["robust"]),
        ("cox.zph", &["zph"]),
        ("cox.firth", &["firth"]),
        ("cox.select_p", &["select-p"]),
        ("cox.backward", &["backward"]),
        ("cox.interactions", &["interaction"]),
        ("cox.conf_level", &["cox-conf-level", "conf-level"]),
        ("cox.strata_interactions", &["strata-interaction"]),
        ("cox.iter_max", &["iter-max"]),
        ("cox.eps", &["eps"]),
        ("survival.beyond_follow_up", &["beyond-follow-up"]),
        ("survival.variance", &["km-variance"]),
    ];

    /// Spec field → the page control (an element id in www/index.html or www/*.js).
    const PAGE: &[(&str, &str)] = &[
        ("import.delimiter", "imp-delimiter"),
        ("import.decimal", "imp-decimal"),
        ("import.encoding", "imp-encoding"),
        ("import.sheet", "imp-sheet"),
        ("import.header", "imp-header"),
        ("endpoints[].name", "ep-name"),
        ("endpoints[].time", "time-col"),
        ("endpoints[].event", "event-col"),
        ("endpoints[].event_map", "coding-editor"),
        ("endpoints[].start_date", "start-date"),
        ("endpoints[].end_date", "end-date"),
        ("endpoints[].end_dates", "end-date2"),
        ("endpoints[].time_unit", "time-unit"),
        ("endpoints[].output_unit", "output-unit"),
        ("group.column", "group-col"),
        ("group.levels", "group-levels"),
        ("strata.column", "strata-col"),
        ("covariates[].column", "covariates"),
        ("group.reference", "covref-"),
        ("group.cut_at_median", "covcut-"),
        ("group.categorical", "covcat-"),
        ("weights", "weights-col"),
        ("cluster", "cluster-col"),
        ("filter", "row-filter"),
        ("survival.conf_type", "conf-type"),
        ("survival.conf_level", "conf-level"),
        ("survival.times", "times"),
        ("survival.rmst_tau", "rmst-tau"),
        ("survival.reference_group", "group-ref"),
        ("cox.ties", "ties"),
        ("cox.zph", "zph"),
        ("cox.conf_level", "conf-level"),
        ("cox.strata_interactions", "covstr-"),
    ];

    /// Fields the page can only set through a loaded Spec file today. The next page
    /// controls to add; remove an entry when its control exists (the test then makes
    /// sure it stays).
    const PAGE_GAPS: &[&str] = &[
        "import.missing",
        "import.column_types",
        "import.date_order",
        "import.max_bytes",
        "endpoints[].event_values",
        "endpoints[].entry",
        "group.label",
        "group.cut_points",
        "group.ordinal",
        "survival.quantiles",
        "survival.tests",
        "survival.pairwise_adjust",
        "survival.pairwise_vs_reference",
        "survival.trend",
        "cox.covariates",
        "cox.univariable",
        "cox.robust",
        "cox.firth",
        "cox.select_p",
        "cox.backward",
        "cox.interactions",
        "cox.iter_max",
        "cox.eps",
        "survival.beyond_follow_up",
        "survival.variance",
    ];

    /// Paths of the leaves of a JSON value; a map keyed by user data (an empty
    /// object), a list of numbers or strings, and null are leaves.
    fn leaves(v: &Value, path: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    leaves(x, &p, out);
                }
            }
            Value::Array(a) if a.first().is_some_and(Value::is_object) => {
                leaves(&a[0], &format!("{path}[]"), out)
            }
            _ => out.push(path.to_string()),
        }
    }

    /// A Spec with one of every list item and every optional part present.
    fn full_spec() -> Vec<String> {
        let var = VariableSpec::default();
        let spec = Spec {
            endpoints: vec![EndpointSpec::default()],
            group: Some(var.clone()),
            strata: Some(var.clone()),
            covariates: vec![var],
            ..Default::default()
        };
        let mut paths = Vec::new();
        leaves(&serde_json::to_value(&spec).unwrap(), "", &mut paths);
        // Every variable (group, strata, covariates) has the same coding fields; the
        // maps above name them once, under `group`.
        paths
            .into_iter()
            .filter(|p| p != "schema_version")
            .map(|p| {
                for prefix in ["strata.", "covariates[]."] {
                    if let Some(rest) = p.strip_prefix(prefix) {
                        if rest != "column" {
                            return format!("group.{rest}");
                        }
                    }
                }
                p
            })
            .collect()
    }

    #[test]
    fn every_spec_field_has_a_cli_flag() {
        let cmd = Cli::command();
        let analyze = cmd.find_subcommand("analyze").unwrap();
        let flags: Vec<String> = analyze
            .get_arguments()
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        let paths = full_spec();
        assert!(
            paths.len() > 50 && paths.iter().any(|p| p == "cox.zph"),
            "{paths:?}"
        );
        let mut missing = Vec::new();
        for path in paths {
            match CLI.iter().find(|(p, _)| *p == path) {
                None => missing.push(format!("{path}: no flag listed")),
                Some((_, fs)) => {
                    for f in *fs {
                        if !flags.iter().any(|x| x == f) {
                            missing.push(format!("{path}: --{f} does not exist"));
                        }
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "Spec fields without a CLI flag:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn every_spec_field_has_a_page_control_or_is_a_listed_gap() {
        let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www");
        let mut page = String::new();
        // The page's own sources: www/*.html, www/*.js and the modules in www/js/.
        for dir in [www.clone(), www.join("js")] {
            for f in std::fs::read_dir(&dir).unwrap() {
                let f = f.unwrap().path();
                if matches!(f.extension().and_then(|e| e.to_str()), Some("html" | "js")) {
                    page.push_str(&std::fs::read_to_string(&f).unwrap());
                }
            }
        }
        let mut missing = Vec::new();
        for path in full_spec() {
            match PAGE.iter().find(|(p, _)| *p == path) {
                Some((_, id)) => {
                    if !page.contains(id) {
                        missing.push(format!("{path}: control '{id}' not found in www/"));
                    }
                    if PAGE_GAPS.contains(&path.as_str()) {
                        missing.push(format!("{path}: has a control; remove it from PAGE_GAPS"));
                    }
                }
                None if PAGE_GAPS.contains(&path.as_str()) => {}
                None => missing.push(format!("{path}: no page control")),
            }
        }
        assert!(
            missing.is_empty(),
            "Spec fields without a page control:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn the_new_flags_build_the_spec() {
        let cli = Cli::try_parse_from([
            "survkit",
            "analyze",
            "d.csv",
            "--time",
            "stop",
            "--entry",
            "start",
            "--event",
            "event",
            "--covariates",
            "age,transplant",
            "--cluster",
            "id",
            "--weights",
            "w",
            "--filter",
            "age>=18",
            "--robust",
            "--backward",
            "p=0.1",
            "--interaction",
            "age*transplant",
            "--tests",
            "log-rank,fh:1:0",
            "--categorical",
            "transplant",
        ])
        .unwrap();
        let Command::Analyze(a) = cli.command else {
            panic!("analyze")
        };
        let spec = build_spec(&a).unwrap();
        assert_eq!(spec.cluster.as_deref(), Some("id"));
        assert_eq!(spec.weights.as_deref(), Some("w"));
        assert_eq!(spec.filter[0].column, "age");
        assert_eq!(spec.filter[0].value, "18");
        assert!(spec.cox.robust);
        assert_eq!(spec.cox.backward, Some(Backward::P { threshold: 0.1 }));
        assert_eq!(
            spec.cox.interactions[0],
            ["age".to_string(), "transplant".to_string()]
        );
        assert_eq!(spec.survival.tests.len(), 2);
        assert!(spec.covariates[1].categorical);
        assert!(filter("age").is_err());
    }
}
