/*
 * Sharing a coupon template with partner stores (owners), and the
 * redemptions a staff member has made (the partner's 核销 page, the
 * counter).
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon.h"
#include "db.h"

#define PARTNERS_MAX	50

enum { PT_ID, PT_NAME, PT_NCOLS };
DB_SQL_COLS(q_pt_tpl_lock, PT_NCOLS,
    "SELECT id, name FROM coupon_templates WHERE merchant_id = ? AND id = ?"
    " FOR UPDATE");
DB_SQL_COLS(q_pt_tpl_get, PT_NCOLS,
    "SELECT id, name FROM coupon_templates WHERE merchant_id = ? AND id = ?");
enum { PK_KIND, PK_NCOLS };
DB_SQL_COLS(q_pt_store, PK_NCOLS,
    "SELECT kind FROM stores WHERE merchant_id = ? AND id = ? AND active = 1");
DB_SQL(q_pt_clear,
    "DELETE FROM coupon_template_partners WHERE merchant_id = ?"
    " AND template_id = ?");
DB_SQL(q_pt_add,
    "INSERT INTO coupon_template_partners (merchant_id, template_id,"
    " store_id, created_at) VALUES (?, ?, ?, UTC_TIMESTAMP())");
enum { RD_CODE, RD_NAME, RD_KIND, RD_GIFT, RD_STORE, RD_STORE_NAME,
    RD_ORDER, RD_DISCOUNT, RD_AT, RD_NCOLS };
DB_SQL_COLS(q_pt_redemptions, RD_NCOLS,
    "SELECT c.code, c.name, c.kind, c.gift_item, c.used_store_id, s.name,"
    " c.order_fen, c.discount_fen, c.used_at FROM coupons c"
    " LEFT JOIN stores s ON s.id = c.used_store_id"
    " AND s.merchant_id = c.merchant_id"
    " WHERE c.merchant_id = ? AND c.used_staff_id = ? AND c.status = 'used'"
    " ORDER BY c.used_at DESC, c.id DESC LIMIT ?");

/* The path's :id into *id: 0, or 404 not_found (recorded). */
static int
tpl_id(struct req *r, int64_t *id)
{
	if (req_param_id(r, "id", id) == -1)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	return 0;
}

static int
partners_out(struct req *r, int64_t id, cJSON **out)
{
	cJSON *ids = coupon_partner_store_ids(r, id);

	if (ids == NULL)
		return r->status;
	*out = j_obj();
	j_int(*out, "template_id", id);
	j_add(*out, "store_ids", ids);
	return 0;
}

/*
 * Out: {template_id, store_ids}: the partner stores the template is
 * shared with. Errors: not_found.
 */
