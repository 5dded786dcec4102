// The members and stored-value reports (staff/stats/members, recharges)
// from the rollups, never from members, recharges or the ledger: each
// figure as the change of this test's own actions on a merchant of its
// own, equal to what SQL counts from the raw rows; members by tier with
// shares after tier moves; the liability (principal and bonus apart) and
// the members holding a balance after recharges, payments and refunds;
// and `app stats rebuild` answering the very same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from './lib.mjs';
import { newMerchant, rebuild, localDate, addDays } from './stats_helpers.mjs';
import { idemKey } from './wallet_helpers.mjs';

const LADDER = [
  { level: 1, name: '普通会员', growth: 0, discount_pct: null, points_multiplier: 1, privileges: [] },
  { level: 2, name: '银卡会员', growth: 100000, discount_pct: null, points_multiplier: 1, privileges: [] },
  { level: 3, name: '金卡会员', growth: 200000, discount_pct: null, points_multiplier: 1, privileges: [] },
];
const rate = (num, den) => (den === 0 ? null : Math.round((num / den) * 1e4) / 1e4);

async function setTier(mc, mem, level) {
  const r = await mc.owner.call('PUT', `/staff/members/${mem.id}/tier`, { level, reason: '统计测试' });
  assert.equal(r.status, 200, r.text);
}

/** Members by tier as the raw rows have them: {level: n}. */
async function rawTiers(mc) {
  const rows = await sql(`SELECT tier_level, COUNT(*) FROM members WHERE merchant_id = ${mc.id} GROUP BY 1`);
  return Object.fromEntries(rows.map(([l, n]) => [Number(l), Number(n)]));
}

test('members: total, new, channels and tiers with shares after tier moves, as the raw rows have them', async () => {
  const mc = await newMerchant('sm');
  const t = await mc.owner.call('PUT', '/staff/settings/tiers', { tiers: LADDER });
  assert.equal(t.status, 200, t.text);
  const zero = await mc.stats('members');
  assert.deepEqual([zero.members, zero.new_members, zero.referred, zero.channels], [0, 0, 0, []]);
  assert.deepEqual(zero.tiers, LADDER.map((x) => ({ level: x.level, name: x.name, members: 0, new_members: 0, share: null })));

  const people = [];
  for (const channel of ['organic', 'organic', `store:${mc.stores[0]}`, 'campaign:autumn', 'organic']) {
    people.push(await mc.member({ channel }));
  }
  people.push(await mc.member({ referral_code: await mc.referralCode(people[0]) }));
  // up two tiers, up one, up one and back down
  await setTier(mc, people[0], 3);
  await setTier(mc, people[1], 2);
  await setTier(mc, people[2], 2);
  await setTier(mc, people[2], 1);

  const d = await mc.stats('members');
  assert.deepEqual([d.members, d.new_members, d.referred], [6, 6, 1]);
  assert.deepEqual(d.channels, [
    { channel: 'organic', new_members: 3 }, { channel: 'campaign:autumn', new_members: 1 },
    { channel: 'referral', new_members: 1 }, { channel: `store:${mc.stores[0]}`, new_members: 1 },
  ]);
  assert.deepEqual(d.tiers, [
    { level: 1, name: '普通会员', members: 4, new_members: 4, share: 0.6667 },
    { level: 2, name: '银卡会员', members: 1, new_members: 1, share: 0.1667 },
    { level: 3, name: '金卡会员', members: 1, new_members: 1, share: 0.1667 },
  ]);
  assert.deepEqual(await rawTiers(mc), { 1: 4, 2: 1, 3: 1 });
  assert.equal(d.daily.at(-1).date, localDate());
  assert.equal(d.daily.at(-1).new_members, 6);
  const [[all]] = await sql(`SELECT COUNT(*) FROM members WHERE merchant_id = ${mc.id}`);
  assert.equal(d.members, Number(all));

  // two members joined 40 days ago (moved there, both days rebuilt): still
  // members and in their tiers, no longer new in the last 30 days
  const past = addDays(localDate(), -40);
  await sql(`UPDATE members SET joined_at = '${past} 04:00:00' WHERE id IN (${people[0].id}, ${people[4].id})`);
  rebuild(mc.code, past);
  rebuild(mc.code, localDate());
  const e = await mc.stats('members');
  assert.deepEqual([e.members, e.new_members], [6, 4]);
  assert.deepEqual(e.tiers.map((x) => [x.members, x.new_members, x.share]),
    [[4, 3, 0.6667], [1, 1, 0.1667], [1, 0, 0.1667]]);
  const p = await mc.stats('members', `from=${past}&to=${past}`);
  assert.deepEqual([p.members, p.new_members, p.tiers.map((x) => x.new_members)], [6, 2, [1, 0, 1]]);
  // a move after the rebuild lands on the member's join day, 40 days ago
  await setTier(mc, people[4], 2);
  const f = await mc.stats('members', `from=${past}&to=${past}`);
  assert.deepEqual(f.tiers.map((x) => [x.members, x.new_members]), [[3, 0], [2, 1], [1, 1]]);
  assert.deepEqual(f.tiers.map((x) => x.share), [rate(3, 6), rate(2, 6), rate(1, 6)]);
  assert.deepEqual(await rawTiers(mc), { 1: 3, 2: 2, 3: 1 });
  // the tiers' members add up to all members
  assert.equal(f.tiers.reduce((s, x) => s + x.members, 0), f.members);
});

