/*
 * The member's own birthday: set once (at joining or here), and again by
 * the member only a year after it was last set, so that a birthday cannot
 * be moved to collect its privileges again; a mistake in between is
 * corrected by the merchant (PUT staff/members/{id}/birthday, audited).
 */
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "points/points.h"

DB_SQL(q_my_bday_set,
    "UPDATE members SET birthday = ?, birthday_set_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND (birthday IS NULL OR"
    " COALESCE(birthday_set_at, joined_at) <= UTC_TIMESTAMP() - INTERVAL 1"
    " YEAR)");

static int
bday_set_tx(struct req *r, void *arg)
{
	const char *birthday = arg;
	struct db_res res;
	int st;

	if (DB(r, &q_my_bday_set, &res, DBS(birthday), DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "conflict",
		    "生日已设置，一年内不能再修改；如有填错请联系门店", NULL);
	/* a birthday may complete the profile: its bonus, once */
	if ((st = points_profile_completed(r, r->auth.member_id)) != 0)
		return st;
	return 200;
}

/*
 * Set the signed-in member's birthday.
 * In: {birthday (YYYY-MM-DD, up to today)}. Out: {birthday}. Errors:
 * invalid_field; 409 conflict when it was set less than a year ago.
 * Writes: members.birthday, birthday_set_at; the profile bonus when the
 * profile is complete now (points settings).
 */
static int
me_birthday_put(struct req *r)
{
	const char *b;
	char today[20];
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "birthday", 1, 10, 10, &b) == -1)
		return r->status;
	time_sql(time_now() + tz_offset(r->m->tz), today);
	today[10] = '\0';
	if (!date_valid(b, today))
		return resp_bad_field(r, "birthday",
		    "请填写正确的生日（不晚于今天）");
	if ((st = db_tx(r, bday_set_tx, (void *)b)) >= 400)
		return st;
	d = j_obj();
	j_str(d, "birthday", b);
	return resp_data(r, 200, d);
}

ROUTES(birthday_routes) = {
	{ M_PUT, "/api/v1/m/:merchant/me/birthday", me_birthday_put,
	    AUTH_MEMBER },
	{ 0, NULL, NULL, 0 }
};
