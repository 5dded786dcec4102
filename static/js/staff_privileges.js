/*
 * The settings console's 生日、会员日与节日特权 section (settings/privileges)
 * for owners and marketing: the birthday (window, discount, points
 * multiplier, tiers, the birthday coupon), the member day, the holidays
 * (each with an optional gift coupon the job issues on the day), and which
 * one applies when several would. Uses window.Staff.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var form = document.getElementById('privileges-form');
  if (!form || !Staff) return;

  var $ = App.byId, el = App.el;
  var KINDS = { birthday: '生日', member_day: '会员日', holiday: '节日' };
  var ORDERS = [
    ['birthday', 'member_day', 'holiday'], ['birthday', 'holiday', 'member_day'],
    ['member_day', 'birthday', 'holiday'], ['member_day', 'holiday', 'birthday'],
    ['holiday', 'birthday', 'member_day'], ['holiday', 'member_day', 'birthday']
  ];
  var tiers = [], templates = [];

  /* A coupon select: 不赠券, then the merchant's templates. */
  function couponOptions(sel, chosen) {
    while (sel.options.length > 1) sel.remove(1);
    templates.forEach(function (t) {
      var o = el('option', null, t.name);
      o.value = String(t.id);
      sel.appendChild(o);
    });
    sel.value = chosen ? String(chosen) : '';
  }

  function couponOf(sel) { return sel.value ? Number(sel.value) : null; }

  ORDERS.forEach(function (o) {
    var opt = el('option', null, o.map(function (k) { return KINDS[k]; }).join(' > '));
    opt.value = o.join(',');
    $('pv-priority').appendChild(opt);
  });

  /* Tier checkboxes: none ticked means every member. */
  function tierBoxes(container, prefix, chosen) {
    container.innerHTML = '';
    tiers.forEach(function (t) {
      var label = el('label', 'store-check');
      var box = el('input');
      box.type = 'checkbox';
      box.id = prefix + t.level;
      box.value = t.level;
      box.checked = Array.isArray(chosen) && chosen.indexOf(t.level) >= 0;
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + t.name));
      container.appendChild(label);
    });
    container.appendChild(el('span', 'setting-hint', '都不勾选为全部会员'));
  }

  function tiersOf(container) {
    var ids = App.checkedIds(container);
    return ids.length ? ids : 'all';
  }

  function num(id) {
    var v = $(id).value.trim();
    return v === '' ? null : Number(v);
  }

  function show(v) { return v === null || v === undefined ? '' : String(v); }

  function holidayRow(h) {
    var row = el('div', 'weui-cells weui-cells_form holiday-row');
    function input(cls, label, type, value, attrs) {
      var cell = el('label', 'weui-cell weui-cell_active');
      var hd = el('div', 'weui-cell__hd');
      hd.appendChild(el('span', 'weui-label', label));
      var bd = el('div', 'weui-cell__bd');
      var i = el('input', 'weui-input ' + cls);
      i.type = type;
      i.value = show(value);
      Object.keys(attrs || {}).forEach(function (k) { i.setAttribute(k, attrs[k]); });
      bd.appendChild(i);
      cell.appendChild(hd);
      cell.appendChild(bd);
      row.appendChild(cell);
    }
    input('hd-name', '节日名称', 'text', h.name, { maxlength: '16', placeholder: '如 三八节' });
    input('hd-from', '开始日期', 'date', h.from);
    input('hd-to', '结束日期', 'date', h.to);
    input('hd-pct', '折扣', 'number', h.discount_pct, { min: '1', max: '99', placeholder: '如 88 即 8.8折' });
    input('hd-mult', '积分倍数', 'number', h.points_multiplier, { min: '1', max: '10', step: '0.01' });
    var tcell = el('div', 'weui-cell');
    var thd = el('div', 'weui-cell__hd');
    thd.appendChild(el('span', 'weui-label', '适用等级'));
    var tbd = el('div', 'weui-cell__bd hd-tiers');
    tcell.appendChild(thd);
    tcell.appendChild(tbd);
    row.appendChild(tcell);
    tierBoxes(tbd, 'pv-hd-' + Math.random().toString(36).slice(2) + '-', h.tiers);
    var ccell = el('label', 'weui-cell weui-cell_active weui-cell_select weui-cell_select-after');
    var chd = el('div', 'weui-cell__hd');
    chd.appendChild(el('span', 'weui-label', '赠送优惠券'));
    var cbd = el('div', 'weui-cell__bd');
    var csel = el('select', 'weui-select hd-coupon');
    csel.appendChild(el('option', null, '不赠券')).value = '';
    couponOptions(csel, h.coupon_template_id);
    cbd.appendChild(csel);
    ccell.appendChild(chd);
    ccell.appendChild(cbd);
    row.appendChild(ccell);
    var rm = el('button', 'weui-btn weui-btn_mini weui-btn_default', '删除此节日');
    rm.type = 'button';
    rm.addEventListener('click', function () { row.remove(); });
    var area = el('div', 'weui-btn-area');
    area.appendChild(rm);
    row.appendChild(area);
    $('pv-holidays').appendChild(row);
  }

  function everyRows() {
    var month = $('pv-md-every').value === 'month';
    $('pv-md-wday-row').hidden = month;
    $('pv-md-mday-row').hidden = !month;
  }

  function fill(d) {
    $('pv-precedence').value = d.precedence;
    $('pv-priority').value = (d.priority || ORDERS[0]).join(',');
    $('pv-priority-row').hidden = d.precedence !== 'priority';
    var b = d.birthday;
    $('pv-bd-on').checked = b.enabled;
    $('pv-bd-window').value = b.window;
    $('pv-bd-pct').value = show(b.discount_pct);
    $('pv-bd-mult').value = show(b.points_multiplier);
    tierBoxes($('pv-bd-tiers'), 'pv-bd-tier-', b.tiers);
    $('pv-bd-coupon').value = b.coupon && b.coupon.template_id ? String(b.coupon.template_id) : '';
    $('pv-bd-days').value = b.coupon ? b.coupon.days_before : 0;
    var md = d.member_day;
    $('pv-md-on').checked = md.enabled;
    $('pv-md-every').value = md.every;
    if (md.every === 'month') $('pv-md-mday').value = md.day;
    else $('pv-md-wday').value = String(md.day);
    $('pv-md-pct').value = show(md.discount_pct);
    $('pv-md-mult').value = show(md.points_multiplier);
    tierBoxes($('pv-md-tiers'), 'pv-md-tier-', md.tiers);
    couponOptions($('pv-md-coupon'), md.coupon_template_id);
    everyRows();
    $('pv-holidays').innerHTML = '';
    (d.holidays || []).forEach(holidayRow);
  }

  function body() {
    var month = $('pv-md-every').value === 'month';
    return {
      precedence: $('pv-precedence').value,
      priority: $('pv-priority').value.split(','),
      birthday: {
        enabled: $('pv-bd-on').checked,
        window: $('pv-bd-window').value,
        discount_pct: num('pv-bd-pct'),
        points_multiplier: num('pv-bd-mult'),
        tiers: tiersOf($('pv-bd-tiers')),
        coupon: { template_id: $('pv-bd-coupon').value ? Number($('pv-bd-coupon').value) : null,
          days_before: num('pv-bd-days') === null ? 0 : num('pv-bd-days') }
      },
      member_day: {
        enabled: $('pv-md-on').checked,
        every: $('pv-md-every').value,
        day: month ? num('pv-md-mday') : Number($('pv-md-wday').value),
        discount_pct: num('pv-md-pct'),
        points_multiplier: num('pv-md-mult'),
        tiers: tiersOf($('pv-md-tiers')),
        coupon_template_id: couponOf($('pv-md-coupon'))
      },
      holidays: Array.prototype.map.call($('pv-holidays').querySelectorAll('.holiday-row'), function (row) {
        function v(cls) { return row.querySelector('.' + cls).value.trim(); }
        return {
          name: v('hd-name'), from: v('hd-from'), to: v('hd-to'),
          discount_pct: v('hd-pct') === '' ? null : Number(v('hd-pct')),
          points_multiplier: v('hd-mult') === '' ? null : Number(v('hd-mult')),
          tiers: tiersOf(row.querySelector('.hd-tiers')),
          coupon_template_id: couponOf(row.querySelector('.hd-coupon'))
        };
      })
    };
  }

  /* The words of a field the server names, and its input. */
  var FIELDS = {
    precedence: ['同时满足多项时', 'pv-precedence'], priority: ['固定顺序', 'pv-priority'],
    birthday: ['生日特权', 'pv-bd-on'], 'birthday.window': ['享受时段', 'pv-bd-window'],
    'birthday.discount_pct': ['生日折扣', 'pv-bd-pct'], 'birthday.points_multiplier': ['生日积分倍数', 'pv-bd-mult'],
    'birthday.tiers': ['生日适用等级', null], 'birthday.coupon.template_id': ['生日券', 'pv-bd-coupon'],
    'birthday.coupon.days_before': ['提前发券天数', 'pv-bd-days'],
    member_day: ['会员日', 'pv-md-on'], 'member_day.every': ['周期', 'pv-md-every'],
    'member_day.day': ['会员日日期', null], 'member_day.discount_pct': ['会员日折扣', 'pv-md-pct'],
    'member_day.points_multiplier': ['会员日积分倍数', 'pv-md-mult'], 'member_day.tiers': ['会员日适用等级', null],
    'member_day.coupon_template_id': ['会员日赠券', 'pv-md-coupon']
  };
  var HOLIDAY_FIELDS = { name: ['名称', 'hd-name'], from: ['开始日期', 'hd-from'], to: ['结束日期', 'hd-to'],
    discount_pct: ['折扣', 'hd-pct'], points_multiplier: ['积分倍数', 'hd-mult'],
    coupon_template_id: ['赠券', 'hd-coupon'] };

  function showError(field, msg) {
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (i) {
      i.removeAttribute('aria-invalid');
      i.removeAttribute('aria-describedby');
    });
    var label = '', input = null, m;
    if (field && (m = /^holidays\[(\d+)\](?:\.(\w+))?/.exec(field))) {
      var row = $('pv-holidays').querySelectorAll('.holiday-row')[Number(m[1])];
      var hf = HOLIDAY_FIELDS[m[2]];
      label = '第 ' + (Number(m[1]) + 1) + ' 个节日' + (hf ? '的' + hf[0] : '');
      if (row && hf) input = row.querySelector('.' + hf[1]);
    } else if (field) {
      var key = field.replace(/\[\d+\]$/, '');
      var f = FIELDS[key];
      if (f) {
        label = f[0];
        if (key === 'member_day.day') input = $($('pv-md-every').value === 'month' ? 'pv-md-mday' : 'pv-md-wday');
        else if (f[1]) input = $(f[1]);
      }
    }
    $('pv-error').textContent = msg ? (label ? label + '：' : '') + msg : '';
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'pv-error');
      input.focus();
    }
  }

  function load() {
    return Promise.all([
      Staff.api('GET', '/settings/tiers'),
      Staff.api('GET', '/coupon-templates?limit=100'),
      Staff.api('GET', '/settings/privileges')
    ]).then(function (rs) {
      tiers = rs[0].status === 200 ? rs[0].body.data.tiers : [];
      templates = rs[1].status === 200 ? rs[1].body.data : [];
      couponOptions($('pv-bd-coupon'), null);
      if (rs[2].status !== 200) return;
      fill(rs[2].body.data);
      showError(null, '');
      form.hidden = false;
    });
  }

  $('pv-precedence').addEventListener('change', function () {
    $('pv-priority-row').hidden = $('pv-precedence').value !== 'priority';
  });
  $('pv-md-every').addEventListener('change', everyRows);
  $('pv-holiday-add').addEventListener('click', function () {
    holidayRow({ name: '', from: '', to: '', discount_pct: null, points_multiplier: null, tiers: 'all',
      coupon_template_id: null });
  });

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    $('privileges-save').disabled = true;
    Staff.api('PUT', '/settings/privileges', body()).then(function (r) {
      $('privileges-save').disabled = false;
      if (r.status !== 200) {
        var e = r.body && r.body.error;
        showError(e ? e.field : null, App.errorText(r));
        return;
      }
      fill(r.body.data);
      showError(null, '');
      App.toast('特权设置已保存');
    });
  });

  Staff.onSignedIn(function (me) {
    if (me.role === 'owner' || me.role === 'marketing') load();
  });
})();
