/*
 * Referral codes, pure: 23 characters of Crockford base32 over
 * 14 bytes = merchant id (4, big-endian) | member id (4) | the first six
 * bytes of HMAC-SHA256(key, those eight). Altering any character or
 * guessing one means matching a 48-bit MAC.
 */
#ifndef REFERRAL_RULES_H
#define REFERRAL_RULES_H
#include <stdint.h>

#define REFERRAL_CODE_LEN	23
#define REFERRAL_ALPHABET	"0123456789ABCDEFGHJKMNPQRSTVWXYZ"	/* Crockford */

void	 referral_encode(const unsigned char key[32], uint32_t merchant_id,
	    uint32_t member_id, char out[REFERRAL_CODE_LEN + 1]);
/* 0 and the ids out, or -1 for a malformed or forged code. */
int	 referral_decode(const unsigned char key[32], const char *code,
	    uint32_t *merchant_id, uint32_t *member_id);

/*
 * May this referral be rewarded now? Caps of 0 mean no referral is
 * rewarded. Counts are what has been rewarded so far.
 */
int	 referral_within_caps(int64_t today, int64_t daily_cap, int64_t total,
	    int64_t total_cap);

#endif
