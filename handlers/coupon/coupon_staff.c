/*
 * Coupons for staff: templates (marketing), promo code batches and their
 * CSV export (partners), redemption at the counter (cashiers) and voiding
 * (owners).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "core/core.h"
#include "coupon.h"
#include "db.h"
#include "member/member.h"

#define CODES_MAX	100000
#define CODES_CHUNK	5000	/* codes per INSERT */
#define CODES_ROUNDS	64	/* chunks that may come back short */
#define INT_ANY		1000000000000LL
#define STORES_MAX	100

DB_SQL_COLS(q_st_tpl_get, TC_NCOLS, COUPON_SQL_TPL_GET);
DB_SQL_COLS(q_st_tpl_lock, TC_NCOLS, COUPON_SQL_TPL_GET " FOR UPDATE");
DB_REPORT_COLS(q_st_tpl_list, TC_NCOLS,
    "SELECT " COUPON_TPL_COLS " FROM coupon_templates t"
    " WHERE t.merchant_id = ? AND t.id < ? AND (? = '' OR t.status = ?)"
    " ORDER BY t.id DESC LIMIT ?");
enum { TN_TEMPLATE, TN_CLAIMED, TN_USED, TN_NCOLS };
DB_REPORT_COLS(q_st_tpl_counts, TN_NCOLS,
    "SELECT t.id, t.claimed_count, IFNULL((SELECT SUM(u.used)"
    " FROM coupon_template_used u WHERE u.merchant_id = t.merchant_id"
    " AND u.template_id = t.id), 0) FROM coupon_templates t"
    " WHERE t.merchant_id = ? AND t.id BETWEEN ? AND ?");
