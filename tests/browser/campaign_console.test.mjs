// The campaign console at desk width, signed in as marketing: the staff
// header and menu of the other consoles, statuses and coupon kinds in
// Chinese, and the coupons and gift pack picked from a checkbox list of
// the templates (name, kind, offer) in an order the console can change,
// saved as the ordered template_ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { api, m, staffLogin } from '../http/lib.mjs';

const BASE = process.env.BASE_URL;
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const HOUR = 3600e3;
const iso = (t) => new Date(t).toISOString();

test('campaign console: header, Chinese statuses and kinds, an ordered checkbox picker', async () => {
  const mkt = (await staffLogin('demo', 'marketing', 'demo1234')).token;
  const run = Date.now() % 1e8;
  const tpl = async (name, body) => {
    const r = await api('POST', m('/staff/coupon-templates'), {
      token: mkt, body: { name, stock: 50, per_member_limit: 1, valid_days: 7, status: 'active', ...body },
    });
    assert.equal(r.status, 201, r.text);
    return r.json.data;
  };
  const a = await tpl(`控制台甲${run}`, { kind: 'instant', value_fen: 300 });
  const b = await tpl(`控制台乙${run}`, { kind: 'threshold', value_fen: 1000, threshold_fen: 5000 });
  const g = await tpl(`控制台礼${run}`, { kind: 'gift', gift_item: '拿铁一杯' });

  const now = Date.now();
  const made = {};
  for (const [key, win, extra] of [
    ['live', [now - HOUR, now + 24 * HOUR], {}],
    ['scheduled', [now + 24 * HOUR, now + 48 * HOUR], {}],
    ['ended', [now - 48 * HOUR, now - 24 * HOUR], {}],
    ['paused', [now - HOUR, now + 24 * HOUR], { paused: true }],
    ['draft', [now - HOUR, now + 24 * HOUR], { published: false }],
  ]) {
    const r = await api('POST', m('/staff/campaigns'), {
      token: mkt,
      body: {
        name: `状态${key}${run}`, slug: `st-${key}-${run}`, starts_at: iso(win[0]), ends_at: iso(win[1]),
        template_ids: [b.id, a.id], share: { title: '标题', desc: '描述' }, ...extra,
      },
    });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.data.status, key);
    made[key] = r.json.data;
  }

  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'marketing', '/m/demo/staff/campaigns');
  await page.waitForSelector('#campaign-list tbody tr');

  // the staff header and menu, this page marked
  assert.match(await page.textContent('.staff-bar h1'), /活动管理$/);
  assert.match(await page.textContent('#staff-who'), /市场/);
  assert.equal(await page.textContent('#staff-nav a[aria-current="page"]'), '活动');
  assert.equal(await page.isVisible('#staff-logout'), true);

  // statuses in Chinese
  const want = { live: '进行中', scheduled: '未开始', ended: '已结束', paused: '已暂停', draft: '草稿' };
  for (const [key, c] of Object.entries(made)) {
    assert.equal(await page.textContent(`#campaign-list tr[data-id="${c.id}"] .cc-status`), want[key], key);
  }
  const labels = await page.$$eval('#campaign-list .cc-status', (ns) => ns.map((n) => n.textContent));
  assert.ok(labels.every((l) => Object.values(want).includes(l)), labels.join(' '));

  // the pickers: checkboxes with names, Chinese kinds and offers; no native multi-select
  assert.equal(await page.locator('select[multiple]').count(), 0);
  const item = (box, t) => page.locator(`#${box} .tpl-pick__item`, { has: page.locator(`input[value="${t.id}"]`) });
  assert.match(await item('cf-templates', a).textContent(), new RegExp(`控制台甲${run}.*立减券.*立减3元`));
  assert.match(await item('cf-templates', b).textContent(), /满减券.*满50减10/);
  assert.match(await item('cf-gifts', g).textContent(), /礼品券/);
  assert.doesNotMatch(await page.textContent('#cf-templates'), /promo_code|threshold|instant|\(gift\)|（gift）/);

  // editing shows the campaign's coupons ticked, first, in its order
  await page.click(`#campaign-list tr[data-id="${made.live.id}"] button`);
  const ticked = (box) => page.$$eval(`#${box} .tpl-pick__box`, (bs) => bs.filter((x) => x.checked).map((x) => Number(x.value)));
  assert.deepEqual(await ticked('cf-templates'), [b.id, a.id]);
  const firstTwo = await page.$$eval('#cf-templates .tpl-pick__box', (bs) => bs.slice(0, 2).map((x) => Number(x.value)));
  assert.deepEqual(firstTwo, [b.id, a.id]);
  assert.equal(await item('cf-templates', b).locator('.tpl-pick__pos').textContent(), '第 1 张');

  // a new campaign: tick b then a, move a up, a gift; saved in that order
  await page.click('#cf-new');
  assert.deepEqual(await ticked('cf-templates'), []);
  await page.fill('#cf-name', `排序${run}`);
  await page.fill('#cf-slug', `order-${run}`);
  await page.fill('#cf-starts', '2030-01-01T10:00');
  await page.fill('#cf-ends', '2030-02-01T22:00');
  await page.fill('#cf-share-title', '排序');
  await page.fill('#cf-share-desc', '排序测试');
  await item('cf-templates', b).locator('input').check();
  await item('cf-templates', a).locator('input').check();
  assert.deepEqual(await ticked('cf-templates'), [b.id, a.id]);
  await item('cf-templates', a).locator('.tpl-pick__move_up').click();
  assert.deepEqual(await ticked('cf-templates'), [a.id, b.id]);
  assert.equal(await item('cf-templates', a).locator('.tpl-pick__pos').textContent(), '第 1 张');
  assert.equal(await item('cf-templates', a).locator('.tpl-pick__move_up').isDisabled(), true);
  await item('cf-gifts', g).locator('input').check();
  // the preview lists them in that order
  const shown = await page.$$eval('#preview .campaign-coupon__name', (ns) => ns.map((n) => n.textContent));
  assert.deepEqual(shown, [a.name, b.name]);
  const saved = page.waitForResponse((r) => r.url().endsWith('/staff/campaigns') && r.request().method() === 'POST');
  await page.click('#cf-save');
  const res = await (await saved).json();
  assert.deepEqual(res.data.template_ids, [a.id, b.id]);
  assert.deepEqual(res.data.gift_template_ids, [g.id]);
  assert.equal(res.data.status, 'scheduled');
  await page.waitForSelector(`#campaign-list tr[data-id="${res.data.id}"] .cc-status:text("未开始")`);
  assert.match(await page.textContent('#cf-title'), /编辑活动/);

  // an error names the field as the form labels it
  await page.click('#cf-new');
  await page.fill('#cf-name', `重复${run}`);
  await page.fill('#cf-slug', `order-${run}`);
  await page.fill('#cf-starts', '2030-01-01T10:00');
  await page.fill('#cf-ends', '2030-02-01T22:00');
  await page.fill('#cf-share-title', '重复');
  await page.fill('#cf-share-desc', '重复');
  await page.click('#cf-save');
  await page.waitForFunction(() => document.getElementById('cf-error').textContent.length > 0);
  assert.doesNotMatch(await page.textContent('#cf-error'), /[a-z_]{4,}/);

  assert.deepEqual(errors, []);
  await ctx.close();
});
