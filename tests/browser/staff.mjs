// Staff page helpers for the browser tests: sign in on a staff page, and
// the counter with a member scanned.
import assert from 'node:assert/strict';

const BASE = process.env.BASE_URL;

/* Sign in as one of the demo staff (password demo1234) on the page at path. */
export async function staffSignIn(page, username, path = '/m/demo/staff/') {
  await page.goto(BASE + path);
  await page.waitForSelector('#staff-login:not([hidden])');
  await page.fill('#staff-username', username);
  await page.fill('#staff-password', 'demo1234');
  await page.click('#staff-login-submit');
  await page.waitForSelector('#staff-who:not([hidden])');
}

/* A new member of demo signed in within ctx (its cookie): the member. */
export async function newMember(ctx, name) {
  const phone = '135' + String((Date.now() * 13 + process.pid + Math.floor(Math.random() * 1e6)) % 1e8).padStart(8, '0');
  const post = (path, data) => ctx.request.post(`${BASE}/api/v1/m/demo${path}`, { data });
  const sent = await (await post('/auth/sms-code', { phone })).json();
  assert.equal((await post('/auth/login', { phone, code: sent.data.dev_code })).status(), 200);
  const joined = await post('/members', { name });
  assert.equal(joined.status(), 201);
  return (await joined.json()).data.member;
}

/*
 * A page of a new context at the viewport: the counter, signed in as the
 * cashier, with a new member's code scanned (the member panels shown).
 * Resolves to {ctx, page, member}; close ctx when done.
 */
export async function scannedCounter(browser, viewport) {
  const phone = await browser.newContext();
  const member = await newMember(phone, '陈静怡');
  const code = (await (await phone.request.get(`${BASE}/api/v1/m/demo/me/member-code`)).json()).data.code;
  await phone.close();
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  await staffSignIn(page, 'cashier');
  await page.waitForFunction(() => document.querySelectorAll('#store-select option').length > 0);
  await page.fill('#member-code-input', code);
  await page.click('#scan-submit');
  await page.waitForSelector('#scan-result:not([hidden])');
  await page.waitForSelector('#counter-wallet:not([hidden])');
  await page.waitForSelector('#counter-coupons:not([hidden])');
  await page.waitForLoadState('networkidle');
  return { ctx, page, member };
}
