/*
 * The analytics console: headline cards (today, this week, this month
 * with 环比 and 同比), then new members, member consumption against
 * walk-ins, stored value, coupons and campaigns, retention; read from
 * {base}/staff/stats/* (overview, consumption, campaigns and retention
 * from the daily rollups; members for the tiers members are in now) and
 * drawn with ECharts. Owners and marketing staff; uses
 * window.Staff from staff.js. Every figure shown is one the API returned;
 * amounts come in fen and are shown as ¥1,344.00; each section lists the
 * definitions (口径) the API gives.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var charts = {};
  var $ = App.byId, el = App.el, money = App.money;
  var COLORS = ['#067a3d', '#f0a020', '#3b7ddd', '#c7372f', '#8e5ad6', '#17a2b8', '#9aa0a6'];

  function pct(v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(1) + '%'; }
  function ratio(v) { return v === null || v === undefined ? '—' : v.toFixed(2); }
  function optMoney(v) { return v === null || v === undefined ? '—' : money(v); }
  function num(v) { return Number(v).toLocaleString('zh-CN'); }
  /* A change as people read it: ↑12.5% / ↓3.0% / — on a zero base. */
  function change(v) {
    if (v === null || v === undefined) return '—';
    if (v === 0) return '持平';
    return (v > 0 ? '↑' : '↓') + Math.abs(v * 100).toFixed(1) + '%';
  }
  function changeClass(v) { return v > 0 ? 'stats-up' : v < 0 ? 'stats-down' : ''; }

  /* One figure: label, value, and optionally the comparisons under it. */
  function kpi(name, label, value, cmps, title) {
    var k = el('div', 'stats-kpi');
    k.setAttribute('data-kpi', name);
    if (title) k.title = title;
    k.appendChild(el('div', 'stats-kpi__label', label));
    k.appendChild(el('div', 'stats-kpi__value', String(value)));
    (cmps || []).forEach(function (c) {
      var line = el('div', 'stats-kpi__cmp', c[0] + ' ');
      var v = el('span', changeClass(c[1]), change(c[1]));
      v.setAttribute('data-cmp', c[2]);
      line.appendChild(v);
      k.appendChild(line);
    });
    return k;
  }

  function kpis(id, items, defs) {
    var box = $(id);
    box.textContent = '';
    items.forEach(function (it) {
      box.appendChild(kpi(it[0], it[1], it[2], it[3], defs && defs[it[4] || it[0]]));
    });
  }

  function showDefs(name, defs) {
    var dl = document.querySelector('[data-defs="' + name + '"] dl');
    if (!dl) return;
    dl.textContent = '';
    Object.keys(defs || {}).forEach(function (k) {
      var t = defs[k];
      var i = t.indexOf('：');
      dl.appendChild(el('dt', '', i > 0 ? t.slice(0, i) : k));
      dl.appendChild(el('dd', '', i > 0 ? t.slice(i + 1) : t));
    });
  }

  /* Draw (or redraw) a chart; without ECharts the figures stay as text. */
  function draw(id, option) {
    if (!window.echarts) return;
    if (!charts[id]) charts[id] = window.echarts.init($(id));
    option.color = COLORS;
    charts[id].setOption(option, true);
  }

  /* "2026-12-01" -> "12月1日" */
  function dayWords(d) { return Number(d.slice(5, 7)) + '月' + Number(d.slice(8)) + '日'; }

  function title(text) { return { text: text, left: 10, top: 8, textStyle: { fontSize: 14 } }; }
  function axisYuan(v) { return v >= 10000 ? (v / 10000) + '万' : String(v); }

  /* A daily chart: series [name, values, type, money?, stack?]. */
  function daily(id, text, days, series, inYuan) {
    draw(id, {
      title: title(text),
      tooltip: {
        trigger: 'axis',
        valueFormatter: inYuan ? function (v) { return money(Math.round(v * 100)); } : function (v) { return num(v); }
      },
      legend: { top: 32, left: 10, textStyle: { fontSize: 12 } },
      grid: { left: 56, right: 16, top: 64, bottom: 30 },
      xAxis: { type: 'category', data: days.map(dayWords) },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: inYuan ? axisYuan : undefined } },
      series: series.map(function (s) {
        return { name: s[0], type: s[2] || 'line', stack: s[3], data: s[1], barMaxWidth: 24 };
      })
    });
  }

  function pie(id, text, items, inYuan) {
    draw(id, {
      title: title(text),
      tooltip: {
        trigger: 'item',
        formatter: function (p) { return p.name + '<br>' + (inYuan ? money(Math.round(p.value * 100)) : num(p.value)) + '（' + p.percent + '%）'; }
      },
      legend: { type: 'scroll', bottom: 4, textStyle: { fontSize: 12 } },
      series: [{
        type: 'pie', radius: ['34%', '56%'], center: ['50%', '52%'], data: items,
        /* on a phone the legend names them: outside labels would not fit */
        label: { show: window.innerWidth > 760, formatter: '{b}\n{d}%', fontSize: 12 }
      }]
    });
  }

  function bars(id, text, labels, series, inYuan) {
    draw(id, {
      title: title(text),
      tooltip: {
        trigger: 'axis',
        valueFormatter: inYuan ? function (v) { return money(Math.round(v * 100)); } : function (v) { return num(v); }
      },
      legend: { top: 32, left: 10, textStyle: { fontSize: 12 } },
      grid: { left: 56, right: 16, top: 64, bottom: 30 },
      xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, fontSize: 12 } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: inYuan ? axisYuan : undefined } },
      series: series.map(function (s) { return { name: s[0], type: 'bar', data: s[1], barMaxWidth: 36 }; })
    });
  }

  var HEAD_FIGURES = [
    ['order_fen', '营业额', true], ['orders', '订单数'], ['new_members', '新会员'],
    ['member_order_fen', '会员消费', true], ['non_member_order_fen', '非会员消费', true],
    ['recharge_fen', '充值金额', true]
  ];

  function spanText(p) {
    return p.from === p.to ? dayWords(p.from) : dayWords(p.from) + '—' + dayWords(p.to);
  }

  function showOverview(d) {
    $('stats-overview').hidden = false;
    var box = $('stats-heads');
    box.textContent = '';
    [['today', '今日'], ['week', '本周'], ['month', '本月']].forEach(function (p) {
      var x = d[p[0]];
      var card = el('div', 'stats-head');
      card.setAttribute('data-period', p[0]);
      card.appendChild(el('h3', '', p[1]));
      card.appendChild(el('div', 'stats-head__span', spanText(x) + '，上期 ' + spanText(x.previous)));
      var rows = el('div', 'stats-head__rows');
      HEAD_FIGURES.forEach(function (f) {
        rows.appendChild(kpi(f[0], f[1], f[2] ? money(x[f[0]]) : num(x[f[0]]),
          [['环比', x.change[f[0]], 'change'], ['同比', x.change_yoy[f[0]], 'change_yoy']], d.definitions[f[0]]));
      });
      card.appendChild(rows);
      box.appendChild(card);
    });
    showDefs('overview', d.definitions);
  }

  function showMembers(c) {
    $('stats-members').hidden = false; // drawn visible, at its size
    var nm = c.new_members;
    kpis('kpi-members', [
      ['new_members', '新会员', num(nm.count), [['环比', nm.change.count, 'change']]],
      ['members', '会员总数', num(nm.members_total)],
      ['referred', '推荐入会', num(nm.referred)]
    ], c.definitions);
    var days = c.daily.map(function (x) { return x.date; });
    daily('chart-joins', '每日新会员', days, [['新会员', c.daily.map(function (x) { return x.new_members; }), 'bar']]);
    pie('chart-channels', '新会员来源渠道', nm.channels.map(function (x) { return { name: x.channel_name, value: x.count }; }));
  }

  /* The tiers members are in now (stats/members, read after the rest). */
  function showTiers(m) {
    var total = m.tiers.reduce(function (s, t) { return s + t.members; }, 0);
    bars('chart-tiers', '各等级会员（现有）', m.tiers.map(function (t) {
      return t.name + ' ' + (total ? (t.members * 100 / total).toFixed(1) + '%' : '');
    }), [['会员数', m.tiers.map(function (t) { return t.members; })]]);
  }

  function showConsumption(c) {
    $('stats-consumption').hidden = false;
    var mb = c.members, nm = c.non_members;
    kpis('kpi-consumption', [
      ['order_fen', '营业额', money(c.totals.order_fen), [['环比', c.change.order_fen, 'change']]],
      ['orders', '订单数', num(c.totals.orders), [['环比', c.change.orders, 'change']]],
      ['member_order_fen', '会员消费', money(mb.order_fen), null, 'members'],
      ['member_fen_share', '会员消费占比', pct(mb.fen_share), null, 'fen_share'],
      ['member_aov_fen', '会员客单价', optMoney(mb.aov_fen), null, 'aov_fen'],
      ['non_member_order_fen', '非会员消费', money(nm.order_fen), null, 'non_members'],
      ['non_member_aov_fen', '非会员客单价', optMoney(nm.aov_fen), null, 'aov_fen'],
      ['refund_fen', '退款', money(c.totals.refund_fen), null, 'refunds']
    ], c.definitions);
    var days = c.daily.map(function (x) { return x.date; });
    daily('chart-consumption', '每日消费（元）：会员与非会员', days, [
      ['会员', c.daily.map(function (x) { return x.member_order_fen / 100; }), 'bar', 'all'],
      ['非会员', c.daily.map(function (x) { return x.non_member_order_fen / 100; }), 'bar', 'all']
    ], true);
    pie('chart-share', '消费金额构成', [
      { name: '会员', value: mb.order_fen / 100 }, { name: '非会员', value: nm.order_fen / 100 }
    ], true);
    bars('chart-aov', '客单价（元）', ['会员', '非会员', '用券订单'], [['客单价', [
      (mb.aov_fen || 0) / 100, (nm.aov_fen || 0) / 100, (c.coupons.aov_fen || 0) / 100
    ]]], true);
    var body = $('table-stores').tBodies[0];
    body.textContent = '';
    c.stores.forEach(function (s) {
      var tr = el('tr');
      var all = s.member_order_fen + s.non_member_order_fen;
      [s.store_name, num(s.member_orders), money(s.member_order_fen), num(s.non_member_orders),
        money(s.non_member_order_fen), all ? pct(s.member_order_fen / all) : '—']
        .forEach(function (v) { tr.appendChild(el('td', '', v)); });
      body.appendChild(tr);
    });
    showDefs('consumption', c.definitions);
  }

  function showRecharges(c) {
    $('stats-recharges').hidden = false;
    var sv = c.stored_value;
    kpis('kpi-recharges', [
      ['pay_fen', '充值金额', money(sv.pay_fen), [['环比', sv.change.pay_fen, 'change']], 'stored_value'],
      ['count', '充值笔数', num(sv.count), [['环比', sv.change.count, 'change']], 'stored_value'],
      ['members', '充值会员', num(sv.members), null, 'stored_value'],
      ['bonus_fen', '赠送金额', money(sv.bonus_fen), null, 'stored_value'],
      ['balance', '储值余额', money(sv.balance.total_fen), null, 'balance'],
      ['principal', '其中本金', money(sv.balance.principal_fen), null, 'balance'],
      ['bonus', '其中赠送', money(sv.balance.bonus_fen), null, 'balance'],
      ['stored', '累计储值', money(sv.balance.stored_fen), null, 'balance']
    ], c.definitions);
    var days = c.daily.map(function (x) { return x.date; });
    daily('chart-recharges', '每日充值（元）', days, [['充值', c.daily.map(function (x) { return x.recharge_fen / 100; }), 'bar']], true);
    pie('chart-recharge-channels', '充值渠道', sv.channels.map(function (x) { return { name: x.channel_name, value: x.pay_fen / 100 }; }), true);
    bars('chart-recharge-stores', '各门店充值（元）', sv.stores.map(function (s) { return s.store_name; }),
      [['充值', sv.stores.map(function (s) { return s.pay_fen / 100; })]], true);
  }

  function effectCells(x) {
    return [num(x.claims), pct(x.use_rate), num(x.orders), money(x.order_fen), money(x.discount_fen), ratio(x.roi), optMoney(x.aov_fen)];
  }

  function showCoupons(d) {
    $('stats-coupons').hidden = false;
    var t = d.totals;
    kpis('kpi-coupons', [
      ['claims', '领券', num(t.claims)],
      ['use_rate', '核销率', pct(t.use_rate)],
      ['discount_fen', '优惠金额', money(t.discount_fen)],
      ['order_fen', '用券订单额', money(t.order_fen)],
      ['roi', '费效比', ratio(t.roi)],
      ['aov_fen', '用券笔单价', optMoney(t.aov_fen)],
      ['new_claims', '拉新领券', num(t.new_claims)]
    ], d.definitions);
    var body = $('table-templates').tBodies[0];
    body.textContent = '';
    d.templates.forEach(function (x) {
      var tr = el('tr');
      tr.setAttribute('data-id', String(x.id));
      var cells = effectCells(x);
      [x.name, cells[0], num(x.new_claims)].concat(cells.slice(1)).forEach(function (v) { tr.appendChild(el('td', '', v)); });
      body.appendChild(tr);
    });
    body = $('table-campaigns').tBodies[0];
    body.textContent = '';
    d.campaigns.forEach(function (x) {
      var tr = el('tr');
      tr.setAttribute('data-id', String(x.id));
      var cells = effectCells(x);
      [x.name, num(x.views), num(x.new_members), cells[0]].concat(cells.slice(2)).forEach(function (v) { tr.appendChild(el('td', '', v)); });
      body.appendChild(tr);
    });
    if (!d.campaigns.length) {
      var tr = el('tr');
      var td = el('td', '', '本期没有进行中的活动');
      td.colSpan = 9;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    showDefs('campaigns', d.definitions);
  }

  function showRetention(d) {
    $('stats-retention').hidden = false;
    var a = d.active, rf = d.referral;
    kpis('kpi-retention', [
      ['repurchase', '复购率', pct(d.repurchase.rate), null, 'repurchase'],
      ['dau', '日活', num(a.dau), null, 'active'],
      ['wau', '周活', num(a.wau), null, 'active'],
      ['mau', '月活', num(a.mau), null, 'active'],
      ['arpu', 'ARPU', optMoney(d.arpu_fen), null, 'arpu_fen'],
      ['arppu', 'ARPPU', optMoney(d.arppu_fen), null, 'arppu_fen'],
      ['referral_share', '推荐占比', pct(rf.share), null, 'referral'],
      ['k_factor', 'K 因子', ratio(rf.k_factor), null, 'referral']
    ], d.definitions);
    var days = a.daily.map(function (x) { return x.date; });
    daily('chart-active', '每日活跃会员（有消费）', days, [['活跃会员', a.daily.map(function (x) { return x.active; })]]);
    var body = $('table-cohorts').tBodies[0];
    body.textContent = '';
    d.cohorts.slice().reverse().forEach(function (x) {
      var tr = el('tr');
      [dayWords(x.date), num(x.members), pct(x.day1_rate), pct(x.day7_rate), pct(x.day30_rate)]
        .forEach(function (v) { tr.appendChild(el('td', '', v)); });
      body.appendChild(tr);
    });
    if (!d.cohorts.length) {
      var tr = el('tr');
      var td = el('td', '', '本期没有新会员');
      td.colSpan = 5;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    showDefs('retention', d.definitions);
  }

  function query() {
    return App.query({ from: $('stats-from').value, to: $('stats-to').value, store_id: $('stats-store').value });
  }

  function csvLinks() {
    var qs = query();
    Array.prototype.forEach.call(document.querySelectorAll('[data-csv]'), function (a) {
      var k = a.getAttribute('data-csv');
      a.href = App.base + '/staff/stats/' + k + '.csv' + (k === 'overview'
        ? App.query({ store_id: $('stats-store').value }) : qs);
    });
  }

  /* The reports from the daily rollups first; then the tiers members are
     in now, which read the members. */
  function load() {
    var qs = query();
    var store = App.query({ store_id: $('stats-store').value });
    var fail = function (rs) {
      for (var i = 0; i < rs.length; i++) {
        if (rs[i].status !== 200) { App.toast(App.errorText(rs[i])); return true; }
      }
      return false;
    };
    var get = function (calls) {
      return Promise.all(calls.map(function (c) { return Staff.api('GET', '/stats/' + c[0] + c[1]); }));
    };
    $('stats-load').disabled = true;
    root.removeAttribute('data-loaded');
    get([['overview', store], ['consumption', qs], ['campaigns', qs], ['retention', qs]]).then(function (rs) {
      $('stats-load').disabled = false;
      if (fail(rs)) return;
      var c = rs[1].body.data;
      $('stats-range').textContent = App.dateWords(c.from) + ' 至 ' + App.dateWords(c.to);
      $('stats-from').value = c.from;
      $('stats-to').value = c.to;
      csvLinks();
      showOverview(rs[0].body.data);
      showMembers(c);
      showConsumption(c);
      showRecharges(c);
      showCoupons(rs[2].body.data);
      showRetention(rs[3].body.data);
      return get([['members', qs]]).then(function (more) {
        if (fail(more)) return;
        showTiers(more[0].body.data);
        root.setAttribute('data-loaded', '1');
      });
    });
  }

  $('stats-period').addEventListener('submit', function (ev) {
    ev.preventDefault();
    load();
  });

  window.addEventListener('resize', function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });

  Staff.onSignedIn(function (staff) {
    root.hidden = false;
    var allowed = staff.role === 'owner' || staff.role === 'marketing';
    $('stats-denied').hidden = allowed;
    $('stats-period').hidden = !allowed;
    if (!allowed) return;
    Staff.api('GET', '/stores').then(function (r) {
      var sel = $('stats-store');
      (r.status === 200 ? r.body.data : []).forEach(function (s) {
        var o = el('option', '', s.name);
        o.value = String(s.id);
        sel.appendChild(o);
      });
      load();
    });
  });
})();
