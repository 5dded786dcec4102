// The runtime and membership through nginx against the real database:
// health, routing errors, input limits, sign-in, sessions, joining, the
// card and tiers, and the bad inputs that must change nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, uniquePhone, signIn, join, staffLogin, sql, parallel, settledCard } from './lib.mjs';

const count = async (q) => Number((await sql(q))[0][0]);
const memberRows = (phone) => count(`SELECT COUNT(*) FROM members WHERE phone = '${phone}'`);
const codeRows = (phone) => count(`SELECT COUNT(*) FROM sms_codes WHERE phone = '${phone}'`);

function assertError(res, status, code, field) {
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json.error.code, code);
  assert.equal(typeof res.json.error.message, 'string');
  assert.ok(res.json.error.message.length > 0);
  if (field !== undefined) assert.equal(res.json.error.field, field);
}

test('livez answers without the database and carries a request id', async () => {
  const r = await api('GET', '/livez');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { data: { status: 'ok' } });
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16,}$/);
  const r2 = await api('GET', '/livez');
  assert.notEqual(r2.headers.get('x-request-id'), r.headers.get('x-request-id'));
});

test('healthz checks the database', async () => {
  const r = await api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.data.status, 'ok');
  assert.equal(r.json.data.db, 'ok');
  assert.ok(r.json.data.version);
});

test('unknown route is 404 not_found, wrong method 405 with Allow', async () => {
  assertError(await api('GET', '/no/such/thing'), 404, 'not_found');
  assertError(await api('GET', m('/no-such-route')), 404, 'not_found');
  const r = await api('DELETE', m('/me/card'));
  assertError(r, 405, 'method_not_allowed');
  assert.match(r.headers.get('allow'), /GET/);
  assertError(await api('PUT', m('/auth/sms-code'), { body: {} }), 405, 'method_not_allowed');
});

test('unknown merchant is 404, before any handler', async () => {
  assertError(await api('GET', '/api/v1/m/no-such-shop/tiers'), 404, 'not_found');
  assertError(await api('POST', '/api/v1/m/no-such-shop/auth/sms-code', { body: { phone: uniquePhone() } }), 404, 'not_found');
  assertError(await api('GET', '/api/v1/m/BAD_CODE!/tiers'), 404, 'not_found');
});

