// The server-sync benchmark (issue #19's "first sync" budget), a documented command,
// not part of the test command:
//
//   LINLI_DIST=dist LINLI_CLI=target/ci/linli node tests/e2e/bench_sync.mjs [--households N]
//
// `linli demo --households N` writes a community; `linli sync` pushes it to a
// pouchdb-server in memory; then an empty workspace in headless Chromium (the demo
// cleared) connects and pulls it. Prints the push time, the browser's first sync time,
// the server's document count and bytes per household.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, waitForDemo } from './harness.mjs';
import { startCouch, stampedDist } from './couch.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const households = Number(arg('--households', '4500'));
const cli = process.env.LINLI_CLI ?? new URL('../../target/ci/linli', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'linli-bench-sync-'));
const backup = join(dir, 'community.json');
const keyFile = join(dir, 'sync.key');
const key = 'ab'.repeat(32);
writeFileSync(keyFile, key, { mode: 0o600 });

const couch = await startCouch();
const db = `bench-${households}`;
let env;
try {
  let t = Date.now();
  execFileSync(cli, ['demo', '--seed', '2026', '--households', String(households), '--out', backup], { stdio: ['ignore', 'ignore', 'ignore'] });
  console.log(`demo of ${households} households written in ${Date.now() - t} ms`);
  t = Date.now();
  const out = execFileSync(cli, ['sync', backup, '--remote', `${couch.url}/${db}`, '--allow-plain', '--sync-key-file', keyFile],
    { maxBuffer: 1 << 26 }).toString();
  console.log(`linli sync (first push) ${Date.now() - t} ms: ${out.trim().split('\n').slice(-1)[0].slice(0, 300)}`);
  const info = await (await fetch(`${couch.url}/${db}`)).json();
  const all = await (await fetch(`${couch.url}/${db}/_all_docs?include_docs=true`)).text();
  console.log(`server: ${info.doc_count} documents, ${all.length} bytes with bodies, ${(all.length / households).toFixed(0)} bytes per household`);

  env = await start(stampedDist(couch.url, 'bench-sync-dist'));
  const { page } = await env.newPage({ width: 1366, height: 900 });
  await page.goto(env.base + '#/workspace');
  await waitForDemo(page);
  await page.goto(env.base + '#/settings');
  await page.click('[data-testid=demo-clear]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('[data-testid=server-form]').waitFor({ timeout: 60_000 });
  await page.fill('[data-testid=sync-key]', key);
  await page.fill('[data-testid=server-url]', `${couch.url}/${db}`);
  t = Date.now();
  await page.click('[data-testid=server-connect]');
  // The phase every 30 s, so a run that does not end still says where it is.
  const watch = setInterval(async () => {
    const text = await page.locator('[data-testid=server-phase]').textContent().catch(() => '?');
    console.log(`  after ${Math.round((Date.now() - t) / 1000)} s: ${text}`);
  }, 30_000);
  try {
    await page.locator('[data-testid=server-last]').waitFor({ timeout: 3_600_000 });
  } finally {
    clearInterval(watch);
  }
  const ms = Date.now() - t;
  const pulled = await page.getAttribute('[data-testid=server-last]', 'data-pulled');
  const steps = await page.getAttribute('[data-testid=server-last]', 'data-steps');
  console.log(`browser first sync of ${households} households: ${ms} ms (${pulled} revisions; ${steps})`);
} finally {
  await env?.stop();
  couch.process.kill('SIGTERM');
}
