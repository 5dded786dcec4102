// The analytics rollups (migration 0027) against the raw rows: a
// randomized day of joins, claims, orders of members and walk-ins with and
// without coupons, in cash and from the balance, refunds and recharges of
// every channel, all through the API; then the rollups the events kept
// must equal what SQL computes here from the raw rows, and
// `app stats rebuild` for the day must write the very same rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from './lib.mjs';
import { newMerchant, rebuild, localDate } from './stats_helpers.mjs';
import { idemKey } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const TZ = "'+00:00', '+08:00'";
const day = (col) => `DATE(CONVERT_TZ(${col}, ${TZ}))`;

/** Every rollup row of the merchant, as sorted text lines, table by table. */
async function rollups(id) {
  // events add to the row of their connection's slot, the rebuild to slot
  // 0: the rows compared are the sums over slots
  const q = {
    days: `SELECT day, store_id, SUM(new_members), SUM(referred_members), SUM(member_orders), SUM(member_order_fen),
      SUM(non_member_orders), SUM(non_member_order_fen), SUM(coupon_orders), SUM(coupon_order_fen),
      SUM(coupon_discount_fen), SUM(refunds), SUM(refund_fen), SUM(recharges), SUM(recharge_fen),
      SUM(recharge_bonus_fen), SUM(balance_principal_fen), SUM(balance_bonus_fen), SUM(wallet_payments),
      SUM(wallet_payment_order_fen), SUM(wallet_paid_principal_fen), SUM(wallet_paid_bonus_fen),
      SUM(wallet_refunded_fen), SUM(balance_holders)
      FROM stats_days WHERE merchant_id = ${id} GROUP BY day, store_id`,
    channels: `SELECT day, store_id, kind, channel, SUM(n), SUM(fen), SUM(bonus_fen) FROM stats_channel_days
      WHERE merchant_id = ${id} GROUP BY day, store_id, kind, channel`,
    // summed over slots (each writer its own row, the rebuild slot 0);
    // a use given back leaves its rows at zero
    coupons: `SELECT day, store_id, template_id, valid_until, SUM(claims), SUM(new_claims), SUM(claimed_used),
      SUM(claimed_cancelled), SUM(unused), SUM(orders), SUM(uses), SUM(discount_fen), SUM(order_fen), SUM(redeemed),
      SUM(redeemed_discount_fen), SUM(redeemed_order_fen)
      FROM stats_coupon_days WHERE merchant_id = ${id} GROUP BY day, store_id, template_id, valid_until
      HAVING SUM(claims) <> 0 OR SUM(orders) <> 0 OR SUM(redeemed) <> 0 OR SUM(claimed_cancelled) <> 0
        OR SUM(redeemed_discount_fen) <> 0 OR SUM(redeemed_order_fen) <> 0 OR SUM(unused) <> 0`,
    members: `SELECT day, member_id, store_id, join_day, orders, order_fen, recharges, recharge_fen, referred, payments
      FROM stats_member_days WHERE merchant_id = ${id}`,
    // rows whose slots cancel out (a member moved up and back) count as none
    tiers: `SELECT day, level, SUM(members) FROM stats_tier_days WHERE merchant_id = ${id}
      GROUP BY day, level HAVING SUM(members) <> 0`,
    active: `SELECT kind, store_id, day, prev_day, SUM(members) FROM stats_active_days WHERE merchant_id = ${id}
      GROUP BY kind, store_id, day, prev_day`,
    cohorts: `SELECT store_id, join_day, day, SUM(members) FROM stats_cohort_days WHERE merchant_id = ${id}
      GROUP BY store_id, join_day, day`,
  };
  const out = {};
  for (const [k, s] of Object.entries(q)) out[k] = (await sql(s)).map((r) => r.join('|')).sort();
  return out;
}

