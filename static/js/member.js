/* Sign-in, join and logout on the member pages. */
(function () {
  'use strict';
  var App = window.App;

  var $ = App.byId;

  function home() { return App.pageUrl('/'); }

  function joinQuery(form) {
    return App.query({ channel: form.dataset.channel, ref: form.dataset.ref, next: form.dataset.nextUrl });
  }

  function next(form) {
    return form.dataset.nextUrl || home();
  }

  var signin = $('signin-form');
  if (signin) {
    var send = $('send-code');
    var timer = null;
    send.addEventListener('click', function () {
      var phone = $('phone').value.trim();
      if (!/^1[3-9]\d{9}$/.test(phone)) { App.toast('请输入正确的手机号'); return; }
      send.disabled = true;
      App.api('POST', '/auth/sms-code', { phone: phone }).then(function (r) {
        if (r.status !== 200) {
          send.disabled = false;
          App.toast(App.errorText(r));
          return;
        }
        if (r.body.data.dev_code) {
          var dev = $('dev-code');
          dev.hidden = false;
          dev.textContent = '测试环境验证码：' + r.body.data.dev_code;
        }
        var left = 60;
        send.textContent = left + ' 秒';
        timer = setInterval(function () {
          left -= 1;
          if (left <= 0) {
            clearInterval(timer);
            send.disabled = false;
            send.textContent = '重新获取';
          } else {
            send.textContent = left + ' 秒';
          }
        }, 1000);
      });
    });
    signin.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var phone = $('phone').value.trim(), code = $('code').value.trim();
      if (!/^\d{6}$/.test(code)) { App.toast('请输入 6 位验证码'); return; }
      $('signin').disabled = true;
      App.api('POST', '/auth/login', { phone: phone, code: code }).then(function (r) {
        $('signin').disabled = false;
        if (r.status !== 200) { App.toast(App.errorText(r)); return; }
        if (r.body.data.member) {
          location.href = next(signin);
        } else {
          location.href = home() + 'join' + joinQuery(signin);
        }
      });
    });
  }

  var join = $('join-form');
  if (join) {
    join.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var body = { gender: $('gender').value };
      var name = $('name').value.trim(), birthday = $('birthday').value;
      if (name) body.name = name;
      if (birthday) body.birthday = birthday;
      if (join.dataset.channel) body.channel = join.dataset.channel;
      if (join.dataset.ref) body.referral_code = join.dataset.ref;
      $('join').disabled = true;
      App.api('POST', '/members', body).then(function (r) {
        $('join').disabled = false;
        if (r.status === 200 || r.status === 201) { location.href = next(join); return; }
        App.toast(App.errorText(r));
      });
    });
  }

  var logout = $('logout');
  if (logout) {
    logout.addEventListener('click', function () {
      App.api('POST', '/auth/logout').then(function () { location.href = home(); });
    });
  }
})();
