/*
 * The coupon code decoder and the stored store list
 * (coupon/coupon_rules.h). The input is the text a person typed.
 *
 * coupon_code_normalize accepts exactly what folds (blanks and '-'
 * dropped, case raised) to 12 symbols of the alphabet, gives those, and
 * given its own output gives it back; it writes nothing past the 13 bytes
 * it is given. A made code, typed in groups in lower case, reads back as
 * itself. coupon_store_allowed finds exactly the ids of a list written as
 * it is stored, and answers 0 or 1 for any text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coupon/coupon_rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

static const uint8_t *rnd;
static size_t rnd_left;

/* "Random" numbers for coupon_code_make from the input's bytes. */
static uint32_t
input_rand(uint32_t upper)
{
	uint32_t v = 0;

	if (rnd_left > 0) {
		v = *rnd++;
		rnd_left--;
	}
	return v % upper;
}

/* What normalize should give: 0 and the code, or -1. */
static int
ref_normalize(const char *s, char want[COUPON_CODE_LEN + 1])
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (strchr(coupon_alphabet, c) == NULL)
			return -1;
		if (n == COUPON_CODE_LEN)
			return -1;
		want[n++] = c;
	}
	want[n] = '\0';
	return n == COUPON_CODE_LEN ? 0 : -1;
}

static void
codes(const char *s, const uint8_t *data, size_t size)
{
	char *out = malloc(COUPON_CODE_LEN + 1), *again;
	char want[COUPON_CODE_LEN + 1], made[COUPON_CODE_LEN + 1];
	char typed[3 * COUPON_CODE_LEN];
	int rc, i, n;

	again = malloc(COUPON_CODE_LEN + 1);
	CHECK(out != NULL && again != NULL);
	rc = coupon_code_normalize(s, out);
	CHECK(rc == ref_normalize(s, want));
	if (rc == 0) {
		CHECK(strcmp(out, want) == 0);
		CHECK(coupon_code_normalize(out, again) == 0);
		CHECK(strcmp(again, out) == 0);
	}
	CHECK(coupon_code_normalize(NULL, out) == -1);

	/* a made code, typed in groups of 4, lower case where flagged */
	rnd = data;
	rnd_left = size;
	coupon_code_make(made, input_rand);
	CHECK(strlen(made) == COUPON_CODE_LEN);
	for (i = n = 0; i < COUPON_CODE_LEN; i++) {
		char c = made[i];

		CHECK(strchr(coupon_alphabet, c) != NULL);
		if (i > 0 && i % 4 == 0)
			typed[n++] = " -\t"[i / 4 % 3];
		if (size > 0 && (data[0] >> (i % 8) & 1) && c >= 'A' &&
		    c <= 'Z')
			c = (char)(c - 'A' + 'a');
		typed[n++] = c;
	}
	typed[n] = '\0';
	CHECK(coupon_code_normalize(typed, out) == 0);
	CHECK(strcmp(out, made) == 0);

	free(out);
	free(again);
}

static void
stores(const char *s, const uint8_t *data, size_t size)
{
	int64_t ids[8], probe;
	char list[8 * 24 + 4];
	size_t n = 0, i, len = 0;
	int in = 0, r;

	r = coupon_store_allowed(s, (int64_t)size);
	CHECK(r == 0 || r == 1);
	CHECK(coupon_store_allowed(NULL, 7) == 1);

	/* a list as stored: "[id,id,...]" of up to 8 ids from the input */
	while (n < 8 && size >= 3) {
		ids[n++] = (int64_t)data[0] << 16 | data[1] << 8 | data[2];
		data += 3;
		size -= 3;
	}
	/* one of them, or a number that may be one */
	if (size == 0)
		probe = 1;
	else if ((data[0] & 1) && n > 0)
		probe = ids[data[0] % n];
	else
		probe = data[0];
	len += (size_t)snprintf(list + len, sizeof(list) - len, "[");
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(list + len, sizeof(list) - len,
		    "%s%lld", i ? "," : "", (long long)ids[i]);
		in |= ids[i] == probe;
	}
	snprintf(list + len, sizeof(list) - len, "]");
	CHECK(coupon_store_allowed(list, probe) == in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	codes(s, data, size);
	stores(s, data, size);
	free(s);
	return 0;
}
