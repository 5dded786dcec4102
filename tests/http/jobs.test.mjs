// The job runner (fcgi/job.c) through the real binary and MariaDB: claim
// rows that let one runner of several do a run, a run killed half way
// resumed from its cursor by the next runner once its heartbeat is stale,
// a failed batch rolled back and retried, `app jobs list`, and GET
// staff/jobs. The job is orders-expire, over a merchant of its own whose
// expired pending orders each hold 10 points: a cancel gives them back
// with one points entry, so an order cancelled twice shows.
//
// The runner's test knobs (APP_ENV=test only): JOB_BATCH (orders a batch),
// JOB_PAUSE_MS (sleep after each batch), JOB_STALE_S (heartbeat age that
// lets a runner take over), JOB_FAIL_BATCH (that batch fails after its
// work). The stack's own tick runs beside these tests every 30 s and may
// sweep some of this merchant's orders in a run of its own: the checks
// count cancellations over all of the merchant's runs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from './lib.mjs';
import { staff } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let seq = 0;
const count = async (q) => Number((await sql(q))[0][0]);

/** Start `app args...`; resolves to {code, signal, out} when it exits. */
function start(args, env = {}) {
  const child = spawn(APP, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const done = new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
  return { child, done };
}

const run = (args, env) => start(args, env).done;

/** A merchant of its own with one member: {id, code, member}. */
async function merchant() {
  seq += 1;
  const code = `jb${process.pid % 10000}${Date.now() % 100000}${seq}`;
  await sql(`INSERT INTO merchants (code, name, tz) VALUES ('${code}', '任务测试店', '+08:00')`);
  const [[id]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO members (merchant_id, phone, card_no, joined_at)
    VALUES (${id}, '13900000000', '${code}', UTC_TIMESTAMP())`);
  const [[member]] = await sql(`SELECT id FROM members WHERE merchant_id = ${id}`);
  return { id: Number(id), code, member: Number(member) };
}

/** n pending app orders of mc's member, 10 points each, expired a minute ago. */
async function expiredOrders(mc, n) {
  const rows = Array.from({ length: n }, () => `(${mc.id}, 1, ${mc.member}, 'app', 'pending',
    10, 0, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, REPEAT('0', 64), UTC_TIMESTAMP(),
    UTC_TIMESTAMP() - INTERVAL 1 MINUTE)`);
  await sql(`INSERT INTO orders (merchant_id, store_id, member_id, channel, status,
    total_list_fen, discount_fen, total_fen, points_used, points_fen, principal_fen, bonus_fen,
    cash_fen, card_fen, online_fen, change_fen, earn_points, earn_growth, quote_hash, created_at,
    expires_at) VALUES ${rows.join(', ')}`);
}

/** What became of mc's orders: {cancelled, pending, entries (per order, max), points}. */
async function outcome(mc) {
  const [[cancelled], [pending]] = await Promise.all([
    sql(`SELECT COUNT(*) FROM orders WHERE merchant_id = ${mc.id} AND status = 'cancelled'`),
    sql(`SELECT COUNT(*) FROM orders WHERE merchant_id = ${mc.id} AND status = 'pending'`),
  ]).then((r) => r.map((x) => x[0]));
  const per = await sql(`SELECT COUNT(*) FROM points_entries WHERE merchant_id = ${mc.id}
    AND kind = 'order_cancel' GROUP BY ref`);
  const [[points]] = await sql(`SELECT points FROM members WHERE id = ${mc.member}`);
  return {
    cancelled: Number(cancelled), pending: Number(pending), orders_with_entry: per.length,
    most_entries: Math.max(0, ...per.map((r) => Number(r[0]))), points: Number(points),
  };
}

/** mc's runs of orders-expire, oldest first. */
async function runs(mc) {
  const rows = await sql(`SELECT period, status, claimed_by, \`cursor\`, c1, batches, attempts,
    IFNULL(error, ''), TIMESTAMPDIFF(SECOND, heartbeat_at, UTC_TIMESTAMP())
    FROM job_runs WHERE merchant_id = ${mc.id} AND job = 'orders-expire' ORDER BY id`);
  return rows.map(([period, status, claimedBy, cursor, c1, batches, attempts, error, age]) => ({
    period, status, claimedBy, cursor: Number(cursor), c1: Number(c1), batches: Number(batches),
    attempts: Number(attempts), error, age: Number(age),
  }));
}

/** A date no earlier run of this merchant used: the period a --date run pins. */
function someDate() {
  const d = new Date(Date.UTC(2001, 0, 1) + ((Date.now() + seq * 7919) % 9000) * 86400000);
  return d.toISOString().slice(0, 10);
}

async function until(what, fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

before(async () => {
  // A run for the current minute should not straddle two minutes.
  const s = new Date().getUTCSeconds();
  if (s > 45) await sleep((61 - s) * 1000);
});

test('two runners started at once over one merchant: one run row, every expired order cancelled once', async () => {
  const mc = await merchant();
  await expiredOrders(mc, 60);
  const env = { JOB_BATCH: '7' };
  const args = ['jobs', 'run', 'orders-expire', '--now', '--merchant', mc.code];
  const [a, b] = await Promise.all([run(args, env), run(args, env)]);
  assert.equal(a.code, 0, a.out);
  assert.equal(b.code, 0, b.out);
  const line = /^orders-expire (\S+) (\d{4}-\d\d-\d\dT\d\d:\d\d): 取消订单 (\d+) \((done|running elsewhere)\)$/m;
  const ma = line.exec(a.out), mb = line.exec(b.out);
  assert.ok(ma && mb, `${a.out}\n${b.out}`);
  assert.equal(ma[1], mc.code);
  assert.equal(ma[2], mb[2], 'one period');
  assert.ok(ma[4] === 'done' || mb[4] === 'done', `${a.out}\n${b.out}`);

  const o = await outcome(mc);
  assert.deepEqual(o, { cancelled: 60, pending: 0, orders_with_entry: 60, most_entries: 1, points: 600 });
  const rs = await runs(mc);
  const ours = rs.filter((r) => r.period === ma[2]);
  assert.equal(ours.length, 1, JSON.stringify(rs));
  assert.equal(ours[0].status, 'done');
  assert.equal(rs.reduce((n, r) => n + r.c1, 0), 60, `each cancel counted once: ${JSON.stringify(rs)}`);
  assert.ok(ours[0].batches >= 2, JSON.stringify(ours));
});

test('a run killed half way is resumed from its cursor once its heartbeat is stale, nothing done twice', async () => {
  const mc = await merchant();
  await expiredOrders(mc, 30);
  const date = someDate();
  const period = `${date}T00:00`;
  const args = ['jobs', 'run', 'orders-expire', '--merchant', mc.code, '--date', date];
  const first = start(args, { JOB_BATCH: '5', JOB_PAUSE_MS: '400' });
  const killed = await until('two committed batches', async () => {
    const r = (await runs(mc)).find((x) => x.period === period);
    return r && r.batches >= 2 ? r : null;
  });
  first.child.kill('SIGKILL');
  const end = await first.done;
  assert.equal(end.signal, 'SIGKILL', end.out);
  const [atKill] = (await runs(mc)).filter((x) => x.period === period);
  assert.equal(atKill.status, 'running');
  assert.ok(atKill.batches >= killed.batches && atKill.batches < 7, JSON.stringify(atKill));
  assert.equal(atKill.c1, atKill.batches * 5, JSON.stringify(atKill));
  assert.ok(atKill.cursor > 0);

  // while the heartbeat is fresh, nobody takes the run over
  const early = await run(args, { JOB_STALE_S: '30' });
  assert.equal(early.code, 0, early.out);
  assert.match(early.out, /: 取消订单 \d+ \(running elsewhere\)$/m);
  const still = (await runs(mc)).find((x) => x.period === period);
  assert.deepEqual({ ...still, age: 0 }, { ...atKill, age: 0 });

  await until('a stale heartbeat', async () => (await runs(mc)).find((x) => x.period === period).age >= 3);
  const again = await run(args, { JOB_STALE_S: '2', JOB_BATCH: '5' });
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, new RegExp(`^orders-expire ${mc.code} ${period}: 取消订单 (\\d+) \\(done\\)$`, 'm'));
  const rs = await runs(mc);
  const [resumed] = rs.filter((x) => x.period === period);
  assert.equal(resumed.status, 'done');
  assert.equal(resumed.attempts, 2);
  assert.notEqual(resumed.claimedBy, atKill.claimedBy);
  assert.ok(resumed.batches > atKill.batches, 'went on after the last committed batch');
  assert.ok(resumed.c1 >= atKill.c1, 'kept the counts of the killed run');
  assert.ok(resumed.cursor >= atKill.cursor, 'went on from the cursor');

  const o = await outcome(mc);
  assert.deepEqual(o, { cancelled: 30, pending: 0, orders_with_entry: 30, most_entries: 1, points: 300 });
  assert.equal(rs.reduce((n, r) => n + r.c1, 0), 30, JSON.stringify(rs));
});

test('a failed batch is rolled back and set aside: the run goes on past it, ends failed with the batch waiting, and a run once it is due retries it', async () => {
  const mc = await merchant();
  await expiredOrders(mc, 12);
  const date = someDate();
  const period = `${date}T00:00`;
  const args = ['jobs', 'run', 'orders-expire', '--merchant', mc.code, '--date', date];
  const bad = await run(args, { JOB_BATCH: '5', JOB_FAIL_BATCH: '2', JOB_RETRY_S: '600' });
  assert.notEqual(bad.code, 0, bad.out);
  assert.match(bad.out, new RegExp(`^orders-expire ${mc.code} ${period}: batch 2 set aside \\(\\d+\\.\\.\\d+\\): 500 internal`, 'm'));
  assert.match(bad.out, new RegExp(`^orders-expire ${mc.code} ${period}: 取消订单 7 \\(failed\\)$`, 'm'));
  assert.match(bad.out, /^ {2}1 batch\(es\) set aside, retried from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; 0 given up$/m);
  const [failed] = (await runs(mc)).filter((x) => x.period === period);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.batches, 2, 'the batches before and after the one set aside');
  assert.equal(failed.c1, 7);
  assert.match(failed.error, /^500 internal/);
  const [[fails, retryIn]] = await sql(`SELECT COUNT(*), MAX(TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), f.retry_at))
    FROM job_batch_fails f JOIN job_runs r ON r.id = f.run_id WHERE r.merchant_id = ${mc.id} AND r.period = '${period}'`);
  assert.equal(Number(fails), 1);
  assert.ok(Number(retryIn) > 500, retryIn);
  // the set-aside batch's five cancels were rolled back with it
  const mid = await outcome(mc);
  assert.equal(mid.orders_with_entry, mid.cancelled);
  assert.equal(mid.most_entries, 1);
  assert.equal(mid.points, mid.cancelled * 10);
  assert.ok(mid.pending >= 5 || mid.cancelled === 12, JSON.stringify(mid));

  const list = await run(['jobs', 'list', '--merchant', mc.code]);
  assert.equal(list.code, 0, list.out);
  assert.match(list.out, /^orders-expire\tevery minute\t超时未付订单$/m);
  assert.match(list.out, new RegExp(`^  ${mc.code} ${period} failed 取消订单 7 \\(batches 2, attempts 1, `, 'm'));
  assert.match(list.out, /^ {4}500 internal/m);
  assert.match(list.out, /^ {4}batches set aside: 1 to retry from \d{4}-.* UTC, 0 given up$/m);

  // not due yet: a run leaves the run as it is
  const early = await run(args, { JOB_BATCH: '5' });
  assert.equal(early.code, 0, early.out);
  assert.match(early.out, new RegExp(`^orders-expire ${mc.code} ${period}: 取消订单 7 \\(failed, batches set aside retried from `, 'm'));
  // due (its time moved to the past): retried, and the run is done
  await sql(`UPDATE job_batch_fails f JOIN job_runs r ON r.id = f.run_id SET f.retry_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND,
    r.retry_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE r.merchant_id = ${mc.id} AND r.period = '${period}'`);
  const retry = await run(args, { JOB_BATCH: '5' });
  assert.equal(retry.code, 0, retry.out);
  assert.match(retry.out, new RegExp(`^orders-expire ${mc.code} ${period}: 取消订单 \\d+ \\(done\\)$`, 'm'));
  const rs = await runs(mc);
  const [done] = rs.filter((x) => x.period === period);
  assert.equal(done.status, 'done');
  assert.equal(done.attempts, 2);
  assert.equal(done.error, '');
  assert.ok(done.batches > failed.batches, JSON.stringify(done));
  assert.ok(done.c1 >= 7);
  assert.equal(await count(`SELECT COUNT(*) FROM job_batch_fails f JOIN job_runs r ON r.id = f.run_id
    WHERE r.merchant_id = ${mc.id}`), 0);
  assert.deepEqual(await outcome(mc), { cancelled: 12, pending: 0, orders_with_entry: 12, most_entries: 1, points: 120 });
  assert.equal(rs.reduce((n, r) => n + r.c1, 0), 12, JSON.stringify(rs));

  // a done run is not run again (a daily job's is never; a minute job's
  // only by `app jobs run` of the current minute, to sweep what is left)
  const tick = await run(['jobs', 'tick']);
  assert.equal(tick.code, 0, tick.out);
  const after = (await runs(mc)).find((x) => x.period === period);
  assert.deepEqual({ ...after, age: 0 }, { ...done, age: 0 });
});

