/* Pure member rules: physical card numbers, payment PINs. */
#include "unit.h"
#include "member/member_rules.h"

TEST(physical_card_cases)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "123456", "123456" },
		{ "ab-1234 56", "AB123456" },
		{ "W0000000000000000001", "W0000000000000000001" },
		{ " 8888-8888 ", "88888888" },
	};
	static const char *const bad[] = { "", "12345", "ABC_12345", "卡号123456",
	    "123456789012345678901", "12 34 5", "1234567\t8" };
	char out[PHYSICAL_CARD_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		EXPECT_INT(physical_card_normalize(ok[i].in, out), 0);
		EXPECT_STR(out, ok[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_INT(physical_card_normalize(bad[i], out), -1);
	EXPECT_INT(physical_card_normalize(NULL, out), -1);
}

TEST(pin_cases)
{
	static const struct { const char *pin; int want; } cases[] = {
		{ "246813", 0 }, { "000001", 0 }, { "135790", 0 }, { "112233", 0 },
		{ "111111", 1 }, { "000000", 1 }, { "123456", 1 }, { "456789", 1 },
		{ "987654", 1 }, { "543210", 1 },
		{ "12345", -1 }, { "1234567", -1 }, { "12345a", -1 }, { "", -1 },
		{ " 12345", -1 }, { "１２３４５６", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_INT(pin_check(cases[i].pin), cases[i].want);
	EXPECT_INT(pin_check(NULL), -1);
}
