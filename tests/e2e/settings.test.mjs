// End-to-end: the settings that reach the public, edited on #/settings — points
// earning rules (99 per meeting, kept after a reload and used by the points bank),
// the redemption catalogue (an item redeemed until it runs out, refused, restocked
// through a logged stock event, redeemed again), indicator targets, plan rules and
// minimum cell sizes. Bad input shows the rule next to the field and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, readStore } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

async function openSettings(page) {
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=points-rules] #rules-deliberation').waitFor();
}

// Clicks `click` and waits for a new message (a higher `data-seq`) in `[data-testid=<msg>]`;
// returns its text.
async function act(page, click, msg) {
  const sel = `[data-testid=${msg}]`;
  const seq = await page.evaluate((s) => Number(document.querySelector(s)?.dataset.seq ?? 0), sel);
  await (typeof click === 'string' ? page.click(click) : click.click());
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.dataset.seq ?? 0) > n, [sel, seq]);
  return (await page.locator(sel).textContent()).trim();
}

// Reads records straight from IndexedDB (layout: {key fields…, _json}).

async function setting(page, key) {
  const s = (await readStore(page, 'settings')).find((x) => x.key === key);
  return s ? s.value : null;
}

test('points rules: 99 per meeting is saved, shown after a reload and used; bad input writes nothing', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  assert.equal(await page.inputValue('#rules-deliberation'), '10');
  const before = await setting(page, 'points_rules');
  const audits = (await readStore(page, 'audit_log')).length;

  // Bad input: letters, and a number past the rule. The rule is named next to the field.
  await page.fill('#rules-deliberation', 'abc');
  await page.fill('#rules-skill', '1001');
  assert.match(await act(page, '[data-testid=rules-save]', 'rules-msg'), /未保存/);
  assert.match(await page.locator('[data-testid=rules-deliberation-error]').textContent(), /0 至 1000 的整数/);
  assert.match(await page.locator('[data-testid=rules-skill-error]').textContent(), /0 至 1000 的整数/);
  assert.equal(await page.locator('#rules-deliberation').getAttribute('aria-invalid'), 'true');
  assert.equal(await setting(page, 'points_rules'), before, 'nothing written');
  assert.equal((await readStore(page, 'audit_log')).length, audits);

  // 99 per meeting.
  await page.fill('#rules-deliberation', '99');
  await page.fill('#rules-skill', '15');
  assert.match(await act(page, '[data-testid=rules-save]', 'rules-msg'), /积分规则已保存/);
  assert.deepEqual(JSON.parse(await setting(page, 'points_rules')),
    { deliberation_per_meeting: 99, volunteering_per_hour: 5, skill_sharing_per_session: 15 });
  const log = await readStore(page, 'audit_log');
  assert.equal(log.length, audits + 1);
  assert.match(log.at(-1).summary, /points_rules/);

  await page.reload();
  await page.locator('[data-testid=points-rules] #rules-deliberation').waitFor();
  await page.waitForFunction(() => document.querySelector('#rules-deliberation').value === '99');
  assert.equal(await page.inputValue('#rules-volunteering'), '5');

  // The points bank earns by the saved rule.
  await page.goto(base + '#/participation');
  await page.locator('[data-testid=part-overall]').waitFor();
  assert.match(await page.locator('[data-page=participation]').textContent(), /议事每次 99 分/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('catalogue: an item redeemed until it runs out is refused, restocked through a logged event, and redeemed again', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);

  // A household with points to spend.
  const ledger = await readStore(page, 'points_ledger');
  const bal = new Map();
  for (const e of ledger) bal.set(e.household_id, (bal.get(e.household_id) ?? 0) + e.delta);
  const hid = [...bal.entries()].find(([, b]) => b >= 10)?.[0];
  assert.ok(hid, 'a household with at least 10 points');

  const catalogue0 = await setting(page, 'points_catalogue');
  // Add an item with one unit. Bad input first: a code with capitals and no name.
  await page.click('[data-testid=cat-add]');
  await page.fill('#cat-code', 'Haircut');
  await page.fill('#cat-cost', '2');
  await page.fill('#cat-stock', '1');
  assert.match(await act(page, '[data-testid=cat-save]', 'cat-msg'), /未保存/);
  assert.match(await page.locator('[data-testid=cat-code-error]').textContent(), /小写字母、数字或下划线/);
  assert.match(await page.locator('[data-testid=cat-name-zh-error]').textContent(), /中文名称必填/);
  assert.equal(await setting(page, 'points_catalogue'), catalogue0, 'nothing written');
  await page.fill('#cat-code', 'haircut');
  await page.fill('#cat-name-zh', '社区理发券');
  await page.fill('#cat-name-en', 'Haircut voucher');
  assert.match(await act(page, '[data-testid=cat-save]', 'cat-msg'), /兑换目录已保存/);
  await page.locator('[data-testid=cat-stock-haircut]', { hasText: '1' }).waitFor();

  // Redeem it: the one unit goes, the next redemption is refused.
  await page.goto(base + '#/participation');
  await page.locator('[data-testid=part-overall]').waitFor();
  await page.locator('[data-testid=catalogue] tr[data-code=haircut]').waitFor();
  await page.fill('#redeem-household', String(hid));
  await page.selectOption('#redeem-item', 'haircut');
  assert.match(await act(page, '[data-testid=redeem-form] button[type=submit]', 'redeem-msg'), /已兑换/);
  await page.waitForFunction(() => document.querySelector('[data-testid=catalogue] tr[data-code=haircut] .stock')?.textContent.trim() === '0');
  assert.match(await act(page, '[data-testid=redeem-form] button[type=submit]', 'redeem-msg'), /无库存.*补货/);

  // Restock it in the settings: 0 units is refused next to the field, nothing written.
  await page.click('[data-testid=catalogue-edit-link]');
  await page.locator('[data-testid=cat-row-haircut]').waitFor();
  assert.match(await page.locator('[data-testid=cat-row-haircut]').textContent(), /已兑完/);
  const exhausted = await setting(page, 'points_catalogue');
  await page.click('[data-testid=cat-restock-haircut]');
  await page.fill('#cat-units', '0');
  assert.match(await act(page, '[data-testid=cat-save]', 'cat-msg'), /未保存/);
  assert.match(await page.locator('[data-testid=cat-units-error]').textContent(), /每次补货 1 至 100000 份/);
  assert.equal(await setting(page, 'points_catalogue'), exhausted);
  await page.fill('#cat-units', '5');
  await page.fill('#cat-reason', '第二批理发券');
  assert.match(await act(page, '[data-testid=cat-save]', 'cat-msg'), /兑换目录已保存/);
  await page.locator('[data-testid=cat-stock-haircut]', { hasText: '5' }).waitFor();
  const logRow = page.locator('[data-testid=stock-log] tbody tr').first();
  assert.match(await logRow.textContent(), /社区理发券.*补货.*\+5.*0 → 5.*第二批理发券/);

  // The stock log in the setting: appended, with who and when.
  const cat = JSON.parse(await setting(page, 'points_catalogue'));
  assert.deepEqual(cat.stock_log.map((e) => [e.id, e.item, e.kind, e.delta, e.stock_before, e.stock_after]),
    [[1, 'haircut', 'added', 1, 0, 1], [2, 'haircut', 'restock', 5, 0, 5]]);
  assert.ok(cat.stock_log.every((e) => e.actor && e.at > 0));
  assert.equal(cat.items.find((i) => i.code === 'canteen_voucher').stock, 200, 'other items untouched');

  // Redeemed again.
  await page.goto(base + '#/participation');
  await page.locator('[data-testid=part-overall]').waitFor();
  await page.fill('#redeem-household', String(hid));
  await page.selectOption('#redeem-item', 'haircut');
  assert.match(await act(page, '[data-testid=redeem-form] button[type=submit]', 'redeem-msg'), /已兑换/);
  await page.waitForFunction(() => document.querySelector('[data-testid=catalogue] tr[data-code=haircut] .stock')?.textContent.trim() === '4');
  assert.deepEqual(errors, []);
  await context.close();
});

