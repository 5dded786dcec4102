// Members for staff (api.md "Members for staff"): GET staff/members with
// every filter and sort against a seeded set whose answer the test
// computes, paging through every page (each member once), the role
// matrix, bad filter values (400 invalid_field, Chinese), the CSV against
// the list, the detail, and spend / last order kept by paid and refunded
// orders. The seeded members share a channel of their own, which every
// list query names, so other tests' members do not disturb the answer.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, sql, staffLogin, uniquePhone } from './lib.mjs';
import { newMember, fund, idemKey, staff, storeIds } from './wallet_helpers.mjs';

const RUN = `${process.pid}${Date.now() % 100000}`;
const CHANNEL = `mltest:${RUN}`;
const N = 23;
let owner, mkt, cashier, tiers, seeded, merchantId;

const NEVER = '1000-01-01 00:00:00';
const DAY = 86400000;

function sqlTime(ms) { return new Date(ms).toISOString().slice(0, 19).replace('T', ' '); }
/** RFC 3339 at +08:00 of a stored UTC time, as the API writes it. */
function rfc(s) {
  if (s === NEVER) return null;
  const d = new Date(Date.parse(s.replace(' ', 'T') + 'Z') + 8 * 3600000);
  return d.toISOString().slice(0, 19) + '+08:00';
}
/** The merchant's (+08:00) day of a stored UTC time. */
function localDay(s) { return new Date(Date.parse(s.replace(' ', 'T') + 'Z') + 8 * 3600000).toISOString().slice(0, 10); }

function tierOf(growth) {
  let t = tiers[0];
  for (const x of tiers) if (growth >= x.growth) t = x;
  return { level: t.level, name: t.name };
}

function list(token, params) {
  const q = new URLSearchParams({ channel: CHANNEL, ...params });
  return api('GET', m(`/staff/members?${q}`), { token });
}

/** Every page of a query, limit 3: the members in order, each page checked. */
async function allPages(params, limit = 3) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 50; i++) {
    const r = await list(owner.token, { ...params, limit: String(limit), ...(cursor ? { cursor } : {}) });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.data.length <= limit);
    out.push(...r.json.data);
    cursor = r.json.next_cursor;
    if (cursor === null) return out;
    assert.equal(typeof cursor, 'string');
  }
  throw new Error('too many pages');
}

function expected(pred, sort = 'joined', order = 'desc') {
  const key = { joined: (x) => x.joined, last_order: (x) => x.last, balance: (x) => x.principal + x.bonus, spend: (x) => x.spend }[sort];
  const rows = seeded.filter(pred);
  rows.sort((a, b) => {
    const ka = key(a), kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : a.id - b.id;
    return order === 'desc' ? -c : c;
  });
  return rows.map((x) => x.id);
}

