// settings/checkout (收银与退款) on merchant demo2, whose checkout settings
// are this file's own (it puts the defaults back when done): the defaults
// of a merchant that never saved, a round trip to the table and back,
// every validation error naming its field with a Chinese message and
// changing nothing, and who may read and change them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, m as mm, sql, uniquePhone, signIn, join } from './lib.mjs';
import { staff, CHECKOUT_DEFAULTS as DEFAULTS } from './wallet_helpers.mjs';

const M = 'demo2';
const PATH = '/staff/settings/checkout';
const SAVED = {
  tier_discount_with_member_price: true,
  tier_discount_only_if_balance_covers: true,
  max_stackable: 5,
  points_to_cash: { enabled: false, points_per_yuan: 250, max_pct: 30, max_points: 8000 },
  coupon_return: { on_cancel: false, on_refund_before_complete: false, on_refund_after_complete: true },
  refund_approval_over_fen: 50000,
  unpaid_expiry_min: 45,
};
const COLUMNS = 'tier_with_member_price, tier_only_if_balance, max_stackable, points_enabled, points_per_yuan,'
  + ' points_max_pct, points_max_points, return_on_cancel, return_before_complete, return_after_complete,'
  + ' refund_approval_over_fen, unpaid_expiry_min';

const clone = (o) => JSON.parse(JSON.stringify(o));
let owner, merchantId;

async function row() {
  return sql(`SELECT ${COLUMNS} FROM checkout_settings WHERE merchant_id = ${merchantId}`);
}

async function audits() {
  return Number((await sql(`SELECT COUNT(*) FROM audit_log WHERE merchant_id = ${merchantId}
    AND action = 'settings.checkout'`))[0][0]);
}

before(async () => {
  owner = await staff(M, 'owner');
  merchantId = Number((await sql(`SELECT id FROM merchants WHERE code = '${M}'`))[0][0]);
});

after(async () => {
  const r = await owner.call('PUT', PATH, DEFAULTS);
  assert.equal(r.status, 200, r.text);
});

test('a merchant that never saved reads the defaults', async () => {
  // no row: as a merchant that never opened the settings
  await sql(`DELETE FROM checkout_settings WHERE merchant_id = ${merchantId}`);
  const r = await owner.call('GET', PATH);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, DEFAULTS);
  assert.deepEqual(await row(), [], 'reading writes nothing');
});

test('PUT replaces the whole settings: answered, stored, read back, audited', async () => {
  const n = await audits();
  const r = await owner.call('PUT', PATH, SAVED);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, SAVED);
  assert.deepEqual((await owner.call('GET', PATH)).json.data, SAVED);
  assert.deepEqual(await row(), [['1', '1', '5', '0', '250', '30', '8000', '0', '0', '1', '50000', '45']]);
  assert.equal(await audits(), n + 1);
  const [[target, detail]] = await sql(`SELECT target, detail FROM audit_log WHERE merchant_id = ${merchantId}
    AND action = 'settings.checkout' ORDER BY id DESC LIMIT 1`);
  assert.equal(target, 'merchant:checkout');
  assert.deepEqual(JSON.parse(detail), SAVED);

  // the two that may be null: absent and null alike mean no cap, no approval
  const open = clone(SAVED);
  delete open.points_to_cash.max_points;
  open.refund_approval_over_fen = null;
  const o = await owner.call('PUT', PATH, open);
  assert.equal(o.status, 200, o.text);
  assert.equal(o.json.data.points_to_cash.max_points, null);
  assert.equal(o.json.data.refund_approval_over_fen, null);
  const [stored] = await row();
  assert.deepEqual([stored[6], stored[10]], ['NULL', 'NULL']);

  // the ends of every range are accepted (and fit the table's CHECK)
  for (const edge of [
    { max_stackable: 1, points_to_cash: { enabled: true, points_per_yuan: 1, max_pct: 0, max_points: 1 },
      refund_approval_over_fen: 1, unpaid_expiry_min: 1 },
    { max_stackable: 16, points_to_cash: { enabled: true, points_per_yuan: 10000, max_pct: 100, max_points: 100000000 },
      refund_approval_over_fen: 100000000, unpaid_expiry_min: 1440 },
  ]) {
    const body = { ...SAVED, ...edge };
    const e = await owner.call('PUT', PATH, body);
    assert.equal(e.status, 200, e.text);
    assert.deepEqual(e.json.data, body);
    assert.deepEqual((await owner.call('GET', PATH)).json.data, body);
  }
  // unknown fields are ignored
  const extra = await owner.call('PUT', PATH, { ...SAVED, colour: 'red', points_to_cash: { ...SAVED.points_to_cash, x: 1 } });
  assert.equal(extra.status, 200, extra.text);
  assert.deepEqual(extra.json.data, SAVED);
});

