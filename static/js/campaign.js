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

  /*
   * Show a coupon as the API has it now: 领取 while the member may claim
   * more (with 已领 n 张), else the reason in Chinese, disabled; the stock left.
   */
  function show(btn, t) {
    var row = btn.closest('.campaign-coupon');
    var left = row && row.querySelector('.campaign-coupon__left');
    var mine = row && row.querySelector('.campaign-coupon__mine');
    if (left && t.stock_left !== null && t.stock_left !== undefined) left.textContent = String(t.stock_left);
    if (mine && t.claimed_by_me > 0) {
      mine.querySelector('.campaign-coupon__mine-n').textContent = String(t.claimed_by_me);
      mine.hidden = false;
    }
    if (t.claimable) {
      btn.textContent = '领取';
      btn.className = 'weui-btn weui-btn_mini weui-btn_primary claim';
      btn.disabled = false;
    } else {
      btn.textContent = t.reason_text || '不可领取';
      btn.className = 'weui-btn weui-btn_mini weui-btn_default claim';
      btn.disabled = true;
    }
  }

  /* Re-read one coupon of the campaign; the fallback when it cannot be read. */
  function refresh(btn, id, fallback) {
    return App.api('GET', '/coupon-templates' + App.query({ campaign: slug })).then(function (r) {
      var t = r.status === 200 && r.body && r.body.data ? r.body.data.filter(function (x) { return x.id === id; })[0] : null;
      show(btn, t || fallback);
    }, function () { show(btn, fallback); });
  }

  Array.prototype.forEach.call(document.querySelectorAll('button.claim'), function (btn) {
    btn.addEventListener('click', function () {
      if (!root.dataset.member) { joinFirst(); return; }
      var id = Number(btn.dataset.template);
      if (!btn._key) btn._key = App.idemKey();
      btn.disabled = true;
      App.api('POST', '/coupons', { template_id: id, campaign: slug }, { 'Idempotency-Key': btn._key }).then(function (r) {
        btn._key = null;
        if (r.status === 201) {
          App.toast('领取成功，已放入我的优惠券');
          return refresh(btn, id, { claimable: true });
        }
        if (r.status === 401 || (r.body && r.body.error && r.body.error.code === 'not_member')) { joinFirst(); return; }
        App.toast(App.errorText(r));
        if (r.status === 409 || r.status === 403) return refresh(btn, id, { claimable: false, reason_text: '不可领取' });
        btn.disabled = false;
      }, function () {
        btn.disabled = false;
        App.toast('网络错误，请重试');
      });
    });
  });

  function reportShare() {
    App.api('POST', '/campaigns/' + encodeURIComponent(slug) + '/events', { type: 'share' });
  }

  // Inside WeChat, wxshare.js sets the share card from #share-data and
  // tells of each share.
  document.addEventListener('app:shared', reportShare);

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
