// The household form (issue #17, item 2) on a guide's 1366×768 laptop: a Chinese
// mobile needs 11 digits, the first error is scrolled to and focused (not hidden
// behind the sticky save bar), and a second household at one building-unit-room is
// warned about, with a link to the other, and saved only when the guide confirms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, OUT } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

test('household form: phone rules, first error focused in view, duplicate address warned', async () => {
  const { context, page, errors } = await env.newPage({ width: 1366, height: 768 });
  await page.goto(env.base + '#/workspace');
  await waitForDemo(page);

  // The address of household 4, to copy onto household 3.
  await page.goto(env.base + '#/register/4');
  await page.locator('#f-room').waitFor({ timeout: 60_000 });
  const other = {
    building: await page.inputValue('#f-building'),
    unit: await page.inputValue('#f-unit'),
    room: await page.inputValue('#f-room'),
  };

  await page.goto(env.base + '#/register/3');
  await page.locator('#f-room').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  // A 10-digit "mobile" is refused next to its field; the field is focused and in view.
  for (const [typed, message] of [['1381234567', '手机号应为11位数字'], ['010-1234567', '带区号的座机号']]) {
    await page.fill('#f-contact_phone', typed);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.click('[data-testid=save]');
    await page.locator('.field-error', { hasText: message }).waitFor();
    await page.waitForFunction(() => document.activeElement?.id === 'f-contact_phone');
    const box = await page.locator('#f-contact_phone').boundingBox();
    const bar = await page.locator('.actions.sticky').boundingBox();
    assert.ok(box.y >= -1 && box.y + box.height <= bar.y, `the field (${box.y}) is hidden behind the save bar (${bar.y})`);
    assert.equal(await page.getAttribute('#f-contact_phone', 'aria-invalid'), 'true');
  }
  await page.screenshot({ path: `${OUT}household-phone-error.png` });
  // Fixed lines with an area code and spaced mobiles are accepted.
  await page.fill('#f-contact_phone', '0571-8765 4321');
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=saved]').waitFor();
  assert.equal(await page.locator('.field-error').count(), 0);

  // Household 3 moved to household 4's address: warned with a link to #4, not saved.
  await page.selectOption('#f-building', other.building);
  await page.fill('#f-unit', other.unit);
  await page.fill('#f-room', ` ${other.room.toUpperCase()} `);
  await page.click('[data-testid=save]');
  const warning = page.locator('[data-testid=duplicate-address]');
  await warning.waitFor();
  assert.equal(await warning.locator('a[href="#/register/4"]').count(), 1);
  await page.screenshot({ path: `${OUT}household-duplicate.png` });
  await page.reload();
  await page.locator('#f-room').waitFor();
  assert.notEqual(await page.inputValue('#f-room'), ` ${other.room.toUpperCase()} `, 'saved without confirmation');
  // Confirmed: saved.
  await page.selectOption('#f-building', other.building);
  await page.fill('#f-unit', other.unit);
  await page.fill('#f-room', other.room);
  await page.click('[data-testid=save]');
  await warning.waitFor();
  await page.click('[data-testid=save-anyway]');
  await page.locator('[data-testid=saved]').waitFor();
  await page.reload();
  await page.locator('#f-room').waitFor();
  assert.equal(await page.inputValue('#f-room'), other.room);
  assert.deepEqual(errors, []);
  await context.close();
});
