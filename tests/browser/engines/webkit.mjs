// WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver driving MiniBrowser, the
// engine of Safari) through selenium-webdriver, under a private Xvfb display.
//
// WebKitWebDriver 2.50 speaks classic WebDriver only (a session asking for BiDi's
// `webSocketUrl` is refused), so it has no network events and no console. Instead:
//  - requests: MiniBrowser runs with `--proxy` pointing at a recording proxy in this
//    process, which logs every request the engine makes (page, workers, service worker,
//    any other origin) and forwards only those for the test server; the test server
//    also logs every request it receives (scripts/serve.mjs `onRequest`), and the
//    harness adds the page's PerformanceResourceTiming entries;
//  - console errors: MiniBrowser writes console messages to its stdout
//    (`--enable-write-console-messages-to-stdout`), which is read here.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync, mkdtempSync, rmSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { Builder, By, Key } from 'selenium-webdriver';
import { DomPage, source } from './dom-page.mjs';
import { recordingProxy } from './proxy.mjs';
import { startXvfb } from './xvfb.mjs';

export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER || 'WebKitWebDriver';
/** Debian's MiniBrowser (package libwebkit2gtk-4.1-0) in /usr/lib/<multiarch triplet>/. */
export const MINIBROWSER = process.env.MINIBROWSER ||
  readdirSync('/usr/lib').map((d) => `/usr/lib/${d}/webkit2gtk-4.1/MiniBrowser`).find((p) => existsSync(p)) ||
  'MiniBrowser';

const KEYS = { Tab: Key.TAB, ArrowDown: Key.ARROW_DOWN, ArrowUp: Key.ARROW_UP, ArrowRight: Key.ARROW_RIGHT, ArrowLeft: Key.ARROW_LEFT, Enter: Key.ENTER, Escape: Key.ESCAPE, Space: Key.SPACE };

class WebKitPage extends DomPage {
  constructor(driver) {
    super();
    this.d = driver;
  }

