/* Pure scratch-card rules: the draw and its odds (scratch_rules.h). */
#include <math.h>

#include "scratch_rules.h"

int64_t
scratch_total_weight(const int64_t *weights, int n, int64_t none_weight)
{
	int64_t t = none_weight > 0 ? none_weight : 0;
	int i;

	for (i = 0; i < n; i++)
		if (weights[i] > 0)
			t += weights[i];
	return t;
}

int
scratch_pick(const int64_t *weights, int n, int64_t none_weight,
    int64_t roll)
{
	int64_t total = scratch_total_weight(weights, n, none_weight);
	int i;

	if (roll < 0 || roll >= total)
		return -1;
	for (i = 0; i < n; i++) {
		if (weights[i] <= 0)
			continue;
		if (roll < weights[i])
			return i;
		roll -= weights[i];
	}
	return -1;	/* the roll fell on no prize */
}

double
scratch_odds(int64_t weight, int64_t total)
{
	if (total <= 0 || weight <= 0)
		return 0;
	return round((double)weight / (double)total * 10000.0) / 10000.0;
}
