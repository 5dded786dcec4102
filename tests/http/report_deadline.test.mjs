// The bound of a staff report is a deadline for the whole request, not for
// each statement (fcgi/db.h, DB_REPORT_COLS): every report statement runs
// with max_statement_time set to the time its request has left, and one
// with no time left is not started. Asked through nginx: a second app with
// REPORT_DEADLINE_MS=1500 (and the test knob EXPORT_PAGE_PAUSE_MS, a pause
// after each page of a streamed export) behind a second nginx on the
// stack's own nginx.conf (bounded_stack.mjs). A session of the test holds a
// table locked (LOCK TABLES ... WRITE) for as long as a statement is meant
// to wait.
//  - A report of several statements, each within the deadline alone but
//    past it together, is 503 report_timeout at the deadline, with the
//    Chinese message, and nothing of it runs on in MariaDB.
//  - A streamed CSV export whose statement is stopped half way, or whose
//    next page has no time left, ends as a failed download (no last
//    chunk), never as a shorter file that looks whole.
//  - The deadline stays a clear margin below nginx's fastcgi_read_timeout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { sql } from './lib.mjs';
import { staff } from './wallet_helpers.mjs';
import { ownMerchant } from './own_merchant.mjs';
import { boundedStack, stackNginxConf } from './bounded_stack.mjs';

const DEADLINE_MS = 1500;
const PAUSE_MS = 600;
const CSV_PAGE = 500;	// handlers/staff/members_staff.c
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let bs, mc, store, marketing;

/**
 * A mariadb session of the test's own, ready: lock(table) holds table
 * locked (LOCK TABLES ... WRITE) until the function it resolves to is
 * called. Started before it is needed, so that the lock is taken at once.
 */
async function session() {
  const child = spawn('mariadb', ['--no-defaults', `--socket=${process.env.DB_SOCKET}`,
    `--user=${process.env.DB_USER || 'app'}`, `--database=${process.env.DB_NAME || 'app'}`,
    '--batch', '--skip-column-names', '--unbuffered'],
  { env: { ...process.env, MYSQL_PWD: process.env.DB_PASSWORD || '' }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const said = async (word) => {
    for (let i = 0; i < 400 && !out.includes(word); i++) await sleep(10);
    assert.ok(out.includes(word), `the session said ${word}`);
  };
  child.stdin.write("SELECT 'ready';\n");
  await said('ready');
  const gone = new Promise((resolve) => child.on('close', resolve));
  return {
    async lock(table) {
      child.stdin.write(`LOCK TABLES ${table} WRITE; SELECT 'locked';\n`);
      await said('locked');
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        child.stdin.end('UNLOCK TABLES;\n');
        await gone;
      };
    },
  };
}

async function lockTable(table) {
  return (await session()).lock(table);
}

/** What of the app's user runs now in MariaDB on the tables named. */
async function runningOn(...tables) {
  const like = tables.map((t) => `INFO LIKE '%${t}%'`).join(' OR ');
  const rows = await sql(`SELECT ID, TIME_MS, STATE, INFO FROM information_schema.PROCESSLIST
    WHERE USER = '${process.env.DB_USER || 'app'}' AND COMMAND <> 'Sleep' AND (${like})
    AND INFO NOT LIKE '%PROCESSLIST%' AND INFO NOT LIKE 'LOCK TABLES%'`);
  return rows.map(([id, ms, state, info]) => ({ id, ms: Number(ms), state, info: info.slice(0, 80) }));
}

/** Until fn() is truthy (or 5 s). */
async function until(fn) {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v) return v;
    await sleep(25);
  }
  return fn();
}

/**
 * GET path of the second stack as a download: resolves at the head with
 * {status, headers, rows(), done}: done resolves to {ok, body, error}
 * once the body has ended, ok false when the connection was dropped
 * before the end of the response (no last chunk).
 */
