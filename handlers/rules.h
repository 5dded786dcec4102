/*
 * Pure rules with no I/O, reached by unit tests: phone numbers, card
 * numbers, tier evaluation.
 */
#ifndef RULES_H
#define RULES_H
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
/* YYYY-MM-DD, a real calendar date between 1900-01-01 and today+0. */
int	 date_valid(const char *);

/*
 * The date of "YYYY-MM-DD[ HH:MM:SS]" plus whole months, into out as
 * YYYY-MM-DD; a day past the end of the month it lands in becomes that
 * month's last day (01-31 plus one month is 02-28, or 02-29), as MariaDB's
 * DATE(x + INTERVAL n MONTH). 0, or -1 for a date it cannot read.
 */
int	 date_plus_months(const char *, int months, char out[11]);

struct tier_step {
	int	 level;
	int64_t	 growth;
};
/*
 * Index of the tier a member with this growth is in (the highest whose
 * threshold is reached; tiers sorted by level, thresholds rising), and the
 * index of the next one or -1.
 */
int	 tier_for_growth(const struct tier_step *, int n, int64_t growth,
	    int *next);

/*
 * Card number: 16 digits, prefix "8" then 15 random digits; from rand_fn
 * (uniform in [0, upper)) so tests can drive it.
 */
void	 card_no_make(char out[17], uint32_t (*rand_fn)(uint32_t));

#endif
