/*
 * The tier ladder: the one reader of a merchant's tiers, the copy each
 * worker keeps by revision, and GET /tiers.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "tier.h"

enum { REV_REV, REV_NCOLS };
DB_SQL_COLS(q_tiers_rev, REV_NCOLS,
    "SELECT tiers_rev FROM merchants WHERE id = ?");
enum { TR_LEVEL, TR_NAME, TR_GROWTH, TR_DISCOUNT, TR_MULT, TR_PRIVILEGES,
    TR_NCOLS };
DB_SQL_COLS(q_tiers, TR_NCOLS,
    "SELECT level, name, growth, discount_pct, points_multiplier, privileges"
    " FROM tiers WHERE merchant_id = ? ORDER BY level");
enum { TT_LEVEL, TT_KEEP, TT_TPL, TT_BONUS, TT_POINTS, TT_NCOLS };
DB_SQL_COLS(q_tier_terms, TT_NCOLS,
    "SELECT level, keep_growth, reward_templates, reward_bonus_fen,"
    " reward_points FROM tier_terms WHERE merchant_id = ? ORDER BY level");
enum { TP_PAID, TP_ORDER, TP_RECHARGED, TP_MODE, TP_MONTHS, TP_DAYS,
    TP_STEP, TP_MIN_DAYS, TP_NOTICE, TP_NCOLS };
DB_SQL_COLS(q_tier_policy, TP_NCOLS,
    "SELECT per_yuan_paid, per_order, per_yuan_recharged, mode, months, days,"
    " step, min_days_in_tier, notice_days FROM tier_policies"
    " WHERE merchant_id = ?");


/*
 * Each worker keeps the ladders it has read, with the revision they were
 * read at; merchants.tiers_rev (raised by triggers on tiers) says when a
 * ladder must be read again. Memory outside the request arena.
 */
#define TIER_CACHE	16

static struct tier_cache {
	int64_t		 merchant_id, rev;
	struct tier_row	*rows;
	int		 n;
	struct tier_policy pol;
} tier_cache[TIER_CACHE];

