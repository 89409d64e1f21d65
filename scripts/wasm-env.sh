# Sourced by the build and test scripts: finds (and, when root on Debian, installs) a
# toolchain that can compile for wasm32-unknown-unknown, and defines `wasm_cargo`.
#
# Two worlds are supported:
#   rustup   - a developer laptop (or GitHub's runners) with the wasm32-unknown-unknown
#              target installed: plain `cargo build --target wasm32-unknown-unknown`.
#   buildstd - these Debian machines: rustup cannot download the target, so the wasm32
#              standard library is built from source with Debian's rustc-web (1.96) and
#              `-Zbuild-std`. See docs/toolchain.md.
#   nightly  - WASM_MODE=nightly: rustup's nightly with rust-src, the same build-std
#              flags as buildstd (used by the GitHub Pages workflow for the same size).
# shellcheck shell=bash

WASM_TARGET=wasm32-unknown-unknown

have_rustup_wasm_target() {
  command -v rustc >/dev/null 2>&1 || return 1
  local libdir
  libdir=$(rustc --print target-libdir --target "$WASM_TARGET" 2>/dev/null) || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

have_debian_buildstd() {
  [ -x /usr/bin/rustc ] && [ -x /usr/bin/cargo ] &&
    [ -d /usr/lib/rustlib/src/rust/library ] && command -v rust-lld >/dev/null 2>&1
}

install_debian_buildstd() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "error: no wasm32 toolchain found." >&2
    echo "  With rustup:  rustup target add $WASM_TARGET" >&2
    echo "  On Debian 12 (as root): apt-get install rustc-web cargo-web rust-web-src rust-web-llvm lld-22" >&2
    return 1
  fi
  echo "== installing Debian's rustc-web toolchain for the wasm32 build (one time)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22 >&2
}

# Sets WASM_MODE, WASM_TARGET_DIR and the wasm_cargo function.
setup_wasm_toolchain() {
  if [ -n "${WASM_MODE:-}" ]; then
    :
  elif have_rustup_wasm_target; then
    WASM_MODE=rustup
  else
    have_debian_buildstd || install_debian_buildstd || return 1
    WASM_MODE=buildstd
  fi
  if [ "$WASM_MODE" = rustup ]; then
    WASM_TARGET_DIR=${WASM_TARGET_DIR:-target}
  else
    # Separate target dir: sharing target/ with rustup's compiler makes both rebuild everything.
    WASM_TARGET_DIR=${WASM_TARGET_DIR:-target/wasm}
  fi
  export WASM_MODE WASM_TARGET_DIR
}

# wasm_cargo <subcommand> [args...]: cargo for the wasm32 target in either world.
wasm_cargo() {
  local sub=$1
  shift
  if [ "$WASM_MODE" = rustup ]; then
    CARGO_TARGET_DIR=$WASM_TARGET_DIR cargo "$sub" --target "$WASM_TARGET" "$@"
  else
    local std=std,panic_abort extra=() flags=${RUSTFLAGS:-}
    if [ "$sub" = test ]; then
      std=std,panic_abort,test
    elif [ "$sub" = build ]; then
      # Building std ourselves allows a smaller module: panics abort at once without
      # formatting a message (nobody reads it: a trap is reported by the worker).
      # Not std's `optimize_for_size` feature: it swaps slice::sort for a small, slow
      # sort, which made KM + log-rank at n = 1e6 13x slower (docs/performance.md).
      flags="$flags -Zunstable-options -Cpanic=immediate-abort"
    fi
    if [ "$WASM_MODE" = nightly ]; then
      RUSTFLAGS=$flags CARGO_TARGET_DIR=$WASM_TARGET_DIR \
        cargo +nightly "$sub" --target "$WASM_TARGET" -Zbuild-std=$std "${extra[@]}" "$@"
    else
      # Debian's cargo first on PATH so that `cargo clippy` finds Debian's clippy too.
      RUSTFLAGS=$flags RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$WASM_TARGET_DIR \
        PATH=/usr/bin:$PATH \
        /usr/bin/cargo "$sub" --target "$WASM_TARGET" -Zbuild-std=$std "${extra[@]}" "$@"
    fi
  fi
}

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen_cli() {
  local want have
  want=$(wasm_bindgen_version)
  # A missing wasm-bindgen is the normal first-run case: the probe must not end the
  # script under `set -euo pipefail` (it did, silently, with status 127).
  have=$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')
  if [ "$have" != "$want" ]; then
    echo "== installing wasm-bindgen-cli $want (matches Cargo.lock; ~5 min, one time)" >&2
    # No --locked: the registry index here can lag a patch release behind the CLI's lock file.
    cargo install wasm-bindgen-cli --version "$want" >&2 || return 1
  fi
}

ensure_node_modules() {
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] ||
    [ ! -d node_modules/puppeteer-core ] || [ ! -d node_modules/selenium-webdriver ] ||
    [ package.json -nt node_modules/.package-lock.json ]; then
    echo "== npm install" >&2
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
  fi
}
