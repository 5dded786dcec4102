// Points that expire and pay, through nginx and MariaDB: the settings,
// lots with their expiry and the daily job points-expire (on their day
// and not the day before), spending oldest expiry first and giving back
// to the same lots, refunds that take back into negative points which the
// next earning pays off, the caps per order and per day, the join and
// profile bonuses, me/points, and the points shop: 50 concurrent
// exchanges for a stock of 10, the limit per member, one Idempotency-Key
// exchanging once, and each 409. Every member touched ends with the
// ledger's sum equal to points - negative_points and the lots adding up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, parallel } from './lib.mjs';
import {
  newMember, idemKey, accounts, assertLedger, staff, storeIds, givePoints, CHECKOUT_DEFAULTS,
} from './wallet_helpers.mjs';
import { signIn, join, uniquePhone } from './lib.mjs';

const DEFAULTS = {
  earn: { enabled: true, points_per_yuan: 1 },
  caps: { per_order: null, per_day: null },
  bonus: { join: 0, profile: 0 },
  expiry: { mode: 'never', months: 12 },
};

let owner, marketing, cashier, stores, mid, saved;
const touched = new Set();
let seq = 0;

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

async function member(extra) {
  let mem;
  if (extra) {
    const phone = uniquePhone();
    const token = await signIn('demo', phone);
    const j = await join('demo', token, extra);
    mem = { phone, token, id: j.member.id };
  } else {
    mem = await newMember();
  }
  touched.add(mem.id);
  return mem;
}

async function setPoints(over) {
  const body = { ...DEFAULTS, ...over };
  const r = await marketing.call('PUT', '/staff/settings/points', body);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

before(async () => {
  owner = await staff('demo', 'owner');
  marketing = await staff('demo', 'marketing');
  cashier = await staff('demo', 'cashier');
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  saved = (await owner.call('GET', '/staff/settings/points')).json.data;
  const ck = await owner.call('PUT', '/staff/settings/checkout', CHECKOUT_DEFAULTS);
  assert.equal(ck.status, 200, ck.text);
  await setPoints({});
});

after(async () => {
  if (saved) await owner.call('PUT', '/staff/settings/points', saved);
});

async function product(priceFen) {
  const name = uniq('积分商品');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mid}, '${name}', '测试', ${priceFen}, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[id]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND name = '${name}'`);
  return Number(id);
}

/** A paid counter order (cash) for the member, spending `points`: the order. */
async function counterOrder(mem, priceFen, points = 0) {
  const body = {
    store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: await product(priceFen), qty: 1 }],
    coupon_codes: [], points, use_balance: false, tenders: [{ kind: 'cash' }],
  };
  const q = await owner.call('POST', '/staff/orders/quote', body);
  assert.equal(q.status, 200, q.text);
  const c = await owner.call('POST', '/staff/orders', { ...body, quote_hash: q.json.data.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(c.status, 201, c.text);
  return c.json.data.order;
}

async function refund(orderId) {
  const r = await owner.call('POST', `/staff/orders/${orderId}/refunds`, {}, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  return r.json.data.refund;
}

async function state(id) {
  const [[p, n]] = await sql(`SELECT points, negative_points FROM members WHERE id = ${id}`);
  return { points: Number(p), negative: Number(n) };
}

async function lots(id) {
  const rows = await sql(`SELECT id, points, left_points, COALESCE(expires_on, 'never'), ref FROM points_lots
    WHERE member_id = ${id} ORDER BY id`);
  return rows.map(([lid, p, left, on, ref]) => ({ id: Number(lid), points: Number(p), left: Number(left), on, ref }));
}

/** What a ref moved in the member's ledger. */
async function entry(id, kind, ref) {
  const [[s]] = await sql(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE member_id = ${id}
    AND kind = '${kind}'${ref ? ` AND ref = '${ref}'` : ''}`);
  return Number(s);
}

function jobs(...args) {
  const app = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
  // batches of one member, so that a run of several batches is what is tested
  return execFileSync(app, ['jobs', 'run', 'points-expire', '--merchant', 'demo', ...args],
    { env: { ...process.env, JOB_BATCH: '1' }, encoding: 'utf8' });
}

/** YYYY-MM-DD plus n days. */
function plusDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.ok(r.json.error.message.length > 0);
  assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no codes in messages');
}

// ---- settings ----