test('stored value: the liability and the members holding a balance after recharges, payments and refunds; packages and providers; spending', async () => {
  const mc = await newMerchant('sv');
  const [s1, s2] = mc.stores;
  const put = await mc.owner.call('PUT', '/staff/settings/recharge-packages', {
    packages: [{ pay_fen: 10000, bonus_fen: 1500, label: '充100送15', recommended: true }],
    custom: { enabled: true, min_fen: 1000, max_fen: 500000 },
  });
  assert.equal(put.status, 200, put.text);
  const pkg = put.json.data.packages[0];
  const zero = await mc.stats('recharges');
  assert.deepEqual([zero.recharges, zero.balance, zero.packages, zero.providers],
    [{ count: 0, members: 0, pay_fen: 0, bonus_fen: 0 }, { principal_fen: 0, bonus_fen: 0, total_fen: 0, members: 0 }, [], []]);

  const [a, b, c] = [await mc.member(), await mc.member(), await mc.member()];
  await mc.onlineRecharge(a, 10000); // a custom amount online, no bonus
  const byPkg = await mc.owner.call('POST', '/staff/recharges', { ticket: await mc.ticket(a, s1), package_id: pkg.id,
    method: 'card' }, { 'idempotency-key': idemKey() });
  assert.equal(byPkg.status, 201, byPkg.text);
  await mc.counterRecharge(b, 5000, s2, 'cash');
  const r1 = await mc.stats('recharges');
  assert.deepEqual(r1.recharges, { count: 3, members: 2, pay_fen: 25000, bonus_fen: 1500 });
  assert.deepEqual(r1.packages, [
    { package_id: null, label: null, pay_fen: null, bonus_fen: null, count: 2, pay_fen_total: 15000, bonus_fen_total: 0 },
    { package_id: pkg.id, label: '充100送15', pay_fen: 10000, bonus_fen: 1500, count: 1, pay_fen_total: 10000,
      bonus_fen_total: 1500 },
  ]);
  // by amount, then by name
  assert.deepEqual(r1.providers, [{ provider: 'card', count: 1, pay_fen: 10000 },
    { provider: 'sandbox', count: 1, pay_fen: 10000 }, { provider: 'cash', count: 1, pay_fen: 5000 }]);
  assert.deepEqual(r1.balance, { principal_fen: 25000, bonus_fen: 1500, total_fen: 26500, members: 2 });
  assert.deepEqual(r1.daily.at(-1), { date: localDate(), count: 3, pay_fen: 25000, bonus_fen: 1500 });

  // b pays all of its balance: it holds none; a refund gives 20 yuan back
  const pay = async (mem, store, fen) => {
    const r = await mc.owner.call('POST', '/staff/payments', { ticket: await mc.ticket(mem, store), order_fen: fen },
      { 'idempotency-key': idemKey() });
    assert.equal(r.status, 201, r.text);
    return r.json.data.payment;
  };
  const pb = await pay(b, s2, 5000);
  assert.deepEqual([pb.principal_fen, pb.bonus_fen], [5000, 0]);
  const r2 = await mc.stats('recharges');
  assert.deepEqual(r2.balance, { principal_fen: 20000, bonus_fen: 1500, total_fen: 21500, members: 1 });
  assert.deepEqual(r2.used, { payments: 1, principal_fen: 5000, bonus_fen: 0, refunded_fen: 0 });
  const ref = await mc.owner.call('POST', `/staff/payments/${pb.id}/refund`, { amount_fen: 2000 },
    { 'idempotency-key': idemKey() });
  assert.equal(ref.status, 201, ref.text);
  // a pays from principal and bonus alike
  const pa = await pay(a, s1, 15000);
  const r3 = await mc.stats('recharges');
  assert.deepEqual(r3.used, { payments: 2, principal_fen: 5000 + pa.principal_fen, bonus_fen: pa.bonus_fen,
    refunded_fen: 2000 });
  assert.deepEqual(r3.balance, {
    principal_fen: 20000 + 2000 - pa.principal_fen, bonus_fen: 1500 - pa.bonus_fen,
    total_fen: 21500 + 2000 - 15000, members: 2,
  });
  // c never stored anything; the figures are those of the members rows
  const [[p, bo, holders]] = await sql(`SELECT SUM(principal_fen), SUM(bonus_fen), SUM(principal_fen + bonus_fen > 0)
    FROM members WHERE merchant_id = ${mc.id}`);
  assert.deepEqual([r3.balance.principal_fen, r3.balance.bonus_fen, r3.balance.members],
    [Number(p), Number(bo), Number(holders)]);
  assert.ok(c.id > 0);

  const m = await mc.stats('members');
  assert.deepEqual(m.spending.members, { orders: 2, order_fen: 20000, balance_fen: 20000, refunded_fen: 2000,
    paying_members: 2, avg_order_fen: 10000 });

  // the rebuild of the day answers the very same
  rebuild(mc.code, localDate());
  assert.deepEqual(await mc.stats('recharges'), r3);
  assert.deepEqual(await mc.stats('members'), m);
  const [[slots]] = await sql(`SELECT COUNT(*) FROM stats_days WHERE merchant_id = ${mc.id} AND slot <> 0`);
  assert.equal(slots, '0', 'the rebuild writes slot 0 only');
});

