// The request layer's limits, spoken to the app's FastCGI socket directly:
// nginx already refuses some of these malformed requests itself, and the
// app must hold on its own (CONTENT_LENGTH missing, negative, non-numeric,
// over 64 KiB, or more than the body that arrives).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { uniquePhone, sql } from './lib.mjs';

const SOCK = process.env.APP_SOCKET;

function record(type, content) {
  const pad = (8 - (content.length % 8)) % 8;
  const h = Buffer.alloc(8);
  h.writeUInt8(1, 0);
  h.writeUInt8(type, 1);
  h.writeUInt16BE(1, 2);
  h.writeUInt16BE(content.length, 4);
  h.writeUInt8(pad, 6);
  return Buffer.concat([h, content, Buffer.alloc(pad)]);
}

function pairs(params) {
  const parts = [];
  const len = (n) => (n < 128 ? Buffer.from([n]) : (() => { const b = Buffer.alloc(4); b.writeUInt32BE(n | 0x80000000); return b; })());
  for (const [k, v] of Object.entries(params)) {
    const kb = Buffer.from(k), vb = Buffer.from(String(v));
    parts.push(len(kb.length), len(vb.length), kb, vb);
  }
  return Buffer.concat(parts);
}

// One request; resolves to {status, headers, body}.
function fcgi(params, body = Buffer.alloc(0)) {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(SOCK);
    const chunks = [];
    s.on('error', reject);
    s.on('data', (d) => chunks.push(d));
    s.on('close', () => {
      const all = Buffer.concat(chunks);
      let out = Buffer.alloc(0);
      for (let i = 0; i + 8 <= all.length;) {
        const type = all.readUInt8(i + 1), n = all.readUInt16BE(i + 4), pad = all.readUInt8(i + 6);
        if (type === 6) out = Buffer.concat([out, all.subarray(i + 8, i + 8 + n)]);
        i += 8 + n + pad;
      }
      const text = out.toString();
      const [head, ...rest] = text.split('\r\n\r\n');
      const headers = Object.fromEntries(head.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(headers.status.split(' ')[0]), headers, body: JSON.parse(rest.join('\r\n\r\n')) });
    });
    const begin = Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]);
    const p = pairs({ REQUEST_METHOD: 'POST', REQUEST_URI: '/api/v1/m/demo/auth/sms-code', CONTENT_TYPE: 'application/json', ...params });
    const recs = [record(1, begin), record(4, p), record(4, Buffer.alloc(0))];
    for (let i = 0; i < body.length; i += 65535) recs.push(record(5, body.subarray(i, i + 65535)));
    recs.push(record(5, Buffer.alloc(0)));
    s.end(Buffer.concat(recs));
  });
}

const codes = (phone) => sql(`SELECT COUNT(*) FROM sms_codes WHERE phone = '${phone}'`).then((r) => Number(r[0][0]));

test('a well-formed request through the socket works', async () => {
  const phone = uniquePhone();
  const body = Buffer.from(JSON.stringify({ phone }));
  const r = await fcgi({ CONTENT_LENGTH: body.length }, body);
  assert.equal(r.status, 200);
  assert.equal(r.body.data.sent, true);
  assert.match(r.headers['x-request-id'], /^[0-9a-f]+$/);
});

test('CONTENT_LENGTH missing, negative, non-numeric, too large or short of the body', async () => {
  const phone = uniquePhone();
  const body = Buffer.from(JSON.stringify({ phone }));
  const cases = [
    [{}, body, 400, 'invalid_json'],
    [{ CONTENT_LENGTH: '-5' }, body, 400, 'invalid_json'],
    [{ CONTENT_LENGTH: 'abc' }, body, 400, 'invalid_json'],
    [{ CONTENT_LENGTH: '12abc' }, body, 400, 'invalid_json'],
    [{ CONTENT_LENGTH: ' 20' }, body, 400, 'invalid_json'],
    [{ CONTENT_LENGTH: '99999999999999999999999' }, body, 413, 'body_too_large'],
    [{ CONTENT_LENGTH: String(64 * 1024 + 1) }, Buffer.alloc(64 * 1024 + 1, 0x20), 413, 'body_too_large'],
    [{ CONTENT_LENGTH: String(body.length + 10) }, body, 400, 'invalid_json'],
  ];
  for (const [params, b, status, code] of cases) {
    const r = await fcgi(params, b);
    assert.equal(r.status, status, JSON.stringify(params));
    assert.equal(r.body.error.code, code, JSON.stringify(params));
  }
  assert.equal(await codes(phone), 0);
});

test('an unknown method is 405, a path that does not decode is 400', async () => {
  const r = await fcgi({ REQUEST_METHOD: 'BREW', CONTENT_LENGTH: 0 });
  assert.equal(r.status, 405);
  const bad = await fcgi({ REQUEST_METHOD: 'GET', REQUEST_URI: '/api/v1/m/de%zzmo/tiers', CONTENT_LENGTH: 0 });
  assert.equal(bad.status, 400);
  const nul = await fcgi({ REQUEST_METHOD: 'GET', REQUEST_URI: '/api/v1/m/demo%00/tiers', CONTENT_LENGTH: 0 });
  assert.equal(nul.status, 400);
});
