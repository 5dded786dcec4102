/*
 * catalog: the merchant's products (SKU) with their list prices, a price
 * per tier (会员价), the stores that sell them and whether they are on
 * sale. Floor 4, beside the ledgers: it reads the tier ladder below and is
 * read by orders above.
 *
 *	catalog.c	the lookup orders price from
 *	catalog_rules.c	pure: a product's checks, yuan, the CSV format
 *			(catalog_rules.h, this folder's and the unit tests')
 *	catalog_staff.c	routes only: products for staff, CSV export/import
 *	catalog_api.c	routes only: the menu of a store
 *
 * Conventions: as fcgi/app.h says.
 */
#ifndef CATALOG_H
#define CATALOG_H
#include <stdint.h>

struct req;

#define CATALOG_NAME_MAX	64	/* characters */
#define CATALOG_CATEGORY_MAX	32

/* One product as an order prices it. */
struct catalog_item {
	int64_t		 id;
	const char	*name, *category;
	int64_t		 price_fen;
	int64_t		 member_price_fen;	/* the tier's, or -1: none */
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

#endif
