// The stack's MariaDB killed with SIGKILL under load: the guard beside it
// (conf/stack.sh) starts it again by itself, the app reconnects, and every
// request answered meanwhile, the ones in flight when it died included, is
// a 503 unavailable with Retry-After (nothing was committed), never a 500
// or a 502. The guard restarts MariaDB within a few hundred milliseconds,
// which the app's own reconnect attempts (about 0.6 s) would hide; the
// test holds the guard (SIGSTOP) for 1.5 s so that the outage is seen,
// then lets it go and measures the time until /healthz answers again. tests/run.sh runs the test files one after another, so no
// other file's requests are in flight when this one kills the database.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, m, uniquePhone, signIn, join as joinMember, demoStaff } from './lib.mjs';

const INST = process.env.INSTANCE_DIR;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('MariaDB killed under load comes back by itself; meanwhile 503, never 500', async (t) => {
  assert.ok(INST, 'INSTANCE_DIR is set by tests/run.sh');
  const token = await signIn('demo', uniquePhone());
  await joinMember('demo', token, { name: '断线' });
  const [owner] = await demoStaff('demo', 'owner');
  const before = await api('GET', m('/me/card'), { token });
  assert.equal(before.status, 200);

  // Requests that keep every worker inside the database: the card (one
  // query), a sign-in code (a transaction), a year of member stats
  // (several statements).
  const kinds = [
    () => api('GET', m('/me/card'), { token }),
    () => api('POST', m('/auth/sms-code'), { body: { phone: uniquePhone() } }),
    () => api('GET', m('/staff/stats/members'), { token: owner.token }),
    () => api('GET', '/healthz'),
  ];
  const seen = [];
  let stop = false;
  const loops = Array.from({ length: 16 }, async (_, i) => {
    while (!stop) {
      const at = Date.now();
      const res = await kinds[i % kinds.length]();
      seen.push({ at, status: res.status, kind: i % kinds.length, res });
    }
  });

  await sleep(500);
  const pid = Number(readFileSync(join(INST, 'run', 'mysql.pid'), 'utf8').trim());
  const guard = Number(readFileSync(join(INST, 'run', 'dbguard.pid'), 'utf8').trim());
  assert.ok(pid > 1 && guard > 1, `MariaDB pid ${pid}, guard pid ${guard}`);
  const killedAt = Date.now();
  process.kill(guard, 'SIGSTOP');
  let releasedAt;
  try {
    process.kill(pid, 'SIGKILL');
    await sleep(1500);
  } finally {
    releasedAt = Date.now();
    process.kill(guard, 'SIGCONT');
  }

  // Back: /healthz answers 200 again (30 s at most).
  let backAt = 0;
  while (Date.now() - killedAt < 30000) {
    await sleep(50);
    const h = await api('GET', '/healthz');
    if (h.status === 200 && Date.now() - killedAt > 100) {
      backAt = Date.now();
      break;
    }
  }
  await sleep(500);
  stop = true;
  await Promise.all(loops);

  assert.ok(backAt > 0, 'the database came back within 30 s');
  t.diagnostic(`outage measured through /healthz: ${backAt - killedAt} ms, ` +
    `${backAt - releasedAt} ms of it after the guard was let go`);
  assert.ok(backAt - releasedAt < 10000, 'back within 10 s of the guard going on');
  const during = seen.filter((s) => s.at >= killedAt - 50);
  const statuses = {};
  for (const s of during) statuses[s.status] = (statuses[s.status] || 0) + 1;
  t.diagnostic(`answers from the kill on: ${JSON.stringify(statuses)}`);
  assert.ok((statuses[503] || 0) > 0, 'the outage was seen by some requests');
  for (const s of seen) {
    assert.ok(s.status === 200 || s.status === 503,
      `kind ${s.kind}: HTTP ${s.status} ${s.res.text.slice(0, 200)}`);
    if (s.status === 503) {
      assert.equal(s.res.json?.error?.code, 'unavailable', s.res.text);
      assert.ok(s.res.headers.get('retry-after'), 'Retry-After on every 503');
    }
  }

  // Nothing was lost, and the stack serves as before.
  const after = await api('GET', m('/me/card'), { token });
  assert.equal(after.status, 200, after.text);
  assert.equal(after.json.data.card_no, before.json.data.card_no);
  const log = readFileSync(join(INST, 'log', 'stack.log'), 'utf8');
  const back = log.match(/MariaDB back after (\d+) ms/g);
  assert.ok(back && back.length >= 1, log);
  t.diagnostic(`guard: ${back.at(-1)}`);
});
