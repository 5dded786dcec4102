/*
 * The pricing engine and refunds of orders: a table per step and per
 * stacking case, the coupon search and its ties, points, balance and
 * tenders, the card, input errors, the quote hash input, refunds by
 * lines, amount and the rest; every quote here also goes through the
 * invariant check the property test (test_order_props.c) runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "order/order.h"

#define NOW	1700000000LL
#define DAY	86400LL
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static struct order_in in;
static struct priced q;

/* In test_order_props.c: every invariant of a quote; 0 when all hold. */
int	 order_test_invariants(const struct order_in *, const struct priced *);

static void
fresh(void)
{
	order_in_init(&in);
	in.store_id = 1;
}

static struct order_line_in *
add_line(int64_t pid, int64_t qty, int64_t unit, int64_t mu)
{
	struct order_line_in *l = &in.lines[in.nlines++];

	memset(l, 0, sizeof(*l));
	l->product_id = pid;
	l->name = pid != 0 ? "拿铁" : "临时商品";
	l->qty = qty;
	l->unit_fen = unit;
	l->member_unit_fen = mu;
	return l;
}

static void
set_member(int64_t pct)
{
	in.member.id = 42;
	in.member.tier_level = 2;
	in.member.discount_pct = pct;
	in.member.points = 100000;
	in.member.earn_points_per_yuan = 1;
	in.member.mult_pct = 100;
}

static struct order_coupon_in *
add_coupon(const char *code, int kind, int64_t value, int64_t threshold,
    int64_t pct, int64_t max, int stackable)
{
	struct order_coupon_in *c = &in.coupons[in.ncoupons++];

	memset(c, 0, sizeof(*c));
	c->code = code;
	c->terms.kind = kind;
	c->terms.value_fen = value;
	c->terms.threshold_fen = threshold;
	c->terms.discount_pct = pct;
	c->terms.max_discount_fen = max;
	c->stackable = stackable;
	c->status = "unused";
	c->valid_from = NOW - DAY;
	c->valid_until = NOW + 30 * DAY;
	c->audience_ok = 1;
	return c;
}

#define N	ORDER_NONE

static void
name_codes(int n, ...)
{
	va_list ap;
	int i;

	va_start(ap, n);
	in.ncodes = n;
	for (i = 0; i < n; i++)
		in.codes[i] = va_arg(ap, const char *);
	va_end(ap);
}

/* Price and check every invariant; the return of price_order(). */
static int
price(void)
{
	int rc = price_order(&in, NOW, &q);

	if (rc == 0)
		EXPECT_INT(order_test_invariants(&in, &q), 0);
	return rc;
}

/* The amount of the adjustment of that kind (and code), or -1. */
static int64_t
adj(int kind, const char *ref)
{
	int i;

	for (i = 0; i < q.nadj; i++)
		if (q.adj[i].kind == kind && (ref == NULL ||
		    (q.adj[i].ref != NULL && strcmp(q.adj[i].ref, ref) == 0)))
			return q.adj[i].amount_fen;
	return -1;
}

static const struct priced_adj *
adj_rec(int kind, const char *ref)
{
	int i;

	for (i = 0; i < q.nadj; i++)
		if (q.adj[i].kind == kind && (ref == NULL ||
		    (q.adj[i].ref != NULL && strcmp(q.adj[i].ref, ref) == 0)))
			return &q.adj[i];
	return NULL;
}

static const char *
skipped(const char *code)
{
	int i;

	for (i = 0; i < q.nskipped; i++)
		if (strcmp(q.skipped[i].code, code) == 0)
			return q.skipped[i].reason;
	return NULL;
}

/* The codes the quote used, in the order applied, joined by ','. */
static const char *
used(void)
{
	static char buf[256];
	int i;

	buf[0] = '\0';
	for (i = 0; i < q.nadj; i++)
		if (q.adj[i].kind == ADJ_COUPON) {
			if (buf[0] != '\0')
				strcat(buf, ",");
			strcat(buf, q.adj[i].ref);
		}
	return buf;
}

/* ---- the largest remainder ---- */

TEST(order_split_table)
{
	static const struct {
		int64_t amount;
		int n;
		int64_t w[5], want[5];
	} c[] = {
		{ 0, 3, { 1, 2, 3 }, { 0, 0, 0 } },
		{ 6, 3, { 1, 2, 3 }, { 1, 2, 3 } },
		{ 1, 3, { 1, 1, 1 }, { 1, 0, 0 } },	/* tie: first */
		{ 2, 3, { 1, 1, 1 }, { 1, 1, 0 } },
		{ 100, 3, { 1, 1, 1 }, { 1, 1, 1 } },	/* capped */
		{ 10, 3, { 3333, 3333, 3334 }, { 3, 3, 4 } },
		{ 7, 4, { 0, 5, 0, 5 }, { 0, 4, 0, 3 } },
		{ 5, 2, { 0, 0 }, { 0, 0 } },
		{ 999, 5, { 1, 10, 100, 1000, 10000 }, { 0, 1, 9, 90, 899 } },
		{ 3, 3, { 2, 2, 2 }, { 1, 1, 1 } },
	};
	int64_t out[5];
	size_t i;
	int k;

	for (i = 0; i < NELEM(c); i++) {
		order_split(c[i].amount, c[i].w, c[i].n, out);
		for (k = 0; k < c[i].n; k++)
			if (out[k] != c[i].want[k]) {
				fprintf(stderr, "  split case %zu\n", i);
				EXPECT_INT(out[k], c[i].want[k]);
			}
	}
}

/* Against the rule written plainly: floors, then +1 by remainder. */
TEST(order_split_reference)
{
	static int64_t w[ORDER_MAX_ALL_LINES], out[ORDER_MAX_ALL_LINES];
	static int64_t want[ORDER_MAX_ALL_LINES], rem[ORDER_MAX_ALL_LINES];
	uint64_t r = 12345;
	int t, n, i, best, bad = 0;
	int64_t total, amount, left;

	for (t = 0; t < 20000 && bad < 3; t++) {
#define NEXT	(r ^= r << 13, r ^= r >> 7, r ^= r << 17, r)
		n = 1 + (int)(NEXT % ORDER_MAX_ALL_LINES);
		total = 0;
		for (i = 0; i < n; i++) {
			w[i] = NEXT % 4 == 0 ? 0 : (int64_t)(NEXT % (t % 2 ?
			    10 : 100000));
			total += w[i];
		}
		amount = total == 0 ? 0 : (int64_t)(NEXT % (uint64_t)total);
		left = amount;
		for (i = 0; i < n; i++) {
			want[i] = total ? amount * w[i] / total : 0;
			rem[i] = total ? amount * w[i] % total : 0;
			left -= want[i];
		}
		while (left-- > 0) {
			best = -1;
			for (i = 0; i < n; i++)
				if (rem[i] > 0 && (best == -1 || rem[i] > rem[best]))
					best = i;
			if (best == -1)
				break;
			want[best]++;
			rem[best] = 0;
		}
#undef NEXT
		order_split(amount, w, n, out);
		for (i = 0; i < n; i++)
			if (out[i] != want[i]) {
				bad++;
				EXPECT_INT(out[i], want[i]);
				break;
			}
	}
}

