// Runs the browser suite once per engine: SURVKIT_ENGINES=chromium,firefox,webkit (the
// default) or any subset, e.g. `SURVKIT_ENGINES=firefox node tests/browser/run.mjs`.
// Extra arguments go to `node --test` (e.g. a single file). Prints each engine's time;
// exits non-zero if any engine failed. Missing browsers: `bash scripts/setup.sh browsers`.
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const engines = (process.env.SURVKIT_ENGINES || 'chromium,firefox,webkit').split(',').map((s) => s.trim()).filter(Boolean);
const files = process.argv.slice(2);
const results = [];
for (const engine of engines) {
  console.log(`\n=== browser tests: ${engine}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...(files.length ? files : ['tests/browser/'])], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, SURVKIT_ENGINE: engine },
  });
  results.push({ engine, ok: r.status === 0, seconds: Math.round((Date.now() - t0) / 1000) });
}
console.log('\n=== browser tests by engine');
for (const r of results) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.engine.padEnd(9)} ${r.seconds} s`);
process.exit(results.every((r) => r.ok) ? 0 : 1);
