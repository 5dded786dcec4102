/* The runtime's pure parts: arena, request parsers, router patterns, JSON
   printing. */
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "req.h"
#include "unit.h"

TEST(arena_alloc_aligned_and_reset)
{
	struct arena *a = arena_new(1024);
	char *p, *q;
	int i;

	p = arena_alloc(a, 3);
	q = arena_alloc(a, 5);
	EXPECT(((uintptr_t)p % 16) == 0);
	EXPECT(((uintptr_t)q % 16) == 0);
	EXPECT(q != p);
	/* many chunks, then back to the first */
	for (i = 0; i < 1000; i++)
		memset(arena_alloc(a, 1000), 'x', 1000);
	EXPECT(arena_used(a) >= 1000 * 1000);
	arena_reset(a);
	EXPECT_INT(arena_used(a), 0);
	p = arena_alloc(a, 10);
	EXPECT(p != NULL);
	arena_free(a);
}

TEST(arena_reset_keeps_what_a_request_needed)
{
	struct arena *a = arena_new(1024);
	char *p, *q;

	/* a request outgrows the first chunk: after the reset the same
	   request fits in one chunk, the same one every time */
	memset(arena_alloc(a, 3000), 'x', 3000);
	arena_reset(a);
	p = arena_alloc(a, 3000);
	memset(p, 'y', 3000);
	arena_reset(a);
	q = arena_alloc(a, 3000);
	EXPECT(q == p);
	arena_reset(a);
	/* beyond ARENA_KEEP_MAX (1 MiB) the first chunk stays as it was */
	memset(arena_alloc(a, 2 << 20), 'z', 2 << 20);
	arena_reset(a);
	EXPECT(arena_alloc(a, 3000) == q);
	arena_free(a);
}

static int deferred;
static void bump(void *p) { deferred += *(int *)p; }

TEST(arena_defer_runs_on_reset)
{
	struct arena *a = arena_new(1024);
	static int one = 1, ten = 10;

	deferred = 0;
	arena_defer(a, bump, &one);
	arena_defer(a, bump, &ten);
	EXPECT_INT(deferred, 0);
	arena_reset(a);
	EXPECT_INT(deferred, 11);
	arena_reset(a);
	EXPECT_INT(deferred, 11);
	arena_free(a);
}

TEST(arena_strings_and_sbuf)
{
	struct arena *a = arena_new(64);
	struct sbuf s;
	int i;

	EXPECT_STR(arena_strdup(a, "abc"), "abc");
	EXPECT_STR(arena_strndup(a, "abcdef", 2), "ab");
	EXPECT_STR(arena_printf(a, "%d-%s", 42, "x"), "42-x");
	sbuf_init(&s, a, 4);
	for (i = 0; i < 500; i++)
		sbuf_puts(&s, "ab");
	EXPECT_INT(s.len, 1000);
	EXPECT_INT(strlen(sbuf_str(&s)), 1000);
	sbuf_printf(&s, "%05d", 7);
	EXPECT_STR(sbuf_str(&s) + 1000, "00007");
	arena_free(a);
}

TEST(url_decode_cases)
{
	static const struct {
		const char *in;
		int form;
		const char *out;	/* NULL: rejected */
	} c[] = {
		{ "abc", 0, "abc" },
		{ "a%20b", 0, "a b" },
		{ "a+b", 1, "a b" },
		{ "a+b", 0, "a+b" },
		{ "%E4%BC%9A", 0, "会" },
		{ "%e4%bc%9a", 0, "会" },
		{ "%", 0, NULL },
		{ "%4", 0, NULL },
		{ "%zz", 0, NULL },
		{ "a%00b", 0, NULL },
		{ "", 0, "" },
	};
	struct arena *a = arena_new(1024);
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		EXPECT_STR(url_decode(a, c[i].in, strlen(c[i].in), c[i].form),
		    c[i].out);
	arena_free(a);
}

TEST(json_depth_cases)
{
	char deep[100];

	EXPECT(json_depth_ok("{}", 2, 32));
	EXPECT(json_depth_ok("{\"a\":[[[1]]]}", 12, 4));
	EXPECT(!json_depth_ok("{\"a\":[[[1]]]}", 12, 3));
	/* brackets inside strings do not count, escaped quotes stay in */
	EXPECT(json_depth_ok("{\"a\":\"[[[[\\\"[[[[\"}", 18, 1));
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	EXPECT(!json_depth_ok(deep, 80, 32));
	EXPECT(json_depth_ok(deep, 80, 40));
}

