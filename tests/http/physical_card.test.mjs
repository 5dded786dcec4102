// Physical cards and the payment PIN through nginx and MariaDB: binding a
// card (owner, audited, unique per merchant, rebinding frees the old
// number), the member setting its PIN on the phone, the counter scan by
// card (with the right PIN a ticket like a member code's; without a PIN a
// ticket that pays nothing from the balance; a wrong PIN counted, five in
// a row lock it, concurrent wrong tries all counted), and the reset;
// unbinding a card (owner, audited, the number free for another member,
// the card finding no one at the counter).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { api, m, sql, parallel } from './lib.mjs';
import { newMember, fund, idemKey, accounts, staff, storeIds } from './wallet_helpers.mjs';

let owner, marketing, cashier, stores;

before(async () => {
  owner = await staff('demo', 'owner');
  marketing = await staff('demo', 'marketing');
  cashier = await staff('demo', 'cashier');
  stores = await storeIds();
});

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no codes in messages');
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
}

/** A card number no other test uses: 12 digits after a letter. */
function cardNo() {
  return `T${String(randomInt(0, 1e12)).padStart(12, '0')}`;
}

function bind(st, id, card_no) {
  return st.call('POST', `/staff/members/${id}/physical-card`, { card_no });
}

function setPin(mem, body) {
  return api('PUT', m('/me/pin'), { token: mem.token, body });
}

function scanCard(body) {
  return owner.call('POST', '/staff/scan', { store_id: stores[0], ...body });
}

async function fails(id) {
  return Number((await sql(`SELECT pin_fails FROM members WHERE id = ${id}`))[0][0]);
}

/** A member with a balance, a bound card and a PIN. */
async function cardMember(pin = '246813') {
  const mem = await newMember();
  await fund(mem, { pay_fen: 5000 });
  mem.card = cardNo();
  assert.equal((await bind(owner, mem.id, mem.card)).status, 200);
  assert.equal((await setPin(mem, { pin })).status, 200);
  mem.pin = pin;
  return mem;
}

