#!/usr/bin/env bash
# `npm run bench`: survkit (native and wasm) against R survival and lifelines on the
# same seeded synthetic cohorts. Results: a table on stdout, JSON in target/bench/.
#
#   npm run bench                 # n = 1e4, 1e5, 1e6 (about 13 min on 2 idle cores)
#   npm run bench -- --quick      # n = 1e4, 1e5 only (or BENCH_QUICK=1)
#   BENCH_REPS=7 npm run bench    # timed runs per figure (default 5, after a warm-up)
#   BENCH_ENGINES=native,wasm,r   # subset of native,wasm,r,lifelines,browser
#
# Engines whose runtime is missing (Rscript + survival, python3 + lifelines, node,
# Chromium) are skipped with a message. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== building survkit-bench (release)" >&2
cargo build --release -q -p survkit-bench

case ",${BENCH_ENGINES:-wasm}," in
  *,wasm,* | *,browser,*)
    echo "== wasm packages: the page's (www/pkg, for the browser engine) and the benchmark's (target/bench/pkg, with the bench_* exports)" >&2
    { bash scripts/build-wasm.sh >&2 && bash scripts/build-wasm.sh --bench >&2; } || echo "== wasm build failed: wasm and browser engines will be skipped" >&2
    ;;
esac

echo "== load before the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (other processes distort timings)" >&2
exec target/release/survkit-bench all "$@"
