/*
 * The dynamic member code: pure encoding and verification, no I/O.
 *
 * A code is 32 characters of RFC 4648 base32 (A-Z, 2-7), the big-endian
 * bit string of 160 bits:
 *
 *	bits   0..1    version, 1
 *	bits   2..25   merchant id (24 bits)
 *	bits  26..45   issue time, the low 20 bits of the Unix time
 *	bits  46..55   salt, 10 random bits (fresh codes within one second)
 *	bits  56..95   member reference: member id (40 bits) XOR
 *	               HMAC-SHA256(k_ref, tag)[0..4]
 *	bits  96..159  tag: HMAC-SHA256(k_tag, "MC1" | merchant id (8 bytes)
 *	               | issue time (8 bytes, full) | salt (2 bytes)
 *	               | member id (8 bytes))[0..7]
 *
 * k_tag and k_ref are per-merchant keys derived from the app secret with
 * crypto_kdf (contexts "mcodetag" and "mcoderef", subkey id = merchant id).
 * The member reference is encrypted with the tag as a synthetic IV, so it
 * differs from code to code and tells nothing about the member. The
 * verifier rebuilds the full issue time as the latest time whose low 20
 * bits match, at most MCODE_SKEW_S ahead of its clock; a code older than
 * the 12-day wrap gets a wrong time and so a wrong tag.
 */
#ifndef MEMBERCODE_RULES_H
#define MEMBERCODE_RULES_H
#include <stddef.h>
#include <stdint.h>

#define MCODE_LEN		32
#define MCODE_VERSION		1
#define MCODE_SALT_MAX		1024		/* salt in [0, MCODE_SALT_MAX) */
#define MCODE_MERCHANT_MAX	((INT64_C(1) << 24) - 1)
#define MCODE_MEMBER_MAX	((INT64_C(1) << 40) - 1)
#define MCODE_SKEW_S		30		/* clocks of other machines */

enum mcode_status {
	MCODE_OK = 0,
	MCODE_MALFORMED,	/* not 32 base32 characters, or bad version */
	MCODE_FORGED,		/* the tag does not match */
	MCODE_EXPIRED		/* authentic but older than the lifetime */
};

struct mcode {
	int64_t		 merchant_id;
	int64_t		 member_id;
	int64_t		 issued_at;	/* Unix time */
};

/*
 * Bring a typed or scanned code to its canonical form: blanks and '-'
 * dropped, lower case raised, the look-alikes 0, 1 and 8 read as O, I
 * and B. 0, or -1 when what is left is not MCODE_LEN base32 characters.
 */
int	 mcode_normalize(const char *in, char out[MCODE_LEN + 1]);

/*
 * Encode a code issued at now. 0, or -1 when the merchant or member id
 * does not fit or the salt is out of range.
 */
int	 mcode_encode(const unsigned char secret[32], int64_t merchant_id,
	    int64_t member_id, int64_t now, unsigned salt,
	    char out[MCODE_LEN + 1]);

/*
 * Check a code (in any form mcode_normalize accepts) at time now against
 * a lifetime of ttl seconds. Fills *out on MCODE_OK and MCODE_EXPIRED (an
 * authentic code: merchant_id tells whose it is); returns the status.
 */
enum mcode_status mcode_verify(const unsigned char secret[32],
	    const char *code, int64_t now, int ttl, struct mcode *out);

/* "ABCD EFGH ..." for people: groups of four, into out (40 bytes). */
void	 mcode_display(const char *code, char *out, size_t n);

#endif
