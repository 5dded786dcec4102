/*
 * The daily rollups the reports read (migration 0027): each statement
 * below reads the raw rows of one source through a filter, groups them by
 * merchant, local day, store (and channel, template or member) and adds
 * them to the rollup. An event runs it for its one row (the member who
 * joined, the order paid, the refund done, the recharge paid) in the
 * event's transaction; `app stats rebuild` runs the very same statement
 * for a day's rows after deleting the day's rollups. Claims are counted
 * by the claim itself (COUPON_SQL_CLAIM_ROLLUP, coupon/coupon.h), the
 * stored-value ledger by each entry (WALLET_SQL_BALANCE_ROLLUP,
 * wallet/wallet.h).
 *
 * Every statement's first parameter is the merchant's offset from UTC in
 * seconds (the derived table p0), then the filter's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "member/member.h"
#include "order/order.h"
#include "stats.h"
#include "wallet/wallet.h"

#define TZ0		"(SELECT ? AS tz) p0 STRAIGHT_JOIN "
#define LOCAL(col)	"DATE(" col " + INTERVAL p0.tz SECOND)"
/* The store of a join channel "store:<id>", else 0. */
#define STORE_OF(ch) \
	"IF(" ch " REGEXP '^store:[0-9]{1,18}$', CAST(SUBSTRING(" ch ", 7)" \
	" AS UNSIGNED), 0)"
/* How a recharge was paid: checkout (a top-up inside a checkout, provider
   counter), counter (cash or card at the counter) or online. */
#define RC_CHANNEL(p) \
	"CASE " p " WHEN 'counter' THEN 'checkout' WHEN 'cash' THEN 'counter'" \
	" WHEN 'card' THEN 'counter' ELSE 'online' END"
#define ADD(t, c)	c " = " t "." c " + VALUES(" c ")"

/* ---- the statements, by source ---- */

#define SQL_JOIN_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, new_members," \
	" referred_members) SELECT x.merchant_id, x.day, x.store_id," \
	" COUNT(*)," \
	" SUM(x.referred) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, " \
	STORE_OF("mb.channel") " AS store_id," \
	" mb.referrer_id IS NOT NULL AS referred FROM " TZ0 "members mb" \
	" WHERE " w ") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_days", "new_members") ", " \
	ADD("stats_days", "referred_members")
#define SQL_JOIN_CHANNELS(w) \
	"INSERT INTO stats_channel_days (merchant_id, day, store_id, kind," \
	" channel, n) SELECT x.merchant_id, x.day, x.store_id, 'join'," \
	" x.channel, COUNT(*) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, " \
	STORE_OF("mb.channel") " AS store_id," \
	" mb.channel FROM " TZ0 "members mb WHERE " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.channel" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_channel_days", "n")
#define SQL_JOIN_REFERRERS(w) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id," \
	" store_id," \
	" join_day, referred) SELECT x.merchant_id, x.day, x.referrer_id, 0," \
	" x.join_day, COUNT(*) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, mb.referrer_id, " \
	LOCAL("rr.joined_at") " AS join_day FROM " TZ0 "members mb" \
	" JOIN members rr ON rr.id = mb.referrer_id WHERE " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.referrer_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_member_days", "referred")