before(async () => {
  [owner, mkt, cashier] = await Promise.all(['owner', 'marketing', 'cashier'].map((u) => staffLogin('demo', u, 'demo1234')));
  tiers = (await api('GET', m('/tiers'))).json.data.sort((a, b) => a.level - b.level);
  merchantId = Number((await sql("SELECT id FROM merchants WHERE code = 'demo'"))[0][0]);
  const surnames = ['欧阳', '司马', '诸葛'];
  const base = Date.parse('2026-03-01T00:00:00Z');
  const top = tiers.at(-1).growth;
  seeded = [];
  for (let i = 0; i < N; i++) {
    const ordered = i % 4 !== 0;
    seeded.push({
      i,
      phone: uniquePhone(),
      card: `7${RUN.slice(-6).padStart(6, '0')}${String(i).padStart(9, '0')}`,
      name: `${surnames[i % 3]}${'甲乙丙丁戊'[i % 5]}${i}`,
      birthday: i % 6 === 5 ? null : `199${i % 10}-${String(1 + (i * 5) % 12).padStart(2, '0')}-1${i % 9}`,
      growth: (i * 7919) % (top + 500),
      points: (i * 37) % 400,
      principal: (i * 1301) % 9000,
      bonus: i % 3 === 0 ? 0 : (i * 17) % 800,
      // some joined the same second, so the id decides
      joined: sqlTime(base + Math.floor(i / 2) * 7 * DAY + (i % 5) * 3600000),
      last: ordered ? sqlTime(base + 100 * DAY + ((i * 13) % 40) * DAY) : NEVER,
      spend: ordered ? ((i * 2711) % 50000) + (i === 7 ? 0 : 1) : 0,
      // live: a coupon not expired; stale: counted once, expired since
      coupons: i % 5 === 1 ? 'live' : i % 5 === 2 ? 'stale' : 'none',
    });
  }
  // two members with the same balance and the same spend: the id decides
  seeded[10].principal = seeded[11].principal; seeded[10].bonus = seeded[11].bonus;
  seeded[14].spend = seeded[15].spend = 4242; seeded[14].last = seeded[15].last;
  const values = seeded.map((s) => `(${merchantId}, '${s.phone}', '${s.name}', ${s.birthday ? `'${s.birthday}'` : 'NULL'},
    '${s.card}', '${CHANNEL}', ${s.growth}, ${s.points}, ${s.principal}, ${s.bonus}, '${s.joined}', '${s.last}', ${s.spend},
    ${s.coupons === 'none' ? 0 : 1}, ${s.coupons === 'live' ? "'2099-01-01 00:00:00'" : s.coupons === 'stale' ? "'2020-01-01 00:00:00'" : 'NULL'})`);
  await sql(`INSERT INTO members (merchant_id, phone, name, birthday, card_no, channel, growth, points, principal_fen,
    bonus_fen, joined_at, last_order_at, spend_fen, coupons_live, coupons_next) VALUES ${values.join(',')}`);
  // their points as the points module keeps them: a lot and a ledger entry each
  for (const table of ['points_lots (merchant_id, member_id, points, left_points, expires_on, kind, ref, created_at) SELECT merchant_id, id, points, points, NULL,',
    'points_entries (merchant_id, member_id, points, kind, ref, created_at) SELECT merchant_id, id, points,']) {
    await sql(`INSERT INTO ${table} 'adjustment', 'seed', UTC_TIMESTAMP() FROM members
      WHERE merchant_id = ${merchantId} AND channel = '${CHANNEL}' AND points > 0`);
  }
  const ids = await sql(`SELECT id, phone FROM members WHERE merchant_id = ${merchantId} AND channel = '${CHANNEL}'`);
  const byPhone = new Map(ids.map(([id, p]) => [p, Number(id)]));
  for (const s of seeded) s.id = byPhone.get(s.phone);
});

