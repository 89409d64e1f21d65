# Sourced by the test scripts (or run: `bash scripts/browsers.sh [engine...]`): checks
# that the browsers and drivers of the browser suite are installed and, when root on
# Debian, installs the missing ones. Engines: chromium firefox webkit (default: those in
# SURVKIT_ENGINES, else all three). Nothing is downloaded by npm or the drivers: every
# browser is a Debian package.
#   chromium  chromium            Debian's Chromium, driven by playwright-core
#   firefox   firefox-esr         Firefox ESR, driven by puppeteer-core over WebDriver BiDi
#   webkit    webkit2gtk-driver   WebKitWebDriver + MiniBrowser (WebKitGTK, Safari's engine),
#             xvfb                driven by selenium-webdriver on a private Xvfb display
# shellcheck shell=bash

# The Debian packages one engine needs that are not installed (prints them, one a line).
browser_missing_packages() {
  case $1 in
    chromium) [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || echo chromium ;;
    firefox) [ -x "${FIREFOX:-/usr/bin/firefox-esr}" ] || echo firefox-esr ;;
    webkit)
      command -v "${WEBKIT_DRIVER:-WebKitWebDriver}" >/dev/null 2>&1 && compgen -G "/usr/lib/*/webkit2gtk-4.1/MiniBrowser" >/dev/null ||
        echo webkit2gtk-driver
      [ -n "${SURVKIT_WEBKIT_DISPLAY:-}" ] || command -v Xvfb >/dev/null 2>&1 || echo xvfb
      ;;
    *)
      echo "error: unknown browser engine '$1' (expected chromium, firefox or webkit)" >&2
      return 2
      ;;
  esac
}

# ensure_browsers [engine...]: returns 0 when every engine can run; installs the missing
# Debian packages when root, else prints the exact command and returns 1.
ensure_browsers() {
  local engines=("$@") e missing=() why=()
  if [ ${#engines[@]} -eq 0 ]; then
    IFS=, read -r -a engines <<<"${SURVKIT_ENGINES:-chromium,firefox,webkit}"
  fi
  for e in "${engines[@]}"; do
    local pkgs
    pkgs=$(browser_missing_packages "$e") || return 1
    for p in $pkgs; do
      missing+=("$p")
      why+=("$p (for the $e browser tests)")
    done
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing ${why[*]}: the browser suite runs the page in each engine (docs/testing.md)" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    return
  fi
  echo "error: missing for the browser tests: ${why[*]}." >&2
  echo "  Install them (Debian 12):  sudo apt-get install -y ${missing[*]}" >&2
  echo "  or test fewer engines, e.g. SURVKIT_ENGINES=chromium" >&2
  return 1
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  ensure_browsers "$@"
fi
