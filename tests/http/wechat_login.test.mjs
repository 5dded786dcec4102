// WeChat's mini-program and official account through nginx, MariaDB and
// the local fake of WeChat's servers (tests/fake/mp.mjs): the merchant's
// settings with sealed secrets, sign-in by wx.login's code (known and
// unknown openid, reused codes, WeChat's quota, WeChat slow and down), the
// phone from getPhoneNumber and the merge with a member who joined by SMS,
// the access token and jsapi ticket fetched once for all workers and again
// after expiry, and the JS-SDK signature checked against node's SHA-1 and
// the openssl command line.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { api, m, sql, parallel, uniquePhone, signIn, join, BASE } from './lib.mjs';
import { ownMerchant } from './own_merchant.mjs';

const FAKE = process.env.WX_FAKE_URL;
const SITE = (process.env.PUBLIC_URL || BASE).replace(/\/$/, '');

async function fake(path, body) {
  const res = await fetch(FAKE + path, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return res.json();
}
const newAppid = () => 'wx' + randomBytes(8).toString('hex');
const newSecret = () => randomBytes(16).toString('hex');
const newOpenid = () => 'o' + randomBytes(13).toString('base64url');

/** wx.login's code for openid (unionid, or an errcode WeChat will answer for it). */
async function loginCode(app, openid, extra = {}) {
  return (await fake('/__fake/mp/code', { appid: app.appid, openid, ...extra })).code;
}
async function phoneCode(app, phone) {
  return (await fake('/__fake/mp/phone-code', { appid: app.appid, phone })).code;
}
const stats = (app) => fake(`/__fake/mp/stats?appid=${app.appid}`);

async function owner(code) {
  const r = await api('POST', m('/staff/login', code), { body: { username: 'owner', password: 'demo1234' } });
  assert.equal(r.status, 200, r.text);
  return r.json.data.token;
}

/**
 * A merchant of its own with a mini-program and an official account of
 * their own at the fake: {code, id, token (owner), mp, oa}.
 */
async function wxMerchant() {
  const mer = await ownMerchant('wx');
  const token = await owner(mer.code);
  const mp = { appid: newAppid(), secret: newSecret() };
  const oa = { appid: newAppid(), secret: newSecret() };
  await fake('/__fake/mp/app', mp);
  await fake('/__fake/mp/app', oa);
  const r = await api('PUT', m('/staff/settings/wechat', mer.code), {
    token, body: { mini_program: mp, official_account: oa },
  });
  assert.equal(r.status, 200, r.text);
  return { ...mer, token, mp, oa };
}

const wxLogin = (mer, code) => api('POST', m('/auth/wx-login', mer.code), { body: { code } });
const wxPhone = (mer, token, code) => api('POST', m('/auth/wx-phone', mer.code), { token, body: { code } });

let mer;
before(async () => {
  assert.ok(FAKE, 'WX_FAKE_URL: the stack starts the WeChat fake');
  mer = await wxMerchant();
});

test('settings: owner only, secrets sealed and never returned, kept when left out', async () => {
  const own = await ownMerchant('wxs');
  const token = await owner(own.code);
  let r = await api('GET', m('/staff/settings/wechat', own.code), { token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, {
    mini_program: { appid: null, secret_set: false },
    official_account: { appid: null, secret_set: false },
  });
  const mkt = await api('POST', m('/staff/login', own.code), { body: { username: 'marketing', password: 'demo1234' } });
  r = await api('GET', m('/staff/settings/wechat', own.code), { token: mkt.json.data.token });
  assert.equal(r.status, 403);

  const app = { appid: newAppid(), secret: newSecret() };
  r = await api('PUT', m('/staff/settings/wechat', own.code), { token, body: { mini_program: { appid: 'wx123' } } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'mini_program.appid');
  r = await api('PUT', m('/staff/settings/wechat', own.code), { token, body: { mini_program: { appid: app.appid } } });
  assert.equal(r.status, 400, 'a new app needs its secret');
  assert.equal(r.json.error.field, 'mini_program.secret');
  r = await api('PUT', m('/staff/settings/wechat', own.code), { token, body: { mini_program: { appid: app.appid, secret: 'x&y' } } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'mini_program.secret');
  assert.equal((await sql(`SELECT COUNT(*) FROM wx_apps WHERE merchant_id = ${own.id}`))[0][0], '0', 'bad input writes nothing');

  r = await api('PUT', m('/staff/settings/wechat', own.code), { token, body: { mini_program: app } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.mini_program, { appid: app.appid, secret_set: true });
  assert.ok(!r.text.includes(app.secret));
  r = await api('GET', m('/staff/settings/wechat', own.code), { token });
  assert.ok(!r.text.includes(app.secret));
  const [[sealed]] = await sql(`SELECT secret_sealed FROM wx_apps WHERE merchant_id = ${own.id} AND kind = 'mp'`);
  assert.ok(sealed.startsWith('v1:') && !sealed.includes(app.secret), 'sealed in the database');

  // the same appid without a secret keeps the secret: sign-in still works
  await fake('/__fake/mp/app', app);
  r = await api('PUT', m('/staff/settings/wechat', own.code), { token, body: { mini_program: { appid: app.appid } } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.mini_program.secret_set, true);
  r = await wxLogin(own, await loginCode(app, newOpenid()));
  assert.equal(r.status, 200, r.text);

  // null disconnects
  r = await api('PUT', m('/staff/settings/wechat', own.code), { token, body: { mini_program: null } });
  assert.deepEqual(r.json.data.mini_program, { appid: null, secret_set: false });
  r = await wxLogin(own, await loginCode(app, newOpenid()));
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'not_configured');
  r = await api('GET', m('/wx/jssdk-config', own.code) + `?url=${encodeURIComponent(`${SITE}/m/${own.code}/`)}`);
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'not_configured');
});

test('an unknown openid gets a session without a member; a known one signs its member in', async () => {
  const openid = newOpenid();
  let r = await wxLogin(mer, await loginCode(mer.mp, openid, { unionid: 'u' + randomBytes(10).toString('hex') }));
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.equal(d.member, null);
  assert.equal(d.phone_bound, false);
  assert.ok(d.token && d.expires_at);
  assert.ok(!/session_key/.test(r.text), 'session_key never leaves the server');
  const [[ident, mem]] = await sql(`SELECT id, member_id FROM wx_identities
    WHERE merchant_id = ${mer.id} AND appid = '${mer.mp.appid}' AND openid = '${openid}'`);
  assert.ok(Number(ident) > 0);
  assert.equal(mem, 'NULL');
  r = await api('GET', m('/me', mer.code), { token: d.token });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'not_member');
  r = await api('POST', m('/members', mer.code), { token: d.token, body: {} });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'phone_required');

  // bind a new phone, join with it: the identity is the member's from then on
  const phone = uniquePhone();
  r = await wxPhone(mer, d.token, await phoneCode(mer.mp, phone));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.member, null);
  assert.equal(r.json.data.phone_masked, `${phone.slice(0, 3)}****${phone.slice(7)}`);
  const joined = await join(mer.code, d.token, { name: '微信用户' });
  assert.equal(joined.created, true);
  const [[linked]] = await sql(`SELECT member_id FROM wx_identities WHERE id = ${ident}`);
  assert.equal(Number(linked), joined.member.id);

  r = await wxLogin(mer, await loginCode(mer.mp, openid));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.member.id, joined.member.id);
  assert.equal(r.json.data.phone_bound, true);
  r = await api('GET', m('/me', mer.code), { token: r.json.data.token });
  assert.equal(r.status, 200);
  assert.equal(r.json.data.member.id, joined.member.id);
});

