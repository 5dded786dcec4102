// Privileges by date through nginx and MariaDB: settings/privileges
// (roles, validation in Chinese, defaults), a member-day discount in the
// staff quote and the committed order for the member of the tier it names
// and not for another tier, the birthday week's discount and points
// multiplier, a quote made before the settings change committing with 409
// quote_stale, the member setting the birthday once, the staff change
// (owner, reason, audited), the card showing the privileges, and the
// birthday coupon issued once per member and year by the daily job
// however often it runs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, settledCard, uniquePhone, signIn, join, staffLogin } from './lib.mjs';
import { newMember, idemKey, staff, scan, storeIds } from './wallet_helpers.mjs';
import { ownMerchant } from './own_merchant.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
let owner, marketing, cashier, stores, mid;

/** The merchant's local date (+08:00) plus days, as {y, m, d, iso, dow (1 Monday)}. */
function local(days = 0) {
  const t = new Date(Date.now() + 8 * 3600e3 + days * 86400e3);
  const iso = t.toISOString().slice(0, 10);
  return { iso, m: t.getUTCMonth() + 1, d: t.getUTCDate(), dow: ((t.getUTCDay() + 6) % 7) + 1 };
}

const OFF = {
  precedence: 'best',
  birthday: { enabled: false, window: 'day', coupon: { template_id: null, days_before: 0 } },
  member_day: { enabled: false, every: 'week', day: 1 },
  holidays: [],
};

