// Helpers shared by the stored-value HTTP and browser tests: members with
// a balance, the sandbox provider's signature, ledger checks.

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { api, m, uniquePhone, signIn, join, staffLogin, sql } from './lib.mjs';

/** A new signed-in member: {phone, token, id}. */
export async function newMember(merchant = 'demo') {
  const phone = uniquePhone();
  const token = await signIn(merchant, phone);
  const { member } = await join(merchant, token);
  return { phone, token, id: member.id };
}

/** The sandbox signature of a notify (see handlers/payprovider.h). */
export function sandboxSign(outTradeNo, amountFen, status = 'SUCCESS') {
  const key = Buffer.from(process.env.SANDBOX_PAY_KEY || '', 'hex');
  assert.equal(key.length, 32, 'SANDBOX_PAY_KEY must be 64 hex characters');
  return createHmac('sha256', key)
    .update(`amount_fen=${amountFen}&out_trade_no=${outTradeNo}&status=${status}`)
    .digest('hex');
}

/** A notify body for a recharge's payment object. */
export function notifyBody(payment, over = {}) {
  const body = {
    out_trade_no: payment.out_trade_no,
    amount_fen: payment.amount_fen,
    status: 'SUCCESS',
    ...over,
  };
  if (!('sign' in over)) body.sign = sandboxSign(body.out_trade_no, body.amount_fen, body.status);
  return body;
}

export function notify(body) {
  return api('POST', '/api/v1/payments/notify/sandbox', { body });
}

export function idemKey() {
  return randomBytes(12).toString('hex');
}

/** Start an online recharge: the recharge object (status pending). */
export async function startRecharge(member, body, merchant = 'demo') {
  const r = await api('POST', m('/me/recharges', merchant), {
    token: member.token, body, headers: { 'idempotency-key': idemKey() },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.recharge;
}

/** Recharge online and pay it through the signed notify. */
export async function fund(member, body, merchant = 'demo') {
  const rc = await startRecharge(member, body, merchant);
  const n = await notify(notifyBody(rc.payment));
  assert.equal(n.status, 200, n.text);
  return rc;
}

/** Accounts of a member as numbers: {principal, bonus, growth, points}. */
export async function accounts(memberId) {
  const [[p, b, g, pts]] = await sql(
    `SELECT principal_fen, bonus_fen, growth, points FROM members WHERE id = ${Number(memberId)}`);
  return { principal: Number(p), bonus: Number(b), growth: Number(g), points: Number(pts) };
}

/**
 * Each account equals the sum of the member's ledger entries: money, and
 * points less negative points; the points lots hold exactly the points.
 */
export async function assertLedger(memberId) {
  const id = Number(memberId);
  const [[p, b, pts, sp, sb, spts, lots]] = await sql(
    `SELECT m.principal_fen, m.bonus_fen, m.points - m.negative_points,
       (SELECT COALESCE(SUM(principal_fen), 0) FROM wallet_entries WHERE member_id = m.id),
       (SELECT COALESCE(SUM(bonus_fen), 0) FROM wallet_entries WHERE member_id = m.id),
       (SELECT COALESCE(SUM(points), 0) FROM points_entries WHERE member_id = m.id),
       (SELECT COALESCE(SUM(left_points), 0) - m.points FROM points_lots WHERE member_id = m.id)
     FROM members m WHERE m.id = ${id}`);
  assert.equal(p, sp, `member ${id}: principal ${p} != ledger ${sp}`);
  assert.equal(b, sb, `member ${id}: bonus ${b} != ledger ${sb}`);
  assert.equal(pts, spts, `member ${id}: points - negative ${pts} != ledger ${spts}`);
  assert.equal(lots, '0', `member ${id}: the points lots do not add up to the points`);
  assert.ok(Number(p) >= 0 && Number(b) >= 0);
}

/** Give a member points as staff would (SQL): a ledger entry and a lot that never expires. */
export async function givePoints(memberId, points, expiresOn = null) {
  const id = Number(memberId);
  await sql(`UPDATE members SET points = points + ${points} WHERE id = ${id};
    INSERT INTO points_entries (merchant_id, member_id, kind, points, ref, created_at)
      SELECT merchant_id, id, 'adjustment', ${points}, 'test', UTC_TIMESTAMP() FROM members WHERE id = ${id};
    INSERT INTO points_lots (merchant_id, member_id, points, left_points, expires_on, kind, ref, created_at)
      SELECT merchant_id, id, ${points}, ${points}, ${expiresOn ? `'${expiresOn}'` : 'NULL'}, 'adjustment', 'test', UTC_TIMESTAMP()
      FROM members WHERE id = ${id}`);
}

/** A staff session: {token, csrf, staff, call(method, path, body, headers)}. */
export async function staff(merchant = 'demo', username = 'cashier') {
  const d = await staffLogin(merchant, username, 'demo1234');
  return {
    token: d.token,
    csrf: d.csrf_token,
    staff: d.staff,
    call(method, path, body, headers = {}) {
      return api(method, m(path, merchant), { token: d.token, body, headers });
    },
  };
}

/** Scan a member's fresh code at a store: the scan data (with ticket). */
export async function scan(st, member, storeId, merchant = 'demo') {
  const c = await api('GET', m('/me/member-code', merchant), { token: member.token });
  assert.equal(c.status, 200, c.text);
  const r = await st.call('POST', '/staff/scan', { member_code: c.json.data.code, store_id: storeId });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** The demo merchant's store ids, in order. */
export async function storeIds(merchant = 'demo') {
  const rows = await sql(
    `SELECT s.id FROM stores s JOIN merchants mc ON mc.id = s.merchant_id
     WHERE mc.code = '${merchant}' ORDER BY s.id`);
  return rows.map((r) => Number(r[0]));
}

/** settings/checkout as a merchant that never saved it has it (api.md). */
export const CHECKOUT_DEFAULTS = {
  tier_discount_with_member_price: false,
  tier_discount_only_if_balance_covers: false,
  max_stackable: 3,
  points_to_cash: { enabled: true, points_per_yuan: 100, max_pct: 50, max_points: null },
  coupon_return: { on_cancel: true, on_refund_before_complete: true, on_refund_after_complete: false },
  refund_approval_over_fen: null,
  unpaid_expiry_min: 15,
};
