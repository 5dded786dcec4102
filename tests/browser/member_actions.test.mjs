// The owner's actions in the members console at desk width (1280x800):
// open a member, freeze it in the dialog with a reason (the badge and the
// staff action appear, the member's own home page says the account is
// frozen), unfreeze, add bonus, set the tier, bind a card and unbind it; marketing sees
// no action buttons. The payment PIN page at 390x844: set, then change
// with the old PIN. SHOTS=<dir>: screenshots of the console, the dialog
// and the PIN page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launch, PHONE } from './browser.mjs';
import { staffSignIn } from './staff.mjs';
import { sql } from '../http/lib.mjs';
import { newMember } from '../http/wallet_helpers.mjs';

const BASE = process.env.BASE_URL;
const SHOTS = process.env.SHOTS || '';
let browser;

before(async () => {
  browser = await launch();
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); });

async function openMember(page, phone) {
  await page.fill('#mf-q', phone);
  await page.click('#mf-search');
  await page.waitForFunction(() => document.querySelectorAll('#members-list tbody tr').length === 1);
  await page.click('#members-list tbody tr button');
  await page.waitForSelector('#md-body:not([hidden])');
}

async function act(page, action, fill) {
  await page.click(`#md-actions [data-action="${action}"]`);
  await page.waitForSelector('#ma-dialog[open]');
  await fill();
  await page.click('#ma-submit');
  await page.waitForSelector('#ma-dialog:not([open])', { state: 'attached' });
}

