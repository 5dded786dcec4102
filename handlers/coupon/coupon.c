/*
 * Coupons for consumers: the coupon centre, claims that never oversell,
 * promo codes typed in by members, my coupons and their QR codes; the
 * issue path other areas use (coupon_grant) and the usable coupons the
 * counter asks for (coupons_usable_json). The centre's and the claim's
 * routes are in coupon_api.c, which knows campaigns.
 *
 * A claim is one transaction: a conditional upsert of the member's claim
 * counter (bounded by the per-member limit), the coupon row with a fresh
 * code, then a conditional decrement of the template's stock that also
 * counts the coupon on the template (limited or not). The affected-row
 * counts decide; the hot template row is locked last so it is held only
 * until the commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon.h"
#include "db.h"
#include "member/member.h"
#include "tier/tier.h"

#define CODE_TRIES	8

DB_SQL_COLS(q_tpl_get, TC_NCOLS, COUPON_SQL_TPL_GET);
DB_SQL_COLS(q_centre, TC_NCOLS,
    "SELECT " COUPON_TPL_COLS " FROM coupon_templates t"
    " WHERE t.merchant_id = ? AND t.status = 'active' AND t.listed = 1"
    " AND t.kind <> 'promo_code'"
    " AND (t.claim_until IS NULL OR t.claim_until >= ?)"
    " AND (t.valid_until IS NULL OR t.valid_until >= ?) AND t.id < ?"
    " ORDER BY t.id DESC LIMIT ?");
enum { MA_JOINED, MA_GROWTH, MA_NCOLS };
DB_SQL_COLS(q_member_aud, MA_NCOLS,
    "SELECT joined_at, growth FROM members WHERE merchant_id = ? AND id = ?");
enum { MC_TEMPLATE, MC_CLAIMED, MC_NCOLS };
DB_SQL_COLS(q_my_claims, MC_NCOLS,
    "SELECT template_id, claimed FROM coupon_claims"
    " WHERE merchant_id = ? AND member_id = ?");
DB_SQL(q_claim_bump, COUPON_SQL_CLAIM_BUMP);
DB_SQL(q_coupon_insert, COUPON_SQL_INSERT);
DB_SQL(q_coupon_claim_rollup,
    COUPON_SQL_CLAIM_ROLLUP("c.merchant_id = ? AND c.id = ?"));
DB_SQL_COLS(q_coupon_by_id, CC_NCOLS, COUPON_SQL_BY_ID);
DB_SQL(q_stock_take, COUPON_SQL_STOCK_TAKE);
/* Why a take found no row: gone, not active, or a limited stock used up. */
enum { SH_UNLIMITED, SH_ACTIVE, SH_NCOLS };
DB_SQL_COLS(q_tpl_state, SH_NCOLS,
    "SELECT stock_left IS NULL, status = 'active' FROM coupon_templates"
    " WHERE id = ? AND merchant_id = ?");
DB_SQL_COLS(q_mine_page, CC_NCOLS,
    "SELECT " COUPON_COLS " FROM coupons c"
    " WHERE c.merchant_id = ? AND c.member_id = ? AND c.id < ?"
    " AND (? = 'all' OR (CASE WHEN c.status = 'unused'"
    " AND c.valid_until < ? THEN 'expired' ELSE c.status END) = ?)"
    " ORDER BY c.id DESC LIMIT ?");
enum { MN_UNUSED, MN_EXPIRED, MN_USED, MN_CANCELLED, MN_NCOLS };
DB_SQL_COLS(q_mine_counts, MN_NCOLS,
    "SELECT COALESCE(SUM(status = 'unused' AND valid_until >= ?), 0),"
    " COALESCE(SUM(status = 'unused' AND valid_until < ?), 0),"
    " COALESCE(SUM(status = 'used'), 0),"
    " COALESCE(SUM(status = 'cancelled'), 0)"
    " FROM coupons WHERE merchant_id = ? AND member_id = ?");
DB_SQL_COLS(q_mine_code, CC_NCOLS,
    "SELECT " COUPON_COLS " FROM coupons c"
    " WHERE c.merchant_id = ? AND c.code = ? AND c.member_id = ?");
DB_SQL_COLS(q_usable, CC_NCOLS,
    "SELECT " COUPON_COLS " FROM coupons c"
    " WHERE c.merchant_id = ? AND c.member_id = ? AND c.status = 'unused'"
    " AND c.valid_from <= ? AND c.valid_until >= ?"
    " ORDER BY c.valid_until, c.id LIMIT 200");
enum { PR_ID, PR_TEMPLATE, PR_MEMBER, PR_NCOLS };
DB_SQL_COLS(q_promo_get, PR_NCOLS,
    "SELECT id, template_id, member_id FROM promo_codes"
    " WHERE merchant_id = ? AND code = ?");
DB_SQL(q_promo_bind,
    "UPDATE promo_codes SET member_id = ?, bound_at = ?"
    " WHERE id = ? AND merchant_id = ? AND member_id IS NULL");
