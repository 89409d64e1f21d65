//! Inputs that once crashed the fuzz target (`fuzz/`), plus the fixtures as seeds:
//! the whole import path must return, not panic.

#[test]
fn fuzz_inputs_do_not_panic() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut n = 0;
    for sub in ["fuzz", "."] {
        let Ok(entries) = std::fs::read_dir(format!("{dir}/{sub}")) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for sel in [0x00u8, 0x21, 0x45, 0x6f, 0xe8] {
                let mut data = vec![sel];
                data.extend_from_slice(&bytes);
                survkit_data::fuzzing::run(&data);
                n += 1;
            }
        }
    }
    assert!(n > 20);
}
