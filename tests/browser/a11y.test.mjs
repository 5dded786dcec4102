// Every member page at phone size, run through axe-core: no serious or
// critical violation (the WCAG 2.2 tap-target rule included), and each
// page has its main landmark and one h1. Pages that need a member are
// opened with the sid cookie of members made here, with data to show.
//
// SHOTS=<dir> also saves a full-page screenshot of each page there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch, PHONE } from './browser.mjs';
import { api, m, BASE, uniquePhone, signIn, staffLogin, sql } from '../http/lib.mjs';
import { newMember, fund, storeIds, idemKey } from '../http/wallet_helpers.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SHOTS = process.env.SHOTS || '';
let browser;
let member;		// joined, with a balance, coupons and a campaign claim
let visitor;		// signed in, not yet a member
let couponCode;
let slug;
let storeId;
let orderId;		// the member's, paid from the balance at storeId

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });

  member = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  await fund(member, { package_id: pkgs[0].id });
  visitor = await signIn('demo', uniquePhone());

  const mkt = (await staffLogin('demo', 'marketing', 'demo1234')).token;
  const tpl = async (body) => {
    const r = await api('POST', m('/staff/coupon-templates'), {
      token: mkt, body: { valid_days: 7, status: 'active', ...body },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.data.id;
  };
  const t1 = await tpl({ name: '满50减10元券', kind: 'threshold', value_fen: 1000, threshold_fen: 5000,
    stock: 100, per_member_limit: 2, description: '全场通用，满 50 元可用' });
  const t2 = await tpl({ name: '新人立减5元', kind: 'instant', value_fen: 500, stock: 20, per_member_limit: 1 });
  const claim = async (id) => {
    const r = await api('POST', m('/coupons'), {
      token: member.token, body: { template_id: id }, headers: { 'idempotency-key': `a11y${Date.now()}${id}` },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.data.coupon.code;
  };
  couponCode = await claim(t1);
  await claim(t2);

  slug = `a11y-${Date.now() % 1e8}`;
  const now = Date.now();
  const c = await api('POST', m('/staff/campaigns'), {
    token: mkt,
    body: {
      name: '周年庆 · 会员专享', slug, starts_at: new Date(now - 3600e3).toISOString(),
      ends_at: new Date(now + 30 * 86400e3).toISOString(), template_ids: [t1, t2],
      share: { title: '周年庆', desc: '进店领券' }, rules_text: '每位会员每种券限领一次。\n活动最终解释权归商家所有。',
    },
  });
  assert.equal(c.status, 201, c.text);

  // a dish on storeId's menu, and an order of it paid from the balance
  [storeId] = await storeIds();
  const [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  const dish = `拿铁 a11y ${now % 1e8}`;
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mid}, '${dish}', '咖啡', 2800, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[pid]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND name = '${dish}'`);
  await sql(`INSERT INTO product_member_prices VALUES (${pid}, 1, 2400)`);
  const body = { store_id: storeId, lines: [{ product_id: Number(pid), qty: 2 }], coupon_codes: [], tenders: [{ kind: 'online' }] };
  const q = await api('POST', m('/me/orders/quote'), { token: member.token, body });
  assert.equal(q.status, 200, q.text);
  const o = await api('POST', m('/me/orders'), {
    token: member.token, body: { ...body, quote_hash: q.json.data.quote_hash }, headers: { 'idempotency-key': idemKey() },
  });
  assert.equal(o.status, 201, o.text);
  orderId = o.json.data.order.id;
});

after(async () => { await browser?.close(); });

/*
 * [name, path, who, ready]: who is 'member', 'visitor' or null (no
 * session); ready, a selector the page shows once its script has run.
 */
const PAGES = [
  ['home-member', '/m/demo/', 'member', '.member-card'],
  ['home-signed-out', '/m/demo/', null, '#signin-form'],
  ['join', '/m/demo/join', 'visitor', '#join-form'],
  ['signin', '/m/demo/wallet', null, '#signin-form'],
  ['code', '/m/demo/code', 'member', '#code-qr:not([hidden])'],
  ['wallet', '/m/demo/wallet', 'member', '#wallet-total'],
  ['points', '/m/demo/points', 'member', '#points-total'],
  ['count-cards', '/m/demo/count-cards', 'member', '.cc-title'],
  ['points-shop', '/m/demo/points-shop', 'member', '#shop > :not(#shop-loading)'],
  ['recharge', '/m/demo/recharge?order_fen=5000', 'member', '#recharge-form'],
  ['coupons-centre', '/m/demo/coupons', 'member', '#centre'],
  ['coupons-mine', '/m/demo/coupons?tab=mine', 'member', '#mine'],
  ['coupon', () => `/m/demo/coupons/${couponCode}`, 'member', '#coupon-detail'],
  ['campaign', () => `/m/demo/c/${slug}`, 'member', '#campaign'],
  ['campaign-signed-out', () => `/m/demo/c/${slug}`, null, '#campaign'],
  ['invite', '/m/demo/invite', 'member', '#invited:not(:empty)'],
  ['orders', '/m/demo/orders', 'member', '.order-card'],
  ['order', () => `/m/demo/orders/${orderId}`, 'member', '#order:not([hidden])'],
  ['menu', () => `/m/demo/menu/${storeId}`, 'member', '.menu-item'],
  ['error', '/m/demo/c/no-such-campaign', null, '.weui-msg'],
];

/* What the phone shows: the first screen, and the last one of a longer page. */
async function shoot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  if (await page.evaluate(() => document.documentElement.scrollHeight > window.innerHeight)) {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await page.screenshot({ path: `${SHOTS}/${name}-end.png` });
    await page.evaluate(() => window.scrollTo(0, 0));
  }
}

function describe(v) {
  return `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) =>
    `    ${n.target.join(' ')}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`).join('\n');
}

for (const [name, path, who, ready] of PAGES) {
  test(`axe: ${name}`, async () => {
    const ctx = await browser.newContext({ ...PHONE, locale: 'zh-CN' });	// as the customers' phones
    const token = who === 'member' ? member.token : who === 'visitor' ? visitor : null;
    if (token) await ctx.addCookies([{ name: 'sid', value: token, url: BASE }]);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto(BASE + (typeof path === 'function' ? path() : path));
      await page.waitForSelector(ready);
      await page.waitForLoadState('networkidle');
      if (name === 'invite') {
        await page.waitForFunction(() => document.getElementById('invite-qr').naturalWidth > 0);
      }
      if (SHOTS) await shoot(page, name);
      await page.addScriptTag({ path: AXE });
      const res = await page.evaluate(() => window.axe.run(document, {
        rules: { 'target-size': { enabled: true } },
        resultTypes: ['violations'],
      }));
      const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' ||
        v.id === 'landmark-one-main' || v.id === 'page-has-heading-one');
      console.log(`# axe ${name}: ${res.violations.map((v) => `${v.id}[${v.impact}]x${v.nodes.length}`).join(' ') || 'none'}`);
      const nodes = bad.reduce((n, v) => n + v.nodes.length, 0);
      assert.equal(bad.length, 0, `${name}: ${bad.length} violations on ${nodes} nodes\n` + bad.map(describe).join('\n'));
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
    }
  });
}
