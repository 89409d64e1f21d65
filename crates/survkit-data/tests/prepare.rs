//! prepare(): endpoints from durations or dates, event coding, exclusions, factors.

use std::collections::BTreeMap;

use survkit_data::{
    import, prepare, CovariateValues, EndpointSpec, EventMeaning, FilterOp, ImportOptions,
    PrepareErrorKind, PrepareSpec, Prepared, RowFilter, Table, TimeUnit, VariableSpec,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> Table {
    import(&fixture(name), name, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn csv(text: &str) -> Table {
    import(text.as_bytes(), "t.csv", &ImportOptions::default()).unwrap()
}

fn duration(time: &str, event: &str) -> PrepareSpec {
    PrepareSpec {
        endpoint: EndpointSpec {
            time: Some(time.into()),
            event: event.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn from_dates(start: &str, end: &str, event: &str, out: Option<TimeUnit>) -> PrepareSpec {
    PrepareSpec {
        endpoint: EndpointSpec {
            start_date: Some(start.into()),
            end_date: Some(end.into()),
            event: event.into(),
            output_unit: out,
            ..Default::default()
        },
        ..Default::default()
    }
}

#[derive(serde::Deserialize)]
struct RExpected {
    days: Vec<f64>,
    months: Vec<f64>,
    status: Vec<u8>,
    age: Vec<f64>,
}

/// The European export (semicolon, decimal comma, Windows-1252, DD.MM.YYYY,
/// Dead/Alive) gives what R computes from it (tests/r/euro_durations.R).
#[test]
fn prepare_against_r() {
    let r: RExpected = serde_json::from_slice(&fixture("euro_durations_r.json")).unwrap();
    let t = read("euro_1252.csv");
    let p = prepare(&t, &from_dates("dx_date", "last_date", "vital", None)).unwrap();
    assert_eq!(p.time, r.days, "days are exact");
    let status: Vec<bool> = r.status.iter().map(|s| *s == 1).collect();
    assert_eq!(p.status, status);
    let p = prepare(
        &t,
        &from_dates("dx_date", "last_date", "vital", Some(TimeUnit::Months)),
    )
    .unwrap();
    for (a, b) in p.time.iter().zip(&r.months) {
        assert!((a - b).abs() < 1e-12, "months: {a} vs {b}");
    }
    let age = t.column("age").unwrap().numbers().unwrap();
    assert_eq!(age, &r.age[..]);
}

fn same_endpoint(a: &Prepared, b: &Prepared) {
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.status, b.status);
    assert_eq!(a.time.len(), b.time.len());
    for (x, y) in a.time.iter().zip(&b.time) {
        assert!((x - y).abs() < 1e-9, "{x} vs {y}");
    }
}

#[test]
fn every_convention_gives_the_same_endpoint() {
    let clean = prepare(&read("clean.csv"), &duration("time_days", "status")).unwrap();
    assert_eq!(
        clean.event_coding,
        "event = 1 (8 rows); censored = 0 (4 rows)"
    );
    assert_eq!(clean.time_unit, "days");
    let euro = prepare(
        &read("euro_1252.csv"),
        &from_dates("dx_date", "last_date", "vital", None),
    )
    .unwrap();
    assert_eq!(
        euro.event_coding,
        "event = Dead (8 rows); censored = Alive (4 rows)"
    );
    assert!(
        euro.warnings
            .iter()
            .any(|w| w.contains("derived from dates")),
        "{:?}",
        euro.warnings
    );
    same_endpoint(&clean, &euro);
    let us = prepare(
        &read("us_bom.csv"),
        &from_dates("dx_date", "last_date", "dead", None),
    )
    .unwrap();
    assert_eq!(
        us.event_coding,
        "event = TRUE (8 rows); censored = FALSE (4 rows)"
    );
    same_endpoint(&clean, &us);
    let mut spec = duration("os_months", "status");
    spec.endpoint.output_unit = Some(TimeUnit::Days);
    let utf16 = prepare(&read("utf16le.tsv"), &spec).unwrap();
    assert_eq!(
        utf16.event_coding,
        "event = 2 (8 rows); censored = 1 (4 rows)"
    );
    assert!(utf16.warnings.iter().any(|w| w.contains("1/2 coding")));
    assert!(utf16
        .warnings
        .iter()
        .any(|w| w.contains("from the column name")));
    same_endpoint(&clean, &utf16);
    let noheader = prepare(&read("cr_pipe_noheader.txt"), &duration("V4", "V5")).unwrap();
    assert_eq!(
        noheader.event_coding,
        "event = yes (8 rows); censored = no (4 rows)"
    );
    assert_eq!(noheader.rows[0], 1);
    assert_eq!(noheader.time, clean.time);
    for wb in ["patients.xlsx", "patients.ods", "patients.xls"] {
        let p = prepare(
            &read(wb),
            &from_dates("dx_date", "last_date", "vital", None),
        )
        .unwrap();
        same_endpoint(&clean, &p);
        let p = prepare(&read(wb), &from_dates("dx_date", "last_date", "dead", None)).unwrap();
        same_endpoint(&clean, &p);
    }
}

#[test]
fn time_zero_is_kept_and_flagged() {
    let p = prepare(&read("clean.csv"), &duration("time_days", "status")).unwrap();
    assert_eq!(p.time.len(), 12);
    let w = p
        .warnings
        .iter()
        .find(|w| w.contains("time 0"))
        .expect("zero-time warning");
    assert!(w.contains("rows 10"), "{w}");
}

#[test]
fn third_event_value_is_an_error_naming_it_unless_mapped() {
    let t = read("third_value.csv");
    let e = prepare(&t, &duration("time", "vital")).unwrap_err();
    match e.kind() {
        PrepareErrorKind::UnmappedEventValues { values, .. } => {
            assert_eq!(values, &[("lost".to_string(), 1)])
        }
        k => panic!("{k:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("'lost' (1 rows)") && msg.contains("'Dead' (event)"),
        "{msg}"
    );
    // Mapped explicitly: every value named.
    let mut spec = duration("time", "vital");
    spec.endpoint.event_map = BTreeMap::from([
        ("dead".to_string(), EventMeaning::Event),
        ("alive".to_string(), EventMeaning::Censored),
        ("Lost".to_string(), EventMeaning::Censored),
    ]);
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.status, [true, false, false, false, true]);
    assert_eq!(
        p.event_coding,
        "event = Dead, DEAD (2 rows); censored = Alive, alive, lost (3 rows)"
    );
    // A map that leaves a value out excludes its rows.
    spec.endpoint.event_map.remove("Lost");
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.rows, [2, 3, 5, 6]);
    assert_eq!(p.excluded.len(), 1);
    assert_eq!(p.excluded[0].row, 4);
    assert_eq!(p.excluded[0].reason, "event value 'lost' not mapped");
    // --event-value: those are events, the rest censored.
    let mut spec = duration("time", "vital");
    spec.endpoint.event_values = Some(vec!["dead".into()]);
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.status, [true, false, false, false, true]);
}

#[test]
fn every_unusable_row_is_listed_with_its_row_number() {
    let t = csv("id,time,status,arm,start,end\n\
         1,10,1,A,2020-01-01,2020-02-01\n\
         2,,1,A,2020-01-01,\n\
         3,-4,0,B,2020-03-01,2020-02-01\n\
         4,abc,1,B,2020-01-01,2020-01-05\n\
         5,7,,B,2020-01-01,2020-01-05\n\
         6,8,0,,2020-01-01,2020-01-05\n\
         7,9,0,B,,2020-01-05\n\
         8,12,1,A,2020-01-01,2020-03-01\n\
         9,15,0,B,2020-01-01,2020-04-01\n\
         10,16,1,A,2020-01-01,2020-05-01\n\
         11,17,0,B,2020-01-01,2020-06-01\n\
         12,18,1,A,2020-01-01,2020-07-01\n");
    let mut spec = duration("time", "status");
    spec.group = Some(VariableSpec {
        column: "arm".into(),
        ..Default::default()
    });
    let p = prepare(&t, &spec).unwrap();
    let ex: Vec<(usize, &str)> = p
        .excluded
        .iter()
        .map(|e| (e.row, e.reason.as_str()))
        .collect();
    assert_eq!(
        ex,
        [
            (3, "missing time"),
            (4, "negative time (-4)"),
            (5, "unreadable time 'abc'"),
            (6, "missing event status"),
            (7, "missing group"),
        ]
    );
    assert_eq!(p.excluded[0].column.as_deref(), Some("time"));
    assert_eq!(p.rows, [2, 8, 9, 10, 11, 12, 13]);
    // From dates.
    let p = prepare(&t, &from_dates("start", "end", "status", None)).unwrap();
    let ex: Vec<(usize, &str)> = p
        .excluded
        .iter()
        .map(|e| (e.row, e.reason.as_str()))
        .collect();
    assert_eq!(
        ex,
        [
            (3, "missing end date (end)"),
            (4, "end date 2020-02-01 is before start date 2020-03-01"),
            (6, "missing event status"),
            (8, "missing start date"),
        ]
    );
    assert_eq!(p.time[0], 31.0);
}

#[test]
fn several_end_date_columns_are_tried_in_order() {
    let t = csv(
        "id,dx,death,last,vital\n1,2020-01-01,2020-03-01,2020-02-01,dead\n2,2020-01-01,,2020-05-01,alive\n3,2020-01-01,,,alive\n",
    );
    let mut spec = from_dates("dx", "death", "vital", None);
    spec.endpoint.end_dates = vec!["last".into()];
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.time, [60.0, 121.0]);
    assert_eq!(p.excluded[0].reason, "missing end date (death, last)");
}

#[test]
fn time_units_convert() {
    let t = csv("id,futime,status\n1,365.25,1\n2,30.4375,0\n3,14,1\n");
    let mut spec = duration("futime", "status");
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.time_unit, "units");
    // No unit and no conversion: no warning (issue 17); the methods say "the file's units".
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    spec.endpoint.time_unit = Some(TimeUnit::Days);
    spec.endpoint.output_unit = Some(TimeUnit::Months);
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.time_unit, "months");
    assert_eq!(p.time, [12.0, 1.0, 14.0 / 30.4375]);
    spec.endpoint.output_unit = Some(TimeUnit::Years);
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.time[0], 1.0);
    spec.endpoint.output_unit = Some(TimeUnit::Weeks);
    let p = prepare(&t, &spec).unwrap();
    assert_eq!(p.time[2], 2.0);
}

