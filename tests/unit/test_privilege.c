/*
 * Privileges by date: the birthday in each window (day, week, month),
 * 29 February in leap and other years, weeks crossing the year end; the
 * member day weekly and monthly (a month without the date); holiday
 * ranges; tiers; and in the pricing engine: where the privilege goes,
 * which one applies (best for the member, fixed priority), the other
 * reported, the points multiplier in the earn, allocation exact.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "order/order.h"

int	 order_test_invariants(const struct order_in *, const struct priced *);

#define D(y, m, d)	tier_day((y), (m), (d))

static struct priv_rule
rule(int kind, int window, int day)
{
	struct priv_rule r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.window = window;
	r.day = day;
	r.discount_pct = 90;
	r.mult_pct = 100;
	return r;
}

TEST(privilege_calendar)
{
	int y, m, d;

	EXPECT_INT(D(1970, 1, 1), 0);
	EXPECT_INT(D(2026, 12, 1), 20788);
	tier_ymd(D(2028, 2, 29), &y, &m, &d);
	EXPECT_INT(y * 10000 + m * 100 + d, 20280229);
	/* the local day: 2026-12-01 23:30 +08:00 is 15:30 UTC */
	EXPECT_INT(priv_local_day(1764603000 + 86400 * 365, 28800),
	    priv_local_day(1764603000 + 86400 * 365, 0));
	EXPECT_INT(priv_local_day(D(2026, 12, 1) * 86400 + 16 * 3600, 28800),
	    D(2026, 12, 2));
	EXPECT_INT(priv_local_day(D(2026, 12, 1) * 86400 - 1, -3600),
	    D(2026, 11, 30));
	EXPECT_INT(priv_birthday_in(2027, 2, 29), D(2027, 2, 28));
	EXPECT_INT(priv_birthday_in(2028, 2, 29), D(2028, 2, 29));
	EXPECT_INT(priv_birthday_in(2100, 2, 29), D(2100, 2, 28));
	EXPECT_INT(priv_birthday_in(2000, 2, 29), D(2000, 2, 29));
}

