// The staff menu at desk width. Before sign-in every staff page shows the
// sign-in form and no menu. Signed in, each role sees the consoles whose
// staff API it may call (the route flags: cashier the counter and the
// orders; marketing the orders, members, products, count cards, coupons, coupon pushes,
// campaigns, 刮刮乐, stored value, points, stats and settings; the owner all, and the
// stores; a partner account has its own page, tests/browser/partner.test.mjs), each of
// those pages works
// for it (no refused call, no "not allowed" note), and each page left out
// of its menu does refuse it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch } from './browser.mjs';

const BASE = process.env.BASE_URL;
// SHOTS=<dir> (tests/run.sh sets it): a full-page screenshot of each
// console as each role sees it.
const SHOTS = process.env.SHOTS || '';
const DESK = { viewport: { width: 1280, height: 900 } };
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/* Each page and what shows once it works. */
const PAGES = {
  '/m/demo/staff/': '#scan-box:not([hidden]) #member-code-input',
  '/m/demo/staff/orders': '#orders-list[data-loaded]',
  '/m/demo/staff/members': '#members-list[data-loaded]',
  '/m/demo/staff/products': '#product-list .product-row',
  '/m/demo/staff/count-cards': '#cf-products .store-check',
  '/m/demo/staff/coupons': '#tpl-list .tpl-row',
  '/m/demo/staff/coupon-pushes': '#push-list[data-loaded]',
  '/m/demo/staff/campaigns': '#cf-templates .tpl-pick__item',
  '/m/demo/staff/scratch': '#sf-prizes .sc-prize-row',
  '/m/demo/staff/wallet': '#packages-form:not([hidden])',
  '/m/demo/staff/points': '#points-form:not([hidden])',
  '/m/demo/staff/stats': '#stats-members:not([hidden])',
  '/m/demo/staff/settings': '#card-form:not([hidden])',
  '/m/demo/staff/stores': '#store-list .store-row',
};
const ALL = Object.keys(PAGES);
const MENU = {
  cashier: ALL.slice(0, 2),
  marketing: ALL.slice(1, -1),
  owner: ALL,
};
/* the notes a page shows a role it does not serve */
const DENIED = '#console-denied, #wallet-denied, #stats-denied, #console-auth, #counter-no-scan';

async function menu(page) {
  return page.$$eval('#staff-nav a', (as) => as.filter((a) => a.offsetParent !== null).map((a) => a.getAttribute('href')));
}

test('before sign-in: the sign-in form and no menu on every staff page', async () => {
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const path of ALL) {
    await page.goto(BASE + path);
    await page.waitForSelector('#staff-login:not([hidden])');
    assert.deepEqual(await menu(page), [], `${path}: no menu before sign-in`);
    assert.equal(await page.isVisible('#staff-nav'), false, path);
    assert.equal(await page.isVisible('#staff-logout'), false, path);
    for (const main of ['#counter', '#console']) assert.equal(await page.isVisible(main), false, `${path}: ${main} hidden`);
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});

for (const [role, links] of Object.entries(MENU)) {
  test(`signed in as ${role}: the menu shows its ${links.length} and each works`, async () => {
    const ctx = await browser.newContext(DESK);
    const page = await ctx.newPage();
    const errors = [];
    const refused = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.url().includes('/api/') && (r.status() === 401 || r.status() === 403)) refused.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${BASE}/m/demo/staff/`);
    await page.fill('#staff-username', role);
    await page.fill('#staff-password', 'demo1234');
    await page.click('#staff-login-submit');
    await page.waitForSelector('#staff-nav:not([hidden])');
    assert.deepEqual(await menu(page), links);

    for (const path of ALL) {
      refused.length = 0;
      await page.goto(BASE + path);
      await page.waitForSelector('#staff-who:not([hidden])');
      if (links.includes(path)) {
        await page.waitForSelector(PAGES[path]);
        await page.waitForLoadState('networkidle');
        assert.deepEqual(refused, [], `${role} ${path}: no refused call`);
        const notes = await page.$$eval(DENIED, (ns) => ns.filter((n) => n.offsetParent !== null).map((n) => n.id));
        assert.deepEqual(notes, [], `${role} ${path}: no "not allowed" note`);
        assert.deepEqual(await menu(page), links, `${role} ${path}: the same menu`);
        assert.equal(await page.getAttribute(`#staff-nav a[href="${path}"]`, 'aria-current'), 'page', `${path} marked current`);
        if (SHOTS) {
          mkdirSync(SHOTS, { recursive: true });
          await page.screenshot({ path: `${SHOTS}/staff-${role}${path.replace(/^\/m\/demo\/staff\/?/, '-').replace(/\//g, '-').replace(/^-$/, '-counter')}.png`, fullPage: true });
        }
      } else {
        await page.waitForSelector(DENIED.split(', ').map((s) => `${s}:not([hidden])`).join(', '));
        assert.equal(await page.isVisible(PAGES[path]), false, `${role} ${path}: left out of the menu, and refused`);
      }
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}
