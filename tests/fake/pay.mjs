// The fake's WeChat Pay API v3 (prepay, query, close, refunds, signed and
// encrypted notifies): see wechat.mjs.
//
// At start it makes, for the run, in ctx.dir:
//   pay_platform_key.pem     the platform certificate's private key
//   pay_platform_cert.pem    a self-signed platform certificate
//   pay_platform_serial      its serial (uppercase hex, as WeChat names it)
//   pay_pubkey.pem           the WeChat Pay public key (public-key mode)
//   pay_pubkey_id            its id, PUB_KEY_ID_...
// Answers and notifies are signed with one of the two (see sign-with).
//
// Real paths (each request's Authorization verified as WeChat Pay does:
// WECHATPAY2-SHA256-RSA2048 over "METHOD\nPATH\nTS\nNONCE\nBODY\n" with
// the merchant's registered API certificate key; 401 SIGN_ERROR if not):
//   POST /v3/pay/transactions/jsapi                     -> {prepay_id}
//   GET  /v3/pay/transactions/out-trade-no/{no}?mchid=  -> the trade
//   POST /v3/pay/transactions/out-trade-no/{no}/close   -> 204
//   POST /v3/refund/domestic/refunds                    -> the refund
//        (idempotent by out_refund_no: a repeat answers the same refund)
//
// Controls:
//   POST /__fake/pay/merchant {mchid, appid, serial, public_key, apiv3_key}
//   POST /__fake/pay/sign-with {key: "certificate" | "public_key"}
//   POST /__fake/pay/trade {mchid, out_trade_no, trade_state, amount?}
//   POST /__fake/pay/refund-status {status: "SUCCESS" | "PROCESSING"}
//   POST /__fake/pay/notify {url, mchid, out_trade_no, amount?, appid?,
//        trade_state?, tamper?, times?, event?: "refund", out_refund_no?}
//        tamper: byte | ts+301 | ts-301 | signtest | serial | tag |
//        amount | mchid; times: that many copies at once.
//        -> {results: [{status, body}]}
//   GET  /__fake/pay/requests?path=  -> [{method, path, authorization,
//        body, verified}] received on the real paths
//   GET  /__fake/pay/refunds?out_trade_no= -> the refunds made of a trade
//   GET  /__fake/pay/keys            -> the file names above, the serials
import { generateKeyPairSync, createSign, createVerify, randomBytes, randomInt,
  createCipheriv } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const st = {
  keys: {},
  signWith: 'certificate',
  merchants: new Map(),
  trades: new Map(),
  refunds: new Map(),
  requests: [],
  refundStatus: 'PROCESSING',
};

export async function init(ctx) {
  const plat = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platKey = plat.privateKey.export({ type: 'pkcs8', format: 'pem' });
  const keyFile = join(ctx.dir, 'pay_platform_key.pem');
  writeFileSync(keyFile, platKey, { mode: 0o600 });
  // 40 hex digits, the first not 0, so that it reads the same everywhere
  const serial = (randomInt(1, 16).toString(16) + randomBytes(20).toString('hex').slice(1)).toUpperCase();
  const certFile = join(ctx.dir, 'pay_platform_cert.pem');
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-sha256', '-days', '1825',
    '-subj', '/C=CN/O=Tenpay.com/CN=Tenpay.com Root CA', '-set_serial', '0x' + serial,
    '-out', certFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  writeFileSync(join(ctx.dir, 'pay_platform_serial'), serial);
  const pub = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pubPem = pub.publicKey.export({ type: 'spki', format: 'pem' });
  const pubId = 'PUB_KEY_ID_0' + String(randomInt(1e9, 1e10)) + String(randomInt(1e9, 1e10));
  writeFileSync(join(ctx.dir, 'pay_pubkey.pem'), pubPem);
  writeFileSync(join(ctx.dir, 'pay_pubkey_id'), pubId);
  st.keys = {
    certificate: { serial, key: plat.privateKey },
    public_key: { serial: pubId, key: pub.privateKey },
  };
}

function nonce(n = 32) {
  return randomBytes(n).toString('hex').slice(0, n).toUpperCase();
}

// Wechatpay-* headers for body, signed with the current key (or as tampered).
function signed(body, opt = {}) {
  const k = st.keys[st.signWith];
  const ts = String(Math.floor(Date.now() / 1000) + (opt.tsOffset || 0));
  const n = nonce();
  const s = createSign('RSA-SHA256');
  s.update(`${ts}\n${n}\n${body}\n`);
  let sig = s.sign(k.key, 'base64');
  if (opt.signtest) sig = 'WECHATPAY/SIGNTEST/' + sig;
  return {
    'Wechatpay-Timestamp': ts,
    'Wechatpay-Nonce': n,
    'Wechatpay-Serial': opt.serial || k.serial,
    'Wechatpay-Signature': sig,
  };
}

