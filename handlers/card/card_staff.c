/*
 * Count cards at the counter: the scanned member's cards, a use (核销)
 * by the member's ticket, and the reversal of the last use of a day
 * (routes only).
 */
#include <string.h>

#include "app.h"
#include "card.h"
#include "core/core.h"
#include "db.h"

DB_SQL_COLS(q_card_get, CCC_NCOLS,
    "SELECT " COUNT_CARD_COLS " FROM count_cards cc"
    " WHERE cc.merchant_id = ? AND cc.id = ?");
DB_SQL_COLS(q_card_lock, CCC_NCOLS,
    "SELECT " COUNT_CARD_COLS " FROM count_cards cc"
    " WHERE cc.merchant_id = ? AND cc.id = ? FOR UPDATE");
DB_SQL(q_card_take,
    "UPDATE count_cards SET uses_left = uses_left - ?"
    " WHERE merchant_id = ? AND id = ? AND uses_left >= ?"
    " AND expires_at >= ?");
DB_SQL(q_use_insert,
    "INSERT INTO count_card_uses (merchant_id, card_id, member_id, uses,"
    " product_id, store_id, staff_id, ticket_id, status, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'done', UTC_TIMESTAMP())");
#define USE_COLS \
	"u.id, u.card_id, u.uses, u.product_id, p.name, u.store_id, s.name," \
	" u.staff_id, u.status, u.created_at, u.reversed_at"
#define USE_FROM \
	" FROM count_card_uses u LEFT JOIN products p ON p.id = u.product_id" \
	" LEFT JOIN stores s ON s.id = u.store_id"
enum { US_ID, US_CARD, US_USES, US_PRODUCT, US_PNAME, US_STORE, US_SNAME,
    US_STAFF, US_STATUS, US_CREATED, US_REVERSED, US_NCOLS };
DB_SQL_COLS(q_use_get, US_NCOLS,
    "SELECT " USE_COLS USE_FROM " WHERE u.merchant_id = ? AND u.id = ?");
enum { LU_ID, LU_NCOLS };
DB_SQL_COLS(q_use_last, LU_NCOLS,
    "SELECT MAX(id) FROM count_card_uses"
    " WHERE merchant_id = ? AND card_id = ? AND status = 'done'");
DB_SQL(q_use_reverse,
    "UPDATE count_card_uses SET status = 'reversed',"
    " reversed_at = UTC_TIMESTAMP(), reversed_by = ?"
    " WHERE merchant_id = ? AND id = ? AND status = 'done'");
DB_SQL(q_card_give_back,
    "UPDATE count_cards SET uses_left = uses_left + ?"
    " WHERE merchant_id = ? AND id = ?"
    " AND uses_left + refunded_uses + ? <= uses_total");

static cJSON *
use_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *x = j_obj();

	j_int(x, "id", db_int(res, i, US_ID));
	j_int(x, "card_id", db_int(res, i, US_CARD));
	j_int(x, "uses", db_int(res, i, US_USES));
	if (db_isnull(res, i, US_PRODUCT))
		j_null(x, "product_id");
	else
		j_int(x, "product_id", db_int(res, i, US_PRODUCT));
	j_str(x, "product_name", db_str(res, i, US_PNAME));
	j_int(x, "store_id", db_int(res, i, US_STORE));
	j_str(x, "store_name", db_str(res, i, US_SNAME));
	j_int(x, "staff_id", db_int(res, i, US_STAFF));
	j_str(x, "status", db_str(res, i, US_STATUS));
	j_str(x, "created_at", time_rfc3339(r, db_str(res, i, US_CREATED)));
	if (db_isnull(res, i, US_REVERSED))
		j_null(x, "reversed_at");
	else
		j_str(x, "reversed_at", time_rfc3339(r, db_str(res, i,
		    US_REVERSED)));
	return x;
}

/* "2026年12月1日" of a time in the merchant's zone. */
static const char *
day_cn(struct req *r, int64_t t)
{
	char s[20];
	int y, m, d;

	time_sql(t + tz_offset(r->m->tz), s);
	if (date_parse(s, &y, &m, &d) == -1)
		return "";
	return arena_printf(r->a, "%d年%d月%d日", y, m, d);
}

struct use_ctx {
	int64_t		 card_id, use_id;
	const char	*ticket;
	int64_t		 uses, product_id;
	cJSON		*out;
};

/* The card now, and the use, as the answer. */
static int
use_answer(struct req *r, struct use_ctx *c)
{
	struct db_res res, u;

	if (DB(r, &q_card_get, &res, DBI(r->m->id), DBI(c->card_id)) !=
	    DB_OK || res.nrows != 1 ||
	    DB(r, &q_use_get, &u, DBI(r->m->id), DBI(c->use_id)) != DB_OK ||
	    u.nrows != 1)
		return db_fail(r);
	c->out = j_obj();
	j_add(c->out, "use", use_json(r, &u, 0));
	j_add(c->out, "card", count_card_json(r, &res, 0, time_now()));
	return 0;
}

