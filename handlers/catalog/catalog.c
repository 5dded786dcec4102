/*
 * The catalogue as orders read it: products by id with the tier's price,
 * and the copy of them each worker keeps for quotes.
 */
#include <stdlib.h>
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
		it->store_ids = db_str(res, i, CI_STORES);
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

/* ---- the products each worker keeps for quotes ---- */

/*
 * One product as catalog_items_load() read it for a tier, with the
 * merchant's revision read before it (config_revs.rev, migration 0033:
 * raised by every change to products and member prices). A (merchant,
 * product, tier) has CI_WAYS slots from its hash on, so the copy is
 * bounded and a few that hash alike do not push each other out: one
 * that finds them all taken replaces one of them in turn.
 */
#define CI_KEEP		512
#define CI_WAYS		8

static struct kept_item {
	int64_t		 merchant_id, id, rev;	/* merchant_id 0: empty */
	int		 tier_level;
	char		*name, *category, *store_ids;
	int64_t		 price_fen, member_price_fen;
	int		 active;
} kept[CI_KEEP];
static unsigned	 kept_turn;

static unsigned
kept_home(int64_t merchant_id, int64_t id, int tier_level)
{
	uint64_t h = (uint64_t)merchant_id * 0x9E3779B97F4A7C15ull ^
	    (uint64_t)id * 0xC2B2AE3D27D4EB4Full ^
	    (uint64_t)(tier_level + 2) * 0x165667B19E3779F9ull;

	return (unsigned)((h >> 29) % CI_KEEP);
}

/* The slot of that product and tier, or NULL. */
static struct kept_item *
kept_slot(int64_t merchant_id, int64_t id, int tier_level)
{
	unsigned i = kept_home(merchant_id, id, tier_level), k;

	for (k = 0; k < CI_WAYS; k++) {
		struct kept_item *c = &kept[(i + k) % CI_KEEP];

		if (c->merchant_id == merchant_id && c->id == id &&
		    c->tier_level == tier_level)
			return c;
	}
	return NULL;
}

/* Where to keep it: its own slot, an empty one, or one in turn. */
static struct kept_item *
kept_free_slot(int64_t merchant_id, int64_t id, int tier_level)
{
	unsigned i = kept_home(merchant_id, id, tier_level), k;
	struct kept_item *c;

	if ((c = kept_slot(merchant_id, id, tier_level)) != NULL)
		return c;
	for (k = 0; k < CI_WAYS; k++)
		if (kept[(i + k) % CI_KEEP].merchant_id == 0)
			return &kept[(i + k) % CI_KEEP];
	return &kept[(i + kept_turn++ % CI_WAYS) % CI_KEEP];
}

static void
kept_clear(struct kept_item *k)
{
	free(k->name);
	free(k->category);
	free(k->store_ids);
	memset(k, 0, sizeof(*k));
}

/* Keep it as read at rev (out of memory: keep nothing). */
static void
kept_put(int64_t merchant_id, int tier_level, int64_t rev,
    const struct catalog_item *it)
{
	struct kept_item *k = kept_free_slot(merchant_id, it->id, tier_level);
	int failed = 0;

	kept_clear(k);
	k->name = strdup_kept(it->name, &failed);
	k->category = strdup_kept(it->category, &failed);
	k->store_ids = strdup_kept(it->store_ids, &failed);
	if (failed) {
		kept_clear(k);
		return;
	}
	k->merchant_id = merchant_id;
	k->id = it->id;
	k->rev = rev;
	k->tier_level = tier_level;
	k->price_fen = it->price_fen;
	k->member_price_fen = it->member_price_fen;
	k->active = it->active;
}

int
catalog_items_kept(struct req *r, const int64_t *ids, int n,
    int64_t store_id, int tier_level, int64_t rev, struct catalog_item *out)
{
	int64_t *miss = arena_calloc(r->a, (size_t)n + 1, sizeof(*miss));
	struct catalog_item *got;
	int i, k, nm = 0, st;

	for (i = 0; i < n; i++) {
		const struct kept_item *c = kept_slot(r->m->id, ids[i],
		    tier_level);
		struct catalog_item *it = &out[i];

		memset(it, 0, sizeof(*it));
		it->id = ids[i];
		it->member_price_fen = -1;
		if (c == NULL || c->rev != rev) {
			miss[nm++] = ids[i];
			continue;
		}
		it->found = 1;
		it->name = arena_strdup(r->a, c->name);
		it->category = c->category ? arena_strdup(r->a, c->category) :
		    NULL;
		it->store_ids = c->store_ids ? arena_strdup(r->a,
		    c->store_ids) : NULL;
		it->price_fen = c->price_fen;
		it->member_price_fen = c->member_price_fen;
		it->active = c->active;
		it->sold_here = store_list_allows(it->store_ids, store_id);
	}
	if (nm == 0)
		return 0;
	got = arena_calloc(r->a, (size_t)nm, sizeof(*got));
	if ((st = catalog_items_load(r, miss, nm, store_id, tier_level, got))
	    != 0)
		return st;
	for (k = 0; k < nm; k++) {
		if (!got[k].found)
			continue;
		kept_put(r->m->id, tier_level, rev, &got[k]);
		for (i = 0; i < n; i++)
			if (!out[i].found && ids[i] == got[k].id)
				out[i] = got[k];
	}
	return 0;
}