/* [what is changed in a valid body, the field the error names] */
function set(path, value) {
  return (b) => {
    const keys = path.split('.');
    const last = keys.pop();
    const o = keys.reduce((x, k) => x[k], b);
    if (value === undefined) delete o[last];
    else o[last] = value;
    return b;
  };
}
const BAD = [
  // missing
  ...['tier_discount_with_member_price', 'tier_discount_only_if_balance_covers', 'max_stackable', 'points_to_cash',
    'points_to_cash.enabled', 'points_to_cash.points_per_yuan', 'points_to_cash.max_pct', 'coupon_return',
    'coupon_return.on_cancel', 'coupon_return.on_refund_before_complete', 'coupon_return.on_refund_after_complete',
    'unpaid_expiry_min'].map((f) => [set(f, undefined), f, 'missing']),
  // null where null is not allowed
  [set('max_stackable', null), 'max_stackable'],
  [set('coupon_return.on_cancel', null), 'coupon_return.on_cancel'],
  // wrong types
  [set('tier_discount_with_member_price', 'yes'), 'tier_discount_with_member_price'],
  [set('tier_discount_only_if_balance_covers', 1), 'tier_discount_only_if_balance_covers'],
  [set('max_stackable', '3'), 'max_stackable'],
  [set('max_stackable', 2.5), 'max_stackable'],
  [set('max_stackable', true), 'max_stackable'],
  [set('points_to_cash', 'on'), 'points_to_cash'],
  [set('points_to_cash', [100]), 'points_to_cash'],
  [set('points_to_cash.enabled', 'true'), 'points_to_cash.enabled'],
  [set('points_to_cash.points_per_yuan', '100'), 'points_to_cash.points_per_yuan'],
  [set('points_to_cash.max_pct', 33.3), 'points_to_cash.max_pct'],
  [set('points_to_cash.max_points', 'none'), 'points_to_cash.max_points'],
  [set('coupon_return', true), 'coupon_return'],
  [set('coupon_return.on_refund_before_complete', 0), 'coupon_return.on_refund_before_complete'],
  [set('coupon_return.on_refund_after_complete', 'no'), 'coupon_return.on_refund_after_complete'],
  [set('refund_approval_over_fen', '500'), 'refund_approval_over_fen'],
  [set('refund_approval_over_fen', 99.5), 'refund_approval_over_fen'],
  [set('unpaid_expiry_min', [15]), 'unpaid_expiry_min'],
  // out of range, at both ends
  [set('max_stackable', 0), 'max_stackable'],
  [set('max_stackable', 17), 'max_stackable'],
  [set('points_to_cash.points_per_yuan', 0), 'points_to_cash.points_per_yuan'],
  [set('points_to_cash.points_per_yuan', 10001), 'points_to_cash.points_per_yuan'],
  [set('points_to_cash.max_pct', -1), 'points_to_cash.max_pct'],
  [set('points_to_cash.max_pct', 101), 'points_to_cash.max_pct'],
  [set('points_to_cash.max_points', 0), 'points_to_cash.max_points'],
  [set('points_to_cash.max_points', 100000001), 'points_to_cash.max_points'],
  [set('refund_approval_over_fen', 0), 'refund_approval_over_fen'],
  [set('refund_approval_over_fen', -100), 'refund_approval_over_fen'],
  [set('refund_approval_over_fen', 100000001), 'refund_approval_over_fen'],
  [set('unpaid_expiry_min', 0), 'unpaid_expiry_min'],
  [set('unpaid_expiry_min', 1441), 'unpaid_expiry_min'],
];

