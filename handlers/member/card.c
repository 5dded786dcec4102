/*
 * The member's card: tier, growth and the gap to the next tier, balance,
 * points, coupons and privileges, with the card settings each worker
 * keeps for a second.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member.h"
#include "tier/tier.h"

/*
 * The card: the member (CARD_COLS), the unused coupon count and the
 * merchant's card settings with the tier ladder's revision (SETTINGS_COLS).
 * From a member id (q_card_member) the count is a plain COUNT of the unused
 * coupons not past valid_until, as the coupon area reads a coupon's status.
 * From a session token (the hot path: one lookup by token, then primary
 * keys) it is the member's coupon counters (migration 0009): CARD_LIVE is
 * exact unless CARD_NEXT has passed (one of the counted coupons has expired
 * since they were counted); then coupons_recount() counts afresh. The
 * session's state comes back as columns and is checked here, against the
 * same clock the app's other times use: comparisons and functions in a
 * statement cost MariaDB more on every execution than the columns do.
 *
 * q_card_lean leaves the merchants row out: a worker whose copy of the
 * settings is fresh (card_settings_fresh) uses it; otherwise q_card_full
 * reads the settings along and the copy is renewed.
 */
#define CARD_COLS \
    "mb.card_no, mb.growth, mb.points, mb.principal_fen, mb.bonus_fen," \
    " mb.joined_at, COALESCE(mb.tier_since, mb.joined_at)"
enum { CARD_NO, CARD_GROWTH, CARD_POINTS, CARD_PRINCIPAL, CARD_BONUS,
    CARD_JOINED, CARD_TIER_SINCE, CARD_NCOLS };
/* with the privileges by date (settings/privileges): LEFT JOIN ps */
#define SETTINGS_COLS \
    "m.card_name, m.card_bg_url, m.card_validity, m.card_valid_until," \
    " m.card_valid_months, m.card_store_ids, m.tiers_rev, ps.body"
#define SETTINGS_PRIV_JOIN \
    " LEFT JOIN privilege_settings ps ON ps.merchant_id = m.id"
enum { SET_NAME, SET_BG, SET_VALIDITY, SET_UNTIL, SET_MONTHS, SET_STORES,
    SET_TIERS_REV, SET_PRIV, SET_NCOLS };
/* q_card_member: CARD_COLS, the count, SETTINGS_COLS */
enum { CARD_COUPONS = CARD_NCOLS, CARD_M_SETTINGS,
    CARD_M_NCOLS = CARD_M_SETTINGS + SET_NCOLS };
/*
 * q_card_lean: CARD_COLS and these; q_card_full: CARD_COLS, these and
 * SETTINGS_COLS.
 */
enum { CARD_LIVE = CARD_NCOLS, CARD_NEXT, CARD_REV, CARD_MEMBER,
    CARD_MERCHANT, CARD_KIND, CARD_REVOKED, CARD_EXPIRES, CARD_S_SETTINGS,
    CARD_LEAN_NCOLS = CARD_S_SETTINGS,
    CARD_FULL_NCOLS = CARD_S_SETTINGS + SET_NCOLS };

DB_SQL_COLS(q_card_member, CARD_M_NCOLS,
    "SELECT " CARD_COLS ", (SELECT COUNT(*) FROM coupons c"
    " WHERE c.merchant_id = mb.merchant_id AND c.member_id = mb.id"
    " AND c.status = 'unused' AND c.valid_until >= UTC_TIMESTAMP()), "
    SETTINGS_COLS
    " FROM members mb"
    " JOIN merchants m ON m.id = mb.merchant_id" SETTINGS_PRIV_JOIN
    " WHERE mb.merchant_id = ? AND mb.id = ?");
#define CARD_SESSION_COLS \
    "SELECT " CARD_COLS ", mb.coupons_live, mb.coupons_next, mb.coupons_rev," \
    " mb.id, mb.merchant_id, s.kind, s.revoked_at, s.expires_at"
DB_SQL_COLS(q_card_lean, CARD_LEAN_NCOLS,
    CARD_SESSION_COLS
    " FROM sessions s"
    " JOIN members mb ON mb.id = s.member_id"
    " WHERE s.token_hash = ? AND s.merchant_id = ?");
DB_SQL_COLS(q_card_full, CARD_FULL_NCOLS,
    CARD_SESSION_COLS ", " SETTINGS_COLS
    " FROM sessions s"
    " JOIN members mb ON mb.id = s.member_id"
    " JOIN merchants m ON m.id = s.merchant_id" SETTINGS_PRIV_JOIN
    " WHERE s.token_hash = ? AND s.merchant_id = ?");
