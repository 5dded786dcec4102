// The members console at desk width (1280x800), signed in as marketing:
// the menu marks 会员; a search by a seeded member's name and a filter
// narrow the list to what the API answers; a member opened shows its
// profile, balance in yuan and dates in words; the CSV export counts its
// rows on the page and saves a file that has the list's members; the
// channel filter offers stores and campaigns by name and sends their codes.
// Cashiers see the no-access note. SHOTS=<dir>: a screenshot of the console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { sql, uniquePhone } from '../http/lib.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SHOTS || '';
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('members console: search, filter, open a member, export CSV', async () => {
  const run = `${process.pid % 1000}${Date.now() % 100000}`;
  const channel = `mlweb:${run}`;
  const name = `控制台会员${run}`;
  const [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  const rows = [0, 1, 2].map((i) => `(${mid}, '${uniquePhone()}', '${name}${i}', '1990-0${i + 3}-15',
    '5${run.padStart(8, '0')}${i}000000', '${channel}', 0, ${100 + i}, ${12345 * (i + 1)}, 0, '2026-0${i + 3}-01 02:00:00',
    '2026-11-0${i + 1} 03:00:00', ${5000 * (i + 1)})`);
  await sql(`INSERT INTO members (merchant_id, phone, name, birthday, card_no, channel, growth, points, principal_fen,
    bonus_fen, joined_at, last_order_at, spend_fen) VALUES ${rows.join(',')}`);

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'marketing', '/m/demo/staff/members');
  await page.waitForSelector('#members-list[data-loaded] tbody tr');
  assert.equal(await page.textContent('#staff-nav a[aria-current="page"]'), '会员');
  assert.match(await page.textContent('.staff-bar h1'), /会员管理$/);

  // search by the name's start, narrowed by channel: the three, newest joined first
  await page.fill('#mf-q', name);
  await page.selectOption('#mf-channel', '__code');
  await page.fill('#mf-channel-code', channel);
  await page.click('#mf-search');
  await page.waitForFunction(() => document.querySelectorAll('#members-list tbody tr').length === 3);
  const names = await page.$$eval('#members-list tbody tr td:first-child', (ns) => ns.map((n) => n.textContent));
  assert.deepEqual(names, [`${name}2`, `${name}1`, `${name}0`]);
  const first = await page.textContent('#members-list tbody tr:first-child');
  for (const want of ['¥370.35', '2026年5月1日', '2026年11月3日', '¥150.00']) assert.ok(first.includes(want), `${want} in ${first}`);

  // a filter: balance at least 200 yuan, sorted by balance ascending
  await page.fill('#mf-bal-min', '200');
  await page.selectOption('#mf-order', 'asc');
  await page.waitForFunction(() => document.querySelectorAll('#members-list tbody tr').length === 2);
  await page.click('#mf-search');
  await page.selectOption('#mf-sort', 'balance');
  await page.waitForFunction((n) => {
    const r = document.querySelectorAll('#members-list tbody tr td:first-child');
    return r.length === 2 && r[0].textContent === n + '1';
  }, name);

  // a bad date is said in Chinese, nothing sent
  await page.fill('#mf-joined-from', '明年');
  await page.click('#mf-search');
  assert.match(await page.textContent('#mf-error'), /入会开始日期看不懂/);
  await page.fill('#mf-joined-from', '2026/3/1');
  await page.click('#mf-search');
  await page.waitForFunction(() => document.querySelector('#mf-error').textContent === '');
  assert.equal(await page.inputValue('#mf-joined-from'), '2026年3月1日');

  // open a member
  await page.click(`#members-list tbody tr:first-child .orders-list__open`);
  await page.waitForSelector('#md-body:not([hidden])');
  const detail = await page.textContent('#member-detail');
  for (const want of [`${name}1`, '¥246.90', '1990年4月15日', '2026年4月1日', '累计消费', '¥100.00']) assert.ok(detail.includes(want), `${want} in detail`);
  if (SHOTS) { mkdirSync(SHOTS, { recursive: true }); await page.screenshot({ path: `${SHOTS}/staff-members.png` }); }

  // export: the progress line counts the rows; the file has the BOM and these members
  const dl = page.waitForEvent('download');
  await page.click('#mf-export');
  const file = await dl;
  await page.waitForFunction(() => /导出完成，共 2 位会员/.test(document.querySelector('#mf-export-status').textContent));
  const text = readFileSync(await file.path());
  assert.deepEqual([...text.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  const lines = text.toString('utf8').trim().split('\r\n');
  assert.equal(lines.length, 3);
  assert.ok(lines[1].includes(`${name}1`) && lines[2].includes(`${name}2`));
  assert.deepEqual(errors, []);
  await ctx.close();

  // a cashier gets the no-access note
  const c2 = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p2 = await c2.newPage();
  await staffSignIn(p2, 'cashier', '/m/demo/staff/members');
  await p2.waitForSelector('#console-auth:not([hidden])');
  assert.equal(await p2.isVisible('#console'), false);
  await c2.close();
});

test('members console: the channel filter offers stores and campaigns by name, and the list asks by their codes', async () => {
  const run = `${process.pid % 1000}${Date.now() % 100000}`;
  const name = `渠道会员${run}`;
  const [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo'");
  const [[sid, sname]] = await sql(`SELECT id, name FROM stores WHERE merchant_id = ${mid} AND kind = 'own' AND active = 1 ORDER BY id LIMIT 1`);
  const slug = `ch${run}`;
  const cname = `渠道活动${run}`;
  await sql(`INSERT INTO campaigns (merchant_id, name, slug, starts_at, ends_at, share_title, share_desc, created_at, updated_at)
    VALUES (${mid}, '${cname}', '${slug}', '2026-01-01 00:00:00', '2027-01-01 00:00:00', '分享', '分享', UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const member = (i, channel) => `(${mid}, '${uniquePhone()}', '${name}${i}', '6${run.padStart(8, '0')}${i}000000', '${channel}',
    '2026-05-0${i + 1} 02:00:00')`;
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, joined_at) VALUES
    ${member(0, `store:${sid}`)}, ${member(1, `campaign:${slug}`)}, ${member(2, 'referral')}`);

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const asked = [];
  page.on('request', (q) => { if (/\/staff\/members\?/.test(q.url())) asked.push(new URL(q.url()).searchParams.get('channel')); });
  await staffSignIn(page, 'marketing', '/m/demo/staff/members');
  await page.waitForSelector('#members-list[data-loaded]');
  await page.waitForSelector(`#mf-channel option[value="campaign:${slug}"]`, { state: 'attached' });
  assert.equal(await page.textContent(`#mf-channel option[value="store:${sid}"]`), sname, 'the store by its name');
  assert.equal(await page.textContent(`#mf-channel option[value="campaign:${slug}"]`), cname, 'the campaign by its name');
  assert.equal(await page.textContent('#mf-channel option[value="referral"]'), '推荐入会');
  assert.equal(await page.textContent('#mf-channel option[value="organic"]'), '自然进入');
  const rows = () => page.$$eval('#members-list tbody tr td:first-child', (ns) => ns.map((n) => n.textContent));
  await page.fill('#mf-q', name);
  for (const [label, code, who] of [[sname, `store:${sid}`, `${name}0`], [cname, `campaign:${slug}`, `${name}1`], ['推荐入会', 'referral', `${name}2`]]) {
    await page.selectOption('#mf-channel', { label });
    await page.waitForFunction((n) => {
      const r = document.querySelectorAll('#members-list tbody tr td:first-child');
      return r.length === 1 && r[0].textContent === n;
    }, who);
    assert.deepEqual(await rows(), [who]);
    assert.equal(asked.at(-1), code, 'the API is asked by the code');
  }
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/members-channel.png` });
  }
  assert.deepEqual(errors, []);
  await ctx.close();
});