test('settings/points: the defaults, a whole PUT read back, each bad field named, cashiers refused', async () => {
  const d = await setPoints({ caps: { per_order: 500, per_day: 2000 }, bonus: { join: 5, profile: 0 },
    expiry: { mode: 'months', months: 6 } });
  assert.deepEqual(d, { earn: { enabled: true, points_per_yuan: 1 }, caps: { per_order: 500, per_day: 2000 },
    bonus: { join: 5, profile: 0 }, expiry: { mode: 'months', months: 6 } });
  assert.deepEqual((await marketing.call('GET', '/staff/settings/points')).json.data, d);
  const bad = [
    [{ ...DEFAULTS, expiry: { mode: 'weekly' } }, 'expiry.mode'],
    [{ ...DEFAULTS, expiry: { mode: 'months', months: 0 } }, 'expiry.months'],
    [{ ...DEFAULTS, expiry: { mode: 'months' } }, 'expiry.months'],
    [{ ...DEFAULTS, caps: { per_order: 0 } }, 'caps.per_order'],
    [{ ...DEFAULTS, earn: { enabled: 'yes', points_per_yuan: 1 } }, 'earn.enabled'],
    [{ ...DEFAULTS, earn: { enabled: true, points_per_yuan: 0 } }, 'earn.points_per_yuan'],
    [{ ...DEFAULTS, bonus: { join: -1 } }, 'bonus.join'],
    [{ caps: DEFAULTS.caps, expiry: DEFAULTS.expiry }, 'earn'],
  ];
  for (const [body, field] of bad) {
    const r = await marketing.call('PUT', '/staff/settings/points', body);
    assertError(r, 400, 'invalid_field');
    assert.equal(r.json.error.field, field, r.text);
  }
  assert.deepEqual((await marketing.call('GET', '/staff/settings/points')).json.data, d, 'nothing written');
  assert.equal((await cashier.call('GET', '/staff/settings/points')).status, 403);
  await setPoints({});
});

// ---- expiry ----

test('each earning is a lot with its expiry: months after, the end of the next year, or never', async () => {
  const [[today]] = await sql("SELECT DATE(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', '+08:00'))");
  const mem = await member();
  await setPoints({ expiry: { mode: 'months', months: 3 } });
  const o1 = await counterOrder(mem, 10000);
  await setPoints({ expiry: { mode: 'year_end' } });
  const o2 = await counterOrder(mem, 5000);
  await setPoints({});
  const o3 = await counterOrder(mem, 2000);
  const [[in3]] = await sql(`SELECT DATE('${today}' + INTERVAL 3 MONTH)`);
  const l = await lots(mem.id);
  assert.deepEqual(l.map((x) => [x.ref, x.on]), [
    [`order:${o1.id}`, in3], [`order:${o2.id}`, `${Number(today.slice(0, 4)) + 1}-12-31`], [`order:${o3.id}`, 'never'],
  ]);
  for (const x of l) assert.equal(x.left, x.points);
  assert.equal(l[0].points, await entry(mem.id, 'order_earn', `order:${o1.id}`));
  await assertLedger(mem.id);
});

test('points-expire: lots expire the day after their last day, not before; one entry per member and day', async () => {
  const mem = await member();
  const other = await member();
  // a day in the past that no other lot of the merchant expires near
  const day = `20${10 + (Date.now() % 9)}-0${1 + (process.pid % 9)}-1${seq % 10}`;
  const next = plusDays(day, 1);
  await givePoints(mem.id, 300, day);
  await givePoints(mem.id, 200, next);
  await givePoints(mem.id, 100);
  await givePoints(other.id, 45, day);
  let out = jobs('--date', day);
  assert.match(out, new RegExp(`points-expire demo ${day}: 过期积分 0, 涉及会员 0 \\(done\\)`));
  assert.equal((await state(mem.id)).points, 600, 'nothing expires on its last day');
  out = jobs('--date', next);
  assert.match(out, new RegExp(`points-expire demo ${next}: 过期积分 345, 涉及会员 2 \\(done\\)`), out);
  assert.equal((await state(mem.id)).points, 300, 'the first lot expired the day after');
  assert.deepEqual(await state(other.id), { points: 0, negative: 0 });
  assert.equal(await entry(mem.id, 'expire', `expire:${next}`), -300);
  const me = (await api('GET', m('/me/points'), { token: mem.token })).json.data;
  assert.deepEqual(me.expiring, [{ points: 200, on: next }]);
  assert.equal(me.entries[0].kind, 'expire');
  assert.equal(me.entries[0].points, -300);
  assert.equal(me.entries[0].title, '积分过期');
  jobs('--date', next);
  assert.equal((await state(mem.id)).points, 300, 'the same day again changes nothing');
  jobs('--date', plusDays(day, 2));
  const s = await state(mem.id);
  assert.deepEqual(s, { points: 100, negative: 0 }, 'the never-expiring lot stays');
  assert.deepEqual((await lots(mem.id)).map((x) => x.left), [0, 0, 100]);
  await assertLedger(mem.id);
});

