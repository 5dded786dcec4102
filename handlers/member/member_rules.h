/*
 * Pure member rules with no I/O, reached by unit tests: card numbers and
 * referral codes. Part of member.h.
 */
#ifndef MEMBER_RULES_H
#define MEMBER_RULES_H
#include <stdint.h>

/*
 * Card number: 16 digits, prefix "8" then 15 random digits; from rand_fn
 * (uniform in [0, upper)) so tests can drive it.
 */
void	 card_no_make(char out[17], uint32_t (*rand_fn)(uint32_t));

/*
 * Referral codes: 23 characters of Crockford base32 over
 * 14 bytes = merchant id (4, big-endian) | member id (4) | the first six
 * bytes of HMAC-SHA256(key, those eight). Altering any character or
 * guessing one means matching a 48-bit MAC.
 */
#define REFERRAL_CODE_LEN	23
#define REFERRAL_ALPHABET	"0123456789ABCDEFGHJKMNPQRSTVWXYZ"	/* Crockford */

void	 referral_encode(const unsigned char key[32], uint32_t merchant_id,
	    uint32_t member_id, char out[REFERRAL_CODE_LEN + 1]);
/* 0 and the ids out, or -1 for a malformed or forged code. */
int	 referral_decode(const unsigned char key[32], const char *code,
	    uint32_t *merchant_id, uint32_t *member_id);

/*
 * A physical card number as staff type it: 6 to 20 letters and digits,
 * spaces and dashes between them ignored, letters read as capitals, into
 * out. 0, or -1 when it is not such a number.
 */
#define PHYSICAL_CARD_MIN	6
#define PHYSICAL_CARD_MAX	20
int	 physical_card_normalize(const char *in,
	    char out[PHYSICAL_CARD_MAX + 1]);
/*
 * A payment PIN: exactly 6 digits (0), one too easy to guess (all one
 * digit, or six in a row up or down: 1), or no PIN at all (-1).
 */
#define PIN_LEN		6
int	 pin_check(const char *);

#endif
