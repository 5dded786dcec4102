/*
 * core: what every domain shares and nothing in it knows a domain. The
 * floor above the runtime (fcgi/): every handler folder may include this
 * header; it includes nothing from handlers/ but its own rules.
 *
 *	page.c		page contexts, yuan, the member sign-in gate of H5 pages
 *	qr.c		QR codes (SVG, PNG)
 *	image.c		uploaded images decoded whole
 *	limits.c	failed attempts per bucket and window
 *	stores.c	the audit log, store checks, counter tickets
 *	core_rules.c	pure rules: phones, dates, time input, zone offsets
 *	health_api.c	/livez, /healthz
 *
 * Conventions: as fcgi/app.h says (0 or a recorded status; NULL with the
 * status in r->status), but for the QR encoders, plumbing (0 or -1), and
 * the sign-in gate of pages, whose status is that of the page it rendered
 * instead (200 or a redirect; the caller passes it on all the same).
 */
#ifndef CORE_H
#define CORE_H
#include <stddef.h>
#include <stdint.h>
#include "cjson/cJSON.h"
#include "core_rules.h"

struct req;

/* ---- pages (page.c) ---- */

/* A page context: title, body class and one script of static/js/. */
cJSON	*page_ctx(const char *title, const char *body_class,
	    const char *script);
/* A staff console page's context: staff.js (sign-in), then its script. */
cJSON	*page_staff_ctx(const char *title, const char *script);
/* "12.30", "-5.00": fen as yuan with two decimals, in the arena. */
const char *page_yuan(struct req *, int64_t fen);
/*
 * A time field of the JSON body (RFC 3339 with its offset) as SQL UTC
 * into *out (NULL when absent). An input helper like req_json_str: 0, 1
 * absent and optional, or -1 with 400 invalid_field recorded.
 */
int	 json_time_field(struct req *, const char *name, int required,
	    const char **out);
/*
 * Where to go after signing in or joining: a path of this merchant's
 * pages given as ?next= (nothing else, so no open redirect), else this
 * page (home for the join page).
 */
const char *page_next_url(struct req *);
/* The channel, referral code and next_url a page passes to joining. */
void	 page_join_query(struct req *, cJSON *);
/*
 * The sign-in page, which comes back to this page (or ?next=) once
 * signed in, by way of joining when needed.
 */
int	 page_signin(struct req *);
/*
 * For pages of members only: 0 to go on, else the status of what was
 * rendered instead (the sign-in page, or the redirect to join).
 */
int	 page_member_gate(struct req *);

/* ---- QR codes (qr.c) ---- */

#define QR_QUIET	4	/* modules of white around the symbol */

/*
 * SVG: one <path> for the dark modules over a white background, sized in
 * modules by its viewBox. Text is encoded case-sensitively (the smallest
 * mode for each run). 0 with *out in the request's arena, or -1 (logged):
 * plumbing, which cannot fail on client input; the caller answers 500.
 */
int	 qr_svg(struct req *, const char *text, char **out, size_t *len);
/* PNG: 1-bit greyscale, a few pixels per module. Same convention. */
int	 qr_png(struct req *, const char *text, char **out, size_t *len);

/* ---- images (image.c) ---- */

#define IMAGE_MAX_SIDE	4096	/* pixels, either way */

enum image_kind { IMAGE_NONE = 0, IMAGE_PNG, IMAGE_JPEG };

/*
 * Decode a PNG or a JPEG in memory whole, row by row: its kind and size
 * out. 0, or -1 with *why, a reason for people: not a PNG or JPEG (*kind
 * IMAGE_NONE), or one that is truncated or corrupt, has no pixels, or is
 * wider or taller than IMAGE_MAX_SIDE (refused before any pixel is read).
 * Pure: no request.
 */
int	 image_check(const void *, size_t, enum image_kind *, int *w, int *h,
	    const char **why);

/* ---- failed attempts (limits.c) ---- */

/* A limit on failed attempts: at most limit per bucket in window_s. */
struct fail_limit {
	const char	*name;		/* bucket prefix, "scan.session" */
	int64_t		 limit, window_s;
	const char	*message;	/* the 429's, for people */
};

/*
 * Whether the bucket of key (a session id, an address) is under its
 * limit: 0, or 429 too_many_requests with Retry-After (the rest of its
 * window) recorded, or a database failure's status. Read before the
 * attempt; count a failed one with fail_count() (one conditional upsert,
 * which starts a new window once the old one has passed).
 */
int	 fail_limit_check(struct req *, const struct fail_limit *,
	    const char *key);
int	 fail_count(struct req *, const struct fail_limit *, const char *key);

/* ---- audit, stores, tickets (stores.c) ---- */

/*
 * Append an audit row for the signed-in staff member: action such as
 * "coupon.redeem", target such as "coupon:ABCD…", detail a short JSON or
 * text, store_id 0 when none. 0, or the error status (recorded). Call
 * inside the same transaction as the change it records.
 */
int	 audit_log(struct req *, const char *action, const char *target,
	    const char *detail, int64_t store_id);

/*
 * May the signed-in staff member act at this active store of r->m?
 * Owners and marketing: any of the merchant's own stores; cashiers their
 * own stores only; a partner only its one partner store. 0 yes; else the
 * error status (recorded): 400 invalid_field store_id for an unknown
 * store, 403 forbidden for a store not theirs.
 */
int	 staff_store_check(struct req *, int64_t store_id);

/*
 * A store of r->m as owners manage it: {id, name, address, phone, kind
 * ("own" | "partner"), active, created_at}. store_get: into *out, or 404
 * not_found (recorded) when r->m has none of that id; stores_list: every
 * store, inactive ones too, by id. 0, or the error status (recorded).
 */
int	 store_get(struct req *, int64_t id, cJSON **out);
int	 stores_list(struct req *, cJSON **out);

/* A counter ticket issued by POST {base}/staff/scan. */
struct ticket {
	int64_t		 id;
	int64_t		 member_id;
	int64_t		 store_id;
	int64_t		 staff_id;
	int		 no_balance;	/* a card scanned without its PIN */
};

#define TICKET_TTL_S	300

/*
 * Issue a ticket for the signed-in staff member at a store for a member.
 * Token and expiry (RFC 3339) out. 0, or the error status (recorded).
 */
int	 ticket_issue(struct req *, int64_t member_id, int64_t store_id,
	    const char **ticket, const char **expires_at);
/* The same, for a ticket that pays nothing from the balance when
   no_balance (a physical card scanned without its PIN). */
int	 ticket_issue_as(struct req *, int64_t member_id, int64_t store_id,
	    int no_balance, const char **ticket, const char **expires_at);

/*
 * Resolve a ticket string for the signed-in staff member: it must exist
 * for this merchant, be bound to this staff member, and not be expired.
 * 0 ok; else the error status (recorded), 400 invalid_ticket for any
 * ticket that is not such a one.
 */
int	 ticket_resolve(struct req *, const char *ticket, struct ticket *);
/*
 * Mark the ticket used by one payment, by a conditional update (inside the
 * caller's transaction). 0 ok; else the error status (recorded), 409
 * ticket_used when it was used already.
 */
int	 ticket_consume(struct req *, const struct ticket *);

#endif
