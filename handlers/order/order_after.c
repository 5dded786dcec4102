/*
 * An order after it is made: its online payment, reads, completion,
 * cancel and expiry, refunds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "job.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "order.h"
#include "order_db.h"
#include "points/points.h"
#include "wallet/wallet.h"

int
order_online_checkout(struct req *r, int64_t order_id, const char *trade_no,
    int64_t amount_fen, int member, cJSON **payment)
{
	cJSON *p = j_obj();
	int st;

	*payment = p;
	if ((st = wallet_online_checkout(r, trade_no, amount_fen,
	    arena_printf(r->a, "%s 订单 %lld", r->m->name,
	    (long long)order_id), member ? arena_printf(r->a,
	    "/api/v1/m/%s/me/orders/%lld/sandbox-pay", r->m->code,
	    (long long)order_id) : NULL, p)) != 0)
		return st;
	if (!member)
		cJSON_DeleteItemFromObject(p, "sandbox_pay_url");
	return 0;
}

/* ---- an order as stored ---- */

#define ORDER_COLS \
	"o.id, o.store_id, o.member_id, o.channel, o.status, o.tier_level," \
	" o.member_reason, o.tier_reason, o.total_list_fen, o.discount_fen," \
	" o.total_fen, o.points_used, o.points_fen, o.principal_fen," \
	" o.bonus_fen, o.cash_fen, o.card_fen, o.online_fen, o.change_fen," \
	" o.earn_points, o.earn_growth, o.refunded_fen, o.was_completed," \
	" o.out_trade_no, o.created_at, o.paid_at, o.completed_at," \
	" o.cancelled_at, o.expires_at, o.staff_id, mb.phone"
enum { OR_ID, OR_STORE, OR_MEMBER, OR_CHANNEL, OR_STATUS, OR_TIER,
    OR_MREASON, OR_TREASON, OR_LIST, OR_DISCOUNT, OR_TOTAL, OR_PTS_USED,
    OR_PTS_FEN, OR_PRINCIPAL, OR_BONUS, OR_CASH, OR_CARD, OR_ONLINE,
    OR_CHANGE, OR_EARN_PTS, OR_EARN_GROWTH, OR_REFUNDED, OR_WAS_DONE,
    OR_TRADE, OR_CREATED, OR_PAID, OR_COMPLETED, OR_CANCELLED, OR_EXPIRES,
    OR_STAFF, OR_PHONE, OR_NCOLS };
#define ORDER_FROM " FROM orders o LEFT JOIN members mb ON mb.id = o.member_id"

DB_SQL_COLS(q_order_get, OR_NCOLS,
    "SELECT " ORDER_COLS ORDER_FROM " WHERE o.merchant_id = ? AND o.id = ?");
DB_SQL_COLS(q_order_lock, OR_NCOLS,
    "SELECT " ORDER_COLS ORDER_FROM " WHERE o.merchant_id = ? AND o.id = ?"
    " FOR UPDATE");
enum { OL_NO, OL_PRODUCT, OL_NAME, OL_CATEGORY, OL_QTY, OL_UNIT, OL_MUNIT,
    OL_LIST, OL_NET, OL_GIFT, OL_TP, OL_TPR, OL_TB, OL_TC, OL_TCD, OL_TO,
    OL_REFUNDED, OL_CARD, OL_CARD_USES, OL_NCOLS };
DB_SQL_COLS(q_lines, OL_NCOLS,
    "SELECT line_no, product_id, name, category, qty, unit_fen,"
    " member_unit_fen, list_fen, net_fen, gift_coupon, t_points,"
    " t_principal, t_bonus, t_cash, t_card, t_online, refunded_qty,"
    " count_card_product_id, card_uses"
    " FROM order_lines WHERE order_id = ? ORDER BY line_no");
enum { OA_SEQ, OA_KIND, OA_REF, OA_BASE, OA_AMOUNT, OA_NAME, OA_NCOLS };
DB_SQL_COLS(q_adjs, OA_NCOLS,
    "SELECT a.seq, a.kind, a.ref, a.base_fen, a.amount_fen, c.name"
    " FROM order_adjustments a LEFT JOIN coupons c ON c.merchant_id = ?"
    " AND c.code = a.ref AND a.kind = 'coupon'"
    " WHERE a.order_id = ? ORDER BY a.seq");
enum { AL_LINE, AL_SEQ, AL_AMOUNT, AL_NCOLS };
DB_SQL_COLS(q_allocs, AL_NCOLS,
    "SELECT line_no, seq, amount_fen FROM order_allocations"
    " WHERE order_id = ?");
enum { RF_ID, RF_STATUS, RF_REQUEST, RF_REASON, RF_AMOUNT, RF_TP, RF_TPR,
    RF_TB, RF_TC, RF_TCD, RF_TO, RF_PTS_RET, RF_PTS_BACK, RF_GROWTH_BACK,
    RF_COUPONS, RF_CREATED, RF_NCOLS };
DB_SQL_COLS(q_refunds, RF_NCOLS,
    "SELECT id, status, request, reason, amount_fen, t_points, t_principal,"
    " t_bonus, t_cash, t_card, t_online, points_returned, points_taken_back,"
    " growth_taken_back, coupons_returned, created_at FROM order_refunds"
    " WHERE order_id = ? ORDER BY id");
enum { RL_REFUND, RL_LINE, RL_QTY, RL_TP, RL_TPR, RL_TB, RL_TC, RL_TCD,
    RL_TO, RL_ADJ, RL_NCOLS };
DB_SQL_COLS(q_refund_lines, RL_NCOLS,
    "SELECT l.refund_id, l.line_no, l.qty, l.t_points, l.t_principal,"
    " l.t_bonus, l.t_cash, l.t_card, l.t_online, l.adj"
    " FROM order_refund_lines l JOIN order_refunds f ON f.id = l.refund_id"
    " WHERE f.order_id = ? AND f.status = 'done' ORDER BY l.refund_id");

#define ORDER_MAX_REFUNDS	50

/* One order read whole: its row, priced form and done refunds. */
struct order_rec {
	struct db_res	 row;
	struct priced	 p;
	const char	*adj_name[ORDER_MAX_ADJ];
	const char	*category[ORDER_MAX_ALL_LINES];
	int64_t		 refunded_qty[ORDER_MAX_ALL_LINES];
	/* a line that sells a count card: its product, the uses a unit
	   gives (0: none); its refunds count uses */
	int64_t		 card_product[ORDER_MAX_ALL_LINES];
	int64_t		 card_uses[ORDER_MAX_ALL_LINES];
	int		 ncards;
	struct db_res	 refunds;
	int		 ndone;
	struct order_refund *done;	/* ndone of them */
	int64_t		 done_id[ORDER_MAX_REFUNDS];
};

static int
adj_kind_parse(const char *s)
{
	int k;

	for (k = ADJ_MEMBER_PRICE; k <= ADJ_POINTS; k++)
		if (s != NULL && strcmp(s, order_adj_kind_name(k)) == 0)
			return k;
	return ADJ_COUPON;
}

static int
status_is(const struct order_rec *o, const char *s)
{
	return strcmp(db_str(&o->row, 0, OR_STATUS), s) == 0;
}

/*
 * Read order id of r->m (lock: FOR UPDATE) into o; member_id > 0: only
 * that member's. 0, or the error status (recorded; 404 not_found).
 */
static int
order_read(struct req *r, int64_t id, int lock, int64_t member_id,
    struct order_rec *o)
{
	struct priced *p = &o->p;
	struct db_res res;
	int i, k;

