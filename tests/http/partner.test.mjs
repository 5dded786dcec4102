// Stores and partner redemption (异业合作) through nginx and MariaDB: the
// owner creates, lists and edits stores (own and partner), with their
// validation and the role matrix; a partner account tied to exactly one
// partner store; templates shared with partner stores; the partner
// redeems a shared template's coupon at its store (recorded with that
// store, shown in the template's per-store use) and nothing else: every
// other staff route of `app routes` answers it 403. One merchant of this
// file's own, so that its stores do not show in the demo's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, uniquePhone, signIn, join, staffLogin } from './lib.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const PW = 'demo1234';
const count = async (q) => Number((await sql(q))[0][0]);
let M; // {code, id, own, own2, owner, marketing, cashier}
let seq = 0;

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.ok(r.json.error.message.length > 0);
}

function caller(code, token) {
  return (method, path, body, headers = {}) => api(method, m(path, code), { token, body, headers });
}

function unique(prefix) {
  seq += 1;
  return `${prefix}${process.pid % 1000}${Date.now() % 100000}${seq}`;
}

before(async () => {
  const code = `pt${process.pid % 10000}x${Date.now() % 100000}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '合作测试咖啡', '合作测试卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '一号店', '测试路 1 号'), (${id}, '二号店', '测试路 2 号')`);
  const stores = (await sql(`SELECT id FROM stores WHERE merchant_id = ${id} ORDER BY id`)).map((x) => Number(x[0]));
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username IN ('owner', 'marketing', 'cashier')`);
  await sql(`INSERT INTO staff_stores (staff_id, store_id) SELECT id, ${stores[0]} FROM staff
    WHERE merchant_id = ${id} AND username = 'cashier'`);
  const [o, mk, c] = await Promise.all(['owner', 'marketing', 'cashier'].map((u) => staffLogin(code, u, PW)));
  M = {
    code, id: Number(id), own: stores[0], own2: stores[1],
    owner: caller(code, o.token), marketing: caller(code, mk.token), cashier: caller(code, c.token),
    ownerToken: o.token,
  };
});

async function newStore(body) {
  const r = await M.owner('POST', '/staff/stores', body);
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

/** A partner store with its partner account: {store, username, call, token, staff}. */
async function newPartner() {
  const store = await newStore({ name: unique('面包坊'), kind: 'partner', phone: '021-6321 0000' });
  const username = unique('pt');
  const r = await M.owner('POST', '/staff/accounts', { username, name: '面包坊店员', role: 'partner', password: PW, store_ids: [store.id] });
  assert.equal(r.status, 201, r.text);
  const d = await staffLogin(M.code, username, PW);
  assert.equal(d.staff.role, 'partner');
  assert.deepEqual(d.staff.store_ids, [store.id]);
  return { store, username, token: d.token, staff: d.staff, call: caller(M.code, d.token) };
}

async function template(extra = {}) {
  const r = await M.owner('POST', '/staff/coupon-templates', {
    name: unique('券'), kind: 'instant', value_fen: 500, stock: null, per_member_limit: 5,
    valid_days: 7, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

let memberCache;
async function member() {
  if (memberCache) return memberCache;
  const token = await signIn(M.code, uniquePhone());
  const j = await join(M.code, token);
  memberCache = { token, id: j.member.id };
  return memberCache;
}

async function couponOf(tpl) {
  const mb = await member();
  const r = await api('POST', m('/coupons', M.code), { token: mb.token, body: { template_id: tpl.id } });
  assert.equal(r.status, 201, r.text);
  return r.json.data.coupon.code;
}

// ---- stores -------------------------------------------------------------

test('the owner creates, lists and edits stores; closing one keeps it', async () => {
  const s = await newStore({ name: '三号店', address: '测试路 3 号', phone: '0571-88886666' });
  assert.equal(s.name, '三号店');
  assert.equal(s.address, '测试路 3 号');
  assert.equal(s.phone, '0571-88886666');
  assert.equal(s.kind, 'own');
  assert.equal(s.active, true);
  assert.match(s.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  const [row] = await sql(`SELECT merchant_id, name, kind, active FROM stores WHERE id = ${s.id}`);
  assert.deepEqual(row, [String(M.id), '三号店', 'own', '1']);

  // the owner's list has every store; the stores to act at the own ones
  const all = await M.owner('GET', '/staff/stores?all=1');
  assert.equal(all.status, 200, all.text);
  assert.ok(all.json.data.some((x) => x.id === s.id && x.kind === 'own' && x.active === true));
  const act = await M.owner('GET', '/staff/stores');
  assert.ok(act.json.data.some((x) => x.id === s.id));

  // rename, clear the address, close
  let r = await M.owner('PATCH', `/staff/stores/${s.id}`, { name: '三号店（新）', address: null });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.name, '三号店（新）');
  assert.equal(r.json.data.address, null);
  assert.equal(r.json.data.phone, '0571-88886666', 'a field not given keeps its value');
  r = await M.owner('PATCH', `/staff/stores/${s.id}`, { active: false });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.active, false);
  // still listed for the owner, no longer a store to act at
  const after = await M.owner('GET', '/staff/stores?all=1');
  assert.equal(after.json.data.find((x) => x.id === s.id).active, false);
  assert.ok(!(await M.owner('GET', '/staff/stores')).json.data.some((x) => x.id === s.id));
  const tpl = await template();
  const code = await couponOf(tpl);
  assertError(await M.owner('POST', '/staff/redemptions', { coupon_code: code, store_id: s.id }), 400, 'invalid_field', 'store_id');
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE merchant_id = ${M.id} AND action IN ('store.create', 'store.update') AND target = 'store:${s.id}'`), 3);
  // and opens again
  r = await M.owner('PATCH', `/staff/stores/${s.id}`, { active: true });
  assert.equal(r.json.data.active, true);
});

