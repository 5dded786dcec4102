// The fake's mini-program and official-account APIs (jscode2session, phone
// numbers, access tokens, jsapi tickets): see wechat.mjs. Answers as
// api.weixin.qq.com does: 200 with JSON, errcode/errmsg on errors.
//
// Controls (tests mint what a phone would get from wx.login and
// getPhoneNumber, and read how often the app fetched a token):
//   POST /__fake/mp/app {appid, secret, delay_ms?, down?}
//                                                register an app (others: 40013);
//                                                delay_ms/down as /__fake/mode
//                                                for that app's calls alone
//   POST /__fake/mp/code {appid, openid, unionid?, errcode?}
//                                                -> {code} for wx.login; with
//                                                   errcode, jscode2session
//                                                   answers that error for it
//   POST /__fake/mp/phone-code {appid, phone}    -> {code} for getPhoneNumber
//   POST /__fake/mp/config {expires_in}          lifetime of tokens and tickets
//   GET  /__fake/mp/stats?appid=                 -> {token_fetches, ticket_fetches,
//                                                   ticket, session_calls}
//   POST /__fake/mp/revoke {appid}               every token of appid invalid (40001)
import { randomBytes } from 'node:crypto';

const apps = new Map();		// appid -> {secret, delay_ms, down}
const codes = new Map();	// js_code -> {appid, openid, unionid, errcode, used}
const phoneCodes = new Map();	// code -> {appid, phone, used}
const tokens = new Map();	// access_token -> {appid, expires}
const stats = new Map();	// appid -> {token_fetches, ticket_fetches, ticket, session_calls}
let lifetime = 7200;

const ERRMSG = {
  40001: 'invalid credential, access_token is invalid or not latest',
  40013: 'invalid appid',
  40029: 'invalid code',
  40125: 'invalid appsecret',
  40163: 'code been used',
  42001: 'access_token expired',
  45011: 'api minute-quota reach limit  mustslower  retry next minute',
  [-1]: 'system error',
};

function rid() { return randomBytes(4).toString('hex') + '-' + randomBytes(4).toString('hex'); }
function err(ctx, res, errcode) {
  ctx.send(res, 200, { errcode, errmsg: `${ERRMSG[errcode] || 'error'} rid: ${rid()}` });
  return true;
}
function st(appid) {
  if (!stats.has(appid)) stats.set(appid, { token_fetches: 0, ticket_fetches: 0, ticket: null, session_calls: 0 });
  return stats.get(appid);
}
function token(raw) {
  const t = tokens.get(raw || '');
  if (!t) return { errcode: 40001 };
  if (t.expires <= Date.now()) return { errcode: 42001, appid: t.appid };
  return { appid: t.appid };
}
function issueToken(appid) {
  st(appid).token_fetches++;
  const access_token = randomBytes(48).toString('base64url');
  tokens.set(access_token, { appid, expires: Date.now() + lifetime * 1000 });
  return { access_token, expires_in: lifetime };
}
// The app's own slowness or outage, then whether appid/secret are right:
// true when the answer has been sent.
async function appGate(ctx, res, appid, secret) {
  const a = apps.get(appid);
  if (a && a.delay_ms) await new Promise((r) => setTimeout(r, a.delay_ms));
  if (a && a.down) return ctx.send(res, 503, 'service unavailable'), true;
  if (!a) return err(ctx, res, 40013);
  if (secret !== undefined && a.secret !== secret) return err(ctx, res, 40125);
  return false;
}
function json(raw) {
  try { return JSON.parse(raw.toString() || '{}'); } catch { return null; }
}

export async function init(ctx) {}

