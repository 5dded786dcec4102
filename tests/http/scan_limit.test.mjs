// Failed scans are limited: 50 refused codes a minute per cashier session
// and 600 per address at one merchant, then 429 too_many_requests with
// Retry-After, valid codes included, until the minute is over. Counted in
// MariaDB, so every worker sees one count. The address limit is tried at
// demo2, so that the other files' scans at demo go on.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { api, m, uniquePhone, signIn, join, staffLogin, sql, parallel } from './lib.mjs';

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const forged = () => Array.from({ length: 32 }, () => B32[randomInt(32)]).join('');
const scan = (token, code, store, merchant = 'demo') => api('POST', m('/staff/scan', merchant), {
  token, body: { member_code: code, store_id: store } });

async function member(merchant) {
  const token = await signIn(merchant, uniquePhone());
  await join(merchant, token, { name: '限流' });
  return token;
}
async function code(merchant, token) {
  return (await api('GET', m('/me/member-code', merchant), { token })).json.data.code;
}
async function firstStore(merchant) {
  return Number((await sql(`SELECT id FROM stores WHERE merchant_id = (SELECT id FROM merchants WHERE code = '${merchant}') ORDER BY id LIMIT 1`))[0][0]);
}

test('a session that failed 50 scans is refused for the rest of the minute; another session is not', async () => {
  const a = await staffLogin('demo', 'cashier', 'demo1234');
  const b = await staffLogin('demo', 'cashier', 'demo1234');
  const token = await member('demo');
  for (let i = 0; i < 50; i += 10) {
    const res = await parallel(10, () => scan(a.token, forged(), 1));
    for (const r of res) assert.equal(r.status, 400, r.text);
  }
  const t0 = Date.now();
  const refused = await scan(a.token, await code('demo', token), 1);
  assert.equal(refused.status, 429, refused.text);
  assert.equal(refused.json.error.code, 'too_many_requests');
  assert.match(refused.json.error.message, /[\u4e00-\u9fff]/);
  const wait = Number(refused.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  // refused scans do not count: the wait does not grow
  const again = await scan(a.token, forged(), 1);
  assert.equal(again.status, 429);
  assert.ok(Number(again.headers.get('retry-after')) <= wait);
  // the code was not used: another session scans it
  const ok = await scan(b.token, await code('demo', token), 1);
  assert.equal(ok.status, 200, ok.text);
  assert.ok(Date.now() - t0 < 60000);
});

test('600 refused scans from one address stop every session there, at that merchant only', async () => {
  const store = await firstStore('demo2');
  for (let s = 0; s < 12; s++) {
    const c = await staffLogin('demo2', 'owner', 'demo1234');
    for (let i = 0; i < 50; i += 25) {
      const res = await parallel(25, () => scan(c.token, forged(), store, 'demo2'));
      for (const r of res) assert.equal(r.status, 400, `session ${s}: ${r.text}`);
    }
  }
  const fresh = await staffLogin('demo2', 'owner', 'demo1234');
  const token = await member('demo2');
  const refused = await scan(fresh.token, await code('demo2', token), store, 'demo2');
  assert.equal(refused.status, 429, refused.text);
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  // demo's counter is its own
  const cashier = await staffLogin('demo', 'cashier', 'demo1234');
  const mine = await member('demo');
  assert.equal((await scan(cashier.token, await code('demo', mine), 1)).status, 200);
});