/* ---- member price and tier discount ---- */

TEST(order_member_price_and_tier)
{
	static const struct {
		int with_mp;
		int64_t pct;
		int64_t mp, tier, total, net_a, net_b;
	} c[] = {
		/* A 2 x 10.00 (member 8.00), B 1 x 5.00, tier pays 90% */
		{ 0, 90, 400, 50, 2050, 1600, 450 },	/* tier on B only */
		{ 1, 90, 400, 210, 1890, 1440, 450 },	/* tier on both */
		{ 0, N, 400, -1, 2100, 1600, 500 },	/* no tier discount */
		{ 1, 85, 400, 315, 1785, 1360, 425 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		set_member(c[i].pct);
		in.settings.tier_discount_with_member_price = c[i].with_mp;
		add_line(1, 2, 1000, 800);
		add_line(2, 1, 500, N);
		in.ncodes = 0;
		EXPECT_INT(price(), 0);
		EXPECT_INT(adj(ADJ_MEMBER_PRICE, NULL), c[i].mp);
		EXPECT_INT(adj(ADJ_TIER_DISCOUNT, NULL), c[i].tier);
		EXPECT_INT(q.total_list_fen, 2500);
		EXPECT_INT(q.total_fen, c[i].total);
		EXPECT_INT(q.lines[0].net_fen, c[i].net_a);
		EXPECT_INT(q.lines[1].net_fen, c[i].net_b);
		EXPECT_INT(q.lines[0].member_unit_fen, 800);
		EXPECT_INT(q.lines[1].member_unit_fen, N);
		EXPECT_INT(q.adj[0].seq, 1);
		EXPECT_INT(q.adj[0].base_fen, 2000);
	}
	/* the tier discount rounds down: 15% of 9.99 is 1.49 */
	fresh();
	set_member(85);
	add_line(1, 1, 999, N);
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(adj(ADJ_TIER_DISCOUNT, NULL), 149);
	EXPECT_INT(q.total_fen, 850);
	/* a member price at or above the list price is none: tier instead */
	fresh();
	set_member(90);
	add_line(1, 1, 1000, 1000);
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(adj(ADJ_MEMBER_PRICE, NULL), -1);
	EXPECT_INT(adj(ADJ_TIER_DISCOUNT, NULL), 100);
	EXPECT_INT(q.lines[0].member_unit_fen, N);
}

TEST(order_tier_only_if_balance_covers)
{
	static const struct {
		int use_balance;
		int64_t principal, bonus;
		int keeps;
		int64_t total, paid;
	} c[] = {
		{ 1, 9000, 0, 1, 9000, 9000 },		/* exactly covers */
		{ 1, 8000, 1000, 1, 9000, 9000 },	/* with the bonus */
		{ 1, 8999, 0, 0, 10000, 8999 },		/* one fen short */
		{ 0, 50000, 0, 0, 10000, 0 },		/* balance not used */
		{ 1, 0, 0, 0, 10000, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		set_member(90);
		in.settings.tier_discount_only_if_balance_covers = 1;
		in.use_balance = c[i].use_balance;
		in.member.wallet.principal_fen = c[i].principal;
		in.member.wallet.bonus_fen = c[i].bonus;
		add_line(1, 1, 10000, N);
		in.ncodes = 0;
		EXPECT_INT(price(), 0);
		EXPECT_INT(adj(ADJ_TIER_DISCOUNT, NULL), c[i].keeps ? 1000 : -1);
		EXPECT_INT(q.total_fen, c[i].total);
		EXPECT_INT(q.balance.paid_fen, c[i].paid);
		EXPECT(c[i].keeps ? q.tier_reason == NULL :
		    q.tier_reason != NULL &&
		    strcmp(q.tier_reason, "balance_not_covering") == 0);
	}
	/*
	 * Points pay all that is left: with use_balance the balance covers
	 * (nothing), without it the balance pays nothing and the tier goes.
	 */
	for (i = 0; i < 2; i++) {
		fresh();
		set_member(90);
		in.settings.tier_discount_only_if_balance_covers = 1;
		in.settings.points_max_pct = 100;
		in.points = 100000;
		in.use_balance = i;
		add_line(1, 1, 1000, N);
		in.ncodes = 0;
		EXPECT_INT(price(), 0);
		EXPECT_INT(adj(ADJ_TIER_DISCOUNT, NULL), i ? 100 : -1);
		EXPECT_INT(q.points_fen, i ? 900 : 1000);
		EXPECT_INT(q.due_fen, 0);
	}
	/* the setting off: the tier discount stays whatever the balance */
	fresh();
	set_member(90);
	in.use_balance = 1;
	add_line(1, 1, 10000, N);
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(adj(ADJ_TIER_DISCOUNT, NULL), 1000);
	EXPECT(q.tier_reason == NULL);
	/* priced both ways, the coupon is chosen again on the new total */
	fresh();
	set_member(90);
	in.settings.tier_discount_only_if_balance_covers = 1;
	in.use_balance = 1;
	in.member.wallet.principal_fen = 100;
	add_line(1, 1, 10000, N);
	add_coupon("T100", CK_THRESHOLD, 1500, 10000, N, N, 1);
	add_coupon("T90", CK_THRESHOLD, 1000, 9000, N, N, 1);
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "T100");	/* with the tier it was T90 */
	EXPECT_INT(q.total_fen, 8500);
}

/* ---- each coupon kind ---- */

TEST(order_coupon_kinds)
{
	static const struct {
		int kind;
		int64_t value, threshold, pct, max, order;
		int64_t want;
		const char *why;
	} c[] = {
		{ CK_THRESHOLD, 2000, 10000, N, N, 12000, 2000, NULL },
		{ CK_THRESHOLD, 2000, 10000, N, N, 10000, 2000, NULL },
		{ CK_THRESHOLD, 2000, 10000, N, N, 9999, -1, "threshold_not_met" },
		{ CK_DISCOUNT, N, N, 80, N, 10000, 2000, NULL },
		{ CK_DISCOUNT, N, N, 80, 1500, 10000, 1500, NULL },	/* cap */
		{ CK_DISCOUNT, N, N, 85, N, 999, 149, NULL },	/* rounds down */
		{ CK_DISCOUNT, N, 5000, 80, N, 4000, -1, "threshold_not_met" },
		{ CK_INSTANT, 500, N, N, N, 3000, 500, NULL },
		{ CK_INSTANT, 5000, N, N, N, 3000, 3000, NULL },	/* > order */
		{ CK_PROMO, N, N, 90, 200, 5000, 200, NULL },
		{ CK_PROMO, 800, 5000, N, N, 5000, 800, NULL },
		{ CK_PROMO, 800, 5000, N, N, 4999, -1, "threshold_not_met" },
		{ CK_PROMO, 800, N, N, N, 100, 100, NULL },
		{ CK_INSTANT, 500, N, N, N, 0, -1, "no_discount" },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		add_line(1, 1, c[i].order, N);
		add_coupon("C1", c[i].kind, c[i].value, c[i].threshold,
		    c[i].pct, c[i].max, 1);
		name_codes(1, "C1");
		EXPECT_INT(price(), 0);
		if (adj(ADJ_COUPON, "C1") != c[i].want)
			fprintf(stderr, "  kinds case %zu\n", i);
		EXPECT_INT(adj(ADJ_COUPON, "C1"), c[i].want);
		EXPECT_STR(skipped("C1"), c[i].why);
		EXPECT_INT(q.total_fen, c[i].order - (c[i].want > 0 ?
		    c[i].want : 0));
	}
}

TEST(order_coupon_gift_line)
{
	struct order_coupon_in *g;

	fresh();
	add_line(1, 2, 1500, N);
	g = add_coupon("GIFT", CK_GIFT, N, N, N, N, 1);
	g->gift_item = "曲奇";
	g->gift_product_id = 9;
	add_coupon("OFF", CK_INSTANT, 300, N, N, N, 1);
	name_codes(2, "GIFT", "OFF");
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.nlines, 2);
	EXPECT_INT(q.lines[1].line_no, 2);
	EXPECT_STR(q.lines[1].name, "曲奇");
	EXPECT_INT(q.lines[1].product_id, 9);
	EXPECT_INT(q.lines[1].qty, 1);
	EXPECT_INT(q.lines[1].unit_fen, 0);
	EXPECT_INT(q.lines[1].list_fen, 0);
	EXPECT_INT(q.lines[1].net_fen, 0);
	EXPECT_INT(q.lines[1].gift_coupon, 0);
	EXPECT_INT(adj(ADJ_COUPON, "GIFT"), 0);
	EXPECT_INT(adj(ADJ_COUPON, "OFF"), 300);
	EXPECT_STR(used(), "OFF,GIFT");	/* instant before gift */
	EXPECT_INT(q.total_fen, 2700);
	/* a gift is never proposed */
	in.ncodes = -1;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "OFF");
	EXPECT_STR(skipped("GIFT"), "not_best");
	EXPECT_INT(q.nlines, 1);
	/* a gift with a threshold */
	fresh();
	add_line(1, 1, 1500, N);
	g = add_coupon("GIFT", CK_GIFT, N, 2000, N, N, 1);
	g->gift_item = "曲奇";
	name_codes(1, "GIFT");
	EXPECT_INT(price(), 0);
	EXPECT_STR(skipped("GIFT"), "threshold_not_met");
	EXPECT_INT(q.nlines, 1);
}