test('binding a card: owner only, format, unique per merchant, rebinding frees the old number, audited', async () => {
  const a = await newMember();
  const b = await newMember();
  const no = cardNo();
  for (const bad of ['12345', 'ABC_12345', '1'.repeat(21), '卡号123456']) {
    assertError(await bind(owner, a.id, bad), 400, 'invalid_field', 'card_no');
  }
  assertError(await bind(marketing, a.id, no), 403, 'forbidden');
  assertError(await bind(cashier, a.id, no), 403, 'forbidden');
  // spaces, dashes and small letters are read as the same number
  let r = await bind(owner, a.id, `${no.slice(0, 4).toLowerCase()}-${no.slice(4, 8)} ${no.slice(8)}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.card_no, no);
  assertError(await bind(owner, b.id, no), 409, 'card_bound', 'card_no');
  assert.equal((await sql(`SELECT physical_card_no IS NULL FROM members WHERE id = ${b.id}`))[0][0], '1');
  // the same card again is no change; a new one replaces it and frees the old
  assert.equal((await bind(owner, a.id, no)).status, 200);
  const no2 = cardNo();
  r = await bind(owner, a.id, no2);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.old_card_no, no);
  r = await bind(owner, b.id, no);
  assert.equal(r.status, 200, r.text);
  const rows = await sql(`SELECT JSON_VALUE(detail, '$.card_no'), JSON_VALUE(detail, '$.old_card_no')
    FROM audit_log WHERE target = 'member:${a.id}' AND action = 'member.card' ORDER BY id`);
  assert.deepEqual(rows, [[no, 'NULL'], [no, no], [no2, no]]);
  assertError(await bind(owner, 999999999, cardNo()), 404, 'not_found');
  const d = await owner.call('GET', `/staff/members/${a.id}`);
  assert.equal(d.json.data.holds.physical_card_no, no2);
});

test('the member sets and changes the PIN on the phone; weak or malformed PINs are refused', async () => {
  const mem = await newMember();
  for (const [pin, field] of [['12345', 'pin'], ['12345a', 'pin'], ['123456', 'pin'], ['888888', 'pin'], ['987654', 'pin']]) {
    assertError(await setPin(mem, { pin }), 400, 'invalid_field', field);
  }
  assert.equal((await api('GET', m('/me/pin'), { token: mem.token })).json.data.pin_set, false);
  let r = await setPin(mem, { pin: '135790' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.pin_set, true);
  const [[hash]] = await sql(`SELECT pin_hash FROM members WHERE id = ${mem.id}`);
  assert.match(hash, /^\$argon2id\$/, 'hashed with crypto_pwhash_str');
  assertError(await setPin(mem, { pin: '246813' }), 400, 'invalid_field', 'old_pin');
  r = await setPin(mem, { pin: '246813', old_pin: '000001' });
  assertError(r, 403, 'invalid_pin', 'old_pin');
  assert.match(r.json.error.message, /还可再试 4 次/);
  r = await setPin(mem, { pin: '246813', old_pin: '135790' });
  assert.equal(r.status, 200, r.text);
  assert.equal(await fails(mem.id), 0);
  assert.equal((await api('PUT', m('/me/pin'), { token: owner.token, body: { pin: '246813' } })).status, 403);
  // the page
  const page = await api('GET', '/m/demo/pin', { headers: { cookie: `sid=${mem.token}` } });
  assert.equal(page.status, 200);
  assert.match(page.text, /修改密码/);
  assert.match(page.text, /id="pin-old"/);
});

test('a card with the right PIN is a ticket like a member code; without one it pays nothing from the balance', async () => {
  const mem = await cardMember();
  // no PIN: the member for points and coupons, the balance refused with a clear error
  let s = await scanCard({ card_no: mem.card });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.data.member.id, mem.id);
  assert.equal(s.json.data.via, 'card');
  assert.equal(s.json.data.balance_usable, false);
  const before = await accounts(mem.id);
  let r = await owner.call('POST', '/staff/payments', { ticket: s.json.data.ticket, order_fen: 1000 }, { 'idempotency-key': idemKey() });
  assertError(r, 409, 'pin_required', 'use_balance');
  assert.match(r.json.error.message, /支付密码/);
  const order = { store_id: stores[0], ticket: s.json.data.ticket, lines: [{ name: '散装咖啡豆', price_fen: 1200, qty: 1 }], coupon_codes: [] };
  r = await owner.call('POST', '/staff/orders/quote', { ...order, use_balance: true });
  assertError(r, 409, 'pin_required');
  // absent use_balance: the order is priced without the balance, the rest in cash
  r = await owner.call('POST', '/staff/orders', { ...order, tenders: [{ kind: 'cash' }] }, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.order.balance.principal_fen + r.json.data.order.balance.bonus_fen, 0);
  assert.deepEqual({ ...(await accounts(mem.id)), growth: 0, points: 0 }, { ...before, growth: 0, points: 0 }, 'the balance is untouched');

  // the right PIN: the balance pays
  s = await scanCard({ card_no: mem.card, pin: mem.pin });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.data.balance_usable, true);
  r = await owner.call('POST', '/staff/payments', { ticket: s.json.data.ticket, order_fen: 1000 }, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.payment.paid_fen, 1000);
  // an unknown card and a body with both ways
  assertError(await scanCard({ card_no: cardNo(), pin: '135790' }), 404, 'not_found', 'card_no');
  assertError(await scanCard({ card_no: 'x' }), 400, 'invalid_field', 'card_no');
  assertError(await owner.call('POST', '/staff/scan', { store_id: stores[0] }), 400, 'invalid_field', 'member_code');
  const [[via]] = await sql(`SELECT detail FROM audit_log WHERE target = 'member:${mem.id}' AND action = 'member.scan' ORDER BY id DESC LIMIT 1`);
  assert.equal(via, 'card+pin');
});

test('five wrong PINs lock the card; the right PIN is refused while locked; the member resets it', async () => {
  const mem = await cardMember();
  for (let i = 1; i <= 4; i++) {
    const r = await scanCard({ card_no: mem.card, pin: '000001' });
    assertError(r, 403, 'invalid_pin', 'pin');
    assert.match(r.json.error.message, new RegExp(`还可再试 ${5 - i} 次`));
  }
  assertError(await scanCard({ card_no: mem.card, pin: '000001' }), 409, 'pin_locked', 'pin');
  assert.equal(await fails(mem.id), 5);
  const r = await scanCard({ card_no: mem.card, pin: mem.pin });
  assertError(r, 409, 'pin_locked', 'pin');
  assert.match(r.json.error.message, /手机上重新设置/);
  assert.equal(await fails(mem.id), 5, 'a try while locked counts nothing');
  const st = (await api('GET', m('/me/pin'), { token: mem.token })).json.data;
  assert.equal(st.pin_locked, true);
  assert.match((await api('GET', '/m/demo/pin', { headers: { cookie: `sid=${mem.token}` } })).text, /已锁定/);
  // locked: a new PIN without the old one unlocks
  const set = await setPin(mem, { pin: '975318' });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.data.pin_locked, false);
  assertError(await scanCard({ card_no: mem.card, pin: mem.pin }), 403, 'invalid_pin');
  const ok = await scanCard({ card_no: mem.card, pin: '975318' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(await fails(mem.id), 0, 'the right PIN starts the count again');
});

test('concurrent wrong PINs are all counted, never past the lock', async () => {
  const mem = await cardMember();
  let res = await parallel(4, () => scanCard({ card_no: mem.card, pin: '000001' }));
  assert.deepEqual(res.map((r) => r.status), [403, 403, 403, 403], res.map((r) => r.text).join('\n'));
  assert.equal(await fails(mem.id), 4, 'no lost increments');
  await setPin(mem, { pin: '135791', old_pin: mem.pin });
  assert.equal(await fails(mem.id), 0);
  res = await parallel(8, () => scanCard({ card_no: mem.card, pin: '000001' }));
  assert.ok(res.every((r) => r.status === 403 || r.status === 409), res.map((r) => r.status).join());
  assert.ok(res.some((r) => r.status === 409 && r.json.error.code === 'pin_locked'));
  assert.equal(await fails(mem.id), 5);
  assertError(await scanCard({ card_no: mem.card, pin: '135791' }), 409, 'pin_locked');
});

test('a card of a member without a PIN: the scan says to set one, balance refused', async () => {
  const mem = await newMember();
  const no = cardNo();
  assert.equal((await bind(owner, mem.id, no)).status, 200);
  assertError(await scanCard({ card_no: no, pin: '135790' }), 409, 'pin_not_set', 'pin');
  const s = await scanCard({ card_no: no });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.data.balance_usable, false);
});

test('the member list finds a member by the bound physical card, typed as printed; an unbound number finds none', async () => {
  const mem = await cardMember();
  const card = (await sql(`SELECT card_no FROM members WHERE id = ${mem.id}`))[0][0];
  const printed = `${mem.card.slice(0, 5).toLowerCase()}-${mem.card.slice(5)}`;
  for (const q of [mem.card, printed]) {
    const r = await owner.call('GET', `/staff/members?q=${encodeURIComponent(q)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data.map((x) => x.id), [mem.id], q);
    assert.equal(r.json.data[0].card_no, card);
  }
  const none = await owner.call('GET', `/staff/members?q=${cardNo()}`);
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.json.data, []);
  // the membership card number still finds the member
  const byCard = await owner.call('GET', `/staff/members?q=${card}`);
  assert.deepEqual(byCard.json.data.map((x) => x.id), [mem.id]);
});

