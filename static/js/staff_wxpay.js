/*
 * The settings console's 微信支付 section (settings/wechatpay) for owners:
 * whether WeChat Pay is set up, the serials and expiry of the keys WeChat
 * Pay signs with, and the form that sets the account. The secrets are
 * never shown: an empty field keeps what is stored. Uses window.Staff.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var form = document.getElementById('wxpay-form');
  if (!form || !Staff) return;
  var $ = App.byId, el = App.el;

  var FIELDS = {
    mchid: ['商户号', 'wx-mchid'], appid: ['小程序 AppID', 'wx-appid'],
    cert_serial: ['API证书序列号', 'wx-serial'], private_key: ['API私钥', 'wx-key'],
    apiv3_key: ['APIv3密钥', 'wx-v3'], platform_keys: ['平台证书', 'wx-cert'],
    'platform_keys[0]': ['平台证书或公钥', 'wx-cert'], 'platform_keys[1]': ['微信支付公钥', 'wx-pub'],
    'platform_keys[0].serial': ['公钥ID', 'wx-pub-id'], 'platform_keys[1].serial': ['公钥ID', 'wx-pub-id']
  };

  function showError(field, msg) {
    var f = field && FIELDS[field];
    $('wx-error').textContent = msg ? (f ? f[0] + '：' : '') + msg : '';
    if (f) $(f[1]).focus();
  }

  function day(iso) {
    var d = new Date(iso);
    return d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() + '日';
  }

  function fill(d) {
    $('wxpay-status').textContent = d.configured ? '已开通' : '未开通';
    $('wx-mchid').value = d.mchid || '';
    $('wx-appid').value = d.appid || '';
    $('wx-serial').value = d.cert_serial || '';
    $('wx-key').value = '';
    $('wx-v3').value = '';
    $('wx-cert').value = '';
    $('wx-pub').value = '';
    $('wx-pub-id').value = '';
    $('wx-key-hint').textContent = d.private_key_set ? '已保存，留空不修改' : '尚未设置';
    $('wx-v3-hint').textContent = d.apiv3_key_set ? '已保存，留空不修改' : '尚未设置';
    $('wx-notify').textContent = d.notify_url;
    var list = $('wxpay-keys');
    list.innerHTML = '';
    d.platform_keys.forEach(function (k) {
      var cell = el('div', 'weui-cell');
      var bd = el('div', 'weui-cell__bd');
      bd.appendChild(el('p', null, (k.kind === 'certificate' ? '平台证书 ' : '微信支付公钥 ') + k.serial));
      if (k.expires_at) bd.appendChild(el('p', 'setting-hint', '有效期至 ' + day(k.expires_at)));
      cell.appendChild(bd);
      list.appendChild(cell);
    });
    if (!d.platform_keys.length) list.appendChild(el('div', 'weui-cell', '尚未设置验签用的平台证书或公钥'));
  }

  function load() {
    return Staff.api('GET', '/settings/wechatpay').then(function (r) {
      if (r.status !== 200) return;
      fill(r.body.data);
      showError(null, '');
      form.hidden = false;
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { mchid: $('wx-mchid').value.trim(), appid: $('wx-appid').value.trim(),
      cert_serial: $('wx-serial').value.trim() };
    if ($('wx-key').value.trim()) body.private_key = $('wx-key').value.trim() + '\n';
    if ($('wx-v3').value) body.apiv3_key = $('wx-v3').value;
    var keys = [];
    if ($('wx-cert').value.trim()) keys.push({ pem: $('wx-cert').value.trim() + '\n' });
    if ($('wx-pub').value.trim()) keys.push({ pem: $('wx-pub').value.trim() + '\n', serial: $('wx-pub-id').value.trim() });
    if (keys.length) body.platform_keys = keys;
    $('wxpay-save').disabled = true;
    Staff.api('PUT', '/settings/wechatpay', body).then(function (r) {
      $('wxpay-save').disabled = false;
      if (r.status !== 200) {
        var e = r.body && r.body.error;
        showError(e ? e.field : null, App.errorText(r));
        return;
      }
      fill(r.body.data);
      showError(null, '');
      App.toast('微信支付设置已保存');
    });
  });

  Staff.onSignedIn(function (me) {
    if (me.role === 'owner') load();
  });
})();