TEST(utf8_cases)
{
	static const struct {
		const char *s;
		int ok;
		size_t chars;
	} c[] = {
		{ "abc", 1, 3 },
		{ "张三", 1, 2 },
		{ "tab\there", 1, 8 },
		{ "\x01", 0, 0 },
		{ "\x7f", 0, 0 },
		{ "\xc3\x28", 0, 0 },		/* bad continuation */
		{ "\xe4\xbc", 0, 0 },		/* truncated */
		{ "\xc0\xaf", 0, 0 },		/* overlong */
		{ "\xed\xa0\x80", 0, 0 },	/* surrogate */
		{ "\xf0\x9f\x98\x80", 1, 1 },	/* emoji */
		{ "\xf5\x80\x80\x80", 0, 0 },	/* beyond U+10FFFF */
	};
	size_t i, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = 0;
		EXPECT_INT(utf8_ok(c[i].s, strlen(c[i].s), &n), c[i].ok);
		if (c[i].ok)
			EXPECT_INT(n, c[i].chars);
	}
}

TEST(parse_int_cases)
{
	static const struct {
		const char *s;
		int ok;
		int64_t v;
	} c[] = {
		{ "0", 1, 0 }, { "42", 1, 42 }, { "-5", 1, -5 },
		{ "", 0, 0 }, { " 1", 0, 0 }, { "+1", 0, 0 }, { "1x", 0, 0 },
		{ "101", 0, 0 }, { "99999999999999999999", 0, 0 },
	};
	size_t i;
	int64_t v;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		v = -1;
		EXPECT_INT(parse_int(c[i].s, -10, 100, &v) == 0, c[i].ok);
		if (c[i].ok)
			EXPECT_INT(v, c[i].v);
	}
}

TEST(router_patterns)
{
	static const struct {
		const char *pat, *path;
		int ok;
		const char *p0, *v0, *p1, *v1;
	} c[] = {
		{ "/livez", "/livez", 1, NULL, NULL, NULL, NULL },
		{ "/livez", "/livez/", 0, NULL, NULL, NULL, NULL },
		{ "/livez", "/live", 0, NULL, NULL, NULL, NULL },
		{ "/api/v1/m/:merchant/me", "/api/v1/m/demo/me", 1,
		  "merchant", "demo", NULL, NULL },
		{ "/api/v1/m/:merchant/me", "/api/v1/m//me", 0,
		  NULL, NULL, NULL, NULL },
		{ "/api/v1/m/:merchant/me", "/api/v1/m/demo/me/card", 0,
		  NULL, NULL, NULL, NULL },
		{ "/api/v1/m/:merchant/coupons/:code", "/api/v1/m/a-1/coupons/XY", 1,
		  "merchant", "a-1", "code", "XY" },
		{ "/m/:merchant/", "/m/demo/", 1, "merchant", "demo", NULL, NULL },
		{ "/m/:merchant/", "/m/demo", 0, NULL, NULL, NULL, NULL },
		{ "/x/:code.svg", "/x/ABC.svg", 1, "code", "ABC", NULL, NULL },
		{ "/x/:code.svg", "/x/ABC.png", 0, NULL, NULL, NULL, NULL },
		{ "/x/:code.svg", "/x/.svg", 0, NULL, NULL, NULL, NULL },
	};
	struct arena *a = arena_new(4096);
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct req r;

		memset(&r, 0, sizeof(r));
		r.a = a;
		EXPECT_INT(router_match_pattern(&r, c[i].pat, c[i].path),
		    c[i].ok);
		if (!c[i].ok)
			continue;
		if (c[i].p0) {
			EXPECT_STR(req_param(&r, c[i].p0), c[i].v0);
		}
		if (c[i].p1) {
			EXPECT_STR(req_param(&r, c[i].p1), c[i].v1);
		}
	}
	arena_free(a);
}

TEST(router_table_methods)
{
	struct arena *a = arena_new(4096);
	struct req r;
	const struct route *rt;
	int allowed;

	memset(&r, 0, sizeof(r));
	r.a = a;
	r.path = "/api/v1/m/demo/me/card";
	r.method = M_GET;
	rt = router_match(&r, &allowed);
	EXPECT(rt != NULL);
	EXPECT_STR(req_param(&r, "merchant"), "demo");
	EXPECT(rt != NULL && (rt->flags & AUTH_MEMBER));
	r.method = M_DELETE;
	EXPECT(router_match(&r, &allowed) == NULL);
	EXPECT(allowed & M_GET);
	r.method = M_HEAD;
	EXPECT(router_match(&r, &allowed) != NULL);
	r.path = "/no/such/route";
	r.method = M_GET;
	EXPECT(router_match(&r, &allowed) == NULL);
	EXPECT_INT(allowed, 0);
	r.path = "/livez";
	rt = router_match(&r, &allowed);
	EXPECT(rt != NULL && rt->flags == 0);
	arena_free(a);
}

/* A random tree for json_print_matches_cjson: every kind of item, the
   numbers and strings most likely to print differently. */
