/*
 * What other areas ask of the coupon area (handlers/coupon.c provides
 * these): the counter scan, and the campaign and referral rewards.
 */
#ifndef HOOKS_H
#define HOOKS_H
#include <stdint.h>
#include "cjson/cJSON.h"

struct req;

/* The member's coupons usable now at a store (counter scan): array. */
cJSON	*coupons_usable_json(struct req *, int64_t member_id,
	    int64_t store_id);
/*
 * Issue one coupon of a template to a member inside the caller's
 * transaction, with the same stock and limit checks as a claim. Returns
 * 201 with *coupon_out set, or an error status with the error recorded.
 */
int	 coupon_grant(struct req *, int64_t member_id, int64_t template_id,
	    const char *channel, cJSON **coupon_out);

#endif
