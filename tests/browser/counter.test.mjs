// The member code page and the store counter on phones: a consumer shows
// the code (its QR decoded with jsQR to the text under it), a cashier signs
// in on the counter page, types that code and sees the member's name and
// tier; the settings console opens for an owner.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, PHONE } from './browser.mjs';
import { scannedCounter } from './staff.mjs';

const BASE = process.env.BASE_URL;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function phone() {
  return '136' + String((Date.now() * 7 + process.pid) % 1e8).padStart(8, '0');
}

/* Sign a consumer in through the API inside the browser context (cookie). */
async function member(ctx, name) {
  const p = phone();
  const api = (path, data) => ctx.request.post(`${BASE}/api/v1/m/demo${path}`, { data });
  const sent = await (await api('/auth/sms-code', { phone: p })).json();
  const login = await api('/auth/login', { phone: p, code: sent.data.dev_code });
  assert.equal(login.status(), 200);
  const joined = await api('/members', { name });
  assert.equal(joined.status(), 201);
  return (await joined.json()).data.member;
}

/* The QR image on the page, drawn on a canvas and read with jsQR. */
async function decodeQr(page) {
  await page.addScriptTag({ url: '/static/vendor/jsQR.js' });
  return page.evaluate(async () => {
    const img = document.getElementById('code-qr');
    if (!img.complete) await new Promise((res) => { img.onload = res; });
    const size = 396;
    const c = document.createElement('canvas');
    c.width = size;
    c.height = size;
    const g = c.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, size, size);
    g.drawImage(img, 0, 0, size, size);
    const d = g.getImageData(0, 0, size, size);
    const r = window.jsQR(d.data, size, size);
    return r ? r.data : null;
  });
}

test('a cashier scans the code a consumer shows and sees the name and tier', async () => {
  const consumer = await browser.newContext(PHONE);
  const errors = [];
  const m = await member(consumer, '赵小蝶');
  const phonePage = await consumer.newPage();
  phonePage.on('pageerror', (e) => errors.push(e.message));
  await phonePage.goto(`${BASE}/m/demo/code`);
  await phonePage.waitForSelector('#code-qr:not([hidden])');
  await phonePage.waitForFunction(() => document.getElementById('code-text').textContent.length > 0);
  const code = await phonePage.getAttribute('#code-text', 'data-code');
  assert.match(code, /^[A-Z2-7]{32}$/);
  assert.equal((await phonePage.textContent('#code-text')).replace(/ /g, ''), code);
  assert.equal(await phonePage.textContent('#card-no'), m.card_no);
  assert.equal(await decodeQr(phonePage), code);
  assert.match(await phonePage.textContent('#code-countdown'), /\d+ 秒后刷新/);
  const width = await phonePage.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scroll (${width})`);

  const counter = await browser.newContext(PHONE);
  const page = await counter.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/demo/staff/`);
  await page.waitForSelector('#staff-login:not([hidden])');
  await page.fill('#staff-username', 'cashier');
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.waitForSelector('#counter:not([hidden])');
  assert.equal(await page.textContent('#staff-who'), '王小明 · 收银员', 'the name, then the role, once each');
  await page.waitForFunction(() => document.querySelectorAll('#store-select option').length > 0);
  const stores = await page.$$eval('#store-select option', (o) => o.map((x) => x.value));
  assert.deepEqual(stores, ['1'], 'a cashier picks among its own stores');
  assert.equal(await page.isHidden('#staff-settings-link'), true);
  // the panels hear about the scan
  await page.evaluate(() => {
    document.addEventListener('counter:scan', (e) => { window.lastScan = e.detail; });
  });
  await page.fill('#member-code-input', code.toLowerCase().replace(/(.{4})/g, '$1 '));
  await page.click('#scan-submit');
  await page.waitForSelector('#scan-result:not([hidden])');
  assert.equal(await page.textContent('#scan-member-name'), '赵小蝶');
  assert.equal(await page.textContent('#scan-tier'), '普通会员');
  assert.equal(await page.textContent('#scan-member-card'), m.card_no);
  assert.equal(await page.textContent('#scan-balance'), '¥0.00');
  const counterWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(counterWidth <= 390, `no horizontal scroll on the counter (${counterWidth})`);
  const detail = await page.evaluate(() => window.lastScan);
  assert.equal(detail.store_id, 1);
  assert.equal(detail.scan.member.id, m.id);
  assert.match(detail.csrf, /^[0-9a-f]{32}$/);
  assert.equal(await page.evaluate(() => window.Counter.ticket()), detail.scan.ticket);
  assert.equal(await page.evaluate(() => window.Counter.storeId()), 1);

  // the same code again: refused, and the counter says so
  await page.fill('#member-code-input', code);
  await page.click('#scan-submit');
  await page.waitForSelector('#app-toast', { state: 'visible' });
  assert.match(await page.textContent('#app-toast'), /已使用/);

  // the consumer's page renews the code on request
  await phonePage.click('#code-refresh');
  await phonePage.waitForFunction((old) => document.getElementById('code-text').getAttribute('data-code') !== old, code);
  const next = await phonePage.getAttribute('#code-text', 'data-code');
  assert.equal(await decodeQr(phonePage), next);

  // signing out brings the sign-in form back
  await page.click('#staff-logout');
  await page.waitForSelector('#staff-login:not([hidden])');
  assert.deepEqual(errors, []);
  await consumer.close();
  await counter.close();
});