test('store input is checked field by field and a refused one writes nothing', async () => {
  const before = await count(`SELECT COUNT(*) FROM stores WHERE merchant_id = ${M.id}`);
  const bad = [
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ name: 3 }, 'name'],
    [{ name: '店', kind: 'franchise' }, 'kind'],
    [{ name: '店', phone: 'call me' }, 'phone'],
    [{ name: '店', phone: '12' }, 'phone'],
    [{ name: '店', active: 'yes' }, 'active'],
    [{ name: '店', address: 'x'.repeat(256) }, 'address'],
  ];
  for (const [body, field] of bad) {
    assertError(await M.owner('POST', '/staff/stores', body), 400, 'invalid_field', field);
  }
  assert.equal(await count(`SELECT COUNT(*) FROM stores WHERE merchant_id = ${M.id}`), before);
  const s = await newStore({ name: '校验店' });
  const snap = await sql(`SELECT name, address, phone, kind, active FROM stores WHERE id = ${s.id}`);
  for (const [body, field] of [[{ name: '' }, 'name'], [{ kind: 'x' }, 'kind'], [{ phone: 'abc' }, 'phone'], [{ active: 1 }, 'active']]) {
    assertError(await M.owner('PATCH', `/staff/stores/${s.id}`, body), 400, 'invalid_field', field);
  }
  assert.deepEqual(await sql(`SELECT name, address, phone, kind, active FROM stores WHERE id = ${s.id}`), snap);
  assertError(await M.owner('PATCH', '/staff/stores/999999999', { name: 'x' }), 404, 'not_found');
  assertError(await M.owner('PATCH', '/staff/stores/abc', { name: 'x' }), 404, 'not_found');
  assertError(await M.owner('GET', '/staff/stores?all=maybe'), 400, 'invalid_field', 'all');
});

