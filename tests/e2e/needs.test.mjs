// End-to-end: the needs views (#/needs) on the demo community — ranked list with
// explanations, heat map and tables, the matrix editor, and the app's scores equal to
// those of the `linli score` CLI on a backup of the same data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { start, waitForDemo, OUT, exportBackupJson } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
// scripts/test.sh builds it (cargo build --release -p linli-cli) before the e2e tests.
const CLI = process.env.LINLI_CLI
  ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'release', 'linli');

let env, base, newPage;

before(async () => {
  env = await start();
  ({ base, newPage } = env);
});

after(async () => {
  await env?.stop();
});

// Opens #/needs after the first start loaded the demo; returns when the scores are shown.
async function openNeeds(page) {
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/needs');
  await page.locator('[data-testid=needs-timing]').waitFor({ timeout: 60_000 });
}

// [{id, score}] of the rendered rows of the ranked list, top to bottom.
async function rows(page) {
  return page.$$eval('[data-testid=ranked-row]', (trs) => trs.map((tr) => ({
    id: Number(tr.dataset.id),
    score: Number(tr.querySelector('[data-testid=score]').textContent),
    rank: Number(tr.querySelector('td').textContent),
    tier: tr.querySelector('[data-tier]').dataset.tier,
  })));
}

function assertRanked(list) {
  for (let i = 1; i < list.length; i++) {
    const [a, b] = [list[i - 1], list[i]];
    assert.ok(a.score > b.score || (a.score === b.score && a.id < b.id), `rows ${i - 1}, ${i} out of order: ${JSON.stringify([a, b])}`);
    assert.equal(b.rank, a.rank + 1);
  }
}