DB_SQL(q_promo_coupon,
    "UPDATE promo_codes SET coupon_id = ? WHERE id = ?");

/* ---- rows to structs and JSON ---- */

static int64_t
col_int(const struct db_res *res, int row, int col)
{
	return db_isnull(res, row, col) ? COUPON_NONE : db_int(res, row, col);
}

static int64_t
col_time(const struct db_res *res, int row, int col)
{
	int64_t t;

	if (db_isnull(res, row, col) ||
	    time_sql_parse(db_str(res, row, col), &t) == -1)
		return COUPON_NONE;
	return t;
}

static void
j_opt_int(cJSON *o, const char *k, int64_t v)
{
	if (v == COUPON_NONE)
		j_null(o, k);
	else
		j_int(o, k, v);
}

static void
j_opt_time(struct req *r, cJSON *o, const char *k, int64_t ts)
{
	if (ts == COUPON_NONE)
		j_null(o, k);
	else
		j_str(o, k, time_rfc3339_t(r, ts));
}

/* Integers of a JSON array text such as "[1,3]" into out; the count. */
static int
int_list(const char *s, int64_t *out, int max)
{
	int n = 0;

	for (; s != NULL && *s && n < max; s++)
		if (*s >= '0' && *s <= '9') {
			char *end;

			out[n++] = strtoll(s, &end, 10);
			s = end - 1;
		}
	return n;
}

void
coupon_tpl_from_row(const struct db_res *res, int i, struct coupon_tpl_row *w)
{
	struct coupon_tpl *t = &w->t;
	const char *aud = db_str(res, i, TC_AUDIENCE);
	int64_t tiers[COUPON_MAX_TIERS];
	int k;

	coupon_tpl_init(t);
	w->id = db_int(res, i, TC_ID);
	w->name = db_str(res, i, TC_NAME);
	t->kind = coupon_kind_from(db_str(res, i, TC_KIND));
	t->value_fen = col_int(res, i, TC_VALUE);
	t->threshold_fen = col_int(res, i, TC_THRESHOLD);
	t->discount_pct = col_int(res, i, TC_PCT);
	t->max_discount_fen = col_int(res, i, TC_MAX);
	t->gift_item = db_str(res, i, TC_GIFT);
	t->stock = col_int(res, i, TC_STOCK);
	w->stock_left = col_int(res, i, TC_STOCK_LEFT);
	t->per_member_limit = db_int(res, i, TC_LIMIT);
	t->claim_from = col_time(res, i, TC_CLAIM_FROM);
	t->claim_until = col_time(res, i, TC_CLAIM_UNTIL);
	t->valid_from = col_time(res, i, TC_VALID_FROM);
	t->valid_until = col_time(res, i, TC_VALID_UNTIL);
	t->valid_days = col_int(res, i, TC_VALID_DAYS);
	t->valid_next_day = db_int(res, i, TC_NEXT_DAY) != 0;
	w->store_ids = db_str(res, i, TC_STORES);
	w->stackable = db_int(res, i, TC_STACKABLE) != 0;
	t->audience = strcmp(aud, "new_members") == 0 ? AUD_NEW_MEMBERS :
	    strcmp(aud, "tiers") == 0 ? AUD_TIERS : AUD_ALL;
	t->ntiers = int_list(db_str(res, i, TC_TIERS), tiers,
	    COUPON_MAX_TIERS);
	for (k = 0; k < t->ntiers; k++)
		t->tiers[k] = (int)tiers[k];
	w->listed = db_int(res, i, TC_LISTED) != 0;
	t->status = coupon_tpl_status_from(db_str(res, i, TC_STATUS));
	w->description = db_str(res, i, TC_DESC);
	w->created_at = db_str(res, i, TC_CREATED);
	w->updated_at = db_str(res, i, TC_UPDATED);
}

cJSON *
coupon_stores_json(const char *ids)
{
	cJSON *a;

	if (ids == NULL || (a = cJSON_Parse(ids)) == NULL || !cJSON_IsArray(a))
		return cJSON_CreateString("all");
	return a;
}

static cJSON *
audience_json(const struct coupon_tpl *t)
{
	cJSON *o, *a;
	int i;

	if (t->audience == AUD_NEW_MEMBERS)
		return cJSON_CreateString("new_members");
	if (t->audience != AUD_TIERS)
		return cJSON_CreateString("all");
	o = j_obj();
	a = j_arr();
	for (i = 0; i < t->ntiers; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(t->tiers[i]));
	j_add(o, "tiers", a);
	return o;
}

static void
tpl_terms(const struct coupon_tpl *t, struct coupon_terms *k)
{
	k->kind = t->kind;
	k->value_fen = t->value_fen;
	k->threshold_fen = t->threshold_fen;
	k->discount_pct = t->discount_pct;
	k->max_discount_fen = t->max_discount_fen;
}

