// The register's one search box (issue #17, item 3) on a guide's 1366×768 laptop:
// a building, a room, a name or a phone's last digits find the household; the
// filters live in the URL, so going back to the list (and a reload) keeps them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, OUT } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

const count = async (page) => Number((await page.locator('[data-testid=result-count]').textContent()).match(/\d+/)[0]);
const search = async (page, text) => {
  const before = await page.locator('[data-testid=result-count]').textContent();
  await page.fill('[data-testid=name-search]', text);
  await page.waitForFunction((b) => document.querySelector('[data-testid=result-count]')?.textContent !== b
    || document.querySelector('.empty'), before, { timeout: 10_000 }).catch(() => {});
  await page.waitForTimeout(400);
};

test('register search: building, room, name, phone ending; filters kept in the URL', async () => {
  const { context, page, errors } = await env.newPage({ width: 1366, height: 768 });
  await page.goto(env.base + '#/workspace');
  await waitForDemo(page);
  const id = 1234;
  await page.goto(env.base + `#/register/${id}`);
  await page.locator('#f-room').waitFor({ timeout: 60_000 });
  const building = (await page.locator('#f-building option:checked').textContent()).trim();
  const unit = await page.inputValue('#f-unit');
  const room = await page.inputValue('#f-room');
  const phone = (await page.inputValue('#f-contact_phone')).replace(/\D/g, '');
  const name = await page.inputValue('#f-contact_name');

  await page.goto(env.base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  const all = await count(page);
  const link = page.locator(`tr.vrow a[href="#/register/${id}"]`);
  for (const text of [`${building} ${room}`, `${unit}-${room} ${building}`, phone.slice(-4), `${name} ${building}`]) {
    await search(page, text);
    const n = await count(page);
    assert.ok(n >= 1 && n < all, `"${text}" found ${n}`);
    await link.waitFor({ timeout: 5_000 }).catch(() => assert.fail(`"${text}" does not list household ${id} (${n} found)`));
  }
  // The building alone: every row is in that building.
  await search(page, building);
  const addresses = await page.locator('tr.vrow td:nth-child(2)').allTextContents();
  assert.ok(addresses.length > 0 && addresses.every((a) => a.startsWith(`${building}-`)), addresses.slice(0, 3).join());
  // Nothing found: said so, not an error.
  await search(page, '不存在的住户zz');
  await page.locator('.empty').waitFor();
  assert.equal(await count(page), 0);

  // Search and a select filter in the URL; back from a household finds them again.
  await search(page, `${building} ${room}`);
  await link.waitFor();
  assert.match(decodeURIComponent(page.url()), new RegExp(`#/register\\?q=${building} ${room}`));
  await link.click();
  await page.locator('#f-room').waitFor();
  await page.goBack();
  await page.locator('[data-testid=result-count]').waitFor();
  assert.equal(await page.inputValue('[data-testid=name-search]'), `${building} ${room}`);
  await link.waitFor();
  await page.getByLabel('标记').selectOption('lives_alone');
  await page.waitForFunction(() => /[?&]f=lives_alone/.test(location.hash));
  const narrowed = await count(page);
  await page.reload();
  await page.locator('[data-testid=result-count]').waitFor({ timeout: 60_000 });
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=result-count]').textContent.match(/\d+/)[0]) === n, narrowed);
  assert.equal(await page.getByLabel('标记').inputValue(), 'lives_alone');
  await page.screenshot({ path: `${OUT}register-search.png` });
  assert.deepEqual(errors, []);
  await context.close();
});
