// Points at phone size: a member with points, some expiring, opens 我的积分
// from the card page, sees what expires next and the ledger, goes to the
// 积分商城 and exchanges an item (the coupon lands in 我的券, the points
// go down by its price). At desk width, marketing staff set the expiry
// and put an item in the shop in the points console.
// SHOTS=<dir> (tests/run.sh sets it) keeps screenshots of each screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { api, m, BASE, sql } from '../http/lib.mjs';
import { newMember, givePoints, assertLedger, staff } from '../http/wallet_helpers.mjs';

const SHOTS = process.env.SHOTS || '';
let browser, marketing;

before(async () => {
  browser = await launch();
  marketing = await staff('demo', 'marketing');
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); });

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function shopItem(points, title) {
  const t = await marketing.call('POST', '/staff/coupon-templates', {
    name: `${title}券`, kind: 'threshold', threshold_fen: 3000, value_fen: 500, stock: null,
    per_member_limit: 10, valid_days: 30, status: 'active',
  });
  assert.equal(t.status, 201, t.text);
  const it = await marketing.call('POST', '/staff/points-shop', {
    template_id: t.json.data.id, title, points, stock: 20, per_member_limit: 2, position: 0,
  });
  assert.equal(it.status, 201, it.text);
  return it.json.data;
}

test('the member opens 我的积分, then exchanges an item in the 积分商城', async () => {
  const mem = await newMember();
  await givePoints(mem.id, 300, '2099-06-30');
  await givePoints(mem.id, 500);
  const title = `浏览器兑换${Date.now() % 100000}`;
  const it = await shopItem(200, title);

  const ctx = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  await ctx.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => d.accept());

  await page.goto(`${BASE}/m/demo/`);
  await page.click('#points-link');
  await page.waitForSelector('#points-total');
  assert.equal(await page.textContent('#points-total'), '800');
  assert.match(await page.textContent('#points-next-expiry'), /300 积分\s*将于\s*2099年6月30日\s*到期/);
  assert.equal(await page.locator('#points-entries .points-entry').count(), 2);
  await shot(page, 'points');

  await page.click('#points-shop-link');
  await page.waitForSelector(`#item-${it.id}`);
  await page.waitForFunction(() => document.getElementById('shop-points').textContent === '800');
  const card = page.locator(`#item-${it.id}`);
  assert.match(await card.textContent(), /200 积分/);
  assert.match(await card.textContent(), /满30减5/);
  await shot(page, 'points-shop');
  await card.locator('button.shop-exchange').click();
  await page.waitForFunction(() => document.getElementById('shop-points').textContent === '600');
  await page.waitForFunction((id) => /已兑 1 次/.test(document.getElementById(`item-${id}`).textContent), it.id);
  await shot(page, 'points-shop-exchanged');

  // the coupon is the member's, the points came from the lot expiring first
  const mine = (await api('GET', m('/me/coupons?status=unused'), { token: mem.token })).json.data;
  assert.ok(mine.some((c) => c.template_id === it.template_id));
  const lots = await sql(`SELECT left_points FROM points_lots WHERE member_id = ${mem.id} ORDER BY id`);
  assert.deepEqual(lots.map((r) => Number(r[0])), [100, 500]);
  await page.goto(`${BASE}/m/demo/points`);
  assert.equal(await page.textContent('#points-total'), '600');
  assert.match(await page.textContent('#points-entries .points-entry:first-child'), /积分商城兑换[\s\S]*-200/);
  await assertLedger(mem.id);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the points console: marketing sets the expiry and puts an item in the shop', async () => {
  const saved = (await marketing.call('GET', '/staff/settings/points')).json.data;
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${BASE}/m/demo/staff/points`);
    await page.fill('#staff-username', 'marketing');
    await page.fill('#staff-password', 'demo1234');
    await page.click('#staff-login-submit');
    await page.waitForSelector('#points-form:not([hidden])');
    assert.equal(await page.isVisible('#expiry-months-row'), saved.expiry.mode === 'months');
    await page.selectOption('#expiry-mode', 'months');
    assert.equal(await page.isVisible('#expiry-months-row'), true);
    await page.fill('#expiry-months', '18');
    await page.fill('#cap-day', '3000');
    await page.click('#points-save');
    await page.waitForFunction(() => /积分设置已保存/.test(document.body.textContent));
    const d = (await marketing.call('GET', '/staff/settings/points')).json.data;
    assert.deepEqual([d.expiry.mode, d.expiry.months, d.caps.per_day], ['months', 18, 3000]);

    await page.waitForSelector('#item-template option', { state: 'attached' });
    const title = `控制台商品${Date.now() % 100000}`;
    await page.fill('#item-title', title);
    await page.fill('#item-points', '150');
    await page.fill('#item-stock', '30');
    await page.click('#item-save');
    await page.waitForFunction((t) => Array.from(document.querySelectorAll('#shop-rows tr')).some((tr) => tr.textContent.includes(t)), title);
    const items = (await marketing.call('GET', '/staff/points-shop')).json.data;
    const it = items.find((x) => x.title === title);
    assert.ok(it);
    assert.deepEqual([it.points, it.stock, it.stock_left, it.active], [150, 30, 30, true]);
    await shot(page, 'staff-points');
    assert.deepEqual(errors, []);
  } finally {
    await marketing.call('PUT', '/staff/settings/points', saved);
    await ctx.close();
  }
});
