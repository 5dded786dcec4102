/*
 * The count-card console (owners and marketing): the count cards on sale
 * (次卡) and a form to add or change one: uses, price, validity, the
 * products a use covers, the stores. Uses window.Staff from staff.js.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el, checkedIds = App.checkedIds;
  var stores = [], products = [], shown = [], next = null;

  function nameOf(list, id, fallback) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i].name;
    return fallback + ' ' + id;
  }

  function validityText(v) {
    return v.kind === 'days' ? '购买后 ' + v.days + ' 天' : '至 ' + v.until.replace(/^(\d+)-0?(\d+)-0?(\d+)$/, '$1年$2月$3日');
  }

  function row(p) {
    var tr = el('tr', 'ccp-row');
    tr.setAttribute('data-id', String(p.id));
    tr.appendChild(el('td', null, p.name));
    tr.appendChild(el('td', 'cc-num', p.uses + ' 次'));
    tr.appendChild(el('td', 'cc-num', App.yuan(p.price_fen)));
    tr.appendChild(el('td', null, validityText(p.validity)));
    tr.appendChild(el('td', 'pc-stores', p.product_ids.map(function (id) { return nameOf(products, id, '商品'); }).join('、')));
    tr.appendChild(el('td', 'pc-stores', p.store_ids === 'all' ? '全部门店' : p.store_ids.map(function (id) { return nameOf(stores, id, '门店'); }).join('、')));
    var st = el('td');
    st.appendChild(el('span', 'cc-status ' + (p.active ? 'cc-status_live' : 'cc-status_ended'), p.active ? '在售' : '已停售'));
    tr.appendChild(st);
    var ops = el('td', 'cc-ops');
    var edit = el('button', 'weui-btn weui-btn_mini weui-btn_default', '编辑');
    edit.type = 'button';
    edit.setAttribute('aria-label', '编辑 ' + p.name);
    edit.addEventListener('click', function () { fill(p); $('cf-name').focus(); });
    ops.appendChild(edit);
    tr.appendChild(ops);
    return tr;
  }

  function render() {
    var body = $('ccp-list').querySelector('tbody');
    body.innerHTML = '';
    shown.forEach(function (p) { body.appendChild(row(p)); });
    $('ccp-empty').hidden = shown.length > 0;
    $('ccp-more').hidden = !next;
  }

  function load(more) {
    var q = { limit: 50, active: $('cl-active').value, cursor: more ? next : '' };
    return Staff.api('GET', '/count-card-products' + App.query(q)).then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      shown = more ? shown.concat(r.body.data) : r.body.data;
      next = r.body.next_cursor;
      render();
    });
  }

  function boxes(boxId, list, checked) {
    var box = $(boxId);
    box.innerHTML = '';
    if (!list.length) box.appendChild(el('span', 'pc-muted', boxId === 'cf-products' ? '还没有商品，请先在“商品”中添加' : '还没有门店'));
    list.forEach(function (s) {
      var l = el('label', 'store-check');
      var b = el('input');
      b.type = 'checkbox';
      b.value = String(s.id);
      b.checked = checked.indexOf(s.id) >= 0;
      l.appendChild(b);
      l.appendChild(document.createTextNode(' ' + s.name));
      box.appendChild(l);
    });
  }

  function showKind() {
    var days = $('cf-kind').value === 'days';
    $('cf-days-row').hidden = !days;
    $('cf-until-row').hidden = days;
  }

  function fill(p) {
    $('cf-title').textContent = p ? '编辑：' + p.name : '新建次卡';
    $('cf-id').value = p ? String(p.id) : '';
    $('cf-name').value = p ? p.name : '';
    $('cf-uses').value = p ? String(p.uses) : '';
    $('cf-price').value = p ? App.fen(p.price_fen) : '';
    $('cf-kind').value = p ? p.validity.kind : 'days';
    $('cf-days').value = p && p.validity.kind === 'days' ? String(p.validity.days) : '';
    $('cf-until').value = p && p.validity.kind === 'until' ? p.validity.until : '';
    showKind();
    boxes('cf-products', products, p ? p.product_ids : []);
    var all = !p || p.store_ids === 'all';
    $('cf-all-stores').checked = all;
    boxes('cf-stores', stores, all ? [] : p.store_ids);
    $('cf-stores-row').hidden = all;
    $('cf-active').checked = p ? !!p.active : true;
    $('cf-error').textContent = '';
    $('cf-reset').textContent = p ? '取消编辑' : '清空';
  }

  function payload() {
    var uses = $('cf-uses').value.trim(), price = App.optionalFen($('cf-price').value);
    if (!$('cf-name').value.trim()) return { error: '请填写次卡名称', input: $('cf-name') };
    if (!/^\d{1,3}$/.test(uses) || +uses < 1) return { error: '次数应为 1 到 999 次', input: $('cf-uses') };
    if (price === null || price !== price) return { error: '请填写正确的售价，如 299 或 299.50', input: $('cf-price') };
    var v;
    if ($('cf-kind').value === 'days') {
      var d = $('cf-days').value.trim();
      if (!/^\d{1,4}$/.test(d) || +d < 1 || +d > 3650) return { error: '有效天数应为 1 到 3650 天', input: $('cf-days') };
      v = { kind: 'days', days: +d };
    } else {
      if (!$('cf-until').value) return { error: '请选择截止日期', input: $('cf-until') };
      v = { kind: 'until', until: $('cf-until').value };
    }
    var pids = checkedIds($('cf-products'));
    if (!pids.length) return { error: '请至少选择一个适用商品', input: $('cf-products') };
    var all = $('cf-all-stores').checked, sids = checkedIds($('cf-stores'));
    if (!all && !sids.length) return { error: '请至少选择一个门店，或打开“全部门店”', input: $('cf-all-stores') };
    return { body: { name: $('cf-name').value.trim(), uses: +uses, price_fen: price, validity: v,
      product_ids: pids, store_ids: all ? 'all' : sids, active: $('cf-active').checked } };
  }

  $('ccp-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var p = payload(), id = $('cf-id').value;
    if (p.error) { $('cf-error').textContent = p.error; p.input.focus && p.input.focus(); return; }
    $('cf-save').disabled = true;
    Staff.api(id ? 'PATCH' : 'POST', '/count-card-products' + (id ? '/' + id : ''), p.body).then(function (r) {
      $('cf-save').disabled = false;
      if (r.status !== 200 && r.status !== 201) { $('cf-error').textContent = App.errorText(r); return; }
      App.toast(id ? '已保存' : '已添加「' + r.body.data.name + '」');
      fill(r.body.data);
      load(false);
    });
  });
  $('cf-kind').addEventListener('change', showKind);
  $('cf-all-stores').addEventListener('change', function () { $('cf-stores-row').hidden = $('cf-all-stores').checked; });
  $('cf-reset').addEventListener('click', function () { fill(null); });
  $('ccp-new').addEventListener('click', function () { fill(null); $('cf-name').focus(); });
  $('ccp-more').addEventListener('click', function () { load(true); });
  $('cl-active').addEventListener('change', function () { load(false); });

  Staff.marketingConsole(root, function () {
    Promise.all([Staff.api('GET', '/stores'), Staff.api('GET', '/products' + App.query({ active: 'true', limit: 100 }))]).then(function (rs) {
      stores = rs[0].status === 200 ? rs[0].body.data : [];
      products = rs[1].status === 200 ? rs[1].body.data : [];
      fill(null);
      load(false);
    });
  });
})();
