// Staff through nginx against the real database: sign-in and sessions,
// lockout, CSRF with the cookie, roles on every staff route of this area,
// staff management, the card and tier settings, uploads and the audit log.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { api, m, uniquePhone, signIn, join, staffLogin, sql, parallel, settledCard } from './lib.mjs';

const count = async (q) => Number((await sql(q))[0][0]);
const PW = 'demo1234';

function assertError(res, status, code, field) {
  assert.equal(res.status, status, `${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(res.json.error.code, code, res.text);
  assert.ok(res.json.error.message.length > 0);
  if (field !== undefined) assert.equal(res.json.error.field, field, res.text);
}

// A 2x2 JPEG (baseline, made with libjpeg) and a 1x1 PNG, whole images
// (the PNG that stood here before had a wrong IDAT checksum, which a
// decoder rightly refuses).
const JPEG = Buffer.from(
  'ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123' +
  '251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112' +
  '121815182f1a1a2f63423842636363636363636363636363636363636363636363636363636363636363636363636363' +
  '6363636363636363636363636363ffc00011080002000203012200021101031101ffc4001f0000010501010101010100' +
  '000000000000000102030405060708090a0bffc400b5100002010303020403050504040000017d010203000411051221' +
  '31410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a' +
  '434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596979899' +
  '9aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1' +
  'f2f3f4f5f6f7f8f9faffc4001f0100030101010101010101010000000000000102030405060708090a0bffc400b51100' +
  '020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f015' +
  '6272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a63646566676869' +
  '6a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4' +
  'c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f004a' +
  '28a2b9cf973fffd9', 'hex');

// A PNG of w x h RGBA pixels, every row given (or only the first rows, the
// rest of the stream cut off when cut is set).
function png(w, h, { rows = h, cut = false } = {}) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 6; // 8-bit RGBA
  const raw = Buffer.alloc(Math.min(rows, 64) * (1 + w * 4));
  let idat = deflateSync(raw);
  if (cut) idat = idat.subarray(0, Math.max(2, idat.length >> 1));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr),
    chunk('IDAT', idat), ...(cut ? [] : [chunk('IEND', Buffer.alloc(0))])]);
}
const PNG = png(1, 1);

const uname = (p) => `${p}_${randomBytes(4).toString('hex')}`;

let ownerTok;
let marketingTok;
let cashierTok;
async function tokens() {
  if (!ownerTok) {
    [ownerTok, marketingTok, cashierTok] = (await Promise.all([
      staffLogin('demo', 'owner', PW), staffLogin('demo', 'marketing', PW),
      staffLogin('demo', 'cashier', PW)])).map((d) => d.token);
  }
  return { owner: ownerTok, marketing: marketingTok, cashier: cashierTok };
}

async function createStaff(role, storeIds = role === 'cashier' ? [1] : [], password = 'secret-pass-1') {
  const { owner } = await tokens();
  const username = uname(role.slice(0, 4));
  const r = await api('POST', m('/staff/accounts'), {
    token: owner, body: { username, name: `测试${role}`, role, password, store_ids: storeIds },
  });
  assert.equal(r.status, 201, r.text);
  return { ...r.json.data.staff, password };
}

async function memberToken(merchant = 'demo') {
  const tok = await signIn(merchant, uniquePhone());
  await join(merchant, tok, { name: '测试会员' });
  return tok;
}

// ---- settings saved before the tests change them, put back after ----
let savedCard;
let savedTiers;
async function saveSettings() {
  const { owner } = await tokens();
  if (!savedCard) savedCard = (await api('GET', m('/staff/settings/card'), { token: owner })).json.data;
  if (!savedTiers) savedTiers = (await api('GET', m('/staff/settings/tiers'), { token: owner })).json.data;
}
after(async () => {
  const { owner } = await tokens();
  if (savedCard) {
    const r = await api('PUT', m('/staff/settings/card'), { token: owner, body: savedCard });
    assert.equal(r.status, 200, r.text);
  }
  if (savedTiers) {
    const r = await api('PUT', m('/staff/settings/tiers'), { token: owner, body: savedTiers });
    assert.equal(r.status, 200, r.text);
  }
});

test('login: token, csrf token, staff with its stores, cookie on the staff path only', async () => {
  const r = await api('POST', m('/staff/login'), { body: { username: 'cashier', password: PW } });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.match(d.token, /^[0-9a-f]{32}$/);
  assert.match(d.csrf_token, /^[0-9a-f]{32}$/);
  assert.match(d.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  const hours = (Date.parse(d.expires_at) - Date.now()) / 3600e3;
  assert.ok(hours > 11.9 && hours <= 12, `12 h session (${hours})`);
  assert.equal(d.staff.role, 'cashier');
  assert.deepEqual(d.staff.store_ids, [1]);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^sid=[0-9a-f]{32}; Path=\/api\/v1\/m\/demo\/staff;/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  // the session row is a staff session and stores only hashes
  const rows = await sql(`SELECT kind, staff_id, csrf_hash IS NOT NULL FROM sessions
    WHERE staff_id = ${d.staff.id} AND kind = 'staff' ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(rows[0], ['staff', String(d.staff.id), '1']);
  assert.equal(await count(`SELECT COUNT(*) FROM sessions WHERE token_hash = '${d.token}'`), 0);

  const owner = (await staffLogin('demo', 'owner', PW)).staff;
  assert.equal(owner.role, 'owner');
  const all = (await sql(`SELECT id FROM stores WHERE active = 1 AND kind = 'own'
    AND merchant_id = (SELECT id FROM merchants WHERE code = 'demo') ORDER BY id`)).map((x) => Number(x[0]));
  assert.deepEqual(owner.store_ids, all);
  const me = await api('GET', m('/staff/me'), { token: d.token });
  assert.equal(me.status, 200);
  assert.equal(me.json.data.staff.id, d.staff.id);
  const stores = await api('GET', m('/staff/stores'), { token: d.token });
  assert.equal(stores.status, 200);
  assert.deepEqual(stores.json.data.map((s) => s.id), [1]);
  assert.ok(stores.json.data[0].name);
});