test('members console: the owner freezes, unfreezes, adjusts, sets the tier and binds a card', async () => {
  const mem = await newMember();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo/staff/members');
  await page.waitForSelector('#members-list[data-loaded]');
  await openMember(page, mem.phone);
  assert.equal(await page.isVisible('#md-actions'), true);
  assert.match(await page.textContent('#md-holds'), /未设支付密码/);

  // freeze: a reason is asked
  await page.click('#md-actions [data-action="block"]');
  await page.waitForSelector('#ma-dialog[open]');
  assert.equal(await page.textContent('#ma-title'), '冻结会员');
  await page.click('#ma-submit');
  assert.equal(await page.textContent('#ma-error'), '请填写操作原因');
  await page.fill('#ma-reason', '疑似盗刷，待核实');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/member-actions-dialog.png` });
  await page.click('#ma-submit');
  await page.waitForSelector('#ma-dialog:not([open])', { state: 'attached' });
  await page.waitForFunction(() => /已冻结/.test(document.getElementById('md-holds').textContent));
  assert.match(await page.textContent('#md-holds'), /已冻结：疑似盗刷，待核实/);
  assert.match(await page.textContent('#md-staff-actions'), /冻结（疑似盗刷，待核实）/);
  assert.equal(await page.textContent('#md-block'), '解冻会员');
  const [[blocked]] = await sql(`SELECT blocked_reason FROM members WHERE id = ${mem.id}`);
  assert.equal(blocked, '疑似盗刷，待核实');

  // the member's own page says so
  const phone = await browser.newContext(PHONE);
  await phone.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const home = await phone.newPage();
  await home.goto(`${BASE}/m/demo/`);
  assert.match(await home.textContent('#home-frozen'), /已被商家冻结/);
  await phone.close();

  await act(page, 'block', () => page.fill('#ma-reason', '核实无误'));
  await page.waitForFunction(() => !/已冻结/.test(document.getElementById('md-holds').textContent));

  // bonus in yuan
  await act(page, 'adjust', async () => {
    await page.check('input[name="ma-kind"][value="bonus"]');
    assert.equal(await page.textContent('#ma-amount-label'), '调整金额（元）');
    await page.fill('#ma-amount', '20.5');
    await page.fill('#ma-reason', '服务补偿');
  });
  await page.waitForFunction(() => /赠送金 \+¥20\.50/.test(document.getElementById('md-staff-actions').textContent));
  assert.equal((await sql(`SELECT bonus_fen, principal_fen FROM members WHERE id = ${mem.id}`))[0].join(), '2050,0');

  // the tier, held until a day written as people write it
  const year = new Date().getFullYear() + 1;
  await act(page, 'tier', async () => {
    await page.selectOption('#ma-level', '2');
    await page.fill('#ma-until', `${year}-03-31`);
    await page.fill('#ma-reason', '老客户关怀');
  });
  await page.waitForFunction(() => /手动等级/.test(document.getElementById('md-holds').textContent));
  assert.match(await page.textContent('#md-holds'), new RegExp(`保持到${year}年3月31日`));
  assert.equal((await sql(`SELECT tier_level, tier_manual_until FROM members WHERE id = ${mem.id}`))[0].join(), `2,${year}-03-31`);

  // a card
  const card = `W${Date.now() % 1e10}`;
  await act(page, 'card', () => page.fill('#ma-card', card));
  await page.waitForFunction((c) => document.getElementById('md-holds').textContent.includes(c), card);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/member-actions-console.png`, fullPage: true });
  // unbind it (a lost card): the button shows only while a card is bound
  assert.equal(await page.isVisible('#md-uncard'), true);
  await act(page, 'uncard', async () => {
    assert.equal(await page.textContent('#ma-title'), '解绑实体卡');
    await page.fill('#ma-reason', '会员挂失');
  });
  await page.waitForFunction((c) => !document.getElementById('md-holds').textContent.includes(c), card);
  assert.match(await page.textContent('#md-staff-actions'), new RegExp(`解绑实体卡 ${card}（会员挂失）`));
  assert.equal(await page.isVisible('#md-uncard'), false);
  assert.equal((await sql(`SELECT physical_card_no IS NULL FROM members WHERE id = ${mem.id}`))[0][0], '1');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/member-actions-unbound.png`, fullPage: true });
  await act(page, 'card', () => page.fill('#ma-card', card));
  await page.waitForFunction((c) => document.getElementById('md-holds').textContent.includes(c), card);
  assert.deepEqual(errors, []);
  await ctx.close();

  // marketing reads the member, without the owner's buttons
  const ctx2 = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p2 = await ctx2.newPage();
  await staffSignIn(p2, 'marketing', '/m/demo/staff/members');
  await p2.waitForSelector('#members-list[data-loaded]');
  await openMember(p2, mem.phone);
  await p2.waitForFunction(() => /实体卡/.test(document.getElementById('md-holds').textContent));
  assert.equal(await p2.isVisible('#md-actions'), false);
  await ctx2.close();
});

test('the payment PIN page at 390x844: set, then change with the old PIN', async () => {
  const mem = await newMember();
  const ctx = await browser.newContext(PHONE);
  await ctx.addCookies([{ name: 'sid', value: mem.token, url: BASE }]);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${BASE}/m/demo/`);
  await page.click('#home-pin');
  await page.waitForSelector('#pin-form');
  assert.equal(await page.isVisible('#pin-old'), false);
  await page.fill('#pin-new', '123456');
  await page.fill('#pin-again', '123456');
  await page.click('#pin-save');
  await page.waitForFunction(() => /太简单/.test(document.getElementById('pin-status').textContent));
  await page.fill('#pin-new', '402719');
  await page.fill('#pin-again', '402719');
  await page.click('#pin-save');
  await page.waitForSelector('#pin-old');
  assert.equal(await page.textContent('#pin-save'), '修改密码');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/pin-page.png` });
  await page.fill('#pin-old', '000001');
  await page.fill('#pin-new', '551903');
  await page.fill('#pin-again', '551903');
  await page.click('#pin-save');
  await page.waitForFunction(() => /还可再试 4 次/.test(document.getElementById('pin-status').textContent));
  await page.fill('#pin-old', '402719');
  await page.click('#pin-save');
  await page.waitForFunction(() => /已保存/.test(document.getElementById('pin-status').textContent));
  const [[fails]] = await sql(`SELECT pin_fails FROM members WHERE id = ${mem.id}`);
  assert.equal(fails, '0');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `no sideways scroll (${width})`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('the counter takes a physical card: without the PIN no balance, with it the balance', async () => {
  const { api, m } = await import('../http/lib.mjs');
  const { fund, staff } = await import('../http/wallet_helpers.mjs');
  const mem = await newMember();
  await fund(mem, { pay_fen: 5000 });
  const owner = await staff('demo', 'owner');
  const card = `C${Date.now() % 1e10}`;
  assert.equal((await owner.call('POST', `/staff/members/${mem.id}/physical-card`, { card_no: card })).status, 200);
  assert.equal((await api('PUT', m('/me/pin'), { token: mem.token, body: { pin: '402719' } })).status, 200);

  const ctx = await browser.newContext(PHONE);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await staffSignIn(page, 'owner', '/m/demo/staff/');
  await page.waitForSelector('#store-select option', { state: 'attached' });
  await page.click('#card-scan summary');
  await page.fill('#card-no-input', card.toLowerCase());
  await page.click('#card-submit');
  await page.waitForSelector('#scan-result:not([hidden])');
  assert.match(await page.textContent('#scan-note'), /不能用余额/);
  await page.fill('#co-free-name', '咖啡豆');
  await page.fill('#co-free-price', '12');
  await page.click('#co-free-add');
  await page.waitForFunction(() => /不能用余额/.test(document.getElementById('co-balance-meta').textContent));
  assert.equal(await page.isDisabled('#co-balance'), true);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/counter-card.png` });

  await page.fill('#card-no-input', card);
  await page.fill('#card-pin-input', '402719');
  await page.click('#card-submit');
  await page.waitForFunction(() => document.getElementById('scan-note').hidden);
  await page.fill('#co-free-name', '咖啡豆');
  await page.fill('#co-free-price', '12');
  await page.click('#co-free-add');
  await page.waitForFunction(() => /本单用 ¥12\.00/.test(document.getElementById('co-balance-meta').textContent));
  assert.equal(await page.isDisabled('#co-balance'), false);
  assert.equal(await page.inputValue('#card-pin-input'), '', 'the PIN is not kept on the page');
  assert.deepEqual(errors, []);
  await ctx.close();
});
