// The member list's tier filter (GET staff/members?tier=) after every kind
// of tier move, through nginx and MariaDB: an upgrade by an order, a
// refund that takes it back, a tier set by hand, the review's downgrade
// when the hand's hold ends and a rolling keep fails, and a change of the
// thresholds (the members' tier_level behind their growth until the next
// review moves them up). After each, every tier in every sort both ways,
// paged two at a time, is the members whose growth is in the tier's band,
// in order; and members.tier_level, which the tier's pages read their
// index by (migration 0029), is each member's tier again once the moves
// are done. A merchant of its own, so that nothing else moves its members.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, sql, uniquePhone, signIn, join, staffLogin } from './lib.mjs';
import { idemKey } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const SORTS = { joined: 'joined_at', last_order: 'last_order_at', balance: 'balance_fen', spend: 'spend_fen' };
let mc;
let ladderNow;

function runApp(args) {
  return new Promise((resolve, reject) => {
    execFile(APP, args, { env: process.env, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`app ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The merchant-local (+08:00) day n days from now, YYYY-MM-DD. */
function day(n) {
  return new Date(Date.now() + 8 * 3600e3 + n * 86400e3).toISOString().slice(0, 10);
}

const ladder = (silver, gold) => [
  { level: 1, name: '普通会员', growth: 0, points_multiplier: 1, privileges: [] },
  { level: 2, name: '银卡会员', growth: silver, points_multiplier: 1, privileges: [], keep_growth: 50 },
  { level: 3, name: '金卡会员', growth: gold, points_multiplier: 1, privileges: [], keep_growth: 500 },
];

async function putLadder(silver, gold) {
  const r = await mc.owner('PUT', '/staff/settings/tiers', {
    tiers: ladder(silver, gold), downgrade: { mode: 'rolling', months: 6, step: 'one' },
  });
  assert.equal(r.status, 200, r.text);
  ladderNow = ladder(silver, gold);
}

function band(growth) {
  let level = ladderNow[0].level;
  for (const t of ladderNow) if (growth >= t.growth) level = t.level;
  return level;
}

async function rows() {
  const got = await sql(`SELECT id, growth, tier_level, joined_at, last_order_at, balance_fen, spend_fen
    FROM members WHERE merchant_id = ${mc.id}`);
  return got.map(([id, growth, level, joined, last, balance, spend]) => ({
    id: Number(id), growth: Number(growth), level: Number(level),
    joined_at: joined, last_order_at: last, balance_fen: Number(balance), spend_fen: Number(spend),
  }));
}

/** Every page of the list, two at a time (or limit). */
async function pages(params, limit = 2) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 30; i++) {
    const q = new URLSearchParams({ ...params, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const r = await mc.owner('GET', `/staff/members?${q}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.data);
    cursor = r.json.next_cursor;
    if (cursor === null) return out;
  }
  throw new Error('too many pages');
}

/** Every tier in every sort both ways against the members' growth. */
async function assertTiers(what) {
  const all = await rows();
  for (const t of ladderNow) {
    for (const [sort, col] of Object.entries(SORTS)) {
      for (const order of ['asc', 'desc']) {
        const want = all.filter((x) => band(x.growth) === t.level).sort((a, b) => {
          const c = a[col] < b[col] ? -1 : a[col] > b[col] ? 1 : a.id - b.id;
          return order === 'desc' ? -c : c;
        }).map((x) => x.id);
        const got = await pages({ tier: String(t.level), sort, order });
        assert.deepEqual(got.map((x) => x.id), want, `${what}: tier ${t.level} by ${sort} ${order}`);
        for (const x of got) assert.equal(x.tier.level, t.level, `${what}: the row's tier`);
      }
    }
  }
  return all;
}

/** tier_level is the tier of each member's growth (the column is current). */
async function assertLevels(what) {
  for (const x of await rows()) assert.equal(x.level, band(x.growth), `${what}: member ${x.id} tier_level`);
}

async function member() {
  const token = await signIn(mc.code, uniquePhone());
  const { member: mem } = await join(mc.code, token);
  return { token, id: mem.id };
}

/** A paid counter order of fen for a member: its code scanned, cash. */
async function order(mem, fen) {
  let s;
  for (let i = 0; ; i++) {
    const c = await api('GET', m('/me/member-code', mc.code), { token: mem.token });
    assert.equal(c.status, 200, c.text);
    s = await mc.owner('POST', '/staff/scan', { member_code: c.json.data.code, store_id: mc.store });
    if (s.status !== 409 || s.json?.error?.code !== 'member_code_used' || i > 3) break;
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  assert.equal(s.status, 200, s.text);
  const r = await mc.owner('POST', '/staff/orders', {
    store_id: mc.store, ticket: s.json.data.ticket,
    lines: [{ name: '美式', price_fen: fen, qty: 1 }], coupon_codes: [], tenders: [{ kind: 'cash' }],
  }, { 'idempotency-key': idemKey() });
  assert.equal(r.status, 201, r.text);
  return r.json.data.order.id;
}

before(async () => {
  const code = `mt${process.pid % 10000}x${Date.now() % 100000}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '等级筛选店', '等级筛选卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${id}, '一号店', '测试路 1 号')`);
  const [[store]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${id}`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  const d = await staffLogin(code, 'owner', 'demo1234');
  mc = {
    code, id: Number(id), store: Number(store),
    owner: (method, path, body, headers = {}) => api(method, m(path, code), { token: d.token, body, headers }),
  };
  await putLadder(100, 1000);
});

test('the tier filter after every kind of tier move, in every sort', async () => {
  const mems = [];
  for (let i = 0; i < 6; i++) mems.push(await member());
  await assertTiers('joined');
  await assertLevels('joined');

  // up by orders: 150 yuan to silver, 1200 yuan to gold, 30 yuan stays
  const [up2, up3, stay] = mems;
  await order(up2, 15000);
  const goldOrder = await order(up3, 120000);
  await order(stay, 3000);
  await assertLevels('orders');
  let all = await assertTiers('orders');
  assert.deepEqual([up2, up3, stay].map((x) => all.find((y) => y.id === x.id).level), [2, 3, 1]);

  // a refund takes the gold order's growth back: down to the lowest tier
  const f = await mc.owner('POST', `/staff/orders/${goldOrder}/refunds`, { reason: '退单' },
    { 'idempotency-key': idemKey() });
  assert.equal(f.status, 201, f.text);
  await assertLevels('refund');
  all = await assertTiers('refund');
  assert.equal(all.find((y) => y.id === up3.id).level, 1);

  // set by hand: gold held through tomorrow, silver without an end
  const [, , , hand3, hand2] = mems;
  let r = await mc.owner('PUT', `/staff/members/${hand3.id}/tier`, { level: 3, until: day(1), reason: '大客户' });
  assert.equal(r.status, 200, r.text);
  r = await mc.owner('PUT', `/staff/members/${hand2.id}/tier`, { level: 2, reason: '合作伙伴' });
  assert.equal(r.status, 200, r.text);
  await assertLevels('by hand');
  all = await assertTiers('by hand');
  assert.deepEqual([hand3, hand2].map((x) => all.find((y) => y.id === x.id).level), [3, 2]);

  // the review after the hold ends: gold not kept (nothing earned), one
  // step down; silver by the 150 yuan kept (50 asked)
  await runApp(['jobs', 'run', 'tier-review', '--merchant', mc.code, '--date', day(3)]);
  await assertLevels('review');
  all = await assertTiers('review');
  assert.equal(all.find((y) => y.id === hand3.id).level, 2, 'the hold ended: down');
  assert.equal(all.find((y) => y.id === up2.id).level, 2, 'kept');

  // lower thresholds: silver at 30 takes in the member of 30 yuan, gold at
  // 120 the silvers of 150 growth; tier_level is behind until the review
  await putLadder(30, 120);
  all = await assertTiers('thresholds changed');
  assert.ok(all.some((x) => x.level !== band(x.growth)), 'some tier_level behind its growth');
  await runApp(['jobs', 'run', 'tier-review', '--merchant', mc.code, '--date', day(4)]);
  await assertLevels('review after the change');
  await assertTiers('review after the change');
});

test('count cards (and a tier) when none of the first 5000 in order has one: every sort both ways, each once', async () => {
  // 6000 newer members without cards (tier 1, as their growth is), then
  // cards for some of the older ones: active, used up, expired
  const old = (await rows()).sort((a, b) => a.id - b.id);
  assert.equal(old.length, 6);
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, joined_at)
    SELECT ${mc.id}, CONCAT('166', LPAD(${mc.id % 1000} * 10000 + s.seq, 8, '0')), CONCAT('新', s.seq),
      CONCAT('8', LPAD(${mc.id % 100000} * 10000 + s.seq, 15, '0')), 'bulk', UTC_TIMESTAMP() + INTERVAL 1 DAY
    FROM seq_0_to_5999 s`);
  await sql(`INSERT INTO orders (merchant_id, store_id, channel, status, total_list_fen, discount_fen, total_fen,
    points_used, points_fen, principal_fen, bonus_fen, cash_fen, card_fen, online_fen, change_fen, earn_points,
    earn_growth, quote_hash, created_at)
    VALUES (${mc.id}, ${mc.store}, 'counter', 'paid', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, REPEAT('0', 64), UTC_TIMESTAMP())`);
  const [[orderId]] = await sql(`SELECT MAX(id) FROM orders WHERE merchant_id = ${mc.id}`);
  // two cards for the first (an active and a used-up one), one each for the next four
  const cards = [[0, 5, '2099-01-01'], [0, 0, '2099-01-01'], [1, 3, '2099-01-01'], [2, 0, '2099-01-01'],
    [3, 2, '2020-01-01'], [4, 1, '2099-01-01']];
  await sql(`INSERT INTO count_cards (merchant_id, member_id, product_id, order_id, line_no, name, uses_total,
    uses_left, product_ids, expires_at, created_at) VALUES ${cards.map(([k, left, exp], i) =>
    `(${mc.id}, ${old[k].id}, 1, ${orderId}, ${i + 1}, '十次卡', 10, ${left}, '[]', '${exp} 00:00:00', UTC_TIMESTAMP())`).join(', ')}`);
  const holders = (pred) => new Set(cards.filter(pred).map(([k]) => old[k].id));
  const states = {
    active: holders(([, left, exp]) => left > 0 && exp > '2026'),
    used_up: holders(([, left]) => left === 0),
    expired: holders(([, left, exp]) => left > 0 && exp < '2026'),
  };
  const all = await rows();
  for (const [state, ids] of Object.entries(states)) {
    for (const tier of [null, 2]) {
      for (const [sort, col] of Object.entries(SORTS)) {
        for (const order of ['asc', 'desc']) {
          const want = all.filter((x) => ids.has(x.id) && (tier === null || band(x.growth) === tier)).sort((a, b) => {
            const c = a[col] < b[col] ? -1 : a[col] > b[col] ? 1 : a.id - b.id;
            return order === 'desc' ? -c : c;
          }).map((x) => x.id);
          const got = await pages({ count_cards: state, sort, order, ...(tier ? { tier: String(tier) } : {}) });
          assert.deepEqual(got.map((x) => x.id), want, `${state} tier ${tier} by ${sort} ${order}`);
        }
      }
    }
  }
  // more cards than the page starts from at once (500): 600 more, of the
  // bulk's lowest ids, the last of them newest first (all joined at once)
  const bulk = all.filter((x) => !old.some((o) => o.id === x.id)).sort((a, b) => a.id - b.id).slice(0, 600);
  await sql(`INSERT INTO count_cards (merchant_id, member_id, product_id, order_id, line_no, name, uses_total,
    uses_left, product_ids, expires_at, created_at)
    SELECT ${mc.id}, mb.id, 1, ${orderId}, 100 + mb.id - ${bulk[0].id}, '十次卡', 10, 4, '[]', '2099-01-01 00:00:00',
      UTC_TIMESTAMP() FROM members mb WHERE mb.merchant_id = ${mc.id} AND mb.id BETWEEN ${bulk[0].id} AND ${bulk.at(-1).id}`);
  const active = new Set([...states.active, ...bulk.map((x) => x.id)]);
  for (const [sort, col] of Object.entries(SORTS)) {
    for (const order of ['asc', 'desc']) {
      const want = all.filter((x) => active.has(x.id)).sort((a, b) => {
        const c = a[col] < b[col] ? -1 : a[col] > b[col] ? 1 : a.id - b.id;
        return order === 'desc' ? -c : c;
      }).map((x) => x.id);
      const got = await pages({ count_cards: 'active', sort, order }, 100);
      assert.deepEqual(got.map((x) => x.id), want, `600 more: active by ${sort} ${order}`);
    }
  }
});

// After the test above (node:test runs a file's tests in order): the
// newest members' cards have lapsed, so that a page of active cards by
// joining reads the newest members first and finds none of theirs in the
// state (the list asks each member's own cards, ix_cc_member); expired
// and used-up ones are among the newest; a few expire within the week.
test('count cards among members whose cards lapsed: every state with and without a tier, every sort both ways, page by page', async () => {
  const [[orderId]] = await sql(`SELECT MAX(id) FROM orders WHERE merchant_id = ${mc.id}`);
  const bulk = (await sql(`SELECT id FROM members WHERE merchant_id = ${mc.id} AND name LIKE '新%' ORDER BY id`))
    .map(([id]) => Number(id));
  assert.equal(bulk.length, 6000);
  // 700 expired (uses left), 700 used up, 60 refunded to nothing (neither
  // used up nor active), 40 expiring in three days, each member one card;
  // of the expired, one in five also holds an active one
  const cols = `(merchant_id, member_id, product_id, order_id, line_no, name, uses_total,
    uses_left, refunded_uses, product_ids, expires_at, created_at)`;
  const lapsed = `(SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1001 AS i FROM members
    WHERE merchant_id = ${mc.id} AND name LIKE '新%') b`;
  await sql(`INSERT INTO count_cards ${cols}
    SELECT ${mc.id}, b.id, 1, ${orderId}, 5000 + b.i, '十次卡', 10, IF(b.i < 700, 3, IF(b.i < 1460, 0, 2)),
      IF(b.i >= 1400 AND b.i < 1460, 10, 0), '[]',
      IF(b.i < 700, UTC_TIMESTAMP() - INTERVAL 1 DAY, IF(b.i < 1460, '2099-01-01 00:00:00',
        UTC_TIMESTAMP() + INTERVAL 3 DAY)), UTC_TIMESTAMP()
    FROM ${lapsed} WHERE b.i BETWEEN 0 AND 1499`);
  await sql(`INSERT INTO count_cards ${cols}
    SELECT ${mc.id}, b.id, 1, ${orderId}, 7000 + b.i, '十次卡', 10, 1, 0, '[]', '2099-01-01 00:00:00', UTC_TIMESTAMP()
    FROM ${lapsed} WHERE b.i BETWEEN 0 AND 699 AND b.i % 5 = 0`);
  // each state from the cards' rows, now
  const got = await sql(`SELECT member_id,
      MAX(uses_left > 0 AND expires_at >= UTC_TIMESTAMP()),
      MAX(uses_left > 0 AND expires_at < UTC_TIMESTAMP()),
      MAX(uses_left = 0 AND refunded_uses = 0),
      MAX(uses_left > 0 AND expires_at >= UTC_TIMESTAMP() AND expires_at < UTC_TIMESTAMP() + INTERVAL 7 DAY)
    FROM count_cards WHERE merchant_id = ${mc.id} GROUP BY member_id`);
  const states = { active: new Set(), expired: new Set(), used_up: new Set(), expiring: new Set() };
  for (const [id, a, e, u, x] of got) {
    if (a === '1') states.active.add(Number(id));
    if (e === '1') states.expired.add(Number(id));
    if (u === '1') states.used_up.add(Number(id));
    if (x === '1') states.expiring.add(Number(id));
  }
  assert.ok(states.expired.size >= 700 && states.used_up.size >= 700 && states.active.size > 500, 'more than 500 each');
  assert.ok(states.expiring.size >= 40 && states.expiring.size < 100);
  const all = await rows();
  for (const [state, ids] of Object.entries(states)) {
    for (const tier of [null, 1]) {
      for (const [sort, col] of Object.entries(SORTS)) {
        for (const order of ['asc', 'desc']) {
          const want = all.filter((x) => ids.has(x.id) && (tier === null || band(x.growth) === tier)).sort((a, b) => {
            const c = a[col] < b[col] ? -1 : a[col] > b[col] ? 1 : a.id - b.id;
            return order === 'desc' ? -c : c;
          }).map((x) => x.id);
          const got2 = await pages({ count_cards: state, sort, order, ...(tier ? { tier: String(tier) } : {}) }, 100);
          assert.deepEqual(got2.map((x) => x.id), want, `lapsed: ${state} tier ${tier} by ${sort} ${order}`);
        }
      }
    }
  }
});
