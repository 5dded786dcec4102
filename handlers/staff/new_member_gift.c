/*
 * The standing new-member gift (新会员礼包, settings/new-member-gift):
 * coupons of up to ten templates granted to every member who joins, by
 * any channel (the join page after an SMS sign-in, a campaign, a
 * referral, a store's poster), inside the join's transaction through
 * EV_MEMBER_JOINED at 30, after the campaign's own gift pack at 20.
 *
 * Each grant goes through coupon_grant() with the template's stock and
 * per-member limit: a template refused (out of stock, paused, ended) is
 * skipped and the join goes on. A template the member has already been
 * given in this join (a campaign's gift pack that holds it too, a
 * referral's reward) is not given twice: a member joins with one coupon
 * of each template, however the packs overlap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "member/member.h"
#include "req.h"

#define GIFT_MAX	10

enum { NG_ENABLED, NG_IDS, NG_NCOLS };
DB_SQL_COLS(q_gift_get, NG_NCOLS,
    "SELECT enabled, template_ids FROM new_member_gifts"
    " WHERE merchant_id = ?");
DB_SQL(q_gift_put,
    "INSERT INTO new_member_gifts (merchant_id, enabled, template_ids,"
    " updated_at) VALUES (?, ?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE"
    " enabled = VALUES(enabled), template_ids = VALUES(template_ids),"
    " updated_at = VALUES(updated_at)");
enum { GT_KIND, GT_NCOLS };
DB_SQL_COLS(q_gift_tpl, GT_NCOLS,
    "SELECT kind FROM coupon_templates WHERE merchant_id = ? AND id = ?");
enum { GH_ONE, GH_NCOLS };
DB_SQL_COLS(q_gift_has, GH_NCOLS,
    "SELECT 1 FROM coupons WHERE merchant_id = ? AND member_id = ?"
    " AND template_id = ? LIMIT 1");

struct gift_cfg {
	int		 enabled;
	int64_t		 ids[GIFT_MAX];
	int		 n;
};

/* The merchant's gift (none set: disabled, no templates). 0 or status. */
static int
gift_load(struct req *r, struct gift_cfg *g)
{
	struct db_res res;
	cJSON *a, *e;
	int64_t id;

	memset(g, 0, sizeof(*g));
	if (DB(r, &q_gift_get, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	g->enabled = db_int(&res, 0, NG_ENABLED) != 0;
	a = cJSON_Parse(db_str(&res, 0, NG_IDS));
	cJSON_ArrayForEach(e, a) {
		if (g->n < GIFT_MAX && json_integer(e, &id) == 0 && id > 0)
			g->ids[g->n++] = id;
	}
	return 0;
}

static cJSON *
gift_json(const struct gift_cfg *g)
{
	cJSON *d = j_obj(), *a = j_arr();
	int i;

	for (i = 0; i < g->n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber((double)g->ids[i]));
	j_add(d, "template_ids", a);
	j_bool(d, "enabled", g->enabled);
	return d;
}

/* GET staff/settings/new-member-gift (owner, marketing). */
static int
gift_settings_get(struct req *r)
{
	struct gift_cfg g;
	int st;

	if ((st = gift_load(r, &g)) != 0)
		return st;
	return resp_data(r, 200, gift_json(&g));
}

static int
gift_put_tx(struct req *r, void *arg)
{
	struct gift_cfg *g = arg;
	struct sbuf b;
	int i, st;

	sbuf_init(&b, r->a, 128);
	sbuf_putc(&b, '[');
	for (i = 0; i < g->n; i++)
		sbuf_printf(&b, "%s%lld", i ? "," : "", (long long)g->ids[i]);
	sbuf_putc(&b, ']');
	if (DB(r, &q_gift_put, NULL, DBI(r->m->id), DBI(g->enabled),
	    DBS(sbuf_str(&b))) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "settings.new_member_gift", NULL, r->body,
	    0)) != 0)
		return st;
	return 200;
}

/*
 * PUT staff/settings/new-member-gift (owner, marketing).
 * In: {template_ids:[ids] (0..10, templates of this merchant, no promo
 * codes; repeats dropped), enabled}. Out: the settings. Errors:
 * invalid_field (template_ids[i] naming the one). Writes:
 * new_member_gifts, audit_log.
 */
static int
gift_settings_put(struct req *r)
{
	struct gift_cfg g;
	struct db_res res;
	cJSON *a, *e;
	int64_t id;
	int i, k = 0, st;

	memset(&g, 0, sizeof(g));
	if (req_json_body(r) == -1 ||
	    req_json_bool(r, "enabled", 1, &g.enabled) == -1)
		return r->status;
	a = json_member(r->json, "template_ids");
	if (a == NULL)
		return resp_bad_field(r, "template_ids", "缺少必填项");
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > GIFT_MAX)
		return resp_bad_field(r, "template_ids", arena_printf(r->a,
		    "应为至多 %d 张优惠券的列表", GIFT_MAX));
	cJSON_ArrayForEach(e, a) {
		const char *f = arena_printf(r->a, "template_ids[%d]", k++);

		if (json_integer(e, &id) == -1 || id < 1)
			return resp_bad_field(r, f, "应为优惠券模板 id");
		if (DB(r, &q_gift_tpl, &res, DBI(r->m->id), DBI(id)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "优惠券模板不存在");
		if (strcmp(db_str(&res, 0, GT_KIND), "promo_code") == 0)
			return resp_bad_field(r, f,
			    "优惠码类型的券不能作为新会员礼包");
		for (i = 0; i < g.n && g.ids[i] != id; i++)
			;
		if (i == g.n)
			g.ids[g.n++] = id;
	}
	if ((st = db_tx(r, gift_put_tx, &g)) >= 400)
		return st;
	return resp_data(r, 200, gift_json(&g));
}

/* A member joined: the standing gift, in the join's transaction. */
static int
new_member_gift_on_joined(struct req *r, const void *arg)
{
	const struct member_joined *e = arg;
	struct gift_cfg g;
	struct db_res res;
	cJSON *coupon;
	int64_t store = 0;
	int i, st;

	if ((st = gift_load(r, &g)) != 0)
		return st;
	if (!g.enabled)
		return 0;
	/* joined at a store's counter ("store:<id>"): issued at that store,
	   as the join counts there */
	if (e->channel != NULL && strncmp(e->channel, "store:", 6) == 0 &&
	    e->channel[6] != '\0' &&
	    strspn(e->channel + 6, "0123456789") == strlen(e->channel + 6) &&
	    strlen(e->channel + 6) <= 18)
		store = strtoll(e->channel + 6, NULL, 10);
	for (i = 0; i < g.n; i++) {
		if (DB(r, &q_gift_has, &res, DBI(r->m->id),
		    DBI(e->member_id), DBI(g.ids[i])) != DB_OK)
			return db_fail(r);
		if (res.nrows > 0)
			continue;	/* given in this join already */
		if ((st = coupon_grant_at(r, e->member_id, g.ids[i],
		    "new_member_gift", store, &coupon)) >= 500)
			return st;
		if (st != 0) {
			log_info(r, "new-member gift %lld not issued (%s)",
			    (long long)g.ids[i],
			    r->err_code ? r->err_code : "");
			resp_reset(r);
		}
	}
	return 0;
}
ON_EVENT(EV_MEMBER_JOINED, 30, new_member_gift_on_joined);

#define GBASE "/api/v1/m/:merchant/staff/settings/new-member-gift"

ROUTES(new_member_gift_routes) = {
	{ M_GET, GBASE, gift_settings_get, AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, GBASE, gift_settings_put,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ 0, NULL, NULL, 0 }
};
