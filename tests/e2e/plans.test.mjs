// End-to-end: a guide takes ONE plan, created by hand, through every stage of its
// life cycle in the workspace (1366×768): draft → public notice (an objection
// recorded and answered) → council → assessment REJECTED (back to draft) → a new
// notice → council → assessment → street review → execution (spending, an
// over-budget entry refused, a reversal, a budget increase on notice then
// withdrawn, a milestone) → final accounts → evaluation → closed.
// Bad input (a notice closed early, closed with an unanswered objection, spending
// over the budget, a split that does not add up) shows the rule and changes
// nothing. Business dates are typed into the forms, so the 7-day notice needs no
// waiting. Then the guide publishes from `#/` and a resident opens the published
// folder on a throttled 360 px phone: the plan's stages, spending items and the
// answered objection are there. Screenshots go to tests/e2e/out/plans-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, waitForDemo, OUT, publishNow, throttlePhone } from './harness.mjs';
import { openTexts } from './texts.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

// Clicks `click` and waits for a new message (a higher `data-seq`) in
// `[data-testid=<msg>]`; returns its text.
async function act(page, click, msg) {
  const sel = `[data-testid=${msg}]`;
  const seq = await page.evaluate((s) => Number(document.querySelector(s)?.dataset.seq ?? 0), sel);
  await (typeof click === 'string' ? page.click(click) : click.click());
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.dataset.seq ?? 0) > n, [sel, seq]);
  return (await page.locator(sel).textContent()).trim();
}

// Waits until the plan's page shows stage `name` (the stage's Chinese name).
async function expectStage(page, name) {
  try {
    await page.locator('[data-testid=plan-stage]', { hasText: name }).waitFor({ timeout: 10_000 });
  } catch {
    assert.equal((await page.locator('[data-testid=plan-stage]').textContent()).trim(), name);
  }
  assert.equal((await page.locator('[data-testid=plan-stage]').textContent()).trim(), name);
}

async function stageCode(page) {
  return page.getAttribute('[data-testid=plan-stage]', 'data-stage');
}

let shot = 0;
async function snap(page, name) {
  shot += 1;
  await page.screenshot({ path: `${OUT}plans-${String(shot).padStart(2, '0')}-${name}.png`, fullPage: true });
}

// Runs a stage action: fills `fields` (selector → value), submits `submit`, and
// returns the page-level confirmation.
async function step(page, fields, submit) {
  for (const [sel, value] of Object.entries(fields)) await page.fill(sel, value);
  return act(page, `[data-testid=${submit}]`, 'plan-msg');
}

