/*
 * The catalogue as orders read it: products by id with the tier's price.
 */
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "core/core.h"
#include "db.h"

enum { CI_ID, CI_NAME, CI_CATEGORY, CI_PRICE, CI_STORES, CI_ACTIVE,
    CI_MEMBER, CI_NCOLS };
DB_SQL_COLS(q_item, CI_NCOLS,
    "SELECT p.id, p.name, p.category, p.price_fen, p.store_ids, p.active,"
    " (SELECT mp.price_fen FROM product_member_prices mp"
    "  WHERE mp.product_id = p.id AND mp.tier_level = ?)"
    " FROM products p WHERE p.merchant_id = ? AND p.id = ?");

int
catalog_items_load(struct req *r, const int64_t *ids, int n,
    int64_t store_id, int tier_level, struct catalog_item *out)
{
	struct db_res res;
	int i, j;

	for (i = 0; i < n; i++) {
		struct catalog_item *it = &out[i];

		memset(it, 0, sizeof(*it));
		it->id = ids[i];
		it->member_price_fen = -1;
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i])
				break;
		if (j < i) {
			*it = out[j];
			continue;
		}
		if (DB(r, &q_item, &res, DBI(tier_level), DBI(r->m->id),
		    DBI(ids[i])) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			continue;
		it->found = 1;
		it->name = db_str(&res, 0, CI_NAME);
		it->category = db_str(&res, 0, CI_CATEGORY);
		it->price_fen = db_int(&res, 0, CI_PRICE);
		it->active = db_int(&res, 0, CI_ACTIVE) != 0;
		it->sold_here = store_list_allows(db_str(&res, 0, CI_STORES),
		    store_id);
		if (tier_level >= 0 && !db_isnull(&res, 0, CI_MEMBER))
			it->member_price_fen = db_int(&res, 0, CI_MEMBER);
	}
	return 0;
}
