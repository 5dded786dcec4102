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
 * wallet/wallet.h), balance payments and their refunds by their rows
 * (WALLET_SQL_PAYMENT_*, WALLET_SQL_REFUND_ROLLUP), tier moves by the
 * move (TIER_SQL_MOVE_ROLLUP, tier/tier.h; members by join day and tier
 * now, which the rebuild counts again from members). Events add to the
 * row of their connection's slot, the rebuild writes slot 0 (in two
 * passes over the days: app stats rebuild below).
 *
 * Every statement's first parameter is the merchant's offset from UTC in
 * seconds (the derived table p0), then the filter's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

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

DB_SQL(q_ev_join_days, SQL_JOIN_DAYS(ONE("mb"), EV_SLOT));
DB_SQL(q_ev_join_channels, SQL_JOIN_CHANNELS(ONE("mb"), EV_SLOT));
DB_SQL(q_ev_join_referrers, SQL_JOIN_REFERRERS(ONE("mb")));
DB_SQL(q_ev_join_tiers, SQL_JOIN_TIERS(ONE("mb"), EV_SLOT));
DB_SQL(q_ev_order_days, SQL_ORDER_DAYS(ONE("o"), EV_SLOT));
DB_SQL(q_ev_order_members, SQL_ORDER_MEMBERS(ONE("o")));
DB_SQL(q_ev_order_coupons, SQL_ORDER_COUPONS(ONE("o")));
DB_SQL(q_ev_order_active, SQL_ORDER_ACTIVE(X_ORDER, C0_EV, EV_SLOT));
DB_SQL(q_ev_order_cohort, SQL_ORDER_COHORT(X_ORDER, C0_EV, EV_SLOT));
DB_SQL(q_ev_join_referral, WALLET_SQL_ACTIVE("referral", "referred",
    "(SELECT mb.merchant_id, " LOCAL("mb.joined_at") " AS day,"
    " mb.referrer_id AS member_id FROM " TZ0 "members mb WHERE " ONE("mb")
    " AND mb.referrer_id IS NOT NULL) x", WALLET_ACTIVE_FIRST("referred")));
DB_SQL(q_ev_refund_days, SQL_REFUND_DAYS(ONE("f"), EV_SLOT));
DB_SQL(q_ev_recharge_days, SQL_RECHARGE_DAYS(ONE("rc"), EV_SLOT));
DB_SQL(q_ev_recharge_channels, SQL_RECHARGE_CHANNELS(ONE("rc"), EV_SLOT));
DB_SQL(q_ev_recharge_members, SQL_RECHARGE_MEMBERS(ONE("rc")));
DB_SQL(q_ev_recharge_active, SQL_ACTIVE("recharge", "recharges",
    X_RECHARGE, SQL_ACTIVE_FIRST("recharges")));

DB_SQL(q_rb_join_days, SQL_JOIN_DAYS(SPAN("mb", "joined_at"), RB_SLOT));
DB_SQL(q_rb_join_channels, SQL_JOIN_CHANNELS(SPAN("mb", "joined_at"),
    RB_SLOT));
DB_SQL(q_rb_join_referrers, SQL_JOIN_REFERRERS(SPAN("mb", "joined_at")));
DB_SQL(q_rb_join_tiers, SQL_JOIN_TIERS(SPAN("mb", "joined_at"), RB_SLOT));
DB_SQL(q_rb_order_days, SQL_ORDER_DAYS(SPAN("o", "paid_at"), RB_SLOT));
DB_SQL(q_rb_order_members, SQL_ORDER_MEMBERS(SPAN("o", "paid_at")));
DB_SQL(q_rb_order_coupons, SQL_ORDER_COUPONS_AT("0", SPAN("o", "paid_at")));
DB_SQL(q_rb_refund_days, SQL_REFUND_DAYS(SPAN("f", "done_at"), RB_SLOT));
DB_SQL(q_rb_recharge_days, SQL_RECHARGE_DAYS(SPAN("rc", "paid_at"),
    RB_SLOT));
