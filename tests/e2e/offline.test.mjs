// End-to-end: offline workspace and plain storage errors (issue #16, items 6 and 7).
// - After the first visit the workspace's service worker (public/sw.js) controls the page;
//   with the network gone (emulated offline, and the server answering nothing), a reload
//   opens the workspace and the register lists its households. No request reaches the
//   server while offline.
// - A new build at the same address: the page says a new version is ready; its button
//   lets the new worker take over, the page reloads onto the new build, and only the new
//   build's cache of this deployment remains.
// - A full disk (IDBObjectStore put/add throwing QuotaExceededError) is told in plain
//   words with the next step (export a backup, free space); the exception's name is only
//   under "technical details"; nothing was saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DIST, PREFIX, waitForDemo } from './harness.mjs';
import { serveRoutes } from './serve.mjs';
import { postBuild } from '../../scripts/trunk_post_build.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const work = mkdtempSync(join(tmpdir(), 'linli-offline-'));
const routes = [];
let server, origin, browser;
let hits = 0;

before(async () => {
  server = await serveRoutes(routes, 0);
  server.on('request', () => { hits += 1; });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
});
after(async () => {
  await browser?.close();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

function mount(prefix, dir) {
  const r = { prefix, dir };
  routes.push(r);
  return r;
}
function unmount(r) {
  routes.splice(routes.indexOf(r), 1);
}

async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  return { context, page, errors };
}

// The workspace's worker controls the page and has cached every file of the build.
async function controlled(page) {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.waitForFunction(() => navigator.serviceWorker.controller?.scriptURL.endsWith('/sw.js'), null, { timeout: 30_000 });
  return page.evaluate(async () => {
    const scope = (await navigator.serviceWorker.getRegistration()).scope;
    const names = (await caches.keys()).filter((k) => k.startsWith('linli-workspace-') && k.endsWith(` ${scope}`));
    const entries = names.length === 1 ? (await (await caches.open(names[0])).keys()).map((r) => r.url) : [];
    return { scope, names, entries };
  });
}

test('the workspace opens and works offline after the first visit', async () => {
  const prefix = '/offline/';
  const route = mount(prefix, DIST);
  const base = `${origin}${prefix}`;
  const { context, page, errors } = await newContext();
  await page.goto(`${base}#/workspace`);
  await waitForDemo(page);
  const cache = await controlled(page);
  assert.equal(cache.scope, base);
  assert.equal(cache.names.length, 1, `caches ${cache.names}`);
  const sw = readFileSync(join(DIST, 'sw.js'), 'utf8');
  const assets = JSON.parse(sw.match(/const ASSETS = (\[[^\]]*\]);/)[1]);
  assert.ok(assets.includes('index.html') && assets.some((a) => a.endsWith('.wasm')), `assets ${assets}`);
  assert.ok(!assets.some((a) => a.startsWith('site/') || a === 'sw.js'), `assets ${assets}`);
  assert.deepEqual(cache.entries.sort(), assets.map((a) => new URL(a, base).href).sort());

  // No network: the browser is offline and the host answers nothing.
  await context.setOffline(true);
  unmount(route);
  const before = hits;
  await page.reload();
  await page.locator('[data-testid=summary]').waitFor({ timeout: 60_000 });
  await page.goto(`${base}#/register`);
  await page.locator('[data-testid=result-count]').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('[data-testid=result-count]').textContent(), /^4500\b/);
  await page.locator('tr.vrow').first().waitFor();
  // A household opens too (the app's own router, its data from IndexedDB).
  await page.goto(`${base}#/register/1`);
  await page.locator('#f-room').waitFor({ timeout: 30_000 });
  assert.equal(hits, before, 'no request reached the host while offline');
  assert.deepEqual(errors, []);
  await context.setOffline(false);
  await context.close();
});

test('a new build waiting behind the running one is offered, then taken', async () => {
  const one = join(work, 'build1');
  const two = join(work, 'build2');
  cpSync(DIST, one, { recursive: true });
  cpSync(DIST, two, { recursive: true });
  const html = readFileSync(join(two, 'index.html'), 'utf8');
  writeFileSync(join(two, 'index.html'), html.replace('<title>', '<meta name="linli-build" content="2">\n  <title>'));
  const v2 = postBuild(two);
  const v1 = readFileSync(join(one, 'sw.js'), 'utf8').match(/linli-workspace-([0-9a-f]+)/)[1];
  assert.ok(v1 && v2 && v1 !== v2, `${v1} → ${v2}`);

  const prefix = '/update/';
  const route = mount(prefix, one);
  const base = `${origin}${prefix}`;
  const { context, page, errors } = await newContext();
  await page.goto(`${base}#/workspace`);
  await waitForDemo(page);
  const first = await controlled(page);
  assert.deepEqual(first.names, [`linli-workspace-${v1} ${base}`]);
  assert.equal(await page.locator('[data-testid=update-ready]').count(), 0);

  // The host now serves build 2; the running page still runs build 1 from its cache.
  route.dir = two;
  await page.reload();
  await page.locator('[data-testid=summary]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('meta[name=linli-build]').count(), 0);
  const banner = page.locator('[data-testid=update-ready]');
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.textContent(), /新版本已就绪/);
  await page.click('[data-testid=update-reload]');
  // The new worker takes over and the page reloads onto build 2.
  await page.waitForFunction(() => !!document.querySelector('meta[name=linli-build]'), null, { timeout: 30_000 });
  await page.locator('[data-testid=summary]').waitFor({ timeout: 60_000 });
  const now = await controlled(page);
  assert.deepEqual(now.names, [`linli-workspace-${v2} ${base}`]);
  assert.equal(await page.locator('[data-testid=update-ready]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a full disk is told in plain words with what to do next', async () => {
  const prefix = '/quota/';
  mount(prefix, DIST);
  const base = `${origin}${prefix}`;
  const { context, page, errors } = await newContext();
  await page.goto(`${base}#/workspace`);
  await waitForDemo(page);
  await page.goto(`${base}#/register/1`);
  await page.locator('#f-room').waitFor();
  const room = await page.inputValue('#f-room');

  // The disk is full: every put and add throws, as Chromium does when the quota is used up.
  await page.evaluate(() => {
    const full = () => { throw new DOMException('x', 'QuotaExceededError'); };
    window.__linliPut = [IDBObjectStore.prototype.put, IDBObjectStore.prototype.add];
    IDBObjectStore.prototype.put = full;
    IDBObjectStore.prototype.add = full;
  });
  await page.fill('#f-room', '9999');
  await page.click('[data-testid=save]');
  const alert = page.locator('[data-testid=db-error][data-kind=quota]');
  await alert.waitFor({ timeout: 30_000 });
  const headline = await alert.locator('strong').textContent();
  const said = await alert.locator('p').textContent();
  assert.match(headline, /存储空间已满/);
  assert.match(said, /导出一份备份/);
  assert.match(said, /释放磁盘空间/);
  assert.ok(!said.includes('QuotaExceededError'), said);
  assert.equal(await alert.locator('details').getAttribute('open'), null);
  assert.equal(await alert.locator('details code').textContent(), 'QuotaExceededError');

  // Nothing was saved: space freed, the stored room is unchanged.
  await page.evaluate(() => {
    [IDBObjectStore.prototype.put, IDBObjectStore.prototype.add] = window.__linliPut;
  });
  await page.reload();
  await page.locator('#f-room').waitFor();
  assert.equal(await page.inputValue('#f-room'), room);
  assert.deepEqual(errors, []);
  await context.close();
});
