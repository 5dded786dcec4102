/*
 * The dynamic member code (member/membercode_rules.h) with a fixed key:
 *
 *   input = 16 bytes of parameters (merchant, member, issue time, salt,
 *           the verifier's clock, a lifetime, one character to change),
 *           then a text as a counter scanner would pass it
 *
 * mcode_normalize accepts exactly the texts that fold to 32 base32
 * characters, gives those, is its own fixed point and writes nothing past
 * its 33 bytes. mcode_verify of any text answers one of its statuses, and
 * when it says a code is authentic, encoding what it read gives that very
 * code. A code mcode_encode made verifies as itself within the skew and
 * the lifetime, as expired after, as forged once the 20-bit clock has
 * wrapped; with one character changed to anything that does not fold back
 * to it, it is malformed or forged, never someone's. mcode_display stays
 * within the buffer it is given.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "member/membercode_rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

#define WRAP	(INT64_C(1) << 20)	/* the issue time's low bits */

static const unsigned char key[32] = "fuzz_mcode fixed key, 32 bytes!";
static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int
ref_normalize(const char *s, char want[MCODE_LEN + 1])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (strchr(" -\t\r\n", c) != NULL)
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c == '0')
			c = 'O';
		else if (c == '1')
			c = 'I';
		else if (c == '8')
			c = 'B';
		if (strchr(b32, c) == NULL || n == MCODE_LEN)
			return -1;
		want[n++] = c;
	}
	want[n] = '\0';
	return n == MCODE_LEN ? 0 : -1;
}

/* The salt of a canonical code: bits 46..55 of its 160. */
static unsigned
salt_of(const char *c)
{
	unsigned v = 0;
	int bit;

	for (bit = 46; bit < 56; bit++) {
		unsigned sym = (unsigned)(strchr(b32, c[bit / 5]) - b32);

		v = v << 1 | (sym >> (4 - bit % 5) & 1);
	}
	return v;
}

/* Any text: a status, and an authentic code is the encoding of its read. */
static void
any_text(const char *s, int64_t now, int ttl)
{
	char *out = malloc(MCODE_LEN + 1), *again = malloc(MCODE_LEN + 1);
	char want[MCODE_LEN + 1], enc[MCODE_LEN + 1];
	struct mcode m;
	enum mcode_status st;
	int rc;

	CHECK(out != NULL && again != NULL);
	rc = mcode_normalize(s, out);
	CHECK(rc == ref_normalize(s, want));
	if (rc == 0) {
		CHECK(strcmp(out, want) == 0);
		CHECK(mcode_normalize(out, again) == 0);
		CHECK(strcmp(again, out) == 0);
	}

	st = mcode_verify(key, s, now, ttl, &m);
	CHECK(st == MCODE_OK || st == MCODE_MALFORMED ||
	    st == MCODE_FORGED || st == MCODE_EXPIRED);
	if (rc == -1)
		CHECK(st == MCODE_MALFORMED);
	if (st == MCODE_OK || st == MCODE_EXPIRED) {
		CHECK(m.merchant_id >= 1 && m.merchant_id <= MCODE_MERCHANT_MAX);
		CHECK(m.member_id >= 1 && m.member_id <= MCODE_MEMBER_MAX);
		CHECK(m.issued_at <= now + MCODE_SKEW_S &&
		    m.issued_at > now + MCODE_SKEW_S - WRAP);
		CHECK((st == MCODE_EXPIRED) == (now - m.issued_at > ttl));
		CHECK(mcode_encode(key, m.merchant_id, m.member_id,
		    m.issued_at, salt_of(out), enc) == 0);
		CHECK(strcmp(enc, out) == 0);
	}
	CHECK(mcode_verify(key, NULL, now, ttl, &m) == MCODE_MALFORMED);
	free(out);
	free(again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t merchant, member, now, when;
	unsigned salt;
	int ttl, delta, pos, rc;
	char code[MCODE_LEN + 1], changed[MCODE_LEN + 1], canon[MCODE_LEN + 1];
	char *s, *shown;
	size_t shown_n;
	struct mcode m;
	enum mcode_status st;

	if (size < 16)
		return 0;
	merchant = (int64_t)data[0] << 16 | data[1] << 8 | data[2];
	member = (int64_t)data[3] << 32 | (int64_t)data[4] << 24 |
	    data[5] << 16 | data[6] << 8 | data[7];
	/* a time past the first wrap, so that every rebuilt time is > 0 */
	now = WRAP + ((int64_t)data[8] << 24 | data[9] << 16 |
	    data[10] << 8 | data[11]);
	salt = (unsigned)(data[12] << 8 | data[13]);
	/* the verifier's clock: around the skew and the lifetime, or in
	   steps from well behind to past the wrap */
	delta = (int)(int8_t)data[14];
	if (!(data[14] & 1))
		delta *= 8300;
	ttl = (data[15] & 0x7f) * 10;
	pos = data[15] >> 7 ? data[13] % MCODE_LEN : data[12] % MCODE_LEN;
	s = malloc(size - 16 + 1);
	CHECK(s != NULL);
	memcpy(s, data + 16, size - 16);
	s[size - 16] = '\0';

	any_text(s, now + delta, ttl);

	rc = mcode_encode(key, merchant, member, now, salt, code);
	if (merchant < 1 || merchant > MCODE_MERCHANT_MAX || member < 1 ||
	    member > MCODE_MEMBER_MAX || salt >= MCODE_SALT_MAX) {
		CHECK(rc == -1);
		free(s);
		return 0;
	}
	CHECK(rc == 0 && strlen(code) == MCODE_LEN);
	CHECK(mcode_normalize(code, canon) == 0 && strcmp(canon, code) == 0);
	CHECK(salt_of(code) == salt);

	when = now + delta;
	st = mcode_verify(key, code, when, ttl, &m);
	if (delta < -MCODE_SKEW_S || delta >= WRAP - MCODE_SKEW_S) {
		CHECK(st == MCODE_FORGED);
	} else {
		CHECK(st == (delta > ttl ? MCODE_EXPIRED : MCODE_OK));
		CHECK(m.merchant_id == merchant && m.member_id == member &&
		    m.issued_at == now);
	}
	any_text(code, when, ttl);

	/* one character changed to the first byte of the text */
	memcpy(changed, code, sizeof(changed));
	changed[pos] = s[0] != '\0' ? s[0] : 'A';
	st = mcode_verify(key, changed, now, ttl, &m);
	if (mcode_normalize(changed, canon) == 0 &&
	    strcmp(canon, code) == 0) {
		CHECK(st == MCODE_OK);
		CHECK(m.merchant_id == merchant && m.member_id == member);
	} else
		CHECK(st == MCODE_MALFORMED || st == MCODE_FORGED);
	any_text(changed, now, ttl);

	/* groups of four, in whatever room there is */
	shown_n = (size_t)(data[15] % 48);
	shown = malloc(shown_n ? shown_n : 1);
	CHECK(shown != NULL);
	mcode_display(code, shown, shown_n);
	if (shown_n > 0)
		CHECK(strlen(shown) < shown_n);
	if (shown_n >= 40)
		CHECK(strlen(shown) == 39 && shown[4] == ' ' &&
		    memcmp(shown, code, 4) == 0);
	free(shown);
	free(s);
	return 0;
}
