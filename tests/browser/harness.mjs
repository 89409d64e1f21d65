// Shared set-up for the browser tests, one API for three engines:
//   chromium  Debian's Chromium through playwright-core           (engines/chromium.mjs)
//   firefox   Debian's Firefox ESR through puppeteer-core, BiDi    (engines/firefox.mjs)
//   webkit    Debian's WebKitGTK through WebKitWebDriver, Selenium (engines/webkit.mjs)
// The engine is SURVKIT_ENGINE (default chromium); tests/browser/run.mjs runs every test
// file once per engine in SURVKIT_ENGINES (default all three). No browser is downloaded.
//
// `h.page` speaks the subset of Playwright's Page API that the tests use (Playwright's
// own Page in Chromium, engines/dom-page.mjs elsewhere). What differs between engines
// is behind the harness: the request log, console errors, downloads, offline mode,
// colour scheme, clipboard permissions and answering a request instead of the server.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';
import { DomPage } from './engines/dom-page.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ENGINES = ['chromium', 'firefox', 'webkit'];
export const ENGINE = process.env.SURVKIT_ENGINE || 'chromium';
if (!ENGINES.includes(ENGINE)) throw new Error(`SURVKIT_ENGINE=${ENGINE}: expected one of ${ENGINES.join(', ')}`);
/** Screenshots of each engine go to their own folder, same names in each. */
export const SHOTS = join(ROOT, 'target', 'screenshots', ENGINE);

/**
 * `{ skip: skipIn({ webkit: 'why' }) }` for node:test: the reason when the current
 * engine cannot run a test (node:test prints it), else false.
 */
export function skipIn(reasons) {
  return reasons[ENGINE] ? `${ENGINE}: ${reasons[ENGINE]}` : false;
}

/** What each engine's driver can do; a test that needs more says so with skipIn. */
export const CAN = {
  // Change prefers-color-scheme while the page runs (else only at launch: open({ colorScheme })).
  emulateMedia: ENGINE === 'chromium',
  // Read the clipboard back after the page wrote to it (Firefox: test pref; WebKit:
  // MiniBrowser's --javascript-can-access-clipboard). Kept as a switch for other builds.
  clipboardRead: true,
  // The page has the keyboard focus, so :focus-visible (the focus ring) can match.
  // Not in Firefox: headless Firefox never gives a page the focus (document.hasFocus()
  // is false), and a window on Xvfb without a window manager did not get it either.
  focusRing: ENGINE !== 'firefox',
};

/**
 * Starts the server and the browser; returns helpers and a close() function.
 * Options (same in every engine): viewport {width, height} (default 1280 × 720, as
 * Playwright's), colorScheme 'light' | 'dark', reducedMotion 'reduce' | 'no-preference'.
 */
