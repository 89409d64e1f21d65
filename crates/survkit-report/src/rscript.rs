//! "Reproduce in R": an R script that recomputes a Report's numbers with R's
//! `survival` package from the user's own file.
//!
//! The script is generated from the Report (which carries its Spec), so it reads the
//! file the way survkit read it (delimiter, decimal mark, encoding, missing-value
//! marks), recodes the event the way the Spec (or survkit's guess) did, orders group
//! levels as the Report shows them, and calls `survfit`, `quantile`, `summary(times =)`,
//! `survdiff` and `coxph` with the same conventions (`conf.type`, `conf.int`, `ties`).
//! It prints R's output and, when the `jsonlite` package is installed, writes the key
//! numbers to a JSON file so that they can be compared with the Report mechanically.
//!
//! ```
//! use survkit_report::{analyze_bytes, r_script, Spec};
//! let csv = "time,status,arm\n5,1,A\n8,0,A\n12,1,A\n3,1,B\n9,1,B\n14,0,B\n";
//! let spec = Spec::from_json(r#"{"endpoints": [{"time": "time", "event": "status"}],
//!                                "group": {"column": "arm"}}"#).unwrap();
//! let report = analyze_bytes(csv.as_bytes(), "trial.csv", &spec).unwrap();
//! let script = r_script(&report, "trial.csv");
//! assert!(script.contains("library(survival)"));
//! assert!(script.contains("survdiff("));
//! ```

use std::fmt::Write as _;

use survkit_data::{EventMeaning, VariableSpec};

use crate::analysis::ANALYSES;
use crate::run::{EndpointReport, Report};
use crate::text::serde_name;

// The word lists come from the importer itself, so the script recodes exactly as
// survkit does.
use survkit_data::{CENSOR_WORDS, EVENT_WORDS};

/// An R string literal.
pub(crate) fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An R character vector.
pub(crate) fn qv<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| q(s.as_ref())).collect();
    format!("c({})", parts.join(", "))
}

/// An R numeric literal (`NA` for non-finite).
pub(crate) fn rn(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "NA".into()
    }
}

pub(crate) fn nv(xs: &[f64]) -> String {
    let parts: Vec<String> = xs.iter().map(|&x| rn(x)).collect();
    format!("c({})", parts.join(", "))
}

/// A name usable in an R formula.
pub(crate) fn bq(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// The finite numbers of a list (the others are `null` in the Report JSON and were
/// never written into a script).
pub(crate) fn nums(xs: &[f64]) -> Vec<f64> {
    xs.iter().copied().filter(|x| x.is_finite()).collect()
}

fn unit_days(u: &str) -> f64 {
    match u {
        "weeks" => 7.0,
        "months" => 30.4375,
        "years" => 365.25,
        _ => 1.0,
    }
}

/// R's `fileEncoding` for an encoding label of the importer.
fn r_encoding(label: &str) -> String {
    let l = label.to_ascii_lowercase();
    match l.as_str() {
        "utf-8" | "utf8" => "UTF-8-BOM".into(),
        "windows-1252" | "cp1252" => "CP1252".into(),
        "latin1" | "iso-8859-1" => "latin1".into(),
        "utf-16le" => "UTF-16LE".into(),
        "utf-16be" => "UTF-16BE".into(),
        _ => label.to_uppercase(),
    }
}

/// The R code that builds the factor or numeric vector of a variable spec (group,
/// strata or covariate) from `d`, with levels in the order survkit used.
fn variable_code(var: &VariableSpec, levels: &[String]) -> String {
    let col = var.column.as_str();
    let x = format!("d[[{}]]", q(col));
    let cuts = nums(&var.cut_points);
    let lv = if levels.is_empty() {
        String::new()
    } else {
        format!(", levels = {}", qv(levels))
    };
    if var.cut_at_median {
        // Below the median / at or above it, labelled as survkit labels them.
        let labels = if levels.len() == 2 {
            format!(", labels = {}", qv(levels))
        } else {
            String::new()
        };
        format!(
            "cut(as.numeric({x}), breaks = c(-Inf, median(as.numeric({x})[ok], na.rm = TRUE), Inf), right = FALSE{labels})"
        )
    } else if !cuts.is_empty() {
        let labels = if levels.len() == cuts.len() + 1 {
            format!(", labels = {}", qv(levels))
        } else {
            String::new()
        };
        format!(
            "cut(as.numeric({x}), breaks = c(-Inf, {}, Inf), right = FALSE{labels})",
            cuts.iter().map(|&c| rn(c)).collect::<Vec<_>>().join(", ")
        )
    } else {
        format!("factor(survkit_text({x}){lv})")
    }
}

/// Levels of the group as the Report shows them (curve order).
fn group_levels(ep: &EndpointReport) -> Vec<String> {
    ep.survival
        .km
        .iter()
        .filter_map(|c| c.group.clone())
        .collect()
}

/// For a Cox variable: `Some(levels)` (reference first) when the Report coded it as
/// categorical, `None` when it entered as a number.
fn cox_levels(ep: &EndpointReport, name: &str) -> Option<Vec<String>> {
    let mut terms: Vec<&crate::cox::Term> = Vec::new();
    if let Some(m) = &ep.cox.cox {
        terms.extend(m.terms.iter().filter(|t| t.variable == name));
    }
    if terms.is_empty() {
        for u in &ep.cox.univariable {
            if u.variable == name {
                terms.extend(&u.terms);
            }
        }
    }
    let reference = terms.iter().find_map(|t| t.reference.as_deref())?;
    let mut levels = vec![reference.to_string()];
    for t in &terms {
        if let Some(l) = t.level.as_deref() {
            if !levels.iter().any(|x| x == l) {
                levels.push(l.to_string());
            }
        }
    }
    Some(levels)
}

/// What an analysis' R code needs for one endpoint: the data frame `e` holds `time`,
/// `status` (and `entry`, `group`, `strata_var`, the covariates, `.weights`,
/// `.cluster` as the Spec asks) on the rows survkit analysed.
pub(crate) struct RContext<'a> {
    /// The Report (its Spec and conventions).
    pub report: &'a Report,
    /// The endpoint.
    pub ep: &'a EndpointReport,
    /// `Surv(time, status)` or `Surv(entry, time, status)`.
    pub surv: &'static str,
    /// `e$group` exists.
    pub has_group: bool,
    /// `e$strata_var` exists.
    pub has_strata: bool,
}

