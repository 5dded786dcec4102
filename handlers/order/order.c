/*
 * Orders: the body of a quote or an order read, everything that prices it
 * loaded (catalogue, member, tier, card, coupons, points, balance,
 * settings), priced by price_order() (order_rules.c), and committed in one
 * transaction: the order with its lines, adjustments and allocations, the
 * coupons used, the points spent, the balance taken, the top-up that pays
 * for it, and what it earns. The routes are in order_staff.c and
 * order_api.c; refunds, cancels and reads in order_after.c.
 *
 * A commit prices the order again under the member's row lock, which
 * every change to the member's money, points and coupons also takes
 * first, and compares the hash of what decided it with the quote's
 * (quote_hash): any change in between is 409 quote_stale. Without a
 * quote_hash the order is committed as it prices then (a counter that
 * rings up in one step).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog/catalog.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "member/member.h"
#include "order.h"
#include "order_db.h"
#include "points/points.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

DB_SQL_COLS(q_member_terms, MT_NCOLS, ORDER_MEMBER_TERMS_SQL);
enum { ST_ID, ST_NCOLS };
DB_SQL_COLS(q_store, ST_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND id = ? AND active = 1"
    " AND kind = 'own'");
DB_SQL_COLS(q_coupon_code, CC_NCOLS,
    "SELECT " COUPON_COLS " FROM coupons c"
    " WHERE c.merchant_id = ? AND c.member_id = ? AND c.code = ?");
DB_SQL_COLS(q_coupons_usable, CC_NCOLS,
    "SELECT " COUPON_COLS " FROM coupons c"
    " WHERE c.merchant_id = ? AND c.member_id = ? AND c.status = 'unused'"
    " AND c.valid_from <= ? AND c.valid_until >= ?"
    " ORDER BY c.valid_until, c.id LIMIT 200");
DB_SQL(q_order_insert,
    "INSERT INTO orders (merchant_id, store_id, member_id, staff_id,"
    " ticket_id, channel, status, tier_level, member_reason, tier_reason,"
    " total_list_fen, discount_fen, total_fen, points_used, points_fen,"
    " principal_fen, bonus_fen, cash_fen, card_fen, online_fen, change_fen,"
    " earn_points, earn_growth, quote_hash, out_trade_no,"
    " topup_recharge_id, was_completed, created_at, paid_at, completed_at,"
    " expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), IF(? = 1, UTC_TIMESTAMP(), NULL),"
    " IF(? = 1, UTC_TIMESTAMP(), NULL),"
    " IF(? > 0, UTC_TIMESTAMP() + INTERVAL ? MINUTE, NULL))");
DB_SQL(q_coupon_use,
    "UPDATE coupons SET status = 'used', used_at = UTC_TIMESTAMP(),"
    " used_store_id = ?, used_staff_id = ?, order_id = ?, order_fen = ?,"
    " discount_fen = ? WHERE merchant_id = ? AND member_id = ? AND code = ?"
    " AND status = 'unused' AND valid_from <= UTC_TIMESTAMP()"
    " AND valid_until >= UTC_TIMESTAMP()");
DB_SQL(q_coupon_tpl_used, COUPON_SQL_TPL_USED);
DB_SQL(q_coupon_use_rollup,
    COUPON_SQL_MOVE_ROLLUP("1", "c.merchant_id = ? AND c.code = ?"));

/* ---- the body ---- */

static int
lines_parse(struct req *r, struct order_ctx *c, cJSON *arr)
{
	cJSON *l;
	int i = 0;

	if (!cJSON_IsArray(arr))
		return resp_bad_field(r, "lines", "请至少添加一件商品");
	if (cJSON_GetArraySize(arr) < 1)
		return resp_bad_field(r, "lines", "请至少添加一件商品");
	if (cJSON_GetArraySize(arr) > ORDER_MAX_LINES)
		return resp_bad_field(r, "lines", arena_printf(r->a,
		    "一笔订单最多 %d 行商品", ORDER_MAX_LINES));
	cJSON_ArrayForEach(l, arr) {
		struct order_req_line *q = &c->body.lines[i];
		const char *f = arena_printf(r->a, "lines[%d]", i);
		cJSON *name;
		size_t chars;
		int rc;

		memset(q, 0, sizeof(*q));
		if (!cJSON_IsObject(l))
			return resp_bad_field(r, f, "应为对象");
		if (req_obj_int(r, l, "qty", arena_printf(r->a, "%s.qty", f), 1, 1,
		    ORDER_MAX_QTY, &q->qty) == -1)
			return r->status;
		if ((rc = order_card_line_parse(r, l, f, q)) != 0) {
			if (rc < 0)
				return r->status;
			i++;
			continue;
		}
		rc = req_obj_int(r, l, "product_id", arena_printf(r->a,
		    "%s.product_id", f), 0, 1, INT64_MAX / 2, &q->product_id);
		if (rc == -1)
			return r->status;
		if (rc == 0) {
			i++;
			continue;
		}
		if (c->channel == OC_APP)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.product_id", f), "请从菜单中选择商品");
		name = json_member(l, "name");
		if (!cJSON_IsString(name) || !utf8_text_ok(name->valuestring,
		    &chars) || chars < 1 || chars > ORDER_MAX_NAME)
			return resp_bad_field(r, arena_printf(r->a, "%s.name",
			    f), "请填写商品名称（1 到 200 个字）");
		q->name = name->valuestring;
		if (req_obj_int(r, l, "price_fen", arena_printf(r->a,
		    "%s.price_fen", f), 1, 0, WALLET_MAX_FEN, &q->price_fen) == -1)
			return r->status;
		i++;
	}
	c->body.nlines = i;
	return 0;
}

static int
codes_parse(struct req *r, struct order_ctx *c, cJSON *arr)
{
	cJSON *v;
	int i = 0;

	c->body.ncodes = -1;
	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr))
		return resp_bad_field(r, "coupon_codes", "应为券码列表");
	if (cJSON_GetArraySize(arr) > ORDER_MAX_COUPONS)
		return resp_bad_field(r, "coupon_codes", arena_printf(r->a,
		    "一笔订单最多使用 %d 张券", ORDER_MAX_COUPONS));
	cJSON_ArrayForEach(v, arr) {
		size_t n;

		if (!cJSON_IsString(v) || (n = strlen(v->valuestring)) < 1 ||
		    n > ORDER_MAX_CODE || !utf8_text_ok(v->valuestring, NULL))
			return resp_bad_field(r, arena_printf(r->a,
			    "coupon_codes[%d]", i), "券码格式不正确");
		c->body.codes[i++] = v->valuestring;
	}
	c->body.ncodes = i;
	return 0;
}

