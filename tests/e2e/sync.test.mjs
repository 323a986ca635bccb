// Two browsers of one community exchange sync files (issue #19): two contexts with
// their own IndexedDB, the demo community in both. A joins B by one exchange each way;
// then, offline from each other, A and B edit different fields of one household and
// the same field of another and each add a household; after the files go both ways the
// two converge: every edit is present, the same-field edit is a conflict listed on both
// with who changed it, both new households are kept, and the household's last voucher
// redeemed on both is kept twice in the ledger with the later redemption flagged. A second import of the same file
// writes nothing; a file sealed with another key is refused. A guide resolves the
// conflict by picking B's value; the resolution reaches B at the next exchange. The files hold none of the
// planted personal strings. (The same through a CouchDB server: sync_server.test.mjs.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { start, waitForDemo, axeViolations, exportBackupJson, OUT } from './harness.mjs';
import { steps } from './steps.mjs';

const CLI = process.env.LINLI_CLI ?? new URL('../../target/ci/linli', import.meta.url).pathname;

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

const LONG = { timeout: 180_000 };

async function openSync(page, key) {
  await page.goto(env.base + '#/settings');
  await page.locator('[data-testid=sync]').waitFor({ timeout: 60_000 });
  await page.fill('[data-testid=sync-key]', key);
}

async function exportFor(page, key, peer, file) {
  await openSync(page, key);
  await page.fill('[data-testid=sync-peer]', peer);
  const [dl] = await Promise.all([page.waitForEvent('download', LONG), page.click('[data-testid=sync-export]')]);
  await dl.saveAs(file);
  await page.locator('[data-testid=sync-exported]').waitFor(LONG);
  return readFileSync(file, 'utf8');
}

async function importFile(page, key, file) {
  await openSync(page, key);
  await page.setInputFiles('[data-testid=sync-file]', file);
  const r = page.locator('[data-testid=sync-imported]');
  await r.waitFor(LONG);
  return {
    written: Number(await r.getAttribute('data-written')),
    conflicts: Number(await r.getAttribute('data-conflicts')),
    flags: Number(await r.getAttribute('data-flags')),
  };
}

const replicaOf = async (page) => (await page.locator('[data-testid=sync-replica]').textContent()).trim();

const { edit, addHousehold, values, openParticipation, balanceOf, expectBalance, addActivity, earn, redeemVoucher,
  householdCount, memberName } = steps(() => env.base);