test('sms-code: dev code, one a minute per phone with Retry-After', async () => {
  const phone = uniquePhone();
  const r = await api('POST', m('/auth/sms-code'), { body: { phone } });
  assert.equal(r.status, 200);
  assert.equal(r.json.data.sent, true);
  assert.match(r.json.data.dev_code, /^\d{6}$/);
  const again = await api('POST', m('/auth/sms-code'), { body: { phone } });
  assertError(again, 429, 'too_many_requests');
  const wait = Number(again.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  assert.equal(await codeRows(phone), 1);
});

test('sms-code: ten a day per phone', async () => {
  const phone = uniquePhone();
  // nine sends already today, the last one long enough ago
  await sql(`INSERT INTO sms_rate (merchant_id, phone, day, sent, last_at)
    SELECT id, '${phone}', DATE(UTC_TIMESTAMP() + INTERVAL 8 HOUR), 9, UTC_TIMESTAMP() - INTERVAL 2 MINUTE FROM merchants WHERE code = 'demo'`);
  assert.equal((await api('POST', m('/auth/sms-code'), { body: { phone } })).status, 200);
  await sql(`UPDATE sms_rate SET last_at = UTC_TIMESTAMP() - INTERVAL 2 MINUTE WHERE phone = '${phone}'`);
  const r = await api('POST', m('/auth/sms-code'), { body: { phone } });
  assertError(r, 429, 'too_many_requests');
  assert.ok(Number(r.headers.get('retry-after')) > 60);
  assert.equal(await codeRows(phone), 1);
});

test('bad input to sms-code gets its contract error and writes nothing', async () => {
  const phone = uniquePhone();
  const cases = [
    [{ raw: '{"phone": "' + phone + '"', ctype: 'application/json' }, 400, 'invalid_json'],
    [{ raw: 'not json at all', ctype: 'application/json' }, 400, 'invalid_json'],
    [{ raw: '["' + phone + '"]', ctype: 'application/json' }, 400, 'invalid_json'],
    [{ raw: '{"phone":"' + phone + '"} trailing', ctype: 'application/json' }, 400, 'invalid_json'],
    [{ raw: '', ctype: 'application/json' }, 400, 'invalid_json'],
    [{ raw: '{"a":' + '['.repeat(100) + ']'.repeat(100) + ',"phone":"' + phone + '"}', ctype: 'application/json' }, 400, 'invalid_json'],
    [{ raw: 'phone=' + phone, ctype: 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
    [{ body: { phone: Number(phone) } }, 400, 'invalid_field', 'phone'],
    [{ body: { phone: [phone] } }, 400, 'invalid_field', 'phone'],
    [{ body: {} }, 400, 'invalid_field', 'phone'],
    [{ body: { phone: '12' + phone.slice(2) } }, 400, 'invalid_field', 'phone'],
    [{ body: { phone: phone + '0' } }, 400, 'invalid_field', 'phone'],
    [{ body: { phone: phone.slice(0, 10) + 'x' } }, 400, 'invalid_field', 'phone'],
  ];
  for (const [req, status, code, field] of cases) {
    const opts = req.raw !== undefined ? { raw: req.raw, headers: { 'content-type': req.ctype } } : { body: req.body };
    assertError(await api('POST', m('/auth/sms-code'), opts), status, code, field);
  }
  assert.equal(await codeRows(phone), 0);
  assert.equal(await count(`SELECT COUNT(*) FROM sms_rate WHERE phone = '${phone}'`), 0);
});

test('a 70 KiB body is refused with 413 and writes nothing', async () => {
  const phone = uniquePhone();
  const raw = JSON.stringify({ phone, pad: 'x'.repeat(70 * 1024) });
  assertError(await api('POST', m('/auth/sms-code'), { raw, headers: { 'content-type': 'application/json' } }), 413, 'body_too_large');
  assert.equal(await codeRows(phone), 0);
  // just under the limit is read and parsed
  const ok = JSON.stringify({ phone, pad: 'x'.repeat(60 * 1024) });
  assert.equal((await api('POST', m('/auth/sms-code'), { raw: ok, headers: { 'content-type': 'application/json' } })).status, 200);
});

test('login: wrong code 401, void after five wrong tries', async () => {
  const phone = uniquePhone();
  const s = await api('POST', m('/auth/sms-code'), { body: { phone } });
  const code = s.json.data.dev_code;
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) {
    assertError(await api('POST', m('/auth/login'), { body: { phone, code: wrong } }), 401, 'invalid_code');
  }
  assertError(await api('POST', m('/auth/login'), { body: { phone, code } }), 401, 'invalid_code');
  assert.equal(await count(`SELECT COUNT(*) FROM sessions WHERE phone = '${phone}'`), 0);
});

test('login: an expired code is refused, a used code cannot be reused', async () => {
  const phone = uniquePhone();
  const code = (await api('POST', m('/auth/sms-code'), { body: { phone } })).json.data.dev_code;
  await sql(`UPDATE sms_codes SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE phone = '${phone}'`);
  assertError(await api('POST', m('/auth/login'), { body: { phone, code } }), 401, 'invalid_code');

  const phone2 = uniquePhone();
  const code2 = (await api('POST', m('/auth/sms-code'), { body: { phone: phone2 } })).json.data.dev_code;
  assert.equal((await api('POST', m('/auth/login'), { body: { phone: phone2, code: code2 } })).status, 200);
  assertError(await api('POST', m('/auth/login'), { body: { phone: phone2, code: code2 } }), 401, 'invalid_code');
});

test('login: bad fields are invalid_field', async () => {
  const phone = uniquePhone();
  assertError(await api('POST', m('/auth/login'), { body: { phone, code: 123456 } }), 400, 'invalid_field', 'code');
  assertError(await api('POST', m('/auth/login'), { body: { phone, code: '12345' } }), 400, 'invalid_field', 'code');
  assertError(await api('POST', m('/auth/login'), { body: { phone: 'abc', code: '123456' } }), 400, 'invalid_field', 'phone');
  assertError(await api('POST', m('/auth/login'), { body: { code: '123456' } }), 400, 'invalid_field', 'phone');
});

test('login gives a token and an HttpOnly sid cookie; member is null before joining', async () => {
  const phone = uniquePhone();
  const code = (await api('POST', m('/auth/sms-code'), { body: { phone } })).json.data.dev_code;
  const r = await api('POST', m('/auth/login'), { body: { phone, code } });
  assert.equal(r.status, 200);
  assert.match(r.json.data.token, /^[0-9a-f]{32}$/);
  assert.match(r.json.data.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  assert.equal(r.json.data.member, null);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, new RegExp('sid=' + r.json.data.token));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  // tokens are stored hashed only
  assert.equal(await count(`SELECT COUNT(*) FROM sessions WHERE token_hash = '${r.json.data.token}'`), 0);
  assert.equal(await count(`SELECT COUNT(*) FROM sessions WHERE phone = '${phone}'`), 1);
  // signed in but not a member
  assertError(await api('GET', m('/me'), { token: r.json.data.token }), 403, 'not_member');
});

test('join is idempotent and records the channel', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const r = await api('POST', m('/members'), { token, body: { name: '李四', birthday: '1992-02-29', gender: 'female', channel: 'store:1' } });
  assert.equal(r.status, 201);
  assert.equal(r.json.data.created, true);
  const mem = r.json.data.member;
  assert.equal(mem.name, '李四');
  assert.equal(mem.birthday, '1992-02-29');
  assert.equal(mem.phone_masked, phone.slice(0, 3) + '****' + phone.slice(7));
  assert.match(mem.card_no, /^8\d{15}$/);
  const again = await api('POST', m('/members'), { token, body: { name: '别的名字', channel: 'organic' } });
  assert.equal(again.status, 200);
  assert.equal(again.json.data.created, false);
  assert.deepEqual(again.json.data.member, mem);
  const rows = await sql(`SELECT name, channel, referral_code FROM members WHERE phone = '${phone}'`);
  assert.deepEqual(rows, [['李四', 'store:1', 'NULL']]);
  const me = await api('GET', m('/me'), { token });
  assert.equal(me.status, 200);
  assert.deepEqual(me.json.data.member, mem);
});

test('join: referral code alone makes the channel referral; default organic', async () => {
  const t0 = await signIn('demo', uniquePhone());
  await join('demo', t0, {});
  const code = (await api('GET', m('/me/referral'), { token: t0 })).json.data.code;
  const p1 = uniquePhone();
  await join('demo', await signIn('demo', p1), { referral_code: code });
  const p2 = uniquePhone();
  await join('demo', await signIn('demo', p2), {});
  assert.deepEqual(await sql(`SELECT phone, channel FROM members WHERE phone IN ('${p1}','${p2}') ORDER BY phone = '${p2}'`),
    [[p1, 'referral'], [p2, 'organic']]);
});

test('join: bad fields are refused and nothing is written', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const bad = [
    [{ name: 42 }, 'name'],
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(33) }, 'name'],
    [{ birthday: '1990-13-01' }, 'birthday'],
    [{ birthday: '2990-01-01' }, 'birthday'],
    [{ birthday: 19900101 }, 'birthday'],
    [{ gender: 'x' }, 'gender'],
    [{ channel: 'Bad Channel!' }, 'channel'],
    [{ channel: 7 }, 'channel'],
    [{ referral_code: 'has space' }, 'referral_code'],
  ];
  for (const [body, field] of bad) {
    assertError(await api('POST', m('/members'), { token, body }), 400, 'invalid_field', field);
  }
  assertError(await api('POST', m('/members'), { token, raw: '{', headers: { 'content-type': 'application/json' } }), 400, 'invalid_json');
  assert.equal(await memberRows(phone), 0);
});

