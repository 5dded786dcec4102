/* The dynamic member code (format in membercode_rules.h). */
#include <string.h>

#include <sodium.h>

#include "membercode_rules.h"

#define MCODE_BYTES	20		/* 160 bits, 32 base32 characters */
#define TIME_BITS	20
#define TAG_BYTES	8
#define REF_BYTES	5

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Write the low nbits of v at bit offset off (big-endian bit order). */
static void
put_bits(unsigned char *buf, int off, int nbits, uint64_t v)
{
	int i;

	for (i = 0; i < nbits; i++) {
		int bit = (int)((v >> (nbits - 1 - i)) & 1);
		int p = off + i;

		if (bit)
			buf[p / 8] |= (unsigned char)(0x80 >> (p % 8));
		else
			buf[p / 8] &= (unsigned char)~(0x80 >> (p % 8));
	}
}

static uint64_t
get_bits(const unsigned char *buf, int off, int nbits)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < nbits; i++) {
		int p = off + i;

		v = (v << 1) | (uint64_t)((buf[p / 8] >> (7 - p % 8)) & 1);
	}
	return v;
}

static void
be64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
}

static void
merchant_keys(const unsigned char secret[32], int64_t merchant_id,
    unsigned char k_tag[32], unsigned char k_ref[32])
{
	crypto_kdf_derive_from_key(k_tag, 32, (uint64_t)merchant_id,
	    "mcodetag", secret);
	crypto_kdf_derive_from_key(k_ref, 32, (uint64_t)merchant_id,
	    "mcoderef", secret);
}

static void
make_tag(const unsigned char k_tag[32], int64_t merchant_id,
    int64_t issued_at, unsigned salt, int64_t member_id,
    unsigned char tag[TAG_BYTES])
{
	unsigned char msg[3 + 8 + 8 + 2 + 8], mac[32];

	memcpy(msg, "MC1", 3);
	be64(msg + 3, (uint64_t)merchant_id);
	be64(msg + 11, (uint64_t)issued_at);
	msg[19] = (unsigned char)(salt >> 8);
	msg[20] = (unsigned char)(salt & 0xff);
	be64(msg + 21, (uint64_t)member_id);
	crypto_auth_hmacsha256(mac, msg, sizeof(msg), k_tag);
	memcpy(tag, mac, TAG_BYTES);
	sodium_memzero(mac, sizeof(mac));
}

/* The 40-bit pad that hides the member id, keyed by the tag. */
static uint64_t
ref_pad(const unsigned char k_ref[32], const unsigned char tag[TAG_BYTES])
{
	unsigned char mac[32];
	uint64_t v = 0;
	int i;

	crypto_auth_hmacsha256(mac, tag, TAG_BYTES, k_ref);
	for (i = 0; i < REF_BYTES; i++)
		v = (v << 8) | mac[i];
	return v;
}

static void
b32_encode(const unsigned char in[MCODE_BYTES], char out[MCODE_LEN + 1])
{
	int i;

	for (i = 0; i < MCODE_LEN; i++)
		out[i] = b32[get_bits(in, i * 5, 5)];
	out[MCODE_LEN] = '\0';
}

static int
b32_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

int
mcode_normalize(const char *in, char out[MCODE_LEN + 1])
{
	size_t n = 0;

	if (in == NULL)
		return -1;
	for (; *in != '\0'; in++) {
		char c = *in;

		if (c == ' ' || c == '-' || c == '\t' || c == '\r' ||
		    c == '\n')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c == '0')
			c = 'O';
		else if (c == '1')
			c = 'I';
		else if (c == '8')
			c = 'B';
		if (b32_val(c) < 0 || n == MCODE_LEN)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == MCODE_LEN ? 0 : -1;
}