test('signed out, the code page leads to the home page', async () => {
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/m/demo/code`);
  assert.equal(await page.getAttribute('#code-signin', 'href'), '/m/demo/');
  await ctx.close();
});

test('the settings console: owners see card, tiers, staff and audit; marketing no staff', async () => {
  for (const [user, accounts] of [['owner', true], ['marketing', false]]) {
    const ctx = await browser.newContext(PHONE);
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${BASE}/m/demo/staff/settings`);
    await page.fill('#staff-username', user);
    await page.fill('#staff-password', 'demo1234');
    await page.click('#staff-login-submit');
    await page.waitForSelector('#card-form:not([hidden])');
    await page.waitForSelector('#tiers-form:not([hidden])');
    assert.ok((await page.inputValue('#card-name')).length > 0);
    assert.equal(await page.locator('#tiers .tier-row').count() >= 1, true);
    if (accounts) {
      await page.waitForSelector('#accounts:not([hidden])');
      await page.waitForSelector('#audit-list .audit-row');
      assert.ok(await page.locator('#accounts-list .account').count() >= 3);
    } else {
      assert.equal(await page.isHidden('#accounts'), true);
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  }
  // a cashier is told it has no settings to change
  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  await page.goto(`${BASE}/m/demo/staff/settings`);
  await page.fill('#staff-username', 'cashier');
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.waitForSelector('#console-denied:not([hidden])');
  assert.equal(await page.isHidden('#card-form'), true);
  await ctx.close();
});

test('at counter width every label of the scanned member is one line, the value beside it', async () => {
  for (const width of [1024, 1280]) {
    const { ctx, page } = await scannedCounter(browser, { width, height: 800 });
    const labels = await page.$$eval('#scan-result .weui-form-preview__label', (ls) => ls.map((l) => {
      const range = document.createRange();
      range.selectNodeContents(l);
      const value = l.parentElement.querySelector('.weui-form-preview__value').getBoundingClientRect();
      const box = l.getBoundingClientRect();
      return { text: l.textContent, lines: range.getClientRects().length, height: box.height,
        line: parseFloat(getComputedStyle(l).lineHeight) || parseFloat(getComputedStyle(l).fontSize) * 1.6,
        beside: value.top < box.bottom && box.top < value.bottom };
    }));
    assert.ok(labels.some((l) => l.text === '凭证有效至'));
    for (const l of labels) {
      assert.equal(l.lines, 1, `${width}: ${l.text} on one line`);
      assert.ok(l.height <= l.line * 1.2, `${width}: ${l.text}'s box is one line high (${l.height} > ${l.line})`);
      assert.ok(l.beside, `${width}: ${l.text}'s value beside it`);
    }
    await ctx.close();
  }
});
