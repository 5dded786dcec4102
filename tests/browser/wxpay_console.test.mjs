// The settings console's 微信支付 section at desktop width: an owner sets
// the account (keys pasted), sees it configured with the platform key's
// serial and expiry, and never sees a secret again; marketing does not
// see the section.
// SHOTS=<dir> (tests/run.sh sets it): a screenshot of the section.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { sql } from '../http/lib.mjs';
import { ownMerchant } from '../http/own_merchant.mjs';

const SHOTS = process.env.SHOTS || '';
const DESK = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };
const DIR = process.env.WX_FAKE_DIR;
let browser, mer;

before(async () => {
  browser = await launch();
  mer = await ownMerchant('wxc');
});
after(async () => {
  await browser?.close();
});

test('微信支付: not configured, set with pasted keys, shown configured without secrets', async () => {
  assert.ok(DIR, 'the stack starts the WeChat fake (WX_FAKE_DIR)');
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', `/m/${mer.code}/staff/settings`);
  await page.waitForSelector('#wxpay-form:not([hidden])');
  assert.equal(await page.innerText('#wxpay-status'), '未开通');
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  const v3 = randomBytes(16).toString('hex');
  const mchid = String(randomInt(1e9, 2e9));
  await page.fill('#wx-mchid', mchid);
  await page.fill('#wx-appid', 'wx' + randomBytes(8).toString('hex'));
  await page.fill('#wx-serial', randomBytes(20).toString('hex').toUpperCase());
  await page.fill('#wx-key', key);
  await page.fill('#wx-v3', 'short');
  await page.click('#wxpay-save');
  await page.waitForFunction(() => document.getElementById('wx-error').textContent.length > 0);
  assert.match(await page.innerText('#wx-error'), /^APIv3密钥：/);
  await page.fill('#wx-v3', v3);
  await page.fill('#wx-cert', readFileSync(`${DIR}/pay_platform_cert.pem`, 'utf8'));
  await page.click('#wxpay-save');
  await page.waitForFunction(() => document.getElementById('wxpay-status').textContent === '已开通');
  const serial = readFileSync(`${DIR}/pay_platform_serial`, 'utf8').trim();
  const text = await page.innerText('#wxpay-form');
  assert.ok(text.includes('平台证书 ' + serial), text);
  assert.match(text, /有效期至 20\d\d年\d+月\d+日/);
  assert.ok(text.includes(`/api/v1/payments/notify/wechatpay/${mer.code}`));
  assert.equal(await page.inputValue('#wx-key'), '', 'the private key is not shown back');
  assert.equal(await page.inputValue('#wx-v3'), '');
  assert.ok(!(await page.content()).includes(v3), 'no secret in the page');
  const [[m]] = await sql(`SELECT mchid FROM wxpay_settings WHERE merchant_id = ${mer.id}`);
  assert.equal(m, mchid);
  if (SHOTS) await page.locator('#wxpay-form').screenshot({ path: `${SHOTS}/staff-settings-wxpay.png` });
  assert.deepEqual(errors, []);
  await ctx.close();

  const ctx2 = await browser.newContext(DESK);
  const p2 = await ctx2.newPage();
  await staffSignIn(p2, 'marketing', `/m/${mer.code}/staff/settings`);
  await p2.waitForSelector('#checkout-form:not([hidden])');
  assert.equal(await p2.isHidden('#wxpay-form'), true);
  await ctx2.close();
});
