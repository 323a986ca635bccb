// End-to-end: the facilitator persona of issue #17 (items 13–15), on a projector at
// 1920×1080 and on a laptop at 1366×768 and 1280×720.
// - 13: dots placed and saved with S are listed after a reload; the saved session
//   is reopened with its dots, continued and saved again (one record, replaced);
//   the save is written with the acting guide.
// - 14: building tiles in reading order of their grid positions (from the stored
//   buildings, not hard-coded), labels fit their tiles, dots ≥ 16 px, and nothing is
//   cut off from 1280 px (every tile inside the viewport and the plan, no
//   horizontal scroll).
// - 15: number key N votes for the proposal labelled N (7 and 8 included), and
//   Ctrl+Z (and ⌘Z) undoes the last vote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start, waitForDemo, OUT, readStore, openWorkshop } from './harness.mjs';

let env, base, newPage;
before(async () => { env = await start(); ({ base, newPage } = env); });
after(async () => { await env?.stop(); });


// Reads records straight from IndexedDB (the demo has no passphrase: `_json`).

const total = async (page) => Number(await page.locator('[data-testid=ws-total]').textContent());
const waitTotal = (page, n) => page.waitForFunction((n) => document.querySelector('[data-testid=ws-total]')?.textContent === String(n), n);

// Width and height (CSS px) of everything painted on the dot layer.
async function paintedBox(page) {
  return page.evaluate(() => {
    const c = document.querySelector('canvas.ws-dots');
    const { data, width, height } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (data[(y * width + x) * 4 + 3] > 0) {
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        }
      }
    }
    const scale = c.getBoundingClientRect().width / c.width;
    return x1 < 0 ? null : { w: (x1 - x0 + 1) * scale, h: (y1 - y0 + 1) * scale };
  });
}

// Tiles in DOM order with their boxes, labels and the plan's and viewport's boxes.
async function tiles(page) {
  return page.evaluate(() => {
    const plan = document.querySelector('[data-testid=ws-plan]').getBoundingClientRect();
    const out = [...document.querySelectorAll('.ws-tile')].map((t) => {
      const r = t.getBoundingClientRect();
      const name = t.querySelector('.ws-name');
      const nr = name.getBoundingClientRect();
      return {
        id: Number(t.dataset.testid.replace('ws-tile-', '')), left: r.left, top: r.top, right: r.right, bottom: r.bottom,
        title: t.title, text: name.textContent, fontPx: parseFloat(getComputedStyle(name).fontSize),
        nameFits: name.scrollWidth <= name.clientWidth && nr.left >= r.left - 0.5 && nr.right <= r.right + 0.5
          && nr.bottom <= r.bottom + 0.5,
      };
    });
    return { tiles: out, plan: { left: plan.left, top: plan.top, right: plan.right, bottom: plan.bottom },
      vw: document.documentElement.clientWidth, vh: window.innerHeight };
  });
}

// Building tiles: reading order of the stored grid positions, boxes by position,
// labels that fit; with `inside`, every tile within the viewport and the plan, and no
// horizontal scroll anywhere.
async function checkPlan(page, buildings, label) {
  const { tiles: t, plan, vw } = await tiles(page);
  const expected = [...buildings].sort((a, b) => a.plan_y - b.plan_y || a.plan_x - b.plan_x);
  assert.deepEqual(t.map((x) => x.id), expected.map((b) => b.id), `${label}: DOM order is the reading order of the grid positions`);
  const at = new Map(buildings.map((b) => [b.id, b]));
  for (let i = 1; i < t.length; i++) {
    const [a, b] = [t[i - 1], t[i]];
    const [pa, pb] = [at.get(a.id), at.get(b.id)];
    if (pa.plan_y === pb.plan_y) {
      assert.ok(Math.abs(a.top - b.top) < 1 && b.left > a.left, `${label}: ${a.id} then ${b.id} on one row, left to right`);
      // Cells are evenly sized: the gap in px follows the gap in columns.
      const cellW = a.right - a.left;
      assert.ok(Math.abs((b.left - a.left) - (pb.plan_x - pa.plan_x) * cellW) < 1.5, `${label}: ${b.id} at its column`);
    } else {
      assert.ok(b.top > a.top, `${label}: ${b.id} on a lower row than ${a.id}`);
    }
  }
  for (const x of t) {
    assert.equal(x.title, at.get(x.id).name, `${label}: the tile's title is the full name`);
    assert.equal(x.text, at.get(x.id).name);
    assert.ok(x.nameFits, `${label}: label of ${x.id} fits its tile (${x.fontPx}px)`);
    assert.ok(x.left >= 0 && x.right <= vw + 0.5, `${label}: tile ${x.id} inside the viewport (${x.left}–${x.right} of ${vw})`);
    assert.ok(x.left >= plan.left - 0.5 && x.right <= plan.right + 0.5 && x.top >= plan.top - 0.5 && x.bottom <= plan.bottom + 0.5,
      `${label}: tile ${x.id} inside the plan`);
  }
  assert.ok(plan.right <= vw + 0.5, `${label}: the plan ends inside the viewport (${plan.right} of ${vw})`);
  const scroll = await page.evaluate(() => [document.documentElement, document.querySelector('article.ws'),
    document.querySelector('[data-testid=ws-main]')].map((e) => [e.scrollWidth, e.clientWidth]));
  for (const [sw, cw] of scroll) assert.ok(sw <= cw, `${label}: no horizontal scroll (${sw} > ${cw})`);
}

