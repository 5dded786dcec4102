/*
 * Count cards issued and refunded with the orders that sell them, read
 * as JSON, and the member list's filter (card.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "card.h"
#include "catalog/catalog.h"
#include "core/core.h"
#include "db.h"
#include "order/order.h"

#define FAR_SQL		"9999-12-31 23:59:59"
#define EARLY_SQL	"1000-01-01 00:00:00"
#define USES_ANY	INT64_C(2147483647)

/* ---- reading ---- */

cJSON *
count_card_json(struct req *r, const struct db_res *res, int i, int64_t now)
{
	cJSON *d = j_obj();
	int64_t exp = 0, left = db_int(res, i, CCC_LEFT);
	int64_t refunded = db_int(res, i, CCC_REFUNDED);
	int64_t total = db_int(res, i, CCC_TOTAL);
	const char *st;

	(void)time_sql_parse(db_str(res, i, CCC_EXPIRES), &exp);
	st = count_card_status(left, refunded, exp, now);
	j_int(d, "id", db_int(res, i, CCC_ID));
	j_str(d, "name", db_str(res, i, CCC_NAME));
	j_int(d, "uses_total", total);
	j_int(d, "uses_left", left);
	j_int(d, "uses_used", total - left - refunded);
	j_int(d, "refunded_uses", refunded);
	j_str(d, "expires_at", time_rfc3339(r, db_str(res, i, CCC_EXPIRES)));
	j_str(d, "status", st);
	j_str(d, "status_text", count_card_status_cn(st));
	j_int(d, "count_card_product_id", db_int(res, i, CCC_PRODUCT));
	j_add(d, "product_ids",
	    count_card_ids_json(db_str(res, i, CCC_PRODUCTS)));
	if (db_isnull(res, i, CCC_STORES))
		j_str(d, "store_ids", "all");
	else
		j_add(d, "store_ids",
		    count_card_ids_json(db_str(res, i, CCC_STORES)));
	j_int(d, "order_id", db_int(res, i, CCC_ORDER));
	j_str(d, "created_at", time_rfc3339(r, db_str(res, i, CCC_CREATED)));
	return d;
}

DB_SQL_COLS(q_cards_of_member, CCC_NCOLS,
    "SELECT " COUNT_CARD_COLS " FROM count_cards cc"
    " WHERE cc.merchant_id = ? AND cc.member_id = ?"
    " ORDER BY cc.id DESC LIMIT 100");

