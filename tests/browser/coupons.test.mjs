// The coupon flow in a phone-sized browser: a member claims a coupon in
// the coupon centre and finds it under unused, a cashier scans the
// member's code at the counter page and redeems it, and the member then
// finds it under used with its detail page stamped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { api, m, BASE, uniquePhone, signIn, join, staffLogin } from '../http/lib.mjs';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
let browser;

before(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
});

after(async () => {
  await browser?.close();
});

async function context() {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const errors = [];
  ctx.on('page', (p) => p.on('pageerror', (e) => errors.push(e.message)));
  return { ctx, errors };
}

test('claim in the coupon centre, redeem at the counter, see it under used', async () => {
  const marketing = await staffLogin('demo', 'marketing', 'demo1234');
  const name = `浏览器券${Date.now() % 100000}`;
  const t = await api('POST', m('/staff/coupon-templates'), {
    token: marketing.token,
    body: {
      name, kind: 'threshold', value_fen: 1000, threshold_fen: 3000, stock: 5,
      per_member_limit: 1, valid_days: 7, status: 'active', description: '满 30 元可用',
    },
  });
  assert.equal(t.status, 201, t.text);
  const tpl = t.json.data;

  // the member, signed in with the H5 cookie
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  await join('demo', token);
  const member = await context();
  await member.ctx.addCookies([{ name: 'sid', value: token, url: BASE }]);
  const page = await member.ctx.newPage();

  await page.goto(`${BASE}/m/demo/coupons`);
  const card = page.locator(`#tpl-${tpl.id}`);
  await card.waitFor();
  assert.match(await card.locator('.coupon-card__name').textContent(), new RegExp(name));
  assert.equal(await card.locator('.coupon-card__left').textContent(), '5');
  const before = Number(await page.locator('#nav-unused').textContent());
  await card.locator('button.coupon-claim').click();
  await page.waitForFunction((id) => {
    const b = document.querySelector(`#tpl-${id} button.coupon-claim`);
    return b && b.textContent === '已领取' && b.disabled;
  }, tpl.id);
  assert.equal(await card.locator('.coupon-card__left').textContent(), '4');
  assert.equal(Number(await page.locator('#nav-unused').textContent()), before + 1);

  // my coupons: under unused, with a link to its QR page
  await page.click('#nav-mine');
  await page.waitForURL(/tab=mine/);
  assert.match(await page.locator('#status-unused').getAttribute('class'), /is-active/);
  const mine = page.locator('#mine a.coupon-card', { hasText: name });
  await mine.waitFor();
  const code = await mine.getAttribute('data-code');
  assert.match(code, /^[2-9A-HJKMNP-Z]{12}$/);
  await mine.click();
  await page.waitForURL(new RegExp(`/coupons/${code}$`));
  assert.equal((await page.locator('#coupon-code').textContent()).replace(/\s/g, ''), code);
  assert.equal(await page.locator('#coupon-status').textContent(), '未使用');
  await page.waitForFunction(() => {
    const img = document.querySelector('.coupon-detail__qr img');
    return img && img.complete && img.naturalWidth > 0;
  });

  // the counter: sign in as the cashier, scan the member code, redeem
  const mc = await api('GET', m('/me/member-code'), { token });
  assert.equal(mc.status, 200, mc.text);
  const staff = await context();
  const counter = await staff.ctx.newPage();
  await counter.goto(`${BASE}/m/demo/staff/`);
  await counter.fill('#staff-username', 'cashier');
  await counter.fill('#staff-password', 'demo1234');
  await counter.click('#staff-login-submit');
  await counter.locator('#counter-coupons').waitFor({ state: 'visible' });
  await counter.waitForFunction(() => document.querySelector('#store-select').options.length > 0);
  await counter.fill('#member-code-input', mc.json.data.code);
  await counter.click('#scan-submit');
  const item = counter.locator(`#cc-usable .cc-item[data-code="${code}"]`);
  await item.waitFor();
  await counter.fill('#cc-code', code.toLowerCase());
  await counter.fill('#cc-order', '25');
  await counter.click('#cc-lookup');
  await counter.locator('#cc-check').waitFor({ state: 'visible' });
  assert.match(await counter.locator('#cc-check').textContent(), /不可用：订单金额未达到使用门槛/);
  await counter.fill('#cc-order', '45.50');
  await item.locator('button').click();
  await counter.locator('#cc-result.is-ok').waitFor();
  assert.match(await counter.locator('#cc-result').textContent(), /已核销「.+」，优惠 ¥10\.00，应付 ¥35\.50/);
  await item.waitFor({ state: 'detached' });
  // the same code again is refused
  await counter.fill('#cc-code', code);
  await counter.click('#cc-redeem');
  await counter.locator('#cc-result.is-bad').waitFor();
  assert.match(await counter.locator('#cc-result').textContent(), /已核销/);

  // back on the phone: under used, not under unused, the detail stamped
  await page.goto(`${BASE}/m/demo/coupons?tab=mine&status=used`);
  assert.equal(await page.locator(`#mine a.coupon-card[data-code="${code}"]`).count(), 1);
  assert.match(await page.locator(`#mine a.coupon-card[data-code="${code}"] .coupon-card__status`).textContent(), /已使用/);
  await page.goto(`${BASE}/m/demo/coupons?tab=mine&status=unused`);
  assert.equal(await page.locator(`#mine a.coupon-card[data-code="${code}"]`).count(), 0);
  await page.goto(`${BASE}/m/demo/coupons/${code}`);
  assert.equal(await page.locator('#coupon-status').textContent(), '已使用');
  assert.equal(await page.locator('.coupon-detail__stamp').textContent(), '已使用');

  assert.deepEqual(member.errors, []);
  assert.deepEqual(staff.errors, []);
  await member.ctx.close();
  await staff.ctx.close();
});

