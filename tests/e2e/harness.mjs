// Shared set-up of the e2e tests: a plain static server (no rewrites) for the
// release build under a sub-path, and Debian's headless Chromium.
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { serve } from './serve.mjs';

export const DIST = process.env.LINLI_DIST ?? new URL('../../dist', import.meta.url).pathname;
export const OUT = new URL('./out/', import.meta.url).pathname;
export const PREFIX = '/community-a/';
// The workspace's IndexedDB name under a path prefix (src/db/community.rs).
export const dbName = (prefix = PREFIX) => `linli:${prefix}`;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function start(dir = DIST) {
  await mkdir(OUT, { recursive: true });
  const server = await serve(dir, PREFIX, 0);
  const base = `http://127.0.0.1:${server.address().port}${PREFIX}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  async function newPage(viewport = { width: 390, height: 844 }) {
    const context = await browser.newContext({ viewport, locale: 'en-US', acceptDownloads: true });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // An unsigned folder has no `checkpoint` nor key file: the dashboard's trust.js asks
    // for them and says "not signed" on a 404, which Chromium also logs as an error.
    const unsignedProbe = (m) => /404/.test(m.text()) && /\/(checkpoint|publishing-key\.vkey)$/.test(m.location().url ?? '');
    page.on('console', (m) => { if (m.type() === 'error' && !unsignedProbe(m)) errors.push(m.text()); });
    // Content-Security-Policy violations (issue #15) fail every test that checks `errors`.
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
    return { context, page, errors };
  }
  async function stop() {
    await browser.close();
    server.close();
  }
  return { base, browser, newPage, stop };
}

// First start generates and saves the demo community; the summary appears when it is committed.
export async function waitForDemo(page) {
  await page.locator('[data-testid=summary]').waitFor({ timeout: 60_000 });
}

// Backups (issue #16): the workspace exports an age file encrypted with a passphrase.
export const BACKUP_PASSPHRASE = 'e2e backup passphrase 2026';

// Decrypts an age v1 file encrypted to a passphrase (scrypt recipient) with Node's own
// crypto: a third, independent reader of the format (the app and `linli` use the age
// crate), for tests only. The header MAC is not checked here; the payload's
// ChaCha20-Poly1305 chunks are (a changed payload throws).
export function decryptAge(file, passphrase) {
  const { scryptSync, hkdfSync, createDecipheriv } = crypto;
  const buf = Buffer.from(file);
  const macAt = buf.indexOf('\n--- ');
  if (!buf.subarray(0, 22).equals(Buffer.from('age-encryption.org/v1\n')) || macAt < 0) {
    throw new Error('not a binary age file');
  }
  const header = buf.subarray(0, macAt).toString('latin1').split('\n');
  const stanza = header.findIndex((l) => l.startsWith('-> scrypt '));
  if (stanza < 0) throw new Error('not a passphrase age file');
  const [, , saltB64, logN] = header[stanza].split(' ');
  const body = Buffer.from(header[stanza + 1], 'base64');
  const salt = Buffer.concat([Buffer.from('age-encryption.org/v1/scrypt'), Buffer.from(saltB64, 'base64')]);
  const wrap = scryptSync(passphrase, salt, 32, { N: 2 ** Number(logN), r: 8, p: 1, maxmem: 1 << 30 });
  const open = (key, nonce, sealed) => {
    const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    d.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
  };
  const fileKey = open(wrap, Buffer.alloc(12), body);
  let at = buf.indexOf('\n', macAt + 1) + 1;
  const nonce = buf.subarray(at, at + 16);
  at += 16;
  const key = Buffer.from(hkdfSync('sha256', fileKey, nonce, Buffer.from('payload'), 32));
  const out = [];
  for (let counter = 0; at < buf.length; counter++) {
    const chunk = buf.subarray(at, Math.min(at + 65536 + 16, buf.length));
    at += chunk.length;
    const n = Buffer.alloc(12);
    n.writeUIntBE(counter, 5, 6);
    n[11] = at >= buf.length ? 1 : 0;
    out.push(open(key, n, chunk));
  }
  return Buffer.concat(out);
}

// On #/settings: exports a backup with `passphrase`, saves the age file at `file`.
export async function exportBackup(page, file, passphrase = BACKUP_PASSPHRASE) {
  await page.locator('[data-testid=backup-pass]').waitFor({ timeout: 60_000 });
  await page.fill('[data-testid=backup-pass]', passphrase);
  await page.fill('[data-testid=backup-pass2]', passphrase);
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('[data-testid=export]')]);
  await download.saveAs(file);
  await page.locator('[data-testid=export-done]').waitFor();
  return file;
}

// On #/settings: exports a backup, decrypts it and writes the plain backup JSON at
// `file` (for tests that read or edit the records); returns its text.
export async function exportBackupJson(page, file) {
  await exportBackup(page, `${file}.age`);
  const text = decryptAge(readFileSync(`${file}.age`), BACKUP_PASSPHRASE).toString('utf8');
  writeFileSync(file, text);
  return text;
}

// On #/settings: chooses `file` to restore; an age file is opened with `secret`, a plain
// one after the legacy warning is confirmed. Resolves when the file was checked
// (`[data-testid=restore-valid]`); the caller confirms the restore.
export async function chooseBackup(page, file, secret = BACKUP_PASSPHRASE) {
  await page.setInputFiles('[data-testid=restore-file]', file);
  const which = await Promise.race([
    page.locator('[data-testid=restore-secret]').waitFor().then(() => 'age'),
    page.locator('[data-testid=restore-legacy]').waitFor().then(() => 'plain'),
    page.locator('[data-testid=restore-valid]').waitFor().then(() => 'valid'),
    page.locator('[data-testid=restore-error]').waitFor().then(() => 'error'),
  ]);
  if (which === 'age') {
    await page.fill('[data-testid=restore-secret-input]', secret);
    await page.click('[data-testid=restore-decrypt]');
  } else if (which === 'plain') {
    await page.check('[data-testid=restore-legacy-ok]');
    await page.click('[data-testid=restore-legacy-continue]');
  }
  return which;
}

// Publishing asks first (issue #17): press publish, then confirm in the dialog that shows
// what changed; resolves when the status says it is published.
export async function publishNow(page, timeout = 60_000) {
  await page.click('[data-testid=publish]');
  await page.locator('[data-testid=publish-confirm]').waitFor({ timeout });
  await page.click('[data-testid=publish-confirm-yes]');
  await page.locator('[data-testid=publish-status] .ok').waitFor({ timeout });
}

// Accessibility (issue #17, item 7): axe-core from npm, run inside the page (evaluated
// over the DevTools protocol, so the page's Content-Security-Policy stays in force).
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Runs axe on `target` (a page or a frame) once its data is shown (no loading line) and
// returns the serious and critical violations as `rule: target …` lines (empty when
// none); every violation, of any impact, is appended to out/axe.jsonl for the record.
export async function axeViolations(target, label) {
  await target.waitForFunction(() => !document.querySelector('.spinner'), null, { timeout: 60_000 });
  if (!(await target.evaluate(() => typeof window.axe === 'object'))) await target.evaluate(AXE_SOURCE);
  const violations = await target.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, iframes: false, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  }, AXE_TAGS);
  await mkdir(OUT, { recursive: true });
  writeFileSync(`${OUT}axe.jsonl`, violations.map((v) => JSON.stringify({ view: label, ...v }) + '\n').join(''), { flag: 'a' });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}) ${v.help} → ${v.nodes.join(' | ')}`);
}

