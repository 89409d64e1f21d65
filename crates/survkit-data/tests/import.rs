//! Import tests over small committed fixtures, one per convention.

use survkit_data::{import, Cell, ColumnType, DateOrder, Format, ImportErrorKind, ImportOptions};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> survkit_data::Table {
    import(&fixture(name), name, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn kinds(t: &survkit_data::Table) -> Vec<ColumnType> {
    t.columns().iter().map(|c| c.kind()).collect()
}

#[test]
fn clean_csv() {
    let t = read("clean.csv");
    let s = t.source();
    assert_eq!(s.format, Format::Delimited);
    assert_eq!(s.delimiter, Some(','));
    assert_eq!(s.decimal, '.');
    assert!(s.header);
    assert_eq!(t.n_rows(), 12);
    use ColumnType::*;
    assert_eq!(
        kinds(&t),
        vec![Numeric, Categorical, Numeric, Categorical, Numeric, Numeric]
    );
    assert_eq!(t.column("centre").unwrap().cell(0), Cell::Text("Zürich"));
    assert_eq!(t.row_number(0), 2);
    assert_eq!(t.row_number(11), 13);
}

#[test]
fn european_windows_1252_semicolon_decimal_comma_crlf() {
    let t = read("euro_1252.csv");
    let s = t.source();
    assert_eq!(s.delimiter, Some(';'));
    assert_eq!(s.decimal, ',');
    assert_eq!(s.encoding.as_deref(), Some("windows-1252"));
    assert!(
        s.notes.iter().any(|n| n.contains("Windows-1252")),
        "{:?}",
        s.notes
    );
    assert_eq!(t.column("age").unwrap().cell(0), Cell::Number(61.5));
    assert_eq!(t.column("centre").unwrap().cell(1), Cell::Text("Besançon"));
    let dx = t.column("dx_date").unwrap();
    assert_eq!(dx.kind(), ColumnType::Date);
    assert_eq!(dx.text(0), "2009-03-12");
    assert_eq!(t.column("vital").unwrap().kind(), ColumnType::Categorical);
}

#[test]
fn us_dates_with_bom_are_month_first() {
    let t = read("us_bom.csv");
    assert_eq!(
        t.columns()[0].name(),
        "id",
        "BOM must not stick to the first name"
    );
    let dx = t.column("dx_date").unwrap();
    assert_eq!(dx.kind(), ColumnType::Date);
    assert_eq!(dx.date_order(), Some(DateOrder::MonthFirst));
    assert_eq!(dx.text(0), "2009-03-12");
    assert!(!dx.date_ambiguous());
    assert!(
        t.source().notes.iter().any(|n| n.contains("month-first")),
        "{:?}",
        t.source().notes
    );
    assert_eq!(t.column("dead").unwrap().kind(), ColumnType::Boolean);
}

#[test]
fn utf16_tab_month_names() {
    let t = read("utf16le.tsv");
    let s = t.source();
    assert_eq!(s.delimiter, Some('\t'));
    assert!(s.encoding.as_deref().unwrap().contains("UTF-16LE"));
    assert_eq!(t.n_rows(), 12);
    assert_eq!(t.column("dx_date").unwrap().text(0), "2009-03-12");
    assert_eq!(t.column("centre").unwrap().cell(0), Cell::Text("Zürich"));
    // CRLF line ends: no stray \r in the last column.
    assert_eq!(t.column("status").unwrap().cell(0), Cell::Number(2.0));
}

#[test]
fn cr_only_pipe_without_header() {
    let t = read("cr_pipe_noheader.txt");
    let s = t.source();
    assert_eq!(s.delimiter, Some('|'));
    assert!(!s.header);
    assert_eq!(t.n_rows(), 12);
    let names: Vec<&str> = t.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["V1", "V2", "V3", "V4", "V5"]);
    assert_eq!(t.column("V5").unwrap().kind(), ColumnType::Boolean);
    assert_eq!(t.row_number(0), 1);
}

#[test]
fn quotes_embedded_delimiters_newlines_and_blank_rows() {
    let t = read("quoted.csv");
    assert_eq!(t.n_rows(), 4);
    let note = t.column("note").unwrap();
    assert_eq!(note.cell(0), Cell::Text("fever, cough"));
    assert_eq!(note.cell(1), Cell::Text("said \"fine\""));
    assert_eq!(note.cell(2), Cell::Text("two\r\nlines"));
    // Row numbers as a spreadsheet shows them: header 1, records 2, 3, 4 (two lines),
    // a blank row 5, then 6.
    let rows: Vec<usize> = (0..4).map(|i| t.row_number(i)).collect();
    assert_eq!(rows, [2, 3, 4, 6]);
    assert!(t.source().notes.iter().any(|n| n.contains("empty row")));
}

#[test]
fn thousands_separators() {
    let t = read("thousands.csv");
    assert_eq!(t.source().decimal, ',');
    let time = t.column("time").unwrap();
    assert_eq!(time.cell(0), Cell::Number(1234.5));
    assert_eq!(time.cell(1), Cell::Number(12.5));
    let amount = t.column("amount").unwrap();
    assert_eq!(amount.cell(0), Cell::Number(2500.0));
    assert_eq!(amount.cell(1), Cell::Number(1000.0));
    let t = import(
        b"a,b\n\"1,234.5\",x\n\"12\",y\n",
        "x.csv",
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(t.column("a").unwrap().cell(0), Cell::Number(1234.5));
}

#[test]
fn missing_tokens_and_invalid_cells() {
    let csv = "id,age,grp\n1,NA,a\n2,n/a,b\n3,.,c\n4,-,d\n5,NULL,e\n6,Missing,f\n7, ,g\n8,nan,h\n9,42,i\n10,43,j\n11,44,k\n12,45,l\n13,46,m\n14,47,n\n15,48,o\n16,49,p\n17,50,q\n18,51,r\n19,52,s\n20,53,t\n21,54,u\n22,55,v\n23,56,w\n24,57,x\n25,58,y\n26,59,z\n27,60,aa\n28,61,bb\n29,62,cc\n30,63,dd\n31,64,ee\n32,65,ff\n33,66,gg\n34,unknown,hh\n";
    let t = import(csv.as_bytes(), "m.csv", &ImportOptions::default()).unwrap();
    let age = t.column("age").unwrap();
    assert_eq!(age.kind(), ColumnType::Numeric);
    assert_eq!(age.n_missing(), 8);
    assert_eq!(age.n_invalid(), 1);
    assert_eq!(age.cell(33), Cell::Invalid("unknown"));
    let s = t.summary(3);
    let col = &s.columns[1];
    assert_eq!(col.invalid_examples[0].row, 35);
    assert_eq!(col.invalid_examples[0].text, "unknown");
    assert_eq!(s.preview.len(), 3);
    assert_eq!(s.preview[0].cells, ["1", "", "a"]);
    // User-defined tokens replace the defaults.
    let opts = ImportOptions {
        missing: vec!["unknown".into()],
        ..Default::default()
    };
    let t = import(csv.as_bytes(), "m.csv", &opts).unwrap();
    assert_eq!(t.column("age").unwrap().n_missing(), 1);
}

#[test]
fn type_override_and_options() {
    let csv = "id;grade;time\n1;1;3\n2;2;4\n3;3;5\n";
    let mut opts = ImportOptions::default();
    opts.column_types
        .insert("grade".into(), ColumnType::Categorical);
    opts.delimiter = Some(';');
    let t = import(csv.as_bytes(), "x.csv", &opts).unwrap();
    assert_eq!(t.column("grade").unwrap().kind(), ColumnType::Categorical);
    assert_eq!(
        t.column("grade").unwrap().levels().unwrap(),
        ["1", "2", "3"]
    );
    let opts = ImportOptions {
        header: Some(false),
        ..Default::default()
    };
    let t = import(csv.as_bytes(), "x.csv", &opts).unwrap();
    assert_eq!(t.n_rows(), 4);
    assert_eq!(t.column("V2").unwrap().kind(), ColumnType::Categorical);
}

#[test]
fn ambiguous_dates_are_flagged_and_can_be_set() {
    let csv = "id,dx\n1,01/02/2010\n2,03/04/2011\n3,05/06/2012\n";
    let t = import(csv.as_bytes(), "x.csv", &ImportOptions::default()).unwrap();
    let dx = t.column("dx").unwrap();
    assert!(dx.date_ambiguous());
    assert!(t.source().notes.iter().any(|n| n.contains("fit both")));
    let opts = ImportOptions {
        date_order: Some(DateOrder::DayFirst),
        ..Default::default()
    };
    let t = import(csv.as_bytes(), "x.csv", &opts).unwrap();
    assert_eq!(t.column("dx").unwrap().text(0), "2010-02-01");
    let opts = ImportOptions {
        date_order: Some(DateOrder::MonthFirst),
        ..Default::default()
    };
    let t = import(csv.as_bytes(), "x.csv", &opts).unwrap();
    assert_eq!(t.column("dx").unwrap().text(0), "2010-01-02");
    // One value settles it: 25/03 can only be day-first.
    let csv = "id,dx\n1,01/02/2010\n2,25/03/2011\n";
    let t = import(csv.as_bytes(), "x.csv", &ImportOptions::default()).unwrap();
    let dx = t.column("dx").unwrap();
    assert_eq!(dx.date_order(), Some(DateOrder::DayFirst));
    assert!(!dx.date_ambiguous());
    assert_eq!(dx.text(0), "2010-02-01");
}

#[test]
fn date_formats_with_times() {
    let csv = "id;a;b;c;d\n1;2009-03-12T10:30:00;12.03.2009 10:30;2009/03/12;Mar 12, 2009\n2;2010-01-01 00:00;01.01.2010;2010/01/01;Jan 1, 2010\n";
    let t = import(csv.as_bytes(), "x.csv", &ImportOptions::default()).unwrap();
    for name in ["a", "b", "c", "d"] {
        let c = t.column(name).unwrap();
        assert_eq!(c.kind(), ColumnType::Date, "{name}");
    }
    assert_eq!(t.column("a").unwrap().text(0), "2009-03-12 10:30");
    assert_eq!(t.column("b").unwrap().text(0), "2009-03-12 10:30");
    assert_eq!(t.column("d").unwrap().text(1), "2010-01-01");
}

#[test]
fn duplicate_and_empty_names() {
    let csv = "id,age,age,,time,\n1,2,3,4,5,\n6,7,8,9,10,\n";
    let t = import(csv.as_bytes(), "x.csv", &ImportOptions::default()).unwrap();
    let names: Vec<&str> = t.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["id", "age", "age_2", "V4", "time"]);
    let notes = &t.source().notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("duplicate column name 'age'")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("empty column")),
        "{notes:?}"
    );
}

