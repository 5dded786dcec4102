/*
 * The settings console: the member card (with background upload), the
 * tier ladder and checkout (收银与退款) for owners and marketing, staff
 * accounts, the audit log and the background jobs (后台任务) for owners.
 * Uses window.Staff from staff.js.
 */
(function () {
  'use strict';
  var App = window.App, Staff = window.Staff;
  var root = document.getElementById('console');
  if (!root || !Staff) return;

  var $ = App.byId, el = App.el, checkedIds = App.checkedIds;

  var stores = [];

  function storeBoxes(container, prefix, checked) {
    container.innerHTML = '';
    stores.forEach(function (s) {
      var label = el('label', 'store-check');
      var box = el('input');
      box.type = 'checkbox';
      box.value = String(s.id);
      box.id = prefix + s.id;
      box.checked = checked.indexOf(s.id) >= 0;
      label.appendChild(box);
      label.appendChild(document.createTextNode(' ' + s.name));
      container.appendChild(label);
    });
  }

  /* ---- the card ---- */

  var bgUrl = null;

  function preview() {
    var p = $('card-preview');
    $('card-preview-name').textContent = $('card-name').value;
    p.style.backgroundImage = bgUrl ? 'url("' + bgUrl.replace(/["\\]/g, '') + '")' : '';
  }

  function validityRows() {
    var k = $('card-validity').value;
    $('card-until-row').hidden = k !== 'until';
    $('card-months-row').hidden = k !== 'months';
  }

  function loadCard() {
    return Staff.api('GET', '/settings/card').then(function (r) {
      if (r.status !== 200) return;
      var d = r.body.data;
      $('card-name').value = d.name || '';
      bgUrl = d.background_url;
      $('card-validity').value = d.validity.kind;
      $('card-until').value = d.validity.until || '';
      $('card-months').value = d.validity.months || '';
      var all = d.store_ids === 'all';
      $('card-all-stores').checked = all;
      $('card-stores-row').hidden = all;
      storeBoxes($('card-stores'), 'card-store-', all ? [] : d.store_ids);
      validityRows();
      preview();
      $('card-form').hidden = false;
    });
  }

  $('card-name').addEventListener('input', preview);
  $('card-validity').addEventListener('change', validityRows);
  $('card-all-stores').addEventListener('change', function () {
    $('card-stores-row').hidden = $('card-all-stores').checked;
  });
  $('card-bg-clear').addEventListener('click', function () {
    bgUrl = null;
    $('card-bg-file').value = '';
    preview();
  });
  $('card-bg-file').addEventListener('change', function () {
    var f = $('card-bg-file').files[0];
    if (!f) return;
    if (f.size > 2 * 1024 * 1024) { App.toast('图片不能超过 2 MB'); return; }
    Staff.upload('/uploads', f).then(function (r) {
      if (r.status !== 201) { App.toast(App.errorText(r)); return; }
      bgUrl = r.body.data.url;
      preview();
      App.toast('图片已上传，保存后生效');
    });
  });

  $('card-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var kind = $('card-validity').value;
    var validity = { kind: kind };
    if (kind === 'until') validity.until = $('card-until').value;
    if (kind === 'months') validity.months = parseInt($('card-months').value, 10) || 0;
    var body = {
      name: $('card-name').value.trim(),
      background_url: bgUrl,
      validity: validity,
      store_ids: $('card-all-stores').checked ? 'all' : checkedIds($('card-stores'))
    };
    $('card-save').disabled = true;
    Staff.api('PUT', '/settings/card', body).then(function (r) {
      $('card-save').disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      App.toast('会员卡已保存');
    });
  });

  /* ---- tiers ---- */

  function privText(list) {
    return (list || []).map(function (p) { return p.title + (p.desc ? '：' + p.desc : ''); }).join('\n');
  }

  function parsePriv(text) {
    return text.split('\n').map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
      var i = l.search(/[：:]/);
      return i < 0 ? { title: l, desc: '' } : { title: l.slice(0, i).trim(), desc: l.slice(i + 1).trim() };
    });
  }

  function field(row, label, cls, value, type, placeholder) {
    var cell = el('label', 'weui-cell weui-cell_active');
    var hd = el('div', 'weui-cell__hd');
    hd.appendChild(el('span', 'weui-label', label));
    var bd = el('div', 'weui-cell__bd');
    var input = el(type === 'textarea' ? 'textarea' : 'input', (type === 'textarea' ? 'weui-textarea ' : 'weui-input ') + cls);
    if (type && type !== 'textarea') input.type = type;
    if (type === 'number') input.step = 'any';
    input.value = value === null || value === undefined ? '' : String(value);
    /* a textarea tall enough for what it holds */
    if (type === 'textarea') input.rows = Math.max(3, input.value.split('\n').length + 1);
    if (placeholder) input.placeholder = placeholder;
    bd.appendChild(input);
    cell.appendChild(hd);
    cell.appendChild(bd);
    row.appendChild(cell);
  }

  function tierRow(t, level) {
    var row = el('div', 'weui-cells weui-cells_form tier-row');
    row.appendChild(el('div', 'tier-row__level', '第 ' + level + ' 级'));
    field(row, '名称', 'tier-name', t.name, 'text');
    field(row, '成长值', 'tier-growth', t.growth, 'number');
    field(row, '折扣 %', 'tier-discount', t.discount_pct, 'number', '不打折；95 即 9.5 折');
    field(row, '积分倍数', 'tier-mult', t.points_multiplier, 'number');
    field(row, '权益', 'tier-priv', privText(t.privileges), 'textarea', '每行一条，如：生日礼：生日当月赠饮品一杯');
    if (window.TierKeep) window.TierKeep.row(row, t, field);
    return row;
  }

  function renumber() {
    Array.prototype.forEach.call($('tiers').children, function (row, i) {
      row.querySelector('.tier-row__level').textContent = '第 ' + (i + 1) + ' 级';
    });
  }

  function loadTiers() {
    return Staff.api('GET', '/settings/tiers').then(function (r) {
      if (r.status !== 200) return;
      var box = $('tiers');
      box.innerHTML = '';
      r.body.data.tiers.forEach(function (t, i) { box.appendChild(tierRow(t, i + 1)); });
      if (window.TierKeep) window.TierKeep.load(r.body.data, tiersBody);
      $('tiers-form').hidden = false;
    });
  }

  $('tier-add').addEventListener('click', function () {
    var box = $('tiers');
    if (box.children.length >= 7) { App.toast('最多 7 个等级'); return; }
    box.appendChild(tierRow({ name: '', growth: '', discount_pct: null, points_multiplier: 1, privileges: [] }, box.children.length + 1));
  });
  $('tier-remove').addEventListener('click', function () {
    var box = $('tiers');
    if (box.children.length <= 1) { App.toast('至少保留 1 个等级'); return; }
    box.removeChild(box.lastChild);
    renumber();
  });

  function num(v) {
    if (v === '') return null;
    var n = Number(v);
    return isNaN(n) ? v : n;
  }

  /* The PUT's body (staff_tier_keep.js adds its fields). */
  function tiersBody() {
    var tiers = Array.prototype.map.call($('tiers').children, function (row, i) {
      var q = function (c) { return row.querySelector('.' + c).value; };
      return {
        level: i + 1,
        name: q('tier-name').trim(),
        growth: num(q('tier-growth')),
        discount_pct: num(q('tier-discount')),
        points_multiplier: num(q('tier-mult')),
        privileges: parsePriv(q('tier-priv'))
      };
    });
    var body = { tiers: tiers };
    if (window.TierKeep) window.TierKeep.extend(body, $('tiers').children);
    return body;
  }

  $('tiers-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    $('tiers-save').disabled = true;
    Staff.api('PUT', '/settings/tiers', tiersBody()).then(function (r) {
      $('tiers-save').disabled = false;
      if (r.status !== 200) { App.toast(App.errorText(r)); return; }
      App.toast('会员等级已保存');
    });
  });

  /* ---- checkout and refunds (收银与退款, settings/checkout) ---- */

  /* the fields an error names: the words the form shows and the input */
  var CHECKOUT_FIELDS = {
    tier_discount_with_member_price: ['会员价商品也享等级折扣', 'ck-tier-with-mp'],
    tier_discount_only_if_balance_covers: ['仅余额付清整单时享等级折扣', 'ck-tier-only-bal'],
    max_stackable: ['最多叠加优惠券张数', 'ck-max-stack'],
    points_to_cash: ['积分抵现', 'ck-points-on'],
    'points_to_cash.enabled': ['允许积分抵现', 'ck-points-on'],
    'points_to_cash.points_per_yuan': ['每元所需积分', 'ck-points-rate'],
    'points_to_cash.max_pct': ['最高抵扣比例', 'ck-points-pct'],
    'points_to_cash.max_points': ['单笔最多积分', 'ck-points-max'],
    coupon_return: ['券退回规则', 'ck-ret-cancel'],
    'coupon_return.on_cancel': ['未支付取消', 'ck-ret-cancel'],
    'coupon_return.on_refund_before_complete': ['完成前退款', 'ck-ret-before'],
    'coupon_return.on_refund_after_complete': ['完成后退款', 'ck-ret-after'],
    refund_approval_over_fen: ['退款审批金额', 'ck-approval'],
    unpaid_expiry_min: ['未支付订单保留分钟数', 'ck-expiry']
  };

  /* Show what is wrong beside the form and mark the input; no field: clear. */
  function checkoutError(field, msg) {
    Object.keys(CHECKOUT_FIELDS).forEach(function (k) {
      var input = $(CHECKOUT_FIELDS[k][1]);
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    });
    var f = field && CHECKOUT_FIELDS[field];
    $('ck-error').textContent = msg ? (f ? f[0] + '：' : '') + msg : '';
    if (f) {
      var input = $(f[1]);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'ck-error');
      input.focus();
    }
  }

  /* A whole number as typed: '' -> null (left empty); else the number, which the server checks. */
  function intValue(id) {
    var v = $(id).value.trim();
    return v === '' ? null : Number(v);
  }

  function fillCheckout(d) {
    $('ck-tier-with-mp').checked = d.tier_discount_with_member_price;
    $('ck-tier-only-bal').checked = d.tier_discount_only_if_balance_covers;
    $('ck-max-stack').value = d.max_stackable;
    $('ck-points-on').checked = d.points_to_cash.enabled;
    $('ck-points-rate').value = d.points_to_cash.points_per_yuan;
    $('ck-points-pct').value = d.points_to_cash.max_pct;
    $('ck-points-max').value = d.points_to_cash.max_points === null ? '' : d.points_to_cash.max_points;
    $('ck-ret-cancel').checked = d.coupon_return.on_cancel;
    $('ck-ret-before').checked = d.coupon_return.on_refund_before_complete;
    $('ck-ret-after').checked = d.coupon_return.on_refund_after_complete;
    $('ck-approval').value = d.refund_approval_over_fen === null ? '' : App.fen(d.refund_approval_over_fen);
    $('ck-expiry').value = d.unpaid_expiry_min;
    pointsRows();
  }

  /* the points rules only matter while points pay */
  function pointsRows() {
    ['ck-points-rate', 'ck-points-pct', 'ck-points-max'].forEach(function (id) {
      $(id).disabled = !$('ck-points-on').checked;
    });
  }

  function loadCheckout() {
    return Staff.api('GET', '/settings/checkout').then(function (r) {
      if (r.status !== 200) return;
      fillCheckout(r.body.data);
      checkoutError(null, '');
      $('checkout-form').hidden = false;
    });
  }

  $('ck-points-on').addEventListener('change', pointsRows);

  $('checkout-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var approval = App.optionalFen($('ck-approval').value);
    if (approval !== approval) {	/* NaN */
      checkoutError('refund_approval_over_fen', '请输入金额，如 500 或 99.50，留空为不需要审批');
      return;
    }
    var body = {
      tier_discount_with_member_price: $('ck-tier-with-mp').checked,
      tier_discount_only_if_balance_covers: $('ck-tier-only-bal').checked,
      max_stackable: intValue('ck-max-stack'),
      points_to_cash: {
        enabled: $('ck-points-on').checked,
        points_per_yuan: intValue('ck-points-rate'),
        max_pct: intValue('ck-points-pct'),
        max_points: intValue('ck-points-max')
      },
      coupon_return: {
        on_cancel: $('ck-ret-cancel').checked,
        on_refund_before_complete: $('ck-ret-before').checked,
        on_refund_after_complete: $('ck-ret-after').checked
      },
      refund_approval_over_fen: approval,
      unpaid_expiry_min: intValue('ck-expiry')
    };
    $('checkout-save').disabled = true;
    Staff.api('PUT', '/settings/checkout', body).then(function (r) {
      $('checkout-save').disabled = false;
      if (r.status !== 200) {
        var e = r.body && r.body.error;
        checkoutError(e ? e.field : null, App.errorText(r));
        return;
      }
      fillCheckout(r.body.data);
      checkoutError(null, '');
      App.toast('收银与退款设置已保存');
    });
  });

  /* ---- staff accounts (owners) ---- */

  function accountCell(a, me) {
    var cell = el('div', 'weui-cell account');
    var bd = el('div', 'weui-cell__bd');
    bd.appendChild(el('p', 'account__name', a.name + '（' + a.username + '）'));
    var names = a.store_ids.map(function (id) {
      var s = stores.filter(function (x) { return x.id === id; })[0];
      return s ? s.name : '#' + id;
    });
    bd.appendChild(el('p', 'account__meta', Staff.roleName(a.role) +
      (a.role === 'cashier' ? ' · ' + (names.join('、') || '无门店') :
        a.role === 'partner' ? ' · 合作门店账号，在门店管理中设置' : ' · 全部门店') +
      (a.disabled ? ' · 已停用' : '') + (a.locked ? ' · 已锁定' : '')));
    cell.appendChild(bd);
    var ft = el('div', 'weui-cell__ft account__ops');
    if (a.id !== me.id) {
      var toggle = el('button', 'weui-btn weui-btn_mini weui-btn_default', a.disabled ? '启用' : '停用');
      toggle.type = 'button';
      toggle.addEventListener('click', function () {
        Staff.api('PATCH', '/accounts/' + a.id, { disabled: !a.disabled }).then(function (r) {
          if (r.status !== 200) { App.toast(App.errorText(r)); return; }
          loadAccounts(me);
        });
      });
      ft.appendChild(toggle);
    }
    var reset = el('button', 'weui-btn weui-btn_mini weui-btn_default', '重置密码');
    reset.type = 'button';
    reset.addEventListener('click', function () {
      var pw = window.prompt('新密码（8 到 64 位）');
      if (!pw) return;
      Staff.api('PATCH', '/accounts/' + a.id, { password: pw }).then(function (r) {
        if (r.status !== 200) { App.toast(App.errorText(r)); return; }
        App.toast('密码已重置');
        loadAccounts(me);
      });
    });
    ft.appendChild(reset);
    if (a.role === 'cashier') {
      var assign = el('button', 'weui-btn weui-btn_mini weui-btn_default', '门店');
      assign.type = 'button';
      assign.addEventListener('click', function () {
        var box = el('div', 'account__stores');
        storeBoxes(box, 'acc-' + a.id + '-store-', a.store_ids);
        var save = el('button', 'weui-btn weui-btn_mini weui-btn_primary', '保存门店');
        save.type = 'button';
        save.addEventListener('click', function () {
          Staff.api('PATCH', '/accounts/' + a.id, { store_ids: checkedIds(box) }).then(function (r) {
            if (r.status !== 200) { App.toast(App.errorText(r)); return; }
            loadAccounts(me);
          });
        });
        box.appendChild(save);
        bd.appendChild(box);
        assign.disabled = true;
      });
      ft.appendChild(assign);
    }
    cell.appendChild(ft);
    return cell;
  }

  function loadAccounts(me) {
    return Staff.api('GET', '/accounts?limit=100').then(function (r) {
      if (r.status !== 200) return;
      var list = $('accounts-list');
      list.innerHTML = '';
      r.body.data.forEach(function (a) {
        accountNames[a.id] = a.name;
        list.appendChild(accountCell(a, me));
      });
      $('accounts').hidden = false;
    });
  }

  /* ---- the audit log ---- */

  function detailOf(a) {
    if (!a.detail) return {};
    try { var d = JSON.parse(a.detail); return d && typeof d === 'object' ? d : {}; } catch (e) { return {}; }
  }

  function money(v) { return typeof v === 'number' ? App.yuan(v) : ''; }

  /*
   * Every action the server writes (audit_log() in handlers/), as the log
   * reads it: [what happened, what the detail adds]. An action missing
   * here shows as its code.
   */
  var AUDIT_ACTIONS = {
    'staff.login': ['员工登录'],
    'staff.logout': ['员工退出登录'],
    'staff.login_failed': ['登录失败（密码错误）'],
    'staff.locked': ['账号因多次输错密码被锁定', function (d) { return d.minutes ? d.minutes + ' 分钟' : ''; }],
    'staff.create': ['新增员工账号', function (d) { return d.role ? Staff.roleName(d.role) + (d.username ? ' ' + d.username : '') : ''; }],
    'staff.update': ['修改员工账号', function (d) { /* d: the fields changed, ["role", "password"] */
      var k = { name: '姓名', role: '角色', password: '密码', disabled: '停用状态', store_ids: '门店' };
      var names = (Array.isArray(d) ? d : Object.keys(d)).map(function (x) { return k[x]; }).filter(Boolean);
      return names.length ? '改了' + names.join('、') : '';
    }],
    'member.scan': ['扫描会员码', function (d, a) {
      return a.detail === 'card+pin' ? '刷实体卡（已验证密码）' : a.detail === 'card' ? '刷实体卡（未输密码，不能用余额）' : '';
    }],
    'coupon.redeem': ['核销一张优惠券', function (d) { return d.discount_fen ? '优惠 ' + money(d.discount_fen) : ''; }],
    'coupon.cancel': ['作废一张优惠券', function (d, a) { return a.detail && !/^[{[]/.test(a.detail) ? '原因：' + a.detail : ''; }],
    'coupon_template.create': ['新建优惠券', function (d, a) { return a.detail && !/^[{[]/.test(a.detail) ? '「' + a.detail + '」' : ''; }],
    'coupon_template.update': ['修改优惠券'],
    'coupon_template.codes': ['生成一批兑换码', function (d) { return d.count ? d.count + ' 个' : ''; }],
    'campaign.save': ['保存活动'],
    'scratch_campaign.save': ['保存刮刮乐活动'],
    'product.create': ['新增商品', function (d) { return typeof d.name === 'string' ? '「' + d.name.trim() + '」' : ''; }],
    'product.update': ['修改商品'],
    'count_card_product.create': ['新建次卡', function (d) { return typeof d.name === 'string' ? '「' + d.name.trim() + '」' : ''; }],
    'count_card_product.update': ['修改次卡'],
    'count_card.use': ['核销次卡', function (d) { return typeof d.uses === 'number' ? d.uses + ' 次' : ''; }],
    'count_card.reverse': ['撤销次卡核销'],
    'product.import': ['导入商品表格', function (d) {
      if (!Array.isArray(d.created) || !Array.isArray(d.updated)) return '';
      return '新增 ' + d.created.length + ' 个，更新 ' + d.updated.length + ' 个';
    }],
    'wallet.recharge': ['一笔门店充值', function (d) {
      if (typeof d.pay_fen !== 'number') return '';
      return '充 ' + money(d.pay_fen) + (d.bonus_fen ? ' 送 ' + money(d.bonus_fen) : '') +
        (d.method ? '（' + ({ cash: '现金', card: '刷卡' }[d.method] || d.method) + '）' : '');
    }],
    'wallet.payment': ['一笔储值支付', function (d) { return typeof d.paid_fen === 'number' ? '扣款 ' + money(d.paid_fen) : ''; }],
    'wallet.refund': ['一笔储值退款', function (d) { return typeof d.amount_fen === 'number' ? '退回 ' + money(d.amount_fen) : ''; }],
    'settings.points': ['修改积分设置'],
    'points_shop.create': ['上架积分商品'],
    'points_shop.update': ['修改积分商品'],
    'order.create': ['收银下单', function (d) { return typeof d.total_fen === 'number' ? '实收 ' + money(d.total_fen) : ''; }],
    'order.complete': ['订单标记完成'],
    'order.cancel': ['取消未支付订单'],
    'order.refund': ['订单退款', function (d) { return typeof d.amount_fen === 'number' ? '退回 ' + money(d.amount_fen) : ''; }],
    'order.refund_request': ['提交退款申请（待店主审批）', function (d) { return typeof d.amount_fen === 'number' ? '申请退 ' + money(d.amount_fen) : ''; }],
    'settings.card': ['修改会员卡设置'],
    'settings.tiers': ['修改会员等级'],
    'settings.recharge_packages': ['修改充值套餐'],
    'settings.deduction': ['修改余额抵扣规则'],
    'settings.referral': ['修改邀请有礼设置'],
    'settings.checkout': ['修改收银与退款设置'],
    'settings.privileges': ['修改生日、会员日与节日特权'],
    'settings.new_member_gift': ['修改新会员礼包'],
    'settings.wechat': ['修改微信接入', function (d) {
      return (d.app === 'mini_program' ? '小程序' : d.app === 'official_account' ? '公众号' : '') +
        (d.removed ? ' 已解除' : d.secret_changed ? ' 更新了 AppSecret' : '');
    }],
    'settings.wechatpay': ['修改微信支付设置'],
    'coupon.push': ['定向发券', function (d) {
      return d.target === 'filter' ? '按会员筛选条件' : typeof d.members === 'number' ? d.members + ' 位会员' : '';
    }],
    'coupon.push_cancel': ['取消定向发券'],
    'member.birthday': ['修改会员生日', function (d) { return d.reason ? '原因：' + d.reason : ''; }],
    'member.adjust': ['人工调整会员账户', function (d) {
      if (typeof d.amount !== 'number') return '';
      return (d.kind === 'bonus' ? '赠送金 ' + (d.amount > 0 ? '+' : '-') + money(Math.abs(d.amount)) : '积分 ' + (d.amount > 0 ? '+' : '') + d.amount) +
        (d.reason ? '，原因：' + d.reason : '');
    }],
    'member.tier': ['手动设置会员等级', function (d) {
      return (typeof d.level === 'number' ? '等级 ' + d.level + (d.until ? '，保持到' + App.dateWords(d.until) : '，长期') : '') +
        (d.reason ? '，原因：' + d.reason : '');
    }],
    'member.block': ['冻结会员', function (d) { return d.reason ? '原因：' + d.reason : ''; }],
    'member.unblock': ['解冻会员', function (d) { return d.reason ? '原因：' + d.reason : ''; }],
    'member.card': ['绑定实体卡', function (d) { return d.card_no ? '卡号 ' + d.card_no + (d.old_card_no ? '（换下 ' + d.old_card_no + '）' : '') : ''; }],
    'member.card_unbind': ['解绑实体卡', function (d) { return d.old_card_no ? '卡号 ' + d.old_card_no : ''; }],
    'upload.create': ['上传一张图片']
  };

  /* Targets: "payment:8" -> "支付单 #8", whole ones ("wallet") by name. */
  var AUDIT_TARGETS = {
    product: '商品 #',
    member: '会员 #', staff: '员工 #', payment: '支付单 #', recharge: '充值单 #', coupon: '券码 ',
    coupon_template: '优惠券 #', campaign: '活动 #', upload: '图片 ', order: '订单 #',
    scratch_campaign: '刮刮乐活动 #', coupon_push: '发券任务 #',
    count_card_product: '次卡 #', count_card: '会员次卡 #'
  };
  var AUDIT_WHOLE = { wallet: '储值设置', 'merchant:card': '会员卡', 'merchant:tiers': '会员等级',
    'merchant:checkout': '收银与退款', 'merchant:privileges': '特权设置', 'merchant:wechat': '微信接入',
    'merchant:wechatpay': '微信支付' };

  /* the points console's (staff_points.js) */
  AUDIT_TARGETS.points_item = '积分商品 #';
  AUDIT_WHOLE['merchant:points'] = '积分设置';

  /* the stores console's (staff_stores.js) */
  AUDIT_ACTIONS['store.create'] = ['新建门店', function (d, a) { return a.detail && !/^[{[]/.test(a.detail) ? '「' + a.detail + '」' : ''; }];
  AUDIT_ACTIONS['store.update'] = ['修改门店', function (d) {
    return d.active === false ? '停业' : d.active === true ? '恢复营业' : '';
  }];
  AUDIT_ACTIONS['coupon_template.partners'] = ['修改共享的合作门店', function (d) {
    return Array.isArray(d.store_ids) ? (d.store_ids.length ? '共享给 ' + d.store_ids.length + ' 家' : '不再共享') : '';
  }];
  AUDIT_TARGETS.store = '门店 #';

  var accountNames = {};

  function auditTarget(t) {
    if (!t) return '';
    if (AUDIT_WHOLE[t]) return AUDIT_WHOLE[t];
    var i = t.indexOf(':'), kind = t.slice(0, i), id = t.slice(i + 1);
    if (i < 0 || !AUDIT_TARGETS[kind]) return t;
    if (kind === 'staff' && accountNames[id]) return '员工 ' + accountNames[id];
    return AUDIT_TARGETS[kind] + id;
  }

  /* An audit row as a sentence: "一笔储值支付 · 支付单 #8 · 扣款 ¥12.00". */
  function auditText(a) {
    var m = AUDIT_ACTIONS[a.action];
    var extra = m && m[1] ? m[1](detailOf(a), a) : '';
    /* signing in or out names the one who did it, shown under it anyway */
    var self = a.staff_id !== null && a.target === 'staff:' + a.staff_id;
    return [m ? m[0] : a.action, self ? '' : auditTarget(a.target), extra].filter(Boolean).join(' · ');
  }

  window.StaffAudit = { actions: AUDIT_ACTIONS, text: auditText };

  function storeName(id) {
    var s = stores.filter(function (x) { return x.id === id; })[0];
    return s ? s.name : '门店 #' + id;
  }

  function loadAudit() {
    return Staff.api('GET', '/audit?limit=20').then(function (r) {
      if (r.status !== 200) return;
      var list = $('audit-list');
      list.innerHTML = '';
      r.body.data.forEach(function (a) {
        var cell = el('div', 'weui-cell audit-row');
        var bd = el('div', 'weui-cell__bd');
        var action = el('p', 'audit-row__action', auditText(a));
        action.title = a.action + (a.target ? ' ' + a.target : '');
        bd.appendChild(action);
        bd.appendChild(el('p', 'audit-row__meta', App.dateTime(a.at, true) + ' · ' + (a.staff_name || '-') +
          (a.store_id ? ' · ' + storeName(a.store_id) : '')));
        cell.appendChild(bd);
        list.appendChild(cell);
      });
      if (!list.children.length) list.appendChild(el('div', 'weui-cell', '暂无操作记录'));
      $('audit').hidden = false;
    });
  }

  /* ---- background jobs (owners): GET staff/jobs, read-only ---- */

  var JOB_STATUS = { running: '运行中', done: '已完成', failed: '失败' };

  /* "2026-12-01" -> "2026年12月1日", "2026-12-01T14:05" -> "2026年12月1日 14:05". */
  function jobPeriod(p) {
    var m = /^(\d{4})-(\d\d)-(\d\d)(?:T(\d\d:\d\d))?$/.exec(p || '');
    if (!m) return p || '';
    return m[1] + '年' + parseInt(m[2], 10) + '月' + parseInt(m[3], 10) + '日' + (m[4] ? ' ' + m[4] : '');
  }

  /* An API time as people write it: "12月1日 14:05" ('' for none). */
  function jobTime(iso) {
    var m = /^\d{4}-(\d\d)-(\d\d)T(\d\d:\d\d)/.exec(iso || '');
    return m ? parseInt(m[1], 10) + '月' + parseInt(m[2], 10) + '日 ' + m[3] : '';
  }

  function loadJobs() {
    return Staff.api('GET', '/jobs').then(function (r) {
      if (r.status !== 200) return;
      var list = $('jobs-list');
      list.innerHTML = '';
      r.body.data.forEach(function (j) {
        var cell = el('div', 'weui-cell job-row');
        var bd = el('div', 'weui-cell__bd');
        var head = el('p', 'job-row__title', j.title + ' · ' + jobPeriod(j.period));
        head.title = j.job;
        bd.appendChild(head);
        var counts = j.counts.map(function (c) { return c.label + ' ' + c.value; }).join('，');
        if (counts) bd.appendChild(el('p', 'job-row__counts', counts));
        var when = '开始 ' + jobTime(j.started_at) + (j.finished_at ? ' · 结束 ' + jobTime(j.finished_at) : '');
        bd.appendChild(el('p', 'audit-row__meta', when));
        if (j.status === 'failed' && j.batches_waiting > 0) {
          bd.appendChild(el('p', 'job-row__error', '有 ' + j.batches_waiting + ' 批出错，已先跳过、其余照常完成，将于 ' +
            jobTime(j.retry_at) + ' 再试'));
        } else if (j.status === 'failed' && j.batches_given_up > 0) {
          bd.appendChild(el('p', 'job-row__error', '有 ' + j.batches_given_up + ' 批多次重试仍出错，已放弃，请联系技术支持查看原因'));
        } else if (j.status === 'failed') bd.appendChild(el('p', 'job-row__error', '执行出错，请联系技术支持查看原因'));
        cell.appendChild(bd);
        cell.appendChild(el('div', 'weui-cell__ft job-row__status job-row__status_' + j.status, JOB_STATUS[j.status] || j.status));
        list.appendChild(cell);
      });
      if (!list.children.length) list.appendChild(el('div', 'weui-cell', '暂无后台任务记录'));
      $('jobs').hidden = false;
    });
  }

  Staff.onSignedIn(function (me) {
    root.hidden = false;
    var allowed = me.role === 'owner' || me.role === 'marketing';
    $('console-denied').hidden = allowed;
    if (!allowed) return;
    Staff.api('GET', '/stores').then(function (r) {
      stores = r.status === 200 ? r.body.data : [];
      loadCard();
      loadTiers();
      loadCheckout();
      if (me.role === 'owner') {
        storeBoxes($('acc-stores'), 'acc-new-store-', []);
        loadAccounts(me).then(loadAudit);
        loadJobs();
      }
    });

    $('account-form').onsubmit = function (ev) {
      ev.preventDefault();
      var body = {
        username: $('acc-username').value.trim(),
        name: $('acc-name').value.trim(),
        role: $('acc-role').value,
        password: $('acc-password').value,
        store_ids: checkedIds($('acc-stores'))
      };
      Staff.api('POST', '/accounts', body).then(function (r) {
        if (r.status !== 201) { App.toast(App.errorText(r)); return; }
        App.toast('已新增员工');
        $('account-form').reset();
        loadAccounts(me);
        loadAudit();
      });
    };
  });
})();
