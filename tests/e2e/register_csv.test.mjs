// End-to-end: register CSV export → Excel-style edits → import (refused with
// row/column/reason and nothing written; accepted and saved; cancelled).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { start, waitForDemo, OUT } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

const count = async (page) => Number((await page.locator('[data-testid=result-count]').textContent()).match(/\d+/)[0]);

async function exportCsv(page) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv-export]')]);
  const file = `${OUT}households.csv`;
  await download.saveAs(file);
  return readFile(file);
}

// Splits the exported CSV into lines (no cell of the demo contains a newline).
const lines = (buf) => buf.toString('utf8').replace(/^\uFEFF/, '').split('\r\n').filter((l) => l.length > 0);

test('export is Excel-ready; a bad row refuses the whole import; a good file is saved', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  const buf = await exportCsv(page);
  assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  const rows = lines(buf);
  assert.equal(rows.length, 4501);
  assert.match(rows[0], /^户编号,网格,楼栋/);

  // Row 3 (Excel numbering) gets a birth year in the future: everything is refused.
  const cells = rows[2].split(',');
  const header = rows[0].split(',');
  const by = header.indexOf('成员1出生年份');
  assert.ok(by > 0);
  cells[by] = '2099';
  const bad = ['\uFEFF' + rows[0], rows[1], cells.join(','), ...rows.slice(3)].join('\r\n') + '\r\n';
  await writeFile(`${OUT}bad.csv`, bad);
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}bad.csv`);
  const refused = page.locator('[data-testid=csv-refused]');
  await refused.waitFor({ timeout: 60_000 });
  const text = await refused.textContent();
  assert.match(text, /出生年份晚于今年/);
  const first = await refused.locator('tbody tr').first().locator('td').allTextContents();
  assert.equal(first[0], '3');
  assert.equal(first[1], '成员1出生年份');
  assert.equal(await count(page), 4500);

  // A new household appended with a fresh number: imported and saved.
  const fresh = rows[1].split(',');
  fresh[0] = '9001';
  const good = ['\uFEFF' + rows[0], ...rows.slice(1), fresh.join(',')].join('\r\n') + '\r\n';
  await writeFile(`${OUT}good.csv`, good);
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}good.csv`);
  await page.locator('[data-testid=csv-done]').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => /^4501/.test(document.querySelector('[data-testid=result-count]').textContent));
  await page.screenshot({ path: `${OUT}register-import.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('an import never overwrites a registered household silently: the guide picks each update', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  const rows = lines(await exportCsv(page));
  const header = rows[0].split(',');
  const phone = header.indexOf('联系电话');
  assert.ok(phone > 0);
  const before = await count(page);
  // Two registered households change their phone; one new household; the rest as exported.
  const edit = (i, value) => { const c = rows[i].split(','); c[phone] = value; return c; };
  const a = edit(5, '13911112222');
  const b = edit(9, '13933334444');
  const fresh = rows[1].split(',');
  fresh[0] = '9501';
  const body = rows.slice(1).map((r, i) => (i === 4 ? a.join(',') : i === 8 ? b.join(',') : r));
  await writeFile(`${OUT}update.csv`, ['\uFEFF' + rows[0], ...body, fresh.join(',')].join('\r\n') + '\r\n');
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}update.csv`);
  const review = page.locator('[data-testid=csv-review]');
  await review.waitFor({ timeout: 60_000 });
  // Only the two changed households are listed, with the changed field, none chosen.
  const listed = await review.locator('[data-testid=csv-review-row]').evaluateAll((rs) => rs.map((r) => r.dataset.id));
  assert.deepEqual(listed.sort(), [a[0], b[0]].sort());
  assert.match(await review.textContent(), /联系电话/);
  assert.match(await review.textContent(), /新增 1 户/);
  assert.equal(await review.locator('input[type=checkbox]:checked').count(), 0);
  // Nothing is written while the guide decides.
  assert.equal(await count(page), before);
  // Choose only the first (by keyboard), then import.
  await review.locator(`#csv-upd-${a[0]}`).focus();
  await page.keyboard.press('Space');
  await page.locator('[data-testid=csv-review-count]').filter({ hasText: '将更新 1 户，保持原样 1 户' }).waitFor();
  await page.screenshot({ path: `${OUT}register-import-review.png` });
  await page.click('[data-testid=csv-review-go]');
  const done = page.locator('[data-testid=csv-done]');
  await done.waitFor({ timeout: 60_000 });
  assert.match(await done.textContent(), /未选更新、保持原样 1 户/);
  await page.waitForFunction((n) => new RegExp(`^${n}`).test(document.querySelector('[data-testid=result-count]').textContent), before + 1);
  // The register now has A's new phone, B's old one.
  const after = lines(await exportCsv(page)).map((r) => r.split(','));
  const byId = new Map(after.map((c) => [c[0], c]));
  assert.equal(byId.get(a[0])[phone], '13911112222');
  assert.equal(byId.get(b[0])[phone], rows[9].split(',')[phone]);
  assert.ok(byId.has('9501'));
  // The same file again with nothing chosen: no change at all ("cancel" writes nothing either).
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}update.csv`);
  await review.waitFor({ timeout: 60_000 });
  assert.deepEqual(await review.locator('[data-testid=csv-review-row]').evaluateAll((rs) => rs.map((r) => r.dataset.id)), [b[0]]);
  await page.click('[data-testid=csv-review-drop]');
  await page.locator('[data-testid=csv-cancelled]').waitFor();
  const again = new Map(lines(await exportCsv(page)).map((r) => [r.split(',')[0], r.split(',')]));
  assert.equal(again.get(b[0])[phone], rows[9].split(',')[phone]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 100,000-household import shows progress, can be cancelled, and when run writes all rows', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  const rows = lines(await exportCsv(page));
  const body = rows.slice(1);
  const big = ['\uFEFF' + rows[0]];
  for (let i = 0; big.length <= 100_000; i++) {
    const c = body[i % body.length].split(',');
    c[0] = String(10_000 + big.length);
    big.push(c.join(','));
  }
  await writeFile(`${OUT}big.csv`, big.join('\r\n') + '\r\n');

  // Cancel while checking: nothing is written.
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}big.csv`);
  await page.locator('[data-testid=csv-progress]').waitFor();
  await page.click('[data-testid=csv-cancel]');
  await page.locator('[data-testid=csv-cancelled]').waitFor();
  assert.equal(await count(page), 4500);

  // Run it to the end and time it.
  const t0 = Date.now();
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}big.csv`);
  await page.locator('[data-testid=csv-done]').waitFor({ timeout: 180_000 });
  console.log(`FIGURE csv_import_100k_ms ${Date.now() - t0}`);
  await page.waitForFunction(() => /^104500/.test(document.querySelector('[data-testid=result-count]').textContent), null, { timeout: 120_000 });
  assert.deepEqual(errors, []);
  await context.close();
});
