// End-to-end, persona "new guide on a 1366×768 laptop" (issue #17, guide items 1–7), one
// whole working session in the order a guide meets them: the cockpit; a first
// publication (asked first: everything new); the register searched by building and room
// (kept in the URL across going back); a household's phone refused with 10 digits and
// saved with 11; the change history in words, in the community's time zone (the laptop is
// set to another zone); a request closed with a note and a confirmation; publishing
// again lists exactly what changed since the last period, with both values. Every view
// visited is checked with axe-core (no serious or critical violation) and screenshotted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, axeViolations, OUT } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

// `HH:MM` of `ms` in UTC+8 (the community's zone).
const cstMinute = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(11, 16);
const text = async (loc) => (await loc.textContent()).trim();

test('a new guide at 1366×768: cockpit, publish, search, household, history, request, publish again', async () => {
  // A laptop whose clock is set to Berlin: every time shown must still be Beijing time.
  const context = await env.browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Europe/Berlin', acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const found = [];
  let step = 0;
  const visit = async (label) => {
    found.push(...await axeViolations(page, `guide ${label}`));
    step += 1;
    await page.screenshot({ path: `${OUT}persona-guide-${step}-${label}.png` });
  };

  // 1. The cockpit of the demo community.
  await page.goto(env.base + '#/workspace');
  await waitForDemo(page);
  await visit('cockpit');
  // The keyboard focus on the green header is visible: outline contrast ≥ 3:1 (WCAG 1.4.11).
  for (let i = 0; i < 6 && !(await page.evaluate(() => !!document.activeElement?.closest('.top'))); i += 1) {
    await page.keyboard.press('Tab');
  }
  assert.ok(await page.evaluate(() => !!document.activeElement?.closest('.top')), 'Tab does not reach the header');
  const ring = await page.evaluate(() => {
    const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
      .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
    const el = document.activeElement;
    const bgEl = el.closest('.top');
    const st = getComputedStyle(el);
    const [a, b] = [lum(rgb(st.outlineColor)), lum(rgb(getComputedStyle(bgEl).backgroundColor))];
    return { ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), width: parseFloat(st.outlineWidth), style: st.outlineStyle };
  });
  assert.ok(ring.style !== 'none' && ring.width >= 2, `focus outline ${JSON.stringify(ring)}`);
  assert.ok(ring.ratio >= 3, `focus outline contrast ${ring.ratio.toFixed(2)}:1 on the header`);

  // 2. The first publication: asked first, everything is new.
  await page.goto(env.base + '#/');
  await page.frameLocator('[data-testid=preview]').locator('[data-testid=headline]').waitFor({ timeout: 60_000 });
  await page.fill('#public-url', 'https://example.org/community-a/');
  await page.click('[data-testid=publish]');
  await page.locator('[data-testid=publish-changes-first]').waitFor();
  await visit('publish-first-confirm');
  await page.click('[data-testid=publish-confirm-yes]');
  await page.locator('[data-testid=publish-status] .ok', { hasText: '已发布第 1 期' }).waitFor({ timeout: 60_000 });

  // 3. The register, searched by building and room; the search survives going back.
  await page.goto(env.base + '#/register/5');
  await page.locator('#f-room').waitFor({ timeout: 60_000 });
  const building = (await page.locator('#f-building option:checked').textContent()).trim();
  const room = await page.inputValue('#f-room');
  await page.goto(env.base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor({ timeout: 60_000 });
  const query = `${building} ${room}`;
  await page.fill('[data-testid=name-search]', query);
  const link = page.locator('tr.vrow a[href="#/register/5"]');
  await link.waitFor({ timeout: 10_000 });
  await page.waitForFunction((q) => decodeURIComponent(location.hash).includes(q), query);
  await visit('register-search');
  await link.click();
  await page.locator('#f-room').waitFor();
  await page.goBack();
  await page.locator('[data-testid=result-count]').waitFor();
  assert.equal(await page.inputValue('[data-testid=name-search]'), query, 'the search is kept when going back');
  await link.waitFor();

  // 4. The household's phone: 10 digits refused next to the field (focused), 11 saved.
  await page.goto(env.base + '#/register/5');
  await page.locator('#f-contact_phone').waitFor();
  await page.fill('#f-contact_phone', '1381234567');
  await page.click('[data-testid=save]');
  await page.locator('.field-error', { hasText: '手机号应为11位数字' }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'f-contact_phone');
  await visit('household-error');
  const phone = `139${String(Date.now() % 100_000_000).padStart(8, '0')}`;
  await page.fill('#f-contact_phone', phone);
  const savedFrom = Date.now();
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=saved]').waitFor();
  const savedTo = Date.now();

  // Radio buttons and check boxes are targets of at least 24×24 px (WCAG 2.5.8).
  const small = await page.evaluate(() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
    .filter((i) => i.offsetParent).map((i) => i.getBoundingClientRect()).filter((r) => r.width < 24 || r.height < 24)
    .map((r) => `${r.width}×${r.height}`));
  assert.deepEqual(small, [], 'small radio or check box targets');
  assert.ok(await page.locator('input[type=radio], input[type=checkbox]').count() > 0, 'the form has radios or check boxes');

  // 5. The change history: the edit on top, in words, at Beijing time.
  await page.goto(env.base + '#/history');
  await page.locator('[data-testid=history-count]').waitFor({ timeout: 60_000 });
  const top = page.locator('[data-testid=history] tbody tr').first();
  const cells = await top.locator('td').allTextContents();
  assert.ok([cstMinute(savedFrom), cstMinute(savedTo)].some((m) => cells[0].endsWith(m)), `time ${cells[0]} is not UTC+8 (${cstMinute(savedFrom)})`);
  assert.match(cells[2], /住户档案 #5/);
  assert.match(cells[3], /修改了：联系电话/);
  assert.doesNotMatch(cells.join(' '), /contact_phone|update|create/);
  await visit('history');

  // 6. A request: closing needs a note and a confirmation.
  await page.goto(env.base + '#/requests');
  const rows = page.locator('[data-testid=req-list] tbody tr');
  await rows.first().waitFor({ timeout: 60_000 });
  const openRow = rows.filter({ hasNot: page.locator('td.status', { hasText: /已办结|不予受理|重复诉求/ }) }).first();
  const id = Number(await openRow.getAttribute('data-id'));
  await openRow.locator('button').click();
  await page.locator('#req-detail-h', { hasText: `#${id}` }).waitFor();
  await page.waitForFunction(() => document.activeElement?.id === 'req-detail-h');
  const detail = page.locator('[data-testid=req-detail]');
  await detail.locator('#req-to').selectOption('closed');
  await detail.locator('#req-note').fill('已上门修好，住户确认');
  await detail.locator('[data-testid=req-move] button[type=submit]').click();
  await page.locator('[data-testid=req-confirm]').waitFor();
  await visit('request-confirm');
  await page.click('[data-testid=req-confirm-yes]');
  await page.waitForFunction(() => document.querySelector('[data-testid=req-status]')?.textContent.trim() === '已办结');

  // 7. Publishing again lists what changed since period 1: one more request closed.
  await page.goto(env.base + '#/');
  await page.locator('[data-testid=publish-facts]').waitFor({ timeout: 60_000 });
  await page.click('[data-testid=publish]');
  const changes = page.locator('[data-testid=publish-changes]');
  await changes.waitFor();
  assert.match(await text(page.locator('#publish-confirm-h')), /确认发布第 2 期/);
  const closedRow = changes.locator('tbody tr', { hasText: '已办结诉求' });
  assert.equal(await closedRow.count(), 1, await text(changes));
  const [from, to] = (await closedRow.locator('td').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
  assert.equal(to, from + 1, `closed requests ${from} → ${to}`);
  // Nothing that did not change is listed: the budget stayed the same.
  assert.equal(await changes.locator('tbody tr', { hasText: '本期资金' }).count(), 0);
  await visit('publish-changes');
  await page.click('[data-testid=publish-confirm-yes]');
  await page.locator('[data-testid=publish-status] .ok', { hasText: '已发布第 2 期' }).waitFor({ timeout: 60_000 });
  await visit('published');

  assert.deepEqual(found, [], found.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});
