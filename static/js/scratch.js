/*
 * 刮刮乐: the member's scratch cards. Each unscratched chance is a card
 * with a silver coating on a canvas; the first stroke (or 一键刮开) asks
 * the server to scratch it (POST /me/scratch-chances/{id}/scratch: the
 * draw is made and stored there, the same answer every time), and the
 * prize shows under the coating. Once about half of it is scratched away
 * the rest goes. Scratched and void chances are listed below.
 */
(function () {
  'use strict';
  var App = window.App;
  var $ = App.byId, el = App.el;

  /* "2026-12-01T10:00:00+08:00" -> "12月1日" */
  function day(iso) {
    var m = /^\d{4}-(\d{2})-(\d{2})/.exec(iso || '');
    return m ? parseInt(m[1], 10) + '月' + parseInt(m[2], 10) + '日' : '';
  }

  function prizeSub(p) {
    if (!p) return '谢谢参与，下次好运';
    if (p.kind === 'coupon') return '优惠券已放入“我的券”';
    if (p.kind === 'bonus') return '赠送金已存入钱包';
    return '积分已到账';
  }

  function doneRow(c) {
    var row = el('div', 'weui-cell');
    var bd = el('div', 'weui-cell__bd');
    bd.appendChild(el('p', null, c.campaign.name));
    bd.appendChild(el('p', 'scratch-card__meta', day(c.created_at) + '获得 · 订单 ' + c.order_id));
    row.appendChild(bd);
    var ft;
    if (c.status === 'void') ft = el('div', 'weui-cell__ft', '已失效（订单已退款）');
    else if (c.prize) ft = el('div', 'weui-cell__ft is-prize', c.prize.title);
    else ft = el('div', 'weui-cell__ft', '未中奖');
    row.appendChild(ft);
    return row;
  }

  function addDone(c) {
    var box = $('scratch-done');
    box.hidden = false;
    $('scratch-done-title').hidden = false;
    box.insertBefore(doneRow(c), box.firstChild);
  }

  /* The coating: a silver layer with its words, erased where the finger goes. */
  function coat(canvas) {
    var r = canvas.getBoundingClientRect();
    var dpr = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(r.width * dpr));
    canvas.height = Math.max(1, Math.round(r.height * dpr));
    var g = canvas.getContext('2d');
    g.scale(dpr, dpr);
    var grad = g.createLinearGradient(0, 0, r.width, r.height);
    grad.addColorStop(0, '#b8bcc2');
    grad.addColorStop(0.5, '#dfe2e6');
    grad.addColorStop(1, '#a9aeb5');
    g.fillStyle = grad;
    g.fillRect(0, 0, r.width, r.height);
    g.fillStyle = '#4a4f57';
    g.font = '600 20px -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText('刮开涂层 看看奖品', r.width / 2, r.height / 2);
    g.globalCompositeOperation = 'destination-out';
    return g;
  }

  /* Share of the coating erased, on a coarse grid of pixels. */
  function erased(canvas, g) {
    var d = g.getImageData(0, 0, canvas.width, canvas.height).data;
    var step = 16 * 4, clear = 0, all = 0;
    for (var i = 3; i < d.length; i += step) { all++; if (d[i] === 0) clear++; }
    return all ? clear / all : 1;
  }

  function card(c) {
    var box = el('article', 'scratch-card');
    box.setAttribute('data-chance-id', String(c.id));
    var head = el('div', 'scratch-card__head');
    head.appendChild(el('h2', 'scratch-card__name', c.campaign.name));
    head.appendChild(el('span', 'scratch-card__meta', day(c.created_at) + '获得 · 订单 ' + c.order_id));
    box.appendChild(head);

    var area = el('div', 'scratch-card__area');
    var prize = el('div', 'scratch-card__prize');
    prize.setAttribute('aria-live', 'polite');
    var title = el('p', 'scratch-card__title', '开奖中…');
    var sub = el('p', 'scratch-card__sub', '');
    prize.appendChild(title);
    prize.appendChild(sub);
    area.appendChild(prize);
    var canvas = el('canvas', 'scratch-card__canvas');
    canvas.setAttribute('aria-hidden', 'true');
    area.appendChild(canvas);
    box.appendChild(area);

    var foot = el('div', 'scratch-card__foot');
    var hint = el('span', 'scratch-card__hint', '用手指在涂层上来回刮');
    var btn = el('button', 'weui-btn weui-btn_mini weui-btn_primary scratch-card__btn', '一键刮开');
    btn.type = 'button';
    foot.appendChild(hint);
    foot.appendChild(btn);
    box.appendChild(foot);

    var g = null, asked = null, answer = null, revealed = false, moves = 0, last = null;

    function show() {
      if (!answer) return;
      if (answer.error) {
        title.textContent = answer.error;
        sub.textContent = '';
        box.classList.add('scratch-card_lost');
      } else {
        var p = answer.prize;
        title.textContent = p ? p.title : '谢谢参与';
        sub.textContent = prizeSub(p);
        if (!p) box.classList.add('scratch-card_lost');
      }
    }

    function reveal() {
      if (revealed) return;
      revealed = true;
      canvas.hidden = true;
      btn.hidden = true;
      hint.textContent = '';
      box.classList.add('scratch-card_done');
      if (answer && answer.prize && answer.prize.kind === 'coupon') {
        var a = el('a', null, '去我的券查看');
        a.href = App.pageUrl('/coupons?tab=mine');
        hint.appendChild(a);
      }
    }

    /* Ask the server once; the answer is the same however often it is asked. */
    function ask() {
      if (asked) return asked;
      asked = App.api('POST', '/me/scratch-chances/' + c.id + '/scratch', {}).then(function (r) {
        if (r.status === 200) answer = { prize: r.body.data.prize };
        else {
          answer = { error: App.errorText(r) };
          asked = null;	/* a network error may be tried again */
          if (r.status === 409 || r.status === 404) asked = Promise.resolve();
        }
        show();
        return answer;
      });
      return asked;
    }

    function point(ev) {
      var r = canvas.getBoundingClientRect();
      return { x: ev.clientX - r.left, y: ev.clientY - r.top };
    }

    function stroke(p) {
      if (!g) return;
      g.lineCap = 'round';
      g.lineJoin = 'round';
      g.lineWidth = 36;
      g.beginPath();
      g.moveTo((last || p).x, (last || p).y);
      g.lineTo(p.x, p.y);
      g.stroke();
      last = p;
      if (++moves % 8 === 0 && answer && erased(canvas, g) > 0.45) reveal();
    }

    var down = false;
    canvas.addEventListener('pointerdown', function (ev) {
      ev.preventDefault();
      if (!g) g = coat(canvas);
      down = true;
      last = null;
      ask();
      stroke(point(ev));
      try { canvas.setPointerCapture(ev.pointerId); } catch (e) { /* not every browser */ }
    });
    canvas.addEventListener('pointermove', function (ev) { if (down) stroke(point(ev)); });
    function up() {
      down = false;
      last = null;
      if (answer && g && erased(canvas, g) > 0.45) reveal();
    }
    canvas.addEventListener('pointerup', up);
    canvas.addEventListener('pointercancel', up);

    btn.addEventListener('click', function () {
      btn.disabled = true;
      ask().then(function () { btn.disabled = false; reveal(); });
    });

    /* draw the coating once the card is laid out */
    requestAnimationFrame(function () { if (!g) g = coat(canvas); });
    return box;
  }

  App.api('GET', '/me/scratch-chances?limit=100').then(function (r) {
    var open = $('scratch-open');
    open.setAttribute('aria-busy', 'false');
    $('scratch-loading').hidden = true;
    if (r.status !== 200) { App.toast(App.errorText(r)); return; }
    var list = r.body.data, n = 0;
    list.forEach(function (c) {
      if (c.status === 'unscratched') { open.appendChild(card(c)); n++; }
    });
    list.slice().reverse().forEach(function (c) { if (c.status !== 'unscratched') addDone(c); });
    $('scratch-empty').hidden = n > 0;
  });
})();
