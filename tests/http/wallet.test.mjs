// Stored value, member side: packages, smart top-up, online recharge and
// the sandbox notify (signature, amount, exactly once), balance payments in
// the app under concurrency, idempotency, the wallet ledger.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, parallel } from './lib.mjs';
import {
  newMember, notify, notifyBody, sandboxSign, idemKey, startRecharge, fund,
  accounts, assertLedger, storeIds,
} from './wallet_helpers.mjs';

test('recharge packages: the demo packages, public, in order', async () => {
  const r = await api('GET', m('/recharge-packages'));
  assert.equal(r.status, 200);
  const byPay = Object.fromEntries(r.json.data.map((p) => [p.pay_fen, p]));
  assert.equal(byPay[10000].bonus_fen, 2000);
  assert.equal(byPay[10000].label, '充100送20');
  assert.equal(byPay[10000].recommended, true);
  assert.equal(byPay[50000].bonus_fen, 8000);
  assert.equal(byPay[100000].bonus_fen, 20000);
  for (const p of r.json.data) assert.ok(Number.isInteger(p.id));
});

test('online recharge: pending until the signed notify, credited once', async () => {
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  const p100 = pkgs.find((p) => p.pay_fen === 10000);
  const rc = await startRecharge(mem, { package_id: p100.id });
  assert.equal(rc.status, 'pending');
  assert.equal(rc.pay_fen, 10000);
  assert.equal(rc.bonus_fen, 2000);
  assert.equal(rc.payment.provider, 'sandbox');
  assert.equal(rc.payment.amount_fen, 10000);
  assert.match(rc.payment.notify_url, /\/api\/v1\/payments\/notify\/sandbox$/);
  assert.deepEqual(rc.payment.sign_fields, ['amount_fen', 'out_trade_no', 'status']);
  assert.deepEqual(await accounts(mem.id), { principal: 0, bonus: 0, growth: 0, points: 0 });

  // wrong signature, wrong amount, unknown order: nothing credited
  let r = await notify(notifyBody(rc.payment, { sign: sandboxSign(rc.payment.out_trade_no, 10001) }));
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'invalid_signature');
  r = await notify(notifyBody(rc.payment, { sign: 'zz' + '0'.repeat(62) }));
  assert.equal(r.json.error.code, 'invalid_signature');
  r = await notify(notifyBody(rc.payment, { amount_fen: 9999 }));
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, 'amount_mismatch');
  r = await notify(notifyBody({ out_trade_no: 'Rnosuchorder', amount_fen: 10000 }));
  assert.equal(r.status, 404);
  // a failed payment is acknowledged and credits nothing
  r = await notify(notifyBody(rc.payment, { status: 'FAIL' }));
  assert.equal(r.status, 200);
  assert.deepEqual(await accounts(mem.id), { principal: 0, bonus: 0, growth: 0, points: 0 });
  const [[st0]] = await sql(`SELECT status FROM recharges WHERE id = ${rc.id}`);
  assert.equal(st0, 'pending');

  // the same notify twenty times at once: credited exactly once, all 200
  const body = notifyBody(rc.payment);
  const rs = await parallel(20, () => notify(body));
  for (const x of rs) {
    assert.equal(x.status, 200, x.text);
    assert.deepEqual(x.json, { data: { status: 'ok' } });
  }
  const a = await accounts(mem.id);
  assert.equal(a.principal, 10000);
  assert.equal(a.bonus, 2000);
  const [[n]] = await sql(`SELECT COUNT(*) FROM wallet_entries WHERE member_id = ${mem.id} AND kind = 'recharge'`);
  assert.equal(n, '1');
  const [[st1, paidAt]] = await sql(`SELECT status, paid_at IS NOT NULL FROM recharges WHERE id = ${rc.id}`);
  assert.equal(st1, 'paid');
  assert.equal(paidAt, '1');
  const g = await api('GET', m(`/me/recharges/${rc.id}`), { token: mem.token });
  assert.equal(g.json.data.recharge.status, 'paid');
  await assertLedger(mem.id);
});

test('notify: unknown provider is 404, nothing is read', async () => {
  const r = await api('POST', '/api/v1/payments/notify/nosuch', { body: { a: 1 } });
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, 'not_found');
});