TEST(privilege_birthday_windows)
{
	static const struct {
		int window, bm, bd;
		int y, m, d;
		int on;
	} c[] = {
		{ PW_DAY, 3, 15, 2026, 3, 15, 1 },
		{ PW_DAY, 3, 15, 2026, 3, 14, 0 },
		{ PW_DAY, 3, 15, 2027, 3, 15, 1 },
		/* 29 February: the 28th in a year without it, the 29th else */
		{ PW_DAY, 2, 29, 2027, 2, 28, 1 },
		{ PW_DAY, 2, 29, 2027, 3, 1, 0 },
		{ PW_DAY, 2, 29, 2028, 2, 28, 0 },
		{ PW_DAY, 2, 29, 2028, 2, 29, 1 },
		/* the week, Monday to Sunday: 2026-12-02 is a Wednesday */
		{ PW_WEEK, 12, 2, 2026, 11, 30, 1 },
		{ PW_WEEK, 12, 2, 2026, 12, 6, 1 },
		{ PW_WEEK, 12, 2, 2026, 12, 7, 0 },
		{ PW_WEEK, 12, 2, 2026, 11, 29, 0 },
		/* crossing the year end: 2026-12-31 is a Thursday, its week
		   runs 12-28 to 2027-01-03 */
		{ PW_WEEK, 12, 31, 2027, 1, 3, 1 },
		{ PW_WEEK, 12, 31, 2027, 1, 4, 0 },
		{ PW_WEEK, 1, 1, 2026, 12, 28, 1 },
		{ PW_WEEK, 1, 1, 2026, 12, 27, 0 },
		{ PW_WEEK, 1, 2, 2026, 12, 30, 1 },
		/* 29 February's week in 2027 is the week of 2027-02-28 (a
		   Sunday: 02-22..02-28), in 2028 of 2028-02-29 (Tuesday) */
		{ PW_WEEK, 2, 29, 2027, 2, 22, 1 },
		{ PW_WEEK, 2, 29, 2027, 3, 1, 0 },
		{ PW_WEEK, 2, 29, 2028, 3, 5, 1 },
		{ PW_WEEK, 2, 29, 2028, 3, 6, 0 },
		/* the month */
		{ PW_MONTH, 2, 29, 2027, 2, 1, 1 },
		{ PW_MONTH, 2, 29, 2027, 3, 1, 0 },
		{ PW_MONTH, 12, 31, 2026, 12, 1, 1 },
		{ PW_MONTH, 12, 31, 2027, 1, 1, 0 },
		/* no birthday known: never */
		{ PW_MONTH, 0, 0, 2027, 1, 1, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct priv_rule r = rule(PRIV_BIRTHDAY, c[i].window, 0);
		int on = priv_rule_on(&r, D(c[i].y, c[i].m, c[i].d), 1,
		    c[i].bm, c[i].bd);

		if (on != c[i].on)
			fprintf(stderr, "  case %zu\n", i);
		EXPECT_INT(on, c[i].on);
	}
}

TEST(privilege_member_day_and_holidays)
{
	static const struct {
		int kind, window, day;
		int y, m, d;
		int on;
	} c[] = {
		/* weekly, Monday 1: 2026-12-02 is a Wednesday */
		{ PRIV_MEMBER_DAY, PW_WEEK, 3, 2026, 12, 2, 1 },
		{ PRIV_MEMBER_DAY, PW_WEEK, 3, 2026, 12, 9, 1 },
		{ PRIV_MEMBER_DAY, PW_WEEK, 3, 2026, 12, 3, 0 },
		{ PRIV_MEMBER_DAY, PW_WEEK, 7, 2026, 12, 6, 1 },
		{ PRIV_MEMBER_DAY, PW_WEEK, 1, 2026, 12, 7, 1 },
		/* monthly; a month without the date has it on its last day */
		{ PRIV_MEMBER_DAY, PW_MONTH, 15, 2026, 12, 15, 1 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 15, 2026, 12, 16, 0 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 31, 2027, 4, 30, 1 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 31, 2027, 4, 29, 0 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 31, 2027, 5, 31, 1 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 31, 2027, 5, 30, 0 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 30, 2027, 2, 28, 1 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 30, 2028, 2, 28, 0 },
		{ PRIV_MEMBER_DAY, PW_MONTH, 30, 2028, 2, 29, 1 },
	};
	struct priv_rule h = rule(PRIV_HOLIDAY, 0, 0);
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct priv_rule r = rule(c[i].kind, c[i].window, c[i].day);

		EXPECT_INT(priv_rule_on(&r, D(c[i].y, c[i].m, c[i].d), -1, 0,
		    0), c[i].on);
	}
	/* 双十一 11-11 only; a range 12-30..01-02 across the year end */
	h.from = h.to = D(2026, 11, 11);
	EXPECT_INT(priv_rule_on(&h, D(2026, 11, 11), 1, 0, 0), 1);
	EXPECT_INT(priv_rule_on(&h, D(2026, 11, 12), 1, 0, 0), 0);
	EXPECT_INT(priv_rule_on(&h, D(2027, 11, 11), 1, 0, 0), 0);
	h.from = D(2026, 12, 30);
	h.to = D(2027, 1, 2);
	EXPECT_INT(priv_rule_on(&h, D(2026, 12, 29), 1, 0, 0), 0);
	EXPECT_INT(priv_rule_on(&h, D(2026, 12, 30), 1, 0, 0), 1);
	EXPECT_INT(priv_rule_on(&h, D(2027, 1, 2), 1, 0, 0), 1);
	EXPECT_INT(priv_rule_on(&h, D(2027, 1, 3), 1, 0, 0), 0);
	/* tiers: only those listed; all when none is */
	h.ntiers = 2;
	h.tiers[0] = 2;
	h.tiers[1] = 3;
	EXPECT_INT(priv_rule_on(&h, D(2026, 12, 31), 2, 0, 0), 1);
	EXPECT_INT(priv_rule_on(&h, D(2026, 12, 31), 1, 0, 0), 0);
	EXPECT_INT(priv_rule_on(&h, D(2026, 12, 31), -1, 0, 0), 0);
	h.ntiers = 0;
	EXPECT_INT(priv_rule_on(&h, D(2026, 12, 31), -1, 0, 0), 1);
}

