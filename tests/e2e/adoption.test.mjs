// End-to-end: adopted decisions (#14). A PB count is adopted for its period after a
// confirmation (proposals become funded / not funded, funded ones draft plans); a second
// adoption is refused. A stored allocation run is adopted once per period (another tab's
// second adoption is refused with the rule's message). The emergency reserve is released
// by a recorded decision to a plan: a bad amount is refused next to the field and writes
// nothing; a good one raises the plan's budget. Checked in the stored data (a backup).
//
// The demo has adopted its 2026-Q4 count already: the test first checks that a second
// adoption is refused, then restores the demo without that adoption (a backup edited here)
// and adopts the count itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { start, waitForDemo, OUT, exportBackupJson, chooseBackup } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

const PERIOD = '2026-Q4';

// "¥1,234.50" → 123450 (fen).
function fen(text) {
  const m = text.trim().match(/(-?)¥([\d,]+)\.(\d\d)/);
  assert.ok(m, `an amount in yuan: ${text}`);
  return (m[1] ? -1 : 1) * (Number(m[2].replaceAll(',', '')) * 100 + Number(m[3]));
}
const yuan = (f) => `${Math.trunc(f / 100)}.${String(f % 100).padStart(2, '0')}`;

async function backupFile(page, name) {
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor();
  return JSON.parse(await exportBackupJson(page, `${OUT}${name}.json`));
}
const backup = async (page, name) => (await backupFile(page, name)).payload;

// Restores `file` (a backup object) after changing its payload with `edit`.
async function restoreEdited(page, file, edit) {
  const payload = structuredClone(file.payload);
  edit(payload);
  const payloadText = JSON.stringify(payload);
  const { payload: _drop, ...header } = structuredClone(file);
  for (const store of Object.keys(header.counts)) header.counts[store] = payload[store].length;
  header.payload_sha256 = createHash('sha256').update(payloadText, 'utf8').digest('hex');
  const path = `${OUT}adoption-restore.json`;
  await writeFile(path, JSON.stringify(header).slice(0, -1) + ',"payload":' + payloadText + '}');
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor();
  assert.equal(await chooseBackup(page, path), 'plain');
  await page.locator('[data-testid=restore-valid]').waitFor();
  await page.click('[data-testid=restore-confirm]');
  await page.locator('[data-testid=restore-done]').waitFor();
}

async function openPb(page) {
  await page.goto(base + '#/pb');
  await page.locator('[data-testid=pb-proposals]').waitFor();
}

async function count(page) {
  await page.click('[data-testid=pb-run]');
  await page.locator('[data-testid=pb-outcome]').waitFor({ timeout: 60_000 });
}

async function openAllocation(page) {
  await page.goto(base + '#/allocation');
  await page.locator('[data-testid=alloc-run]').waitFor({ timeout: 60_000 });
}

