// JSON bodies the app must refuse whole, changing nothing: a key given
// twice (parsers differ on which one wins, so a gateway and the app would
// read different requests) and a NUL escaped into a text (a C string would
// end there, and the checks would see less than was sent).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, uniquePhone, signIn, sql } from './lib.mjs';

const JSON_CT = { 'content-type': 'application/json' };

test('a key given twice is invalid_json, at the top or nested, and changes nothing', async () => {
  const phone = uniquePhone();
  const twice = await api('POST', m('/auth/sms-code'), {
    raw: `{"phone":"${uniquePhone()}","phone":"${phone}"}`, headers: JSON_CT,
  });
  assert.equal(twice.status, 400, twice.text);
  assert.equal(twice.json.error.code, 'invalid_json');
  assert.equal(twice.json.error.field, 'phone');
  assert.doesNotMatch(twice.json.error.message, /[a-z_]{3,}/, 'a message for people');
  const rows = await sql(`SELECT COUNT(*) FROM sms_codes WHERE phone = '${phone}'`);
  assert.equal(rows[0][0], '0', 'no code was sent');

  const nested = await api('POST', m('/auth/sms-code'), {
    raw: `{"phone":"${phone}","x":[{"a":1,"b":2,"a":3}]}`, headers: JSON_CT,
  });
  assert.equal(nested.status, 400, nested.text);
  assert.equal(nested.json.error.code, 'invalid_json');
  assert.equal(nested.json.error.field, 'a');

  // The same keys in different objects are fine, and so is one key.
  const ok = await api('POST', m('/auth/sms-code'), {
    raw: `{"phone":"${phone}","x":[{"phone":1},{"phone":2}]}`, headers: JSON_CT,
  });
  assert.equal(ok.status, 200, ok.text);
});

test('many keys are checked quickly, and the last of them twice is found', async () => {
  const keys = Array.from({ length: 4000 }, (_, i) => `"k${i}":${i}`);
  const body = `{"phone":"${uniquePhone()}",${keys.join(',')},"k3999":0}`;
  const t0 = Date.now();
  const res = await api('POST', m('/auth/sms-code'), { raw: body, headers: JSON_CT });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.error.field, 'k3999');
  assert.ok(Date.now() - t0 < 5000);
});

test('a NUL escaped into a name is invalid_field, and nobody joins', async () => {
  const token = await signIn('demo', uniquePhone());
  for (const name of ['张\\u0000三', '\\u0000', 'ab\\u0000']) {
    const res = await api('POST', m('/members'), {
      token, raw: `{"name":"${name}"}`, headers: JSON_CT,
    });
    assert.equal(res.status, 400, `${name}: ${res.text}`);
    assert.equal(res.json.error.code, 'invalid_field');
    assert.equal(res.json.error.field, 'name');
  }
  const me = await api('GET', m('/me'), { token });
  assert.notEqual(me.status, 200, 'not a member');
  // An escaped backslash before "u0000" is text, not a NUL.
  const fine = await api('POST', m('/members'), {
    token, raw: '{"name":"a\\\\u0000"}', headers: JSON_CT,
  });
  assert.equal(fine.status, 201, fine.text);
  assert.equal(fine.json.data.member.name, 'a\\u0000');
});

test('one cursor rule for every list: a cursor given is a positive id, or 400', async () => {
  const { demoStaff, join } = await import('./lib.mjs');
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, { name: '游标' });
  const [owner] = await demoStaff('demo', 'owner');
  const lists = [
    [m('/coupon-templates'), token],
    [m('/me/coupons'), token],
    [m('/me/wallet'), token],
    [m('/staff/campaigns'), owner.token],
    [m('/staff/coupon-templates'), owner.token],
    [m('/staff/accounts'), owner.token],
    [m('/staff/audit'), owner.token],
    [m('/staff/payments'), owner.token],
  ];
  for (const [path, tok] of lists) {
    const good = await api('GET', `${path}?cursor=5&limit=3`, { token: tok });
    assert.equal(good.status, 200, `${path}: ${good.text}`);
    for (const bad of ['%00', 'zzz', '%zz', '0', '-1', '1.5', '5%00']) {
      const res = await api('GET', `${path}?cursor=${bad}`, { token: tok });
      assert.equal(res.status, 400, `${path}?cursor=${bad}: ${res.text}`);
      assert.equal(res.json.error.code, 'invalid_field');
      assert.equal(res.json.error.field, 'cursor');
    }
  }
});

