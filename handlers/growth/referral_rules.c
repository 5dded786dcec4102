/* Pure referral rules (see referral_rules.h). */
#include <stdint.h>

#include "referral_rules.h"

int
referral_within_caps(int64_t today, int64_t daily_cap, int64_t total,
    int64_t total_cap)
{
	return today < daily_cap && total < total_cap;
}
