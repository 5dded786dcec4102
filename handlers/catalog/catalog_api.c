/*
 * The menu (public, with the signed-in member's prices when there is
 * one): the products on sale at a store.
 */
#include "app.h"
#include "db.h"
#include "tier/tier.h"

enum { MS_ID, MS_NCOLS };
DB_SQL_COLS(q_menu_store, MS_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND id = ? AND active = 1"
    " AND kind = 'own'");
enum { MG_GROWTH, MG_NCOLS };
DB_SQL_COLS(q_menu_growth, MG_NCOLS,
    "SELECT growth FROM members WHERE merchant_id = ? AND id = ?");
/* store_ids NULL: every store; else a JSON array of ids ("[1,3]"). */
enum { MN_ID, MN_NAME, MN_CATEGORY, MN_PRICE, MN_MEMBER, MN_NCOLS };
DB_SQL_COLS(q_menu, MN_NCOLS,
    "SELECT p.id, p.name, p.category, p.price_fen,"
    " (SELECT mp.price_fen FROM product_member_prices mp"
    "  WHERE mp.product_id = p.id AND mp.tier_level = ?)"
    " FROM products p WHERE p.merchant_id = ? AND p.active = 1"
    " AND (p.store_ids IS NULL OR JSON_CONTAINS(p.store_ids, ?))"
    " ORDER BY p.position, p.category, p.id");

/*
 * The tier level of the signed-in member of r->m into *level, -1 when
 * nobody is signed in as a member (or the merchant has no tiers). 0, or
 * the error status (recorded).
 */
static int
member_level(struct req *r, int *level)
{
	const struct tier_row *cur = NULL;
	struct db_res res;
	int st;

	*level = -1;
	if (r->auth.kind != AUTH_KIND_MEMBER || r->auth.member_id == 0)
		return 0;
	if (DB(r, &q_menu_growth, &res, DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	if ((st = tier_of_growth(r, db_int(&res, 0, MG_GROWTH), &cur,
	    NULL)) != 0)
		return st;
	if (cur != NULL)
		*level = cur->level;
	return 0;
}

/*
 * The menu of a store: its active products (sold at every store or at
 * this one) by position, category and id, each with member_price_fen,
 * the price of the signed-in member's tier, or null (no member session,
 * or no member price for that tier).
 * In: ?store_id= (required, an open store of the merchant). Out: [{id,
 * name, category, price_fen, member_price_fen}]. Errors: invalid_field
 * store_id. Writes nothing.
 */
static int
catalog_menu(struct req *r)
{
	struct db_res res;
	int64_t store_id;
	cJSON *arr;
	int level, i, st;

	if (req_query_int(r, "store_id", 1, 1, INT64_MAX, &store_id) == -1)
		return r->status;
	if (DB(r, &q_menu_store, &res, DBI(r->m->id), DBI(store_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_bad_field(r, "store_id", "门店不存在");
	if ((st = member_level(r, &level)) != 0)
		return st;
	if (DB(r, &q_menu, &res, DBI(level), DBI(r->m->id),
	    DBS(arena_printf(r->a, "%lld", (long long)store_id))) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", db_int(&res, i, MN_ID));
		j_str(o, "name", db_str(&res, i, MN_NAME));
		j_str(o, "category", db_str(&res, i, MN_CATEGORY));
		j_int(o, "price_fen", db_int(&res, i, MN_PRICE));
		if (level >= 0 && !db_isnull(&res, i, MN_MEMBER))
			j_int(o, "member_price_fen", db_int(&res, i,
			    MN_MEMBER));
		else
			j_null(o, "member_price_fen");
		j_add(arr, NULL, o);
	}
	return resp_list(r, arr, 0);
}

ROUTES(catalog_api_routes) = {
	{ M_GET, "/api/v1/m/:merchant/products", catalog_menu, AUTH_OPTIONAL },
	{ 0, NULL, NULL, 0 }
};
