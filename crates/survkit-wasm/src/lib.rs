//! WebAssembly binding of survkit, loaded by the page's Web Worker.
#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

/// survkit's version, for the page's footer and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
