// End-to-end: a resident's journey on the published dashboard (issue #17, items 8–12), on a
// 360×740 phone with a slow network and a 4× slower CPU. Each item is checked by what the
// page shows: figures and dates on one line, tables that scroll instead of crushing, a
// legend per donut slice, chart text ≥ 12 px at the phone's width, the table beside the
// chart, badges that agree with the notice text, percentage points, overdue requests,
// codes ending in a letter or digit (old `~` codes still found), a language switch usable
// before the charts, kept across a reload, with the tab title translated.
// Prints FIGURE phone_first_content_ms and phone_charts_ms.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, DIST, OUT, throttlePhone } from './harness.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = process.env.LINLI_CLI
  ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'ci', 'linli');
const SITE = join(DIST, 'site');
const AT = 1_795_492_800_000; // 2026-11-24 12:00 China time
const DAY = 86_400_000;

const work = mkdtempSync(join(tmpdir(), 'linli-resident-'));
const backup = join(work, 'demo.json');
const folder = join(work, 'site');
const cli = (...args) => execFileSync(CLI, args, { encoding: 'utf8' });

// Crockford base 32 and the mod-37 check alphabet (domain/src/requests/tracking.rs).
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CHECK = `${ALPHABET}*~$=U`;
const mod37 = (data) => [...data].reduce((r, c) => (r * 32 + ALPHABET.indexOf(c)) % 37, 0);
// An old-format code (issued before #17) ending in `~`: 15 symbols of `seed`, then the
// 16th chosen so that the check value is 33 (`~`).
function legacyTildeCode(seed) {
  for (let k = 0; k < 32; k++) {
    const head = seed.slice(0, 14) + ALPHABET[k];
    const r = mod37(head);
    const d = ((33 - r * 32) % 37 + 37) % 37;
    if (d < 32) {
      const code = head + ALPHABET[d] + '~';
      assert.equal(CHECK[mod37(code.slice(0, 16))], '~');
      return code;
    }
  }
  throw new Error('no code');
}
const chinaDate = (ms) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

let planted; // { code, overdueSince }
let fresh; // a new code of the demo
let servers = [];

before(() => {
  cli('demo', '--seed', '2026', '--created-at', String(AT), '--out', backup);
  // Plant an old-format `~` code on an open request past its due time: the backup's
  // payload hash is over the payload's bytes as they stand (domain/src/backup.rs).
  let text = readFileSync(backup, 'utf8');
  const file = JSON.parse(text);
  const payloadOf = (t) => t.slice(t.indexOf('"payload":') + '"payload":'.length, t.lastIndexOf('}'));
  const sha = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
  assert.equal(sha(payloadOf(text)), file.payload_sha256, 'payload bytes located');
  const codes = file.payload.requests.map((r) => r.tracking_code);
  // Every code the (new) generator wrote ends in a letter or a digit.
  assert.ok(codes.length > 100);
  for (const c of codes) assert.match(c, /^[0-9A-Z]{17}$/, c);
  const victim = file.payload.requests.find((r) => ['received', 'assigned', 'in_progress'].includes(r.status) && r.due_at < AT);
  assert.ok(victim, 'the demo has an open request due before publication');
  const old = legacyTildeCode(victim.tracking_code);
  assert.equal(text.split(victim.tracking_code).length, 2, 'the code appears once');
  text = text.replace(victim.tracking_code, old);
  text = text.replace(file.payload_sha256, sha(payloadOf(text)));
  writeFileSync(backup, text);
  planted = { code: old, overdueSince: chinaDate(victim.due_at) };
  fresh = file.payload.requests.find((r) => r !== victim && r.status === 'closed').tracking_code;
  // Published after the due time: the request is open and overdue at publication.
  cli('publish', backup, '--out', folder, '--site', SITE, '--at', String(AT));
});

after(async () => {
  for (const s of servers) await s.stop();
  rmSync(work, { recursive: true, force: true });
});

async function phone() {
  const env = await start(folder);
  servers.push(env);
  const { context, page, errors } = await env.newPage({ width: 360, height: 740 });
  await throttlePhone(context, page);
  return { env, context, page, errors };
}