/* UTC_TIMESTAMP() is one value throughout a statement. */
enum { CN_COUNT, CN_NEXT, CN_NOW, CN_NCOLS };
DB_SQL_COLS(q_coupons_count, CN_NCOLS,
    "SELECT COUNT(*), MIN(valid_until), UTC_TIMESTAMP() FROM coupons"
    " WHERE merchant_id = ? AND member_id = ? AND status = 'unused'"
    " AND valid_until >= UTC_TIMESTAMP()");
DB_SQL(q_coupons_recount,
    "UPDATE members SET coupons_cut = ?, coupons_live = ?, coupons_next = ?,"
    " coupons_rev = coupons_rev + 1"
    " WHERE merchant_id = ? AND id = ? AND coupons_rev = ?");

/* ---- the card settings each worker keeps ---- */

/*
 * A merchant's card settings and tier-ladder revision. Each worker keeps
 * the ones it read last, for CARD_SETTINGS_TTL_MS: a change staff make
 * reaches every card within that time, and at once on the worker that
 * made it (card_settings_forget()). The slot of a merchant is its id
 * modulo the cache size; memory outside the request arena.
 */
#define CARD_SETTINGS_CACHE	16
#define CARD_SETTINGS_TTL_MS	1000

struct card_settings {
	int64_t		 merchant_id, tiers_rev, months;
	char		*name, *bg, *validity, *until, *stores, *priv;
	int64_t		 at_ms;		/* when read; 0: empty */
};

static struct card_settings settings_cache[CARD_SETTINGS_CACHE];

static struct card_settings *
settings_slot(int64_t merchant_id)
{
	return &settings_cache[(uint64_t)merchant_id % CARD_SETTINGS_CACHE];
}

static void
settings_clear(struct card_settings *c)
{
	free(c->name);
	free(c->bg);
	free(c->validity);
	free(c->until);
	free(c->stores);
	free(c->priv);
	memset(c, 0, sizeof(*c));
}

void
card_settings_forget(int64_t merchant_id)
{
	struct card_settings *c = settings_slot(merchant_id);

	if (c->merchant_id == merchant_id)
		settings_clear(c);
}

/* This worker's settings of r->m if read less than the TTL ago, or NULL. */
static const struct card_settings *
card_settings_fresh(struct req *r, int64_t now_ms)
{
	const struct card_settings *c = settings_slot(r->m->id);

	return c->at_ms != 0 && c->merchant_id == r->m->id &&
	    now_ms - c->at_ms < CARD_SETTINGS_TTL_MS ? c : NULL;
}

/* The SETTINGS_COLS from column col of row 0, pointing into res. */
static void
settings_from_row(struct req *r, const struct db_res *res, int col,
    struct card_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->merchant_id = r->m->id;
	s->name = (char *)db_str(res, 0, col + SET_NAME);
	s->bg = (char *)db_str(res, 0, col + SET_BG);
	s->validity = (char *)db_str(res, 0, col + SET_VALIDITY);
	s->until = (char *)db_str(res, 0, col + SET_UNTIL);
	s->months = db_int(res, 0, col + SET_MONTHS);
	s->stores = (char *)db_str(res, 0, col + SET_STORES);
	s->tiers_rev = db_int(res, 0, col + SET_TIERS_REV);
	s->priv = (char *)db_str(res, 0, col + SET_PRIV);
}

/* Keep a copy of s as read at now_ms (out of memory: keep nothing). */
static void
card_settings_keep(const struct card_settings *s, int64_t now_ms)
{
	struct card_settings *c = settings_slot(s->merchant_id);
	int failed = 0;

	settings_clear(c);
	c->merchant_id = s->merchant_id;
	c->tiers_rev = s->tiers_rev;
	c->months = s->months;
	c->name = strdup_kept(s->name, &failed);
	c->bg = strdup_kept(s->bg, &failed);
	c->validity = strdup_kept(s->validity, &failed);
	c->until = strdup_kept(s->until, &failed);
	c->stores = strdup_kept(s->stores, &failed);
	c->priv = strdup_kept(s->priv, &failed);
	if (failed)
		settings_clear(c);
	else
		c->at_ms = now_ms;
}

/* ---- the card ---- */

/*
 * The card from row 0 of a CARD_COLS result, the merchant's card settings
 * and the unused coupon count, or NULL with the error status in r->status.
 */
