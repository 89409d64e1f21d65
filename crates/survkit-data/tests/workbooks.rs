//! XLSX, XLS and ODS fixtures made by LibreOffice from the same patients as the CSVs.

use survkit_data::{import, Cell, ColumnType, Format, ImportErrorKind, ImportOptions};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn check(name: &str, format: Format) {
    let t = import(&fixture(name), name, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let s = t.source();
    assert_eq!(s.format, format, "{name}");
    assert_eq!(s.sheet.as_deref(), Some("Patients"));
    assert_eq!(s.sheets, ["Patients", "Codebook"]);
    assert!(s.header);
    assert_eq!(t.n_rows(), 12);
    assert_eq!(t.row_number(0), 2);
    use ColumnType::*;
    let kinds: Vec<ColumnType> = t.columns().iter().map(|c| c.kind()).collect();
    assert_eq!(
        kinds,
        [
            Numeric,
            Categorical,
            Numeric,
            Categorical,
            Date,
            Date,
            Categorical,
            Numeric
        ],
        "{name}"
    );
    assert_eq!(t.column("age").unwrap().cell(2), Cell::Number(70.25));
    assert_eq!(t.column("centre").unwrap().cell(0), Cell::Text("Zürich"));
    let dx = t.column("dx_date").unwrap();
    assert_eq!(dx.text(0), "2009-03-12", "{name}");
    assert_eq!(
        t.column("last_date").unwrap().text(11),
        "2013-02-11",
        "{name}"
    );
    // LibreOffice stores booleans as 0/1 numbers with a boolean format.
    assert_eq!(t.column("dead").unwrap().cell(1), Cell::Number(0.0));
    // Another sheet by name; a bad name lists the sheets.
    let opts = ImportOptions {
        sheet: Some("codebook".into()),
        ..Default::default()
    };
    let t = import(&fixture(name), name, &opts).unwrap();
    assert_eq!(t.n_rows(), 2);
    assert_eq!(t.source().sheet.as_deref(), Some("Codebook"));
    let opts = ImportOptions {
        sheet: Some("Sheet9".into()),
        ..Default::default()
    };
    let e = import(&fixture(name), name, &opts).unwrap_err();
    assert!(matches!(e.kind(), ImportErrorKind::BadSheet { .. }));
    assert_eq!(
        e.to_string(),
        "no sheet called 'Sheet9': the workbook has 'Patients', 'Codebook'"
    );
}

#[test]
fn xlsx() {
    check("patients.xlsx", Format::Xlsx);
}

#[test]
fn ods() {
    check("patients.ods", Format::Ods);
}

#[test]
fn xls() {
    check("patients.xls", Format::Xls);
}

#[test]
fn workbook_under_a_wrong_name_is_still_read() {
    let t = import(
        &fixture("patients.xlsx"),
        "download.bin",
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(t.source().format, Format::Xlsx);
}
