/*
 * The member code page: a fresh code every refresh_in_s seconds (30),
 * drawn as a QR code (SVG from the API) with its text under it.
 */
(function () {
  'use strict';
  var App = window.App;
  var panel = document.getElementById('code-panel');
  if (!panel) return;

  var img = document.getElementById('code-qr');
  var txt = document.getElementById('code-text');
  var err = document.getElementById('code-error');
  var countdown = document.getElementById('code-countdown');
  var timer = null, tick = null, left = 0;

  function fail(msg) {
    img.hidden = true;
    err.hidden = false;
    err.textContent = msg;
    txt.textContent = '';
  }

  function schedule(seconds) {
    clearTimeout(timer);
    clearInterval(tick);
    left = seconds;
    countdown.textContent = left + ' 秒后刷新 · ';
    tick = setInterval(function () {
      left -= 1;
      if (left >= 0) countdown.textContent = left + ' 秒后刷新 · ';
    }, 1000);
    timer = setTimeout(load, seconds * 1000);
  }

  function load() {
    App.api('GET', '/me/member-code').then(function (r) {
      if (r.status !== 200) {
        if (r.status === 401 || r.status === 403) {
          fail('登录已失效，请返回首页重新登录');
          return;
        }
        fail(App.errorText(r));
        schedule(10);
        return;
      }
      var d = r.body.data;
      img.onload = function () { img.hidden = false; err.hidden = true; };
      img.onerror = function () { fail('二维码加载失败，请刷新'); };
      img.src = d.svg_url;
      img.setAttribute('data-code', d.code);
      txt.textContent = d.display;
      txt.setAttribute('data-code', d.code);
      schedule(d.refresh_in_s || parseInt(panel.getAttribute('data-refresh'), 10) || 30);
    }, function () {
      fail('网络错误，请检查网络');
      schedule(10);
    });
  }

  document.getElementById('code-refresh').addEventListener('click', load);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') load();
  });
  load();
})();
