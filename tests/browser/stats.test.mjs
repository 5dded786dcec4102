// The analytics console: marketing opens it at phone size and on a desktop,
// sees the headline cards (today, this week, this month with 环比 and 同比)
// with the figures the overview API gives, the sections below them with
// the consumption, stored value, coupon and retention figures the API
// gives, every chart drawn at its box's width, a CSV downloaded, another
// period and a store picked; a cashier is told the page is not for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { staff, idemKey, storeIds } from '../http/wallet_helpers.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SHOTS_DIR;
let browser;

before(async () => {
  browser = await launch();
  // a walk-in order of today, so that the headline figures are not all zero
  const cashier = await staff('demo', 'cashier');
  const [store] = await storeIds();
  const body = { store_id: store, lines: [{ name: '手冲', price_fen: 134400, qty: 1 }], tenders: [{ kind: 'cash' }] };
  const q = await cashier.call('POST', '/staff/orders/quote', body);
  assert.equal(q.status, 200, q.text);
  const c = await cashier.call('POST', '/staff/orders', { ...body, quote_hash: q.json.data.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(c.status, 201, c.text);
});

after(async () => { await browser?.close(); });

async function signIn(page, user) {
  await page.goto(`${BASE}/m/demo/staff/stats`);
  await page.waitForSelector('#staff-login:not([hidden])');
  await page.fill('#staff-username', user);
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.waitForSelector('#console:not([hidden])');
}

/** ¥1,344.00 as the console writes money. */
function money(fen) {
  return `${fen < 0 ? '-' : ''}¥${(Math.abs(fen) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}
function change(v) {
  if (v === null) return '—';
  if (v === 0) return '持平';
  return `${v > 0 ? '↑' : '↓'}${Math.abs(v * 100).toFixed(1)}%`;
}

const value = (page, sel) => page.textContent(`${sel} .stats-kpi__value`);

const CHARTS = ['chart-joins', 'chart-channels', 'chart-tiers', 'chart-consumption', 'chart-share', 'chart-aov',
  'chart-recharges', 'chart-recharge-channels', 'chart-recharge-stores', 'chart-active'];

test('marketing on a phone: the headline cards are the overview API\'s, the sections the reports\', charts drawn, a CSV downloaded', async () => {
  const api = await staff('demo', 'marketing');
  const ctx = await browser.newContext({ ...PHONE, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'marketing');
  await page.waitForSelector('#console[data-loaded="1"]');

  const ov = (await api.call('GET', '/staff/stats/overview')).json.data;
  const c = (await api.call('GET', '/staff/stats/consumption')).json.data;
  const cp = (await api.call('GET', '/staff/stats/campaigns')).json.data;
  const rt = (await api.call('GET', '/staff/stats/retention')).json.data;
  assert.ok(ov.today.order_fen >= 134400, 'the order of today is in');
  for (const p of ['today', 'week', 'month']) {
    for (const [f, isMoney] of [['order_fen', true], ['orders', false], ['new_members', false],
      ['member_order_fen', true], ['non_member_order_fen', true], ['recharge_fen', true]]) {
      const sel = `[data-period="${p}"] [data-kpi="${f}"]`;
      assert.equal(await value(page, sel), isMoney ? money(ov[p][f]) : ov[p][f].toLocaleString('zh-CN'), `${p}.${f}`);
      assert.equal(await page.textContent(`${sel} [data-cmp="change"]`), change(ov[p].change[f]), `${p}.change.${f}`);
      assert.equal(await page.textContent(`${sel} [data-cmp="change_yoy"]`), change(ov[p].change_yoy[f]));
    }
  }
  assert.match(await value(page, '[data-period="today"] [data-kpi="order_fen"]'), /^¥\d{1,3}(,\d{3})*\.\d\d$/);
  assert.equal(await page.inputValue('#stats-from'), c.from);
  assert.equal(await page.inputValue('#stats-to'), c.to);
  assert.equal(await value(page, '#kpi-consumption [data-kpi="order_fen"]'), money(c.totals.order_fen));
  assert.equal(await value(page, '#kpi-consumption [data-kpi="member_order_fen"]'), money(c.members.order_fen));
  assert.equal(await value(page, '#kpi-consumption [data-kpi="non_member_order_fen"]'), money(c.non_members.order_fen));
  assert.equal(await value(page, '#kpi-members [data-kpi="new_members"]'), c.new_members.count.toLocaleString('zh-CN'));
  assert.equal(await value(page, '#kpi-recharges [data-kpi="pay_fen"]'), money(c.stored_value.pay_fen));
  assert.equal(await value(page, '#kpi-recharges [data-kpi="balance"]'), money(c.stored_value.balance.total_fen));
  assert.equal(await value(page, '#kpi-coupons [data-kpi="discount_fen"]'), money(cp.totals.discount_fen));
  assert.equal(await value(page, '#kpi-retention [data-kpi="mau"]'), rt.active.mau.toLocaleString('zh-CN'));
  assert.equal(await page.locator('#table-templates tbody tr').count(), cp.templates.length);
  assert.equal(await page.locator('#table-stores tbody tr').count(), c.stores.length);
  // the definitions the API gives, beside the figures
  const defs = await page.textContent('[data-defs="overview"] dl');
  assert.ok(defs.includes('环比') && defs.includes('同比'), defs);
  // ECharts drew into every chart box, at the box's width, inside the phone's width
  for (const id of CHARTS) {
    const [w, box] = await page.$eval(`#${id}`, (d) => [d.querySelector('canvas')?.getBoundingClientRect().width || 0,
      d.getBoundingClientRect().right]);
    assert.ok(w > 300, `${id}: canvas ${w} px wide`);
    assert.ok(box <= 390, `${id}: inside the screen (${box})`);
  }
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `no sideways scrolling of the page (${wide})`);
  if (SHOTS) { mkdirSync(SHOTS, { recursive: true }); await page.screenshot({ path: `${SHOTS}/staff-stats-phone.png`, fullPage: true }); }

  // the CSV of consumption downloads, with the BOM, the title and the period's totals in yuan
  const dl = page.waitForEvent('download');
  await page.click('[data-csv="consumption"]');
  const file = await dl;
  assert.equal(file.suggestedFilename(), `stats-consumption-${c.from}-${c.to}.csv`);
  const text = readFileSync(await file.path());
  assert.deepEqual([...text.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const csv = text.toString('utf8');
  assert.ok(csv.includes('会员消费与储值\r\n'), csv.slice(0, 80));
  assert.ok(csv.includes(`合计·订单金额（元）,${(c.totals.order_fen / 100).toFixed(2)}\r\n`));

  // another period: one day long ago, and one store
  await page.fill('#stats-from', '2024-03-11');
  await page.fill('#stats-to', '2024-03-11');
  const [, second] = await storeIds();
  await page.selectOption('#stats-store', String(second));
  await page.click('#stats-load');
  await page.waitForFunction(() => document.getElementById('stats-range').textContent === '2024年3月11日 至 2024年3月11日');
  const day = (await api.call('GET', `/staff/stats/consumption?from=2024-03-11&to=2024-03-11&store_id=${second}`)).json.data;
  assert.equal(await value(page, '#kpi-consumption [data-kpi="order_fen"]'), money(day.totals.order_fen));
  const one = (await api.call('GET', `/staff/stats/overview?store_id=${second}`)).json.data;
  assert.equal(await value(page, '[data-period="today"] [data-kpi="order_fen"]'), money(one.today.order_fen));
  assert.match(await page.getAttribute('[data-csv="retention"]', 'href'), new RegExp(`store_id=${second}`));
  // a period the API refuses: its message, the figures kept
  await page.fill('#stats-from', '2024-03-12');
  await page.click('#stats-load');
  await page.waitForFunction(() => (document.getElementById('app-toast')?.textContent || '').includes('开始日期不能晚于结束日期'));
  assert.equal(await page.textContent('#stats-range'), '2024年3月11日 至 2024年3月11日');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('on a desktop the console takes the width: cards in a row, charts side by side', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'owner');
  await page.waitForSelector('#console[data-loaded="1"]');
  const cards = await page.$$eval('.stats-head', (hs) => hs.map((h) => h.getBoundingClientRect()).map((r) => [r.top, r.width]));
  assert.equal(cards.length, 3);
  assert.ok(cards.every(([top, w]) => top === cards[0][0] && w > 350), JSON.stringify(cards));
  const main = await page.$eval('#console', (d) => d.getBoundingClientRect().width);
  assert.ok(main > 1200, `the console is ${main} px wide`);
  const [a, b] = await Promise.all(['#chart-channels', '#chart-tiers'].map((s) => page.$eval(s, (d) => d.getBoundingClientRect())));
  assert.equal(a.top, b.top, 'two charts in a row');
  assert.ok(a.width > 500);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-stats-desktop.png`, fullPage: true });
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a cashier is told the analytics are for owners and marketing', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await signIn(page, 'cashier');
  await page.waitForSelector('#stats-denied:not([hidden])');
  assert.equal(await page.isHidden('#stats-period'), true);
  assert.equal(await page.isHidden('#stats-overview'), true);
  assert.equal(await page.isHidden('#stats-members'), true);
  await ctx.close();
});
