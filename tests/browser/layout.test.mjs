// What a member sees at 390x844 on the card, recharge and invite pages:
// the tab bar's icons and names, a quiet 退出登录, the custom amount with a
// label and no radio drawn over it, the invite QR centred with a share
// button (the share sheet where there is one, else the link copied).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, PHONE } from './browser.mjs';
import { BASE } from '../http/lib.mjs';
import { newMember } from '../http/wallet_helpers.mjs';

let browser;
let member;

before(async () => {
  browser = await launch();
  member = await newMember();
});

after(async () => { await browser?.close(); });

async function open(path, init) {
  const ctx = await browser.newContext(PHONE);
  await ctx.addCookies([{ name: 'sid', value: member.token, url: BASE }]);
  if (init) await ctx.addInitScript(init);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(BASE + path);
  return { ctx, page, errors };
}

const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('card page: the tab bar has an icon and a name per tab, 退出登录 is a quiet link', async () => {
  const { ctx, page, errors } = await open('/m/demo/');
  await page.waitForSelector('.member-card');
  const nav = page.getByRole('navigation', { name: '会员中心' });
  for (const name of ['会员卡', '优惠券', '钱包', '会员码']) {
    const link = nav.getByRole('link', { name, exact: true });
    assert.equal(await link.count(), 1, `tab ${name}`);
    const icon = await link.locator('svg').boundingBox();
    assert.ok(icon && icon.width >= 20 && icon.height >= 20, `tab ${name} has an icon`);
    const box = await link.boundingBox();
    assert.ok(box.height >= 44, `tab ${name} is a 44px target (${box.height})`);
  }
  assert.equal(await nav.getByRole('link', { name: '会员卡', exact: true }).getAttribute('aria-current'), 'page');

  const style = (sel) => page.$eval(sel, (e) => {
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return { bg: s.backgroundColor, size: parseFloat(s.fontSize), height: r.height };
  });
  const recharge = await style('a.weui-btn[href$="/recharge"]');
  const logout = await style('#logout');
  assert.equal(logout.bg, 'rgba(0, 0, 0, 0)', '退出登录 has no button fill');
  assert.ok(logout.size < recharge.size, `退出登录 is smaller than 充值 (${logout.size} < ${recharge.size})`);
  assert.ok(logout.height >= 44, `退出登录 is still a 44px target (${logout.height})`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('recharge page: the custom amount has a label and no radio over it; tapping it picks it', async () => {
  const { ctx, page, errors } = await open('/m/demo/recharge');
  await page.waitForSelector('#custom-yuan');
  assert.equal(await page.$eval('#custom-yuan', (e) => (e.labels.length ? e.labels[0].textContent.trim() : '')), '其他金额');
  const radio = await page.$eval('#choice-custom', (e) => {
    const s = getComputedStyle(e);
    const r = e.getBoundingClientRect();
    return { shown: s.opacity !== '0' && s.visibility !== 'hidden' && r.width > 0, x: r.x, y: r.y, width: r.width, height: r.height };
  });
  const input = await page.locator('#custom-yuan').boundingBox();
  if (radio.shown) {
    // a radio that shows must leave room before the typed amount and be a real target
    assert.ok(!overlap({ ...radio, x: radio.x - 8, width: radio.width + 16 }, input), 'radio apart from the amount');
    assert.ok(radio.width >= 24 && radio.height >= 24, 'radio is a 24px target');
  }
  assert.equal(await page.isChecked('#choice-custom'), false);
  await page.click('.recharge-custom__label');
  assert.equal(await page.isChecked('#choice-custom'), true);
  await page.fill('#custom-yuan', '88');
  assert.equal(await page.inputValue('#custom-yuan'), '88');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('invite page: the QR is centred; 分享给好友 opens the share sheet, or copies the link', async () => {
  const share = () => {
    navigator.share = (d) => { window.__shared = d; return Promise.resolve(); };
  };
  let { ctx, page, errors } = await open('/m/demo/invite', share);
  await page.waitForFunction(() => document.getElementById('invite-qr').naturalWidth > 0);
  const qr = await page.locator('#invite-qr').boundingBox();
  const mid = qr.x + qr.width / 2;
  assert.ok(Math.abs(mid - 195) <= 2, `QR centred (${mid})`);
  const link = await page.textContent('#invite-link');
  assert.match(link, /\/r\/[0-9A-Z]{23}$/);
  await page.getByRole('button', { name: '分享给好友' }).click();
  await page.waitForFunction(() => window.__shared);
  assert.equal(await page.evaluate(() => window.__shared.url), link);
  assert.deepEqual(errors, []);
  await ctx.close();

  const copy = () => {
    delete Navigator.prototype.share;
    Object.defineProperty(navigator, 'share', { value: undefined });
    Object.defineProperty(navigator, 'clipboard', {
      value: { writeText: (t) => { window.__copied = t; return Promise.resolve(); } },
    });
  };
  ({ ctx, page, errors } = await open('/m/demo/invite', copy));
  await page.waitForFunction(() => document.getElementById('invite-link').textContent !== '');
  await page.getByRole('button', { name: '分享给好友' }).click();
  await page.waitForFunction(() => document.getElementById('app-toast')?.textContent === '链接已复制，发给好友吧');
  assert.equal(await page.evaluate(() => window.__copied), await page.textContent('#invite-link'));
  assert.deepEqual(errors, []);
  await ctx.close();
});
