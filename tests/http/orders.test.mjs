// Orders through nginx and MariaDB: quotes and commits at the counter and
// in the app, tier discounts and member prices, coupons and their
// stacking, points, balance and counter tenders, quote_hash and 409
// quote_stale, tickets, idempotency, cancel and expiry, refunds before
// and after completion (coupons, points, balance, growth), the approval
// of large refunds, online payment by the provider's notify, the card's
// validity and store scope, and the concurrency guarantees.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, parallel, demoStaff } from './lib.mjs';
import {
  newMember, fund, idemKey, accounts, assertLedger, staff, scan, storeIds, notify, notifyBody,
} from './wallet_helpers.mjs';

let owner, cashier, marketing, stores, mid;
let seq = 0;

before(async () => {
  owner = await staff('demo', 'owner');
  cashier = await staff('demo', 'cashier');
  marketing = await staff('demo', 'marketing');
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  await setCheckout({});
});

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

/** A product of the demo merchant (SQL: the catalogue API is tested on its own). */
async function product(priceFen, memberPrices = {}, storeList = null) {
  const name = uniq('测试商品');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mid}, '${name}', '测试', ${priceFen}, ${storeList ? `'${JSON.stringify(storeList)}'` : 'NULL'}, 1,
    UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[id]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND name = '${name}'`);
  for (const [lvl, p] of Object.entries(memberPrices)) {
    await sql(`INSERT INTO product_member_prices VALUES (${id}, ${lvl}, ${p})`);
  }
  return Number(id);
}

async function setCheckout(over) {
  const cols = {
    tier_with_member_price: 0, tier_only_if_balance: 0, max_stackable: 3, points_enabled: 1,
    points_per_yuan: 100, points_max_pct: 50, points_max_points: 'NULL', return_on_cancel: 1,
    return_before_complete: 1, return_after_complete: 0, refund_approval_over_fen: 'NULL',
    unpaid_expiry_min: 15, ...over,
  };
  const names = Object.keys(cols);
  await sql(`INSERT INTO checkout_settings (merchant_id, ${names.join(', ')}) VALUES (${mid}, ${names.map((n) => cols[n]).join(', ')})
    ON DUPLICATE KEY UPDATE ${names.map((n) => `${n} = VALUES(${n})`).join(', ')}`);
}

async function couponTemplate(extra) {
  const r = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('订单券'), kind: 'instant', value_fen: 500, stock: null, per_member_limit: 5,
    valid_days: 7, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function claim(mem, tpl) {
  const r = await api('POST', m('/coupons'), { token: mem.token, body: { template_id: tpl.id } });
  assert.equal(r.status, 201, r.text);
  return r.json.data.coupon.code;
}

function quote(st, body) {
  return st.call('POST', '/staff/orders/quote', body);
}

function commit(st, body, key = idemKey()) {
  return st.call('POST', '/staff/orders', body, { 'idempotency-key': key });
}

function meQuote(mem, body) {
  return api('POST', m('/me/orders/quote'), { token: mem.token, body });
}

function meCommit(mem, body, key = idemKey()) {
  return api('POST', m('/me/orders'), { token: mem.token, body, headers: { 'idempotency-key': key } });
}

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.ok(r.json.error.message.length > 0);
  assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no codes in messages');
}

/** Allocations add up to each adjustment, nets to the total, tenders to the total. */
function assertBalanced(q) {
  for (const a of q.adjustments) {
    const sum = q.lines.reduce((s, l) => s + l.allocations.filter((x) => x.seq === a.seq)
      .reduce((t, x) => t + x.amount_fen, 0), 0);
    assert.equal(sum, a.amount_fen, `adjustment ${a.seq} allocations`);
  }
  assert.equal(q.lines.reduce((s, l) => s + l.net_fen, 0), q.total_fen);
  assert.equal(q.total_fen, q.total_list_fen - q.discount_fen);
  assert.equal(q.due_fen, q.total_fen - q.points_fen - q.balance.principal_fen - q.balance.bonus_fen);
  for (const l of q.lines) assert.ok(l.net_fen >= 0);
}

async function memberAtTier(level) {
  const mem = await newMember();
  const growth = { 1: 0, 2: 1000, 3: 5000 }[level];
  await sql(`UPDATE members SET growth = ${growth} WHERE id = ${mem.id}`);
  return mem;
}

async function orderRow(id) {
  const [[status, total, principal, bonus, cash, pts]] = await sql(
    `SELECT status, total_fen, principal_fen, bonus_fen, cash_fen, points_used FROM orders WHERE id = ${id}`);
  return { status, total: Number(total), principal: Number(principal), bonus: Number(bonus), cash: Number(cash), points: Number(pts) };
}

async function couponStatus(code) {
  const [[s]] = await sql(`SELECT status FROM coupons WHERE code = '${code}'`);
  return s;
}

test('walk-in non-member: free lines paid in cash, change given, recorded and completed', async () => {
  const body = {
    store_id: stores[0],
    lines: [{ name: '拿铁', price_fen: 2200, qty: 2 }, { name: '可颂', price_fen: 1200, qty: 1 }],
    tenders: [{ kind: 'cash', amount_fen: 10000 }],
  };
  const q = await quote(cashier, body);
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.data.member, null);
  assert.equal(q.json.data.total_fen, 5600);
  assert.equal(q.json.data.change_fen, 4400);
  assert.equal(q.json.data.due_fen, 5600);
  assert.match(q.json.data.quote_hash, /^[0-9a-f]{64}$/);
  const [[before]] = await sql('SELECT COUNT(*) FROM orders');
  const again = await quote(cashier, body);
  assert.equal(again.json.data.quote_hash, q.json.data.quote_hash, 'same input, same hash');
  const [[after]] = await sql('SELECT COUNT(*) FROM orders');
  assert.equal(after, before, 'a quote writes nothing');
  const c = await commit(cashier, { ...body, quote_hash: q.json.data.quote_hash });
  assert.equal(c.status, 201, c.text);
  const o = c.json.data.order;
  assert.equal(o.status, 'completed');
  assert.deepEqual(o.tenders.map((t) => [t.kind, t.amount_fen]), [['cash', 5600]]);
  const g = await cashier.call('GET', `/staff/orders/${o.id}`);
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.data.total_fen, 5600);
  assert.equal(g.json.data.lines.length, 2);
  assert.equal(g.json.data.lines[0].name, '拿铁');
  assert.equal(g.json.data.member, null);
  const row = await orderRow(o.id);
  assert.equal(row.cash, 5600);
});

test('a silver member paying 100 from the balance pays 98: the tier discount is applied and allocated', async () => {
  const mem = await memberAtTier(2);
  await fund(mem, { pay_fen: 20000 });
  const p = await product(10000);
  const s = await scan(cashier, mem, stores[0]);
  const body = { store_id: stores[0], ticket: s.ticket, lines: [{ product_id: p, qty: 1 }], coupon_codes: [] };
  const q = await quote(cashier, body);
  assert.equal(q.status, 200, q.text);
  const d = q.json.data;
  assert.equal(d.member.tier_level, 2);
  assert.equal(d.total_fen, 9800);
  assert.deepEqual(d.adjustments.map((a) => [a.kind, a.amount_fen]), [['tier_discount', 200]]);
  assert.equal(d.balance.principal_fen, 9800);
  assert.equal(d.due_fen, 0);
  assertBalanced(d);
  const before = await accounts(mem.id);
  const c = await commit(cashier, { ...body, quote_hash: d.quote_hash });
  assert.equal(c.status, 201, c.text);
  const after = await accounts(mem.id);
  assert.equal(before.principal - after.principal, 9800);
  assert.equal(after.growth - before.growth, 98, 'growth on what was paid');
  assert.equal(after.points - before.points, Math.floor(98 * 1.2), 'points by the tier multiplier');
  await assertLedger(mem.id);
  // the ticket is spent
  assertError(await commit(cashier, body), 409, 'ticket_used');
});

test('member prices per tier; the tier discount only on lines without one (setting)', async () => {
  const mem = await memberAtTier(2);
  const p1 = await product(2200, { 2: 2000 });
  const p2 = await product(1000);
  const body = { store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p1, qty: 1 }, { product_id: p2, qty: 1 }], coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }] };
  const d = (await quote(owner, body)).json.data;
  assert.equal(d.lines[0].member_unit_fen, 2000);
  assert.deepEqual(d.adjustments.map((a) => [a.kind, a.amount_fen]), [['member_price', 200], ['tier_discount', 20]]);
  assert.equal(d.total_fen, 2000 + 980);
  assertBalanced(d);
  await setCheckout({ tier_with_member_price: 1 });
  try {
    const d2 = (await quote(owner, body)).json.data;
    assert.deepEqual(d2.adjustments.map((a) => [a.kind, a.amount_fen]), [['member_price', 200], ['tier_discount', 60]]);
    // a quote made under the old setting is stale now
    assertError(await commit(owner, { ...body, quote_hash: d.quote_hash }), 409, 'quote_stale');
  } finally {
    await setCheckout({});
  }
  // a phone order needs owner or marketing
  assertError(await quote(cashier, body), 403, 'forbidden');
});

test('three non-stackable coupons on one bill: exactly one is used, the others skipped with their reason', async () => {
  const mem = await newMember();
  const t = await couponTemplate({ kind: 'threshold', threshold_fen: 5000, value_fen: 1000, stackable: false });
  const codes = [await claim(mem, t), await claim(mem, t), await claim(mem, t)];
  const p = await product(8800);
  const body = { store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], use_balance: false, tenders: [{ kind: 'cash' }], coupon_codes: codes };
  const q = await quote(owner, body);
  const d = q.json.data;
  assert.equal(d.adjustments.filter((a) => a.kind === 'coupon').length, 1);
  assert.equal(d.total_fen, 7800);
  assert.deepEqual(d.skipped.map((s) => s.reason), ['not_stackable', 'not_stackable']);
  assert.ok(d.skipped.every((s) => s.reason_text.length > 0));
  const c = await commit(owner, { ...body, quote_hash: d.quote_hash });
  assert.equal(c.status, 201, c.text);
  const st = await Promise.all(codes.map(couponStatus));
  assert.deepEqual(st.sort(), ['unused', 'unused', 'used']);
});

test('no coupons named: the best combination is proposed, stackable ones combine up to the limit', async () => {
  const mem = await newMember();
  const small = await couponTemplate({ kind: 'instant', value_fen: 300, stackable: true });
  const big = await couponTemplate({ kind: 'threshold', threshold_fen: 3000, value_fen: 800, stackable: true });
  const lone = await couponTemplate({ kind: 'instant', value_fen: 1000, stackable: false });
  const cs = [await claim(mem, small), await claim(mem, big), await claim(mem, lone)];
  const p = await product(5000);
  const body = { store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], use_balance: false, tenders: [{ kind: 'cash' }] };
  const d = (await quote(owner, body)).json.data;
  const used = d.adjustments.filter((a) => a.kind === 'coupon').map((a) => a.ref).sort();
  assert.deepEqual(used, [cs[0], cs[1]].sort(), '300 + 800 beats 1000 alone');
  assert.equal(d.total_fen, 5000 - 1100);
  assert.deepEqual(d.skipped.map((s) => [s.coupon_code, s.reason]), [[cs[2], 'not_stackable']]);
  assertBalanced(d);
});

test('points to cash at the merchant rate with the share cap; spent and earned through the ledger', async () => {
  const mem = await newMember();
  await sql(`UPDATE members SET points = 5000 WHERE id = ${mem.id}`);
  await sql(`INSERT INTO points_entries (merchant_id, member_id, kind, points, ref, created_at)
    VALUES (${mid}, ${mem.id}, 'adjustment', 5000, 'test', UTC_TIMESTAMP())`);
  const p = await product(6000);
  const body = { store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], coupon_codes: [], points: 5000, use_balance: false, tenders: [{ kind: 'card' }] };
  const d = (await quote(owner, body)).json.data;
  assert.equal(d.points_fen, 3000, 'at most 50% of the order');
  assert.equal(d.points_used, 3000, '100 points a yuan');
  assert.equal(d.due_fen, 3000);
  assertBalanced(d);
  const c = await commit(owner, { ...body, quote_hash: d.quote_hash });
  assert.equal(c.status, 201, c.text);
  const a = await accounts(mem.id);
  assert.equal(a.points, 5000 - 3000 + 30, 'spent 3000, earned 30 on the 30 yuan paid with money');
  await assertLedger(mem.id);
});

test('errors: due_not_covered, insufficient_balance, invalid_field, invalid_ticket, unknown or unsold product', async () => {
  const lines = [{ name: '美式', price_fen: 1800, qty: 1 }];
  assertError(await commit(cashier, { store_id: stores[0], lines, tenders: [{ kind: 'cash', amount_fen: 1000 }] }), 409, 'due_not_covered');
  const poor = await newMember();
  const s = await scan(cashier, poor, stores[0]);
  assertError(await commit(cashier, { store_id: stores[0], ticket: s.ticket, lines }), 409, 'insufficient_balance');
  assertError(await commit(cashier, { store_id: stores[0], ticket: 'nope-nope-nope-nope', lines }), 400, 'invalid_ticket');
  for (const bad of [
    { store_id: stores[0], lines: [] },
    { store_id: stores[0], lines: [{ name: '美式', price_fen: -1, qty: 1 }] },
    { store_id: stores[0], lines: [{ name: '美式', price_fen: 100, qty: 0 }] },
    { store_id: stores[0], lines: [{ product_id: 999999999, qty: 1 }] },
    { store_id: stores[0], lines, tenders: [{ kind: 'cheque' }] },
    { store_id: stores[0], lines, coupon_codes: 'A' },
    { lines },
  ]) {
    const r = await quote(cashier, bad);
    assertError(r, 400, 'invalid_field');
    assert.ok(r.json.error.field, r.text);
  }
  const elsewhere = await product(1000, {}, [stores[1]]);
  const r = await quote(cashier, { store_id: stores[0], lines: [{ product_id: elsewhere, qty: 1 }] });
  assertError(r, 400, 'invalid_field');
  assert.equal(r.json.error.field, 'lines[0].product_id');
  // a cashier of store 1 cannot ring up at store 2
  assertError(await quote(cashier, { store_id: stores[1], lines }), 403, 'forbidden');
});

test('a quote made stale by a price change is refused with 409 quote_stale', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const p = await product(1500);
  const body = { store_id: stores[0], lines: [{ product_id: p, qty: 2 }] };
  const q = await meQuote(mem, body);
  assert.equal(q.status, 200, q.text);
  await sql(`UPDATE products SET price_fen = 1600 WHERE id = ${p}`);
  assertError(await meCommit(mem, { ...body, quote_hash: q.json.data.quote_hash }), 409, 'quote_stale');
  const q2 = await meQuote(mem, body);
  assert.equal(q2.json.data.total_fen, 3200);
  const c = await meCommit(mem, { ...body, quote_hash: q2.json.data.quote_hash });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.data.order.status, 'paid', 'an app order is paid, then served');
  const mine = await api('GET', m('/me/orders'), { token: mem.token });
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.data[0].id, c.json.data.order.id);
  const one = await api('GET', m(`/me/orders/${c.json.data.order.id}`), { token: mem.token });
  assert.equal(one.json.data.total_fen, 3200);
  const other = await newMember();
  assertError(await api('GET', m(`/me/orders/${c.json.data.order.id}`), { token: other.token }), 404, 'not_found');
  // members order from the menu only
  assertError(await meQuote(mem, { store_id: stores[0], lines: [{ name: 'x', price_fen: 1, qty: 1 }] }), 400, 'invalid_field');
});

test('one Idempotency-Key fifty times: one order, the same answer replayed', async () => {
  const key = idemKey();
  const body = { store_id: stores[0], lines: [{ name: uniq('水'), price_fen: 400, qty: 1 }], tenders: [{ kind: 'cash' }] };
  const rs = await parallel(50, () => commit(cashier, body, key));
  const ids = new Set(rs.filter((r) => r.status === 201).map((r) => r.json.data.order.id));
  assert.equal(ids.size, 1, rs.map((r) => r.status).join(','));
  const [[n]] = await sql(`SELECT COUNT(*) FROM order_lines WHERE name = '${body.lines[0].name}'`);
  assert.equal(Number(n), 1);
});

test('the same coupon in 20 concurrent orders: exactly one order uses it', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 50000 });
  const t = await couponTemplate({ kind: 'instant', value_fen: 500, stackable: false });
  const code = await claim(mem, t);
  const p = await product(2000);
  const body = { store_id: stores[0], lines: [{ product_id: p, qty: 1 }], coupon_codes: [code] };
  const rs = await parallel(20, () => meCommit(mem, body));
  const ok = rs.filter((r) => r.status === 201);
  assert.ok(ok.length >= 1);
  const withCoupon = ok.filter((r) => r.json.data.order.adjustments.some((a) => a.ref === code));
  assert.equal(withCoupon.length, 1);
  const [[uses]] = await sql(`SELECT COUNT(*) FROM order_adjustments WHERE ref = '${code}'`);
  assert.equal(Number(uses), 1);
  assert.equal(await couponStatus(code), 'used');
  await assertLedger(mem.id);
});

test('50 concurrent orders draining one balance: never negative, each order\'s tenders sum to its total', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const p = await product(700);
  const body = { store_id: stores[0], lines: [{ product_id: p, qty: 1 }], coupon_codes: [] };
  const rs = await parallel(50, () => meCommit(mem, body));
  for (const r of rs) assert.ok([201, 409].includes(r.status), r.text);
  const ok = rs.filter((r) => r.status === 201);
  assert.equal(ok.length, Math.floor(10000 / 700));
  const a = await accounts(mem.id);
  assert.equal(a.principal, 10000 - 700 * ok.length);
  assert.ok(a.principal >= 0 && a.bonus >= 0);
  const rows = await sql(`SELECT total_fen, points_fen + principal_fen + bonus_fen + cash_fen + card_fen + online_fen FROM orders WHERE member_id = ${mem.id}`);
  for (const [t, s] of rows) assert.equal(t, s);
  await assertLedger(mem.id);
});

test('an online order stays pending; cancel gives back coupons, points and balance at once', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 1000 });
  await sql(`UPDATE members SET points = 400 WHERE id = ${mem.id}`);
  await sql(`INSERT INTO points_entries (merchant_id, member_id, kind, points, ref, created_at) VALUES (${mid}, ${mem.id}, 'adjustment', 400, 'test', UTC_TIMESTAMP())`);
  const t = await couponTemplate({ kind: 'instant', value_fen: 500 });
  const code = await claim(mem, t);
  const p = await product(5000);
  const body = { store_id: stores[0], lines: [{ product_id: p, qty: 1 }], coupon_codes: [code], points: 400, tenders: [{ kind: 'online' }] };
  const q = (await meQuote(mem, body)).json.data;
  assert.equal(q.points_fen, 400);
  assert.equal(q.balance.principal_fen, 1000);
  assert.equal(q.due_fen, 5000 - 500 - 400 - 1000);
  const c = await meCommit(mem, { ...body, quote_hash: q.quote_hash });
  assert.equal(c.status, 201, c.text);
  const o = c.json.data.order;
  assert.equal(o.status, 'pending');
  assert.equal(o.payment.amount_fen, q.due_fen);
  let a = await accounts(mem.id);
  assert.deepEqual([a.principal, a.points], [0, 0]);
  assert.equal(await couponStatus(code), 'used');
  const x = await api('POST', m(`/me/orders/${o.id}/cancel`), { token: mem.token });
  assert.equal(x.status, 200, x.text);
  assert.equal(x.json.data.status, 'cancelled');
  assert.deepEqual(x.json.data.coupons_returned, [code]);
  a = await accounts(mem.id);
  assert.deepEqual([a.principal, a.points, a.growth], [1000, 400, 0]);
  assert.equal(await couponStatus(code), 'unused');
  await assertLedger(mem.id);
  assertError(await api('POST', m(`/me/orders/${o.id}/cancel`), { token: mem.token }), 409, 'not_pending');
});

test('the provider\'s notify pays a pending order once; an expired one is cancelled and returns what it held', async () => {
  const mem = await newMember();
  const p = await product(3000);
  const body = { store_id: stores[0], lines: [{ product_id: p, qty: 1 }], tenders: [{ kind: 'online' }] };
  const c = await meCommit(mem, body);
  assert.equal(c.status, 201, c.text);
  const o = c.json.data.order;
  for (let i = 0; i < 3; i++) {
    const n = await notify(notifyBody(o.payment));
    assert.equal(n.status, 200, n.text);
  }
  const g = await api('GET', m(`/me/orders/${o.id}`), { token: mem.token });
  assert.equal(g.json.data.status, 'paid');
  const a = await accounts(mem.id);
  assert.equal(a.growth, 30, 'earned once');
  // expiry
  const t = await couponTemplate({ kind: 'instant', value_fen: 500 });
  const code = await claim(mem, t);
  const c2 = await meCommit(mem, { ...body, coupon_codes: [code] });
  assert.equal(c2.json.data.order.status, 'pending');
  await sql(`UPDATE orders SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE WHERE id = ${c2.json.data.order.id}`);
  const l = await api('GET', m('/me/orders'), { token: mem.token });
  assert.equal(l.json.data.find((x) => x.id === c2.json.data.order.id).status, 'cancelled');
  assert.equal(await couponStatus(code), 'unused');
});

async function paidOrder(mem, { coupon = true, pts = 0 } = {}) {
  await fund(mem, { pay_fen: 20000 });
  const p1 = await product(3000);
  const p2 = await product(2000);
  let code = null;
  if (coupon) {
    const t = await couponTemplate({ kind: 'threshold', threshold_fen: 4000, value_fen: 1000 });
    code = await claim(mem, t);
  }
  const body = { store_id: stores[0], lines: [{ product_id: p1, qty: 2 }, { product_id: p2, qty: 1 }], coupon_codes: code ? [code] : [], points: pts };
  const c = await meCommit(mem, body);
  assert.equal(c.status, 201, c.text);
  return { order: c.json.data.order, code };
}

test('refund before completion: lines pro rata, coupon back when every unit is refunded, points and growth taken back', async () => {
  const mem = await newMember();
  const { order, code } = await paidOrder(mem);
  assert.equal(order.total_fen, 7000);
  const before = await accounts(mem.id);
  const r1 = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, { lines: [{ line_no: 1, qty: 1 }], reason: '少做一杯' }, { 'idempotency-key': idemKey() });
  assert.equal(r1.status, 201, r1.text);
  const f1 = r1.json.data.refund;
  assert.equal(f1.amount_fen, 3000 - Math.round(1000 * 3000 / 8000));
  assert.equal(f1.order_status, 'partially_refunded');
  assert.deepEqual(f1.coupons_returned, []);
  let a = await accounts(mem.id);
  assert.equal(a.principal - before.principal, f1.amount_fen);
  assert.equal(before.growth - a.growth, f1.growth_taken_back);
  assert.equal(await couponStatus(code), 'used', 'the threshold coupon stays with the part kept');
  // the rest closes the order exactly
  const r2 = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, {}, { 'idempotency-key': idemKey() });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.data.refund.order_status, 'refunded');
  assert.equal(f1.amount_fen + r2.json.data.refund.amount_fen, 7000);
  assert.deepEqual(r2.json.data.refund.coupons_returned, [code]);
  assert.equal(await couponStatus(code), 'unused');
  a = await accounts(mem.id);
  assert.equal(a.principal, before.principal + 7000);
  assert.equal(a.growth, before.growth - 70);
  await assertLedger(mem.id);
  assertError(await cashier.call('POST', `/staff/orders/${order.id}/refunds`, {}, { 'idempotency-key': idemKey() }), 409, 'already_refunded');
});

test('refund after completion keeps the coupon used; refunds never exceed what was paid', async () => {
  const mem = await newMember();
  const { order, code } = await paidOrder(mem);
  const done = await cashier.call('POST', `/staff/orders/${order.id}/complete`);
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.data.status, 'completed');
  assertError(await cashier.call('POST', `/staff/orders/${order.id}/cancel`), 409, 'not_pending');
  assertError(await cashier.call('POST', `/staff/orders/${order.id}/refunds`, { amount_fen: 7001 }, { 'idempotency-key': idemKey() }), 409, 'refund_exceeds_paid');
  assertError(await cashier.call('POST', `/staff/orders/${order.id}/refunds`, { lines: [{ line_no: 1, qty: 3 }] }, { 'idempotency-key': idemKey() }), 409, 'refund_exceeds_paid');
  const r = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, {}, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.refund.amount_fen, 7000);
  assert.deepEqual(r.json.data.refund.coupons_returned, []);
  assert.equal(await couponStatus(code), 'used');
  await assertLedger(mem.id);
});

test('points earned and spent before a refund are taken back all the same: the balance of points goes negative', async () => {
  const mem = await newMember();
  const { order } = await paidOrder(mem, { coupon: false });
  const earned = order.earn.points;
  assert.ok(earned > 0);
  await sql(`UPDATE members SET points = 0 WHERE id = ${mem.id}`);
  await sql(`INSERT INTO points_entries (merchant_id, member_id, kind, points, ref, created_at) VALUES (${mid}, ${mem.id}, 'adjustment', ${-earned}, 'spent', UTC_TIMESTAMP())`);
  const r = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, {}, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.refund.points_taken_back, earned);
  const a = await accounts(mem.id);
  assert.equal(a.points, -earned);
  await assertLedger(mem.id);
  const [[sum]] = await sql(`SELECT SUM(points) FROM points_entries WHERE member_id = ${mem.id}`);
  assert.equal(Number(sum), -earned);
});

test('a cashier refund over the approval amount waits for the owner, who approves it', async () => {
  await setCheckout({ refund_approval_over_fen: 5000 });
  try {
    const mem = await newMember();
    const { order } = await paidOrder(mem, { coupon: false });
    const before = await accounts(mem.id);
    const r = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, {}, { 'idempotency-key': idemKey() });
    assert.equal(r.status, 202, r.text);
    assert.equal(r.json.data.status, 'awaiting_approval');
    assert.deepEqual(await accounts(mem.id), before, 'nothing moved yet');
    const small = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, { amount_fen: 100 }, { 'idempotency-key': idemKey() });
    assert.equal(small.status, 201, small.text);
    const rid = r.json.data.refund.id;
    assertError(await cashier.call('POST', `/staff/orders/${order.id}/refunds/${rid}/approve`), 403, 'forbidden');
    const ok = await owner.call('POST', `/staff/orders/${order.id}/refunds/${rid}/approve`);
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.json.data.refund.status, 'done');
    assert.equal(ok.json.data.order.status, 'refunded');
    assert.equal(ok.json.data.refund.amount_fen + 100, order.total_fen);
    const a = await accounts(mem.id);
    assert.equal(a.principal, before.principal + order.total_fen);
  } finally {
    await setCheckout({});
  }
});

test('an expired card, or a store the card does not cover, prices as a non-member and says why', async () => {
  const mem = await memberAtTier(2);
  const p = await product(10000, { 2: 9000 });
  const body = { store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }] };
  await sql(`UPDATE merchants SET card_store_ids = '[${stores[1]}]' WHERE id = ${mid}`);
  try {
    const d = (await quote(owner, body)).json.data;
    assert.equal(d.member.member_priced, false);
    assert.equal(d.member.reason, 'card_store_not_allowed');
    assert.ok(d.member.reason_text.includes('门店'));
    assert.equal(d.total_fen, 10000);
    assert.equal(d.earn.points, 0);
  } finally {
    await sql(`UPDATE merchants SET card_store_ids = NULL WHERE id = ${mid}`);
  }
  await sql(`UPDATE merchants SET card_validity = 'until', card_valid_until = '2020-01-01' WHERE id = ${mid}`);
  try {
    const d = (await quote(owner, body)).json.data;
    assert.equal(d.member.reason, 'card_expired');
    assert.equal(d.total_fen, 10000);
  } finally {
    await sql(`UPDATE merchants SET card_validity = 'permanent', card_valid_until = NULL WHERE id = ${mid}`);
  }
  const d = (await quote(owner, body)).json.data;
  assert.equal(d.total_fen, 9000, 'the member price, without the tier discount on top by default');
});

test('staff lists filter by store, status and member; a cashier sees only its stores', async () => {
  const mem = await newMember();
  const { order } = await paidOrder(mem, { coupon: false });
  const l = await owner.call('GET', `/staff/orders?member_id=${mem.id}&status=paid`);
  assert.equal(l.status, 200, l.text);
  assert.deepEqual(l.json.data.map((o) => o.id), [order.id]);
  assert.ok(l.json.data[0].summary.includes('×2'));
  assert.match(l.json.data[0].member.phone, /\*/);
  const none = await owner.call('GET', `/staff/orders?member_id=${mem.id}&status=cancelled`);
  assert.deepEqual(none.json.data, []);
  assertError(await owner.call('GET', '/staff/orders?status=lost'), 400, 'invalid_field');
  assertError(await cashier.call('GET', `/staff/orders?store_id=${stores[1]}`), 403, 'forbidden');
  const mine = await cashier.call('GET', '/staff/orders?limit=100');
  assert.ok(mine.json.data.every((o) => o.store_id === stores[0]));
  const [m2] = await demoStaff('demo2', 'owner');
  assertError(await api('GET', m(`/staff/orders/${order.id}`), { token: m2.token }), 403, 'forbidden');
  assertError(await api('GET', m(`/staff/orders/${order.id}`, 'demo2'), { token: m2.token }), 404, 'not_found');
});

test('smart top-up at the counter: the quote suggests packages when the balance is short; the top-up and the order settle together', async () => {
  const mem = await newMember();
  const p = await product(5000);
  const s = await scan(cashier, mem, stores[0]);
  const body = { store_id: stores[0], ticket: s.ticket, lines: [{ product_id: p, qty: 1 }], coupon_codes: [] };
  const q = (await quote(cashier, body)).json.data;
  assert.ok(q.topup_suggestions.length > 0, JSON.stringify(q));
  for (const t of q.topup_suggestions) assert.ok(t.pay_fen + t.bonus_fen >= 5000 && t.reason.length > 0);
  const pick = q.topup_suggestions.find((t) => t.package_id) || q.topup_suggestions[0];
  const topup = pick.package_id ? { package_id: pick.package_id } : { pay_fen: pick.pay_fen };
  const q2 = (await quote(cashier, { ...body, topup })).json.data;
  assert.equal(q2.due_fen, 0);
  assert.deepEqual(q2.topup, { pay_fen: pick.pay_fen, bonus_fen: pick.bonus_fen });
  const c = await commit(cashier, { ...body, topup, quote_hash: q2.quote_hash });
  assert.equal(c.status, 201, c.text);
  const a = await accounts(mem.id);
  assert.equal(a.principal + a.bonus, pick.pay_fen + pick.bonus_fen - 5000);
  const [[n, paid]] = await sql(`SELECT COUNT(*), SUM(pay_fen) FROM recharges WHERE member_id = ${mem.id} AND status = 'paid'`);
  assert.deepEqual([Number(n), Number(paid)], [1, pick.pay_fen]);
  await assertLedger(mem.id);
  // without a ticket's member there is nothing to top up
  assertError(await quote(cashier, { store_id: stores[0], lines: body.lines, topup }), 400, 'invalid_field');
});

test('an order stored is the order quoted, and its refunds add up to what it took (random orders)', async () => {
  let rnd = 12345;
  const next = (n) => { rnd = (rnd * 1103515245 + 12345) % 2147483648; return rnd % n; };
  const prods = [await product(1800, { 2: 1600 }), await product(2200), await product(1200, { 2: 1000, 3: 900 }), await product(450)];
  const tpls = [
    await couponTemplate({ kind: 'threshold', threshold_fen: 3000, value_fen: 500, stackable: true }),
    await couponTemplate({ kind: 'discount', value_fen: null, discount_pct: 90, max_discount_fen: 800, stackable: true }),
    await couponTemplate({ kind: 'instant', value_fen: 300, stackable: false }),
  ];
  for (let i = 0; i < 12; i++) {
    const mem = await memberAtTier(1 + next(3));
    await fund(mem, { pay_fen: 2000 + 1000 * next(8) });
    const pts = 100 * next(30);
    await sql(`UPDATE members SET points = points + ${pts} WHERE id = ${mem.id}`);
    await sql(`INSERT INTO points_entries (merchant_id, member_id, kind, points, ref, created_at) VALUES (${mid}, ${mem.id}, 'adjustment', ${pts}, 'test', UTC_TIMESTAMP())`);
    for (const t of tpls) if (next(2)) await claim(mem, t);
    const lines = [];
    const n = 1 + next(4);
    for (let k = 0; k < n; k++) lines.push({ product_id: prods[next(prods.length)], qty: 1 + next(3) });
    if (next(2)) lines.push({ name: uniq('自由行'), price_fen: 100 + next(3000), qty: 1 });
    const body = { store_id: stores[0], member_phone: mem.phone, lines, points: next(2) ? pts : 0, use_balance: next(3) > 0, tenders: [{ kind: next(2) ? 'cash' : 'card' }] };
    const q = await quote(owner, body);
    assert.equal(q.status, 200, q.text);
    assertBalanced(q.json.data);
    const c = await commit(owner, { ...body, quote_hash: q.json.data.quote_hash });
    assert.equal(c.status, 201, c.text);
    const g = (await owner.call('GET', `/staff/orders/${c.json.data.order.id}`)).json.data;
    const pick = (o) => ({
      lines: o.lines.map((l) => [l.line_no, l.product_id, l.qty, l.unit_fen, l.member_unit_fen, l.list_fen, l.net_fen, l.allocations]),
      adjustments: o.adjustments.map((a) => [a.seq, a.kind, a.ref, a.base_fen, a.amount_fen]),
      totals: [o.total_list_fen, o.discount_fen, o.total_fen, o.points_used, o.points_fen, o.balance, o.due_fen],
      tenders: o.tenders.map((t) => [t.kind, t.amount_fen]),
      earn: o.earn,
    });
    assert.deepEqual(pick(g), pick(q.json.data), `order ${g.id}`);
    // refunds: a random line or two, maybe an amount, then the rest
    const money = g.total_fen - g.points_fen;
    let back = 0;
    const l0 = g.lines[next(g.lines.length)];
    let status = 'completed';
    const r1 = await owner.call('POST', `/staff/orders/${g.id}/refunds`, { lines: [{ line_no: l0.line_no, qty: 1 }] }, { 'idempotency-key': idemKey() });
    assert.equal(r1.status, 201, r1.text);
    back += r1.json.data.refund.amount_fen;
    status = r1.json.data.refund.order_status;
    if (status !== 'refunded' && money - back > 1 && next(2)) {
      const amt = 1 + next(money - back - 1);
      const r2 = await owner.call('POST', `/staff/orders/${g.id}/refunds`, { amount_fen: amt }, { 'idempotency-key': idemKey() });
      assert.equal(r2.status, 201, r2.text);
      assert.equal(r2.json.data.refund.amount_fen, amt);
      back += amt;
    }
    if (status !== 'refunded') {
      const r3 = await owner.call('POST', `/staff/orders/${g.id}/refunds`, {}, { 'idempotency-key': idemKey() });
      assert.equal(r3.status, 201, r3.text);
      back += r3.json.data.refund.amount_fen;
      status = r3.json.data.refund.order_status;
    }
    assert.equal(status, 'refunded');
    assert.equal(back, money, 'the refunds give back exactly the money paid');
    const a = await accounts(mem.id);
    assert.ok(a.principal >= 0 && a.bonus >= 0);
    await assertLedger(mem.id);
  }
});

test('orders: an Idempotency-Key reused with another body is refused; lists filter by day', async () => {
  const key = idemKey();
  const body = { store_id: stores[0], lines: [{ name: '美式', price_fen: 1800, qty: 1 }], tenders: [{ kind: 'cash' }] };
  const c = await commit(cashier, body, key);
  assert.equal(c.status, 201, c.text);
  assertError(await commit(cashier, { ...body, lines: [{ name: '美式', price_fen: 1900, qty: 1 }] }, key), 409, 'idempotency_key_reused');
  const [[today]] = await sql("SELECT DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR)");
  const l = await owner.call('GET', `/staff/orders?from=${today}&to=${today}&limit=100`);
  assert.ok(l.json.data.some((o) => o.id === c.json.data.order.id));
  const old = await owner.call('GET', '/staff/orders?from=2020-01-01&to=2020-01-31');
  assert.deepEqual(old.json.data, []);
  assertError(await owner.call('GET', '/staff/orders?from=yesterday'), 400, 'invalid_field');
});

test('edges: a top-up needs the member at the counter, a card is charged no more than due, a refund of all the money closes the order, an unknown refund request is not found', async () => {
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  const lines = [{ name: '美式', price_fen: 1800, qty: 1 }];
  const r = await quote(marketing, { store_id: stores[0], member_phone: mem.phone, lines, topup: { package_id: pkgs[0].id } });
  assertError(r, 400, 'invalid_field');
  assert.equal(r.json.error.field, 'topup');
  assertError(await quote(cashier, { store_id: stores[0], lines, tenders: [{ kind: 'card', amount_fen: 2000 }] }), 400, 'invalid_field');
  const ok = await commit(cashier, { store_id: stores[0], lines, tenders: [{ kind: 'cash', amount_fen: 1000 }, { kind: 'card', amount_fen: 800 }] });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.data.order.change_fen, 0);
  const { order } = await paidOrder(mem, { coupon: false });
  const all = await cashier.call('POST', `/staff/orders/${order.id}/refunds`, { amount_fen: order.total_fen }, { 'idempotency-key': idemKey() });
  assert.equal(all.status, 201, all.text);
  assert.equal(all.json.data.refund.order_status, 'refunded');
  assertError(await owner.call('POST', `/staff/orders/${order.id}/refunds/999999999/approve`), 404, 'not_found');
});

test('the job orders-expire (the stack ticks it twice a minute) cancels the pending orders nobody reads, giving back what they held', async () => {
  const mem = await newMember();
  const t = await couponTemplate({ kind: 'instant', value_fen: 500 });
  const code = await claim(mem, t);
  const p = await product(3000);
  const c = await meCommit(mem, { store_id: stores[0], lines: [{ product_id: p, qty: 1 }], coupon_codes: [code], tenders: [{ kind: 'online' }] });
  assert.equal(c.json.data.order.status, 'pending', c.text);
  await sql(`UPDATE orders SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 MINUTE WHERE id = ${c.json.data.order.id}`);
  const app = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
  const out = execFileSync(app, ['jobs', 'run', 'orders-expire', '--now', '--merchant', 'demo'],
    { env: process.env, encoding: 'utf8' });
  assert.match(out, /^orders-expire demo \d{4}-\d\d-\d\dT\d\d:\d\d: 取消订单 \d+ \(done\)$/m);
  const [[status]] = await sql(`SELECT status FROM orders WHERE id = ${c.json.data.order.id}`);
  assert.equal(status, 'cancelled');
  assert.equal(await couponStatus(code), 'unused');
});

test('a quote made before the cash is counted stays good: the tenders decide how the rest is paid, not the price', async () => {
  const body = { store_id: stores[0], lines: [{ name: '冷萃', price_fen: 2500, qty: 1 }] };
  const q = (await quote(cashier, body)).json.data;
  assert.equal(q.uncovered_fen, 2500);
  const c = await commit(cashier, { ...body, tenders: [{ kind: 'cash', amount_fen: 5000 }], quote_hash: q.quote_hash });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.data.order.change_fen, 2500);
});