static void
tier_cache_clear(struct tier_cache *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		free(c->rows[i].name);
		free(c->rows[i].privileges);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* The policy and the tier_terms rows of r->m. 0, or the error status. */
static int
terms_read(struct req *r, struct tier_policy *p, struct db_res *terms)
{
	struct db_res res;
	const char *v;

	tier_policy_default(p);
	if (DB(r, &q_tier_policy, &res, DBI(r->m->id)) != DB_OK ||
	    DB(r, &q_tier_terms, terms, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 1) {
		p->per_yuan_paid = db_int(&res, 0, TP_PAID);
		p->per_order = db_int(&res, 0, TP_ORDER);
		p->per_yuan_recharged = db_int(&res, 0, TP_RECHARGED);
		v = db_str(&res, 0, TP_MODE);
		p->mode = v && strcmp(v, "rolling") == 0 ? TIER_ROLLING :
		    v && strcmp(v, "fixed") == 0 ? TIER_FIXED : TIER_NONE;
		p->months = db_int(&res, 0, TP_MONTHS);
		p->days = db_int(&res, 0, TP_DAYS);
		v = db_str(&res, 0, TP_STEP);
		p->step_qualify = v && strcmp(v, "qualify") == 0;
		p->min_days = db_int(&res, 0, TP_MIN_DAYS);
		p->notice_days = db_int(&res, 0, TP_NOTICE);
	}
	return 0;
}

/* The tier_terms row of t's level into t (none: nothing asked, none
   given). */
static void
terms_apply(const struct db_res *terms, struct tier_row *t)
{
	cJSON *a, *e;
	int i;

	for (i = 0; i < terms->nrows; i++) {
		if (db_int(terms, i, TT_LEVEL) != t->level)
			continue;
		t->keep_growth = db_int(terms, i, TT_KEEP);
		t->reward_bonus_fen = db_int(terms, i, TT_BONUS);
		t->reward_points = db_int(terms, i, TT_POINTS);
		a = cJSON_Parse(db_str(terms, i, TT_TPL) ?
		    db_str(terms, i, TT_TPL) : "[]");
		for (e = cJSON_IsArray(a) ? a->child : NULL; e != NULL &&
		    t->nreward_tpl < TIER_REWARD_TPL_MAX; e = e->next)
			if (cJSON_IsNumber(e))
				t->reward_tpl[t->nreward_tpl++] =
				    (int64_t)e->valuedouble;
		cJSON_Delete(a);
	}
}

int
tier_policy_load(struct req *r, struct tier_policy *p)
{
	const struct tier_row *t;
	int n, st;

	if ((st = tiers_load(r, &t, &n)) != 0)
		return st;
	return tier_policy_at(r, -1, p);
}

int
tier_policy_at(struct req *r, int64_t rev, struct tier_policy *p)
{
	const struct tier_row *t;
	int n, i, st;

	if (rev >= 0 && (st = tiers_at(r, rev, &t, &n)) != 0)
		return st;
	for (i = 0; i < TIER_CACHE; i++)
		if (tier_cache[i].merchant_id == r->m->id) {
			*p = tier_cache[i].pol;
			return 0;
		}
	tier_policy_default(p);
	return 0;
}

int
tiers_at(struct req *r, int64_t rev, const struct tier_row **out, int *n)
{
	struct tier_cache *c = NULL;
	struct db_res res, terms;
	struct tier_policy pol;
	int i;

	for (i = 0; i < TIER_CACHE; i++)
		if (tier_cache[i].merchant_id == r->m->id) {
			c = &tier_cache[i];
			break;
		}
	if (c != NULL && c->rev == rev) {
		*out = c->rows;
		*n = c->n;
		return 0;
	}
	if (DB(r, &q_tiers, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if ((i = terms_read(r, &pol, &terms)) != 0)
		return i;
	if (c == NULL)
		c = &tier_cache[r->m->id % TIER_CACHE];
	tier_cache_clear(c);
	if ((c->rows = calloc((size_t)res.nrows + 1, sizeof(*c->rows))) ==
	    NULL)
		return resp_internal(r);
	for (i = 0; i < res.nrows; i++) {
		struct tier_row *t = &c->rows[i];

		t->level = (int)db_int(&res, i, TR_LEVEL);
		t->name = strdup(db_str(&res, i, TR_NAME));
		t->growth = db_int(&res, i, TR_GROWTH);
		t->has_discount = !db_isnull(&res, i, TR_DISCOUNT);
		t->discount_pct = db_int(&res, i, TR_DISCOUNT);
		t->mult = strtod(db_str(&res, i, TR_MULT), NULL);
		t->privileges = strdup(db_str(&res, i, TR_PRIVILEGES));
		terms_apply(&terms, t);
	}
	c->n = res.nrows;
	c->pol = pol;
	c->merchant_id = r->m->id;
	/* a ladder changed while it was read is read again next time */
	c->rev = rev;
	*out = c->rows;
	*n = c->n;
	return 0;
}

int
tiers_load(struct req *r, const struct tier_row **out, int *n)
{
	struct db_res res;

	if (!r->m->tiers_rev_known) {
		if (DB(r, &q_tiers_rev, &res, DBI(r->m->id)) != DB_OK ||
		    res.nrows != 1)
			return db_fail(r);
		r->m->tiers_rev = db_int(&res, 0, REV_REV);
		r->m->tiers_rev_known = 1;
	}
	return tiers_at(r, r->m->tiers_rev, out, n);
}

cJSON *
tier_privileges_json(const char *s)
{
	cJSON *p = s ? cJSON_Parse(s) : NULL;

	return cJSON_IsArray(p) ? p : cJSON_CreateArray();
}

cJSON *
tier_json(const struct tier_row *t)
{
	cJSON *o = j_obj();

	j_int(o, "level", t->level);
	j_str(o, "name", t->name);
	if (t->has_discount)
		j_int(o, "discount_pct", t->discount_pct);
	else
		j_null(o, "discount_pct");
	cJSON_AddNumberToObject(o, "points_multiplier", t->mult);
	return o;
}

cJSON *
tiers_build(struct req *r)
{
	const struct tier_row *t;
	cJSON *arr;
	int n, i;

	if (tiers_load(r, &t, &n) != 0)
		return NULL;
	arr = j_arr();
	for (i = 0; i < n; i++) {
		cJSON *o = tier_json(&t[i]);

		j_int(o, "growth", t[i].growth);
		j_add(o, "privileges", tier_privileges_json(t[i].privileges));
		j_add(arr, NULL, o);
	}
	return arr;
}

int
tier_of_growth(struct req *r, int64_t growth, const struct tier_row **cur,
    const struct tier_row **next)
{
	const struct tier_row *t;
	struct tier_step *steps;
	int n, i, c, nx, st;

	if ((st = tiers_load(r, &t, &n)) != 0)
		return st;
	steps = arena_calloc(r->a, (size_t)n + 1, sizeof(*steps));
	for (i = 0; i < n; i++) {
		steps[i].level = t[i].level;
		steps[i].growth = t[i].growth;
	}
	c = tier_for_growth(steps, n, growth, &nx);
	*cur = c >= 0 ? &t[c] : NULL;
	if (next != NULL)
		*next = nx >= 0 ? &t[nx] : NULL;
	return 0;
}

/* Out: [{level, name, growth, discount_pct, points_multiplier,
   privileges}] by level. Public. */
static int
member_tiers(struct req *r)
{
	cJSON *arr = tiers_build(r);

	return arr ? resp_data(r, 200, arr) : r->status;
}

ROUTES(tier_routes) = {
	{ M_GET, "/api/v1/m/:merchant/tiers", member_tiers, 0 },
	{ 0, NULL, NULL, 0 }
};