test('WeChat refuses a used or invalid code: 400 invalid_code; its quota: 429; its error: 503', async () => {
  const code = await loginCode(mer.mp, newOpenid());
  assert.equal((await wxLogin(mer, code)).status, 200);
  let r = await wxLogin(mer, code);
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, 'invalid_code');
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
  r = await wxLogin(mer, 'nosuchcode');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_code');
  r = await wxLogin(mer, 'bad code&x=1');
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_field');
  assert.equal(r.json.error.field, 'code');

  r = await wxLogin(mer, await loginCode(mer.mp, newOpenid(), { errcode: 45011 }));
  assert.equal(r.status, 429, r.text);
  assert.equal(r.json.error.code, 'too_many_requests');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
  r = await wxLogin(mer, await loginCode(mer.mp, newOpenid(), { errcode: -1 }));
  assert.equal(r.status, 503, r.text);
  assert.equal(r.json.error.code, 'unavailable');
});

test('WeChat slow: 503 within the bound, no worker held; WeChat down: 503', async () => {
  const own = await wxMerchant();
  const code = await loginCode(own.mp, newOpenid());
  await fake('/__fake/mp/app', { ...own.mp, delay_ms: 8000 });
  try {
    const t0 = Date.now();
    const rs = await parallel(3, () => wxLogin(own, code));
    const took = Date.now() - t0;
    for (const r of rs) {
      assert.equal(r.status, 503, r.text);
      assert.equal(r.json.error.code, 'unavailable');
    }
    assert.ok(took < 5000, `answered in ${took} ms, bound 3 s`);
    // meanwhile the app serves everyone else
    assert.equal((await api('GET', '/livez')).status, 200);
  } finally {
    await fake('/__fake/mp/app', { ...own.mp, delay_ms: 0 });
  }
  await fake('/__fake/mp/app', { ...own.mp, down: true });
  try {
    const r = await wxLogin(own, await loginCode(own.mp, newOpenid()));
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'unavailable');
  } finally {
    await fake('/__fake/mp/app', own.mp);
  }
  const r = await wxLogin(own, await loginCode(own.mp, newOpenid()));
  assert.equal(r.status, 200, 'back when WeChat is');
});

