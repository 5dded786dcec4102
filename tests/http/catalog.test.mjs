// The catalogue through nginx: products for staff (create, read, list with
// filters, change; every validation error naming its field and writing
// nothing; roles, CSRF and other merchants), the CSV export and import
// (format, round trip, all or nothing, the row named in the error, GB18030,
// idempotency), and the public menu of a store with and without a member
// session.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, BASE, uniquePhone, signIn, join, staffLogin, demoStaff, sql } from './lib.mjs';

let marketing, owner, cashier, other;	// other: demo2's marketing
let tiers;				// demo's ladder, by level
let stores;				// demo's store ids

before(async () => {
  [marketing, owner, cashier] = await demoStaff('demo', 'marketing', 'owner', 'cashier');
  other = await staffLogin('demo2', 'marketing', 'demo1234');
  tiers = (await api('GET', m('/tiers'))).json.data.sort((a, b) => a.level - b.level);
  assert.ok(tiers.length >= 2, 'the demo ladder has two tiers or more');
  stores = (await api('GET', m('/staff/stores'), { token: owner.token })).json.data.map((s) => s.id);
  assert.ok(stores.length >= 2, 'demo has two stores');
});

let seq = 0;
function uniqueName(prefix = '测试商品') {
  seq += 1;
  return `${prefix}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

function create(body, token = marketing.token, merchant = 'demo') {
  return api('POST', m('/staff/products', merchant), { token, body });
}

async function createOk(body, token = marketing.token, merchant = 'demo') {
  const r = await create({ name: uniqueName(), price_fen: 2000, ...body }, token, merchant);
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.match(r.json.error.message, /[\u4e00-\u9fff]/, `a Chinese message: ${r.text}`);
}

async function count(q) {
  const [[n]] = await sql(q);
  return Number(n);
}

const demoId = async (code = 'demo') => (await sql(`SELECT id FROM merchants WHERE code = '${code}'`))[0][0];
const productCount = async () => count(`SELECT COUNT(*) FROM products WHERE merchant_id = ${await demoId()}`);
const auditCount = async () => count(`SELECT COUNT(*) FROM audit_log WHERE merchant_id = ${await demoId()} AND action LIKE 'product.%'`);

// ---- products -----------------------------------------------------------

test('marketing creates, reads, lists and changes a product; each write audited', async () => {
  const [l1, l2] = tiers;
  const name = uniqueName('燕麦拿铁');
  const r = await create({
    name: `  ${name} `, category: '咖啡', price_fen: 2600,
    member_prices: [{ tier_level: l2.level, price_fen: 2200 }, { tier_level: l1.level, price_fen: 2400 }],
    store_ids: [stores[1], stores[0], stores[1]], extra_field: 'ignored',
  });
  assert.equal(r.status, 201, r.text);
  const p = r.json.data;
  assert.ok(p.id > 0);
  assert.equal(p.name, name, 'blanks at either end trimmed');
  assert.equal(p.category, '咖啡');
  assert.equal(p.price_fen, 2600);
  assert.deepEqual(p.member_prices, [
    { tier_level: l1.level, price_fen: 2400 }, { tier_level: l2.level, price_fen: 2200 },
  ], 'sorted by tier_level');
  assert.deepEqual(p.store_ids, [stores[0], stores[1]].sort((a, b) => a - b), 'sorted, once each');
  assert.equal(p.active, true, 'active by default');
  assert.equal(p.position, 0);
  assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
  assert.match(p.updated_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal('extra_field' in p, false);

  const g = await api('GET', m(`/staff/products/${p.id}`), { token: owner.token });
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json.data, p);

  const list = await api('GET', m(`/staff/products?q=${encodeURIComponent(name)}`), { token: marketing.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.data.map((x) => x.id), [p.id]);
  assert.equal(list.json.next_cursor, null);

  const plain = await createOk({ name: `${name}-水`, category: null, store_ids: 'all', price_fen: 400 });
  assert.equal(plain.category, null);
  assert.deepEqual(plain.member_prices, []);
  assert.equal(plain.store_ids, 'all');

  // PATCH: only what is given; member_prices and store_ids replaced whole
  const u = await api('PATCH', m(`/staff/products/${p.id}`), {
    token: marketing.token,
    body: { price_fen: 2800, member_prices: [{ tier_level: l2.level, price_fen: 2000 }], store_ids: 'all', position: 5 },
  });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.data.name, name);
  assert.equal(u.json.data.category, '咖啡');
  assert.equal(u.json.data.price_fen, 2800);
  assert.deepEqual(u.json.data.member_prices, [{ tier_level: l2.level, price_fen: 2000 }]);
  assert.equal(u.json.data.store_ids, 'all');
  assert.equal(u.json.data.position, 5);
  assert.equal(u.json.data.created_at, p.created_at);
  const rows = await sql(`SELECT tier_level, price_fen FROM product_member_prices WHERE product_id = ${p.id}`);
  assert.deepEqual(rows, [[String(l2.level), '2000']]);

  // a change without member_prices keeps them; a null category clears it
  const u2 = await api('PATCH', m(`/staff/products/${p.id}`), {
    token: owner.token, body: { category: null, active: false, store_ids: [stores[0]] },
  });
  assert.equal(u2.status, 200, u2.text);
  assert.equal(u2.json.data.category, null);
  assert.equal(u2.json.data.active, false);
  assert.deepEqual(u2.json.data.store_ids, [stores[0]]);
  assert.deepEqual(u2.json.data.member_prices, [{ tier_level: l2.level, price_fen: 2000 }]);

  // filters: category, active, name
  const cat = `分类${process.pid % 1000}-${Date.now() % 1e6}`;
  await api('PATCH', m(`/staff/products/${plain.id}`), { token: marketing.token, body: { category: cat } });
  const byCat = await api('GET', m(`/staff/products?category=${encodeURIComponent(cat)}`), { token: marketing.token });
  assert.deepEqual(byCat.json.data.map((x) => x.id), [plain.id]);
  const off = await api('GET', m(`/staff/products?active=false&q=${encodeURIComponent(name)}`), { token: marketing.token });
  assert.deepEqual(off.json.data.map((x) => x.id), [p.id]);
  const on = await api('GET', m(`/staff/products?active=true&q=${encodeURIComponent(name)}`), { token: marketing.token });
  assert.deepEqual(on.json.data.map((x) => x.id), [plain.id]);
  // LIKE wildcards are literal
  const wild = await api('GET', m('/staff/products?q=%25%25%25'), { token: marketing.token });
  assert.equal(wild.status, 200);
  assert.ok(wild.json.data.every((x) => x.name.includes('%%%')));
  assertError(await api('GET', m('/staff/products?active=yes'), { token: marketing.token }), 400, 'invalid_field', 'active');
  assertError(await api('GET', m('/staff/products?limit=0'), { token: marketing.token }), 400, 'invalid_field', 'limit');

  // every write audited with its product
  const audit = await sql(`SELECT action FROM audit_log WHERE target = 'product:${p.id}' ORDER BY id`);
  assert.deepEqual(audit.map((a) => a[0]), ['product.create', 'product.update', 'product.update']);
});

test('the list pages by cursor, newest first', async () => {
  const tag = uniqueName('翻页');
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await createOk({ name: `${tag}-${i}` })).id);
  const seen = [];
  let cursor = '';
  for (let i = 0; i < 5; i++) {
    const r = await api('GET', m(`/staff/products?limit=2&q=${encodeURIComponent(tag)}${cursor ? `&cursor=${cursor}` : ''}`),
      { token: marketing.token });
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.data.map((x) => x.id));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  assert.deepEqual(seen, [...made].reverse());
});

const l = () => tiers[0].level;
const BAD = [
  [{}, 'name'],
  [{ name: '', price_fen: 100 }, 'name'],
  [{ name: '   ', price_fen: 100 }, 'name'],
  [{ name: 5, price_fen: 100 }, 'name'],
  [{ name: '名'.repeat(65), price_fen: 100 }, 'name'],
  [{ name: '拿\n铁', price_fen: 100 }, 'name'],
  [{ name: 'x' }, 'price_fen'],
  [{ name: 'x', price_fen: 1.5 }, 'price_fen'],
  [{ name: 'x', price_fen: '100' }, 'price_fen'],
  [{ name: 'x', price_fen: -1 }, 'price_fen'],
  [{ name: 'x', price_fen: 100000001 }, 'price_fen'],
  [{ name: 'x', price_fen: 1e300 }, 'price_fen'],
  [{ name: 'x', price_fen: 100, category: '类'.repeat(33) }, 'category'],
  [{ name: 'x', price_fen: 100, category: 7 }, 'category'],
  [{ name: 'x', price_fen: 100, member_prices: {} }, 'member_prices'],
  [{ name: 'x', price_fen: 100, member_prices: [5] }, 'member_prices[0]'],
  [{ name: 'x', price_fen: 100, member_prices: [{ price_fen: 50 }] }, 'member_prices[0].tier_level'],
  [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: 'a', price_fen: 50 }] }, 'member_prices[0].tier_level'],
  () => [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: l() }] }, 'member_prices[0].price_fen'],
  [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: 99, price_fen: 50 }] }, 'member_prices[0].tier_level'],
  () => [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: l(), price_fen: 50 }, { tier_level: l(), price_fen: 40 }] },
    'member_prices[1].tier_level'],
  () => [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: l(), price_fen: 50 }, { tier_level: tiers[1].level, price_fen: 150 }] },
    'member_prices[1].price_fen'],
  () => [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: l(), price_fen: -1 }] }, 'member_prices[0].price_fen'],
  () => [{ name: 'x', price_fen: 100, member_prices: [{ tier_level: l(), price_fen: 2.5 }] }, 'member_prices[0].price_fen'],
  [{ name: 'x', price_fen: 100, member_prices: Array.from({ length: 17 }, (_, i) => ({ tier_level: i + 1, price_fen: 1 })) },
    'member_prices'],
  [{ name: 'x', price_fen: 100, store_ids: [] }, 'store_ids'],
  [{ name: 'x', price_fen: 100, store_ids: 'some' }, 'store_ids'],
  [{ name: 'x', price_fen: 100, store_ids: 3 }, 'store_ids'],
  () => [{ name: 'x', price_fen: 100, store_ids: [stores[0], 99999999] }, 'store_ids[1]'],
  [{ name: 'x', price_fen: 100, store_ids: ['1'] }, 'store_ids[0]'],
  [{ name: 'x', price_fen: 100, active: 'yes' }, 'active'],
  [{ name: 'x', price_fen: 100, position: -1 }, 'position'],
  [{ name: 'x', price_fen: 100, position: 1.5 }, 'position'],
];

test('every bad field is refused naming it, in Chinese without field names, and nothing is written', async () => {
  const before = [await productCount(), await auditCount()];
  for (const c of BAD) {
    const [body, field] = typeof c === 'function' ? c() : c;
    const r = await create(body);
    assertError(r, 400, 'invalid_field', field);
    assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+|tier|price|store/, `no field names in: ${r.text}`);
  }
  // a store of another merchant is not one of demo's
  const theirs = (await api('GET', m('/staff/stores', 'demo2'), { token: other.token })).json.data[0].id;
  assertError(await create({ name: 'x', price_fen: 100, store_ids: [theirs] }), 400, 'invalid_field', 'store_ids[0]');
  assertError(await api('POST', m('/staff/products'), { token: marketing.token, raw: '{"name":', headers: { 'content-type': 'application/json' } }),
    400, 'invalid_json');
  assertError(await api('POST', m('/staff/products'), { token: marketing.token, raw: 'name=x', headers: { 'content-type': 'text/plain' } }),
    415, 'unsupported_media_type');
  assert.deepEqual([await productCount(), await auditCount()], before, 'nothing written');
});

test('a bad change is refused and changes nothing; unknown ids are not found', async () => {
  const p = await createOk({ price_fen: 2000, member_prices: [{ tier_level: tiers[1].level, price_fen: 1800 }] });
  const before = (await api('GET', m(`/staff/products/${p.id}`), { token: marketing.token })).json.data;
  for (const c of BAD.slice(1)) {
    const [body, field] = typeof c === 'function' ? c() : c;
    if (body.name === 'x') delete body.name;	// only the bad field (and its price)
    if (field === 'price_fen' && !('price_fen' in body)) continue;	// a change may leave it out
    const r = await api('PATCH', m(`/staff/products/${p.id}`), { token: marketing.token, body });
    assertError(r, 400, 'invalid_field', field);
  }
  // a new price below a member price kept names the price
  assertError(await api('PATCH', m(`/staff/products/${p.id}`), { token: marketing.token, body: { price_fen: 1700 } }),
    400, 'invalid_field', 'price_fen');
  // a null name is a missing one
  assertError(await api('PATCH', m(`/staff/products/${p.id}`), { token: marketing.token, body: { name: null } }),
    400, 'invalid_field', 'name');
  const after = (await api('GET', m(`/staff/products/${p.id}`), { token: marketing.token })).json.data;
  assert.deepEqual(after, before, 'unchanged');

  for (const path of ['/staff/products/999999999', '/staff/products/0', '/staff/products/abc', '/staff/products/-1']) {
    const g = await api('GET', m(path), { token: marketing.token });
    assertError(g, 404, 'not_found');
    assert.equal(g.json.error.message, '商品不存在');
  }
  assertError(await api('PATCH', m('/staff/products/999999999'), { token: marketing.token, body: { name: 'x' } }), 404, 'not_found');
});

test('roles: owner and marketing only; CSRF with the cookie; other merchants', async () => {
  const body = { name: uniqueName('权限'), price_fen: 100 };
  const p = await createOk({}, owner.token);
  assertError(await create(body, cashier.token), 403, 'forbidden');
  for (const path of ['/staff/products', `/staff/products/${p.id}`, '/staff/products.csv']) {
    assertError(await api('GET', m(path), { token: cashier.token }), 403, 'forbidden');
  }
  assertError(await api('PATCH', m(`/staff/products/${p.id}`), { token: cashier.token, body: { price_fen: 1 } }), 403, 'forbidden');
  assertError(await api('POST', m('/staff/products.csv'), {
    token: cashier.token, raw: 'id,name,category,price_yuan,member_prices,store_ids,active\r\n', headers: { 'content-type': 'text/csv' },
  }), 403, 'forbidden');

  const phone = uniquePhone();
  const memberToken = await signIn('demo', phone);
  await join('demo', memberToken);
  assertError(await api('GET', m('/staff/products'), { token: memberToken }), 403, 'forbidden');
  assertError(await create(body, memberToken), 403, 'forbidden');
  assertError(await api('GET', m('/staff/products')), 401, 'unauthorized');

  const cookie = { cookie: `sid=${marketing.token}` };
  assertError(await api('POST', m('/staff/products'), { headers: cookie, body }), 403, 'forbidden');
  assertError(await api('PATCH', m(`/staff/products/${p.id}`), { headers: cookie, body: { price_fen: 1 } }), 403, 'forbidden');
  const ok = await api('POST', m('/staff/products'), { headers: { ...cookie, 'x-csrf-token': marketing.csrf_token }, body });
  assert.equal(ok.status, 201, ok.text);
  assert.equal((await api('GET', m('/staff/products?limit=1'), { headers: cookie })).status, 200, 'reading needs no CSRF');

  // another merchant's token under demo's path; demo's product under demo2
  assertError(await api('GET', m(`/staff/products/${p.id}`), { token: other.token }), 403, 'forbidden');
  assertError(await create(body, other.token), 403, 'forbidden');
  assertError(await api('GET', m(`/staff/products/${p.id}`, 'demo2'), { token: marketing.token }), 403, 'forbidden');
  assertError(await api('GET', m(`/staff/products/${p.id}`, 'demo2'), { token: other.token }), 404, 'not_found');
  assertError(await api('PATCH', m(`/staff/products/${p.id}`, 'demo2'), { token: other.token, body: { price_fen: 1 } }),
    404, 'not_found');
  const mine = await api('GET', m(`/staff/products/${p.id}`), { token: marketing.token });
  assert.equal(mine.json.data.price_fen, 2000, 'unchanged by demo2');
  const theirs = await createOk({}, other.token, 'demo2');
  assertError(await api('GET', m(`/staff/products/${theirs.id}`), { token: marketing.token }), 404, 'not_found');
  const list = await api('GET', m(`/staff/products?q=${encodeURIComponent(theirs.name)}`), { token: marketing.token });
  assert.deepEqual(list.json.data, [], 'demo lists none of demo2');
});

// ---- CSV ----------------------------------------------------------------

const HEADER = 'id,name,category,price_yuan,member_prices,store_ids,active';

async function exportCsv(token = marketing.token, merchant = 'demo') {
  const res = await fetch(BASE + m('/staff/products.csv', merchant), { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(res.headers.get('content-disposition'), `attachment; filename="products-${merchant}.csv"`);
  return Buffer.from(await res.arrayBuffer());
}

function importCsv(text, token = marketing.token, headers = {}) {
  return api('POST', m('/staff/products.csv'), {
    token, raw: typeof text === 'string' ? Buffer.from(text, 'utf8') : text,
    headers: { 'content-type': 'text/csv; charset=utf-8', ...headers },
  });
}

/* The records of a CSV text (RFC 4180), as arrays of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [], f = '', q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(f); f = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(f); rows.push(row); row = []; f = ''; i++; } else f += c;
  }
  if (f !== '' || row.length) { row.push(f); rows.push(row); }
  return rows;
}

test('CSV export: BOM, header, yuan, member prices, stores, quoting', async () => {
  const [l1, l2] = tiers;
  const name = uniqueName('冷萃, "大杯"');
  const p = await createOk({
    name, category: '咖啡', price_fen: 1250,
    member_prices: [{ tier_level: l2.level, price_fen: 1000 }, { tier_level: l1.level, price_fen: 1100 }],
    store_ids: [stores[1], stores[0]],
  });
  const q = await createOk({ name: `=${uniqueName('公式')}`, price_fen: 5, active: false });
  const bytes = await exportCsv();
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM for Excel');
  const text = bytes.subarray(3).toString('utf8');
  assert.ok(text.endsWith('\r\n'));
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], HEADER.split(','));
  const ids = rows.slice(1).map((r) => Number(r[0]));
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'by id');
  const mine = rows.find((r) => r[0] === String(p.id));
  const sorted = [stores[0], stores[1]].sort((a, b) => a - b);
  assert.deepEqual(mine, [String(p.id), name, '咖啡', '12.50', `${l1.level}:11.00;${l2.level}:10.00`, sorted.join(';'), '1']);
  assert.ok(text.includes(`,"${name.replace(/"/g, '""')}",`), 'the name quoted, quotes doubled');
  const f = rows.find((r) => r[0] === String(q.id));
  assert.deepEqual(f, [String(q.id), `'${q.name}`, '', '0.05', '', 'all', '0'], 'a formula-like name guarded');
  const total = await count(`SELECT COUNT(*) FROM products WHERE merchant_id = ${await demoId()}`);
  assert.equal(rows.length - 1, total, 'every product of the merchant');
  const theirs = await createOk({}, other.token, 'demo2');
  assert.ok(!rows.some((r) => r[0] === String(theirs.id)));
  assert.ok(!(await exportCsv(other.token, 'demo2')).toString('utf8').includes(`\r\n${p.id},`), 'demo2 exports its own');
});

