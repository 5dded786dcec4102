// Count cards (次卡) in the browser, against the real API: a cashier
// scans a member, sells a count card from the checkout's menu in cash,
// sees the member's new card under the member and uses it once (核销),
// then reverses that use and uses it again, then takes several uses of a
// product the card covers at once; the member sees the card with
// what is left and its history on 我的次卡 at 390x844. Staff filter the
// member list to members whose count cards are used up and export it
// (the CSV file has exactly them). The count-card console creates one.
// SHOTS=<dir>: screenshots of the counter, the H5 page and the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { staffSignIn, counterMember, memberCode } from './staff.mjs';
import { staff, newMember, scan, storeIds, idemKey } from '../http/wallet_helpers.mjs';
import { sql, BASE } from '../http/lib.mjs';

const SHOTS = process.env.SHOTS || '';
const DESK = { width: 1280, height: 800 };
let browser, owner, cashier, marketing, stores, covered, tag;

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  owner = await staff('demo', 'owner');
  cashier = await staff('demo', 'cashier');
  marketing = await staff('demo', 'marketing');
  stores = await storeIds();
  tag = `${process.pid % 1000}${Date.now() % 100000}`;
  const p = await owner.call('POST', '/staff/products', { name: `洗车${tag}`, category: '服务', price_fen: 5000 });
  assert.equal(p.status, 201, p.text);
  covered = p.json.data.id;
});

after(async () => { await browser?.close(); });

