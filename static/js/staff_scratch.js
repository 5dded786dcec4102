/*
 * 刮刮乐 console (owners and marketing): the scratch campaigns with their
 * odds, prizes given, stock left and cost so far; create, edit, stop and
 * start again. The prizes are rows of kind (coupon template, bonus
 * balance, points), weight and stock; the odds preview is each weight's
 * share of all weights with no prize's. Uses window.Staff (staff.js).
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el;
  var STATE = { live: '进行中', scheduled: '未开始', ended: '已结束', stopped: '已停止' };
  var KIND = { coupon: '优惠券', bonus: '赠送金', points: '积分' };
  var COLORS = ['#d03535', '#e8833a', '#f2c94c', '#27ae60', '#2d9cdb', '#9b51e0', '#56ccf2', '#bb6bd9', '#6fcf97', '#f2994a'];
  var FIELDS = { name: '活动名称', min_order_fen: '消费满', store_ids: '适用门店', starts_at: '开始时间',
    ends_at: '结束时间', daily_cap: '每人每天', none_weight: '未中奖权重', prizes: '奖品', status: '状态' };
  var templates = [], stores = [], campaigns = [];

  /* "2026-12-01T10:00:00+08:00" -> "2026年12月1日 10:00" */
  function when(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(iso || '');
    return m ? m[1] + '年' + parseInt(m[2], 10) + '月' + parseInt(m[3], 10) + '日 ' + m[4] : '';
  }
  function pct(x) { return (Math.round(x * 10000) / 100).toFixed(2).replace(/\.?0+$/, '') + '%'; }
  function withZone(v) { return v ? v + ':00+08:00' : ''; }

  function fieldText(f) {
    var m = /^prizes\[(\d+)\]/.exec(f || '');
    if (m) return '第 ' + (parseInt(m[1], 10) + 1) + ' 个奖品';
    m = /^store_ids/.exec(f || '');
    if (m) return FIELDS.store_ids;
    return FIELDS[f] || '';
  }
  function errText(r) {
    var e = r.body && r.body.error;
    if (!e) return '网络错误，请重试';
    var f = fieldText(e.field);
    return f ? f + '：' + e.message : e.message;
  }

  function tplName(id) {
    for (var i = 0; i < templates.length; i++) if (templates[i].id === id) return templates[i].name;
    return '优惠券 #' + id;
  }

  function prizeText(p) {
    if (p.kind === 'coupon') return (p.template_name || tplName(p.template_id)) + (p.value_fen ? '（面值 ' + App.yuan(p.value_fen) + '）' : '');
    if (p.kind === 'bonus') return '赠送金 ' + App.yuan(p.bonus_fen);
    return p.points + ' 积分';
  }

  /* ---- the list ---- */

  function costText(c) {
    var s = c.stats, parts = [];
    if (s.coupons) parts.push('券 ' + s.coupons + ' 张' + (s.coupon_face_fen ? '（面值 ' + App.yuan(s.coupon_face_fen) + '）' : ''));
    if (s.bonus_fen) parts.push('赠送金 ' + App.yuan(s.bonus_fen));
    if (s.points) parts.push(s.points + ' 积分');
    return parts.length ? parts.join('，') : '—';
  }

  function storeText(c) {
    if (c.store_ids === 'all') return '全部门店';
    return c.store_ids.map(function (id) {
      for (var i = 0; i < stores.length; i++) if (stores[i].id === id) return stores[i].name;
      return '门店 #' + id;
    }).join('、');
  }

  /* A cell of short lines, each kept whole. */
  function lines(texts) {
    var td = el('td');
    texts.forEach(function (t) { td.appendChild(el('div', 'sc-line', t)); });
    return td;
  }

  function renderList() {
    var body = $('sc-list').querySelector('tbody');
    body.innerHTML = '';
    $('sc-empty').hidden = campaigns.length > 0;
    campaigns.forEach(function (c) {
      var tr = el('tr');
      tr.setAttribute('data-id', String(c.id));
      tr.appendChild(el('td', null, c.name));
      var st = el('td');
      st.appendChild(el('span', 'sc-state sc-state_' + c.state, STATE[c.state] || c.state));
      tr.appendChild(st);
      tr.appendChild(lines([when(c.starts_at), '至 ' + when(c.ends_at)]));
      tr.appendChild(lines(['满 ' + App.yuan(c.min_order_fen), storeText(c), '每人每天 ' + c.daily_cap + ' 次']));
      var pr = el('td'), ul = el('ul', 'sc-prizes');
      c.prizes.forEach(function (p) {
        var li = el('li', 'sc-prize', prizeText(p) + ' · ' + pct(p.odds) + ' · 已发 ' + p.given + ' / 剩 ' + p.stock_left);
        li.setAttribute('data-prize-id', String(p.id));
        ul.appendChild(li);
      });
      ul.appendChild(el('li', null, '未中奖 · ' + pct(c.none_odds) + ' · ' + c.stats.no_prize + ' 次'));
      pr.appendChild(ul);
      tr.appendChild(pr);
      tr.appendChild(el('td', 'sc-num', c.stats.chances + ' / ' + c.stats.scratched));
      tr.appendChild(el('td', 'sc-num sc-cost', costText(c)));
      var ops = el('td', 'sc-num');
      var edit = el('button', 'sc-link', '编辑');
      edit.type = 'button';
      edit.setAttribute('aria-label', '编辑：' + c.name);
      edit.addEventListener('click', function () { fill(c); $('sf-name').focus(); });
      ops.appendChild(edit);
      var stop = el('button', 'sc-link sc-toggle', c.status === 'stopped' ? '重新开启' : '停止');
      stop.type = 'button';
      stop.setAttribute('aria-label', stop.textContent + '：' + c.name);
      stop.addEventListener('click', function () { toggle(c); });
      ops.appendChild(el('span', null, ' '));
      ops.appendChild(stop);
      tr.appendChild(ops);
      body.appendChild(tr);
    });
  }

  function toggle(c) {
    var to = c.status === 'stopped' ? 'active' : 'stopped';
    if (to === 'stopped' && !window.confirm('停止后新的订单不再获得刮奖机会，已发出的机会仍可刮开。确定停止“' + c.name + '”？')) return;
    Staff.api('PATCH', '/scratch-campaigns/' + c.id, { status: to }).then(function (r) {
      if (r.status !== 200) { App.toast(errText(r)); return; }
      App.toast(to === 'stopped' ? '活动已停止' : '活动已重新开启');
      reload();
    });
  }

  /* ---- the form ---- */

  function storeBoxes(sel) {
    var box = $('sf-stores');
    box.innerHTML = '';
    var all = el('label', 'sc-store');
    var a = el('input');
    a.type = 'checkbox';
    a.id = 'sf-all-stores';
    a.checked = sel === 'all';
    all.appendChild(a);
    all.appendChild(document.createTextNode(' 全部门店 '));
    box.appendChild(all);
    stores.forEach(function (s) {
      var l = el('label', 'sc-store');
      var b = el('input');
      b.type = 'checkbox';
      b.value = String(s.id);
      b.className = 'sf-store';
      b.checked = sel !== 'all' && sel.indexOf(s.id) >= 0;
      b.disabled = a.checked;
      l.appendChild(b);
      l.appendChild(document.createTextNode(' ' + s.name + ' '));
      box.appendChild(l);
    });
    a.addEventListener('change', function () {
      Array.prototype.forEach.call(box.querySelectorAll('.sf-store'), function (b) { b.disabled = a.checked; });
    });
  }

  function prizeRow(p) {
    var row = el('div', 'sc-prize-row');
    if (p.id) row.setAttribute('data-prize-id', String(p.id));
    var kind = el('select', 'sf-kind');
    kind.setAttribute('aria-label', '奖品类型');
    Object.keys(KIND).forEach(function (k) {
      var o = el('option', null, KIND[k]);
      o.value = k;
      kind.appendChild(o);
    });
    kind.value = p.kind || 'coupon';
    kind.disabled = !!p.id;
    var what = el('span', 'sf-what');
    var tpl = el('select', 'sf-template');
    tpl.setAttribute('aria-label', '优惠券');
    templates.forEach(function (t) {
      var o = el('option', null, t.name + (t.value_fen ? '（' + App.yuan(t.value_fen) + '）' : ''));
      o.value = String(t.id);
      tpl.appendChild(o);
    });
    if (p.template_id) tpl.value = String(p.template_id);
    var amount = el('input', 'sf-amount');
    amount.inputMode = 'decimal';
    if (p.kind === 'bonus') amount.value = App.fen(p.bonus_fen);
    if (p.kind === 'points') amount.value = String(p.points);
    tpl.disabled = amount.disabled = !!p.id;
    what.appendChild(tpl);
    what.appendChild(amount);
    var weight = el('input', 'sf-weight');
    weight.inputMode = 'numeric';
    weight.setAttribute('aria-label', '权重');
    weight.value = p.weight !== undefined ? String(p.weight) : '10';
    var stock = el('input', 'sf-stock');
    stock.inputMode = 'numeric';
    stock.setAttribute('aria-label', '库存');
    stock.value = p.stock !== undefined ? String(p.stock) : '100';
    var del = el('button', 'weui-btn weui-btn_mini weui-btn_default sc-prize-row__del', '删');
    del.type = 'button';
    del.setAttribute('aria-label', '删除这个奖品');
    del.addEventListener('click', function () { row.parentNode.removeChild(row); odds(); });
    function kindShown() {
      tpl.hidden = kind.value !== 'coupon';
      amount.hidden = kind.value === 'coupon';
      amount.placeholder = kind.value === 'bonus' ? '赠送金（元）' : '积分';
      amount.setAttribute('aria-label', amount.placeholder);
    }
    kind.addEventListener('change', function () { kindShown(); odds(); });
    [tpl, amount, weight].forEach(function (x) { x.addEventListener('input', odds); x.addEventListener('change', odds); });
    kindShown();
    [kind, what, weight, stock, del].forEach(function (x) { row.appendChild(x); });
    $('sf-prizes').appendChild(row);
  }

  function rows() { return Array.prototype.slice.call($('sf-prizes').querySelectorAll('.sc-prize-row')); }

  function rowLabel(r) {
    var k = r.querySelector('.sf-kind').value, a = r.querySelector('.sf-amount').value.trim();
    if (k === 'coupon') return tplName(parseInt(r.querySelector('.sf-template').value, 10));
    if (k === 'bonus') return '赠送金 ¥' + (a || '0');
    return (a || '0') + ' 积分';
  }

  function num(s) { return /^\d+$/.test(String(s).trim()) ? parseInt(s, 10) : 0; }

  /* The preview: each prize's share of all the weights, with no prize's. */
  function odds() {
    var box = $('sc-odds'), parts = rows().map(function (r) {
      return { label: rowLabel(r), w: num(r.querySelector('.sf-weight').value) };
    });
    parts.push({ label: '未中奖', w: num($('sf-none').value), none: true });
    var total = parts.reduce(function (s, p) { return s + p.w; }, 0);
    box.innerHTML = '';
    var bar = el('div', 'sc-odds__bar');
    bar.setAttribute('aria-hidden', 'true');
    var list = el('ul', 'sc-prizes');
    parts.forEach(function (p, i) {
      var share = total ? p.w / total : 0;
      var seg = el('span');
      seg.style.width = (share * 100) + '%';
      seg.style.background = p.none ? '#c9cdd4' : COLORS[i % COLORS.length];
      bar.appendChild(seg);
      list.appendChild(el('li', null, p.label + '：' + pct(share) + '（权重 ' + p.w + '）'));
    });
    box.appendChild(bar);
    box.appendChild(list);
    if (!total) box.appendChild(el('p', 'sc-error', '权重都为 0，顾客无法刮奖'));
  }

  function fill(c) {
    $('sf-id').value = c ? String(c.id) : '';
    $('sf-title').textContent = c ? '编辑：' + c.name : '新建刮刮乐';
    $('sf-name').value = c ? c.name : '';
    $('sf-min').value = c ? App.fen(c.min_order_fen) : '';
    $('sf-starts').value = c ? App.inputDate(c.starts_at, 16) : '';
    $('sf-ends').value = c ? App.inputDate(c.ends_at, 16) : '';
    $('sf-cap').value = c ? String(c.daily_cap) : '1';
    $('sf-none').value = c ? String(c.none_weight) : '50';
    $('sf-error').textContent = '';
    storeBoxes(c ? c.store_ids : 'all');
    $('sf-prizes').innerHTML = '';
    if (c) c.prizes.forEach(prizeRow);
    else prizeRow({});
    odds();
  }

  function read() {
    var ids = Array.prototype.filter.call(document.querySelectorAll('.sf-store'), function (b) { return b.checked; })
      .map(function (b) { return parseInt(b.value, 10); });
    var body = {
      name: $('sf-name').value.trim(),
      min_order_fen: App.yuanToFen($('sf-min').value),
      store_ids: $('sf-all-stores').checked ? 'all' : ids,
      starts_at: withZone($('sf-starts').value),
      ends_at: withZone($('sf-ends').value),
      daily_cap: num($('sf-cap').value) || null,
      none_weight: /^\d+$/.test($('sf-none').value.trim()) ? num($('sf-none').value) : null,
      prizes: rows().map(function (r) {
        var p = {}, id = r.getAttribute('data-prize-id');
        var k = r.querySelector('.sf-kind').value, a = r.querySelector('.sf-amount').value.trim();
        if (id) p.id = parseInt(id, 10);
        else {
          p.kind = k;
          if (k === 'coupon') p.template_id = parseInt(r.querySelector('.sf-template').value, 10) || null;
          else if (k === 'bonus') p.bonus_fen = App.yuanToFen(a);
          else p.points = /^\d+$/.test(a) ? parseInt(a, 10) : null;
        }
        var w = r.querySelector('.sf-weight').value.trim(), s = r.querySelector('.sf-stock').value.trim();
        p.weight = /^\d+$/.test(w) ? parseInt(w, 10) : null;
        p.stock = /^\d+$/.test(s) ? parseInt(s, 10) : null;
        return p;
      })
    };
    if (!body.starts_at) delete body.starts_at;
    if (!body.ends_at) delete body.ends_at;
    return body;
  }

  $('sc-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var id = $('sf-id').value, body = read();
    $('sf-error').textContent = '';
    if (!body.name) { $('sf-error').textContent = '请填写活动名称'; return; }
    if (body.min_order_fen === null) { $('sf-error').textContent = '消费满：请填写金额，如 30 或 30.50'; return; }
    $('sf-save').disabled = true;
    Staff.api(id ? 'PATCH' : 'POST', '/scratch-campaigns' + (id ? '/' + id : ''), body).then(function (r) {
      $('sf-save').disabled = false;
      if (r.status !== 200 && r.status !== 201) { $('sf-error').textContent = errText(r); return; }
      App.toast(id ? '已保存' : '刮刮乐已创建');
      fill(r.body.data);
      reload();
    });
  });
  $('sf-new').addEventListener('click', function () { fill(null); });
  $('sf-prize-add').addEventListener('click', function () {
    if (rows().length >= 10) { App.toast('最多 10 个奖品'); return; }
    prizeRow({});
    odds();
  });
  $('sf-none').addEventListener('input', odds);

  /* The newest 20 campaigns, and 20 more at a time (加载更多). */
  var nextCursor = null, shown = 20;
  function reload(more) {
    var q = more ? App.query({ limit: 20, cursor: nextCursor }) : App.query({ limit: shown });
    return Staff.api('GET', '/scratch-campaigns' + q).then(function (r) {
      if (r.status !== 200) { App.toast(errText(r)); return; }
      campaigns = more ? campaigns.concat(r.body.data) : r.body.data;
      shown = Math.max(20, Math.min(100, campaigns.length));
      nextCursor = r.body.next_cursor;
      $('sc-more-area').hidden = !nextCursor;
      renderList();
    });
  }
  $('sc-more').addEventListener('click', function () { reload(true); });

  Staff.marketingConsole(root, function () {
    Promise.all([Staff.api('GET', '/coupon-templates?limit=100'), Staff.api('GET', '/stores')]).then(function (rs) {
      templates = rs[0].status === 200 ? rs[0].body.data.filter(function (t) { return t.kind !== 'promo_code'; }) : [];
      stores = rs[1].status === 200 ? rs[1].body.data : [];
      fill(null);
      return reload();
    });
  });
})();
