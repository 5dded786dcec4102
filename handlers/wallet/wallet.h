/*
 * wallet: stored value. Principal and bonus accounts with their ledger,
 * packages, recharges through a payment provider, balance payments under
 * the merchant's deduction rules, refunds. Floor: a ledger above core and
 * tier; balance payments are orders (order/), which record them here.
 *
 *	wallet.c	settings, packages, credit, payment, the member routes
 *	wallet_rules.c	pure: the deduction rules, top-up suggestions
 *	payprovider.c	the sandbox provider (payprovider.h, this folder's)
 *	wxpay.c		WeChat Pay v3: the account, its crypto, the provider
 *			(wxpay.h, this folder's); wxpay_notify.c its notify;
 *			wxpay_sync.c its refunds and the job wxpay-sync
 *	wallet_staff.c, wallet_pages.c, wxpay_api.c, wxpay_staff.c
 *			routes only
 *
 * Conventions: as fcgi/app.h says. A function returning int returns 0,
 * or the error status with the response recorded (a failure of the
 * database through db_fail()); one returning a pointer returns NULL with
 * the status in r->status; the db_tx() functions return the handler's
 * status.
 */
#ifndef WALLET_H
#define WALLET_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "wallet_rules.h"

struct req;
struct db_res;
struct tier_row;

struct wallet_cfg {
	struct deduction_rules	 rules;
	struct custom_amount	 custom;
};

struct wallet_pkg {
	int64_t		 id, pay_fen, bonus_fen;
	const char	*label;
	int		 recommended;
};

/* The merchant's settings (defaults when never saved). 0, or the error
   status (recorded). */
int	 wallet_cfg_load(struct req *, struct wallet_cfg *);
/*
 * The settings as a statement reads them, the table as ws (LEFT JOIN it:
 * a merchant that never saved them has no row), and the settings from
 * column col of row of such a result (res NULL or ws.merchant_id NULL:
 * the defaults), with the order-amount ranges read when the cap is by
 * them. 0, or the error status (recorded).
 */
#define WALLET_CFG_COLS \
    "ws.merchant_id, ws.custom_enabled, ws.custom_min_fen," \
    " ws.custom_max_fen, ws.split, ws.bonus_pct, ws.freeze_same_day_bonus," \
    " ws.cap_kind, ws.cap_amount_fen, ws.cap_pct"
enum { WS_MERCHANT, WS_CUSTOM_ENABLED, WS_CUSTOM_MIN, WS_CUSTOM_MAX,
    WS_SPLIT, WS_BONUS_PCT, WS_FREEZE_BONUS, WS_CAP_KIND, WS_CAP_AMOUNT,
    WS_CAP_PCT, WALLET_CFG_NCOLS };
int	 wallet_cfg_from_row(struct req *, const struct db_res *, int row,
	    int col, struct wallet_cfg *);
/* Active packages in their order. 0, or the error status (recorded). */
int	 wallet_pkgs_load(struct req *, struct wallet_pkg **, int *n);
/*
 * One active package of r->m, asked for in the body's package_id. 0, or
 * the error status (recorded): 400 invalid_field package_id when r->m
 * has no such active package.
 */
int	 wallet_pkg_get(struct req *, int64_t id, struct wallet_pkg *);
/* {principal_fen, bonus_fen, total_fen}. */
cJSON	*wallet_balance_json(int64_t principal_fen, int64_t bonus_fen);
/* The merchant's calendar day now, "YYYY-MM-DD". */
const char *wallet_today(struct req *);
/*
 * The member's accounts, today's bonus and whether a balance payment was
 * made before, and the growth when asked for; lock: take the member row
 * lock (inside a transaction). *found is 0 when r->m has no such member
 * (nothing else is filled). 0, or the error status (recorded).
 */
int	 wallet_state_load(struct req *, int64_t member_id, int lock,
	    const struct wallet_cfg *, struct wallet_state *, int64_t *growth,
	    int *found);
/*
 * What wallet_state_load() reads after the member row, for a caller that
 * read principal and bonus itself: today's bonus (the frozen-bonus rule)
 * and whether a payment was made before (a first-payment cap; else
 * first_payment is 0). 0, or the error status (recorded).
 */
int	 wallet_state_rest(struct req *, int64_t member_id, int lock,
	    const struct wallet_cfg *, struct wallet_state *);