static cJSON *
rand_json(int depth)
{
	static const double special[] = { 0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3,
	    999999999999999.0, -999999999999999.0, 1e15, -1e15, 1e15 + 1,
	    9007199254740992.0, 9007199254740993.0, 1e300, 1e-300, 5e-324,
	    2147483647.0, 2147483648.0, -2147483649.0, 0.5, 100.25,
	    1.7976931348623157e308, 123456789012.5 };
	int k = (int)randombytes_uniform(depth > 3 ? 6 : 8);
	cJSON *j;
	int i, n;

	switch (k) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool((int)randombytes_uniform(2));
	case 2: {
		uint64_t bits;
		double d;

		switch (randombytes_uniform(4)) {
		case 0:
			return cJSON_CreateNumber(special[randombytes_uniform(
			    sizeof(special) / sizeof(special[0]))]);
		case 1:
			return cJSON_CreateNumber((double)(int64_t)
			    (randombytes_random() - 2147483648u) *
			    (randombytes_uniform(2) ? 1 : 1000003));
		case 2:
			randombytes_buf(&bits, sizeof(bits));
			memcpy(&d, &bits, sizeof(d));
			return cJSON_CreateNumber(d);
		default:
			return cJSON_CreateNumber((double)randombytes_random() /
			    (1 + randombytes_uniform(1000)));
		}
	}
	case 3:
	case 4: {
		char s[24];

		n = (int)randombytes_uniform(sizeof(s));
		for (i = 0; i < n; i++)
			s[i] = (char)(1 + randombytes_uniform(255));
		s[n] = '\0';
		j = cJSON_CreateString(s);
		if (randombytes_uniform(20) == 0) {
			cJSON_free(j->valuestring);
			j->valuestring = NULL;
		}
		return j;
	}
	case 5: return cJSON_CreateRaw("{\"raw\":[1,2]}");
	default:
		j = k == 6 ? cJSON_CreateArray() : cJSON_CreateObject();
		n = (int)randombytes_uniform(5);
		for (i = 0; i < n; i++) {
			cJSON *c = rand_json(depth + 1);

			if (k == 6)
				cJSON_AddItemToArray(j, c);
			else {
				char key[8];

				snprintf(key, sizeof(key), "k%c\"\\%c",
				    (char)('a' + i), (char)(1 + i));
				cJSON_AddItemToObject(j, key, c);
			}
		}
		return j;
	}
}

TEST(json_print_matches_cjson)
{
	struct arena *a = arena_new(4096);
	int i, differ = 0;

	EXPECT(sodium_init() >= 0);
	for (i = 0; i < 20000; i++) {
		cJSON *j = rand_json(0);
		char *want = cJSON_PrintUnformatted(j);
		size_t n = 0;
		char *got = json_print(a, j, &n);

		if (want == NULL ? got != NULL :
		    got == NULL || strcmp(want, got) != 0 || n != strlen(want)) {
			if (differ++ < 3)
				fprintf(stderr, "  cJSON %s\n  ours  %s\n",
				    want ? want : "(none)", got ? got : "(none)");
		}
		cJSON_free(want);
		cJSON_Delete(j);
		arena_reset(a);
	}
	EXPECT_INT(differ, 0);
	{
		cJSON *j = cJSON_CreateNumber(-42);

		EXPECT_STR(json_print(a, j, NULL), "-42");
		cJSON_Delete(j);
	}
	arena_free(a);
}

TEST(secret_seal_opens_only_for_its_purpose)
{
	struct arena *a = arena_new(4096);
	const char *plain = "a1b2c3 secret\001\377";
	char *s1, *s2, *o, *bad;
	size_t n = 0;

	s1 = secret_seal(a, "wx.secret", plain, strlen(plain));
	s2 = secret_seal(a, "wx.secret", plain, strlen(plain));
	EXPECT(strncmp(s1, "v1:", 3) == 0);
	EXPECT(strcmp(s1, s2) != 0);		/* a fresh nonce each time */
	EXPECT(strstr(s1, "secret") == NULL);
	o = secret_open(a, "wx.secret", s1, &n);
	EXPECT_STR(o, plain);
	EXPECT_INT(n, strlen(plain));
	EXPECT(secret_open(a, "wxpay.key", s1, NULL) == NULL);
	EXPECT(secret_open(a, "wx.secret", "v1:AAAA", NULL) == NULL);
	EXPECT(secret_open(a, "wx.secret", plain, NULL) == NULL);
	EXPECT(secret_open(a, "wx.secret", NULL, NULL) == NULL);
	/* one character changed in the sealed text */
	bad = arena_strdup(a, s1);
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	EXPECT(secret_open(a, "wx.secret", bad, NULL) == NULL);
	/* empty plain text round-trips */
	o = secret_open(a, "x", secret_seal(a, "x", "", 0), &n);
	EXPECT_STR(o, "");
	EXPECT_INT(n, 0);
	arena_free(a);
}