test('online recharge: custom amount within the limits, validation writes nothing', async () => {
  const mem = await newMember();
  const bad = [
    [{}, 'package_id'],
    [{ pay_fen: 999 }, 'pay_fen'],
    [{ pay_fen: 500001 }, 'pay_fen'],
    [{ pay_fen: '100' }, 'pay_fen'],
    [{ package_id: 999999999 }, 'package_id'],
    [{ package_id: 1, pay_fen: 10000 }, 'pay_fen'],
    [{ pay_fen: 10000, provider: 'nosuch' }, 'provider'],
  ];
  for (const [body, field] of bad) {
    const r = await api('POST', m('/me/recharges'), { token: mem.token, body, headers: { 'idempotency-key': idemKey() } });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field, JSON.stringify(body));
  }
  const [[n]] = await sql(`SELECT COUNT(*) FROM recharges WHERE member_id = ${mem.id}`);
  assert.equal(n, '0');
  const rc = await startRecharge(mem, { pay_fen: 12345 });
  assert.equal(rc.bonus_fen, 0);
  assert.equal(rc.package_id, null);
  const sp = await api('POST', m(`/me/recharges/${rc.id}/sandbox-pay`), { token: mem.token });
  assert.equal(sp.status, 200, sp.text);
  assert.equal(sp.json.data.recharge.status, 'paid');
  assert.deepEqual(sp.json.data.balance, { principal_fen: 12345, bonus_fen: 0, total_fen: 12345 });
  assert.equal(sp.json.data.notify.sign, sandboxSign(rc.payment.out_trade_no, 12345));
  // paying it again changes nothing
  const again = await api('POST', m(`/me/recharges/${rc.id}/sandbox-pay`), { token: mem.token });
  assert.equal(again.status, 200);
  assert.equal((await accounts(mem.id)).principal, 12345);
  // another member cannot see or pay it
  const other = await newMember();
  assert.equal((await api('GET', m(`/me/recharges/${rc.id}`), { token: other.token })).status, 404);
  assert.equal((await api('POST', m(`/me/recharges/${rc.id}/sandbox-pay`), { token: other.token })).status, 404);
  await assertLedger(mem.id);
});

test('me/payments: 50 concurrent 10-yuan payments on a 100-yuan balance, exactly 10 succeed', async () => {
  const [store] = await storeIds();
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const rs = await parallel(50, () => api('POST', m('/me/payments'), {
    token: mem.token, body: { order_fen: 1000, store_id: store }, headers: { 'idempotency-key': idemKey() },
  }));
  const ok = rs.filter((r) => r.status === 201);
  const insufficient = rs.filter((r) => r.status === 409 && r.json.error.code === 'insufficient_balance');
  assert.equal(ok.length, 10, rs.map((r) => r.status).join(','));
  assert.equal(insufficient.length, 40);
  for (const r of ok) {
    const p = r.json.data.payment;
    assert.equal(p.paid_fen, 1000);
    assert.equal(p.principal_fen, 1000);
    assert.equal(p.remaining_due_fen, 0);
  }
  const a = await accounts(mem.id);
  assert.equal(a.principal, 0);
  assert.equal(a.bonus, 0);
  assert.equal(a.growth, 100);
  const [[n, sum]] = await sql(`SELECT COUNT(*), SUM(principal_fen + bonus_fen) FROM payments WHERE member_id = ${mem.id}`);
  assert.equal(n, '10');
  assert.equal(sum, '10000');
  await assertLedger(mem.id);
});

test('me/payments: the same Idempotency-Key 50 times at once moves money once; another body is 409', async () => {
  const [store] = await storeIds();
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const key = idemKey();
  const body = { order_fen: 3000, store_id: store };
  const rs = await parallel(50, () => api('POST', m('/me/payments'), {
    token: mem.token, body, headers: { 'idempotency-key': key },
  }));
  const ids = new Set();
  for (const r of rs) {
    assert.equal(r.status, 201, r.text);
    ids.add(r.json.data.payment.id);
  }
  assert.equal(ids.size, 1);
  assert.equal((await accounts(mem.id)).principal, 7000);
  const other = await api('POST', m('/me/payments'), {
    token: mem.token, body: { order_fen: 3001, store_id: store }, headers: { 'idempotency-key': key },
  });
  assert.equal(other.status, 409);
  assert.equal(other.json.error.code, 'idempotency_key_reused');
  assert.equal((await accounts(mem.id)).principal, 7000);
  const [[n]] = await sql(`SELECT COUNT(*) FROM payments WHERE member_id = ${mem.id}`);
  assert.equal(n, '1');
  await assertLedger(mem.id);
});