/* The fields staff and consumers both see. */
static cJSON *
tpl_common_json(struct req *r, const struct coupon_tpl_row *w)
{
	const struct coupon_tpl *t = &w->t;
	struct coupon_terms k;
	char sum[160];
	cJSON *o = j_obj();

	tpl_terms(t, &k);
	coupon_summary(&k, t->gift_item, sum, sizeof(sum));
	j_int(o, "id", w->id);
	j_str(o, "name", w->name);
	j_str(o, "kind", coupon_kind_name(t->kind));
	j_opt_int(o, "value_fen", t->value_fen);
	j_opt_int(o, "threshold_fen", t->threshold_fen);
	j_opt_int(o, "discount_pct", t->discount_pct);
	j_opt_int(o, "max_discount_fen", t->max_discount_fen);
	j_str(o, "gift_item", t->gift_item);
	j_str(o, "summary", sum);
	j_opt_int(o, "stock", t->stock);
	j_opt_int(o, "stock_left", w->stock_left);
	j_int(o, "per_member_limit", t->per_member_limit);
	j_opt_time(r, o, "claim_from", t->claim_from);
	j_opt_time(r, o, "claim_until", t->claim_until);
	j_add(o, "store_ids", coupon_stores_json(w->store_ids));
	j_bool(o, "stackable", w->stackable);
	j_str(o, "description", w->description);
	return o;
}

cJSON *
coupon_tpl_staff_json(struct req *r, const struct coupon_tpl_row *w,
    int64_t claimed, int64_t used)
{
	const struct coupon_tpl *t = &w->t;
	cJSON *o = tpl_common_json(r, w);

	j_opt_time(r, o, "valid_from", t->valid_from);
	j_opt_time(r, o, "valid_until", t->valid_until);
	j_opt_int(o, "valid_days", t->valid_days);
	j_bool(o, "valid_next_day", t->valid_next_day);
	j_add(o, "audience", audience_json(t));
	j_str(o, "status", coupon_tpl_status_name(t->status));
	j_bool(o, "listed", w->listed);
	j_int(o, "claimed", claimed);
	j_int(o, "used", used);
	j_str(o, "created_at", time_rfc3339(r, w->created_at));
	j_str(o, "updated_at", time_rfc3339(r, w->updated_at));
	return o;
}

/* {kind:"range", valid_from, valid_until, text} | {kind:"days", ...}. */
static cJSON *
validity_json(struct req *r, const struct coupon_tpl *t)
{
	cJSON *o = j_obj();

	if (t->valid_days != COUPON_NONE) {
		j_str(o, "kind", "days");
		j_int(o, "days", t->valid_days);
		j_bool(o, "next_day", t->valid_next_day);
		j_str(o, "text", arena_printf(r->a, "领取%s %lld 天内有效",
		    t->valid_next_day ? "次日起" : "后",
		    (long long)t->valid_days));
	} else {
		const char *f = t->valid_from != COUPON_NONE ?
		    time_rfc3339_t(r, t->valid_from) : NULL;
		const char *u = time_rfc3339_t(r, t->valid_until);

		j_str(o, "kind", "range");
		j_str(o, "valid_from", f);
		j_str(o, "valid_until", u);
		j_str(o, "text", f ? arena_printf(r->a, "%.10s 至 %.10s", f,
		    u) : arena_printf(r->a, "领取后至 %.10s", u));
	}
	return o;
}

static const char *
reason_text(const char *reason)
{
	static const struct {
		const char *code, *text;
	} m[] = {
		{ "ended", "已结束" },
		{ "not_started", "未开始" },
		{ "not_eligible", "不符合领取条件" },
		{ "limit_reached", "已领取" },
		{ "out_of_stock", "已抢光" },
	};
	size_t i;

	for (i = 0; reason != NULL && i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(m[i].code, reason) == 0)
			return m[i].text;
	return NULL;
}

const char *
coupon_status_now(const struct db_res *res, int i, int64_t now)
{
	const char *st = db_str(res, i, CC_STATUS);

	if (strcmp(st, "unused") == 0 && col_time(res, i, CC_VALID_UNTIL) < now)
		return "expired";
	return st;
}

void
coupon_terms_from_row(const struct db_res *res, int i, struct coupon_terms *k)
{
	k->kind = coupon_kind_from(db_str(res, i, CC_KIND));
	k->value_fen = col_int(res, i, CC_VALUE);
	k->threshold_fen = col_int(res, i, CC_THRESHOLD);
	k->discount_pct = col_int(res, i, CC_PCT);
	k->max_discount_fen = col_int(res, i, CC_MAX);
}