	memset(p, 0, sizeof(*p));
	o->ncards = 0;
	if (DB(r, lock ? &q_order_lock : &q_order_get, &o->row, DBI(r->m->id),
	    DBI(id)) != DB_OK)
		return db_fail(r);
	if (o->row.nrows == 0 || (member_id > 0 &&
	    db_int(&o->row, 0, OR_MEMBER) != member_id))
		return resp_err(r, 404, "not_found", "订单不存在", NULL);
	p->member_id = db_int(&o->row, 0, OR_MEMBER);
	p->tier_level = db_isnull(&o->row, 0, OR_TIER) ? -1 :
	    (int)db_int(&o->row, 0, OR_TIER);
	p->member_reason = db_str(&o->row, 0, OR_MREASON);
	p->tier_reason = db_str(&o->row, 0, OR_TREASON);
	p->total_list_fen = db_int(&o->row, 0, OR_LIST);
	p->discount_fen = db_int(&o->row, 0, OR_DISCOUNT);
	p->total_fen = db_int(&o->row, 0, OR_TOTAL);
	p->points_used = db_int(&o->row, 0, OR_PTS_USED);
	p->points_fen = db_int(&o->row, 0, OR_PTS_FEN);
	p->tender[TD_POINTS] = p->points_fen;
	p->tender[TD_PRINCIPAL] = db_int(&o->row, 0, OR_PRINCIPAL);
	p->tender[TD_BONUS] = db_int(&o->row, 0, OR_BONUS);
	p->tender[TD_CASH] = db_int(&o->row, 0, OR_CASH);
	p->tender[TD_CARD] = db_int(&o->row, 0, OR_CARD);
	p->tender[TD_ONLINE] = db_int(&o->row, 0, OR_ONLINE);
	p->balance.principal_fen = p->tender[TD_PRINCIPAL];
	p->balance.bonus_fen = p->tender[TD_BONUS];
	p->change_fen = db_int(&o->row, 0, OR_CHANGE);
	p->earn_points = db_int(&o->row, 0, OR_EARN_PTS);
	p->earn_growth = db_int(&o->row, 0, OR_EARN_GROWTH);
	p->due_fen = p->tender[TD_CASH] + p->tender[TD_CARD] +
	    p->tender[TD_ONLINE];

