// Debian's Chromium through playwright-core (never a downloaded browser). The page is
// Playwright's own Page; requests come from Playwright's context-wide `request` event
// (page, workers and the service worker).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export async function launch({ viewport, colorScheme, reducedMotion, onRequest, onError }) {
  const profile = mkdtempSync(join(tmpdir(), 'survkit-chromium-'));
  // A fresh, empty profile each time (Playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport,
    colorScheme,
    reducedMotion,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  context.on('request', (r) => onRequest(r.url()));
  const page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') onError(m.text()); });
  page.on('pageerror', (e) => onError(String(e)));
  return {
    page,
    context,
    version: `Chromium ${context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent.match(/Chrome\/([\d.]+)/)?.[1]))}`,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
