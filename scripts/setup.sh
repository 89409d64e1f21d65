# shellcheck shell=bash
# The one place that finds, and where it can installs, what building and testing survkit
# needs. Sourced by build-wasm.sh, test.sh and bench.sh; run directly by .ci/run:
#
#   bash scripts/setup.sh [all|wasm|wasm-bindgen|node|chromium|r|lint]...
#
# Every ensure_* function either leaves its tool working or prints what failed and the
# command that fixes it, and returns 1. Nothing exits silently: these scripts run under
# `set -euo pipefail`, so a probe for a tool that may be missing is always written so
# that its failure is an answer ("not there"), never the end of the script.
# tests/setup/setup.test.mjs runs each function with one tool missing at a time and the
# installers replaced by stubs (once succeeding, once failing).
#
# Locations a test (or an unusual machine) can override:
#   SURVKIT_DEBIAN_PREFIX  where Debian's rustc-web lives (default /usr)
#   WASM_BINDGEN_ROOT      install wasm-bindgen-cli here (cargo install --root) and use
#                          only that copy; .ci/run points it at an empty directory so that
#                          CI always runs the fresh-machine path
#   CHROMIUM               the Chromium binary the browser tests drive (default /usr/bin/chromium)
#   FIREFOX                Firefox ESR (default /usr/bin/firefox-esr)
#   WEBKIT_DRIVER          WebKitWebDriver (default: on PATH)
#   MINIBROWSER            WebKitGTK's MiniBrowser (default /usr/lib/<triplet>/webkit2gtk-4.1/MiniBrowser)
#   SURVKIT_ENGINES        the browser engines npm test runs (default chromium,firefox,webkit)

WASM_TARGET=wasm32-unknown-unknown
DEB_PREFIX=${SURVKIT_DEBIAN_PREFIX:-/usr}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
WEBKIT_DRIVER=${WEBKIT_DRIVER:-WebKitWebDriver}
SURVKIT_ENGINES=${SURVKIT_ENGINES:-chromium,firefox,webkit}
# R packages the tests run (reference numbers, the "Reproduce in R" script).
R_PACKAGES="survival jsonlite cmprsk"
R_DEBS="r-base-core r-cran-survival r-cran-jsonlite r-cran-cmprsk"
WASM_DEBS="rustc-web cargo-web rust-web-src rust-web-llvm rust-web-clippy lld-22"

# ---- messages --------------------------------------------------------------------------

# setup_error MESSAGE [HOW-TO-FIX-LINE...]: prints an error and what to do; returns 1.
setup_error() {
  echo "error: $1" >&2
  shift
  local line
  for line in "$@"; do echo "  $line" >&2; done
  return 1
}

_one_time_start=0
# timed "what" "about how long": announces a step and starts its clock.
timed() {
  _one_time_start=$(date +%s)
  echo "== $1 ($2)" >&2
}
# one_time "what" "about how long": announces a step that runs once per machine.
one_time() {
  timed "$1" "one time on this machine; $2"
}
# one_time_done: how long the step announced by timed/one_time took.
one_time_done() {
  local s=$(($(date +%s) - _one_time_start))
  printf '   done in %dm %02ds\n' $((s / 60)) $((s % 60)) >&2
}

