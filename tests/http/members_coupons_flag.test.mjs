// members.coupons_on (migration 0038: coupons_live > 0, kept by the coupons
// triggers of migration 0009) after each kind of coupon move, through
// nginx and MariaDB: a claim, a push, the new-member gift, a redemption, a
// void, an order's use, an unpaid order's cancel (the coupon back), a
// refund's return, an expiry by time, a coupon revived and one deleted.
// After each, the member list's "has unused coupons" in the order of
// joining both ways (the page read through ix_member_coupons_joined, two
// at a time) is exactly the members that counting their coupons says,
// "no unused coupons" the others, and each member's counter is what its
// coupons say. A merchant of its own, so that nothing else moves its
// members.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, uniquePhone, signIn, join, staffLogin, sql } from './lib.mjs';
import { ownMerchant } from './own_merchant.mjs';
import { idemKey } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let mc, owner, mkt, cashier, store;
let seq = 0;

function run(args) {
  return new Promise((resolve) => {
    const child = spawn(APP, args, { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

const call = (token, method, path, body, headers = {}) => api(method, m(path, mc.code), { token, body, headers });

async function template(extra = {}) {
  seq += 1;
  const r = await call(mkt, 'POST', '/staff/coupon-templates', {
    name: `标记券${seq}`, kind: 'instant', value_fen: 300, stock: null, per_member_limit: 20,
    valid_days: 30, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}

async function member() {
  const phone = uniquePhone();
  const token = await signIn(mc.code, phone);
  const j = await join(mc.code, token);
  return { id: j.member.id, phone, token };
}

async function claim(who, tpl) {
  const r = await api('POST', m('/coupons', mc.code), { token: who.token, body: { template_id: tpl } });
  assert.equal(r.status, 201, r.text);
  return r.json.data.coupon.code;
}

/** Every page of the list, two at a time: ids. */
async function pages(params) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 40; i++) {
    const q = new URLSearchParams({ ...params, limit: '2', ...(cursor ? { cursor } : {}) });
    const r = await call(owner, 'GET', `/staff/members?${q}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.data.map((x) => x.id));
    cursor = r.json.next_cursor;
    if (cursor === null) return out;
  }
  throw new Error('too many pages');
}

/** The list agrees with the coupons, and each counter with them. */
async function check(why) {
  const rows = await sql(`SELECT mb.id, mb.coupons_on, mb.coupons_live,
      (SELECT COUNT(*) FROM coupons c WHERE c.merchant_id = mb.merchant_id AND c.member_id = mb.id
        AND c.status = 'unused' AND c.valid_until >= UTC_TIMESTAMP()),
      (SELECT COUNT(*) FROM coupons c WHERE c.merchant_id = mb.merchant_id AND c.member_id = mb.id
        AND c.status = 'unused' AND c.valid_until >= mb.coupons_cut)
    FROM members mb WHERE mb.merchant_id = ${mc.id} ORDER BY mb.joined_at DESC, mb.id DESC`);
  const some = [];
  const none = [];
  for (const [id, on, live, valid, sinceCut] of rows) {
    assert.equal(Number(live), Number(sinceCut), `${why}: member ${id}'s counter`);
    assert.equal(Number(on), Number(live) > 0 ? 1 : 0, `${why}: member ${id}'s flag`);
    (Number(valid) > 0 ? some : none).push(Number(id));
  }
  assert.deepEqual(await pages({ has_unused_coupons: 'true' }), some, `${why}: with unused coupons, newest first`);
  assert.deepEqual(await pages({ has_unused_coupons: 'true', order: 'asc' }), [...some].reverse(),
    `${why}: with unused coupons, oldest first`);
  assert.deepEqual(await pages({ has_unused_coupons: 'false' }), none, `${why}: without, newest first`);
  assert.deepEqual(await pages({ has_unused_coupons: 'false', order: 'asc' }), [...none].reverse(),
    `${why}: without, oldest first`);
  return { some, none };
}

async function flag(who) {
  const [[on]] = await sql(`SELECT coupons_on FROM members WHERE id = ${who.id}`);
  return Number(on);
}

before(async () => {
  mc = await ownMerchant('cf');
  [owner, mkt, cashier] = (await Promise.all(['owner', 'marketing', 'cashier']
    .map((u) => staffLogin(mc.code, u, 'demo1234')))).map((s) => s.token);
  const [[sid]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${mc.id}`);
  store = Number(sid);
  await sql(`INSERT INTO checkout_settings (merchant_id, tier_with_member_price, tier_only_if_balance, max_stackable,
      points_enabled, points_per_yuan, points_max_pct, return_on_cancel, return_before_complete, return_after_complete,
      unpaid_expiry_min)
    VALUES (${mc.id}, 0, 0, 3, 0, 100, 50, 1, 1, 1, 15)
    ON DUPLICATE KEY UPDATE return_on_cancel = 1, return_before_complete = 1, return_after_complete = 1`);
});

test('the flag and the list follow every kind of coupon move', async () => {
  const tpl = await template();
  const a = await member();
  const b = await member();
  const c = await member();
  let s = await check('three new members');
  assert.deepEqual(s.some, []);

  // a claim
  const ca = await claim(a, tpl);
  assert.equal(await flag(a), 1);
  s = await check('a claim');
  assert.deepEqual(s.some, [a.id]);

  // a push (the job issues it)
  const p = await call(mkt, 'POST', '/staff/coupon-pushes', { template_id: tpl, member_ids: [b.id] },
    { 'idempotency-key': idemKey() });
  assert.equal(p.status, 202, p.text);
  for (let i = 0; i < 150; i++) {
    const g = await call(mkt, 'GET', `/staff/coupon-pushes/${p.json.data.id}`);
    if (g.json.data.status === 'done') break;
    if (i === 149 || ['failed', 'cancelled'].includes(g.json.data.status)) throw new Error(g.text);
    if (i === 20) await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code]);
    await sleep(200);
  }
  assert.equal(await flag(b), 1);
  s = await check('a push');
  assert.deepEqual(s.some, [b.id, a.id]);

  // the new-member gift on joining
  const gift = await template({ per_member_limit: 1 });
  const g = await call(owner, 'PUT', '/staff/settings/new-member-gift', { enabled: true, template_ids: [gift] });
  assert.equal(g.status, 200, g.text);
  const d = await member();
  assert.equal(await flag(d), 1, 'the gift on joining');
  await call(owner, 'PUT', '/staff/settings/new-member-gift', { enabled: false, template_ids: [] });
  s = await check('a new-member gift');
  assert.deepEqual(s.some, [d.id, b.id, a.id]);

  // a redemption at the counter
  const r = await call(owner, 'POST', '/staff/redemptions', { store_id: store, coupon_code: ca, order_fen: 1000 });
  assert.equal(r.status, 200, r.text);
  assert.equal(await flag(a), 0, 'a redeemed its only coupon');
  s = await check('a redemption');
  assert.deepEqual(s.some, [d.id, b.id]);

  // a void by the owner
  const [[cb]] = await sql(`SELECT code FROM coupons WHERE merchant_id = ${mc.id} AND member_id = ${b.id}`);
  const v = await call(owner, 'POST', `/staff/coupons/${cb}/cancel`, { reason: '测试作废' });
  assert.equal(v.status, 200, v.text);
  assert.equal(await flag(b), 0);
  s = await check('a void');
  assert.deepEqual(s.some, [d.id]);

  // an order's use, then its refund returns the coupon
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, active, created_at, updated_at)
    VALUES (${mc.id}, '标记测试商品', '测试', 5000, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[prod]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mc.id} AND name = '标记测试商品'`);
  const cc = await claim(c, tpl);
  s = await check('a claim of c');
  assert.deepEqual(s.some, [d.id, c.id]);
  const body = { store_id: store, member_phone: c.phone, lines: [{ product_id: Number(prod), qty: 1 }],
    coupon_codes: [cc], use_balance: false, tenders: [{ kind: 'cash' }] };
  const q = await call(owner, 'POST', '/staff/orders/quote', body);
  assert.equal(q.status, 200, q.text);
  const o = await call(owner, 'POST', '/staff/orders', { ...body, quote_hash: q.json.data.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(o.status, 201, o.text);
  assert.equal(await flag(c), 0, 'the order used the coupon');
  s = await check('an order');
  assert.deepEqual(s.some, [d.id]);
  const f = await call(owner, 'POST', `/staff/orders/${o.json.data.order.id}/refunds`, { reason: '测试退款' },
    { 'idempotency-key': idemKey() });
  assert.equal(f.status, 201, f.text);
  assert.deepEqual(f.json.data.refund.coupons_returned.length, 1, f.text);
  assert.equal(await flag(c), 1, 'the refund returned it');
  s = await check('a refund');
  assert.deepEqual(s.some, [d.id, c.id]);

  // an unpaid order holds the coupon; its cancel gives it back
  const ca2 = await claim(a, tpl);
  const mo = await api('POST', m('/me/orders', mc.code), { token: a.token,
    body: { store_id: store, lines: [{ product_id: Number(prod), qty: 1 }], coupon_codes: [ca2], tenders: [{ kind: 'online' }] },
    headers: { 'idempotency-key': idemKey() } });
  assert.equal(mo.status, 201, mo.text);
  assert.equal(mo.json.data.order.status, 'pending');
  assert.equal(await flag(a), 0, 'the unpaid order holds the coupon');
  s = await check('an unpaid order');
  assert.deepEqual(s.some, [d.id, c.id]);
  const x = await api('POST', m(`/me/orders/${mo.json.data.order.id}/cancel`, mc.code), { token: a.token });
  assert.equal(x.status, 200, x.text);
  const [[st]] = await sql(`SELECT status FROM coupons WHERE merchant_id = ${mc.id} AND code = '${ca2}'`);
  assert.equal(st, 'unused', 'the cancelled order gave it back');
  s = await check('an unpaid order cancelled');
  assert.deepEqual(s.some, [d.id, c.id, a.id]);

  // expiry is time passing (here: the coupon's validity moved into the
  // past): the flag still says one, the list asks the coupons and leaves
  // the member out
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND
    WHERE merchant_id = ${mc.id} AND member_id = ${d.id}`);
  assert.equal(await flag(d), 1, 'the flag does not see time pass');
  s = await check('an expiry');
  assert.ok(!s.some.includes(d.id), 'an expired coupon is no unused coupon');
  // the card's recount clears the flag
  await api('GET', m('/me/card', mc.code), { token: d.token });
  assert.equal(await flag(d), 0, 'recounted');
  s = await check('the recount');

  // revived, then deleted
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() + INTERVAL 3 DAY
    WHERE merchant_id = ${mc.id} AND member_id = ${d.id}`);
  assert.equal(await flag(d), 1, 'revived');
  s = await check('a revival');
  assert.ok(s.some.includes(d.id));
  await sql(`UPDATE coupon_templates t JOIN coupons c ON c.template_id = t.id AND c.merchant_id = t.merchant_id
    SET t.claimed_count = t.claimed_count - 1 WHERE c.merchant_id = ${mc.id} AND c.member_id = ${d.id};
    DELETE FROM coupons WHERE merchant_id = ${mc.id} AND member_id = ${d.id}`);
  assert.equal(await flag(d), 0, 'deleted');
  s = await check('a deletion');
  assert.ok(!s.some.includes(d.id));
});
