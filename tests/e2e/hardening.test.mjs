// End-to-end: hardening (issue #15, item 6).
// - One database per community: the same build served at /community-a/ and /community-b/
//   of one origin keeps two registers (`linli:/community-a/`, `linli:/community-b/`).
// - A legacy origin-wide `linli` database (built here with the v1 layout, as the first
//   release wrote it) is adopted, every record, by the first community opened with an
//   empty register, then deleted; a legacy database claimed by another community is left
//   alone; a later community gets its own demo.
// - Content-Security-Policy on both pages and on the folder `linli publish --site` writes;
//   no violation anywhere (the harness turns violations into errors).
// - Versioned service-worker caches: a new build at the same address is picked up after a
//   reload and the old build's cache is deleted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { DIST, OUT, dbName, exportBackupJson, chooseBackup } from './harness.mjs';
import { serveRoutes } from './serve.mjs';
import { policy, postBuild, inlineScripts } from '../../scripts/trunk_post_build.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = process.env.LINLI_CLI
  ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'ci', 'linli');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const AT = 1_795_492_800_000;

const work = mkdtempSync(join(tmpdir(), 'linli-hardening-'));
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });
const routes = [];
let server, origin, browser;

before(async () => {
  server = await serveRoutes(routes, 0);
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

// Serves `dir` at `prefix` on the shared origin; returns the route (its `dir` can change).
function mount(prefix, dir) {
  const r = { prefix, dir };
  routes.push(r);
  return r;
}

// A fresh browser context (its own storage) and a page whose errors and CSP violations
// are collected.
async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
    console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
  const errors = [];
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

// Polls `fn(arg)` in the page until it is true, across navigations (the page may reload itself).
async function until(page, fn, arg, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await page.evaluate(fn, arg)) return;
    } catch { /* navigating */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${fn}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Every record of every store of database `name`: { store: [record…] } (households: pages).
function dump(page, name) {
  return page.evaluate((name) => new Promise((ok, fail) => {
    const req = indexedDB.open(name);
    req.onerror = () => fail(String(req.error));
    req.onupgradeneeded = () => { req.transaction.abort(); };
    req.onsuccess = () => {
      const db = req.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names);
      const out = {};
      for (const n of names) tx.objectStore(n).getAll().onsuccess = (e) => { out[n] = e.target.result; };
      tx.oncomplete = () => { db.close(); ok(out); };
      tx.onerror = () => fail(String(tx.error));
    };
  }), name);
}
const households = (d) => d.households.flatMap((p) => JSON.parse(p._json));
const databases = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());

async function settingsCounts(page, base, n) {
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: new RegExp(`^${n}$`) })
    .waitFor({ timeout: 90_000 });
}

test('two communities on one origin keep two registers', async () => {
  mount('/community-a/', DIST);
  mount('/community-b/', DIST);
  const A = `${origin}/community-a/`, B = `${origin}/community-b/`;
  const { context, page, errors } = await newContext();
  await settingsCounts(page, A, 4500);

  // Data in A: a backup restored with a recognisable room.
  const file = JSON.parse(await exportBackupJson(page, `${OUT}hardening-a.json`));
  const payload = file.payload;
  payload.households[0].room = 'A-ONLY-1';
  const payloadText = JSON.stringify(payload);
  const { payload: _drop, ...header } = file;
  header.payload_sha256 = createHash('sha256').update(payloadText, 'utf8').digest('hex');
  await writeFile(`${OUT}hardening-a-edited.json`, JSON.stringify(header).slice(0, -1) + ',"payload":' + payloadText + '}');
  assert.equal(await chooseBackup(page, `${OUT}hardening-a-edited.json`), 'plain');
  await page.locator('[data-testid=restore-valid]').waitFor();
  await page.click('[data-testid=restore-confirm]');
  await page.locator('[data-testid=restore-done]').waitFor();

  // B: its own register (the demo on first start), without A's room.
  await settingsCounts(page, B, 4500);
  const inB = households(await dump(page, dbName('/community-b/')));
  assert.equal(inB.length, 4500);
  assert.ok(!inB.some((h) => h.room === 'A-ONLY-1'), 'B does not see A\'s data');
  // Clearing B leaves A untouched.
  await page.click('[data-testid=demo-clear]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: /^0$/ }).waitFor();
  await settingsCounts(page, A, 4500);
  const inA = households(await dump(page, dbName('/community-a/')));
  assert.ok(inA.some((h) => h.room === 'A-ONLY-1'), 'A keeps its data');
  assert.equal(households(await dump(page, dbName('/community-b/'))).length, 0);
  const names = await databases(page);
  assert.ok(names.includes('linli:/community-a/') && names.includes('linli:/community-b/'), names.join());
  assert.ok(!names.includes('linli'), 'no shared database');
  assert.deepEqual(errors, []);
  await context.close();
});

// The v1 layout (src/db/schema.rs V1): store, key path, indexes [name, key path(s), unique, multiEntry].
const V1 = [
  ['settings', 'key', []], ['grids', 'id', []], ['buildings', 'id', [['by_grid', 'grid_id']]],
  ['households', 'id', [['by_building', 'building_id'], ['by_tenure', 'tenure'], ['by_group', 'group'],
    ['by_need', '_needs', false, true], ['by_flag', '_flags', false, true], ['by_name', 'contact_name']]],
  ['resources', 'id', [['by_period', 'period'], ['by_category', 'category']]],
  ['allocation_runs', 'id', [['by_period', 'period']]],
  ['proposals', 'id', [['by_period', 'period'], ['by_status', 'status']]],
  ['ballots', 'id', [['by_period', 'period']]],
  ['activities', 'id', [['by_date', 'date'], ['by_channel', 'channel']]],
  ['points_ledger', 'id', [['by_household', 'household_id'], ['by_at', 'at']]],
  ['timebank_ledger', 'id', [['by_giver', 'giver_household_id'], ['by_receiver', 'receiver_household_id']]],
  ['requests', 'id', [['by_code', 'tracking_code', true], ['by_status', 'status'], ['by_received', 'received_at']]],
  ['plans', 'id', [['by_stage', 'stage']]],
  ['spending', 'id', [['by_plan', 'plan_id'], ['by_date', 'date']]],
  ['snapshots', 'id', [['by_published', 'published_at']]],
  ['audit_log', 'id', [['by_entity', ['entity', 'entity_id']], ['by_at', 'at']]],
];

// Creates the legacy database `linli` at version 1 with `records` ({ store: [object…] }).
function makeLegacy(page, records) {
  return page.evaluate(([V1, records]) => new Promise((ok, fail) => {
    const req = indexedDB.open('linli', 1);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const [name, keyPath, indexes] of V1) {
        const s = db.createObjectStore(name, { keyPath });
        for (const [i, path, unique = false, multiEntry = false] of indexes) s.createIndex(i, path, { unique, multiEntry });
      }
      for (const [store, list] of Object.entries(records)) for (const r of list) req.transaction.objectStore(store).put(r);
    };
    req.onsuccess = () => { req.result.close(); ok(); };
    req.onerror = () => fail(String(req.error));
  }), [V1, records]);
}