function answer(res, status, obj) {
  const body = obj === undefined ? '' : JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', ...signed(body) });
  res.end(body);
}

// The merchant of a verified Authorization, or null (answered 401).
function authorize(req, raw, url) {
  const h = req.headers.authorization || '';
  const m = /^WECHATPAY2-SHA256-RSA2048 (.*)$/.exec(h);
  const rec = { method: req.method, path: url.pathname + url.search, authorization: h,
    body: raw.toString(), verified: false, at: Date.now() };
  st.requests.push(rec);
  if (!m) return null;
  const f = {};
  for (const part of m[1].split(',')) {
    const mm = /^(\w+)="([^"]*)"$/.exec(part.trim());
    if (mm) f[mm[1]] = mm[2];
  }
  const mer = st.merchants.get(f.mchid);
  if (!mer || f.serial_no !== mer.serial || !f.nonce_str || !f.signature || !f.timestamp)
    return null;
  if (Math.abs(Number(f.timestamp) - Date.now() / 1000) > 300) return null;
  const v = createVerify('RSA-SHA256');
  v.update(`${req.method}\n${url.pathname}${url.search}\n${f.timestamp}\n${f.nonce_str}\n${raw.toString()}\n`);
  if (!v.verify(mer.public_key, f.signature, 'base64')) return null;
  rec.verified = true;
  rec.fields = f;
  return mer;
}

function tradeJson(t) {
  const o = {
    appid: t.appid, mchid: t.mchid, out_trade_no: t.out_trade_no,
    trade_type: 'JSAPI', trade_state: t.trade_state,
    trade_state_desc: t.trade_state === 'SUCCESS' ? '支付成功' : '订单未支付',
    amount: { total: t.amount, payer_total: t.amount, currency: 'CNY', payer_currency: 'CNY' },
    payer: { openid: t.openid },
  };
  if (t.trade_state === 'SUCCESS') {
    o.transaction_id = t.transaction_id;
    o.success_time = new Date().toISOString().replace(/\.\d+Z$/, '+00:00');
    o.bank_type = 'OTHERS';
  }
  return o;
}

function encrypt(apiv3, plain, ad, tamperTag) {
  const n = nonce(12);
  const c = createCipheriv('aes-256-gcm', Buffer.from(apiv3), Buffer.from(n));
  c.setAAD(Buffer.from(ad));
  const ct = Buffer.concat([c.update(Buffer.from(plain)), c.final(), c.getAuthTag()]);
  if (tamperTag) ct[ct.length - 1] ^= 0x01;
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext: ct.toString('base64'),
    associated_data: ad, nonce: n };
}

