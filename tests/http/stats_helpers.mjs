// Helpers of the analytics tests: a merchant of the test's own (so that no
// other test's rows or backdating touch its figures), members, orders at
// the counter, refunds, recharges, `app stats rebuild`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, uniquePhone, signIn, staffLogin, sql } from './lib.mjs';
import { idemKey, notify, notifyBody } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
let seq = 0;

/** `app stats rebuild` for a merchant and local days (in jobs processes at once): its output. */
export function rebuild(code, from, to = from, jobs = 1) {
  return execFileSync(APP, ['stats', 'rebuild', '--from', from, '--to', to, '--merchant', code,
    ...(jobs > 1 ? ['--jobs', String(jobs)] : [])], { env: process.env, encoding: 'utf8' });
}

/** The merchant's local date (+08:00) of a Date, YYYY-MM-DD. */
export function localDate(d = new Date()) {
  return new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

/** The date n days after a YYYY-MM-DD. */
export function addDays(date, n) {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + n);
  return t.toISOString().slice(0, 10);
}

const LADDER = [
  { level: 1, name: '普通会员', growth: 0, discount_pct: null, points_multiplier: 1, privileges: [] },
  { level: 2, name: '银卡会员', growth: 100000, discount_pct: null, points_multiplier: 1, privileges: [] },
];

/**
 * A merchant of the test's own with two stores and an owner:
 * {code, id, stores, owner (call()), member(extra), order(...), ...}.
 */
