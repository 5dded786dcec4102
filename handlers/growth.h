/*
 * What joining and paying set off in other areas: referral binding and
 * rewards, campaign gift packs. Called inside the caller's transaction.
 */
#ifndef GROWTH_H
#define GROWTH_H
#include <stdint.h>

struct req;

/*
 * Check a referral code given on joining: a valid code of this merchant
 * whose member exists. 0 with the referrer's id out, or -1 with 400
 * invalid_field referral_code recorded.
 */
int	 referral_resolve(struct req *, const char *code, int64_t *referrer);
/*
 * A new member joined with a referrer: bind them for good and, when the
 * merchant rewards on joining, reward both within the caps. Returns an
 * HTTP-like status (< 400 fine) with any error recorded.
 */
int	 referral_on_join(struct req *, int64_t referee, int64_t referrer);
/*
 * A member completed a balance payment: when the merchant rewards
 * referrals on the referee's first payment, reward a pending referral.
 */
int	 referral_on_payment(struct req *, int64_t member);
/*
 * A new member joined through a channel: for "campaign:<slug>" with the
 * campaign live, grant its gift pack (coupons out of stock are skipped).
 */
int	 campaign_on_join(struct req *, int64_t member, const char *channel);

#endif