// ---- spending ----

test('an order spending points takes the oldest-expiry lots first; a refund gives them back to the same lots', async () => {
  const mem = await member();
  await givePoints(mem.id, 300, '2099-01-01');
  await givePoints(mem.id, 200, '2098-06-30');
  await givePoints(mem.id, 500);
  const o = await counterOrder(mem, 6000, 400);	// 100 points a yuan: 4 yuan off
  assert.equal(o.points_used, 400, JSON.stringify(o));
  let l = await lots(mem.id);
  assert.deepEqual(l.slice(0, 3).map((x) => x.left), [100, 0, 500], '2098 first, then 2099, never last');
  await assertLedger(mem.id);
  const back = await refund(o.id);
  assert.equal(back.points_returned, 400);
  l = await lots(mem.id);
  assert.deepEqual(l.slice(0, 3).map((x) => x.left), [300, 200, 500], 'back to the lots they came from');
  await assertLedger(mem.id);
});

test('a refund after the points were spent creates negative points; the next earning pays them off first', async () => {
  const mem = await member();
  const o1 = await counterOrder(mem, 20000);
  const earned = await entry(mem.id, 'order_earn', `order:${o1.id}`);
  assert.ok(earned > 0);
  // spend them all in the points shop
  const it = await item({ points: earned, stock: 5, per_member_limit: 5 });
  const x = await exchange(mem, it.id);
  assert.equal(x.status, 201, x.text);
  assert.equal((await state(mem.id)).points, 0);
  const rf = await refund(o1.id);
  assert.equal(rf.points_taken_back, earned);
  assert.deepEqual(await state(mem.id), { points: 0, negative: earned }, 'the balance stays at 0, the shortfall is owed');
  await assertLedger(mem.id);
  let me = (await api('GET', m('/me/points'), { token: mem.token })).json.data;
  assert.equal(me.points, 0);
  assert.equal(me.negative_points, earned);
  // spending is refused while nothing is spendable
  assertError(await exchange(mem, it.id), 409, 'insufficient_points');
  const o2 = await counterOrder(mem, 50000);
  const e2 = await entry(mem.id, 'order_earn', `order:${o2.id}`);
  assert.ok(e2 > earned);
  assert.deepEqual(await state(mem.id), { points: e2 - earned, negative: 0 });
  const l = await lots(mem.id);
  assert.equal(l.find((z) => z.ref === `order:${o2.id}`).points, e2 - earned, 'the lot holds what was left after paying off');
  me = (await api('GET', m('/me/points'), { token: mem.token })).json.data;
  assert.equal(me.negative_points, 0);
  assert.deepEqual(me.entries.slice(0, 3).map((e) => e.kind), ['order_earn', 'order_clawback', 'exchange']);
  await assertLedger(mem.id);
});

test('a refund takes back from the lots its order earned first', async () => {
  const mem = await member();
  await givePoints(mem.id, 1000, '2097-01-01');
  const o = await counterOrder(mem, 10000);
  const earned = await entry(mem.id, 'order_earn', `order:${o.id}`);
  await refund(o.id);
  const l = await lots(mem.id);
  assert.equal(l[0].left, 1000, 'the older lot is untouched');
  assert.equal(l.find((z) => z.ref === `order:${o.id}`).left, 0);
  assert.deepEqual(await state(mem.id), { points: 1000, negative: 0 });
  assert.ok(earned > 0);
  await assertLedger(mem.id);
});

// ---- caps and bonuses ----