#define SQL_ORDER_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, member_orders," \
	" member_order_fen, non_member_orders, non_member_order_fen," \
	" coupon_orders, coupon_order_fen, coupon_discount_fen)" \
	" SELECT x.merchant_id, x.day, x.store_id, SUM(x.mem)," \
	" SUM(IF(x.mem, x.total_fen, 0)), SUM(NOT x.mem)," \
	" SUM(IF(x.mem, 0, x.total_fen)), SUM(x.disc IS NOT NULL)," \
	" SUM(IF(x.disc IS NULL, 0, x.total_fen)), IFNULL(SUM(x.disc), 0)" \
	" FROM (SELECT o.merchant_id, " LOCAL("o.paid_at") " AS day," \
	" o.store_id, o.member_id IS NOT NULL AS mem, o.total_fen," \
	" (SELECT SUM(a.amount_fen) FROM order_adjustments a" \
	"  WHERE a.order_id = o.id AND a.kind = 'coupon'" \
	"  AND a.ref IS NOT NULL) AS disc" \
	" FROM " TZ0 "orders o WHERE o.paid_at IS NOT NULL AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id ON DUPLICATE KEY UPDATE " \
	ADD("stats_days", "member_orders") ", " \
	ADD("stats_days", "member_order_fen") ", " \
	ADD("stats_days", "non_member_orders") ", " \
	ADD("stats_days", "non_member_order_fen") ", " \
	ADD("stats_days", "coupon_orders") ", " \
	ADD("stats_days", "coupon_order_fen") ", " \
	ADD("stats_days", "coupon_discount_fen")
#define SQL_ORDER_MEMBERS(w) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id," \
	" store_id," \
	" join_day, orders, order_fen) SELECT x.merchant_id, x.day," \
	" x.member_id, x.store_id, x.join_day, COUNT(*), SUM(x.total_fen)" \
	" FROM (SELECT o.merchant_id, " LOCAL("o.paid_at") " AS day," \
	" o.member_id, o.store_id, " LOCAL("mb.joined_at") " AS join_day," \
	" o.total_fen FROM " TZ0 "orders o JOIN members mb" \
	" ON mb.id = o.member_id WHERE o.paid_at IS NOT NULL AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.member_id, x.store_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_member_days", "orders") ", " \
	ADD("stats_member_days", "order_fen")
#define SQL_ORDER_COUPONS(w) \
	"INSERT INTO stats_coupon_days (merchant_id, day, store_id," \
	" template_id, orders, uses, discount_fen, order_fen)" \
	" SELECT y.merchant_id, y.day, y.store_id, y.template_id, COUNT(*)," \
	" SUM(y.uses), SUM(y.disc), SUM(y.total_fen) FROM (" \
	" SELECT o.id, o.merchant_id, " LOCAL("o.paid_at") " AS day," \
	" o.store_id, c.template_id, COUNT(*) AS uses," \
	" SUM(a.amount_fen) AS disc, MAX(o.total_fen) AS total_fen" \
	" FROM " TZ0 "orders o JOIN order_adjustments a ON a.order_id = o.id" \
	" AND a.kind = 'coupon' JOIN coupons c" \
	" ON c.merchant_id = o.merchant_id AND c.code = a.ref" \
	" WHERE o.paid_at IS NOT NULL AND " w \
	" GROUP BY o.id, o.merchant_id, day, o.store_id, c.template_id) y" \
	" GROUP BY y.merchant_id, y.day, y.store_id, y.template_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_coupon_days", "orders") ", " \
	ADD("stats_coupon_days", "uses") ", " \
	ADD("stats_coupon_days", "discount_fen") ", " \
	ADD("stats_coupon_days", "order_fen")

#define SQL_REFUND_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, refunds," \
	" refund_fen) SELECT x.merchant_id, x.day, x.store_id, COUNT(*)," \
	" SUM(x.amount_fen) FROM (SELECT f.merchant_id, " LOCAL("f.done_at") \
	" AS day, o.store_id, f.amount_fen FROM " TZ0 "order_refunds f" \
	" JOIN orders o ON o.id = f.order_id WHERE f.status = 'done' AND " w \
	") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_days", "refunds") ", " \
	ADD("stats_days", "refund_fen")

#define SQL_RECHARGE_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, recharges," \
	" recharge_fen, recharge_bonus_fen) SELECT x.merchant_id, x.day," \
	" x.store_id, COUNT(*), SUM(x.pay_fen), SUM(x.bonus_fen) FROM (" \
	" SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" IFNULL(rc.store_id, 0) AS store_id, rc.pay_fen, rc.bonus_fen" \
	" FROM " TZ0 "recharges rc WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id ON DUPLICATE KEY UPDATE " \
	ADD("stats_days", "recharges") ", " ADD("stats_days", "recharge_fen") \
	", " ADD("stats_days", "recharge_bonus_fen")