test('CSV round trip: the export imported unchanged updates every row and exports the same', async () => {
  await createOk({ name: uniqueName('往返'), member_prices: [{ tier_level: tiers[0].level, price_fen: 1 }] });
  const first = await exportCsv();
  const rows = parseCsv(first.subarray(3).toString('utf8'));
  const r = await importCsv(first);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { created: 0, updated: rows.length - 1 });
  const again = await exportCsv();
  assert.equal(again.toString('utf8'), first.toString('utf8'), 'the same file');

  // changed in a spreadsheet: a price edited, a row added, \n line ends, no BOM
  const p = await createOk({ name: uniqueName('改价'), price_fen: 1500, position: 7 });
  const added = uniqueName('新品');
  const text = `${HEADER}\n${p.id},${p.name},饮品,16.5,,all,0\n,${added},饮品,￥9,${tiers[0].level}：8.5,全部,上架\n`;
  const r2 = await importCsv(text);
  assert.equal(r2.status, 200, r2.text);
  assert.deepEqual(r2.json.data, { created: 1, updated: 1 });
  const g = (await api('GET', m(`/staff/products/${p.id}`), { token: marketing.token })).json.data;
  assert.equal(g.price_fen, 1650);
  assert.equal(g.category, '饮品');
  assert.equal(g.active, false);
  assert.equal(g.position, 7, 'an update keeps the position');
  const n = (await api('GET', m(`/staff/products?q=${encodeURIComponent(added)}`), { token: marketing.token })).json.data;
  assert.equal(n.length, 1);
  assert.deepEqual(n[0].member_prices, [{ tier_level: tiers[0].level, price_fen: 850 }]);
  assert.equal(n[0].price_fen, 900);
  assert.equal(n[0].store_ids, 'all');
  assert.equal(n[0].active, true);
  const audit = await sql(`SELECT detail FROM audit_log WHERE action = 'product.import' ORDER BY id DESC LIMIT 1`);
  assert.deepEqual(JSON.parse(audit[0][0]), { created: [n[0].id], updated: [p.id] });
});