#[test]
fn group_levels_reference_and_cuts() {
    let t = csv("id,time,status,arm,age,grade\n1,5,1,Control,40,1\n2,6,0,Drug,50,2\n3,7,1,control,60,3\n4,8,1,Drug,70,NA\n5,9,0,Placebo,80,2\n");
    let mut spec = duration("time", "status");
    spec.group = Some(VariableSpec {
        column: "arm".into(),
        levels: vec!["Placebo".into(), "Drug".into()],
        reference: Some("drug".into()),
        ..Default::default()
    });
    let p = prepare(&t, &spec).unwrap();
    let g = p.group.unwrap();
    assert_eq!(g.levels, ["Drug", "Placebo", "Control", "control"]);
    assert_eq!(g.codes, [2, 0, 3, 0, 1]);
    // Cut at the median and at points.
    spec.group = Some(VariableSpec {
        column: "age".into(),
        cut_at_median: true,
        ..Default::default()
    });
    let p = prepare(&t, &spec).unwrap();
    let g = p.group.unwrap();
    assert_eq!(g.levels, ["< 60", "≥ 60"]);
    assert_eq!(g.codes, [0, 0, 1, 1, 1]);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.contains("cut at its median, 60")));
    spec.group = Some(VariableSpec {
        column: "age".into(),
        cut_points: vec![75.0, 55.0],
        ..Default::default()
    });
    let g = prepare(&t, &spec).unwrap().group.unwrap();
    assert_eq!(g.levels, ["< 55", "55 to < 75", "≥ 75"]);
    assert_eq!(g.codes, [0, 0, 1, 1, 2]);
    // Covariates keep missing values; numeric codes as categories on request.
    spec.group = None;
    spec.covariates = vec![
        VariableSpec {
            column: "grade".into(),
            categorical: true,
            reference: Some("2".into()),
            ..Default::default()
        },
        VariableSpec {
            column: "grade".into(),
            label: Some("grade (numeric)".into()),
            ..Default::default()
        },
    ];
    let p = prepare(&t, &spec).unwrap();
    assert!(p.excluded.is_empty());
    match &p.covariates[0].values {
        CovariateValues::Categorical {
            levels,
            reference,
            codes,
            ordinal,
        } => {
            assert_eq!(levels, &["1", "2", "3"]);
            assert_eq!(*reference, 1);
            assert_eq!(codes, &[Some(0), Some(1), Some(2), None, Some(1)]);
            assert!(!ordinal);
        }
        v => panic!("{v:?}"),
    }
    assert_eq!(p.covariates[1].name, "grade (numeric)");
    assert_eq!(
        p.covariates[1].values,
        CovariateValues::Numeric {
            values: vec![Some(1.0), Some(2.0), Some(3.0), None, Some(2.0)]
        }
    );
}