test('caps: per order and per day; the order keeps what was credited and its refund takes back no more', async () => {
  await setPoints({ caps: { per_order: 50, per_day: 80 } });
  try {
    const mem = await member();
    const o1 = await counterOrder(mem, 20000);
    const o2 = await counterOrder(mem, 20000);
    const o3 = await counterOrder(mem, 20000);
    assert.equal(await entry(mem.id, 'order_earn', `order:${o1.id}`), 50, 'per order');
    assert.equal(await entry(mem.id, 'order_earn', `order:${o2.id}`), 30, 'what the day leaves');
    assert.equal(await entry(mem.id, 'order_earn', `order:${o3.id}`), 0, 'the day is full');
    const rows = await sql(`SELECT earn_points FROM orders WHERE id IN (${o1.id}, ${o2.id}, ${o3.id}) ORDER BY id`);
    assert.deepEqual(rows.map((r) => Number(r[0])), [50, 30, 0]);
    const rf = await refund(o1.id);
    assert.equal(rf.points_taken_back, 50);
    assert.deepEqual(await state(mem.id), { points: 30, negative: 0 });
    await assertLedger(mem.id);
  } finally {
    await setPoints({});
  }
});

test('bonuses for joining and for a complete profile; earning off earns nothing', async () => {
  await setPoints({ bonus: { join: 10, profile: 20 } });
  try {
    const a = await member({ name: '李四', birthday: '1991-02-03' });
    const b = await member();
    assert.equal((await state(a.id)).points, 30);
    assert.equal(await entry(a.id, 'join'), 10);
    assert.equal(await entry(a.id, 'profile'), 20);
    assert.equal((await state(b.id)).points, 10, 'no profile bonus without name and birthday');
    // a name at joining, the birthday later: the profile is complete then, its bonus once
    const c = await member({ name: '王五' });
    assert.equal((await state(c.id)).points, 10);
    const put = await api('PUT', m('/me/birthday'), { token: c.token, body: { birthday: '1992-05-06' } });
    assert.equal(put.status, 200, put.text);
    assert.equal(await entry(c.id, 'profile'), 20);
    assert.equal((await state(c.id)).points, 30);
    const again = await api('PUT', m('/me/birthday'), { token: c.token, body: { birthday: '1992-05-07' } });
    assert.equal(again.status, 409, 'set once a year');
    assert.equal((await state(c.id)).points, 30, 'the bonus once');
    await assertLedger(c.id);
    await setPoints({ earn: { enabled: false, points_per_yuan: 1 } });
    const o = await counterOrder(b, 10000);
    assert.equal(await entry(b.id, 'order_earn', `order:${o.id}`), 0);
    await assertLedger(a.id);
    await assertLedger(b.id);
  } finally {
    await setPoints({});
  }
});

// ---- me/points ----

test('me/points: points, what expires next and when, the ledger newest first with pages', async () => {
  const mem = await member();
  await givePoints(mem.id, 70, '2096-05-01');
  await givePoints(mem.id, 30, '2096-05-01');
  await givePoints(mem.id, 40, '2095-12-31');
  await givePoints(mem.id, 10);
  const r = await api('GET', m('/me/points'), { token: mem.token });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.equal(d.points, 150);
  assert.equal(d.negative_points, 0);
  assert.deepEqual(d.expiring, [{ points: 40, on: '2095-12-31' }, { points: 100, on: '2096-05-01' }]);
  assert.equal(d.entries.length, 4);
  assert.deepEqual(Object.keys(d.entries[0]).sort(), ['at', 'id', 'kind', 'points', 'ref', 'title']);
  const p1 = (await api('GET', m('/me/points?limit=3'), { token: mem.token })).json.data;
  assert.equal(p1.entries.length, 3);
  assert.ok(p1.next_cursor);
  const p2 = (await api('GET', m(`/me/points?limit=3&cursor=${p1.next_cursor}`), { token: mem.token })).json.data;
  assert.equal(p2.entries.length, 1);
  assert.equal(p2.next_cursor, null);
  assert.equal((await api('GET', m('/me/points'))).status, 401);
  assert.equal((await api('GET', m('/me/points'), { token: owner.token })).status, 403);
  await assertLedger(mem.id);
});

// ---- the points shop ----

