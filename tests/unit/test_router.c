/* The start-up checks of the runtime's tables: the overlap rule between
   two route patterns, a route table with two routes that take one
   request, and the order of event subscriptions. Each case is one that
   a looser or stricter rule would get wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "req.h"
#include "unit.h"

/*
 * Run fn(arg) with stderr going to a temporary file; its return value,
 * and what it printed in buf (cut to size).
 */
static int
with_stderr(int (*fn)(const void *), const void *arg, char *buf, size_t size)
{
	FILE *tmp = tmpfile();
	int saved, rc;
	size_t n = 0;

	buf[0] = '\0';
	if (tmp == NULL)
		return fn(arg);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(tmp), STDERR_FILENO);
	rc = fn(arg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, size - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return rc;
}

/* ---- router_patterns_overlap ---- */

TEST(router_overlap_rule)
{
	static const struct {
		const char *a, *b;
		int overlap;
	} c[] = {
		/* literals: equal, different, one a prefix of the other */
		{ "/livez", "/livez", 1 },
		{ "/livez", "/healthz", 0 },
		{ "/livez", "/live", 0 },
		{ "/x/ab", "/x/abc", 0 },
		{ "/", "/", 1 },
		/* a parameter and a literal: any non-empty segment */
		{ "/api/v1/m/:merchant/me", "/api/v1/m/demo/me", 1 },
		{ "/x/:id", "/x/new", 1 },
		{ "/x/:id", "/x/a.svg", 1 },
		{ "/x/:id", "/x/", 0 },		/* never an empty segment */
		{ "/x/:id/y", "/x//y", 0 },
		/* two parameters, whatever their names */
		{ "/api/v1/m/:merchant/me", "/api/v1/m/:m/me", 1 },
		/* a parameter with a literal suffix */
		{ "/x/:code.svg", "/x/a.svg", 1 },
		{ "/x/:code.svg", "/x/a.png", 0 },
		{ "/x/:code.svg", "/x/.svg", 0 },	/* the name binds >= 1 */
		{ "/x/:code.svg", "/x/svg", 0 },
		{ "/x/:code.svg", "/x/asvg", 0 },
		{ "/x/:code.svg", "/x/a.b.svg", 1 },
		{ "/x/:a.csv", "/x/:b", 1 },
		{ "/x/:a.csv", "/x/:b.csv", 1 },
		{ "/x/:a.svg", "/x/:b.png", 0 },
		{ "/x/:a.tar.gz", "/x/:b.gz", 1 },
		{ "/x/:a.svg", "/x/:b.xsvg", 0 },
		/* segment counts */
		{ "/x/:id", "/x/:id/y", 0 },
		{ "/x/:id", "/x/:id/", 0 },
		{ "/x/:a/:b", "/x/:c", 0 },
		{ "/x", "/x/:id", 0 },
		/* a trailing slash is a segment of its own */
		{ "/m/:merchant/", "/m/:merchant", 0 },
		{ "/m/:merchant/", "/m/demo/", 1 },
		{ "/m/:merchant/", "/m/:merchant/join", 0 },
		/* every segment counts, not only the first that differs */
		{ "/a/:id/b", "/a/c/:id2", 1 },
		{ "/a/:id/b", "/a/c/d", 0 },
		{ "/a/:id/b/:x", "/a/c/d/e", 0 },
		/* pairs of the real table that must stay apart */
		{ "/api/v1/m/:merchant/me/member-code",
		  "/api/v1/m/:merchant/me/member-code.svg", 0 },
		{ "/api/v1/m/:merchant/me/member-code.svg",
		  "/api/v1/m/:merchant/me/member-code.png", 0 },
		{ "/api/v1/m/:merchant/me/coupons/:code",
		  "/api/v1/m/:merchant/me/coupons/:code/qr.svg", 0 },
		{ "/api/v1/m/:merchant/staff/coupon-templates/:id/codes",
		  "/api/v1/m/:merchant/staff/coupon-templates/:id/codes.csv",
		  0 },
		{ "/api/v1/m/:merchant/me/referral",
		  "/api/v1/m/:merchant/me/referral.svg", 0 },
		{ "/m/:merchant/staff", "/m/:merchant/staff/", 0 },
		{ "/r/:code", "/m/:merchant", 0 },
		{ "/api/v1/m/:merchant/coupons/redeem-code",
		  "/api/v1/m/:merchant/coupons/:code", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int ab = router_patterns_overlap(c[i].a, c[i].b);
		int ba = router_patterns_overlap(c[i].b, c[i].a);

		if (ab != c[i].overlap || ba != c[i].overlap)
			fprintf(stderr, "  case %zu: %s vs %s\n", i, c[i].a,
			    c[i].b);
		EXPECT_INT(ab, c[i].overlap);
		EXPECT_INT(ba, c[i].overlap);
	}
}

/* The rule agrees with the matcher: a path both patterns take overlaps. */
TEST(router_overlap_agrees_with_match)
{
	static const struct {
		const char *a, *b, *path;
	} c[] = {
		{ "/x/:id", "/x/new", "/x/new" },
		{ "/x/:code.svg", "/x/a.svg", "/x/a.svg" },
		{ "/x/:a.csv", "/x/:b", "/x/q.csv" },
		{ "/a/:id/b", "/a/c/:id2", "/a/c/b" },
		{ "/m/:merchant/", "/m/demo/", "/m/demo/" },
	};
	struct arena *a = arena_new(4096);
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct req r;

		memset(&r, 0, sizeof(r));
		r.a = a;
		EXPECT_INT(router_match_pattern(&r, c[i].a, c[i].path), 1);
		EXPECT_INT(router_match_pattern(&r, c[i].b, c[i].path), 1);
		EXPECT_INT(router_patterns_overlap(c[i].a, c[i].b), 1);
	}
	arena_free(a);
}

