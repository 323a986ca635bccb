// The translation catalogue is complete: every key in both languages.
// Run by the test command: node --test tests/catalogue.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = (dir) =>
  spawnSync(process.execPath, [join(root, 'scripts/check_locales.mjs'), dir], { encoding: 'utf8' });

test('the catalogue has every key in zh and en', () => {
  const r = check(join(root, 'locales'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /catalogue complete/);
});

for (const [lang, other] of [['zh', 'en'], ['en', 'zh']]) {
  test(`a key missing in ${lang} fails the check and is named`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'linli-locales-'));
    try {
      cpSync(join(root, 'locales'), dir, { recursive: true });
      const path = join(dir, lang, 'common.json');
      const cat = JSON.parse(readFileSync(path, 'utf8'));
      const victim = Object.keys(cat)[3];
      delete cat[victim];
      writeFileSync(path, JSON.stringify(cat));
      const r = check(dir);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(`common.${victim}: in ${other} but missing in ${lang}`), r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a namespace file missing in one language fails the check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linli-locales-'));
  try {
    cpSync(join(root, 'locales'), dir, { recursive: true });
    rmSync(join(dir, 'en', 'workspace.json'));
    const r = check(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /en\/workspace\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const strings = (dir) =>
  spawnSync(process.execPath, [join(root, 'scripts/check_strings.mjs'), dir], { encoding: 'utf8' });

test('no Chinese text is written in the workspace code (src/)', () => {
  const r = strings(join(root, 'src'));
  assert.equal(r.status, 0, r.stderr);
});

test('a Chinese literal in code fails the check, a comment does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'linli-src-'));
  try {
    writeFileSync(join(dir, 'ok.rs'), '// 注释可以写中文\n/// 文档也可以\nfn a() -> &\'static str { "plain" }\n');
    assert.equal(strings(dir).status, 0);
    writeFileSync(join(dir, 'bad.rs'), 'fn b() -> String {\n    format!("{} 户", 3)\n}\n');
    const r = strings(dir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.rs:2: "\{\} 户"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
