// The member card's unused coupon count and its session lookup, read from
// counters the database keeps (migration 0009): after every kind of change
// the card must say exactly what counting the coupons says.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, uniquePhone, signIn, join, demoStaff, sql, parallel } from './lib.mjs';

let marketing, owner, cashier;

before(async () => {
  [marketing, owner, cashier] = await demoStaff('demo', 'marketing', 'owner', 'cashier');
});

let seq = 0;
async function template(extra = {}) {
  seq += 1;
  const r = await api('POST', m('/staff/coupon-templates'), {
    token: marketing.token,
    body: {
      name: `计数券${process.pid % 1000}-${seq}`, kind: 'instant', value_fen: 100,
      stock: null, per_member_limit: 50, valid_days: 7, status: 'active', ...extra,
    },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function member() {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const j = await join('demo', token);
  return { token, phone, id: j.member.id };
}

async function claim(who, tpl) {
  const r = await api('POST', m('/coupons'), { token: who.token, body: { template_id: tpl.id } });
  assert.equal(r.status, 201, r.text);
  return r.json.data.coupon.code;
}

async function card(who) {
  const r = await api('GET', m('/me/card'), { token: who.token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

// What counting says: unused and not past valid_until.
async function exact(who) {
  const [[n]] = await sql(`SELECT COUNT(*) FROM coupons WHERE merchant_id = 1 AND member_id = ${who.id} AND status = 'unused' AND valid_until >= UTC_TIMESTAMP()`);
  return Number(n);
}

async function counters(who) {
  const [[live, next, cut, rev]] = await sql(`SELECT coupons_live, IFNULL(coupons_next, 'NULL'), coupons_cut, coupons_rev FROM members WHERE id = ${who.id}`);
  return { live: Number(live), next, cut, rev: Number(rev) };
}

async function assertCount(who, want, why) {
  const c = await card(who);
  assert.equal(c.coupons_unused, want, why);
  assert.equal(await exact(who), want, `${why}: the coupons themselves`);
  const mine = await api('GET', m('/me/coupons?status=unused'), { token: who.token });
  assert.equal(mine.json.counts.unused, want, `${why}: my coupons`);
}

function expire(code) {
  return sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE merchant_id = 1 AND code = '${code}'`);
}

function revive(code) {
  return sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() + INTERVAL 3 DAY WHERE merchant_id = 1 AND code = '${code}'`);
}

function redeem(code) {
  return api('POST', m('/staff/redemptions'), {
    token: cashier.token, body: { store_id: 1, coupon_code: code, order_fen: 1000 },
  });
}

function cancel(code) {
  return api('POST', m(`/staff/coupons/${code}/cancel`), { token: owner.token, body: { reason: '计数测试' } });
}

test('the card counts claims, redemptions, cancellations, expiry and revival exactly', async () => {
  const me = await member();
  const tpl = await template();
  await assertCount(me, 0, 'a new member');
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push(await claim(me, tpl));
  await assertCount(me, 5, 'five claimed');

  assert.equal((await redeem(codes[0])).status, 200);
  await assertCount(me, 4, 'one redeemed');
  assert.equal((await cancel(codes[1])).status, 200);
  await assertCount(me, 3, 'one cancelled');

  // expiry is time passing, not a write the counters see: the card counts
  // afresh and moves the counters past the expired coupon
  const before = await counters(me);
  await expire(codes[2]);
  assert.equal((await counters(me)).live, before.live, 'an expiry does not touch the counter');
  await assertCount(me, 2, 'one expired');
  const after = await counters(me);
  assert.equal(after.live, 2);
  assert.ok(after.cut > before.cut, `${after.cut} after ${before.cut}`);
  assert.equal(after.rev, before.rev + 2, 'the expiry write and the recount');
  await assertCount(me, 2, 'read again without counting');
  assert.equal((await counters(me)).rev, after.rev, 'no second recount');

  // an expired coupon given a new validity counts again; one that has
  // expired and is then redeemed or cancelled no longer matters
  await revive(codes[2]);
  await assertCount(me, 3, 'revived');
  await expire(codes[3]);
  await expire(codes[4]);
  await assertCount(me, 1, 'two more expired');
  await sql(`UPDATE coupons SET status = 'cancelled' WHERE merchant_id = 1 AND code = '${codes[3]}'`);
  await assertCount(me, 1, 'an expired one cancelled');
  await revive(codes[4]);
  await assertCount(me, 2, 'the other revived');
  // (the template's own counter follows, as for any coupon gone: migration 0028)
  await sql(`UPDATE coupon_templates t JOIN coupons c ON c.template_id = t.id AND c.merchant_id = t.merchant_id
    SET t.claimed_count = t.claimed_count - 1 WHERE c.merchant_id = 1 AND c.code = '${codes[4]}';
    DELETE FROM coupons WHERE merchant_id = 1 AND code = '${codes[4]}'`);
  await assertCount(me, 1, 'one deleted');
});

test('random changes: the card agrees with counting after every step', async () => {
  const me = await member();
  const tpls = [await template({ valid_days: 1 }), await template({ valid_days: 30 })];
  const unused = [];
  const expired = [];
  let x = 12345;
  const rnd = (n) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return Math.floor(x / 65536) % n;
  };
  const done = new Set();
  for (let step = 0; step < 60; step++) {
    let op = rnd(6);
    if (unused.length === 0 && op <= 4) op = 0;
    if (op === 5 && expired.length === 0) op = 0;
    done.add(op <= 1 ? 0 : op);
    if (op <= 1) {
      unused.push(await claim(me, tpls[rnd(2)]));
    } else if (op === 2) {
      const [c] = unused.splice(rnd(unused.length), 1);
      assert.equal((await redeem(c)).status, 200);
    } else if (op === 3) {
      const [c] = unused.splice(rnd(unused.length), 1);
      assert.equal((await cancel(c)).status, 200);
    } else if (op === 4) {
      const [c] = unused.splice(rnd(unused.length), 1);
      await expire(c);
      expired.push(c);
    } else {
      const [c] = expired.splice(rnd(expired.length), 1);
      await revive(c);
      unused.push(c);
    }
    if (rnd(2) === 0) await assertCount(me, unused.length, `step ${step}`);
  }
  await assertCount(me, unused.length, 'the end');
  assert.deepEqual([...done].sort(), [0, 2, 3, 4, 5], 'every kind of change happened');
});

test('concurrent claims, redemptions and card views leave the count exact', async () => {
  const me = await member();
  const tpl = await template();
  const first = [];
  for (let i = 0; i < 10; i++) first.push(await claim(me, tpl));
  // stale counters: every view in flight tries to recount at once
  await expire(first[0]);
  await expire(first[1]);
  const views = [];
  await parallel(30, async (i) => {
    if (i < 10) return claim(me, tpl);
    if (i < 16) return assert.equal((await redeem(first[i - 8])).status, 200);
    views.push((await card(me)).coupons_unused);
  });
  for (const n of views) assert.ok(n >= 2 && n <= 18, `a view in flight said ${n}`);
  await assertCount(me, 10 - 2 - 6 + 10, 'after the rush');
});

test('the card finds the member of a session made before joining, and of one whose link is missing', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const [[linkBefore]] = await sql(`SELECT IFNULL(member_id, 'NULL') FROM sessions WHERE merchant_id = 1 AND phone = '${phone}'`);
  assert.equal(linkBefore, 'NULL');
  const notYet = await api('GET', m('/me/card'), { token });
  assert.equal(notYet.status, 403, notYet.text);
  assert.equal(notYet.json.error.code, 'not_member');

  const j = await join('demo', token);
  const [[linkAfter]] = await sql(`SELECT member_id FROM sessions WHERE merchant_id = 1 AND phone = '${phone}'`);
  assert.equal(Number(linkAfter), j.member.id, 'joining links the sessions of the phone');
  // the next code may be sent a minute later
  await sql(`UPDATE sms_rate SET last_at = last_at - INTERVAL 2 MINUTE WHERE merchant_id = 1 AND phone = '${phone}'`);
  const second = await signIn('demo', phone);
  const [[n]] = await sql(`SELECT COUNT(*) FROM sessions WHERE merchant_id = 1 AND phone = '${phone}' AND member_id = ${j.member.id}`);
  assert.equal(Number(n), 2, 'a session made after joining is linked when made');

  const me = { token: second, id: j.member.id };
  await claim(me, await template());
  // a session without its link (made while the phone was joining) still
  // gets the card, by phone
  await sql(`UPDATE sessions SET member_id = NULL WHERE merchant_id = 1 AND phone = '${phone}'`);
  const c = await card(me);
  assert.equal(c.card_no, j.member.card_no);
  assert.equal(c.coupons_unused, 1);
  const [[relinked]] = await sql(`SELECT IFNULL(member_id, 'NULL') FROM sessions WHERE merchant_id = 1 AND phone = '${phone}' ORDER BY id DESC LIMIT 1`);
  assert.equal(Number(relinked), j.member.id, 'the card links the session again');

  // a revoked session and another merchant's path get nothing
  const out = await api('POST', m('/auth/logout'), { token });
  assert.equal(out.status, 200, out.text);
  assert.equal((await api('GET', m('/me/card'), { token })).status, 401);
  const other = await api('GET', m('/me/card', 'demo2'), { token: second });
  assert.equal(other.status, 403, other.text);
  assert.equal(other.json.error.code, 'forbidden');
});
