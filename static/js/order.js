/*
 * One order's receipt (小票): GET /me/orders/{id} drawn line by line with
 * each discount's share, the adjustments, the totals, the tenders, what
 * the order earned and its refunds. A pending order shows what is due
 * with its payment (the sandbox is paid from here in dev and test, as the
 * recharge page does) and 取消订单 (POST /me/orders/{id}/cancel).
 */
(function () {
  'use strict';
  var App = window.App, O = window.Orders, el = App.el, $ = App.byId;
  var page = $('order-page');
  if (!page) return;
  var id = page.getAttribute('data-order-id');
  var sandbox = page.getAttribute('data-sandbox') === 'true';
  var order = null;

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /* A row of a <dl>: term, amount, and a class for the row. */
  function row(dl, term, value, cls) {
    var d = el('div', 'receipt-sum__row' + (cls ? ' ' + cls : ''));
    d.appendChild(el('dt', '', term));
    d.appendChild(el('dd', '', value));
    dl.appendChild(d);
    return d;
  }

  function adjBySeq(o) {
    var m = {};
    (o.adjustments || []).forEach(function (a) { m[a.seq] = a; });
    return m;
  }

  function line(l, adj) {
    var li = el('li', 'receipt-line');
    li.setAttribute('data-line-no', l.line_no);
    var hd = el('div', 'receipt-line__hd');
    var name = el('span', 'receipt-line__name', l.name);
    if (l.gift) name.appendChild(el('span', 'receipt-line__tag', '赠品'));
    hd.appendChild(name);
    hd.appendChild(el('span', 'receipt-line__qty', '×' + l.qty));
    hd.appendChild(el('span', 'receipt-line__net', App.yuan(l.net_fen)));
    li.appendChild(hd);
    var dl = el('dl', 'receipt-line__detail');
    row(dl, '原价', App.yuan(l.unit_fen) + (l.qty > 1 ? ' ×' + l.qty + ' = ' + App.yuan(l.list_fen) : ''));
    (l.allocations || []).forEach(function (s) {
      var a = adj[s.seq];
      if (!a || a.kind === 'points' || !s.amount_fen) return;	/* points pay; they take nothing off */
      var term = O.adjText(a);
      if (a.kind === 'member_price' && l.member_unit_fen !== null && l.member_unit_fen !== undefined) {
        term += ' ' + App.yuan(l.member_unit_fen) + (l.qty > 1 ? ' ×' + l.qty : '');
      }
      row(dl, term, O.minus(s.amount_fen), 'receipt-sum__row_off');
    });
    row(dl, '小计', App.yuan(l.net_fen), 'receipt-sum__row_net');
    li.appendChild(dl);
    return li;
  }

  function earned(o) {
    var e = o.earn || { points: o.earn_points, growth: o.earn_growth };
    var parts = [];
    if (e && e.points) parts.push(e.points + ' 积分');
    if (e && e.growth) parts.push(e.growth + ' 成长值');
    return parts.length ? '本单获得 ' + parts.join('、') : '';
  }

  function refundItem(f) {
    var li = el('li', 'receipt-refund');
    var hd = el('div', 'receipt-refund__hd');
    hd.appendChild(el('span', '', f.status === 'awaiting_approval' ? '退款审核中' : f.status === 'rejected' ? '退款未通过' : '已退款'));
    hd.appendChild(el('strong', '', App.yuan(f.amount_fen || 0)));
    li.appendChild(hd);
    var meta = [];
    if (f.created_at) meta.push(O.when(f.created_at));
    (f.tenders || []).forEach(function (t) {
      if (t.amount_fen) meta.push(O.tenderText(t) + ' ' + App.yuan(t.amount_fen));
    });
    if (f.points_returned) meta.push('退回 ' + f.points_returned + ' 积分');
    if (f.reason) meta.push(f.reason);
    if (meta.length) li.appendChild(el('p', 'receipt-refund__meta', meta.join(' · ')));
    return li;
  }

  /* What is left to pay online: the payment's amount, else the order's due. */
  function due(o) {
    return o.payment && typeof o.payment.amount_fen === 'number' ? o.payment.amount_fen : O.dueOf(o);
  }

  function render(o) {
    order = o;
    var adj = adjBySeq(o);
    $('order-loading').hidden = true;
    $('order').hidden = false;
    $('order').setAttribute('data-status', o.status);
    var st = $('order-status');
    st.textContent = O.statusText(o.status);
    st.className = 'receipt-head__status order-status_' + o.status;
    var pending = o.status === 'pending';
    $('order-total-label').textContent = pending ? '订单金额' : o.status === 'cancelled' ? '订单金额' : '合计';
    $('order-total').textContent = App.yuan(o.total_fen);
    var hint = $('order-hint');
    hint.hidden = true;
    if (pending && o.expires_at) {
      hint.textContent = '请在 ' + O.when(o.expires_at) + ' 前支付，超时自动取消';
      hint.hidden = false;
    } else if (o.status === 'cancelled') {
      hint.textContent = '订单已取消' + (o.cancelled_at ? '（' + O.when(o.cancelled_at) + '）' : '') + '，已用的余额、积分和优惠券按规则退回';
      hint.hidden = false;
    }

    $('receipt-title').textContent = O.storeName(o.store_id);
    $('order-no').textContent = o.id;
    $('order-time').textContent = O.when(o.created_at);

    var lines = $('order-lines');
    clear(lines);
    (o.lines || []).forEach(function (l) { lines.appendChild(line(l, adj)); });

    var sum = $('order-sum');
    clear(sum);
    row(sum, '商品原价', App.yuan(o.total_list_fen));
    (o.adjustments || []).forEach(function (a) {
      if (a.kind === 'points' || !a.amount_fen) return;
      row(sum, O.adjText(a), O.minus(a.amount_fen), 'receipt-sum__row_off');
    });
    if (o.discount_fen) row(sum, '共优惠', O.minus(o.discount_fen), 'receipt-sum__row_saved');
    row(sum, '合计', App.yuan(o.total_fen), 'receipt-sum__row_total');

    var tenders = $('order-tenders');
    clear(tenders);
    var tl = (o.tenders || []).filter(function (t) { return t.amount_fen > 0; });
    tl.forEach(function (t) {
      var term = O.tenderText(t);
      if (t.kind === 'points' && o.points_used) term += '（' + o.points_used + ' 积分）';
      if (t.kind === 'online' && pending) term += '（待支付）';
      else if (o.status === 'cancelled') term += t.kind === 'online' ? '（未支付）' : '（已退回）';
      row(tenders, term, App.yuan(t.amount_fen));
    });
    $('order-tenders-part').hidden = tl.length === 0;

    var e = pending || o.status === 'cancelled' ? '' : earned(o);
    $('order-earn').textContent = e;
    $('order-earn').hidden = !e;

    var refunds = $('order-refunds');
    clear(refunds);
    (o.refunds || []).forEach(function (f) { refunds.appendChild(refundItem(f)); });
    $('order-refunds-part').hidden = !(o.refunds && o.refunds.length);

    var pay = $('order-pay');
    pay.hidden = !pending;
    if (pending) {
      var p = o.payment;
      $('pay-due').textContent = App.yuan(due(o));
      var sb = sandbox && p && p.provider === 'sandbox';
      $('sandbox-pay').hidden = !sb;
      $('pay-note').textContent = sb ? '测试环境：点击下方按钮模拟支付平台的成功回调。' :
        p ? '请在支付平台完成支付，支付成功后订单状态自动更新。' : '订单尚未支付，可以取消后重新下单。';
    }
    var again = $('order-again');
    again.href = App.pageUrl('/menu/' + o.store_id);
    again.hidden = pending;
  }

  function fail(r) {
    $('order-loading').hidden = true;
    $('order').hidden = true;
    $('order-missing-text').textContent = r.status === 404 ? '订单不存在' : App.errorText(r);
    $('order-missing').hidden = false;
  }

  function load() {
    return App.api('GET', '/me/orders/' + encodeURIComponent(id)).then(function (r) {
      if (r.status !== 200) { fail(r); return; }
      render(r.body.data.order || r.body.data);
    }, function () { fail({ status: 0, body: null }); });
  }

  $('sandbox-pay').addEventListener('click', function () {
    var p = order && order.payment;
    if (!p) return;
    var b = $('sandbox-pay');
    b.disabled = true;
    var url = p.sandbox_pay_url || App.base + '/me/orders/' + order.id + '/sandbox-pay';
    App.api('POST', url).then(function (r) {
      b.disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      App.toast('支付成功');
      load();
    }, function () { b.disabled = false; App.toast('网络错误，请重试'); });
  });

  /* 取消订单 asks once more in the page (no browser dialog), then cancels. */
  var cancel = $('order-cancel'), confirmTimer = null, cancelKey = null;
  function unconfirm() {
    clearTimeout(confirmTimer);
    cancel.removeAttribute('data-confirm');
    cancel.textContent = '取消订单';
    cancel.classList.remove('order-cancel_confirm');
  }
  cancel.addEventListener('click', function () {
    if (cancel.getAttribute('data-confirm') !== 'true') {
      cancel.setAttribute('data-confirm', 'true');
      cancel.textContent = '确认取消订单';
      cancel.classList.add('order-cancel_confirm');
      confirmTimer = setTimeout(unconfirm, 5000);
      return;
    }
    clearTimeout(confirmTimer);
    cancel.disabled = true;
    if (!cancelKey) cancelKey = App.idemKey();	/* kept for a retry after a failure on the way */
    App.api('POST', '/me/orders/' + encodeURIComponent(id) + '/cancel', null, { 'Idempotency-Key': cancelKey }).then(function (r) {
      cancel.disabled = false;
      unconfirm();
      if (r.status < 500) cancelKey = null;
      if (r.status !== 200) {
        App.toast(App.errorText(r));
        load();
        return;
      }
      App.toast('订单已取消');
      var o = r.body.data && (r.body.data.order || r.body.data);
      if (o && o.status) render(o);
      else load();
    }, function () { cancel.disabled = false; unconfirm(); App.toast('网络错误，请重试'); });
  });

  load();
})();