test('the phone of a member who joined by SMS: the same member, by either sign-in', async () => {
  const phone = uniquePhone();
  const sms = await signIn(mer.code, phone);
  const member = (await join(mer.code, sms, { name: '短信会员' })).member;

  const openid = newOpenid();
  let r = await wxLogin(mer, await loginCode(mer.mp, openid));
  const wx = r.json.data.token;
  assert.equal(r.json.data.member, null);
  r = await wxPhone(mer, wx, await phoneCode(mer.mp, phone));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.member.id, member.id);
  r = await api('GET', m('/me', mer.code), { token: wx });
  assert.equal(r.status, 200, 'the WeChat session now signs the member in');
  assert.equal(r.json.data.member.id, member.id);
  assert.equal((await sql(`SELECT COUNT(*) FROM members WHERE merchant_id = ${mer.id} AND phone = '${phone}'`))[0][0], '1');

  r = await wxLogin(mer, await loginCode(mer.mp, openid));
  assert.equal(r.json.data.member.id, member.id, 'next time by the openid alone');

  // this WeChat belongs to that member: another phone is refused
  r = await wxPhone(mer, wx, await phoneCode(mer.mp, uniquePhone()));
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error.code, 'conflict');
  // a second WeChat account proving the same phone takes the member over
  const other = newOpenid();
  r = await wxLogin(mer, await loginCode(mer.mp, other));
  r = await wxPhone(mer, r.json.data.token, await phoneCode(mer.mp, phone));
  assert.equal(r.json.data.member.id, member.id);
  const rows = await sql(`SELECT openid FROM wx_identities WHERE merchant_id = ${mer.id}
    AND appid = '${mer.mp.appid}' AND member_id = ${member.id}`);
  assert.deepEqual(rows, [[other]], 'one openid per member and app');

  // an SMS session has no WeChat identity to bind
  r = await wxPhone(mer, sms, await phoneCode(mer.mp, phone));
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'wx_login_required');
  // a used phone code
  const pc = await phoneCode(mer.mp, uniquePhone());
  const w2 = (await wxLogin(mer, await loginCode(mer.mp, newOpenid()))).json.data.token;
  assert.equal((await wxPhone(mer, w2, pc)).status, 200);
  r = await wxPhone(mer, w2, pc);
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_code');
});

test('the access token: one fetch for 20 concurrent phone bindings, again after expiry or refusal', async () => {
  const own = await wxMerchant();
  const sessions = await parallel(20, async () => (await wxLogin(own, await loginCode(own.mp, newOpenid()))).json.data.token);
  const codes = await parallel(20, () => phoneCode(own.mp, uniquePhone()));
  const rs = await parallel(20, (i) => wxPhone(own, sessions[i], codes[i]));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  assert.equal((await stats(own.mp)).token_fetches, 1);
  const [[sealed]] = await sql(`SELECT value_sealed FROM wx_tokens WHERE merchant_id = ${own.id}
    AND appid = '${own.mp.appid}' AND kind = 'access_token'`);
  assert.ok(sealed.startsWith('v1:'));

  const bind = async () => {
    const t = (await wxLogin(own, await loginCode(own.mp, newOpenid()))).json.data.token;
    return wxPhone(own, t, await phoneCode(own.mp, uniquePhone()));
  };
  assert.equal((await bind()).status, 200);
  assert.equal((await stats(own.mp)).token_fetches, 1, 'cached');
  // within five minutes of its expiry: refreshed
  await sql(`UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP() + INTERVAL 100 SECOND
    WHERE merchant_id = ${own.id} AND kind = 'access_token'`);
  assert.equal((await bind()).status, 200);
  assert.equal((await stats(own.mp)).token_fetches, 2);
  // expired
  await sql(`UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND
    WHERE merchant_id = ${own.id} AND kind = 'access_token'`);
  assert.equal((await bind()).status, 200);
  assert.equal((await stats(own.mp)).token_fetches, 3);
  // WeChat no longer takes it (40001): refetched once, the call goes through
  await fake('/__fake/mp/revoke', { appid: own.mp.appid });
  assert.equal((await bind()).status, 200);
  assert.equal((await stats(own.mp)).token_fetches, 4);
});

