// Coupons through nginx: templates (marketing), the coupon centre, claims
// and their errors, validity, my coupons, promo codes and their CSV,
// redemption at the counter and voiding, idempotency and scoping.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, BASE, uniquePhone, signIn, join, staffLogin, demoStaff, sql } from './lib.mjs';

const CODE_RE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/;
const DAY = 86400 * 1000;
let marketing, owner, cashier;

before(async () => {
  [marketing, owner, cashier] = await demoStaff('demo', 'marketing', 'owner', 'cashier');
});

let seq = 0;
function uniqueName(prefix = '测试券') {
  seq += 1;
  return `${prefix}${process.pid % 1000}-${Date.now() % 100000}-${seq}`;
}

function tplBody(extra = {}) {
  return {
    name: uniqueName(), kind: 'instant', value_fen: 500, stock: null,
    per_member_limit: 1, valid_days: 7, status: 'active', ...extra,
  };
}

async function createTemplate(extra = {}, token = marketing.token, merchant = 'demo') {
  const r = await api('POST', m('/staff/coupon-templates', merchant), { token, body: tplBody(extra) });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

async function member(merchant = 'demo') {
  const phone = uniquePhone();
  const token = await signIn(merchant, phone);
  const j = await join(merchant, token);
  return { token, phone, id: j.member.id };
}

function claim(who, templateId, extra = {}) {
  return api('POST', m('/coupons'), { token: who.token, body: { template_id: templateId, ...extra } });
}

async function claimOk(who, templateId) {
  const r = await claim(who, templateId);
  assert.equal(r.status, 201, r.text);
  return r.json.data.coupon;
}

function redeem(body, token = cashier.token, headers = {}) {
  return api('POST', m('/staff/redemptions'), { token, body: { store_id: 1, ...body }, headers });
}

function assertError(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json?.error?.code, code, r.text);
  if (field !== undefined) assert.equal(r.json.error.field, field, r.text);
  assert.ok(r.json.error.message.length > 0);
}

async function count(q) {
  const [[n]] = await sql(q);
  return Number(n);
}

// ---- templates ----------------------------------------------------------

test('marketing creates, reads, lists and changes a template', async () => {
  const name = uniqueName();
  const r = await api('POST', m('/staff/coupon-templates'), {
    token: marketing.token,
    body: {
      name, kind: 'threshold', value_fen: 1000, threshold_fen: 5000, stock: 200,
      per_member_limit: 2, claim_from: '2026-01-01', claim_until: '2036-12-31',
      valid_days: 30, valid_next_day: true, store_ids: [2, 1, 2], stackable: true,
      audience: { tiers: [2, 3] }, description: '满 50 可用',
    },
  });
  assert.equal(r.status, 201, r.text);
  const t = r.json.data;
  assert.equal(t.name, name);
  assert.equal(t.kind, 'threshold');
  assert.equal(t.value_fen, 1000);
  assert.equal(t.threshold_fen, 5000);
  assert.equal(t.stock, 200);
  assert.equal(t.stock_left, 200);
  assert.equal(t.claimed, 0);
  assert.equal(t.used, 0);
  assert.equal(t.per_member_limit, 2);
  assert.equal(t.status, 'draft', 'status defaults to draft');
  assert.equal(t.listed, true);
  assert.deepEqual(t.store_ids, [1, 2]);
  assert.deepEqual(t.audience, { tiers: [2, 3] });
  assert.equal(t.valid_days, 30);
  assert.equal(t.valid_next_day, true);
  assert.equal(t.claim_from, '2026-01-01T00:00:00+08:00');
  assert.equal(t.claim_until, '2036-12-31T23:59:59+08:00');
  assert.equal(t.summary, '满50减10');

  const g = await api('GET', m(`/staff/coupon-templates/${t.id}`), { token: marketing.token });
  assert.equal(g.status, 200);
  assert.deepEqual(g.json.data, t);

  const p = await api('PATCH', m(`/staff/coupon-templates/${t.id}`), {
    token: marketing.token, body: { name: `${name}改`, status: 'active', store_ids: 'all', audience: 'all' },
  });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.data.name, `${name}改`);
  assert.equal(p.json.data.status, 'active');
  assert.equal(p.json.data.store_ids, 'all');
  assert.equal(p.json.data.audience, 'all');
  assert.equal(p.json.data.value_fen, 1000, 'fields not given stay');

  const l = await api('GET', m('/staff/coupon-templates?status=active&limit=100'), { token: marketing.token });
  assert.equal(l.status, 200);
  assert.ok(l.json.data.some((x) => x.id === t.id));
  assert.ok(l.json.data.every((x) => x.status === 'active'));
  assertError(await api('GET', m('/staff/coupon-templates?status=open'), { token: marketing.token }),
    400, 'invalid_field', 'status');
  const [[audits]] = await sql(`SELECT COUNT(*) FROM audit_log WHERE target = 'coupon_template:${t.id}'`);
  assert.equal(Number(audits), 2);
});

