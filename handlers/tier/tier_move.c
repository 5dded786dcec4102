/*
 * Tier moves: growth with its ledger (growth_entries), the one function
 * every tier move goes through (history and upgrade rewards), and what
 * the card shows of keeping a tier.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "tier.h"

DB_SQL(q_growth_add,
    "UPDATE members SET growth = growth + ?"
    " WHERE merchant_id = ? AND id = ? AND growth + ? >= 0");
enum { GL_GROWTH, GL_LEVEL, GL_NCOLS };
DB_SQL_COLS(q_growth_lock, GL_NCOLS,
    "SELECT growth, tier_level FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL(q_growth_entry,
    "INSERT INTO growth_entries (merchant_id, member_id, kind, growth, ref,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?)");
DB_SQL(q_tier_set,
    "UPDATE members SET tier_level = ?, tier_since = ?"
    " WHERE merchant_id = ? AND id = ? AND tier_level = ?");
DB_SQL(q_growth_set,
    "UPDATE members SET growth = ?"
    " WHERE merchant_id = ? AND id = ? AND growth = ?");
DB_SQL(q_tier_rollup, TIER_SQL_MOVE_ROLLUP);
DB_SQL(q_change_insert,
    "INSERT INTO tier_changes (merchant_id, member_id, from_level, to_level,"
    " reason, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
DB_SQL(q_reward_insert,
    "INSERT INTO tier_rewards (merchant_id, member_id, level, source,"
    " created_at) VALUES (?, ?, ?, ?, ?)");
/* A member blocked by staff (冻结) is granted no upgrade reward: the
   tier's reward is spent on the row of tier_rewards, nothing granted. */
enum { GB_BLOCKED, GB_NCOLS };
DB_SQL_COLS(q_reward_blocked, GB_NCOLS,
    "SELECT blocked_at IS NOT NULL FROM members"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_reward_result,
    "UPDATE tier_rewards SET coupons = ?, coupons_refused = ?,"
    " bonus_fen = ?, points = ?"
    " WHERE merchant_id = ? AND member_id = ? AND level = ?");
enum { GD_DAY, GD_GROWTH, GD_NCOLS };
DB_SQL_COLS(q_growth_days, GD_NCOLS,
    "SELECT DATE(created_at + INTERVAL ? SECOND) AS d, SUM(growth)"
    " FROM growth_entries WHERE merchant_id = ? AND member_id = ?"
    " AND created_at >= ? AND created_at < ?"
    " AND kind NOT IN ('downgrade', 'manual')"
    " GROUP BY d ORDER BY d");

static const struct tier_row *
tier_by_level(const struct tier_row *t, int n, int level)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].level == level)
			return &t[i];
	return NULL;
}

/*
 * Grant the upgrade reward of level to the member unless it had it. A
 * blocked member's (blocked: 1) is skipped for good: its row is written
 * with nothing granted and source "blocked", so that neither an unblock
 * nor a later move up grants it.
 */
