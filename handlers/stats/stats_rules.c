#include <math.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "stats.h"

long
stats_day(const char *s)
{
	struct tm tm;
	int y, m, d;

	if (s == NULL || strlen(s) != 10 || date_parse(s, &y, &m, &d) == -1 ||
	    y < 1970)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (long)(timegm(&tm) / 86400);
}

void
stats_date(long day, char out[11])
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
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
