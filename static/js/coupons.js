/*
 * Coupon pages: claim from the coupon centre (with an Idempotency-Key, so
 * a retried tap never claims twice) and redeem a typed promo code.
 */
(function () {
  'use strict';
  var App = window.App;

  var $ = App.byId;

  function page(q) { return App.pageUrl('/coupons' + (q || '')); }

  /* What a refused claim means for its button. */
  var FINAL = { out_of_stock: '已抢光', limit_reached: '已领取', ended: '已结束', not_eligible: '不可领取' };

  function bumpUnused() {
    var b = $('nav-unused');
    if (b) b.textContent = String((parseInt(b.textContent, 10) || 0) + 1);
  }

  function claim(btn) {
    var id = parseInt(btn.getAttribute('data-template-id'), 10);
    var card = $('tpl-' + id);
    var centre = $('centre');
    if (centre && centre.getAttribute('data-signed-in') !== 'true') {
      location.href = page('?signin=1');
      return;
    }
    if (!btn._key) btn._key = App.idemKey();
    btn.disabled = true;
    App.api('POST', '/coupons', { template_id: id }, { 'Idempotency-Key': btn._key }).then(function (r) {
      btn._key = null;
      if (r.status === 201) {
        var mine = (parseInt(btn.getAttribute('data-mine'), 10) || 0) + 1;
        var limit = parseInt(btn.getAttribute('data-limit'), 10) || 1;
        btn.setAttribute('data-mine', String(mine));
        var left = card && card.querySelector('.coupon-card__left');
        if (left) left.textContent = String(Math.max(0, (parseInt(left.textContent, 10) || 1) - 1));
        if (mine >= limit) {
          btn.textContent = '已领取';
          btn.className = 'weui-btn weui-btn_mini weui-btn_default coupon-claim';
        } else {
          btn.textContent = '再领一张';
          btn.disabled = false;
        }
        bumpUnused();
        App.toast('领取成功，已放入“我的券”');
        return;
      }
      if (r.status === 401) { location.href = page('?signin=1'); return; }
      if (r.status === 403 && r.body && r.body.error && r.body.error.code === 'not_member') {
        location.href = App.pageUrl('/join');
        return;
      }
      var code = r.body && r.body.error ? r.body.error.code : '';
      if (FINAL[code]) {
        btn.textContent = FINAL[code];
        btn.className = 'weui-btn weui-btn_mini weui-btn_default coupon-claim';
        if (code === 'out_of_stock') {
          var l = card && card.querySelector('.coupon-card__left');
          if (l) l.textContent = '0';
        }
      } else {
        btn.disabled = false;
      }
      App.toast(App.errorText(r));
    });
  }

  var centre = $('centre');
  if (centre) {
    centre.addEventListener('click', function (ev) {
      var btn = ev.target.closest('button.coupon-claim');
      if (btn && !btn.disabled) claim(btn);
    });
  }

  var promo = $('promo-form');
  if (promo) {
    promo.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var code = App.couponCode($('promo-code').value);
      if (!App.COUPON_CODE.test(code)) { App.toast('优惠码应为 12 位字母或数字'); return; }
      if (!promo._key || promo._code !== code) { promo._key = App.idemKey(); promo._code = code; }
      $('promo-submit').disabled = true;
      App.api('POST', '/coupons/redeem-code', { promo_code: code }, { 'Idempotency-Key': promo._key }).then(function (r) {
        $('promo-submit').disabled = false;
        if (r.status === 201) {
          App.toast('兑换成功');
          setTimeout(function () { location.href = page('?tab=mine&status=unused'); }, 800);
          return;
        }
        promo._key = null;
        App.toast(App.errorText(r));
      });
    });
  }
})();
