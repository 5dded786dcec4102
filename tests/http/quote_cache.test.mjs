// The quote's reads (order/order_quote.c): every app worker keeps the
// merchant's settings, stores and products by revision (config_revs,
// migration 0033), so a change by staff shows in the very next quote on
// every worker, and a quote made before it never commits at the old terms.
// The session is checked in the quote's own statement: every way a session
// is refused elsewhere is refused here too.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, parallel } from './lib.mjs';
import { newMember, fund, idemKey, staff, storeIds, givePoints } from './wallet_helpers.mjs';

let owner, cashier, marketing, stores, mid;
let seq = 0;

// enough requests at once to reach every worker of the stack
const WIDE = 12;

before(async () => {
  [owner, cashier, marketing] = await Promise.all(
    ['owner', 'cashier', 'marketing'].map((u) => staff('demo', u)));
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
});

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

async function newProduct(priceFen) {
  const r = await marketing.call('POST', '/staff/products', {
    name: uniq('缓存测试'), category: '测试', price_fen: priceFen, member_prices: [], store_ids: null, active: true,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}

const quote = (st, body) => st.call('POST', '/staff/orders/quote', body);
const commit = (st, body, key = idemKey()) => st.call('POST', '/staff/orders', body, { 'idempotency-key': key });

test('a price change shows in the next quote on every worker; a quote of the old price commits 409, never at it', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 100000 });
  const p = await newProduct(1000);
  const body = {
    store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], use_balance: true, coupon_codes: [],
  };
  let prev = null;
  for (const price of [1000, 1300, 900, 1700]) {
    if (price !== 1000) {
      const u = await marketing.call('PATCH', `/staff/products/${p}`, { price_fen: price });
      assert.equal(u.status, 200, u.text);
    }
    // every worker, at once, right after the change
    const qs = await parallel(WIDE, () => quote(owner, body));
    for (const q of qs) {
      assert.equal(q.status, 200, q.text);
      assert.equal(q.json.data.lines[0].unit_fen, price, 'a quote after the change shows the new price');
    }
    if (prev !== null) {
      // the quote made at the old price: refused, nothing written
      const [[before]] = await sql(`SELECT COUNT(*) FROM order_lines WHERE product_id = ${p}`);
      assertError(await commit(owner, { ...body, quote_hash: prev.json.data.quote_hash }), 409, 'quote_stale');
      const [[after]] = await sql(`SELECT COUNT(*) FROM order_lines WHERE product_id = ${p}`);
      assert.equal(after, before);
    }
    const c = await commit(owner, { ...body, quote_hash: qs[0].json.data.quote_hash });
    assert.equal(c.status, 201, c.text);
    const [[unit]] = await sql(`SELECT unit_fen FROM order_lines WHERE order_id = ${c.json.data.order.id}`);
    assert.equal(Number(unit), price);
    prev = qs[0];
  }
  // whatever the timing: quotes and commits racing price changes never commit at a price that was not current
  const races = await parallel(6, async (i) => {
    const q = await quote(owner, body);
    assert.equal(q.status, 200, q.text);
    if (i % 2 === 0) {
      await marketing.call('PATCH', `/staff/products/${p}`, { price_fen: 2000 + i });
    }
    return { q, c: await commit(owner, { ...body, quote_hash: q.json.data.quote_hash }) };
  });
  for (const { q, c } of races) {
    if (c.status === 409) {
      assert.equal(c.json.error.code, 'quote_stale');
      continue;
    }
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.data.order.total_fen, q.json.data.total_fen, 'committed as quoted');
  }
  // the member price of a tier: the same
  const [[level]] = await sql(`SELECT tier_level FROM members WHERE id = ${mem.id}`);
  await sql(`INSERT INTO product_member_prices (product_id, tier_level, price_fen) VALUES (${p}, ${level}, 777)`);
  for (const q of await parallel(WIDE, () => quote(owner, body))) {
    assert.equal(q.status, 200, q.text);
    assert.equal(q.json.data.lines[0].member_unit_fen, 777);
  }
  await marketing.call('PATCH', `/staff/products/${p}`, { active: false });
  for (const q of await parallel(WIDE, () => quote(owner, body))) {
    assertError(q, 400, 'invalid_field', 'lines[0].product_id');
  }
});

