// The importer through the page: a semicolon / decimal-comma Windows-1252 export with
// DD.MM.YYYY dates and "Dead"/"Alive" gives exactly the same medians as the clean CSV of
// the same patients (durations in days, 0/1 status). Both files are the importer's own
// fixtures (crates/survkit-data/tests/fixtures/), whose day counts are checked against R
// in crates/survkit-data/tests/prepare.rs (tests/r/euro_durations.R).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, dropFile, tableCells, settled, ROOT } from './harness.mjs';

const FIX = join(ROOT, 'crates/survkit-data/tests/fixtures');
let h;
before(async () => {
  h = await open();
  await h.page.goto(`${h.origin}/?empty`);
});
after(async () => {
  await h?.close();
});

async function mediansOf(file, setRoles) {
  const { page } = h;
  await dropFile(page, '#drop', file, readFileSync(join(FIX, file)));
  await page.waitForFunction((f) => document.querySelector('#source')?.textContent.includes(f), file);
  await settled(page);
  await setRoles(page);
  await page.selectOption('#group-col', 'arm');
  await settled(page);
  await page.waitForFunction(() => [...document.querySelectorAll('table[data-table="medians"] td')].some((td) => td.textContent === 'arm = B'));
  return tableCells(page, 'medians');
}

test('a European Windows-1252 export with dates and Dead/Alive matches the clean CSV', async () => {
  const clean = await mediansOf('clean.csv', async (page) => {
    await page.selectOption('#time-col', 'time_days');
    await page.selectOption('#event-col', 'status');
    await page.selectOption('#time-unit', 'days');
  });
  const euro = await mediansOf('euro_1252.csv', async (page) => {
    await page.selectOption('#ep-mode', 'dates');
    await page.selectOption('#start-date', 'dx_date');
    await page.selectOption('#end-date', 'last_date');
    await page.selectOption('#event-col', 'vital');
  });
  assert.equal(clean.length, 2);
  assert.deepEqual(euro, clean);
  // How the file was read is shown: delimiter, encoding, decimal comma, dates, coding.
  const source = await h.page.textContent('#source');
  assert.match(source, /;/);
  assert.match(source, /1252/i);
  const coding = await h.page.textContent('body');
  assert.match(coding, /event = Dead \(\d+ rows?\); censored = Alive \(\d+ rows?\)/);
  await h.shot('50-european-csv');
  assert.deepEqual(await h.foreignRequests(), []);
});
