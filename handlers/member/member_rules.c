/* Pure member rules: card numbers, referral codes (see member_rules.h). */
#include <string.h>

#include <sodium.h>

#include "member_rules.h"

#define PAYLOAD	8
#define MAC	6
#define RAW	(PAYLOAD + MAC)

static void
mac(const unsigned char key[32], const unsigned char *p, unsigned char *out)
{
	unsigned char h[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256(h, p, PAYLOAD, key);
	memcpy(out, h, MAC);
}

void
referral_encode(const unsigned char key[32], uint32_t merchant_id,
    uint32_t member_id, char out[REFERRAL_CODE_LEN + 1])
{
	static const char alpha[] = REFERRAL_ALPHABET;
	unsigned char raw[RAW];
	unsigned acc = 0;
	int bits = 0, i, n = 0;

	for (i = 0; i < 4; i++) {
		raw[i] = (unsigned char)(merchant_id >> (24 - 8 * i));
		raw[4 + i] = (unsigned char)(member_id >> (24 - 8 * i));
	}
	mac(key, raw, raw + PAYLOAD);
	for (i = 0; i < RAW; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = alpha[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = alpha[(acc << (5 - bits)) & 31];
	out[n] = '\0';
}

int
referral_decode(const unsigned char key[32], const char *code,
    uint32_t *merchant_id, uint32_t *member_id)
{
	static const char alpha[] = REFERRAL_ALPHABET;
	unsigned char raw[RAW], want[MAC];
	unsigned acc = 0;
	int bits = 0, i, n = 0;

	if (code == NULL || strlen(code) != REFERRAL_CODE_LEN)
		return -1;
	for (i = 0; i < REFERRAL_CODE_LEN; i++) {
		const char *p = strchr(alpha, code[i]);

		if (code[i] == '\0' || p == NULL)
			return -1;
		acc = (acc << 5) | (unsigned)(p - alpha);
		bits += 5;
		if (bits >= 8) {
			if (n == RAW)
				return -1;
			raw[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
		acc &= (1u << bits) - 1;
	}
	/* 23 * 5 = 115 bits: 112 used, the last 3 must be zero */
	if (n != RAW || acc != 0)
		return -1;
	mac(key, raw, want);
	if (sodium_memcmp(want, raw + PAYLOAD, MAC) != 0)
		return -1;
	*merchant_id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
	    (uint32_t)raw[2] << 8 | raw[3];
	*member_id = (uint32_t)raw[4] << 24 | (uint32_t)raw[5] << 16 |
	    (uint32_t)raw[6] << 8 | raw[7];
	return 0;
}

void
card_no_make(char out[17], uint32_t (*rand_fn)(uint32_t))
{
	int i;

	out[0] = '8';
	for (i = 1; i < 16; i++)
		out[i] = (char)('0' + rand_fn(10));
	out[16] = '\0';
}

int
physical_card_normalize(const char *in, char out[PHYSICAL_CARD_MAX + 1])
{
	size_t n = 0;

	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch == ' ' || ch == '-')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (unsigned char)(ch - 'a' + 'A');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z')))
			return -1;
		if (n == PHYSICAL_CARD_MAX)
			return -1;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n >= PHYSICAL_CARD_MIN ? 0 : -1;
}

int
pin_check(const char *pin)
{
	int i, same = 1, up = 1, down = 1;

	if (pin == NULL || strlen(pin) != PIN_LEN)
		return -1;
	for (i = 0; i < PIN_LEN; i++)
		if (pin[i] < '0' || pin[i] > '9')
			return -1;
	for (i = 1; i < PIN_LEN; i++) {
		if (pin[i] != pin[0])
			same = 0;
		if (pin[i] != pin[i - 1] + 1)
			up = 0;
		if (pin[i] != pin[i - 1] - 1)
			down = 0;
	}
	return same || up || down ? 1 : 0;
}