is_root_with_apt() {
  [ "$(id -u 2>/dev/null || echo 1)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

_apt_updated=
# apt_install "why" PACKAGE...: installs Debian packages when root, else says how.
apt_install() {
  local why=$1
  shift
  local fix="as root: apt-get update && apt-get install -y $*"
  if ! is_root_with_apt; then
    setup_error "$why: the Debian packages $* are not installed, and this is not root on Debian." \
      "Install them $fix"
    return 1
  fi
  one_time "apt-get install $* ($why)" "under a minute to a few minutes"
  if [ -z "$_apt_updated" ]; then
    apt-get update -qq >&2 || {
      setup_error "apt-get update failed (needed for $why)." "Check the package sources, then run $fix"
      return 1
    }
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2 || {
    setup_error "apt-get install $* failed (needed for $why)." "Run $fix"
    return 1
  }
  one_time_done
}

# ---- the wasm32 toolchain --------------------------------------------------------------
# Three worlds:
#   rustup   - a developer laptop (or GitHub's runners) with the wasm32-unknown-unknown
#              target installed: plain `cargo build --target wasm32-unknown-unknown`.
#   buildstd - these Debian machines: rustup cannot download the target, so the wasm32
#              standard library is built from source with Debian's rustc-web (1.96) and
#              `-Zbuild-std`. See docs/toolchain.md.
#   nightly  - WASM_MODE=nightly: rustup's nightly with rust-src, the same build-std
#              flags as buildstd (used by the GitHub Pages workflow for the same size).

have_rustup_wasm_target() {
  command -v rustc >/dev/null 2>&1 || return 1
  local libdir
  libdir=$(rustc --print target-libdir --target "$WASM_TARGET" 2>/dev/null) || return 1
  compgen -G "$libdir/libstd-*.rlib" >/dev/null
}

have_debian_buildstd() {
  [ -x "$DEB_PREFIX/bin/rustc" ] && [ -x "$DEB_PREFIX/bin/cargo" ] &&
    [ -d "$DEB_PREFIX/lib/rustlib/src/rust/library" ] && command -v rust-lld >/dev/null 2>&1
}

# Sets WASM_MODE, WASM_TARGET_DIR and the wasm_cargo function.
setup_wasm_toolchain() {
  if [ -n "${WASM_MODE:-}" ]; then
    :
  elif have_rustup_wasm_target; then
    WASM_MODE=rustup
  else
    if ! have_debian_buildstd; then
      if ! is_root_with_apt; then
        setup_error "no toolchain that can build for $WASM_TARGET was found." \
          "With rustup:        rustup target add $WASM_TARGET" \
          "On Debian 12, as root: apt-get update && apt-get install -y $WASM_DEBS"
        return 1
      fi
      # shellcheck disable=SC2086
      apt_install "Debian's rustc-web, to build Rust's standard library for wasm32" $WASM_DEBS || return 1
      have_debian_buildstd || {
        setup_error "Debian's rustc-web was installed but $DEB_PREFIX/bin/rustc, its std sources or rust-lld are still missing." \
          "Check: ls $DEB_PREFIX/bin/rustc $DEB_PREFIX/lib/rustlib/src/rust/library; command -v rust-lld"
        return 1
      }
    fi
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
    local std=std,panic_abort flags=${RUSTFLAGS:-}
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
        cargo +nightly "$sub" --target "$WASM_TARGET" -Zbuild-std=$std "$@"
    else
      # Debian's cargo first on PATH so that `cargo clippy` finds Debian's clippy too.
      RUSTFLAGS=$flags RUSTC=$DEB_PREFIX/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$WASM_TARGET_DIR \
        PATH=$DEB_PREFIX/bin:$PATH \
        "$DEB_PREFIX/bin/cargo" "$sub" --target "$WASM_TARGET" -Zbuild-std=$std "$@"
    fi
  fi
}

# True when the wasm32 standard library has not been built into WASM_TARGET_DIR yet
# (the first build then takes minutes, not seconds).
wasm_std_unbuilt() {
  [ "$WASM_MODE" != rustup ] && ! compgen -G "$WASM_TARGET_DIR/$WASM_TARGET/*/deps/libstd-*.rlib" >/dev/null
}

# ---- wasm-bindgen-cli ------------------------------------------------------------------

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# Sets WASM_BINDGEN and WASM_BINDGEN_TEST_RUNNER (paths or bare names on PATH).
wasm_bindgen_paths() {
  if [ -n "${WASM_BINDGEN_ROOT:-}" ]; then
    WASM_BINDGEN=$WASM_BINDGEN_ROOT/bin/wasm-bindgen
    WASM_BINDGEN_TEST_RUNNER=$WASM_BINDGEN_ROOT/bin/wasm-bindgen-test-runner
  else
    WASM_BINDGEN=wasm-bindgen
    WASM_BINDGEN_TEST_RUNNER=wasm-bindgen-test-runner
  fi
}

# The installed wasm-bindgen's version, or nothing when there is none.
installed_wasm_bindgen_version() {
  wasm_bindgen_paths
  { "$WASM_BINDGEN" --version 2>/dev/null || true; } | awk '{ print $2 }'
}

ensure_wasm_bindgen_cli() {
  local want have root_args=() fix
  want=$(wasm_bindgen_version)
  [ -n "$want" ] || {
    setup_error "could not read the wasm-bindgen version from Cargo.lock." "Run: cargo generate-lockfile"
    return 1
  }
  have=$(installed_wasm_bindgen_version)
  [ "$have" = "$want" ] && return 0
  if [ -n "${WASM_BINDGEN_ROOT:-}" ]; then
    root_args=(--root "$WASM_BINDGEN_ROOT")
  fi
  fix="cargo install wasm-bindgen-cli --version $want${WASM_BINDGEN_ROOT:+ --root $WASM_BINDGEN_ROOT}"
  command -v cargo >/dev/null 2>&1 || {
    setup_error "wasm-bindgen-cli $want is needed, and cargo (rustup) is not installed to build it." \
      "Install Rust with rustup, then run: $fix"
    return 1
  }
  one_time "installing wasm-bindgen-cli $want${have:+ (found $have)}, which must match Cargo.lock" \
    "about 5 min: it compiles from source"
  # No --locked: the registry index here can lag a patch release behind the CLI's lock file.
  cargo install wasm-bindgen-cli --version "$want" "${root_args[@]}" >&2 || {
    setup_error "installing wasm-bindgen-cli $want failed (see cargo's message above)." "Run: $fix"
    return 1
  }
  have=$(installed_wasm_bindgen_version)
  [ "$have" = "$want" ] || {
    setup_error "wasm-bindgen-cli $want was installed, but '$WASM_BINDGEN --version' gives '${have:-nothing}'." \
      "Put cargo's bin directory (~/.cargo/bin) first on PATH, or run: $fix"
    return 1
  }
  one_time_done
}

# ---- npm packages ----------------------------------------------------------------------

ensure_node_modules() {
  if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] &&
    [ -d node_modules/puppeteer-core ] && [ -d node_modules/selenium-webdriver ] &&
    [ -f node_modules/.package-lock.json ] && ! [ package.json -nt node_modules/.package-lock.json ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || {
    setup_error "node_modules is missing and npm is not installed." "Install Node.js 20 and npm, then run: npm ci"
    return 1
  }
  one_time "npm ci (wasm-opt; playwright-core, puppeteer-core, selenium-webdriver; axe-core)" "under a minute"
  npm ci --no-audit --no-fund >&2 || {
    setup_error "npm ci failed (see npm's message above)." "Run: npm ci"
    return 1
  }
  [ -x node_modules/.bin/wasm-opt ] || {
    setup_error "npm ci finished but node_modules/.bin/wasm-opt is missing." "Run: rm -rf node_modules && npm ci"
    return 1
  }
  one_time_done
}

# ---- the browser the tests drive -------------------------------------------------------

ensure_chromium() {
  [ -x "$CHROMIUM" ] && return 0
  apt_install "Chromium, for the browser tests" chromium || return 1
  [ -x "$CHROMIUM" ] || {
    setup_error "chromium was installed but $CHROMIUM does not exist." "Set CHROMIUM to Chromium's path."
    return 1
  }
}

# Firefox ESR, driven by puppeteer-core over WebDriver BiDi (tests/browser/engines/firefox.mjs).
ensure_firefox() {
  [ -x "$FIREFOX" ] && return 0
  apt_install "Firefox ESR, for the browser tests in Firefox's engine" firefox-esr || return 1
  [ -x "$FIREFOX" ] || {
    setup_error "firefox-esr was installed but $FIREFOX does not exist." "Set FIREFOX to Firefox's path."
    return 1
  }
}

have_minibrowser() {
  if [ -n "${MINIBROWSER:-}" ]; then
    [ -x "$MINIBROWSER" ]
  else
    compgen -G "/usr/lib/*/webkit2gtk-4.1/MiniBrowser" >/dev/null
  fi
}

have_webkit() {
  command -v "$WEBKIT_DRIVER" >/dev/null 2>&1 && have_minibrowser &&
    { [ -n "${SURVKIT_WEBKIT_DISPLAY:-}" ] || command -v Xvfb >/dev/null 2>&1; }
}

# WebKitGTK (Safari's engine): WebKitWebDriver driving MiniBrowser on a private Xvfb
# display, through selenium-webdriver (tests/browser/engines/webkit.mjs).
ensure_webkit() {
  have_webkit && return 0
  apt_install "WebKitGTK's WebKitWebDriver and Xvfb, for the browser tests in Safari's engine" \
    webkit2gtk-driver xvfb || return 1
  have_webkit || {
    setup_error "webkit2gtk-driver and xvfb were installed but $WEBKIT_DRIVER, MiniBrowser or Xvfb is still missing." \
      "Check: command -v $WEBKIT_DRIVER Xvfb; ls /usr/lib/*/webkit2gtk-4.1/MiniBrowser"
    return 1
  }
}

# The browsers of the engines in SURVKIT_ENGINES.
ensure_browsers() {
  local engine engines
  IFS=, read -r -a engines <<<"$SURVKIT_ENGINES"
  for engine in "${engines[@]}"; do
    case $engine in
      chromium) ensure_chromium ;;
      firefox) ensure_firefox ;;
      webkit) ensure_webkit ;;
      *)
        setup_error "unknown browser engine '$engine' in SURVKIT_ENGINES." "Engines: chromium, firefox, webkit"
        return 1
        ;;
    esac
  done
}

