/*
 * settings/privileges (生日、会员日与节日特权; owner, marketing) and the
 * staff change of a member's birthday (owner, with a reason, audited).
 * The settings are kept as the JSON GET returns (privilege_settings.body);
 * orders, the card and the birthday coupons read them through
 * privilege_cfg_load() (tier/privilege.c).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "tier/tier.h"

enum { PB_BODY, PB_NCOLS };
DB_SQL_COLS(q_priv_body, PB_NCOLS,
    "SELECT body FROM privilege_settings WHERE merchant_id = ?");
DB_SQL(q_priv_save,
    "INSERT INTO privilege_settings (merchant_id, body, updated_at)"
    " VALUES (?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE"
    " body = VALUES(body), updated_at = VALUES(updated_at)");
enum { PT_ID, PT_NCOLS };
DB_SQL_COLS(q_priv_tpl, PT_NCOLS,
    "SELECT id FROM coupon_templates WHERE merchant_id = ? AND id = ?");
enum { SB_BIRTHDAY, SB_NCOLS };
DB_SQL_COLS(q_member_bday_lock, SB_NCOLS,
    "SELECT DATE_FORMAT(birthday, '%Y-%m-%d') FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL(q_member_bday_set,
    "UPDATE members SET birthday = ?, birthday_set_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ?");

#define HOLIDAY_NAME_MAX	16
#define HOLIDAY_SPAN_MAX	366

static const char *const kind_keys[PRIV_NKINDS] = {
	"birthday", "member_day", "holiday"
};

/*
 * GET settings/privileges: the saved settings, or the defaults (nothing
 * on, best for the member).
 */
static int
settings_privileges_get(struct req *r)
{
	struct db_res res;
	cJSON *d = NULL;

	if (DB(r, &q_priv_body, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 1)
		d = cJSON_Parse(db_str(&res, 0, PB_BODY));
	if (!cJSON_IsObject(d))
		d = privilege_default_json();
	return resp_data(r, 200, d);
}

/* ---- validation, each field into the canonical JSON out ---- */

static int
bool_in(struct req *r, cJSON *o, const char *key, const char *f, int *v)
{
	cJSON *x = json_member(o, key);

	if (!cJSON_IsBool(x))
		return resp_bad_field(r, f, "应为 true 或 false"), -1;
	*v = cJSON_IsTrue(x);
	return 0;
}

/* discount_pct, points_multiplier and tiers of one privilege. */
static int
terms_in(struct req *r, cJSON *o, const char *f, const struct tier_row *t,
    int nt, cJSON *out, int *any)
{
	cJSON *x, *v, *arr;
	int64_t pct;
	double m;
	int rc, i, n = 0;

	rc = req_obj_int(r, o, "discount_pct", arena_printf(r->a,
	    "%s.discount_pct", f), 0, 1, 99, &pct);
	if (rc == -1) {
		resp_reset(r);
		return resp_bad_field(r, arena_printf(r->a, "%s.discount_pct",
		    f), "折扣应在 1 到 99 之间（85 即 8.5折）"), -1;
	}
	if (rc == 0)
		j_int(out, "discount_pct", pct);
	else
		j_null(out, "discount_pct");
	*any = rc == 0;
	x = json_member(o, "points_multiplier");
	if (x != NULL) {
		m = cJSON_IsNumber(x) ? x->valuedouble : -1;
		if (m < 1 || m > 10 || fabs(m * 100 - round(m * 100)) > 1e-6)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.points_multiplier", f),
			    "积分倍数应在 1 到 10 倍之间，最多两位小数"), -1;
		cJSON_AddNumberToObject(out, "points_multiplier",
		    (double)(int64_t)(m * 100 + 0.5) / 100);
		*any |= m > 1;
	} else
		j_null(out, "points_multiplier");
	x = json_member(o, "tiers");
	if (x == NULL || (cJSON_IsString(x) && strcmp(x->valuestring, "all")
	    == 0)) {
		j_str(out, "tiers", "all");
		return 0;
	}
	if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) < 1 ||
	    cJSON_GetArraySize(x) > PRIV_MAX_TIERS)
		return resp_bad_field(r, arena_printf(r->a, "%s.tiers", f),
		    "适用等级应为全部会员或至少选择一个等级"), -1;
	arr = j_arr();
	cJSON_ArrayForEach(v, x) {
		int64_t lv;

		if (json_integer(v, &lv) == -1)
			lv = -1;
		for (i = 0; i < nt; i++)
			if (t[i].level == lv)
				break;
		if (i == nt)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.tiers[%d]", f, n), "该会员等级不存在"), -1;
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)lv));
		n++;
	}
	j_add(out, "tiers", arr);
	return 0;
}