test('every validation error names its field in Chinese and changes nothing', async () => {
  const ok = await owner.call('PUT', PATH, SAVED);
  assert.equal(ok.status, 200, ok.text);
  const before = await row();
  const n = await audits();
  for (const [change, field, why] of BAD) {
    const body = change(clone(SAVED));
    const r = await owner.call('PUT', PATH, body);
    const what = `${field} ${why || JSON.stringify(body)}`;
    assert.equal(r.status, 400, `${what}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid_field', what);
    assert.equal(r.json.error.field, field, what);
    assert.match(r.json.error.message, /[\u4e00-\u9fff]/, `${what}: a Chinese message`);
    for (const key of field.split('.')) assert.ok(!r.json.error.message.includes(key), `${what}: no field name in "${r.json.error.message}"`);
    if (why === 'missing') assert.equal(r.json.error.message, '缺少必填项', what);
  }
  // numbers no double holds as an integer, and bodies that are no object
  for (const [raw, field] of [
    [JSON.stringify(SAVED).replace('"max_pct":30', '"max_pct":1e300'), 'points_to_cash.max_pct'],
    [JSON.stringify(SAVED).replace('"max_points":8000', '"max_points":-1e300'), 'points_to_cash.max_points'],
    [JSON.stringify(SAVED).replace('"unpaid_expiry_min":45', '"unpaid_expiry_min":9007199254740993'), 'unpaid_expiry_min'],
  ]) {
    const r = await api('PUT', mm(PATH, M), { token: owner.token, raw, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.field, field);
  }
  for (const raw of ['[]', '"x"', '{', '']) {
    const r = await api('PUT', mm(PATH, M), { token: owner.token, raw, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, `${raw}: ${r.text}`);
  }
  assert.deepEqual(await row(), before, 'the row is as it was');
  assert.deepEqual((await owner.call('GET', PATH)).json.data, SAVED);
  assert.equal(await audits(), n, 'no audit row for a refused change');
});

test('roles: owner and marketing; a cashier, a member and another merchant are refused', async () => {
  const ok = await owner.call('PUT', PATH, SAVED);
  assert.equal(ok.status, 200, ok.text);
  const before = await row();
  const changed = { ...SAVED, max_stackable: 2 };

  const cashier = await staff(M, 'cashier');
  assert.equal((await cashier.call('PUT', PATH, changed)).status, 403);
  assert.equal((await cashier.call('GET', PATH)).status, 403);

  const phone = uniquePhone();
  const memberToken = await signIn(M, phone);
  await join(M, memberToken);
  for (const method of ['GET', 'PUT']) {
    const r = await api(method, mm(PATH, M), { token: memberToken, body: method === 'PUT' ? changed : undefined });
    assert.equal(r.status, 403, `member ${method}: ${r.text}`);
    assert.equal(r.json.error.code, 'forbidden');
  }

  const other = await staff('demo', 'owner');	// of another merchant
  for (const method of ['GET', 'PUT']) {
    const r = await api(method, mm(PATH, M), { token: other.token, body: method === 'PUT' ? changed : undefined });
    assert.equal(r.status, 403, `demo's owner ${method} on demo2: ${r.text}`);
  }
  assert.equal((await api('PUT', mm(PATH, M), { body: changed })).status, 401);
  // the cookie without the CSRF header
  const nocsrf = await api('PUT', mm(PATH, M), { body: changed, headers: { cookie: `sid=${owner.token}` } });
  assert.equal(nocsrf.status, 403, nocsrf.text);
  assert.deepEqual(await row(), before, 'none of them changed anything');
  const withCsrf = await api('PUT', mm(PATH, M), { body: SAVED,
    headers: { cookie: `sid=${owner.token}`, 'x-csrf-token': owner.csrf } });
  assert.equal(withCsrf.status, 200, `the same cookie with its CSRF token: ${withCsrf.text}`);

  const theirs = (await other.call('GET', PATH)).json.data;
  const mk = await staff(M, 'marketing');
  assert.deepEqual((await mk.call('GET', PATH)).json.data, SAVED);
  const r = await mk.call('PUT', PATH, changed);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.max_stackable, 2);
  // the other merchant's settings are its own
  assert.deepEqual((await other.call('GET', PATH)).json.data, theirs);
});
