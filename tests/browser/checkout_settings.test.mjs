// The settings console's 收银与退款 section at desk width, as demo2's owner
// (demo2's checkout settings are this file's own; the defaults are put
// back when done): the form shows what the server has, saves what the
// owner changed through PUT settings/checkout, shows it again after a
// reload, names what is wrong beside the form in Chinese (and saves
// nothing then), and shows no English. axe finds nothing serious in it.
//
// SHOTS=<dir> (tests/run.sh sets it): a screenshot of the section.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { sql } from '../http/lib.mjs';
import { staff, CHECKOUT_DEFAULTS as DEFAULTS } from '../http/wallet_helpers.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const SHOTS = process.env.SHOTS || '';
const DESK = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };
const PATH = '/staff/settings/checkout';
let browser, owner;

before(async () => {
  browser = await launch();
  owner = await staff('demo2', 'owner');
  await sql(`DELETE FROM checkout_settings WHERE merchant_id = (SELECT id FROM merchants WHERE code = 'demo2')`);
});
after(async () => {
  await owner?.call('PUT', PATH, DEFAULTS);
  await browser?.close();
});

async function settings() {
  const r = await owner.call('GET', PATH);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/* What the form shows: each input's value or checked state by id. */
function formState(page) {
  return page.$$eval('#checkout-form input', (ns) => Object.fromEntries(ns.map((n) => [n.id, n.type === 'checkbox' ? n.checked : n.value])));
}

test('收银与退款: the defaults shown, changed and saved, shown again after a reload', async () => {
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo2/staff/settings');
  await page.waitForSelector('#checkout-form:not([hidden])');
  assert.deepEqual(await formState(page), {
    'ck-tier-with-mp': false, 'ck-tier-only-bal': false, 'ck-max-stack': '3',
    'ck-points-on': true, 'ck-points-rate': '100', 'ck-points-pct': '50', 'ck-points-max': '',
    'ck-ret-cancel': true, 'ck-ret-before': true, 'ck-ret-after': false,
    'ck-approval': '', 'ck-expiry': '15',
  });
  // the labels a clerk reads, and no English anywhere in the section
  const text = await page.innerText('#checkout-form');
  for (const words of ['收银与退款', '会员价商品也享等级折扣', '仅余额付清整单时享等级折扣', '最多叠加优惠券张数', '积分抵现',
    '每元所需积分', '最高抵扣比例', '单笔最多积分', '券退回规则', '未支付取消', '完成前退款', '完成后退款',
    '退款超过此金额需店主审批', '未支付订单保留分钟数']) assert.ok(text.includes(words), `"${words}" shown`);
  assert.doesNotMatch(text, /[A-Za-z]/, 'no English in the section');

  await page.click('label:has(#ck-tier-with-mp)');
  await page.fill('#ck-max-stack', '4');
  await page.fill('#ck-points-rate', '200');
  await page.fill('#ck-points-pct', '20');
  await page.fill('#ck-points-max', '3000');
  await page.click('label:has(#ck-ret-after)');
  await page.fill('#ck-approval', '500');
  await page.fill('#ck-expiry', '30');
  const put = page.waitForResponse((r) => r.url().endsWith('/settings/checkout') && r.request().method() === 'PUT');
  await page.click('#checkout-save');
  assert.equal((await put).status(), 200);
  await page.waitForSelector('#app-toast:has-text("收银与退款设置已保存")');
  const want = {
    tier_discount_with_member_price: true,
    tier_discount_only_if_balance_covers: false,
    max_stackable: 4,
    points_to_cash: { enabled: true, points_per_yuan: 200, max_pct: 20, max_points: 3000 },
    coupon_return: { on_cancel: true, on_refund_before_complete: true, on_refund_after_complete: true },
    refund_approval_over_fen: 50000,
    unpaid_expiry_min: 30,
  };
  assert.deepEqual(await settings(), want);

  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.evaluate(() => document.getElementById('checkout-form').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}/staff-settings-checkout.png` });
    await page.locator('#checkout-form').screenshot({ path: `${SHOTS}/staff-settings-checkout-form.png` });
  }

  await page.reload();
  await page.waitForSelector('#checkout-form:not([hidden])');
  const shown = await formState(page);
  assert.equal(shown['ck-tier-with-mp'], true);
  assert.equal(shown['ck-max-stack'], '4');
  assert.equal(shown['ck-points-max'], '3000');
  assert.equal(shown['ck-ret-after'], true);
  assert.equal(shown['ck-approval'], '500.00', 'the approval amount in yuan');
  assert.equal(shown['ck-expiry'], '30');

  // no cap and no approval: the fields left empty
  await page.fill('#ck-points-max', '');
  await page.fill('#ck-approval', '');
  await page.click('#checkout-save');
  await page.waitForSelector('#app-toast:has-text("收银与退款设置已保存")');
  const open = await settings();
  assert.equal(open.points_to_cash.max_points, null);
  assert.equal(open.refund_approval_over_fen, null);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('收银与退款: what is wrong is named beside the form, in Chinese, and nothing is saved', async () => {
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo2/staff/settings');
  await page.waitForSelector('#checkout-form:not([hidden])');
  const before = await settings();
  for (const [id, value, says] of [
    ['#ck-points-pct', '150', '最高抵扣比例：应在 0 到 100 之间'],
    ['#ck-max-stack', '', '最多叠加优惠券张数：缺少必填项'],
    ['#ck-expiry', '2000', '未支付订单保留分钟数：应在 1 到 1440 之间'],
    ['#ck-approval', '0', '退款审批金额：应在 0.01 到 1000000 元之间'],
    ['#ck-approval', '五百', '退款审批金额：请输入金额'],
  ]) {
    await page.reload();
    await page.waitForSelector('#checkout-form:not([hidden])');
    await page.fill(id, value);
    await page.click('#checkout-save');
    await page.waitForSelector('#ck-error:not(:empty)');
    const msg = await page.textContent('#ck-error');
    assert.ok(msg.startsWith(says), `${id}=${value}: "${msg}"`);
    assert.doesNotMatch(msg, /[A-Za-z_]/, `${id}: no field code in "${msg}"`);
    assert.equal(await page.getAttribute(id, 'aria-invalid'), 'true', `${id} marked`);
    assert.equal(await page.evaluate(() => document.activeElement && '#' + document.activeElement.id), id, `${id} focused`);
    assert.deepEqual(await settings(), before, `${id}=${value}: nothing saved`);
    if (SHOTS && id === '#ck-points-pct') {
      mkdirSync(SHOTS, { recursive: true });
      await page.locator('#checkout-form').screenshot({ path: `${SHOTS}/staff-settings-checkout-error.png` });
    }
  }
  // axe: nothing serious or critical in the section
  await page.reload();
  await page.waitForSelector('#checkout-form:not([hidden])');
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run('#checkout-form', { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, []);
  assert.deepEqual(errors, []);
  await ctx.close();
});
