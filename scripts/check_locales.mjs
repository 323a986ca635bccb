// Fails when the translation catalogue is not complete: every namespace file
// in locales/zh/ has its twin in locales/en/ and the two hold the same keys
// (nested objects included), no value is empty, and every namespace is one
// that build.rs declares.
//   node scripts/check_locales.mjs [LOCALES_DIR]
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = process.argv[2] ?? join(root, 'locales');
const langs = ['zh', 'en'];

function keys(obj, prefix = '') {
  const out = new Map();
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [kk, vv] of keys(v, name)) out.set(kk, vv);
    } else {
      out.set(name, v);
    }
  }
  return out;
}

const problems = [];
const files = Object.fromEntries(
  langs.map((l) => [l, readdirSync(join(dir, l)).filter((f) => f.endsWith('.json')).sort()]),
);
const declared = [...readFileSync(join(root, 'build.rs'), 'utf8').matchAll(/^\s*"([a-z_]+)",$/gm)].map((m) => m[1]);
for (const l of langs) {
  for (const f of files[l]) {
    const ns = f.replace(/\.json$/, '');
    if (!declared.includes(ns)) problems.push(`${l}/${f}: namespace "${ns}" is not declared in build.rs`);
  }
}
for (const ns of declared) {
  const maps = {};
  for (const l of langs) {
    const path = join(dir, l, `${ns}.json`);
    try {
      maps[l] = keys(JSON.parse(readFileSync(path, 'utf8')));
    } catch (e) {
      problems.push(`${l}/${ns}.json: ${e.message}`);
    }
  }
  if (!maps.zh || !maps.en) continue;
  for (const [a, b] of [['zh', 'en'], ['en', 'zh']]) {
    for (const [k, v] of maps[a]) {
      if (!maps[b].has(k)) problems.push(`${ns}.${k}: in ${a} but missing in ${b}`);
      if (typeof v === 'string' && v.trim() === '') problems.push(`${ns}.${k}: empty in ${a}`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} catalogue problem(s)`);
  process.exit(1);
}
console.log(`catalogue complete: ${declared.length} namespaces, zh and en`);
