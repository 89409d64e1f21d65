// The whole flow on a fresh dataset (pbc.csv, Mayo Clinic primary biliary cholangitis),
// as a clinician would do it: drop the file, fix the event coding (0 = censored,
// 1 = transplant = censored, 2 = death), choose the groups, switch the conventions to
// SAS, add covariates, export the figure as SVG/PNG/PDF, copy a table, download the R
// script — and check every number shown against R (tests/browser/r/pbc_flow.R), and
// run the downloaded R script to check that it prints the same numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { open, dropFile, tableCells, downloadOf, settled, ROOT, CAN, ENGINE } from './harness.mjs';

const R = JSON.parse(readFileSync(join(ROOT, 'tests/browser/r/pbc_flow.json'), 'utf8'));
const na = (x) => (x === 'NA' || x === null || x === undefined ? null : x);
const fmt = (x) => (na(x) === null ? 'NR' : String(Number(x.toFixed(2))));
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const ratio = (x) => (Math.abs(x) < 0.1 ? x.toFixed(3) : x.toFixed(2));

let h;
before(async () => {
  h = await open();
  await h.grantClipboard();
});
after(async () => {
  await h?.close();
});

function assertMedians(rows, lower, upper) {
  assert.equal(rows.length, 2);
  rows.forEach((r, i) => {
    assert.equal(r[1], String(R.n[i]), `N, arm ${i + 1}`);
    assert.equal(r[2], String(R.events[i]), `events, arm ${i + 1}`);
    assert.equal(r[3], fmt(R.median[i]), `median, arm ${i + 1}`);
    assert.equal(r[4], `${fmt(lower[i])}–${fmt(upper[i])}`, `median CI, arm ${i + 1}`);
  });
}

