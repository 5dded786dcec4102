// A second app with knobs of its own (REPORT_DEADLINE_MS, the test knobs)
// behind a second nginx on the stack's own rendered nginx.conf, beside the
// stack and on its database: what a client gets through nginx when a
// report runs out of time, without lowering the stack's deadline for every
// other test. The configuration is the stack's file with the instance's
// paths pointed at a folder of its own, a port of its own and the daemon
// kept in the foreground, so that nginx's timeouts, buffering and error
// pages are the ones the stack runs with.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The stack's nginx.conf as the second nginx runs it. */
export function stackNginxConf() {
  return readFileSync(join(process.env.INSTANCE_DIR, 'nginx', 'nginx.conf'), 'utf8');
}

/**
 * Start the app with env added to the stack's environment (one worker)
 * and nginx in front of it: {base, log(), stop()}. base is the URL to
 * ask, as BASE_URL is for the stack.
 */
export async function boundedStack(env = {}) {
  const inst = process.env.INSTANCE_DIR;
  if (!inst) throw new Error('INSTANCE_DIR is not set (source the stack\'s env)');
  const dir = mkdtempSync(join(tmpdir(), 'bounded-stack-'));
  for (const d of ['', 'run', 'log', 'nginx', 'uploads']) {
    mkdirSync(join(dir, d), { recursive: true });
    chmodSync(join(dir, d), 0o755);	// nginx's workers reach app.sock
  }
  const port = await freePort();
  const conf = stackNginxConf().split(inst).join(dir)
    .replace(/listen 127\.0\.0\.1:\d+;/, `listen 127.0.0.1:${port};`)
    .replace(/^daemon on;$/m, 'daemon off;');
  writeFileSync(join(dir, 'nginx', 'nginx.conf'), conf);
  let appErr = '';
  const app = spawn(APP, ['serve'], {
    env: { ...process.env, APP_SOCKET: join(dir, 'run', 'app.sock'), APP_WORKERS: '1', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  app.stderr.on('data', (d) => { appErr += d; });
  const nginx = spawn('nginx', ['-p', join(dir, 'nginx'), '-c', join(dir, 'nginx', 'nginx.conf'),
    '-e', join(dir, 'log', 'nginx-error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let nginxErr = '';
  nginx.stderr.on('data', (d) => { nginxErr += d; });
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    const gone = (p) => new Promise((resolve) => {
      if (p.exitCode !== null || p.signalCode !== null) resolve();
      else { p.on('close', resolve); setTimeout(resolve, 5000); }
    });
    nginx.kill('SIGQUIT');
    app.kill('SIGTERM');
    await Promise.all([gone(nginx), gone(app)]);
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; i < 150; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.status === 200) return { base, stop, log: () => appErr, nginxLog: () => readFileSync(join(dir, 'log', 'nginx-error.log'), 'utf8') };
    } catch { /* not listening yet */ }
    if (app.exitCode !== null || nginx.exitCode !== null) break;
    await sleep(100);
  }
  await stop();
  throw new Error(`the second stack did not come up\napp: ${appErr}\nnginx: ${nginxErr}`);
}