/* ---- router_check_tables ---- */

static int
h_none(struct req *r)
{
	(void)r;
	return 200;
}

struct tables {
	const struct route_table *const *t;
	size_t n;
};

static int
check_tables(const void *arg)
{
	const struct tables *t = arg;

	return router_check_tables(t->t, t->n);
}

static const struct route apart[] = {
	{ M_GET, "/api/v1/m/:merchant/items", h_none, 0 },
	{ M_POST, "/api/v1/m/:merchant/items", h_none, 0 },
	{ M_GET, "/api/v1/m/:merchant/items/:id", h_none, 0 },
	{ M_GET, "/api/v1/m/:merchant/items.csv", h_none, 0 },
	{ M_POST, "/api/v1/m/:merchant/items/new", h_none, 0 },
	{ M_GET, "/m/:merchant/", h_none, HTML },
	{ M_GET, "/m/:merchant", h_none, HTML },
	{ 0, NULL, NULL, 0 }
};
static const struct route_table apart_table = { apart, "apart.c" };

/* GET /items/:id and GET /items/new in one table. */
static const struct route same[] = {
	{ M_GET, "/api/v1/m/:merchant/items/:id", h_none, 0 },
	{ M_PUT, "/api/v1/m/:merchant/items/:id", h_none, 0 },
	{ M_GET | M_POST, "/api/v1/m/:merchant/items/new", h_none, 0 },
	{ 0, NULL, NULL, 0 }
};
static const struct route_table same_table = { same, "same.c" };

/* Overlaps apart's POST /items/new from another file. */
static const struct route other[] = {
	{ M_DELETE, "/api/v1/m/:merchant/items/new", h_none, 0 },
	{ M_POST, "/api/v1/m/:merchant/items/:item", h_none, 0 },
	{ 0, NULL, NULL, 0 }
};
static const struct route_table other_table = { other, "other.c" };

/* HEAD is answered by GET: a HEAD route meets a GET one. */
static const struct route head[] = {
	{ M_HEAD, "/m/:merchant/", h_none, 0 },
	{ 0, NULL, NULL, 0 }
};
static const struct route_table head_table = { head, "head.c" };

/* The same pattern twice, with methods apart, and a PATCH. */
static const struct route methods[] = {
	{ M_PATCH, "/api/v1/m/:merchant/items/:id", h_none, 0 },
	{ M_DELETE, "/api/v1/m/:merchant/items/:id", h_none, 0 },
	{ 0, NULL, NULL, 0 }
};
static const struct route_table methods_table = { methods, "methods.c" };

TEST(router_check_refuses_overlap)
{
	static const struct route_table *const ok1[] = { &apart_table };
	static const struct route_table *const ok2[] = { &apart_table,
	    &methods_table };
	static const struct route_table *const bad_one[] = { &same_table };
	static const struct route_table *const bad_two[] = { &apart_table,
	    &other_table };
	static const struct route_table *const bad_head[] = { &apart_table,
	    &head_table };
	static const struct route_table *const bad_last[] = { &methods_table,
	    &same_table };
	struct tables t;
	char log[4096];

	t = (struct tables){ ok1, 1 };
	EXPECT_INT(with_stderr(check_tables, &t, log, sizeof(log)), 0);
	EXPECT_STR(log, "");
	t = (struct tables){ ok2, 2 };
	EXPECT_INT(with_stderr(check_tables, &t, log, sizeof(log)), 0);
	EXPECT_STR(log, "");
	t = (struct tables){ NULL, 0 };
	EXPECT_INT(router_check_tables(t.t, t.n), 0);

	/* within one table: the pair named with their file */
	t = (struct tables){ bad_one, 1 };
	EXPECT_INT(with_stderr(check_tables, &t, log, sizeof(log)), -1);
	EXPECT(strstr(log, "router: /api/v1/m/:merchant/items/:id (same.c) "
	    "and /api/v1/m/:merchant/items/new (same.c) match the same "
	    "paths") != NULL);
	/* PUT /items/:id shares no method with GET|POST /items/new */
	EXPECT(strstr(log, "\n") == strrchr(log, '\n'));

	/* across tables: POST /items/new (apart) and POST /items/:item
	   (other); DELETE meets nothing in apart */
	t = (struct tables){ bad_two, 2 };
	EXPECT_INT(with_stderr(check_tables, &t, log, sizeof(log)), -1);
	EXPECT(strstr(log, "/api/v1/m/:merchant/items/new (apart.c) and "
	    "/api/v1/m/:merchant/items/:item (other.c)") != NULL);
	EXPECT(strstr(log, "\n") == strrchr(log, '\n'));

	t = (struct tables){ bad_head, 2 };
	EXPECT_INT(with_stderr(check_tables, &t, log, sizeof(log)), -1);
	EXPECT(strstr(log, "/m/:merchant/ (apart.c) and /m/:merchant/ "
	    "(head.c)") != NULL);

	/* an overlap in the last table is found, not only in the first */
	t = (struct tables){ bad_last, 2 };
	EXPECT_INT(with_stderr(check_tables, &t, log, sizeof(log)), -1);
	EXPECT(strstr(log, "(same.c) and /api/v1/m/:merchant/items/new "
	    "(same.c)") != NULL);
	EXPECT(strstr(log, "\n") == strrchr(log, '\n'));
}