export async function open({ dir = 'www', viewport = { width: 1280, height: 720 }, colorScheme = 'light', reducedMotion = 'no-preference' } = {}) {
  const requests = [];
  const served = [];
  const overrides = new Map();
  let offline = false;
  const server = await serve(join(ROOT, dir), 0, {
    onRequest: (req) => served.push(req.url),
    override: (path) => (offline ? 'drop' : overrides.get(path)),
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  const errors = [];
  const { launch } = await import(`./engines/${ENGINE}.mjs`);
  const b = await launch({ viewport, colorScheme, reducedMotion, origin, onRequest: (u) => requests.push(u), onError: (e) => errors.push(e) });
  const { page } = b;
  mkdirSync(SHOTS, { recursive: true });
  const own = (u) => u.startsWith(`${origin}/`) || u.startsWith('data:') || u.startsWith('blob:');
  const h = {
    engine: ENGINE,
    version: b.version,
    page,
    origin,
    /** URLs requested by the engine (driver events; in WebKit, the recording proxy). */
    requests,
    /** Paths the test server received. */
    served,
    /**
     * Every URL the page is known to have requested: the driver's log, the test
     * server's log, and the page's PerformanceResourceTiming entries.
     */
    async allRequests() {
      let timing = [];
      try {
        timing = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
      } catch {}
      return [...new Set([...requests, ...served.map((p) => `${origin}${p}`), ...timing])];
    },
    /** Requests to anything but our own origin (data:/blob: URLs are in-page). */
    async foreignRequests() {
      return (await h.allRequests()).filter((u) => !own(u));
    },
    /** Console errors and uncaught exceptions so far. */
    async errors() {
      return [...errors];
    },
    /** A screenshot into target/screenshots/<engine>/<name>.png. */
    async shot(name, { fullPage = true } = {}) {
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
    },
    async shotOf(selector, name) {
      await page.locator(selector).screenshot({ path: join(SHOTS, `${name}.png`) });
    },
    /** Let the page read and write the clipboard (where the driver has a switch for it). */
    async grantClipboard() {
      if (ENGINE === 'chromium') await b.context.grantPermissions(['clipboard-read', 'clipboard-write']);
      // Firefox: the test-only pref dom.events.testing.asyncClipboard (engines/firefox.mjs).
      // WebKit: MiniBrowser's --javascript-can-access-clipboard (engines/webkit.mjs).
    },
    /**
     * Offline: Chromium's network emulation; elsewhere the test server drops every
     * connection, which the page sees as the same network error.
     */
    async setOffline(on) {
      if (ENGINE === 'chromium') await b.context.setOffline(on);
      else offline = on;
    },
    /** Changes prefers-color-scheme of the running page (Chromium only: see CAN). */
    async emulateMedia(media) {
      if (!CAN.emulateMedia) throw new Error(`${ENGINE}: cannot change media features at run time; open({ colorScheme }) instead`);
      await page.emulateMedia(media);
    },
    /** Answers requests for `path` with `{ status, type, body }` instead of the file. */
    override(path, response) {
      overrides.set(path, response);
    },
    /**
     * Loads a script file into the page from our own origin (the page's CSP allows
     * 'self'), e.g. axe-core: no CSP bypass needed, in any engine.
     */
    async injectScript(file) {
      const path = `/__test__/${basename(file)}`;
      overrides.set(path, { type: 'text/javascript; charset=utf-8', body: readFileSync(file) });
      await page.evaluate((src) => new Promise((ok, fail) => {
        const s = document.createElement('script');
        s.src = src;
        s.onload = ok;
        s.onerror = () => fail(new Error(`cannot load ${src}`));
        document.head.append(s);
      }), path);
    },
    async close() {
      await b.close();
      server.closeAllConnections?.();
      server.close();
    },
  };
  return h;
}

/**
 * Drops a file onto `selector` with a real DataTransfer and real dragenter, dragover
 * and drop events, built in the page (the same in every engine).
 */
/** Waits until the page's listeners are attached (app.js sets `data-wired` on <html>). */
async function wired(page) {
  await page.waitForFunction(() => document.documentElement.dataset.wired === 'true');
}

export async function dropFile(page, selector, name, bytes, type = 'text/csv') {
  await wired(page);
  await page.evaluate(({ selector, name, b64, type }) => {
    const bin = atob(b64);
    const data = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([data], name, { type }));
    const target = document.querySelector(selector);
    for (const t of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(t, { bubbles: true, cancelable: true, composed: true, dataTransfer: dt }));
    }
  }, { selector, name, b64: Buffer.from(bytes).toString('base64'), type });
}

/**
 * Drops a file whose text `make()` builds inside the page (megabytes through the
 * driver protocol are slow); `make` must be self-contained.
 */
export async function dropGenerated(page, selector, name, make) {
  await wired(page);
  await page.evaluate(`(() => {
    const text = (${make.toString()})();
    const dt = new DataTransfer();
    dt.items.add(new File([text], ${JSON.stringify(name)}, { type: 'text/csv' }));
    document.querySelector(${JSON.stringify(selector)}).dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, composed: true, dataTransfer: dt }));
  })()`);
}

/** Text of every cell of the engine table `id`, as rows of strings. */
export async function tableCells(page, id) {
  return page.$$eval(`table[data-table="${id}"] tbody tr`, (rows) =>
    rows.map((r) => [...r.cells].map((c) => c.textContent.trim())));
}

/**
 * Clicks `selector` and returns the download it starts: {name, bytes}.
 * Chromium: a real download (Playwright's download event). Firefox and WebKit: their
 * drivers have no download event here, so the harness captures the Blob the page hands
 * to `<a download>` (it wraps URL.createObjectURL and HTMLAnchorElement.click in the
 * page): the bytes are exactly those the browser would save.
 */
export async function downloadOf(page, selector) {
  if (!(page instanceof DomPage)) {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
    const path = await dl.path();
    return { name: dl.suggestedFilename(), bytes: readFileSync(path) };
  }
  await page.evaluate(() => {
    window.__survkitDownloads = [];
    if (window.__survkitHooked) return;
    window.__survkitHooked = true;
    const blobs = new Map();
    const create = URL.createObjectURL;
    URL.createObjectURL = (obj) => {
      const url = create.call(URL, obj);
      blobs.set(url, obj);
      return url;
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function () {
      const blob = this.hasAttribute('download') ? blobs.get(this.href) : null;
      if (!blob) return click.call(this);
      const name = this.download;
      const r = new FileReader();
      r.onload = () => window.__survkitDownloads.push({ name, b64: String(r.result).split(',')[1] || '' });
      r.readAsDataURL(blob);
      return undefined;
    };
  });
  await page.click(selector);
  const got = await page.waitForFunction(() => window.__survkitDownloads[0], null, { timeout: 60_000 });
  return { name: got.name, bytes: Buffer.from(got.b64, 'base64') };
}

/** Waits until the newest settings have been analysed (results or an error shown). */
export async function settled(page) {
  await page.waitForFunction(() => document.body.dataset.busy === '0', null, { timeout: 60_000 });
}

/** axe-core audit of the current state: serious and critical violations. */
export async function axeViolations(h) {
  await h.injectScript(join(ROOT, 'node_modules/axe-core/axe.min.js'));
  const res = await h.page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
