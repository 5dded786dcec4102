// The member list's range and set filters (a balance or points range, a
// channel, a birthday month, a tier, unused coupons, and the joining
// dates, alone and three or four together) through nginx and MariaDB, on
// a member base where the newest members match none of them: the newest
// 6000 of 14,000 (a fresh campaign) hold no balance, no points and no
// coupon, came by one channel, were all born in March and are below the
// second tier, so that a wide filter has no member among the first 5000
// in the order of joining (the page then comes from the filter's own
// index by joining, migration 0038, or ix_member_joined's entries alone,
// migration 0036) and a narrow one few (the filter's own index, sorted).
// Some of the older members' only coupon has expired (their counter still
// counts it: the list asks the coupons). Each filter in every sort both
// ways, two pages, against the answer computed here from the rows, and
// again after the tiers' thresholds change without a review (the members'
// tier_level behind their growth); joining times come in pairs, so that
// the id breaks the ties. A merchant of its own, so that nothing else
// moves its members.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, staffLogin } from './lib.mjs';

const N = 14000;
const NEWEST = 6000;
const SORTS = { joined: 'joined_at', last_order: 'last_order_at', balance: 'balance_fen', spend: 'spend_fen' };
let mc;
let all;

before(async () => {
  const code = `mr${process.pid % 10000}x${Date.now() % 100000}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '范围筛选店', '范围筛选卡')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${id}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  const d = await staffLogin(code, 'owner', 'demo1234');
  mc = { code, id: Number(id), owner: (path) => api('GET', m(path, code), { token: d.token }) };
  // k: the member's place in the order of joining (0 the oldest), two a
  // minute; the newest NEWEST (k >= N - NEWEST) are the campaign's
  const k = `((s.seq * 7919) % ${N})`;
  const old = `${k} < ${N - NEWEST}`;
  await sql(`INSERT INTO members (merchant_id, phone, name, birthday, card_no, channel,
      points, principal_fen, bonus_fen, joined_at, last_order_at, spend_fen)
    SELECT ${id}, CONCAT('171', LPAD(s.seq, 8, '0')), CONCAT('范', s.seq),
      IF(${old}, IF(s.seq % 8 = 0, '1990-08-10', '1990-07-10'), '1995-03-15'),
      CONCAT('8', LPAD(s.seq, 15, '0')),
      IF(${old}, IF(s.seq % 8 = 0, 'poster:2', 'referral'), 'campaign:spring'),
      IF(${old}, 1 + (s.seq * 53) % 20000, 0),
      IF(${old}, 1000 + (s.seq * 101) % 200000, 0), 0,
      '2026-01-01 00:00:00' + INTERVAL (${k} DIV 2) MINUTE,
      IF(s.seq % 10 < 3, '1000-01-01 00:00:00', '2026-06-01 00:00:00' + INTERVAL (s.seq * 97) % 100000 MINUTE),
      IF(s.seq % 10 < 3, 0, (s.seq * 211) % 2000000)
    FROM seq_0_to_999999 s WHERE s.seq < ${N}`);
  // growth: the newest below the second tier (1000); tier_level as
  // tier_move() keeps it
  await sql(`INSERT INTO tiers (merchant_id, level, name, growth, privileges) VALUES
    (${id}, 1, '普通会员', 0, '[]'), (${id}, 2, '银卡会员', 1000, '[]'), (${id}, 3, '金卡会员', 5000, '[]')`);
  await sql(`UPDATE members SET growth = IF(points = 0, id % 1000, (id * 37) % 6000) WHERE merchant_id = ${id}`);
  await sql(`UPDATE members SET tier_level = IF(growth >= 5000, 3, IF(growth >= 1000, 2, 1)) WHERE merchant_id = ${id}`);
  // coupons (the triggers keep the counter): two in three of the older
  // members hold one; one in seven of the others holds one that has expired
  await sql(`INSERT INTO coupon_templates (merchant_id, name, kind, value_fen, per_member_limit, status, created_at, updated_at)
    VALUES (${id}, '范围券', 'instant', 100, 5, 'active', UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const [[tpl]] = await sql(`SELECT id FROM coupon_templates WHERE merchant_id = ${id}`);
  // (the members' ids first: the coupons' trigger updates members)
  await sql(`CREATE TEMPORARY TABLE holders AS SELECT id FROM members
      WHERE merchant_id = ${id} AND points > 0 AND (id % 3 <> 2 OR id % 7 = 0);
    INSERT INTO coupons (merchant_id, template_id, member_id, code, name, kind, value_fen, valid_from,
      valid_until, channel, claimed_at)
    SELECT ${id}, ${tpl}, h.id, LPAD(h.id, 12, '0'), '范围券', 'instant', 100, '2026-01-01 00:00:00',
      IF(h.id % 3 = 2, UTC_TIMESTAMP() - INTERVAL 1 DAY, '2099-01-01 00:00:00'), 'claim', UTC_TIMESTAMP()
    FROM holders h`);
  await sql('ANALYZE TABLE members');
  const got = await sql(`SELECT id, DATE_FORMAT(joined_at, '%Y%m%d%H%i%s'), DATE_FORMAT(last_order_at, '%Y%m%d%H%i%s'),
      balance_fen, spend_fen, points, channel, birthday_month, growth,
      EXISTS (SELECT 1 FROM coupons c WHERE c.merchant_id = members.merchant_id AND c.member_id = members.id
        AND c.status = 'unused' AND c.valid_until >= UTC_TIMESTAMP()), coupons_on
    FROM members WHERE merchant_id = ${id}`);
  all = got.map(([mid, joined, last, balance, spend, points, channel, month, growth, live, on]) => ({
    id: Number(mid), joined_at: joined, last_order_at: last, balance_fen: Number(balance),
    spend_fen: Number(spend), points: Number(points), channel, month: Number(month), growth: Number(growth),
    coupons: live === '1', flag: on === '1',
  }));
  assert.equal(all.length, N);
  assert.ok(all.filter((x) => x.flag && !x.coupons).length > 100, 'members whose only coupon has expired');
});

let gold = 5000;
const tierOf = (x) => (x.growth >= gold ? 3 : x.growth >= 1000 ? 2 : 1);

/** The first two pages of limit 50 (cursor from the first), ids. */
async function twoPages(params) {
  const q = new URLSearchParams({ ...params, limit: '50' });
  const a = await mc.owner(`/staff/members?${q}`);
  assert.equal(a.status, 200, a.text);
  if (a.json.next_cursor === null) return { ids: a.json.data.map((x) => x.id), more: false };
  q.set('cursor', a.json.next_cursor);
  const b = await mc.owner(`/staff/members?${q}`);
  assert.equal(b.status, 200, b.text);
  return { ids: [...a.json.data, ...b.json.data].map((x) => x.id), more: b.json.next_cursor !== null };
}

function want(pred, sort, order) {
  const col = SORTS[sort];
  const rows = all.filter(pred).sort((a, b) => {
    const c = a[col] < b[col] ? -1 : a[col] > b[col] ? 1 : a.id - b.id;
    return order === 'desc' ? -c : c;
  });
  return { ids: rows.slice(0, 100).map((x) => x.id), more: rows.length > 100, n: rows.length, all: rows.map((x) => x.id) };
}

/** Every page of limit 50, ids. */
async function everyPage(params) {
  const out = [];
  const q = new URLSearchParams({ ...params, limit: '50' });
  for (let i = 0; i < 40; i++) {
    const a = await mc.owner(`/staff/members?${q}`);
    assert.equal(a.status, 200, a.text);
    out.push(...a.json.data.map((x) => x.id));
    if (a.json.next_cursor === null) return out;
    q.set('cursor', a.json.next_cursor);
  }
  throw new Error('too many pages');
}

const FILTERS = [
  // wide: more than 5000 members, none among the newest 6000
  ['balance_min_fen=1000', { balance_min_fen: '1000' }, (x) => x.balance_fen >= 1000, 'wide'],
  ['points_min=1', { points_min: '1' }, (x) => x.points >= 1, 'wide'],
  ['channel=referral', { channel: 'referral' }, (x) => x.channel === 'referral', 'wide'],
  ['birthday_month=7', { birthday_month: '7' }, (x) => x.month === 7, 'wide'],
  ['balance and points', { balance_min_fen: '1000', balance_max_fen: '180000', points_min: '1', points_max: '18000' },
    (x) => x.balance_fen >= 1000 && x.balance_fen <= 180000 && x.points >= 1 && x.points <= 18000, 'wide'],
  ['channel, month and balance', { channel: 'referral', birthday_month: '7', balance_min_fen: '1000' },
    (x) => x.channel === 'referral' && x.month === 7 && x.balance_fen >= 1000, 'wide'],
  ['balance and joining dates', { balance_min_fen: '1000', joined_from: '2026-01-02', joined_to: '2026-01-03' },
    (x) => x.balance_fen >= 1000 && x.joined_at >= '20260101160000' && x.joined_at < '20260103160000', 'some'],
  // narrow: fewer than 5000
  ['channel=poster:2', { channel: 'poster:2' }, (x) => x.channel === 'poster:2', 'few'],
  ['balance_min_fen=170000', { balance_min_fen: '170000' }, (x) => x.balance_fen >= 170000, 'few'],
  ['birthday_month=8 and points', { birthday_month: '8', points_max: '10000' }, (x) => x.month === 8 && x.points <= 10000, 'few'],
  // unused coupons, tiers, and three or four filters together
  ['has_unused_coupons=true', { has_unused_coupons: 'true' }, (x) => x.coupons, 'wide'],
  ['has_unused_coupons=false', { has_unused_coupons: 'false' }, (x) => !x.coupons, 'some'],
  ['tier=2', { tier: '2' }, (x) => tierOf(x) === 2, 'wide'],
  ['tier=3', { tier: '3' }, (x) => tierOf(x) === 3, 'few'],
  ['tier, channel, month and points', { tier: '2', channel: 'referral', birthday_month: '7', points_min: '100', points_max: '15000' },
    (x) => tierOf(x) === 2 && x.channel === 'referral' && x.month === 7 && x.points >= 100 && x.points <= 15000, 'some'],
  ['tier, channel, month and points, few', { tier: '3', channel: 'poster:2', birthday_month: '8', points_min: '100' },
    (x) => tierOf(x) === 3 && x.channel === 'poster:2' && x.month === 8 && x.points >= 100, 'some'],
  ['coupons, channel and month', { has_unused_coupons: 'true', channel: 'referral', birthday_month: '7' },
    (x) => x.coupons && x.channel === 'referral' && x.month === 7, 'some'],
  ['tier and balance', { tier: '2', balance_min_fen: '50000' }, (x) => tierOf(x) === 2 && x.balance_fen >= 50000, 'some'],
  ['balance, points and tier', { balance_min_fen: '1000', points_min: '1', tier: '2' },
    (x) => x.balance_fen >= 1000 && x.points >= 1 && tierOf(x) === 2, 'wide'],
  // ranges only, each wide (more than 5000, the newest among them or
  // not), few together (one member in a hundred): the covered read
  // bounded, then the filtered statement from the narrowest range
  ['balance, points and tier, few together', { balance_min_fen: '1000', points_max: '2000', tier: '1' },
    (x) => x.balance_fen >= 1000 && x.points <= 2000 && tierOf(x) === 1, 'rare',
    [(x) => x.balance_fen >= 1000, (x) => x.points <= 2000, (x) => tierOf(x) === 1]],
  ['balance and points, few together', { balance_min_fen: '1000', points_max: '1000' },
    (x) => x.balance_fen >= 1000 && x.points <= 1000, 'rare',
    [(x) => x.balance_fen >= 1000, (x) => x.points <= 1000]],
  ['balance, points and tier, the newest among them', { balance_max_fen: '150000', points_max: '15000', tier: '1' },
    (x) => x.balance_fen <= 150000 && x.points <= 15000 && tierOf(x) === 1, 'some'],
  // none
  ['points_max=-1', { points_max: '-1' }, (x) => x.points <= -1, 'none'],
  ['birthday_month=3 and balance', { birthday_month: '3', balance_min_fen: '1' }, (x) => x.month === 3 && x.balance_fen >= 1, 'none'],
];

async function everySort(name, params, pred, kind, parts = []) {
    for (const p of parts) assert.ok(all.filter(p).length > 5000, `${name}: each range wide`);
    for (const sort of Object.keys(SORTS)) {
      for (const order of ['asc', 'desc']) {
        const w = want(pred, sort, order);
        if (kind === 'wide') assert.ok(w.n > 5000, `${name}: a wide filter (${w.n})`);
        if (kind === 'few') assert.ok(w.n > 100 && w.n < 5000, `${name}: a narrow filter (${w.n})`);
        if (kind === 'none') assert.equal(w.n, 0);
        if (kind === 'rare') {
          assert.ok(w.n > 50 && w.n < 1000, `${name}: few together (${w.n})`);
          const got = await everyPage({ ...params, sort, order });
          assert.deepEqual(got, w.all, `${name} by ${sort} ${order}, every page`);
          continue;
        }
        const got = await twoPages({ ...params, sort, order });
        assert.deepEqual(got.ids, w.ids, `${name} by ${sort} ${order}`);
        assert.equal(got.more, w.more, `${name} by ${sort} ${order}: a next page`);
      }
    }
}

for (const [name, params, pred, kind, parts] of FILTERS) {
  test(`${name} (${kind}) in every sort both ways`, () => everySort(name, params, pred, kind, parts));
}

// After the filters above (node:test runs a file's tests in order): the
// gold threshold lowered to 4000 with no review since, so that members of
// tier_level 2 are in the gold band (the tier's own index may not be read)
test('a tier after its threshold changed, before the review, in every sort both ways', async () => {
  await sql(`UPDATE tiers SET growth = 4000 WHERE merchant_id = ${mc.id} AND level = 3`);
  gold = 4000;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const [[lagging]] = await sql(`SELECT COUNT(*) FROM members WHERE merchant_id = ${mc.id} AND tier_level = 2 AND growth >= 4000`);
  assert.ok(Number(lagging) > 100, 'members of tier_level 2 in the new gold band');
  await everySort('tier=3 after the change', { tier: '3' }, (x) => tierOf(x) === 3, 'some');
  await everySort('tier=2 after the change', { tier: '2' }, (x) => tierOf(x) === 2, 'some');
  await everySort('tier=3 and channel after the change', { tier: '3', channel: 'referral' },
    (x) => tierOf(x) === 3 && x.channel === 'referral', 'some');
});

test('the newest members hold none of the wide filters (the shape is correlated)', () => {
  const newest = [...all].sort((a, b) => (a.joined_at < b.joined_at ? 1 : a.joined_at > b.joined_at ? -1 : b.id - a.id))
    .slice(0, 5000);
  for (const [, , pred, kind] of FILTERS) if (kind === 'wide') assert.equal(newest.filter(pred).length, 0);
});