static int
use_tx(struct req *r, void *arg)
{
	struct use_ctx *c = arg;
	struct ticket t;
	struct db_res res;
	int64_t now = time_now(), exp = 0, left;
	char now_s[20];
	int st;

	if ((st = ticket_resolve(r, c->ticket, &t)) != 0)
		return st;
	if (DB(r, &q_card_get, &res, DBI(r->m->id), DBI(c->card_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || db_int(&res, 0, CCC_MEMBER) != t.member_id)
		return resp_err(r, 404, "not_found", "该会员没有这张次卡",
		    NULL);
	if (!store_list_allows(db_str(&res, 0, CCC_STORES), t.store_id))
		return resp_err(r, 409, "store_not_allowed",
		    "这张次卡不能在本店使用", NULL);
	if (c->product_id > 0 && !store_list_allows(db_str(&res, 0,
	    CCC_PRODUCTS), c->product_id))
		return resp_bad_field(r, "product_id", "这张次卡不含该商品");
	(void)time_sql_parse(db_str(&res, 0, CCC_EXPIRES), &exp);
	time_sql(now, now_s);
	if (DB(r, &q_card_take, &res, DBI(c->uses), DBI(r->m->id),
	    DBI(c->card_id), DBI(c->uses), DBS(now_s)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		/* what stopped it, read again now that it holds */
		if (DB(r, &q_card_get, &res, DBI(r->m->id), DBI(c->card_id)) !=
		    DB_OK || res.nrows != 1)
			return db_fail(r);
		left = db_int(&res, 0, CCC_LEFT);
		if (left == 0)
			return resp_err(r, 409, "used_up",
			    db_int(&res, 0, CCC_REFUNDED) > 0 ?
			    "这张次卡已退款，没有可用次数" :
			    "这张次卡已用完", NULL);
		if (now > exp)
			return resp_err(r, 409, "expired", arena_printf(r->a,
			    "这张次卡已于%s过期", day_cn(r, exp)), NULL);
		return resp_err(r, 409, "used_up", arena_printf(r->a,
		    "这张次卡只剩 %lld 次，不够本次核销 %lld 次",
		    (long long)left, (long long)c->uses), "uses");
	}
	if (DB(r, &q_use_insert, &res, DBI(r->m->id), DBI(c->card_id),
	    DBI(t.member_id), DBI(c->uses), DBIN(c->product_id,
	    c->product_id > 0), DBI(t.store_id), DBI(r->auth.staff_id),
	    DBI(t.id)) != DB_OK)
		return db_fail(r);
	c->use_id = (int64_t)res.insert_id;
	if ((st = audit_log(r, "count_card.use", arena_printf(r->a,
	    "count_card:%lld", (long long)c->card_id), arena_printf(r->a,
	    "{\"use_id\":%lld,\"uses\":%lld}", (long long)c->use_id,
	    (long long)c->uses), t.store_id)) != 0 ||
	    (st = use_answer(r, c)) != 0)
		return st;
	return 201;
}

/*
 * A use (核销) of a count card at the counter, for the member the ticket
 * names, at the ticket's store, by the signed-in cashier.
 * In: {ticket, uses? (1..99, 1), product_id? (a product the card
 * covers)}, Idempotency-Key. Out: 201 {use, card}. Errors: invalid_ticket,
 * invalid_field, not_found (not the member's), 409 store_not_allowed,
 * used_up (none left, or fewer than asked), expired. Writes:
 * count_cards.uses_left (a conditional update: concurrent uses of the
 * last one take it once), count_card_uses, audit_log.
 */
static int
card_use(struct req *r)
{
	struct use_ctx c;
	int st;

	memset(&c, 0, sizeof(c));
	c.uses = 1;
	if (req_param_id(r, "id", &c.card_id) == -1)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	if (req_json_body(r) == -1)
		return r->status;
	if (req_json_str(r, "ticket", 1, 1, 128, &c.ticket) == -1) {
		resp_reset(r);
		return resp_err(r, 400, "invalid_ticket",
		    "核销凭证无效或已过期，请重新扫码", "ticket");
	}
	if (req_json_int(r, "uses", 0, 1, 99, &c.uses) == -1 ||
	    req_json_int(r, "product_id", 0, 1, INT64_MAX / 2,
	    &c.product_id) == -1)
		return r->status;
	st = db_tx(r, use_tx, &c);
	return st >= 400 ? st : resp_data(r, 201, c.out);
}

static int
reverse_tx(struct req *r, void *arg)
{
	struct use_ctx *c = arg;
	struct db_res card, u, res;
	int64_t at = 0, now = time_now();
	long tz = tz_offset(r->m->tz);
	int st;

	if (DB(r, &q_card_lock, &card, DBI(r->m->id), DBI(c->card_id)) !=
	    DB_OK || DB(r, &q_use_get, &u, DBI(r->m->id), DBI(c->use_id)) !=
	    DB_OK)
		return db_fail(r);
	if (card.nrows == 0 || u.nrows == 0 ||
	    db_int(&u, 0, US_CARD) != c->card_id)
		return resp_err(r, 404, "not_found", "没有这次核销记录", NULL);
	if ((st = staff_store_check(r, db_int(&u, 0, US_STORE))) != 0)
		return st;
	if (strcmp(db_str(&u, 0, US_STATUS), "done") != 0)
		return resp_err(r, 409, "conflict", "这次核销已撤销", NULL);
	(void)time_sql_parse(db_str(&u, 0, US_CREATED), &at);
	if (count_card_day(at, tz) != count_card_day(now, tz))
		return resp_err(r, 409, "conflict", arena_printf(r->a,
		    "只能撤销当天的核销，这次核销在%s", day_cn(r, at)), NULL);
	if (DB(r, &q_use_last, &res, DBI(r->m->id), DBI(c->card_id)) !=
	    DB_OK)
		return db_fail(r);
	if (db_int(&res, 0, LU_ID) != c->use_id)
		return resp_err(r, 409, "conflict",
		    "请先撤销这张卡最近的一次核销", NULL);
	if (DB(r, &q_use_reverse, &res, DBI(r->auth.staff_id), DBI(r->m->id),
	    DBI(c->use_id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "conflict", "这次核销已撤销", NULL);
	if (DB(r, &q_card_give_back, &res, DBI(db_int(&u, 0, US_USES)),
	    DBI(r->m->id), DBI(c->card_id), DBI(db_int(&u, 0, US_USES))) !=
	    DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_internal(r);
	if ((st = audit_log(r, "count_card.reverse", arena_printf(r->a,
	    "count_card:%lld", (long long)c->card_id), arena_printf(r->a,
	    "{\"use_id\":%lld}", (long long)c->use_id),
	    db_int(&u, 0, US_STORE))) != 0 ||
	    (st = use_answer(r, c)) != 0)
		return st;
	return 200;
}

/*
 * Reverse (撤销) a use: the card's last use that is not reversed, made
 * this merchant-local day, at a store of the cashier's. Out: {use, card}.
 * Errors: not_found, forbidden, 409 conflict (not the last, another
 * day, reversed already). Writes: the use's status, uses_left, audit_log.
 */
static int
card_use_reverse(struct req *r)
{
	struct use_ctx c;
	int st;

	memset(&c, 0, sizeof(c));
	if (req_param_id(r, "id", &c.card_id) == -1 ||
	    req_param_id(r, "use_id", &c.use_id) == -1)
		return resp_err(r, 404, "not_found", "没有这次核销记录", NULL);
	st = db_tx(r, reverse_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

/*
 * The member's count cards for staff: ?ticket= (the counter: the
 * ticket's member, usable_here for its store) or ?member_id= (owner and
 * marketing). Out: list (no cursor: at most 100).
 */
static int
card_list_staff(struct req *r)
{
	const char *tk = req_query(r, "ticket");
	struct ticket t;
	int64_t member = 0, store = 0;
	cJSON *arr;
	int st;

	if (tk != NULL) {
		if ((st = ticket_resolve(r, tk, &t)) != 0)
			return st;
		member = t.member_id;
		store = t.store_id;
	} else {
		if (strcmp(r->auth.role, "cashier") == 0)
			return resp_err(r, 403, "forbidden",
			    "收银员请扫描会员码查看次卡", NULL);
		if (req_query_int(r, "member_id", 1, 1, INT64_MAX / 2,
		    &member) == -1)
			return r->status;
	}
	if ((arr = count_cards_of_member(r, member, store)) == NULL)
		return r->status;
	return resp_list(r, arr, 0);
}

#define SBASE	"/api/v1/m/:merchant/staff"

ROUTES(card_staff_routes) = {
	{ M_GET, SBASE "/count-cards", card_list_staff, AUTH_STAFF },
	{ M_POST, SBASE "/count-cards/:id/uses", card_use,
	    AUTH_STAFF | ROLE_CASHIER | CSRF | IDEMPOTENT },
	{ M_POST, SBASE "/count-cards/:id/uses/:use_id/reverse",
	    card_use_reverse, AUTH_STAFF | ROLE_CASHIER | CSRF | IDEMPOTENT },
	{ 0, NULL, NULL, 0 }
};
