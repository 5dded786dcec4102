/*
 * The settings console's 微信接入 section (settings/wechat) for owners:
 * the mini-program's and the official account's AppID and AppSecret. The
 * secrets are never shown: the section says whether one is set, and an
 * empty secret field keeps it. Uses window.Staff.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var form = document.getElementById('wechat-form');
  if (!form || !Staff) return;

  var $ = App.byId;
  var apps = [{ key: 'mini_program', id: 'wx-mp' }, { key: 'official_account', id: 'wx-oa' }];

  function fill(d) {
    apps.forEach(function (a) {
      var s = d[a.key];
      $(a.id + '-appid').value = s.appid || '';
      $(a.id + '-secret').value = '';
      $(a.id + '-secret').placeholder = s.secret_set ? '已设置，留空不修改' : '未设置';
      $(a.id + '-state').textContent = s.appid && s.secret_set ? '已配置' : '未配置';
    });
  }

  function error(msg) {
    $('wx-error').textContent = msg || '';
  }

  function load() {
    return Staff.api('GET', '/settings/wechat').then(function (r) {
      if (r.status !== 200) return;
      fill(r.body.data);
      error('');
      form.hidden = false;
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = {};
    apps.forEach(function (a) {
      var appid = $(a.id + '-appid').value.trim(), secret = $(a.id + '-secret').value.trim();
      if (!appid) { body[a.key] = null; return; }
      body[a.key] = { appid: appid };
      if (secret) body[a.key].secret = secret;
    });
    $('wx-save').disabled = true;
    Staff.api('PUT', '/settings/wechat', body).then(function (r) {
      $('wx-save').disabled = false;
      if (r.status !== 200) { error(App.errorText(r)); return; }
      fill(r.body.data);
      error('');
      App.toast('微信接入已保存');
    });
  });

  Staff.onSignedIn(function (me) {
    if (me.role === 'owner') load();
  });
})();
