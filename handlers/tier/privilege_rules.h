/*
 * Privileges by date (settings/privileges): the birthday (that day, its
 * week or its month), the member day (a weekday each week or a date each
 * month) and the merchant's holidays (date ranges such as 三八节 or
 * 双十一), each with a discount ("pay that percent"), a points multiplier,
 * or both, for every member or for some tiers. Pure: no request, no
 * database, no clock; the day comes in as a local day number (days since
 * 1970-01-01 in the merchant's zone, priv_local_day(); tier_day() and
 * tier_ymd() turn dates into them and back). Part of tier.h.
 *
 * Calendar rules:
 *  - A birthday of 29 February is 28 February in a year that has no 29th.
 *  - The birthday week is the calendar week, Monday to Sunday, that holds
 *    the birthday of that year; a week crossing the year end counts for
 *    the birthday inside it (a 1 January birthday's week may begin in
 *    December, a 31 December one's end in January).
 *  - The birthday month is the birthday's calendar month.
 *  - A monthly member day on a date the month has not (the 31st in April,
 *    the 30th in February) falls on that month's last day.
 *  - A holiday runs from its first day to its last, both included.
 */
#ifndef PRIVILEGE_RULES_H
#define PRIVILEGE_RULES_H
#include <stdint.h>

#define PRIV_NONE	INT64_MIN	/* no discount */
#define PRIV_MAX_HOLIDAYS	20
#define PRIV_MAX_RULES	(2 + PRIV_MAX_HOLIDAYS)
#define PRIV_MAX_TIERS	16
#define PRIV_NAME_MAX	64		/* bytes, NUL included */

enum priv_kind { PRIV_BIRTHDAY = 0, PRIV_MEMBER_DAY, PRIV_HOLIDAY, PRIV_NKINDS };

/* Birthday windows; a member day's period is PW_WEEK or PW_MONTH. */
enum priv_window { PW_DAY = 0, PW_WEEK, PW_MONTH };

struct priv_rule {
	int		 kind;		/* enum priv_kind */
	int		 window;	/* enum priv_window */
	int		 day;		/* member day: 1..7 (Monday 1), 1..31 */
	int64_t		 from, to;	/* holiday: local day numbers */
	char		 name[PRIV_NAME_MAX];	/* "生日特权", "三八节" */
	int64_t		 discount_pct;	/* 1..99, or PRIV_NONE */
	int64_t		 mult_pct;	/* points multiplier x 100, 100: none */
	int		 ntiers;	/* 0: every member */
	int		 tiers[PRIV_MAX_TIERS];
	int64_t		 coupon_template_id;	/* member day, holiday: a gift
						   coupon the job issues on
						   the day; 0: none */
};

struct priv_cfg {
	int		 nrules;
	struct priv_rule rules[PRIV_MAX_RULES];
	int		 by_priority;	/* 0: the best for the member */
	int		 rank[PRIV_NKINDS];	/* by_priority: 0 goes first */
	int64_t		 coupon_template_id;	/* birthday coupon, 0: none */
	int		 coupon_days_before;
};

/* An empty configuration: no rules, best for the member. */
void	 priv_cfg_init(struct priv_cfg *);
/* The local day of a moment in a zone (offset in seconds). */
int64_t	 priv_local_day(int64_t now, long tz_off);
/* The birthday (month, day) in year y as a day number: 29 Feb -> 28 Feb. */
int64_t	 priv_birthday_in(int y, int bm, int bd);
/*
 * Is the rule on for a member of tier_level (-1: none) with birthday
 * bm/bd (0/0: unknown) on local day? 1 or 0.
 */
int	 priv_rule_on(const struct priv_rule *, int64_t day, int tier_level,
	    int bm, int bd);
/* The tier list allows tier_level: 1 or 0. */
int	 priv_tier_ok(const struct priv_rule *, int tier_level);

#endif