#define SQL_RECHARGE_CHANNELS(w) \
	"INSERT INTO stats_channel_days (merchant_id, day, store_id, kind," \
	" channel, n, fen) SELECT x.merchant_id, x.day, x.store_id," \
	" 'recharge', x.channel, COUNT(*), SUM(x.pay_fen) FROM (" \
	" SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" IFNULL(rc.store_id, 0) AS store_id, " RC_CHANNEL("rc.provider") \
	" AS channel, rc.pay_fen FROM " TZ0 "recharges rc" \
	" WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.channel" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_channel_days", "n") ", " \
	ADD("stats_channel_days", "fen")
#define SQL_RECHARGE_MEMBERS(w) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id," \
	" store_id," \
	" join_day, recharges, recharge_fen) SELECT x.merchant_id, x.day," \
	" x.member_id, x.store_id, x.join_day, COUNT(*), SUM(x.pay_fen)" \
	" FROM (SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" rc.member_id, IFNULL(rc.store_id, 0) AS store_id, " \
	LOCAL("mb.joined_at") " AS join_day, rc.pay_fen" \
	" FROM " TZ0 "recharges rc JOIN members mb ON mb.id = rc.member_id" \
	" WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.member_id, x.store_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_member_days", "recharges") \
	", " ADD("stats_member_days", "recharge_fen")

/* One row, for an event: (tz, merchant, id). */
#define ONE(a)		a ".merchant_id = ? AND " a ".id = ?"
/* A day's rows, for the rebuild: (tz, merchant, UTC start, UTC end). */
#define SPAN(a, t)	a ".merchant_id = ? AND " a "." t " >= ? AND " \
			a "." t " < ?"

DB_SQL(q_ev_join_days, SQL_JOIN_DAYS(ONE("mb")));
DB_SQL(q_ev_join_channels, SQL_JOIN_CHANNELS(ONE("mb")));
DB_SQL(q_ev_join_referrers, SQL_JOIN_REFERRERS(ONE("mb")));
DB_SQL(q_ev_order_days, SQL_ORDER_DAYS(ONE("o")));
DB_SQL(q_ev_order_members, SQL_ORDER_MEMBERS(ONE("o")));
DB_SQL(q_ev_order_coupons, SQL_ORDER_COUPONS(ONE("o")));
DB_SQL(q_ev_refund_days, SQL_REFUND_DAYS(ONE("f")));
DB_SQL(q_ev_recharge_days, SQL_RECHARGE_DAYS(ONE("rc")));
DB_SQL(q_ev_recharge_channels, SQL_RECHARGE_CHANNELS(ONE("rc")));
DB_SQL(q_ev_recharge_members, SQL_RECHARGE_MEMBERS(ONE("rc")));

DB_SQL(q_rb_join_days, SQL_JOIN_DAYS(SPAN("mb", "joined_at")));
DB_SQL(q_rb_join_channels, SQL_JOIN_CHANNELS(SPAN("mb", "joined_at")));
DB_SQL(q_rb_join_referrers, SQL_JOIN_REFERRERS(SPAN("mb", "joined_at")));
DB_SQL(q_rb_order_days, SQL_ORDER_DAYS(SPAN("o", "paid_at")));
DB_SQL(q_rb_order_members, SQL_ORDER_MEMBERS(SPAN("o", "paid_at")));
DB_SQL(q_rb_order_coupons, SQL_ORDER_COUPONS(SPAN("o", "paid_at")));
DB_SQL(q_rb_refund_days, SQL_REFUND_DAYS(SPAN("f", "done_at")));
DB_SQL(q_rb_recharge_days, SQL_RECHARGE_DAYS(SPAN("rc", "paid_at")));
DB_SQL(q_rb_recharge_channels,
    SQL_RECHARGE_CHANNELS(SPAN("rc", "paid_at")));
