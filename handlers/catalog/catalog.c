/*
 * The catalogue as orders read it: products by id with the tier's price.
 */
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "core/core.h"
#include "db.h"

/*
 * Up to CI_CHUNK products in one statement: the ids asked for, the rest
 * of the slots 0 (no product has id 0).
 */
#define CI_CHUNK	8
enum { CI_ID, CI_NAME, CI_CATEGORY, CI_PRICE, CI_STORES, CI_ACTIVE,
    CI_MEMBER, CI_NCOLS };
DB_SQL_COLS(q_items, CI_NCOLS,
    "SELECT p.id, p.name, p.category, p.price_fen, p.store_ids, p.active,"
    " (SELECT mp.price_fen FROM product_member_prices mp"
    "  WHERE mp.product_id = p.id AND mp.tier_level = ?)"
    " FROM products p WHERE p.merchant_id = ?"
    " AND p.id IN (?, ?, ?, ?, ?, ?, ?, ?)");

/* Fill every out[k] whose id is the product of row i. */
static void
item_fill(const struct db_res *res, int i, const int64_t *ids, int n,
    int64_t store_id, int tier_level, struct catalog_item *out)
{
	int64_t id = db_int(res, i, CI_ID);
	int k;

	for (k = 0; k < n; k++) {
		struct catalog_item *it = &out[k];

		if (ids[k] != id)
			continue;
		it->found = 1;
		it->name = db_str(res, i, CI_NAME);
		it->category = db_str(res, i, CI_CATEGORY);
		it->price_fen = db_int(res, i, CI_PRICE);
		it->active = db_int(res, i, CI_ACTIVE) != 0;
		it->sold_here = store_list_allows(db_str(res, i, CI_STORES),
		    store_id);
		if (tier_level >= 0 && !db_isnull(res, i, CI_MEMBER))
			it->member_price_fen = db_int(res, i, CI_MEMBER);
	}
}

int
catalog_items_load(struct req *r, const int64_t *ids, int n,
    int64_t store_id, int tier_level, struct catalog_item *out)
{
	struct db_res res;
	int64_t slot[CI_CHUNK];
	int i, j, k, ns;

	for (i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].id = ids[i];
		out[i].member_price_fen = -1;
	}
	/* the distinct ids, CI_CHUNK to a statement */
	for (i = 0, ns = 0; i <= n; i++) {
		if (i < n) {
			for (j = 0; j < i && ids[j] != ids[i]; j++)
				;
			if (j < i)
				continue;
			slot[ns++] = ids[i];
		}
		if (ns == 0 || (ns < CI_CHUNK && i < n))
			continue;
		for (k = ns; k < CI_CHUNK; k++)
			slot[k] = 0;
		if (DB(r, &q_items, &res, DBI(tier_level), DBI(r->m->id),
		    DBI(slot[0]), DBI(slot[1]), DBI(slot[2]), DBI(slot[3]),
		    DBI(slot[4]), DBI(slot[5]), DBI(slot[6]), DBI(slot[7])) !=
		    DB_OK)
			return db_fail(r);
		for (k = 0; k < res.nrows; k++)
			item_fill(&res, k, ids, n, store_id, tier_level, out);
		ns = 0;
	}
	return 0;
}
