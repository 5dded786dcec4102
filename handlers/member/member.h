/*
 * member: the member, sign-in and sessions, the card and the member code.
 * Floor: above core and tier; includes nothing of the other ledgers. What
 * joining sets off elsewhere (a referral, a campaign's gift pack) is the
 * EV_MEMBER_JOINED event, which those domains subscribe to.
 *
 *	member.c	joining, /me, referral codes
 *	session.c	SMS codes, sign-in, sessions (members' and staff's)
 *	card.c		the card and the card settings each worker keeps
 *	membercode.c	the dynamic member code (membercode_rules.c: pure)
 *	member_status.c	the holds: blocked by staff, the physical card, the PIN
 *	member_rules.c	pure: card numbers, referral codes
 *	*_pages.c, *_staff.c	routes only
 *
 * Conventions: as fcgi/app.h says (0 or a recorded status; NULL with the
 * status in r->status), but for referral_check(), which takes no request.
 */
#ifndef MEMBER_H
#define MEMBER_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "member_rules.h"
#include "membercode_rules.h"

struct req;
struct db_res;

/* EV_MEMBER_JOINED: a member was created, inside the joining transaction. */
struct member_joined {
	int64_t		 member_id;
	int64_t		 referrer_id;	/* 0: none */
	const char	*channel;	/* "organic", "campaign:<slug>", ... */
};

/*
 * {id, phone_masked, name, birthday, gender, joined_at, card_no, channel,
 * blocked, pin_set}
 * of a member of r->m, or NULL: with *found 0 when r->m has no such member
 * (nothing recorded), else with the error status in r->status. found may
 * be NULL where the caller takes both alike.
 */
cJSON	*member_get_json(struct req *, int64_t member_id, int *found);
/*
 * The id of r->m's member with this phone out, 0 when none. 0, or the
 * error status (recorded).
 */
int	 member_id_by_phone(struct req *, const char *phone, int64_t *id);

/* ---- referral codes (member.c) ---- */

/* The member's referral code, in the arena. */
const char *referral_code(struct req *, int64_t member_id);
/* A code's merchant and member, or -1 for a forged or malformed one. */
int	 referral_check(const char *code, uint32_t *merchant,
	    uint32_t *member);
/*
 * Check a referral code given on joining: a valid code of this merchant
 * whose member exists. 0 with the referrer's id out; else the error
 * status (recorded), 400 invalid_field referral_code for a code that is
 * not such a one.
 */
int	 referral_resolve(struct req *, const char *code, int64_t *referrer);

/* ---- the card (card.c) ---- */

/*
 * What an order asks of the card (card.c): the last second it is valid
 * (end of its last local day; -1 permanent) and the stores it covers (a
 * stored list, NULL for all), in the arena. *found 0 when r->m has no
 * such member. 0, or the error status (recorded).
 */
int	 card_terms(struct req *, int64_t member_id, int64_t *valid_until,
	    const char **store_ids, int *found);
/*
 * The same from a statement that reads the merchants row as m with
 * CARD_TERMS_COLS from column col, and the member's joined_at.
 */
#define CARD_TERMS_COLS \
    "m.card_validity, m.card_valid_until, m.card_valid_months," \
    " m.card_store_ids"
enum { CARD_T_VALIDITY, CARD_T_UNTIL, CARD_T_MONTHS, CARD_T_STORES,
    CARD_TERMS_NCOLS };
void	 card_terms_from_row(struct req *, const struct db_res *, int row,
	    int col, const char *joined_at, int64_t *valid_until,
	    const char **store_ids);

/*
 * The card as GET /me/card returns it, or NULL with the error status in
 * r->status (404 not_found when r->m has no such member).
 */
cJSON	*card_build(struct req *, int64_t member_id);
/*
 * Forget this worker's copy of the merchant's card settings, after staff
 * changed them or the tier ladder: its next card reads them afresh. Other
 * workers' copies expire within a second.
 */
void	 card_settings_forget(int64_t merchant_id);

/* ---- sessions (session.c) ---- */

/*
 * Start a session; token, expiry and (when csrf is not NULL) the CSRF
 * token out. 0, or the error status (recorded).
 */
int	 session_create(struct req *, const char *kind, const char *phone,
	    int64_t staff_id, long ttl_s, const char **token,
	    const char **expires_at, const char **csrf);

/* ---- holds: blocking, the physical card, the PIN (member_status.c) ---- */
/*
 * Whether the member is blocked (frozen by staff): 0 when not (or when
 * r->m has no such member), else 409 member_blocked recorded. Every pay
 * and claim path asks this (orders and balance payments through the
 * order engine's member_blocked_error(), which reads it with the member).
 */
int	 member_blocked_check(struct req *, int64_t member_id);
/* its statement (merchant, member) -> (blocked), also run by the bench's
   claim_raw, which claims as the app does */
#define MEMBER_SQL_BLOCKED \
	"SELECT blocked_at IS NOT NULL FROM members" \
	" WHERE merchant_id = ? AND id = ?"
/* The 409 member_blocked, recorded. */
int	 member_blocked_error(struct req *);
/*
 * The member of r->m whose physical card is card_no (normalized), 0 when
 * none. 0, or the error status (recorded).
 */
int	 member_by_card(struct req *, const char *card_no, int64_t *member_id);
#define MEMBER_PIN_TRIES	5
/*
 * Check the member's payment PIN, never inside a transaction (the hash
 * takes a while): 0 when right (the wrong tries start again), else
 * recorded: 409 pin_not_set, 409 pin_locked (MEMBER_PIN_TRIES wrong in a
 * row, until the member sets a new PIN on the phone), 403 invalid_pin
 * with the tries left in the message (the count raised by one
 * conditional UPDATE, so concurrent tries are all counted).
 */
int	 member_pin_verify(struct req *, int64_t member_id, const char *pin);
/*
 * Set the member's PIN (hashed with crypto_pwhash_str). old_pin is asked
 * when a PIN is set and not locked; a locked PIN is replaced without it
 * (the signed-in phone is the proof). 0, or the error status (recorded).
 */
int	 member_pin_set(struct req *, int64_t member_id, const char *pin,
	    const char *old_pin);
/*
 * What staff see of the holds on a member: {blocked, blocked_at,
 * blocked_reason, tier_manual (held today), tier_manual_until,
 * physical_card_no, pin_set, pin_locked, staff_actions:[{id, action, at,
 * staff_name, reason, detail}]} (the latest 20 staff actions), or NULL
 * with r->status.
 */
cJSON	*member_holds_json(struct req *, int64_t member_id);
#endif
