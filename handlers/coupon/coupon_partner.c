/*
 * Templates shared with partner stores (异业合作): whether a partner store
 * may redeem a template's coupons, and a template's redemptions per store
 * for its staff view (see coupon.h).
 */
#include "app.h"
#include "coupon.h"
#include "db.h"

enum { PS_ONE, PS_NCOLS };
/* shared lock: an unshare waits for a redemption under way, and after */
DB_SQL_COLS(q_cp_shared, PS_NCOLS,
    "SELECT 1 FROM coupon_template_partners p JOIN stores s"
    " ON s.id = p.store_id AND s.merchant_id = p.merchant_id"
    " AND s.kind = 'partner'"
    " WHERE p.merchant_id = ? AND p.template_id = ? AND p.store_id = ?"
    " LOCK IN SHARE MODE");
enum { PI_STORE, PI_NCOLS };
DB_SQL_COLS(q_cp_store_ids, PI_NCOLS,
    "SELECT p.store_id FROM coupon_template_partners p JOIN stores s"
    " ON s.id = p.store_id AND s.merchant_id = p.merchant_id"
    " AND s.kind = 'partner'"
    " WHERE p.merchant_id = ? AND p.template_id = ? ORDER BY p.store_id");
enum { PL_TEMPLATE, PL_STORE, PL_NCOLS };
DB_SQL_COLS(q_cp_list, PL_NCOLS,
    "SELECT p.template_id, p.store_id FROM coupon_template_partners p"
    " JOIN stores s ON s.id = p.store_id AND s.merchant_id = p.merchant_id"
    " AND s.kind = 'partner'"
    " WHERE p.merchant_id = ? AND p.template_id BETWEEN ? AND ?"
    " ORDER BY p.template_id, p.store_id");
enum { BS_STORE, BS_NAME, BS_KIND, BS_USED, BS_DISCOUNT, BS_NCOLS };
DB_SQL_COLS(q_cp_by_store, BS_NCOLS,
    "SELECT c.used_store_id, s.name, s.kind, COUNT(*),"
    " COALESCE(SUM(c.discount_fen), 0) FROM coupons c"
    " LEFT JOIN stores s ON s.id = c.used_store_id"
    " AND s.merchant_id = c.merchant_id"
    " WHERE c.merchant_id = ? AND c.template_id = ? AND c.status = 'used'"
    " GROUP BY c.used_store_id, s.name, s.kind ORDER BY c.used_store_id");

int
coupon_partner_shared(struct req *r, int64_t template_id, int64_t store_id,
    int *shared)
{
	struct db_res res;

	*shared = 0;
	if (DB(r, &q_cp_shared, &res, DBI(r->m->id), DBI(template_id),
	    DBI(store_id)) != DB_OK)
		return db_fail(r);
	*shared = res.nrows > 0;
	return 0;
}

cJSON *
coupon_partner_store_ids(struct req *r, int64_t template_id)
{
	struct db_res res;
	cJSON *ids;
	int i;

	if (DB(r, &q_cp_store_ids, &res, DBI(r->m->id), DBI(template_id)) !=
	    DB_OK) {
		db_fail(r);
		return NULL;
	}
	ids = j_arr();
	for (i = 0; i < res.nrows; i++)
		j_add(ids, NULL, cJSON_CreateNumber(
		    (double)db_int(&res, i, PI_STORE)));
	return ids;
}

int
coupon_partner_stats(struct req *r, int64_t template_id, cJSON *tpl)
{
	struct db_res res;
	cJSON *ids, *arr;
	int i;

	if ((ids = coupon_partner_store_ids(r, template_id)) == NULL)
		return r->status;
	if (DB(r, &q_cp_by_store, &res, DBI(r->m->id), DBI(template_id)) !=
	    DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		if (db_isnull(&res, i, BS_STORE))
			j_null(o, "store_id");
		else
			j_int(o, "store_id", db_int(&res, i, BS_STORE));
		j_str(o, "store_name", db_str(&res, i, BS_NAME));
		j_str(o, "kind", db_str(&res, i, BS_KIND));
		j_int(o, "used", db_int(&res, i, BS_USED));
		j_int(o, "discount_fen", db_int(&res, i, BS_DISCOUNT));
		j_add(arr, NULL, o);
	}
	j_add(tpl, "partner_store_ids", ids);
	j_add(tpl, "used_by_store", arr);
	return 0;
}

int
coupon_partner_list(struct req *r, cJSON *tpls, int64_t lo, int64_t hi)
{
	struct db_res res;
	cJSON *t;
	int i;

	if (tpls->child == NULL)
		return 0;
	if (DB(r, &q_cp_list, &res, DBI(r->m->id), DBI(lo), DBI(hi)) != DB_OK)
		return db_fail(r);
	for (t = tpls->child; t != NULL; t = t->next) {
		int64_t id = (int64_t)cJSON_GetObjectItem(t, "id")->valuedouble;
		cJSON *ids = j_arr();

		for (i = 0; i < res.nrows; i++)
			if (db_int(&res, i, PL_TEMPLATE) == id)
				j_add(ids, NULL, cJSON_CreateNumber(
				    (double)db_int(&res, i, PL_STORE)));
		j_add(t, "partner_store_ids", ids);
	}
	return 0;
}
