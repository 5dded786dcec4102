/*
 * The 定向发券 console (owners and marketing): choose an active coupon
 * template, the members (the member list's filter the page was opened
 * with as ?filter=..., pasted phones or card numbers, or one member by
 * id, ?member_id=), optionally a time to send, then watch the push's
 * progress until it is done (polled; 取消发券 stops one queued or
 * running), and the pushes made before.
 * Calls {base}/staff/coupon-pushes and staff/coupon-templates.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el;
  var STATUS = { queued: '排队中', running: '发放中', done: '已完成', failed: '未完成', cancelled: '已取消' };
  var STATUS_CLASS = { queued: 'cc-status_scheduled', running: 'cc-status_live', done: 'cc-status_ended', failed: 'cc-status_paused',
    cancelled: 'cc-status_paused' };
  var TARGET = { filter: '筛选结果', phones: '手机号/卡号', member_ids: '指定会员' };
  /* the member list's parameters, as its filter form names them */
  var FILTER_NAMES = { q: '搜索', tier: '等级', channel: '来源渠道', birthday_month: '生日月份', joined_from: '入会从',
    joined_to: '入会到', last_order_from: '最近消费从', last_order_to: '最近消费到', balance_min_fen: '余额至少（分）',
    balance_max_fen: '余额至多（分）', points_min: '积分至少', points_max: '积分至多', has_unused_coupons: '未用优惠券' };
  /* channel codes by the names the member list shows them by; stores,
     campaigns and tiers are added from the API (loadNames) */
  var CHANNEL_NAMES = { organic: '自然进入', referral: '推荐入会', mini: '小程序', h5: 'H5 网页' };
  var TIER_NAMES = {};
  var templates = [], watching = null, timer = null;
  var params = new URLSearchParams(location.search);
  var filter = params.get('filter');

  function filterText(f) {
    if (f === null) return null;
    var parts = [];
    new URLSearchParams(f).forEach(function (v, k) {
      if (k === 'sort' || k === 'order' || k === 'cursor' || k === 'limit' || v === '') return;
      if (k === 'has_unused_coupons') v = v === 'true' ? '有' : '没有';
      else if (k === 'channel' && CHANNEL_NAMES[v]) v = CHANNEL_NAMES[v];
      else if (k === 'tier' && TIER_NAMES[v]) v = TIER_NAMES[v];
      parts.push((FILTER_NAMES[k] || k) + '：' + v);
    });
    return parts.length ? parts.join('；') : '全部会员';
  }

  /* The names of the merchant's stores, campaigns and tiers, then the
     filter's summary again with them. */
  function loadNames() {
    return Promise.all([Staff.api('GET', '/stores'), Staff.api('GET', '/campaigns?limit=100'), App.api('GET', '/tiers')])
      .then(function (rs) {
        (rs[0].status === 200 ? rs[0].body.data : []).forEach(function (x) { CHANNEL_NAMES['store:' + x.id] = '门店·' + x.name; });
        (rs[1].status === 200 ? rs[1].body.data : []).forEach(function (x) { CHANNEL_NAMES['campaign:' + x.slug] = '活动·' + x.name; });
        (rs[2].status === 200 ? rs[2].body.data : []).forEach(function (x) { TIER_NAMES[String(x.level)] = x.name; });
        if (filter !== null) $('pf-filter-text').textContent = '条件：' + filterText(filter);
        root.setAttribute('data-names', '');
      });
  }

  function target() {
    var on = root.querySelector('input[name="pf-target"]:checked');
    return on ? on.value : null;
  }

  function showTarget() {
    var t = target();
    Array.prototype.forEach.call(root.querySelectorAll('.push-target-body'), function (c) {
      c.hidden = c.getAttribute('data-target') !== t;
    });
  }

  function entries(text) {
    var seen = {}, n = 0;
    text.split(/[\s,;，；、]+/).forEach(function (s) {
      if (s && !seen[s]) { seen[s] = 1; n++; }
    });
    return n;
  }

  function templateInfo() {
    var id = Number($('pf-template').value), t = null;
    templates.forEach(function (x) { if (x.id === id) t = x; });
    $('pf-template-info').textContent = !t ? '' : Staff.couponKind(t.kind) + '，' +
      (t.stock_left === null ? '库存不限' : '剩余 ' + t.stock_left + ' 张') + '，每人限 ' + t.per_member_limit + ' 张';
  }

  function loadTemplates() {
    return Staff.api('GET', '/coupon-templates?status=active&limit=100').then(function (r) {
      if (r.status !== 200) return;
      templates = r.body.data.filter(function (t) { return t.kind !== 'promo_code'; });
      var sel = $('pf-template');
      while (sel.options.length > 1) sel.remove(1);
      templates.forEach(function (t) {
        var o = el('option', null, t.name);
        o.value = String(t.id);
        sel.appendChild(o);
      });
      templateInfo();
    });
  }

  function count(dl, label, value) {
    var d = el('div', 'push-count');
    d.appendChild(el('dt', null, label));
    d.appendChild(el('dd', null, value === null || value === undefined ? '—' : String(value)));
    dl.appendChild(d);
  }

  function showPush(p) {
    $('push-progress').hidden = false;
    $('pp-name').textContent = p.template_name + ' · ' + (TARGET[p.target] || p.target);
    var s = $('pp-status');
    s.textContent = STATUS[p.status] || p.status;
    s.className = 'cc-status ' + (STATUS_CLASS[p.status] || '');
    var reached = p.issued + p.over_limit + p.out_of_stock + p.skipped + (p.blocked || 0);
    $('pp-bar').max = p.total || 1;
    $('pp-bar').value = p.total ? reached : 0;
    var dl = $('pp-counts');
    dl.innerHTML = '';
    count(dl, '发放对象', p.total === null ? '统计中' : p.total + ' 人');
    count(dl, '已发放', p.issued);
    count(dl, '超出每人限领', p.over_limit);
    count(dl, '库存不足未发', p.out_of_stock);
    count(dl, '跳过', p.skipped);
    count(dl, '会员已冻结未发', p.blocked || 0);
    if (p.send_at && p.status === 'queued') count(dl, '定时发送', App.dateTime(p.send_at));
    $('pp-unknown-row').hidden = !p.unknown_count;
    $('pp-unknown').textContent = p.unknown_count ? p.unknown.join('、') +
      (p.unknown_count > p.unknown.length ? ' 等 ' + p.unknown_count + ' 个' : '') : '';
    var over = p.over_limit_members || [];
    $('pp-over-row').hidden = !over.length;
    $('pp-over').textContent = over.map(function (x) { return (x.name || '未填姓名') + ' ' + x.phone_masked; }).join('、') +
      (p.over_limit > over.length ? ' 等 ' + p.over_limit + ' 人' : '');
    var blocked = p.blocked_members || [];
    $('pp-blocked-row').hidden = !blocked.length;
    $('pp-blocked').textContent = blocked.map(function (x) { return (x.name || '未填姓名') + ' ' + x.phone_masked; }).join('、') +
      (p.blocked > blocked.length ? ' 等 ' + p.blocked + ' 人' : '');
    $('pp-cancel-row').hidden = p.status !== 'queued' && p.status !== 'running';
    $('pp-error-row').hidden = !p.error;
    $('pp-error').textContent = p.error || '';
  }

  function poll() {
    clearTimeout(timer);
    if (!watching) return;
    Staff.api('GET', '/coupon-pushes/' + watching).then(function (r) {
      if (r.status !== 200) return;
      showPush(r.body.data);
      if (r.body.data.status === 'queued' || r.body.data.status === 'running') timer = setTimeout(poll, 1500);
      else loadList();
    });
  }

  function cancel() {
    if (!watching || !window.confirm('取消这次发券？已发出的券不会收回，还没发到的会员不再发。')) return;
    $('pp-cancel').disabled = true;
    Staff.api('POST', '/coupon-pushes/' + watching + '/cancel', {}).then(function (r) {
      $('pp-cancel').disabled = false;
      if (r.status !== 200) return App.toast(App.errorText(r));
      App.toast('已取消发券');
      showPush(r.body.data);
      poll();
    });
  }

  function watch(id) {
    watching = id;
    poll();
  }

  function loadList() {
    return Staff.api('GET', '/coupon-pushes?limit=20').then(function (r) {
      if (r.status !== 200) return;
      var body = $('push-list').tBodies[0];
      body.innerHTML = '';
      r.body.data.forEach(function (p) {
        var tr = el('tr', p.id === watching ? 'cc-row_on' : null);
        var name = el('td');
        var open = el('button', 'orders-list__open', p.template_name);
        open.type = 'button';
        open.setAttribute('aria-label', '查看发券进度：' + p.template_name);
        open.addEventListener('click', function () { watch(p.id); });
        name.appendChild(open);
        tr.appendChild(name);
        tr.appendChild(el('td', null, TARGET[p.target] || p.target));
        var st = el('td');
        st.appendChild(el('span', 'cc-status ' + (STATUS_CLASS[p.status] || ''), STATUS[p.status] || p.status));
        tr.appendChild(st);
        tr.appendChild(el('td', 'cc-num', p.total === null ? '—' : String(p.total)));
        tr.appendChild(el('td', 'cc-num', String(p.issued)));
        tr.appendChild(el('td', 'cc-num', String(p.over_limit)));
        tr.appendChild(el('td', 'cc-num', String(p.out_of_stock)));
        tr.appendChild(el('td', 'cc-num', String(p.skipped)));
        tr.appendChild(el('td', null, App.dateTime(p.created_at)));
        body.appendChild(tr);
      });
      $('push-list').setAttribute('data-loaded', '');
      $('push-empty').hidden = r.body.data.length > 0;
    });
  }

  function fail(id, msg) {
    $('pf-error').textContent = msg;
    if (id) $(id).focus();
  }

  function submit(ev) {
    ev.preventDefault();
    $('pf-error').textContent = '';
    var tpl = Number($('pf-template').value);
    if (!tpl) return fail('pf-template', '请选择要发的优惠券');
    var body = { template_id: tpl }, t = target(), who;
    if (t === 'filter') {
      if (filter === null) return fail('pf-t-filter', '请先在会员列表筛选，再点“给筛选结果发券”');
      body.filter = filter;
      who = '筛选出的会员（' + filterText(filter) + '）';
    } else if (t === 'phones') {
      var text = $('pf-phones').value.trim();
      if (!text) return fail('pf-phones', '请粘贴手机号或卡号');
      body.phones = text;
      who = entries(text) + ' 个手机号或卡号对应的会员';
    } else if (t === 'member_ids') {
      var id = $('pf-member').value.trim();
      if (!/^\d{1,15}$/.test(id)) return fail('pf-member', '会员编号应为数字');
      body.member_ids = [Number(id)];
      who = '会员 ' + id;
    } else return fail('pf-t-filter', '请选择发给谁');
    var at = $('pf-send-at').value;
    if (at) {
      var d = new Date(at);
      if (isNaN(d.getTime())) return fail('pf-send-at', '定时发送的时间看不懂');
      body.send_at = d.toISOString().replace(/\.\d+Z$/, 'Z');
    }
    var name = $('pf-template').options[$('pf-template').selectedIndex].text;
    if (!window.confirm('把「' + name + '」发给' + who + '？每人只发一张。')) return;
    $('pf-submit').disabled = true;
    Staff.api('POST', '/coupon-pushes', body, { 'Idempotency-Key': App.idemKey() }).then(function (r) {
      $('pf-submit').disabled = false;
      if (r.status !== 202) return fail(null, App.errorText(r));
      App.toast(r.body.data.status === 'queued' && r.body.data.send_at ? '已安排定时发送' : '已开始发券');
      watch(r.body.data.id);
      loadList();
    });
  }

  if (filter !== null) {
    $('pf-filter-text').textContent = '条件：' + filterText(filter);
    $('pf-t-filter').checked = true;
  } else if (params.get('member_id')) {
    $('pf-member').value = params.get('member_id');
    $('pf-t-member').checked = true;
  } else {
    $('pf-t-phones').checked = true;
  }
  showTarget();
  Array.prototype.forEach.call(root.querySelectorAll('input[name="pf-target"]'), function (b) {
    b.addEventListener('change', showTarget);
  });
  $('pf-phones').addEventListener('input', function () {
    var n = entries($('pf-phones').value.trim());
    $('pf-phones-count').textContent = n ? '共 ' + n + ' 个（已去重）' : '';
  });
  $('pf-template').addEventListener('change', templateInfo);
  $('push-form').addEventListener('submit', submit);
  $('pp-cancel').addEventListener('click', cancel);

  var started = false;
  Staff.marketingConsole(root, function () {
    if (started) return;
    started = true;
    loadTemplates();
    loadList();
    loadNames();
  });
})();
