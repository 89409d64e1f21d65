//! The whole import path on arbitrary bytes (see `survkit_data::fuzzing::run`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = survkit_data::fuzzing::run(data);
});