DB_SQL(q_rb_recharge_channels,
    SQL_RECHARGE_CHANNELS(SPAN("rc", "paid_at"), RB_SLOT));
DB_SQL(q_rb_recharge_members, SQL_RECHARGE_MEMBERS(SPAN("rc", "paid_at")));
/* the unused past valid_until merged already, as stats-fold would */
DB_SQL(q_rb_claims, COUPON_SQL_CLAIM_ROLLUP_AT("0", COUPON_UNTIL_MERGED,
    SPAN("c", "claimed_at")));
DB_SQL(q_rb_redeemed,
    COUPON_SQL_REDEEMED_ROLLUP_AT("0", SPAN("c", "used_at")));
DB_SQL(q_rb_payments,
    WALLET_SQL_PAYMENT_ROLLUP(SPAN("p", "created_at"), RB_SLOT));
DB_SQL(q_rb_payment_members,
    WALLET_SQL_PAYMENT_MEMBERS(SPAN("p", "created_at")));
DB_SQL(q_rb_wallet_refunds,
    WALLET_SQL_REFUND_ROLLUP(SPAN("f", "created_at"), RB_SLOT));
DB_SQL(q_rb_ledger, WALLET_SQL_BALANCE_ROLLUP(SPAN("e", "created_at"),
    RB_SLOT, WALLET_RB_AFTER));

DB_SQL(q_rb_del_days,
    "DELETE FROM stats_days WHERE merchant_id = ? AND day = ?");
DB_SQL(q_rb_del_channels,
    "DELETE FROM stats_channel_days WHERE merchant_id = ?"
    " AND kind IN ('join', 'recharge', 'package', 'provider') AND day = ?");
DB_SQL(q_rb_del_coupons,
    "DELETE d FROM stats_coupon_days d FORCE INDEX (ix_scd_day)"
    " WHERE d.merchant_id = ? AND d.day = ?");
/* after the day's stats_member_days: (merchant, day) */
#define RB_ACTIVE(kind, col) WALLET_SQL_ACTIVE(kind, col, \
	"(SELECT DISTINCT merchant_id, day, member_id FROM stats_member_days" \
	" WHERE merchant_id = ? AND day = ? AND " col " > 0) x", "1")
DB_SQL(q_rb_active_payments, RB_ACTIVE("payment", "payments"));
DB_SQL(q_rb_active_recharges, SQL_ACTIVE("recharge", "recharges",
    X_DAY("recharges"), "1"));
DB_SQL(q_rb_active_referrals, RB_ACTIVE("referral", "referred"));
DB_SQL(q_rb_active_orders, SQL_ORDER_ACTIVE(X_ORDER_DAY, C0_RB, RB_SLOT));
DB_SQL(q_rb_cohorts, SQL_ORDER_COHORT(X_ORDER_DAY, C0_RB, RB_SLOT));
DB_SQL(q_rb_del_active,
    "DELETE FROM stats_active_days WHERE merchant_id = ?"
    " AND kind IN ('payment', 'recharge', 'order', 'order2', 'referral')"
    " AND day = ?");
DB_SQL(q_rb_del_cohorts,
    "DELETE FROM stats_cohort_days WHERE merchant_id = ? AND day = ?");
DB_SQL(q_rb_del_tiers,
    "DELETE FROM stats_tier_days WHERE merchant_id = ? AND day = ?");
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
	    &q_ev_join_channels, &q_ev_join_referrers, &q_ev_join_referral,
	    &q_ev_join_tiers, NULL };
	const struct member_joined *ev = payload;

	return rollup_one(r, qs, ev->member_id);
}
ON_EVENT(EV_MEMBER_JOINED, 80, stats_on_joined);

