/*
 * The product CSV (catalog/catalog_rules.h) as an import reads it:
 *
 *   input = the bytes of an uploaded file
 *
 * The reader ends (every record moves it on), never writes past the
 * buffer of len + 1 bytes it is given, and what it reads, written back
 * by catalog_csv_quote after a BOM and read again, is the same fields
 * (with the ' the writer puts before a formula). Each record also goes through the
 * row rules and the cell parsers, which must give 0 or -1 and a message;
 * a file that is not UTF-8 goes through the GB18030 reading first.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_rules.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

#define MAXF	16

static const int levels[] = { 1, 2, 3 };
static const int64_t stores[] = { 1, 2 };
static const struct catalog_scope scope = { levels, 3, stores, 2,
	100000000 };

/* The fields written as one record and read back must be the same. */
static void
round_trip(char **f, int n)
{
	struct catalog_csv c;
	char *g[MAXF], *text, *buf, msg[CATALOG_MSG_MAX];
	size_t cap = 6, len = 0;
	int i, m;

	for (i = 0; i < n; i++)
		cap += catalog_csv_quote_cap(f[i]) + 1;
	text = malloc(cap);
	CHECK(text != NULL);
	/* as the export starts: a BOM, which the reader takes off */
	memcpy(text, "\xef\xbb\xbf", 3);
	len = 3;
	for (i = 0; i < n; i++) {
		if (i > 0)
			text[len++] = ',';
		len += catalog_csv_quote(f[i], text + len);
	}
	text[len++] = '\r';
	text[len++] = '\n';
	buf = malloc(len + 1);
	CHECK(buf != NULL);
	catalog_csv_init(&c, text, len, buf);
	CHECK(catalog_csv_read(&c, g, MAXF, &m, msg) == 1);
	CHECK(m == n);
	for (i = 0; i < n; i++) {
		int guarded = f[i][0] != '\0' && strchr("=+-@\t\r", f[i][0]);

		if (guarded)
			CHECK(g[i][0] == '\'' && strcmp(g[i] + 1, f[i]) == 0);
		else
			CHECK(strcmp(g[i], f[i]) == 0);
	}
	CHECK(catalog_csv_read(&c, g, MAXF, &m, msg) == 0);
	free(buf);
	free(text);
}

static void
read_file(const char *data, size_t size)
{
	struct catalog_csv c;
	struct catalog_product p;
	char *f[MAXF], *buf, msg[CATALOG_MSG_MAX];
	int n, rc, records = 0;

	buf = malloc(size + 1);
	CHECK(buf != NULL);
	catalog_csv_init(&c, data, size, buf);
	while ((rc = catalog_csv_read(&c, f, MAXF, &n, msg)) == 1) {
		CHECK(n >= 1);
		CHECK(++records == c.record);
		CHECK(records <= (int)size);
		if (n > MAXF)
			continue;
		round_trip(f, n);
		msg[0] = '\0';
		rc = catalog_csv_row(f, n, &scope, &p, msg);
		CHECK(rc == 0 || (rc == -1 && msg[0] != '\0'));
		if (rc == 0) {
			CHECK(p.price_fen >= 0 && p.price_fen <= scope.max_fen);
			CHECK(catalog_prices_above(p.prices, p.nprices,
			    p.price_fen) == -1);
		}
		(void)catalog_csv_header_ok(f, n);
	}
	CHECK(rc == 0 || (rc == -1 && msg[0] != '\0'));
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *conv;
	size_t clen = 0;
	int rc;

	text = malloc(size + 1);
	CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	read_file(text, size);

	conv = malloc(2 * size + 1);
	CHECK(conv != NULL);
	rc = catalog_text_to_utf8(text, size, conv, 2 * size + 1, &clen);
	CHECK(rc == 1 || rc == 0 || rc == -1);
	if (rc == 0) {
		CHECK(clen <= 2 * size);
		CHECK(catalog_text_to_utf8(conv, clen, conv + clen, 1, &clen) ==
		    1);
	}
	free(conv);
	free(text);
	return 0;
}