test('the last open own store stays open; a store with staff keeps its kind', async () => {
  const code = `pl${process.pid % 10000}x${Date.now() % 100000}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '单店', '单店卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name) VALUES (${id}, '唯一店')`);
  const [[only]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${id}`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, username, name, role, password_hash FROM staff WHERE merchant_id = ${M.id} AND username = 'owner'`);
  const own = caller(code, (await staffLogin(code, 'owner', PW)).token);
  assertError(await own('PATCH', `/staff/stores/${only}`, { active: false }), 409, 'conflict');
  assertError(await own('PATCH', `/staff/stores/${only}`, { kind: 'partner' }), 409, 'conflict');
  assert.deepEqual((await sql(`SELECT kind, active FROM stores WHERE id = ${only}`))[0], ['own', '1']);
  // two at once closing the two open stores: one of them stays open
  const r2 = await own('POST', '/staff/stores', { name: '第二家' });
  assert.equal(r2.status, 201);
  const res = await Promise.all([only, r2.json.data.id].map((s) => own('PATCH', `/staff/stores/${s}`, { active: false })));
  assert.deepEqual(res.map((x) => x.status).sort(), [200, 409]);
  assert.equal(await count(`SELECT COUNT(*) FROM stores WHERE merchant_id = ${id} AND active = 1`), 1);

  // M's first store has a cashier: its kind does not change
  assertError(await M.owner('PATCH', `/staff/stores/${M.own}`, { kind: 'partner' }), 409, 'conflict', 'kind');
});

test('marketing and cashiers do not write stores nor list them all', async () => {
  for (const who of [M.marketing, M.cashier]) {
    assertError(await who('POST', '/staff/stores', { name: '越权店' }), 403, 'forbidden');
    assertError(await who('PATCH', `/staff/stores/${M.own}`, { name: '越权' }), 403, 'forbidden');
    assertError(await who('GET', '/staff/stores?all=1'), 403, 'forbidden');
  }
  assert.equal(await count(`SELECT COUNT(*) FROM stores WHERE merchant_id = ${M.id} AND name LIKE '越权%'`), 0);
  // a cashier's stores are its own; a partner store is not among the owner's
  const p = await newPartner();
  assert.deepEqual((await M.cashier('GET', '/staff/stores')).json.data.map((s) => s.id), [M.own]);
  assert.ok(!(await M.owner('GET', '/staff/stores')).json.data.some((s) => s.id === p.store.id));
  // nor may the owner act at it
  const tpl = await template();
  assertError(await M.owner('POST', '/staff/redemptions', { coupon_code: await couponOf(tpl), store_id: p.store.id }), 403, 'forbidden', 'store_id');
});

