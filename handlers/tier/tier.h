/*
 * tier: the tier ladder, read in one place (tier.c) and kept by each
 * worker by the merchant's revision (merchants.tiers_rev, raised by
 * triggers on tiers), and the pure rule of which tier a growth is in
 * (tier_rules.c). Includes core only.
 *
 * Conventions: as fcgi/app.h says (0 or a recorded status; NULL with the
 * status in r->status); tier_for_growth() is a pure rule.
 */
#ifndef TIER_H
#define TIER_H
#include <stdint.h>
#include "cjson/cJSON.h"

struct req;

struct tier_row {
	int		 level;
	char		*name;
	int64_t		 growth;
	int		 has_discount;
	int64_t		 discount_pct;
	double		 mult;
	char		*privileges;	/* JSON text */
};

/*
 * The ladder of r->m, by level: rows and count out, owned by the worker's
 * copy (valid until the next call). tiers_at() takes a revision the caller
 * read already (the card reads it with the member). 0, or the error
 * status (recorded).
 */
int	 tiers_load(struct req *, const struct tier_row **, int *n);
int	 tiers_at(struct req *, int64_t rev, const struct tier_row **, int *n);
/*
 * The tier a member with this growth is in (NULL when the merchant has no
 * tiers) and the next one (NULL at the top; next may be NULL). 0, or the
 * error status (recorded).
 */
int	 tier_of_growth(struct req *, int64_t growth,
	    const struct tier_row **cur, const struct tier_row **next);
/* {level, name, discount_pct|null, points_multiplier} of a tier. */
cJSON	*tier_json(const struct tier_row *);
/* A tier's privileges (JSON text) as an array, [] when unreadable. */
cJSON	*tier_privileges_json(const char *);
/*
 * The tier ladder as GET /tiers returns it, or NULL with the error status
 * in r->status.
 */
cJSON	*tiers_build(struct req *);

/* ---- pure (tier_rules.c) ---- */

struct tier_step {
	int	 level;
	int64_t	 growth;
};
/*
 * Index of the tier a member with this growth is in (the highest whose
 * threshold is reached; tiers sorted by level, thresholds rising), and the
 * index of the next one or -1.
 */
int	 tier_for_growth(const struct tier_step *, int n, int64_t growth,
	    int *next);


#endif
