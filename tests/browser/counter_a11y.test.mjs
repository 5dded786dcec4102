// Accessibility of the store counter: signed in as the cashier with a
// member scanned (every panel a cashier works with on screen), axe-core
// finds no serious or critical violation, at desk and at phone width.
// Each one found is printed: rule, impact, the elements and why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { scannedCounter } from './staff.mjs';

const AXE = fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url));
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/* axe's serious and critical violations on the page, one line per element. */
async function severe(page) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const lines = [];
  for (const v of res.violations) {
    if (v.impact !== 'serious' && v.impact !== 'critical') continue;
    for (const n of v.nodes) {
      const why = [...n.any, ...n.all, ...n.none].map((c) => c.message).join('; ');
      lines.push(`${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')}: ${why}`);
    }
  }
  return lines;
}

for (const [name, viewport] of [['desk', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
  test(`the counter with a member scanned has no serious or critical axe violation (${name})`, async () => {
    const { ctx, page } = await scannedCounter(browser, viewport);
    const found = await severe(page);
    assert.equal(found.length, 0, `${found.length} serious or critical:\n${found.join('\n')}`);
    await ctx.close();
  });
}