static int
reward_once(struct req *r, int64_t member_id, const struct tier_row *t,
    const char *source, const char *at, int blocked, struct tier_granted *g)
{
	struct tier_rewarded ev;
	int64_t coupons = 0, refused = 0;
	int rc, st;

	if (t->nreward_tpl == 0 && t->reward_bonus_fen == 0 &&
	    t->reward_points == 0)
		return 0;
	rc = DB(r, &q_reward_insert, NULL, DBI(r->m->id), DBI(member_id),
	    DBI(t->level), DBS(blocked ? "blocked" : source), DBS(at));
	if (rc == DB_DUP)
		return 0;
	if (rc != DB_OK)
		return db_fail(r);
	if (blocked) {
		log_info(r, "tier: member %lld blocked: the reward of level %d"
		    " skipped", (long long)member_id, t->level);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.member_id = member_id;
	ev.level = t->level;
	ev.template_ids = t->reward_tpl;
	ev.ntemplates = t->nreward_tpl;
	ev.bonus_fen = t->reward_bonus_fen;
	ev.points = t->reward_points;
	ev.ref = arena_printf(r->a, "tier:%d", t->level);
	ev.coupons = &coupons;
	ev.coupons_refused = &refused;
	if ((st = event_emit(r, EV_TIER_REWARDED, &ev)) != 0)
		return st;
	if (DB(r, &q_reward_result, NULL, DBI(coupons), DBI(refused),
	    DBI(t->reward_bonus_fen), DBI(t->reward_points), DBI(r->m->id),
	    DBI(member_id), DBI(t->level)) != DB_OK)
		return db_fail(r);
	if (g != NULL) {
		g->rewards++;
		g->coupons += coupons;
		g->coupons_refused += refused;
		g->bonus_fen += t->reward_bonus_fen;
		g->points += t->reward_points;
	}
	return 0;
}

int
tier_move(struct req *r, int64_t member_id, int from, int to,
    int64_t growth_to, const char *reason, const char *source, int64_t at,
    int *moved, struct tier_granted *g)
{
	const struct tier_row *t, *x;
	struct db_res res;
	char when[20];
	int n, lv, st, any, blocked;

	*moved = 0;
	if (from == to)
		return 0;
	if ((st = tiers_load(r, &t, &n)) != 0)
		return st;
	time_sql(at, when);
	if (DB(r, &q_tier_set, &res, DBI(to), DBS(when), DBI(r->m->id),
	    DBI(member_id), DBI(from)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 0;
	*moved = 1;
	if (DB(r, &q_tier_rollup, NULL, DBI(tz_offset(r->m->tz)), DBI(from),
	    DBI(to), DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (growth_to >= 0) {
		struct db_res cur;
		int64_t held;

		if (DB(r, &q_growth_lock, &cur, DBI(r->m->id),
		    DBI(member_id)) != DB_OK || cur.nrows != 1)
			return db_fail(r);
		held = db_int(&cur, 0, GL_GROWTH);
		if (growth_to < held) {
			if (DB(r, &q_growth_set, &res, DBI(growth_to),
			    DBI(r->m->id), DBI(member_id), DBI(held)) !=
			    DB_OK || res.affected != 1)
				return db_fail(r);
			if (DB(r, &q_growth_entry, NULL, DBI(r->m->id),
			    DBI(member_id), DBS("downgrade"),
			    DBI(growth_to - held), DBS(source), DBS(when)) !=
			    DB_OK)
				return db_fail(r);
		}
	}
	if (DB(r, &q_change_insert, NULL, DBI(r->m->id), DBI(member_id),
	    DBI(from), DBI(to), DBS(reason), DBS(source), DBS(when)) != DB_OK)
		return db_fail(r);
	for (lv = from + 1, any = 0; lv <= to && !any; lv++)
		any = (x = tier_by_level(t, n, lv)) != NULL &&
		    (x->nreward_tpl > 0 || x->reward_bonus_fen > 0 ||
		    x->reward_points > 0);
	if (!any)
		return 0;	/* no reward on the way up (nor down) */
	/* read after the move's update: the member's row is locked, so a
	   block that commits first is seen and one after waits for us */
	if (DB(r, &q_reward_blocked, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	blocked = db_int(&res, 0, GB_BLOCKED) != 0;
	for (lv = from + 1; lv <= to; lv++)
		if ((x = tier_by_level(t, n, lv)) != NULL &&
		    (st = reward_once(r, member_id, x, source, when, blocked,
		    g)) != 0)
			return st;
	return 0;
}

int
tier_growth_move(struct req *r, int64_t member_id, int64_t delta,
    const char *kind, const char *ref)
{
	const struct tier_row *cur;
	struct db_res res, upd;
	int64_t growth, now = time_now();
	char when[20];
	int level, moved, st;

	/* a tier held by hand keeps its threshold (tier_manual.c) */
	if ((st = tier_hold_floor(r, member_id, &delta)) != 0)
		return st;
	if (delta == 0)
		return 0;
	if (DB(r, &q_growth_add, &upd, DBI(delta), DBI(r->m->id),
	    DBI(member_id), DBI(delta)) != DB_OK ||
	    DB(r, &q_growth_lock, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows != 1) {
		log_err(r, "tier: growth of member %lld: not found",
		    (long long)member_id);
		return resp_internal(r);
	}
	growth = db_int(&res, 0, GL_GROWTH);
	level = (int)db_int(&res, 0, GL_LEVEL);
	if (upd.affected != 1) {
		/* what is taken back is at most what the member holds (a
		   downgrade may have set its growth lower since it earned) */
		if (delta > 0 || growth == 0)
			return 0;
		delta = -growth;
		if (DB(r, &q_growth_add, &upd, DBI(delta), DBI(r->m->id),
		    DBI(member_id), DBI(delta)) != DB_OK || upd.affected != 1)
			return db_fail(r);
		growth = 0;
	}
	time_sql(now, when);
	if (DB(r, &q_growth_entry, NULL, DBI(r->m->id), DBI(member_id),
	    DBS(kind), DBI(delta), DBS(ref), DBS(when)) != DB_OK)
		return db_fail(r);
	if ((st = tier_of_growth(r, growth, &cur, NULL)) != 0)
		return st;
	if (cur == NULL || cur->level == level)
		return 0;
	return tier_move(r, member_id, level, cur->level, -1,
	    cur->level > level ? "growth" : "refund", ref ? ref : kind, now,
	    &moved, NULL);
}

/* ---- the card: keeping the tier ---- */

/* Local day of a unix time in the zone off. */
static int64_t
local_day(int64_t t, long off)
{
	return floor_div(t + off, 86400);
}

static const char *
day_text(struct req *r, int64_t day, int iso)
{
	int y, m, d;

	tier_ymd(day, &y, &m, &d);
	return iso ? arena_printf(r->a, "%04d-%02d-%02d", y, m, d) :
	    arena_printf(r->a, "%d年%d月%d日", y, m, d);
}

cJSON *
tier_keep_json(struct req *r, int64_t rev, int64_t member_id, int cur,
    int64_t tier_since, int64_t now)
{
	const struct tier_row *t;
	struct tier_policy p;
	struct db_res res;
	long off = tz_offset(r->m->tz);
	int64_t today, since, from, by, earned = 0, need, *days, *growth;
	char a[20], b[20];
	cJSON *o;
	int n, i;

	if (tiers_at(r, rev, &t, &n) != 0 || tier_policy_at(r, rev, &p) != 0)
		return NULL;
	if (p.mode == TIER_NONE || cur <= 0 || cur >= n ||
	    t[cur].keep_growth <= 0)
		return cJSON_CreateNull();
	today = local_day(now, off);
	since = local_day(tier_since, off);
	from = p.mode == TIER_ROLLING ?
	    tier_window_first(today, (int)p.months) * 86400 - off : tier_since;
	time_sql(from, a);
	time_sql(now + 1, b);
	if (DB(r, &q_growth_days, &res, DBI(off), DBI(r->m->id),
	    DBI(member_id), DBS(a), DBS(b)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	days = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(*days));
	growth = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(*growth));
	for (i = 0; i < res.nrows; i++) {
		int y, m, d;

		if (date_parse(db_str(&res, i, GD_DAY), &y, &m, &d) == -1)
			y = 1970, m = 1, d = 1;
		days[i] = tier_day(y, m, d);
		growth[i] = db_int(&res, i, GD_GROWTH);
		earned += growth[i];
	}
	if (p.mode == TIER_ROLLING)
		by = tier_rolling_deadline(days, growth, res.nrows,
		    t[cur].keep_growth, (int)p.months, today,
		    since + p.min_days, &need);
	else {
		by = since + p.days;
		if (by < since + p.min_days)
			by = since + p.min_days;
		if (by < today)
			by = today;
		need = t[cur].keep_growth - earned > 0 ?
		    t[cur].keep_growth - earned : 0;
	}
	o = j_obj();
	j_str(o, "mode", p.mode == TIER_ROLLING ? "rolling" : "fixed");
	if (p.mode == TIER_ROLLING)
		j_int(o, "window_months", p.months);
	j_int(o, "keep_growth", t[cur].keep_growth);
	j_int(o, "earned", earned);
	j_int(o, "needed", need);
	j_str(o, "by", day_text(r, by, 1));
	j_str(o, "by_text", day_text(r, by, 0));
	if (need > 0 && by - today <= p.notice_days)
		j_str(o, "notice", arena_printf(r->a,
		    "您的%s将于%s降级，再获得 %lld 成长值即可保级",
		    t[cur].name, day_text(r, by, 0), (long long)need));
	else
		j_null(o, "notice");
	return o;
}
