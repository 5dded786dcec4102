#include <string.h>
#include <time.h>

#include "app.h"
#include "req.h"

#include "stats/stats.h"
#include "unit.h"

/* Every day from 1970 to 2200 against the C library's calendar. */
TEST(stats_days_match_the_calendar)
{
	long day;
	char want[11], got[11];
	int bad = 0;

	for (day = 0; day < 84000; day++) {
		time_t t = (time_t)day * 86400;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(want, sizeof(want), "%Y-%m-%d", &tm);
		stats_date(day, got);
		if (strcmp(got, want) != 0 || stats_day(want) != day)
			bad++;
	}
	EXPECT_INT(bad, 0);
	EXPECT_INT(stats_day("1969-12-31"), -1);
	EXPECT_INT(stats_day("2025-02-29"), -1);
	EXPECT_INT(stats_day("2024-02-29"), stats_day("2024-02-28") + 1);
	EXPECT_INT(stats_day("2025-13-01"), -1);
	EXPECT_INT(stats_day("2025-1-01"), -1);
	EXPECT_INT(stats_day("2025-01-01T"), -1);
	EXPECT_INT(stats_day(NULL), -1);
}

TEST(stats_period_cases)
{
	struct stats_period p;
	const char *field = NULL, *why = NULL;

	/* defaults: the 30 days up to today */
	EXPECT_INT(stats_period(NULL, NULL, "2026-11-25", &p, &field, &why), 0);
	EXPECT_STR(p.from, "2026-10-27");
	EXPECT_STR(p.to, "2026-11-25");
	EXPECT_INT(p.days, 30);
	/* as given, both included */
	EXPECT_INT(stats_period("2024-02-28", "2024-03-01", "2026-11-25", &p,
	    &field, &why), 0);
	EXPECT_INT(p.days, 3);
	EXPECT_INT(p.last - p.first, 2);
	/* one day */
	EXPECT_INT(stats_period("2026-11-25", "2026-11-25", "2026-11-25", &p,
	    &field, &why), 0);
	EXPECT_INT(p.days, 1);
	/* to alone: the 30 days up to it */
	EXPECT_INT(stats_period(NULL, "2026-01-30", "2026-11-25", &p, &field,
	    &why), 0);
	EXPECT_STR(p.from, "2026-01-01");
	/* from alone: up to today, or a year from it */
	EXPECT_INT(stats_period("2026-11-01", NULL, "2026-11-25", &p, &field,
	    &why), 0);
	EXPECT_STR(p.to, "2026-11-25");
	EXPECT_INT(stats_period("2020-01-01", NULL, "2026-11-25", &p, &field,
	    &why), 0);
	EXPECT_STR(p.to, "2020-12-31");
	EXPECT_INT(p.days, 366);
	/* from alone a year back: today is the 366th day; a day further
	   back the period stops a day short of today */
	EXPECT_INT(stats_period("2025-11-25", NULL, "2026-11-25", &p, &field,
	    &why), 0);
	EXPECT_STR(p.to, "2026-11-25");
	EXPECT_INT(p.days, 366);
	EXPECT_INT(stats_period("2025-11-24", NULL, "2026-11-25", &p, &field,
	    &why), 0);
	EXPECT_STR(p.from, "2025-11-24");
	EXPECT_STR(p.to, "2026-11-24");
	EXPECT_INT(p.days, 366);
	EXPECT_INT(p.last - p.first, 365);
	/* from alone after today: refused, not turned around */
	EXPECT_INT(stats_period("2026-11-26", NULL, "2026-11-25", &p, &field,
	    &why), -1);
	EXPECT_STR(field, "from");
	/* to alone near the epoch: its 30 days would start before
	   1970-01-01, so it is refused; 1970-01-30 is the earliest */
	field = NULL;
	EXPECT_INT(stats_period(NULL, "1970-01-10", "2026-11-25", &p, &field,
	    &why), -1);
	EXPECT_STR(field, "from");
	EXPECT_INT(stats_period(NULL, "1970-01-29", "2026-11-25", &p, &field,
	    &why), -1);
	EXPECT_INT(stats_period(NULL, "1970-01-30", "2026-11-25", &p, &field,
	    &why), 0);
	EXPECT_STR(p.from, "1970-01-01");
	EXPECT_INT(p.first, 0);
	EXPECT_INT(p.days, 30);
	EXPECT_INT(stats_period("1970-01-01", "1970-01-01", "2026-11-25", &p,
	    &field, &why), 0);
	EXPECT_INT(p.days, 1);
	/* the longest period, and one day more */
	EXPECT_INT(stats_period("2025-01-01", "2026-01-01", "2026-11-25", &p,
	    &field, &why), 0);
	EXPECT_INT(p.days, 366);
	EXPECT_INT(stats_period("2025-01-01", "2026-01-02", "2026-11-25", &p,
	    &field, &why), -1);
	EXPECT_STR(field, "to");
	/* wrong order, bad dates */
	EXPECT_INT(stats_period("2026-11-02", "2026-11-01", "2026-11-25", &p,
	    &field, &why), -1);
	EXPECT_STR(field, "from");
	EXPECT_INT(stats_period("2026-02-30", NULL, "2026-11-25", &p, &field,
	    &why), -1);
	EXPECT_STR(field, "from");
	EXPECT_INT(stats_period(NULL, "yesterday", "2026-11-25", &p, &field,
	    &why), -1);
	EXPECT_STR(field, "to");
	EXPECT(why != NULL);
}