test('anonymous visitors see the centre and are sent to sign in to claim; promo codes redeem', async () => {
  const { ctx, errors } = await context();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/m/demo/coupons`);
  const btn = page.locator('#centre button.coupon-claim:not([disabled])').first();
  await btn.waitFor();
  await btn.click();
  await page.waitForURL(/signin=1/);
  await page.locator('#signin-form').waitFor();

  // a member types a promo code on my coupons
  const marketing = await staffLogin('demo', 'marketing', 'demo1234');
  const t = await api('POST', m('/staff/coupon-templates'), {
    token: marketing.token,
    body: { name: `码券${Date.now() % 100000}`, kind: 'promo_code', value_fen: 300, stock: null,
      per_member_limit: 1, valid_days: 7, status: 'active' },
  });
  assert.equal(t.status, 201, t.text);
  const b = await api('POST', m(`/staff/coupon-templates/${t.json.data.id}/codes`), {
    token: marketing.token, body: { count: 2 },
  });
  assert.equal(b.status, 201, b.text);
  const csv = await api('GET', m(`/staff/coupon-templates/${t.json.data.id}/codes.csv`), { token: marketing.token });
  const promo = csv.text.split('\r\n')[1].split(',')[0];
  const token = await signIn('demo', uniquePhone());
  await join('demo', token);
  await ctx.addCookies([{ name: 'sid', value: token, url: BASE }]);
  await page.goto(`${BASE}/m/demo/coupons?tab=mine`);
  await page.fill('#promo-code', `${promo.slice(0, 6).toLowerCase()}-${promo.slice(6)}`);
  await page.click('#promo-submit');
  await page.waitForURL(/status=unused/);
  await page.locator('#mine a.coupon-card_promo_code').waitFor();
  assert.equal(await page.locator('#status-unused .coupon-status-tab__count').textContent(), '1');
  assert.deepEqual(errors, []);
  await ctx.close();
});