test('wrong password, unknown user and disabled account get the same 401', async () => {
  const wrong = await api('POST', m('/staff/login'), { body: { username: 'owner', password: 'nope-nope' } });
  assertError(wrong, 401, 'invalid_credentials');
  const unknown = await api('POST', m('/staff/login'), { body: { username: uname('ghost'), password: PW } });
  assertError(unknown, 401, 'invalid_credentials');
  assert.deepEqual(unknown.json, wrong.json);
  // another merchant's account does not sign in here
  const s = await createStaff('cashier');
  assertError(await api('POST', m('/staff/login', 'demo2'), {
    body: { username: s.username, password: s.password } }), 401, 'invalid_credentials');
  const { owner } = await tokens();
  const r = await api('PATCH', m(`/staff/accounts/${s.id}`), { token: owner, body: { disabled: true } });
  assert.equal(r.status, 200, r.text);
  const dis = await api('POST', m('/staff/login'), { body: { username: s.username, password: s.password } });
  assert.deepEqual(dis.json, wrong.json);
  assert.equal(dis.status, 401);
  assertError(await api('POST', m('/staff/login'), { body: { username: 'owner' } }), 400, 'invalid_field', 'password');
});

test('five failures in a row lock the account 15 minutes, even for the right password', async () => {
  const s = await createStaff('cashier');
  const login = (password) => api('POST', m('/staff/login'), { body: { username: s.username, password } });
  // four failures, then a success: the count starts over
  for (let i = 0; i < 4; i++) assertError(await login('wrong-' + i), 401, 'invalid_credentials');
  assert.equal((await login(s.password)).status, 200);
  assert.equal(await count(`SELECT failed_logins FROM staff WHERE id = ${s.id}`), 0);
  for (let i = 0; i < 4; i++) assertError(await login('wrong-' + i), 401, 'invalid_credentials');
  assert.equal(await count(`SELECT failed_logins FROM staff WHERE id = ${s.id}`), 4);
  assertError(await login('wrong-5'), 401, 'invalid_credentials');
  assert.equal(await count(`SELECT locked_until > UTC_TIMESTAMP() + INTERVAL 14 MINUTE
    AND locked_until <= UTC_TIMESTAMP() + INTERVAL 15 MINUTE FROM staff WHERE id = ${s.id}`), 1);
  const locked = await login(s.password);
  assertError(locked, 429, 'too_many_requests');
  const wait = Number(locked.headers.get('retry-after'));
  assert.ok(wait > 840 && wait <= 900, `Retry-After ${wait}`);
  assertError(await login('wrong-again'), 429, 'too_many_requests');
  // the lock wrote audit rows
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'staff.locked'
    AND target = 'staff:${s.id}'`), 1);
  assert.ok(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'staff.login_failed'
    AND target = 'staff:${s.id}'`) >= 9);
  // an owner's password reset lifts the lock
  const { owner } = await tokens();
  const r = await api('PATCH', m(`/staff/accounts/${s.id}`), { token: owner, body: { password: 'new-pass-123' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.staff.locked, false);
  assert.equal((await login('new-pass-123')).status, 200);
});