test('a batch that fails before it knows where it ends fails its run, which a later run retries whole', async () => {
  const mc = await merchant();
  const date = someDate();
  const period = `${date}T00:00`;
  const args = ['jobs', 'run', 'orders-expire', '--merchant', mc.code, '--date', date];
  // no order: the first batch takes nothing, so its cursor stays 0
  const bad = await run(args, { JOB_FAIL_BATCH: '1' });
  assert.notEqual(bad.code, 0, bad.out);
  assert.doesNotMatch(bad.out, /set aside/);
  const [failed] = (await runs(mc)).filter((x) => x.period === period);
  assert.deepEqual([failed.status, failed.batches, failed.attempts], ['failed', 0, 1]);
  const retry = await run(args);
  assert.equal(retry.code, 0, retry.out);
  const [done] = (await runs(mc)).filter((x) => x.period === period);
  assert.deepEqual([done.status, done.attempts], ['done', 2]);
});

test('app jobs run refuses what it cannot run', async () => {
  const none = await run(['jobs', 'run', 'no-such-job']);
  assert.equal(none.code, 2, none.out);
  const badDate = await run(['jobs', 'run', 'orders-expire', '--date', '2026-02-30']);
  assert.equal(badDate.code, 2, badDate.out);
  assert.match(badDate.out, /no date/);
  const nobody = await run(['jobs', 'run', 'orders-expire', '--merchant', 'no-such-merchant']);
  assert.notEqual(nobody.code, 0, nobody.out);
});