test('template validation rejects nonsense and writes nothing', async () => {
  const cases = [
    [{ kind: 'discount', value_fen: null, discount_pct: 0 }, 'discount_pct'],
    [{ kind: 'discount', value_fen: null, discount_pct: 100 }, 'discount_pct'],
    [{ kind: 'threshold', value_fen: 1000, threshold_fen: 999 }, 'threshold_fen'],
    [{ kind: 'threshold', value_fen: 1000 }, 'threshold_fen'],
    [{ kind: 'instant', value_fen: null }, 'value_fen'],
    [{ kind: 'instant', threshold_fen: 100 }, 'threshold_fen'],
    [{ kind: 'gift', value_fen: null }, 'gift_item'],
    [{ kind: 'promo_code', value_fen: 100, discount_pct: 90 }, 'value_fen'],
    [{ kind: 'cash' }, 'kind'],
    [{ claim_from: '2030-01-02', claim_until: '2030-01-01' }, 'claim_until'],
    [{ valid_days: null, valid_from: '2030-02-01', valid_until: '2030-01-01' }, 'valid_until'],
    [{ valid_days: null, valid_from: '2020-01-01', valid_until: '2020-02-01' }, 'valid_until'],
    [{ valid_days: null }, 'valid_until'],
    [{ valid_from: '2030-01-01', valid_until: '2030-02-01' }, 'valid_days'],
    [{ valid_days: 0 }, 'valid_days'],
    [{ valid_days: null, valid_until: '2030-13-01' }, 'valid_until'],
    [{ stock: 0 }, 'stock'],
    [{ stock: 'many' }, 'stock'],
    [{ per_member_limit: 0 }, 'per_member_limit'],
    [{ store_ids: [999999] }, 'store_ids'],
    [{ store_ids: [3] }, 'store_ids'],
    [{ store_ids: [] }, 'store_ids'],
    [{ audience: { tiers: [9] } }, 'audience'],
    [{ audience: 'vip' }, 'audience'],
    [{ status: 'open' }, 'status'],
    [{ name: '' }, 'name'],
  ];
  for (const [extra, field] of cases) {
    const body = tplBody(extra);
    const r = await api('POST', m('/staff/coupon-templates'), { token: marketing.token, body });
    assertError(r, 400, 'invalid_field', field);
    assert.equal(await count(`SELECT COUNT(*) FROM coupon_templates WHERE name = '${body.name}'`), 0);
  }
  const noStock = tplBody();
  delete noStock.stock;
  assertError(await api('POST', m('/staff/coupon-templates'), { token: marketing.token, body: noStock }),
    400, 'invalid_field', 'stock');

  // a change that fails validation changes nothing
  const t = await createTemplate({ kind: 'discount', value_fen: null, discount_pct: 85 });
  assertError(await api('PATCH', m(`/staff/coupon-templates/${t.id}`), {
    token: marketing.token, body: { name: 'x', discount_pct: 100 },
  }), 400, 'invalid_field', 'discount_pct');
  const g = await api('GET', m(`/staff/coupon-templates/${t.id}`), { token: marketing.token });
  assert.equal(g.json.data.name, t.name);
  assert.equal(g.json.data.discount_pct, 85);
  assertError(await api('PATCH', m('/staff/coupon-templates/999999999'), {
    token: marketing.token, body: { name: 'x' },
  }), 404, 'not_found');
});

test('template routes: roles, CSRF with the cookie, other merchants', async () => {
  assertError(await api('POST', m('/staff/coupon-templates'), { token: cashier.token, body: tplBody() }),
    403, 'forbidden');
  assertError(await api('GET', m('/staff/coupon-templates'), { token: cashier.token }), 403, 'forbidden');
  const me = await member();
  assertError(await api('GET', m('/staff/coupon-templates'), { token: me.token }), 403, 'forbidden');
  assertError(await api('GET', m('/staff/coupon-templates')), 401, 'unauthorized');
  const cookie = { cookie: `sid=${marketing.token}` };
  const body = tplBody();
  assertError(await api('POST', m('/staff/coupon-templates'), { headers: cookie, body }), 403, 'forbidden');
  const ok = await api('POST', m('/staff/coupon-templates'), {
    headers: { ...cookie, 'x-csrf-token': marketing.csrf_token }, body,
  });
  assert.equal(ok.status, 201, ok.text);
  assertError(await api('GET', m(`/staff/coupon-templates/${ok.json.data.id}`, 'demo2'), { token: marketing.token }),
    403, 'forbidden');
  const other = await staffLogin('demo2', 'marketing', 'demo1234');
  assertError(await api('GET', m(`/staff/coupon-templates/${ok.json.data.id}`, 'demo2'), { token: other.token }),
    404, 'not_found');
});

test('stock changes never go below what was issued', async () => {
  const me = await member();
  const t = await createTemplate({ stock: 5, per_member_limit: 3 });
  await claimOk(me, t.id);
  await claimOk(me, t.id);
  const patch = (stock) => api('PATCH', m(`/staff/coupon-templates/${t.id}`), { token: marketing.token, body: { stock } });
  assertError(await patch(1), 400, 'invalid_field', 'stock');
  let r = await patch(2);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.stock_left, 0);
  r = await patch(10);
  assert.equal(r.json.data.stock_left, 8);
  r = await patch(null);
  assert.equal(r.json.data.stock, null);
  assert.equal(r.json.data.stock_left, null);
  await claimOk(me, t.id);
  r = await patch(4);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.stock_left, 1, 'unlimited to limited counts the 3 issued');
  assert.equal(r.json.data.claimed, 3);
  assertError(await patch(2), 400, 'invalid_field', 'stock');
});

// ---- the coupon centre and claims ----------------------------------------

