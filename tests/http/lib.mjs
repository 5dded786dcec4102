// Helpers for the HTTP tests (node --test). They talk to the stack that
// tests/run.sh brought up, through nginx, and read its settings from the
// environment it exports from <instance>/env:
//   BASE_URL                               http://127.0.0.1:<port>
//   DB_SOCKET DB_NAME DB_USER DB_PASSWORD  the instance's MariaDB
//
// Every test file shares one database with the others, so tests make their
// own data (uniquePhone) and never count rows they did not create.

import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';

export const BASE = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');

/**
 * One HTTP request. path is absolute ("/livez") or a full URL.
 * opts:
 *   body     object, JSON-encoded with content-type application/json
 *   raw      string or Buffer sent as is (set content-type in headers)
 *   token    sent as Authorization: Bearer <token>
 *   headers  more request headers
 *   redirect fetch's redirect mode, 'follow' (default) or 'manual'
 * Resolves to {status, headers, json, text}: json is the parsed body, or
 * null when the body is not JSON.
 */
export async function api(method, path, opts = {}) {
  const { body, raw, token, headers = {}, redirect = 'follow' } = opts;
  const h = { ...headers };
  let payload;
  if (raw !== undefined) {
    payload = raw;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) {
      h['content-type'] = 'application/json';
    }
  }
  if (token) h.authorization = `Bearer ${token}`;
  const url = /^https?:/.test(path) ? path : BASE + path;
  const res = await fetch(url, { method, headers: h, body: payload, redirect });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: json stays null, text has the body
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** A path under one merchant's API: m('/me') -> /api/v1/m/demo/me. */
export function m(path, merchant = 'demo') {
  return `/api/v1/m/${merchant}${path}`;
}

// Phones: a random start per process, then consecutive numbers, so that
// files running one after another (or at once) do not meet.
const PHONE_SPACE = 7_000_000_000; // 1[3-9] followed by 9 digits
let phoneNext = randomInt(0, 2 ** 47) % PHONE_SPACE;

/** A mainland mobile number, 1[3-9]\d{9}, new on every call. */
export function uniquePhone() {
  const n = phoneNext;
  phoneNext = (phoneNext + 1) % PHONE_SPACE;
  return String(13_000_000_000 + n);
}

function expectOk(what, res) {
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  }
  return res.json.data;
}

/**
 * Sign a phone in as a consumer (sms-code, then login with the dev_code
 * that APP_ENV dev/test returns). Resolves to the session token.
 */
export async function signIn(merchant, phone) {
  const sent = expectOk('sms-code',
    await api('POST', m('/auth/sms-code', merchant), { body: { phone } }));
  if (!sent.dev_code) throw new Error('sms-code: no dev_code (APP_ENV must be dev or test)');
  const data = expectOk('login', await api('POST', m('/auth/login', merchant), {
    body: { phone, code: sent.dev_code },
  }));
  return data.token;
}

/** Join as a member (POST /members). Resolves to data: {member, created}. */
export async function join(merchant, token, extra = {}) {
  return expectOk('join', await api('POST', m('/members', merchant), { token, body: extra }));
}

/**
 * Staff sign-in. Resolves to data: {token, expires_at, csrf_token, staff}.
 */
export async function staffLogin(merchant, username, password) {
  return expectOk('staff login', await api('POST', m('/staff/login', merchant), {
    body: { username, password },
  }));
}

/** The demo staff accounts of a merchant signed in at once, in the order named. */
export function demoStaff(merchant, ...usernames) {
  return Promise.all(usernames.map((u) => staffLogin(merchant, u, 'demo1234')));
}

/**
 * Run SQL against the instance's database with the mariadb client, to
 * check the rows a request wrote (or, sparingly, to set up a state no API
 * reaches, such as an expired code). Resolves to the rows printed (of every
 * result set), each an array of strings (NULL reads "NULL").
 */
export function sql(query) {
  const env = { ...process.env, MYSQL_PWD: process.env.DB_PASSWORD || '' };
  const args = [
    '--no-defaults', `--socket=${process.env.DB_SOCKET}`,
    `--user=${process.env.DB_USER || 'app'}`, `--database=${process.env.DB_NAME || 'app'}`,
    '--default-character-set=utf8mb4', '--batch', '--raw', '--skip-column-names',
    '-e', query,
  ];
  return new Promise((resolve, reject) => {
    execFile('mariadb', args, { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`sql: ${stderr.trim() || err.message}\n  in: ${query}`));
        return;
      }
      const lines = stdout.split('\n');
      if (lines.at(-1) === '') lines.pop();
      resolve(lines.map((l) => l.split('\t')));
    });
  });
}

/** Run fn(i) for i in 0..n-1 all at once; resolves to their results. */
export function parallel(n, fn) {
  return Promise.all(Array.from({ length: n }, (_, i) => fn(i)));
}

/**
 * GET me/card as a member once every app worker shows what ok(card) wants:
 * a worker keeps a merchant's card settings and tier ladder up to a second
 * after staff change them (at once only on the worker that made the
 * change). Reads `n` cards at once, again every 100 ms for up to 5 s;
 * resolves to a card of the last round, so the caller's assertions fail on
 * what was still shown when the time ran out.
 */
export async function settledCard(merchant, token, ok, n = 16) {
  const until = Date.now() + 5000;
  for (;;) {
    const cards = await parallel(n, () => api('GET', m('/me/card', merchant), { token }));
    const bad = cards.find((c) => c.status !== 200 || !ok(c.json.data));
    if (!bad || Date.now() > until) return (bad || cards[0]).json.data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
