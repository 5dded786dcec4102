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
