/*
 * Stored-value rules: deduction splits, caps, frozen bonus, top-up
 * suggestions, the refund split, growth and points, settings checks, the
 * sandbox signature, and a randomized ledger of 100,000 mixed recharges,
 * payments and refunds checked against an in-memory model after every
 * step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wallet/payprovider.h"
#include "unit.h"
#include "wallet/wallet_rules.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static struct deduction_rules
rules(enum wallet_split split, int pct, int freeze, enum wallet_cap cap,
    int64_t amount, int cap_pct)
{
	struct deduction_rules d;

	deduction_rules_default(&d);
	d.split = split;
	d.bonus_pct = pct;
	d.freeze_same_day_bonus = freeze;
	d.cap = cap;
	d.cap_amount_fen = amount;
	d.cap_pct = cap_pct;
	return d;
}

/* ---- deduction: each split, each cap, frozen bonus ---- */

TEST(wallet_deduction_table)
{
	static const struct {
		enum wallet_split split;
		int pct, freeze;
		enum wallet_cap cap;
		int64_t amount;
		int cap_pct;
		int64_t principal, bonus, today;
		int first;
		int64_t order;
		int64_t want_p, want_b, want_due;
	} c[] = {
		/* principal first */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 10000, 2000, 0, 1, 5000, 5000, 0, 0 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 10000, 2000, 0, 1, 11000, 10000, 1000, 0 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 10000, 2000, 0, 1, 15000, 10000, 2000, 3000 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 0, 2000, 0, 1, 1500, 0, 1500, 0 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 0, 0, 0, 1, 1500, 0, 0, 1500 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 10000, 2000, 0, 1, 0, 0, 0, 0 },
		/* bonus first */
		{ SPLIT_BONUS_FIRST, 0, 0, CAP_NONE, 0, 0, 10000, 2000, 0, 1, 5000, 3000, 2000, 0 },
		{ SPLIT_BONUS_FIRST, 0, 0, CAP_NONE, 0, 0, 10000, 2000, 0, 1, 1500, 0, 1500, 0 },
		{ SPLIT_BONUS_FIRST, 0, 0, CAP_NONE, 0, 0, 1000, 2000, 0, 1, 5000, 1000, 2000, 2000 },
		/* proportional: bonus at most pct% of what is paid */
		{ SPLIT_PROPORTIONAL, 20, 0, CAP_NONE, 0, 0, 100000, 100000, 0, 1, 10000, 8000, 2000, 0 },
		{ SPLIT_PROPORTIONAL, 20, 0, CAP_NONE, 0, 0, 5000, 100000, 0, 1, 10000, 5000, 1250, 3750 },
		{ SPLIT_PROPORTIONAL, 20, 0, CAP_NONE, 0, 0, 0, 100000, 0, 1, 10000, 0, 0, 10000 },
		{ SPLIT_PROPORTIONAL, 20, 0, CAP_NONE, 0, 0, 100000, 500, 0, 1, 10000, 9500, 500, 0 },
		{ SPLIT_PROPORTIONAL, 33, 0, CAP_NONE, 0, 0, 100000, 100000, 0, 1, 999, 670, 329, 0 },
		{ SPLIT_PROPORTIONAL, 99, 0, CAP_NONE, 0, 0, 1, 100000, 0, 1, 10000, 1, 99, 9900 },
		/* frozen bonus: received today is held back */
		{ SPLIT_PRINCIPAL_FIRST, 0, 1, CAP_NONE, 0, 0, 10000, 2000, 2000, 1, 11000, 10000, 0, 1000 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 1, CAP_NONE, 0, 0, 10000, 5000, 2000, 1, 14000, 10000, 3000, 1000 },
		{ SPLIT_BONUS_FIRST, 0, 1, CAP_NONE, 0, 0, 10000, 2000, 500, 1, 5000, 3500, 1500, 0 },
		{ SPLIT_BONUS_FIRST, 0, 1, CAP_NONE, 0, 0, 0, 2000, 9000, 1, 5000, 0, 0, 5000 },
		{ SPLIT_BONUS_FIRST, 0, 0, CAP_NONE, 0, 0, 0, 2000, 9000, 1, 5000, 0, 2000, 3000 },
		{ SPLIT_PROPORTIONAL, 50, 1, CAP_NONE, 0, 0, 10000, 3000, 2000, 1, 4000, 3000, 1000, 0 },
		/* caps */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_FIRST_AMOUNT, 3000, 0, 10000, 0, 0, 1, 5000, 3000, 0, 2000 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_FIRST_AMOUNT, 3000, 0, 10000, 0, 0, 0, 5000, 5000, 0, 0 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_FIRST_PCT, 0, 10, 10000, 2000, 0, 1, 5000, 1200, 0, 3800 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_FIRST_PCT, 0, 10, 10000, 2000, 0, 0, 5000, 5000, 0, 0 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_EACH_AMOUNT, 3000, 0, 10000, 0, 0, 0, 5000, 3000, 0, 2000 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_EACH_AMOUNT, 8000, 0, 10000, 0, 0, 0, 5000, 5000, 0, 0 },
		{ SPLIT_BONUS_FIRST, 0, 0, CAP_EACH_PCT, 0, 50, 999, 1000, 0, 0, 5000, 0, 999, 4001 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_EACH_PCT, 0, 100, 10000, 2000, 0, 0, 5000, 5000, 0, 0 },
		{ SPLIT_PRINCIPAL_FIRST, 0, 1, CAP_EACH_PCT, 0, 50, 10000, 10000, 10000, 0, 50000, 10000, 0, 40000 },
		{ SPLIT_PROPORTIONAL, 20, 0, CAP_EACH_AMOUNT, 5000, 0, 100000, 100000, 0, 0, 10000, 4000, 1000, 5000 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		struct deduction_rules d = rules(c[i].split, c[i].pct,
		    c[i].freeze, c[i].cap, c[i].amount, c[i].cap_pct);
		struct wallet_state st = { c[i].principal, c[i].bonus,
		    c[i].today, c[i].first };
		struct deduction x;

		deduction_compute(&d, &st, c[i].order, &x);
		if (x.principal_fen != c[i].want_p || x.bonus_fen != c[i].want_b ||
		    x.remaining_due_fen != c[i].want_due)
			fprintf(stderr, "  case %zu: got %lld/%lld/%lld\n", i,
			    (long long)x.principal_fen, (long long)x.bonus_fen,
			    (long long)x.remaining_due_fen);
		EXPECT_INT(x.principal_fen, c[i].want_p);
		EXPECT_INT(x.bonus_fen, c[i].want_b);
		EXPECT_INT(x.remaining_due_fen, c[i].want_due);
		EXPECT_INT(x.paid_fen, x.principal_fen + x.bonus_fen);
	}
}

