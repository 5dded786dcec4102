/*
 * The settings console's keeping of tiers (partials/tier_keep.html): in
 * each tier row the growth that keeps it and its upgrade rewards, below the
 * ladder the growth rules and the downgrade mode, and 预览, the dry run of
 * POST settings/tiers/preview. staff_settings.js calls row(), load() and
 * extend() through window.TierKeep.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  if (!App || !Staff) return;
  var $ = App.byId, el = App.el;
  var templates = null, bodyOf = null;

  function yuan(fen) { return fen ? String(fen / 100) : ''; }
  function fen(v) {
    if (v === '' || v === null) return 0;
    var n = Number(v);
    return isNaN(n) ? v : Math.round(n * 100);
  }
  function int(v, dflt) {
    if (v === '' || v === null) return dflt;
    var n = Number(v);
    return isNaN(n) ? v : n;
  }

  function fillTemplates(box) {
    var chosen = (box.dataset.ids || '').split(',').filter(Boolean).map(Number);
    box.innerHTML = '';
    if (!templates || !templates.length) {
      box.appendChild(el('span', 'tier-row__sub', '暂无可选的优惠券'));
      return;
    }
    templates.forEach(function (t) {
      var label = el('label', 'store-check');
      var c = el('input', 'tier-rw-tpl-id');
      c.type = 'checkbox';
      c.value = String(t.id);
      c.checked = chosen.indexOf(t.id) >= 0;
      label.appendChild(c);
      label.appendChild(document.createTextNode(' ' + t.name));
      box.appendChild(label);
    });
  }

  function row(r, t, field) {
    var rw = t.upgrade_rewards || {};
    field(r, '保级成长值', 'tier-keep', t.keep_growth || (t.keep_growth === 0 ? 0 : ''), 'number', '统计期内需获得的成长值，0 为不要求');
    r.lastChild.classList.add('tier-keep-cell');
    r.appendChild(el('div', 'tier-row__sub', '升级奖励（每位会员每个等级只发一次）'));
    field(r, '赠送金（元）', 'tier-rw-bonus', yuan(rw.bonus_fen), 'number', '0 为不送');
    field(r, '赠送积分', 'tier-rw-points', rw.points || '', 'number', '0 为不送');
    var cell = el('div', 'weui-cell');
    var hd = el('div', 'weui-cell__hd');
    hd.appendChild(el('span', 'weui-label', '赠送优惠券'));
    var box = el('div', 'weui-cell__bd tier-rw-tpl');
    box.dataset.ids = (rw.template_ids || []).join(',');
    cell.appendChild(hd);
    cell.appendChild(box);
    r.appendChild(cell);
    if (templates) fillTemplates(box);
  }

  function showMode() {
    var mode = $('dg-mode').value;
    $('dg-months-row').hidden = mode !== 'rolling';
    $('dg-days-row').hidden = mode !== 'fixed';
    ['dg-step-row', 'dg-min-row', 'dg-notice-row'].forEach(function (id) { $(id).hidden = mode === 'none'; });
  }

  function load(d, body) {
    bodyOf = body;
    var g = d.growth_rules || {}, dg = d.downgrade || {};
    $('gr-per-yuan').value = g.per_yuan_paid === undefined ? 1 : g.per_yuan_paid;
    $('gr-per-order').value = g.per_order || 0;
    $('gr-per-recharge').value = g.per_yuan_recharged || 0;
    $('dg-mode').value = dg.mode || 'none';
    $('dg-months').value = dg.months || 12;
    $('dg-days').value = dg.days || 365;
    $('dg-step').value = dg.step || 'one';
    $('dg-min-days').value = dg.min_days_in_tier || 0;
    $('dg-notice-days').value = dg.notice_days === undefined ? 15 : dg.notice_days;
    showMode();
    if (templates) return;
    Staff.api('GET', '/coupon-templates').then(function (r) {
      templates = r.status === 200 ? (r.body.data || []).filter(function (t) { return t.status !== 'ended'; }) : [];
      Array.prototype.forEach.call(document.querySelectorAll('.tier-rw-tpl'), fillTemplates);
    });
  }

  function extend(body, rows) {
    Array.prototype.forEach.call(rows, function (r, i) {
      var q = function (c) { return r.querySelector('.' + c).value.trim(); };
      var t = body.tiers[i];
      t.keep_growth = i === 0 ? 0 : int(q('tier-keep'), 0);
      var ids = Array.prototype.filter.call(r.querySelectorAll('.tier-rw-tpl-id'), function (c) { return c.checked; })
        .map(function (c) { return Number(c.value); });
      var box = r.querySelector('.tier-rw-tpl');
      if (!templates && box.dataset.ids) ids = box.dataset.ids.split(',').map(Number);
      t.upgrade_rewards = { template_ids: ids, bonus_fen: fen(q('tier-rw-bonus')), points: int(q('tier-rw-points'), 0) };
    });
    body.growth_rules = {
      per_yuan_paid: int($('gr-per-yuan').value, 1),
      per_order: int($('gr-per-order').value, 0),
      per_yuan_recharged: int($('gr-per-recharge').value, 0)
    };
    body.downgrade = {
      mode: $('dg-mode').value,
      months: int($('dg-months').value, 12),
      days: int($('dg-days').value, 365),
      step: $('dg-step').value,
      min_days_in_tier: int($('dg-min-days').value, 0),
      notice_days: int($('dg-notice-days').value, 15)
    };
    return body;
  }

  var REASON = { growth: '成长值达到', rules: '门槛变化', keep: '未达保级' };

  function showPreview(p) {
    var box = $('tier-preview-result');
    box.innerHTML = '';
    box.appendChild(el('div', 'tier-preview__sum',
      '按这些规则，今天将有 ' + p.moves_up + ' 人升级、' + p.moves_down + ' 人降级；升级奖励 ' +
      p.rewards.coupons + ' 张优惠券、赠送金 ¥' + (p.rewards.bonus_fen / 100).toFixed(2) + '、积分 ' + p.rewards.points + '。'));
    if (p.sample.length) {
      var table = el('table');
      var head = el('tr');
      ['会员卡号', '成长值', '原等级', '新等级', '原因'].forEach(function (h) { head.appendChild(el('th', null, h)); });
      table.appendChild(head);
      p.sample.forEach(function (s) {
        var tr = el('tr');
        [s.card_no, String(s.growth), '第 ' + s.from_level + ' 级', s.to_name || ('第 ' + s.to_level + ' 级'),
          REASON[s.reason] || s.reason].forEach(function (v) { tr.appendChild(el('td', null, v)); });
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    box.hidden = false;
  }

  var btn = $('tier-preview');
  if (btn) {
    $('dg-mode').addEventListener('change', showMode);
    btn.addEventListener('click', function () {
      if (!bodyOf) return;
      btn.disabled = true;
      Staff.api('POST', '/settings/tiers/preview', bodyOf()).then(function (r) {
        btn.disabled = false;
        if (r.status !== 200) { App.toast(App.errorText(r)); return; }
        showPreview(r.body.data);
      });
    });
  }

  window.TierKeep = { row: row, load: load, extend: extend };
})();
