// End-to-end: request lookup without a public list of codes (issue #15 item 5). The demo is
// published with `linli publish`; no tracking code of the register appears in snapshot.json
// (in any typed form) and no entry carries a due day; a resident on a 360 px phone types a
// real code in lower case with hyphens, presses Enter and sees the status and its days; a
// valid code that is not in the register is "not found in this publication"; a mistyped
// one is named as such; requests.json is fetched only on a lookup, and a changed one is
// refused. Screenshots in tests/e2e/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, DIST, OUT } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = process.env.LINLI_CLI
  ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'ci', 'linli');
const SITE = join(DIST, 'site');
const AT = 1_795_492_800_000; // 2026-11-24 12:00 China time

const work = mkdtempSync(join(tmpdir(), 'linli-lookup-'));
const backup = join(work, 'demo.json');
const site = join(work, 'site');
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });

let servers = [];
after(async () => {
  for (const s of servers) await s.stop();
  rmSync(work, { recursive: true, force: true });
});

before(() => {
  cli('demo', '--seed', '2026', '--created-at', String(AT), '--out', backup);
  // Two publications, as a community has: the lookup uses the newest.
  cli('publish', backup, '--out', site, '--site', SITE, '--at', String(AT - 86_400_000), '--url', 'https://example.org/community-a/');
  cli('publish', backup, '--out', site, '--site', SITE, '--at', String(AT), '--url', 'https://example.org/community-a/');
  assert.equal(JSON.parse(cli('verify', site)).snapshots, 2);
});

// Crockford base 32 with its mod-37 check symbol, as domain/src/requests/tracking.rs.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK = ALPHABET + '*~$=U';
function withCheck(data16) {
  let r = 0;
  for (const ch of data16) r = (r * 32 + ALPHABET.indexOf(ch)) % 37;
  return data16 + CHECK[r];
}
const display = (c) => `${c.slice(0, 4)}-${c.slice(4, 8)}-${c.slice(8, 12)}-${c.slice(12, 16)}-${c.slice(16)}`;
// The local (UTC+8) day of a time, YYYY-MM-DD.
const day = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const STATUS_ZH = { received: '已受理', assigned: '已分派', in_progress: '办理中', resolved: '已解决', closed: '已办结' };

test('the snapshot lists no tracking code and no due day', () => {
  const text = readFileSync(join(site, 'snapshot.json'), 'utf8');
  const requestsText = readFileSync(join(site, 'requests.json'), 'utf8');
  const requests = JSON.parse(readFileSync(backup, 'utf8')).payload.requests;
  assert.ok(requests.length > 100, `${requests.length} requests`);
  for (const r of requests) {
    for (const form of [r.tracking_code, display(r.tracking_code), r.tracking_code.toLowerCase(), display(r.tracking_code).toLowerCase()]) {
      assert.ok(!text.includes(form), `code ${form} is published`);
      assert.ok(!requestsText.includes(form), `code ${form} is published in requests.json`);
    }
  }
  // The first load (snapshot.json) carries no request; requests.json is sealed by the
  // content's requests_sha256.
  const snap = JSON.parse(text);
  assert.equal(snap.requests, undefined);
  assert.equal(snap.content.requests, undefined);
  assert.equal(snap.content.requests_sha256, createHash('sha256').update(requestsText).digest('hex'));
  const section = JSON.parse(requestsText);
  assert.match(section.salt, /^[0-9a-f]{32}$/);
  assert.equal(section.entries.length, requests.length);
  // No due day, except the first overdue day of a request still open past it at
  // publication (issue #17 item 11).
  for (const e of section.entries) {
    const open = ['received', 'assigned', 'in_progress'].includes(e.status);
    if (open && e.overdue_since !== undefined) {
      assert.deepEqual(Object.keys(e).sort(), ['history', 'key', 'overdue_since', 'status']);
      assert.match(e.overdue_since, /^\d{4}-\d{2}-\d{2}$/);
    } else {
      assert.deepEqual(Object.keys(e).sort(), ['history', 'key', 'status']);
    }
    assert.match(e.key, /^[0-9a-f]{20}$/);
  }
  assert.ok(section.entries.some((e) => e.overdue_since), 'the demo has open requests past due at publication');
  const keys = section.entries.map((e) => e.key);
  assert.deepEqual(keys, [...keys].sort(), 'sorted by key, not by time');
});

