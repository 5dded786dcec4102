#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_rules.h"

int
phone_valid(const char *p)
{
	int i;

	if (p == NULL || strlen(p) != 11 || p[0] != '1' || p[1] < '3' ||
	    p[1] > '9')
		return 0;
	for (i = 2; i < 11; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

void
phone_mask(const char *p, char *out, size_t n)
{
	if (p == NULL || strlen(p) != 11) {
		snprintf(out, n, "%s", p ? p : "");
		return;
	}
	snprintf(out, n, "%.3s****%.4s", p, p + 7);
}

static int
atoi_n(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
    31 };

static int
month_days(int y, int m)
{
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

int
date_parse(const char *s, int *y, int *m, int *d)
{
	int i;

	if (s == NULL || strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return -1;
	*y = atoi_n(s, 4);
	*m = atoi_n(s + 5, 2);
	*d = atoi_n(s + 8, 2);
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m) ?
	    0 : -1;
}

int
date_valid(const char *s, const char *today)
{
	int y, m, d;

	if (s == NULL || today == NULL || strlen(s) != 10 ||
	    date_parse(s, &y, &m, &d) == -1 || y < 1900)
		return 0;
	return strcmp(s, today) <= 0;
}

int
date_plus_months(const char *s, int months, char out[11])
{
	int y, m, d, n;

	if (months < 0 || months > 12 * 1000 ||
	    date_parse(s, &y, &m, &d) == -1)
		return -1;
	n = y * 12 + (m - 1) + months;
	y = n / 12;
	m = n % 12 + 1;
	if (y > 9999)
		return -1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
	return 0;
}

/* ---- time ---- */

int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* n digits at s into *v; 0 or -1. */
static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

long
tz_offset(const char *tz)
{
	int h, m;

	if (tz == NULL || strlen(tz) != 6 || (tz[0] != '+' && tz[0] != '-') ||
	    tz[3] != ':' || digits(tz + 1, 2, &h) || digits(tz + 4, 2, &m) ||
	    h > 14 || m > 59)
		return 8 * 3600;
	return (tz[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
}

int
time_parse(const char *s, long tz_off, int end_of_day, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0, oh, om;
	size_t n = s ? strlen(s) : 0;
	const char *p;
	long off = tz_off;

	if (n < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo)
	    || s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > month_days(y, mo))
		return -1;
	if (n == 10) {
		if (end_of_day) {
			h = 23;
			mi = 59;
			se = 59;
		}
		goto done;
	}
	if (n < 19 || (s[10] != 'T' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &se) || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		if (strlen(p) != 6 || digits(p + 1, 2, &oh) || p[3] != ':' ||
		    digits(p + 4, 2, &om) || oh > 14 || om > 59)
			return -1;
		off = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
		p += 6;
	}
	if (*p != '\0')
		return -1;
done:
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	    off;
	return 0;
}

int
time_sql_parse(const char *s, int64_t *out)
{
	if (s == NULL || strlen(s) != 19 || s[10] != ' ')
		return -1;
	return time_parse(s, 0, 0, out);
}

void
time_sql(int64_t ts, char out[20])
{
	time_t t = (time_t)ts;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The broken-down local time of ts in the zone tz_off. */
static void
local_tm(int64_t ts, long tz_off, struct tm *tm)
{
	time_t t = (time_t)(ts + tz_off);

	gmtime_r(&t, tm);
}

void
time_cn(int64_t ts, long tz_off, int64_t now, char out[32])
{
	struct tm t, n;

	local_tm(ts, tz_off, &t);
	local_tm(now, tz_off, &n);
	/* the modulos bound each field for the compiler; none changes a value */
	if (t.tm_year != n.tm_year)
		snprintf(out, 32, "%u年%u月%u日 %02u:%02u",
		    (unsigned)(t.tm_year + 1900) % 10000u,
		    (unsigned)(t.tm_mon + 1) % 100u, (unsigned)t.tm_mday % 100u,
		    (unsigned)t.tm_hour % 100u, (unsigned)t.tm_min % 100u);
	else
		snprintf(out, 32, "%u月%u日 %02u:%02u",
		    (unsigned)(t.tm_mon + 1) % 100u, (unsigned)t.tm_mday % 100u,
		    (unsigned)t.tm_hour % 100u, (unsigned)t.tm_min % 100u);
}

void
time_cn_span(int64_t from, int64_t until, long tz_off, int64_t now, char a[32],
    char b[32])
{
	struct tm f, u;

	local_tm(from, tz_off, &f);
	local_tm(until, tz_off, &u);
	time_cn(from, tz_off, now, a);
	if (f.tm_year == u.tm_year && f.tm_yday == u.tm_yday)
		snprintf(b, 32, "%02u:%02u", (unsigned)u.tm_hour % 100u,
		    (unsigned)u.tm_min % 100u);
	else
		time_cn(until, tz_off, now, b);
}

int
store_list_allows(const char *ids, int64_t store_id)
{
	const char *p;

	if (ids == NULL)
		return 1;
	for (p = ids; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			long long v = strtoll(p, &end, 10);

			if (v == store_id)
				return 1;
			p = end - 1;
		}
	}
	return 0;
}
