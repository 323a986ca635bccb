// End-to-end: encrypted backups (issue #16 item 4). The workspace exports an age file
// (a passphrase, or the street office's saved X25519 keys) that `linli` and the reference
// `age` tool open; it restores a backup written by `linli demo --passphrase-file`; a
// wrong passphrase, a wrong key and an edited file are refused with a plain Chinese
// message and change nothing; a legacy plain backup restores only after its warning is
// confirmed. Needs LINLI_CLI (the `linli` binary) and Debian's `age`/`age-keygen`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { start, waitForDemo, OUT, BACKUP_PASSPHRASE, exportBackup, chooseBackup, decryptAge, readStore } from './harness.mjs';

const CLI = process.env.LINLI_CLI ?? new URL('../../target/ci/linli', import.meta.url).pathname;

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

async function openSettings(page) {
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=backup-settings]').waitFor();
}

const countOf = async (page, store) =>
  Number(await page.locator(`[data-testid=counts] tr[data-store=${store}] td`).textContent());

// Reads records straight from IndexedDB (layout: {key fields…, _json}).

async function clearAll(page) {
  await page.click('[data-testid=demo-clear]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: /^0$/ }).waitFor();
}

async function restoreConfirmed(page) {
  await page.locator('[data-testid=restore-valid]').waitFor({ timeout: 60_000 });
  await page.click('[data-testid=restore-confirm]');
  await page.locator('[data-testid=restore-done]').waitFor();
}

// `linli score FILE --passphrase-file` (or other secrets): its `file` header.
function cliHeader(file, ...secrets) {
  const out = execFileSync(CLI, ['score', file, ...secrets], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out).file;
}

const passFile = `${OUT}backup-pass.txt`;

test('an exported backup is an age file that `linli` opens; restoring it brings every household back', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  const households = await countOf(page, 'households');
  assert.ok(households > 0);

  // The passphrase is typed twice, has a minimum length and a strength hint.
  const exportButton = page.locator('[data-testid=export]');
  await page.fill('[data-testid=backup-pass]', 'short');
  assert.match(await page.locator('[data-testid=backup-pass-strength]').textContent(), /太短/);
  assert.ok(await exportButton.isDisabled());
  await page.fill('[data-testid=backup-pass]', BACKUP_PASSPHRASE);
  await page.fill('[data-testid=backup-pass2]', BACKUP_PASSPHRASE + 'x');
  await page.locator('[role=alert]', { hasText: '两次输入的口令不一致' }).waitFor();
  assert.ok(await exportButton.isDisabled());
  assert.match(await page.locator('[data-testid=backup-pass-strength]').textContent(), /强度/);

  const file = await exportBackup(page, `${OUT}backup-app.age`);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 21).toString('latin1'), 'age-encryption.org/v1');
  assert.equal(bytes.indexOf('linli-backup'), -1, 'nothing of the backup is in clear');
  // The export is in the history, with who made it.
  const entry = (await readStore(page, 'audit_log')).filter((e) => e.summary.startsWith('backup:')).at(-1);
  assert.ok(entry && entry.actor.length > 0 && /passphrase/.test(entry.summary));

  // `linli` opens it with the passphrase, and refuses it without or with a wrong one.
  writeFileSync(passFile, BACKUP_PASSPHRASE + '\n');
  const header = cliHeader(file, '--passphrase-file', passFile);
  assert.equal(header.households, households);
  writeFileSync(`${OUT}backup-wrong-pass.txt`, 'not the passphrase at all\n');
  assert.throws(() => cliHeader(file, '--passphrase-file', `${OUT}backup-wrong-pass.txt`));
  assert.throws(() => cliHeader(file));
  // A third reader (Node's crypto) finds the plain backup the CLI writes inside.
  const inner = JSON.parse(decryptAge(bytes, BACKUP_PASSPHRASE).toString('utf8'));
  assert.equal(inner.format, 'linli-backup');
  assert.equal(inner.counts.households, households);

  // Clear everything, then restore it: a wrong passphrase first (refused, nothing
  // changes, the guide can try again), then the right one.
  await clearAll(page);
  await page.setInputFiles('[data-testid=restore-file]', file);
  await page.locator('[data-testid=restore-secret]').waitFor();
  await page.fill('[data-testid=restore-secret-input]', 'not the passphrase at all');
  await page.click('[data-testid=restore-decrypt]');
  const err = page.locator('[data-testid=restore-error]');
  await err.waitFor({ timeout: 60_000 });
  assert.match(await err.textContent(), /未做任何更改.*口令不正确/);
  assert.equal(await countOf(page, 'households'), 0);
  await page.fill('[data-testid=restore-secret-input]', BACKUP_PASSPHRASE);
  await page.click('[data-testid=restore-decrypt]');
  // Decrypting shows its state, and the page answers meanwhile (the work is in a worker).
  await page.locator('[data-testid=restore-decrypting]', { hasText: '正在解密' }).waitFor();
  const t0 = Date.now();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  assert.ok(Date.now() - t0 < 500, 'the page renders frames while decrypting');
  await restoreConfirmed(page);
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: new RegExp(`^${households}$`) }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('an edited age backup is refused and nothing changes', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  const households = await countOf(page, 'households');
  const file = await exportBackup(page, `${OUT}backup-edit.age`);
  const bytes = readFileSync(file);
  const at = bytes.length - 100;
  const edited = Buffer.from(bytes);
  edited[at] ^= 0x20;
  writeFileSync(`${OUT}backup-edited.age`, edited);
  const cut = bytes.subarray(0, bytes.length - 64);
  writeFileSync(`${OUT}backup-cut.age`, cut);
  for (const f of [`${OUT}backup-edited.age`, `${OUT}backup-cut.age`]) {
    // `linli` refuses it too.
    assert.throws(() => cliHeader(f, '--passphrase-file', passFile));
    assert.equal(await chooseBackup(page, f), 'age');
    const err = page.locator('[data-testid=restore-error]');
    await err.waitFor({ timeout: 60_000 });
    assert.match(await err.textContent(), /未做任何更改.*已损坏或被改动过/);
    assert.equal(await page.locator('[data-testid=restore-valid]').count(), 0);
    await page.getByRole('button', { name: '取消' }).first().click();
  }
  assert.equal(await countOf(page, 'households'), households);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a backup written by `linli demo --passphrase-file` restores in the app', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  const file = `${OUT}backup-cli-demo.age`;
  rmSync(file, { force: true });
  execFileSync(CLI, ['demo', '--seed', '11', '--households', '120', '--out', file, '--passphrase-file', passFile]);
  assert.equal(readFileSync(file).subarray(0, 21).toString('latin1'), 'age-encryption.org/v1');
  const header = cliHeader(file, '--passphrase-file', passFile);
  assert.equal(await chooseBackup(page, file), 'age');
  await restoreConfirmed(page);
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: new RegExp(`^${header.households}$`) }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the street office keys: checked on entry; a backup to them opens with `age -d -i` and restores with the secret key', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  const keyFile = `${OUT}backup-office.key`;
  const otherFile = `${OUT}backup-other.key`;
  for (const f of [keyFile, otherFile]) {
    rmSync(f, { force: true });
    execFileSync('age-keygen', ['-o', f], { stdio: 'ignore' });
  }
  const secretOf = (f) => readFileSync(f, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'));
  const publicOf = (f) => readFileSync(f, 'utf8').match(/public key: (age1[0-9a-z]+)/)[1];

  // A typo and a pasted secret key are named next to the field; nothing is saved.
  const field = page.locator('[data-testid=backup-recipients]');
  await field.fill(`${publicOf(keyFile)}\nage1notakey`);
  await page.click('[data-testid=backup-settings-save]');
  await page.locator('[data-testid=backup-recipients-error]', { hasText: '第 2 行不是 age 公钥' }).waitFor();
  await field.fill(secretOf(keyFile));
  await page.click('[data-testid=backup-settings-save]');
  await page.locator('[data-testid=backup-recipients-error]', { hasText: '第 1 行是私钥' }).waitFor();
  assert.equal((await readStore(page, 'settings')).find((s) => s.key === 'backup_recipients'), undefined);
  await field.fill(`# 街道办\n${publicOf(keyFile)}\n`);
  await page.click('[data-testid=backup-settings-save]');
  await page.locator('[data-testid=backup-settings-msg]', { hasText: '已保存' }).waitFor();
  const saved = (await readStore(page, 'settings')).find((s) => s.key === 'backup_recipients');
  assert.deepEqual(JSON.parse(saved.value), [publicOf(keyFile)]);

  // Export to the saved key: the reference `age` tool opens it with the secret key.
  await page.check('[data-testid=backup-method-keys]');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=export]')]);
  const file = `${OUT}backup-to-office.age`;
  await download.saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 21).toString('latin1'), 'age-encryption.org/v1');
  const plain = JSON.parse(execFileSync('age', ['-d', '-i', keyFile, file], { maxBuffer: 256 << 20 }));
  assert.equal(plain.format, 'linli-backup');
  assert.equal(cliHeader(file, '--identity', keyFile).households, plain.counts.households);

  // The app: the other key is refused, a passphrase is refused, the right key restores.
  assert.equal(await chooseBackup(page, file, secretOf(otherFile)), 'age');
  await page.locator('[data-testid=restore-error]', { hasText: '不是这份备份的接收方' }).waitFor({ timeout: 60_000 });
  await page.fill('[data-testid=restore-secret-input]', BACKUP_PASSPHRASE);
  await page.click('[data-testid=restore-decrypt]');
  await page.locator('[data-testid=restore-error]', { hasText: '加密给公钥' }).waitFor({ timeout: 60_000 });
  await page.fill('[data-testid=restore-secret-input]', secretOf(keyFile));
  await page.click('[data-testid=restore-decrypt]');
  await page.locator('[data-testid=restore-valid]').waitFor({ timeout: 60_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a legacy plain backup restores only after its warning is confirmed', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openSettings(page);
  const file = `${OUT}backup-legacy.json`;
  rmSync(file, { force: true });
  execFileSync(CLI, ['demo', '--seed', '5', '--households', '80', '--out', file]);
  const header = JSON.parse(readFileSync(file, 'utf8'));
  await page.setInputFiles('[data-testid=restore-file]', file);
  const warning = page.locator('[data-testid=restore-legacy]');
  await warning.waitFor();
  assert.match(await warning.textContent(), /未加密.*没有经过认证/);
  const go = page.locator('[data-testid=restore-legacy-continue]');
  assert.ok(await go.isDisabled(), 'not without the confirmation');
  assert.equal(await page.locator('[data-testid=restore-valid]').count(), 0);
  await page.check('[data-testid=restore-legacy-ok]');
  await go.click();
  await restoreConfirmed(page);
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: new RegExp(`^${header.counts.households}$`) }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
