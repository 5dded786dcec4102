/*
 * Campaign console: list, create and edit campaigns with a live preview at
 * phone size. Uses the staff session from the counter page's sign-in
 * (the sid cookie for the staff API and the CSRF token it stored).
 */
(function () {
  'use strict';
  var App = window.App;
  var $ = App.byId;
  /* The staff API with the CSRF header on changes (this page runs without staff.js). */
  function call(method, path, body) {
    var h = {};
    if (method !== 'GET') h['X-CSRF-Token'] = App.staffCsrf();
    return App.api(method, path, body, h);
  }
  var templates = [];

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function withZone(v) { return v ? v + ':00+08:00' : ''; }
  function selected(sel) {
    return Array.prototype.filter.call(sel.options, function (o) { return o.selected; }).map(function (o) { return Number(o.value); });
  }

  function preview() {
    var ids = selected($('cf-templates')), gifts = selected($('cf-gifts'));
    var byId = {};
    templates.forEach(function (t) { byId[t.id] = t; });
    var html = '';
    if ($('cf-banner').value) html += '<img class="campaign__banner" src="' + esc($('cf-banner').value) + '" alt="">';
    html += '<header class="campaign__head"><h1 class="campaign__title">' + esc($('cf-name').value || '活动名称') + '</h1>' +
      '<p class="campaign__window">' + esc($('cf-starts').value.replace('T', ' ')) + ' 至 ' + esc($('cf-ends').value.replace('T', ' ')) + '</p></header>';
    html += '<div class="weui-cells__title">活动优惠券</div><div class="weui-cells">';
    ids.forEach(function (id) {
      var t = byId[id] || { name: '#' + id };
      html += '<div class="weui-cell"><div class="weui-cell__bd"><p class="campaign-coupon__name">' + esc(t.name) +
        '</p></div><div class="weui-cell__ft"><span class="weui-btn weui-btn_mini weui-btn_primary">领取</span></div></div>';
    });
    html += '</div>';
    if (gifts.length) {
      html += '<div class="weui-cells__title">新会员礼包</div><div class="weui-cells">';
      gifts.forEach(function (id) { html += '<div class="weui-cell"><div class="weui-cell__bd"><p>' + esc((byId[id] || {}).name || id) + '</p></div></div>'; });
      html += '</div>';
    }
    if ($('cf-rules').value) html += '<div class="weui-cells__title">活动规则</div><div class="weui-article campaign__rules">' + esc($('cf-rules').value) + '</div>';
    $('preview').innerHTML = html;
  }

  function fill(c) {
    $('cf-id').value = c ? c.id : '';
    $('cf-name').value = c ? c.name : '';
    $('cf-slug').value = c ? c.slug : '';
    $('cf-starts').value = c ? App.inputDate(c.starts_at, 16) : '';
    $('cf-ends').value = c ? App.inputDate(c.ends_at, 16) : '';
    $('cf-banner').value = c && c.banner_url ? c.banner_url : '';
    $('cf-rules').value = c && c.rules_text ? c.rules_text : '';
    $('cf-share-title').value = c ? c.share.title : '';
    $('cf-share-desc').value = c ? c.share.desc : '';
    $('cf-paused').checked = !!(c && c.paused);
    Array.prototype.forEach.call($('cf-templates').options, function (o) { o.selected = !!(c && c.template_ids.indexOf(Number(o.value)) >= 0); });
    Array.prototype.forEach.call($('cf-gifts').options, function (o) { o.selected = !!(c && c.gift_template_ids.indexOf(Number(o.value)) >= 0); });
    $('cf-error').textContent = '';
    preview();
  }

  function load() {
    call('GET', '/staff/campaigns?limit=100').then(function (r) {
      if (r.status === 401 || r.status === 403) { $('console-auth').hidden = false; return; }
      var body = $('campaign-list').querySelector('tbody');
      body.innerHTML = '';
      (r.body.data || []).forEach(function (c) {
        var tr = document.createElement('tr');
        tr.innerHTML = '<td>' + esc(c.name) + '</td><td><a href="' + esc(c.url) + '" target="_blank">' + esc(c.slug) + '</a></td><td>' +
          esc(c.status) + '</td><td class="stats">…</td><td><button type="button">编辑</button></td>';
        tr.querySelector('button').addEventListener('click', function () { fill(c); });
        body.appendChild(tr);
        call('GET', '/staff/campaigns/' + c.id).then(function (d) {
          if (d.status !== 200) return;
          var s = d.body.data.stats;
          tr.querySelector('.stats').textContent = [s.views, s.visitors, s.shares, s.joins, s.claims].join(' / ');
        });
      });
    });
  }

  call('GET', '/staff/coupon-templates?limit=100').then(function (r) {
    templates = r.status === 200 ? r.body.data : [];
    ['cf-templates', 'cf-gifts'].forEach(function (id) {
      templates.forEach(function (t) {
        var o = App.el('option', null, t.name + '（' + t.kind + '）');
        o.value = t.id;
        $(id).appendChild(o);
      });
    });
    load();
  });

  $('cf-banner-file').addEventListener('change', function () {
    var f = this.files[0];
    if (!f) return;
    call('POST', '/staff/uploads', f).then(function (r) {
      if (r.status !== 201) { App.toast(App.errorText(r)); return; }
      $('cf-banner').value = r.body.data.url;
      preview();
    });
  });
  $('campaign-form').addEventListener('input', preview);
  $('campaign-form').addEventListener('change', preview);
  $('cf-new').addEventListener('click', function () { fill(null); });
  $('campaign-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {
      name: $('cf-name').value.trim(), slug: $('cf-slug').value.trim(),
      starts_at: withZone($('cf-starts').value), ends_at: withZone($('cf-ends').value),
      rules_text: $('cf-rules').value, template_ids: selected($('cf-templates')),
      gift_template_ids: selected($('cf-gifts')), paused: $('cf-paused').checked,
      share: { title: $('cf-share-title').value.trim(), desc: $('cf-share-desc').value.trim() },
    };
    if ($('cf-banner').value) { body.banner_url = $('cf-banner').value; body.share.image_url = $('cf-banner').value; }
    var id = $('cf-id').value;
    call(id ? 'PATCH' : 'POST', '/staff/campaigns' + (id ? '/' + id : ''), body).then(function (r) {
      if (r.status === 200 || r.status === 201) { App.toast('已保存'); fill(r.body.data); load(); return; }
      $('cf-error').textContent = App.errorText(r, true);
    });
  });
  preview();
})();
