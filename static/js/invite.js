/* The invite page: the member's link, its QR code and the counts; share or copy the link. */
(function () {
  'use strict';
  var App = window.App;
  var $ = App.byId;
  var link = '';
  var title = document.title;

  App.api('GET', '/me/referral').then(function (r) {
    if (r.status !== 200) { App.toast(App.errorText(r)); return; }
    var d = r.body.data;
    link = d.link;
    $('invited').textContent = d.invited;
    $('rewarded').textContent = d.rewarded;
    $('invite-link').textContent = d.link;
    $('invite-qr').src = d.qr_svg_url;
    // the share card inside WeChat (wxshare.js): the referral link
    window.AppShare = { title: '好友邀请你开卡', desc: '通过我的链接开卡，我们都能得到奖励', link: link };
    document.dispatchEvent(new CustomEvent('app:share-data'));
  });

  function copy() {
    if (!link) { App.toast('邀请链接加载中，请稍候'); return; }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(function () { App.toast('链接已复制，发给好友吧'); },
        function () { App.toast(link); });
    } else {
      App.toast(link);
    }
  }

  /* The system share sheet where there is one (Web Share API), else copy the link. */
  $('share-link').addEventListener('click', function () {
    if (!link) { App.toast('邀请链接加载中，请稍候'); return; }
    if (navigator.share) {
      navigator.share({ title: title, text: '通过我的链接开卡，我们都能得到奖励', url: link }).catch(function (e) {
        if (!e || e.name !== 'AbortError') copy();
      });
    } else {
      copy();
    }
  });
  $('copy-link').addEventListener('click', copy);
})();