/// Writes an R script that recomputes the Report's numbers from `data_file` with R's
/// `survival` package. The Report carries its Spec.
///
/// The script takes two optional command-line arguments: the data file (default
/// `data_file`) and the JSON output file (default `survkit-r.json`).
pub fn r_script(report: &Report, data_file: &str) -> String {
    let spec = &report.spec;
    let input = &report.input;
    let mut s = String::new();
    let version = report.survkit_version.as_str();
    let _ = writeln!(
        s,
        "# Reproduces survkit {version}'s analysis of {} with R's survival package.",
        q(data_file)
    );
    s.push_str(
        "# Run it in the folder of the data file:   Rscript this-script.R [data file] [output.json]\n\
         # It prints R's results; with the jsonlite package installed it also writes them as JSON.\n# ",
    );
    s.push_str(&report.conventions_text);
    s.push_str("\n\nlibrary(survival)\n");
    s.push_str(&format!(
        "args <- commandArgs(trailingOnly = TRUE)\nfile <- if (length(args) >= 1) args[1] else {}\nout_json <- if (length(args) >= 2) args[2] else \"survkit-r.json\"\n\n",
        q(data_file)
    ));

    // ---- reading the file
    let mut missing = input.missing_tokens.clone();
    if missing.is_empty() {
        missing = vec!["".into(), "NA".into()];
    }
    let mut na: Vec<String> = Vec::new();
    for m in &missing {
        for v in [m.clone(), m.to_uppercase(), m.to_lowercase()] {
            if !na.contains(&v) {
                na.push(v);
            }
        }
    }
    let format = serde_name(&input.format);
    s.push_str("# 1. Read the file as survkit read it.\n");
    if format.contains("xls") || format.contains("ods") {
        let sheet = input.sheet.as_deref().map(q).unwrap_or_else(|| "1".into());
        let (pkg, fun) = if format.contains("ods") {
            ("readODS", "read_ods")
        } else {
            ("readxl", "read_excel")
        };
        let _ = writeln!(
            s,
            "# A workbook: read with the {pkg} package (install.packages(\"{pkg}\")), or save the sheet as CSV and use read.csv().\nif (!requireNamespace(\"{pkg}\", quietly = TRUE)) stop(\"this script needs the {pkg} package to read {}\")\nd <- as.data.frame({pkg}::{fun}(file, sheet = {sheet}, na = {}))",
            q(data_file),
            qv(&na)
        );
    } else {
        let sep = input
            .delimiter
            .map_or_else(|| ",".to_string(), String::from);
        let dec = input.decimal.to_string();
        let enc = input.encoding.as_deref().map(r_encoding);
        let header = if input.header { "TRUE" } else { "FALSE" };
        let _ = writeln!(
            s,
            "d <- read.csv(file, sep = {}, dec = {}, header = {header},{} na.strings = {},\n              strip.white = TRUE, check.names = FALSE, stringsAsFactors = FALSE)",
            q(&sep),
            q(&dec),
            enc.map(|e| format!(" fileEncoding = {},", q(&e)))
                .unwrap_or_default(),
            qv(&na)
        );
    }
    s.push_str(
        "# Text of a cell as survkit compares it: trimmed; numbers by value.\n\
         survkit_text <- function(x) { x <- trimws(as.character(x)); x[!is.na(x) & x == \"\"] <- NA; x }\n\
         survkit_key <- function(x) {\n  t <- survkit_text(x)\n  n <- suppressWarnings(as.numeric(t))\n  ifelse(is.na(n), tolower(t), as.character(n))\n}\n",
    );
    let _ = writeln!(
        s,
        "# The event coding: an explicit map (1 = event, 0 = censored, NA = leave out), the list of\n\
         # event values, or survkit's guess (0/1 with 1 = event; R's 1/2 with 2 = event; words).\n\
         survkit_event <- function(x, values = NULL, map = NULL) {{\n  k <- survkit_key(x)\n  ev <- rep(NA_integer_, length(k))\n  if (!is.null(values) || length(map) > 0) {{\n    if (!is.null(values)) ev[!is.na(k)] <- as.integer(k[!is.na(k)] %in% survkit_key(values))\n    for (v in names(map)) ev[!is.na(k) & k == survkit_key(v)] <- map[[v]]\n    return(ev)\n  }}\n  n <- suppressWarnings(as.numeric(unique(k[!is.na(k)])))\n  n <- n[!is.na(n)]\n  zero_one <- (0 %in% n) || !(2 %in% n)\n  x <- suppressWarnings(as.numeric(k))\n  if (zero_one) {{ ev[!is.na(x) & x == 0] <- 0L; ev[!is.na(x) & x == 1] <- 1L }}\n  else {{ ev[!is.na(x) & x == 1] <- 0L; ev[!is.na(x) & x == 2] <- 1L }}\n  ev[is.na(x) & k %in% {}] <- 1L\n  ev[is.na(x) & k %in% {}] <- 0L\n  ev\n}}\n\
         survkit_date <- function(x) as.Date(survkit_text(x), tryFormats = c(\"%Y-%m-%d\", \"%d/%m/%Y\", \"%d.%m.%Y\", \"%m/%d/%Y\", \"%Y/%m/%d\"), optional = TRUE)\n",
        qv(&EVENT_WORDS),
        qv(&CENSOR_WORDS)
    );

    // ---- row filter (applies to every endpoint)
    s.push_str("keep <- rep(TRUE, nrow(d))\n");
    for f in &spec.filter {
        let col = f.column.as_str();
        let op = serde_name(&f.op);
        let val = f.value.as_str();
        let x = format!("d[[{}]]", q(col));
        let test = if val.parse::<f64>().is_ok() {
            format!("suppressWarnings(as.numeric({x})) {op} {val}")
        } else {
            format!("tolower(survkit_text({x})) {op} {}", q(&val.to_lowercase()))
        };
        let _ = writeln!(s, "keep <- keep & !is.na({x}) & ({test})");
    }

    s.push_str("\nresults <- list()\n");
    let default_endpoint = survkit_data::EndpointSpec::default();
    for (i, ep) in report.endpoints.iter().enumerate() {
        let se = spec.endpoints.get(i).unwrap_or(&default_endpoint);
        let name = ep.name.clone();
        let _ = writeln!(s, "\n# ==== Endpoint {}: {name}", i + 1);
        s.push_str("# 2. Follow-up time and event, as survkit prepared them.\n");
        let out_unit = ep.time_unit.as_str();
        if let Some(tcol) = se.time.as_deref() {
            let in_unit = se.time_unit.map(|u| serde_name(&u));
            let in_unit = in_unit.as_deref().unwrap_or(out_unit);
            let factor = unit_days(in_unit) / unit_days(out_unit);
            let conv = if (factor - 1.0).abs() < 1e-12 {
                String::new()
            } else {
                format!(" * {}  # {in_unit} to {out_unit}", rn(factor))
            };
            let _ = writeln!(
                s,
                "time <- suppressWarnings(as.numeric(d[[{}]])){conv}",
                q(tcol)
            );
        } else {
            let start = se.start_date.as_deref().unwrap_or("");
            let mut ends: Vec<String> = se.end_date.clone().into_iter().collect();
            ends.extend(se.end_dates.iter().cloned());
            let _ = writeln!(s, "start <- survkit_date(d[[{}]])", q(start));
            let _ = writeln!(
                s,
                "end <- survkit_date(d[[{}]])",
                q(ends.first().map(String::as_str).unwrap_or(""))
            );
            for e in ends.iter().skip(1) {
                let _ = writeln!(
                    s,
                    "end2 <- survkit_date(d[[{}]]); end[is.na(end)] <- end2[is.na(end)]",
                    q(e)
                );
            }
            let _ = writeln!(
                s,
                "time <- as.numeric(end - start) / {}  # days to {out_unit}",
                rn(unit_days(out_unit))
            );
        }
        let ecol = se.event.as_str();
        let values = match &se.event_values {
            Some(v) => qv(v),
            None => "NULL".into(),
        };
        let map: Vec<String> = se
            .event_map
            .iter()
            .map(|(k, v)| {
                let code = match v {
                    EventMeaning::Event => "1L",
                    EventMeaning::Censored => "0L",
                    EventMeaning::Exclude => "NA_integer_",
                };
                format!("{} = {code}", q(k))
            })
            .collect();
        let map = if map.is_empty() {
            "NULL".into()
        } else {
            format!("list({})", map.join(", "))
        };
        let _ = writeln!(
            s,
            "status <- survkit_event(d[[{}]], values = {values}, map = {map})",
            q(ecol)
        );
        if let Some(entry) = se.entry.as_deref() {
            let _ = writeln!(
                s,
                "entry <- suppressWarnings(as.numeric(d[[{}]]))",
                q(entry)
            );
        }
        s.push_str("ok <- keep & !is.na(time) & !is.na(status) & time >= 0\n");
        let has_group = spec.group.is_some();
        let has_strata = spec.strata.is_some();
        if let Some(g) = &spec.group {
            let _ = writeln!(
                s,
                "group <- {}\nok <- ok & !is.na(group)",
                variable_code(g, &group_levels(ep))
            );
        }
        if let Some(st) = &spec.strata {
            let _ = writeln!(
                s,
                "strata_var <- {}\nok <- ok & !is.na(strata_var)",
                variable_code(st, &[])
            );
        }
        s.push_str("e <- data.frame(time = time, status = status)\n");
        if has_group {
            s.push_str("e$group <- group\n");
        }
        if has_strata {
            s.push_str("e$strata_var <- strata_var\n");
        }
        // Covariates of the Cox models, coded as the Report coded them.
        for v in &spec.covariates {
            let col = v.column.as_str();
            let label = v.label.as_deref().unwrap_or(col).to_string();
            let code = match cox_levels(ep, &label) {
                Some(levels) => {
                    if v.cut_at_median || !v.cut_points.is_empty() {
                        format!(
                            "relevel({}, ref = {})",
                            variable_code(v, &[]),
                            q(&levels[0])
                        )
                    } else {
                        format!(
                            "relevel(factor(survkit_text(d[[{}]]), levels = {}), ref = {})",
                            q(col),
                            qv(&levels),
                            q(&levels[0])
                        )
                    }
                }
                None if v.ordinal => {
                    format!("as.numeric({})", variable_code(v, &[]))
                }
                None => format!("suppressWarnings(as.numeric(d[[{}]]))", q(col)),
            };
            let _ = writeln!(s, "e[[{}]] <- {code}", q(&label));
        }
        let weights = spec.weights.as_deref();
        if let Some(w) = weights {
            let _ = writeln!(
                s,
                "e$.weights <- suppressWarnings(as.numeric(d[[{}]]))",
                q(w)
            );
        }
        if let Some(c) = spec.cluster.as_deref() {
            let _ = writeln!(s, "e$.cluster <- survkit_text(d[[{}]])", q(c));
        }
        let surv = if se.entry.is_some() {
            s.push_str("e$entry <- entry\n");
            "Surv(entry, time, status)"
        } else {
            "Surv(time, status)"
        };
        s.push_str("e <- e[ok, , drop = FALSE]\n");
        let _ = writeln!(
            s,
            "cat(\"\\n==== {}: n =\", nrow(e), \", events =\", sum(e$status), \"\\n\")",
            name.replace('"', "'")
        );

        let cx = RContext {
            report,
            ep,
            surv,
            has_group,
            has_strata,
        };
        for a in ANALYSES {
            a.r_code(&cx, &mut s);
        }
        let _ = writeln!(
            s,
            "results[[{}]] <- list(name = {}, n = nrow(e), events = sum(e$status), medians = medians, at_times = at_times,\n                     followup = followup, tests = tests, univariable = univariable, multivariable = multivariable)",
            i + 1,
            q(&name)
        );
    }
    s.push_str(
        "\nif (requireNamespace(\"jsonlite\", quietly = TRUE)) {\n  writeLines(jsonlite::toJSON(list(endpoints = results), digits = NA, auto_unbox = TRUE, na = \"null\", dataframe = \"rows\"), out_json)\n  cat(\"\\nNumbers written to\", out_json, \"\\n\")\n}\n",
    );
    s
}
