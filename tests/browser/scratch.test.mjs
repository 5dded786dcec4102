// 刮刮乐 end to end: marketing runs a scratch campaign whose prize is a
// coupon; a member pays an order the cashier rings up at the counter; on
// the phone (390x844) the member opens 刮刮乐 from the member home, scratches
// the card's coating with a finger and sees the coupon, which my coupons
// then lists. The console (desk width, marketing) shows the campaign's
// odds, what it gave, the stock left and the cost, creates a campaign
// through its form and stops it.
//
// SHOTS=<dir> (tests/run.sh sets it) keeps the scratch page before and
// after scratching, and the console, there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, PHONE } from './browser.mjs';
import { staffSignIn, counterMember, memberCode } from './staff.mjs';
import { BASE } from '../http/lib.mjs';
import { staff } from '../http/wallet_helpers.mjs';

const SHOTS = process.env.SHOTS || '';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const DESK = { width: 1366, height: 900 };
const tag = String(Date.now() % 1e7);
const HOUR = 3600e3;
const iso = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
let browser, mkt;
const made = [];

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  mkt = await staff('demo', 'marketing');
});

after(async () => {
  for (const id of made) await mkt.call('PATCH', `/staff/scratch-campaigns/${id}`, { status: 'stopped' });
  await browser?.close();
});

async function assertAxe(page, what) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, {
    rules: { 'target-size': { enabled: true } }, resultTypes: ['violations'],
  }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], what);
}

/* Finger strokes over the whole canvas, row by row. */
async function scratchAway(page, sel) {
  const box = await page.locator(sel).boundingBox();
  await page.mouse.move(box.x + 4, box.y + 4);
  await page.mouse.down();
  for (let y = 6; y < box.height; y += 18) {
    await page.mouse.move(box.x + box.width - 6, box.y + y, { steps: 8 });
    await page.mouse.move(box.x + 6, box.y + y + 9, { steps: 8 });
  }
  await page.mouse.up();
}

