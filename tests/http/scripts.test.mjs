// The test and bench scripts' shared shell helpers: free_port is defined
// once (tests/port.sh) and both tests/run.sh and tests/bench/lib.sh get it
// from there, and it prints a port nothing listens on. Needs no stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
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
