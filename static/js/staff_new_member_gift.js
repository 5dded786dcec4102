/*
 * The settings console's 新会员礼包 section (settings/new-member-gift) for
 * owners and marketing: on or off, and up to ten coupon templates that
 * every new member gets on joining, whatever the channel. Uses
 * window.Staff.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var form = document.getElementById('gift-form');
  if (!form || !Staff) return;

  var $ = App.byId, el = App.el;

  function boxes(templates, chosen) {
    var box = $('gift-templates');
    box.innerHTML = '';
    templates.filter(function (t) { return t.kind !== 'promo_code'; }).forEach(function (t) {
      var l = el('label', 'store-check');
      var b = el('input');
      b.type = 'checkbox';
      b.value = String(t.id);
      b.checked = chosen.indexOf(t.id) >= 0;
      l.appendChild(b);
      l.appendChild(document.createTextNode(' ' + t.name + (t.status !== 'active' ? '（' + Staff.templateStatus(t.status) + '）' : '') +
        (t.stock_left === 0 ? '（已发完）' : '')));
      box.appendChild(l);
    });
    if (!box.children.length) box.appendChild(el('span', 'setting-hint', '还没有优惠券，请先在“优惠券”里新建'));
  }

  function load() {
    return Promise.all([
      Staff.api('GET', '/coupon-templates?limit=100'),
      Staff.api('GET', '/settings/new-member-gift')
    ]).then(function (rs) {
      if (rs[1].status !== 200) return;
      var templates = rs[0].status === 200 ? rs[0].body.data : [];
      $('gift-on').checked = rs[1].body.data.enabled;
      boxes(templates, rs[1].body.data.template_ids);
      form.hidden = false;
    });
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    $('gift-error').textContent = '';
    var ids = App.checkedIds($('gift-templates'));
    if (ids.length > 10) { $('gift-error').textContent = '新会员礼包最多 10 张券'; return; }
    $('gift-save').disabled = true;
    Staff.api('PUT', '/settings/new-member-gift', { enabled: $('gift-on').checked, template_ids: ids }).then(function (r) {
      $('gift-save').disabled = false;
      if (r.status !== 200) { $('gift-error').textContent = App.errorText(r); return; }
      App.toast('新会员礼包已保存');
    });
  });

  Staff.onSignedIn(function (me) {
    if (me.role === 'owner' || me.role === 'marketing') load();
  });
})();