test('a member pays at the counter, scratches the card on the phone and finds the coupon in my coupons; the console shows the cost', async () => {
  const tplR = await mkt.call('POST', '/staff/coupon-templates', {
    name: `刮中立减8元${tag}`, kind: 'instant', value_fen: 800, stock: null, per_member_limit: 5, valid_days: 7, status: 'active',
  });
  assert.equal(tplR.status, 201, tplR.text);
  const tpl = tplR.json.data;
  const cr = await mkt.call('POST', '/staff/scratch-campaigns', {
    name: `消费满30刮好礼${tag}`, min_order_fen: 3000, store_ids: 'all',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 7 * 24 * HOUR), daily_cap: 2, none_weight: 0,
    prizes: [{ kind: 'coupon', template_id: tpl.id, weight: 1, stock: 20 }],
  });
  assert.equal(cr.status, 201, cr.text);
  const camp = cr.json.data;
  made.push(camp.id);

  // the counter: the cashier scans the member and takes 45.00 by card
  const mem = await counterMember({ name: '周雨桐' });
  const desk = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const counter = await desk.newPage();
  const errors = [];
  counter.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(counter, 'cashier');
  await counter.fill('#member-code-input', await memberCode(mem));
  await counter.click('#scan-submit');
  await counter.waitForSelector('#co-walkin:not([hidden])');
  await counter.fill('#co-free-name', '双人套餐');
  await counter.fill('#co-free-price', '45');
  await counter.click('#co-free-add');
  await counter.check('input[name="co-method"][value="card"]');
  await counter.waitForFunction(() => !document.getElementById('checkout').classList.contains('is-quoting') &&
    !document.getElementById('co-submit').disabled && /45\.00/.test(document.getElementById('co-t-total').textContent));
  await counter.click('#co-submit');
  await counter.waitForSelector('#co-done:not([hidden])');
  const orderId = Number(await counter.getAttribute('#co-done', 'data-order'));
  assert.ok(orderId > 0);

  // the phone: member home -> 刮刮乐
  const phone = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  await phone.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const page = await phone.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/demo/orders`);
  assert.equal(await page.getAttribute('#orders-scratch', 'href'), '/m/demo/scratch');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/scratch-orders-link.png` });
  await page.goto(`${BASE}/m/demo/`);
  await page.locator('#home-scratch').scrollIntoViewIfNeeded();
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/scratch-home-link.png` });
  await page.click('#home-scratch');
  await page.waitForURL(/\/m\/demo\/scratch$/);
  const card = page.locator('.scratch-card').filter({ hasText: camp.name });
  await card.waitFor();
  assert.match(await card.locator('.scratch-card__meta').innerText(), new RegExp(`\\d+月\\d+日获得 · 订单 ${orderId}`));
  await page.waitForTimeout(200);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/scratch-card.png` });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'no sideways scroll at 390');
  await assertAxe(page, 'the scratch page');

  const id = await card.getAttribute('data-chance-id');
  const answered = page.waitForResponse((r) => r.url().endsWith(`/me/scratch-chances/${id}/scratch`));
  await scratchAway(page, `.scratch-card[data-chance-id="${id}"] canvas`);
  assert.equal((await answered).status(), 200);
  await page.waitForSelector(`.scratch-card[data-chance-id="${id}"].scratch-card_done`);
  assert.equal(await card.locator('.scratch-card__title').innerText(), tpl.name);
  assert.match(await card.locator('.scratch-card__sub').innerText(), /我的券/);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/scratch-won.png` });

  // a reload shows it among the scratched ones, the same prize
  await page.reload();
  await page.waitForSelector('#scratch-done:not([hidden])');
  assert.match(await page.locator('#scratch-done').innerText(), new RegExp(tpl.name));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/scratch-done.png`, fullPage: true });

  // my coupons lists it
  await page.click('text=查看我的券');
  await page.waitForURL(/coupons\?tab=mine/);
  assert.match(await page.locator('main').innerText(), new RegExp(tpl.name));

  // the console at desk width
  const office = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const con = await office.newPage();
  con.on('pageerror', (e) => errors.push(e.message));
  con.on('dialog', (d) => d.accept());
  await staffSignIn(con, 'marketing', '/m/demo/staff/scratch');
  await con.waitForSelector('#console:not([hidden])');
  const row = con.locator(`#sc-list tr[data-id="${camp.id}"]`);
  await row.waitFor();
  const rowText = (await row.innerText()).replace(/\s+/g, ' ');
  for (const want of ['进行中', '满 ¥30.00', '全部门店', '每人每天 2 次', `${tpl.name}（面值 ¥8.00） · 100% · 已发 1 / 剩 19`,
    '未中奖 · 0% · 0 次', '1 / 1', '券 1 张（面值 ¥8.00）']) {
    assert.ok(rowText.includes(want), `the row shows ${JSON.stringify(want)}: ${rowText}`);
  }
  assert.match(rowText, /\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2} 至 \d{4}年/);
  assert.ok(await con.isVisible('#staff-nav a[aria-current="page"]:text("刮刮乐")'));

  // a new campaign through the form: bonus prize, odds preview
  await con.fill('#sf-name', `满20刮赠送金${tag}`);
  await con.fill('#sf-min', '20');
  await con.fill('#sf-starts', '2026-01-01T09:00');
  await con.fill('#sf-ends', '2027-01-01T09:00');
  await con.fill('#sf-cap', '1');
  await con.fill('#sf-none', '30');
  const prow = con.locator('#sf-prizes .sc-prize-row').first();
  await prow.locator('.sf-kind').selectOption('bonus');
  await prow.locator('.sf-amount').fill('2');
  await prow.locator('.sf-weight').fill('10');
  await prow.locator('.sf-stock').fill('50');
  assert.match(await con.locator('#sc-odds').innerText(), /赠送金 ¥2：25%（权重 10）[\s\S]*未中奖：75%（权重 30）/);
  if (SHOTS) await con.screenshot({ path: `${SHOTS}/scratch-console.png`, fullPage: true });
  await assertAxe(con, 'the scratch console');
  const saved = con.waitForResponse((r) => r.url().endsWith('/staff/scratch-campaigns') && r.request().method() === 'POST');
  await con.click('#sf-save');
  const res = await saved;
  assert.equal(res.status(), 201, await res.text());
  const nid = (await res.json()).data.id;
  made.push(nid);
  const nrow = con.locator(`#sc-list tr[data-id="${nid}"]`);
  await nrow.waitFor();
  assert.match(await nrow.innerText(), /赠送金 ¥2\.00 · 25% · 已发 0 \/ 剩 50/);
  await nrow.locator('.sc-toggle').click();
  await con.waitForFunction((i) => /已停止/.test(document.querySelector(`#sc-list tr[data-id="${i}"]`)?.innerText || ''), nid);

  assert.deepEqual(errors, []);
  await phone.close();
  await desk.close();
  await office.close();
});
