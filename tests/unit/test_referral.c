/* Referral codes: round trip, tampering, foreign keys, caps. */
#include <string.h>

#include <sodium.h>

#include "growth/referral_rules.h"
#include "member/member_rules.h"
#include "unit.h"

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";

TEST(referral_roundtrip)
{
	static const uint32_t cases[][2] = {
		{ 1, 1 }, { 1, 0 }, { 2, 123456 }, { 4294967295u, 4294967295u },
		{ 7, 99 },
	};
	char code[REFERRAL_CODE_LEN + 1];
	uint32_t m, id;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		referral_encode(key, cases[i][0], cases[i][1], code);
		EXPECT_INT(strlen(code), REFERRAL_CODE_LEN);
		EXPECT_INT(strspn(code, REFERRAL_ALPHABET), REFERRAL_CODE_LEN);
		EXPECT_INT(referral_decode(key, code, &m, &id), 0);
		EXPECT_INT(m, cases[i][0]);
		EXPECT_INT(id, cases[i][1]);
	}
}

TEST(referral_every_single_change_is_refused)
{
	static const char alpha[] = REFERRAL_ALPHABET;
	char code[REFERRAL_CODE_LEN + 1], bad[REFERRAL_CODE_LEN + 1];
	uint32_t m, id;
	int i, k, accepted = 0;

	referral_encode(key, 3, 4242, code);
	for (i = 0; i < REFERRAL_CODE_LEN; i++)
		for (k = 0; k < 32; k++) {
			if (alpha[k] == code[i])
				continue;
			memcpy(bad, code, sizeof(bad));
			bad[i] = alpha[k];
			accepted += referral_decode(key, bad, &m, &id) == 0;
		}
	EXPECT_INT(accepted, 0);
}

TEST(referral_malformed_and_foreign)
{
	unsigned char other[32];
	char code[REFERRAL_CODE_LEN + 1];
	uint32_t m, id;
	int i, accepted = 0;

	memcpy(other, key, 32);
	other[0] ^= 1;
	referral_encode(key, 1, 2, code);
	EXPECT_INT(referral_decode(other, code, &m, &id), -1);
	EXPECT_INT(referral_decode(key, "", &m, &id), -1);
	EXPECT_INT(referral_decode(key, NULL, &m, &id), -1);
	EXPECT_INT(referral_decode(key, "0000000000000000000000", &m, &id), -1);
	EXPECT_INT(referral_decode(key, "00000000000000000000000O", &m, &id), -1);
	code[3] = 'o';	/* lower case is not in the alphabet */
	EXPECT_INT(referral_decode(key, code, &m, &id), -1);
	/* 100,000 random codes of the right shape: none accepted */
	for (i = 0; i < 100000; i++) {
		int k;

		for (k = 0; k < REFERRAL_CODE_LEN; k++)
			code[k] = REFERRAL_ALPHABET[randombytes_uniform(32)];
		code[REFERRAL_CODE_LEN] = '\0';
		accepted += referral_decode(key, code, &m, &id) == 0;
	}
	EXPECT_INT(accepted, 0);
}

TEST(referral_caps_cases)
{
	static const struct {
		int64_t today, daily, total, total_cap;
		int ok;
	} c[] = {
		{ 0, 1, 0, 1, 1 }, { 1, 1, 1, 5, 0 }, { 0, 5, 5, 5, 0 },
		{ 0, 0, 0, 0, 0 }, { 4, 5, 9, 10, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		EXPECT_INT(referral_within_caps(c[i].today, c[i].daily,
		    c[i].total, c[i].total_cap), c[i].ok);
}
