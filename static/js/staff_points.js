/*
 * The points console: earning, caps, bonuses and expiry (GET|PUT
 * /staff/settings/points), and the points shop's items (GET|POST
 * /staff/points-shop, PATCH /staff/points-shop/{id}). Owners and
 * marketing staff; uses window.Staff from staff.js. The server validates
 * and names the field at fault.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;
  var $ = App.byId, el = App.el;
  var editing = null;	// the item being edited, or null for a new one

  function num(id) {
    var v = $(id).value.trim();
    return v === '' ? null : Number(v);
  }

  function showMonths() {
    $('expiry-months-row').hidden = $('expiry-mode').value !== 'months';
  }

  function loadSettings() {
    Staff.api('GET', '/settings/points').then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r, true)); return; }
      var d = r.body.data;
      $('earn-enabled').checked = d.earn.enabled;
      $('earn-rate').value = d.earn.points_per_yuan;
      $('cap-order').value = d.caps.per_order === null ? '' : d.caps.per_order;
      $('cap-day').value = d.caps.per_day === null ? '' : d.caps.per_day;
      $('bonus-join').value = d.bonus.join;
      $('bonus-profile').value = d.bonus.profile;
      $('expiry-mode').value = d.expiry.mode;
      $('expiry-months').value = d.expiry.months;
      showMonths();
      $('points-form').hidden = false;
    });
  }

  $('expiry-mode').addEventListener('change', showMonths);

  $('points-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {
      earn: { enabled: $('earn-enabled').checked, points_per_yuan: num('earn-rate') },
      caps: { per_order: num('cap-order'), per_day: num('cap-day') },
      bonus: { join: num('bonus-join') || 0, profile: num('bonus-profile') || 0 },
      expiry: { mode: $('expiry-mode').value }
    };
    if (body.expiry.mode === 'months') body.expiry.months = num('expiry-months');
    $('points-save').disabled = true;
    Staff.api('PUT', '/settings/points', body).then(function (r) {
      $('points-save').disabled = false;
      App.toast(r.status === 200 ? '积分设置已保存' : App.errorText(r, true));
    });
  });

  /* ---- the shop ---- */

  function row(it) {
    var tr = el('tr');
    tr.id = 'shop-item-' + it.id;
    [it.title, it.coupon.name + '（' + it.coupon.summary + '）', String(it.points),
      it.stock_left + ' / ' + it.stock, String(it.per_member_limit), it.active ? '上架' : '下架'].forEach(function (t) {
      tr.appendChild(el('td', null, t));
    });
    var td = el('td');
    var edit = el('button', 'weui-btn weui-btn_mini weui-btn_default', '编辑');
    edit.type = 'button';
    edit.addEventListener('click', function () { startEdit(it); });
    td.appendChild(edit);
    tr.appendChild(td);
    return tr;
  }

  function loadItems() {
    Staff.api('GET', '/points-shop').then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r, true)); return; }
      var rows = $('shop-rows');
      rows.innerHTML = '';
      r.body.data.forEach(function (it) { rows.appendChild(row(it)); });
      if (!r.body.data.length) {
        var tr = el('tr'), td = el('td', 'app-note', '还没有商品：选择一张优惠券，设置所需积分和库存后上架。');
        td.colSpan = 7;
        tr.appendChild(td);
        rows.appendChild(tr);
      }
      $('shop-section').hidden = false;
    });
  }

  function loadTemplates() {
    Staff.api('GET', '/coupon-templates' + App.query({ limit: 100, status: 'active' })).then(function (r) {
      if (r.status !== 200) return;
      var s = $('item-template');
      s.innerHTML = '';
      r.body.data.filter(function (t) { return t.kind !== 'promo_code'; }).forEach(function (t) {
        var o = el('option', null, t.name);
        o.value = String(t.id);
        s.appendChild(o);
      });
    });
  }

  function resetForm() {
    editing = null;
    $('item-form').reset();
    $('item-limit').value = 1;
    $('item-active').checked = true;
    $('item-template').disabled = false;
    $('item-form-title').textContent = '上架新商品';
    $('item-cancel').hidden = true;
  }

  function startEdit(it) {
    editing = it;
    $('item-template').value = String(it.template_id);
    $('item-template').disabled = true;
    $('item-title').value = it.title;
    $('item-points').value = it.points;
    $('item-stock').value = it.stock;
    $('item-limit').value = it.per_member_limit;
    $('item-active').checked = it.active;
    $('item-form-title').textContent = '编辑：' + it.title;
    $('item-cancel').hidden = false;
    $('item-form').scrollIntoView();
  }

  $('item-cancel').addEventListener('click', resetForm);

  $('item-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { points: num('item-points'), stock: num('item-stock'), per_member_limit: num('item-limit'),
      active: $('item-active').checked };
    var title = $('item-title').value.trim();
    if (title) body.title = title;
    var req;
    if (editing) req = Staff.api('PATCH', '/points-shop/' + editing.id, body);
    else {
      body.template_id = Number($('item-template').value);
      req = Staff.api('POST', '/points-shop', body);
    }
    $('item-save').disabled = true;
    req.then(function (r) {
      $('item-save').disabled = false;
      if (r.status !== 200 && r.status !== 201) { App.toast(App.errorText(r, true)); return; }
      App.toast('商品已保存');
      resetForm();
      loadItems();
    });
  });

  Staff.marketingConsole(root, function () {
    loadSettings();
    loadItems();
    loadTemplates();
  });
})();
