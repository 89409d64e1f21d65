// The proportional-hazards check on the page: per-term and global tests as R's
// cox.zph (numbers from R, below) and the scaled Schoenfeld residual figure.
//   library(survival); lung <- read.csv("tests/data/lung.csv")
//   cox.zph(coxph(Surv(time, status) ~ age + sex, data = lung))
//          chisq df    p
//   age    0.209  1 0.65
//   sex    2.608  1 0.11
//   GLOBAL 2.771  2 0.25
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { open, tableCells, settled } from './harness.mjs';

let h;
before(async () => {
  h = await open();
});
after(async () => {
  await h?.close();
});

test('cox.zph table and Schoenfeld residual figure match R', async () => {
  const { page } = h;
  await page.goto(`${h.origin}/`);
  await page.waitForSelector('table[data-table="medians"]');
  for (const name of ['age', 'sex']) {
    const k = await page.$$eval('#covariates input', (is, n) => is.findIndex((i) => i.value === n), name);
    await page.check(`#cov-${k}`);
    await settled(page);
  }
  await page.check('#zph');
  await settled(page);
  await page.waitForSelector('table[data-table="zph"]', { state: 'attached' });
  const rows = await tableCells(page, 'zph');
  assert.deepEqual(rows.map((r) => r[0]), ['age', 'sex', 'GLOBAL']);
  assert.deepEqual(rows.map((r) => r[1]), ['0.21', '2.61', '2.77']);
  assert.deepEqual(rows.map((r) => r[3]), ['0.647', '0.106', '0.250']);
  await page.waitForSelector('#schoenfeld-svg-0 svg', { state: 'attached' });
  const svg = await page.innerHTML('#schoenfeld-svg-0');
  assert.match(svg, /Beta\(t\) for age/);
  assert.match(svg, /Beta\(t\) for sex/);
  assert.deepEqual(await h.foreignRequests(), []);
});
