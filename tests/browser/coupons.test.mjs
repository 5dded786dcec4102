// The coupon flow in a phone-sized browser: a member claims a coupon in
// the coupon centre and finds it under unused, a cashier scans the
// member's code at the counter page and redeems it, and the member then
// finds it under used with its detail page stamped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { api, m, BASE, uniquePhone, signIn, join, staffLogin, sql } from '../http/lib.mjs';

let browser;

before(async () => {
  browser = await launch();
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
  // redemption is the counter's 核销券 tab (收银 is the first)
  await counter.click('#tab-coupons');
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

  // a coupon's code in the scan box (as the camera reads its QR, or typed
  // with spaces) goes to the coupon panel, is looked up, then redeemed;
  // typed at the 收银 tab, the counter turns to 核销券 for it (a coupon
  // the scan did not list is not the order's to take)
  const t2 = await api('POST', m('/staff/coupon-templates'), {
    token: marketing.token,
    body: { name: `${name}立减`, kind: 'instant', value_fen: 500, stock: null, per_member_limit: 1, valid_days: 7, status: 'active' },
  });
  assert.equal(t2.status, 201, t2.text);
  const c2 = await api('POST', m('/coupons'), { token, body: { template_id: t2.json.data.id } });
  assert.equal(c2.status, 201, c2.text);
  const code2 = c2.json.data.coupon.code;
  await counter.fill('#cc-code', '');
  await counter.fill('#cc-order', '20');
  await counter.click('#tab-checkout');
  await counter.locator('#counter-coupons').waitFor({ state: 'hidden' });
  await counter.fill('#member-code-input', `${code2.slice(0, 4)} ${code2.slice(4, 8)} ${code2.slice(8)}`.toLowerCase());
  await counter.press('#member-code-input', 'Enter');
  await counter.waitForFunction((c) => document.getElementById('cc-code').value === c, code2);
  assert.equal(await counter.getAttribute('#tab-coupons', 'aria-selected'), 'true');
  assert.equal(await counter.isVisible('#counter-coupons'), true);
  assert.equal(await counter.inputValue('#member-code-input'), '');
  await counter.waitForFunction(() => /可减 ¥5\.00，应付 ¥15\.00/.test(document.getElementById('cc-check').textContent));
  assert.match(await counter.locator('#cc-check').textContent(), new RegExp(`${name}立减`));
  await counter.click('#cc-redeem');
  await counter.waitForFunction(() => /已核销「.+立减」/.test(document.getElementById('cc-result').textContent));
  const [[status2]] = await sql(`SELECT status FROM coupons WHERE code = '${code2}'`);
  assert.equal(status2, 'used');

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

test('the marketing console creates a template and a batch of promo codes', async () => {
  const { ctx, errors } = await context();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/m/demo/staff/coupons`);
  await page.locator('#console-auth').waitFor({ state: 'visible' });
  await page.goto(`${BASE}/m/demo/staff/`);
  await page.fill('#staff-username', 'marketing');
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.locator('#staff-who').waitFor({ state: 'visible' });
  await page.goto(`${BASE}/m/demo/staff/coupons`);
  await page.locator('#console').waitFor({ state: 'visible' });

  const name = `控制台${Date.now() % 100000}`;
  await page.fill('#tf-name', name);
  await page.selectOption('#tf-kind', 'promo_code');
  await page.fill('#tf-value', '12.5');
  await page.fill('#tf-threshold', '50');
  await page.fill('#tf-stock', '');
  await page.fill('#tf-limit', '2');
  await page.selectOption('#tf-validity', 'range');
  await page.fill('#tf-valid-from', '2026-01-01');
  await page.fill('#tf-valid-until', '2036-12-31');
  await page.locator('#tf-stores input[value="1"]').check();
  await page.selectOption('#tf-status', 'active');
  await page.click('#tf-save');
  await page.locator('#codes-panel').waitFor({ state: 'visible' });
  const id = Number(await page.inputValue('#tf-id'));
  assert.ok(id > 0);

  const marketing = await staffLogin('demo', 'marketing', 'demo1234');
  const t = (await api('GET', m(`/staff/coupon-templates/${id}`), { token: marketing.token })).json.data;
  assert.equal(t.name, name);
  assert.equal(t.kind, 'promo_code');
  assert.equal(t.value_fen, 1250);
  assert.equal(t.threshold_fen, 5000);
  assert.equal(t.stock, null);
  assert.equal(t.per_member_limit, 2);
  assert.deepEqual(t.store_ids, [1]);
  assert.equal(t.valid_until, '2036-12-31T23:59:59+08:00');
  assert.equal(t.status, 'active');

  await page.fill('#codes-count', '30');
  await page.click('#codes-make');
  const link = page.locator('#codes-batches a');
  await link.waitFor();
  assert.match(await page.locator('#codes-batches').textContent(), /30 个，已兑换 0/);
  const href = await link.getAttribute('href');
  const csv = await page.evaluate((u) => fetch(u).then((r) => r.text()), href);
  assert.equal(csv.trimEnd().split('\r\n').length, 31);

  // invalid input is explained, nothing saved
  await page.click('#tpl-new');
  await page.fill('#tf-name', `${name}坏`);
  await page.selectOption('#tf-kind', 'discount');
  await page.fill('#tf-pct', '100');
  await page.click('#tf-save');
  await page.waitForFunction(() => document.querySelector('#tf-error').textContent.includes('折扣'));
  assert.equal(await page.inputValue('#tf-id'), '');
  assert.deepEqual(errors, []);
  await ctx.close();
});
