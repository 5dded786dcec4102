// A partner store's 核销 page on a phone (390x844) and at desk width: the
// partner account signs in on any staff page and lands on its one page
// with only 核销 in the menu, types a member's coupon code of a template
// the demo merchant shares with it (立减5元), looks it up, redeems it and
// sees it in its latest redemptions; a coupon not shared is not found.
// And the owner's stores console with the partner bakery and what is
// shared with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { staffSignIn, newMember } from './staff.mjs';
import { sql } from '../http/lib.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SHOTS || '';
const DESK = { viewport: { width: 1280, height: 900 } };
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/* A new demo member's coupon of the demo template named (coupon_seed): its code. */
async function couponNamed(name) {
  const [[id]] = await sql(`SELECT t.id FROM coupon_templates t JOIN merchants mc ON mc.id = t.merchant_id
    WHERE mc.code = 'demo' AND t.name = '${name}' ORDER BY t.id LIMIT 1`);
  const ctx = await browser.newContext();
  await newMember(ctx, '林晓');
  const r = await ctx.request.post(`${BASE}/api/v1/m/demo/coupons`, { data: { template_id: Number(id) } });
  assert.equal(r.status(), 201, await r.text());
  const code = (await r.json()).data.coupon.code;
  await ctx.close();
  return code;
}

for (const [label, opts] of [['phone', PHONE], ['desk', DESK]]) {
  test(`the partner redeems a shared coupon on its 核销 page (${label})`, async () => {
    const shared = await couponNamed('立减5元');
    const other = await couponNamed('满50减10');
    const ctx = await browser.newContext(opts);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await staffSignIn(page, 'partner', '/m/demo/staff/orders');
    await page.waitForURL(/\/m\/demo\/staff\/partner$/);
    await page.waitForSelector('#console[data-ready]');
    assert.match(await page.textContent('#pt-store'), /麦香面包坊/);
    const menu = await page.$$eval('#staff-nav a', (as) => as.filter((a) => a.offsetParent !== null).map((a) => a.textContent));
    assert.deepEqual(menu, ['核销']);
    assert.equal(await page.isVisible('#console-auth'), false);

    // not shared: not found, and nothing about it
    await page.fill('#pt-code', other);
    await page.click('#pt-lookup');
    await page.waitForSelector('#pt-check:not([hidden])');
    assert.match(await page.textContent('#pt-check'), /未找到可在本店核销的优惠券/);

    await page.fill('#pt-code', shared.toLowerCase());
    await page.fill('#pt-order', '28');
    await page.click('#pt-lookup');
    await page.waitForFunction(() => /可减/.test(document.getElementById('pt-check').textContent));
    assert.match(await page.textContent('#pt-check'), /立减5元.*可减 ¥5\.00，应付 ¥23\.00/);
    if (label === 'phone') {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(wide <= 390, `no sideways scroll on a phone (${wide})`);
    }
    await page.click('#pt-redeem');
    await page.waitForSelector('#pt-result.is-ok');
    assert.match(await page.textContent('#pt-result'), /已核销「立减5元」，优惠 ¥5\.00，应付 ¥23\.00/);
    await page.waitForFunction((c) => document.querySelector('#pt-recent .pt-row__meta')?.textContent.includes(c), shared);
    assert.equal(await page.inputValue('#pt-code'), '');
    await shot(page, `staff-partner-${label}`);

    // again: already used
    await page.fill('#pt-code', shared);
    await page.click('#pt-redeem');
    await page.waitForSelector('#pt-result.is-bad');
    assert.match(await page.textContent('#pt-result'), /已核销/);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}

test('the owner\'s stores console: the partner bakery, its account and its shared coupons', async () => {
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo/staff/stores');
  await page.waitForSelector('#console[data-loaded]');
  const rows = await page.$$eval('#store-list .store-row', (trs) => trs.map((tr) => tr.textContent));
  assert.ok(rows.some((t) => /麦香面包坊.*合作门店/.test(t)), rows.join('\n'));
  assert.ok(rows.some((t) => /人民广场店.*自营门店/.test(t)));
  await page.click('button[aria-label^="合作设置 麦香面包坊"]');
  await page.waitForSelector('#partner-panel[data-loaded]');
  assert.match(await page.textContent('#pp-accounts'), /partner/);
  // shared first, with what was redeemed there
  const first = page.locator('#pp-templates .pp-tpl').first();
  assert.match(await first.textContent(), /立减5元.*本店已核销 \d+ 张/);
  assert.equal(await first.locator('input').isChecked(), true);
  assert.equal(await page.locator('input[aria-label^="共享「满50减10」"]').first().isChecked(), false);
  await shot(page, 'staff-owner-stores');
  // the owner on the partner page is told it is not theirs
  await page.goto(`${BASE}/m/demo/staff/partner`);
  await page.waitForSelector('#console-auth:not([hidden])');
  assert.equal(await page.isVisible('#console'), false);
  assert.deepEqual(errors, []);
  await ctx.close();
});
