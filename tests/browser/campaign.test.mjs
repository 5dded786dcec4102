// At phone size: a new visitor opens a campaign link, joins, claims a coupon
// and opens the invite page; another new visitor opens that referral link
// and joins; the first member's invited count rises. A member sees the
// window and refusals in Chinese, and each claim as the API then has it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { api, m, staffLogin, uniquePhone } from '../http/lib.mjs';
import { newMember } from '../http/wallet_helpers.mjs';

const BASE = process.env.BASE_URL;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => { await browser?.close(); });

async function phoneContext() {
  return browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
}

async function signInOnPage(page) {
  await page.fill('#phone', uniquePhone());
  await page.click('#send-code');
  await page.waitForSelector('#dev-code:not([hidden])');
  const code = (await page.textContent('#dev-code')).match(/\d{6}/)[0];
  await page.fill('#code', code);
  await Promise.all([page.waitForURL(/\/join\?/), page.click('#signin')]);
}

test('campaign link → join → claim → invite; referral link → join → invited rises', async () => {
  const mkt = (await staffLogin('demo', 'marketing', 'demo1234')).token;
  const tpl = await api('POST', m('/staff/coupon-templates'), {
    token: mkt,
    body: { name: '浏览器测试券', kind: 'instant', value_fen: 300, stock: 50, per_member_limit: 1, valid_days: 7, status: 'active' },
  });
  assert.equal(tpl.status, 201, tpl.text);
  const slug = `web-${Date.now() % 1e8}`;
  const now = Date.now();
  const c = await api('POST', m('/staff/campaigns'), {
    token: mkt,
    body: {
      name: '开业大促', slug, starts_at: new Date(now - 3600e3).toISOString(), ends_at: new Date(now + 86400e3).toISOString(),
      template_ids: [tpl.json.data.id], share: { title: '开业大促', desc: '进店领券' }, rules_text: '每人一张',
    },
  });
  assert.equal(c.status, 201, c.text);

  const ctx1 = await phoneContext();
  const p1 = await ctx1.newPage();
  const errors = [];
  p1.on('pageerror', (e) => errors.push(e.message));
  await p1.goto(`${BASE}/m/demo/c/${slug}`);
  assert.equal(await p1.textContent('.campaign__title'), '开业大促');
  assert.equal(await p1.getAttribute('meta[property="og:title"]', 'content'), '开业大促');
  await Promise.all([p1.waitForURL(/\/join\?/), p1.click('button.claim')]);
  await signInOnPage(p1);
  await p1.fill('#name', '活动访客');
  await Promise.all([p1.waitForURL(`${BASE}/m/demo/c/${slug}`), p1.click('#join')]);
  await p1.click('button.claim');
  await p1.waitForFunction(() => document.querySelector('button.claim').textContent === '已领取');

  const me = await p1.evaluate(async () => (await fetch('/api/v1/m/demo/me')).json());
  assert.equal(me.data.member.channel, `campaign:${slug}`);
  const mine = await p1.evaluate(async () => (await fetch('/api/v1/m/demo/me/coupons?status=unused')).json());
  assert.ok(mine.data.some((x) => x.template_id === tpl.json.data.id));

  await p1.goto(`${BASE}/m/demo/invite`);
  await p1.waitForFunction(() => document.getElementById('invited').textContent !== '-');
  assert.equal(await p1.textContent('#invited'), '0');
  const link = await p1.textContent('#invite-link');
  assert.match(link, /\/r\/[0-9A-Z]{23}$/);
  await p1.waitForFunction(() => document.getElementById('invite-qr').naturalWidth > 0);

  const ctx2 = await phoneContext();
  const p2 = await ctx2.newPage();
  p2.on('pageerror', (e) => errors.push(e.message));
  await p2.goto(link.replace(/^https?:\/\/[^/]+/, BASE));
  assert.match(p2.url(), /\/m\/demo\/join\?ref=/);
  await signInOnPage(p2);
  await Promise.all([p2.waitForURL(`${BASE}/m/demo/`), p2.click('#join')]);
  await p2.waitForSelector('.member-card');

  await p1.reload();
  await p1.waitForFunction(() => document.getElementById('invited').textContent === '1');
  assert.deepEqual(errors, []);
  await ctx1.close();
  await ctx2.close();
});