test('settings, stores and who works where show in the next quote on every worker', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 100000 });
  const p = await newProduct(5000);
  const body = {
    store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], points: 0, use_balance: true,
  };
  // settings/checkout: the points rate, raised and read back at once
  await givePoints(mem.id, 1000);
  const [[rate0]] = await sql(`SELECT COALESCE((SELECT points_per_yuan FROM checkout_settings WHERE merchant_id = ${mid}), 100)`);
  const [[rev0]] = await sql(`SELECT COALESCE((SELECT rev FROM config_revs WHERE merchant_id = ${mid}), 0)`);
  await sql(`INSERT INTO checkout_settings (merchant_id, points_per_yuan) VALUES (${mid}, 50)
    ON DUPLICATE KEY UPDATE points_per_yuan = 50`);
  const [[rev1]] = await sql(`SELECT rev FROM config_revs WHERE merchant_id = ${mid}`);
  assert.ok(Number(rev1) > Number(rev0), 'a settings change raises the revision');
  try {
    for (const q of await parallel(WIDE, () => quote(owner, { ...body, points: 500 }))) {
      assert.equal(q.status, 200, q.text);
      assert.equal(q.json.data.points_fen, 1000, `500 points at 50 a yuan: ${q.text}`);
    }
  } finally {
    await sql(`UPDATE checkout_settings SET points_per_yuan = ${rate0} WHERE merchant_id = ${mid}`);
  }
  for (const q of await parallel(WIDE, () => quote(owner, { ...body, points: 500 }))) {
    assert.equal(q.json.data.points_fen, Math.floor(50000 / Number(rate0)), q.text);
  }
  // wallet settings: bonus first instead of principal first
  await sql(`UPDATE members SET bonus_fen = 1000 WHERE id = ${mem.id}`);
  const [ws] = await sql(`SELECT split FROM wallet_settings WHERE merchant_id = ${mid}`);
  const split0 = ws ? ws[0] : null;
  await sql(`INSERT INTO wallet_settings (merchant_id, split, updated_at) VALUES (${mid}, 'bonus_first', UTC_TIMESTAMP())
    ON DUPLICATE KEY UPDATE split = 'bonus_first'`);
  try {
    for (const q of await parallel(WIDE, () => quote(owner, body))) {
      assert.equal(q.status, 200, q.text);
      assert.deepEqual(q.json.data.balance, { principal_fen: 4000, bonus_fen: 1000 }, q.text);
    }
  } finally {
    if (split0 === null) await sql(`DELETE FROM wallet_settings WHERE merchant_id = ${mid}`);
    else await sql(`UPDATE wallet_settings SET split = '${split0}' WHERE merchant_id = ${mid}`);
    await sql(`UPDATE members SET bonus_fen = 0 WHERE id = ${mem.id}`);
  }
  for (const q of await parallel(WIDE, () => quote(owner, body))) {
    assert.deepEqual(q.json.data.balance, { principal_fen: 5000, bonus_fen: 0 }, q.text);
  }
  // the recharge packages a short balance is offered: taken off, gone from the next quote at once
  const poor = await newMember();
  await fund(poor, { pay_fen: 1000 });
  const short = { store_id: stores[0], member_phone: poor.phone, lines: [{ product_id: p, qty: 3 }], use_balance: true };
  const offered = (await quote(owner, short)).json.data.topup_suggestions;
  assert.ok(offered.some((t) => t.package_id !== null), JSON.stringify(offered));
  const on = (await sql(`SELECT id FROM recharge_packages WHERE merchant_id = ${mid} AND active = 1`)).map((x) => x[0]);
  await sql(`UPDATE recharge_packages SET active = 0 WHERE id IN (${on.join(',')})`);
  try {
    for (const q of await parallel(WIDE, () => quote(owner, short))) {
      assert.equal(q.status, 200, q.text);
      assert.ok(q.json.data.topup_suggestions.every((t) => t.package_id === null), q.text);
    }
  } finally {
    await sql(`UPDATE recharge_packages SET active = 1 WHERE id IN (${on.join(',')})`);
  }
  for (const q of await parallel(WIDE, () => quote(owner, short))) {
    assert.deepEqual(q.json.data.topup_suggestions, offered);
  }
  // a store closed: refused at once; opened again: quoted at once
  const [[extra]] = await sql(`INSERT INTO stores (merchant_id, name) VALUES (${mid}, '${uniq('临时店')}');
    SELECT LAST_INSERT_ID()`);
  const at = { ...body, store_id: Number(extra) };
  for (const q of await parallel(WIDE, () => quote(owner, at))) assert.equal(q.status, 200, q.text);
  await sql(`UPDATE stores SET active = 0 WHERE id = ${extra}`);
  for (const q of await parallel(WIDE, () => quote(owner, at))) assertError(q, 400, 'invalid_field', 'store_id');
  await sql(`UPDATE stores SET active = 1 WHERE id = ${extra}`);
  // a cashier at no store of that id, then assigned, then not
  const walkIn = { store_id: Number(extra), lines: [{ name: '散客', price_fen: 100, qty: 1 }] };
  for (const q of await parallel(WIDE, () => quote(cashier, walkIn))) assertError(q, 403, 'forbidden', 'store_id');
  await sql(`INSERT INTO staff_stores (staff_id, store_id) VALUES (${cashier.staff.id}, ${extra})`);
  for (const q of await parallel(WIDE, () => quote(cashier, walkIn))) assert.equal(q.status, 200, q.text);
  await sql(`DELETE FROM staff_stores WHERE staff_id = ${cashier.staff.id} AND store_id = ${extra}`);
  for (const q of await parallel(WIDE, () => quote(cashier, walkIn))) assertError(q, 403, 'forbidden', 'store_id');
  await sql(`UPDATE stores SET active = 0 WHERE id = ${extra}`);
});

