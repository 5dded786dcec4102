/*
 * Pure scratch-card rules, reached by unit tests: the draw over the
 * prizes' weights and "no prize", and the odds the console shows.
 */
#ifndef SCRATCH_RULES_H
#define SCRATCH_RULES_H
#include <stdint.h>

/* The most prizes a scratch campaign has, and the largest weight. */
#define SCRATCH_PRIZES_MAX	10
#define SCRATCH_WEIGHT_MAX	1000000

/*
 * The sum of n prize weights and the weight of no prize (each 0 or more):
 * the range a roll is drawn from. 0 means nothing can be won.
 */
int64_t	 scratch_total_weight(const int64_t *weights, int n,
	    int64_t none_weight);
/*
 * The prize a roll in [0, total) falls on, prizes first in their order
 * and no prize last: its index, or -1 for no prize (also for a roll out
 * of range or a total of 0).
 */
int	 scratch_pick(const int64_t *weights, int n, int64_t none_weight,
	    int64_t roll);
/* weight / total as a decimal with 4 places (0 when total is 0). */
double	 scratch_odds(int64_t weight, int64_t total);

#endif