#[test]
fn filter_weights_cluster_entry() {
    let t = csv("id,time,status,grade,w,site,entry\n1,5,1,1,1,a,0\n2,6,0,3,2,b,1\n3,7,1,2,1,a,8\n4,8,1,2,,b,2\n5,9,0,1,1.5,c,1\n");
    let mut spec = duration("time", "status");
    spec.filter = vec![RowFilter {
        column: "grade".into(),
        op: FilterOp::Ne,
        value: "3".into(),
    }];
    spec.weights = Some("w".into());
    spec.cluster = Some("site".into());
    spec.endpoint.entry = Some("entry".into());
    let p = prepare(&t, &spec).unwrap();
    let ex: Vec<(usize, &str)> = p
        .excluded
        .iter()
        .map(|e| (e.row, e.reason.as_str()))
        .collect();
    assert_eq!(
        ex,
        [
            (3, "left out by the filter grade != 3"),
            (4, "entry time 8 is not before the end of follow-up"),
            (5, "missing weight"),
        ]
    );
    assert_eq!(p.weights.unwrap(), [1.0, 1.5]);
    assert_eq!(p.entry.unwrap(), [0.0, 1.0]);
    let c = p.cluster.unwrap();
    assert_eq!(c.levels, ["a", "c"]);
    assert_eq!(c.codes, [0, 1]);
}