/* The threshold is measured on the lines in the coupon's scope. */
TEST(order_coupon_scope_threshold)
{
	struct order_coupon_in *c;

	fresh();
	add_line(1, 1, 4000, N);
	add_line(2, 1, 3000, N);
	c = add_coupon("S50", CK_THRESHOLD, 1000, 5000, N, N, 1);
	c->nscope = 1;
	c->scope[0] = 1;
	name_codes(1, "S50");
	EXPECT_INT(price(), 0);
	EXPECT_STR(skipped("S50"), "threshold_not_met");	/* 7000 in all */
	in.lines[0].unit_fen = 6000;
	EXPECT_INT(price(), 0);
	EXPECT_INT(adj(ADJ_COUPON, "S50"), 1000);
	EXPECT_INT(adj_rec(ADJ_COUPON, "S50")->base_fen, 6000);
	EXPECT_INT(q.lines[0].alloc[0], 1000);
	EXPECT_INT(q.lines[1].alloc[0], 0);
	/* a scoped coupon comes before an order coupon, whatever the names */
	add_coupon("A-ORDER", CK_THRESHOLD, 500, 8500, N, N, 1);
	name_codes(2, "A-ORDER", "S50");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "S50");
	EXPECT_STR(skipped("A-ORDER"), "threshold_not_met");	/* 8000 */
	/* a percent coupon on a scope, with its cap */
	fresh();
	add_line(1, 2, 3000, N);
	add_line(2, 1, 3000, N);
	c = add_coupon("P", CK_DISCOUNT, N, N, 50, 2000, 1);
	c->nscope = 2;
	c->scope[0] = 7;
	c->scope[1] = 1;
	name_codes(1, "P");
	EXPECT_INT(price(), 0);
	EXPECT_INT(adj(ADJ_COUPON, "P"), 2000);
	EXPECT_INT(q.lines[0].net_fen, 4000);
	EXPECT_INT(q.lines[1].net_fen, 3000);
	/* a free line is in no scope */
	fresh();
	add_line(0, 1, 9000, N);
	c = add_coupon("S", CK_INSTANT, 100, N, N, N, 1);
	c->nscope = 1;
	c->scope[0] = 0;
	name_codes(1, "S");
	EXPECT_INT(price(), 0);
	EXPECT_STR(skipped("S"), "not_eligible");
}

/* ---- stacking ---- */

TEST(order_stacking)
{
	fresh();
	add_line(1, 1, 10000, N);
	add_coupon("N1", CK_INSTANT, 1000, N, N, N, 0);
	add_coupon("N2", CK_INSTANT, 1500, N, N, N, 0);
	add_coupon("S1", CK_INSTANT, 100, N, N, N, 1);
	add_coupon("S2", CK_INSTANT, 200, N, N, N, 1);
	add_coupon("S3", CK_INSTANT, 300, N, N, N, 1);
	add_coupon("S4", CK_INSTANT, 400, N, N, N, 1);

	/* two non-stackable: the first named is taken */
	name_codes(2, "N1", "N2");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "N1");
	EXPECT_STR(skipped("N2"), "not_stackable");
	/* a non-stackable one excludes stackable ones, either way round */
	name_codes(2, "N1", "S1");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "N1");
	EXPECT_STR(skipped("S1"), "not_stackable");
	name_codes(2, "S1", "N1");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "S1");
	EXPECT_STR(skipped("N1"), "not_stackable");
	/* stackable over max_stackable (3) */
	name_codes(4, "S4", "S1", "S2", "S3");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "S1,S2,S4");
	EXPECT_STR(skipped("S3"), "limit_exceeded");
	EXPECT_INT(q.total_fen, 10000 - 700);
	in.settings.max_stackable = 1;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "S4");
	in.settings.max_stackable = 0;	/* counts as 1 */
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "S4");
	in.settings.max_stackable = 3;

	/* proposed: 300 + 400 + 200 = 900 < 1500 alone */
	in.ncodes = -1;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "N2");
	EXPECT_STR(skipped("N1"), "not_stackable");
	EXPECT_STR(skipped("S4"), "not_stackable");
	EXPECT_INT(q.nskipped, 5);
	/* [] is none */
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "");
	EXPECT_INT(q.nskipped, 0);
	/* with N2 gone, four stackable ones (1000) tie with N1: fewer */
	in.coupons[1].status = "used";
	in.settings.max_stackable = 4;
	in.ncodes = -1;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "N1");
	EXPECT_STR(skipped("S1"), "not_stackable");
	in.coupons[0].terms.value_fen = 900;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "S1,S2,S3,S4");
	EXPECT_STR(skipped("N2"), "used");
	EXPECT_STR(skipped("N1"), "not_stackable");
	in.settings.max_stackable = 2;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "N1");	/* 900 > 700 */
	EXPECT_STR(skipped("S4"), "not_stackable");
}

