// Stored value at the counter and in the settings: recharges and payments
// with a scan's ticket (one payment per ticket), refunds (partial, whole,
// never more than paid, to the accounts the money came from), the
// deduction rules and caps through MariaDB, settings validation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, parallel } from './lib.mjs';
import {
  newMember, fund, idemKey, accounts, assertLedger, staff, scan, storeIds,
} from './wallet_helpers.mjs';

const DEFAULT_RULES = {
  split: 'principal_first', freeze_same_day_bonus: false, cap: { kind: 'none' },
};

async function setRules(owner, rules) {
  const r = await owner.call('PUT', '/staff/settings/deduction', rules);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

async function counterPay(st, ticket, orderFen, key = idemKey()) {
  return st.call('POST', '/staff/payments', { ticket, order_fen: orderFen }, { 'idempotency-key': key });
}

test('counter: recharge a package with the ticket, credited at once and audited', async () => {
  const [store] = await storeIds();
  const cashier = await staff('demo', 'cashier');
  const mem = await newMember();
  const s = await scan(cashier, mem, store);
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  const p500 = pkgs.find((p) => p.pay_fen === 50000);
  const r = await cashier.call('POST', '/staff/recharges', { ticket: s.ticket, package_id: p500.id, method: 'card' },
    { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.recharge.status, 'paid');
  assert.equal(r.json.data.recharge.provider, 'card');
  assert.deepEqual(r.json.data.balance, { principal_fen: 50000, bonus_fen: 8000, total_fen: 58000 });
  const [[action, detail]] = await sql(
    `SELECT action, detail FROM audit_log WHERE target = 'recharge:${r.json.data.recharge.id}'`);
  assert.equal(action, 'wallet.recharge');
  assert.match(detail, /"pay_fen":50000/);
  // the same ticket may also recharge a custom amount
  const r2 = await cashier.call('POST', '/staff/recharges', { ticket: s.ticket, pay_fen: 2000 },
    { 'idempotency-key': idemKey() });
  assert.equal(r2.status, 201, r2.text);
  assert.equal(r2.json.data.recharge.provider, 'cash');
  assert.equal((await accounts(mem.id)).principal, 52000);
  // bad tickets and bodies write nothing
  for (const [body, code, field] of [
    [{ ticket: 'x'.repeat(32), pay_fen: 2000 }, 'invalid_ticket', 'ticket'],
    [{ ticket: s.ticket }, 'invalid_field', 'package_id'],
    [{ ticket: s.ticket, pay_fen: 2000, method: 'cheque' }, 'invalid_field', 'method'],
    [{ pay_fen: 2000 }, 'invalid_field', 'ticket'],
  ]) {
    const x = await cashier.call('POST', '/staff/recharges', body, { 'idempotency-key': idemKey() });
    assert.equal(x.status, 400, x.text);
    assert.equal(x.json.error.code, code);
    assert.equal(x.json.error.field, field);
  }
  assert.equal((await accounts(mem.id)).principal, 52000);
  // a member token is not a staff token; the cookie needs the CSRF header
  const y = await api('POST', m('/staff/recharges'), { token: mem.token, body: { ticket: s.ticket, pay_fen: 2000 } });
  assert.equal(y.status, 403);
  const z = await api('POST', m('/staff/recharges'), {
    headers: { cookie: `sid=${cashier.token}` }, body: { ticket: s.ticket, pay_fen: 2000 },
  });
  assert.equal(z.status, 403);
  await assertLedger(mem.id);
});

test('counter: a ticket pays once, even when two payments race', async () => {
  const [store] = await storeIds();
  const cashier = await staff('demo', 'cashier');
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const s = await scan(cashier, mem, store);
  const rs = await parallel(5, () => counterPay(cashier, s.ticket, 1000));
  const ok = rs.filter((r) => r.status === 201);
  assert.equal(ok.length, 1, rs.map((r) => r.text).join('\n'));
  for (const r of rs.filter((x) => x.status !== 201)) {
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'ticket_used');
  }
  const p = ok[0].json.data.payment;
  assert.equal(p.paid_fen, 1000);
  assert.equal(p.store_id, store);
  assert.deepEqual(p.balance_after, { principal_fen: 9000, bonus_fen: 0, total_fen: 9000 });
  const again = await counterPay(cashier, s.ticket, 500);
  assert.equal(again.status, 409);
  assert.equal(again.json.error.code, 'ticket_used');
  const [[n, tid]] = await sql(`SELECT COUNT(*), MAX(ticket_id) IS NOT NULL FROM payments WHERE member_id = ${mem.id}`);
  assert.equal(n, '1');
  assert.equal(tid, '1');
  const [[action]] = await sql(`SELECT action FROM audit_log WHERE target = 'payment:${p.id}'`);
  assert.equal(action, 'wallet.payment');
  // another cashier cannot use this cashier's ticket
  const owner = await staff('demo', 'owner');
  const s2 = await scan(cashier, mem, store);
  const x = await counterPay(owner, s2.ticket, 500);
  assert.equal(x.status, 400);
  assert.equal(x.json.error.code, 'invalid_ticket');
  // nothing usable
  const poor = await newMember();
  const s3 = await scan(cashier, poor, store);
  const y = await counterPay(cashier, s3.ticket, 500);
  assert.equal(y.status, 409);
  assert.equal(y.json.error.code, 'insufficient_balance');
  // the ticket was not used up by the refused payment
  await fund(poor, { pay_fen: 1000 });
  const z = await counterPay(cashier, s3.ticket, 500);
  assert.equal(z.status, 201, z.text);
  await assertLedger(mem.id);
  await assertLedger(poor.id);
});

test('refunds: partial in proportion, several times, never more than paid', async () => {
  const [store, store2] = await storeIds();
  const cashier = await staff('demo', 'cashier');
  const owner = await staff('demo', 'owner');
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  await fund(mem, { package_id: pkgs.find((p) => p.pay_fen === 10000).id }); // 100 + 20
  const s = await scan(cashier, mem, store);
  const pay = await counterPay(cashier, s.ticket, 11000); // 100 principal + 10 bonus
  assert.equal(pay.status, 201, pay.text);
  const p = pay.json.data.payment;
  assert.equal(p.principal_fen, 10000);
  assert.equal(p.bonus_fen, 1000);
  assert.equal(p.growth_added, 110);
  assert.equal(p.points_added, 110);

  const refund = (body) => cashier.call('POST', `/staff/payments/${p.id}/refund`, body, { 'idempotency-key': idemKey() });
  // 33.33 yuan of 110: principal 10000*3333/11000 = 3030, bonus 303
  let r = await refund({ amount_fen: 3333 });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.refund.principal_fen + r.json.data.refund.bonus_fen, 3333);
  assert.equal(r.json.data.refund.principal_fen, 3030);
  assert.equal(r.json.data.refund.bonus_fen, 303);
  assert.equal(r.json.data.payment.refundable_fen, 11000 - 3333);
  assert.equal(r.json.data.refund.growth_reversed, 110 - Math.floor(110 * 7667 / 11000));
  r = await refund({ amount_fen: 8000 });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'refund_exceeds_paid');
  r = await refund({ amount_fen: 0 });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'amount_fen');
  // the rest, with an empty body
  r = await cashier.call('POST', `/staff/payments/${p.id}/refund`, undefined, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.refund.amount_fen, 11000 - 3333);
  r = await refund({ amount_fen: 1 });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, 'already_refunded');
  const [[rp, rb]] = await sql(`SELECT refunded_principal_fen, refunded_bonus_fen FROM payments WHERE id = ${p.id}`);
  assert.equal(rp, '10000');
  assert.equal(rb, '1000');
  const a = await accounts(mem.id);
  assert.equal(a.principal, 10000);
  assert.equal(a.bonus, 2000);
  assert.equal(a.growth, 0);
  assert.equal(a.points, 0);
  await assertLedger(mem.id);

  // concurrent refunds of one payment never pass what was paid
  const s2 = await scan(owner, mem, store2);
  const pay2 = await counterPay(owner, s2.ticket, 6000);
  assert.equal(pay2.status, 201, pay2.text);
  const id2 = pay2.json.data.payment.id;
  const rs = await parallel(10, () => owner.call('POST', `/staff/payments/${id2}/refund`, { amount_fen: 1000 },
    { 'idempotency-key': idemKey() }));
  assert.equal(rs.filter((x) => x.status === 201).length, 6);
  const [[sum]] = await sql(`SELECT SUM(amount_fen) FROM refunds WHERE payment_id = ${id2}`);
  assert.equal(sum, '6000');
  // the demo cashier works at the first store only
  const x = await cashier.call('POST', `/staff/payments/${id2}/refund`, { amount_fen: 1 }, { 'idempotency-key': idemKey() });
  assert.equal(x.status, 403);
  const list = await cashier.call('GET', `/staff/payments?member_id=${mem.id}`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.data.map((y) => y.id), [p.id]);
  const one = await owner.call('GET', `/staff/payments/${id2}`);
  assert.equal(one.json.data.payment.refundable_fen, 0);
  await assertLedger(mem.id);
});