static int
stats_on_paid(struct req *r, const void *payload)
{
	static struct db_sql *const qs[] = { &q_ev_order_days,
	    &q_ev_order_members, &q_ev_order_coupons, &q_ev_order_active,
	    &q_ev_order_cohort, NULL };
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
	    &q_ev_recharge_channels, &q_ev_recharge_members,
	    &q_ev_recharge_active, NULL };
	const struct recharged *ev = payload;

	return rollup_one(r, qs, ev->recharge_id);
}
ON_EVENT(EV_RECHARGED, 80, stats_on_recharged);

/* ---- stats-fold: the slots of days past into slot 0 ---- */

/*
 * Events spread a day's rows over slots (CONNECTION_ID() % 16); once the
 * day is over nothing writes to it, and the daily job folds its slots
 * into slot 0, so that a year of reports reads one row per day and store
 * (and channel, tier, coupon template), not one per worker too; a
 * use given back or a void on an old day writes a new slot row there. Every counter of each
 * table is here: a column not listed would be lost by the fold.
 */
#define SD_COUNTERS(f) f(new_members) f(referred_members) f(member_orders) \
	f(member_order_fen) f(non_member_orders) f(non_member_order_fen) \
	f(coupon_orders) f(coupon_order_fen) f(coupon_discount_fen) \
	f(refunds) f(refund_fen) f(recharges) f(recharge_fen) \
	f(recharge_bonus_fen) f(balance_principal_fen) f(balance_bonus_fen) \
	f(wallet_payments) f(wallet_payment_order_fen) \
	f(wallet_paid_principal_fen) f(wallet_paid_bonus_fen) \
	f(wallet_refunded_fen) f(balance_holders)
#define SC_COUNTERS(f)	f(n) f(fen) f(bonus_fen)
#define ST_COUNTERS(f)	f(members)
#define F_COL(c)	", " #c
#define F_SUM(c)	", SUM(" #c ")"
#define F_ADD(t, c)	", " #c " = " t "." #c " + VALUES(" #c ")"
#define F_ADD_SD(c)	F_ADD("stats_days", c)
#define F_ADD_SC(c)	F_ADD("stats_channel_days", c)
#define F_ADD_ST(c)	F_ADD("stats_tier_days", c)
/* (merchant, day) each */
DB_SQL(q_fold_days, "INSERT INTO stats_days (merchant_id, day, store_id,"
    " slot" SD_COUNTERS(F_COL) ") SELECT merchant_id, day, store_id, 0"
    SD_COUNTERS(F_SUM) " FROM stats_days WHERE merchant_id = ? AND day = ?"
    " AND slot <> 0 GROUP BY merchant_id, day, store_id"
    " ON DUPLICATE KEY UPDATE slot = 0" SD_COUNTERS(F_ADD_SD));
DB_SQL(q_fold_channels, "INSERT INTO stats_channel_days (merchant_id, kind,"
    " day, channel, store_id, slot" SC_COUNTERS(F_COL) ") SELECT"
    " merchant_id, kind, day, channel, store_id, 0" SC_COUNTERS(F_SUM)
    " FROM stats_channel_days WHERE merchant_id = ?"
    " AND kind IN ('join', 'recharge', 'package', 'provider') AND day = ?"
    " AND slot <> 0 GROUP BY merchant_id, kind, day, channel, store_id"
    " ON DUPLICATE KEY UPDATE slot = 0" SC_COUNTERS(F_ADD_SC));
DB_SQL(q_fold_tiers, "INSERT INTO stats_tier_days (merchant_id, day, level,"
    " slot" ST_COUNTERS(F_COL) ") SELECT merchant_id, day, level, 0"
    ST_COUNTERS(F_SUM) " FROM stats_tier_days WHERE merchant_id = ?"
    " AND day = ? AND slot <> 0 GROUP BY merchant_id, day, level"
    " ON DUPLICATE KEY UPDATE slot = 0" ST_COUNTERS(F_ADD_ST));
DB_SQL(q_unslot_days,
    "DELETE FROM stats_days WHERE merchant_id = ? AND day = ? AND slot <> 0");
