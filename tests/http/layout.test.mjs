// The layout of handlers/ (handlers/README.md): which file may include
// which header, and which header may declare which function. Reads the
// sources and, for what they define, the objects `make build` made (nm);
// needs no stack.
//
//  - Floors, lowest first: fcgi < core < tier < member < the other ledgers
//    (wallet, coupon, points, cards) < order < card < growth < staff, stats. A
//    library file (a header, or a .c that is not a leaf) includes headers
//    of its own folder, of fcgi/, or the public header of a lower floor.
//  - Leaves (*_api.c, *_staff.c, *_pages.c, and the top floors' files)
//    hold routes and JSON and export nothing: they may include any
//    folder's public header, and nothing can include them.
//  - Across folders only the public header <dir>/<dir>.h is included.
//  - A header declares only functions its own folder defines; every
//    function a folder exports is declared in one of its headers.
//  - No import circle between folders through library files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const H = join(ROOT, 'handlers');
const OBJ = join(ROOT, 'var', 'build', 'obj', 'handlers');

const FLOOR = {
  core: 1, tier: 2, member: 3, wallet: 4, coupon: 4, catalog: 4, points: 4, cards: 4,
  order: 5, card: 5.5, growth: 6, wechat: 6, staff: 7, stats: 7,
};
const TOP = 7;
const RUNTIME = new Set(readdirSync(join(ROOT, 'fcgi')).filter((f) => f.endsWith('.h')));

const folders = readdirSync(H, { withFileTypes: true })
  .filter((d) => d.isDirectory()).map((d) => d.name).sort();

function filesOf(dir, ext) {
  return readdirSync(join(H, dir)).filter((f) => f.endsWith(ext)).sort();
}

function isLeaf(dir, file) {
  return FLOOR[dir] === TOP || /_(api|staff|pages)\.c$/.test(file);
}

function includes(path) {
  return [...readFileSync(path, 'utf8').matchAll(/^#include "([^"]+)"/gm)]
    .map((m) => m[1]).filter((i) => !i.startsWith('cjson/'));
}

// The functions a header declares: prototypes at the start of a line.
function declared(path) {
  const src = readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^#.*(\\\n.*)*$/gm, '');
  const names = new Set();
  for (const m of src.matchAll(/^(?!typedef|struct [a-z_]+ \{|enum [a-z_]+ \{|enum \{|static)[A-Za-z_][\w \t*]*?\**\b([a-z_][a-z0-9_]*)\s*\(/gm)) {
    names.add(m[1]);
  }
  return names;
}

// The global functions the objects of a folder define.
function defined(dir) {
  const names = new Set();
  const objdir = join(OBJ, dir);
  if (!existsSync(objdir)) return names;
  for (const o of readdirSync(objdir).filter((f) => f.endsWith('.o'))) {
    const out = execFileSync('nm', ['-g', '--defined-only', join(objdir, o)], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length === 3 && /[TW]/.test(f[1])) names.add(f[2]);
    }
  }
  return names;
}

test('every handler folder has a floor and a public header named after it', () => {
  assert.ok(folders.length >= 8, `folders: ${folders}`);
  for (const d of folders) {
    assert.ok(FLOOR[d] !== undefined, `handlers/${d} has no floor in this test and in handlers/README.md`);
    const hs = filesOf(d, '.h');
    if (hs.length > 0) assert.ok(hs.includes(`${d}.h`), `handlers/${d}: headers ${hs} but no ${d}.h`);
  }
  assert.deepEqual(readdirSync(H).filter((f) => /\.[ch]$/.test(f)), [], 'no sources directly in handlers/');
});

test('includes follow the floors; across folders only public headers', () => {
  const bad = [];
  for (const d of folders) {
    for (const f of [...filesOf(d, '.c'), ...filesOf(d, '.h')]) {
      const leaf = f.endsWith('.c') && isLeaf(d, f);
      for (const inc of includes(join(H, d, f))) {
        if (RUNTIME.has(inc)) continue;
        if (!inc.includes('/')) {
          if (!existsSync(join(H, d, inc))) bad.push(`${d}/${f}: "${inc}" is not in handlers/${d}`);
          continue;
        }
        const [od, oh] = inc.split('/');
        if (od === d) { bad.push(`${d}/${f}: "${inc}" names its own folder`); continue; }
        if (oh !== `${od}.h`) bad.push(`${d}/${f}: "${inc}" is not handlers/${od}'s public header`);
        if (FLOOR[od] === undefined) bad.push(`${d}/${f}: "${inc}": no such folder`);
        else if (!leaf && FLOOR[od] >= FLOOR[d]) {
          bad.push(`${d}/${f} (floor ${FLOOR[d]}) includes ${inc} (floor ${FLOOR[od]})`);
        }
      }
    }
  }
  assert.deepEqual(bad, []);
});

test('no import circle between folders through library files', () => {
  const edges = new Map(folders.map((d) => [d, new Set()]));
  for (const d of folders) {
    for (const f of [...filesOf(d, '.c'), ...filesOf(d, '.h')]) {
      if (f.endsWith('.c') && isLeaf(d, f)) continue;
      for (const inc of includes(join(H, d, f))) {
        const od = inc.split('/')[0];
        if (inc.includes('/') && od !== d && edges.has(od)) edges.get(d).add(od);
      }
    }
  }
  const state = new Map();
  const cycle = [];
  const visit = (d, path) => {
    if (state.get(d) === 'done') return false;
    if (state.get(d) === 'open') { cycle.push(...path, d); return true; }
    state.set(d, 'open');
    for (const e of edges.get(d)) if (visit(e, [...path, d])) return true;
    state.set(d, 'done');
    return false;
  };
  for (const d of folders) if (visit(d, [])) break;
  assert.deepEqual(cycle, [], `circle: ${cycle.join(' -> ')}`);
});

test('leaves export nothing; headers declare only what their folder defines', () => {
  const bad = [];
  for (const d of folders) {
    const defs = defined(d);
    assert.ok(defs.size > 0 || FLOOR[d] === TOP || filesOf(d, '.c').length === 0,
      `no objects for handlers/${d}: run make build first`);
    for (const f of filesOf(d, '.c').filter((c) => isLeaf(d, c) && FLOOR[d] !== TOP)) {
      const o = join(OBJ, d, f.replace(/\.c$/, '.o'));
      const out = execFileSync('nm', ['-g', '--defined-only', o], { encoding: 'utf8' }).trim();
      if (out !== '') bad.push(`${d}/${f} is a leaf but exports: ${out.replace(/\s+/g, ' ')}`);
    }
    const decls = new Set();
    for (const h of filesOf(d, '.h')) {
      for (const n of declared(join(H, d, h))) {
        decls.add(n);
        if (!defs.has(n)) bad.push(`${d}/${h} declares ${n}, which handlers/${d} does not define`);
      }
    }
    for (const n of defs) {
      if (!decls.has(n)) bad.push(`handlers/${d} defines ${n}, which no header of the folder declares`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the checks see what they check', () => {
  // A declaration the parser must find, and one it must not.
  const core = declared(join(H, 'core', 'core.h'));
  assert.ok(core.has('audit_log') && core.has('page_ctx') && core.has('qr_svg'), [...core].join(' '));
  assert.ok(!core.has('cJSON'));
  assert.ok(defined('core').has('audit_log'));
  assert.ok(includes(join(H, 'coupon', 'coupon.c')).includes('tier/tier.h'));
  assert.ok(isLeaf('coupon', 'coupon_api.c') && !isLeaf('coupon', 'coupon.c'));
  assert.equal(basename(H), 'handlers');
});
