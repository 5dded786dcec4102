// A consumer on a phone: signs in with an SMS code, joins, sees the card.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';

const BASE = process.env.BASE_URL;
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

function phone() {
  return '137' + String(Date.now() % 1e8).padStart(8, '0');
}

test('sign in, join and see the card at 390x844', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${BASE}/m/demo/?channel=poster:3`);
  await page.fill('#phone', phone());
  await page.click('#send-code');
  await page.waitForSelector('#dev-code:not([hidden])');
  const code = (await page.textContent('#dev-code')).match(/\d{6}/)[0];
  await page.fill('#code', code);
  await Promise.all([page.waitForURL(/\/join/), page.click('#signin')]);
  assert.match(page.url(), /channel=poster%3A3|channel=poster:3/);

  await page.fill('#name', '王小明');
  await page.selectOption('#gender', 'male');
  await Promise.all([page.waitForURL(`${BASE}/m/demo/`), page.click('#join')]);

  await page.waitForSelector('.member-card');
  assert.match(await page.textContent('#card-no'), /^8\d{15}$/);
  assert.equal(await page.textContent('#tier-name'), '普通会员');
  assert.match(await page.textContent('#next-tier'), /1000/);
  assert.match(await page.textContent('.member-card__holder'), /王小明/);
  assert.equal(await page.textContent('#balance'), '¥0.00');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scroll (${width})`);
  assert.deepEqual(errors, []);

  // the card's API is the one a mini-program calls, with the cookie session
  const api = await page.evaluate(async () => (await fetch('/api/v1/m/demo/me/card')).json());
  assert.equal(api.data.tier.level, 1);

  await page.click('#logout');
  await page.waitForSelector('#signin-form');
  await ctx.close();
});
