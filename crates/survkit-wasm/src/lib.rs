//! WebAssembly binding of survkit, loaded by the page's Web Worker.
#![deny(missing_docs)]