/** The signature WeChat computes: SHA-1 over the four fields in this order. */
function sign(ticket, nonce, ts, url) {
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonce}&timestamp=${ts}&url=${url}`).digest('hex');
}

test('jssdk-config: a signature WeChat accepts, for the merchant\'s own pages only', async () => {
  const own = await wxMerchant();
  const page = `${SITE}/m/${own.code}/c/spring?ref=ABC&x=1`;
  const rs = await parallel(20, () => api('GET', m('/wx/jssdk-config', own.code) + `?url=${encodeURIComponent(page + '#share')}`));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const s = await stats(own.oa);
  assert.equal(s.ticket_fetches, 1, 'one ticket for 20 concurrent pages');
  assert.equal(s.token_fetches, 1, 'one access token for it');
  const d = rs[0].json.data;
  assert.deepEqual(Object.keys(d).sort(), ['appId', 'nonceStr', 'signature', 'timestamp']);
  assert.equal(d.appId, own.oa.appid);
  assert.ok(Math.abs(d.timestamp - Date.now() / 1000) < 60);
  assert.match(d.nonceStr, /^[A-Za-z0-9]{16}$/);
  assert.equal(d.signature, sign(s.ticket, d.nonceStr, d.timestamp, page), 'the fragment is not signed');
  // the same string through the openssl command line
  const str = `jsapi_ticket=${s.ticket}&noncestr=${d.nonceStr}&timestamp=${d.timestamp}&url=${page}`;
  const out = execFileSync('openssl', ['sha1', '-r'], { input: str }).toString();
  assert.equal(out.split(' ')[0], d.signature);
  const [[sealed]] = await sql(`SELECT value_sealed FROM wx_tokens WHERE merchant_id = ${own.id} AND kind = 'jsapi_ticket'`);
  assert.ok(!sealed.includes(s.ticket));

  for (const bad of [
    '', `${SITE}/m/demo/c/spring`, `https://evil.example.com/m/${own.code}/`, `${SITE}.evil.cn/m/${own.code}/`,
    `${SITE}/m/${own.code}x/`, `/m/${own.code}/`, `${SITE}/m/${own.code}/../demo/c/spring`,
    `${SITE}/m/${own.code}/%2e%2e/demo/`,
  ]) {
    const r = await api('GET', m('/wx/jssdk-config', own.code) + `?url=${encodeURIComponent(bad)}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, 'url');
  }

  // the ticket expires: fetched again (with its token, expired too)
  await sql(`UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE merchant_id = ${own.id}`);
  const r = await api('GET', m('/wx/jssdk-config', own.code) + `?url=${encodeURIComponent(page)}`);
  assert.equal(r.status, 200, r.text);
  const s2 = await stats(own.oa);
  assert.equal(s2.ticket_fetches, 2);
  assert.equal(s2.token_fetches, 2);
  assert.notEqual(s2.ticket, s.ticket);
  assert.equal(r.json.data.signature, sign(s2.ticket, r.json.data.nonceStr, r.json.data.timestamp, page));

  // due within five minutes while another worker holds the lease: the old
  // ticket serves, nothing is fetched
  const jssdk = () => api('GET', m('/wx/jssdk-config', own.code) + `?url=${encodeURIComponent(page)}`);
  const where = `merchant_id = ${own.id} AND kind = 'jsapi_ticket'`;
  await sql(`UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP() + INTERVAL 100 SECOND,
    lease_until = UTC_TIMESTAMP(3) + INTERVAL 60 SECOND, lease_id = 'another-worker' WHERE ${where}`);
  let rs2 = await parallel(10, jssdk);
  for (const x of rs2) {
    assert.equal(x.status, 200, x.text);
    assert.equal(x.json.data.signature, sign(s2.ticket, x.json.data.nonceStr, x.json.data.timestamp, page));
  }
  assert.equal((await stats(own.oa)).ticket_fetches, 2);
  // expired and the lease still held: a bounded wait, then 503
  await sql(`UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE ${where}`);
  const t0 = Date.now();
  const stuck = await jssdk();
  const took = Date.now() - t0;
  assert.equal(stuck.status, 503, stuck.text);
  assert.ok(took >= 5000 && took < 10000, `waited ${took} ms for the holder`);
  assert.equal((await stats(own.oa)).ticket_fetches, 2);
  // the holder's lease runs out: the next request claims the row; 20 at
  // once while the ticket is due but valid: one fetch, everyone served
  await sql(`UPDATE wx_tokens SET lease_until = UTC_TIMESTAMP(3) - INTERVAL 1 SECOND WHERE ${where}`);
  assert.equal((await jssdk()).status, 200);
  assert.equal((await stats(own.oa)).ticket_fetches, 3);
  await sql(`UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP() + INTERVAL 100 SECOND WHERE ${where}`);
  rs2 = await parallel(20, jssdk);
  for (const x of rs2) assert.equal(x.status, 200, x.text);
  assert.equal((await stats(own.oa)).ticket_fetches, 4);
});
