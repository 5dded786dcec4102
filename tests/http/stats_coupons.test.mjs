// The coupon report (GET staff/stats/coupons) read from the rollups
// (stats_coupon_days, migration 0030) on a merchant of the test's own:
// every figure is what the test's own claims, order, counter redemption
// without an order, void, gift issued at a store and refund made, per
// template, in total, by day and per store; a rebuild of the day changes
// nothing in the answer; the template list's used count follows the
// coupons through slots; the nightly job folds past days' slots into one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from './lib.mjs';
import { newMerchant, rebuild, localDate, addDays } from './stats_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));

test('coupons from the rollups: an order, a counter redemption, a void, a gift at a store and a refund, per template, day and store', async () => {
  const mc = await newMerchant('sc');
  const [s1, s2] = mc.stores;
  // a completed order's refund gives its coupons back
  await sql(`INSERT INTO checkout_settings (merchant_id, return_on_cancel, return_before_complete,
    return_after_complete, unpaid_expiry_min) VALUES (${mc.id}, 1, 1, 1, 15)`);
  const tpl = await mc.template(500, '五元券');
  const gift = await mc.template(800, '新人八元券');
  const g = await mc.owner.call('PUT', '/staff/settings/new-member-gift', { enabled: true, template_ids: [gift.id] });
  assert.equal(g.status, 200, g.text);
  const today = localDate();
  const q = `from=${today}&to=${today}`;
  const empty = await mc.stats('coupons', q);
  assert.deepEqual([empty.totals.issued, empty.totals.used, empty.store_id], [0, 0, null]);

  const a = await mc.member({ channel: 'organic' });
  // both get the gift, b's issued at s2 where b joined
  const b = await mc.member({ channel: `store:${s2}` });
  const c1 = await mc.claim(a, tpl);
  const c2 = await mc.claim(a, tpl);
  const c3 = await mc.claim(b, tpl);
  const order = await mc.order({ store: s1, mem: a, fen: 3000, codes: [c1] });
  assert.equal(order.total_fen, 2500, JSON.stringify(order));
  const red = await mc.owner.call('POST', '/staff/redemptions', { coupon_code: c3, store_id: s2, order_fen: 2000 },
    { 'idempotency-key': `sc-${c3}` });
  assert.equal(red.status, 200, red.text);
  const void_ = await mc.owner.call('POST', `/staff/coupons/${c2}/cancel`, { reason: '测试作废' });
  assert.equal(void_.status, 200, void_.text);

  const row = (d, t) => d.templates.find((x) => x.id === t.id);
  const d = await mc.stats('coupons', q);
  const head = (t) => ({ id: t.id, name: t.name, kind: 'instant', status: 'active', stock: null, claimed: null,
    claim_rate: null });
  assert.deepEqual(row(d, tpl), {
    ...head(tpl), issued: 3, issued_used: 2, cancelled: 1, expired: 0, use_rate: 0.6667,
    used: 2, discount_fen: 1000, order_fen: 5000, roi: 5, aov_fen: 2500, new_claims: 3,
  });
  assert.deepEqual(row(d, gift), {
    ...head(gift), issued: 2, issued_used: 0, cancelled: 0, expired: 0, use_rate: 0,
    used: 0, discount_fen: 0, order_fen: 0, roi: null, aov_fen: null, new_claims: 2,
  });
  assert.deepEqual(d.totals, { issued: 5, issued_used: 2, cancelled: 1, expired: 0, use_rate: 0.4,
    used: 2, discount_fen: 1000, order_fen: 5000, roi: 5, aov_fen: 2500, new_claims: 5 });
  assert.deepEqual(d.daily, [{ date: today, issued: 5, used: 2, discount_fen: 1000, order_fen: 5000 }]);
  assert.ok(d.definitions.used && d.definitions.store_id);

  // per store: claims from the centre belong to none, the gift to s2;
  // the order's use to s1, the counter's to s2
  const at1 = await mc.stats('coupons', `${q}&store_id=${s1}`);
  assert.equal(at1.store_id, s1);
  assert.deepEqual([row(at1, tpl).issued, row(at1, tpl).used, row(at1, tpl).discount_fen, row(at1, tpl).order_fen],
    [0, 1, 500, 3000]);
  assert.deepEqual([at1.totals.issued, at1.totals.used], [0, 1]);
  const at2 = await mc.stats('coupons', `${q}&store_id=${s2}`);
  assert.deepEqual([row(at2, tpl).used, row(at2, tpl).order_fen, row(at2, gift).issued, row(at2, gift).new_claims],
    [1, 2000, 1, 1]);
  assert.deepEqual([at2.totals.issued, at2.totals.used, at2.totals.discount_fen], [1, 1, 500]);
  const bad = await mc.owner.call('GET', '/staff/stats/coupons?store_id=999999999');
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error.field, 'store_id');

  // the template list counts the uses over the slots
  const used = async () => {
    const r = await mc.owner.call('GET', '/staff/coupon-templates');
    assert.equal(r.status, 200, r.text);
    const t = r.json.data.find((x) => x.id === tpl.id);
    return [t.claimed, t.used];
  };
  assert.deepEqual(await used(), [3, 2]);

  // the refund gives c1 back: no longer used, nor used of the claims
  const rf = await mc.refund(order.id);
  assert.deepEqual(rf.refund.coupons_returned, [c1], JSON.stringify(rf));
  const after = await mc.stats('coupons', q);
  assert.deepEqual([row(after, tpl).issued_used, row(after, tpl).used, row(after, tpl).discount_fen,
    row(after, tpl).order_fen, row(after, tpl).use_rate], [1, 1, 500, 2000, 0.3333]);
  assert.deepEqual(await used(), [3, 1]);
  const after2 = await mc.stats('coupons', `${q}&store_id=${s2}`);

  // rebuilt from the coupons and orders (into slot 0), the answer is the same
  rebuild(mc.code, today);
  const [[slots]] = await sql(`SELECT COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id} AND slot <> 0`);
  assert.equal(slots, '0');
  assert.deepEqual(await mc.stats('coupons', q), after);
  assert.deepEqual(await mc.stats('coupons', `${q}&store_id=${s2}`), after2);
  // and the night's fold after the rebuild (run, not "done before"):
  // the same again
  const fold = execFileSync(APP, ['jobs', 'run', 'stats-fold', '--merchant', mc.code, '--now'],
    { env: process.env, encoding: 'utf8' });
  assert.match(fold, /\(done\)$/m, fold);
  assert.deepEqual(await mc.stats('coupons', q), after);
  assert.deepEqual(await mc.stats('coupons', `${q}&store_id=${s2}`), after2);
});