/* The table the binary registers passes (as `app routes` says). */
TEST(router_check_registered_table)
{
	EXPECT_INT(router_check(), 0);
}

/* ---- event_sort_check ---- */

static int
ev_none(struct req *r, const void *p)
{
	(void)r;
	(void)p;
	return 0;
}

static const struct event_sub ev_a = { EV_MEMBER_JOINED, 20, ev_none, "a",
	"a.c" };
static const struct event_sub ev_b = { EV_MEMBER_JOINED, 10, ev_none, "b",
	"b.c" };
static const struct event_sub ev_c = { EV_ORDER_PAID, 5, ev_none, "c",
	"c.c" };
static const struct event_sub ev_d = { EV_MEMBER_JOINED, 30, ev_none, "d",
	"d.c" };
static const struct event_sub ev_b2 = { EV_MEMBER_JOINED, 10, ev_none, "b2",
	"b2.c" };
static const struct event_sub ev_c10 = { EV_ORDER_PAID, 10, ev_none,
	"c10", "c10.c" };
static const struct event_sub ev_bad = { EV_NEVENTS, 1, ev_none, "bad",
	"bad.c" };
static const struct event_sub ev_zero = { 0, 1, ev_none, "zero", "zero.c" };

struct subs {
	const struct event_sub **v;
	int n;
};

static int
check_subs(const void *arg)
{
	const struct subs *s = arg;

	return event_sort_check(s->v, s->n);
}

TEST(event_order_checked)
{
	const struct event_sub *v[8];
	struct subs s = { v, 0 };
	char log[2048];

	/* sorted by event, then order; one order per event may repeat
	   across events */
	v[0] = &ev_c;
	v[1] = &ev_a;
	v[2] = &ev_d;
	v[3] = &ev_b;
	v[4] = &ev_c10;
	s.n = 5;
	EXPECT_INT(with_stderr(check_subs, &s, log, sizeof(log)), 0);
	EXPECT_STR(log, "");
	EXPECT_STR(v[0]->name, "b");
	EXPECT_STR(v[1]->name, "a");
	EXPECT_STR(v[2]->name, "d");
	EXPECT_STR(v[3]->name, "c");
	EXPECT_STR(v[4]->name, "c10");

	/* the same order at two events is fine: 10 at member_joined and
	   at order_paid */
	v[0] = &ev_c10;
	v[1] = &ev_b;
	s.n = 2;
	EXPECT_INT(with_stderr(check_subs, &s, log, sizeof(log)), 0);

	/* two subscribers of one event at one order */
	v[0] = &ev_a;
	v[1] = &ev_b;
	v[2] = &ev_c;
	v[3] = &ev_b2;
	s.n = 4;
	EXPECT_INT(with_stderr(check_subs, &s, log, sizeof(log)), -1);
	EXPECT(strstr(log, "both run at 10 of member_joined") != NULL);
	EXPECT(strstr(log, "b and b2") != NULL || strstr(log, "b2 and b") !=
	    NULL);

	/* an event the runtime does not know, either end */
	v[0] = &ev_a;
	v[1] = &ev_bad;
	s.n = 2;
	EXPECT_INT(with_stderr(check_subs, &s, log, sizeof(log)), -1);
	EXPECT(strstr(log, "bad subscribes to unknown event") != NULL);
	v[0] = &ev_zero;
	v[1] = &ev_a;
	s.n = 2;
	EXPECT_INT(with_stderr(check_subs, &s, log, sizeof(log)), -1);
	EXPECT(strstr(log, "zero subscribes to unknown event") != NULL);

	s.n = 0;
	EXPECT_INT(event_sort_check(v, 0), 0);
}