// Publishes from `#/` (the workspace's publication page), unpacks the folder it
// offers for download, and opens the residents' page from it as a resident would:
// a 360 px phone with a slow network and a 4× slower CPU. The plan's card must
// show every stage of its history (the rejection with its reason), every approval,
// every spending item (the reversal too), the answered objection, and nothing
// internal (the objection's internal text, the internal notes, vouchers).
async function publishAndCheckResidentsPage(page, plan) {
  await page.goto(base + '#/');
  await page.frameLocator('[data-testid=preview]').locator('[data-testid=headline]').waitFor({ timeout: 60_000 });
  await page.fill('#public-url', 'https://example.org/community-a/');
  await publishNow(page);
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-folder]')]);
  const work = mkdtempSync(join(tmpdir(), 'linli-plans-'));
  const zip = join(work, 'folder.zip');
  await dl.saveAs(zip);
  const folder = join(work, 'site');
  execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, folder]);
  const text = readFileSync(join(folder, 'snapshot.json'), 'utf8');
  for (const internal of ['张阿姨来电', '李师傅', 'V-2026-00']) {
    assert.ok(!text.includes(internal), `the snapshot must not carry internal text: ${internal}`);
  }
  const published = openTexts(JSON.parse(text)).plans.find((p) => p.id === plan);
  assert.ok(published, `plan ${plan} is published`);
  assert.equal(published.stage, 'closed');

  const site = await start(folder);
  try {
    const { context, page: phone, errors } = await site.newPage({ width: 360, height: 740 });
    await throttlePhone(context, phone);
    await phone.goto(site.base);
    await phone.locator('[data-testid=chain]', { hasText: '校验通过' }).waitFor({ timeout: 90_000 });
    const card = phone.locator(`[data-testid=stage-group][data-stage=closed] [data-testid=plan][data-id="${plan}"]`);
    await card.waitFor();
    assert.ok((await card.innerText()).includes('3 号楼楼道照明改造（端到端）'));
    assert.equal((await card.locator('[data-testid=objections]').innerText()).trim(), '1 条异议，均已答复');
    await card.locator('summary').first().click();
    const details = await card.innerText();
    // Every stage of the history, in order, with the rejection's reason.
    let at = -1;
    for (const s of published.stages) {
      const i = details.indexOf(s.date, at + 1);
      assert.ok(i > at, `stage ${s.stage} of ${s.date} after position ${at}`);
      at = i;
    }
    assert.ok(details.includes('请补充可调光灯具的报价'), 'the rejection reason is shown');
    // The answered objection with its public summary and the guide's response.
    const objection = await card.locator('[data-testid=objection]').innerText();
    assert.ok(objection.includes('有居民担心感应灯夜间过亮。'), objection);
    assert.ok(objection.includes('将选用可调光灯具，夜间 23 点后自动调至 30% 亮度。'), objection);
    // Every approval (the rejected assessment too) and every spending item.
    assert.equal(await card.locator('[data-testid=approval]').count(), published.approvals.length);
    assert.ok(published.approvals.some((a) => !a.approved));
    assert.ok((await card.locator('[data-testid=approval]').allInnerTexts()).some((t) => t.includes('不通过')));
    const items = card.locator('[data-testid=spending-item]');
    assert.equal(await items.count(), published.spending.length);
    assert.ok(published.spending.length >= 4, 'spending, its reversal and the later entries');
    for (let i = 0; i < published.spending.length; i++) {
      const row = await items.nth(i).innerText();
      assert.ok(row.includes(published.spending[i].date) && row.includes(published.spending[i].purpose), row);
    }
    assert.ok((await items.allInnerTexts()).some((t) => t.includes('冲正 #1')), 'the reversal names what it reverses');
    for (const internal of ['张阿姨来电', '李师傅', 'V-2026-00']) assert.ok(!details.includes(internal), internal);
    await card.scrollIntoViewIfNeeded();
    await snap(phone, 'resident-360');
    shot += 1;
    await card.screenshot({ path: `${OUT}plans-${String(shot).padStart(2, '0')}-resident-360-plan.png` });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await site.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return { plan, published: true };
}