test('the quote checks the session in its own statement as every route does', async () => {
  const mem = await newMember();
  const body = { store_id: stores[0], lines: [{ name: '散客', price_fen: 100, qty: 1 }] };
  const path = m('/staff/orders/quote');
  // none, a made-up one, a member's: 401, 401, 403
  assertError(await api('POST', path, { body }), 401, 'unauthorized');
  assertError(await api('POST', path, { body, token: 'x'.repeat(43) }), 401, 'unauthorized');
  assertError(await api('POST', path, { body, token: mem.token }), 403, 'forbidden');
  // a staff session on the member's quote: 403
  assertError(await api('POST', m('/me/orders/quote'), { body, token: owner.token }), 403, 'forbidden');
  // another merchant's staff: 403
  const [[other]] = await sql("SELECT code FROM merchants WHERE code <> 'demo' AND active = 1 ORDER BY id LIMIT 1");
  if (other) {
    const s = await staff(other, 'owner').catch(() => null);
    if (s) assertError(await api('POST', path, { body, token: s.token }), 403, 'forbidden');
  }
  // the cookie needs the CSRF token; the bad body of a stranger is 401 first
  const cookie = { cookie: `sid=${owner.token}` };
  assertError(await api('POST', path, { body, headers: cookie }), 403, 'forbidden');
  const ok = await api('POST', path, { body, headers: { ...cookie, 'x-csrf-token': owner.csrf } });
  assert.equal(ok.status, 200, ok.text);
  assertError(await api('POST', path, { raw: '{"store_id":', headers: { 'content-type': 'application/json' } }),
    401, 'unauthorized');
  assertError(await quote(owner, { store_id: 'one', lines: [] }), 400, 'invalid_field', 'store_id');
  // an expired, a revoked session; a disabled account: 401 at once
  const s1 = await staff('demo', 'owner');
  assert.equal((await quote(s1, body)).status, 200);
  await sql(`UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND
    WHERE token_hash = (SELECT token_hash FROM (SELECT token_hash FROM sessions WHERE kind = 'staff' ORDER BY id DESC LIMIT 1) t)`);
  assertError(await quote(s1, body), 401, 'unauthorized');
  const s2 = await staff('demo', 'owner');
  assert.equal((await s2.call('POST', '/staff/logout', {})).status < 300, true);
  assertError(await quote(s2, body), 401, 'unauthorized');
  // the member's own quote by the member's session
  const [[shop]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND active = 1 AND store_ids IS NULL ORDER BY id LIMIT 1`);
  const mq = await api('POST', m('/me/orders/quote'), {
    token: mem.token, body: { store_id: stores[0], lines: [{ product_id: Number(shop), qty: 1 }] },
  });
  assert.equal(mq.status, 200, mq.text);
});

test('the coupons proposed come in the same order with the member or, past 200, on their own', async () => {
  const t = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('缓存券'), kind: 'instant', value_fen: 100, stock: null, per_member_limit: 1, valid_days: 30,
    status: 'active', stackable: false,
  });
  assert.equal(t.status, 201, t.text);
  const tpl = t.json.data.id;
  const p = await newProduct(5000);
  for (const many of [150, 230]) {
    const mem = await newMember();
    await fund(mem, { pay_fen: 100000 });
    const code = `Q${Date.now() % 100000}${many > 200 ? 'B' : 'A'}`;
    // many small coupons far from expiry, then the best one, expiring first, made last
    await sql(`INSERT INTO coupons (merchant_id, template_id, member_id, code, name, kind, value_fen, stackable,
        valid_from, valid_until, status, channel, claimed_at)
      SELECT ${mid}, ${tpl}, ${mem.id}, CONCAT('${code}', s.seq), '小券', 'instant', 100, 0,
        UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() + INTERVAL 20 DAY, 'unused', 'test', UTC_TIMESTAMP()
      FROM seq_0_to_999 s WHERE s.seq < ${many}`);
    await sql(`INSERT INTO coupons (merchant_id, template_id, member_id, code, name, kind, value_fen, stackable,
        valid_from, valid_until, status, channel, claimed_at)
      VALUES (${mid}, ${tpl}, ${mem.id}, '${code}X', '大券', 'instant', 900, 0,
        UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() + INTERVAL 2 DAY, 'unused', 'test', UTC_TIMESTAMP())`);
    // issued as the app issues: the template counts them
    await sql(`UPDATE coupon_templates SET claimed_count = claimed_count + ${many + 1} WHERE id = ${tpl}`);
    const q = await quote(owner, {
      store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], use_balance: true,
    });
    assert.equal(q.status, 200, q.text);
    const used = q.json.data.adjustments.filter((a) => a.kind === 'coupon');
    assert.deepEqual(used.map((a) => [a.ref, a.amount_fen]), [[`${code}X`, 900]], `${many} coupons: ${q.text.slice(0, 400)}`);
    const c = await commit(owner, {
      store_id: stores[0], member_phone: mem.phone, lines: [{ product_id: p, qty: 1 }], use_balance: true,
      quote_hash: q.json.data.quote_hash,
    });
    // the commit reads the coupons on their own, and prices the same
    assert.equal(c.status, 201, c.text);
  }
});
