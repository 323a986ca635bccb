// Lighthouse (npm, mobile defaults: simulated slow 4G and 4x CPU slowdown) on a
// published dashboard folder, with Debian's Chromium. Serves the folder the way a
// static host does: brotli when the browser accepts it, long caching for hashed files.
// Usage: node scripts/lighthouse.mjs DIR   (scripts/lighthouse.sh prepares DIR)
// Prints FIGURE lines; exits 1 if a budget of issue #6 is missed.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, extname, resolve } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { writeFileSync } from 'node:fs';

const LH = process.env.LIGHTHOUSE_DIR ?? join(process.env.HOME, '.cache/linli-tools/lighthouse/node_modules');
const { default: lighthouse } = await import(join(LH, 'lighthouse/core/index.js'));
const chromeLauncher = await import(join(LH, 'chrome-launcher/dist/index.js'));

const dir = resolve(process.argv[2] ?? 'target/lighthouse-site');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8', '.svg': 'image/svg+xml',
  '.webmanifest': 'application/manifest+json' };
const cache = new Map();
const server = createServer(async (req, res) => {
  let path = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/community-a\//, '/');
  if (path.endsWith('/')) path += 'index.html';
  const file = normalize(join(dir, path));
  const info = file.startsWith(dir) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) { res.writeHead(404).end('not found'); return; }
  const body = await readFile(file);
  const hashed = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/.test(file);
  const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache' };
  if ((req.headers['accept-encoding'] ?? '').includes('br')) {
    if (!cache.has(file)) cache.set(file, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    headers['content-encoding'] = 'br';
    res.writeHead(200, headers).end(cache.get(file));
  } else {
    res.writeHead(200, headers).end(body);
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/community-a/`;

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
let failed = false;
try {
  const runs = [];
  for (let i = 0; i < Number(process.env.RUNS ?? 3); i++) {
    const r = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error',
      onlyCategories: ['performance', 'accessibility', 'best-practices'] });
    runs.push(r.lhr);
  }
  // The median run by performance score, as Lighthouse's own guidance suggests.
  runs.sort((a, b) => a.categories.performance.score - b.categories.performance.score);
  const lhr = runs[Math.floor(runs.length / 2)];
  writeFileSync('target/lighthouse.json', JSON.stringify(lhr));
  const score = (k) => Math.round(lhr.categories[k].score * 100);
  const lcp = lhr.audits['largest-contentful-paint'].numericValue;
  const cls = lhr.audits['cumulative-layout-shift'].numericValue;
  const tbt = lhr.audits['total-blocking-time'].numericValue;
  console.log(`FIGURE lighthouse_performance ${score('performance')} (all runs: ${runs.map((r) => Math.round(r.categories.performance.score * 100)).join(', ')})`);
  console.log(`FIGURE lighthouse_accessibility ${score('accessibility')}`);
  console.log(`FIGURE lighthouse_best_practices ${score('best-practices')}`);
  console.log(`FIGURE lighthouse_lcp_ms ${Math.round(lcp)}  cls ${cls.toFixed(3)}  tbt_ms ${Math.round(tbt)}`);
  for (const k of ['accessibility', 'best-practices', 'performance']) {
    for (const ref of lhr.categories[k].auditRefs) {
      const a = lhr.audits[ref.id];
      if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`  ${k}: ${a.id} ${a.score} ${a.displayValue ?? ''}`);
    }
  }
  const budgets = [['performance >= 95', score('performance') >= 95], ['accessibility = 100', score('accessibility') === 100],
    ['best practices = 100', score('best-practices') === 100], ['LCP <= 2.0 s', lcp <= 2000], ['CLS <= 0.02', cls <= 0.02]];
  for (const [name, ok] of budgets) {
    console.log(`${ok ? 'ok  ' : 'MISS'} ${name}`);
    failed ||= !ok;
  }
} finally {
  await chrome.kill();
  server.close();
}
process.exit(failed ? 1 : 0);
