// Accessibility across the workspace (issue #17, item 7): axe-core (npm) on every routed
// view of the demo community, on the lock screen and in the residents' preview, with zero
// serious or critical violations, on a guide's 1366×768 laptop, in Chinese and English.
// Every violation found (any impact) is written to out/axe.jsonl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, axeViolations, OUT } from './harness.mjs';

let env;
before(async () => { env = await start(); });
after(async () => { await env?.stop(); });

// Every route of src/state/route.rs (a household and a plan by id), and an unknown one.
const VIEWS = ['#/workspace', '#/register', '#/register/new', '#/register/1', '#/needs', '#/pb', '#/allocation',
  '#/plans', '#/plans/1', '#/participation', '#/requests', '#/workshop', '#/settings', '#/history', '#/', '#/no-such-view'];

test('every workspace view has no serious or critical axe violation (zh and en)', async () => {
  const { context, page, errors } = await env.newPage({ width: 1366, height: 768 });
  await page.goto(env.base + '#/workspace');
  await waitForDemo(page);
  const found = [];
  for (const lang of ['zh', 'en']) {
    if (lang === 'en') {
      await page.goto(env.base + '#/workspace');
      await page.click('header button.lang');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
    }
    for (const view of VIEWS) {
      await page.goto(env.base + view);
      await page.locator('article[data-page]').first().waitFor({ timeout: 60_000 });
      found.push(...await axeViolations(page, `${lang} ${view}`));
      if (view === '#/') {
        // The residents' page itself, in the preview frame.
        await page.frameLocator('[data-testid=preview]').locator('[data-testid=headline]').waitFor({ timeout: 60_000 });
        const frame = page.frames().find((f) => /index\.html\?preview/.test(f.url()));
        assert.ok(frame, 'the preview frame');
        found.push(...await axeViolations(frame, `${lang} preview`));
      }
    }
  }
  // The request detail (opened from the list) and the lock screen of a protected workspace.
  await page.goto(env.base + '#/requests');
  await page.locator('[data-testid=req-list] tbody button').first().click();
  await page.locator('#req-detail-h').waitFor();
  found.push(...await axeViolations(page, 'en request detail'));
  await page.goto(env.base + '#/settings');
  await page.locator('[data-testid=setup-form]').waitFor({ timeout: 60_000 });
  await page.fill('#setup-name', 'Axe');
  await page.fill('#setup-pass', 'a long enough passphrase 2026');
  await page.fill('#setup-confirm', 'a long enough passphrase 2026');
  await page.click('[data-testid=setup-submit]');
  await page.locator('[data-testid=recovery-code]').waitFor({ timeout: 60_000 });
  found.push(...await axeViolations(page, 'en recovery code'));
  await page.click('[data-testid=recovery-kept]');
  await page.click('[data-testid=lock-now]');
  await page.locator('[data-testid=lock-screen]').waitFor();
  found.push(...await axeViolations(page, 'en lock screen'));
  await page.screenshot({ path: `${OUT}a11y-lock.png` });
  assert.deepEqual(found, [], found.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});
