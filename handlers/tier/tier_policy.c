/*
 * The tier settings' extra fields (keep_growth and upgrade_rewards of each
 * tier, growth_rules and downgrade at the top; settings/tiers reads and
 * writes them through here), and the dry run of a rule change.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "tier.h"

#define KEEP_MAX	INT64_C(1000000000000)
#define BONUS_MAX	INT64_C(100000000)	/* 100 万元 */
#define POINTS_MAX	INT64_C(100000000)
#define PREVIEW_PAGE	1000
#define PREVIEW_SAMPLE	10

enum { CT_ID, CT_NCOLS };
DB_SQL_COLS(q_coupon_template_of,  CT_NCOLS,
    "SELECT id FROM coupon_templates WHERE merchant_id = ? AND id = ?");
DB_SQL(q_terms_save,
    "INSERT INTO tier_terms (merchant_id, level, keep_growth,"
    " reward_templates, reward_bonus_fen, reward_points)"
    " VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
    " keep_growth = VALUES(keep_growth),"
    " reward_templates = VALUES(reward_templates),"
    " reward_bonus_fen = VALUES(reward_bonus_fen),"
    " reward_points = VALUES(reward_points)");
DB_SQL(q_terms_trim,
    "DELETE FROM tier_terms WHERE merchant_id = ? AND level > ?");
DB_SQL(q_policy_save,
    "INSERT INTO tier_policies (merchant_id, per_yuan_paid, per_order,"
    " per_yuan_recharged, mode, months, days, step, min_days_in_tier,"
    " notice_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE per_yuan_paid = VALUES(per_yuan_paid),"
    " per_order = VALUES(per_order),"
    " per_yuan_recharged = VALUES(per_yuan_recharged),"
    " mode = VALUES(mode), months = VALUES(months), days = VALUES(days),"
    " step = VALUES(step), min_days_in_tier = VALUES(min_days_in_tier),"
    " notice_days = VALUES(notice_days)");
/* PM_HELD: the last day of a tier set by hand (tier_manual.c) */
/* PM_BLOCKED: blocked by staff, no upgrade reward (tier_move.c) */
enum { PM_ID, PM_CARD, PM_GROWTH, PM_LEVEL, PM_SINCE, PM_HELD, PM_BLOCKED,
    PM_NCOLS };
DB_SQL_COLS(q_preview_members, PM_NCOLS,
    "SELECT id, card_no, growth, tier_level, COALESCE(tier_since, joined_at),"
    " COALESCE(tier_manual_until, '1000-01-01'), blocked_at IS NOT NULL"
    " FROM members WHERE merchant_id = ? AND id > ? ORDER BY id LIMIT ?");
enum { PW_MEMBER, PW_SUM, PW_NCOLS };
DB_SQL_COLS(q_preview_windows, PW_NCOLS,
    "SELECT member_id, SUM(growth) FROM growth_entries"
    " WHERE merchant_id = ? AND member_id > ? AND member_id <= ?"
    " AND created_at >= ? AND kind NOT IN ('downgrade', 'manual')"
    " GROUP BY member_id");
DB_SQL_COLS(q_preview_since, PW_NCOLS,
    "SELECT member_id, COALESCE(SUM(growth), 0) FROM growth_entries"
    " WHERE merchant_id = ? AND member_id = ? AND created_at >= ?"
    " AND kind NOT IN ('downgrade', 'manual')"
    " GROUP BY member_id");
enum { PR_MEMBER, PR_LEVEL, PR_NCOLS };
DB_SQL_COLS(q_preview_rewarded, PR_NCOLS,
    "SELECT member_id, level FROM tier_rewards"
    " WHERE merchant_id = ? AND member_id > ? AND member_id <= ?");

static const char *const mode_names[] = { "none", "rolling", "fixed" };

/* Integer member of o into *out (absent: unchanged). 0 or the status. */
static int
int_of(struct req *r, cJSON *o, const char *key, const char *field,
    int64_t min, int64_t max, int64_t *out)
{
	int64_t v;
	int rc = req_obj_int(r, o, key, field, 0, min, max, &v);

	if (rc == -1)
		return r->status;
	if (rc == 0)
		*out = v;
	return 0;
}

