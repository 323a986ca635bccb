// Trunk post_build hook (Trunk.toml, both pages): runs on the staged build before Trunk
// moves it to dist. Also callable on any built folder: `node scripts/trunk_post_build.mjs DIR`.
//
// 1. Content-Security-Policy: writes a <meta http-equiv="Content-Security-Policy"> right
//    after <meta charset> of DIR/index.html. Scripts may come from the page's own origin
//    only, plus the exact inline scripts present at build time (Trunk's module loader,
//    the dashboard's service-worker/trust.js starter), each allowed by its SHA-256.
//    Run again, it replaces its own tag (idempotent). The workspace's connect-src also
//    names the CouchDB origins in LINLI_SYNC_ORIGINS (issue #19; at build time, or by
//    running this script again on a built folder at deploy time).
// 2. Service-worker cache version: when DIR/sw.js exists (the dashboard's dashboard/sw.js,
//    the workspace's public/sw.js), its cache name `linli-dashboard-…` or
//    `linli-workspace-…` is set to a hash of every other file of the build (a `site/`
//    folder inside DIR, the dashboard built into the workspace's dist, is not part of it),
//    so a new build gets a new cache and the worker's `activate` deletes the old ones; its
//    comment lines are dropped (they are for readers of the source, not for residents'
//    phones). The workspace's worker also gets its ASSETS: every file of the build, which
//    it caches at install so that the app opens offline after the first visit; the
//    dashboard's gets the intake forms' files (`intake_form*`, `intake_boot.js`), which its page loads
//    only when a form opens, so that the form works offline after the first visit.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const POLICY_BASE = [
  "default-src 'self'",
  "connect-src 'self'",
  // 'wasm-unsafe-eval': compiling the app's own WebAssembly; no JS eval.
  "script-src 'self' 'wasm-unsafe-eval' {hashes}",
  "worker-src 'self'",
  // Inline style: the dashboard's inlined stylesheet and style attributes (bar widths,
  // swatches). No script can run from a style.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
];

const sha256 = (data, enc = 'base64') => createHash('sha256').update(data).digest(enc);

// Bodies of the inline <script> elements (no src attribute), exactly as the browser hashes them.
export function inlineScripts(html) {
  const out = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc\s*=/i.test(m[1])) out.push(m[2]);
  }
  return out;
}

// The workspace's CouchDB servers (issue #19), from LINLI_SYNC_ORIGINS: origins
// (scheme://host[:port], space- or comma-separated) added to the workspace's connect-src,
// never the dashboard's. Anything else is refused, so a typo cannot open the policy.
export function syncOrigins(text = process.env.LINLI_SYNC_ORIGINS ?? '') {
  const list = text.split(/[\s,]+/).filter(Boolean);
  for (const o of list) {
    if (!/^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(o)) {
      throw new Error(`LINLI_SYNC_ORIGINS: \`${o}\` is not an origin (scheme://host[:port], no path)`);
    }
  }
  return [...new Set(list)];
}

export function policy(html, connect = []) {
  const hashes = [...new Set(inlineScripts(html).map((s) => `'sha256-${sha256(s)}'`))].join(' ');
  return POLICY_BASE.map((d) => (d === "connect-src 'self'" && connect.length ? `${d} ${connect.join(' ')}` : d))
    .join('; ')
    .replace(' {hashes}', hashes ? ` ${hashes}` : '');
}

const TAG = /<meta http-equiv="Content-Security-Policy" content="[^"]*">\n?/;

export function withCsp(html, connect = []) {
  const clean = html.replace(TAG, '');
  const tag = `<meta http-equiv="Content-Security-Policy" content="${policy(clean, connect)}">`;
  const charset = /<meta charset="utf-8">\n?/i;
  if (!charset.test(clean)) throw new Error('index.html has no <meta charset="utf-8"> to put the CSP after');
  // Before any script: a policy only governs what comes after it.
  return clean.replace(charset, (m) => `${m.endsWith('\n') ? m : `${m}\n`}  ${tag}\n`);
}

function files(dir, root = dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, root));
    else out.push(relative(root, p));
  }
  return out;
}

export const CACHE_RE = /const CACHE = 'linli-(dashboard|workspace)-[^']*';/;
export const ASSETS_RE = /const ASSETS = \[[^\]]*\];/;

// The files of the build that a worker caches: all but sw.js and the dashboard's `site/`.
export function buildFiles(dir) {
  return files(dir).filter((f) => f !== 'sw.js' && !f.startsWith('site/'));
}

// Hash of every file of the build except sw.js (which carries the result).
export function buildVersion(dir) {
  const h = createHash('sha256');
  for (const f of buildFiles(dir)) {
    h.update(f).update('\0').update(readFileSync(join(dir, f))).update('\0');
  }
  return h.digest('hex').slice(0, 16);
}

export function postBuild(dir) {
  const index = join(dir, 'index.html');
  const sw = join(dir, 'sw.js');
  const workspace = statSync(sw, { throwIfNoEntry: false }) && /linli-workspace-/.test(readFileSync(sw, 'utf8'));
  writeFileSync(index, withCsp(readFileSync(index, 'utf8'), workspace ? syncOrigins() : []));
  let version = null;
  if (statSync(sw, { throwIfNoEntry: false })) {
    const text = readFileSync(sw, 'utf8');
    const m = text.match(CACHE_RE);
    if (!m) throw new Error('sw.js has no `const CACHE = \'linli-dashboard-…\';` (or linli-workspace-) to stamp');
    const kind = m[1];
    version = buildVersion(dir);
    // Its comment lines are for readers of the source: the residents' first load carries
    // the worker without them (about 500 B brotli of the 200 KiB budget).
    let code = text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
    code = code.replace(CACHE_RE, `const CACHE = 'linli-${kind}-${version}';`);
    if (!ASSETS_RE.test(code)) throw new Error(`the ${kind}'s sw.js has no \`const ASSETS = [];\` to fill`);
    // The workspace caches its whole build; the dashboard only the intake forms' files,
    // which its page loads later (when a form opens), not on the first visit.
    const assets = buildFiles(dir).filter((f) => kind === 'workspace' || /^intake_(form|boot)/.test(f));
    code = code.replace(ASSETS_RE, `const ASSETS = ${JSON.stringify(assets)};`);
    writeFileSync(sw, code);
  }
  return version;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
  if (!dir) {
    console.error('usage: node scripts/trunk_post_build.mjs DIR (or as a Trunk hook, TRUNK_STAGING_DIR)');
    process.exit(2);
  }
  const v = postBuild(dir);
  console.error(`[post_build] CSP written to ${join(dir, 'index.html')}${v ? `; sw.js cache version ${v}` : ''}`);
}