TEST(wallet_deduction_order_ranges)
{
	static const struct {
		int64_t order, want_cap, want_paid;
	} c[] = {
		{ 0, 0, 0 }, { 999, 0, 0 }, { 1000, 300, 300 }, { 4999, 300, 300 },
		{ 5000, 2000, 2000 }, { 20000, 2000, 2000 },
		{ 20001, -1, 20001 },	/* in no row: no cap */
		{ 60000, -1, 50000 },	/* the balance runs out */
	};
	struct deduction_rules d = rules(SPLIT_PRINCIPAL_FIRST, 0, 0,
	    CAP_ORDER_RANGES, 0, 0);
	struct wallet_state st = { 40000, 10000, 0, 0 };
	size_t i;

	d.nranges = 3;
	d.ranges[0] = (struct cap_range){ 0, 999, 0 };
	d.ranges[1] = (struct cap_range){ 1000, 4999, 300 };
	d.ranges[2] = (struct cap_range){ 5000, 20000, 2000 };
	for (i = 0; i < NELEM(c); i++) {
		struct deduction x;

		deduction_compute(&d, &st, c[i].order, &x);
		EXPECT_INT(x.cap_fen, c[i].want_cap);
		EXPECT_INT(x.paid_fen, c[i].want_paid);
		EXPECT_INT(x.remaining_due_fen, c[i].order - c[i].want_paid);
	}
}

