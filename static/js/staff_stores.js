/*
 * The stores console (templates/pages/staff_stores.html), owners only: the
 * merchant's own stores and its partner stores (异业合作), opened, edited
 * and closed (never deleted: a closed store keeps its history). For a
 * partner store: its partner accounts (they see only the 核销 page) and
 * the coupon templates shared with it, each with what was redeemed there.
 * Uses window.Staff from staff.js.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;
  var $ = App.byId, el = App.el;
  var KIND = { own: '自营门店', partner: '合作门店' };
  var stores = [], partner = null;

  function fill(s) {
    $('sf-id').value = s ? s.id : '';
    $('sf-title').textContent = s ? '编辑门店：' + s.name : '新建门店';
    $('sf-name').value = s ? s.name : '';
    $('sf-address').value = s && s.address ? s.address : '';
    $('sf-phone').value = s && s.phone ? s.phone : '';
    $('sf-kind').value = s ? s.kind : 'own';
    $('sf-active').checked = s ? s.active : true;
    $('sf-error').textContent = '';
  }

  function patch(s, body) {
    return Staff.api('PATCH', '/stores/' + s.id, body).then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      App.toast(body.active === false ? '门店已停业，记录保留' : '已保存');
      load();
    });
  }

  function render() {
    var body = $('store-list').tBodies[0];
    body.innerHTML = '';
    stores.forEach(function (s) {
      var tr = el('tr', 'store-row' + (partner && partner.id === s.id ? ' cc-row_on' : ''));
      tr.setAttribute('data-id', s.id);
      tr.appendChild(el('td', 'store-row__name', s.name));
      tr.appendChild(el('td', 'store-row__nowrap', KIND[s.kind] || s.kind));
      tr.appendChild(el('td', 'pc-stores', s.address || '—'));
      tr.appendChild(el('td', 'store-row__nowrap', s.phone || '—'));
      tr.appendChild(el('td', 'store-row__nowrap' + (s.active ? '' : ' pc-muted'), s.active ? '营业中' : '已停业'));
      var ops = el('td', 'cc-ops');
      var edit = el('button', 'weui-btn weui-btn_mini weui-btn_default', '编辑');
      edit.type = 'button';
      edit.setAttribute('aria-label', '编辑 ' + s.name);
      edit.addEventListener('click', function () { fill(s); $('sf-name').focus(); });
      ops.appendChild(edit);
      var tog = el('button', 'weui-btn weui-btn_mini weui-btn_default', s.active ? '停业' : '恢复营业');
      tog.type = 'button';
      tog.setAttribute('aria-label', (s.active ? '停业 ' : '恢复营业 ') + s.name);
      tog.addEventListener('click', function () {
        if (s.active && !window.confirm('停业后该店不能收银和核销，记录都会保留。确定停业「' + s.name + '」？')) return;
        patch(s, { active: !s.active });
      });
      ops.appendChild(tog);
      if (s.kind === 'partner') {
        var mg = el('button', 'weui-btn weui-btn_mini weui-btn_primary', '合作设置');
        mg.type = 'button';
        mg.setAttribute('aria-label', '合作设置 ' + s.name);
        mg.addEventListener('click', function () { openPartner(s); });
        ops.appendChild(mg);
      }
      tr.appendChild(ops);
      body.appendChild(tr);
    });
    root.setAttribute('data-loaded', '');
  }

  function load() {
    return Staff.api('GET', '/stores?all=1').then(function (r) {
      stores = r.status === 200 ? r.body.data : [];
      if (partner) partner = stores.filter(function (s) { return s.id === partner.id; })[0] || null;
      render();
    });
  }

  /* ---- a partner store: its accounts and the templates shared with it ---- */

  function accounts() {
    return Staff.api('GET', '/accounts?limit=100').then(function (r) {
      var ul = $('pp-accounts');
      ul.innerHTML = '';
      var mine = (r.status === 200 ? r.body.data : []).filter(function (a) {
        return a.role === 'partner' && a.store_ids.indexOf(partner.id) >= 0;
      });
      if (!mine.length) ul.appendChild(el('li', 'pc-muted', '还没有合作方账号'));
      mine.forEach(function (a) {
        ul.appendChild(el('li', null, a.name + '（' + a.username + '）' + (a.disabled ? ' · 已停用' : '')));
      });
    });
  }

  /* Every template, a page of 100 at a time (at most 20 pages). */
  function allTemplates(cursor, acc, pages) {
    return Staff.api('GET', '/coupon-templates' + App.query({ limit: 100, cursor: cursor })).then(function (r) {
      if (r.status !== 200) return acc;
      acc = acc.concat(r.body.data);
      return r.body.next_cursor && pages < 20 ? allTemplates(r.body.next_cursor, acc, pages + 1) : acc;
    });
  }

  function templateRow(t, here) {
    var label = el('label', 'weui-cell weui-cell_active weui-check__label pp-tpl');
    var bd = el('div', 'weui-cell__bd');
    bd.appendChild(el('p', 'pp-tpl__name', t.name + ' · ' + t.summary));
    bd.appendChild(el('p', 'pp-tpl__meta', Staff.templateStatus(t.status) +
      (here ? ' · 本店已核销 ' + here.used + ' 张' + (here.discount_fen ? '，优惠 ' + App.yuan(here.discount_fen) : '') : '')));
    var ft = el('div', 'weui-cell__ft');
    var sw = el('input', 'weui-switch');
    sw.type = 'checkbox';
    sw.checked = t.partner_store_ids.indexOf(partner.id) >= 0;
    sw.setAttribute('aria-label', '共享「' + t.name + '」给 ' + partner.name);
    sw.addEventListener('change', function () {
      var ids = t.partner_store_ids.filter(function (x) { return x !== partner.id; });
      if (sw.checked) ids.push(partner.id);
      sw.disabled = true;
      Staff.api('PUT', '/coupon-templates/' + t.id + '/partners', { store_ids: ids }).then(function (p) {
        sw.disabled = false;
        if (p.status !== 200) { sw.checked = !sw.checked; App.toast(App.errorText(p)); return; }
        t.partner_store_ids = p.body.data.store_ids;
        App.toast(sw.checked ? '已共享给 ' + partner.name : '已取消共享');
      });
    });
    ft.appendChild(sw);
    label.appendChild(bd);
    label.appendChild(ft);
    return label;
  }

  /* The templates, those shared with the store first, each of these with what was redeemed there. */
  function templates() {
    var box = $('pp-templates');
    box.innerHTML = '';
    return allTemplates(null, [], 1).then(function (list) {
      if (!list.length) { box.appendChild(el('div', 'weui-cell pc-muted', '还没有优惠券')); return null; }
      var shared = list.filter(function (t) { return t.partner_store_ids.indexOf(partner.id) >= 0; });
      var rest = list.filter(function (t) { return t.partner_store_ids.indexOf(partner.id) < 0; });
      return Promise.all(shared.map(function (t) { return Staff.api('GET', '/coupon-templates/' + t.id); })).then(function (rs) {
        shared.forEach(function (t, i) {
          var d = rs[i].status === 200 ? rs[i].body.data : null;
          var here = d ? d.used_by_store.filter(function (u) { return u.store_id === partner.id; })[0] : null;
          box.appendChild(templateRow(t, here || { used: 0, discount_fen: 0 }));
        });
        rest.forEach(function (t) { box.appendChild(templateRow(t, null)); });
      });
    });
  }

  function openPartner(s) {
    partner = s;
    $('pp-title').textContent = '合作门店：' + s.name;
    $('partner-panel').hidden = false;
    $('pa-error').textContent = '';
    render();
    Promise.all([accounts(), templates()]).then(function () {
      $('partner-panel').setAttribute('data-loaded', '');
      $('partner-panel').scrollIntoView({ block: 'start' });
    });
  }

  $('pp-account-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    if (!partner) return;
    var body = { username: $('pa-username').value.trim(), name: $('pa-name').value.trim(), role: 'partner',
      password: $('pa-password').value, store_ids: [partner.id] };
    if (!body.username || !body.name || body.password.length < 8) {
      $('pa-error').textContent = '请填写用户名、姓名和至少 8 位的初始密码';
      return;
    }
    $('pa-save').disabled = true;
    Staff.api('POST', '/accounts', body).then(function (r) {
      $('pa-save').disabled = false;
      if (r.status !== 201) { $('pa-error').textContent = App.errorText(r); return; }
      $('pa-error').textContent = '';
      ['pa-username', 'pa-name', 'pa-password'].forEach(function (id) { $(id).value = ''; });
      App.toast('已添加合作方账号');
      accounts();
    });
  });

  $('store-new').addEventListener('click', function () { fill(null); $('sf-name').focus(); });
  $('sf-reset').addEventListener('click', function () { fill(null); });
  $('store-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var id = $('sf-id').value;
    var body = { name: $('sf-name').value.trim(), address: $('sf-address').value.trim() || null,
      phone: $('sf-phone').value.trim() || null, kind: $('sf-kind').value, active: $('sf-active').checked };
    if (!body.name) { $('sf-error').textContent = '请填写门店名称'; return; }
    $('sf-save').disabled = true;
    Staff.api(id ? 'PATCH' : 'POST', '/stores' + (id ? '/' + id : ''), body).then(function (r) {
      $('sf-save').disabled = false;
      if (r.status !== 200 && r.status !== 201) { $('sf-error').textContent = App.errorText(r); return; }
      App.toast('已保存');
      fill(null);
      load();
    });
  });

  Staff.onSignedOut(function () { $('console-auth').hidden = false; root.hidden = true; });
  Staff.onSignedIn(function (staff) {
    var owner = staff.role === 'owner';
    $('console-auth').hidden = owner;
    root.hidden = !owner;
    if (owner) load();
  });
})();
