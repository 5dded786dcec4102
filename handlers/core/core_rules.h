/*
 * Pure rules with no I/O, reached by unit tests: phone numbers, calendar
 * dates, time input and the merchant's zone offset. Part of core.h.
 */
#ifndef CORE_RULES_H
#define CORE_RULES_H
#include <stddef.h>
#include <stdint.h>

/* Mainland mobile number: 1[3-9] followed by nine digits. */
int	 phone_valid(const char *);
/* "138****8000" into out (at least 12 bytes). */
void	 phone_mask(const char *, char *out, size_t);
/*
 * The real calendar date YYYY-MM-DD that s starts with (a datetime may
 * follow it): 0 with year, month and day out, or -1.
 */
int	 date_parse(const char *, int *y, int *m, int *d);
/*
 * Exactly YYYY-MM-DD, a real calendar date from 1900-01-01 up to today
 * (the caller's YYYY-MM-DD, the merchant's day), both included: 1 or 0.
 */
int	 date_valid(const char *, const char *today);

/*
 * The date of "YYYY-MM-DD[ HH:MM:SS]" plus whole months, into out as
 * YYYY-MM-DD; a day past the end of the month it lands in becomes that
 * month's last day (01-31 plus one month is 02-28, or 02-29), as MariaDB's
 * DATE(x + INTERVAL n MONTH). 0, or -1 for a date it cannot read.
 */
int	 date_plus_months(const char *, int months, char out[11]);

/* a / b rounded towards minus infinity (b > 0): days of a time. */
int64_t	 floor_div(int64_t a, int64_t b);

/* "+08:00" -> 28800; a malformed zone is +08:00. */
long	 tz_offset(const char *);
/*
 * A time given by a client: "YYYY-MM-DD" (the start of that local day,
 * or its last second when end_of_day), or "YYYY-MM-DDTHH:MM:SS" with an
 * optional ".fff" and an optional "Z" or "+HH:MM" (local when absent).
 * 0 or -1.
 */
int	 time_parse(const char *, long tz_off, int end_of_day,
	    int64_t *out);
/* "YYYY-MM-DD HH:MM:SS" (UTC, as stored) <-> Unix seconds. */
int	 time_sql_parse(const char *, int64_t *out);
void	 time_sql(int64_t, char out[20]);
/*
 * A time as people write it on a page, in the zone tz_off: "11月30日 00:00",
 * with the year when it is not the year of now there ("2027年1月5日 09:30").
 */
void	 time_cn(int64_t, long tz_off, int64_t now, char out[32]);
/*
 * The two ends of a span the same way, for "<a> 至 <b>": "11月30日 00:00"
 * and "12月31日 23:59"; b is the time alone when it is a's day ("18:00").
 */
void	 time_cn_span(int64_t from, int64_t until, long tz_off, int64_t now,
	    char a[32], char b[32]);

/*
 * A store list as stored: NULL (every store) or a JSON array of ids such
 * as "[1,3]". 1 when the store is in it.
 */
int	 store_list_allows(const char *store_ids, int64_t store_id);

#endif