TEST(stats_rate_cases)
{
	EXPECT(stats_rate(1, 3) == 0.3333);
	EXPECT(stats_rate(2, 3) == 0.6667);
	EXPECT(stats_rate(1, 8) == 0.125);
	EXPECT(stats_rate(5, 5) == 1);
	EXPECT(stats_rate(0, 7) == 0);
	EXPECT(stats_rate(25000, 1000) == 25);
	EXPECT(stats_rate(3, 0) == -1);
}

/* The headline periods: today, this week from Monday, this month from the
   1st, each with the equal period before it and the same dates a year
   before, across month and year boundaries and 29 February. */
TEST(stats_headline_periods)
{
	struct stats_span p[3][3];
	char a[11], b[11];

#define SPAN_IS(s, from, to) do { stats_date((s).first, a); \
	stats_date((s).last, b); EXPECT_STR(a, from); EXPECT_STR(b, to); \
	} while (0)
	stats_periods(stats_day("2026-12-01"), p);	/* a Tuesday */
	SPAN_IS(p[0][0], "2026-12-01", "2026-12-01");
	SPAN_IS(p[0][1], "2026-11-30", "2026-11-30");
	SPAN_IS(p[0][2], "2025-12-01", "2025-12-01");
	SPAN_IS(p[1][0], "2026-11-30", "2026-12-01");
	SPAN_IS(p[1][1], "2026-11-23", "2026-11-24");
	SPAN_IS(p[2][0], "2026-12-01", "2026-12-01");
	SPAN_IS(p[2][1], "2026-11-01", "2026-11-01");
	SPAN_IS(p[2][2], "2025-12-01", "2025-12-01");
	stats_periods(stats_day("2027-01-03"), p);	/* a Sunday */
	SPAN_IS(p[0][1], "2027-01-02", "2027-01-02");
	SPAN_IS(p[1][0], "2026-12-28", "2027-01-03");
	SPAN_IS(p[1][1], "2026-12-21", "2026-12-27");
	SPAN_IS(p[2][0], "2027-01-01", "2027-01-03");
	SPAN_IS(p[2][1], "2026-12-01", "2026-12-03");
	SPAN_IS(p[2][2], "2026-01-01", "2026-01-03");
	stats_periods(stats_day("2026-03-31"), p);
	SPAN_IS(p[2][1], "2026-02-01", "2026-02-28");
	stats_periods(stats_day("2028-02-29"), p);
	SPAN_IS(p[0][2], "2027-02-28", "2027-02-28");
	SPAN_IS(p[2][1], "2028-01-01", "2028-01-29");
#undef SPAN_IS
	EXPECT_INT(stats_change(150, 100) == 0.5, 1);
	EXPECT_INT(stats_change(0, 100) == -1, 1);
	EXPECT_INT(stats_change(5, 0) == STATS_NO_CHANGE, 1);
	EXPECT_INT(stats_change(2, 3) == -0.3333, 1);
	EXPECT_INT(stats_change(1, 3) == -0.6667, 1);
}

/* A report as CSV: BOM and title, the summary with Chinese names and money
   in yuan (changes as rates), each list as a table, the definitions; RFC
   4180 quoting. */
TEST(stats_csv_of_a_report)
{
	struct arena *a = arena_new(64 * 1024);
	const char *csv;
	size_t n;
	cJSON *d;

	json_hooks_arena(a);
	d = cJSON_Parse("{\"from\":\"2026-12-01\",\"to\":\"2026-12-02\","
	    "\"store_id\":null,\"totals\":{\"orders\":3,\"order_fen\":134400},"
	    "\"change\":{\"order_fen\":0.5,\"orders\":null},"
	    "\"daily\":[{\"date\":\"2026-12-01\",\"order_fen\":5,"
	    "\"name\":\"a,\\\"b\"},"
	    "{\"date\":\"2026-12-02\",\"order_fen\":100}],"
	    "\"definitions\":{\"orders\":\"订单数：已支付\"}}");
	EXPECT(d != NULL);
	csv = stats_csv(a, "会员消费", d, &n);
	EXPECT_INT(n, strlen(csv));
	EXPECT_STR(csv,
	    "\xEF\xBB\xBF会员消费\r\n指标,数值\r\n"
	    "开始日期,2026-12-01\r\n结束日期,2026-12-02\r\n门店编号,\r\n"
	    "合计·订单数,3\r\n合计·订单金额（元）,1344.00\r\n"
	    "环比·订单金额,0.5000\r\n环比·订单数,\r\n"
	    "\r\n每日\r\n日期,订单金额（元）,名称\r\n"
	    "2026-12-01,0.05,\"a,\"\"b\"\r\n2026-12-02,1.00,\r\n"
	    "\r\n口径\r\n指标,口径\r\norders,订单数：已支付\r\n");
	json_hooks_arena(NULL);
	arena_free(a);
}