test('a partner account works at exactly one partner store', async () => {
  const p1 = await newStore({ name: unique('合作甲'), kind: 'partner' });
  const p2 = await newStore({ name: unique('合作乙'), kind: 'partner' });
  const acc = (extra) => ({ username: unique('pa'), name: '合作店员', role: 'partner', password: PW, ...extra });
  const before = await count(`SELECT COUNT(*) FROM staff WHERE merchant_id = ${M.id}`);
  for (const body of [acc({}), acc({ store_ids: [] }), acc({ store_ids: [M.own] }), acc({ store_ids: [p1.id, p2.id] }),
    acc({ store_ids: [p1.id, M.own] })]) {
    assertError(await M.owner('POST', '/staff/accounts', body), 400, 'invalid_field', 'store_ids');
  }
  // a partner store is for partner accounts only
  for (const role of ['cashier', 'marketing']) {
    assertError(await M.owner('POST', '/staff/accounts', { ...acc({ store_ids: [p1.id] }), role }), 400, 'invalid_field', 'store_ids');
  }
  assertError(await M.owner('POST', '/staff/accounts', { ...acc({}), role: 'partnr' }), 400, 'invalid_field', 'role');
  assert.equal(await count(`SELECT COUNT(*) FROM staff WHERE merchant_id = ${M.id}`), before);
  const r = await M.owner('POST', '/staff/accounts', acc({ store_ids: [p1.id] }));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.staff.role, 'partner');
  assert.deepEqual(r.json.data.staff.store_ids, [p1.id]);
  const id = r.json.data.staff.id;
  // changes keep the rule: no second store, no own store, no cashier at a partner store
  assertError(await M.owner('PATCH', `/staff/accounts/${id}`, { store_ids: [p1.id, p2.id] }), 400, 'invalid_field', 'store_ids');
  assertError(await M.owner('PATCH', `/staff/accounts/${id}`, { store_ids: [M.own] }), 400, 'invalid_field', 'store_ids');
  assertError(await M.owner('PATCH', `/staff/accounts/${id}`, { role: 'cashier' }), 400, 'invalid_field', 'store_ids');
  let u = await M.owner('PATCH', `/staff/accounts/${id}`, { store_ids: [p2.id] });
  assert.equal(u.status, 200, u.text);
  assert.deepEqual(u.json.data.staff.store_ids, [p2.id]);
  u = await M.owner('PATCH', `/staff/accounts/${id}`, { role: 'cashier', store_ids: [M.own] });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.data.staff.role, 'cashier');
  // and back: a cashier becomes a partner only with a partner store
  assertError(await M.owner('PATCH', `/staff/accounts/${id}`, { role: 'partner' }), 400, 'invalid_field', 'store_ids');
  // another merchant's store is unknown here
  const [[demoStore]] = await sql("SELECT s.id FROM stores s JOIN merchants mc ON mc.id = s.merchant_id WHERE mc.code = 'demo' ORDER BY s.id LIMIT 1");
  assertError(await M.owner('POST', '/staff/accounts', acc({ store_ids: [Number(demoStore)] })), 400, 'invalid_field', 'store_ids[0]');
});

// ---- sharing and redemption ----------------------------------------------

test('the owner shares a template with partner stores; others may not', async () => {
  const p = await newPartner();
  const tpl = await template();
  let g = await M.marketing('GET', `/staff/coupon-templates/${tpl.id}/partners`);
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json.data, { template_id: tpl.id, store_ids: [] });
  assertError(await M.marketing('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id] }), 403, 'forbidden');
  assertError(await M.cashier('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id] }), 403, 'forbidden');
  assertError(await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [M.own] }), 400, 'invalid_field', 'store_ids[0]');
  assertError(await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id, p.store.id] }), 400, 'invalid_field', 'store_ids[1]');
  assertError(await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: 'all' }), 400, 'invalid_field', 'store_ids');
  assertError(await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, {}), 400, 'invalid_field', 'store_ids');
  assertError(await M.owner('PUT', '/staff/coupon-templates/999999999/partners', { store_ids: [p.store.id] }), 404, 'not_found');
  // tenant isolation: a demo store and a demo template are unknown here
  const [[demoStore]] = await sql("SELECT s.id FROM stores s JOIN merchants mc ON mc.id = s.merchant_id WHERE mc.code = 'demo' AND s.kind = 'partner' LIMIT 1");
  assertError(await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [Number(demoStore)] }), 400, 'invalid_field', 'store_ids[0]');
  const [[demoTpl]] = await sql("SELECT t.id FROM coupon_templates t JOIN merchants mc ON mc.id = t.merchant_id WHERE mc.code = 'demo' LIMIT 1");
  assertError(await M.owner('PUT', `/staff/coupon-templates/${demoTpl}/partners`, { store_ids: [p.store.id] }), 404, 'not_found');
  assertError(await M.owner('GET', `/staff/coupon-templates/${demoTpl}/partners`), 404, 'not_found');
  assert.equal(await count(`SELECT COUNT(*) FROM coupon_template_partners WHERE template_id = ${tpl.id}`), 0);

  const r = await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { template_id: tpl.id, store_ids: [p.store.id] });
  const t = await M.owner('GET', `/staff/coupon-templates/${tpl.id}`);
  assert.deepEqual(t.json.data.partner_store_ids, [p.store.id]);
  const list = await M.marketing('GET', '/staff/coupon-templates?limit=100');
  assert.deepEqual(list.json.data.find((x) => x.id === tpl.id).partner_store_ids, [p.store.id]);
  assert.ok(list.json.data.filter((x) => x.id !== tpl.id).every((x) => !x.partner_store_ids.includes(p.store.id)));
  // [] shares with none
  const none = await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [] });
  assert.deepEqual(none.json.data.store_ids, []);
  assert.equal(await count(`SELECT COUNT(*) FROM coupon_template_partners WHERE template_id = ${tpl.id}`), 0);
});

