// 会员收银台 end to end, against the real order API: a cashier signs in,
// scans a member's code (a member with a balance recharged at the counter,
// points from an earlier order and two coupons), adds two products from
// the menu (one by search) and a free line, sees the best coupon and the
// points ticked, the balance paying part and the rest taken in cash with
// the change, pays, sees the receipt; the order as GET staff/orders/{id}
// returns it matches what the screen showed. A walk-in pays in cash at
// phone size. A price changed between quote and payment is told
// (价格已变化), and a payment whose answer was lost is sent again under
// the same Idempotency-Key and charged once.
//
// SHOTS=<dir> (tests/run.sh sets it) keeps screenshots of the screen with
// a priced order and with the receipt, at 1280x800 and at 390x844.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { staffSignIn, counterMember, memberCode } from './staff.mjs';
import { staff } from '../http/wallet_helpers.mjs';
import { sql, BASE } from '../http/lib.mjs';

const SHOTS = process.env.SHOTS || '';
const DESK = { width: 1280, height: 800 };
const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;
let browser, owner, cashier, tag;
const products = {};

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  owner = await staff('demo', 'owner');
  cashier = await staff('demo', 'cashier');
  tag = String(Date.now() % 1e5);
  // the menu: names of this run (other files' products share the merchant)
  for (const [key, name, category, price, member] of [
    ['latte', '桂花拿铁', '咖啡', 2800, 2500],
    ['cake', '抹茶千层', '甜点', 3600, null],
    ['water', '柠檬苏打', '饮品', 1800, null],
  ]) {
    const body = { name: `${name}${tag}`, category, price_fen: price };
    if (member) body.member_prices = [{ tier_level: 1, price_fen: member }];
    products[key] = await product(body);
  }
});

after(async () => { await browser?.close(); });

/*
 * Screenshots of what the clerk sees, at the page's size or at viewport:
 * one screen at desk width; at phone width the first screen, the order
 * and the payment scrolled into view (the bar at the bottom is fixed, so
 * a full-page picture would show it in the middle), or the whole page
 * once paid.
 */
async function shot(page, name, viewport) {
  if (!SHOTS) return;
  const was = page.viewportSize();
  if (viewport) await page.setViewportSize(viewport);
  const size = page.viewportSize();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(200);
  const done = await page.isVisible('#co-done');
  if (size.width >= 900) {
    await page.screenshot({ path: `${SHOTS}/cashier-${name}.png` });
  } else if (done) {
    await page.screenshot({ path: `${SHOTS}/cashier-${name}.png`, fullPage: true });
  } else {
    await page.screenshot({ path: `${SHOTS}/cashier-${name}-1.png` });
    for (const [i, sel] of [[2, '#co-order'], [3, '#co-checkout']]) {
      await page.evaluate((s) => document.querySelector(s).scrollIntoView({ block: 'start' }), sel);
      await page.screenshot({ path: `${SHOTS}/cashier-${name}-${i}.png` });
    }
    await page.evaluate(() => window.scrollTo(0, 0));
  }
  if (viewport) await page.setViewportSize(was);
}

/* The order on screen priced: the quote in for what the screen holds, 收款 ready. */
async function priced(page) {
  await page.waitForFunction(() => !document.getElementById('checkout').classList.contains('is-quoting') &&
    !document.getElementById('co-submit').disabled);
}

const text = (page, sel) => page.locator(sel).innerText();

/*
 * Every quote and commit the page sends, in order: {body, key} and, once
 * answered, status and answer (none for a request whose answer was lost).
 */
function recorder(page) {
  const seen = { quotes: [], commits: [] };
  const recs = new Map();
  page.on('request', (req) => {
    const url = req.url();
    if (req.method() !== 'POST' || !/\/staff\/orders(\/quote)?$/.test(url)) return;
    const rec = { body: req.postDataJSON(), key: req.headers()['idempotency-key'], status: null, answer: null };
    recs.set(req, rec);
    (url.endsWith('/quote') ? seen.quotes : seen.commits).push(rec);
  });
  page.on('response', async (res) => {
    const rec = recs.get(res.request());
    if (!rec) return;
    try { rec.answer = await res.json(); } catch { rec.answer = null; }
    rec.status = res.status();
  });
  return seen;
}

/* A product of the menu, made by the owner. */
async function product(body) {
  const r = await owner.call('POST', '/staff/products', body);
  assert.equal(r.status, 201, r.text);
  return r.json.data.product || r.json.data;
}

