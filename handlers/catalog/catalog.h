/*
 * catalog: the merchant's products (SKU) with their list prices, a price
 * per tier (会员价), the stores that sell them and whether they are on
 * sale. Floor 4, beside the ledgers: it reads the tier ladder below and is
 * read by orders above.
 *
 *	catalog.c	the lookup orders price from
 *	count_card.c	the count cards on sale (次卡), as orders and the
 *			cards issued read them
 *	catalog_rules.c	pure: a product's checks, yuan, the CSV format
 *			(catalog_rules.h, this folder's and the unit tests')
 *	catalog_staff.c	routes only: products for staff, CSV export/import
 *	catalog_api.c	routes only: the menu of a store
 *	count_card_staff.c  routes only: count-card products for staff
 *
 * Conventions: as fcgi/app.h says.
 */
#ifndef CATALOG_H
#define CATALOG_H
#include <stdint.h>
#include "cjson/cJSON.h"

struct req;

#define CATALOG_NAME_MAX	64	/* characters */
#define CATALOG_CATEGORY_MAX	32

/* One product as an order prices it. */
struct catalog_item {
	int64_t		 id;
	const char	*name, *category;
	int64_t		 price_fen;
	int64_t		 member_price_fen;	/* the tier's, or -1: none */
	const char	*store_ids;		/* the stored list, NULL: all */
	int		 active;
	int		 sold_here;		/* at the store asked about */
	int		 found;			/* r->m has this product */
};

/*
 * The products ids[0..n-1] of r->m as sold at store_id, each with the
 * member price of tier_level (-1: no tier, no member price), into out[i]
 * (found 0 for an id r->m has no product of). 0, or the error status
 * (recorded).
 */
int	 catalog_items_load(struct req *, const int64_t *ids, int n,
	    int64_t store_id, int tier_level, struct catalog_item *out);
/*
 * The same for a quote, from this worker's copy of the products when it
 * was read at the merchant's config_revs.rev rev (migration 0033), the others
 * read and kept. Never for an order's commit: that reads them afresh.
 */
int	 catalog_items_kept(struct req *, const int64_t *ids, int n,
	    int64_t store_id, int tier_level, int64_t rev,
	    struct catalog_item *out);

/* ---- count cards on sale (count_card.c) ---- */

#define COUNT_CARD_USES_MAX	999	/* uses of one card product */

/*
 * A count card on sale (次卡): its uses and price, its validity (days
 * from the day it is paid, or until a date), the catalogue products a
 * use covers ("[1,3]") and the stores that sell it and take its uses
 * (NULL: every store).
 */
struct count_card_item {
	int64_t		 id;
	const char	*name;
	int64_t		 uses, price_fen;
	int		 validity_days;		/* 0: until */
	int64_t		 days;
	const char	*until;			/* "YYYY-MM-DD", or NULL */
	int64_t		 until_end;		/* its last second, Unix */
	const char	*product_ids, *store_ids;
	int		 active;
	int		 sold_here;		/* at the store asked about */
	int		 ended;			/* until: the date has passed */
	int		 found;
};

/*
 * Count-card product id of r->m as sold at store_id at now (the
 * merchant's day decides "ended") into out (found 0 when r->m has none
 * of that id). 0, or the error status (recorded).
 */
int	 count_card_item_load(struct req *, int64_t id, int64_t store_id,
	    int64_t now, struct count_card_item *out);
/* A stored list of ids ("[1,3]", products or stores) as a JSON array. */
cJSON	*count_card_ids_json(const char *);

#endif
