/*
 * The recharge page: pick a package or a custom amount, start an online
 * recharge (POST /me/recharges), then pay it. In dev and test the sandbox
 * provider is paid from here (POST /me/recharges/{id}/sandbox-pay).
 */
(function () {
  'use strict';
  var App = window.App;
  var form = document.getElementById('recharge-form');
  if (!form) return;

  var $ = App.byId;

  var current = null;	/* the pending recharge */
  var key = null;		/* Idempotency-Key of the choice being paid */

  function choice() {
    var c = form.querySelector('input[name=choice]:checked');
    return c ? c.value : null;
  }

  form.addEventListener('change', function () { key = null; });
  var custom = $('custom-yuan');
  if (custom) {
    custom.addEventListener('focus', function () { $('choice-custom').checked = true; key = null; });
    custom.addEventListener('input', function () { key = null; });
    /* the whole box picks the custom amount, not only the input */
    custom.parentNode.addEventListener('click', function (ev) { if (ev.target !== custom) custom.focus(); });
  }

  /* A suggestion picks its package, or fills in the custom amount. */
  Array.prototype.forEach.call(document.querySelectorAll('.topup__item'), function (b) {
    b.addEventListener('click', function () {
      var pkg = b.getAttribute('data-package-id');
      var input = pkg !== '0' ? form.querySelector('input[value="pkg:' + pkg + '"]') : $('choice-custom');
      if (!input) return;
      input.checked = true;
      if (pkg === '0' && custom) custom.value = App.fen(parseInt(b.getAttribute('data-pay-fen'), 10));
      Array.prototype.forEach.call(document.querySelectorAll('.topup__item'), function (x) {
        x.classList.toggle('topup__item_on', x === b);
      });
      key = null;
    });
  });

  function body() {
    var c = choice();
    if (!c) { App.toast('请选择充值套餐或填写金额'); return null; }
    if (c.indexOf('pkg:') === 0) return { package_id: parseInt(c.slice(4), 10) };
    var fen = App.yuanToFen(custom.value);
    var min = parseInt(custom.getAttribute('data-min-fen'), 10), max = parseInt(custom.getAttribute('data-max-fen'), 10);
    if (fen === null || fen < min || fen > max) {
      App.toast('充值金额应在 ' + App.fen(min) + ' 到 ' + App.fen(max) + ' 元之间');
      return null;
    }
    return { pay_fen: fen };
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var b = body();
    if (!b) return;
    if (form.getAttribute('data-online') !== 'true') { App.toast('暂不支持在线充值，请到门店充值'); return; }
    if (!key) key = App.idemKey();
    $('recharge-submit').disabled = true;
    App.api('POST', '/me/recharges', b, { 'Idempotency-Key': key }).then(function (r) {
      $('recharge-submit').disabled = false;
      if (r.status !== 201) { App.toast(App.errorText(r)); return; }
      current = r.body.data.recharge;
      $('pay-trade-no').textContent = current.payment.out_trade_no;
      $('pay-amount').textContent = App.yuan(current.pay_fen);
      var sandbox = form.getAttribute('data-sandbox') === 'true' && current.payment.provider === 'sandbox';
      $('pay-note').textContent = sandbox ? '测试环境：点击下方按钮模拟支付平台的成功回调。' :
        '请在支付平台完成支付，到账后余额自动更新。';
      $('sandbox-pay').hidden = !sandbox;
      $('recharge-pay').hidden = false;
      $('recharge-pay').scrollIntoView({ behavior: 'smooth' });
    });
  });

  $('sandbox-pay').addEventListener('click', function () {
    if (!current) return;
    $('sandbox-pay').disabled = true;
    App.api('POST', '/me/recharges/' + current.id + '/sandbox-pay').then(function (r) {
      $('sandbox-pay').disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      App.toast('充值成功，余额 ' + App.yuan(r.body.data.balance.total_fen));
      key = null;
      var topup = $('topup');
      setTimeout(function () {
        location.href = topup ? location.pathname + '?order_fen=' + topup.getAttribute('data-order-fen') :
          App.pageUrl('/wallet');
      }, 800);
    });
  });
})();
