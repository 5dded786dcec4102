/*
 * stats: the analytics routes (stats.c, top floor, reads every domain's
 * tables) and their pure rules (stats_rules.c): the period a request asks
 * for, calendar days as numbers, rates.
 */
#ifndef STATS_H
#define STATS_H
#include <stddef.h>
#include <stdint.h>

#define STATS_DEFAULT_DAYS	30
#define STATS_MAX_DAYS		366

/* Days since 1970-01-01 of a real YYYY-MM-DD date (years 1970..9999), or
   -1. */
long	 stats_day(const char *);
/* The YYYY-MM-DD of a day number. */
void	 stats_date(long day, char out[11]);

/*
 * The local dates a stats request covers, both included: from and to as
 * given, or by default to = today and from STATS_DEFAULT_DAYS - 1 days
 * before to (from alone: to = today or, if sooner, the longest period
 * from it). At most STATS_MAX_DAYS days.
 */
struct stats_period {
	long	 first, last;		/* day numbers */
	int	 days;
	char	 from[11], to[11];
};
/* 0, or -1 with *field ("from" or "to") and *why (zh-CN) set. */
int	 stats_period(const char *from, const char *to, const char *today,
	    struct stats_period *, const char **field, const char **why);

/* num / den rounded to four places; -1 when den is 0 (no rate). */
double	 stats_rate(int64_t num, int64_t den);

/* The same day a year before (29 February: the 28th); of the month
   before (clamped to its last day). */
long	 stats_year_before(long day);
long	 stats_month_before(long day);

/* Days first..last, both included. */
struct stats_span {
	long	 first, last;
};
/*
 * The headline periods of a local day: out[k] for k = 0 today, 1 this
 * week (Monday to today), 2 this month (the 1st to today); out[k][0] the
 * period, [1] the equal period before it (yesterday; last week's Monday
 * to the same weekday; the month before from its 1st to the same day,
 * or its last), [2] the same dates a year before.
 */
void	 stats_periods(long today, struct stats_span out[3][3]);

#define STATS_NO_CHANGE	(-1e9)
/* (now - before) / before rounded to four places (negative when it
   fell), STATS_NO_CHANGE when before is 0. */
double	 stats_change(int64_t now, int64_t before);

/*
 * A report's data as CSV (UTF-8 with a BOM, as spreadsheets open it): the
 * title, a summary of every figure not in a list (name, value; names in
 * Chinese, money in 元 with two decimals), each list of objects as a
 * table with its head, and the definitions. In the arena; *len its size.
 */
struct arena;
struct cJSON;
const char *stats_csv(struct arena *, const char *title,
	    const struct cJSON *data, size_t *len);

#endif
