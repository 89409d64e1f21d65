// Issue 15, in every engine: a file larger than the page can hold is refused before it
// is read, with the limit and what to do instead; on a wide screen (≥ 1200 px) the
// options are on the left and the results on the right, on a phone one column.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, openSync, ftruncateSync, closeSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, settled } from './harness.mjs';

test('a file over 2 GB is refused before reading, with the limit and the CLI as the way out', async () => {
  // A sparse 3 GiB file: no disk space used, and the page must not read it anyway.
  const dir = mkdtempSync(join(tmpdir(), 'survkit-big-'));
  const big = join(dir, 'huge.csv');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 3 * 1024 ** 3);
  closeSync(fd);
  const h = await open();
  try {
    const { page } = h;
    await page.goto(`${h.origin}/?empty`);
    await page.waitForSelector('#example-name option', { state: 'attached' });
    const t0 = Date.now();
    await page.setInputFiles('#file', big);
    await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    const msg = await page.textContent('#error');
    assert.match(msg, /huge\.csv is 3\.0 GB/);
    assert.match(msg, /up to 2 GB/);
    assert.match(msg, /command-line tool.*survkit analyze/);
    console.log(`# refused in ${Date.now() - t0} ms (includes the driver's file upload)`);
    await h.shot('62-file-too-large', { fullPage: false });
    // The page still works afterwards.
    await page.click('#example');
    await page.waitForSelector('#error', { state: 'hidden' });
    await page.waitForSelector('table[data-table="medians"]');
    await settled(page); // the example is analysed twice: ungrouped, then by sex
    await page.waitForFunction(() => document.querySelectorAll('table[data-table="medians"] tbody tr').length === 2);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function boxes(page) {
  return page.evaluate(() => Object.fromEntries(['#roles', '#results'].map((s) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return [s.slice(1), { left: r.left, right: r.right, top: r.top, bottom: r.bottom }];
  })));
}

test('wide screen: options left, results right; 360 px: one column', async () => {
  const wide = await open({ viewport: { width: 1400, height: 900 } });
  try {
    const { page } = wide;
    await page.goto(`${wide.origin}/`);
    await page.waitForSelector('table[data-table="medians"]');
    await settled(page);
    const b = await boxes(page);
    assert.ok(b.roles.right <= b.results.left, `options left of results: ${JSON.stringify(b)}`);
    assert.ok(Math.abs(b.roles.top - b.results.top) < 2, `side by side, same top: ${JSON.stringify(b)}`);
    const w = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: innerWidth }));
    assert.ok(w.doc <= w.view, `no horizontal scroll: ${JSON.stringify(w)}`);
    await wide.shot('60-wide-1400', { fullPage: false });
  } finally {
    await wide.close();
  }
  const narrow = await open({ viewport: { width: 360, height: 740 } });
  try {
    const { page } = narrow;
    await page.goto(`${narrow.origin}/`);
    await page.waitForSelector('table[data-table="medians"]');
    await settled(page);
    const b = await boxes(page);
    assert.ok(b.results.top >= b.roles.bottom, `results below the options: ${JSON.stringify(b)}`);
    await narrow.shot('61-narrow-360', { fullPage: false });
  } finally {
    await narrow.close();
  }
});
