// End-to-end: the cockpit (数据驾驶舱) on the workspace home. It lists what needs the
// guide today in the demo community — notices ending, objections without a response,
// approvals waiting, overdue requests, warnings, the backup — each line opening the
// view where it is handled; the days since the last backup follow a download; the
// key indicators are judged against the configured targets; and an empty community
// with a fresh backup says that nothing needs the guide today.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, OUT, exportBackup as exportAge, readStore } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

async function openWorkspace(page) {
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.locator('[data-testid=cockpit-tasks], [data-testid=cockpit-empty]').first().waitFor();
}

// Reads records straight from IndexedDB (layout: {key fields…, _json}).

const DAY = 86_400_000;
// Days since 1970-01-01 of a `YYYY-MM-DD` date, and today's in Shanghai (UTC+8).
const days = (iso) => Math.round(Date.parse(iso + 'T00:00:00Z') / DAY);
const todayShanghai = () => Math.floor((Date.now() + 8 * 3_600_000) / DAY);

const tasks = (page, kind) => page.locator(`[data-testid=cockpit-tasks] li[data-task=${kind}]`);
const plansOf = async (page, kind) => (await tasks(page, kind).evaluateAll((ls) => ls.map((l) => Number(l.dataset.plan)))).sort((a, b) => a - b);

async function exportBackup(page) {
  await page.goto(base + '#/settings');
  await exportAge(page, `${OUT}cockpit-backup.age`);
  await page.locator('[data-page=settings] p.ok', { hasText: '备份已导出' }).waitFor();
}