// The chart pictures' text: each <text> font size times the picture's display scale.
async function chartTextPx(page) {
  return page.$$eval('img.chart', (imgs) => imgs.map((img) => {
    const svg = decodeURIComponent(img.src.slice(img.src.indexOf(',') + 1));
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const root = doc.documentElement;
    const natural = Number(root.getAttribute('width')) || Number((root.getAttribute('viewBox') ?? '').split(/\s+/)[2]);
    const scale = img.getBoundingClientRect().width / natural;
    // Empty <text> elements (the pie's blank slice labels) draw nothing.
    const sizes = [...doc.querySelectorAll('text')].filter((t) => t.textContent.trim()).map((t) => parseFloat(t.getAttribute('font-size') ?? getComputedStyle(t).fontSize));
    return { id: img.closest('[data-testid]').dataset.testid, min: Math.min(...sizes) * scale, texts: sizes.length, scale, svg };
  }));
}

// Money figures (¥1,234.56) and dates (YYYY-MM-DD) in the rendered page that are split
// over lines: each match's text range must lie on one line.
async function brokenFigures(page) {
  return page.evaluate(() => {
    const out = [];
    const re = /¥[\d,]+(\.\d+)?|\d{4}-\d{2}-\d{2}/g;
    const walk = document.createTreeWalker(document.getElementById('main'), NodeFilter.SHOW_TEXT);
    let checked = 0;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      for (const m of n.data.matchAll(re)) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const rects = [...r.getClientRects()].filter((x) => x.width > 0);
        if (!rects.length) continue; // not rendered (closed details, screen-reader only)
        if (n.parentElement.closest('.sr-only')) continue;
        checked++;
        const tops = new Set(rects.map((x) => Math.round(x.top / 4)));
        const bottoms = new Set(rects.map((x) => Math.round(x.bottom / 4)));
        if (tops.size > 1 || bottoms.size > 1) out.push(m[0]);
      }
    }
    return { checked, broken: out };
  });
}