DB_SQL(q_unslot_channels,
    "DELETE FROM stats_channel_days WHERE merchant_id = ?"
    " AND kind IN ('join', 'recharge', 'package', 'provider') AND day = ?"
    " AND slot <> 0");
DB_SQL(q_unslot_tiers,
    "DELETE FROM stats_tier_days WHERE merchant_id = ? AND day = ?"
    " AND slot <> 0");
/* stats_coupon_days (claims and uses per template): the same two steps */
#define CP_COLS \
	"claims, new_claims, claimed_used, claimed_cancelled, unused, orders," \
	" uses, discount_fen, order_fen, redeemed, redeemed_discount_fen," \
	" redeemed_order_fen"
#define CP_SUMS \
	"SUM(claims), SUM(new_claims), SUM(claimed_used)," \
	" SUM(claimed_cancelled), SUM(unused), SUM(orders), SUM(uses)," \
	" SUM(discount_fen), SUM(order_fen), SUM(redeemed)," \
	" SUM(redeemed_discount_fen), SUM(redeemed_order_fen)"
#define CP_FOLD(c)	c " = stats_coupon_days." c " + VALUES(" c ")"
#define CP_FOLDS \
	CP_FOLD("claims") ", " CP_FOLD("new_claims") ", " \
	CP_FOLD("claimed_used") ", " CP_FOLD("claimed_cancelled") ", " \
	CP_FOLD("unused") ", " CP_FOLD("orders") ", " CP_FOLD("uses") ", " \
	CP_FOLD("discount_fen") ", " CP_FOLD("order_fen") ", " \
	CP_FOLD("redeemed") ", " CP_FOLD("redeemed_discount_fen") ", " \
	CP_FOLD("redeemed_order_fen")
/* (merchant, day): the day's rows of the other slots added to slot 0 ... */
DB_SQL(q_cp_fold,
    "INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id,"
    " valid_until, slot, " CP_COLS ") SELECT merchant_id, day, store_id,"
    " template_id, valid_until, 0, " CP_SUMS
    " FROM stats_coupon_days FORCE INDEX (ix_scd_day)"
    " WHERE merchant_id = ? AND day = ? AND slot <> 0"
    " GROUP BY merchant_id, day, store_id, template_id, valid_until"
    " ON DUPLICATE KEY UPDATE " CP_FOLDS);
/* ... and gone (the INSERT's locking read holds them until the commit). */
DB_SQL(q_cp_unslot,
    "DELETE d FROM stats_coupon_days d FORCE INDEX (ix_scd_day)"
    " WHERE d.merchant_id = ? AND d.day = ? AND d.slot <> 0");

/* stats_active_days and stats_cohort_days (orders' rows, 0035) */
#define AK_KINDS	"kind IN ('payment', 'recharge', 'order', 'order2'," \
			" 'referral')"
DB_SQL(q_fold_active, "INSERT INTO stats_active_days (merchant_id, kind,"
    " store_id, day, prev_day, slot, members) SELECT merchant_id, kind,"
    " store_id, day, prev_day, 0, SUM(members) FROM stats_active_days"
    " WHERE merchant_id = ? AND " AK_KINDS " AND day = ? AND slot <> 0"
    " GROUP BY merchant_id, kind, store_id, day, prev_day"
    " ON DUPLICATE KEY UPDATE"
    " members = stats_active_days.members + VALUES(members)");
DB_SQL(q_unslot_active, "DELETE FROM stats_active_days WHERE merchant_id = ?"
    " AND " AK_KINDS " AND day = ? AND slot <> 0");
DB_SQL(q_fold_cohorts, "INSERT INTO stats_cohort_days (merchant_id,"
    " store_id, join_day, day, slot, members) SELECT merchant_id, store_id,"
    " join_day, day, 0, SUM(members) FROM stats_cohort_days"
    " WHERE merchant_id = ? AND day = ? AND slot <> 0"
    " GROUP BY merchant_id, store_id, join_day, day"
    " ON DUPLICATE KEY UPDATE"
    " members = stats_cohort_days.members + VALUES(members)");