test('claiming issues a coupon with a code and takes one from the stock', async () => {
  const me = await member();
  const t = await createTemplate({ kind: 'threshold', value_fen: 1000, threshold_fen: 5000, stock: 10 });
  const c = await claimOk(me, t.id);
  assert.match(c.code, CODE_RE);
  assert.equal(c.template_id, t.id);
  assert.equal(c.name, t.name);
  assert.equal(c.kind, 'threshold');
  assert.equal(c.status, 'unused');
  assert.match(c.valid_from, /\+08:00$/);
  assert.match(c.valid_until, /T23:59:59\+08:00$/);
  assert.equal(c.value_fen, 1000);
  assert.equal(c.threshold_fen, 5000);
  const [[memberId, left, claimed, channel]] = await sql(
    `SELECT c.member_id, t.stock_left, k.claimed, c.channel FROM coupons c
     JOIN coupon_templates t ON t.id = c.template_id
     JOIN coupon_claims k ON k.template_id = t.id AND k.member_id = c.member_id
     WHERE c.merchant_id = 1 AND c.code = '${c.code}'`);
  assert.equal(Number(memberId), me.id);
  assert.equal(Number(left), 9);
  assert.equal(Number(claimed), 1);
  assert.equal(channel, 'claim');
});

test('claim errors: out_of_stock, limit_reached, not_started, ended, not_eligible, not_found', async () => {
  const a = await member();
  const b = await member();
  const one = await createTemplate({ stock: 1 });
  await claimOk(a, one.id);
  assertError(await claim(b, one.id), 409, 'out_of_stock');
  assertError(await claim(a, one.id), 409, 'limit_reached');

  const later = await createTemplate({ claim_from: new Date(Date.now() + DAY).toISOString() });
  assertError(await claim(a, later.id), 409, 'not_started');
  const over = await createTemplate({
    claim_from: new Date(Date.now() - 2 * DAY).toISOString(),
    claim_until: new Date(Date.now() - DAY).toISOString(),
  });
  assertError(await claim(a, over.id), 409, 'ended');
  const paused = await createTemplate({ status: 'paused' });
  assertError(await claim(a, paused.id), 409, 'ended');
  const ended = await createTemplate({ status: 'ended' });
  assertError(await claim(a, ended.id), 409, 'ended');

  const vip = await createTemplate({ audience: { tiers: [3] } });
  assertError(await claim(a, vip.id), 403, 'not_eligible');
  await sql(`UPDATE members SET growth = 6000 WHERE id = ${a.id}`);
  await claimOk(a, vip.id);

  const fresh = await createTemplate({ audience: 'new_members' });
  await sql(`UPDATE members SET joined_at = UTC_TIMESTAMP() - INTERVAL 40 DAY WHERE id = ${b.id}`);
  assertError(await claim(b, fresh.id), 403, 'not_eligible');
  await claimOk(a, fresh.id);

  const promo = await createTemplate({ kind: 'promo_code' });
  assertError(await claim(a, promo.id), 403, 'not_eligible');
  const hidden = await createTemplate({ listed: false });
  assertError(await claim(a, hidden.id), 403, 'not_eligible');

  const draft = await createTemplate({ status: 'draft' });
  assertError(await claim(a, draft.id), 404, 'not_found');
  assertError(await claim(a, 999999999), 404, 'not_found');
  const other = await createTemplate({}, (await staffLogin('demo2', 'marketing', 'demo1234')).token, 'demo2');
  assertError(await claim(a, other.id), 404, 'not_found');

  // none of the refusals wrote anything
  for (const t of [later, over, paused, ended, promo, hidden, draft]) {
    assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE template_id = ${t.id}`), 0);
    assert.equal(await count(`SELECT COUNT(*) FROM coupon_claims WHERE template_id = ${t.id}`), 0);
  }
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE template_id = ${one.id}`), 1);
  const [[left]] = await sql(`SELECT stock_left FROM coupon_templates WHERE id = ${one.id}`);
  assert.equal(Number(left), 0);
});

test('claim input, sign-in and campaign checks', async () => {
  const me = await member();
  assertError(await api('POST', m('/coupons'), { token: me.token, body: {} }), 400, 'invalid_field', 'template_id');
  assertError(await api('POST', m('/coupons'), { token: me.token, body: { template_id: 'a' } }),
    400, 'invalid_field', 'template_id');
  assertError(await api('POST', m('/coupons'), {
    token: me.token, raw: 'template_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' },
  }), 415, 'unsupported_media_type');
  assertError(await api('POST', m('/coupons'), { body: { template_id: 1 } }), 401, 'unauthorized');
  const t = await createTemplate();
  assertError(await claim(me, t.id, { campaign: 'Bad Slug!' }), 400, 'invalid_field', 'campaign');
  assertError(await claim(me, t.id, { campaign: `no-such-campaign-${Date.now()}` }), 404, 'not_found');
  assertError(await api('POST', m('/coupons', 'demo2'), { token: me.token, body: { template_id: t.id } }),
    403, 'forbidden');
  // signed in but not a member yet
  const token = await signIn('demo', uniquePhone());
  assertError(await api('POST', m('/coupons'), { token, body: { template_id: t.id } }), 403, 'not_member');
});

