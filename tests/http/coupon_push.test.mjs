// Coupon pushes (定向发券, handlers/staff/coupon_push.c) through nginx and
// the real binary: a push by the member list's filter, by pasted phones
// and card numbers (deduplicated, unknown ones reported), by member ids;
// the job started at once by the POST; a push resumed after a batch that
// failed half way (the runner's JOB_BATCH and JOB_FAIL_BATCH knobs) that
// still gives each member exactly one coupon; the template's stock and
// per-member limit; members blocked by staff passed over (counted and
// named); cancel, of a queued push and of a running one at its next
// batch; a later push that a push held by another process does not hold
// back; roles; another merchant's template. The file waits, at its end,
// for the runs its POSTs started, so that none outlives it.
//
// The pushes run on a merchant of this file's own, so that the job's
// runs (this file's, the POST's and the stack's tick) meet no other
// file's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { api, m, uniquePhone, signIn, join, staffLogin, sql } from './lib.mjs';
import { ownMerchant } from './own_merchant.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let mc, owner, mkt, cashier, other;
let seq = 0;

function run(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(APP, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function template(extra = {}, token = mkt, merchant = mc.code) {
  seq += 1;
  const r = await api('POST', m('/staff/coupon-templates', merchant), {
    token,
    body: { name: `直领券${seq}`, kind: 'instant', value_fen: 300, stock: null, per_member_limit: 1,
      valid_days: 30, status: 'active', listed: false, ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.data.id;
}

/** n members joined through channel: [{id, phone, card_no, token}]. */
async function members(n, channel) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const phone = uniquePhone();
    const token = await signIn(mc.code, phone);
    const j = await join(mc.code, token, channel ? { channel } : {});
    out.push({ id: j.member.id, phone, card_no: j.member.card_no, token });
  }
  return out;
}

function push(body, token = mkt, merchant = mc.code, headers = {}) {
  return api('POST', m('/staff/coupon-pushes', merchant), { token, body, headers });
}

async function pushOk(body) {
  const r = await push(body);
  assert.equal(r.status, 202, r.text);
  assert.ok(['queued', 'running', 'done'].includes(r.json.data.status), r.text);
  return r.json.data;
}

/** The push once it has finished (the POST's own run, or the tick). */
async function finished(id) {
  for (let i = 0; i < 150; i++) {
    const r = await api('GET', m(`/staff/coupon-pushes/${id}`, mc.code), { token: mkt });
    assert.equal(r.status, 200, r.text);
    if (['done', 'failed', 'cancelled'].includes(r.json.data.status)) return r.json.data;
    await sleep(200);
  }
  throw new Error(`push ${id} did not finish`);
}

/** Coupons of the push per member: Map id -> count. */
async function couponsOf(pushId) {
  const rows = await sql(`SELECT member_id, COUNT(*) FROM coupons WHERE merchant_id = ${mc.id}
    AND channel = 'push:${pushId}' GROUP BY member_id`);
  return new Map(rows.map(([id, n]) => [Number(id), Number(n)]));
}

const sum = (p) => p.issued + p.over_limit + p.out_of_stock + p.skipped + p.blocked;

/** This file's job runs still alive (the POSTs' own `app jobs run`): their pids. */
function runsAlive() {
  return new Promise((resolve) => {
    execFile('pgrep', ['-f', `jobs run coupon-pushes --merchant ${mc.code}$`], (err, stdout) => {
      resolve(err ? [] : stdout.trim().split('\n').filter(Boolean));
    });
  });
}

/*
 * A batch of another process that holds a push (its row locked in an open
 * transaction, as a runner stuck half way through a batch would): the push
 * is made due inside that transaction only. Resolves to release().
 */
function holdPush(id) {
  const env = { ...process.env, MYSQL_PWD: process.env.DB_PASSWORD || '' };
  const child = spawn('mariadb', ['--no-defaults', `--socket=${process.env.DB_SOCKET}`,
    `--user=${process.env.DB_USER || 'app'}`, `--database=${process.env.DB_NAME || 'app'}`,
    '--batch', '--unbuffered', '--skip-column-names'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout.on('data', (d) => {
      if (String(d).includes('held')) {
        resolve(() => new Promise((done) => { child.on('close', done); child.stdin.end(); }));
      }
    });
    child.stdin.write(`BEGIN; SELECT id FROM coupon_pushes WHERE id = ${id} FOR UPDATE;
      UPDATE coupon_pushes SET send_at = NULL WHERE id = ${id}; SELECT 'held';\n`);
  });
}

before(async () => {
  mc = await ownMerchant('cp');
  [owner, mkt, cashier] = (await Promise.all(['owner', 'marketing', 'cashier']
    .map((u) => staffLogin(mc.code, u, 'demo1234')))).map((s) => s.token);
  const mkt2 = (await staffLogin('demo2', 'marketing', 'demo1234')).token;
  other = await template({}, mkt2, 'demo2');
});

after(async () => {
  // the runs this file's POSTs started end once no push is left to them
  for (let i = 0; i < 150 && (await runsAlive()).length > 0; i++) await sleep(200);
  assert.deepEqual(await runsAlive(), [], 'no job run of this file outlives it');
});

test('a push by the member list\'s filter reaches the members it finds, once each', async () => {
  const ch = `pf${Date.now() % 1e6}`;
  const mine = await members(3, ch);
  await members(1, `${ch}x`);
  const tpl = await template();
  const p = await pushOk({ template_id: tpl, filter: { channel: ch } });
  assert.equal(p.target, 'filter');
  assert.equal(p.filter, `channel=${ch}`);
  const done = await finished(p.id);
  assert.equal(done.status, 'done');
  assert.equal(done.total, 3);
  assert.equal(done.issued, 3);
  assert.equal(sum(done), done.total);
  assert.ok(done.finished_at && done.started_at);
  const got = await couponsOf(p.id);
  assert.deepEqual([...got.keys()].sort(), mine.map((x) => x.id).sort());
  assert.ok([...got.values()].every((n) => n === 1));
  // the member sees it among their coupons
  const c = await api('GET', m('/me/coupons?status=unused', mc.code), { token: mine[0].token });
  assert.equal(c.status, 200);
  assert.ok(c.json.data.some((x) => x.template_id === tpl), c.text);

  // the same filter as a query string; a bad filter names its parameter
  const q = await pushOk({ template_id: tpl, filter: `channel=${ch}` });
  const q2 = await finished(q.id);
  assert.equal(q2.over_limit, 3, 'limit 1: all three hold one already');
  assert.equal(q2.issued, 0);
  const bad = await push({ template_id: tpl, filter: { birthday_month: 13 } });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.error.field, 'filter.birthday_month');
});

test('a push by pasted phones and card numbers: deduplicated, unknown ones reported', async () => {
  const ms = await members(3);
  const tpl = await template();
  const unknownPhone = uniquePhone();
  const text = `${ms[0].phone}\n${ms[0].phone}，${ms[1].card_no} ${ms[1].phone}; ${unknownPhone}、abc`;
  const p = await pushOk({ template_id: tpl, phones: text });
  assert.equal(p.target, 'phones');
  assert.equal(p.total, 2, 'two members: a phone twice, a card and its phone');
  assert.deepEqual(p.unknown.sort(), [unknownPhone, 'abc'].sort());
  assert.equal(p.unknown_count, 2);
  const done = await finished(p.id);
  assert.equal(done.issued, 2);
  const got = await couponsOf(p.id);
  assert.deepEqual([...got.entries()].sort(), [[ms[0].id, 1], [ms[1].id, 1]].sort());

  const arr = await pushOk({ template_id: await template(), phones: [ms[2].phone] });
  assert.equal((await finished(arr.id)).issued, 1);

  const none = await push({ template_id: tpl, phones: [unknownPhone] });
  assert.equal(none.status, 400);
  assert.equal(none.json.error.field, 'phones');
  assert.match(none.json.error.message, /[\u4e00-\u9fff]/);
  const two = await push({ template_id: tpl, phones: [ms[0].phone], member_ids: [ms[0].id] });
  assert.equal(two.status, 400);
  const nothing = await push({ template_id: tpl });
  assert.equal(nothing.status, 400);
  assert.equal(nothing.json.error.field, 'filter');
});

test('a push to named members; an unknown member changes nothing; GET lists the pushes', async () => {
  const [a] = await members(1);
  const tpl = await template();
  const before = Number((await sql(`SELECT COUNT(*) FROM coupon_pushes WHERE merchant_id = ${mc.id}`))[0][0]);
  const bad = await push({ template_id: tpl, member_ids: [a.id, 999999999] });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.field, 'member_ids[1]');
  assert.equal(Number((await sql(`SELECT COUNT(*) FROM coupon_pushes WHERE merchant_id = ${mc.id}`))[0][0]), before);
  const p = await pushOk({ template_id: tpl, member_ids: [a.id, a.id] });
  assert.equal(p.total, 1);
  const done = await finished(p.id);
  assert.equal(done.issued, 1);
  const l = await api('GET', m('/staff/coupon-pushes?limit=2', mc.code), { token: owner });
  assert.equal(l.status, 200);
  assert.equal(l.json.data[0].id, p.id, 'newest first');
  assert.ok(l.json.next_cursor);
  const l2 = await api('GET', m(`/staff/coupon-pushes?limit=2&cursor=${l.json.next_cursor}`, mc.code), { token: owner });
  assert.ok(l2.json.data.every((x) => x.id < l.json.data[1].id));

  // Idempotency-Key: the same push once
  const key = `push-${Date.now()}`;
  const i1 = await push({ template_id: tpl, member_ids: [a.id] }, mkt, mc.code, { 'idempotency-key': key });
  const i2 = await push({ template_id: tpl, member_ids: [a.id] }, mkt, mc.code, { 'idempotency-key': key });
  assert.equal(i1.status, 202);
  assert.equal(i2.status, 202);
  assert.equal(i2.json.data.id, i1.json.data.id);
});

test('a push resumed after a batch failed half way gives each member exactly one coupon', async () => {
  const ms = await members(5);
  const tpl = await template({ per_member_limit: 3 });
  const later = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const p = await pushOk({ template_id: tpl, member_ids: ms.map((x) => x.id), send_at: later });
  assert.equal(p.status, 'queued');
  assert.ok(p.send_at);
  // days of their own for the runs (a minute job's period), which no tick
  // shares: a run for a past day finds the push not due yet, one for a
  // day after its send_at runs it
  const rnd = (n) => Math.floor(Math.random() * n);
  const past = `20${10 + rnd(10)}-0${1 + rnd(9)}-1${rnd(9)}`;
  const day = `203${rnd(7)}-0${1 + rnd(9)}-1${rnd(9)}`; // before 2038: UNIX_TIMESTAMP()
  const early = await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', past]);
  assert.equal(early.code, 0, early.out);
  assert.equal((await api('GET', m(`/staff/coupon-pushes/${p.id}`, mc.code), { token: mkt })).json.data.status,
    'queued', 'not before send_at');

  // batches of 2: the first commits, the second fails after its work
  await sql(`DELETE FROM job_runs WHERE merchant_id = ${mc.id} AND job = 'coupon-pushes' AND period LIKE '${day}%'`);
  // (set aside, and due for its retry at once: JOB_RETRY_S 0)
  const first = await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day],
    { JOB_BATCH: '2', JOB_FAIL_BATCH: '2', JOB_RETRY_S: '0' });
  assert.notEqual(first.code, 0, first.out);
  assert.match(first.out, /batch 2 set aside/);
  assert.match(first.out, /failed/);
  const half = (await api('GET', m(`/staff/coupon-pushes/${p.id}`, mc.code), { token: mkt })).json.data;
  assert.equal(half.status, 'running');
  assert.equal(half.issued, 2, 'the batch that failed is rolled back: only the first batch');
  assert.equal((await couponsOf(p.id)).size, 2);

  const again = await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day], { JOB_BATCH: '2' });
  assert.equal(again.code, 0, again.out);
  const done = await finished(p.id);
  assert.equal(done.status, 'done');
  assert.equal(done.issued, 5);
  assert.equal(sum(done), 5);
  const got = await couponsOf(p.id);
  assert.deepEqual([...got.keys()].sort(), ms.map((x) => x.id).sort());
  assert.ok([...got.values()].every((n) => n === 1), JSON.stringify([...got]));
  const outcomes = await sql(`SELECT outcome, COUNT(*) FROM coupon_push_members WHERE push_id = ${p.id} GROUP BY outcome`);
  assert.deepEqual(outcomes, [['issued', '5']]);
  // run again: nothing more
  await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day]);
  assert.equal([...(await couponsOf(p.id)).values()].reduce((a, b) => a + b, 0), 5);
});