DB_SQL(q_unslot_cohorts, "DELETE FROM stats_cohort_days WHERE merchant_id = ?"
    " AND day = ? AND slot <> 0");

/* A finished day of stats_coupon_days summed into stats_campaign_days
   (migration 0035), with its mark (template 0): (merchant, day) each. */
DB_SQL(q_cs_del,
    "DELETE FROM stats_campaign_days WHERE merchant_id = ? AND day = ?");
DB_SQL(q_cs_sum, "INSERT INTO stats_campaign_days (merchant_id, day,"
    " template_id, store_id, claims, new_claims, orders, uses, redeemed,"
    " discount_fen, order_fen) SELECT merchant_id, day, template_id,"
    " store_id, SUM(claims), SUM(new_claims), SUM(orders), SUM(uses),"
    " SUM(redeemed), SUM(discount_fen), SUM(order_fen)"
    " FROM stats_coupon_days FORCE INDEX (ix_scd_day)"
    " WHERE merchant_id = ? AND day = ?"
    " GROUP BY merchant_id, day, template_id, store_id"
    " HAVING SUM(claims) <> 0 OR SUM(orders) <> 0 OR SUM(uses) <> 0"
    " OR SUM(redeemed) <> 0");
DB_SQL(q_cs_mark, "INSERT INTO stats_campaign_days (merchant_id, day,"
    " template_id, store_id) VALUES (?, ?, 0, 0)");

/*
 * The unused coupons of stats_coupon_days go by each coupon's valid_until
 * (migration 0039), for the coupon report's expired (valid_until before
 * now): once it has passed, which instant it was no longer matters, so
 * the fold merges the rows past it, of every day, into one per day,
 * template and store at valid_until 1970-01-02 (the totals and uses are
 * at 1970-01-01), and the report reads a row per coupon only for those
 * expired since the last run. A move of a coupon later adds a row at its
 * own valid_until, merged by the next run; the rebuild writes them merged
 * already. (merchant, cutoff) each.
 */
#define CP_PAST " FROM stats_coupon_days WHERE merchant_id = ?" \
	" AND valid_until < ? AND valid_until > '1970-01-02 00:00:00'"
DB_SQL(q_cp_merge,
    "INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id,"
    " valid_until, slot, " CP_COLS ") SELECT merchant_id, day, store_id,"
    " template_id, '1970-01-02 00:00:00', 0, " CP_SUMS CP_PAST
    " GROUP BY merchant_id, day, store_id, template_id"
    " ON DUPLICATE KEY UPDATE " CP_FOLDS);
DB_SQL(q_cp_unpast, "DELETE" CP_PAST);

/* The week before the run's day, folded (a day already folded has no
   slot left: nothing to do). count[0]: rows folded away. */
static int
stats_fold_batch(struct job_run *j)
{
	static struct db_sql *const qs[] = { &q_fold_days, &q_unslot_days,
	    &q_fold_channels, &q_unslot_channels, &q_fold_tiers,
	    &q_unslot_tiers, &q_cp_fold, &q_cp_unslot, &q_fold_active,
	    &q_unslot_active, &q_fold_cohorts, &q_unslot_cohorts, &q_cs_del,
	    &q_cs_sum, &q_cs_mark, NULL };
	struct db_res res;
	long today = stats_day(j->day), d;
	char date[11], cut[20];
	int k;

	for (d = today - 7; d < today; d++) {
		stats_date(d, date);
		for (k = 0; qs[k] != NULL; k++) {
			if (DB(j->r, qs[k], &res, DBI(j->r->m->id),
			    DBS(date)) != DB_OK)
				return db_fail(j->r);
			if (k % 2 == 1 && k < 12)	/* the unslots */
				j->count[0] += (int64_t)res.affected;
		}
	}
	/* the claim rows past their valid_until, merged (never past now) */
	time_sql(j->now < time_now() ? j->now : time_now(), cut);
	if (DB(j->r, &q_cp_merge, NULL, DBI(j->r->m->id), DBS(cut)) !=
	    DB_OK || DB(j->r, &q_cp_unpast, &res, DBI(j->r->m->id),
	    DBS(cut)) != DB_OK)
		return db_fail(j->r);
	j->count[0] += (int64_t)res.affected;
	return JOB_DONE;
}

