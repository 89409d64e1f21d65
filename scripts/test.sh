#!/usr/bin/env bash
# `npm test`: everything, in the order that fails fastest.
#   0. set-up (installs what is missing, or says what to run)   5. wasm package build
#   1. the set-up scripts themselves, in a sandbox               6. wasm-bindgen tests in Node
#   2. rustfmt check    3. clippy, host and wasm32               7. CLI/wasm parity
#   4. cargo test (host)                                          8. browser tests, per engine
#                                            (SURVKIT_ENGINES, default chromium,firefox,webkit)
set -euo pipefail
cd "$(dirname "$0")/.."
trap 'echo "error: npm test stopped at scripts/test.sh line $LINENO: $BASH_COMMAND" >&2' ERR
# shellcheck source=scripts/setup.sh
. scripts/setup.sh
start=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$1" "$(($(date +%s) - start))"; }

step "set-up: toolchains, wasm-bindgen-cli, npm packages, browsers ($SURVKIT_ENGINES), R"
setup_main all
wasm_bindgen_paths

step "set-up scripts (sandboxed: each tool missing in turn, installers stubbed)"
node --test tests/setup/

step "rustfmt"
cargo fmt --all -- --check

step "clippy (host)"
cargo clippy --workspace --all-targets -- -D warnings

step "clippy (wasm32: core, data, report, wasm)"
wasm_cargo clippy -p survkit-core -p survkit-data -p survkit-report -p survkit-wasm -- -D warnings

step "cargo test (host)"
cargo test --workspace

step "wasm package"
bash scripts/build-wasm.sh

step "wasm-bindgen tests (Node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=$WASM_BINDGEN_TEST_RUNNER \
  wasm_cargo test -p survkit-wasm

step "CLI and wasm parity (Node)"
cargo build -p survkit-cli
node --test tests/parity/

IFS=, read -r -a engines <<<"$SURVKIT_ENGINES"
for engine in "${engines[@]}"; do
  step "browser tests ($engine)"
  if ! SURVKIT_ENGINE=$engine node --test --test-concurrency=1 tests/browser/; then
    # Known flake (docs/testing.md): WebKit's Selenium adapter can meet a re-rendered
    # element ("Node with identifier ... was not found"). One re-run, said out loud; a
    # second failure fails npm test.
    step "FLAKY: browser tests ($engine) failed once; running them again"
    SURVKIT_ENGINE=$engine node --test --test-concurrency=1 tests/browser/
  fi
done

step "done"