test('full flow on pbc.csv, numbers checked against R', async () => {
  const { page } = h;
  await page.goto(`${h.origin}/?empty`);
  await dropFile(page, '#drop', 'pbc.csv', readFileSync(join(ROOT, 'tests/data/pbc.csv')));
  await page.waitForFunction(() => document.querySelector('#source')?.textContent.includes('pbc.csv'));
  await settled(page);

  // 1. Roles: the guess is time + status; confirm them.
  assert.equal(await page.inputValue('#time-col'), 'time');
  assert.equal(await page.inputValue('#event-col'), 'status');
  await page.selectOption('#time-unit', 'days');
  await settled(page);

  // 2. The event coding: status has 0, 1 and 2. Say it in words: 2 = death is the event;
  //    0 and 1 (transplant) are censored.
  await page.waitForSelector('#coding-editor');
  await page.evaluate(() => (document.querySelector('#coding-editor').open = true));
  for (const [v, m] of [['2', 'event'], ['0', 'censored'], ['1', 'censored']]) {
    await page.selectOption(`#coding-editor select[data-value="${v}"]`, m);
    await settled(page);
  }
  await page.waitForFunction(() => /event = 2 \(/.test(document.querySelector('#event-coding').textContent));
  const coding = await page.textContent('#event-coding');
  assert.match(coding, /event = 2 \(161 rows\)/);
  assert.match(coding, /censored = (0, 1|1, 0) \(257 rows\)/);
  await h.shot('40-flow-coding');

  // 3. Groups: the treatment arm (rows without an arm are left out, with reasons).
  await page.selectOption('#group-col', 'trt');
  await page.fill('#times', '1000, 2000');
  await settled(page);
  assertMedians(await tableCells(page, 'medians'), R.median_log.lower, R.median_log.upper);
  const excluded = await tableCells(page, 'excluded');
  assert.ok(excluded.length >= 1, 'the 106 rows without an arm are listed');

  // 4. Conventions: Match SAS (log-log CIs, Breslow ties).
  await page.selectOption('#preset', 'sas');
  await settled(page);
  assert.equal(await page.inputValue('#conf-type'), 'log-log');
  assert.equal(await page.inputValue('#ties'), 'breslow');
  assert.match(await page.textContent('#conventions'), /log-log/);
  assertMedians(await tableCells(page, 'medians'), R.lower, R.upper);
  const at = await tableCells(page, 'at_times');
  assert.equal(at.length, 4);
  at.forEach((r, k) => {
    assert.equal(r[1], fmt(R.at_times.time[k]));
    assert.equal(r[3], pct(R.at_times.surv[k]), `survival at ${R.at_times.time[k]}`);
    assert.equal(r[4], `${pct(R.at_times.lower[k])}–${pct(R.at_times.upper[k])}`);
  });
  const tests = await tableCells(page, 'tests');
  assert.equal(tests[0][1], R.logrank.chisq.toFixed(2));
  assert.equal(tests[0][3], R.logrank.p.toFixed(3));

  // 5. Covariates: age (per year) and sex (reference f).
  const idx = async (name) => page.$$eval('#covariates input', (is, n) => is.findIndex((i) => i.value === n), name);
  await page.check(`#cov-${await idx('age')}`);
  await settled(page);
  await page.check(`#cov-${await idx('sex')}`);
  await settled(page);
  const mv = await tableCells(page, 'multivariable');
  assert.equal(mv.length, 2, JSON.stringify(mv));
  mv.forEach((r, k) => {
    assert.equal(r[2], `${ratio(R.cox.hr[k])} (${ratio(R.cox.lower[k])}–${ratio(R.cox.upper[k])})`, `HR ${R.cox.term[k]}`);
    const p = R.cox.p[k] < 0.001 ? '< 0.001' : R.cox.p[k].toFixed(3);
    assert.equal(r[3], p, `P ${R.cox.term[k]}`);
  });
  await page.waitForSelector('#forest-svg-0 svg');
  await h.shot('41-flow-results');

  // 6. Exports.
  const svg = await downloadOf(page, '[data-figure="km"] [data-export="svg"]');
  assert.match(svg.bytes.toString('utf8'), /<svg[\s\S]*Number at risk/);
  const png = await downloadOf(page, '[data-figure="km"] [data-export="png"]');
  assert.equal(png.bytes.readUInt32BE(16), Math.round((16 / 2.54) * 300));
  assert.equal(png.bytes.readUInt32BE(20), Math.round((12 / 2.54) * 300));
  const pdf = await downloadOf(page, '[data-figure="km"] [data-export="pdf"]');
  assert.equal(pdf.bytes.subarray(0, 5).toString('latin1'), '%PDF-');

  // 7. Copy the multivariable table (formatted HTML for Word).
  await page.bringToFront();
  await page.click('[data-table-box="multivariable"] [data-copy]');
  await page.waitForSelector('[data-table-box="multivariable"] [data-copy][data-copied="yes"]');
  if (CAN.clipboardRead) {
    const html = await page.evaluate(async () => {
      const items = await navigator.clipboard.read();
      return (await items[0].getType('text/html')).text();
    });
    assert.match(html, /<table[\s\S]*age/);
  } else {
    console.log(`# ${ENGINE}: the copied HTML is not read back (the driver cannot read the clipboard); the page reported the copy as done`);
  }

  // 8. Reproduce in R: the downloaded script, run on the same file, prints R's numbers.
  const r = await downloadOf(page, '#r-script');
  const rscript = spawnSync('Rscript', ['--version']);
  if (rscript.error) {
    // Under CI the set-up has installed R (scripts/setup.sh): missing is a failure.
    assert.ok(!process.env.CI, 'Rscript is required under CI: run bash scripts/setup.sh r');
    console.log('# SKIPPED running the R script: Rscript is not installed');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'survkit-flow-'));
    try {
      writeFileSync(join(dir, 'pbc.R'), r.bytes);
      const out = spawnSync('Rscript', [join(dir, 'pbc.R'), join(ROOT, 'tests/data/pbc.csv'), join(dir, 'out.json')], { encoding: 'utf8' });
      assert.equal(out.status, 0, out.stderr);
      const got = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).endpoints[0];
      got.medians.forEach((m, i) => {
        assert.equal(m.median, R.median[i]);
        assert.ok(Math.abs(m.lower - R.lower[i]) < 1e-9 && Math.abs(m.upper - R.upper[i]) < 1e-9);
      });
      got.multivariable.forEach((t, k) => assert.ok(Math.abs(t.hr - R.cox.hr[k]) < 1e-9, t.term));
      assert.ok(Math.abs(got.tests[0].chisq - R.logrank.chisq) < 1e-9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  assert.deepEqual(await h.foreignRequests(), []);
  assert.deepEqual(await h.errors(), []);
});
