// The audit log in the settings console reads as sentences: a cashier's
// scan, recharge, payment and refund show as 扫描会员码 · 会员 #…,
// 一笔门店充值 · 充值单 #… · 充 ¥20.00（现金）, 一笔储值支付 · 支付单 #… ·
// 扣款 ¥12.00 and 一笔储值退款 · …, never as their codes; every action the
// server writes (each audit_log() call in handlers/) has its words, and an
// action the page does not know shows as its code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join as pathJoin } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { newMember, staff, scan, storeIds, idemKey } from '../http/wallet_helpers.mjs';

const HANDLERS = fileURLToPath(new URL('../../handlers/', import.meta.url));
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/* The actions the handlers write: audit_log(r, "<action>", ...). */
function serverActions() {
  const found = new Set();
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = pathJoin(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.c')) {
        for (const mt of readFileSync(p, 'utf8').matchAll(/audit_log\(\s*r\s*,\s*"([^"]+)"/g)) found.add(mt[1]);
      }
    }
  };
  walk(HANDLERS);
  return [...found].sort();
}

test('the audit log shows readable actions and targets, one table for every action written', async () => {
  const [store] = await storeIds();
  const cashier = await staff('demo', 'cashier');
  const mem = await newMember();
  const s = await scan(cashier, mem, store);
  const rc = await cashier.call('POST', '/staff/recharges', { ticket: s.ticket, pay_fen: 2000, method: 'cash' },
    { 'idempotency-key': idemKey() });
  assert.equal(rc.status, 201, rc.text);
  const pay = await cashier.call('POST', '/staff/payments', { ticket: s.ticket, order_fen: 1200 },
    { 'idempotency-key': idemKey() });
  assert.equal(pay.status, 201, pay.text);
  const p = pay.json.data.payment;
  const rf = await cashier.call('POST', `/staff/payments/${p.id}/refund`, { amount_fen: 500 },
    { 'idempotency-key': idemKey() });
  assert.equal(rf.status, 201, rf.text);

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo/staff/settings');
  await page.waitForSelector('#audit-list .audit-row');
  const rows = await page.$$eval('#audit-list .audit-row__action', (ns) => ns.map((n) => n.textContent));
  for (const want of [
    `扫描会员码 · 会员 #${mem.id}`,
    `一笔门店充值 · 充值单 #${rc.json.data.recharge.id} · 充 ¥20.00（现金）`,
    `一笔储值支付 · 支付单 #${p.id} · 扣款 ¥12.00`,
    `一笔储值退款 · 支付单 #${p.id} · 退回 ¥5.00`,
  ]) assert.ok(rows.includes(want), `"${want}" in:\n${rows.join('\n')}`);
  for (const r of rows) {
    assert.doesNotMatch(r, /\b[a-z_]+\.[a-z_]+\b/, `no action code: ${r}`);
    assert.doesNotMatch(r, /\b[a-z_]+:\S/, `no target code: ${r}`);
  }
  const metas = await page.$$eval('#audit-list .audit-row__meta', (ns) => ns.map((n) => n.textContent));
  assert.ok(metas.some((x) => x.includes('人民广场店')), 'the store by name');

  // every action the server writes has its words; an unknown one shows its code
  const actions = serverActions();
  assert.ok(actions.length >= 20, actions.join(' '));
  const texts = await page.evaluate((list) => list.map((action) => ({
    action, known: Object.prototype.hasOwnProperty.call(window.StaffAudit.actions, action),
    text: window.StaffAudit.text({ action, target: null, detail: null, staff_id: null }),
  })), actions);
  for (const t of texts) {
    assert.ok(t.known, `${t.action} in the page's table`);
    assert.notEqual(t.text, t.action, `${t.action} in words`);
    assert.match(t.text, /[\u4e00-\u9fff]/, `${t.action}: ${t.text}`);
  }
  assert.equal(await page.evaluate(() => window.StaffAudit.text({ action: 'loyalty.new_thing', target: 'thing:3', staff_id: null })),
    'loyalty.new_thing · thing:3');
  assert.deepEqual(errors, []);
  await ctx.close();
});
