// End-to-end: the residents' dashboard on signed folders (issue #15, item 4): the key's
// fingerprint and a witness's cosignature are shown; the page remembers the newest head
// it verified and warns on a rollback or a fork; the notice's QR head is compared; a
// missing history index is "not verifiable", not "offline"; an offline copy is labelled
// with its date.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, DIST, OUT } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = process.env.LINLI_CLI
  ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'ci', 'linli');
const SITE = join(DIST, 'site');
const AT = 1_795_492_800_000; // 2026-11-24 12:00 China time
const DAY = 86_400_000;

const work = mkdtempSync(join(tmpdir(), 'linli-trust-'));
const backup = join(work, 'demo.json');
const key = join(work, 'community.key');
const wkey = join(work, 'witness.key');
let fingerprint = '';

const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });
const publish = (dir, at) => cli('publish', backup, '--out', dir, '--site', SITE, '--at', String(at), '--key', key);
// The folder `name` after publications at `times` (copied from the folder before it).
const snapshotOf = (dir) => JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8'));

let servers = [];
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(work, { recursive: true, force: true });
});

const two = join(work, 'two');
const three = join(work, 'three');
const forked = join(work, 'forked');

before(() => {
  cli('demo', '--seed', '2026', '--created-at', String(AT), '--out', backup);
  // A key whose vkey's base64 holds a '+' (about half of all keys): the page must not
  // split the vkey there. Keys are random, so draw until one does (deterministic test).
  for (let i = 0; ; i++) {
    const k = JSON.parse(cli('keygen', '--out', join(work, `draw-${i}.key`)));
    if (k.vkey.split('+').length > 3 || i === 63) {
      assert.ok(k.vkey.split('+').length > 3, 'a vkey with + in its base64 within 64 draws');
      cpSync(k.file, key);
      fingerprint = k.fingerprint;
      break;
    }
  }
  cli('keygen', '--witness', '--name', 'street.example/witness', '--out', wkey);
  publish(two, AT - 2 * DAY);
  publish(two, AT - DAY);
  cpSync(two, three, { recursive: true });
  publish(three, AT);
  cli('witness', 'add', join(work, 'state'), three, '--key', wkey, '--at', String(AT / 1000));
  // Another history of the same length, correctly signed.
  publish(forked, AT - 3 * DAY);
  publish(forked, AT - DAY);
  publish(forked, AT);
  assert.equal(JSON.parse(cli('verify', three)).fingerprint, fingerprint);
});

// A folder served at one address whose content is swapped between visits.
async function live(first) {
  const dir = join(work, `live-${Math.random().toString(36).slice(2)}`);
  cpSync(first, dir, { recursive: true });
  const env = await start(dir);
  servers.push(env);
  const { page, context, errors } = await env.newPage({ width: 390, height: 844 });
  const swap = (from) => { rmSync(dir, { recursive: true, force: true }); cpSync(from, dir, { recursive: true }); };
  return { env, page, context, errors, swap, dir };
}

const trustText = (page) => page.locator('[data-testid=trust]').innerText();

test('the fingerprint and the witness cosignature are shown', async () => {
  const { env, page } = await live(three);
  await page.goto(env.base);
  await page.locator('[data-testid=witness]').waitFor({ timeout: 30_000 });
  const t = await trustText(page);
  assert.ok(t.includes(fingerprint), t);
  assert.ok(t.includes('street.example/witness') && t.includes('2026-11-24'), t);
  await page.locator('[data-testid=chain]', { hasText: '校验通过' }).waitFor();
});

test('a rollback and a fork are warned about', async () => {
  const { env, page, swap } = await live(three);
  await page.goto(env.base);
  await page.locator('[data-testid=chain]', { hasText: '校验通过' }).waitFor({ timeout: 30_000 });
  await page.locator('[data-testid=trust]').waitFor();
  assert.equal(await page.locator('[data-testid=warning]').count(), 0);
  // The host serves the older folder: rollback.
  swap(two);
  await page.reload();
  await page.locator('[data-testid=warning]', { hasText: '回退' }).waitFor({ timeout: 30_000 });
  // Another history with the same sequence: fork.
  swap(forked);
  await page.reload();
  await page.locator('[data-testid=warning]', { hasText: '分叉' }).waitFor({ timeout: 30_000 });
  // Back to the real one: no warning.
  swap(three);
  await page.reload();
  await page.locator('[data-testid=trust]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=warning]').count(), 0);
});

