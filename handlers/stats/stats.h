/*
 * stats: the analytics routes (stats.c, top floor, reads every domain's
 * tables) and their pure rules (stats_rules.c): the period a request asks
 * for, calendar days as numbers, rates.
 */
#ifndef STATS_H
#define STATS_H
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

#endif
