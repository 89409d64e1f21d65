//! wasm-bindgen tests, run in Node by `wasm-bindgen-test-runner` (see scripts/test.sh).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(survkit_wasm::version(), env!("CARGO_PKG_VERSION"));
}
