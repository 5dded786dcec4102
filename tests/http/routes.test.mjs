// The route table against its description, both ways: every route that
// `app routes` prints is an operation of static/openapi.yaml, and every
// operation there is a route the app serves. api.md asks for the
// description to stay in step with what the server does; where the two
// disagree the server (with api.md) is right and the yaml is what to fix.
//
// What is compared: the whole table. The description lists the JSON API
// under /api/v1/, /livez and /healthz, and the H5 pages too (/m/{merchant}/...
// as text/html, /r/{code} as the referral redirect), so a page the app adds
// without describing it fails here like an API route would.
//
// A route `METHOD /api/v1/m/:merchant/me/coupons/:code/qr.svg` is the
// operation `method` of the path `/api/v1/m/{merchant}/me/coupons/{code}/qr.svg`
// once the server's base (the path of servers[0].url, or of the path's own
// servers) is put in front of the yaml's path.
//
// Beside method and path, what the route flags promise a client is
// checked against what the operation says (JSON routes; the pages' cookie
// is told in the description's prose, not per page):
//   - its path parameters are declared, by the same names;
//   - AUTH_MEMBER / AUTH_STAFF: security required (no {} alternative);
//     AUTH_OPTIONAL: security with {} among the choices; none: no security;
//   - CSRF <=> the X-CSRF-Token parameter; IDEMPOTENT <=> Idempotency-Key;
//   - AUTH_STAFF: x-roles is the roles allowed (owner always, every role
//     of the merchant's own when the route names none, partner only when
//     it names ROLE_PARTNER); other routes have no x-roles.
//
// Runs the binary directly (var/build/app routes, APP_ENV=test as the
// stack does); needs no server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP = join(ROOT, 'var', 'build', 'app');
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function run(cmd, args) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env: { ...process.env, APP_ENV: 'test' } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
  });
}

// `app routes`: {code, stderr, routes: [{method, pattern, path, flags, file}]}.
let table;
async function appRoutes() {
  if (table) return table;
  const r = await run(APP, ['routes']);
  const routes = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const f = line.trim().split(/\s+/);
    assert.equal(f.length, 4, `not METHOD PATTERN FLAGS FILE: ${line}`);
    const [method, pattern, flags, file] = f;
    assert.match(method, /^(GET|POST|PUT|PATCH|DELETE)$/, line);
    assert.match(pattern, /^\//, line);
    assert.match(flags, /^(-|[A-Z_]+(\|[A-Z_]+)*)$/, line);
    routes.push({
      method,
      pattern,
      path: pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}'),
      flags: flags === '-' ? new Set() : new Set(flags.split('|')),
      file,
    });
  }
  table = { code: r.code, stderr: r.stderr, routes };
  return table;
}