/* A named coupon that does not hold frees its place for the next one. */
TEST(order_named_choose_again)
{
	fresh();
	add_line(1, 1, 5000, N);
	in.settings.max_stackable = 1;
	add_coupon("BIG", CK_THRESHOLD, 3000, 20000, N, N, 1);
	add_coupon("SMALL", CK_INSTANT, 500, N, N, N, 1);
	name_codes(2, "BIG", "SMALL");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "SMALL");
	EXPECT_STR(skipped("BIG"), "threshold_not_met");
	EXPECT_INT(q.nskipped, 1);
}

TEST(order_skip_reasons)
{
	static const struct {
		const char *status;
		int64_t from, until;
		const char *stores;
		int audience;
		const char *why;
	} c[] = {
		{ "unused", NOW - DAY, NOW + DAY, NULL, 1, NULL },
		{ "used", NOW - DAY, NOW + DAY, NULL, 1, "used" },
		{ "cancelled", NOW - DAY, NOW + DAY, NULL, 1, "cancelled" },
		{ "expired", NOW - DAY, NOW + DAY, NULL, 1, "expired" },
		{ "unused", NOW + 1, NOW + DAY, NULL, 1, "not_started" },
		{ "unused", NOW - DAY, NOW - 1, NULL, 1, "expired" },
		{ "unused", NOW - DAY, NOW, NULL, 1, NULL },	/* last second */
		{ "unused", NOW - DAY, NOW + DAY, "[2,3]", 1, "store_not_allowed" },
		{ "unused", NOW - DAY, NOW + DAY, "[3,1]", 1, NULL },
		{ "unused", NOW - DAY, NOW + DAY, NULL, 0, "not_eligible" },
	};
	size_t i;
	int mode;

	for (i = 0; i < NELEM(c); i++)
		for (mode = 0; mode < 2; mode++) {
			struct order_coupon_in *cp;

			fresh();
			add_line(1, 1, 3000, N);
			cp = add_coupon("C", CK_INSTANT, 100, N, N, N, 1);
			cp->status = c[i].status;
			cp->valid_from = c[i].from;
			cp->valid_until = c[i].until;
			cp->store_ids = c[i].stores;
			cp->audience_ok = c[i].audience;
			if (mode == 0)
				name_codes(1, "C");
			EXPECT_INT(price(), 0);
			EXPECT_STR(skipped("C"), c[i].why);
			EXPECT_INT(adj(ADJ_COUPON, "C"), c[i].why ? -1 : 100);
		}
	/* named codes the member does not have, or twice */
	fresh();
	add_line(1, 1, 3000, N);
	add_coupon("C", CK_INSTANT, 100, N, N, N, 1);
	name_codes(3, "C", "NOPE", "C");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "C");
	EXPECT_STR(skipped("NOPE"), "not_found");
	EXPECT_INT(q.nskipped, 2);
	EXPECT_STR(q.skipped[1].code, "C");
	EXPECT_STR(q.skipped[1].reason, "duplicate");
}

/* ---- the best combination ---- */

TEST(order_best_beats_greedy)
{
	/*
	 * Greedy takes the largest single discount (the non-stackable 40
	 * off) and must stop there; 满100减30 then 满60减20 give 50.
	 */
	fresh();
	add_line(1, 1, 10000, N);
	add_coupon("NS40", CK_INSTANT, 4000, N, N, N, 0);
	add_coupon("T100", CK_THRESHOLD, 3000, 10000, N, N, 1);
	add_coupon("T60", CK_THRESHOLD, 2000, 6000, N, N, 1);
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "T100,T60");
	EXPECT_INT(q.discount_fen, 5000);
	EXPECT_STR(skipped("NS40"), "not_stackable");

	/*
	 * Greedy adding the largest next discount: a scoped 25 off first
	 * (largest alone after the 满100减30), which then breaks the 满100
	 * threshold; the best is 满100减30 with 满70减20 (50), not 25 + 20.
	 */
	fresh();
	add_line(1, 1, 6000, N);
	add_line(2, 1, 4000, N);
	in.settings.max_stackable = 2;
	add_coupon("T100", CK_THRESHOLD, 3000, 10000, N, N, 1);
	add_coupon("T70", CK_THRESHOLD, 2000, 7000, N, N, 1);
	{
		struct order_coupon_in *s = add_coupon("SC", CK_INSTANT, 2900,
		    N, N, N, 1);

		s->nscope = 1;
		s->scope[0] = 1;
	}
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "T100,T70");
	EXPECT_INT(q.discount_fen, 5000);
	EXPECT_STR(skipped("SC"), "limit_exceeded");
	/* the same three named in greedy order: SC first, T100 fails */
	name_codes(3, "SC", "T100", "T70");
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "SC,T70");
	EXPECT_STR(skipped("T100"), "threshold_not_met");
	EXPECT_INT(q.discount_fen, 4900);
	/* one place: the larger of a percent and an instant coupon */
	fresh();
	add_line(1, 1, 10000, N);
	in.settings.max_stackable = 1;
	add_coupon("P70", CK_DISCOUNT, N, N, 70, N, 1);
	add_coupon("I2999", CK_INSTANT, 2999, N, N, N, 1);
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "P70");
	EXPECT_STR(skipped("I2999"), "limit_exceeded");
}

TEST(order_best_ties)
{
	struct order_coupon_in *c;

	/* the same discount: fewer coupons */
	fresh();
	add_line(1, 1, 10000, N);
	add_coupon("A", CK_INSTANT, 500, N, N, N, 1);
	add_coupon("B", CK_INSTANT, 500, N, N, N, 1);
	add_coupon("C", CK_INSTANT, 1000, N, N, N, 0);
	in.settings.max_stackable = 2;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "C");
	/* then the earlier expiry */
	fresh();
	add_line(1, 1, 10000, N);
	c = add_coupon("A", CK_INSTANT, 500, N, N, N, 0);
	c->valid_until = NOW + 9 * DAY;
	c = add_coupon("B", CK_INSTANT, 500, N, N, N, 0);
	c->valid_until = NOW + 2 * DAY;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "B");
	EXPECT_STR(skipped("A"), "not_stackable");
	/* then the code */
	in.coupons[0].valid_until = in.coupons[1].valid_until;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "A");
	/* sets of two: the set whose sorted expiries are earlier */
	fresh();
	add_line(1, 1, 10000, N);
	in.settings.max_stackable = 2;
	c = add_coupon("A", CK_INSTANT, 250, N, N, N, 1);
	c->valid_until = NOW + 5 * DAY;
	c = add_coupon("B", CK_INSTANT, 250, N, N, N, 1);
	c->valid_until = NOW + 3 * DAY;
	c = add_coupon("C", CK_INSTANT, 250, N, N, N, 1);
	c->valid_until = NOW + 4 * DAY;
	c = add_coupon("D", CK_INSTANT, 250, N, N, N, 1);
	c->valid_until = NOW + 2 * DAY;
	/* every pair gives 500: B+D expire first (2 and 3 days) */
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "B,D");
	EXPECT_STR(skipped("A"), "limit_exceeded");
	/* the winner last in the search: the bound must not cut a tie */
	in.coupons[0].valid_until = NOW + 5 * DAY;
	in.coupons[1].valid_until = NOW + 6 * DAY;
	in.coupons[2].valid_until = NOW + 1 * DAY;
	in.coupons[3].valid_until = NOW + 2 * DAY;
	EXPECT_INT(price(), 0);
	EXPECT_STR(used(), "C,D");
}

