// Accessibility of the store counter: signed in as the cashier with a
// member scanned (a balance short of the order, points and two coupons,
// so that every part of the checkout is on screen), axe-core finds no
// serious or critical violation, at desk and at phone width, on each tab:
// 收银 with the order priced, 核销券, 储值充值, and the receipt once paid.
// Each one found is printed: where, rule, impact, the elements and why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { scannedCounter, counterTab, counterMember } from './staff.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/* axe's serious and critical violations on the page, one line per element. */
async function severe(page, where) {
  if (!(await page.evaluate(() => !!window.axe))) await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const lines = [];
  for (const v of res.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) {
      const why = [...n.any, ...n.all, ...n.none].map((c) => c.message).join('; ');
      lines.push(`${where}: ${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')}: ${why}`);
    }
  }
  return lines;
}

/* The order on screen priced: the quote in, 收款 ready. */
async function priced(page) {
  await page.waitForFunction(() => !document.getElementById('co-submit').disabled &&
    !document.getElementById('checkout').classList.contains('is-quoting'));
  await page.waitForLoadState('networkidle');
}

for (const [name, viewport] of [['desk', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`the counter's tabs, a priced order and the receipt have no serious or critical axe violation (${name})`, async () => {
    const mem = await counterMember({
      name: '陈静怡', balanceFen: 2000, pointsFromFen: 10000,
      templates: [{ name: '满30减5', kind: 'threshold', value_fen: 500, threshold_fen: 3000 },
        { name: '立减3元', kind: 'instant', value_fen: 300 }],
    });
    const { ctx, page } = await scannedCounter(browser, viewport, mem);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const found = await severe(page, '收银 (member, no lines)');

    await page.fill('#co-free-name', '手冲咖啡');
    await page.fill('#co-free-price', '48');
    await page.click('#co-free-add');
    await priced(page);
    await page.waitForSelector('#co-coupons-box:not([hidden]) .co-coupon');
    await page.waitForSelector('#co-topup-box:not([hidden]) .co-topup__item');
    found.push(...await severe(page, '收银 (priced)'));

    await counterTab(page, 'coupons');
    found.push(...await severe(page, '核销券'));
    await counterTab(page, 'wallet');
    found.push(...await severe(page, '储值充值'));

    await counterTab(page, 'checkout');
    await priced(page);
    await page.click('#co-submit');
    await page.waitForSelector('#co-done:not([hidden])');
    found.push(...await severe(page, '小票'));
    assert.equal(found.length, 0, `${found.length} serious or critical:\n${found.join('\n')}`);
    assert.deepEqual(errors, []);
    await ctx.close();
  });
}