static int
tenders_parse(struct req *r, struct order_ctx *c, cJSON *arr)
{
	cJSON *t;
	int i = 0, kind;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr))
		return resp_bad_field(r, "tenders", "应为支付方式列表");
	if (cJSON_GetArraySize(arr) > ORDER_MAX_TENDERS)
		return resp_bad_field(r, "tenders", "支付方式过多");
	cJSON_ArrayForEach(t, arr) {
		const char *f = arena_printf(r->a, "tenders[%d]", i);
		cJSON *k;
		int64_t amt;
		int rc;

		if (!cJSON_IsObject(t))
			return resp_bad_field(r, f, "应为对象");
		k = json_member(t, "kind");
		kind = cJSON_IsString(k) ? order_tender_parse(k->valuestring) :
		    -1;
		if (kind < 0)
			return resp_bad_field(r, arena_printf(r->a, "%s.kind",
			    f), "支付方式应为现金、银行卡或在线支付");
		if (c->channel == OC_APP && kind != TD_ONLINE)
			return resp_bad_field(r, arena_printf(r->a, "%s.kind",
			    f), "在小程序中只能在线支付");
		if (kind == TD_ONLINE && i != cJSON_GetArraySize(arr) - 1)
			return resp_bad_field(r, arena_printf(r->a, "%s.kind",
			    f), "在线支付应为最后一种支付方式");
		rc = req_obj_int(r, t, "amount_fen", arena_printf(r->a,
		    "%s.amount_fen", f), 0, 1, WALLET_MAX_FEN, &amt);
		if (rc == -1)
			return r->status;
		if (kind == TD_ONLINE && rc == 0)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.amount_fen", f), "在线支付金额由系统计算，无需填写");
		c->body.tenders[i].kind = kind;
		c->body.tenders[i].amount_fen = rc == 0 ? amt : ORDER_NONE;
		if (kind == TD_ONLINE)
			c->body.online = 1;
		i++;
	}
	c->body.ntenders = i;
	return 0;
}

static int
topup_parse(struct req *r, struct order_ctx *c, cJSON *o)
{
	int rc;

	if (o == NULL)
		return 0;
	if (!cJSON_IsObject(o))
		return resp_bad_field(r, "topup", "应为对象");
	if (c->channel == OC_APP)
		return resp_bad_field(r, "topup", "请先充值，再下单");
	if (c->body.ticket == NULL)
		return resp_bad_field(r, "topup",
		    "充值需会员到店扫码，收款后到账");
	rc = req_obj_int(r, o, "package_id", "topup.package_id", 0, 1,
	    INT64_MAX / 2, &c->body.topup_package_id);
	if (rc == -1)
		return r->status;
	if (rc == 0) {
		c->body.topup = 1;
		return 0;
	}
	if (req_obj_int(r, o, "pay_fen", "topup.pay_fen", 1, 1, WALLET_MAX_FEN,
	    &c->body.topup_pay_fen) == -1)
		return r->status;
	c->body.topup = 1;
	return 0;
}

int
order_body_parse(struct req *r, struct order_ctx *c, int commit)
{
	cJSON *j, *v;
	size_t n;

	if (req_json_body(r) == -1)
		return r->status;
	j = r->json;
	if (req_obj_int(r, j, "store_id", "store_id", 1, 1, INT64_MAX / 2,
	    &c->body.store_id) == -1)
		return r->status;
	if (c->channel != OC_APP) {
		if ((v = json_member(j, "ticket")) != NULL) {
			if (!cJSON_IsString(v) || (n = strlen(v->valuestring))
			    < 1 || n > 128)
				return resp_err(r, 400, "invalid_ticket",
				    "凭证无效或已过期，请重新扫码", "ticket");
			c->body.ticket = v->valuestring;
		}
		if ((v = json_member(j, "member_phone")) != NULL) {
			if (!cJSON_IsString(v) ||
			    !phone_valid(v->valuestring))
				return resp_bad_field(r, "member_phone",
				    "请填写正确的手机号");
			if (c->body.ticket != NULL)
				return resp_bad_field(r, "member_phone",
				    "扫码凭证与手机号只能任选其一");
			c->body.member_phone = v->valuestring;
		}
	}
	if (lines_parse(r, c, json_member(j, "lines")) != 0 ||
	    codes_parse(r, c, json_member(j, "coupon_codes")) != 0)
		return r->status;
	c->body.points = 0;
	if (req_obj_int(r, j, "points", "points", 0, 0, 1000000000,
	    &c->body.points) == -1)
		return r->status;
	c->body.use_balance = -1;
	if ((v = json_member(j, "use_balance")) != NULL) {
		if (!cJSON_IsBool(v))
			return resp_bad_field(r, "use_balance",
			    "应为 true 或 false");
		c->body.use_balance = cJSON_IsTrue(v);
	}
	if (tenders_parse(r, c, json_member(j, "tenders")) != 0 ||
	    topup_parse(r, c, json_member(j, "topup")) != 0)
		return r->status;
	c->body.quote_hash = NULL;
	if (commit && (v = json_member(j, "quote_hash")) != NULL) {
		if (!cJSON_IsString(v) || strlen(v->valuestring) != 64)
			return resp_bad_field(r, "quote_hash",
			    "报价标识不正确，请重新计算价格");
		c->body.quote_hash = v->valuestring;
	}
	return 0;
}

/* ---- loading what prices it ---- */

