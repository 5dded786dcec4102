/* Member rules: phone numbers, dates, tiers, card numbers. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/core_rules.h"
#include "member/member_rules.h"
#include "tier/tier.h"
#include "unit.h"

TEST(phone_cases)
{
	static const struct {
		const char *p;
		int ok;
	} c[] = {
		{ "13800138000", 1 }, { "19912345678", 1 }, { "15000000000", 1 },
		{ "12800138000", 0 }, { "10800138000", 0 }, { "1380013800", 0 },
		{ "138001380000", 0 }, { "1380013800a", 0 }, { "+8613800138000", 0 },
		{ "", 0 }, { "23800138000", 0 },
		/* the second digit 3..9: a letter or a digit outside it */
		{ "1a800138000", 0 }, { "1:800138000", 0 }, { "1/800138000", 0 },
		{ "13800138a00", 0 }, { "a3800138000", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		EXPECT_INT(phone_valid(c[i].p), c[i].ok);
	EXPECT_INT(phone_valid(NULL), 0);
}

TEST(phone_mask_cases)
{
	char out[16];

	phone_mask("13800138000", out, sizeof(out));
	EXPECT_STR(out, "138****8000");
}

TEST(date_cases)
{
	static const struct {
		const char *d;
		int ok;
	} c[] = {
		{ "1990-05-01", 1 }, { "2000-02-29", 1 }, { "1900-02-29", 0 },
		{ "2023-02-29", 0 }, { "2024-02-29", 1 }, { "1990-13-01", 0 },
		{ "1990-00-10", 0 }, { "1990-04-31", 0 }, { "1899-12-31", 0 },
		{ "1990-5-1", 0 }, { "19900501", 0 }, { "2999-01-01", 0 },
		{ "abcd-ef-gh", 0 }, { "1990-05-00", 0 }, { "1990-01-32", 0 },
		{ "1990-12-31", 1 }, { "1990-05-01 ", 0 }, { "1990-05-01T00", 0 },
		{ "1990/05/01", 0 }, { "", 0 },
		/* the first day allowed, and the day before it */
		{ "1900-01-01", 1 },
		/* today (pinned below), the day before and the day after */
		{ "2026-03-15", 1 }, { "2026-03-14", 1 }, { "2026-03-16", 0 },
		{ "2026-04-01", 0 }, { "2027-01-01", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (date_valid(c[i].d, "2026-03-15") != c[i].ok)
			fprintf(stderr, "  %s\n", c[i].d);
		EXPECT_INT(date_valid(c[i].d, "2026-03-15"), c[i].ok);
	}
	EXPECT_INT(date_valid(NULL, "2026-03-15"), 0);
	EXPECT_INT(date_valid("1990-05-01", NULL), 0);
	/* today is the caller's: at the turn of a year and on a leap day */
	EXPECT_INT(date_valid("2025-12-31", "2025-12-31"), 1);
	EXPECT_INT(date_valid("2026-01-01", "2025-12-31"), 0);
	EXPECT_INT(date_valid("2024-02-29", "2024-02-29"), 1);
	EXPECT_INT(date_valid("2024-02-29", "2024-02-28"), 0);
	EXPECT_INT(date_valid("2024-03-01", "2024-02-29"), 0);
	EXPECT_INT(date_valid("1900-01-01", "1900-01-01"), 1);
	EXPECT_INT(date_valid("1899-12-31", "1900-01-01"), 0);
}

/*
 * date_parse and time_parse share one month-length table: both take the
 * leap years of the Gregorian calendar (every 4th year, not every 100th,
 * every 400th), every day of every month and no day more.
 */
TEST(date_and_time_share_the_calendar)
{
	static const int mlen[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	static const int years[] = { 1970, 1999, 2000, 2023, 2024, 2100,
	    2400, 9999 };
	size_t i;
	int m, d, y, mo, dd, bad = 0;
	int64_t t, prev;

	/* 2000 is a leap year, 1900 and 2100 are not */
	EXPECT_INT(date_parse("2000-02-29", &y, &mo, &dd), 0);
	EXPECT_INT(y * 10000 + mo * 100 + dd, 20000229);
	EXPECT_INT(date_parse("1900-02-29", &y, &mo, &dd), -1);
	EXPECT_INT(date_parse("2100-02-29", &y, &mo, &dd), -1);
	EXPECT_INT(date_parse("2400-02-29", &y, &mo, &dd), 0);
	EXPECT_INT(date_parse("2000-02-30", &y, &mo, &dd), -1);
	EXPECT_INT(date_parse("2026-03-00", &y, &mo, &dd), -1);
	EXPECT_INT(time_parse("2000-02-29", 0, 0, &t), 0);
	EXPECT_INT(t, 951782400);	/* 2000-02-29T00:00:00Z */
	EXPECT_INT(time_parse("2000-02-29T23:59:59Z", 0, 0, &t), 0);
	EXPECT_INT(t, 951868799);
	EXPECT_INT(time_parse("2000-02-29", 8 * 3600L, 1, &t), 0);
	EXPECT_INT(t, 951868799 - 8 * 3600);
	EXPECT_INT(time_parse("1900-02-29", 0, 0, &t), -1);
	EXPECT_INT(time_parse("2100-02-29", 0, 0, &t), -1);
	EXPECT_INT(time_parse("2100-02-29T00:00:00Z", 0, 0, &t), -1);
	EXPECT_INT(time_parse("2100-02-28T00:00:00Z", 0, 0, &t), 0);
	EXPECT_INT(t, 4107456000LL);
	EXPECT_INT(time_parse("2100-03-01T00:00:00Z", 0, 0, &t), 0);
	EXPECT_INT(t, 4107456000LL + 86400);
	/* every day of these years, both ways, one day apart */
	for (i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
		int leap = (years[i] % 4 == 0 && years[i] % 100 != 0) ||
		    years[i] % 400 == 0;

		prev = -1;
		for (m = 1; m <= 12; m++)
			for (d = 1; d <= 32; d++) {
				char s[24];
				int want = d <= mlen[m - 1] + (m == 2 && leap);
				int rd = date_parse((snprintf(s, sizeof(s),
				    "%04d-%02d-%02d", years[i], m, d), s), &y,
				    &mo, &dd) == 0;
				int rt = time_parse(s, 0, 0, &t) == 0;

				if (rd != want || rt != want ||
				    (want && prev != -1 && t != prev + 86400))
					bad++;
				if (want)
					prev = t;
			}
	}
	EXPECT_INT(bad, 0);
}

TEST(date_plus_months_cases)
{
	static const struct {
		const char *from;
		int months;
		const char *to;	/* NULL: refused */
	} c[] = {
		{ "2025-01-15 10:20:30", 1, "2025-02-15" },
		{ "2025-01-31 23:59:59", 1, "2025-02-28" },
		{ "2024-01-31 00:00:00", 1, "2024-02-29" },
		{ "2024-02-29 08:00:00", 12, "2025-02-28" },
		{ "2024-02-29 08:00:00", 48, "2028-02-29" },
		{ "2100-01-31", 1, "2100-02-28" },
		{ "2000-01-31", 1, "2000-02-29" },
		{ "2025-08-31", 1, "2025-09-30" },
		{ "2025-11-30", 3, "2026-02-28" },
		{ "2025-12-31", 120, "2035-12-31" },
		{ "2025-03-31", 11, "2026-02-28" },
		{ "2025-05-05", 0, "2025-05-05" },
		{ "2025-02-30", 1, NULL },
		{ "2025-13-01", 1, NULL },
		{ "2025-1-01 00:00:00", 1, NULL },
		{ "", 1, NULL },
		{ "2025-05-05", -1, NULL },
	};
	char out[11];
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc = date_plus_months(c[i].from, c[i].months, out);

		EXPECT_INT(rc, c[i].to ? 0 : -1);
		if (c[i].to)
			EXPECT_STR(out, c[i].to);
	}
	EXPECT_INT(date_plus_months(NULL, 1, out), -1);
}

/* Times as a page writes them: no year this year, the merchant's zone. */
TEST(time_cn_cases)
{
	static const struct {
		const char *from, *until; /* RFC 3339 */
		long tz;
		const char *a, *b;
	} c[] = {
		{ "2026-11-30T00:00:00+08:00", "2026-12-31T23:59:59+08:00",
		    28800, "11月30日 00:00", "12月31日 23:59" },
		{ "2026-11-30T10:00:00+08:00", "2026-11-30T18:00:00+08:00",
		    28800, "11月30日 10:00", "18:00" },
		{ "2026-12-20T08:05:00+08:00", "2027-01-10T21:00:00+08:00",
		    28800, "12月20日 08:05", "2027年1月10日 21:00" },
		{ "2025-12-31T16:30:00Z", "2026-01-01T15:59:59Z", 28800,
		    "1月1日 00:30", "23:59" },
		{ "2025-05-01T00:00:00+08:00", "2025-05-02T00:00:00+08:00",
		    28800, "2025年5月1日 00:00", "2025年5月2日 00:00" },
		{ "2026-03-01T02:00:00Z", "2026-03-01T04:00:00Z", -18000,
		    "2月28日 21:00", "23:00" },
	};
	int64_t now, f, u;
	char a[32], b[32];
	size_t i;

	EXPECT_INT(time_parse("2026-06-01T12:00:00+08:00", 0, 0, &now), 0);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		EXPECT_INT(time_parse(c[i].from, 0, 0, &f), 0);
		EXPECT_INT(time_parse(c[i].until, 0, 0, &u), 0);
		time_cn_span(f, u, c[i].tz, now, a, b);
		EXPECT_STR(a, c[i].a);
		EXPECT_STR(b, c[i].b);
	}
	EXPECT_INT(time_parse("2027-01-05T09:30:00+08:00", 0, 0, &f), 0);
	time_cn(f, 28800, now, a);
	EXPECT_STR(a, "2027年1月5日 09:30");
}