cJSON *
count_cards_of_member(struct req *r, int64_t member_id, int64_t store_id)
{
	struct db_res res;
	int64_t now = time_now();
	cJSON *arr = j_arr();
	int i;

	if (DB(r, &q_cards_of_member, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK) {
		db_fail(r);
		return NULL;
	}
	for (i = 0; i < res.nrows; i++) {
		cJSON *x = count_card_json(r, &res, i, now);

		if (store_id > 0)
			j_bool(x, "usable_here", store_list_allows(db_str(&res,
			    i, CCC_STORES), store_id));
		j_add(arr, NULL, x);
	}
	return arr;
}

/* ---- issued when the order is paid ---- */

enum { PL_LINE, PL_PRODUCT, PL_USES, PL_NCOLS };
DB_SQL_COLS(q_paid_lines, PL_NCOLS,
    "SELECT line_no, count_card_product_id, qty * card_uses"
    " FROM order_lines WHERE order_id = ? AND card_uses IS NOT NULL"
    " ORDER BY line_no");
DB_SQL(q_card_insert,
    "INSERT INTO count_cards (merchant_id, member_id, product_id, order_id,"
    " line_no, name, uses_total, uses_left, product_ids, store_ids,"
    " expires_at, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");

/*
 * EV_ORDER_PAID: each line of the order that sells a count card issues
 * the member one card of its uses, with the product's terms as they are
 * now. Once: a second payment of one order cannot happen (the order's
 * status moves once), and (order_id, line_no) is unique besides.
 */
static int
count_card_on_paid(struct req *r, const void *arg)
{
	const struct order_paid *ev = arg;
	struct count_card_item it;
	struct db_res res;
	int64_t now = time_now(), exp;
	char exp_s[20];
	int i, st;

	if (ev->count_cards == 0)
		return 0;
	if (ev->member_id == 0)
		return resp_err(r, 400, "invalid_field",
		    "次卡记在会员名下，请先识别会员", "lines");
	if (DB(r, &q_paid_lines, &res, DBI(ev->order_id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		if ((st = count_card_item_load(r, db_int(&res, i, PL_PRODUCT),
		    ev->store_id, now, &it)) != 0)
			return st;
		if (!it.found)
			return resp_internal(r);
		exp = count_card_expires(it.validity_days, it.days,
		    it.until_end, now, tz_offset(r->m->tz));
		time_sql(exp, exp_s);
		if (DB(r, &q_card_insert, NULL, DBI(r->m->id),
		    DBI(ev->member_id), DBI(it.id), DBI(ev->order_id),
		    DBI(db_int(&res, i, PL_LINE)), DBS(it.name),
		    DBI(db_int(&res, i, PL_USES)), DBI(db_int(&res, i, PL_USES)),
		    DBS(it.product_ids), DBS(it.store_ids), DBS(exp_s)) !=
		    DB_OK)
			return db_fail(r);
	}
	return 0;
}
ON_EVENT(EV_ORDER_PAID, 30, count_card_on_paid);

/* ---- a refund of the line that sold it ---- */

enum { RL_LINE, RL_USES, RL_NCOLS };
DB_SQL_COLS(q_refund_card_lines, RL_NCOLS,
    "SELECT rl.line_no, rl.qty FROM order_refund_lines rl"
    " JOIN order_lines ol ON ol.order_id = ? AND ol.line_no = rl.line_no"
    " WHERE rl.refund_id = ? AND ol.card_uses IS NOT NULL AND rl.qty > 0");
DB_SQL(q_card_refund,
    "UPDATE count_cards SET uses_left = uses_left - ?,"
    " refunded_uses = refunded_uses + ?"
    " WHERE merchant_id = ? AND order_id = ? AND line_no = ?"
    " AND uses_left >= ?");
enum { CL_LEFT, CL_NCOLS };
DB_SQL_COLS(q_card_left, CL_NCOLS,
    "SELECT uses_left FROM count_cards"
    " WHERE merchant_id = ? AND order_id = ? AND line_no = ?");

/*
 * EV_ORDER_REFUNDED: a refund by lines of a count-card line refunds that
 * many uses (its qty counts uses) of the card's unused ones, by a
 * conditional update; a card with none left (used up, or refunded) or
 * fewer than asked refuses the whole refund (409). The money is what the
 * order's refund gave: those uses' share of what the line was paid
 * (count_card_refund_fen). A refund by amount leaves the card as it is.
 */
static int
count_card_on_refunded(struct req *r, const void *arg)
{
	const struct order_refunded *ev = arg;
	struct db_res res, c;
	int i;

	if (ev->count_cards == 0)
		return 0;
	if (DB(r, &q_refund_card_lines, &res, DBI(ev->order_id),
	    DBI(ev->refund_id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		int64_t line = db_int(&res, i, RL_LINE);
		int64_t k = db_int(&res, i, RL_USES), left;

		if (DB(r, &q_card_refund, &c, DBI(k), DBI(k), DBI(r->m->id),
		    DBI(ev->order_id), DBI(line), DBI(k)) != DB_OK)
			return db_fail(r);
		if (c.affected == 1)
			continue;
		if (DB(r, &q_card_left, &c, DBI(r->m->id), DBI(ev->order_id),
		    DBI(line)) != DB_OK)
			return db_fail(r);
		if (c.nrows == 0)
			return resp_err(r, 409, "conflict",
			    "次卡尚未发放，不能按次退款", "lines");
		left = db_int(&c, 0, CL_LEFT);
		switch (count_card_refund_check(k, left)) {
		case CC_REFUND_USED_UP:
			return resp_err(r, 409, "used_up",
			    "次卡已没有未使用的次数（已用完或已退），不能再退款",
			    "lines");
		default:
			return resp_err(r, 409, "refund_exceeds_paid",
			    arena_printf(r->a, "次卡只剩 %lld 次未使用，最多退 "
			    "%lld 次", (long long)left, (long long)left),
			    "lines");
		}
	}
	return 0;
}
ON_EVENT(EV_ORDER_REFUNDED, 30, count_card_on_refunded);

/* ---- the member list's filter ---- */

int
count_card_filter_parse(struct req *r, struct count_card_filter *f)
{
	const char *q = req_query(r, "count_cards");
	int64_t days = 7, now = time_now();
	char now_s[20];

	memset(f, 0, sizeof(f[0]));
	f->left_max = f->ref_max = USES_ANY;
	snprintf(f->exp_from, sizeof(f->exp_from), "%s", EARLY_SQL);
	snprintf(f->exp_to, sizeof(f->exp_to), "%s", FAR_SQL);
	if (req_query(r, "expiring_days") != NULL) {
		if (q == NULL || strcmp(q, "expiring") != 0)
			return resp_bad_field(r, "expiring_days",
			    "到期天数只用于“即将到期”的次卡筛选");
		if (req_query_int(r, "expiring_days", 1, 1, 365, &days) ==
		    -1) {
			resp_reset(r);
			return resp_bad_field(r, "expiring_days",
			    "到期天数应为 1 到 365 天");
		}
	}
	if (q == NULL || *q == '\0')
		return 0;
	time_sql(now, now_s);
	f->on = 1;
	if (strcmp(q, "active") == 0 || strcmp(q, "expiring") == 0) {
		f->left_min = 1;
		snprintf(f->exp_from, sizeof(f->exp_from), "%s", now_s);
		if (q[0] == 'e')
			time_sql(now + days * 86400, f->exp_to);
	} else if (strcmp(q, "expired") == 0) {
		f->left_min = 1;
		snprintf(f->exp_to, sizeof(f->exp_to), "%s", now_s);
	} else if (strcmp(q, "used_up") == 0)
		f->left_max = f->ref_max = 0;
	else
		return resp_bad_field(r, "count_cards",
		    "次卡状态只能是可使用、已过期、已用完或即将到期");
	return 0;
}
