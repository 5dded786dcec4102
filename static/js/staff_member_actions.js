/*
 * The members console's actions on one member (owners only): adjust
 * points or the bonus balance, set the tier by hand until a day, block or
 * unblock, bind a physical card or unbind it, each with a reason, in one dialog; what
 * holds on the member (blocked, the tier held, the card, the PIN) and the
 * staff's latest actions. Listens for staff_members.js's 'members:open'
 * (detail: GET staff/members/{id}); calls {base}/staff/members/{id}/...
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var dialog = document.getElementById('ma-dialog');
  if (!dialog || !Staff) return;

  var $ = App.byId, el = App.el;
  var member = null, action = null, isOwner = false, tiers = null, attemptKey = '', attemptBody = '';
  var ACTIONS = { 'member.adjust': '调整', 'member.tier': '设置等级', 'member.block': '冻结', 'member.unblock': '解冻',
    'member.card': '绑定实体卡', 'member.card_unbind': '解绑实体卡', 'member.birthday': '修改生日' };

  function when(iso) { return iso ? App.dateWords(iso.slice(0, 10)) + ' ' + iso.slice(11, 16) : '—'; }

  function badge(cls, text) {
    var b = el('span', 'od-badge ' + cls, text);
    $('md-holds').appendChild(b);
  }

  /* What an audit row did, in words. */
  function actionText(a) {
    var d = a.detail || {}, t = ACTIONS[a.action] || '操作';
    if (a.action === 'member.adjust') {
      t += d.kind === 'bonus' ? ' 赠送金 ' + (d.amount > 0 ? '+' : '') + App.yuan(d.amount) : ' 积分 ' + (d.amount > 0 ? '+' : '') + d.amount;
    } else if (a.action === 'member.tier') {
      var name = (tiers || []).filter(function (x) { return x.level === d.level; }).map(function (x) { return x.name; })[0];
      t += ' ' + (name || d.level + ' 级') + (d.until ? '，保持到' + App.dateWords(d.until) : '，长期');
    } else if (a.action === 'member.card') {
      t += ' ' + d.card_no;
    } else if (a.action === 'member.card_unbind') {
      t += ' ' + d.old_card_no;
    }
    return t + (a.reason ? '（' + a.reason + '）' : '') + (a.staff_name ? ' · ' + a.staff_name : '');
  }

  function render(d) {
    member = d;
    var h = d.holds || {};
    $('md-holds').innerHTML = '';
    if (h.blocked) badge('od-badge_blocked', '已冻结' + (h.blocked_reason ? '：' + h.blocked_reason : ''));
    if (h.tier_manual) badge('od-badge_hold', h.tier_manual_until ? '手动等级，保持到' + App.dateWords(h.tier_manual_until) : '手动等级，长期保持');
    if (h.physical_card_no) badge('od-badge_card', '实体卡 ' + h.physical_card_no);
    badge('od-badge_card', h.pin_locked ? '支付密码已锁定' : h.pin_set ? '已设支付密码' : '未设支付密码');
    $('md-actions').hidden = !isOwner;
    $('md-uncard').hidden = !h.physical_card_no;
    $('md-block').textContent = h.blocked ? '解冻会员' : '冻结会员';
    $('md-block').className = 'weui-btn weui-btn_mini ' + (h.blocked ? 'weui-btn_primary' : 'weui-btn_warn');
    var dl = $('md-staff-actions');
    dl.innerHTML = '';
    var list = h.staff_actions || [];
    if (!list.length) dl.appendChild(el('p', 'app-note', '暂无'));
    list.forEach(function (a) {
      var row = el('div', 'od-list__row');
      row.appendChild(el('dt', null, when(a.at)));
      row.appendChild(el('dd', null, actionText(a)));
      dl.appendChild(row);
    });
  }

  function loadTiers() {
    if (tiers) return Promise.resolve(tiers);
    return App.api('GET', '/tiers').then(function (r) {
      tiers = r.status === 200 ? r.body.data : [];
      $('ma-level').innerHTML = '';
      tiers.forEach(function (t) {
        var o = el('option', null, t.name);
        o.value = String(t.level);
        $('ma-level').appendChild(o);
      });
      return tiers;
    });
  }

  function kind() {
    var c = dialog.querySelector('input[name="ma-kind"]:checked');
    return c ? c.value : 'points';
  }

  function amountLabel() {
    $('ma-amount-label').textContent = kind() === 'bonus' ? '调整金额（元）' : '调整积分';
  }

  function open(which) {
    if (!member) return;
    action = which === 'block' && member.holds && member.holds.blocked ? 'unblock' : which;
    attemptBody = '';
    var who = (member.name || '未填姓名') + ' · ' + member.phone_masked;
    var titles = { adjust: '调整积分或赠送金', tier: '设置会员等级', block: '冻结会员', unblock: '解冻会员', card: '绑定实体卡',
      uncard: '解绑实体卡' };
    var hints = {
      adjust: who + '：现有积分 ' + member.points + '，赠送金 ' + App.yuan(member.balance.bonus_fen) + '。增加写正数，扣减写负数。',
      tier: who + '：当前' + (member.tier ? member.tier.name : '无等级') + '。成长值会调到该等级的起点。',
      block: who + '：冻结后不能支付、下单、领券和兑换，直到解冻。',
      unblock: who + '：解冻后恢复支付和领券。',
      card: who + (member.holds && member.holds.physical_card_no ? '：现绑定 ' + member.holds.physical_card_no : '：尚未绑定实体卡'),
      uncard: who + '：解绑实体卡 ' + ((member.holds && member.holds.physical_card_no) || '') + '，解绑后该卡在收银台刷不出会员，卡号可绑给其他会员。',
    };
    $('ma-title').textContent = titles[action];
    $('ma-hint').textContent = hints[action];
    $('ma-adjust-box').hidden = action !== 'adjust';
    $('ma-tier-box').hidden = action !== 'tier';
    $('ma-card-box').hidden = action !== 'card';
    $('ma-reason-label').textContent = action === 'card' || action === 'uncard' ? '操作原因（选填）' : '操作原因';
    $('ma-submit').className = 'weui-btn weui-btn_mini ' + (action === 'block' || action === 'uncard' ? 'weui-btn_warn' : 'weui-btn_primary');
    $('ma-form').reset();
    $('ma-error').textContent = '';
    amountLabel();
    var ready = action === 'tier' ? loadTiers().then(function () {
      if (member.tier) $('ma-level').value = String(member.tier.level);
    }) : Promise.resolve();
    ready.then(function () {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
      var first = action === 'adjust' ? 'ma-amount' : action === 'tier' ? 'ma-level' : action === 'card' ? 'ma-card' : 'ma-reason';
      $(first).focus();
    });
  }

  function close() {
    if (typeof dialog.close === 'function') dialog.close();
    else dialog.removeAttribute('open');
  }

  function fail(msg, id) {
    $('ma-error').textContent = msg;
    if (id) $(id).focus();
  }

  /* The request of the dialog as filled in: [method, path, body, headers], or null (the reason shown). */
  function request() {
    var reason = $('ma-reason').value.trim(), base = '/members/' + member.id;
    if (!reason && action !== 'card' && action !== 'uncard') return fail('请填写操作原因', 'ma-reason');
    if (action === 'adjust') {
      var v = $('ma-amount').value.trim().replace(/^＋|^\+/, ''), amount;
      if (kind() === 'bonus') {
        var neg = v.charAt(0) === '-' || v.charAt(0) === '－';
        var f = App.yuanToFen(neg ? v.slice(1) : v);
        if (f === null || isNaN(f) || f === 0) return fail('金额请写成元，如 20 或 -5.50', 'ma-amount');
        amount = neg ? -f : f;
      } else {
        if (!/^-?\d{1,9}$/.test(v) || Number(v) === 0) return fail('积分请写不为 0 的整数，如 100 或 -50', 'ma-amount');
        amount = Number(v);
      }
      var adj = { kind: kind(), amount: amount, reason: reason };
      // one key for one body: sent again (a lost answer) it adjusts once; a changed body is a new attempt
      if (JSON.stringify(adj) !== attemptBody) {
        attemptBody = JSON.stringify(adj);
        attemptKey = 'adj-' + member.id + '-' + Date.now() + '-' + Math.random().toString(36).slice(2, 10);
      }
      return ['POST', base + '/adjustments', adj, { 'Idempotency-Key': attemptKey }];
    }
    if (action === 'tier') {
      var until = App.parseDate($('ma-until').value, 480);
      if (until === null) return fail('日期看不懂，请写成 2027-03-31 或 3月31日', 'ma-until');
      var body = { level: Number($('ma-level').value), reason: reason };
      if (until) body.until = until;
      return ['PUT', base + '/tier', body];
    }
    if (action === 'card') {
      var no = $('ma-card').value.trim();
      if (!no) return fail('请填写实体卡号', 'ma-card');
      var b = { card_no: no };
      if (reason) b.reason = reason;
      return ['POST', base + '/physical-card', b];
    }
    if (action === 'uncard') return ['POST', base + '/physical-card/unbind', reason ? { reason: reason } : {}];
    return ['POST', base + '/' + action, { reason: reason }];
  }

  $('ma-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var q = request();
    if (!q) return;
    $('ma-submit').disabled = true;
    Staff.api(q[0], q[1], q[2], q[3]).then(function (r) {
      $('ma-submit').disabled = false;
      if (r.status !== 200 && r.status !== 201) { fail(App.errorText(r)); return; }
      close();
      App.toast({ adjust: '已调整', tier: '等级已设置', block: '会员已冻结', unblock: '会员已解冻', card: '实体卡已绑定', uncard: '实体卡已解绑' }[action]);
      window.MembersConsole.open(member.id);
    });
  });
  $('ma-close').addEventListener('click', close);
  $('ma-form').addEventListener('input', function () { $('ma-error').textContent = ''; });
  Array.prototype.forEach.call(dialog.querySelectorAll('input[name="ma-kind"]'), function (i) {
    i.addEventListener('change', amountLabel);
  });
  Array.prototype.forEach.call(document.querySelectorAll('#md-actions [data-action]'), function (b) {
    b.addEventListener('click', function () { open(b.getAttribute('data-action')); });
  });

  Staff.onSignedIn(function (staff) {
    isOwner = staff.role === 'owner';
    if (member) render(member);
  });
  document.addEventListener('members:open', function (ev) {
    render(ev.detail);
    if (!tiers) loadTiers();
  });
})();
