// Referral links and rewards on merchant demo2 (its settings are this
// file's own): signed codes, binding, rewards, caps and the fraud rules.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m as mm, uniquePhone, signIn, join, staffLogin, sql, parallel } from './lib.mjs';

const M = 'demo2';
const m = (p) => mm(p, M);
const count = async (q) => Number((await sql(q))[0][0]);
let mkt, refTpl, refereeTpl;

async function settings(extra = {}) {
  const body = {
    enabled: true, when: 'join', daily_cap: 100, total_cap: 1000,
    referrer: { points: 100 }, referee: { template_id: refereeTpl, points: 20 }, ...extra,
  };
  const r = await api('PUT', m('/staff/settings/referral'), { token: mkt, body });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function member(extra = {}) {
  const phone = uniquePhone();
  const token = await signIn(M, phone);
  const j = await join(M, token, extra);
  return { phone, token, id: j.member.id, created: j.created };
}

async function referral(token) {
  const r = await api('GET', m('/me/referral'), { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

const points = async (id) => Number((await sql(`SELECT points FROM members WHERE id = ${id}`))[0][0]);

before(async () => {
  mkt = (await staffLogin(M, 'marketing', 'demo1234')).token;
  const t = await api('POST', m('/staff/coupon-templates'), {
    token: mkt,
    body: { name: '邀请有礼', kind: 'instant', value_fen: 800, stock: null, per_member_limit: 5, valid_days: 30, status: 'active', listed: false },
  });
  assert.equal(t.status, 201, t.text);
  refereeTpl = t.json.data.id;
  refTpl = refereeTpl;
});

test('settings: validated, role-checked, read back', async () => {
  const s = await settings({ referrer: { template_id: refTpl, points: 50 } });
  assert.equal(s.enabled, true);
  assert.deepEqual(s.referrer, { template_id: refTpl, points: 50 });
  assert.equal(s.when, 'join');
  const got = await api('GET', m('/staff/settings/referral'), { token: mkt });
  assert.deepEqual(got.json.data, s);
  const bad = [
    [{ when: 'sometime' }, 'when'],
    [{ daily_cap: -1 }, 'daily_cap'],
    [{ daily_cap: 10, total_cap: 5 }, 'daily_cap'],
    [{ referrer: { template_id: 999999999 } }, 'referrer.template_id'],
    [{ referee: { points: -5 } }, 'referee.points'],
    [{ enabled: 'yes' }, 'enabled'],
  ];
  for (const [patch, field] of bad) {
    const r = await api('PUT', m('/staff/settings/referral'), {
      token: mkt, body: { enabled: true, when: 'join', daily_cap: 1, total_cap: 1, ...patch },
    });
    assert.equal(r.status, 400, field);
    assert.equal(r.json.error.field, field);
  }
  assert.deepEqual((await api('GET', m('/staff/settings/referral'), { token: mkt })).json.data, s);
  const cashier = (await staffLogin(M, 'cashier', 'demo1234')).token;
  assert.equal((await api('PUT', m('/staff/settings/referral'), { token: cashier, body: {} })).status, 403);
  const audit = await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'settings.referral'`);
  assert.ok(audit >= 1);
});

test('a member has a signed code and link; /r/ binds the visitor and sends them to join', async () => {
  const a = await member();
  const r = await referral(a.token);
  assert.match(r.code, /^[0-9A-HJKMNP-TV-Z]{23}$/);
  assert.ok(r.link.endsWith(`/r/${r.code}`));
  assert.deepEqual([r.invited, r.rewarded], [0, 0]);
  const open = await api('GET', `/r/${r.code}`, { redirect: 'manual' });
  assert.equal(open.status, 302);
  assert.equal(open.headers.get('location'), `/m/${M}/join?ref=${r.code}`);
  assert.match(open.headers.get('set-cookie'), new RegExp(`ref=${r.code}; Path=/m/${M}/`));
  // altered codes are refused
  const last = r.code.at(-2) === '0' ? '1' : '0';
  const altered = r.code.slice(0, -2) + last + r.code.at(-1);
  assert.equal((await api('GET', `/r/${altered}`, { redirect: 'manual' })).status, 404);
  assert.equal((await api('GET', `/r/${'0'.repeat(23)}`, { redirect: 'manual' })).status, 404);
  assert.equal((await api('GET', '/r/short', { redirect: 'manual' })).status, 404);
  const svg = await api('GET', m('/me/referral.svg'), { token: a.token });
  assert.equal(svg.status, 200);
  assert.match(svg.headers.get('content-type'), /image\/svg\+xml/);
});

test('joining with a code binds the referee for good and rewards both sides', async () => {
  await settings();
  const a = await member();
  const code = (await referral(a.token)).code;
  const before = await points(a.id);
  const b = await member({ referral_code: code });
  assert.equal(b.created, true);
  assert.deepEqual(await sql(`SELECT referrer_id, channel FROM members WHERE id = ${b.id}`), [[String(a.id), 'referral']]);
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${b.id}`), [['rewarded']]);
  assert.equal(await points(a.id), before + 100);
  assert.equal(await points(b.id), 20);
  assert.equal(await count(`SELECT COUNT(*) FROM points_entries WHERE member_id = ${a.id} AND kind = 'referral' AND points = 100`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${b.id} AND template_id = ${refereeTpl}`), 1);
  const r = await referral(a.token);
  assert.deepEqual([r.invited, r.rewarded], [1, 1]);
  // a second code later changes nothing: one referrer for good
  const c = await member();
  const again = await api('POST', m('/members'), { token: b.token, body: { referral_code: (await referral(c.token)).code } });
  assert.equal(again.status, 200);
  assert.equal(again.json.data.created, false);
  assert.equal(await count(`SELECT COUNT(*) FROM referrals WHERE referee_id = ${b.id}`), 1);
  assert.equal((await referral(c.token)).invited, 0);
});

test('the referral cookie from /r/ counts when the join body has no code', async () => {
  await settings();
  const a = await member();
  const code = (await referral(a.token)).code;
  const phone = uniquePhone();
  const token = await signIn(M, phone);
  const r = await api('POST', m('/members'), { headers: { cookie: `sid=${token}; ref=${code}` }, body: {} });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.member.channel, 'referral');
  assert.equal((await referral(a.token)).invited, 1);
});

test('fraud: forged codes, codes of another merchant, existing members and self-referral get nothing', async () => {
  await settings();
  const a = await member();
  const code = (await referral(a.token)).code;
  // forged: refused, nothing written
  const phone = uniquePhone();
  const token = await signIn(M, phone);
  const forged = code.slice(0, 10) + (code[10] === 'A' ? 'B' : 'A') + code.slice(11);
  const r = await api('POST', m('/members'), { token, body: { referral_code: forged } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'referral_code');
  assert.equal(await count(`SELECT COUNT(*) FROM members WHERE phone = '${phone}'`), 0);
  // a code of merchant demo does not work under demo2
  const d1 = await signIn('demo', uniquePhone());
  await join('demo', d1, {});
  const demoCode = (await api('GET', mm('/me/referral'), { token: d1 })).json.data.code;
  const r2 = await api('POST', m('/members'), { token, body: { referral_code: demoCode } });
  assert.equal(r2.status, 400);
  assert.equal(r2.json.error.field, 'referral_code');
  // self-referral: the member's own code
  const pts = await points(a.id);
  const self = await api('POST', m('/members'), { token: a.token, body: { referral_code: code } });
  assert.equal(self.status, 200);
  assert.equal(self.json.data.created, false);
  // an existing member given a code: no binding, no reward
  const old = await member();
  const r3 = await api('POST', m('/members'), { token: old.token, body: { referral_code: code } });
  assert.equal(r3.json.data.created, false);
  assert.equal(await points(a.id), pts);
  assert.equal((await referral(a.token)).invited, 0);
});

test('twenty concurrent joins by one referee reward once', async () => {
  await settings();
  const a = await member();
  const code = (await referral(a.token)).code;
  const before = await points(a.id);
  const phone = uniquePhone();
  const token = await signIn(M, phone);
  const res = await parallel(20, () => api('POST', m('/members'), { token, body: { referral_code: code } }));
  assert.equal(res.filter((x) => x.status === 201).length, 1);
  assert.equal(res.filter((x) => x.status === 200).length, 19);
  assert.equal(await points(a.id), before + 100);
  assert.equal(await count(`SELECT COUNT(*) FROM referrals WHERE referrer_id = ${a.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM points_entries WHERE member_id = ${a.id} AND kind = 'referral'`), 1);
});

test('caps: per referrer per day and in total', async () => {
  await settings({ daily_cap: 1, total_cap: 5 });
  const a = await member();
  const code = (await referral(a.token)).code;
  const b = await member({ referral_code: code });
  const c = await member({ referral_code: code });
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id IN (${b.id}, ${c.id}) ORDER BY id`), [['rewarded'], ['capped']]);
  assert.equal(await points(a.id), 100);
  assert.equal(await points(c.id), 0, 'a capped referral rewards neither side');
  const r = await referral(a.token);
  assert.deepEqual([r.invited, r.rewarded], [2, 1]);
  await settings({ daily_cap: 0, total_cap: 0 });
  const d = await member({ referral_code: code });
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${d.id}`), [['capped']]);
});

test('rewards off: the referee is still bound, nobody is rewarded', async () => {
  await settings({ enabled: false });
  const a = await member();
  const b = await member({ referral_code: (await referral(a.token)).code });
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${b.id}`), [['off']]);
  assert.equal(await points(a.id), 0);
  await settings();
});

test('rewards on the first payment: pending until the referee pays from the balance, once', async () => {
  await settings({ when: 'first_payment' });
  const a = await member();
  const b = await member({ referral_code: (await referral(a.token)).code });
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${b.id}`), [['pending']]);
  assert.equal(await points(a.id), 0);
  // the referee recharges 100 yuan through the sandbox and pays twice
  const rc = await api('POST', m('/me/recharges'), { token: b.token, body: { pay_fen: 10000 }, headers: { 'idempotency-key': `r-${b.id}` } });
  assert.equal(rc.status, 201, rc.text);
  const paid = await api('POST', m(`/me/recharges/${rc.json.data.recharge.id}/sandbox-pay`), { token: b.token });
  assert.equal(paid.status, 200, paid.text);
  const store = (await sql(`SELECT id FROM stores WHERE merchant_id = (SELECT id FROM merchants WHERE code = '${M}') LIMIT 1`))[0][0];
  for (const k of ['p1', 'p2']) {
    const p = await api('POST', m('/me/payments'), { token: b.token, body: { order_fen: 1000, store_id: Number(store) }, headers: { 'idempotency-key': `${k}-${b.id}` } });
    assert.equal(p.status, 201, p.text);
  }
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${b.id}`), [['rewarded']]);
  assert.equal(await points(a.id), 100);
  assert.equal(await count(`SELECT COUNT(*) FROM points_entries WHERE member_id = ${a.id} AND kind = 'referral'`), 1);
  await settings();
});

