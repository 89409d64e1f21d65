// The page in a real Chromium: opens with the example analysed, analyses a dropped
// file, shows errors in words, and never contacts anything but its own origin.
// Expected numbers come from R (tests/browser/expected.R -> expected.json).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, dropFile, tableCells, settled, ROOT } from './harness.mjs';

const expected = JSON.parse(readFileSync(join(ROOT, 'tests/browser/expected.json'), 'utf8'));
const fmt = (x) => (x === null || x === undefined ? 'NR' : String(Number(x.toFixed(2))));

let h;
before(async () => {
  h = await open();
});
after(async () => {
  await h?.close();
});

function assertMedians(rows, exp) {
  assert.equal(rows.length, exp.groups.length);
  rows.forEach((r, i) => {
    assert.equal(r[1], String(exp.n[i]), `N of group ${exp.groups[i]}`);
    assert.equal(r[3], fmt(exp.median[i].estimate), `median of group ${exp.groups[i]}`);
    assert.equal(r[4], `${fmt(exp.median[i].lower)}–${fmt(exp.median[i].upper)}`, `CI of group ${exp.groups[i]}`);
  });
}

test('opens with the example dataset analysed, matching R', async () => {
  const { page } = h;
  await h.shot('00-loading').catch(() => {});
  await page.goto(`${h.origin}/`);
  await page.waitForSelector('table[data-table="medians"]', { timeout: 30_000 });
  // The example is shown once ungrouped, then by sex (its settings are applied after it
  // is read): wait for the second analysis. WebKit is slow enough to catch the first.
  await settled(page);
  await page.waitForFunction(() => document.querySelectorAll('table[data-table="medians"] tbody tr').length === 2);
  await page.waitForSelector('#km-svg svg');
  const exp = expected.lung_by_sex;
  assertMedians(await tableCells(page, 'medians'), exp);
  const tests = await tableCells(page, 'tests');
  assert.equal(tests[0][0], 'log-rank');
  assert.equal(tests[0][1], exp.logrank.chisq.toFixed(2));
  assert.equal(tests[0][3], exp.logrank.p.toFixed(3));
  const fu = await tableCells(page, 'followup');
  assert.equal(fu[0][0], fmt(exp.followup.estimate));
  assert.equal(fu[0][1], `${fmt(exp.followup.lower)}–${fmt(exp.followup.upper)}`);
  // The figure carries the risk table and the log-rank P.
  const svg = await page.innerHTML('#km-svg');
  assert.match(svg, /Number at risk/);
  assert.match(svg, /Log-rank P = 0\.001/);
  await h.shot('01-example-results');
  assert.deepEqual(await h.foreignRequests(), []);
  assert.deepEqual(await h.errors(), []);
});

test('a CSV dropped onto the page is analysed (real drop event)', async () => {
  const { page } = h;
  const bytes = readFileSync(join(ROOT, 'tests/data/veteran.csv'));
  await dropFile(page, '#drop', 'veteran.csv', bytes);
  await page.waitForFunction(() => document.querySelector('#source')?.textContent.includes('veteran.csv'));
  // Roles are guessed; choose the treatment arm as the group like a user would.
  await page.selectOption('#time-unit', 'days');
  await page.selectOption('#group-col', 'trt');
  await page.waitForFunction(() => [...document.querySelectorAll('table[data-table="medians"] td')].some((td) => td.textContent === 'trt = 2'));
  assertMedians(await tableCells(page, 'medians'), expected.veteran_by_trt);
  const tests = await tableCells(page, 'tests');
  assert.equal(tests[0][3], expected.veteran_by_trt.logrank.p.toFixed(3));
  await h.shot('02-dropped-file');
  assert.deepEqual(await h.foreignRequests(), []);
});

test('a file that is not a table gives an error in words, not a blank page', async () => {
  const { page } = h;
  const junk = Buffer.from([0, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0, 7, 8, 9]);
  await dropFile(page, '#drop', 'scan.csv', junk, 'application/octet-stream');
  await page.waitForSelector('#error:not([hidden])');
  const msg = await page.textContent('#error');
  assert.ok(msg.length > 20, `error message too short: ${msg}`);
  assert.doesNotMatch(msg, /undefined|RuntimeError|unreachable/);
  await h.shot('03-error');
  // The page still works afterwards.
  await page.click('#example');
  await page.waitForSelector('#error', { state: 'hidden' });
  await page.waitForSelector('table[data-table="medians"]');
});

test('choosing a file with the file picker works too', async () => {
  const { page } = h;
  // From an empty page: the example shown before is lung.csv by sex too, so waiting for
  // its name or its "sex = 2" row would pass before the chosen file is analysed.
  await page.goto(`${h.origin}/?empty`);
  await page.waitForSelector('#example-name option', { state: 'attached' });
  await page.setInputFiles('#file', join(ROOT, 'tests/data/lung.csv'));
  await page.waitForFunction(() => document.querySelector('#source')?.textContent.startsWith('lung.csv'));
  await settled(page);
  await page.selectOption('#group-col', 'sex');
  await settled(page);
  await page.waitForFunction(() => [...document.querySelectorAll('table[data-table="medians"] tbody tr')].filter((tr) => /^sex = [12]$/.test(tr.cells[0]?.textContent.trim())).length === 2);
  assertMedians(await tableCells(page, 'medians'), expected.lung_by_sex);
  assert.deepEqual(await h.foreignRequests(), []);
});
