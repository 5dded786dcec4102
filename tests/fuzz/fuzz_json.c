/*
 * The JSON input helpers against a request built from the input, with
 * the properties handlers rely on:
 *
 *   input = flags byte, body, then after the first NUL a query string
 *           (flag 0x80: everything after the flags is the body, NULs too)
 *
 * req_json_body: 0 with an object in r->json and nothing recorded, or -1
 * with 400/415 and an error body recorded; json_print of the object is
 * byte for byte cJSON_PrintUnformatted. For every member of the object,
 * req_json_str/int/bool answer 0 (a value within the limits asked, the
 * value itself), 1 (absent or null, not required) or -1 (400 recorded),
 * and an integral number within the limits is never refused.
 * req_query_int and req_page: 0 with a value in range whose decimal text
 * is the parameter's, 1 when absent, -1 with 400.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "req.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, \
	    __LINE__, #c); abort(); } } while (0)

static const char *const ctypes[] = {
	"application/json", "application/json; charset=utf-8",
	"APPLICATION/JSON", "text/plain", "application/jsonp", NULL
};

/* Limits a field is asked for, picked by the flags. */
static const struct {
	size_t	 minlen, maxlen;
	int64_t	 min, max;
} limits[] = {
	{ 0, 0, 0, 0 },
	{ 1, 16, 1, INT64_MAX },
	{ 0, 32, 0, 100000000 },
	{ 2, 2, INT64_MIN, INT64_MAX },
	{ 0, 200, -9007199254740992LL, 9007199254740992LL },
	{ 5, 5, -1, 1 },
	{ 1, 64, 1, 100 },
	{ 0, 1, INT64_MAX, INT64_MAX },
};
#define NLIMITS	(sizeof(limits) / sizeof(limits[0]))

/* The recorded error of a helper that returned -1, then clear it. */
static void
was_refused(struct req *r)
{
	CHECK(r->status == 400);
	CHECK(r->out != NULL && r->outlen > 0);
	resp_reset(r);
}

/* Is s an optional '-' and digits, naming the number v? */
static int
names(const char *s, int64_t v)
{
	char want[32];
	const char *p = s;
	int neg = *p == '-';

	if (neg)
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
		return 0;
	while (p[0] == '0' && p[1] != '\0')
		p++;
	if (v == 0)
		return strcmp(p, "0") == 0;
	if ((v < 0) != neg)
		return 0;
	snprintf(want, sizeof(want), "%llu", v < 0 ?
	    0 - (unsigned long long)v : (unsigned long long)v);
	return strcmp(p, want) == 0;
}

static void
fields(struct req *r, unsigned flags)
{
	const cJSON *c, *first;
	int n = 0;

	for (c = r->json->child; c != NULL && n < 16; c = c->next, n++) {
		const char *name = c->string, *s;
		unsigned k = (flags + (unsigned)n) % NLIMITS;
		int req = (flags >> 3) & 1, rc, b;
		int64_t i;
		double d;

		CHECK(name != NULL);
		/* the helpers read the first member of that name */
		first = cJSON_GetObjectItemCaseSensitive(r->json, name);
		CHECK(first != NULL);

		rc = req_json_str(r, name, req, limits[k].minlen,
		    limits[k].maxlen, &s);
		if (rc == 0) {
			size_t chars;

			CHECK(cJSON_IsString(first));
			CHECK(s == first->valuestring);
			CHECK(utf8_ok(s, strlen(s), &chars));
			CHECK(chars >= limits[k].minlen &&
			    chars <= limits[k].maxlen);
			CHECK(r->status == 0);
		} else if (rc == 1) {
			CHECK(!req && cJSON_IsNull(first) && s == NULL);
		} else {
			CHECK(rc == -1 && s == NULL);
			was_refused(r);
		}

		rc = req_json_int(r, name, req, limits[k].min, limits[k].max,
		    &i);
		d = cJSON_IsNumber(first) ? first->valuedouble : NAN;
		if (rc == 0) {
			CHECK(cJSON_IsNumber(first));
			CHECK(i >= limits[k].min && i <= limits[k].max);
			CHECK((double)i == d);
			CHECK(r->status == 0);
		} else if (rc == 1) {
			CHECK(!req && cJSON_IsNull(first));
		} else {
			CHECK(rc == -1);
			/* an integral number in range is never refused */
			CHECK(!(cJSON_IsNumber(first) && floor(d) == d &&
			    d >= -9007199254740992.0 &&
			    d <= 9007199254740992.0 &&
			    d >= (double)limits[k].min &&
			    d <= (double)limits[k].max &&
			    (int64_t)d >= limits[k].min &&
			    (int64_t)d <= limits[k].max));
			was_refused(r);
		}

		rc = req_json_bool(r, name, req, &b);
		if (rc == 0) {
			CHECK(cJSON_IsBool(first));
			CHECK(b == (cJSON_IsTrue(first) ? 1 : 0));
		} else if (rc == 1) {
			CHECK(!req && cJSON_IsNull(first));
		} else {
			CHECK(rc == -1 && !cJSON_IsBool(first));
			was_refused(r);
		}
	}

	/* a member that is not there */
	if (cJSON_GetObjectItemCaseSensitive(r->json, "\x01") == NULL) {
		const char *s;
		int64_t i;

		CHECK(req_json_str(r, "\x01", 0, 0, 10, &s) == 1 && s == NULL);
		CHECK(req_json_int(r, "\x01", 0, 0, 10, &i) == 1);
		CHECK(req_json_str(r, "\x01", 1, 0, 10, &s) == -1);
		was_refused(r);
	}
}

