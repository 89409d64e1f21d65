#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest.
#   1. rustfmt check          4. cargo test (host)         7. browser tests (Chromium)
#   2. clippy, host           5. wasm package build
#   3. clippy, wasm32 crates  6. wasm-bindgen tests in Node  8. CLI/wasm parity
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/wasm-env.sh
. scripts/wasm-env.sh
start=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

step "rustfmt"
cargo fmt --all -- --check

step "clippy (host)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm32: core, data, report, wasm)"
setup_wasm_toolchain
wasm_cargo clippy -p survkit-core -p survkit-data -p survkit-report -p survkit-wasm -- -D warnings

step "cargo test (host)"
cargo test --workspace

step "wasm package"
bash scripts/build-wasm.sh

step "wasm-bindgen tests (Node)"
ensure_wasm_bindgen_cli
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  wasm_cargo test -p survkit-wasm

step "CLI and wasm parity (Node)"
ensure_node_modules
cargo build -p survkit-cli
node --test tests/parity/

step "browser tests (Chromium)"
node --test --test-concurrency=1 tests/browser/

step "done"
