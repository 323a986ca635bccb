// Two browsers of one community sync through a CouchDB server (issue #19): a
// pouchdb-server in memory (scripts/couch.sh) on another origin, allowed by the
// workspace's Content-Security-Policy the way a deployment allows it (LINLI_SYNC_ORIGINS,
// the post-build step run again on the built folder). Two contexts with their own
// IndexedDB connect in Settings → 同步 and replicate continuously. Then both go
// offline; each edits different fields of one household and the same field of another,
// adds a household and redeems the household's last voucher; back online they converge:
// every edit is present, the same-field edit is a conflict on both, both new households
// are kept, the double redemption is flagged. An edit on one connected browser reaches
// the other (time reported). The server's documents hold none of the planted strings.
// The address field refuses credentials and origins the policy does not allow; a
// stopped server shows the retry.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer } from 'node:net';
import { start, waitForDemo, axeViolations, DIST, OUT } from './harness.mjs';
import { postBuild } from '../../scripts/trunk_post_build.mjs';
import { steps } from './steps.mjs';

let env;
let couch;
let couchUrl;
const ROOT = new URL('../../', import.meta.url).pathname;

before(async () => {
  const port = await new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
  couch = spawn('bash', [`${ROOT}scripts/couch.sh`, '--port', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  couchUrl = await new Promise((resolve, reject) => {
    createInterface({ input: couch.stdout }).once('line', (l) => resolve(l.trim()));
    couch.once('exit', (c) => reject(new Error(`couch.sh exited ${c}`)));
  });
  assert.match(couchUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  // The deployment step: the built workspace, its CSP naming the server's origin.
  const dir = `${OUT}sync-server-dist/`;
  rmSync(dir, { recursive: true, force: true });
  cpSync(DIST, dir, { recursive: true });
  process.env.LINLI_SYNC_ORIGINS = couchUrl;
  postBuild(dir);
  delete process.env.LINLI_SYNC_ORIGINS;
  env = await start(dir);
});
after(async () => {
  await env?.stop();
  couch?.kill('SIGTERM');
});

const LONG = { timeout: 180_000 };
const { edit, addHousehold, values, openParticipation, balanceOf, expectBalance, addActivity, earn, redeemVoucher,
  householdCount, memberName } = steps(() => env.base);

const phase = (page) => page.locator('[data-testid=server-phase]').getAttribute('data-phase');

async function openSettings(page) {
  await page.goto(env.base + '#/settings');
  await page.locator('[data-testid=server-form]').waitFor({ timeout: 60_000 });
}

// Connects and waits for the first run to finish (its report shown, then watching).
async function connect(page, key, db) {
  await openSettings(page);
  await page.fill('[data-testid=sync-key]', key);
  await page.fill('[data-testid=server-url]', `${couchUrl}/${db}`);
  await page.fill('[data-testid=server-user]', '');
  await page.click('[data-testid=server-connect]');
  await page.locator('[data-testid=server-last]').waitFor(LONG);
  await page.locator('[data-testid=server-phase][data-phase=watching]').waitFor(LONG);
}

// Waits until `page`'s last run is newer than `since` and the service watches again.
async function settled(page, since) {
  await page.waitForFunction((t) => {
    const last = document.querySelector('[data-testid=server-last]');
    const ph = document.querySelector('[data-testid=server-phase]')?.dataset.phase;
    return last && Number(last.dataset.at) > t && ph === 'watching';
  }, since, LONG);
}

test('two browsers replicate through a CouchDB server and converge, the same-field edit kept as a conflict', async () => {
  const a = await env.newPage({ width: 1366, height: 900 });
  const b = await env.newPage({ width: 1366, height: 900 });
  for (const { page } of [a, b]) {
    await page.goto(env.base + '#/workspace');
    await waitForDemo(page);
  }
  await openSettings(a.page);
  await a.page.click('[data-testid=sync-key-generate]');
  const key = await a.page.inputValue('[data-testid=sync-key]');
  assert.match(key, /^[0-9a-f]{64}$/);

  // The address is checked next to the field before any request.
  const urlError = a.page.locator('[data-testid=server-url-error]');
  await a.page.fill('[data-testid=server-url]', `http://guide:secret@127.0.0.1:5984/x`);
  await a.page.click('[data-testid=server-connect]');
  assert.match(await urlError.textContent(), /用户名和密码/);
  assert.equal(await a.page.getAttribute('[data-testid=server-url]', 'aria-invalid'), 'true');
  await a.page.fill('[data-testid=server-url]', 'http://127.0.0.1:9/community');
  assert.match(await urlError.textContent(), /安全策略不允许连接 http:\/\/127\.0\.0\.1:9/);
  await a.page.fill('[data-testid=server-url]', `${couchUrl}/`);
  assert.match(await urlError.textContent(), /数据库名/);
  assert.equal(await phase(a.page), 'off', 'nothing started');

  // On A: a household earns 25 points (one canteen voucher of 20).
  await openParticipation(a.page);
  let hid = null;
  for (let h = 4500; h > 4300 && hid === null; h--) {
    if (await balanceOf(a.page, h) === 0) hid = h;
  }
  assert.ok(hid, 'a household without points');
  assert.match(await earn(a.page, await addActivity(a.page, '技能分享：智能手机', 4, [hid])), /已为 1 户/);
  assert.match(await earn(a.page, await addActivity(a.page, '楼栋议事角：加装电梯', 1, [hid])), /已为 1 户/);
  await expectBalance(a.page, hid, 25);

  // A fills the empty server; B, with the same demo, joins it.
  const db = 'community-e2e';
  let t0 = Date.now();
  await connect(a.page, key, db);
  const firstPushMs = Date.now() - t0;
  t0 = Date.now();
  await connect(b.page, key, db);
  const firstPullMs = Date.now() - t0;
  const pulled = Number(await b.page.getAttribute('[data-testid=server-last]', 'data-pulled'));
  assert.ok(pulled > 4000, `B received ${pulled} revisions`);
  assert.deepEqual(await axeViolations(b.page, 'settings server sync'), []);
  await b.page.screenshot({ path: `${OUT}sync-server-b.png`, fullPage: false });
  console.log(`first sync of the demo: A up ${firstPushMs} ms, B down ${firstPullMs} ms (${pulled} revisions)`);
  await openParticipation(b.page);
  await expectBalance(b.page, hid, 25);

  // Both offline: edits on each side.
  await a.context.setOffline(true);
  await b.context.setOffline(true);
  await openSettings(a.page);
  await a.page.locator('[data-testid=server-phase][data-phase=offline]').waitFor(LONG);
  await edit(a.page, 5, { '#f-notes': 'A 的备注 5' });
  await edit(b.page, 5, { '#f-contact_phone': '13911112222' });
  await edit(a.page, 6, { '#f-notes': 'A 写的 6' });
  await edit(b.page, 6, { '#f-notes': 'B 写的 6' });
  assert.match(await redeemVoucher(a.page, hid), /已兑换/);
  assert.match(await redeemVoucher(b.page, hid), /已兑换/);
  const before = await householdCount(a.page);
  const newA = await addHousehold(a.page, '甲新住户', '13700000001');
  const newB = await addHousehold(b.page, '乙新住户', '13700000002');
  assert.equal(newA, newB, 'both devices gave the same next id');
  await openSettings(a.page);
  await a.page.locator('[data-testid=server-unsent]').waitFor();

  // Back online: A sends, B merges and sends, A takes B's.
  const back = Date.now();
  await a.context.setOffline(false);
  await b.context.setOffline(false);
  await openSettings(b.page);
  await settled(a.page, back);
  await settled(b.page, back);
  // Until both have each other's edits (a run that overlapped the other's push runs again).
  const deadline = Date.now() + 120_000;
  let va5; let vb5;
  for (;;) {
    va5 = await values(a.page, 5);
    vb5 = await values(b.page, 5);
    if (JSON.stringify(va5) === JSON.stringify(vb5) || Date.now() > deadline) break;
    await a.page.waitForTimeout(2_000);
  }
  assert.deepEqual(va5, { notes: 'A 的备注 5', phone: '13911112222' });
  assert.deepEqual(vb5, va5);
  const va6 = await values(a.page, 6);
  assert.deepEqual(await values(b.page, 6), va6);
  assert.ok(['A 写的 6', 'B 写的 6'].includes(va6.notes));
  for (const p of [a.page, b.page]) {
    assert.equal(await householdCount(p), before + 2);
    const names = [await memberName(p, newA), await memberName(p, newA + 1)].sort();
    assert.deepEqual(names, ['乙新住户', '甲新住户']);
    await openParticipation(p);
    await expectBalance(p, hid, -15); // both redemptions kept
  }
  // The conflict and the flag, on both: the sync section and the cockpit.
  for (const p of [a.page, b.page]) {
    await openSettings(p);
    await p.locator('[data-testid=sync-conflict][data-store=households][data-key="6"][data-field=notes]').first().waitFor(LONG);
    await p.locator(`[data-testid=sync-flag][data-household="${hid}"]`).first().waitFor(LONG);
    await p.goto(env.base + '#/workspace');
    const line = p.locator('[data-testid=cockpit-sync]');
    await line.waitFor({ timeout: 60_000 });
    assert.ok(Number(await line.getAttribute('data-conflicts')) >= 1);
  }

  // Connected on both: an edit on A reaches B.
  await openSettings(b.page);
  const sent = Date.now();
  await edit(a.page, 7, { '#f-notes': '实时到达 7' });
  // B shows it once its run after A's has written it (B's register read again each time).
  let seen = '';
  while (seen !== '实时到达 7' && Date.now() - sent < 60_000) {
    seen = (await values(b.page, 7)).notes;
  }
  const visibleMs = Date.now() - sent;
  assert.equal(seen, '实时到达 7');
  await openSettings(b.page);
  const took = Number(await b.page.locator('[data-testid=server-last]').getAttribute('data-took'));
  assert.ok(took > 0, 'the run reports its time');
  console.log(`an edit on A visible on B after ${visibleMs} ms (B's last run ${took} ms)`);

  // The server holds ciphertext only.
  const all = await (await fetch(`${couchUrl}/${db}/_all_docs?include_docs=true`)).text();
  assert.ok(all.length > 100_000, 'the server holds the community');
  for (const needle of ['A 的备注', 'B 写的', '甲新住户', '乙新住户', '13911112222', '13700000001', 'households',
    'contact_name', 'points_ledger']) {
    assert.ok(!all.includes(needle), `the server holds ${needle}`);
  }
  const info = await (await fetch(`${couchUrl}/${db}`)).json();
  console.log(`server: ${info.doc_count} documents, ${all.length} bytes of _all_docs with bodies`);

  // The server stops: the workspace says so and retries with backoff.
  couch.kill('SIGTERM');
  await edit(a.page, 8, { '#f-notes': '服务器停了' });
  await openSettings(a.page);
  await a.page.locator('[data-testid=server-phase][data-phase=retrying]').waitFor(LONG);
  assert.match(await a.page.locator('[data-testid=server-phase]').textContent(), /秒后重试/);
  await a.page.click('[data-testid=server-disconnect]');
  assert.equal(await phase(a.page), 'off');

  const net = (e) => /Failed to load resource|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED/.test(e);
  assert.deepEqual(a.errors.filter((e) => !net(e)), []);
  assert.deepEqual(b.errors.filter((e) => !net(e)), []);
  await a.context.close();
  await b.context.close();
});