function download(path) {
  return new Promise((resolve, reject) => {
    const req = request(`${bs.base}/api/v1/m/${mc.code}${path}`,
      { headers: { Authorization: `Bearer ${marketing.token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        const done = new Promise((ok) => {
          res.on('end', () => ok({ ok: res.complete, body }));
          res.on('error', (e) => ok({ ok: false, body, error: e.message }));
          res.on('aborted', () => ok({ ok: false, body, error: 'aborted' }));
        });
        resolve({ status: res.statusCode, headers: res.headers, done, body: () => body });
      });
    req.on('error', reject);
    req.end();
  });
}

async function getJson(path) {
  const t0 = Date.now();
  const r = await fetch(`${bs.base}/api/v1/m/${mc.code}${path}`,
    { headers: { Authorization: `Bearer ${marketing.token}` } });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, headers: r.headers, text, json, took: Date.now() - t0 };
}

/** The CSV's member rows (the header and the BOM aside). */
const csvRows = (body) => body.split('\r\n').filter((l) => /^\d+,[^,]*,\d{3}\*{4}\d{4},/.test(l));

/** n more members of the test's merchant, made in bulk. */
let made = 0;
async function members(n) {
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, joined_at)
    SELECT ${mc.id}, CONCAT('139', LPAD(seq, 8, '0')), CONCAT('导出', seq),
    CONCAT('7', LPAD(seq, 15, '0')), UTC_TIMESTAMP() - INTERVAL seq MINUTE
    FROM seq_0_to_99999 WHERE seq >= ${made} AND seq < ${made + n}`);
  made += n;
}

before(async () => {
  mc = await ownMerchant('rd');
  [[store]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${mc.id}`);
  marketing = await staff(mc.code, 'marketing');
  await members(2 * CSV_PAGE - 100);	// an export of two pages, one pause
  bs = await boundedStack({ REPORT_DEADLINE_MS: String(DEADLINE_MS), EXPORT_PAGE_PAUSE_MS: String(PAUSE_MS) });
});

after(async () => {
  if (bs) await bs.stop();
});

test('the deadline stays a clear margin below nginx\'s fastcgi_read_timeout', () => {
  const read = /fastcgi_read_timeout\s+(\d+)s;/.exec(stackNginxConf());
  assert.ok(read, 'the stack\'s nginx sets fastcgi_read_timeout');
  const src = readFileSync(fileURLToPath(new URL('../../fcgi/app.h', import.meta.url)), 'utf8');
  const max = Number(/#define REPORT_DEADLINE_MAX\s+(\d+)/.exec(src)[1]);
  const def = Number(/#define REPORT_DEADLINE_DEFAULT\s+(\d+)/.exec(src)[1]);
  assert.ok(def <= max);
  assert.ok(Number(read[1]) * 1000 - max >= 10000, `nginx ${read[1]} s, the longest deadline ${max} ms`);
});

test('a report of several statements that pass the deadline together is 503 report_timeout at the deadline, and nothing of it runs on', async () => {
  // store_id is checked (stores) before the sums (stats_days): the first
  // statement waits 900 ms, the second as long as stats_days is held;
  // alone each is within 1500 ms, together they are not
  const unlockStores = await lockTable('stores');
  const unlockDays = await lockTable('stats_days');
  let r;
  try {
    const t0 = Date.now();
    const asked = getJson(`/staff/stats/overview?store_id=${store}`);
    await until(async () => (await runningOn('FROM stores')).length > 0);
    await sleep(900 - (Date.now() - t0));
    await unlockStores();
    const second = await until(async () => (await runningOn('stats_days')).length > 0);
    assert.ok(second, 'the sums wait for stats_days');
    // a bound per statement would let this one wait 1500 ms: it is held 2400
    const late = sleep(2400 - (Date.now() - t0)).then(unlockDays);
    r = await asked;
    await late;
    assert.equal(r.status, 503, r.text);
    assert.equal(r.json.error.code, 'report_timeout');
    assert.equal(r.json.error.message, '查询的数据较多，未能及时完成，请缩小时间或筛选范围后再试');
    assert.ok(r.headers.get('retry-after'), 'Retry-After');
    assert.ok(r.took >= DEADLINE_MS - 50 && r.took < 2300, `answered after ${r.took} ms`);
  } finally {
    await unlockStores();
    await unlockDays();
  }
  assert.deepEqual(await runningOn('stats_days', 'FROM stores'), []);
  // within the deadline the same report answers, on the same worker
  const ok = await getJson(`/staff/stats/overview?store_id=${store}`);
  assert.equal(ok.status, 200, ok.text);
  assert.ok(ok.json.data.today, ok.text);
});

test('a streamed export within the deadline ends whole', async () => {
  const d = await download('/staff/members.csv');
  assert.equal(d.status, 200);
  const end = await d.done;
  assert.equal(end.ok, true, end.error);
  assert.equal(csvRows(end.body).length, made);
  assert.ok(end.body.endsWith('\r\n'));
});

test('a streamed export whose statement is stopped half way ends as a failed download', async () => {
  // four pages, read at about 0, 600 and 1200 ms (nginx passes the head on
  // with its first full buffer, after the second page): the third waits for
  // members, locked meanwhile, until the deadline stops it in MariaDB
  await members(2 * CSV_PAGE);
  const s = await session();
  const d = await download('/staff/members.csv');
  assert.equal(d.status, 200);
  assert.match(d.headers['content-type'], /^text\/csv/);
  const unlock = await s.lock('members');
  let end;
  try {
    end = await d.done;
  } finally {
    await unlock();
  }
  assert.equal(end.ok, false, 'the client sees the download fail');
  assert.ok(csvRows(end.body).length < made, `${csvRows(end.body).length} rows came`);
  assert.deepEqual(await runningOn('FROM members'), []);
  assert.match(bs.log(), /members\.csv: cut short after \d+ rows \(report_timeout\)/);
  assert.match(bs.nginxLog(), /upstream sent unsupported FastCGI protocol version: 0/);
});

test('a streamed export whose next page has no time left is not read on, and ends as a failed download', async () => {
  // the fourth page would start at about 1800 ms, past the deadline
  const t0 = Date.now();
  const d = await download('/staff/members.csv');
  assert.equal(d.status, 200);
  const end = await d.done;
  const took = Date.now() - t0;
  assert.equal(end.ok, false, 'the client sees the download fail');
  assert.ok(csvRows(end.body).length < made, `${csvRows(end.body).length} rows came`);
  assert.ok(took < DEADLINE_MS + PAUSE_MS + 1000, `ended after ${took} ms`);
  assert.match(bs.log(), /q_ml_joined_desc \(handlers\/staff\/members_staff\.c\) not started: the request's 1500 ms are up/);
  // the worker serves on
  const again = await getJson('/staff/members?limit=1');
  assert.equal(again.status, 200, again.text);
});
