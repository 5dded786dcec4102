/*
 * The counter page's wallet panel: after a scan ('counter:scan' on
 * document), charge an order from the member's balance, take a recharge
 * (cash or card) and refund a payment, with the scan's ticket through
 * window.Counter (which adds the CSRF header). Each action keeps its
 * Idempotency-Key until an answer arrives, so a retry never charges twice.
 */
(function () {
  'use strict';
  var App = window.App;
  var panel = document.getElementById('counter-wallet');
  if (!panel) return;

  var $ = App.byId, el = App.el;

  var member = null;
  var keys = {};

  function keyFor(action, body) {
    var sig = action + ':' + JSON.stringify(body);
    if (!keys[sig]) keys[sig] = App.idemKey();
    return { sig: sig, key: keys[sig] };
  }

  function showBalance(b) {
    if (!b) return;
    $('cw-balance').textContent = App.yuan(b.total_fen);
    $('cw-split').textContent = '本金 ' + App.fen(b.principal_fen) + ' · 赠送金 ' + App.fen(b.bonus_fen);
  }

  function send(action, method, path, body, done) {
    var k = keyFor(action, body);
    return window.Counter.api(method, path, body, { 'Idempotency-Key': k.key }).then(function (r) {
      delete keys[k.sig];
      if (r.status !== 201) { App.toast(App.errorText(r)); return; }
      done(r.body.data);
    });
  }

  function loadPackages() {
    App.api('GET', '/recharge-packages').then(function (r) {
      var sel = $('cw-package');
      sel.innerHTML = '';
      (r.status === 200 ? r.body.data : []).forEach(function (p) {
        var o = el('option', null, p.label + (p.recommended ? '（推荐）' : ''));
        o.value = String(p.id);
        sel.appendChild(o);
      });
      var c = el('option', null, '自定义金额');
      c.value = 'custom';
      sel.appendChild(c);
      $('cw-custom-row').hidden = sel.value !== 'custom';
    });
  }

  function loadPayments() {
    if (!member) return;
    window.Counter.api('GET', '/payments' + App.query({ limit: 5, member_id: member.id })).then(function (r) {
      var list = $('cw-payments');
      list.innerHTML = '';
      if (r.status !== 200) return;
      r.body.data.forEach(function (p) {
        var cell = el('div', 'weui-cell');
        var bd = el('div', 'weui-cell__bd', '#' + p.id + ' 余额支付 ' + App.yuan(p.paid_fen) + '，可退 ' + App.yuan(p.refundable_fen));
        var ft = el('div', 'weui-cell__ft');
        if (p.refundable_fen > 0) {
          var b = el('button', 'weui-btn weui-btn_mini weui-btn_default', '选择');
          b.type = 'button';
          b.addEventListener('click', function () { $('cw-refund-id').value = String(p.id); });
          ft.appendChild(b);
        }
        cell.appendChild(bd);
        cell.appendChild(ft);
        list.appendChild(cell);
      });
    });
  }

  document.addEventListener('counter:scan', function (ev) {
    var scan = ev.detail && ev.detail.scan;
    if (!scan) return;
    member = scan.member;
    panel.hidden = false;
    showBalance(scan.balance);
    $('cw-pay-result').hidden = true;
    $('cw-order').value = '';
    $('cw-refund-id').value = '';
    $('cw-refund-yuan').value = '';
    loadPackages();
    loadPayments();
  });

  $('cw-package').addEventListener('change', function () {
    $('cw-custom-row').hidden = $('cw-package').value !== 'custom';
  });

  $('cw-pay').addEventListener('click', function () {
    var fen = App.yuanToFen($('cw-order').value);
    if (!fen) { App.toast('请输入订单金额'); return; }
    var ticket = window.Counter.ticket();
    if (!ticket) { App.toast('请先扫描会员码'); return; }
    $('cw-pay').disabled = true;
    send('pay', 'POST', '/payments', { ticket: ticket, order_fen: fen }, function (d) {
      var p = d.payment;
      var res = $('cw-pay-result');
      res.textContent = '';
      [
        '余额支付 ' + App.yuan(p.paid_fen) + '（本金 ' + App.yuan(p.principal_fen) + '，赠送金 ' + App.yuan(p.bonus_fen) + '）',
        p.remaining_due_fen > 0 ? '还需另付 ' + App.yuan(p.remaining_due_fen) : '本单已全部用余额付清',
        '支付单号 #' + p.id + '，成长值 +' + p.growth_added + '，积分 +' + p.points_added
      ].forEach(function (line) { res.appendChild(el('div', null, line)); });
      res.className = 'cw-result' + (p.remaining_due_fen > 0 ? ' cw-result_due' : '');
      res.hidden = false;
      showBalance(p.balance_after);
      $('cw-refund-id').value = String(p.id);
      loadPayments();
    }).then(function () { $('cw-pay').disabled = false; }, function () {
      $('cw-pay').disabled = false;
      App.toast('网络错误，请重试');
    });
  });

  $('cw-recharge').addEventListener('click', function () {
    var ticket = window.Counter.ticket();
    if (!ticket) { App.toast('请先扫描会员码'); return; }
    var body = { ticket: ticket, method: $('cw-method').value };
    if ($('cw-package').value === 'custom') {
      var fen = App.yuanToFen($('cw-custom').value);
      if (!fen) { App.toast('请输入充值金额'); return; }
      body.pay_fen = fen;
    } else {
      body.package_id = parseInt($('cw-package').value, 10);
    }
    $('cw-recharge').disabled = true;
    send('recharge', 'POST', '/recharges', body, function (d) {
      showBalance(d.balance);
      App.toast('充值成功 ' + App.yuan(d.recharge.pay_fen) + (d.recharge.bonus_fen ? ' 送 ' + App.yuan(d.recharge.bonus_fen) : ''));
    }).then(function () { $('cw-recharge').disabled = false; }, function () {
      $('cw-recharge').disabled = false;
      App.toast('网络错误，请重试');
    });
  });

  $('cw-refund').addEventListener('click', function () {
    var id = parseInt($('cw-refund-id').value, 10);
    if (!id) { App.toast('请输入支付单号'); return; }
    var body = {};
    if ($('cw-refund-yuan').value.trim()) {
      var fen = App.yuanToFen($('cw-refund-yuan').value);
      if (!fen) { App.toast('退款金额格式不正确'); return; }
      body.amount_fen = fen;
    }
    $('cw-refund').disabled = true;
    send('refund:' + id, 'POST', '/payments/' + id + '/refund', body, function (d) {
      showBalance(d.balance_after);
      App.toast('已退款 ' + App.yuan(d.refund.amount_fen));
      $('cw-refund-yuan').value = '';
      loadPayments();
    }).then(function () { $('cw-refund').disabled = false; }, function () {
      $('cw-refund').disabled = false;
      App.toast('网络错误，请重试');
    });
  });
})();
