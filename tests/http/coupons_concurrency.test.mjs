// Coupons under a rush, through nginx against MariaDB, each scenario
// repeated: a flash sale never oversells, a per-member limit holds against
// parallel claims by one member, a coupon is redeemed once however many
// cashiers try at the same time, a promo code binds to one member.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, uniquePhone, signIn, join, demoStaff, sql, parallel } from './lib.mjs';

const ROUNDS = 3;
// All 1,000 claims of the rush are in flight at once: the app's listen
// backlog (the kernel's somaxconn) holds them while its workers serve.
const IN_FLIGHT = 1000;
let marketing;
let cashier;

before(async () => {
  [marketing, cashier] = await demoStaff('demo', 'marketing', 'cashier');
});

async function createTemplate(body) {
  const r = await api('POST', m('/staff/coupon-templates'), {
    token: marketing.token,
    body: {
      name: `并发券${Date.now() % 100000}`, kind: 'instant', value_fen: 500,
      per_member_limit: 1, valid_days: 7, status: 'active', ...body,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

/** fn(i) for i in 0..n-1 with at most width running at once. */
async function pool(n, width, fn) {
  const out = new Array(n);
  let next = 0;
  await parallel(Math.min(n, width), async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  });
  return out;
}

/** n members signed in and joined, at most `width` sign-ins at a time. */
function members(n, width = 20) {
  return pool(n, width, async () => {
    const phone = uniquePhone();
    const token = await signIn('demo', phone);
    const j = await join('demo', token);
    return { token, phone, id: j.member.id };
  });
}

function claim(token, templateId, key) {
  const headers = key ? { 'Idempotency-Key': key } : {};
  return api('POST', m('/coupons'), { token, body: { template_id: templateId }, headers });
}

function tally(results) {
  const t = {};
  for (const r of results) {
    const k = r.status === 201 || r.status === 200 ? String(r.status) : `${r.status} ${r.json?.error?.code}`;
    t[k] = (t[k] || 0) + 1;
  }
  return t;
}

test('flash sale: stock 100, 1000 concurrent claims by 500 members, exactly 100 issued', async () => {
  const people = await members(500);
  for (let round = 0; round < ROUNDS; round++) {
    const tpl = await createTemplate({ stock: 100 });
    // every member claims twice
    const results = await pool(1000, IN_FLIGHT, (i) => claim(people[i % 500].token, tpl.id));
    const t = tally(results);
    assert.equal(t['201'], 100, `round ${round}: ${JSON.stringify(t)}`);
    for (const r of results) {
      if (r.status === 201) continue;
      assert.equal(r.status, 409, `round ${round}: ${r.status} ${r.text}`);
      assert.ok(['out_of_stock', 'limit_reached'].includes(r.json.error.code), r.text);
    }
    const winners = new Set(results.filter((r) => r.status === 201).map((r) => r.json.data.coupon.code));
    assert.equal(winners.size, 100, 'codes are distinct');
    const [[issued, holders]] = await sql(
      `SELECT COUNT(*), COUNT(DISTINCT member_id) FROM coupons WHERE template_id = ${tpl.id}`);
    assert.equal(Number(issued), 100);
    assert.equal(Number(holders), 100, 'per-member limit 1 held too');
    const [[left, claimed]] = await sql(
      `SELECT t.stock_left, (SELECT COALESCE(SUM(claimed), 0) FROM coupon_claims c WHERE c.template_id = t.id)
       FROM coupon_templates t WHERE t.id = ${tpl.id}`);
    assert.equal(Number(left), 0, 'stock 0, never negative');
    assert.equal(Number(claimed), 100);
  }
});

test('per-member limit 1: 50 parallel claims by one member give exactly 1 coupon', async () => {
  const [me] = await members(1);
  for (let round = 0; round < ROUNDS; round++) {
    const tpl = await createTemplate({ stock: round === 0 ? null : 1000 });
    const results = await parallel(50, () => claim(me.token, tpl.id));
    const t = tally(results);
    assert.equal(t['201'], 1, `round ${round}: ${JSON.stringify(t)}`);
    assert.equal(t['409 limit_reached'], 49, `round ${round}: ${JSON.stringify(t)}`);
    const [[n]] = await sql(`SELECT COUNT(*) FROM coupons WHERE template_id = ${tpl.id}`);
    assert.equal(Number(n), 1);
    if (round > 0) {
      const [[left]] = await sql(`SELECT stock_left FROM coupon_templates WHERE id = ${tpl.id}`);
      assert.equal(Number(left), 999, 'refused claims gave their stock back');
    }
  }
});

test('per-member limit 2 with 10 Idempotency-Keys, each sent 3 times at once: every replay answers as its first request', async () => {
  const [me] = await members(1);
  const tpl = await createTemplate({ stock: 100, per_member_limit: 2 });
  const keyOf = (i) => `rush-${tpl.id}-${i % 10}`;
  const results = await parallel(30, (i) => claim(me.token, tpl.id, keyOf(i)));
  for (const r of results) assert.ok([201, 409].includes(r.status), r.text);
  // grouped by key: one answer per key, byte for byte, sent 3 times
  const groups = new Map();
  results.forEach((r, i) => {
    if (!groups.has(keyOf(i))) groups.set(keyOf(i), []);
    groups.get(keyOf(i)).push(r);
  });
  assert.equal(groups.size, 10);
  const firsts = new Map();
  for (const [key, rs] of groups) {
    assert.equal(rs.length, 3, key);
    for (const r of rs.slice(1)) {
      assert.equal(r.status, rs[0].status, `${key}: ${r.status} after ${rs[0].status}`);
      assert.equal(r.text, rs[0].text, `${key}: the replay's body differs`);
    }
    // exactly one of the three ran, the others are marked as replays
    const replayed = rs.filter((r) => r.headers.get('idempotent-replayed') === 'true').length;
    assert.equal(replayed, 2, `${key}: ${replayed} replays`);
    firsts.set(key, rs[0]);
  }
  // two keys got a coupon each, the eight others limit_reached
  const won = [...firsts.values()].filter((r) => r.status === 201);
  assert.equal(won.length, 2, JSON.stringify(tally([...firsts.values()])));
  for (const r of firsts.values()) {
    if (r.status === 409) assert.equal(r.json.error.code, 'limit_reached', r.text);
  }
  const codes = won.map((r) => r.json.data.coupon.code).sort();
  assert.notEqual(codes[0], codes[1]);
  const rows = await sql(`SELECT code FROM coupons WHERE template_id = ${tpl.id} ORDER BY code`);
  assert.deepEqual(rows.map((x) => x[0]), codes);
  // one idempotency record per key, holding the answer every replay gave
  const recs = await sql(`SELECT idem_key, status, response FROM idempotency_keys
    WHERE actor = 'm:${me.phone}' AND idem_key LIKE 'rush-${tpl.id}-%' ORDER BY idem_key`);
  assert.deepEqual(recs.map((x) => x[0]), [...groups.keys()].sort());
  for (const [key, status, response] of recs) {
    assert.equal(Number(status), firsts.get(key).status, key);
    assert.equal(response, firsts.get(key).text, key);
  }
});

test('one coupon redeemed by 20 parallel requests: exactly one succeeds', async () => {
  const [me] = await members(1);
  for (let round = 0; round < ROUNDS; round++) {
    const tpl = await createTemplate({ stock: null, per_member_limit: 5 });
    const c = await claim(me.token, tpl.id);
    assert.equal(c.status, 201, c.text);
    const code = c.json.data.coupon.code;
    const results = await parallel(20, () => api('POST', m('/staff/redemptions'), {
      token: cashier.token, body: { coupon_code: code, store_id: 1, order_fen: 2000 },
    }));
    const t = tally(results);
    assert.equal(t['200'], 1, `round ${round}: ${JSON.stringify(t)}`);
    assert.equal(t['409 already_used'], 19, `round ${round}: ${JSON.stringify(t)}`);
    const [[status, discount, audits]] = await sql(
      `SELECT status, discount_fen, (SELECT COUNT(*) FROM audit_log WHERE merchant_id = 1
         AND action = 'coupon.redeem' AND target = 'coupon:${code}')
       FROM coupons WHERE code = '${code}' AND merchant_id = 1`);
    assert.equal(status, 'used');
    assert.equal(Number(discount), 500);
    assert.equal(Number(audits), 1);
  }
});

test('one promo code typed by 20 members at once binds to exactly one', async () => {
  const people = await members(20);
  for (let round = 0; round < ROUNDS; round++) {
    const tpl = await createTemplate({ kind: 'promo_code', value_fen: 300, stock: null });
    const b = await api('POST', m(`/staff/coupon-templates/${tpl.id}/codes`), {
      token: marketing.token, body: { count: 1 },
    });
    assert.equal(b.status, 201, b.text);
    const [[code]] = await sql(`SELECT code FROM promo_codes WHERE template_id = ${tpl.id}`);
    const results = await parallel(20, (i) => api('POST', m('/coupons/redeem-code'), {
      token: people[i].token, body: { promo_code: code },
    }));
    const t = tally(results);
    assert.equal(t['201'], 1, `round ${round}: ${JSON.stringify(t)}`);
    assert.equal(t['409 code_used'], 19, `round ${round}: ${JSON.stringify(t)}`);
    const [[n, bound]] = await sql(
      `SELECT (SELECT COUNT(*) FROM coupons WHERE template_id = ${tpl.id}),
              (SELECT COUNT(*) FROM promo_codes WHERE template_id = ${tpl.id} AND member_id IS NOT NULL)`);
    assert.equal(Number(n), 1);
    assert.equal(Number(bound), 1);
  }
});
