// The counters on each coupon template (migrations 0028, 0030): claimed
// (every coupon issued of it) and used (those used now, over slots), moved in the
// transactions that issue, use and give back coupons, and read by GET
// staff/coupon-templates instead of counting coupons. Claims (a race for
// a limited stock among them), a use at the counter, a use in an order, a
// refund that gives the coupon back, a cancelled pending order that does
// too, a voided coupon; after each step the counters equal a COUNT over
// the template's coupons, and after the mixed sequence every template of
// the merchant does.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, parallel } from './lib.mjs';
import { newMember, fund, idemKey, staff, storeIds } from './wallet_helpers.mjs';

let marketing, cashier, owner, stores, mid;
let seq = 0;

before(async () => {
  [marketing, cashier, owner] = await Promise.all([
    staff('demo', 'marketing'), staff('demo', 'cashier'), staff('demo', 'owner')]);
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  // coupons come back on a cancel and on a refund before completion
  await sql(`INSERT INTO checkout_settings (merchant_id, return_on_cancel, return_before_complete,
    return_after_complete, unpaid_expiry_min) VALUES (${mid}, 1, 1, 0, 15)
    ON DUPLICATE KEY UPDATE return_on_cancel = 1, return_before_complete = 1,
    return_after_complete = 0, unpaid_expiry_min = 15`);
});

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

async function template(extra) {
  const r = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('计数券'), kind: 'instant', value_fen: 500, stock: null, per_member_limit: 3,
    valid_days: 7, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.claimed, 0);
  assert.equal(r.json.data.used, 0);
  return r.json.data;
}

function claim(mem, tpl) {
  return api('POST', m('/coupons'), { token: mem.token, body: { template_id: tpl.id } });
}

