#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats_rules.h"

/* Days from 1970-01-01 of a proleptic Gregorian date. */
static long
days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long
stats_day(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	long y, m, d;
	int i, leap;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	return days_from_civil(y, m, d);
}

void
stats_date(long z, char out[11])
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	snprintf(out, 11, "%04lu-%02lu-%02lu", (unsigned long)y % 10000,
	    (unsigned long)m % 100, (unsigned long)d % 100);
}

int
stats_period(const char *from, const char *to, const char *today,
    struct stats_period *p, const char **field, const char **why)
{
	long t = stats_day(today), a, b;

	if (to != NULL) {
		if ((b = stats_day(to)) == -1) {
			*field = "to";
			*why = "日期应为 YYYY-MM-DD";
			return -1;
		}
	} else
		b = t;
	if (from != NULL) {
		if ((a = stats_day(from)) == -1) {
			*field = "from";
			*why = "日期应为 YYYY-MM-DD";
			return -1;
		}
		if (to == NULL && b - a + 1 > STATS_MAX_DAYS)
			b = a + STATS_MAX_DAYS - 1;
	} else
		a = b - (STATS_DEFAULT_DAYS - 1);
	if (a > b) {
		*field = "from";
		*why = "开始日期不能晚于结束日期";
		return -1;
	}
	if (b - a + 1 > STATS_MAX_DAYS) {
		*field = "to";
		*why = "统计区间最长 366 天";
		return -1;
	}
	if (a < 0) {
		*field = "from";
		*why = "日期应为 YYYY-MM-DD";
		return -1;
	}
	p->first = a;
	p->last = b;
	p->days = (int)(b - a + 1);
	stats_date(a, p->from);
	stats_date(b, p->to);
	return 0;
}

double
stats_rate(int64_t num, int64_t den)
{
	if (den == 0)
		return -1;
	return round((double)num / (double)den * 10000.0) / 10000.0;
}