static int
template_exists(struct req *r, int64_t id, int *found)
{
	struct db_res res;

	if (DB(r, &q_priv_tpl, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	*found = res.nrows == 1;
	return 0;
}

static int
birthday_in(struct req *r, cJSON *o, const struct tier_row *t, int nt,
    cJSON *out)
{
	cJSON *x, *c, *co;
	int on, any, found = 0, st, rc;
	int64_t tpl, days;

	if (!cJSON_IsObject(o))
		return resp_bad_field(r, "birthday", "请填写生日特权设置"), -1;
	if (bool_in(r, o, "enabled", "birthday.enabled", &on) == -1)
		return -1;
	j_bool(out, "enabled", on);
	x = json_member(o, "window");
	if (!cJSON_IsString(x) || (strcmp(x->valuestring, "day") &&
	    strcmp(x->valuestring, "week") && strcmp(x->valuestring, "month")))
		return resp_bad_field(r, "birthday.window",
		    "生日特权时段应为生日当天、当周或当月"), -1;
	j_str(out, "window", x->valuestring);
	if (terms_in(r, o, "birthday", t, nt, out, &any) == -1)
		return -1;
	co = j_obj();
	c = json_member(o, "coupon");
	tpl = 0;
	days = 0;
	if (c != NULL && !cJSON_IsObject(c))
		return resp_bad_field(r, "birthday.coupon", "生日券设置不正确"),
		    -1;
	if ((rc = req_obj_int(r, c, "template_id", "birthday.coupon.template_id",
	    0, 1, INT64_MAX / 2, &tpl)) == -1)
		return -1;
	if (rc == 0) {
		if ((st = template_exists(r, tpl, &found)) != 0)
			return -1;
		if (!found)
			return resp_bad_field(r, "birthday.coupon.template_id",
			    "优惠券不存在"), -1;
		j_int(co, "template_id", tpl);
	} else {
		tpl = 0;
		j_null(co, "template_id");
	}
	if (req_obj_int(r, c, "days_before", "birthday.coupon.days_before", 0,
	    0, 30, &days) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "birthday.coupon.days_before",
		    "生日券应在生日前 0 到 30 天发放"), -1;
	}
	j_int(co, "days_before", days);
	j_add(out, "coupon", co);
	if (on && !any && tpl == 0)
		return resp_bad_field(r, "birthday",
		    "请至少设置折扣、积分倍数或生日券中的一项"), -1;
	return 0;
}

/*
 * The optional gift coupon of a member day or holiday (f its field):
 * coupon_template_id, a template of the merchant, or absent or null. *on
 * is 1 when one is set. 0, or -1 (recorded).
 */
static int
gift_in(struct req *r, cJSON *o, const char *f, cJSON *out, int *on)
{
	int64_t tpl;
	int rc, found = 0;

	*on = 0;
	if ((rc = req_obj_int(r, o, "coupon_template_id", f, 0, 1,
	    INT64_MAX / 2, &tpl)) == -1) {
		resp_reset(r);
		return resp_bad_field(r, f, "请选择赠送的优惠券"), -1;
	}
	if (rc != 0) {
		j_null(out, "coupon_template_id");
		return 0;
	}
	if (template_exists(r, tpl, &found) != 0)
		return -1;
	if (!found)
		return resp_bad_field(r, f, "优惠券不存在"), -1;
	j_int(out, "coupon_template_id", tpl);
	*on = 1;
	return 0;
}

static int
member_day_in(struct req *r, cJSON *o, const struct tier_row *t, int nt,
    cJSON *out)
{
	cJSON *x;
	int on, any, month, gift;
	int64_t day;

	if (!cJSON_IsObject(o))
		return resp_bad_field(r, "member_day", "请填写会员日设置"), -1;
	if (bool_in(r, o, "enabled", "member_day.enabled", &on) == -1)
		return -1;
	j_bool(out, "enabled", on);
	x = json_member(o, "every");
	if (!cJSON_IsString(x) || (strcmp(x->valuestring, "week") &&
	    strcmp(x->valuestring, "month")))
		return resp_bad_field(r, "member_day.every",
		    "会员日应为每周或每月"), -1;
	month = strcmp(x->valuestring, "month") == 0;
	j_str(out, "every", x->valuestring);
	if (req_obj_int(r, o, "day", "member_day.day", 1, 1, month ? 31 : 7,
	    &day) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "member_day.day", month ?
		    "每月会员日应为 1 到 31 日" : "每周会员日应为周一到周日"), -1;
	}
	j_int(out, "day", day);
	if (terms_in(r, o, "member_day", t, nt, out, &any) == -1 ||
	    gift_in(r, o, "member_day.coupon_template_id", out, &gift) == -1)
		return -1;
	if (on && !any && !gift)
		return resp_bad_field(r, "member_day",
		    "请至少设置折扣、积分倍数或赠券中的一项"), -1;
	return 0;
}