/*
 * Credit a paid recharge to the member's accounts with its ledger entry
 * and today's bonus record, inside the caller's transaction. 0, or the
 * error status (recorded).
 */
int	 wallet_credit(struct req *, int64_t recharge_id, int64_t member_id,
	    int64_t pay_fen, int64_t bonus_fen, int64_t store_id,
	    int64_t staff_id);

/*
 * The payments row of a balance payment (its own view of what the balance
 * paid; ticket_id 0 in the app), id out, then the order it is made as
 * (wallet_payment_link). 0, or the error status (recorded; 409
 * ticket_used).
 */
int	 wallet_payment_record(struct req *, int64_t member_id,
	    int64_t store_id, int64_t staff_id, int64_t ticket_id,
	    int64_t order_fen, int64_t principal, int64_t bonus, int64_t growth,
	    int64_t points, int64_t *id);
int	 wallet_payment_link(struct req *, int64_t payment_id,
	    int64_t order_id);

/*
 * The earning terms of a member with this growth: the merchant's points
 * a yuan and the tier's multiplier x 100. 0, or the error status.
 */
int	 wallet_earn_terms(struct req *, int64_t growth, int64_t *per_yuan,
	    int64_t *mult_pct);
/* The tier's points multiplier x 100 (100 without a tier). */
int64_t	 wallet_earn_mult_pct(const struct tier_row *);
/*
 * Move money on the member's accounts by principal and bonus (signed:
 * negative takes), with its ledger entry of kind ("order",
 * "order_refund") and ref ("order:12"), inside the caller's transaction;
 * an account never goes below zero (409 insufficient_balance). 0, or
 * the error status (recorded).
 */
int	 wallet_move(struct req *, int64_t member_id, int64_t principal,
	    int64_t bonus, const char *kind, const char *ref, int64_t staff_id,
	    int64_t store_id);
/*
 * Move growth (signed; tier_growth_move(): its own ledger, and the tier
 * follows), and points with a ledger entry of kind and ref when not 0,
 * bypassing the lots: points go through the points ledger (points/points.h:
 * lots, expiry, negative points), so orders and rewards call this with
 * points 0. Points spent never go below zero (409 insufficient_points);
 * may_go_negative lets points taken back pass. 0, or the error status
 * (recorded).
 */
int	 wallet_points_move(struct req *, int64_t member_id, int64_t points,
	    int64_t growth, int may_go_negative, const char *kind,
	    const char *ref);

/*
 * The payment object a client pays an online amount with (the enabled
 * provider's), its dev sandbox pay_url replaced when given. 0, or the
 * error status (recorded; 503 when no provider is enabled).
 */
int	 wallet_online_checkout(struct req *, const char *trade_no,
	    int64_t amount_fen, const char *subject, const char *pay_url,
	    cJSON *payment);
/*
 * Outside any transaction, once the trade is committed: what the
 * provider of payment (wallet_online_checkout's) must be asked over the
 * network for member_id to pay (wechatpay: the JSAPI prepay, adding
 * payment.request_payment). 0 (also when nothing is to be asked), or the
 * error status (recorded).
 */
int	 wallet_online_prepay(struct req *, int64_t member_id, cJSON *payment);
/*
 * Outside any transaction, once a refund is committed: give refund_fen of
 * the online trade out_trade_no back through its provider when that is
 * WeChat Pay (nothing otherwise: *out stays NULL). out_refund_no is
 * stable for the refund, so sending it again never refunds twice; an
 * answer that does not come leaves it for the job wxpay-sync. *out:
 * {provider, out_refund_no, amount_fen, status: sent|processing|
 * success|failed}. 0, or a database failure's status.
 */
int	 wallet_online_refund(struct req *, const char *out_trade_no,
	    const char *out_refund_no, int64_t refund_fen, cJSON **out);

/*
 * The daily rollup of the ledger (stats_days balance_*, migration 0027):
 * (tz offset s, then the parameters of where, over wallet_entries e),
 * added to the row of slot (WALLET_EV_SLOT for an event, "0" for the
 * rebuild; readers sum the slots). balance_holders counts the members
 * whose balance became positive (+1) or fell to zero (-1) by the entry:
 * after is the member's balance after it (WALLET_EV_AFTER right after
 * the entry, the members row being updated first; WALLET_RB_AFTER from
 * the ledger, for a day past). Every entry runs it for itself right after
 * its insert (e.id = LAST_INSERT_ID()); `app stats rebuild` for a day.
 */
