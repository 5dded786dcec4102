/*
 * Staff pages: sign-in with the staff cookie plus the CSRF token kept in
 * localStorage, the header (who, sign-out) and the menu (partials/
 * staff_nav.html: the links of the signed-in role, none before sign-in; a
 * partner account goes straight to its 核销 page),
 * and the store counter (pick the store, scan or type a
 * member code, show the member). After a scan the counter announces it:
 *   document 'counter:scan' event, detail {scan, store_id, csrf}
 * and window.Counter = {api, storeId, ticket, scan} lets the coupon and
 * wallet panels act on the member. A coupon's code scanned (its QR) or
 * typed into the member code box goes to the coupon panel instead:
 *   document 'counter:coupon' event, detail {code}
 */
(function () {
  'use strict';
  var App = window.App;
  var storeKey = 'staff_store:' + App.merchant;
  var ROLE_NAMES = { owner: '店主', marketing: '市场', cashier: '收银员', partner: '合作门店' };
  /* coupon kinds and template statuses (handlers/coupon/coupon_rules.c kind_names, status_names) */
  var KIND_NAMES = { threshold: '满减券', discount: '折扣券', instant: '立减券', gift: '礼品券', promo_code: '优惠码' };
  var TEMPLATE_STATUS = { draft: '草稿', active: '发放中', paused: '暂停', ended: '已结束' };
  var $ = App.byId, el = App.el, csrf = App.staffCsrf, setCsrf = App.setStaffCsrf;

  /* The staff API: paths under {base}/staff, CSRF header on changes. */
  function api(method, path, body, headers) {
    var h = {};
    var k;
    for (k in headers || {}) h[k] = headers[k];
    if (method !== 'GET' && method !== 'HEAD' && csrf()) h['X-CSRF-Token'] = csrf();
    if (path.indexOf('/staff') !== 0 && path.indexOf('/api/') !== 0) path = '/staff' + path;
    return App.api(method, path, body, h).then(function (r) {
      if (r.status === 401) showLogin();
      return r;
    });
  }

  /* Raw bytes (uploads): the blob as it is, with its own type (and more headers). */
  function upload(path, blob, headers) {
    var h = {};
    var k;
    for (k in headers || {}) h[k] = headers[k];
    if (csrf()) h['X-CSRF-Token'] = csrf();
    return App.api('POST', '/staff' + path, blob, h);
  }

  var listeners = [], outListeners = [];
  var current = null, signedOut = false;

  /* The menu: the links of the signed-in role (data-roles), the current page marked; none before sign-in. */
  function showNav(staff) {
    var nav = $('staff-nav');
    if (!nav) return;
    nav.hidden = !staff;
    Array.prototype.forEach.call(nav.querySelectorAll('a[data-roles]'), function (a) {
      a.hidden = !staff || a.getAttribute('data-roles').split(' ').indexOf(staff.role) < 0;
      if (a.pathname === location.pathname) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  }

  function showLogin() {
    current = null;
    signedOut = true;
    var f = $('staff-login');
    if (f) f.hidden = false;
    ['counter', 'console'].forEach(function (id) { if ($(id)) $(id).hidden = true; });
    ['staff-who', 'staff-logout'].forEach(function (id) { if ($(id)) $(id).hidden = true; });
    showNav(null);
    outListeners.forEach(function (fn) { fn(); });
  }

  function signedIn(staff) {
    /* a partner store's account has one page, its 核销 page (staff_partner.js) */
    var partnerPage = App.pageUrl('/staff/partner');
    if (staff.role === 'partner' && location.pathname !== partnerPage) {
      location.replace(partnerPage);
      return;
    }
    current = staff;
    signedOut = false;
    if ($('staff-login')) $('staff-login').hidden = true;
    var who = $('staff-who');
    if (who) {
      var role = ROLE_NAMES[staff.role] || staff.role;
      // an account named after its role reads once, not "收银员 · 收银员"
      who.textContent = staff.name === role ? role : staff.name + ' · ' + role;
      who.hidden = false;
    }
    if ($('staff-logout')) $('staff-logout').hidden = false;
    showNav(staff);
    listeners.forEach(function (fn) { fn(staff); });
  }

  /* fn(staff) once signed in (now, when already); onSignedOut(fn): fn() whenever the sign-in form shows. */
  function onSignedIn(fn) {
    listeners.push(fn);
    if (current) fn(current);
  }

  function onSignedOut(fn) {
    outListeners.push(fn);
    if (signedOut) fn();
  }

  /*
   * A console for owners and marketing: root shows for them, the page's
   * #console-auth (sign-in or "no access") otherwise; fn(staff) on each
   * sign-in of theirs.
   */
  function marketingConsole(root, fn) {
    onSignedOut(function () { $('console-auth').hidden = false; });
    onSignedIn(function (staff) {
      var allowed = staff.role === 'owner' || staff.role === 'marketing';
      $('console-auth').hidden = allowed;
      root.hidden = !allowed;
      if (allowed) fn(staff);
    });
  }

  function start() {
    if (!csrf()) { showLogin(); return; }
    App.api('GET', '/staff/me').then(function (r) {
      if (r.status === 200) signedIn(r.body.data.staff);
      else showLogin();
    });
  }

  var login = $('staff-login');
  if (login) {
    login.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var u = $('staff-username').value.trim(), p = $('staff-password').value;
      if (!u || !p) { App.toast('请输入用户名和密码'); return; }
      $('staff-login-submit').disabled = true;
      App.api('POST', '/staff/login', { username: u, password: p }).then(function (r) {
        $('staff-login-submit').disabled = false;
        if (r.status !== 200) { App.toast(App.errorText(r)); return; }
        setCsrf(r.body.data.csrf_token);
        $('staff-password').value = '';
        signedIn(r.body.data.staff);
      });
    });
  }

  var logout = $('staff-logout');
  if (logout) {
    logout.addEventListener('click', function () {
      api('POST', '/logout').then(function () {
        setCsrf('');
        showLogin();
      });
    });
  }

  /* A code's Chinese name, the code itself for one not in the table. */
  function named(table) { return function (k) { return table[k] || k || ''; }; }

  window.Staff = { api: api, upload: upload, csrf: csrf, onSignedIn: onSignedIn, onSignedOut: onSignedOut,
    marketingConsole: marketingConsole,
    roleName: named(ROLE_NAMES), couponKind: named(KIND_NAMES), templateStatus: named(TEMPLATE_STATUS) };

  /* ---- the counter ---- */

  var counter = $('counter');
  if (counter) {
    var lastScan = null;
    var scanner = null;

    var storeId = function () {
      var v = parseInt($('store-select').value, 10);
      return isNaN(v) ? null : v;
    };

    window.Counter = {
      api: function (method, path, body, headers) { return api(method, path, body, headers); },
      storeId: storeId,
      ticket: function () { return lastScan ? lastScan.ticket : null; },
      scan: function () { return lastScan; }
    };

    var loadStores = function () {
      return api('GET', '/stores').then(function (r) {
        var sel = $('store-select');
        sel.innerHTML = '';
        if (r.status !== 200) return;
        var saved = null;
        try { saved = localStorage.getItem(storeKey); } catch (e) { saved = null; }
        r.body.data.forEach(function (s) {
          var o = el('option', null, s.name);
          o.value = String(s.id);
          if (String(s.id) === saved) o.selected = true;
          sel.appendChild(o);
        });
      });
    };

    $('store-select').addEventListener('change', function () {
      try { localStorage.setItem(storeKey, $('store-select').value); } catch (e) { /* ignore */ }
      lastScan = null;
      $('scan-result').hidden = true;
    });

    var text = function (id, v) { $(id).textContent = v === null || v === undefined ? '' : String(v); };

    var showScan = function (d) {
      var m = d.member || {};
      text('scan-member-name', m.name || '（未填写姓名）');
      text('scan-member-phone', m.phone_masked);
      text('scan-member-card', m.card_no);
      text('scan-tier', d.tier && d.tier.name ? d.tier.name : '');
      text('scan-balance', App.yuan(d.balance ? d.balance.total_fen : 0));
      text('scan-points', d.points);
      /* the tier's privileges (text) and those by date (生日特权, 会员日) */
      text('scan-privileges', (d.privileges || []).map(function (p) {
        return p.desc ? p.title + '（' + p.desc + '）' : p.title;
      }).join('；') || '无');
      text('scan-ticket-exp', App.dateTime(d.ticket_expires_at, true));
      var list = $('scan-coupons');
      list.innerHTML = '';
      (d.coupons || []).forEach(function (c) {
        var cell = el('div', 'weui-cell');
        cell.appendChild(el('div', 'weui-cell__bd', c.name || c.code));
        cell.appendChild(el('div', 'weui-cell__ft', c.code || ''));
        list.appendChild(cell);
      });
      if (!list.children.length) list.appendChild(el('div', 'weui-cell', '暂无可用优惠券'));
      /* frozen by the merchant, or a card without its PIN */
      var note = m.blocked ? '该会员账户已冻结，不能支付或使用优惠，请联系店主' :
        d.balance_usable === false ? '刷卡未输入支付密码：可积分、用券，不能用余额' : '';
      $('scan-note').textContent = note;
      $('scan-note').hidden = !note;
      $('scan-result').hidden = false;
    };

    var submitCode = function (code) {
      code = (code || '').trim();
      if (!code) { App.toast('请输入会员码'); return; }
      var asCoupon = App.couponCode(code);
      if (App.COUPON_CODE.test(asCoupon)) {
        $('member-code-input').value = '';
        document.dispatchEvent(new CustomEvent('counter:coupon', { detail: { code: asCoupon } }));
        return;
      }
      scanWith({ member_code: code }, 'scan-submit', 'member-code-input');
    };

    /* POST staff/scan with body (a member code, or a card and its PIN) at the store picked. */
    var scanWith = function (body, button, input) {
      var sid = storeId();
      if (!sid) { App.toast('请选择门店'); return; }
      body.store_id = sid;
      $(button).disabled = true;
      api('POST', '/scan', body).then(function (r) {
        $(button).disabled = false;
        if (r.status !== 200) {
          App.toast(App.errorText(r));
          return;
        }
        lastScan = r.body.data;
        $(input).value = '';
        showScan(lastScan);
        document.dispatchEvent(new CustomEvent('counter:scan', {
          detail: { scan: lastScan, store_id: sid, csrf: csrf() }
        }));
      });
    };

    $('scan-submit').addEventListener('click', function () { submitCode($('member-code-input').value); });
    $('card-submit').addEventListener('click', function () {
      var no = $('card-no-input').value.trim(), pin = $('card-pin-input').value.trim();
      if (!no) { App.toast('请输入实体卡号'); return; }
      if (pin && !/^\d{6}$/.test(pin)) { App.toast('支付密码为 6 位数字'); return; }
      var body = { card_no: no };
      if (pin) body.pin = pin;
      $('card-pin-input').value = '';
      scanWith(body, 'card-submit', 'card-no-input');
    });
    $('member-code-input').addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { ev.preventDefault(); submitCode($('member-code-input').value); }
    });

    var stopCamera = function () {
      if (!scanner) return Promise.resolve();
      var s = scanner;
      scanner = null;
      return s.stop().catch(function () { /* already stopped */ }).then(function () {
        $('scan-reader').hidden = true;
        $('scan-camera').textContent = '摄像头扫码';
      });
    };

    var withLibrary = function (fn) {
      if (window.Html5Qrcode) { fn(); return; }
      var s = document.createElement('script');
      s.src = '/static/vendor/html5-qrcode.min.js';
      s.onload = fn;
      s.onerror = function () { App.toast('扫码组件加载失败，请手动输入'); };
      document.head.appendChild(s);
    };

    $('scan-camera').addEventListener('click', function () {
      if (scanner) { stopCamera(); return; }
      withLibrary(function () {
        $('scan-reader').hidden = false;
        scanner = new window.Html5Qrcode('scan-reader');
        $('scan-camera').textContent = '停止扫码';
        scanner.start({ facingMode: 'environment' }, { fps: 10, qrbox: 220 }, function (decoded) {
          stopCamera().then(function () { submitCode(decoded); });
        }, function () { /* no code in this frame */ }).catch(function () {
          scanner = null;
          $('scan-reader').hidden = true;
          $('scan-camera').textContent = '摄像头扫码';
          App.toast('无法打开摄像头，请手动输入会员码');
        });
      });
    });

    onSignedIn(function (staff) {
      counter.hidden = false;
      var canScan = staff.role === 'owner' || staff.role === 'cashier';
      $('scan-box').hidden = !canScan;
      $('store-row').hidden = !canScan;
      $('counter-no-scan').hidden = canScan;
      if (canScan) loadStores();
    });
  }

  start();
})();