test('twenty concurrent joins by one phone create one member', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const res = await parallel(20, () => api('POST', m('/members'), { token, body: { name: '并发' } }));
  assert.equal(res.filter((r) => r.status === 201).length, 1);
  assert.equal(res.filter((r) => r.status === 200).length, 19);
  assert.equal(await memberRows(phone), 1);
  const nos = new Set(res.map((r) => r.json.data.member.card_no));
  assert.equal(nos.size, 1);
});

test('card: tier from growth, gap to the next tier, balance and privileges', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  await join('demo', token, { name: '卡片' });
  let c = (await api('GET', m('/me/card'), { token })).json.data;
  assert.match(c.card_no, /^8\d{15}$/);
  assert.equal(c.card_name, '示例咖啡会员卡');
  assert.equal(c.stores, 'all');
  assert.equal(c.valid_until, null);
  assert.deepEqual(c.tier, { level: 1, name: '普通会员', discount_pct: null, points_multiplier: 1 });
  assert.equal(c.growth, 0);
  assert.equal(c.next_tier.level, 2);
  assert.equal(c.next_tier.growth_needed, 1000);
  assert.deepEqual(c.balance, { principal_fen: 0, bonus_fen: 0, total_fen: 0 });
  assert.equal(c.points, 0);
  assert.equal(c.coupons_unused, 0);
  assert.ok(c.privileges.length >= 1 && c.privileges[0].title);

  await sql(`UPDATE members SET growth = 1200 WHERE phone = '${phone}'`);
  c = (await api('GET', m('/me/card'), { token })).json.data;
  assert.equal(c.tier.level, 2);
  assert.equal(c.tier.discount_pct, 98);
  assert.equal(c.tier.points_multiplier, 1.2);
  assert.deepEqual([c.next_tier.level, c.next_tier.growth_needed], [3, 3800]);

  await sql(`UPDATE members SET growth = 5000 WHERE phone = '${phone}'`);
  c = (await api('GET', m('/me/card'), { token })).json.data;
  assert.equal(c.tier.level, 3);
  assert.equal(c.next_tier, null);
  assert.ok(c.privileges.length >= 3);
});