#[test]
fn spec_errors_are_clear() {
    let t = read("clean.csv");
    let e = prepare(&t, &duration("months", "status")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("time column 'months' is not in the table; the columns are 'id', 'arm'"),
        "{e}"
    );
    let e = prepare(&t, &duration("arm", "status")).unwrap_err();
    assert_eq!(e.to_string(), "column 'arm': expected numbers (follow-up durations), found categorical values such as 'A'");
    let e = prepare(&t, &duration("time_days", "centre")).unwrap_err();
    assert!(
        matches!(e.kind(), PrepareErrorKind::EventCodingUnclear { .. }),
        "{e}"
    );
    let e = prepare(&t, &PrepareSpec::default()).unwrap_err();
    assert!(e.to_string().contains("needs either a time column"), "{e}");
    let t = csv("id,time,status\n1,,1\n2,,0\n");
    let e = prepare(&t, &duration("time", "status")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no rows left to analyse: all 2 rows were excluded (most often: missing time)"
    );
}

#[test]
fn spec_json_round_trip() {
    let json = r#"{
        "endpoint": {"name": "OS", "time": "os_months", "event": "status", "time_unit": "months",
                     "event_map": {"lost": "censored", "dead": "event"}},
        "group": {"column": "arm", "levels": ["B", "A"], "reference": "A"},
        "covariates": [{"column": "age"}, {"column": "stage", "ordinal": true}],
        "filter": [{"column": "grade", "op": "!=", "value": "3"}]
    }"#;
    let spec: PrepareSpec = serde_json::from_str(json).unwrap();
    assert_eq!(spec.endpoint.time_unit, Some(TimeUnit::Months));
    assert_eq!(spec.endpoint.event_map["lost"], EventMeaning::Censored);
    assert_eq!(spec.filter[0].op, FilterOp::Ne);
    let back: PrepareSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
    assert_eq!(back, spec);
}
