// End-to-end, issue #18 (the workspace half): a guide at 1366×768 creates the
// community's intake key on the requests page, reads its public key, and takes in
// payloads sealed with `linli intake-seal`: a request (shown for confirmation with its
// description as text), the same payload again ("already taken in", nothing changed),
// one sealed to another key (refused in words, nothing changed) and a rating of a
// resolved request (closed with the rating). Needs LINLI_CLI and Debian's `age-keygen`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, waitForDemo, readStore, OUT } from './harness.mjs';

const CLI = process.env.LINLI_CLI ?? new URL('../../target/ci/linli', import.meta.url).pathname;

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

const shot = (page, name) => page.screenshot({ path: `${OUT}intake-${name}.png`, fullPage: false });
const dir = mkdtempSync(join(tmpdir(), 'linli-intake-e2e-'));

// A fresh tracking code as the phone makes it: 16 Crockford base-32 symbols and a check
// symbol (value mod 37); codes whose check would be `* ~ $ =` are drawn again.
function newCode() {
  const A = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  for (;;) {
    const d = Array.from({ length: 16 }, () => Math.floor(Math.random() * 32));
    const r = d.reduce((acc, x) => (acc * 32 + x) % 37, 0);
    if (r < 32 || r === 36) return d.map((x) => A[x]).join('') + (A + '*~$=U')[r];
  }
}

// `linli intake-seal`: the armored payload of `json` sealed to `recipient`.
let n = 0;
function seal(json, recipient) {
  const file = join(dir, `s${n++}.json`);
  writeFileSync(file, JSON.stringify(json));
  return execFileSync(CLI, ['intake-seal', '--recipient', recipient, '--json', file]).toString();
}

// Clicks `click` and waits for a new message (a higher `data-seq`) in `[data-testid=<msg>]`.
async function act(page, click, msg) {
  const sel = `[data-testid=${msg}]`;
  const seq = await page.evaluate((s) => Number(document.querySelector(s)?.dataset.seq ?? 0), sel);
  await click.click();
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.dataset.seq ?? 0) > n, [sel, seq]);
  return (await page.locator(sel).textContent()).trim();
}

const text = async (loc) => (await loc.textContent()).trim();

