/*
 * Points rules: the expiry of a lot in each mode (month ends, year ends,
 * leap days), the caps per order and per day, spending across lots in
 * order, refunds taking back into negative points and later earnings
 * paying them off, and a randomized ledger of 20,000 operations whose
 * balance is always the sum of its lots and of its entries.
 */
#include <stdlib.h>

#include "points/points_rules.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

TEST(points_expiry_table)
{
	static const struct {
		enum points_expiry mode;
		int months;
		const char *earned, *want;
		int rc;
	} c[] = {
		{ PX_NEVER, 12, "2026-12-01", "", 0 },
		{ PX_NEVER, 0, "2026-12-01", "", 0 },
		{ PX_MONTHS, 12, "2026-12-01", "2027-12-01", 1 },
		{ PX_MONTHS, 1, "2026-01-31", "2026-02-28", 1 },
		{ PX_MONTHS, 1, "2028-01-31", "2028-02-29", 1 },	/* leap */
		{ PX_MONTHS, 12, "2024-02-29", "2025-02-28", 1 },	/* leap day */
		{ PX_MONTHS, 48, "2024-02-29", "2028-02-29", 1 },
		{ PX_MONTHS, 6, "2026-08-31", "2027-02-28", 1 },
		{ PX_MONTHS, 3, "2026-11-30", "2027-02-28", 1 },
		{ PX_MONTHS, 120, "2026-12-31", "2036-12-31", 1 },
		{ PX_MONTHS, 0, "2026-12-01", "", -1 },
		{ PX_MONTHS, 121, "2026-12-01", "", -1 },
		{ PX_YEAR_END, 0, "2026-01-01", "2027-12-31", 1 },
		{ PX_YEAR_END, 0, "2026-12-31", "2027-12-31", 1 },
		{ PX_YEAR_END, 0, "2024-02-29", "2025-12-31", 1 },
		{ PX_YEAR_END, 0, "2026-12-31 23:59:59", "2027-12-31", 1 },
		{ PX_YEAR_END, 0, "2026-02-30", "", -1 },
		{ PX_NEVER, 0, "bad", "", -1 },
	};
	char out[11];
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		int rc = points_expiry_date(c[i].mode, c[i].months, c[i].earned,
		    out);

		EXPECT_INT(rc, c[i].rc);
		if (rc >= 0)
			EXPECT_STR(out, c[i].want);
	}
	EXPECT(points_expiry_date(PX_NEVER, 0, NULL, out) == -1);
}

TEST(points_expiry_names)
{
	enum points_expiry e;

	EXPECT(points_expiry_parse("never", &e) == 0 && e == PX_NEVER);
	EXPECT(points_expiry_parse("months", &e) == 0 && e == PX_MONTHS);
	EXPECT(points_expiry_parse("year_end", &e) == 0 && e == PX_YEAR_END);
	EXPECT(points_expiry_parse("yearly", &e) == -1);
	EXPECT(points_expiry_parse(NULL, &e) == -1);
	EXPECT_STR(points_expiry_name(PX_YEAR_END), "year_end");
}