# ---- R, for reference numbers ----------------------------------------------------------

have_r_packages() {
  command -v Rscript >/dev/null 2>&1 || return 1
  local p
  for p in $R_PACKAGES; do
    Rscript -e "suppressMessages(library($p))" >/dev/null 2>&1 || return 1
  done
}

ensure_r() {
  have_r_packages && return 0
  # shellcheck disable=SC2086
  apt_install "R with the $R_PACKAGES packages, which the tests run for reference numbers" $R_DEBS || return 1
  have_r_packages || {
    setup_error "R was installed but Rscript cannot load $R_PACKAGES." \
      "Check: Rscript -e 'library(survival); library(jsonlite); library(cmprsk)'"
    return 1
  }
}

# ---- rustfmt and clippy ----------------------------------------------------------------

ensure_lint_tools() {
  cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1 && return 0
  command -v rustup >/dev/null 2>&1 || {
    setup_error "cargo fmt / cargo clippy are missing and rustup is not installed." \
      "Install the rustfmt and clippy components of your Rust toolchain."
    return 1
  }
  one_time "rustup component add clippy rustfmt" "under a minute"
  rustup component add clippy rustfmt >&2 || {
    setup_error "rustup component add clippy rustfmt failed." "Run: rustup component add clippy rustfmt"
    return 1
  }
  one_time_done
}

# ---- run directly ----------------------------------------------------------------------

# Steps run as plain commands (not `step || return 1`): bash switches errexit off inside
# any function called on the left of `||`, which would hide the very class of fault
# (a probe ending a script) that this file must surface.
setup_main() {
  local what
  [ $# -gt 0 ] || set -- all
  for what in "$@"; do
    case $what in
      all) setup_main lint wasm wasm-bindgen node browsers r ;;
      browsers) ensure_browsers ;;
      lint) ensure_lint_tools ;;
      wasm) setup_wasm_toolchain ;;
      wasm-bindgen) ensure_wasm_bindgen_cli ;;
      node) ensure_node_modules ;;
      chromium) ensure_chromium ;;
      firefox) ensure_firefox ;;
      webkit) ensure_webkit ;;
      r) ensure_r ;;
      *)
        setup_error "unknown set-up step '$what'." "Steps: all lint wasm wasm-bindgen node browsers chromium firefox webkit r"
        return 1
        ;;
    esac
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cd "$(dirname "$0")/.."
  trap 'echo "set-up failed (scripts/setup.sh line $LINENO: $BASH_COMMAND): see the error above." >&2' ERR
  setup_main "$@"
  echo "== set-up complete: ${*:-all}" >&2
fi
