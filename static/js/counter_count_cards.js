/*
 * The counter's count cards (次卡): after a member code scan (and after an
 * order that sold one), the member's cards with what is left, each with a
 * 核销 button for one use at this store; the use just made can be
 * reversed (撤销) at once. Uses carry an Idempotency-Key kept until the
 * attempt is answered, so a retried tap never takes two uses.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('counter-ccards');
  if (!root || !Staff || !window.Counter) return;
  var Counter = window.Counter;
  var $ = App.byId, el = App.el;
  var ticket = null, last = null, pending = {};

  function done(text) {
    $('ccards-done').textContent = text || '';
    $('ccards-done').hidden = !text;
  }

  function reverseButton(card, use) {
    var b = el('button', 'weui-btn weui-btn_mini weui-btn_default', '撤销');
    b.type = 'button';
    b.setAttribute('aria-label', '撤销刚才的核销：' + card.name);
    b.addEventListener('click', function () {
      b.disabled = true;
      Counter.api('POST', '/count-cards/' + card.id + '/uses/' + use.id + '/reverse', {},
        { 'Idempotency-Key': App.idemKey() }).then(function (r) {
        if (r.status !== 200) { b.disabled = false; App.toast(App.errorText(r)); return; }
        last = null;
        done('已撤销：' + card.name + '，剩余 ' + r.body.data.card.uses_left + ' 次');
        load();
      });
    });
    return b;
  }

  function row(c) {
    var cell = el('div', 'weui-cell ccards-card');
    cell.setAttribute('data-card', String(c.id));
    var bd = el('div', 'weui-cell__bd');
    bd.appendChild(el('p', 'ccards-card__name', c.name));
    bd.appendChild(el('p', 'ccards-card__meta', '剩余 ' + c.uses_left + '/' + c.uses_total + ' 次 · ' +
      (c.status === 'active' ? '有效期至 ' + App.dateWords(c.expires_at) : c.status_text)));
    cell.appendChild(bd);
    var ft = el('div', 'weui-cell__ft ccards-card__ops');
    if (last && last.card === c.id) ft.appendChild(reverseButton(c, last.use));
    if (c.status === 'active' && c.usable_here) {
      var b = el('button', 'weui-btn weui-btn_mini weui-btn_primary', '核销');
      b.type = 'button';
      b.setAttribute('aria-label', '核销一次：' + c.name);
      b.addEventListener('click', function () { use(c, b); });
      ft.appendChild(b);
    } else if (c.status === 'active') {
      ft.appendChild(el('span', 'ccards-card__off', '本店不可用'));
    }
    cell.appendChild(ft);
    return cell;
  }

  function use(c, b) {
    var k = pending[c.id] || (pending[c.id] = App.idemKey());
    b.disabled = true;
    Counter.api('POST', '/count-cards/' + c.id + '/uses', { ticket: ticket, uses: 1 }, { 'Idempotency-Key': k }).then(function (r) {
      if (r.status >= 500 || !r.body) { b.disabled = false; App.toast('网络错误，请再点一次（不会重复核销）'); return; }
      delete pending[c.id];
      if (r.status !== 201) { b.disabled = false; App.toast(App.errorText(r)); load(); return; }
      last = { card: c.id, use: r.body.data.use };
      done('已核销：' + c.name + ' 1 次，剩余 ' + r.body.data.card.uses_left + ' 次');
      load();
    });
  }

  function load() {
    if (!ticket) return;
    var t = ticket;
    Counter.api('GET', '/count-cards' + App.query({ ticket: t })).then(function (r) {
      if (t !== ticket) return;
      var list = $('ccards-list');
      list.innerHTML = '';
      var cards = r.status === 200 ? r.body.data : [];
      cards.forEach(function (c) { list.appendChild(row(c)); });
      if (!cards.length) list.appendChild(el('div', 'weui-cell ccards-none', '该会员还没有次卡'));
      root.hidden = false;
    });
  }

  document.addEventListener('counter:scan', function (ev) {
    var scan = ev.detail && ev.detail.scan;
    ticket = scan ? scan.ticket : null;
    last = null;
    pending = {};
    done('');
    root.hidden = true;
    load();
  });
  document.addEventListener('counter:paid', function () { load(); });
})();