test('the nightly fold adds the slots of the days before today into slot 0, and the report stays the same', async () => {
  const mc = await newMerchant('sf');
  const [s1] = mc.stores;
  const tpl = await mc.template(300, '三元券');
  const mem = await mc.member({ channel: 'organic' });
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push(await mc.claim(mem, tpl));
  await mc.order({ store: s1, mem, fen: 2000, codes: [codes[0]] });
  const red = await mc.owner.call('POST', '/staff/redemptions', { coupon_code: codes[1], store_id: s1, order_fen: 1500 },
    { 'idempotency-key': `sf-${codes[1]}` });
  assert.equal(red.status, 200, red.text);
  // yesterday's rows, as the connections wrote them: spread over slots
  const today = localDate();
  const yesterday = localDate(new Date(Date.now() - 86400000));
  await sql(`UPDATE stats_coupon_days SET day = '${yesterday}' WHERE merchant_id = ${mc.id}`);
  await sql(`INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id, slot, redeemed,
    redeemed_discount_fen, redeemed_order_fen) VALUES (${mc.id}, '${yesterday}', ${s1}, ${tpl.id}, 7, 0, 0, 0)
    ON DUPLICATE KEY UPDATE redeemed = redeemed`);
  const q = `from=${yesterday}&to=${today}`;
  const before = await mc.stats('coupons', q);
  assert.deepEqual([before.totals.issued, before.totals.used, before.totals.order_fen], [4, 2, 3500]);
  const [[spread]] = await sql(`SELECT COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id} AND slot <> 0`);
  assert.ok(Number(spread) >= 1, 'rows at other slots');
  const out = execFileSync(APP, ['jobs', 'run', 'stats-fold', '--merchant', mc.code, '--date', today],
    { env: process.env, encoding: 'utf8' });
  assert.match(out, /stats-fold \S+ \S+: 归并行数 [1-9]\d* \(done\)/, out);
  const [[left, rows]] = await sql(`SELECT SUM(slot <> 0), COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id}`);
  assert.equal(left, '0');
  assert.ok(Number(rows) >= 2);
  assert.deepEqual(await mc.stats('coupons', q), before);
});