// Every record of an IndexedDB `store` of the workspace open in `page`, parsed from its
// `_json` (a plain, unsealed workspace: the demo).
export async function readStore(page, store) {
  return page.evaluate((store) => new Promise((resolve, reject) => {
    const open = indexedDB.open('linli:' + new URL('.', document.baseURI).pathname);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const req = db.transaction(store).objectStore(store).getAll();
      req.onsuccess = () => { db.close(); resolve(req.result.map((r) => JSON.parse(r._json))); };
      req.onerror = () => reject(req.error);
    };
  }), store);
}

// A resident's phone (issue #17): a slow mobile network (150 ms, 1.6 Mbit/s down,
// 750 kbit/s up) and a 4× slower CPU, on the page's own DevTools session.
export async function throttlePhone(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  return cdp;
}

// The workshop (#/workshop) of `base`, after the demo is generated when `demo`; resolves
// once the plan is drawn (the canvases paint in an effect after mount).
export async function openWorkshop(page, base, demo = true) {
  if (demo) {
    await page.goto(base + '#/workspace');
    await waitForDemo(page);
    await page.goto(base + '#/workshop');
  }
  await page.locator('[data-testid=ws-plan]').waitFor();
  await page.waitForFunction(() => document.querySelector('canvas.ws-dots')?.width > 300);
}
