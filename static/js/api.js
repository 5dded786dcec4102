/*
 * The same API a mini-program calls, from the H5 pages: the sid cookie
 * carries the session. api('POST', '/auth/login', {...}) -> {status, body}.
 * Loaded first on every page (partials/foot.html): window.App also holds
 * the helpers the page scripts share (elements, messages, amounts, times,
 * query strings, the staff CSRF token).
 */
(function () {
  'use strict';
  var merchant = document.body.getAttribute('data-merchant') || '';
  var base = '/api/v1/m/' + encodeURIComponent(merchant);
  var csrfKey = 'staff_csrf:' + merchant;

  /*
   * body: an object sent as JSON, or a Blob (a picked file) sent as its
   * bytes with its own type. The answer's body is its JSON, or null.
   */
  function api(method, path, body, headers) {
    var opts = { method: method, credentials: 'same-origin', headers: headers || {} };
    if (typeof Blob !== 'undefined' && body instanceof Blob) {
      opts.headers['Content-Type'] = body.type || 'application/octet-stream';
      opts.body = body;
    } else if (body !== undefined && body !== null) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    return fetch(path.charAt(0) === '/' && path.indexOf('/api/') === 0 ? path : base + path, opts)
      .then(function (res) {
        return res.text().then(function (t) {
          var j = null;
          try { j = t ? JSON.parse(t) : null; } catch (e) { j = null; }
          return { status: res.status, body: j };
        });
      });
  }

  /* The error's message; withField adds the field at fault: "…（name）". */
  function errorText(r, withField) {
    var e = r.body && r.body.error;
    if (!e) return '网络错误，请重试';
    return withField && e.field ? e.message + '（' + e.field + '）' : e.message;
  }

  function toast(msg) {
    var el = document.getElementById('app-toast');
    if (!el) {
      el = document.createElement('div');
      el.id = 'app-toast';
      el.className = 'app-toast';
      el.setAttribute('role', 'alert');
      document.body.appendChild(el);
    }
    el.textContent = msg;
    el.style.display = 'block';
    clearTimeout(el._t);
    el._t = setTimeout(function () { el.style.display = 'none'; }, 2500);
  }

  /* 1250 -> "12.50" */
  function fen(v) {
    return (v / 100).toFixed(2);
  }

  /* 1250 -> "¥12.50" */
  function yuan(v) {
    return '¥' + fen(v);
  }

  /* 134400 -> "¥1,344.00": yuan with thousands separators, for figures */
  function money(v) {
    var s = (Math.abs(v) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return (v < 0 ? '-¥' : '¥') + s;
  }

  /* Yuan as typed, "12.5" -> 1250; null unless digits with at most two decimals. */
  function yuanToFen(s) {
    var m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(s === undefined || s === null ? '' : s).trim());
    if (!m) return null;
    return parseInt(m[1], 10) * 100 + (m[2] ? parseInt((m[2] + '0').slice(0, 2), 10) : 0);
  }

  /* An amount that may be left out: '' -> null, "12.5" -> 1250, NaN for anything but up to 9 digits of yuan. */
  function optionalFen(s) {
    s = String(s === undefined || s === null ? '' : s).trim();
    if (s === '') return null;
    var f = s.split('.')[0].length <= 9 ? yuanToFen(s) : null;
    return f === null ? NaN : f;
  }

  /* An API time, "2024-05-01T10:00:00+08:00" -> "2024-05-01 10:00" (seconds: "2024-05-01 10:00:00"); '' for none. */
  function dateTime(iso, seconds) {
    return (iso || '').replace('T', ' ').slice(0, seconds ? 19 : 16);
  }

  /* An API time as an input's value: its first n characters (10 for a date, 16 for datetime-local); '' for none. */
  function inputDate(iso, n) {
    return iso ? iso.slice(0, n) : '';
  }

  /* {a: 1, b: 'x y', c: ''} -> "?a=1&b=x%20y": the parameters that have a value; '' when none has. */
  function query(params) {
    var q = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== '') q.push(encodeURIComponent(k) + '=' + encodeURIComponent(v));
    });
    return q.length ? '?' + q.join('&') : '';
  }

  /* A page of this merchant: pageUrl('/coupons') -> "/m/demo/coupons". */
  function pageUrl(path) {
    return '/m/' + encodeURIComponent(merchant) + path;
  }

  function key() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /* A coupon or promo code as typed ("ab2c-3d4e 5f6g") -> "AB2C3D4E5F6G"; COUPON_CODE is its form. */
  function couponCode(s) {
    return String(s || '').replace(/[\s-]/g, '').toUpperCase();
  }

  /* The staff session's CSRF token, kept in localStorage from the sign-in; '' for none. */
  function staffCsrf() {
    try { return localStorage.getItem(csrfKey) || ''; } catch (e) { return ''; }
  }

  function setStaffCsrf(v) {
    try {
      if (v) localStorage.setItem(csrfKey, v);
      else localStorage.removeItem(csrfKey);
    } catch (e) { /* private mode: the token lives until reload */ }
  }

  function byId(id) {
    return document.getElementById(id);
  }

  /* An element with a class and text (text, never HTML). */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* Today in a zone (tzMin: minutes east of UTC) shifted by days: "2026-12-01". */
  function today(tzMin, days) {
    return new Date(Date.now() + tzMin * 60000 + (days || 0) * 86400000).toISOString().slice(0, 10);
  }

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  function validDate(y, m, d) {
    if (y < 2000 || y > 2099 || m < 1 || m > 12 || d < 1) return null;
    var days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    return d > days[m - 1] ? null : y + '-' + pad2(m) + '-' + pad2(d);
  }

  /*
   * A date as people write it -> "YYYY-MM-DD": 2026-12-01, 2026/12/1,
   * 2026.12.1, 2026年12月1日(号), 20261201, and without the year (this
   * year) 12月1日, 12-01, 12/1; 今天, 昨天 (in the zone tzMin). '' -> '';
   * null when it is no date.
   */
  function parseDate(s, tzMin) {
    s = String(s || '').trim().replace(/\s+/g, '');
    if (s === '') return '';
    if (s === '今天') return today(tzMin, 0);
    if (s === '昨天') return today(tzMin, -1);
    var m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(s) || /^(\d{4})(\d{2})(\d{2})$/.exec(s);
    if (m) return validDate(+m[1], +m[2], +m[3]);
    m = /^(\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(s);
    if (m) return validDate(+today(tzMin, 0).slice(0, 4), +m[1], +m[2]);
    return null;
  }

  /* "2026-12-01" -> "2026年12月1日" */
  function dateWords(d) {
    return d ? +d.slice(0, 4) + '年' + +d.slice(5, 7) + '月' + +d.slice(8, 10) + '日' : '';
  }

  /* The values, as numbers, of the ticked checkboxes in container. */
  function checkedIds(container) {
    return Array.prototype.filter.call(container.querySelectorAll('input[type=checkbox]'), function (b) {
      return b.checked;
    }).map(function (b) { return parseInt(b.value, 10); });
  }

  window.App = { merchant: merchant, base: base, api: api, errorText: errorText, toast: toast, fen: fen, yuan: yuan, money: money,
    yuanToFen: yuanToFen, optionalFen: optionalFen, dateTime: dateTime, inputDate: inputDate, query: query,
    pageUrl: pageUrl, idemKey: key, couponCode: couponCode, COUPON_CODE: /^[2-9A-HJKMNP-Z]{12}$/,
    staffCsrf: staffCsrf, setStaffCsrf: setStaffCsrf, byId: byId, el: el, checkedIds: checkedIds,
    today: today, parseDate: parseDate, dateWords: dateWords };
})();
