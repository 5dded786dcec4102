/*
 * Uploaded images (core/image.c): image_check decodes whatever bytes a
 * staff member sends with libpng and libjpeg, so it must hold against any
 * input. Properties: it answers 0 or -1, and the same twice; 0 means a
 * PNG or a JPEG of 1..IMAGE_MAX_SIDE pixels each way, as its signature
 * says; -1 always gives a reason; and a prefix of an accepted image that
 * cuts its pixel data is never accepted with another size.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	enum image_kind kind, kind2;
	const char *why, *why2;
	int w, h, w2, h2, rc, rc2;
	unsigned char *copy;

	/* an exact-size copy, so that reading past the end is seen */
	if ((copy = malloc(n ? n : 1)) == NULL)
		return 0;
	memcpy(copy, data, n);
	rc = image_check(copy, n, &kind, &w, &h, &why);
	rc2 = image_check(copy, n, &kind2, &w2, &h2, &why2);
	CHECK(rc == 0 || rc == -1);
	CHECK(rc == rc2 && kind == kind2);
	if (rc == 0) {
		CHECK(kind == IMAGE_PNG || kind == IMAGE_JPEG);
		CHECK(w >= 1 && w <= IMAGE_MAX_SIDE);
		CHECK(h >= 1 && h <= IMAGE_MAX_SIDE);
		CHECK(w == w2 && h == h2);
		CHECK(kind != IMAGE_PNG || (n >= 8 && copy[0] == 0x89));
		CHECK(kind != IMAGE_JPEG || (n >= 3 && copy[0] == 0xff));
		/* the first half of it is refused or the same picture */
		if (n > 16) {
			rc2 = image_check(copy, n / 2, &kind2, &w2, &h2, &why2);
			CHECK(rc2 == -1 || (w2 == w && h2 == h));
		}
	} else
		CHECK(why != NULL && *why != '\0');
	free(copy);
	return 0;
}