  async _run(src, arg) {
    const r = await this.d.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       Promise.resolve().then(() => (${source(src)})(arguments[0]))
         .then((v) => done({ v: v === undefined ? null : v }), (e) => done({ e: String((e && e.stack) || e) }));`,
      arg === undefined ? null : arg,
    );
    if (r && 'e' in r) throw new Error(`in the page: ${r.e}`);
    return r ? r.v : undefined;
  }

  async _click(selector) {
    await this.d.findElement(By.css(selector)).click();
  }

  async _key(key) {
    if (!(key in KEYS)) throw new Error(`webkit adapter: no mapping for key ${key}`);
    await this.d.actions().sendKeys(KEYS[key]).perform();
  }

  async goto(url) {
    await this.d.get(url);
  }

  async reload() {
    await this.d.navigate().refresh();
  }

  /**
   * Sizes the window so that the web view (innerWidth × innerHeight) is what was asked.
   * MiniBrowser's GTK window has a minimum width (447 px of web view with WebKitGTK
   * 2.50): narrower requests get that, and `viewportSize()` says what was obtained.
   */
  async setViewportSize({ width, height }) {
    let inner;
    for (let i = 0; i < 3; i++) {
      const rect = await this.d.manage().window().getRect();
      inner = await this.d.executeScript('return [innerWidth, innerHeight]');
      if (inner[0] === width && inner[1] === height) break;
      await this.d.manage().window().setRect({ width: rect.width + width - inner[0], height: rect.height + height - inner[1] });
    }
    inner = await this.d.executeScript('return [innerWidth, innerHeight]');
    this.viewport = { width: inner[0], height: inner[1] };
  }

  viewportSize() {
    return this.viewport;
  }

  /**
   * Waits for two animation frames (5 s at most). WebKitGTK on Xvfb paints lazily, and
   * a WebDriver screenshot shows the last painted frame: without this, screenshots showed
   * "Reading lung.csv…" while the page already held the results.
   */
  async painted() {
    await this._run(() => new Promise((ok) => {
      const t = setTimeout(ok, 5000);
      requestAnimationFrame(() => requestAnimationFrame(() => {
        clearTimeout(t);
        ok();
      }));
    }));
  }

  /** WebDriver screenshots show the viewport: a full page is taken by growing the window. */
  async screenshot({ path, fullPage = false }) {
    if (!fullPage) {
      await this.painted();
      writeFileSync(path, Buffer.from(await this.d.takeScreenshot(), 'base64'));
      return;
    }
    const [w, h] = await this.d.executeScript('return [innerWidth, innerHeight]');
    const full = await this.d.executeScript('return Math.min(4800, document.documentElement.scrollHeight)');
    await this.setViewportSize({ width: w, height: Math.max(h, full) });
    try {
      await this.painted();
      writeFileSync(path, Buffer.from(await this.d.takeScreenshot(), 'base64'));
    } finally {
      await this.setViewportSize({ width: w, height: h });
    }
  }

  locator(selector) {
    return {
      screenshot: async ({ path }) => {
        const el = await this.d.findElement(By.css(selector));
        await this.painted();
        writeFileSync(path, Buffer.from(await el.takeScreenshot(true), 'base64'));
      },
    };
  }

  async setInputFiles(selector, file) {
    let dir;
    let path = file;
    if (typeof file !== 'string') {
      dir = mkdtempSync(join(tmpdir(), 'survkit-upload-'));
      path = join(dir, basename(file.name));
      writeFileSync(path, file.buffer);
    }
    try {
      await this.waitForSelector(selector, { state: 'attached' });
      await this.d.findElement(By.css(selector)).sendKeys(path);
    } finally {
      // Not at once: the page reads the File lazily (file.text() after the change event).
      if (dir) setTimeout(() => rmSync(dir, { recursive: true, force: true }), 10_000).unref();
    }
  }
}

export async function launch({ viewport, colorScheme, reducedMotion, origin, onRequest, onError }) {
  const xvfb = process.env.SURVKIT_WEBKIT_DISPLAY ? { display: process.env.SURVKIT_WEBKIT_DISPLAY, stop() {} } : await startXvfb();
  const proxy = await recordingProxy(origin, onRequest);
  const home = mkdtempSync(join(tmpdir(), 'survkit-webkit-'));
  // WebKitGTK takes prefers-reduced-motion from GTK's gtk-enable-animations setting.
  mkdirSync(join(home, 'config', 'gtk-3.0'), { recursive: true });
  writeFileSync(join(home, 'config', 'gtk-3.0', 'settings.ini'), `[Settings]\ngtk-enable-animations=${reducedMotion === 'reduce' ? 0 : 1}\n`);
  const port = await new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => ok(p));
    });
  });
  const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DISPLAY: xvfb.display, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_CACHE_HOME: join(home, 'cache'), GTK_THEME: colorScheme === 'dark' ? 'Adwaita:dark' : 'Adwaita' },
  });
  const consoleLines = (d) => {
    for (const line of String(d).split('\n')) {
      // e.g. "CONSOLE JS ERROR line 3: TypeError: ..."
      if (/^CONSOLE \w+ ERROR/.test(line)) onError(line);
    }
  };
  driver.stdout.on('data', consoleLines);
  driver.stderr.on('data', consoleLines);
  const args = ['--automation', `--proxy=http://127.0.0.1:${proxy.address().port}`, '--ignore-host=', '--enable-write-console-messages-to-stdout=true', '--javascript-can-access-clipboard=true'];
  if (colorScheme === 'dark') args.push('--dark-mode');
  let d;
  for (let i = 0; ; i++) {
    try {
      d = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args },
      }).build();
      break;
    } catch (e) {
      if (i > 40) throw e; // the driver is still starting
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await d.manage().setTimeouts({ script: 120_000, pageLoad: 120_000 });
  const page = new WebKitPage(d);
  if (viewport) await page.setViewportSize(viewport);
  const version = `WebKitGTK ${(await d.getCapabilities()).get('browserVersion')}`;
  return {
    page,
    version,
    async close() {
      await d.quit().catch(() => {});
      driver.kill();
      proxy.close();
      xvfb.stop();
      // MiniBrowser's processes may still be writing their shader cache as they exit.
      try {
        rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch {}
    },
  };
}