cJSON *
coupon_json(struct req *r, const struct db_res *res, int i)
{
	int64_t now = time_now(), from = col_time(res, i, CC_VALID_FROM);
	const char *st = coupon_status_now(res, i, now);
	struct coupon_terms k;
	char sum[160];
	cJSON *o = j_obj();

	coupon_terms_from_row(res, i, &k);
	coupon_summary(&k, db_str(res, i, CC_GIFT), sum, sizeof(sum));
	j_str(o, "code", db_str(res, i, CC_CODE));
	j_int(o, "template_id", db_int(res, i, CC_TEMPLATE));
	j_str(o, "name", db_str(res, i, CC_NAME));
	j_str(o, "kind", db_str(res, i, CC_KIND));
	j_str(o, "status", st);
	j_opt_time(r, o, "valid_from", from);
	j_opt_time(r, o, "valid_until", col_time(res, i, CC_VALID_UNTIL));
	j_bool(o, "usable", strcmp(st, "unused") == 0 && from <= now);
	j_opt_int(o, "value_fen", k.value_fen);
	j_opt_int(o, "threshold_fen", k.threshold_fen);
	j_opt_int(o, "discount_pct", k.discount_pct);
	j_opt_int(o, "max_discount_fen", k.max_discount_fen);
	j_str(o, "gift_item", db_str(res, i, CC_GIFT));
	j_str(o, "summary", sum);
	j_str(o, "description", db_str(res, i, CC_DESC));
	j_add(o, "store_ids", coupon_stores_json(db_str(res, i, CC_STORES)));
	j_bool(o, "stackable", db_int(res, i, CC_STACKABLE) != 0);
	j_str(o, "channel", db_str(res, i, CC_CHANNEL));
	j_opt_time(r, o, "claimed_at", col_time(res, i, CC_CLAIMED_AT));
	j_opt_time(r, o, "used_at", col_time(res, i, CC_USED_AT));
	j_opt_int(o, "used_store_id", col_int(res, i, CC_USED_STORE));
	j_opt_int(o, "order_fen", col_int(res, i, CC_ORDER));
	j_opt_int(o, "discount_fen", col_int(res, i, CC_DISCOUNT));
	j_opt_time(r, o, "cancelled_at", col_time(res, i, CC_CANCELLED_AT));
	j_str(o, "cancel_reason", db_str(res, i, CC_CANCEL_REASON));
	return o;
}

/* ---- the member as the claim rules see it ---- */

struct member_view {
	int64_t		 joined_at;
	int		 tier_level;
};

/*
 * The member into mv, *found 0 when there is no such member: 0, or the
 * error status (recorded).
 */
