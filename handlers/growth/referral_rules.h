/* Pure referral rules, reached by unit tests: the reward caps. */
#ifndef REFERRAL_RULES_H
#define REFERRAL_RULES_H
#include <stdint.h>

/*
 * May this referral be rewarded now? Caps of 0 mean no referral is
 * rewarded. Counts are what has been rewarded so far.
 */
int	 referral_within_caps(int64_t today, int64_t daily_cap, int64_t total,
	    int64_t total_cap);

#endif
