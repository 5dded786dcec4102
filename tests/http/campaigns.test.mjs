// Campaign pages: validation, roles, the window, share tags, channel
// recording on join and claim, the gift pack, and the page counters.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, m, uniquePhone, signIn, join, staffLogin, demoStaff, sql, parallel } from './lib.mjs';

let mkt, cashier, tplA, tplB, gift, other;
const count = async (q) => Number((await sql(q))[0][0]);
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const HOUR = 3600e3;
let seq = 0;
const slug = () => `t-${process.pid}-${Date.now() % 1e6}-${seq++}`;

async function template(token, extra = {}, merchant = 'demo') {
  const r = await api('POST', m('/staff/coupon-templates', merchant), {
    token,
    body: { name: '活动券' + seq++, kind: 'instant', value_fen: 500, stock: 100, per_member_limit: 1,
      valid_days: 30, status: 'active', ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}

function campaign(extra = {}) {
  return {
    name: '双十二会员日', slug: slug(), starts_at: iso(Date.now() - HOUR), ends_at: iso(Date.now() + 24 * HOUR),
    rules_text: '每人限领一张', template_ids: [tplA, tplB], gift_template_ids: [gift],
    share: { title: '来领券', desc: '会员日专享', image_url: '/uploads/banner.png' }, ...extra,
  };
}

async function create(body) {
  const r = await api('POST', m('/staff/campaigns'), { token: mkt, body });
  assert.equal(r.status, 201, r.text);
  return r.json.data;
}

before(async () => {
  [mkt, cashier] = (await demoStaff('demo', 'marketing', 'cashier')).map((s) => s.token);
  tplA = await template(mkt);
  tplB = await template(mkt, { kind: 'threshold', value_fen: 1000, threshold_fen: 5000 });
  gift = await template(mkt, { kind: 'gift', value_fen: undefined, gift_item: '美式咖啡一杯', listed: false });
  const mkt2 = (await staffLogin('demo2', 'marketing', 'demo1234')).token;
  other = await template(mkt2, {}, 'demo2');
});

test('create, read, list and patch a campaign', async () => {
  const c = await create(campaign());
  assert.equal(c.status, 'live');
  assert.deepEqual(c.template_ids, [tplA, tplB]);
  assert.deepEqual(c.gift_template_ids, [gift]);
  assert.match(c.starts_at, /\+08:00$/);
  assert.match(c.url, new RegExp(`/m/demo/c/${c.slug}$`));
  const got = await api('GET', m(`/staff/campaigns/${c.id}`), { token: mkt });
  assert.equal(got.status, 200);
  assert.deepEqual(got.json.data.stats, { views: 0, visitors: 0, shares: 0, joins: 0, claims: 0 });
  const p = await api('PATCH', m(`/staff/campaigns/${c.id}`), { token: mkt, body: { name: '改名了', template_ids: [tplB] } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.data.name, '改名了');
  assert.deepEqual(p.json.data.template_ids, [tplB]);
  assert.deepEqual(p.json.data.gift_template_ids, [gift], 'gift pack kept');
  const list = await api('GET', m('/staff/campaigns?limit=100'), { token: mkt });
  assert.ok(list.json.data.some((x) => x.id === c.id));
  assert.ok('next_cursor' in list.json);
  // a new slug alone: the times stay as they were
  const s2 = slug();
  const renamed = await api('PATCH', m(`/staff/campaigns/${c.id}`), { token: mkt, body: { slug: s2 } });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.json.data.slug, s2);
  assert.equal(renamed.json.data.starts_at, c.starts_at);
  assert.equal(renamed.json.data.ends_at, c.ends_at);
});

test("the coupon centre for a campaign: its templates whole, in the campaign's order", async () => {
  const c = await create(campaign({ template_ids: [tplB, tplA] }));
  for (const q of ['', '&limit=1']) {
    const r = await api('GET', m(`/coupon-templates?campaign=${c.slug}${q}`));
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.data.map((x) => x.id), [tplB, tplA]);
    assert.equal(r.json.next_cursor, null);
  }
  const none = await api('GET', m('/coupon-templates?campaign=no-such-campaign'));
  assert.equal(none.status, 404);
  assert.equal(none.json.error.field, 'campaign');
  const bad = await api('GET', m('/coupon-templates?campaign=BAD%20SLUG'));
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'invalid_field');
  const other2 = await api('GET', m(`/coupon-templates?campaign=${c.slug}`, 'demo2'));
  assert.equal(other2.status, 404, "another merchant's campaign is not found");
});

test('campaign validation names the field and writes nothing', async () => {
  const s = slug();
  const bad = [
    [{ name: undefined }, 'name'],
    [{ name: 'x'.repeat(65) }, 'name'],
    [{ slug: 'Bad Slug' }, 'slug'],
    [{ slug: 'a' }, 'slug'],
    [{ starts_at: 'yesterday' }, 'starts_at'],
    [{ ends_at: iso(Date.now() - 2 * HOUR) }, 'ends_at'],
    [{ template_ids: [] }, 'template_ids'],
    [{ template_ids: 'all' }, 'template_ids'],
    [{ template_ids: [tplA, tplA] }, 'template_ids[1]'],
    [{ template_ids: [999999999] }, 'template_ids[0]'],
    [{ template_ids: [other] }, 'template_ids[0]'],
    [{ gift_template_ids: [other] }, 'gift_template_ids[0]'],
    [{ banner_url: 'javascript:alert(1)' }, 'banner_url'],
    [{ share: undefined }, 'share'],
    [{ share: { desc: 'd' } }, 'share.title'],
    [{ share: { title: 't', desc: 'd', image_url: 'http://x/"><script>' } }, 'share.image_url'],
  ];
  for (const [patch, field] of bad) {
    const body = { ...campaign({ slug: s }), ...patch };
    for (const k of Object.keys(patch)) if (patch[k] === undefined) delete body[k];
    const r = await api('POST', m('/staff/campaigns'), { token: mkt, body });
    assert.equal(r.status, 400, `${field}: ${r.text}`);
    assert.equal(r.json.error.code, 'invalid_field');
    assert.equal(r.json.error.field, field);
  }
  assert.equal(await count(`SELECT COUNT(*) FROM campaigns WHERE slug = '${s}'`), 0);
  const c = await create(campaign({ slug: s }));
  const dup = await api('POST', m('/staff/campaigns'), { token: mkt, body: campaign({ slug: s }) });
  assert.equal(dup.status, 409);
  assert.equal(dup.json.error.code, 'conflict');
  const badPatch = await api('PATCH', m(`/staff/campaigns/${c.id}`), { token: mkt, body: { ends_at: iso(Date.now() - 3 * HOUR) } });
  assert.equal(badPatch.json.error.field, 'ends_at');
  assert.equal((await api('GET', m('/staff/campaigns/999999999'), { token: mkt })).status, 404);
});

test('roles: a cashier and a member cannot manage campaigns; anonymous 401', async () => {
  const ph = uniquePhone();
  const member = await signIn('demo', ph);
  assert.equal((await api('POST', m('/staff/campaigns'), { token: cashier, body: campaign() })).status, 403);
  assert.equal((await api('GET', m('/staff/campaigns'), { token: cashier })).status, 403);
  assert.equal((await api('POST', m('/staff/campaigns'), { token: member, body: campaign() })).status, 403);
  assert.equal((await api('GET', m('/staff/campaigns'))).status, 401);
  const owner = (await staffLogin('demo', 'owner', 'demo1234')).token;
  assert.equal((await api('GET', m('/staff/campaigns'), { token: owner })).status, 200);
});

test('the page: server-rendered with share tags, escaped', async () => {
  const c = await create(campaign({ name: '<b>会员日</b>', share: { title: '标题"<x>', desc: '描述', image_url: '/uploads/s.png' } }));
  const r = await api('GET', `/m/demo/c/${c.slug}`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/html/);
  assert.ok(r.text.includes('<meta property="og:title" content="标题&quot;&lt;x&gt;">'), 'og:title');
  assert.ok(r.text.includes('<meta property="og:description" content="描述">'));
  assert.match(r.text, /<meta property="og:image" content="http:\/\/127\.0\.0\.1:\d+\/uploads\/s\.png">/);
  assert.match(r.text, new RegExp(`<meta property="og:url" content="http://127\\.0\\.0\\.1:\\d+/m/demo/c/${c.slug}">`));
  assert.ok(r.text.includes('&lt;b&gt;会员日&lt;/b&gt;'));
  assert.ok(!r.text.includes('<b>会员日</b>'));
  const share = JSON.parse(r.text.match(/<script id="share-data" type="application\/json">(.*?)<\/script>/)[1]);
  assert.deepEqual(Object.keys(share).sort(), ['desc', 'imgUrl', 'link', 'title']);
  assert.equal(share.title, '标题"<x>');
  assert.equal(share.imgUrl.endsWith('/uploads/s.png'), true);
  assert.equal((await api('GET', '/m/demo/c/no-such-campaign')).status, 404);
  const draft = await create(campaign({ published: false }));
  assert.equal(draft.status, 'draft');
  assert.equal((await api('GET', `/m/demo/c/${draft.slug}`)).status, 404);
});

test('before and after the window the page says so and claims are refused', async () => {
  const early = await create(campaign({ starts_at: iso(Date.now() + 24 * HOUR), ends_at: iso(Date.now() + 48 * HOUR) }));
  const late = await create(campaign({ starts_at: iso(Date.now() - 48 * HOUR), ends_at: iso(Date.now() - 24 * HOUR) }));
  const paused = await create(campaign({ paused: true }));
  assert.equal(early.status, 'scheduled');
  assert.equal(late.status, 'ended');
  assert.equal(paused.status, 'paused');
  assert.match((await api('GET', `/m/demo/c/${early.slug}`)).text, /活动尚未开始/);
  assert.match((await api('GET', `/m/demo/c/${late.slug}`)).text, /活动已结束/);
  assert.match((await api('GET', `/m/demo/c/${paused.slug}`)).text, /活动已暂停/);
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, {});
  for (const [c, code] of [[early, 'not_started'], [late, 'ended'], [paused, 'ended']]) {
    const r = await api('POST', m('/coupons'), { token, body: { template_id: tplA, campaign: c.slug } });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error.code, code);
  }
  assert.equal(await count(`SELECT COUNT(*) FROM coupons c JOIN members mb ON mb.id = c.member_id WHERE c.template_id = ${tplA} AND c.channel LIKE 'campaign:%' AND c.channel IN ('campaign:${early.slug}','campaign:${late.slug}','campaign:${paused.slug}')`), 0);
  // a template the campaign does not offer
  const live = await create(campaign({ template_ids: [tplB] }));
  const r = await api('POST', m('/coupons'), { token, body: { template_id: tplA, campaign: live.slug } });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, 'not_eligible');
  assert.equal((await api('POST', m('/coupons'), { token, body: { template_id: tplA, campaign: 'nope-nope' } })).status, 404);
});

