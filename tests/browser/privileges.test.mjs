// Privileges by date in the browser: 会员收银台 at desk width shows the
// member-day discount by its name (会员日 9折) with its amount, and the
// privileges of the member scanned; the member's card at 390x844 lists the
// birthday privilege beside the tier's own (text) privileges; the settings
// console's 特权 section shows what the server has and saves a change.
// The demo merchant's privileges are this file's own while it runs.
//
// SHOTS=<dir> (tests/run.sh sets it): screenshots of the three.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { staffSignIn, counterMember, memberCode, newMember } from './staff.mjs';
import { staff } from '../http/wallet_helpers.mjs';
import { sql, BASE } from '../http/lib.mjs';

const SHOTS = process.env.SHOTS || '';
const DESK = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };
let browser, marketing, mid;

function today() {
  const t = new Date(Date.now() + 8 * 3600e3);
  return { iso: t.toISOString().slice(0, 10), dow: ((t.getUTCDay() + 6) % 7) + 1 };
}

const SETTINGS = () => ({
  precedence: 'best',
  birthday: { enabled: true, window: 'week', discount_pct: 85, points_multiplier: 2, tiers: 'all',
    coupon: { template_id: null, days_before: 0 } },
  member_day: { enabled: true, every: 'week', day: today().dow, discount_pct: 90, tiers: 'all' },
  holidays: [{ name: '双十一', from: '2099-11-11', to: '2099-11-11', discount_pct: 88, tiers: 'all' }],
});

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  marketing = await staff('demo', 'marketing');
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  const r = await marketing.call('PUT', '/staff/settings/privileges', SETTINGS());
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  await sql(`DELETE FROM privilege_settings WHERE merchant_id = ${mid}`);
  await browser?.close();
});

test('会员收银台: the member-day discount by name and amount, the privileges of the member scanned', async () => {
  const mem = await counterMember({ name: '周可馨' });
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier');
  await page.waitForSelector('#tab-checkout[aria-selected="true"]');
  await page.fill('#member-code-input', await memberCode(mem));
  await page.click('#scan-submit');
  await page.waitForSelector('#co-walkin:not([hidden])');
  await page.fill('#co-free-name', '手冲咖啡');
  await page.fill('#co-free-price', '100');
  await page.click('#co-free-add');
  await page.waitForFunction(() => !document.getElementById('checkout').classList.contains('is-quoting') &&
    !document.getElementById('co-submit').disabled);
  const adjs = await page.$$eval('#co-adjs .co-row', (rs) => rs.map((r) => r.innerText.replace(/\s+/g, ' ')));
  assert.deepEqual(adjs, ['会员日 9折 -¥10.00']);
  assert.equal(await page.locator('#co-t-total').innerText(), '¥90.00');
  const privs = await page.locator('#scan-privileges').textContent();
  assert.match(privs, /会员日（每周.+ 9折）/);
  assert.match(privs, /积分/, 'the tier\'s own privileges, as text');
  if (SHOTS) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/privileges-counter.png` });
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the card at 390x844 lists the birthday privilege beside the tier\'s', async () => {
  const ctx = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  await newMember(ctx, '沈一诺');
  const set = await ctx.request.put(`${BASE}/api/v1/m/demo/me/birthday`, { data: { birthday: '1995-03-08' } });
  assert.equal(set.status(), 200);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/m/demo/`);
  await page.waitForSelector('#privileges');
  const text = (await page.locator('#privileges').innerText()).replace(/\s+/g, ' ');
  assert.match(text, /生日特权 生日当周 8\.5折 · 积分2倍/);
  assert.match(text, /会员日 每周. 9折/);
  assert.match(text, /双十一 11月11日 8\.8折/);
  assert.match(text, /会员价/, 'the tier\'s own privileges stay');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scroll (${width})`);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/privileges-card.png`, fullPage: true });
  await ctx.close();
});

test('the settings console shows the privileges and saves a change', async () => {
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'marketing', '/m/demo/staff/settings');
  await page.waitForSelector('#privileges-form:not([hidden])');
  assert.equal(await page.isChecked('#pv-bd-on'), true);
  assert.equal(await page.inputValue('#pv-bd-window'), 'week');
  assert.equal(await page.inputValue('#pv-bd-pct'), '85');
  assert.equal(await page.inputValue('#pv-md-wday'), String(today().dow));
  assert.equal(await page.locator('#pv-holidays .holiday-row').count(), 1);
  assert.equal(await page.inputValue('#pv-holidays .hd-name'), '双十一');
  // a wrong value is told beside the form in Chinese, nothing saved
  await page.fill('#pv-md-pct', '120');
  await page.click('#privileges-save');
  await page.waitForFunction(() => document.getElementById('pv-error').textContent !== '');
  assert.match(await page.locator('#pv-error').innerText(), /^会员日折扣：折扣应在 1 到 99 之间/);
  assert.equal((await marketing.call('GET', '/staff/settings/privileges')).json.data.member_day.discount_pct, 90);
  await page.fill('#pv-md-pct', '80');
  await page.selectOption('#pv-md-every', 'month');
  await page.fill('#pv-md-mday', '31');
  await page.click('#privileges-save');
  await page.waitForFunction(() => document.getElementById('pv-error').textContent === '');
  await page.waitForLoadState('networkidle');
  const saved = (await marketing.call('GET', '/staff/settings/privileges')).json.data;
  assert.equal(saved.member_day.discount_pct, 80);
  assert.deepEqual([saved.member_day.every, saved.member_day.day], ['month', 31]);
  assert.equal(saved.holidays[0].name, '双十一');
  if (SHOTS) {
    await page.locator('#privileges-form').scrollIntoViewIfNeeded();
    await page.locator('#privileges-form').screenshot({ path: `${SHOTS}/privileges-console.png` });
  }
  assert.doesNotMatch(await page.locator('#privileges-form').innerText(), /[a-z]{4,}/i, 'no English');
  assert.deepEqual(errors, []);
  await ctx.close();
});