test('deduction rules through the database: split, caps, frozen bonus', async (t) => {
  const [store] = await storeIds('demo2');
  const owner = await staff('demo2', 'owner');
  t.after(() => setRules(owner, DEFAULT_RULES));
  const pay = (mem, order) => api('POST', m('/me/payments', 'demo2'), {
    token: mem.token, body: { order_fen: order, store_id: store }, headers: { 'idempotency-key': idemKey() },
  });
  const cases = [
    // rules, recharge (pay, bonus via package), order, expected [principal, bonus, due]
    [{ split: 'bonus_first', freeze_same_day_bonus: false, cap: { kind: 'none' } }, 5000, [3000, 2000, 0]],
    [{ split: 'proportional', bonus_pct: 10, freeze_same_day_bonus: false, cap: { kind: 'none' } }, 5000, [4500, 500, 0]],
    [{ split: 'principal_first', freeze_same_day_bonus: true, cap: { kind: 'none' } }, 11000, [10000, 0, 1000]],
    [{ split: 'principal_first', freeze_same_day_bonus: false, cap: { kind: 'each_amount', amount_fen: 3000 } }, 5000, [3000, 0, 2000]],
    [{ split: 'principal_first', freeze_same_day_bonus: false, cap: { kind: 'each_pct', pct: 10 } }, 5000, [1200, 0, 3800]],
    [{ split: 'principal_first', freeze_same_day_bonus: false, cap: { kind: 'first_amount', amount_fen: 100 } }, 5000, [100, 0, 4900]],
    [{ split: 'principal_first', freeze_same_day_bonus: false,
      cap: { kind: 'order_ranges', ranges: [{ from_fen: 0, to_fen: 4999, cap_fen: 0 }, { from_fen: 5000, to_fen: 9999, cap_fen: 2500 }] } },
    5000, [2500, 0, 2500]],
  ];
  const pkgs = (await api('GET', m('/recharge-packages', 'demo2'))).json.data;
  const p100 = pkgs.find((p) => p.pay_fen === 10000);
  for (const [rules, order, [ep, eb, due]] of cases) {
    const saved = await setRules(owner, rules);
    assert.equal(saved.cap.kind, rules.cap.kind);
    const mem = await newMember('demo2');
    await fund(mem, { package_id: p100.id }, 'demo2');
    const r = await pay(mem, order);
    assert.equal(r.status, 201, `${JSON.stringify(rules)}: ${r.text}`);
    const x = r.json.data.payment;
    assert.deepEqual([x.principal_fen, x.bonus_fen, x.remaining_due_fen], [ep, eb, due], JSON.stringify(rules));
    await assertLedger(mem.id);
  }
  // first_amount caps only the first payment
  await setRules(owner, { split: 'principal_first', freeze_same_day_bonus: false, cap: { kind: 'first_amount', amount_fen: 100 } });
  const mem = await newMember('demo2');
  await fund(mem, { pay_fen: 5000 }, 'demo2');
  assert.equal((await pay(mem, 1000)).json.data.payment.paid_fen, 100);
  assert.equal((await pay(mem, 1000)).json.data.payment.paid_fen, 1000);
  // an order in no range is not capped; a range with cap 0 leaves nothing usable
  await setRules(owner, { split: 'principal_first', freeze_same_day_bonus: false,
    cap: { kind: 'order_ranges', ranges: [{ from_fen: 0, to_fen: 999, cap_fen: 0 }] } });
  const r0 = await pay(mem, 500);
  assert.equal(r0.status, 409);
  assert.equal(r0.json.error.code, 'insufficient_balance');
  assert.equal((await pay(mem, 1500)).json.data.payment.paid_fen, 1500);
  await assertLedger(mem.id);
});

