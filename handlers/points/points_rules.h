/*
 * Pure points rules, no I/O, reached by tests/unit/test_points.c: when a
 * lot expires, how an earning is capped, what pays off negative points,
 * how a spending or a take-back is spread over lots. Part of points.h.
 */
#ifndef POINTS_RULES_H
#define POINTS_RULES_H
#include <stdint.h>

#define POINTS_NONE	(-1)	/* a cap that is not set */
#define POINTS_MAX	1000000000LL
#define POINTS_MONTHS_MAX 120

enum points_expiry {
	PX_NEVER,	/* lots never expire */
	PX_MONTHS,	/* N months after the day earned */
	PX_YEAR_END	/* the last day of the year after the year earned */
};

struct points_cfg {
	int		 earn_enabled;
	int64_t		 per_yuan;		/* merchants.points_per_yuan */
	int64_t		 per_order_cap;		/* POINTS_NONE: none */
	int64_t		 per_day_cap;		/* POINTS_NONE: none */
	int64_t		 join_points, profile_points;
	enum points_expiry expiry;
	int		 months;		/* PX_MONTHS: 1..120 */
};

void	 points_cfg_default(struct points_cfg *);
/* "never" | "months" | "year_end" and back: 0 or -1. */
int	 points_expiry_parse(const char *, enum points_expiry *);
const char *points_expiry_name(enum points_expiry);

/*
 * The last day a lot earned on the local day `earned` (YYYY-MM-DD) may be
 * spent, into out: N months later (a day the month lacks becomes its last
 * day: 2024-02-29 + 12 months is 2025-02-28), or 12-31 of the next year.
 * A lot whose day is before the job's local day has expired. 1 with out
 * set, 0 when the lot never expires (out ""), -1 for a bad date.
 */
int	 points_expiry_date(enum points_expiry, int months,
	    const char *earned, char out[11]);

/*
 * What an order's earning credits after the caps: raw (the pricing
 * engine's per yuan x tier multiplier x the day's multiplier) at most
 * per_order_cap, and at most what the day's cap leaves after
 * earned_today. Never below 0.
 */
int64_t	 points_capped(int64_t raw, int64_t per_order_cap,
	    int64_t per_day_cap, int64_t earned_today);

/*
 * A credit of points meets negative points first: *pay_off of it pays
 * them, *to_lot is what becomes spendable.
 */
void	 points_credit_split(int64_t points, int64_t negative,
	    int64_t *pay_off, int64_t *to_lot);

/*
 * Take n points from lots in the order given (the caller sorts them:
 * oldest expiry first, never-expiring last), left[i] what each holds:
 * take[i] out, the total taken returned (less than n when they hold
 * less).
 */
int64_t	 points_take(const int64_t *left, int nlots, int64_t n,
	    int64_t *take);

/*
 * A take-back of n points (a refund of the order that earned them) from
 * a member holding `held`: *taken from the lots, the rest *owed as new
 * negative points.
 */
void	 points_take_back_split(int64_t n, int64_t held, int64_t *taken,
	    int64_t *owed);

#endif
