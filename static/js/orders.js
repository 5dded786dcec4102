/*
 * Orders on the member's phone. window.Orders: what the order pages share
 * (statuses, adjustment and tender names in Chinese, times as people
 * write them, the store names the page carries); then my orders
 * (GET /me/orders, 加载更多 with its cursor) when the page is that list.
 * order.js (the receipt) and menu.js (扫码点餐) load after this file.
 */
(function () {
  'use strict';
  var App = window.App, el = App.el;

  var STATUS = { pending: '待支付', paid: '已支付', completed: '已完成', cancelled: '已取消',
    refunded: '已退款', partially_refunded: '部分退款' };
  var ADJ = { member_price: '会员价', tier_discount: '等级折扣', coupon: '优惠券', points: '积分抵现',
    birthday: '生日优惠', member_day: '会员日优惠', holiday: '节日优惠' };
  var TENDER = { balance_principal: '余额本金', balance_bonus: '赠送金', points: '积分', cash: '现金',
    card: '银行卡', online: '在线支付' };

  function statusText(s) { return STATUS[s] || '处理中'; }

  /* "ABCD2345EFGH" -> "ABCD 2345 EFGH" */
  function spacedCode(c) { return String(c || '').replace(/(.{4})(?=.)/g, '$1 '); }

  /* An adjustment's name: 会员价, 优惠券 · 满50减10 (or its code), 积分抵现 ... */
  function adjText(a, couponName) {
    if (a.kind === 'coupon') {
      var n = couponName || (a.name && a.name !== '优惠券' ? a.name : '');
      return n ? '优惠券 · ' + n : '优惠券 ' + spacedCode(a.ref);
    }
    return ADJ[a.kind] || a.name || '优惠';
  }

  /* A tender {kind, name, amount_fen}: 余额本金, 赠送金, 积分, 现金, 银行卡, 在线支付. */
  function tenderText(t) { return TENDER[t.kind] || t.name || '其他'; }

  /* What is still to pay on an order: its cash, card and online parts (due_fen when given). */
  function dueOf(o) {
    if (typeof o.due_fen === 'number') return o.due_fen;
    return (o.tenders || []).reduce(function (s, t) {
      return s + (t.kind === 'online' || t.kind === 'cash' || t.kind === 'card' ? t.amount_fen : 0);
    }, 0);
  }

  /*
   * "2024-12-01T14:05:00+08:00" -> "12月1日 14:05" (the merchant's own
   * clock, as the API writes it); another year: "2023年12月1日 14:05".
   */
  function when(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(iso || '');
    if (!m) return '';
    var d = parseInt(m[2], 10) + '月' + parseInt(m[3], 10) + '日 ' + m[4] + ':' + m[5];
    return parseInt(m[1], 10) === new Date().getFullYear() ? d : m[1] + '年' + d;
  }

  /* "-¥2.00" for an amount taken off. */
  function minus(fen) { return '-' + App.yuan(fen); }

  var stores = {};
  Array.prototype.forEach.call(document.querySelectorAll('#store-names li'), function (li) {
    stores[li.getAttribute('data-id')] = li.textContent;
  });
  function storeName(id) { return stores[String(id)] || '门店'; }

  /* Items of an order in a few words: "拿铁 ×2、可颂 ×1" (the list's summary, or its lines). */
  function linesText(o) {
    if (o.lines) return o.lines.map(function (l) { return l.name + ' ×' + l.qty; }).join('、');
    return o.summary || '';
  }

  /* How many items, when the order has its lines (null when it has a summary only). */
  function count(o) {
    if (!o.lines) return null;
    return o.lines.reduce(function (n, l) { return n + (l.qty || 0); }, 0);
  }

  window.Orders = { statusText: statusText, adjText: adjText, tenderText: tenderText, dueOf: dueOf, when: when,
    minus: minus, storeName: storeName, spacedCode: spacedCode, linesText: linesText, count: count };

  /* ---- 我的订单 ---- */
  var list = App.byId('orders');
  if (!list) return;
  var more = App.byId('orders-more'), cursor = null;

  function card(o) {
    var a = el('a', 'order-card order-card_' + o.status);
    a.href = App.pageUrl('/orders/' + o.id);
    a.setAttribute('data-order-id', o.id);
    a.setAttribute('data-status', o.status);
    var top = el('div', 'order-card__top');
    top.appendChild(el('span', 'order-card__store', storeName(o.store_id)));
    top.appendChild(el('span', 'order-status order-status_' + o.status, statusText(o.status)));
    a.appendChild(top);
    a.appendChild(el('p', 'order-card__items', linesText(o) || '订单 ' + o.id));
    var foot = el('div', 'order-card__foot');
    foot.appendChild(el('span', 'order-card__time', when(o.created_at)));
    var sum = el('span', 'order-card__sum');
    var n = count(o), pending = o.status === 'pending';
    if (n !== null) sum.appendChild(el('span', 'order-card__count', '共 ' + n + ' 件 '));
    sum.appendChild(el('span', 'order-card__label', pending ? '待付 ' : o.status === 'cancelled' ? '合计 ' : '实付 '));
    sum.appendChild(el('strong', 'order-card__total', App.yuan(pending ? dueOf(o) : o.total_fen)));
    foot.appendChild(sum);
    a.appendChild(foot);
    return a;
  }

  function load() {
    more.disabled = true;
    return App.api('GET', '/me/orders' + App.query({ limit: 20, cursor: cursor })).then(function (r) {
      more.disabled = false;
      var loading = App.byId('orders-loading');
      if (loading) loading.parentNode.removeChild(loading);
      list.setAttribute('aria-busy', 'false');
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      r.body.data.forEach(function (o) { list.appendChild(card(o)); });
      cursor = r.body.next_cursor || null;
      App.byId('orders-more-area').hidden = !cursor;
      App.byId('orders-empty').hidden = list.querySelector('.order-card') !== null;
    }, function () {
      more.disabled = false;
      App.toast('网络错误，请重试');
    });
  }

  more.addEventListener('click', load);
  load();
})();
