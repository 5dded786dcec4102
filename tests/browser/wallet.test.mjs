// At phone size: a cashier scans a member at the counter, recharges a
// package (充100送20, cash), pays part of an order from the balance; the
// member's wallet page shows both entries and the balance split; the
// recharge page shows the smart top-up for an order and pays a package
// through the sandbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, PHONE } from './browser.mjs';
import { api, m } from '../http/lib.mjs';
import { newMember, accounts, assertLedger, staff } from '../http/wallet_helpers.mjs';

const BASE = process.env.BASE_URL;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => { await browser?.close(); });

/** A browser context signed in as the member (the sid cookie). */
async function memberContext(token) {
  const ctx = await browser.newContext(PHONE);
  await ctx.addCookies([{ name: 'sid', value: token, url: BASE }]);
  return ctx;
}

test('counter: recharge a package, pay part of an order; the wallet page shows both', async () => {
  const mem = await newMember();
  const code = (await api('GET', m('/me/member-code'), { token: mem.token })).json.data.code;

  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/demo/staff/`);
  await page.fill('#staff-username', 'cashier');
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.waitForSelector('#counter:not([hidden])');
  await page.waitForSelector('#store-select option', { state: 'attached' });
  await page.fill('#member-code-input', code);
  await page.click('#scan-submit');
  await page.waitForSelector('#scan-result:not([hidden])');
  // the wallet panel is the counter's 储值充值 tab
  await page.click('#tab-wallet');
  await page.waitForSelector('#counter-wallet:not([hidden])');
  assert.equal(await page.textContent('#cw-balance'), '¥0.00');

  await page.waitForSelector('#cw-package option', { state: 'attached' });
  const pkg = await page.$eval('#cw-package', (s) =>
    Array.from(s.options).find((o) => o.textContent.startsWith('充100送20')).value);
  await page.selectOption('#cw-package', pkg);
  await page.selectOption('#cw-method', 'cash');
  await page.click('#cw-recharge');
  await page.waitForFunction(() => document.getElementById('cw-balance').textContent === '¥120.00');
  assert.equal(await page.textContent('#cw-split'), '本金 100.00 · 赠送金 20.00');

  await page.fill('#cw-order', '150');
  await page.click('#cw-pay');
  await page.waitForSelector('#cw-pay-result:not([hidden])');
  const result = await page.textContent('#cw-pay-result');
  assert.match(result, /余额支付 ¥120\.00（本金 ¥100\.00，赠送金 ¥20\.00）/);
  assert.match(result, /还需另付 ¥30\.00/);
  assert.equal(await page.textContent('#cw-balance'), '¥0.00');
  const payId = await page.inputValue('#cw-refund-id');
  assert.ok(Number(payId) > 0);
  await page.waitForSelector('#cw-payments .weui-cell');
  assert.deepEqual(errors, []);
  await ctx.close();

  const a = await accounts(mem.id);
  // the payment is an order of 150: it earns on all of it, the 30 paid at the counter too
  assert.deepEqual([a.principal, a.bonus, a.growth], [0, 0, 150]);
  await assertLedger(mem.id);

  const mctx = await memberContext(mem.token);
  const wp = await mctx.newPage();
  wp.on('pageerror', (e) => errors.push(e.message));
  await wp.goto(`${BASE}/m/demo/wallet`);
  assert.equal(await wp.textContent('#wallet-total'), '0.00');
  const entries = await wp.$$eval('.wallet-entry', (els) => els.map((e) => ({
    kind: e.getAttribute('data-kind'),
    ref: e.getAttribute('data-ref'),
    title: e.querySelector('.wallet-entry__title').textContent,
    amount: e.querySelector('.wallet-entry__amount').textContent,
    meta: e.querySelector('.wallet-entry__meta').textContent,
  })));
  assert.equal(entries.length, 2);
  assert.deepEqual(entries.map((e) => [e.kind, e.title, e.amount]),
    [['payment', '余额支付', '-120.00'], ['recharge', '充值', '+120.00']]);
  assert.equal(entries[0].ref, `payment:${payId}`);
  assert.match(entries[1].meta, /本金 \+100\.00 · 赠送金 \+20\.00/);
  assert.deepEqual(errors, []);
  await mctx.close();
});

test('recharge page: smart top-up for an order, then a package paid through the sandbox', async () => {
  const mem = await newMember();
  const ctx = await memberContext(mem.token);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/demo/recharge?order_fen=5000`);
  assert.equal(await page.textContent('#topup-payable'), '¥0.00');
  const items = await page.$$eval('.topup__item', (els) => els.map((e) => e.querySelector('.topup__title').textContent));
  // 50 yuan short: custom 60, 充100送20, 充500送80
  assert.deepEqual(items, ['充 ¥60.00', '充 ¥100.00 送 ¥20.00', '充 ¥500.00 送 ¥80.00']);
  await page.click('.topup__item:nth-of-type(2)');
  await page.click('#recharge-submit');
  await page.waitForSelector('#recharge-pay:not([hidden])');
  assert.equal(await page.textContent('#pay-amount'), '¥100.00');
  await Promise.all([page.waitForEvent('load'), page.click('#sandbox-pay')]);
  assert.match(page.url(), /\/recharge\?order_fen=5000$/);
  await page.waitForSelector('#topup-payable');
  assert.equal(await page.textContent('#topup-payable'), '¥50.00');
  assert.match(await page.textContent('#topup'), /余额足够支付本单/);
  assert.deepEqual(await page.$$eval('.topup__item', (els) => els.length), 0);
  const a = await accounts(mem.id);
  assert.deepEqual([a.principal, a.bonus], [10000, 2000]);
  await page.goto(`${BASE}/m/demo/wallet`);
  assert.equal(await page.textContent('#wallet-total'), '120.00');
  assert.equal(await page.textContent('#wallet-principal'), '100.00');
  assert.equal(await page.textContent('#wallet-bonus'), '20.00');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('wallet page without a session shows the sign-in form', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/m/demo/wallet`);
  await page.waitForSelector('#signin-form');
  assert.equal(await page.$('#wallet-total'), null);
  await ctx.close();
});

test('settings page: an owner sets a cap and a package; the API reads them back', async () => {
  const owner = await staff('demo2', 'owner');
  const before = (await owner.call('GET', '/staff/settings/recharge-packages')).json.data;
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${BASE}/m/demo2/staff/wallet`);
    await page.fill('#staff-username', 'owner');
    await page.fill('#staff-password', 'demo1234');
    await page.click('#staff-login-submit');
    await page.waitForSelector('#rules-form:not([hidden])');
    await page.waitForSelector('#packages-form:not([hidden])');
    await page.selectOption('#rule-cap', 'each_amount');
    assert.equal(await page.isVisible('#rule-amount-row'), true);
    assert.equal(await page.isVisible('#range-box'), false);
    await page.fill('#rule-amount', '30');
    await page.click('#rules-save');
    await page.waitForFunction(() => document.getElementById('app-toast')?.textContent === '抵扣规则已保存');
    const rules = (await owner.call('GET', '/staff/settings/deduction')).json.data;
    assert.deepEqual(rules.cap, { kind: 'each_amount', amount_fen: 3000, pct: null, ranges: [] });

    await page.click('#package-add');
    const row = page.locator('#package-rows .package-row').last();
    await row.locator('.pkg-pay').fill('200');
    await row.locator('.pkg-bonus').fill('30');
    await page.click('#packages-save');
    await page.waitForFunction(() => document.getElementById('app-toast')?.textContent === '充值设置已保存');
    const pkgs = (await api('GET', m('/recharge-packages', 'demo2'))).json.data;
    assert.deepEqual(pkgs.at(-1), { ...pkgs.at(-1), pay_fen: 20000, bonus_fen: 3000, label: '充200送30' });
    assert.equal(pkgs.length, before.packages.length + 1);
    assert.deepEqual(errors, []);
  } finally {
    await owner.call('PUT', '/staff/settings/deduction',
      { split: 'principal_first', freeze_same_day_bonus: false, cap: { kind: 'none' } });
    await owner.call('PUT', '/staff/settings/recharge-packages', before);
    await ctx.close();
  }
});