test('ranked priority list: ordered, virtualised, filterable, rows expand to their explanation (keyboard too)', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openNeeds(page);
  assert.equal((await page.locator('h1').textContent()).trim(), '需求评估');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), '需求评估');
  const timing = await page.locator('[data-testid=needs-timing]').textContent();
  assert.match(timing, /^已评分 4500 户，用时 \d+ 毫秒$/);
  console.log(`FIGURE e2e_needs_score_4500_ms ${timing.match(/用时 (\d+)/)[1]}`);
  assert.match(await page.locator('#ranked-h ~ p.muted').first().textContent(), /得分相同时，按户编号从小到大排列/);

  // Only a window of the 4,500 rows is in the DOM, in rank order.
  const top = await rows(page);
  assert.ok(top.length > 10 && top.length < 60, `${top.length} rows rendered`);
  assert.equal(top[0].rank, 1);
  assertRanked(top);
  assert.equal(top[0].tier, 'high');
  assert.equal(await page.locator('[data-testid=ranked-row]').first().locator('[data-tier]').textContent(), '高');
  const href = await page.locator('[data-testid=ranked-row]').first().locator('a').getAttribute('href');
  assert.equal(href, `#/register/${top[0].id}`);

  // Expanding a row shows which indicators counted and what they contributed.
  const first = page.locator('[data-testid=ranked-row]').first().locator('[data-testid=expand]');
  assert.equal(await first.getAttribute('aria-expanded'), 'false');
  await first.click();
  await page.locator('[data-testid=ranked-row]').first().locator('[aria-expanded=true]').waitFor({ timeout: 5_000 });
  const detail = page.locator('[data-testid=needs-detail]');
  await detail.waitFor();
  const text = await detail.textContent();
  for (const word of ['人口结构', '健康状况', '经济状况', '参与意愿', '特殊需求', '贡献', '权重']) {
    assert.ok(text.includes(word), `explanation mentions ${word}`);
  }
  assert.ok(await detail.locator('[data-testid=contribution]').count() > 0);
  assert.match(text, /贡献 \d+\.\d\d 分/);
  assert.match(text, /总分 \d+\.\d 分/);
  assert.equal(await first.getAttribute('aria-controls'), await detail.getAttribute('id'));
  await page.screenshot({ path: `${OUT}needs-explain.png` });

  // Scrolling within the open explanation keeps it (and its row) in place.
  const scroller = page.locator('[data-testid=ranked-scroll]');
  await scroller.evaluate((el) => { el.scrollTop = 200; });
  await page.waitForTimeout(200);
  assert.equal(await scroller.evaluate((el) => el.scrollTop), 200);
  assert.equal(await detail.count(), 1);
  assert.equal(Number(await page.locator('[data-testid=ranked-row] td').first().textContent()), 1);
  await scroller.evaluate((el) => { el.scrollTop = 0; });

  // Keyboard: Enter on the next row's button opens it (and closes the first); focus stays on it.
  const second = page.locator('[data-testid=ranked-row]').nth(1).locator('[data-testid=expand]');
  const expanded = (row, value) => page.locator('[data-testid=ranked-row]').nth(row)
    .locator(`[data-testid=expand][aria-expanded=${value}]`).waitFor({ timeout: 5_000 });
  await second.focus();
  await page.keyboard.press('Enter');
  await expanded(1, true);
  await expanded(0, false);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded')), 'true');
  await page.keyboard.press('Enter');
  await expanded(1, false);
  await page.locator('[data-testid=needs-detail]').waitFor({ state: 'detached' });

  // Scrolling to the end renders the last ranks.
  await scroller.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction(() => {
    const trs = document.querySelectorAll('[data-testid=ranked-row]');
    return trs.length && Number(trs[trs.length - 1].querySelector('td').textContent) === 4500;
  });
  const bottom = await rows(page);
  assertRanked(bottom);
  assert.equal(bottom.at(-1).rank, 4500);

  // Filters: tier, then grid and building together.
  await page.selectOption('[data-testid=filter-tier]', 'high');
  await page.waitForFunction(() => document.querySelector('[data-testid=ranked-row]')?.querySelector('td').textContent === '1');
  const high = await rows(page);
  assert.ok(high.every((r) => r.tier === 'high'));
  assertRanked(high.map((r, i) => ({ ...r, rank: i })));
  const highCount = Number((await page.locator('[data-testid=ranked-count]').textContent()).match(/\d+/)[0]);
  assert.ok(highCount > 100 && highCount < 4500, `high tier ${highCount}`);
  await page.selectOption('[data-testid=filter-tier]', '');
  await page.selectOption('[data-testid=filter-building]', '3');
  await page.locator('[data-testid=ranked-count]', { hasText: /^共 \d{1,2} 户$/ }).waitFor();
  const inBuilding = await page.$$eval('[data-testid=ranked-row] td:nth-child(3)', (tds) => tds.map((t) => t.textContent));
  assert.ok(inBuilding.length > 0 && inBuilding.every((a) => a.startsWith('3幢-')), inBuilding.join(','));

  // English.
  await page.getByRole('button', { name: '切换语言为英文' }).click();
  await page.locator('h1', { hasText: 'Needs assessment' }).waitFor();
  assert.match(await page.locator('[data-testid=needs-timing]').textContent(), /^Scored 4500 households in \d+ ms$/);
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), 'Needs');
  await page.getByRole('button', { name: 'Switch language to Chinese' }).click();
  await page.locator('h1', { hasText: '需求评估' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('heat map: one cell per building with its name; tables; no horizontal overflow at 360 px', async () => {
  const { context, page, errors } = await newPage({ width: 360, height: 740 });
  await openNeeds(page);
  const img = page.locator('img.heatmap');
  await img.waitFor();
  const svgOf = async () => decodeURIComponent((await img.getAttribute('src')).replace(/^data:image\/svg\+xml;charset=utf-8,/, ''));
  const svg = await svgOf();
  const buildings = await page.$$eval('[data-testid=agg-building] tbody tr th', (ths) => ths.map((t) => t.textContent));
  assert.ok(buildings.length > 50, `${buildings.length} buildings`);
  assert.equal((svg.match(/<rect /g) ?? []).length, buildings.length, 'one cell per building');
  for (const name of buildings) assert.ok(svg.includes(`>\n${name}\n<`) || svg.includes(`>${name}<`), `cell named ${name}`);
  assert.ok(await img.getAttribute('alt'));
  assert.equal(await page.locator('[data-testid=heat-legend] li').count(), 6);
  // Colour by mean score instead.
  const byShare = await img.getAttribute('src');
  await page.locator('[data-testid=heat-mode-mean]').check();
  await page.waitForFunction((old) => document.querySelector('img.heatmap').getAttribute('src') !== old, byShare);
  assert.notEqual(await svgOf(), svg);
  // Tables: tiers add up to the households.
  const totals = await page.$$eval('[data-testid=agg-grid] tfoot td', (tds) => tds.map((t) => t.textContent));
  assert.equal(Number(totals[0]), 4500);
  assert.equal(Number(totals[1]) + Number(totals[2]) + Number(totals[3]), 4500);
  assert.ok(await page.locator('[data-testid=agg-group] tbody tr').count() >= 5);

  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the 360 px viewport`);
  await page.screenshot({ path: `${OUT}needs-360.png`, fullPage: true });
  await page.locator('#heat-h').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${OUT}needs-heatmap-360.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('matrix editor refuses weights not adding up to 100%, saves a valid change; app and CLI scores are identical', async () => {
  assert.ok(existsSync(CLI), `the CLI binary ${CLI} exists (cargo build --release -p linli-cli)`);
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openNeeds(page);
  const before = await rows(page);

  // 25% → 30%: the weights add up to 105%; refused with the sum, nothing saved or lost.
  const pop = page.locator('[data-testid=weight-population]');
  assert.equal(await pop.inputValue(), '25.00');
  await pop.fill('30');
  assert.match(await page.locator('[data-testid=weight-sum]').textContent(), /105\.00%/);
  await page.click('[data-testid=matrix-save]');
  const err = page.locator('[data-testid=matrix-error]');
  await err.waitFor();
  const message = await err.textContent();
  assert.match(message, /各维度权重之和为 105\.00%，必须恰好等于 100%/);
  assert.match(message, /needs_matrix/);
  assert.equal(await pop.inputValue(), '30');
  assert.equal(await page.locator('[data-testid=matrix-saved]').count(), 0);
  await page.screenshot({ path: `${OUT}needs-matrix-error.png` });
  // A language switch keeps what was typed.
  await page.getByRole('button', { name: '切换语言为英文' }).click();
  await page.locator('h1', { hasText: 'Needs assessment' }).waitFor();
  assert.equal(await pop.inputValue(), '30');
  assert.match(await page.locator('[data-testid=weight-sum]').textContent(), /Weights add up to 105\.00%/);
  await page.getByRole('button', { name: 'Switch language to Chinese' }).click();
  await page.locator('h1', { hasText: '需求评估' }).waitFor();
  assert.equal(await pop.inputValue(), '30');

  // Health 20% → 15%: 100% again; saved, and every household is scored again.
  await page.locator('[data-testid=weight-health]').fill('15');
  assert.match(await page.locator('[data-testid=weight-sum]').textContent(), /100\.00%/);
  await page.click('[data-testid=matrix-save]');
  await page.locator('[data-testid=matrix-saved]', { hasText: '已保存' }).waitFor();
  assert.equal(await page.locator('[data-testid=matrix-error]').count(), 0);
  await page.waitForFunction((old) => {
    const trs = [...document.querySelectorAll('[data-testid=ranked-row]')].slice(0, 20);
    return trs.map((tr) => tr.dataset.id + ':' + Number(tr.querySelector('[data-testid=score]').textContent)).join() !== old;
  }, before.slice(0, 20).map((r) => `${r.id}:${r.score}`).join());
  const after = await rows(page);
  assertRanked(after);
  assert.notDeepEqual(after.slice(0, 20), before.slice(0, 20));
  assert.equal(await pop.inputValue(), '30.00');

  // The app's scores…
  const [scoresDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-scores]')]);
  const scoresFile = `${OUT}needs-scores.json`;
  await scoresDownload.saveAs(scoresFile);
  const app = JSON.parse(await readFile(scoresFile, 'utf8'));
  assert.equal(app.matrix_source, 'setting');
  assert.equal(app.households.length, 4500);
  assert.deepEqual(Object.keys(app.households[0]),
    ['id', 'building_id', 'grid_id', 'group', 'score', 'tier', 'af_score_bp', 'af_poor']);

  // …and the CLI's on a backup of the same database.
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor();
  const backupFile = `${OUT}needs-backup.json`;
  const backup = JSON.parse(await exportBackupJson(page, backupFile));
  const matrix = JSON.parse(backup.payload.settings.find((s) => s.key === 'needs_matrix').value);
  assert.deepEqual(matrix.dimensions.map((d) => d.weight_bp), [3000, 1500, 2000, 1500, 2000]);
  const audit = backup.payload.audit_log.filter((e) => e.entity === 'settings');
  assert.equal(audit.length, 1, 'one audit entry for the one save');
  assert.match(audit[0].summary, /needs_matrix: weight population 25\.00%→30\.00%, weight health 20\.00%→15\.00%/);

  const cli = JSON.parse(execFileSync(CLI, ['score', backupFile, '--year', String(app.year)], { maxBuffer: 64 << 20 }));
  assert.equal(cli.matrix_source, 'setting');
  assert.deepEqual(cli.tiers, app.tiers);
  assert.equal(cli.households.length, app.households.length);
  assert.deepEqual(cli.households.map((h) => [h.id, h.score, h.tier]), app.households.map((h) => [h.id, h.score, h.tier]));
  assert.deepEqual(cli.households, app.households);

  // Restore defaults fills the form; saving it brings the default ranking back.
  await page.goto(base + '#/needs');
  await page.locator('[data-testid=needs-timing]').waitFor();
  await page.click('[data-testid=matrix-defaults]');
  assert.equal(await pop.inputValue(), '25.00');
  await page.click('[data-testid=matrix-save]');
  await page.locator('[data-testid=matrix-saved]').waitFor();
  await page.waitForFunction((old) => {
    const trs = [...document.querySelectorAll('[data-testid=ranked-row]')].slice(0, 20);
    return trs.map((tr) => tr.dataset.id + ':' + Number(tr.querySelector('[data-testid=score]').textContent)).join() === old;
  }, before.slice(0, 20).map((r) => `${r.id}:${r.score}`).join());
  assert.deepEqual(errors, []);
  await context.close();
});

test('no households: a helpful empty state', async () => {
  const { context, page, errors } = await newPage();
  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: /^4500$/ }).waitFor();
  await page.click('[data-testid=demo-clear]');
  await page.click('[data-testid=danger-confirm]');
  await page.locator('[data-testid=counts] tr[data-store=households] td', { hasText: /^0$/ }).waitFor();
  await page.goto(base + '#/needs');
  const empty = page.locator('[data-testid=needs-empty]');
  await empty.waitFor();
  assert.match(await empty.textContent(), /还没有任何住户档案/);
  assert.equal(await empty.locator('a').count(), 2);
  assert.equal(await page.locator('[data-testid=ranked-row]').count(), 0);
  // The editor still works with no households.
  assert.equal(await page.locator('[data-testid=weight-population]').inputValue(), '25.00');
  assert.deepEqual(errors, []);
  await context.close();
});
