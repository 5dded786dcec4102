/*
 * settings/privileges as orders, the card and the birthday coupons read
 * it: the saved JSON (privilege_settings.body, exactly what GET returns,
 * validated by the PUT in staff/privileges.c) parsed into a priv_cfg.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "tier.h"

enum { PS_BODY, PS_NCOLS };
DB_SQL_COLS(q_priv_settings, PS_NCOLS,
    "SELECT body FROM privilege_settings WHERE merchant_id = ?");

static const char *const kind_keys[PRIV_NKINDS] = {
	"birthday", "member_day", "holiday"
};

cJSON *
privilege_default_json(void)
{
	cJSON *d = j_obj(), *o, *a, *c;
	int k;

	j_str(d, "precedence", "best");
	a = j_arr();
	for (k = 0; k < PRIV_NKINDS; k++)
		cJSON_AddItemToArray(a, cJSON_CreateString(kind_keys[k]));
	j_add(d, "priority", a);
	o = j_obj();
	j_bool(o, "enabled", 0);
	j_str(o, "window", "day");
	j_null(o, "discount_pct");
	j_null(o, "points_multiplier");
	j_str(o, "tiers", "all");
	c = j_obj();
	j_null(c, "template_id");
	j_int(c, "days_before", 0);
	j_add(o, "coupon", c);
	j_add(d, "birthday", o);
	o = j_obj();
	j_bool(o, "enabled", 0);
	j_str(o, "every", "week");
	j_int(o, "day", 1);
	j_null(o, "discount_pct");
	j_null(o, "points_multiplier");
	j_str(o, "tiers", "all");
	j_null(o, "coupon_template_id");
	j_add(d, "member_day", o);
	j_add(d, "holidays", j_arr());
	return d;
}

static int64_t
int_or(const cJSON *o, const char *k, int64_t dflt)
{
	cJSON *v = json_member(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

static const char *
str_of(const cJSON *o, const char *k)
{
	cJSON *v = json_member(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
day_of(const char *s, int64_t *out)
{
	int y, m, d;

	if (s == NULL || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return -1;
	*out = tier_day(y, m, d);
	return 0;
}

/* The terms every rule has: discount, multiplier, tiers. */
static void
terms_parse(const cJSON *o, struct priv_rule *r)
{
	cJSON *t = json_member(o, "tiers"), *v, *pm;

	r->discount_pct = cJSON_IsNumber(json_member(o, "discount_pct")) ?
	    int_or(o, "discount_pct", 0) : PRIV_NONE;
	pm = json_member(o, "points_multiplier");
	r->mult_pct = cJSON_IsNumber(pm) ? (int64_t)(pm->valuedouble * 100 +
	    0.5) : 100;
	r->coupon_template_id = int_or(o, "coupon_template_id", 0);
	r->ntiers = 0;
	if (cJSON_IsArray(t))
		cJSON_ArrayForEach(v, t)
			if (cJSON_IsNumber(v) && r->ntiers < PRIV_MAX_TIERS)
				r->tiers[r->ntiers++] = (int)v->valuedouble;
}

int
privilege_cfg_parse(const cJSON *j, struct priv_cfg *c)
{
	const cJSON *o, *h, *v;
	const char *s;
	struct priv_rule *r;
	int k, i;

	priv_cfg_init(c);
	if (!cJSON_IsObject(j))
		return -1;
	s = str_of(j, "precedence");
	c->by_priority = s != NULL && strcmp(s, "priority") == 0;
	i = 0;
	cJSON_ArrayForEach(v, json_member(j, "priority"))
		for (k = 0; k < PRIV_NKINDS; k++)
			if (cJSON_IsString(v) &&
			    strcmp(v->valuestring, kind_keys[k]) == 0)
				c->rank[k] = i++;
	o = json_member(j, "birthday");
	if (cJSON_IsTrue(json_member(o, "enabled"))) {
		r = &c->rules[c->nrules++];
		memset(r, 0, sizeof(*r));
		r->kind = PRIV_BIRTHDAY;
		s = str_of(o, "window");
		r->window = s == NULL ? PW_DAY : strcmp(s, "week") == 0 ?
		    PW_WEEK : strcmp(s, "month") == 0 ? PW_MONTH : PW_DAY;
		snprintf(r->name, sizeof(r->name), "生日特权");
		terms_parse(o, r);
		c->coupon_template_id = int_or(json_member(o, "coupon"),
		    "template_id", 0);
		c->coupon_days_before = (int)int_or(json_member(o, "coupon"),
		    "days_before", 0);
	}
	o = json_member(j, "member_day");
	if (cJSON_IsTrue(json_member(o, "enabled"))) {
		r = &c->rules[c->nrules++];
		memset(r, 0, sizeof(*r));
		r->kind = PRIV_MEMBER_DAY;
		s = str_of(o, "every");
		r->window = s != NULL && strcmp(s, "month") == 0 ? PW_MONTH :
		    PW_WEEK;
		r->day = (int)int_or(o, "day", 1);
		snprintf(r->name, sizeof(r->name), "会员日");
		terms_parse(o, r);
	}
	cJSON_ArrayForEach(h, json_member(j, "holidays")) {
		if (c->nrules >= PRIV_MAX_RULES)
			break;
		r = &c->rules[c->nrules];
		memset(r, 0, sizeof(*r));
		r->kind = PRIV_HOLIDAY;
		if (day_of(str_of(h, "from"), &r->from) == -1 ||
		    day_of(str_of(h, "to"), &r->to) == -1)
			continue;
		snprintf(r->name, sizeof(r->name), "%s",
		    str_of(h, "name") ? str_of(h, "name") : "节日");
		terms_parse(h, r);
		c->nrules++;
	}
	return 0;
}