TEST(wallet_rules_check_table)
{
	static const struct {
		enum wallet_split split;
		int pct;
		enum wallet_cap cap;
		int64_t amount;
		int cap_pct;
		int nranges;
		struct cap_range ranges[3];
		const char *field;	/* NULL: valid */
	} c[] = {
		{ SPLIT_PRINCIPAL_FIRST, 0, CAP_NONE, 0, 0, 0, { { 0 } }, NULL },
		{ SPLIT_PROPORTIONAL, 0, CAP_NONE, 0, 0, 0, { { 0 } }, "bonus_pct" },
		{ SPLIT_PROPORTIONAL, 100, CAP_NONE, 0, 0, 0, { { 0 } }, "bonus_pct" },
		{ SPLIT_PROPORTIONAL, 99, CAP_NONE, 0, 0, 0, { { 0 } }, NULL },
		{ SPLIT_BONUS_FIRST, 0, CAP_FIRST_AMOUNT, 0, 0, 0, { { 0 } }, "cap.amount_fen" },
		{ SPLIT_BONUS_FIRST, 0, CAP_EACH_AMOUNT, 1, 0, 0, { { 0 } }, NULL },
		{ SPLIT_BONUS_FIRST, 0, CAP_EACH_PCT, 0, 101, 0, { { 0 } }, "cap.pct" },
		{ SPLIT_BONUS_FIRST, 0, CAP_FIRST_PCT, 0, 100, 0, { { 0 } }, NULL },
		{ SPLIT_BONUS_FIRST, 0, CAP_ORDER_RANGES, 0, 0, 0, { { 0 } }, "cap.ranges" },
		{ SPLIT_BONUS_FIRST, 0, CAP_ORDER_RANGES, 0, 0, 2,
		  { { 0, 100, 10 }, { 101, 200, 20 } }, NULL },
		{ SPLIT_BONUS_FIRST, 0, CAP_ORDER_RANGES, 0, 0, 2,
		  { { 0, 100, 10 }, { 100, 200, 20 } }, "cap.ranges[1].from_fen" },
		{ SPLIT_BONUS_FIRST, 0, CAP_ORDER_RANGES, 0, 0, 1,
		  { { 50, 10, 10 } }, "cap.ranges[0].to_fen" },
		{ SPLIT_BONUS_FIRST, 0, CAP_ORDER_RANGES, 0, 0, 1,
		  { { 0, 10, -1 } }, "cap.ranges[0].cap_fen" },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		struct deduction_rules d = rules(c[i].split, c[i].pct, 0,
		    c[i].cap, c[i].amount, c[i].cap_pct);
		char field[64] = "";
		const char *msg = NULL;
		int rc;

		d.nranges = c[i].nranges;
		memcpy(d.ranges, c[i].ranges, sizeof(c[i].ranges));
		rc = deduction_rules_check(&d, field, sizeof(field), &msg);
		if (c[i].field == NULL)
			EXPECT_INT(rc, 0);
		else {
			EXPECT_INT(rc, -1);
			EXPECT_STR(field, c[i].field);
			EXPECT(msg != NULL);
		}
	}
}

TEST(wallet_names_roundtrip)
{
	enum wallet_split s;
	enum wallet_cap c;
	int i;

	for (i = 0; i <= SPLIT_PROPORTIONAL; i++) {
		EXPECT_INT(wallet_split_parse(wallet_split_name(i), &s), 0);
		EXPECT_INT(s, i);
	}
	for (i = 0; i <= CAP_ORDER_RANGES; i++) {
		EXPECT_INT(wallet_cap_parse(wallet_cap_name(i), &c), 0);
		EXPECT_INT(c, i);
	}
	EXPECT_INT(wallet_split_parse("Principal_first", &s), -1);
	EXPECT_INT(wallet_cap_parse("", &c), -1);
	EXPECT_INT(wallet_cap_parse(NULL, &c), -1);
}

/* ---- smart top-up ---- */

static const struct recharge_pkg demo_pkgs[] = {
	{ 1, 10000, 2000 }, { 2, 50000, 8000 }, { 3, 100000, 20000 },
};
static const struct custom_amount demo_custom = { 1, 1000, 500000 };

