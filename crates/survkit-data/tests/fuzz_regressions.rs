//! Inputs that once crashed the fuzz target (`fuzz/`, kept in tests/fixtures/fuzz/ as
//! the fuzzer wrote them: first byte = option selector), plus every fixture under
//! several option selectors: the whole import path must return, not panic.

use std::path::PathBuf;

fn files(dir: &str) -> Vec<PathBuf> {
    let dir = format!("{}/tests/fixtures/{dir}", env!("CARGO_MANIFEST_DIR"));
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn fuzz_crashes_stay_fixed() {
    let crashes = files("fuzz");
    assert!(!crashes.is_empty());
    for path in crashes {
        let bytes = std::fs::read(&path).unwrap();
        survkit_data::fuzzing::run(&bytes);
    }
}

#[test]
fn fixtures_under_every_option_selector() {
    let mut n = 0;
    for path in files(".") {
        let bytes = std::fs::read(&path).unwrap();
        for sel in [0x00u8, 0x21, 0x45, 0x6f, 0xe8] {
            let mut data = vec![sel];
            data.extend_from_slice(&bytes);
            survkit_data::fuzzing::run(&data);
            n += 1;
        }
    }
    assert!(n > 20);
}

/// Malformed .xls files are rejected before the XLS reader sees them (in the wasm
/// build a reader panic would trap the worker rather than return an error).
#[test]
fn malformed_xls_rejected_up_front() {
    for name in [
        "xls_cfb_cyclic_chain.bin",
        "xls_dimensions_overflow.bin",
        "xls_cfb_directory_overrun.bin",
    ] {
        let path = format!("{}/tests/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(path).unwrap();
        let e = survkit_data::import(
            &bytes[1..],
            "x.xls",
            &survkit_data::ImportOptions::default(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("internal structure is damaged"),
            "{name}: {e}"
        );
    }
}