test('PB count and allocation run adopted once per period; the reserve released by decision', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  const demo = await backupFile(page, 'adoption-demo');
  assert.ok(!demo.payload.decisions.some((d) => d.period === PERIOD && d.kind.type !== 'pb_adopted'),
    `the demo has no allocation or reserve decision for ${PERIOD}`);
  const demoPb = demo.payload.decisions.filter((d) => d.period === PERIOD && d.kind.type === 'pb_adopted');
  if (demoPb.length > 0) {
    // ---- The demo adopted this count already: shown, and a second adoption refused. ----
    await openPb(page);
    await page.locator('[data-testid=pb-adopted]').waitFor();
    await count(page);
    assert.equal(await page.locator('[data-testid=pb-adopt]').isDisabled(), true);
    assert.match(await page.locator('[data-testid=pb-adopt-refused]').textContent(), /每期只能采纳一次/);
    // The demo without that adoption: its plans removed, its proposals back to feasible.
    const demoPlans = new Set(demoPb[0].kind.projects.filter((p) => p.plan_id !== null).map((p) => p.plan_id));
    const demoProposals = new Set(demoPb[0].kind.projects.map((p) => p.proposal_id));
    await restoreEdited(page, demo, (payload) => {
      payload.decisions = payload.decisions.filter((d) => d.id !== demoPb[0].id);
      payload.plans = payload.plans.filter((p) => !demoPlans.has(p.id));
      for (const p of payload.proposals) if (demoProposals.has(p.id)) p.status = 'feasible';
    });
  }

  // ---- PB: a second tab counts too, before the first adopts. ----
  const other = await context.newPage();
  await openPb(other);
  await count(other);
  await openPb(page);
  assert.equal(await page.locator('[data-testid=pb-adopted]').count(), 0, 'nothing adopted yet');
  await count(page);
  const funded = await page.$$eval('[data-testid=pb-outcome] tbody tr.funded', (trs) => trs.map((t) => Number(t.cells[0].textContent)));
  const onBallot = await page.locator('[data-testid=pb-outcome] tbody tr').count();
  assert.ok(funded.length > 0);
  await page.click('[data-testid=pb-adopt]');
  const confirm = page.locator('[data-testid=pb-adopt-confirm]');
  await confirm.waitFor();
  assert.match(await confirm.textContent(), /不可撤销/);
  // Cancel changes nothing; adopt for real.
  await page.click('[data-testid=pb-adopt-no]');
  assert.equal(await confirm.count(), 0);
  await page.click('[data-testid=pb-adopt]');
  await page.click('[data-testid=pb-adopt-yes]');
  await page.locator('[data-testid=pb-adopt-done]', { hasText: `生成了 ${funded.length} 份草案计划` }).waitFor();
  const adopted = page.locator('[data-testid=pb-adopted]');
  await adopted.waitFor();
  // The period is closed: said plainly; no review, ballot or budget field; new
  // proposals go to the next quarter.
  await page.locator('[data-testid=pb-closed]', { hasText: `${PERIOD} 的计票结果已于` }).waitFor();
  assert.match(await page.locator('[data-testid=pb-closed]').textContent(), /已锁定/);
  assert.equal(await page.locator('[data-testid=pb-proposals] button', { hasText: '审查' }).count(), 0);
  assert.equal(await page.locator('[data-testid=pb-ballot]').count(), 0);
  assert.equal(await page.locator('[data-testid=pb-budget]').count(), 0);
  assert.equal((await page.locator('#pb-new-h').textContent()).trim(), '新建提案（2027-Q1）');
  const shown = await page.$$eval('[data-testid=pb-adopted-row]', (trs) => trs.map((t) => ({ id: Number(t.dataset.id), funded: t.dataset.funded === 'true' })));
  assert.equal(shown.length, onBallot, 'every proposal on the ballot');
  assert.deepEqual(shown.filter((r) => r.funded).map((r) => r.id).sort((a, b) => a - b), [...funded].sort((a, b) => a - b));
  await adopted.screenshot({ path: `${OUT}adoption-pb.png` });
  const links = await page.$$eval('[data-testid=pb-plan-link]', (as) => as.map((a) => a.getAttribute('href')));
  assert.equal(links.length, funded.length);
  assert.ok(links.every((h) => /^#\/plans\/\d+$/.test(h)), links.join());
  // Counting again: the adoption is refused with the rule.
  await count(page);
  assert.equal(await page.locator('[data-testid=pb-adopt]').isDisabled(), true);
  assert.match(await page.locator('[data-testid=pb-adopt-refused]').textContent(), /每期只能采纳一次/);
  // The other tab still shows its count: adopting there is refused inside the write.
  await other.click('[data-testid=pb-adopt]');
  await other.click('[data-testid=pb-adopt-yes]');
  const refused = other.locator('[data-testid=pb-adopt-msg]');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('role'), 'alert');
  assert.match(await refused.textContent(), /已经采纳.*每期只能采纳一次/);
  // Its ballot field is still shown, but a ballot typed there is refused inside the
  // write, naming the adoption; nothing is stored.
  const ballotsBefore = (await backupFile(page, 'adoption-ballots-before')).payload.ballots.length;
  const otherBallot = other.locator('[data-testid=pb-ballot]');
  await otherBallot.fill('1');
  await otherBallot.press('Enter');
  await other.getByText(`${PERIOD} 的计票结果已采纳`).waitFor();
  assert.match(await other.locator('[data-testid=pb-ballot-error]').textContent(), /已锁定.*未做任何更改/);
  assert.equal((await backupFile(page, 'adoption-ballots-after')).payload.ballots.length, ballotsBefore);

  // ---- Allocation: a 2026-Q4 pool, two stored runs; one adopted. ----
  await openAllocation(page);
  await page.fill('[data-testid=res-name]', '街道拨款');
  await page.selectOption('[data-testid=res-kind]', 'money');
  await page.fill('[data-testid=res-period]', PERIOD);
  await page.fill('[data-testid=res-amount]', '1000000');
  await page.click('[data-testid=res-save]');
  await page.locator('[data-testid=res-saved]').waitFor();
  await page.selectOption('[data-testid=alloc-period]', PERIOD);
  await page.click('[data-testid=alloc-run]');
  await page.locator('[data-testid=alloc-result]').waitFor({ timeout: 60_000 });
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const n = await page.locator('[data-testid=run-row]').count();
    await page.click('[data-testid=alloc-save-run]');
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid=run-row]').length === k, n + 1);
    ids.push(Number((await page.locator('[data-testid=alloc-run-saved]').textContent()).match(/#(\d+)/)[1]));
  }
  assert.notEqual(ids[0], ids[1]);
  await openAllocation(other);
  const row = (p, id) => p.locator(`[data-testid=run-row][data-id="${id}"]`);
  await row(page, ids[0]).locator('[data-testid=adopt-run]').click();
  const q = row(page, ids[0]).locator('[data-testid=adopt-confirm]');
  await q.waitFor();
  assert.match(await q.textContent(), /不可撤销/);
  await row(page, ids[0]).locator('[data-testid=adopt-yes]').click();
  await row(page, ids[0]).locator('[data-testid=run-adopted]').waitFor();
  assert.match(await page.locator('[data-testid=adopt-msg]').textContent(), new RegExp(`已采纳方案 #${ids[0]}`));
  // The other run of the period cannot be adopted, and says why.
  assert.equal(await row(page, ids[1]).locator('[data-testid=adopt-run]').isDisabled(), true);
  assert.match(await row(page, ids[1]).locator('[data-testid=adopt-disabled-reason]').textContent(), new RegExp(`已采纳方案 #${ids[0]}.*每期只能采纳一个方案`));
  // A second adoption from the other tab: refused by the rule, nothing written.
  await row(other, ids[1]).locator('[data-testid=adopt-run]').click();
  await row(other, ids[1]).locator('[data-testid=adopt-yes]').click();
  const second = other.locator('[data-testid=adopt-msg]');
  await second.waitFor();
  assert.equal(await second.getAttribute('role'), 'alert');
  assert.match(await second.textContent(), /每期只能采纳一个方案，采纳后不可撤销/);

  // ---- The reserve: a bad amount, then a good one. ----
  const status = page.locator('[data-testid=reserve-status]');
  await status.waitFor();
  const remaining = Number(await status.getAttribute('data-remaining'));
  assert.equal(remaining, 5_000_000, '5 % of 1,000,000 yuan');
  const planOptions = await page.$$eval('[data-testid=reserve-plan] option', (os) => os.map((o) => Number(o.value)));
  const planIds = links.map((h) => Number(h.split('/').pop()));
  assert.ok(planIds.every((id) => planOptions.includes(id)), 'the PB draft plans of the period can be funded');
  const plan = planIds[0];
  await page.selectOption('[data-testid=reserve-plan]', String(plan));
  await page.fill('[data-testid=reserve-amount]', '12.345');
  await page.click('[data-testid=reserve-submit]');
  await page.locator('[data-testid=reserve-error-amount]').waitFor();
  await page.locator('[data-testid=reserve-error-reason]', { hasText: '必填' }).waitFor();
  await page.fill('[data-testid=reserve-amount]', yuan(remaining + 1));
  await page.fill('[data-testid=reserve-reason]', '暴雨后屋顶漏水，需紧急修缮');
  await page.fill('[data-testid=reserve-approver]', '居委会主任');
  await page.click('[data-testid=reserve-submit]');
  const tooMuch = page.locator('[data-testid=reserve-error-amount]', { hasText: '超出剩余储备' });
  await tooMuch.waitFor();
  assert.match(await tooMuch.textContent(), /只剩 ¥50,000\.00/);
  await page.locator('[data-testid=reserve]').screenshot({ path: `${OUT}adoption-reserve-refused.png` });
  assert.equal(await page.locator('[data-testid=reserve-release-row]').count(), 0, 'nothing released');
  await page.fill('[data-testid=reserve-amount]', '1,000.00');
  await page.click('[data-testid=reserve-submit]');
  await page.locator('[data-testid=reserve-msg]', { hasText: `给计划 #${plan}` }).waitFor();
  await page.locator('[data-testid=reserve-release-row]').waitFor();
  await page.waitForFunction((r) => Number(document.querySelector('[data-testid=reserve-status]').dataset.remaining) === r, remaining - 100_000);
  assert.equal(fen(await page.locator('[data-testid=reserve-release-row] td.num').nth(1).textContent()), 100_000);
  await page.locator('[data-testid=alloc-runs]').screenshot({ path: `${OUT}adoption-runs.png` });
  await page.locator('[data-testid=reserve]').screenshot({ path: `${OUT}adoption-reserve.png` });

  // ---- The stored data. ----
  const stored = await backup(page, 'adoption-after');
  const mine = stored.decisions.filter((d) => d.period === PERIOD);
  const pb = mine.filter((d) => d.kind.type === 'pb_adopted');
  const runs = mine.filter((d) => d.kind.type === 'allocation_adopted');
  const released = mine.filter((d) => d.kind.type === 'reserve_released');
  assert.equal(pb.length, 1, 'one PB adoption');
  assert.equal(runs.length, 1, 'one adopted run');
  assert.equal(released.length, 1, 'one release: the refused one wrote nothing');
  assert.equal(runs[0].kind.run_id, ids[0]);
  const projects = pb[0].kind.projects;
  assert.equal(projects.length, onBallot);
  assert.equal(pb[0].kind.funded_fen, projects.filter((p) => p.funded).reduce((s, p) => s + p.cost_fen, 0));
  for (const p of projects) {
    const proposal = stored.proposals.find((x) => x.id === p.proposal_id);
    assert.equal(proposal.status, p.funded ? 'funded' : 'not_funded', `proposal ${p.proposal_id}`);
    if (!p.funded) { assert.equal(p.plan_id, null); continue; }
    const saved = stored.plans.find((x) => x.id === p.plan_id);
    assert.ok(saved, `plan ${p.plan_id} stored`);
    assert.equal(saved.content.title, p.title);
    assert.equal(saved.content.period, PERIOD);
    const b = saved.content.budget;
    const total = b.government + b.market + b.society + b.residents;
    const extra = released[0].kind.plan_id === saved.id ? 100_000 : 0;
    assert.equal(total, p.cost_fen + extra, `plan ${saved.id}: budget = cost (+ the release), exact to the fen`);
    assert.equal(saved.stage, 'draft');
  }
  assert.equal(released[0].kind.amount_fen, 100_000);
  assert.equal(released[0].kind.approver, '居委会主任');
  assert.equal(released[0].kind.plan_id, plan);
  // The funded plan's page names both decisions that fund it.
  await page.goto(`${base}#/plans/${plan}`);
  const origin = page.locator('[data-testid=plan-origin]');
  await origin.locator('li').nth(1).waitFor();
  const proposal = projects.find((p) => p.plan_id === plan);
  const lines = await origin.locator('li').allInnerTexts();
  assert.match(lines[0], new RegExp(`${PERIOD} 参与式预算第 ${proposal.proposal_id} 号提案「.+」获资助（决定 #${pb[0].id}`));
  assert.match(lines[1], new RegExp(`${PERIOD} 应急储备金拨付 ¥1,000\\.00（决定 #${released[0].id}`));
  // A plan funded by neither says so.
  const named = new Set(stored.decisions.flatMap((d) => [d.kind.plan_id, ...(d.kind.projects ?? []).map((p) => p.plan_id)]));
  const handMade = stored.plans.find((x) => !named.has(x.id));
  await page.goto(`${base}#/plans/${handMade.id}`);
  await page.locator('[data-testid=plan-origin]', { hasText: '无单独的资金决定' }).waitFor();
  // Every write has its history entries.
  const demoAudit = demo.payload.audit_log.reduce((m, e) => Math.max(m, e.id), 0);
  const audit = stored.audit_log.filter((e) => e.entity === 'decisions' && e.id > demoAudit);
  assert.equal(audit.length, 3);
  assert.deepEqual(errors, []);
  await context.close();
});