async function sendNotify(o) {
  const mer = st.merchants.get(o.mchid);
  if (!mer) throw new Error('unknown mchid ' + o.mchid);
  const tamper = o.tamper || '';
  let body;
  if (o.event === 'refund') {
    const rf = st.refunds.get(`${o.mchid}:${o.out_refund_no}`);
    if (!rf) throw new Error('unknown refund ' + o.out_refund_no);
    rf.status = 'SUCCESS';
    const plain = {
      mchid: tamper === 'mchid' ? '1' + o.mchid : o.mchid,
      out_trade_no: rf.out_trade_no, transaction_id: rf.transaction_id,
      out_refund_no: rf.out_refund_no, refund_id: rf.refund_id, refund_status: 'SUCCESS',
      success_time: new Date().toISOString().replace(/\.\d+Z$/, '+00:00'),
      amount: { total: rf.total, refund: rf.refund + (tamper === 'amount' ? 1 : 0),
        payer_total: rf.total, payer_refund: rf.refund },
    };
    body = JSON.stringify({ id: randomBytes(8).toString('hex'), create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource', event_type: 'REFUND.SUCCESS', summary: '退款成功',
      resource: { original_type: 'refund', ...encrypt(mer.apiv3_key, JSON.stringify(plain), 'refund', tamper === 'tag') } });
  } else {
    const key = `${o.mchid}:${o.out_trade_no}`;
    let t = st.trades.get(key);
    if (!t) {
      t = { mchid: o.mchid, appid: o.appid || mer.appid, out_trade_no: o.out_trade_no,
        amount: o.amount, openid: 'o-fake', trade_state: 'NOTPAY' };
      st.trades.set(key, t);
    }
    if (o.amount !== undefined) t.amount = o.amount;
    const state = o.trade_state || 'SUCCESS';
    if (state === 'SUCCESS' && !t.transaction_id) t.transaction_id = '42' + String(Date.now()) + String(randomInt(1e6, 1e7));
    t.trade_state = state;
    const plain = tradeJson(t);
    if (tamper === 'amount') plain.amount.total += 1;
    if (tamper === 'mchid') plain.mchid = '1' + o.mchid;
    body = JSON.stringify({ id: randomBytes(8).toString('hex'), create_time: new Date().toISOString(),
      resource_type: 'encrypt-resource', event_type: 'TRANSACTION.' + state, summary: '支付成功',
      resource: { original_type: 'transaction', ...encrypt(mer.apiv3_key, JSON.stringify(plain), 'transaction', tamper === 'tag') } });
  }
  const opt = {};
  if (tamper === 'ts+301') opt.tsOffset = 301;
  if (tamper === 'ts-301') opt.tsOffset = -301;
  if (tamper === 'signtest') opt.signtest = true;
  if (tamper === 'serial') opt.serial = 'FFFF' + st.keys.certificate.serial.slice(4);
  const headers = { 'content-type': 'application/json', ...signed(body, opt) };
  let sent = body;
  if (tamper === 'byte') {
    // one byte of the signed body changed: a digit of the id
    const i = body.indexOf('"id":"') + 6;
    sent = body.slice(0, i) + (body[i] === 'a' ? 'b' : 'a') + body.slice(i + 1);
  }
  const times = Math.max(1, Math.min(50, Number(o.times) || 1));
  const results = await Promise.all(Array.from({ length: times }, async () => {
    const r = await fetch(o.url, { method: 'POST', headers, body: sent });
    return { status: r.status, body: await r.text() };
  }));
  return { results, body: sent, headers };
}

function json(raw) {
  try {
    return JSON.parse(raw.toString() || '{}');
  } catch {
    return null;
  }
}