test('a push whose batch fails every time is set aside, backing off, until given up; the other push of the run is done', async () => {
  // no push of the tests before is left for the run to take first
  await sql(`UPDATE coupon_pushes SET status = 'cancelled', cancelled_at = UTC_TIMESTAMP() WHERE merchant_id = ${mc.id}
    AND status IN ('queued', 'running')`);
  const ms = await members(4);
  const tpl = await template({ per_member_limit: 3 });
  const later = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  // the poison push first (the run's first batch fails, every time: JOB_FAIL_BATCH 1), the good one after
  const bad = await pushOk({ template_id: tpl, member_ids: ms.slice(0, 2).map((x) => x.id), send_at: later });
  const good = await pushOk({ template_id: tpl, member_ids: ms.map((x) => x.id), send_at: later });
  const rnd = (n) => Math.floor(Math.random() * n);
  const day = `203${rnd(7)}-0${1 + rnd(9)}-2${rnd(8)}`;
  await sql(`DELETE FROM job_runs WHERE merchant_id = ${mc.id} AND job = 'coupon-pushes' AND period LIKE '${day}%'`);
  const args = ['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day];
  const env = { JOB_BATCH: '2', JOB_FAIL_BATCH: '1', JOB_RETRY_S: '600' };
  const first = await run(args, env);
  assert.notEqual(first.code, 0, first.out);
  assert.match(first.out, /batch 1 set aside/);
  assert.match(first.out, /1 batch\(es\) set aside, retried from /);
  // the rest of the run went on: the good push is done, the poison one untouched
  const g = await finished(good.id);
  assert.deepEqual([g.status, g.issued], ['done', 4]);
  let b = (await api('GET', m(`/staff/coupon-pushes/${bad.id}`, mc.code), { token: mkt })).json.data;
  assert.equal(b.issued, 0);
  const row = async () => {
    const [[status, retry, attempts, waiting, wait, given]] = await sql(`SELECT r.status, r.retry_at IS NOT NULL, r.attempts,
      f.status, TIMESTAMPDIFF(SECOND, f.failed_at, f.retry_at), f.attempts
      FROM job_runs r JOIN job_batch_fails f ON f.run_id = r.id
      WHERE r.merchant_id = ${mc.id} AND r.job = 'coupon-pushes' AND r.period LIKE '${day}%'`);
    return { status, retry: retry === '1', runAttempts: Number(attempts), batch: waiting, wait: Number(wait), tries: Number(given) };
  };
  let r = await row();
  assert.deepEqual([r.status, r.retry, r.batch, r.tries], ['failed', true, 'waiting', 1]);
  assert.ok(Math.abs(r.wait - 600) <= 2, JSON.stringify(r));
  // not due: a run now leaves it alone
  const early = await run(args, env);
  assert.equal(early.code, 0, early.out);
  assert.match(early.out, /failed, batches set aside retried from /);
  assert.equal((await row()).tries, 1);
  // due, again and again: each failure waits twice as long, the fifth gives up
  const due = `UPDATE job_batch_fails f JOIN job_runs r ON r.id = f.run_id SET f.retry_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND,
    r.retry_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE r.merchant_id = ${mc.id} AND r.job = 'coupon-pushes' AND r.period LIKE '${day}%'`;
  for (const [tries, wait] of [[2, 1200], [3, 2400], [4, 3600], [5, null]]) {
    await sql(due);
    const again = await run(args, env);
    assert.notEqual(again.code, 0, again.out);
    assert.match(again.out, new RegExp(`batch 1 set aside failed again \\(attempt ${tries} of 5\\)`), again.out);
    r = await row();
    assert.equal(r.tries, tries, JSON.stringify(r));
    if (wait) {
      assert.deepEqual([r.status, r.batch, r.retry], ['failed', 'waiting', true]);
      assert.ok(Math.abs(r.wait - wait) <= 2, JSON.stringify(r));
    } else {
      assert.deepEqual([r.status, r.batch, r.retry], ['failed', 'failed', false], 'given up: no retry');
      assert.match(again.out, /1 batch\(es\) set aside given up after 5 attempts/);
    }
  }
  const list = await run(['jobs', 'list', '--merchant', mc.code]);
  assert.match(list.out, /batches set aside: 0 to retry, 1 given up/);
  const last = await run(args, {});
  assert.match(last.out, /failed, no more attempts/, 'a run given up is not taken again');
  b = (await api('GET', m(`/staff/coupon-pushes/${bad.id}`, mc.code), { token: mkt })).json.data;
  assert.equal(b.issued, 0);
  assert.equal((await couponsOf(bad.id)).size, 0, 'every failed attempt rolled back');
  assert.equal((await couponsOf(good.id)).size, 4);
  // staff cancel the poison push; nothing else is left
  assert.equal((await api('POST', m(`/staff/coupon-pushes/${bad.id}/cancel`, mc.code), { token: mkt })).status, 200);
});

test('a filter push collected in small batches, failed and resumed: its members once each, none who joined after', async () => {
  const ch = `pr${Date.now() % 1e6}`;
  const ms = await members(5, ch);
  const tpl = await template({ per_member_limit: 2 });
  const later = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const p = await pushOk({ template_id: tpl, filter: { channel: ch }, send_at: later });
  assert.equal(p.total, null, 'a filter is counted as the job collects it');
  const [late] = await members(1, ch);
  const rnd = (n) => Math.floor(Math.random() * n);
  const day = `203${rnd(7)}-1${rnd(3)}-0${1 + rnd(9)}`;
  await sql(`DELETE FROM job_runs WHERE merchant_id = ${mc.id} AND job = 'coupon-pushes' AND period LIKE '${day}%'`);
  // collect 2, collect 2, then the third batch (the last member, the total) fails
  const first = await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day],
    { JOB_BATCH: '2', JOB_FAIL_BATCH: '3', JOB_RETRY_S: '0' });
  assert.notEqual(first.code, 0, first.out);
  const half = (await api('GET', m(`/staff/coupon-pushes/${p.id}`, mc.code), { token: mkt })).json.data;
  assert.equal(half.status, 'running');
  assert.equal(half.total, null);
  const collected = await sql(`SELECT COUNT(*) FROM coupon_push_members WHERE push_id = ${p.id}`);
  assert.equal(Number(collected[0][0]), 4);
  const again = await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day], { JOB_BATCH: '2' });
  assert.equal(again.code, 0, again.out);
  const done = await finished(p.id);
  assert.equal(done.total, 5);
  assert.equal(done.issued, 5);
  assert.equal(sum(done), 5);
  const got = await couponsOf(p.id);
  assert.deepEqual([...got.keys()].sort(), ms.map((x) => x.id).sort(), 'not the member who joined after');
  assert.ok(!got.has(late.id));
  assert.ok([...got.values()].every((n) => n === 1));
});

