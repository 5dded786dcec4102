// Tiers that move both ways, through nginx and MariaDB: the settings'
// new fields (and the old payload), growth rules, the daily review run by
// `app jobs run tier-review --date` (rolling window, fixed term, minimum
// days), upgrade rewards granted once per member and tier (up, down and
// up again; 20 concurrent orders across a boundary), two runs at once,
// the card's keep-tier progress and the preview that writes nothing.
// Each test has a merchant of its own: the review moves every member of
// the merchant it runs for.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, parallel, uniquePhone, signIn, join, staffLogin } from './lib.mjs';
import { idemKey, fund } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const count = async (q) => Number((await sql(q))[0][0]);
let seq = 0;

function runApp(args, env = {}) {
  return new Promise((resolve, reject) => {
    execFile(APP, args, { env: { ...process.env, ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`app ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

function review(code, date, env) {
  return runApp(['jobs', 'run', 'tier-review', '--merchant', code, '--date', date], env);
}

/** A merchant of this test's own: {code, id, store, owner (a call()), member()}. */
async function newMerchant() {
  seq += 1;
  const code = `tk${process.pid % 10000}x${Date.now() % 100000}x${seq}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '保级测试店', '保级测试卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '一号店', '测试路 1 号')`);
  const [[store]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${id}`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  // today's review of the merchant, done now while it has no ladder: the
  // stack's tick (every 30 s) runs the day's tier-review of every merchant
  // once, and would otherwise move this test's members as they are set up
  const today = await runApp(['jobs', 'run', 'tier-review', '--merchant', code, '--now']);
  assert.match(today, /: 升级人数 0, 降级人数 0, 发放奖励 0 \((done|done before)\)/, today);
  const d = await staffLogin(code, 'owner', 'demo1234');
  const owner = {
    call(method, path, body, headers = {}) {
      return api(method, m(path, code), { token: d.token, body, headers });
    },
  };
  return {
    code, id: Number(id), store: Number(store), owner,
    async member() {
      const phone = uniquePhone();
      const token = await signIn(code, phone);
      const { member } = await join(code, token);
      return { token, id: member.id };
    },
  };
}

const LADDER = [
  { level: 1, name: '普通会员', growth: 0, discount_pct: null, points_multiplier: 1, privileges: [] },
  { level: 2, name: '银卡会员', growth: 100, discount_pct: null, points_multiplier: 1, privileges: [] },
  { level: 3, name: '金卡会员', growth: 1000, discount_pct: null, points_multiplier: 1, privileges: [] },
];

function ladder(extra = {}) {
  return LADDER.map((t) => ({ ...t, ...(extra[t.level] || {}) }));
}

async function putTiers(mc, body) {
  const r = await mc.owner.call('PUT', '/staff/settings/tiers', body);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function template(mc, extra = {}) {
  const r = await mc.owner.call('POST', '/staff/coupon-templates', {
    name: `升级礼券${seq}`, kind: 'instant', value_fen: 300, stock: null, per_member_limit: 5,
    valid_days: 30, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function memberRow(id) {
  const [[growth, level, since, bonus, points]] = await sql(
    `SELECT growth, tier_level, tier_since, bonus_fen, points FROM members WHERE id = ${Number(id)}`);
  return { growth: Number(growth), level: Number(level), since, bonus: Number(bonus), points: Number(points) };
}

/** A member at a tier with growth earned on a day (UTC datetime), by SQL. */
async function memberWith(mc, { growth, level, since, earned = [] }) {
  const mem = await mc.member();
  await sql(`UPDATE members SET growth = ${growth}, tier_level = ${level}, tier_since = '${since}' WHERE id = ${mem.id}`);
  for (const [g, at] of earned) {
    await sql(`INSERT INTO growth_entries (merchant_id, member_id, kind, growth, ref, created_at)
      VALUES (${mc.id}, ${mem.id}, 'order_earn', ${g}, 'test', '${at}')`);
  }
  return mem;
}

/** A paid counter order for a member: the member's code scanned, cash. */
async function order(mc, mem, fen) {
  let s;
  for (let i = 0; ; i++) {
    const c = await api('GET', m('/me/member-code', mc.code), { token: mem.token });
    assert.equal(c.status, 200, c.text);
    s = await mc.owner.call('POST', '/staff/scan', { member_code: c.json.data.code, store_id: mc.store });
    // a code is signed to the second: the next second's is a fresh one
    if (s.status !== 409 || s.json?.error?.code !== 'member_code_used' || i > 3) break;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  assert.equal(s.status, 200, s.text);
  return (key = idemKey()) => mc.owner.call('POST', '/staff/orders', {
    store_id: mc.store, ticket: s.json.data.ticket,
    lines: [{ name: '美式', price_fen: fen, qty: 1 }], coupon_codes: [], tenders: [{ kind: 'cash' }],
  }, { 'idempotency-key': key });
}

test('the old PUT payload stays valid; the new fields read back, and bad ones name their field', async () => {
  const mc = await newMerchant();
  const d = await putTiers(mc, { tiers: LADDER });
  assert.equal(d.tiers.length, 3);
  assert.equal(d.tiers[1].keep_growth, 0);
  assert.deepEqual(d.tiers[1].upgrade_rewards, { template_ids: [], bonus_fen: 0, points: 0 });
  assert.deepEqual(d.growth_rules, { per_yuan_paid: 1, per_order: 0, per_yuan_recharged: 0 });
  assert.equal(d.downgrade.mode, 'none');
  const tpl = await template(mc);
  const body = {
    tiers: ladder({ 2: { keep_growth: 50, upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 500, points: 20 } } }),
    growth_rules: { per_yuan_paid: 2, per_order: 1, per_yuan_recharged: 0 },
    downgrade: { mode: 'rolling', months: 6, step: 'qualify', min_days_in_tier: 3 },
  };
  await putTiers(mc, body);
  const g = await mc.owner.call('GET', '/staff/settings/tiers');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.data.tiers[1].keep_growth, 50);
  assert.deepEqual(g.json.data.tiers[1].upgrade_rewards, { template_ids: [tpl.id], bonus_fen: 500, points: 20 });
  assert.deepEqual(g.json.data.growth_rules, { per_yuan_paid: 2, per_order: 1, per_yuan_recharged: 0 });
  assert.equal(g.json.data.downgrade.mode, 'rolling');
  assert.equal(g.json.data.downgrade.months, 6);
  assert.equal(g.json.data.downgrade.step, 'qualify');
  assert.equal(g.json.data.downgrade.min_days_in_tier, 3);
  // the old payload again: what it does not name stays as it was
  await putTiers(mc, { tiers: LADDER });
  const g2 = await mc.owner.call('GET', '/staff/settings/tiers');
  assert.equal(g2.json.data.tiers[1].keep_growth, 50);
  assert.equal(g2.json.data.downgrade.mode, 'rolling');
  for (const [bad, field] of [
    [{ downgrade: { mode: 'sometimes' } }, 'downgrade.mode'],
    [{ downgrade: { mode: 'rolling', months: 0 } }, 'downgrade.months'],
    [{ growth_rules: { per_yuan_paid: -1 } }, 'growth_rules.per_yuan_paid'],
    [{ tiers: ladder({ 1: { keep_growth: 10 } }) }, 'tiers[0].keep_growth'],
    [{ tiers: ladder({ 2: { upgrade_rewards: { template_ids: [999999999] } } }) }, 'tiers[1].upgrade_rewards.template_ids[0]'],
    [{ tiers: ladder({ 3: { upgrade_rewards: { bonus_fen: -5 } } }) }, 'tiers[2].upgrade_rewards.bonus_fen'],
  ]) {
    const r = await mc.owner.call('PUT', '/staff/settings/tiers', { tiers: LADDER, ...bad });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field, r.text);
    assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/);
  }
  const g3 = await mc.owner.call('GET', '/staff/settings/tiers');
  assert.deepEqual(g3.json.data, g2.json.data, 'a refused PUT changes nothing');
});

test('growth follows the growth rules, with a ledger row for every move', async () => {
  const mc = await newMerchant();
  await putTiers(mc, { tiers: LADDER, growth_rules: { per_yuan_paid: 2, per_order: 3, per_yuan_recharged: 0 } });
  const mem = await mc.member();
  const r = await (await order(mc, mem, 2550))();
  assert.equal(r.status, 201, r.text);
  const row = await memberRow(mem.id);
  assert.equal(row.growth, 25 * 2 + 3);
  assert.equal(await count(`SELECT SUM(growth) FROM growth_entries WHERE member_id = ${mem.id}`), row.growth);
  // 53 is below silver's 100: no move
  assert.equal(row.level, 1);
  // a recharge earns by per_yuan_recharged (0 so far: nothing)
  await fund(mem, { pay_fen: 10000 }, mc.code);
  assert.equal((await memberRow(mem.id)).growth, 53);
  await putTiers(mc, { tiers: LADDER, growth_rules: { per_yuan_recharged: 1 } });
  await fund(mem, { pay_fen: 10050 }, mc.code);
  const after = await memberRow(mem.id);
  assert.equal(after.growth, 53 + 100);
  assert.equal(after.level, 2, 'the recharge moved the member up');
  const [[kind, g]] = await sql(`SELECT kind, growth FROM growth_entries WHERE member_id = ${mem.id} ORDER BY id DESC LIMIT 1`);
  assert.deepEqual([kind, Number(g)], ['recharge', 100]);
  assert.deepEqual(await sql(`SELECT from_level, to_level, reason FROM tier_changes WHERE member_id = ${mem.id}`),
    [['1', '2', 'growth']]);
});

test('a refund that takes growth back lowers the tier through the same move, the reward stays given', async () => {
  const mc = await newMerchant();
  await putTiers(mc, { tiers: ladder({ 2: { upgrade_rewards: { template_ids: [], bonus_fen: 0, points: 30 } } }) });
  const mem = await mc.member();
  const r = await (await order(mc, mem, 12000))();
  assert.equal(r.status, 201, r.text);
  assert.equal((await memberRow(mem.id)).level, 2);
  const f = await mc.owner.call('POST', `/staff/orders/${r.json.data.order.id}/refunds`, { reason: '退单' },
    { 'idempotency-key': idemKey() });
  assert.equal(f.status, 201, f.text);
  const row = await memberRow(mem.id);
  assert.equal(row.growth, 0);
  assert.equal(row.level, 1);
  assert.deepEqual(await sql(`SELECT from_level, to_level, reason FROM tier_changes WHERE member_id = ${mem.id} ORDER BY id`),
    [['1', '2', 'growth'], ['2', '1', 'refund']]);
  assert.deepEqual(await sql(`SELECT kind, growth FROM growth_entries WHERE member_id = ${mem.id} ORDER BY id`),
    [['order_earn', '120'], ['order_clawback', '-120']]);
  assert.equal(await count(`SELECT COUNT(*) FROM tier_rewards WHERE member_id = ${mem.id}`), 1);
});

test('rolling: a member who stops buying falls on the day the window says, not a day before', async () => {
  const mc = await newMerchant();
  await putTiers(mc, {
    tiers: ladder({ 2: { keep_growth: 50 }, 3: { keep_growth: 300 } }),
    downgrade: { mode: 'rolling', months: 12, step: 'one', min_days_in_tier: 0, notice_days: 90 },
  });
  // gold since 2026-01-10, 400 earned on 2026-03-01 (local noon) and nothing since
  const mem = await memberWith(mc, {
    growth: 1200, level: 3, since: '2026-01-10 00:00:00', earned: [[400, '2026-03-01 04:00:00']],
  });
  const card = (await api('GET', m('/me/card', mc.code), { token: mem.token })).json.data;
  assert.equal(card.tier.level, 3);
  assert.equal(card.keep_tier.mode, 'rolling');
  assert.equal(card.keep_tier.keep_growth, 300);
  assert.equal(card.keep_tier.earned, 400);
  assert.equal(card.keep_tier.by, '2027-03-01');
  assert.equal(card.keep_tier.needed, 300);
  // the notice shows within notice_days (90) of the day
  if (Date.parse('2027-03-01T00:00:00+08:00') - Date.now() <= 90 * 86400e3) {
    assert.match(card.keep_tier.notice, /2027年3月1日/);
  } else {
    assert.equal(card.keep_tier.notice, null);
  }
  let out = await review(mc.code, '2027-02-28');
  assert.match(out, /升级人数 0.*降级人数 0/s, out);
  assert.equal((await memberRow(mem.id)).level, 3, 'still gold the day before');
  out = await review(mc.code, '2027-03-01');
  assert.match(out, /降级人数 1/, out);
  const row = await memberRow(mem.id);
  assert.equal(row.level, 2, 'one level down');
  assert.equal(row.growth, 100, 'growth set to the new tier\'s threshold');
  const hist = await sql(`SELECT from_level, to_level, reason, source FROM tier_changes WHERE member_id = ${mem.id}`);
  assert.deepEqual(hist, [['3', '2', 'keep', 'job:2027-03-01']]);
  const [[sum]] = await sql(`SELECT SUM(growth) FROM growth_entries WHERE member_id = ${mem.id}
    AND kind = 'downgrade'`);
  assert.equal(Number(sum), -1100, 'the downgrade is a ledger row');
  // silver asks 50 in the window: nothing earned since, but moved today,
  // min days 0: the next day's review lowers it again
  out = await review(mc.code, '2027-03-02');
  assert.equal((await memberRow(mem.id)).level, 1);
});

test('minimum days in a tier hold a downgrade, and fixed terms re-evaluate after their days', async () => {
  const mc = await newMerchant();
  await putTiers(mc, {
    tiers: ladder({ 2: { keep_growth: 50 }, 3: { keep_growth: 300 } }),
    downgrade: { mode: 'fixed', days: 30, step: 'qualify', min_days_in_tier: 0 },
  });
  // gold since 2027-01-01 (local 08:00): the term ends on 2027-01-31
  const kept = await memberWith(mc, {
    growth: 1500, level: 3, since: '2027-01-01 00:00:00', earned: [[350, '2027-01-10 00:00:00']],
  });
  const falls = await memberWith(mc, {
    growth: 1500, level: 3, since: '2027-01-01 00:00:00', earned: [[60, '2027-01-10 00:00:00']],
  });
  await review(mc.code, '2027-01-30');
  assert.equal((await memberRow(falls.id)).level, 3, 'within the term');
  await review(mc.code, '2027-01-31');
  const k = await memberRow(kept.id);
  assert.equal(k.level, 3, 'kept: a new term');
  assert.match(k.since, /^2027-01-30 19:00:00|^2027-01-31/);
  assert.equal((await memberRow(falls.id)).level, 2, 'qualify: 60 keeps silver');

  const mc2 = await newMerchant();
  await putTiers(mc2, {
    tiers: ladder({ 2: { keep_growth: 50 }, 3: { keep_growth: 300 } }),
    downgrade: { mode: 'rolling', months: 1, step: 'one', min_days_in_tier: 10 },
  });
  const held = await memberWith(mc2, { growth: 1500, level: 3, since: '2027-05-01 00:00:00' });
  await review(mc2.code, '2027-05-10');
  assert.equal((await memberRow(held.id)).level, 3, '9 days in the tier');
  await review(mc2.code, '2027-05-11');
  assert.equal((await memberRow(held.id)).level, 2, '10 days: falls');
});

test('up, down and up again: the upgrade reward is granted once, with history rows', async () => {
  const mc = await newMerchant();
  const tpl = await template(mc);
  await putTiers(mc, {
    tiers: ladder({ 2: { keep_growth: 50, upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 500, points: 20 } } }),
    downgrade: { mode: 'rolling', months: 1, step: 'one' },
  });
  const mem = await mc.member();
  assert.equal((await (await order(mc, mem, 12000))()).status, 201);
  const rewardBonus = `SELECT COALESCE(SUM(bonus_fen), 0) FROM wallet_entries WHERE member_id = ${mem.id} AND kind = 'tier_reward'`;
  let row = await memberRow(mem.id);
  assert.equal(row.level, 2);
  assert.equal(await count(rewardBonus), 500);
  const rewardPoints = `SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE member_id = ${mem.id} AND kind = 'tier_reward'`;
  assert.equal(await count(rewardPoints), 20);
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${mem.id} AND template_id = ${tpl.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM wallet_entries WHERE member_id = ${mem.id} AND kind = 'tier_reward' AND bonus_fen = 500`), 1);
  // the window forgets the order: down at the review
  await sql(`UPDATE growth_entries SET created_at = '2026-01-01 00:00:00' WHERE member_id = ${mem.id}`);
  await sql(`UPDATE members SET tier_since = '2026-01-01 00:00:00' WHERE id = ${mem.id}`);
  await review(mc.code, '2027-06-01');
  row = await memberRow(mem.id);
  assert.equal(row.level, 1);
  assert.equal(row.growth, 0);
  // and up again
  assert.equal((await (await order(mc, mem, 15000))()).status, 201);
  row = await memberRow(mem.id);
  assert.equal(row.level, 2);
  assert.equal(await count(rewardBonus), 500, 'the bonus once');
  assert.equal(await count(rewardPoints), 20, 'the points once');
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${mem.id} AND template_id = ${tpl.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM tier_rewards WHERE member_id = ${mem.id}`), 1);
  const hist = await sql(`SELECT from_level, to_level, reason FROM tier_changes WHERE member_id = ${mem.id} ORDER BY id`);
  assert.deepEqual(hist, [['1', '2', 'growth'], ['2', '1', 'keep'], ['1', '2', 'growth']]);
});

test('a member blocked by staff moves up without the upgrade reward, skipped for good; the preview counts none for it', async () => {
  const mc = await newMerchant();
  const tpl = await template(mc);
  await putTiers(mc, {
    tiers: ladder({ 2: { keep_growth: 50, upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 500, points: 20 } } }),
    downgrade: { mode: 'rolling', months: 1, step: 'one' },
  });
  const ok = await memberWith(mc, { growth: 150, level: 1, since: '2026-01-01 00:00:00' });
  const blocked = await memberWith(mc, { growth: 150, level: 1, since: '2026-01-01 00:00:00' });
  const block = async (id, what) => {
    const r = await mc.owner.call('POST', `/staff/members/${id}/${what}`, { reason: '疑似刷单' });
    assert.equal(r.status, 200, r.text);
  };
  await block(blocked.id, 'block');
  const got = async (id) => ({
    bonus: await count(`SELECT COALESCE(SUM(bonus_fen), 0) FROM wallet_entries WHERE member_id = ${id} AND kind = 'tier_reward'`),
    points: await count(`SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE member_id = ${id} AND kind = 'tier_reward'`),
    coupons: await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${id} AND template_id = ${tpl.id}`),
  });
  // the preview of the ladder as it is: two moves up, one reward
  const pv = await mc.owner.call('POST', '/staff/settings/tiers/preview', {
    tiers: ladder({ 2: { keep_growth: 50, upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 500, points: 20 } } }),
    downgrade: { mode: 'rolling', months: 1, step: 'one' },
  });
  assert.equal(pv.status, 200, pv.text);
  assert.equal(pv.json.data.moves_up, 2);
  assert.deepEqual(pv.json.data.rewards, { coupons: 1, bonus_fen: 500, points: 20 });
  // the review moves both up; only the member not blocked is rewarded
  const out = await review(mc.code, '2027-06-01');
  assert.match(out, /升级人数 2.*发放奖励 1/s, out);
  assert.equal((await memberRow(blocked.id)).level, 2);
  assert.deepEqual(await got(ok.id), { bonus: 500, points: 20, coupons: 1 });
  assert.deepEqual(await got(blocked.id), { bonus: 0, points: 0, coupons: 0 });
  assert.deepEqual(await sql(`SELECT source, coupons, bonus_fen, points FROM tier_rewards WHERE member_id = ${blocked.id}`),
    [['blocked', '0', '0', '0']], 'the reward is spent, nothing granted');
  assert.equal((await memberRow(blocked.id)).bonus, 0);
  // unblocked: nothing comes later, not even after down and up again
  await block(blocked.id, 'unblock');
  assert.deepEqual(await got(blocked.id), { bonus: 0, points: 0, coupons: 0 });
  await sql(`UPDATE members SET tier_since = '2026-01-01 00:00:00' WHERE id = ${blocked.id}`);
  await review(mc.code, '2027-06-02');
  assert.equal((await memberRow(blocked.id)).level, 1);
  const r = await mc.owner.call('PUT', `/staff/members/${blocked.id}/tier`, { level: 2, reason: '补回等级' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.rewards, 0);
  assert.deepEqual(await got(blocked.id), { bonus: 0, points: 0, coupons: 0 });
  // a tier set by hand for a blocked member grants nothing either
  const third = await memberWith(mc, { growth: 0, level: 1, since: '2026-01-01 00:00:00' });
  await block(third.id, 'block');
  const r3 = await mc.owner.call('PUT', `/staff/members/${third.id}/tier`, { level: 2, reason: '试' });
  assert.equal(r3.status, 200, r3.text);
  assert.equal(r3.json.data.rewards, 0);
  assert.deepEqual(await got(third.id), { bonus: 0, points: 0, coupons: 0 });
});

test('20 concurrent orders that cross a tier boundary grant one reward', async () => {
  const mc = await newMerchant();
  const tpl = await template(mc, { stock: 100 });
  await putTiers(mc, {
    tiers: ladder({ 2: { upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 800, points: 0 } } }),
  });
  const mem = await mc.member();
  const orders = [];
  for (let i = 0; i < 20; i++) orders.push(await order(mc, mem, 1000));
  const rs = await Promise.all(orders.map((o) => o()));
  for (const r of rs) assert.equal(r.status, 201, r.text);
  const row = await memberRow(mem.id);
  assert.equal(row.growth, 200);
  assert.equal(row.level, 2);
  assert.equal(await count(`SELECT COALESCE(SUM(bonus_fen), 0) FROM wallet_entries WHERE member_id = ${mem.id} AND kind = 'tier_reward'`), 800);
  assert.equal(await count(`SELECT COUNT(*) FROM tier_rewards WHERE member_id = ${mem.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM tier_changes WHERE member_id = ${mem.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${mem.id} AND template_id = ${tpl.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM growth_entries WHERE member_id = ${mem.id}`), 20);
});