test('messages are for people: no field names or codes in them, the field apart', async () => {
  const { join } = await import('./lib.mjs');
  const token = await signIn('demo', uniquePhone());
  for (const [body, field] of [[{ name: 7 }, 'name'], [{ birthday: '2001-02-30' }, 'birthday']]) {
    const res = await api('POST', m('/members'), { token, body });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error.field, field);
    assert.ok(!res.json.error.message.includes(field), res.json.error.message);
  }
  await join('demo', token, { name: '消息' });
  const cases = [
    ['POST', m('/auth/sms-code'), { phone: '1a800138000' }, 'phone'],
    ['POST', m('/auth/sms-code'), {}, 'phone'],
    ['POST', m('/coupons/redeem-code'), { promo_code: 'ABC' }, 'promo_code'],
    ['POST', m('/me/payments'), { order_fen: -5, store_id: 1 }, 'order_fen'],
  ];
  for (const [method, path, body, field] of cases) {
    const res = await api(method, path, { token, body });
    assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}: ${res.text}`);
    assert.equal(res.json.error.field, field);
    assert.doesNotMatch(res.json.error.message, /[A-Za-z_]{2,}\s*:/, res.json.error.message);
    assert.ok(!res.json.error.message.includes(field), res.json.error.message);
    assert.match(res.json.error.message, /[\u4e00-\u9fff]/, 'in Chinese');
  }
});

test('a refund with amount_fen null is refused and refunds nothing; absent refunds all', async () => {
  const h = await import('./wallet_helpers.mjs');
  const [store] = await h.storeIds();
  const cashier = await h.staff('demo', 'cashier');
  const mem = await h.newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  await h.fund(mem, { package_id: pkgs.find((p) => p.pay_fen === 10000).id });
  const s = await h.scan(cashier, mem, store);
  const pay = await cashier.call('POST', '/staff/payments', { ticket: s.ticket, order_fen: 5000 },
    { 'idempotency-key': h.idemKey() });
  assert.equal(pay.status, 201, pay.text);
  const id = pay.json.data.payment.id;
  const refund = (body) => cashier.call('POST', `/staff/payments/${id}/refund`, body,
    { 'idempotency-key': h.idemKey() });
  const bad = await refund({ amount_fen: null });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error.code, 'invalid_field');
  assert.equal(bad.json.error.field, 'amount_fen');
  const still = await cashier.call('GET', `/staff/payments/${id}`);
  assert.equal(still.json.data.payment.refunded_fen, 0, still.text);
  const all = await refund({});
  assert.equal(all.status, 201, all.text);
  assert.equal(all.json.data.refund.amount_fen, 5000);
});

test('promo codes with a look-alike character are told so; other merchants\' code lists are 404', async () => {
  const { join, demoStaff } = await import('./lib.mjs');
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, { name: '优惠码' });
  const l = await api('POST', m('/coupons/redeem-code'), { token, body: { promo_code: 'ABCDEFGHJKLM' } });
  assert.equal(l.status, 400, l.text);
  assert.equal(l.json.error.field, 'promo_code');
  assert.match(l.json.error.message, /L/);
  assert.match(l.json.error.message, /易混/);
  const short = await api('POST', m('/coupons/redeem-code'), { token, body: { promo_code: 'ABCD' } });
  assert.equal(short.status, 400);
  assert.doesNotMatch(short.json.error.message, /易混/);

  const [mk, mk2] = [...await demoStaff('demo', 'marketing'), ...await demoStaff('demo2', 'marketing')];
  const tpl = await api('POST', m('/staff/coupon-templates', 'demo2'), { token: mk2.token, body: {
    name: '别家的券', kind: 'instant', value_fen: 100, stock: 10, per_member_limit: 1, valid_days: 7,
    status: 'active' } });
  assert.equal(tpl.status, 201, tpl.text);
  const theirs = tpl.json.data.id;
  for (const path of [`/staff/coupon-templates/${theirs}/codes`, '/staff/coupon-templates/999999999/codes']) {
    const r = await api('GET', m(path), { token: mk.token });
    assert.equal(r.status, 404, `${path}: ${r.text}`);
    assert.equal(r.json.error.code, 'not_found');
  }
  const own = await api('GET', m(`/staff/coupon-templates/${theirs}/codes`, 'demo2'), { token: mk2.token });
  assert.equal(own.status, 200, own.text);
});

test('a huge number inside a settings body is an integer refused, not a crash', async () => {
  const { demoStaff } = await import('./lib.mjs');
  const [owner] = await demoStaff('demo', 'owner');
  const cur = await api('GET', m('/staff/settings/deduction'), { token: owner.token });
  assert.equal(cur.status, 200, cur.text);
  const body = JSON.stringify({ ...cur.json.data, cap: { ...cur.json.data.cap, amount_fen: 7 } })
    .replace('"amount_fen":7', '"amount_fen":1e300');
  const res = await api('PUT', m('/staff/settings/deduction'), {
    token: owner.token, raw: body, headers: JSON_CT });
  assert.equal(res.status, 400, res.text);
  assert.equal(res.json.error.code, 'invalid_field');
  assert.match(res.json.error.field, /amount_fen/);
  const after = await api('GET', m('/staff/settings/deduction'), { token: owner.token });
  assert.deepEqual(after.json.data, cur.json.data, 'nothing changed');
});
