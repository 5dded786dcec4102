/* The member code: format, round trip, expiry, tampering, random codes. */
#include <stdlib.h>

#include <sodium.h>

#include "app.h"
#include "member/membercode_rules.h"
#include "core/core.h"
#include "unit.h"

static const unsigned char key_a[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
static const unsigned char key_b[32] = { 9, 9, 9 };

#define T0	INT64_C(1767225600)	/* 2026-01-01T00:00:00Z */

static int
is_b32(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= '2' && *s <= '7')))
			return 0;
	return 1;
}

TEST(membercode_format)
{
	char c[MCODE_LEN + 1];

	EXPECT(sodium_init() >= 0);
	EXPECT_INT(mcode_encode(key_a, 1, 42, T0, 0, c), 0);
	EXPECT_INT(strlen(c), 32);
	EXPECT(is_b32(c));
	/* version 1 in the top two bits: first character I..P (8..15) */
	EXPECT(c[0] >= 'I' && c[0] <= 'P');
	/* neither the member id nor anything readable is in clear */
	EXPECT(strstr(c, "42") == NULL);
}

TEST(membercode_round_trip)
{
	static const struct {
		int64_t merchant, member, now;
		unsigned salt;
	} cases[] = {
		{ 1, 1, T0, 0 },
		{ 1, 42, T0 + 12345, 1023 },
		{ 2, 42, T0, 7 },
		{ MCODE_MERCHANT_MAX, MCODE_MEMBER_MAX, T0 + 999999, 512 },
		{ 77, 123456789, 0x7fffffffLL, 1 },
		{ 3, 5, 4102444800LL, 300 },	/* 2100 */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char c[MCODE_LEN + 1];
		struct mcode m = { 0, 0, 0 };

		EXPECT_INT(mcode_encode(key_a, cases[i].merchant,
		    cases[i].member, cases[i].now, cases[i].salt, c), 0);
		EXPECT_INT(mcode_verify(key_a, c, cases[i].now, 60, &m),
		    MCODE_OK);
		EXPECT_INT(m.merchant_id, cases[i].merchant);
		EXPECT_INT(m.member_id, cases[i].member);
		EXPECT_INT(m.issued_at, cases[i].now);
	}
}

TEST(membercode_out_of_range)
{
	char c[MCODE_LEN + 1];

	EXPECT_INT(mcode_encode(key_a, 0, 1, T0, 0, c), -1);
	EXPECT_INT(mcode_encode(key_a, MCODE_MERCHANT_MAX + 1, 1, T0, 0, c),
	    -1);
	EXPECT_INT(mcode_encode(key_a, 1, 0, T0, 0, c), -1);
	EXPECT_INT(mcode_encode(key_a, 1, MCODE_MEMBER_MAX + 1, T0, 0, c), -1);
	EXPECT_INT(mcode_encode(key_a, 1, 1, T0, MCODE_SALT_MAX, c), -1);
	EXPECT_INT(mcode_encode(key_a, 1, 1, -1, 0, c), -1);
}

TEST(membercode_fresh_codes_differ)
{
	static const struct {
		int64_t member, now;
		unsigned salt;
	} c[] = {
		{ 42, T0, 1 },		/* the reference code */
		{ 42, T0, 2 },		/* another salt */
		{ 42, T0 + 1, 1 },	/* a second later */
		{ 43, T0, 1 },		/* another member */
		{ 42, T0, 0 },		/* the lowest salt */
		{ 42, T0, MCODE_SALT_MAX - 1 },	/* the highest */
	};
	char code[6][MCODE_LEN + 1];
	size_t i, j;

	for (i = 0; i < 6; i++) {
		struct mcode m = { 0, 0, 0 };

		memset(code[i], 0, sizeof(code[i]));
		EXPECT_INT(mcode_encode(key_a, 1, c[i].member, c[i].now,
		    c[i].salt, code[i]), 0);
		EXPECT_INT(strlen(code[i]), MCODE_LEN);
		/* each reads back as what it was made of */
		EXPECT_INT(mcode_verify(key_a, code[i], c[i].now, 60, &m),
		    MCODE_OK);
		EXPECT_INT(m.merchant_id, 1);
		EXPECT_INT(m.member_id, c[i].member);
		EXPECT_INT(m.issued_at, c[i].now);
	}
	for (i = 0; i < 6; i++)
		for (j = i + 1; j < 6; j++)
			EXPECT(strcmp(code[i], code[j]) != 0);
	/* the member reference changes with every code of one member */
	EXPECT(memcmp(code[0] + 11, code[1] + 11, 8) != 0);
	EXPECT(memcmp(code[0] + 11, code[2] + 11, 8) != 0);
	/* the same inputs give the same code: only the salt and time vary */
	{
		char again[MCODE_LEN + 1];

		EXPECT_INT(mcode_encode(key_a, 1, 42, T0, 1, again), 0);
		EXPECT_STR(again, code[0]);
	}
}

