/*
 * The coupons of a tier's upgrade reward (EV_TIER_REWARDED): one of each
 * template through coupon_grant(), stock and the per-member limit
 * deciding; a refusal is counted for the reward, not an error.
 */
#include "app.h"
#include "coupon.h"
#include "db.h"
#include "tier/tier.h"

static int
coupon_on_tier_rewarded(struct req *r, const void *payload)
{
	const struct tier_rewarded *ev = payload;
	cJSON *c;
	int i, st;

	for (i = 0; i < ev->ntemplates; i++) {
		st = coupon_grant(r, ev->member_id, ev->template_ids[i],
		    "tier_reward", &c);
		if (st == 0) {
			(*ev->coupons)++;
			continue;
		}
		if (st >= 500 || db_retry_pending())
			return st;
		resp_reset(r);
		(*ev->coupons_refused)++;
	}
	return 0;
}
ON_EVENT(EV_TIER_REWARDED, 20, coupon_on_tier_rewarded);
