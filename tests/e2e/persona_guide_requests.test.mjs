// End-to-end, persona "new guide on a 1366×768 laptop" (issue #17 item 1): the
// requests page. "处理" far down the list brings the detail into view and moves
// focus to its heading; closing needs a note (said next to the field) and a
// confirmation (cancel changes nothing); the note is in the history; moving to
// 已派单 needs an assignee, which is then recorded and shown, and the change
// history names the acting guide.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, OUT } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

const shot = (page, name) => page.screenshot({ path: `${OUT}persona-guide-requests-${name}.png`, fullPage: false });

// Clicks `click` and waits for a new message (a higher `data-seq`) in `[data-testid=<msg>]`;
// returns its text.
async function act(page, click, msg) {
  const sel = `[data-testid=${msg}]`;
  const seq = await page.evaluate((s) => Number(document.querySelector(s)?.dataset.seq ?? 0), sel);
  await click.click();
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.dataset.seq ?? 0) > n, [sel, seq]);
  return (await page.locator(sel).textContent()).trim();
}

// Whether the detail's heading has the focus and lies wholly inside the viewport.
async function headingFocusedInView(page) {
  return page.evaluate(() => {
    const h = document.getElementById('req-detail-h');
    if (!h) return { ok: false, why: 'no heading' };
    const r = h.getBoundingClientRect();
    return {
      ok: document.activeElement === h && r.top >= 0 && r.bottom <= window.innerHeight,
      focused: document.activeElement?.id ?? document.activeElement?.tagName,
      top: r.top, bottom: r.bottom, vh: window.innerHeight,
    };
  });
}

async function open(page, row) {
  const id = Number(await row.getAttribute('data-id'));
  await row.locator('button', { hasText: '处理' }).click();
  await page.locator('#req-detail-h', { hasText: `#${id}` }).waitFor();
  // The focus moves once the detail is drawn (next animation frame).
  try {
    await page.waitForFunction(() => document.activeElement?.id === 'req-detail-h', null, { timeout: 5_000 });
  } catch { /* reported by the assertion below */ }
  const where = await headingFocusedInView(page);
  assert.ok(where.ok, `the detail heading is not focused and in view: ${JSON.stringify(where)}`);
  return id;
}

const text = async (loc) => (await loc.textContent()).trim();

