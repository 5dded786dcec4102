/*
 * A partner store's 核销 page (templates/pages/staff_partner.html): all a
 * partner account sees. Scan a coupon's QR with the phone's camera or type
 * its code, look it up (only coupons the merchant shares with this store
 * are found), redeem it with the amount spent, and the latest redemptions
 * of this account. A redemption carries an Idempotency-Key kept until the
 * attempt is answered, so a retried tap never redeems twice. Other roles
 * get the #console-auth note. Uses window.Staff from staff.js.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;
  var $ = App.byId, el = App.el;
  var store = null, scanner = null, pendingKey = null, pendingFor = '';

  function show(id, text, cls) {
    var e = $(id);
    e.textContent = text;
    e.className = (id === 'pt-check' ? 'cc-check' : 'cc-result') + (cls ? ' ' + cls : '');
    e.hidden = !text;
  }

  function code() { return App.couponCode($('pt-code').value); }

  function checked(c) {
    if (c.length !== 12) { App.toast('请输入 12 位券码'); return false; }
    if (!store) { App.toast('账号未关联营业中的合作门店，请联系商家'); return false; }
    return true;
  }

  function lookup() {
    var c = code(), order = App.optionalFen($('pt-order').value);
    show('pt-result', '');
    if (!checked(c)) return;
    var q = App.query({ store_id: store.id, order_fen: order === order ? order : null });
    Staff.api('GET', '/coupons/' + encodeURIComponent(c) + q).then(function (r) {
      if (r.status !== 200) { show('pt-check', App.errorText(r), 'is-bad'); return; }
      var d = r.body.data, k = d.check;
      var text = d.coupon.name + '（' + d.coupon.summary + '）';
      if (!k.ok) text += ' · 不可用：' + k.message;
      else if (k.discount_fen !== null) text += ' · 可减 ' + App.yuan(k.discount_fen) + '，应付 ' + App.yuan(k.payable_fen);
      else if (d.coupon.kind !== 'gift') text += ' · 可用，请输入消费金额';
      else text += ' · 可用';
      show('pt-check', text, k.ok ? '' : 'is-bad');
    });
  }

  function redeem() {
    var c = code(), order = App.optionalFen($('pt-order').value);
    if (!checked(c)) return;
    if (order !== order) { App.toast('消费金额格式不正确'); return; }
    var body = { coupon_code: c, store_id: store.id };
    if (order !== null) body.order_fen = order;
    var what = JSON.stringify(body);
    if (!pendingKey || pendingFor !== what) { pendingKey = App.idemKey(); pendingFor = what; }
    $('pt-redeem').disabled = true;
    Staff.api('POST', '/redemptions', body, { 'Idempotency-Key': pendingKey }).then(function (r) {
      $('pt-redeem').disabled = false;
      pendingKey = null;
      show('pt-check', '');
      if (r.status !== 200) {
        show('pt-result', '核销失败：' + App.errorText(r), 'is-bad');
        return;
      }
      var d = r.body.data.redemption;
      var msg = '已核销「' + d.name + '」';
      if (d.kind === 'gift') msg += '，请交付：' + (d.gift_item || '礼品');
      else msg += '，优惠 ' + App.yuan(d.discount_fen) + '，应付 ' + App.yuan(d.payable_fen);
      show('pt-result', msg, 'is-ok');
      App.toast('核销成功');
      $('pt-code').value = '';
      $('pt-order').value = '';
      recent();
    });
  }

  function recent() {
    return Staff.api('GET', '/redemptions?limit=20').then(function (r) {
      var box = $('pt-recent');
      box.innerHTML = '';
      var list = r.status === 200 ? r.body.data : [];
      if (!list.length) { box.appendChild(el('div', 'weui-cell pt-empty', '还没有核销记录')); return; }
      list.forEach(function (x) {
        var cell = el('div', 'weui-cell pt-row');
        var bd = el('div', 'weui-cell__bd');
        bd.appendChild(el('p', 'pt-row__name', x.name));
        bd.appendChild(el('p', 'pt-row__meta', App.dateTime(x.redeemed_at) + ' · ' + x.coupon_code));
        cell.appendChild(bd);
        cell.appendChild(el('div', 'weui-cell__ft pt-row__amount',
          x.kind === 'gift' ? (x.gift_item || '礼品') : '-' + App.yuan(x.discount_fen)));
        box.appendChild(cell);
      });
    });
  }

  /* The camera: a coupon's QR holds its code (alone or at the end of a link). */
  function stopCamera() {
    if (!scanner) return Promise.resolve();
    var s = scanner;
    scanner = null;
    return s.stop().catch(function () { /* stopped */ }).then(function () {
      $('pt-reader').hidden = true;
      $('pt-camera').textContent = '扫码';
    });
  }

  function fromQr(text) {
    var c = App.couponCode(text);
    if (App.COUPON_CODE.test(c)) return c;
    var m = /([2-9A-HJKMNP-Z]{12})(?:[^A-Z0-9].*)?$/.exec(String(text).toUpperCase());
    return m ? m[1] : c;
  }

  $('pt-camera').addEventListener('click', function () {
    if (scanner) { stopCamera(); return; }
    var go = function () {
      $('pt-reader').hidden = false;
      scanner = new window.Html5Qrcode('pt-reader');
      $('pt-camera').textContent = '停止扫码';
      scanner.start({ facingMode: 'environment' }, { fps: 10, qrbox: 220 }, function (decoded) {
        stopCamera().then(function () { $('pt-code').value = fromQr(decoded); lookup(); });
      }, function () { /* no code in this frame */ }).catch(function () {
        scanner = null;
        $('pt-reader').hidden = true;
        $('pt-camera').textContent = '扫码';
        App.toast('无法打开摄像头，请手动输入券码');
      });
    };
    if (window.Html5Qrcode) { go(); return; }
    var s = document.createElement('script');
    s.src = '/static/vendor/html5-qrcode.min.js';
    s.onload = go;
    s.onerror = function () { App.toast('扫码组件加载失败，请手动输入'); };
    document.head.appendChild(s);
  });

  $('pt-lookup').addEventListener('click', lookup);
  $('pt-redeem').addEventListener('click', redeem);
  $('pt-code').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { ev.preventDefault(); lookup(); }
  });

  Staff.onSignedOut(function () { $('console-auth').hidden = false; root.hidden = true; });
  Staff.onSignedIn(function (staff) {
    var mine = staff.role === 'partner';
    $('console-auth').hidden = mine;
    root.hidden = !mine;
    if (!mine) return;
    Staff.api('GET', '/stores').then(function (r) {
      store = r.status === 200 && r.body.data.length ? r.body.data[0] : null;
      $('pt-store').textContent = store ? store.name + (store.address ? ' · ' + store.address : '') :
        '账号未关联营业中的合作门店，请联系商家';
      root.setAttribute('data-ready', '');
    });
    recent();
  });
})();