// Answer req if its path is this module's and return true; else false.
export async function handle(req, res, raw, url, ctx) {
  const p = url.pathname;
  if (p.startsWith('/__fake/pay/')) {
    const b = json(raw) || {};
    if (p === '/__fake/pay/merchant' && req.method === 'POST') {
      st.merchants.set(String(b.mchid), { mchid: String(b.mchid), appid: b.appid, serial: b.serial,
        public_key: b.public_key, apiv3_key: b.apiv3_key });
      return ctx.send(res, 200, { ok: true }), true;
    }
    if (p === '/__fake/pay/sign-with' && req.method === 'POST') {
      if (!st.keys[b.key]) return ctx.send(res, 400, { error: 'key' }), true;
      st.signWith = b.key;
      return ctx.send(res, 200, { key: st.signWith, serial: st.keys[b.key].serial }), true;
    }
    if (p === '/__fake/pay/trade' && req.method === 'POST') {
      const t = st.trades.get(`${b.mchid}:${b.out_trade_no}`);
      if (!t) return ctx.send(res, 404, { error: 'no trade' }), true;
      t.trade_state = b.trade_state;
      if (b.amount !== undefined) t.amount = b.amount;
      if (b.trade_state === 'SUCCESS' && !t.transaction_id) t.transaction_id = '42' + String(Date.now());
      return ctx.send(res, 200, tradeJson(t)), true;
    }
    if (p === '/__fake/pay/refund-status' && req.method === 'POST') {
      st.refundStatus = b.status === 'SUCCESS' ? 'SUCCESS' : 'PROCESSING';
      return ctx.send(res, 200, { status: st.refundStatus }), true;
    }
    if (p === '/__fake/pay/notify' && req.method === 'POST') {
      return ctx.send(res, 200, await sendNotify(b)), true;
    }
    if (p === '/__fake/pay/requests' && req.method === 'GET') {
      const want = url.searchParams.get('path');
      return ctx.send(res, 200, st.requests.filter((r) => !want || r.path.startsWith(want))), true;
    }
    if (p === '/__fake/pay/refunds' && req.method === 'GET') {
      const no = url.searchParams.get('out_trade_no');
      return ctx.send(res, 200, [...st.refunds.values()].filter((x) => x.out_trade_no === no)), true;
    }
    if (p === '/__fake/pay/keys' && req.method === 'GET') {
      return ctx.send(res, 200, {
        certificate_pem: join(ctx.dir, 'pay_platform_cert.pem'),
        certificate_serial: st.keys.certificate.serial,
        public_key_pem: join(ctx.dir, 'pay_pubkey.pem'),
        public_key_id: st.keys.public_key.serial,
        sign_with: st.signWith,
      }), true;
    }
    return false;
  }
  if (!p.startsWith('/v3/')) return false;
  const mer = authorize(req, raw, url);
  if (!mer) return answer(res, 401, { code: 'SIGN_ERROR', message: '签名错误' }), true;
  const b = req.method === 'POST' ? json(raw) : {};
  if (b === null) return answer(res, 400, { code: 'PARAM_ERROR', message: '请求体不是JSON' }), true;
  if (p === '/v3/pay/transactions/jsapi' && req.method === 'POST') {
    if (b.mchid !== mer.mchid || b.appid !== mer.appid)
      return answer(res, 400, { code: 'PARAM_ERROR', message: 'mchid与appid不匹配' }), true;
    if (!b.out_trade_no || !b.description || !b.notify_url || !Number.isInteger(b.amount?.total) ||
        !b.payer?.openid)
      return answer(res, 400, { code: 'PARAM_ERROR', message: '参数错误' }), true;
    const key = `${mer.mchid}:${b.out_trade_no}`;
    let t = st.trades.get(key);
    if (t && t.amount !== b.amount.total)
      return answer(res, 400, { code: 'INVALID_REQUEST', message: '201 商户订单号重复' }), true;
    if (!t) {
      t = { mchid: mer.mchid, appid: b.appid, out_trade_no: b.out_trade_no, amount: b.amount.total,
        openid: b.payer.openid, notify_url: b.notify_url, trade_state: 'NOTPAY',
        prepay_id: 'wx' + randomBytes(14).toString('hex') };
      st.trades.set(key, t);
    }
    return answer(res, 200, { prepay_id: t.prepay_id }), true;
  }
  let m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(p);
  if (m && req.method === 'GET') {
    if (url.searchParams.get('mchid') !== mer.mchid)
      return answer(res, 400, { code: 'PARAM_ERROR', message: 'mchid不匹配' }), true;
    const t = st.trades.get(`${mer.mchid}:${decodeURIComponent(m[1])}`);
    if (!t) return answer(res, 404, { code: 'ORDER_NOT_EXIST', message: '订单不存在' }), true;
    return answer(res, 200, tradeJson(t)), true;
  }
  m = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(p);
  if (m && req.method === 'POST') {
    const t = st.trades.get(`${mer.mchid}:${decodeURIComponent(m[1])}`);
    if (t && t.trade_state === 'SUCCESS')
      return answer(res, 400, { code: 'ORDERPAID', message: '订单已支付' }), true;
    if (t) t.trade_state = 'CLOSED';
    return answer(res, 204), true;
  }
  if (p === '/v3/refund/domestic/refunds' && req.method === 'POST') {
    const key = `${mer.mchid}:${b.out_refund_no}`;
    let rf = st.refunds.get(key);
    if (!rf) {
      const t = st.trades.get(`${mer.mchid}:${b.out_trade_no}`);
      if (!t || t.trade_state !== 'SUCCESS')
        return answer(res, 404, { code: 'RESOURCE_NOT_EXISTS', message: '订单不存在' }), true;
      if (!Number.isInteger(b.amount?.refund) || b.amount.refund < 1 || b.amount.total !== t.amount)
        return answer(res, 400, { code: 'PARAM_ERROR', message: '金额错误' }), true;
      const done = [...st.refunds.values()].filter((x) => x.out_trade_no === b.out_trade_no && x.mchid === mer.mchid)
        .reduce((s, x) => s + x.refund, 0);
      if (done + b.amount.refund > t.amount)
        return answer(res, 400, { code: 'NOT_ENOUGH', message: '退款金额超过订单可退金额' }), true;
      rf = { mchid: mer.mchid, out_trade_no: b.out_trade_no, transaction_id: t.transaction_id,
        out_refund_no: b.out_refund_no, refund_id: '50' + String(Date.now()) + String(randomInt(1e6, 1e7)),
        refund: b.amount.refund, total: t.amount, status: st.refundStatus, notify_url: b.notify_url };
      st.refunds.set(key, rf);
    }
    return answer(res, 200, { refund_id: rf.refund_id, out_refund_no: rf.out_refund_no,
      transaction_id: rf.transaction_id, out_trade_no: rf.out_trade_no, channel: 'ORIGINAL',
      status: rf.status, amount: { total: rf.total, refund: rf.refund, payer_total: rf.total,
        payer_refund: rf.refund, currency: 'CNY' } }), true;
  }
  return false;
}
