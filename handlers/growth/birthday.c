/*
 * The birthday coupon (settings/privileges birthday.coupon): a daily job
 * issues it days_before the birthday (or on any later day up to the
 * birthday, when the job or the member came late), through coupon_grant()
 * with the template's stock and per-member limits. One row of
 * birthday_grants per member and birthday year decides that it is issued
 * once a year however often the job runs; a grant the template refuses
 * (out of stock, limit reached) is recorded as refused and counted.
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
    " ORDER BY id LIMIT ?");
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

	priv_civil(bday, &y, &m, &d);
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
	today = priv_days(y, m, d);
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
