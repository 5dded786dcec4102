/*
 * Campaign console: list, create and edit campaigns with a live preview at
 * phone size. The coupons and the gift pack are picked from the coupon
 * templates in a checkbox list; the ticked ones come first, in the order
 * the campaign shows them (template_ids is an ordered list), with buttons
 * to move them. Uses window.Staff from staff.js (sign-in, CSRF header).
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el;
  /* cp_status in handlers/growth/campaign.c */
  var STATUS = { live: '进行中', scheduled: '未开始', ended: '已结束', paused: '已暂停', draft: '草稿' };
  /* the fields an error names, as the form labels them */
  var FIELDS = {
    name: ['活动名称', 'cf-name'], slug: ['链接标识', 'cf-slug'], starts_at: ['开始时间', 'cf-starts'],
    ends_at: ['结束时间', 'cf-ends'], banner_url: ['横幅图片', 'cf-banner-file'], rules_text: ['活动规则', 'cf-rules'],
    template_ids: ['活动优惠券', 'cf-templates'], gift_template_ids: ['开卡礼包', 'cf-gifts'],
    share: ['分享设置', 'cf-share-title'], 'share.title': ['分享标题', 'cf-share-title'],
    'share.desc': ['分享描述', 'cf-share-desc'], 'share.image_url': ['横幅图片', 'cf-banner-file']
  };

  var templates = [], byId = {};
  /* the ticked template ids of each picker, in the campaign's order */
  var picks = { 'cf-templates': [], 'cf-gifts': [] };

  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function withZone(v) { return v ? v + ':00+08:00' : ''; }
  function tpl(id) { return byId[id] || { id: id, name: '优惠券 #' + id, kind: '', summary: '', status: '' }; }

  /* "满减券 · 满50减10 · 发放中 · 库存 980/1000" */
  function tplMeta(t) {
    var parts = [Staff.couponKind(t.kind), t.summary, Staff.templateStatus(t.status)];
    if (t.stock !== undefined) parts.push(t.stock === null ? '库存不限' : '库存 ' + t.stock_left + '/' + t.stock);
    return parts.filter(Boolean).join(' · ');
  }

  /* ---- the template pickers ---- */

  function renderPicker(id, focus) {
    var box = $(id), order = picks[id];
    box.innerHTML = '';
    var rest = templates.filter(function (t) { return order.indexOf(t.id) < 0; });
    var list = order.map(tpl).concat(rest);
    if (!list.length) {
      box.appendChild(el('div', 'weui-cell tpl-pick__none', '还没有优惠券，请先在“优惠券”页创建。'));
      return;
    }
    list.forEach(function (t) {
      var pos = order.indexOf(t.id);
      var row = el('div', 'weui-cell tpl-pick__item' + (pos >= 0 ? ' tpl-pick__item_on' : ''));
      var label = el('label', 'weui-cell__bd tpl-pick__label');
      var check = el('input', 'tpl-pick__box');
      check.type = 'checkbox';
      check.value = String(t.id);
      check.checked = pos >= 0;
      check.addEventListener('change', function () { toggle(id, t.id, check.checked); });
      label.appendChild(check);
      var text = el('span', 'tpl-pick__text');
      text.appendChild(el('span', 'tpl-pick__name', t.name));
      text.appendChild(el('span', 'tpl-pick__meta', tplMeta(t)));
      label.appendChild(text);
      row.appendChild(label);
      if (pos >= 0) {
        var ft = el('div', 'weui-cell__ft tpl-pick__order');
        ft.appendChild(el('span', 'tpl-pick__pos', '第 ' + (pos + 1) + ' 张'));
        [['up', '上移', -1], ['down', '下移', 1]].forEach(function (b) {
          var btn = el('button', 'tpl-pick__move tpl-pick__move_' + b[0], b[0] === 'up' ? '↑' : '↓');
          btn.type = 'button';
          btn.setAttribute('aria-label', b[1] + '：' + t.name);
          btn.title = b[1];
          btn.disabled = b[2] < 0 ? pos === 0 : pos === order.length - 1;
          btn.addEventListener('click', function () { move(id, t.id, b[2], b[0]); });
          ft.appendChild(btn);
        });
        row.appendChild(ft);
      }
      box.appendChild(row);
      if (focus && focus.id === t.id) {
        var f = focus.what === 'box' ? check : row.querySelector('.tpl-pick__move_' + focus.what);
        if (f && !f.disabled) f.focus();
        else check.focus();
      }
    });
  }

  function toggle(id, tid, on) {
    var order = picks[id], max = parseInt($(id).getAttribute('data-max'), 10);
    var i = order.indexOf(tid);
    if (on && i < 0) {
      if (order.length >= max) { App.toast('最多选择 ' + max + ' 张'); renderPicker(id, { id: tid, what: 'box' }); return; }
      order.push(tid);
    }
    if (!on && i >= 0) order.splice(i, 1);
    renderPicker(id, { id: tid, what: 'box' });
    preview();
  }

  function move(id, tid, by, what) {
    var order = picks[id], i = order.indexOf(tid), j = i + by;
    if (i < 0 || j < 0 || j >= order.length) return;
    order[i] = order[j];
    order[j] = tid;
    renderPicker(id, { id: tid, what: what });
    preview();
  }

  /* ---- preview ---- */

  function preview() {
    var html = '';
    if ($('cf-banner').value) html += '<img class="campaign__banner" src="' + esc($('cf-banner').value) + '" alt="">';
    html += '<header class="campaign__head"><h2 class="campaign__title">' + esc($('cf-name').value || '活动名称') + '</h2>' +
      '<p class="campaign__window">' + esc(($('cf-starts').value || '开始时间').replace('T', ' ')) + ' 至 ' +
      esc(($('cf-ends').value || '结束时间').replace('T', ' ')) + '</p></header>';
    html += '<div class="weui-cells__title">活动优惠券</div><div class="weui-cells">';
    picks['cf-templates'].forEach(function (id) {
      var t = tpl(id);
      html += '<div class="weui-cell"><div class="weui-cell__bd"><p class="campaign-coupon__name">' + esc(t.name) + '</p>' +
        (t.summary ? '<p class="campaign-coupon__offer">' + esc(t.summary) + '</p>' : '') +
        '</div><div class="weui-cell__ft"><span class="weui-btn weui-btn_mini weui-btn_primary">领取</span></div></div>';
    });
    if (!picks['cf-templates'].length) html += '<div class="weui-cell"><div class="weui-cell__bd">（未选择优惠券）</div></div>';
    html += '</div>';
    if (picks['cf-gifts'].length) {
      html += '<div class="weui-cells__title">新会员礼包</div><div class="weui-cells">';
      picks['cf-gifts'].forEach(function (id) {
        html += '<div class="weui-cell"><div class="weui-cell__bd"><p>' + esc(tpl(id).name) + '</p></div></div>';
      });
      html += '</div>';
    }
    if ($('cf-rules').value) html += '<div class="weui-cells__title">活动规则</div><div class="weui-article campaign__rules">' + esc($('cf-rules').value) + '</div>';
    $('preview').innerHTML = html;
  }

  /* ---- the form ---- */

  function fill(c) {
    $('cf-id').value = c ? c.id : '';
    $('cf-title').textContent = c ? '编辑活动：' + c.name : '新建活动';
    $('cf-name').value = c ? c.name : '';
    $('cf-slug').value = c ? c.slug : '';
    $('cf-starts').value = c ? App.inputDate(c.starts_at, 16) : '';
    $('cf-ends').value = c ? App.inputDate(c.ends_at, 16) : '';
    $('cf-banner').value = c && c.banner_url ? c.banner_url : '';
    $('cf-banner-file').value = '';
    $('cf-rules').value = c && c.rules_text ? c.rules_text : '';
    $('cf-share-title').value = c ? c.share.title : '';
    $('cf-share-desc').value = c ? c.share.desc : '';
    $('cf-published').checked = c ? !!c.published : true;
    $('cf-paused').checked = !!(c && c.paused);
    picks['cf-templates'] = c ? c.template_ids.slice() : [];
    picks['cf-gifts'] = c ? c.gift_template_ids.slice() : [];
    renderPicker('cf-templates');
    renderPicker('cf-gifts');
    $('cf-error').textContent = '';
    Array.prototype.forEach.call($('campaign-list').querySelectorAll('tbody tr'), function (tr) {
      tr.classList.toggle('cc-row_on', !!c && tr.getAttribute('data-id') === String(c.id));
    });
    preview();
  }

  /* "2024-05-01 10:00 至 05-31 22:00": the end without the year when it is the same. */
  function window_(c) {
    var a = App.dateTime(c.starts_at), b = App.dateTime(c.ends_at);
    return a + ' 至 ' + (a.slice(0, 4) === b.slice(0, 4) ? b.slice(5) : b);
  }

  function load() {
    return Staff.api('GET', '/campaigns?limit=100').then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      var body = $('campaign-list').querySelector('tbody');
      body.innerHTML = '';
      var list = r.body.data || [];
      $('campaign-empty').hidden = list.length > 0;
      list.forEach(function (c) {
        var tr = document.createElement('tr');
        tr.setAttribute('data-id', String(c.id));
        if (String(c.id) === $('cf-id').value) tr.className = 'cc-row_on';
        var name = el('td', 'cc-name');
        name.appendChild(el('span', 'cc-name__text', c.name));
        var a = el('a', 'cc-name__link', '/c/' + c.slug);
        a.href = c.url;
        a.target = '_blank';
        a.rel = 'noopener';
        name.appendChild(a);
        tr.appendChild(name);
        var st = el('td');
        st.appendChild(el('span', 'cc-status cc-status_' + c.status, STATUS[c.status] || c.status));
        tr.appendChild(st);
        tr.appendChild(el('td', 'cc-window', window_(c)));
        ['views', 'visitors', 'shares', 'joins', 'claims'].forEach(function (k) {
          var td = el('td', 'cc-num', '…');
          td.setAttribute('data-stat', k);
          tr.appendChild(td);
        });
        var ops = el('td', 'cc-ops');
        var edit = el('button', 'weui-btn weui-btn_mini weui-btn_default', '编辑');
        edit.type = 'button';
        edit.setAttribute('aria-label', '编辑：' + c.name);
        edit.addEventListener('click', function () {
          fill(c);
          $('campaign-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
          $('cf-name').focus({ preventScroll: true });
        });
        ops.appendChild(edit);
        tr.appendChild(ops);
        body.appendChild(tr);
        Staff.api('GET', '/campaigns/' + c.id).then(function (d) {
          if (d.status !== 200) return;
          var s = d.body.data.stats;
          Array.prototype.forEach.call(tr.querySelectorAll('[data-stat]'), function (td) {
            td.textContent = String(s[td.getAttribute('data-stat')]);
          });
        });
      });
    });
  }

  var started = false;
  Staff.marketingConsole(root, function () {
    if (started) return;
    started = true;
    Staff.api('GET', '/coupon-templates?limit=100').then(function (r) {
      templates = r.status === 200 ? r.body.data : [];
      byId = {};
      templates.forEach(function (t) { byId[t.id] = t; });
      fill(null);
      load();
    });
  });

  $('cf-banner-file').addEventListener('change', function () {
    var f = this.files[0];
    if (!f) return;
    if (f.size > 2 * 1024 * 1024) { App.toast('图片不能超过 2 MB'); this.value = ''; return; }
    Staff.upload('/uploads', f).then(function (r) {
      if (r.status !== 201) { App.toast(App.errorText(r)); return; }
      $('cf-banner').value = r.body.data.url;
      preview();
    });
  });
  $('cf-banner-clear').addEventListener('click', function () {
    $('cf-banner').value = '';
    $('cf-banner-file').value = '';
    preview();
  });
  $('campaign-form').addEventListener('input', preview);
  $('cf-new').addEventListener('click', function () { fill(null); $('cf-name').focus(); });
  $('campaign-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {
      name: $('cf-name').value.trim(), slug: $('cf-slug').value.trim().toLowerCase(),
      starts_at: withZone($('cf-starts').value), ends_at: withZone($('cf-ends').value),
      rules_text: $('cf-rules').value, template_ids: picks['cf-templates'].slice(),
      gift_template_ids: picks['cf-gifts'].slice(), published: $('cf-published').checked, paused: $('cf-paused').checked,
      share: { title: $('cf-share-title').value.trim(), desc: $('cf-share-desc').value.trim() }
    };
    if ($('cf-banner').value) { body.banner_url = $('cf-banner').value; body.share.image_url = $('cf-banner').value; }
    var id = $('cf-id').value;
    $('cf-save').disabled = true;
    Staff.api(id ? 'PATCH' : 'POST', '/campaigns' + (id ? '/' + id : ''), body).then(function (r) {
      $('cf-save').disabled = false;
      if (r.status === 200 || r.status === 201) { App.toast('活动已保存'); fill(r.body.data); load(); return; }
      var e = r.body && r.body.error, f = e && e.field ? FIELDS[e.field] || FIELDS[e.field.split(/[.[]/)[0]] : null;
      $('cf-error').textContent = e ? e.message + (f ? '（' + f[0] + '）' : e.field ? '（' + e.field + '）' : '') : App.errorText(r);
      if (f && $(f[1])) {
        var target = $(f[1]);
        (target.matches('input, textarea, select') ? target : target.querySelector('input') || target).focus();
      }
    });
  });
})();
