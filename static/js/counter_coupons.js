/*
 * The counter page's coupon panel: after a member code scan, the
 * member's coupons usable at this store with a redeem button each; a box
 * to scan or type a coupon code with the order amount (a coupon's QR
 * scanned with the counter's camera lands there and is looked up). Redemptions carry
 * an Idempotency-Key kept until the attempt is answered, so a retried tap
 * never redeems twice.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('counter-coupons');
  if (!root || !Staff || !window.Counter) return;
  var Counter = window.Counter;

  var $ = App.byId, el = App.el;

  /* "12.5" -> 1250; '' -> null; NaN for anything else. */
  function orderFen() { return App.optionalFen($('cc-order').value); }

  function show(id, text, cls) {
    var e = $(id);
    e.textContent = text;
    e.className = id === 'cc-check' ? 'cc-check' : 'cc-result';
    if (cls) e.className += ' ' + cls;
    e.hidden = !text;
  }

  var pendingKey = null, pendingFor = '';

  function redeem(code, done) {
    var sid = Counter.storeId();
    var order = orderFen();
    code = App.couponCode(code);
    if (code.length !== 12) { App.toast('请输入 12 位券码'); return; }
    if (!sid) { App.toast('请选择门店'); return; }
    if (order !== order) { App.toast('订单金额格式不正确'); return; }
    var body = { coupon_code: code, store_id: sid };
    if (order !== null) body.order_fen = order;
    var what = JSON.stringify(body);
    if (!pendingKey || pendingFor !== what) { pendingKey = App.idemKey(); pendingFor = what; }
    $('cc-redeem').disabled = true;
    Counter.api('POST', '/redemptions', body, { 'Idempotency-Key': pendingKey }).then(function (r) {
      $('cc-redeem').disabled = false;
      pendingKey = null;
      show('cc-check', '');
      if (r.status !== 200) {
        show('cc-result', '核销失败：' + App.errorText(r), 'is-bad');
        App.toast(App.errorText(r));
        return;
      }
      var d = r.body.data.redemption;
      var msg = '已核销「' + d.name + '」';
      if (d.kind === 'gift') msg += '，请交付：' + (d.gift_item || '礼品');
      else msg += '，优惠 ' + App.yuan(d.discount_fen) + '，应付 ' + App.yuan(d.payable_fen);
      show('cc-result', msg, 'is-ok');
      App.toast('核销成功');
      $('cc-code').value = '';
      if (done) done(d);
    });
  }

  function lookup() {
    var code = App.couponCode($('cc-code').value), sid = Counter.storeId(), order = orderFen();
    if (code.length !== 12) { App.toast('请输入 12 位券码'); return; }
    if (!sid) { App.toast('请选择门店'); return; }
    var q = App.query({ store_id: sid, order_fen: order === order ? order : null });
    Counter.api('GET', '/coupons/' + encodeURIComponent(code) + q).then(function (r) {
      if (r.status !== 200) { show('cc-check', App.errorText(r), 'is-bad'); return; }
      var d = r.body.data, c = d.coupon, k = d.check;
      var text = c.name + '（' + c.summary + '）· ' + (d.member ? d.member.phone_masked : '');
      if (!k.ok) text += ' · 不可用：' + k.message;
      else if (k.discount_fen !== null) text += ' · 可减 ' + App.yuan(k.discount_fen) + '，应付 ' + App.yuan(k.payable_fen);
      else if (c.kind !== 'gift') text += ' · 可用，请输入订单金额';
      else text += ' · 可用';
      show('cc-check', text, k.ok ? '' : 'is-bad');
    });
  }

  function renderUsable(list) {
    var box = $('cc-usable');
    box.innerHTML = '';
    $('cc-usable-title').hidden = false;
    if (!list.length) {
      box.appendChild(el('div', 'weui-cell', '暂无可用优惠券'));
      return;
    }
    list.forEach(function (c) {
      var cell = el('div', 'weui-cell cc-item');
      cell.setAttribute('data-code', c.code);
      var bd = el('div', 'weui-cell__bd');
      bd.appendChild(el('p', 'cc-item__name', c.name + ' · ' + c.summary));
      bd.appendChild(el('p', 'cc-item__meta', c.code + ' · 有效期至 ' + App.dateTime(c.valid_until)));
      var ft = el('div', 'weui-cell__ft');
      var b = el('button', 'weui-btn weui-btn_mini weui-btn_primary cc-item__redeem', '核销');
      b.type = 'button';
      b.addEventListener('click', function () {
        $('cc-code').value = c.code;
        if (c.kind !== 'gift' && orderFen() === null) {
          App.toast('请先输入订单金额');
          $('cc-order').focus();
          return;
        }
        redeem(c.code, function () {
          cell.parentNode.removeChild(cell);
          if (!box.children.length) box.appendChild(el('div', 'weui-cell', '暂无可用优惠券'));
        });
      });
      ft.appendChild(b);
      cell.appendChild(bd);
      cell.appendChild(ft);
      box.appendChild(cell);
    });
  }

  document.addEventListener('counter:scan', function (ev) {
    var scan = ev.detail && ev.detail.scan;
    show('cc-result', '');
    show('cc-check', '');
    renderUsable(scan && scan.coupons ? scan.coupons : []);
  });

  /* A coupon scanned with the counter's camera (or typed in its box). */
  document.addEventListener('counter:coupon', function (ev) {
    $('cc-code').value = ev.detail.code;
    show('cc-result', '');
    root.scrollIntoView({ block: 'start' });
    lookup();
  });

  $('cc-redeem').addEventListener('click', function () { redeem($('cc-code').value); });
  $('cc-lookup').addEventListener('click', lookup);
  $('cc-code').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { ev.preventDefault(); lookup(); }
  });

  Staff.onSignedIn(function (staff) {
    root.hidden = !(staff.role === 'owner' || staff.role === 'cashier');
  });
})();