static cJSON *
card_from_row(struct req *r, const struct db_res *res,
    const struct card_settings *cs, int64_t coupons, int64_t member_id)
{
	struct tier_step *steps;
	struct priv_cfg pc;
	const struct tier_row *t;
	cJSON *d, *o, *stores;
	int n, i, cur, next;
	int64_t growth, principal, bonus, since;
	char until[11];

	if (tiers_at(r, cs->tiers_rev, &t, &n) != 0)
		return NULL;
	steps = arena_calloc(r->a, (size_t)n + 1, sizeof(*steps));
	for (i = 0; i < n; i++) {
		steps[i].level = t[i].level;
		steps[i].growth = t[i].growth;
	}
	growth = db_int(res, 0, CARD_GROWTH);
	cur = tier_for_growth(steps, n, growth, &next);
	principal = db_int(res, 0, CARD_PRINCIPAL);
	bonus = db_int(res, 0, CARD_BONUS);

	d = j_obj();
	j_str(d, "card_no", db_str(res, 0, CARD_NO));
	j_str(d, "card_name", cs->name);
	j_str(d, "background_url", cs->bg);
	if (cs->validity != NULL && strcmp(cs->validity, "until") == 0)
		j_str(d, "valid_until", cs->until);
	else if (cs->validity != NULL && strcmp(cs->validity, "months") == 0 &&
	    date_plus_months(db_str(res, 0, CARD_JOINED), (int)cs->months,
	    until) == 0)
		j_str(d, "valid_until", until);
	else
		j_null(d, "valid_until");
	stores = cs->stores != NULL ? cJSON_Parse(cs->stores) : NULL;
	if (cJSON_IsArray(stores))
		j_add(d, "stores", stores);
	else {
		cJSON_Delete(stores);
		j_str(d, "stores", "all");
	}
	j_add(d, "tier", cur >= 0 ? tier_json(&t[cur]) : j_obj());
	j_int(d, "growth", growth);
	if (next >= 0) {
		o = j_obj();
		j_int(o, "level", t[next].level);
		j_str(o, "name", t[next].name);
		j_int(o, "growth", t[next].growth);
		j_int(o, "growth_needed", t[next].growth - growth);
		j_add(d, "next_tier", o);
	} else
		j_null(d, "next_tier");
	o = j_obj();
	j_int(o, "principal_fen", principal);
	j_int(o, "bonus_fen", bonus);
	j_int(o, "total_fen", principal + bonus);
	j_add(d, "balance", o);
	j_int(d, "points", db_int(res, 0, CARD_POINTS));
	j_int(d, "coupons_unused", coupons);
	o = cur >= 0 ? tier_privileges_json(t[cur].privileges) : j_arr();
	privilege_cfg_from_text(r, cs->priv, &pc);
	privilege_card_add(r, &pc, cur >= 0 ? t[cur].level : -1,
	    priv_local_day(time_now(), tz_offset(r->m->tz)), o);
	j_add(d, "privileges", o);
	/* keeping the tier (保级): what is asked and by when */
	if (time_sql_parse(db_str(res, 0, CARD_TIER_SINCE), &since) == -1)
		since = time_now();
	if ((o = tier_keep_json(r, cs->tiers_rev, member_id, cur, since,
	    time_now())) ==
	    NULL) {
		cJSON_Delete(d);
		return NULL;
	}
	j_add(d, "keep_tier", o);
	return d;
}

