/*
 * Scratch cards (刮刮乐) after a paid order, the member's side: a paid
 * order that qualifies for a live scratch campaign grants one chance tied
 * to it (EV_ORDER_PAID, in the order's transaction; a unique row per
 * campaign and order decides, a counter per member and day keeps the
 * daily cap); a fully refunded order's unscratched chance is void
 * (EV_ORDER_REFUNDED). The member scratches on the phone: the draw is
 * made then, with the CSPRNG, and stored once on the chance by a
 * conditional update from unscratched; the prize's stock is taken by a
 * conditional update and its grant (a coupon, bonus balance or points)
 * is made in the same transaction. The console's routes are in
 * scratch_staff.c.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "growth.h"
#include "member/member.h"
#include "order/order.h"
#include "points/points.h"
#include "wallet/wallet.h"

/* The most campaigns one order can qualify for at once. */
#define SCRATCH_QUALIFY_MAX	20

/* ---- granting and voiding chances (events) ---- */

enum { SQ_ID, SQ_CAP, SQ_NCOLS };
DB_SQL_COLS(q_sx_qualify, SQ_NCOLS,
    "SELECT c.id, c.daily_cap FROM scratch_campaigns c"
    " WHERE c.merchant_id = ? AND c.status = 'active'"
    " AND c.starts_at <= UTC_TIMESTAMP() AND c.ends_at > UTC_TIMESTAMP()"
    " AND c.min_order_fen <= ? AND (c.all_stores = 1 OR EXISTS"
    " (SELECT 1 FROM scratch_campaign_stores s WHERE s.campaign_id = c.id"
    " AND s.store_id = ?)) ORDER BY c.id LIMIT 20");
DB_SQL(q_sx_insert,
    "INSERT INTO scratch_chances (merchant_id, campaign_id, member_id,"
    " order_id, status, created_at)"
    " VALUES (?, ?, ?, ?, 'unscratched', UTC_TIMESTAMP())");
DB_SQL(q_sx_day_row,
    "INSERT IGNORE INTO scratch_daily (campaign_id, member_id, day, granted)"
    " VALUES (?, ?, ?, 0)");
DB_SQL(q_sx_day_bump,
    "UPDATE scratch_daily SET granted = granted + 1 WHERE campaign_id = ?"
    " AND member_id = ? AND day = ? AND granted < ?");
enum { SO_STATUS, SO_NCOLS };
DB_SQL_COLS(q_sx_order_status, SO_NCOLS,
    "SELECT status FROM orders WHERE merchant_id = ? AND id = ?");
DB_SQL(q_sx_void,
    "UPDATE scratch_chances SET status = 'void', voided_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND order_id = ? AND status = 'unscratched'");

/*
 * One chance of a campaign for an order, within the member's daily cap:
 * the insert's unique key decides (an order is granted once), the cap is
 * a conditional update of the day's counter (over it: undone to the
 * savepoint). 0, or the error status (recorded).
 */
