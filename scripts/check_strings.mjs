// Fails when a Chinese text is written in the workspace's code instead of the
// catalogue: any CJK character in a string or char literal of src/**/*.rs
// (comments are ignored). Every visible word lives in locales/<lang>/*.json.
//   node scripts/check_strings.mjs [SRC_DIR]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2] ?? join(root, 'src');
const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (name.endsWith('.rs')) yield p;
  }
}

// The string and char literals of Rust source, with their line numbers
// (comments skipped; raw strings r"…", r#"…"# included).
function literals(text) {
  const out = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === '/' && text[i + 1] === '/') { while (i < n && text[i] !== '\n') i++; continue; }
    if (c === '/' && text[i + 1] === '*') {
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) { if (text[i] === '\n') line++; i++; }
      i += 2;
      continue;
    }
    const raw = /^b?r(#*)"/.exec(text.slice(i, i + 20));
    if (raw && !/[A-Za-z0-9_]/.test(text[i - 1] ?? '')) {
      const end = '"' + raw[1];
      const start = i + raw[0].length;
      const stop = text.indexOf(end, start);
      const body = text.slice(start, stop < 0 ? n : stop);
      out.push([line, body]);
      line += body.split('\n').length - 1;
      i = (stop < 0 ? n : stop) + end.length;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let body = '';
      while (j < n && text[j] !== '"') { if (text[j] === '\\') { body += text[j + 1]; j += 2; continue; } body += text[j]; j++; }
      out.push([line, body]);
      line += body.split('\n').length - 1;
      i = j + 1;
      continue;
    }
    if (c === "'" && text[i + 2] === "'" ) { out.push([line, text[i + 1]]); i += 3; continue; }
    i++;
  }
  return out;
}

const problems = [];
for (const f of files(src)) {
  for (const [line, body] of literals(readFileSync(f, 'utf8'))) {
    if (CJK.test(body)) problems.push(`${relative(root, f)}:${line}: ${JSON.stringify(body.slice(0, 60))}`);
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  console.error(`\n${problems.length} Chinese text(s) in code: move them to locales/zh/*.json and locales/en/*.json`);
  process.exit(1);
}
console.log('no visible Chinese text outside locales/');
