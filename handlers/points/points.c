/*
 * The points ledger in lots: settings, earning with caps, spending
 * oldest expiry first, giving back, taking back into negative points,
 * the member's view, the join and profile bonuses, and the daily job
 * that expires lots. See points.h.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "job.h"
#include "member/member.h"
#include "points.h"
#include "tier/tier.h"

#define LOTS_MAX	2000	/* lots read at once for one member */
#define EXPIRE_BATCH	100	/* members a batch of the job expires */

/* ---- statements ---- */

enum { PS_EARN, PS_ORDER_CAP, PS_DAY_CAP, PS_JOIN, PS_PROFILE, PS_EXPIRY,
    PS_MONTHS, PS_RATE, PS_NCOLS };
DB_SQL_COLS(q_ps_get, PS_NCOLS,
    "SELECT s.earn_enabled, s.per_order_cap, s.per_day_cap, s.join_points,"
    " s.profile_points, s.expiry_mode, s.expiry_months, m.points_per_yuan"
    " FROM merchants m LEFT JOIN points_settings s ON s.merchant_id = m.id"
    " WHERE m.id = ?");
DB_SQL(q_ps_save,
    "INSERT INTO points_settings (merchant_id, earn_enabled, per_order_cap,"
    " per_day_cap, join_points, profile_points, expiry_mode, expiry_months,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())"
    " ON DUPLICATE KEY UPDATE earn_enabled = VALUES(earn_enabled),"
    " per_order_cap = VALUES(per_order_cap),"
    " per_day_cap = VALUES(per_day_cap), join_points = VALUES(join_points),"
    " profile_points = VALUES(profile_points),"
    " expiry_mode = VALUES(expiry_mode),"
    " expiry_months = VALUES(expiry_months), updated_at = UTC_TIMESTAMP()");
DB_SQL(q_ps_rate,
    "UPDATE merchants SET points_per_yuan = ? WHERE id = ?");

enum { ML_POINTS, ML_NEGATIVE, ML_NCOLS };
DB_SQL_COLS(q_pm_lock, ML_NCOLS,
    "SELECT points, negative_points FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL_COLS(q_pm_read, ML_NCOLS,
    "SELECT points, negative_points FROM members"
    " WHERE merchant_id = ? AND id = ?");
/* credit: to the lots, pay off negative points */
DB_SQL(q_pm_credit,
    "UPDATE members SET points = points + ?,"
    " negative_points = negative_points - ?"
    " WHERE merchant_id = ? AND id = ? AND negative_points >= ?");
/* debit: from the lots, the shortfall owed */
DB_SQL(q_pm_debit,
    "UPDATE members SET points = points - ?,"
    " negative_points = negative_points + ?"
    " WHERE merchant_id = ? AND id = ? AND points >= ?");