test('the stock stops a push (done, the rest out of stock); members over the limit are counted', async () => {
  const ms = await members(5);
  const limited = await template({ stock: 2 });
  const p = await pushOk({ template_id: limited, member_ids: ms.map((x) => x.id) });
  const done = await finished(p.id);
  assert.equal(done.status, 'done');
  assert.equal(done.issued, 2);
  assert.equal(done.out_of_stock, 3);
  assert.equal(sum(done), done.total);
  const [[left]] = await sql(`SELECT stock_left FROM coupon_templates WHERE id = ${limited}`);
  assert.equal(Number(left), 0, 'never below zero');
  const sold = await push({ template_id: limited, member_ids: [ms[0].id] });
  assert.equal(sold.status, 409);
  assert.equal(sold.json.error.code, 'out_of_stock');

  // limit 1: a member who claimed it already is over the limit, reported
  const tpl = await template({ listed: true });
  const c = await api('POST', m('/coupons', mc.code), { token: ms[0].token, body: { template_id: tpl } });
  assert.equal(c.status, 201, c.text);
  const q = await pushOk({ template_id: tpl, member_ids: [ms[0].id, ms[1].id, ms[2].id] });
  const qd = await finished(q.id);
  assert.equal(qd.status, 'done');
  assert.equal(qd.issued, 2);
  assert.equal(qd.over_limit, 1);
  assert.equal(sum(qd), 3);
  const over = await sql(`SELECT member_id FROM coupon_push_members WHERE push_id = ${q.id} AND outcome = 'over_limit'`);
  assert.deepEqual(over, [[String(ms[0].id)]]);
  const shown = (await api('GET', m(`/staff/coupon-pushes/${q.id}`, mc.code), { token: mkt })).json.data;
  assert.deepEqual(shown.over_limit_members.map((x) => x.id), [ms[0].id], 'reported by name');
  assert.match(shown.over_limit_members[0].phone_masked, /^\d{3}\*{4}\d{4}$/);

  // a template that is not active cannot be pushed
  const draft = await template({ status: 'draft' });
  const d = await push({ template_id: draft, member_ids: [ms[0].id] });
  assert.equal(d.status, 409);
  assert.equal(d.json.error.code, 'ended');
});