#define WALLET_EV_SLOT	"CONNECTION_ID() % 16"
#define WALLET_EV_AFTER \
	"(SELECT mb.principal_fen + mb.bonus_fen FROM members mb" \
	" WHERE mb.merchant_id = e.merchant_id AND mb.id = e.member_id)"
#define WALLET_RB_AFTER \
	"(SELECT SUM(w.principal_fen + w.bonus_fen) FROM wallet_entries w" \
	" WHERE w.merchant_id = e.merchant_id AND w.member_id = e.member_id" \
	" AND w.id <= e.id)"
#define WALLET_SQL_BALANCE_ROLLUP(where, slot, after) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot," \
	" balance_principal_fen, balance_bonus_fen, balance_holders)" \
	" SELECT x.merchant_id, x.day, x.store_id, " slot "," \
	" SUM(x.principal_fen), SUM(x.bonus_fen)," \
	" SUM((x.after > 0) - (x.after - x.principal_fen - x.bonus_fen > 0))" \
	" FROM (SELECT e.merchant_id," \
	" DATE(e.created_at + INTERVAL p0.tz SECOND) AS day," \
	" IFNULL(e.store_id, 0) AS store_id, e.principal_fen, e.bonus_fen," \
	" " after " AS after" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN wallet_entries e" \
	" WHERE " where ") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE balance_principal_fen =" \
	" stats_days.balance_principal_fen + VALUES(balance_principal_fen)," \
	" balance_bonus_fen = stats_days.balance_bonus_fen +" \
	" VALUES(balance_bonus_fen), balance_holders =" \
	" stats_days.balance_holders + VALUES(balance_holders)"

/*
 * Balance payments into the day's rollups (stats_days wallet_*, and the
 * member's day in stats_member_days): (tz offset s, then the parameters
 * of where, over payments p), on the day the payment was made; run by
 * wallet_payment_record() for its row, by `app stats rebuild` for a day.
 */
#define WALLET_SQL_PAYMENT_ROLLUP(where, slot) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot," \
	" wallet_payments, wallet_payment_order_fen, wallet_paid_principal_fen," \
	" wallet_paid_bonus_fen) SELECT x.merchant_id, x.day, x.store_id, " \
	slot ", COUNT(*), SUM(x.order_fen), SUM(x.principal_fen)," \
	" SUM(x.bonus_fen) FROM (SELECT p.merchant_id," \
	" DATE(p.created_at + INTERVAL p0.tz SECOND) AS day, p.store_id," \
	" p.order_fen, p.principal_fen, p.bonus_fen" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN payments p WHERE " where \
	") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE wallet_payments = stats_days.wallet_payments" \
	" + VALUES(wallet_payments), wallet_payment_order_fen =" \
	" stats_days.wallet_payment_order_fen +" \
	" VALUES(wallet_payment_order_fen), wallet_paid_principal_fen =" \
	" stats_days.wallet_paid_principal_fen +" \
	" VALUES(wallet_paid_principal_fen), wallet_paid_bonus_fen =" \
	" stats_days.wallet_paid_bonus_fen + VALUES(wallet_paid_bonus_fen)"
#define WALLET_SQL_PAYMENT_MEMBERS(where) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id, store_id," \
	" join_day, payments) SELECT x.merchant_id, x.day, x.member_id," \
	" x.store_id, x.join_day, COUNT(*) FROM (SELECT p.merchant_id," \
	" DATE(p.created_at + INTERVAL p0.tz SECOND) AS day, p.member_id," \
	" p.store_id, DATE(mb.joined_at + INTERVAL p0.tz SECOND) AS join_day" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN payments p" \
	" JOIN members mb ON mb.id = p.member_id WHERE " where ") x" \
	" GROUP BY x.merchant_id, x.day, x.member_id, x.store_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE payments = stats_member_days.payments +" \
	" VALUES(payments)"
/*
 * A member's day of balance payments or recharges into stats_active_days
 * (migration 0031): kind ('payment' or 'recharge'), the stats_member_days
 * column that counts it (col), the derived table x of (merchant_id, day,
 * member_id) and a condition on it. An event runs it with x its row and
 * WALLET_ACTIVE_FIRST(col), after its stats_member_days row: only the
 * member's first of the day counts. The rebuild runs it with x the
 * distinct members of a day.
 */