test('joining through a campaign records the channel and grants the gift pack; claims carry the channel', async () => {
  const c = await create(campaign());
  const ch = `campaign:${c.slug}`;
  const phone = uniquePhone();
  const token = await signIn('demo', phone);
  const j = await join('demo', token, { channel: ch });
  assert.equal(j.created, true);
  assert.equal(j.member.channel, ch);
  const gifts = await sql(`SELECT template_id, channel FROM coupons WHERE member_id = ${j.member.id}`);
  assert.deepEqual(gifts, [[String(gift), ch]]);
  const claim = await api('POST', m('/coupons'), { token, body: { template_id: tplA, campaign: c.slug } });
  assert.equal(claim.status, 201, claim.text);
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${j.member.id} AND channel = '${ch}'`), 2);
  // joining again changes nothing, and grants nothing more
  const again = await join('demo', token, { channel: ch });
  assert.equal(again.created, false);
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${j.member.id}`), 2);
  const stats = (await api('GET', m(`/staff/campaigns/${c.id}`), { token: mkt })).json.data.stats;
  assert.equal(stats.joins, 1);
  assert.equal(stats.claims, 2);
  // the page shows the member the coupon as claimed
  const page = await api('GET', `/m/demo/c/${c.slug}`, { headers: { cookie: 'sid=' + token } });
  assert.equal(page.status, 200);
  assert.match(page.text, /data-member="1"/);
});

