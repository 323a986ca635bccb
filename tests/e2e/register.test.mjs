// End-to-end: the household register — indexed filters, virtualised list,
// create / edit with validation / history / delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, OUT } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

const count = async (page) => Number((await page.locator('[data-testid=result-count]').textContent()).match(/\d+/)[0]);

test('register lists 4,500 households, filters by index, renders only visible rows', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  assert.equal(await count(page), 4500);
  // Virtualised: far fewer rows in the DOM than households.
  const rendered = await page.locator('tr.vrow').count();
  assert.ok(rendered > 5 && rendered < 60, `rendered ${rendered} rows`);
  // Scrolling to the end shows the last household.
  await page.locator('[data-testid=register-scroll]').evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.locator('tr.vrow a', { hasText: /^4500$/ }).waitFor();
  // Filter: lives alone (an IndexedDB multi-entry index) narrows the list.
  await page.getByLabel('标记').selectOption('lives_alone');
  await page.waitForFunction(() => !/^4500 /.test(document.querySelector('[data-testid=result-count]').textContent));
  const alone = await count(page);
  assert.ok(alone > 100 && alone < 1500, `lives alone ${alone}`);
  // Add a tenure filter: intersection is smaller still.
  await page.getByLabel('产权').selectOption('tenant');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=result-count]').textContent.match(/\d+/)[0]) < n, alone);
  // Name search (the one search box also finds buildings, rooms and phone endings:
  // tests/e2e/register_search.test.mjs).
  await page.getByLabel('标记').selectOption('');
  await page.getByLabel('产权').selectOption('');
  await page.fill('[data-testid=name-search]', '王');
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=result-count]').textContent.match(/\d+/)[0]) < 4500);
  const wang = await page.locator('tr.vrow td:nth-child(3)').allTextContents();
  assert.ok(wang.length > 0 && wang.every((n) => n.includes('王')), `names ${wang.slice(0, 5)}`);
  await page.screenshot({ path: `${OUT}register.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('create, edit with validation, history, delete', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/register/new');
  await page.locator('form.household').waitFor();
  // Empty room and member name: errors next to the fields, nothing saved.
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=invalid]').waitFor();
  assert.ok((await page.locator('.field-error').count()) >= 2);
  await page.fill('#f-room', '1808');
  await page.fill('#f-contact_phone', 'abc');
  await page.locator('.member input[type=text]').first().fill('测试住户');
  await page.click('[data-testid=save]');
  await page.locator('.field-error', { hasText: '手机号' }).waitFor();
  await page.fill('#f-contact_phone', '13800000000');
  await page.click('[data-testid=save]');
  // Saved: the page moves to the new household's URL.
  await page.waitForURL(/#\/register\/4501$/);
  await page.locator('h1', { hasText: '#4501' }).waitFor();
  await page.reload();
  await page.locator('#f-room').waitFor();
  assert.equal(await page.inputValue('#f-room'), '1808');
  // Edit: change the room; history records create and update.
  await page.fill('#f-room', '1809');
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=saved]').waitFor();
  await page.locator('[data-testid=history] tbody tr').nth(1).waitFor();
  const history = await page.locator('[data-testid=history] tbody tr').allTextContents();
  // In words (issue #17, item 4): the action and the changed field, no codes.
  assert.match(history[0], /修改 · 修改了：房号/);
  assert.match(history[1], /新建/);
  assert.doesNotMatch(history.join(' '), /update|create|room/);
  await page.screenshot({ path: `${OUT}household.png`, fullPage: true });
  // Delete with confirmation.
  await page.getByRole('button', { name: '删除该住户' }).click();
  await page.click('[data-testid=confirm-delete]');
  await page.waitForURL(/#\/register$/);
  await page.goto(base + '#/register/4501');
  await page.locator('[role=alert]', { hasText: '找不到该住户' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