test('a coupon over its per-member limit is reported, not failed', async () => {
  const mc = await newMerchant();
  const tpl = await template(mc, { per_member_limit: 1 });
  await putTiers(mc, {
    tiers: ladder({
      2: { upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 0, points: 0 } },
      3: { upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 100, points: 0 } },
    }),
  });
  const mem = await mc.member();
  const r = await (await order(mc, mem, 150000))();
  assert.equal(r.status, 201, r.text);
  const row = await memberRow(mem.id);
  assert.equal(row.level, 3);
  assert.equal(row.bonus, 100);
  const rw = await sql(`SELECT level, coupons, coupons_refused FROM tier_rewards WHERE member_id = ${mem.id} ORDER BY level`);
  assert.deepEqual(rw, [['2', '1', '0'], ['3', '0', '1']]);
});

test('the same review run twice at once moves each member once', async () => {
  const mc = await newMerchant();
  await putTiers(mc, {
    tiers: ladder({ 2: { keep_growth: 50 }, 3: { keep_growth: 300 } }),
    downgrade: { mode: 'rolling', months: 3, step: 'one' },
  });
  const mems = [];
  for (let i = 0; i < 24; i++) {
    mems.push(await memberWith(mc, { growth: 1500, level: 3, since: '2026-01-01 00:00:00' }));
  }
  // one that the thresholds move up
  const up = await memberWith(mc, { growth: 150, level: 1, since: '2026-01-01 00:00:00' });
  const env = { JOB_BATCH: '4', JOB_PAUSE_MS: '30' };
  const outs = await Promise.all([review(mc.code, '2027-07-01', env), review(mc.code, '2027-07-01', env)]);
  for (const mem of mems) {
    assert.equal((await memberRow(mem.id)).level, 2);
    assert.equal(await count(`SELECT COUNT(*) FROM tier_changes WHERE member_id = ${mem.id}`), 1);
  }
  assert.equal((await memberRow(up.id)).level, 2);
  const [[c1, c2, status]] = await sql(`SELECT c1, c2, status FROM job_runs
    WHERE job = 'tier-review' AND merchant_id = ${mc.id} AND period = '2027-07-01'`);
  assert.equal(status, 'done');
  assert.equal(Number(c1), 1, outs.join('\n'));
  assert.equal(Number(c2), 24, outs.join('\n'));
  assert.match(outs.join('\n'), /降级人数 24/);
});

