// Staff actions on a member through nginx and MariaDB (owner only): points
// and bonus adjustments through the ledgers (the bonus never below zero,
// principal untouched, idempotent retries), a tier set by hand that the
// daily tier-review (run by `app jobs run tier-review --date`) leaves alone
// through its last day and not after, block and unblock (refused at every
// pay and claim path while blocked: orders and quotes, balance payments,
// coupon claims, promo codes, the points shop, scratch cards; allowed again
// after), the audit row of every action and the member's detail that shows
// them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, parallel, uniquePhone, signIn, join } from './lib.mjs';
import { newMember, fund, idemKey, accounts, assertLedger, staff, scan, storeIds, givePoints } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
let owner, marketing, cashier, stores;
let seq = 0;

before(async () => {
  owner = await staff('demo', 'owner');
  marketing = await staff('demo', 'marketing');
  cashier = await staff('demo', 'cashier');
  stores = await storeIds();
});

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no codes in messages');
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

function adjust(st, id, body, key = idemKey()) {
  return st.call('POST', `/staff/members/${id}/adjustments`, body, { 'idempotency-key': key });
}

async function audits(id, action) {
  return sql(`SELECT a.action, a.detail, s.username FROM audit_log a JOIN staff s ON s.id = a.staff_id
    WHERE a.target = 'member:${id}' AND a.action = '${action}' ORDER BY a.id`);
}