/** The campaigns report's sums by day, template and store (before a day). */
async function campaignDays(id, table = 'stats_campaign_days', before = '9999-12-31') {
  return (await sql(`SELECT day, template_id, store_id, SUM(claims), SUM(new_claims), SUM(orders), SUM(uses),
    SUM(discount_fen), SUM(order_fen) FROM ${table} WHERE merchant_id = ${id} AND template_id <> 0 AND day < '${before}'
    GROUP BY day, template_id, store_id HAVING SUM(claims) <> 0 OR SUM(orders) <> 0 OR SUM(uses) <> 0`))
    .map((r) => r.join('|')).sort();
}

/**
 * The same figures computed here from the raw rows (independently of the
 * app's statements), rows of zero left out as the rollups have none.
 */
async function fromRaw(id) {
  const n = (rows) => rows.map((r) => r.join('|')).sort();
  // stats_days: the sum of its sources by (day, store)
  const parts = await sql(`
    SELECT d, s, SUM(nm), SUM(rf), SUM(mo), SUM(mf), SUM(no), SUM(nf), SUM(co), SUM(cf), SUM(cd),
      SUM(fo), SUM(ff), SUM(ro), SUM(rfen), SUM(rb), SUM(bp), SUM(bb), SUM(wp), SUM(wo), SUM(wpp), SUM(wpb),
      SUM(wr), SUM(bh) FROM (
      SELECT ${day('joined_at')} d, IF(channel LIKE 'store:%', CAST(SUBSTRING(channel, 7) AS UNSIGNED), 0) s,
        1 nm, referrer_id IS NOT NULL rf, 0 mo, 0 mf, 0 no, 0 nf, 0 co, 0 cf, 0 cd, 0 fo, 0 ff, 0 ro, 0 rfen, 0 rb,
        0 bp, 0 bb, 0 wp, 0 wo, 0 wpp, 0 wpb, 0 wr, 0 bh
        FROM members WHERE merchant_id = ${id}
      UNION ALL
      SELECT ${day('o.paid_at')}, o.store_id, 0, 0, o.member_id IS NOT NULL, IF(o.member_id IS NULL, 0, o.total_fen),
        o.member_id IS NULL, IF(o.member_id IS NULL, o.total_fen, 0),
        EXISTS (SELECT 1 FROM order_adjustments WHERE order_id = o.id AND kind = 'coupon'),
        IF(EXISTS (SELECT 1 FROM order_adjustments WHERE order_id = o.id AND kind = 'coupon'), o.total_fen, 0),
        IFNULL((SELECT SUM(amount_fen) FROM order_adjustments WHERE order_id = o.id AND kind = 'coupon'), 0),
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        FROM orders o WHERE o.merchant_id = ${id} AND o.paid_at IS NOT NULL
      UNION ALL
      SELECT ${day('f.done_at')}, o.store_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, f.amount_fen, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0
        FROM order_refunds f JOIN orders o ON o.id = f.order_id WHERE f.merchant_id = ${id} AND f.status = 'done'
      UNION ALL
      SELECT ${day('paid_at')}, IFNULL(store_id, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, pay_fen, bonus_fen, 0, 0,
        0, 0, 0, 0, 0, 0
        FROM recharges WHERE merchant_id = ${id} AND status = 'paid'
      UNION ALL
      SELECT ${day('created_at')}, IFNULL(store_id, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        principal_fen, bonus_fen, 0, 0, 0, 0, 0, (bal > 0) - (bal - principal_fen - bonus_fen > 0)
        FROM (SELECT *, SUM(principal_fen + bonus_fen) OVER (PARTITION BY member_id ORDER BY id) bal
          FROM wallet_entries WHERE merchant_id = ${id}) we
      UNION ALL
      SELECT ${day('created_at')}, store_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        1, order_fen, principal_fen, bonus_fen, 0, 0 FROM payments WHERE merchant_id = ${id}
      UNION ALL
      SELECT ${day('created_at')}, IFNULL(store_id, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, principal_fen + bonus_fen, 0 FROM refunds WHERE merchant_id = ${id}
    ) u GROUP BY d, s`);
  const channels = await sql(`
    SELECT ${day('joined_at')}, IF(channel LIKE 'store:%', CAST(SUBSTRING(channel, 7) AS UNSIGNED), 0), 'join',
      channel, COUNT(*), 0, 0 FROM members WHERE merchant_id = ${id} GROUP BY 1, 2, 4
    UNION ALL
    SELECT ${day('paid_at')}, IFNULL(store_id, 0), 'recharge',
      CASE WHEN provider IN ('cash', 'card') THEN 'counter'
        WHEN id IN (SELECT topup_recharge_id FROM orders WHERE merchant_id = ${id} AND topup_recharge_id IS NOT NULL)
        THEN 'checkout' ELSE 'online' END,
      COUNT(*), SUM(pay_fen), SUM(bonus_fen) FROM recharges WHERE merchant_id = ${id} AND status = 'paid'
      GROUP BY 1, 2, 4
    UNION ALL
    SELECT ${day('paid_at')}, 0, 'package', IFNULL(package_id, 0), COUNT(*), SUM(pay_fen),
      SUM(bonus_fen) FROM recharges WHERE merchant_id = ${id} AND status = 'paid' GROUP BY 1, 2, 4
    UNION ALL
    SELECT ${day('paid_at')}, 0, 'provider', provider, COUNT(*), SUM(pay_fen),
      SUM(bonus_fen) FROM recharges WHERE merchant_id = ${id} AND status = 'paid' GROUP BY 1, 2, 4`);
  // stats_coupon_days (migration 0039): claims at the store of issue with
  // what became of them on the day's totals (valid_until 1970-01-01), the
  // coupons still unused by their valid_until, orders paid with coupons,
  // coupons used now (orders and counter alike) at the store of use
  const coupons = await sql(`
    SELECT d, s, t, v, SUM(cl), SUM(nc), SUM(cu), SUM(cc), SUM(un), SUM(od), SUM(us), SUM(di), SUM(ofen),
      SUM(rd), SUM(rdi), SUM(rof) FROM (
      SELECT ${day('c.claimed_at')} d, IFNULL(c.store_id, 0) s, c.template_id t, '1970-01-01 00:00:00' v, 1 cl,
        ${day('c.claimed_at')} = ${day('mb.joined_at')} nc, c.status = 'used' cu, c.status = 'cancelled' cc, 0 un,
        0 od, 0 us, 0 di, 0 ofen, 0 rd, 0 rdi, 0 rof
        FROM coupons c JOIN members mb ON mb.id = c.member_id WHERE c.merchant_id = ${id}
      UNION ALL
      SELECT ${day('c.claimed_at')}, IFNULL(c.store_id, 0), c.template_id, c.valid_until, 0, 0, 0, 0, 1,
        0, 0, 0, 0, 0, 0, 0
        FROM coupons c WHERE c.merchant_id = ${id} AND c.status = 'unused'
      UNION ALL
      SELECT ${day('o.paid_at')}, o.store_id, c.template_id, '1970-01-01 00:00:00', 0, 0, 0, 0, 0, 1, COUNT(*),
        SUM(a.amount_fen), MAX(o.total_fen), 0, 0, 0
        FROM orders o JOIN order_adjustments a ON a.order_id = o.id AND a.kind = 'coupon'
        JOIN coupons c ON c.merchant_id = o.merchant_id AND c.code = a.ref
        WHERE o.merchant_id = ${id} AND o.paid_at IS NOT NULL GROUP BY o.id, c.template_id
      UNION ALL
      SELECT ${day('c.used_at')}, IFNULL(c.used_store_id, 0), c.template_id, '1970-01-01 00:00:00',
        0, 0, 0, 0, 0, 0, 0, 0, 0, 1, IFNULL(c.discount_fen, 0), IFNULL(c.order_fen, 0)
        FROM coupons c WHERE c.merchant_id = ${id} AND c.status = 'used'
    ) u GROUP BY d, s, t, v`);
  const members = await sql(`
    SELECT d, mid, s, jd, SUM(oc), SUM(ofen), SUM(rc), SUM(rfen), SUM(rf), SUM(py) FROM (
      SELECT ${day('o.paid_at')} d, o.member_id mid, o.store_id s, ${day('mb.joined_at')} jd,
        1 oc, o.total_fen ofen, 0 rc, 0 rfen, 0 rf, 0 py
        FROM orders o JOIN members mb ON mb.id = o.member_id WHERE o.merchant_id = ${id} AND o.paid_at IS NOT NULL
      UNION ALL
      SELECT ${day('rc.paid_at')}, rc.member_id, IFNULL(rc.store_id, 0), ${day('mb.joined_at')}, 0, 0, 1, rc.pay_fen, 0, 0
        FROM recharges rc JOIN members mb ON mb.id = rc.member_id WHERE rc.merchant_id = ${id} AND rc.status = 'paid'
      UNION ALL
      SELECT ${day('e.joined_at')}, e.referrer_id, 0, ${day('rr.joined_at')}, 0, 0, 0, 0, 1, 0
        FROM members e JOIN members rr ON rr.id = e.referrer_id WHERE e.merchant_id = ${id}
      UNION ALL
      SELECT ${day('p.created_at')}, p.member_id, p.store_id, ${day('mb.joined_at')}, 0, 0, 0, 0, 0, 1
        FROM payments p JOIN members mb ON mb.id = p.member_id WHERE p.merchant_id = ${id}
    ) u GROUP BY d, mid, s, jd`);
  const tiers = await sql(`SELECT ${day('joined_at')}, tier_level, COUNT(*) FROM members WHERE merchant_id = ${id}
    GROUP BY 1, 2`);
  // each member's days of balance payments and of recharges, with the
  // day of the kind before each
  // (store 0: at any store; a store's: recharges and orders at that store
  // by the member's day before there)
  const active = await sql(`
    SELECT k, s, d, prev, COUNT(*) FROM (
      SELECT k, 0 s, d, IFNULL(LAG(d) OVER (PARTITION BY k, member_id ORDER BY d), '1000-01-01') prev FROM (
        SELECT DISTINCT 'payment' k, member_id, ${day('created_at')} d FROM payments WHERE merchant_id = ${id}
        UNION ALL
        SELECT DISTINCT 'recharge', member_id, ${day('paid_at')} FROM recharges WHERE merchant_id = ${id} AND status = 'paid'
        UNION ALL
        SELECT DISTINCT 'referral', referrer_id, ${day('joined_at')} FROM members
          WHERE merchant_id = ${id} AND referrer_id IS NOT NULL
      ) md
      UNION ALL
      SELECT 'recharge', s, d, IFNULL(LAG(d) OVER (PARTITION BY member_id, s ORDER BY d), '1000-01-01') FROM (
        SELECT DISTINCT member_id, store_id s, ${day('paid_at')} d FROM recharges
          WHERE merchant_id = ${id} AND status = 'paid' AND store_id IS NOT NULL
      ) ms
      UNION ALL
      -- each paid order of a member by the day of the member's order
      -- before it (order) and two before it (order2), at any store and at
      -- the order's
      SELECT k.k, IF(w.w, o.store_id, 0), ${day('o.paid_at')}, IFNULL(IF(k.k = 'order',
          LAG(${day('o.paid_at')}, 1) OVER (PARTITION BY k.k, w.w, IF(w.w, o.store_id, 0), o.member_id
            ORDER BY o.paid_at, o.id),
          LAG(${day('o.paid_at')}, 2) OVER (PARTITION BY k.k, w.w, IF(w.w, o.store_id, 0), o.member_id
            ORDER BY o.paid_at, o.id)), '1000-01-01')
        FROM orders o JOIN (SELECT 'order' k UNION ALL SELECT 'order2') k JOIN (SELECT 0 w UNION ALL SELECT 1) w
        WHERE o.merchant_id = ${id} AND o.paid_at IS NOT NULL AND o.member_id IS NOT NULL
    ) u GROUP BY k, s, d, prev`);
  // each member's first order-day after the join day, within 30 days, at
  // any store and at each store
  const cohorts = await sql(`
    SELECT s, jd, d, COUNT(*) FROM (
      SELECT IF(w.w, o.store_id, 0) s, ${day('mb.joined_at')} jd, MIN(${day('o.paid_at')}) d
        FROM orders o JOIN members mb ON mb.id = o.member_id JOIN (SELECT 0 w UNION ALL SELECT 1) w
        WHERE o.merchant_id = ${id} AND o.paid_at IS NOT NULL AND ${day('o.paid_at')} > ${day('mb.joined_at')}
        GROUP BY o.member_id, s, jd
    ) f WHERE DATEDIFF(d, jd) <= 30 GROUP BY s, jd, d`);
  return { days: n(parts), channels: n(channels), coupons: n(coupons), members: n(members), tiers: n(tiers),
    active: n(active), cohorts: n(cohorts) };
}