DB_SQL(q_rb_recharge_members, SQL_RECHARGE_MEMBERS(SPAN("rc", "paid_at")));
DB_SQL(q_rb_claims, COUPON_SQL_CLAIM_ROLLUP(SPAN("c", "claimed_at")));
DB_SQL(q_rb_ledger, WALLET_SQL_BALANCE_ROLLUP(SPAN("e", "created_at")));

DB_SQL(q_rb_del_days,
    "DELETE FROM stats_days WHERE merchant_id = ? AND day = ?");
DB_SQL(q_rb_del_channels,
    "DELETE FROM stats_channel_days WHERE merchant_id = ? AND day = ?");
DB_SQL(q_rb_del_coupons,
    "DELETE FROM stats_coupon_days WHERE merchant_id = ? AND day = ?");
DB_SQL(q_rb_del_members,
    "DELETE FROM stats_member_days WHERE merchant_id = ? AND day = ?");

enum { RM_ID, RM_CODE, RM_NAME, RM_TZ, RM_NCOLS };
DB_SQL_COLS(q_rb_merchants, RM_NCOLS,
    "SELECT id, code, name, tz FROM merchants WHERE ? = '' OR code = ?"
    " ORDER BY id");

/* ---- the events ---- */

/* Run the statements of qs for the row id of r->m. 0, or the status. */
static int
rollup_one(struct req *r, struct db_sql *const *qs, int64_t id)
{
	long tz = tz_offset(r->m->tz);
	int k;

	for (k = 0; qs[k] != NULL; k++)
		if (DB(r, qs[k], NULL, DBI(tz), DBI(r->m->id), DBI(id)) !=
		    DB_OK)
			return db_fail(r);
	return 0;
}

static int
stats_on_joined(struct req *r, const void *payload)
{
	static struct db_sql *const qs[] = { &q_ev_join_days,
	    &q_ev_join_channels, &q_ev_join_referrers, NULL };
	const struct member_joined *ev = payload;

	return rollup_one(r, qs, ev->member_id);
}
ON_EVENT(EV_MEMBER_JOINED, 80, stats_on_joined);

static int
stats_on_paid(struct req *r, const void *payload)
{
	static struct db_sql *const qs[] = { &q_ev_order_days,
	    &q_ev_order_members, &q_ev_order_coupons, NULL };
	const struct order_paid *ev = payload;

	return rollup_one(r, qs, ev->order_id);
}
ON_EVENT(EV_ORDER_PAID, 80, stats_on_paid);

static int
stats_on_refunded(struct req *r, const void *payload)
{
	static struct db_sql *const qs[] = { &q_ev_refund_days, NULL };
	const struct order_refunded *ev = payload;

	return rollup_one(r, qs, ev->refund_id);
}
ON_EVENT(EV_ORDER_REFUNDED, 80, stats_on_refunded);

static int
stats_on_recharged(struct req *r, const void *payload)
{
	static struct db_sql *const qs[] = { &q_ev_recharge_days,
	    &q_ev_recharge_channels, &q_ev_recharge_members, NULL };
	const struct recharged *ev = payload;

	return rollup_one(r, qs, ev->recharge_id);
}
ON_EVENT(EV_RECHARGED, 80, stats_on_recharged);

/* ---- app stats rebuild ---- */

struct rebuild {
	long	 day;
	int	 failed;
};

