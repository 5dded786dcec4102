/*
 * 积分商城: the items of GET /points-shop and the member's points, and
 * 兑换 on each item: POST /me/points-exchanges with an Idempotency-Key
 * kept until the attempt is answered, so a retried tap exchanges once.
 */
(function () {
  'use strict';
  var App = window.App, el = App.el;
  var root = document.getElementById('shop');
  if (!root) return;
  var signedIn = root.getAttribute('data-signed-in') === 'true';

  var REASON = { out_of_stock: '已兑完', limit_reached: '已达上限', insufficient_points: '积分不足' };

  function loadPoints() {
    if (!signedIn) { App.byId('shop-points').textContent = '登录后查看'; return; }
    App.api('GET', '/me/points' + App.query({ limit: 1 })).then(function (r) {
      if (r.status === 200) App.byId('shop-points').textContent = String(r.body.data.points);
    });
  }

  function item(it) {
    var card = el('article', 'shop-item');
    card.id = 'item-' + it.id;
    card.appendChild(el('div', 'shop-item__badge', it.coupon.summary));
    var bd = el('div', 'shop-item__body');
    bd.appendChild(el('h2', 'shop-item__title', it.title));
    bd.appendChild(el('p', 'shop-item__meta', '剩余 ' + it.stock_left + ' 份 · 每人限兑 ' + it.per_member_limit + ' 次' +
      (it.exchanged_by_me ? ' · 已兑 ' + it.exchanged_by_me + ' 次' : '')));
    bd.appendChild(el('p', 'shop-item__points', it.points + ' 积分'));
    card.appendChild(bd);
    var act = el('div', 'shop-item__action');
    var ok = !signedIn || it.exchangeable;
    var btn = el('button', 'weui-btn weui-btn_mini ' + (ok ? 'weui-btn_primary' : 'weui-btn_default') + ' shop-exchange',
      ok ? '兑换' : (REASON[it.reason] || '不可兑换'));
    btn.type = 'button';
    btn.disabled = !ok;
    btn.setAttribute('data-item-id', String(it.id));
    btn.addEventListener('click', function () { exchange(btn, it); });
    act.appendChild(btn);
    card.appendChild(act);
    return card;
  }

  function load() {
    App.api('GET', '/points-shop').then(function (r) {
      root.innerHTML = '';
      if (r.status !== 200) { root.appendChild(el('p', 'app-note', App.errorText(r))); return; }
      if (!r.body.data.length) { root.appendChild(el('p', 'app-note', '暂时没有可兑换的商品')); return; }
      r.body.data.forEach(function (it) { root.appendChild(item(it)); });
    });
    loadPoints();
  }

  function exchange(btn, it) {
    if (!signedIn) { window.location.href = App.pageUrl('/join?next=' + encodeURIComponent(window.location.pathname)); return; }
    if (!window.confirm('使用 ' + it.points + ' 积分兑换「' + it.title + '」？')) return;
    if (!btn._key) btn._key = App.idemKey();
    btn.disabled = true;
    App.api('POST', '/me/points-exchanges', { item_id: it.id }, { 'Idempotency-Key': btn._key }).then(function (r) {
      btn._key = null;
      if (r.status === 201) {
        App.toast('兑换成功，优惠券已放入我的券');
        load();
        return;
      }
      App.toast(App.errorText(r));
      if (r.status === 409 || r.status === 404) load();
      else btn.disabled = false;
    }, function () {
      btn.disabled = false;
      App.toast('网络错误，请重试');
    });
  }

  load();
})();