test('Idempotency-Key replays a claim and refuses another body', async () => {
  const me = await member();
  const t = await createTemplate({ stock: 10, per_member_limit: 5 });
  const key = `claim-${t.id}`;
  const send = (body) => api('POST', m('/coupons'), { token: me.token, body, headers: { 'Idempotency-Key': key } });
  const first = await send({ template_id: t.id });
  assert.equal(first.status, 201, first.text);
  const again = await send({ template_id: t.id });
  assert.equal(again.status, 201);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.text, first.text);
  assertError(await send({ template_id: t.id, campaign: 'x' }), 409, 'idempotency_key_reused');
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE template_id = ${t.id}`), 1);
  // a refused claim replays its refusal
  const one = await createTemplate({ stock: 1 });
  await claimOk(await member(), one.id);
  const k2 = { 'Idempotency-Key': `claim-${one.id}` };
  const r1 = await api('POST', m('/coupons'), { token: me.token, body: { template_id: one.id }, headers: k2 });
  assertError(r1, 409, 'out_of_stock');
  const r2 = await api('POST', m('/coupons'), { token: me.token, body: { template_id: one.id }, headers: k2 });
  assert.equal(r2.text, r1.text);
});

// Every page of the coupon centre from the first: [{page, next_cursor}].
async function centrePages(limit, token, merchant = 'demo') {
  const pages = [];
  let cursor = '';
  for (;;) {
    const r = await api('GET', m(`/coupon-templates?limit=${limit}${cursor}`, merchant), { token });
    assert.equal(r.status, 200, r.text);
    pages.push(r.json);
    if (r.json.next_cursor === null) return pages;
    assert.match(r.json.next_cursor, /^[1-9][0-9]*$/);
    cursor = `&cursor=${r.json.next_cursor}`;
    assert.ok(pages.length < 1000, 'the pages end');
  }
}

test('the coupon centre lists claimable templates with the member state', async () => {
  const me = await member();
  const t = await createTemplate({ stock: 3, per_member_limit: 1 });
  const hidden = await createTemplate({ listed: false });
  const promo = await createTemplate({ kind: 'promo_code' });
  const draft = await createTemplate({ status: 'draft' });
  const gone = await createTemplate({ stock: 1 });
  await claimOk(await member(), gone.id);

  const all = async (token) => (await centrePages(100, token)).flatMap((p) => p.data);
  const anon = { json: { data: await all() } };
  const find = (list, id) => list.find((x) => x.id === id);
  let x = find(anon.json.data, t.id);
  assert.ok(x, 'listed');
  assert.equal(x.claimable, true);
  assert.equal(x.claimed_by_me, 0);
  assert.equal(x.stock_left, 3);
  assert.equal(x.per_member_limit, 1);
  assert.equal(x.value_fen, 500);
  assert.deepEqual(x.validity, { kind: 'days', days: 7, next_day: false, text: '领取后 7 天内有效' });
  for (const id of [hidden.id, promo.id, draft.id]) assert.equal(find(anon.json.data, id), undefined);
  x = find(anon.json.data, gone.id);
  assert.equal(x.claimable, false);
  assert.equal(x.reason, 'out_of_stock');

  await claimOk(me, t.id);
  const mine = { json: { data: await all(me.token) } };
  x = find(mine.json.data, t.id);
  assert.equal(x.claimed_by_me, 1);
  assert.equal(x.claimable, false);
  assert.equal(x.reason, 'limit_reached');
  assert.equal(x.stock_left, 2);
});

test('the coupon centre comes in pages, newest first, the H5 page too', async () => {
  const made = [];
  for (let i = 0; i < 21; i++) made.push((await createTemplate()).id);
  // more than 20 listed: the default page is 20, its cursor its last item
  const first = await api('GET', m('/coupon-templates'));
  assert.equal(first.status, 200);
  assert.equal(first.json.data.length, 20);
  assert.equal(first.json.next_cursor, String(first.json.data.at(-1).id));
  for (const limit of [1, 7, 100]) {
    const pages = await centrePages(limit);
    const ids = pages.flatMap((p) => p.data.map((x) => x.id));
    for (const p of pages.slice(0, -1)) {
      assert.equal(p.data.length, limit);
      assert.equal(p.next_cursor, String(p.data.at(-1).id));
    }
    assert.ok(pages.at(-1).data.length <= limit);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i] < ids[i - 1], `newest first, no repeats (limit ${limit})`);
    for (const id of made) assert.ok(ids.includes(id), `template ${id} on a page (limit ${limit})`);
  }
  const [a, b] = [made[20], made[19]];
  const below = await api('GET', m(`/coupon-templates?limit=1&cursor=${a}`));
  assert.deepEqual(below.json.data.map((x) => x.id), [b], 'the template just below the cursor');
  for (const q of ['limit=0', 'limit=101', 'limit=abc', 'cursor=0', 'cursor=-5', 'cursor=x']) {
    assertError(await api('GET', m(`/coupon-templates?${q}`)), 400, 'invalid_field', q.split('=')[0]);
  }

  const page = await fetch(`${BASE}/m/demo/coupons?cursor=${a}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.ok(html.includes(`id="tpl-${b}"`), 'the H5 page starts below the cursor');
  assert.ok(!html.includes(`id="tpl-${a}"`), 'the cursor itself is on the page before');
  const top = await (await fetch(`${BASE}/m/demo/coupons`)).text();
  const shown = [...top.matchAll(/<article [^>]*id="tpl-([0-9]+)"/g)].map((x) => x[1]);
  assert.equal(shown.length, 20);
  const more = /id="centre-more" href="([^"]+)"/.exec(top);
  assert.ok(more, 'a link to the next page');
  assert.equal(more[1], `/m/demo/coupons?cursor=${shown.at(-1)}`);
  assert.equal((await fetch(`${BASE}/m/demo/coupons?cursor=x`)).status, 400);
});