DB_SQL(q_st_tpl_insert,
    "INSERT INTO coupon_templates (merchant_id, name, kind, value_fen,"
    " threshold_fen, discount_pct, max_discount_fen, gift_item, stock,"
    " stock_left, per_member_limit, claim_from, claim_until, valid_from,"
    " valid_until, valid_days, valid_next_day, store_ids, stackable,"
    " audience, audience_tiers, listed, status, description, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
DB_SQL(q_st_tpl_update,
    "UPDATE coupon_templates SET name = ?, kind = ?, value_fen = ?,"
    " threshold_fen = ?, discount_pct = ?, max_discount_fen = ?,"
    " gift_item = ?, per_member_limit = ?, claim_from = ?, claim_until = ?,"
    " valid_from = ?, valid_until = ?, valid_days = ?, valid_next_day = ?,"
    " store_ids = ?, stackable = ?, audience = ?, audience_tiers = ?,"
    " listed = ?, status = ?, description = ?, updated_at = ?"
    " WHERE id = ? AND merchant_id = ?");
/* A new limited stock keeps what was issued: never below it. */
DB_SQL(q_st_stock_resize,
    "UPDATE coupon_templates SET stock_left = ? - (stock - stock_left),"
    " stock = ? WHERE id = ? AND merchant_id = ? AND stock IS NOT NULL"
    " AND stock - stock_left <= ?");
DB_SQL(q_st_stock_limit,
    "UPDATE coupon_templates SET stock = ?, stock_left = ? - claimed_count"
    " WHERE id = ? AND merchant_id = ? AND stock IS NULL"
    " AND claimed_count <= ?");
DB_SQL(q_st_stock_unlimit,
    "UPDATE coupon_templates SET stock = NULL, stock_left = NULL"
    " WHERE id = ? AND merchant_id = ?");
/* The one column of the allowed ids: a store id, a tier level. */
enum { AL_ID, AL_NCOLS };
/* a template's store_ids are own stores (partner stores are shared
   through partner_store_ids) */
DB_SQL_COLS(q_st_store_ids, AL_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND kind = 'own'");
DB_SQL_COLS(q_st_tier_levels, AL_NCOLS,
    "SELECT level FROM tiers WHERE merchant_id = ?");
DB_SQL(q_st_batch_insert,
    "INSERT INTO promo_code_batches (merchant_id, template_id, count,"
    " created_by, created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP())");
/* One statement per chunk; codes that clash are skipped and made again. */
DB_SQL(q_st_codes_insert,
    "INSERT IGNORE INTO promo_codes (merchant_id, template_id, batch_id,"
    " code) SELECT ?, ?, ?, j.code FROM JSON_TABLE(?, '$[*]' COLUMNS"
    " (code CHAR(12) PATH '$')) AS j");
enum { BA_ID, BA_COUNT, BA_CREATED, BA_REDEEMED, BA_NCOLS };
DB_REPORT_COLS(q_st_batches, BA_NCOLS,
    "SELECT b.id, b.count, b.created_at, COUNT(p.member_id)"
    " FROM promo_code_batches b LEFT JOIN promo_codes p"
    " ON p.merchant_id = b.merchant_id AND p.template_id = b.template_id"
    " AND p.batch_id = b.id"
    " WHERE b.merchant_id = ? AND b.template_id = ?"
    " GROUP BY b.id, b.count, b.created_at ORDER BY b.id DESC");
enum { CV_CODE, CV_BATCH, CV_PHONE, CV_BOUND, CV_NCOLS };
DB_REPORT_COLS(q_st_codes_csv, CV_NCOLS,
    "SELECT p.code, p.batch_id, mb.phone, p.bound_at"
    " FROM promo_codes p LEFT JOIN members mb ON mb.id = p.member_id"
    " AND mb.merchant_id = p.merchant_id"
    " WHERE p.merchant_id = ? AND p.template_id = ?"
    " AND (? = 0 OR p.batch_id = ?) ORDER BY p.id");
DB_SQL_COLS(q_st_coupon_by_code, CC_NCOLS,
    "SELECT " COUPON_COLS " FROM coupons c"
    " WHERE c.merchant_id = ? AND c.code = ?");
DB_SQL(q_st_redeem,
    "UPDATE coupons SET status = 'used', used_at = ?, used_store_id = ?,"
    " used_staff_id = ?, order_fen = ?, discount_fen = ?"
    " WHERE id = ? AND merchant_id = ? AND status = 'unused'"
    " AND valid_from <= ? AND valid_until >= ?");
DB_SQL(q_st_tpl_used, COUPON_SQL_TPL_USED);
DB_SQL(q_st_use_rollup,
    COUPON_SQL_MOVE_ROLLUP("1", "c.merchant_id = ? AND c.id = ?"));
DB_SQL(q_st_cancel_rollup, COUPON_SQL_CANCEL_ROLLUP);
DB_SQL(q_st_cancel,
    "UPDATE coupons SET status = 'cancelled', cancelled_at = ?,"
    " cancelled_by = ?, cancel_reason = ?"
    " WHERE id = ? AND merchant_id = ? AND status = 'unused'"
    " AND valid_until >= ?");

/*
 * ---- reading a template payload ----
 * The opt_* readers are input helpers like req_json_*: 0, or -1 with 400
 * invalid_field recorded (the caller returns r->status).
 */

static cJSON *
field(struct req *r, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(r->json, name);
}

/* An optional integer: absent keeps *v, null clears it. 0 or -1. */
static int
opt_int(struct req *r, const char *name, int64_t *v)
{
	cJSON *f = field(r, name);

	if (f == NULL)
		return 0;
	if (cJSON_IsNull(f)) {
		*v = COUPON_NONE;
		return 0;
	}
	return req_json_int(r, name, 1, -INT_ANY, INT_ANY, v) == -1 ? -1 : 0;
}

/* An optional time (date or RFC 3339): absent keeps, null clears. */
static int
opt_time(struct req *r, const char *name, int end_of_day, int64_t *v)
{
	cJSON *f = field(r, name);
	const char *s;

	if (f == NULL)
		return 0;
	if (cJSON_IsNull(f)) {
		*v = COUPON_NONE;
		return 0;
	}
	if (req_json_str(r, name, 1, 10, 40, &s) == -1)
		return -1;
	if (time_parse(s, tz_offset(r->m->tz), end_of_day, v) ==
	    -1) {
		resp_bad_field(r, name, "时间应为 YYYY-MM-DD 或 RFC 3339 格式");
		return -1;
	}
	return 0;
}

static int
opt_str(struct req *r, const char *name, size_t min, size_t max,
    const char **v)
{
	cJSON *f = field(r, name);

	if (f == NULL)
		return 0;
	if (cJSON_IsNull(f)) {
		*v = NULL;
		return 0;
	}
	return req_json_str(r, name, 1, min, max, v) == -1 ? -1 : 0;
}

static int
opt_bool(struct req *r, const char *name, int *v)
{
	if (field(r, name) == NULL)
		return 0;
	return req_json_bool(r, name, 1, v) == -1 ? -1 : 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* "[1,2,3]" from sorted, distinct ids. */
static char *
id_list_json(struct req *r, const int64_t *ids, int n)
{
	struct sbuf s;
	int i;

	sbuf_init(&s, r->a, 16 + (size_t)n * 8);
	sbuf_putc(&s, '[');
	for (i = 0; i < n; i++)
		sbuf_printf(&s, "%s%lld", i ? "," : "", (long long)ids[i]);
	sbuf_putc(&s, ']');
	return (char *)sbuf_str(&s);
}

/*
 * Integers of a JSON array field, each one of the allowed values, sorted
 * and distinct, into out and their count into *n: 0, or 400 invalid_field
 * (recorded).
 */
static int
id_array(struct req *r, const char *name, cJSON *a, const int64_t *allowed,
    int nallowed, int64_t *out, int max, const char *unknown, int *n)
{
	cJSON *it;
	int i, k;

	*n = 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > max)
		return resp_bad_field(r, name, arena_printf(r->a,
		    "应为 \"all\" 或 1 到 %d 个编号的数组", max));
	for (it = a->child; it != NULL; it = it->next) {
		double d = it->valuedouble;
		int64_t v = (int64_t)d;
		int ok = 0;

		if (!cJSON_IsNumber(it) || d != (double)v)
			return resp_bad_field(r, name, "应为整数编号");
		for (k = 0; k < nallowed; k++)
			if (allowed[k] == v)
				ok = 1;
		if (!ok)
			return resp_bad_field(r, name, arena_printf(r->a,
			    "%s: %lld", unknown, (long long)v));
		out[(*n)++] = v;
	}
	qsort(out, (size_t)*n, sizeof(*out), cmp_i64);
	for (i = 1, k = 1; i < *n; i++)
		if (out[i] != out[k - 1])
			out[k++] = out[i];
	if (*n > 0)
		*n = k;
	return 0;
}

/*
 * The merchant's store ids or tier levels into *out, their count into *n:
 * 0, or the error status (recorded).
 */
static int
allowed_ids(struct req *r, struct db_sql *q, int64_t **out, int *n)
{
	struct db_res res;
	int i;

	if (DB(r, q, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	*out = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(int64_t));
	for (i = 0; i < res.nrows; i++)
		(*out)[i] = db_int(&res, i, AL_ID);
	*n = res.nrows;
	return 0;
}

/* The payload's store_ids over w: 0, or the error status (recorded). */
static int
parse_stores(struct req *r, struct coupon_tpl_row *w)
{
	cJSON *f = field(r, "store_ids");
	int64_t *allowed, ids[STORES_MAX];
	int na, n, st;

	if (f == NULL)
		return 0;
	if (cJSON_IsNull(f) || (cJSON_IsString(f) &&
	    strcmp(f->valuestring, "all") == 0)) {
		w->store_ids = NULL;
		return 0;
	}
	if ((st = allowed_ids(r, &q_st_store_ids, &allowed, &na)) != 0)
		return st;
	if ((st = id_array(r, "store_ids", f, allowed, na, ids, STORES_MAX,
	    "门店不存在", &n)) != 0)
		return st;
	w->store_ids = id_list_json(r, ids, n);
	return 0;
}

/* The payload's audience over t: 0, or the error status (recorded). */
static int
parse_audience(struct req *r, struct coupon_tpl *t)
{
	cJSON *f = field(r, "audience"), *tiers;
	int64_t *allowed, lv[COUPON_MAX_TIERS];
	int na, n, i, st;

	if (f == NULL)
		return 0;
	if (cJSON_IsNull(f) || (cJSON_IsString(f) &&
	    strcmp(f->valuestring, "all") == 0)) {
		t->audience = AUD_ALL;
		t->ntiers = 0;
		return 0;
	}
	if (cJSON_IsString(f) && strcmp(f->valuestring, "new_members") == 0) {
		t->audience = AUD_NEW_MEMBERS;
		t->ntiers = 0;
		return 0;
	}
	tiers = cJSON_IsObject(f) ?
	    cJSON_GetObjectItemCaseSensitive(f, "tiers") : NULL;
	if (tiers == NULL)
		return resp_bad_field(r, "audience",
		    "应为 \"all\"、\"new_members\" 或 {\"tiers\":[等级]}");
	if ((st = allowed_ids(r, &q_st_tier_levels, &allowed, &na)) != 0)
		return st;
	if ((st = id_array(r, "audience", tiers, allowed, na, lv,
	    COUPON_MAX_TIERS, "会员等级不存在", &n)) != 0)
		return st;
	t->audience = AUD_TIERS;
	t->ntiers = n;
	for (i = 0; i < n; i++)
		t->tiers[i] = (int)lv[i];
	return 0;
}

/*
 * Apply the request's fields over w (a new template: the defaults; a
 * change: the stored one). creating makes name, kind, stock and
 * per_member_limit required. 0, or the error status (recorded: 400
 * invalid_field, or a database failure).
 */
static int
tpl_apply(struct req *r, struct coupon_tpl_row *w, int creating)
{
	struct coupon_tpl *t = &w->t;
	const char *kind = NULL, *status = NULL;
	int st;

	if (creating) {
		if (req_json_str(r, "name", 1, 1, 32, &w->name) == -1 ||
		    req_json_str(r, "kind", 1, 1, 16, &kind) == -1)
			return r->status;
		if (field(r, "stock") == NULL)
			return resp_bad_field(r, "stock",
			    "缺少必填项（不限量填 null）");
		if (field(r, "per_member_limit") == NULL)
			return resp_bad_field(r, "per_member_limit",
			    "缺少必填项");
	} else if ((field(r, "name") != NULL &&
	    req_json_str(r, "name", 1, 1, 32, &w->name) == -1) ||
	    (field(r, "kind") != NULL &&
	    req_json_str(r, "kind", 1, 1, 16, &kind) == -1))
		return r->status;
	if (kind != NULL && (t->kind = coupon_kind_from(kind)) == -1)
		return resp_bad_field(r, "kind", "应为 threshold、discount、"
		    "instant、gift 或 promo_code");
	if (opt_int(r, "value_fen", &t->value_fen) == -1 ||
	    opt_int(r, "threshold_fen", &t->threshold_fen) == -1 ||
	    opt_int(r, "discount_pct", &t->discount_pct) == -1 ||
	    opt_int(r, "max_discount_fen", &t->max_discount_fen) == -1 ||
	    opt_str(r, "gift_item", 1, 32, &t->gift_item) == -1 ||
	    opt_int(r, "stock", &t->stock) == -1 ||
	    opt_int(r, "per_member_limit", &t->per_member_limit) == -1 ||
	    opt_time(r, "claim_from", 0, &t->claim_from) == -1 ||
	    opt_time(r, "claim_until", 1, &t->claim_until) == -1 ||
	    opt_time(r, "valid_from", 0, &t->valid_from) == -1 ||
	    opt_time(r, "valid_until", 1, &t->valid_until) == -1 ||
	    opt_int(r, "valid_days", &t->valid_days) == -1 ||
	    opt_bool(r, "valid_next_day", &t->valid_next_day) == -1 ||
	    opt_bool(r, "stackable", &w->stackable) == -1 ||
	    opt_bool(r, "listed", &w->listed) == -1 ||
	    opt_str(r, "description", 0, 500, &w->description) == -1 ||
	    (field(r, "status") != NULL &&
	    req_json_str(r, "status", 1, 1, 16, &status) == -1))
		return r->status;
	if (status != NULL && (t->status = coupon_tpl_status_from(status)) ==
	    -1)
		return resp_bad_field(r, "status",
		    "应为 draft、active、paused 或 ended");
	if ((st = parse_stores(r, w)) != 0 || (st = parse_audience(r, t)) != 0)
		return st;
	return 0;
}

/* The template rules over w: 0, or 400 invalid_field (recorded). */
static int
tpl_validate(struct req *r, const struct coupon_tpl_row *w, int64_t now)
{
	const char *f, *msg;

	if (coupon_tpl_validate(&w->t, now, &f, &msg) == -1)
		return resp_bad_field(r, f, msg);
	return 0;
}

/* Buffers for the times both INSERT and UPDATE bind. */
struct tpl_cols {
	char	 claim_from[20], claim_until[20], valid_from[20];
	char	 valid_until[20], now[20];
};

static struct db_val
time_val(int64_t ts, char buf[20])
{
	if (ts == COUPON_NONE)
		return DBNULL;
	time_sql(ts, buf);
	return DBS(buf);
}

static struct db_val
opt_val(int64_t v)
{
	return DBIN(v, v != COUPON_NONE);
}

static const char *
audience_name(int a)
{
	return a == AUD_NEW_MEMBERS ? "new_members" : a == AUD_TIERS ?
	    "tiers" : "all";
}

static const char *
tiers_json(struct req *r, const struct coupon_tpl *t)
{
	int64_t lv[COUPON_MAX_TIERS];
	int i;

	if (t->audience != AUD_TIERS)
		return NULL;
	for (i = 0; i < t->ntiers; i++)
		lv[i] = t->tiers[i];
	return id_list_json(r, lv, t->ntiers);
}

/*
 * Counts of issued and used coupons of one template: 0, or the error
 * status (recorded).
 */
static int
tpl_counts(struct req *r, int64_t id, int64_t *claimed, int64_t *used)
{
	struct db_res res;

	*claimed = *used = 0;
	if (DB(r, &q_st_tpl_counts, &res, DBI(r->m->id), DBI(id), DBI(id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 1) {
		*claimed = db_int(&res, 0, TN_CLAIMED);
		*used = db_int(&res, 0, TN_USED);
	}
	return 0;
}

/*
 * The stored template with its counts, partner stores and use per store
 * as JSON into *out: 0, or the error status (recorded).
 */
static int
tpl_reload(struct req *r, int64_t id, cJSON **out)
{
	struct coupon_tpl_row w;
	struct db_res res;
	int64_t claimed, used;
	int st;

	if (DB(r, &q_st_tpl_get, &res, DBI(r->m->id), DBI(id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	if ((st = tpl_counts(r, id, &claimed, &used)) != 0)
		return st;
	coupon_tpl_from_row(&res, 0, &w);
	*out = coupon_tpl_staff_json(r, &w, claimed, used);
	return coupon_partner_stats(r, id, *out);
}

/* ---- templates ---- */

struct tpl_ctx {
	int64_t		 id;
	cJSON		*out;
};

static int
tpl_create_tx(struct req *r, void *arg)
{
	struct tpl_ctx *c = arg;
	struct coupon_tpl_row w;
	struct coupon_tpl *t = &w.t;
	struct tpl_cols v;
	struct db_res res;
	int64_t now = time_now();
	int st;

	memset(&w, 0, sizeof(w));
	coupon_tpl_init(t);
	w.listed = 1;
	if ((st = tpl_apply(r, &w, 1)) != 0 ||
	    (st = tpl_validate(r, &w, now)) != 0)
		return st;
	time_sql(now, v.now);
	if (DB(r, &q_st_tpl_insert, &res, DBI(r->m->id), DBS(w.name),
	    DBS(coupon_kind_name(t->kind)), opt_val(t->value_fen),
	    opt_val(t->threshold_fen), opt_val(t->discount_pct),
	    opt_val(t->max_discount_fen), DBS(t->gift_item), opt_val(t->stock),
	    opt_val(t->stock), DBI(t->per_member_limit),
	    time_val(t->claim_from, v.claim_from),
	    time_val(t->claim_until, v.claim_until),
	    time_val(t->valid_from, v.valid_from),
	    time_val(t->valid_until, v.valid_until), opt_val(t->valid_days),
	    DBI(t->valid_next_day), DBS(w.store_ids), DBI(w.stackable),
	    DBS(audience_name(t->audience)), DBS(tiers_json(r, t)),
	    DBI(w.listed), DBS(coupon_tpl_status_name(t->status)),
	    DBS(w.description), DBS(v.now), DBS(v.now)) != DB_OK)
		return db_fail(r);
	c->id = (int64_t)res.insert_id;
	if ((st = audit_log(r, "coupon_template.create", arena_printf(r->a,
	    "coupon_template:%lld", (long long)c->id), w.name, 0)) != 0)
		return st;
	if ((st = tpl_reload(r, c->id, &c->out)) != 0)
		return st;
	return 201;
}

/*
 * Create a coupon template.
 * In: the coupon template payload (api.md), plus listed? (shown and
 * claimable in the coupon centre, default true); status defaults to
 * draft. Times: "YYYY-MM-DD" (merchant's day; *_until: its last second)
 * or RFC 3339. Out: 201 template with id, stock_left, claimed, used.
 * Errors: invalid_field. Writes: coupon_templates, audit_log.
 */
static int
tpl_create(struct req *r)
{
	struct tpl_ctx c = { 0, NULL };
	int st;

	if (req_json_body(r) == -1)
		return r->status;
	st = db_tx(r, tpl_create_tx, &c);
	return st >= 400 ? st : resp_data(r, 201, c.out);
}

/* The path's :id into *id: 0, or 404 not_found (recorded). */
static int
path_id(struct req *r, int64_t *id)
{
	const char *s = req_param(r, "id");
	char *end;
	long long v;

	if (s == NULL || *s < '1' || *s > '9' ||
	    (v = strtoll(s, &end, 10)) <= 0 || *end != '\0')
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	*id = v;
	return 0;
}

/*
 * A new stock for the template old (never below what was issued): 0, or
 * the error status (recorded).
 */
static int
stock_change(struct req *r, const struct coupon_tpl_row *old,
    int64_t stock)
{
	struct db_res res;
	int64_t id = old->id, m = r->m->id;

	if (stock == old->t.stock)
		return 0;
	if (stock == COUPON_NONE) {
		if (DB(r, &q_st_stock_unlimit, NULL, DBI(id), DBI(m)) != DB_OK)
			return db_fail(r);
		return 0;
	}
	if (old->t.stock != COUPON_NONE) {
		if (DB(r, &q_st_stock_resize, &res, DBI(stock), DBI(stock),
		    DBI(id), DBI(m), DBI(stock)) != DB_OK)
			return db_fail(r);
	} else if (DB(r, &q_st_stock_limit, &res, DBI(stock), DBI(stock),
	    DBI(id), DBI(m), DBI(stock)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_bad_field(r, "stock", "库存不能少于已发放的数量");
	return 0;
}

static int
tpl_update_tx(struct req *r, void *arg)
{
	struct tpl_ctx *c = arg;
	struct coupon_tpl_row old, w;
	struct coupon_tpl *t = &w.t;
	struct tpl_cols v;
	struct db_res res;
	int64_t now = time_now();
	int touches_validity, st;

	if (DB(r, &q_st_tpl_lock, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	coupon_tpl_from_row(&res, 0, &old);
	w = old;
	touches_validity = field(r, "valid_from") || field(r, "valid_until") ||
	    field(r, "valid_days");
	if ((st = tpl_apply(r, &w, 0)) != 0 ||
	    (st = tpl_validate(r, &w, touches_validity ? now : 0)) != 0)
		return st;
	if ((st = stock_change(r, &old, t->stock)) != 0)
		return st;
	time_sql(now, v.now);
	if (DB(r, &q_st_tpl_update, NULL, DBS(w.name),
	    DBS(coupon_kind_name(t->kind)), opt_val(t->value_fen),
	    opt_val(t->threshold_fen), opt_val(t->discount_pct),
	    opt_val(t->max_discount_fen), DBS(t->gift_item),
	    DBI(t->per_member_limit), time_val(t->claim_from, v.claim_from),
	    time_val(t->claim_until, v.claim_until),
	    time_val(t->valid_from, v.valid_from),
	    time_val(t->valid_until, v.valid_until), opt_val(t->valid_days),
	    DBI(t->valid_next_day), DBS(w.store_ids), DBI(w.stackable),
	    DBS(audience_name(t->audience)), DBS(tiers_json(r, t)),
	    DBI(w.listed), DBS(coupon_tpl_status_name(t->status)),
	    DBS(w.description), DBS(v.now), DBI(c->id), DBI(r->m->id)) !=
	    DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "coupon_template.update", arena_printf(r->a,
	    "coupon_template:%lld", (long long)c->id), r->body, 0)) != 0)
		return st;
	if ((st = tpl_reload(r, c->id, &c->out)) != 0)
		return st;
	return 200;
}

/*
 * Change a template: the fields given replace the stored ones (null
 * clears an optional one), and the whole is validated again. Coupons
 * already issued keep the rules they were issued under. A new stock is
 * never below what was issued.
 * In: any fields of the payload. Out: the template. Errors: not_found,
 * invalid_field. Writes: coupon_templates, audit_log.
 */
static int
tpl_update(struct req *r)
{
	struct tpl_ctx c = { 0, NULL };
	int st;

	if ((st = path_id(r, &c.id)) != 0)
		return st;
	if (req_json_body(r) == -1)
		return r->status;
	st = db_tx(r, tpl_update_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

/*
 * Out: the template with its counts, the partner stores it is shared
 * with and its coupons used per store (coupon_partner_stats). Errors:
 * not_found.
 */
static int
tpl_get(struct req *r)
{
	struct coupon_tpl_row w;
	struct db_res res;
	int64_t id, claimed, used;
	cJSON *o;
	int st;

	if ((st = path_id(r, &id)) != 0)
		return st;
	if (DB(r, &q_st_tpl_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	if ((st = tpl_counts(r, id, &claimed, &used)) != 0)
		return st;
	coupon_tpl_from_row(&res, 0, &w);
	o = coupon_tpl_staff_json(r, &w, claimed, used);
	if ((st = coupon_partner_stats(r, id, o)) != 0)
		return st;
	return resp_data(r, 200, o);
}

/*
 * The merchant's templates, newest first.
 * In: ?status=draft|active|paused|ended, ?cursor, ?limit. Out: list of
 * templates with their counts and partner_store_ids. Errors:
 * invalid_field.
 */
static int
tpl_list(struct req *r)
{
	const char *status = req_query(r, "status");
	struct coupon_tpl_row w;
	struct db_res res, cr;
	int64_t limit, cursor, next;
	cJSON *arr;
	int i, k, n, st;

	if (status == NULL)
		status = "";
	if (*status != '\0' && coupon_tpl_status_from(status) == -1)
		return resp_bad_field(r, "status",
		    "应为 draft、active、paused 或 ended");
	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_st_tpl_list, &res, DBI(r->m->id),
	    DBI(cursor > 0 ? cursor : INT64_MAX), DBS(status), DBS(status),
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, TC_ID, &next);
	memset(&cr, 0, sizeof(cr));
	if (n > 0 && DB(r, &q_st_tpl_counts, &cr, DBI(r->m->id),
	    DBI(db_int(&res, n - 1, TC_ID)), DBI(db_int(&res, 0, TC_ID))) !=
	    DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < n; i++) {
		int64_t claimed = 0, used = 0;

		coupon_tpl_from_row(&res, i, &w);
		for (k = 0; k < cr.nrows; k++)
			if (db_int(&cr, k, TN_TEMPLATE) == w.id) {
				claimed = db_int(&cr, k, TN_CLAIMED);
				used = db_int(&cr, k, TN_USED);
			}
		j_add(arr, NULL, coupon_tpl_staff_json(r, &w, claimed, used));
	}
	if (n > 0 && (st = coupon_partner_list(r, arr, db_int(&res, n - 1,
	    TC_ID), db_int(&res, 0, TC_ID))) != 0)
		return st;
	return resp_list(r, arr, next);
}

/* ---- promo code batches ---- */

struct batch {
	int64_t		 tpl, count, id;
};

static int
batch_tx(struct req *r, void *arg)
{
	struct batch *b = arg;
	char code[COUPON_CODE_LEN + 1];
	struct db_res res;
	struct sbuf s;
	int64_t left = b->count, n, i;
	int rounds = 0, st;

	if (DB(r, &q_st_tpl_lock, &res, DBI(r->m->id), DBI(b->tpl)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	if (strcmp(db_str(&res, 0, TC_KIND), "promo_code") != 0)
		return resp_err(r, 409, "conflict",
		    "只有优惠码类型的券可以生成兑换码", NULL);
	if (DB(r, &q_st_batch_insert, &res, DBI(r->m->id), DBI(b->tpl),
	    DBI(b->count), DBI(r->auth.staff_id)) != DB_OK)
		return db_fail(r);
	b->id = (int64_t)res.insert_id;
	sbuf_init(&s, r->a, CODES_CHUNK * (COUPON_CODE_LEN + 3) + 8);
	while (left > 0) {
		if (++rounds > CODES_ROUNDS + b->count / CODES_CHUNK) {
			log_err(r, "promo codes: too many clashes");
			return resp_internal(r);
		}
		n = left < CODES_CHUNK ? left : CODES_CHUNK;
		s.len = 0;
		sbuf_putc(&s, '[');
		for (i = 0; i < n; i++) {
			coupon_code_make(code, rand_uniform);
			sbuf_printf(&s, "%s\"%s\"", i ? "," : "", code);
		}
		sbuf_putc(&s, ']');
		if (DB(r, &q_st_codes_insert, &res, DBI(r->m->id),
		    DBI(b->tpl), DBI(b->id), DBB(s.buf, s.len)) != DB_OK)
			return db_fail(r);
		left -= (int64_t)res.affected;
	}
	if ((st = audit_log(r, "coupon_template.codes", arena_printf(r->a,
	    "coupon_template:%lld", (long long)b->tpl), arena_printf(r->a,
	    "{\"batch_id\":%lld,\"count\":%lld}", (long long)b->id,
	    (long long)b->count), 0)) != 0)
		return st;
	return 201;
}

/*
 * Generate a batch of promo codes for a promo_code template (partner
 * distribution), all in one transaction.
 * In: {count 1..100000}. Out: 201 {batch_id, count}. Errors:
 * invalid_field, not_found, conflict (not a promo_code template).
 * Writes: promo_code_batches, promo_codes, audit_log.
 */
static int
codes_create(struct req *r)
{
	struct batch b = { 0, 0, 0 };
	cJSON *d;
	int st;

	if ((st = path_id(r, &b.tpl)) != 0)
		return st;
	if (req_json_body(r) == -1 ||
	    req_json_int(r, "count", 1, 1, CODES_MAX, &b.count) == -1)
		return r->status;
	st = db_tx(r, batch_tx, &b);
	if (st >= 400)
		return st;
	d = j_obj();
	j_int(d, "batch_id", b.id);
	j_int(d, "count", b.count);
	return resp_data(r, 201, d);
}

/*
 * The template's promo code batches, newest first.
 * Out: [{batch_id, count, redeemed, created_at, csv_url}].
 */
static int
codes_batches(struct req *r)
{
	struct db_res res;
	int64_t id;
	cJSON *arr;
	int i, st;

	if ((st = path_id(r, &id)) != 0)
		return st;
	if (DB(r, &q_st_tpl_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	if (DB(r, &q_st_batches, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_int(o, "batch_id", db_int(&res, i, BA_ID));
		j_int(o, "count", db_int(&res, i, BA_COUNT));
		j_int(o, "redeemed", db_int(&res, i, BA_REDEEMED));
		j_str(o, "created_at", time_rfc3339(r, db_str(&res, i,
		    BA_CREATED)));
		j_str(o, "csv_url", arena_printf(r->a, "/api/v1/m/%s/staff/"
		    "coupon-templates/%lld/codes.csv?batch_id=%lld",
		    r->m->code, (long long)id,
		    (long long)db_int(&res, i, BA_ID)));
		j_add(arr, NULL, o);
	}
	return resp_list(r, arr, 0);
}

/*
 * Export the template's promo codes as CSV (UTF-8 with a BOM so that
 * Excel reads it): code, batch, status, the member who redeemed it
 * (masked phone), when. In: ?batch_id= for one batch. Errors: not_found.
 */
static int
codes_csv(struct req *r)
{
	struct db_res res;
	int64_t id, batch = 0;
	struct sbuf s;
	int i, st;

	if ((st = path_id(r, &id)) != 0)
		return st;
	if (req_query_int(r, "batch_id", 0, 1, INT64_MAX, &batch) == -1)
		return r->status;
	if (DB(r, &q_st_tpl_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	if (DB(r, &q_st_codes_csv, &res, DBI(r->m->id), DBI(id), DBI(batch),
	    DBI(batch)) != DB_OK)
		return db_fail(r);
	sbuf_init(&s, r->a, 64 + (size_t)res.nrows * 64);
	sbuf_puts(&s, "\xEF\xBB\xBF优惠码,批次,状态,会员手机号,兑换时间\r\n");
	for (i = 0; i < res.nrows; i++) {
		char masked[16] = "";
		const char *at = "";

		if (!db_isnull(&res, i, CV_PHONE))
			phone_mask(db_str(&res, i, CV_PHONE), masked,
			    sizeof(masked));
		if (!db_isnull(&res, i, CV_BOUND)) {
			char *t = arena_strdup(r->a,
			    time_rfc3339(r, db_str(&res, i, CV_BOUND)));

			t[10] = ' ';
			t[19] = '\0';
			at = t;
		}
		sbuf_printf(&s, "%s,%lld,%s,%s,%s\r\n",
		    db_str(&res, i, CV_CODE),
		    (long long)db_int(&res, i, CV_BATCH),
		    db_isnull(&res, i, CV_BOUND) ? "未兑换" : "已兑换", masked,
		    at);
	}
	resp_header(r, "Content-Disposition", arena_printf(r->a,
	    "attachment; filename=\"promo-codes-%lld%s.csv\"", (long long)id,
	    batch ? arena_printf(r->a, "-%lld", (long long)batch) : ""));
	return resp_raw(r, 200, "text/csv; charset=utf-8", s.buf, s.len);
}

/* ---- redemption and voiding ---- */

/*
 * The coupon row of the path's or body's code into res, *found 0 when
 * there is none: 0, or the error status (recorded).
 */
static int
coupon_load(struct req *r, const char *in, struct db_res *res, int *found)
{
	char code[COUPON_CODE_LEN + 1];

	*found = 0;
	if (coupon_code_normalize(in, code) == -1)
		return 0;
	if (DB(r, &q_st_coupon_by_code, res, DBI(r->m->id), DBS(code)) !=
	    DB_OK)
		return db_fail(r);
	*found = res->nrows == 1;
	return 0;
}

/* A redemption check result as the contract's error. */
static const struct {
	int		 rd, status;
	const char	*code, *message, *field;
} redeem_errors[] = {
	{ RD_ALREADY_USED, 409, "already_used", "该优惠券已核销", NULL },
	{ RD_CANCELLED, 409, "cancelled", "该优惠券已作废", NULL },
	{ RD_NOT_STARTED, 409, "not_started", "该优惠券尚未生效", NULL },
	{ RD_EXPIRED, 409, "expired", "该优惠券已过期", NULL },
	{ RD_WRONG_STORE, 403, "not_eligible", "该优惠券不适用于本门店",
	  "store_id" },
	{ RD_THRESHOLD_NOT_MET, 409, "threshold_not_met",
	  "订单金额未达到使用门槛", "order_fen" },
};

static int
redeem_error_index(int rd)
{
	int i;

	for (i = 0; i < (int)(sizeof(redeem_errors) /
	    sizeof(redeem_errors[0])); i++)
		if (redeem_errors[i].rd == rd)
			return i;
	return -1;
}

static int
redeem_error(struct req *r, int rd)
{
	int i = redeem_error_index(rd);

	if (rd == RD_NEED_ORDER)
		return resp_bad_field(r, "order_fen", "请填写订单金额");
	if (i < 0)
		return resp_internal(r);
	return resp_err(r, redeem_errors[i].status, redeem_errors[i].code,
	    redeem_errors[i].message, redeem_errors[i].field);
}

/*
 * A partner sees only coupons of templates shared with its store: *found
 * cleared for any other, so that it reads like no coupon at all. *shared
 * set when the partner may redeem it there (the template's own store
 * list then does not apply). 0, or the error status (recorded).
 */
static int
partner_scope(struct req *r, const struct db_res *res, int64_t store_id,
    int *found, int *shared)
{
	int st;

	*shared = 0;
	if (!*found || strcmp(r->auth.role, "partner") != 0)
		return 0;
	if ((st = coupon_partner_shared(r, db_int(res, 0, CC_TEMPLATE),
	    store_id, shared)) != 0)
		return st;
	*found = *shared;
	return 0;
}

static int
coupon_not_found(struct req *r, const char *field)
{
	if (strcmp(r->auth.role, "partner") == 0)
		return resp_err(r, 404, "not_found",
		    "未找到可在本店核销的优惠券，请核对券码", field);
	return resp_err(r, 404, "not_found", "优惠券不存在", field);
}

/*
 * Checks and discount of row 0 at a store for an order (-1: none); a
 * shared template's coupon at the partner's store is not held to the
 * template's store list.
 */
static int
redeem_check(struct req *r, const struct db_res *res, int64_t store_id,
    int64_t order, int64_t now, int shared, int64_t *discount)
{
	struct coupon_terms k;
	int64_t from = 0, until = 0;
	int rd;

	time_sql_parse(db_str(res, 0, CC_VALID_FROM), &from);
	time_sql_parse(db_str(res, 0, CC_VALID_UNTIL), &until);
	rd = coupon_redeem_check(db_str(res, 0, CC_STATUS), from, until,
	    shared ? NULL : db_str(res, 0, CC_STORES), store_id, now);
	if (rd != RD_OK)
		return rd;
	coupon_terms_from_row(res, 0, &k);
	return coupon_discount(&k, order, discount);
}

struct redeem {
	const char	*code;
	int64_t		 store_id, order;
	cJSON		*out;
};

static int
redeem_tx(struct req *r, void *arg)
{
	struct redeem *c = arg;
	char now_s[20];
	struct db_res res;
	int64_t now = time_now(), discount = 0;
	cJSON *d, *o;
	int found, shared, rc, st;

	if ((st = coupon_load(r, c->code, &res, &found)) != 0 ||
	    (st = partner_scope(r, &res, c->store_id, &found, &shared)) != 0)
		return st;
	if (!found)
		return coupon_not_found(r, "coupon_code");
	if ((rc = redeem_check(r, &res, c->store_id, c->order, now, shared,
	    &discount)) != RD_OK)
		return redeem_error(r, rc);
	time_sql(now, now_s);
	{
		struct db_res up;

		if (DB(r, &q_st_redeem, &up, DBS(now_s), DBI(c->store_id),
		    DBI(r->auth.staff_id), DBIN(c->order, c->order >= 0),
		    DBI(discount), DBI(db_int(&res, 0, CC_ID)), DBI(r->m->id),
		    DBS(now_s), DBS(now_s)) != DB_OK)
			return db_fail(r);
		/* someone else redeemed or voided it since it was read */
		if (up.affected != 1)
			return redeem_error(r, RD_ALREADY_USED);
		/* counted on the template and in the coupon rollups, as a
		   use in an order is */
		if (DB(r, &q_st_tpl_used, NULL, DBI(r->m->id), DBI(r->m->id),
		    DBS(db_str(&res, 0, CC_CODE))) != DB_OK ||
		    DB(r, &q_st_use_rollup, NULL, DBI(tz_offset(r->m->tz)),
		    DBI(r->m->id), DBI(db_int(&res, 0, CC_ID))) != DB_OK)
			return db_fail(r);
	}
	if ((st = audit_log(r, "coupon.redeem", arena_printf(r->a, "coupon:%s",
	    db_str(&res, 0, CC_CODE)), arena_printf(r->a,
	    "{\"order_fen\":%lld,\"discount_fen\":%lld}",
	    (long long)(c->order >= 0 ? c->order : 0), (long long)discount),
	    c->store_id)) != 0)
		return st;
	o = j_obj();
	j_str(o, "coupon_code", db_str(&res, 0, CC_CODE));
	j_str(o, "name", db_str(&res, 0, CC_NAME));
	j_str(o, "kind", db_str(&res, 0, CC_KIND));
	j_str(o, "gift_item", db_str(&res, 0, CC_GIFT));
	j_int(o, "member_id", db_int(&res, 0, CC_MEMBER));
	j_int(o, "discount_fen", discount);
	if (c->order >= 0) {
		j_int(o, "order_fen", c->order);
		j_int(o, "payable_fen", c->order - discount);
	} else {
		j_null(o, "order_fen");
		j_null(o, "payable_fen");
	}
	j_int(o, "store_id", c->store_id);
	j_str(o, "redeemed_at", time_rfc3339_t(r, now));
	d = j_obj();
	j_add(d, "redemption", o);
	c->out = d;
	return 200;
}

/*
 * Redeem (核销) one coupon at a store: status, validity, store scope and
 * threshold are checked, then one conditional update from unused to used
 * records the store, cashier, order amount and discount.
 * In: {coupon_code, store_id, order_fen? (not needed for gift coupons)}.
 * Out: {redemption: {coupon_code, name, kind, gift_item, member_id,
 * discount_fen, order_fen, payable_fen, store_id, redeemed_at}}.
 * A partner redeems at its partner store only the coupons of templates
 * shared with it; any other code reads as not found.
 * Errors: invalid_field, forbidden (not the cashier's store), not_found,
 * already_used, cancelled, not_started, expired, not_eligible (store),
 * threshold_not_met. Writes: coupons, audit_log.
 */
static int
coupon_redeem(struct req *r)
{
	struct redeem c = { NULL, 0, -1, NULL };
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "coupon_code", 1, 1, 32, &c.code) == -1 ||
	    req_json_int(r, "store_id", 1, 1, INT64_MAX, &c.store_id) == -1 ||
	    req_json_int(r, "order_fen", 0, 0, 100000000000LL, &c.order) ==
	    -1)
		return r->status;
	if ((st = staff_store_check(r, c.store_id)) != 0)
		return st;
	st = db_tx(r, redeem_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

/*
 * Look a coupon up at the counter before redeeming it.
 * In: ?store_id= (checked like a redemption), ?order_fen=. Out: {coupon,
 * member, check:{ok, code|null, message|null, discount_fen|null,
 * payable_fen|null}}. Errors: not_found, invalid_field, forbidden.
 */
static int
coupon_lookup(struct req *r)
{
	struct db_res res;
	int64_t store_id = 0, order = -1, discount = 0;
	cJSON *d, *chk;
	int found, shared, rc, st;

	if (req_query_int(r, "store_id", 1, 1, INT64_MAX, &store_id) == -1 ||
	    req_query_int(r, "order_fen", 0, 0, 100000000000LL, &order) == -1)
		return r->status;
	if ((st = staff_store_check(r, store_id)) != 0)
		return st;
	if ((st = coupon_load(r, req_param(r, "code"), &res, &found)) != 0 ||
	    (st = partner_scope(r, &res, store_id, &found, &shared)) != 0)
		return st;
	if (!found)
		return coupon_not_found(r, NULL);
	d = j_obj();
	j_add(d, "coupon", coupon_json(r, &res, 0));
	/* a partner store is told nothing of the merchant's member */
	if (shared)
		j_null(d, "member");
	else
		j_add(d, "member", member_get_json(r, db_int(&res, 0,
		    CC_MEMBER), NULL));
	chk = j_obj();
	rc = redeem_check(r, &res, store_id, order, time_now(), shared,
	    &discount);
	if (rc == RD_OK || rc == RD_NEED_ORDER) {
		j_bool(chk, "ok", 1);
		j_null(chk, "code");
		j_null(chk, "message");
	} else {
		int i = redeem_error_index(rc);

		j_bool(chk, "ok", 0);
		j_str(chk, "code", i >= 0 ? redeem_errors[i].code : "conflict");
		j_str(chk, "message", i >= 0 ? redeem_errors[i].message :
		    "该优惠券不可用");
	}
	if (rc == RD_OK && order >= 0) {
		j_int(chk, "discount_fen", discount);
		j_int(chk, "payable_fen", order - discount);
	} else {
		j_null(chk, "discount_fen");
		j_null(chk, "payable_fen");
	}
	j_add(d, "check", chk);
	return resp_data(r, 200, d);
}

struct cancel {
	const char	*code, *reason;
	cJSON		*out;
};

static int
cancel_tx(struct req *r, void *arg)
{
	struct cancel *c = arg;
	struct db_res res, up;
	int64_t now = time_now(), from = 0, until = 0;
	char now_s[20];
	int found, rc, st;

	if ((st = coupon_load(r, c->code, &res, &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 404, "not_found", "优惠券不存在", NULL);
	time_sql_parse(db_str(&res, 0, CC_VALID_FROM), &from);
	time_sql_parse(db_str(&res, 0, CC_VALID_UNTIL), &until);
	rc = coupon_redeem_check(db_str(&res, 0, CC_STATUS), from, until,
	    NULL, 0, now);
	if (rc == RD_ALREADY_USED || rc == RD_CANCELLED || rc == RD_EXPIRED)
		return redeem_error(r, rc);
	time_sql(now, now_s);
	if (DB(r, &q_st_cancel, &up, DBS(now_s), DBI(r->auth.staff_id),
	    DBS(c->reason), DBI(db_int(&res, 0, CC_ID)), DBI(r->m->id),
	    DBS(now_s)) != DB_OK)
		return db_fail(r);
	if (up.affected != 1)
		return redeem_error(r, RD_ALREADY_USED);
	if (DB(r, &q_st_cancel_rollup, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id), DBI(db_int(&res, 0, CC_ID))) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "coupon.cancel", arena_printf(r->a, "coupon:%s",
	    db_str(&res, 0, CC_CODE)), c->reason, 0)) != 0)
		return st;
	if ((st = coupon_load(r, c->code, &res, &found)) != 0)
		return st;
	if (!found)
		return resp_internal(r);
	c->out = j_obj();
	j_add(c->out, "coupon", coupon_json(r, &res, 0));
	return 200;
}

/*
 * Void an unused coupon (owners).
 * In: {reason}. Out: {coupon} (status cancelled). Errors: invalid_field,
 * not_found, already_used, cancelled, expired. Writes: coupons,
 * audit_log.
 */
static int
coupon_cancel(struct req *r)
{
	struct cancel c = { NULL, NULL, NULL };
	int st;

	c.code = req_param(r, "code");
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "reason", 1, 1, 100, &c.reason) == -1)
		return r->status;
	st = db_tx(r, cancel_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

#define SBASE "/api/v1/m/:merchant/staff"
#define MKT (AUTH_STAFF | ROLE_MARKETING)

ROUTES(coupon_staff_routes) = {
	{ M_GET, SBASE "/coupon-templates", tpl_list, MKT },
	{ M_POST, SBASE "/coupon-templates", tpl_create, MKT | CSRF },
	{ M_GET, SBASE "/coupon-templates/:id", tpl_get, MKT },
	{ M_PATCH, SBASE "/coupon-templates/:id", tpl_update, MKT | CSRF },
	{ M_GET, SBASE "/coupon-templates/:id/codes", codes_batches, MKT },
	{ M_POST, SBASE "/coupon-templates/:id/codes", codes_create,
	    MKT | CSRF | IDEMPOTENT },
	{ M_GET, SBASE "/coupon-templates/:id/codes.csv", codes_csv, MKT },
	{ M_POST, SBASE "/redemptions", coupon_redeem,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_PARTNER | CSRF | IDEMPOTENT },
	{ M_GET, SBASE "/coupons/:code", coupon_lookup,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_PARTNER },
	{ M_POST, SBASE "/coupons/:code/cancel", coupon_cancel,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ 0, NULL, NULL, 0 }
};

/* ---- demo data ---- */

enum { SC_COUNT, SC_NCOLS };
DB_SQL_COLS(q_seed_tpl_count, SC_NCOLS,
    "SELECT COUNT(*) FROM coupon_templates WHERE merchant_id = ?");
DB_SQL(q_seed_tpl,
    "INSERT INTO coupon_templates (merchant_id, name, kind, value_fen,"
    " threshold_fen, discount_pct, max_discount_fen, gift_item, stock,"
    " stock_left, per_member_limit, valid_days, description, status,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, 'active', UTC_TIMESTAMP(), UTC_TIMESTAMP())");

/* A few active templates of every kind, once per merchant. */
static int
coupon_seed(struct req *r)
{
	static const struct {
		const char	*name, *kind;
		int64_t		 value, threshold, pct, max;
		const char	*gift;
		int64_t		 stock, limit, days;
		const char	*desc;
	} demo[] = {
		{ "满50减10", "threshold", 1000, 5000, 0, 0, NULL, 1000, 1, 30,
		  "单笔消费满 50 元可用，不与其他优惠同享" },
		{ "全场8.5折", "discount", 0, 0, 85, 2000, NULL, 0, 2, 7,
		  "最高优惠 20 元" },
		{ "立减5元", "instant", 500, 0, 0, 0, NULL, 500, 1, 14,
		  "无门槛立减" },
		{ "免费美式咖啡", "gift", 0, 0, 0, 0, "美式咖啡（中杯）", 100, 1,
		  30, "到店出示券码兑换一杯中杯美式" },
		{ "合作伙伴满30减10", "promo_code", 1000, 3000, 0, 0, NULL, 0, 1,
		  30, "合作伙伴渠道发放的优惠码兑换" },
	};
	struct db_res res;
	size_t i;

	if (DB(r, &q_seed_tpl_count, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	if (db_int(&res, 0, SC_COUNT) > 0)
		return 0;
	for (i = 0; i < sizeof(demo) / sizeof(demo[0]); i++)
		if (DB(r, &q_seed_tpl, NULL, DBI(r->m->id), DBS(demo[i].name),
		    DBS(demo[i].kind), DBIN(demo[i].value, demo[i].value),
		    DBIN(demo[i].threshold, demo[i].threshold),
		    DBIN(demo[i].pct, demo[i].pct),
		    DBIN(demo[i].max, demo[i].max), DBS(demo[i].gift),
		    DBIN(demo[i].stock, demo[i].stock),
		    DBIN(demo[i].stock, demo[i].stock), DBI(demo[i].limit),
		    DBI(demo[i].days), DBS(demo[i].desc)) != DB_OK)
			return -1;
	return 0;
}
SEEDER(coupon_seed);
