// The analytics reports read from the daily rollups: the headline overview
// (today, this week, this month against the period before and a year
// before), consumption of members against walk-ins with stored value by
// channel and store, retention cohorts and growth, campaigns and coupon
// templates, and the CSV beside every stats route. Each merchant is the
// test's own, so every figure is the change its own actions made; rows
// moved to other days with sql() are put into the rollups by
// `app stats rebuild` for those days, as an operator would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql } from './lib.mjs';
import { newMerchant, rebuild, localDate, addDays } from './stats_helpers.mjs';
import { idemKey } from './wallet_helpers.mjs';

const FIGURES = ['new_members', 'orders', 'order_fen', 'member_orders', 'member_order_fen',
  'non_member_orders', 'non_member_order_fen', 'recharges', 'recharge_fen'];

/** Move an order to local noon of date (paid and created then). */
async function moveOrder(id, date) {
  await sql(`UPDATE orders SET created_at = '${date} 04:00:00', paid_at = '${date} 04:00:00',
    completed_at = IF(completed_at IS NULL, NULL, '${date} 04:00:00') WHERE id = ${id}`);
}

/** Move a member's join to local noon of date. */
async function moveJoin(id, date) {
  await sql(`UPDATE members SET joined_at = '${date} 04:00:00' WHERE id = ${id}`);
}

