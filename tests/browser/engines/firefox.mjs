// Firefox ESR (Debian's firefox-esr) through puppeteer-core over WebDriver BiDi: no
// geckodriver and no browser download. Every request is recorded from BiDi's network
// events (`network.beforeRequestSent`, all browsing contexts and the page's workers).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import puppeteer from 'puppeteer-core';
import { DomPage, source } from './dom-page.mjs';
import { recordingProxy } from './proxy.mjs';
import { startXvfb } from './xvfb.mjs';

export const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';

class FirefoxPage extends DomPage {
  constructor(page) {
    super();
    this.p = page;
  }

  async _run(src, arg) {
    // A string expression: BiDi's script.evaluate awaits the promise it returns.
    return this.p.evaluate(`(${source(src)})(${arg === undefined ? '' : JSON.stringify(arg)})`);
  }

  async _click(selector) {
    await this.p.click(selector);
  }

  async _key(key) {
    await this.p.keyboard.press(key);
  }

  async goto(url) {
    await this.p.goto(url, { waitUntil: 'load' });
  }

  async reload() {
    await this.p.reload({ waitUntil: 'load' });
  }

  async setViewportSize({ width, height }) {
    await this.p.setViewport({ width, height });
  }

  viewportSize() {
    return this.p.viewport();
  }

  async screenshot({ path, fullPage = false }) {
    await this.p.screenshot({ path, fullPage });
  }

  locator(selector) {
    return { screenshot: async ({ path }) => (await this.p.$(selector)).screenshot({ path }) };
  }

  /** `file` is a path or Playwright's `{ name, mimeType, buffer }`. */
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
      await (await this.p.$(selector)).uploadFile(path);
    } finally {
      // Not at once: the page reads the File lazily (file.text() after the change event).
      if (dir) setTimeout(() => rmSync(dir, { recursive: true, force: true }), 10_000).unref();
    }
  }
}

/**
 * Launches Firefox with a fresh profile. Colour scheme and reduced motion cannot be
 * changed over BiDi while the page runs (puppeteer's emulateMediaFeatures is CDP-only),
 * so they are preferences fixed at launch.
 */
export async function launch({ viewport, colorScheme, reducedMotion, origin, onRequest, onError }) {
  // BiDi reports the page's and its dedicated worker's requests, not the service
  // worker's: all of Firefox's traffic also goes through the recording proxy.
  const proxy = await recordingProxy(origin, onRequest);
  const prefs = {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxy.address().port,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxy.address().port,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': true,
    // 0 = dark, 1 = light: the content's prefers-color-scheme.
    'layout.css.prefers-color-scheme.content-override': colorScheme === 'dark' ? 0 : 1,
    'ui.prefersReducedMotion': reducedMotion === 'reduce' ? 1 : 0,
    // Lets navigator.clipboard.read() run without Firefox's paste context menu (a test-only pref).
    'dom.events.testing.asyncClipboard': true,
    'dom.events.asyncClipboard.clipboardItem': true,
    // Firefox's own background traffic would be logged by the proxy as if the page had
    // made it: switch it off (remote settings, updates, safe browsing, captive portal).
    'services.settings.server': 'data:,#remote-settings-dummy/v1',
    'browser.region.network.url': '',
    'browser.search.update': false,
    'extensions.update.enabled': false,
    'extensions.blocklist.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'app.update.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
  };
  const profile = mkdtempSync(join(tmpdir(), 'survkit-firefox-'));
  // Headless. The page never gets the keyboard focus this way (document.hasFocus() is
  // false, so :focus-visible never matches; a window on Xvfb without a window manager
  // did not get it either): the focus-ring assertion is skipped in Firefox (CAN.focusRing).
  const headless = process.env.SURVKIT_FIREFOX_HEADFUL !== '1';
  const xvfb = headless ? { stop() {} } : await startXvfb();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless,
    userDataDir: profile,
    extraPrefsFirefox: prefs,
    defaultViewport: viewport,
    protocolTimeout: 120_000,
    timeout: 120_000, // to start: this machine is often busy
    // Release builds ignore services.settings.server unless this is set.
    env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1', ...(xvfb.display ? { DISPLAY: xvfb.display } : {}) },
  });
  const page = (await browser.pages())[0] || (await browser.newPage());
  // defaultViewport applies to pages opened later, not to the first one.
  if (viewport) await page.setViewport(viewport);
  // Every BiDi network.beforeRequestSent of the session (page and dedicated worker).
  await browser.connection.send('session.subscribe', { events: ['network.beforeRequestSent'] });
  browser.connection.on('network.beforeRequestSent', (e) => onRequest(e.request.url));
  page.on('console', (m) => { if (m.type() === 'error') onError(m.text()); });
  page.on('pageerror', (e) => onError(String(e)));
  const version = await browser.version();
  return {
    page: new FirefoxPage(page),
    version,
    async close() {
      await browser.close();
      proxy.close();
      xvfb.stop();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
