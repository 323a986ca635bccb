// End-to-end: the protected workspace (issue #16) on a guide's 1366×768 laptop.
// The demo opens without a passphrase, marked as demo data; setting the first
// passphrase seals every record in place (IndexedDB then holds no resident's
// name); the recovery code is shown once; writes are recorded under the guide's
// name; a second guide, an auditor, is added and can read and export but
// not change (forms disabled); lock on demand, after a reload and after idle
// time; the wrong passphrase is refused; the recovery code sets a new one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { start, waitForDemo, OUT } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

// Every stored object of every store as JSON text, read straight from IndexedDB.
async function rawDump(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('linli:' + new URL('.', document.baseURI).pathname);
    open.onerror = () => reject(open.error);
    open.onsuccess = async () => {
      const db = open.result;
      const out = [];
      for (const name of db.objectStoreNames) {
        const all = await new Promise((res, rej) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        });
        for (const v of all) out.push(JSON.stringify(v, (k, x) => (x instanceof Uint8Array ? `bytes:${x.length}` : x)));
      }
      db.close();
      resolve(out.join('\n'));
    };
  }));
}

async function firstHouseholds(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('linli:' + new URL('.', document.baseURI).pathname);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const r = db.transaction('households').objectStore('households').get(0);
      r.onsuccess = () => { db.close(); resolve(JSON.parse(r.result._json)); };
      r.onerror = () => reject(r.error);
    };
  }));
}

const PASS = '社区 guide 2026 口令';
const AUDIT_PASS = 'auditor passphrase 9';

async function unlock(page, guide, pass) {
  await page.locator('[data-testid=lock-screen]').waitFor();
  await page.selectOption('[data-testid=lock-guide]', { label: guide });
  await page.fill('[data-testid=unlock-pass]', pass);
  const t0 = Date.now();
  await page.click('[data-testid=unlock]');
  await page.locator('[data-testid=acting-guide]', { hasText: guide }).waitFor({ timeout: 20_000 });
  return Date.now() - t0;
}

