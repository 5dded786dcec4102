// The start-up checks that need the real thing: db_verify() counting the
// columns each DB_SQL_COLS() names against what MariaDB prepares, and
// `app events` listing the subscriptions in the order they run.
//
// db_verify: tests/startup/db_verify.c declares its own statements and is
// linked with the runtime's db.c, util.c, log.c and arena.c only, so the
// statements db_verify() prepares are exactly those (no handler's). The
// simplest robust build is from here, not from the Makefile: the flags
// come from the Makefile itself (a one-rule makefile read after it on
// stdin prints CC, ALL_CFLAGS, CFLAGS LDFLAGS and LDLIBS, as `make -p`
// would show them), so the binary is compiled as the app is, a flag
// changed there is one changed here, and nothing in the build has to know
// about this test. It is built twice into a folder under var/ removed
// afterwards: as is (every count right: 0) and with -DDB_VERIFY_BAD
// (q_bad names 1 column of 2, q_bad_wide 3 of 2: -1, both logged). The
// database is the stack's (DB_SOCKET DB_NAME DB_USER DB_PASSWORD from
// tests/run.sh), read by cfg_load() as the app reads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP = join(ROOT, 'var', 'build', 'app');
const SRC = 'tests/startup/db_verify.c';
const RUNTIME = ['fcgi/db.c', 'fcgi/util.c', 'fcgi/log.c', 'fcgi/arena.c'];

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { cwd: ROOT, maxBuffer: 16 << 20, ...opts },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
    if (opts.input !== undefined) child.stdin.end(opts.input);
  });
}

async function must(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  return r;
}