test('roles: owner and marketing push, cashier 403; another merchant\'s template or push is 404', async () => {
  const [a] = await members(1);
  const tpl = await template({ per_member_limit: 5 });
  const c = await push({ template_id: tpl, member_ids: [a.id] }, cashier);
  assert.equal(c.status, 403);
  assert.equal((await api('GET', m('/staff/coupon-pushes', mc.code), { token: cashier })).status, 403);
  const o = await push({ template_id: tpl, member_ids: [a.id] }, owner);
  assert.equal(o.status, 202, o.text);
  assert.equal((await push({ template_id: tpl, member_ids: [a.id] }, a.token)).status, 403, 'a member token');
  assert.equal((await api('POST', m('/staff/coupon-pushes', mc.code), { body: { template_id: tpl, member_ids: [a.id] } })).status, 401);

  const x = await push({ template_id: other, member_ids: [a.id] });
  assert.equal(x.status, 404, x.text);
  assert.equal(x.json.error.code, 'not_found');
  const mkt2 = (await staffLogin('demo2', 'marketing', 'demo1234')).token;
  assert.equal((await api('GET', m(`/staff/coupon-pushes/${o.json.data.id}`, 'demo2'), { token: mkt2 })).status, 404);
  assert.equal((await api('GET', m(`/staff/coupon-pushes/${o.json.data.id}`, mc.code), { token: mkt2 })).status, 403);
  await finished(o.json.data.id);
});