static int
date_in(struct req *r, cJSON *o, const char *key, const char *f,
    int64_t *day, cJSON *out)
{
	cJSON *x = json_member(o, key);
	int y, m, d;

	if (!cJSON_IsString(x) || strlen(x->valuestring) != 10 ||
	    date_parse(x->valuestring, &y, &m, &d) == -1 || y < 2000 ||
	    y > 2100)
		return resp_bad_field(r, f, "日期应为 YYYY-MM-DD"), -1;
	*day = tier_day(y, m, d);
	j_str(out, key, x->valuestring);
	return 0;
}

static int
holidays_in(struct req *r, cJSON *arr, const struct tier_row *t, int nt,
    cJSON *out)
{
	cJSON *h, *x;
	int i = 0, any, gift;
	int64_t from, to;
	size_t chars;

	if (arr == NULL)
		return 0;
	if (!cJSON_IsArray(arr))
		return resp_bad_field(r, "holidays", "应为节日列表"), -1;
	if (cJSON_GetArraySize(arr) > PRIV_MAX_HOLIDAYS)
		return resp_bad_field(r, "holidays", arena_printf(r->a,
		    "最多设置 %d 个节日", PRIV_MAX_HOLIDAYS)), -1;
	cJSON_ArrayForEach(h, arr) {
		const char *f = arena_printf(r->a, "holidays[%d]", i);
		cJSON *o = j_obj();

		if (!cJSON_IsObject(h))
			return resp_bad_field(r, f, "应为对象"), -1;
		x = json_member(h, "name");
		if (!cJSON_IsString(x) || !utf8_text_ok(x->valuestring,
		    &chars) || chars < 1 || chars > HOLIDAY_NAME_MAX ||
		    strchr(x->valuestring, '\n') != NULL)
			return resp_bad_field(r, arena_printf(r->a, "%s.name",
			    f), "请填写节日名称（1 到 16 个字）"), -1;
		j_str(o, "name", x->valuestring);
		if (date_in(r, h, "from", arena_printf(r->a, "%s.from", f),
		    &from, o) == -1 ||
		    date_in(r, h, "to", arena_printf(r->a, "%s.to", f), &to,
		    o) == -1)
			return -1;
		if (to < from)
			return resp_bad_field(r, arena_printf(r->a, "%s.to", f),
			    "结束日期不能早于开始日期"), -1;
		if (to - from >= HOLIDAY_SPAN_MAX)
			return resp_bad_field(r, arena_printf(r->a, "%s.to", f),
			    "一个节日最长一年"), -1;
		if (terms_in(r, h, f, t, nt, o, &any) == -1 ||
		    gift_in(r, h, arena_printf(r->a, "%s.coupon_template_id",
		    f), o, &gift) == -1)
			return -1;
		if (!any && !gift)
			return resp_bad_field(r, f,
			    "请至少设置折扣、积分倍数或赠券中的一项"), -1;
		j_add(out, NULL, o);
		i++;
	}
	return 0;
}

static int
priority_in(struct req *r, cJSON *j, cJSON *out)
{
	cJSON *x = json_member(j, "priority"), *v, *arr = j_arr();
	int seen[PRIV_NKINDS] = { 0 }, k, n = 0;

	if (x == NULL) {
		for (k = 0; k < PRIV_NKINDS; k++)
			cJSON_AddItemToArray(arr,
			    cJSON_CreateString(kind_keys[k]));
		j_add(out, "priority", arr);
		return 0;
	}
	if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) != PRIV_NKINDS)
		goto bad;
	cJSON_ArrayForEach(v, x) {
		for (k = 0; k < PRIV_NKINDS; k++)
			if (cJSON_IsString(v) &&
			    strcmp(v->valuestring, kind_keys[k]) == 0)
				break;
		if (k == PRIV_NKINDS || seen[k]++)
			goto bad;
		cJSON_AddItemToArray(arr, cJSON_CreateString(kind_keys[k]));
		n++;
	}
	j_add(out, "priority", arr);
	return 0;
bad:
	return resp_bad_field(r, "priority",
	    "优先顺序应包含生日、会员日和节日各一次"), -1;
}

struct priv_put {
	cJSON		*out;
};

static int
privileges_put_tx(struct req *r, void *arg)
{
	struct priv_put *p = arg;
	const char *body = cJSON_PrintUnformatted(p->out);
	int st;

	if (DB(r, &q_priv_save, NULL, DBI(r->m->id), DBS(body)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "settings.privileges", "merchant:privileges",
	    body, 0)) != 0)
		return st;
	card_settings_forget(r->m->id);	/* this worker's cards at once */
	return 200;
}

