// Staff page helpers for the browser tests: sign in on a staff page, and
// the counter with a member scanned.
import assert from 'node:assert/strict';
import { api, m, signIn, join, uniquePhone } from '../http/lib.mjs';
import { staff, scan, storeIds, idemKey } from '../http/wallet_helpers.mjs';

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
 * cashier, with a new member's code scanned (the member shown above the
 * tabs, the 收银 tab on the member; a member of counterMember() when
 * given). Resolves to {ctx, page, member};
 * close ctx when done. counterTab(page, name) opens 收银 ('checkout'),
 * 核销券 ('coupons') or 储值充值 ('wallet').
 */
export async function scannedCounter(browser, viewport, given = null) {
  let member = given, code;
  if (given) {
    code = await memberCode(given);
  } else {
    const phone = await browser.newContext();
    member = await newMember(phone, '陈静怡');
    code = (await (await phone.request.get(`${BASE}/api/v1/m/demo/me/member-code`)).json()).data.code;
    await phone.close();
  }
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  await staffSignIn(page, 'cashier');
  await page.waitForFunction(() => document.querySelectorAll('#store-select option').length > 0);
  await page.fill('#member-code-input', code);
  await page.click('#scan-submit');
  await page.waitForSelector('#scan-result:not([hidden])');
  await page.waitForSelector('#panel-checkout:not([hidden]) #co-walkin:not([hidden])');
  await page.waitForLoadState('networkidle');
  return { ctx, page, member };
}

export async function counterTab(page, name) {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#panel-${name}:not([hidden])`);
  if (name === 'coupons') await page.waitForSelector('#counter-coupons:not([hidden])');
  if (name === 'wallet') await page.waitForSelector('#counter-wallet:not([hidden])');
  await page.waitForLoadState('networkidle');
}

/*
 * A member of demo for the counter, made through the API: name, a balance
 * recharged at the counter (staff/recharges, cash), points earned by a
 * first order paid in cash (pointsFromFen of goods: a point a yuan), and
 * a coupon claimed of each template body given (made by marketing).
 * Resolves to {token, id, phone, name, codes, store}.
 */
export async function counterMember({ name = '林晓雨', balanceFen = 0, pointsFromFen = 0, templates = [] } = {}) {
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const { member } = await join('demo', token, { name });
  const cashier = await staff('demo', 'cashier');
  const [store] = await storeIds();
  const mem = { token, id: member.id, phone, name, codes: [], store };
  if (balanceFen) {
    const s = await scan(cashier, mem, store);
    const r = await cashier.call('POST', '/staff/recharges', { ticket: s.ticket, pay_fen: balanceFen, method: 'cash' },
      { 'idempotency-key': idemKey() });
    assert.equal(r.status, 201, r.text);
  }
  if (pointsFromFen) {
    const s = await scan(cashier, mem, store);
    const body = { store_id: store, ticket: s.ticket, lines: [{ name: '上次消费', price_fen: pointsFromFen, qty: 1 }],
      coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }] };
    const q = await cashier.call('POST', '/staff/orders/quote', body);
    assert.equal(q.status, 200, q.text);
    const c = await cashier.call('POST', '/staff/orders', { ...body, quote_hash: q.json.data.quote_hash },
      { 'idempotency-key': idemKey() });
    assert.equal(c.status, 201, c.text);
  }
  if (templates.length) {
    const mkt = await staff('demo', 'marketing');
    for (const t of templates) {
      const tpl = await mkt.call('POST', '/staff/coupon-templates',
        { stock: null, per_member_limit: 5, valid_days: 7, status: 'active', ...t });
      assert.equal(tpl.status, 201, tpl.text);
      const c = await api('POST', m('/coupons'), { token, body: { template_id: tpl.json.data.id } });
      assert.equal(c.status, 201, c.text);
      mem.codes.push(c.json.data.coupon.code);
    }
  }
  return mem;
}

/* A fresh member code of the member (its token). */
export async function memberCode(mem) {
  const r = await api('GET', m('/me/member-code'), { token: mem.token });
  assert.equal(r.status, 200, r.text);
  return r.json.data.code;
}
