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

#endif