/* ---- in the engine ---- */

static struct order_in in;
static struct priced q;
/* 2026-12-02 (a Wednesday) 10:00 +08:00 */
#define WED	(D(2026, 12, 2) * 86400 + 2 * 3600)

static void
setup(int64_t tier_pct)
{
	order_in_init(&in);
	in.store_id = 1;
	in.tz_off = 28800;
	in.nlines = 3;
	in.lines[0] = (struct order_line_in){ 1, "拿铁", NULL, 1, 3300,
	    ORDER_NONE };
	in.lines[1] = (struct order_line_in){ 2, "司康", NULL, 2, 1250,
	    ORDER_NONE };
	in.lines[2] = (struct order_line_in){ 0, "临时", NULL, 3, 333,
	    ORDER_NONE };
	in.member.id = 7;
	in.member.tier_level = 2;
	in.member.discount_pct = tier_pct;
	in.member.earn_points_per_yuan = 1;
	in.member.mult_pct = 100;
	in.member.birth_month = 12;
	in.member.birth_day = 4;
	in.use_balance = 0;
}

static struct priv_rule *
add(int kind, int window, int day, int64_t pct, int64_t mult)
{
	struct priv_rule *r = &in.priv.rules[in.priv.nrules++];

	*r = rule(kind, window, day);
	r->discount_pct = pct;
	r->mult_pct = mult;
	snprintf(r->name, sizeof(r->name), "%s", kind == PRIV_BIRTHDAY ?
	    "生日特权" : kind == PRIV_MEMBER_DAY ? "会员日" : "节日");
	return r;
}

static const struct priced_adj *
find(int kind)
{
	int i;

	for (i = 0; i < q.nadj; i++)
		if (q.adj[i].kind == kind)
			return &q.adj[i];
	return NULL;
}

static int
price(int64_t now)
{
	int rc = price_order(&in, now, &q);

	if (rc == 0)
		EXPECT_INT(order_test_invariants(&in, &q), 0);
	return rc;
}