TEST(points_caps_table)
{
	static const struct {
		int64_t raw, per_order, per_day, today, want;
	} c[] = {
		{ 120, POINTS_NONE, POINTS_NONE, 0, 120 },
		{ 120, 50, POINTS_NONE, 0, 50 },	/* per order */
		{ 120, 50, 80, 0, 50 },
		{ 120, 50, 80, 50, 30 },		/* what the day leaves */
		{ 120, 50, 80, 80, 0 },			/* the day is full */
		{ 120, 50, 80, 95, 0 },			/* over (cap lowered) */
		{ 120, POINTS_NONE, 100, 30, 70 },
		{ 20, POINTS_NONE, 100, 30, 20 },
		{ 0, 50, 80, 0, 0 },
		{ -5, 50, 80, 0, 0 },
		{ 120, 0, POINTS_NONE, 0, 0 },
		{ 120, POINTS_NONE, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++)
		EXPECT_INT(points_capped(c[i].raw, c[i].per_order, c[i].per_day,
		    c[i].today), c[i].want);
}

TEST(points_fifo_across_lots)
{
	/* sorted as the ledger reads them: oldest expiry first */
	static const struct {
		int64_t left[4], n, want_take[4], want_got;
	} c[] = {
		{ { 200, 300, 500, 0 }, 400, { 200, 200, 0, 0 }, 400 },
		{ { 200, 300, 500, 0 }, 200, { 200, 0, 0, 0 }, 200 },
		{ { 200, 300, 500, 0 }, 1000, { 200, 300, 500, 0 }, 1000 },
		{ { 200, 300, 500, 0 }, 1200, { 200, 300, 500, 0 }, 1000 },
		{ { 0, 300, 0, 50 }, 320, { 0, 300, 0, 20 }, 320 },
		{ { 200, 300, 500, 0 }, 0, { 0, 0, 0, 0 }, 0 },
		{ { 1, 1, 1, 1 }, 3, { 1, 1, 1, 0 }, 3 },
	};
	int64_t take[4];
	size_t i, k;

	for (i = 0; i < NELEM(c); i++) {
		EXPECT_INT(points_take(c[i].left, 4, c[i].n, take),
		    c[i].want_got);
		for (k = 0; k < 4; k++)
			EXPECT_INT(take[k], c[i].want_take[k]);
	}
}

TEST(points_refund_negative_then_paid_off)
{
	int64_t taken, owed, pay, lot, held, neg;

	/* earned 100, spent 80: the refund takes 20, owes 80 */
	held = 20;
	neg = 0;
	points_take_back_split(100, held, &taken, &owed);
	EXPECT_INT(taken, 20);
	EXPECT_INT(owed, 80);
	held -= taken;
	neg += owed;
	EXPECT_INT(held, 0);
	/* the next earning of 50 pays off 50, nothing to spend yet */
	points_credit_split(50, neg, &pay, &lot);
	EXPECT_INT(pay, 50);
	EXPECT_INT(lot, 0);
	neg -= pay;
	held += lot;
	/* then 200: 30 pays off the rest, 170 is a lot */
	points_credit_split(200, neg, &pay, &lot);
	EXPECT_INT(pay, 30);
	EXPECT_INT(lot, 170);
	neg -= pay;
	held += lot;
	EXPECT_INT(neg, 0);
	EXPECT_INT(held, 170);
	/* nothing owed: all of it is a lot; a take-back within what is held */
	points_credit_split(10, 0, &pay, &lot);
	EXPECT_INT(pay, 0);
	EXPECT_INT(lot, 10);
	points_take_back_split(100, 500, &taken, &owed);
	EXPECT_INT(taken, 100);
	EXPECT_INT(owed, 0);
	points_take_back_split(0, 500, &taken, &owed);
	EXPECT_INT(taken + owed, 0);
	points_credit_split(0, 40, &pay, &lot);
	EXPECT_INT(pay + lot, 0);
}

/*
 * A model ledger driven only by the rules: earnings (capped), spendings,
 * take-backs and expiries in random order. After every step the balance
 * is the sum of the lots, never below 0, nothing is owed while points
 * are held, and the entries add up to the balance less the negative
 * points.
 */
#define MODEL_LOTS	64

TEST(points_random_ledger)
{
	int64_t left[MODEL_LOTS], take[MODEL_LOTS];
	int64_t balance = 0, negative = 0, entries = 0, today = 0;
	int nlots = 0, i, step;

	srand(7);
	for (step = 0; step < 20000; step++) {
		int op = rand() % 4;
		int64_t n = rand() % 300, sum = 0, pay, lot, got, taken, owed;

		if (step % 50 == 0)
			today = 0;	/* a new day */
		switch (op) {
		case 0:		/* earn, capped 200 an order, 500 a day */
			n = points_capped(n, 200, 500, today);
			today += n;
			points_credit_split(n, negative, &pay, &lot);
			negative -= pay;
			if (lot > 0) {
				if (nlots == MODEL_LOTS) {
					/* merge into the last: the model's
					   bound, not the ledger's */
					left[nlots - 1] += lot;
				} else
					left[nlots++] = lot;
			}
			balance += lot;
			entries += n;
			EXPECT(n <= 200);
			EXPECT(today <= 500);
			break;
		case 1:		/* spend what is there */
			if (n > balance)
				break;
			got = points_take(left, nlots, n, take);
			EXPECT_INT(got, n);
			for (i = 0; i < nlots; i++)
				left[i] -= take[i];
			balance -= n;
			entries -= n;
			break;
		case 2:		/* a refund takes back */
			points_take_back_split(n, balance, &taken, &owed);
			got = points_take(left, nlots, taken, take);
			EXPECT_INT(got, taken);
			for (i = 0; i < nlots; i++)
				left[i] -= take[i];
			balance -= taken;
			negative += owed;
			entries -= n;
			break;
		case 3:		/* the oldest lot expires */
			if (nlots == 0)
				break;
			balance -= left[0];
			entries -= left[0];
			for (i = 1; i < nlots; i++)
				left[i - 1] = left[i];
			nlots--;
			break;
		}
		for (i = 0; i < nlots; i++) {
			EXPECT(left[i] >= 0);
			sum += left[i];
		}
		EXPECT_INT(sum, balance);
		EXPECT(balance >= 0);
		EXPECT(negative >= 0);
		/* owing and holding at once never happens */
		EXPECT(!(balance > 0 && negative > 0));
		EXPECT_INT(entries, balance - negative);
		if (unit_failed_checks > 20)
			return;
	}
}