test('validity: N days from the claim, optionally from the next day, or a fixed range', async () => {
  const me = await member();
  const days = await createTemplate({ valid_days: 3, valid_next_day: true });
  const c = await claimOk(me, days.id);
  const now = new Date(Date.now() + 8 * 3600 * 1000); // merchant's clock, +08:00
  const d = (n) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + n))
    .toISOString().slice(0, 10);
  assert.equal(c.valid_from, `${d(1)}T00:00:00+08:00`);
  assert.equal(c.valid_until, `${d(3)}T23:59:59+08:00`);
  assert.equal(c.usable, false, 'not usable before it starts');

  const fixed = await createTemplate({ valid_days: null, valid_from: '2026-01-01', valid_until: '2036-06-30' });
  const f = await claimOk(me, fixed.id);
  assert.equal(f.valid_from, '2026-01-01T00:00:00+08:00');
  assert.equal(f.valid_until, '2036-06-30T23:59:59+08:00');
  const exact = await createTemplate({
    valid_days: null, valid_from: '2026-03-01T10:00:00Z', valid_until: '2036-03-01T12:30:00+08:00',
  });
  const e = await claimOk(me, exact.id);
  assert.equal(e.valid_from, '2026-03-01T18:00:00+08:00');
  assert.equal(e.valid_until, '2036-03-01T12:30:00+08:00');
});

