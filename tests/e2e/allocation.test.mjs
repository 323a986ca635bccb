// End-to-end: resource pools and allocation (#/allocation) on the demo community — a run
// whose parts add up exactly, explanations, indicators, charts with text tables, the
// configuration editor (refusing percentages that do not add up, naming the field), saved
// and verified runs, what-if, the elite-capture warning, resources, 360 px — and the CSV
// exports identical to `linli allocate` on a backup of the same data.
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
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });

async function openAllocation(page) {
  await page.goto(base + '#/workspace');
  await waitForDemo(page);
  await page.goto(base + '#/allocation');
  await page.locator('[data-testid=alloc-run]').waitFor({ timeout: 60_000 });
}

async function run(page) {
  await page.click('[data-testid=alloc-run]');
  await page.locator('[data-testid=alloc-result]').waitFor({ timeout: 60_000 });
}

// "¥1,234.50" → 123450 (fen); "38 个" → 38.
function units(text) {
  const t = text.trim();
  const m = t.match(/^(-?)¥([\d,]+)\.(\d\d)$/);
  if (m) return (m[1] ? -1 : 1) * (Number(m[2].replaceAll(',', '')) * 100 + Number(m[3]));
  const n = t.match(/^(\d+) (个|小时|slots|h)$/);
  assert.ok(n, `an amount: ${t}`);
  return Number(n[1]);
}

