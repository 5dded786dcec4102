// Count cards (次卡) through nginx and MariaDB: the products for staff and
// their checks, the sale as an order line at the counter (cash) and in the
// app (online, the card issued by the provider's notify), the member's
// cards, uses and their reversal, the race for the last use, expiry,
// refunds by the use (pro rata, exact in fen over several refunds), and
// the member list's filters by the cards' state.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, parallel } from './lib.mjs';
import {
  newMember, fund, idemKey, staff, scan, storeIds, notify, notifyBody,
} from './wallet_helpers.mjs';

let owner, cashier, marketing, stores, mid;
let seq = 0;

before(async () => {
  owner = await staff('demo', 'owner');
  cashier = await staff('demo', 'cashier');
  marketing = await staff('demo', 'marketing');
  stores = await storeIds();
  [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  // no refund approval, no surprise from an earlier file's settings
  await sql(`DELETE FROM checkout_settings WHERE merchant_id = ${mid}`);
});

function uniq(p) {
  seq += 1;
  return `${p}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

function assertError(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  assert.ok(r.json.error.message.length > 0);
  assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+/, 'no codes in messages');
}

async function product(priceFen) {
  const name = uniq('次卡商品');
  await sql(`INSERT INTO products (merchant_id, name, category, price_fen, store_ids, active, created_at, updated_at)
    VALUES (${mid}, '${name}', '测试', ${priceFen}, NULL, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[id]] = await sql(`SELECT id FROM products WHERE merchant_id = ${mid} AND name = '${name}'`);
  return Number(id);
}

let covered;
async function cardProduct(over = {}) {
  covered = covered || await product(3000);
  const r = await marketing.call('POST', '/staff/count-card-products', {
    name: uniq('洗车10次卡'), uses: 10, price_fen: 50000, validity: { kind: 'days', days: 30 },
    product_ids: [covered], store_ids: 'all', ...over,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

function commit(st, body, key = idemKey()) {
  return st.call('POST', '/staff/orders', body, { 'idempotency-key': key });
}

/** Sell a card to mem by phone order paid in cash: the order. */
async function sell(mem, cp, qty = 1, extra = {}) {
  const r = await commit(owner, {
    store_id: stores[0], member_phone: mem.phone, lines: [{ count_card_product_id: cp.id, qty }],
    use_balance: false, coupon_codes: [], tenders: [{ kind: 'cash' }], ...extra,
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.order;
}

async function myCards(mem) {
  const r = await api('GET', m('/me/count-cards'), { token: mem.token });
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

function use(st, cardId, body, key = idemKey()) {
  return st.call('POST', `/staff/count-cards/${cardId}/uses`, body, { 'idempotency-key': key });
}

function refund(orderId, body) {
  return owner.call('POST', `/staff/orders/${orderId}/refunds`, body, { 'idempotency-key': idemKey() });
}

/** The end of the local (+08:00) day `days - 1` after today, as UTC ms. */
function expectedExpiry(days) {
  const tz = 8 * 3600e3;
  const day = Math.floor((Date.now() + tz) / 86400e3);
  return (day + days) * 86400e3 - tz - 1000;
}

test('count-card products: create, read, list, change; every field checked, nothing written on a refusal', async () => {
  const p = await product(2500);
  const r = await marketing.call('POST', '/staff/count-card-products', {
    name: uniq('美甲5次卡'), uses: 5, price_fen: 19900, validity: { kind: 'until', until: '2099-12-31' },
    product_ids: [p, p], store_ids: [stores[0]],
  });
  assert.equal(r.status, 201, r.text);
  const cp = r.json.data;
  assert.deepEqual([cp.uses, cp.price_fen, cp.validity, cp.product_ids, cp.store_ids, cp.active],
    [5, 19900, { kind: 'until', until: '2099-12-31' }, [p], [stores[0]], true]);
  const g = await cashier.call('GET', `/staff/count-card-products/${cp.id}`);
  assert.equal(g.status, 200, 'the counter reads what it sells');
  assert.equal(g.json.data.name, cp.name);
  const u = await owner.call('PATCH', `/staff/count-card-products/${cp.id}`,
    { validity: { kind: 'days', days: 90 }, store_ids: 'all', active: false });
  assert.equal(u.status, 200, u.text);
  assert.deepEqual([u.json.data.validity, u.json.data.store_ids, u.json.data.active, u.json.data.uses],
    [{ kind: 'days', days: 90 }, 'all', false, 5]);
  const l = await owner.call('GET', '/staff/count-card-products?active=false&limit=100');
  assert.ok(l.json.data.some((x) => x.id === cp.id));
  assert.ok(!(await owner.call('GET', '/staff/count-card-products?active=true&limit=100')).json.data
    .some((x) => x.id === cp.id));

  const good = { name: '好名字', uses: 3, price_fen: 100, validity: { kind: 'days', days: 7 }, product_ids: [p] };
  const [[before]] = await sql(`SELECT COUNT(*) FROM count_card_products WHERE merchant_id = ${mid}`);
  const bad = [
    [{ name: '' }, 'name'], [{ uses: 0 }, 'uses'], [{ uses: 1000 }, 'uses'], [{ uses: 'x' }, 'uses'],
    [{ price_fen: -1 }, 'price_fen'], [{ validity: { kind: 'months' } }, 'validity.kind'],
    [{ validity: { kind: 'days', days: 0 } }, 'validity.days'],
    [{ validity: { kind: 'until', until: '2020-01-01' } }, 'validity.until'],
    [{ validity: { kind: 'until', until: '2099-02-30' } }, 'validity.until'],
    [{ product_ids: [] }, 'product_ids'], [{ product_ids: [999999999] }, 'product_ids[0]'],
    [{ store_ids: [999999999] }, 'store_ids[0]'], [{ active: 'yes' }, 'active'],
  ];
  for (const [over, field] of bad) {
    const b = await marketing.call('POST', '/staff/count-card-products', { ...good, ...over });
    assertError(b, 400, 'invalid_field');
    assert.equal(b.json.error.field, field, JSON.stringify(over));
  }
  const { name: _n, ...noName } = good;
  assert.equal((await marketing.call('POST', '/staff/count-card-products', noName)).json.error.field, 'name');
  const [[after]] = await sql(`SELECT COUNT(*) FROM count_card_products WHERE merchant_id = ${mid}`);
  assert.equal(after, before);
  assertError(await cashier.call('POST', '/staff/count-card-products', good), 403, 'forbidden');
  assertError(await owner.call('PATCH', '/staff/count-card-products/999999999', { uses: 2 }), 404, 'not_found');
});

test('sold at the counter with cash: the card is the member\'s at once, on the receipt; no member, no card', async () => {
  const mem = await newMember();
  const cp = await cardProduct({ uses: 6, price_fen: 30000 });
  const sc = await scan(cashier, mem, stores[0]);
  const body = {
    store_id: stores[0], ticket: sc.ticket, lines: [{ count_card_product_id: cp.id, qty: 2 }],
    use_balance: false, coupon_codes: [], tenders: [{ kind: 'cash', amount_fen: 70000 }],
  };
  const q = await cashier.call('POST', '/staff/orders/quote', body);
  assert.equal(q.status, 200, q.text);
  assert.equal(q.json.data.lines[0].count_card_product_id, cp.id);
  assert.equal(q.json.data.lines[0].card_uses, 12);
  const c = await commit(cashier, { ...body, quote_hash: q.json.data.quote_hash });
  assert.equal(c.status, 201, c.text);
  const o = c.json.data.order;
  assert.equal(o.status, 'completed');
  assert.equal(o.total_fen, 60000);
  assert.equal(o.change_fen, 10000);
  const cards = await myCards(mem);
  assert.equal(cards.length, 1, 'one card a line: qty x uses');
  const card = cards[0];
  assert.deepEqual([card.name, card.uses_total, card.uses_left, card.status, card.order_id],
    [cp.name, 12, 12, 'active', o.id]);
  assert.equal(Date.parse(card.expires_at), expectedExpiry(30));
  assert.match(card.expires_at, /T23:59:59\+08:00$/);
  const rec = await cashier.call('GET', `/staff/orders/${o.id}`);
  assert.equal(rec.json.data.lines[0].name, cp.name, 'the receipt names the card');
  assert.equal(rec.json.data.lines[0].card_uses, 12);
  // a walk-in: refused, nothing written
  const w = await commit(cashier, { store_id: stores[0], lines: [{ count_card_product_id: cp.id, qty: 1 }], tenders: [{ kind: 'cash' }] });
  assertError(w, 400, 'invalid_field');
  assert.equal(w.json.error.field, 'lines[0].count_card_product_id');
  // not on sale
  await owner.call('PATCH', `/staff/count-card-products/${cp.id}`, { active: false });
  const off = await commit(owner, {
    store_id: stores[0], member_phone: mem.phone, lines: [{ count_card_product_id: cp.id, qty: 1 }], tenders: [{ kind: 'cash' }],
  });
  assertError(off, 400, 'invalid_field');
  assert.match(off.json.error.message, /停售/);
  assert.equal((await myCards(mem)).length, 1);
});

test('sold online: pending until the provider\'s notify, then issued once however often it comes', async () => {
  const mem = await newMember();
  const cp = await cardProduct({ uses: 4, price_fen: 8800 });
  const c = await api('POST', m('/me/orders'), {
    token: mem.token, headers: { 'idempotency-key': idemKey() },
    body: { store_id: stores[0], lines: [{ count_card_product_id: cp.id, qty: 1 }], use_balance: false, tenders: [{ kind: 'online' }] },
  });
  assert.equal(c.status, 201, c.text);
  const o = c.json.data.order;
  assert.equal(o.status, 'pending');
  assert.deepEqual(await myCards(mem), [], 'nothing before it is paid');
  for (let i = 0; i < 3; i++) assert.equal((await notify(notifyBody(o.payment))).status, 200);
  const cards = await myCards(mem);
  assert.equal(cards.length, 1);
  assert.deepEqual([cards[0].uses_total, cards[0].uses_left, cards[0].order_id], [4, 4, o.id]);
});

test('a use names the member\'s ticket, is recorded with store and cashier, replays by its key; the last use of the day reverses', async () => {
  const mem = await newMember();
  const other = await newMember();
  const cp = await cardProduct({ uses: 3 });
  await sell(mem, cp);
  const [card] = await myCards(mem);
  const sc = await scan(cashier, mem, stores[0]);
  const key = idemKey();
  const u1 = await use(cashier, card.id, { ticket: sc.ticket, product_id: covered }, key);
  assert.equal(u1.status, 201, u1.text);
  assert.deepEqual([u1.json.data.card.uses_left, u1.json.data.use.uses, u1.json.data.use.store_id,
    u1.json.data.use.staff_id, u1.json.data.use.product_id], [2, 1, stores[0], cashier.staff.id, covered]);
  const again = await use(cashier, card.id, { ticket: sc.ticket, product_id: covered }, key);
  assert.equal(again.status, 201);
  assert.equal(again.text, u1.text, 'the same key replays the first answer');
  assert.equal((await myCards(mem))[0].uses_left, 2);
  // what the card does not cover, another member, a bad ticket
  const p2 = await product(100);
  const nc = await use(cashier, card.id, { ticket: sc.ticket, product_id: p2 });
  assertError(nc, 400, 'invalid_field');
  assert.equal(nc.json.error.field, 'product_id');
  const so = await scan(cashier, other, stores[0]);
  assertError(await use(cashier, card.id, { ticket: so.ticket }), 404, 'not_found');
  assertError(await use(cashier, card.id, { ticket: 'nope-nope-nope-nope' }), 400, 'invalid_ticket');
  assertError(await use(cashier, card.id, { ticket: sc.ticket, uses: 5 }), 409, 'used_up');
  const u2 = await use(cashier, card.id, { ticket: sc.ticket });
  assert.equal(u2.status, 201, u2.text);
  // reversal: the last first, same day only
  const r1 = await cashier.call('POST', `/staff/count-cards/${card.id}/uses/${u1.json.data.use.id}/reverse`, {});
  assertError(r1, 409, 'conflict');
  assert.match(r1.json.error.message, /最近/);
  const r2 = await cashier.call('POST', `/staff/count-cards/${card.id}/uses/${u2.json.data.use.id}/reverse`, {});
  assert.equal(r2.status, 200, r2.text);
  assert.deepEqual([r2.json.data.use.status, r2.json.data.card.uses_left], ['reversed', 2]);
  assertError(await cashier.call('POST', `/staff/count-cards/${card.id}/uses/${u2.json.data.use.id}/reverse`, {}), 409, 'conflict');
  await sql(`UPDATE count_card_uses SET created_at = created_at - INTERVAL 1 DAY WHERE id = ${u1.json.data.use.id}`);
  const r3 = await cashier.call('POST', `/staff/count-cards/${card.id}/uses/${u1.json.data.use.id}/reverse`, {});
  assertError(r3, 409, 'conflict');
  assert.match(r3.json.error.message, /当天/);
  // the history
  const h = await api('GET', m(`/me/count-cards/${card.id}`), { token: mem.token });
  assert.equal(h.status, 200, h.text);
  assert.deepEqual(h.json.data.uses.map((x) => x.status), ['reversed', 'done']);
  assert.equal(h.json.data.uses[1].store_id, stores[0]);
  assertError(await api('GET', m(`/me/count-cards/${card.id}`), { token: other.token }), 404, 'not_found');
  const [[n]] = await sql(`SELECT COUNT(*) FROM count_card_uses WHERE card_id = ${card.id}`);
  assert.equal(n, '2');
});

test('20 uses at once of a card\'s last use: exactly one is taken', async () => {
  const mem = await newMember();
  const cp = await cardProduct({ uses: 2 });
  await sell(mem, cp);
  const [card] = await myCards(mem);
  const sc = await scan(cashier, mem, stores[0]);
  assert.equal((await use(cashier, card.id, { ticket: sc.ticket })).status, 201);
  const rs = await parallel(20, () => use(cashier, card.id, { ticket: sc.ticket }));
  const st = rs.map((r) => r.status).sort();
  assert.equal(st.filter((s) => s === 201).length, 1, st.join(','));
  for (const r of rs.filter((x) => x.status !== 201)) assertError(r, 409, 'used_up');
  const [[left, uses]] = await sql(`SELECT uses_left, (SELECT COUNT(*) FROM count_card_uses WHERE card_id = c.id)
    FROM count_cards c WHERE id = ${card.id}`);
  assert.deepEqual([left, uses], ['0', '2']);
  assert.equal((await myCards(mem))[0].status, 'used_up');
  assertError(await use(cashier, card.id, { ticket: sc.ticket }), 409, 'used_up');
});

test('past its expiry a card reads expired at once and a use is 409 expired', async () => {
  const mem = await newMember();
  const cp = await cardProduct({ uses: 5 });
  await sell(mem, cp);
  const [card] = await myCards(mem);
  await sql(`UPDATE count_cards SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE id = ${card.id}`);
  assert.equal((await myCards(mem))[0].status, 'expired');
  const sc = await scan(cashier, mem, stores[0]);
  const r = await use(cashier, card.id, { ticket: sc.ticket });
  assertError(r, 409, 'expired');
  assert.match(r.json.error.message, /\d{4}年\d{1,2}月\d{1,2}日/);
  assert.equal((await myCards(mem))[0].uses_left, 5);
});

/** What uses [done, done + k) of total hold of paid fen (card_rules.h). */
function share(paid, total, done, k) {
  const held = (x) => (x >= total ? paid : Math.floor(paid / total) * x + Math.min(x, paid % total));
  return held(done + k) - held(done);
}

test('a refund of the line gives back unused uses pro rata to what was paid, exact over several refunds', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 1000 });
  const cp = await cardProduct({ uses: 7, price_fen: 1500 });
  const o = await sell(mem, cp, 1, { use_balance: true });
  const [line] = (await owner.call('GET', `/staff/orders/${o.id}`)).json.data.lines;
  const paid = line.net_fen;
  assert.equal(paid, 1500);
  assert.deepEqual([o.balance.principal_fen, o.tenders.find((t) => t.kind === 'cash').amount_fen], [1000, 500]);
  const [card] = await myCards(mem);
  const sc = await scan(cashier, mem, stores[0]);
  assert.equal((await use(cashier, card.id, { ticket: sc.ticket, uses: 2 })).status, 201);
  // more than is left, the rest of the order (which holds used uses): refused, nothing moved
  const over = await refund(o.id, { lines: [{ line_no: 1, qty: 6 }] });
  assertError(over, 409, 'refund_exceeds_paid');
  assert.match(over.json.error.message, /5 次/);
  assertError(await refund(o.id, {}), 409, 'refund_exceeds_paid');
  let done = 0;
  let total = 0;
  for (const k of [2, 2, 1]) {
    const r = await refund(o.id, { lines: [{ line_no: 1, qty: k }] });
    assert.equal(r.status, 201, r.text);
    const f = r.json.data.refund;
    const back = f.tenders.reduce((s, t) => s + t.amount_fen, 0);
    assert.equal(back, share(paid, 7, done, k), `uses ${done}..${done + k}`);
    done += k;
    total += back;
  }
  assert.equal(total, paid - share(paid, 7, 5, 2), 'the two used uses keep their share');
  const [after] = await myCards(mem);
  assert.deepEqual([after.uses_left, after.refunded_uses, after.uses_used, after.status], [0, 5, 2, 'refunded']);
  const [[refunded]] = await sql(`SELECT refunded_fen FROM orders WHERE id = ${o.id}`);
  assert.equal(Number(refunded), total);
  assertError(await refund(o.id, { lines: [{ line_no: 1, qty: 1 }] }), 409, 'used_up');
  assertError(await use(cashier, card.id, { ticket: (await scan(cashier, mem, stores[0])).ticket }), 409, 'used_up');
});

test('a card bought with balance and cash, refunded use by use to the last: every fen back, the last takes the rest', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 1000 });
  const cp = await cardProduct({ uses: 3, price_fen: 1001 });
  const o = await sell(mem, cp, 2, { use_balance: true });
  assert.equal(o.total_fen, 2002);
  let done = 0;
  let total = 0;
  for (const k of [1, 2, 3]) {
    const r = await refund(o.id, { lines: [{ line_no: 1, qty: k }] });
    assert.equal(r.status, 201, r.text);
    const back = r.json.data.refund.tenders.reduce((s, t) => s + t.amount_fen, 0);
    assert.equal(back, share(2002, 6, done, k));
    done += k;
    total += back;
  }
  assert.equal(total, 2002);
  const g = await owner.call('GET', `/staff/orders/${o.id}`);
  assert.equal(g.json.data.status, 'refunded');
  const [[p]] = await sql(`SELECT principal_fen FROM members WHERE id = ${mem.id}`);
  assert.equal(Number(p), 1000, 'the balance came back whole');
  const [card] = await myCards(mem);
  assert.deepEqual([card.uses_left, card.refunded_uses, card.status], [0, 6, 'refunded']);
});

test('a card fully used cannot be refunded', async () => {
  const mem = await newMember();
  const cp = await cardProduct({ uses: 1, price_fen: 500 });
  const o = await sell(mem, cp);
  const [card] = await myCards(mem);
  const sc = await scan(cashier, mem, stores[0]);
  assert.equal((await use(cashier, card.id, { ticket: sc.ticket })).status, 201);
  const r = await refund(o.id, { lines: [{ line_no: 1, qty: 1 }] });
  assertError(r, 409, 'used_up');
  const [[n]] = await sql(`SELECT COUNT(*) FROM order_refunds WHERE order_id = ${o.id}`);
  assert.equal(n, '0', 'nothing written');
});

/** Every member the list gives for a query, through its pages. */
async function listed(query) {
  const ids = new Set();
  let cursor = null;
  for (let i = 0; i < 200; i++) {
    const r = await owner.call('GET', `/staff/members?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    for (const x of r.json.data) ids.add(x.id);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  return ids;
}

test('the member list filters by the count cards\' state now: active, expired, used_up, expiring within N days', async () => {
  const cp = await cardProduct({ uses: 2 });
  const set = {};
  for (const k of ['active', 'expired', 'usedUp', 'soon', 'refunded', 'mixed']) {
    set[k] = await newMember();
    set[k].order = await sell(set[k], cp);
    [set[k].card] = await myCards(set[k]);
  }
  // states: in 30 days; past; none left; in 2 days; refunded; and one of
  // each of an expired and a used-up card
  await sql(`UPDATE count_cards SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 HOUR WHERE id = ${set.expired.card.id}`);
  await sql(`UPDATE count_cards SET expires_at = UTC_TIMESTAMP() + INTERVAL 2 DAY WHERE id = ${set.soon.card.id}`);
  for (const k of ['usedUp', 'mixed']) {
    const sc = await scan(cashier, set[k], stores[0]);
    assert.equal((await use(cashier, set[k].card.id, { ticket: sc.ticket, uses: 2 })).status, 201);
  }
  await sell(set.mixed, cp);
  const [second] = await myCards(set.mixed);
  await sql(`UPDATE count_cards SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE id = ${second.id}`);
  assert.equal((await refund(set.refunded.order.id, { lines: [{ line_no: 1, qty: 2 }] })).status, 201);

  // the expected answers, from each member's cards as the API reads them
  const now = Date.now();
  const cardsOf = {};
  for (const k of Object.keys(set)) cardsOf[k] = await myCards(set[k]);
  const want = (pred) => new Set(Object.keys(set).filter((k) => cardsOf[k].some(pred)).map((k) => set[k].id));
  const expect = {
    active: want((c) => c.status === 'active'),
    expired: want((c) => c.status === 'expired'),
    used_up: want((c) => c.status === 'used_up'),
    'expiring&expiring_days=5': want((c) => c.status === 'active' && Date.parse(c.expires_at) < now + 5 * 86400e3),
    'expiring&expiring_days=60': want((c) => c.status === 'active' && Date.parse(c.expires_at) < now + 60 * 86400e3),
  };
  assert.deepEqual([...expect.active].sort(), [set.active.id, set.soon.id].sort());
  assert.deepEqual([...expect.used_up].sort(), [set.usedUp.id, set.mixed.id].sort());
  const mine = new Set(Object.values(set).map((x) => x.id));
  for (const [q, ids] of Object.entries(expect)) {
    const got = [...await listed(`count_cards=${q}&joined_from=${new Date(now - 86400e3).toISOString().slice(0, 10)}`)]
      .filter((id) => mine.has(id));
    assert.deepEqual(got.sort(), [...ids].sort(), q);
  }
  const csv = await owner.call('GET', '/staff/members.csv?count_cards=used_up&limit=100');
  assert.equal(csv.status, 200);
  for (const k of ['usedUp', 'mixed', 'active']) {
    const [[no]] = await sql(`SELECT card_no FROM members WHERE id = ${set[k].id}`);
    assert.equal(csv.text.includes(no), k !== 'active', k);
  }
  assertError(await owner.call('GET', '/staff/members?count_cards=sometimes'), 400, 'invalid_field');
  assertError(await owner.call('GET', '/staff/members?expiring_days=5'), 400, 'invalid_field');
  assertError(await owner.call('GET', '/staff/members?count_cards=expiring&expiring_days=0'), 400, 'invalid_field');
  // the detail lists them
  const d = await owner.call('GET', `/staff/members/${set.mixed.id}`);
  assert.deepEqual(d.json.data.count_cards.map((c) => c.status), ['expired', 'used_up']);
});
