// A local stand-in for WeChat's server APIs (api.weixin.qq.com) and WeChat
// Pay's (api.mch.weixin.qq.com), for dev and test stacks that cannot reach
// the internet. conf/stack.sh starts it beside the app on a loopback port
// and points WX_API_BASE and WXPAY_API_BASE at it.
//
//   node tests/fake/wechat.mjs --dir DIR
//
// DIR receives `port` once listening, and whatever keys the modules make
// for the run. Each module (mp.mjs: mini-program and official-account APIs;
// pay.mjs: WeChat Pay v3) answers the paths it knows the way the real
// server does; tests steer them through /__fake/... control routes.
// Every control route is under /__fake/ so no real path is shadowed.
//
// Common controls:
//   GET  /__fake/health                -> {ok: true}
//   POST /__fake/mode {delay_ms, down} -> every real path waits delay_ms
//                                         first, or answers 503 when down
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as mp from './mp.mjs';
import * as pay from './pay.mjs';

const args = process.argv.slice(2);
const dir = args[args.indexOf('--dir') + 1];
if (!dir || args.indexOf('--dir') < 0) {
  console.error('usage: wechat.mjs --dir DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });

const ctx = { dir, mode: { delay_ms: 0, down: false } };
const modules = [mp, pay];
for (const mod of modules) if (mod.init) await mod.init(ctx);

function send(res, status, obj, headers = {}) {
  const body = typeof obj === 'string' ? obj : JSON.stringify(obj);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}
ctx.send = send;

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://fake');
    try {
      if (url.pathname === '/__fake/health') return send(res, 200, { ok: true });
      if (url.pathname === '/__fake/mode' && req.method === 'POST') {
        const m = JSON.parse(raw.toString() || '{}');
        ctx.mode = { delay_ms: Number(m.delay_ms) || 0, down: !!m.down };
        return send(res, 200, ctx.mode);
      }
      const control = url.pathname.startsWith('/__fake/');
      if (!control) {
        if (ctx.mode.delay_ms) await new Promise((r) => setTimeout(r, ctx.mode.delay_ms));
        if (ctx.mode.down) return send(res, 503, 'service unavailable');
      }
      for (const mod of modules)
        if (await mod.handle(req, res, raw, url, ctx)) return;
      send(res, 404, { errcode: 404, errmsg: 'not found' });
    } catch (e) {
      send(res, 500, { errcode: -1, errmsg: String(e && e.stack || e) });
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const tmp = join(dir, 'port.tmp');
  writeFileSync(tmp, String(server.address().port));
  renameSync(tmp, join(dir, 'port'));
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