test('changing a template never changes coupons already issued', async () => {
  const me = await member();
  const t = await createTemplate({ kind: 'threshold', value_fen: 1000, threshold_fen: 3000, valid_days: 10, description: '旧说明' });
  const c = await claimOk(me, t.id);
  const p = await api('PATCH', m(`/staff/coupon-templates/${t.id}`), {
    token: marketing.token,
    body: { name: '新名字', value_fen: 2000, threshold_fen: 9000, valid_days: 1, store_ids: [2], description: '新说明' },
  });
  assert.equal(p.status, 200, p.text);
  const g = await api('GET', m(`/me/coupons/${c.code}`), { token: me.token });
  assert.equal(g.status, 200);
  const now = g.json.data.coupon;
  assert.equal(now.name, t.name);
  assert.equal(now.value_fen, 1000);
  assert.equal(now.threshold_fen, 3000);
  assert.equal(now.valid_until, c.valid_until);
  assert.equal(now.store_ids, 'all');
  assert.equal(now.description, '旧说明');
  const r = await redeem({ coupon_code: c.code, order_fen: 3000 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.data.redemption.discount_fen, 1000);
});

// ---- my coupons -----------------------------------------------------------

test('my coupons: newest first, status filters, counts, expired at read time, paging', async () => {
  const me = await member();
  const t = await createTemplate({ per_member_limit: 10 });
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push((await claimOk(me, t.id)).code);
  // one used, one expired, one cancelled, one left unused
  assert.equal((await redeem({ coupon_code: codes[0], order_fen: 1000 })).status, 200);
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE merchant_id = 1 AND code = '${codes[1]}'`);
  const cx = await api('POST', m(`/staff/coupons/${codes[2]}/cancel`), { token: owner.token, body: { reason: '测试作废' } });
  assert.equal(cx.status, 200, cx.text);

  const all = await api('GET', m('/me/coupons'), { token: me.token });
  assert.equal(all.status, 200);
  assert.deepEqual(all.json.data.map((c) => c.code), [...codes].reverse());
  assert.deepEqual(all.json.counts, { unused: 1, used: 1, expired: 1, cancelled: 1 });
  const byStatus = Object.fromEntries(all.json.data.map((c) => [c.code, c.status]));
  assert.deepEqual(byStatus, { [codes[0]]: 'used', [codes[1]]: 'expired', [codes[2]]: 'cancelled', [codes[3]]: 'unused' });
  for (const [status, code] of [['used', codes[0]], ['expired', codes[1]], ['cancelled', codes[2]], ['unused', codes[3]]]) {
    const r = await api('GET', m(`/me/coupons?status=${status}`), { token: me.token });
    assert.deepEqual(r.json.data.map((c) => c.code), [code], status);
  }
  const [[stored]] = await sql(`SELECT status FROM coupons WHERE merchant_id = 1 AND code = '${codes[1]}'`);
  assert.equal(stored, 'unused', 'expired is computed, not stored');

  const p1 = await api('GET', m('/me/coupons?limit=3'), { token: me.token });
  assert.equal(p1.json.data.length, 3);
  assert.ok(p1.json.next_cursor);
  const p2 = await api('GET', m(`/me/coupons?limit=3&cursor=${p1.json.next_cursor}`), { token: me.token });
  assert.deepEqual(p2.json.data.map((c) => c.code), [codes[0]]);
  assert.equal(p2.json.next_cursor, null);
  assertError(await api('GET', m('/me/coupons?status=new'), { token: me.token }), 400, 'invalid_field', 'status');
  assertError(await api('GET', m('/me/coupons?limit=0'), { token: me.token }), 400, 'invalid_field', 'limit');

  const card = await api('GET', m('/me/card'), { token: me.token });
  assert.equal(card.json.data.coupons_unused, 1);
});

test('one coupon with its QR code; others\' coupons are not found', async () => {
  const me = await member();
  const other = await member();
  const t = await createTemplate({ kind: 'gift', value_fen: null, gift_item: '美式咖啡' });
  const c = await claimOk(me, t.id);
  const g = await api('GET', m(`/me/coupons/${c.code.toLowerCase()}`), { token: me.token });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.data.coupon.code, c.code);
  assert.equal(g.json.data.coupon.gift_item, '美式咖啡');
  assert.equal(g.json.data.coupon.qr_svg_url, `/api/v1/m/demo/me/coupons/${c.code}/qr.svg`);
  const q = await api('GET', g.json.data.coupon.qr_svg_url, { token: me.token });
  assert.equal(q.status, 200);
  assert.match(q.headers.get('content-type'), /^image\/svg\+xml/);
  assert.match(q.text, /^<svg /);
  assertError(await api('GET', m(`/me/coupons/${c.code}`), { token: other.token }), 404, 'not_found');
  assertError(await api('GET', m(`/me/coupons/${c.code}/qr.svg`), { token: other.token }), 404, 'not_found');
  assertError(await api('GET', m('/me/coupons/NOTACODE')), 401, 'unauthorized');
});

// ---- promo codes ------------------------------------------------------------

test('promo codes: a batch, its CSV with a BOM, redemption binds to the first member', async () => {
  const t = await createTemplate({ kind: 'promo_code', value_fen: 1000, threshold_fen: 3000, per_member_limit: 1 });
  const gen = (body, id = t.id) => api('POST', m(`/staff/coupon-templates/${id}/codes`), { token: marketing.token, body });
  assertError(await gen({ count: 0 }), 400, 'invalid_field', 'count');
  assertError(await gen({ count: 100001 }), 400, 'invalid_field', 'count');
  assertError(await gen({ count: 5 }, (await createTemplate()).id), 409, 'conflict');
  assertError(await gen({ count: 5 }, 999999999), 404, 'not_found');
  const b = await gen({ count: 50 });
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.data.count, 50);
  const rows = await sql(`SELECT code FROM promo_codes WHERE template_id = ${t.id} AND batch_id = ${b.json.data.batch_id}`);
  assert.equal(rows.length, 50);
  assert.equal(new Set(rows.map((r) => r[0])).size, 50);
  for (const [code] of rows) assert.match(code, CODE_RE);

  const a = await member();
  const z = await member();
  const [c1, c2] = [rows[0][0], rows[1][0]];
  const typed = `${c1.slice(0, 4).toLowerCase()}-${c1.slice(4, 8)} ${c1.slice(8)}`;
  const r = await api('POST', m('/coupons/redeem-code'), { token: a.token, body: { promo_code: typed } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.data.coupon.kind, 'promo_code');
  assert.equal(r.json.data.coupon.template_id, t.id);
  assert.equal(r.json.data.coupon.channel, 'promo_code');
  const code = (who, promo) => api('POST', m('/coupons/redeem-code'), { token: who.token, body: { promo_code: promo } });
  assertError(await code(z, c1), 409, 'code_used', 'promo_code');
  assertError(await code(a, c1), 409, 'code_used', 'promo_code');
  assertError(await code(a, c2), 409, 'limit_reached');
  const [[bound]] = await sql(`SELECT member_id IS NULL FROM promo_codes WHERE merchant_id = 1 AND code = '${c2}'`);
  assert.equal(bound, '1', 'a refused code stays free');
  assert.equal((await code(z, c2)).status, 201);
  assertError(await code(a, 'ZZZZZZZZZZZZ'), 404, 'not_found', 'promo_code');
  assertError(await code(a, 'ABC'), 400, 'invalid_field', 'promo_code');
  assertError(await code(a, 'ABCDEFGHJK0O'), 400, 'invalid_field', 'promo_code');

  const csv = await fetch(`${BASE}${m(`/staff/coupon-templates/${t.id}/codes.csv?batch_id=${b.json.data.batch_id}`)}`,
    { headers: { authorization: `Bearer ${marketing.token}` } });
  assert.equal(csv.status, 200);
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.match(csv.headers.get('content-disposition'), /attachment; filename="promo-codes-\d+-\d+\.csv"/);
  const bytes = Buffer.from(await csv.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
  assert.equal(lines[0], '优惠码,批次,状态,会员手机号,兑换时间');
  assert.equal(lines.length, 51);
  const first = lines.find((l) => l.startsWith(c1)).split(',');
  assert.equal(first[2], '已兑换');
  assert.equal(first[3], `${a.phone.slice(0, 3)}****${a.phone.slice(7)}`);
  assert.match(first[4], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  assert.equal(lines.filter((l) => l.includes(',未兑换,')).length, 48);

  const batches = await api('GET', m(`/staff/coupon-templates/${t.id}/codes`), { token: marketing.token });
  assert.equal(batches.json.data[0].redeemed, 2);
  assertError(await api('GET', m(`/staff/coupon-templates/${t.id}/codes.csv`), { token: cashier.token }), 403, 'forbidden');
});

test('100,000 promo codes in one request, well under a minute', async () => {
  const t = await createTemplate({ kind: 'promo_code', value_fen: 100 });
  const started = Date.now();
  const b = await api('POST', m(`/staff/coupon-templates/${t.id}/codes`), {
    token: marketing.token, body: { count: 100000 }, headers: { 'Idempotency-Key': `codes-${t.id}` },
  });
  const took = Date.now() - started;
  assert.equal(b.status, 201, b.text);
  assert.ok(took < 20000, `took ${took} ms`);
  const [[n, distinct]] = await sql(
    `SELECT COUNT(*), COUNT(DISTINCT code) FROM promo_codes WHERE template_id = ${t.id}`);
  assert.equal(Number(n), 100000);
  assert.equal(Number(distinct), 100000);
  const again = await api('POST', m(`/staff/coupon-templates/${t.id}/codes`), {
    token: marketing.token, body: { count: 100000 }, headers: { 'Idempotency-Key': `codes-${t.id}` },
  });
  assert.equal(again.text, b.text, 'a replay makes no second batch');
  assert.equal(await count(`SELECT COUNT(*) FROM promo_codes WHERE template_id = ${t.id}`), 100000);
  const csv = await api('GET', m(`/staff/coupon-templates/${t.id}/codes.csv`), { token: marketing.token });
  assert.equal(csv.status, 200);
  assert.equal(csv.text.trimEnd().split('\r\n').length, 100001);
});

// ---- redemption and voiding ----------------------------------------------------

test('redemption: gift without an order, threshold and discount math, what is recorded', async () => {
  const me = await member();
  const gift = await createTemplate({ kind: 'gift', value_fen: null, gift_item: '蛋糕' });
  const g = await claimOk(me, gift.id);
  const r = await redeem({ coupon_code: g.code });
  assert.equal(r.status, 200, r.text);
  const d = r.json.data.redemption;
  assert.equal(d.coupon_code, g.code);
  assert.equal(d.discount_fen, 0);
  assert.equal(d.order_fen, null);
  assert.equal(d.payable_fen, null);
  assert.equal(d.store_id, 1);
  assert.equal(d.gift_item, '蛋糕');
  assert.match(d.redeemed_at, /\+08:00$/);
  const [[status, store, staffId, order, disc]] = await sql(
    `SELECT status, used_store_id, used_staff_id, order_fen, discount_fen FROM coupons WHERE merchant_id = 1 AND code = '${g.code}'`);
  assert.deepEqual([status, store, staffId, order, disc], ['used', '1', String(cashier.staff.id), 'NULL', '0']);

  const th = await createTemplate({ kind: 'threshold', value_fen: 2000, threshold_fen: 10000 });
  const c = await claimOk(me, th.id);
  assertError(await redeem({ coupon_code: c.code }), 400, 'invalid_field', 'order_fen');
  assertError(await redeem({ coupon_code: c.code, order_fen: 9999 }), 409, 'threshold_not_met');
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE code = '${c.code}' AND status = 'unused'`), 1);
  const ok = await redeem({ coupon_code: c.code, order_fen: 12345 });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.data.redemption.discount_fen, 2000);
  assert.equal(ok.json.data.redemption.payable_fen, 10345);
  const [[o2, d2]] = await sql(`SELECT order_fen, discount_fen FROM coupons WHERE merchant_id = 1 AND code = '${c.code}'`);
  assert.deepEqual([o2, d2], ['12345', '2000']);
  assertError(await redeem({ coupon_code: c.code, order_fen: 12345 }), 409, 'already_used');
  const [[audits]] = await sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'coupon.redeem' AND target = 'coupon:${c.code}' AND store_id = 1`);
  assert.equal(Number(audits), 1);

  const pct = await createTemplate({ kind: 'discount', value_fen: null, discount_pct: 85, max_discount_fen: 1000 });
  const p1 = await claimOk(me, pct.id);
  const pr = await redeem({ coupon_code: p1.code, order_fen: 5001 });
  assert.equal(pr.json.data.redemption.discount_fen, 750);
  assert.equal(pr.json.data.redemption.payable_fen, 4251);
  const small = await createTemplate({ value_fen: 800 });
  const s1 = await claimOk(me, small.id);
  const sr = await redeem({ coupon_code: s1.code, order_fen: 300 });
  assert.equal(sr.json.data.redemption.discount_fen, 300, 'never more than the order');
  assert.equal(sr.json.data.redemption.payable_fen, 0);

  const tpl = await api('GET', m(`/staff/coupon-templates/${th.id}`), { token: marketing.token });
  assert.equal(tpl.json.data.claimed, 1);
  assert.equal(tpl.json.data.used, 1);
});

test('redemption errors: not_found, expired, not_started, store scope, cancelled, roles', async () => {
  const me = await member();
  const t = await createTemplate({ per_member_limit: 10 });
  const c = await claimOk(me, t.id);
  assertError(await redeem({ coupon_code: 'ZZZZZZZZZZZZ', order_fen: 100 }), 404, 'not_found');
  assertError(await redeem({ coupon_code: 'bad', order_fen: 100 }), 404, 'not_found');
  assertError(await redeem({ order_fen: 100 }), 400, 'invalid_field', 'coupon_code');
  assertError(await redeem({ coupon_code: c.code, order_fen: -1 }), 400, 'invalid_field', 'order_fen');
  assertError(await redeem({ coupon_code: c.code, store_id: 2, order_fen: 100 }), 403, 'forbidden', 'store_id');
  assertError(await redeem({ coupon_code: c.code, store_id: 3, order_fen: 100 }), 400, 'invalid_field', 'store_id');
  assertError(await redeem({ coupon_code: c.code, order_fen: 100 }, marketing.token), 403, 'forbidden');
  assertError(await redeem({ coupon_code: c.code, order_fen: 100 }, me.token), 403, 'forbidden');

  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE merchant_id = 1 AND code = '${c.code}'`);
  assertError(await redeem({ coupon_code: c.code, order_fen: 1000 }), 409, 'expired');

  const next = await createTemplate({ valid_days: 2, valid_next_day: true });
  const n = await claimOk(me, next.id);
  assertError(await redeem({ coupon_code: n.code, order_fen: 1000 }), 409, 'not_started');

  const store2 = await createTemplate({ store_ids: [2] });
  const s = await claimOk(me, store2.id);
  assertError(await redeem({ coupon_code: s.code, order_fen: 1000 }), 403, 'not_eligible', 'store_id');
  const atTwo = await redeem({ coupon_code: s.code, store_id: 2, order_fen: 1000 }, owner.token);
  assert.equal(atTwo.status, 200, atTwo.text);

  const x = await claimOk(me, t.id);
  const cancel = (code, body, token = owner.token) => api('POST', m(`/staff/coupons/${code}/cancel`), { token, body });
  assertError(await cancel(x.code, {}), 400, 'invalid_field', 'reason');
  assertError(await cancel(x.code, { reason: '重复发放' }, cashier.token), 403, 'forbidden');
  assertError(await cancel(x.code, { reason: '重复发放' }, marketing.token), 403, 'forbidden');
  const ok = await cancel(x.code, { reason: '重复发放' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.data.coupon.status, 'cancelled');
  assert.equal(ok.json.data.coupon.cancel_reason, '重复发放');
  assertError(await cancel(x.code, { reason: '再来一次' }), 409, 'cancelled');
  assertError(await redeem({ coupon_code: x.code, order_fen: 1000 }), 409, 'cancelled');
  assertError(await cancel(s.code, { reason: '已用' }), 409, 'already_used');
  assertError(await cancel(c.code, { reason: '过期' }), 409, 'expired');
  assertError(await cancel('ZZZZZZZZZZZZ', { reason: '无' }), 404, 'not_found');
  const [[by, audits]] = await sql(
    `SELECT cancelled_by, (SELECT COUNT(*) FROM audit_log WHERE action = 'coupon.cancel' AND target = 'coupon:${x.code}')
     FROM coupons WHERE merchant_id = 1 AND code = '${x.code}'`);
  assert.equal(Number(by), owner.staff.id);
  assert.equal(Number(audits), 1);
});

