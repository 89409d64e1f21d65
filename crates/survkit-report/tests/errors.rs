//! Errors carry a kind the page can act on, beside the message for people.

use survkit_report::{analyze_bytes, RunErrorKind, Spec};

#[test]
fn an_unmapped_event_value_is_its_own_kind_with_the_values() {
    // 0/1 is understood; 9 is not.
    let csv = "time,status\n5,1\n8,0\n12,1\n3,9\n9,9\n";
    let spec = Spec::from_json(r#"{"endpoints": [{"time": "time", "event": "status"}]}"#).unwrap();
    let e = analyze_bytes(csv.as_bytes(), "t.csv", &spec).unwrap_err();
    match &e.kind {
        RunErrorKind::UnmappedEventValues {
            endpoint,
            column,
            values,
        } => {
            assert_eq!(*endpoint, 0);
            assert_eq!(column, "status");
            assert_eq!(values[0].value, "9");
            assert_eq!(values[0].count, 2);
        }
        other => panic!("{other:?}: {e}"),
    }
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "unmapped-event-values");
    assert!(json["message"].as_str().unwrap().contains('9'));
}

#[test]
fn other_failures_have_their_kinds() {
    let csv = "time,status\n5,1\n8,0\n";
    let spec = Spec::from_json(r#"{"endpoints": [{"time": "tme", "event": "status"}]}"#).unwrap();
    let e = analyze_bytes(csv.as_bytes(), "t.csv", &spec).unwrap_err();
    assert!(
        matches!(&e.kind, RunErrorKind::NoSuchColumn { column, .. } if column == "tme"),
        "{e:?}"
    );
    let e = analyze_bytes(csv.as_bytes(), "t.csv", &Spec::default()).unwrap_err();
    assert_eq!(e.kind, RunErrorKind::NoEndpoint);
    let e = Spec::from_json(r#"{"endpoint": []}"#).unwrap_err();
    assert_eq!(e.kind, RunErrorKind::Spec);
    let e = analyze_bytes(b"", "t.csv", &Spec::default()).unwrap_err();
    assert_eq!(e.kind, RunErrorKind::Import);
}