test('guide journey: first passphrase, sealed storage, named history, lock, unlock, auto-lock, recovery', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.locator('[data-testid=demo-banner]').waitFor();
  const residents = (await firstHouseholds(page)).slice(0, 20);
  const names = residents.map((h) => h.contact_name).filter((n) => n.length >= 2);
  const phones = residents.map((h) => h.contact_phone).filter((p) => p.length >= 7);
  assert.ok(names.length > 5 && phones.length > 5);
  const before = await rawDump(page);
  assert.ok(names.every((n) => before.includes(n)), 'names are in clear before a passphrase is set');
  // Importing real data now would store it in clear: the import says so.
  await page.goto(base + '#/register');
  await page.locator('[data-testid=plain-import-warning]').waitFor();

  // First passphrase: validation next to the form, then sealing in place.
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=setup-form]').waitFor();
  await page.fill('#setup-name', '王芳');
  await page.fill('#setup-pass', 'short');
  await page.fill('#setup-confirm', 'short');
  await page.click('[data-testid=setup-submit]');
  await page.locator('[data-testid=setup-msg]', { hasText: '至少 8' }).waitFor();
  await page.fill('#setup-pass', PASS);
  await page.fill('#setup-confirm', PASS + 'x');
  await page.click('[data-testid=setup-submit]');
  await page.locator('[data-testid=setup-msg]', { hasText: '不一致' }).waitFor();
  await page.fill('#setup-confirm', PASS);
  await page.click('[data-testid=setup-submit]');
  const code = (await page.locator('[data-testid=recovery-code]').textContent({ timeout: 60_000 })).trim();
  assert.match(code, /^([0-9A-Z]{4}-){8}[0-9A-Z]{4}$/);
  await page.locator('[data-testid=acting-guide]', { hasText: '王芳' }).waitFor();
  assert.equal(await page.locator('[data-testid=demo-banner]').count(), 0);
  await page.screenshot({ path: `${OUT}vault-recovery-code.png` });
  await page.click('[data-testid=recovery-kept]');

  const sealed = await rawDump(page);
  for (const s of [...names, ...phones]) assert.ok(!sealed.includes(s), `"${s}" readable in IndexedDB after sealing`);
  assert.ok(!/"_json"/.test(sealed.split('\n').filter((l) => !l.includes('"key":"vault"')).join('\n')), 'a record kept in clear');
  // Household flags are blind indexes (a resource's category "disability" is about no one and stays).
  const pages = sealed.split('\n').filter((l) => l.startsWith('{"page":'));
  assert.ok(pages.length > 10);
  assert.ok(!pages.some((l) => l.includes('"disability"') || l.includes('"dibao"') || l.includes('"tenant"')), 'a flag readable in a household page');

  // Every record kept: the register still lists the same households and filters work.
  await page.goto(base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  assert.equal(await page.locator('[data-testid=plain-import-warning]').count(), 0, 'plain-import warning once sealed');
  const total = Number((await page.locator('[data-testid=result-count]').textContent()).match(/\d+/)[0]);
  assert.ok(total >= residents.length);
  await page.fill('[data-testid=name-search]', names[0].slice(0, 1));
  await page.locator('tr.vrow td', { hasText: names[0] }).first().waitFor();

  // A write is recorded under the guide's name.
  await page.goto(base + `#/register/${residents[0].id}`);
  await page.locator('#f-room').waitFor();
  await page.fill('#f-room', '2718');
  await page.click('[data-testid=save]');
  await page.locator('[data-testid=saved]').waitFor();
  await page.locator('[data-testid=history] tbody tr', { hasText: '王芳' }).first().waitFor();

  // A second guide, an auditor, with their own passphrase.
  await page.goto(base + '#/settings');
  await page.fill('#add-name', '李审计');
  await page.selectOption('[data-testid=add-role]', 'auditor');
  await page.fill('#add-pass', AUDIT_PASS);
  await page.fill('#add-confirm', AUDIT_PASS);
  await page.click('[data-testid=add-guide-submit]');
  await page.locator('[data-testid=add-guide-msg]', { hasText: '已添加' }).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('[data-testid=guide-row]').count(), 2);

  // Lock on demand: nothing personal on the page.
  await page.click('[data-testid=lock-now]');
  await page.locator('[data-testid=lock-screen]').waitFor();
  const lockedText = await page.locator('body').innerText();
  for (const n of names) assert.ok(!lockedText.includes(n), `locked page shows ${n}`);
  await page.screenshot({ path: `${OUT}vault-locked.png` });

  // Still locked after a reload; the wrong passphrase is refused.
  await page.reload();
  await page.locator('[data-testid=lock-screen]').waitFor();
  await page.selectOption('[data-testid=lock-guide]', { label: '王芳' });
  await page.fill('[data-testid=unlock-pass]', 'not the passphrase');
  await page.click('[data-testid=unlock]');
  await page.locator('[data-testid=lock-error]', { hasText: '口令不正确' }).waitFor({ timeout: 20_000 });
  const ms = await unlock(page, '王芳', PASS);
  console.log(`FIGURE vault_unlock_ms: ${ms} (Argon2id tuned on this machine + unwrap + first view)`);
  await page.goto(base + `#/register/${residents[0].id}`);
  await page.locator('#f-room').waitFor();
  assert.equal(await page.inputValue('#f-room'), '2718');

  // Auto-lock after the idle minutes (the page's clock moved 16 minutes on).
  await page.evaluate(() => { const real = Date.now.bind(Date); Date.now = () => real() + 16 * 60_000; });
  await page.locator('[data-testid=lock-screen]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#f-room').count(), 0);
  await page.reload();

  // The auditor unlocks with their own passphrase.
  await unlock(page, '李审计', AUDIT_PASS);
  await page.locator('[data-testid=acting-guide]', { hasText: '审计员' }).waitFor();
  // An auditor reads but cannot change: the household form is disabled under a note…
  await page.goto(base + `#/register/${residents[0].id}`);
  await page.locator('#f-room').waitFor();
  assert.equal(await page.inputValue('#f-room'), '2718');
  assert.ok(await page.locator('#f-room').isDisabled(), 'an auditor can edit a household');
  assert.ok(await page.locator('[data-testid=save]').isDisabled(), 'an auditor can save');
  await page.locator('[data-testid=read-only-note]').first().waitFor();
  // …and so is the register's import, while its export still works.
  await page.goto(base + '#/register');
  await page.locator('[data-testid=csv-export]').waitFor();
  assert.ok(await page.locator('input[type=file]').first().isDisabled(), 'an auditor can import');
  assert.equal(await page.locator('[data-testid=new-household]').count(), 0, 'an auditor is offered a new household');
  const [audited] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv-export]')]);
  const exported = readFileSync(await audited.path(), 'utf8');
  assert.ok(exported.split('\n').length > 100, "the auditor's export is empty");
  await page.screenshot({ path: `${OUT}vault-auditor.png` });
  await page.click('[data-testid=lock-now]');

  // Forgotten passphrase: the recovery code sets a new one.
  await page.locator('[data-testid=lock-screen]').waitFor();
  await page.getByRole('button', { name: '忘记口令？用恢复码解锁' }).click();
  await page.selectOption('[data-testid=lock-guide]', { label: '王芳' });
  await page.fill('[data-testid=recover-code]', code.replace(/-/g, ' ').toLowerCase());
  await page.fill('[data-testid=recover-pass]', 'a brand new passphrase');
  await page.fill('[data-testid=recover-confirm]', 'a brand new passphrase');
  await page.getByRole('button', { name: '用恢复码解锁并设置新口令' }).click();
  await page.locator('[data-testid=acting-guide]', { hasText: '王芳' }).waitFor({ timeout: 30_000 });
  await page.click('[data-testid=lock-now]');
  await unlock(page, '王芳', 'a brand new passphrase');
  await page.screenshot({ path: `${OUT}vault-unlocked.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

// Sets the first passphrase from #/settings and returns the recovery code.
async function setPassphrase(page, name, pass) {
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=setup-form]').waitFor();
  await page.fill('#setup-name', name);
  await page.fill('#setup-pass', pass);
  await page.fill('#setup-confirm', pass);
  await page.click('[data-testid=setup-submit]');
  const code = (await page.locator('[data-testid=recovery-code]').textContent({ timeout: 60_000 })).trim();
  await page.click('[data-testid=recovery-kept]');
  return code;
}

test('a 100,000-household CSV import into a sealed workspace writes every row, sealed', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await setPassphrase(page, '张主任', PASS);
  await page.goto(base + '#/register');
  await page.locator('[data-testid=result-count]').waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv-export]')]);
  const file = `${OUT}vault-households.csv`;
  await download.saveAs(file);
  const { readFile, writeFile } = await import('node:fs/promises');
  const rows = (await readFile(file)).toString('utf8').replace(/^\uFEFF/, '').split('\r\n').filter((l) => l.length > 0);
  const body = rows.slice(1);
  const before = body.length;
  const big = ['\uFEFF' + rows[0]];
  for (let i = 0; big.length <= 100_000; i++) {
    const c = body[i % body.length].split(',');
    c[0] = String(10_000 + big.length);
    big.push(c.join(','));
  }
  await writeFile(`${OUT}vault-big.csv`, big.join('\r\n') + '\r\n');
  const t0 = Date.now();
  await page.setInputFiles('[data-testid=csv-file]', `${OUT}vault-big.csv`);
  await page.locator('[data-testid=csv-done]').waitFor({ timeout: 180_000 });
  console.log(`FIGURE csv_import_100k_sealed_ms ${Date.now() - t0}`);
  const want = String(before + 100_000);
  await page.waitForFunction((w) => document.querySelector('[data-testid=result-count]').textContent.startsWith(w), want, { timeout: 120_000 });
  const dump = await rawDump(page);
  const someName = body[0].split(',')[rows[0].split(',').indexOf('联系人')];
  assert.ok(someName && someName.length >= 2, `contact column found (${someName})`);
  assert.ok(!dump.includes(someName), 'an imported name is readable in IndexedDB');
  assert.deepEqual(errors, []);
  await context.close();
});