/* Lifetime, with the clock given: the code lives ttl seconds. */
TEST(membercode_expiry)
{
	static const struct {
		int64_t age;
		int ttl;
		enum mcode_status want;
	} cases[] = {
		{ 0, 60, MCODE_OK },
		{ 1, 60, MCODE_OK },
		{ 59, 60, MCODE_OK },
		{ 60, 60, MCODE_OK },
		{ 61, 60, MCODE_EXPIRED },
		{ 3600, 60, MCODE_EXPIRED },
		{ 86400, 60, MCODE_EXPIRED },
		{ 5, 5, MCODE_OK },
		{ 6, 5, MCODE_EXPIRED },
		/* a clock up to MCODE_SKEW_S behind the issuer's */
		{ -MCODE_SKEW_S, 60, MCODE_OK },
		{ -10, 60, MCODE_OK },
		/* past the 20-bit wrap of the time: the tag no longer fits */
		{ (INT64_C(1) << 20), 60, MCODE_FORGED },
		{ (INT64_C(1) << 20) + 30, 60, MCODE_FORGED },
		{ -MCODE_SKEW_S - 1, 60, MCODE_FORGED },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char c[MCODE_LEN + 1];
		struct mcode m;
		enum mcode_status st;

		EXPECT_INT(mcode_encode(key_a, 5, 1000, T0, 99, c), 0);
		st = mcode_verify(key_a, c, T0 + cases[i].age, cases[i].ttl, &m);
		if (st != cases[i].want)
			fprintf(stderr, "  case %zu (age %lld)\n", i,
			    (long long)cases[i].age);
		EXPECT_INT(st, cases[i].want);
		if (st == MCODE_EXPIRED) {
			EXPECT_INT(m.member_id, 1000);
			EXPECT_INT(m.merchant_id, 5);
		}
	}
}

TEST(membercode_other_secret_or_merchant)
{
	char c[MCODE_LEN + 1];
	struct mcode m;

	EXPECT_INT(mcode_encode(key_a, 1, 42, T0, 3, c), 0);
	EXPECT_INT(mcode_verify(key_b, c, T0, 60, &m), MCODE_FORGED);
	/* authentic for merchant 1: the verifier says whose it is */
	EXPECT_INT(mcode_verify(key_a, c, T0, 60, &m), MCODE_OK);
	EXPECT_INT(m.merchant_id, 1);
}

/* Every single-character change of a valid code is refused. */
TEST(membercode_tampered)
{
	char c[MCODE_LEN + 1], t[MCODE_LEN + 1];
	struct mcode m;
	int i, j, refused = 0, tried = 0;
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

	EXPECT_INT(mcode_encode(key_a, 9, 31337, T0, 5, c), 0);
	for (i = 0; i < MCODE_LEN; i++)
		for (j = 0; j < 32; j++) {
			if (alpha[j] == c[i])
				continue;
			memcpy(t, c, sizeof(t));
			t[i] = alpha[j];
			tried++;
			if (mcode_verify(key_a, t, T0, 60, &m) != MCODE_OK)
				refused++;
		}
	EXPECT_INT(refused, tried);
	EXPECT_INT(tried, 32 * 31);
}