cJSON *
card_build(struct req *r, int64_t member_id)
{
	struct card_settings cs;
	struct db_res res;

	if (DB(r, &q_card_member, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK) {
		db_fail(r);
		return NULL;
	}
	if (res.nrows == 0) {
		resp_err(r, 404, "not_found", "会员不存在", NULL);
		return NULL;
	}
	settings_from_row(r, &res, CARD_M_SETTINGS, &cs);
	card_settings_keep(&cs, time_mono_ms());
	return card_from_row(r, &res, &cs, db_int(&res, 0, CARD_COUPONS),
	    member_id);
}

/*
 * The unused, unexpired coupons of the member in row 0 of a q_card_lean or
 * q_card_full result whose counters have gone stale: counted afresh, and
 * the counters moved to this count unless a coupon changed since the card
 * read them (coupons_rev), which leaves them for the next view (as does an
 * update that fails: the count stands). The count out; 0, or the error
 * status (recorded) when the count failed.
 */
static int
coupons_recount(struct req *r, const struct db_res *card, int64_t *n)
{
	int64_t member = db_int(card, 0, CARD_MEMBER);
	struct db_res res, upd;

	if (DB(r, &q_coupons_count, &res, DBI(r->m->id), DBI(member)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	(void)DB(r, &q_coupons_recount, &upd, DBS(db_str(&res, 0, CN_NOW)),
	    DBI(db_int(&res, 0, CN_COUNT)), DBS(db_str(&res, 0, CN_NEXT)),
	    DBI(r->m->id), DBI(member), DBI(db_int(card, 0, CARD_REV)));
	*n = db_int(&res, 0, CN_COUNT);
	return 0;
}

/* Whether row 0 of a q_card_lean/full result is a live member session of
   r->m at now ("YYYY-MM-DD HH:MM:SS", UTC). */
static int
card_session_live(struct req *r, const struct db_res *res, const char *now)
{
	const char *kind = db_str(res, 0, CARD_KIND);
	const char *expires = db_str(res, 0, CARD_EXPIRES);

	return kind != NULL && strcmp(kind, "member") == 0 &&
	    db_isnull(res, 0, CARD_REVOKED) && expires != NULL &&
	    strcmp(expires, now) > 0 &&
	    db_int(res, 0, CARD_MERCHANT) == r->m->id;
}

/*
 * Out: the card (see api.md). The hot path is one query that checks the
 * session too (a second and third only when the coupon counters went
 * stale); when it finds nothing, the usual checks say why (and find the
 * member of a session made while its phone was joining, see router.c).
 */
static int
member_card(struct req *r)
{
	const char *h = auth_token_hash(r);
	struct db_res res;
	cJSON *d;
	int st;

	if (h != NULL) {
		int64_t now_ms = time_mono_ms();
		const struct card_settings *fresh = card_settings_fresh(r,
		    now_ms);
		struct card_settings cs;
		char now[20];

		if (DB(r, fresh ? &q_card_lean : &q_card_full, &res, DBS(h),
		    DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		time_sql(time_now(), now);
		if (res.nrows == 1 && card_session_live(r, &res, now)) {
			const char *next = db_str(&res, 0, CARD_NEXT);
			int64_t n = db_int(&res, 0, CARD_LIVE);

			if (fresh != NULL)
				cs = *fresh;
			else {
				settings_from_row(r, &res, CARD_S_SETTINGS,
				    &cs);
				card_settings_keep(&cs, now_ms);
			}
			if (next != NULL && strcmp(next, now) < 0 &&
			    (st = coupons_recount(r, &res, &n)) != 0)
				return st;
			d = card_from_row(r, &res, &cs, n,
			    db_int(&res, 0, CARD_MEMBER));
			return d ? resp_data(r, 200, d) : r->status;
		}
	}
	if ((st = auth_require(r)) != 0)
		return st;
	d = card_build(r, r->auth.member_id);
	return d ? resp_data(r, 200, d) : r->status;
}

ROUTES(card_routes) = {
	{ M_GET, "/api/v1/m/:merchant/me/card", member_card,
	    AUTH_MEMBER | AUTH_SELF },
	{ 0, NULL, NULL, 0 }
};

/* ---- what an order asks of the card ---- */

enum { CT_TERMS, CT_JOINED = CARD_TERMS_NCOLS, CT_NCOLS };
DB_SQL_COLS(q_card_terms, CT_NCOLS,
    "SELECT " CARD_TERMS_COLS ", mb.joined_at FROM members mb"
    " JOIN merchants m ON m.id = mb.merchant_id"
    " WHERE mb.merchant_id = ? AND mb.id = ?");

void
card_terms_from_row(struct req *r, const struct db_res *res, int row,
    int col, const char *joined_at, int64_t *valid_until,
    const char **store_ids)
{
	const char *v, *day = NULL;
	char until[11];

	*valid_until = -1;
	*store_ids = db_str(res, row, col + CARD_T_STORES);
	v = db_str(res, row, col + CARD_T_VALIDITY);
	if (v != NULL && strcmp(v, "until") == 0)
		day = db_str(res, row, col + CARD_T_UNTIL);
	else if (v != NULL && strcmp(v, "months") == 0 &&
	    date_plus_months(joined_at, (int)db_int(res, row,
	    col + CARD_T_MONTHS), until) == 0)
		day = until;
	if (day != NULL && time_parse(day, tz_offset(r->m->tz), 1,
	    valid_until) == -1)
		*valid_until = -1;
}

int
card_terms(struct req *r, int64_t member_id, int64_t *valid_until,
    const char **store_ids, int *found)
{
	struct db_res res;

	*valid_until = -1;
	*store_ids = NULL;
	*found = 0;
	if (DB(r, &q_card_terms, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	*found = 1;
	card_terms_from_row(r, &res, 0, CT_TERMS, db_str(&res, 0, CT_JOINED),
	    valid_until, store_ids);
	return 0;
}
