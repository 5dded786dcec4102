// What nginx does for every page: text compressed for clients that ask,
// static files named by version kept long, a favicon.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE } from './lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// A GET with exactly these headers; resolves to {status, headers, body}.
function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request(BASE + path, { headers }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('text is gzip-compressed when asked for, and only then', async () => {
  for (const path of ['/static/vendor/weui.min.css', '/static/js/api.js', '/static/openapi.yaml',
    '/m/demo/', '/api/v1/m/demo/coupon-templates?limit=100']) {
    const plain = await get(path);
    assert.equal(plain.status, 200, path);
    assert.equal(plain.headers['content-encoding'], undefined, `${path}: not compressed unasked`);
    const gz = await get(path, { 'accept-encoding': 'gzip' });
    assert.equal(gz.status, 200, path);
    if (plain.body.length < 512) continue;
    assert.equal(gz.headers['content-encoding'], 'gzip', path);
    assert.match(gz.headers.vary || '', /Accept-Encoding/i, path);
    assert.ok(gz.body.length < plain.body.length, `${path}: ${gz.body.length} < ${plain.body.length}`);
    assert.deepEqual(gunzipSync(gz.body), plain.body, `${path}: the same bytes once unpacked`);
  }
  const css = await get('/static/vendor/weui.min.css', { 'accept-encoding': 'gzip' });
  assert.ok(css.body.length < 60 * 1024, `weui.min.css sent as ${css.body.length} bytes`);
  const yaml = await get('/static/openapi.yaml');
  assert.match(yaml.headers['content-type'], /^application\/yaml/);
});

test('versioned static files are kept a year, others an hour', async () => {
  const versioned = await get('/static/css/app.css?v=0123abcd');
  assert.equal(versioned.status, 200);
  assert.match(versioned.headers['cache-control'], /max-age=31536000/);
  assert.match(versioned.headers['cache-control'], /immutable/);
  const plain = await get('/static/css/app.css');
  assert.match(plain.headers['cache-control'], /^max-age=3600$/);
});

test('a favicon is served, as an icon', async () => {
  const ico = await get('/favicon.ico');
  assert.equal(ico.status, 200);
  assert.equal(ico.headers['content-type'], 'image/x-icon');
  assert.deepEqual(ico.body, readFileSync(join(ROOT, 'static', 'favicon.ico')));
  assert.deepEqual([...ico.body.subarray(0, 4)], [0, 0, 1, 0], 'an ICO header');
  const svg = await get('/static/favicon.svg');
  assert.equal(svg.status, 200);
  assert.match(svg.headers['content-type'], /^image\/svg\+xml/);
});

test('pages link static files by version, a favicon and a description', async () => {
  const page = (await get('/m/demo/')).body.toString();
  const links = [...page.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((x) => x[1]);
  assert.ok(links.length >= 3, page.slice(0, 500));
  const versions = new Set();
  for (const l of links) {
    const v = l.match(/\?v=([0-9a-f]{16})$/);
    assert.ok(v, `${l} has ?v=<hash>`);
    versions.add(v[1]);
    const res = await get(l);
    assert.equal(res.status, 200, l);
    assert.match(res.headers['cache-control'], /max-age=31536000/, l);
  }
  assert.equal(versions.size, 1, 'one version for all');
  const again = (await get('/m/demo/join')).body.toString();
  assert.ok(again.includes(`?v=${[...versions][0]}`), 'the same on every page and worker');
  assert.match(page, /<link rel="icon" href="\/static\/favicon\.svg\?v=/);
  assert.match(page, /<meta name="description" content="[^"]*会员[^"]*">/);
  assert.doesNotMatch(page, /maximum-scale/, 'people may zoom');
});

test('error pages have a title people can read, and a way home at a known merchant', async () => {
  const unknown = await get('/m/nosuchshop/');
  assert.equal(unknown.status, 404);
  const u = unknown.body.toString();
  const title = u.match(/<title>([^<]*)<\/title>/)[1];
  assert.match(title, /[\u4e00-\u9fff]/, `title "${title}"`);
  assert.ok(!title.trim().startsWith('·') && !title.trim().endsWith('·'), `title "${title}"`);
  const known = await get('/m/demo/c/no-such-campaign');
  assert.equal(known.status, 404);
  const k = known.body.toString();
  assert.match(k, /<title>[^<]*[\u4e00-\u9fff][^<]* · 示例咖啡<\/title>/);
  assert.match(k, /href="\/m\/demo\/">返回首页<\/a>/);
});