test('parallel failures lock exactly once: the counter changes by conditional updates', async () => {
  const s = await createStaff('cashier');
  const res = await parallel(12, (i) => api('POST', m('/staff/login'), {
    body: { username: s.username, password: 'bad-' + i } }));
  const statuses = res.map((r) => r.status).sort();
  assert.ok(statuses.every((st) => st === 401 || st === 429), statuses.join());
  assert.equal(statuses.filter((st) => st === 401).length, 5, statuses.join());
  assert.equal(await count(`SELECT locked_until > UTC_TIMESTAMP() FROM staff WHERE id = ${s.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'staff.locked'
    AND target = 'staff:${s.id}'`), 1);
  assertError(await api('POST', m('/staff/login'), { body: { username: s.username, password: s.password } }),
    429, 'too_many_requests');
});

test('logout revokes the session and clears the cookie', async () => {
  const d = await staffLogin('demo', 'marketing', PW);
  const r = await api('POST', m('/staff/logout'), { token: d.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.logged_out, true);
  assertError(await api('GET', m('/staff/me'), { token: d.token }), 401, 'unauthorized');
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'staff.logout'
    AND staff_id = ${d.staff.id}`) >= 1, true);
  // with the cookie: needs the CSRF header, and clears the cookie
  const c = await staffLogin('demo', 'marketing', PW);
  const cookie = `sid=${c.token}`;
  assertError(await api('POST', m('/staff/logout'), { headers: { cookie } }), 403, 'forbidden');
  const out = await api('POST', m('/staff/logout'), { headers: { cookie, 'x-csrf-token': c.csrf_token } });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /^sid=; Path=\/api\/v1\/m\/demo\/staff; Max-Age=0/);
});

test('cookie sessions need the CSRF header on every change; Bearer sessions do not', async () => {
  await saveSettings();
  const d = await staffLogin('demo', 'owner', PW);
  const cookie = `sid=${d.token}`;
  const body = { ...savedCard, name: '测试会员卡' };
  const before = (await sql('SELECT card_name FROM merchants WHERE code = \'demo\''))[0][0];
  const changes = [
    ['PUT', '/staff/settings/card', body],
    ['PUT', '/staff/settings/tiers', savedTiers],
    ['POST', '/staff/accounts', { username: uname('csrf'), name: 'x', role: 'marketing', password: 'secret-pass-1' }],
    ['PATCH', `/staff/accounts/${d.staff.id}`, { name: '店主' }],
    ['POST', '/staff/scan', { member_code: 'A'.repeat(32), store_id: 1 }],
  ];
  for (const [method, path, b] of changes) {
    assertError(await api(method, m(path), { headers: { cookie }, body: b }), 403, 'forbidden');
    assertError(await api(method, m(path), { headers: { cookie, 'x-csrf-token': 'f'.repeat(32) }, body: b }),
      403, 'forbidden');
  }
  assertError(await api('POST', m('/staff/uploads'), {
    headers: { cookie, 'content-type': 'image/png' }, raw: PNG }), 403, 'forbidden');
  // nothing was written
  assert.equal((await sql('SELECT card_name FROM merchants WHERE code = \'demo\''))[0][0], before);
  // with the header: accepted
  const ok = await api('PUT', m('/staff/settings/card'), { headers: { cookie, 'x-csrf-token': d.csrf_token }, body });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.data.name, '测试会员卡');
  // reads need no header
  assert.equal((await api('GET', m('/staff/settings/card'), { headers: { cookie } })).status, 200);
  // Bearer needs none
  const bearer = await api('PUT', m('/staff/settings/card'), { token: d.token, body: savedCard });
  assert.equal(bearer.status, 200, bearer.text);
});

test('roles: every staff route of this area refuses the roles it is not for', async () => {
  await saveSettings();
  const t = await tokens();
  const member = await memberToken();
  const demo2 = (await staffLogin('demo2', 'owner', PW)).token;
  const someone = (await createStaff('marketing')).id;
  const routes = [
    // [method, path, body, roles allowed]
    ['GET', '/staff/me', undefined, ['owner', 'marketing', 'cashier']],
    ['GET', '/staff/stores', undefined, ['owner', 'marketing', 'cashier']],
    ['GET', '/staff/accounts', undefined, ['owner']],
    ['POST', '/staff/accounts', { username: 'x!', name: 'x', role: 'cashier', password: 'short' }, ['owner']],
    ['GET', `/staff/accounts/${someone}`, undefined, ['owner']],
    ['PATCH', `/staff/accounts/${someone}`, { role: 'nobody' }, ['owner']],
    ['GET', '/staff/audit', undefined, ['owner']],
    ['GET', '/staff/settings/card', undefined, ['owner', 'marketing']],
    ['PUT', '/staff/settings/card', { name: '' }, ['owner', 'marketing']],
    ['GET', '/staff/settings/tiers', undefined, ['owner', 'marketing']],
    ['PUT', '/staff/settings/tiers', { tiers: [] }, ['owner', 'marketing']],
    ['POST', '/staff/uploads', undefined, ['owner', 'marketing']],
    ['POST', '/staff/scan', { member_code: 'x', store_id: 1 }, ['owner', 'cashier']],
  ];
  for (const [method, path, body, allowed] of routes) {
    for (const role of ['owner', 'marketing', 'cashier']) {
      const r = await api(method, m(path), { token: t[role], body });
      if (allowed.includes(role)) {
        assert.notEqual(r.status, 403, `${role} ${method} ${path}: ${r.text}`);
        assert.ok(r.status < 500, `${role} ${method} ${path}: ${r.text}`);
      } else {
        assertError(r, 403, 'forbidden');
      }
    }
    assertError(await api(method, m(path), { token: member, body }), 403, 'forbidden');
    assertError(await api(method, m(path), { token: demo2, body }), 403, 'forbidden');
    assertError(await api(method, m(path), { body }), 401, 'unauthorized');
  }
});

test('owners manage staff: create, assign stores, rename, disable, reset; audit rows', async () => {
  const { owner } = await tokens();
  const ownerId = (await api('GET', m('/staff/me'), { token: owner })).json.data.staff.id;
  const username = uname('cash');
  const body = { username, name: '新收银员', role: 'cashier', password: 'first-pass-1', store_ids: [2] };
  const r = await api('POST', m('/staff/accounts'), { token: owner, body });
  assert.equal(r.status, 201, r.text);
  const s = r.json.data.staff;
  assert.equal(s.username, username);
  assert.equal(s.role, 'cashier');
  assert.deepEqual(s.store_ids, [2]);
  assert.equal(s.disabled, false);
  const hash = (await sql(`SELECT password_hash FROM staff WHERE id = ${s.id}`))[0][0];
  assert.match(hash, /^\$argon2id\$/);
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'staff.create'
    AND target = 'staff:${s.id}' AND staff_id = ${ownerId}`), 1);

  assertError(await api('POST', m('/staff/accounts'), { token: owner, body }), 409, 'username_taken', 'username');
  const bad = [
    [{ ...body, username: uname('u'), role: 'boss' }, 'role'],
    [{ ...body, username: 'a b' }, 'username'],
    [{ ...body, username: uname('u'), password: 'short' }, 'password'],
    [{ ...body, username: uname('u'), store_ids: [] }, 'store_ids'],
    [{ ...body, username: uname('u'), store_ids: [3] }, 'store_ids[0]'],
    [{ ...body, username: uname('u'), store_ids: [1, 1] }, 'store_ids[1]'],
    [{ ...body, username: uname('u'), name: '' }, 'name'],
  ];
  const n0 = await count('SELECT COUNT(*) FROM staff');
  for (const [b, field] of bad) {
    assertError(await api('POST', m('/staff/accounts'), { token: owner, body: b }), 400, 'invalid_field', field);
  }
  assert.equal(await count('SELECT COUNT(*) FROM staff'), n0, 'bad input wrote nothing');

  const login = await staffLogin('demo', username, 'first-pass-1');
  assert.deepEqual(login.staff.store_ids, [2]);
  const p = await api('PATCH', m(`/staff/accounts/${s.id}`), {
    token: owner, body: { name: '改名收银员', store_ids: [1, 2] } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.data.staff.name, '改名收银员');
  assert.deepEqual(p.json.data.staff.store_ids, [1, 2]);
  const stores = await api('GET', m('/staff/stores'), { token: login.token });
  assert.deepEqual(stores.json.data.map((x) => x.id), [1, 2]);

  // a password reset ends the account's sessions
  const reset = await api('PATCH', m(`/staff/accounts/${s.id}`), { token: owner, body: { password: 'second-pass-2' } });
  assert.equal(reset.status, 200);
  assertError(await api('GET', m('/staff/me'), { token: login.token }), 401, 'unauthorized');
  assertError(await api('POST', m('/staff/login'), { body: { username, password: 'first-pass-1' } }),
    401, 'invalid_credentials');
  const again = await staffLogin('demo', username, 'second-pass-2');
  // disabling ends them too
  assert.equal((await api('PATCH', m(`/staff/accounts/${s.id}`), { token: owner, body: { disabled: true } })).status, 200);
  assertError(await api('GET', m('/staff/me'), { token: again.token }), 401, 'unauthorized');
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'staff.update'
    AND target = 'staff:${s.id}'`), 3);

  // a cashier keeps at least one store; an owner cannot lock itself out
  assertError(await api('PATCH', m(`/staff/accounts/${s.id}`), { token: owner, body: { store_ids: [] } }),
    400, 'invalid_field', 'store_ids');
  assertError(await api('PATCH', m(`/staff/accounts/${ownerId}`), { token: owner, body: { disabled: true } }),
    400, 'invalid_field', 'disabled');
  assertError(await api('PATCH', m(`/staff/accounts/${ownerId}`), { token: owner, body: { role: 'cashier' } }),
    400, 'invalid_field', 'role');
  assertError(await api('PATCH', m('/staff/accounts/999999999'), { token: owner, body: { name: 'x' } }), 404, 'not_found');
  // another merchant's staff is not found here
  const other = (await sql('SELECT id FROM staff WHERE merchant_id = (SELECT id FROM merchants WHERE code = \'demo2\') LIMIT 1'))[0][0];
  assertError(await api('GET', m(`/staff/accounts/${other}`), { token: owner }), 404, 'not_found');
  assertError(await api('PATCH', m(`/staff/accounts/${other}`), { token: owner, body: { name: 'x' } }), 404, 'not_found');

  const list = await api('GET', m('/staff/accounts?limit=2'), { token: owner });
  assert.equal(list.status, 200);
  assert.equal(list.json.data.length, 2);
  assert.ok(list.json.next_cursor);
  const next = await api('GET', m(`/staff/accounts?limit=100&cursor=${list.json.next_cursor}`), { token: owner });
  assert.ok(next.json.data.every((a) => a.id > list.json.data[1].id));
  assert.ok(next.json.data.some((a) => a.id === s.id));
  assert.ok(next.json.data.every((a) => !('password_hash' in a)));
});

test('card settings: validated, stored, audited and shown on the member card', async () => {
  await saveSettings();
  const { marketing } = await tokens();
  const member = await memberToken();
  const good = {
    name: '金卡测试', background_url: '/uploads/abcdef.png',
    validity: { kind: 'months', months: 12 }, store_ids: [2, 1],
  };
  const r = await api('PUT', m('/staff/settings/card'), { token: marketing, body: good });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { name: '金卡测试', background_url: '/uploads/abcdef.png',
    validity: { kind: 'months', months: 12 }, store_ids: [2, 1] });
  const row = (await sql('SELECT card_name, card_bg_url, card_validity, card_valid_months, card_store_ids'
    + ' FROM merchants WHERE code = \'demo\''))[0];
  assert.deepEqual(row, ['金卡测试', '/uploads/abcdef.png', 'months', '12', '[2,1]']);
  let card = await settledCard('demo', member, (c) => c.card_name === '金卡测试');
  assert.equal(card.card_name, '金卡测试');
  assert.equal(card.background_url, '/uploads/abcdef.png');
  assert.deepEqual(card.stores, [2, 1]);
  assert.match(card.valid_until, /^\d{4}-\d\d-\d\d$/);
  // months run from the day of joining (UTC); a day the month it lands in
  // lacks becomes that month's last day, as MariaDB's date arithmetic has it
  const memberId = (await api('GET', m('/me'), { token: member })).json.data.member.id;
  for (const [joined, until] of [['2024-01-31 20:00:00', '2025-01-31'], ['2024-02-29 23:59:59', '2025-02-28'],
    ['2023-03-31 00:00:00', '2024-03-31']]) {
    await sql(`UPDATE members SET joined_at = '${joined}' WHERE id = ${memberId}`);
    const expect = (await sql(`SELECT DATE(joined_at + INTERVAL 12 MONTH) FROM members WHERE id = ${memberId}`))[0][0];
    assert.equal(expect, until);
    assert.equal((await api('GET', m('/me/card'), { token: member })).json.data.valid_until, until);
  }
  assert.ok(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'settings.card'
    AND detail LIKE '%金卡测试%'`) >= 1);

  const until = `${new Date().getFullYear() + 1}-06-30`;
  const r2 = await api('PUT', m('/staff/settings/card'), { token: marketing,
    body: { name: '永久卡', validity: { kind: 'until', until }, store_ids: 'all' } });
  assert.equal(r2.status, 200, r2.text);
  assert.equal(r2.json.data.background_url, null);
  card = await settledCard('demo', member, (c) => c.valid_until === until);
  assert.equal(card.valid_until, until);
  assert.equal(card.stores, 'all');

  const before = (await sql('SELECT card_name, card_validity FROM merchants WHERE code = \'demo\''))[0];
  const bad = [
    [{ ...good, name: '' }, 'name'],
    [{ ...good, name: 'x'.repeat(33) }, 'name'],
    [{ ...good, validity: undefined }, 'validity'],
    [{ ...good, validity: 'permanent' }, 'validity'],
    [{ ...good, validity: { kind: 'forever' } }, 'validity.kind'],
    [{ ...good, validity: { kind: 'months' } }, 'validity.months'],
    [{ ...good, validity: { kind: 'months', months: 0 } }, 'validity.months'],
    [{ ...good, validity: { kind: 'months', months: 121 } }, 'validity.months'],
    [{ ...good, validity: { kind: 'until' } }, 'validity.until'],
    [{ ...good, validity: { kind: 'until', until: '2031-02-30' } }, 'validity.until'],
    [{ ...good, validity: { kind: 'until', until: '2001-01-01' } }, 'validity.until'],
    [{ ...good, store_ids: [] }, 'store_ids'],
    [{ ...good, store_ids: 'some' }, 'store_ids'],
    [{ ...good, store_ids: undefined }, 'store_ids'],
    [{ ...good, store_ids: [1, 3] }, 'store_ids[1]'],
    [{ ...good, store_ids: [1, 1] }, 'store_ids[1]'],
    [{ ...good, store_ids: ['1'] }, 'store_ids[0]'],
    [{ ...good, background_url: 'javascript:alert(1)' }, 'background_url'],
    [{ ...good, background_url: "/uploads/x.png');background:url('//evil" }, 'background_url'],
    [{ ...good, background_url: 'http://example.com/a.png' }, 'background_url'],
    [{ ...good, background_url: '/uploads/../etc/passwd' }, 'background_url'],
  ];
  for (const [b, field] of bad) {
    assertError(await api('PUT', m('/staff/settings/card'), { token: marketing, body: b }), 400, 'invalid_field', field);
  }
  assert.deepEqual((await sql('SELECT card_name, card_validity FROM merchants WHERE code = \'demo\''))[0], before);
});