TEST(tier_cases)
{
	static const struct tier_step t[] = { { 1, 0 }, { 2, 1000 }, { 3, 5000 } };
	static const struct {
		int64_t growth;
		int cur, next;
	} c[] = {
		{ 0, 0, 1 }, { 999, 0, 1 }, { 1000, 1, 2 }, { 4999, 1, 2 },
		{ 5000, 2, -1 }, { 999999, 2, -1 },
	};
	size_t i;
	int next;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		EXPECT_INT(tier_for_growth(t, 3, c[i].growth, &next), c[i].cur);
		EXPECT_INT(next, c[i].next);
	}
	EXPECT_INT(tier_for_growth(t, 1, 100, &next), 0);
	EXPECT_INT(next, -1);
	EXPECT_INT(tier_for_growth(t, 0, 100, &next), -1);
}

static uint32_t seq;
static uint32_t
fake_rand(uint32_t upper)
{
	return seq++ % upper;
}

TEST(card_no_cases)
{
	char c[17];
	int i;

	seq = 0;
	card_no_make(c, fake_rand);
	EXPECT_INT(strlen(c), 16);
	EXPECT_STR(c, "8012345678901234");
	for (i = 0; i < 16; i++)
		EXPECT(c[i] >= '0' && c[i] <= '9');
}