test('a partner redeems a shared template\'s coupon at its store, recorded with it, in the template\'s use per store', async () => {
  const p = await newPartner();
  // usable at the first own store only: sharing opens it at the partner's
  const tpl = await template({ store_ids: [M.own], value_fen: 800, kind: 'threshold', threshold_fen: 3000 });
  assert.equal((await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id] })).status, 200);
  const code = await couponOf(tpl);
  const own = await couponOf(tpl);

  // the partner looks it up: the coupon, nothing of the member
  const look = await p.call('GET', `/staff/coupons/${code}?store_id=${p.store.id}&order_fen=3500`);
  assert.equal(look.status, 200, look.text);
  assert.equal(look.json.data.coupon.code, code);
  assert.equal(look.json.data.member, null);
  assert.equal(look.json.data.check.ok, true);
  assert.equal(look.json.data.check.discount_fen, 800);

  assertError(await p.call('POST', '/staff/redemptions', { coupon_code: code, store_id: p.store.id, order_fen: 2000 }), 409, 'threshold_not_met');
  // not at another store than its own
  assertError(await p.call('POST', '/staff/redemptions', { coupon_code: code, store_id: M.own, order_fen: 3500 }), 403, 'forbidden');
  const r = await p.call('POST', '/staff/redemptions', { coupon_code: code, store_id: p.store.id, order_fen: 3500 },
    { 'Idempotency-Key': unique('k') });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.redemption.store_id, p.store.id);
  assert.equal(r.json.data.redemption.discount_fen, 800);
  assert.equal(r.json.data.redemption.payable_fen, 2700);
  const [row] = await sql(`SELECT status, used_store_id, used_staff_id, discount_fen FROM coupons WHERE merchant_id = ${M.id} AND code = '${code}'`);
  assert.deepEqual(row, ['used', String(p.store.id), String(p.staff.id), '800']);
  assertError(await p.call('POST', '/staff/redemptions', { coupon_code: code, store_id: p.store.id, order_fen: 3500 }), 409, 'already_used');

  // the cashier redeems the other at the own store: the template's use per store shows both
  assert.equal((await M.cashier('POST', '/staff/redemptions', { coupon_code: own, store_id: M.own, order_fen: 3000 })).status, 200);
  const t = await M.marketing('GET', `/staff/coupon-templates/${tpl.id}`);
  assert.equal(t.status, 200, t.text);
  assert.equal(t.json.data.used, 2);
  const by = Object.fromEntries(t.json.data.used_by_store.map((x) => [x.store_id, x]));
  assert.deepEqual(by[p.store.id], { store_id: p.store.id, store_name: p.store.name, kind: 'partner', used: 1, discount_fen: 800 });
  assert.equal(by[M.own].kind, 'own');
  assert.equal(by[M.own].used, 1);

  // the partner's own list
  const mine = await p.call('GET', '/staff/redemptions');
  assert.equal(mine.status, 200, mine.text);
  assert.equal(mine.json.data.length, 1);
  assert.equal(mine.json.data[0].coupon_code, code);
  assert.equal(mine.json.data[0].store_id, p.store.id);
  assert.equal(mine.json.data[0].store_name, p.store.name);
  assert.equal(mine.json.data[0].discount_fen, 800);
});