static int
rewards_arg(struct req *r, cJSON *o, const char *f, struct tier_terms_in *in,
    int i)
{
	cJSON *ids, *e;
	struct db_res res;
	int64_t id;
	int k = 0, st;

	if (!cJSON_IsObject(o))
		return resp_bad_field(r, f, "应为对象");
	if ((st = int_of(r, o, "bonus_fen", arena_printf(r->a, "%s.bonus_fen",
	    f), 0, BONUS_MAX, &in->t[i].bonus)) != 0 ||
	    (st = int_of(r, o, "points", arena_printf(r->a, "%s.points", f), 0,
	    POINTS_MAX, &in->t[i].points)) != 0)
		return st;
	if ((ids = json_member(o, "template_ids")) == NULL)
		return 0;
	if (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) >
	    TIER_REWARD_TPL_MAX)
		return resp_bad_field(r, arena_printf(r->a, "%s.template_ids",
		    f), "应为最多 5 张优惠券的数组");
	for (e = ids->child; e != NULL; e = e->next, k++) {
		const char *ef = arena_printf(r->a, "%s.template_ids[%d]", f,
		    k);

		if (json_integer(e, &id) == -1 || id < 1)
			return resp_bad_field(r, ef, "应为优惠券的编号");
		if (DB(r, &q_coupon_template_of, &res, DBI(r->m->id),
		    DBI(id)) != DB_OK)
			return db_fail(r);
		if (res.nrows != 1)
			return resp_bad_field(r, ef, "没有这张优惠券");
		in->t[i].tpl[k] = id;
	}
	in->t[i].ntpl = k;
	return 0;
}

static int
policy_arg(struct req *r, cJSON *body, struct tier_policy *p, int *given)
{
	cJSON *g, *d, *v;
	int st, i;

	if ((g = json_member(body, "growth_rules")) != NULL) {
		if (!cJSON_IsObject(g))
			return resp_bad_field(r, "growth_rules", "应为对象");
		*given = 1;
		if ((st = int_of(r, g, "per_yuan_paid",
		    "growth_rules.per_yuan_paid", 0, 100,
		    &p->per_yuan_paid)) != 0 ||
		    (st = int_of(r, g, "per_order", "growth_rules.per_order", 0,
		    10000, &p->per_order)) != 0 ||
		    (st = int_of(r, g, "per_yuan_recharged",
		    "growth_rules.per_yuan_recharged", 0, 100,
		    &p->per_yuan_recharged)) != 0)
			return st;
	}
	if ((d = json_member(body, "downgrade")) == NULL)
		return 0;
	if (!cJSON_IsObject(d))
		return resp_bad_field(r, "downgrade", "应为对象");
	*given = 1;
	if ((v = json_member(d, "mode")) != NULL) {
		for (i = 0; i < 3; i++)
			if (cJSON_IsString(v) &&
			    strcmp(v->valuestring, mode_names[i]) == 0)
				break;
		if (i == 3)
			return resp_bad_field(r, "downgrade.mode",
			    "应为 none、rolling 或 fixed");
		p->mode = i;
	}
	if ((v = json_member(d, "step")) != NULL) {
		if (!cJSON_IsString(v) || (strcmp(v->valuestring, "one") != 0 &&
		    strcmp(v->valuestring, "qualify") != 0))
			return resp_bad_field(r, "downgrade.step",
			    "应为 one 或 qualify");
		p->step_qualify = strcmp(v->valuestring, "qualify") == 0;
	}
	if ((st = int_of(r, d, "months", "downgrade.months", 1, 36,
	    &p->months)) != 0 ||
	    (st = int_of(r, d, "days", "downgrade.days", 1, 1095,
	    &p->days)) != 0 ||
	    (st = int_of(r, d, "min_days_in_tier", "downgrade.min_days_in_tier",
	    0, 365, &p->min_days)) != 0 ||
	    (st = int_of(r, d, "notice_days", "downgrade.notice_days", 0, 90,
	    &p->notice_days)) != 0)
		return st;
	return 0;
}

int
tier_terms_arg(struct req *r, cJSON *body, int n, struct tier_terms_in *in)
{
	const struct tier_row *t;
	cJSON *arr, *o, *v;
	int nt, i, j, st;

	memset(in, 0, sizeof(*in));
	if ((st = tiers_load(r, &t, &nt)) != 0 ||
	    (st = tier_policy_load(r, &in->pol)) != 0)
		return st;
	arr = json_member(body, "tiers");
	in->n = n > 8 ? 8 : n;
	/* what is stored stays where the body says nothing */
	for (i = 0; i < in->n; i++)
		for (j = 0; j < nt; j++)
			if (t[j].level == i + 1) {
				in->t[i].keep = t[j].keep_growth;
				in->t[i].bonus = t[j].reward_bonus_fen;
				in->t[i].points = t[j].reward_points;
				in->t[i].ntpl = t[j].nreward_tpl;
				memcpy(in->t[i].tpl, t[j].reward_tpl,
				    sizeof(in->t[i].tpl));
			}
	for (i = 0, o = cJSON_IsArray(arr) ? arr->child : NULL;
	    o != NULL && i < in->n; o = o->next, i++) {
		const char *f = arena_printf(r->a, "tiers[%d]", i);
		int64_t g = 0;

		if ((v = json_member(o, "growth")) != NULL)
			(void)json_integer(v, &g);
		in->growth[i] = g;
		v = json_member(o, "name");
		in->name[i] = cJSON_IsString(v) ? v->valuestring : "";
		if ((st = int_of(r, o, "keep_growth", arena_printf(r->a,
		    "%s.keep_growth", f), 0, KEEP_MAX, &in->t[i].keep)) != 0)
			return st;
		if (i == 0 && json_member(o, "keep_growth") != NULL &&
		    in->t[i].keep != 0)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.keep_growth", f), "第 1 级不会降级，保级成长值应为 0");
		if ((v = json_member(o, "upgrade_rewards")) != NULL &&
		    (st = rewards_arg(r, v, arena_printf(r->a,
		    "%s.upgrade_rewards", f), in, i)) != 0)
			return st;
	}
	in->t[0].keep = 0;
	return policy_arg(r, body, &in->pol, &in->policy_given);
}

