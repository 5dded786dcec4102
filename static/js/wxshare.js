/*
 * Pages people share (a campaign, the invite page, the coupon centre)
 * opened inside WeChat: load WeChat's JS-SDK, configure it with the
 * signature the server makes for this page (GET wx/jssdk-config) and set
 * the share card from the page's share settings: window.AppShare when the
 * page's script sets it (then the event app:share-data), else the
 * #share-data JSON, else the title and description. A share reported by
 * WeChat is the event app:shared. Outside WeChat it does nothing.
 */
(function () {
  'use strict';
  if (!/MicroMessenger/i.test(navigator.userAgent)) return;
  var me = document.currentScript;
  var v = me && me.src.indexOf('?v=') >= 0 ? me.src.split('?v=')[1] : '';
  var merchant = document.body.dataset.merchant;
  var ready = false;

  function shareData() {
    var d = window.AppShare, el = document.getElementById('share-data');
    var meta = document.querySelector('meta[name="description"]');
    if (!d) {
      try { d = el ? JSON.parse(el.textContent) : null; } catch (e) { d = null; }
    }
    d = d || {};
    return {
      title: d.title || document.title,
      desc: d.desc || (meta ? meta.content : ''),
      link: d.link || location.href.split('#')[0],
      imgUrl: d.imgUrl || ''
    };
  }

  function apply() {
    if (!ready) return;
    var d = shareData();
    var shared = function () { document.dispatchEvent(new CustomEvent('app:shared')); };
    var card = { title: d.title, desc: d.desc, link: d.link, imgUrl: d.imgUrl, success: shared };
    window.wx.updateAppMessageShareData(card);
    window.wx.updateTimelineShareData({ title: d.title, link: d.link, imgUrl: d.imgUrl, success: shared });
  }
  document.addEventListener('app:share-data', apply);

  var url = location.href.split('#')[0];
  var s = document.createElement('script');
  s.src = '/static/vendor/jweixin.js' + (v ? '?v=' + v : '');
  s.onload = function () {
    if (!window.wx || !window.wx.config) return;
    fetch('/api/v1/m/' + encodeURIComponent(merchant) + '/wx/jssdk-config?url=' + encodeURIComponent(url),
      { credentials: 'same-origin' }).then(function (r) {
      return r.ok ? r.json() : null;
    }).then(function (j) {
      if (!j || !j.data) return;	// not configured: WeChat's default card
      window.wx.config({
        debug: false, appId: j.data.appId, timestamp: j.data.timestamp,
        nonceStr: j.data.nonceStr, signature: j.data.signature,
        jsApiList: ['updateAppMessageShareData', 'updateTimelineShareData']
      });
      window.wx.ready(function () { ready = true; apply(); });
    }, function () {});
  };
  document.head.appendChild(s);
})();