test('preview: counts the moves and rewards a rule change would make, and writes nothing', async () => {
  const mc = await newMerchant();
  const tpl = await template(mc);
  await putTiers(mc, { tiers: LADDER });
  const a = await memberWith(mc, { growth: 60, level: 1, since: '2026-01-01 00:00:00' });
  await memberWith(mc, { growth: 150, level: 2, since: '2026-01-01 00:00:00', earned: [[150, '2026-11-20 00:00:00']] });
  const c = await memberWith(mc, { growth: 1500, level: 3, since: '2026-01-01 00:00:00' });
  await memberWith(mc, { growth: 70, level: 1, since: '2026-01-01 00:00:00' });
  // a had silver's reward already
  await sql(`INSERT INTO tier_rewards (merchant_id, member_id, level, source, created_at) VALUES (${mc.id}, ${a.id}, 2, 'test', UTC_TIMESTAMP())`);
  const snapshot = async () => sql(`SELECT
    (SELECT GROUP_CONCAT(CONCAT(id, ':', growth, ':', tier_level, ':', COALESCE(tier_since, '')) ORDER BY id) FROM members WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM tier_changes WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM tier_rewards WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM growth_entries WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM coupons WHERE merchant_id = ${mc.id}),
    (SELECT COUNT(*) FROM tier_policies WHERE merchant_id = ${mc.id}),
    (SELECT GROUP_CONCAT(CONCAT(level, ':', keep_growth)) FROM tier_terms WHERE merchant_id = ${mc.id}),
    (SELECT tiers_rev FROM merchants WHERE id = ${mc.id})`);
  const before = await snapshot();
  const body = {
    // silver from 50: the 60 and the 70 move up; gold kept with 300 in 12 months
    tiers: [LADDER[0], { ...LADDER[1], growth: 50, keep_growth: 100,
      upgrade_rewards: { template_ids: [tpl.id], bonus_fen: 300, points: 5 } }, { ...LADDER[2], keep_growth: 300 }],
    downgrade: { mode: 'rolling', months: 12, step: 'one' },
  };
  const r = await mc.owner.call('POST', '/staff/settings/tiers/preview', body);
  assert.equal(r.status, 200, r.text);
  const p = r.json.data;
  assert.equal(p.moves_up, 2);
  assert.equal(p.moves_down, 1, 'gold earned nothing in the window; silver\'s 150 keeps silver');
  assert.deepEqual(p.rewards, { coupons: 1, bonus_fen: 300, points: 5 });
  assert.equal(p.sample.length, 3);
  const down = p.sample.find((s) => s.member_id === c.id);
  assert.deepEqual([down.from_level, down.to_level, down.reason], [3, 2, 'keep']);
  assert.deepEqual(await snapshot(), before, 'the preview wrote nothing');
  const bad = await mc.owner.call('POST', '/staff/settings/tiers/preview', { ...body, downgrade: { mode: 'x' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'downgrade.mode');
});
