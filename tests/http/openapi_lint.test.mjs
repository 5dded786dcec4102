// static/openapi.yaml passes `redocly lint` with redocly.yaml (the
// recommended ruleset and the few exceptions it explains) with no error and
// no warning, and the lint itself stays off the network.
//
// Runs node_modules/.bin/redocly (the pinned devDependency) with
// --format=json and reads its totals and problems, not its text. Telemetry
// is off by redocly.yaml alone (REDOCLY_TELEMETRY is taken out of the
// environment so that the config is what is tested); the update check is
// off by environment. A preloaded guard makes any socket or DNS lookup the
// linter tries fail and say so on stderr, which fails the test: a config
// change or a new version that calls home is caught here rather than
// slowing down or hanging runs without a network.
//
// Needs no server. Two lint runs, about a second each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REDOCLY = join(ROOT, 'node_modules', '.bin', 'redocly');
const CONFIG = join(ROOT, 'redocly.yaml');
const MARK = 'openapi_lint: network attempt';

const TMP = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
const GUARD = join(TMP, 'no-network.cjs');
writeFileSync(GUARD, `
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const say = (what) => fs.writeSync(2, ${JSON.stringify(MARK)} + ' (' + what + ')\\n');
const refuse = (what) => function () {
  say(what);
  throw new Error('no network while linting');
};
net.Socket.prototype.connect = refuse('connect');
dns.lookup = refuse('dns.lookup');
dns.promises.lookup = refuse('dns.promises.lookup');
`);
test.after(() => rmSync(TMP, { recursive: true, force: true }));

/**
 * redocly lint <file> --format=json: resolves to {code, report, stderr};
 * report is the parsed JSON ({totals:{errors, warnings, ignored}, problems}).
 */
function lint(file) {
  const env = {
    ...process.env,
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS || ''} --require ${GUARD}`.trim(),
  };
  delete env.REDOCLY_TELEMETRY;
  const args = ['lint', file, `--config=${CONFIG}`, '--format=json', '--max-problems=100000'];
  return new Promise((resolve) => {
    execFile(REDOCLY, args, { cwd: ROOT, env, timeout: 60_000, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        let report = null;
        try {
          report = JSON.parse(stdout);
        } catch {
          // not JSON: report stays null and the caller shows the output
        }
        resolve({ code: err ? (err.code ?? 1) : 0, report, stdout, stderr });
      });
  });
}

/** One line per problem: severity rule line:col pointer: message. */
function describe(report) {
  return (report.problems || []).map((p) => {
    const at = p.location?.[0] || {};
    const pos = at.start ? `${at.start.line}:${at.start.col}` : '?';
    return `${p.severity} ${p.ruleId} ${at.source?.ref ?? ''}:${pos} ${at.pointer ?? ''}: ${p.message}`;
  }).join('\n');
}

function checkRun(r) {
  assert.doesNotMatch(r.stderr, new RegExp(MARK), 'the linter tried to reach the network');
  assert.ok(r.report && r.report.totals,
    `redocly printed no JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}

test('static/openapi.yaml lints clean: no error, no warning, nothing ignored', async () => {
  const r = await lint(join(ROOT, 'static', 'openapi.yaml'));
  checkRun(r);
  const { errors, warnings, ignored } = r.report.totals;
  assert.equal(errors, 0, `redocly lint errors:\n${describe(r.report)}`);
  assert.equal(warnings, 0, `redocly lint warnings:\n${describe(r.report)}`);
  assert.equal(ignored, 0, 'problems hidden by an ignore file');
  assert.equal(r.code, 0, r.stderr);
});

// The exceptions in redocly.yaml replace three built-in rules by
// configurable ones that skip named paths only: anywhere else the rule
// still holds. A small description breaks each rule once outside the
// exceptions, and keeps to the exceptions' paths too.
test('redocly.yaml exceptions cover their paths only', async () => {
  const op = (id, responses) => ({ get: { operationId: id, summary: id, security: [], responses } });
  const ok = { 200: { description: 'ok' }, 404: { description: 'no' } };
  const merchant = [{ name: 'merchant', in: 'path', required: true, schema: { type: 'string' } }];
  const withMerchant = (o) => ({ ...o, parameters: merchant });
  const doc = {
    openapi: '3.1.0',
    info: { title: 'fixture', version: '1', license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' } },
    servers: [{ url: 'http://127.0.0.1:8080' }],
    paths: {
      // the exceptions: no problem expected
      '/m/{merchant}/': withMerchant(op('home', ok)),
      '/m/{merchant}/staff/': withMerchant(op('counter', ok)),
      '/m/{merchant}/staff': withMerchant(op('toCounter', { 302: { description: 'to /staff/' }, 404: { description: 'no' } })),
      '/r/{code}': { get: { ...op('ref', { 302: { description: 'join' }, 404: { description: 'no' } }).get, parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }] } },
      '/livez': op('live', { 200: { description: 'ok' } }),
      // the rules still apply here
      '/other/': op('slash', ok),
      '/moved': op('moved', { 302: { description: 'elsewhere' }, 404: { description: 'no' } }),
      '/no4xx': op('no4xx', { 200: { description: 'ok' } }),
    },
  };
  const file = join(TMP, 'fixture.yaml');
  writeFileSync(file, JSON.stringify(doc, null, 2)); // JSON is YAML
  const r = await lint(file);
  checkRun(r);
  const got = r.report.problems.map((p) => `${p.ruleId} ${decodeURIComponent(p.location[0].pointer)
    .replace(/~1/g, '/')}`).sort();
  assert.deepEqual(got, [
    'rule/no-path-trailing-slash #/paths//other/',
    'rule/operation-2xx-response #/paths//moved/get/responses',
    'rule/operation-4xx-response #/paths//no4xx/get/responses',
  ], describe(r.report));
  const slash = r.report.problems.find((p) => p.ruleId === 'rule/no-path-trailing-slash');
  assert.equal(slash.severity, 'error', 'a trailing slash stays an error');
});
