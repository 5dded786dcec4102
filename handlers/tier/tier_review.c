/*
 * The daily tier review (tier-review, 会员等级复核): every member of the
 * merchant by id, a few hundred a batch, as of the run's day. A member
 * whose growth reaches a higher tier moves up (the thresholds changed);
 * one below its tier's threshold moves down; then the merchant's mode
 * (tier_review_rule): rolling keeps a tier while the growth earned in the
 * window reaches its keep_growth, fixed re-evaluates a term of days after
 * the member reached it. Every move goes through tier_move().
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "job.h"
#include "tier.h"

#define REVIEW_BATCH	500

/* RM_HELD: the last day of a tier set by hand (tier_manual.c) */
enum { RM_ID, RM_GROWTH, RM_LEVEL, RM_SINCE, RM_HELD, RM_NCOLS };
DB_SQL_COLS(q_review_members, RM_NCOLS,
    "SELECT id, growth, tier_level, COALESCE(tier_since, joined_at),"
    " COALESCE(tier_manual_until, '1000-01-01')"
    " FROM members WHERE merchant_id = ? AND id > ? ORDER BY id LIMIT ?");
DB_SQL_COLS(q_review_member_lock, RM_NCOLS,
    "SELECT id, growth, tier_level, COALESCE(tier_since, joined_at),"
    " COALESCE(tier_manual_until, '1000-01-01')"
    " FROM members WHERE merchant_id = ? AND id = ? FOR UPDATE");
enum { RW_MEMBER, RW_SUM, RW_NCOLS };
DB_SQL_COLS(q_review_windows, RW_NCOLS,
    "SELECT member_id, SUM(growth) FROM growth_entries"
    " WHERE merchant_id = ? AND member_id > ? AND member_id <= ?"
    " AND created_at >= ? AND created_at < ? AND kind NOT IN ('downgrade', 'manual')"
    " GROUP BY member_id");
enum { RS_SUM, RS_NCOLS };
DB_SQL_COLS(q_review_since, RS_NCOLS,
    "SELECT COALESCE(SUM(growth), 0) FROM growth_entries"
    " WHERE merchant_id = ? AND member_id = ? AND created_at >= ?"
    " AND created_at < ? AND kind NOT IN ('downgrade', 'manual')");
DB_SQL(q_review_renew,
    "UPDATE members SET tier_since = ?"
    " WHERE merchant_id = ? AND id = ? AND tier_level = ?");

static int
level_index(const struct tier_row *t, int n, int level)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].level == level)
			return i;
	/* out of the ladder: the rule moves it to where its growth is */
	return level < 1 ? -1 : n;
}

/* The window growth of the member from row i of res (rolling: from the
   batch's sums; fixed: since its term began). */