TEST(privilege_engine_step)
{
	const struct priced_adj *t, *p;
	struct order_coupon_in *c;
	int64_t sum = 0;
	int l;

	/* member day 9折 after the tier's 95 on 3300 + 2500 + 999 = 6799 */
	setup(95);
	add(PRIV_MEMBER_DAY, PW_WEEK, 3, 90, 100);
	EXPECT_INT(price(WED), 0);
	t = find(ADJ_TIER_DISCOUNT);
	p = find(ADJ_MEMBER_DAY);
	EXPECT(t != NULL && p != NULL);
	if (t == NULL || p == NULL)
		return;
	EXPECT_INT(t->amount_fen, 6799 * 5 / 100);
	EXPECT_INT(p->seq, t->seq + 1);
	EXPECT_INT(p->base_fen, 6799 - t->amount_fen);
	EXPECT_INT(p->amount_fen, p->base_fen * 10 / 100);
	EXPECT_STR(p->ref, "member_day");
	for (l = 0; l < q.nlines; l++)
		sum += q.lines[l].alloc[p->seq - 1];
	EXPECT_INT(sum, p->amount_fen);
	EXPECT_INT(q.npriv, 1);
	EXPECT_INT(q.priv[0].applied, 1);
	/* on Thursday: nothing */
	EXPECT_INT(price(WED + 86400), 0);
	EXPECT(find(ADJ_MEMBER_DAY) == NULL);
	EXPECT_INT(q.npriv, 0);
	/* 10:00 Wednesday is 02:00 UTC: the local day decides */
	in.tz_off = -8 * 3600;
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_MEMBER_DAY) == NULL);
	in.tz_off = 28800;
	/* before the coupons: a 满减 threshold is measured after it */
	c = &in.coupons[in.ncoupons++];
	memset(c, 0, sizeof(*c));
	c->code = "M60";
	c->terms.kind = CK_THRESHOLD;
	c->terms.value_fen = 500;
	c->terms.threshold_fen = 5800;
	c->terms.discount_pct = c->terms.max_discount_fen = ORDER_NONE;
	c->status = "unused";
	c->valid_from = 1600000000;	/* the invariants check at their NOW */
	c->valid_until = WED + 86400;
	c->audience_ok = 1;
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.nskipped, 0);
	EXPECT(find(ADJ_COUPON) != NULL && find(ADJ_COUPON)->seq ==
	    find(ADJ_MEMBER_DAY)->seq + 1);
	c->terms.threshold_fen = 5900;	/* 6799 - 339 = 6460 - 646 = 5814 */
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_COUPON) == NULL);
	EXPECT_INT(q.nskipped, 1);
	/* no member, or a card that does not apply: no privilege */
	in.ncoupons = 0;
	in.member.card_valid_until = WED - 1;
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_MEMBER_DAY) == NULL);
	EXPECT_INT(q.npriv, 0);
	in.member.card_valid_until = ORDER_NONE;
	in.member.id = 0;
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_MEMBER_DAY) == NULL);
}

TEST(privilege_engine_tiers_and_multiplier)
{
	struct priv_rule *r;

	setup(ORDER_NONE);
	r = add(PRIV_MEMBER_DAY, PW_WEEK, 3, ORDER_NONE, 200);
	r->discount_pct = PRIV_NONE;
	r->ntiers = 1;
	r->tiers[0] = 3;
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.npriv, 0);
	EXPECT_INT(q.earn_points, 67);
	EXPECT_INT(q.priv_mult_pct, 100);
	r->tiers[0] = 2;
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.npriv, 1);
	EXPECT_INT(q.nadj, 0);
	EXPECT_INT(q.priv_mult_pct, 200);
	/* the tier's 1.5 times the privilege's 2: three times */
	in.member.mult_pct = 150;
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.earn_points, 6799 * 300 / 10000);
	EXPECT_INT(q.priv[0].extra_points, 6799 * 300 / 10000 -
	    6799 * 150 / 10000);
}