function monthBefore(date) {
  const [y, mo, d] = date.split('-').map(Number);
  const py = mo === 1 ? y - 1 : y;
  const pm = mo === 1 ? 12 : mo - 1;
  const last = new Date(Date.UTC(py, pm, 0)).getUTCDate();
  return `${py}-${String(pm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

function yearBefore(date) {
  const [y, mo, d] = date.split('-').map(Number);
  const last = new Date(Date.UTC(y - 1, mo, 0)).getUTCDate();
  return `${y - 1}-${String(mo).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

test('overview: today, this week and this month are the change of this test\'s joins, orders and recharges; a zero base has no change (null)', async () => {
  const mc = await newMerchant('so');
  const [s1, s2] = mc.stores;
  const zero = await mc.stats('overview');
  for (const k of ['today', 'week', 'month']) {
    for (const f of FIGURES) {
      assert.equal(zero[k][f], 0, `${k}.${f}`);
      assert.equal(zero[k].change[f], null, `${k}.change.${f}`);
      assert.equal(zero[k].change_yoy[f], null);
    }
  }
  const today = localDate();
  assert.equal(zero.today.from, today);
  assert.equal(zero.today.previous.from, addDays(today, -1));
  assert.equal(zero.today.last_year.from, yearBefore(today));
  assert.equal(zero.month.from, `${today.slice(0, 8)}01`);
  assert.equal(zero.month.previous.from, monthBefore(`${today.slice(0, 8)}01`));
  const monday = new Date(`${today}T00:00:00Z`);
  assert.equal(monday.getUTCDay() === 0 ? 6 : monday.getUTCDay() - 1,
    (Date.parse(today) - Date.parse(zero.week.from)) / 86400000, 'the week starts on Monday');
  assert.ok(typeof zero.definitions.orders === 'string' && zero.definitions.change.includes('上期为 0 时不计算'));

  const a = await mc.member({ channel: `store:${s1}` });
  const b = await mc.member();
  await mc.order({ store: s1, mem: a, fen: 2000 });
  await mc.order({ store: s1, mem: b, fen: 3500 });
  await mc.order({ store: s2, fen: 1200 });
  await mc.counterRecharge(a, 5000, s1);
  await mc.onlineRecharge(b, 3000);
  const want = {
    new_members: 2, orders: 3, order_fen: 6700, member_orders: 2, member_order_fen: 5500,
    non_member_orders: 1, non_member_order_fen: 1200, recharges: 2, recharge_fen: 8000,
  };
  const d = await mc.stats('overview');
  for (const k of ['today', 'week', 'month']) {
    for (const f of FIGURES) assert.equal(d[k][f], want[f], `${k}.${f}`);
    assert.equal(d[k].change.orders, null, 'nothing the period before');
  }
  // one store: its orders, its recharges, the members who joined at it
  const one = await mc.stats('overview', `store_id=${s1}`);
  assert.deepEqual(FIGURES.map((f) => one.today[f]), [1, 2, 5500, 2, 5500, 0, 0, 1, 5000]);
  assert.equal(one.store_id, s1);
  const two = await mc.stats('overview', `store_id=${s2}`);
  assert.equal(two.today.non_member_order_fen, 1200);
  assert.equal(two.today.member_orders, 0);
  const bad = await mc.owner.call('GET', '/staff/stats/overview?store_id=999999999');
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error.field, 'store_id');
});

test('overview: the month before and the year before across their boundaries, from rows moved there and rebuilt', async () => {
  const mc = await newMerchant('sb');
  const today = localDate();
  const first = `${today.slice(0, 8)}01`;
  const prevFirst = monthBefore(first);
  const lyFirst = yearBefore(first);
  const yesterday = addDays(today, -1);
  const mem = await mc.member();
  // now: 2 orders today; the month before: 1 on its 1st; a year before: 2 on the 1st
  const now = [await mc.order({ mem, fen: 1000 }), await mc.order({ fen: 3000 })];
  const prev = await mc.order({ fen: 2000 });
  const ly = [await mc.order({ mem, fen: 500 }), await mc.order({ fen: 1500 })];
  await moveOrder(prev.id, prevFirst);
  for (const o of ly) await moveOrder(o.id, lyFirst);
  const out = rebuild(mc.code, today);
  assert.match(out, /1 day\(s\)/);
  rebuild(mc.code, prevFirst);
  rebuild(mc.code, lyFirst);
  const d = await mc.stats('overview');
  assert.equal(d.month.orders, 2);
  assert.equal(d.month.order_fen, 4000);
  assert.equal(d.month.previous.from, prevFirst);
  assert.equal(d.month.previous.orders, 1);
  assert.equal(d.month.previous.order_fen, 2000);
  assert.equal(d.month.change.orders, 1, '2 against 1: +100%');
  assert.equal(d.month.change.order_fen, 1, '4000 against 2000');
  assert.equal(d.month.change.member_orders, null, 'no member order the month before');
  assert.equal(d.month.last_year.from, lyFirst);
  assert.equal(d.month.last_year.orders, 2);
  assert.equal(d.month.last_year.order_fen, 2000);
  assert.equal(d.month.change_yoy.orders, 0);
  assert.equal(d.month.change_yoy.order_fen, 1);
  assert.equal(d.month.change_yoy.member_order_fen, 1, '1000 against 500');
  assert.equal(d.month.change_yoy.non_member_order_fen, 1, '3000 against 1500');
  // today against yesterday: an order moved to yesterday
  const y = await mc.order({ fen: 4000 });
  await moveOrder(y.id, yesterday);
  rebuild(mc.code, yesterday, today);
  const t = await mc.stats('overview');
  assert.equal(t.today.orders, 2);
  assert.equal(t.today.previous.orders, 1);
  assert.equal(t.today.change.order_fen, 0, '4000 against 4000');
  assert.equal(t.today.change.orders, 1);
});

test('consumption across a year boundary and a month boundary: the period against the equal one before it', async () => {
  const mc = await newMerchant('sy');
  const mem = await mc.member();
  const rows = [
    ['2025-12-30', mem, 1000], ['2025-12-31', null, 2000], ['2026-01-01', mem, 3000],
    ['2026-10-30', null, 700], ['2026-10-31', mem, 800], ['2026-11-01', null, 900],
  ];
  for (const [date, who, fen] of rows) {
    const o = await mc.order({ mem: who, fen });
    await moveOrder(o.id, date);
  }
  rebuild(mc.code, localDate());
  rebuild(mc.code, '2025-12-30', '2026-01-01');
  rebuild(mc.code, '2026-10-30', '2026-11-01');
  const y = await mc.stats('consumption', 'from=2025-12-31&to=2026-01-01');
  assert.deepEqual(y.daily.map((x) => [x.date, x.member_order_fen, x.non_member_order_fen]),
    [['2025-12-31', 0, 2000], ['2026-01-01', 3000, 0]]);
  assert.equal(y.totals.orders, 2);
  assert.equal(y.totals.order_fen, 5000);
  assert.deepEqual([y.previous.from, y.previous.to, y.previous.orders, y.previous.order_fen],
    ['2025-12-29', '2025-12-30', 1, 1000]);
  assert.equal(y.change.order_fen, 4, '5000 against 1000');
  const mo = await mc.stats('consumption', 'from=2026-10-31&to=2026-11-01');
  assert.equal(mo.totals.order_fen, 1700);
  assert.equal(mo.previous.from, '2026-10-29');
  assert.equal(mo.previous.order_fen, 700);
  assert.equal(mo.change.orders, 1);
  const none = await mc.stats('consumption', 'from=2026-06-01&to=2026-06-30');
  assert.equal(none.change.orders, null, 'a zero base');
  assert.equal(none.members.aov_fen, null);
  assert.equal(none.members.order_share, null);
});

test('consumption: members against walk-ins on constructed orders, coupons, refunds, new members and stored value by channel and store with readable names', async () => {
  const mc = await newMerchant('sc');
  const [s1, s2] = mc.stores;
  await sql(`INSERT INTO campaigns (merchant_id, slug, name, starts_at, ends_at, share_title, share_desc, created_at, updated_at)
    VALUES (${mc.id}, 'spring', '春季拉新', UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() + INTERVAL 9 DAY, '春', '春',
    UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const a = await mc.member({ channel: 'campaign:spring' });
  const b = await mc.member({ channel: `store:${s2}` });
  await mc.member({ referral_code: await mc.referralCode(a) });
  const tpl = await mc.template(500, '五元券');
  const code = await mc.claim(a, tpl);
  await mc.order({ store: s1, mem: a, fen: 2000, codes: [code] });
  const o2 = await mc.order({ store: s1, mem: b, fen: 3000 });
  await mc.order({ store: s2, fen: 1000 });
  await mc.refund(o2.id, { amount_fen: 1000 });
  await mc.counterRecharge(a, 4000, s1, 'card');
  await mc.onlineRecharge(b, 2000);
  const t = await mc.ticket(b, s2);
  await mc.order({ store: s2, fen: 2500, ticket: t, topup: { pay_fen: 3000 } });
  const d = await mc.stats('consumption');
  assert.deepEqual(d.members, { orders: 3, order_fen: 1500 + 3000 + 2500, order_share: 0.75, fen_share: 0.875, aov_fen: 2333 });
  assert.deepEqual(d.non_members, { orders: 1, order_fen: 1000, order_share: 0.25, fen_share: 0.125, aov_fen: 1000 });
  assert.deepEqual(d.totals, { orders: 4, order_fen: 8000, aov_fen: 2000, refunds: 1, refund_fen: 1000, net_fen: 7000 });
  assert.deepEqual(d.coupons, { orders: 1, order_fen: 1500, discount_fen: 500, roi: 3, aov_fen: 1500 });
  assert.equal(d.daily.at(-1).date, localDate());
  assert.equal(d.daily.at(-1).member_order_fen, 7000);
  assert.equal(d.daily.at(-1).refund_fen, 1000);
  const st = Object.fromEntries(d.stores.map((x) => [x.store_name, [x.member_orders, x.member_order_fen, x.non_member_orders]]));
  assert.deepEqual(st, { 一号店: [2, 4500, 0], 二号店: [1, 2500, 1] });
  assert.equal(d.new_members.count, 3);
  assert.equal(d.new_members.referred, 1);
  assert.equal(d.new_members.members_total, 3);
  const ch = Object.fromEntries(d.new_members.channels.map((x) => [x.channel_name, [x.count, x.share]]));
  assert.deepEqual(ch, { '活动·春季拉新': [1, 0.3333], '门店·二号店': [1, 0.3333], 推荐: [1, 0.3333] });
  assert.equal(d.stored_value.count, 3);
  assert.equal(d.stored_value.pay_fen, 9000);
  assert.equal(d.stored_value.members, 2);
  const rc = Object.fromEntries(d.stored_value.channels.map((x) => [x.channel_name, [x.count, x.pay_fen]]));
  assert.deepEqual(rc, { 柜台充值: [1, 4000], 在线充值: [1, 2000], 结账时充值: [1, 3000] });
  const rs = Object.fromEntries(d.stored_value.stores.map((x) => [x.store_name, x.pay_fen]));
  assert.deepEqual(rs, { 一号店: 4000, 二号店: 3000, '线上（不属门店）': 2000 });
  // the balance outstanding from the ledger's rollup is what the members hold
  const [[held, bonus]] = await sql(`SELECT SUM(principal_fen), SUM(bonus_fen) FROM members WHERE merchant_id = ${mc.id}`);
  assert.deepEqual(d.stored_value.balance, {
    principal_fen: Number(held), bonus_fen: Number(bonus), total_fen: Number(held) + Number(bonus), stored_fen: 9000,
  });
  assert.ok(Number(held) > 0);
  for (const k of ['orders', 'members', 'aov_fen', 'coupons', 'stored_value', 'balance']) assert.ok(d.definitions[k], k);
  const one = await mc.stats('consumption', `store_id=${s2}`);
  assert.equal(one.members.orders, 1);
  assert.equal(one.non_members.orders, 1);
  assert.equal(one.new_members.count, 1);
});

test('retention: the cohort table of constructed members, repurchase, active members, ARPU and ARPPU, referral share and K-factor', async () => {
  const mc = await newMerchant('sr');
  const today = localDate();
  const D = addDays(today, -45);
  const [a, b, c, e] = [await mc.member(), await mc.member(), await mc.member(), await mc.member()];
  const old = await mc.member();
  for (const x of [a, b, c, e]) await moveJoin(x.id, D);
  await moveJoin(old.id, addDays(D, -10));
  const orders = [[a, 1, 1000], [a, 5, 2000], [b, 20, 3000], [c, 31, 4000], [old, 1, 500]];
  for (const [who, after, fen] of orders) {
    const o = await mc.order({ mem: who, fen });
    await moveOrder(o.id, addDays(D, after));
  }
  rebuild(mc.code, addDays(D, -10), today);
  const r = await mc.stats('retention', `from=${D}&to=${D}`);
  assert.deepEqual(r.cohorts, [{
    date: D, members: 4, day1: 1, day1_rate: 0.25, day7: 1, day7_rate: 0.25, day30: 2, day30_rate: 0.5,
  }]);
  const p = await mc.stats('retention', `from=${D}&to=${addDays(D, 31)}`);
  assert.deepEqual(p.repurchase, { buyers: 4, repeat_buyers: 1, rate: 0.25 });
  assert.equal(p.members_total, 5);
  assert.equal(p.member_order_fen, 10500);
  assert.equal(p.arpu_fen, 2100);
  assert.equal(p.arppu_fen, 2625);
  assert.equal(p.active.dau, 1, 'c on the last day');
  assert.equal(p.active.wau, 1);
  assert.equal(p.active.mau, 3, 'a on D+5, b on D+20, c on D+31');
  assert.equal(p.active.daily.find((x) => x.date === addDays(D, 1)).active, 2);
  // referral: one new member of two today came through a's link, against 5 members before today
  await mc.member({ referral_code: await mc.referralCode(a) });
  await mc.member();
  const g = await mc.stats('retention', `from=${today}&to=${today}`);
  assert.deepEqual(g.referral, { new_members: 2, referred: 1, share: 0.5, referrers: 1, members_at_start: 5, k_factor: 0.2 });
  assert.equal(g.cohorts[0].day1_rate, null, 'a day not yet seen');
  for (const k of ['cohorts', 'repurchase', 'active', 'arpu_fen', 'referral']) assert.ok(g.definitions[k], k);
});

test('campaigns and coupon templates: claims, new members, orders using them, discount, ROI and average order', async () => {
  const mc = await newMerchant('sp');
  const t1 = await mc.template(500, '五元券');
  const t2 = await mc.template(300, '三元券');
  await sql(`INSERT INTO campaigns (merchant_id, slug, name, starts_at, ends_at, share_title, share_desc, created_at, updated_at)
    VALUES (${mc.id}, 'autumn', '秋季活动', UTC_TIMESTAMP() - INTERVAL 1 DAY, UTC_TIMESTAMP() + INTERVAL 9 DAY, '秋', '秋',
    UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[cid]] = await sql(`SELECT id FROM campaigns WHERE merchant_id = ${mc.id}`);
  await sql(`INSERT INTO campaign_templates (campaign_id, template_id, gift, position) VALUES (${cid}, ${t1.id}, 0, 0)`);
  const a = await mc.member({ channel: 'campaign:autumn' });
  const b = await mc.member();
  const c1 = await mc.claim(a, t1);
  const c2 = await mc.claim(a, t1);
  await mc.claim(b, t1);
  const c4 = await mc.claim(b, t2);
  await mc.order({ mem: a, fen: 3000, codes: [c1] });
  await mc.order({ mem: a, fen: 2000, codes: [c2] });
  await mc.order({ mem: b, fen: 1000, codes: [c4] });
  const d = await mc.stats('campaigns');
  const by = Object.fromEntries(d.templates.map((x) => [x.name, x]));
  assert.deepEqual(
    ['claims', 'new_claims', 'orders', 'uses', 'use_rate', 'discount_fen', 'order_fen', 'roi', 'aov_fen'].map((k) => by['五元券'][k]),
    [3, 3, 2, 2, 0.6667, 1000, 4000, 4, 2000]);
  assert.equal(by['三元券'].orders, 1);
  assert.equal(by['三元券'].order_fen, 700);
  assert.deepEqual([d.totals.claims, d.totals.orders, d.totals.discount_fen, d.totals.order_fen, d.totals.roi],
    [4, 3, 1300, 4700, 3.6154]);
  assert.equal(d.campaigns.length, 1);
  const k = d.campaigns[0];
  assert.deepEqual([k.name, k.new_members, k.claims, k.orders, k.discount_fen, k.order_fen, k.roi, k.aov_fen],
    ['秋季活动', 1, 3, 2, 1000, 4000, 4, 2000]);
  assert.ok(d.definitions.roi.includes('费效比'));
});

test('campaigns: every redemption of a campaign\'s coupons counts, at the counter without an order and on an order, today and on a summed day', async () => {
  const mc = await newMerchant('sr');
  const t1 = await mc.template(500, '柜台券');
  await sql(`INSERT INTO campaigns (merchant_id, slug, name, starts_at, ends_at, share_title, share_desc, created_at, updated_at)
    VALUES (${mc.id}, 'counter', '柜台活动', UTC_TIMESTAMP() - INTERVAL 5 DAY, UTC_TIMESTAMP() + INTERVAL 9 DAY, '柜', '柜',
    UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[cid]] = await sql(`SELECT id FROM campaigns WHERE merchant_id = ${mc.id}`);
  await sql(`INSERT INTO campaign_templates (campaign_id, template_id, gift, position) VALUES (${cid}, ${t1.id}, 0, 0)`);
  const a = await mc.member();
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push(await mc.claim(a, t1));
  const redeem = async (code) => {
    const r = await mc.owner.call('POST', '/staff/redemptions', { coupon_code: code, store_id: mc.stores[0], order_fen: 2000 },
      { 'idempotency-key': idemKey() });
    assert.equal(r.status, 200, r.text);
  };
  // on an order at the counter, and redeemed at the counter without one
  await mc.order({ mem: a, fen: 3000, codes: [codes[0]] });
  await redeem(codes[1]);
  const figures = (x) => ['claims', 'orders', 'uses', 'use_rate', 'discount_fen', 'order_fen'].map((k) => x[k]);
  let d = await mc.stats('campaigns');
  assert.deepEqual(figures(d.templates.find((x) => x.id === t1.id)), [4, 1, 2, 0.5, 500, 2500]);
  assert.deepEqual(figures(d.campaigns[0]), [4, 1, 2, 0.5, 500, 2500]);
  assert.equal(d.totals.uses, 2);
  assert.match(d.definitions.uses, /柜台直接核销/);

  // a day that is over reads from its sums (stats_campaign_days): one
  // redemption at the counter moved there with its claim, the day rebuilt
  const today = localDate();
  const yesterday = addDays(today, -1);
  await redeem(codes[2]);
  await sql(`UPDATE coupons SET claimed_at = '${yesterday} 03:00:00', used_at = '${yesterday} 04:00:00'
    WHERE merchant_id = ${mc.id} AND code = '${codes[2]}'`);
  rebuild(mc.code, yesterday);
  rebuild(mc.code, today);
  const [[summed]] = await sql(`SELECT IFNULL(SUM(redeemed), 0) FROM stats_campaign_days WHERE merchant_id = ${mc.id}
    AND day = '${yesterday}' AND template_id = ${t1.id}`);
  assert.equal(Number(summed), 1, 'the day\'s sums keep the counter redemption');
  d = await mc.stats('campaigns', `from=${yesterday}&to=${today}`);
  assert.deepEqual(figures(d.campaigns[0]), [4, 1, 3, 0.75, 500, 2500]);
  d = await mc.stats('campaigns', `from=${yesterday}&to=${yesterday}`);
  assert.deepEqual(figures(d.campaigns[0]), [1, 0, 1, 1, 0, 0]);
});

test('a CSV beside every stats route: an attachment with a head in Chinese and money in yuan', async () => {
  const mc = await newMerchant('sv');
  const a = await mc.member();
  await mc.order({ mem: a, fen: 134400 });
  for (const route of ['overview', 'consumption', 'retention', 'campaigns', 'coupons', 'members', 'recharges']) {
    const r = await mc.owner.call('GET', `/staff/stats/${route}.csv`);
    assert.equal(r.status, 200, `${route}: ${r.text}`);
    assert.match(r.headers.get('content-type'), /^text\/csv/);
    assert.match(r.headers.get('content-disposition'), new RegExp(`attachment; filename="stats-${route}-`));
    assert.ok(r.text.replace(/^\uFEFF/, '').split('\r\n').length > 3, route);
  }
  const c = await mc.owner.call('GET', '/staff/stats/consumption.csv');
  assert.match(c.text, /会员·订单金额（元）,1344\.00/);
  assert.match(c.text, /\r\n日期,会员订单数,会员订单金额（元）/);
  const bad = await mc.owner.call('GET', '/staff/stats/consumption.csv?from=2026-13-01');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'from');
  const anon = await api('GET', m('/staff/stats/overview.csv', mc.code), {});
  assert.equal(anon.status, 401, 'no session, no report');
});

/**
 * A store's retention figures and recharging members computed here from
 * the raw orders and recharges of the merchant (member-days counted one by
 * one), for the period a..b.
 */
async function storeRaw(id, store, a, b) {
  const d = (col) => `DATE(CONVERT_TZ(${col}, '+00:00', '+08:00'))`;
  const orders = `FROM orders o WHERE o.merchant_id = ${id} AND o.store_id = ${store} AND o.paid_at IS NOT NULL
    AND o.member_id IS NOT NULL`;
  const [[buyers, repeat]] = await sql(`SELECT COUNT(*), IFNULL(SUM(n >= 2), 0) FROM (SELECT o.member_id, COUNT(*) n
    ${orders} AND ${d('o.paid_at')} BETWEEN '${a}' AND '${b}' GROUP BY o.member_id) x`);
  const active = async (from) => Number((await sql(`SELECT COUNT(DISTINCT o.member_id) ${orders}
    AND ${d('o.paid_at')} BETWEEN '${from}' AND '${b}'`))[0][0]);
  const daily = Object.fromEntries((await sql(`SELECT ${d('o.paid_at')}, COUNT(DISTINCT o.member_id) ${orders}
    AND ${d('o.paid_at')} BETWEEN '${a}' AND '${b}' GROUP BY 1`)).map(([k, v]) => [k, Number(v)]));
  const cohorts = (await sql(`SELECT jd, SUM(d1), SUM(d7), SUM(d30) FROM (SELECT ${d('mb.joined_at')} jd,
      MAX(DATEDIFF(${d('o.paid_at')}, ${d('mb.joined_at')}) = 1) d1,
      MAX(DATEDIFF(${d('o.paid_at')}, ${d('mb.joined_at')}) BETWEEN 1 AND 7) d7,
      MAX(DATEDIFF(${d('o.paid_at')}, ${d('mb.joined_at')}) BETWEEN 1 AND 30) d30
    FROM orders o JOIN members mb ON mb.id = o.member_id WHERE o.merchant_id = ${id} AND o.store_id = ${store}
      AND o.paid_at IS NOT NULL AND ${d('mb.joined_at')} BETWEEN '${a}' AND '${b}' GROUP BY o.member_id, jd) x
    GROUP BY jd HAVING SUM(d30) > 0 ORDER BY jd`)).map((r) => r.map((v, i) => (i ? Number(v) : v)));
  const [[recharging]] = await sql(`SELECT COUNT(DISTINCT member_id) FROM recharges WHERE merchant_id = ${id}
    AND store_id = ${store} AND status = 'paid' AND ${d('paid_at')} BETWEEN '${a}' AND '${b}'`);
  return {
    repurchase: [Number(buyers), Number(repeat)],
    active: [await active(b), await active(addDays(b, -6)), await active(addDays(b, -29))],
    daily, cohorts, recharging: Number(recharging),
  };
}

/** The same figures as the reports give them for the store. */
async function storeReport(mc, store, a, b) {
  const q = `from=${a}&to=${b}&store_id=${store}`;
  const r = await mc.stats('retention', q);
  const c = await mc.stats('consumption', q);
  assert.equal(r.store_id, store);
  return {
    repurchase: [r.repurchase.buyers, r.repurchase.repeat_buyers],
    active: [r.active.dau, r.active.wau, r.active.mau],
    daily: Object.fromEntries(r.active.daily.filter((x) => x.active > 0).map((x) => [x.date, x.active])),
    cohorts: r.cohorts.filter((x) => x.day30 > 0).map((x) => [x.date, x.day1, x.day7, x.day30]),
    recharging: c.stored_value.members,
  };
}

test('one store\'s retention and recharging members from the rollups equal the raw rows, live and rebuilt in parallel', async () => {
  const mc = await newMerchant('ss');
  const [s1, s2] = mc.stores;
  const today = localDate();
  const [a, b, c, e] = [await mc.member(), await mc.member(), await mc.member(), await mc.member()];
  // today, as the events count them: a twice at s1 and once at s2, b at
  // s2, c at s1; recharges at each store's counter and online
  for (const [who, store] of [[a, s1], [a, s1], [a, s2], [b, s2], [c, s1]]) await mc.order({ store, mem: who, fen: 1200 });
  await mc.counterRecharge(a, 1000, s1);
  await mc.counterRecharge(a, 2000, s1);
  await mc.counterRecharge(b, 1000, s2);
  await mc.onlineRecharge(c, 3000);
  for (const s of [s1, s2]) {
    assert.deepEqual(await storeReport(mc, s, today, today), await storeRaw(mc.id, s, today, today), `live, store ${s}`);
  }
  const live1 = await storeReport(mc, s1, today, today);
  assert.deepEqual([live1.repurchase, live1.active[0], live1.recharging], [[2, 1], 2, 1]);
  // over days: joins 45 days back, orders at both stores after them, then
  // the days rebuilt in two runs at once
  const D = addDays(today, -45);
  for (const x of [a, b, c, e]) await moveJoin(x.id, D);
  const plan = [[a, s1, 1], [a, s2, 2], [a, s1, 5], [b, s2, 1], [b, s2, 1], [b, s1, 20], [c, s1, 31], [e, s2, 3],
    [e, s2, 9], [e, s1, 9]];
  for (const [who, store, after] of plan) {
    const o = await mc.order({ store, mem: who, fen: 1500 });
    await moveOrder(o.id, addDays(D, after));
  }
  const out = rebuild(mc.code, addDays(D, -2), today, 2);
  assert.match(out, /\(2 run\(s\) at once\)/, out);
  for (const s of [s1, s2]) {
    for (const [x, y] of [[D, D], [D, addDays(D, 31)], [addDays(D, 1), addDays(D, 5)], [addDays(D, 2), today]]) {
      assert.deepEqual(await storeReport(mc, s, x, y), await storeRaw(mc.id, s, x, y), `store ${s}, ${x} to ${y}`);
    }
  }
  const c1 = await storeReport(mc, s1, D, D);
  assert.deepEqual(c1.cohorts, [[D, 1, 1, 3]], 'a on day 1, b on day 20 and c on day 31 (not within 30) at s1: a, b, e');
});