test('the head printed on the notice is compared', async () => {
  const { env, page } = await live(two);
  const printed = snapshotOf(three);
  await page.goto(`${env.base}#head=${printed.content.sequence}-${printed.sha256}`);
  await page.locator('[data-testid=warning]', { hasText: '公示栏' }).waitFor({ timeout: 30_000 });
  const notice = readFileSync(join(three, 'notice.html'), 'utf8');
  assert.ok(notice.includes(fingerprint));
});

test('a missing history index is not verifiable, not offline', async () => {
  const { env, page, dir } = await live(three);
  rmSync(join(dir, 'snapshots', 'index.json'));
  await page.goto(env.base);
  await page.locator('[data-testid=chain]', { hasText: '无法核验' }).waitFor({ timeout: 30_000 });
  assert.ok(!(await page.locator('[data-testid=chain]').innerText()).includes('离线'));
});

test('an offline copy is labelled with its date', async () => {
  const { env, page, context } = await live(three);
  await page.goto(env.base);
  await page.locator('[data-testid=headline]').waitFor({ timeout: 30_000 });
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.locator('[data-testid=trust]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=offline]').count(), 0, 'online: not an offline copy');
  await context.setOffline(true);
  await page.reload();
  const label = page.locator('[data-testid=offline]');
  await label.waitFor({ timeout: 30_000 });
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  assert.ok((await label.innerText()).includes(today));
  await context.setOffline(false);
});

// The publisher's signature line of a checkpoint with one bit of the signature flipped
// (still well-formed base64 of the right length).
function tamper(note) {
  const split = note.lastIndexOf('\n\n');
  const origin = note.split('\n')[0];
  const sigs = note.slice(split + 2).split('\n').map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== origin) return line;
    const b = Buffer.from(m[2], 'base64');
    b[b.length - 1] ^= 1;
    return `\u2014 ${m[1]} ${b.toString('base64')}`;
  });
  return note.slice(0, split + 2) + sigs.join('\n');
}

test('a tampered signature is refused by the page and by linli verify', async () => {
  const { env, page, dir } = await live(three);
  const cp = join(dir, 'checkpoint');
  const good = readFileSync(cp, 'utf8');
  const bad = tamper(good);
  assert.notEqual(bad, good);
  writeFileSync(cp, bad);
  await page.goto(env.base);
  await page.locator('[data-testid=warning]', { hasText: '签名无效' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=signature]').count(), 0, 'no "signed" line beside the warning');
  await page.screenshot({ path: join(OUT, 'trust-tampered-signature-390.png'), fullPage: true });
  assert.throws(() => cli('verify', dir), 'linli verify refuses the tampered checkpoint');
  // The untampered folder: the signature is checked and good.
  writeFileSync(cp, good);
  await page.reload();
  await page.locator('[data-testid=signature]', { hasText: '签名已核验' }).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=warning]').count(), 0);
});

test('another publishing key later is warned about', async () => {
  const other = join(work, 'other.key');
  const otherPrint = JSON.parse(cli('keygen', '--out', other)).fingerprint;
  assert.notEqual(otherPrint, fingerprint);
  // The same history, extended and signed with another key (a host that re-signs).
  const resigned = join(work, 'resigned');
  cpSync(three, resigned, { recursive: true });
  cli('publish', backup, '--out', resigned, '--site', SITE, '--at', String(AT + DAY), '--key', other);
  const { env, page, swap } = await live(three);
  await page.goto(env.base);
  await page.locator('[data-testid=signature]', { hasText: fingerprint }).waitFor({ timeout: 30_000 });
  swap(resigned);
  await page.reload();
  const w = page.locator('[data-testid=warning]', { hasText: '发布密钥已变更' });
  await w.waitFor({ timeout: 30_000 });
  assert.ok((await w.innerText()).includes(fingerprint), 'names the key seen before');
});
