// The orders console at desk width, against the real order API: a walk-in
// non-member's counter order made through the API (quote, then commit
// with an Idempotency-Key, paid in cash: completed at once) is found in
// the list and opened; its receipt reads in Chinese (lines, prices,
// tenders, 非会员, ¥ amounts, dates in words); one line is refunded in the
// refund dialog, which shows what went back, and the order and its row
// then read 部分退款. A phone order (paid, not yet served) is marked
// 已完成 with 标记完成. A refund over the merchant's approval amount shows
// 已提交店主审批, and the owner approves it from the console. An unpaid
// (online) order is cancelled with 取消订单 once the clerk confirms. axe
// finds nothing serious or critical on the page.
//
// SHOTS=<dir> (tests/run.sh sets it): screenshots of the page, the refund
// dialog and its result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { sql } from '../http/lib.mjs';
import {
  staff, storeIds, idemKey, newMember, CHECKOUT_DEFAULTS as DEFAULTS,
} from '../http/wallet_helpers.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const SHOTS = process.env.SHOTS || '';
const BASE = process.env.BASE_URL;
const DESK = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };
let browser, cashier, owner, store;

before(async () => {
  browser = await launch();
  cashier = await staff('demo', 'cashier');
  owner = await staff('demo', 'owner');
  [store] = await storeIds();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); });

/* A counter order paid in cash: quoted, then committed. The order. */
async function walkIn(lines, who = cashier, extra = {}) {
  const body = { store_id: store, lines, tenders: [{ kind: 'cash' }], ...extra };
  const q = await who.call('POST', '/staff/orders/quote', body);
  assert.equal(q.status, 200, q.text);
  const c = await who.call('POST', '/staff/orders', { ...body, quote_hash: q.json.data.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(c.status, 201, c.text);
  return c.json.data.order;
}

async function orderStatus(id) {
  const r = await cashier.call('GET', `/staff/orders/${id}`);
  assert.equal(r.status, 200, r.text);
  return (r.json.data.order || r.json.data).status;
}

/* axe's serious and critical findings on the page, one line per element. */
async function severe(page) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(' ')}`));
}

test('a walk-in order: found, its receipt in Chinese, one line refunded, 部分退款', async () => {
  const order = await walkIn([
    { name: '美式咖啡', price_fen: 1800, qty: 2 },
    { name: '牛角包', price_fen: 1250, qty: 1 },
  ]);
  assert.equal(order.status, 'completed', 'paid in full at the counter: served');

  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier', '/m/demo/staff/orders');
  const row = `#orders-list tr[data-id="${order.id}"]`;
  await page.waitForSelector(row);
  const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent.trim()));
  assert.match(cells[0], /^(\d{2}-\d{2}|\d{4}-\d{2}-\d{2}) \d{2}:\d{2}$/, `the time as people read it: ${cells[0]}`);
  assert.equal(cells[1], String(order.id));
  assert.equal(cells[2], '非会员');
  assert.match(cells[3], /美式咖啡.*2.*牛角包/, `what was bought: ${cells[3]}`);
  assert.equal(cells[4], '¥48.50');
  assert.equal(cells[5], '已完成');

  // filters: by status and by a date written as people write it
  await page.selectOption('#of-status', 'cancelled');
  await page.waitForFunction((sel) => !document.querySelector(sel), row);
  await page.selectOption('#of-status', 'completed');
  await page.fill('#of-from', '今天');
  await page.fill('#of-to', '今天');
  await page.click('#of-search');
  await page.waitForSelector(row);
  assert.match(await page.inputValue('#of-from'), /^\d{4}年\d{1,2}月\d{1,2}日$/, 'the date shown in words');
  await page.fill('#of-from', '13月45日');
  await page.click('#of-search');
  await page.waitForSelector('#of-error:not(:empty)');
  assert.match(await page.textContent('#of-error'), /开始日期/);
  await page.click('#of-clear');
  await page.waitForSelector(row);

  await page.click(row);
  await page.waitForSelector('#od-body:not([hidden])');
  assert.equal(await page.textContent('#od-title'), `订单 ${order.id}`);
  assert.equal(await page.textContent('#od-status'), '已完成');
  assert.equal(await page.isVisible('#od-complete'), false, 'served already');
  const lines = await page.$$eval('#od-lines tbody tr', (trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent.trim())));
  assert.deepEqual(lines, [
    ['美式咖啡', '2', '¥18.00', '—', '—', '¥36.00'],
    ['牛角包', '1', '¥12.50', '—', '—', '¥12.50'],
  ]);
  const tenders = await page.$$eval('#od-tenders .od-list__row', (rs) => rs.map((r) => r.textContent));
  assert.deepEqual(tenders, ['现金¥48.50']);
  const detail = await page.innerText('#od-body');
  assert.match(detail, /非会员/);
  assert.match(detail, /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/, 'the order time in words');
  assert.doesNotMatch(detail, /[A-Za-z]/, `no English in the receipt:\n${detail}`);
  assert.equal(await page.isVisible('#od-refund'), true);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-orders.png` });
  assert.deepEqual(await severe(page), [], 'axe on the page with an order open');

  // refund one coffee
  await page.click('#od-refund');
  await page.waitForSelector('#refund-dialog[open]');
  await page.fill('#rf-qty-1', '1');
  await page.fill('#rf-reason', '顾客不想要了');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-orders-refund.png` });
  assert.deepEqual(await severe(page), [], 'axe on the refund dialog');
  const posted = page.waitForResponse((r) => r.url().endsWith(`/staff/orders/${order.id}/refunds`));
  await page.click('#rf-submit');
  const res = await posted;
  assert.equal(res.status(), 201);
  assert.ok(res.request().headers()['idempotency-key'], 'the refund carries an Idempotency-Key');
  await page.waitForSelector('#rf-result:not([hidden])');
  assert.equal(await page.textContent('#rf-result-title'), '已退款 ¥18.00');
  const result = await page.$$eval('#rf-result-list .od-list__row', (rs) => rs.map((r) => r.textContent));
  assert.ok(result.includes('退回现金¥18.00'), result.join(' | '));
  assert.ok(result.includes('退回优惠券无'), result.join(' | '));
  assert.ok(result.includes('订单状态部分退款'), result.join(' | '));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-orders-refund-result.png` });
  await page.click('#rf-done');
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '部分退款');
  await page.waitForSelector(`${row} .od-badge:has-text("部分退款")`);
  assert.match(await page.innerText('#od-lines'), /已退 1 件/);
  assert.match(await page.innerText('#od-refunds'), /¥18\.00[\s\S]*顾客不想要了/);
  assert.equal(await orderStatus(order.id), 'partially_refunded');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-orders-after-refund.png`, fullPage: true });

  // the page opened on the order by its address shows the same
  await page.goto(`${BASE}/m/demo/staff/orders?order=${order.id}`);
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '部分退款');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a refund over the approval amount: 已提交店主审批, nothing refunded yet', async (t) => {
  const set = await owner.call('PUT', '/staff/settings/checkout', { ...DEFAULTS, refund_approval_over_fen: 1000 });
  assert.equal(set.status, 200, set.text);
  t.after(() => owner.call('PUT', '/staff/settings/checkout', DEFAULTS));
  const order = await walkIn([{ name: '整只蛋糕', price_fen: 16800, qty: 1 }]);

  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier', `/m/demo/staff/orders?order=${order.id}`);
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '已完成');
  await page.click('#od-refund');
  await page.waitForSelector('#refund-dialog[open]');
  await page.check('input[name="rf-mode"][value="amount"]');
  await page.fill('#rf-amount', '50');
  await page.fill('#rf-reason', '蛋糕压坏了');
  await page.click('#rf-submit');
  await page.waitForSelector('#rf-result:not([hidden])');
  assert.equal(await page.textContent('#rf-result-title'), '已提交店主审批');
  await page.click('#rf-done');
  await page.waitForSelector('#od-refunds-box:not([hidden])');
  assert.match(await page.innerText('#od-refunds'), /¥50\.00[\s\S]*待店主审批/);
  assert.equal(await page.isVisible('#od-refunds button'), false, 'a cashier does not approve');
  assert.equal(await orderStatus(order.id), 'completed');
  const [[cash, refunded]] = await sql(`SELECT cash_fen, refunded_fen FROM orders WHERE id = ${order.id}`);
  assert.deepEqual([cash, refunded], ['16800', '0']);
  await ctx.close();

  // the owner approves it from the console: the money goes back
  const octx = await browser.newContext(DESK);
  const opage = await octx.newPage();
  opage.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(opage, 'owner', `/m/demo/staff/orders?order=${order.id}`);
  await opage.waitForSelector('#od-refunds button:has-text("批准退款")');
  if (SHOTS) await opage.screenshot({ path: `${SHOTS}/staff-orders-approval.png` });
  await opage.click('#od-refunds button:has-text("批准退款")');
  await opage.waitForFunction(() => document.getElementById('od-status').textContent === '部分退款');
  assert.match(await opage.innerText('#od-refunds'), /¥50\.00\s*已退款/);
  assert.equal(await orderStatus(order.id), 'partially_refunded');
  assert.deepEqual(errors, []);
  await octx.close();
});