/*
 * Replace settings/privileges whole (owner, marketing).
 * In: {precedence:"best"|"priority", priority?:[the three kinds in order],
 * birthday:{enabled, window:"day"|"week"|"month", discount_pct?,
 * points_multiplier?, tiers?:"all"|[levels], coupon?:{template_id?,
 * days_before (0..30)}}, member_day:{enabled, every:"week"|"month", day
 * (1..7, Monday 1; or 1..31), discount_pct?, points_multiplier?, tiers?,
 * coupon_template_id? (a gift coupon on the day)}, holidays?:[{name
 * (1..16), from, to (YYYY-MM-DD, at most a year), discount_pct?,
 * points_multiplier?, tiers?, coupon_template_id?}] (at most 20)}. Out: the
 * settings as GET returns them. Errors: invalid_field naming the field;
 * nothing written then. Writes: privilege_settings, audit_log.
 */
static int
settings_privileges_put(struct req *r)
{
	struct priv_put p;
	const struct tier_row *t;
	cJSON *j, *x, *o;
	int nt, st;

	if (req_json_body(r) == -1)
		return r->status;
	j = r->json;
	if ((st = tiers_load(r, &t, &nt)) != 0)
		return st;
	p.out = j_obj();
	x = json_member(j, "precedence");
	if (!cJSON_IsString(x) || (strcmp(x->valuestring, "best") &&
	    strcmp(x->valuestring, "priority")))
		return resp_bad_field(r, "precedence",
		    "同时满足多项特权时，应选择对会员最优或按固定顺序");
	j_str(p.out, "precedence", x->valuestring);
	if (priority_in(r, j, p.out) == -1)
		return r->status;
	o = j_obj();
	if (birthday_in(r, json_member(j, "birthday"), t, nt, o) == -1)
		return r->status;
	j_add(p.out, "birthday", o);
	o = j_obj();
	if (member_day_in(r, json_member(j, "member_day"), t, nt, o) == -1)
		return r->status;
	j_add(p.out, "member_day", o);
	o = j_arr();
	if (holidays_in(r, json_member(j, "holidays"), t, nt, o) == -1)
		return r->status;
	j_add(p.out, "holidays", o);
	if ((st = db_tx(r, privileges_put_tx, &p)) >= 400)
		return st;
	return resp_data(r, 200, p.out);
}

/* ---- the staff change of a birthday ---- */

struct bday_set {
	int64_t		 member_id;
	const char	*birthday, *reason;
	const char	*before;
};

static int
bday_set_tx(struct req *r, void *arg)
{
	struct bday_set *b = arg;
	struct db_res res;
	cJSON *detail;
	int st;

	if (DB(r, &q_member_bday_lock, &res, DBI(r->m->id),
	    DBI(b->member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	b->before = db_str(&res, 0, SB_BIRTHDAY);
	if (DB(r, &q_member_bday_set, NULL, DBS(b->birthday), DBI(r->m->id),
	    DBI(b->member_id)) != DB_OK)
		return db_fail(r);
	detail = j_obj();
	j_str(detail, "from", b->before);
	j_str(detail, "to", b->birthday);
	j_str(detail, "reason", b->reason);
	if ((st = audit_log(r, "member.birthday", arena_printf(r->a,
	    "member:%lld", (long long)b->member_id),
	    cJSON_PrintUnformatted(detail), 0)) != 0)
		return st;
	return 200;
}

/*
 * Change a member's birthday (owner): the member sets it once, a change
 * after that is the merchant's, with a reason, in the audit log.
 * In: {birthday (YYYY-MM-DD, up to today), reason (1..200)}. Out:
 * {member_id, birthday, before|null}. Errors: invalid_field, 404
 * not_found. Writes: members.birthday, audit_log.
 */
static int
staff_member_birthday_put(struct req *r)
{
	struct bday_set b;
	char today[20];
	cJSON *d;
	int st;

	memset(&b, 0, sizeof(b));
	if (req_param_id(r, "id", &b.member_id) == -1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "birthday", 1, 10, 10, &b.birthday) == -1)
		return r->status;
	if (req_json_str(r, "reason", 1, 1, 600, &b.reason) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "reason", "请填写修改原因");
	}
	time_sql(time_now() + tz_offset(r->m->tz), today);
	today[10] = '\0';
	if (!date_valid(b.birthday, today))
		return resp_bad_field(r, "birthday",
		    "请填写正确的生日（不晚于今天）");
	if ((st = db_tx(r, bday_set_tx, &b)) >= 400)
		return st;
	d = j_obj();
	j_int(d, "member_id", b.member_id);
	j_str(d, "birthday", b.birthday);
	j_str(d, "before", b.before);
	return resp_data(r, 200, d);
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(privilege_routes) = {
	{ M_GET, BASE "/settings/privileges", settings_privileges_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, BASE "/settings/privileges", settings_privileges_put,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_PUT, BASE "/members/:id/birthday", staff_member_birthday_put,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ 0, NULL, NULL, 0 }
};
