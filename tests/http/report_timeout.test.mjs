// A statement that a staff report or list runs is bounded in MariaDB
// (DB_REPORT_COLS in fcgi/db.h: max_statement_time set to the time its
// request has left of REPORT_DEADLINE_MS), so a report past the deadline
// is answered 503 report_timeout and stops running in the database instead
// of going on after nginx has given up. A second app beside the stack's,
// on a socket of its own with REPORT_DEADLINE_MS=800, is spoken to in
// FastCGI as nginx does; a session of the test holds coupon_templates
// locked (LOCK TABLES ... WRITE), so the list of templates waits for as
// long as the lock is held. The bounded app answers 503 after the deadline
// and its statement is gone from the process list; the stack's app, with
// the default deadline (20 s), is still waiting in MariaDB at that moment,
// and answers once the lock is let go. report_deadline.test.mjs asks
// through nginx: a deadline for the whole request, and streamed exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { api, m, sql } from './lib.mjs';
import { staff } from './wallet_helpers.mjs';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const BOUND_MS = 800;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let dir, app, sock, marketing;

/** One FastCGI request to the socket: {status, headers, body, json}. */
function fcgi(path, { method = 'GET', headers = {} } = {}) {
  const params = {
    REQUEST_METHOD: method, REQUEST_URI: path, SCRIPT_NAME: path.split('?')[0],
    QUERY_STRING: path.includes('?') ? path.slice(path.indexOf('?') + 1) : '',
    SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', HTTP_HOST: '127.0.0.1',
    CONTENT_LENGTH: '', ...headers,
  };
  const rec = (type, body) => {
    const h = Buffer.alloc(8);
    h.writeUInt8(1, 0); h.writeUInt8(type, 1); h.writeUInt16BE(1, 2);
    h.writeUInt16BE(body.length, 4);
    return Buffer.concat([h, body]);
  };
  const len = (n) => (n < 128 ? Buffer.from([n]) : (() => { const b = Buffer.alloc(4); b.writeUInt32BE(n | 0x80000000); return b; })());
  const pairs = Buffer.concat(Object.entries(params).map(([k, v]) => {
    const kb = Buffer.from(k); const vb = Buffer.from(String(v));
    return Buffer.concat([len(kb.length), len(vb.length), kb, vb]);
  }));
  const begin = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]);
  return new Promise((resolve, reject) => {
    const c = createConnection(sock);
    let buf = Buffer.alloc(0);
    const out = [];
    c.on('error', reject);
    c.on('data', (d) => { buf = Buffer.concat([buf, d]); });
    c.on('close', () => {
      for (let i = 0; i + 8 <= buf.length;) {
        const type = buf[i + 1]; const n = buf.readUInt16BE(i + 4); const pad = buf[i + 6];
        if (type === 6) out.push(buf.subarray(i + 8, i + 8 + n));
        i += 8 + n + pad;
      }
      const text = Buffer.concat(out).toString('utf8');
      const cut = text.indexOf('\r\n\r\n');
      const head = {};
      for (const l of text.slice(0, cut).split('\r\n')) {
        const k = l.indexOf(':');
        head[l.slice(0, k).toLowerCase()] = l.slice(k + 1).trim();
      }
      const body = text.slice(cut + 4);
      let json = null;
      try { json = JSON.parse(body); } catch { /* not JSON */ }
      resolve({ status: Number((head.status || '200').split(' ')[0]), headers: head, body, json });
    });
    c.write(Buffer.concat([rec(1, begin), rec(4, pairs), rec(4, Buffer.alloc(0)), rec(5, Buffer.alloc(0))]));
  });
}

