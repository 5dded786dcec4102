/* The wallet page: more ledger entries on demand (GET /me/wallet?cursor=). */
(function () {
  'use strict';
  var App = window.App;
  var more = document.getElementById('wallet-more');
  if (!more) return;

  var KIND = { recharge: '充值', payment: '余额支付', refund: '退款', adjustment: '调整' };

  function signed(fen) {
    return (fen > 0 ? '+' : '') + App.fen(fen);
  }

  function row(e) {
    var cell = document.createElement('div');
    cell.className = 'weui-cell wallet-entry';
    cell.setAttribute('data-kind', e.kind);
    cell.setAttribute('data-ref', e.ref);
    var bd = document.createElement('div');
    bd.className = 'weui-cell__bd';
    var title = document.createElement('p');
    title.className = 'wallet-entry__title';
    title.textContent = KIND[e.kind] || e.kind;
    var meta = document.createElement('p');
    meta.className = 'wallet-entry__meta';
    meta.textContent = e.at.slice(0, 10) + ' ' + e.at.slice(11, 16) + ' · 本金 ' + signed(e.principal_fen) +
      ' · 赠送金 ' + signed(e.bonus_fen);
    bd.appendChild(title);
    bd.appendChild(meta);
    var ft = document.createElement('div');
    var total = e.principal_fen + e.bonus_fen;
    ft.className = 'weui-cell__ft wallet-entry__amount' + (total < 0 ? ' wallet-entry__amount_minus' : '');
    ft.textContent = signed(total);
    cell.appendChild(bd);
    cell.appendChild(ft);
    return cell;
  }

  more.addEventListener('click', function () {
    more.disabled = true;
    App.api('GET', '/me/wallet?limit=20&cursor=' + encodeURIComponent(more.getAttribute('data-cursor'))).then(function (r) {
      more.disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      var list = document.getElementById('wallet-entries');
      r.body.data.entries.forEach(function (e) { list.appendChild(row(e)); });
      if (r.body.data.next_cursor) more.setAttribute('data-cursor', r.body.data.next_cursor);
      else more.parentNode.removeChild(more);
    });
  });
})();
