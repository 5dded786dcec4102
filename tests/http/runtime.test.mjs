// The runtime under operations: workers replaced on SIGHUP and after a
// crash without failing requests, and database connections that come
// back after MariaDB restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { api, m, uniquePhone, signIn, join } from './lib.mjs';

const INST = process.env.INSTANCE_DIR;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const master = () => Number(readFileSync(`${INST}/run/app.pid`, 'utf8').trim());
const workers = () => execFileSync('pgrep', ['-P', String(master())]).toString().trim().split('\n').map(Number).sort();

async function hammer(ms, path, opts) {
  const statuses = [];
  const end = Date.now() + ms;
  const one = async () => {
    while (Date.now() < end) statuses.push((await api('GET', path, opts)).status);
  };
  await Promise.all(Array.from({ length: 8 }, one));
  return statuses;
}

async function until(fn, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error('condition not reached');
    await sleep(100);
  }
}

test('SIGHUP replaces every worker without a failed request', async () => {
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, {});
  const before = workers();
  // requests go on from before the signal until every worker is a new one
  // and the new ones have served some: however long the replacement takes
  // on a loaded machine, none of them may fail
  const statuses = [];
  let stop = false;
  const one = async () => {
    while (!stop) statuses.push((await api('GET', m('/me/card'), { token })).status);
  };
  const load = Promise.all(Array.from({ length: 8 }, one));
  try {
    await until(() => statuses.length >= 20);
    process.kill(master(), 'SIGHUP');
    await until(() => {
      const now = workers();
      return now.length === before.length && now.every((p) => !before.includes(p));
    }, 60000);
    const replaced = statuses.length;
    await until(() => statuses.length >= replaced + 50, 60000);
  } finally {
    stop = true;
    await load;
  }
  assert.deepEqual([...new Set(statuses)], [200]);
});

test('a worker that dies is replaced; the service goes on', async () => {
  const before = workers();
  process.kill(before[0], 'SIGKILL');
  const statuses = await hammer(800, '/livez');
  // at most the request the dead worker held is lost
  assert.ok(statuses.filter((s) => s !== 200).length <= 1, JSON.stringify(statuses.filter((s) => s !== 200)));
  await until(() => workers().length === before.length && !workers().includes(before[0]));
});

test('after MariaDB restarts, the workers reconnect and re-prepare', async () => {
  const token = await signIn('demo', uniquePhone());
  await join('demo', token, {});
  const cnf = `${INST}/my.cnf`;
  const admin = (...a) => execFileSync('mariadb-admin', [`--defaults-file=${cnf}`, '--user=root', ...a], { stdio: 'pipe' });
  admin('shutdown');
  // (a shutdown asked for: the stack's guard leaves it down, conf/stack.sh)
  await until(async () => (await api('GET', '/healthz')).status === 503, 60000);
  const down = await api('GET', '/healthz');
  assert.equal(down.json.error.code, 'unavailable');
  assert.equal((await api('GET', '/livez')).status, 200, 'livez needs no database');
  const card = await api('GET', m('/me/card'), { token });
  assert.ok(card.status >= 500, `card without a database: ${card.status}`);
  assert.ok(!/mysql|sql|socket/i.test(card.text), 'no internals leak');
  const child = spawn('mariadbd', [`--defaults-file=${cnf}`, '--user=root'], { detached: true, stdio: 'ignore' });
  child.unref();
  await until(() => { try { admin('ping'); return true; } catch { return false; } }, 30000);
  execFileSync('chmod', ['0600', `${INST}/run/mysql.sock`]);
  await until(async () => (await api('GET', '/healthz')).status === 200, 60000);
  // every worker: enough requests that each one serves some
  const statuses = await hammer(1000, m('/me/card'), { token });
  assert.deepEqual([...new Set(statuses)], [200]);
});
