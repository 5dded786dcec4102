// The standing new-member gift (settings/new-member-gift, handlers/staff/
// new_member_gift.c): its settings and their checks, the coupons every
// member gets in the join's transaction whatever the channel (the join
// page after an SMS sign-in, a campaign beside its own gift pack, with a
// template both give issued once), nothing when it is off, and a
// template out of stock skipped without failing the join.
//
// On a merchant of this file's own: the gift reaches every member who
// joins, which other files' tests on demo do not expect.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, uniquePhone, signIn, join, staffLogin, sql } from './lib.mjs';
import { ownMerchant } from './own_merchant.mjs';

let mc, owner, mkt, cashier, other;
let seq = 0;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

async function template(extra = {}, token = mkt, merchant = mc.code) {
  seq += 1;
  const r = await api('POST', m('/staff/coupon-templates', merchant), {
    token,
    body: { name: `新人券${seq}`, kind: 'instant', value_fen: 500, stock: null, per_member_limit: 1,
      valid_days: 30, status: 'active', listed: false, ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}

function put(body, token = mkt) {
  return api('PUT', m('/staff/settings/new-member-gift', mc.code), { token, body });
}

async function putOk(body) {
  const r = await put(body);
  assert.equal(r.status, 200, r.text);
  return r.json.data;
}

/** A member who signs in by SMS and joins (with extra): their coupons as [[template_id, channel]]. */
async function joinAndCoupons(extra = {}) {
  const token = await signIn(mc.code, uniquePhone());
  const j = await join(mc.code, token, extra);
  assert.equal(j.created, true);
  const rows = await sql(`SELECT template_id, channel FROM coupons WHERE merchant_id = ${mc.id}
    AND member_id = ${j.member.id} ORDER BY template_id`);
  return { id: j.member.id, coupons: rows.map(([t, c]) => [Number(t), c]) };
}

before(async () => {
  mc = await ownMerchant('ng');
  [owner, mkt, cashier] = (await Promise.all(['owner', 'marketing', 'cashier']
    .map((u) => staffLogin(mc.code, u, 'demo1234')))).map((s) => s.token);
  const mkt2 = (await staffLogin('demo2', 'marketing', 'demo1234')).token;
  seq += 1;
  const r = await api('POST', m('/staff/coupon-templates', 'demo2'), {
    token: mkt2,
    body: { name: `别家券${seq}`, kind: 'instant', value_fen: 500, stock: null, per_member_limit: 1, valid_days: 30, status: 'active' },
  });
  assert.equal(r.status, 201, r.text);
  other = r.json.data.id;
});

test('the settings: off by default, checked, kept; owner and marketing only', async () => {
  const g = await api('GET', m('/staff/settings/new-member-gift', mc.code), { token: owner });
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json.data, { template_ids: [], enabled: false });
  const a = await template();
  const b = await template({ kind: 'gift', value_fen: undefined, gift_item: '拿铁一杯' });
  const promo = await template({ kind: 'promo_code' });
  for (const [body, field] of [
    [{ enabled: true, template_ids: [a, other] }, 'template_ids[1]'],
    [{ enabled: true, template_ids: [promo] }, 'template_ids[0]'],
    [{ enabled: true, template_ids: ['x'] }, 'template_ids[0]'],
    [{ enabled: true, template_ids: Array.from({ length: 11 }, () => a) }, 'template_ids'],
    [{ enabled: 'yes', template_ids: [a] }, 'enabled'],
    [{ enabled: true }, 'template_ids'],
  ]) {
    const r = await put(body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field);
  }
  assert.deepEqual((await api('GET', m('/staff/settings/new-member-gift', mc.code), { token: mkt })).json.data,
    { template_ids: [], enabled: false }, 'bad input changed nothing');
  assert.equal((await put({ enabled: true, template_ids: [a] }, cashier)).status, 403);
  assert.equal((await api('GET', m('/staff/settings/new-member-gift', mc.code), { token: cashier })).status, 403);
  const saved = await putOk({ enabled: true, template_ids: [a, b, a] });
  assert.deepEqual(saved, { template_ids: [a, b], enabled: true }, 'repeats dropped');
  const again = await api('GET', m('/staff/settings/new-member-gift', mc.code), { token: owner });
  assert.deepEqual(again.json.data, saved);
  const audit = await sql(`SELECT COUNT(*) FROM audit_log WHERE merchant_id = ${mc.id} AND action = 'settings.new_member_gift'`);
  assert.equal(Number(audit[0][0]), 1);
  await putOk({ enabled: false, template_ids: [] });
});

test('a member joining by SMS gets the gift; switched off, nobody does', async () => {
  const a = await template();
  const b = await template();
  await putOk({ enabled: true, template_ids: [a, b] });
  const j = await joinAndCoupons();
  assert.deepEqual(j.coupons, [[a, 'new_member_gift'], [b, 'new_member_gift']]);
  // joining again changes nothing
  const token = await signIn(mc.code, uniquePhone());
  await join(mc.code, token);
  const second = await join(mc.code, token);
  assert.equal(second.created, false);
  const n = await sql(`SELECT COUNT(*) FROM coupons WHERE member_id = ${second.member.id}`);
  assert.equal(Number(n[0][0]), 2);

  await putOk({ enabled: false, template_ids: [a, b] });
  assert.deepEqual((await joinAndCoupons()).coupons, []);
});

test('a campaign join gets the campaign\'s pack and the gift, a template both give once', async () => {
  const packOnly = await template();
  const both = await template();
  const giftOnly = await template();
  const slug = `ng-${process.pid}-${Date.now() % 1e6}`;
  const c = await api('POST', m('/staff/campaigns', mc.code), {
    token: mkt,
    body: { name: '开业礼', slug, starts_at: iso(Date.now() - 3600e3), ends_at: iso(Date.now() + 86400e3),
      template_ids: [packOnly], gift_template_ids: [packOnly, both],
      share: { title: '来领券', desc: '开业专享' } },
  });
  assert.equal(c.status, 201, c.text);
  await putOk({ enabled: true, template_ids: [both, giftOnly] });
  const ch = `campaign:${slug}`;
  const j = await joinAndCoupons({ channel: ch });
  assert.deepEqual(j.coupons, [[packOnly, ch], [both, ch], [giftOnly, 'new_member_gift']],
    'the pack at 20, then the gift without the template the pack gave');
  await putOk({ enabled: false, template_ids: [] });
});

test('a template out of stock is skipped and the join goes through', async () => {
  const scarce = await template({ stock: 1 });
  const plenty = await template();
  await putOk({ enabled: true, template_ids: [scarce, plenty] });
  const first = await joinAndCoupons();
  assert.deepEqual(first.coupons, [[scarce, 'new_member_gift'], [plenty, 'new_member_gift']]);
  const second = await joinAndCoupons();
  assert.deepEqual(second.coupons, [[plenty, 'new_member_gift']], 'the sold-out one skipped');
  const [[left]] = await sql(`SELECT stock_left FROM coupon_templates WHERE id = ${scarce}`);
  assert.equal(Number(left), 0);
  await putOk({ enabled: false, template_ids: [] });
});