test('a campaign gift pack is not granted when joining through an ended campaign', async () => {
  const late = await create(campaign({ starts_at: iso(Date.now() - 48 * HOUR), ends_at: iso(Date.now() - 24 * HOUR) }));
  const token = await signIn('demo', uniquePhone());
  const j = await join('demo', token, { channel: `campaign:${late.slug}` });
  assert.equal(j.created, true);
  assert.equal(await count(`SELECT COUNT(*) FROM coupons WHERE member_id = ${j.member.id}`), 0);
});

test('views, unique visitors and shares are counted', async () => {
  const c = await create(campaign());
  const path = m(`/campaigns/${c.slug}/events`);
  const first = await api('POST', path, { body: { type: 'view' } });
  assert.equal(first.status, 200);
  const vid = first.headers.get('set-cookie').match(/vid=([0-9a-f]{32})/)[1];
  await api('POST', path, { body: { type: 'view' }, headers: { cookie: `vid=${vid}` } });
  await parallel(5, () => api('POST', path, { body: { type: 'view' } }));
  await api('POST', path, { body: { type: 'share' }, headers: { cookie: `vid=${vid}` } });
  const bad = await api('POST', path, { body: { type: 'click' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'type');
  assert.equal((await api('POST', m('/campaigns/no-such/events'), { body: { type: 'view' } })).status, 404);
  const s = (await api('GET', m(`/staff/campaigns/${c.id}`), { token: mkt })).json.data.stats;
  assert.deepEqual([s.views, s.visitors, s.shares], [7, 6, 1]);
});

test('anonymous page views are kept a second by nginx; members always reach the app', async () => {
  const c = await create(campaign());
  const path = `/m/demo/c/${c.slug}`;
  const a = await api('GET', path);
  const b = await api('GET', path);
  assert.equal(a.headers.get('cache-control'), 'no-cache', 'browsers keep nothing');
  assert.equal(a.headers.get('x-accel-expires'), null, 'nginx reads it and drops it');
  assert.equal(b.headers.get('x-cache'), 'HIT');
  assert.equal(a.text, b.text);
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, {});
  const mine = await api('GET', path, { headers: { cookie: 'sid=' + token } });
  assert.equal(mine.headers.get('cache-control'), 'no-cache');
  assert.notEqual(mine.headers.get('x-cache'), 'HIT');
  assert.match(mine.text, /data-member="1"/);
});

test('a member with a Bearer token is never served the anonymous copy', async () => {
  const c = await create(campaign());
  const path = `/m/demo/c/${c.slug}`;
  await api('GET', path);
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, {});
  const r = await api('GET', path, { token });
  assert.notEqual(r.headers.get('x-cache'), 'HIT');
  assert.match(r.text, /data-member="1"/);
});