test('unbinding a card: owner only, audited, the number free again, the card finds no one at the counter', async () => {
  const a = await cardMember();
  const b = await newMember();
  const unbind = (st, id, body = {}) => st.call('POST', `/staff/members/${id}/physical-card/unbind`, body);
  assertError(await unbind(marketing, a.id), 403, 'forbidden');
  assertError(await unbind(cashier, a.id), 403, 'forbidden');
  assertError(await unbind(owner, 999999999), 404, 'not_found');
  assertError(await unbind(owner, b.id), 409, 'conflict');
  let r = await unbind(owner, a.id, { reason: '会员挂失' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { card_no: null, old_card_no: a.card, reason: '会员挂失', member_id: a.id });
  assert.equal((await sql(`SELECT physical_card_no IS NULL FROM members WHERE id = ${a.id}`))[0][0], '1');
  assertError(await unbind(owner, a.id), 409, 'conflict');
  const [[action, detail]] = await sql(`SELECT action, detail FROM audit_log WHERE target = 'member:${a.id}'
    AND action = 'member.card_unbind'`);
  assert.equal(action, 'member.card_unbind');
  assert.equal(JSON.parse(detail).old_card_no, a.card);
  // the card finds no one now; its number can go to another member
  assertError(await scanCard({ card_no: a.card, pin: a.pin }), 404, 'not_found', 'card_no');
  r = await bind(owner, b.id, a.card);
  assert.equal(r.status, 200, r.text);
  const d = await owner.call('GET', `/staff/members/${a.id}`);
  assert.equal(d.json.data.holds.physical_card_no, null);
  assert.ok(d.json.data.holds.staff_actions.some((x) => x.action === 'member.card_unbind'), 'listed among the staff actions');
});