test('tiers: the ladder with rising thresholds, public', async () => {
  const r = await api('GET', m('/tiers'));
  assert.equal(r.status, 200);
  const t = r.json.data;
  assert.ok(t.length >= 1);
  assert.equal(t[0].level, 1);
  assert.equal(t[0].growth, 0);
  for (let i = 1; i < t.length; i++) assert.ok(t[i].growth > t[i - 1].growth);
  for (const x of t) {
    assert.ok(Array.isArray(x.privileges));
    assert.equal(typeof x.points_multiplier, 'number');
  }
});

test('tokens: missing, garbage, revoked, other merchant, cookie', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  await join('demo', token, {});
  assertError(await api('GET', m('/me/card')), 401, 'unauthorized');
  assertError(await api('GET', m('/me/card'), { token: 'f'.repeat(32) }), 401, 'unauthorized');
  assertError(await api('GET', m('/me/card'), { headers: { authorization: 'Basic abc' } }), 401, 'unauthorized');
  // a token of merchant demo under merchant demo2
  assertError(await api('GET', '/api/v1/m/demo2/me/card', { token }), 403, 'forbidden');
  // the HttpOnly cookie works the same as Bearer
  const byCookie = await api('GET', m('/me/card'), { headers: { cookie: 'other=1; sid=' + token } });
  assert.equal(byCookie.status, 200);
  // logout revokes
  assert.equal((await api('POST', m('/auth/logout'), { token })).status, 200);
  assertError(await api('GET', m('/me/card'), { token }), 401, 'unauthorized');
  assertError(await api('GET', m('/me'), { headers: { cookie: 'sid=' + token } }), 401, 'unauthorized');
  assert.equal(await count(`SELECT COUNT(*) FROM sessions WHERE phone = '${phone}' AND revoked_at IS NOT NULL`), 1);
});

test('an expired session and a staff session get no member card', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  await join('demo', token, {});
  assert.equal((await api('GET', m('/me/card'), { token })).status, 200);
  await sql(`UPDATE sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE phone = '${phone}'`);
  assertError(await api('GET', m('/me/card'), { token }), 401, 'unauthorized');
  assertError(await api('GET', m('/me'), { token }), 401, 'unauthorized');
  const staff = await staffLogin('demo', 'cashier', 'demo1234');
  const card = await api('GET', m('/me/card'), { token: staff.token });
  assert.ok(card.status === 401 || card.status === 403, `staff token on the member card: ${card.status}`);
  assert.equal(card.json.data, undefined);
});