test('me/payments: part of an order, growth and points, validation, nothing usable', async () => {
  const [store] = await storeIds();
  const mem = await newMember();
  const pkgs = (await api('GET', m('/recharge-packages'))).json.data;
  await fund(mem, { package_id: pkgs.find((p) => p.pay_fen === 10000).id });
  // principal first (demo rules): 100 principal then 20 bonus of a 150 order
  const r = await api('POST', m('/me/payments'), {
    token: mem.token, body: { order_fen: 15000, store_id: store }, headers: { 'idempotency-key': idemKey() },
  });
  assert.equal(r.status, 201, r.text);
  const p = r.json.data.payment;
  assert.equal(p.order_fen, 15000);
  assert.equal(p.paid_fen, 12000);
  assert.equal(p.principal_fen, 10000);
  assert.equal(p.bonus_fen, 2000);
  assert.equal(p.remaining_due_fen, 3000);
  assert.deepEqual(p.balance_after, { principal_fen: 0, bonus_fen: 0, total_fen: 0 });
  // a payment is a one-line order: it earns on all 150 yuan, the 120 from
  // the balance and the 30 taken at the counter
  assert.equal(p.growth_added, 150);
  assert.equal(p.points_added, 150); // 1 point per yuan x 1.00 (tier 1)
  assert.equal(p.total_fen, 15000);
  const [[tenders]] = await sql(`SELECT CONCAT(principal_fen, '/', bonus_fen, '/', cash_fen) FROM orders WHERE id = ${p.order_id}`);
  assert.equal(tenders, '10000/2000/3000');
  const card = await api('GET', m('/me/card'), { token: mem.token });
  assert.equal(card.json.data.growth, 150);
  assert.equal(card.json.data.points, 150);
  const a = await accounts(mem.id);
  assert.equal(a.points, 150);
  await assertLedger(mem.id);

  const none = await api('POST', m('/me/payments'), {
    token: mem.token, body: { order_fen: 100, store_id: store }, headers: { 'idempotency-key': idemKey() },
  });
  assert.equal(none.status, 409);
  assert.equal(none.json.error.code, 'insufficient_balance');
  for (const [body, field] of [
    [{ order_fen: 0, store_id: store }, 'order_fen'],
    [{ order_fen: 100 }, 'store_id'],
    [{ order_fen: 100, store_id: 999999 }, 'store_id'],
    [{ order_fen: 1.5, store_id: store }, 'order_fen'],
  ]) {
    const x = await api('POST', m('/me/payments'), { token: mem.token, body });
    assert.equal(x.status, 400, JSON.stringify(body));
    assert.equal(x.json.error.field, field);
  }
  const [[n]] = await sql(`SELECT COUNT(*) FROM payments WHERE member_id = ${mem.id}`);
  assert.equal(n, '1');
  // a store of another merchant is not a store here
  const [other] = await storeIds('demo2');
  const x = await api('POST', m('/me/payments'), { token: mem.token, body: { order_fen: 100, store_id: other } });
  assert.equal(x.status, 400);
  assert.equal(x.json.error.field, 'store_id');
});

test('recharge suggestions: [] when covered, else packages and a round custom amount', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 5000 });
  let r = await api('GET', m('/me/recharge-suggestions?order_fen=3000'), { token: mem.token });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.data, []);
  r = await api('GET', m('/me/recharge-suggestions?order_fen=12000'), { token: mem.token });
  assert.equal(r.status, 200);
  const s = r.json.data;
  assert.ok(s.length >= 1 && s.length <= 3);
  // shortfall 70 yuan: custom 80 yuan (round figure, something left),
  // then 充100送20 and 充500送80
  assert.deepEqual(s.map((x) => [x.pay_fen, x.bonus_fen, x.balance_after_fen]),
    [[8000, 0, 1000], [10000, 2000, 5000], [50000, 8000, 51000]]);
  assert.equal(s[0].package_id, null);
  assert.ok(Number.isInteger(s[1].package_id));
  for (const x of s) assert.ok(x.reason.length > 0);
  r = await api('GET', m('/me/recharge-suggestions'), { token: mem.token });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'order_fen');
  r = await api('GET', m('/me/recharge-suggestions?order_fen=100'));
  assert.equal(r.status, 401);
});

test('me/wallet: balance and entries newest first, paged', async () => {
  const [store] = await storeIds();
  const mem = await newMember();
  await fund(mem, { pay_fen: 2000 });
  await fund(mem, { pay_fen: 3000 });
  const pay = await api('POST', m('/me/payments'), {
    token: mem.token, body: { order_fen: 1500, store_id: store }, headers: { 'idempotency-key': idemKey() },
  });
  assert.equal(pay.status, 201);
  const w = await api('GET', m('/me/wallet'), { token: mem.token });
  assert.equal(w.status, 200);
  assert.deepEqual(w.json.data.balance, { principal_fen: 3500, bonus_fen: 0, total_fen: 3500 });
  const e = w.json.data.entries;
  assert.equal(e.length, 3);
  assert.deepEqual(e.map((x) => [x.kind, x.principal_fen, x.bonus_fen]),
    [['payment', -1500, 0], ['recharge', 3000, 0], ['recharge', 2000, 0]]);
  assert.equal(e[0].ref, `payment:${pay.json.data.payment.id}`);
  assert.match(e[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  const p1 = await api('GET', m('/me/wallet?limit=2'), { token: mem.token });
  assert.equal(p1.json.data.entries.length, 2);
  assert.ok(p1.json.data.next_cursor);
  const p2 = await api('GET', m(`/me/wallet?limit=2&cursor=${p1.json.data.next_cursor}`), { token: mem.token });
  assert.equal(p2.json.data.entries.length, 1);
  assert.equal(p2.json.data.entries[0].principal_fen, 2000);
  assert.equal(p2.json.data.next_cursor, null);
  // another merchant's session is refused here
  const other = await newMember('demo2');
  const x = await api('GET', m('/me/wallet'), { token: other.token });
  assert.equal(x.status, 403);
  await assertLedger(mem.id);
});
