/*
 * A tier set by hand (staff, PUT staff/members/{id}/tier): the member's
 * growth is brought to the tier's band (a "manual" growth entry, which no
 * keep window counts), the move goes through tier_move() with reason
 * "manual" and the staff's note on its history row, and the hold lasts
 * through members.tier_manual_until, a merchant-local day: the daily
 * tier-review leaves the member alone through that day, and growth taken
 * back meanwhile stops at the tier's threshold. After it, the rules of
 * the merchant's mode apply again, as to everyone.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "tier.h"

#define HOLD_FOREVER	"9999-12-31"

enum { ML_GROWTH, ML_LEVEL, ML_NCOLS };
DB_SQL_COLS(q_manual_lock, ML_NCOLS,
    "SELECT growth, tier_level FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL(q_manual_growth,
    "UPDATE members SET growth = ?"
    " WHERE merchant_id = ? AND id = ? AND growth = ?");
DB_SQL(q_manual_entry,
    "INSERT INTO growth_entries (merchant_id, member_id, kind, growth, ref,"
    " created_at) VALUES (?, ?, 'manual', ?, ?, ?)");
DB_SQL(q_manual_hold,
    "UPDATE members SET tier_manual_until = ?, tier_since = ?"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_manual_change,
    "INSERT INTO tier_changes (merchant_id, member_id, from_level, to_level,"
    " reason, source, note, created_at) VALUES (?, ?, ?, ?, 'manual', ?, ?, ?)");
DB_SQL(q_manual_note,
    "UPDATE tier_changes SET note = ? WHERE merchant_id = ? AND member_id = ?"
    " AND reason = 'manual' AND note IS NULL ORDER BY id DESC LIMIT 1");
enum { HL_GROWTH, HL_LEVEL, HL_HELD, HL_NCOLS };
DB_SQL_COLS(q_hold_lock, HL_NCOLS,
    "SELECT growth, tier_level, IFNULL(tier_manual_until >= ?, 0)"
    " FROM members WHERE merchant_id = ? AND id = ? FOR UPDATE");

const char *
tier_local_day(struct req *r, int64_t t)
{
	int y, m, d;

	tier_ymd(floor_div(t + tz_offset(r->m->tz), 86400), &y, &m, &d);
	return arena_printf(r->a, "%04d-%02d-%02d", y, m, d);
}

int
tier_set_manual(struct req *r, int64_t member_id, int level,
    const char *until, const char *note, const char *source, int *from,
    struct tier_granted *g)
{
	const struct tier_row *t;
	struct db_res res;
	int64_t growth, now = time_now(), lo, hi;
	char when[20];
	int n, k, cur, moved, st;

	*from = -1;
	if ((st = tiers_load(r, &t, &n)) != 0)
		return st;
	for (k = 0; k < n && t[k].level != level; k++)
		;
	if (k == n)
		return resp_bad_field(r, "level", "没有这个会员等级");
	lo = t[k].growth;
	hi = k + 1 < n ? t[k + 1].growth : INT64_MAX;
	if (DB(r, &q_manual_lock, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	growth = db_int(&res, 0, ML_GROWTH);
	cur = (int)db_int(&res, 0, ML_LEVEL);
	*from = cur;
	time_sql(now, when);
	/* into the tier's band: its threshold from below or from above */
	if (growth < lo || growth >= hi) {
		if (DB(r, &q_manual_growth, &res, DBI(lo), DBI(r->m->id),
		    DBI(member_id), DBI(growth)) != DB_OK ||
		    res.affected != 1)
			return db_fail(r);
		if (DB(r, &q_manual_entry, NULL, DBI(r->m->id),
		    DBI(member_id), DBI(lo - growth), DBS(source),
		    DBS(when)) != DB_OK)
			return db_fail(r);
	}
	if (cur != level) {
		if ((st = tier_move(r, member_id, cur, level, -1, "manual",
		    source, now, &moved, g)) != 0)
			return st;
		if (!moved)
			return resp_err(r, 409, "conflict", "会员等级刚刚变化，"
			    "请刷新后再试", NULL);
		if (DB(r, &q_manual_note, NULL, DBS(note), DBI(r->m->id),
		    DBI(member_id)) != DB_OK)
			return db_fail(r);
	} else if (DB(r, &q_manual_change, NULL, DBI(r->m->id),
	    DBI(member_id), DBI(cur), DBI(level), DBS(source), DBS(note),
	    DBS(when)) != DB_OK)
		return db_fail(r);
	if (DB(r, &q_manual_hold, NULL, DBS(until ? until : HOLD_FOREVER),
	    DBS(when), DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	return 0;
}

int
tier_hold_floor(struct req *r, int64_t member_id, int64_t *delta)
{
	const struct tier_row *t;
	struct db_res res;
	int64_t growth, room;
	int n, k, level, st;

	if (*delta >= 0)
		return 0;
	if (DB(r, &q_hold_lock, &res, DBS(tier_local_day(r, time_now())),
	    DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1 || db_int(&res, 0, HL_HELD) == 0)
		return 0;
	growth = db_int(&res, 0, HL_GROWTH);
	level = (int)db_int(&res, 0, HL_LEVEL);
	if ((st = tiers_load(r, &t, &n)) != 0)
		return st;
	for (k = 0; k < n && t[k].level != level; k++)
		;
	if (k == n)
		return 0;
	room = growth > t[k].growth ? growth - t[k].growth : 0;
	if (-*delta > room)
		*delta = -room;
	return 0;
}
