// Shared set-up of the e2e tests: a plain static server (no rewrites) for the
// release build under a sub-path, and Debian's headless Chromium.
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const DIST = process.env.LINLI_DIST ?? new URL('../../dist', import.meta.url).pathname;
export const OUT = new URL('./out/', import.meta.url).pathname;
export const PREFIX = '/community-a/';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function start(dir = DIST) {
  await mkdir(OUT, { recursive: true });
  const server = await serve(dir, PREFIX, 0);
  const base = `http://127.0.0.1:${server.address().port}${PREFIX}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  async function newPage(viewport = { width: 390, height: 844 }) {
    const context = await browser.newContext({ viewport, locale: 'en-US', acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // An unsigned folder has no `checkpoint` nor key file: the dashboard's trust.js asks
    // for them and says "not signed" on a 404, which Chromium also logs as an error.
    const unsignedProbe = (m) => /404/.test(m.text()) && /\/(checkpoint|publishing-key\.vkey)$/.test(m.location().url ?? '');
    page.on('console', (m) => { if (m.type() === 'error' && !unsignedProbe(m)) errors.push(m.text()); });
    return { context, page, errors };
  }
  async function stop() {
    await browser.close();
    server.close();
  }
  return { base, browser, newPage, stop };
}

// First start generates and saves the demo community; the summary appears when it is committed.
export async function waitForDemo(page) {
  await page.locator('[data-testid=summary]').waitFor({ timeout: 60_000 });
}
