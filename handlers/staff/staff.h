/*
 * staff: the top floor's few functions that one of its files lends
 * another (nothing below may include this header).
 *
 *	members_staff.c	the member list's filter, for coupon pushes
 */
#ifndef STAFF_H
#define STAFF_H
#include <stdint.h>

struct req;

/*
 * The member list's filter as GET staff/members reads it from query, a
 * query string (q, tier, channel, joined_from, ...; sort, order, cursor
 * and limit ignored): 0 when it is valid, else 400 invalid_field naming
 * the filter (recorded).
 */
int	 members_filter_check(struct req *, const char *query);
/*
 * One page of the members that filter finds, in the order they joined:
 * at most limit ids after cursor (NULL or "": from the first) into ids,
 * their count in *n, and in *next the cursor after the last of them, or
 * NULL when the list has ended. 0, or the error status (recorded).
 */
int	 members_filter_page(struct req *, const char *query,
	    const char *cursor, int64_t limit, int64_t *ids, int *n,
	    const char **next);

#endif
