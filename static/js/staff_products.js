/*
 * The catalogue console (owners and marketing): the products with search
 * and filters, a form to add or change one (price, a member price per
 * tier, stores, on sale), and the CSV export and import. Uses
 * window.Staff from staff.js (staff cookie and CSRF header).
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el, checkedIds = App.checkedIds;
  var stores = [], tiers = [], shown = [], next = null, sent = null, timer = null;

  function tierName(level) {
    for (var i = 0; i < tiers.length; i++) if (tiers[i].level === level) return tiers[i].name;
    return '等级 ' + level;
  }

  function storeName(id) {
    for (var i = 0; i < stores.length; i++) if (stores[i].id === id) return stores[i].name;
    return '门店 ' + id;
  }

  /* ---- the list ---- */

  function filters() {
    return { q: $('pl-q').value.trim(), category: $('pl-category').value, active: $('pl-active').value };
  }

  function row(p) {
    var tr = el('tr', 'product-row');
    tr.setAttribute('data-id', String(p.id));
    if (String(p.id) === $('pf-id').value) tr.className += ' cc-row_on';
    var name = el('td');
    name.appendChild(el('span', 'cc-name__text', p.name));
    tr.appendChild(name);
    tr.appendChild(el('td', 'pc-muted', p.category || '未分类'));
    tr.appendChild(el('td', 'cc-num', App.yuan(p.price_fen)));
    var mp = el('td', 'pc-prices');
    if (!p.member_prices.length) mp.appendChild(el('span', 'pc-muted', '—'));
    p.member_prices.forEach(function (x) {
      mp.appendChild(el('span', 'pc-price', tierName(x.tier_level) + ' ' + App.yuan(x.price_fen)));
    });
    tr.appendChild(mp);
    tr.appendChild(el('td', 'pc-stores', p.store_ids === 'all' ? '全部门店' : p.store_ids.map(storeName).join('、')));
    var st = el('td');
    st.appendChild(el('span', 'cc-status ' + (p.active ? 'cc-status_live' : 'cc-status_ended'), p.active ? '在售' : '已下架'));
    tr.appendChild(st);
    var ops = el('td', 'cc-ops');
    var edit = el('button', 'weui-btn weui-btn_mini weui-btn_default', '编辑');
    edit.type = 'button';
    edit.setAttribute('aria-label', '编辑 ' + p.name);
    edit.addEventListener('click', function () {
      fill(p);
      showForm();
    });
    ops.appendChild(edit);
    tr.appendChild(ops);
    return tr;
  }

  function render() {
    var body = $('product-list').querySelector('tbody');
    body.innerHTML = '';
    shown.forEach(function (p) { body.appendChild(row(p)); });
    $('product-empty').hidden = shown.length > 0;
    $('product-more').hidden = !next;
  }

  /* The first page for the filters (more: the next page, added). */
  function load(more) {
    var f = filters();
    var q = { limit: 50, q: f.q, category: f.category, active: f.active, cursor: more ? next : '' };
    var key = JSON.stringify(q);
    sent = key;
    return Staff.api('GET', '/products' + App.query(q)).then(function (r) {
      if (sent !== key) return;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      shown = more ? shown.concat(r.body.data) : r.body.data;
      next = r.body.next_cursor;
      render();
    });
  }

  /* Every category in use, for the filter and the form's suggestions. */
  function loadCategories() {
    var seen = {};
    var page = function (cursor, left) {
      return Staff.api('GET', '/products' + App.query({ limit: 100, cursor: cursor })).then(function (r) {
        if (r.status !== 200) return;
        r.body.data.forEach(function (p) { if (p.category) seen[p.category] = true; });
        if (r.body.next_cursor && left > 0) return page(r.body.next_cursor, left - 1);
      });
    };
    return page('', 20).then(function () {
      var names = Object.keys(seen).sort(function (a, b) { return a.localeCompare(b, 'zh-CN'); });
      var sel = $('pl-category'), keep = sel.value, list = $('pf-category-list');
      sel.innerHTML = '';
      var all = el('option', null, '全部分类');
      all.value = '';
      sel.appendChild(all);
      list.innerHTML = '';
      names.forEach(function (n) {
        var o = el('option', null, n);
        o.value = n;
        sel.appendChild(o);
        var d = el('option');
        d.value = n;
        list.appendChild(d);
      });
      sel.value = names.indexOf(keep) >= 0 ? keep : '';
    });
  }

  /* ---- the form ---- */

  function memberPriceInputs(prices) {
    var box = $('pf-member-prices');
    box.innerHTML = '';
    if (!tiers.length) {
      box.appendChild(el('div', 'weui-cell pc-muted', '还没有设置会员等级，可在“商户设置”中添加'));
      return;
    }
    tiers.forEach(function (t) {
      var l = el('label', 'weui-cell weui-cell_active');
      var hd = el('div', 'weui-cell__hd');
      hd.appendChild(el('span', 'weui-label', t.name));
      var bd = el('div', 'weui-cell__bd');
      var input = el('input', 'weui-input');
      input.id = 'pf-mp-' + t.level;
      input.setAttribute('data-level', String(t.level));
      input.setAttribute('inputmode', 'decimal');
      input.placeholder = '不设置';
      var mine = (prices || []).filter(function (x) { return x.tier_level === t.level; })[0];
      input.value = mine ? App.fen(mine.price_fen) : '';
      bd.appendChild(input);
      l.appendChild(hd);
      l.appendChild(bd);
      box.appendChild(l);
    });
  }

  function storeBoxes(checked) {
    var box = $('pf-stores');
    box.innerHTML = '';
    stores.forEach(function (s) {
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

  function showStores() {
    $('pf-stores-row').hidden = $('pf-all-stores').checked;
  }

  function clearInvalid() {
    Array.prototype.forEach.call(root.querySelectorAll('[aria-invalid]'), function (x) {
      x.removeAttribute('aria-invalid');
    });
  }

  function fill(p) {
    $('pf-title').textContent = p ? '编辑：' + p.name : '新建商品';
    $('pf-id').value = p ? String(p.id) : '';
    $('pf-name').value = p ? p.name : '';
    $('pf-category').value = p && p.category ? p.category : '';
    $('pf-price').value = p ? App.fen(p.price_fen) : '';
    memberPriceInputs(p ? p.member_prices : []);
    var all = !p || p.store_ids === 'all';
    $('pf-all-stores').checked = all;
    storeBoxes(all ? [] : p.store_ids);
    showStores();
    $('pf-position').value = p ? String(p.position) : '0';
    $('pf-active').checked = p ? !!p.active : true;
    $('pf-error').textContent = '';
    $('pf-reset').textContent = p ? '取消编辑' : '清空';
    clearInvalid();
    Array.prototype.forEach.call($('product-list').querySelectorAll('tr[data-id]'), function (tr) {
      tr.classList.toggle('cc-row_on', !!p && tr.getAttribute('data-id') === String(p.id));
    });
  }

  /* The form in sight (below the list on a phone), its name field focused. */
  function showForm() {
    $('pf-title').scrollIntoView({ block: 'nearest' });
    $('pf-name').focus({ preventScroll: true });
  }

  /* The payload, or {error, input} for what cannot be sent. */
  function payload() {
    var price = App.optionalFen($('pf-price').value);
    if (!$('pf-name').value.trim()) return { error: '请填写商品名称', input: $('pf-name') };
    if (price === null || price !== price) return { error: '请填写正确的价格，如 18 或 18.50', input: $('pf-price') };
    var prices = [], bad = null;
    Array.prototype.forEach.call($('pf-member-prices').querySelectorAll('input[data-level]'), function (i) {
      var f = App.optionalFen(i.value);
      if (f === null || bad) return;
      var level = parseInt(i.getAttribute('data-level'), 10);
      if (f !== f) bad = { error: tierName(level) + '的会员价格式不对，如 16 或 16.50', input: i };
      else if (f > price) bad = { error: tierName(level) + '的会员价不能高于价格', input: i };
      else prices.push({ tier_level: level, price_fen: f });
    });
    if (bad) return bad;
    var all = $('pf-all-stores').checked, ids = checkedIds($('pf-stores'));
    if (!all && !ids.length) return { error: '请至少选择一个门店，或打开“全部门店”', input: $('pf-all-stores') };
    var pos = $('pf-position').value.trim();
    if (pos === '') pos = '0';
    if (!/^\d{1,7}$/.test(pos) || parseInt(pos, 10) > 1000000) {
      return { error: '排序应为 0 到 1000000 的整数', input: $('pf-position') };
    }
    return {
      body: {
        name: $('pf-name').value.trim(),
        category: $('pf-category').value.trim() || null,
        price_fen: price,
        member_prices: prices,
        store_ids: all ? 'all' : ids,
        active: $('pf-active').checked,
        position: parseInt(pos, 10)
      }
    };
  }

  /* The input of the field an error names, to mark it. */
  function inputOf(field, body) {
    var m = /^member_prices\[(\d+)\]/.exec(field || '');
    if (m && body.member_prices[+m[1]]) return $('pf-mp-' + body.member_prices[+m[1]].tier_level);
    return { name: $('pf-name'), category: $('pf-category'), price_fen: $('pf-price'), position: $('pf-position') }[field] ||
      (/^store_ids/.test(field || '') ? $('pf-all-stores') : null);
  }

  $('product-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    clearInvalid();
    var p = payload(), id = $('pf-id').value;
    if (p.error) {
      $('pf-error').textContent = p.error;
      p.input.setAttribute('aria-invalid', 'true');
      p.input.focus();
      return;
    }
    $('pf-save').disabled = true;
    Staff.api(id ? 'PATCH' : 'POST', '/products' + (id ? '/' + id : ''), p.body).then(function (r) {
      $('pf-save').disabled = false;
      if (r.status !== 200 && r.status !== 201) {
        $('pf-error').textContent = App.errorText(r);
        var input = inputOf(r.body && r.body.error && r.body.error.field, p.body);
        if (input) input.setAttribute('aria-invalid', 'true');
        return;
      }
      App.toast(id ? '已保存' : '已添加「' + r.body.data.name + '」');
      fill(r.body.data);
      loadCategories();
      load(false);
    });
  });

  $('pf-reset').addEventListener('click', function () { fill(null); });
  $('product-new').addEventListener('click', function () {
    fill(null);
    showForm();
  });
  $('pf-all-stores').addEventListener('change', showStores);
  $('product-more').addEventListener('click', function () { load(true); });
  $('pl-category').addEventListener('change', function () { load(false); });
  $('pl-active').addEventListener('change', function () { load(false); });
  $('pl-q').addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { load(false); }, 300);
  });
  $('pl-q').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      clearTimeout(timer);
      load(false);
    }
  });

  /* ---- CSV ---- */

  /* kind: 'busy' (sending), 'ok' (the counts) or 'bad' (nothing imported). */
  function importResult(text, kind) {
    var box = $('import-result');
    box.textContent = text;
    box.className = 'pc-import-result is-' + kind;
    box.setAttribute('role', kind === 'bad' ? 'alert' : 'status');
    box.hidden = false;
  }

  $('product-import').addEventListener('click', function () { $('product-import-file').click(); });
  $('product-import-file').addEventListener('change', function () {
    var input = $('product-import-file'), file = input.files && input.files[0];
    if (!file) return;
    // Windows sends .csv as application/vnd.ms-excel: say what it is.
    var blob = new Blob([file], { type: 'text/csv' });
    $('product-import').disabled = true;
    importResult('正在导入「' + file.name + '」…', 'busy');
    Staff.upload('/products.csv', blob, { 'Idempotency-Key': App.idemKey() }).then(function (r) {
      $('product-import').disabled = false;
      input.value = '';
      if (r.status !== 200) {
        importResult('导入失败，文件未导入任何商品：' + App.errorText(r), 'bad');
        return;
      }
      importResult('导入完成：新增 ' + r.body.data.created + ' 个商品，更新 ' + r.body.data.updated + ' 个商品。', 'ok');
      fill(null);
      loadCategories();
      load(false);
    });
  });

  Staff.marketingConsole(root, function () {
    Promise.all([Staff.api('GET', '/stores'), App.api('GET', '/tiers')]).then(function (rs) {
      stores = rs[0].status === 200 ? rs[0].body.data : [];
      tiers = rs[1].status === 200 ? rs[1].body.data : [];
      fill(null);
      loadCategories();
      load(false);
    });
  });
})();