static int
window_of(struct req *r, const struct tier_policy *p, const struct db_res *w,
    int64_t member, int64_t since, int64_t until, int64_t *out)
{
	struct db_res res;
	char a[20], b[20];
	int i;

	*out = 0;
	if (p->mode == TIER_ROLLING) {
		for (i = 0; i < w->nrows; i++)
			if (db_int(w, i, RW_MEMBER) == member) {
				*out = db_int(w, i, RW_SUM);
				break;
			}
		return 0;
	}
	time_sql(since, a);
	time_sql(until, b);
	if (DB(r, &q_review_since, &res, DBI(r->m->id), DBI(member), DBS(a),
	    DBS(b)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	*out = db_int(&res, 0, RS_SUM);
	return 0;
}

/* The member of row i as the rule reads it. */
static void
member_of(const struct db_res *res, int i, const struct tier_row *t, int n,
    long off, struct tier_member *m, int64_t *since)
{
	time_sql_parse(db_str(res, i, RM_SINCE), since);
	m->cur = level_index(t, n, (int)db_int(res, i, RM_LEVEL));
	m->growth = db_int(res, i, RM_GROWTH);
	m->since_day = floor_div(*since + off, 86400);
	m->window = 0;
}

static int
tier_review_batch(struct job_run *j)
{
	struct req *r = j->r;
	const struct tier_row *t;
	struct tier_policy p;
	struct tier_rung rung[8];
	struct db_res res, win;
	int64_t today, first, last, since;
	const char *source;
	char a[20], b[20];
	int n, i, st, y, mo, d, limit = job_batch_limit(REVIEW_BATCH);

	if ((st = tiers_load(r, &t, &n)) != 0 ||
	    (st = tier_policy_load(r, &p)) != 0)
		return st;
	if (n == 0)
		return JOB_DONE;
	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		rung[i].growth = t[i].growth;
		rung[i].keep = i > 0 ? t[i].keep_growth : 0;
	}
	if (date_parse(j->day, &y, &mo, &d) == -1)
		return resp_internal(r);
	today = tier_day(y, mo, d);
	source = arena_printf(r->a, "job:%s", j->day);
	if (DB(r, &q_review_members, &res, DBI(r->m->id), DBI(j->cursor),
	    DBI(limit)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return JOB_DONE;
	first = j->cursor;
	last = db_int(&res, res.nrows - 1, RM_ID);
	memset(&win, 0, sizeof(win));
	if (p.mode == TIER_ROLLING) {
		time_sql(tier_window_first(today, (int)p.months) * 86400 -
		    j->tz_off, a);
		time_sql(j->now, b);
		if (DB(r, &q_review_windows, &win, DBI(r->m->id), DBI(first),
		    DBI(last), DBS(a), DBS(b)) != DB_OK)
			return db_fail(r);
	}
	for (i = 0; i < res.nrows; i++) {
		int64_t id = db_int(&res, i, RM_ID);
		struct tier_member m;
		struct tier_verdict v;
		struct tier_granted g;
		struct db_res lk;
		int moved = 0;

		/* a tier set by hand holds through its last day */
		if (strcmp(db_str(&res, i, RM_HELD), j->day) >= 0)
			continue;
		member_of(&res, i, t, n, j->tz_off, &m, &since);
		if (p.mode == TIER_FIXED && m.cur > 0 &&
		    today >= m.since_day + p.days &&
		    (st = window_of(r, &p, &win, id, since, j->now,
		    &m.window)) != 0)
			return st;
		if (p.mode == TIER_ROLLING)
			(void)window_of(r, &p, &win, id, since, j->now,
			    &m.window);
		tier_review_rule(&p, rung, n, &m, today, &v);
		if (v.kind == TIER_STAY)
			continue;
		/* decide again on the member's row, locked: an order may
		   have moved it since the batch read it */
		if (DB(r, &q_review_member_lock, &lk, DBI(r->m->id),
		    DBI(id)) != DB_OK)
			return db_fail(r);
		if (lk.nrows != 1 || strcmp(db_str(&lk, 0, RM_HELD), j->day) >= 0)
			continue;
		m.cur = level_index(t, n, (int)db_int(&lk, 0, RM_LEVEL));
		m.growth = db_int(&lk, 0, RM_GROWTH);
		tier_review_rule(&p, rung, n, &m, today, &v);
		memset(&g, 0, sizeof(g));
		switch (v.kind) {
		case TIER_UP:
		case TIER_DOWN_RULES:
		case TIER_DOWN_KEEP:
			if ((st = tier_move(r, id,
			    (int)db_int(&lk, 0, RM_LEVEL), t[v.to].level,
			    v.growth_to, v.kind == TIER_UP ? "growth" :
			    v.kind == TIER_DOWN_KEEP ? "keep" : "rules", source,
			    j->now, &moved, &g)) != 0)
				return st;
			if (moved)
				j->count[v.kind == TIER_UP ? 0 : 1]++;
			j->count[2] += g.rewards;
			break;
		case TIER_RENEW:
			time_sql(j->now, a);
			if (DB(r, &q_review_renew, NULL, DBS(a), DBI(r->m->id),
			    DBI(id), DBI(t[m.cur].level)) != DB_OK)
				return db_fail(r);
			break;
		}
	}
	j->cursor = last;
	return res.nrows < limit ? JOB_DONE : JOB_MORE;
}

JOB(tier_review_job) = {
	"tier-review", "会员等级复核", JOB_DAILY, 3,
	{ "升级人数", "降级人数", "发放奖励", NULL },
	tier_review_batch,
	0,
};