static int
member_view_load(struct req *r, int64_t member_id, struct member_view *mv,
    int *found)
{
	const struct tier_row *cur;
	struct db_res res;
	int st;

	*found = 0;
	if (DB(r, &q_member_aud, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	mv->joined_at = col_time(&res, 0, MA_JOINED);
	if ((st = tier_of_growth(r, db_int(&res, 0, MA_GROWTH), &cur,
	    NULL)) != 0)
		return st;
	mv->tier_level = cur != NULL ? cur->level : -1;
	*found = 1;
	return 0;
}

static void
claim_view_of(const struct coupon_tpl_row *w, struct claim_view *v)
{
	memset(v, 0, sizeof(*v));
	v->status = w->t.status;
	v->kind = w->t.kind;
	v->listed = w->listed;
	v->claim_from = w->t.claim_from;
	v->claim_until = w->t.claim_until;
	v->fixed_until = w->t.valid_days == COUPON_NONE ? w->t.valid_until :
	    COUPON_NONE;
	v->stock_left = w->stock_left;
	v->per_member_limit = w->t.per_member_limit;
	v->audience = w->t.audience;
	v->ntiers = w->t.ntiers;
	v->tiers = w->t.tiers;
	v->joined_at = COUPON_NONE;
	v->tier_level = -1;
}

/* The contract's error for a claim reason. */
static int
claim_error(struct req *r, const char *reason, int mode)
{
	if (strcmp(reason, "out_of_stock") == 0)
		return resp_err(r, 409, "out_of_stock", "优惠券已被抢光",
		    NULL);
	if (strcmp(reason, "limit_reached") == 0)
		return resp_err(r, 409, "limit_reached",
		    "已达到每人限领数量", NULL);
	if (strcmp(reason, "not_started") == 0)
		return resp_err(r, 409, "not_started", "领取尚未开始", NULL);
	if (strcmp(reason, "ended") == 0)
		return resp_err(r, 409, "ended", "该优惠券已停止发放", NULL);
	if (mode == CLAIM_CENTRE)
		return resp_err(r, 403, "not_eligible",
		    "您不符合该优惠券的领取条件", NULL);
	return resp_err(r, 403, "not_eligible",
	    "您不符合该优惠券的兑换条件", NULL);
}

/* ---- the issue path ---- */

struct issue {
	int64_t		 member_id, template_id;
	const char	*channel;
	int		 mode;		/* enum claim_mode */
	int		 in_campaign;	/* CENTRE: one of the campaign's */
	int64_t		 store_id;	/* issued at this store, 0: none */
	int64_t		 coupon_id;
	cJSON		*coupon;
};

/* Insert the coupon row with a fresh code, its id into *id: 0, or the
   error status (recorded). */
static int
coupon_insert(struct req *r, const struct issue *c,
    const struct coupon_tpl_row *w, int64_t now, int64_t *id)
{
	const struct coupon_tpl *t = &w->t;
	char from_s[20], until_s[20], now_s[20], code[COUPON_CODE_LEN + 1];
	int64_t from, until;
	struct db_res res;
	int tries, rc = DB_ERR;

	coupon_validity(t, now, tz_offset(r->m->tz), &from, &until);
	time_sql(from, from_s);
	time_sql(until, until_s);
	time_sql(now, now_s);
	for (tries = 0; tries < CODE_TRIES; tries++) {
		coupon_code_make(code, rand_uniform);
		rc = DB(r, &q_coupon_insert, &res, DBI(r->m->id), DBI(w->id),
		    DBI(c->member_id), DBS(code), DBS(w->name),
		    DBS(coupon_kind_name(t->kind)),
		    DBIN(t->value_fen, t->value_fen != COUPON_NONE),
		    DBIN(t->threshold_fen, t->threshold_fen != COUPON_NONE),
		    DBIN(t->discount_pct, t->discount_pct != COUPON_NONE),
		    DBIN(t->max_discount_fen,
		    t->max_discount_fen != COUPON_NONE),
		    DBS(t->gift_item), DBS(w->store_ids), DBI(w->stackable),
		    DBS(w->description), DBS(from_s), DBS(until_s),
		    DBS(c->channel), DBS(now_s),
		    DBIN(c->store_id, c->store_id > 0));
		if (rc != DB_DUP)
			break;
	}
	if (rc != DB_OK)
		return db_fail(r);
	*id = (int64_t)res.insert_id;
	/* the day's claims of the template, for analytics */
	if (DB(r, &q_coupon_claim_rollup, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id), DBI(*id)) != DB_OK)
		return db_fail(r);
	return 0;
}

/*
 * Take one from the stock and count it on the template (one conditional
 * update, limited or not): 0, or an error status (recorded).
 */
static int
stock_take(struct req *r, const struct coupon_tpl_row *w)
{
	struct db_res res;

	if (DB(r, &q_stock_take, &res, DBI(w->id), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.affected == 1)
		return 0;
	if (DB(r, &q_tpl_state, &res, DBI(w->id), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || db_int(&res, 0, SH_UNLIMITED) == 1)
		return claim_error(r, "ended", CLAIM_GRANT);
	return claim_error(r, "out_of_stock", CLAIM_GRANT);
}

static int
issue_tx(struct req *r, void *arg)
{
	struct issue *c = arg;
	struct coupon_tpl_row w;
	struct claim_view v;
	struct member_view mv;
	struct db_res res;
	const char *why;
	int64_t now = time_now(), id = 0;
	int found, st;

	c->coupon = NULL;
	/* a member frozen by staff claims nothing (grants by staff or by
	   the ledgers' rules are theirs to decide) */
	if (c->mode != CLAIM_GRANT &&
	    (st = member_blocked_check(r, c->member_id)) != 0)
		return st;
	if (DB(r, &q_tpl_get, &res, DBI(r->m->id), DBI(c->template_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券不存在", NULL);
	coupon_tpl_from_row(&res, 0, &w);
	if (w.t.status == TS_DRAFT && c->mode != CLAIM_GRANT)
		return resp_err(r, 404, "not_found", "优惠券不存在", NULL);
	if (c->mode == CLAIM_CENTRE && w.t.kind == CK_PROMO)
		return resp_err(r, 403, "not_eligible",
		    "该券需在“我的券”中输入优惠码兑换", NULL);
	claim_view_of(&w, &v);
	if (c->in_campaign)
		v.listed = 1;
	if (c->mode != CLAIM_GRANT && w.t.audience != AUD_ALL) {
		if ((st = member_view_load(r, c->member_id, &mv, &found)) != 0)
			return st;
		if (!found)
			return resp_err(r, 404, "not_found", "会员不存在", NULL);
		v.has_member = 1;
		v.joined_at = mv.joined_at;
		v.tier_level = mv.tier_level;
	}
	/* the stock is decided last, after the member's own limit */
	v.stock_left = COUPON_NONE;
	if ((why = coupon_claim_reason(&v, c->mode, now)) != NULL)
		return claim_error(r, why, c->mode);
	if (DB(r, &q_claim_bump, &res, DBI(w.id), DBI(c->member_id),
	    DBI(r->m->id), DBI(w.t.per_member_limit)) != DB_OK)
		return db_fail(r);
	if (res.affected == 0)
		return claim_error(r, "limit_reached", c->mode);
	/* sold out as of this transaction's snapshot: no need to try */
	if (w.stock_left != COUPON_NONE && w.stock_left <= 0)
		return claim_error(r, "out_of_stock", c->mode);
	if ((st = coupon_insert(r, c, &w, now, &id)) != 0)
		return st;
	if (DB(r, &q_coupon_by_id, &res, DBI(id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	c->coupon_id = id;
	c->coupon = coupon_json(r, &res, 0);
	if ((st = stock_take(r, &w)) != 0)
		return st;
	return 201;
}

int
coupon_grant(struct req *r, int64_t member_id, int64_t template_id,
    const char *channel, cJSON **coupon_out)
{
	return coupon_grant_at(r, member_id, template_id, channel, 0,
	    coupon_out);
}

int
coupon_grant_at(struct req *r, int64_t member_id, int64_t template_id,
    const char *channel, int64_t store_id, cJSON **coupon_out)
{
	struct issue c;
	int st;

	memset(&c, 0, sizeof(c));
	c.store_id = store_id;
	c.member_id = member_id;
	c.template_id = template_id;
	c.channel = channel != NULL ? channel : "grant";
	c.mode = CLAIM_GRANT;
	*coupon_out = NULL;
	if (!db_in_tx())
		st = db_tx(r, issue_tx, &c);
	else {
		/* a refused grant leaves the caller's transaction untouched */
		if (db_exec_simple("SAVEPOINT coupon_grant") == -1)
			return db_fail(r);
		st = issue_tx(r, &c);
		if (st >= 400 && !db_retry_pending() &&
		    db_exec_simple("ROLLBACK TO SAVEPOINT coupon_grant") == -1)
			return db_fail(r);
	}
	if (st >= 400)
		return st;
	*coupon_out = c.coupon;
	return 0;
}

int
coupon_claim_run(struct req *r, int64_t template_id, const char *channel,
    int in_campaign, cJSON **coupon)
{
	struct issue c;
	int st;

	memset(&c, 0, sizeof(c));
	c.member_id = r->auth.member_id;
	c.template_id = template_id;
	c.mode = CLAIM_CENTRE;
	c.channel = channel;
	c.in_campaign = in_campaign;
	if ((st = db_tx(r, issue_tx, &c)) >= 400)
		return st;
	*coupon = c.coupon;
	return 0;
}

/* ---- promo codes typed in by members ---- */

struct promo {
	const char	*code;
	struct issue	 is;
};

static int
promo_tx(struct req *r, void *arg)
{
	struct promo *p = arg;
	char now_s[20];
	struct db_res res;
	int64_t pid;
	int st;

	if (DB(r, &q_promo_get, &res, DBI(r->m->id), DBS(p->code)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠码不存在",
		    "promo_code");
	pid = db_int(&res, 0, PR_ID);
	p->is.template_id = db_int(&res, 0, PR_TEMPLATE);
	if (!db_isnull(&res, 0, PR_MEMBER))
		return resp_err(r, 409, "code_used",
		    db_int(&res, 0, PR_MEMBER) == p->is.member_id ?
		    "您已兑换过该优惠码" : "该优惠码已被使用", "promo_code");
	time_sql(time_now(), now_s);
	if (DB(r, &q_promo_bind, &res, DBI(p->is.member_id), DBS(now_s),
	    DBI(pid), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "code_used", "该优惠码已被使用",
		    "promo_code");
	if ((st = issue_tx(r, &p->is)) >= 400)
		return st;
	if (DB(r, &q_promo_coupon, NULL, DBI(p->is.coupon_id), DBI(pid)) !=
	    DB_OK)
		return db_fail(r);
	return st;
}

/*
 * Redeem a promo code typed in by the member: the code binds to the
 * first member who redeems it, and one coupon of its template is issued
 * under the template's stock and per-member limit.
 * In: {promo_code}. Out: 201 {coupon}. Errors: invalid_field (not 12
 * symbols of the code alphabet), not_found, code_used, out_of_stock,
 * limit_reached, not_started, ended, not_eligible.
 * Writes: promo_codes, coupon_claims, coupons, coupon_templates.
 */
static int
coupon_redeem_code(struct req *r)
{
	char code[COUPON_CODE_LEN + 1];
	const char *in;
	struct promo p;
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "promo_code", 1, 1, 32, &in) == -1)
		return r->status;
	if (coupon_code_normalize(in, code) == -1)
		return resp_bad_field(r, "promo_code",
		    coupon_code_lookalike(in) ? "优惠码里没有 0、1、I、L、O "
		    "这几个易混的字符，请核对后重新输入" :
		    "优惠码应为 12 位字母或数字");
	memset(&p, 0, sizeof(p));
	p.code = code;
	p.is.member_id = r->auth.member_id;
	p.is.mode = CLAIM_PROMO;
	p.is.channel = "promo_code";
	if ((st = db_tx(r, promo_tx, &p)) >= 400)
		return st;
	d = j_obj();
	j_add(d, "coupon", p.is.coupon);
	return resp_data(r, 201, d);
}

/* ---- the coupon centre ---- */

struct claims_map {
	int		 n;
	int64_t		*tpl, *claimed;
};

static int64_t
claims_of(const struct claims_map *cm, int64_t tpl)
{
	int i;

	for (i = 0; i < cm->n; i++)
		if (cm->tpl[i] == tpl)
			return cm->claimed[i];
	return 0;
}

static cJSON *
centre_item(struct req *r, const struct coupon_tpl_row *w,
    const struct member_view *mv, const struct claims_map *cm, int listed,
    int64_t now)
{
	struct claim_view v;
	const char *why;
	cJSON *o;

	claim_view_of(w, &v);
	if (listed)
		v.listed = 1;
	if (mv != NULL) {
		v.has_member = 1;
		v.joined_at = mv->joined_at;
		v.tier_level = mv->tier_level;
		v.claimed_by_me = claims_of(cm, w->id);
	}
	why = coupon_claim_reason(&v, CLAIM_CENTRE, now);
	o = tpl_common_json(r, w);
	j_add(o, "validity", validity_json(r, &w->t));
	j_int(o, "claimed_by_me", v.claimed_by_me);
	j_bool(o, "claimable", why == NULL);
	j_str(o, "reason", why);
	j_str(o, "reason_text", reason_text(why));
	return o;
}

cJSON *
coupon_centre_json(struct req *r, int64_t member_id, const int64_t *ids,
    int nids, int64_t cursor, int64_t limit, int64_t *next)
{
	struct member_view mv, *mvp = NULL;
	struct claims_map cm = { 0, NULL, NULL };
	struct coupon_tpl_row w;
	struct db_res res;
	int64_t now = time_now();
	char now_s[20];
	cJSON *arr = j_arr();
	int i, n, found;

	*next = 0;
	time_sql(now, now_s);
	if (member_id != 0) {
		if (member_view_load(r, member_id, &mv, &found) != 0)
			return NULL;
		if (found) {
			mvp = &mv;
			if (DB(r, &q_my_claims, &res, DBI(r->m->id),
			    DBI(member_id)) != DB_OK)
				goto fail;
			cm.n = res.nrows;
			cm.tpl = arena_calloc(r->a, (size_t)res.nrows + 1,
			    sizeof(int64_t));
			cm.claimed = arena_calloc(r->a, (size_t)res.nrows + 1,
			    sizeof(int64_t));
			for (i = 0; i < res.nrows; i++) {
				cm.tpl[i] = db_int(&res, i, MC_TEMPLATE);
				cm.claimed[i] = db_int(&res, i, MC_CLAIMED);
			}
		}
	}
	if (ids == NULL) {
		if (DB(r, &q_centre, &res, DBI(r->m->id), DBS(now_s),
		    DBS(now_s), DBI(cursor > 0 ? cursor : INT64_MAX),
		    DBI(limit + 1)) != DB_OK)
			goto fail;
		n = db_page(&res, limit, TC_ID, next);
		for (i = 0; i < n; i++) {
			coupon_tpl_from_row(&res, i, &w);
			j_add(arr, NULL, centre_item(r, &w, mvp, &cm, 0, now));
		}
		return arr;
	}
	for (i = 0; i < nids; i++) {
		if (DB(r, &q_tpl_get, &res, DBI(r->m->id), DBI(ids[i])) !=
		    DB_OK)
			goto fail;
		if (res.nrows == 0)
			continue;
		coupon_tpl_from_row(&res, 0, &w);
		if (w.t.status != TS_ACTIVE || w.t.kind == CK_PROMO)
			continue;
		j_add(arr, NULL, centre_item(r, &w, mvp, &cm, 1, now));
	}
	return arr;
fail:
	db_fail(r);
	return NULL;
}

/* ---- my coupons ---- */

static int
status_filter_ok(const char *s)
{
	return strcmp(s, "all") == 0 || strcmp(s, "unused") == 0 ||
	    strcmp(s, "used") == 0 || strcmp(s, "expired") == 0 ||
	    strcmp(s, "cancelled") == 0;
}

cJSON *
coupon_list_json(struct req *r, int64_t member_id, const char *status,
    int64_t cursor, int64_t limit, int64_t *next)
{
	struct db_res res;
	char now_s[20];
	cJSON *arr;
	int i, n;

	*next = 0;
	time_sql(time_now(), now_s);
	if (DB(r, &q_mine_page, &res, DBI(r->m->id), DBI(member_id),
	    DBI(cursor > 0 ? cursor : INT64_MAX), DBS(status), DBS(now_s),
	    DBS(status), DBI(limit + 1)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	arr = j_arr();
	n = db_page(&res, limit, CC_ID, next);
	for (i = 0; i < n; i++)
		j_add(arr, NULL, coupon_json(r, &res, i));
	return arr;
}

cJSON *
coupon_counts_json(struct req *r, int64_t member_id)
{
	struct db_res res;
	char now_s[20];
	cJSON *o;

	time_sql(time_now(), now_s);
	if (DB(r, &q_mine_counts, &res, DBS(now_s), DBS(now_s), DBI(r->m->id),
	    DBI(member_id)) != DB_OK || res.nrows != 1) {
		db_fail(r);
		return NULL;
	}
	o = j_obj();
	j_int(o, "unused", db_int(&res, 0, MN_UNUSED));
	j_int(o, "used", db_int(&res, 0, MN_USED));
	j_int(o, "expired", db_int(&res, 0, MN_EXPIRED));
	j_int(o, "cancelled", db_int(&res, 0, MN_CANCELLED));
	return o;
}

cJSON *
coupon_mine_json(struct req *r, int64_t member_id, const char *code)
{
	struct db_res res;

	if (DB(r, &q_mine_code, &res, DBI(r->m->id), DBS(code),
	    DBI(member_id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	if (res.nrows != 1) {
		resp_err(r, 404, "not_found", "优惠券不存在", NULL);
		return NULL;
	}
	return coupon_json(r, &res, 0);
}

/*
 * The signed-in member's coupons, newest first.
 * In: ?status=unused|used|expired|cancelled|all (default all), ?cursor,
 * ?limit. Out: {data:[coupon], next_cursor, counts:{unused, used,
 * expired, cancelled}}. Errors: invalid_field. Writes nothing.
 */
static int
coupon_mine_list(struct req *r)
{
	const char *status = req_query(r, "status");
	int64_t limit, cursor, next;
	cJSON *root, *arr, *counts;
	char *s;

	if (status == NULL || *status == '\0')
		status = "all";
	if (!status_filter_ok(status))
		return resp_bad_field(r, "status",
		    "应为 unused、used、expired、cancelled 或 all");
	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if ((arr = coupon_list_json(r, r->auth.member_id, status, cursor,
	    limit, &next)) == NULL ||
	    (counts = coupon_counts_json(r, r->auth.member_id)) == NULL)
		return r->status;
	root = j_obj();
	j_add(root, "data", arr);
	if (next > 0)
		j_str(root, "next_cursor", arena_printf(r->a, "%lld",
		    (long long)next));
	else
		j_null(root, "next_cursor");
	j_add(root, "counts", counts);
	if ((s = cJSON_PrintUnformatted(root)) == NULL)
		return resp_internal(r);
	return resp_raw(r, 200, "application/json; charset=utf-8", s,
	    strlen(s));
}

/* The coupon of the path's :code that belongs to the member, or NULL. */
static cJSON *
mine_by_path(struct req *r, char code[COUPON_CODE_LEN + 1])
{
	if (coupon_code_normalize(req_param(r, "code"), code) == -1) {
		resp_err(r, 404, "not_found", "优惠券不存在", NULL);
		return NULL;
	}
	return coupon_mine_json(r, r->auth.member_id, code);
}

/*
 * One of the member's coupons.
 * Out: {coupon: {..., qr_svg_url}} (the QR carries the code the counter
 * redeems). Errors: not_found. Writes nothing.
 */
static int
coupon_mine_get(struct req *r)
{
	char code[COUPON_CODE_LEN + 1];
	cJSON *c, *d;

	if ((c = mine_by_path(r, code)) == NULL)
		return r->status;
	j_str(c, "qr_svg_url", arena_printf(r->a,
	    "/api/v1/m/%s/me/coupons/%s/qr.svg", r->m->code, code));
	d = j_obj();
	j_add(d, "coupon", c);
	return resp_data(r, 200, d);
}

/* The QR code of one of the member's coupons: image/svg+xml. */
static int
coupon_mine_qr(struct req *r)
{
	char code[COUPON_CODE_LEN + 1], *svg;
	size_t len;

	if (mine_by_path(r, code) == NULL)
		return r->status;
	if (qr_svg(r, code, &svg, &len) == -1)
		return resp_internal(r);
	return resp_raw(r, 200, "image/svg+xml", svg, len);
}

/* ---- what other areas ask for ---- */

cJSON *
coupons_usable_json(struct req *r, int64_t member_id, int64_t store_id)
{
	struct db_res res;
	char now_s[20];
	cJSON *arr;
	int i;

	time_sql(time_now(), now_s);
	if (DB(r, &q_usable, &res, DBI(r->m->id), DBI(member_id), DBS(now_s),
	    DBS(now_s)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	arr = j_arr();
	for (i = 0; i < res.nrows; i++)
		if (coupon_store_allowed(db_str(&res, i, CC_STORES), store_id))
			j_add(arr, NULL, coupon_json(r, &res, i));
	return arr;
}

#define CBASE "/api/v1/m/:merchant"

ROUTES(coupon_routes) = {
	{ M_POST, CBASE "/coupons/redeem-code", coupon_redeem_code,
	    AUTH_MEMBER | IDEMPOTENT },
	{ M_GET, CBASE "/me/coupons", coupon_mine_list, AUTH_MEMBER },
	{ M_GET, CBASE "/me/coupons/:code", coupon_mine_get, AUTH_MEMBER },
	{ M_GET, CBASE "/me/coupons/:code/qr.svg", coupon_mine_qr,
	    AUTH_MEMBER },
	{ 0, NULL, NULL, 0 }
};
