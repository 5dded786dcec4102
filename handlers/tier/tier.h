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
#include "privilege_rules.h"

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

/* ---- privileges by date (privilege.c; the rules in privilege_rules.h) ---- */

/*
 * The merchant's settings/privileges read into c (priv_cfg_init() when
 * never saved). 0, or the error status (recorded).
 */
int	 privilege_cfg_load(struct req *, struct priv_cfg *c);
/* The same from the saved text (NULL: never saved) a caller read. */
void	 privilege_cfg_from_text(struct req *, const char *body,
	    struct priv_cfg *c);
/*
 * settings/privileges as saved (the JSON GET returns) into c: 0, or -1
 * when it cannot be read (c is then empty).
 */
int	 privilege_cfg_parse(const cJSON *, struct priv_cfg *c);
/* The settings' JSON as GET returns it for a merchant that never saved. */
cJSON	*privilege_default_json(void);
/*
 * The privileges by date a member of tier_level has, appended to arr as
 * the card's {title, desc} (holidays that have not ended by day only).
 */
void	 privilege_card_add(struct req *, const struct priv_cfg *,
	    int tier_level, int64_t day, cJSON *arr);
/* "8.5折" / "9折"; "积分2倍" / "积分1.5倍", in the request's arena. */
const char *privilege_pct_cn(struct req *, int64_t pct);
const char *privilege_mult_cn(struct req *, int64_t mult_pct);
/* "生日当周 8.5折 · 积分2倍": what one rule gives and when. */
const char *privilege_desc(struct req *, const struct priv_rule *);

#endif