TEST(membercode_normalize)
{
	static const struct {
		const char *in;
		int rc;
		const char *out;
	} cases[] = {
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 0,
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" },
		{ "abcd efgh ijkl mnop qrst uvwx yz23 4567", 0,
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" },
		{ "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567\n", 0,
		  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" },
		{ "0123456789", -1, NULL },
		{ "A0CDEFGH1JKLMNOPQRSTUVWXYZ2345B8", 0,
		  "AOCDEFGHIJKLMNOPQRSTUVWXYZ2345BB" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456", -1, NULL },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ2345677", -1, NULL },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456!", -1, NULL },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ234569", -1, NULL },
		{ "", -1, NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[MCODE_LEN + 1];
		int rc = mcode_normalize(cases[i].in, out);

		EXPECT_INT(rc, cases[i].rc);
		if (rc == 0)
			EXPECT_STR(out, cases[i].out);
	}
	EXPECT_INT(mcode_normalize(NULL, (char[MCODE_LEN + 1]){ 0 }), -1);
}

/* A code read back from its display form or typed in lower case works. */
TEST(membercode_display)
{
	char c[MCODE_LEN + 1], d[40], low[40];
	struct mcode m;
	size_t i;

	EXPECT_INT(mcode_encode(key_a, 1, 42, T0, 3, c), 0);
	mcode_display(c, d, sizeof(d));
	EXPECT_INT(strlen(d), 39);
	EXPECT(d[4] == ' ' && d[34] == ' ');
	EXPECT_INT(mcode_verify(key_a, d, T0, 60, &m), MCODE_OK);
	for (i = 0; d[i]; i++)
		low[i] = (char)((d[i] >= 'A' && d[i] <= 'Z') ? d[i] + 32 : d[i]);
	low[i] = '\0';
	EXPECT_INT(mcode_verify(key_a, low, T0, 60, &m), MCODE_OK);
	EXPECT_INT(m.member_id, 42);
}

/* 100,000 random codes of the right shape: none is accepted. */
TEST(membercode_random_refused)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	struct mcode m;
	int i, j, accepted = 0, forged = 0;

	EXPECT(sodium_init() >= 0);
	for (i = 0; i < 100000; i++) {
		char c[MCODE_LEN + 1];
		enum mcode_status st;

		unsigned char rnd[MCODE_LEN];

		randombytes_buf(rnd, sizeof(rnd));
		for (j = 0; j < MCODE_LEN; j++)
			c[j] = alpha[rnd[j] & 31];
		c[MCODE_LEN] = '\0';
		/* half of them with the right version bits */
		if (i % 2 == 0)
			c[0] = alpha[8 + (rnd[0] >> 5)];
		st = mcode_verify(key_a, c, T0, 60, &m);
		if (st == MCODE_OK || st == MCODE_EXPIRED)
			accepted++;
		if (st == MCODE_FORGED)
			forged++;
	}
	EXPECT_INT(accepted, 0);
	/* the ones with the right version reach the tag check */
	EXPECT(forged >= 50000);
}

/* ---- the QR renderers (qr.c) ---- */

static struct req *
qr_req(void)
{
	static struct req r;

	if (r.a == NULL)
		r.a = arena_new(64 * 1024);
	return &r;
}

static int
count_str(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;
	int c = 0;

	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			c++;
	return c;
}

TEST(qr_svg_one_path)
{
	char code[MCODE_LEN + 1], *out = NULL;
	size_t len = 0;

	EXPECT_INT(mcode_encode(key_a, 1, 42, T0, 3, code), 0);
	EXPECT_INT(qr_svg(qr_req(), code, &out, &len), 0);
	EXPECT(out != NULL && len == strlen(out));
	if (out == NULL)
		return;
	/* 32 alphanumeric characters at level M: version 2, 25 modules,
	   plus a quiet zone of 4 on each side */
	EXPECT(strstr(out, "viewBox=\"0 0 33 33\"") != NULL);
	EXPECT_INT(count_str(out, len, "<path "), 1);
	EXPECT_INT(count_str(out, len, "<rect "), 1);
	/* the first finder pattern starts inside the quiet zone's edge */
	EXPECT(strstr(out, "d=\"M4 4h7v1h-7z") != NULL);
	/* nothing drawn in the quiet zone */
	EXPECT(strstr(out, "M0 ") == NULL && strstr(out, "M3 ") == NULL);
	EXPECT(strstr(out, " 0h") == NULL && strstr(out, " 32h") == NULL);
	arena_reset(qr_req()->a);
}

TEST(qr_png_one_bit)
{
	char code[MCODE_LEN + 1], *out = NULL;
	const unsigned char *p;
	size_t len = 0;
	unsigned w, h;

	EXPECT_INT(mcode_encode(key_a, 1, 42, T0, 3, code), 0);
	EXPECT_INT(qr_png(qr_req(), code, &out, &len), 0);
	p = (const unsigned char *)out;
	EXPECT(len > 33 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0);
	EXPECT(memcmp(p + 12, "IHDR", 4) == 0);
	w = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 | p[18] << 8 | p[19];
	h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 | p[22] << 8 | p[23];
	EXPECT_INT(w, 33 * 8);
	EXPECT_INT(h, w);
	EXPECT_INT(p[24], 1);	/* bit depth */
	EXPECT_INT(p[25], 0);	/* greyscale */
	EXPECT(len < 1024);
	EXPECT(memcmp(p + len - 8, "IEND", 4) == 0);
	arena_reset(qr_req()->a);
}

TEST(qr_refuses_empty_or_huge_text)
{
	char *out = NULL, *big;
	size_t len = 0;

	EXPECT_INT(qr_svg(qr_req(), "", &out, &len), -1);
	EXPECT_INT(qr_png(qr_req(), "", &out, &len), -1);
	big = arena_alloc(qr_req()->a, 5000);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	EXPECT_INT(qr_svg(qr_req(), big, &out, &len), -1);
	/* a referral link fits, case kept */
	EXPECT_INT(qr_svg(qr_req(), "https://example.com/r/AbCdEf123", &out,
	    &len), 0);
	arena_reset(qr_req()->a);
}