/* ---- points ---- */

TEST(order_points_caps)
{
	static const struct {
		int enabled;
		int64_t per_yuan;
		int max_pct;
		int64_t max_points, have, offered;
		int64_t used, fen;
	} c[] = {
		/* order 100.00: max_pct 50 lets 50.00 = 5000 points at 100 */
		{ 1, 100, 50, N, 100000, 100000, 5000, 5000 },	/* max_pct */
		{ 1, 100, 50, 1000, 100000, 100000, 1000, 1000 },	/* max_points */
		{ 1, 100, 50, N, 1234, 100000, 1234, 1234 },	/* member has */
		{ 1, 100, 50, N, 100000, 250, 250, 250 },	/* offered */
		{ 1, 100, 100, N, 100000, 100000, 10000, 10000 },
		{ 1, 100, 0, N, 100000, 100000, 0, 0 },
		{ 0, 100, 50, N, 100000, 100000, 0, 0 },	/* disabled */
		{ 1, 100, 50, N, -20, 100, 0, 0 },		/* in debt */
		{ 1, 3, 50, N, 100, 100, 100, 3333 },	/* 100 pts buy 33.33 */
		{ 1, 3, 50, N, 100, 1, 1, 33 },
		{ 1, 3, 50, N, 100, 2, 2, 66 },
		{ 1, 300, 50, N, 100, 100, 99, 33 },	/* whole fen only */
		{ 1, 300, 50, N, 100, 2, 0, 0 },
		{ 1, 1, 1, N, 100000, 100000, 1, 100 },	/* 1% of 100 yuan */
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		set_member(N);
		in.settings.points_enabled = c[i].enabled;
		in.settings.points_per_yuan = c[i].per_yuan;
		in.settings.points_max_pct = c[i].max_pct;
		in.settings.points_max_points = c[i].max_points;
		in.member.points = c[i].have;
		in.points = c[i].offered;
		add_line(1, 1, 6000, N);
		add_line(2, 1, 4000, N);
		in.ncodes = 0;
		EXPECT_INT(price(), 0);
		if (q.points_used != c[i].used || q.points_fen != c[i].fen)
			fprintf(stderr, "  points case %zu\n", i);
		EXPECT_INT(q.points_used, c[i].used);
		EXPECT_INT(q.points_fen, c[i].fen);
		EXPECT_INT(adj(ADJ_POINTS, NULL), c[i].fen ? c[i].fen : -1);
		EXPECT_INT(q.total_fen, 10000);		/* points are no discount */
		EXPECT_INT(q.discount_fen, 0);
		EXPECT_INT(q.due_fen, 10000 - c[i].fen);
	}
	/* a walk-in has no points */
	fresh();
	in.points = 100;
	add_line(1, 1, 6000, N);
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.points_used, 0);
	/* points after coupons: max_pct of the total after discounts */
	fresh();
	set_member(N);
	in.points = 100000;
	add_line(1, 1, 10000, N);
	add_coupon("I", CK_INSTANT, 2000, N, N, N, 1);
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.points_fen, 4000);
	EXPECT_INT(q.adj[1].kind, ADJ_POINTS);
	EXPECT_INT(q.adj[1].seq, 2);
	EXPECT_INT(q.adj[1].base_fen, 8000);
}

/* ---- balance and tenders ---- */

TEST(order_balance_rules)
{
	static const struct {
		enum wallet_split split;
		enum wallet_cap cap;
		int64_t cap_amount;
		int64_t principal, bonus, today;
		int freeze;
		int64_t want_p, want_b, due;
	} c[] = {
		{ SPLIT_PRINCIPAL_FIRST, CAP_NONE, 0, 5000, 5000, 0, 0, 5000, 3000, 0 },
		{ SPLIT_BONUS_FIRST, CAP_NONE, 0, 5000, 5000, 0, 0, 3000, 5000, 0 },
		{ SPLIT_BONUS_FIRST, CAP_NONE, 0, 5000, 5000, 4000, 1, 5000, 1000, 2000 },
		{ SPLIT_PRINCIPAL_FIRST, CAP_EACH_AMOUNT, 2000, 5000, 5000, 0, 0, 2000, 0, 6000 },
		{ SPLIT_PRINCIPAL_FIRST, CAP_NONE, 0, 1000, 0, 0, 0, 1000, 0, 7000 },
	};
	size_t i;
	int l;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		set_member(N);
		in.use_balance = 1;
		in.deduction.split = c[i].split;
		in.deduction.cap = c[i].cap;
		in.deduction.cap_amount_fen = c[i].cap_amount;
		in.deduction.freeze_same_day_bonus = c[i].freeze;
		in.member.wallet.principal_fen = c[i].principal;
		in.member.wallet.bonus_fen = c[i].bonus;
		in.member.wallet.bonus_today_fen = c[i].today;
		add_line(1, 1, 5000, N);
		add_line(2, 3, 1000, N);
		in.ncodes = 0;
		EXPECT_INT(price(), 0);
		EXPECT_INT(q.balance.principal_fen, c[i].want_p);
		EXPECT_INT(q.balance.bonus_fen, c[i].want_b);
		EXPECT_INT(q.due_fen, c[i].due);
		EXPECT_INT(q.balance_asked_fen, 8000);
		EXPECT_INT(q.uncovered_fen, c[i].due);
		for (l = 0; l < 2; l++)
			EXPECT(q.lines[l].tender[TD_PRINCIPAL] +
			    q.lines[l].tender[TD_BONUS] <= q.lines[l].net_fen);
	}
	/* points first, then the balance on what is left */
	fresh();
	set_member(N);
	in.use_balance = 1;
	in.points = 2000;
	in.member.wallet.principal_fen = 100000;
	add_line(1, 1, 8000, N);
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.points_fen, 2000);
	EXPECT_INT(q.balance.principal_fen, 6000);
	EXPECT_INT(q.due_fen, 0);
	/* use_balance without a member: nothing */
	fresh();
	in.use_balance = 1;
	add_line(1, 1, 8000, N);
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.balance.paid_fen, 0);
	EXPECT_INT(q.due_fen, 8000);
}