test('plans: one plan by hand through every stage, with an objection, a rejection and a reversal', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/plans');
  await page.locator('[data-testid=plan-new-form]').waitFor({ timeout: 30_000 });
  assert.equal((await page.locator('h1').textContent()).trim(), '计划与项目');
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), '计划与项目');
  const rowsBefore = await page.locator('[data-testid=plans-table] tbody tr').count();
  await snap(page, 'list');

  // Bad input: nothing typed → messages next to the fields, nothing saved.
  await page.fill('#plan-new-title', '');
  await page.fill('#plan-new-description', '');
  await page.fill('#plan-new-budget', '');
  assert.match(await act(page, '[data-testid=plan-new-submit]', 'plan-new-msg'), /未保存，未做任何更改/);
  await page.locator('[data-testid=plan-new-form] .field-error[data-field=title]', { hasText: '标题必填' }).waitFor();
  await page.locator('[data-testid=plan-new-form] .field-error[data-field=description]', { hasText: '公开说明必填' }).waitFor();
  await page.locator('[data-testid=plan-new-form] .field-error[data-field=budget]', { hasText: '请填写金额' }).waitFor();

  // The cost-sharing rule prefills the split, exact to the fen (improvement class:
  // government 30%, market 30%, residents 40%; the odd fen by largest remainder).
  await page.fill('#plan-new-on', '2026-03-01');
  await page.fill('#plan-new-title', '3 号楼楼道照明改造（端到端）');
  await page.selectOption('#plan-new-category', 'housing_repair');
  await page.fill('#plan-new-period', '2026-Q2');
  await page.fill('#plan-new-budget', '10000.01');
  assert.equal(await page.inputValue('#plan-new-part-government'), '3000.00');
  assert.equal(await page.inputValue('#plan-new-part-market'), '3000.00');
  assert.equal(await page.inputValue('#plan-new-part-society'), '0.00');
  assert.equal(await page.inputValue('#plan-new-part-residents'), '4000.01');
  await page.locator('[data-testid=plan-new-rule]', { hasText: '政府 30% · 市场 30% · 居民 40%' }).waitFor();
  await page.fill('#plan-new-description', '3 号楼 1–6 层楼道换装感应灯 40 盏，惠及约 60 户。');
  await page.fill('#plan-new-guide', '王指导员');
  await page.fill('#plan-new-notes', '施工方联系人：李师傅 138xxxx（内部）');
  // A split that does not add up to the total is refused next to the budget.
  await page.fill('#plan-new-part-market', '2999.00');
  assert.match(await act(page, '[data-testid=plan-new-submit]', 'plan-new-msg'), /未保存/);
  await page.locator('[data-testid=plan-new-form] .field-error[data-field=budget]', { hasText: '与预算总额 ¥10,000.01 不符（须精确到分）' }).waitFor();
  assert.equal(await page.locator('[data-testid=plans-table] tbody tr').count(), rowsBefore);
  await page.fill('#plan-new-part-market', '3000.00');
  await snap(page, 'new-form');

  const created = await act(page, '[data-testid=plan-new-submit]', 'plan-created');
  assert.match(created, /已创建计划 #\d+“3 号楼楼道照明改造（端到端）”（草稿）/);
  const id = Number(created.match(/#(\d+)/)[1]);
  await page.locator(`[data-testid=plans-table] tr[data-id="${id}"]`).waitFor();
  assert.equal(await page.locator('[data-testid=plans-table] tbody tr').count(), rowsBefore + 1);
  await page.click('[data-testid=plan-created-link]');
  await page.locator('[data-testid=plan-title]').waitFor();
  assert.equal((await page.locator('h1').textContent()).trim(), `计划 #${id}：3 号楼楼道照明改造（端到端）`);
  await expectStage(page, '草稿');
  assert.match(await page.locator('[data-testid=plan-budget]').textContent(), /¥10,000\.01（政府 ¥3,000\.00 · 市场 ¥3,000\.00 · 居民 ¥4,000\.01）/);
  // Only the draft's actions are offered.
  assert.equal(await page.locator('[data-testid=plan-start-notice]').count(), 1);
  assert.equal(await page.locator('[data-testid=plan-close-notice]').count(), 0);
  assert.equal(await page.locator('[data-testid=plan-spend]').count(), 0);
  await snap(page, 'draft');

  // Public notice from 2 March: 7 days, the first included.
  assert.match(await step(page, { '#plan-notice-on': '2026-03-02' }, 'plan-start-notice-submit'), /已保存：开始公示。当前阶段：公示中/);
  await expectStage(page, '公示中');
  await page.locator('[data-testid=plan-countdown]', { hasText: '2026-03-02 至 2026-03-08' }).waitFor();
  await snap(page, 'notice');

  // Bad input: closing the notice early is refused (never shortened); nothing changes.
  await page.fill('#plan-close-notice-on', '2026-03-05');
  assert.match(await act(page, '[data-testid=plan-close-notice-submit]', 'plan-close-notice-msg'),
    /未保存，未做任何更改：规则：公示期不得缩短；本次公示至 2026-03-08（含），2026-03-09 起才能结束/);
  await page.locator('[data-testid=plan-close-notice] .field-error[data-field=on]').waitFor();
  assert.equal(await stageCode(page), 'notice');
  await snap(page, 'notice-closed-early');

  // An objection by phone, with its internal text and a public summary.
  await page.click('[data-testid=plan-objection] summary');
  await page.fill('#plan-objection-on', '2026-03-04');
  await page.selectOption('#plan-objection-channel', 'phone');
  await page.fill('#plan-objection-text', '5 楼张阿姨来电：感应灯夜里太亮，影响睡眠。');
  await page.fill('#plan-objection-summary', '有居民担心感应灯夜间过亮。');
  assert.match(await act(page, '[data-testid=plan-objection-submit]', 'plan-msg'), /已保存：登记异议/);
  await page.locator('[data-testid=plan-objections-count]', { hasText: '共 1 条异议，1 条未答复' }).waitFor();

  // Bad input: the notice cannot close with an unanswered objection.
  await page.fill('#plan-close-notice-on', '2026-03-09');
  assert.match(await act(page, '[data-testid=plan-close-notice-submit]', 'plan-close-notice-msg'),
    /规则：还有 1 条异议未答复，须全部答复后才能结束公示/);
  assert.equal(await stageCode(page), 'notice');

  // The guide's public response.
  await page.fill('#plan-answer-1-on', '2026-03-05');
  await page.fill('#plan-answer-1-text', '将选用可调光灯具，夜间 23 点后自动调至 30% 亮度。');
  assert.match(await act(page, '[data-testid=plan-answer-1-submit]', 'plan-msg'), /已保存：答复异议/);
  await page.locator('[data-testid=plan-objections-count]', { hasText: '共 1 条异议，0 条未答复' }).waitFor();
  await page.locator('[data-testid=plan-objection-1][data-answered=true]').waitFor();
  await snap(page, 'objection-answered');

  assert.match(await step(page, { '#plan-close-notice-on': '2026-03-09' }, 'plan-close-notice-submit'), /当前阶段：待居民议事会表决/);
  await expectStage(page, '待居民议事会表决');

  // Level 1: the council passes it.
  await page.fill('#plan-council-on', '2026-03-10');
  await page.fill('#plan-council-for', '21');
  await page.fill('#plan-council-against', '3');
  await page.fill('#plan-council-abstain', '2');
  await page.check('#plan-council-quorum');
  await page.locator('[data-testid=plan-council-outcome]', { hasText: '结果：通过' }).waitFor();
  assert.match(await act(page, '[data-testid=plan-council-submit]', 'plan-msg'), /当前阶段：待专业评估/);
  await expectStage(page, '待专业评估');

  // Level 2: the assessment REJECTS it → back to draft with the reason.
  await page.fill('#plan-assessment-on', '2026-03-12');
  await page.fill('#plan-assessment-assessor', '市政设计院');
  await page.fill('#plan-assessment-conclusion', '灯具选型未考虑夜间调光。');
  await page.check('#plan-assessment-decision-reject');
  // A rejection needs a reason: refused without one.
  assert.match(await act(page, '[data-testid=plan-assessment-submit]', 'plan-assessment-msg'), /规则：不通过的理由必填/);
  assert.equal(await stageCode(page), 'assessment');
  await page.fill('#plan-assessment-reason', '请补充可调光灯具的报价');
  assert.match(await act(page, '[data-testid=plan-assessment-submit]', 'plan-msg'), /已保存：专业评估。当前阶段：草稿/);
  await expectStage(page, '草稿');
  await page.locator('[data-testid=plan-approvals] tr[data-approved=false]', { hasText: '请补充可调光灯具的报价' }).waitFor();
  await snap(page, 'rejected');

  // A new notice, then all three levels again.
  assert.match(await step(page, { '#plan-notice-on': '2026-03-13' }, 'plan-start-notice-submit'), /当前阶段：公示中/);
  await page.locator('[data-testid=plan-countdown]', { hasText: '2026-03-13 至 2026-03-19' }).waitFor();
  assert.match(await step(page, { '#plan-close-notice-on': '2026-03-20' }, 'plan-close-notice-submit'), /当前阶段：待居民议事会表决/);
  await page.fill('#plan-council-on', '2026-03-21');
  await page.fill('#plan-council-for', '25');
  await page.fill('#plan-council-against', '1');
  await page.fill('#plan-council-abstain', '0');
  await page.check('#plan-council-quorum');
  assert.match(await act(page, '[data-testid=plan-council-submit]', 'plan-msg'), /当前阶段：待专业评估/);
  await page.fill('#plan-assessment-on', '2026-03-23');
  await page.fill('#plan-assessment-assessor', '市政设计院');
  await page.fill('#plan-assessment-conclusion', '调光方案可行，报价合理。');
  await page.check('#plan-assessment-decision-approve');
  assert.match(await act(page, '[data-testid=plan-assessment-submit]', 'plan-msg'), /当前阶段：待街道审核/);
  await page.fill('#plan-street-on', '2026-03-25');
  await page.fill('#plan-street-reference', '街审〔2026〕12号');
  assert.match(await act(page, '[data-testid=plan-street-submit]', 'plan-msg'), /已保存：街道审核。当前阶段：实施中/);
  await expectStage(page, '实施中');
  assert.equal(await page.locator('[data-testid=plan-approvals] tbody tr').count(), 5);
  await snap(page, 'execution');

  // Spending: ¥1,800 from the government's ¥3,000.
  const spend = (on, amount, funder, purpose, voucher) => {
    return (async () => {
      await page.fill('#plan-spend-on', on);
      await page.fill('#plan-spend-amount', amount);
      await page.selectOption('#plan-spend-funder', funder);
      await page.fill('#plan-spend-purpose', purpose);
      await page.fill('#plan-spend-voucher', voucher);
    })();
  };
  await spend('2026-03-26', '1800', 'government', '可调光感应灯 24 盏', 'V-2026-001');
  assert.match(await act(page, '[data-testid=plan-spend-submit]', 'plan-msg'), /已保存：登记支出/);
  await page.locator('[data-testid=plan-spending-table] tr[data-id="1"]').waitFor();

  // Bad input: ¥1,500 more would take the government to ¥3,300 of its ¥3,000.
  await spend('2026-03-27', '1500', 'government', '灯具安装', 'V-2026-002');
  assert.match(await act(page, '[data-testid=plan-spend-submit]', 'plan-spend-msg'),
    /规则：未经预算调整，支出不得超过预算：政府支出将达 ¥3,300\.00，超过其预算 ¥3,000\.00/);
  await page.locator('[data-testid=plan-spend] .field-error[data-field=amount]').waitFor();
  assert.equal(await page.locator('[data-testid=plan-spending-table] tbody tr').count(), 1);
  await page.locator('[data-testid=plan-budget-actual] tr[data-funder=government] .actual', { hasText: '¥1,800.00' }).waitFor();
  await snap(page, 'over-budget');

  // A correction is a reversal, after a confirmation; the original stays.
  await page.click('[data-testid=plan-reverse-1]');
  await page.locator('[data-testid=plan-reverse-confirm]', { hasText: '冲销第 1 笔（政府 ¥1,800.00，可调光感应灯 24 盏）' }).waitFor();
  await page.fill('#plan-reverse-on', '2026-03-27');
  await page.fill('#plan-reverse-voucher', 'V-2026-003');
  await page.fill('#plan-reverse-reason', '数量录错，应为 20 盏');
  assert.match(await act(page, '[data-testid=plan-reverse-yes]', 'plan-msg'), /已保存：冲销支出/);
  await page.locator('[data-testid=plan-spending-table] tr[data-id="2"][data-state=reversal]').waitFor();
  await page.locator('[data-testid=plan-spending-table] tr[data-id="1"][data-state=reversed]').waitFor();
  assert.equal(await page.locator('[data-testid=plan-reverse-1]').count(), 0);
  assert.equal(await page.locator('[data-testid=plan-reverse-2]').count(), 0);
  await page.locator('[data-testid=plan-budget-actual] tr[data-funder=government] .actual', { hasText: '¥0.00' }).waitFor();

  await spend('2026-03-28', '1500', 'government', '可调光感应灯 20 盏', 'V-2026-004');
  assert.match(await act(page, '[data-testid=plan-spend-submit]', 'plan-msg'), /已保存：登记支出/);
  await spend('2026-03-30', '3200', 'residents', '居民自筹：安装人工', 'V-2026-005');
  assert.match(await act(page, '[data-testid=plan-spend-submit]', 'plan-msg'), /已保存：登记支出/);
  await page.locator('[data-testid=plan-spending-table] tr[data-id="4"]').waitFor();
  await page.locator('[data-testid=plan-budget-actual] tr[data-funder=total] .actual', { hasText: '¥4,700.00' }).waitFor();

  // A budget increase above 10% of the approved baseline goes on notice (spending
  // waits); here it is withdrawn, and the budget stays as approved.
  await page.click('[data-testid=plan-budget-change] summary');
  assert.equal(await page.inputValue('#plan-change-part-government'), '3000.00');
  await page.fill('#plan-change-on', '2026-03-31');
  await page.fill('#plan-change-part-government', '6000.00');
  await page.fill('#plan-change-reason', '增加 4 号楼楼道');
  await page.fill('#plan-change-approver', '居委会');
  assert.match(await act(page, '[data-testid=plan-change-submit]', 'plan-msg'), /已保存：预算调整。当前阶段：预算调整公示中/);
  await expectStage(page, '预算调整公示中');
  await page.locator('[data-testid=plan-countdown]', { hasText: '2026-03-31 至 2026-04-06' }).waitFor();
  assert.equal(await page.locator('[data-testid=plan-spend]').count(), 0);
  await page.locator('[data-testid=plan-changes]', { hasText: '公示中，结束公示后生效' }).waitFor();
  await snap(page, 'change-notice');
  await page.click('[data-testid=plan-withdraw] summary');
  await step(page, { '#plan-withdraw-on': '2026-04-01', '#plan-withdraw-reason': '4 号楼改由物业维修基金承担' }, 'plan-withdraw-submit');
  await expectStage(page, '实施中');
  await page.locator('[data-testid=plan-changes]', { hasText: '已于 2026-04-01 撤回' }).waitFor();
  assert.match(await page.locator('[data-testid=plan-budget]').textContent(), /^¥10,000\.01（/);

  // Progress.
  await page.click('[data-testid=plan-milestone] summary');
  await step(page, { '#plan-milestone-on': '2026-04-02', '#plan-milestone-percent': '100', '#plan-milestone-note': '40 盏灯全部装好' }, 'plan-milestone-submit');
  await page.locator('[data-testid=plan-milestones]', { hasText: '100%' }).waitFor();
  await snap(page, 'spending');

  // Final accounts, after a confirmation: the remainder returns to a named pool.
  await page.fill('#plan-accounts-on', '2026-04-10');
  await page.fill('#plan-accounts-pool', '2026-Q3 机动池');
  await page.click('[data-testid=plan-accounts-submit]');
  await page.locator('[data-testid=plan-accounts-confirm]', { hasText: '实际支出 ¥4,700.00，结余 ¥5,300.01 退回“2026-Q3 机动池”' }).waitFor();
  assert.equal(await stageCode(page), 'execution');
  assert.match(await act(page, '[data-testid=plan-accounts-confirm-yes]', 'plan-msg'), /已保存：决算。当前阶段：已决算，待评价/);
  await expectStage(page, '已决算，待评价');
  await page.locator('[data-testid=plan-remainder]', { hasText: '¥5,300.01' }).waitFor();
  assert.equal(await page.locator('[data-testid=plan-spend]').count(), 0);
  await snap(page, 'accounts');

  // Evaluation closes the plan.
  await page.fill('#plan-evaluate-on', '2026-04-15');
  await page.fill('#plan-evaluate-r5', '12');
  await page.fill('#plan-evaluate-r4', '6');
  await page.fill('#plan-evaluate-r3', '2');
  await page.fill('#plan-evaluate-summary', '20 户作答，18 户满意；夜间调光受到好评。');
  await page.click('[data-testid=plan-evaluate-submit]');
  await page.locator('[data-testid=plan-evaluate-confirm]').waitFor();
  assert.match(await act(page, '[data-testid=plan-evaluate-confirm-yes]', 'plan-msg'), /已保存：居民评价。当前阶段：已结项/);
  await expectStage(page, '已结项');
  await page.locator('[data-testid=plan-satisfaction]', { hasText: '20 人作答，18 人满意（4–5 分），满意率 90.00%' }).waitFor();
  await page.locator('[data-testid=plan-closed-note]').waitFor();

  // The history only grew: every transition with who, when, from → to.
  const history = page.locator('[data-testid=plan-history] tbody tr');
  // created, notice, objection, response, notice closed, council, assessment (rejected), notice,
  // notice closed, council, assessment, street review, 3 entries + 1 reversal, budget change,
  // withdrawal, milestone, accounts, evaluation: 21 transitions; the refused attempts left none.
  assert.equal(await history.count(), 21);
  assert.match(await history.first().textContent(), /草稿.*新建草稿/);
  // Who: the acting guide's name in its own column on every row (here the demo guide,
  // named 指导员 while no passphrase is set), never the plan's own guide (王指导员).
  const who = await history.evaluateAll((rows) => rows.map((r) => r.cells[3].textContent.trim()));
  assert.deepEqual([...new Set(who)], ['指导员']);
  assert.match(await history.last().textContent(), /2026-04-15.*已决算，待评价 → 已结项.*评价并结项/);
  assert.equal(await page.locator('[data-testid=plan-history] tr[data-to=draft]', { hasText: '请补充可调光灯具的报价' }).count(), 1);
  await snap(page, 'closed');

  // Back in the list: the plan is closed, with no unanswered objection; the stage filter finds it.
  await page.click('[data-testid=plans-back]');
  await page.locator('[data-testid=plans-table]').waitFor();
  await page.selectOption('#plans-stage', 'closed');
  const row = page.locator(`[data-testid=plans-table] tr[data-id="${id}"]`);
  await row.waitFor();
  assert.equal((await row.locator('.stage').textContent()).trim(), '已结项');
  assert.equal(await page.locator('[data-testid=plans-table] tbody tr[data-stage]:not([data-stage=closed])').count(), 0);
  await snap(page, 'list-closed');

  const published = await publishAndCheckResidentsPage(page, id);
  assert.deepEqual(published, { plan: id, published: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('plans: a new plan from a category of an adopted allocation run, and a period without one', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/plans');
  await page.locator('[data-testid=plan-new-form]').waitFor({ timeout: 30_000 });
  await page.check('#plan-source-run');
  const periods = await page.locator('#plan-run-period option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(periods.length > 0);
  // Look for a period without an adopted run (said so) and one with (its categories offered).
  let without = null;
  let adopted = null;
  for (const p of periods) {
    await page.selectOption('#plan-run-period', p);
    await page.locator('[data-testid=plan-no-run], #plan-run-category').first().waitFor();
    if (await page.locator('[data-testid=plan-no-run]').count()) {
      without ??= p;
      assert.match(await page.locator('[data-testid=plan-no-run]').textContent(), new RegExp(`${p} 还没有采纳的分配方案`));
    } else {
      adopted ??= p;
    }
  }
  assert.ok(without, `a period without an adopted run among ${periods}`);
  assert.ok(adopted, `a period with an adopted run among ${periods} (the demo adopts runs)`);
  await page.selectOption('#plan-run-period', adopted);
  const options = await page.locator('#plan-run-category option').evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
  const [code, label] = options.find(([v]) => v !== '');
  await page.selectOption('#plan-run-category', code);
  await page.locator('[data-testid=plan-run-msg]', { hasText: '精确到分' }).waitFor();
  assert.equal(await page.inputValue('#plan-new-category'), code);
  assert.equal(await page.inputValue('#plan-new-period'), adopted);
  assert.match(await page.inputValue('#plan-new-title'), new RegExp(`（${adopted}）$`));
  // The run's amount for the category, split by funder exactly: the parts add up to it to the fen.
  const fen = (t) => Math.round(Number(t.replace(/[¥,]/g, '')) * 100);
  const total = fen(await page.inputValue('#plan-new-budget'));
  assert.equal(total, fen(label.split('·').pop().trim()));
  let sum = 0;
  for (const f of ['government', 'market', 'society', 'residents']) sum += fen(await page.inputValue(`#plan-new-part-${f}`));
  assert.equal(sum, total);
  await page.fill('#plan-new-description', '按已采纳的分配方案新建（端到端）。');
  const created = await act(page, '[data-testid=plan-new-submit]', 'plan-created');
  assert.match(created, /已创建计划 #\d+/);
  await page.screenshot({ path: `${OUT}plans-from-run.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