test('members who paid from stored value or recharged are counted once in any period, whatever their days', async () => {
  const mc = await newMerchant('sa');
  const [s1, s2] = mc.stores;
  const today = localDate();
  const [x, y] = [await mc.member(), await mc.member()];
  // x: recharges and pays on days -5, -2 (at two stores) and today; y on day -2
  const plan = [[x, -5, s1], [x, -2, s1], [x, -2, s2], [x, 0, s1], [y, -2, s2]];
  for (const [mem, n, store] of plan) {
    const rc = await mc.counterRecharge(mem, 2000, store);
    const r = await mc.owner.call('POST', '/staff/payments', { ticket: await mc.ticket(mem, store), order_fen: 1000 },
      { 'idempotency-key': idemKey() });
    assert.equal(r.status, 201, r.text);
    const at = `${addDays(today, n)} 04:00:00`;
    await sql(`UPDATE payments SET created_at = '${at}' WHERE id = ${r.json.data.payment.id}`);
    await sql(`UPDATE recharges SET created_at = '${at}', paid_at = '${at}' WHERE id = ${rc.id}`);
  }
  rebuild(mc.code, addDays(today, -6), today);
  const periods = [[-5, 0, 2], [-2, -2, 2], [-4, -3, 0], [-5, -5, 1], [-1, 0, 1], [-3, -1, 2], [-6, -6, 0]];
  for (const [a, b, n] of periods) {
    const q = `from=${addDays(today, a)}&to=${addDays(today, b)}`;
    const [mb, rc] = [await mc.stats('members', q), await mc.stats('recharges', q)];
    assert.equal(mb.spending.members.paying_members, n, `paying ${q}`);
    assert.equal(rc.recharges.members, n, `recharging ${q}`);
    const [[raw]] = await sql(`SELECT COUNT(DISTINCT member_id) FROM payments WHERE merchant_id = ${mc.id}
      AND created_at >= '${addDays(today, a)} 00:00:00' - INTERVAL 8 HOUR
      AND created_at < '${addDays(today, b + 1)} 00:00:00' - INTERVAL 8 HOUR`);
    assert.equal(Number(raw), n, q);
  }
  // the same again from the events alone: a new payment today by y
  await mc.counterRecharge(y, 2000, s1);
  const r = await mc.owner.call('POST', '/staff/payments', { ticket: await mc.ticket(y, s1), order_fen: 1000 },
    { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  const q = `from=${addDays(today, -1)}&to=${today}`;
  assert.equal((await mc.stats('members', q)).spending.members.paying_members, 2);
  assert.equal((await mc.stats('recharges', q)).recharges.members, 2);
  assert.equal((await mc.stats('recharges', `from=${addDays(today, -5)}&to=${today}`)).recharges.members, 2);
});