JOB(stats_fold_job) = {
	"stats-fold", "统计汇总归并", JOB_DAILY, 2,
	{ "归并行数", NULL },
	stats_fold_batch,
	0,
};

/* ---- app stats rebuild ---- */

/*
 * Two passes over the days, each day a transaction. The first deletes a
 * day's rollups and computes again those of its own raw rows (stats_days,
 * channels, coupons, member-days, tiers, the campaigns' sums of a day
 * that is over); the second, once every day of the first is committed,
 * the rollups that read a member's days before (stats_active_days, the
 * cohorts) from the member-days alone. So with --jobs the days of a pass
 * are cut into runs, a process each: in the first a day's statements
 * read raw rows nobody writes and write only that day's rows; in the
 * second they read member-days nobody writes any more. (Both passes in
 * one, day after day, read in each day the member-days of days another
 * run was writing: each waited for the other's locks, a deadlock, and a
 * day read the days before it as they were before the rebuild.)
 */
enum { PASS_OWN, PASS_MEMBERS };

struct rebuild {
	long	 day;
	int	 pass;
};

/* One day of r->m in one pass. */
static int
rebuild_day_tx(struct req *r, void *arg)
{
	static struct db_sql *const del[] = { &q_rb_del_days,
	    &q_rb_del_channels, &q_rb_del_coupons, &q_rb_del_members,
	    &q_rb_del_tiers, &q_rb_del_active, &q_rb_del_cohorts, NULL };
	static struct db_sql *const add[] = { &q_rb_join_days,
	    &q_rb_join_channels, &q_rb_join_referrers, &q_rb_order_days,
	    &q_rb_order_members, &q_rb_order_coupons, &q_rb_refund_days,
	    &q_rb_recharge_days, &q_rb_recharge_channels,
	    &q_rb_recharge_members, &q_rb_claims, &q_rb_redeemed, &q_rb_ledger,
	    &q_rb_join_tiers, &q_rb_payments, &q_rb_payment_members,
	    &q_rb_wallet_refunds, NULL };
	static struct db_sql *const then[] = { &q_rb_active_payments,
	    &q_rb_active_recharges, &q_rb_active_referrals,
	    &q_rb_active_orders, &q_rb_cohorts, NULL };
	struct rebuild *b = arg;
	long tz = tz_offset(r->m->tz);
	char date[11], start[20], end[20];
	int k;

	stats_date(b->day, date);
	if (b->pass == PASS_MEMBERS) {
		/* from the member-days of the first pass: this day's and
		   those before it */
		for (k = 0; then[k] != NULL; k++)
			if (DB(r, then[k], NULL, DBI(r->m->id), DBS(date)) !=
			    DB_OK)
				return db_fail(r);
		return 200;
	}
	time_sql((int64_t)b->day * 86400 - tz, start);
	time_sql((int64_t)(b->day + 1) * 86400 - tz, end);
	for (k = 0; del[k] != NULL; k++)
		if (DB(r, del[k], NULL, DBI(r->m->id), DBS(date)) != DB_OK)
			return db_fail(r);
	for (k = 0; add[k] != NULL; k++)
		if (DB(r, add[k], NULL, DBI(tz), DBI(r->m->id), DBS(start),
		    DBS(end)) != DB_OK)
			return db_fail(r);
	/* a day that is over: the campaigns' sums of it, marked done (today
	   goes on: stats_coupon_days is read for it) */
	for (k = 0; k < 3; k++)
		if ((k == 0 || b->day < (long)((time_now() + tz) / 86400)) &&
		    DB(r, k == 0 ? &q_cs_del : k == 1 ? &q_cs_sum : &q_cs_mark,
		    NULL, DBI(r->m->id), DBS(date)) != DB_OK)
			return db_fail(r);
	return 200;
}

