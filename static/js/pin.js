/* The payment PIN page: set or change the 6-digit PIN (PUT me/pin). */
(function () {
  'use strict';
  var App = window.App;
  var form = App.byId('pin-form');
  if (!form) return;
  var $ = App.byId;

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var pin = $('pin-new').value.trim(), again = $('pin-again').value.trim();
    var old = $('pin-old') ? $('pin-old').value.trim() : '';
    var status = $('pin-status');
    if (!/^\d{6}$/.test(pin)) { status.textContent = '新密码应为 6 位数字'; $('pin-new').focus(); return; }
    if (pin !== again) { status.textContent = '两次输入的密码不一致'; $('pin-again').focus(); return; }
    if ($('pin-old') && !/^\d{6}$/.test(old)) { status.textContent = '请输入 6 位原密码'; $('pin-old').focus(); return; }
    var body = { pin: pin };
    if (old) body.old_pin = old;
    $('pin-save').disabled = true;
    status.textContent = '正在保存…';
    App.api('PUT', '/me/pin', body).then(function (r) {
      $('pin-save').disabled = false;
      if (r.status !== 200) {
        status.textContent = App.errorText(r);
        if (r.body && r.body.error && r.body.error.code === 'pin_locked') setTimeout(function () { location.reload(); }, 1500);
        return;
      }
      form.reset();
      status.textContent = '支付密码已保存，刷实体卡时请输入这个密码';
      App.toast('支付密码已保存');
      setTimeout(function () { location.reload(); }, 1200);
    });
  });
})();