test('GET staff/jobs: the owner sees the merchant\'s runs newest first with their labels; others are refused', async () => {
  const date = someDate();
  const period = `${date}T00:00`;
  const bad = await run(['jobs', 'run', 'orders-expire', '--merchant', 'demo', '--date', date],
    { JOB_FAIL_BATCH: '1' });
  assert.notEqual(bad.code, 0, bad.out);
  const owner = await staff('demo', 'owner');
  const r = await owner.call('GET', '/staff/jobs');
  assert.equal(r.status, 200, r.text);
  const list = r.json.data;
  assert.ok(list.length >= 1 && list.length <= 50);
  const mine = list.find((j) => j.job === 'orders-expire' && j.period === period);
  assert.ok(mine, JSON.stringify(list.slice(0, 3)));
  assert.equal(mine.title, '超时未付订单');
  assert.equal(mine.status, 'failed');
  assert.deepEqual(mine.counts, [{ label: '取消订单', value: 0 }]);
  assert.match(mine.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  assert.match(mine.finished_at, /^\d{4}-\d\d-\d\dT/);
  assert.match(mine.error, /^500 internal/);
  // newest first, and a minute's sweep that found nothing is left out
  const started = list.map((j) => j.started_at);
  assert.deepEqual(started, [...started].sort().reverse());
  assert.ok(!list.some((j) => j.status === 'done' && j.period.includes('T') && j.counts.every((c) => c.value === 0)));

  for (const who of ['cashier', 'marketing']) {
    const s = await staff('demo', who);
    const denied = await s.call('GET', '/staff/jobs');
    assert.equal(denied.status, 403, `${who}: ${denied.text}`);
  }
});