test('the list: every field as the member row has it, newest joined first by default', async () => {
  const r = await list(mkt.token, { limit: '100' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data.map((x) => x.id), expected(() => true));
  assert.equal(r.json.next_cursor, null);
  const s = seeded[8];
  const got = r.json.data.find((x) => x.id === s.id);
  assert.deepEqual(got, {
    id: s.id, name: s.name, phone_masked: `${s.phone.slice(0, 3)}****${s.phone.slice(-4)}`, card_no: s.card,
    tier: tierOf(s.growth), balance_fen: s.principal + s.bonus, points: s.points, joined_at: rfc(s.joined),
    last_order_at: rfc(s.last), spend_fen: s.spend,
  });
  assert.equal(r.json.data.find((x) => x.id === seeded[0].id).last_order_at, null, 'no order yet reads null');
});

test('every sort, both ways, paged three at a time: each member exactly once, in order', async () => {
  for (const sort of ['joined', 'last_order', 'balance', 'spend']) {
    for (const order of ['asc', 'desc']) {
      const got = (await allPages({ sort, order })).map((x) => x.id);
      assert.deepEqual(got, expected(() => true, sort, order), `${sort} ${order}`);
      assert.equal(new Set(got).size, N);
    }
  }
});

test('every filter, each against the answer computed from the seeded rows', async () => {
  const s = seeded[9];
  const cases = [
    [{ q: s.phone }, (x) => x.phone === s.phone],
    [{ q: s.phone.slice(-4) }, (x) => x.phone.slice(-4) === s.phone.slice(-4)],
    [{ q: s.card }, (x) => x.card === s.card],
    [{ q: '欧阳' }, (x) => x.name.startsWith('欧阳')],
    [{ q: '司马乙' }, (x) => x.name.startsWith('司马乙')],
    [{ q: '%' }, () => false],
    [{ tier: String(tiers[0].level) }, (x) => tierOf(x.growth).level === tiers[0].level],
    [{ tier: String(tiers.at(-1).level) }, (x) => tierOf(x.growth).level === tiers.at(-1).level],
    [{ joined_from: '2026-03-15', joined_to: '2026-04-20' }, (x) => localDay(x.joined) >= '2026-03-15' && localDay(x.joined) <= '2026-04-20'],
    [{ joined_from: '2026-04-01' }, (x) => localDay(x.joined) >= '2026-04-01'],
    [{ birthday_month: '6' }, (x) => x.birthday !== null && Number(x.birthday.slice(5, 7)) === 6],
    [{ balance_min_fen: '3000', balance_max_fen: '6000' }, (x) => x.principal + x.bonus >= 3000 && x.principal + x.bonus <= 6000],
    [{ balance_max_fen: '0' }, (x) => x.principal + x.bonus === 0],
    [{ points_min: '100', points_max: '250' }, (x) => x.points >= 100 && x.points <= 250],
    [{ points_max: '0' }, (x) => x.points <= 0],
    [{ last_order_from: '2026-06-20', last_order_to: '2026-07-10' }, (x) => x.last !== NEVER && localDay(x.last) >= '2026-06-20' && localDay(x.last) <= '2026-07-10'],
    [{ last_order_to: '2026-07-01' }, (x) => x.last !== NEVER && localDay(x.last) <= '2026-07-01'],
    [{ has_unused_coupons: 'true' }, (x) => x.coupons === 'live'],
    [{ has_unused_coupons: 'false' }, (x) => x.coupons !== 'live'],
    [{ birthday_month: '6', has_unused_coupons: 'false', balance_min_fen: '1' }, (x) => x.birthday !== null && Number(x.birthday.slice(5, 7)) === 6 && x.coupons !== 'live' && x.principal + x.bonus >= 1],
  ];
  for (const [params, pred] of cases) {
    for (const sort of ['joined', 'spend']) {
      const got = (await allPages({ ...params, sort }, 4)).map((x) => x.id);
      assert.deepEqual(got, expected(pred, sort), `${JSON.stringify(params)} by ${sort}`);
    }
  }
  assert.ok(expected((x) => x.coupons === 'live').length > 0 && expected((x) => x.points === 0).length === 1);
});

test('roles: owner and marketing read the list, the CSV and the detail; cashiers and members get 403; no session 401', async () => {
  const id = seeded[1].id;
  for (const t of [owner.token, mkt.token]) {
    assert.equal((await list(t, {})).status, 200);
    assert.equal((await api('GET', m(`/staff/members.csv?channel=${CHANNEL}`), { token: t })).status, 200);
    assert.equal((await api('GET', m(`/staff/members/${id}`), { token: t })).status, 200);
  }
  const mem = await newMember();
  for (const t of [cashier.token, mem.token]) {
    for (const p of ['/staff/members', '/staff/members.csv', `/staff/members/${id}`]) {
      const r = await api('GET', m(p), { token: t });
      assert.equal(r.status, 403, `${p}: ${r.text}`);
      assert.equal(r.json.error.code, 'forbidden');
    }
  }
  assert.equal((await api('GET', m('/staff/members'))).status, 401);
  // another merchant's token
  const other = await staffLogin('demo2', 'owner', 'demo1234').catch(() => null);
  if (other) assert.equal((await api('GET', m('/staff/members'), { token: other.token })).status, 403);
});

test('bad filter values: 400 invalid_field naming the field, in Chinese, for the list and the CSV', async () => {
  const bad = [
    ['tier', 'x'], ['tier', '99'], ['joined_from', '2026-13-01'], ['joined_to', '昨天'], ['birthday_month', '13'],
    ['birthday_month', '0'], ['balance_min_fen', '-1'], ['balance_max_fen', '1.5'], ['points_min', 'abc'],
    ['last_order_from', '12/01'], ['has_unused_coupons', 'yes'], ['sort', 'name'], ['order', 'up'],
    ['cursor', 'garbage'], ['limit', '0'], ['limit', '101'], ['q', 'x'.repeat(40)],
    ['count_cards', 'sometimes'], ['expiring_days', '7'],
  ];
  for (const [field, value] of bad) {
    for (const path of ['/staff/members', '/staff/members.csv']) {
      if (path.endsWith('.csv') && ['cursor', 'limit'].includes(field)) continue;
      const r = await api('GET', m(`${path}?${new URLSearchParams({ [field]: value })}`), { token: owner.token });
      assert.equal(r.status, 400, `${field}=${value}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_field');
      assert.equal(r.json.error.field, field);
      assert.match(r.json.error.message, /[\u4e00-\u9fff]/);
      assert.doesNotMatch(r.json.error.message, /[a-z]{3,}_|invalid/);
    }
  }
  // the count cards' filters are count_cards.test.mjs's; a bad one is said
  const cc = await api('GET', m('/staff/members?count_cards=expiring&expiring_days=400'), { token: owner.token });
  assert.equal(cc.json.error.field, 'expiring_days');
  assert.match(cc.json.error.message, /到期天数/);
  // ranges the wrong way round
  for (const [p, field] of [[{ balance_min_fen: '9', balance_max_fen: '1' }, 'balance_max_fen'], [{ points_min: '9', points_max: '1' }, 'points_max'],
    [{ joined_from: '2026-05-01', joined_to: '2026-04-01' }, 'joined_to']]) {
    const r = await list(owner.token, p);
    assert.equal(r.status, 400);
    assert.equal(r.json.error.field, field);
  }
  // a cursor of one sort given to another
  const page = await list(owner.token, { sort: 'balance', limit: '2' });
  const r = await list(owner.token, { sort: 'spend', limit: '2', cursor: page.json.next_cursor });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.field, 'cursor');
});

/** Minimal CSV reader: quoted fields with doubled quotes. */
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; } else if (c === '\r') continue;
    else if (c === '\n') { row.push(f); rows.push(row); row = []; f = ''; } else f += c;
  }
  return rows;
}

function yuanText(fen) { return `${fen < 0 ? '-' : ''}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`; }
function csvTime(iso) { return iso ? iso.slice(0, 10) + ' ' + iso.slice(11, 16) : ''; }

test('the CSV: a BOM, a Chinese header, the filtered list in its order, phones masked, as the list has them', async () => {
  for (const params of [{ sort: 'balance', order: 'asc' }, { birthday_month: '6' }, { q: '诸葛', sort: 'last_order' }]) {
    const listed = await allPages(params, 100);
    const q = new URLSearchParams({ channel: CHANNEL, ...params });
    const res = await fetch(`${process.env.BASE_URL}${m(`/staff/members.csv?${q}`)}`, { headers: { authorization: `Bearer ${owner.token}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition'), /attachment; filename="members-demo\.csv"/);
    const buf = Buffer.from(await res.arrayBuffer());
    assert.deepEqual([...buf.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = parseCsv(buf.subarray(3).toString('utf8'));
    assert.deepEqual(rows[0], ['会员编号', '姓名', '手机号', '卡号', '会员等级', '余额（元）', '积分', '入会时间', '最近消费', '累计消费（元）']);
    assert.deepEqual(rows.slice(1), listed.map((x) => [String(x.id), x.name, x.phone_masked, `${x.card_no}\t`, x.tier.name,
      yuanText(x.balance_fen), String(x.points), csvTime(x.joined_at), csvTime(x.last_order_at), yuanText(x.spend_fen)]), JSON.stringify(params));
  }
});

test('the CSV of more rows than one page of its stream (500): every member once, in order', async () => {
  const bulk = `mlbulk:${RUN}`;
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, principal_fen, joined_at)
    SELECT ${merchantId}, CONCAT('1${String(RUN).slice(-3).padStart(3, '0')}', LPAD(seq, 7, '0')), CONCAT('批量', seq),
      CONCAT('6${String(RUN).slice(-6).padStart(6, '0')}', LPAD(seq, 9, '0')), '${bulk}', (seq * 7) % 1000, UTC_TIMESTAMP()
    FROM seq_0_to_1199`);
  const res = await fetch(`${process.env.BASE_URL}${m(`/staff/members.csv?channel=${encodeURIComponent(bulk)}&sort=balance&order=asc`)}`,
    { headers: { authorization: `Bearer ${owner.token}` } });
  assert.equal(res.status, 200);
  const lines = parseCsv((await res.text()).replace(/^\uFEFF/, '')).slice(1);
  assert.equal(lines.length, 1200);
  assert.equal(new Set(lines.map((l) => l[0])).size, 1200);
  const bal = lines.map((l) => Math.round(Number(l[5]) * 100));
  assert.ok(bal.every((v, i) => i === 0 || v >= bal[i - 1]), 'balance ascending across pages');
});

test('the CSV: a name Excel would take for a formula gets a quote in front; a comma or quote in a name is quoted', async () => {
  const ch = `mlcsv:${RUN}`;
  const names = ['=1+1', '@SUM(A1)', '王,五', '赵"六"'];
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, joined_at) VALUES ${names.map((n, i) =>
    `(${merchantId}, '${uniquePhone()}', '${n.replace(/'/g, "''")}', '4${RUN.slice(-6).padStart(6, '0')}00000000${i}', '${ch}', '2026-01-0${i + 1} 00:00:00')`).join(',')}`);
  const res = await api('GET', m(`/staff/members.csv?channel=${encodeURIComponent(ch)}&order=asc`), { token: owner.token });
  assert.equal(res.status, 200);
  const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
  assert.match(lines[1], /^\d+,"'=1\+1",/);
  assert.match(lines[2], /^\d+,"'@SUM\(A1\)",/);
  assert.match(lines[3], /^\d+,"王,五",/);
  assert.match(lines[4], /^\d+,"赵""六""",/);
});

test('the detail: profile, tier, balance, ledgers, coupons, orders; 404 for another merchant\'s or no member', async () => {
  const s = seeded[4];
  const r = await api('GET', m(`/staff/members/${s.id}`), { token: mkt.token });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data;
  assert.equal(d.id, s.id);
  assert.equal(d.name, s.name);
  assert.equal(d.phone_masked, `${s.phone.slice(0, 3)}****${s.phone.slice(-4)}`);
  assert.equal(d.tier.level, tierOf(s.growth).level);
  assert.deepEqual(d.balance, { principal_fen: s.principal, bonus_fen: s.bonus, total_fen: s.principal + s.bonus });
  assert.equal(d.points, s.points);
  assert.equal(d.spend_fen, s.spend);
  for (const k of ['wallet_entries', 'points_entries', 'coupons', 'orders']) assert.ok(Array.isArray(d[k]), k);
  assert.equal((await api('GET', m('/staff/members/999999999'), { token: owner.token })).status, 404);
  assert.equal((await api('GET', m('/staff/members/abc'), { token: owner.token })).status, 404);
});

test('a paid order raises spend and last order; a refund takes its money off; the detail shows the order and the ledger', async () => {
  const mem = await newMember();
  await fund(mem, { pay_fen: 10000 });
  const [store] = await storeIds();
  const p = await api('POST', m('/me/payments'), { token: mem.token, body: { order_fen: 3000, store_id: store }, headers: { 'idempotency-key': idemKey() } });
  assert.equal(p.status, 201, p.text);
  const [[orderId, paid]] = await sql(`SELECT id, principal_fen + bonus_fen + cash_fen + card_fen + online_fen FROM orders WHERE member_id = ${mem.id}`);
  let [[spend, last]] = await sql(`SELECT spend_fen, last_order_at FROM members WHERE id = ${mem.id}`);
  assert.equal(Number(spend), Number(paid));
  assert.ok(Number(paid) > 0);
  assert.ok(Math.abs(Date.parse(last.replace(' ', 'T') + 'Z') - Date.now()) < 120000, last);
  const cs = await staff('demo', 'owner');
  const rf = await cs.call('POST', `/staff/orders/${orderId}/refunds`, { amount_fen: 1000 }, { 'idempotency-key': idemKey() });
  assert.equal(rf.status, 201, rf.text);
  [[spend]] = await sql(`SELECT spend_fen FROM members WHERE id = ${mem.id}`);
  assert.equal(Number(spend), Number(paid) - 1000);
  const d = (await api('GET', m(`/staff/members/${mem.id}`), { token: owner.token })).json.data;
  assert.equal(d.spend_fen, Number(paid) - 1000);
  assert.equal(d.orders[0].id, Number(orderId));
  assert.ok(d.wallet_entries.length >= 2);
  assert.equal(d.wallet_entries[0].kind, 'order_refund');
  const byList = (await api('GET', m(`/staff/members?q=${mem.phone}`), { token: owner.token })).json.data;
  assert.equal(byList.length, 1);
  assert.equal(byList[0].spend_fen, Number(paid) - 1000);
  assert.ok(byList[0].last_order_at);
});

test('a rare name among more members than a page reads in order: every sort both ways, paged across the name index, each once', async () => {
  // demo2: 5200 members before and 5200 after seven of one name in every
  // sort's order, so that the in-order read (5000 rows) finds none of them
  // and each page comes from the name's index (ix_member_search) with the
  // cursor of the page before
  const o2 = await staffLogin('demo2', 'owner', 'demo1234');
  const mid = Number((await sql("SELECT id FROM merchants WHERE code = 'demo2'"))[0][0]);
  const tag = RUN.slice(-5);
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, growth, points, principal_fen,
    joined_at, last_order_at, spend_fen)
    SELECT ${mid}, CONCAT('145', LPAD(s.seq, 8, '0')), '填充', CONCAT('5${tag}', LPAD(s.seq, 10, '0')), 'mlfill', 0, 0,
      IF(s.seq < 5200, 0, 90000000), IF(s.seq < 5200, '2001-01-01 00:00:00', '2090-01-01 00:00:00') + INTERVAL s.seq SECOND,
      IF(s.seq < 5200, '1000-01-01 00:00:00', '2090-01-01 00:00:00') + INTERVAL s.seq SECOND, IF(s.seq < 5200, 0, 90000000)
    FROM seq_0_to_10399 s`);
  const rare = [];
  for (let i = 0; i < 7; i++) {
    rare.push({ phone: `1469${tag}${String(i).padStart(2, '0')}`, name: `稀名${'甲乙丙'[i % 3]}${i}`,
      joined: `2026-0${1 + (i % 3)}-1${i} 08:00:00`, last: `2026-05-0${1 + ((i * 3) % 7)} 09:00:00`,
      principal: 1000 + ((i * 370) % 900), spend: i === 3 ? 2222 : 100 + ((i * 911) % 5000), points: i * 10 });
  }
  rare[5].joined = rare[4].joined;	// the same second: the id decides
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, growth, points, principal_fen,
    joined_at, last_order_at, spend_fen) VALUES ${rare.map((x, i) => `(${mid}, '${x.phone}', '${x.name}',
    '6${tag}${String(i).padStart(10, '0')}', 'mlrare', 0, ${x.points}, ${x.principal}, '${x.joined}', '${x.last}', ${x.spend})`).join(',')}`);
  try {
    const ids = new Map((await sql(`SELECT phone, id FROM members WHERE merchant_id = ${mid} AND channel = 'mlrare'`))
      .map(([p, id]) => [p, Number(id)]));
    for (const x of rare) x.id = ids.get(x.phone);
    const key = { joined: (x) => x.joined, last_order: (x) => x.last, balance: (x) => x.principal, spend: (x) => x.spend };
    // (one character: the in-order read first, 5000 rows without one of
    // them; more: the name's index at once; with the unused coupons
    // filter, a subquery: the filtered statement)
    for (const [q, pred, more] of [['稀', () => true, {}], ['稀名', () => true, {}], ['稀名乙', (x) => x.name.startsWith('稀名乙'), {}],
      ['稀名', () => true, { has_unused_coupons: 'false' }]]) {
      for (const sort of Object.keys(key)) {
        for (const order of ['asc', 'desc']) {
          const want = rare.filter(pred).sort((a, b) => {
            const c = key[sort](a) < key[sort](b) ? -1 : key[sort](a) > key[sort](b) ? 1 : a.id - b.id;
            return order === 'desc' ? -c : c;
          }).map((x) => x.id);
          const got = [];
          let cursor = null;
          for (let n = 0; n < 10; n++) {
            const params = new URLSearchParams({ q, sort, order, limit: '2', ...more, ...(cursor ? { cursor } : {}) });
            const r = await api('GET', `/api/v1/m/demo2/staff/members?${params}`, { token: o2.token });
            assert.equal(r.status, 200, r.text);
            assert.ok(r.json.data.length <= 2);
            got.push(...r.json.data.map((x) => x.id));
            cursor = r.json.next_cursor;
            if (cursor === null) break;
          }
          assert.deepEqual(got, want, `${q} ${JSON.stringify(more)} by ${sort} ${order}`);
        }
      }
    }
    // with a filter the names' members are compared on the index entries
    const r = await api('GET', `/api/v1/m/demo2/staff/members?${new URLSearchParams({ q: '稀名', points_min: '20', points_max: '40', sort: 'spend' })}`, { token: o2.token });
    assert.deepEqual(r.json.data.map((x) => x.id), rare.filter((x) => x.points >= 20 && x.points <= 40)
      .sort((a, b) => b.spend - a.spend || b.id - a.id).map((x) => x.id));
    const one = await api('GET', `/api/v1/m/demo2/staff/members?q=${encodeURIComponent(rare[6].name)}`, { token: o2.token });
    assert.equal(one.json.data.length, 1);
    assert.equal(one.json.data[0].name, rare[6].name);
    assert.equal(one.json.data[0].balance_fen, rare[6].principal);
  } finally {
    await sql(`DELETE FROM members WHERE merchant_id = ${mid} AND channel IN ('mlfill', 'mlrare')`);
  }
});
