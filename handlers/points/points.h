/*
 * points: the points ledger in lots. Every earning is a lot with its
 * expiry (points_settings), spending takes lots oldest expiry first, the
 * daily job points-expire expires what is left of lots past their day, a
 * refund takes back what its order earned and records a shortfall as
 * negative points, which later credits pay off first. members.points is
 * the sum of the lots and never below 0; the sum of points_entries is
 * members.points - members.negative_points. Floor: a ledger beside
 * wallet and coupon, above core and tier.
 *
 *	points.c	settings, the ledger functions, the job, the join bonus
 *	points_rules.c	pure: expiry dates, caps, negative points, lots
 *	points_api.c	me/points, the points shop, staff settings and items
 *	points_pages.c	我的积分, 积分商城, the staff console
 *
 * Every ledger function runs inside the caller's transaction (it opens
 * none), takes the member's row lock first, and returns 0 or the error
 * status with the response recorded.
 */
#ifndef POINTS_H
#define POINTS_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "points_rules.h"

struct req;

/* The merchant's settings, the defaults when never saved. 0 or status. */
int	 points_cfg_load(struct req *, struct points_cfg *);
/* The settings as GET staff/settings/points returns them. */
cJSON	*points_cfg_json(const struct points_cfg *);
/* Save them whole (the rate into merchants). 0 or status. */
int	 points_cfg_save(struct req *, const struct points_cfg *);

/*
 * An order's earning: raw is what the pricing engine computed (per yuan x
 * tier multiplier x the birthday or member-day multiplier it applies);
 * the caps per order and per day apply here (nothing when earning is
 * off), and what is credited goes into *credited (negative points paid
 * off first, the rest a lot). ref "order:12".
 */
int	 points_earn_order(struct req *, int64_t member_id, int64_t raw,
	    const char *ref, int64_t *credited);
/*
 * The profile bonus (points settings: profile), once a member, when the
 * profile has become complete (a name and a birthday), inside the
 * caller's transaction. 0, or the error status (recorded).
 */
int	 points_profile_completed(struct req *, int64_t member_id);
/* A bonus (join, profile, referral): credited whole, no caps. */
int	 points_grant(struct req *, int64_t member_id, int64_t points,
	    const char *kind, const char *ref);
/*
 * Spend points from the lots, oldest expiry first (never-expiring last),
 * recording which lots under ref: 409 insufficient_points when the
 * balance is short (nothing changed).
 */
int	 points_spend(struct req *, int64_t member_id, int64_t points,
	    const char *kind, const char *ref);
/*
 * Give back points spent under ref (an order cancelled or refunded): to
 * the lots they came from with their expiry, negative points paid off
 * first.
 */
int	 points_give_back(struct req *, int64_t member_id, int64_t points,
	    const char *kind, const char *ref);
/*
 * Take back points earned under ref (its refund): from the lots ref
 * earned, then from the others oldest expiry first; what the member no
 * longer holds becomes negative points. *owed (may be NULL) the part
 * that did.
 */
int	 points_take_back(struct req *, int64_t member_id, int64_t points,
	    const char *kind, const char *ref, int64_t *owed);

/*
 * GET me/points: {points, negative_points, expiring:[{points, on}],
 * entries:[{id, kind, title, points, ref, at}], next_cursor}; entries one
 * page below cursor (0: the newest). NULL with the status recorded.
 */
cJSON	*points_me_json(struct req *, int64_t member_id, int64_t cursor,
	    int64_t limit);
/* What a ledger entry's kind reads as on a page ("消费获得"). */
const char *points_kind_title(const char *kind);

#endif
