// At phone size: marketing opens the analytics console, sees the figures
// the stats API gives (members, coupons, stored value) and their charts
// drawn, picks another period; a cashier is told the page is not for them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, PHONE } from './browser.mjs';
import { staff } from '../http/wallet_helpers.mjs';

const BASE = process.env.BASE_URL;
let browser;

before(async () => {
  browser = await launch();
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

const kpi = (page, box, name) => page.textContent(`#${box} [data-kpi="${name}"] .stats-kpi__value`);

test('marketing reads members, coupons and stored value of a period, charts drawn', async () => {
  const api = await staff('demo', 'marketing');
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'marketing');
  await page.waitForSelector('#stats-recharges:not([hidden])');

  const members = (await api.call('GET', '/staff/stats/members')).json.data;
  const coupons = (await api.call('GET', '/staff/stats/coupons')).json.data;
  const recharges = (await api.call('GET', '/staff/stats/recharges')).json.data;
  assert.equal(await page.inputValue('#stats-from'), members.from);
  assert.equal(await page.inputValue('#stats-to'), members.to);
  assert.equal(await kpi(page, 'kpi-members', 'members'), String(members.members));
  assert.equal(await kpi(page, 'kpi-members', 'new_members'), String(members.new_members));
  assert.equal(await kpi(page, 'kpi-coupons', 'issued'), String(coupons.totals.issued));
  assert.equal(await kpi(page, 'kpi-recharges', 'balance'), '¥' + (recharges.balance.total_fen / 100).toFixed(2));
  assert.equal(await page.locator('#table-templates tbody tr').count(), coupons.templates.length);
  // ECharts drew into every chart box, at the box's width
  for (const id of ['chart-joins', 'chart-channels', 'chart-tiers', 'chart-coupons', 'chart-recharges', 'chart-packages']) {
    const w = await page.$eval(`#${id} canvas`, (c) => c.getBoundingClientRect().width);
    assert.ok(w > 300, `${id}: canvas ${w} px wide`);
  }

  // another period: one day long ago
  await page.fill('#stats-from', '2024-03-11');
  await page.fill('#stats-to', '2024-03-11');
  await page.click('#stats-load');
  await page.waitForFunction(() => document.getElementById('stats-range').textContent === '2024-03-11 至 2024-03-11');
  const day = (await api.call('GET', '/staff/stats/coupons?from=2024-03-11&to=2024-03-11')).json.data;
  assert.equal(await kpi(page, 'kpi-coupons', 'issued'), String(day.totals.issued));
  // a period the API refuses: its message, the figures kept
  await page.fill('#stats-from', '2024-03-12');
  await page.click('#stats-load');
  await page.waitForFunction(() => (document.getElementById('app-toast')?.textContent || '').includes('开始日期不能晚于结束日期'));
  assert.equal(await page.textContent('#stats-range'), '2024-03-11 至 2024-03-11');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a cashier is told the analytics are for owners and marketing', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await signIn(page, 'cashier');
  await page.waitForSelector('#stats-denied:not([hidden])');
  assert.equal(await page.isHidden('#stats-period'), true);
  assert.equal(await page.isHidden('#stats-members'), true);
  await ctx.close();
});
