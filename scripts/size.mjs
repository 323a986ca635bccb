// Prints the first-load size of the built site: every file index.html loads,
// raw and brotli-compressed (quality 11, as a static host precompresses).
// Usage: node scripts/size.mjs [dist] [--also FILE]... [--budget-kib N]
//   --also FILE    count FILE (relative to dist) too, e.g. the snapshot the page fetches
//   --budget-kib N fail (exit 1) if the brotli total is above N KiB
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const args = process.argv.slice(2);
const also = [];
let budget = null;
const positional = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--also') also.push(args[++i]);
  else if (args[i] === '--budget-kib') budget = Number(args[++i]);
  else positional.push(args[i]);
}
const dist = positional[0] ?? 'dist';
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const loaded = ['index.html'];
const refs = /(?:href|src)="(?!https?:|data:|#)(?:\.\/)?([^"]+)"|module_or_path:\s*'\.\/([^']+)'/g;
for (const m of html.matchAll(refs)) {
  const f = m[1] ?? m[2];
  if (!loaded.includes(f)) loaded.push(f);
}
for (const f of also) if (!loaded.includes(f)) loaded.push(f);
let raw = 0, br = 0;
for (const f of loaded) {
  const p = join(dist, f);
  if (!statSync(p, { throwIfNoEntry: false })) {
    if (also.includes(f)) { console.error(`missing: ${p}`); process.exit(1); }
    continue;
  }
  const b = readFileSync(p);
  const c = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  raw += b.length; br += c;
  console.log(`${f.padEnd(40)} ${String(b.length).padStart(9)} B  ${String(c).padStart(8)} B br`);
}
console.log(`FIGURE first_load: ${raw} B raw, ${br} B brotli (${(br / 1024).toFixed(1)} KiB) over ${loaded.length} files`);
if (budget !== null && br > budget * 1024) {
  console.error(`first load ${(br / 1024).toFixed(1)} KiB brotli is over the budget of ${budget} KiB`);
  process.exit(1);
}