/*
 * The nightly stats-fold of the merchant's today (and any later day run
 * ahead with --date), done before the rebuild, opened again: the rebuild
 * has written the days again, and a done run is not run twice, so that
 * `app jobs run stats-fold` (or the next tick) after a rebuild said "done
 * before" and left its rows as the rebuild wrote them. (merchant, today)
 */
DB_SQL(q_rb_fold_reopen,
    "DELETE FROM job_runs WHERE merchant_id = ? AND job = 'stats-fold'"
    " AND status <> 'running' AND period >= ?");

static int
stats_usage(void)
{
	fputs("usage: app stats rebuild --from YYYY-MM-DD --to YYYY-MM-DD"
	    " [--merchant CODE] [--jobs N]\n", stderr);
	return 2;
}

struct rb_merchant {
	int64_t	 id;
	char	 code[40], name[80], tz[8];
};

#define RB_PAST	"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"
#define RB_TODAY "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"

/* Days a..b of every merchant in ms, pass p, in this process (its own
   connection). 0, or -1 (said). */
static int
rebuild_run(const struct rb_merchant *ms, int n, long a, long b, int pass)
{
	struct req r;
	int i, rc = -1;
	long d, today;

	if (cmd_req_init(&r) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		struct merchant m;

		memset(&m, 0, sizeof(m));
		m.id = ms[i].id;
		m.code = ms[i].code;
		m.name = ms[i].name;
		m.tz = ms[i].tz;
		r.m = &m;
		today = (long)((time_now() + tz_offset(m.tz)) / 86400);
		for (d = a; d <= b; d++) {
			struct rebuild rb = { d, pass };

			/* a day past in READ COMMITTED: its deletes lock no
			   gaps, so that two runs' days in one empty range of
			   a rollup (a first rebuild) do not deadlock on it;
			   today, which orders still write, as every
			   transaction is */
			if (db_exec_simple(d < today ? RB_PAST : RB_TODAY) ==
			    -1 || db_tx(&r, rebuild_day_tx, &rb) >= 400) {
				char date[11];

				stats_date(d, date);
				fprintf(stderr, "stats rebuild: %s %s failed\n",
				    ms[i].code, date);
				goto out;
			}
			arena_reset(r.a);
		}
		r.m = NULL;
	}
	rc = 0;
out:
	cmd_req_done(&r);
	return rc;
}

/* Pass p over days a..b in jobs runs of consecutive days at once, a
   process each (one: this one); the days from today (the earliest
   merchant's) on after them, in this process, in the isolation every
   transaction has (rebuild_run). 0, or -1. */
