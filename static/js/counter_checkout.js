/*
 * 会员收银台 (templates/counter/checkout.html) and the counter's tabs
 * (收银, 核销券, 储值充值).
 *
 * The cashier scans the member (staff.js: 'counter:scan') or serves a
 * walk-in, adds products from the menu (GET products?store_id=) or a
 * free line, and sees the order priced: every change is quoted again
 * (POST staff/orders/quote, debounced), the screen shows the quote as it
 * came. Coupons: absent at first, so the engine proposes the best set
 * (its coupon adjustments, ticked); once the cashier ticks or unticks one,
 * the ticked list is sent. Points: the member's points are offered (the
 * engine caps them). The balance pays first (use_balance); when it is
 * short, the top-up suggestions can be picked. What is left is taken in
 * cash (the amount received gives the change) or by card. 收款 commits
 * the quoted body with its quote_hash (POST staff/orders) under an
 * Idempotency-Key kept for the attempt, so a retry after a lost answer
 * never charges twice; then the receipt (小票), printable, and 下一单.
 *
 * An amount the screen knows is never typed again: the amount due comes
 * from the quote, the cash received is the only figure typed (or one tap
 * on a note), a free line's price is typed once.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff, Counter = window.Counter;
  var root = document.getElementById('checkout');
  if (!root || !Staff || !Counter) return;
  var $ = App.byId, el = App.el, yuan = App.yuan;

  /* the engine's skip reasons (handlers/order/order.h) */
  var REASONS = {
    threshold_not_met: '未达使用门槛', not_stackable: '不可与其他券叠加', limit_exceeded: '超过叠加张数',
    store_not_allowed: '本店不可用', expired: '已过期', not_started: '未到使用时间', used: '已使用',
    not_best: '非最优组合', no_discount: '本单无优惠', not_found: '券不存在', duplicate: '重复',
    not_eligible: '不符合使用条件', cancelled: '已作废'
  };
  var ADJ_NAMES = {
    member_price: '会员价', tier_discount: '等级折扣', coupon: '优惠券', points: '积分抵现',
    birthday: '生日特权', member_day: '会员日', holiday: '节日优惠'
  };
  var TENDER_NAMES = {
    points: '积分抵扣', balance_principal: '余额（本金）', balance_bonus: '余额（赠送金）', balance: '余额支付',
    cash: '现金', card: '刷卡', online: '在线支付'
  };
  var paperKey = 'counter_paper:' + App.merchant;

  /* ---- the tabs ---- */

  var tabs = ['checkout', 'coupons', 'wallet'];

  function showTab(name, focus) {
    tabs.forEach(function (t) {
      var on = t === name;
      var tab = $('tab-' + t);
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      $('panel-' + t).hidden = !on;
      if (on && focus) tab.focus();
    });
    document.body.classList.toggle('is-checkout', name === 'checkout');
    syncBar();
  }

  tabs.forEach(function (t, i) {
    var tab = $('tab-' + t);
    tab.addEventListener('click', function () { showTab(t); });
    tab.addEventListener('keydown', function (ev) {
      var n = null;
      if (ev.key === 'ArrowRight') n = tabs[(i + 1) % tabs.length];
      else if (ev.key === 'ArrowLeft') n = tabs[(i + tabs.length - 1) % tabs.length];
      else if (ev.key === 'Home') n = tabs[0];
      else if (ev.key === 'End') n = tabs[tabs.length - 1];
      if (n) { ev.preventDefault(); showTab(n, true); }
    });
  });

  function currentTab() {
    for (var i = 0; i < tabs.length; i++) if (!$('panel-' + tabs[i]).hidden) return tabs[i];
    return null;
  }

  /* ---- state ---- */

  var menu = [];		// the store's products
  var menuError = '';	// why the menu did not load
  var category = '';	// the chosen category chip, '' for all
  var member = null;	// the scan, null for a walk-in
  var lines = [];	// {product_id, name, price_fen, qty}, {count_card_product_id, key, ...} for a count card, or {name, price_fen, qty} for a free line
  var codes = null;	// null: the engine proposes; else the ticked codes
  var usePoints = true, useBalance = true;
  var topup = null;	// {body, pay_fen, bonus_fen} of the picked suggestion
  var method = 'cash';
  var quote = null, quoted = null, quotedSig = '';	// the last answer, the body it priced
  var seq = 0, timer = null, pending = null;	// pending: the promise of the quote under way
  var attempt = null;	// {sig, key}: the commit being tried, its Idempotency-Key
  var paying = false;
  var staffName = '';

  function storeName() {
    var s = $('store-select');
    return s.selectedIndex >= 0 ? s.options[s.selectedIndex].textContent : '';
  }

  /* The member's points and balance: as the last quote read them, else as scanned. */
  function memberPoints() {
    if (!member) return 0;
    if (quote && quote.member && typeof quote.member.points === 'number') return quote.member.points;
    return member.points || 0;
  }
  /* The balance before any top-up of this order. */
  function memberWallet() {
    var w = member && member.balance ? member.balance : { principal_fen: 0, bonus_fen: 0 };
    if (quote && quote.member && quote.member.wallet) {
      var q = quote.member.wallet, t = quote.topup || { pay_fen: 0, bonus_fen: 0 };
      w = { principal_fen: q.principal_fen - t.pay_fen, bonus_fen: q.bonus_fen - t.bonus_fen };
    }
    return { principal_fen: w.principal_fen || 0, bonus_fen: w.bonus_fen || 0,
      total_fen: (w.principal_fen || 0) + (w.bonus_fen || 0) };
  }
  function memberBalance() {
    var w = memberWallet();
    return w.total_fen !== undefined ? w.total_fen : (w.principal_fen || 0) + (w.bonus_fen || 0);
  }
  /* A picked top-up's price: paid at the counter with the order, not a tender of it. */
  function topupPay() {
    if (quote && quote.topup) return quote.topup.pay_fen;
    return topup ? topup.pay_fen : 0;
  }

  /* The cash typed: fen, null when empty, NaN when not an amount. */
  function received() { return App.optionalFen($('co-received').value); }

  /* What the quote is asked to price now (without quote_hash). */
  function body() {
    var b = { store_id: Counter.storeId(), lines: lines.map(function (l) {
      if (l.count_card_product_id) return { count_card_product_id: l.count_card_product_id, qty: l.qty };
      return l.product_id ? { product_id: l.product_id, qty: l.qty } : { name: l.name, price_fen: l.price_fen, qty: l.qty };
    }) };
    if (member) {
      b.ticket = member.ticket;
      if (codes) b.coupon_codes = codes.slice();
      b.points = usePoints ? memberPoints() : 0;
      b.use_balance = useBalance;
      if (topup) b.topup = topup.body;
    }
    // what is left after the balance: cash (as received, less a top-up's price, when typed) or card
    var got = received(), tp = topup ? topup.pay_fen : 0;
    var cashOver = method === 'cash' && got !== null && got === got && got - tp > 0 ? got - tp : 0;
    if (!quote || quote.due_fen > 0 || cashOver > 0) {
      var t = { kind: method };
      if (cashOver > 0) t.amount_fen = cashOver;
      b.tenders = [t];
    }
    return b;
  }

  /* ---- quoting ---- */

  /* The message above 收款; from: 'quote' for one a later quote answers, else it stays until the next action. */
  var errFrom = '';
  function setError(text, from) {
    var e = $('co-error');
    e.textContent = text || '';
    e.hidden = !text;
    errFrom = text ? from || '' : '';
  }

  function requote(now) {
    clearTimeout(timer);
    timer = null;
    if (!lines.length) {
      seq++;
      quote = null; quoted = null; quotedSig = ''; pending = null;
      render();
      return;
    }
    $('co-status').textContent = '正在计算…';
    root.classList.add('is-quoting');
    timer = setTimeout(function () { timer = null; fetchQuote(); }, now ? 0 : 250);
  }

  /* Quote the order as it stands: resolves to true once the screen shows its price. */
  function fetchQuote() {
    var b = body(), sig = JSON.stringify(b), mine = ++seq;
    if (!b.store_id) { setError('请选择门店'); return Promise.resolve(false); }
    pending = Counter.api('POST', '/orders/quote', b).then(function (r) {
      if (mine !== seq) return pending || false;
      pending = null;
      root.classList.remove('is-quoting');
      $('co-status').textContent = '';
      if (r.status !== 200) {
        quote = null; quoted = null; quotedSig = '';
        setError(App.errorText(r), 'quote');
        render();
        return false;
      }
      quote = r.body.data; quoted = b; quotedSig = sig;
      if (errFrom === 'quote') setError('');
      render();
      // the tenders follow what is due: once it is known, ask again when they differ
      if (JSON.stringify(body()) !== quotedSig && !timer) requote();
      return true;
    }, function () {
      if (mine !== seq) return false;
      pending = null;
      root.classList.remove('is-quoting');
      $('co-status').textContent = '';
      setError('网络错误，请检查网络后重试', 'quote');
      return false;
    });
    return pending;
  }

  /* The quote of exactly what the screen holds now. */
  function freshQuote() {
    if (timer) { clearTimeout(timer); timer = null; return fetchQuote(); }
    if (pending) return pending.then(function () { return freshQuote(); });
    if (quote && JSON.stringify(body()) === quotedSig) return Promise.resolve(true);
    return fetchQuote();
  }

  /* ---- the menu ---- */

  function loadMenu() {
    var sid = Counter.storeId();
    menuStore = sid;
    menu = [];
    menuError = '';
    renderMenu();
    if (!sid) return;
    var all = [];
    var page = function (cursor) {
      return App.api('GET', '/products' + App.query({ store_id: sid, limit: 100, cursor: cursor })).then(function (r) {
        if (sid !== Counter.storeId()) return;
        if (r.status !== 200) {
          menuError = '菜单加载失败：' + App.errorText(r) + '。可用下方自定义商品收款。';
          renderMenu();
          return;
        }
        all = all.concat(r.body.data || []);
        if (r.body.next_cursor && all.length < 2000) return page(r.body.next_cursor);
        return cards();
      });
    };
    /* the count cards (次卡) sold here, after the products, as items of their own */
    var cards = function () {
      return Counter.api('GET', '/count-card-products' + App.query({ active: 'true', limit: 100 })).then(function (r) {
        if (sid !== Counter.storeId()) return;
        (r.status === 200 ? r.body.data : []).forEach(function (c) {
          if (c.store_ids !== 'all' && c.store_ids.indexOf(sid) < 0) return;
          all.push({ id: 'cc' + c.id, count_card_product_id: c.id, name: c.name, price_fen: c.price_fen,
            category: '次卡', uses: c.uses });
        });
        menu = all;
        renderMenu();
      });
    };
    page(null);
  }

  function qtyOf(productId) {
    for (var i = 0; i < lines.length; i++) if ((lines[i].key || lines[i].product_id) === productId) return lines[i].qty;
    return 0;
  }

  function matches(p, q) {
    if (category && (p.category || '') !== category) return false;
    if (!q) return true;
    q = q.toLowerCase();
    return (p.name || '').toLowerCase().indexOf(q) >= 0 || (p.category || '').toLowerCase().indexOf(q) >= 0;
  }

  function shown() {
    var q = $('co-search').value.trim();
    return menu.filter(function (p) { return matches(p, q); });
  }

  function renderCats() {
    var box = $('co-cats');
    var cats = [];
    menu.forEach(function (p) { if (p.category && cats.indexOf(p.category) < 0) cats.push(p.category); });
    box.innerHTML = '';
    box.hidden = cats.length < 2;
    if (cats.indexOf(category) < 0) category = '';
    [''].concat(cats).forEach(function (c) {
      var b = el('button', 'co-cat', c || '全部');
      b.type = 'button';
      b.setAttribute('aria-pressed', c === category ? 'true' : 'false');
      b.addEventListener('click', function () { category = c; renderMenu(); });
      box.appendChild(b);
    });
  }

  function renderMenu() {
    renderCats();
    var box = $('co-menu');
    box.innerHTML = '';
    var list = shown();
    list.forEach(function (p) {
      var b = el('button', 'co-item');
      b.type = 'button';
      b.setAttribute('data-product', String(p.id));
      b.appendChild(el('span', 'co-item__name', p.name));
      var price = el('span', 'co-item__price', yuan(p.price_fen));
      b.appendChild(price);
      if (p.member_price_fen !== null && p.member_price_fen !== undefined && p.member_price_fen < p.price_fen) {
        b.appendChild(el('span', 'co-item__member', '会员 ' + yuan(p.member_price_fen)));
      }
      if (p.uses) b.appendChild(el('span', 'co-item__member', '次卡 · ' + p.uses + ' 次'));
      var n = qtyOf(p.id);
      if (n) {
        b.appendChild(el('span', 'co-item__qty', '×' + n));
        b.classList.add('co-item_on');
      }
      b.setAttribute('aria-label', p.name + ' ' + yuan(p.price_fen) + (p.uses ? ' 次卡 · ' + p.uses + ' 次' : '') + (n ? '，已点 ' + n + ' 份' : '') + '，加入订单');
      b.addEventListener('click', function () { addProduct(p); });
      box.appendChild(b);
    });
    var empty = $('co-menu-empty');
    if (menuError) empty.textContent = menuError;
    else if (!menu.length) empty.textContent = '本店菜单暂无商品，可用下方自定义商品收款。';
    else if (!list.length) empty.textContent = '没有找到匹配的商品';
    empty.hidden = list.length > 0;
  }

  function addProduct(p) {
    for (var i = 0; i < lines.length; i++) {
      if ((lines[i].key || lines[i].product_id) === p.id) { lines[i].qty = Math.min(9999, lines[i].qty + 1); changed(); return; }
    }
    if (p.count_card_product_id) {
      lines.push({ count_card_product_id: p.count_card_product_id, key: p.id, name: p.name, price_fen: p.price_fen, qty: 1 });
    } else {
      lines.push({ product_id: p.id, name: p.name, price_fen: p.price_fen, qty: 1 });
    }
    changed();
  }

  /* Something the price depends on changed: show it, quote again. */
  function changed(now) {
    attempt = null;
    setError('');
    renderMenu();
    render();
    requote(now);
  }

  $('co-search').addEventListener('input', renderMenu);
  $('co-search').addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    var list = shown();
    if (list.length) {
      addProduct(list[0]);
      $('co-search').value = '';
      renderMenu();
    }
  });

  $('co-free').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var name = $('co-free-name').value.trim();
    var price = App.yuanToFen($('co-free-price').value);
    if (!name) { App.toast('请输入商品名称'); $('co-free-name').focus(); return; }
    if (price === null || price > 99999999) { App.toast('请输入正确的单价，如 12.50'); $('co-free-price').focus(); return; }
    lines.push({ name: name, price_fen: price, qty: 1 });
    $('co-free-name').value = '';
    $('co-free-price').value = '';
    changed();
  });

  /* ---- the order ---- */

  function couponInfo(code) {
    var list = member && member.coupons ? member.coupons : [];
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
    return null;
  }

  function couponName(code) {
    var c = couponInfo(code), i;
    if (c) return c.name;
    var offered = quote && quote.coupons_offered ? quote.coupons_offered : [];
    for (i = 0; i < offered.length; i++) if (offered[i].code === code) return offered[i].name || code;
    return code;
  }

  function appliedCodes() {
    if (!quote) return [];
    return quote.adjustments.filter(function (a) { return a.kind === 'coupon' && a.ref; }).map(function (a) { return a.ref; });
  }

  function adjName(a) {
    /* a privilege by date names what it gives: 会员日 9折 */
    if ((a.kind === 'birthday' || a.kind === 'member_day' || a.kind === 'holiday') && a.name) return a.name;
    var n = ADJ_NAMES[a.kind] || a.name || '优惠';
    if (a.kind === 'coupon') {
      var cn = couponName(a.ref);
      return n + ' · ' + (cn === a.ref && a.name ? a.name : cn);
    }
    if (a.kind === 'tier_discount' && member && member.tier && member.tier.name) {
      var pct = member.tier.discount_pct;
      return n + ' · ' + member.tier.name + (pct ? ' ' + pct / 10 + '折' : '');
    }
    return n;
  }

  function stepper(l, i) {
    var box = el('div', 'co-qty');
    var minus = el('button', 'co-qty__btn', l.qty > 1 ? '−' : '×');
    minus.type = 'button';
    minus.setAttribute('aria-label', (l.qty > 1 ? '减少一份 ' : '删除 ') + l.name);
    minus.addEventListener('click', function () {
      if (lines[i].qty > 1) lines[i].qty--;
      else lines.splice(i, 1);
      changed();
    });
    var plus = el('button', 'co-qty__btn', '+');
    plus.type = 'button';
    plus.setAttribute('aria-label', '增加一份 ' + l.name);
    plus.addEventListener('click', function () { lines[i].qty = Math.min(9999, lines[i].qty + 1); changed(); });
    box.appendChild(minus);
    box.appendChild(el('span', 'co-qty__n', l.qty));
    box.appendChild(plus);
    return box;
  }

  function renderLines() {
    var box = $('co-lines');
    box.innerHTML = '';
    var byNo = {};
    var live = quote && JSON.stringify(quoted.lines) === JSON.stringify(body().lines);
    if (live) quote.lines.forEach(function (q) { byNo[q.line_no] = q; });
    lines.forEach(function (l, i) {
      var q = byNo[i + 1];
      var row = el('div', 'co-line');
      row.setAttribute('data-line', String(i + 1));
      var main = el('div', 'co-line__main');
      main.appendChild(el('p', 'co-line__name', l.name));
      var meta = el('p', 'co-line__meta');
      meta.appendChild(el('span', null, yuan(q ? q.unit_fen : l.price_fen) + ' × ' + l.qty));
      if (q && q.member_unit_fen !== null && q.member_unit_fen !== undefined && q.member_unit_fen < q.unit_fen) {
        meta.appendChild(el('span', 'co-tag', '会员价 ' + yuan(q.member_unit_fen)));
      }
      if (l.count_card_product_id) meta.appendChild(el('span', 'co-tag', '次卡'));
      else if (!l.product_id) meta.appendChild(el('span', 'co-tag co-tag_plain', '自定义'));
      main.appendChild(meta);
      if (q && q.list_fen > q.net_fen) main.appendChild(el('p', 'co-line__disc', '优惠 -' + yuan(q.list_fen - q.net_fen)));
      row.appendChild(main);
      row.appendChild(stepper(l, i));
      var sum = el('div', 'co-line__sum');
      if (q) {
        if (q.list_fen > q.net_fen) sum.appendChild(el('del', 'co-line__list', yuan(q.list_fen)));
        sum.appendChild(el('strong', 'co-line__net', yuan(q.net_fen)));
      } else {
        sum.appendChild(el('strong', 'co-line__net', yuan(l.price_fen * l.qty)));
      }
      row.appendChild(sum);
      box.appendChild(row);
    });
    // lines the engine added (a gift coupon's gift)
    if (live) {
      quote.lines.filter(function (q) { return q.line_no > lines.length; }).forEach(function (q) {
        var row = el('div', 'co-line co-line_gift');
        var main = el('div', 'co-line__main');
        main.appendChild(el('p', 'co-line__name', q.name));
        var meta = el('p', 'co-line__meta');
        meta.appendChild(el('span', 'co-tag', '赠品'));
        meta.appendChild(el('span', null, '× ' + q.qty));
        main.appendChild(meta);
        row.appendChild(main);
        var sum = el('div', 'co-line__sum');
        sum.appendChild(el('strong', 'co-line__net', yuan(q.net_fen)));
        row.appendChild(sum);
        box.appendChild(row);
      });
    }
    $('co-lines-empty').hidden = lines.length > 0;
    var n = lines.reduce(function (s, l) { return s + l.qty; }, 0);
    $('co-count').textContent = n ? n + ' 件' : '';
    $('co-clear').hidden = !lines.length;
  }

  function renderAdjs() {
    var list = $('co-adjs');
    list.innerHTML = '';
    var adjs = quote ? quote.adjustments.filter(function (a) { return a.kind !== 'points' && a.amount_fen > 0; }) : [];
    adjs.forEach(function (a) {
      var li = el('li', 'co-row');
      li.setAttribute('data-kind', a.kind);
      li.appendChild(el('span', 'co-row__name', adjName(a)));
      li.appendChild(el('span', 'co-row__amount', '-' + yuan(a.amount_fen)));
      list.appendChild(li);
    });
    $('co-adjs-box').hidden = !adjs.length;
  }

  function renderCoupons() {
    var box = $('co-coupons');
    box.innerHTML = '';
    var offered = member && member.coupons ? member.coupons : [];
    if (!member || !lines.length || (!offered.length && !(quote && quote.skipped.length))) {
      $('co-coupons-box').hidden = true;
      return;
    }
    $('co-coupons-box').hidden = false;
    var applied = appliedCodes();
    var amounts = {};
    if (quote) quote.adjustments.forEach(function (a) { if (a.kind === 'coupon') amounts[a.ref] = a.amount_fen; });
    var skipped = {};
    if (quote) quote.skipped.forEach(function (s) { skipped[s.coupon_code] = s.reason; });
    var all = offered.map(function (c) { return c.code; });
    applied.concat(Object.keys(skipped), codes || []).forEach(function (c) { if (all.indexOf(c) < 0) all.push(c); });
    all.forEach(function (code) {
      var c = couponInfo(code);
      var on = codes ? codes.indexOf(code) >= 0 : applied.indexOf(code) >= 0;
      var row = el('label', 'co-coupon' + (on ? ' co-coupon_on' : ''));
      row.setAttribute('data-code', code);
      var box1 = el('input', 'co-coupon__box');
      box1.type = 'checkbox';
      box1.checked = on;
      box1.value = code;
      box1.addEventListener('change', function () { toggleCoupon(code, box1.checked); });
      row.appendChild(box1);
      var text = el('span', 'co-coupon__text');
      text.appendChild(el('span', 'co-coupon__name', c ? c.name : code));
      text.appendChild(el('span', 'co-coupon__meta', c ? (c.summary || '') + (c.valid_until ? ' · 至 ' + App.dateTime(c.valid_until).slice(0, 10) : '') : code));
      row.appendChild(text);
      var state;
      if (amounts[code] !== undefined) state = el('span', 'co-coupon__amount', '-' + yuan(amounts[code]));
      else if (skipped[code]) state = el('span', 'co-coupon__reason' + (on ? ' co-coupon__reason_bad' : ''), REASONS[skipped[code]] || '不可用');
      else state = el('span', 'co-coupon__reason', on ? '' : '未使用');
      row.appendChild(state);
      box.appendChild(row);
    });
    $('co-coupons-hint').textContent = codes ? '按所选计算' : '已按最优组合勾选';
  }

  function toggleCoupon(code, on) {
    if (!codes) codes = appliedCodes();
    var i = codes.indexOf(code);
    if (on && i < 0) codes.push(code);
    if (!on && i >= 0) codes.splice(i, 1);
    changed(true);
  }

  function renderToggles() {
    var show = !!member && lines.length > 0;
    $('co-toggles').hidden = !show;
    if (!show) return;
    var pts = memberPoints();
    $('co-points-row').hidden = pts <= 0;
    $('co-points').checked = usePoints;
    var pm = '共 ' + pts + ' 积分';
    if (quote && usePoints) pm = quote.points_used > 0 ? '用 ' + quote.points_used + ' 积分，抵 ' + yuan(quote.points_fen) + '（共 ' + pts + '）' : '本单不可抵现（共 ' + pts + ' 积分）';
    $('co-points-meta').textContent = pm;

    var bal = memberBalance();
    var w = memberWallet();
    $('co-balance').hidden = bal <= 0 && !topup;
    $('co-balance').checked = useBalance;
    $('co-balance').disabled = !!member && member.balance_usable === false;
    var bm = '余额 ' + yuan(bal) + '（本金 ' + yuan(w.principal_fen || 0) + '，赠送金 ' + yuan(w.bonus_fen || 0) + '）';
    if (bal <= 0 && !topup) bm = '余额 ' + yuan(0) + (quote && quote.topup_suggestions && quote.topup_suggestions.length ? '，可充值后支付' : '');
    else if (topup && quote && quote.topup) bm = '充值后余额 ' + yuan(bal + quote.topup.pay_fen + quote.topup.bonus_fen);
    if (quote && useBalance && (bal > 0 || topup)) {
      var used = quote.balance.principal_fen + quote.balance.bonus_fen;
      bm = '本单用 ' + yuan(used) + '，' + bm;
    }
    if (member && member.balance_usable === false) bm = '刷卡未输入支付密码，不能用余额（' + yuan(bal) + '）';
    $('co-balance-meta').textContent = bm;
  }

  // the suggestions last offered: a quote with a top-up picked offers none, the others stay to switch to
  var offers = [];

  function topupKey(s) { return s.package_id ? { package_id: s.package_id } : { pay_fen: s.pay_fen }; }

  function renderTopup() {
    var box = $('co-topup');
    box.innerHTML = '';
    if (quote && !topup) offers = quote.topup_suggestions || [];
    var list = member && useBalance ? offers : [];
    var show = !!quote && ((list.length > 0 && quote.due_fen > 0) || !!topup);
    $('co-topup-box').hidden = !show;
    if (!show) return;
    var picked = topup ? JSON.stringify(topup.body) : '';
    if (topup && !list.some(function (s) { return JSON.stringify(topupKey(s)) === picked; })) {
      list = list.concat([{ pay_fen: topup.pay_fen, bonus_fen: topup.bonus_fen, package_id: topup.body.package_id || null }]);
    }
    list.forEach(function (s) {
      var key = topupKey(s);
      var on = JSON.stringify(key) === picked;
      var b = el('button', 'co-topup__item');
      b.type = 'button';
      b.setAttribute('aria-pressed', on ? 'true' : 'false');
      b.appendChild(el('span', 'co-topup__title', '充' + App.fen(s.pay_fen).replace(/\.00$/, '') + '元' +
        (s.bonus_fen ? '送' + App.fen(s.bonus_fen).replace(/\.00$/, '') + '元' : '')));
      if (s.balance_after_fen !== undefined) b.appendChild(el('span', 'co-topup__meta', '付后余额 ' + yuan(s.balance_after_fen)));
      if (s.reason) b.title = s.reason;
      b.addEventListener('click', function () {
        topup = on ? null : { body: key, pay_fen: s.pay_fen, bonus_fen: s.bonus_fen };
        changed(true);
      });
      box.appendChild(b);
    });
  }

  function row(id, v, show) {
    $(id).textContent = v;
    if ($(id + '-row')) $(id + '-row').hidden = !show;
  }

  /* What the customer hands over: what is due, and a top-up's price. */
  function toCollect() {
    return quote ? quote.due_fen + topupPay() : 0;
  }

  /* The body without its tenders: what the price depends on. */
  function priceSig(b) {
    var c = {};
    Object.keys(b).forEach(function (k) { if (k !== 'tenders') c[k] = b[k]; });
    return JSON.stringify(c);
  }

  /* The quote on screen prices what the screen holds (tenders aside). */
  function current() {
    return !!quote && !!quoted && priceSig(quoted) === priceSig(body());
  }

  function quickNotes(due) {
    var out = [due];
    [1000, 2000, 5000, 10000].forEach(function (step) {
      var v = Math.ceil(due / step) * step;
      if (v > due && out.indexOf(v) < 0 && out.length < 4) out.push(v);
    });
    return out;
  }

  function renderPay() {
    var due = toCollect();
    var show = !!quote && due > 0 && current();
    $('co-pay').hidden = !show;
    Array.prototype.forEach.call(root.querySelectorAll('input[name="co-method"]'), function (r) { r.checked = r.value === method; });
    $('co-cash').hidden = method !== 'cash';
    if (!show) return;
    var got = received();
    $('co-received').placeholder = App.fen(due) + '（不填即刚好）';
    var quick = $('co-quick');
    quick.innerHTML = '';
    quickNotes(due).forEach(function (v, i) {
      var b = el('button', 'co-note', i === 0 ? '刚好 ' + yuan(v) : '¥' + v / 100);
      b.type = 'button';
      b.setAttribute('aria-pressed', got === v || (i === 0 && got === null) ? 'true' : 'false');
      b.addEventListener('click', function () {
        $('co-received').value = i === 0 ? '' : App.fen(v);
        cashChanged();
      });
      quick.appendChild(b);
    });
    var ch = $('co-change');
    ch.className = 'co-change';
    if (got !== got) { ch.textContent = '实收金额格式不正确'; ch.className += ' co-change_bad'; }
    else if (got === null || got === due) ch.textContent = '找零 ' + yuan(0);
    else if (got < due) { ch.textContent = '还差 ' + yuan(due - got); ch.className += ' co-change_bad'; }
    else ch.textContent = '找零 ' + yuan(got - due);
  }

  /* Whether 收款 can go: what stops it, or ''. */
  function blocker() {
    if (!lines.length) return '请先添加商品';
    if (!quote) return '';
    if (toCollect() > 0 && method === 'cash') {
      var got = received();
      if (got !== got) return '实收金额格式不正确';
      if (got !== null && got < toCollect()) return '实收金额不足';
    }
    return '';
  }

  function renderTotals() {
    var sub = $('co-submit');
    if (!quote || !lines.length) {
      var wait = lines.length ? '…' : yuan(0);
      ['co-t-disc', 'co-t-points', 'co-t-balance', 'co-t-topup'].forEach(function (id) { row(id, '', false); });
      row('co-t-list', wait, true);
      row('co-t-total', wait, true);
      row('co-t-due', wait, true);
      sub.textContent = '收款';
      sub.disabled = true;
      return;
    }
    var bal = quote.balance.principal_fen + quote.balance.bonus_fen;
    row('co-t-list', yuan(quote.total_list_fen), true);
    row('co-t-disc', '-' + yuan(quote.discount_fen), quote.discount_fen > 0);
    row('co-t-total', yuan(quote.total_fen), true);
    row('co-t-points', '-' + yuan(quote.points_fen), quote.points_fen > 0);
    row('co-t-balance', '-' + yuan(bal), bal > 0);
    var tu = quote.topup || topup;
    row('co-t-topup', tu ? yuan(tu.pay_fen) + (tu.bonus_fen ? '（送 ' + yuan(tu.bonus_fen) + '）' : '') : '', !!tu);
    row('co-t-due', yuan(toCollect()), true);
    var due = toCollect();
    sub.textContent = paying ? '正在收款…' : due > 0 ? (method === 'card' ? '刷卡收款 ' : '收款 ') + yuan(due) : '确认结账';
    sub.disabled = paying || !current() || !!blocker();
  }

  function renderCustomer() {
    var name = $('co-customer-name'), meta = $('co-customer-meta');
    if (!member) {
      name.textContent = '非会员散客';
      meta.textContent = '扫描会员码可享会员价、用券、积分和余额';
    } else {
      var m = member.member || {};
      var tier = quote && quote.member && quote.member.tier_name ? quote.member.tier_name : member.tier && member.tier.name;
      name.textContent = (m.name || '会员') + (tier ? '（' + tier + '）' : '');
      var t = '余额 ' + yuan(memberBalance()) + ' · 积分 ' + memberPoints();
      if (quote && quote.member && quote.member.member_priced === false) t += ' · ' + (quote.member.reason_text || '本单按非会员价');
      if (quote && quote.tier_reason) t += ' · ' + (quote.tier_reason_text || '本单不享等级折扣');
      meta.textContent = t;
    }
    $('co-walkin').hidden = !member;
  }

  // the bar goes while the payment itself is in view
  var payInView = false;
  if (window.IntersectionObserver) {
    new IntersectionObserver(function (es) {
      payInView = es[es.length - 1].isIntersecting;
      syncBar();
    }).observe($('co-checkout'));
  }

  function syncBar() {
    var bar = $('co-bar');
    var room = currentTab() === 'checkout' && lines.length > 0 && !$('co-work').hidden;
    var on = room && !payInView;
    bar.hidden = !on;
    // the room for it stays while it hides, so that the page does not jump
    document.body.classList.toggle('has-co-bar', room);
    if (!on) return;
    $('co-bar-due').textContent = quote ? yuan(toCollect()) : '…';
    var n = lines.reduce(function (s, l) { return s + l.qty; }, 0);
    $('co-bar-count').textContent = n + ' 件';
  }

  function render() {
    renderCustomer();
    renderLines();
    renderAdjs();
    renderCoupons();
    renderToggles();
    renderTopup();
    renderTotals();
    renderPay();
    syncBar();
  }

  function cashChanged() {
    attempt = null;
    renderPay();
    renderTotals();
    requote();
  }

  $('co-received').addEventListener('input', cashChanged);
  $('co-received').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { ev.preventDefault(); if (!$('co-submit').disabled) pay(); }
  });
  Array.prototype.forEach.call(root.querySelectorAll('input[name="co-method"]'), function (r) {
    r.addEventListener('change', function () {
      if (!r.checked) return;
      method = r.value;
      changed(true);
    });
  });
  $('co-points').addEventListener('change', function () { usePoints = $('co-points').checked; changed(true); });
  $('co-balance').addEventListener('change', function () {
    useBalance = $('co-balance').checked;
    if (!useBalance) topup = null;
    changed(true);
  });
  $('co-clear').addEventListener('click', function () {
    lines = [];
    codes = null;
    topup = null;
    $('co-received').value = '';
    setError('');
    changed();
  });
  $('co-bar-go').addEventListener('click', function () {
    var t = $('co-pay').hidden ? $('co-totals') : $('co-pay');
    (t.hidden ? $('co-order') : t).scrollIntoView({ block: 'start', behavior: 'smooth' });
  });

  /* ---- the member ---- */

  function setMember(scan) {
    member = scan;
    offers = [];
    codes = null;
    topup = null;
    usePoints = true;
    // a physical card scanned without its PIN: the balance is not offered
    useBalance = !scan || scan.balance_usable !== false;
    $('wallet-need-member').hidden = !!scan;
    setError('');
    changed(true);
  }

  document.addEventListener('counter:scan', function (ev) {
    var scan = ev.detail && ev.detail.scan;
    if (!scan) return;
    if (!$('co-done').hidden) nextOrder(true);
    setMember(scan);
  });

  /* A coupon code scanned: ticked in the order when the member's, else to 核销券. */
  document.addEventListener('counter:coupon', function (ev) {
    var code = ev.detail && ev.detail.code;
    if (currentTab() === 'checkout' && member && couponInfo(code) && $('co-done').hidden) {
      ev.stopImmediatePropagation();
      toggleCoupon(code, true);
      App.toast('已选用优惠券「' + couponName(code) + '」');
      return;
    }
    showTab('coupons');
  });

  function forgetMember() {
    $('scan-result').hidden = true;
    $('counter-wallet').hidden = true;
    $('wallet-need-member').hidden = false;
    var usable = $('cc-usable');
    if (usable) usable.innerHTML = '';
    if ($('cc-usable-title')) $('cc-usable-title').hidden = true;
  }

  $('co-walkin').addEventListener('click', function () {
    forgetMember();
    setMember(null);
  });

  /* ---- paying ---- */

  function pay() {
    if (paying || !lines.length) return;
    var shownDue = quote ? quote.due_fen : null, shownTotal = quote ? quote.total_fen : null;
    paying = true;
    setError('');
    renderTotals();
    freshQuote().then(function (ok) {
      if (!ok || !quote) { paying = false; renderTotals(); return; }
      if (shownDue !== null && (quote.due_fen !== shownDue || quote.total_fen !== shownTotal)) {
        paying = false;
        render();
        setError('价格已变化，请确认后重新收款');
        return;
      }
      var why = blocker();
      if (why) { paying = false; renderTotals(); setError(why); return; }
      commit();
    });
  }

  function commit() {
    var b = JSON.parse(quotedSig);
    b.quote_hash = quote.quote_hash;
    var sig = JSON.stringify(b);
    if (!attempt || attempt.sig !== sig) attempt = { sig: sig, key: App.idemKey() };
    $('co-status').textContent = '正在收款…';
    var sent = quote;
    // what the customer handed over: typed, or (cash, nothing typed) exactly what was asked
    var given = method === 'cash' && toCollect() > 0 ? (received() !== null ? received() : toCollect()) : null;
    var paidBy = method;
    Counter.api('POST', '/orders', b, { 'Idempotency-Key': attempt.key }).then(function (r) {
      paying = false;
      $('co-status').textContent = '';
      if (r.status === 201) {
        attempt = null;
        showReceipt(r.body.data.order, sent, given, paidBy);
        document.dispatchEvent(new CustomEvent('counter:paid', { detail: { order: r.body.data.order } }));
        return;
      }
      var code = r.body && r.body.error ? r.body.error.code : '';
      if (!r.body || r.status >= 500) {
        // the same attempt may go again with the same key
        setError((App.errorText(r) || '网络错误') + '：请再点一次收款（不会重复扣款）');
        renderTotals();
        return;
      }
      attempt = null;
      if (code === 'quote_stale') {
        setError('价格已变化，请确认后重新收款');
        requote(true);
      } else {
        setError(App.errorText(r));
        if (code === 'insufficient_balance' || code === 'due_not_covered') requote(true);
      }
      renderTotals();
    }, function () {
      paying = false;
      $('co-status').textContent = '';
      setError('网络错误：请检查网络后再点一次收款（不会重复扣款）');
      renderTotals();
    });
  }

  $('co-submit').addEventListener('click', pay);

  /* ---- the receipt ---- */

  function dl(box, items) {
    box.innerHTML = '';
    items.forEach(function (it) {
      if (!it) return;
      var d = el('div', 'receipt__row' + (it[2] ? ' ' + it[2] : ''));
      d.appendChild(el('dt', null, it[0]));
      d.appendChild(el('dd', null, it[1]));
      box.appendChild(d);
    });
  }

  function showReceipt(o, sentQuote, given, paidBy) {
    var q = o && o.lines ? o : sentQuote;
    $('rc-store').textContent = storeName();
    var m = member ? member.member || {} : null;
    dl($('rc-meta'), [
      ['时间', App.dateTime(o.created_at, true)],
      ['单号', String(o.no || o.id)],
      staffName ? ['收银员', staffName] : null,
      ['顾客', m ? (m.name || '会员') + ' ' + (m.phone_masked || '') : '非会员散客']
    ]);
    var tb = $('rc-lines');
    tb.innerHTML = '';
    q.lines.forEach(function (l) {
      var tr = el('tr');
      var name = el('td', 'receipt__name', l.name);
      if (l.list_fen > l.net_fen) name.appendChild(el('span', 'receipt__was', '原价 ' + yuan(l.list_fen)));
      tr.appendChild(name);
      tr.appendChild(el('td', 'receipt__num', l.qty));
      tr.appendChild(el('td', 'receipt__num', yuan(l.net_fen)));
      tb.appendChild(tr);
    });
    var sums = [['商品原价', yuan(q.total_list_fen)]];
    (q.adjustments || []).forEach(function (a) {
      if (a.kind !== 'points' && a.amount_fen > 0) sums.push([adjName(a), '-' + yuan(a.amount_fen)]);
    });
    sums.push(['合计', yuan(q.total_fen), 'receipt__row_total']);
    dl($('rc-sums'), sums);

    var pay = [];
    var tu = o.topup || q.topup || null;
    var money = 0;
    (o.tenders || q.tenders || []).forEach(function (t) {
      var n = TENDER_NAMES[t.kind] || t.name || t.kind;
      if (t.kind === 'points' && q.points_used) n += '（' + q.points_used + ' 积分）';
      if (t.kind === 'cash' || t.kind === 'card') money += t.amount_fen;
      pay.push([n, yuan(t.amount_fen)]);
    });
    if (tu) {
      pay.push(['会员充值', yuan(tu.pay_fen) + (tu.bonus_fen ? '（送 ' + yuan(tu.bonus_fen) + '）' : '')]);
      pay.push(['本次收款（' + (paidBy === 'card' ? '刷卡' : '现金') + '）', yuan(money + tu.pay_fen), 'receipt__row_total']);
    }
    var change = typeof o.change_fen === 'number' ? o.change_fen :
      given !== null ? Math.max(0, given - money - (tu ? tu.pay_fen : 0)) : 0;
    if (given !== null) {
      pay.push(['现金实收', yuan(given)]);
      pay.push(['找零', yuan(change), 'receipt__row_total']);
    }
    dl($('rc-pay'), pay);
    $('rc-pay').hidden = !pay.length;

    // what the clerk does now: hand back the change, or nothing
    var sum = $('co-done-sum');
    sum.textContent = '';
    var collected = money + (tu ? tu.pay_fen : 0);
    if (given !== null) {
      sum.appendChild(document.createTextNode('找零 '));
      sum.appendChild(el('strong', null, yuan(change)));
      sum.appendChild(document.createTextNode('（实收 ' + yuan(given) + '）'));
    } else if (collected > 0) {
      sum.appendChild(document.createTextNode((paidBy === 'card' ? '刷卡' : '收款') + ' '));
      sum.appendChild(el('strong', null, yuan(collected)));
    } else {
      sum.textContent = '已由余额和积分付清';
    }

    var earn = o.earn || q.earn;
    if (m) {
      var rows = [];
      if (earn && earn.points) rows.push(['本单积分', '+' + earn.points]);
      if (earn && earn.growth) rows.push(['成长值', '+' + earn.growth]);
      var qm = (o.member && o.member.wallet ? o.member : null) || q.member;
      if (qm && qm.wallet) {
        rows.push(['卡内余额', yuan(Math.max(0, qm.wallet.principal_fen + qm.wallet.bonus_fen -
          q.balance.principal_fen - q.balance.bonus_fen))]);
      }
      if (qm && typeof qm.points === 'number') {
        rows.push(['积分余额', String(Math.max(0, qm.points - (q.points_used || 0) + (earn ? earn.points || 0 : 0)))]);
      }
      dl($('rc-member'), rows);
      $('rc-member').hidden = !rows.length;
    } else {
      $('rc-member').hidden = true;
    }
    if (m && qm && qm.wallet) {
      // the member panel above: the balance and points the order left
      var left = Math.max(0, qm.wallet.principal_fen + qm.wallet.bonus_fen - q.balance.principal_fen - q.balance.bonus_fen);
      $('scan-balance').textContent = yuan(left);
      $('scan-points').textContent = String(Math.max(0, qm.points - (q.points_used || 0) + (earn ? earn.points || 0 : 0)));
    }
    $('co-done').setAttribute('data-order', String(o.id));
    $('co-work').hidden = true;
    $('co-done').hidden = false;
    document.body.classList.add('is-receipt');
    syncBar();
    $('co-done').scrollIntoView({ block: 'start' });
    $('co-next').focus({ preventScroll: true });
  }

  /* The next order: nothing of the last one left, the member forgotten. */
  function nextOrder(keepMember) {
    lines = [];
    codes = null;
    topup = null;
    method = 'cash';
    quote = null; quoted = null; quotedSig = '';
    attempt = null;
    seq++;
    $('co-received').value = '';
    $('co-search').value = '';
    $('co-done').hidden = true;
    $('co-work').hidden = false;
    document.body.classList.remove('is-receipt');
    setError('');
    if (!keepMember) {
      forgetMember();
      member = null;
      $('member-code-input').value = '';
    }
    renderMenu();
    render();
  }

  $('co-next').addEventListener('click', function () {
    nextOrder(false);
    window.scrollTo(0, 0);
    $('member-code-input').focus();
  });

  function setPaper(w) {
    var r = $('co-receipt');
    r.classList.toggle('receipt_58', w === '58');
    r.classList.toggle('receipt_80', w !== '58');
    Array.prototype.forEach.call(root.querySelectorAll('input[name="co-paper"]'), function (x) { x.checked = x.value === w; });
  }
  Array.prototype.forEach.call(root.querySelectorAll('input[name="co-paper"]'), function (x) {
    x.addEventListener('change', function () {
      if (!x.checked) return;
      setPaper(x.value);
      try { localStorage.setItem(paperKey, x.value); } catch (e) { /* private mode */ }
    });
  });
  var paper = '80';
  try { paper = localStorage.getItem(paperKey) || '80'; } catch (e) { paper = '80'; }
  setPaper(paper);

  $('co-print').addEventListener('click', function () { window.print(); });

  /* ---- the store, the role ---- */

  // staff.js fills the store list after sign-in: the menu of the store it selects
  var menuStore = null;
  new MutationObserver(function () {
    if (Counter.storeId() && Counter.storeId() !== menuStore) loadMenu();
  }).observe($('store-select'), { childList: true });

  $('store-select').addEventListener('change', function () {
    member = null;
    forgetMember();
    nextOrder(false);
    loadMenu();
  });

  Staff.onSignedIn(function (staff) {
    var canScan = staff.role === 'owner' || staff.role === 'cashier';
    staffName = staff.name || '';
    $('counter-tabs').hidden = !canScan;
    if (!canScan) {
      tabs.forEach(function (t) { $('panel-' + t).hidden = true; });
      return;
    }
    showTab(currentTab() || 'checkout');
    if (Counter.storeId()) loadMenu();
    render();
  });

  Staff.onSignedOut(function () {
    nextOrder(false);
    $('counter-tabs').hidden = true;
  });
})();
