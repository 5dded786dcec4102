// The dynamic member code through nginx against the real database: the
// code and its QR images (decoded with zbarimg), the counter scan and the
// ticket it issues, replay, expiry, tampering, another merchant's codes,
// random codes, and who may scan where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join as pjoin } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import { api, m, uniquePhone, signIn, join, staffLogin, sql, parallel } from './lib.mjs';

const PW = 'demo1234';
const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const count = async (q) => Number((await sql(q))[0][0]);

function assertError(res, status, code, field) {
  assert.equal(res.status, status, `${res.status} ${res.text.slice(0, 300)}`);
  assert.equal(res.json.error.code, code, res.text);
  assert.ok(res.json.error.message.length > 0);
  if (field !== undefined) assert.equal(res.json.error.field, field, res.text);
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { encoding: opts.encoding || 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err && !opts.allowFail) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve({ code: err ? err.code : 0, stdout, stderr });
    });
  });
}

async function newMember(merchant = 'demo', name = '扫码会员') {
  const token = await signIn(merchant, uniquePhone());
  const { member } = await join(merchant, token, { name });
  return { token, member };
}

async function freshCode(token, merchant = 'demo') {
  const r = await api('GET', m('/me/member-code', merchant), { token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

let staff;
async function staffTokens() {
  if (!staff) {
    const [owner, marketing, cashier] = await Promise.all(['owner', 'marketing', 'cashier']
      .map((u) => staffLogin('demo', u, PW)));
    staff = { owner, marketing, cashier };
  }
  return staff;
}

const scan = (token, code, storeId = 1, merchant = 'demo', headers = {}) => api('POST', m('/staff/scan', merchant), {
  token, headers, body: { member_code: code, store_id: storeId } });

// A successful scan, of the member whose code it was: the answer names
// that member (id and card number), and the code is recorded as theirs.
async function assertScanned(res, member, code) {
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.data.member.id, member.id, res.text);
  assert.equal(res.json.data.member.card_no, member.card_no, res.text);
  assert.match(res.json.data.ticket, /^[0-9a-f]{32}$/);
  if (code !== undefined) {
    assert.deepEqual(await sql(`SELECT member_id FROM member_codes_used WHERE code = '${code}'`),
      [[String(member.id)]]);
  }
}

async function zbar(bytes) {
  const dir = await mkdtemp(pjoin(tmpdir(), 'mcode-'));
  try {
    const f = pjoin(dir, 'code.png');
    await writeFile(f, bytes);
    return (await run('zbarimg', ['--raw', '-q', f])).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('member-code: a fresh 32-character base32 code on every call, valid 60 s', async () => {
  const { token } = await newMember();
  const a = await freshCode(token);
  const b = await freshCode(token);
  assert.match(a.code, /^[A-Z2-7]{32}$/);
  assert.notEqual(a.code, b.code);
  assert.equal(a.display.replace(/ /g, ''), a.code);
  assert.equal(a.refresh_in_s, 30);
  const ttl = (Date.parse(a.expires_at) - Date.now()) / 1000;
  assert.ok(ttl > 55 && ttl <= 61, `expires in ${ttl} s`);
  assert.match(a.expires_at, /\+08:00$/);
  assert.equal(a.svg_url, `/api/v1/m/demo/me/member-code.svg?code=${a.code}`);
  // member routes only
  assertError(await api('GET', m('/me/member-code')), 401, 'unauthorized');
  const s = await staffTokens();
  assertError(await api('GET', m('/me/member-code'), { token: s.owner.token }), 403, 'forbidden');
  assertError(await api('GET', m('/me/member-code.png'), { token: s.cashier.token }), 403, 'forbidden');
  // a signed-in phone that has not joined has no code
  const phoneOnly = await signIn('demo', uniquePhone());
  assertError(await api('GET', m('/me/member-code'), { token: phoneOnly }), 403, 'not_member');
});

test('PNG: 1-bit, no-store, decodes with zbarimg to exactly the API code', async () => {
  const { token, member } = await newMember();
  const d = await freshCode(token);
  const r = await fetch(process.env.BASE_URL + d.png_url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-member-code'), d.code);
  const png = Buffer.from(await r.arrayBuffer());
  assert.ok(png.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')));
  assert.equal(png.subarray(12, 16).toString(), 'IHDR');
  assert.equal(png[24], 1, 'bit depth 1');
  assert.equal(png[25], 0, 'greyscale');
  assert.equal(await zbar(png), d.code);

  // without ?code= a fresh code, named in X-Member-Code, is drawn
  const f = await fetch(process.env.BASE_URL + m('/me/member-code.png'), { headers: { authorization: `Bearer ${token}` } });
  const fresh = f.headers.get('x-member-code');
  assert.match(fresh, /^[A-Z2-7]{32}$/);
  assert.notEqual(fresh, d.code);
  assert.equal(await zbar(Buffer.from(await f.arrayBuffer())), fresh);
  // the code decoded from the image scans
  const s = await staffTokens();
  await assertScanned(await scan(s.cashier.token, fresh), member, fresh);
});

test('SVG: one path, no-store, the same code; ?code= only for the member\'s own valid code', async () => {
  const { token } = await newMember();
  const d = await freshCode(token);
  const r = await api('GET', d.svg_url, { token });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^image\/svg\+xml/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-member-code'), d.code);
  assert.match(r.text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"/);
  assert.equal((r.text.match(/<path /g) || []).length, 1);
  assert.equal((r.text.match(/<rect /g) || []).length, 1, 'one white background');
  assert.doesNotMatch(r.text, /<script|on\w+=/i);
  // a QR symbol of version 2 (25 modules) plus the quiet zone of 4 on each side
  assert.match(r.text, /viewBox="0 0 33 33"/);

  const other = await newMember();
  const theirs = await freshCode(other.token);
  assertError(await api('GET', m(`/me/member-code.svg?code=${theirs.code}`), { token }), 400, 'invalid_member_code');
  const tampered = d.code.slice(0, 20) + (d.code[20] === 'A' ? 'B' : 'A') + d.code.slice(21);
  assertError(await api('GET', m(`/me/member-code.svg?code=${tampered}`), { token }), 400, 'invalid_member_code');
  assertError(await api('GET', m('/me/member-code.png?code=nonsense'), { token }), 400, 'invalid_member_code');
});

test('scan: member, tier, balance, usable coupons and a ticket; the code is consumed; audit row', async () => {
  const { token, member } = await newMember('demo', '李四');
  const s = await staffTokens();
  const d = await freshCode(token);
  const r = await scan(s.cashier.token, d.code, 1);
  await assertScanned(r, member, d.code);
  const x = r.json.data;
  assert.equal(x.member.id, member.id);
  assert.equal(x.member.name, '李四');
  assert.equal(x.member.card_no, member.card_no);
  assert.equal(x.tier.level, 1);
  assert.ok(x.tier.name);
  assert.deepEqual(x.balance, { principal_fen: 0, bonus_fen: 0, total_fen: 0 });
  assert.ok(Array.isArray(x.coupons));
  assert.match(x.ticket, /^[0-9a-f]{32}$/);
  const left = (Date.parse(x.ticket_expires_at) - Date.now()) / 1000;
  assert.ok(left > 290 && left <= 301, `ticket lives 5 minutes (${left})`);
  // the ticket row: bound to this cashier, store and member
  const t = await sql(`SELECT staff_id, store_id, member_id, used_at IS NULL FROM tickets
    WHERE member_id = ${member.id}`);
  assert.deepEqual(t, [[String(s.cashier.staff.id), '1', String(member.id), '1']]);
  assert.equal(await count(`SELECT COUNT(*) FROM member_codes_used WHERE code = '${d.code}'
    AND member_id = ${member.id} AND store_id = 1 AND staff_id = ${s.cashier.staff.id}`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM audit_log WHERE action = 'member.scan'
    AND target = 'member:${member.id}' AND store_id = 1 AND staff_id = ${s.cashier.staff.id}`), 1);

  // the tier follows the member's growth
  await sql(`UPDATE members SET growth = 1500, principal_fen = 1200, bonus_fen = 300 WHERE id = ${member.id}`);
  const again = await scan(s.owner.token, (await freshCode(token)).code, 2);
  await assertScanned(again, member);
  assert.equal(again.json.data.tier.level, 2);
  assert.deepEqual(again.json.data.balance, { principal_fen: 1200, bonus_fen: 300, total_fen: 1500 });
});

test('a replayed code is refused, also when scanned many times at once', async () => {
  const { token, member } = await newMember();
  const s = await staffTokens();
  const d = await freshCode(token);
  await assertScanned(await scan(s.cashier.token, d.code), member, d.code);
  assertError(await scan(s.cashier.token, d.code), 409, 'member_code_used', 'member_code');
  assertError(await scan(s.owner.token, d.code, 2), 409, 'member_code_used');
  // typed in lower case with blanks it is still the same code
  assertError(await scan(s.cashier.token, d.display.toLowerCase()), 409, 'member_code_used');

  const e = await freshCode(token);
  const res = await parallel(20, (i) => scan(i % 2 ? s.owner.token : s.cashier.token, e.code));
  const ok = res.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, res.map((r) => r.status).join());
  await assertScanned(ok[0], member, e.code);
  assert.ok(res.every((r) => r.status === 200 || (r.status === 409 && r.json.error.code === 'member_code_used')));
  assert.equal(await count(`SELECT COUNT(*) FROM member_codes_used WHERE code = '${e.code}'`), 1);
  assert.equal(await count(`SELECT COUNT(*) FROM tickets WHERE member_id = ${member.id}`), 2);
});

test('an expired code is refused (issued in the past by the app binary)', async () => {
  const { token, member } = await newMember();
  const s = await staffTokens();
  const ttl = Number(process.env.MEMBER_CODE_TTL || 60);
  const issue = async (age) => (await run(APP, ['member-code', 'issue', 'demo', String(member.id),
    String(Math.floor(Date.now() / 1000) - age)])).stdout.trim();
  const old = await issue(ttl + 5);
  assert.match(old, /^[A-Z2-7]{32}$/);
  assertError(await scan(s.cashier.token, old), 400, 'invalid_member_code', 'member_code');
  assertError(await scan(s.cashier.token, await issue(3600)), 400, 'invalid_member_code');
  assertError(await scan(s.cashier.token, await issue(20 * 86400)), 400, 'invalid_member_code');
  assertError(await api('GET', m(`/me/member-code.png?code=${old}`), { token }), 400, 'invalid_member_code');
  // the same command's code within the lifetime is accepted: the refusal is the age
  const young = await issue(ttl - 15);
  await assertScanned(await scan(s.cashier.token, young), member, young);
  assert.equal(await count(`SELECT COUNT(*) FROM member_codes_used WHERE code = '${old}'`), 0);
});

test('tampered, malformed and forged codes are refused with 400 invalid_member_code', async () => {
  const { token, member } = await newMember();
  // a session of its own: 41 refusals stay under the 50 a session may have
  const s = { cashier: await staffLogin('demo', 'cashier', PW) };
  const d = await freshCode(token);
  // every position changed once
  for (let i = 0; i < 32; i++) {
    const c = d.code[i] === 'Q' ? 'R' : 'Q';
    const t = d.code.slice(0, i) + c + d.code.slice(i + 1);
    assertError(await scan(s.cashier.token, t), 400, 'invalid_member_code');
  }
  for (const bad of ['', 'x', d.code.slice(0, 31), d.code + 'A', d.code.replace(/.$/, '!'),
    '9'.repeat(32), 'A'.repeat(32), '2'.repeat(32)]) {
    const r = await scan(s.cashier.token, bad);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
    assert.ok(['invalid_member_code', 'invalid_field'].includes(r.json.error.code));
  }
  assertError(await scan(s.cashier.token, 'A'.repeat(65)), 400, 'invalid_field', 'member_code');
  // the untouched code still works: none of the above consumed it
  await assertScanned(await scan(s.cashier.token, d.code), member, d.code);
});

test('300 random codes through nginx are all refused, and a session stops after 50', async () => {
  const codes = Array.from({ length: 300 }, (_, i) => {
    let c = '';
    for (let k = 0; k < 32; k++) c += B32[randomInt(32)];
    // a third with the version bits of a real code
    return i % 3 === 0 ? B32[8 + randomInt(8)] + c.slice(1) : c;
  });
  // six cashier sessions of 50 codes each: every code is checked, and
  // refused as a code, none by the limit
  for (let s0 = 0; s0 < 300; s0 += 50) {
    const cashier = await staffLogin('demo', 'cashier', PW);
    for (let i = s0; i < s0 + 50; i += 10) {
      const res = await parallel(10, (k) => scan(cashier.token, codes[i + k]));
      for (const r of res) assertError(r, 400, 'invalid_member_code');
    }
    // the 51st refusal of the session is the limit's
    const over = await scan(cashier.token, codes[s0]);
    assertError(over, 429, 'too_many_requests');
    assert.ok(Number(over.headers.get('retry-after')) >= 1, 'Retry-After');
  }
  const list = codes.map((c) => `'${c}'`).join(',');
  assert.equal(await count(`SELECT COUNT(*) FROM member_codes_used WHERE code IN (${list})`), 0);
});

test('another merchant\'s code is 403 forbidden, and is not consumed', async () => {
  const other = await newMember('demo2');
  const d = await freshCode(other.token, 'demo2');
  const s = await staffTokens();
  assertError(await scan(s.cashier.token, d.code), 403, 'forbidden', 'member_code');
  // at its own merchant it scans
  const o2 = await staffLogin('demo2', 'owner', PW);
  const store = (await sql('SELECT id FROM stores WHERE merchant_id = (SELECT id FROM merchants WHERE code = \'demo2\') ORDER BY id LIMIT 1'))[0][0];
  await assertScanned(await scan(o2.token, d.code, Number(store), 'demo2'), other.member, d.code);
  // and a demo2 store is not a store of demo
  const { token } = await newMember();
  assertError(await scan(s.owner.token, (await freshCode(token)).code, Number(store)), 400, 'invalid_field', 'store_id');
});

test('who may scan where: cashier at its own stores, owner anywhere, marketing and members never', async () => {
  const { token, member } = await newMember();
  const s = await staffTokens();
  const code = (await freshCode(token)).code;
  assertError(await scan(s.marketing.token, code, 1), 403, 'forbidden');
  assertError(await scan(s.cashier.token, code, 2), 403, 'forbidden', 'store_id');
  assertError(await scan(token, code, 1), 403, 'forbidden');
  assertError(await scan(undefined, code, 1), 401, 'unauthorized');
  assertError(await scan(s.cashier.token, code, 999999), 400, 'invalid_field', 'store_id');
  assertError(await api('POST', m('/staff/scan'), { token: s.cashier.token, body: { member_code: code } }),
    400, 'invalid_field', 'store_id');
  // none of these consumed the code or wrote a ticket
  assert.equal(await count(`SELECT COUNT(*) FROM member_codes_used WHERE code = '${code}'`), 0);
  assert.equal(await count(`SELECT COUNT(*) FROM tickets WHERE member_id = ${member.id}`), 0);
  // a cookie session needs the CSRF header
  const cookie = { cookie: `sid=${s.cashier.token}` };
  assertError(await scan(undefined, code, 1, 'demo', cookie), 403, 'forbidden');
  const ok = await scan(undefined, code, 1, 'demo', { ...cookie, 'x-csrf-token': s.cashier.csrf_token });
  await assertScanned(ok, member, code);
});

test('the member code page: QR and card number for a member, a way in otherwise', async () => {
  const signedOut = await api('GET', '/m/demo/code');
  assert.equal(signedOut.status, 200);
  assert.match(signedOut.text, /id="code-signin" href="\/m\/demo\/"/);
  assert.doesNotMatch(signedOut.text, /code\.js/);
  const { token, member } = await newMember();
  const r = await api('GET', '/m/demo/code', { headers: { cookie: `sid=${token}` } });
  assert.equal(r.status, 200);
  assert.match(r.text, new RegExp(`<span id="card-no">${member.card_no}</span>`));
  assert.match(r.text, /id="code-qr"/);
  assert.match(r.text, /\/static\/js\/code\.js/);
  assert.match(r.text, /data-refresh="30"/);
});

test('the app binary checks codes for support', async () => {
  const { token, member } = await newMember();
  const d = await freshCode(token);
  const ok = await run(APP, ['member-code', 'check', d.code]);
  assert.match(ok.stdout, new RegExp(`^ok merchant_id=\\d+ member_id=${member.id} issued_at=\\d+`));
  const bad = await run(APP, ['member-code', 'check', 'A'.repeat(32)], { allowFail: true });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout, /^(forged|malformed)/);
});
