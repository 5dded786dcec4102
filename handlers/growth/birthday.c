/*
 * The coupons of the privileges by date, each issued by a daily job
 * through coupon_grant() with the template's stock and per-member limits.
 *
 * The birthday coupon (settings/privileges birthday.coupon): a daily job
 * issues it days_before the birthday (or on any later day up to the
 * birthday, when the job or the member came late), through coupon_grant()
 * with the template's stock and per-member limits. One row of
 * birthday_grants per member and birthday year decides that it is issued
 * once a year however often the job runs; a grant the template refuses
 * (out of stock, limit reached) is recorded as refused and counted.
 *
 * The gift coupon of a member day or a holiday (coupon_template_id): the
 * job privilege-coupons issues it on the day to each member whose tier
 * the rule covers, once per occurrence (the member day's date; the
 * holiday's range, however many of its days the job runs on), decided by
 * a row of privilege_gifts.
 *
 * A member blocked by staff (冻结) is passed over by both, without a row:
 * unblocked while the occasion lasts (up to the birthday, within the
 * holiday), a later day's run still gives it.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "coupon/coupon.h"
#include "db.h"
#include "job.h"
#include "tier/tier.h"

#define BIRTHDAY_BATCH	200

enum { BM_ID, BM_MONTH, BM_DAY, BM_GROWTH, BM_NCOLS };
DB_SQL_COLS(q_bday_members, BM_NCOLS,
    "SELECT id, MONTH(birthday), DAYOFMONTH(birthday), growth FROM members"
    " WHERE merchant_id = ? AND id > ? AND birthday IS NOT NULL"
    " AND blocked_at IS NULL ORDER BY id LIMIT ?");
DB_SQL(q_bday_claim,
    "INSERT IGNORE INTO birthday_grants (merchant_id, member_id, year,"
    " birthday, template_id, result, created_at)"
    " VALUES (?, ?, ?, ?, ?, 'pending', UTC_TIMESTAMP())");
DB_SQL(q_bday_result,
    "UPDATE birthday_grants SET coupon_code = ?, result = ?"
    " WHERE merchant_id = ? AND member_id = ? AND year = ?");

static int birthday_coupons_batch(struct job_run *);

JOB(birthday_coupons_job) = {
	"birthday-coupons", "生日券", JOB_DAILY, 8,
	{ "发放张数", "超出限领", NULL, NULL },
	birthday_coupons_batch,
	0,
};

/* One member's coupon for the birthday on day bday. 0, or the status. */
static int
grant_one(struct job_run *j, int64_t member, int64_t tpl, int64_t bday)
{
	struct req *r = j->r;
	struct db_res res;
	cJSON *coupon, *code;
	char date[11];
	int y, m, d, st;

	tier_ymd(bday, &y, &m, &d);
	snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
	if (DB(r, &q_bday_claim, &res, DBI(r->m->id), DBI(member), DBI(y),
	    DBS(date), DBI(tpl)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 0;		/* issued (or refused) this year already */
	if ((st = coupon_grant(r, member, tpl, "birthday", &coupon)) >= 500)
		return st;
	if (st != 0) {
		resp_reset(r);
		j->count[1]++;
		if (DB(r, &q_bday_result, NULL, DBNULL, DBS("refused"),
		    DBI(r->m->id), DBI(member), DBI(y)) != DB_OK)
			return db_fail(r);
		return 0;
	}
	code = cJSON_GetObjectItem(coupon, "code");
	j->count[0]++;
	if (DB(r, &q_bday_result, NULL, DBS(cJSON_IsString(code) ?
	    code->valuestring : NULL), DBS("issued"), DBI(r->m->id),
	    DBI(member), DBI(y)) != DB_OK)
		return db_fail(r);
	return 0;
}

static int
birthday_coupons_batch(struct job_run *j)
{
	struct req *r = j->r;
	struct priv_cfg pc;
	const struct priv_rule *rule = NULL;
	const struct tier_row *tier;
	struct db_res res;
	int64_t today, bday;
	int y, m, d, i, st, limit = job_batch_limit(BIRTHDAY_BATCH);

	if ((st = privilege_cfg_load(r, &pc)) != 0)
		return st;
	for (i = 0; i < pc.nrules; i++)
		if (pc.rules[i].kind == PRIV_BIRTHDAY)
			rule = &pc.rules[i];
	if (rule == NULL || pc.coupon_template_id <= 0 ||
	    sscanf(j->day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return JOB_DONE;
	today = tier_day(y, m, d);
	if (DB(r, &q_bday_members, &res, DBI(r->m->id), DBI(j->cursor),
	    DBI(limit)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		int bm = (int)db_int(&res, i, BM_MONTH);
		int bd = (int)db_int(&res, i, BM_DAY);

		j->cursor = db_int(&res, i, BM_ID);
		bday = priv_birthday_in(y, bm, bd);
		if (bday < today)
			bday = priv_birthday_in(y + 1, bm, bd);
		if (bday - today > pc.coupon_days_before)
			continue;
		if ((st = tier_of_growth(r, db_int(&res, i, BM_GROWTH), &tier,
		    NULL)) != 0)
			return st;
		if (!priv_tier_ok(rule, tier != NULL ? tier->level : -1))
			continue;
		if ((st = grant_one(j, j->cursor, pc.coupon_template_id,
		    bday)) != 0)
			return st;
	}
	return res.nrows < limit ? JOB_DONE : JOB_MORE;
}

/* ---- member days and holidays ---- */

enum { GM_ID, GM_GROWTH, GM_NCOLS };
DB_SQL_COLS(q_gift_members, GM_NCOLS,
    "SELECT id, growth FROM members WHERE merchant_id = ? AND id > ?"
    " AND blocked_at IS NULL ORDER BY id LIMIT ?");
DB_SQL(q_gift_claim,
    "INSERT IGNORE INTO privilege_gifts (merchant_id, member_id,"
    " occurrence, template_id, result, created_at)"
    " VALUES (?, ?, ?, ?, 'pending', UTC_TIMESTAMP())");
DB_SQL(q_gift_result,
    "UPDATE privilege_gifts SET coupon_code = ?, result = ?"
    " WHERE merchant_id = ? AND member_id = ? AND occurrence = ?"
    " AND template_id = ?");

static int privilege_coupons_batch(struct job_run *);

JOB(privilege_coupons_job) = {
	"privilege-coupons", "会员日与节日赠券", JOB_DAILY, 7,
	{ "发放张数", "超出限领", NULL, NULL },
	privilege_coupons_batch,
	0,
};

/* "md:2026-12-01", "hd:2026-11-11:2026-11-12": what is given once. */
static const char *
occurrence(struct req *r, const struct priv_rule *p, int64_t today)
{
	int y, m, d, y2, m2, d2;

	if (p->kind == PRIV_MEMBER_DAY) {
		tier_ymd(today, &y, &m, &d);
		return arena_printf(r->a, "md:%04d-%02d-%02d", y, m, d);
	}
	tier_ymd(p->from, &y, &m, &d);
	tier_ymd(p->to, &y2, &m2, &d2);
	return arena_printf(r->a, "hd:%04d-%02d-%02d:%04d-%02d-%02d", y, m, d,
	    y2, m2, d2);
}

/* One member's gift of rule p, once per occurrence. 0, or the status. */
static int
gift_one(struct job_run *j, int64_t member, const struct priv_rule *p,
    const char *occ)
{
	struct req *r = j->r;
	struct db_res res;
	cJSON *coupon, *code;
	int64_t tpl = p->coupon_template_id;
	int st;

	if (DB(r, &q_gift_claim, &res, DBI(r->m->id), DBI(member), DBS(occ),
	    DBI(tpl)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return 0;		/* given (or refused) already */
	if ((st = coupon_grant(r, member, tpl, p->kind == PRIV_MEMBER_DAY ?
	    "member_day" : "holiday", &coupon)) >= 500)
		return st;
	code = st == 0 ? cJSON_GetObjectItem(coupon, "code") : NULL;
	if (st != 0)
		resp_reset(r);
	j->count[st == 0 ? 0 : 1]++;
	if (DB(r, &q_gift_result, NULL, DBS(cJSON_IsString(code) ?
	    code->valuestring : NULL), DBS(st == 0 ? "issued" : "refused"),
	    DBI(r->m->id), DBI(member), DBS(occ), DBI(tpl)) != DB_OK)
		return db_fail(r);
	return 0;
}

static int
privilege_coupons_batch(struct job_run *j)
{
	struct req *r = j->r;
	struct priv_cfg pc;
	const struct priv_rule *on[PRIV_MAX_RULES];
	const char *occ[PRIV_MAX_RULES];
	const struct tier_row *tier;
	struct db_res res;
	int64_t today;
	int y, m, d, i, k, n = 0, st, limit = job_batch_limit(BIRTHDAY_BATCH);

	if ((st = privilege_cfg_load(r, &pc)) != 0)
		return st;
	if (sscanf(j->day, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return JOB_DONE;
	today = tier_day(y, m, d);
	/* the rules with a gift that are on today, for some tier */
	for (i = 0; i < pc.nrules; i++) {
		const struct priv_rule *p = &pc.rules[i];
		struct priv_rule any = *p;

		if (p->kind == PRIV_BIRTHDAY || p->coupon_template_id <= 0)
			continue;
		any.ntiers = 0;
		if (!priv_rule_on(&any, today, -1, 0, 0))
			continue;
		on[n] = p;
		occ[n++] = occurrence(r, p, today);
	}
	if (n == 0)
		return JOB_DONE;
	if (DB(r, &q_gift_members, &res, DBI(r->m->id), DBI(j->cursor),
	    DBI(limit)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		j->cursor = db_int(&res, i, GM_ID);
		if ((st = tier_of_growth(r, db_int(&res, i, GM_GROWTH), &tier,
		    NULL)) != 0)
			return st;
		for (k = 0; k < n; k++) {
			if (!priv_tier_ok(on[k], tier != NULL ? tier->level :
			    -1))
				continue;
			if ((st = gift_one(j, j->cursor, on[k], occ[k])) != 0)
				return st;
		}
	}
	return res.nrows < limit ? JOB_DONE : JOB_MORE;
}