test('expired coupons: the report counts them from the raw rows whether merged or not, and a rebuild opens the day\'s fold again', async () => {
  const mc = await newMerchant('se');
  const [s1] = mc.stores;
  const tpl = await mc.template(200, '两元券');
  const mem = await mc.member({ channel: 'organic' });
  const codes = [];
  for (let i = 0; i < 5; i++) codes.push(await mc.claim(mem, tpl));
  const red = await mc.owner.call('POST', '/staff/redemptions', { coupon_code: codes[0], store_id: s1, order_fen: 1000 },
    { 'idempotency-key': `se-${codes[0]}` });
  assert.equal(red.status, 200, red.text);
  const v = await mc.owner.call('POST', `/staff/coupons/${codes[1]}/cancel`, { reason: '测试作废' });
  assert.equal(v.status, 200, v.text);
  const today = localDate();
  const q = `from=${today}&to=${today}`;
  const raw = async () => (await sql(`SELECT COUNT(*), SUM(status = 'used'), SUM(status = 'cancelled'),
    SUM(status = 'unused' AND valid_until < UTC_TIMESTAMP()) FROM coupons WHERE merchant_id = ${mc.id}`))[0].map(Number);
  const figures = async () => {
    const d = await mc.stats('coupons', q);
    const t = d.templates.find((x) => x.id === tpl.id);
    return [t.issued, t.issued_used, t.cancelled, t.expired];
  };
  assert.deepEqual(await figures(), [5, 1, 1, 0]);
  assert.deepEqual(await figures(), await raw());
  // time passes: two of the three still unused expire (the coupons and
  // their rows by valid_until alike), one stays valid
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 3 HOUR
    WHERE merchant_id = ${mc.id} AND code IN ('${codes[2]}', '${codes[3]}')`);
  const [[vu]] = await sql(`SELECT valid_until FROM coupons WHERE merchant_id = ${mc.id} AND code = '${codes[4]}'`);
  await sql(`UPDATE stats_coupon_days SET unused = unused - 2 WHERE merchant_id = ${mc.id} AND valid_until = '${vu}'`);
  await sql(`INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id, valid_until, slot, unused)
    VALUES (${mc.id}, '${today}', 0, ${tpl.id}, UTC_TIMESTAMP() - INTERVAL 3 HOUR, 5, 2)`);
  const past = async () => Number((await sql(`SELECT COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id}
    AND valid_until > '1970-01-02' AND valid_until < UTC_TIMESTAMP()`))[0][0]);
  assert.equal(await past(), 1);
  assert.deepEqual(await raw(), [5, 1, 1, 2]);
  assert.deepEqual(await figures(), await raw(), 'expired, not merged yet');
  const fold = () => execFileSync(APP, ['jobs', 'run', 'stats-fold', '--merchant', mc.code, '--now'],
    { env: process.env, encoding: 'utf8' });
  assert.match(fold(), /\(done\)$/m);
  assert.equal(await past(), 0);
  assert.deepEqual(await figures(), await raw(), 'expired, merged by the fold');
  // today's run is done: a second one does nothing
  assert.match(fold(), /\(done before\)$/m);
  // the rebuild writes them merged already, and opens the day's fold
  // again, so that the fold after it is run, not "done before"
  rebuild(mc.code, today);
  assert.equal(await past(), 0);
  assert.equal(Number((await sql(`SELECT SUM(unused) FROM stats_coupon_days WHERE merchant_id = ${mc.id}
    AND valid_until = '1970-01-02'`))[0][0]), 2);
  assert.deepEqual(await figures(), await raw(), 'expired, rebuilt');
  assert.match(fold(), /\(done\)$/m);
  assert.deepEqual(await figures(), await raw(), 'expired, rebuilt and folded');
  // the report reads the day's totals and the expired, never the rows of
  // coupons still valid: a made-up one, claims and all, is not read
  await sql(`INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id, valid_until, slot, claims, unused)
    VALUES (${mc.id}, '${today}', 0, ${tpl.id}, UTC_TIMESTAMP() + INTERVAL 9 DAY, 3, 40, 40)`);
  assert.deepEqual(await figures(), await raw());
});

test('days before the fold and today after it, by store: every figure per template, in total and by day is the coupons\' own', async () => {
  const mc = await newMerchant('sp');
  const [s1, s2] = mc.stores;
  const tpls = [await mc.template(300, '三元券'), await mc.template(600, '六元券')];
  const mem = await mc.member({ channel: 'organic' });
  const codes = [];
  for (let i = 0; i < 12; i++) codes.push(await mc.claim(mem, tpls[i % 2]));
  for (const [i, st] of [[0, s1], [1, s2], [2, s2], [5, s1], [9, s2]]) {
    const red = await mc.owner.call('POST', '/staff/redemptions', { coupon_code: codes[i], store_id: st,
      order_fen: 1000 + 100 * i }, { 'idempotency-key': `sp-${codes[i]}` });
    assert.equal(red.status, 200, red.text);
  }
  const v = await mc.owner.call('POST', `/staff/coupons/${codes[3]}/cancel`, { reason: '测试作废' });
  assert.equal(v.status, 200, v.text);
  // the year before: claims spread over four days and two stores, uses a
  // day or two after them, some expired long ago (merged by the rebuild),
  // one about to (kept at its own valid_until, past by the time it is
  // asked: not merged yet)
  const today = localDate();
  const from = addDays(today, -3);
  await sql(`UPDATE coupons SET claimed_at = claimed_at - INTERVAL (id % 4) DAY,
    store_id = IF(id % 3 = 0, NULL, IF(id % 3 = 1, ${s1}, ${s2})),
    used_at = IF(used_at IS NULL, NULL, used_at - INTERVAL (id % 4) DAY + INTERVAL (id % 2) DAY)
    WHERE merchant_id = ${mc.id}`);
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() - INTERVAL 1 DAY
    WHERE merchant_id = ${mc.id} AND code IN ('${codes[4]}', '${codes[6]}', '${codes[7]}')`);
  await sql(`UPDATE coupons SET valid_until = UTC_TIMESTAMP() + INTERVAL 2 SECOND
    WHERE merchant_id = ${mc.id} AND code = '${codes[8]}'`);
  rebuild(mc.code, from, today);
  assert.match(execFileSync(APP, ['jobs', 'run', 'stats-fold', '--merchant', mc.code, '--now'],
    { env: process.env, encoding: 'utf8' }), /\(done\)$/m);
  // today after the fold: a claim in the slots
  await mc.claim(mem, tpls[1]);
  await new Promise((res) => setTimeout(res, 2500));
  const [[unmerged]] = await sql(`SELECT COUNT(*) FROM stats_coupon_days WHERE merchant_id = ${mc.id}
    AND valid_until > '1970-01-02' AND valid_until < UTC_TIMESTAMP() AND unused <> 0`);
  assert.equal(Number(unmerged), 1, 'one expired not merged yet');

  const day = (col) => `DATE(${col} + INTERVAL 8 HOUR)`;
  const raw = async (a, b, store) => {
    const inStore = (col) => (store ? `AND IFNULL(${col}, 0) = ${store}` : '');
    const claims = await sql(`SELECT c.template_id, ${day('c.claimed_at')}, COUNT(*), SUM(c.status = 'used'),
      SUM(c.status = 'cancelled'), SUM(c.status = 'unused' AND c.valid_until < UTC_TIMESTAMP()),
      SUM(${day('c.claimed_at')} = ${day('mb.joined_at')})
      FROM coupons c JOIN members mb ON mb.id = c.member_id WHERE c.merchant_id = ${mc.id}
      AND ${day('c.claimed_at')} BETWEEN '${a}' AND '${b}' ${inStore('c.store_id')}
      GROUP BY 1, 2`);
    const uses = await sql(`SELECT template_id, ${day('used_at')}, COUNT(*), SUM(discount_fen), SUM(order_fen)
      FROM coupons WHERE merchant_id = ${mc.id} AND status = 'used'
      AND ${day('used_at')} BETWEEN '${a}' AND '${b}' ${inStore('used_store_id')} GROUP BY 1, 2`);
    const zero = () => ({ issued: 0, issued_used: 0, cancelled: 0, expired: 0, used: 0, discount_fen: 0,
      order_fen: 0, new_claims: 0 });
    const per = new Map(tpls.map((t) => [t.id, zero()]));
    const total = zero();
    const daily = [];
    for (let d = a; d <= b; d = addDays(d, 1)) daily.push({ date: d, issued: 0, used: 0, discount_fen: 0, order_fen: 0 });
    const at = (d) => daily.find((x) => x.date === d);
    for (const [t, d, n, u, c, e, nc] of claims) {
      for (const o of [per.get(Number(t)), total]) {
        o.issued += Number(n); o.issued_used += Number(u); o.cancelled += Number(c); o.expired += Number(e);
        o.new_claims += Number(nc);
      }
      at(d).issued += Number(n);
    }
    for (const [t, d, n, disc, ord] of uses) {
      for (const o of [per.get(Number(t)), total]) {
        o.used += Number(n); o.discount_fen += Number(disc); o.order_fen += Number(ord);
      }
      Object.assign(at(d), { used: at(d).used + Number(n), discount_fen: at(d).discount_fen + Number(disc),
        order_fen: at(d).order_fen + Number(ord) });
    }
    return { per, total, daily };
  };
  const keys = ['issued', 'issued_used', 'cancelled', 'expired', 'used', 'discount_fen', 'order_fen', 'new_claims'];
  const pick = (o) => Object.fromEntries(keys.map((k) => [k, o[k]]));
  let seen = 0;
  for (const [a, b] of [[from, today], [addDays(today, -2), addDays(today, -1)], [today, today]]) {
    for (const store of [0, s1, s2]) {
      const q = `from=${a}&to=${b}${store ? `&store_id=${store}` : ''}`;
      const d = await mc.stats('coupons', q);
      const want = await raw(a, b, store);
      const what = `${a}..${b} store ${store}`;
      assert.deepEqual(pick(d.totals), want.total, `totals ${what}`);
      for (const t of tpls) assert.deepEqual(pick(d.templates.find((x) => x.id === t.id)), want.per.get(t.id), `template ${t.id} ${what}`);
      assert.deepEqual(d.daily, want.daily, `daily ${what}`);
      seen += want.total.issued + want.total.used + want.total.expired;
    }
  }
  // the cases are not empty: claims, uses and expired in them
  const all = await raw(from, today, 0);
  assert.ok(all.total.issued === 13 && all.total.used === 5 && all.total.expired === 4 && seen > 0,
    JSON.stringify(all.total));
});
