/*
 * 扫码点餐: a store's menu (GET /products?store_id=) by category with the
 * member's price, a cart with + and -, priced live by POST
 * /me/orders/quote (coupons the engine chose, which the member may change,
 * points and balance toggles), and 下单支付: POST /me/orders with the same
 * body, the quote's hash and, when something is left to pay, an online
 * tender. The Idempotency-Key is new for every order body and kept when
 * the same body is sent again after a failure on the way. A pending order
 * goes to its receipt page, which pays it (the sandbox in dev and test)
 * or cancels it. The cart lives in sessionStorage while the tab is open,
 * so that a trip to the recharge page does not lose it.
 */
(function () {
  'use strict';
  var App = window.App, O = window.Orders, el = App.el, $ = App.byId;
  var root = $('menu');
  if (!root) return;

  var storeId = parseInt(root.getAttribute('data-store-id'), 10);
  var points = parseInt(root.getAttribute('data-points'), 10) || 0;
  var balanceFen = parseInt(root.getAttribute('data-balance-fen'), 10) || 0;
  var cartKey = 'cart:' + App.merchant + ':' + storeId;

  var products = {};	/* id -> product */
  var cart = [];		/* [{product_id, qty}] in the order added */
  var couponMode = 'auto';	/* 'auto': the engine proposes; 'pick': exactly picked[] */
  var picked = [];
  var known = [];		/* coupon codes the quotes offered, in the order first seen */
  var couponNames = {};
  var usePoints = false;
  var useBalance = balanceFen > 0;
  var quote = null, quoteBody = null, quoteSeq = 0, quoteTimer = null, quoteErr = null;
  var key = null, keyBody = null;
  var submitting = false;

  var REASON = {
    not_best: '可用，未选', threshold_not_met: '未达使用门槛', no_discount: '本单不减价',
    not_stackable: '不可与其他券同用', limit_exceeded: '超出可叠加张数', store_not_allowed: '本店不可用',
    not_eligible: '不符合使用条件', expired: '已过期', not_started: '未到使用时间', used: '已使用',
    cancelled: '已作废', not_found: '不可用', duplicate: '重复选择'
  };

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function qtyOf(id) {
    for (var i = 0; i < cart.length; i++) if (cart[i].product_id === id) return cart[i].qty;
    return 0;
  }

  function setQty(id, q) {
    var i;
    for (i = 0; i < cart.length && cart[i].product_id !== id; i++);
    if (q <= 0) { if (i < cart.length) cart.splice(i, 1); }
    else if (i < cart.length) cart[i].qty = Math.min(q, 99);
    else cart.push({ product_id: id, qty: Math.min(q, 99) });
    save();
    changed();
  }

  function save() {
    try { sessionStorage.setItem(cartKey, JSON.stringify(cart)); } catch (e) { /* private mode */ }
  }

  function restore() {
    var c;
    try { c = JSON.parse(sessionStorage.getItem(cartKey) || '[]'); } catch (e) { c = []; }
    cart = (Array.isArray(c) ? c : []).filter(function (l) {
      return l && products[l.product_id] && l.qty > 0;
    }).map(function (l) { return { product_id: l.product_id, qty: Math.min(l.qty | 0, 99) }; });
  }

  function memberPrice(p) {
    return p.member_price_fen !== null && p.member_price_fen !== undefined && p.member_price_fen < p.price_fen ?
      p.member_price_fen : null;
  }

  /* What the cart costs before the quote answers: member prices, nothing else. */
  function roughTotal() {
    return cart.reduce(function (s, l) {
      var p = products[l.product_id], mp = memberPrice(p);
      return s + (mp !== null ? mp : p.price_fen) * l.qty;
    }, 0);
  }

  function count() { return cart.reduce(function (n, l) { return n + l.qty; }, 0); }

  /* ---- the menu ---- */

  function stepper(p, cls) {
    var box = el('div', 'stepper' + (cls ? ' ' + cls : ''));
    box.setAttribute('data-product-id', p.id);
    var dec = el('button', 'stepper__btn stepper__btn_dec');
    dec.type = 'button';
    dec.setAttribute('aria-label', '减少一份' + p.name);
    dec.appendChild(el('span', 'stepper__glyph', '−'));
    var n = el('span', 'stepper__qty');
    n.setAttribute('aria-live', 'polite');
    var inc = el('button', 'stepper__btn stepper__btn_inc');
    inc.type = 'button';
    inc.setAttribute('aria-label', '加一份' + p.name);
    inc.appendChild(el('span', 'stepper__glyph', '+'));
    dec.addEventListener('click', function () { setQty(p.id, qtyOf(p.id) - 1); });
    inc.addEventListener('click', function () { setQty(p.id, qtyOf(p.id) + 1); });
    box.appendChild(dec);
    box.appendChild(n);
    box.appendChild(inc);
    return box;
  }

  function item(p) {
    var li = el('li', 'menu-item');
    li.setAttribute('data-product-id', p.id);
    var bd = el('div', 'menu-item__bd');
    bd.appendChild(el('h3', 'menu-item__name', p.name));
    var price = el('p', 'menu-item__price');
    var mp = memberPrice(p);
    if (mp !== null) {
      var m = el('span', 'menu-item__member');
      m.appendChild(el('span', 'menu-item__tag', '会员价'));
      m.appendChild(el('strong', 'menu-item__member-price', App.yuan(mp)));
      price.appendChild(m);
      var list = el('s', 'menu-item__list', App.yuan(p.price_fen));
      list.setAttribute('aria-label', '原价 ' + App.yuan(p.price_fen));
      price.appendChild(list);
    } else {
      price.appendChild(el('strong', 'menu-item__list-price', App.yuan(p.price_fen)));
    }
    bd.appendChild(price);
    li.appendChild(bd);
    li.appendChild(stepper(p));
    return li;
  }

  function drawMenu(list) {
    var box = $('menu-list'), nav = $('menu-cats');
    clear(box);
    clear(nav);
    box.setAttribute('aria-busy', 'false');
    var groups = [], byCat = {};
    list.forEach(function (p) {
      products[p.id] = p;
      var c = p.category || '其他';
      if (!byCat[c]) { byCat[c] = []; groups.push(c); }
      byCat[c].push(p);
    });
    groups.forEach(function (c, i) {
      var sec = el('section', 'menu-cat');
      sec.id = 'cat-' + i;
      sec.setAttribute('aria-labelledby', 'cat-title-' + i);
      var h = el('h2', 'menu-cat__title', c);
      h.id = 'cat-title-' + i;
      sec.appendChild(h);
      var ul = el('ul', 'menu-items');
      byCat[c].forEach(function (p) { ul.appendChild(item(p)); });
      sec.appendChild(ul);
      box.appendChild(sec);
      var a = el('a', 'menu-cats__item', c);
      a.href = '#cat-' + i;
      nav.appendChild(a);
    });
    nav.hidden = groups.length < 2;
    $('menu-empty').hidden = list.length > 0;
  }

  /* Every page of the menu (the list may come in pages). */
  function loadMenu() {
    var all = [];
    function page(cursor, n) {
      return App.api('GET', '/products' + App.query({ store_id: storeId, limit: 100, cursor: cursor })).then(function (r) {
        if (r.status !== 200) throw r;
        var d = r.body.data;
        all = all.concat(Array.isArray(d) ? d : (d && d.products) || []);
        if (r.body.next_cursor && n < 20) return page(r.body.next_cursor, n + 1);
        return all;
      });
    }
    return page(null, 0).then(function (list) {
      $('menu-loading').hidden = true;
      drawMenu(list.filter(function (p) { return p.active !== false; }));
      restore();
      changed();
    }, function (r) {
      $('menu-loading').textContent = r && r.body ? App.errorText(r) : '菜单加载失败，请刷新重试';
    });
  }

  function loadCoupons() {
    return App.api('GET', '/me/coupons' + App.query({ status: 'unused', limit: 100 })).then(function (r) {
      if (r.status !== 200 || !Array.isArray(r.body.data)) return;
      r.body.data.forEach(function (c) { couponNames[c.code] = c.name; });
    }, function () { /* codes stand in for names */ });
  }

  /* ---- the quote ---- */

  function body() {
    var b = { store_id: storeId, lines: cart.map(function (l) { return { product_id: l.product_id, qty: l.qty }; }) };
    if (couponMode === 'pick') b.coupon_codes = picked.slice();
    if (usePoints && points > 0) b.points = points;
    b.use_balance = useBalance;
    /* what the balance and points leave goes online; the quote's hash covers the tenders, so both name it */
    b.tenders = [{ kind: 'online' }];
    return b;
  }

  function changed() {
    drawCounts();
    drawBar();
    clearTimeout(quoteTimer);
    if (!cart.length) {
      quote = null;
      quoteErr = null;
      quoteSeq++;
      root.removeAttribute('data-quoting');
      drawCheckout();
      closeSheet();
      return;
    }
    quoteSeq++;	/* a quote still on its way is of another cart: it is dropped */
    root.setAttribute('data-quoting', 'true');
    quoteTimer = setTimeout(requote, 250);
    $('order-submit').disabled = true;
    $('checkout-due').textContent = '正在计算价格…';
  }

  function requote() {
    var seq = ++quoteSeq, b = body(), s = JSON.stringify(b);
    root.setAttribute('data-quoting', 'true');
    return App.api('POST', '/me/orders/quote', b).then(function (r) {
      if (seq !== quoteSeq) return;
      root.removeAttribute('data-quoting');
      if (r.status !== 200) {
        quote = null;
        quoteErr = App.errorText(r);
      } else {
        quote = r.body.data;
        quoteBody = s;
        quoteErr = null;
        learnCoupons(quote);
      }
      drawBar();
      drawCheckout();
    }, function () {
      if (seq !== quoteSeq) return;
      root.removeAttribute('data-quoting');
      quote = null;
      quoteErr = '网络错误，价格暂未更新';
      drawBar();
      drawCheckout();
    });
  }

  function chosenCodes(q) {
    return (q.adjustments || []).filter(function (a) { return a.kind === 'coupon' && a.ref; })
      .map(function (a) { return a.ref; });
  }

  function learnCoupons(q) {
    (q.coupons_offered || []).forEach(function (c) { if (c.name) couponNames[c.code] = c.name; });
    chosenCodes(q).concat((q.skipped || []).map(function (s) { return s.coupon_code; })).forEach(function (c) {
      if (c && known.indexOf(c) < 0) known.push(c);
    });
  }

  /* ---- drawing ---- */

  function drawCounts() {
    Array.prototype.forEach.call(document.querySelectorAll('.stepper'), function (s) {
      var q = qtyOf(parseInt(s.getAttribute('data-product-id'), 10));
      s.querySelector('.stepper__qty').textContent = q ? String(q) : '';
      s.querySelector('.stepper__btn_dec').hidden = !q;
      s.classList.toggle('stepper_on', q > 0);
    });
  }

  function drawBar() {
    var n = count();
    $('cart-count').textContent = String(n);
    $('cart-count').hidden = !n;
    $('cart-toggle').disabled = !n;
    $('cart-go').disabled = !n;
    var total = $('cart-total'), saved = $('cart-saved');
    if (!n) {
      total.textContent = '未选购商品';
      saved.textContent = '';
      return;
    }
    var q = quote && quoteBody === JSON.stringify(body()) ? quote : null;
    total.textContent = App.yuan(q ? q.total_fen : roughTotal());
    saved.textContent = q && q.discount_fen ? '已优惠 ' + App.yuan(q.discount_fen) : q ? '' : '计算中…';
  }

  function sumRow(dl, term, value, cls) {
    var d = el('div', 'receipt-sum__row' + (cls ? ' ' + cls : ''));
    d.appendChild(el('dt', '', term));
    d.appendChild(el('dd', '', value));
    dl.appendChild(d);
  }

  function drawLines() {
    var ul = $('cart-lines');
    /* the + or - tapped in the sheet keeps the focus when the lines are drawn again */
    var f = document.activeElement, fp = null, fc = null;
    if (f && ul.contains(f) && f.closest('.stepper')) {
      fp = f.closest('.stepper').getAttribute('data-product-id');
      fc = f.classList.contains('stepper__btn_inc') ? '.stepper__btn_inc' : '.stepper__btn_dec';
    }
    clear(ul);
    var byProduct = {};
    ((quote && quote.lines) || []).forEach(function (l) { if (l.product_id) byProduct[l.product_id] = l; });
    cart.forEach(function (c) {
      var p = products[c.product_id], ql = byProduct[c.product_id];
      var li = el('li', 'cart-line');
      li.setAttribute('data-product-id', p.id);
      var bd = el('div', 'cart-line__bd');
      bd.appendChild(el('p', 'cart-line__name', p.name));
      var mp = memberPrice(p);
      var unit = ql && ql.member_unit_fen !== null && ql.member_unit_fen !== undefined ? ql.member_unit_fen : mp;
      var meta = el('p', 'cart-line__meta');
      if (unit !== null && unit < p.price_fen) {
        meta.appendChild(el('span', 'cart-line__member', '会员价 ' + App.yuan(unit)));
        meta.appendChild(el('s', 'cart-line__list', App.yuan(p.price_fen)));
      } else {
        meta.appendChild(el('span', '', App.yuan(p.price_fen)));
      }
      bd.appendChild(meta);
      li.appendChild(bd);
      li.appendChild(el('span', 'cart-line__net', ql ? App.yuan(ql.net_fen) : ''));
      li.appendChild(stepper(p, 'stepper_small'));
      ul.appendChild(li);
    });
    ((quote && quote.lines) || []).forEach(function (l) {
      if (l.product_id && products[l.product_id]) return;
      var li = el('li', 'cart-line cart-line_gift');
      var bd = el('div', 'cart-line__bd');
      var name = el('p', 'cart-line__name', l.name);
      name.appendChild(el('span', 'receipt-line__tag', '赠品'));
      bd.appendChild(name);
      bd.appendChild(el('p', 'cart-line__meta', '×' + l.qty));
      li.appendChild(bd);
      li.appendChild(el('span', 'cart-line__net', App.yuan(l.net_fen)));
      ul.appendChild(li);
    });
    drawCounts();
    if (fp) {
      var again = ul.querySelector('.stepper[data-product-id="' + fp + '"] ' + fc);
      if (again && !again.hidden) again.focus();
      else if (ul.querySelector('.stepper[data-product-id="' + fp + '"] .stepper__btn_inc')) {
        ul.querySelector('.stepper[data-product-id="' + fp + '"] .stepper__btn_inc').focus();
      } else $('checkout-close').focus();
    }
  }

  function drawCoupons() {
    var part = $('coupon-part'), ul = $('coupon-picks');
    clear(ul);
    part.hidden = known.length === 0;
    if (!quote) return;
    var chosen = {}, skipped = {};
    (quote.adjustments || []).forEach(function (a) { if (a.kind === 'coupon') chosen[a.ref] = a; });
    (quote.skipped || []).forEach(function (s) {
      skipped[s.coupon_code] = s.reason === 'not_best' || !s.reason_text ? REASON[s.reason] || '本单不可用' : s.reason_text;
    });
    $('coupon-hint').textContent = couponMode === 'auto' && Object.keys(chosen).length ? '已为你选择最优惠的组合' : '';
    known.forEach(function (code) {
      var li = el('li', 'coupon-pick');
      var label = el('label', 'coupon-pick__label');
      var box = el('input', 'coupon-pick__box');
      box.type = 'checkbox';
      box.value = code;
      box.checked = !!chosen[code];
      box.addEventListener('change', function () { toggleCoupon(code, box.checked); });
      var text = el('span', 'coupon-pick__text');
      text.appendChild(el('span', 'coupon-pick__name', couponNames[code] || '优惠券 ' + O.spacedCode(code)));
      var why = chosen[code] ? '' : skipped[code] || '未使用';
      if (why) text.appendChild(el('span', 'coupon-pick__why', why));
      label.appendChild(box);
      label.appendChild(text);
      label.appendChild(el('span', 'coupon-pick__off', chosen[code] ? O.minus(chosen[code].amount_fen) : ''));
      li.appendChild(label);
      ul.appendChild(li);
    });
  }

  function toggleCoupon(code, on) {
    if (couponMode === 'auto') { couponMode = 'pick'; picked = quote ? chosenCodes(quote) : []; }
    picked = picked.filter(function (c) { return c !== code; });
    if (on) picked.unshift(code);	/* the one just ticked first: it wins over a coupon it cannot stack with */
    changed();
  }

  function drawCheckout() {
    drawLines();
    drawCoupons();
    var dl = $('checkout-sum'), due = $('checkout-due'), submit = $('order-submit'), topup = $('checkout-topup');
    if (!quote || quoteBody !== JSON.stringify(body())) {	/* none yet, or of the cart before this change */
      if (!quote) { clear(dl); topup.hidden = true; }	/* else the last prices stay until the new ones come */
      due.textContent = quoteErr || (cart.length ? '正在计算价格…' : '');
      due.classList.toggle('sheet__due_error', !!quoteErr);
      submit.disabled = true;
      return;
    }
    clear(dl);
    topup.hidden = true;
    due.classList.remove('sheet__due_error');
    var q = quote;
    if (q.member) {	/* what the member holds now */
      if (typeof q.member.points === 'number') points = q.member.points;
      if (q.member.wallet && typeof q.member.wallet.total_fen === 'number') balanceFen = q.member.wallet.total_fen;
      $('points-opt').hidden = points <= 0 && !usePoints;
      $('balance-opt').hidden = balanceFen <= 0 && !useBalance;
    }
    sumRow(dl, '商品原价', App.yuan(q.total_list_fen));
    (q.adjustments || []).forEach(function (a) {
      if (a.kind === 'points' || !a.amount_fen) return;
      sumRow(dl, O.adjText(a, couponNames[a.ref]), O.minus(a.amount_fen), 'receipt-sum__row_off');
    });
    sumRow(dl, '合计', App.yuan(q.total_fen), 'receipt-sum__row_total');
    if (q.points_fen) sumRow(dl, '积分抵现（' + q.points_used + ' 积分）', O.minus(q.points_fen));
    var bal = q.balance ? (q.balance.principal_fen || 0) + (q.balance.bonus_fen || 0) : 0;
    if (bal) sumRow(dl, '余额支付', O.minus(bal));
    sumRow(dl, '还需支付', App.yuan(q.due_fen), 'receipt-sum__row_due');
    var note = $('checkout-note'), why = (q.member && q.member.reason_text) || q.tier_reason_text || '';
    note.textContent = why;
    note.hidden = !why;

    $('points-desc').textContent = usePoints ? (q.points_used ? '使用 ' + q.points_used + ' 积分，抵 ' + App.yuan(q.points_fen) :
      '本单暂不能用积分抵现') : '可用 ' + points + ' 积分';
    $('balance-desc').textContent = useBalance && bal ?
      '本单用余额 ' + App.yuan(bal) + '（本金 ' + App.yuan(q.balance.principal_fen || 0) + '，赠送金 ' +
        App.yuan(q.balance.bonus_fen || 0) + '）' : '余额 ' + App.yuan(balanceFen);

    var sug = (q.topup_suggestions || [])[0];
    if (q.due_fen > 0 && sug) {
      clear(topup);
      topup.appendChild(document.createTextNode('余额不够？'));
      var a = el('a', 'checkout-topup__link', '充 ' + App.yuan(sug.pay_fen) + (sug.bonus_fen ? ' 送 ' + App.yuan(sug.bonus_fen) : '') +
        '，本单全用余额付');
      a.href = App.pageUrl('/recharge') + '?order_fen=' + (q.total_fen - (q.points_fen || 0));
      topup.appendChild(a);
      topup.hidden = false;
    }
    due.textContent = q.due_fen > 0 ? '在线支付 ' + App.yuan(q.due_fen) :
      bal ? '余额支付 ' + App.yuan(bal) + '，无需另付' : '无需另付';
    submit.textContent = '下单支付';
    submit.disabled = submitting;
  }

  /* ---- the sheet ---- */

  var lastFocus = null;
  function openSheet() {
    if (!cart.length) return;
    lastFocus = document.activeElement;
    $('checkout').hidden = false;
    $('sheet-mask').hidden = false;
    $('cart-bar').hidden = true;
    $('cart-toggle').setAttribute('aria-expanded', 'true');
    document.body.classList.add('sheet-open');
    drawCheckout();
    $('checkout-close').focus();
  }

  function closeSheet() {
    if ($('checkout').hidden) return;
    $('checkout').hidden = true;
    $('sheet-mask').hidden = true;
    $('cart-bar').hidden = false;
    $('cart-toggle').setAttribute('aria-expanded', 'false');
    document.body.classList.remove('sheet-open');
    if (lastFocus && lastFocus.focus && document.body.contains(lastFocus)) lastFocus.focus();
  }

  $('cart-toggle').addEventListener('click', openSheet);
  $('cart-go').addEventListener('click', openSheet);
  $('checkout-close').addEventListener('click', closeSheet);
  $('sheet-mask').addEventListener('click', closeSheet);
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') closeSheet(); });
  $('cart-clear').addEventListener('click', function () { cart = []; save(); changed(); });
  $('use-points').addEventListener('change', function () { usePoints = $('use-points').checked; changed(); });
  $('use-balance').addEventListener('change', function () { useBalance = $('use-balance').checked; changed(); });
  $('use-balance').checked = useBalance;

  /* ---- 下单支付 ---- */

  function placed(o) {
    try { sessionStorage.removeItem(cartKey); } catch (e) { /* private mode */ }
    cart = [];
    location.href = App.pageUrl('/orders/' + o.id);
  }

  $('order-submit').addEventListener('click', function () {
    if (!quote || submitting) return;
    var b = body();
    if (JSON.stringify(b) !== quoteBody) { requote(); return; }
    b.quote_hash = quote.quote_hash;
    var s = JSON.stringify(b);
    if (!key || keyBody !== s) { key = App.idemKey(); keyBody = s; }
    submitting = true;
    var btn = $('order-submit');
    btn.disabled = true;
    btn.textContent = '正在下单…';
    App.api('POST', '/me/orders', b, { 'Idempotency-Key': key }).then(function (r) {
      submitting = false;
      btn.textContent = '下单支付';
      if (r.status === 201 || r.status === 200) {
        placed(r.body.data.order);
        return;
      }
      btn.disabled = false;
      var code = r.body && r.body.error && r.body.error.code;
      if (r.status >= 500) { App.toast(App.errorText(r)); return; }	/* the same key again on the next tap */
      key = null;
      if (code === 'quote_stale') {
        App.toast('价格已更新，请确认');
        requote();
        return;
      }
      App.toast(App.errorText(r));
      if (code === 'insufficient_balance' || code === 'invalid_field') requote();
    }, function () {
      submitting = false;
      btn.disabled = false;
      btn.textContent = '下单支付';
      App.toast('网络错误，请重试');	/* the key is kept: a retry cannot order twice */
    });
  });

  loadCoupons().then(loadMenu);
})();
