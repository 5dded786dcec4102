/* The invite page: the member's link, its QR code and the counts. */
(function () {
  'use strict';
  var App = window.App;
  var link = '';
  App.api('GET', '/me/referral').then(function (r) {
    if (r.status !== 200) { App.toast(App.errorText(r)); return; }
    var d = r.body.data;
    link = d.link;
    document.getElementById('invited').textContent = d.invited;
    document.getElementById('rewarded').textContent = d.rewarded;
    document.getElementById('invite-link').textContent = d.link;
    document.getElementById('invite-qr').src = d.qr_svg_url;
  });
  document.getElementById('copy-link').addEventListener('click', function () {
    if (navigator.clipboard && link) {
      navigator.clipboard.writeText(link).then(function () { App.toast('已复制'); }, function () { App.toast(link); });
    } else {
      App.toast(link);
    }
  });
})();