async function product(priceFen) {
  const name = uniq('计数商品');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mid}, '${name}', '测试', ${priceFen}, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[id]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND name = '${name}'`);
  return Number(id);
}

/** The template's coupons counted from the raw rows: {claimed, used}. */
async function raw(tpl) {
  const [[claimed, used]] = await sql(`SELECT COUNT(*), COALESCE(SUM(status = 'used'), 0)
    FROM coupons WHERE merchant_id = ${mid} AND template_id = ${tpl.id}`);
  return { claimed: Number(claimed), used: Number(used) };
}

/** The counters as staff read them, one template and in the list, equal the raw count. */
async function assertCounts(tpl, want, what) {
  const counted = await raw(tpl);
  assert.deepEqual(counted, want, `${what}: the raw rows`);
  const one = await marketing.call('GET', `/staff/coupon-templates/${tpl.id}`);
  assert.equal(one.status, 200, one.text);
  assert.deepEqual({ claimed: one.json.data.claimed, used: one.json.data.used }, want, `${what}: the template`);
  const list = await marketing.call('GET', `/staff/coupon-templates?limit=100&cursor=${tpl.id + 1}`);
  assert.equal(list.status, 200, list.text);
  const row = list.json.data.find((t) => t.id === tpl.id);
  assert.ok(row, 'listed');
  assert.deepEqual({ claimed: row.claimed, used: row.used }, want, `${what}: the list`);
}

/** Every template of the merchant: the counters equal a count over its coupons. */
async function assertMerchantWide() {
  // used: the sum of the template's slots (migration 0030)
  const off = await sql(`SELECT t.id, t.claimed_count, COALESCE(u.used, 0), COALESCE(c.n, 0), COALESCE(c.u, 0)
    FROM coupon_templates t LEFT JOIN (SELECT template_id, COUNT(*) AS n, SUM(status = 'used') AS u
      FROM coupons WHERE merchant_id = ${mid} GROUP BY template_id) c ON c.template_id = t.id
    LEFT JOIN (SELECT template_id, SUM(used) AS used FROM coupon_template_used WHERE merchant_id = ${mid}
      GROUP BY template_id) u ON u.template_id = t.id
    WHERE t.merchant_id = ${mid} AND (t.claimed_count <> COALESCE(c.n, 0) OR COALESCE(u.used, 0) <> COALESCE(c.u, 0))`);
  assert.deepEqual(off, [], 'templates whose counters differ from their coupons (id, claimed, used, counted, used counted)');
  const [[n]] = await sql(`SELECT COUNT(*) FROM coupon_templates WHERE merchant_id = ${mid} AND claimed_count > 0`);
  assert.ok(Number(n) >= 2, 'templates with coupons were compared');
}

test('claims, a counter redemption, an order, its refund and a voided coupon move the counters as the coupons move', async () => {
  const a = await template({});
  const b = await template({ stock: 5, per_member_limit: 2 });
  const mems = await parallel(4, () => newMember());

  // 4 members claim twice each of both at once: a takes all 8, b's stock of 5 decides
  const claims = await parallel(16, (i) => claim(mems[i % 4], i < 8 ? a : b));
  const ok = claims.filter((r) => r.status === 201);
  assert.equal(ok.length, 13, claims.map((r) => r.status).join(','));
  assert.ok(claims.slice(8).filter((r) => r.status !== 201).every((r) => r.json.error.code === 'out_of_stock'));
  await assertCounts(a, { claimed: 8, used: 0 }, 'after the claims');
  await assertCounts(b, { claimed: 5, used: 0 }, 'after the claims');
  // one past the per-member limit changes nothing
  const extra = await claim(mems[0], a);
  assert.equal(extra.status, 201, extra.text);
  assert.equal((await claim(mems[0], a)).json.error.code, 'limit_reached');
  await assertCounts(a, { claimed: 9, used: 0 }, 'at the member limit');

  const codesOf = (mem, tpl) => sql(`SELECT code FROM coupons WHERE merchant_id = ${mid}
    AND template_id = ${tpl.id} AND member_id = ${mem.id} AND status = 'unused' ORDER BY id`).then((r) => r.map((x) => x[0]));

  // redeemed at the counter
  const [ca] = await codesOf(mems[1], a);
  const rd = await cashier.call('POST', '/staff/redemptions', { coupon_code: ca, store_id: stores[0], order_fen: 3000 });
  assert.equal(rd.status, 200, rd.text);
  // the same coupon again: refused, nothing counted
  assert.equal((await cashier.call('POST', '/staff/redemptions', { coupon_code: ca, store_id: stores[0] })).status, 409);
  await assertCounts(a, { claimed: 9, used: 1 }, 'after a redemption');

  // used in an order paid from the balance, then the order refunded whole before completion
  const mem = mems[2];
  await fund(mem, { pay_fen: 20000 });
  const p = await product(3000);
  const [cb] = await codesOf(mem, b).then((x) => x.length ? x : codesOf(mems[3], b));
  const owner2 = (await sql(`SELECT member_id FROM coupons WHERE code = '${cb}'`))[0][0];
  const payer = mems.find((x) => String(x.id) === owner2);
  if (payer !== mem) await fund(payer, { pay_fen: 20000 });
  const order = await api('POST', m('/me/orders'), {
    token: payer.token, headers: { 'idempotency-key': idemKey() },
    body: { store_id: stores[0], lines: [{ product_id: p, qty: 2 }], coupon_codes: [cb], points: 0 },
  });
  assert.equal(order.status, 201, order.text);
  await assertCounts(b, { claimed: 5, used: 1 }, 'after an order');
  const rf = await cashier.call('POST', `/staff/orders/${order.json.data.order.id}/refunds`, {}, { 'idempotency-key': idemKey() });
  assert.equal(rf.status, 201, rf.text);
  assert.deepEqual(rf.json.data.refund.coupons_returned, [cb]);
  await assertCounts(b, { claimed: 5, used: 0 }, 'after the refund gave it back');

  // two coupons of one stackable template in an online order left pending: both used;
  // the member cancels it and both come back
  // (a member of its own, with no balance that could pay it instead)
  const c = await template({ stackable: true, value_fen: 300 });
  const pm = await newMember();
  for (let i = 0; i < 2; i++) assert.equal((await claim(pm, c)).status, 201);
  const two = await codesOf(pm, c);
  const pending = await api('POST', m('/me/orders'), {
    token: pm.token, headers: { 'idempotency-key': idemKey() },
    body: { store_id: stores[0], lines: [{ product_id: p, qty: 3 }], coupon_codes: two, tenders: [{ kind: 'online' }] },
  });
  assert.equal(pending.status, 201, pending.text);
  assert.equal(pending.json.data.order.status, 'pending');
  await assertCounts(c, { claimed: 2, used: 2 }, 'two used by a pending order');
  const cx = await api('POST', m(`/me/orders/${pending.json.data.order.id}/cancel`), { token: pm.token });
  assert.equal(cx.status, 200, cx.text);
  await assertCounts(c, { claimed: 2, used: 0 }, 'the cancel gave both back');

  // a voided coupon stays claimed and never counts as used
  const [cv] = await codesOf(mems[0], a);
  const vd = await owner.call('POST', `/staff/coupons/${cv}/cancel`, { reason: '测试作废' });
  assert.equal(vd.status, 200, vd.text);
  await assertCounts(a, { claimed: 9, used: 1 }, 'after a void');

  await assertMerchantWide();
});

test('a mixed sequence of claims, uses and refunds at once keeps every counter of the merchant equal to its coupons', async () => {
  const tpls = await Promise.all([template({}), template({ stock: 6, per_member_limit: 2 }), template({ per_member_limit: 1 })]);
  const mems = await parallel(6, () => newMember());
  await parallel(6, (i) => fund(mems[i], { pay_fen: 50000 }));
  const p = await product(2000);
  const claims = await parallel(18, (i) => claim(mems[i % 6], tpls[Math.floor(i / 6)]));
  assert.ok(claims.every((r) => r.status === 201 || r.status === 409), claims.map((r) => r.status).join(','));
  const coupons = claims.filter((r) => r.status === 201).map((r) => r.json.data.coupon);
  const byMember = (i) => coupons.filter((c) => claims.findIndex((r) => r.json?.data?.coupon?.code === c.code) % 6 === i);

  // at once: each member pays an order with one of its coupons, or has one redeemed at the counter
  const steps = await parallel(6, async (i) => {
    const [c1, c2] = byMember(i);
    const out = { orders: [] };
    if (c1) {
      const o = await api('POST', m('/me/orders'), {
        token: mems[i].token, headers: { 'idempotency-key': idemKey() },
        body: { store_id: stores[0], lines: [{ product_id: p, qty: 2 }], coupon_codes: [c1.code], points: 0 },
      });
      assert.equal(o.status, 201, o.text);
      out.orders.push(o.json.data.order.id);
    }
    if (c2) {
      const r = await cashier.call('POST', '/staff/redemptions', { coupon_code: c2.code, store_id: stores[0], order_fen: 5000 });
      assert.equal(r.status, 200, r.text);
    }
    return out;
  });
  // half of the orders refunded at once, whole (the coupon comes back), one twice at once
  const orders = steps.flatMap((s) => s.orders);
  const refunds = await parallel(Math.ceil(orders.length / 2) + 1, (k) => cashier.call('POST',
    `/staff/orders/${orders[k % Math.ceil(orders.length / 2)]}/refunds`, {}, { 'idempotency-key': idemKey() }));
  assert.ok(refunds.every((r) => r.status === 201 || r.status === 409), refunds.map((r) => r.status).join(','));
  // and more claims while the counter is busy
  await parallel(6, (i) => claim(mems[i], tpls[0]));

  for (const t of tpls) {
    const counted = await raw(t);
    await assertCounts(t, counted, `template ${t.id}`);
  }
  assert.ok((await raw(tpls[0])).used > 0 && (await raw(tpls[0])).claimed >= 6);
  await assertMerchantWide();
});