test('facilitator at 1920×1080: dots saved, listed after a reload, reopened and continued; layout; voting keys and Ctrl+Z', async () => {
  const { page, context, errors } = await newPage({ width: 1920, height: 1080 });
  await openWorkshop(page, base);
  const buildings = await readStore(page, 'buildings');
  assert.ok(buildings.length >= 10);
  await checkPlan(page, buildings, '1920');

  // Item 14: a dot is at least 16 px across on the projector.
  const first = [...buildings].sort((a, b) => a.plan_y - b.plan_y || a.plan_x - b.plan_x)[0];
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await waitTotal(page, 1);
  const dot = await paintedBox(page);
  assert.ok(dot && dot.w >= 16 && dot.h >= 16, `dot of ${JSON.stringify(dot)} px`);
  assert.equal(await page.locator(`[data-testid=ws-tile-${first.id}]`).getAttribute('data-count'), '1');

  // Item 13: five dots (three on the first building, two to its right), S.
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('2');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await waitTotal(page, 5);
  const counts = async () => page.locator('.ws-tile').evaluateAll((ts) =>
    Object.fromEntries(ts.filter((t) => t.dataset.count !== '0').map((t) => [t.dataset.testid, Number(t.dataset.count)])));
  const before = await counts();
  assert.equal(Object.values(before).reduce((a, b) => a + b, 0), 5);
  await page.keyboard.press('s');
  await page.locator('[data-testid=ws-msg]', { hasText: '已保存：5 个需求圆点' }).waitFor();
  const settings = await readStore(page, 'settings');
  const rec = settings.filter((s) => s.key.startsWith('workshop_session:'));
  assert.equal(rec.length, 1, 'one saved session record');
  const whole = JSON.parse(rec[0].value);
  assert.equal(whole.session.dots.length, 5);
  assert.ok(whole.saved_by.length > 0, 'saved by the acting guide');
  const audit = (await readStore(page, 'audit_log')).filter((e) => /^workshop session /.test(e.summary)).at(-1);
  assert.ok(audit && audit.actor === whole.saved_by, 'the history entry names the same guide');
  await page.screenshot({ path: `${OUT}persona-facilitator-saved-1920.png` });

  // Reload: a new, empty session; the saved one is listed with its five dots.
  await page.reload();
  await openWorkshop(page, base, false);
  assert.equal(await total(page), 0);
  await page.locator('[data-testid=ws-saved] summary').click();
  const row = page.locator(`[data-testid=ws-saved-${whole.session.started_at}]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-dots'), '5');
  assert.match(await row.textContent(), new RegExp(whole.saved_by));
  await page.screenshot({ path: `${OUT}persona-facilitator-listed-1920.png` });
  // Reopen it: the dots are back on the same buildings, and on the canvas.
  await page.locator(`[data-testid=ws-saved-open-${whole.session.started_at}]`).click();
  await waitTotal(page, 5);
  assert.deepEqual(await counts(), before);
  const again = await paintedBox(page);
  assert.ok(again && again.w >= 16, 'the reopened dots are drawn');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'ARTICLE', 'the keys are the workshop\'s again');
  // Continue: two more dots, S again replaces the same session.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await waitTotal(page, 7);
  await page.keyboard.press('s');
  await page.locator('[data-testid=ws-msg]', { hasText: '已保存：7 个需求圆点' }).waitFor();
  const after2 = (await readStore(page, 'settings')).filter((s) => s.key.startsWith('workshop_session:'));
  assert.equal(after2.length, 1);
  assert.equal(JSON.parse(after2[0].value).session.dots.length, 7);
  const needs = JSON.parse((await readStore(page, 'settings')).find((s) => s.key === 'workshop_needs').value);
  assert.equal(needs.sessions.length, 1);
  assert.equal(needs.sessions[0].dots, 7);
  assert.equal(await row.getAttribute('data-dots'), '7');
  await page.screenshot({ path: `${OUT}persona-facilitator-continued-1920.png` });

  // Item 15: key N votes for the proposal labelled N.
  await page.keyboard.press('v');
  await page.locator('[data-testid=ws-vote]').waitFor();
  const items = await page.locator('[data-testid=ws-vote] li').evaluateAll((ls) => ls.map((l) => ({
    id: l.dataset.testid, key: l.dataset.key, kbd: l.querySelector('kbd').textContent, title: l.querySelector('.ws-title').textContent,
  })));
  for (const it of items) assert.equal(it.kbd, it.key, 'the number shown is the key');
  const keyed = items.filter((it) => /^[1-9]$/.test(it.key));
  assert.ok(keyed.length >= 8, `${keyed.length} proposals on the keys`);
  const voteCounts = async () => page.locator('[data-testid=ws-vote] li').evaluateAll((ls) =>
    Object.fromEntries(ls.map((l) => [l.dataset.key, Number(l.dataset.count)])));
  const ns = [...new Set([1, 3, 7, 8, keyed.length])];
  for (const n of ns) {
    if (await page.locator('[data-testid=ws-participant]').getAttribute('data-left') === '0') {
      await page.keyboard.press('n');
    }
    const was = await voteCounts();
    await page.keyboard.press(String(n));
    await page.keyboard.press('Enter');
    await page.waitForFunction(([n, c]) => document.querySelector(`[data-testid=ws-vote] li[data-key="${n}"]`).dataset.count === String(c),
      [n, was[n] + 1]);
    const now = await voteCounts();
    for (const k of Object.keys(now)) assert.equal(now[k], was[k] + (k === String(n) ? 1 : 0), `key ${n}: count of ${k}`);
  }
  await page.screenshot({ path: `${OUT}persona-facilitator-vote-1920.png` });
  // Ctrl+Z undoes the last vote (key ${last}); the message names the number shown.
  const last = ns.at(-1);
  const was = await voteCounts();
  await page.keyboard.press('Control+z');
  await page.waitForFunction(([n, c]) => document.querySelector(`[data-testid=ws-vote] li[data-key="${n}"]`).dataset.count === String(c),
    [last, was[last] - 1]);
  const title = items.find((it) => it.key === String(last)).title;
  assert.ok((await page.locator('[data-testid=ws-msg]').textContent()).includes(`→ ${last} ${title}`));
  // ⌘Z (Meta) too: the vote before it (key 8).
  const prev = ns.at(-2);
  const was2 = await voteCounts();
  await page.keyboard.press('Meta+z');
  await page.waitForFunction(([n, c]) => document.querySelector(`[data-testid=ws-vote] li[data-key="${n}"]`).dataset.count === String(c),
    [prev, was2[prev] - 1]);
  await page.screenshot({ path: `${OUT}persona-facilitator-undo-1920.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('facilitator on a laptop: at 1366×768 and 1280×720 nothing is cut off, labels fit, dots ≥ 16 px', async () => {
  const { page, context, errors } = await newPage({ width: 1366, height: 768 });
  await openWorkshop(page, base);
  const buildings = await readStore(page, 'buildings');
  await checkPlan(page, buildings, '1366');
  await page.screenshot({ path: `${OUT}persona-facilitator-1366.png` });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.waitForFunction(() => {
    const p = document.querySelector('[data-testid=ws-plan]').getBoundingClientRect();
    return p.right <= document.documentElement.clientWidth;
  });
  await checkPlan(page, buildings, '1280');
  await page.keyboard.press('1');
  await page.keyboard.press('Enter');
  await waitTotal(page, 1);
  const dot = await paintedBox(page);
  assert.ok(dot && dot.w >= 16 && dot.h >= 16, `dot of ${JSON.stringify(dot)} px at 1280`);
  await page.screenshot({ path: `${OUT}persona-facilitator-1280.png` });
  assert.deepEqual(errors, []);
  await context.close();
});