test('CSV import is all or nothing: the first bad row refuses the file, naming the row', async () => {
  const p = await createOk({ name: uniqueName('不变'), price_fen: 1000 });
  const theirs = await createOk({}, other.token, 'demo2');
  const good = `,${uniqueName('好行')},咖啡,10,,all,1\n${p.id},${p.name}-改,咖啡,11,,all,1\n`;
  const cases = [
    [',坏价格,咖啡,-1,,all,1', '第 4 行：价格应为不小于 0 的金额'],
    [',坏价格,咖啡,12.345,,all,1', '第 4 行：价格应为不小于 0 的金额'],
    [',没有价格,咖啡,,,all,1', '第 4 行：价格应为不小于 0 的金额'],
    [',,咖啡,10,,all,1', '第 4 行：名称不能为空'],
    [',坏等级,咖啡,10,99:5,all,1', '第 4 行：会员等级 99 不存在'],
    [`,太贵,咖啡,10,${tiers[0].level}:11,all,1`, `第 4 行：等级 ${tiers[0].level} 的会员价不能高于价格`],
    [',坏会员价,咖啡,10,一级八折,all,1', '第 4 行：会员价应写成'],
    [',坏门店,咖啡,10,,99999999,1', '第 4 行：门店 99999999 不存在'],
    [',坏门店,咖啡,10,,1/2,1', '第 4 行：门店应为 all'],
    [',坏上架,咖啡,10,,all,maybe', '第 4 行：上架应为 1'],
    ['99999999,不存在,咖啡,10,,all,1', '第 4 行：商品编号 99999999 不存在'],
    [`${theirs.id},别家的,咖啡,10,,all,1`, `第 4 行：商品编号 ${theirs.id} 不存在`],
    [`${p.id},重复,咖啡,10,,all,1`, '第 4 行：商品编号'],
    ['abc,坏编号,咖啡,10,,all,1', '第 4 行：商品编号应为数字'],
    [',多列,咖啡,10,,all,1,多余', '第 4 行：列数过多'],
    [',"没闭合,咖啡,10,,all,1', '第 4 行：引号未闭合'],
    [',"引号"后,咖啡,10,,all,1', '第 4 行：引号后应紧跟逗号或换行'],
  ];
  const before = [await productCount(), await auditCount()];
  for (const [bad, msg] of cases) {
    const r = await importCsv(`${HEADER}\r\n${good}${bad}\r\n,${uniqueName('后面')},咖啡,10,,all,1\r\n`);
    assertError(r, 400, 'invalid_field', 'csv');
    assert.ok(r.json.error.message.startsWith(msg), `${r.json.error.message} starts with ${msg}`);
  }
  // a quoted line break is read as part of its field (and a name has none)
  const nl = await importCsv(`${HEADER}\r\n,"两行\r\n名称",咖啡,10,,all,1\r\n,x,咖啡,-1,,all,1\r\n`);
  assert.match(nl.json.error.message, /^第 2 行：名称不能包含换行/);
  // the header and the file itself
  for (const [text, msg] of [
    ['id,name,price\r\n,x,1\r\n', '第 1 行：应为表头'],
    ['编号,名称,分类,价格,会员价,门店,上架\r\n', '第 1 行：应为表头'],
    ['', '文件为空'],
    ['\ufeff', '文件为空'],
  ]) {
    const r = await importCsv(text);
    assertError(r, 400, 'invalid_field', 'csv');
    assert.ok(r.json.error.message.startsWith(msg), r.text);
  }
  const nul = await importCsv(Buffer.from(`${HEADER}\r\n,a\0b,,1\r\n`));
  assertError(nul, 400, 'invalid_field', 'csv');
  const bin = await importCsv(Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x81]));
  assertError(bin, 400, 'invalid_field', 'csv');
  assertError(await api('POST', m('/staff/products.csv'), {
    token: marketing.token, body: { csv: HEADER },
  }), 415, 'unsupported_media_type');
  assert.deepEqual([await productCount(), await auditCount()], before, 'nothing written');
  const g = (await api('GET', m(`/staff/products/${p.id}`), { token: marketing.token })).json.data;
  assert.equal(g.name, p.name);
  assert.equal(g.price_fen, 1000);
});