// The Makefile's own build flags, without the make that runs the tests
// (its jobserver and flags) leaking into this one.
async function makeFlags() {
  const env = { ...process.env };
  for (const k of ['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[k];
  const rule = '.PHONY: _startup_flags\n_startup_flags:\n' +
    '\t@printf "%s\\n" "$(CC)" "$(ALL_CFLAGS)" "$(CFLAGS) $(LDFLAGS)" "$(LDLIBS)"\n';
  const r = await must('make', ['-s', '--no-print-directory', '-f', 'Makefile', '-f', '-', '_startup_flags'],
    { env, input: rule });
  const [cc, cflags, ldflags, ldlibs] = r.stdout.split('\n');
  const words = (s) => s.split(/\s+/).filter(Boolean);
  assert.ok(cc && cflags.includes('-I'), `flags from make: ${r.stdout}`);
  return { cc: words(cc), cflags: words(cflags), ldflags: words(ldflags), ldlibs: words(ldlibs) };
}

let dir;
const bin = {};

before(async () => {
  assert.ok(process.env.DB_NAME, 'DB_* come from the stack tests/run.sh brings up');
  dir = mkdtempSync(join(ROOT, 'var', 'startup_checks.'));
  const f = await makeFlags();
  const cc = (args) => must(f.cc[0], [...f.cc.slice(1), ...args]);
  // The runtime's objects once, then this file twice.
  const objs = await Promise.all(RUNTIME.map(async (src) => {
    const o = join(dir, src.replace(/\W/g, '_') + '.o');
    await cc([...f.cflags, '-c', '-o', o, src]);
    return o;
  }));
  await Promise.all(Object.entries({ good: [], bad: ['-DDB_VERIFY_BAD'] }).map(async ([name, defs]) => {
    const o = join(dir, `db_verify_${name}.o`);
    bin[name] = join(dir, `db_verify_${name}`);
    await cc([...f.cflags, ...defs, '-c', '-o', o, SRC]);
    await cc([...f.ldflags, '-o', bin[name], o, ...objs, ...f.ldlibs]);
  }));
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const verify = (name, env = {}) =>
  must(bin[name], [], { env: { ...process.env, APP_ENV: 'test', ...env } });
const errors = (stderr) => stderr.split('\n').filter((l) => / error /.test(l));

test('db_verify refuses a statement whose declared column count differs', async () => {
  const r = await verify('bad');
  assert.equal(r.stdout, 'db_verify -1\n', r.stderr);
  const e = errors(r.stderr);
  assert.equal(e.length, 2, r.stderr);
  assert.ok(e.some((l) => l.includes(`db: q_bad (${SRC}) returns 2 columns, its declaration names 1: SELECT 1, 2`)), r.stderr);
  assert.ok(e.some((l) => l.includes(`db: q_bad_wide (${SRC}) returns 2 columns, its declaration names 3:`)), r.stderr);
  assert.doesNotMatch(r.stderr, /q_good/);
});

test('db_verify passes when every declared count matches', async () => {
  const r = await verify('good');
  assert.equal(r.stdout, 'db_verify 0\n', r.stderr);
  assert.deepEqual(errors(r.stderr), []);
});

test('db_verify without a database says so (1), it does not refuse', async () => {
  const r = await verify('good', { DB_SOCKET: join(dir, 'no-such.sock'), DB_HOST: '' });
  assert.equal(r.stdout, 'db_verify 1\n', r.stderr);
  assert.match(r.stderr, /db: connect:/);
});

test('app events lists the subscriptions in the order they run', async () => {
  const r = await must(APP, ['events'], { env: { ...process.env, APP_ENV: 'test' } });
  assert.equal(r.stderr, '');
  const subs = r.stdout.trim().split('\n').map((l) => {
    const [event, order, name, file] = l.trim().split(/\s+/);
    return { event, order: Number(order), name, file };
  });
  assert.deepEqual(subs, [
    { event: 'member_joined', order: 5, name: 'points_on_joined', file: 'handlers/points/points.c' },
    { event: 'member_joined', order: 10, name: 'referral_on_joined', file: 'handlers/growth/referral.c' },
    { event: 'member_joined', order: 20, name: 'campaign_on_joined', file: 'handlers/growth/campaign.c' },
    { event: 'member_joined', order: 30, name: 'new_member_gift_on_joined', file: 'handlers/staff/new_member_gift.c' },
    { event: 'member_joined', order: 80, name: 'stats_on_joined', file: 'handlers/stats/stats_rollup.c' },
    { event: 'order_paid', order: 10, name: 'referral_on_order', file: 'handlers/growth/referral.c' },
    { event: 'order_paid', order: 30, name: 'count_card_on_paid', file: 'handlers/card/card.c' },
    { event: 'order_paid', order: 50, name: 'scratch_on_paid', file: 'handlers/growth/scratch.c' },
    { event: 'order_paid', order: 70, name: 'members_on_paid', file: 'handlers/staff/members_staff.c' },
    { event: 'order_paid', order: 80, name: 'stats_on_paid', file: 'handlers/stats/stats_rollup.c' },
    { event: 'order_refunded', order: 30, name: 'count_card_on_refunded', file: 'handlers/card/card.c' },
    { event: 'order_refunded', order: 50, name: 'scratch_on_refunded', file: 'handlers/growth/scratch.c' },
    { event: 'order_refunded', order: 70, name: 'members_on_refunded', file: 'handlers/staff/members_staff.c' },
    { event: 'order_refunded', order: 80, name: 'stats_on_refunded', file: 'handlers/stats/stats_rollup.c' },
    { event: 'online_notified', order: 10, name: 'order_on_notified', file: 'handlers/order/order_after.c' },
    { event: 'tier_rewarded', order: 10, name: 'wallet_on_tier_rewarded', file: 'handlers/wallet/wallet_tier.c' },
    { event: 'tier_rewarded', order: 15, name: 'points_on_tier_rewarded', file: 'handlers/points/points.c' },
    { event: 'tier_rewarded', order: 20, name: 'coupon_on_tier_rewarded', file: 'handlers/coupon/coupon_tier.c' },
    { event: 'recharged', order: 80, name: 'stats_on_recharged', file: 'handlers/stats/stats_rollup.c' },
  ]);
});
