/* Pure privilege rules by date (see privilege_rules.h). */
#include <string.h>

#include "privilege_rules.h"
#include "tier.h"

void
priv_cfg_init(struct priv_cfg *c)
{
	int k;

	memset(c, 0, sizeof(*c));
	for (k = 0; k < PRIV_NKINDS; k++)
		c->rank[k] = k;
}

static int64_t
fdiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int64_t
priv_local_day(int64_t now, long tz_off)
{
	return fdiv(now + tz_off, 86400);
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int n[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	return m == 2 && leap(y) ? 29 : n[m - 1];
}

int64_t
priv_birthday_in(int y, int bm, int bd)
{
	if (bd > month_days(y, bm))
		bd = month_days(y, bm);
	return tier_day(y, bm, bd);
}

/* The Monday that begins the week of a day (1970-01-01 was a Thursday). */
static int64_t
week_start(int64_t day)
{
	return day - (((day + 3) % 7) + 7) % 7;
}

int
priv_tier_ok(const struct priv_rule *r, int tier_level)
{
	int i;

	if (r->ntiers == 0)
		return 1;
	for (i = 0; i < r->ntiers && i < PRIV_MAX_TIERS; i++)
		if (r->tiers[i] == tier_level)
			return 1;
	return 0;
}

int
priv_rule_on(const struct priv_rule *r, int64_t day, int tier_level, int bm,
    int bd)
{
	int y, m, d, k;

	if (!priv_tier_ok(r, tier_level))
		return 0;
	tier_ymd(day, &y, &m, &d);
	switch (r->kind) {
	case PRIV_BIRTHDAY:
		if (bm < 1 || bm > 12 || bd < 1 || bd > 31)
			return 0;
		if (r->window == PW_MONTH)
			return m == bm;
		if (r->window == PW_DAY)
			return day == priv_birthday_in(y, bm, bd);
		for (k = y - 1; k <= y + 1; k++)
			if (week_start(priv_birthday_in(k, bm, bd)) ==
			    week_start(day))
				return 1;
		return 0;
	case PRIV_MEMBER_DAY:
		if (r->window == PW_WEEK)
			return day - week_start(day) + 1 == r->day;
		return d == (r->day > month_days(y, m) ? month_days(y, m) :
		    r->day);
	case PRIV_HOLIDAY:
		return day >= r->from && day <= r->to;
	}
	return 0;
}
