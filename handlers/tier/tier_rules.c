/* Pure tier rules (see tier.h). */
#include <stddef.h>

#include "tier.h"

int
tier_for_growth(const struct tier_step *t, int n, int64_t growth, int *next)
{
	int i, cur = 0;

	for (i = 0; i < n; i++)
		if (growth >= t[i].growth)
			cur = i;
	if (next != NULL)
		*next = cur + 1 < n ? cur + 1 : -1;
	return n > 0 ? cur : -1;
}