TEST(order_tenders)
{
	static const struct {
		int n;
		int kind[3];
		int64_t amount[3];
		int64_t cash, card, online, change, uncovered;
	} c[] = {
		{ 0, { 0 }, { 0 }, 0, 0, 0, 0, 9000 },
		{ 1, { TD_CASH }, { N }, 9000, 0, 0, 0, 0 },
		{ 1, { TD_CASH }, { 10000 }, 9000, 0, 0, 1000, 0 },	/* change */
		{ 2, { TD_CASH, TD_CARD }, { 2000, N }, 2000, 7000, 0, 0, 0 },
		{ 2, { TD_CASH, TD_ONLINE }, { 2000, 3000 }, 2000, 0, 3000, 0, 4000 },
		{ 3, { TD_CASH, TD_CASH, TD_CARD }, { 1000, 1000, N }, 2000, 7000, 0, 0, 0 },
		{ 2, { TD_CARD, TD_CASH }, { N, 500 }, 0, 9000, 0, 500, 0 },
	};
	size_t i;
	int t;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		add_line(1, 3, 1000, N);
		add_line(0, 1, 6000, N);
		in.ntenders = c[i].n;
		for (t = 0; t < c[i].n; t++) {
			in.tenders[t].kind = c[i].kind[t];
			in.tenders[t].amount_fen = c[i].amount[t];
		}
		EXPECT_INT(price(), 0);
		EXPECT_INT(q.tender[TD_CASH], c[i].cash);
		EXPECT_INT(q.tender[TD_CARD], c[i].card);
		EXPECT_INT(q.tender[TD_ONLINE], c[i].online);
		EXPECT_INT(q.change_fen, c[i].change);
		EXPECT_INT(q.uncovered_fen, c[i].uncovered);
		EXPECT_INT(q.due_fen, 9000);
	}
	EXPECT_INT(order_tender_parse("card"), TD_CARD);
	EXPECT_INT(order_tender_parse("points"), -1);
	EXPECT_INT(order_tender_parse(NULL), -1);
	EXPECT_STR(order_tender_name(TD_BONUS), "balance_bonus");
	EXPECT_STR(order_adj_kind_name(ADJ_TIER_DISCOUNT), "tier_discount");
	EXPECT_STR(order_adj_kind_name(9), NULL);
}

/* ---- members, the card, free lines ---- */

TEST(order_card_and_member)
{
	static const struct {
		int64_t id, until;
		const char *stores;
		int priced;
		const char *why;
		int64_t total, growth;
	} c[] = {
		{ 0, N, NULL, 0, NULL, 2400, 0 },		/* non-member */
		{ 42, N, NULL, 1, NULL, 1950, 19 },
		{ 42, NOW, NULL, 1, NULL, 1950, 19 },
		{ 42, NOW - 1, NULL, 0, "card_expired", 2400, 0 },
		{ 42, N, "[2]", 0, "card_store_not_allowed", 2400, 0 },
		{ 42, N, "[5,1]", 1, NULL, 1950, 19 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		if (c[i].id != 0)
			set_member(90);
		in.member.card_valid_until = c[i].until;
		in.member.card_store_ids = c[i].stores;
		add_line(1, 2, 1000, 800);	/* member 1600 */
		add_line(2, 1, 500, N);		/* tier 450 */
		add_coupon("I", CK_INSTANT, 100, N, N, N, 1);
		EXPECT_INT(price(), 0);
		EXPECT_INT(q.member_priced, c[i].priced);
		EXPECT_STR(q.member_reason, c[i].why);
		EXPECT_INT(q.member_id, c[i].id);
		EXPECT_INT(q.tier_level, c[i].id ? 2 : -1);
		EXPECT_INT(q.total_fen, c[i].total);
		EXPECT_INT(q.earn_growth, c[i].growth);
		EXPECT_INT(q.earn_points, c[i].growth);	/* 1 a yuan */
		/* the coupon is the member's: it stays usable */
		EXPECT_INT(adj(ADJ_COUPON, "I"), 100);
		EXPECT_INT(adj(ADJ_MEMBER_PRICE, NULL), c[i].priced ? 400 : -1);
		EXPECT_INT(q.lines[0].member_unit_fen, c[i].priced ? 800 : N);
	}
}

TEST(order_free_line)
{
	fresh();
	set_member(80);
	add_line(0, 2, 750, N);
	add_line(1, 1, 1000, 900);
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.lines[0].product_id, 0);
	EXPECT_STR(q.lines[0].name, "临时商品");
	EXPECT_INT(q.lines[0].net_fen, 1200);	/* the tier applies */
	EXPECT_INT(q.lines[1].net_fen, 900);
	/* a free line of price 0 takes no share */
	fresh();
	add_line(0, 1, 0, N);
	add_line(1, 1, 1000, N);
	add_coupon("I", CK_INSTANT, 999, N, N, N, 1);
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.lines[0].alloc[0], 0);
	EXPECT_INT(q.lines[1].net_fen, 1);
}

TEST(order_earn)
{
	/* money earns, the balance included; points paid do not */
	fresh();
	set_member(N);
	in.member.earn_points_per_yuan = 2;
	in.member.mult_pct = 150;
	in.use_balance = 1;
	in.member.wallet.principal_fen = 3000;
	in.member.wallet.bonus_fen = 1000;
	in.points = 1000;
	add_line(1, 1, 10099, N);
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.points_fen, 1000);
	EXPECT_INT(q.balance.paid_fen, 4000);
	EXPECT_INT(q.earn_growth, 90);		/* 90.99 yuan of money */
	EXPECT_INT(q.earn_points, 272);		/* 90.99 x 2 x 1.5 */
}

/* ---- input ---- */

