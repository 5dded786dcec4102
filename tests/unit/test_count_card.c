/*
 * Count cards: the status at a time, the expiry of a sale, the
 * merchant's day, the refund checks and the pro-rata share of uses, and
 * that the order's refund of a count-card line (its units the uses) gives
 * back exactly that share, tender by tender added up, over any sequence
 * of refunds.
 */
#include "card/card_rules.h"
#include "order/order.h"
#include "unit.h"

#define TZ8	(8 * 3600L)

TEST(count_card_status_table)
{
	static const struct {
		int64_t left, refunded, expires, now;
		const char *want;
	} t[] = {
		{ 5, 0, 1000, 999, "active" },
		{ 5, 0, 1000, 1000, "active" },		/* its last second */
		{ 5, 0, 1000, 1001, "expired" },
		{ 5, 3, 1000, 1001, "expired" },	/* partly refunded */
		{ 0, 0, 1000, 10, "used_up" },
		{ 0, 0, 1000, 5000, "used_up" },	/* used up wins */
		{ 0, 2, 1000, 10, "refunded" },
		{ 0, 2, 1000, 5000, "refunded" },
		{ 2, 2, 1000, 10, "active" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		EXPECT_STR(count_card_status(t[i].left, t[i].refunded,
		    t[i].expires, t[i].now), t[i].want);
	EXPECT_STR(count_card_status_cn("active"), "可使用");
	EXPECT_STR(count_card_status_cn("used_up"), "已用完");
	EXPECT_STR(count_card_status_cn("expired"), "已过期");
	EXPECT_STR(count_card_status_cn("refunded"), "已退款");
}

TEST(count_card_expiry_and_day)
{
	/* 2026-12-01 15:59:59 UTC is 23:59:59 local (+08:00); 16:00 the next day */
	int64_t t0 = 1796140799, t1 = 1796140800;

	EXPECT_INT(count_card_day(t0, TZ8), count_card_day(t1, TZ8) - 1);
	EXPECT_INT(count_card_day(t0, 0), count_card_day(t1, 0));
	/* 1 day: the end of the day of the sale */
	EXPECT_INT(count_card_expires(1, 1, 0, t0, TZ8), t0);
	EXPECT_INT(count_card_expires(1, 1, 0, t0 - 86399, TZ8), t0);
	EXPECT_INT(count_card_expires(1, 30, 0, t0 - 3600, TZ8),
	    t0 + 29 * 86400);
	EXPECT_INT(count_card_expires(1, 1, 0, t1, TZ8), t0 + 86400);
	/* until: the end of that day as given */
	EXPECT_INT(count_card_expires(0, 0, 123456, t1, TZ8), 123456);
	/* before 1970 in the zone still floors */
	EXPECT_INT(count_card_day(-1, 0), -1);
}

TEST(count_card_refund_check_table)
{
	EXPECT_INT(count_card_refund_check(1, 0), CC_REFUND_USED_UP);
	EXPECT_INT(count_card_refund_check(3, 3), CC_REFUND_OK);
	EXPECT_INT(count_card_refund_check(4, 3), CC_REFUND_EXCEEDS);
	EXPECT_INT(count_card_refund_check(1, 1), CC_REFUND_OK);
}

TEST(count_card_refund_fen_pro_rata)
{
	/* 10.00 for 3 uses: 3.34, 3.33, 3.33 */
	EXPECT_INT(count_card_refund_fen(1000, 3, 0, 1), 334);
	EXPECT_INT(count_card_refund_fen(1000, 3, 1, 1), 333);
	EXPECT_INT(count_card_refund_fen(1000, 3, 2, 1), 333);
	EXPECT_INT(count_card_refund_fen(1000, 3, 0, 3), 1000);
	/* 15.00 for 7: two uses of 2.15, five of 2.14 */
	EXPECT_INT(count_card_refund_fen(1500, 7, 0, 2), 430);
	EXPECT_INT(count_card_refund_fen(1500, 7, 2, 2), 428);
	EXPECT_INT(count_card_refund_fen(1500, 7, 4, 1), 214);
	EXPECT_INT(count_card_refund_fen(1500, 7, 5, 2), 428);
	/* nothing, or past the end */
	EXPECT_INT(count_card_refund_fen(0, 7, 0, 2), 0);
	EXPECT_INT(count_card_refund_fen(1500, 7, 7, 1), 0);
	EXPECT_INT(count_card_refund_fen(1500, 7, 6, 5), 214);
	EXPECT_INT(count_card_refund_fen(1500, 0, 0, 1), 0);
}

TEST(count_card_refund_fen_adds_up_in_any_order_of_refunds)
{
	int64_t paid, total, done, k, sum, one, lo, hi;
	unsigned seed = 7;

	for (paid = 0; paid < 2000; paid += 97)
		for (total = 1; total <= 13; total++) {
			done = 0;
			sum = 0;
			lo = INT64_MAX;
			hi = 0;
			while (done < total) {
				seed = seed * 1103515245u + 12345u;
				k = 1 + (int64_t)((seed >> 16) % 3);
				if (done + k > total)
					k = total - done;
				sum += count_card_refund_fen(paid, total, done, k);
				one = count_card_refund_fen(paid, total, done, 1);
				lo = one < lo ? one : lo;
				hi = one > hi ? one : hi;
				done += k;
			}
			EXPECT_INT(sum, paid);
			EXPECT(hi - lo <= 1);
		}
}

/*
 * A count-card line as the order refunds it: units = uses, its money in
 * several tenders. Each refund of k uses gives back, tenders added up,
 * count_card_refund_fen() of the line's whole paid amount.
 */
TEST(count_card_order_refund_is_the_share)
{
	static const int64_t parts[][3] = {	/* points, principal, cash */
		{ 0, 0, 1500 }, { 0, 1000, 500 }, { 123, 777, 601 },
		{ 1, 1, 1999 }, { 0, 2002, 0 },
	};
	static const int64_t steps[][4] = { { 2, 2, 1, 0 }, { 1, 2, 3, 0 },
	    { 3, 3, 1, 0 }, { 1, 1, 1, 1 } };
	static struct priced o;
	static struct order_refund done[8];
	struct refund_req rq;
	size_t p, s;
	int64_t uses = 7, paid, back, d;
	int n, k, j, tv;

	for (p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
		for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			memset(&o, 0, sizeof(o));
			o.nlines = 1;
			o.lines[0].line_no = 1;
			o.lines[0].qty = uses;
			o.lines[0].tender[TD_POINTS] = parts[p][0];
			o.lines[0].tender[TD_PRINCIPAL] = parts[p][1];
			o.lines[0].tender[TD_CASH] = parts[p][2];
			for (tv = 0; tv < TD_N; tv++)
				o.tender[tv] = o.lines[0].tender[tv];
			paid = parts[p][0] + parts[p][1] + parts[p][2];
			o.total_fen = o.lines[0].net_fen = o.lines[0].list_fen =
			    paid;
			o.points_fen = parts[p][0];
			o.points_used = parts[p][0] * 100;
			d = 0;
			for (n = 0, k = 0; k < 4 && steps[s][k] > 0 &&
			    d + steps[s][k] <= uses; k++, n++) {
				memset(&rq, 0, sizeof(rq));
				rq.nlines = 1;
				rq.lines[0].line_no = 1;
				rq.lines[0].qty = steps[s][k];
				rq.amount_fen = ORDER_NONE;
				EXPECT_INT(refund_compute(&o, done, n, &rq,
				    &done[n]), 0);
				for (back = 0, j = 0; j < TD_N; j++)
					back += done[n].lines[0].tender[j];
				EXPECT_INT(back, count_card_refund_fen(paid, uses,
				    d, steps[s][k]));
				d += steps[s][k];
			}
		}
}