export async function newMerchant(prefix = 'st') {
  seq += 1;
  const code = `${prefix}${process.pid % 10000}x${Date.now() % 100000}x${seq}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '统计测试店', '统计测试卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '一号店', '测试路 1 号'),
    (${id}, '二号店', '测试路 2 号')`);
  const stores = (await sql(`SELECT id FROM stores WHERE merchant_id = ${id} ORDER BY id`)).map((r) => Number(r[0]));
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  await sql(`INSERT INTO referral_settings (merchant_id, enabled, updated_at) VALUES (${id}, 1, UTC_TIMESTAMP())`);
  const d = await staffLogin(code, 'owner', 'demo1234');
  const owner = {
    token: d.token,
    call(method, path, body, headers = {}) {
      return api(method, m(path, code), { token: d.token, body, headers });
    },
  };
  const t = await owner.call('PUT', '/staff/settings/tiers', { tiers: LADDER });
  assert.equal(t.status, 200, t.text);
  const mc = {
    code, id: Number(id), stores, owner,
    /** A new member joined with body extra: {phone, token, id}. */
    async member(extra = {}) {
      const phone = uniquePhone();
      const token = await signIn(code, phone);
      const r = await api('POST', m('/members', code), { token, body: extra });
      assert.equal(r.status, 201, r.text);
      return { phone, token, id: r.json.data.member.id };
    },
    /** The member's referral code. */
    async referralCode(mem) {
      const r = await api('GET', m('/me/referral', code), { token: mem.token });
      assert.equal(r.status, 200, r.text);
      return r.json.data.code;
    },
    /** A coupon template of value off (instant, unlimited). */
    async template(valueFen = 500, name = '统计测试券') {
      const r = await owner.call('POST', '/staff/coupon-templates', {
        name, kind: 'instant', value_fen: valueFen, stock: null, per_member_limit: 20,
        valid_days: 7, status: 'active',
      });
      assert.equal(r.status, 201, r.text);
      return r.json.data;
    },
    async claim(mem, tpl) {
      const r = await api('POST', m('/coupons', code), { token: mem.token, body: { template_id: tpl.id } });
      assert.equal(r.status, 201, r.text);
      return r.json.data.coupon.code;
    },
    /**
     * An order at the counter of store, of free lines, paid in cash;
     * mem: a member by phone (or null: a walk-in), codes: coupons;
     * ticket: pay from the balance (a scan's ticket). The order.
     */
    async order({ store = stores[0], mem = null, fen = 3000, codes = [], ticket = null, topup = null }) {
      const body = { store_id: store, lines: [{ name: '拿铁', price_fen: fen, qty: 1 }] };
      if (ticket) Object.assign(body, { ticket, coupon_codes: codes });
      else if (mem) Object.assign(body, { member_phone: mem.phone, coupon_codes: codes, use_balance: false, tenders: [{ kind: 'cash' }] });
      else body.tenders = [{ kind: 'cash' }];
      if (topup) body.topup = topup;
      const q = await owner.call('POST', '/staff/orders/quote', body);
      assert.equal(q.status, 200, q.text);
      const c = await owner.call('POST', '/staff/orders', { ...body, quote_hash: q.json.data.quote_hash },
        { 'idempotency-key': idemKey() });
      assert.equal(c.status, 201, c.text);
      return c.json.data.order;
    },
    /**
     * An order the member places in the app for a product of fen, all of
     * it online (no balance, no points): the provider's notify pays it
     * when paid, else it stays pending (no sale). The order.
     */
    async appOrder(mem, fen, paid = true) {
      const name = `统计商品${++seq}`;
      await sql(`INSERT INTO products (merchant_id, name, category, price_fen, active, created_at, updated_at)
        VALUES (${mc.id}, '${name}', '测试', ${fen}, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
      const [[pid]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mc.id} AND name = '${name}'`);
      const c = await api('POST', m('/me/orders', code), {
        token: mem.token, headers: { 'idempotency-key': idemKey() },
        body: {
          store_id: stores[0], lines: [{ product_id: Number(pid), qty: 1 }], use_balance: false, points: 0,
          tenders: [{ kind: 'online' }],
        },
      });
      assert.equal(c.status, 201, c.text);
      const o = c.json.data.order;
      assert.equal(o.status, 'pending', c.text);
      if (paid) {
        const n = await notify(notifyBody(o.payment));
        assert.equal(n.status, 200, n.text);
      }
      return o;
    },
    async refund(orderId, body = {}) {
      const r = await owner.call('POST', `/staff/orders/${orderId}/refunds`, body, { 'idempotency-key': idemKey() });
      assert.equal(r.status, 201, r.text);
      return r.json.data;
    },
    /** A scan of the member's code at store: the ticket. */
    async ticket(mem, store = stores[0]) {
      const c = await api('GET', m('/me/member-code', code), { token: mem.token });
      assert.equal(c.status, 200, c.text);
      const r = await owner.call('POST', '/staff/scan', { member_code: c.json.data.code, store_id: store });
      assert.equal(r.status, 200, r.text);
      return r.json.data.ticket;
    },
    /** A recharge at the counter of store (cash or card). */
    async counterRecharge(mem, payFen, store = stores[0], method = 'cash') {
      const ticket = await mc.ticket(mem, store);
      const r = await owner.call('POST', '/staff/recharges', { ticket, pay_fen: payFen, method },
        { 'idempotency-key': idemKey() });
      assert.equal(r.status, 201, r.text);
      return r.json.data.recharge;
    },
    /** A recharge online, paid by the sandbox's notify. */
    async onlineRecharge(mem, payFen) {
      const r = await api('POST', m('/me/recharges', code), {
        token: mem.token, body: { pay_fen: payFen }, headers: { 'idempotency-key': idemKey() },
      });
      assert.equal(r.status, 201, r.text);
      const n = await notify(notifyBody(r.json.data.recharge.payment));
      assert.equal(n.status, 200, n.text);
      return r.json.data.recharge;
    },
    /** A stats route of this merchant: the data. */
    async stats(route, query = '') {
      const r = await owner.call('GET', `/staff/stats/${route}${query ? `?${query}` : ''}`);
      assert.equal(r.status, 200, r.text);
      return r.json.data;
    },
  };
  return mc;
}
