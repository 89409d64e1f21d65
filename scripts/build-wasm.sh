#!/usr/bin/env bash
# Builds the page's WebAssembly package into www/pkg/:
#   cargo (wasm32) -> wasm-bindgen (--target web) -> wasm-opt -> size report.
# Quick when nothing changed. `--force` rebuilds regardless. `--bench` builds the
# benchmark's module instead (the page's plus the bench_* exports, feature `bench`)
# into target/bench/pkg/, for bench/wasm.mjs; the page's module never has them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/setup.sh
. scripts/setup.sh

out=www/pkg
features=()
force=
for a in "$@"; do
  case "$a" in
    --force) force=--force ;;
    --bench) out=target/bench/pkg features=(--features bench) ;;
    *) echo "build-wasm.sh: unknown option $a (use --force, --bench)" >&2; exit 2 ;;
  esac
done
wasm_out=$out/survkit_wasm_bg.wasm

# Up to date? (newer than every Rust source, manifest and the lock file)
if [ "$force" != --force ] && [ -f "$wasm_out" ] && [ -f "$out/survkit_wasm.js" ] &&
  [ -z "$(find crates Cargo.toml Cargo.lock -newer "$wasm_out" \( -name '*.rs' -o -name '*.toml' -o -name Cargo.lock \) -print -quit)" ]; then
  echo "== wasm package up to date ($wasm_out)"
  exit 0
fi

# Each step says what it does; the one-time ones say roughly how long they take, and
# any that fails says what to do and ends the build with a non-zero status.
echo "== building the WebAssembly module ($out/)"
setup_wasm_toolchain
ensure_wasm_bindgen_cli
ensure_node_modules
wasm_bindgen_paths

if wasm_std_unbuilt; then
  one_time "cargo build survkit-wasm for wasm32 ($WASM_MODE), compiling Rust's standard library for wasm32 first" \
    "about 3-4 min on 2 cores"
else
  timed "cargo build survkit-wasm for wasm32 ($WASM_MODE)" "seconds when little changed, about 2 min from scratch"
fi
wasm_cargo build --profile wasm-release -p survkit-wasm ${features[@]+"${features[@]}"}
one_time_done
raw=$WASM_TARGET_DIR/$WASM_TARGET/wasm-release/survkit_wasm.wasm

# Built in a staging directory and moved into www/pkg/ only when complete: an
# interrupted build must not leave a module that the check above takes as up to date.
stage=target/wasm-pkg.tmp$([ "$out" = www/pkg ] || echo .bench)
rm -rf "$stage"
echo "== wasm-bindgen"
"$WASM_BINDGEN" --target web --no-typescript --out-dir "$stage" "$raw"

echo "== wasm-opt"
# --low-memory-unused: Rust puts the stack first (it grows down from 1 MiB), so nothing
# lives in the first 1 KiB and loads/stores may fold small constant offsets (-5 KB gz).
# --converge: repeat -Oz until it stops shrinking.
node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$stage/survkit_wasm_bg.wasm" -o "$stage/survkit_wasm_bg.wasm.opt"
mv "$stage/survkit_wasm_bg.wasm.opt" "$stage/survkit_wasm_bg.wasm"
mkdir -p "$out"
# The module last: its time stamp is what the up-to-date check compares.
for f in "$stage"/*; do
  [ "$f" = "$stage/survkit_wasm_bg.wasm" ] || mv -f "$f" "$out/"
done
mv -f "$stage/survkit_wasm_bg.wasm" "$wasm_out"
rm -rf "$stage"

bytes=$(wc -c <"$wasm_out")
gz=$(gzip -9 -c "$wasm_out" | wc -c)
printf '== %s: %s bytes raw, %s bytes gzipped (%.1f KB; budget 720 KB)\n' \
  "$wasm_out" "$bytes" "$gz" "$(awk -v g="$gz" 'BEGIN { print g / 1024 }')"
if [ "$out" = www/pkg ]; then
  mkdir -p target
  printf '{"raw_bytes": %s, "gzip_bytes": %s}\n' "$bytes" "$gz" >target/wasm-size.json
fi
