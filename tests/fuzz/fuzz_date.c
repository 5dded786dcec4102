/*
 * The calendar and time rules of core (core/core_rules.h) against the C
 * library's own calendar (timegm, gmtime_r):
 *
 *   input = 8 bytes of parameters (months, zone offset, end of day, a
 *           Unix time), then the text
 *
 * date_parse reads a real date or nothing, and the date it reads prints
 * back as the text's first ten characters; date_valid is date_parse on
 * exactly ten characters from 1900 to today; date_plus_months moves by
 * exactly that many months and clamps the day to the month's end;
 * time_parse agrees with a reading of its grammar done with timegm, and
 * time_sql/time_sql_parse print and read back the same second; tz_offset
 * reads +HH:MM or gives +08:00.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core_rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

#define DIGIT(c)	((c) >= '0' && (c) <= '9')

/* n digits at s, or -1. */
static int
num(const char *s, int n)
{
	int v = 0;

	while (n-- > 0) {
		if (!DIGIT(*s))
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

/* Seconds of y-m-d h:mi:s UTC by the C library; the date must be real. */
static int
civil(int y, int m, int d, int h, int mi, int s, int64_t *out)
{
	struct tm tm, back;
	time_t t;

	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = timegm(&tm);
	if (gmtime_r(&t, &back) == NULL || back.tm_year != y - 1900 ||
	    back.tm_mon != m - 1 || back.tm_mday != d)
		return -1;	/* timegm moved it: not a real date */
	*out = (int64_t)t;
	return 0;
}

static int
month_len(int y, int m)
{
	int64_t a, b;

	if (civil(y, m, 1, 0, 0, 0, &a) == -1)
		abort();
	if (m == 12 ? civil(y + 1, 1, 1, 0, 0, 0, &b) :
	    civil(y, m + 1, 1, 0, 0, 0, &b))
		abort();
	return (int)((b - a) / 86400);
}

/* The first ten characters as a real date: y, m, d, or -1. */
static int
ref_date(const char *s, int *y, int *m, int *d)
{
	int64_t t;

	if (strnlen(s, 10) < 10 || s[4] != '-' || s[7] != '-' ||
	    (*y = num(s, 4)) < 0 || (*m = num(s + 5, 2)) < 0 ||
	    (*d = num(s + 8, 2)) < 0)
		return -1;
	return civil(*y, *m, *d, 0, 0, 0, &t);
}

/* "+HH:MM" / "-HH:MM" with HH <= 14, MM <= 59 into *off, or -1. */
static int
ref_zone(const char *s, long *off)
{
	int h, m;

	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' ||
	    (h = num(s + 1, 2)) < 0 || (m = num(s + 4, 2)) < 0 || h > 14 ||
	    m > 59)
		return -1;
	*off = (s[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

/* time_parse's grammar (core_rules.h), read with timegm. */
static int
ref_time(const char *s, long tz_off, int eod, int64_t *out)
{
	int y, m, d, h = 0, mi = 0, se = 0;
	size_t n = strlen(s);
	const char *p;
	long off = tz_off;
	int64_t t;

	if (n < 10 || ref_date(s, &y, &m, &d) == -1 || y < 1970)
		return -1;
	if (n == 10) {
		if (eod) {
			h = 23;
			mi = 59;
			se = 59;
		}
	} else {
		if (n < 19 || (s[10] != 'T' && s[10] != ' ') ||
		    s[13] != ':' || s[16] != ':' ||
		    (h = num(s + 11, 2)) < 0 || (mi = num(s + 14, 2)) < 0 ||
		    (se = num(s + 17, 2)) < 0 || h > 23 || mi > 59 || se > 59)
			return -1;
		p = s + 19;
		if (*p == '.') {
			if (!DIGIT(p[1]))
				return -1;
			for (p++; DIGIT(*p); p++)
				;
		}
		if (*p == 'Z' || *p == 'z') {
			off = 0;
			p++;
		} else if (*p == '+' || *p == '-') {
			if (ref_zone(p, &off) == -1)
				return -1;
			p += 6;
		}
		if (*p != '\0')
			return -1;
	}
	if (civil(y, m, d, h, mi, se, &t) == -1)
		return -1;
	*out = t - off;
	return 0;
}

static void
dates(const char *s, int months)
{
	int y, m, d, ry, rm, rd, rc;
	char out[11], today[1][11], buf[11];

	rc = date_parse(s, &y, &m, &d);
	CHECK(rc == (ref_date(s, &ry, &rm, &rd) == 0 ? 0 : -1));
	if (rc == 0) {
		CHECK(y == ry && m == rm && d == rd);
		snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
		CHECK(memcmp(buf, s, 10) == 0);
	}

	/* against a fixed today, the day a fuzz run cannot move */
	strcpy(today[0], "2024-02-29");
	rc = date_valid(s, today[0]);
	if (rc) {
		CHECK(strlen(s) == 10 && date_parse(s, &y, &m, &d) == 0);
		CHECK(y >= 1900 && strcmp(s, today[0]) <= 0);
	} else {
		CHECK(strlen(s) != 10 || date_parse(s, &y, &m, &d) != 0 ||
		    y < 1900 || strcmp(s, today[0]) > 0);
	}
	CHECK(date_valid(s, NULL) == 0);

	rc = date_plus_months(s, months, out);
	if (months < 0 || months > 12 * 1000 ||
	    date_parse(s, &y, &m, &d) != 0) {
		CHECK(rc == -1);
		return;
	}
	ry = (y * 12 + (m - 1) + months) / 12;
	rm = (y * 12 + (m - 1) + months) % 12 + 1;
	if (ry > 9999) {
		CHECK(rc == -1);
		return;
	}
	CHECK(rc == 0);
	CHECK(strlen(out) == 10 && date_parse(out, &ry, &rm, &rd) == 0);
	CHECK((ry * 12 + rm - 1) - (y * 12 + m - 1) == months);
	CHECK(rd == (d < month_len(ry, rm) ? d : month_len(ry, rm)));
}

static void
times(const char *s, long off, int eod, int64_t ts)
{
	int64_t t = 0, rt = 0;
	char sql[20];
	long z, zoff;
	int rc;

	rc = time_parse(s, off, eod, &t);
	CHECK(rc == ref_time(s, off, eod, &rt));
	if (rc == 0)
		CHECK(t == rt);

	/* a stored time reads back as what prints it */
	rc = time_sql_parse(s, &t);
	CHECK(rc == (strlen(s) == 19 && s[10] == ' ' &&
	    ref_time(s, 0, 0, &rt) == 0 ? 0 : -1));
	if (rc == 0) {
		CHECK(t == rt);
		time_sql(t, sql);
		CHECK(strcmp(sql, s) == 0);
	}
	time_sql(ts, sql);
	CHECK(time_sql_parse(sql, &t) == 0 && t == ts);

	z = tz_offset(s);
	if (ref_zone(s, &zoff) == 0) {
		char back[8];

		CHECK(z == zoff);
		snprintf(back, sizeof(back), "%c%02ld:%02ld",
		    z < 0 || s[0] == '-' ? '-' : '+', labs(z) / 3600,
		    labs(z) % 3600 / 60);
		CHECK(strcmp(back, s) == 0);
	} else
		CHECK(z == 8 * 3600);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int months;
	long off;
	int eod;
	int64_t ts;

	if (size < 8)
		return 0;
	/* months around the limits: -128..127, or up to 16383 */
	months = (data[0] & 0x80) ? (int8_t)data[1] :
	    ((data[0] & 0x3f) << 8) | data[1];
	/* an offset within a day either way, in minutes */
	off = ((long)((data[2] << 8) | data[3]) % (2 * 1440 + 1) - 1440) * 60;
	eod = data[4] & 1;
	/* a second from 1970 to 9999-12-31 23:59:59 */
	ts = (int64_t)(((uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
	    (uint32_t)data[6] << 8 | data[7]) % 2534023008u) * 100 +
	    data[4] % 100;
	data += 8;
	size -= 8;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	dates(s, months);
	times(s, off, eod, ts);

	free(s);
	return 0;
}
