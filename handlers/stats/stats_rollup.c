/*
 * The daily rollups the reports read (migration 0027): each statement
 * below reads the raw rows of one source through a filter, groups them by
 * merchant, local day, store (and channel, template or member) and adds
 * them to the rollup. An event runs it for its one row (the member who
 * joined, the order paid, the refund done, the recharge paid) in the
 * event's transaction; `app stats rebuild` runs the very same statement
 * for a day's rows after deleting the day's rollups. Claims are counted
 * by the claim itself (COUPON_SQL_CLAIM_ROLLUP, coupon/coupon.h), a
 * coupon used, given back or voided by the statement that changes it
 * (COUPON_SQL_MOVE_ROLLUP, COUPON_SQL_CANCEL_ROLLUP; rebuilt from the
 * coupons claimed and used on the day), the
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
#include "job.h"
#include "member/member.h"
#include "order/order.h"
#include "stats.h"
#include "wallet/wallet.h"

#include "stats_sql.h"

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
DB_SQL(q_rb_order_coupons, SQL_ORDER_COUPONS_AT("0", SPAN("o", "paid_at")));
DB_SQL(q_rb_refund_days, SQL_REFUND_DAYS(SPAN("f", "done_at")));
DB_SQL(q_rb_recharge_days, SQL_RECHARGE_DAYS(SPAN("rc", "paid_at")));
DB_SQL(q_rb_recharge_channels,
    SQL_RECHARGE_CHANNELS(SPAN("rc", "paid_at")));
DB_SQL(q_rb_recharge_members, SQL_RECHARGE_MEMBERS(SPAN("rc", "paid_at")));
DB_SQL(q_rb_claims,
    COUPON_SQL_CLAIM_ROLLUP_AT("0", SPAN("c", "claimed_at")));
DB_SQL(q_rb_redeemed,
    COUPON_SQL_REDEEMED_ROLLUP_AT("0", SPAN("c", "used_at")));
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

/* ---- the slots of past days folded into slot 0 ---- */

#define CP_COLS \
	"claims, new_claims, claimed_used, claimed_cancelled, orders, uses," \
	" discount_fen, order_fen, redeemed, redeemed_discount_fen," \
	" redeemed_order_fen"
#define CP_FOLD(c)	c " = stats_coupon_days." c " + VALUES(" c ")"
/* (merchant, day): the day's rows of the other slots added to slot 0 ... */
DB_SQL(q_cp_fold,
    "INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id,"
    " valid_until, slot, " CP_COLS ") SELECT merchant_id, day, store_id,"
    " template_id, valid_until, 0, SUM(claims), SUM(new_claims),"
    " SUM(claimed_used), SUM(claimed_cancelled), SUM(orders), SUM(uses),"
    " SUM(discount_fen), SUM(order_fen), SUM(redeemed),"
    " SUM(redeemed_discount_fen), SUM(redeemed_order_fen)"
    " FROM stats_coupon_days WHERE merchant_id = ? AND day = ? AND slot <> 0"
    " GROUP BY merchant_id, day, store_id, template_id, valid_until"
    " ON DUPLICATE KEY UPDATE " CP_FOLD("claims") ", " CP_FOLD("new_claims")
    ", " CP_FOLD("claimed_used") ", " CP_FOLD("claimed_cancelled") ", "
    CP_FOLD("orders") ", " CP_FOLD("uses") ", " CP_FOLD("discount_fen") ", "
    CP_FOLD("order_fen") ", " CP_FOLD("redeemed") ", "
    CP_FOLD("redeemed_discount_fen") ", " CP_FOLD("redeemed_order_fen"));
/* ... and gone (the INSERT's locking read holds them until the commit). */
DB_SQL(q_cp_unslot,
    "DELETE FROM stats_coupon_days WHERE merchant_id = ? AND day = ?"
    " AND slot <> 0");

#define FOLD_DAYS	7

static int stats_fold_batch(struct job_run *);

/*
 * Each night the coupon rollups of the 7 days before today are folded
 * into slot 0 (a use given back or a void on an old day writes a new slot
 * row there), so that a report over a year reads a row per template,
 * store and day, not one per connection that wrote it.
 */
JOB(stats_fold_job) = {
	"coupon-stats-fold", "优惠券统计整理", JOB_DAILY, 4,
	{ "整理天数", NULL, NULL, NULL },
	stats_fold_batch,
};

/* One day a batch, the cursor counting them (1..FOLD_DAYS). */
static int
stats_fold_batch(struct job_run *j)
{
	struct req *r = j->r;
	char date[11];

	if (j->cursor >= FOLD_DAYS)
		return JOB_DONE;
	stats_date((long)(j->day_start + j->tz_off) / 86400 - 1 -
	    (long)j->cursor, date);
	if (DB(r, &q_cp_fold, NULL, DBI(r->m->id), DBS(date)) != DB_OK ||
	    DB(r, &q_cp_unslot, NULL, DBI(r->m->id), DBS(date)) != DB_OK)
		return db_fail(r);
	j->cursor++;
	j->count[0]++;
	return j->cursor >= FOLD_DAYS ? JOB_DONE : JOB_MORE;
}

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
	    &q_rb_recharge_members, &q_rb_claims, &q_rb_redeemed, &q_rb_ledger,
	    NULL };
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
