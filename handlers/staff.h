/*
 * Staff-side pieces other handler files reuse: the audit log, store
 * checks and the counter ticket a scan issues.
 */
#ifndef STAFF_H
#define STAFF_H
#include <stdint.h>

struct req;

/*
 * Append an audit row for the signed-in staff member: action such as
 * "coupon.redeem", target such as "coupon:ABCD…", detail a short JSON or
 * text, store_id 0 when none. 0 or -1 (logged). Call inside the same
 * transaction as the change it records.
 */
int	 audit_log(struct req *, const char *action, const char *target,
	    const char *detail, int64_t store_id);

/*
 * May the signed-in staff member act at this store of r->m? Owners and
 * marketing: any store of the merchant; cashiers: their own stores only.
 * 0 yes; -1 with the error recorded (400 invalid_field store_id for an
 * unknown store, 403 forbidden for a store not theirs).
 */
int	 staff_store_check(struct req *, int64_t store_id);

/* A counter ticket issued by POST {base}/staff/scan. */
struct ticket {
	int64_t		 id;
	int64_t		 member_id;
	int64_t		 store_id;
	int64_t		 staff_id;
};

#define TICKET_TTL_S	300

/*
 * Issue a ticket for the signed-in staff member at a store for a member.
 * Token and expiry (RFC 3339) out. 0, or -1 with the error recorded.
 */
int	 ticket_issue(struct req *, int64_t member_id, int64_t store_id,
	    const char **ticket, const char **expires_at);

/*
 * Resolve a ticket string for the signed-in staff member: it must exist
 * for this merchant, be bound to this staff member, and not be expired.
 * 0 ok; -1 with 400 invalid_ticket recorded.
 */
int	 ticket_resolve(struct req *, const char *ticket, struct ticket *);
/*
 * Mark the ticket used by one payment, by a conditional update (inside the
 * caller's transaction). 0 ok; -1 with 409 ticket_used recorded.
 */
int	 ticket_consume(struct req *, const struct ticket *);

#endif