test('a push passes over members blocked by staff: counted as blocked, named, sent nothing', async () => {
  const ms = await members(3);
  const tpl = await template();
  const b = await api('POST', m(`/staff/members/${ms[1].id}/block`, mc.code), { token: owner, body: { reason: '疑似刷券' } });
  assert.equal(b.status, 200, b.text);
  const p = await pushOk({ template_id: tpl, member_ids: ms.map((x) => x.id) });
  const done = await finished(p.id);
  assert.equal(done.status, 'done');
  assert.equal(done.issued, 2);
  assert.equal(done.blocked, 1);
  assert.equal(sum(done), done.total);
  assert.deepEqual(done.blocked_members.map((x) => x.id), [ms[1].id], 'reported by name');
  assert.match(done.blocked_members[0].phone_masked, /^\d{3}\*{4}\d{4}$/);
  const got = await couponsOf(p.id);
  assert.ok(!got.has(ms[1].id), 'the blocked member got no coupon');
  assert.deepEqual(await sql(`SELECT outcome FROM coupon_push_members WHERE push_id = ${p.id} AND member_id = ${ms[1].id}`),
    [['blocked']]);
});

test('cancel: a queued push never runs; a running one stops at its next batch, keeping what it issued', async () => {
  const ms = await members(4);
  const tpl = await template();
  const later = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const q = await pushOk({ template_id: tpl, member_ids: ms.map((x) => x.id), send_at: later });
  const cancel = (id, token = mkt) => api('POST', m(`/staff/coupon-pushes/${id}/cancel`, mc.code), { token });
  assert.equal((await cancel(q.id, cashier)).status, 403);
  let c = await cancel(q.id);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.data.status, 'cancelled');
  assert.ok(c.json.data.cancelled_at);
  c = await cancel(q.id);
  assert.equal(c.status, 409, c.text);
  assert.equal(c.json.error.code, 'conflict');
  assert.match(c.json.error.message, /[\u4e00-\u9fff]/);
  assert.equal((await cancel(999999999)).status, 404);
  const rnd = (n) => Math.floor(Math.random() * n);
  const day = `203${rnd(7)}-0${1 + rnd(9)}-2${rnd(8)}`;
  await sql(`DELETE FROM job_runs WHERE merchant_id = ${mc.id} AND job = 'coupon-pushes' AND period LIKE '${day}%'`);
  const r1 = await run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day]);
  assert.equal(r1.code, 0, r1.out);
  assert.equal((await couponsOf(q.id)).size, 0, 'a cancelled push issues nothing');
  const [[audit]] = await sql(`SELECT COUNT(*) FROM audit_log WHERE target = 'coupon_push:${q.id}' AND action = 'coupon.push_cancel'`);
  assert.equal(audit, '1');

  // running: batches of one member with a pause between; cancelled after the first
  const tpl2 = await template();
  const p = await pushOk({ template_id: tpl2, member_ids: ms.map((x) => x.id), send_at: later });
  const day2 = `203${rnd(7)}-1${rnd(3)}-2${rnd(8)}`;
  await sql(`DELETE FROM job_runs WHERE merchant_id = ${mc.id} AND job = 'coupon-pushes' AND period LIKE '${day2}%'`);
  const running = run(['jobs', 'run', 'coupon-pushes', '--merchant', mc.code, '--date', day2],
    { JOB_BATCH: '1', JOB_PAUSE_MS: '700' });
  let seen;
  for (let i = 0; i < 100; i++) {
    seen = (await api('GET', m(`/staff/coupon-pushes/${p.id}`, mc.code), { token: mkt })).json.data;
    if (seen.issued >= 1) break;
    await sleep(50);
  }
  assert.ok(seen.issued >= 1 && seen.issued < 4, JSON.stringify(seen));
  c = await cancel(p.id, owner);
  assert.equal(c.status, 200, c.text);
  const atCancel = c.json.data.issued;
  assert.ok(atCancel < 4, 'cancelled before the end');
  const end = await running;
  assert.equal(end.code, 0, end.out);
  const after = await finished(p.id);
  assert.equal(after.status, 'cancelled');
  assert.equal(after.issued, atCancel, 'no batch after the cancel');
  assert.equal((await couponsOf(p.id)).size, atCancel);
});

test('a push held by another process (a batch stuck half way) does not hold a later push back', async () => {
  const ms = await members(2);
  const later = new Date(Date.now() + 3600e3).toISOString().replace(/\.\d+Z$/, 'Z');
  const stuck = await pushOk({ template_id: await template(), member_ids: [ms[0].id], send_at: later });
  const release = await holdPush(stuck.id);
  try {
    const next = await pushOk({ template_id: await template(), member_ids: [ms[1].id] });
    let seen;
    for (let i = 0; i < 50; i++) {
      seen = (await api('GET', m(`/staff/coupon-pushes/${next.id}`, mc.code), { token: mkt })).json.data;
      if (seen.status === 'done') break;
      await sleep(200);
    }
    assert.equal(seen.status, 'done', 'the later push ran while the earlier one was held');
    assert.equal(seen.issued, 1);
  } finally {
    await release();
  }
  const c = await api('POST', m(`/staff/coupon-pushes/${stuck.id}/cancel`, mc.code), { token: mkt });
  assert.equal(c.status, 200, c.text);
});