test('redemption with Idempotency-Key replays; the lookup previews the discount', async () => {
  const me = await member();
  const t = await createTemplate({ kind: 'threshold', value_fen: 500, threshold_fen: 2000 });
  const c = await claimOk(me, t.id);
  const look = (q) => api('GET', m(`/staff/coupons/${c.code}${q}`), { token: cashier.token });
  let l = await look('?store_id=1&order_fen=1000');
  assert.equal(l.status, 200, l.text);
  assert.equal(l.json.data.coupon.code, c.code);
  assert.equal(l.json.data.member.id, me.id);
  assert.deepEqual(l.json.data.check, {
    ok: false, code: 'threshold_not_met', message: '订单金额未达到使用门槛', discount_fen: null, payable_fen: null,
  });
  l = await look('?store_id=1&order_fen=2500');
  assert.deepEqual(l.json.data.check, { ok: true, code: null, message: null, discount_fen: 500, payable_fen: 2000 });
  assertError(await look(''), 400, 'invalid_field', 'store_id');
  assertError(await look('?store_id=2'), 403, 'forbidden');

  const key = { 'Idempotency-Key': `redeem-${c.code}` };
  const r1 = await redeem({ coupon_code: c.code, order_fen: 2500 }, cashier.token, key);
  assert.equal(r1.status, 200, r1.text);
  const r2 = await redeem({ coupon_code: c.code, order_fen: 2500 }, cashier.token, key);
  assert.equal(r2.status, 200);
  assert.equal(r2.text, r1.text);
  assert.equal(r2.headers.get('idempotent-replayed'), 'true');
  assertError(await redeem({ coupon_code: c.code, order_fen: 3000 }, cashier.token, key), 409, 'idempotency_key_reused');
  l = await look('?store_id=1');
  assert.equal(l.json.data.check.code, 'already_used');
});

