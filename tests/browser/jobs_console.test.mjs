// The settings console's 后台任务 section at desk width, as demo2's owner:
// a failed run of orders-expire (made by the real binary with the test
// knob JOB_FAIL_BATCH) shown with its title, its period as people write
// it, its count and 失败, and no English; marketing, who may use the
// other settings, does not get the section. axe finds nothing serious.
//
// SHOTS=<dir> (tests/run.sh sets it): a screenshot of the section.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { sql } from '../http/lib.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const SHOTS = process.env.SHOTS || '';
const DESK = { viewport: { width: 1280, height: 800 }, locale: 'zh-CN' };
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('后台任务: the owner sees the runs in Chinese, a failed one marked 失败', async () => {
  // a date of its own, so that the run is new on a stack used before
  const d = new Date(Date.UTC(1990, 0, 1) + (Date.now() % 3000) * 86400000);
  const date = d.toISOString().slice(0, 10);
  const [y, mo, day] = date.split('-').map(Number);
  const err = await new Promise((resolve) => {
    execFile(APP, ['jobs', 'run', 'orders-expire', '--merchant', 'demo2', '--date', date],
      { env: { ...process.env, JOB_FAIL_BATCH: '1' } }, resolve);
  });
  assert.equal(err?.code, 1, 'the run failed');

  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo2/staff/settings');
  await page.waitForSelector('#jobs:not([hidden])');
  const title = `超时未付订单 · ${y}年${mo}月${day}日 00:00`;
  const row = page.locator('#jobs-list .job-row', { hasText: title });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /取消订单 0/);
  assert.match(text, /失败/);
  assert.match(text, /执行出错，请联系技术支持查看原因/);
  assert.match(text, /开始 \d{1,2}月\d{1,2}日 \d\d:\d\d · 结束 \d{1,2}月\d{1,2}日 \d\d:\d\d/);
  const all = await page.innerText('#jobs');
  assert.match(all, /后台任务（最近 50 次）/);
  assert.doesNotMatch(all, /[A-Za-z]/, 'no English in the section');

  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.evaluate(() => document.getElementById('jobs').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: `${SHOTS}/staff-settings-jobs.png` });
  }
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run('#jobs', { resultTypes: ['violations'] }));
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, []);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('后台任务: a run with a batch set aside says it was skipped and when it is tried again', async () => {
  const d = new Date(Date.UTC(1980, 0, 1) + (Date.now() % 3000) * 86400000);
  const date = d.toISOString().slice(0, 10);
  const [y, mo, day] = date.split('-').map(Number);
  const [[mid]] = await sql("SELECT id FROM merchants WHERE code = 'demo2'");
  const card = `jc${Date.now() % 1e9}`;
  await sql(`INSERT INTO members (merchant_id, phone, card_no, joined_at) VALUES (${mid}, '139${String(Date.now() % 1e8).padStart(8, '0')}', '${card}', UTC_TIMESTAMP())`);
  const [[member]] = await sql(`SELECT id FROM members WHERE merchant_id = ${mid} AND card_no = '${card}'`);
  const [[store]] = await sql(`SELECT id FROM stores WHERE merchant_id = ${mid} ORDER BY id LIMIT 1`);
  const rows = Array.from({ length: 4 }, () => `(${mid}, ${store}, ${member}, 'app', 'pending',
    10, 0, 10, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, REPEAT('0', 64), UTC_TIMESTAMP(), UTC_TIMESTAMP() - INTERVAL 1 MINUTE)`);
  await sql(`INSERT INTO orders (merchant_id, store_id, member_id, channel, status,
    total_list_fen, discount_fen, total_fen, points_used, points_fen, principal_fen, bonus_fen,
    cash_fen, card_fen, online_fen, change_fen, earn_points, earn_growth, quote_hash, created_at,
    expires_at) VALUES ${rows.join(', ')}`);
  const out = await new Promise((resolve) => {
    execFile(APP, ['jobs', 'run', 'orders-expire', '--merchant', 'demo2', '--date', date],
      { env: { ...process.env, JOB_FAIL_BATCH: '1', JOB_BATCH: '2', JOB_RETRY_S: '600' } }, (e, stdout) => resolve(stdout));
  });
  assert.match(out, /batch 1 set aside/);
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  await staffSignIn(page, 'owner', '/m/demo2/staff/settings');
  await page.waitForSelector('#jobs:not([hidden])');
  const row = page.locator('#jobs-list .job-row', { hasText: `超时未付订单 · ${y}年${mo}月${day}日 00:00` });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /失败/);
  assert.match(text, /有 1 批出错，已先跳过、其余照常完成，将于 \d{1,2}月\d{1,2}日 \d\d:\d\d 再试/);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/staff-settings-jobs-set-aside.png` });
  }
  await ctx.close();
});

test('后台任务 is the owner\'s: marketing sees the settings without it', async () => {
  const ctx = await browser.newContext(DESK);
  const page = await ctx.newPage();
  await staffSignIn(page, 'marketing', '/m/demo2/staff/settings');
  await page.waitForSelector('#checkout-form:not([hidden])');
  await page.waitForTimeout(300);
  assert.equal(await page.isHidden('#jobs'), true);
  await ctx.close();
});