int
tier_terms_save(struct req *r, const struct tier_terms_in *in)
{
	const struct tier_policy *p = &in->pol;
	int i, k;

	for (i = 0; i < in->n; i++) {
		cJSON *ids = j_arr();

		for (k = 0; k < in->t[i].ntpl; k++)
			j_add(ids, NULL, cJSON_CreateNumber(
			    (double)in->t[i].tpl[k]));
		if (DB(r, &q_terms_save, NULL, DBI(r->m->id), DBI(i + 1),
		    DBI(in->t[i].keep), DBS(cJSON_PrintUnformatted(ids)),
		    DBI(in->t[i].bonus), DBI(in->t[i].points)) != DB_OK)
			return db_fail(r);
	}
	if (DB(r, &q_terms_trim, NULL, DBI(r->m->id), DBI(in->n)) != DB_OK ||
	    DB(r, &q_policy_save, NULL, DBI(r->m->id), DBI(p->per_yuan_paid),
	    DBI(p->per_order), DBI(p->per_yuan_recharged),
	    DBS(mode_names[p->mode]), DBI(p->months), DBI(p->days),
	    DBS(p->step_qualify ? "qualify" : "one"), DBI(p->min_days),
	    DBI(p->notice_days)) != DB_OK)
		return db_fail(r);
	return 0;
}

static cJSON *
rewards_json(const int64_t *tpl, int ntpl, int64_t bonus, int64_t points)
{
	cJSON *o = j_obj(), *ids = j_arr();
	int k;

	for (k = 0; k < ntpl; k++)
		j_add(ids, NULL, cJSON_CreateNumber((double)tpl[k]));
	j_add(o, "template_ids", ids);
	j_int(o, "bonus_fen", bonus);
	j_int(o, "points", points);
	return o;
}

int
tier_terms_json(struct req *r, cJSON *d)
{
	const struct tier_row *t;
	struct tier_policy p;
	cJSON *arr = cJSON_GetObjectItem(d, "tiers"), *e, *o;
	int n, i, st;

	if ((st = tiers_load(r, &t, &n)) != 0 ||
	    (st = tier_policy_load(r, &p)) != 0)
		return st;
	for (e = cJSON_IsArray(arr) ? arr->child : NULL; e != NULL;
	    e = e->next) {
		cJSON *lv = cJSON_GetObjectItem(e, "level");

		for (i = 0; i < n; i++)
			if (cJSON_IsNumber(lv) && t[i].level ==
			    (int)lv->valuedouble)
				break;
		if (i == n)
			continue;
		j_int(e, "keep_growth", t[i].keep_growth);
		j_add(e, "upgrade_rewards", rewards_json(t[i].reward_tpl,
		    t[i].nreward_tpl, t[i].reward_bonus_fen,
		    t[i].reward_points));
	}
	o = j_obj();
	j_int(o, "per_yuan_paid", p.per_yuan_paid);
	j_int(o, "per_order", p.per_order);
	j_int(o, "per_yuan_recharged", p.per_yuan_recharged);
	j_add(d, "growth_rules", o);
	o = j_obj();
	j_str(o, "mode", mode_names[p.mode]);
	j_int(o, "months", p.months);
	j_int(o, "days", p.days);
	j_str(o, "step", p.step_qualify ? "qualify" : "one");
	j_int(o, "min_days_in_tier", p.min_days);
	j_int(o, "notice_days", p.notice_days);
	j_add(d, "downgrade", o);
	return 0;
}

/* ---- the dry run ---- */

/* The levels whose reward the member had (bit n: level n). */
static unsigned
rewarded(const struct db_res *res, int64_t member)
{
	unsigned had = 0;
	int i;

	for (i = 0; i < res->nrows; i++)
		if (db_int(res, i, PR_MEMBER) == member &&
		    db_int(res, i, PR_LEVEL) >= 1 &&
		    db_int(res, i, PR_LEVEL) < 32)
			had |= 1u << db_int(res, i, PR_LEVEL);
	return had;
}