/* The order as GET staff/orders/{id} returns it. */
async function order(id) {
  const r = await cashier.call('GET', `/staff/orders/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.json.data.order || r.json.data;
}

/* The menu tile of a product. */
const tile = (p) => `#co-menu .co-item[data-product="${p.id}"]`;

test('a member: scan, two products and a free line, best coupon and points ticked, balance then cash, receipt', async () => {
  const mem = await counterMember({
    name: '林晓雨', balanceFen: 5000, pointsFromFen: 30000,
    templates: [{ name: `满50减10-${tag}`, kind: 'threshold', value_fen: 1000, threshold_fen: 5000 },
      { name: `立减5元-${tag}`, kind: 'instant', value_fen: 500 }],
  });
  const [best, other] = mem.codes;
  const ctx = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const seen = recorder(page);
  await staffSignIn(page, 'cashier');
  await page.waitForSelector('#tab-checkout[aria-selected="true"]');
  await page.waitForSelector(tile(products.latte));

  // the member
  await page.fill('#member-code-input', await memberCode(mem));
  await page.click('#scan-submit');
  await page.waitForSelector('#co-walkin:not([hidden])');
  assert.equal(await text(page, '#co-customer-name'), '林晓雨（普通会员）');
  assert.match(await text(page, '#co-customer-meta'), /余额 ¥50\.00 · 积分 300/);

  // two products (one by search and Enter, twice by its tile), a free line
  await page.fill('#co-search', `桂花拿铁${tag}`);
  assert.equal(await page.locator('#co-menu .co-item').count(), 1, 'the search narrows the menu');
  await page.press('#co-search', 'Enter');
  assert.equal(await page.inputValue('#co-search'), '');
  await page.click(tile(products.latte));
  await page.click(tile(products.cake));
  await page.fill('#co-free-name', '打包费');
  await page.fill('#co-free-price', '2');
  await page.click('#co-free-add');
  await priced(page);

  // 2 x 28.00 (member 25.00) + 36.00 + 2.00 = 94.00; member price -6.00; 满50减10 -10.00 = 78.00;
  // 300 points -3.00; balance -50.00; due 25.00
  const lines = page.locator('#co-lines .co-line');
  assert.equal(await lines.count(), 3);
  assert.match(await lines.nth(0).innerText(), new RegExp(`桂花拿铁${tag}[\\s\\S]*¥28\\.00 × 2[\\s\\S]*会员价 ¥25\\.00`));
  assert.match(await lines.nth(0).locator('.co-line__list').innerText(), /¥56\.00/);
  assert.match(await lines.nth(2).innerText(), /打包费[\s\S]*自定义/);
  assert.equal(await text(page, '#co-t-list'), '¥94.00');
  assert.equal(await text(page, '#co-t-disc'), '-¥16.00');
  assert.equal(await text(page, '#co-t-total'), '¥78.00');
  assert.equal(await text(page, '#co-t-points'), '-¥3.00');
  assert.equal(await text(page, '#co-t-balance'), '-¥50.00');
  assert.equal(await text(page, '#co-t-due'), '¥25.00');
  const adjs = await page.$$eval('#co-adjs .co-row', (rs) => rs.map((r) => r.innerText.replace(/\s+/g, ' ')));
  assert.deepEqual(adjs, ['会员价 -¥6.00', `优惠券 · 满50减10-${tag} -¥10.00`]);

  // the engine's choice ticked; the other coupon says why not; points and balance on
  const q1 = seen.quotes.at(-1);
  assert.equal(q1.body.coupon_codes, undefined, 'coupons left to the engine at first');
  assert.equal(q1.body.points, 300, 'the member\'s points offered');
  assert.equal(q1.body.use_balance, true);
  assert.equal(await page.isChecked(`.co-coupon[data-code="${best}"] input`), true);
  assert.equal(await page.isChecked(`.co-coupon[data-code="${other}"] input`), false);
  assert.equal(await text(page, `.co-coupon[data-code="${other}"] .co-coupon__reason`), '不可与其他券叠加');
  assert.equal(await page.isChecked('#co-points'), true);
  assert.match(await text(page, '#co-points-meta'), /用 300 积分，抵 ¥3\.00/);
  assert.equal(await page.isChecked('#co-balance'), true);
  assert.match(await text(page, '#co-balance-meta'), /本单用 ¥50\.00/);
  // balance short: the top-up suggestions are offered
  await page.waitForSelector('#co-topup-box:not([hidden]) .co-topup__item');

  // a coupon unticked: the ticked list is sent from then on
  await page.click(`.co-coupon[data-code="${best}"]`);
  await priced(page);
  assert.deepEqual(seen.quotes.at(-1).body.coupon_codes, []);
  assert.equal(await text(page, '#co-t-total'), '¥88.00');
  await page.click(`.co-coupon[data-code="${best}"]`);
  await priced(page);
  assert.deepEqual(seen.quotes.at(-1).body.coupon_codes, [best]);
  assert.equal(await text(page, '#co-t-due'), '¥25.00');

  // quantities: + then - on the cake
  await lines.nth(1).getByRole('button', { name: /增加一份/ }).click();
  await priced(page);
  assert.equal(await text(page, '#co-t-list'), '¥130.00');
  await lines.nth(1).getByRole('button', { name: /减少一份/ }).click();
  await priced(page);
  assert.equal(await text(page, '#co-t-due'), '¥25.00');

  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'member-order-desk');
  await shot(page, 'member-order-phone', { width: 390, height: 844 });
  await priced(page);

  // the rest in cash: 100 received, 75 back
  assert.equal(await page.isChecked('input[name="co-method"][value="cash"]'), true);
  await page.fill('#co-received', '100');
  await page.waitForFunction(() => document.getElementById('co-change').textContent === '找零 ¥75.00');
  await priced(page);
  assert.equal(await text(page, '#co-submit'), '收款 ¥25.00');
  await page.click('#co-submit');
  await page.waitForSelector('#co-done:not([hidden])');

  const commit = seen.commits.at(-1);
  assert.equal(commit.status, 201);
  assert.match(commit.key, /^[0-9a-f]{32}$/);
  assert.match(commit.body.quote_hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(commit.body.tenders, [{ kind: 'cash', amount_fen: 10000 }]);
  assert.deepEqual(commit.body.coupon_codes, [best]);

  // the receipt
  const receipt = (await text(page, '#co-receipt')).replace(/[ \t]+/g, ' ');
  for (const want of ['示例咖啡', '人民广场店', '林晓雨', `桂花拿铁${tag}`, `抹茶千层${tag}`, '打包费',
    '商品原价\n¥94.00', '会员价\n-¥6.00', `满50减10-${tag}\n-¥10.00`, '合计\n¥78.00', '积分抵扣（300 积分）\n¥3.00',
    '余额（本金）\n¥50.00', '现金\n¥25.00', '现金实收\n¥100.00', '找零\n¥75.00', '本单积分\n+75']) {
    assert.ok(receipt.includes(want), `the receipt shows ${JSON.stringify(want)}:\n${receipt}`);
  }
  const id = Number(await page.getAttribute('#co-done', 'data-order'));
  assert.ok(id > 0);
  assert.ok(receipt.includes(`单号\n${id}`));

  // the order as the API has it
  const o = await order(id);
  assert.equal(o.id, id);
  assert.equal(o.status, 'completed');
  assert.equal(o.member.id, mem.id);
  assert.deepEqual([o.total_list_fen, o.discount_fen, o.total_fen, o.points_used, o.points_fen, o.due_fen],
    [9400, 1600, 7800, 300, 300, 2500]);
  assert.deepEqual(o.balance, { principal_fen: 5000, bonus_fen: 0 });
  assert.equal(o.change_fen, 7500);
  assert.deepEqual(o.tenders.map((t) => [t.kind, t.amount_fen]),
    [['points', 300], ['balance_principal', 5000], ['cash', 2500]]);
  assert.deepEqual(o.lines.map((l) => [l.name, l.qty, l.list_fen]),
    [[`桂花拿铁${tag}`, 2, 5600], [`抹茶千层${tag}`, 1, 3600], ['打包费', 1, 200]]);
  assert.deepEqual(o.adjustments.filter((a) => a.kind === 'coupon').map((a) => a.ref), [best]);
  assert.deepEqual(o.earn, { points: 75, growth: 75 });

  // the member opens the same itemised receipt on the phone
  const phone = await browser.newContext(PHONE);
  await phone.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const mp = await phone.newPage();
  mp.on('pageerror', (e) => errors.push(e.message));
  await mp.goto(`${BASE}/m/demo/orders/${id}`);
  await mp.waitForSelector('#order:not([hidden])');
  assert.equal(await mp.textContent('#order-status'), '已完成');
  assert.equal(await mp.textContent('#order-total'), yuan(7800));
  assert.deepEqual(await mp.$$eval('#order-lines .receipt-line__name', (els) => els.map((e) => e.textContent)),
    [`桂花拿铁${tag}`, `抹茶千层${tag}`, '打包费']);
  assert.match(await mp.textContent('#order-tenders'), /现金/);
  assert.match(await mp.textContent('#order-tenders'), /余额本金/);
  if (SHOTS) await mp.screenshot({ path: `${SHOTS}/cashier-order-on-phone.png`, fullPage: true });
  await phone.close();

  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'member-receipt-desk');
  await shot(page, 'member-receipt-phone', { width: 390, height: 844 });
  // printed, only the receipt shows, 80 mm wide
  await page.emulateMedia({ media: 'print' });
  const shown = await page.evaluate(() => {
    const r = document.getElementById('co-receipt').getBoundingClientRect();
    const visible = (id) => { const e = document.getElementById(id); return !!e && e.getClientRects().length > 0; };
    return { width: r.width, bar: visible('co-done-title') || visible('co-next') || visible('scan-box') || visible('counter-tabs') };
  });
  assert.equal(shown.bar, false, 'only the receipt prints');
  assert.ok(Math.abs(shown.width - 80 * 96 / 25.4) < 2, `80 mm wide (${shown.width}px)`);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/cashier-receipt-print.png` });
  await page.emulateMedia({ media: 'screen' });

  // 下一单: nothing of the last order left, nobody scanned
  await page.click('#co-next');
  await page.waitForSelector('#co-work:not([hidden])');
  assert.equal(await page.locator('#co-lines .co-line').count(), 0);
  assert.equal(await text(page, '#co-customer-name'), '非会员散客');
  assert.equal(await page.isVisible('#scan-result'), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'member-code-input');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a walk-in at phone size: no member, paid in cash with a note, receipt', async () => {
  const ctx = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const seen = recorder(page);
  await staffSignIn(page, 'cashier');
  await page.waitForSelector(tile(products.water));
  assert.equal(await text(page, '#co-customer-name'), '非会员散客');
  await page.click(tile(products.water));
  await page.click(tile(products.water));
  await page.click(tile(products.latte));
  await priced(page);
  // no member: list prices, nothing of coupons, points or balance
  assert.equal(await page.isVisible('#co-coupons-box'), false);
  assert.equal(await page.isVisible('#co-toggles'), false);
  assert.equal(await text(page, '#co-t-due'), '¥64.00');
  const q = seen.quotes.at(-1).body;
  assert.equal(q.ticket, undefined);
  assert.deepEqual(q.lines, [{ product_id: products.water.id, qty: 2 }, { product_id: products.latte.id, qty: 1 }]);
  // the bar at the bottom says what is due and leads to the payment, where it goes
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForSelector('#co-bar:not([hidden])');
  assert.match(await text(page, '#co-bar'), /应收\s*¥64\.00/);
  await page.click('#co-bar-go');
  await page.waitForFunction(() => {
    const r = document.getElementById('co-pay').getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight;
  });
  await page.waitForSelector('#co-bar', { state: 'hidden' });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scroll (${width})`);
  await shot(page, 'walkin-order-phone');

  // one tap on a note: 100 received, 36 back
  await page.getByRole('button', { name: '¥100', exact: true }).click();
  assert.equal(await page.inputValue('#co-received'), '100.00');
  await page.waitForFunction(() => document.getElementById('co-change').textContent === '找零 ¥36.00');
  await priced(page);
  await page.click('#co-submit');
  await page.waitForSelector('#co-done:not([hidden])');
  const receipt = await text(page, '#co-receipt');
  for (const want of ['非会员散客', '合计\n¥64.00', '现金\n¥64.00', '现金实收\n¥100.00', '找零\n¥36.00']) {
    assert.ok(receipt.includes(want), `the receipt shows ${JSON.stringify(want)}:\n${receipt}`);
  }
  assert.equal(receipt.includes('本单积分'), false);
  const id = Number(await page.getAttribute('#co-done', 'data-order'));
  const o = await order(id);
  assert.equal(o.member, null);
  assert.equal(o.status, 'completed');
  assert.equal(o.total_fen, 6400);
  assert.deepEqual(o.tenders.map((t) => [t.kind, t.amount_fen]), [['cash', 6400]]);
  assert.equal(o.change_fen, 3600);
  await shot(page, 'walkin-receipt-phone');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a price changed before payment is told and quoted again; a lost answer is retried under the same key', async () => {
  const ctx = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const seen = recorder(page);
  const p = await product({ name: `气泡美式${tag}`, category: '咖啡', price_fen: 2000 });
  await staffSignIn(page, 'cashier');
  await page.waitForSelector(tile(p));
  await page.click(tile(p));
  await priced(page);
  assert.equal(await text(page, '#co-t-due'), '¥20.00');
  const r = await owner.call('PATCH', `/staff/products/${p.id}`, { price_fen: 2200 });
  assert.equal(r.status, 200, r.text);
  await page.click('#co-submit');
  await page.waitForFunction(() => document.getElementById('co-error').textContent === '价格已变化，请确认后重新收款');
  // the page may show the answer before the recorder has read its body
  for (let i = 0; i < 100 && seen.commits.at(-1).status === null; i++) await page.waitForTimeout(20);
  assert.equal(seen.commits.at(-1).status, 409);
  assert.equal(seen.commits.at(-1).answer.error.code, 'quote_stale');
  await page.waitForFunction(() => document.getElementById('co-t-due').textContent === '¥22.00');
  await priced(page);

  // the answer to the next try is lost on the way: the retry carries the same key, one order is made
  let dropped = false;
  await page.route('**/staff/orders', async (route) => {
    if (dropped) { await route.continue(); return; }
    dropped = true;
    await route.fetch();	// the server takes the order, the answer never arrives
    await route.abort('connectionreset');
  });
  await page.click('#co-submit');
  await page.waitForFunction(() => /不会重复扣款/.test(document.getElementById('co-error').textContent));
  await priced(page);
  await page.click('#co-submit');
  await page.waitForSelector('#co-done:not([hidden])');
  const [stale, lost, retry] = seen.commits;
  assert.equal(seen.commits.length, 3);
  assert.equal(lost.status, null, 'the answer was lost');
  assert.equal(retry.status, 201);
  assert.equal(retry.key, lost.key, 'the retry of the same attempt used the same Idempotency-Key');
  assert.notEqual(stale.key, lost.key, 'a new attempt after the price changed');
  const id = Number(await page.getAttribute('#co-done', 'data-order'));
  assert.equal((await order(id)).total_fen, 2200);
  const [[n]] = await sql(`SELECT COUNT(*) FROM order_lines WHERE product_id = ${p.id}`);
  assert.equal(Number(n), 1, 'charged once');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('balance short: a top-up package picked pays the order from the balance, the package taken by card', async () => {
  const mem = await counterMember({ name: '周子墨', balanceFen: 2000 });
  const ctx = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const seen = recorder(page);
  await staffSignIn(page, 'cashier');
  await page.waitForSelector(tile(products.cake));
  await page.fill('#member-code-input', await memberCode(mem));
  await page.press('#member-code-input', 'Enter');
  await page.waitForSelector('#co-walkin:not([hidden])');
  await page.click(tile(products.cake));
  await page.click(tile(products.latte));
  await priced(page);
  // 36.00 + 25.00 (member price) = 61.00, the balance pays 20.00: 41.00 due
  assert.equal(await text(page, '#co-t-due'), '¥41.00');
  const offer = page.locator('.co-topup__item', { hasText: '充100元送20元' });
  assert.match(await offer.innerText(), /付后余额 ¥79\.00/);
  await offer.click();
  await priced(page);
  assert.equal(await offer.getAttribute('aria-pressed'), 'true');
  const q = seen.quotes.at(-1);
  assert.equal(q.body.topup.package_id > 0, true);
  assert.equal(q.answer.data.due_fen, 0);
  assert.equal(await text(page, '#co-t-balance'), '-¥61.00');
  assert.equal(await text(page, '#co-t-topup'), '¥100.00（送 ¥20.00）');
  assert.equal(await text(page, '#co-t-due'), '¥100.00', 'what the customer hands over: the package');
  await page.check('input[name="co-method"][value="card"]');
  await priced(page);
  assert.equal(await page.isVisible('#co-cash'), false);
  assert.equal(await text(page, '#co-submit'), '刷卡收款 ¥100.00');
  await shot(page, 'topup-order-desk');
  await page.click('#co-submit');
  await page.waitForSelector('#co-done:not([hidden])');
  assert.match(await text(page, '#co-done-sum'), /刷卡\s*¥100\.00/);
  const receipt = await text(page, '#co-receipt');
  for (const want of ['会员充值\n¥100.00（送 ¥20.00）', '本次收款（刷卡）\n¥100.00', '卡内余额\n¥79.00']) {
    assert.ok(receipt.includes(want), `the receipt shows ${JSON.stringify(want)}:\n${receipt}`);
  }
  const o = await order(Number(await page.getAttribute('#co-done', 'data-order')));
  assert.equal(o.total_fen, 6100);
  assert.equal(o.due_fen, 0);
  assert.equal(o.balance.principal_fen + o.balance.bonus_fen, 6100);
  assert.deepEqual(errors, []);
  await ctx.close();
});
