// Inside WeChat (a MicroMessenger user agent) a campaign page loads the
// vendored JS-SDK, calls wx.config with the server's signature, which the
// test verifies with the ticket the fake WeChat issued, and sets the share
// card from the campaign's share settings, a member's link carrying the
// referral code; outside WeChat the page loads none of it. WeixinJSBridge,
// which only WeChat has, is a stand-in that records what the SDK asks of
// it. The owner connects the apps in the settings console.
// SHOTS=<dir> keeps screenshots of the console section and the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { launch, PHONE } from './browser.mjs';
import { api, m, uniquePhone } from '../http/lib.mjs';
import { ownMerchant } from '../http/own_merchant.mjs';

const BASE = process.env.BASE_URL;
const FAKE = process.env.WX_FAKE_URL;
const SHOTS = process.env.SHOTS;
const WECHAT_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) '
  + 'Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN';

let browser, mer, oa, slug, owner;

async function fake(path, body) {
  const res = await fetch(FAKE + path, body === undefined ? {} : {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return res.json();
}

/* What only WeChat's webview has: the bridge the JS-SDK talks to, recording each call. */
function bridge() {
  window.__wx = [];
  window.WeixinJSBridge = {
    invoke(name, args, cb) {
      window.__wx.push({ name, args: JSON.parse(JSON.stringify(args || {})) });
      if (cb) setTimeout(() => cb({ err_msg: `${name}:ok` }), 0);
    },
    on(name) { window.__wx.push({ on: name }); },
    call() {},
  };
}

before(async () => {
  browser = await launch();
  mer = await ownMerchant('wxb');
  oa = { appid: 'wx' + randomBytes(8).toString('hex'), secret: randomBytes(16).toString('hex') };
  await fake('/__fake/mp/app', oa);
  owner = (await api('POST', m('/staff/login', mer.code), { body: { username: 'owner', password: 'demo1234' } })).json.data.token;
  const mkt = (await api('POST', m('/staff/login', mer.code), { body: { username: 'marketing', password: 'demo1234' } })).json.data.token;
  const tpl = await api('POST', m('/staff/coupon-templates', mer.code), {
    token: mkt,
    body: { name: '分享测试券', kind: 'instant', value_fen: 300, stock: 50, per_member_limit: 1, valid_days: 7, status: 'active' },
  });
  assert.equal(tpl.status, 201, tpl.text);
  slug = `wx-${Date.now() % 1e8}`;
  const c = await api('POST', m('/staff/campaigns', mer.code), {
    token: mkt,
    body: {
      name: '微信分享活动', slug, starts_at: new Date(Date.now() - 3600e3).toISOString(),
      ends_at: new Date(Date.now() + 86400e3).toISOString(), template_ids: [tpl.json.data.id],
      share: { title: '好友送你 3 元券', desc: '进店即用，先到先得', image_url: 'https://img.example.com/share/spring.png' },
    },
  });
  assert.equal(c.status, 201, c.text);
});

after(async () => { await browser?.close(); });

test('settings console: the owner connects the official account; the secret is never shown', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/${mer.code}/staff/settings`);
  await page.waitForSelector('#staff-login:not([hidden])');
  await page.fill('#staff-username', 'owner');
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.waitForSelector('#wechat-form:not([hidden])');
  assert.equal(await page.textContent('#wx-oa-state'), '未配置');
  await page.fill('#wx-oa-appid', 'wx123');
  await page.click('#wx-save');
  await page.waitForFunction(() => document.getElementById('wx-error').textContent !== '');
  assert.match(await page.textContent('#wx-error'), /公众号的 AppID/);
  await page.fill('#wx-oa-appid', oa.appid);
  await page.fill('#wx-oa-secret', oa.secret);
  await page.click('#wx-save');
  await page.waitForFunction(() => document.getElementById('wx-oa-state').textContent === '已配置');
  assert.equal(await page.inputValue('#wx-oa-secret'), '');
  assert.equal(await page.getAttribute('#wx-oa-secret', 'placeholder'), '已设置，留空不修改');
  assert.ok(!(await page.content()).includes(oa.secret));
  assert.equal(await page.textContent('#wx-mp-state'), '未配置');
  if (SHOTS) await (await page.$('#wechat-form')).screenshot({ path: `${SHOTS}/wechat-settings.png` });
  assert.deepEqual(errors, []);
  await ctx.close();
  const r = await api('GET', m('/staff/settings/wechat', mer.code), { token: owner });
  assert.deepEqual(r.json.data.official_account, { appid: oa.appid, secret_set: true });
});

test('a campaign page in WeChat: wx.config with a signature WeChat accepts, the share card from the campaign', async () => {
  // the console test connected the account; make sure when run alone
  await api('PUT', m('/staff/settings/wechat', mer.code), { token: owner, body: { official_account: oa } });
  // a member shares: the link carries the referral code
  const ctx = await browser.newContext({ ...PHONE, userAgent: WECHAT_UA });
  const phone = uniquePhone();
  const post = (path, data) => ctx.request.post(`${BASE}/api/v1/m/${mer.code}${path}`, { data });
  const sent = await (await post('/auth/sms-code', { phone })).json();
  assert.equal((await post('/auth/login', { phone, code: sent.data.dev_code })).status(), 200);
  assert.equal((await post('/members', { name: '分享人' })).status(), 201);
  const ref = (await (await ctx.request.get(`${BASE}/api/v1/m/${mer.code}/me/referral`)).json()).data.code;
  await ctx.addInitScript(bridge);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const url = `${BASE}/m/${mer.code}/c/${slug}?from=timeline`;
  await page.goto(`${url}#coupons`);
  await page.waitForFunction(() => window.__wx.some((c) => c.name === 'updateAppMessageShareData'), null, { timeout: 10000 });
  const calls = await page.evaluate(() => window.__wx);
  const cfg = calls.find((c) => c.name === 'preVerifyJSAPI');
  assert.ok(cfg, JSON.stringify(calls));
  assert.equal(cfg.args.verifyAppId, oa.appid);
  const { ticket } = await fake(`/__fake/mp/stats?appid=${oa.appid}`);
  const want = createHash('sha1')
    .update(`jsapi_ticket=${ticket}&noncestr=${cfg.args.verifyNonceStr}&timestamp=${cfg.args.verifyTimestamp}&url=${url}`)
    .digest('hex');
  assert.equal(cfg.args.verifySignature, want, 'signed for the page without its #fragment');
  assert.ok(cfg.args.verifyJsApiList.includes('updateAppMessageShareData'));

  const card = calls.find((c) => c.name === 'updateAppMessageShareData').args;
  assert.equal(card.title, '好友送你 3 元券');
  assert.equal(card.desc, '进店即用，先到先得');
  assert.equal(card.link, `${BASE}/m/${mer.code}/c/${slug}?ref=${ref}`);
  assert.equal(card.imgUrl, 'https://img.example.com/share/spring.png');
  const tl = calls.find((c) => c.name === 'updateTimelineShareData').args;
  assert.equal(tl.link, card.link);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/wechat-campaign.png` });

  // the invite page shares the member's referral link, the coupon centre itself
  await page.goto(`${BASE}/m/${mer.code}/invite`);
  await page.waitForFunction(() => window.__wx.some((c) => c.name === 'updateAppMessageShareData'), null, { timeout: 10000 });
  let inv = await page.evaluate(() => window.__wx);
  assert.equal(inv.find((c) => c.name === 'updateAppMessageShareData').args.link, `${BASE}/r/${ref}`);
  let v = inv.find((c) => c.name === 'preVerifyJSAPI').args;
  assert.equal(v.verifySignature, createHash('sha1')
    .update(`jsapi_ticket=${ticket}&noncestr=${v.verifyNonceStr}&timestamp=${v.verifyTimestamp}&url=${BASE}/m/${mer.code}/invite`)
    .digest('hex'));
  await page.goto(`${BASE}/m/${mer.code}/coupons`);
  await page.waitForFunction(() => window.__wx.some((c) => c.name === 'updateAppMessageShareData'), null, { timeout: 10000 });
  inv = await page.evaluate(() => window.__wx);
  assert.equal(inv.find((c) => c.name === 'updateAppMessageShareData').args.link, `${BASE}/m/${mer.code}/coupons`);
  assert.deepEqual(errors, []);
  await ctx.close();

  // whoever opens the shared link keeps the referral for joining
  const ctx2 = await browser.newContext({ ...PHONE, userAgent: WECHAT_UA });
  await ctx2.addInitScript(bridge);
  const p2 = await ctx2.newPage();
  await p2.goto(card.link);
  const cookies = await ctx2.cookies(`${BASE}/m/${mer.code}/join`);
  assert.equal(cookies.find((c) => c.name === 'ref')?.value, ref);
  await ctx2.close();
});

test('outside WeChat the page loads no JS-SDK and asks for no signature', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const asked = [];
  page.on('request', (req) => { if (/jweixin|jssdk-config/.test(req.url())) asked.push(req.url()); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/${mer.code}/c/${slug}`);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(asked, []);
  assert.equal(await page.evaluate(() => typeof window.wx), 'undefined');
  assert.equal(await page.textContent('.campaign__title'), '微信分享活动');
  assert.deepEqual(errors, []);
  await ctx.close();
});