test('a token of another merchant cannot join there', async () => {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  assertError(await api('POST', '/api/v1/m/demo2/members', { token, body: {} }), 403, 'forbidden');
  assert.equal(await memberRows(phone), 0);
});

test('members of two merchants are apart', async () => {
  const phone = uniquePhone();
  const t1 = await signIn('demo', phone);
  const t2 = await signIn('demo2', phone);
  await join('demo', t1, { name: 'A' });
  assertError(await api('GET', '/api/v1/m/demo2/me', { token: t2 }), 403, 'not_member');
  await join('demo2', t2, { name: 'B' });
  const a = (await api('GET', m('/me'), { token: t1 })).json.data.member;
  const b = (await api('GET', '/api/v1/m/demo2/me', { token: t2 })).json.data.member;
  assert.notEqual(a.id, b.id);
  assert.equal(a.name, 'A');
  assert.equal(b.name, 'B');
});

test('H5 home: sign-in page, join redirect, then the card', async () => {
  const anon = await api('GET', '/m/demo/');
  assert.equal(anon.status, 200);
  assert.match(anon.headers.get('content-type'), /text\/html/);
  assert.match(anon.text, /id="signin-form"/);
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const redir = await api('GET', '/m/demo/?channel=poster:9', { headers: { cookie: 'sid=' + token }, redirect: 'manual' });
  assert.equal(redir.status, 302);
  assert.equal(redir.headers.get('location'), '/m/demo/join?channel=poster:9');
  const joinPage = await api('GET', '/m/demo/join?channel=poster:9', { headers: { cookie: 'sid=' + token } });
  assert.match(joinPage.text, /data-channel="poster:9"/);
  await join('demo', token, { name: '<script>alert(1)</script>' });
  const home = await api('GET', '/m/demo/', { headers: { cookie: 'sid=' + token } });
  assert.equal(home.status, 200);
  assert.match(home.text, /普通会员/);
  assert.ok(!home.text.includes('<script>alert(1)</script>'));
  assert.ok(home.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  const none = await api('GET', '/m/no-such-shop/');
  assert.equal(none.status, 404);
  assert.match(none.headers.get('content-type'), /text\/html/);
});

test('a changed ladder: /tiers at once, the card on every worker within a second', async () => {
  const token = await signIn('demo2', uniquePhone());
  assert.equal((await api('GET', '/api/v1/m/demo2/me/card', { token })).status, 403);
  assert.equal((await api('GET', '/api/v1/m/demo2/me/card', { token })).json.error.code, 'not_member');
  await join('demo2', token, {});
  // warm every worker's copy of the ladder
  await parallel(16, () => api('GET', '/api/v1/m/demo2/me/card', { token }));
  const name = '新名字' + Date.now() % 1000;
  const mid = (await sql(`SELECT id FROM merchants WHERE code = 'demo2'`))[0][0];
  await sql(`UPDATE tiers SET name = '${name}' WHERE level = 1 AND merchant_id = ${mid}`);
  try {
    const tiers = await api('GET', '/api/v1/m/demo2/tiers');
    assert.equal(tiers.json.data[0].name, name);
    const card = await settledCard('demo2', token, (c) => c.tier.name === name);
    assert.equal(card.tier.name, name);
  } finally {
    await sql(`UPDATE tiers SET name = '普通会员' WHERE level = 1 AND merchant_id = ${mid}`);
  }
});

test('join takes an Idempotency-Key: a replay answers the first response', async () => {
  const token = await signIn('demo', uniquePhone());
  const key = 'join-' + Date.now();
  const a = await api('POST', m('/members'), { token, body: { name: '幂等' }, headers: { 'idempotency-key': key } });
  const b = await api('POST', m('/members'), { token, body: { name: '幂等' }, headers: { 'idempotency-key': key } });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201, 'the first answer, replayed');
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(b.json, a.json);
  const c = await api('POST', m('/members'), { token, body: { name: '别的' }, headers: { 'idempotency-key': key } });
  assert.equal(c.status, 409);
  assert.equal(c.json.error.code, 'idempotency_key_reused');
  const bad = await api('POST', m('/members'), { token, body: {}, headers: { 'idempotency-key': 'x'.repeat(65) } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'Idempotency-Key');
});