/* (the day before by a join, not a subquery: MariaDB's prepared
   statements group on a subquery's alias before computing it, and lose a
   materialized x in one; by the member's days, never the merchant's) */
#define WALLET_SQL_ACTIVE(kind, col, x, cond) \
	"INSERT INTO stats_active_days (merchant_id, kind, day, prev_day," \
	" members) SELECT y.merchant_id, '" kind "', y.day, y.prev_day," \
	" COUNT(*) FROM (SELECT x.merchant_id, x.day, x.member_id," \
	" IFNULL(MAX(s.day), '1000-01-01') AS prev_day FROM " x \
	" LEFT JOIN stats_member_days s FORCE INDEX (ix_smd_member)" \
	" ON s.merchant_id = x.merchant_id" \
	" AND s.member_id = x.member_id AND s.day < x.day AND s." col " > 0" \
	" WHERE " cond " GROUP BY x.merchant_id, x.day, x.member_id) y" \
	" GROUP BY y.merchant_id, y.day, y.prev_day ON DUPLICATE KEY UPDATE" \
	" members = stats_active_days.members + VALUES(members)"
#define WALLET_ACTIVE_FIRST(col) \
	"(SELECT SUM(f." col ") FROM stats_member_days f" \
	" WHERE f.merchant_id = x.merchant_id AND f.day = x.day" \
	" AND f.member_id = x.member_id) = 1"
/* The payment of an event as x: (tz, merchant, id). */
#define WALLET_ACTIVE_PAYMENT \
	"(SELECT p.merchant_id, DATE(p.created_at + INTERVAL p0.tz SECOND)" \
	" AS day, p.member_id FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN" \
	" payments p WHERE p.merchant_id = ? AND p.id = ?) x"

/* What refunds of balance payments gave back (refunds f), on their day. */
#define WALLET_SQL_REFUND_ROLLUP(where, slot) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot," \
	" wallet_refunded_fen) SELECT x.merchant_id, x.day, x.store_id, " \
	slot ", SUM(x.fen) FROM (SELECT f.merchant_id," \
	" DATE(f.created_at + INTERVAL p0.tz SECOND) AS day," \
	" IFNULL(f.store_id, 0) AS store_id, f.principal_fen + f.bonus_fen" \
	" AS fen FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN refunds f WHERE " \
	where ") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE wallet_refunded_fen =" \
	" stats_days.wallet_refunded_fen + VALUES(wallet_refunded_fen)"

/* EV_RECHARGED: a recharge became paid (counter, checkout top-up or a
   provider's notify), inside the transaction that credits it. */
struct recharged {
	int64_t		 recharge_id, member_id;
};

/*
 * EV_ONLINE_NOTIFIED: a verified provider notify for a trade number that
 * is no recharge, in a transaction of its own; the subscriber that owns
 * the number sets *handled (and r->m when the route has none).
 */
struct online_notified {
	const char	*provider, *out_trade_no;
	int64_t		 amount_fen;
	int		 success;
	int		*handled;
};
/*
 * Development and test only (404 elsewhere): sign and apply the sandbox
 * notify of a successful payment of amount for trade_no, as the sandbox
 * would; the notify sent into *notify. 0, or the error status.
 */
int	 wallet_sandbox_notify(struct req *, const char *trade_no,
	    int64_t amount_fen, cJSON **notify);

/* A random out_trade_no with a one-letter prefix, 25 characters. */
const char *wallet_trade_no(struct req *, char prefix);
/*
 * Insert a recharge (paid: credited now, counter; else pending), its id
 * into *id. 0, or the error status (recorded).
 */
int	 wallet_recharge_insert(struct req *, int64_t member_id,
	    int64_t package_id, const char *provider, const char *trade_no,
	    int64_t pay_fen, int64_t bonus_fen, int paid, int64_t store_id,
	    int64_t staff_id, int64_t *id);
/* {id, member_id, package_id, provider, out_trade_no, pay_fen, bonus_fen,
   status, store_id, created_at, paid_at} of a recharge of r->m, or NULL
   with the status in r->status (404 not_found when there is none). */
cJSON	*wallet_recharge_json(struct req *, int64_t id);
/* A path parameter as a positive id into *id. 0, or 404 not_found with
   the message gone recorded ("充值记录不存在"). */
int	 wallet_param_id(struct req *, const char *name, const char *gone,
	    int64_t *id);

#endif