test('the counter scan lists the member\'s coupons usable at that store', async () => {
  const me = await member();
  const here = await createTemplate({ store_ids: [1] });
  const there = await createTemplate({ store_ids: [2] });
  const later = await createTemplate({ valid_days: 2, valid_next_day: true });
  const a = await claimOk(me, here.id);
  await claimOk(me, there.id);
  await claimOk(me, later.id);
  const mc = await api('GET', m('/me/member-code'), { token: me.token });
  assert.equal(mc.status, 200, mc.text);
  const scan = await api('POST', m('/staff/scan'), {
    token: cashier.token, body: { member_code: mc.json.data.code, store_id: 1 },
  });
  assert.equal(scan.status, 200, scan.text);
  assert.deepEqual(scan.json.data.coupons.map((c) => c.code), [a.code]);
});

test('coupon page: sign-in for visitors, join for the signed-in, and back to the coupon after', async () => {
  const owner_ = await member();
  const code = (await claimOk(owner_, (await createTemplate()).id)).code;
  const page = `/m/demo/coupons/${code}`;

  const anon = await api('GET', page);
  assert.equal(anon.status, 200);
  assert.match(anon.text, new RegExp(`id="signin-form"[^>]*data-next-url="${page}"`));

  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const gate = await api('GET', page, { headers: { cookie: 'sid=' + token }, redirect: 'manual' });
  assert.equal(gate.status, 302, gate.text);
  assert.equal(gate.headers.get('location'), `/m/demo/join?next=${page}`);
  const joinPage = await api('GET', `/m/demo/join?next=${page}`, { headers: { cookie: 'sid=' + token } });
  assert.equal(joinPage.status, 200);
  assert.match(joinPage.text, new RegExp(`id="join-form"[^>]*data-next-url="${page}"`));

  // only this merchant's pages: anything else goes home
  for (const next of ['https://evil.example/', '/m/demo2/', `/m/demo/coupons/${code}?x=1`, '//evil.example/m/demo/']) {
    const p = await api('GET', `/m/demo/join?next=${encodeURIComponent(next)}`, { headers: { cookie: 'sid=' + token } });
    assert.match(p.text, /data-next-url="\/m\/demo\/"/, next);
  }

  // another member's coupon is not found on the page either
  await join('demo', token);
  const other = await api('GET', page, { headers: { cookie: 'sid=' + token } });
  assert.equal(other.status, 404);
  const mine = await api('GET', page, { headers: { cookie: 'sid=' + owner_.token } });
  assert.equal(mine.status, 200);
  assert.ok(mine.text.includes(`${code.slice(0, 4)} ${code.slice(4, 8)} ${code.slice(8)}`));
});
