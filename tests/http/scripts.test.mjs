// The test and bench scripts' shared shell helpers: free_port is defined
// once (tests/port.sh) and both tests/run.sh and tests/bench/lib.sh get it
// from there, and it prints a port nothing listens on; the stack's guard
// reads a clean MariaDB shutdown from its log. Needs no stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function shellFiles(dir) {
  const out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (f === 'node_modules' || f === 'var' || f.startsWith('.')) continue;
    if (statSync(p).isDirectory()) out.push(...shellFiles(p));
    else if (f.endsWith('.sh')) out.push(p);
  }
  return out;
}

test('free_port has one definition, in tests/port.sh', () => {
  const defs = shellFiles(ROOT).filter((f) => /^\s*free_port\s*\(\)/m.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  assert.deepEqual(defs, ['tests/port.sh']);
  for (const f of ['tests/run.sh', 'tests/bench/lib.sh']) {
    assert.match(readFileSync(join(ROOT, f), 'utf8'), /^\. "[^\n]*\/port\.sh"$/m, `${f} sources tests/port.sh`);
  }
});

test('free_port, as run.sh and the bench scripts source it, prints a port nothing listens on', async () => {
  const taken = createServer();
  await new Promise((resolve) => taken.listen(0, '127.0.0.1', resolve));
  try {
    for (const script of ['ROOT=. && . tests/port.sh', '. tests/bench/lib.sh']) {
      for (let i = 0; i < 5; i++) {
        const p = Number(execFileSync('bash', ['-c', `set -u; ${script}; free_port`], { cwd: ROOT, encoding: 'utf8' }));
        assert.ok(p >= 20000 && p < 30000, `${script}: ${p}`);
        // nothing answers there: we can listen on it ourselves
        const s = createServer();
        await new Promise((resolve, reject) => { s.once('error', reject); s.listen(p, '127.0.0.1', resolve); });
        await new Promise((resolve) => s.close(resolve));
      }
    }
  } finally {
    taken.close();
  }
});

// The stack's MariaDB guard (conf/stack.sh) leaves a MariaDB alone that
// was shut down cleanly: it reads that from the log, whose last "ready for
// connections" or "Shutdown complete" decides, under `set -euo pipefail`
// as the script runs. A long log (many restarts) is the case a reader
// that stops early gets wrong.
test('the guard reads a clean shutdown from a long MariaDB log every time, and a crash as one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guardlog-'));
  try {
    const cycle = '2026-12-01 22:00:00 0 [Note] InnoDB: Buffer pool(s) load completed\n'
      + '2026-12-01 22:00:00 0 [Note] mariadbd: ready for connections.\n'
      + 'Version: \'10.11\'  socket: \'/x/mysql.sock\'  port: 0  Debian 12\n'
      + '2026-12-01 22:00:01 0 [Note] mariadbd (initiated by: root[root] @ localhost []): Normal shutdown\n'
      + '2026-12-01 22:00:01 0 [Note] mariadbd: Shutdown complete\n\n';
    const fn = execFileSync('sed', ['-n', '/^db_shut_cleanly() {/,/^}/p', join(ROOT, 'conf/stack.sh')], { encoding: 'utf8' });
    assert.match(fn, /^db_shut_cleanly\(\) \{/);
    const check = (log) => {
      writeFileSync(join(dir, 'mariadb.log'), log);
      const script = `set -euo pipefail\nLOG=${dir}\n${fn}\nn=0\nfor i in $(seq 50); do if db_shut_cleanly; then n=$((n + 1)); fi; done\necho $n`;
      return Number(execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim());
    };
    const long = cycle.repeat(3000);
    assert.ok(long.length > 256 * 1024);
    assert.equal(check(long), 50, 'a clean shutdown, every time');
    assert.equal(check(`${long}2026-12-01 23:00:00 0 [Note] mariadbd: ready for connections.\n`), 0, 'running (or crashed) since');
    assert.equal(check(''), 0, 'no log: not a clean shutdown');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
