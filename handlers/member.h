/* Member-side pieces other handler files reuse (card, member JSON). */
#ifndef MEMBER_H
#define MEMBER_H
#include <stdint.h>
#include "cjson/cJSON.h"

struct req;

/* {id, phone_masked, name, birthday, gender, joined_at, card_no, channel}
   of a member of r->m, or NULL (not found or error: check r->status). */
cJSON	*member_get_json(struct req *, int64_t member_id);
/* The card as GET /me/card returns it, or NULL with the error recorded. */
cJSON	*card_build(struct req *, int64_t member_id);
/*
 * Forget this worker's copy of the merchant's card settings, after staff
 * changed them or the tier ladder: its next card reads them afresh. Other
 * workers' copies expire within a second.
 */
void	 card_settings_forget(int64_t merchant_id);
/* The tier ladder as GET /tiers returns it, or NULL with the error set. */
cJSON	*tiers_build(struct req *);
/* Start a session; token and expiry out. 0 or -1 (error recorded). */
int	 session_create(struct req *, const char *kind, const char *phone,
	    int64_t staff_id, long ttl_s, const char **token,
	    const char **expires_at, const char **csrf);

#endif