/* req_query_int for one name; the same answer req_page builds on. */
static int
query_int(struct req *r, const char *name, int req, int64_t min,
    int64_t max, int64_t *v)
{
	const char *raw = req_query(r, name);
	int rc = req_query_int(r, name, req, min, max, v);

	if (rc == 0) {
		CHECK(raw != NULL && *v >= min && *v <= max);
		CHECK(names(raw, *v));
		CHECK(r->status == 0);
	} else if (rc == 1) {
		CHECK(!req && (raw == NULL || *raw == '\0'));
	} else {
		CHECK(rc == -1);
		was_refused(r);
	}
	return rc;
}

static void
query(struct req *r, unsigned flags)
{
	int64_t v, limit, cursor, want_limit = 20, want_cursor = 0;
	const char *q = r->query;
	char name[33];
	size_t n;
	int rl, rcur, rc;

	rl = query_int(r, "limit", 0, 1, 100, &want_limit);
	if (rl != 0)
		want_limit = 20;
	rcur = query_int(r, "cursor", 0, 1, INT64_MAX, &want_cursor);
	if (rcur != 0)
		want_cursor = 0;
	rc = req_page(r, &limit, &cursor);
	if (rc == 0) {
		CHECK(rl != -1 && rcur != -1);
		CHECK(limit == want_limit && cursor == want_cursor);
		CHECK(limit >= 1 && limit <= 100 && cursor >= 0);
	} else {
		CHECK(rc == -1 && (rl == -1 || rcur == -1));
		was_refused(r);
	}

	/* the first name in the query, with the flags' limits */
	n = strcspn(q, "=&");
	if (n < sizeof(name)) {
		unsigned k = flags % NLIMITS;

		memcpy(name, q, n);
		name[n] = '\0';
		query_int(r, name, (flags >> 4) & 1, limits[k].min,
		    limits[k].max, &v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	struct req r;
	unsigned flags;
	const uint8_t *nul;
	size_t blen;
	char *body, *q;
	int rc, ct;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	nul = (flags & 0x80) ? NULL : memchr(data, '\0', size);
	blen = nul != NULL ? (size_t)(nul - data) : size;

	if (a == NULL)
		a = arena_new(64 * 1024);
	json_hooks_arena(a);
	memset(&r, 0, sizeof(r));
	r.a = a;
	body = arena_alloc(a, blen + 1);
	memcpy(body, data, blen);
	body[blen] = '\0';
	/* the query ends at its first NUL, as a CGI parameter does */
	q = arena_strndup(a, nul != NULL ? (const char *)nul + 1 : "",
	    nul != NULL ? size - blen - 1 : 0);

	ct = (int)((flags >> 5) & 3) + ((flags & 1) && ((flags >> 5) & 3) == 3);
	r.content_type = ctypes[ct];
	r.body = body;
	r.body_len = blen;
	r.query = q;

	rc = req_json_body(&r);
	if (rc == 0) {
		char *mine, *theirs;
		size_t n;

		CHECK(ct <= 2 && blen > 0);
		CHECK(r.json != NULL && cJSON_IsObject(r.json));
		CHECK(r.status == 0 && r.out == NULL);
		/* parsed once */
		CHECK(req_json_body(&r) == 0);
		mine = json_print(a, r.json, &n);
		theirs = cJSON_PrintUnformatted(r.json);
		CHECK(mine != NULL && theirs != NULL);
		CHECK(strlen(mine) == n && strcmp(mine, theirs) == 0);
		fields(&r, flags);
	} else {
		CHECK(rc == -1 && r.json == NULL);
		CHECK(r.status == (ct > 2 ? 415 : 400));
		CHECK(r.out != NULL && r.outlen > 0);
		resp_reset(&r);
	}

	query(&r, flags);

	json_hooks_arena(NULL);
	arena_reset(a);
	return 0;
}
