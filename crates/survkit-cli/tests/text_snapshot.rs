//! The CLI's text output (and `--json`), byte for byte, on the test datasets.
//! Regenerate (and review the diff) with
//! `SURVKIT_UPDATE_SNAPSHOTS=1 cargo test -p survkit-cli --test text_snapshot`.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const CASES: &[(&str, &[&str])] = &[
    (
        "lung.txt",
        &[
            "analyze",
            "tests/data/lung.csv",
            "--time",
            "time",
            "--event",
            "status",
            "--group",
            "sex",
            "--covariates",
            "age,ph.ecog",
            "--times",
            "180,365",
        ],
    ),
    (
        "ovarian.txt",
        &[
            "analyze",
            "tests/data/ovarian.csv",
            "--time",
            "futime",
            "--event",
            "fustat",
            "--group",
            "rx",
            "--covariates",
            "age,resid.ds",
            "--conf-type",
            "log-log",
            "--ties",
            "breslow",
        ],
    ),
    (
        "aml.json",
        &[
            "analyze",
            "tests/data/aml.csv",
            "--time",
            "time",
            "--event",
            "status",
            "--group",
            "x",
            "--json",
        ],
    ),
];

#[test]
fn text_output_matches_snapshots() {
    let update = std::env::var_os("SURVKIT_UPDATE_SNAPSHOTS").is_some();
    for (name, args) in CASES {
        let out = Command::new(env!("CARGO_BIN_EXE_survkit"))
            .current_dir(root())
            .args(*args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(name);
        if update {
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        let want = std::fs::read(&path).expect("snapshot; run with SURVKIT_UPDATE_SNAPSHOTS=1");
        assert!(
            want == out.stdout,
            "{name} differs from the snapshot; review, then SURVKIT_UPDATE_SNAPSHOTS=1"
        );
    }
}