test('settings: deduction rules are validated and name the field', async (t) => {
  const owner = await staff('demo2', 'owner');
  t.after(() => setRules(owner, DEFAULT_RULES));
  const before = (await owner.call('GET', '/staff/settings/deduction')).json.data;
  const bad = [
    [{ ...DEFAULT_RULES, split: 'random' }, 'split'],
    [{ ...DEFAULT_RULES, split: 'proportional' }, 'bonus_pct'],
    [{ ...DEFAULT_RULES, split: 'proportional', bonus_pct: 100 }, 'bonus_pct'],
    [{ split: 'principal_first', cap: { kind: 'none' } }, 'freeze_same_day_bonus'],
    [{ ...DEFAULT_RULES, cap: { kind: 'each_amount' } }, 'cap.amount_fen'],
    [{ ...DEFAULT_RULES, cap: { kind: 'first_pct', pct: 0 } }, 'cap.pct'],
    [{ ...DEFAULT_RULES, cap: { kind: 'sometimes' } }, 'cap.kind'],
    [{ ...DEFAULT_RULES, cap: 'none' }, 'cap'],
    [{ ...DEFAULT_RULES, cap: { kind: 'order_ranges' } }, 'cap.ranges'],
    [{ ...DEFAULT_RULES, cap: { kind: 'order_ranges', ranges: [{ from_fen: 100, to_fen: 50, cap_fen: 1 }] } }, 'cap.ranges[0].to_fen'],
    [{ ...DEFAULT_RULES, cap: { kind: 'order_ranges', ranges: [{ from_fen: 0, to_fen: 100, cap_fen: 1 }, { from_fen: 100, to_fen: 200, cap_fen: 1 }] } }, 'cap.ranges[1].from_fen'],
    [{ ...DEFAULT_RULES, cap: { kind: 'order_ranges', ranges: [{ from_fen: 0, to_fen: 100 }] } }, 'cap.ranges[0].cap_fen'],
  ];
  for (const [body, field] of bad) {
    const r = await owner.call('PUT', '/staff/settings/deduction', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  assert.deepEqual((await owner.call('GET', '/staff/settings/deduction')).json.data, before);
  const ok = await setRules(owner, { split: 'proportional', bonus_pct: 30, freeze_same_day_bonus: true,
    cap: { kind: 'each_pct', pct: 50, amount_fen: 7 } });
  assert.deepEqual(ok, { split: 'proportional', bonus_pct: 30, freeze_same_day_bonus: true,
    cap: { kind: 'each_pct', amount_fen: null, pct: 50, ranges: [] } });
  assert.deepEqual((await owner.call('GET', '/staff/settings/deduction')).json.data, ok);
  // roles: a cashier may not, marketing may
  const cashier = await staff('demo2', 'cashier');
  assert.equal((await cashier.call('PUT', '/staff/settings/deduction', DEFAULT_RULES)).status, 403);
  const mk = await staff('demo2', 'marketing');
  assert.equal((await mk.call('PUT', '/staff/settings/deduction', DEFAULT_RULES)).status, 200);
});

test('settings: recharge packages are validated, kept by id, retired when left out', async (t) => {
  const owner = await staff('demo2', 'owner');
  const before = (await owner.call('GET', '/staff/settings/recharge-packages')).json.data;
  t.after(async () => {
    const r = await owner.call('PUT', '/staff/settings/recharge-packages', before);
    assert.equal(r.status, 200, r.text);
  });
  assert.equal(before.packages.length, 3);
  assert.deepEqual(before.custom, { enabled: true, min_fen: 1000, max_fen: 500000 });
  const keep = before.packages[0];
  const bad = [
    [{ packages: [{ pay_fen: 0, bonus_fen: 0 }], custom: before.custom }, 'packages[0].pay_fen'],
    [{ packages: [keep, { pay_fen: 100, bonus_fen: -1 }], custom: before.custom }, 'packages[1].bonus_fen'],
    [{ packages: [keep, { pay_fen: 100 }], custom: before.custom }, 'packages[1].bonus_fen'],
    [{ packages: [{ ...keep, label: '' }], custom: before.custom }, 'packages[0].label'],
    [{ packages: [{ ...keep, recommended: 'yes' }], custom: before.custom }, 'packages[0].recommended'],
    [{ packages: [keep, keep], custom: before.custom }, 'packages[1].id'],
    [{ packages: [{ ...keep, id: 999999999 }], custom: before.custom }, 'packages[0].id'],
    [{ packages: {}, custom: before.custom }, 'packages'],
    [{ packages: [keep] }, 'custom'],
    [{ packages: [keep], custom: { enabled: true, min_fen: 5000, max_fen: 1000 } }, 'custom.max_fen'],
    [{ packages: [keep], custom: { min_fen: 5000, max_fen: 10000 } }, 'custom.enabled'],
  ];
  for (const [body, field] of bad) {
    const r = await owner.call('PUT', '/staff/settings/recharge-packages', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  assert.deepEqual((await owner.call('GET', '/staff/settings/recharge-packages')).json.data, before);
  const r = await owner.call('PUT', '/staff/settings/recharge-packages', {
    packages: [{ pay_fen: 20000, bonus_fen: 5000, recommended: true }, { ...keep, bonus_fen: 2500 }],
    custom: { enabled: false, min_fen: 1000, max_fen: 500000 },
  });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.equal(d.packages.length, 2);
  assert.equal(d.packages[0].label, '充200送50');
  assert.equal(d.packages[1].id, keep.id);
  assert.equal(d.packages[1].bonus_fen, 2500);
  assert.equal(d.custom.enabled, false);
  const pub = (await api('GET', m('/recharge-packages', 'demo2'))).json.data;
  assert.deepEqual(pub.map((p) => p.pay_fen), [20000, 10000]);
  // a retired package cannot be bought; custom amounts are off
  const mem = await newMember('demo2');
  const gone = before.packages[2].id;
  for (const [body, field] of [[{ package_id: gone }, 'package_id'], [{ pay_fen: 5000 }, 'pay_fen']]) {
    const x = await api('POST', m('/me/recharges', 'demo2'), { token: mem.token, body, headers: { 'idempotency-key': idemKey() } });
    assert.equal(x.status, 400);
    assert.equal(x.json.error.field, field);
  }
  const [[audit]] = await sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'settings.recharge_packages'`);
  assert.ok(Number(audit) >= 1);
});
