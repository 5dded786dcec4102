// The catalogue console at desk width (1280x800), signed in as marketing:
// the staff header and menu, a member price input per tier named as the
// ladder names it, a product created in the form with a member price and
// one store and then seen in the list (price, the tier's price, the store,
// on sale), found by search and category, edited (a member price above the
// price refused before sending), the CSV export link, and a CSV import
// that shows its counts and one that names the bad row and imports nothing;
// no serious accessibility problem (axe-core).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { api, m, staffLogin } from '../http/lib.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SHOTS || '';
const HEADER = 'id,name,category,price_yuan,member_prices,store_ids,active';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('products console: create a product with a member price and see it in the list; edit; CSV', async () => {
  const mkt = await staffLogin('demo', 'marketing', 'demo1234');
  const tiers = (await api('GET', m('/tiers'))).json.data.sort((a, b) => a.level - b.level);
  const stores = (await api('GET', m('/staff/stores'), { token: mkt.token })).json.data;
  assert.ok(tiers.length >= 2 && stores.length >= 1);
  const t2 = tiers[1];
  const run = `${process.pid % 1000}${Date.now() % 100000}`;
  const name = `控制台拿铁${run}`;

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'marketing', '/m/demo/staff/products');
  await page.waitForSelector('#product-list tbody tr.product-row');

  // the staff header and menu, this page marked
  assert.match(await page.textContent('.staff-bar h1'), /商品管理$/);
  assert.equal(await page.textContent('#staff-nav a[aria-current="page"]'), '商品');
  assert.equal(await page.isVisible('#console-auth'), false);
  // one member price input per tier, labelled with the tier's name
  const labels = await page.$$eval('#pf-member-prices .weui-label', (ns) => ns.map((n) => n.textContent));
  assert.deepEqual(labels, tiers.map((t) => t.name));

  // a new product: price in yuan, the second tier's price, one store
  await page.click('#product-new');
  await page.fill('#pf-name', name);
  await page.fill('#pf-category', '咖啡');
  await page.fill('#pf-price', '23.5');
  await page.fill(`#pf-mp-${t2.level}`, '21');
  await page.uncheck('#pf-all-stores');
  await page.check(`#pf-stores input[value="${stores[0].id}"]`);
  const posted = page.waitForResponse((r) => r.url().endsWith('/staff/products') && r.request().method() === 'POST');
  await page.click('#pf-save');
  const res = await posted;
  assert.equal(res.status(), 201);
  const p = (await res.json()).data;
  assert.equal(p.price_fen, 2350);
  assert.deepEqual(p.member_prices, [{ tier_level: t2.level, price_fen: 2100 }]);
  assert.deepEqual(p.store_ids, [stores[0].id]);
  assert.equal(p.active, true);

  // in the list, as a clerk reads it
  const row = page.locator(`#product-list tr[data-id="${p.id}"]`);
  await row.waitFor();
  const text = await row.textContent();
  for (const want of [name, '咖啡', '¥23.50', `${t2.name} ¥21.00`, stores[0].name, '在售']) {
    assert.ok(text.includes(want), `${want} in: ${text}`);
  }
  assert.match(await page.textContent('#pf-title'), new RegExp(`编辑：${name}`));

  // found by search, and its category offered in the filter
  await page.fill('#pl-q', name);
  await page.waitForFunction((id) => {
    const rows = document.querySelectorAll('#product-list tbody tr');
    return rows.length === 1 && rows[0].getAttribute('data-id') === String(id);
  }, p.id);
  assert.ok((await page.$$eval('#pl-category option', (os) => os.map((o) => o.value))).includes('咖啡'));
  await page.selectOption('#pl-category', '咖啡');
  await page.waitForSelector(`#product-list tr[data-id="${p.id}"]`);

  // editing: a member price above the price is refused before sending
  await page.fill('#pl-q', '');
  await page.selectOption('#pl-category', '');
  await page.locator(`#product-list tr[data-id="${p.id}"] button`).click();
  assert.equal(await page.inputValue(`#pf-mp-${t2.level}`), '21.00');
  assert.equal(await page.inputValue('#pf-price'), '23.50');
  await page.fill('#pf-price', '20');
  let sent = 0;
  page.on('request', (r) => { if (r.method() === 'PATCH') sent++; });
  await page.click('#pf-save');
  assert.equal(await page.textContent('#pf-error'), `${t2.name}的会员价不能高于价格`);
  assert.equal(await page.getAttribute(`#pf-mp-${t2.level}`, 'aria-invalid'), 'true');
  assert.equal(sent, 0);
  await page.fill(`#pf-mp-${t2.level}`, '18.8');
  const patched = page.waitForResponse((r) => r.url().endsWith(`/staff/products/${p.id}`) && r.request().method() === 'PATCH');
  await page.click('#pf-save');
  assert.equal((await patched).status(), 200);
  await page.waitForFunction((id) => {
    const r = document.querySelector(`#product-list tr[data-id="${id}"]`);
    return r && r.textContent.includes('¥20.00') && r.textContent.includes('¥18.80');
  }, p.id);

  // the export link downloads the catalogue with the cookie
  const href = await page.getAttribute('#product-export', 'href');
  assert.equal(href, '/api/v1/m/demo/staff/products.csv');
  const csv = await page.request.get(BASE + href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.ok((await csv.text()).includes(`${p.id},${name},咖啡,20.00,${t2.level}:18.80,${stores[0].id},1`));

  // an import: the counts shown, the new product listed
  const added = `导入可颂${run}`;
  await page.setInputFiles('#product-import-file', {
    name: 'menu.csv', mimeType: 'application/vnd.ms-excel',
    buffer: Buffer.from(`\ufeff${HEADER}\r\n,${added},烘焙,12,${tiers[0].level}:11,all,1\r\n${p.id},${name},咖啡,20,,all,1\r\n`),
  });
  await page.waitForSelector('#import-result.is-ok');
  assert.equal(await page.textContent('#import-result'), '导入完成：新增 1 个商品，更新 1 个商品。');
  await page.waitForFunction((n) => document.querySelector('#product-list tbody').textContent.includes(n), added);

  // a bad file: the row named, nothing imported
  const bad = `坏文件${run}`;
  await page.setInputFiles('#product-import-file', {
    name: 'bad.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`${HEADER}\r\n,${bad},烘焙,12,,all,1\r\n,${bad}2,烘焙,十二元,,all,1\r\n`),
  });
  await page.waitForSelector('#import-result.is-bad');
  const msg = await page.textContent('#import-result');
  assert.match(msg, /文件未导入任何商品/);
  assert.match(msg, /第 3 行：价格应为不小于 0 的金额/);
  assert.doesNotMatch(msg, /[a-z]+_[a-z]+/);
  const none = await api('GET', m(`/staff/products?q=${encodeURIComponent(bad)}`), { token: mkt.token });
  assert.deepEqual(none.json.data, []);

  // no serious or critical accessibility problem (axe-core, tap targets too)
  await page.addScriptTag({ path: AXE });
  const axe = await page.evaluate(() => window.axe.run(document, {
    rules: { 'target-size': { enabled: true } }, resultTypes: ['violations'],
  }));
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);

  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.locator(`#product-list tr[data-id="${p.id}"] button`).click();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/products-console-1280.png` });
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('products console: a cashier is told the page is not theirs', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await staffSignIn(page, 'cashier', '/m/demo/staff/products');
  await page.waitForSelector('#console-auth:not([hidden])');
  assert.equal(await page.isVisible('#console'), false);
  assert.match(await page.textContent('#console-auth'), /仅限店主和市场账号/);
  await ctx.close();
});