TEST(order_input_errors)
{
	static const struct {
		int what;
		const char *field;
	} c[] = {
		{ 0, "lines" }, { 1, "lines[0].qty" }, { 2, "lines[0].price_fen" },
		{ 3, "lines[0].member_price_fen" }, { 4, "lines[0].qty" },
		{ 5, "lines[0].member_price_fen" }, { 6, "store_id" },
		{ 7, "points" }, { 8, "coupons[1].code" },
		{ 9, "coupons[0].discount_pct" }, { 10, "member.discount_pct" },
		{ 11, "tenders[0].amount_fen" }, { 12, "lines" },
		{ 13, "settings.points_to_cash.max_pct" }, { 14, "coupons[0].gift_item" },
		{ 15, "coupon_codes" }, { 16, "lines[0].name" },
		{ 17, "tenders[0].kind" }, { 18, "coupons[0].kind" },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		fresh();
		add_line(1, 1, 1000, N);
		add_coupon("A", CK_DISCOUNT, N, N, 80, N, 1);
		switch (c[i].what) {
		case 0: in.nlines = 0; break;
		case 1: in.lines[0].qty = 0; break;
		case 2: in.lines[0].unit_fen = -1; break;
		case 3: in.lines[0].member_unit_fen = -5; break;
		case 4: in.lines[0].qty = ORDER_MAX_QTY + 1; break;
		case 5: in.lines[0].product_id = 0;
			in.lines[0].member_unit_fen = 500; break;
		case 6: in.store_id = 0; break;
		case 7: in.points = -1; break;
		case 8: add_coupon("A", CK_INSTANT, 1, N, N, N, 1); break;
		case 9: in.coupons[0].terms.discount_pct = 100; break;
		case 10: set_member(0); break;
		case 11: in.ntenders = 1; in.tenders[0].kind = TD_CASH;
			in.tenders[0].amount_fen = -1; break;
		case 12: in.nlines = ORDER_MAX_LINES + 1; break;
		case 13: in.settings.points_max_pct = 101; break;
		case 14: in.coupons[0].terms.kind = CK_GIFT; break;
		case 15: in.ncodes = ORDER_MAX_COUPONS + 1; break;
		case 16: in.lines[0].name = ""; break;
		case 17: in.ntenders = 1; in.tenders[0].kind = TD_BONUS; break;
		case 18: in.coupons[0].terms.kind = 7; break;
		}
		EXPECT_INT(price_order(&in, NOW, &q), -1);
		EXPECT_STR(q.err_code, "invalid_field");
		EXPECT_STR(q.err_field, c[i].field);
	}
}

/* ---- the quote hash input ---- */

static char h1[65536], h2[65536];

static void
hash_setup(void)
{
	fresh();
	set_member(95);
	in.use_balance = 1;
	in.member.wallet.principal_fen = 2000;
	in.points = 300;
	add_line(1, 2, 1800, 1600);
	add_line(0, 1, 500, N);
	add_coupon("T", CK_THRESHOLD, 500, 3000, N, N, 1)->valid_until =
	    NOW + 3600;
	in.ntenders = 1;
	in.tenders[0].kind = TD_CASH;
	in.tenders[0].amount_fen = N;
}

TEST(order_hash_input_stable)
{
	size_t n1, n2;

	hash_setup();
	EXPECT_INT(price(), 0);
	n1 = order_hash_input(&in, &q, h1, sizeof(h1));
	EXPECT_INT(price(), 0);
	n2 = order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT_INT(n1, n2);
	EXPECT(n1 < sizeof(h1) && strcmp(h1, h2) == 0);
	EXPECT(strstr(h1, "order-quote/1\n") == h1);
	/* snprintf-like: the length needed, whatever fits */
	EXPECT_INT(order_hash_input(&in, &q, h2, 10), n1);
	EXPECT_INT(strlen(h2), 9);
	EXPECT_INT(order_hash_input(&in, &q, NULL, 0), n1);
	/* a later time that decides nothing differently: the same bytes */
	EXPECT_INT(price_order(&in, NOW + 60, &q), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT_STR(h2, h1);
	/* past the coupon's expiry: different */
	EXPECT_INT(price_order(&in, NOW + 3601, &q), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strcmp(h1, h2) != 0);
	/* the balance, the tier, a price, the settings: each different */
	hash_setup();
	in.member.wallet.principal_fen++;
	EXPECT_INT(price(), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strcmp(h1, h2) != 0);
	hash_setup();
	in.member.tier_level = 3;
	EXPECT_INT(price(), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strcmp(h1, h2) != 0);
	hash_setup();
	in.settings.max_stackable = 2;
	EXPECT_INT(price(), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strcmp(h1, h2) != 0);
	/* how the rest is paid is not what decided the price: the same */
	hash_setup();
	in.tenders[0].kind = TD_CARD;
	in.tenders[0].amount_fen = 100;
	in.ntenders = 2;
	in.tenders[1].kind = TD_ONLINE;
	in.tenders[1].amount_fen = N;
	EXPECT_INT(price(), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT_STR(h2, h1);
	/* a name cannot fake a field boundary */
	hash_setup();
	in.lines[1].name = "x\nline=1";
	EXPECT_INT(price(), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strstr(h2, "8:x\nline=1") != NULL);
}

/* ---- refunds ---- */

static struct order_refund rf[8];

static int
refund(int ndone, int nl, const int *line_no, const int64_t *qty,
    int64_t amount)
{
	struct refund_req r;
	int i;

	memset(&r, 0, sizeof(r));
	r.nlines = nl;
	for (i = 0; i < nl; i++) {
		r.lines[i].line_no = line_no[i];
		r.lines[i].qty = qty[i];
	}
	r.amount_fen = amount;
	return refund_compute(&q, rf, ndone, &r, &rf[ndone]);
}

TEST(order_refund_units)
{
	static const int one[] = { 1 };
	static const int64_t q1[] = { 1 };
	int64_t cash = 0, pts = 0, back = 0;
	int i;

	/* 3 x 10.00 with 10.00 off: 20.00 net over 3 units */
	fresh();
	set_member(N);
	in.points = 500;
	add_line(1, 3, 1000, N);
	add_coupon("I", CK_INSTANT, 1000, N, N, N, 1);
	in.ntenders = 1;
	in.tenders[0].kind = TD_CASH;
	in.tenders[0].amount_fen = N;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.total_fen, 2000);
	EXPECT_INT(q.points_fen, 500);
	EXPECT_INT(q.tender[TD_CASH], 1500);
	EXPECT_INT(q.earn_points, 15);
	for (i = 0; i < 3; i++) {
		EXPECT_INT(refund(i, 1, one, q1, N), 0);
		EXPECT_INT(rf[i].lines[0].qty, 1);
		EXPECT_INT(rf[i].all_lines, i == 2);
		EXPECT_INT(rf[i].closes_order, i == 2);
		cash += rf[i].tender[TD_CASH];
		pts += rf[i].points_returned;
		back += rf[i].points_taken_back;
	}
	/* unit by unit: 500 cash over 3 -> 500, 500, 500; 1000 off too */
	EXPECT_INT(rf[0].tender[TD_CASH], 500);
	EXPECT_INT(rf[0].tender[TD_POINTS], 167);
	EXPECT_INT(rf[1].tender[TD_POINTS], 167);
	EXPECT_INT(rf[2].tender[TD_POINTS], 166);
	EXPECT_INT(rf[0].adj[0], 334);
	EXPECT_INT(rf[0].adj[0] + rf[1].adj[0] + rf[2].adj[0], 1000);
	EXPECT_INT(rf[0].amount_fen, 500);
	EXPECT_INT(cash, 1500);
	EXPECT_INT(pts, 500);
	EXPECT_INT(back, 15);
	EXPECT_INT(rf[0].points_taken_back, 5);
	/* nothing left */
	EXPECT_INT(refund(3, 1, one, q1, N), -1);
	EXPECT_STR(rf[3].err_code, "already_refunded");
	EXPECT_INT(refund(3, 0, NULL, NULL, N), -1);
	EXPECT_STR(rf[3].err_code, "already_refunded");
	EXPECT_INT(refund(3, 0, NULL, NULL, 1), -1);
	EXPECT_STR(rf[3].err_code, "already_refunded");
}

TEST(order_refund_amount_and_rest)
{
	static const int l12[] = { 1, 2 }, l2[] = { 2 }, l9[] = { 9 };
	static const int64_t q11[] = { 1, 1 }, q5[] = { 5 }, q0[] = { 0 };
	int64_t sum = 0;
	int k;

	fresh();
	set_member(N);
	in.use_balance = 1;
	in.member.wallet.principal_fen = 1000;
	in.member.wallet.bonus_fen = 500;
	add_line(1, 2, 2000, N);
	add_line(2, 4, 500, N);
	in.ntenders = 1;
	in.tenders[0].kind = TD_CARD;
	in.tenders[0].amount_fen = N;
	in.ncodes = 0;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.tender[TD_CARD], 4500);
	/* errors */
	EXPECT_INT(refund(0, 1, l9, q11, N), -1);
	EXPECT_STR(rf[0].err_code, "invalid_field");
	EXPECT_STR(rf[0].err_field, "lines[0].line_no");
	EXPECT_INT(refund(0, 1, l2, q0, N), -1);
	EXPECT_STR(rf[0].err_field, "lines[0].qty");
	EXPECT_INT(refund(0, 1, l2, q5, N), -1);
	EXPECT_STR(rf[0].err_code, "refund_exceeds_paid");
	EXPECT_INT(refund(0, 1, l2, q11, 100), -1);
	EXPECT_STR(rf[0].err_field, "amount_fen");
	EXPECT_INT(refund(0, 0, NULL, NULL, 0), -1);
	EXPECT_STR(rf[0].err_code, "invalid_field");
	EXPECT_INT(refund(0, 0, NULL, NULL, 6001), -1);
	EXPECT_STR(rf[0].err_code, "refund_exceeds_paid");
	/* 30.00 back, money only, pro rata over lines and tenders */
	EXPECT_INT(refund(0, 0, NULL, NULL, 3000), 0);
	EXPECT_INT(rf[0].amount_fen, 3000);
	EXPECT_INT(rf[0].tender[TD_PRINCIPAL] + rf[0].tender[TD_BONUS] +
	    rf[0].tender[TD_CARD], 3000);
	EXPECT_INT(rf[0].tender[TD_CARD], 2250);
	EXPECT_INT(rf[0].lines[0].tender[TD_CARD] +
	    rf[0].lines[0].tender[TD_PRINCIPAL] +
	    rf[0].lines[0].tender[TD_BONUS], 2000);
	EXPECT_INT(rf[0].lines[0].qty, 0);
	EXPECT_INT(rf[0].all_lines, 0);
	/* a unit of each line after it, at most what is left */
	EXPECT_INT(refund(1, 2, l12, q11, N), 0);
	EXPECT_INT(rf[1].lines[0].qty, 1);
	EXPECT_INT(rf[1].lines[1].qty, 1);
	/* the rest closes every tender */
	EXPECT_INT(refund(2, 0, NULL, NULL, N), 0);
	EXPECT_INT(rf[2].closes_order, 1);
	EXPECT_INT(rf[2].lines[0].qty, 1);
	EXPECT_INT(rf[2].lines[1].qty, 3);
	for (k = 0; k < 3; k++)
		sum += rf[k].amount_fen;
	EXPECT_INT(sum, 6000);
	EXPECT_INT(rf[0].growth_taken_back + rf[1].growth_taken_back +
	    rf[2].growth_taken_back, 60);
}

