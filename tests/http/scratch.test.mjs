// Scratch cards (刮刮乐) through nginx and MariaDB: a paid order that
// qualifies grants exactly one chance (amount, store, period, daily cap,
// a stopped campaign), the scratch is drawn once however often and however
// concurrently it is asked, a prize's stock never goes below zero under
// 100 concurrent scratches, a fully refunded order's unscratched chance is
// void (a partial refund leaves it), another member's chance is 404, the
// campaign payload is validated, and the staff routes follow the roles.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, parallel } from './lib.mjs';
import { newMember, idemKey, staff, storeIds, assertLedger, accounts } from './wallet_helpers.mjs';

let owner, marketing, cashier, stores, mid;
const made = [];
let seq = 0;

before(async () => {
  owner = await staff('demo', 'owner');
  marketing = await staff('demo', 'marketing');
  cashier = await staff('demo', 'cashier');
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
});

after(async () => {
  // no campaign of this file grants chances to the files after it
  for (const id of made) await owner.call('PATCH', `/staff/scratch-campaigns/${id}`, { status: 'stopped' });
});

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const HOUR = 3600_000;

async function campaign(over = {}) {
  const r = await marketing.call('POST', '/staff/scratch-campaigns', {
    name: uniq('刮刮乐'), min_order_fen: 5000, store_ids: 'all',
    starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 24 * HOUR),
    daily_cap: 3, none_weight: 0,
    prizes: [{ kind: 'bonus', bonus_fen: 100, weight: 1, stock: 1000 }],
    ...over,
  });
  assert.equal(r.status, 201, r.text);
  made.push(r.json.data.id);
  return r.json.data;
}

