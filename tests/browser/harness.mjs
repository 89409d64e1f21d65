// Shared set-up for the browser tests: Debian's Chromium through playwright-core (no
// browser download), the page served from 127.0.0.1 by our own server, and a log of
// every request the page makes.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = join(ROOT, 'target', 'screenshots');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Starts the server and the browser; returns helpers and a close() function. */
export async function open({ dir = 'www', contextOptions = {} } = {}) {
  const server = await serve(join(ROOT, dir), 0);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(join(tmpdir(), 'survkit-chromium-'));
  // A fresh, empty profile each time (Playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    ...contextOptions,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  const browser = context;
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  mkdirSync(SHOTS, { recursive: true });
  return {
    page, context, browser, origin, requests, consoleErrors,
    /** Requests to anything but our own origin (data:/blob: URLs are in-page). */
    foreignRequests() {
      return requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    },
    async shot(name) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Drops a file onto the drop zone with a real DataTransfer and a real `drop` event. */
export async function dropFile(page, selector, name, bytes, type = 'text/csv') {
  const dt = await page.evaluateHandle(({ name, data, type }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], name, { type }));
    return dt;
  }, { name, data: [...bytes], type });
  await page.dispatchEvent(selector, 'dragenter', { dataTransfer: dt });
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: dt });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: dt });
}

/** Text of every cell of the engine table `id`, as rows of strings. */
export async function tableCells(page, id) {
  return page.$$eval(`table[data-table="${id}"] tbody tr`, (rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
}

/** Clicks `selector` and returns the download it starts: {name, bytes}. */
export async function downloadOf(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  const path = await dl.path();
  const { readFileSync } = await import('node:fs');
  return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
}

/** Waits until the newest settings have been analysed (results or an error shown). */
export async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.busy === '0', null, { timeout: 60_000 });
}