/*
 * A live campaign ending on 31 January next year with a coupon of two per
 * member (stock 10) and one of one (stock 5), and a member who has
 * claimed the one: {slug, two, one, year, page, errors, ctx}.
 */
async function claimedCampaign(tag) {
  const mkt = (await staffLogin('demo', 'marketing', 'demo1234')).token;
  const tpl = async (name, limit, stock) => {
    const r = await api('POST', m('/staff/coupon-templates'), {
      token: mkt,
      body: { name, kind: 'instant', value_fen: 200, stock, per_member_limit: limit, valid_days: 7, status: 'active' },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.data.id;
  };
  const two = await tpl('每人两张券', 2, 10);
  const one = await tpl('每人一张券', 1, 5);
  const year = Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));
  const slug = `${tag}-${Date.now() % 1e8}`;
  const c = await api('POST', m('/staff/campaigns'), {
    token: mkt,
    body: {
      name: '跨年活动', slug, starts_at: new Date(Date.now() - 60e3).toISOString(),
      ends_at: `${year + 1}-01-31T23:59:59+08:00`, template_ids: [two, one], share: { title: '跨年活动', desc: '领券' },
    },
  });
  assert.equal(c.status, 201, c.text);

  const mem = await newMember();
  const r = await api('POST', m('/coupons'), {
    token: mem.token, body: { template_id: one, campaign: slug }, headers: { 'idempotency-key': `one${Date.now()}` },
  });
  assert.equal(r.status, 201, r.text);

  const ctx = await phoneContext();
  await ctx.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/demo/c/${slug}`);
  return { slug, two, one, year, mem, ctx, page, errors };
}

test('campaign page: the window as people write it, a refusal in Chinese', async () => {
  const { one, year, ctx, page, errors } = await claimedCampaign('cn');
  const when = (await page.textContent('.campaign__window')).trim();
  assert.match(when, new RegExp(`^\\d{1,2}月\\d{1,2}日 \\d\\d:\\d\\d 至 ${year + 1}年1月31日 23:59$`));
  const body = await page.textContent('#campaign');
  assert.doesNotMatch(body, /limit_reached|out_of_stock|T\d\d:\d\d:\d\d|\+08:00/);
  const row = page.locator(`.campaign-coupon[data-template="${one}"]`);
  assert.equal(await row.locator('button.claim').textContent(), '已领取');
  assert.equal(await row.locator('button.claim').isDisabled(), true);
  assert.match(await row.textContent(), /已领 1 张/);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('campaign page: after a claim the button and the stock are what the API says', async () => {
  const { two, mem, ctx, page, errors } = await claimedCampaign('two');
  const row = page.locator(`.campaign-coupon[data-template="${two}"]`);
  const btn = row.locator('button.claim');
  assert.equal(await row.locator('.campaign-coupon__left').textContent(), '10');

  // one of two: still claimable, 已领 1 张, one fewer left
  await btn.click();
  await page.waitForFunction((id) => {
    const el = document.querySelector(`.campaign-coupon[data-template="${id}"]`);
    return /已领 1 张/.test(el.textContent) && !el.querySelector('button.claim').disabled;
  }, two);
  assert.equal(await btn.textContent(), '领取');
  assert.equal(await row.locator('.campaign-coupon__left').textContent(), '9');

  // two of two: at the limit
  await btn.click();
  await page.waitForFunction((id) => {
    const b = document.querySelector(`.campaign-coupon[data-template="${id}"] button.claim`);
    return b.textContent === '已领取' && b.disabled;
  }, two);
  assert.equal(await row.locator('.campaign-coupon__left').textContent(), '8');
  assert.match(await row.textContent(), /已领 2 张/);

  const mine = (await api('GET', m('/me/coupons?status=unused'), { token: mem.token })).json.data;
  assert.equal(mine.filter((x) => x.template_id === two).length, 2);
  assert.deepEqual(errors, []);
  await ctx.close();
});
