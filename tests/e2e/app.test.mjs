// End-to-end: the release build served by a plain static server under a
// sub-path, opened by deep link in Debian's headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile } from 'node:fs/promises';
import { start, waitForDemo, OUT, exportBackupJson, chooseBackup } from './harness.mjs';

let env, base, newPage;

before(async () => {
  env = await start();
  ({ base, newPage } = env);
});

after(async () => {
  await env?.stop();
});

test('every surface opens by deep link under a sub-path, in Chinese, and survives reload', async () => {
  const { context, page, errors } = await newPage();
  const surfaces = [
    ['#/workspace', '社区工作台', 'workspace'],
    ['#/', '公示看板：预览与发布', 'dashboard'],
    ['#/workshop', '社区工作坊', 'workshop'],
    ['#/settings', '设置', 'settings'],
    ['#/register', '住户档案（一户一档）', 'register'],
    ['#/no-such-page', '找不到该页面', 'not-found'],
  ];
  const t0 = Date.now();
  await page.goto(base + surfaces[0][0]);
  await waitForDemo(page);
  console.log(`FIGURE e2e_first_start_demo_ms ${Date.now() - t0}`);
  for (const [hash, heading, name] of surfaces) {
    await page.goto(base + hash);
    await page.reload();
    const h1 = page.locator('h1');
    await h1.waitFor();
    assert.equal((await h1.textContent()).trim(), heading, `${hash} heading`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.equal(await page.locator(`[data-page=${name}]`).count(), 1);
    const current = page.locator('nav a[aria-current=page]');
    if (name !== 'not-found') assert.equal(await current.count(), 1, `${hash} nav marks the current page`);
    if (name === 'workspace') await waitForDemo(page);
    if (name === 'dashboard') await page.locator('[data-testid=publish-facts]').waitFor({ timeout: 60_000 });
    if (name === 'settings') await page.locator('[data-testid=counts]').waitFor();
    await page.screenshot({ path: `${OUT}${name}-phone.png`, fullPage: true });
  }
  // The demo community: about 4,500 households, 22% aged 60+.
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  const cards = await page.locator('[data-testid=summary] dd').allTextContents();
  assert.equal(cards[0], '4500');
  const residents = Number(cards[1]);
  assert.ok(residents > 12000 && residents < 14000, `residents ${residents}`);
  const aged = parseFloat(cards[2]);
  assert.ok(aged >= 20 && aged <= 24, `aged 60+ ${aged}%`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('workshop on a 1920x1080 projector and workspace on a 360 px phone', async () => {
  for (const [viewport, hash, name] of [
    [{ width: 1920, height: 1080 }, '#/workshop', 'workshop-1920'],
    [{ width: 360, height: 740 }, '#/workspace', 'workspace-360'],
  ]) {
    const { context, page } = await newPage(viewport);
    await page.goto(base + hash);
    await page.locator('h1').waitFor();
    if (name.startsWith('workspace')) await waitForDemo(page);
    // Nothing wider than the viewport (no horizontal scrolling).
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: page is ${overflow}px wider than the viewport`);
    await page.screenshot({ path: `${OUT}${name}.png` });
    await context.close();
  }
});

test('language switch to English and back, remembered across reload', async () => {
  const { context, page } = await newPage();
  await page.goto(base + '#/settings');
  await page.locator('h1', { hasText: '设置' }).waitFor();
  await page.getByRole('button', { name: '切换语言为英文' }).click();
  await page.locator('h1', { hasText: 'Settings' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.reload();
  await page.locator('h1', { hasText: 'Settings' }).waitFor();
  await page.getByRole('button', { name: 'Switch language to Chinese' }).click();
  await page.locator('h1', { hasText: '设置' }).waitFor();
  await context.close();
});

test('backup export, restore, and a damaged file changes nothing', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor({ timeout: 60_000 });
  const countOf = async (store) =>
    Number(await page.locator(`[data-testid=counts] tr[data-store=${store}] td`).textContent());
  assert.equal(await countOf('households'), 4500);

  // The export is an age file (tests/e2e/backup.test.mjs); its plain content, decrypted.
  const file = `${OUT}backup.json`;
  const text = await exportBackupJson(page, file);
  const header = JSON.parse(text);
  assert.equal(header.format, 'linli-backup');
  assert.equal(header.counts.households, 4500);
  assert.match(header.payload_sha256, /^[0-9a-f]{64}$/);

  // Clear everything, then restore the backup (the age file, with its passphrase).
  await page.click('[data-testid=demo-clear]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: /^0$/ }).waitFor();
  assert.equal(await chooseBackup(page, `${file}.age`), 'age');
  await page.locator('[data-testid=restore-valid]').waitFor({ timeout: 60_000 });
  await page.click('[data-testid=restore-confirm]');
  await page.locator('[data-testid=restore-done]').waitFor();
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: /^4500$/ }).waitFor();

  // A damaged (tampered) and a truncated plain file, read after the legacy warning, are
  // refused with a Chinese message; nothing changes.
  const tampered = text.replace('"households":[{"id":1,', '"households":[{"id":7,');
  await writeFile(`${OUT}tampered.json`, tampered);
  assert.equal(await chooseBackup(page, `${OUT}tampered.json`), 'plain');
  const err = page.locator('[data-testid=restore-error]');
  await err.waitFor();
  assert.match(await err.textContent(), /校验值不一致/);
  await writeFile(`${OUT}truncated.json`, text.slice(0, Math.floor(text.length / 2)));
  assert.equal(await chooseBackup(page, `${OUT}truncated.json`), 'plain');
  await page.locator('[data-testid=restore-error]', { hasText: '截断' }).waitFor();
  assert.equal(await countOf('households'), 4500);
  await page.screenshot({ path: `${OUT}settings-restore-error.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('another tab upgrading the database makes this tab ask for a reload; persistence result shown', async () => {
  const { context, page } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor({ timeout: 60_000 });
  const persist = page.locator('[data-testid=persist]');
  await page.waitForFunction(() => !/正在请求/.test(document.querySelector('[data-testid=persist]').textContent));
  assert.match(await persist.textContent(), /持久|persist/);
  // A second tab opens a newer schema version of the same database.
  const other = await context.newPage();
  await other.goto(base + '#/settings');
  const upgraded = await other.evaluate(() => new Promise((ok, fail) => {
    const req = indexedDB.open('linli:' + new URL('.', document.baseURI).pathname, 99);
    req.onsuccess = () => { const v = req.result.version; req.result.close(); ok(v); };
    req.onerror = () => fail(String(req.error));
    req.onblocked = () => fail('blocked: the first tab did not close its connection');
  }));
  assert.equal(upgraded, 99);
  await page.locator('[role=alert]', { hasText: '另一个标签页升级了数据库' }).waitFor();
  await page.getByRole('button', { name: '重新加载' }).waitFor();
  await context.close();
});

test('a restored backup without the first-start marker is never replaced by the demo', async () => {
  const { createHash } = await import('node:crypto');
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor({ timeout: 60_000 });
  const file = JSON.parse(await exportBackupJson(page, `${OUT}marker.json`));
  // A backup from elsewhere: no "initialized" setting, one recognisable room.
  const payload = file.payload;
  payload.settings = payload.settings.filter((s) => s.key !== 'initialized');
  payload.households[0].room = 'RESTORED-1';
  const payloadText = JSON.stringify(payload);
  const { payload: _drop, ...header } = file;
  header.counts.settings = payload.settings.length;
  header.payload_sha256 = createHash('sha256').update(payloadText, 'utf8').digest('hex');
  await writeFile(`${OUT}marker-less.json`, JSON.stringify(header).slice(0, -1) + ',"payload":' + payloadText + '}');
  assert.equal(await chooseBackup(page, `${OUT}marker-less.json`), 'plain');
  await page.locator('[data-testid=restore-valid]').waitFor();
  await page.click('[data-testid=restore-confirm]');
  await page.locator('[data-testid=restore-done]').waitFor();
  // Next start: the restored data is still there.
  await page.goto(base + '#/register/1');
  await page.reload();
  await page.locator('#f-room').waitFor();
  assert.equal(await page.inputValue('#f-room'), 'RESTORED-1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the workspace home lists every workspace view and promises nothing "coming soon"', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  const body = await page.locator('main').textContent();
  assert.ok(!body.includes('即将推出'), 'no stale "coming soon" notice');
  assert.ok(!body.includes('后续版本'), 'no promise of later versions');
  const links = page.locator('[data-testid=workspace-tasks] a');
  const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  for (const h of ['#/register', '#/needs', '#/pb', '#/allocation', '#/participation', '#/requests', '#/workshop', '#/', '#/settings']) {
    assert.ok(hrefs.includes(h), `workspace home links ${h}`);
  }
  // Each link opens its view (a page heading, the nav marks it current).
  await links.filter({ hasText: '资源调配' }).first().click();
  await page.locator('[data-page=allocation]').waitFor();
  assert.equal(await page.locator('nav a[aria-current=page]').count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});
