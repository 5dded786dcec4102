/* The wallet page: more ledger entries on demand (GET /me/wallet?cursor=). */
(function () {
  'use strict';
  var App = window.App, el = App.el;
  var more = document.getElementById('wallet-more');
  if (!more) return;

  var KIND = { recharge: '充值', payment: '余额支付', refund: '退款', adjustment: '调整', scratch: '刮刮乐' };

  function signed(fen) {
    return (fen > 0 ? '+' : '') + App.fen(fen);
  }

  function row(e) {
    var cell = el('div', 'weui-cell wallet-entry');
    cell.setAttribute('data-kind', e.kind);
    cell.setAttribute('data-ref', e.ref);
    var bd = el('div', 'weui-cell__bd');
    bd.appendChild(el('p', 'wallet-entry__title', KIND[e.kind] || e.kind));
    var meta = el('p', 'wallet-entry__meta');
    [App.dateTime(e.at), '本金 ' + signed(e.principal_fen), '赠送金 ' + signed(e.bonus_fen)].forEach(function (t, i) {
      if (i) meta.appendChild(document.createTextNode(' · '));
      meta.appendChild(el('span', 'nowrap', t));
    });
    bd.appendChild(meta);
    var total = e.principal_fen + e.bonus_fen;
    cell.appendChild(bd);
    cell.appendChild(el('div', 'weui-cell__ft wallet-entry__amount' + (total < 0 ? ' wallet-entry__amount_minus' : ''),
      signed(total)));
    return cell;
  }

  more.addEventListener('click', function () {
    more.disabled = true;
    App.api('GET', '/me/wallet' + App.query({ limit: 20, cursor: more.getAttribute('data-cursor') })).then(function (r) {
      more.disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      var list = document.getElementById('wallet-entries');
      r.body.data.entries.forEach(function (e) { list.appendChild(row(e)); });
      if (r.body.data.next_cursor) more.setAttribute('data-cursor', r.body.data.next_cursor);
      else more.parentNode.removeChild(more);
    });
  });
})();
