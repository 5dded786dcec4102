/*
 * The orders console: find orders (store, status, dates as people write
 * them), the itemised receipt of one (each line's list and member price,
 * its share of every discount, its net; the adjustments; the tenders; the
 * refunds), and what staff do with it: 标记完成, 取消订单, 退款 (by lines
 * and quantities, by amount, or the rest, with a reason; the result per
 * tender, or 已提交店主审批). Calls {base}/staff/orders (api.md, Orders);
 * uses window.Staff from staff.js (sign-in, CSRF header). Amounts come in
 * fen and show in yuan; no code of the API shows as it is.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el, yuan = App.yuan;

  var STATUS = { pending: '待支付', paid: '已支付', completed: '已完成', cancelled: '已取消', refunded: '已退款',
    partially_refunded: '部分退款' };
  var ADJ_KINDS = { member_price: '会员价', tier_discount: '等级折扣', coupon: '优惠券', points: '积分抵现',
    birthday: '生日优惠', member_day: '会员日优惠', holiday: '节日优惠' };
  /* tender kinds: the order API's (balance_principal, balance_bonus) and the contract's shorter names */
  var TENDERS = { balance_principal: '余额本金', balance_bonus: '赠送金', principal: '余额本金', bonus: '赠送金', points: '积分',
    cash: '现金', card: '银行卡', online: '在线支付' };
  var REFUND_STATUS = { done: '已退款', awaiting_approval: '待店主审批', rejected: '已驳回' };
  var CHANNELS = { counter: '门店收银', phone: '电话下单', app: '小程序下单' };

  /* A code's Chinese name; one the table lacks: the Chinese name the API gave beside it, else a word for its kind. */
  function named(table, other) {
    return function (k, given) { return table[k] || (given && /[\u4e00-\u9fff]/.test(given) ? given : other); };
  }
  var statusName = named(STATUS, '其他状态'), adjName = named(ADJ_KINDS, '其他优惠'), tenderName = named(TENDERS, '其他方式');

  var stores = [], storeNames = {};
  var me = null;
  var current = null;		/* the order shown */
  var nextCursor = null;
  var refundKey = null;

  /* ---- dates and times ---- */

  /* The merchant's offset in minutes (api.md: +08:00 unless an answer says otherwise). */
  var tzMin = 480;

  function noteZone(iso) {
    var m = /([+-])(\d\d):(\d\d)$/.exec(iso || '');
    if (m) tzMin = (m[1] === '-' ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10));
  }

  /* Today at the merchant, shifted by days; a date as people write it; in words. */
  function today(days) { return App.today(tzMin, days); }
  function parseDate(s) { return App.parseDate(s, tzMin); }
  var dateWords = App.dateWords;

  /* An API time -> "2026年12月1日 14:05". */
  function fullTime(iso) {
    if (!iso) return '';
    return dateWords(iso.slice(0, 10)) + ' ' + iso.slice(11, 16);
  }

  /* An API time for the list: "12-01 14:05" this year, "2025-12-01 14:05" before. */
  function shortTime(iso) {
    if (!iso) return '';
    return (iso.slice(0, 4) === today(0).slice(0, 4) ? iso.slice(5, 10) : iso.slice(0, 10)) + ' ' + iso.slice(11, 16);
  }

  /* ---- what an order says ---- */

  /* The member as staff see it: the masked phone (order API: member.phone, already masked), or 非会员. */
  function memberText(mb) {
    if (!mb) return '非会员';
    return mb.phone || mb.phone_masked || '会员 #' + mb.id;
  }

  /* What the signed-in role may do (the order routes' roles; owners everything). */
  function may(what) {
    var role = me ? me.role : '';
    if (role === 'owner') return true;
    if (what === 'cancel') return role === 'cashier' || role === 'marketing';
    if (what === 'approve') return false;
    return role === 'cashier';	/* complete, refund */
  }

  function storeName(id) { return storeNames[id] || (id ? '门店 #' + id : ''); }

  function orderNo(o) { return String(o.order_no || o.id); }

  function badge(status) {
    var b = el('span', 'od-badge od-badge_' + (STATUS[status] ? status : 'other'), statusName(status));
    return b;
  }

  /* Units of a line already refunded: the order's count, else the done refunds' lines. */
  function refundedQty(o, line) {
    if (typeof line.refunded_qty === 'number') return line.refunded_qty;
    var n = 0;
    (o.refunds || []).forEach(function (rf) {
      if (rf.status && rf.status !== 'done') return;
      (rf.lines || []).forEach(function (l) { if (l.line_no === line.line_no) n += l.qty || 0; });
    });
    return n;
  }

  /* ---- the list ---- */

  function filterQuery() {
    var from = parseDate($('of-from').value), to = parseDate($('of-to').value);
    $('of-error').textContent = '';
    ['of-from', 'of-to'].forEach(function (id) { $(id).removeAttribute('aria-invalid'); });
    if (from === null || to === null) {
      var bad = from === null ? 'of-from' : 'of-to';
      $(bad).setAttribute('aria-invalid', 'true');
      $('of-error').textContent = (from === null ? '开始日期' : '结束日期') + '看不懂，请写成 2026-12-01 或 12月1日';
      $(bad).focus();
      return null;
    }
    if (from && to && from > to) {
      $('of-to').setAttribute('aria-invalid', 'true');
      $('of-error').textContent = '结束日期不能早于开始日期';
      return null;
    }
    /* show what was understood, in words */
    if (from) $('of-from').value = dateWords(from);
    if (to) $('of-to').value = dateWords(to);
    return { store_id: $('of-store').value, status: $('of-status').value, from: from, to: to };
  }

  function orderRow(o) {
    noteZone(o.created_at);
    var tr = el('tr', 'orders-list__row');
    tr.setAttribute('data-id', String(o.id));
    if (current && current.id === o.id) tr.className += ' cc-row_on';
    tr.appendChild(el('td', 'orders-list__time', shortTime(o.created_at)));
    var no = el('td');
    var open = el('button', 'orders-list__open', orderNo(o));
    open.type = 'button';
    open.setAttribute('aria-label', '查看订单 ' + orderNo(o));
    open.addEventListener('click', function (ev) { ev.stopPropagation(); openOrder(o.id); });
    no.appendChild(open);
    tr.appendChild(no);
    tr.appendChild(el('td', o.member ? '' : 'orders-list__guest', memberText(o.member)));
    var goods = el('td', 'orders-list__goods', o.summary || '');
    if (o.summary) goods.title = o.summary;
    tr.appendChild(goods);
    tr.appendChild(el('td', 'cc-num', yuan(o.total_fen || 0)));
    var st = el('td');
    st.appendChild(badge(o.status));
    tr.appendChild(st);
    tr.addEventListener('click', function () { openOrder(o.id); });
    return tr;
  }

  var lastQuery = null;
  var listed = {};		/* the list's orders by id */
  var loads = 0;		/* the latest list request: only its answer shows */

  function loadOrders(more) {
    var q = more ? lastQuery : filterQuery();
    if (!q) return Promise.resolve();
    lastQuery = q;
    var params = { store_id: q.store_id, status: q.status, from: q.from, to: q.to, limit: 20 };
    if (more) params.cursor = nextCursor;
    var body = $('orders-list').tBodies[0];
    if (!more) body.innerHTML = '';
    $('orders-loading').hidden = false;
    $('orders-empty').hidden = true;
    var mine = ++loads;
    return Staff.api('GET', '/orders' + App.query(params)).then(function (r) {
      if (mine !== loads) return;
      $('orders-loading').hidden = true;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      r.body.data.forEach(function (o) {
        listed[o.id] = o;
        body.appendChild(orderRow(o));
      });
      $('orders-list').setAttribute('data-loaded', '');
      nextCursor = r.body.next_cursor;
      $('orders-more').hidden = !nextCursor;
      $('orders-empty').hidden = body.rows.length > 0;
    });
  }

  /* The list row of an order, redrawn after a change: the list's fields with the order's new status. */
  function refreshRow(o) {
    var tr = $('orders-list').querySelector('tr[data-id="' + o.id + '"]');
    var was = listed[o.id];
    if (!tr || !was) return;
    was.status = o.status;
    was.refunded_fen = o.refunded_fen;
    tr.parentNode.replaceChild(orderRow(was), tr);
  }

  function markCurrentRow() {
    Array.prototype.forEach.call($('orders-list').tBodies[0].rows, function (tr) {
      var on = current && tr.getAttribute('data-id') === String(current.id);
      tr.classList.toggle('cc-row_on', !!on);
      if (on) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    });
  }

  /* ---- one order ---- */

  function pair(dl, label, value, cls) {
    var row = el('div', 'od-list__row' + (cls ? ' ' + cls : ''));
    row.appendChild(el('dt', null, label));
    row.appendChild(el('dd', null, value));
    dl.appendChild(row);
  }

  /* An owner's 批准退款 / 驳回 for a refund awaiting approval. */
  function decideButtons(o, rf) {
    var box = el('span', 'refund-history__ops');
    [['approve', '批准退款', 'weui-btn_primary', '退款已批准，已原路退回'], ['reject', '驳回', 'weui-btn_default', '已驳回这笔退款']]
      .forEach(function (b) {
        var btn = el('button', 'weui-btn weui-btn_mini ' + b[2], b[1]);
        btn.type = 'button';
        btn.setAttribute('aria-label', b[1] + ' ' + yuan(rf.amount_fen || 0));
        btn.addEventListener('click', function () {
          if (b[0] === 'reject' && !window.confirm('确定驳回这笔 ' + yuan(rf.amount_fen || 0) + ' 的退款申请吗？')) return;
          btn.disabled = true;
          var h = b[0] === 'approve' ? { 'Idempotency-Key': App.idemKey() } : {};
          Staff.api('POST', '/orders/' + o.id + '/refunds/' + rf.id + '/' + b[0], {}, h).then(function (r) {
            btn.disabled = false;
            if (r.status >= 300) { App.toast(App.errorText(r)); return; }
            App.toast(b[3]);
            reloadCurrent();
          });
        });
        box.appendChild(btn);
      });
    return box;
  }

  function renderOrder(o) {
    current = o;
    noteZone(o.created_at);
    $('od-none').hidden = true;
    $('od-body').hidden = false;
    $('od-title').textContent = '订单 ' + orderNo(o);
    var st = $('od-status');
    st.className = 'od-badge od-badge_' + (STATUS[o.status] ? o.status : 'other');
    st.textContent = statusName(o.status);

    var meta = $('od-meta');
    meta.innerHTML = '';
    pair(meta, '下单时间', fullTime(o.created_at));
    if (o.store_id) pair(meta, '门店', storeName(o.store_id));
    pair(meta, '会员', memberText(o.member));
    if (o.channel && CHANNELS[o.channel]) pair(meta, '来源', CHANNELS[o.channel]);
    if (o.completed_at) pair(meta, '完成时间', fullTime(o.completed_at));
    if (o.cancelled_at) pair(meta, '取消时间', fullTime(o.cancelled_at));

    var adjs = {};
    (o.adjustments || []).forEach(function (a) { adjs[a.seq] = a; });

    var body = $('od-lines').tBodies[0];
    body.innerHTML = '';
    (o.lines || []).forEach(function (l) {
      var tr = el('tr');
      var name = el('td', 'od-lines__name');
      name.appendChild(el('span', null, l.name));
      var back = refundedQty(o, l);
      /* a count card's line is refunded by the use (card_uses of them) */
      if (back > 0) name.appendChild(el('span', 'od-lines__refunded', back >= (l.card_uses || l.qty) ? '已全部退款' :
        '已退 ' + back + (l.card_uses ? ' 次' : ' 件')));
      if (l.card_uses) name.appendChild(el('span', 'od-lines__refunded', '次卡 · 共 ' + l.card_uses + ' 次'));
      tr.appendChild(name);
      tr.appendChild(el('td', 'cc-num', String(l.qty)));
      tr.appendChild(el('td', 'cc-num', yuan(l.unit_fen)));
      tr.appendChild(el('td', 'cc-num', l.member_unit_fen === null || l.member_unit_fen === undefined ? '—' : yuan(l.member_unit_fen)));
      var shares = el('td', 'od-lines__shares');
      (l.allocations || []).forEach(function (al) {
        if (!al.amount_fen) return;
        var a = adjs[al.seq] || {};
        var s = el('span', 'od-lines__share' + (a.kind === 'points' ? ' od-lines__share_points' : ''),
          adjName(a.kind, a.name) + (a.kind === 'points' ? ' ' + yuan(al.amount_fen) : ' −' + yuan(al.amount_fen)));
        shares.appendChild(s);
      });
      if (!shares.children.length) shares.textContent = '—';
      tr.appendChild(shares);
      tr.appendChild(el('td', 'cc-num od-lines__net', yuan(l.net_fen)));
      body.appendChild(tr);
    });

    var adl = $('od-adjustments');
    adl.innerHTML = '';
    (o.adjustments || []).forEach(function (a) {
      if (a.kind === 'points') return;	/* a tender: under 合计与支付 */
      /* a coupon by its name (the API's adjustment name), its code when it has none */
      var coupon = a.kind === 'coupon' ? (a.name && a.name !== ADJ_KINDS.coupon ? a.name : a.ref) : '';
      pair(adl, adjName(a.kind, a.name) + (coupon ? ' ' + coupon : ''), '−' + yuan(a.amount_fen));
      if (a.kind === 'coupon' && a.ref) adl.lastChild.title = '券码 ' + a.ref;
    });
    if (!adl.children.length) pair(adl, '无优惠', '');

    var tot = $('od-totals');
    tot.innerHTML = '';
    pair(tot, '商品原价', yuan(o.total_list_fen || 0));
    if (o.discount_fen) pair(tot, '优惠合计', '−' + yuan(o.discount_fen));
    pair(tot, '订单金额', yuan(o.total_fen || 0), 'od-list__row_total');

    var td = $('od-tenders');
    td.innerHTML = '';
    var tenders = (o.tenders || []).filter(function (t) { return t.amount_fen; });
    tenders.forEach(function (t) {
      pair(td, tenderName(t.kind, t.name), yuan(t.amount_fen) + (t.kind === 'points' && o.points_used ? '（' + o.points_used + ' 积分）' : ''));
    });
    if (!tenders.length && o.points_fen) pair(td, '积分', yuan(o.points_fen) + '（' + o.points_used + ' 积分）');
    if (o.change_fen) pair(td, '找零', yuan(o.change_fen));
    if (o.refunded_fen) pair(td, '已退款', yuan(o.refunded_fen));

    var refunds = o.refunds || [];
    var rl = $('od-refunds');
    rl.innerHTML = '';
    refunds.forEach(function (rf) {
      var li = el('li', 'refund-history__item');
      li.appendChild(el('span', 'refund-history__amount', yuan(rf.amount_fen || 0)));
      li.appendChild(el('span', 'refund-history__status refund-history__status_' + (REFUND_STATUS[rf.status] ? rf.status : 'done'),
        REFUND_STATUS[rf.status] || '已退款'));
      var parts = [fullTime(rf.created_at || rf.done_at)];
      (rf.tenders || []).forEach(function (t) {
        if (t.amount_fen && t.kind !== 'points') parts.push(tenderName(t.kind, t.name) + ' ' + yuan(t.amount_fen));
      });
      if (rf.points_returned) parts.push('退回积分 ' + rf.points_returned);
      if (rf.coupons_returned && rf.coupons_returned.length) parts.push('退回优惠券 ' + rf.coupons_returned.join('、'));
      if (rf.reason) parts.push('原因：' + rf.reason);
      li.appendChild(el('span', 'refund-history__meta', parts.filter(Boolean).join(' · ')));
      if (rf.status === 'awaiting_approval' && may('approve')) li.appendChild(decideButtons(o, rf));
      rl.appendChild(li);
    });
    $('od-refunds-box').hidden = !refunds.length;

    $('od-complete').hidden = o.status !== 'paid' || !may('complete');
    $('od-cancel').hidden = o.status !== 'pending' || !may('cancel');
    $('od-refund').hidden = ['paid', 'completed', 'partially_refunded'].indexOf(o.status) < 0 || !may('refund');
    markCurrentRow();
  }

  function orderOf(r) {
    var d = r.body && r.body.data;
    return d && d.order ? d.order : d;
  }

  function openOrder(id, keepUrl) {
    return Staff.api('GET', '/orders/' + encodeURIComponent(id)).then(function (r) {
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      renderOrder(orderOf(r));
      if (!keepUrl) {
        try { history.replaceState(null, '', location.pathname + '?order=' + encodeURIComponent(id)); } catch (e) { /* ignore */ }
      }
      if (window.matchMedia && window.matchMedia('(max-width: 900px)').matches) $('order-detail').focus();
    });
  }

  function reloadCurrent() {
    if (!current) return Promise.resolve();
    return openOrder(current.id, true).then(function () { if (current) refreshRow(current); });
  }

  function act(what, done) {
    var id = current.id;
    var btn = $(what === 'complete' ? 'od-complete' : 'od-cancel');
    btn.disabled = true;
    /* cancel takes an Idempotency-Key (a retried click replays), complete needs none */
    var h = what === 'cancel' ? { 'Idempotency-Key': App.idemKey() } : {};
    Staff.api('POST', '/orders/' + id + '/' + what, {}, h).then(function (r) {
      btn.disabled = false;
      if (r.status !== 200 && r.status !== 201) { App.toast(App.errorText(r)); return; }
      App.toast(done);
      reloadCurrent();
    });
  }

  $('od-complete').addEventListener('click', function () { act('complete', '订单已标记完成'); });
  $('od-cancel').addEventListener('click', function () {
    if (!window.confirm('确定取消这笔未支付的订单吗？')) return;
    act('cancel', '订单已取消');
  });

  /* ---- refunds ---- */

  var dialog = $('refund-dialog');

  function mode() {
    var m = dialog.querySelector('input[name="rf-mode"]:checked');
    return m ? m.value : 'lines';
  }

  function modeRows() {
    var m = mode();
    $('rf-lines-box').hidden = m !== 'lines';
    $('rf-amount-box').hidden = m !== 'amount';
    $('rf-rest-box').hidden = m !== 'rest';
    $('rf-error').textContent = '';
  }

  Array.prototype.forEach.call(dialog.querySelectorAll('input[name="rf-mode"]'), function (r) {
    r.addEventListener('change', modeRows);
  });

  function openRefund() {
    var o = current;
    refundKey = App.idemKey();
    $('refund-form').hidden = false;
    $('rf-result').hidden = true;
    $('refund-form').reset();
    var body = $('rf-lines').tBodies[0];
    body.innerHTML = '';
    (o.lines || []).forEach(function (l) {
      var left = (l.card_uses || l.qty) - refundedQty(o, l);
      if (left <= 0) return;
      var tr = el('tr');
      var id = 'rf-qty-' + l.line_no;
      var name = el('td');
      var lab = el('label', null, l.name);
      lab.setAttribute('for', id);
      name.appendChild(lab);
      name.appendChild(el('span', 'refund-lines__net', '单价 ' + yuan(l.member_unit_fen === null || l.member_unit_fen === undefined ? l.unit_fen : l.member_unit_fen) + ' · 小计 ' + yuan(l.net_fen)));
      tr.appendChild(name);
      tr.appendChild(el('td', 'cc-num', String(left) + (l.card_uses ? ' 次（未用的可退）' : '')));
      var q = el('td', 'cc-num');
      var input = el('input', 'refund-lines__qty');
      input.type = 'number';
      input.min = '0';
      input.max = String(left);
      input.step = '1';
      input.value = '0';
      input.id = id;
      input.setAttribute('data-line', String(l.line_no));
      input.setAttribute('inputmode', 'numeric');
      q.appendChild(input);
      tr.appendChild(q);
      body.appendChild(tr);
    });
    modeRows();
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
  }

  function closeRefund() {
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }

  $('od-refund').addEventListener('click', openRefund);
  $('rf-close').addEventListener('click', closeRefund);
  $('rf-done').addEventListener('click', function () {
    closeRefund();
    reloadCurrent();
  });

  function showResult(status, d) {
    $('refund-form').hidden = true;
    $('rf-result').hidden = false;
    var list = $('rf-result-list');
    list.innerHTML = '';
    if (status === 202) {
      $('rf-result-title').textContent = '已提交店主审批';
      pair(list, '说明', '退款金额超过店主设置的审批金额，店主批准后原路退回');
    } else {
      var rf = d.refund || d;
      $('rf-result-title').textContent = '已退款 ' + yuan(rf.amount_fen || 0);
      var pointsFen = 0;
      (rf.tenders || []).forEach(function (t) {
        if (t.kind === 'points') pointsFen = t.amount_fen;
        else if (t.amount_fen) pair(list, '退回' + tenderName(t.kind, t.name), yuan(t.amount_fen));
      });
      if (rf.points_returned) pair(list, '退回积分', rf.points_returned + ' 积分' + (pointsFen ? '（抵 ' + yuan(pointsFen) + '）' : ''));
      if (rf.points_taken_back) pair(list, '扣回本单所得积分', rf.points_taken_back + ' 积分');
      var codes = rf.coupons_returned || [];
      pair(list, '退回优惠券', codes.length ? codes.join('、') : '无');
      if (rf.order_status) pair(list, '订单状态', statusName(rf.order_status));
    }
    $('rf-done').focus();
  }

  $('refund-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {}, m = mode(), err = '';
    if (m === 'lines') {
      var lines = [];
      Array.prototype.forEach.call($('rf-lines').querySelectorAll('.refund-lines__qty'), function (input) {
        var v = input.value.trim(), n = Number(v), max = Number(input.max);
        if (v === '' || n === 0) return;
        if (!/^\d+$/.test(v) || n > max) { err = err || '退货数量应为 0 到 ' + max + ' 的整数'; return; }
        lines.push({ line_no: Number(input.getAttribute('data-line')), qty: n });
      });
      if (!err && !lines.length) err = '请填写要退的商品数量';
      body.lines = lines;
    } else if (m === 'amount') {
      var f = App.yuanToFen($('rf-amount').value);
      if (!f) err = '请输入退款金额，如 12.50';
      body.amount_fen = f;
    }
    var reason = $('rf-reason').value.trim();
    if (reason) body.reason = reason;
    if (err) { $('rf-error').textContent = err; return; }
    $('rf-error').textContent = '';
    $('rf-submit').disabled = true;
    Staff.api('POST', '/orders/' + current.id + '/refunds', body, { 'Idempotency-Key': refundKey }).then(function (r) {
      $('rf-submit').disabled = false;
      if (r.status === 201 || r.status === 202 || r.status === 200) {
        refundKey = App.idemKey();
        showResult(r.status, (r.body && r.body.data) || {});
        return;
      }
      /* refused: nothing changed, so a changed request may take a new key */
      if (r.body && r.body.error) refundKey = App.idemKey();
      $('rf-error').textContent = App.errorText(r);
    });
  });

  /* ---- the filters ---- */

  $('orders-filter').addEventListener('submit', function (ev) {
    ev.preventDefault();
    loadOrders(false);
  });
  $('of-today').addEventListener('click', function () {
    $('of-from').value = dateWords(today(0));
    $('of-to').value = dateWords(today(0));
    loadOrders(false);
  });
  $('of-week').addEventListener('click', function () {
    $('of-from').value = dateWords(today(-6));
    $('of-to').value = dateWords(today(0));
    loadOrders(false);
  });
  $('of-clear').addEventListener('click', function () {
    $('of-store').value = '';
    $('of-status').value = '';
    $('of-from').value = '';
    $('of-to').value = '';
    loadOrders(false);
  });
  $('of-store').addEventListener('change', function () { loadOrders(false); });
  $('of-status').addEventListener('change', function () { loadOrders(false); });
  $('orders-more').addEventListener('click', function () { loadOrders(true); });

  window.StaffOrders = { parseDate: parseDate, fullTime: fullTime, shortTime: shortTime };

  var started = false;

  Staff.onSignedIn(function (staff) {
    me = staff;
    root.hidden = false;
    if (started) return;
    started = true;
    Staff.api('GET', '/stores').then(function (r) {
      stores = r.status === 200 ? r.body.data : [];
      var sel = $('of-store');
      stores.forEach(function (s) {
        storeNames[s.id] = s.name;
        var o = el('option', null, s.name);
        o.value = String(s.id);
        sel.appendChild(o);
      });
      var want = /[?&]order=(\d+)/.exec(location.search);
      loadOrders(false).then(function () { if (want) openOrder(want[1], true); });
    });
  });
  Staff.onSignedOut(function () { current = null; });
})();