test('two browsers exchange sync files, converge, and keep the same-field edit as a conflict', async () => {
  const a = await env.newPage({ width: 1366, height: 900 });
  const b = await env.newPage({ width: 1366, height: 900 });
  for (const { page } of [a, b]) {
    await page.goto(env.base + '#/workspace');
    await waitForDemo(page);
  }
  // A generates the community's sync key; B types the same.
  await a.page.goto(env.base + '#/settings');
  await a.page.locator('[data-testid=sync]').waitFor({ timeout: 60_000 });
  await a.page.click('[data-testid=sync-key-generate]');
  const key = await a.page.inputValue('[data-testid=sync-key]');
  assert.match(key, /^[0-9a-f]{64}$/);
  // Validation next to the field.
  await a.page.fill('[data-testid=sync-key]', 'abc');
  await a.page.locator('[data-testid=sync-key-error]').waitFor();
  assert.ok(await a.page.locator('[data-testid=sync-export]').isDisabled());

  // On A: a household earns 25 points (enough for one canteen voucher of 20).
  await openParticipation(a.page);
  let hid = null;
  for (let h = 4500; h > 4300 && hid === null; h--) {
    if (await balanceOf(a.page, h) === 0) hid = h;
  }
  assert.ok(hid, 'a household without points');
  assert.match(await earn(a.page, await addActivity(a.page, '技能分享：智能手机', 4, [hid])), /已为 1 户/);
  assert.match(await earn(a.page, await addActivity(a.page, '楼栋议事角：加装电梯', 1, [hid])), /已为 1 户/);
  await expectBalance(a.page, hid, 25);

  // First exchange both ways (B starts from the same demo: equal records share revisions).
  let t0 = Date.now();
  await exportFor(a.page, key, 'B', `${OUT}sync-a0.json`);
  const exportMs = Date.now() - t0;
  const aId = await replicaOf(a.page);
  t0 = Date.now();
  const first = await importFile(b.page, key, `${OUT}sync-a0.json`);
  const importMs = Date.now() - t0;
  assert.ok(first.written > 4000, `written ${first.written}`);
  const bId = await replicaOf(b.page);
  assert.notEqual(aId, bId);
  await exportFor(b.page, key, aId, `${OUT}sync-b0.json`);
  await importFile(a.page, key, `${OUT}sync-b0.json`);
  console.log(`first exchange of the demo: export ${exportMs} ms, import ${importMs} ms`);

  // Offline edits. Household 5: A the notes, B the phone. Household 6: both the notes.
  await edit(a.page, 5, { '#f-notes': 'A 的备注 5' });
  await edit(b.page, 5, { '#f-contact_phone': '13911112222' });
  // …and its group, to two other groups (the conflict view shows their names, not codes).
  await a.page.goto(env.base + '#/register/6');
  await a.page.locator('#f-group').waitFor({ timeout: 60_000 });
  const groupNow = await a.page.inputValue('#f-group');
  const [groupA, groupB] = (await a.page.locator('#f-group option').evaluateAll((os) => os.map((o) => [o.value, o.textContent])))
    .filter(([v]) => v && v !== groupNow);
  await edit(a.page, 6, { '#f-notes': 'A 写的 6', '#f-group': groupA[0] });
  await edit(b.page, 6, { '#f-notes': 'B 写的 6', '#f-group': groupB[0] });
  // Both redeem the household's last voucher (25 points: one voucher each, offline).
  assert.match(await redeemVoucher(a.page, hid), /已兑换/);
  assert.match(await redeemVoucher(b.page, hid), /已兑换/);
  const before = await householdCount(a.page);
  const newA = await addHousehold(a.page, '甲新住户', '13700000001');
  const newB = await addHousehold(b.page, '乙新住户', '13700000002');
  assert.equal(newA, newB, 'both devices gave the same next id');

  // A → B, then B → A.
  const fa = await exportFor(a.page, key, bId, `${OUT}sync-a1.json`);
  const rb = await importFile(b.page, key, `${OUT}sync-a1.json`);
  assert.ok(rb.conflicts >= 1, 'the same field is a conflict on B');
  const fb = await exportFor(b.page, key, aId, `${OUT}sync-b1.json`);
  const ra = await importFile(a.page, key, `${OUT}sync-b1.json`);
  assert.equal(ra.conflicts, rb.conflicts, 'the same conflicts on both');
  // The double redemption is flagged on both (the later entry, to reverse), not dropped.
  assert.ok(ra.flags >= 1 && ra.flags === rb.flags, `flags ${ra.flags} / ${rb.flags}`);
  await a.page.locator(`[data-testid=sync-flag][data-household="${hid}"]`).first().waitFor();
  const row = a.page.locator('[data-testid=sync-conflict][data-store=households][data-key="6"][data-field=notes]').first();
  await row.waitFor();
  const who = await row.textContent();
  // Store and field in words (住户, 备注), never their keys.
  assert.match(who, /住户/);
  assert.match(who, /备注/);
  assert.doesNotMatch(who, /households|notes/);
  await openParticipation(a.page);
  await expectBalance(a.page, hid, -15); // both redemptions kept in the ledger

  // Converged: both show the same values; the different-field edits are both there.
  const va5 = await values(a.page, 5);
  const vb5 = await values(b.page, 5);
  assert.deepEqual(va5, vb5);
  assert.deepEqual(va5, { notes: 'A 的备注 5', phone: '13911112222' });
  const va6 = await values(a.page, 6);
  const vb6 = await values(b.page, 6);
  assert.deepEqual(va6, vb6);
  assert.ok(['A 写的 6', 'B 写的 6'].includes(va6.notes));
  // Both new households kept on both (B's, never sent before, got the next free id).
  for (const p of [a.page, b.page]) {
    assert.equal(await householdCount(p), before + 2);
    assert.equal(await memberName(p, newA), '甲新住户');
    assert.equal(await memberName(p, newA + 1), '乙新住户');
  }

  // The cockpit shows the conflicts waiting.
  await a.page.goto(env.base + '#/workspace');
  const line = a.page.locator('[data-testid=cockpit-sync]');
  await line.waitFor({ timeout: 60_000 });
  assert.equal(Number(await line.getAttribute('data-conflicts')), ra.conflicts);
  assert.ok(ra.conflicts >= 1);

  // A guide on A looks at both values, keeps B's and saves; after one more exchange the
  // conflict is gone on B too, with B's value.
  await openSync(a.page, key);
  await a.page.click('[data-testid=sync-show-values]');
  const rec = a.page.locator('[data-testid=sync-open][data-store=households][data-key="6"]');
  await rec.waitFor({ timeout: 60_000 });
  assert.ok(await rec.locator('[data-testid=sync-resolve]').isDisabled(), 'nothing chosen yet');
  // The sync section with its conflict table and the conflict view passes axe.
  assert.deepEqual(await axeViolations(a.page, 'settings sync conflicts'), []);
  await rec.screenshot({ path: `${OUT}sync-conflict-view.png` });
  // The record by its address, each field by its label, each value as the form shows it.
  assert.match(await rec.locator('[data-testid=sync-open-title]').textContent(), /单元 .+（住户 6）/);
  assert.equal((await rec.locator('[data-testid=sync-open-field][data-field=notes] legend').textContent()).trim(), '备注');
  const group = rec.locator('[data-testid=sync-open-field][data-field=group]');
  assert.equal((await group.locator('legend').textContent()).trim(), '群体');
  const groupTexts = (await group.locator('[data-testid=sync-pick-text]').allTextContents()).sort();
  assert.deepEqual(groupTexts, [groupA[1], groupB[1]].sort(), 'group names, not codes');
  await rec.locator('input[type=radio][data-value="B 写的 6"]').check();
  assert.ok(await rec.locator('[data-testid=sync-resolve]').isDisabled(), 'the group is not chosen yet');
  await group.locator(`input[type=radio][data-value="${groupB[0]}"]`).check();
  await rec.locator('[data-testid=sync-resolve]').click();
  await a.page.locator('[data-testid=sync-resolved]').waitFor(LONG);
  await exportFor(a.page, key, bId, `${OUT}sync-a2.json`);
  const rb2 = await importFile(b.page, key, `${OUT}sync-a2.json`);
  assert.equal(rb2.conflicts, ra.conflicts - 2, 'both fields of household 6 resolved');
  assert.equal((await values(b.page, 6)).notes, 'B 写的 6');
  await b.page.goto(env.base + '#/register/6');
  await b.page.locator('#f-group').waitFor({ timeout: 60_000 });
  assert.equal(await b.page.inputValue('#f-group'), groupB[0]);
  assert.equal((await values(a.page, 6)).notes, 'B 写的 6');

  // The files carry none of the planted strings (sealed bodies, keyed ids).
  for (const text of [fa, fb]) {
    for (const needle of ['A 的备注', 'B 写的', '甲新住户', '13911112222', 'households', 'contact_name']) {
      assert.ok(!text.includes(needle), `a sync file holds ${needle}`);
    }
  }

  // Importing the same file again writes nothing; another key is refused.
  const again = await importFile(a.page, key, `${OUT}sync-b1.json`);
  assert.equal(again.written, 0);
  await openSync(a.page, 'f'.repeat(64));
  await a.page.setInputFiles('[data-testid=sync-file]', `${OUT}sync-b1.json`);
  await a.page.locator('[data-testid=sync-error]').waitFor(LONG);

  // The same files as `linli sync-file`: B's backup (with the `_sync` state the browser
  // wrote) takes a browser file carrying a new edit of A; the CLI's file for A opens
  // in A's browser.
  await edit(a.page, 7, { '#f-notes': 'CLI 读到的 7' });
  await exportFor(a.page, key, bId, `${OUT}sync-a3.json`);
  await b.page.goto(env.base + '#/settings');
  await b.page.locator('[data-testid=backup-settings]').waitFor({ timeout: 60_000 });
  await exportBackupJson(b.page, `${OUT}sync-b-backup.json`);
  writeFileSync(`${OUT}sync.key`, key + '\n');
  const cli = (...args) => JSON.parse(execFileSync(CLI, args, { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] }));
  const cliIn = cli('sync-file', 'import', `${OUT}sync-b-backup.json`, `${OUT}sync-a3.json`,
    '--allow-plain', '--sync-key-file', `${OUT}sync.key`);
  assert.equal(cliIn.replica, bId, 'the CLI reads the browser\'s replica');
  assert.ok(cliIn.written >= 1, JSON.stringify(cliIn));
  assert.ok(readFileSync(`${OUT}sync-b-backup.json`, 'utf8').includes('CLI 读到的 7'), 'the edit reached the backup');
  const cliOut = cli('sync-file', 'export', `${OUT}sync-b-backup.json`, '--peer', aId, '--out', `${OUT}sync-cli.json`,
    '--allow-plain', '--sync-key-file', `${OUT}sync.key`);
  assert.ok(cliOut.docs >= 0);
  await importFile(a.page, key, `${OUT}sync-cli.json`);

  assert.deepEqual(a.errors, []);
  assert.deepEqual(b.errors, []);
  await a.context.close();
  await b.context.close();
});