test('a phone order, paid and not yet served: 标记完成 makes it 已完成', async () => {
  const mem = await newMember();
  const order = await walkIn([{ name: '外送套餐', price_fen: 3900, qty: 1 }], owner,
    { member_phone: mem.phone, use_balance: false });
  assert.equal(order.status, 'paid');
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier', '/m/demo/staff/orders');
  const row = `#orders-list tr[data-id="${order.id}"]`;
  await page.waitForSelector(row);
  const member = await page.textContent(`${row} td:nth-child(3)`);
  assert.equal(member, mem.phone.slice(0, 3) + '****' + mem.phone.slice(7), 'the member by masked phone');
  await page.click(row);
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '已支付');
  await page.click('#od-complete');
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '已完成');
  await page.waitForSelector(`${row} .od-badge:has-text("已完成")`);
  assert.equal(await orderStatus(order.id), 'completed');
  assert.equal(await page.isVisible('#od-complete'), false);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('an unpaid order (online, not yet paid): 取消订单 after the clerk confirms makes it 已取消', async () => {
  const order = await walkIn([{ name: '线上点单', price_fen: 990, qty: 1 }], cashier, { tenders: [{ kind: 'online' }] });
  assert.equal(order.status, 'pending');
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier', `/m/demo/staff/orders?order=${order.id}`);
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '待支付');
  assert.match(await page.innerText('#od-tenders'), /在线支付\s*¥9\.90/);
  assert.equal(await page.isVisible('#od-refund'), false, 'nothing paid, nothing to refund');
  // the first time the clerk thinks better of it: nothing happens
  page.once('dialog', (d) => d.dismiss());
  await page.click('#od-cancel');
  assert.equal(await orderStatus(order.id), 'pending');
  page.once('dialog', (d) => { assert.match(d.message(), /取消/); d.accept(); });
  await page.click('#od-cancel');
  await page.waitForFunction(() => document.getElementById('od-status').textContent === '已取消');
  assert.equal(await orderStatus(order.id), 'cancelled');
  assert.match(await page.innerText('#od-meta'), /取消时间\s*\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}/);
  assert.deepEqual(errors, []);
  await ctx.close();
});