test("the cockpit lists the demo's tasks, each linking to where it is handled", async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 1000 });
  await openWorkspace(page);
  const plans = await readStore(page, 'plans');
  const requests = await readStore(page, 'requests');
  const today = todayShanghai();

  // Approvals waiting: exactly the plans at one of the three levels.
  const waiting = plans.filter((p) => ['council', 'assessment', 'street_review'].includes(p.stage)).map((p) => p.id).sort((a, b) => a - b);
  assert.ok(waiting.length > 0, 'the demo has plans awaiting approval');
  assert.deepEqual(await plansOf(page, 'approval'), waiting);
  // Objections without a response.
  const objected = plans.filter((p) => p.objections.some((o) => !o.response)).map((p) => p.id).sort((a, b) => a - b);
  assert.deepEqual(await plansOf(page, 'objections'), objected);
  // Notices running whose last day is at most 2 days away, or past.
  const ending = plans.filter((p) => {
    const n = p.notices.at(-1);
    return n && !n.ended && days(n.start) <= today && days(n.start) + n.days - 1 - today <= 2;
  }).map((p) => p.id).sort((a, b) => a - b);
  assert.deepEqual(await plansOf(page, 'notice_ending'), ending);
  assert.ok(waiting.length + objected.length + ending.length >= 3);
  // Overdue requests: open and past their due time.
  const overdue = requests.filter((r) => ['received', 'assigned', 'in_progress'].includes(r.status) && r.due_at <= Date.now()).length;
  if (overdue > 0) {
    assert.match(await tasks(page, 'requests_overdue').textContent(), new RegExp(`^${overdue} 件诉求已超时`));
  } else {
    assert.equal(await tasks(page, 'requests_overdue').count(), 0);
  }
  // No backup yet.
  assert.equal(await tasks(page, 'backup').count(), 1);
  assert.match(await page.locator('[data-testid=cockpit-backup]').textContent(), /尚无备份记录/);

  // Every line links to where it is handled.
  const lines = await page.locator('[data-testid=cockpit-tasks] li').evaluateAll((ls) => ls.map((l) => ({
    kind: l.dataset.task, plan: l.dataset.plan, href: l.querySelector('a').getAttribute('href'),
  })));
  const view = { requests_overdue: 'requests', satisfaction_low: 'requests', complaints_rising: 'requests', improvement: 'requests',
    participation_falling: 'participation', unallocated: 'allocation', unspent: 'plans', backup: 'settings' };
  for (const l of lines) {
    if (l.plan) assert.equal(l.href, `#/plans/${l.plan}`, l.kind);
    else assert.equal(l.href, `#/${view[l.kind]}`, l.kind);
  }
  const seen = new Set();
  for (const l of lines) {
    if (seen.has(l.href)) continue;
    seen.add(l.href);
    await page.locator(`[data-testid=cockpit-tasks] a[href="${l.href}"]`).first().click();
    const expected = l.plan ? 'plan' : view[l.kind];
    await page.locator(`[data-page=${expected}]`).waitFor();
    if (l.plan) {
      const title = plans.find((p) => p.id === Number(l.plan)).content.title;
      await page.locator('[data-page=plan]', { hasText: title }).waitFor();
    }
    await page.goBack();
    await page.locator('[data-testid=cockpit-tasks]').waitFor();
  }

  // After a backup download, the backup line goes and the days say 0.
  await exportBackup(page);
  await openWorkspace(page);
  await page.locator('[data-testid=cockpit-backup][data-days="0"]').waitFor();
  assert.match(await page.locator('[data-testid=cockpit-backup]').textContent(), /今天已备份/);
  assert.equal(await tasks(page, 'backup').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the key indicators are judged against the targets set in the settings', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 1000 });
  await openWorkspace(page);
  const rows = page.locator('[data-testid=cockpit-indicators] tbody tr');
  assert.equal(await rows.count(), 9);
  const participation = page.locator('[data-testid=cockpit-indicators] tr[data-indicator=participation]');
  assert.match(await participation.textContent(), /居民参与率.*%.*> 60%/);
  assert.equal(await participation.getAttribute('data-status'), 'not_met');

  // A target of 1 %: the same value now meets it.
  await page.goto(base + '#/settings');
  await page.locator('#target-participation').waitFor();
  await page.fill('#target-participation', '1');
  await page.click('[data-testid=targets-save]');
  await page.locator('[data-testid=targets-msg]', { hasText: '已保存' }).waitFor();
  await openWorkspace(page);
  await page.locator('[data-testid=cockpit-indicators] tr[data-indicator=participation][data-status=met]').waitFor();
  assert.match(await participation.textContent(), /> 1%/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an empty community with a fresh backup: nothing needs the guide today', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 1000 });
  await openWorkspace(page);
  await page.goto(base + '#/settings');
  await page.click('[data-testid=demo-clear]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('[data-page=settings] p.ok[role=status]').first().waitFor();
  await exportBackup(page);
  await page.goto(base + '#/workspace');
  await page.locator('[data-testid=cockpit-empty]').waitFor();
  assert.match(await page.locator('[data-testid=cockpit-empty]').textContent(), /今天没有需要您处理的事项/);
  assert.equal(await page.locator('[data-testid=cockpit-tasks]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the backup reminder: shown when no backup was made, gone after an export, after the configured days', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 1000 });
  await openWorkspace(page);
  const line = page.locator('[data-testid=cockpit-backup]');
  // Never backed up: the reminder is a task and the line links to the backup section.
  assert.equal(await tasks(page, 'backup').count(), 1);
  assert.equal(await line.getAttribute('data-due'), 'true');
  assert.match(await line.textContent(), /尚无备份记录.*每 7 天提醒备份一次/);
  assert.equal(await page.locator('[data-testid=cockpit-backup-at]').count(), 0);
  await page.click('[data-testid=cockpit-backup-link]');
  await page.locator('[data-page=settings] [data-testid=export]').waitFor();

  // The number of days is checked next to its field; a bad one saves nothing.
  const days = page.locator('[data-testid=backup-reminder-days]');
  await days.waitFor();
  assert.equal(await days.inputValue(), '7');
  for (const bad of ['0', '366', 'abc']) {
    await days.fill(bad);
    await page.click('[data-testid=backup-settings-save]');
    await page.locator('[data-testid=backup-reminder-days-error]', { hasText: '1 到 365' }).waitFor();
  }
  assert.equal((await readStore(page, 'settings')).find((s) => s.key === 'backup_reminder_days'), undefined);
  await days.fill('30');
  await page.click('[data-testid=backup-settings-save]');
  await page.locator('[data-testid=backup-settings-msg]', { hasText: '已保存' }).waitFor();
  const saved = (await readStore(page, 'settings')).find((s) => s.key === 'backup_reminder_days');
  assert.equal(saved.value, '30');
  const entry = (await readStore(page, 'audit_log')).filter((e) => e.summary.startsWith('backup_reminder_days')).at(-1);
  assert.ok(entry && entry.actor.length > 0, 'the save is in the history with an actor');

  // Still never backed up: the reminder stays, now saying 30 days.
  await openWorkspace(page);
  assert.match(await line.textContent(), /每 30 天提醒备份一次/);
  assert.equal(await tasks(page, 'backup').count(), 1);

  // After an export: no reminder, the time of the last backup in Beijing time.
  const before = Date.now();
  await exportBackup(page);
  await openWorkspace(page);
  await page.locator('[data-testid=cockpit-backup][data-due=false]').waitFor();
  assert.equal(await tasks(page, 'backup').count(), 0);
  const at = (await page.locator('[data-testid=cockpit-backup-at]').textContent()).match(/(\d{4}-\d{2}-\d{2} \d{2}:\d{2})/)[1];
  const shanghai = (t) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  assert.ok([shanghai(before), shanghai(Date.now())].includes(at), `${at} is the export's minute, UTC+8`);
  const last = Number((await readStore(page, 'settings')).find((s) => s.key === 'last_backup_at').value);
  assert.ok(last >= before && last <= Date.now());
  assert.deepEqual(errors, []);
  await context.close();
});
