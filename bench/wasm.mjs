// survkit wasm in Node: the page's module plus the bench_* exports (target/bench/pkg,
// built by `bash scripts/build-wasm.sh --bench`; same code and profile as www/pkg).
// Called by `survkit-bench all` as
//   node bench/wasm.mjs --task import|km|cox|page --file F --p P --reps N
// and prints one JSON line (times in seconds, warm-up run dropped).
//   import: file bytes (readFileSync) -> typed table (bench_import export)
//   km/cox: BenchCohort prepared once, then bench_km_logrank / bench_cox
//   page:   exactly the page worker's calls: new Session(bytes, name, '{}') + analyze(spec)
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import init, * as wasm from '../target/bench/pkg/survkit_wasm.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (k) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : undefined; };
const task = opt('--task');
const file = opt('--file');
const p = Number(opt('--p'));
const reps = Math.max(1, Number(opt('--reps') || 5));
const name = basename(file);

const baseRss = process.memoryUsage().rss;
const exports = await init({ module_or_path: readFileSync(join(ROOT, 'target/bench/pkg/survkit_wasm_bg.wasm')) });
const memory = exports.memory;

function spec(p) {
  const cov = Array.from({ length: p }, (_, j) => ({ column: `x${j + 1}` }));
  return JSON.stringify({
    endpoints: [{ time: 'time', event: 'status' }],
    group: { column: 'arm' },
    covariates: cov,
  });
}

// CPU time of the process (all threads; the wasm code itself runs on the main thread).
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
function runs(f) {
  const times = [];
  const cpus = [];
  let out;
  for (let i = 0; i <= reps; i++) {
    const c0 = cpu();
    const t0 = performance.now();
    out = f();
    const dt = (performance.now() - t0) / 1000;
    const dc = cpu() - c0;
    if (i > 0) { times.push(dt); cpus.push(dc); }
  }
  return { times, cpus, out };
}

let r;
let check;
if (task === 'import') {
  r = runs(() => wasm.bench_import(readFileSync(file), name));
  check = r.out;
} else if (task === 'km' || task === 'cox') {
  const cohort = new wasm.BenchCohort(readFileSync(file), name, p);
  r = runs(() => (task === 'km' ? cohort.bench_km_logrank() : cohort.bench_cox()));
  check = task === 'cox' ? { loglik: r.out } : r.out;
  cohort.free();
} else if (task === 'page') {
  const s = spec(p);
  r = runs(() => {
    const session = new wasm.Session(readFileSync(file), name, '{}');
    const json = session.analyze(s);
    session.free();
    return json.length;
  });
  check = r.out;
} else {
  throw new Error(`unknown task ${task}`);
}

console.log(JSON.stringify({
  engine: 'wasm',
  version: wasm.version(),
  node: process.version,
  times: r.times,
  cpu_times: r.cpus,
  peak_rss_kb: process.resourceUsage().maxRSS,
  base_rss_kb: Math.round(baseRss / 1024),
  // wasm linear memory only grows: its size at the end is the module's peak.
  wasm_memory_bytes: memory.buffer.byteLength,
  check,
}));
