/*
 * The analytics console: members, coupons and stored value over a period,
 * read from {base}/staff/stats/* and drawn with ECharts. Owners and
 * marketing staff; uses window.Staff from staff.js. Every figure shown is
 * one the API returned; amounts come in fen and are shown in yuan.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var charts = {};

  var $ = App.byId, el = App.el, yuan = App.yuan;

  function pct(v) { return v === null || v === undefined ? '—' : (v * 100).toFixed(2) + '%'; }
  function ratio(v) { return v === null || v === undefined ? '—' : v.toFixed(2); }

  function kpis(id, items) {
    var box = $(id);
    box.textContent = '';
    items.forEach(function (it) {
      var k = el('div', 'stats-kpi');
      k.setAttribute('data-kpi', it[0]);
      k.appendChild(el('div', 'stats-kpi__label', it[1]));
      k.appendChild(el('div', 'stats-kpi__value', it[2]));
      box.appendChild(k);
    });
  }

  /* Draw (or redraw) a chart; without ECharts the figures stay as text. */
  function draw(id, option) {
    if (!window.echarts) return;
    if (!charts[id]) charts[id] = window.echarts.init($(id));
    charts[id].setOption(option, true);
  }

  function line(id, title, days, series) {
    draw(id, {
      title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      legend: { top: 2, right: 8, textStyle: { fontSize: 11 } },
      grid: { left: 44, right: 12, top: 40, bottom: 28 },
      xAxis: { type: 'category', data: days.map(function (d) { return d.slice(5); }) },
      yAxis: { type: 'value', minInterval: 1 },
      series: series.map(function (s) {
        return { name: s[0], type: s[2] || 'line', smooth: true, data: s[1] };
      })
    });
  }

  function bars(id, title, labels, values, name) {
    draw(id, {
      title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis' },
      grid: { left: 44, right: 12, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: name, type: 'bar', data: values }]
    });
  }

  function pie(id, title, items) {
    draw(id, {
      title: { text: title, left: 8, top: 4, textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'item' },
      series: [{ type: 'pie', radius: ['35%', '62%'], top: 24, data: items }]
    });
  }

  /* A member's channel (api.md, POST /members) in words: "campaign:open-2024" -> "活动 open-2024". */
  var CHANNELS = { organic: '自然进店', referral: '好友邀请' };
  var CHANNEL_KINDS = { campaign: '活动 ', store: '门店 #', poster: '海报 #' };
  function channelName(c) {
    if (CHANNELS[c]) return CHANNELS[c];
    var i = String(c).indexOf(':');
    var k = i < 0 ? '' : c.slice(0, i);
    return CHANNEL_KINDS[k] ? CHANNEL_KINDS[k] + c.slice(i + 1) : c;
  }

  function showMembers(d) {
    $('stats-members').hidden = false; // drawn visible, at its size
    var sp = d.spending.members;
    kpis('kpi-members', [
      ['new_members', '新会员', d.new_members],
      ['members', '会员总数', d.members],
      ['referred', '好友邀请入会', d.referred],
      ['orders', '储值支付笔数', sp.orders],
      ['order_fen', '储值支付订单额', yuan(sp.order_fen)],
      ['avg_order_fen', '客单价', sp.avg_order_fen === null ? '—' : yuan(sp.avg_order_fen)]
    ]);
    var days = d.daily.map(function (x) { return x.date; });
    line('chart-joins', '每日新会员', days, [['新会员', d.daily.map(function (x) { return x.new_members; }), 'bar']]);
    pie('chart-channels', '新会员渠道', d.channels.map(function (c) { return { name: channelName(c.channel), value: c.new_members }; }));
    bars('chart-tiers', '各等级会员', d.tiers.map(function (t) { return t.name; }),
      d.tiers.map(function (t) { return t.members; }), '会员数');
  }

  function showCoupons(d) {
    $('stats-coupons').hidden = false; // drawn visible, at its size
    var t = d.totals;
    kpis('kpi-coupons', [
      ['issued', '发券', t.issued],
      ['use_rate', '核销率', pct(t.use_rate)],
      ['used', '本期核销', t.used],
      ['discount_fen', '优惠成本', yuan(t.discount_fen)],
      ['order_fen', '带动订单额', yuan(t.order_fen)],
      ['roi', 'ROI', ratio(t.roi)]
    ]);
    var days = d.daily.map(function (x) { return x.date; });
    line('chart-coupons', '每日发券与核销', days, [
      ['发券', d.daily.map(function (x) { return x.issued; })],
      ['核销', d.daily.map(function (x) { return x.used; })]
    ]);
    var body = $('table-templates').tBodies[0];
    body.textContent = '';
    d.templates.forEach(function (x) {
      var tr = el('tr');
      tr.setAttribute('data-id', String(x.id));
      [x.name, x.issued, x.issued_used, pct(x.use_rate), x.used, yuan(x.discount_fen), ratio(x.roi)]
        .forEach(function (v) { tr.appendChild(el('td', '', v)); });
      body.appendChild(tr);
    });
  }

  function showRecharges(d) {
    $('stats-recharges').hidden = false; // drawn visible, at its size
    kpis('kpi-recharges', [
      ['pay_fen', '充值金额', yuan(d.recharges.pay_fen)],
      ['bonus_fen', '赠送金额', yuan(d.recharges.bonus_fen)],
      ['count', '充值笔数', d.recharges.count],
      ['used', '储值消费', yuan(d.used.principal_fen + d.used.bonus_fen)],
      ['balance', '储值余额', yuan(d.balance.total_fen)],
      ['holders', '有余额会员', d.balance.members]
    ]);
    var days = d.daily.map(function (x) { return x.date; });
    line('chart-recharges', '每日充值（元）', days, [
      ['充值', d.daily.map(function (x) { return x.pay_fen / 100; }), 'bar'],
      ['赠送', d.daily.map(function (x) { return x.bonus_fen / 100; }), 'bar']
    ]);
    pie('chart-packages', '充值套餐', d.packages.map(function (p) {
      return { name: p.label || '自定义金额', value: p.count };
    }));
  }

  function load() {
    var qs = App.query({ from: $('stats-from').value, to: $('stats-to').value });
    $('stats-load').disabled = true;
    Promise.all(['members', 'coupons', 'recharges'].map(function (k) {
      return Staff.api('GET', '/stats/' + k + qs);
    })).then(function (rs) {
      $('stats-load').disabled = false;
      for (var i = 0; i < rs.length; i++) {
        if (rs[i].status !== 200) { App.toast(App.errorText(rs[i])); return; }
      }
      var d = rs[0].body.data;
      $('stats-range').textContent = d.from + ' 至 ' + d.to;
      $('stats-from').value = d.from;
      $('stats-to').value = d.to;
      showMembers(d);
      showCoupons(rs[1].body.data);
      showRecharges(rs[2].body.data);
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
    if (allowed) load();
  });
})();
