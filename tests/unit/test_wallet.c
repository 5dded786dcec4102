/*
 * Stored-value rules: deduction splits, caps, frozen bonus, top-up
 * suggestions, the refund split, growth and points, settings checks, the
 * sandbox signature, and a randomized ledger of 100,000 mixed recharges,
 * payments under random settings, top-up suggestions and refunds, where
 * every result of the rules is compared with a model written here.
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

/*
 * Packages at one price come with the larger bonus first; a custom amount
 * that rounds to a package's price is not offered beside that package
 * (the package gives as much and maybe a bonus), unless that package is
 * not among those shown.
 */
TEST(wallet_topup_ties_and_duplicates)
{
	static const struct {
		const char *what;
		int custom;
		int npkgs;
		struct recharge_pkg pkgs[4];
		int n;
		int64_t want[3][3];	/* package id (0: custom), pay, after */
	} c[] = {
		{ "same price: more bonus first", 0, 4,
		  { { 1, 10000, 1000 }, { 2, 10000, 3000 }, { 3, 10000, 2000 },
		    { 4, 50000, 0 } }, 3,
		  { { 2, 10000, 6000 }, { 3, 10000, 5000 }, { 1, 10000, 4000 } } },
		{ "same price and bonus: as listed", 0, 2,
		  { { 7, 10000, 1000 }, { 5, 10000, 1000 } }, 2,
		  { { 7, 10000, 4000 }, { 5, 10000, 4000 } } },
		/* short by 70: the least custom amount, 70.01, rounds to 80 */
		{ "custom 80 is the first package's price", 1, 3,
		  { { 1, 8000, 500 }, { 2, 10000, 2000 }, { 3, 50000, 8000 } }, 3,
		  { { 1, 8000, 1500 }, { 2, 10000, 5000 }, { 3, 50000, 51000 } } },
		{ "custom 80 is the second package's price", 1, 3,
		  { { 1, 6000, 2000 }, { 2, 8000, 0 }, { 3, 50000, 8000 } }, 3,
		  { { 1, 6000, 1000 }, { 2, 8000, 1000 }, { 3, 50000, 51000 } } },
		{ "custom 80 is the third package's price, not shown", 1, 3,
		  { { 1, 6000, 2000 }, { 2, 7500, 1000 }, { 3, 8000, 0 } }, 3,
		  { { 1, 6000, 1000 }, { 2, 7500, 1500 }, { 0, 8000, 1000 } } },
		{ "custom 80 below every package", 1, 2,
		  { { 1, 10000, 0 }, { 2, 20000, 0 } }, 3,
		  { { 0, 8000, 1000 }, { 1, 10000, 3000 }, { 2, 20000, 13000 } } },
	};
	struct deduction_rules d = rules(SPLIT_PRINCIPAL_FIRST, 0, 0, CAP_NONE,
	    0, 0);
	struct wallet_state st = { 5000, 0, 0, 0 };
	size_t i;
	int k;

	for (i = 0; i < NELEM(c); i++) {
		struct custom_amount cu = demo_custom;
		struct topup t[TOPUP_MAX];
		int64_t payable = -1;
		int n;

		cu.enabled = c[i].custom;
		n = topup_suggest(&d, &st, 12000, c[i].pkgs, c[i].npkgs, &cu, t,
		    &payable);
		EXPECT_INT(payable, 5000);
		if (n != c[i].n)
			fprintf(stderr, "  %s: %d suggestions\n", c[i].what, n);
		EXPECT_INT(n, c[i].n);
		for (k = 0; k < n && k < c[i].n; k++) {
			if (t[k].package_id != c[i].want[k][0] ||
			    t[k].pay_fen != c[i].want[k][1] ||
			    t[k].balance_after_fen != c[i].want[k][2])
				fprintf(stderr, "  %s: item %d is %lld/%lld/%lld\n",
				    c[i].what, k, (long long)t[k].package_id,
				    (long long)t[k].pay_fen,
				    (long long)t[k].balance_after_fen);
			EXPECT_INT(t[k].package_id, c[i].want[k][0]);
			EXPECT_INT(t[k].pay_fen, c[i].want[k][1]);
			EXPECT_INT(t[k].balance_after_fen, c[i].want[k][2]);
			if (t[k].package_id == 0)
				EXPECT_INT(t[k].bonus_fen, 0);
		}
	}
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

/*
 * 100,000 steps of recharges, balance payments under random settings,
 * top-up suggestions, refunds and new days over a few members. Every
 * number the rules give (deduction_compute, topup_suggest, refund_split,
 * wallet_growth, wallet_points, wallet_keep) is compared with a model
 * written here from the header's words, the plain way (walking instead
 * of searching, rounding by its definition), and the accounts are the
 * model's: no fen created or lost, nothing below zero.
 */

#define L_MEMBERS	8
#define L_STEPS		100000
#define L_PKGS		5

struct l_member {
	int64_t		 principal, bonus;	/* the accounts */
	int64_t		 today;			/* bonus received today */
	int		 paid_before;
	int64_t		 growth, points;
};

struct l_payment {
	int		 member;
	int64_t		 p, b, rp, rb;		/* paid, refunded */
	int64_t		 growth, points;	/* earned */
	int64_t		 growth_kept, points_kept;
};

static struct l_member lm[L_MEMBERS];
static struct l_payment *lp;
static int nlp;

static uint64_t l_seed = 88172645463325252ULL;

static int64_t
l_rand(int64_t n)		/* 0..n-1 */
{
	l_seed ^= l_seed << 13;
	l_seed ^= l_seed >> 7;
	l_seed ^= l_seed << 17;
	return n > 0 ? (int64_t)(l_seed % (uint64_t)n) : 0;
}

static int64_t
l_min(int64_t a, int64_t b)
{
	return a < b ? a : b;
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

/* The longest walk of the model, and its own check of the walk. */
static int l_walk_max, l_model_wrong;

/* The model of deduction_compute, step by step as wallet_rules.h says. */
static void
m_deduct(const struct deduction_rules *d, const struct wallet_state *st,
    int64_t order, struct deduction *x)
{
	int64_t p = st->principal_fen, b = st->bonus_fen, total = p + b;
	int64_t usable, cap = -1, limit;
	int i;

	memset(x, 0, sizeof(*x));
	/* 1. today's bonus is held back when frozen */
	usable = b;
	if (d->freeze_same_day_bonus)
		usable = b - l_min(b, st->bonus_today_fen);
	/* 2. the cap */
	if (d->cap == CAP_FIRST_AMOUNT && st->first_payment)
		cap = d->cap_amount_fen;
	if (d->cap == CAP_FIRST_PCT && st->first_payment)
		cap = total * d->cap_pct / 100;
	if (d->cap == CAP_EACH_AMOUNT)
		cap = d->cap_amount_fen;
	if (d->cap == CAP_EACH_PCT)
		cap = total * d->cap_pct / 100;
	if (d->cap == CAP_ORDER_RANGES)
		for (i = 0; i < d->nranges; i++)
			if (d->ranges[i].from_fen <= order &&
			    order <= d->ranges[i].to_fen)
				cap = d->ranges[i].cap_fen;
	limit = cap == -1 ? order : l_min(order, cap);
	/* 3. the split */
	if (d->split == SPLIT_PRINCIPAL_FIRST) {
		x->principal_fen = l_min(p, limit);
		x->bonus_fen = l_min(usable, limit - x->principal_fen);
	} else if (d->split == SPLIT_BONUS_FIRST) {
		x->bonus_fen = l_min(usable, limit);
		x->principal_fen = l_min(p, limit - x->bonus_fen);
	} else {
		/*
		 * The largest amount a <= limit whose bonus share,
		 * min(usable, a * pct / 100), leaves a principal part that
		 * fits: walk down from a bound no amount that fits exceeds
		 * (the principal part is at least a - usable and at least
		 * a * (100 - pct) / 100).
		 */
		int64_t a = l_min(limit, l_min(p + usable,
		    p * 100 / (100 - d->bonus_pct)));
		int walk = 0;

		while (a > 0 && a - l_min(usable, a * d->bonus_pct / 100) > p) {
			a--;
			walk++;
		}
		if (walk > l_walk_max)
			l_walk_max = walk;
		/* and it is the largest: one fen more does not fit */
		if (a < limit && a + 1 - l_min(usable, (a + 1) *
		    d->bonus_pct / 100) <= p)
			l_model_wrong++;
		x->bonus_fen = l_min(usable, a * d->bonus_pct / 100);
		x->principal_fen = a - x->bonus_fen;
	}
	/* 4. what is paid, what is left to pay */
	x->cap_fen = cap;
	x->bonus_usable_fen = usable;
	x->paid_fen = x->principal_fen + x->bonus_fen;
	x->remaining_due_fen = order - x->paid_fen;
}

static int
l_same(const char *what, int step, const struct deduction *got,
    const struct deduction *want)
{
	if (got->cap_fen == want->cap_fen &&
	    got->bonus_usable_fen == want->bonus_usable_fen &&
	    got->principal_fen == want->principal_fen &&
	    got->bonus_fen == want->bonus_fen &&
	    got->paid_fen == want->paid_fen &&
	    got->remaining_due_fen == want->remaining_due_fen)
		return 1;
	fprintf(stderr, "  step %d %s: cap/usable/p/b/due %lld/%lld/%lld/%lld/"
	    "%lld, model %lld/%lld/%lld/%lld/%lld\n", step, what,
	    (long long)got->cap_fen, (long long)got->bonus_usable_fen,
	    (long long)got->principal_fen, (long long)got->bonus_fen,
	    (long long)got->remaining_due_fen, (long long)want->cap_fen,
	    (long long)want->bonus_usable_fen, (long long)want->principal_fen,
	    (long long)want->bonus_fen, (long long)want->remaining_due_fen);
	return 0;
}

/* After a recharge of pay and bonus: is the order paid in full from the
   balance with something left, and what is left (*after)? */
static int
m_covers(const struct deduction_rules *d, const struct wallet_state *st,
    int64_t order, int64_t pay, int64_t bonus, int64_t *after)
{
	struct wallet_state s = *st;
	struct deduction x;

	s.principal_fen += pay;
	s.bonus_fen += bonus;
	s.bonus_today_fen += bonus;
	m_deduct(d, &s, order, &x);
	*after = s.principal_fen + s.bonus_fen - x.paid_fen;
	return x.remaining_due_fen == 0 && *after > 0;
}

/* The round figure: 10 yuan steps up to 100 yuan, 50 up to 1,000, then
   100, counted up from the first step. */
static int64_t
m_round(int64_t fen)
{
	int64_t step = fen <= 10000 ? 1000 : fen <= 100000 ? 5000 : 10000;
	int64_t r = step;

	while (r < fen)
		r += step;
	return r;
}

/* The model of topup_suggest; returns the count, fills want. */
static int
m_topup(const struct deduction_rules *d, const struct wallet_state *st,
    int64_t order, const struct recharge_pkg *pkgs, int npkgs,
    const struct custom_amount *cu, struct topup want[TOPUP_MAX + 1])
{
	struct recharge_pkg q[L_PKGS];
	struct deduction now;
	int nq = 0, n = 0, i, j, custom = 0;
	int64_t after, c = 0, c_after = 0;

	m_deduct(d, st, order, &now);
	if (now.remaining_due_fen == 0)
		return 0;
	/* the packages that cover */
	for (i = 0; i < npkgs; i++)
		if (pkgs[i].pay_fen > 0 && pkgs[i].bonus_fen >= 0 &&
		    m_covers(d, st, order, pkgs[i].pay_fen, pkgs[i].bonus_fen,
		    &after))
			q[nq++] = pkgs[i];
	/* the least custom amount that covers, found from both ends:
	   covering only gets easier with more money */
	if (cu->enabled && cu->max_fen >= 1 && cu->max_fen >= cu->min_fen &&
	    m_covers(d, st, order, cu->max_fen, 0, &after)) {
		int64_t lo = 0, hi = cu->max_fen;	/* lo fails, hi covers */

		while (hi - lo > 1) {
			int64_t mid = (lo + hi) / 2;

			if (m_covers(d, st, order, mid, 0, &after))
				hi = mid;
			else
				lo = mid;
		}
		c = m_round(hi);
		if (c < cu->min_fen)
			c = cu->min_fen;
		if (c > cu->max_fen)
			c = cu->max_fen;
		m_covers(d, st, order, c, 0, &c_after);
		custom = 1;
	}
	/* the packages, up to two beside a custom amount: pick the best of
	   what is left each time (a custom amount at the price of one of
	   them is not offered, and a third package is shown instead) */
	while (nq > 0 && n < (custom ? TOPUP_MAX - 1 : TOPUP_MAX)) {
		int best = 0;

		for (i = 1; i < nq; i++)
			if (q[i].pay_fen < q[best].pay_fen ||
			    (q[i].pay_fen == q[best].pay_fen &&
			    q[i].bonus_fen > q[best].bonus_fen))
				best = i;
		if (custom && q[best].pay_fen == c)
			custom = 0;
		memset(&want[n], 0, sizeof(want[n]));
		want[n].pay_fen = q[best].pay_fen;
		want[n].bonus_fen = q[best].bonus_fen;
		want[n].package_id = q[best].id;
		m_covers(d, st, order, q[best].pay_fen, q[best].bonus_fen,
		    &want[n].balance_after_fen);
		n++;
		memmove(&q[best], &q[best + 1], (size_t)(nq - best - 1) *
		    sizeof(q[0]));
		nq--;
	}
	if (custom) {
		/* after the packages of a lower or the same pay */
		for (j = n; j > 0 && want[j - 1].pay_fen > c; j--)
			want[j] = want[j - 1];
		memset(&want[j], 0, sizeof(want[j]));
		want[j].pay_fen = c;
		want[j].balance_after_fen = c_after;
		n++;
	}
	return n;
}

/* The model of refund_split: principal gets its exact share rounded to
   the nearest fen (a half up: a tie to principal), bonus the rest. */
static void
m_refund(int64_t amount, int64_t rp, int64_t rb, int64_t *p, int64_t *b)
{
	int64_t t = rp + rb;

	if (amount >= t) {
		*p = rp;
		*b = rb;
		return;
	}
	*p = (2 * amount * rp + t) / (2 * t);
	*b = amount - *p;
}

/* What a payment keeps of what it earned, as a fraction of it. */
static int64_t
m_keep(int64_t earned, int64_t paid, int64_t unrefunded)
{
	if (unrefunded >= paid)
		return earned;
	return earned * unrefunded / paid;
}

/*
 * Top-up suggestions for an order the balance does not cover, under the
 * payment's settings (with no cap half the time: a cap below the order
 * leaves nothing to suggest) for a balance of its own.
 */
static int
l_topup_step(int step, const struct deduction_rules *rules,
    const struct wallet_state *member)
{
	struct deduction_rules dr = *rules;
	const struct deduction_rules *d = &dr;
	struct wallet_state s = *member, *st = &s;
	int64_t order = 1 + l_rand(80000);
	struct recharge_pkg pkgs[L_PKGS];
	struct custom_amount cu;
	struct topup got[TOPUP_MAX], want[TOPUP_MAX + 1];
	int64_t payable = -1;
	int npkgs = (int)l_rand(L_PKGS + 1), i, n, nw;

	if (l_rand(2))
		dr.cap = CAP_NONE;
	s.principal_fen = l_rand(order);
	s.bonus_fen = l_rand(order / 2 + 1);
	s.bonus_today_fen = l_rand(s.bonus_fen + 1);
	for (i = 0; i < npkgs; i++) {
		/* round prices, a few alike, so that ties and a custom
		   amount at a package's price turn up */
		pkgs[i].id = i + 1;
		pkgs[i].pay_fen = l_rand(4) == 0 && i > 0 ?
		    pkgs[i - 1].pay_fen : 1000 * (1 + l_rand(60));
		pkgs[i].bonus_fen = l_rand(3) == 0 ? 0 :
		    l_rand(pkgs[i].pay_fen / 2 + 1);
	}
	cu.enabled = l_rand(3) != 0;
	cu.min_fen = l_rand(2) ? 0 : l_rand(20000);
	cu.max_fen = cu.min_fen + l_rand(300000);
	n = topup_suggest(d, st, order, pkgs, npkgs, &cu, got, &payable);
	nw = m_topup(d, st, order, pkgs, npkgs, &cu, want);
	{
		struct deduction x;

		m_deduct(d, st, order, &x);
		if (payable != x.paid_fen) {
			fprintf(stderr, "  step %d: payable %lld, model %lld\n",
			    step, (long long)payable, (long long)x.paid_fen);
			return -1;
		}
	}
	if (n != nw) {
		fprintf(stderr, "  step %d: %d suggestions, model %d\n", step,
		    n, nw);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (got[i].package_id != want[i].package_id ||
		    got[i].pay_fen != want[i].pay_fen ||
		    got[i].bonus_fen != want[i].bonus_fen ||
		    got[i].balance_after_fen != want[i].balance_after_fen ||
		    got[i].reason[0] == '\0') {
			fprintf(stderr, "  step %d: suggestion %d is %lld "
			    "%lld+%lld -> %lld, model %lld %lld+%lld -> %lld\n",
			    step, i, (long long)got[i].package_id,
			    (long long)got[i].pay_fen,
			    (long long)got[i].bonus_fen,
			    (long long)got[i].balance_after_fen,
			    (long long)want[i].package_id,
			    (long long)want[i].pay_fen,
			    (long long)want[i].bonus_fen,
			    (long long)want[i].balance_after_fen);
			return -1;
		}
	return 0;
}

TEST(wallet_ledger_randomized)
{
	int64_t recharged = 0, paid = 0, refunded = 0, total;
	int step, bad = 0, who, npaid = 0, ntopups = 0, nrefunds = 0;

	memset(lm, 0, sizeof(lm));
	lp = calloc(L_STEPS + 1, sizeof(*lp));
	nlp = 0;
	l_walk_max = l_model_wrong = 0;
	if (lp == NULL)
		abort();
	for (step = 0; step < L_STEPS && !bad; step++) {
		int kind = (int)l_rand(100);
		struct l_member *x;

		who = (int)l_rand(L_MEMBERS);
		x = &lm[who];
		if (kind < 35) {
			/* a recharge: pay X get Y, the bonus received today */
			int64_t pay = 1 + l_rand(100000), b = l_rand(pay / 2 + 1);

			x->principal += pay;
			x->bonus += b;
			x->today += b;
			recharged += pay + b;
		} else if (kind < 72) {
			/* a balance payment under random settings */
			struct deduction_rules d = l_rules();
			struct wallet_state st = { x->principal, x->bonus,
			    x->today, !x->paid_before };
			int64_t order = l_rand(20) == 0 ? 0 : 1 + l_rand(150000);
			int64_t per = l_rand(4), mult = 100 + 10 * l_rand(21);
			struct deduction got, want;
			struct l_payment *p;
			char field[64];
			const char *msg;

			if (deduction_rules_check(&d, field, sizeof(field),
			    &msg) != 0) {
				fprintf(stderr, "  step %d: rules refused at "
				    "%s\n", step, field);
				bad = 1;
				break;
			}
			deduction_compute(&d, &st, order, &got);
			m_deduct(&d, &st, order, &want);
			if (!l_same("payment", step, &got, &want)) {
				bad = 1;
				break;
			}
			if (l_rand(2) == 0) {
				ntopups++;
				if (l_topup_step(step, &d, &st) == -1) {
					bad = 1;
					break;
				}
			}
			if (want.paid_fen == 0)
				continue;
			/* the payment, as the model has it */
			x->principal -= want.principal_fen;
			x->bonus -= want.bonus_fen;
			x->paid_before = 1;
			paid += want.paid_fen;
			npaid++;
			p = &lp[nlp++];
			memset(p, 0, sizeof(*p));
			p->member = who;
			p->p = want.principal_fen;
			p->b = want.bonus_fen;
			p->growth = wallet_growth(want.paid_fen);
			p->points = wallet_points(want.paid_fen, per, mult);
			if (p->growth != want.paid_fen / 100 ||
			    p->points != want.paid_fen * per * mult / 10000) {
				fprintf(stderr, "  step %d: growth %lld points "
				    "%lld of %lld fen\n", step,
				    (long long)p->growth, (long long)p->points,
				    (long long)want.paid_fen);
				bad = 1;
			}
			p->growth_kept = p->growth;
			p->points_kept = p->points;
			x->growth += p->growth;
			x->points += p->points;
		} else if (kind < 97) {
			/* a refund of some payment, partial or whole */
			struct l_payment *p;
			struct l_member *o;
			int64_t left, amount, rp, rb, mp, mb, pay, un, g, pt;

			if (nlp == 0)
				continue;
			p = &lp[l_rand(nlp)];
			o = &lm[p->member];
			pay = p->p + p->b;
			left = pay - p->rp - p->rb;
			if (left == 0)
				continue;
			amount = l_rand(3) == 0 ? left : 1 + l_rand(left);
			refund_split(amount, p->p - p->rp, p->b - p->rb, &rp, &rb);
			m_refund(amount, p->p - p->rp, p->b - p->rb, &mp, &mb);
			if (rp != mp || rb != mb || mp < 0 || mb < 0 ||
			    p->rp + mp > p->p || p->rb + mb > p->b) {
				fprintf(stderr, "  step %d: refund of %lld from "
				    "%lld/%lld: %lld/%lld, model %lld/%lld\n",
				    step, (long long)amount,
				    (long long)(p->p - p->rp),
				    (long long)(p->b - p->rb), (long long)rp,
				    (long long)rb, (long long)mp, (long long)mb);
				bad = 1;
				break;
			}
			p->rp += mp;
			p->rb += mb;
			o->principal += mp;
			o->bonus += mb;
			refunded += amount;
			nrefunds++;
			/* what the payment keeps of its growth and points */
			un = pay - p->rp - p->rb;
			g = wallet_keep(p->growth, pay, un);
			pt = wallet_keep(p->points, pay, un);
			if (g != m_keep(p->growth, pay, un) ||
			    pt != m_keep(p->points, pay, un) ||
			    g > p->growth_kept || pt > p->points_kept) {
				fprintf(stderr, "  step %d: keeps %lld/%lld of "
				    "%lld/%lld\n", step, (long long)g,
				    (long long)pt, (long long)p->growth,
				    (long long)p->points);
				bad = 1;
			}
			o->growth -= p->growth_kept - g;
			o->points -= l_min(o->points, p->points_kept - pt);
			p->growth_kept = g;
			p->points_kept = pt;
		} else {
			/* a new day: nothing is frozen any more */
			int i;

			for (i = 0; i < L_MEMBERS; i++)
				lm[i].today = 0;
		}
		/* nothing below zero, no fen created or lost */
		total = 0;
		for (who = 0; who < L_MEMBERS; who++) {
			x = &lm[who];
			if (x->principal < 0 || x->bonus < 0 ||
			    x->growth < 0 || x->points < 0) {
				fprintf(stderr, "  step %d: member %d below "
				    "zero\n", step, who);
				bad = 1;
			}
			total += x->principal + x->bonus;
		}
		if (total != recharged - paid + refunded) {
			fprintf(stderr, "  step %d: %lld in the accounts, "
			    "%lld expected\n", step, (long long)total,
			    (long long)(recharged - paid + refunded));
			bad = 1;
		}
	}
	EXPECT_INT(bad, 0);
	EXPECT_INT(step, L_STEPS);
	/* the run reached what it is meant to check */
	EXPECT(npaid > 20000);
	EXPECT(ntopups > 15000);
	EXPECT(nrefunds > 10000);
	EXPECT(l_walk_max < 200);
	EXPECT_INT(l_model_wrong, 0);
	free(lp);
}