test('CSV import: a file Excel saved as GB18030, blank rows, and an Idempotency-Key replay', async () => {
  // "拿铁大杯" and "咖啡" in GB18030 (the bytes Excel writes on Chinese Windows)
  const tag = `${process.pid % 1000}${Date.now() % 100000}`;
  const gbk = Buffer.concat([
    Buffer.from(`${HEADER}\r\n,`),
    Buffer.from([0xc4, 0xc3, 0xcc, 0xfa, 0xb4, 0xf3, 0xb1, 0xad]), Buffer.from(tag),
    Buffer.from(','), Buffer.from([0xbf, 0xa7, 0xb7, 0xc8]), Buffer.from(',30,,,\r\n\r\n,,,,,,\r\n'),
  ]);
  const r = await importCsv(gbk, marketing.token, { 'content-type': 'application/vnd.ms-excel' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { created: 1, updated: 0 }, 'blank rows skipped');
  const got = (await api('GET', m(`/staff/products?q=${encodeURIComponent(`拿铁大杯${tag}`)}`), { token: marketing.token })).json.data;
  assert.equal(got.length, 1);
  assert.equal(got[0].category, '咖啡');
  assert.equal(got[0].price_fen, 3000);

  const name = uniqueName('幂等');
  const body = `${HEADER}\r\n,${name},,1,,,\r\n`;
  const key = { 'idempotency-key': `catalog-${process.pid}-${Date.now()}-${seq}` };
  const a = await importCsv(body, marketing.token, key);
  const b = await importCsv(body, marketing.token, key);
  assert.equal(a.status, 200, a.text);
  assert.equal(b.status, 200, b.text);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(b.json, a.json);
  const made = (await api('GET', m(`/staff/products?q=${encodeURIComponent(name)}`), { token: marketing.token })).json.data;
  assert.equal(made.length, 1, 'created once');
  assertError(await importCsv(`${body},又一个,,1,,,\r\n`, marketing.token, key), 409, 'idempotency_key_reused');
});

// ---- the menu -----------------------------------------------------------

test('the menu of a store: active products sold there, with the member tier price when signed in', async () => {
  const [l1, l2] = tiers;
  const tag = uniqueName('菜单');
  const a = await createOk({
    name: `${tag}-全店`, price_fen: 2200, category: '咖啡', position: 1,
    member_prices: [{ tier_level: l1.level, price_fen: 2100 }, { tier_level: l2.level, price_fen: 2000 }],
  });
  const b = await createOk({ name: `${tag}-二店`, price_fen: 1500, store_ids: [stores[1]], position: 1 });
  const c = await createOk({ name: `${tag}-下架`, price_fen: 1000, active: false });
  const d = await createOk({ name: `${tag}-仅二级`, price_fen: 3000, position: 2, member_prices: [{ tier_level: l2.level, price_fen: 2500 }] });
  const e = await createOk({ name: `${tag}-靠前`, price_fen: 100, category: '咖啡', position: 0 });
  const f = await createOk({ name: `${tag}-同位`, price_fen: 100, category: '咖啡', position: 1 });
  const mine = (rows) => rows.filter((x) => x.name.startsWith(tag));

  const anon = await api('GET', m(`/products?store_id=${stores[0]}`));
  assert.equal(anon.status, 200, anon.text);
  assert.equal(anon.json.next_cursor, null);
  const s1 = mine(anon.json.data);
  assert.deepEqual(s1.map((x) => x.id), [e.id, a.id, f.id, d.id],
    'not sold here, inactive: left out; by position, then category, then id');
  assert.deepEqual(s1[1], { id: a.id, name: a.name, category: '咖啡', price_fen: 2200, member_price_fen: null });
  assert.ok(s1.every((x) => x.member_price_fen === null), 'no member session: no member price');
  const s2 = mine((await api('GET', m(`/products?store_id=${stores[1]}`))).json.data);
  assert.deepEqual(s2.map((x) => x.id).sort((x, y) => x - y), [a.id, b.id, d.id, e.id, f.id].sort((x, y) => x - y));
  assert.ok(!s2.some((x) => x.id === c.id));
  // the whole menu: positions never go down
  const pos = new Map();
  for (const [id, p] of await sql(`SELECT id, position FROM products WHERE merchant_id = ${await demoId()}`)) {
    pos.set(Number(id), Number(p));
  }
  const seen = anon.json.data.map((x) => pos.get(x.id));
  assert.deepEqual(seen, [...seen].sort((x, y) => x - y));

  // a member at the lowest tier, then one grown into the second
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const joined = await join('demo', token);
  const low = mine((await api('GET', m(`/products?store_id=${stores[0]}`), { token })).json.data);
  assert.equal(low.find((x) => x.id === a.id).member_price_fen, 2100);
  assert.equal(low.find((x) => x.id === d.id).member_price_fen, null, 'no price for that tier');
  await sql(`UPDATE members SET growth = ${l2.growth} WHERE id = ${joined.member.id}`);
  const high = mine((await api('GET', m(`/products?store_id=${stores[0]}`), { headers: { cookie: `sid=${token}` } })).json.data);
  assert.equal(high.find((x) => x.id === a.id).member_price_fen, 2000);
  assert.equal(high.find((x) => x.id === d.id).member_price_fen, 2500);
  assert.equal(high.find((x) => x.id === e.id).member_price_fen, null);

  // a session that is not a member of demo is ignored: list prices only
  const visitor = await signIn('demo', uniquePhone());
  const v = mine((await api('GET', m(`/products?store_id=${stores[0]}`), { token: visitor })).json.data);
  assert.ok(v.every((x) => x.member_price_fen === null));
  const elsewhere = await signIn('demo2', uniquePhone());
  await join('demo2', elsewhere);
  const o = await api('GET', m(`/products?store_id=${stores[0]}`), { token: elsewhere });
  assert.equal(o.status, 200, o.text);
  assert.ok(mine(o.json.data).every((x) => x.member_price_fen === null));
  const staff = await api('GET', m(`/products?store_id=${stores[0]}`), { token: marketing.token });
  assert.equal(staff.status, 200);
  assert.ok(mine(staff.json.data).every((x) => x.member_price_fen === null));

  // store_id: required, an integer, a store of this merchant
  const theirStore = (await api('GET', m('/staff/stores', 'demo2'), { token: other.token })).json.data[0].id;
  for (const q of ['', '?store_id=', '?store_id=abc', '?store_id=0', '?store_id=99999999', `?store_id=${theirStore}`]) {
    assertError(await api('GET', m(`/products${q}`)), 400, 'invalid_field', 'store_id');
  }
  assertError(await api('GET', m(`/products?store_id=${stores[0]}`, 'no-such-shop')), 404, 'not_found');
});

test('the demo menu is seeded: a coffee shop with member prices', async () => {
  const menu = (await api('GET', m(`/products?store_id=${stores[0]}`))).json.data;
  const names = menu.map((x) => x.name);
  for (const n of ['美式咖啡', '拿铁', '燕麦拿铁', '卡布奇诺', '可颂', '芝士蛋糕', '瓶装水']) assert.ok(names.includes(n), n);
  const latte = (await api('GET', m('/staff/products?q=%E6%8B%BF%E9%93%81&category=%E5%92%96%E5%95%A1'), { token: marketing.token }))
    .json.data.find((x) => x.name === '拿铁');
  assert.ok(latte, 'the seeded latte');
  assert.equal(latte.price_fen, 2200);
  assert.ok(latte.member_prices.length >= 1);
});
