/*
 * growth: campaigns and referrals, the top of the domain floors. They
 * subscribe to EV_MEMBER_JOINED (referral binding and rewards, a
 * campaign's gift pack), EV_ORDER_PAID (a referral rewarded on the
 * first payment, a scratch chance) and EV_ORDER_REFUNDED (a scratch
 * chance void) instead of being called by the ledgers and orders.
 *
 *	campaign.c	campaigns, their pages and counters
 *	referral.c	referral links, settings and rewards
 *	referral_rules.c	pure: the reward caps
 *	scratch.c	scratch cards: chances after a paid order, the draw
 *	scratch_rules.c	pure: the draw over the weights, the odds
 *	scratch_staff.c	routes only: scratch campaigns and their console
 */
#ifndef GROWTH_H
#define GROWTH_H
#include <stdint.h>
#include "referral_rules.h"
#include "scratch_rules.h"

struct req;

/*
 * The templates of a live campaign by its slug, for ?campaign=: *n ids
 * into ids (at most max). 0, or the error status (recorded): 404
 * not_found (field campaign) when there is no such campaign or it is not
 * published, 409 not_started or ended, or a database failure.
 */
int	 campaign_template_ids(struct req *, const char *slug, int64_t *ids,
	    int max, int *n);
/* A well-formed campaign slug: 2 to 64 of a-z, 0-9, - and _. */
int	 campaign_slug_ok(const char *);

#endif
