/* The campaign page: counts the view, claims coupons, reports shares. */
(function () {
  'use strict';
  var App = window.App;
  var root = document.getElementById('campaign');
  if (!root) return;
  var slug = root.dataset.slug;
  var share = {};
  try { share = JSON.parse(document.getElementById('share-data').textContent) || {}; } catch (e) { share = {}; }
  var here = location.pathname;

  App.api('POST', '/campaigns/' + encodeURIComponent(slug) + '/events', { type: 'view' });

  function joinFirst() {
    location.href = App.pageUrl('/join') + App.query({ channel: 'campaign:' + slug, next: here });
  }

  Array.prototype.forEach.call(document.querySelectorAll('button.claim'), function (btn) {
    btn.addEventListener('click', function () {
      if (!root.dataset.member) { joinFirst(); return; }
      btn.disabled = true;
      App.api('POST', '/coupons', { template_id: Number(btn.dataset.template), campaign: slug },
        { 'Idempotency-Key': App.idemKey() }).then(function (r) {
        if (r.status === 201) {
          btn.textContent = '已领取';
          App.toast('领取成功，已放入我的优惠券');
          return;
        }
        if (r.status === 401 || (r.body && r.body.error && r.body.error.code === 'not_member')) { joinFirst(); return; }
        btn.disabled = false;
        App.toast(App.errorText(r));
      });
    });
  });

  function reportShare() {
    App.api('POST', '/campaigns/' + encodeURIComponent(slug) + '/events', { type: 'share' });
  }

  // Inside WeChat with the JS-SDK configured, the share card uses these.
  if (window.wx && window.wx.ready) {
    window.wx.ready(function () {
      var data = { title: share.title, desc: share.desc, link: share.link, imgUrl: share.imgUrl, success: reportShare };
      if (window.wx.updateAppMessageShareData) window.wx.updateAppMessageShareData(data);
      if (window.wx.updateTimelineShareData) window.wx.updateTimelineShareData(data);
    });
  }

  var btn = document.getElementById('share');
  if (btn) {
    btn.addEventListener('click', function () {
      reportShare();
      if (navigator.share) {
        navigator.share({ title: share.title, text: share.desc, url: share.link }).catch(function () {});
      } else if (navigator.clipboard) {
        navigator.clipboard.writeText(share.link).then(function () { App.toast('链接已复制，发给好友吧'); },
          function () { App.toast(share.link); });
      } else {
        App.toast(share.link);
      }
    });
  }
})();
