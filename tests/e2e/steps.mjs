// Steps of a guide's work shared by the sync tests (sync files, CouchDB): edit a
// household, add one, read values, earn and redeem points, count the register.
// `steps(base)` takes a function giving the app's base URL (known once the harness runs).
import assert from 'node:assert/strict';

export function steps(base) {
  async function edit(page, id, fields) {
    await page.goto(base() + `#/register/${id}`);
    await page.locator('#f-room').waitFor({ timeout: 60_000 });
    for (const [sel, value] of Object.entries(fields)) {
      const tag = await page.locator(sel).evaluate((e) => e.tagName);
      if (tag === 'SELECT') await page.selectOption(sel, value);
      else await page.fill(sel, value);
    }
    await page.click('[data-testid=save]');
    await page.locator('[data-testid=saved]').waitFor();
  }

  async function addHousehold(page, name, phone) {
    await page.goto(base() + '#/register/new');
    await page.locator('form.household').waitFor({ timeout: 60_000 });
    await page.fill('#f-room', '1808');
    await page.fill('#f-contact_phone', phone);
    await page.locator('.member input[type=text]').first().fill(name);
    await page.click('[data-testid=save]');
    await page.waitForURL(/#\/register\/\d+$/, { timeout: 60_000 });
    return Number(page.url().match(/(\d+)$/)[1]);
  }

  async function values(page, id) {
    await page.goto(base() + `#/register/${id}`);
    await page.locator('#f-room').waitFor({ timeout: 60_000 });
    return { notes: await page.inputValue('#f-notes'), phone: await page.inputValue('#f-contact_phone') };
  }

  // Participation (as in participation.test.mjs): a message with a higher data-seq.
  async function act(page, click, msg) {
    const sel = `[data-testid=${msg}]`;
    const seq = await page.evaluate((q) => Number(document.querySelector(q)?.dataset.seq ?? 0), sel);
    await page.click(click);
    await page.waitForFunction(([q, n]) => Number(document.querySelector(q)?.dataset.seq ?? 0) > n, [sel, seq]);
    return (await page.locator(sel).textContent()).trim();
  }

  async function openParticipation(page) {
    await page.goto(base() + '#/participation');
    await page.locator('[data-testid=part-overall]').waitFor({ timeout: 60_000 });
  }

  async function balanceOf(page, hid) {
    await page.fill('#ledger-household', String(hid));
    const text = await page.locator('[data-testid=ledger-balance]').textContent();
    return Number(text.match(/余额：(-?\d+) 分/)[1]);
  }

  // Waits until the ledger shows `expected` for `hid` (views update a moment after a write).
  async function expectBalance(page, hid, expected) {
    await page.fill('#ledger-household', String(hid));
    await page.locator('[data-testid=ledger-balance]', { hasText: `余额：${expected} 分` }).waitFor({ timeout: 10_000 })
      .catch(async () => assert.equal(await balanceOf(page, hid), expected));
  }

  async function addActivity(page, title, channelIndex, attendance) {
    await page.fill('#act-title', title);
    await page.fill('#act-date', '2026-11-20');
    await page.selectOption('#act-channel', String(channelIndex));
    await page.fill('#act-hours', '1.5');
    await page.fill('#act-attendance', attendance.join(' '));
    const text = await act(page, '[data-testid=part-activity-form] button[type=submit]', 'part-activity-msg');
    return Number(text.match(/编号 (\d+)/)[1]);
  }

  async function earn(page, activityId) {
    await page.selectOption('[data-testid=earn-activity]', String(activityId));
    await page.locator('[data-testid=earn-attendance]').waitFor();
    return act(page, '[data-testid=earn-submit]', 'earn-msg');
  }

  async function redeemVoucher(page, hid) {
    await openParticipation(page);
    await page.fill('#redeem-household', String(hid));
    await page.selectOption('#redeem-item', 'canteen_voucher');
    return act(page, '[data-testid=redeem-form] button[type=submit]', 'redeem-msg');
  }

  // The register's number of households.
  async function householdCount(page) {
    await page.goto(base() + '#/register');
    const count = page.locator('[data-testid=result-count]');
    await count.waitFor({ timeout: 60_000 });
    return Number((await count.textContent()).match(/\d+/)[0]);
  }

  const memberName = async (page, id) => {
    await page.goto(base() + `#/register/${id}`);
    await page.locator('#f-room').waitFor({ timeout: 60_000 });
    return page.locator('.member input[type=text]').first().inputValue();
  };

  return { edit, addHousehold, values, act, openParticipation, balanceOf, expectBalance, addActivity, earn,
    redeemVoucher, householdCount, memberName };
}
