// One engine, two shells: the CLI (native) and the page's wasm module, given the same
// file and the same Spec, must produce the same Report. Strings, integers and the
// layout must be identical; floating-point numbers may differ only in the last bits,
// because native code uses the platform's libm (exp, log, ...) and wasm uses Rust's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = process.env.SURVKIT_CLI || join(ROOT, 'target', 'debug', 'survkit');

async function loadWasm() {
  const mod = await import(join(ROOT, 'www', 'pkg', 'survkit_wasm.js'));
  await mod.default({ module_or_path: readFileSync(join(ROOT, 'www', 'pkg', 'survkit_wasm_bg.wasm')) });
  return mod;
}

function compare(a, b, path = '$') {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isInteger(a) && Number.isInteger(b)) {
      assert.equal(a, b, path);
    } else {
      const tol = 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
      assert.ok(Math.abs(a - b) <= tol, `${path}: ${a} vs ${b}`);
    }
    return;
  }
  if (Array.isArray(a)) {
    assert.ok(Array.isArray(b), `${path}: array vs ${typeof b}`);
    assert.equal(a.length, b.length, `${path}: length`);
    a.forEach((x, i) => compare(x, b[i], `${path}[${i}]`));
    return;
  }
  if (a && typeof a === 'object') {
    assert.ok(b && typeof b === 'object', `${path}: object vs ${b}`);
    assert.deepEqual(Object.keys(a), Object.keys(b), `${path}: keys`);
    for (const k of Object.keys(a)) compare(a[k], b[k], `${path}.${k}`);
    return;
  }
  assert.equal(a, b, path);
}

const cases = [
  {
    file: 'tests/data/lung.csv',
    spec: {
      endpoints: [{ name: 'OS', time: 'time', event: 'status', time_unit: 'days', output_unit: 'months' }],
      group: { column: 'sex' },
      covariates: [{ column: 'age' }, { column: 'ph.ecog' }, { column: 'sex', categorical: true }],
      survival: { times: [6, 12], conf_type: 'log-log' },
    },
  },
  {
    file: 'tests/data/veteran.csv',
    spec: {
      endpoints: [{ time: 'time', event: 'status' }],
      group: { column: 'celltype' },
      covariates: [{ column: 'karno' }, { column: 'trt', categorical: true }],
      cox: { ties: 'breslow' },
    },
  },
];

for (const c of cases) {
  test(`CLI and wasm give the same Report for ${c.file}`, async () => {
    const wasm = await loadWasm();
    const dir = mkdtempSync(join(tmpdir(), 'survkit-parity-'));
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify(c.spec));
    const cli = JSON.parse(execFileSync(CLI, ['analyze', join(ROOT, c.file), '--spec', specPath, '--json'], { encoding: 'utf8' }));
    const name = c.file.split('/').pop();
    const page = JSON.parse(wasm.analyze(readFileSync(join(ROOT, c.file)), name, JSON.stringify(c.spec)));
    compare(cli, page);
    // The worker's path (Session) gives the same Report as the one-shot export.
    const session = new wasm.Session(readFileSync(join(ROOT, c.file)), name, '{}');
    compare(JSON.parse(session.analyze(JSON.stringify(c.spec))), page);
    session.free();
  });
}