// A CSV cell in the kind's unit: yuan "1234.50" → fen, else an integer.
function csvUnits(kind, cell) {
  if (kind !== 'money') return Number(cell);
  const m = cell.match(/^(-?)(\d+)\.(\d\d)$/);
  assert.ok(m, `yuan with two decimals: ${cell}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

const percent = (bp) => `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;

// RFC 4180 (quotes, CRLF); the file must start with a BOM.
function parseCsv(text) {
  assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 BOM');
  assert.ok(text.includes('\r\n'), 'CRLF line ends');
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r') continue;
    else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

async function downloadText(page, testid, file) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
  await d.saveAs(file);
  return readFile(file, 'utf8');
}

// Checks that the shown table of the selected kind adds up exactly; returns its rows.
async function checkSums(page) {
  const table = page.locator('[data-testid=alloc-table]');
  const rows = await table.locator('[data-testid=alloc-row]').all();
  assert.ok(rows.length >= 1);
  const sum = { base: 0, flexible: 0, total: 0 };
  const shown = [];
  for (const r of rows) {
    const b = units(await r.locator('[data-testid=cell-base]').textContent());
    const f = units(await r.locator('[data-testid=cell-flexible]').textContent());
    const t = units(await r.locator('[data-testid=cell-total]').textContent());
    assert.equal(b + f, t, 'base + flexible = total');
    sum.base += b; sum.flexible += f; sum.total += t;
    shown.push({ code: await r.getAttribute('data-code'), base: b, flexible: f, total: t });
  }
  const foot = (id) => page.locator(`[data-testid=${id}]`).textContent().then(units);
  assert.equal(sum.base, await foot('foot-base'), 'Σ base = base pool');
  assert.equal(sum.flexible, await foot('foot-flexible'), 'Σ flexible = flexible pool');
  assert.equal(sum.total, await foot('foot-total'), 'Σ totals = allocated');
  const pool = (id) => page.locator(`[data-testid=${id}]`).textContent().then(units);
  assert.equal(await pool('pool-base'), sum.base);
  assert.equal(await pool('pool-flexible'), sum.flexible);
  assert.equal(await pool('pool-allocated'), sum.total);
  assert.equal(await pool('pool-reserve') + sum.total, await pool('pool-total'), 'reserve + allocated = total');
  return shown;
}

test('a run on the demo: exact pools, explanations (keyboard), indicators, charts with text tables, comparison, cost sharing', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openAllocation(page);
  assert.equal((await page.locator('h1').textContent()).trim(), '资源调配');
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), '资源调配');
  assert.equal(await page.locator('[data-testid=alloc-period]').inputValue(), '2026-Q3');

  await run(page);
  const ms = await page.locator('[data-testid=alloc-result]').getAttribute('data-alloc-ms');
  assert.ok(Number(ms) >= 0 && Number(ms) < 5_000, `allocate took ${ms} ms`);
  console.log(`FIGURE alloc_wasm_demo_ms ${ms}`);
  assert.match(await page.locator('[data-testid=alloc-timing]').textContent(), /^已完成 2026-Q3 的资源调配，用时 [\d.]+ 毫秒。$/);

  // Every kind's categories add up exactly to its pools.
  for (const kind of ['money', 'slots', 'room_hours']) {
    await page.locator(`[data-testid=kind-${kind}]`).check();
    await page.locator(`[data-testid=alloc-table][data-kind=${kind}]`).waitFor();
    await checkSums(page);
  }
  await page.locator('[data-testid=kind-money]').check();
  await page.locator('[data-testid=alloc-table][data-kind=money]').waitFor();
  const money = await checkSums(page);
  assert.equal(money.length, 8);
  const head = await page.locator('[data-testid=alloc-table] thead').textContent();
  for (const w of ['类别', '基础池', '机动池', '合计', '占比', '与上期相比']) assert.ok(head.includes(w), w);
  const names = await page.$$eval('[data-testid=alloc-row] th', (ths) => ths.map((t) => t.textContent));
  for (const n of ['养老服务', '托育服务', '助残服务']) assert.ok(names.includes(n), n);

  // The explanation opens from the keyboard and says which rule and inputs produced the amount.
  const toggle = page.locator('[data-testid=explain-toggle]').first();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  const detail = page.locator(`#${await toggle.getAttribute('aria-controls')}`);
  assert.equal(await detail.isVisible(), false);
  await toggle.focus();
  await page.keyboard.press('Enter');
  await detail.waitFor({ state: 'visible' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const text = await detail.textContent();
  for (const w of ['基础池（固定规则）', '符合条件', '单位权重', '机动池（季度需求）', '紧急程度系数', '影响范围系数', '需求评估得分', '等候户数', '本期诉求', '允许范围']) {
    assert.ok(text.includes(w), `explanation mentions ${w}`);
  }
  await page.keyboard.press('Space');
  await detail.waitFor({ state: 'hidden' });

  // Indicators against their targets.
  const ind = await page.locator('[data-testid=alloc-indicators]').textContent();
  assert.match(ind, /资源错配率 \d+\.\d\d%/);
  assert.match(ind, /精准投放率 \d+\.\d\d%/);
  assert.match(ind, /资金利用率 \d+\.\d\d%/);
  assert.match(ind, /目标：低于 10\.00%/);

  // Charts: images with a name, and tables with the same figures.
  const donut = page.locator('[data-testid=alloc-donut]');
  assert.match(await donut.getAttribute('src'), /^data:image\/svg\+xml/);
  assert.ok((await donut.getAttribute('alt')).includes('表格'));
  assert.equal(await page.locator('[data-testid=donut-table] tbody tr').count(), 8);
  const bars = page.locator('[data-testid=alloc-bars]');
  assert.ok((await bars.getAttribute('alt')).includes('下表'));
  const svg = decodeURIComponent((await bars.getAttribute('src')).replace(/^data:image\/svg\+xml;charset=utf-8,/, ''));
  assert.ok(!/<script/i.test(svg));
  const groups = await page.$$eval('[data-testid=fair-row] th', (ths) => ths.map((t) => t.textContent));
  assert.equal(groups.length, 6);
  for (const g of groups) assert.ok(svg.includes(g), `bar label ${g}`);
  assert.ok(groups.includes('退休干部') && groups.includes('青年租户'), groups.join());

  // Change against the previous period, with arrows and words.
  const cmp = page.locator('[data-testid=alloc-compare] [data-testid=cmp-row]');
  assert.equal(await cmp.count(), 8);
  const cmpText = await page.locator('[data-testid=alloc-compare]').textContent();
  assert.match(cmpText, /上期（2026-Q2）/);
  assert.match(cmpText, /(▲ 上升|▼ 下降) \d+\.\d\d 个百分点/);

  // Cost sharing adds up to the money total.
  const costTotal = units((await page.locator('[data-testid=cost-total] td.num').first().textContent()));
  assert.equal(costTotal, units(await page.locator('[data-testid=pool-total]').textContent()));
  const funders = await page.$$eval('[data-testid=alloc-cost] thead th', (ths) => ths.map((t) => t.textContent));
  assert.deepEqual(funders.slice(3), ['政府', '市场', '社会', '居民']);

  await page.screenshot({ path: `${OUT}allocation.png`, fullPage: true });

  // English.
  await page.getByRole('button', { name: '切换语言为英文' }).click();
  await page.locator('h1', { hasText: 'Resource allocation' }).waitFor();
  assert.equal(await page.locator('nav a[aria-current=page]').textContent(), 'Allocation');
  assert.match(await page.locator('[data-testid=alloc-indicators]').textContent(), /Mismatch rate/);
  await page.getByRole('button', { name: 'Switch language to Chinese' }).click();
  await page.locator('h1', { hasText: '资源调配' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the CSV exports are identical to `linli allocate` on a backup of the same data (saved configuration)', async () => {
  assert.ok(existsSync(CLI), `the CLI binary ${CLI} exists (cargo build --release -p linli-cli)`);
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openAllocation(page);
  // A stored configuration: base 65 %, flexible 35 %, a money floor for disability.
  await page.fill('[data-testid=cfg-base]', '65');
  await page.fill('[data-testid=cfg-flexible]', '35');
  await page.fill('[data-testid=cfg-min-disability]', '40000');
  assert.match(await page.locator('[data-testid=cfg-split-sum]').textContent(), /100\.00%/);
  await page.click('[data-testid=config-save]');
  await page.locator('[data-testid=config-saved]', { hasText: '已保存' }).waitFor();
  // The data reloads after the commit and the form shows the stored values.
  await page.waitForFunction(() => document.querySelector('[data-testid=cfg-base]').value === '65.00');
  await run(page);
  const sha = await page.locator('[data-testid=alloc-result]').getAttribute('data-sha');

  const allocation = parseCsv(await downloadText(page, 'csv-allocation', `${OUT}allocation.csv`));
  const fairness = parseCsv(await downloadText(page, 'csv-fairness', `${OUT}allocation-fairness.csv`));
  const cost = parseCsv(await downloadText(page, 'csv-cost', `${OUT}allocation-cost.csv`));

  await page.goto(base + '#/settings');
  await page.locator('[data-testid=counts]').waitFor();
  const backupFile = `${OUT}allocation-backup.json`;
  const backup = JSON.parse(await exportBackupJson(page, backupFile));
  const stored = JSON.parse(backup.payload.settings.find((s) => s.key === 'alloc_config').value);
  assert.equal(stored.base_bp, 6500);
  assert.equal(stored.flexible_bp, 3500);
  const audit = backup.payload.audit_log.filter((e) => e.entity === 'settings');
  assert.equal(audit.length, 1, 'one audit entry for the one save');
  assert.match(audit[0].summary, /alloc_config: .*base_bp 7000→6500, flexible_bp 3000→3500/);
  assert.match(audit[0].summary, /categories\.disability\.min_fen 0→4000000/);

  const cli = JSON.parse(execFileSync(CLI, ['allocate', backupFile], { maxBuffer: 64 << 20 }));
  assert.equal(cli.period, '2026-Q3');
  assert.equal(cli.inputs_sha256, sha, 'the app and the CLI read the same inputs');
  assert.equal(cli.kinds.length, 3);
  for (const k of cli.kinds) {
    const code = k.kind;
    const rows = allocation.filter((r) => r['资源代码'] === code);
    const cats = rows.filter((r) => r['行类型'] === '类别');
    assert.deepEqual(cats.map((r) => r['类别代码']), k.categories.map((c) => c.code));
    for (const [r, c] of cats.map((r, i) => [r, k.categories[i]])) {
      assert.equal(csvUnits(code, r['基础池']), c.base, `${code} ${c.code} base`);
      assert.equal(csvUnits(code, r['机动池']), c.flexible, `${code} ${c.code} flexible`);
      assert.equal(csvUnits(code, r['合计']), c.total, `${code} ${c.code} total`);
      assert.equal(r['占比'], percent(c.share_bp));
      assert.equal(r['上期占比'], c.previous_share_bp == null ? '' : percent(c.previous_share_bp));
    }
    const reserve = rows.find((r) => r['行类型'] === '应急储备金');
    const total = rows.find((r) => r['行类型'] === '合计');
    assert.equal(csvUnits(code, reserve['合计']), k.pools.reserve);
    assert.equal(csvUnits(code, total['合计']), k.total);
    assert.equal(csvUnits(code, total['基础池']), k.pools.base);
    assert.equal(csvUnits(code, total['机动池']), k.pools.flexible);
    // Exact: the parts add up to the pool.
    assert.equal(cats.reduce((s, r) => s + csvUnits(code, r['合计']), 0) + k.pools.reserve, k.total);

    const fair = fairness.filter((r) => r['资源代码'] === code);
    assert.deepEqual(fair.map((r) => r['群体代码']), k.fairness.groups.map((g) => g.key));
    for (const [r, g] of fair.map((r, i) => [r, k.fairness.groups[i]])) {
      assert.equal(csvUnits(code, r['所获资源']), g.resources);
      assert.equal(r['资源占比'], percent(g.resource_share_bp));
      assert.equal(r['人口占比'], percent(g.population_share_bp));
      assert.equal(r['需求占比'], percent(g.need_share_bp));
      assert.equal(r['精英俘获预警'], g.capture_warning ? '是' : '否');
    }
  }
  const cs = cli.cost_sharing;
  const funderCol = { government: '政府（元）', market: '市场（元）', society: '社会（元）', residents: '居民（元）' };
  for (const c of cs.by_category) {
    const r = cost.find((x) => x['行类型'] === '类别' && x['类别代码'] === c.code);
    assert.equal(csvUnits('money', r['合计（元）']), c.total_fen);
    for (const f of c.funders) assert.equal(csvUnits('money', r[funderCol[f.funder]]), f.amount_fen, `${c.code} ${f.funder}`);
  }
  const costTotal = cost.find((x) => x['行类型'] === '合计');
  assert.equal(csvUnits('money', costTotal['合计（元）']), cs.total_fen);
  for (const f of cs.by_funder) assert.equal(csvUnits('money', costTotal[funderCol[f.funder]]), f.amount_fen);
  assert.equal(cs.by_funder.reduce((s, f) => s + f.amount_fen, 0), cs.total_fen);
  // The money floor held.
  const disability = cli.kinds[0].categories.find((c) => c.code === 'disability');
  assert.ok(disability.total >= 4_000_000);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an invalid configuration shows the error naming the field and saves nothing; defaults restore', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openAllocation(page);
  assert.ok(await page.getByText('尚未保存配置，当前使用默认值。').isVisible());
  await page.fill('[data-testid=cfg-base]', '60');
  assert.match(await page.locator('[data-testid=cfg-split-sum]').textContent(), /90\.00%/);
  await page.click('[data-testid=config-save]');
  const err = page.locator('[data-testid=config-error]');
  await err.waitFor();
  const message = await err.textContent();
  assert.match(message, /基础池与机动池之和为 90\.00%，必须恰好等于 100%/);
  assert.match(message, /setting `alloc_config`: base_bp \+ flexible_bp: /);
  assert.equal(await page.locator('[data-testid=config-saved]').count(), 0);
  assert.equal(await page.locator('[data-testid=config-invalid]').count(), 1);
  assert.equal(await page.locator('[data-testid=cfg-base]').inputValue(), '60', 'what was typed is kept');
  await page.screenshot({ path: `${OUT}allocation-config-error.png` });

  // A floor above its cap names the category's field, at its row.
  await page.fill('[data-testid=cfg-base]', '70');
  await page.fill('[data-testid=cfg-floor-elderly_care]', '70');
  await page.fill('[data-testid=cfg-cap-elderly_care]', '60');
  await page.click('[data-testid=config-save]');
  const rowErr = page.locator('[data-testid=cfg-cats] tr[data-code=elderly_care] [data-testid=config-error]');
  await rowErr.waitFor();
  assert.match(await rowErr.textContent(), /下限不能高于上限/);
  assert.match(await rowErr.textContent(), /categories\.elderly_care\.floor_bp/);
  // Not a number: refused next to the field, before the domain is asked.
  await page.fill('[data-testid=cfg-floor-elderly_care]', 'abc');
  await page.click('[data-testid=config-save]');
  await page.locator('[data-testid=cfg-cats] tr[data-code=elderly_care] [data-testid=config-error]', { hasText: '请输入 0 到 100 之间的百分数' }).waitFor();

  // Restore defaults fills the form; nothing was saved.
  await page.click('[data-testid=config-defaults]');
  await page.locator('[data-testid=config-defaults-filled]').waitFor();
  assert.equal(await page.locator('[data-testid=cfg-floor-elderly_care]').inputValue(), '10.00');
  assert.equal(await page.locator('[data-testid=cfg-base]').inputValue(), '70.00');
  await page.reload();
  await page.locator('[data-testid=alloc-run]').waitFor();
  assert.ok(await page.getByText('尚未保存配置，当前使用默认值。').isVisible(), 'no configuration was stored');
  assert.equal(await page.locator('[data-testid=cfg-base]').inputValue(), '70.00');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a saved run is verified as consistent and compares with the current result', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openAllocation(page);
  const before = await page.locator('[data-testid=run-row]').count();
  await run(page);
  await page.click('[data-testid=alloc-save-run]');
  const saved = page.locator('[data-testid=alloc-run-saved]');
  await saved.waitFor();
  const id = Number((await saved.textContent()).match(/#(\d+)/)[1]);
  assert.match(await saved.textContent(), /^已保存为调配记录 #\d+$/);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=run-row]').length === n, before + 1);
  // The result stays (the run changed nothing it depends on).
  assert.equal(await page.locator('[data-testid=alloc-stale]').count(), 0);
  const row = page.locator(`[data-testid=run-row][data-id="${id}"]`);
  assert.match(await row.textContent(), /2026-Q3/);
  await row.locator('[data-testid=verify-run]').click();
  const verdict = row.locator('[data-testid=verify-result]');
  await verdict.waitFor();
  assert.equal(await verdict.getAttribute('data-ok'), 'true');
  assert.match(await verdict.textContent(), /一致/);
  // Compared with itself: nothing changed.
  await page.selectOption('[data-testid=cmp-with]', `run-${id}`);
  await page.locator('[data-testid=alloc-compare] thead', { hasText: `记录 #${id}` }).waitFor();
  const changes = await page.$$eval('[data-testid=alloc-compare] [data-testid=cmp-row]', (trs) => trs.map((t) => Number(t.dataset.change)));
  assert.equal(changes.length, 8);
  assert.ok(changes.every((c) => c === 0));
  assert.deepEqual(errors, []);
  await context.close();
});

test('what-if beside the current result; the elite-capture warning is shown prominently', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openAllocation(page);
  await run(page);
  assert.equal(await page.locator('[data-testid=capture-banner]').count(), 0);
  // Childcare demand ×3: childcare gains.
  await page.selectOption('[data-testid=whatif-category]', 'childcare');
  await page.fill('[data-testid=whatif-demand]', '300');
  await page.click('[data-testid=whatif-run]');
  const child = page.locator('[data-testid=whatif-table] [data-testid=cmp-row][data-code=childcare]');
  await child.waitFor();
  assert.ok(Number(await child.getAttribute('data-change')) > 0);
  assert.match(await child.textContent(), /▲ 上升/);
  const head = await page.locator('[data-testid=whatif-table] thead').textContent();
  assert.ok(head.includes('当前方案') && head.includes('假设情景'));
  // Flexible 130 %: refused.
  await page.fill('[data-testid=whatif-flexible]', '130');
  await page.click('[data-testid=whatif-run]');
  await page.locator('[data-testid=whatif-error]').waitFor();

  // A lower warning ratio flags the group with more than its share per unit of need.
  await page.fill('[data-testid=cfg-capture-ratio]', '1.1');
  await page.click('[data-testid=config-save]');
  await page.locator('[data-testid=config-saved]').waitFor();
  await page.locator('[data-testid=alloc-stale]').waitFor();
  await run(page);
  const banner = page.locator('[data-testid=capture-banner]');
  await banner.waitFor();
  assert.equal(await banner.getAttribute('role'), 'alert');
  assert.match(await banner.textContent(), /精英俘获预警：.*有孩家庭/);
  const warn = page.locator('[data-testid=capture-warning]');
  assert.match(await warn.textContent(), /单位需求所获资源是其他群体的 \d+\.\d\d 倍/);
  assert.ok(await page.locator('[data-testid=fair-row].warn').count() >= 1);
  await page.locator('[data-testid=capture-warning]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${OUT}allocation-capture.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('resources: validation next to the field, add, edit, delete; a changed pool makes the result stale', async () => {
  const { context, page, errors } = await newPage({ width: 1280, height: 900 });
  await openAllocation(page);
  const moneyTotal = async () => units(await page.locator('[data-testid=res-total][data-kind=money] td.num').textContent());
  const total0 = await moneyTotal();
  const rows0 = await page.locator('[data-testid=res-row]').count();
  await run(page);

  await page.fill('[data-testid=res-name]', '企业慈善捐赠');
  await page.fill('[data-testid=res-amount]', '1000.555');
  await page.click('[data-testid=res-save]');
  await page.locator('[data-testid=res-error-amount]', { hasText: '金额最多两位小数' }).waitFor();
  await page.fill('[data-testid=res-period]', '2026-Q5');
  await page.fill('[data-testid=res-amount]', '1,000.50');
  await page.click('[data-testid=res-save]');
  await page.locator('[data-testid=res-error-period]').waitFor();
  assert.equal(await page.locator('[data-testid=res-error-amount]').count(), 0);
  assert.equal(await page.locator('[data-testid=res-row]').count(), rows0, 'nothing saved');
  await page.fill('[data-testid=res-period]', '2026-Q3');
  await page.selectOption('[data-testid=res-category]', 'childcare');
  await page.click('[data-testid=res-save]');
  await page.locator('[data-testid=res-saved]', { hasText: '已保存' }).waitFor();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=res-row]').length === n, rows0 + 1);
  assert.equal(await moneyTotal(), total0 + 100_050);
  // The shown result no longer matches the data.
  await page.locator('[data-testid=alloc-stale]').waitFor();
  await run(page);
  assert.equal(units(await page.locator('[data-testid=pool-total]').textContent()), total0 + 100_050);

  // Edit, then delete.
  const row = page.locator('[data-testid=res-row]', { hasText: '企业慈善捐赠' });
  await row.locator('[data-testid=res-edit]').click();
  assert.equal(await page.locator('[data-testid=res-amount]').inputValue(), '1000.50');
  await page.fill('[data-testid=res-amount]', '2000');
  await page.click('[data-testid=res-save]');
  await page.locator('[data-testid=res-row]', { hasText: '¥2,000.00' }).waitFor();
  assert.equal(await moneyTotal(), total0 + 200_000);
  await row.locator('[data-testid=res-delete]').click();
  await row.locator('[data-testid=res-delete-confirm]').click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=res-row]').length === n, rows0);
  assert.equal(await moneyTotal(), total0);

  // A resource of a new period opens that period.
  await page.fill('[data-testid=res-name]', '四季度托育名额');
  await page.selectOption('[data-testid=res-kind]', 'slots');
  await page.selectOption('[data-testid=res-category]', 'childcare');
  await page.fill('[data-testid=res-period]', '2026-Q4');
  await page.fill('[data-testid=res-amount]', '12');
  await page.click('[data-testid=res-save]');
  await page.locator('[data-testid=res-saved]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid=alloc-period]').value === '2026-Q4');
  assert.equal(await page.locator('[data-testid=res-row]').count(), 1);
  await run(page);
  await checkSums(page);
  assert.equal(units(await page.locator('[data-testid=pool-total]').textContent()), 12);
  assert.deepEqual(errors, []);
  await context.close();
});

test('360 px phone: no horizontal overflow with a result and an open explanation', async () => {
  const { context, page, errors } = await newPage({ width: 360, height: 740 });
  await openAllocation(page);
  await run(page);
  await page.locator('[data-testid=explain-toggle]').first().click();
  await page.locator('[data-testid=alloc-explain]:visible').waitFor();
  // The explanation is readable without scrolling its wide table sideways.
  const box = await page.locator('[data-testid=alloc-explain]:visible [data-testid=explain-base]').boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `explanation at ${box.x}..${box.x + box.width}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the 360 px viewport`);
  await page.screenshot({ path: `${OUT}allocation-360.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await context.close();
});