	if (DB(r, &q_lines, &res, DBI(id)) != DB_OK)
		return db_fail(r);
	p->nlines = res.nrows < ORDER_MAX_ALL_LINES ? res.nrows :
	    ORDER_MAX_ALL_LINES;
	for (i = 0; i < p->nlines; i++) {
		struct priced_line *l = &p->lines[i];

		l->line_no = (int)db_int(&res, i, OL_NO);
		l->product_id = db_int(&res, i, OL_PRODUCT);
		l->name = db_str(&res, i, OL_NAME);
		o->category[i] = db_str(&res, i, OL_CATEGORY);
		l->qty = db_int(&res, i, OL_QTY);
		l->unit_fen = db_int(&res, i, OL_UNIT);
		l->member_unit_fen = db_isnull(&res, i, OL_MUNIT) ? ORDER_NONE :
		    db_int(&res, i, OL_MUNIT);
		l->list_fen = db_int(&res, i, OL_LIST);
		l->net_fen = db_int(&res, i, OL_NET);
		l->gift_coupon = db_isnull(&res, i, OL_GIFT) ? -1 : 0;
		for (k = 0; k < TD_N; k++)
			l->tender[k] = db_int(&res, i, OL_TP + k);
		o->refunded_qty[i] = db_int(&res, i, OL_REFUNDED);
		o->card_product[i] = db_int(&res, i, OL_CARD);
		o->card_uses[i] = db_int(&res, i, OL_CARD_USES);
		o->ncards += o->card_uses[i] > 0;
	}
	if (DB(r, &q_adjs, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	p->nadj = res.nrows < ORDER_MAX_ADJ ? res.nrows : ORDER_MAX_ADJ;
	for (k = 0; k < p->nadj; k++) {
		struct priced_adj *a = &p->adj[k];

		a->seq = (int)db_int(&res, k, OA_SEQ);
		a->kind = adj_kind_parse(db_str(&res, k, OA_KIND));
		a->ref = db_str(&res, k, OA_REF);
		a->coupon = -1;
		a->base_fen = db_int(&res, k, OA_BASE);
		a->amount_fen = db_int(&res, k, OA_AMOUNT);
		o->adj_name[k] = db_str(&res, k, OA_NAME);
	}
	if (DB(r, &q_allocs, &res, DBI(id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		int l = (int)db_int(&res, i, AL_LINE) - 1;
		int s = (int)db_int(&res, i, AL_SEQ) - 1;

		if (l >= 0 && l < p->nlines && s >= 0 && s < p->nadj)
			p->lines[l].alloc[s] = db_int(&res, i, AL_AMOUNT);
	}
	/* the refunds, and what the done ones took line by line */
	if (DB(r, &q_refunds, &o->refunds, DBI(id)) != DB_OK)
		return db_fail(r);
	o->ndone = 0;
	for (i = k = 0; i < o->refunds.nrows; i++)
		k += strcmp(db_str(&o->refunds, i, RF_STATUS), "done") == 0;
	o->done = arena_calloc(r->a, k > 0 ? (size_t)k : 1, sizeof(*o->done));
	for (i = 0; i < o->refunds.nrows; i++)
		if (strcmp(db_str(&o->refunds, i, RF_STATUS), "done") == 0 &&
		    o->ndone < ORDER_MAX_REFUNDS) {
			o->done[o->ndone].nlines = p->nlines;
			o->done_id[o->ndone++] = db_int(&o->refunds, i, RF_ID);
		}
	if (DB(r, &q_refund_lines, &res, DBI(id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		int64_t rid = db_int(&res, i, RL_REFUND);
		int l = (int)db_int(&res, i, RL_LINE) - 1, d;
		struct refund_part *rp;
		const char *s;

		for (d = 0; d < o->ndone && o->done_id[d] != rid; d++)
			;
		if (d == o->ndone || l < 0 || l >= p->nlines)
			continue;
		rp = &o->done[d].lines[l];
		rp->qty = db_int(&res, i, RL_QTY);
		for (k = 0; k < TD_N; k++)
			rp->tender[k] = db_int(&res, i, RL_TP + k);
		for (s = db_str(&res, i, RL_ADJ); s != NULL && *s; ) {
			char *end;
			long seq = strtol(s, &end, 10);
			long long v;

			if (*end != ':')
				break;
			v = strtoll(end + 1, &end, 10);
			if (seq >= 1 && seq <= p->nadj)
				rp->adj[seq - 1] = v;
			s = *end == ',' ? end + 1 : end;
			if (*end != ',')
				break;
		}
	}
	return 0;
}

static const char *
status_cn(const char *s)
{
	static const struct { const char *code, *cn; } t[] = {
		{ "pending", "待支付" }, { "paid", "已支付" },
		{ "completed", "已完成" }, { "cancelled", "已取消" },
		{ "refunded", "已退款" }, { "partially_refunded", "部分退款" },
		{ "awaiting_approval", "待店主审批" }, { "done", "已退款" },
		{ "rejected", "已驳回" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (s != NULL && strcmp(s, t[i].code) == 0)
			return t[i].cn;
	return s;
}

static cJSON *
refund_tenders_json(const struct db_res *res, int i, int col)
{
	int64_t t[TD_N];
	int k;

	for (k = 0; k < TD_N; k++)
		t[k] = db_int(res, i, col + k);
	return order_tenders_json(t);
}

static cJSON *
codes_json(const char *list)
{
	cJSON *arr = j_arr();
	char buf[80];
	size_t n;

	while (list != NULL && *list) {
		n = strcspn(list, ",");
		if (n > 0 && n < sizeof(buf)) {
			memcpy(buf, list, n);
			buf[n] = '\0';
			j_add(arr, NULL, cJSON_CreateString(buf));
		}
		list += n;
		if (*list == ',')
			list++;
	}
	return arr;
}

static cJSON *
refund_row_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *x = j_obj();

	j_int(x, "id", db_int(res, i, RF_ID));
	j_str(x, "status", db_str(res, i, RF_STATUS));
	j_str(x, "status_text", status_cn(db_str(res, i, RF_STATUS)));
	j_int(x, "amount_fen", db_int(res, i, RF_AMOUNT));
	j_add(x, "tenders", refund_tenders_json(res, i, RF_TP));
	j_int(x, "points_returned", db_int(res, i, RF_PTS_RET));
	j_int(x, "points_taken_back", db_int(res, i, RF_PTS_BACK));
	j_int(x, "growth_taken_back", db_int(res, i, RF_GROWTH_BACK));
	j_add(x, "coupons_returned", codes_json(db_str(res, i, RF_COUPONS)));
	j_str(x, "reason", db_str(res, i, RF_REASON));
	j_str(x, "created_at", time_rfc3339(r, db_str(res, i, RF_CREATED)));
	return x;
}

static void
j_time(struct req *r, cJSON *o, const char *name, const struct db_res *res,
    int col)
{
	if (db_isnull(res, 0, col))
		j_null(o, name);
	else
		j_str(o, name, time_rfc3339(r, db_str(res, 0, col)));
}

/* The order as its reads answer it. */
static cJSON *
order_json(struct req *r, struct order_rec *o, int staff)
{
	const struct db_res *w = &o->row;
	const struct priced *p = &o->p;
	cJSON *d = j_obj(), *x, *arr, *l;
	char masked[32];
	int i;

	j_int(d, "id", db_int(w, 0, OR_ID));
	j_str(d, "status", db_str(w, 0, OR_STATUS));
	j_str(d, "status_text", status_cn(db_str(w, 0, OR_STATUS)));
	j_str(d, "channel", db_str(w, 0, OR_CHANNEL));
	j_int(d, "store_id", db_int(w, 0, OR_STORE));
	if (p->member_id > 0) {
		x = j_obj();
		j_int(x, "id", p->member_id);
		if (p->tier_level >= 0)
			j_int(x, "tier_level", p->tier_level);
		else
			j_null(x, "tier_level");
		phone_mask(db_str(w, 0, OR_PHONE), masked, sizeof(masked));
		j_str(x, "phone", staff ? masked : NULL);
		j_str(x, "reason", p->member_reason);
		j_add(d, "member", x);
	} else
		j_null(d, "member");
	j_str(d, "tier_reason", p->tier_reason);
	arr = order_lines_json(p, o->category);
	i = 0;
	cJSON_ArrayForEach(l, arr) {
		j_int(l, "refunded_qty", o->refunded_qty[i]);
		if (i < p->nlines && o->card_uses[i] > 0) {
			/* refunds of this line count uses */
			j_int(l, "count_card_product_id", o->card_product[i]);
			j_int(l, "card_uses", p->lines[i].qty *
			    o->card_uses[i]);
		}
		i++;
	}
	j_add(d, "lines", arr);
	j_add(d, "adjustments", order_adjs_json(p, o->adj_name));
	order_totals_json(d, p);
	j_int(d, "refunded_fen", db_int(w, 0, OR_REFUNDED));
	arr = j_arr();
	for (i = 0; i < o->refunds.nrows; i++)
		j_add(arr, NULL, refund_row_json(r, &o->refunds, i));
	j_add(d, "refunds", arr);
	j_time(r, d, "created_at", w, OR_CREATED);
	j_time(r, d, "paid_at", w, OR_PAID);
	j_time(r, d, "completed_at", w, OR_COMPLETED);
	j_time(r, d, "cancelled_at", w, OR_CANCELLED);
	j_time(r, d, "expires_at", w, OR_EXPIRES);
	return d;
}

/* ---- cancel and expiry ---- */

DB_SQL(q_status_set,
    "UPDATE orders SET status = ?, cancelled_at = IF(? = 'cancelled',"
    " UTC_TIMESTAMP(), cancelled_at), expires_at = NULL"
    " WHERE merchant_id = ? AND id = ? AND status = ?");
enum { CP_CODE, CP_NCOLS };
DB_SQL_COLS(q_order_coupons, CP_NCOLS,
    "SELECT code FROM coupons WHERE merchant_id = ? AND order_id = ?"
    " AND status = 'used' ORDER BY code");
DB_SQL(q_coupons_return,
    "UPDATE coupons SET status = 'unused', used_at = NULL,"
    " used_store_id = NULL, used_staff_id = NULL, order_id = NULL,"
    " order_fen = NULL, discount_fen = NULL"
    " WHERE merchant_id = ? AND order_id = ? AND status = 'used'");
DB_SQL(q_coupons_tpl_returned, COUPON_SQL_TPL_RETURNED);
DB_SQL(q_coupons_rollup_returned, COUPON_SQL_MOVE_ROLLUP("-1",
    "c.merchant_id = ? AND c.order_id = ?"));
enum { EX_ID, EX_NCOLS };
DB_SQL_COLS(q_expired, EX_NCOLS,
    "SELECT id FROM orders WHERE merchant_id = ? AND status = 'pending'"
    " AND expires_at < UTC_TIMESTAMP() AND (? = 0 OR member_id = ?)"
    " ORDER BY id LIMIT 20");

/* Give back an order's coupons; the codes, "A,B", or NULL when none. */
static int
coupons_give_back(struct req *r, int64_t id, const char **codes)
{
	struct db_res res;
	struct sbuf s;
	int i;

	*codes = NULL;
	if (DB(r, &q_order_coupons, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	sbuf_init(&s, r->a, 64);
	for (i = 0; i < res.nrows; i++)
		sbuf_printf(&s, "%s%s", i ? "," : "", db_str(&res, i, CP_CODE));
	*codes = s.buf;
	if (DB(r, &q_coupons_tpl_returned, NULL, DBI(r->m->id), DBI(id)) !=
	    DB_OK ||
	    DB(r, &q_coupons_rollup_returned, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id), DBI(id)) != DB_OK ||
	    DB(r, &q_coupons_return, NULL, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	return 0;
}

struct cancel {
	int64_t		 id, member_id;		/* member_id: the member's own */
	int		 expired;		/* by the clock */
	cJSON		*out;
};

static int
cancel_tx(struct req *r, void *arg)
{
	struct cancel *c = arg;
	struct order_rec *o = arena_calloc(r->a, 1, sizeof(*o));
	struct checkout_cfg ck;
	struct db_res res;
	const char *ref, *codes = NULL;
	int64_t member, staff;
	int st;

	if ((st = order_read(r, c->id, 1, c->member_id, o)) != 0)
		return st;
	if (!c->expired && r->auth.kind == AUTH_KIND_STAFF &&
	    (st = staff_store_check(r, db_int(&o->row, 0, OR_STORE))) != 0)
		return st;
	if (!status_is(o, "pending"))
		return resp_err(r, 409, "not_pending",
		    "只能取消未支付的订单", NULL);
	if (c->expired && db_isnull(&o->row, 0, OR_EXPIRES))
		return 200;
	if ((st = checkout_cfg_load(r, &ck)) != 0)
		return st;
	if (DB(r, &q_status_set, &res, DBS("cancelled"), DBS("cancelled"),
	    DBI(r->m->id), DBI(c->id), DBS("pending")) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "not_pending", "只能取消未支付的订单",
		    NULL);
	member = o->p.member_id;
	staff = r->auth.kind == AUTH_KIND_STAFF ? r->auth.staff_id : 0;
	ref = arena_printf(r->a, "order:%lld", (long long)c->id);
	if (member > 0) {
		if (ck.return_on_cancel &&
		    (st = coupons_give_back(r, c->id, &codes)) != 0)
			return st;
		if ((st = points_give_back(r, member, o->p.points_used,
		    "order_cancel", ref)) != 0 ||
		    (st = wallet_move(r, member, o->p.tender[TD_PRINCIPAL],
		    o->p.tender[TD_BONUS], "order_refund", ref, staff,
		    db_int(&o->row, 0, OR_STORE))) != 0)
			return st;
	}
	if (staff > 0 && (st = audit_log(r, "order.cancel", ref, NULL,
	    db_int(&o->row, 0, OR_STORE))) != 0)
		return st;
	if ((st = order_read(r, c->id, 0, 0, o)) != 0)
		return st;
	c->out = order_json(r, o, staff > 0);
	j_add(c->out, "coupons_returned", codes_json(codes));
	return 200;
}

/*
 * Cancel the expired pending orders whose ids are column col of res, each
 * in its own transaction (nested in the caller's when there is one); an
 * order paid or cancelled meanwhile is left alone. *n (when given) counts
 * the cancelled. 0, or the status of a failure.
 */
static int
expired_cancel(struct req *r, const struct db_res *res, int col,
    int64_t *n)
{
	struct cancel c;
	int i, st;

	for (i = 0; i < res->nrows; i++) {
		memset(&c, 0, sizeof(c));
		c.id = db_int(res, i, col);
		c.expired = 1;
		st = db_tx(r, cancel_tx, &c);
		resp_reset(r);
		if (st == 409)		/* paid or cancelled meanwhile */
			continue;
		if (st >= 400)
			return st;
		if (n != NULL)
			(*n)++;
	}
	return 0;
}

/* Cancel the pending orders of r->m (of one member, or all: 0) whose
   time has run out. 0, or the error status (recorded). */
int
order_expire_due(struct req *r, int64_t member_id)
{
	struct db_res res;

	if (DB(r, &q_expired, &res, DBI(r->m->id), DBI(member_id),
	    DBI(member_id)) != DB_OK)
		return db_fail(r);
	return expired_cancel(r, &res, EX_ID, NULL);
}

int
order_cancel(struct req *r, int64_t id, int64_t member_id)
{
	struct cancel c;
	int st;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.member_id = member_id;
	st = db_tx(r, cancel_tx, &c);
	if (st >= 400)
		return st;
	return resp_data(r, 200, c.out);
}

/* ---- complete ---- */

DB_SQL(q_complete,
    "UPDATE orders SET status = 'completed', was_completed = 1,"
    " completed_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND id = ?"
    " AND status = 'paid'");

struct complete {
	int64_t		 id;
	cJSON		*out;
};

static int
complete_tx(struct req *r, void *arg)
{
	struct complete *c = arg;
	struct order_rec *o = arena_calloc(r->a, 1, sizeof(*o));
	struct db_res res;
	int st;

	if ((st = order_read(r, c->id, 1, 0, o)) != 0 ||
	    (st = staff_store_check(r, db_int(&o->row, 0, OR_STORE))) != 0)
		return st;
	if (DB(r, &q_complete, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "conflict", status_is(o, "pending") ?
		    "订单尚未支付" : "订单已完成或已退款", NULL);
	if ((st = audit_log(r, "order.complete", arena_printf(r->a,
	    "order:%lld", (long long)c->id), NULL, db_int(&o->row, 0,
	    OR_STORE))) != 0 || (st = order_read(r, c->id, 0, 0, o)) != 0)
		return st;
	c->out = order_json(r, o, 1);
	return 200;
}

int
order_complete(struct req *r, int64_t id)
{
	struct complete c = { id, NULL };
	int st = db_tx(r, complete_tx, &c);

	if (st >= 400)
		return st;
	return resp_data(r, 200, c.out);
}

/* ---- reads ---- */

int
order_get(struct req *r, int64_t id, int64_t member_id)
{
	struct order_rec *o = arena_calloc(r->a, 1, sizeof(*o));
	cJSON *d;
	int st;

	if ((st = order_read(r, id, 0, member_id, o)) != 0)
		return st;
	if (member_id == 0 && r->auth.kind == AUTH_KIND_STAFF &&
	    strcmp(r->auth.role, "cashier") == 0 &&
	    (st = staff_store_check(r, db_int(&o->row, 0, OR_STORE))) != 0) {
		resp_reset(r);
		return resp_err(r, 404, "not_found", "订单不存在", NULL);
	}
	d = order_json(r, o, member_id == 0);
	if (status_is(o, "pending") && !db_isnull(&o->row, 0, OR_TRADE)) {
		cJSON *pay;

		/* what to pay with; without a provider now, the order still reads */
		if (order_online_checkout(r, id, db_str(&o->row, 0, OR_TRADE),
		    o->p.tender[TD_ONLINE], o->p.member_id > 0, &pay) != 0) {
			resp_reset(r);
			j_null(d, "payment");
		} else {
			/* the member's own read: what to pay it with now */
			if (member_id > 0 && wallet_online_prepay(r, member_id,
			    pay) != 0)
				resp_reset(r);
			j_add(d, "payment", pay);
		}
	}
	return resp_data(r, 200, d);
}

enum { LS_ID, LS_STORE, LS_MEMBER, LS_PHONE, LS_CHANNEL, LS_STATUS,
    LS_LIST, LS_DISCOUNT, LS_TOTAL, LS_PTS_FEN, LS_PRINCIPAL, LS_BONUS,
    LS_CASH, LS_CARD, LS_ONLINE, LS_REFUNDED, LS_CREATED, LS_SUMMARY,
    LS_NCOLS };
/* the staff list and the member's: bounded as a report (db.h) */
DB_REPORT_COLS(q_list, LS_NCOLS,
    "SELECT o.id, o.store_id, o.member_id, mb.phone, o.channel, o.status,"
    " o.total_list_fen, o.discount_fen, o.total_fen, o.points_fen,"
    " o.principal_fen, o.bonus_fen, o.cash_fen, o.card_fen, o.online_fen,"
    " o.refunded_fen, o.created_at,"
    " (SELECT GROUP_CONCAT(CONCAT(l.name, ' ×', l.qty) ORDER BY l.line_no"
    "  SEPARATOR '、') FROM order_lines l WHERE l.order_id = o.id)"
    " FROM orders o LEFT JOIN members mb ON mb.id = o.member_id"
    " WHERE o.merchant_id = ? AND (? = 0 OR o.store_id = ?)"
    " AND (? = 0 OR o.store_id IN (SELECT store_id FROM staff_stores"
    "  WHERE staff_id = ?))"
    " AND (? = '' OR o.status = ?) AND (? = 0 OR o.member_id = ?)"
    " AND o.created_at >= ? AND o.created_at < ? AND (? = 0 OR o.id < ?)"
    " ORDER BY o.id DESC LIMIT ?");

static const char *const order_statuses[] = { "pending", "paid", "completed",
    "cancelled", "refunded", "partially_refunded", NULL };

int
order_list(struct req *r, int64_t member_id)
{
	struct db_res res;
	int64_t limit, cursor, next, store = 0, mem = member_id, from, to;
	const char *status, *q;
	char from_s[20], to_s[20], masked[32];
	long tz = tz_offset(r->m->tz);
	cJSON *arr;
	int i, n, own = 0, st;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if ((st = order_expire_due(r, member_id)) != 0)
		return st;
	if (member_id == 0) {
		if (req_query_int(r, "store_id", 0, 1, INT64_MAX / 2, &store) ==
		    -1 || req_query_int(r, "member_id", 0, 1, INT64_MAX / 2,
		    &mem) == -1)
			return r->status;
		if (store > 0 && (st = staff_store_check(r, store)) != 0)
			return st;
		own = strcmp(r->auth.role, "cashier") == 0;
	}
	status = req_query(r, "status");
	if (status != NULL) {
		for (i = 0; order_statuses[i] != NULL; i++)
			if (strcmp(status, order_statuses[i]) == 0)
				break;
		if (order_statuses[i] == NULL)
			return resp_bad_field(r, "status", "订单状态不正确");
	} else
		status = "";
	from = 0;
	to = INT64_C(4102444799);	/* 2099-12-31 */
	if ((q = req_query(r, "from")) != NULL && time_parse(q, tz, 0, &from)
	    == -1)
		return resp_bad_field(r, "from", "日期格式应为 2026-12-01");
	if ((q = req_query(r, "to")) != NULL && time_parse(q, tz, 1, &to) == -1)
		return resp_bad_field(r, "to", "日期格式应为 2026-12-01");
	time_sql(from, from_s);
	time_sql(to + 1, to_s);
	if (DB(r, &q_list, &res, DBI(r->m->id), DBI(store), DBI(store),
	    DBI(own), DBI(r->auth.staff_id), DBS(status), DBS(status),
	    DBI(mem), DBI(mem), DBS(from_s), DBS(to_s), DBI(cursor),
	    DBI(cursor), DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, LS_ID, &next);
	arr = j_arr();
	for (i = 0; i < n; i++) {
		cJSON *x = j_obj(), *m;
		int64_t t[TD_N];
		int k;

		j_int(x, "id", db_int(&res, i, LS_ID));
		j_int(x, "store_id", db_int(&res, i, LS_STORE));
		if (db_isnull(&res, i, LS_MEMBER))
			j_null(x, "member");
		else {
			m = j_obj();
			j_int(m, "id", db_int(&res, i, LS_MEMBER));
			phone_mask(db_str(&res, i, LS_PHONE), masked,
			    sizeof(masked));
			j_str(m, "phone", member_id == 0 ? masked : NULL);
			j_add(x, "member", m);
		}
		j_str(x, "channel", db_str(&res, i, LS_CHANNEL));
		j_str(x, "status", db_str(&res, i, LS_STATUS));
		j_str(x, "status_text", status_cn(db_str(&res, i, LS_STATUS)));
		j_int(x, "total_list_fen", db_int(&res, i, LS_LIST));
		j_int(x, "discount_fen", db_int(&res, i, LS_DISCOUNT));
		j_int(x, "total_fen", db_int(&res, i, LS_TOTAL));
		for (k = 0; k < TD_N; k++)
			t[k] = db_int(&res, i, LS_PTS_FEN + k);
		j_add(x, "tenders", order_tenders_json(t));
		j_int(x, "refunded_fen", db_int(&res, i, LS_REFUNDED));
		j_str(x, "summary", db_str(&res, i, LS_SUMMARY));
		j_str(x, "created_at", time_rfc3339(r, db_str(&res, i,
		    LS_CREATED)));
		j_add(arr, NULL, x);
	}
	return resp_list(r, arr, next);
}

/* ---- refunds ---- */

DB_SQL(q_refund_insert,
    "INSERT INTO order_refunds (merchant_id, order_id, status, request,"
    " reason, amount_fen, t_points, t_principal, t_bonus, t_cash, t_card,"
    " t_online, points_returned, points_taken_back, growth_taken_back,"
    " coupons_returned, staff_id, approved_by, created_at, done_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP(), IF(? = 'done', UTC_TIMESTAMP(), NULL))");
DB_SQL(q_refund_done,
    "UPDATE order_refunds SET status = 'done', amount_fen = ?, t_points = ?,"
    " t_principal = ?, t_bonus = ?, t_cash = ?, t_card = ?, t_online = ?,"
    " points_returned = ?, points_taken_back = ?, growth_taken_back = ?,"
    " coupons_returned = ?, approved_by = ?, done_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND order_id = ? AND status = 'awaiting_approval'");
DB_SQL(q_refund_reject,
    "UPDATE order_refunds SET status = 'rejected', approved_by = ?,"
    " done_at = UTC_TIMESTAMP() WHERE id = ? AND order_id = ?"
    " AND status = 'awaiting_approval'");
DB_SQL(q_refund_line_insert,
    "INSERT INTO order_refund_lines (refund_id, line_no, qty, t_points,"
    " t_principal, t_bonus, t_cash, t_card, t_online, adj)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
DB_SQL(q_line_refunded,
    "UPDATE order_lines SET refunded_qty = refunded_qty + ?"
    " WHERE order_id = ? AND line_no = ?"
    " AND refunded_qty + ? <= qty * IFNULL(card_uses, 1)");
DB_SQL(q_order_refunded,
    "UPDATE orders SET refunded_fen = refunded_fen + ?, status = ?"
    " WHERE merchant_id = ? AND id = ? AND status IN ('paid', 'completed',"
    " 'partially_refunded') AND refunded_fen + ? <= principal_fen"
    " + bonus_fen + cash_fen + card_fen + online_fen");
DB_SQL(q_refund_codes,
    "UPDATE order_refunds SET coupons_returned = ? WHERE id = ?");
enum { RQ_ID, RQ_REQUEST, RQ_REASON, RQ_NCOLS };
DB_SQL_COLS(q_refund_request, RQ_NCOLS,
    "SELECT id, request, reason FROM order_refunds"
    " WHERE id = ? AND order_id = ? AND status = 'awaiting_approval'"
    " FOR UPDATE");

struct refund_ask {
	int64_t		 order_id;
	int64_t		 approve_id;	/* an awaiting request approved */
	int		 reject;
	const char	*request;	/* the body, as stored */
	const char	*reason;
	struct refund_req req;
	int		 status;	/* 201, 202 */
	cJSON		*out;
	const char	*trade_no;	/* the online part to give back */
	int64_t		 online_fen;
};

/* Read the refund body {lines?, amount_fen?, reason?} into a. */
static int
refund_parse(struct req *r, cJSON *j, struct refund_ask *a)
{
	cJSON *lines = cJSON_GetObjectItemCaseSensitive(j, "lines"), *l, *v;
	int i = 0;

	memset(&a->req, 0, sizeof(a->req));
	a->req.amount_fen = ORDER_NONE;
	if (lines != NULL && !cJSON_IsNull(lines)) {
		if (!cJSON_IsArray(lines) || cJSON_GetArraySize(lines) < 1 ||
		    cJSON_GetArraySize(lines) > ORDER_MAX_ALL_LINES)
			return resp_bad_field(r, "lines", "请选择要退的商品");
		cJSON_ArrayForEach(l, lines) {
			int64_t no, qty;

			v = cJSON_GetObjectItemCaseSensitive(l, "line_no");
			if (v == NULL || json_integer(v, &no) == -1 || no < 1 ||
			    no > ORDER_MAX_ALL_LINES)
				return resp_bad_field(r, arena_printf(r->a,
				    "lines[%d].line_no", i), "没有这一行商品");
			v = cJSON_GetObjectItemCaseSensitive(l, "qty");
			if (v == NULL || json_integer(v, &qty) == -1 ||
			    qty < 1 || qty > ORDER_MAX_QTY)
				return resp_bad_field(r, arena_printf(r->a,
				    "lines[%d].qty", i), "退货数量不正确");
			a->req.lines[i].line_no = (int)no;
			a->req.lines[i].qty = qty;
			i++;
		}
		a->req.nlines = i;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "amount_fen");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (json_integer(v, &a->req.amount_fen) == -1 ||
		    a->req.amount_fen < 1 || a->req.amount_fen > WALLET_MAX_FEN)
			return resp_bad_field(r, "amount_fen", "退款金额不正确");
		if (a->req.nlines > 0)
			return resp_bad_field(r, "amount_fen",
			    "按商品退款或按金额退款，只能选一种");
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "reason");
	a->reason = NULL;
	if (v != NULL && !cJSON_IsNull(v)) {
		size_t chars;

		if (!cJSON_IsString(v) || !utf8_text_ok(v->valuestring,
		    &chars) || chars > 200)
			return resp_bad_field(r, "reason",
			    "退款原因最多 200 个字");
		a->reason = v->valuestring;
	}
	return 0;
}

static const char *
adj_list(struct req *r, const struct refund_part *p, int nadj)
{
	struct sbuf s;
	int k, first = 1;

	sbuf_init(&s, r->a, 32);
	sbuf_printf(&s, "%s", "");
	for (k = 0; k < nadj; k++)
		if (p->adj[k] != 0) {
			sbuf_printf(&s, "%s%d:%lld", first ? "" : ",", k + 1,
			    (long long)p->adj[k]);
			first = 0;
		}
	return s.buf;
}

/* Move what refund f gives back, and record it (refund_id given). */
static int
refund_apply(struct req *r, struct refund_ask *a, struct order_rec *o,
    const struct order_refund *f, int64_t refund_id, const char **codes)
{
	const struct priced *p = &o->p;
	const char *ref = arena_printf(r->a, "order:%lld",
	    (long long)a->order_id);
	int64_t member = p->member_id, store = db_int(&o->row, 0, OR_STORE);
	int64_t staff = r->auth.staff_id;
	struct checkout_cfg ck;
	struct db_res res;
	struct order_refunded ev;
	int64_t left_money, left_points;
	int i, k, l, st, ret, closes;

	*codes = NULL;
	for (l = 0; l < f->nlines; l++) {
		const struct refund_part *q = &f->lines[l];
		int64_t sum = q->qty;

		for (k = 0; k < TD_N; k++)
			sum += q->tender[k];
		if (sum == 0)
			continue;
		if (DB(r, &q_refund_line_insert, NULL, DBI(refund_id),
		    DBI(p->lines[l].line_no), DBI(q->qty),
		    DBI(q->tender[TD_POINTS]), DBI(q->tender[TD_PRINCIPAL]),
		    DBI(q->tender[TD_BONUS]), DBI(q->tender[TD_CASH]),
		    DBI(q->tender[TD_CARD]), DBI(q->tender[TD_ONLINE]),
		    DBS(adj_list(r, q, p->nadj))) != DB_OK)
			return db_fail(r);
		if (q->qty > 0) {
			if (DB(r, &q_line_refunded, &res, DBI(q->qty),
			    DBI(a->order_id), DBI(p->lines[l].line_no),
			    DBI(q->qty)) != DB_OK)
				return db_fail(r);
			if (res.affected != 1)
				return resp_err(r, 409, "refund_exceeds_paid",
				    "退货数量超过可退数量", NULL);
		}
	}
	/* refunded once nothing is left to give: every unit, or all the
	   money and points (an amount refund leaves the goods) */
	left_money = -db_int(&o->row, 0, OR_REFUNDED) - f->amount_fen;
	for (k = TD_PRINCIPAL; k < TD_N; k++)
		left_money += p->tender[k];
	left_points = p->points_fen - f->points_fen;
	for (i = 0; i < o->ndone; i++)
		for (l = 0; l < o->done[i].nlines; l++)
			left_points -= o->done[i].lines[l].tender[TD_POINTS];
	closes = f->closes_order || (left_money == 0 && left_points == 0);
	if (DB(r, &q_order_refunded, &res, DBI(f->amount_fen),
	    DBS(closes ? "refunded" : "partially_refunded"),
	    DBI(r->m->id), DBI(a->order_id), DBI(f->amount_fen)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "refund_exceeds_paid",
		    "退款金额超过订单实付金额", NULL);
	if (member > 0) {
		if ((st = wallet_move(r, member, f->tender[TD_PRINCIPAL],
		    f->tender[TD_BONUS], "order_refund", ref, staff, store)) !=
		    0 ||
		    (st = points_give_back(r, member, f->points_returned,
		    "order_refund", ref)) != 0 ||
		    (st = points_take_back(r, member, f->points_taken_back,
		    "order_clawback", ref, NULL)) != 0 ||
		    (st = wallet_points_move(r, member, 0, -f->growth_taken_back,
		    1, "order_clawback", ref)) != 0)
			return st;
		if (f->all_lines) {
			if ((st = checkout_cfg_load(r, &ck)) != 0)
				return st;
			ret = db_int(&o->row, 0, OR_WAS_DONE) ?
			    ck.return_after_complete :
			    ck.return_before_complete;
			if (ret && (st = coupons_give_back(r, a->order_id,
			    codes)) != 0)
				return st;
		}
	}
	ev.order_id = a->order_id;
	ev.refund_id = refund_id;
	ev.member_id = member;
	ev.amount_fen = f->amount_fen;
	ev.count_cards = 0;
	for (l = 0; l < f->nlines && l < p->nlines; l++)
		ev.count_cards += o->card_uses[l] > 0 && f->lines[l].qty > 0;
	if ((st = event_emit(r, EV_ORDER_REFUNDED, &ev)) != 0)
		return st;
	return audit_log(r, "order.refund", ref, arena_printf(r->a,
	    "{\"refund_id\":%lld,\"amount_fen\":%lld}", (long long)refund_id,
	    (long long)f->amount_fen), store);
}

static int
refund_tx(struct req *r, void *arg)
{
	struct refund_ask *a = arg;
	struct order_rec *o = arena_calloc(r->a, 1, sizeof(*o));
	struct order_refund *f = arena_calloc(r->a, 1, sizeof(*f));
	struct checkout_cfg ck;
	struct db_res res;
	const char *codes = NULL, *status;
	int64_t rid, approver = 0;
	int i, st, rc, awaiting = 0;

	if ((st = order_read(r, a->order_id, 1, 0, o)) != 0 ||
	    (st = staff_store_check(r, db_int(&o->row, 0, OR_STORE))) != 0)
		return st;
	if (a->approve_id > 0) {
		cJSON *j;

		if (DB(r, &q_refund_request, &res, DBI(a->approve_id),
		    DBI(a->order_id)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0) {
			for (i = 0; i < o->refunds.nrows; i++)
				if (db_int(&o->refunds, i, RF_ID) ==
				    a->approve_id)
					return resp_err(r, 409, "conflict",
					    "该退款申请已处理", NULL);
			return resp_err(r, 404, "not_found", "退款申请不存在",
			    NULL);
		}
		if (a->reject) {
			if (DB(r, &q_refund_reject, NULL, DBI(r->auth.staff_id),
			    DBI(a->approve_id), DBI(a->order_id)) != DB_OK)
				return db_fail(r);
			goto answer;
		}
		j = cJSON_Parse(db_str(&res, 0, RQ_REQUEST));
		if (j == NULL)
			return resp_internal(r);
		rc = refund_parse(r, j, a);
		cJSON_Delete(j);
		if (rc != 0)
			return rc;
		approver = r->auth.staff_id;
	}
	if (status_is(o, "pending"))
		return resp_err(r, 409, "conflict",
		    "订单尚未支付，请直接取消订单", NULL);
	if (status_is(o, "cancelled") || status_is(o, "refunded"))
		return resp_err(r, 409, "already_refunded",
		    status_is(o, "cancelled") ? "订单已取消" : "订单已全部退款",
		    NULL);
	/* a count-card line is refunded by the use: its units are uses */
	for (i = 0; i < o->p.nlines; i++)
		if (o->card_uses[i] > 0)
			o->p.lines[i].qty *= o->card_uses[i];
	if (refund_compute(&o->p, o->done, o->ndone, &a->req, f) == -1) {
		if (strcmp(f->err_code, "invalid_field") == 0)
			return resp_bad_field(r, f->err_field[0] ?
			    f->err_field : "lines", "退款内容不正确");
		if (strcmp(f->err_code, "already_refunded") == 0)
			return resp_err(r, 409, "already_refunded",
			    "所选商品已退款", a->req.amount_fen != ORDER_NONE ?
			    "amount_fen" : "lines");
		return resp_err(r, 409, "refund_exceeds_paid",
		    "退款超过订单可退金额或数量", a->req.amount_fen !=
		    ORDER_NONE ? "amount_fen" : "lines");
	}
	if ((st = checkout_cfg_load(r, &ck)) != 0)
		return st;
	awaiting = a->approve_id == 0 && ck.refund_approval_over_fen !=
	    ORDER_NONE && f->amount_fen > ck.refund_approval_over_fen &&
	    strcmp(r->auth.role, "owner") != 0;
	status = awaiting ? "awaiting_approval" : "done";
	if (a->approve_id > 0) {
		rid = a->approve_id;
		if ((st = refund_apply(r, a, o, f, rid, &codes)) != 0)
			return st;
		if (DB(r, &q_refund_done, &res, DBI(f->amount_fen),
		    DBI(f->tender[TD_POINTS]), DBI(f->tender[TD_PRINCIPAL]),
		    DBI(f->tender[TD_BONUS]), DBI(f->tender[TD_CASH]),
		    DBI(f->tender[TD_CARD]), DBI(f->tender[TD_ONLINE]),
		    DBI(f->points_returned), DBI(f->points_taken_back),
		    DBI(f->growth_taken_back), DBS(codes), DBI(approver),
		    DBI(rid), DBI(a->order_id)) != DB_OK)
			return db_fail(r);
		if (res.affected != 1)
			return resp_err(r, 409, "conflict", "该退款申请已处理",
			    NULL);
	} else {
		if (DB(r, &q_refund_insert, &res, DBI(r->m->id),
		    DBI(a->order_id), DBS(status), DBS(a->request),
		    DBS(a->reason), DBI(f->amount_fen),
		    DBI(f->tender[TD_POINTS]), DBI(f->tender[TD_PRINCIPAL]),
		    DBI(f->tender[TD_BONUS]), DBI(f->tender[TD_CASH]),
		    DBI(f->tender[TD_CARD]), DBI(f->tender[TD_ONLINE]),
		    DBI(f->points_returned), DBI(f->points_taken_back),
		    DBI(f->growth_taken_back), DBNULL, DBI(r->auth.staff_id),
		    DBNULL, DBS(status)) != DB_OK)
			return db_fail(r);
		rid = (int64_t)res.insert_id;
		if (!awaiting) {
			if ((st = refund_apply(r, a, o, f, rid, &codes)) != 0)
				return st;
			if (codes != NULL && DB(r, &q_refund_codes, NULL,
			    DBS(codes), DBI(rid)) != DB_OK)
				return db_fail(r);
		} else if ((st = audit_log(r, "order.refund_request",
		    arena_printf(r->a, "order:%lld", (long long)a->order_id),
		    arena_printf(r->a, "{\"refund_id\":%lld,\"amount_fen\":"
		    "%lld}", (long long)rid, (long long)f->amount_fen),
		    db_int(&o->row, 0, OR_STORE))) != 0)
			return st;
	}
	a->approve_id = rid;
	if (!awaiting && f->tender[TD_ONLINE] > 0 &&
	    !db_isnull(&o->row, 0, OR_TRADE)) {
		a->trade_no = arena_strdup(r->a, db_str(&o->row, 0, OR_TRADE));
		a->online_fen = f->tender[TD_ONLINE];
	}
answer:
	if ((st = order_read(r, a->order_id, 0, 0, o)) != 0)
		return st;
	a->out = j_obj();
	{
		int i;

		for (i = 0; i < o->refunds.nrows; i++)
			if (db_int(&o->refunds, i, RF_ID) == a->approve_id) {
				cJSON *x = refund_row_json(r, &o->refunds, i);

				j_str(x, "order_status", db_str(&o->row, 0,
				    OR_STATUS));
				j_add(a->out, "refund", x);
			}
	}
	j_add(a->out, "order", order_json(r, o, 1));
	if (awaiting && !a->reject) {
		j_str(a->out, "status", "awaiting_approval");
		a->status = 202;
	} else
		a->status = a->reject ? 200 : 201;
	return a->status;
}

int
order_refund(struct req *r, int64_t id, int64_t approve_id, int reject)
{
	struct refund_ask a;
	int st;

	memset(&a, 0, sizeof(a));
	a.order_id = id;
	a.approve_id = approve_id;
	a.reject = reject;
	if (approve_id == 0) {
		if (req_json_body(r) == -1)
			return r->status;
		if ((st = refund_parse(r, r->json, &a)) != 0)
			return st;
		a.request = cJSON_PrintUnformatted(r->json);
		if (a.request == NULL)
			return resp_internal(r);
		if (strlen(a.request) > 4000)
			return resp_bad_field(r, "lines", "退款内容过长");
	}
	st = db_tx(r, refund_tx, &a);
	if (st >= 400)
		return st;
	if (a.trade_no != NULL) {
		cJSON *ol;

		/* the online part back through its provider, once committed */
		if ((st = wallet_online_refund(r, a.trade_no, arena_printf(r->a,
		    "RF%lld", (long long)a.approve_id), a.online_fen, &ol)) !=
		    0)
			resp_reset(r);
		else if (ol != NULL)
			j_add(a.out, "online_refund", ol);
	}
	return resp_data(r, a.status, a.out);
}

/* ---- online payment of a pending order ---- */

enum { OT_ID, OT_MERCHANT, OT_CODE, OT_NAME, OT_TZ, OT_ONLINE, OT_NCOLS };
DB_SQL_COLS(q_order_by_trade, OT_NCOLS,
    "SELECT o.id, o.merchant_id, m.code, m.name, m.tz, o.online_fen"
    " FROM orders o JOIN merchants m ON m.id = o.merchant_id"
    " WHERE o.out_trade_no = ?");
DB_SQL(q_order_paid,
    "UPDATE orders SET status = IF(channel = 'counter', 'completed',"
    " 'paid'), was_completed = (channel = 'counter'),"
    " paid_at = UTC_TIMESTAMP(), completed_at = IF(channel = 'counter',"
    " UTC_TIMESTAMP(), NULL), expires_at = NULL"
    " WHERE merchant_id = ? AND id = ? AND status = 'pending'");

/* EV_ONLINE_NOTIFIED: a verified notify for an order's trade number. */
static int
order_on_notified(struct req *r, const void *arg)
{
	const struct online_notified *n = arg;
	struct order_rec *o;
	struct db_res res;
	int st;

	if (DB(r, &q_order_by_trade, &res, DBS(n->out_trade_no)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	*n->handled = 1;
	if (r->m == NULL) {
		r->m = arena_calloc(r->a, 1, sizeof(*r->m));
		r->m->id = db_int(&res, 0, OT_MERCHANT);
		r->m->code = db_str(&res, 0, OT_CODE);
		r->m->name = db_str(&res, 0, OT_NAME);
		r->m->tz = db_str(&res, 0, OT_TZ);
	} else if (r->m->id != db_int(&res, 0, OT_MERCHANT))
		return resp_err(r, 404, "not_found", "订单不存在",
		    "out_trade_no");
	if (n->amount_fen != db_int(&res, 0, OT_ONLINE))
		return resp_err(r, 400, "amount_mismatch",
		    "支付金额与订单不符", "amount_fen");
	if (!n->success)
		return 0;
	o = arena_calloc(r->a, 1, sizeof(*o));
	if ((st = order_read(r, db_int(&res, 0, OT_ID), 1, 0, o)) != 0)
		return st;
	if (!status_is(o, "pending")) {
		if (status_is(o, "cancelled"))
			log_warn(r, "order %lld: paid online after it was "
			    "cancelled (%s): to be refunded by the merchant",
			    (long long)db_int(&res, 0, OT_ID), n->out_trade_no);
		return 0;	/* paid once, before */
	}
	if (DB(r, &q_order_paid, &res, DBI(r->m->id), DBI(db_int(&o->row, 0,
	    OR_ID))) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 0;
	return order_settle_paid(r, db_int(&o->row, 0, OR_ID), o->p.member_id,
	    db_int(&o->row, 0, OR_STORE), o->p.total_fen, o->p.earn_points,
	    o->p.earn_growth, o->ncards);
}
ON_EVENT(EV_ONLINE_NOTIFIED, 10, order_on_notified);

int
order_sandbox_pay(struct req *r, int64_t id, int64_t member_id)
{
	struct order_rec *o = arena_calloc(r->a, 1, sizeof(*o));
	cJSON *n;
	int st;

	if (!cfg_is_dev())
		return resp_err(r, 404, "not_found", "页面或接口不存在", NULL);
	if ((st = order_read(r, id, 0, member_id, o)) != 0)
		return st;
	if (!status_is(o, "pending") || db_isnull(&o->row, 0, OR_TRADE))
		return resp_err(r, 409, "not_pending", "订单不是待支付状态",
		    NULL);
	if ((st = wallet_sandbox_notify(r, db_str(&o->row, 0, OR_TRADE),
	    o->p.tender[TD_ONLINE], &n)) != 0)
		return st;
	cJSON_Delete(n);
	return order_get(r, id, member_id);
}

/* ---- a balance payment's refund ---- */

int
order_payment_refund(struct req *r, int64_t order_id, int64_t amount,
    cJSON **refund)
{
	static const int others[] = { TD_POINTS, TD_CASH, TD_CARD, TD_ONLINE };
	struct order_rec *o = arena_calloc(r->a, 1, sizeof(*o));
	struct order_refund *f = arena_calloc(r->a, 1, sizeof(*f));
	struct priced *view = arena_alloc(r->a, sizeof(*view));
	struct refund_ask a;
	struct db_res res;
	const char *codes;
	int64_t m0, mb, left, rid;
	int i, l, k, st;

	*refund = NULL;
	if ((st = order_read(r, order_id, 1, 0, o)) != 0)
		return st;
	/* the order as the balance paid it: only principal and bonus */
	*view = o->p;
	for (l = 0; l < view->nlines; l++)
		for (k = 0; k < 4; k++)
			view->lines[l].tender[others[k]] = 0;
	for (k = 0; k < 4; k++)
		view->tender[others[k]] = 0;
	left = view->tender[TD_PRINCIPAL] + view->tender[TD_BONUS];
	m0 = 0;
	for (k = TD_PRINCIPAL; k < TD_N; k++)
		m0 += o->p.tender[k];
	mb = db_int(&o->row, 0, OR_REFUNDED);
	for (i = 0; i < o->ndone; i++)
		for (l = 0; l < o->done[i].nlines; l++) {
			left -= o->done[i].lines[l].tender[TD_PRINCIPAL] +
			    o->done[i].lines[l].tender[TD_BONUS];
			for (k = 0; k < 4; k++)
				o->done[i].lines[l].tender[others[k]] = 0;
		}
	if (left <= 0 || status_is(o, "refunded"))
		return resp_err(r, 409, "already_refunded", "该笔支付已全额退款",
		    NULL);
	if (amount == 0)
		amount = left;
	if (amount > left)
		return resp_err(r, 409, "refund_exceeds_paid", arena_printf(r->a,
		    "退款金额超过可退金额（最多 %s 元）", page_yuan(r, left)),
		    "amount_fen");
	memset(&a, 0, sizeof(a));
	a.order_id = order_id;
	a.req.amount_fen = amount;
	if (refund_compute(view, o->done, o->ndone, &a.req, f) == -1)
		return resp_err(r, 409, "refund_exceeds_paid",
		    "退款金额超过可退金额", "amount_fen");
	/* what was earned is kept on the money not refunded, cash included */
	f->points_taken_back = wallet_keep(o->p.earn_points, m0, m0 - mb) -
	    wallet_keep(o->p.earn_points, m0, m0 - mb - f->amount_fen);
	f->growth_taken_back = wallet_keep(o->p.earn_growth, m0, m0 - mb) -
	    wallet_keep(o->p.earn_growth, m0, m0 - mb - f->amount_fen);
	f->all_lines = 0;
	f->closes_order = mb + f->amount_fen == m0;
	if (DB(r, &q_refund_insert, &res, DBI(r->m->id), DBI(order_id),
	    DBS("done"), DBS(arena_printf(r->a, "{\"amount_fen\":%lld}",
	    (long long)amount)), DBNULL, DBI(f->amount_fen),
	    DBI(f->tender[TD_POINTS]), DBI(f->tender[TD_PRINCIPAL]),
	    DBI(f->tender[TD_BONUS]), DBI(f->tender[TD_CASH]),
	    DBI(f->tender[TD_CARD]), DBI(f->tender[TD_ONLINE]),
	    DBI(f->points_returned), DBI(f->points_taken_back),
	    DBI(f->growth_taken_back), DBNULL, DBI(r->auth.staff_id), DBNULL,
	    DBS("done")) != DB_OK)
		return db_fail(r);
	rid = (int64_t)res.insert_id;
	if ((st = refund_apply(r, &a, o, f, rid, &codes)) != 0)
		return st;
	*refund = j_obj();
	j_int(*refund, "id", rid);
	j_int(*refund, "order_id", order_id);
	j_int(*refund, "amount_fen", f->amount_fen);
	j_int(*refund, "principal_fen", f->tender[TD_PRINCIPAL]);
	j_int(*refund, "bonus_fen", f->tender[TD_BONUS]);
	j_int(*refund, "growth_reversed", f->growth_taken_back);
	j_int(*refund, "points_reversed", f->points_taken_back);
	return 0;
}

/* ---- the sweeper: the job orders-expire ---- */

enum { XP_ID, XP_NCOLS };
DB_SQL_COLS(q_expired_batch, XP_NCOLS,
    "SELECT id FROM orders WHERE merchant_id = ? AND status = 'pending'"
    " AND expires_at < UTC_TIMESTAMP() AND id > ? AND (? = 0 OR id <= ?)"
    " ORDER BY id LIMIT ?");

/*
 * Cancel a batch of r->m's pending orders whose time has run out, giving
 * back what each held: what the reads do lazily, for the orders nobody
 * reads. The cursor is the last order id looked at; an order that
 * expires later below it is the next minute's run's. Runs in the runner's
 * transaction (cancel_tx's db_tx nests into it). The cursor moves before
 * the cancels, so that a batch that fails can be set aside (job.h); its
 * retry takes nothing after j->cursor_end.
 */
static int
orders_expire_batch(struct job_run *j)
{
	struct req *r = j->r;
	struct db_res res;
	int st, limit = job_batch_limit(200);

	if (DB(r, &q_expired_batch, &res, DBI(r->m->id), DBI(j->cursor),
	    DBI(j->cursor_end), DBI(j->cursor_end), DBI(limit)) != DB_OK)
		return db_fail(r);
	if (res.nrows > 0)
		j->cursor = db_int(&res, res.nrows - 1, XP_ID);
	if ((st = expired_cancel(r, &res, XP_ID, &j->count[0])) != 0)
		return st;
	return res.nrows < limit ? JOB_DONE : JOB_MORE;
}

JOB(orders_expire_job) = {
	"orders-expire", "超时未付订单", JOB_MINUTE, 0,
	{ "取消订单", NULL, NULL, NULL },
	orders_expire_batch,
	1,	/* a failing batch is set aside */
};