#[test]
fn whole_file_errors() {
    let err =
        |bytes: &[u8], name: &str| import(bytes, name, &ImportOptions::default()).unwrap_err();
    assert_eq!(err(b"", "x.csv").kind(), &ImportErrorKind::Empty);
    assert_eq!(err(b"  \r\n\n", "x.csv").kind(), &ImportErrorKind::Empty);
    let e = err(&fixture("ragged.csv"), "ragged.csv");
    assert_eq!(
        e.kind(),
        &ImportErrorKind::RaggedRow {
            row: 3,
            found: 2,
            expected: 3
        }
    );
    assert!(
        e.to_string()
            .contains("row 3 has 2 fields but the first row has 3"),
        "{e}"
    );
    let e = err(b"just some words\nand more words\n", "notes.txt");
    assert!(
        matches!(e.kind(), ImportErrorKind::OneColumn { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("only one column"));
    let e = err(b"a,b\n", "x.csv");
    assert_eq!(e.kind(), &ImportErrorKind::NoDataRows);
    let e = err(b"\x00\x01\x02\x03binary\x00\x00\xff\xfe\x00junk", "x.csv");
    assert!(matches!(e.kind(), ImportErrorKind::Binary { .. }), "{e:?}");
    let e = err(b"%PDF-1.4 whatever", "x.csv");
    assert!(e.to_string().contains("PDF"), "{e}");
    let opts = ImportOptions {
        max_bytes: Some(10),
        ..Default::default()
    };
    let e = import(b"a,b\n1,2\n3,4\n", "x.csv", &opts).unwrap_err();
    assert_eq!(
        e.kind(),
        &ImportErrorKind::TooLarge {
            size: 12,
            limit: 10
        }
    );
    assert!(e.to_string().contains("at most"), "{e}");
    let e = err(
        b"<html><body><table><tr><td>1</td></tr></table></body></html>",
        "export.xls",
    );
    assert!(e.to_string().contains("web page"), "{e}");
    let e = err(b"PK\x03\x04garbage that is not a zip", "data.zip");
    assert!(matches!(e.kind(), ImportErrorKind::Binary { .. }), "{e:?}");
    let e = err(b"PK\x03\x04garbage that is not a zip", "data.xlsx");
    assert!(
        matches!(e.kind(), ImportErrorKind::Spreadsheet { .. }),
        "{e:?}"
    );
}

#[test]
fn summary_serialises() {
    let t = read("euro_1252.csv");
    let s = t.summary(5);
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["n_rows"], 12);
    assert_eq!(json["source"]["delimiter"], ";");
    assert_eq!(json["columns"][6]["kind"], "categorical");
    let levels = json["columns"][6]["levels"].as_array().unwrap();
    assert_eq!(levels[0]["level"], "Dead");
    assert_eq!(levels[0]["count"], 8);
    assert_eq!(json["columns"][4]["min"], "2009-03-12");
    assert_eq!(json["preview"][0]["cells"][4], "2009-03-12");
    assert_eq!(json["preview"][0]["row"], 2);
}

#[test]
fn progress_is_reported_up_to_one() {
    let mut seen = Vec::new();
    let t = survkit_data::import_with_progress(
        &fixture("clean.csv"),
        "clean.csv",
        &ImportOptions::default(),
        &mut |f| seen.push(f),
    )
    .unwrap();
    assert_eq!(t.n_rows(), 12);
    assert_eq!(seen.len(), 6);
    assert!(seen.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(*seen.last().unwrap(), 1.0);
}

#[test]
fn title_lines_and_trailing_delimiters() {
    let csv = "Export from clinic system;;;\r\nDate: 2024-01-05\r\n\r\nid;time;status;\r\n1;5;1\r\n2;6;0;\r\n3;7;1\r\n";
    let t = import(csv.as_bytes(), "x.csv", &ImportOptions::default()).unwrap();
    let names: Vec<&str> = t.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["id", "time", "status"]);
    assert_eq!(t.n_rows(), 3);
    assert_eq!(t.row_number(0), 5);
    assert!(
        t.source()
            .notes
            .iter()
            .any(|n| n.contains("2 line(s) above the table skipped")),
        "{:?}",
        t.source().notes
    );
    // A header without the trailing delimiter that data rows have.
    let t = import(b"a,b\n1,2,\n3,4,\n", "x.csv", &ImportOptions::default()).unwrap();
    assert_eq!(t.columns().len(), 2);
}

#[test]
fn xlsb_is_refused_with_what_to_do() {
    let e = survkit_data::import(
        b"PK\x03\x04 not really a workbook",
        "trial.xlsb",
        &ImportOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains(".xlsb") && e.contains("Save As"), "{e}");
}

/// A file longer than the importer's head sample (1000 records), whose columns change
/// character after it: the type must come from every row, not from the sample.
fn long_csv(rows: usize, cell: impl Fn(usize) -> [String; 4]) -> Vec<u8> {
    let mut s = String::from("id,late_text,mostly_num,empty\r\n");
    for i in 0..rows {
        let c = cell(i);
        s.push_str(&format!("{},{},{},{}\r\n", c[0], c[1], c[2], c[3]));
    }
    s.into_bytes()
}

#[test]
fn columns_that_change_after_the_head_sample_are_typed_from_every_row() {
    let csv = long_csv(1500, |i| {
        [
            (i + 1).to_string(),
            // Numbers for 1200 rows, then words: categorical, numbers kept as written.
            if i < 1200 {
                format!("{:03}", i % 7)
            } else {
                "later".into()
            },
            // Numbers with a few words after the sample: numeric with invalid cells.
            if (1300..1310).contains(&i) {
                "n.d.".into()
            } else {
                format!("{}.5", i % 50)
            },
            // Missing everywhere: an empty categorical column.
            "NA".into(),
        ]
    });
    let t = import(&csv, "long.csv", &ImportOptions::default()).unwrap();
    assert_eq!(t.n_rows(), 1500);
    assert_eq!(t.row_number(1499), 1501);
    let late = t.column("late_text").unwrap();
    assert_eq!(late.kind(), ColumnType::Categorical);
    assert_eq!(
        late.levels().unwrap(),
        ["000", "001", "002", "003", "004", "005", "006", "later"]
    );
    assert_eq!(late.cell(1199), Cell::Text("002"));
    assert_eq!(late.cell(1200), Cell::Text("later"));
    let num = t.column("mostly_num").unwrap();
    assert_eq!(num.kind(), ColumnType::Numeric);
    assert_eq!(num.n_invalid(), 10);
    assert_eq!(num.cell(1300), Cell::Invalid("n.d."));
    assert_eq!(num.cell(1299), Cell::Number(49.5));
    let empty = t.column("empty").unwrap();
    assert_eq!(empty.kind(), ColumnType::Categorical);
    assert_eq!(empty.n_missing(), 1500);
    assert_eq!(empty.levels().unwrap().len(), 0);
    // The same file read with the types set by the user.
    let mut opts = ImportOptions::default();
    opts.column_types
        .insert("ID".into(), ColumnType::Categorical);
    opts.column_types
        .insert("late_text".into(), ColumnType::Numeric);
    let t = import(&csv, "long.csv", &opts).unwrap();
    let id = t.column("id").unwrap();
    assert_eq!(id.kind(), ColumnType::Categorical);
    assert_eq!(id.levels().unwrap().len(), 1500);
    let late = t.column("late_text").unwrap();
    assert_eq!(late.kind(), ColumnType::Numeric);
    assert_eq!(late.n_invalid(), 300);
    assert_eq!(late.cell(8), Cell::Number(1.0));
}

#[test]
fn a_type_set_on_a_generated_name_reaches_a_number_column() {
    // No header: the names are V1, V2 and only known after reading.
    let mut csv = String::new();
    for i in 0..1200 {
        csv.push_str(&format!("{i};0{}\n", i % 3));
    }
    let mut opts = ImportOptions {
        header: Some(false),
        ..Default::default()
    };
    opts.column_types
        .insert("V2".into(), ColumnType::Categorical);
    let t = import(csv.as_bytes(), "v.csv", &opts).unwrap();
    let v2 = t.column("V2").unwrap();
    assert_eq!(v2.kind(), ColumnType::Categorical);
    assert_eq!(v2.levels().unwrap(), ["00", "01", "02"]);
    assert_eq!(t.column("V1").unwrap().kind(), ColumnType::Numeric);
}

#[test]
fn numbers_read_fast_equal_the_standard_parser() {
    // The importer reads plain decimals without the standard library's parser; the
    // values must be the same doubles.
    let cells = [
        "0",
        "-0",
        "1",
        "+2",
        "0.1",
        "-0.1",
        "123456789012345",
        "0.000000000000001",
        "999999999999999",
        "3.141592653589793",
        "-2.718281828459045",
        ".5",
        "5.",
        "-.25",
        "1234567.890123",
        "0.30000000000000004",
        "1e3",
        "12345678901234567",
    ];
    let mut csv = String::from("x,y\n");
    for (i, c) in cells.iter().enumerate() {
        csv.push_str(&format!("{c},{i}\n"));
    }
    let t = import(csv.as_bytes(), "n.csv", &ImportOptions::default()).unwrap();
    let x = t.column("x").unwrap();
    assert_eq!(x.kind(), ColumnType::Numeric);
    for (i, c) in cells.iter().enumerate() {
        let want: f64 = c.parse().unwrap();
        match x.cell(i) {
            Cell::Number(v) => assert_eq!(v.to_bits(), want.to_bits(), "{c}"),
            other => panic!("{c}: {other:?}"),
        }
    }
}