TEST(privilege_engine_precedence)
{
	char h1[8192], h2[8192];

	/* birthday week (12-04, this week) 8.5折 and member day 9折 */
	setup(ORDER_NONE);
	add(PRIV_BIRTHDAY, PW_WEEK, 0, 85, 100);
	add(PRIV_MEMBER_DAY, PW_WEEK, 3, 90, 100);
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.npriv, 2);
	EXPECT(find(ADJ_BIRTHDAY) != NULL && find(ADJ_MEMBER_DAY) == NULL);
	EXPECT_INT(find(ADJ_BIRTHDAY)->amount_fen, 6799 * 15 / 100);
	EXPECT_INT(q.priv[0].applied, 1);
	EXPECT_STR(q.priv[1].reason, "not_best");
	/* best for the member: the member day at 8折 wins now */
	in.priv.rules[1].discount_pct = 80;
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_BIRTHDAY) == NULL && find(ADJ_MEMBER_DAY) != NULL);
	EXPECT_STR(q.priv[0].reason, "not_best");
	EXPECT_INT(q.priv[1].applied, 1);
	/* points count at the points-to-cash rate: 10 times the points of
	   6799 fen (6799 - 67 = 6732 extra, 67.32 yuan at 100 a yuan) beat
	   8折's 1359 fen off */
	in.priv.rules[0].discount_pct = PRIV_NONE;
	in.priv.rules[0].mult_pct = 1000;
	in.member.earn_points_per_yuan = 100;
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_MEMBER_DAY) == NULL);
	EXPECT_INT(q.priv_mult_pct, 1000);
	EXPECT_INT(q.priv[0].applied, 1);
	/* a fixed priority: the member day first, whatever is best */
	in.priv.by_priority = 1;
	in.priv.rank[PRIV_MEMBER_DAY] = 0;
	in.priv.rank[PRIV_BIRTHDAY] = 1;
	in.priv.rank[PRIV_HOLIDAY] = 2;
	EXPECT_INT(price(WED), 0);
	EXPECT(find(ADJ_MEMBER_DAY) != NULL);
	EXPECT_INT(q.priv_mult_pct, 100);
	EXPECT_STR(q.priv[0].reason, "lower_priority");
	EXPECT_INT(q.priv[1].applied, 1);
	/* equal value under best: the ranks decide */
	setup(ORDER_NONE);
	add(PRIV_MEMBER_DAY, PW_WEEK, 3, 90, 100);
	add(PRIV_HOLIDAY, 0, 0, 90, 100);
	in.priv.rules[1].from = in.priv.rules[1].to = D(2026, 12, 2);
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.priv[0].applied, 1);
	EXPECT_INT(q.priv[1].applied, 0);
	in.priv.rank[PRIV_HOLIDAY] = 0;
	in.priv.rank[PRIV_BIRTHDAY] = 2;
	EXPECT_INT(price(WED), 0);
	EXPECT_INT(q.priv[0].applied, 0);
	EXPECT_INT(q.priv[1].applied, 1);
	EXPECT(find(ADJ_HOLIDAY) != NULL && strcmp(find(ADJ_HOLIDAY)->ref,
	    "holiday:0") == 0);
	/* the hash holds what the privileges decided: another day differs */
	EXPECT_INT(price(WED), 0);
	order_hash_input(&in, &q, h1, sizeof(h1));
	EXPECT_INT(price(WED + 3600), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT_STR(h2, h1);
	EXPECT_INT(price(WED + 86400), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strcmp(h1, h2) != 0);
	/* and so does a change of the settings */
	in.priv.rules[1].discount_pct = 95;
	EXPECT_INT(price(WED), 0);
	order_hash_input(&in, &q, h2, sizeof(h2));
	EXPECT(strcmp(h1, h2) != 0);
	/* a bad rule is refused */
	in.priv.rules[1].discount_pct = 100;
	EXPECT_INT(price_order(&in, WED, &q), -1);
	EXPECT_STR(q.err_field, "privileges[1].discount_pct");
}

TEST(privilege_engine_allocation)
{
	const struct priced_adj *p;
	uint64_t seed = 12345;
	int64_t sum;
	int n, l, i;

	/* random carts: the privilege's parts add up, no line below zero */
	for (n = 0; n < 2000; n++) {
		setup(n % 3 ? 95 : ORDER_NONE);
		in.nlines = 1 + n % 7;
		for (l = 0; l < in.nlines; l++) {
			seed = seed * 1103515245 + 12345;
			in.lines[l] = (struct order_line_in){ 0, "件", NULL,
			    1 + (seed >> 8) % 5, (seed >> 16) % 9999,
			    ORDER_NONE };
		}
		in.priv.nrules = 0;
		add(PRIV_MEMBER_DAY, PW_WEEK, 3, 1 + n % 99, 100 + n % 300);
		if (price(WED) != 0) {
			EXPECT(0);
			break;
		}
		if ((p = find(ADJ_MEMBER_DAY)) == NULL)
			continue;
		for (sum = 0, i = 0; i < q.nlines; i++) {
			EXPECT(q.lines[i].net_fen >= 0);
			sum += q.lines[i].alloc[p->seq - 1];
		}
		EXPECT_INT(sum, p->amount_fen);
	}
}