void
privilege_cfg_from_text(struct req *r, const char *body, struct priv_cfg *c)
{
	cJSON *j;

	priv_cfg_init(c);
	if (body == NULL)
		return;
	j = cJSON_Parse(body);
	if (privilege_cfg_parse(j, c) == -1) {
		log_warn(r, "settings/privileges of merchant %lld unreadable",
		    (long long)r->m->id);
		priv_cfg_init(c);
	}
	cJSON_Delete(j);
}

int
privilege_cfg_load(struct req *r, struct priv_cfg *c)
{
	struct db_res res;

	priv_cfg_init(c);
	if (DB(r, &q_priv_settings, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	privilege_cfg_from_text(r, res.nrows == 1 ? db_str(&res, 0, PS_BODY) :
	    NULL, c);
	return 0;
}

const char *
privilege_pct_cn(struct req *r, int64_t pct)
{
	if (pct % 10 == 0)
		return arena_printf(r->a, "%lld折", (long long)(pct / 10));
	return arena_printf(r->a, "%lld.%lld折", (long long)(pct / 10),
	    (long long)(pct % 10));
}

const char *
privilege_mult_cn(struct req *r, int64_t m)
{
	if (m % 100 == 0)
		return arena_printf(r->a, "积分%lld倍", (long long)(m / 100));
	if (m % 10 == 0)
		return arena_printf(r->a, "积分%lld.%lld倍", (long long)(m / 100),
		    (long long)(m % 100 / 10));
	return arena_printf(r->a, "积分%lld.%02lld倍", (long long)(m / 100),
	    (long long)(m % 100));
}

const char *
privilege_desc(struct req *r, const struct priv_rule *p)
{
	static const char *const wd[] = { "一", "二", "三", "四", "五", "六",
	    "日" };
	const char *when = "", *what = "";
	int y1, m1, d1, y2, m2, d2;

	switch (p->kind) {
	case PRIV_BIRTHDAY:
		when = p->window == PW_MONTH ? "生日当月" : p->window ==
		    PW_WEEK ? "生日当周" : "生日当天";
		break;
	case PRIV_MEMBER_DAY:
		when = p->window == PW_WEEK ? arena_printf(r->a, "每周%s",
		    wd[(p->day - 1) % 7]) : arena_printf(r->a, "每月%d日",
		    p->day);
		break;
	case PRIV_HOLIDAY:
		tier_ymd(p->from, &y1, &m1, &d1);
		tier_ymd(p->to, &y2, &m2, &d2);
		when = p->from == p->to ? arena_printf(r->a, "%d月%d日", m1, d1)
		    : arena_printf(r->a, "%d月%d日至%d月%d日", m1, d1, m2, d2);
		break;
	}
	if (p->discount_pct != PRIV_NONE)
		what = privilege_pct_cn(r, p->discount_pct);
	if (p->mult_pct != 100)
		what = arena_printf(r->a, "%s%s%s", what, what[0] ? " · " : "",
		    privilege_mult_cn(r, p->mult_pct));
	return arena_printf(r->a, "%s %s", when, what);
}

void
privilege_card_add(struct req *r, const struct priv_cfg *c, int tier_level,
    int64_t day, cJSON *arr)
{
	int i;

	for (i = 0; i < c->nrules; i++) {
		const struct priv_rule *p = &c->rules[i];
		cJSON *o;

		if (!priv_tier_ok(p, tier_level) ||
		    (p->kind == PRIV_HOLIDAY && p->to < day) ||
		    (p->discount_pct == PRIV_NONE && p->mult_pct == 100))
			continue;
		o = j_obj();
		j_str(o, "title", p->name);
		j_str(o, "desc", privilege_desc(r, p));
		j_str(o, "kind", kind_keys[p->kind]);
		j_add(arr, NULL, o);
	}
}
