// End-to-end: published free text (issue #15, item 3). A guide types a plan title with a
// phone number split by dashes and puts the plan on notice: publishing is refused, the
// refusal names the field (plan #N title, a phone number) and links to the plan. The
// guide rewords the title and publishes; then redacts the title from the published
// snapshots (confirmation first). The folder offered again verifies with `linli verify`
// (LINLI_CLI), hashes and signatures unchanged, and the resident's dashboard shows
// "已于 DATE 删除（已遮盖）" in place of the title. Screenshots: tests/e2e/out/redact-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, waitForDemo, OUT, publishNow } from './harness.mjs';

const CLI = process.env.LINLI_CLI
  ?? new URL('../../target/ci/linli', import.meta.url).pathname;
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

async function act(page, click, msg) {
  const sel = `[data-testid=${msg}]`;
  const seq = await page.evaluate((s) => Number(document.querySelector(s)?.dataset.seq ?? 0), sel);
  await page.click(click);
  await page.waitForFunction(([s, n]) => Number(document.querySelector(s)?.dataset.seq ?? 0) > n, [sel, seq]);
  return (await page.locator(sel).textContent()).trim();
}

async function download(page, testid, work) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  const zip = join(work, `${testid}-${Date.now()}.zip`);
  await dl.saveAs(zip);
  const folder = join(work, `site-${Date.now()}`);
  execFileSync('python3', ['-c', 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', zip, folder]);
  return folder;
}

test('a personal title is refused naming the field; a published title is redacted and still verifies', async () => {
  const { page, errors } = await newPage({ width: 1366, height: 900 });
  await page.goto(base + '#/workspace');
  await waitForDemo(page);

  // A plan whose title carries a phone number split by dashes, put on notice.
  await page.goto(base + '#/plans');
  await page.locator('[data-testid=plan-new-form]').waitFor({ timeout: 30_000 });
  await page.fill('#plan-new-on', '2026-03-01');
  await page.fill('#plan-new-title', '无障碍坡道，联系 153-1615-5514');
  await page.selectOption('#plan-new-category', 'housing_repair');
  await page.fill('#plan-new-period', '2026-Q2');
  await page.fill('#plan-new-budget', '10000.00');
  await page.fill('#plan-new-description', '在 5 幢北门加装无障碍坡道和扶手。');
  await page.fill('#plan-new-guide', '王指导员');
  const created = await act(page, '[data-testid=plan-new-submit]', 'plan-created');
  const id = Number(created.match(/#(\d+)/)[1]);
  await page.click('[data-testid=plan-created-link]');
  await page.locator('[data-testid=plan-title]').waitFor();
  await page.fill('#plan-notice-on', '2026-03-02');
  assert.match(await act(page, '[data-testid=plan-start-notice-submit]', 'plan-msg'), /公示中/);

  // Publishing is refused, naming the field and the kind, never the number.
  await page.goto(base + '#/');
  const field = `plans/${id}/title`;
  const hit = page.locator(`[data-testid=blocked-field][data-path="${field}"][data-kind=phone]`);
  await hit.waitFor({ timeout: 60_000 });
  const said = await page.locator('[data-testid=publish-blocked]').innerText();
  assert.ok(said.includes(`#${id}`) && said.includes('电话号码'), said);
  assert.ok(!said.includes('5514'), 'the value is not echoed');
  assert.equal(await hit.locator('a').getAttribute('href'), `#/plans/${id}`);
  assert.ok(await page.locator('[data-testid=publish]').isDisabled(), 'nothing can be published');
  await page.screenshot({ path: join(OUT, 'redact-blocked.png') });

  // The guide rewords it (during the notice, which starts again) and publishes.
  await hit.locator('a').click();
  await page.locator('[data-testid=plan-title]').waitFor();
  await page.locator('[data-testid=plan-edit] summary').click();
  await page.fill('#plan-edit-title', '5 幢无障碍坡道');
  await page.click('[data-testid=plan-edit-submit]');
  await page.locator('[data-testid=plan-title]', { hasText: '5 幢无障碍坡道' }).waitFor({ timeout: 30_000 }).catch(async (e) => {
    const msgs = await page.locator('[data-testid$=msg]').allInnerTexts();
    throw new Error(`the edit was not saved: ${msgs.join(' | ')}: ${e}`);
  });
  await page.goto(base + '#/');
  await page.frameLocator('[data-testid=preview]').locator('[data-testid=headline]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('[data-testid=blocked-field]').count(), 0);
  await page.fill('#public-url', 'https://example.org/community-a/');
  await publishNow(page);
  const work = mkdtempSync(join(tmpdir(), 'linli-redact-'));
  const before = await download(page, 'download-folder', work);
  const head = JSON.parse(readFileSync(join(before, 'snapshot.json'), 'utf8'));
  assert.equal(head.texts[field].text, '5 幢无障碍坡道');

  // Redact the title: a confirmation first, then one transaction.
  await page.selectOption('[data-testid=redact-field]', field);
  await page.fill('[data-testid=redact-date]', '2026-12-10');
  await page.click('[data-testid=redact-start]');
  await page.locator('[data-testid=redact-confirm]').waitFor();
  await page.screenshot({ path: join(OUT, 'redact-confirm.png') });
  await page.click('[data-testid=redact-confirm]');
  await page.locator('[data-testid=redact-done]').waitFor({ timeout: 30_000 });
  const after = await download(page, 'download-folder', work);
  const red = JSON.parse(readFileSync(join(after, 'snapshot.json'), 'utf8'));
  // The text and its salt are gone; its commitment stays, sealed by texts_sha256.
  assert.deepEqual(Object.keys(red.texts[field]).sort(), ['commitment', 'redacted_on']);
  assert.equal(red.texts[field].redacted_on, '2026-12-10');
  assert.match(red.texts[field].commitment, /^[0-9a-f]{64}$/);
  assert.equal(red.content.texts_sha256, head.content.texts_sha256);
  assert.equal(red.sha256, head.sha256, 'the hash is unchanged');
  assert.ok(!readFileSync(join(after, 'snapshot.json'), 'utf8').includes('5 幢无障碍坡道'));
  assert.equal(readFileSync(join(after, 'checkpoint'), 'utf8'), readFileSync(join(before, 'checkpoint'), 'utf8'));
  const verified = JSON.parse(cli('verify', after));
  assert.equal(verified.signature, 'signed');

  // The resident's dashboard shows the redaction.
  const site = await start(after);
  try {
    const { page: phone, errors: phoneErrors } = await site.newPage({ width: 390, height: 844 });
    await phone.goto(site.base);
    const card = phone.locator(`[data-testid=plan][data-id="${id}"]`);
    await card.waitFor({ timeout: 60_000 });
    assert.ok((await card.innerText()).includes('已于 2026-12-10 删除（已遮盖）'), await card.innerText());
    await card.scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(OUT, 'redact-dashboard.png') });
    assert.deepEqual(phoneErrors, []);
  } finally {
    await site.stop();
  }
  assert.deepEqual(errors, []);
});