function runApp(args) {
  return new Promise((resolve, reject) => {
    execFile(APP, args, { env: process.env, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`app ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The merchant-local (+08:00) day n days from now, YYYY-MM-DD. */
function day(n) {
  return new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
}

test('marketing, cashiers and members get 403 on the owner actions; nothing changes', async () => {
  const mem = await newMember();
  const calls = [
    ['POST', 'adjustments', { kind: 'bonus', amount: 100, reason: '试' }],
    ['PUT', 'tier', { level: 2, reason: '试' }],
    ['POST', 'block', { reason: '试' }],
    ['POST', 'unblock', { reason: '试' }],
    ['POST', 'physical-card', { card_no: '12345678' }],
  ];
  for (const st of [marketing, cashier]) {
    for (const [method, path, body] of calls) {
      const r = await st.call(method, `/staff/members/${mem.id}/${path}`, body, { 'idempotency-key': idemKey() });
      assertError(r, 403, 'forbidden');
    }
  }
  const r = await api('POST', m(`/staff/members/${mem.id}/block`), { token: mem.token, body: { reason: '试' } });
  assert.equal(r.status, 403, r.text);
  const [[bonus, blocked, card, audit]] = await sql(`SELECT bonus_fen, blocked_at IS NOT NULL, physical_card_no IS NULL,
    (SELECT COUNT(*) FROM audit_log WHERE target = 'member:${mem.id}') FROM members WHERE id = ${mem.id}`);
  assert.deepEqual([bonus, blocked, card, audit], ['0', '0', '1', '0']);
});

test('bonus adjustments: a wallet ledger entry, principal untouched, never below zero, audited', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const before = await accounts(mem.id);
  let r = await adjust(owner, mem.id, { kind: 'bonus', amount: 800, reason: '服务补偿' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.data.balance, { principal_fen: before.principal, bonus_fen: before.bonus + 800,
    total_fen: before.principal + before.bonus + 800 });
  const [[kind, p, b, staffId]] = await sql(`SELECT kind, principal_fen, bonus_fen, staff_id FROM wallet_entries
    WHERE member_id = ${mem.id} ORDER BY id DESC LIMIT 1`);
  assert.deepEqual([kind, p, b, staffId], ['staff_adjust', '0', '800', String(owner.staff.id)]);
  const rows = await audits(mem.id, 'member.adjust');
  assert.equal(rows.length, 1);
  assert.deepEqual(JSON.parse(rows[0][1]), { kind: 'bonus', amount: 800, reason: '服务补偿' });
  assert.equal(rows[0][2], 'owner');

  // more than the bonus: 409 with the amount there is, nothing written
  r = await adjust(owner, mem.id, { kind: 'bonus', amount: -(before.bonus + 801), reason: '扣回' });
  assertError(r, 409, 'insufficient_balance', 'amount');
  assert.match(r.json.error.message, /赠送金/);
  assert.equal((await accounts(mem.id)).bonus, before.bonus + 800);
  assert.equal((await audits(mem.id, 'member.adjust')).length, 1);

  // ten deductions of 100 at once against 800 + the package's bonus: never below zero
  const have = before.bonus + 800;
  const res = await parallel(10, () => adjust(owner, mem.id, { kind: 'bonus', amount: -Math.ceil(have / 8), reason: '并发扣减' }));
  const ok = res.filter((x) => x.status === 201).length;
  assert.ok(res.every((x) => x.status === 201 || x.status === 409), res.map((x) => x.status).join());
  const after = await accounts(mem.id);
  assert.equal(after.bonus, have - ok * Math.ceil(have / 8));
  assert.ok(after.bonus >= 0 && after.bonus < Math.ceil(have / 8));
  assert.equal(after.principal, before.principal, 'principal is never adjusted');
  await assertLedger(mem.id);
});

test('points adjustments go through the points ledger; more than held is refused clearly', async () => {
  const mem = await newMember();
  let r = await adjust(owner, mem.id, { kind: 'points', amount: 50, reason: '活动补发' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.points, 50);
  const [[k, pts]] = await sql(`SELECT kind, points FROM points_entries WHERE member_id = ${mem.id} ORDER BY id DESC LIMIT 1`);
  assert.deepEqual([k, pts], ['staff_adjust', '50']);
  const [[lots]] = await sql(`SELECT SUM(left_points) FROM points_lots WHERE member_id = ${mem.id}`);
  assert.equal(lots, '50');
  r = await adjust(owner, mem.id, { kind: 'points', amount: -80, reason: '扣减' });
  assertError(r, 409, 'insufficient_points', 'amount');
  assert.match(r.json.error.message, /50 积分/);
  assert.equal((await accounts(mem.id)).points, 50);
  r = await adjust(owner, mem.id, { kind: 'points', amount: -50, reason: '扣减' });
  assert.equal(r.status, 201, r.text);
  assert.equal((await accounts(mem.id)).points, 0);
  await assertLedger(mem.id);
  assert.equal((await audits(mem.id, 'member.adjust')).length, 2);
});

test('adjustments: an idempotent retry replays, bad input writes nothing', async () => {
  const mem = await newMember();
  const key = idemKey();
  const body = { kind: 'bonus', amount: 300, reason: '重试' };
  const a = await adjust(owner, mem.id, body, key);
  const b = await adjust(owner, mem.id, body, key);
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.deepEqual(b.json, a.json);
  assertError(await adjust(owner, mem.id, { ...body, amount: 301 }, key), 409, 'idempotency_key_reused');
  assert.equal((await accounts(mem.id)).bonus, 300);
  const [[n]] = await sql(`SELECT COUNT(*) FROM wallet_entries WHERE member_id = ${mem.id} AND kind = 'staff_adjust'`);
  assert.equal(n, '1');
  for (const [bad, field] of [
    [{ kind: 'principal', amount: 1, reason: 'x' }, 'kind'],
    [{ kind: 'bonus', amount: 0, reason: 'x' }, 'amount'],
    [{ kind: 'bonus', amount: 1.5, reason: 'x' }, 'amount'],
    [{ kind: 'bonus', amount: 100 }, 'reason'],
    [{ kind: 'bonus', amount: 100, reason: '   ' }, 'reason'],
    [{ kind: 'bonus', amount: 100, reason: '长'.repeat(101) }, 'reason'],
  ]) {
    assertError(await adjust(owner, mem.id, bad), 400, 'invalid_field', field);
  }
  assertError(await adjust(owner, 999999999, body), 404, 'not_found');
  assert.equal((await accounts(mem.id)).bonus, 300);
  assert.equal((await audits(mem.id, 'member.adjust')).length, 1);
});

test('a blocked member cannot pay or claim anywhere, and can again after unblock', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const tr = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('冻结券'), kind: 'instant', value_fen: 100, stock: null, per_member_limit: 10, valid_days: 30, status: 'active',
  });
  assert.equal(tr.status, 201, tr.text);
  const tpl = tr.json.data;
  const it = await marketing.call('POST', '/staff/points-shop', { template_id: tpl.id, points: 10, stock: 10, per_member_limit: 5 });
  assert.equal(it.status, 201, it.text);
  await givePoints(mem.id, 100);
  const pt = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('冻结码'), kind: 'promo_code', value_fen: 100, stock: null, per_member_limit: 5, valid_days: 30, status: 'active',
  });
  assert.equal(pt.status, 201, pt.text);
  const batch = await marketing.call('POST', `/staff/coupon-templates/${pt.json.data.id}/codes`, { count: 2 });
  assert.equal(batch.status, 201, batch.text);
  const promo = (await sql(`SELECT code FROM promo_codes WHERE template_id = ${pt.json.data.id} ORDER BY id`)).map((x) => x[0]);

  let r = await owner.call('POST', `/staff/members/${mem.id}/block`, { reason: '疑似盗刷' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.blocked, true);
  assertError(await owner.call('POST', `/staff/members/${mem.id}/block`, { reason: '再次' }), 409, 'conflict');
  const s = await scan(owner, mem, stores[0]);
  assert.equal(s.member.blocked, true, 'the counter sees the member is blocked');
  const pname = uniq('冻结测试咖啡');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    SELECT id, '${pname}', '测试', 1000, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP() FROM merchants WHERE code = 'demo'`);
  const [[pid]] = await sql(`SELECT id FROM products WHERE name = '${pname}'`);
  const line = { lines: [{ product_id: Number(pid), qty: 1 }] };
  const attempts = {
    'me/payments': () => api('POST', m('/me/payments'), { token: mem.token, body: { order_fen: 500, store_id: stores[0] }, headers: { 'idempotency-key': idemKey() } }),
    'me/orders/quote': () => api('POST', m('/me/orders/quote'), { token: mem.token, body: { store_id: stores[0], ...line } }),
    'me/orders': () => api('POST', m('/me/orders'), { token: mem.token, body: { store_id: stores[0], ...line }, headers: { 'idempotency-key': idemKey() } }),
    'staff/orders/quote': () => owner.call('POST', '/staff/orders/quote', { store_id: stores[0], ticket: s.ticket, ...line }),
    'staff/orders (phone)': () => owner.call('POST', '/staff/orders', { store_id: stores[0], member_phone: mem.phone, ...line, use_balance: false, tenders: [{ kind: 'cash' }] }, { 'idempotency-key': idemKey() }),
    'staff/payments': () => owner.call('POST', '/staff/payments', { ticket: s.ticket, order_fen: 500 }, { 'idempotency-key': idemKey() }),
    coupons: () => api('POST', m('/coupons'), { token: mem.token, body: { template_id: tpl.id }, headers: { 'idempotency-key': idemKey() } }),
    'points-exchanges': () => api('POST', m('/me/points-exchanges'), { token: mem.token, body: { item_id: it.json.data.id }, headers: { 'idempotency-key': idemKey() } }),
    'redeem-code': () => api('POST', m('/coupons/redeem-code'), { token: mem.token, body: { promo_code: promo[0] } }),
  };
  const was = await accounts(mem.id);
  for (const [name, f] of Object.entries(attempts)) {
    r = await f();
    assertError(r, 409, 'member_blocked');
    assert.match(r.json.error.message, /冻结/, name);
  }
  assert.deepEqual(await accounts(mem.id), was, 'nothing moved while blocked');
  const [[coupons]] = await sql(`SELECT COUNT(*) FROM coupons WHERE member_id = ${mem.id}`);
  assert.equal(coupons, '0');
  // the member's own pages say so
  const me = await api('GET', m('/me'), { token: mem.token });
  assert.equal(me.json.data.member.blocked, true);
  const home = await api('GET', '/m/demo/', { headers: { cookie: `sid=${mem.token}` } });
  assert.match(home.text, /会员账户已被商家冻结/);
  const d = await owner.call('GET', `/staff/members/${mem.id}`);
  assert.equal(d.json.data.holds.blocked, true);
  assert.equal(d.json.data.holds.blocked_reason, '疑似盗刷');
  assert.equal(d.json.data.holds.staff_actions[0].action, 'member.block');
  assert.equal(d.json.data.holds.staff_actions[0].reason, '疑似盗刷');

  r = await owner.call('POST', `/staff/members/${mem.id}/unblock`, { reason: '核实无误' });
  assert.equal(r.status, 200, r.text);
  assertError(await owner.call('POST', `/staff/members/${mem.id}/unblock`, { reason: '再次' }), 409, 'conflict');
  const [[bound]] = await sql(`SELECT member_id IS NULL FROM promo_codes WHERE code = '${promo[0]}'`);
  assert.equal(bound, '1', 'a refused promo code stays free');
  for (const name of ['me/payments', 'coupons', 'points-exchanges', 'me/orders/quote', 'redeem-code']) {
    r = await attempts[name]();
    assert.ok(r.status === 200 || r.status === 201, `${name}: ${r.text}`);
  }
  assert.equal((await api('GET', '/m/demo/', { headers: { cookie: `sid=${mem.token}` } })).text.includes('已被商家冻结'), false);
  const rows = await sql(`SELECT action, JSON_VALUE(detail, '$.reason') FROM audit_log WHERE target = 'member:${mem.id}'
    AND action IN ('member.block', 'member.unblock') ORDER BY id`);
  assert.deepEqual(rows, [['member.block', '疑似盗刷'], ['member.unblock', '核实无误']]);
  await assertLedger(mem.id);
});

test('a blocked member cannot recharge: online (no provider order), at the counter, or as a top-up in a checkout', async () => {
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  assert.ok(pkgs.length > 0, 'the demo merchant sells recharge packages');
  const s = await scan(cashier, mem, stores[0]);
  const r0 = await owner.call('POST', `/staff/members/${mem.id}/block`, { reason: '账户异常' });
  assert.equal(r0.status, 200, r0.text);
  const pname = uniq('冻结充值咖啡');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    SELECT id, '${pname}', '测试', 1000, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP() FROM merchants WHERE code = 'demo'`);
  const [[pid]] = await sql(`SELECT id FROM products WHERE name = '${pname}'`);
  const attempts = {
    'me/recharges (package)': () => api('POST', m('/me/recharges'), { token: mem.token, body: { package_id: pkgs[0].id }, headers: { 'idempotency-key': idemKey() } }),
    'staff/recharges': () => cashier.call('POST', '/staff/recharges', { ticket: s.ticket, package_id: pkgs[0].id }, { 'idempotency-key': idemKey() }),
    'staff/orders with topup': () => cashier.call('POST', '/staff/orders', {
      store_id: stores[0], ticket: s.ticket, lines: [{ product_id: Number(pid), qty: 1 }], topup: { package_id: pkgs[0].id }, tenders: [{ kind: 'cash' }],
    }, { 'idempotency-key': idemKey() }),
  };
  for (const [name, f] of Object.entries(attempts)) {
    const r = await f();
    assert.equal(r.status, 409, `${name}: ${r.text}`);
    assertError(r, 409, 'member_blocked');
  }
  const [[recharges]] = await sql(`SELECT COUNT(*) FROM recharges WHERE member_id = ${mem.id}`);
  assert.equal(recharges, '0', 'no recharge row, pending or paid, and so no provider order');
  assert.deepEqual(await accounts(mem.id), { principal: 0, bonus: 0, growth: 0, points: 0 });
  const r1 = await owner.call('POST', `/staff/members/${mem.id}/unblock`, { reason: '已核实' });
  assert.equal(r1.status, 200, r1.text);
  const ok = await attempts['me/recharges (package)']();
  assert.equal(ok.status, 201, ok.text);
  const ok2 = await attempts['staff/recharges']();
  assert.equal(ok2.status, 201, ok2.text);
  await assertLedger(mem.id);
});

/** A merchant of this test's own with a ladder that keeps tiers by a rolling window. */
async function keepMerchant() {
  seq += 1;
  const code = `ma${process.pid % 10000}x${Date.now() % 100000}x${seq}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '手动等级店', '手动等级卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '一号店', '测试路 1 号')`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  const own = await staff(code, 'owner');
  const r = await own.call('PUT', '/staff/settings/tiers', {
    tiers: [
      { level: 1, name: '普通会员', growth: 0, points_multiplier: 1, privileges: [] },
      { level: 2, name: '银卡会员', growth: 100, points_multiplier: 1, privileges: [], keep_growth: 50 },
      { level: 3, name: '金卡会员', growth: 1000, points_multiplier: 1, privileges: [], keep_growth: 500 },
    ],
    downgrade: { mode: 'rolling', months: 6, step: 'one' },
  });
  assert.equal(r.status, 200, r.text);
  return { code, owner: own };
}

test('a tier set by hand: history with the reason, held by the review through its day, not after', async () => {
  const mc = await keepMerchant();
  const token = await signIn(mc.code, uniquePhone());
  const { member } = await join(mc.code, token);
  const until = day(10);
  for (const [bad, field] of [
    [{ level: 9, reason: '试' }, 'level'],
    [{ level: 3, until: day(-1), reason: '试' }, 'until'],
    [{ level: 3, until: '2027-02-30', reason: '试' }, 'until'],
    [{ level: 3, until }, 'reason'],
  ]) {
    assertError(await mc.owner.call('PUT', `/staff/members/${member.id}/tier`, bad), 400, 'invalid_field', field);
  }
  let r = await mc.owner.call('PUT', `/staff/members/${member.id}/tier`, { level: 3, until, reason: '年度大客户' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.from_level, 1);
  const card = (await api('GET', m('/me/card', mc.code), { token })).json.data;
  assert.equal(card.tier.level, 3, 'the card reads the tier set');
  const [[lv, growth, held]] = await sql(`SELECT tier_level, growth, tier_manual_until FROM members WHERE id = ${member.id}`);
  assert.deepEqual([lv, growth, held], ['3', '1000', until]);
  const hist = await sql(`SELECT from_level, to_level, reason, note FROM tier_changes WHERE member_id = ${member.id}`);
  assert.deepEqual(hist, [['1', '3', 'manual', '年度大客户']]);
  const [[act, detail]] = await sql(`SELECT action, detail FROM audit_log WHERE target = 'member:${member.id}'`);
  assert.equal(act, 'member.tier');
  assert.equal(JSON.parse(detail).reason, '年度大客户');
  const d = await mc.owner.call('GET', `/staff/members/${member.id}`);
  assert.equal(d.json.data.holds.tier_manual_until, until);

  // the review before and on the last day leaves the member at 金卡 (no growth earned: a rolling keep fails)
  for (const date of [day(1), until]) {
    await runApp(['jobs', 'run', 'tier-review', '--merchant', mc.code, '--date', date]);
    const [[l]] = await sql(`SELECT tier_level FROM members WHERE id = ${member.id}`);
    assert.equal(l, '3', `review on ${date}`);
  }
  // the day after: the rules again, 金卡 not kept, one step down
  await runApp(['jobs', 'run', 'tier-review', '--merchant', mc.code, '--date', day(11)]);
  const [[l2, g2]] = await sql(`SELECT tier_level, growth FROM members WHERE id = ${member.id}`);
  assert.deepEqual([l2, g2], ['2', '100']);
  const last = await sql(`SELECT reason FROM tier_changes WHERE member_id = ${member.id} ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(last, [['keep']]);
});

test('a tier set by hand without an end holds; setting it lower brings growth down to its band', async () => {
  const mc = await keepMerchant();
  const token = await signIn(mc.code, uniquePhone());
  const { member } = await join(mc.code, token);
  let r = await mc.owner.call('PUT', `/staff/members/${member.id}/tier`, { level: 3, reason: '合作伙伴' });
  assert.equal(r.status, 200, r.text);
  await runApp(['jobs', 'run', 'tier-review', '--merchant', mc.code, '--date', day(400)]);
  assert.equal((await sql(`SELECT tier_level FROM members WHERE id = ${member.id}`))[0][0], '3');
  r = await mc.owner.call('PUT', `/staff/members/${member.id}/tier`, { level: 2, until: day(0), reason: '合作结束' });
  assert.equal(r.status, 200, r.text);
  const [[lv, growth]] = await sql(`SELECT tier_level, growth FROM members WHERE id = ${member.id}`);
  assert.deepEqual([lv, growth], ['2', '100']);
  const [[sum]] = await sql(`SELECT SUM(growth) FROM growth_entries WHERE member_id = ${member.id}`);
  assert.equal(sum, '100', 'every change of growth is an entry');
  let h = (await mc.owner.call('GET', `/staff/members/${member.id}`)).json.data.holds;
  assert.deepEqual([h.tier_manual, h.tier_manual_until], [true, day(0)], 'held through today');
  await sql(`UPDATE members SET tier_manual_until = '${day(-1)}' WHERE id = ${member.id}`);
  h = (await mc.owner.call('GET', `/staff/members/${member.id}`)).json.data.holds;
  assert.deepEqual([h.tier_manual, h.tier_manual_until], [false, day(-1)], 'ended yesterday');
  // the same level again with a reason: a history row of its own
  r = await mc.owner.call('PUT', `/staff/members/${member.id}/tier`, { level: 2, until: day(5), reason: '延长' });
  assert.equal(r.status, 200, r.text);
  const hist = await sql(`SELECT from_level, to_level, note FROM tier_changes WHERE member_id = ${member.id} ORDER BY id`);
  assert.deepEqual(hist, [['1', '3', '合作伙伴'], ['3', '2', '合作结束'], ['2', '2', '延长']]);
});

test('a refund while the tier is held takes growth back no lower than the tier', async () => {
  const mc = await keepMerchant();
  const phone = uniquePhone();
  const token = await signIn(mc.code, phone);
  const { member } = await join(mc.code, token);
  const [[store]] = await sql(`SELECT s.id FROM stores s JOIN merchants mc ON mc.id = s.merchant_id WHERE mc.code = '${mc.code}'`);
  const o = await mc.owner.call('POST', '/staff/orders', { store_id: Number(store), member_phone: phone,
    lines: [{ name: '礼盒', price_fen: 5000, qty: 1 }], use_balance: false, tenders: [{ kind: 'cash' }] }, { 'idempotency-key': idemKey() });
  assert.equal(o.status, 201, o.text);
  assert.equal((await sql(`SELECT growth FROM members WHERE id = ${member.id}`))[0][0], '50');
  let r = await mc.owner.call('PUT', `/staff/members/${member.id}/tier`, { level: 3, until: day(3), reason: '活动' });
  assert.equal(r.status, 200, r.text);
  r = await mc.owner.call('POST', `/staff/orders/${o.json.data.order.id}/refunds`, {}, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  const [[lv, growth]] = await sql(`SELECT tier_level, growth FROM members WHERE id = ${member.id}`);
  assert.deepEqual([lv, growth], ['3', '1000']);
  const [[sum]] = await sql(`SELECT SUM(growth) FROM growth_entries WHERE member_id = ${member.id}`);
  assert.equal(sum, '1000', 'the entries add up to the growth');
});

test('a blocked member wins nothing on a scratch card; the chance waits for the unblock', async () => {
  const mc = await keepMerchant();
  const phone = uniquePhone();
  const token = await signIn(mc.code, phone);
  const { member } = await join(mc.code, token);
  const [[store]] = await sql(`SELECT s.id FROM stores s JOIN merchants mc ON mc.id = s.merchant_id WHERE mc.code = '${mc.code}'`);
  const iso = (t) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
  const c = await mc.owner.call('POST', '/staff/scratch-campaigns', {
    name: '冻结刮刮乐', min_order_fen: 1000, store_ids: 'all', starts_at: iso(Date.now() - 3600e3),
    ends_at: iso(Date.now() + 86400e3), daily_cap: 3, none_weight: 0,
    prizes: [{ kind: 'bonus', bonus_fen: 100, weight: 1, stock: 10 }],
  });
  assert.equal(c.status, 201, c.text);
  const o = await mc.owner.call('POST', '/staff/orders', { store_id: Number(store), member_phone: phone,
    lines: [{ name: '套餐', price_fen: 2000, qty: 1 }], use_balance: false, tenders: [{ kind: 'cash' }] }, { 'idempotency-key': idemKey() });
  assert.equal(o.status, 201, o.text);
  const list = await api('GET', m('/me/scratch-chances', mc.code), { token });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.data.length, 1);
  const id = list.json.data[0].id;
  assert.equal((await mc.owner.call('POST', `/staff/members/${member.id}/block`, { reason: '核查' })).status, 200);
  assertError(await api('POST', m(`/me/scratch-chances/${id}/scratch`, mc.code), { token }), 409, 'member_blocked');
  const [[bonus]] = await sql(`SELECT bonus_fen FROM members WHERE id = ${member.id}`);
  assert.equal(bonus, '0');
  assert.equal((await mc.owner.call('POST', `/staff/members/${member.id}/unblock`, { reason: '无误' })).status, 200);
  const r = await api('POST', m(`/me/scratch-chances/${id}/scratch`, mc.code), { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.prize.kind, 'bonus');
});

test('staff see the holds and the staff actions in the member detail', async () => {
  const mem = await newMember();
  await adjust(owner, mem.id, { kind: 'points', amount: 20, reason: '补积分' });
  const d = await owner.call('GET', `/staff/members/${mem.id}`);
  assert.equal(d.status, 200, d.text);
  const h = d.json.data.holds;
  assert.equal(h.blocked, false);
  assert.equal(h.tier_manual_until, null);
  assert.equal(h.pin_set, false);
  assert.equal(h.staff_actions.length, 1);
  assert.equal(h.staff_actions[0].reason, '补积分');
  assert.ok(h.staff_actions[0].staff_name);
  // marketing reads the detail too (the list is theirs), without the actions
  assert.equal((await marketing.call('GET', `/staff/members/${mem.id}`)).status, 200);
});