// The description: {'METHOD /full/path': {op, params}}.
let described;
function description() {
  if (described) return described;
  // The yaml shares its error content with anchors (&errorContent) used
  // far more often than the parser's guard against alias bombs allows.
  const doc = YAML.parse(readFileSync(join(ROOT, 'static', 'openapi.yaml'), 'utf8'),
    { maxAliasCount: -1 });
  const deref = (o) => {
    if (!o || !o.$ref) return o;
    assert.match(o.$ref, /^#\//, `only local $ref: ${o.$ref}`);
    return o.$ref.slice(2).split('/').reduce((x, k) => x?.[k], doc);
  };
  const base = (servers) => {
    if (!servers || servers.length === 0) return '';
    return new URL(servers[0].url).pathname.replace(/\/$/, '');
  };
  const docBase = base(doc.servers);
  const ops = new Map();
  assert.ok(doc.paths && Object.keys(doc.paths).length > 0, 'openapi.yaml has no paths');
  for (const [p, item] of Object.entries(doc.paths)) {
    const full = (item.servers ? base(item.servers) : docBase) + p;
    for (const m of METHODS) {
      const op = item[m];
      if (!op) continue;
      const key = `${m.toUpperCase()} ${full}`;
      assert.ok(!ops.has(key), `${key} described twice`);
      const params = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
      for (const x of params) assert.ok(x && x.name && x.in, `${key}: unresolved parameter`);
      ops.set(key, { op, params, security: op.security ?? doc.security ?? [] });
    }
  }
  described = ops;
  return ops;
}

test('app routes exits 0: no two patterns take one request', async () => {
  const t = await appRoutes();
  assert.equal(t.code, 0, t.stderr);
  assert.doesNotMatch(t.stderr, /router:/);
  assert.ok(t.routes.length > 0, 'app routes printed nothing');
  assert.ok(t.routes.some((r) => r.method === 'GET' && r.pattern === '/livez'));
});

test('every route the app serves is described', async () => {
  const ops = description();
  const missing = (await appRoutes()).routes
    .map((r) => `${r.method} ${r.path}`)
    .filter((k) => !ops.has(k));
  assert.deepEqual(missing, [], 'served but not in static/openapi.yaml');
});

test('every described operation is served', async () => {
  const served = new Set((await appRoutes()).routes.map((r) => `${r.method} ${r.path}`));
  const missing = [...description().keys()].filter((k) => !served.has(k));
  assert.deepEqual(missing, [], 'in static/openapi.yaml but not served');
});

test('described path parameters are the route\'s, by name', async () => {
  const ops = description();
  const wrong = [];
  for (const r of (await appRoutes()).routes) {
    const d = ops.get(`${r.method} ${r.path}`);
    if (!d) continue;
    const want = [...r.pattern.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((x) => x[1]).sort();
    const got = d.params.filter((x) => x.in === 'path').map((x) => x.name).sort();
    if (want.join() !== got.join()) wrong.push(`${r.method} ${r.path}: declares [${got}], route has [${want}]`);
  }
  assert.deepEqual(wrong, []);
});

// JSON routes only; see the top comment.
const jsonRoutes = async () => (await appRoutes()).routes.filter((r) => !r.flags.has('HTML'));

test('security as the route\'s session flags say', async () => {
  const ops = description();
  const wrong = [];
  for (const r of await jsonRoutes()) {
    const d = ops.get(`${r.method} ${r.path}`);
    if (!d) continue;
    const sec = d.security;
    const anonymous = sec.some((s) => Object.keys(s).length === 0);
    const schemes = sec.filter((s) => Object.keys(s).length > 0);
    let want;
    if (r.flags.has('AUTH_OPTIONAL')) want = anonymous && schemes.length > 0;
    else if (r.flags.has('AUTH_MEMBER') || r.flags.has('AUTH_STAFF')) want = !anonymous && schemes.length > 0;
    else want = schemes.length === 0;
    if (!want) wrong.push(`${r.method} ${r.path} [${[...r.flags]}]: security ${JSON.stringify(sec)}`);
  }
  assert.deepEqual(wrong, []);
});

test('X-CSRF-Token and Idempotency-Key described where the route honours them', async () => {
  const ops = description();
  const wrong = [];
  const has = (d, name) => d.params.some((x) => x.in === 'header' && x.name.toLowerCase() === name.toLowerCase());
  for (const r of await jsonRoutes()) {
    const d = ops.get(`${r.method} ${r.path}`);
    if (!d) continue;
    if (has(d, 'X-CSRF-Token') !== r.flags.has('CSRF')) {
      wrong.push(`${r.method} ${r.path}: CSRF ${r.flags.has('CSRF')}, X-CSRF-Token parameter ${has(d, 'X-CSRF-Token')}`);
    }
    if (has(d, 'Idempotency-Key') !== r.flags.has('IDEMPOTENT')) {
      wrong.push(`${r.method} ${r.path}: IDEMPOTENT ${r.flags.has('IDEMPOTENT')}, Idempotency-Key parameter ${has(d, 'Idempotency-Key')}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('x-roles of staff operations are the roles the route allows', async () => {
  const ops = description();
  const wrong = [];
  const ROLES = { ROLE_OWNER: 'owner', ROLE_MARKETING: 'marketing', ROLE_CASHIER: 'cashier' };
  // a partner only where the route names it (ROLE_PARTNER), never by default
  for (const r of await jsonRoutes()) {
    const d = ops.get(`${r.method} ${r.path}`);
    if (!d) continue;
    const got = d.op['x-roles'];
    if (!r.flags.has('AUTH_STAFF')) {
      if (got !== undefined) wrong.push(`${r.method} ${r.path}: x-roles on a route without a staff session`);
      continue;
    }
    const named = Object.keys(ROLES).filter((f) => r.flags.has(f)).map((f) => ROLES[f]);
    const own = named.length === 0 ? ['cashier', 'marketing', 'owner'] : ['owner', ...named];
    const want = [...new Set([...own, ...(r.flags.has('ROLE_PARTNER') ? ['partner'] : [])])].sort();
    const have = Array.isArray(got) ? [...got].sort() : got;
    if (JSON.stringify(have) !== JSON.stringify(want)) {
      wrong.push(`${r.method} ${r.path}: x-roles ${JSON.stringify(got)}, the route allows ${JSON.stringify(want)}`);
    }
  }
  assert.deepEqual(wrong, []);
});