test('uploads: PNG and JPEG by their bytes, served by nginx as images, anything else 415', async () => {
  const { marketing } = await tokens();
  for (const [bytes, ext, type] of [[PNG, 'png', 'image/png'], [JPEG, 'jpg', 'image/jpeg']]) {
    // the declared content type does not matter, the bytes do
    const r = await api('POST', m('/staff/uploads'), {
      token: marketing, raw: bytes, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.data.url, new RegExp(`^/uploads/[0-9a-f]{32}\\.${ext}$`));
    assert.equal(r.json.data.bytes, bytes.length);
    const name = r.json.data.url.slice('/uploads/'.length);
    const st = await stat(`${process.env.UPLOAD_DIR}/${name}`);
    assert.equal(st.mode & 0o777, 0o644);
    const got = await fetch(process.env.BASE_URL + r.json.data.url);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), type);
    assert.equal(got.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(Buffer.from(await got.arrayBuffer()).equals(bytes));
    assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'upload.create'
      AND target = 'upload:${name}'`), 1);
    // usable as the card background
    const body = { name: '背景测试', background_url: r.json.data.url, validity: { kind: 'permanent' }, store_ids: 'all' };
    await saveSettings();
    assert.equal((await api('PUT', m('/staff/settings/card'), { token: marketing, body })).status, 200);
  }
  // Decoded whole: a size the data does not hold, no pixels, a header and
  // nothing after it, a stream cut off: refused, nothing kept.
  const huge = png(100000, 100000, { rows: 1 });
  assert.ok(huge.length < 2000, `${huge.length} bytes declaring 100000x100000`);
  const refused = [
    [huge, /过大/], [png(0, 0), /为零/], [png(3000, 1, { rows: 1 }).subarray(0, 40), /不完整/],
    [png(64, 64, { cut: true }), /不完整/], [png(64, 64, { rows: 10 }), /不完整/],
    [Buffer.from('ffd8ffe000104a46494600', 'hex'), /不完整/],
    [JPEG.subarray(0, JPEG.length - 60), /不完整/],
    [Buffer.concat([JPEG.subarray(0, 200), randomBytes(400)]), /不完整/],
  ];
  const before = readdirSync(process.env.UPLOAD_DIR).length;
  for (const [bytes, why] of refused) {
    const r = await api('POST', m('/staff/uploads'), {
      token: marketing, raw: bytes, headers: { 'content-type': 'image/png' } });
    assertError(r, 400, 'invalid_field', 'body');
    assert.match(r.json.error.message, why, `${bytes.length} bytes: ${r.json.error.message}`);
  }
  assert.equal(readdirSync(process.env.UPLOAD_DIR).length, before, 'no file kept');
  const wide = png(4096, 2, { rows: 2 });
  const ok = await api('POST', m('/staff/uploads'), { token: marketing, raw: wide,
    headers: { 'content-type': 'image/png' } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.data.width, 4096);
  assert.equal(ok.json.data.height, 2);
  assertError(await api('POST', m('/staff/uploads'), { token: marketing, raw: png(4097, 1),
    headers: { 'content-type': 'image/png' } }), 400, 'invalid_field', 'body');

  const html = Buffer.from('<html><script>alert(1)</script></html>');
  const gif = Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'binary');
  for (const bytes of [html, gif, Buffer.from('\x89PNX\r\n\x1a\n' + 'x'.repeat(40), 'binary')]) {
    assertError(await api('POST', m('/staff/uploads'), {
      token: marketing, raw: bytes, headers: { 'content-type': 'image/png' } }), 415, 'unsupported_media_type');
  }
  assertError(await api('POST', m('/staff/uploads'), { token: marketing, raw: '', headers: { 'content-type': 'image/png' } }),
    400, 'invalid_field');
  const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
  const tooBig = await api('POST', m('/staff/uploads'), { token: marketing, raw: big, headers: { 'content-type': 'image/png' } });
  assertError(tooBig, 413, 'body_too_large');
  // exactly 2 MiB is accepted
  const max = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024 - PNG.length)]);
  assert.equal((await api('POST', m('/staff/uploads'), { token: marketing, raw: max,
    headers: { 'content-type': 'image/png' } })).status, 201);
  // nginx serves only images from the upload directory
  assert.equal((await fetch(process.env.BASE_URL + '/uploads/whatever.html')).status, 404);
});

test('tiers: replaced in one go, validated field by field, the card and /tiers follow', async () => {
  await saveSettings();
  const { owner, marketing } = await tokens();
  const member = await memberToken();
  const ladder = {
    tiers: [
      { level: 1, name: '青铜', growth: 0, discount_pct: null, points_multiplier: 1,
        privileges: [{ title: '积分', desc: '消费积分' }] },
      { level: 2, name: '白银', growth: 500, discount_pct: 95, points_multiplier: 1.25, privileges: [] },
      { level: 3, name: '黄金', growth: 2000, discount_pct: 90, points_multiplier: 2,
        privileges: [{ title: '生日礼', desc: '生日当月赠礼' }, { title: '专属客服', desc: '' }] },
      { level: 4, name: '钻石', growth: 10000, discount_pct: 85, points_multiplier: 3, privileges: [] },
    ],
  };
  const r = await api('PUT', m('/staff/settings/tiers'), { token: marketing, body: ladder });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.tiers.length, 4);
  assert.equal(r.json.data.tiers[1].points_multiplier, 1.25);
  const pub = (await api('GET', m('/tiers'))).json.data;
  assert.deepEqual(pub.map((t) => [t.level, t.name, t.growth, t.discount_pct]),
    [[1, '青铜', 0, null], [2, '白银', 500, 95], [3, '黄金', 2000, 90], [4, '钻石', 10000, 85]]);
  assert.deepEqual(pub[2].privileges, [{ title: '生日礼', desc: '生日当月赠礼' }, { title: '专属客服', desc: '' }]);
  let card = await settledCard('demo', member, (c) => c.tier.name === '青铜');
  assert.equal(card.tier.name, '青铜');
  assert.equal(card.next_tier.name, '白银');
  assert.equal(card.next_tier.growth_needed, 500);
  assert.equal(await count(`SELECT COUNT(*) FROM tiers WHERE merchant_id = (SELECT id FROM merchants WHERE code = 'demo')`), 4);
  assert.ok(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'settings.tiers' AND detail LIKE '%钻石%'`) >= 1);

  const t = (i, patch) => ({ tiers: ladder.tiers.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
  const privs = (n, title = '权益', desc = '说明') => Array.from({ length: n }, () => ({ title, desc }));
  const eight = { tiers: Array.from({ length: 8 }, (_, i) => ({ level: i + 1, name: `L${i + 1}`, growth: i * 100, points_multiplier: 1, privileges: [] })) };
  const bad = [
    [{}, 'tiers'],
    [{ tiers: [] }, 'tiers'],
    [{ tiers: 'x' }, 'tiers'],
    [eight, 'tiers'],
    [t(0, { growth: 10 }), 'tiers[0].growth'],
    [t(2, { growth: 500 }), 'tiers[2].growth'],
    [t(2, { growth: 400 }), 'tiers[2].growth'],
    [t(1, { growth: -1 }), 'tiers[1].growth'],
    [t(1, { level: 3 }), 'tiers[1].level'],
    [t(0, { level: 0 }), 'tiers[0].level'],
    [t(1, { name: '' }), 'tiers[1].name'],
    [t(1, { name: '名'.repeat(17) }), 'tiers[1].name'],
    [t(1, { discount_pct: 0 }), 'tiers[1].discount_pct'],
    [t(1, { discount_pct: 100 }), 'tiers[1].discount_pct'],
    [t(1, { discount_pct: 9.5 }), 'tiers[1].discount_pct'],
    [t(1, { points_multiplier: 0.05 }), 'tiers[1].points_multiplier'],
    [t(1, { points_multiplier: 10.5 }), 'tiers[1].points_multiplier'],
    [t(1, { points_multiplier: '2' }), 'tiers[1].points_multiplier'],
    [t(1, { points_multiplier: undefined }), 'tiers[1].points_multiplier'],
    [t(3, { privileges: privs(11) }), 'tiers[3].privileges'],
    [t(3, { privileges: [{ title: '', desc: 'x' }] }), 'tiers[3].privileges[0].title'],
    [t(3, { privileges: privs(2, '名'.repeat(17)) }), 'tiers[3].privileges[0].title'],
    [t(3, { privileges: [{ title: 'ok', desc: 'ok' }, { title: 'ok', desc: 'd'.repeat(65) }] }), 'tiers[3].privileges[1].desc'],
    [t(3, { privileges: ['x'] }), 'tiers[3].privileges[0]'],
    [{ tiers: [1] }, 'tiers[0]'],
  ];
  const snapshot = await sql('SELECT level, name, growth FROM tiers WHERE merchant_id = (SELECT id FROM merchants WHERE code = \'demo\') ORDER BY level');
  for (const [b, field] of bad) {
    assertError(await api('PUT', m('/staff/settings/tiers'), { token: owner, body: b }), 400, 'invalid_field', field);
  }
  assert.deepEqual(await sql('SELECT level, name, growth FROM tiers WHERE merchant_id = (SELECT id FROM merchants WHERE code = \'demo\') ORDER BY level'), snapshot);
  // the limits themselves are accepted: 7 tiers, 10 privileges, 16 and 64 characters
  const seven = { tiers: Array.from({ length: 7 }, (_, i) => ({ level: i + 1, name: '名'.repeat(16), growth: i * 100,
    discount_pct: i ? 99 - i : null, points_multiplier: i ? 0.1 * (i + 1) : 10, privileges: privs(10, '题'.repeat(16), '述'.repeat(64)) })) };
  const ok = await api('PUT', m('/staff/settings/tiers'), { token: owner, body: seven });
  assert.equal(ok.status, 200, ok.text);
  card = await settledCard('demo', member, (c) => c.tier.points_multiplier === 10);
  assert.equal(card.tier.points_multiplier, 10);
  assert.equal(card.privileges.length, 10);
  // the settings read what the tiers route reads
  const g = await api('GET', m('/staff/settings/tiers'), { token: marketing });
  // the settings add what keeping a tier asks and gives (tiers_keep.test.mjs)
  const ladderOnly = g.json.data.tiers.map(({ keep_growth, upgrade_rewards, ...t }) => t);
  assert.deepEqual(ladderOnly, (await api('GET', m('/tiers'))).json.data);
});

test('audit log: owners read it newest first, with paging and an action filter', async () => {
  const { owner } = await tokens();
  const r = await api('GET', m('/staff/audit?limit=5'), { token: owner });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.length, 5);
  const ids = r.json.data.map((a) => a.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  for (const a of r.json.data) {
    assert.match(a.at, /\+08:00$/);
    assert.equal(typeof a.action, 'string');
  }
  const next = await api('GET', m(`/staff/audit?limit=5&cursor=${r.json.next_cursor}`), { token: owner });
  assert.ok(next.json.data.every((a) => a.id < ids[4]));
  const f = await api('GET', m('/staff/audit?action=staff.login&limit=100'), { token: owner });
  assert.ok(f.json.data.length > 0);
  assert.ok(f.json.data.every((a) => a.action === 'staff.login'));
  assert.ok(f.json.data.every((a) => a.staff_id && a.staff_name));
  // one merchant never sees another's rows
  const o2 = (await staffLogin('demo2', 'owner', PW)).token;
  const r2 = await api('GET', m('/staff/audit?limit=100', 'demo2'), { token: o2 });
  const demoIds = new Set((await sql('SELECT id FROM audit_log WHERE merchant_id = (SELECT id FROM merchants WHERE code = \'demo\')')).map((x) => Number(x[0])));
  assert.ok(r2.json.data.every((a) => !demoIds.has(a.id)));
});

test('staff pages render and load their scripts', async () => {
  for (const path of ['/m/demo/staff/', '/m/demo/staff/settings']) {
    const r = await api('GET', path);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /text\/html/);
    assert.match(r.text, /id="staff-login"/);
    assert.match(r.text, /\/static\/js\/staff\.js/);
  }
  const counter = await api('GET', '/m/demo/staff/');
  assert.match(counter.text, /id="counter-coupons"/);
  assert.match(counter.text, /id="counter-wallet"/);
  assert.match(counter.text, /counter_coupons\.js/);
  const redirect = await api('GET', '/m/demo/staff', { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  assert.equal(redirect.headers.get('location'), '/m/demo/staff/');
  assert.equal((await api('GET', '/m/no-such-shop/staff/')).status, 404);
});