async function template(extra = {}) {
  const r = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('积分券'), kind: 'instant', value_fen: 300, stock: null, per_member_limit: 100,
    valid_days: 30, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function item(over = {}) {
  const t = over.template_id ? null : await template();
  const r = await marketing.call('POST', '/staff/points-shop', {
    template_id: t?.id, points: 100, stock: 10, per_member_limit: 1, ...over,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

function exchange(mem, itemId, key = idemKey()) {
  return api('POST', m('/me/points-exchanges'), { token: mem.token, body: { item_id: itemId }, headers: { 'idempotency-key': key } });
}

async function stockLeft(itemId) {
  const [[s]] = await sql(`SELECT stock_left FROM points_shop_items WHERE id = ${itemId}`);
  return Number(s);
}

test('staff edit shop items: create, read, list, change; bad input named; cashiers refused', async () => {
  const t = await template();
  const it = await item({ template_id: t.id, title: '三元券', points: 250, stock: 5, per_member_limit: 2 });
  assert.equal(it.title, '三元券');
  assert.equal(it.stock_left, 5);
  assert.equal(it.coupon.name, t.name);
  assert.equal(it.active, true);
  assert.deepEqual((await marketing.call('GET', `/staff/points-shop/${it.id}`)).json.data.id, it.id);
  assert.ok((await marketing.call('GET', '/staff/points-shop')).json.data.some((x) => x.id === it.id));
  let r = await marketing.call('PATCH', `/staff/points-shop/${it.id}`, { stock: 8, points: 300 });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual([r.json.data.stock, r.json.data.stock_left, r.json.data.points], [8, 8, 300]);
  r = await marketing.call('PATCH', `/staff/points-shop/${it.id}`, { active: false });
  assert.equal(r.json.data.active, false);
  assert.ok(!(await api('GET', m('/points-shop'))).json.data.some((x) => x.id === it.id), 'inactive items are not offered');
  for (const [body, field] of [
    [{ template_id: 0, points: 1, stock: 1 }, 'template_id'],
    [{ template_id: 999999999, points: 1, stock: 1 }, 'template_id'],
    [{ template_id: t.id, points: 0, stock: 1 }, 'points'],
    [{ template_id: t.id, points: 1, stock: -1 }, 'stock'],
    [{ template_id: t.id, points: 1, stock: 1, per_member_limit: 0 }, 'per_member_limit'],
  ]) {
    r = await marketing.call('POST', '/staff/points-shop', body);
    assertError(r, 400, 'invalid_field');
    assert.equal(r.json.error.field, field);
  }
  assert.equal((await marketing.call('GET', '/staff/points-shop/999999999')).status, 404);
  assert.equal((await cashier.call('GET', '/staff/points-shop')).status, 403);
  assert.equal((await cashier.call('POST', '/staff/points-shop', { template_id: t.id, points: 1, stock: 1 })).status, 403);
});

test('an exchange spends the points oldest first and issues the coupon; the shop shows what is left', async () => {
  const mem = await member();
  await givePoints(mem.id, 80, '2094-01-01');
  await givePoints(mem.id, 100);
  const it = await item({ points: 150, stock: 3, per_member_limit: 2 });
  const r = await exchange(mem, it.id);
  assert.equal(r.status, 201, r.text);
  const { coupon, exchange: x } = r.json.data;
  assert.equal(coupon.template_id, it.template_id);
  assert.equal(coupon.status, 'unused');
  assert.equal(x.points_left, 30);
  assert.deepEqual((await lots(mem.id)).map((l) => l.left), [0, 30]);
  const [[ch]] = await sql(`SELECT channel FROM coupons WHERE code = '${coupon.code}'`);
  assert.equal(ch, 'points_shop');
  const shop = (await api('GET', m('/points-shop'), { token: mem.token })).json.data.find((z) => z.id === it.id);
  assert.equal(shop.stock_left, 2);
  assert.equal(shop.exchanged_by_me, 1);
  assert.equal(shop.exchangeable, false);
  assert.equal(shop.reason, 'insufficient_points');
  await assertLedger(mem.id);
});

test('points shop ×50 concurrent, several members, stock 10: exactly 10 coupons, stock 0, the limit per member holds', async () => {
  const mems = [];
  for (let i = 0; i < 8; i++) {
    const mem = await member();
    await givePoints(mem.id, 1000);
    mems.push(mem);
  }
  const it = await item({ points: 100, stock: 10, per_member_limit: 2 });
  const rs = await parallel(50, (i) => exchange(mems[i % mems.length], it.id));
  const ok = rs.filter((r) => r.status === 201);
  const bad = rs.filter((r) => r.status !== 201);
  assert.equal(ok.length, 10, rs.map((r) => r.status).join(','));
  for (const r of bad) {
    assert.equal(r.status, 409, r.text);
    assert.ok(['out_of_stock', 'limit_reached'].includes(r.json.error.code), r.text);
  }
  assert.equal(await stockLeft(it.id), 0);
  const [[coupons]] = await sql(`SELECT COUNT(*) FROM coupons WHERE template_id = ${it.template_id}`);
  assert.equal(Number(coupons), 10);
  const [[rows]] = await sql(`SELECT COUNT(*) FROM points_exchanges WHERE item_id = ${it.id}`);
  assert.equal(Number(rows), 10);
  for (const mem of mems) {
    const [[n]] = await sql(`SELECT COUNT(*) FROM points_exchanges WHERE item_id = ${it.id} AND member_id = ${mem.id}`);
    assert.ok(Number(n) <= 2, `member ${mem.id} exchanged ${n} times`);
    assert.equal((await state(mem.id)).points, 1000 - 100 * Number(n));
    await assertLedger(mem.id);
  }
});

test('one member ×10 concurrent on a limit of 2: exactly 2 exchanges', async () => {
  const mem = await member();
  await givePoints(mem.id, 5000);
  const it = await item({ points: 100, stock: 10, per_member_limit: 2 });
  const rs = await parallel(10, () => exchange(mem, it.id));
  assert.equal(rs.filter((r) => r.status === 201).length, 2);
  for (const r of rs.filter((z) => z.status !== 201)) assertError(r, 409, 'limit_reached');
  assert.equal(await stockLeft(it.id), 8);
  assert.equal((await state(mem.id)).points, 4800);
  await assertLedger(mem.id);
});

test('one Idempotency-Key ×10: one exchange, the same answer every time; another body with it is refused', async () => {
  const mem = await member();
  await givePoints(mem.id, 1000);
  const it = await item({ points: 100, stock: 10, per_member_limit: 5 });
  const key = idemKey();
  const rs = await parallel(10, () => exchange(mem, it.id, key));
  for (const r of rs) assert.equal(r.status, 201, r.text);
  assert.equal(new Set(rs.map((r) => r.json.data.coupon.code)).size, 1);
  assert.equal(await stockLeft(it.id), 9);
  assert.equal((await state(mem.id)).points, 900);
  const [[n]] = await sql(`SELECT COUNT(*) FROM points_exchanges WHERE item_id = ${it.id}`);
  assert.equal(Number(n), 1);
  const other = await item({ points: 100, stock: 10, per_member_limit: 5 });
  assertError(await exchange(mem, other.id, key), 409, 'idempotency_key_reused');
  await assertLedger(mem.id);
});

test('409 out_of_stock, limit_reached, insufficient_points; each changes nothing', async () => {
  const mem = await member();
  await givePoints(mem.id, 250);
  const empty = await item({ points: 100, stock: 0 });
  assertError(await exchange(mem, empty.id), 409, 'out_of_stock');
  const once = await item({ points: 100, stock: 5, per_member_limit: 1 });
  assert.equal((await exchange(mem, once.id)).status, 201);
  assertError(await exchange(mem, once.id), 409, 'limit_reached');
  assert.equal(await stockLeft(once.id), 4);
  const dear = await item({ points: 200, stock: 5 });
  assertError(await exchange(mem, dear.id), 409, 'insufficient_points');
  assert.equal(await stockLeft(dear.id), 5, 'the stock is untouched');
  const [[cnt]] = await sql(`SELECT COUNT(*) FROM points_shop_counts WHERE item_id = ${dear.id}`);
  assert.equal(Number(cnt), 0, 'the count is untouched');
  assert.equal((await state(mem.id)).points, 150);
  assert.equal((await api('POST', m('/me/points-exchanges'), { token: mem.token, body: { item_id: 999999999 } })).status, 404);
  const r = await api('POST', m('/me/points-exchanges'), { token: mem.token, body: { item_id: 'x' } });
  assertError(r, 400, 'invalid_field');
  await assertLedger(mem.id);
});

test('the ledger sum equals the balance for every member touched', async () => {
  assert.ok(touched.size > 10);
  for (const id of touched) await assertLedger(id);
  const [[bad]] = await sql(`SELECT COUNT(*) FROM members m WHERE m.merchant_id = ${mid} AND (m.points < 0 OR m.negative_points < 0
    OR m.points <> (SELECT COALESCE(SUM(left_points), 0) FROM points_lots l WHERE l.member_id = m.id))`);
  assert.equal(Number(bad), 0, 'every member of the merchant: lots add up, nothing negative');
});