static int64_t
sum_of(const struct db_res *res, int64_t member)
{
	int i;

	for (i = 0; i < res->nrows; i++)
		if (db_int(res, i, PW_MEMBER) == member)
			return db_int(res, i, PW_SUM);
	return 0;
}

cJSON *
tier_preview(struct req *r, const struct tier_terms_in *in, int64_t now)
{
	const struct tier_policy *p = &in->pol;
	struct tier_rung rung[8];
	struct db_res res, win, got;
	long off = tz_offset(r->m->tz);
	int64_t today = floor_div(now + off, 86400), cursor = 0;
	int64_t up = 0, down = 0, coupons = 0, bonus = 0, points = 0;
	cJSON *d, *sample = j_arr(), *o;
	char a[20];
	int i, lv, nsample = 0;

	for (i = 0; i < in->n; i++) {
		rung[i].growth = in->growth[i];
		rung[i].keep = i > 0 ? in->t[i].keep : 0;
	}
	time_sql(tier_window_first(today, (int)p->months) * 86400 - off, a);
	for (;;) {
		int64_t last;

		if (DB(r, &q_preview_members, &res, DBI(r->m->id), DBI(cursor),
		    DBI(PREVIEW_PAGE)) != DB_OK)
			goto fail;
		if (res.nrows == 0)
			break;
		last = db_int(&res, res.nrows - 1, PM_ID);
		memset(&win, 0, sizeof(win));
		if (p->mode == TIER_ROLLING && DB(r, &q_preview_windows, &win,
		    DBI(r->m->id), DBI(cursor), DBI(last), DBS(a)) != DB_OK)
			goto fail;
		if (DB(r, &q_preview_rewarded, &got, DBI(r->m->id),
		    DBI(cursor), DBI(last)) != DB_OK)
			goto fail;
		for (i = 0; i < res.nrows && in->n > 0; i++) {
			int64_t id = db_int(&res, i, PM_ID), since;
			int level = (int)db_int(&res, i, PM_LEVEL);
			struct tier_member m;
			struct tier_verdict v;
			unsigned due;

			/* the review leaves a tier set by hand alone */
			if (strcmp(db_str(&res, i, PM_HELD),
			    tier_local_day(r, now)) >= 0)
				continue;
			time_sql_parse(db_str(&res, i, PM_SINCE), &since);
			m.cur = level >= 1 && level <= in->n ? level - 1 :
			    level < 1 ? -1 : in->n;
			m.growth = db_int(&res, i, PM_GROWTH);
			m.since_day = floor_div(since + off, 86400);
			m.window = 0;
			if (p->mode == TIER_ROLLING)
				m.window = sum_of(&win, id);
			else if (p->mode == TIER_FIXED && m.cur > 0 &&
			    m.cur < in->n && today >= m.since_day + p->days) {
				struct db_res s;
				char b[20];

				time_sql(since, b);
				if (DB(r, &q_preview_since, &s, DBI(r->m->id),
				    DBI(id), DBS(b)) != DB_OK)
					goto fail;
				m.window = sum_of(&s, id);
			}
			tier_review_rule(p, rung, in->n, &m, today, &v);
			if (v.kind == TIER_STAY || v.kind == TIER_RENEW ||
			    v.to + 1 == level)
				continue;
			if (v.to + 1 > level) {
				up++;
				due = db_int(&res, i, PM_BLOCKED) ? 0 :
				    tier_reward_due(level, v.to + 1,
				    rewarded(&got, id));
				for (lv = 1; lv <= in->n; lv++) {
					if (!(due & (1u << lv)))
						continue;
					coupons += in->t[lv - 1].ntpl;
					bonus += in->t[lv - 1].bonus;
					points += in->t[lv - 1].points;
				}
			} else
				down++;
			if (nsample < PREVIEW_SAMPLE) {
				o = j_obj();
				j_int(o, "member_id", id);
				j_str(o, "card_no", db_str(&res, i, PM_CARD));
				j_int(o, "growth", m.growth);
				j_int(o, "from_level", level);
				j_int(o, "to_level", v.to + 1);
				j_str(o, "to_name", in->name[v.to]);
				j_str(o, "reason", v.kind == TIER_UP ? "growth" :
				    v.kind == TIER_DOWN_KEEP ? "keep" : "rules");
				j_add(sample, NULL, o);
				nsample++;
			}
		}
		cursor = last;
		if (res.nrows < PREVIEW_PAGE)
			break;
	}
	d = j_obj();
	j_int(d, "moves_up", up);
	j_int(d, "moves_down", down);
	o = j_obj();
	j_int(o, "coupons", coupons);
	j_int(o, "bonus_fen", bonus);
	j_int(o, "points", points);
	j_add(d, "rewards", o);
	j_add(d, "sample", sample);
	return d;
fail:
	cJSON_Delete(sample);
	db_fail(r);
	return NULL;
}
