// At phone size: a new visitor opens a campaign link, joins, claims a coupon
// and opens the invite page; another new visitor opens that referral link
// and joins; the first member's invited count rises.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { api, m, staffLogin, uniquePhone } from '../http/lib.mjs';

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