TEST(wallet_topup_round_table)
{
	static const int64_t c[][2] = {
		{ 1, 1000 }, { 1000, 1000 }, { 1001, 2000 }, { 7001, 8000 },
		{ 10000, 10000 }, { 10001, 15000 }, { 99999, 100000 },
		{ 100001, 110000 }, { 123456, 130000 }, { 0, 1000 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++)
		EXPECT_INT(topup_round(c[i][0]), c[i][1]);
}

TEST(wallet_topup_table)
{
	static const struct {
		enum wallet_split split;
		int pct, freeze;
		enum wallet_cap cap;
		int64_t amount;
		int64_t principal, bonus, today, order;
		int custom_enabled;
		int64_t want_payable;
		int n;
		int64_t want[3][4];	/* pay, bonus, after, package id */
	} c[] = {
		/* covered: nothing to suggest */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 5000, 0, 0, 3000, 1, 3000, 0, { { 0 } } },
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 5000, 0, 0, 5000, 1, 5000, 0, { { 0 } } },
		/* short by 70: custom 80, then the two smallest packages */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 5000, 0, 0, 12000, 1, 5000, 3,
		  { { 8000, 0, 1000, 0 }, { 10000, 2000, 5000, 1 }, { 50000, 8000, 51000, 2 } } },
		/* custom amounts off: three packages */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 5000, 0, 0, 12000, 0, 5000, 3,
		  { { 10000, 2000, 5000, 1 }, { 50000, 8000, 51000, 2 }, { 100000, 20000, 113000, 3 } } },
		/* short by exactly 100 with nothing left: 充100送20 still leaves
		   the bonus; custom must be above 100 (100.01 rounds to 150) */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE, 0, 0, 0, 0, 10000, 1, 0, 3,
		  { { 10000, 2000, 2000, 1 }, { 15000, 0, 5000, 0 }, { 50000, 8000, 48000, 2 } } },
		/* frozen bonus: today's bonus does not pay, so 充100送20 is not
		   enough for 110 */
		{ SPLIT_PRINCIPAL_FIRST, 0, 1, CAP_NONE, 0, 0, 0, 0, 11000, 1, 0, 3,
		  { { 15000, 0, 4000, 0 }, { 50000, 8000, 47000, 2 }, { 100000, 20000, 109000, 3 } } },
		/* a cap no recharge can lift: nothing */
		{ SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_EACH_AMOUNT, 3000, 0, 0, 0, 5000, 1, 0, 0, { { 0 } } },
		/* proportional 20%: bonus alone never pays */
		{ SPLIT_PROPORTIONAL, 20, 0, CAP_NONE, 0, 0, 100000, 0, 10000, 1, 0, 3,
		  { { 8000, 0, 98000, 0 }, { 10000, 2000, 102000, 1 }, { 50000, 8000, 148000, 2 } } },
	};
	size_t i;
	int k;

	for (i = 0; i < NELEM(c); i++) {
		struct deduction_rules d = rules(c[i].split, c[i].pct,
		    c[i].freeze, c[i].cap, c[i].amount, 0);
		struct wallet_state st = { c[i].principal, c[i].bonus,
		    c[i].today, 0 };
		struct custom_amount cu = demo_custom;
		struct topup t[TOPUP_MAX];
		int64_t payable = -1;
		int n;

		cu.enabled = c[i].custom_enabled;
		n = topup_suggest(&d, &st, c[i].order, demo_pkgs,
		    (int)NELEM(demo_pkgs), &cu, t, &payable);
		EXPECT_INT(payable, c[i].want_payable);
		EXPECT_INT(n, c[i].n);
		for (k = 0; k < n && k < c[i].n; k++) {
			if (t[k].pay_fen != c[i].want[k][0])
				fprintf(stderr, "  case %zu item %d\n", i, k);
			EXPECT_INT(t[k].pay_fen, c[i].want[k][0]);
			EXPECT_INT(t[k].bonus_fen, c[i].want[k][1]);
			EXPECT_INT(t[k].balance_after_fen, c[i].want[k][2]);
			EXPECT_INT(t[k].package_id, c[i].want[k][3]);
			EXPECT(strlen(t[k].reason) > 0);
		}
	}
}

TEST(wallet_topup_custom_limits)
{
	struct deduction_rules d = rules(SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE,
	    0, 0);
	struct wallet_state st = { 0, 0, 0, 0 };
	struct custom_amount cu = { 1, 20000, 29500 };
	struct topup t[TOPUP_MAX];
	int64_t payable;
	int n;

	/* the least amount (10.01 yuan, 20 rounded) is raised to the minimum */
	n = topup_suggest(&d, &st, 1000, NULL, 0, &cu, t, &payable);
	EXPECT_INT(n, 1);
	EXPECT_INT(t[0].pay_fen, 20000);
	EXPECT_INT(t[0].balance_after_fen, 19000);
	/* rounding past the maximum (290.01 -> 300) stops at the maximum */
	n = topup_suggest(&d, &st, 29000, NULL, 0, &cu, t, &payable);
	EXPECT_INT(n, 1);
	EXPECT_INT(t[0].pay_fen, 29500);
	EXPECT_INT(t[0].balance_after_fen, 500);
	/* the maximum cannot cover it and leave something: nothing */
	n = topup_suggest(&d, &st, 29500, NULL, 0, &cu, t, &payable);
	EXPECT_INT(n, 0);
	cu.enabled = 0;
	n = topup_suggest(&d, &st, 1000, NULL, 0, &cu, t, &payable);
	EXPECT_INT(n, 0);
}