test('indicator targets, plan rules and minimum cell sizes: rules beside the fields, saved values kept', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  const [targets0, rules0, cells0] = [await setting(page, 'indicator_targets'), await setting(page, 'plan_rules'), await setting(page, 'disclosure')];

  // Targets: each field in its unit; "7o" is refused, 70 % is stored as 7000 basis points, empty is no target.
  assert.equal(await page.inputValue('#target-participation'), '60');
  assert.match(await page.locator('[data-testid=targets-editor]').textContent(), /居民参与率.*%/);
  await page.fill('#target-participation', '7o');
  assert.match(await act(page, '[data-testid=targets-save]', 'targets-msg'), /未保存/);
  assert.match(await page.locator('[data-testid=target-participation-error]').textContent(), /最多 2 位小数/);
  assert.equal(await setting(page, 'indicator_targets'), targets0);
  await page.fill('#target-participation', '70');
  await page.fill('#target-resolution_time', '48');
  await page.fill('#target-cost_benefit', '');
  assert.match(await act(page, '[data-testid=targets-save]', 'targets-msg'), /指标目标值已保存/);
  const targets = JSON.parse(await setting(page, 'indicator_targets'));
  assert.equal(targets.participation, 7000);
  assert.equal(targets.resolution_time, 48);
  assert.equal(targets.cost_benefit, null);
  assert.equal(targets.utilisation, 8500);

  // Plan rules: a notice of 0 days is refused; 10 days and 20 % are kept.
  await page.fill('#plan-notice-days', '0');
  assert.match(await act(page, '[data-testid=plan-rules-save]', 'plan-rules-msg'), /未保存/);
  assert.match(await page.locator('[data-testid=plan-notice-days-error]').textContent(), /1 至 366/);
  assert.equal(await setting(page, 'plan_rules'), rules0);
  await page.fill('#plan-notice-days', '10');
  await page.fill('#plan-renotice', '20');
  assert.match(await act(page, '[data-testid=plan-rules-save]', 'plan-rules-msg'), /已保存/);
  assert.deepEqual(JSON.parse(await setting(page, 'plan_rules')), { notice_days: 10, renotice_above_bp: 2000 });

  // Minimum cell sizes: never below 5 and 10, and the page says why.
  assert.match(await page.locator('[data-testid=disclosure-editor]').textContent(), /不得低于 5.*推断出是谁/);
  await page.fill('#min-cell', '3');
  await page.fill('#min-cell-sensitive', '8');
  assert.match(await act(page, '[data-testid=disclosure-save]', 'disclosure-msg'), /未保存/);
  assert.match(await page.locator('[data-testid=min-cell-error]').textContent(), /5 至 1000/);
  assert.match(await page.locator('[data-testid=min-cell-sensitive-error]').textContent(), /10 至 1000/);
  assert.equal(await setting(page, 'disclosure'), cells0);
  await page.fill('#min-cell', '6');
  await page.fill('#min-cell-sensitive', '12');
  assert.match(await act(page, '[data-testid=disclosure-save]', 'disclosure-msg'), /已保存/);
  assert.deepEqual(JSON.parse(await setting(page, 'disclosure')), { min_cell: 6, min_cell_sensitive: 12 });

  await page.reload();
  await page.locator('#target-participation').waitFor();
  await page.waitForFunction(() => document.querySelector('#target-participation').value === '70');
  assert.equal(await page.inputValue('#target-cost_benefit'), '');
  assert.equal(await page.inputValue('#plan-notice-days'), '10');
  assert.equal(await page.inputValue('#plan-renotice'), '20');
  assert.equal(await page.inputValue('#min-cell'), '6');
  assert.deepEqual(errors, []);
  await context.close();
});
