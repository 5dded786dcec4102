/*
 * The marketing console for coupon templates: list, create and edit them,
 * generate promo code batches and download them as CSV. Uses window.Staff
 * from staff.js (staff cookie and CSRF header).
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var templates = [], stores = [], tiers = [];

  var $ = App.byId, el = App.el, checkedIds = App.checkedIds;

  /* '' -> null, "12" -> 12, bad -> NaN */
  function int(v) {
    v = (v || '').trim();
    if (v === '') return null;
    return /^-?\d+$/.test(v) ? parseInt(v, 10) : NaN;
  }

  /* An amount field's value: 1250 -> "12.5" (as typed, no trailing zeros); '' for none. */
  function yuan(f) { return f === null || f === undefined ? '' : String(f / 100); }

  function showKindFields() {
    var kind = $('tf-kind').value;
    Array.prototype.forEach.call(root.querySelectorAll('.tpl-kind-only'), function (c) {
      c.hidden = c.getAttribute('data-kinds').split(' ').indexOf(kind) < 0;
    });
    var mode = $('tf-validity').value;
    Array.prototype.forEach.call(root.querySelectorAll('[data-validity]'), function (c) {
      c.hidden = c.getAttribute('data-validity') !== mode;
    });
    $('tf-tiers-cell').hidden = $('tf-audience').value !== 'tiers';
  }

  function boxes(container, name, items, label, checked) {
    container.innerHTML = '';
    items.forEach(function (it) {
      var l = el('label', 'store-check');
      var b = el('input');
      b.type = 'checkbox';
      b.name = name;
      b.value = String(it.id);
      b.checked = checked.indexOf(it.id) >= 0;
      l.appendChild(b);
      l.appendChild(document.createTextNode(' ' + label(it)));
      container.appendChild(l);
    });
  }

  function fill(t) {
    $('tpl-form-title').textContent = t ? '编辑：' + t.name : '新建优惠券';
    $('tf-id').value = t ? String(t.id) : '';
    $('tf-name').value = t ? t.name : '';
    $('tf-kind').value = t ? t.kind : 'threshold';
    $('tf-value').value = t ? yuan(t.value_fen) : '';
    $('tf-threshold').value = t ? yuan(t.threshold_fen) : '';
    $('tf-pct').value = t && t.discount_pct !== null ? String(t.discount_pct) : '';
    $('tf-max').value = t ? yuan(t.max_discount_fen) : '';
    $('tf-gift').value = t && t.gift_item ? t.gift_item : '';
    $('tf-stock').value = t && t.stock !== null ? String(t.stock) : '';
    $('tf-limit').value = t ? String(t.per_member_limit) : '1';
    $('tf-claim-from').value = t ? App.inputDate(t.claim_from, 16) : '';
    $('tf-claim-until').value = t ? App.inputDate(t.claim_until, 16) : '';
    $('tf-validity').value = t && t.valid_days === null ? 'range' : 'days';
    $('tf-days').value = t && t.valid_days !== null ? String(t.valid_days) : '30';
    $('tf-next-day').checked = !!(t && t.valid_next_day);
    $('tf-valid-from').value = t ? App.inputDate(t.valid_from, 10) : '';
    $('tf-valid-until').value = t ? App.inputDate(t.valid_until, 10) : '';
    boxes($('tf-stores'), 'store', stores, function (s) { return s.name; },
      t && t.store_ids !== 'all' ? t.store_ids : []);
    var aud = t ? t.audience : 'all';
    $('tf-audience').value = typeof aud === 'string' ? aud : 'tiers';
    boxes($('tf-tiers'), 'tier', tiers.map(function (x) { return { id: x.level, name: x.name }; }),
      function (x) { return x.name; }, typeof aud === 'object' && aud ? aud.tiers : []);
    $('tf-stackable').checked = !!(t && t.stackable);
    $('tf-listed').checked = t ? !!t.listed : true;
    $('tf-status').value = t ? t.status : 'draft';
    $('tf-desc').value = t && t.description ? t.description : '';
    $('tf-error').textContent = '';
    showKindFields();
    showCodes(t && t.kind === 'promo_code' ? t : null);
  }

  /* The payload; kind-specific fields of other kinds go as null. */
  function payload() {
    var kind = $('tf-kind').value;
    var uses = function (id) {
      var c = $(id).closest('.tpl-kind-only');
      return !c || c.getAttribute('data-kinds').split(' ').indexOf(kind) >= 0;
    };
    var p = {
      name: $('tf-name').value.trim(),
      kind: kind,
      value_fen: uses('tf-value') ? App.optionalFen($('tf-value').value) : null,
      threshold_fen: uses('tf-threshold') ? App.optionalFen($('tf-threshold').value) : null,
      discount_pct: uses('tf-pct') ? int($('tf-pct').value) : null,
      max_discount_fen: uses('tf-max') ? App.optionalFen($('tf-max').value) : null,
      gift_item: uses('tf-gift') ? ($('tf-gift').value.trim() || null) : null,
      stock: int($('tf-stock').value),
      per_member_limit: int($('tf-limit').value),
      claim_from: $('tf-claim-from').value ? $('tf-claim-from').value + ':00' : null,
      claim_until: $('tf-claim-until').value ? $('tf-claim-until').value + ':59' : null,
      stackable: $('tf-stackable').checked,
      listed: $('tf-listed').checked,
      status: $('tf-status').value,
      description: $('tf-desc').value.trim() || null
    };
    if ($('tf-validity').value === 'days') {
      p.valid_days = int($('tf-days').value);
      p.valid_next_day = $('tf-next-day').checked;
      p.valid_from = null;
      p.valid_until = null;
    } else {
      p.valid_days = null;
      p.valid_next_day = false;
      p.valid_from = $('tf-valid-from').value || null;
      p.valid_until = $('tf-valid-until').value || null;
    }
    var s = checkedIds($('tf-stores'));
    p.store_ids = s.length ? s : 'all';
    var a = $('tf-audience').value;
    p.audience = a === 'tiers' ? { tiers: checkedIds($('tf-tiers')) } : a;
    return p;
  }

  function render() {
    var list = $('tpl-list');
    list.innerHTML = '';
    if (!templates.length) list.appendChild(el('div', 'weui-cell', '还没有优惠券，点击下方新建'));
    templates.forEach(function (t) {
      var cell = el('div', 'weui-cell tpl-row');
      cell.setAttribute('data-id', String(t.id));
      var bd = el('div', 'weui-cell__bd');
      bd.appendChild(el('p', 'tpl-row__name', t.name + ' · ' + Staff.couponKind(t.kind) + ' · ' + t.summary));
      bd.appendChild(el('p', 'tpl-row__meta', Staff.templateStatus(t.status) + ' · 库存 ' +
        (t.stock === null ? '不限' : t.stock_left + '/' + t.stock) + ' · 已领 ' + t.claimed + ' · 已用 ' + t.used));
      var ft = el('div', 'weui-cell__ft tpl-row__ops');
      var edit = el('button', 'weui-btn weui-btn_mini weui-btn_default', '编辑');
      edit.type = 'button';
      edit.addEventListener('click', function () { fill(t); $('tpl-form').scrollIntoView(); });
      ft.appendChild(edit);
      if (t.status !== 'ended') {
        var next = t.status === 'active' ? 'paused' : 'active';
        var tog = el('button', 'weui-btn weui-btn_mini weui-btn_default', next === 'active' ? '发放' : '暂停');
        tog.type = 'button';
        tog.addEventListener('click', function () {
          Staff.api('PATCH', '/coupon-templates/' + t.id, { status: next }).then(function (r) {
            if (r.status !== 200) { App.toast(App.errorText(r)); return; }
            load();
          });
        });
        ft.appendChild(tog);
      }
      cell.appendChild(bd);
      cell.appendChild(ft);
      list.appendChild(cell);
    });
  }

  function load() {
    var st = $('tpl-filter').value;
    return Staff.api('GET', '/coupon-templates' + App.query({ limit: 100, status: st })).then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      templates = r.body.data;
      render();
    });
  }

  function showCodes(t) {
    var panel = $('codes-panel');
    panel.hidden = !t;
    if (!t) return;
    panel.setAttribute('data-id', String(t.id));
    $('codes-title').textContent = '兑换码：' + t.name;
    Staff.api('GET', '/coupon-templates/' + t.id + '/codes').then(function (r) {
      var box = $('codes-batches');
      box.innerHTML = '';
      if (r.status !== 200) return;
      if (!r.body.data.length) box.appendChild(el('p', null, '还没有生成兑换码'));
      r.body.data.forEach(function (b) {
        var p = el('p');
        p.appendChild(document.createTextNode('批次 ' + b.batch_id + '：' + b.count + ' 个，已兑换 ' + b.redeemed + ' · '));
        var a = el('a', null, '下载 CSV');
        a.href = b.csv_url;
        a.setAttribute('download', '');
        p.appendChild(a);
        box.appendChild(p);
      });
    });
  }

  $('tpl-filter').addEventListener('change', load);
  $('tf-kind').addEventListener('change', showKindFields);
  $('tf-validity').addEventListener('change', showKindFields);
  $('tf-audience').addEventListener('change', showKindFields);
  $('tpl-new').addEventListener('click', function () { fill(null); });

  $('tpl-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var p = payload(), id = $('tf-id').value;
    var bad = ['value_fen', 'threshold_fen', 'max_discount_fen', 'discount_pct', 'stock', 'per_member_limit', 'valid_days']
      .filter(function (k) { return p[k] !== p[k]; });
    if (bad.length) { $('tf-error').textContent = '请检查数字格式：' + bad.join('、'); return; }
    $('tf-save').disabled = true;
    Staff.api(id ? 'PATCH' : 'POST', '/coupon-templates' + (id ? '/' + id : ''), p).then(function (r) {
      $('tf-save').disabled = false;
      if (r.status !== 200 && r.status !== 201) { $('tf-error').textContent = App.errorText(r); return; }
      App.toast('已保存');
      fill(r.body.data);
      load();
    });
  });

  $('codes-make').addEventListener('click', function () {
    var id = $('codes-panel').getAttribute('data-id'), n = int($('codes-count').value);
    if (!(n >= 1 && n <= 100000)) { App.toast('数量应为 1 到 100000'); return; }
    $('codes-make').disabled = true;
    Staff.api('POST', '/coupon-templates/' + id + '/codes', { count: n }, { 'Idempotency-Key': App.idemKey() })
      .then(function (r) {
        $('codes-make').disabled = false;
        if (r.status !== 201) { App.toast(App.errorText(r)); return; }
        App.toast('已生成 ' + r.body.data.count + ' 个兑换码');
        showCodes({ id: parseInt(id, 10), name: $('tf-name').value });
      });
  });

  Staff.marketingConsole(root, function () {
    Promise.all([Staff.api('GET', '/stores'), App.api('GET', '/tiers')]).then(function (rs) {
      stores = rs[0].status === 200 ? rs[0].body.data : [];
      tiers = rs[1].status === 200 ? rs[1].body.data : [];
      fill(null);
      load();
    });
  });
})();
