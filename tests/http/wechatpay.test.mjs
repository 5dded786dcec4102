// WeChat Pay API v3 as a payment provider, against the local fake
// (tests/fake/pay.mjs): the merchant's settings, the signed JSAPI prepay
// and paySign (known answers from the openssl command line), the notify
// with every way it can be wrong, settling once however often it comes.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, m, sql, signIn, join as joinMember, staffLogin, uniquePhone, BASE } from './lib.mjs';
import { ownMerchant } from './own_merchant.mjs';

const FAKE = process.env.WX_FAKE_URL;
const DIR = process.env.WX_FAKE_DIR;

async function fake(method, path, body) {
  const r = await fetch(FAKE + path, { method, headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const t = await r.text();
  return { status: r.status, json: t ? JSON.parse(t) : null };
}

let mer, owner, acct, keyFile, fakeKeys, tmp;

before(async () => {
  assert.ok(FAKE && DIR, 'the stack starts the WeChat fake (WX_FAKE_URL, WX_FAKE_DIR)');
  mer = await ownMerchant('wxp');
  owner = await staffLogin(mer.code, 'owner', 'demo1234');
  const kp = generateKeyPairSync('rsa', { modulusLength: 2048 });
  tmp = mkdtempSync(join(tmpdir(), 'wxpay-'));
  keyFile = join(tmp, 'apiclient_key.pem');
  const priv = kp.privateKey.export({ type: 'pkcs8', format: 'pem' });
  writeFileSync(keyFile, priv);
  acct = {
    mchid: String(randomInt(1e9, 2e9)),
    appid: 'wx' + randomBytes(8).toString('hex'),
    serial: randomBytes(20).toString('hex').toUpperCase(),
    apiv3_key: randomBytes(16).toString('hex'),
    private_key: priv,
    public_key: kp.publicKey.export({ type: 'spki', format: 'pem' }),
  };
  assert.equal((await fake('POST', '/__fake/pay/merchant', { mchid: acct.mchid, appid: acct.appid,
    serial: acct.serial, public_key: acct.public_key, apiv3_key: acct.apiv3_key })).status, 200);
  fakeKeys = (await fake('GET', '/__fake/pay/keys')).json;
  await fake('POST', '/__fake/pay/sign-with', { key: 'certificate' });
});

function putSettings(body, token = owner.token) {
  return api('PUT', m('/staff/settings/wechatpay', mer.code), { token, body });
}

const cert = () => readFileSync(fakeKeys.certificate_pem, 'utf8');
const pubkey = () => readFileSync(fakeKeys.public_key_pem, 'utf8');

async function configure(keys) {
  const r = await putSettings({ mchid: acct.mchid, appid: acct.appid, cert_serial: acct.serial,
    private_key: acct.private_key, apiv3_key: acct.apiv3_key, platform_keys: keys });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

// A member of the merchant signed in from its mini-program (an openid).
async function wxMember() {
  const token = await signIn(mer.code, uniquePhone());
  const j = await joinMember(mer.code, token);
  const id = j.member.id;
  const openid = 'o' + randomBytes(12).toString('base64url');
  await sql(`INSERT INTO wx_identities (merchant_id, appid, openid, member_id, created_at, updated_at)
    VALUES (${mer.id}, '${acct.appid}', '${openid}', ${id}, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  return { token, id, openid };
}

async function recharge(mem, pay_fen = 12300) {
  const r = await api('POST', m('/me/recharges', mer.code), { token: mem.token,
    body: { pay_fen, provider: 'wechatpay' } });
  assert.equal(r.status, 201, r.text);
  return r.json.data.recharge;
}

const notifyUrl = () => `${BASE}/api/v1/payments/notify/wechatpay/${mer.code}`;

function notify(no, amount, extra = {}) {
  return fake('POST', '/__fake/pay/notify', { url: notifyUrl(), mchid: acct.mchid,
    out_trade_no: no, amount, ...extra });
}

async function state(rc) {
  const [[status]] = await sql(`SELECT status FROM recharges WHERE id = ${rc.id}`);
  const [[n]] = await sql(`SELECT COUNT(*) FROM wallet_entries WHERE merchant_id = ${mer.id}
    AND member_id = ${rc.member_id} AND kind = 'recharge'`);
  const [[p]] = await sql(`SELECT principal_fen FROM members WHERE id = ${rc.member_id}`);
  return { status, entries: Number(n), principal: Number(p) };
}

test('settings: owner only, secrets never read back, keys checked', async () => {
  const mk = await staffLogin(mer.code, 'marketing', 'demo1234');
  assert.equal((await api('GET', m('/staff/settings/wechatpay', mer.code), { token: mk.token })).status, 403);
  const g0 = await api('GET', m('/staff/settings/wechatpay', mer.code), { token: owner.token });
  assert.equal(g0.status, 200);
  assert.equal(g0.json.data.configured, false);

  const bad = await putSettings({ mchid: acct.mchid, appid: acct.appid, cert_serial: acct.serial,
    private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n', apiv3_key: acct.apiv3_key,
    platform_keys: [{ pem: cert() }] });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'private_key');
  const short = await putSettings({ mchid: acct.mchid, appid: acct.appid, cert_serial: acct.serial,
    private_key: acct.private_key, apiv3_key: 'short', platform_keys: [{ pem: cert() }] });
  assert.equal(short.json.error.field, 'apiv3_key');
  const noid = await putSettings({ mchid: acct.mchid, appid: acct.appid, cert_serial: acct.serial,
    private_key: acct.private_key, apiv3_key: acct.apiv3_key, platform_keys: [{ pem: pubkey() }] });
  assert.equal(noid.json.error.field, 'platform_keys[0].serial');
  assert.equal((await api('GET', m('/staff/settings/wechatpay', mer.code), { token: owner.token }))
    .json.data.configured, false, 'a refused PUT wrote nothing');

  const d = await configure([{ pem: cert() }]);
  assert.equal(d.configured, true);
  assert.equal(d.verify_mode, 'certificate');
  assert.deepEqual(d.platform_keys.map((k) => [k.serial, k.kind]),
    [[fakeKeys.certificate_serial, 'certificate']]);
  assert.match(d.platform_keys[0].expires_at, /^20\d\d-/);
  assert.equal(d.notify_url.endsWith(`/api/v1/payments/notify/wechatpay/${mer.code}`), true);
  const text = JSON.stringify((await api('GET', m('/staff/settings/wechatpay', mer.code),
    { token: owner.token })).json);
  assert.ok(!text.includes(acct.apiv3_key) && !text.includes('PRIVATE KEY'), 'no secret in GET');
  const [[k, v3]] = await sql(`SELECT private_key, apiv3_key FROM wxpay_settings WHERE merchant_id = ${mer.id}`);
  assert.ok(!k.includes('PRIVATE') && !v3.includes(acct.apiv3_key), 'sealed in the database');
  // absent secrets keep what is stored
  const keep = await putSettings({ mchid: acct.mchid, appid: acct.appid, cert_serial: acct.serial });
  assert.equal(keep.status, 200);
  assert.equal(keep.json.data.configured, true);
});

test('prepay: the request signed as WeChat Pay verifies it, paySign, known answers by openssl', async () => {
  await configure([{ pem: cert() }]);
  const mem = await wxMember();
  const rc = await recharge(mem);
  const p = rc.payment;
  assert.equal(p.provider, 'wechatpay');
  const rp = p.request_payment;
  assert.equal(rp.appId, acct.appid);
  assert.equal(rp.signType, 'RSA');
  assert.match(rp.package, /^prepay_id=wx[0-9a-f]+$/);
  // paySign: RSA-SHA256 over "appId\ntimeStamp\nnonceStr\npackage\n" (PKCS#1 v1.5 is deterministic)
  const msgFile = join(tmp, 'pay.txt');
  writeFileSync(msgFile, `${rp.appId}\n${rp.timeStamp}\n${rp.nonceStr}\n${rp.package}\n`);
  const want = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, msgFile]).toString('base64');
  assert.equal(rp.paySign, want);

  // the prepay request the fake received and verified: the Authorization
  // signature recomputed by openssl over "POST\nPATH\nTS\nNONCE\nBODY\n"
  const reqs = (await fake('GET', '/__fake/pay/requests?path=/v3/pay/transactions/jsapi')).json;
  const mine = reqs.filter((r) => r.body.includes(rc.out_trade_no));
  assert.equal(mine.length, 1);
  const q = mine[0];
  assert.equal(q.verified, true, 'the fake verified the request signature');
  const body = JSON.parse(q.body);
  assert.equal(body.mchid, acct.mchid);
  assert.equal(body.payer.openid, mem.openid);
  assert.equal(body.amount.total, 12300);
  assert.ok(body.notify_url.endsWith(`/api/v1/payments/notify/wechatpay/${mer.code}`), body.notify_url);
  const f = q.fields;
  assert.equal(f.serial_no, acct.serial);
  writeFileSync(msgFile, `POST\n/v3/pay/transactions/jsapi\n${f.timestamp}\n${f.nonce_str}\n${q.body}\n`);
  assert.equal(f.signature, execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, msgFile]).toString('base64'));
  assert.match(q.authorization, /^WECHATPAY2-SHA256-RSA2048 mchid="\d+",nonce_str="[0-9A-F]{32}",signature="[^"]+",timestamp="\d+",serial_no="[0-9A-F]+"$/);
});

test('prepay: no openid for the member, merchant not configured', async () => {
  await configure([{ pem: cert() }]);
  const token = await signIn(mer.code, uniquePhone());
  await joinMember(mer.code, token);
  const r = await api('POST', m('/me/recharges', mer.code), { token, body: { pay_fen: 5000, provider: 'wechatpay' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'no_openid');
  const other = await ownMerchant('wxq');
  const t2 = await signIn(other.code, uniquePhone());
  await joinMember(other.code, t2);
  const r2 = await api('POST', m('/me/recharges', other.code), { token: t2, body: { pay_fen: 5000, provider: 'wechatpay' } });
  assert.equal(r2.status, 503);
  assert.equal(r2.json.error.code, 'unavailable');
  const [[n]] = await sql(`SELECT COUNT(*) FROM recharges WHERE merchant_id = ${other.id}`);
  assert.equal(Number(n), 0, 'no recharge without a provider');
});

test('notify: valid settles; every tampered one refused with FAIL and changes nothing', async () => {
  await configure([{ pem: cert() }]);
  const mem = await wxMember();
  const rc = await recharge(mem, 20000);
  const before0 = await state(rc);
  for (const tamper of ['byte', 'ts+301', 'ts-301', 'signtest', 'serial', 'tag', 'amount', 'mchid']) {
    const r = (await notify(rc.out_trade_no, 20000, { tamper, trade_state: 'SUCCESS' })).json.results[0];
    assert.ok(r.status >= 400 && r.status < 600, `${tamper}: ${r.status}`);
    const b = JSON.parse(r.body);
    assert.equal(b.code, 'FAIL', tamper);
    assert.ok(b.message.length > 0 && !/[a-z_]{4,}/.test(b.message), `${tamper}: ${b.message}`);
    assert.deepEqual(await state(rc), before0, `${tamper} changed nothing`);
  }
  const ok = (await notify(rc.out_trade_no, 20000)).json.results[0];
  assert.equal(ok.status, 204, ok.body);
  assert.equal(ok.body, '');
  const after = await state(rc);
  assert.equal(after.status, 'paid');
  assert.equal(after.entries, before0.entries + 1);
  assert.equal(after.principal, before0.principal + 20000);
  const [[ts]] = await sql(`SELECT state FROM wxpay_trades WHERE merchant_id = ${mer.id} AND out_trade_no = '${rc.out_trade_no}'`);
  assert.equal(ts, 'paid');
  // a repeat is acknowledged and credits nothing
  assert.equal((await notify(rc.out_trade_no, 20000)).json.results[0].status, 204);
  assert.deepEqual(await state(rc), after);
});

test('notify: the same one 20 times at once settles once, one ledger entry', async () => {
  await configure([{ pem: cert() }]);
  const mem = await wxMember();
  const rc = await recharge(mem, 15000);
  const b = await state(rc);
  const res = (await notify(rc.out_trade_no, 15000, { times: 20 })).json.results;
  assert.equal(res.length, 20);
  for (const r of res) assert.equal(r.status, 204, r.body);
  const a = await state(rc);
  assert.equal(a.status, 'paid');
  assert.equal(a.entries, b.entries + 1);
  assert.equal(a.principal, b.principal + 15000);
});

test('notify: certificate to public-key switch, both accepted during it, then only the key kept', async () => {
  const mem = await wxMember();
  await configure([{ pem: cert() }]);
  const rc1 = await recharge(mem, 1000);
  await fake('POST', '/__fake/pay/sign-with', { key: 'public_key' });
  try {
    // the public key not configured yet: its serial is unknown
    const r0 = (await notify(rc1.out_trade_no, 1000)).json.results[0];
    assert.equal(r0.status, 401);
    const both = await configure([{ pem: cert() }, { pem: pubkey(), serial: fakeKeys.public_key_id }]);
    assert.equal(both.verify_mode, 'both');
    assert.equal((await notify(rc1.out_trade_no, 1000)).json.results[0].status, 204);
    assert.equal((await state(rc1)).status, 'paid');
    await fake('POST', '/__fake/pay/sign-with', { key: 'certificate' });
    const rc2 = await recharge(mem, 1100);  // the answer signed by the certificate: verified
    assert.equal((await notify(rc2.out_trade_no, 1100)).json.results[0].status, 204);
    await fake('POST', '/__fake/pay/sign-with', { key: 'public_key' });
    const only = await configure([{ pem: pubkey(), serial: fakeKeys.public_key_id }]);
    assert.equal(only.verify_mode, 'public_key');
    const rc3 = await recharge(mem, 1200);  // prepay's answer signed by the public key
    assert.equal((await notify(rc3.out_trade_no, 1200)).json.results[0].status, 204);
    await fake('POST', '/__fake/pay/sign-with', { key: 'certificate' });
    const rc4 = await recharge(mem, 1300).catch((e) => e);
    assert.ok(rc4 instanceof Error, 'an answer signed by a key no longer configured is refused');
  } finally {
    await fake('POST', '/__fake/pay/sign-with', { key: 'certificate' });
  }
});

test('notify: unknown merchant, trade of another merchant, not configured', async () => {
  await configure([{ pem: cert() }]);
  const r = await api('POST', '/api/v1/payments/notify/wechatpay/nosuchmerchant', { body: {} });
  assert.equal(r.status, 404);
  const other = await ownMerchant('wxr');
  const r2 = await api('POST', `/api/v1/payments/notify/wechatpay/${other.code}`, { body: {} });
  assert.equal(r2.status, 404);
  assert.equal(r2.json.code, 'FAIL');
  const unknown = (await notify('R' + randomBytes(12).toString('hex'), 1000)).json.results[0];
  assert.equal(unknown.status, 404);
  assert.equal(JSON.parse(unknown.body).code, 'FAIL');
});

async function product(priceFen) {
  const name = '微信支付测试商品' + randomBytes(4).toString('hex');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mer.id}, '${name}', '测试', ${priceFen}, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[id]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mer.id} AND name = '${name}'`);
  return Number(id);
}

async function onlineOrder(mem, priceFen) {
  const [[store]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${mer.id} ORDER BY id LIMIT 1`);
  const c = await api('POST', m('/me/orders', mer.code), { token: mem.token,
    headers: { 'idempotency-key': randomBytes(16).toString('hex') },
    body: { store_id: Number(store), lines: [{ product_id: await product(priceFen), qty: 1 }], tenders: [{ kind: 'online' }] } });
  assert.equal(c.status, 201, c.text);
  return c.json.data.order;
}

test('orders: an online order pays through WeChat Pay, its notify pays it once, a wrong amount is refused', async () => {
  await configure([{ pem: cert() }]);
  const mem = await wxMember();
  const o = await onlineOrder(mem, 4200);
  assert.equal(o.status, 'pending');
  assert.equal(o.payment.provider, 'wechatpay');
  assert.equal(o.payment.amount_fen, 4200);
  assert.match(o.payment.request_payment.package, /^prepay_id=/);
  // the member's read asks again and gets the same prepay_id
  const g = await api('GET', m(`/me/orders/${o.id}`, mer.code), { token: mem.token });
  assert.equal(g.json.data.payment.request_payment.package, o.payment.request_payment.package);
  const wrong = (await notify(o.payment.out_trade_no, 4200, { tamper: 'amount' })).json.results[0];
  assert.equal(wrong.status, 400);
  assert.equal((await api('GET', m(`/me/orders/${o.id}`, mer.code), { token: mem.token })).json.data.status, 'pending');
  const res = (await notify(o.payment.out_trade_no, 4200, { times: 10 })).json.results;
  for (const r of res) assert.equal(r.status, 204, r.body);
  const g2 = await api('GET', m(`/me/orders/${o.id}`, mer.code), { token: mem.token });
  assert.equal(g2.json.data.status, 'paid');
  const [[growth]] = await sql(`SELECT growth FROM members WHERE id = ${mem.id}`);
  assert.equal(Number(growth), 42, 'earned once');
});

const APP = process.env.APP_BIN || new URL('../../var/build/app', import.meta.url).pathname;

function runSync() {
  try {
    return execFileSync(APP, ['jobs', 'run', 'wxpay-sync', '--merchant', mer.code],
      { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    return String(e.stdout || '') + String(e.stderr || '');
  }
}

// Run the job until check() holds (a tick of the stack may have taken
// this minute's run: the next minute's is ours or the tick's).
async function syncUntil(check, what) {
  for (let i = 0; i < 40; i++) {
    runSync();
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 2500));
  }
  assert.fail(`wxpay-sync: ${what}`);
}

async function paidWxOrder(priceFen) {
  const mem = await wxMember();
  const o = await onlineOrder(mem, priceFen);
  assert.equal((await notify(o.payment.out_trade_no, priceFen)).json.results[0].status, 204);
  return { mem, o };
}

const wxRefunds = (no) => fake('GET', `/__fake/pay/refunds?out_trade_no=${no}`).then((r) => r.json);
async function refundRow(no) {
  const rows = await sql(`SELECT state, refund_fen FROM wxpay_refunds WHERE merchant_id = ${mer.id} AND out_refund_no = '${no}'`);
  return rows.length ? { state: rows[0][0], refund_fen: Number(rows[0][1]) } : null;
}

test('refunds: the online part goes back through the v3 refund API, settled once by its notify', async () => {
  await configure([{ pem: cert() }]);
  const { o } = await paidWxOrder(3000);
  const r = await api('POST', m(`/staff/orders/${o.id}/refunds`, mer.code), { token: owner.token,
    headers: { 'idempotency-key': randomBytes(16).toString('hex') }, body: { amount_fen: 1000, reason: '少做一杯' } });
  assert.equal(r.status, 201, r.text);
  const ol = r.json.data.online_refund;
  assert.equal(ol.provider, 'wechatpay');
  assert.equal(ol.amount_fen, 1000);
  assert.equal(ol.status, 'processing');
  const at = await wxRefunds(o.payment.out_trade_no);
  assert.equal(at.length, 1);
  assert.equal(at[0].refund, 1000);
  assert.equal(at[0].out_refund_no, ol.out_refund_no);
  const body = (await fake('GET', '/__fake/pay/requests?path=/v3/refund/domestic/refunds')).json
    .filter((q) => q.body.includes(ol.out_refund_no));
  assert.equal(body.length, 1);
  assert.equal(body[0].verified, true);
  // the refund notify: a wrong amount refused, the right one settles once
  const bad = (await notify(null, undefined, { event: 'refund', out_refund_no: ol.out_refund_no, tamper: 'amount' })).json.results[0];
  assert.equal(bad.status, 400);
  assert.equal((await refundRow(ol.out_refund_no)).state, 'processing');
  for (let i = 0; i < 2; i++) {
    const n = (await notify(null, undefined, { event: 'refund', out_refund_no: ol.out_refund_no })).json.results[0];
    assert.equal(n.status, 204, n.body);
  }
  assert.deepEqual(await refundRow(ol.out_refund_no), { state: 'success', refund_fen: 1000 });
});

test('refunds: an answer lost, the job sends it again with the same out_refund_no: one refund', async () => {
  await configure([{ pem: cert() }]);
  const { o } = await paidWxOrder(2600);
  await fake('POST', '/__fake/mode', { delay_ms: 6000 });
  let r;
  try {
    r = await api('POST', m(`/staff/orders/${o.id}/refunds`, mer.code), { token: owner.token,
      headers: { 'idempotency-key': randomBytes(16).toString('hex') }, body: { amount_fen: 2600, reason: '退单' } });
  } finally {
    await fake('POST', '/__fake/mode', { delay_ms: 0 });
  }
  assert.equal(r.status, 201, r.text);
  const ol = r.json.data.online_refund;
  assert.equal(ol.status, 'sent', 'no answer within the timeout');
  await new Promise((res) => setTimeout(res, 1500));  // the slow request reaches the fake
  assert.equal((await wxRefunds(o.payment.out_trade_no)).length, 1, 'WeChat Pay made it anyway');
  await sql(`UPDATE wxpay_refunds SET updated_at = UTC_TIMESTAMP() - INTERVAL 2 MINUTE
    WHERE merchant_id = ${mer.id} AND out_refund_no = '${ol.out_refund_no}'`);
  await syncUntil(async () => (await refundRow(ol.out_refund_no)).state !== 'sent', 'refund sent again');
  const at = await wxRefunds(o.payment.out_trade_no);
  assert.equal(at.length, 1, 'one refund');
  assert.equal(at[0].refund, 2600);
  const sent = (await fake('GET', '/__fake/pay/requests?path=/v3/refund/domestic/refunds')).json
    .filter((q) => q.body.includes(ol.out_refund_no));
  assert.ok(sent.length >= 2, 'sent twice, the same out_refund_no');
  assert.equal((await refundRow(ol.out_refund_no)).state, 'processing');
});

test('query job: a payment whose notify was lost is settled, an old unpaid one is closed', async () => {
  await configure([{ pem: cert() }]);
  const mem = await wxMember();
  const rc = await recharge(mem, 8800);
  const b = await state(rc);
  // the member paid; the notify never came
  assert.equal((await fake('POST', '/__fake/pay/trade', { mchid: acct.mchid, out_trade_no: rc.out_trade_no,
    trade_state: 'SUCCESS' })).status, 200);
  const unpaid = await recharge(mem, 9900);
  await sql(`UPDATE wxpay_trades SET updated_at = UTC_TIMESTAMP() - INTERVAL 2 MINUTE,
    created_at = UTC_TIMESTAMP() - INTERVAL 2 MINUTE WHERE merchant_id = ${mer.id} AND out_trade_no = '${rc.out_trade_no}'`);
  await sql(`UPDATE wxpay_trades SET updated_at = UTC_TIMESTAMP() - INTERVAL 40 MINUTE,
    created_at = UTC_TIMESTAMP() - INTERVAL 40 MINUTE WHERE merchant_id = ${mer.id} AND out_trade_no = '${unpaid.out_trade_no}'`);
  const tstate = async (no) => (await sql(`SELECT state FROM wxpay_trades WHERE merchant_id = ${mer.id} AND out_trade_no = '${no}'`))[0][0];
  await syncUntil(async () => (await tstate(rc.out_trade_no)) === 'paid' && (await tstate(unpaid.out_trade_no)) === 'closed',
    'settled and closed');
  const a = await state(rc);
  assert.equal(a.status, 'paid');
  assert.equal(a.entries, b.entries + 1);
  assert.equal(a.principal, b.principal + 8800);
  const [[us]] = await sql(`SELECT status FROM recharges WHERE id = ${unpaid.id}`);
  assert.equal(us, 'pending', 'an unpaid one credits nothing');
  const closeReq = (await fake('GET', `/__fake/pay/requests?path=/v3/pay/transactions/out-trade-no/${unpaid.out_trade_no}/close`)).json;
  assert.equal(closeReq.length, 1);
  assert.equal(closeReq[0].verified, true);
  // the late notify of the settled one changes nothing
  assert.equal((await notify(rc.out_trade_no, 8800)).json.results[0].status, 204);
  assert.deepEqual(await state(rc), a);
});

test('notify without the merchant in the path: found by its platform key, checked the same', async () => {
  await configure([{ pem: cert() }]);
  const mem = await wxMember();
  const rc = await recharge(mem, 5100);
  const url = `${BASE}/api/v1/payments/notify/wechatpay`;
  const b = await state(rc);
  for (const tamper of ['byte', 'ts-301', 'signtest', 'serial', 'amount']) {
    const r = (await notify(rc.out_trade_no, 5100, { url, tamper })).json.results[0];
    assert.ok(r.status >= 400, `${tamper}: ${r.status}`);
    assert.equal(JSON.parse(r.body).code, 'FAIL');
  }
  assert.deepEqual(await state(rc), b);
  const res = (await notify(rc.out_trade_no, 5100, { url, times: 5 })).json.results;
  for (const r of res) assert.equal(r.status, 204, r.body);
  const a = await state(rc);
  assert.equal(a.status, 'paid');
  assert.equal(a.entries, b.entries + 1);
});