// A v1 record: the key and index fields, plus the JSON text.
const v1Record = (x, fields) => Object.assign(Object.fromEntries(fields.filter((f) => f in x).map((f) => [f, x[f]])), { _json: JSON.stringify(x) });

test('a legacy `linli` database is adopted whole by the first empty community, then deleted', async () => {
  mount('/community-c/', DIST);
  mount('/community-d/', DIST);
  mount('/community-e/', DIST);
  mount('/community-f/', DIST);
  const { context, page, errors } = await newContext();
  // A community that already has a register: its data is the source of the legacy records.
  await settingsCounts(page, `${origin}/community-c/`, 4500);
  const src = await dump(page, dbName('/community-c/'));
  const hh = households(src).slice(0, 3).map((h, i) => (i === 0 ? { ...h, room: 'LEGACY-1' } : h));
  const legacy = {
    settings: src.settings,
    grids: src.grids,
    buildings: src.buildings,
    households: hh.map((h) => v1Record(h, ['id', 'building_id', 'tenure', 'group', 'contact_name'])),
  };
  await makeLegacy(page, legacy);
  assert.ok((await databases(page)).includes('linli'));

  // D opens with an empty register: it adopts the legacy database (v1 → current layout).
  await settingsCounts(page, `${origin}/community-d/`, 3);
  const d = await dump(page, dbName('/community-d/'));
  assert.equal(d.settings.length, legacy.settings.length, 'every setting');
  assert.equal(d.grids.length, legacy.grids.length, 'every grid');
  assert.equal(d.buildings.length, legacy.buildings.length, 'every building');
  assert.deepEqual(households(d).map((h) => h.room), hh.map((h) => h.room));
  assert.ok(!d.settings.some((s) => s.key === 'linli.migrated_to'), 'the claim stays in the legacy database');
  // The legacy database is deleted after the copy.
  await page.waitForFunction(async () => !(await indexedDB.databases()).some((x) => x.name === 'linli'));
  // D's data survives a reload (no demo over it).
  await settingsCounts(page, `${origin}/community-d/`, 3);

  // E opens after the adoption: its own demo, nothing of the legacy register.
  await settingsCounts(page, `${origin}/community-e/`, 4500);
  assert.ok(!households(await dump(page, dbName('/community-e/'))).some((h) => h.room === 'LEGACY-1'));

  // A legacy database already claimed by another community is left alone.
  legacy.settings = [...legacy.settings, { key: 'linli.migrated_to', _json: JSON.stringify({ key: 'linli.migrated_to', value: 'linli:/elsewhere/' }) }];
  await makeLegacy(page, legacy);
  await settingsCounts(page, `${origin}/community-f/`, 4500);
  assert.ok(!households(await dump(page, dbName('/community-f/'))).some((h) => h.room === 'LEGACY-1'));
  assert.ok((await databases(page)).includes('linli'), 'a register claimed elsewhere is not deleted');
  assert.deepEqual(errors, []);
  await context.close();
});

