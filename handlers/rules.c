#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rules.h"

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
date_valid(const char *s)
{
	int y, m, d;
	struct tm tm;
	time_t now = time(NULL);
	char today[11];

	if (s == NULL || strlen(s) != 10 || date_parse(s, &y, &m, &d) == -1 ||
	    y < 1900)
		return 0;
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
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

void
card_no_make(char out[17], uint32_t (*rand_fn)(uint32_t))
{
	int i;

	out[0] = '8';
	for (i = 1; i < 16; i++)
		out[i] = (char)('0' + rand_fn(10));
	out[16] = '\0';
}
