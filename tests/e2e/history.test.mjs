// The whole change history (#/history, issue #16): every write named, in the
// community's time zone (UTC+8) whatever the device's zone, record types and
// changed fields in words, filters, CSV export; a demo reload and a restore
// from a backup are entries themselves, and a restore keeps the backup's history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { start, waitForDemo, OUT, exportBackup, chooseBackup } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

// `YYYY-MM-DD HH:MM` of `ms` in UTC+8 (the community's zone).
const cst = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const rows = (page) => page.locator('[data-testid=history] tbody tr');

test('change history: named, UTC+8, in words, filtered, exported; reload and restore recorded', async () => {
  const browser = env.browser;
  // A device in New York: times must still read as Beijing time.
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'America/New_York', acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(env.base + '#/workspace');
  await waitForDemo(page);

  // Change one household's phone and room.
  await page.goto(env.base + '#/register/3');
  await page.locator('#f-room').waitFor({ timeout: 60_000 });
  const before = Date.now();
  await page.fill('#f-room', '2718');
  await page.fill('#f-contact_phone', '13912345678');
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=saved]').waitFor();
  const after = Date.now();
  const own = page.locator('[data-testid=history] tbody tr').first();
  await own.waitFor();
  const ownText = await own.textContent();
  assert.match(ownText, /房号/, 'changed fields in words on the household page');
  assert.doesNotMatch(ownText, /contact_phone|update|room/, 'a field or action code shown');

  // The whole history: the entry on top, named, in UTC+8, with a link to the household.
  await page.click('a[href="#/history"]');
  await page.locator('[data-testid=history-count]').waitFor({ timeout: 60_000 });
  const top = rows(page).first();
  const cells = await top.locator('td').allTextContents();
  assert.ok([cst(before), cst(after)].includes(cells[0]), `time ${cells[0]} is not UTC+8 (${cst(before)})`);
  assert.ok(cells[1].trim().length > 0, 'no guide named');
  assert.match(cells[2], /住户档案 #3/);
  assert.match(cells[3], /修改/);
  assert.match(cells[3], /联系电话/);
  assert.match(cells[3], /房号/);
  assert.equal(await top.locator('a[href="#/register/3"]').count(), 1);
  const guide = cells[1].trim();
  const total = Number((await page.locator('[data-testid=history-count]').textContent()).match(/\d+/)[0]);
  assert.ok(total >= 1);

  // Filters: one record type; a guide; an empty day range; a reversed range is refused next to the field.
  await page.selectOption('[data-testid=history-store]', 'households');
  const types = await rows(page).evaluateAll((rs) => rs.map((r) => r.dataset.entity));
  assert.ok(types.length > 0 && types.every((t) => t === 'households'), `other types shown: ${types}`);
  await page.selectOption('[data-testid=history-store]', '');
  await page.selectOption('[data-testid=history-guide]', guide);
  const who = await rows(page).evaluateAll((rs) => rs.map((r) => r.children[1].textContent.trim()));
  assert.ok(who.every((w) => w === guide));
  await page.fill('[data-testid=history-from]', '2001-01-02');
  await page.fill('[data-testid=history-to]', '2001-01-01');
  await page.locator('#history-to-e', { hasText: '截止日期不能早于起始日期' }).waitFor();
  assert.equal(await page.getAttribute('[data-testid=history-to]', 'aria-invalid'), 'true');
  await page.locator('[data-testid=history-none]').waitFor();
  await page.fill('[data-testid=history-from]', '');
  await page.fill('[data-testid=history-to]', '');
  await page.selectOption('[data-testid=history-guide]', '');
  await rows(page).first().waitFor();

  // The export: BOM, a header and the same entries (formula cells neutralised by the domain's tests).
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=history-export]')]);
  const csvPath = `${OUT}history.csv`;
  await dl.saveAs(csvPath);
  const csv = await readFile(csvPath, 'utf8');
  assert.ok(csv.startsWith('\ufeff"时间","操作人"'), csv.slice(0, 40));
  assert.equal(csv.trim().split('\r\n').length, total + 1);
  assert.ok(csv.includes(`"${cst(before)}"`) || csv.includes(`"${cst(after)}"`));
  await page.screenshot({ path: `${OUT}history.png`, fullPage: false });

  // A backup, then a demo reload: the reload is an entry, by the guide.
  await page.goto(env.base + '#/settings');
  const backup = `${OUT}history-backup.json.age`;
  await exportBackup(page, backup);
  await page.click('[data-testid=demo-reload]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('p.ok', { hasText: '已保存' }).waitFor({ timeout: 60_000 });
  await page.goto(env.base + '#/history');
  await page.locator('[data-testid=history-count]').waitFor();
  assert.equal(await rows(page).first().getAttribute('data-action'), 'reset_demo');
  assert.match(await rows(page).first().textContent(), /重新载入演示社区/);
  assert.equal(await page.locator('[data-testid=history] tr', { hasText: '住户档案 #3' }).count(), 0, 'the reload replaced the history');

  // Restore the backup: its history is back (the household edit) and the restore is on top.
  await page.goto(env.base + '#/settings');
  assert.equal(await chooseBackup(page, backup), 'age');
  await page.locator('[data-testid=restore-valid]').waitFor({ timeout: 60_000 });
  await page.click('[data-testid=restore-confirm]');
  await page.locator('[data-testid=restore-done]').waitFor({ timeout: 60_000 });
  await page.goto(env.base + '#/history');
  await page.locator('[data-testid=history-count]').waitFor();
  const first = rows(page).first();
  assert.equal(await first.getAttribute('data-action'), 'restore');
  assert.match(await first.textContent(), /从备份恢复/);
  assert.equal(await first.locator('td').nth(1).textContent(), guide);
  await page.locator('[data-testid=history] tr', { hasText: '住户档案 #3' }).first().waitFor();
  // Every word in the chosen language (no codes such as `update`, `system`, `demo`),
  // and times on one line.
  const table = await page.locator('[data-testid=history]').textContent();
  assert.doesNotMatch(table, /[A-Za-z]{3,}/, `a code or English word in the Chinese history: ${table.match(/[A-Za-z]{3,}/)}`);
  const timeLines = await rows(page).first().locator('td').first().evaluate((td) => {
    const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length;
  });
  assert.equal(timeLines, 1, 'the time wraps');
  await page.screenshot({ path: `${OUT}history-restored.png`, fullPage: false });

  assert.deepEqual(errors, []);
  await context.close();
});