/* Each part's odd fen start where the last part's ended: units even. */
TEST(order_refund_units_even)
{
	static const int one[] = { 1 };
	static const int64_t q1[] = { 1 };
	int i;

	fresh();
	set_member(N);
	in.points = 500;
	add_line(1, 3, 1000, N);
	in.ncodes = 0;
	in.ntenders = 1;
	in.tenders[0].kind = TD_CASH;
	in.tenders[0].amount_fen = N;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.tender[TD_POINTS], 500);	/* 167, 167, 166 */
	EXPECT_INT(q.tender[TD_CASH], 2500);	/* 833, 833, 834 */
	for (i = 0; i < 3; i++) {
		EXPECT_INT(refund(i, 1, one, q1, N), 0);
		EXPECT_INT(rf[i].amount_fen + rf[i].points_fen, 1000);
	}
	EXPECT_INT(rf[2].tender[TD_CASH], 834);
}

/* A 满减 whose threshold a partial refund breaks: nothing is clawed back. */
TEST(order_refund_threshold_coupon)
{
	static const int l1[] = { 1 };
	static const int64_t q1[] = { 1 };

	fresh();
	add_line(1, 1, 6000, N);
	add_line(2, 1, 4000, N);
	add_coupon("T100", CK_THRESHOLD, 2000, 10000, N, N, 1);
	in.ntenders = 1;
	in.tenders[0].kind = TD_CASH;
	in.tenders[0].amount_fen = N;
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.lines[0].net_fen, 4800);
	EXPECT_INT(q.lines[1].net_fen, 3200);
	EXPECT_INT(refund(0, 1, l1, q1, N), 0);
	EXPECT_INT(rf[0].amount_fen, 4800);	/* its net, not 6000 - 2000 */
	EXPECT_INT(rf[0].adj[0], 1200);		/* its share of the 20 off */
	EXPECT_INT(rf[0].all_lines, 0);		/* the coupon stays used */
	EXPECT_INT(refund(1, 0, NULL, NULL, N), 0);
	EXPECT_INT(rf[1].amount_fen, 3200);
	EXPECT_INT(rf[1].all_lines, 1);		/* now it may come back */
}

/* The largest search: 16 stackable scoped coupons over 100 lines. */
TEST(order_search_largest)
{
	static char codes[ORDER_MAX_COUPONS][8];
	struct order_coupon_in *c;
	int i, k;

	fresh();
	for (i = 0; i < ORDER_MAX_LINES; i++)
		add_line(1 + i % 10, 3, 1000 + i, N);
	in.settings.max_stackable = ORDER_MAX_COUPONS;
	for (i = 0; i < ORDER_MAX_COUPONS; i++) {
		snprintf(codes[i], sizeof(codes[i]), "C%02d", i);
		c = i % 3 == 0 ? add_coupon(codes[i], CK_DISCOUNT, N, N, 95, N,
		    1) : add_coupon(codes[i], CK_THRESHOLD, 100 + i * 7,
		    1000 * i, N, N, 1);
		c->nscope = 10;
		for (k = 0; k < 10; k++)
			c->scope[k] = 1 + k;
	}
	EXPECT_INT(price(), 0);
	EXPECT_INT(q.nadj, 16);
	EXPECT_INT(q.discount_fen, 84524);
	EXPECT_INT(q.nskipped, 0);
}