test('a resident looks a request up by its code on a phone, by keyboard', async () => {
  const requests = JSON.parse(readFileSync(backup, 'utf8')).payload.requests;
  const env = await start(site);
  servers.push(env);
  const { page, errors } = await env.newPage({ width: 360, height: 740 });
  const missingFiles = [];
  const fetched = [];
  page.on('response', (r) => { if (r.status() === 404) missingFiles.push(r.url()); });
  page.on('request', (r) => fetched.push(r.url()));
  await page.goto(env.base);
  await page.locator('[data-testid=lookup]').waitFor({ timeout: 30_000 });
  await page.waitForLoadState('networkidle');
  assert.ok(!fetched.some((u) => u.endsWith('/requests.json')), 'requests.json is not part of the first load');
  // A request in progress (several days in its history), typed in lower case with hyphens.
  const req = requests.find((r) => r.status === 'in_progress') ?? requests.find((r) => r.status === 'closed');
  await page.locator('#code').focus();
  await page.keyboard.type(display(req.tracking_code).toLowerCase());
  await page.keyboard.press('Enter');
  const found = page.locator('[data-testid=request-result]');
  await found.waitFor();
  assert.ok(fetched.some((u) => u.endsWith('/requests.json')), 'fetched on the first lookup');
  const text = await found.innerText();
  assert.ok(text.includes(STATUS_ZH[req.status]), text);
  for (const h of req.history) assert.ok(text.includes(`${day(h.at)} ${STATUS_ZH[h.status]}`), `${day(h.at)} in ${text}`);
  assert.ok(!text.includes('应办结'), 'no due day shown');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `overflow ${overflow}px`);
  await page.locator('[data-testid=lookup]').screenshot({ path: join(OUT, 'lookup-found-360.png') });

  // A valid code that is not in the register: not found in this publication.
  const taken = new Set(requests.map((r) => r.tracking_code));
  let other = withCheck('7'.repeat(16));
  for (let i = 0; taken.has(other); i++) other = withCheck(ALPHABET[i].repeat(16));
  await page.locator('#code').fill(display(other));
  await page.keyboard.press('Enter');
  const missing = await page.locator('[data-testid=request-not-found]').innerText();
  assert.ok(missing.includes('下一期公示'), missing);
  assert.equal(await found.count(), 0);
  await page.locator('[data-testid=lookup]').screenshot({ path: join(OUT, 'lookup-not-found-360.png') });

  // A real code with one symbol mistyped: named as not a valid code.
  const c = req.tracking_code;
  const typo = c.slice(0, 5) + (c[5] === '7' ? '8' : '7') + c.slice(6);
  await page.locator('#code').fill(typo);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=request-invalid]').waitFor();

  // English.
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('#code').fill(display(other));
  await page.keyboard.press('Enter');
  assert.ok((await page.locator('[data-testid=request-not-found]').innerText()).includes('next publication'));
  // An unsigned demo has no `checkpoint` (item 4's page asks for it and gets a 404): no
  // other file may be missing and no other error logged.
  assert.deepEqual(missingFiles.filter((u) => !u.endsWith('/checkpoint')), []);
  assert.deepEqual(errors.filter((e) => !e.includes('status of 404')), []);
});

test('a changed requests.json is refused, and the page says so', async () => {
  const requests = JSON.parse(readFileSync(backup, 'utf8')).payload.requests;
  const bad = join(work, 'bad-site');
  cpSync(site, bad, { recursive: true });
  // The host marks a request closed that is not: the seal no longer matches.
  const text = readFileSync(join(bad, 'requests.json'), 'utf8');
  const changed = text.replace('"status":"in_progress"', '"status":"closed"');
  assert.notEqual(changed, text);
  writeFileSync(join(bad, 'requests.json'), changed);
  const env = await start(bad);
  servers.push(env);
  const { page } = await env.newPage({ width: 360, height: 740 });
  await page.goto(env.base);
  await page.locator('[data-testid=lookup]').waitFor({ timeout: 30_000 });
  const req = requests.find((r) => r.status === 'in_progress') ?? requests[0];
  await page.locator('#code').fill(display(req.tracking_code));
  await page.keyboard.press('Enter');
  const msg = await page.locator('[data-testid=request-tampered]').innerText();
  assert.ok(msg.includes('校验码不符'), msg);
  assert.equal(await page.locator('[data-testid=request-result]').count(), 0);
  await page.locator('[data-testid=lookup]').screenshot({ path: join(OUT, 'lookup-tampered-360.png') });
});