/** A mariadb session of the test's own that holds table locked until released. */
async function lockTable(table) {
  const child = spawn('mariadb', ['--no-defaults', `--socket=${process.env.DB_SOCKET}`,
    `--user=${process.env.DB_USER || 'app'}`, `--database=${process.env.DB_NAME || 'app'}`,
    '--batch', '--skip-column-names', '--unbuffered'],
  { env: { ...process.env, MYSQL_PWD: process.env.DB_PASSWORD || '' }, stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stdin.write(`LOCK TABLES ${table} WRITE; SELECT 'locked';\n`);
  for (let i = 0; i < 100 && !out.includes('locked'); i++) await sleep(50);
  assert.ok(out.includes('locked'), 'the table is locked');
  const gone = new Promise((resolve) => child.on('close', resolve));
  return async () => { child.stdin.end('UNLOCK TABLES;\n'); await gone; };
}

/** Statements of the app's user in MariaDB now that read coupon_templates. */
async function running() {
  const rows = await sql(`SELECT ID, TIME_MS, STATE, INFO FROM information_schema.PROCESSLIST
    WHERE USER = '${process.env.DB_USER || 'app'}' AND COMMAND <> 'Sleep' AND INFO LIKE '%FROM coupon_templates t%'
    AND INFO NOT LIKE '%PROCESSLIST%'`);
  return rows.map(([id, ms, state]) => ({ id, ms: Number(ms), state }));
}

before(async () => {
  marketing = await staff('demo', 'marketing');
  dir = mkdtempSync(join(tmpdir(), 'report-timeout-'));
  sock = join(dir, 'app.sock');
  app = spawn(APP, ['serve'], {
    env: { ...process.env, APP_SOCKET: sock, APP_WORKERS: '1', REPORT_DEADLINE_MS: String(BOUND_MS) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  app.stderr.on('data', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fcgi('/healthz')).status === 200) return;
    } catch { /* not listening yet */ }
    await sleep(100);
  }
  assert.fail('the bounded app did not start');
});

after(async () => {
  if (app) {
    app.kill('SIGTERM');
    await new Promise((resolve) => { app.on('close', resolve); setTimeout(resolve, 3000); });
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const auth = () => ({ HTTP_AUTHORIZATION: `Bearer ${marketing.token}` });

test('a report within its bound answers as usual', async () => {
  const l = await fcgi('/api/v1/m/demo/staff/coupon-templates', { headers: auth() });
  assert.equal(l.status, 200, l.body);
  assert.ok(Array.isArray(l.json.data));
  const o = await fcgi('/api/v1/m/demo/staff/orders?limit=5', { headers: auth() });
  assert.equal(o.status, 200, o.body);
});

test('past its bound a report is 503 report_timeout and no longer runs in MariaDB; an unbounded wait would go on', async () => {
  const unlock = await lockTable('coupon_templates');
  let stack;
  try {
    // the stack's app (default bound) starts waiting first
    stack = api('GET', m('/staff/coupon-templates'), { token: marketing.token });
    const t0 = Date.now();
    const r = await fcgi('/api/v1/m/demo/staff/coupon-templates', { headers: auth() });
    const took = Date.now() - t0;
    assert.equal(r.status, 503, r.body);
    assert.equal(r.json.error.code, 'report_timeout');
    assert.match(r.json.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
    assert.doesNotMatch(r.json.error.message, /[a-z]+_[a-z]+|timeout|SQL/i, 'no codes in messages');
    assert.ok(r.headers['retry-after'], 'Retry-After');
    assert.ok(took >= BOUND_MS - 20 && took < BOUND_MS + 3000, `answered after ${took} ms`);
    // what MariaDB runs now: the stack's statement waits on; the bounded one is gone
    await sleep(100);
    const now = await running();
    assert.equal(now.length, 1, JSON.stringify(now));
    assert.ok(now[0].ms >= BOUND_MS, `the stack's statement has waited ${now[0].ms} ms`);
    assert.match(now[0].state, /metadata lock/i);
  } finally {
    await unlock();
  }
  const s = await stack;
  assert.equal(s.status, 200, s.text);
  assert.deepEqual(await running(), []);
  // the bounded app's worker serves on
  const again = await fcgi('/api/v1/m/demo/staff/coupon-templates', { headers: auth() });
  assert.equal(again.status, 200, again.body);
});