static int
rebuild_pass(const struct rb_merchant *ms, int n, long a, long b, int pass,
    int jobs)
{
	long per, f, today = -1;
	pid_t pids[64];
	int k, np = 0, rc = 0, st;

	for (k = 0; k < n; k++) {
		long t = (long)((time_now() + tz_offset(ms[k].tz)) / 86400);

		if (today == -1 || t < today)
			today = t;
	}
	if (jobs <= 1 || b >= today) {
		if (jobs > 1 && a < today && rebuild_pass(ms, n, a, today - 1,
		    pass, jobs) == -1)
			return -1;
		return rebuild_run(ms, n, a > today || jobs <= 1 ? a : today,
		    b, pass);
	}
	if (jobs > b - a + 1)
		jobs = (int)(b - a + 1);
	per = (b - a + jobs) / jobs;
	fflush(NULL);
	for (f = a; f <= b; f += per) {
		pid_t pid = fork();

		if (pid == -1) {
			perror("stats rebuild: fork");
			rc = -1;
			break;
		}
		if (pid == 0)
			_exit(rebuild_run(ms, n, f, f + per - 1 < b ?
			    f + per - 1 : b, pass) == 0 ? 0 : 1);
		pids[np++] = pid;
	}
	for (k = 0; k < np; k++)
		if (waitpid(pids[k], &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			rc = -1;
	return rc;
}

/*
 * app stats rebuild --from --to [--merchant CODE] [--jobs N]: the
 * rollups of every merchant (or one) for the local days from..to,
 * recomputed from the raw rows, a transaction per merchant, day and pass;
 * with --jobs, each pass in N processes at once.
 */
static int
cmd_stats(int argc, char *argv[])
{
	const char *from = NULL, *to = NULL, *code = "";
	struct rb_merchant *ms = NULL;
	struct db_res res;
	struct req r;
	long a, b, jobs = 1;
	int i, n = 0, rc = 1, up = 0;

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
		else if (strcmp(argv[i], "--jobs") == 0) {
			char *e;

			jobs = strtol(argv[++i], &e, 10);
			if (*e != '\0' || jobs < 1 || jobs > 64)
				return stats_usage();
		} else
			return stats_usage();
	}
	if ((a = stats_day(from)) == -1 || (b = stats_day(to)) == -1 ||
	    a > b) {
		fputs("stats rebuild: --from and --to are dates YYYY-MM-DD,"
		    " from not after to\n", stderr);
		return 2;
	}
	if (jobs > b - a + 1)
		jobs = b - a + 1;
	if (cmd_req_init(&r) == -1)
		goto out;
	up = 1;
	if (DB(&r, &q_rb_merchants, &res, DBS(code), DBS(code)) != DB_OK)
		goto out;
	if (res.nrows == 0) {
		fprintf(stderr, "stats rebuild: no merchant %s\n", code);
		goto out;
	}
	n = res.nrows;
	if ((ms = calloc((size_t)n, sizeof(*ms))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		ms[i].id = db_int(&res, i, RM_ID);
		snprintf(ms[i].code, sizeof(ms[i].code), "%s",
		    db_str(&res, i, RM_CODE));
		snprintf(ms[i].name, sizeof(ms[i].name), "%s",
		    db_str(&res, i, RM_NAME));
		snprintf(ms[i].tz, sizeof(ms[i].tz), "%s",
		    db_str(&res, i, RM_TZ));
	}
	/* the children make connections of their own */
	cmd_req_done(&r);
	up = 0;
	if (rebuild_pass(ms, n, a, b, PASS_OWN, (int)jobs) == -1 ||
	    rebuild_pass(ms, n, a, b, PASS_MEMBERS, (int)jobs) == -1)
		goto out;
	if (cmd_req_init(&r) == -1)
		goto out;
	up = 1;
	for (i = 0; i < n; i++) {
		struct merchant m;
		char today[11];

		memset(&m, 0, sizeof(m));
		m.id = ms[i].id;
		m.code = ms[i].code;
		m.tz = ms[i].tz;
		r.m = &m;
		stats_date((long)((time_now() + tz_offset(m.tz)) / 86400),
		    today);
		if (DB(&r, &q_rb_fold_reopen, NULL, DBI(m.id), DBS(today)) !=
		    DB_OK)
			goto out;
		r.m = NULL;
	}
	printf("stats rebuild: %ld day(s) of %d merchant(s), %s to %s"
	    " (%ld run(s) at once)\n", b - a + 1, n, from, to, jobs);
	rc = 0;
out:
	if (up)
		cmd_req_done(&r);
	free(ms);
	return rc;
}

COMMANDS(stats_commands) = {
	{ "stats", "rebuild --from DAY --to DAY [--merchant CODE] [--jobs N]:"
	  " the analytics rollups recomputed from the raw rows", cmd_stats },
	{ NULL, NULL, NULL }
};