static int
grant_one(struct req *r, int64_t campaign, int64_t cap,
    const struct order_paid *e, const char *day)
{
	struct db_res res;
	int rc;

	if (db_exec_simple("SAVEPOINT scratch_grant") == -1)
		return db_fail(r);
	rc = DB(r, &q_sx_insert, NULL, DBI(r->m->id), DBI(campaign),
	    DBI(e->member_id), DBI(e->order_id));
	if (rc == DB_DUP)
		return 0;	/* this order has its chance already */
	if (rc != DB_OK)
		return db_fail(r);
	if (DB(r, &q_sx_day_row, NULL, DBI(campaign), DBI(e->member_id),
	    DBS(day)) != DB_OK ||
	    DB(r, &q_sx_day_bump, &res, DBI(campaign), DBI(e->member_id),
	    DBS(day), DBI(cap)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1 &&
	    db_exec_simple("ROLLBACK TO SAVEPOINT scratch_grant") == -1)
		return db_fail(r);
	return 0;
}

/* A member's order was paid: one chance of every live campaign it
   qualifies for (amount, store, period), within the daily caps. */
static int
scratch_on_paid(struct req *r, const void *arg)
{
	const struct order_paid *e = arg;
	struct db_res res;
	const char *day;
	int i, st;

	if (e->member_id == 0)
		return 0;	/* a walk-in non-member */
	if (DB(r, &q_sx_qualify, &res, DBI(r->m->id), DBI(e->total_fen),
	    DBI(e->store_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	day = wallet_today(r);
	for (i = 0; i < res.nrows && i < SCRATCH_QUALIFY_MAX; i++)
		if ((st = grant_one(r, db_int(&res, i, SQ_ID),
		    db_int(&res, i, SQ_CAP), e, day)) != 0)
			return st;
	return 0;
}
ON_EVENT(EV_ORDER_PAID, 50, scratch_on_paid);

/*
 * Money of an order went back: once the order is refunded in full (its
 * status refunded, set by this transaction), its unscratched chances are
 * void. A partial refund leaves them; a chance scratched before keeps
 * its prize.
 */
static int
scratch_on_refunded(struct req *r, const void *arg)
{
	const struct order_refunded *e = arg;
	struct db_res res;

	if (e->member_id == 0)
		return 0;
	if (DB(r, &q_sx_order_status, &res, DBI(r->m->id), DBI(e->order_id))
	    != DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || strcmp(db_str(&res, 0, SO_STATUS), "refunded"))
		return 0;
	if (DB(r, &q_sx_void, NULL, DBI(r->m->id), DBI(e->order_id)) != DB_OK)
		return db_fail(r);
	return 0;
}
ON_EVENT(EV_ORDER_REFUNDED, 50, scratch_on_refunded);

/* ---- the member's chances ---- */

#define CH_COLS \
    "ch.id, ch.campaign_id, c.name, ch.order_id, ch.status, ch.prize_id," \
    " ch.prize_kind, ch.amount, ch.template_id, ch.coupon_code," \
    " ch.prize_name, ch.face_fen, ch.created_at, ch.scratched_at"
enum { CH_ID, CH_CAMPAIGN, CH_CNAME, CH_ORDER, CH_STATUS, CH_PRIZE,
    CH_KIND, CH_AMOUNT, CH_TEMPLATE, CH_CODE, CH_PNAME, CH_FACE,
    CH_CREATED, CH_SCRATCHED, CH_NCOLS };
DB_SQL_COLS(q_sx_get, CH_NCOLS,
    "SELECT " CH_COLS " FROM scratch_chances ch"
    " JOIN scratch_campaigns c ON c.id = ch.campaign_id"
    " WHERE ch.merchant_id = ? AND ch.id = ? AND ch.member_id = ?"
    " LOCK IN SHARE MODE");
DB_SQL_COLS(q_sx_list, CH_NCOLS,
    "SELECT " CH_COLS " FROM scratch_chances ch"
    " JOIN scratch_campaigns c ON c.id = ch.campaign_id"
    " WHERE ch.merchant_id = ? AND ch.member_id = ? AND ch.id < ?"
    " AND (? = '' OR ch.status = ?) ORDER BY ch.id DESC LIMIT ?");

/*
 * The prize a scratched chance won, as stored: {kind, title, ...} or a
 * JSON null (not scratched, or no prize).
 */
static cJSON *
prize_json(struct req *r, const struct db_res *res, int i)
{
	const char *kind = db_str(res, i, CH_KIND);
	int64_t amount = db_int(res, i, CH_AMOUNT);
	cJSON *p;

	if (kind == NULL)
		return cJSON_CreateNull();
	p = j_obj();
	j_str(p, "kind", kind);
	if (strcmp(kind, "coupon") == 0) {
		j_str(p, "title", db_str(res, i, CH_PNAME));
		j_int(p, "template_id", db_int(res, i, CH_TEMPLATE));
		j_str(p, "coupon_code", db_str(res, i, CH_CODE));
		if (db_isnull(res, i, CH_FACE))
			j_null(p, "value_fen");
		else
			j_int(p, "value_fen", db_int(res, i, CH_FACE));
	} else if (strcmp(kind, "bonus") == 0) {
		j_str(p, "title", arena_printf(r->a, "赠送金 ¥%s",
		    page_yuan(r, amount)));
		j_int(p, "bonus_fen", amount);
	} else {
		j_str(p, "title", arena_printf(r->a, "%lld 积分",
		    (long long)amount));
		j_int(p, "points", amount);
	}
	return p;
}

static cJSON *
chance_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *o = j_obj(), *c = j_obj();

	j_int(o, "id", db_int(res, i, CH_ID));
	j_int(c, "id", db_int(res, i, CH_CAMPAIGN));
	j_str(c, "name", db_str(res, i, CH_CNAME));
	j_add(o, "campaign", c);
	j_int(o, "order_id", db_int(res, i, CH_ORDER));
	j_str(o, "status", db_str(res, i, CH_STATUS));
	j_add(o, "prize", prize_json(r, res, i));
	j_str(o, "created_at", time_rfc3339(r, db_str(res, i, CH_CREATED)));
	if (db_isnull(res, i, CH_SCRATCHED))
		j_null(o, "scratched_at");
	else
		j_str(o, "scratched_at", time_rfc3339(r,
		    db_str(res, i, CH_SCRATCHED)));
	return o;
}

/*
 * The member's scratch chances, newest first. ?status=unscratched|
 * scratched|void (absent: all), ?cursor=, ?limit=. Out: [chance].
 */
static int
scratch_chances_mine(struct req *r)
{
	const char *status = req_query(r, "status");
	int64_t limit, cursor, next;
	struct db_res res;
	cJSON *arr;
	int i, n;

	if (status != NULL && strcmp(status, "unscratched") &&
	    strcmp(status, "scratched") && strcmp(status, "void"))
		return resp_bad_field(r, "status",
		    "应为未刮开、已刮开或已失效之一");
	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_sx_list, &res, DBI(r->m->id), DBI(r->auth.member_id),
	    DBI(cursor ? cursor : INT64_MAX), DBS(status ? status : ""),
	    DBS(status ? status : ""),
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, CH_ID, &next);
	arr = j_arr();
	for (i = 0; i < n; i++)
		j_add(arr, NULL, chance_json(r, &res, i));
	return resp_list(r, arr, next);
}

/* ---- the draw ---- */

DB_SQL(q_sx_claim,
    "UPDATE scratch_chances SET status = 'scratched',"
    " scratched_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND id = ?"
    " AND member_id = ? AND status = 'unscratched'");
enum { SN_CAMPAIGN, SN_NONE, SN_NCOLS };
DB_SQL_COLS(q_sx_none_weight, SN_NCOLS,
    "SELECT ch.campaign_id, c.none_weight FROM scratch_chances ch"
    " JOIN scratch_campaigns c ON c.id = ch.campaign_id"
    " WHERE ch.merchant_id = ? AND ch.id = ?");
enum { SP_ID, SP_KIND, SP_TEMPLATE, SP_AMOUNT, SP_WEIGHT, SP_TNAME,
    SP_TKIND, SP_TVALUE, SP_NCOLS };
DB_SQL_COLS(q_sx_prizes, SP_NCOLS,
    "SELECT p.id, p.kind, p.template_id, p.amount, p.weight, t.name,"
    " t.kind, t.value_fen FROM scratch_prizes p"
    " LEFT JOIN coupon_templates t ON t.id = p.template_id"
    " AND t.merchant_id = ? WHERE p.campaign_id = ? AND p.active = 1"
    " ORDER BY p.position, p.id LIMIT 10");
DB_SQL(q_sx_take,
    "UPDATE scratch_prizes SET stock_left = stock_left - 1"
    " WHERE id = ? AND stock_left > 0");
DB_SQL(q_sx_won,
    "UPDATE scratch_chances SET prize_id = ?, prize_kind = ?, amount = ?,"
    " template_id = ?, coupon_code = ?, prize_name = ?, face_fen = ?"
    " WHERE merchant_id = ? AND id = ?");

/* The store of the order that earned a chance (the coupon it wins is
   issued there, for the analytics). */
enum { SS_STORE, SS_NCOLS };
DB_SQL_COLS(q_sx_store, SS_NCOLS,
    "SELECT o.store_id FROM scratch_chances s JOIN orders o"
    " ON o.id = s.order_id AND o.merchant_id = s.merchant_id"
    " WHERE s.merchant_id = ? AND s.id = ?");

/*
 * Give the prize of row i of the prizes to the member: a coupon through
 * the coupon module (a refusal, such as the template's own stock gone,
 * is *refused), bonus balance with its ledger entry, or points. *code
 * and *face are the coupon's. 0, or the error status (recorded).
 */
static int
give(struct req *r, const struct db_res *p, int i, int64_t chance,
    const char **code, int64_t *face, int *refused)
{
	const char *kind = db_str(p, i, SP_KIND);
	const char *ref = arena_printf(r->a, "scratch:%lld", (long long)chance);
	int64_t member = r->auth.member_id, amount = db_int(p, i, SP_AMOUNT);
	cJSON *coupon, *v;
	int st;

	*code = NULL;
	*face = -1;
	*refused = 0;
	if (strcmp(kind, "bonus") == 0)
		return wallet_move(r, member, 0, amount, "scratch", ref, 0, 0);
	if (strcmp(kind, "points") == 0)
		return points_grant(r, member, amount, "scratch", ref);
	if (db_isnull(p, i, SP_TNAME)) {
		*refused = 1;	/* the template is gone */
		return 0;
	}
	{
		struct db_res so;
		int64_t store = 0;

		if (DB(r, &q_sx_store, &so, DBI(r->m->id), DBI(chance)) !=
		    DB_OK)
			return db_fail(r);
		if (so.nrows == 1 && !db_isnull(&so, 0, SS_STORE))
			store = db_int(&so, 0, SS_STORE);
		st = coupon_grant_at(r, member, db_int(p, i, SP_TEMPLATE),
		    arena_printf(r->a, "scratch:%lld", (long long)chance),
		    store, &coupon);
	}
	if (st >= 500)
		return st;
	if (st != 0) {
		log_info(r, "scratch %lld: coupon of template %lld refused (%s)",
		    (long long)chance, (long long)db_int(p, i, SP_TEMPLATE),
		    r->err_code ? r->err_code : "");
		resp_reset(r);
		*refused = 1;
		return 0;
	}
	v = cJSON_GetObjectItemCaseSensitive(coupon, "code");
	*code = cJSON_IsString(v) ? v->valuestring : NULL;
	if (!db_isnull(p, i, SP_TVALUE) &&
	    strcmp(db_str(p, i, SP_TKIND), "discount") != 0)
		*face = db_int(p, i, SP_TVALUE);
	return 0;
}

struct scratch_tx {
	int64_t		 id;
};

/*
 * db_tx function: take the chance from unscratched to scratched (the
 * conditional update decides who draws: a concurrent scratch of the same
 * chance waits on its row and finds it scratched), draw with the CSPRNG
 * over the prizes' weights and no prize, take the prize's stock (none
 * left: no prize) and grant it, and store what was won on the chance.
 * 200 in every case; the caller reads the stored answer.
 */
static int
scratch_tx(struct req *r, void *arg)
{
	struct scratch_tx *s = arg;
	int64_t weights[SCRATCH_PRIZES_MAX], total, face;
	struct db_res res, prizes;
	const char *code;
	int i, n, pick, refused, st;

	if (DB(r, &q_sx_claim, &res, DBI(r->m->id), DBI(s->id),
	    DBI(r->auth.member_id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 200;	/* not this member's, void, or drawn already */
	/* a member frozen by staff wins nothing (the chance stays) */
	if ((st = member_blocked_check(r, r->auth.member_id)) != 0)
		return st;
	if (DB(r, &q_sx_none_weight, &res, DBI(r->m->id), DBI(s->id)) !=
	    DB_OK ||
	    DB(r, &q_sx_prizes, &prizes, DBI(r->m->id),
	    DBI(db_int(&res, 0, SN_CAMPAIGN))) != DB_OK)
		return db_fail(r);
	n = prizes.nrows < SCRATCH_PRIZES_MAX ? prizes.nrows :
	    SCRATCH_PRIZES_MAX;
	for (i = 0; i < n; i++)
		weights[i] = db_int(&prizes, i, SP_WEIGHT);
	total = scratch_total_weight(weights, n, db_int(&res, 0, SN_NONE));
	if (total <= 0 || total > UINT32_MAX)
		return 200;	/* nothing to win: no prize */
	pick = scratch_pick(weights, n, db_int(&res, 0, SN_NONE),
	    (int64_t)rand_uniform((uint32_t)total));
	if (pick < 0)
		return 200;
	if (db_exec_simple("SAVEPOINT scratch_prize") == -1)
		return db_fail(r);
	if (DB(r, &q_sx_take, &res, DBI(db_int(&prizes, pick, SP_ID))) !=
	    DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 200;	/* the prize's stock is gone: no prize */
	if ((st = give(r, &prizes, pick, s->id, &code, &face, &refused)) != 0)
		return st;
	if (refused) {
		/* the stock taken goes back; no prize */
		if (db_exec_simple("ROLLBACK TO SAVEPOINT scratch_prize") == -1)
			return db_fail(r);
		return 200;
	}
	if (DB(r, &q_sx_won, NULL, DBI(db_int(&prizes, pick, SP_ID)),
	    DBS(db_str(&prizes, pick, SP_KIND)),
	    DBI(db_int(&prizes, pick, SP_AMOUNT)),
	    DBIN(db_int(&prizes, pick, SP_TEMPLATE),
	    !db_isnull(&prizes, pick, SP_TEMPLATE)), DBS(code),
	    DBS(db_str(&prizes, pick, SP_TNAME)), DBIN(face, face >= 0),
	    DBI(r->m->id), DBI(s->id)) != DB_OK)
		return db_fail(r);
	return 200;
}

/*
 * Scratch one of the member's chances. Out: {prize:{kind, title, ...}|
 * null, chance}, the same answer however often it is called. Errors: 404
 * not_found (no such chance of this member), 409 chance_void (the order
 * was refunded in full before the chance was scratched). Writes: the
 * chance, the prize's stock, the coupon, wallet or points ledger.
 */
static int
scratch_scratch(struct req *r)
{
	struct scratch_tx s;
	struct db_res res;
	cJSON *d;
	int st;

	if (req_param_id(r, "id", &s.id) == -1)
		return resp_err(r, 404, "not_found", "刮奖机会不存在", NULL);
	if ((st = db_tx(r, scratch_tx, &s)) >= 400)
		return st;
	if (DB(r, &q_sx_get, &res, DBI(r->m->id), DBI(s.id),
	    DBI(r->auth.member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "刮奖机会不存在", NULL);
	if (strcmp(db_str(&res, 0, CH_STATUS), "void") == 0)
		return resp_err(r, 409, "chance_void",
		    "这笔订单已全额退款，刮奖机会已失效", NULL);
	d = j_obj();
	j_add(d, "prize", prize_json(r, &res, 0));
	j_add(d, "chance", chance_json(r, &res, 0));
	return resp_data(r, 200, d);
}

/* GET /m/{merchant}/scratch: the member's scratch cards (scratch.js). */
static int
page_scratch(struct req *r)
{
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	return resp_html(r, 200, "pages/scratch",
	    page_ctx("刮刮乐", "page-scratch", "scratch.js"));
}

ROUTES(scratch_routes) = {
	{ M_GET, "/api/v1/m/:merchant/me/scratch-chances",
	    scratch_chances_mine, AUTH_MEMBER },
	{ M_POST, "/api/v1/m/:merchant/me/scratch-chances/:id/scratch",
	    scratch_scratch, AUTH_MEMBER | IDEMPOTENT },
	{ M_GET, "/m/:merchant/scratch", page_scratch, AUTH_OPTIONAL | HTML },
	{ 0, NULL, NULL, 0 }
};
