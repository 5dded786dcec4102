/*
 * The members console (owners and marketing): search by phone, its last
 * four, card number or name; filters (tier, channel by name, birthday month,
 * joined and last-order dates as people write them, balance in yuan,
 * points, unused coupons); the list sorted by a column header or the
 * sort box, a page at a time; the CSV of the filtered list, read as it
 * streams with the rows counted on the page, then saved; one member's
 * detail. Calls {base}/staff/members (api.md, Members for staff).
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el, yuan = App.yuan;
  var nextCursor = null, lastParams = null, loads = 0, started = false;
  var KINDS = { recharge: '充值', payment: '消费', refund: '退款', adjustment: '调整', order: '订单消费', order_refund: '订单退款',
    order_earn: '消费积分', order_clawback: '退款扣回', order_spend: '积分抵现', staff_adjust: '人工调整',
    tier_reward: '升级奖励', scratch: '刮刮乐奖励' };
  var COUPON_STATUS = { unused: '未使用', used: '已使用', cancelled: '已作废', expired: '已过期' };
  var ORDER_STATUS = { pending: '待支付', paid: '已支付', completed: '已完成', cancelled: '已取消', refunded: '已退款',
    partially_refunded: '部分退款' };

  /* The merchant's dates are China's (+08:00) here, as the list's are. */
  function today(days) { return App.today(480, days); }
  function parseDate(s) { return App.parseDate(s, 480); }
  var dateWords = App.dateWords;
  /* An API time -> "2026年12月1日" (with " 14:05" when time is asked). */
  function when(iso, time) {
    if (!iso) return '—';
    return dateWords(iso.slice(0, 10)) + (time ? ' ' + iso.slice(11, 16) : '');
  }

  for (var mo = 1; mo <= 12; mo++) {
    var o = el('option', null, mo + '月');
    o.value = String(mo);
    $('mf-bmonth').appendChild(o);
  }

  function fail(id, msg) {
    $(id).setAttribute('aria-invalid', 'true');
    $('mf-error').textContent = msg;
    $(id).focus();
    return null;
  }

  /* The form as the API's parameters; null (with the reason shown) when something cannot be read. */
  function params() {
    $('mf-error').textContent = '';
    Array.prototype.forEach.call(root.querySelectorAll('[aria-invalid]'), function (e) { e.removeAttribute('aria-invalid'); });
    var ch = $('mf-channel').value === '__code' ? $('mf-channel-code').value.trim() : $('mf-channel').value;
    var p = { q: $('mf-q').value.trim(), tier: $('mf-tier').value, channel: ch,
      birthday_month: $('mf-bmonth').value, has_unused_coupons: $('mf-coupons').value,
      count_cards: $('mf-ccards').value, sort: $('mf-sort').value, order: $('mf-order').value };
    if (p.count_cards === 'expiring') {
      var days = $('mf-cc-days').value.trim();
      if (days !== '' && (!/^\d{1,3}$/.test(days) || +days < 1 || +days > 365)) return fail('mf-cc-days', '到期天数请写 1 到 365 的整数');
      p.expiring_days = days;
    }
    var dates = [['mf-joined-from', 'joined_from', '入会开始日期'], ['mf-joined-to', 'joined_to', '入会结束日期'],
      ['mf-last-from', 'last_order_from', '最近消费开始日期'], ['mf-last-to', 'last_order_to', '最近消费结束日期']];
    for (var i = 0; i < dates.length; i++) {
      var d = parseDate($(dates[i][0]).value);
      if (d === null) return fail(dates[i][0], dates[i][2] + '看不懂，请写成 2026-12-01 或 12月1日');
      if (d) $(dates[i][0]).value = dateWords(d);
      p[dates[i][1]] = d;
    }
    var money = [['mf-bal-min', 'balance_min_fen'], ['mf-bal-max', 'balance_max_fen']];
    for (i = 0; i < money.length; i++) {
      var f = App.optionalFen($(money[i][0]).value);
      if (f !== null && isNaN(f)) return fail(money[i][0], '余额请写成元，如 100 或 99.50');
      p[money[i][1]] = f === null ? '' : String(f);
    }
    var pts = [['mf-pts-min', 'points_min'], ['mf-pts-max', 'points_max']];
    for (i = 0; i < pts.length; i++) {
      var v = $(pts[i][0]).value.trim();
      if (v !== '' && !/^-?\d{1,9}$/.test(v)) return fail(pts[i][0], '积分请写整数');
      p[pts[i][1]] = v;
    }
    return p;
  }

  function row(x) {
    var tr = el('tr', 'orders-list__row');
    tr.setAttribute('data-id', String(x.id));
    var name = el('td');
    var open = el('button', 'orders-list__open', x.name || '未填姓名');
    open.type = 'button';
    open.setAttribute('aria-label', '查看会员 ' + (x.name || x.phone_masked));
    open.addEventListener('click', function (ev) { ev.stopPropagation(); openMember(x.id); });
    name.appendChild(open);
    tr.appendChild(name);
    tr.appendChild(el('td', null, x.phone_masked));
    tr.appendChild(el('td', null, x.tier ? x.tier.name : '—'));
    tr.appendChild(el('td', 'cc-num', yuan(x.balance_fen)));
    tr.appendChild(el('td', 'cc-num', String(x.points)));
    tr.appendChild(el('td', null, when(x.joined_at)));
    tr.appendChild(el('td', null, x.last_order_at ? when(x.last_order_at) : '暂无'));
    tr.appendChild(el('td', 'cc-num', yuan(x.spend_fen)));
    tr.addEventListener('click', function () { openMember(x.id); });
    return tr;
  }

  function load(more) {
    var p = more ? lastParams : params();
    if (!p) return Promise.resolve();
    lastParams = p;
    var q = {};
    Object.keys(p).forEach(function (k) { q[k] = p[k]; });
    q.limit = 20;
    if (more) q.cursor = nextCursor;
    var body = $('members-list').tBodies[0];
    if (!more) body.innerHTML = '';
    $('members-loading').hidden = false;
    $('members-empty').hidden = true;
    var mine = ++loads;
    return Staff.api('GET', '/members' + App.query(q)).then(function (r) {
      if (mine !== loads) return;
      $('members-loading').hidden = true;
      if (r.status !== 200) { $('mf-error').textContent = App.errorText(r); return; }
      r.body.data.forEach(function (x) { body.appendChild(row(x)); });
      $('members-list').setAttribute('data-loaded', '');
      nextCursor = r.body.next_cursor;
      $('members-more').hidden = !nextCursor;
      $('members-empty').hidden = body.rows.length > 0;
    });
  }

  function pair(dl, label, value) {
    var d = el('div', 'od-list__row');
    d.appendChild(el('dt', null, label));
    d.appendChild(el('dd', null, value));
    dl.appendChild(d);
  }

  function openMember(id) {
    return Staff.api('GET', '/members/' + id).then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      var d = r.body.data;
      $('md-none').hidden = true;
      $('md-body').hidden = false;
      $('md-title').textContent = (d.name || '未填姓名') + ' · ' + d.phone_masked;
      $('md-tier').textContent = d.tier ? d.tier.name : '无等级';
      var meta = $('md-meta');
      meta.innerHTML = '';
      pair(meta, '会员编号', String(d.id));
      pair(meta, '卡号', d.card_no);
      $('md-push').href = App.pageUrl('/staff/coupon-pushes') + '?member_id=' + d.id;
      pair(meta, '入会时间', when(d.joined_at, true));
      pair(meta, '生日', d.birthday ? dateWords(d.birthday) : '未填');
      pair(meta, '余额', yuan(d.balance.total_fen) + '（本金 ' + yuan(d.balance.principal_fen) + '，赠送 ' + yuan(d.balance.bonus_fen) + '）');
      pair(meta, '积分', String(d.points));
      pair(meta, '成长值', String(d.growth) + (d.next_tier ? '（再 ' + d.next_tier.growth_needed + ' 升' + d.next_tier.name + '）' : ''));
      pair(meta, '累计消费', yuan(d.spend_fen));
      pair(meta, '最近消费', d.last_order_at ? when(d.last_order_at, true) : '暂无');
      pair(meta, '可用优惠券', d.coupons_unused + ' 张');
      var lists = [['md-orders', d.orders, function (o) { return [when(o.created_at, true), '订单 ' + o.id + ' · ' + yuan(o.total_fen) + ' · ' + (ORDER_STATUS[o.status] || '其他')]; }],
        ['md-wallet', d.wallet_entries, function (e) { return [when(e.at, true), (KINDS[e.kind] || '其他') + ' 本金 ' + yuan(e.principal_fen) + '，赠送 ' + yuan(e.bonus_fen)]; }],
        ['md-points', d.points_entries, function (e) { return [when(e.at, true), (KINDS[e.kind] || '积分变动') + ' ' + (e.points > 0 ? '+' : '') + e.points]; }],
        ['md-coupons', d.coupons, function (c) { return [c.name, (COUPON_STATUS[c.status] || '其他') + ' · 有效期至 ' + when(c.valid_until)]; }],
        ['md-ccards', d.count_cards || [], function (c) { return [c.name, c.status_text + ' · 剩余 ' + c.uses_left + '/' + c.uses_total + ' 次 · 有效期至 ' + when(c.expires_at)]; }]];
      lists.forEach(function (l) {
        var dl = $(l[0]);
        dl.innerHTML = '';
        if (!l[1].length) dl.appendChild(el('p', 'app-note', '暂无'));
        l[1].forEach(function (x) { var t = l[2](x); pair(dl, t[0], t[1]); });
      });
      Array.prototype.forEach.call($('members-list').tBodies[0].rows, function (tr) {
        tr.classList.toggle('cc-row_on', tr.getAttribute('data-id') === String(id));
      });
      // the owner's actions on the member (staff_member_actions.js)
      document.dispatchEvent(new CustomEvent('members:open', { detail: d }));
    });
  }

  /* The CSV of the filtered list: read as it streams, rows counted on the page, then saved as a file. */
  function exportCsv() {
    var p = params();
    if (!p) return;
    var btn = $('mf-export'), status = $('mf-export-status');
    btn.disabled = true;
    status.textContent = '正在导出…';
    var rows = -1, chunks = [];
    fetch(App.base + '/staff/members.csv' + App.query(p), { credentials: 'same-origin' }).then(function (res) {
      if (res.status !== 200) {
        return res.json().then(function (b) { throw new Error(b && b.error ? b.error.message : '导出失败'); });
      }
      var reader = res.body.getReader();
      function pump() {
        return reader.read().then(function (x) {
          if (x.done) return;
          chunks.push(x.value);
          for (var i = 0; i < x.value.length; i++) if (x.value[i] === 10) rows++;
          status.textContent = '正在导出… 已导出 ' + Math.max(rows, 0) + ' 位会员';
          return pump();
        }, function () {
          // cut off by the server (its time ran out) or the network: no file
          throw new Error('导出中断，未能导出全部会员，文件未保存。请缩小筛选范围后再试');
        });
      }
      return pump();
    }).then(function () {
      var a = el('a');
      a.href = URL.createObjectURL(new Blob(chunks, { type: 'text/csv;charset=utf-8' }));
      a.download = 'members-' + App.merchant + '-' + today(0) + '.csv';
      document.body.appendChild(a);
      a.click();
      a.remove();
      status.textContent = '导出完成，共 ' + Math.max(rows, 0) + ' 位会员';
    }).catch(function (e) {
      status.textContent = '';
      $('mf-error').textContent = e.message || '导出失败，请稍后再试';
    }).then(function () { btn.disabled = false; });
  }

  window.MembersConsole = { open: openMember };

  $('members-filter').addEventListener('submit', function (ev) { ev.preventDefault(); load(false); });
  $('mf-clear').addEventListener('click', function () {
    $('members-filter').reset();
    $('mf-cc-days-item').hidden = true;
    $('mf-channel-code-item').hidden = true;
    load(false);
  });
  $('mf-export').addEventListener('click', exportCsv);
  /* 定向发券 to the filtered list: the filter (no sort) goes with the link */
  $('mf-push').addEventListener('click', function () {
    var p = params();
    if (!p) return;
    delete p.sort;
    delete p.order;
    location.href = App.pageUrl('/staff/coupon-pushes') + '?filter=' + encodeURIComponent(App.query(p).slice(1));
  });
  $('members-more').addEventListener('click', function () { load(true); });
  $('mf-ccards').addEventListener('change', function () { $('mf-cc-days-item').hidden = $('mf-ccards').value !== 'expiring'; });
  $('mf-channel').addEventListener('change', function () {
    var code = $('mf-channel').value === '__code';
    $('mf-channel-code-item').hidden = !code;
    if (code) $('mf-channel-code').focus();
    else load(false);
  });
  ['mf-tier', 'mf-bmonth', 'mf-coupons', 'mf-ccards', 'mf-sort', 'mf-order'].forEach(function (id) {
    $(id).addEventListener('change', function () { load(false); });
  });
  Array.prototype.forEach.call(root.querySelectorAll('th button[data-sort]'), function (b) {
    b.addEventListener('click', function () {
      var s = b.getAttribute('data-sort');
      if ($('mf-sort').value === s) $('mf-order').value = $('mf-order').value === 'desc' ? 'asc' : 'desc';
      else { $('mf-sort').value = s; $('mf-order').value = 'desc'; }
      load(false);
    });
  });

  /*
   * The channels by name (the API takes their codes: store:<id>,
   * campaign:<slug>, organic, referral): the merchant's stores and
   * campaigns, before the entry for any other code.
   */
  function loadChannels() {
    return Promise.all([Staff.api('GET', '/stores'), Staff.api('GET', '/campaigns?limit=100')]).then(function (rs) {
      var sel = $('mf-channel'), other = sel.querySelector('option[value="__code"]');
      var group = function (label, items) {
        if (!items.length) return;
        var g = el('optgroup');
        g.label = label;
        items.forEach(function (it) {
          var o = el('option', null, it[1]);
          o.value = it[0];
          g.appendChild(o);
        });
        sel.insertBefore(g, other);
      };
      group('门店', (rs[0].status === 200 ? rs[0].body.data : []).map(function (s) { return ['store:' + s.id, s.name]; }));
      group('活动', (rs[1].status === 200 ? rs[1].body.data : []).map(function (c) { return ['campaign:' + c.slug, c.name]; }));
    });
  }

  Staff.marketingConsole(root, function () {
    if (started) return;
    started = true;
    loadChannels();
    App.api('GET', '/tiers').then(function (r) {
      (r.status === 200 ? r.body.data : []).forEach(function (t) {
        var o = el('option', null, t.name);
        o.value = String(t.level);
        $('mf-tier').appendChild(o);
      });
      load(false);
    });
  });
})();