async function cardProduct(name, uses, priceFen) {
  const r = await marketing.call('POST', '/staff/count-card-products', {
    name, uses, price_fen: priceFen, validity: { kind: 'days', days: 90 }, product_ids: [covered],
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

test('a cashier sells a count card in cash, the member uses it once; 我的次卡 shows it', async () => {
  const cp = await cardProduct(`洗车5次卡${tag}`, 5, 20000);
  const mem = await counterMember({ name: '周文博' });
  const ctx = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier');
  await page.waitForFunction(() => document.querySelectorAll('#store-select option').length > 0);
  await page.fill('#member-code-input', await memberCode(mem));
  await page.click('#scan-submit');
  await page.waitForSelector('#co-walkin:not([hidden])');
  // no card yet
  await page.waitForSelector('#counter-ccards:not([hidden]) .ccards-none');

  // the card from the menu, priced as a line of its own, paid in cash
  const tile = `#co-menu .co-item[data-product="cc${cp.id}"]`;
  await page.waitForSelector(tile);
  assert.match(await page.innerText(tile), /次卡 · 5 次/);
  await page.click(tile);
  await page.waitForFunction(() => !document.getElementById('checkout').classList.contains('is-quoting') &&
    !document.getElementById('co-submit').disabled);
  assert.match(await page.innerText('#co-lines .co-line'), new RegExp(`洗车5次卡${tag}[\\s\\S]*次卡`));
  assert.equal(await page.innerText('#co-t-total'), '¥200.00');
  const [commit] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/staff\/orders$/.test(r.url())),
    page.click('#co-submit'),
  ]);
  assert.equal(commit.status(), 201);
  const order = (await commit.json()).data.order;
  await page.waitForSelector('#co-done:not([hidden])');

  // the member's new card, used once
  const row = `#ccards-list .ccards-card`;
  await page.waitForSelector(row);
  assert.match(await page.innerText(row), new RegExp(`洗车5次卡${tag}[\\s\\S]*剩余 5/5 次`));
  await page.click(`${row} button:has-text("核销")`);
  await page.waitForFunction(() => /剩余 4 次/.test(document.getElementById('ccards-done').textContent));
  await page.waitForFunction(() => /剩余 4\/5 次/.test(document.querySelector('#ccards-list .ccards-card').textContent));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/counter-count-card.png` });
  // reversed at once, and used again
  await page.click(`${row} button:has-text("撤销")`);
  await page.waitForFunction(() => /剩余 5\/5 次/.test(document.querySelector('#ccards-list .ccards-card').textContent));
  await page.click(`${row} button:has-text("核销")`);
  await page.waitForFunction(() => /剩余 4\/5 次/.test(document.querySelector('#ccards-list .ccards-card').textContent));

  const [[cardId, left, total, orderId]] = await sql(`SELECT id, uses_left, uses_total, order_id FROM count_cards WHERE member_id = ${mem.id}`);
  assert.deepEqual([left, total, Number(orderId)], ['4', '5', order.id]);
  const uses = await sql(`SELECT status, staff_id, store_id FROM count_card_uses WHERE card_id = ${cardId} ORDER BY id`);
  assert.deepEqual(uses.map((u) => u[0]), ['reversed', 'done']);
  assert.equal(Number(uses[1][1]), cashier.staff.id);
  assert.deepEqual(errors, []);
  await ctx.close();

  // 我的次卡 at phone size, reached from the card page
  const phone = await browser.newContext({ ...PHONE, locale: 'zh-CN' });
  await phone.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const h5 = await phone.newPage();
  const h5errors = [];
  h5.on('pageerror', (e) => h5errors.push(e.message));
  await h5.goto(`${BASE}/m/demo/`);
  await h5.click('#home-count-cards');
  await h5.waitForSelector(`#count-card-${cardId}`);
  const card = await h5.innerText(`#count-card-${cardId}`);
  assert.match(card, new RegExp(`洗车5次卡${tag}`));
  assert.match(card, /4\s*次可用（共 5 次）/);
  assert.match(card, /有效期至 \d{4}年\d{1,2}月\d{1,2}日/);
  assert.match(card, /可使用/);
  await h5.click(`#count-card-${cardId} summary`);
  const hist = await h5.$$eval(`#count-card-${cardId} .ccard__use`, (ls) => ls.map((l) => l.innerText));
  assert.equal(hist.length, 2);
  assert.match(hist[1], /已撤销/);
  const width = await h5.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scroll (${width})`);
  if (SHOTS) await h5.screenshot({ path: `${SHOTS}/count-cards-h5.png`, fullPage: true });
  assert.deepEqual(h5errors, []);
  await phone.close();
});

test('at the counter a use takes several uses of a product the card covers, recorded with store and cashier; the last use reverses', async () => {
  const cp = await cardProduct(`保养10次卡${tag}`, 10, 30000);
  const mem = await counterMember({ name: '孙立华' });
  const o = await owner.call('POST', '/staff/orders', {
    store_id: stores[0], member_phone: mem.phone, lines: [{ count_card_product_id: cp.id, qty: 1 }],
    coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }],
  }, { 'idempotency-key': idemKey() });
  assert.equal(o.status, 201, o.text);
  const [[cardId]] = await sql(`SELECT id FROM count_cards WHERE member_id = ${mem.id}`);
  const ctx = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'cashier');
  await page.waitForFunction(() => document.querySelectorAll('#store-select option').length > 0);
  await page.fill('#member-code-input', await memberCode(mem));
  await page.click('#scan-submit');
  const row = '#ccards-list .ccards-card';
  await page.waitForSelector(`${row} .ccards-card__uses`);
  // the card covers one product: it is named already, and the uses are 1 to what is left
  assert.equal(await page.inputValue(`${row} .ccards-card__product`), String(covered));
  assert.match(await page.innerText(`${row} .ccards-card__product`), new RegExp(`洗车${tag}`));
  assert.equal(await page.getAttribute(`${row} .ccards-card__uses`, 'max'), '10');
  await page.fill(`${row} .ccards-card__uses`, '11');
  await page.click(`${row} button:has-text("核销")`);
  await page.waitForFunction(() => /1 到 10 次/.test(document.body.innerText));
  assert.equal((await sql(`SELECT COUNT(*) FROM count_card_uses WHERE card_id = ${cardId}`))[0][0], '0', 'nothing taken');
  await page.fill(`${row} .ccards-card__uses`, '3');
  await page.click(`${row} button:has-text("核销")`);
  await page.waitForFunction(() => /3 次，剩余 7 次/.test(document.getElementById('ccards-done').textContent));
  assert.match(await page.textContent('#ccards-done'), new RegExp(`洗车${tag}`));
  await page.waitForFunction(() => /剩余 7\/10 次/.test(document.querySelector('#ccards-list .ccards-card').textContent));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/counter-count-card-uses.png` });
  const [[uses, product, store, staffId, status]] = await sql(`SELECT uses, product_id, store_id, staff_id, status
    FROM count_card_uses WHERE card_id = ${cardId}`);
  assert.deepEqual([uses, Number(product), Number(staffId), status], ['3', covered, cashier.staff.id, 'done']);
  assert.ok(stores.includes(Number(store)));
  // reversed at once: all three back
  await page.click(`${row} button:has-text("撤销")`);
  await page.waitForFunction(() => /剩余 10\/10 次/.test(document.querySelector('#ccards-list .ccards-card').textContent));
  assert.equal((await sql(`SELECT status FROM count_card_uses WHERE card_id = ${cardId}`))[0][0], 'reversed');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('staff filter the member list to used-up count cards and export it', async () => {
  const cp = await cardProduct(`单次卡${tag}`, 1, 1000);
  const name = `次卡会员${tag}`;
  const mems = [];
  for (let i = 0; i < 3; i++) {
    const mem = await newMember();
    await sql(`UPDATE members SET name = '${name}${i}' WHERE id = ${mem.id}`);
    const o = await owner.call('POST', '/staff/orders', {
      store_id: stores[0], member_phone: mem.phone, lines: [{ count_card_product_id: cp.id, qty: 1 }],
      coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }],
    }, { 'idempotency-key': idemKey() });
    assert.equal(o.status, 201, o.text);
    mems.push(mem);
  }
  // members 0 and 2 use theirs up; member 1 keeps its use
  for (const i of [0, 2]) {
    const s = await scan(cashier, mems[i], stores[0]);
    const [[card]] = await sql(`SELECT id FROM count_cards WHERE member_id = ${mems[i].id}`);
    const r = await cashier.call('POST', `/staff/count-cards/${card}/uses`, { ticket: s.ticket }, { 'idempotency-key': idemKey() });
    assert.equal(r.status, 201, r.text);
  }

  const ctx = await browser.newContext({ viewport: DESK, acceptDownloads: true, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'marketing', '/m/demo/staff/members');
  await page.waitForSelector('#members-list[data-loaded]');
  await page.fill('#mf-q', name);
  await page.click('#mf-search');
  await page.waitForFunction(() => document.querySelectorAll('#members-list tbody tr').length === 3);
  await page.selectOption('#mf-ccards', 'used_up');
  await page.waitForFunction(() => document.querySelectorAll('#members-list tbody tr').length === 2);
  const names = await page.$$eval('#members-list tbody tr td:first-child', (ns) => ns.map((n) => n.textContent));
  assert.deepEqual(names, [`${name}2`, `${name}0`]);
  // the detail lists the card
  await page.click('#members-list tbody tr:first-child .orders-list__open');
  await page.waitForSelector('#md-body:not([hidden])');
  assert.match(await page.innerText('#md-ccards'), new RegExp(`单次卡${tag}[\\s\\S]*已用完 · 剩余 0/1 次`));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/members-count-cards.png` });

  const dl = page.waitForEvent('download');
  await page.click('#mf-export');
  const file = await dl;
  await page.waitForFunction(() => /导出完成，共 2 位会员/.test(document.querySelector('#mf-export-status').textContent));
  const lines = readFileSync(await file.path()).toString('utf8').trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.ok(lines[1].includes(`${name}2`) && lines[2].includes(`${name}0`), lines.join('\n'));
  assert.ok(!lines.some((l) => l.includes(`${name}1`)));
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the count-card console creates a card product', async () => {
  const ctx = await browser.newContext({ viewport: DESK, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'marketing', '/m/demo/staff/count-cards');
  await page.waitForSelector('#cf-products .store-check');
  assert.equal(await page.textContent('#staff-nav a[aria-current="page"]'), '次卡');
  const name = `美容10次卡${tag}`;
  await page.fill('#cf-name', name);
  await page.fill('#cf-uses', '10');
  await page.fill('#cf-price', '980');
  // nothing checked: said, nothing sent
  await page.fill('#cf-days', '365');
  await page.click('#cf-save');
  assert.match(await page.textContent('#cf-error'), /请至少选择一个适用商品/);
  await page.check(`#cf-products input[value="${covered}"]`);
  await page.click('#cf-save');
  await page.waitForSelector(`#ccp-list tr.ccp-row:has-text("${name}")`);
  const row = await page.innerText(`#ccp-list tr.ccp-row:has-text("${name}")`);
  assert.match(row, /10 次[\s\S]*¥980\.00[\s\S]*购买后 365 天[\s\S]*洗车[\s\S]*全部门店[\s\S]*在售/);
  const [[uses, price, days]] = await sql(`SELECT uses, price_fen, validity_days FROM count_card_products WHERE name = '${name}'`);
  assert.deepEqual([uses, price, days], ['10', '98000', '365']);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/staff-count-cards.png` });
  assert.deepEqual(errors, []);
  await ctx.close();
});