test('a guide at 1366×768 handles requests: focus, note, confirmation, assignee, history', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/requests');
  const rows = page.locator('[data-testid=req-list] tbody tr');
  await rows.first().waitFor();
  const n = await rows.count();
  assert.ok(n >= 10, `only ${n} requests listed`);

  // "处理" on the 20th row (well down the list, the detail another screen or more
  // below it): the detail heading is focused and visible.
  const last = rows.nth(Math.min(19, n - 1));
  await last.scrollIntoViewIfNeeded();
  const startY = await page.evaluate(() => window.scrollY);
  const id = await open(page, last);
  const detailTop = await page.evaluate(() => document.getElementById('req-detail-h').getBoundingClientRect().top + window.scrollY);
  assert.ok(detailTop > startY + 768 || detailTop < startY, 'the detail was already on screen: the test would prove nothing');
  await shot(page, '1-focused');

  const detail = page.locator('[data-testid=req-detail]');
  const status = detail.locator('[data-testid=req-status]');
  const history = detail.locator('[data-testid=req-history] li');
  const statusBefore = await text(status);
  const historyBefore = await history.count();
  assert.notEqual(statusBefore, '已办结');
  const submit = detail.locator('[data-testid=req-move] button[type=submit]');

  // Closing without a note: a message next to the note field, no confirmation, nothing changed.
  await detail.locator('#req-to').selectOption('closed');
  await detail.locator('#req-note').fill('   ');
  const refused = await act(page, submit, 'req-note-msg');
  assert.match(refused, /须写明备注/);
  assert.equal(await page.locator('[data-testid=req-confirm]').count(), 0);
  // Next to the field: inside the note's field box, right below the text area.
  const near = await page.evaluate(() => {
    const ta = document.getElementById('req-note').getBoundingClientRect();
    const m = document.querySelector('[data-testid=req-note-msg]').getBoundingClientRect();
    return m.top - ta.bottom;
  });
  assert.ok(near >= 0 && near < 80, `the message is ${near} px below the note field`);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'req-note');
  assert.equal(await text(status), statusBefore);
  assert.equal(await history.count(), historyBefore);
  await shot(page, '2-note-required');

  // With a note: a confirmation says what will happen; cancel changes nothing.
  const note = `住户已自行修好，电话确认 ${Date.now() % 1000}`;
  await detail.locator('#req-note').fill(note);
  await submit.click();
  const dialog = page.locator('[role=alertdialog][data-testid=req-confirm]');
  await dialog.waitFor();
  assert.match(await text(dialog), new RegExp(`#${id}.*已办结`));
  assert.ok((await text(dialog)).includes(note), 'the confirmation shows the note');
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'req-confirm-no');
  await shot(page, '3-confirm');
  // Keyboard: Escape cancels.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await text(status), statusBefore);
  assert.equal(await history.count(), historyBefore);
  // Cancel button too.
  await submit.click();
  await dialog.waitFor();
  assert.match(await act(page, dialog.locator('[data-testid=req-confirm-no]'), 'req-move-msg'), /已取消/);
  assert.equal(await dialog.count(), 0);
  assert.equal(await text(status), statusBefore);
  assert.equal(await history.count(), historyBefore);

  // Confirm (from the keyboard: Tab back to the confirm button, Enter): closed, the note in the history.
  await submit.click();
  await dialog.waitFor();
  await page.waitForFunction(() => document.activeElement?.dataset.testid === 'req-confirm-no');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'req-confirm-yes');
  const seq = await page.evaluate(() => Number(document.querySelector('[data-testid=req-move-msg]')?.dataset.seq ?? 0));
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=req-move-msg]')?.dataset.seq ?? 0) > n, seq);
  assert.match(await text(page.locator('[data-testid=req-move-msg]')), /状态已改为：已办结/);
  await page.waitForFunction(() => document.querySelector('[data-testid=req-status]').textContent.trim() === '已办结');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=req-history] li').length === n, historyBefore + 1);
  const lastEntry = history.last();
  assert.match(await text(lastEntry), /已办结/);
  assert.equal(await text(lastEntry.locator('[data-testid=req-history-note]')), note);
  // As text, never markup.
  assert.equal(await lastEntry.locator('[data-testid=req-history-note] *').count(), 0);
  await shot(page, '4-closed');

  // 已派单 needs an assignee. A request still 已受理 (received).
  const received = rows.filter({ has: page.locator('td.status', { hasText: '已受理' }) }).last();
  await received.scrollIntoViewIfNeeded();
  const id2 = await open(page, received);
  assert.notEqual(id2, id);
  const before2 = await history.count();
  const assigneeBefore = await text(detail.locator('[data-testid=req-assignee]'));
  await detail.locator('#req-to').selectOption('assigned');
  assert.match(await act(page, submit, 'req-move-assignee-msg'), /须选择负责人/);
  assert.equal(await text(status), '已受理');
  assert.equal(await history.count(), before2);
  assert.equal(await text(detail.locator('[data-testid=req-assignee]')), assigneeBefore);
  await shot(page, '5-assignee-required');
  const options = await detail.locator('#req-move-assignee option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
  assert.ok(options.length > 0, 'no guide on the roster');
  const guide = options[0];
  await detail.locator('#req-move-assignee').selectOption(guide);
  assert.match(await act(page, submit, 'req-move-msg'), /状态已改为：已派单/);
  await page.waitForFunction(() => document.querySelector('[data-testid=req-status]').textContent.trim() === '已派单');
  await page.waitForFunction((g) => document.querySelector('[data-testid=req-assignee]').textContent.trim() === g, guide);
  assert.equal(await history.count(), before2 + 1);
  await shot(page, '6-assigned');

  // The change history: the status change of request #id2, by the acting guide, with its assignee.
  await page.goto(base + '#/history');
  await page.locator('[data-testid=history-count]').waitFor();
  const entry = page.locator('[data-testid=history] tbody tr[data-entity=requests][data-action=status]').first();
  await entry.waitFor();
  const cells = await entry.locator('td').allTextContents();
  assert.ok(cells.some((c) => c.includes(`#${id2}`)) || (await text(entry)).includes(String(id2)), `not request #${id2}: ${cells}`);
  const acting = cells[1].trim();
  assert.ok(acting.length > 0, 'no acting guide named');
  assert.notEqual(acting, '系统');
  assert.ok(options.includes(acting), `the actor ${acting} is not a guide on the roster ${options}`);
  assert.ok(cells.at(-1).includes(guide), `the assignee is not in the entry: ${cells}`);
  assert.ok(cells.at(-1).includes('assigned') || cells.at(-1).includes('已派单'), cells.at(-1));
  await shot(page, '7-history');

  assert.deepEqual(errors, []);
  await context.close();
});
