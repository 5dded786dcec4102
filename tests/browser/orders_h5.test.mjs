// The member's side of orders at phone size: a member with a balance opens
// a store's menu (扫码点餐), adds two dishes, sees the member price and the
// total the quote gives, orders and pays from the balance, and lands on
// the receipt with its lines; my orders lists it. An order whose due goes
// online is pending with its payment on the receipt, and 取消订单 there
// cancels it (已取消). A price changed between the quote and 下单支付 is
// quote_stale: the page prices again and says 价格已更新，请确认.
//
// SHOTS=<dir> (tests/run.sh sets it) keeps the menu with a cart, the
// checkout sheet, the receipt and my orders there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, PHONE } from './browser.mjs';
import { api, m, BASE, sql } from '../http/lib.mjs';
import { newMember, fund, accounts, assertLedger, storeIds } from '../http/wallet_helpers.mjs';

const SHOTS = process.env.SHOTS || '';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let browser;
let storeId;
let latte;		// 28.00, member price 24.00 at every tier
let croissant;	// 15.00, no member price
const tag = String(Date.now() % 1e7);

/* A product sold at storeId (straight into the catalogue: the test is about the pages). */
async function product({ name, category, price_fen: price, member_prices: mp = [] }) {
  const [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mid}, '${name}', '${category}', ${price}, '[${storeId}]', 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[id]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND name = '${name}'`);
  for (const p of mp) await sql(`INSERT INTO product_member_prices VALUES (${id}, ${p.tier_level}, ${p.price_fen})`);
  return { id: Number(id), name };
}

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  [storeId] = await storeIds();
  const tiers = (await api('GET', m('/tiers'))).json.data;
  latte = await product({ name: `招牌拿铁${tag}`, category: '咖啡', price_fen: 2800,
    member_prices: tiers.map((t) => ({ tier_level: t.level, price_fen: 2400 })) });
  croissant = await product({ name: `黄油可颂${tag}`, category: '烘焙', price_fen: 1500 });
});

after(async () => { await browser?.close(); });

async function memberPage(token) {
  const ctx = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  await ctx.addCookies([{ name: 'sid', value: token, url: BASE }]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { ctx, page, errors };
}

/* No serious or critical axe finding on what the page shows now (the checkout sheet: a11y.test opens pages only). */
async function assertAxe(page, what) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, {
    rules: { 'target-size': { enabled: true } }, resultTypes: ['violations'],
  }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], what);
}

const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
const item = (p) => `.menu-item[data-product-id="${p.id}"]`;

/* What the API quotes for this cart, as the page asks it (coupons proposed by the engine). */
async function quoteOf(token, lines, extra = {}) {
  const r = await api('POST', m('/me/orders/quote'), {
    token, body: { store_id: storeId, lines, use_balance: true, tenders: [{ kind: 'online' }], ...extra },
  });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/* Add a latte and a croissant on the menu; the bar shows the quote's total. */
async function fillCart(page, token, extra) {
  await page.goto(`${BASE}/m/demo/menu/${storeId}`);
  await page.waitForSelector(item(latte));
  await page.click(`${item(latte)} .stepper__btn_inc`);
  await page.click(`${item(croissant)} .stepper__btn_inc`);
  const q = await quoteOf(token, [{ product_id: latte.id, qty: 1 }, { product_id: croissant.id, qty: 1 }], extra);
  await page.waitForFunction((t) => document.getElementById('cart-total').textContent === t &&
    !document.getElementById('menu').hasAttribute('data-quoting'), yuan(q.total_fen));
  return q;
}

test('menu: two dishes at the member price, paid from the balance; the receipt and my orders show them', async () => {
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  await fund(mem, { package_id: pkgs[0].id });
  const before = await accounts(mem.id);
  const { ctx, page, errors } = await memberPage(mem.token);

  await page.goto(`${BASE}/m/demo/menu/${storeId}`);
  await page.waitForSelector(item(latte));
  assert.equal(await page.textContent(`${item(latte)} .menu-item__member-price`), '¥24.00');
  assert.equal(await page.textContent(`${item(latte)} .menu-item__list`), '¥28.00');
  assert.equal(await page.textContent(`${item(croissant)} .menu-item__list-price`), '¥15.00');
  assert.equal(await page.$(`${item(croissant)} .menu-item__member-price`), null);
  // the + buttons are big enough to hit with a thumb
  const inc = await page.locator(`${item(latte)} .stepper__btn_inc`).boundingBox();
  assert.ok(inc.width >= 44 && inc.height >= 44, `+ is a 44px target (${inc.width}x${inc.height})`);

  const q = await fillCart(page, mem.token);
  assert.equal(q.total_list_fen, 4300);
  assert.equal(q.due_fen, 0, 'the balance covers it');
  assert.equal(await page.textContent(`${item(latte)} .stepper__qty`), '1');
  assert.equal(await page.textContent('#cart-count'), '2');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/orders-menu.png` });

  await page.click('#cart-go');
  await page.waitForSelector('#checkout:not([hidden])');
  await page.waitForFunction(() => !document.getElementById('order-submit').disabled);
  const lines = await page.$$eval('#cart-lines .cart-line__name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(lines, [latte.name, croissant.name]);
  const sum = await page.textContent('#checkout-sum');
  assert.match(sum, /商品原价¥43\.00/);
  assert.match(sum, /会员价-¥4\.00/);
  assert.match(sum, new RegExp(`合计${yuan(q.total_fen).replace('.', '\\.')}`));
  assert.match(await page.textContent('#checkout-due'), /无需另付/);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/orders-checkout.png` });
  await assertAxe(page, 'the checkout sheet');

  await Promise.all([page.waitForURL(/\/m\/demo\/orders\/\d+/), page.click('#order-submit')]);
  const id = Number(/\/orders\/(\d+)/.exec(page.url())[1]);
  await page.waitForSelector('#order:not([hidden])');
  assert.equal(await page.textContent('#order-status'), '已支付');
  assert.equal(await page.textContent('#order-total'), yuan(q.total_fen));
  const names = await page.$$eval('#order-lines .receipt-line__name', (els) => els.map((e) => e.textContent));
  assert.deepEqual(names, [latte.name, croissant.name]);
  const latteLine = await page.textContent('#order-lines .receipt-line:first-child');
  assert.match(latteLine, /原价¥28\.00/);
  assert.match(latteLine, /会员价 ¥24\.00-¥4\.00/);
  assert.match(await page.textContent('#order-tenders'), /余额本金|赠送金/);
  assert.equal(await page.isVisible('#order-pay'), false);
  assert.equal(await page.isVisible('#order-cancel'), false);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/orders-receipt.png`, fullPage: true });

  const [[status, total]] = await sql(`SELECT status, total_fen FROM orders WHERE id = ${id}`);
  assert.equal(status, 'paid');
  assert.equal(Number(total), q.total_fen);
  const afterAcc = await accounts(mem.id);
  assert.equal(before.principal + before.bonus - afterAcc.principal - afterAcc.bonus, q.total_fen);
  await assertLedger(mem.id);

  await page.goto(`${BASE}/m/demo/orders`);
  await page.waitForSelector('.order-card');
  const first = page.locator('.order-card').first();
  assert.equal(await first.getAttribute('data-order-id'), String(id));
  assert.equal(await first.locator('.order-status').textContent(), '已支付');
  assert.match(await first.locator('.order-card__items').textContent(),
    new RegExp(`${latte.name} ×1、${croissant.name} ×1`));
  assert.match(await first.locator('.order-card__time').textContent(), /^(\d{4}年)?\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
  assert.equal(await first.locator('.order-card__total').textContent(), yuan(q.total_fen));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/orders-list.png` });
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('menu: a due paid online is pending on its receipt; 取消订单 cancels it', async () => {
  const mem = await newMember();	// no balance: all of it goes online
  const { ctx, page, errors } = await memberPage(mem.token);
  const q = await fillCart(page, mem.token);
  assert.ok(q.due_fen > 0);
  await page.click('#cart-go');
  await page.waitForFunction(() => !document.getElementById('order-submit').disabled);
  assert.match(await page.textContent('#checkout-due'), new RegExp(`在线支付 ${yuan(q.due_fen).replace('.', '\\.')}`));
  await Promise.all([page.waitForURL(/\/m\/demo\/orders\/\d+/), page.click('#order-submit')]);
  const id = Number(/\/orders\/(\d+)/.exec(page.url())[1]);
  await page.waitForSelector('#order:not([hidden])');
  assert.equal(await page.textContent('#order-status'), '待支付');
  assert.equal(await page.isVisible('#order-pay'), true);
  assert.equal(await page.textContent('#pay-due'), yuan(q.due_fen));
  assert.equal(await page.isVisible('#sandbox-pay'), true, 'the sandbox pays it in test');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/orders-receipt-pending.png`, fullPage: true });
  await assertAxe(page, 'a pending receipt');
  assert.equal((await sql(`SELECT status FROM orders WHERE id = ${id}`))[0][0], 'pending');

  await page.click('#order-cancel');
  assert.equal(await page.textContent('#order-cancel'), '确认取消订单');
  await page.click('#order-cancel');
  await page.waitForFunction(() => document.getElementById('order-status').textContent === '已取消');
  assert.equal(await page.isVisible('#order-pay'), false);
  assert.equal((await sql(`SELECT status FROM orders WHERE id = ${id}`))[0][0], 'cancelled');

  await page.goto(`${BASE}/m/demo/orders`);
  await page.waitForSelector(`.order-card[data-order-id="${id}"]`);
  assert.equal(await page.textContent(`.order-card[data-order-id="${id}"] .order-status`), '已取消');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('menu: a price changed after the quote is quote_stale; the page prices again and says so', async () => {
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  await fund(mem, { package_id: pkgs[0].id });
  const dish = await product({ name: `芝士蛋糕${tag}`, category: '烘焙', price_fen: 2600 });
  const { ctx, page, errors } = await memberPage(mem.token);
  await page.goto(`${BASE}/m/demo/menu/${storeId}`);
  await page.waitForSelector(item(dish));
  await page.click(`${item(dish)} .stepper__btn_inc`);
  await page.waitForFunction(() => document.getElementById('cart-total').textContent === '¥26.00' &&
    !document.getElementById('menu').hasAttribute('data-quoting'));
  await page.click('#cart-go');
  await page.waitForFunction(() => !document.getElementById('order-submit').disabled);

  await sql(`UPDATE products SET price_fen = 2900, updated_at = UTC_TIMESTAMP() WHERE id = ${dish.id}`);
  await page.click('#order-submit');
  await page.waitForFunction(() => document.getElementById('app-toast')?.textContent === '价格已更新，请确认');
  await page.waitForFunction(() => document.getElementById('cart-total').textContent === '¥29.00');
  assert.match(await page.textContent('#checkout-sum'), /商品原价¥29\.00/);
  assert.equal(page.url(), `${BASE}/m/demo/menu/${storeId}`);
  assert.equal((await sql(`SELECT COUNT(*) FROM orders WHERE member_id = ${mem.id}`))[0][0], '0');

  // confirmed at the new price, it goes through
  await page.waitForFunction(() => !document.getElementById('order-submit').disabled);
  await Promise.all([page.waitForURL(/\/m\/demo\/orders\/\d+/), page.click('#order-submit')]);
  await page.waitForSelector('#order:not([hidden])');
  assert.equal(await page.textContent('#order-total'), '¥29.00');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('order pages without a session show the sign-in form; another member\'s order is not found', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  for (const path of ['/m/demo/orders', '/m/demo/orders/1', `/m/demo/menu/${storeId}`]) {
    await page.goto(BASE + path);
    await page.waitForSelector('#signin-form');
  }
  await ctx.close();

  const mem = await newMember();
  const { ctx: c2, page: p2, errors } = await memberPage(mem.token);
  const r = await p2.goto(`${BASE}/m/demo/menu/999999999`);
  assert.equal(r.status(), 404);
  assert.match(await p2.textContent('h1'), /门店不存在/);
  await p2.goto(`${BASE}/m/demo/orders/999999999`);
  await p2.waitForSelector('#order-missing:not([hidden])');
  assert.equal(await p2.textContent('#order-missing-text'), '订单不存在');
  await p2.goto(`${BASE}/m/demo/orders`);
  await p2.waitForSelector('#orders-empty:not([hidden])');
  assert.deepEqual(errors, []);
  await c2.close();
});