DB_SQL(q_pe_insert,
    "INSERT INTO points_entries (merchant_id, member_id, kind, points, ref,"
    " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_lot_insert,
    "INSERT INTO points_lots (merchant_id, member_id, points, left_points,"
    " expires_on, kind, ref, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
enum { LT_ID, LT_LEFT, LT_NCOLS };
/* the lots to spend from: oldest expiry first, never-expiring last */
DB_SQL_COLS(q_lots_fifo, LT_NCOLS,
    "SELECT id, left_points FROM points_lots"
    " WHERE merchant_id = ? AND member_id = ? AND left_points > 0"
    " ORDER BY expires_on IS NULL, expires_on, id LIMIT 2000 FOR UPDATE");
/* the lots to take back from: those ref earned first */
DB_SQL_COLS(q_lots_back, LT_NCOLS,
    "SELECT id, left_points FROM points_lots"
    " WHERE merchant_id = ? AND member_id = ? AND left_points > 0"
    " ORDER BY ref = ? DESC, expires_on IS NULL, expires_on, id"
    " LIMIT 2000 FOR UPDATE");
DB_SQL(q_lot_take,
    "UPDATE points_lots SET left_points = left_points - ?"
    " WHERE id = ? AND merchant_id = ? AND left_points >= ?");
DB_SQL(q_lot_use_insert,
    "INSERT INTO points_lot_uses (merchant_id, member_id, ref, lot_id,"
    " points) VALUES (?, ?, ?, ?, ?)");
enum { LU_ID, LU_LOT, LU_POINTS, LU_NCOLS };
DB_SQL_COLS(q_lot_uses, LU_NCOLS,
    "SELECT id, lot_id, points FROM points_lot_uses"
    " WHERE merchant_id = ? AND member_id = ? AND ref = ? AND points > 0"
    " ORDER BY id DESC LIMIT 2000 FOR UPDATE");
DB_SQL(q_lot_use_back,
    "UPDATE points_lot_uses SET points = points - ?"
    " WHERE id = ? AND points >= ?");
DB_SQL(q_lot_restore,
    "UPDATE points_lots SET left_points = left_points + ?"
    " WHERE id = ? AND merchant_id = ? AND left_points + ? <= points");
enum { ED_POINTS, ED_NCOLS };
DB_SQL_COLS(q_earn_day, ED_NCOLS,
    "SELECT points FROM points_earn_days"
    " WHERE merchant_id = ? AND member_id = ? AND day = ? FOR UPDATE");
DB_SQL(q_earn_day_add,
    "INSERT INTO points_earn_days (merchant_id, member_id, day, points)"
    " VALUES (?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE points = points + VALUES(points)");
enum { PX_ON, PX_POINTS, PX_NCOLS };
DB_SQL_COLS(q_expiring, PX_NCOLS,
    "SELECT expires_on, SUM(left_points) FROM points_lots"
    " WHERE merchant_id = ? AND member_id = ? AND left_points > 0"
    " AND expires_on IS NOT NULL GROUP BY expires_on ORDER BY expires_on"
    " LIMIT 12");
enum { PE_ID, PE_KIND, PE_POINTS, PE_REF, PE_AT, PE_NCOLS };
DB_SQL_COLS(q_entries, PE_NCOLS,
    "SELECT id, kind, points, ref, created_at FROM points_entries"
    " WHERE merchant_id = ? AND member_id = ? AND (? = 0 OR id < ?)"
    " ORDER BY id DESC LIMIT ?");
enum { PF_NAME, PF_BIRTHDAY, PF_NCOLS };
DB_SQL_COLS(q_profile, PF_NCOLS,
    "SELECT name, birthday FROM members WHERE merchant_id = ? AND id = ?");
/* the job */
enum { XM_MEMBER, XM_NCOLS };
DB_SQL_COLS(q_expire_members, XM_NCOLS,
    "SELECT DISTINCT member_id FROM points_lots"
    " WHERE merchant_id = ? AND expires_on < ? AND left_points > 0"
    " AND member_id > ? ORDER BY member_id LIMIT ?");
DB_SQL_COLS(q_expire_lots, LT_NCOLS,
    "SELECT id, left_points FROM points_lots"
    " WHERE merchant_id = ? AND member_id = ? AND expires_on < ?"
    " AND left_points > 0 FOR UPDATE");

/* ---- settings ---- */

int
points_cfg_load(struct req *r, struct points_cfg *c)
{
	struct db_res res;

	points_cfg_default(c);
	if (DB(r, &q_ps_get, &res, DBI(r->m->id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	c->per_yuan = db_int(&res, 0, PS_RATE);
	if (db_isnull(&res, 0, PS_EARN))
		return 0;
	c->earn_enabled = db_int(&res, 0, PS_EARN) != 0;
	c->per_order_cap = db_isnull(&res, 0, PS_ORDER_CAP) ? POINTS_NONE :
	    db_int(&res, 0, PS_ORDER_CAP);
	c->per_day_cap = db_isnull(&res, 0, PS_DAY_CAP) ? POINTS_NONE :
	    db_int(&res, 0, PS_DAY_CAP);
	c->join_points = db_int(&res, 0, PS_JOIN);
	c->profile_points = db_int(&res, 0, PS_PROFILE);
	if (points_expiry_parse(db_str(&res, 0, PS_EXPIRY), &c->expiry) == -1)
		c->expiry = PX_NEVER;
	c->months = (int)db_int(&res, 0, PS_MONTHS);
	return 0;
}

static void
cap_json(cJSON *o, const char *k, int64_t v)
{
	if (v == POINTS_NONE)
		j_null(o, k);
	else
		j_int(o, k, v);
}

cJSON *
points_cfg_json(const struct points_cfg *c)
{
	cJSON *d = j_obj(), *o;

	o = j_obj();
	j_bool(o, "enabled", c->earn_enabled);
	j_int(o, "points_per_yuan", c->per_yuan);
	j_add(d, "earn", o);
	o = j_obj();
	cap_json(o, "per_order", c->per_order_cap);
	cap_json(o, "per_day", c->per_day_cap);
	j_add(d, "caps", o);
	o = j_obj();
	j_int(o, "join", c->join_points);
	j_int(o, "profile", c->profile_points);
	j_add(d, "bonus", o);
	o = j_obj();
	j_str(o, "mode", points_expiry_name(c->expiry));
	j_int(o, "months", c->months);
	j_add(d, "expiry", o);
	return d;
}

int
points_cfg_save(struct req *r, const struct points_cfg *c)
{
	if (DB(r, &q_ps_save, NULL, DBI(r->m->id), DBI(c->earn_enabled),
	    DBIN(c->per_order_cap, c->per_order_cap != POINTS_NONE),
	    DBIN(c->per_day_cap, c->per_day_cap != POINTS_NONE),
	    DBI(c->join_points), DBI(c->profile_points),
	    DBS(points_expiry_name(c->expiry)), DBI(c->months)) != DB_OK ||
	    DB(r, &q_ps_rate, NULL, DBI(c->per_yuan), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	return 0;
}

/* ---- the ledger ---- */

static const char *
today(struct req *r)
{
	return arena_strndup(r->a, time_rfc3339_t(r, time_now()), 10);
}

/* The member's row lock and what it holds. 0, or the status. */
static int
member_lock(struct req *r, int64_t member_id, int64_t *points,
    int64_t *negative)
{
	struct db_res res;

	if (DB(r, &q_pm_lock, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	*points = db_int(&res, 0, ML_POINTS);
	*negative = db_int(&res, 0, ML_NEGATIVE);
	return 0;
}

static int
entry(struct req *r, int64_t member_id, const char *kind, int64_t points,
    const char *ref)
{
	if (DB(r, &q_pe_insert, NULL, DBI(r->m->id), DBI(member_id),
	    DBS(kind), DBI(points), DBS(ref)) != DB_OK)
		return db_fail(r);
	return 0;
}

/* A new lot of n points earned today under the merchant's expiry. */
static int
lot_new(struct req *r, const struct points_cfg *c, int64_t member_id,
    int64_t n, const char *kind, const char *ref)
{
	char on[11];
	int rc;

	if (n <= 0)
		return 0;
	if ((rc = points_expiry_date(c->expiry, c->months, today(r), on)) ==
	    -1) {
		log_err(r, "points: no expiry for %s", today(r));
		return resp_internal(r);
	}
	if (DB(r, &q_lot_insert, NULL, DBI(r->m->id), DBI(member_id), DBI(n),
	    DBI(n), rc == 1 ? DBS(on) : DBNULL, DBS(kind), DBS(ref)) != DB_OK)
		return db_fail(r);
	return 0;
}

/*
 * Credit n points (member locked, negative what it owes): negative
 * points first, the rest a lot (new, or restored from uses of ref) under
 * the settings cfg (NULL: read them when a new lot needs them).
 */
static int
credit(struct req *r, int64_t member_id, int64_t n, int64_t negative,
    const char *kind, const char *ref, int restore,
    const struct points_cfg *cfg)
{
	struct points_cfg c;
	struct db_res res, u;
	int64_t pay, lot, rest, g;
	int i, st;

	if (n <= 0)
		return 0;
	points_credit_split(n, negative, &pay, &lot);
	rest = lot;
	if (restore && rest > 0) {
		if (DB(r, &q_lot_uses, &res, DBI(r->m->id), DBI(member_id),
		    DBS(ref)) != DB_OK)
			return db_fail(r);
		for (i = 0; i < res.nrows && rest > 0; i++) {
			g = db_int(&res, i, LU_POINTS);
			if (g > rest)
				g = rest;
			if (DB(r, &q_lot_use_back, &u, DBI(g),
			    DBI(db_int(&res, i, LU_ID)), DBI(g)) != DB_OK)
				return db_fail(r);
			if (u.affected != 1)
				return resp_internal(r);
			/* to the lot it came from, even one past its day: the
			   next run of points-expire takes it */
			if (DB(r, &q_lot_restore, &u, DBI(g),
			    DBI(db_int(&res, i, LU_LOT)), DBI(r->m->id),
			    DBI(g)) != DB_OK)
				return db_fail(r);
			if (u.affected != 1)
				return resp_internal(r);
			rest -= g;
		}
	}
	if (rest > 0) {
		if (cfg == NULL && (st = points_cfg_load(r, &c)) != 0)
			return st;
		if ((st = lot_new(r, cfg != NULL ? cfg : &c, member_id, rest,
		    kind, ref)) != 0)
			return st;
	}
	if (DB(r, &q_pm_credit, &res, DBI(lot), DBI(pay), DBI(r->m->id),
	    DBI(member_id), DBI(pay)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_internal(r);
	return entry(r, member_id, kind, n, ref);
}

int
points_earn_order(struct req *r, int64_t member_id, int64_t raw,
    const char *ref, int64_t *credited)
{
	struct points_cfg c;
	struct db_res res;
	int64_t points, negative, so_far = 0, n;
	const char *day;
	int st;

	*credited = 0;
	if (raw <= 0)
		return 0;
	if ((st = points_cfg_load(r, &c)) != 0)
		return st;
	if (!c.earn_enabled)
		return 0;
	if ((st = member_lock(r, member_id, &points, &negative)) != 0)
		return st;
	day = today(r);
	if (c.per_day_cap != POINTS_NONE) {
		if (DB(r, &q_earn_day, &res, DBI(r->m->id), DBI(member_id),
		    DBS(day)) != DB_OK)
			return db_fail(r);
		so_far = res.nrows ? db_int(&res, 0, ED_POINTS) : 0;
	}
	n = points_capped(raw, c.per_order_cap, c.per_day_cap, so_far);
	if (n <= 0)
		return 0;
	if (DB(r, &q_earn_day_add, NULL, DBI(r->m->id), DBI(member_id),
	    DBS(day), DBI(n)) != DB_OK)
		return db_fail(r);
	if ((st = credit(r, member_id, n, negative, "order_earn", ref, 0,
	    &c)) != 0)
		return st;
	*credited = n;
	return 0;
}

/* credit() under the member's row lock, read here. */
static int
credit_locked(struct req *r, int64_t member_id, int64_t n, const char *kind,
    const char *ref, int restore)
{
	int64_t points, negative;
	int st;

	if (n <= 0)
		return 0;
	if ((st = member_lock(r, member_id, &points, &negative)) != 0)
		return st;
	return credit(r, member_id, n, negative, kind, ref, restore, NULL);
}

int
points_grant(struct req *r, int64_t member_id, int64_t n, const char *kind,
    const char *ref)
{
	return credit_locked(r, member_id, n, kind, ref, 0);
}

int
points_give_back(struct req *r, int64_t member_id, int64_t n,
    const char *kind, const char *ref)
{
	return credit_locked(r, member_id, n, kind, ref, 1);
}

/* Take n from the lots res lists, in its order, recording uses under ref
   when asked. 0, or the status (500 when they hold less). */
static int
lots_take(struct req *r, int64_t member_id, const struct db_res *res,
    int64_t n, const char *use_ref)
{
	int i, k = res->nrows < LOTS_MAX ? res->nrows : LOTS_MAX;
	int64_t *left = arena_calloc(r->a, (size_t)k + 1, sizeof(*left));
	int64_t *take = arena_calloc(r->a, (size_t)k + 1, sizeof(*take));
	int64_t got;

	for (i = 0; i < k; i++)
		left[i] = db_int(res, i, LT_LEFT);
	got = points_take(left, k, n, take);
	if (got != n) {
		log_err(r, "points: member %lld lots hold %lld of %lld",
		    (long long)member_id, (long long)got, (long long)n);
		return resp_internal(r);
	}
	for (i = 0; i < k; i++) {
		struct db_res u;
		int64_t id = db_int(res, i, LT_ID);

		if (take[i] == 0)
			continue;
		if (DB(r, &q_lot_take, &u, DBI(take[i]), DBI(id),
		    DBI(r->m->id), DBI(take[i])) != DB_OK)
			return db_fail(r);
		if (u.affected != 1)
			return resp_internal(r);
		if (use_ref != NULL && DB(r, &q_lot_use_insert, NULL,
		    DBI(r->m->id), DBI(member_id), DBS(use_ref), DBI(id),
		    DBI(take[i])) != DB_OK)
			return db_fail(r);
	}
	return 0;
}

int
points_spend(struct req *r, int64_t member_id, int64_t n, const char *kind,
    const char *ref)
{
	struct db_res res;
	int64_t points, negative;
	int st;

	if (n <= 0)
		return 0;
	if ((st = member_lock(r, member_id, &points, &negative)) != 0)
		return st;
	if (points < n)
		return resp_err(r, 409, "insufficient_points", "积分不足",
		    NULL);
	if (DB(r, &q_pm_debit, &res, DBI(n), DBI(0), DBI(r->m->id),
	    DBI(member_id), DBI(n)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "insufficient_points", "积分不足",
		    NULL);
	if (DB(r, &q_lots_fifo, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if ((st = lots_take(r, member_id, &res, n, ref)) != 0)
		return st;
	return entry(r, member_id, kind, -n, ref);
}

int
points_take_back(struct req *r, int64_t member_id, int64_t n,
    const char *kind, const char *ref, int64_t *owed_out)
{
	struct db_res res;
	int64_t points, negative, taken, owed;
	int st;

	if (owed_out != NULL)
		*owed_out = 0;
	if (n <= 0)
		return 0;
	if ((st = member_lock(r, member_id, &points, &negative)) != 0)
		return st;
	points_take_back_split(n, points, &taken, &owed);
	if (taken > 0) {
		if (DB(r, &q_lots_back, &res, DBI(r->m->id), DBI(member_id),
		    DBS(ref)) != DB_OK)
			return db_fail(r);
		if ((st = lots_take(r, member_id, &res, taken, NULL)) != 0)
			return st;
	}
	if (DB(r, &q_pm_debit, &res, DBI(taken), DBI(owed), DBI(r->m->id),
	    DBI(member_id), DBI(taken)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_internal(r);
	if (owed_out != NULL)
		*owed_out = owed;
	return entry(r, member_id, kind, -n, ref);
}

/* ---- the member's view ---- */

static const struct {
	const char *kind, *title;
} kind_titles[] = {
	{ "order_earn", "消费获得" },
	{ "order", "下单抵扣" },
	{ "order_cancel", "取消订单退回" },
	{ "order_refund", "退款退回" },
	{ "order_clawback", "退款扣回" },
	{ "payment", "余额支付获得" },
	{ "refund", "退款扣回" },
	{ "referral", "推荐奖励" },
	{ "join", "入会奖励" },
	{ "profile", "完善资料奖励" },
	{ "exchange", "积分商城兑换" },
	{ "expire", "积分过期" },
	{ "opening", "原有积分" },
	{ "tier_reward", "升级奖励" },
};

const char *
points_kind_title(const char *kind)
{
	size_t i;

	for (i = 0; kind != NULL && i < sizeof(kind_titles) /
	    sizeof(kind_titles[0]); i++)
		if (strcmp(kind, kind_titles[i].kind) == 0)
			return kind_titles[i].title;
	return "积分调整";
}

cJSON *
points_me_json(struct req *r, int64_t member_id, int64_t cursor,
    int64_t limit)
{
	struct db_res res;
	cJSON *d, *arr;
	int64_t next;
	int i, n;

	if (DB(r, &q_pm_read, &res, DBI(r->m->id), DBI(member_id)) != DB_OK ||
	    res.nrows != 1) {
		db_fail(r);
		return NULL;
	}
	d = j_obj();
	j_int(d, "points", db_int(&res, 0, ML_POINTS));
	j_int(d, "negative_points", db_int(&res, 0, ML_NEGATIVE));
	if (DB(r, &q_expiring, &res, DBI(r->m->id), DBI(member_id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_int(o, "points", db_int(&res, i, PX_POINTS));
		j_str(o, "on", db_str(&res, i, PX_ON));
		j_add(arr, NULL, o);
	}
	j_add(d, "expiring", arr);
	if (DB(r, &q_entries, &res, DBI(r->m->id), DBI(member_id),
	    DBI(cursor), DBI(cursor), DBI(limit + 1)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	n = db_page(&res, limit, PE_ID, &next);
	arr = j_arr();
	for (i = 0; i < n; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", db_int(&res, i, PE_ID));
		j_str(o, "kind", db_str(&res, i, PE_KIND));
		j_str(o, "title", points_kind_title(db_str(&res, i, PE_KIND)));
		j_int(o, "points", db_int(&res, i, PE_POINTS));
		j_str(o, "ref", db_str(&res, i, PE_REF));
		j_str(o, "at", time_rfc3339(r, db_str(&res, i, PE_AT)));
		j_add(arr, NULL, o);
	}
	j_add(d, "entries", arr);
	if (next > 0)
		j_str(d, "next_cursor", arena_printf(r->a, "%lld",
		    (long long)next));
	else
		j_null(d, "next_cursor");
	return d;
}

/* ---- joining: the join and profile bonuses ---- */

enum { PG_ONE, PG_NCOLS };
DB_SQL_COLS(q_profile_given, PG_NCOLS,
    "SELECT 1 FROM points_entries WHERE merchant_id = ? AND member_id = ?"
    " AND kind = 'profile' LIMIT 1");

/*
 * The profile bonus of cfg, once a member: when the profile is complete
 * (a name and a birthday) and it was never given. Under the member's row
 * lock, so two completions at once give it once. 0, or the status.
 */
static int
profile_bonus(struct req *r, int64_t member_id, const struct points_cfg *c)
{
	struct db_res res;
	int64_t points, negative;
	int st;

	if (c->profile_points <= 0)
		return 0;
	if ((st = member_lock(r, member_id, &points, &negative)) != 0)
		return st;
	if (DB(r, &q_profile, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1 || db_isnull(&res, 0, PF_NAME) ||
	    db_str(&res, 0, PF_NAME)[0] == '\0' ||
	    db_isnull(&res, 0, PF_BIRTHDAY))
		return 0;
	if (DB(r, &q_profile_given, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows > 0)
		return 0;
	return credit(r, member_id, c->profile_points, negative, "profile",
	    arena_printf(r->a, "member:%lld", (long long)member_id), 0, c);
}

int
points_profile_completed(struct req *r, int64_t member_id)
{
	struct points_cfg c;
	int st;

	if ((st = points_cfg_load(r, &c)) != 0)
		return st;
	return profile_bonus(r, member_id, &c);
}

static int
points_on_joined(struct req *r, const void *payload)
{
	const struct member_joined *j = payload;
	struct points_cfg c;
	int st;

	if ((st = points_cfg_load(r, &c)) != 0)
		return st;
	if (c.join_points > 0 && (st = points_grant(r, j->member_id,
	    c.join_points, "join", arena_printf(r->a, "member:%lld",
	    (long long)j->member_id))) != 0)
		return st;
	return profile_bonus(r, j->member_id, &c);
}
ON_EVENT(EV_MEMBER_JOINED, 5, points_on_joined);

/* The points of a tier's upgrade reward: a lot like any bonus, inside the
   move's transaction. */
static int
points_on_tier_rewarded(struct req *r, const void *payload)
{
	const struct tier_rewarded *ev = payload;

	return ev->points > 0 ? points_grant(r, ev->member_id, ev->points,
	    "tier_reward", ev->ref) : 0;
}
ON_EVENT(EV_TIER_REWARDED, 15, points_on_tier_rewarded);

/* ---- the job: points-expire ---- */

/*
 * Expire, for up to EXPIRE_BATCH members after j->cursor (JOB_BATCH in
 * tests), what is left
 * of their lots whose last day is before j->day: one ledger entry each.
 */
static int
points_expire_batch(struct job_run *j)
{
	struct req *r = j->r;
	struct db_res ms, lots, u;
	const char *ref = arena_printf(r->a, "expire:%s", j->day);
	int64_t member, points, negative, sum;
	int i, k, st, limit = job_batch_limit(EXPIRE_BATCH);

	if (DB(r, &q_expire_members, &ms, DBI(r->m->id), DBS(j->day),
	    DBI(j->cursor), DBI(limit)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < ms.nrows; i++) {
		member = db_int(&ms, i, XM_MEMBER);
		if ((st = member_lock(r, member, &points, &negative)) != 0)
			return st;
		if (DB(r, &q_expire_lots, &lots, DBI(r->m->id), DBI(member),
		    DBS(j->day)) != DB_OK)
			return db_fail(r);
		sum = 0;
		for (k = 0; k < lots.nrows; k++) {
			int64_t left = db_int(&lots, k, LT_LEFT);

			if (DB(r, &q_lot_take, &u, DBI(left),
			    DBI(db_int(&lots, k, LT_ID)), DBI(r->m->id),
			    DBI(left)) != DB_OK)
				return db_fail(r);
			if (u.affected != 1)
				return resp_internal(r);
			sum += left;
		}
		j->cursor = member;
		if (sum == 0)
			continue;
		if (DB(r, &q_pm_debit, &u, DBI(sum), DBI(0), DBI(r->m->id),
		    DBI(member), DBI(sum)) != DB_OK)
			return db_fail(r);
		if (u.affected != 1)
			return resp_internal(r);
		if ((st = entry(r, member, "expire", -sum, ref)) != 0)
			return st;
		j->count[0] += sum;
		j->count[1] += 1;
	}
	return ms.nrows < limit ? JOB_DONE : JOB_MORE;
}

JOB(points_expire_job) = {
	"points-expire", "积分过期", JOB_DAILY, 1,
	{ "过期积分", "涉及会员", NULL, NULL },
	points_expire_batch,
	0,
};