test('a guide creates the intake key and takes residents\' payloads in', async () => {
  const { context, page, errors } = await newPage({ width: 1366, height: 768 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/requests');
  const keys = page.locator('[data-testid=intake-keys]');
  await keys.locator('[data-testid=intake-no-key]').waitFor();

  // No key yet: reading a payload says so.
  const box = page.locator('#intake-text');
  await box.fill('-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n-----END AGE ENCRYPTED FILE-----\n');
  await page.locator('[data-testid=intake-open]').click();
  assert.match(await text(page.locator('[data-testid=intake-error]')), /还没有接收密钥/);

  // Create the key.
  const made = await act(page, keys.locator('[data-testid=intake-rotate]'), 'intake-keys-msg');
  assert.match(made, /已生成新的接收密钥/);
  const pub = await text(keys.locator('[data-testid=intake-public-key]'));
  assert.match(pub, /^age1[0-9a-z]{58}$/);
  const community = await text(keys.locator('[data-testid=intake-community]'));
  assert.ok(community.length > 0);
  await keys.scrollIntoViewIfNeeded();
  await shot(page, '1-key');
  const categories = await page.locator('#req-category option').evaluateAll((os) => os.map((o) => o.value));
  const category = categories[0];

  // A resident's request, with markup in the description.
  const code = newCode();
  const description = '楼道灯坏了 <b>x</b>';
  const payload = seal({
    format: 'linli-intake', version: 1, community, code, kind: 'request',
    category, description, urgency: 'high', contact: '138 0000 0000',
  }, pub);
  const before = (await readStore(page, 'requests')).length;
  const auditBefore = (await readStore(page, 'audit_log')).length;
  await box.fill(`您好，我的诉求：\n${payload}`);
  await page.locator('[data-testid=intake-open]').click();
  const preview = page.locator('[data-testid=intake-preview]');
  await preview.waitFor();
  assert.equal(await text(preview.locator('[data-testid=intake-description]')), description);
  assert.equal(await preview.locator('b').count(), 0, 'the description was rendered as markup');
  assert.equal(await preview.locator('[data-testid=intake-code]').textContent(),
    code.match(/.{1,4}/g).join('-'));
  assert.equal(await text(preview.locator('[data-testid=intake-contact]')), '138 0000 0000');
  // Nothing changed by reading it.
  assert.equal((await readStore(page, 'requests')).length, before);
  await preview.scrollIntoViewIfNeeded();
  await shot(page, '2-preview');

  const said = await act(page, preview.locator('[data-testid=intake-confirm]'), 'intake-resident-msg');
  const m = said.match(/已接收：诉求 #(\d+)（查询码 ([0-9A-Z-]+)），办理时限 /);
  assert.ok(m, said);
  const id = Number(m[1]);
  assert.equal(m[2].replaceAll('-', ''), code);
  assert.equal(await box.inputValue(), '');
  const reqs = await readStore(page, 'requests');
  assert.equal(reqs.length, before + 1);
  const stored = reqs.find((r) => r.id === id);
  assert.equal(stored.tracking_code, code);
  assert.equal(stored.description, description);
  assert.equal(stored.colour, 'red');
  // In the list, and its detail shows the resident's code.
  const row = page.locator(`[data-testid=req-list] tr[data-id="${id}"]`);
  await row.waitFor();
  await page.locator('[data-testid=req-code]', { hasText: code.slice(0, 4) }).waitFor();
  assert.equal((await text(page.locator('[data-testid=req-code]'))).replaceAll('-', ''), code);
  // One history entry by the acting guide.
  const audit = await readStore(page, 'audit_log');
  assert.equal(audit.length, auditBefore + 1);
  const entry = audit.find((e) => e.entity === 'requests' && e.entity_id === id && e.action === 'create');
  assert.ok(entry, 'no history entry');
  assert.ok(entry.actor.length > 0, 'no acting guide named');
  assert.match(entry.summary, /resident intake/);
  await shot(page, '3-taken-in');

  // The same payload again: already taken in, nothing changed.
  await box.fill(payload.replaceAll('\n', '\r\n'));
  await page.locator('[data-testid=intake-open]').click();
  await preview.waitFor();
  const again = await act(page, preview.locator('[data-testid=intake-confirm]'), 'intake-resident-msg');
  assert.match(again, new RegExp(`此提交已接收过（诉求 #${id}）`));
  assert.equal((await readStore(page, 'requests')).length, before + 1);
  assert.equal((await readStore(page, 'audit_log')).length, auditBefore + 1);

  // Sealed to another key: refused in words, nothing changed.
  const other = execFileSync('age-keygen', { stdio: ['ignore', 'pipe', 'ignore'] }).toString()
    .match(/public key: (age1[0-9a-z]+)/)?.[1]
    ?? execFileSync('age-keygen').toString().match(/(age1[0-9a-z]{58})/)[1];
  const foreign = seal({
    format: 'linli-intake', version: 1, community, code: newCode(), kind: 'request',
    category, description: '另一个社区', urgency: 'low',
  }, other);
  await box.fill(foreign);
  await page.locator('[data-testid=intake-open]').click();
  const err = await text(page.locator('[data-testid=intake-error]'));
  assert.match(err, /接收密钥都打不开这份提交/);
  assert.equal(await preview.count(), 0);
  assert.equal((await readStore(page, 'requests')).length, before + 1);
  await shot(page, '4-refused');

  // A rating of a resolved request: closed with the rating.
  const resolved = (await readStore(page, 'requests')).find((r) => r.status === 'resolved');
  assert.ok(resolved, 'the demo has no resolved request');
  const rating = seal({
    format: 'linli-intake', version: 1, community, code: resolved.tracking_code, kind: 'rating',
    rating: 2, comment: '修得太慢 <i>y</i>',
  }, pub);
  await box.fill(rating);
  await page.locator('[data-testid=intake-open]').click();
  await preview.waitFor();
  assert.equal(await text(preview.locator('[data-testid=intake-rating]')), '2 / 5');
  assert.equal(await text(preview.locator('[data-testid=intake-comment]')), '修得太慢 <i>y</i>');
  assert.equal(await preview.locator('i').count(), 0);
  const rated = await act(page, preview.locator('[data-testid=intake-confirm]'), 'intake-resident-msg');
  assert.match(rated, new RegExp(`已接收评价：诉求 #${resolved.id}，满意度 2 / 5`));
  const after = (await readStore(page, 'requests')).find((r) => r.id === resolved.id);
  assert.equal(after.status, 'closed');
  assert.equal(after.satisfaction, 2);
  assert.equal((await readStore(page, 'requests')).length, before + 1);
  const detail = page.locator('[data-testid=req-detail]');
  await page.locator('#req-detail-h', { hasText: `#${resolved.id}` }).waitFor();
  await page.locator('[data-testid=req-status]', { hasText: '已办结' }).waitFor();
  assert.ok((await text(detail)).includes('2 / 5'), 'the rating is not shown');
  await detail.scrollIntoViewIfNeeded();
  await shot(page, '5-rated');

  // Rotating asks first and keeps the old key.
  await keys.locator('[data-testid=intake-rotate]').click();
  assert.match(await text(keys.locator('[data-testid=intake-rotate-confirm]')), /旧密钥会保留/);
  await act(page, keys.locator('[data-testid=intake-rotate-yes]'), 'intake-keys-msg');
  await keys.locator('[data-testid=intake-retired] li').first().waitFor();
  assert.notEqual(await text(keys.locator('[data-testid=intake-public-key]')), pub);
  // A late payload sealed to the old key still opens.
  await box.fill(payload);
  await page.locator('[data-testid=intake-open]').click();
  await preview.waitFor();
  await keys.scrollIntoViewIfNeeded();
  await shot(page, '6-rotated');

  assert.deepEqual(errors, []);
  await context.close();
});