async function couponTemplate(extra = {}) {
  const r = await marketing.call('POST', '/staff/coupon-templates', {
    name: uniq('刮奖券'), kind: 'instant', value_fen: 500, stock: null, per_member_limit: 50,
    valid_days: 7, status: 'active', ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

/** A paid order at the counter for the member (phone order, cash): the order. */
async function paidOrder(mem, fen, storeId = stores[0]) {
  const r = await owner.call('POST', '/staff/orders', {
    store_id: storeId, member_phone: mem.phone, lines: [{ name: '堂食套餐', price_fen: fen, qty: 1 }],
    coupon_codes: [], use_balance: false, tenders: [{ kind: 'cash' }],
  }, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.order.status, 'paid');
  return r.json.data.order;
}

/** The member's chances of one campaign (the API's list). */
async function chancesOf(mem, campaignId) {
  const r = await api('GET', m('/me/scratch-chances?limit=100'), { token: mem.token });
  assert.equal(r.status, 200, r.text);
  return r.json.data.filter((c) => c.campaign.id === campaignId);
}

function scratch(mem, id) {
  return api('POST', m(`/me/scratch-chances/${id}/scratch`), { token: mem.token });
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
  assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no codes in messages');
}

test('a qualifying paid order grants exactly one chance tied to it; below the amount, another store, outside the period, over the daily cap or a stopped campaign none', async () => {
  const c = await campaign({ min_order_fen: 5000, store_ids: [stores[0]], daily_cap: 2 });
  assert.equal(c.state, 'live');
  assert.deepEqual(c.store_ids, [stores[0]]);
  const mem = await newMember();

  const o1 = await paidOrder(mem, 6000);
  let ch = await chancesOf(mem, c.id);
  assert.equal(ch.length, 1);
  assert.equal(ch[0].order_id, o1.id);
  assert.equal(ch[0].status, 'unscratched');
  assert.equal(ch[0].prize, null);
  const [[rows]] = await sql(`SELECT COUNT(*) FROM scratch_chances WHERE campaign_id = ${c.id} AND order_id = ${o1.id}`);
  assert.equal(Number(rows), 1);

  await paidOrder(mem, 4000);			// below 50.00
  await paidOrder(mem, 6000, stores[1]);	// another store
  assert.equal((await chancesOf(mem, c.id)).length, 1);

  const o2 = await paidOrder(mem, 5000);	// exactly the amount: the second of the day
  await paidOrder(mem, 9000);			// over the daily cap of 2
  ch = await chancesOf(mem, c.id);
  assert.deepEqual(ch.map((x) => x.order_id).sort(), [o1.id, o2.id].sort());

  // outside the period: a campaign that starts tomorrow, one that ended
  const later = await campaign({ min_order_fen: 100, starts_at: iso(Date.now() + 24 * HOUR), ends_at: iso(Date.now() + 48 * HOUR) });
  assert.equal(later.state, 'scheduled');
  const ended = await campaign({ min_order_fen: 100, starts_at: iso(Date.now() - 48 * HOUR), ends_at: iso(Date.now() - 24 * HOUR) });
  assert.equal(ended.state, 'ended');
  const stopped = await campaign({ min_order_fen: 100, status: 'stopped' });
  assert.equal(stopped.state, 'stopped');
  const mem2 = await newMember();
  await paidOrder(mem2, 6000, stores[1]);
  for (const x of [later, ended, stopped]) assert.equal((await chancesOf(mem2, x.id)).length, 0, x.state);

  const got = (await marketing.call('GET', `/staff/scratch-campaigns/${c.id}`)).json.data;
  assert.equal(got.stats.chances, 2);
  assert.equal(got.stats.unscratched, 2);
});

test('a scratch is drawn once: the same answer on repeat, 20 concurrent scratches of one chance make one draw and one grant', async () => {
  const tpl = await couponTemplate();
  const c = await campaign({ min_order_fen: 1000, prizes: [{ kind: 'coupon', template_id: tpl.id, weight: 5, stock: 10 }] });
  const mem = await newMember();
  await paidOrder(mem, 2000);
  const [chance] = await chancesOf(mem, c.id);

  const rs = await parallel(20, () => scratch(mem, chance.id));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const first = rs[0].json.data;
  assert.equal(first.prize.kind, 'coupon');
  assert.equal(first.prize.template_id, tpl.id);
  assert.equal(first.prize.value_fen, 500);
  assert.match(first.prize.coupon_code, /^[2-9A-HJKMNP-Z]{12}$/);
  for (const r of rs) assert.deepEqual(r.json.data, first, 'every answer the same');

  const again = await scratch(mem, chance.id);
  assert.deepEqual(again.json.data, first);
  const [[coupons]] = await sql(`SELECT COUNT(*) FROM coupons WHERE merchant_id = ${mid} AND member_id = ${mem.id} AND template_id = ${tpl.id}`);
  assert.equal(Number(coupons), 1, 'one coupon issued');
  // issued at the store of the order that earned the chance (the claim's store in the analytics)
  const [[at]] = await sql(`SELECT store_id FROM coupons WHERE merchant_id = ${mid} AND code = '${first.prize.coupon_code}'`);
  assert.equal(Number(at), stores[0]);
  const mine = await api('GET', m('/me/coupons'), { token: mem.token });
  assert.ok(JSON.stringify(mine.json).includes(first.prize.coupon_code), 'in my coupons');

  const got = (await owner.call('GET', `/staff/scratch-campaigns/${c.id}`)).json.data;
  assert.equal(got.prizes[0].stock_left, 9);
  assert.equal(got.prizes[0].given, 1);
  assert.equal(got.prizes[0].odds, 1);
  assert.equal(got.stats.scratched, 1);
  assert.equal(got.stats.coupons, 1);
  assert.equal(got.stats.coupon_face_fen, 500);
  const [listed] = await chancesOf(mem, c.id);
  assert.equal(listed.status, 'scratched');
  assert.deepEqual(listed.prize, first.prize);
});

test('100 concurrent scratches of 100 chances on a prize of stock 5: at most 5 won, stock_left 0, never negative; the rest no prize', async () => {
  const c = await campaign({
    min_order_fen: 100, daily_cap: 20, none_weight: 1,
    prizes: [{ kind: 'bonus', bonus_fen: 100, weight: 100000, stock: 5 }],
  });
  const mems = await parallel(5, () => newMember());
  // 20 paid orders a member, ten at a time
  for (let round = 0; round < 10; round++) {
    await parallel(10, (i) => paidOrder(mems[i % 5], 200));
  }
  const chances = [];
  for (const mem of mems) {
    const ch = await chancesOf(mem, c.id);
    assert.equal(ch.length, 20);
    for (const x of ch) chances.push({ mem, id: x.id });
  }
  assert.equal(chances.length, 100);
  const before = await Promise.all(mems.map((x) => accounts(x.id)));

  const rs = await Promise.all(chances.map((x) => scratch(x.mem, x.id)));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  const won = rs.filter((r) => r.json.data.prize !== null);
  assert.ok(won.length <= 5, `${won.length} won`);
  assert.equal(won.length, 5, 'with weight 100000 against 1 the stock is all given');
  for (const r of won) assert.deepEqual(r.json.data.prize, { kind: 'bonus', title: '赠送金 ¥1.00', bonus_fen: 100 });

  const [[left, stock]] = await sql(`SELECT stock_left, stock FROM scratch_prizes WHERE campaign_id = ${c.id}`);
  assert.equal(Number(left), 0);
  assert.equal(Number(stock), 5);
  const [[neg]] = await sql('SELECT COUNT(*) FROM scratch_prizes WHERE stock_left < 0');
  assert.equal(Number(neg), 0);
  const afterAcc = await Promise.all(mems.map((x) => accounts(x.id)));
  const bonus = afterAcc.reduce((s, a, i) => s + a.bonus - before[i].bonus, 0);
  assert.equal(bonus, 500, 'five bonuses of ¥1.00 credited');
  for (const x of mems) await assertLedger(x.id);
  const [[entries]] = await sql(`SELECT COUNT(*) FROM wallet_entries WHERE merchant_id = ${mid} AND kind = 'scratch'
    AND member_id IN (${mems.map((x) => x.id).join(',')})`);
  assert.equal(Number(entries), 5);

  const got = (await owner.call('GET', `/staff/scratch-campaigns/${c.id}`)).json.data;
  assert.equal(got.prizes[0].given, 5);
  assert.equal(got.prizes[0].stock_left, 0);
  assert.equal(got.prizes[0].cost_fen, 500);
  assert.equal(got.stats.scratched, 100);
  assert.equal(got.stats.no_prize, 95);
  assert.equal(got.stats.bonus_fen, 500);
});

test('points as a prize go through the points ledger', async () => {
  const c = await campaign({ min_order_fen: 100, prizes: [{ kind: 'points', points: 88, weight: 1, stock: 3 }] });
  const mem = await newMember();
  await paidOrder(mem, 300);
  const [chance] = await chancesOf(mem, c.id);
  const before = await accounts(mem.id);
  const r = await scratch(mem, chance.id);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.prize, { kind: 'points', title: '88 积分', points: 88 });
  assert.equal((await accounts(mem.id)).points, before.points + 88);
  await assertLedger(mem.id);
  const got = (await owner.call('GET', `/staff/scratch-campaigns/${c.id}`)).json.data;
  assert.equal(got.prizes[0].points_given, 88);
  assert.equal(got.stats.points, 88);
});

test('a fully refunded order voids its unscratched chance (409 chance_void); a partial refund leaves it; a scratched chance keeps its prize', async () => {
  const c = await campaign({ min_order_fen: 1000, daily_cap: 10 });
  const mem = await newMember();
  const full = await paidOrder(mem, 3000);
  const part = await paidOrder(mem, 3000);
  const kept = await paidOrder(mem, 3000);
  const byOrder = async () => Object.fromEntries((await chancesOf(mem, c.id)).map((x) => [x.order_id, x]));
  let ch = await byOrder();
  assert.equal(Object.keys(ch).length, 3);

  // scratched before the refund: keeps its prize
  const won = await scratch(mem, ch[kept.id].id);
  assert.equal(won.status, 200, won.text);
  assert.equal(won.json.data.prize.kind, 'bonus');

  const refund = (id, body) => owner.call('POST', `/staff/orders/${id}/refunds`, body, { 'idempotency-key': idemKey() });
  let r = await refund(part.id, { amount_fen: 1000, reason: '少做一份' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.refund.order_status, 'partially_refunded');
  r = await refund(full.id, {});
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.refund.order_status, 'refunded');
  r = await refund(kept.id, {});
  assert.equal(r.status, 201, r.text);

  ch = await byOrder();
  assert.equal(ch[full.id].status, 'void');
  assert.equal(ch[part.id].status, 'unscratched');
  assert.equal(ch[kept.id].status, 'scratched');
  assertError(await scratch(mem, ch[full.id].id), 409, 'chance_void');
  assert.equal((await scratch(mem, ch[part.id].id)).status, 200);
  const again = await scratch(mem, ch[kept.id].id);
  assert.deepEqual(again.json.data.prize, won.json.data.prize);
  const [[st]] = await sql(`SELECT prize_id FROM scratch_chances WHERE id = ${ch[full.id].id}`);
  assert.equal(st, 'NULL', 'a void chance draws nothing');
  const got = (await owner.call('GET', `/staff/scratch-campaigns/${c.id}`)).json.data;
  assert.equal(got.stats.void, 1);
});

test('another member\'s chance is 404, an unknown one too; staff sessions cannot scratch; no session is 401', async () => {
  const c = await campaign({ min_order_fen: 100 });
  const mem = await newMember();
  const other = await newMember();
  await paidOrder(mem, 500);
  const [chance] = await chancesOf(mem, c.id);
  assertError(await scratch(other, chance.id), 404, 'not_found');
  assertError(await scratch(other, 999999999), 404, 'not_found');
  assertError(await api('POST', m(`/me/scratch-chances/${chance.id}/scratch`), { token: owner.token }), 403, 'forbidden');
  assertError(await api('POST', m(`/me/scratch-chances/${chance.id}/scratch`)), 401, 'unauthorized');
  assertError(await api('GET', m('/me/scratch-chances')), 401, 'unauthorized');
  const [[status]] = await sql(`SELECT status FROM scratch_chances WHERE id = ${chance.id}`);
  assert.equal(status, 'unscratched', 'nothing was drawn');
  assertError(await api('GET', m('/me/scratch-chances?status=lost'), { token: mem.token }), 400, 'invalid_field', 'status');
  const open = await api('GET', m('/me/scratch-chances?status=unscratched'), { token: mem.token });
  assert.ok(open.json.data.some((x) => x.id === chance.id));
});

test('the campaign payload is validated: 400 invalid_field naming the field, in Chinese, and nothing written', async () => {
  const tpl = await couponTemplate();
  const good = {
    name: '满额刮奖', min_order_fen: 3000, store_ids: 'all', starts_at: iso(Date.now()), ends_at: iso(Date.now() + HOUR),
    daily_cap: 1, none_weight: 5, prizes: [{ kind: 'coupon', template_id: tpl.id, weight: 1, stock: 10 }],
  };
  const cases = [
    [{ name: undefined }, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ min_order_fen: -1 }, 'min_order_fen'],
    [{ min_order_fen: '30' }, 'min_order_fen'],
    [{ store_ids: 'some' }, 'store_ids'],
    [{ store_ids: [] }, 'store_ids'],
    [{ store_ids: [999999] }, 'store_ids[0]'],
    [{ store_ids: [stores[0], stores[0]] }, 'store_ids[1]'],
    [{ starts_at: '明天' }, 'starts_at'],
    [{ ends_at: iso(Date.now() - HOUR) }, 'ends_at'],
    [{ daily_cap: 0 }, 'daily_cap'],
    [{ daily_cap: 101 }, 'daily_cap'],
    [{ none_weight: -1 }, 'none_weight'],
    [{ status: 'paused' }, 'status'],
    [{ prizes: [] }, 'prizes'],
    [{ prizes: undefined }, 'prizes'],
    [{ prizes: 'x' }, 'prizes'],
    [{ prizes: [1] }, 'prizes[0]'],
    [{ prizes: [{ kind: 'car', weight: 1, stock: 1 }] }, 'prizes[0].kind'],
    [{ prizes: [{ weight: 1, stock: 1 }] }, 'prizes[0].kind'],
    [{ prizes: [{ kind: 'coupon', template_id: 999999999, weight: 1, stock: 1 }] }, 'prizes[0].template_id'],
    [{ prizes: [{ kind: 'bonus', bonus_fen: 0, weight: 1, stock: 1 }] }, 'prizes[0].bonus_fen'],
    [{ prizes: [{ kind: 'points', weight: 1, stock: 1 }] }, 'prizes[0].points'],
    [{ prizes: [{ kind: 'bonus', bonus_fen: 100, weight: -2, stock: 1 }] }, 'prizes[0].weight'],
    [{ prizes: [{ kind: 'bonus', bonus_fen: 100, weight: 1, stock: 1.5 }] }, 'prizes[0].stock'],
    [{ prizes: [{ id: 1, kind: 'bonus', bonus_fen: 100, weight: 1, stock: 1 }] }, 'prizes[0].id'],
    [{ prizes: Array.from({ length: 11 }, () => ({ kind: 'points', points: 1, weight: 1, stock: 1 })) }, 'prizes'],
    [{ none_weight: 0, prizes: [{ kind: 'points', points: 1, weight: 0, stock: 1 }] }, 'none_weight'],
  ];
  const [[n0]] = await sql(`SELECT COUNT(*) FROM scratch_campaigns WHERE merchant_id = ${mid}`);
  for (const [over, field] of cases) {
    const body = { ...good, ...over };
    for (const k of Object.keys(over)) if (over[k] === undefined) delete body[k];
    assertError(await marketing.call('POST', '/staff/scratch-campaigns', body), 400, 'invalid_field', field);
  }
  const [[n1]] = await sql(`SELECT COUNT(*) FROM scratch_campaigns WHERE merchant_id = ${mid}`);
  assert.equal(n1, n0, 'nothing written');
  assertError(await marketing.call('POST', '/staff/scratch-campaigns', undefined, { 'content-type': 'application/json' }), 400, 'invalid_json');
});

test('edit and stop: weights and stock change, a prize keeps its kind and never drops below what it gave, a stopped campaign grants no more', async () => {
  const c = await campaign({ min_order_fen: 100, none_weight: 0, prizes: [{ kind: 'bonus', bonus_fen: 200, weight: 1, stock: 3 }] });
  const mem = await newMember();
  await paidOrder(mem, 500);
  const [chance] = await chancesOf(mem, c.id);
  assert.equal((await scratch(mem, chance.id)).json.data.prize.bonus_fen, 200);
  const pid = c.prizes[0].id;

  let r = await marketing.call('PATCH', `/staff/scratch-campaigns/${c.id}`, { prizes: [{ id: pid, weight: 3, stock: 0 }] });
  assertError(r, 400, 'invalid_field', 'prizes[0].stock');
  assert.match(r.json.error.message, /1 份/);
  r = await marketing.call('PATCH', `/staff/scratch-campaigns/${c.id}`, { prizes: [{ id: pid, kind: 'points', weight: 3, stock: 5 }] });
  assertError(r, 400, 'invalid_field', 'prizes[0].kind');
  r = await marketing.call('PATCH', `/staff/scratch-campaigns/${c.id}`, {
    name: '改名后的刮刮乐', none_weight: 1,
    prizes: [{ id: pid, weight: 3, stock: 5 }, { kind: 'points', points: 10, weight: 4, stock: 2 }],
  });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.equal(d.name, '改名后的刮刮乐');
  assert.deepEqual(d.prizes.map((p) => [p.kind, p.weight, p.stock, p.stock_left, p.given]), [['bonus', 3, 5, 4, 1], ['points', 4, 2, 2, 0]]);
  assert.deepEqual(d.prizes.map((p) => p.odds), [0.375, 0.5]);
  assert.equal(d.none_odds, 0.125);
  // taking the bonus prize off keeps what it gave counted
  r = await marketing.call('PATCH', `/staff/scratch-campaigns/${c.id}`, { prizes: [{ id: d.prizes[1].id, weight: 4, stock: 2 }] });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.prizes.length, 1);
  assert.equal(r.json.data.stats.bonus_fen, 200);

  r = await marketing.call('PATCH', `/staff/scratch-campaigns/${c.id}`, { status: 'stopped' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.state, 'stopped');
  await paidOrder(mem, 500);
  assert.equal((await chancesOf(mem, c.id)).length, 1, 'no chance from a stopped campaign');
  assertError(await marketing.call('PATCH', '/staff/scratch-campaigns/999999999', { status: 'stopped' }), 404, 'not_found');
  assertError(await marketing.call('GET', '/staff/scratch-campaigns/999999999'), 404, 'not_found');
});

test('role matrix: owner and marketing manage scratch campaigns, cashiers and members are refused, no session is 401', async () => {
  const body = {
    name: uniq('权限测试'), min_order_fen: 100, starts_at: iso(Date.now()), ends_at: iso(Date.now() + HOUR),
    daily_cap: 1, none_weight: 1, prizes: [{ kind: 'points', points: 1, weight: 1, stock: 1 }], status: 'stopped',
  };
  const mem = await newMember();
  for (const st of [owner, marketing]) {
    const r = await st.call('POST', '/staff/scratch-campaigns', body);
    assert.equal(r.status, 201, r.text);
    made.push(r.json.data.id);
    assert.equal((await st.call('GET', '/staff/scratch-campaigns')).status, 200);
    assert.equal((await st.call('GET', `/staff/scratch-campaigns/${r.json.data.id}`)).status, 200);
    assert.equal((await st.call('PATCH', `/staff/scratch-campaigns/${r.json.data.id}`, { daily_cap: 2 })).status, 200);
  }
  const id = made.at(-1);
  for (const [method, path, b] of [['POST', '/scratch-campaigns', body], ['GET', '/scratch-campaigns'],
    ['GET', `/scratch-campaigns/${id}`], ['PATCH', `/scratch-campaigns/${id}`, { daily_cap: 3 }]]) {
    assertError(await cashier.call(method, `/staff${path}`, b), 403, 'forbidden');
    assertError(await api(method, m(`/staff${path}`), { token: mem.token, body: b }), 403, 'forbidden');
    assertError(await api(method, m(`/staff${path}`), { body: b }), 401, 'unauthorized');
  }
  const [[cap]] = await sql(`SELECT daily_cap FROM scratch_campaigns WHERE id = ${id}`);
  assert.equal(Number(cap), 2, 'the refused PATCH changed nothing');
});