test('a referrer blocked by staff gets no reward, for good: the referee gets its own, the referral is not counted as rewarded', async () => {
  await settings({ referrer: { template_id: refTpl, points: 100 } });
  const owner = (await staffLogin(M, 'owner', 'demo1234')).token;
  const block = async (id, what) => {
    const r = await api('POST', m(`/staff/members/${id}/${what}`), { token: owner, body: { reason: '疑似刷邀请' } });
    assert.equal(r.status, 200, r.text);
  };
  const a = await member();
  const code = (await referral(a.token)).code;
  const tplCount = `SELECT COUNT(*) FROM coupons WHERE member_id = ${a.id} AND template_id = ${refTpl}`;
  const counters = `SELECT referrals_rewarded FROM members WHERE id = ${a.id}`;
  await block(a.id, 'block');
  const b = await member({ referral_code: code });
  assert.deepEqual(await sql(`SELECT referrer_id FROM members WHERE id = ${b.id}`), [[String(a.id)]], 'bound for good all the same');
  assert.deepEqual(await sql(`SELECT status, rewarded_at IS NOT NULL FROM referrals WHERE referee_id = ${b.id}`), [['blocked', '1']]);
  assert.equal(await points(a.id), 0, 'no points for the blocked referrer');
  assert.equal(await count(tplCount), 0, 'no coupon either');
  assert.equal(await count(`SELECT COUNT(*) FROM points_entries WHERE member_id = ${a.id} AND kind = 'referral'`), 0);
  assert.equal(await points(b.id), 20, 'the referee is rewarded as usual');
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${b.id} AND template_id = ${refereeTpl}`), 1);
  let r = await referral(a.token);
  assert.deepEqual([r.invited, r.rewarded], [1, 0], 'invited, not rewarded');

  // unblocked: nothing comes later for that referral; the next one rewards
  await block(a.id, 'unblock');
  assert.equal(await points(a.id), 0);
  const c = await member({ referral_code: code });
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${c.id}`), [['rewarded']]);
  assert.equal(await points(a.id), 100);
  assert.equal(await count(tplCount), 1);
  r = await referral(a.token);
  assert.deepEqual([r.invited, r.rewarded], [2, 1]);
  assert.equal(await count(counters), 2, 'the caps counted both referrals whose referee was rewarded');

  // rewarded on the first payment: blocked between the join and it
  await settings({ when: 'first_payment' });
  const d = await member();
  const e = await member({ referral_code: (await referral(d.token)).code });
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${e.id}`), [['pending']]);
  await block(d.id, 'block');
  const rc = await api('POST', m('/me/recharges'), { token: e.token, body: { pay_fen: 5000 }, headers: { 'idempotency-key': `rb-${e.id}` } });
  assert.equal(rc.status, 201, rc.text);
  assert.equal((await api('POST', m(`/me/recharges/${rc.json.data.recharge.id}/sandbox-pay`), { token: e.token })).status, 200);
  const store = (await sql(`SELECT id FROM stores WHERE merchant_id = (SELECT id FROM merchants WHERE code = '${M}') LIMIT 1`))[0][0];
  const p = await api('POST', m('/me/payments'), { token: e.token, body: { order_fen: 1000, store_id: Number(store) }, headers: { 'idempotency-key': `pb-${e.id}` } });
  assert.equal(p.status, 201, p.text);
  assert.deepEqual(await sql(`SELECT status FROM referrals WHERE referee_id = ${e.id}`), [['blocked']]);
  assert.equal(await points(d.id), 0);
  assert.equal(await count(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE member_id = ${e.id} AND kind = 'referral'`), 20);
  await block(d.id, 'unblock');
  assert.equal(await points(d.id), 0, 'not deferred');
  await settings();
});
