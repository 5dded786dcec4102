// Keeping tiers in the browser, on a merchant of this file's own: the card
// at 390x844 shows the keep-tier progress and, within the notice days,
// the notice; the settings console at desk width edits the downgrade mode
// and keep growth, shows the 预览 of a rule change, and saves.
//
// SHOTS=<dir> (tests/run.sh sets it): screenshots of the card and the
// console's tier section.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { api, m, sql, uniquePhone, staffLogin } from '../http/lib.mjs';

const BASE = process.env.BASE_URL;
const APP = process.env.APP_BIN || fileURLToPath(new URL('../../var/build/app', import.meta.url));
const SHOTS = process.env.SHOTS || '';
let browser, code, mid, owner;

const LADDER = [
  { level: 1, name: '普通会员', growth: 0, discount_pct: null, points_multiplier: 1, privileges: [] },
  { level: 2, name: '银卡会员', growth: 100, discount_pct: 98, points_multiplier: 1, privileges: [] },
  { level: 3, name: '金卡会员', growth: 1000, discount_pct: 95, points_multiplier: 1.5, privileges: [] },
];

before(async () => {
  browser = await launch();
  code = `tkb${process.pid % 10000}x${Date.now() % 100000}`;
  await sql(`INSERT INTO merchants (code, name, card_name) VALUES ('${code}', '保级测试店', '保级测试卡')`);
  [[mid]] = await sql(`SELECT id FROM merchants WHERE code = '${code}'`);
  await sql(`INSERT INTO stores (merchant_id, name, address) VALUES (${mid}, '一号店', '测试路 1 号')`);
  await sql(`INSERT INTO staff (merchant_id, username, name, role, password_hash)
    SELECT ${mid}, s.username, s.name, s.role, s.password_hash FROM staff s JOIN merchants mc ON mc.id = s.merchant_id
    WHERE mc.code = 'demo' AND s.username = 'owner'`);
  // today's review of the merchant, done now while it has no ladder: the
  // stack's tick runs every merchant's day once, and would otherwise move
  // the members this file sets up (预览甲 up before the preview)
  const today = execFileSync(APP, ['jobs', 'run', 'tier-review', '--merchant', code, '--now'], { encoding: 'utf8' });
  assert.match(today, /: 升级人数 0, 降级人数 0, 发放奖励 0 \((done|done before)\)/, today);
  const d = await staffLogin(code, 'owner', 'demo1234');
  owner = (method, path, body) => api(method, m(path, code), { token: d.token, body });
  const r = await owner('PUT', '/staff/settings/tiers', {
    tiers: LADDER.map((t) => ({ ...t, keep_growth: { 1: 0, 2: 50, 3: 300 }[t.level] })),
    downgrade: { mode: 'rolling', months: 12, step: 'one', notice_days: 60 },
  });
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  await browser?.close();
});

test('the card shows what keeping the tier asks and by when, with the notice', async () => {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  const post = (path, data) => ctx.request.post(`${BASE}/api/v1/m/${code}${path}`, { data });
  const phone = uniquePhone();
  const sent = await (await post('/auth/sms-code', { phone })).json();
  assert.equal((await post('/auth/login', { phone, code: sent.data.dev_code })).status(), 200);
  const joined = await post('/members', { name: '林保级' });
  assert.equal(joined.status(), 201);
  const member = (await joined.json()).data.member;
  // gold, with 400 earned eleven months and a week ago: it leaves the
  // 12-month window in about three weeks, within the 60 notice days
  await sql(`UPDATE members SET growth = 1400, tier_level = 3, tier_since = UTC_TIMESTAMP() - INTERVAL 13 MONTH WHERE id = ${member.id}`);
  await sql(`INSERT INTO growth_entries (merchant_id, member_id, kind, growth, ref, created_at) VALUES
    (${mid}, ${member.id}, 'order_earn', 400, 'test', UTC_TIMESTAMP() - INTERVAL 11 MONTH - INTERVAL 7 DAY),
    (${mid}, ${member.id}, 'order_earn', 120, 'test', UTC_TIMESTAMP() - INTERVAL 2 MONTH)`);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/${code}/`);
  await page.waitForSelector('#keep-tier');
  assert.equal(await page.textContent('#tier-name'), '金卡会员');
  assert.match(await page.textContent('#keep-tier'), /保级 · 近 12 个月成长值\s*520\s*\/300/);
  // 400 leaves first: 120 left, 180 short of 300
  assert.match(await page.textContent('#keep-text'), /^\d{4}年\d{1,2}月\d{1,2}日前再获得 180 成长值即可保持金卡会员$/);
  assert.match(await page.textContent('#keep-notice'), /^您的金卡会员将于\d{4}年\d{1,2}月\d{1,2}日降级，再获得 180 成长值即可保级$/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no horizontal scroll (${width})`);
  assert.doesNotMatch(await page.textContent('main'), /[a-z]+_[a-z]+|undefined|null/);
  assert.deepEqual(errors, []);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/tiers-keep-card.png`, fullPage: true });
  }
  await ctx.close();
});

test('the console edits the downgrade mode and keep growth, previews, and saves', async () => {
  await sql(`INSERT INTO members (merchant_id, phone, name, card_no, channel, growth, tier_level, tier_since, joined_at)
    VALUES (${mid}, '${uniquePhone()}', '预览甲', '8${String(Date.now()).padStart(15, '0')}', 'organic', 150, 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())`);
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', `/m/${code}/staff/settings`);
  await page.waitForSelector('#tiers-form:not([hidden]) #dg-mode');
  assert.equal(await page.inputValue('#dg-mode'), 'rolling');
  assert.equal(await page.inputValue('#dg-months'), '12');
  assert.equal(await page.isVisible('#dg-days-row'), false, 'the fixed term only in fixed mode');
  const rows = page.locator('#tiers .tier-row');
  assert.equal(await rows.nth(2).locator('.tier-keep').inputValue(), '300');
  await rows.nth(1).locator('.tier-keep').fill('80');
  await rows.nth(1).locator('.tier-rw-bonus').fill('5');
  await page.click('#tier-preview');
  await page.waitForSelector('#tier-preview-result:not([hidden])');
  const text = await page.textContent('#tier-preview-result');
  assert.match(text, /今天将有 1 人升级、\d+ 人降级；升级奖励 0 张优惠券、赠送金 ¥5\.00、积分 0。/);
  assert.match(text, /预览甲|8\d{15}/);
  // the preview saved nothing
  let g = (await owner('GET', '/staff/settings/tiers')).json.data;
  assert.equal(g.tiers[1].keep_growth, 50);
  await page.selectOption('#dg-mode', 'fixed');
  assert.equal(await page.isVisible('#dg-days-row'), true);
  await page.fill('#dg-days', '180');
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: `${SHOTS}/tiers-keep-console-page.png` });
    await page.locator('#tiers-form').screenshot({ path: `${SHOTS}/tiers-keep-console.png` });
    await page.locator('#tier-keep').screenshot({ path: `${SHOTS}/tiers-keep-console-rules.png` });
  }
  await page.click('#tiers-save');
  await page.waitForFunction(() => document.body.textContent.includes('会员等级已保存'));
  g = (await owner('GET', '/staff/settings/tiers')).json.data;
  assert.equal(g.tiers[1].keep_growth, 80);
  assert.equal(g.tiers[1].upgrade_rewards.bonus_fen, 500);
  assert.equal(g.downgrade.mode, 'fixed');
  assert.equal(g.downgrade.days, 180);
  assert.equal(g.tiers[2].discount_pct, 95, 'the ladder as it was');
  assert.deepEqual(errors, []);
  await ctx.close();
});
