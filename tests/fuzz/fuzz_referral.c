/*
 * Referral codes (member/member_rules.h) with a fixed key:
 *
 *   input = 9 bytes (merchant id, member id, one character to change),
 *           then a text as it arrives in a join request
 *
 * referral_decode of any text is 0 or -1 and reads nothing past its end;
 * a text it accepts is exactly what referral_encode makes of the ids it
 * read (one spelling per code). The code made from the ids decodes to
 * them; with one character changed it is refused, never another member's.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "member/member_rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

static const unsigned char key[32] = "fuzz_referral fixed key, 32 b.!";

/* Decoded, the text must be what encoding the ids gives. */
static void
any_text(const char *s)
{
	char again[REFERRAL_CODE_LEN + 1];
	uint32_t mer = 0, mem = 0;
	int rc;

	rc = referral_decode(key, s, &mer, &mem);
	CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(strlen(s) == REFERRAL_CODE_LEN);
		referral_encode(key, mer, mem, again);
		CHECK(strcmp(again, s) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char code[REFERRAL_CODE_LEN + 1], *changed, *s;
	uint32_t merchant, member, mer, mem;
	int pos;

	if (size < 9)
		return 0;
	merchant = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
	    (uint32_t)data[2] << 8 | data[3];
	member = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
	    (uint32_t)data[6] << 8 | data[7];
	pos = data[8] % REFERRAL_CODE_LEN;
	/* exactly the input's bytes: a read past the end is seen */
	s = malloc(size - 9 + 1);
	CHECK(s != NULL);
	memcpy(s, data + 9, size - 9);
	s[size - 9] = '\0';

	any_text(s);
	CHECK(referral_decode(key, NULL, &mer, &mem) == -1);

	referral_encode(key, merchant, member, code);
	CHECK(strlen(code) == REFERRAL_CODE_LEN);
	CHECK(strspn(code, REFERRAL_ALPHABET) == REFERRAL_CODE_LEN);
	CHECK(referral_decode(key, code, &mer, &mem) == 0);
	CHECK(mer == merchant && mem == member);
	any_text(code);

	/* one character changed to the text's first byte */
	changed = malloc(REFERRAL_CODE_LEN + 1);
	CHECK(changed != NULL);
	memcpy(changed, code, REFERRAL_CODE_LEN + 1);
	changed[pos] = s[0] != '\0' ? s[0] : '0';
	if (changed[pos] != code[pos])
		CHECK(referral_decode(key, changed, &mer, &mem) == -1);
	any_text(changed);

	free(changed);
	free(s);
	return 0;
}
