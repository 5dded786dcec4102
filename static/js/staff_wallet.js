/*
 * The stored-value settings page: recharge packages with the custom
 * amount limits, and the balance-deduction rules. Owners and marketing
 * staff; uses window.Staff from staff.js. Amounts are typed in yuan and
 * sent in fen; the server validates and names the field at fault.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el;

  /* An amount field's value: 1250 -> "12.50"; '' for none. */
  function fenField(v) { return v === null || v === undefined ? '' : App.fen(v); }

  function input(cls, value, type) {
    var i = el('input', 'weui-input ' + cls);
    i.type = type || 'number';
    if (type !== 'text') { i.min = '0'; i.step = '0.01'; }
    i.value = value;
    return i;
  }

  function labelled(label, control) {
    var cell = el('label', 'weui-cell weui-cell_active');
    var hd = el('div', 'weui-cell__hd');
    hd.appendChild(el('span', 'weui-label', label));
    var bd = el('div', 'weui-cell__bd');
    bd.appendChild(control);
    cell.appendChild(hd);
    cell.appendChild(bd);
    return cell;
  }

  /* ---- packages ---- */

  function packageRow(p) {
    var row = el('div', 'package-row');
    row.setAttribute('data-id', p.id ? String(p.id) : '');
    var hd = el('div', 'package-row__hd');
    hd.appendChild(el('span', null, p.id ? '套餐 #' + p.id : '新套餐'));
    var del = el('button', 'weui-btn weui-btn_mini weui-btn_default', '删除');
    del.type = 'button';
    del.addEventListener('click', function () { row.parentNode.removeChild(row); });
    hd.appendChild(del);
    row.appendChild(hd);
    var cells = el('div', 'weui-cells weui-cells_form');
    cells.appendChild(labelled('充值（元）', input('pkg-pay', fenField(p.pay_fen))));
    cells.appendChild(labelled('赠送（元）', input('pkg-bonus', fenField(p.bonus_fen))));
    cells.appendChild(labelled('名称', input('pkg-label', p.label || '', 'text')));
    var rec = el('label', 'weui-cell weui-cell_active weui-cell_switch');
    rec.appendChild(el('div', 'weui-cell__bd', '推荐'));
    var ft = el('div', 'weui-cell__ft');
    var box = el('input', 'weui-switch pkg-recommended');
    box.type = 'checkbox';
    box.checked = !!p.recommended;
    ft.appendChild(box);
    rec.appendChild(ft);
    cells.appendChild(rec);
    row.appendChild(cells);
    return row;
  }

  function loadPackages() {
    Staff.api('GET', '/settings/recharge-packages').then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r, true)); return; }
      var d = r.body.data, rows = $('package-rows');
      rows.innerHTML = '';
      d.packages.forEach(function (p) { rows.appendChild(packageRow(p)); });
      $('custom-enabled').checked = d.custom.enabled;
      $('custom-min').value = App.fen(d.custom.min_fen);
      $('custom-max').value = App.fen(d.custom.max_fen);
      $('packages-form').hidden = false;
    });
  }

  $('package-add').addEventListener('click', function () {
    $('package-rows').appendChild(packageRow({}));
  });

  $('packages-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var packages = [], bad = null;
    Array.prototype.forEach.call($('package-rows').children, function (row, i) {
      var p = {
        pay_fen: App.yuanToFen(row.querySelector('.pkg-pay').value),
        bonus_fen: App.yuanToFen(row.querySelector('.pkg-bonus').value || '0'),
        recommended: row.querySelector('.pkg-recommended').checked
      };
      var label = row.querySelector('.pkg-label').value.trim();
      if (label) p.label = label;
      if (row.getAttribute('data-id')) p.id = parseInt(row.getAttribute('data-id'), 10);
      if (p.pay_fen === null || p.bonus_fen === null) bad = bad || '第 ' + (i + 1) + ' 个套餐的金额格式不正确';
      packages.push(p);
    });
    var custom = {
      enabled: $('custom-enabled').checked,
      min_fen: App.yuanToFen($('custom-min').value),
      max_fen: App.yuanToFen($('custom-max').value)
    };
    if (custom.min_fen === null || custom.max_fen === null) bad = bad || '自定义金额的范围格式不正确';
    if (bad) { App.toast(bad); return; }
    $('packages-save').disabled = true;
    Staff.api('PUT', '/settings/recharge-packages', { packages: packages, custom: custom }).then(function (r) {
      $('packages-save').disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r, true)); return; }
      App.toast('充值设置已保存');
      loadPackages();
    });
  });

  /* ---- deduction rules ---- */

  function rangeRow(g) {
    var row = el('div', 'range-row');
    var hd = el('div', 'range-row__hd');
    hd.appendChild(el('span', null, '分段'));
    var del = el('button', 'weui-btn weui-btn_mini weui-btn_default', '删除');
    del.type = 'button';
    del.addEventListener('click', function () { row.parentNode.removeChild(row); });
    hd.appendChild(del);
    row.appendChild(hd);
    var cells = el('div', 'weui-cells weui-cells_form');
    cells.appendChild(labelled('订单从（元）', input('range-from', fenField(g.from_fen))));
    cells.appendChild(labelled('订单到（元）', input('range-to', fenField(g.to_fen))));
    cells.appendChild(labelled('最多抵扣（元）', input('range-cap', fenField(g.cap_fen))));
    row.appendChild(cells);
    return row;
  }

  function showRuleRows() {
    var split = $('rule-split').value, cap = $('rule-cap').value;
    $('rule-pct-row').hidden = split !== 'proportional';
    $('rule-amount-row').hidden = cap !== 'first_amount' && cap !== 'each_amount';
    $('rule-cap-pct-row').hidden = cap !== 'first_pct' && cap !== 'each_pct';
    $('range-box').hidden = cap !== 'order_ranges';
  }

  function loadRules() {
    Staff.api('GET', '/settings/deduction').then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r, true)); return; }
      var d = r.body.data;
      $('rule-split').value = d.split;
      $('rule-bonus-pct').value = d.bonus_pct === null ? '' : d.bonus_pct;
      $('rule-freeze').checked = d.freeze_same_day_bonus;
      $('rule-cap').value = d.cap.kind;
      $('rule-amount').value = fenField(d.cap.amount_fen);
      $('rule-cap-pct').value = d.cap.pct === null ? '' : d.cap.pct;
      $('range-rows').innerHTML = '';
      d.cap.ranges.forEach(function (g) { $('range-rows').appendChild(rangeRow(g)); });
      showRuleRows();
      $('rules-form').hidden = false;
    });
  }

  $('rule-split').addEventListener('change', showRuleRows);
  $('rule-cap').addEventListener('change', showRuleRows);
  $('range-add').addEventListener('click', function () { $('range-rows').appendChild(rangeRow({})); });

  $('rules-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var split = $('rule-split').value, kind = $('rule-cap').value;
    var body = { split: split, freeze_same_day_bonus: $('rule-freeze').checked, cap: { kind: kind } };
    if (split === 'proportional') body.bonus_pct = parseInt($('rule-bonus-pct').value, 10);
    if (kind === 'first_amount' || kind === 'each_amount') body.cap.amount_fen = App.yuanToFen($('rule-amount').value);
    if (kind === 'first_pct' || kind === 'each_pct') body.cap.pct = parseInt($('rule-cap-pct').value, 10);
    if (kind === 'order_ranges') {
      body.cap.ranges = Array.prototype.map.call($('range-rows').children, function (row) {
        return {
          from_fen: App.yuanToFen(row.querySelector('.range-from').value),
          to_fen: App.yuanToFen(row.querySelector('.range-to').value),
          cap_fen: App.yuanToFen(row.querySelector('.range-cap').value)
        };
      });
    }
    $('rules-save').disabled = true;
    Staff.api('PUT', '/settings/deduction', body).then(function (r) {
      $('rules-save').disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r, true)); return; }
      App.toast('抵扣规则已保存');
      loadRules();
    });
  });

  Staff.onSignedIn(function (staff) {
    root.hidden = false;
    var allowed = staff.role === 'owner' || staff.role === 'marketing';
    $('wallet-denied').hidden = allowed;
    if (!allowed) return;
    loadPackages();
    loadRules();
  });
})();