/* The member's usable coupons (or the ones named) into the input. */
static int
coupons_load(struct req *r, struct order_ctx *c, int64_t now)
{
	struct order_in *in = &c->in;
	struct db_res res;
	char now_s[20];
	int i, k;

	if (c->coupons_read)
		return 0;	/* with the member (order_quote.c) */
	in->ncoupons = 0;
	if (c->body.ncodes == 0 || in->member.id == 0)
		return 0;
	if (c->body.ncodes > 0) {
		for (k = 0; k < c->body.ncodes; k++) {
			for (i = 0; i < k; i++)
				if (strcmp(c->body.codes[i],
				    c->body.codes[k]) == 0)
					break;
			if (i < k)
				continue;
			if (DB(r, &q_coupon_code, &res, DBI(r->m->id),
			    DBI(in->member.id), DBS(c->body.codes[k])) !=
			    DB_OK)
				return db_fail(r);
			if (res.nrows == 1)
				coupon_in_from_row(r, c, &res, 0);
		}
		return 0;
	}
	time_sql(now, now_s);
	if (DB(r, &q_coupons_usable, &res, DBI(r->m->id), DBI(in->member.id),
	    DBS(now_s), DBS(now_s)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows && in->ncoupons < ORDER_MAX_COUPONS; i++)
		if (store_list_allows(db_str(&res, i, CC_STORES),
		    c->body.store_id))
			coupon_in_from_row(r, c, &res, i);
	return 0;
}

void
coupon_in_from_row(struct req *r, struct order_ctx *c,
    const struct db_res *res, int row)
{
	struct order_in *in = &c->in;
	struct order_coupon_in *k = &in->coupons[in->ncoupons];
	int64_t t;

	(void)r;
	memset(k, 0, sizeof(*k));
	k->code = db_str(res, row, CC_CODE);
	coupon_terms_from_row(res, row, &k->terms);
	k->gift_item = db_str(res, row, CC_GIFT);
	k->stackable = db_int(res, row, CC_STACKABLE) != 0;
	k->status = db_str(res, row, CC_STATUS);
	k->valid_from = time_sql_parse(db_str(res, row, CC_VALID_FROM), &t) ==
	    0 ? t : 0;
	k->valid_until = time_sql_parse(db_str(res, row, CC_VALID_UNTIL), &t)
	    == 0 ? t : 0;
	k->store_ids = db_str(res, row, CC_STORES);
	k->audience_ok = 1;
	c->coupon_name[in->ncoupons] = db_str(res, row, CC_NAME);
	in->ncoupons++;
}

/*
 * The member's terms from what was read of them: the tier of the growth,
 * its discount and points multiplier, the merchant's points a yuan, the
 * card's validity and stores. 0, or the error status.
 */
int
order_member_fill(struct req *r, struct order_ctx *c, int64_t growth,
    int64_t points, int64_t per_yuan, int64_t until, const char *stores)
{
	struct order_member_in *m = &c->in.member;
	const struct tier_row *cur;
	int st;

	m->id = c->member_id;
	m->points = points < 0 ? 0 : points;
	c->growth = growth;
	if ((st = tier_of_growth(r, growth, &cur, NULL)) != 0)
		return st;
	c->tier = cur;
	m->tier_level = cur != NULL ? cur->level : -1;
	m->discount_pct = cur != NULL && cur->has_discount ?
	    cur->discount_pct : ORDER_NONE;
	m->earn_points_per_yuan = per_yuan;
	m->mult_pct = wallet_earn_mult_pct(cur);
	/* the ladder was just read: its policy comes with it */
	if ((st = tier_policy_at(r, -1, &c->growth_rules)) != 0)
		return st;
	m->growth_rules = &c->growth_rules;
	m->card_valid_until = until >= 0 ? until : ORDER_NONE;
	m->card_store_ids = stores;
	return 0;
}

/* The member: id, tier, card, points, wallet, earning terms. */
static int
member_load(struct req *r, struct order_ctx *c, int lock)
{
	struct order_member_in *m = &c->in.member;
	struct db_res res;
	int64_t growth, until;
	const char *stores;
	int found, st;

	if ((st = wallet_state_load(r, c->member_id, lock, &c->wc, &m->wallet,
	    &growth, &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	/* the rest in one statement: points, birthday, freeze, the points
	   a yuan, the ladder's revision (the tier by it), the card */
	if (DB(r, &q_member_terms, &res, DBI(r->m->id), DBI(c->member_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	m->birth_month = (int)db_int(&res, 0, MT_BMONTH);
	m->birth_day = (int)db_int(&res, 0, MT_BDAY);
	c->member_blocked = db_int(&res, 0, MT_BLOCKED) != 0;
	r->m->tiers_rev = db_int(&res, 0, MT_TIERS_REV);
	r->m->tiers_rev_known = 1;
	card_terms_from_row(r, &res, 0, MT_CARD, db_str(&res, 0, MT_JOINED),
	    &until, &stores);
	return order_member_fill(r, c, growth, db_int(&res, 0, MT_POINTS),
	    db_int(&res, 0, MT_PER_YUAN), until, stores);
}

static int
lines_load(struct req *r, struct order_ctx *c)
{
	struct order_in *in = &c->in;
	int64_t ids[ORDER_MAX_LINES];
	struct catalog_item *items;
	int i, n = 0, st;

	c->ncards = 0;
	items = arena_calloc(r->a, ORDER_MAX_LINES, sizeof(*items));
	for (i = 0; i < c->body.nlines; i++)
		if (c->body.lines[i].product_id > 0)
			ids[n++] = c->body.lines[i].product_id;
	if (n > 0 && (st = c->config_rev >= 0 ? catalog_items_kept(r, ids, n,
	    c->body.store_id, in->member.tier_level, c->config_rev, items) :
	    catalog_items_load(r, ids, n, c->body.store_id,
	    in->member.tier_level, items)) != 0)
		return st;
	in->nlines = c->body.nlines;
	for (i = 0, n = 0; i < c->body.nlines; i++) {
		const struct order_req_line *q = &c->body.lines[i];
		struct order_line_in *l = &in->lines[i];

		memset(l, 0, sizeof(*l));
		l->qty = q->qty;
		l->member_unit_fen = ORDER_NONE;
		c->card_uses[i] = 0;
		if (q->count_card_product_id > 0) {
			if ((st = order_card_line_load(r, c, i)) != 0)
				return st;
			continue;
		}
		if (q->product_id == 0) {
			l->name = q->name;
			l->unit_fen = q->price_fen;
			continue;
		}
		if (!items[n].found || !items[n].active)
			return resp_bad_field(r, arena_printf(r->a,
			    "lines[%d].product_id", i), "商品不存在或已下架");
		if (!items[n].sold_here)
			return resp_bad_field(r, arena_printf(r->a,
			    "lines[%d].product_id", i), "本店不售此商品");
		l->product_id = q->product_id;
		l->name = items[n].name;
		l->category = items[n].category;
		l->unit_fen = items[n].price_fen;
		if (items[n].member_price_fen >= 0)
			l->member_unit_fen = items[n].member_price_fen;
		n++;
	}
	return 0;
}

/* The top-up named: its amounts, and the wallet as it will be after it. */
static int
topup_load(struct req *r, struct order_ctx *c)
{
	struct wallet_state *w = &c->in.member.wallet;
	struct wallet_pkg pk;
	int st;

	c->topup_pay_fen = c->topup_bonus_fen = 0;
	if (!c->body.topup)
		return 0;
	if (c->member_id == 0)
		return resp_bad_field(r, "topup", "非会员不能充值");
	if (c->body.topup_package_id > 0) {
		if ((st = wallet_pkg_get(r, c->body.topup_package_id, &pk)) !=
		    0) {
			if (st != 400)
				return st;
			resp_reset(r);
			return resp_bad_field(r, "topup.package_id",
			    "充值套餐不存在");
		}
		c->topup_pay_fen = pk.pay_fen;
		c->topup_bonus_fen = pk.bonus_fen;
	} else {
		if (!c->wc.custom.enabled)
			return resp_bad_field(r, "topup.pay_fen",
			    "暂不支持自定义金额");
		if (c->body.topup_pay_fen < c->wc.custom.min_fen ||
		    c->body.topup_pay_fen > c->wc.custom.max_fen)
			return resp_bad_field(r, "topup.pay_fen",
			    "充值金额超出允许范围");
		c->topup_pay_fen = c->body.topup_pay_fen;
	}
	w->principal_fen += c->topup_pay_fen;
	w->bonus_fen += c->topup_bonus_fen;
	if (c->wc.rules.freeze_same_day_bonus)
		w->bonus_today_fen += c->topup_bonus_fen;
	return 0;
}

/* Who the order is for: the ticket's member, the phone's, the session's. */
static int
who_resolve(struct req *r, struct order_ctx *c)
{
	int st;

	c->member_id = 0;
	c->has_ticket = 0;
	if (c->channel == OC_APP) {
		c->member_id = r->auth.member_id;
		return 0;
	}
	if (c->body.ticket != NULL) {
		if ((st = ticket_resolve(r, c->body.ticket, &c->ticket)) != 0)
			return st;
		if (c->ticket.store_id != c->body.store_id)
			return resp_err(r, 400, "invalid_ticket",
			    "凭证不属于本门店，请重新扫码", "ticket");
		c->has_ticket = 1;
		c->member_id = c->ticket.member_id;
		c->channel = OC_COUNTER;
		return 0;
	}
	if (c->body.member_phone != NULL) {
		if (strcmp(r->auth.role, "cashier") == 0)
			return resp_err(r, 403, "forbidden",
			    "收银员请扫描会员码下单", NULL);
		if ((st = member_id_by_phone(r, c->body.member_phone,
		    &c->member_id)) != 0)
			return st;
		if (c->member_id == 0)
			return resp_bad_field(r, "member_phone",
			    "该手机号还不是会员");
		c->channel = OC_PHONE;
		return 0;
	}
	c->channel = OC_COUNTER;
	return 0;
}

/* What a commit reads before the lines and coupons, the member's row
   locked first. 0, or the status. */
static int
commit_load(struct req *r, struct order_ctx *c)
{
	struct db_res res;
	int st;

	if (c->channel == OC_APP || c->for_member) {
		if (DB(r, &q_store, &res, DBI(r->m->id),
		    DBI(c->body.store_id)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, "store_id", "门店不存在");
	} else if ((st = staff_store_check(r, c->body.store_id)) != 0)
		return st;
	if (!c->who_known && (st = who_resolve(r, c)) != 0)
		return st;
	if ((st = order_settings_load(r, &c->ck, &c->wc, &c->in.priv)) != 0)
		return st;
	if (c->member_id > 0 && (st = member_load(r, c, 1)) != 0)
		return st;
	return 0;
}

int
order_prepare(struct req *r, struct order_ctx *c, int lock, int64_t now)
{
	struct order_in *in = &c->in;
	int st;

	order_in_init(in);
	c->tier = NULL;
	c->growth = 0;
	c->member_blocked = 0;
	c->coupons_read = 0;
	if (lock)
		c->config_rev = -1;
	if ((st = lock ? commit_load(r, c) : order_quote_load(r, c, now)) != 0)
		return st;
	/* a member frozen by staff pays nothing, in no channel */
	if (c->member_id > 0 && c->member_blocked)
		return member_blocked_error(r);
	/* a physical card scanned without its PIN: no balance */
	if (c->has_ticket && c->ticket.no_balance) {
		if (c->body.use_balance == 1)
			return resp_err(r, 409, "pin_required", "刷实体卡使用"
			    "余额需要会员输入支付密码，请重新刷卡并输入密码，"
			    "或改用其他支付方式", "use_balance");
		c->body.use_balance = 0;
	}
	in->tz_off = tz_offset(r->m->tz);
	in->store_id = c->body.store_id;
	in->settings = c->ck.price;
	in->deduction = c->wc.rules;
	if ((st = topup_load(r, c)) != 0 || (st = lines_load(r, c)) != 0 ||
	    (st = coupons_load(r, c, now)) != 0)
		return st;
	in->ncodes = c->body.ncodes;
	memcpy(in->codes, c->body.codes, sizeof(in->codes));
	in->points = c->member_id > 0 ? c->body.points : 0;
	in->use_balance = c->member_id > 0 && c->body.use_balance != 0;
	in->ntenders = c->body.ntenders;
	memcpy(in->tenders, c->body.tenders, sizeof(in->tenders));
	return 0;
}

/* the quote hash's input: most orders' fit in this */
#define HASH_BUF	4096

int
order_price(struct req *r, struct order_ctx *c, int64_t now)
{
	size_t n;
	char *buf;
	int64_t card;
	int k;

	if (price_order(&c->in, now, &c->out) == -1)
		return resp_bad_field(r, c->out.err_field[0] ?
		    c->out.err_field : "lines", "订单内容不正确");
	/* only cash gives change: a card is charged what is due at most */
	for (k = 0, card = 0; k < c->in.ntenders; k++)
		if (c->in.tenders[k].kind == TD_CARD &&
		    c->in.tenders[k].amount_fen != ORDER_NONE)
			card += c->in.tenders[k].amount_fen;
	if (card > c->out.tender[TD_CARD])
		return resp_bad_field(r, "tenders", arena_printf(r->a,
		    "刷卡金额超过应收（最多 %s 元）", page_yuan(r,
		    c->out.tender[TD_CARD])));
	/* the input written once into a buffer of a usual order's size,
	   again into one of its size only when it did not fit */
	buf = arena_alloc(r->a, HASH_BUF);
	k = snprintf(buf, 200, "v1|%d|%lld|%lld|%lld|", c->channel,
	    (long long)c->body.store_id, (long long)c->topup_pay_fen,
	    (long long)c->topup_bonus_fen);
	n = order_hash_input(&c->in, &c->out, buf + k, HASH_BUF - (size_t)k);
	if (n + 1 > HASH_BUF - (size_t)k) {
		char *big = arena_alloc(r->a, (size_t)k + n + 1);

		memcpy(big, buf, (size_t)k);
		order_hash_input(&c->in, &c->out, big + k, n + 1);
		buf = big;
	}
	if (c->ncards > 0)
		buf = order_card_hash(r, c, buf, (size_t)k + n, &n);
	else
		n += (size_t)k;
	c->hash = hash_hex(r, buf, n);
	return 0;
}

/* ---- JSON ---- */

const char *
order_adj_name(int kind)
{
	switch (kind) {
	case ADJ_MEMBER_PRICE:
		return "会员价";
	case ADJ_TIER_DISCOUNT:
		return "等级折扣";
	case ADJ_COUPON:
		return "优惠券";
	case ADJ_POINTS:
		return "积分抵现";
	case ADJ_BIRTHDAY:
		return "生日特权";
	case ADJ_MEMBER_DAY:
		return "会员日";
	case ADJ_HOLIDAY:
		return "节日优惠";
	}
	return "优惠";
}

const char *
order_tender_cn(int kind)
{
	static const char *const n[TD_N] = { "积分", "余额本金", "赠送金",
	    "现金", "银行卡", "在线支付" };

	return kind >= 0 && kind < TD_N ? n[kind] : "其他";
}

/* The reason a coupon was left out, for people. */
const char *
order_skip_cn(const char *reason)
{
	static const struct { const char *code, *cn; } t[] = {
		{ "threshold_not_met", "未达到使用门槛" },
		{ "not_stackable", "不可与其他券叠加使用" },
		{ "limit_exceeded", "超过可叠加张数" },
		{ "store_not_allowed", "本店不可用" },
		{ "expired", "已过期" },
		{ "not_started", "未到使用时间" },
		{ "used", "已使用" },
		{ "cancelled", "已作废" },
		{ "not_best", "不是本单最优惠的组合" },
		{ "no_discount", "本单用不上" },
		{ "not_found", "没有这张券" },
		{ "duplicate", "重复添加" },
		{ "not_eligible", "不符合使用条件" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (reason != NULL && strcmp(reason, t[i].code) == 0)
			return t[i].cn;
	return "不可用";
}

static const char *
member_reason_cn(const char *why)
{
	if (why == NULL)
		return NULL;
	if (strcmp(why, "card_expired") == 0)
		return "会员卡已过期，本单按非会员价结算";
	if (strcmp(why, "card_store_not_allowed") == 0)
		return "会员卡不适用于本门店，本单按非会员价结算";
	if (strcmp(why, "balance_not_covering") == 0)
		return "余额未付清整单，不享等级折扣";
	return "本单不享会员优惠";
}

cJSON *
order_lines_json(const struct priced *o, const char *const *categories)
{
	cJSON *arr = j_arr();
	int i, k;

	for (i = 0; i < o->nlines; i++) {
		const struct priced_line *l = &o->lines[i];
		cJSON *x = j_obj(), *al = j_arr();

		j_int(x, "line_no", l->line_no);
		if (l->product_id > 0)
			j_int(x, "product_id", l->product_id);
		else
			j_null(x, "product_id");
		j_str(x, "name", l->name);
		if (categories != NULL && i < ORDER_MAX_ALL_LINES)
			j_str(x, "category", categories[i]);
		j_int(x, "qty", l->qty);
		j_int(x, "unit_fen", l->unit_fen);
		if (l->member_unit_fen != ORDER_NONE)
			j_int(x, "member_unit_fen", l->member_unit_fen);
		else
			j_null(x, "member_unit_fen");
		j_int(x, "list_fen", l->list_fen);
		j_int(x, "net_fen", l->net_fen);
		for (k = 0; k < o->nadj; k++) {
			cJSON *a;

			if (l->alloc[k] == 0)
				continue;
			a = j_obj();
			j_int(a, "seq", k + 1);
			j_int(a, "amount_fen", l->alloc[k]);
			j_add(al, NULL, a);
		}
		j_add(x, "allocations", al);
		j_bool(x, "gift", l->gift_coupon >= 0);
		j_add(arr, NULL, x);
	}
	return arr;
}

cJSON *
order_adjs_json(const struct priced *o, const char *const *coupon_names)
{
	cJSON *arr = j_arr();
	int i;

	for (i = 0; i < o->nadj; i++) {
		const struct priced_adj *a = &o->adj[i];
		cJSON *x = j_obj();
		const char *name = order_adj_name(a->kind);

		j_int(x, "seq", a->seq);
		j_str(x, "kind", order_adj_kind_name(a->kind));
		j_str(x, "ref", a->ref);
		if (coupon_names != NULL && coupon_names[i] != NULL)
			name = coupon_names[i];
		j_str(x, "name", name);
		j_int(x, "base_fen", a->base_fen);
		j_int(x, "amount_fen", a->amount_fen);
		j_add(arr, NULL, x);
	}
	return arr;
}

cJSON *
order_tenders_json(const int64_t *tender)
{
	cJSON *arr = j_arr();
	static const int show[] = { TD_POINTS, TD_PRINCIPAL, TD_BONUS, TD_CASH,
	    TD_CARD, TD_ONLINE };
	size_t i;

	for (i = 0; i < sizeof(show) / sizeof(show[0]); i++) {
		cJSON *x;

		if (tender[show[i]] == 0)
			continue;
		x = j_obj();
		j_str(x, "kind", order_tender_name(show[i]));
		j_str(x, "name", order_tender_cn(show[i]));
		j_int(x, "amount_fen", tender[show[i]]);
		j_add(arr, NULL, x);
	}
	return arr;
}

void
order_totals_json(cJSON *d, const struct priced *o)
{
	cJSON *x;

	j_int(d, "total_list_fen", o->total_list_fen);
	j_int(d, "discount_fen", o->discount_fen);
	j_int(d, "total_fen", o->total_fen);
	j_int(d, "points_used", o->points_used);
	j_int(d, "points_fen", o->points_fen);
	x = j_obj();
	j_int(x, "principal_fen", o->balance.principal_fen);
	j_int(x, "bonus_fen", o->balance.bonus_fen);
	j_add(d, "balance", x);
	j_int(d, "due_fen", o->due_fen);
	j_add(d, "tenders", order_tenders_json(o->tender));
	j_int(d, "change_fen", o->change_fen);
	x = j_obj();
	j_int(x, "points", o->earn_points);
	j_int(x, "growth", o->earn_growth);
	j_add(d, "earn", x);
}

/* Top-up suggestions when the balance falls short of the order. */
static cJSON *
topups_json(struct req *r, struct order_ctx *c)
{
	struct recharge_pkg rp[WALLET_MAX_PACKAGES];
	struct topup t[TOPUP_MAX];
	int64_t payable, want;
	cJSON *arr = j_arr();
	int i, k;

	if (c->member_id == 0 || !c->in.use_balance || c->body.topup ||
	    c->out.due_fen == 0)
		return arr;
	want = c->out.balance_asked_fen;
	if (want <= 0 || order_quote_pkgs(r, c, rp, &i) != 0) {
		resp_reset(r);
		return arr;
	}
	k = topup_suggest(&c->in.deduction, &c->in.member.wallet, want, rp, i,
	    &c->wc.custom, t, &payable);
	for (i = 0; i < k; i++) {
		cJSON *o = j_obj();

		j_int(o, "pay_fen", t[i].pay_fen);
		j_int(o, "bonus_fen", t[i].bonus_fen);
		j_int(o, "balance_after_fen", t[i].balance_after_fen);
		if (t[i].package_id > 0)
			j_int(o, "package_id", t[i].package_id);
		else
			j_null(o, "package_id");
		j_str(o, "reason", t[i].reason);
		j_add(arr, NULL, o);
	}
	return arr;
}

/* The adjustments' coupon names (and the privilege's), by index. */
static const char **
adj_coupon_names(struct req *r, const struct order_ctx *c)
{
	const char **n = arena_calloc(r->a, ORDER_MAX_ADJ, sizeof(*n));
	int i;

	for (i = 0; i < c->out.nadj; i++)
		if (c->out.adj[i].coupon >= 0 &&
		    c->out.adj[i].coupon < c->in.ncoupons)
			n[i] = c->coupon_name[c->out.adj[i].coupon];
		else
			n[i] = order_priv_adj_name(r, &c->in, &c->out, i);
	return n;
}

cJSON *
order_quote_json(struct req *r, struct order_ctx *c)
{
	const struct priced *o = &c->out;
	const char **cats;
	cJSON *d = j_obj(), *x, *arr;
	int i;

	j_str(d, "quote_hash", c->hash);
	if (c->member_id > 0) {
		x = j_obj();
		j_int(x, "id", c->member_id);
		if (c->tier != NULL) {
			j_int(x, "tier_level", c->tier->level);
			j_str(x, "tier_name", c->tier->name);
		} else {
			j_null(x, "tier_level");
			j_null(x, "tier_name");
		}
		j_bool(x, "member_priced", o->member_priced);
		j_str(x, "reason", o->member_reason);
		j_str(x, "reason_text", member_reason_cn(o->member_reason));
		j_int(x, "points", c->in.member.points);
		j_add(x, "wallet", wallet_balance_json(
		    c->in.member.wallet.principal_fen,
		    c->in.member.wallet.bonus_fen));
		j_add(d, "member", x);
	} else
		j_null(d, "member");
	if (o->tier_reason != NULL) {
		j_str(d, "tier_reason", o->tier_reason);
		j_str(d, "tier_reason_text", member_reason_cn(o->tier_reason));
	}
	cats = arena_calloc(r->a, ORDER_MAX_ALL_LINES, sizeof(*cats));
	for (i = 0; i < c->in.nlines; i++)
		cats[i] = c->in.lines[i].category;
	j_add(d, "lines", order_lines_json(o, cats));
	if (c->ncards > 0)
		order_card_lines_json(c, cJSON_GetObjectItem(d, "lines"));
	j_add(d, "adjustments", order_adjs_json(o, adj_coupon_names(r, c)));
	arr = j_arr();
	for (i = 0; i < o->nskipped; i++) {
		x = j_obj();
		j_str(x, "coupon_code", o->skipped[i].code);
		j_str(x, "reason", o->skipped[i].reason);
		j_str(x, "reason_text", order_skip_cn(o->skipped[i].reason));
		j_add(arr, NULL, x);
	}
	j_add(d, "skipped", arr);
	arr = j_arr();
	for (i = 0; i < c->in.ncoupons; i++) {
		x = j_obj();
		j_str(x, "code", c->in.coupons[i].code);
		j_str(x, "name", c->coupon_name[i]);
		j_bool(x, "stackable", c->in.coupons[i].stackable);
		j_add(arr, NULL, x);
	}
	j_add(d, "coupons_offered", arr);
	order_totals_json(d, o);
	order_priv_json(r, &c->in, o, d);
	j_int(d, "uncovered_fen", o->uncovered_fen);
	if (c->body.topup) {
		x = j_obj();
		j_int(x, "pay_fen", c->topup_pay_fen);
		j_int(x, "bonus_fen", c->topup_bonus_fen);
		j_add(d, "topup", x);
	}
	j_add(d, "topup_suggestions", topups_json(r, c));
	return d;
}

/* ---- commit ---- */

static const char *
channel_name(int ch)
{
	return ch == OC_APP ? "app" : ch == OC_PHONE ? "phone" : "counter";
}

/* Coupons used by the order (gift coupons too), each by a conditional
   update: one taken meanwhile is a stale quote. */
static int
coupons_use(struct req *r, struct order_ctx *c, int64_t id)
{
	const struct priced *o = &c->out;
	struct db_res res;
	int k;

	for (k = 0; k < o->nadj; k++) {
		const struct priced_adj *a = &o->adj[k];

		if (a->kind != ADJ_COUPON || a->ref == NULL)
			continue;
		if (DB(r, &q_coupon_use, &res, DBI(c->body.store_id),
		    DBIN(r->auth.staff_id, r->auth.kind == AUTH_KIND_STAFF),
		    DBI(id), DBI(o->total_list_fen), DBI(a->amount_fen),
		    DBI(r->m->id), DBI(c->member_id), DBS(a->ref)) != DB_OK)
			return db_fail(r);
		if (res.affected != 1)
			return resp_err(r, 409, "quote_stale",
			    "优惠券状态已变化，请重新计算价格", NULL);
	}
	return 0;
}

/* Each used coupon counted on its template and in the coupon rollups
   (migrations 0028, 0030), each on its connection's slot. */
static int
coupons_count_used(struct req *r, struct order_ctx *c)
{
	const struct priced *o = &c->out;
	int k;

	for (k = 0; k < o->nadj; k++) {
		const struct priced_adj *a = &o->adj[k];

		if (a->kind != ADJ_COUPON || a->ref == NULL)
			continue;
		if (DB(r, &q_coupon_tpl_used, NULL, DBI(r->m->id),
		    DBI(r->m->id), DBS(a->ref)) != DB_OK ||
		    DB(r, &q_coupon_use_rollup, NULL,
		    DBI(tz_offset(r->m->tz)), DBI(r->m->id), DBS(a->ref)) !=
		    DB_OK)
			return db_fail(r);
	}
	return 0;
}

DB_SQL(q_order_earned,
    "UPDATE orders SET earn_points = ? WHERE merchant_id = ? AND id = ?");

int
order_settle_paid(struct req *r, int64_t order_id, int64_t member_id,
    int64_t store_id, int64_t total_fen, int64_t points, int64_t growth,
    int count_cards)
{
	const char *ref = arena_printf(r->a, "order:%lld", (long long)order_id);
	struct order_paid ev;
	int64_t credited = 0;
	int st;

	/* points: what the pricing engine earned, capped per order and per
	   day by the points settings; the order keeps what was credited, so
	   that its refunds take back no more */
	if (member_id > 0 && ((st = points_earn_order(r, member_id, points,
	    ref, &credited)) != 0 || (st = wallet_points_move(r, member_id, 0,
	    growth, 0, "order_earn", ref)) != 0))
		return st;
	if (credited != points && DB(r, &q_order_earned, NULL, DBI(credited),
	    DBI(r->m->id), DBI(order_id)) != DB_OK)
		return db_fail(r);
	ev.order_id = order_id;
	ev.member_id = member_id;
	ev.store_id = store_id;
	ev.total_fen = total_fen;
	ev.count_cards = count_cards;
	return event_emit(r, EV_ORDER_PAID, &ev);
}

/*
 * Write the priced order c (coverage checked): ticket, top-up, the order
 * and its rows, coupons, points, balance, earning. 0, or the status.
 */
static int
order_write(struct req *r, struct order_ctx *c)
{
	const struct priced *o = &c->out;
	struct db_res res;
	int64_t id, topup_id = 0, staff;
	const char *ref, *status, *trade_no = NULL;
	int st, rc, paid, done, online;

	if (c->has_ticket && (st = ticket_consume(r, &c->ticket)) != 0)
		return st;
	staff = r->auth.kind == AUTH_KIND_STAFF ? r->auth.staff_id : 0;
	if (c->body.topup) {
		if ((st = wallet_recharge_insert(r, c->member_id,
		    c->body.topup_package_id, "counter", wallet_trade_no(r, 'C'),
		    c->topup_pay_fen, c->topup_bonus_fen, 1, c->body.store_id,
		    staff, &topup_id)) != 0 ||
		    (st = wallet_credit(r, topup_id, c->member_id,
		    c->topup_pay_fen, c->topup_bonus_fen, c->body.store_id,
		    staff)) != 0)
			return st;
	}
	online = o->tender[TD_ONLINE] > 0;
	paid = !online;
	done = paid && c->channel == OC_COUNTER;
	status = online ? "pending" : done ? "completed" : "paid";
	if (online)
		trade_no = wallet_trade_no(r, 'O');
	rc = DB(r, &q_order_insert, &res, DBI(r->m->id), DBI(c->body.store_id),
	    DBIN(c->member_id, c->member_id > 0), DBIN(staff, staff > 0),
	    DBIN(c->ticket.id, c->has_ticket), DBS(channel_name(c->channel)),
	    DBS(status), DBIN(o->tier_level, c->member_id > 0 &&
	    o->tier_level >= 0), DBS(o->member_reason), DBS(o->tier_reason),
	    DBI(o->total_list_fen), DBI(o->discount_fen), DBI(o->total_fen),
	    DBI(o->points_used), DBI(o->points_fen),
	    DBI(o->tender[TD_PRINCIPAL]), DBI(o->tender[TD_BONUS]),
	    DBI(o->tender[TD_CASH]), DBI(o->tender[TD_CARD]),
	    DBI(o->tender[TD_ONLINE]), DBI(o->change_fen),
	    DBI(o->earn_points), DBI(o->earn_growth), DBS(c->hash),
	    DBS(trade_no), DBIN(topup_id, topup_id > 0), DBI(done), DBI(paid),
	    DBI(done), DBI(online ? c->ck.unpaid_expiry_min : 0),
	    DBI(c->ck.unpaid_expiry_min));
	if (rc == DB_DUP)
		return resp_err(r, 409, "ticket_used", "该凭证已完成一次下单",
		    "ticket");
	if (rc != DB_OK)
		return db_fail(r);
	id = (int64_t)res.insert_id;
	ref = arena_printf(r->a, "order:%lld", (long long)id);
	if ((st = order_rows_insert(r, c, id)) != 0 ||
	    (st = coupons_use(r, c, id)) != 0)
		return st;
	if (o->points_used > 0 && (st = points_spend(r, c->member_id,
	    o->points_used, "order", ref)) != 0) {
		if (st == 409) {
			resp_reset(r);
			return resp_err(r, 409, "quote_stale",
			    "积分已变化，请重新计算价格", NULL);
		}
		return st;
	}
	if ((st = wallet_move(r, c->member_id, -o->tender[TD_PRINCIPAL],
	    -o->tender[TD_BONUS], c->ledger_kind ? c->ledger_kind : "order",
	    c->ledger_ref ? c->ledger_ref : ref, staff, c->body.store_id)) != 0)
		return st;
	if (paid && (st = order_settle_paid(r, id, c->member_id,
	    c->body.store_id, o->total_fen, o->earn_points, o->earn_growth,
	    c->ncards)) != 0)
		return st;
	if (staff > 0 && (st = audit_log(r, "order.create", ref,
	    arena_printf(r->a, "{\"total_fen\":%lld,\"member_id\":%lld}",
	    (long long)o->total_fen, (long long)c->member_id),
	    c->body.store_id)) != 0)
		return st;
	if (online && (st = order_online_checkout(r, id, trade_no,
	    o->tender[TD_ONLINE], c->member_id > 0, &c->payment)) != 0)
		return st;
	if ((st = coupons_count_used(r, c)) != 0)
		return st;
	c->order_id = id;
	c->status = status;
	return 0;
}

int
order_commit_tx(struct req *r, void *arg)
{
	struct order_ctx *c = arg;
	const struct priced *o;
	int64_t now = time_now();
	int st;

	if ((st = order_prepare(r, c, 1, now)) != 0 ||
	    (st = order_price(r, c, now)) != 0)
		return st;
	o = &c->out;
	if (c->body.quote_hash != NULL && strcmp(c->body.quote_hash, c->hash)
	    != 0)
		return resp_err(r, 409, "quote_stale",
		    "价格或优惠已变化，请确认新的金额后再提交", NULL);
	if (o->uncovered_fen > 0) {
		if (c->body.ntenders == 0 && c->in.use_balance)
			return resp_err(r, 409, "insufficient_balance",
			    arena_printf(r->a, "余额不足，还差 %s 元，请充值或"
			    "选择其他支付方式", page_yuan(r, o->uncovered_fen)),
			    NULL);
		return resp_err(r, 409, "due_not_covered", arena_printf(r->a,
		    "还差 %s 元未支付", page_yuan(r, o->uncovered_fen)), NULL);
	}
	if ((st = order_write(r, c)) != 0)
		return st;
	return 201;
}

/* ---- balance payments (POST staff/payments, me/payments) ---- */

int
order_balance_pay_tx(struct req *r, void *arg)
{
	struct order_balance_pay *p = arg;
	struct order_ctx *c = order_ctx_new(r, p->ticket ? OC_COUNTER : OC_APP);
	const struct priced *o = &c->out;
	int64_t now = time_now(), pay_id, staff;
	cJSON *x;
	int st;

	c->for_member = p->ticket == NULL;
	c->body.store_id = p->store_id;
	c->body.nlines = 1;
	c->body.lines[0].name = "消费";
	c->body.lines[0].price_fen = p->order_fen;
	c->body.lines[0].qty = 1;
	c->body.ncodes = 0;
	c->body.use_balance = 1;
	c->who_known = 1;
	c->member_id = p->member_id;
	if (p->ticket != NULL) {
		c->ticket = *p->ticket;
		c->has_ticket = 1;
	}
	if ((st = order_prepare(r, c, 1, now)) != 0 ||
	    (st = order_price(r, c, now)) != 0)
		return st;
	if (o->balance.paid_fen == 0)
		return resp_err(r, 409, "insufficient_balance",
		    "余额不足，或按商户规则本单不可使用余额", NULL);
	if (o->due_fen > 0) {
		/* the rest is taken at the counter */
		c->in.ntenders = 1;
		c->in.tenders[0].kind = TD_CASH;
		c->in.tenders[0].amount_fen = ORDER_NONE;
		if ((st = order_price(r, c, now)) != 0)
			return st;
	}
	/* the payment's row first: its ledger entry names it */
	staff = r->auth.kind == AUTH_KIND_STAFF ? r->auth.staff_id : 0;
	if ((st = wallet_payment_record(r, c->member_id, p->store_id, staff,
	    p->ticket ? p->ticket->id : 0, p->order_fen,
	    o->balance.principal_fen, o->balance.bonus_fen, o->earn_growth,
	    o->earn_points, &pay_id)) != 0)
		return st;
	c->ledger_kind = "payment";
	c->ledger_ref = arena_printf(r->a, "payment:%lld", (long long)pay_id);
	if ((st = order_write(r, c)) != 0 ||
	    (st = wallet_payment_link(r, pay_id, c->order_id)) != 0)
		return st;
	x = j_obj();
	j_int(x, "id", pay_id);
	j_int(x, "order_id", c->order_id);
	j_int(x, "member_id", c->member_id);
	j_int(x, "store_id", p->store_id);
	j_str(x, "channel", p->ticket ? "counter" : "app");
	j_int(x, "order_fen", p->order_fen);
	j_int(x, "discount_fen", o->discount_fen);
	j_int(x, "total_fen", o->total_fen);
	j_int(x, "paid_fen", o->balance.paid_fen);
	j_int(x, "principal_fen", o->balance.principal_fen);
	j_int(x, "bonus_fen", o->balance.bonus_fen);
	j_int(x, "remaining_due_fen", o->tender[TD_CASH]);
	j_add(x, "balance_after", wallet_balance_json(
	    c->in.member.wallet.principal_fen - o->balance.principal_fen,
	    c->in.member.wallet.bonus_fen - o->balance.bonus_fen));
	j_int(x, "growth_added", o->earn_growth);
	j_int(x, "points_added", o->earn_points);
	j_str(x, "created_at", time_rfc3339_t(r, now));
	p->out = x;
	return 201;
}

/*
 * The response of a committed order: the quote's fields with id, status,
 * tenders, created_at (and payment for a pending one).
 */
cJSON *
order_created_json(struct req *r, struct order_ctx *c)
{
	cJSON *d = order_quote_json(r, c);

	j_int(d, "id", c->order_id);
	j_str(d, "status", c->status);
	j_str(d, "channel", channel_name(c->channel));
	j_int(d, "store_id", c->body.store_id);
	j_str(d, "created_at", time_rfc3339_t(r, time_now()));
	if (c->payment != NULL)
		j_add(d, "payment", c->payment);
	return d;
}

int
order_create_respond(struct req *r, struct order_ctx *c)
{
	cJSON *d;
	int st;

	if ((st = order_body_parse(r, c, 1)) != 0)
		return st;
	st = db_tx(r, order_commit_tx, c);
	if (st >= 400)
		return st;
	/* the provider's own order once ours is committed; the order stays
	   pending and readable (GET asks again) when that fails */
	if (c->payment != NULL && c->channel != OC_COUNTER &&
	    wallet_online_prepay(r, c->member_id, c->payment) != 0)
		resp_reset(r);
	d = j_obj();
	j_add(d, "order", order_created_json(r, c));
	return resp_data(r, 201, d);
}

struct order_ctx *
order_ctx_new(struct req *r, int channel)
{
	struct order_ctx *c = arena_calloc(r->a, 1, sizeof(*c));

	c->channel = channel;
	c->config_rev = -1;
	return c;
}
