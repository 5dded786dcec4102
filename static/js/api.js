/*
 * The same API a mini-program calls, from the H5 pages: the sid cookie
 * carries the session. api('POST', '/auth/login', {...}) -> {status, body}.
 */
(function () {
  'use strict';
  var merchant = document.body.getAttribute('data-merchant') || '';
  var base = '/api/v1/m/' + encodeURIComponent(merchant);

  function api(method, path, body, headers) {
    var opts = { method: method, credentials: 'same-origin', headers: headers || {} };
    if (body !== undefined && body !== null) {
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

  function errorText(r) {
    return r.body && r.body.error ? r.body.error.message : '网络错误，请重试';
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

  function fen(v) {
    return (v / 100).toFixed(2);
  }

  function key() {
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /* An element with a class and text (text, never HTML). */
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  window.App = { merchant: merchant, base: base, api: api, errorText: errorText, toast: toast, fen: fen, idemKey: key,
    el: el };
})();