// A signed folder published with `linli publish --site DIST/site` (made once).
let folder = null;
function published() {
  if (folder) return folder;
  const backup = join(work, 'demo.json');
  const key = join(work, 'community.key');
  folder = join(work, 'pub');
  cli('demo', '--seed', '2026', '--created-at', String(AT), '--out', backup);
  cli('keygen', '--out', key);
  cli('publish', backup, '--out', folder, '--site', join(DIST, 'site'), '--at', String(AT), '--key', key);
  return folder;
}

function cspOf(html) {
  const m = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
  assert.ok(m, 'a CSP meta tag');
  assert.ok(html.indexOf(m[0]) < html.search(/<script/i), 'the policy comes before every script');
  return m[1];
}

test('both pages and the published site carry the CSP; the app and the dashboard run under it', async () => {
  const ws = readFileSync(join(DIST, 'index.html'), 'utf8');
  const site = readFileSync(join(DIST, 'site', 'index.html'), 'utf8');
  for (const html of [ws, site]) {
    const c = cspOf(html);
    assert.equal(c, policy(html), 'the hashes are those of the inline scripts');
    assert.match(c, /connect-src 'self'/);
    assert.match(c, /object-src 'none'/);
    assert.ok(!/script-src[^;]*'unsafe-inline'/.test(c), 'no unsafe-inline script');
    assert.ok(inlineScripts(html).length >= 1);
  }
  // The folder `linli publish --site` writes keeps the policy.
  const pub = published();
  const publishedHtml = readFileSync(join(pub, 'index.html'), 'utf8');
  assert.equal(cspOf(publishedHtml), cspOf(site));
  assert.equal(cspOf(publishedHtml), policy(publishedHtml));

  mount('/csp-app/', DIST);
  mount('/csp-site/', pub);
  const { context, page, errors } = await newContext();
  // The workspace, including the PB worker (a worker script under the policy).
  await settingsCounts(page, `${origin}/csp-app/`, 4500);
  await page.goto(`${origin}/csp-app/#/workspace`);
  await page.locator('[data-testid=summary]').waitFor({ timeout: 60_000 });
  // The dashboard: the page, trust.js (loaded after `load`) and sw.js.
  await page.goto(`${origin}/csp-site/`);
  await page.locator('[data-testid=trust]').waitFor({ timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  assert.ok(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL.endsWith('sw.js')));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a new build is picked up after a reload and the old cache is deleted', async () => {
  const one = join(work, 'build1');
  const two = join(work, 'build2');
  cpSync(published(), one, { recursive: true });
  cpSync(one, two, { recursive: true });
  // Build 2: a changed file, restamped as the build step does.
  const html = readFileSync(join(two, 'index.html'), 'utf8');
  writeFileSync(join(two, 'index.html'), html.replace('<title>', '<meta name="linli-build" content="2">\n  <title>'));
  const v2 = postBuild(two);
  const v1 = readFileSync(join(one, 'sw.js'), 'utf8').match(/linli-dashboard-([0-9a-f]+)/)[1];
  assert.ok(v2 && v1 && v1 !== v2, `${v1} → ${v2}`);

  const route = mount('/sw/', one);
  const { context, page, errors } = await newContext();
  await page.goto(`${origin}/sw/`);
  await page.locator('[data-testid=trust]').waitFor({ timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  await until(page, async (v) => (await caches.keys()).includes(`linli-dashboard-${v}`), v1);
  assert.equal(await page.locator('meta[name=linli-build]').count(), 0);

  // The host now serves build 2 at the same address.
  route.dir = two;
  await page.reload();
  // The new worker takes over (the page reloads itself once) and deletes build 1's cache.
  // The page asks for an update check after load; on a busy machine that check can race the
  // reload, so the wait asks again (as the browser does on its own, later) instead of
  // depending on the first one.
  await until(page, async (v) => {
    const r = await navigator.serviceWorker.getRegistration();
    if (r && !r.installing && !r.waiting) r.update().catch(() => {});
    const keys = await caches.keys();
    return keys.length === 1 && keys[0] === `linli-dashboard-${v}` && !!navigator.serviceWorker.controller
      && !!document.querySelector('meta[name=linli-build]');
  }, v2, 60_000); // the new worker first caches the forms' wasm (about 420 KB) at install
  await page.waitForLoadState('load');
  await page.locator('[data-testid=trust]').waitFor({ timeout: 30_000 });
  const active = await page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return (await (await fetch(r.active.scriptURL)).text()).match(/linli-dashboard-[0-9a-f]+/)[0];
  });
  assert.equal(active, `linli-dashboard-${v2}`);
  assert.deepEqual(errors, []);
  await context.close();
});