test('a partner cannot redeem nor see a coupon of a template not shared with it', async () => {
  const p = await newPartner();
  const other = await newPartner();
  const tpl = await template();
  const sharedElsewhere = await template();
  await M.owner('PUT', `/staff/coupon-templates/${sharedElsewhere.id}/partners`, { store_ids: [other.store.id] });
  const a = await couponOf(tpl);
  const b = await couponOf(sharedElsewhere);
  const none = await p.call('POST', '/staff/redemptions', { coupon_code: 'ZZZZZZZZZZZZ', store_id: p.store.id });
  assertError(none, 404, 'not_found');
  for (const code of [a, b]) {
    const r = await p.call('POST', '/staff/redemptions', { coupon_code: code, store_id: p.store.id });
    assertError(r, 404, 'not_found');
    // told exactly what an unknown code is told: nothing about the coupon
    assert.deepEqual(r.json, none.json);
    assert.doesNotMatch(r.text, new RegExp(tpl.name));
    const look = await p.call('GET', `/staff/coupons/${code}?store_id=${p.store.id}`);
    assertError(look, 404, 'not_found');
    assert.doesNotMatch(look.text, /member|phone/);
  }
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE merchant_id = ${M.id} AND code IN ('${a}', '${b}') AND status = 'unused'`), 2);
  // shared, then unshared: refused again
  await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id] });
  assert.equal((await p.call('GET', `/staff/coupons/${a}?store_id=${p.store.id}`)).status, 200);
  await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [] });
  assertError(await p.call('POST', '/staff/redemptions', { coupon_code: a, store_id: p.store.id }), 404, 'not_found');
  // a closed partner store redeems nothing
  await M.owner('PUT', `/staff/coupon-templates/${tpl.id}/partners`, { store_ids: [p.store.id] });
  await M.owner('PATCH', `/staff/stores/${p.store.id}`, { active: false });
  assertError(await p.call('POST', '/staff/redemptions', { coupon_code: a, store_id: p.store.id }), 400, 'invalid_field', 'store_id');
  assert.equal((await sql(`SELECT status FROM coupons WHERE merchant_id = ${M.id} AND code = '${a}'`))[0][0], 'unused');
});

test('members neither order nor see a menu at a partner store', async () => {
  const p = await newPartner();
  const prod = await M.owner('POST', '/staff/products', { name: unique('拿铁'), price_fen: 2000 });
  assert.equal(prod.status, 201, prod.text);
  const mb = await member();
  const body = (store) => ({ store_id: store, lines: [{ product_id: prod.json.data.id, qty: 1 }], use_balance: false });
  const before = await count(`SELECT COUNT(*) FROM orders WHERE merchant_id = ${M.id}`);
  const q = await api('POST', m('/me/orders/quote', M.code), { token: mb.token, body: body(p.store.id) });
  assertError(q, 400, 'invalid_field', 'store_id');
  const c = await api('POST', m('/me/orders', M.code), {
    token: mb.token, body: { ...body(p.store.id), quote_hash: '0'.repeat(64) },
    headers: { 'idempotency-key': unique('o') },
  });
  assertError(c, 400, 'invalid_field', 'store_id');
  assert.equal(await count(`SELECT COUNT(*) FROM orders WHERE merchant_id = ${M.id}`), before);
  assertError(await api('GET', m(`/products?store_id=${p.store.id}`, M.code), { token: mb.token }), 400, 'invalid_field', 'store_id');
  assert.equal((await api('GET', m(`/products?store_id=${M.own}`, M.code), { token: mb.token })).status, 200);
});

test('a quote refuses the store its commit refuses: unknown, closed, a partner store, a cashier\'s other store', async () => {
  const p = await newPartner();
  const closed = await newStore({ name: unique('停业店') });
  const off = await M.owner('PATCH', `/staff/stores/${closed.id}`, { active: false });
  assert.equal(off.status, 200, off.text);
  const mb = await member();
  const lines = [{ name: '拿铁', price_fen: 2000, qty: 1 }];
  const same = (q, c, what) => {
    assert.ok(q.status >= 400, `${what}: the quote is refused too: ${q.text}`);
    assert.deepEqual([q.status, q.json.error.code, q.json.error.field, q.json.error.message],
      [c.status, c.json.error.code, c.json.error.field, c.json.error.message], what);
  };
  const staffBoth = async (call, store, what) => {
    const body = { store_id: store, lines, tenders: [{ kind: 'cash' }] };
    const q = await call('POST', '/staff/orders/quote', body);
    const c = await call('POST', '/staff/orders', { ...body, quote_hash: '0'.repeat(64) }, { 'idempotency-key': unique('o') });
    same(q, c, what);
  };
  const meBoth = async (store, what) => {
    const body = { store_id: store, lines: [{ product_id: 1, qty: 1 }], use_balance: false };
    const q = await api('POST', m('/me/orders/quote', M.code), { token: mb.token, body });
    const c = await api('POST', m('/me/orders', M.code), {
      token: mb.token, body: { ...body, quote_hash: '0'.repeat(64) }, headers: { 'idempotency-key': unique('o') },
    });
    same(q, c, what);
  };
  for (const [who, call] of [['owner', M.owner], ['marketing', M.marketing], ['cashier', M.cashier]]) {
    await staffBoth(call, 999999999, `${who}: unknown store`);
    await staffBoth(call, closed.id, `${who}: closed store`);
    await staffBoth(call, p.store.id, `${who}: partner store`);
  }
  await staffBoth(M.cashier, M.own2, 'cashier: a store not its own');
  await meBoth(999999999, 'member: unknown store');
  await meBoth(closed.id, 'member: closed store');
  await meBoth(p.store.id, 'member: partner store');
  // the stores that are right still quote
  const ok = await M.cashier('POST', '/staff/orders/quote', { store_id: M.own, lines, tenders: [{ kind: 'cash' }] });
  assert.equal(ok.status, 200, ok.text);
});

test('a partner store is refused where a merchant\'s own store is meant: templates, products, count cards, the card, scratch cards', async () => {
  const p = await newPartner();
  const prod = await M.owner('POST', '/staff/products', { name: unique('美式'), price_fen: 1800 });
  assert.equal(prod.status, 201, prod.text);
  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const cases = [
    ['POST', '/staff/coupon-templates', { name: unique('门店券'), kind: 'instant', value_fen: 100, stock: null,
      per_member_limit: 1, valid_days: 30, status: 'active' }],
    ['POST', '/staff/products', { name: unique('摩卡'), price_fen: 2200 }],
    ['PATCH', `/staff/products/${prod.json.data.id}`, {}],
    ['POST', '/staff/count-card-products', { name: unique('十次卡'), uses: 10, price_fen: 10000,
      validity: { kind: 'days', days: 30 }, product_ids: [prod.json.data.id] }],
    ['PUT', '/staff/settings/card', { name: '合作测试卡', validity: { kind: 'permanent' } }],
    ['POST', '/staff/scratch-campaigns', { name: unique('刮刮乐'), min_order_fen: 5000,
      starts_at: iso(Date.now() - 3600e3), ends_at: iso(Date.now() + 86400e3), daily_cap: 3, none_weight: 0,
      prizes: [{ kind: 'bonus', bonus_fen: 100, weight: 1, stock: 10 }] }],
  ];
  for (const [method, path, body] of cases) {
    const r = await M.owner(method, path, { ...body, store_ids: [M.own, p.store.id] });
    assertError(r, 400, 'invalid_field');
    assert.match(r.json.error.field, /^store_ids(\[1\])?$/, `${method} ${path}: ${r.text}`);
    // the merchant's own stores alone are taken
    const ok = await M.owner(method, path, { ...body, store_ids: [M.own] });
    assert.ok(ok.status === 200 || ok.status === 201, `${method} ${path}: ${ok.text}`);
  }
  const [[card]] = await sql(`SELECT card_store_ids FROM merchants WHERE id = ${M.id}`);
  assert.deepEqual(JSON.parse(card), [M.own]);
});

// ---- the partner and every other staff route ------------------------------

function appRoutes() {
  return new Promise((resolve, reject) => {
    execFile(APP, ['routes'], { env: { ...process.env, APP_ENV: 'test' } }, (err, stdout, stderr) => {
      if (err) { reject(new Error(stderr || err.message)); return; }
      resolve(stdout.split('\n').filter(Boolean).map((l) => {
        const [method, pattern, flags] = l.trim().split(/\s+/);
        return { method, pattern, flags: new Set(flags.split('|')) };
      }));
    });
  });
}

// What a partner may call: the rest of the staff API answers it 403.
const PARTNER_ROUTES = [
  'GET /api/v1/m/:merchant/staff/coupons/:code',
  'GET /api/v1/m/:merchant/staff/me',
  'GET /api/v1/m/:merchant/staff/redemptions',
  'GET /api/v1/m/:merchant/staff/stores',
  'POST /api/v1/m/:merchant/staff/logout',
  'POST /api/v1/m/:merchant/staff/redemptions',
];

test('a partner gets 403 from every staff route but its six (members, orders, stats, settings...)', async () => {
  const p = await newPartner();
  const staffRoutes = (await appRoutes()).filter((r) => r.flags.has('AUTH_STAFF'));
  assert.ok(staffRoutes.length > 50, `only ${staffRoutes.length} staff routes`);
  const allowed = staffRoutes.filter((r) => r.flags.has('ROLE_PARTNER')).map((r) => `${r.method} ${r.pattern}`).sort();
  assert.deepEqual(allowed, PARTNER_ROUTES);
  const refused = [];
  for (const r of staffRoutes) {
    const key = `${r.method} ${r.pattern}`;
    if (key === 'POST /api/v1/m/:merchant/staff/logout') continue; // would end the session
    const path = r.pattern.replace(':merchant', M.code).replace(/:[a-z_]+/g, '1');
    const res = await api(r.method, path, { token: p.token, body: r.method === 'GET' ? undefined : {} });
    if (PARTNER_ROUTES.includes(key)) {
      assert.notEqual(res.status, 403, `${key}: ${res.text}`);
    } else if (res.status !== 403 || res.json?.error?.code !== 'forbidden') {
      refused.push(`${key}: ${res.status} ${res.text.slice(0, 120)}`);
    }
  }
  assert.deepEqual(refused, [], 'answered a partner');
  // the ones named in the brief, plainly
  for (const path of ['/staff/members', '/staff/orders', '/staff/stats/coupons', '/staff/settings/card', '/staff/accounts', '/staff/coupon-templates']) {
    assertError(await p.call('GET', path), 403, 'forbidden');
  }
  // its session still works (logout was not called), and its stores are its one
  const st = await p.call('GET', '/staff/stores');
  assert.deepEqual(st.json.data.map((s) => s.id), [p.store.id]);
  assertError(await p.call('GET', '/staff/stores?all=1'), 403, 'forbidden');
  // a partner's token is nothing under another merchant
  assertError(await api('GET', m('/staff/me', 'demo'), { token: p.token }), 403, 'forbidden');
});

test('the demo merchant has its partner bakery with a shared template', async () => {
  const d = await staffLogin('demo', 'partner', PW);
  assert.equal(d.staff.role, 'partner');
  assert.equal(d.staff.store_ids.length, 1);
  const [[kind, name]] = await sql(`SELECT kind, name FROM stores WHERE id = ${d.staff.store_ids[0]}`);
  assert.equal(kind, 'partner');
  assert.match(name, /异业合作/);
  assert.ok(await count(`SELECT COUNT(*) FROM coupon_template_partners WHERE store_id = ${d.staff.store_ids[0]}`) >= 1);
});
