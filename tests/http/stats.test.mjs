// Analytics through nginx against the real database: coupons, members and
// stored value over a period, each figure checked as the change that this
// file's own actions make (the files before it leave their data behind),
// rates and averages in days long past that only this file writes in, so
// that they are those of the claims, uses and payments it made; days
// bucketed in the merchant's zone, bad periods and roles refused.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { api, m, uniquePhone, signIn, join, sql } from './lib.mjs';
import { newMember, fund, idemKey, staff, scan, storeIds } from './wallet_helpers.mjs';
import { newMerchant, rebuild, localDate } from './stats_helpers.mjs';

let owner, marketing, cashier;

before(async () => {
  [owner, marketing, cashier] = await Promise.all([staff('demo', 'owner'), staff('demo', 'marketing'),
    staff('demo', 'cashier')]);
});

async function stats(kind, query = '', who = marketing) {
  const r = await who.call('GET', `/staff/stats/${kind}${query}`);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

// The merchant's date today (+08:00), as the default period ends.
function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

function lastDay(d) {
  assert.equal(d.daily.at(-1).date, today());
  return d.daily.at(-1);
}

let seq = 0;
async function template(extra = {}) {
  seq += 1;
  const r = await marketing.call('POST', '/staff/coupon-templates', {
    name: `统计券${process.pid % 1000}-${seq}`, kind: 'instant', value_fen: 500, stock: 10,
    per_member_limit: 1, valid_days: 7, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function claim(mem, templateId) {
  const r = await api('POST', m('/coupons'), { token: mem.token, body: { template_id: templateId } });
  assert.equal(r.status, 201, r.text);
  return r.json.data.coupon;
}

test('period: 30 days up to today by default, every day in the series, as given otherwise', async () => {
  const d = await stats('members');
  assert.equal(d.to, today());
  assert.equal(d.daily.length, 30);
  assert.equal(d.from, d.daily[0].date);
  const days = d.daily.map((x) => x.date);
  for (let i = 1; i < days.length; i++) {
    assert.equal(Date.parse(days[i]) - Date.parse(days[i - 1]), 86400000, `${days[i - 1]} then ${days[i]}`);
  }
  const leap = await stats('coupons', '?from=2024-02-27&to=2024-03-01');
  assert.deepEqual(leap.daily.map((x) => x.date), ['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
  const year = await stats('recharges', '?from=2024-01-01&to=2024-12-31');
  assert.equal(year.daily.length, 366);
});

test('coupons: issued, used, expired, rates, discount cost and ROI of the period', async () => {
  const t = await template();
  // today's rollups as the raw rows have them (files before this one
  // backdate rows by hand), so that the rebuild below moves only ours
  rebuild('demo', today());
  const before = await stats('coupons');
  const [a, b, c] = await Promise.all([newMember(), newMember(), newMember()]);
  const ca = await claim(a, t.id);
  await claim(b, t.id);
  const cc = await claim(c, t.id);
  // c's coupon ran out yesterday (no API makes a coupon expire sooner;
  // the report reads the rollups, so today's are rebuilt from the rows)
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE code = '${cc.code}'`);
  rebuild('demo', today());
  const [store] = await storeIds();
  const red = await cashier.call('POST', '/staff/redemptions', { coupon_code: ca.code, store_id: store, order_fen: 3000 },
    { 'idempotency-key': idemKey() });
  assert.equal(red.status, 200, red.text);

  const after = await stats('coupons');
  const row = after.templates.find((x) => x.id === t.id);
  assert.deepEqual(row, {
    id: t.id, name: t.name, kind: 'instant', status: 'active', stock: 10, claimed: 3, claim_rate: 0.3,
    issued: 3, issued_used: 1, cancelled: 0, expired: 1, use_rate: 0.3333,
    used: 1, discount_fen: 500, order_fen: 3000, roi: 6, aov_fen: 3000, new_claims: 3,
  });
  const dt = (k) => after.totals[k] - before.totals[k];
  assert.deepEqual([dt('issued'), dt('issued_used'), dt('expired'), dt('used'), dt('discount_fen'), dt('order_fen')],
    [3, 1, 1, 1, 500, 3000]);
  const d0 = lastDay(before);
  const d1 = lastDay(after);
  assert.deepEqual([d1.issued - d0.issued, d1.used - d0.used, d1.discount_fen - d0.discount_fen,
    d1.order_fen - d0.order_fen], [3, 1, 500, 3000]);
  // the totals are the sums of the templates and of the days
  const sum = (arr, k) => arr.reduce((s, x) => s + x[k], 0);
  for (const k of ['issued', 'issued_used', 'cancelled', 'expired', 'used', 'discount_fen', 'order_fen', 'new_claims']) {
    assert.equal(after.totals[k], sum(after.templates, k), k);
  }
  for (const k of ['issued', 'used', 'discount_fen', 'order_fen']) assert.equal(after.totals[k], sum(after.daily, k), k);
  // a template without a stock has no claim rate; one without uses no ROI
  const open = await template({ stock: null });
  const none = (await stats('coupons')).templates.find((x) => x.id === open.id);
  assert.deepEqual([none.stock, none.claimed, none.claim_rate, none.use_rate, none.roi], [null, null, null, null, null]);
});

// A few days long past that only this file writes in (its rows are moved
// there), so that every figure of such a period is what this file did.
const PAST = Date.UTC(2001 + randomInt(19), randomInt(12), 1 + randomInt(20));
const pastDay = (n) => new Date(PAST + n * 86400000).toISOString().slice(0, 10);
// The UTC time of hh:00 on a past day in +08:00, as the database keeps it.
const pastAt = (n, hh) => new Date(PAST + n * 86400000 + (hh - 8) * 3600000).toISOString().slice(0, 19).replace('T', ' ');
// A rate as the contract rounds it, of counts this file knows.
const rate = (num, den) => (den === 0 ? null : Math.round((num / den) * 1e4) / 1e4);

test('coupon rates of a period only this file wrote in are those of the claims and uses it made', async () => {
  const span = `?from=${pastDay(0)}&to=${pastDay(2)}`;
  const empty = await stats('coupons', span);
  assert.deepEqual([empty.totals.issued, empty.totals.used], [0, 0], `${span} is not this file's alone`);
  const limited = await template({ value_fen: 500, stock: 10 });
  const open = await template({ value_fen: 700, stock: null });
  const people = await Promise.all([newMember(), newMember(), newMember(), newMember()]);
  // limited: 4 claims; one used, one cancelled, one expired, one left
  // open: 3 claims; two used (on day 1 and on day 2), one left
  const lc = [];
  for (const p of people) lc.push(await claim(p, limited.id));
  const oc = [];
  for (const p of people.slice(0, 3)) oc.push(await claim(p, open.id));
  const [store] = await storeIds();
  const uses = [
    { coupon: lc[0], tpl: limited, order: 3000, discount: 500, day: 1 },
    { coupon: oc[0], tpl: open, order: 2000, discount: 700, day: 1 },
    { coupon: oc[1], tpl: open, order: 2500, discount: 700, day: 2 },
  ];
  for (const u of uses) {
    const r = await cashier.call('POST', '/staff/redemptions', { coupon_code: u.coupon.code, store_id: store,
      order_fen: u.order }, { 'idempotency-key': idemKey() });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.data.redemption.discount_fen, u.discount, r.text);
  }
  const cancel = await owner.call('POST', `/staff/coupons/${lc[1].code}/cancel`, { reason: '测试作废' });
  assert.equal(cancel.status, 200, cancel.text);
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE code = '${lc[2].code}'`);
  // claimed on day 0 at 10:00 local, used on the day each use says at 23:00
  const all = [...lc, ...oc].map((c) => `'${c.code}'`).join(',');
  await sql(`UPDATE coupons SET claimed_at = '${pastAt(0, 10)}' WHERE code IN (${all})`);
  for (const u of uses) await sql(`UPDATE coupons SET used_at = '${pastAt(u.day, 23)}' WHERE code = '${u.coupon.code}'`);
  // the rows moved: the rollups of the days they left and came to rebuilt
  rebuild('demo', pastDay(0), pastDay(2));
  rebuild('demo', today());

  // what this test did, counted from its own lists
  const claims = lc.length + oc.length;
  const usedOn = (day, tpl) => uses.filter((u) => (day === undefined || u.day === day)
    && (tpl === undefined || u.tpl === tpl));
  const sum = (us, k) => us.reduce((t, u) => t + u[k], 0);
  const counts = (n, issuedUsed, cancelled, expired, us) => ({
    issued: n, issued_used: issuedUsed, cancelled, expired, use_rate: rate(issuedUsed, n),
    used: us.length, discount_fen: sum(us, 'discount'), order_fen: sum(us, 'order'),
    roi: rate(sum(us, 'order'), sum(us, 'discount')),
    aov_fen: us.length ? Math.floor((sum(us, 'order') + Math.floor(us.length / 2)) / us.length) : null,
    new_claims: 0,
  });
  const row = (d, t) => d.templates.find((x) => x.id === t.id);
  const head = (t, claimed) => ({ id: t.id, name: t.name, kind: 'instant', status: 'active',
    stock: t.stock, claimed: t.stock === null ? null : claimed, claim_rate: t.stock === null ? null : rate(claimed, t.stock) });

  // days 0 and 1: the claims, and the uses of day 1; what has become of
  // the claims counts whenever it happened
  const d01 = await stats('coupons', `?from=${pastDay(0)}&to=${pastDay(1)}`);
  assert.deepEqual(d01.totals, counts(claims, uses.length, 1, 1, usedOn(1)));
  assert.deepEqual([d01.totals.use_rate, d01.totals.roi], [0.4286, 4.1667]);
  assert.deepEqual(row(d01, limited), { ...head(limited, lc.length), ...counts(lc.length, 1, 1, 1, usedOn(1, limited)) });
  assert.deepEqual([row(d01, limited).claim_rate, row(d01, limited).use_rate, row(d01, limited).roi], [0.4, 0.25, 6]);
  assert.deepEqual(row(d01, open), { ...head(open), ...counts(oc.length, 2, 0, 0, usedOn(1, open)) });
  assert.deepEqual([row(d01, open).use_rate, row(d01, open).roi], [0.6667, 2.8571]);
  assert.deepEqual(d01.daily, [
    { date: pastDay(0), issued: claims, used: 0, discount_fen: 0, order_fen: 0 },
    { date: pastDay(1), issued: 0, used: 2, discount_fen: 1200, order_fen: 5000 },
  ]);
  // days 1 and 2: every use, no claim, so no use rate
  const d12 = await stats('coupons', `?from=${pastDay(1)}&to=${pastDay(2)}`);
  assert.deepEqual(d12.totals, counts(0, 0, 0, 0, usedOn()));
  assert.deepEqual([d12.totals.use_rate, d12.totals.roi], [null, 3.9474]);
  assert.deepEqual(row(d12, open), { ...head(open), ...counts(0, 0, 0, 0, usedOn(undefined, open)) });
  // day 0 alone: the claims, nothing used in it, so no ROI
  const d0 = await stats('coupons', `?from=${pastDay(0)}&to=${pastDay(0)}`);
  assert.deepEqual(d0.totals, counts(claims, uses.length, 1, 1, []));
  assert.equal(d0.totals.roi, null);
  // a day later on nothing at all
  const d3 = await stats('coupons', `?from=${pastDay(3)}&to=${pastDay(3)}`);
  assert.deepEqual(d3.totals, counts(0, 0, 0, 0, []));
});

test('stored-value spending of a period only this file wrote in: orders, refunds and the average order it made', async () => {
  // a merchant of its own: the rows moved to a day past, then that day and
  // today rebuilt (the rollups count each row on the day of its event)
  const mc = await newMerchant('sp');
  const day = pastDay(10);
  const empty = await mc.stats('members', `from=${day}&to=${day}`);
  assert.deepEqual([empty.new_members, empty.spending.members.orders], [0, 0]);
  const channel = `stats-past-${process.pid % 10000}`;
  const [a, b] = [await mc.member({ channel }), await mc.member({ channel })];
  const [store] = mc.stores;
  const orders = [[a, 8000], [b, 3001]];
  const paid = [];
  for (const [who, order] of orders) {
    await mc.counterRecharge(who, 10000, store);
    const ticket = await mc.ticket(who, store);
    const r = await mc.owner.call('POST', '/staff/payments', { ticket, order_fen: order },
      { 'idempotency-key': idemKey() });
    assert.equal(r.status, 201, r.text);
    paid.push(r.json.data.payment);
  }
  const ref = await mc.owner.call('POST', `/staff/payments/${paid[0].id}/refund`, { amount_fen: 3000 },
    { 'idempotency-key': idemKey() });
  assert.equal(ref.status, 201, ref.text);
  // joined, paid and refunded on that day
  await sql(`UPDATE members SET joined_at = '${pastAt(10, 9)}' WHERE id IN (${a.id}, ${b.id})`);
  await sql(`UPDATE payments SET created_at = '${pastAt(10, 12)}' WHERE id IN (${paid.map((p) => p.id).join(',')})`);
  await sql(`UPDATE refunds SET created_at = '${pastAt(10, 13)}' WHERE payment_id = ${paid[0].id}`);
  rebuild(mc.code, day);
  rebuild(mc.code, localDate());

  const d = await mc.stats('members', `from=${day}&to=${day}`);
  const total = orders.reduce((t, [, o]) => t + o, 0);
  assert.deepEqual(d.spending.members, {
    orders: orders.length, order_fen: total,
    balance_fen: paid.reduce((t, p) => t + p.principal_fen + p.bonus_fen, 0),
    refunded_fen: 3000, paying_members: 2, avg_order_fen: Math.round(total / orders.length),
  });
  assert.equal(d.spending.members.avg_order_fen, 5501);
  assert.deepEqual([d.new_members, d.referred], [2, 0]);
  assert.deepEqual(d.channels, [{ channel, new_members: 2 }]);
  assert.deepEqual(d.daily, [{ date: day, new_members: 2 }]);
  // the day after: nothing of it, and no average of no orders
  const next = await mc.stats('members', `from=${pastDay(11)}&to=${pastDay(11)}`);
  assert.deepEqual(next.spending.members, { orders: 0, order_fen: 0, balance_fen: 0, refunded_fen: 0,
    paying_members: 0, avg_order_fen: null });
  // today has none of it left
  const now = await mc.stats('members', `from=${localDate()}&to=${localDate()}`);
  assert.deepEqual([now.new_members, now.spending.members.orders], [0, 0]);
});

test('days are the merchant\'s: a claim at 01:00 +08:00 counts on that local day', async () => {
  const t = await template();
  const mem = await newMember();
  const cp = await claim(mem, t.id);
  // 2024-03-10 17:30 UTC is 2024-03-11 01:30 in +08:00
  await sql(`UPDATE coupons SET claimed_at = '2024-03-10 17:30:00' WHERE code = '${cp.code}'`);
  rebuild('demo', '2024-03-10', '2024-03-11');
  rebuild('demo', today());
  const on = await stats('coupons', '?from=2024-03-11&to=2024-03-11');
  assert.equal(on.templates.find((x) => x.id === t.id).issued, 1);
  assert.deepEqual(on.daily, [{ date: '2024-03-11', issued: on.totals.issued, used: 0, discount_fen: 0, order_fen: 0 }]);
  assert.ok(on.totals.issued >= 1);
  const eve = await stats('coupons', '?from=2024-03-10&to=2024-03-10');
  assert.equal(eve.templates.find((x) => x.id === t.id).issued, 0);
  const both = await stats('coupons', '?from=2024-03-10&to=2024-03-11');
  assert.equal(both.templates.find((x) => x.id === t.id).issued, 1);
  assert.equal(both.daily[1].issued - both.daily[0].issued, on.totals.issued - eve.totals.issued);
});

test('members: new by day, channel and tier, referred, and what members spend from stored value', async () => {
  const channel = `stats-${process.pid % 10000}-${Date.now() % 100000}`;
  const before = await stats('members');
  const joinWith = async (body) => {
    const phone = uniquePhone();
    const token = await signIn('demo', phone);
    const j = await join('demo', token, body);
    return { phone, token, id: j.member.id };
  };
  const a = await joinWith({ channel });
  const b = await joinWith({ channel });
  const code = (await api('GET', m('/me/referral'), { token: a.token })).json.data.code;
  await joinWith({ referral_code: code });
  // b is moved into the second tier (the tier move is what the rollup counts)
  const ladder = (await api('GET', m('/tiers'))).json.data;
  const moved = await owner.call('PUT', `/staff/members/${b.id}/tier`, { level: ladder[1].level, reason: '统计测试' });
  assert.equal(moved.status, 200, moved.text);

  // a pays 80 yuan of a 100 yuan order from stored value; 30 yuan come back
  await fund(a, { pay_fen: 10000 });
  const [store] = await storeIds();
  const s = await scan(cashier, a, store);
  const pay = await cashier.call('POST', '/staff/payments', { ticket: s.ticket, order_fen: 8000 },
    { 'idempotency-key': idemKey() });
  assert.equal(pay.status, 201, pay.text);
  const ref = await cashier.call('POST', `/staff/payments/${pay.json.data.payment.id}/refund`, { amount_fen: 3000 },
    { 'idempotency-key': idemKey() });
  assert.equal(ref.status, 201, ref.text);

  const after = await stats('members');
  assert.equal(after.members - before.members, 3);
  assert.equal(after.new_members - before.new_members, 3);
  assert.equal(after.referred - before.referred, 1);
  assert.deepEqual(after.channels.find((x) => x.channel === channel), { channel, new_members: 2 });
  assert.equal(before.channels.find((x) => x.channel === channel), undefined);
  const tier = (d, level) => d.tiers.find((x) => x.level === level);
  assert.deepEqual(after.tiers.map((x) => x.level), ladder.map((x) => x.level));
  assert.equal(tier(after, 1).members - tier(before, 1).members, 2);
  assert.equal(tier(after, 2).members - tier(before, 2).members, 1);
  assert.equal(tier(after, 2).new_members - tier(before, 2).new_members, 1);
  assert.equal(after.tiers.reduce((sum, x) => sum + x.members, 0), after.members);
  assert.equal(after.tiers.reduce((sum, x) => sum + x.new_members, 0), after.new_members);
  assert.equal(lastDay(after).new_members - lastDay(before).new_members, 3);
  assert.equal(after.daily.reduce((sum, x) => sum + x.new_members, 0), after.new_members);
  const [sp0, sp1] = [before.spending.members, after.spending.members];
  assert.deepEqual([sp1.orders - sp0.orders, sp1.order_fen - sp0.order_fen, sp1.balance_fen - sp0.balance_fen,
    sp1.refunded_fen - sp0.refunded_fen], [1, 8000, 8000, 3000]);
  assert.equal(after.spending.non_members, null);
  assert.equal(tier(after, 2).share, rate(tier(after, 2).members, after.members));
});

test('stored value: recharges by package and provider, balance used, and the balance outstanding', async () => {
  const before = await stats('recharges');
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  const p100 = pkgs.find((p) => p.pay_fen === 10000);
  const mem = await newMember();
  await fund(mem, { package_id: p100.id });
  await fund(mem, { pay_fen: 1234 });
  const [store] = await storeIds();
  const s = await scan(cashier, mem, store);
  const cash = await cashier.call('POST', '/staff/recharges', { ticket: s.ticket, pay_fen: 2000 },
    { 'idempotency-key': idemKey() });
  assert.equal(cash.status, 201, cash.text);
  const pay = await cashier.call('POST', '/staff/payments', { ticket: s.ticket, order_fen: 5000 },
    { 'idempotency-key': idemKey() });
  assert.equal(pay.status, 201, pay.text);
  const paid = pay.json.data.payment;

  const after = await stats('recharges');
  const d = (k) => after.recharges[k] - before.recharges[k];
  assert.deepEqual([d('count'), d('members'), d('pay_fen'), d('bonus_fen')],
    [3, 1, 10000 + 1234 + 2000, p100.bonus_fen]);
  const pkg = (x) => x.packages.find((p) => p.package_id === p100.id) || { count: 0, pay_fen_total: 0, bonus_fen_total: 0 };
  assert.equal(pkg(after).count - pkg(before).count, 1);
  assert.equal(pkg(after).pay_fen_total - pkg(before).pay_fen_total, 10000);
  assert.equal(pkg(after).bonus_fen_total - pkg(before).bonus_fen_total, p100.bonus_fen);
  assert.equal(pkg(after).label, p100.label);
  const custom = (x) => x.packages.find((p) => p.package_id === null) || { count: 0, pay_fen_total: 0 };
  assert.equal(custom(after).count - custom(before).count, 2);
  assert.equal(custom(after).pay_fen_total - custom(before).pay_fen_total, 3234);
  const prov = (x, name) => x.providers.find((p) => p.provider === name) || { count: 0, pay_fen: 0 };
  assert.equal(prov(after, 'sandbox').count - prov(before, 'sandbox').count, 2);
  assert.equal(prov(after, 'cash').pay_fen - prov(before, 'cash').pay_fen, 2000);
  const day = (x) => lastDay(x);
  assert.deepEqual([day(after).count - day(before).count, day(after).pay_fen - day(before).pay_fen],
    [3, 13234]);
  assert.equal(after.daily.reduce((sum, x) => sum + x.pay_fen, 0), after.recharges.pay_fen);
  assert.deepEqual([after.used.payments - before.used.payments,
    after.used.principal_fen - before.used.principal_fen, after.used.bonus_fen - before.used.bonus_fen],
  [1, paid.principal_fen, paid.bonus_fen]);
  // outstanding: what was put in minus what was paid out, to the fen
  assert.equal(after.balance.total_fen - before.balance.total_fen,
    10000 + p100.bonus_fen + 1234 + 2000 - paid.principal_fen - paid.bonus_fen);
  assert.equal(after.balance.total_fen, after.balance.principal_fen + after.balance.bonus_fen);
  // a new member who holds a balance now
  assert.equal(after.balance.members - before.balance.members, 1);
});

test('bad periods get invalid_field naming the field; only owner and marketing see stats', async () => {
  const bad = [
    ['?from=2026-02-30', 'from'], ['?to=2026-13-01', 'to'], ['?from=26-01-01', 'from'],
    ['?from=2026-11-02&to=2026-11-01', 'from'], ['?from=2025-01-01&to=2026-01-02', 'to'],
    ['?from=1969-12-31&to=1970-01-02', 'from'], ['?to=', 'to'],
  ];
  for (const kind of ['coupons', 'members', 'recharges']) {
    for (const [q, field] of bad) {
      const r = await marketing.call('GET', `/staff/stats/${kind}${q}`);
      assert.equal(r.status, 400, `${kind}${q}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_field');
      assert.equal(r.json.error.field, field, `${kind}${q}`);
    }
    assert.equal((await owner.call('GET', `/staff/stats/${kind}`)).status, 200);
    const c = await cashier.call('GET', `/staff/stats/${kind}`);
    assert.equal(c.status, 403, c.text);
    assert.equal(c.json.error.code, 'forbidden');
    assert.equal((await api('GET', m(`/staff/stats/${kind}`))).status, 401);
    const mem = await newMember();
    assert.equal((await api('GET', m(`/staff/stats/${kind}`), { token: mem.token })).status, 403);
    // demo's marketing under demo2
    const other = await api('GET', m(`/staff/stats/${kind}`, 'demo2'), { token: marketing.token });
    assert.equal(other.status, 403, other.text);
    assert.equal((await marketing.call('POST', `/staff/stats/${kind}`, {})).status, 405);
  }
  assert.equal((await marketing.call('GET', '/staff/stats/orders')).status, 404);
});

test('each merchant sees its own figures', async () => {
  const demo2 = await staff('demo2', 'marketing');
  const before = await stats('members', '', demo2);
  const phone = uniquePhone();
  await join('demo', await signIn('demo', phone));
  const after = await stats('members', '', demo2);
  assert.equal(after.members, before.members);
  assert.equal(after.new_members, before.new_members);
});