async function setPriv(body) {
  const r = await marketing.call('PUT', '/staff/settings/privileges', body);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function memberOfTier(level) {
  const mem = await newMember();
  await sql(`UPDATE members SET growth = ${{ 1: 0, 2: 1000, 3: 5000 }[level]} WHERE id = ${mem.id}`);
  return mem;
}

const LINES = [{ name: '手冲咖啡', price_fen: 3300, qty: 1 }, { name: '司康', price_fen: 1250, qty: 2 }];

async function counterQuote(mem) {
  const s = await scan(cashier, mem, stores[0]);
  const body = { store_id: stores[0], ticket: s.ticket, lines: LINES, use_balance: false,
    tenders: [{ kind: 'cash' }] };
  const r = await cashier.call('POST', '/staff/orders/quote', body);
  assert.equal(r.status, 200, r.text);
  return { body, q: r.json.data };
}

before(async () => {
  owner = await staff('demo', 'owner');
  marketing = await staff('demo', 'marketing');
  cashier = await staff('demo', 'cashier');
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  await sql(`DELETE FROM privilege_settings WHERE merchant_id = ${mid}`);
});

after(async () => {
  await sql(`DELETE FROM privilege_settings WHERE merchant_id = ${mid}`);
});

test('settings/privileges: defaults, owner and marketing only, validation names the field in Chinese', async () => {
  const g = await owner.call('GET', '/staff/settings/privileges');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.data.precedence, 'best');
  assert.equal(g.json.data.birthday.enabled, false);
  assert.deepEqual(g.json.data.holidays, []);
  assert.equal((await cashier.call('GET', '/staff/settings/privileges')).status, 403);
  assert.equal((await cashier.call('PUT', '/staff/settings/privileges', OFF)).status, 403);
  const bad = [
    [{ ...OFF, precedence: 'random' }, 'precedence'],
    [{ ...OFF, priority: ['birthday', 'birthday', 'holiday'] }, 'priority'],
    [{ ...OFF, birthday: { ...OFF.birthday, window: 'year' } }, 'birthday.window'],
    [{ ...OFF, birthday: { ...OFF.birthday, enabled: true } }, 'birthday'],
    [{ ...OFF, birthday: { ...OFF.birthday, discount_pct: 100 } }, 'birthday.discount_pct'],
    [{ ...OFF, birthday: { ...OFF.birthday, points_multiplier: 11 } }, 'birthday.points_multiplier'],
    [{ ...OFF, birthday: { ...OFF.birthday, coupon: { template_id: 99999999, days_before: 3 } } }, 'birthday.coupon.template_id'],
    [{ ...OFF, birthday: { ...OFF.birthday, coupon: { days_before: 31 } } }, 'birthday.coupon.days_before'],
    [{ ...OFF, member_day: { enabled: true, every: 'month', day: 32, discount_pct: 90 } }, 'member_day.day'],
    [{ ...OFF, member_day: { enabled: true, every: 'week', day: 8, discount_pct: 90 } }, 'member_day.day'],
    [{ ...OFF, member_day: { enabled: true, every: 'week', day: 3, discount_pct: 90, tiers: [42] } }, 'member_day.tiers[0]'],
    [{ ...OFF, holidays: [{ name: '', from: '2027-03-08', to: '2027-03-08', discount_pct: 90 }] }, 'holidays[0].name'],
    [{ ...OFF, holidays: [{ name: '三八节', from: '2027-03-08', to: '2027-03-07', discount_pct: 90 }] }, 'holidays[0].to'],
    [{ ...OFF, holidays: [{ name: '三八节', from: '2027-02-30', to: '2027-03-07', discount_pct: 90 }] }, 'holidays[0].from'],
    [{ ...OFF, holidays: [{ name: '三八节', from: '2027-03-08', to: '2027-03-08' }] }, 'holidays[0]'],
    [{ ...OFF, holidays: [{ name: '三八节', from: '2027-03-08', to: '2027-03-08', coupon_template_id: 'x' }] }, 'holidays[0].coupon_template_id'],
  ];
  for (const [body, field] of bad) {
    const r = await marketing.call('PUT', '/staff/settings/privileges', body);
    assert.equal(r.status, 400, `${field}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field);
    assert.match(r.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
    assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no field names in the message');
  }
  const [[n]] = await sql(`SELECT COUNT(*) FROM privilege_settings WHERE merchant_id = ${mid}`);
  assert.equal(Number(n), 0, 'nothing written by a bad request');
  const saved = await setPriv({ ...OFF, precedence: 'priority', priority: ['holiday', 'birthday', 'member_day'],
    holidays: [{ name: '双十一', from: '2027-11-11', to: '2027-11-11', points_multiplier: 2, tiers: [2, 3] }] });
  assert.deepEqual(saved.priority, ['holiday', 'birthday', 'member_day']);
  assert.deepEqual(saved.holidays[0], { name: '双十一', from: '2027-11-11', to: '2027-11-11', discount_pct: null,
    points_multiplier: 2, tiers: [2, 3], coupon_template_id: null });
  const again = await owner.call('GET', '/staff/settings/privileges');
  assert.deepEqual(again.json.data, saved);
  const [[audits]] = await sql(`SELECT COUNT(*) FROM audit_log WHERE merchant_id = ${mid} AND action = 'settings.privileges'`);
  assert.ok(Number(audits) >= 1);
});

test('a member-day discount for silver members: in the quote and the order for silver, not for a plain member', async () => {
  const today = local();
  await setPriv({ ...OFF, member_day: { enabled: true, every: 'week', day: today.dow, discount_pct: 90, tiers: [2] } });
  const silver = await memberOfTier(2);
  const { body, q } = await counterQuote(silver);
  const tier = q.adjustments.find((a) => a.kind === 'tier_discount');
  const md = q.adjustments.find((a) => a.kind === 'member_day');
  assert.ok(tier && md, JSON.stringify(q.adjustments));
  assert.equal(md.seq, tier.seq + 1, 'after the tier discount');
  assert.equal(md.base_fen, 5800 - tier.amount_fen);
  assert.equal(md.amount_fen, Math.floor(md.base_fen * 10 / 100));
  assert.equal(md.name, '会员日 9折');
  assert.equal(q.lines.reduce((s, l) => s + (l.allocations.find((a) => a.seq === md.seq)?.amount_fen || 0), 0),
    md.amount_fen, 'allocated exactly');
  assert.equal(q.total_fen, 5800 - tier.amount_fen - md.amount_fen);
  assert.deepEqual(q.privileges.map((p) => [p.kind, p.applied, p.reason]), [['member_day', true, 'applied']]);
  const c = await cashier.call('POST', '/staff/orders', { ...body, quote_hash: q.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.data.order.total_fen, q.total_fen);
  const got = await owner.call('GET', `/staff/orders/${c.json.data.order.id}`);
  assert.equal(got.status, 200, got.text);
  const od = got.json.data.order || got.json.data;
  const omd = od.adjustments.find((a) => a.kind === 'member_day');
  assert.equal(omd.amount_fen, md.amount_fen);
  const [[rows]] = await sql(`SELECT COUNT(*) FROM order_adjustments WHERE order_id = ${c.json.data.order.id}
    AND kind = 'member_day' AND amount_fen = ${md.amount_fen}`);
  assert.equal(Number(rows), 1);
  const plain = await memberOfTier(1);
  const p = await counterQuote(plain);
  assert.equal(p.q.adjustments.find((a) => a.kind === 'member_day'), undefined, 'not for another tier');
  assert.deepEqual(p.q.privileges, []);
  assert.equal(p.q.total_fen, 5800);
});

test('birthday week: discount and points multiplier; best for the member against the member day, the other reported', async () => {
  const today = local();
  await setPriv({ ...OFF,
    birthday: { enabled: true, window: 'week', discount_pct: 85, points_multiplier: 2, coupon: { days_before: 0 } },
    member_day: { enabled: true, every: 'week', day: today.dow, discount_pct: 95 } });
  const mem = await memberOfTier(1);
  const r = await api('PUT', m('/me/birthday'), { token: mem.token, body: { birthday: `1990-${today.iso.slice(5)}` } });
  assert.equal(r.status, 200, r.text);
  const { q } = await counterQuote(mem);
  const b = q.adjustments.find((a) => a.kind === 'birthday');
  assert.ok(b, JSON.stringify(q));
  assert.equal(b.amount_fen, Math.floor(5800 * 15 / 100));
  assert.equal(b.name, '生日特权 8.5折 · 积分2倍');
  assert.equal(q.adjustments.find((a) => a.kind === 'member_day'), undefined, 'never both');
  const skipped = q.privileges.find((p) => p.kind === 'member_day');
  assert.equal(skipped.applied, false);
  assert.equal(skipped.reason, 'not_best');
  assert.match(skipped.reason_text, /最优惠/);
  assert.equal(q.earn.privilege_multiplier, 2);
  assert.equal(q.earn.points, Math.floor((5800 - b.amount_fen) / 100 * 2), 'points doubled');
  // a fixed priority puts the member day first
  await setPriv({ ...OFF, precedence: 'priority', priority: ['member_day', 'birthday', 'holiday'],
    birthday: { enabled: true, window: 'week', discount_pct: 85, coupon: { days_before: 0 } },
    member_day: { enabled: true, every: 'week', day: today.dow, discount_pct: 95 } });
  const p = await counterQuote(mem);
  assert.ok(p.q.adjustments.find((a) => a.kind === 'member_day'));
  assert.equal(p.q.privileges.find((x) => x.kind === 'birthday').reason, 'lower_priority');
  // the card lists the birthday privilege (every worker's copy of the
  // settings within its second)
  const card = await settledCard('demo', mem.token, (d) => d.privileges.some((x) => x.title === '生日特权' && x.desc === '生日当周 8.5折'));
  const bp = card.privileges.find((x) => x.title === '生日特权');
  assert.ok(bp, JSON.stringify(card.privileges));
  assert.equal(bp.desc, '生日当周 8.5折');
});

test('a quote made before the settings change commits with 409 quote_stale', async () => {
  const today = local();
  await setPriv({ ...OFF, member_day: { enabled: true, every: 'week', day: today.dow, discount_pct: 90 } });
  const mem = await memberOfTier(1);
  const { body, q } = await counterQuote(mem);
  assert.ok(q.adjustments.find((a) => a.kind === 'member_day'));
  await setPriv({ ...OFF, member_day: { enabled: true, every: 'week', day: today.dow, discount_pct: 88 } });
  const c = await cashier.call('POST', '/staff/orders', { ...body, quote_hash: q.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(c.status, 409, c.text);
  assert.equal(c.json.error.code, 'quote_stale');
  // a privilege that is not on today changes the hash too: settings decide
  const s2 = await counterQuote(mem);
  await setPriv({ ...OFF, member_day: { enabled: true, every: 'week', day: today.dow, discount_pct: 88 },
    holidays: [{ name: '三八节', from: '2099-03-08', to: '2099-03-08', discount_pct: 90 }] });
  const c2 = await cashier.call('POST', '/staff/orders', { ...s2.body, quote_hash: s2.q.quote_hash },
    { 'idempotency-key': idemKey() });
  assert.equal(c2.status, 409, c2.text);
});

test('the member sets the birthday once; the owner changes it with a reason, audited', async () => {
  const mem = await newMember();
  const set = await api('PUT', m('/me/birthday'), { token: mem.token, body: { birthday: '1992-05-20' } });
  assert.equal(set.status, 200, set.text);
  const again = await api('PUT', m('/me/birthday'), { token: mem.token, body: { birthday: '1992-06-20' } });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error.code, 'conflict');
  assert.match(again.json.error.message, /联系门店/);
  const bad = await api('PUT', m('/me/birthday'), { token: mem.token, body: { birthday: '2999-01-01' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'birthday');
  const me = await api('GET', m('/me'), { token: mem.token });
  assert.equal(me.json.data.member.birthday, '1992-05-20');
  // a year later the member may set it again
  await sql(`UPDATE members SET birthday_set_at = UTC_TIMESTAMP() - INTERVAL 366 DAY WHERE id = ${mem.id}`);
  const later = await api('PUT', m('/me/birthday'), { token: mem.token, body: { birthday: '1992-05-21' } });
  assert.equal(later.status, 200, later.text);
  // staff: owner only, a reason, audited
  const path = `/staff/members/${mem.id}/birthday`;
  assert.equal((await marketing.call('PUT', path, { birthday: '1992-05-22', reason: '会员填错' })).status, 403);
  const noReason = await owner.call('PUT', path, { birthday: '1992-05-22' });
  assert.equal(noReason.status, 400);
  assert.equal(noReason.json.error.field, 'reason');
  assert.equal((await owner.call('PUT', '/staff/members/99999999/birthday', { birthday: '1992-05-22', reason: '填错' })).status, 404);
  const ok = await owner.call('PUT', path, { birthday: '1992-05-22', reason: '会员填错，凭身份证更正' });
  assert.equal(ok.status, 200, ok.text);
  assert.deepEqual(ok.json.data, { member_id: mem.id, birthday: '1992-05-22', before: '1992-05-21' });
  const rows = await sql(`SELECT detail, staff_id FROM audit_log WHERE merchant_id = ${mid}
    AND action = 'member.birthday' AND target = 'member:${mem.id}'`);
  assert.equal(rows.length, 1);
  const detail = JSON.parse(rows[0][0]);
  assert.deepEqual(detail, { from: '1992-05-21', to: '1992-05-22', reason: '会员填错，凭身份证更正' });
  assert.equal(Number(rows[0][1]), owner.staff.id);
  // the staff change starts the member's year again
  const after = await api('PUT', m('/me/birthday'), { token: mem.token, body: { birthday: '1992-05-23' } });
  assert.equal(after.status, 409);
});

test('the birthday coupon job issues once per member and year, however often it runs', async () => {
  const tpl = await marketing.call('POST', '/staff/coupon-templates', {
    name: '生日券', kind: 'instant', value_fen: 1000, stock: null, per_member_limit: 5, valid_days: 30,
    status: 'active',
  });
  assert.equal(tpl.status, 201, tpl.text);
  const tid = tpl.json.data.id;
  await setPriv({ ...OFF, birthday: { enabled: true, window: 'day', discount_pct: 90,
    coupon: { template_id: tid, days_before: 3 } } });
  const soon = await newMember();
  const far = await newMember();
  const day = '2027-06-10';
  await sql(`UPDATE members SET birthday = '1990-06-12' WHERE id = ${soon.id}`);
  await sql(`UPDATE members SET birthday = '1990-06-20' WHERE id = ${far.id}`);
  // batches of one member: the cursor carries the run across batches
  const run = (date) => execFileSync(APP, ['jobs', 'run', 'birthday-coupons', '--merchant', 'demo', '--date', date],
    { env: { ...process.env, JOB_BATCH: '1' }, encoding: 'utf8' });
  // the runner's row makes a day's second run a no-op; forgetting it runs
  // the day again, as a second host would: the grant row still decides
  const forgetRuns = () => sql(`DELETE FROM job_runs WHERE job = 'birthday-coupons' AND merchant_id = ${mid}`);
  await forgetRuns();
  const count = async (id) => Number((await sql(`SELECT COUNT(*) FROM coupons WHERE member_id = ${id}
    AND template_id = ${tid}`))[0][0]);
  run(day);
  assert.equal(await count(soon.id), 1, 'two days before: issued');
  assert.equal(await count(far.id), 0, 'ten days before: not yet');
  await forgetRuns();
  run(day);
  run('2027-06-11');
  run('2027-06-12');
  assert.equal(await count(soon.id), 1, 'once a year however often it runs');
  const [[year, code, result]] = await sql(`SELECT year, coupon_code, result FROM birthday_grants
    WHERE member_id = ${soon.id}`);
  assert.equal(Number(year), 2027);
  assert.equal(result, 'issued');
  assert.ok(code);
  // the next year's birthday gets the next year's coupon
  run('2028-06-09');
  assert.equal(await count(soon.id), 2);
  // the template's stock is honoured: refused, counted, once
  await sql(`UPDATE coupon_templates SET stock = 1, stock_left = 0 WHERE id = ${tid}`);
  run('2027-06-18');
  assert.equal(await count(far.id), 0);
  const [[res2]] = await sql(`SELECT result FROM birthday_grants WHERE member_id = ${far.id}`);
  assert.equal(res2, 'refused');
});

test('a member day and a holiday give their coupon on the day, once per member and occurrence, to their tiers', async () => {
  // a merchant of its own: the job gives to every member of the merchant it runs for
  const code = `pv${process.pid % 10000}x${Date.now() % 100000}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '特权赠券店', '特权赠券卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '一号店', '测试路 1 号')`);
  const [[store]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${id}`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  const d = await staffLogin(code, 'owner', 'demo1234');
  const call = (method, path, body) => api(method, m(path, code), { token: d.token, body });
  let r = await call('PUT', '/staff/settings/tiers', { tiers: [
    { level: 1, name: '普通会员', growth: 0, discount_pct: null, points_multiplier: 1, privileges: [] },
    { level: 2, name: '银卡会员', growth: 100, discount_pct: null, points_multiplier: 1, privileges: [] }] });
  assert.equal(r.status, 200, r.text);
  const template = async (name) => {
    const t = await call('POST', '/staff/coupon-templates', { name, kind: 'instant', value_fen: 500, stock: null,
      per_member_limit: 10, valid_days: 30, status: 'active' });
    assert.equal(t.status, 201, t.text);
    return t.json.data.id;
  };
  const mdTpl = await template('会员日赠券');
  const hdTpl = await template('三八节赠券');
  const member = async (growth) => {
    const phone = uniquePhone();
    const token = await signIn(code, phone);
    const { member: mb } = await join(code, token);
    await sql(`UPDATE members SET growth = ${growth} WHERE id = ${mb.id}`);
    return { id: mb.id, phone };
  };
  const plain = await member(0);
  const silver = await member(150);
  const put = async (body) => {
    const p = await call('PUT', '/staff/settings/privileges', body);
    assert.equal(p.status, 200, p.text);
    return p.json.data;
  };
  // a template of another merchant (or none) is refused, naming the field
  r = await call('PUT', '/staff/settings/privileges', { ...OFF,
    member_day: { enabled: true, every: 'month', day: 8, coupon_template_id: 999999999 } });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.field, 'member_day.coupon_template_id');
  assert.match(r.json.error.message, /优惠券不存在/);
  const saved = await put({ ...OFF,
    member_day: { enabled: true, every: 'month', day: 8, tiers: [2], coupon_template_id: mdTpl },
    holidays: [{ name: '三八节', from: '2027-03-07', to: '2027-03-09', coupon_template_id: hdTpl }] });
  assert.equal(saved.member_day.coupon_template_id, mdTpl, 'a member day may give only a coupon');
  assert.equal(saved.holidays[0].coupon_template_id, hdTpl);
  const run = (date) => execFileSync(APP, ['jobs', 'run', 'privilege-coupons', '--merchant', code, '--date', date],
    { env: { ...process.env, JOB_BATCH: '1' }, encoding: 'utf8' });
  const forgetRuns = () => sql(`DELETE FROM job_runs WHERE job = 'privilege-coupons' AND merchant_id = ${id}`);
  const count = async (mb, tpl) => Number((await sql(`SELECT COUNT(*) FROM coupons WHERE member_id = ${mb.id}
    AND template_id = ${tpl}`))[0][0]);
  assert.match(run('2027-03-08'), /发放张数 3/);
  assert.deepEqual([await count(silver, mdTpl), await count(silver, hdTpl)], [1, 1], 'silver: the member day and the holiday');
  assert.deepEqual([await count(plain, mdTpl), await count(plain, hdTpl)], [0, 1], 'plain: the holiday only');
  // the same day again (a second host), and the holiday's next day: nothing more
  await forgetRuns();
  run('2027-03-08');
  run('2027-03-09');
  assert.deepEqual([await count(silver, mdTpl), await count(silver, hdTpl), await count(plain, hdTpl)], [1, 1, 1]);
  // the next month's member day is another occurrence
  run('2027-04-08');
  assert.equal(await count(silver, mdTpl), 2);
  assert.equal(await count(plain, mdTpl), 0);
  const [[rows]] = await sql(`SELECT COUNT(*) FROM privilege_gifts WHERE merchant_id = ${id} AND result = 'issued'`);
  assert.equal(Number(rows), 4);
  // a day that gives only a coupon is nothing at the order: no privilege, no adjustment
  const dow = local().dow;
  await put({ ...OFF, member_day: { enabled: true, every: 'week', day: dow, coupon_template_id: mdTpl } });
  const q = await call('POST', '/staff/orders/quote', { store_id: Number(store), member_phone: silver.phone,
    lines: [{ name: '拿铁', price_fen: 3000, qty: 1 }], coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }] });
  assert.equal(q.status, 200, q.text);
  assert.deepEqual(q.json.data.privileges || [], []);
  assert.ok(!q.json.data.adjustments.some((a) => a.kind === 'member_day'));
});

test('a member blocked by staff gets no holiday gift while blocked; unblocked within the holiday, the next day gives it', async () => {
  const own = await ownMerchant('pb');
  const d = await staffLogin(own.code, 'owner', 'demo1234');
  const call = (method, path, body) => api(method, m(path, own.code), { token: d.token, body });
  const t = await call('POST', '/staff/coupon-templates', { name: '节日赠券', kind: 'instant', value_fen: 500, stock: null,
    per_member_limit: 10, valid_days: 30, status: 'active' });
  assert.equal(t.status, 201, t.text);
  const p = await call('PUT', '/staff/settings/privileges', { ...OFF,
    holidays: [{ name: '国庆', from: '2027-10-01', to: '2027-10-03', coupon_template_id: t.json.data.id }] });
  assert.equal(p.status, 200, p.text);
  const joinOne = async () => {
    const token = await signIn(own.code, uniquePhone());
    return (await join(own.code, token)).member;
  };
  const free = await joinOne();
  const frozen = await joinOne();
  const b = await call('POST', `/staff/members/${frozen.id}/block`, { reason: '疑似刷券' });
  assert.equal(b.status, 200, b.text);
  const run = (date) => execFileSync(APP, ['jobs', 'run', 'privilege-coupons', '--merchant', own.code, '--date', date],
    { env: process.env, encoding: 'utf8' });
  const count = async (mb) => Number((await sql(`SELECT COUNT(*) FROM coupons WHERE member_id = ${mb.id}
    AND template_id = ${t.json.data.id}`))[0][0]);
  run('2027-10-01');
  assert.deepEqual([await count(free), await count(frozen)], [1, 0], 'the blocked member is passed over');
  const [[rows]] = await sql(`SELECT COUNT(*) FROM privilege_gifts WHERE member_id = ${frozen.id}`);
  assert.equal(rows, '0', 'the occasion is not used up');
  const u = await call('POST', `/staff/members/${frozen.id}/unblock`, { reason: '已核实' });
  assert.equal(u.status, 200, u.text);
  run('2027-10-02');
  assert.deepEqual([await count(free), await count(frozen)], [1, 1], 'unblocked within the holiday: given once');
});
