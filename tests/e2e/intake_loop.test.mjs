// End-to-end, issue #18 (the whole loop): a resident's 360 px phone (slow network, slower
// CPU) opens the published dashboard once, goes offline, submits a request from the
// dashboard's form (code made and sealed on the phone) → a guide pastes its sealed text
// into the workspace's requests page → publishes → the phone, online again, looks its own
// code up and sees the status → the guide resolves it and publishes → the phone rates it
// → the guide takes the rating in from a picture of its QR code (the phone's screenshot)
// → it counts in the satisfaction figures.
// The published folder is the workspace's own ZIP, unpacked where the phone's host serves
// it. Prints FIGURE intake_loop_seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, waitForDemo, publishNow, throttlePhone, axeViolations, readStore, OUT } from './harness.mjs';

const work = mkdtempSync(join(tmpdir(), 'linli-intake-loop-'));
const site = join(work, 'site');
mkdirSync(site);
let ws, phoneHost;
before(async () => {
  ws = await start();
  phoneHost = await start(site);
});
after(async () => {
  await ws?.stop();
  await phoneHost?.stop();
  rmSync(work, { recursive: true, force: true });
});

const shot = (page, name) => page.screenshot({ path: `${OUT}intake-loop-${name}.png`, fullPage: false });
const text = async (loc) => (await loc.textContent()).trim();

// Publishes from the workspace's dashboard page and unpacks the folder's ZIP over the
// phone's site (as a guide uploads it to the static host).
let n = 0;
async function publishToSite(page, seq) {
  await page.goto(ws.base + '#/');
  await publishNow(page);
  assert.ok((await text(page.locator('[data-testid=publish-status]'))).includes(`已发布第 ${seq} 期`));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-folder]')]);
  const zip = join(work, `p${n++}.zip`);
  await dl.saveAs(zip);
  execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, site]);
}

// Clicks `click` and waits for a new message (a higher `data-seq`) in `[data-testid=<msg>]`.
async function act(page, click, msg) {
  const sel = `[data-testid=${msg}]`;
  const seq = await page.evaluate((s) => Number(document.querySelector(s)?.dataset.seq ?? 0), sel);
  await click.click();
  await page.waitForFunction(([s, k]) => Number(document.querySelector(s)?.dataset.seq ?? 0) > k, [sel, seq]);
  return (await page.locator(sel).textContent()).trim();
}

// The guide pastes a sealed text and confirms; returns the message.
async function takeIn(page, sealed) {
  await page.goto(ws.base + '#/requests');
  await page.locator('[data-testid=intake-keys]').waitFor();
  await page.locator('#intake-text').fill(`居民发来：\n${sealed}`);
  await page.locator('[data-testid=intake-open]').click();
  const preview = page.locator('[data-testid=intake-preview]');
  await preview.waitFor();
  return { preview, said: () => act(page, preview.locator('[data-testid=intake-confirm]'), 'intake-resident-msg') };
}

// Whether the page's requests reach the network: a fetch the worker does not answer
// from its cache.
const online = (page) => page.evaluate(() => fetch(`probe-${Math.random()}`).then(() => true, () => false));

// Looks `code` up on the phone; returns the status line.
async function lookUp(phone, code) {
  await phone.locator('#code').fill(code.toLowerCase());
  await phone.locator('[data-testid=lookup] button[type=submit]').click();
  const found = phone.locator('[data-testid=request-result]');
  await found.waitFor({ timeout: 60_000 });
  return text(found.locator('strong'));
}