/* ---- refunds, growth, points ---- */

TEST(wallet_refund_split_table)
{
	static const int64_t c[][5] = {
		/* amount, remaining principal, remaining bonus -> p, b */
		{ 3333, 10000, 1000, 3030, 303 },
		{ 11000, 10000, 1000, 10000, 1000 },
		{ 1, 10000, 1000, 1, 0 },
		{ 1, 1, 1, 1, 0 },		/* a tie goes to principal */
		{ 3, 2, 2, 2, 1 },
		{ 1, 1000, 10000, 0, 1 },
		{ 5, 0, 700, 0, 5 },
		{ 5, 700, 0, 5, 0 },
		{ 7, 3, 4, 3, 4 },
		{ 100, 333, 667, 33, 67 },	/* 33.3 / 66.7 */
		{ 10, 1, 2, 1, 2 },		/* more than left: all */
		{ 0, 10, 10, 0, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		int64_t p, b;

		refund_split(c[i][0], c[i][1], c[i][2], &p, &b);
		EXPECT_INT(p, c[i][3]);
		EXPECT_INT(b, c[i][4]);
	}
}

TEST(wallet_refund_split_properties)
{
	int64_t i;

	srand(7);
	for (i = 0; i < 200000; i++) {
		int64_t rp = rand() % 100000, rb = rand() % 100000, p, b;
		int64_t total = rp + rb, amount;
		double exact;

		if (total == 0)
			continue;
		amount = 1 + rand() % total;
		refund_split(amount, rp, rb, &p, &b);
		if (p + b != amount || p < 0 || b < 0 || p > rp || b > rb) {
			EXPECT(p + b == amount && p >= 0 && b >= 0 && p <= rp &&
			    b <= rb);
			return;
		}
		/* within one fen of the exact share */
		exact = (double)amount * (double)rp / (double)total;
		EXPECT((double)p > exact - 1.0 && (double)p < exact + 1.0);
	}
}

TEST(wallet_growth_points_table)
{
	EXPECT_INT(wallet_growth(0), 0);
	EXPECT_INT(wallet_growth(99), 0);
	EXPECT_INT(wallet_growth(100), 1);
	EXPECT_INT(wallet_growth(12099), 120);
	EXPECT_INT(wallet_points(12000, 1, 100), 120);
	EXPECT_INT(wallet_points(12000, 1, 120), 144);
	EXPECT_INT(wallet_points(12050, 1, 150), 180);	/* 180.75 */
	EXPECT_INT(wallet_points(999, 2, 100), 19);	/* 19.98 */
	EXPECT_INT(wallet_points(1000, 0, 100), 0);
	EXPECT_INT(wallet_keep(110, 11000, 7667), 76);
	EXPECT_INT(wallet_keep(110, 11000, 11000), 110);
	EXPECT_INT(wallet_keep(110, 11000, 0), 0);
	EXPECT_INT(wallet_keep(0, 11000, 5000), 0);
}

TEST(wallet_display_table)
{
	char b[48];

	wallet_yuan(b, sizeof(b), 10000);
	EXPECT_STR(b, "100");
	wallet_yuan(b, sizeof(b), 10050);
	EXPECT_STR(b, "100.50");
	wallet_yuan(b, sizeof(b), 5);
	EXPECT_STR(b, "0.05");
	wallet_yuan(b, sizeof(b), -305);
	EXPECT_STR(b, "-3.05");
	wallet_pkg_label(b, sizeof(b), 10000, 2000);
	EXPECT_STR(b, "充100送20");
	wallet_pkg_label(b, sizeof(b), 12345, 0);
	EXPECT_STR(b, "充123.45元");
}

TEST(wallet_sandbox_signature)
{
	unsigned char key[32];
	char canon[128], hex[65];
	int i;

	for (i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	EXPECT_INT(sandbox_canonical(canon, sizeof(canon), "R0123abcd", 12000,
	    "SUCCESS"), 0);
	EXPECT_STR(canon, "amount_fen=12000&out_trade_no=R0123abcd&status=SUCCESS");
	sandbox_sign(hex, key, sizeof(key), canon, strlen(canon));
	EXPECT_STR(hex,
	    "ff8a91f69137c534803fdf1ebe2840ff4509bd02e5d3c1e90c55ef93d9474cea");
	EXPECT_INT(sandbox_canonical(canon, 20, "R0123abcd", 12000, "SUCCESS"),
	    -1);
}

/* ---- the randomized ledger ---- */

#define L_MEMBERS	8
#define L_STEPS		100000

struct l_member {
	int64_t		 principal, bonus;	/* the accounts */
	int64_t		 sum_p, sum_b;		/* the ledger's sums */
	int64_t		 today;			/* bonus received today */
	int		 paid_before;
};

struct l_entry {
	int		 member;
	int64_t		 p, b;
};

struct l_payment {
	int		 member;
	int64_t		 p, b, rp, rb;
};

static struct l_member lm[L_MEMBERS];
static struct l_entry *le;
static struct l_payment *lp;
static int nle, nlp;

static uint64_t l_seed = 88172645463325252ULL;

static int64_t
l_rand(int64_t n)		/* 0..n-1 */
{
	l_seed ^= l_seed << 13;
	l_seed ^= l_seed >> 7;
	l_seed ^= l_seed << 17;
	return n > 0 ? (int64_t)(l_seed % (uint64_t)n) : 0;
}

/* The conditional update: refused when an account would go below zero. */
static int
l_apply(struct l_member *x, int64_t dp, int64_t db)
{
	if (x->principal + dp < 0 || x->bonus + db < 0)
		return -1;
	x->principal += dp;
	x->bonus += db;
	return 0;
}

static void
l_entry(int member, int64_t p, int64_t b)
{
	le[nle].member = member;
	le[nle].p = p;
	le[nle].b = b;
	nle++;
	lm[member].sum_p += p;
	lm[member].sum_b += b;
}

static struct deduction_rules
l_rules(void)
{
	struct deduction_rules d;
	int i;

	deduction_rules_default(&d);
	d.split = (enum wallet_split)l_rand(3);
	d.bonus_pct = 1 + (int)l_rand(99);
	d.freeze_same_day_bonus = (int)l_rand(2);
	d.cap = (enum wallet_cap)l_rand(6);
	d.cap_amount_fen = 1 + l_rand(50000);
	d.cap_pct = 1 + (int)l_rand(100);
	if (d.cap == CAP_ORDER_RANGES) {
		int64_t from = 0;

		d.nranges = 1 + (int)l_rand(4);
		for (i = 0; i < d.nranges; i++) {
			d.ranges[i].from_fen = from + l_rand(1000);
			d.ranges[i].to_fen = d.ranges[i].from_fen + l_rand(30000);
			d.ranges[i].cap_fen = l_rand(20000);
			from = d.ranges[i].to_fen + 1;
		}
	}
	return d;
}

/* Check one payment's split against the rules; 0 ok. */
static int
l_check_payment(const struct deduction_rules *d, const struct wallet_state *st,
    int64_t order, const struct deduction *x)
{
	int64_t usable_b = st->bonus_fen - (d->freeze_same_day_bonus ?
	    (st->bonus_today_fen < st->bonus_fen ? st->bonus_today_fen :
	    st->bonus_fen) : 0);
	int64_t limit = x->cap_fen >= 0 && x->cap_fen < order ? x->cap_fen :
	    order;

	if (x->principal_fen < 0 || x->bonus_fen < 0 ||
	    x->principal_fen > st->principal_fen || x->bonus_fen > usable_b ||
	    x->paid_fen != x->principal_fen + x->bonus_fen ||
	    x->paid_fen > limit || x->remaining_due_fen != order - x->paid_fen)
		return -1;
	if (d->split == SPLIT_PROPORTIONAL) {
		int64_t n = x->paid_fen + 1;
		int64_t nb = n * d->bonus_pct / 100;

		if (x->bonus_fen > x->paid_fen * d->bonus_pct / 100)
			return -1;
		/* one fen more would not fit */
		if (n <= limit && n - (nb < usable_b ? nb : usable_b) <=
		    st->principal_fen)
			return -1;
	} else {
		int64_t most = st->principal_fen + usable_b;

		if (x->paid_fen != (limit < most ? limit : most))
			return -1;
	}
	return 0;
}

static void
l_recompute(int64_t recharged, int64_t paid, int64_t refunded)
{
	int64_t sp[L_MEMBERS] = { 0 }, sb[L_MEMBERS] = { 0 }, total = 0;
	int i;

	for (i = 0; i < nle; i++) {
		sp[le[i].member] += le[i].p;
		sb[le[i].member] += le[i].b;
	}
	for (i = 0; i < L_MEMBERS; i++) {
		EXPECT_INT(sp[i], lm[i].principal);
		EXPECT_INT(sb[i], lm[i].bonus);
		total += lm[i].principal + lm[i].bonus;
	}
	/* no fen created or lost */
	EXPECT_INT(total, recharged - paid + refunded);
}

TEST(wallet_ledger_randomized)
{
	int64_t recharged = 0, paid = 0, refunded = 0;
	int step, bad = 0;

	memset(lm, 0, sizeof(lm));
	le = calloc(L_STEPS + 1, sizeof(*le));
	lp = calloc(L_STEPS + 1, sizeof(*lp));
	nle = nlp = 0;
	if (le == NULL || lp == NULL)
		abort();
	for (step = 0; step < L_STEPS && !bad; step++) {
		int who = (int)l_rand(L_MEMBERS), kind = (int)l_rand(100);
		struct l_member *x = &lm[who];

		if (kind < 35) {
			/* a recharge: pay X get Y */
			int64_t pay = 1 + l_rand(100000), b = l_rand(pay / 2 + 1);

			if (l_apply(x, pay, b) == -1)
				bad = 1;
			l_entry(who, pay, b);
			x->today += b;
			recharged += pay + b;
		} else if (kind < 72) {
			/* a balance payment under random rules */
			struct deduction_rules d = l_rules();
			struct wallet_state st = { x->principal, x->bonus,
			    x->today, !x->paid_before };
			int64_t order = 1 + l_rand(150000);
			struct deduction r;

			deduction_compute(&d, &st, order, &r);
			if (l_check_payment(&d, &st, order, &r) == -1) {
				fprintf(stderr, "  step %d: bad split %lld/%lld "
				    "of %lld\n", step, (long long)r.principal_fen,
				    (long long)r.bonus_fen, (long long)order);
				bad = 1;
			}
			if (r.paid_fen == 0)
				continue;
			if (l_apply(x, -r.principal_fen, -r.bonus_fen) == -1)
				bad = 1;
			l_entry(who, -r.principal_fen, -r.bonus_fen);
			lp[nlp++] = (struct l_payment){ who, r.principal_fen,
			    r.bonus_fen, 0, 0 };
			x->paid_before = 1;
			paid += r.paid_fen;
		} else if (kind < 97) {
			/* a refund of some payment, partial or whole */
			struct l_payment *p;
			int64_t left, amount, rp, rb;

			if (nlp == 0)
				continue;
			p = &lp[l_rand(nlp)];
			left = p->p + p->b - p->rp - p->rb;
			if (left == 0)
				continue;
			amount = l_rand(3) == 0 ? left : 1 + l_rand(left);
			refund_split(amount, p->p - p->rp, p->b - p->rb, &rp, &rb);
			if (rp + rb != amount || rp < 0 || rb < 0 ||
			    p->rp + rp > p->p || p->rb + rb > p->b)
				bad = 1;
			p->rp += rp;
			p->rb += rb;
			if (l_apply(&lm[p->member], rp, rb) == -1)
				bad = 1;
			l_entry(p->member, rp, rb);
			refunded += amount;
		} else {
			/* a new day: nothing is frozen any more */
			int i;

			for (i = 0; i < L_MEMBERS; i++)
				lm[i].today = 0;
		}
		/* after every step: balance == sum of entries, nothing < 0 */
		for (who = 0; who < L_MEMBERS; who++) {
			x = &lm[who];
			if (x->principal != x->sum_p || x->bonus != x->sum_b ||
			    x->principal < 0 || x->bonus < 0) {
				fprintf(stderr, "  step %d: member %d out of "
				    "step\n", step, who);
				bad = 1;
			}
		}
		if (step % 10000 == 9999)
			l_recompute(recharged, paid, refunded);
	}
	EXPECT_INT(bad, 0);
	EXPECT_INT(step, L_STEPS);
	l_recompute(recharged, paid, refunded);
	free(le);
	free(lp);
}