test('a randomized day of joins, claims, orders, refunds and recharges: the rollups equal the raw rows, and rebuild writes the same', async () => {
  let rnd = Number(process.env.STATS_SEED || Date.now() % 100000);
  const seed = rnd;
  const next = (k) => { rnd = (rnd * 1103515245 + 12345) % 2147483648; return Math.floor(rnd / 65536) % k; };
  const mc = await newMerchant('sr');
  const [s1, s2] = mc.stores;
  const tpls = [await mc.template(300, '满减三元'), await mc.template(800, '立减八元')];
  // members who join at a store's counter get their gift issued there
  const gift = await mc.owner.call('PUT', '/staff/settings/new-member-gift', { enabled: true, template_ids: [tpls[0].id] });
  assert.equal(gift.status, 200, gift.text);
  const members = [await mc.member({ channel: 'organic' }), await mc.member({ channel: `store:${s2}` })];
  const channels = ['organic', `store:${s1}`, `store:${s2}`, 'campaign:spring', 'poster:7'];
  for (let i = 0; i < 7; i++) {
    const extra = next(3) === 0
      ? { referral_code: await mc.referralCode(members[next(members.length)]) }
      : { channel: channels[next(channels.length)] };
    members.push(await mc.member(extra));
  }
  const codes = new Map(members.map((x) => [x.id, []]));
  for (let i = 0; i < 10; i++) {
    const mem = members[next(members.length)];
    codes.get(mem.id).push(await mc.claim(mem, tpls[next(2)]));
  }
  // stored value of every channel
  for (let i = 0; i < 4; i++) {
    const mem = members[next(members.length)];
    if (next(2)) await mc.counterRecharge(mem, 1000 + 100 * next(50), next(2) ? s1 : s2, next(2) ? 'cash' : 'card');
    else await mc.onlineRecharge(mem, 2000 + 100 * next(30));
  }
  const orders = [];
  for (let i = 0; i < 14; i++) {
    const kind = next(5);
    const store = next(2) ? s1 : s2;
    const fen = 1500 + 100 * next(40);
    if (kind === 0) {
      orders.push(await mc.order({ store, fen }));
    } else {
      const mem = members[next(members.length)];
      const mine = codes.get(mem.id);
      const use = next(2) && mine.length ? [mine.pop()] : [];
      if (kind === 4) {
        const ticket = await mc.ticket(mem, store);
        orders.push(await mc.order({ store, fen, codes: use, ticket, topup: { pay_fen: fen + 1000 } }));
      } else {
        orders.push(await mc.order({ store, mem, fen, codes: use }));
      }
    }
  }
  // orders in the app paid online, and one left unpaid (no sale)
  orders.push(await mc.appOrder(members[next(members.length)], 2000 + 100 * next(20)));
  orders.push(await mc.appOrder(members[next(members.length)], 3300));
  await mc.appOrder(members[next(members.length)], 4400, false);
  for (const o of orders) {
    const k = next(4);
    if (k === 0) await mc.refund(o.id);
    else if (k === 1) await mc.refund(o.id, { amount_fen: 100 + next(5) * 100 });
  }
  // balance payments at the counter, one refunded in part (payments and
  // refunds rows), and tier moves by hand, one up and back
  for (let i = 0; i < 3; i++) {
    const mem = members[next(members.length)];
    await mc.counterRecharge(mem, 5000, s1);
    const ticket = await mc.ticket(mem, next(2) ? s1 : s2);
    const p = await mc.owner.call('POST', '/staff/payments', { ticket, order_fen: 1000 + 100 * next(30) },
      { 'idempotency-key': idemKey() });
    assert.equal(p.status, 201, p.text);
    if (i === 0) {
      const f = await mc.owner.call('POST', `/staff/payments/${p.json.data.payment.id}/refund`, { amount_fen: 500 },
        { 'idempotency-key': idemKey() });
      assert.equal(f.status, 201, f.text);
    }
  }
  const movers = [members[1 + next(members.length - 1)], members[0]];
  for (const [mem, level] of [[movers[0], 2], [movers[1], 2], [movers[1], 1]]) {
    const t = await mc.owner.call('PUT', `/staff/members/${mem.id}/tier`, { level, reason: '统计测试' });
    assert.equal(t.status, 200, t.text);
  }
  // coupons redeemed at the counter without an order (a gift issued at a
  // store among them), one voided; orders may have used any of them
  const open = (await sql(`SELECT code, channel FROM coupons WHERE merchant_id = ${mc.id} AND status = 'unused'
    ORDER BY channel = 'new_member_gift' DESC, id`)).map((r) => r[0]);
  assert.ok(open.length >= 4, `unused coupons ${open.length}`);
  for (const code of open.slice(0, 3 + next(2))) {
    const r = await mc.owner.call('POST', '/staff/redemptions', { coupon_code: code, store_id: next(2) ? s1 : s2,
      order_fen: 2000 + 100 * next(30) }, { 'idempotency-key': `rd-${code}-${seed}` });
    assert.equal(r.status, 200, r.text);
  }
  const cancel = await mc.owner.call('POST', `/staff/coupons/${open.at(-1)}/cancel`, { reason: '测试作废' });
  assert.equal(cancel.status, 200, cancel.text);
  const kept = await rollups(mc.id);
  const raw = await fromRaw(mc.id);
  for (const k of Object.keys(raw)) assert.deepEqual(kept[k], raw[k], `${k} (seed ${seed})`);
  // the ledger's movements add up to the balance members hold
  const [[held, moved]] = await sql(`SELECT (SELECT SUM(principal_fen + bonus_fen) FROM members WHERE merchant_id = ${mc.id}),
    (SELECT SUM(balance_principal_fen + balance_bonus_fen) FROM stats_days WHERE merchant_id = ${mc.id})`);
  assert.equal(moved, held);
  assert.ok(Number(held) > 0);
  assert.ok(kept.days.length >= 2 && kept.coupons.length >= 1 && kept.channels.length >= 2, JSON.stringify(kept));
  const [[pays, wrefunds, moves]] = await sql(`SELECT (SELECT COUNT(*) FROM payments WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM refunds WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM tier_changes WHERE merchant_id = ${mc.id})`);
  assert.ok(Number(pays) >= 3 && Number(wrefunds) >= 1 && Number(moves) === 3, `${pays} ${wrefunds} ${moves}`);
  // the members of each tier now, and those holding a balance, as the
  // rollups' sums over all days have them
  const [[tierSum, holdersSum]] = await sql(`SELECT
    (SELECT SUM(members) FROM stats_tier_days WHERE merchant_id = ${mc.id} AND level = 2),
    (SELECT SUM(balance_holders) FROM stats_days WHERE merchant_id = ${mc.id})`);
  const [[tier2, holders]] = await sql(`SELECT SUM(tier_level = 2), SUM(principal_fen + bonus_fen > 0)
    FROM members WHERE merchant_id = ${mc.id}`);
  assert.deepEqual([tierSum, holdersSum], [tier2, holders]);
  assert.equal(tier2, '1');
  // the randomized day had counter redemptions and gifts issued at a store
  const [[counter, atStore]] = await sql(`SELECT SUM(status = 'used' AND order_id IS NULL), SUM(store_id IS NOT NULL)
    FROM coupons WHERE merchant_id = ${mc.id}`);
  assert.ok(Number(counter) >= 3, `counter redemptions ${counter}`);
  assert.ok(Number(atStore) >= 1, `issued at a store ${atStore}`);
  const [[pending, paidOnline]] = await sql(`SELECT SUM(status = 'pending'), SUM(online_fen > 0 AND paid_at IS NOT NULL)
    FROM orders WHERE merchant_id = ${mc.id}`);
  assert.deepEqual([pending, paidOnline], ['1', '2'], 'one app order unpaid, two paid online');
  // the daily job folds the day's slots into slot 0 once it is over: the
  // same sums, one row each
  const today = localDate();
  const tomorrow = localDate(new Date(Date.now() + 86400000));
  const slotted = async () => (await sql(`SELECT (SELECT COUNT(*) FROM stats_days WHERE merchant_id = ${mc.id} AND slot <> 0)
    + (SELECT COUNT(*) FROM stats_channel_days WHERE merchant_id = ${mc.id} AND slot <> 0)
    + (SELECT COUNT(*) FROM stats_tier_days WHERE merchant_id = ${mc.id} AND slot <> 0)
    + (SELECT COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id} AND slot <> 0)
    + (SELECT COUNT(*) FROM stats_active_days WHERE merchant_id = ${mc.id} AND slot <> 0)
    + (SELECT COUNT(*) FROM stats_cohort_days WHERE merchant_id = ${mc.id} AND slot <> 0)`))[0][0];
  const before = Number(await slotted());
  const fold = execFileSync(APP, ['jobs', 'run', 'stats-fold', '--merchant', mc.code, '--date', tomorrow],
    { env: process.env, encoding: 'utf8' });
  assert.match(fold, /^stats-fold \S+ \S+: 归并行数 (\d+) \(done\)$/m);
  assert.equal(Number(fold.match(/归并行数 (\d+)/)[1]), before, fold);
  assert.equal(await slotted(), '0');
  assert.deepEqual(await rollups(mc.id), kept, `fold (seed ${seed})`);
  // the folded day summed for the campaigns report, marked done
  assert.deepEqual(await campaignDays(mc.id), await campaignDays(mc.id, 'stats_coupon_days'), `campaign days (seed ${seed})`);
  assert.equal((await sql(`SELECT COUNT(*) FROM stats_campaign_days WHERE merchant_id = ${mc.id}
    AND template_id = 0 AND day = '${today}'`))[0][0], '1');
  // the rebuild for the day (and the day before, empty) writes the same rows
  await sql(`UPDATE stats_days SET member_orders = member_orders + 99, wallet_payments = wallet_payments + 1,
    balance_holders = balance_holders + 1 WHERE merchant_id = ${mc.id}`);
  await sql(`UPDATE stats_tier_days SET members = members + 5 WHERE merchant_id = ${mc.id}`);
  await sql(`UPDATE stats_channel_days SET bonus_fen = bonus_fen + 7 WHERE merchant_id = ${mc.id}`);
  await sql(`UPDATE stats_active_days SET members = members + 3 WHERE merchant_id = ${mc.id}`);
  const out = rebuild(mc.code, localDate(new Date(Date.now() - 86400000)), today);
  assert.match(out, /stats rebuild: 2 day\(s\) of 1 merchant\(s\)/);
  assert.deepEqual(await rollups(mc.id), kept, `rebuild (seed ${seed})`);
  // over days: orders and joins spread over the six weeks before, then
  // the rebuild of those days writes what the raw rows give (orders by
  // the member's order before and two before, join cohorts)
  await sql(`UPDATE orders SET paid_at = paid_at - INTERVAL (id * 7 % 41) DAY
    WHERE merchant_id = ${mc.id} AND paid_at IS NOT NULL`);
  await sql(`UPDATE members mb SET joined_at = LEAST(joined_at - INTERVAL (id * 3 % 5 + 38) DAY,
    IFNULL((SELECT MIN(paid_at) FROM orders o WHERE o.member_id = mb.id), joined_at)) WHERE merchant_id = ${mc.id}`);
  // in three runs of days at once (app stats rebuild --jobs): each pass
  // over the days cut into runs, the member-days all written before the
  // days that read a member's days before are computed
  const par = rebuild(mc.code, localDate(new Date(Date.now() - 50 * 86400000)), today, 3);
  assert.match(par, /51 day\(s\) of 1 merchant\(s\).*\(3 run\(s\) at once\)/, par);
  const spread = await rollups(mc.id), spreadRaw = await fromRaw(mc.id);
  for (const k of ['members', 'active', 'cohorts']) assert.deepEqual(spread[k], spreadRaw[k], `${k} over days (seed ${seed})`);
  // the finished days summed for the campaigns report, today not yet
  assert.deepEqual(await campaignDays(mc.id), await campaignDays(mc.id, 'stats_coupon_days', today),
    `campaign days over days (seed ${seed})`);
  assert.equal((await sql(`SELECT COUNT(*) FROM stats_campaign_days WHERE merchant_id = ${mc.id}
    AND day = '${today}'`))[0][0], '0');
  // claim rows past their valid_until merged by the fold into one per day,
  // template and store: the coupon report's sums, expired ones too, kept
  await sql(`UPDATE stats_coupon_days SET valid_until = valid_until - INTERVAL 400 DAY
    WHERE merchant_id = ${mc.id} AND valid_until > '1970-01-02'`);
  const cpSums = async () => (await sql(`SELECT day, template_id, store_id, SUM(claims), SUM(new_claims),
    SUM(claimed_used), SUM(claimed_cancelled), SUM(IF(valid_until > '1970-01-01' AND valid_until < UTC_TIMESTAMP(), unused, 0)),
    SUM(orders), SUM(uses), SUM(discount_fen), SUM(order_fen), SUM(redeemed), SUM(redeemed_discount_fen),
    SUM(redeemed_order_fen) FROM stats_coupon_days WHERE merchant_id = ${mc.id} GROUP BY day, template_id, store_id`))
    .map((r) => r.join('|')).sort();
  const pastRows = async () => Number((await sql(`SELECT COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id}
    AND valid_until < UTC_TIMESTAMP() AND valid_until > '1970-01-02'`))[0][0]);
  const sums = await cpSums(), past = await pastRows();
  assert.ok(past > 0, 'claim rows past their valid_until');
  const merged = execFileSync(APP, ['jobs', 'run', 'stats-fold', '--merchant', mc.code,
    '--date', localDate(new Date(Date.now() + 2 * 86400000))], { env: process.env, encoding: 'utf8' });
  assert.equal(await pastRows(), 0, merged);
  assert.ok(Number(merged.match(/归并行数 (\d+)/)[1]) >= past, merged);
  assert.deepEqual(await cpSums(), sums, `claims past valid_until merged (seed ${seed})`);
  assert.ok(spread.cohorts.length > 0 && spread.active.some((r) => r.startsWith('order2|') && !r.includes('1000-01-01')),
    `cohorts and repeat orders over days (seed ${seed})`);
});

test('rebuild refuses a bad range and an unknown merchant', async () => {
  assert.throws(() => rebuild('demo', '2026-13-01'), /dates YYYY-MM-DD/);
  assert.throws(() => rebuild('demo', '2026-12-02', '2026-12-01'), /from not after to/);
  assert.throws(() => rebuild('no-such-shop', '2026-12-01'), /no merchant/);
});