/* One day of r->m: its rollups deleted and computed again. */
static int
rebuild_day_tx(struct req *r, void *arg)
{
	static struct db_sql *const del[] = { &q_rb_del_days,
	    &q_rb_del_channels, &q_rb_del_coupons, &q_rb_del_members, NULL };
	static struct db_sql *const add[] = { &q_rb_join_days,
	    &q_rb_join_channels, &q_rb_join_referrers, &q_rb_order_days,
	    &q_rb_order_members, &q_rb_order_coupons, &q_rb_refund_days,
	    &q_rb_recharge_days, &q_rb_recharge_channels,
	    &q_rb_recharge_members, &q_rb_claims, &q_rb_ledger, NULL };
	struct rebuild *b = arg;
	long tz = tz_offset(r->m->tz);
	char date[11], start[20], end[20];
	int k;

	stats_date(b->day, date);
	time_sql((int64_t)b->day * 86400 - tz, start);
	time_sql((int64_t)(b->day + 1) * 86400 - tz, end);
	for (k = 0; del[k] != NULL; k++)
		if (DB(r, del[k], NULL, DBI(r->m->id), DBS(date)) != DB_OK)
			return db_fail(r);
	for (k = 0; add[k] != NULL; k++)
		if (DB(r, add[k], NULL, DBI(tz), DBI(r->m->id), DBS(start),
		    DBS(end)) != DB_OK)
			return db_fail(r);
	return 200;
}

static int
stats_usage(void)
{
	fputs("usage: app stats rebuild --from YYYY-MM-DD --to YYYY-MM-DD"
	    " [--merchant CODE]\n", stderr);
	return 2;
}

/*
 * app stats rebuild --from --to [--merchant CODE]: the rollups of every
 * merchant (or one) for the local days from..to, recomputed from the raw
 * rows, a transaction per merchant and day.
 */
static int
cmd_stats(int argc, char *argv[])
{
	const char *from = NULL, *to = NULL, *code = "";
	struct db_res ms;
	struct req r;
	long a, b, d, days = 0;
	int i, rc = 1;

	if (argc < 2 || strcmp(argv[1], "rebuild") != 0)
		return stats_usage();
	for (i = 2; i < argc; i++) {
		if (i + 1 >= argc)
			return stats_usage();
		if (strcmp(argv[i], "--from") == 0)
			from = argv[++i];
		else if (strcmp(argv[i], "--to") == 0)
			to = argv[++i];
		else if (strcmp(argv[i], "--merchant") == 0)
			code = argv[++i];
		else
			return stats_usage();
	}
	if ((a = stats_day(from)) == -1 || (b = stats_day(to)) == -1 ||
	    a > b) {
		fputs("stats rebuild: --from and --to are dates YYYY-MM-DD,"
		    " from not after to\n", stderr);
		return 2;
	}
	if (cmd_req_init(&r) == -1)
		goto out;
	if (DB(&r, &q_rb_merchants, &ms, DBS(code), DBS(code)) != DB_OK)
		goto out;
	if (ms.nrows == 0) {
		fprintf(stderr, "stats rebuild: no merchant %s\n", code);
		goto out;
	}
	for (i = 0; i < ms.nrows; i++) {
		struct merchant *m = arena_alloc(r.a, sizeof(*m));

		memset(m, 0, sizeof(*m));
		m->id = db_int(&ms, i, RM_ID);
		m->code = db_str(&ms, i, RM_CODE);
		m->name = db_str(&ms, i, RM_NAME);
		m->tz = db_str(&ms, i, RM_TZ);
		r.m = m;
		for (d = a; d <= b; d++) {
			struct rebuild rb = { d, 0 };

			if (db_tx(&r, rebuild_day_tx, &rb) >= 400) {
				fprintf(stderr, "stats rebuild: %s failed\n",
				    m->code);
				goto out;
			}
			days++;
		}
	}
	printf("stats rebuild: %ld day(s) of %d merchant(s), %s to %s\n",
	    days / ms.nrows, ms.nrows, from, to);
	rc = 0;
out:
	cmd_req_done(&r);
	return rc;
}

COMMANDS(stats_commands) = {
	{ "stats", "rebuild --from DAY --to DAY [--merchant CODE]: the"
	  " analytics rollups recomputed from the raw rows", cmd_stats },
	{ NULL, NULL, NULL }
};