export async function handle(req, res, raw, url, ctx) {
  const p = url.pathname, q = url.searchParams;

  // ---- controls ----
  if (p.startsWith('/__fake/mp/')) {
    const b = req.method === 'POST' ? json(raw) || {} : {};
    switch (p) {
      case '/__fake/mp/app':
        apps.set(b.appid, { secret: b.secret, delay_ms: Number(b.delay_ms) || 0, down: !!b.down });
        return ctx.send(res, 200, { ok: true }), true;
      case '/__fake/mp/code': {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { appid: b.appid, openid: b.openid, unionid: b.unionid || null, errcode: b.errcode || 0, used: false });
        return ctx.send(res, 200, { code }), true;
      }
      case '/__fake/mp/phone-code': {
        const code = randomBytes(16).toString('hex');
        phoneCodes.set(code, { appid: b.appid, phone: b.phone, used: false });
        return ctx.send(res, 200, { code }), true;
      }
      case '/__fake/mp/config':
        if (b.expires_in) lifetime = Number(b.expires_in);
        return ctx.send(res, 200, { expires_in: lifetime }), true;
      case '/__fake/mp/stats':
        return ctx.send(res, 200, st(q.get('appid'))), true;
      case '/__fake/mp/revoke':
        for (const [k, v] of tokens) if (v.appid === b.appid) tokens.delete(k);
        return ctx.send(res, 200, { ok: true }), true;
    }
    return false;
  }

  // ---- WeChat's paths ----
  if (p === '/sns/jscode2session' && req.method === 'GET') {
    const appid = q.get('appid');
    if (await appGate(ctx, res, appid, q.get('secret'))) return true;
    if (q.get('grant_type') !== 'authorization_code') return ctx.send(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' }), true;
    st(appid).session_calls++;
    const c = codes.get(q.get('js_code') || '');
    if (!c || c.appid !== appid) return err(ctx, res, 40029);
    if (c.errcode) return err(ctx, res, c.errcode);
    if (c.used) return err(ctx, res, 40163);
    c.used = true;
    const out = { session_key: randomBytes(16).toString('base64'), openid: c.openid };
    if (c.unionid) out.unionid = c.unionid;
    return ctx.send(res, 200, out), true;
  }
  if (p === '/cgi-bin/token' && req.method === 'GET') {
    const appid = q.get('appid');
    if (await appGate(ctx, res, appid, q.get('secret'))) return true;
    if (q.get('grant_type') !== 'client_credential') return ctx.send(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' }), true;
    return ctx.send(res, 200, issueToken(appid)), true;
  }
  if (p === '/cgi-bin/stable_token' && req.method === 'POST') {
    const b = json(raw) || {};
    if (await appGate(ctx, res, b.appid, b.secret)) return true;
    if (b.grant_type !== 'client_credential') return ctx.send(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' }), true;
    return ctx.send(res, 200, issueToken(b.appid)), true;
  }
  if (p === '/wxa/business/getuserphonenumber' && req.method === 'POST') {
    const t = token(q.get('access_token'));
    if (t.appid && await appGate(ctx, res, t.appid)) return true;
    if (t.errcode) return err(ctx, res, t.errcode);
    const b = json(raw);
    const c = b && phoneCodes.get(b.code || '');
    if (!c || c.appid !== t.appid || c.used) return err(ctx, res, 40029);
    c.used = true;
    return ctx.send(res, 200, {
      errcode: 0, errmsg: 'ok',
      phone_info: {
        phoneNumber: c.phone, purePhoneNumber: c.phone, countryCode: '86',
        watermark: { timestamp: Math.floor(Date.now() / 1000), appid: t.appid },
      },
    }), true;
  }
  if (p === '/cgi-bin/ticket/getticket' && req.method === 'GET') {
    const t = token(q.get('access_token'));
    if (t.appid && await appGate(ctx, res, t.appid)) return true;
    if (t.errcode) return err(ctx, res, t.errcode);
    if (q.get('type') !== 'jsapi') return ctx.send(res, 200, { errcode: 40097, errmsg: 'invalid args' }), true;
    const s = st(t.appid);
    s.ticket_fetches++;
    s.ticket = randomBytes(40).toString('base64url');
    return ctx.send(res, 200, { errcode: 0, errmsg: 'ok', ticket: s.ticket, expires_in: lifetime }), true;
  }
  return false;
}
