/*
 * The counter's count cards (次卡): after a member code scan (and after an
 * order that sold one), the member's cards with what is left, each with a
 * 核销 button for its uses at this store: how many (1 to what is left) and,
 * when the card covers products, which one was served (from the store's
 * menu, GET products?store_id=); the use just made can be reversed (撤销)
 * at once. Uses carry an Idempotency-Key kept until the attempt is
 * answered, so a retried tap never takes two uses.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('counter-ccards');
  if (!root || !Staff || !window.Counter) return;
  var Counter = window.Counter;
  var $ = App.byId, el = App.el;
  var ticket = null, last = null, pending = {}, menu = {}, menuStore = null;

  /* the store's products by id, for the names of what a card covers */
  function loadMenu() {
    var sid = Counter.storeId();
    if (!sid || sid === menuStore) return Promise.resolve();
    return App.api('GET', '/products' + App.query({ store_id: sid, limit: 100 })).then(function (r) {
      menu = {};
      menuStore = sid;
      (r.status === 200 ? r.body.data : []).forEach(function (p) { menu[p.id] = p.name; });
    });
  }

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
      var covered = (Array.isArray(c.product_ids) ? c.product_ids : []).filter(function (id) { return menu[id]; });
      var pick = null;
      if (covered.length) {
        pick = el('select', 'ccards-card__product');
        pick.setAttribute('aria-label', '核销商品：' + c.name);
        var none = el('option', null, '不指定商品');
        none.value = '';
        pick.appendChild(none);
        covered.forEach(function (id) {
          var o = el('option', null, menu[id]);
          o.value = String(id);
          pick.appendChild(o);
        });
        if (covered.length === 1) pick.value = String(covered[0]);
        ft.appendChild(pick);
      }
      var n = el('input', 'ccards-card__uses');
      n.type = 'number';
      n.min = '1';
      n.max = String(c.uses_left);
      n.step = '1';
      n.value = '1';
      n.setAttribute('inputmode', 'numeric');
      n.setAttribute('aria-label', '核销次数：' + c.name + '（最多 ' + c.uses_left + ' 次）');
      ft.appendChild(n);
      ft.appendChild(el('span', 'ccards-card__unit', '次'));
      var b = el('button', 'weui-btn weui-btn_mini weui-btn_primary', '核销');
      b.type = 'button';
      b.setAttribute('aria-label', '核销：' + c.name);
      b.addEventListener('click', function () { use(c, b, n, pick); });
      ft.appendChild(b);
    } else if (c.status === 'active') {
      ft.appendChild(el('span', 'ccards-card__off', '本店不可用'));
    }
    cell.appendChild(ft);
    return cell;
  }

  function use(c, b, n, pick) {
    var k = Number(n.value);
    if (!/^\d{1,2}$/.test(n.value.trim()) || k < 1 || k > c.uses_left) {
      App.toast('核销次数应为 1 到 ' + c.uses_left + ' 次');
      n.focus();
      return;
    }
    var body = { ticket: ticket, uses: k };
    if (pick && pick.value) body.product_id = Number(pick.value);
    /* one key for one body: sent again (a lost answer) it uses once; a changed body is a new attempt */
    var sig = JSON.stringify(body), p = pending[c.id];
    if (!p || p.sig !== sig) p = pending[c.id] = { sig: sig, key: App.idemKey() };
    b.disabled = true;
    Counter.api('POST', '/count-cards/' + c.id + '/uses', body, { 'Idempotency-Key': p.key }).then(function (r) {
      if (r.status >= 500 || !r.body) { b.disabled = false; App.toast('网络错误，请再点一次（不会重复核销）'); return; }
      delete pending[c.id];
      if (r.status !== 201) { b.disabled = false; App.toast(App.errorText(r)); load(); return; }
      last = { card: c.id, use: r.body.data.use };
      var what = r.body.data.use.product_name ? '（' + r.body.data.use.product_name + '）' : '';
      done('已核销：' + c.name + what + ' ' + k + ' 次，剩余 ' + r.body.data.card.uses_left + ' 次');
      load();
    });
  }

  function load() {
    if (!ticket) return;
    var t = ticket;
    loadMenu().then(function () {
      return Counter.api('GET', '/count-cards' + App.query({ ticket: t }));
    }).then(function (r) {
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