int
mcode_encode(const unsigned char secret[32], int64_t merchant_id,
    int64_t member_id, int64_t now, unsigned salt, char out[MCODE_LEN + 1])
{
	unsigned char k_tag[32], k_ref[32], tag[TAG_BYTES];
	unsigned char buf[MCODE_BYTES];
	uint64_t ref;

	if (merchant_id < 1 || merchant_id > MCODE_MERCHANT_MAX ||
	    member_id < 1 || member_id > MCODE_MEMBER_MAX ||
	    salt >= MCODE_SALT_MAX || now < 0)
		return -1;
	merchant_keys(secret, merchant_id, k_tag, k_ref);
	make_tag(k_tag, merchant_id, now, salt, member_id, tag);
	ref = ((uint64_t)member_id ^ ref_pad(k_ref, tag)) & MCODE_MEMBER_MAX;
	memset(buf, 0, sizeof(buf));
	put_bits(buf, 0, 2, MCODE_VERSION);
	put_bits(buf, 2, 24, (uint64_t)merchant_id);
	put_bits(buf, 26, TIME_BITS, (uint64_t)now);
	put_bits(buf, 46, 10, salt);
	put_bits(buf, 56, 40, ref);
	memcpy(buf + 12, tag, TAG_BYTES);
	b32_encode(buf, out);
	sodium_memzero(k_tag, sizeof(k_tag));
	sodium_memzero(k_ref, sizeof(k_ref));
	return 0;
}

enum mcode_status
mcode_verify(const unsigned char secret[32], const char *code, int64_t now,
    int ttl, struct mcode *out)
{
	unsigned char k_tag[32], k_ref[32], tag[TAG_BYTES], want[TAG_BYTES];
	unsigned char buf[MCODE_BYTES];
	char c[MCODE_LEN + 1];
	int64_t merchant_id, member_id, issued_at, ahead;
	uint64_t low, mask = (UINT64_C(1) << TIME_BITS) - 1;
	unsigned salt;
	int i, ok;

	if (mcode_normalize(code, c) == -1)
		return MCODE_MALFORMED;
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < MCODE_LEN; i++)
		put_bits(buf, i * 5, 5, (uint64_t)b32_val(c[i]));
	if (get_bits(buf, 0, 2) != MCODE_VERSION)
		return MCODE_MALFORMED;
	merchant_id = (int64_t)get_bits(buf, 2, 24);
	if (merchant_id == 0)
		return MCODE_MALFORMED;
	low = get_bits(buf, 26, TIME_BITS);
	salt = (unsigned)get_bits(buf, 46, 10);
	memcpy(tag, buf + 12, TAG_BYTES);
	/* the latest time with these low bits, not past now + skew */
	ahead = now + MCODE_SKEW_S;
	issued_at = ahead - (int64_t)(((uint64_t)ahead - low) & mask);
	merchant_keys(secret, merchant_id, k_tag, k_ref);
	member_id = (int64_t)((get_bits(buf, 56, 40) ^ ref_pad(k_ref, tag)) &
	    MCODE_MEMBER_MAX);
	make_tag(k_tag, merchant_id, issued_at, salt, member_id, want);
	ok = sodium_memcmp(tag, want, TAG_BYTES) == 0 && member_id != 0;
	sodium_memzero(k_tag, sizeof(k_tag));
	sodium_memzero(k_ref, sizeof(k_ref));
	if (!ok)
		return MCODE_FORGED;
	out->merchant_id = merchant_id;
	out->member_id = member_id;
	out->issued_at = issued_at;
	if (now - issued_at > ttl)
		return MCODE_EXPIRED;
	return MCODE_OK;
}

void
mcode_display(const char *code, char *out, size_t n)
{
	size_t i, o = 0;

	if (n == 0)
		return;
	for (i = 0; code[i] != '\0'; i++) {
		int sep = i > 0 && i % 4 == 0;

		if (o + (size_t)sep + 2 > n)
			break;
		if (sep)
			out[o++] = ' ';
		out[o++] = code[i];
	}
	out[o] = '\0';
}