test('a phone submits a request offline, follows and rates it; the guide takes both in', { timeout: 600_000 }, async () => {
  const t0 = Date.now();
  const { context, page, errors } = await ws.newPage({ width: 1366, height: 768 });
  await page.goto(ws.base + '#/workspace');
  await waitForDemo(page);
  // The community's intake key, then the first publication (it carries the public key).
  await page.goto(ws.base + '#/requests');
  const keys = page.locator('[data-testid=intake-keys]');
  await keys.locator('[data-testid=intake-no-key]').waitFor();
  await act(page, keys.locator('[data-testid=intake-rotate]'), 'intake-keys-msg');
  const pub = await text(keys.locator('[data-testid=intake-public-key]'));
  const satisfaction = async () => {
    await page.goto(ws.base + '#/requests');
    const line = await text(page.locator('[data-testid=req-satisfaction]'));
    return Number(line.match(/（(\d+) 件评价/)[1]);
  };
  const ratedBefore = await satisfaction();
  await publishToSite(page, 1);

  // The phone's first visit (online): the page, its worker, and the forms' files cached.
  const { context: pc, page: phone, errors: phoneErrors } = await phoneHost.newPage({ width: 360, height: 740 });
  await throttlePhone(pc, phone);
  await phone.goto(phoneHost.base);
  await phone.locator('[data-testid=intake]').waitFor({ timeout: 60_000 });
  await phone.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  for (let i = 0; ; i++) {
    const cached = await phone.evaluate(async () => {
      for (const k of await caches.keys()) {
        if (!k.startsWith('linli-dashboard-')) continue;
        const urls = (await (await caches.open(k)).keys()).map((r) => r.url);
        if (urls.some((u) => u.endsWith('/intake_form_bg.wasm')) && urls.some((u) => u.endsWith('/intake_form.js'))) return true;
      }
      return false;
    });
    if (cached) break;
    assert.ok(i < 120, 'the service worker did not cache the forms');
    await phone.waitForTimeout(500);
  }
  // As a resident comes back: the worker controls the page after a reload, which caches
  // the page itself (dashboard.test.mjs, "works offline after the first visit").
  await phone.reload();
  await phone.locator('[data-testid=intake]').waitFor({ timeout: 60_000 });
  await phone.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 30_000 });
  // The first load did not fetch the forms: they were not requested by the page.
  const loadedByPage = await phone.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((u) => /intake_form/.test(u)));
  assert.deepEqual(loadedByPage, [], 'the forms are part of the first load');

  // Offline: the page comes from the worker's cache, and so does the form.
  await pc.setOffline(true);
  await phone.reload();
  await phone.locator('[data-testid=intake]').waitFor({ timeout: 60_000 });
  assert.equal(await online(phone), false, 'the phone still reaches the network');
  await phone.locator('[data-testid=intake-open]').click();
  await phone.locator('#in-cat').waitFor({ timeout: 60_000 });
  // The focus moves into the form.
  await phone.waitForFunction(() => document.activeElement?.id === 'in-cat', null, { timeout: 5_000 });
  // Nothing filled: each message next to its field, focus on the first.
  await phone.locator('[data-testid=intake-submit]').click();
  assert.equal(await text(phone.locator('#in-cat-err')), '请选择类别。');
  assert.equal(await text(phone.locator('#in-desc-err')), '请写下情况说明。');
  assert.equal(await phone.getAttribute('#in-desc', 'aria-invalid'), 'true');
  await phone.waitForFunction(() => document.activeElement?.id === 'in-cat');
  // Too long a description.
  await phone.locator('#in-desc').fill('灯'.repeat(401));
  await phone.locator('[data-testid=intake-submit]').click();
  assert.match(await text(phone.locator('#in-desc-err')), /不能超过 400 字（现在 401 字）/);
  // Filled in with the keyboard.
  await phone.focus('#in-cat');
  await phone.keyboard.press('ArrowDown');
  const category = await phone.locator('#in-cat').inputValue();
  assert.ok(category.length > 0, 'no category chosen with the keyboard');
  const description = '3 号楼楼道灯坏了，晚上看不见 <b>x</b>';
  await phone.locator('#in-desc').fill(description);
  await phone.getByLabel('紧急', { exact: true }).check();
  await phone.locator('#in-contact').fill('138 0000 0000');
  await shot(phone, '1-form');
  // Switching the language redraws the page: opened again, the form is as it was.
  await phone.locator('button.lang').first().click();
  await phone.waitForFunction(() => document.documentElement.lang === 'en');
  await phone.locator('[data-testid=intake-open]').click();
  await phone.locator('#in-desc').waitFor({ timeout: 30_000 });
  assert.equal(await phone.locator('#in-desc').inputValue(), description);
  assert.equal(await phone.locator('#in-cat').inputValue(), category);
  assert.equal(await phone.locator('#in-contact').inputValue(), '138 0000 0000');
  assert.ok(await phone.getByLabel('Urgent', { exact: true }).isChecked());
  await phone.locator('button.lang').first().click();
  await phone.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await phone.locator('[data-testid=intake-open]').click();
  await phone.locator('#in-desc').waitFor({ timeout: 30_000 });
  assert.equal(await phone.locator('#in-desc').inputValue(), description);
  const v1 = await axeViolations(phone, 'intake form (phone)');
  assert.deepEqual(v1, []);
  await phone.locator('#in-desc').press('Tab');
  await phone.locator('[data-testid=intake-submit]').click();
  const sealed = phone.locator('[data-testid=sealed]');
  await sealed.waitFor();
  const code = (await text(phone.locator('[data-testid=sealed-code]'))).replaceAll('-', '');
  assert.match(code, /^[0-9A-HJKMNP-TV-Z]{16}[0-9A-HJKMNP-TV-Z*~$=U]$/);
  assert.match(await text(sealed), /下一期公示发布后/);
  const armored = await phone.locator('#sealed-text').inputValue();
  assert.match(armored, /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n?$/);
  assert.ok(!armored.includes('楼道'), 'the text is not sealed');
  const qr = await phone.locator('[data-testid=sealed-qr]').getAttribute('src');
  assert.ok(qr.startsWith('data:image/svg+xml,'), qr.slice(0, 40));
  await phone.waitForFunction(() => document.querySelector('[data-testid=sealed-qr]').naturalWidth > 0);
  await phone.locator('[data-testid=sealed-qr]').screenshot({ path: `${OUT}intake-loop-request-qr.png` });
  assert.equal(await online(phone), false);
  // The sealed result survives a language switch too (kept for this tab only).
  await phone.locator('button.lang').first().click();
  await phone.waitForFunction(() => document.documentElement.lang === 'en');
  await phone.locator('[data-testid=intake-open]').click();
  await phone.locator('[data-testid=sealed-code]').waitFor({ timeout: 30_000 });
  assert.equal((await text(phone.locator('[data-testid=sealed-code]'))).replaceAll('-', ''), code);
  assert.equal(await phone.locator('#sealed-text').inputValue(), armored);
  await phone.locator('button.lang').first().click();
  await phone.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await phone.locator('[data-testid=intake-open]').click();
  await phone.locator('[data-testid=sealed-code]').waitFor({ timeout: 30_000 });
  await sealed.scrollIntoViewIfNeeded();
  await shot(phone, '2-sealed');
  const v2 = await axeViolations(phone, 'sealed request (phone)');
  assert.deepEqual(v2, []);

  // The guide takes the text in: recorded under the phone's own code.
  const { preview, said } = await takeIn(page, armored);
  assert.equal(await text(preview.locator('[data-testid=intake-description]')), description);
  assert.equal(await preview.locator('b').count(), 0);
  const m = (await said()).match(/已接收：诉求 #(\d+)（查询码 ([0-9A-Z-]+)）/);
  assert.ok(m, 'not taken in');
  const id = Number(m[1]);
  assert.equal(m[2].replaceAll('-', ''), code);
  const stored = (await readStore(page, 'requests')).find((r) => r.id === id);
  assert.equal(stored.tracking_code, code);
  assert.equal(stored.category, category);
  assert.equal(stored.colour, 'red');
  await shot(page, '3-taken-in');
  await publishToSite(page, 2);

  // The phone, online again, finds its own code in the new publication.
  await pc.setOffline(false);
  await phone.reload();
  await phone.locator('[data-testid=lookup]').waitFor({ timeout: 60_000 });
  assert.equal(await lookUp(phone, code), '已受理');
  assert.equal(await phone.locator('[data-testid=rate-slot]').count(), 0, 'a received request offers a rating');
  await phone.locator('[data-testid=request-result]').scrollIntoViewIfNeeded();
  await shot(phone, '4-received');

  // The guide resolves it and publishes.
  await page.goto(ws.base + '#/requests');
  // Found by the resident's code, as a guide does when the resident calls.
  await page.locator('#req-code').fill(code);
  await page.locator('[data-testid=req-lookup] button[type=submit]').click();
  await page.locator('#req-detail-h', { hasText: `#${id}` }).waitFor();
  await page.selectOption('#req-to', 'resolved');
  await page.locator('[data-testid=req-move] button[type=submit]').click();
  await page.locator('[data-testid=req-status]', { hasText: '已解决' }).waitFor();
  await publishToSite(page, 3);

  // The phone sees it resolved and rates it.
  await phone.reload();
  await phone.locator('[data-testid=lookup]').waitFor({ timeout: 60_000 });
  assert.equal(await lookUp(phone, code), '已解决');
  await phone.locator('[data-testid=rate-form]').waitFor({ timeout: 60_000 });
  await phone.locator('[data-testid=rate-submit]').click();
  assert.equal(await text(phone.locator('#rate-err')), '请选择 1 到 5 分。');
  await phone.locator('#rate-4').check();
  await phone.locator('#rate-comment').fill('修得很快 <i>y</i>');
  await phone.locator('[data-testid=rate-submit]').click();
  await phone.locator('[data-testid=sealed-rating]').waitFor();
  const rating = await phone.locator('#rated-text').inputValue();
  assert.match(rating, /^-----BEGIN AGE ENCRYPTED FILE-----/);
  assert.notEqual(rating, armored);
  const ratingQr = `${OUT}intake-loop-rating-qr.png`;
  await phone.waitForFunction(() => document.querySelector('[data-testid=rate] [data-testid=sealed-qr]').naturalWidth > 0);
  await phone.locator('[data-testid=rate] [data-testid=sealed-qr]').screenshot({ path: ratingQr });
  await phone.locator('[data-testid=rate]').scrollIntoViewIfNeeded();
  await shot(phone, '5-rated');
  const v3 = await axeViolations(phone, 'sealed rating (phone)');
  assert.deepEqual(v3, []);

  // The guide takes the rating in from the QR code (the phone's screenshot of it, as the
  // guide scans or receives it): read in the browser, then as pasted text. A picture
  // without a code is refused in words.
  await page.goto(ws.base + '#/requests');
  await page.locator('[data-testid=intake-keys]').waitFor();
  await page.locator('#intake-qr').setInputFiles(`${OUT}intake-loop-1-form.png`);
  await page.locator('[data-testid=intake-error]', { hasText: '没有找到可读的二维码' }).waitFor({ timeout: 30_000 });
  await page.locator('#intake-qr').setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
  await page.locator('[data-testid=intake-error]', { hasText: '无法读取这张图片' }).waitFor({ timeout: 30_000 });
  await page.locator('#intake-qr').setInputFiles(ratingQr);
  await page.waitForFunction(() => document.querySelector('#intake-text').value.startsWith('-----BEGIN AGE'), null, { timeout: 30_000 });
  assert.equal((await page.locator('#intake-text').inputValue()).replace(/\s+/g, ''), rating.replace(/\s+/g, ''), 'the QR code does not carry the sealed text');
  await page.locator('[data-testid=intake-open]').click();
  const ratingPreview = page.locator('[data-testid=intake-preview]');
  await ratingPreview.waitFor();
  const r = { preview: ratingPreview, said: () => act(page, ratingPreview.locator('[data-testid=intake-confirm]'), 'intake-resident-msg') };
  await shot(page, '6-qr-read');
  assert.equal(await text(r.preview.locator('[data-testid=intake-rating]')), '4 / 5');
  assert.equal(await text(r.preview.locator('[data-testid=intake-comment]')), '修得很快 <i>y</i>');
  assert.match(await r.said(), new RegExp(`已接收评价：诉求 #${id}，满意度 4 / 5`));
  const after = (await readStore(page, 'requests')).find((q) => q.id === id);
  assert.equal(after.status, 'closed');
  assert.equal(after.satisfaction, 4);
  assert.equal(await satisfaction(), ratedBefore + 1);
  await page.locator('[data-testid=req-satisfaction]').scrollIntoViewIfNeeded();
  await shot(page, '7-satisfaction');
  assert.ok(pub.startsWith('age1'));

  assert.deepEqual(errors, []);
  // Offline, the browser logs the fetches that failed (the probe, trust.js's history);
  // nothing else may be logged.
  assert.deepEqual(phoneErrors.filter((e) => !/net::ERR_FAILED|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e)), []);
  console.log(`FIGURE intake_loop_seconds ${((Date.now() - t0) / 1000).toFixed(1)}`);
  await context.close();
  await pc.close();
});