test('a resident on a throttled 360 px phone: items 8–12 of issue #17', { timeout: 300_000 }, async () => {
  const { page, errors } = await phone();
  const t0 = Date.now();
  await page.goto((await Promise.resolve(servers.at(-1))).base, { waitUntil: 'commit' });

  // First content: the published page's first view, before any code.
  await page.locator('#boot .boot-zh .cards').waitFor({ state: 'visible', timeout: 60_000 });
  const firstContent = Date.now() - t0;
  console.log(`FIGURE phone_first_content_ms ${firstContent}`);
  await page.screenshot({ path: join(OUT, 'persona-resident-1-first-view.png') });

  // Item 12: the language switch is usable at once, before the charts are drawn.
  const chartsBefore = await page.locator('img.chart').count();
  assert.equal(chartsBefore, 0, 'the charts are not drawn yet');
  const sw = page.locator('#boot .boot-zh label.lang');
  assert.ok(await sw.isVisible(), 'a language switch on the first view');
  assert.equal(await page.locator('#boot-en').isDisabled(), false);
  await sw.click();
  const bootEn = await page.locator('#boot .boot-en-view').innerText({ timeout: 5_000 }).catch(() => null);
  // The switch acted while the code was still loading (or the code took over in English).
  if (bootEn !== null && await page.locator('#boot').count()) {
    assert.match(bootEn, /This period's fund/);
  }
  const chartsAtSwitch = await page.locator('img.chart').count();
  assert.equal(chartsAtSwitch, 0, 'the switch worked before the charts');

  // The full page takes over in the language chosen meanwhile.
  await page.locator('[data-testid=allocation] img.chart').waitFor({ timeout: 120_000 });
  await page.$$eval('img.chart', (imgs) => Promise.all(imgs.map((i) => i.decode())));
  const charts = Date.now() - t0;
  console.log(`FIGURE phone_charts_ms ${charts}`);
  await page.locator('h2', { hasText: 'Where the money goes' }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.title(), 'Community dashboard · Linli');
  assert.match(await page.locator('[data-testid=own-text-note]').innerText(), /as the community wrote them/);

  // Item 9: the donut's centre in English units, a legend entry per slice, chart text
  // ≥ 12 px at this width.
  const pics = await chartTextPx(page);
  assert.equal(pics.length, 3);
  for (const p of pics) {
    assert.ok(p.texts > 0, `${p.id} has text`);
    assert.ok(p.min >= 12, `${p.id}: smallest chart text ${p.min.toFixed(1)} px (scale ${p.scale.toFixed(3)})`);
  }
  const donut = pics.find((p) => p.id === 'allocation').svg;
  assert.ok(!donut.includes('万'), 'no 万 in English');
  const centre = (svg) => [...svg.matchAll(/>\s*(¥[^<]*?)\s*</g)].map((m) => m[1]).join('|');
  assert.match(centre(donut), /^¥\d+(\.\d+)?[kM]$/);
  const legend = page.locator('[data-testid=allocation-legend] li');
  const rows = await page.locator('[data-testid=allocation] tbody tr').count();
  assert.ok(rows >= 3);
  assert.equal(await legend.count(), rows, 'one legend entry per category');
  const swatches = await legend.locator('.swatch').evaluateAll((s) => s.map((e) => getComputedStyle(e).backgroundColor));
  const hexes = swatches.map((c) => '#' + c.match(/\d+/g).slice(0, 3).map((x) => Number(x).toString(16).padStart(2, '0')).join('').toUpperCase());
  const shares = await page.locator('[data-testid=allocation] tbody tr td:nth-child(3)').allInnerTexts();
  hexes.forEach((h, i) => {
    if (/^[1-9]|^0\.\d*[1-9]/.test(shares[i])) assert.ok(donut.toUpperCase().includes(h), `slice ${i} in ${h}`);
  });
  for (const t of await legend.allInnerTexts()) assert.ok(t.trim().length > 2, t);

  // Showing the table keeps the chart.
  await page.locator('[data-testid=allocation] button.toggle').click();
  assert.ok(await page.locator('[data-testid=allocation] table').isVisible());
  assert.ok(await page.locator('[data-testid=allocation] img.chart').isVisible(), 'chart visible with the table');
  const box = await page.locator('[data-testid=allocation] img.chart').boundingBox();
  assert.ok(box && box.height > 100, 'the chart keeps its size');

  // Item 10: percentage points; what each headline figure covers.
  const change = await page.locator('[data-testid=allocation] tbody tr td:nth-child(4)').allInnerTexts();
  const moved = change.filter((t) => /[↑↓]/.test(t));
  for (const t of moved) assert.match(t, /^[↑↓]\d+\.\d\d pp$/, t);
  const cards = await page.locator('[data-testid=headline] dt').allInnerTexts();
  assert.ok(cards.some((t) => /This period's fund/.test(t)), cards.join('|'));
  assert.ok(cards.some((t) => /all periods/.test(t)), cards.join('|'));
  await page.screenshot({ path: join(OUT, 'persona-resident-2-charts-en.png'), fullPage: true });

  // Back to Chinese for the rest (the resident's first language).
  await page.getByRole('button', { name: '中文' }).first().click();
  await page.locator('h2', { hasText: '钱用在哪里' }).waitFor();
  assert.equal(await page.title(), '社区公示看板 · 邻里');
  const donutZh = (await chartTextPx(page)).find((p) => p.id === 'allocation').svg;
  assert.match(centre(donutZh), /^¥\d+(\.\d)?万$/);
  const changeZh = await page.locator('[data-testid=allocation] tbody tr td:nth-child(4)').allInnerTexts();
  for (const t of changeZh.filter((x) => /[↑↓]/.test(x))) assert.match(t, /^[↑↓]\d+\.\d\d 个百分点$/, t);
  assert.equal(changeZh.filter((x) => /[↑↓]/.test(x)).length, moved.length);
  const cardsZh = await page.locator('[data-testid=headline] dt').allInnerTexts();
  assert.ok(cardsZh.some((t) => t.includes('本期')) && cardsZh.some((t) => t.includes('历期')), cardsZh.join('|'));

  // Item 10: each plan's badge agrees with its notice text.
  const plans = await page.locator('[data-testid=plan]').evaluateAll((ps) => ps.map((p) => ({
    badge: p.querySelector('[data-testid=stage-badge]').textContent,
    text: p.textContent,
  })));
  assert.ok(plans.length > 0);
  let noticeLines = 0;
  for (const p of plans) {
    if (p.text.includes('公示期已于此日结束')) {
      noticeLines++;
      assert.ok(!/^(公示中|预算调整公示中)$/.test(p.badge), `badge ${p.badge} beside an ended notice`);
    }
    if (p.text.includes('公示期剩余')) {
      noticeLines++;
      assert.match(p.badge, /公示中$/);
    }
  }
  console.log(`plans ${plans.length}, with a running or ended notice line ${noticeLines}`);

  // Item 8: figures, dates and names on one line; tables scroll rather than crush.
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  for (const id of ['funders', 'groups']) await page.locator(`[data-testid=${id}] button.toggle`).click();
  const { checked, broken } = await brokenFigures(page);
  assert.ok(checked > 20, `checked ${checked} figures and dates`);
  assert.deepEqual(broken, [], 'money figures and dates split over lines');
  const dds = await page.locator('[data-testid=headline] dd').evaluateAll((ds) => ds.map((d) => {
    const lh = parseFloat(getComputedStyle(d).lineHeight) || parseFloat(getComputedStyle(d).fontSize) * 1.6;
    return { text: d.textContent, h: d.getBoundingClientRect().height, lh, over: d.scrollWidth - d.clientWidth };
  }));
  for (const d of dds) {
    assert.ok(d.h <= d.lh * 1.3, `card figure ${d.text} on one line (${d.h} px, line ${d.lh} px)`);
    assert.ok(d.over <= 1, `card figure ${d.text} fits its card (${d.over} px over)`);
  }
  const heads = await page.locator('main table th[scope=row]').evaluateAll((ths) => ths
    .filter((t) => t.getClientRects().length && !t.closest('.sr-only'))
    .map((t) => ({ text: t.textContent, w: t.getBoundingClientRect().width, fs: parseFloat(getComputedStyle(t).fontSize) })));
  assert.ok(heads.length > 5);
  for (const h of heads) {
    if (h.text.trim().length >= 3) assert.ok(h.w >= 3.5 * h.fs, `row head "${h.text}" is ${h.w} px wide`);
  }
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page overflows by ${overflow} px: tables must scroll inside`);
  await page.screenshot({ path: join(OUT, 'persona-resident-3-tables-zh.png'), fullPage: true });

  // Item 11: the old `~` code is still found, and its open request says overdue and since when.
  const typed = (planted.code.slice(0, 4) + '-' + planted.code.slice(4)).toLowerCase();
  await page.fill('#code', typed);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=request-result]').waitFor({ timeout: 60_000 });
  const over = await page.locator('[data-testid=request-overdue]').innerText();
  assert.ok(over.includes('已超期') && over.includes(planted.overdueSince), over);
  await page.locator('[data-testid=lookup]').screenshot({ path: join(OUT, 'persona-resident-4-overdue.png') });
  // A new code (last character a letter or digit) is found; one changed character is refused.
  assert.match(fresh.at(-1), /[0-9A-Z]/);
  await page.fill('#code', fresh.toLowerCase());
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=request-result]', { hasText: '已办结' }).waitFor();
  assert.equal(await page.locator('[data-testid=request-overdue]').count(), 0, 'a closed request is not overdue');
  const wrong = fresh.slice(0, 5) + (fresh[5] === '7' ? '8' : '7') + fresh.slice(6);
  await page.fill('#code', wrong);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=request-invalid]').waitFor();

  // Item 12: the choice survives a reload (English again, title too).
  await page.getByRole('button', { name: 'English' }).first().click();
  await page.locator('h2', { hasText: 'Where the money goes' }).waitFor();
  await page.reload();
  await page.locator('h2', { hasText: 'Where the money goes' }).waitFor({ timeout: 120_000 });
  assert.equal(await page.title(), 'Community dashboard · Linli');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.screenshot({ path: join(OUT, 'persona-resident-5-reloaded-en.png') });
  assert.deepEqual(errors, []);
});

test('the stage badge follows the viewer\'s day, as the notice text does', { timeout: 120_000 }, async () => {
  const snap = JSON.parse(readFileSync(join(folder, 'snapshot.json'), 'utf8'));
  const running = snap.content.plans.flatMap((p) => p.notices.filter((n) => n.ended == null).map((n) => ({ p, n })));
  assert.ok(running.length > 0, 'the demo has a running notice');
  const env = await start(folder);
  servers.push(env);
  for (const [label, day] of [['during', running[0].n.start], ['after', running[0].n.last_day]]) {
    const { page, errors } = await env.newPage({ width: 360, height: 740 });
    // The viewer's clock: noon China time on the notice's first day, or the day after its last.
    const ms = Date.parse(`${day}T12:00:00+08:00`) + (label === 'after' ? DAY : 0);
    await page.clock.setFixedTime(ms);
    await page.goto(env.base);
    const plan = page.locator(`[data-testid=plan][data-id="${running[0].p.id}"]`);
    await plan.waitFor({ timeout: 60_000 });
    const badge = await plan.locator('[data-testid=stage-badge]').innerText();
    const text = await plan.innerText();
    if (label === 'during') {
      assert.ok(text.includes('公示期剩余'), text);
      assert.match(badge, /公示中$/);
    } else {
      assert.ok(text.includes('公示期已于此日结束'), text);
      assert.ok(!/公示中$/.test(badge), `badge "${badge}" after the notice ended`);
      assert.equal(await plan.locator('xpath=ancestor::section[@data-testid="stage-group"]').getAttribute('data-stage'), 'notice_over');
    }
    await page.screenshot({ path: join(OUT, `persona-resident-badge-${label}.png`) });
    assert.deepEqual(errors, []);
    await page.close();
  }
});