static int
partners_get(struct req *r)
{
	struct db_res res;
	int64_t id;
	cJSON *d = NULL;
	int st;

	if ((st = tpl_id(r, &id)) != 0)
		return st;
	if (DB(r, &q_pt_tpl_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	if ((st = partners_out(r, id, &d)) != 0)
		return st;
	return resp_data(r, 200, d);
}

struct share {
	int64_t		 id;
	int64_t		 stores[PARTNERS_MAX];
	int		 n;
	cJSON		*out;
};

static int
share_tx(struct req *r, void *arg)
{
	struct share *c = arg;
	struct db_res res;
	int i, st;

	if (DB(r, &q_pt_tpl_lock, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
	for (i = 0; i < c->n; i++) {
		const char *f = arena_printf(r->a, "store_ids[%d]", i);

		if (DB(r, &q_pt_store, &res, DBI(r->m->id),
		    DBI(c->stores[i])) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "门店不存在或已停业");
		if (strcmp(db_str(&res, 0, PK_KIND), "partner") != 0)
			return resp_bad_field(r, f,
			    "只能共享给合作门店，自营门店请在券的适用门店中设置");
	}
	if (DB(r, &q_pt_clear, NULL, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < c->n; i++)
		if (DB(r, &q_pt_add, NULL, DBI(r->m->id), DBI(c->id),
		    DBI(c->stores[i])) != DB_OK)
			return db_fail(r);
	if ((st = audit_log(r, "coupon_template.partners", arena_printf(r->a,
	    "coupon_template:%lld", (long long)c->id), r->body, 0)) != 0)
		return st;
	if ((st = partners_out(r, c->id, &c->out)) != 0)
		return st;
	return 200;
}

/*
 * Share a template with partner stores (owners): the list replaces the
 * one before ([] shares with none). A partner store's account then
 * redeems the template's coupons there, whatever the template's own
 * store list; redemptions already made stay.
 * In: {store_ids: [ids of active partner stores]}. Out: {template_id,
 * store_ids}. Errors: invalid_field, not_found.
 * Writes: coupon_template_partners, audit_log.
 */
static int
partners_put(struct req *r)
{
	struct share *c = arena_calloc(r->a, 1, sizeof(*c));
	cJSON *a, *e;
	int k, st;

	if ((st = tpl_id(r, &c->id)) != 0)
		return st;
	if (req_json_body(r) == -1)
		return r->status;
	a = cJSON_GetObjectItemCaseSensitive(r->json, "store_ids");
	if (a == NULL || !cJSON_IsArray(a))
		return resp_bad_field(r, "store_ids", "应为合作门店编号数组");
	if (cJSON_GetArraySize(a) > PARTNERS_MAX)
		return resp_bad_field(r, "store_ids", "门店过多");
	for (e = a->child; e != NULL; e = e->next) {
		const char *f = arena_printf(r->a, "store_ids[%d]", c->n);
		int64_t v;

		if (json_integer(e, &v) == -1 || v < 1)
			return resp_bad_field(r, f, "应为门店编号");
		for (k = 0; k < c->n; k++)
			if (c->stores[k] == v)
				return resp_bad_field(r, f, "门店重复");
		c->stores[c->n++] = v;
	}
	st = db_tx(r, share_tx, c);
	return st >= 400 ? st : resp_data(r, 200, c->out);
}

/*
 * The signed-in staff member's own redemptions, newest first.
 * In: ?limit (1..100, default 20). Out: [{coupon_code, name, kind,
 * gift_item, store_id, store_name, order_fen, discount_fen, redeemed_at}],
 * next_cursor null (the latest only).
 */
static int
redemptions_mine(struct req *r)
{
	struct db_res res;
	int64_t limit, cursor;
	cJSON *arr;
	int i;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_pt_redemptions, &res, DBI(r->m->id),
	    DBI(r->auth.staff_id), DBI(limit)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_str(o, "coupon_code", db_str(&res, i, RD_CODE));
		j_str(o, "name", db_str(&res, i, RD_NAME));
		j_str(o, "kind", db_str(&res, i, RD_KIND));
		j_str(o, "gift_item", db_str(&res, i, RD_GIFT));
		if (db_isnull(&res, i, RD_STORE))
			j_null(o, "store_id");
		else
			j_int(o, "store_id", db_int(&res, i, RD_STORE));
		j_str(o, "store_name", db_str(&res, i, RD_STORE_NAME));
		if (db_isnull(&res, i, RD_ORDER))
			j_null(o, "order_fen");
		else
			j_int(o, "order_fen", db_int(&res, i, RD_ORDER));
		j_int(o, "discount_fen", db_isnull(&res, i, RD_DISCOUNT) ? 0 :
		    db_int(&res, i, RD_DISCOUNT));
		j_str(o, "redeemed_at", time_rfc3339(r, db_str(&res, i,
		    RD_AT)));
		j_add(arr, NULL, o);
	}
	return resp_list(r, arr, 0);
}

#define SBASE "/api/v1/m/:merchant/staff"

ROUTES(coupon_partner_routes) = {
	{ M_GET, SBASE "/coupon-templates/:id/partners", partners_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, SBASE "/coupon-templates/:id/partners", partners_put,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ M_GET, SBASE "/redemptions", redemptions_mine,
	    AUTH_STAFF | ROLE_PARTNER },
	{ 0, NULL, NULL, 0 }
};
