/*
 * A member's order from the app (POST /api/v1/m/<merchant>/me/orders with
 * an Idempotency-Key) straight against MariaDB, without nginx and the
 * app: the transaction of fcgi/router.c idem_tx around
 * handlers/order/order.c order_commit_tx, statement for statement, in the
 * same order, with the same locks (the member's row FOR UPDATE first),
 * priced by the same engine (order_rules.c) and hashed the same way. One
 * connection per thread; each thread orders for its own share of the
 * members, round-robin, until the time is up.
 *
 *   order_raw <merchant> <first> <count> [threads (4)] [seconds (10)]
 *   order_raw --quote <merchant> <first> <count> [threads] [seconds]
 *                        the quote at the counter instead (POST
 *                        .../staff/orders/quote as the owner, by phone,
 *                        coupons proposed: order_quote.lua's body), the
 *                        statements of staff_order_quote, no transaction:
 *                        the owner's session (BENCH_STAFF_TOKEN), member
 *                        and coupons in one, the settings and products
 *                        kept by revision as each app worker keeps them
 *   order_raw --quote-floor <merchant> <first> <count> [threads] [seconds]
 *                        the least a quote at the counter reads, in one
 *                        statement (Q_QUOTE_FLOOR, not the app's): the
 *                        owner's session (BENCH_STAFF_TOKEN), the member
 *                        by phone, the member's usable coupons. What no
 *                        quote on this machine can beat.
 *   order_raw --sql      every statement, one a line (run.sh checks that
 *                        each is in the app's binary, byte for byte)
 *
 * The members are the benchmark's (`app bench-members`, phones
 * 199<8 digits>): those of index first .. first+count-1. Each order is
 * three lines of the products in BENCH_PRODUCTS ("id,id,..."), at store
 * BENCH_STORE_ID, with coupon BO<index:5><n:3> (n: the member's n-th
 * order, from BENCH_K0), BENCH_POINTS points and the balance: the body
 * tests/bench/order_commit.lua sends. The stored response is
 * BENCH_RESPONSE_BYTES long (the length of the app's answer to such an
 * order). Connection settings and APP_SECRET (the idempotency hash and
 * the quote hash are keyed with it) come from the environment like the
 * app's. Prints:
 *   ORDERRAW orders=N errors=N retries=N secs=S orders_per_s=N
 *            statements_per_order=S
 * With BENCH_TIMES=1 it adds, per statement, how many ran and their mean
 * time seen from the client (the round trip included).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "raw_db.h"

#include "core/core_rules.h"
#include "coupon/coupon.h"
#include "order/order.h"
#include "order/order_db.h"
#include "points/points_rules.h"
#include "stats/stats_sql.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

/* ---- the app's statements, as its files declare them ---- */

#define Q_IDEM_INSERT \
    "INSERT INTO idempotency_keys (merchant_id, actor, idem_key, body_hash," \
    " created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP())"
#define Q_IDEM_SAVE \
    "UPDATE idempotency_keys SET status = ?, ctype = ?, response = ?" \
    " WHERE merchant_id = ? AND actor = ? AND idem_key = ?"
#define Q_EXPIRED \
    "SELECT id FROM orders WHERE merchant_id = ? AND status = 'pending'" \
    " AND expires_at < UTC_TIMESTAMP() AND (? = 0 OR member_id = ?)" \
    " ORDER BY id LIMIT 20"
#define Q_STORE \
    "SELECT id FROM stores WHERE merchant_id = ? AND id = ? AND active = 1" \
    " AND kind = 'own'"
/* order_settings_load: checkout, wallet, privileges in one */
#define Q_SETTINGS	ORDER_SETTINGS_SQL
#define Q_WS_RANGES \
    "SELECT from_fen, to_fen, cap_fen FROM deduction_ranges" \
    " WHERE merchant_id = ? ORDER BY position LIMIT 20"
#define Q_MEMBER_LOCK \
    "SELECT principal_fen, bonus_fen, growth FROM members" \
    " WHERE merchant_id = ? AND id = ? FOR UPDATE"
#define Q_BONUS_TODAY_LOCK \
    "SELECT bonus_fen FROM wallet_bonus_days" \
    " WHERE merchant_id = ? AND member_id = ? AND day = ? LOCK IN SHARE MODE"
#define Q_PAID_BEFORE \
    "SELECT id FROM payments WHERE merchant_id = ? AND member_id = ?" \
    " UNION ALL SELECT id FROM orders WHERE merchant_id = ? AND member_id = ?" \
    " AND principal_fen + bonus_fen > 0 AND status <> 'cancelled' LIMIT 1"
/* member_load: the rest of the member in one (order_db.h) */
#define Q_MEMBER_TERMS	ORDER_MEMBER_TERMS_SQL
#define Q_TIERS \
    "SELECT level, name, growth, discount_pct, points_multiplier, privileges" \
    " FROM tiers WHERE merchant_id = ? ORDER BY level"
#define Q_ITEMS \
    "SELECT p.id, p.name, p.category, p.price_fen, p.store_ids, p.active," \
    " (SELECT mp.price_fen FROM product_member_prices mp" \
    "  WHERE mp.product_id = p.id AND mp.tier_level = ?)" \
    " FROM products p WHERE p.merchant_id = ?" \
    " AND p.id IN (?, ?, ?, ?, ?, ?, ?, ?)"
#define Q_COUPON_CODE \
    "SELECT " COUPON_COLS " FROM coupons c" \
    " WHERE c.merchant_id = ? AND c.member_id = ? AND c.code = ?"
#define Q_ORDER_INSERT \
    "INSERT INTO orders (merchant_id, store_id, member_id, staff_id," \
    " ticket_id, channel, status, tier_level, member_reason, tier_reason," \
    " total_list_fen, discount_fen, total_fen, points_used, points_fen," \
    " principal_fen, bonus_fen, cash_fen, card_fen, online_fen, change_fen," \
    " earn_points, earn_growth, quote_hash, out_trade_no," \
    " topup_recharge_id, was_completed, created_at, paid_at, completed_at," \
    " expires_at)" \
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
    " ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(), IF(? = 1, UTC_TIMESTAMP(), NULL)," \
    " IF(? = 1, UTC_TIMESTAMP(), NULL)," \
    " IF(? > 0, UTC_TIMESTAMP() + INTERVAL ? MINUTE, NULL))"
#define Q_COUPON_USE \
    "UPDATE coupons SET status = 'used', used_at = UTC_TIMESTAMP()," \
    " used_store_id = ?, used_staff_id = ?, order_id = ?, order_fen = ?," \
    " discount_fen = ? WHERE merchant_id = ? AND member_id = ? AND code = ?" \
    " AND status = 'unused' AND valid_from <= UTC_TIMESTAMP()" \
    " AND valid_until >= UTC_TIMESTAMP()"
/* the points ledger (points/points.c): spent from lots, earned as one */
#define Q_PM_LOCK \
    "SELECT points, negative_points FROM members" \
    " WHERE merchant_id = ? AND id = ? FOR UPDATE"
#define Q_PM_DEBIT \
    "UPDATE members SET points = points - ?," \
    " negative_points = negative_points + ?" \
    " WHERE merchant_id = ? AND id = ? AND points >= ?"
#define Q_PM_CREDIT \
    "UPDATE members SET points = points + ?," \
    " negative_points = negative_points - ?" \
    " WHERE merchant_id = ? AND id = ? AND negative_points >= ?"
#define Q_LOTS_FIFO \
    "SELECT id, left_points FROM points_lots" \
    " WHERE merchant_id = ? AND member_id = ? AND left_points > 0" \
    " ORDER BY expires_on IS NULL, expires_on, id LIMIT 2000 FOR UPDATE"
#define Q_LOT_TAKE \
    "UPDATE points_lots SET left_points = left_points - ?" \
    " WHERE id = ? AND merchant_id = ? AND left_points >= ?"
#define Q_LOT_USE_INSERT \
    "INSERT INTO points_lot_uses (merchant_id, member_id, ref, lot_id," \
    " points) VALUES (?, ?, ?, ?, ?)"
#define Q_PS_GET \
    "SELECT s.earn_enabled, s.per_order_cap, s.per_day_cap, s.join_points," \
    " s.profile_points, s.expiry_mode, s.expiry_months, m.points_per_yuan" \
    " FROM merchants m LEFT JOIN points_settings s ON s.merchant_id = m.id" \
    " WHERE m.id = ?"
#define Q_EARN_DAY_ADD \
    "INSERT INTO points_earn_days (merchant_id, member_id, day, points)" \
    " VALUES (?, ?, ?, ?)" \
    " ON DUPLICATE KEY UPDATE points = points + VALUES(points)"
#define Q_LOT_INSERT \
    "INSERT INTO points_lots (merchant_id, member_id, points, left_points," \
    " expires_on, kind, ref, created_at)" \
    " VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())"
/* EV_ORDER_PAID's other subscribers: a scratch card, the member's spend */
#define Q_SCRATCH_QUALIFY \
    "SELECT c.id, c.daily_cap FROM scratch_campaigns c" \
    " WHERE c.merchant_id = ? AND c.status = 'active'" \
    " AND c.starts_at <= UTC_TIMESTAMP() AND c.ends_at > UTC_TIMESTAMP()" \
    " AND c.min_order_fen <= ? AND (c.all_stores = 1 OR EXISTS" \
    " (SELECT 1 FROM scratch_campaign_stores s WHERE s.campaign_id = c.id" \
    " AND s.store_id = ?)) ORDER BY c.id LIMIT 20"
#define Q_MEMBER_PAID \
    "UPDATE members mb JOIN orders o ON o.merchant_id = mb.merchant_id" \
    " AND o.member_id = mb.id AND o.id = ?" \
    " SET mb.spend_fen = mb.spend_fen + (o.principal_fen + o.bonus_fen" \
    "  + o.cash_fen + o.card_fen + o.online_fen)," \
    " mb.last_order_at = GREATEST(mb.last_order_at," \
    "  IFNULL(o.paid_at, UTC_TIMESTAMP()))" \
    " WHERE mb.merchant_id = ? AND mb.id = ?"
/* tier_growth_move(): growth with its ledger row, and the tier it is in */
#define Q_GROWTH_ADD \
    "UPDATE members SET growth = growth + ?" \
    " WHERE merchant_id = ? AND id = ? AND growth + ? >= 0"
#define Q_GROWTH_LOCK \
    "SELECT growth, tier_level FROM members" \
    " WHERE merchant_id = ? AND id = ? FOR UPDATE"
#define Q_GROWTH_ENTRY \
    "INSERT INTO growth_entries (merchant_id, member_id, kind, growth, ref," \
    " created_at) VALUES (?, ?, ?, ?, ?, ?)"
/* tier_move() of a member whose growth crossed a threshold (no reward:
   the bench's tiers give none) */
#define Q_TIER_SET \
    "UPDATE members SET tier_level = ?, tier_since = ?" \
    " WHERE merchant_id = ? AND id = ? AND tier_level = ?"
#define Q_CHANGE_INSERT \
    "INSERT INTO tier_changes (merchant_id, member_id, from_level, to_level," \
    " reason, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
/* the ladder's policy and terms, read with it (tier.c) */
#define Q_TIER_POLICY \
    "SELECT per_yuan_paid, per_order, per_yuan_recharged, mode, months, days," \
    " step, min_days_in_tier, notice_days FROM tier_policies" \
    " WHERE merchant_id = ?"
#define Q_TIER_TERMS \
    "SELECT level, keep_growth, reward_templates, reward_bonus_fen," \
    " reward_points FROM tier_terms WHERE merchant_id = ? ORDER BY level"
#define Q_POINTS_ENTRY \
    "INSERT INTO points_entries (merchant_id, member_id, kind, points, ref," \
    " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())"
#define Q_MOVE \
    "UPDATE members SET principal_fen = principal_fen + ?," \
    " bonus_fen = bonus_fen + ? WHERE merchant_id = ? AND id = ?" \
    " AND principal_fen + ? >= 0 AND bonus_fen + ? >= 0"
/* the analytics' rollups: the ledger entry just inserted, the paid order */
#define Q_ENTRY_ROLLUP \
    WALLET_SQL_BALANCE_ROLLUP("e.merchant_id = ? AND e.id = LAST_INSERT_ID()", \
    WALLET_EV_SLOT, WALLET_EV_AFTER)
#define Q_ORDER_DAYS	SQL_ORDER_DAYS(ONE("o"), EV_SLOT)
#define Q_ORDER_MEMBERS	SQL_ORDER_MEMBERS(ONE("o"))
#define Q_ORDER_COUPONS	SQL_ORDER_COUPONS(ONE("o"))
#define Q_ORDER_ACTIVE	SQL_ORDER_ACTIVE(X_ORDER, C0_EV, EV_SLOT)
#define Q_ORDER_COHORT	SQL_ORDER_COHORT(X_ORDER, C0_EV, EV_SLOT)
#define Q_ENTRY_INSERT \
    "INSERT INTO wallet_entries (merchant_id, member_id, kind, principal_fen," \
    " bonus_fen, ref, staff_id, store_id, created_at)" \
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())"
#define Q_REF_SETTINGS \
    "SELECT enabled, referrer_template_id, referrer_points," \
    " referee_template_id, referee_points, reward_when, daily_cap, total_cap" \
    " FROM referral_settings WHERE merchant_id = ?"
/* the quote at the counter: the session, the member by phone and the
   member's usable coupons, no lock; a store's verdict for the copy */
#define Q_QUOTE_BY_PHONE QUOTE_SQL("mb.phone = ?", 1)
#define Q_QUOTE_STORE QUOTE_STORE_SQL
#define Q_BONUS_TODAY \
    "SELECT bonus_fen FROM wallet_bonus_days" \
    " WHERE merchant_id = ? AND member_id = ? AND day = ?"
#define Q_COUPONS_USABLE \
    "SELECT " COUPON_COLS " FROM coupons c" \
    " WHERE c.merchant_id = ? AND c.member_id = ? AND c.status = 'unused'" \
    " AND c.valid_from <= ? AND c.valid_until >= ?" \
    " ORDER BY c.valid_until, c.id LIMIT 200"
/*
 * Not the app's: the least any quote at the counter reads, in one
 * statement (--quote-floor): the staff session by its token, the member
 * by phone with balance, growth and points, and the member's usable
 * coupons, one row each. No settings, no products, no tier ladder.
 */
#define Q_QUOTE_FLOOR \
    "SELECT s.kind, s.revoked_at, s.expires_at, st.role, st.disabled," \
    " mb.id, mb.principal_fen, mb.bonus_fen, mb.growth, mb.points, " \
    COUPON_COLS " FROM sessions s" \
    " LEFT JOIN staff st ON st.id = s.staff_id" \
    " LEFT JOIN members mb ON mb.merchant_id = s.merchant_id" \
    " AND mb.phone = ?" \
    " LEFT JOIN coupons c ON c.merchant_id = s.merchant_id" \
    " AND c.member_id = mb.id AND c.status = 'unused'" \
    " AND c.valid_from <= ? AND c.valid_until >= ?" \
    " WHERE s.token_hash = ? AND s.merchant_id = ?"
#define Q_REF_PENDING \
    "SELECT id, referrer_id FROM referrals WHERE merchant_id = ?" \
    " AND referee_id = ? AND status = 'pending'"

enum {
	S_IDEM_INSERT, S_IDEM_SAVE, S_EXPIRED, S_STORE, S_SETTINGS,
	S_WS_RANGES, S_MEMBER_LOCK, S_BONUS_TODAY_LOCK, S_PAID_BEFORE,
	S_MEMBER_TERMS, S_TIERS,
	S_ITEMS, S_COUPON_CODE, S_ORDER_INSERT,
	/* the order's rows, a statement for each count of rows
	   (order_rows.c): S_LINE_INSERT + n - 1 writes n */
	S_LINE_INSERT, S_ADJ_INSERT = S_LINE_INSERT + ORDER_ROWS_CHUNK,
	S_ALLOC_INSERT = S_ADJ_INSERT + ORDER_ROWS_CHUNK,
	S_COUPON_USE = S_ALLOC_INSERT + ORDER_ROWS_CHUNK,
	S_POINTS_ENTRY, S_MOVE,
	S_ENTRY_INSERT, S_REF_SETTINGS, S_REF_PENDING, S_QUOTE_BY_PHONE,
	S_BONUS_TODAY, S_COUPONS_USABLE,
	S_QUOTE_FLOOR, S_GROWTH_ADD, S_GROWTH_LOCK, S_GROWTH_ENTRY, S_TIER_SET,
	S_CHANGE_INSERT, S_TIER_POLICY, S_TIER_TERMS, S_PM_LOCK,
	S_PM_DEBIT, S_PM_CREDIT, S_LOTS_FIFO, S_LOT_TAKE, S_LOT_USE_INSERT,
	S_PS_GET, S_EARN_DAY_ADD, S_LOT_INSERT, S_SCRATCH_QUALIFY,
	S_MEMBER_PAID, S_ENTRY_ROLLUP, S_ORDER_DAYS, S_ORDER_MEMBERS,
	S_ORDER_COUPONS, S_ORDER_ACTIVE, S_ORDER_COHORT, S_COUPON_TPL_USED, S_TIER_ROLLUP, S_QUOTE_STORE,
	S_COUPON_USE_ROLLUP,
	/* plain queries, timed beside them */
	S_BEGIN, S_SAVEPOINT, S_COMMIT, S_N
};

/* the statements of 1 .. ORDER_ROWS_CHUNK rows from k on */
#define ROWS_SQL1(k, name, SQL, n) [(k) + (n) - 1] = { name "_" #n, SQL(n) }
#define ROWS_SQLS(k, name, SQL) \
	ROWS_SQL1(k, name, SQL, 1), ROWS_SQL1(k, name, SQL, 2), \
	ROWS_SQL1(k, name, SQL, 3), ROWS_SQL1(k, name, SQL, 4), \
	ROWS_SQL1(k, name, SQL, 5), ROWS_SQL1(k, name, SQL, 6), \
	ROWS_SQL1(k, name, SQL, 7), ROWS_SQL1(k, name, SQL, 8), \
	ROWS_SQL1(k, name, SQL, 9), ROWS_SQL1(k, name, SQL, 10), \
	ROWS_SQL1(k, name, SQL, 11), ROWS_SQL1(k, name, SQL, 12), \
	ROWS_SQL1(k, name, SQL, 13), ROWS_SQL1(k, name, SQL, 14), \
	ROWS_SQL1(k, name, SQL, 15), ROWS_SQL1(k, name, SQL, 16)

static const struct {
	const char	*name, *sql;
} sqls[S_N] = {
	{ "idem_insert", Q_IDEM_INSERT }, { "idem_save", Q_IDEM_SAVE },
	{ "expired", Q_EXPIRED }, { "store", Q_STORE },
	{ "settings", Q_SETTINGS },
	{ "ws_ranges", Q_WS_RANGES }, { "member_lock", Q_MEMBER_LOCK },
	{ "bonus_today_lock", Q_BONUS_TODAY_LOCK },
	{ "paid_before", Q_PAID_BEFORE }, { "member_terms", Q_MEMBER_TERMS },
	{ "tiers", Q_TIERS },
	{ "items", Q_ITEMS }, { "coupon_code", Q_COUPON_CODE },
	{ "order_insert", Q_ORDER_INSERT },
	ROWS_SQLS(S_LINE_INSERT, "line_insert", ORDER_LINE_SQL),
	ROWS_SQLS(S_ADJ_INSERT, "adj_insert", ORDER_ADJ_SQL),
	ROWS_SQLS(S_ALLOC_INSERT, "alloc_insert", ORDER_ALLOC_SQL),
	[S_COUPON_USE] = { "coupon_use", Q_COUPON_USE }, { "points_entry", Q_POINTS_ENTRY }, { "move", Q_MOVE },
	{ "entry_insert", Q_ENTRY_INSERT }, { "ref_settings", Q_REF_SETTINGS },
	{ "ref_pending", Q_REF_PENDING },
	{ "quote_by_phone", Q_QUOTE_BY_PHONE },
	{ "bonus_today", Q_BONUS_TODAY },
	{ "coupons_usable", Q_COUPONS_USABLE },
	{ "quote_floor", Q_QUOTE_FLOOR },
	{ "growth_add", Q_GROWTH_ADD }, { "growth_lock", Q_GROWTH_LOCK },
	{ "growth_entry", Q_GROWTH_ENTRY }, { "tier_set", Q_TIER_SET },
	{ "change_insert", Q_CHANGE_INSERT }, { "tier_policy", Q_TIER_POLICY },
	{ "tier_terms", Q_TIER_TERMS },
	[S_PM_LOCK] = { "points_lock", Q_PM_LOCK },
	[S_PM_DEBIT] = { "points_debit", Q_PM_DEBIT },
	[S_PM_CREDIT] = { "points_credit", Q_PM_CREDIT },
	[S_LOTS_FIFO] = { "lots_fifo", Q_LOTS_FIFO },
	[S_LOT_TAKE] = { "lot_take", Q_LOT_TAKE },
	[S_LOT_USE_INSERT] = { "lot_use_insert", Q_LOT_USE_INSERT },
	[S_PS_GET] = { "points_settings", Q_PS_GET },
	[S_EARN_DAY_ADD] = { "earn_day_add", Q_EARN_DAY_ADD },
	[S_LOT_INSERT] = { "lot_insert", Q_LOT_INSERT },
	[S_SCRATCH_QUALIFY] = { "scratch_qualify", Q_SCRATCH_QUALIFY },
	[S_MEMBER_PAID] = { "member_paid", Q_MEMBER_PAID },
	[S_ENTRY_ROLLUP] = { "entry_rollup", Q_ENTRY_ROLLUP },
	[S_ORDER_DAYS] = { "order_days", Q_ORDER_DAYS },
	[S_ORDER_MEMBERS] = { "order_members", Q_ORDER_MEMBERS },
	[S_ORDER_COUPONS] = { "order_coupons", Q_ORDER_COUPONS },
	[S_ORDER_ACTIVE] = { "order_active", Q_ORDER_ACTIVE },
	[S_ORDER_COHORT] = { "order_cohort", Q_ORDER_COHORT },
	[S_COUPON_TPL_USED] = { "coupon_tpl_used", COUPON_SQL_TPL_USED },
	[S_TIER_ROLLUP] = { "tier_rollup", TIER_SQL_MOVE_ROLLUP },
	[S_QUOTE_STORE] = { "quote_store", Q_QUOTE_STORE },
	[S_COUPON_USE_ROLLUP] = { "coupon_use_rollup",
	    COUPON_SQL_MOVE_ROLLUP("1", "c.merchant_id = ? AND c.code = ?") },
	[S_BEGIN] = { "START TRANSACTION", NULL }, { "SAVEPOINT handler", NULL },
	{ "COMMIT", NULL },
};

#define MAXPARAMS	(ORDER_ROWS_CHUNK * ORDER_LINE_NP)
#define TX_TRIES	10
#define ARENA_SZ	(1 << 20)

/* A result: rows of NUL-terminated columns in the thread's arena. */
struct res {
	int		 nrows, ncols;
	char		**v;			/* NULL for SQL NULL */
	unsigned long long affected, insert_id;
};

/* A parameter: an integer, a string (len 0: strlen), or NULL. */
struct param {
	int		 is_int;
	long long	 i;
	const char	*s;
	size_t		 len;
};

#define PI(x)		((struct param){ 1, (x), NULL, 0 })
#define PS(x)		((struct param){ 0, 0, (x), 0 })
#define PB(x, n)	((struct param){ 0, 0, (x), (n) })
#define PNULL		((struct param){ 0, 0, NULL, 0 })
#define PIN(x, ok)	((ok) ? PI(x) : PNULL)

struct tier_c {
	int		 level, has_discount;
	int64_t		 growth, discount_pct;
	double		 mult;
};

struct worker {
	pthread_t	 t;
	int		 idx;
	MYSQL		*db;
	struct stmt	 s[S_N];
	char		*arena;
	size_t		 used;
	/* the ladder this connection read, by revision (as each app worker
	   keeps it) */
	int64_t		 tiers_rev;
	int		 ntiers;
	struct tier_c	 tiers[32];
	/* a quote's settings and products, by config_revs.rev (as each app
	   worker keeps them, order_quote.c and catalog.c) */
	int64_t		 cfg_rev;
	struct checkout_settings cfg_ck;
	struct deduction_rules cfg_ded;
	int		 nkept;
	struct kept {
		int64_t		 id, price_fen, member_fen;
		int		 tier, active, sold_here;
		char		*name, *category;
	}		 kept[16];
	long		 orders, errors, retries, seq;
	long long	 n[S_N];
	double		 us[S_N];
	struct order_in	 in;
	struct priced	 out;
};

static int64_t	 merchant_id, store_id, products[16], points_offered;
static int	 nproducts;
static long	 tz_off, first, count, k0, response_bytes;
static int	 nthreads, timing, quote, floor_only;
static char	 token_hash[65];
static char	 merchant_code[40], stamp[24];
static unsigned char secret[32];
static int64_t	*members;
static char	**phones;
static volatile int stop;

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}


static void *
aalloc(struct worker *w, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (w->used + n > ARENA_SZ) {
		fputs("order_raw: arena full\n", stderr);
		exit(1);
	}
	p = w->arena + w->used;
	w->used += n;
	return p;
}

static void
tick(struct worker *w, int k, double t0)
{
	if (timing) {
		w->n[k]++;
		w->us[k] += now_us() - t0;
	}
}

static unsigned
query(struct worker *w, int k, const char *sql)
{
	double t0 = timing ? now_us() : 0;
	unsigned e = mysql_query(w->db, sql) != 0 ? mysql_errno(w->db) : 0;

	tick(w, k, t0);
	return e;
}

/*
 * Execute statement k with the parameters; every row into res (in the
 * arena, like the app's). Returns the MariaDB error (0 ok).
 */
static unsigned
run(struct worker *w, int k, const struct param *p, int n, struct res *res)
{
	struct stmt *s = &w->s[k];
	MYSQL_BIND b[MAXPARAMS];
	unsigned long len[MAXPARAMS];
	double t0 = timing ? now_us() : 0;
	int i, rc, cap = 0;

	memset(res, 0, sizeof(*res));
	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		if (p[i].is_int) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
		} else if (p[i].s != NULL) {
			len[i] = p[i].len > 0 ? p[i].len : strlen(p[i].s);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)p[i].s;
			b[i].buffer_length = len[i];
			b[i].length = &len[i];
		} else
			b[i].buffer_type = MYSQL_TYPE_NULL;
	}
	if (mysql_stmt_bind_param(s->st, b) != 0 ||
	    mysql_stmt_execute(s->st) != 0)
		return mysql_stmt_errno(s->st);
	res->affected = mysql_stmt_affected_rows(s->st);
	res->insert_id = mysql_stmt_insert_id(s->st);
	res->ncols = s->ncols;
	if (s->ncols > 0) {
		if (mysql_stmt_store_result(s->st) != 0)
			return mysql_stmt_errno(s->st);
		while ((rc = mysql_stmt_fetch(s->st)) == 0 ||
		    rc == MYSQL_DATA_TRUNCATED) {
			if (res->nrows == cap) {
				char **v = aalloc(w, sizeof(char *) *
				    (size_t)(cap ? cap * 2 : 4) * s->ncols);

				if (cap > 0)
					memcpy(v, res->v, sizeof(char *) *
					    (size_t)cap * s->ncols);
				res->v = v;
				cap = cap ? cap * 2 : 4;
			}
			for (i = 0; i < s->ncols; i++) {
				char *c = NULL;

				if (!s->null[i]) {
					c = aalloc(w, s->len[i] + 1);
					if (s->len[i] > COLSZ - 1) {
						MYSQL_BIND fb;

						memset(&fb, 0, sizeof(fb));
						fb.buffer_type =
						    MYSQL_TYPE_STRING;
						fb.buffer = c;
						fb.buffer_length = s->len[i];
						mysql_stmt_fetch_column(s->st,
						    &fb, (unsigned)i, 0);
					} else
						memcpy(c, s->col[i], s->len[i]);
					c[s->len[i]] = '\0';
				}
				res->v[res->nrows * s->ncols + i] = c;
			}
			res->nrows++;
		}
		mysql_stmt_free_result(s->st);
	}
	tick(w, k, t0);
	return 0;
}

static const char *
cstr(const struct res *r, int row, int c)
{
	return row < r->nrows ? r->v[row * r->ncols + c] : NULL;
}

static int64_t
cint(const struct res *r, int row, int c)
{
	const char *s = cstr(r, row, c);

	return s == NULL ? 0 : strtoll(s, NULL, 10);
}

static int64_t
cint_none(const struct res *r, int row, int c)
{
	return cstr(r, row, c) == NULL ? COUPON_NONE : cint(r, row, c);
}

static void
hash_hex(const char *data, size_t n, char out[65])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)data, n,
	    secret, sizeof(secret));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

enum { OK, RETRY, FAILED };

static int
retryable(unsigned e)
{
	return e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT;
}

#define RUN(k, res, ...) do { \
	const struct param _p[] = { __VA_ARGS__ }; \
	unsigned _e = run(w, (k), _p, (int)(sizeof(_p) / sizeof(_p[0])), \
	    (res)); \
	if (_e != 0) \
		return fail(w, _e, (k)); \
} while (0)

static int
fail(struct worker *w, unsigned e, int k)
{
	if (retryable(e))
		return RETRY;
	fprintf(stderr, "order_raw: %s: %u %s\n", sqls[k].name, e,
	    mysql_error(w->db));
	return FAILED;
}

/* order_rows.c rows_flush(): the *nr rows of np values in v by the
   statement of *nr rows from k on; none left after. */
static int
rows_run(struct worker *w, int k, const struct param *v, int np, int *nr)
{
	struct res r;
	int n = *nr;
	unsigned e;

	*nr = 0;
	if (n == 0)
		return OK;
	if ((e = run(w, k + n - 1, v, n * np, &r)) != 0)
		return fail(w, e, k + n - 1);
	return OK;
}

static int
refuse(const char *why)
{
	fprintf(stderr, "order_raw: %s\n", why);
	return FAILED;
}

/* catalog_items_kept(): this connection's copy of the products, read at
   the revision w->cfg_rev. */
static void
kept_clear(struct worker *w)
{
	int i;

	for (i = 0; i < w->nkept; i++) {
		free(w->kept[i].name);
		free(w->kept[i].category);
	}
	w->nkept = 0;
}

static const struct kept *
kept_find(struct worker *w, int64_t id, int tier)
{
	int i;

	for (i = 0; i < w->nkept; i++)
		if (w->kept[i].id == id && w->kept[i].tier == tier)
			return &w->kept[i];
	return NULL;
}

static void
kept_put(struct worker *w, const struct order_line_in *l, int tier)
{
	struct kept *k;

	if (kept_find(w, l->product_id, tier) != NULL ||
	    w->nkept >= (int)(sizeof(w->kept) / sizeof(w->kept[0])))
		return;
	k = &w->kept[w->nkept++];
	k->id = l->product_id;
	k->tier = tier;
	k->price_fen = l->unit_fen;
	k->member_fen = l->member_unit_fen;
	k->active = k->sold_here = 1;
	k->name = strdup(l->name);
	k->category = l->category ? strdup(l->category) : NULL;
}

/* tier_of_growth() at the ladder's revision: the ladder when it moved,
   the tier. */
static int
tier_at(struct worker *w, int64_t rev, int64_t growth,
    const struct tier_c **cur)
{
	struct tier_step steps[32];
	struct res r;
	int i, c, nx;

	if (rev != w->tiers_rev) {
		RUN(S_TIERS, &r, PI(merchant_id));
		for (i = 0; i < r.nrows && i < 32; i++) {
			w->tiers[i].level = (int)cint(&r, i, 0);
			w->tiers[i].growth = cint(&r, i, 2);
			w->tiers[i].has_discount = cstr(&r, i, 3) != NULL;
			w->tiers[i].discount_pct = cint(&r, i, 3);
			w->tiers[i].mult = strtod(cstr(&r, i, 4), NULL);
		}
		w->ntiers = i;
		w->tiers_rev = rev;
		/* terms_read(): the policy and terms come with the ladder */
		RUN(S_TIER_POLICY, &r, PI(merchant_id));
		RUN(S_TIER_TERMS, &r, PI(merchant_id));
	}
	for (i = 0; i < w->ntiers; i++) {
		steps[i].level = w->tiers[i].level;
		steps[i].growth = w->tiers[i].growth;
	}
	c = tier_for_growth(steps, w->ntiers, growth, &nx);
	*cur = c >= 0 ? &w->tiers[c] : NULL;
	return OK;
}

/*
 * checkout_cfg_from_row() (ck >= 0: CHECKOUT_COLS from column ck) and
 * wallet_cfg_from_row() (ws >= 0: WALLET_CFG_COLS from column ws, with
 * the ranges read when the cap is by them) into the engine's input; res
 * NULL: the defaults.
 */
static int
settings_in(struct worker *w, const struct res *res, int ck, int ws,
    int64_t *unpaid_expiry)
{
	struct order_in *in = &w->in;
	struct deduction_rules *d = &in->deduction;
	struct res r;
	int i;

	if (ck >= 0) {
		checkout_settings_default(&in->settings);
		*unpaid_expiry = 15;
		if (res != NULL && cstr(res, 0, ck + CK_MERCHANT) != NULL) {
			struct checkout_settings *c = &in->settings;

			c->tier_discount_with_member_price =
			    cint(res, 0, ck + CK_WITH_MP) != 0;
			c->tier_discount_only_if_balance_covers =
			    cint(res, 0, ck + CK_ONLY_BAL) != 0;
			c->max_stackable = (int)cint(res, 0, ck + CK_MAX_STACK);
			c->points_enabled = cint(res, 0, ck + CK_PTS_ON) != 0;
			c->points_per_yuan = cint(res, 0, ck + CK_PTS_RATE);
			c->points_max_pct = (int)cint(res, 0, ck + CK_PTS_PCT);
			c->points_max_points = cint_none(res, 0,
			    ck + CK_PTS_MAX);
			*unpaid_expiry = cint(res, 0, ck + CK_EXPIRY);
		}
	}
	if (ws < 0)
		return OK;
	deduction_rules_default(d);
	if (res == NULL || cstr(res, 0, ws + WS_MERCHANT) == NULL)
		return OK;
	wallet_split_parse(cstr(res, 0, ws + WS_SPLIT), &d->split);
	d->bonus_pct = (int)cint(res, 0, ws + WS_BONUS_PCT);
	d->freeze_same_day_bonus = cint(res, 0, ws + WS_FREEZE_BONUS) != 0;
	wallet_cap_parse(cstr(res, 0, ws + WS_CAP_KIND), &d->cap);
	d->cap_amount_fen = cint(res, 0, ws + WS_CAP_AMOUNT);
	d->cap_pct = (int)cint(res, 0, ws + WS_CAP_PCT);
	if (d->cap == CAP_ORDER_RANGES) {
		RUN(S_WS_RANGES, &r, PI(merchant_id));
		for (i = 0; i < r.nrows && i < WALLET_MAX_RANGES; i++) {
			d->ranges[i].from_fen = cint(&r, i, 0);
			d->ranges[i].to_fen = cint(&r, i, 1);
			d->ranges[i].cap_fen = cint(&r, i, 2);
		}
		d->nranges = i;
	}
	return OK;
}

/* wallet_state_rest(): today's bonus (the frozen-bonus rule), whether a
   payment was made before (a first-payment cap). */
static int
wallet_rest(struct worker *w, int64_t member, int64_t now, int lock)
{
	struct wallet_state *st = &w->in.member.wallet;
	const struct deduction_rules *d = &w->in.deduction;
	struct res r;

	st->bonus_today_fen = 0;
	st->first_payment = 0;
	if (d->freeze_same_day_bonus) {
		time_t t = (time_t)(now + tz_off);
		struct tm tm;
		char today[11];

		gmtime_r(&t, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		RUN(lock ? S_BONUS_TODAY_LOCK : S_BONUS_TODAY, &r,
		    PI(merchant_id), PI(member), PS(today));
		st->bonus_today_fen = r.nrows ? cint(&r, 0, 0) : 0;
	}
	if (d->cap != CAP_FIRST_AMOUNT && d->cap != CAP_FIRST_PCT)
		return OK;
	RUN(S_PAID_BEFORE, &r, PI(merchant_id), PI(member), PI(merchant_id),
	    PI(member));
	st->first_payment = r.nrows == 0;
	return OK;
}

/* card_terms_from_row(): the last second the card is valid (-1 none) and
   its stores, from CARD_TERMS_COLS at column col. */
static int64_t
card_until(const struct res *r, int col, const char *joined,
    const char **stores)
{
	const char *v = cstr(r, 0, col + CARD_T_VALIDITY), *day = NULL;
	char dbuf[11];
	int64_t until = -1;

	*stores = cstr(r, 0, col + CARD_T_STORES);
	if (v != NULL && strcmp(v, "until") == 0)
		day = cstr(r, 0, col + CARD_T_UNTIL);
	else if (v != NULL && strcmp(v, "months") == 0 &&
	    date_plus_months(joined, (int)cint(r, 0, col + CARD_T_MONTHS),
	    dbuf) == 0)
		day = dbuf;
	if (day != NULL && time_parse(day, tz_off, 1, &until) == -1)
		until = -1;
	return until;
}

/* tier_growth_move() of an earn: the update, the ledger row, and the
   tier_move() when the growth crossed a threshold (the ladder at the
   revision the request read). */
static int
growth_move(struct worker *w, int64_t member, int64_t delta, const char *ref)
{
	const struct tier_c *cur;
	struct res r;
	int64_t growth;
	char when[20];
	int level, k;

	RUN(S_GROWTH_ADD, &r, PI(delta), PI(merchant_id), PI(member),
	    PI(delta));
	if (r.affected != 1)
		return refuse("the growth found no member");
	RUN(S_GROWTH_LOCK, &r, PI(merchant_id), PI(member));
	if (r.nrows != 1)
		return refuse("no member growth");
	growth = cint(&r, 0, 0);
	level = (int)cint(&r, 0, 1);
	time_sql((int64_t)time(NULL), when);
	RUN(S_GROWTH_ENTRY, &r, PI(merchant_id), PI(member), PS("order_earn"),
	    PI(delta), PS(ref), PS(when));
	if ((k = tier_at(w, w->tiers_rev, growth, &cur)) != OK)
		return k;
	if (cur == NULL || cur->level == level)
		return OK;
	/* tier_move(): the conditional update, the history */
	RUN(S_TIER_SET, &r, PI(cur->level), PS(when), PI(merchant_id),
	    PI(member), PI(level));
	if (r.affected != 1)
		return OK;
	RUN(S_TIER_ROLLUP, &r, PI(tz_off), PI(level), PI(cur->level),
	    PI(merchant_id), PI(member));
	RUN(S_CHANGE_INSERT, &r, PI(merchant_id), PI(member), PI(level),
	    PI(cur->level), PS("growth"), PS(ref), PS(when));
	return OK;
}

/* coupon_in_from_row(): row i of a COUPON_COLS result as the next. */
static void
coupon_in(struct order_in *in, const struct res *r, int i)
{
	struct order_coupon_in *c = &in->coupons[in->ncoupons++];
	int64_t t;

	memset(c, 0, sizeof(*c));
	c->code = cstr(r, i, CC_CODE);
	c->terms.kind = coupon_kind_from(cstr(r, i, CC_KIND));
	c->terms.value_fen = cint_none(r, i, CC_VALUE);
	c->terms.threshold_fen = cint_none(r, i, CC_THRESHOLD);
	c->terms.discount_pct = cint_none(r, i, CC_PCT);
	c->terms.max_discount_fen = cint_none(r, i, CC_MAX);
	c->gift_item = cstr(r, i, CC_GIFT);
	c->stackable = cint(r, i, CC_STACKABLE) != 0;
	c->status = cstr(r, i, CC_STATUS);
	c->valid_from = time_sql_parse(cstr(r, i, CC_VALID_FROM), &t) == 0 ?
	    t : 0;
	c->valid_until = time_sql_parse(cstr(r, i, CC_VALID_UNTIL), &t) == 0 ?
	    t : 0;
	c->store_ids = cstr(r, i, CC_STORES);
	c->audience_ok = 1;
}

/* The body order_commit.lua sends for this member's n-th order. */
static size_t
body_of(long idx, long n, char *code, char *buf, size_t sz)
{
	long j = idx + n;

	snprintf(code, 16, "BO%05ld%03ld", idx, k0 + n);
	return (size_t)snprintf(buf, sz, "{\"store_id\":%lld,\"lines\":["
	    "{\"product_id\":%lld,\"qty\":2},{\"product_id\":%lld,\"qty\":1},"
	    "{\"product_id\":%lld,\"qty\":1}],\"coupon_codes\":[\"%s\"],"
	    "\"points\":%lld,\"use_balance\":true}", (long long)store_id,
	    (long long)products[j % nproducts],
	    (long long)products[(j + 1) % nproducts],
	    (long long)products[(j + 3) % nproducts], code,
	    (long long)points_offered);
}

/* One order of member m (index idx), its n-th: OK, RETRY or FAILED. */
static int
order_tx(struct worker *w, long m, long n, const char *key)
{
	struct order_in *in = &w->in;
	struct priced *o = &w->out;
	const struct tier_c *cur;
	struct res r, rq;
	char body[1024], code[16], path_body[1200], bh[65], qh[65], actor[40];
	char ref[40], *hb, *resp;
	int64_t member = members[m], now = (int64_t)time(NULL), growth, id;
	int64_t until, per_yuan, unpaid_expiry, pts, pids[3], qty[3] = { 2, 1, 1 };
	size_t bl, hn;
	int i, k, hk;
	long idx = first + m;

	w->used = 0;
	if (floor_only) {
		char now_s[20];

		time_sql(now, now_s);
		RUN(S_QUOTE_FLOOR, &r, PS(phones[m]), PS(now_s), PS(now_s),
		    PS(token_hash), PI(merchant_id));
		if (r.nrows < 1 || cstr(&r, 0, 0) == NULL ||
		    strcmp(cstr(&r, 0, 0), "staff") != 0 ||
		    cstr(&r, 0, 1) != NULL || cstr(&r, 0, 5) == NULL ||
		    cstr(&r, 0, 10) == NULL)
			return refuse("the floor found no session, member or "
			    "coupon");
		return OK;
	}
	if (quote)
		n = 0;
	bl = body_of(idx, n, code, body, sizeof(body));
	snprintf(actor, sizeof(actor), "m:%s", phones[m]);
	hn = (size_t)snprintf(path_body, sizeof(path_body),
	    "POST /api/v1/m/%s/me/orders\n%s", merchant_code, body);
	hash_hex(path_body, hn, bh);
	for (i = 0; i < 3; i++)
		pids[i] = products[(idx + n + (i == 0 ? 0 : i == 1 ? 1 : 3)) %
		    nproducts];
	(void)bl;

	if (quote) {
		/* staff_order_quote -> order_quote_respond ->
		   order_quote_load: the session, the member by phone and the
		   usable coupons in one; the settings and the store from the
		   copy unless the revision moved */
		char now_s[20];
		const char *b;

		time_sql(now, now_s);
		RUN(S_QUOTE_BY_PHONE, &rq, PS(token_hash), PS(phones[m]),
		    PS(now_s), PS(now_s), PI(merchant_id));
		if (rq.nrows < 1 || cstr(&rq, 0, QS_KIND) == NULL ||
		    strcmp(cstr(&rq, 0, QS_KIND), "staff") != 0 ||
		    cstr(&rq, 0, QS_REVOKED) != NULL ||
		    cstr(&rq, 0, QS_EXPIRES) == NULL ||
		    strcmp(cstr(&rq, 0, QS_EXPIRES), now_s) <= 0 ||
		    cstr(&rq, 0, QS_ROLE) == NULL ||
		    strcmp(cstr(&rq, 0, QS_ROLE), "owner") != 0 ||
		    cint(&rq, 0, QS_DISABLED) != 0)
			return refuse("the owner's session is not live");
		if (cstr(&rq, 0, QS_MEMBER) == NULL)
			return refuse("no member of that phone");
		order_in_init(in);
		if (cint(&rq, 0, QS_CONFIG_REV) != w->cfg_rev || w->cfg_rev < 0) {
			/* cfg_at(): checkout_cfg_load, wallet_cfg_load,
			   privilege_cfg_load; cfg_store() */
			RUN(S_SETTINGS, &r, PI(merchant_id));
			if (r.nrows != 1)
				return refuse("no merchant row");
			if ((k = settings_in(w, &r, OS_CK, OS_WS,
			    &unpaid_expiry)) != OK)
				return k;
			if (cstr(&r, 0, OS_PRIV) != NULL)
				return refuse("privileges by date are set: not "
				    "what the bench makes");
			RUN(S_QUOTE_STORE, &r, PI(merchant_id), PI(store_id),
			    PI(0), PI(store_id));
			if (r.nrows != 1 || cstr(&r, 0, QT_STORE) == NULL)
				return refuse("no such store");
			w->cfg_ck = in->settings;
			w->cfg_ded = in->deduction;
			w->cfg_rev = cint(&rq, 0, QS_CONFIG_REV);
			kept_clear(w);
		}
		in->settings = w->cfg_ck;
		in->deduction = w->cfg_ded;
		member = cint(&rq, 0, QS_MEMBER);
		in->member.wallet.principal_fen = cint(&rq, 0, QS_PRINCIPAL);
		in->member.wallet.bonus_fen = cint(&rq, 0, QS_BONUS);
		growth = cint(&rq, 0, QS_GROWTH);
		pts = cint(&rq, 0, QS_POINTS);
		per_yuan = cint(&rq, 0, QS_PER_YUAN);
		b = cstr(&rq, 0, QS_BIRTHDAY);
		in->member.birth_month = b != NULL && strlen(b) >= 10 ?
		    atoi(b + 5) : 0;
		in->member.birth_day = b != NULL && strlen(b) >= 10 ?
		    atoi(b + 8) : 0;
		until = card_until(&rq, QS_CARD, cstr(&rq, 0, QS_JOINED),
		    &in->member.card_store_ids);
		if ((k = tier_at(w, cint(&rq, 0, QS_TIERS_REV), growth, &cur))
		    != OK || (k = wallet_rest(w, member, now, 0)) != OK)
			return k;
		goto member;
	}
	/* idem_tx */
	RUN(S_IDEM_INSERT, &r, PI(merchant_id), PS(actor), PS(key), PS(bh));
	if (query(w, S_SAVEPOINT, "SAVEPOINT handler") != 0)
		return fail(w, mysql_errno(w->db), S_SAVEPOINT);
	/* me_order_create: order_expire_due */
	RUN(S_EXPIRED, &r, PI(merchant_id), PI(member), PI(member));
	if (r.nrows > 0)
		return refuse("pending orders to expire: not what the bench "
		    "makes");
	/* order_commit_tx -> order_prepare -> commit_load */
	RUN(S_STORE, &r, PI(merchant_id), PI(store_id));
	if (r.nrows == 0)
		return refuse("no such store");
	/* order_settings_load: checkout, wallet and privilege settings */
	order_in_init(in);
	RUN(S_SETTINGS, &r, PI(merchant_id));
	if (r.nrows != 1)
		return refuse("no merchant row");
	if ((k = settings_in(w, &r, OS_CK, OS_WS, &unpaid_expiry)) != OK)
		return k;
	if (cstr(&r, 0, OS_PRIV) != NULL)
		return refuse("privileges by date are set: not what the bench "
		    "makes");
	/* member_load: wallet_state_load, locked for an order */
	RUN(S_MEMBER_LOCK, &r, PI(merchant_id), PI(member));
	if (r.nrows != 1)
		return refuse("no such member");
	in->member.wallet.principal_fen = cint(&r, 0, 0);
	in->member.wallet.bonus_fen = cint(&r, 0, 1);
	growth = cint(&r, 0, 2);
	if ((k = wallet_rest(w, member, now, 1)) != OK)
		return k;
	/* the rest of the member in one: points, birthday, the rate, the
	   ladder's revision, the card */
	RUN(S_MEMBER_TERMS, &r, PI(merchant_id), PI(member));
	if (r.nrows != 1)
		return refuse("no member terms");
	pts = cint(&r, 0, MT_POINTS);
	in->member.birth_month = (int)cint(&r, 0, MT_BMONTH);
	in->member.birth_day = (int)cint(&r, 0, MT_BDAY);
	per_yuan = cint(&r, 0, MT_PER_YUAN);
	if ((k = tier_at(w, cint(&r, 0, MT_TIERS_REV), growth, &cur)) != OK)
		return k;
	until = card_until(&r, MT_CARD, cstr(&r, 0, MT_JOINED),
	    &in->member.card_store_ids);
member:
	/* member_fill */
	in->store_id = store_id;
	in->member.id = member;
	in->member.points = pts < 0 ? 0 : pts;
	in->member.tier_level = cur != NULL ? cur->level : -1;
	in->member.discount_pct = cur != NULL && cur->has_discount ?
	    cur->discount_pct : ORDER_NONE;
	in->member.earn_points_per_yuan = per_yuan;
	in->member.mult_pct = cur != NULL ? (int64_t)(cur->mult * 100 + 0.5) :
	    100;
	in->member.card_valid_until = until >= 0 ? until : ORDER_NONE;
	/* lines_load -> catalog_items_load: the distinct products in one */
	{
		int64_t slot[8] = { 0 };
		int ns = 0, j;

		for (i = 0; i < 3; i++) {
			for (j = 0; j < ns && slot[j] != pids[i]; j++)
				;
			if (j == ns)
				slot[ns++] = pids[i];
		}
		/* a quote: catalog_items_kept(), the products read only
		   when this connection does not have them at the revision */
		for (j = 0; quote && j < ns; j++)
			if (kept_find(w, slot[j], in->member.tier_level) ==
			    NULL)
				break;
		if (quote && j == ns) {
			in->nlines = 3;
			for (i = 0; i < 3; i++) {
				struct order_line_in *l = &in->lines[i];
				const struct kept *kp = kept_find(w, pids[i],
				    in->member.tier_level);

				memset(l, 0, sizeof(*l));
				l->qty = qty[i];
				l->member_unit_fen = kp->member_fen;
				if (!kp->active || !kp->sold_here)
					return refuse("a product is off or not "
					    "sold at the store");
				l->product_id = pids[i];
				l->name = kp->name;
				l->category = kp->category;
				l->unit_fen = kp->price_fen;
			}
			goto coupons;
		}
		RUN(S_ITEMS, &r, PI(in->member.tier_level), PI(merchant_id),
		    PI(slot[0]), PI(slot[1]), PI(slot[2]), PI(slot[3]),
		    PI(slot[4]), PI(slot[5]), PI(slot[6]), PI(slot[7]));
		in->nlines = 3;
		for (i = 0; i < 3; i++) {
			struct order_line_in *l = &in->lines[i];

			memset(l, 0, sizeof(*l));
			l->qty = qty[i];
			l->member_unit_fen = ORDER_NONE;
			for (j = 0; j < r.nrows && cint(&r, j, 0) != pids[i];
			    j++)
				;
			if (j == r.nrows || cint(&r, j, 5) == 0 ||
			    !store_list_allows(cstr(&r, j, 4), store_id))
				return refuse("a product is missing, off or not "
				    "sold at the store");
			l->product_id = pids[i];
			l->name = cstr(&r, j, 1);
			l->category = cstr(&r, j, 2);
			l->unit_fen = cint(&r, j, 3);
			if (in->member.tier_level >= 0 &&
			    cstr(&r, j, 6) != NULL && cint(&r, j, 6) >= 0)
				l->member_unit_fen = cint(&r, j, 6);
			if (quote)
				kept_put(w, l, in->member.tier_level);
		}
	}
coupons:
	/* coupons_load: the code named */
	in->ncoupons = 0;
	if (quote) {
		/* coupons_from_rows(): the rows' coupons by valid_until,
		   id (the bench's members have fewer than
		   QUOTE_COUPONS_MAX) */
		struct res view = rq;
		int ix[QUOTE_COUPONS_MAX], nc = 0, j;

		if (rq.nrows > QUOTE_COUPONS_MAX)
			return refuse("more coupons than a quote reads at once");
		view.v = rq.v + QS_COUPON;
		for (i = 0; i < rq.nrows; i++) {
			if (cstr(&view, i, CC_ID) == NULL)
				continue;
			for (j = nc; j > 0; j--) {
				int d = strcmp(cstr(&view, ix[j - 1],
				    CC_VALID_UNTIL), cstr(&view, i,
				    CC_VALID_UNTIL));

				if (d < 0 || (d == 0 && cint(&view, ix[j - 1],
				    CC_ID) < cint(&view, i, CC_ID)))
					break;
				ix[j] = ix[j - 1];
			}
			ix[j] = i;
			nc++;
		}
		for (i = 0; i < nc && in->ncoupons < ORDER_MAX_COUPONS; i++)
			if (store_list_allows(cstr(&view, ix[i], CC_STORES),
			    store_id))
				coupon_in(in, &view, ix[i]);
		in->ncodes = -1;
	} else {
		RUN(S_COUPON_CODE, &r, PI(merchant_id), PI(member), PS(code));
		if (r.nrows == 1)
			coupon_in(in, &r, 0);
		in->ncodes = 1;
		in->codes[0] = code;
	}
	in->points = points_offered;
	in->use_balance = 1;
	in->ntenders = 0;
	/* order_price: the engine and the quote hash */
	if (price_order(in, now, o) == -1)
		return refuse("the engine refused the order");
	hn = order_hash_input(in, o, NULL, 0);
	hb = aalloc(w, hn + 200);
	hk = snprintf(hb, 200, "v1|%d|%lld|%lld|%lld|",
	    quote ? 2 /* OC_PHONE */ : 3 /* OC_APP */,
	    (long long)store_id, 0LL, 0LL);
	order_hash_input(in, o, hb + hk, hn + 1);
	hash_hex(hb, (size_t)hk + hn, qh);
	if (o->uncovered_fen > 0 || o->tender[TD_ONLINE] > 0)
		return refuse("the balance does not pay the order");
	for (k = 0; k < o->nadj && o->adj[k].kind != ADJ_COUPON; k++)
		;
	if (k == o->nadj)
		return refuse("the order uses no coupon (are coupons left?)");
	if (quote)
		return OK;	/* the app answers the quote: nothing written */
	/* order_commit_tx: the writes */
	RUN(S_ORDER_INSERT, &r, PI(merchant_id), PI(store_id), PI(member),
	    PNULL, PNULL, PS("app"), PS("paid"),
	    PIN(o->tier_level, o->tier_level >= 0), PS(o->member_reason),
	    PS(o->tier_reason), PI(o->total_list_fen), PI(o->discount_fen),
	    PI(o->total_fen), PI(o->points_used), PI(o->points_fen),
	    PI(o->tender[TD_PRINCIPAL]), PI(o->tender[TD_BONUS]),
	    PI(o->tender[TD_CASH]), PI(o->tender[TD_CARD]),
	    PI(o->tender[TD_ONLINE]), PI(o->change_fen), PI(o->earn_points),
	    PI(o->earn_growth), PS(qh), PNULL, PNULL, PI(0), PI(1), PI(0),
	    PI(0), PI(unpaid_expiry));
	id = (int64_t)r.insert_id;
	snprintf(ref, sizeof(ref), "order:%lld", (long long)id);
	/* order_rows_insert: the lines, the allocations, the adjustments,
	   each table in statements of at most ORDER_ROWS_CHUNK rows */
	{
		struct param v[ORDER_ROWS_CHUNK * ORDER_LINE_NP];
		int nr = 0;

		for (i = 0; i < o->nlines; i++) {
			const struct priced_line *l = &o->lines[i];
			const char *gift = l->gift_coupon >= 0 &&
			    l->gift_coupon < in->ncoupons ?
			    in->coupons[l->gift_coupon].code : NULL;
			const char *cat = i < in->nlines ?
			    in->lines[i].category : NULL;
			struct param *p;

			if (nr == ORDER_ROWS_CHUNK && (k = rows_run(w,
			    S_LINE_INSERT, v, ORDER_LINE_NP, &nr)) != OK)
				return k;
			p = &v[nr++ * ORDER_LINE_NP];
			p[0] = PI(id);
			p[1] = PI(l->line_no);
			p[2] = PIN(l->product_id, l->product_id > 0);
			p[3] = PS(l->name);
			p[4] = PS(cat);
			p[5] = PI(l->qty);
			p[6] = PI(l->unit_fen);
			p[7] = PIN(l->member_unit_fen,
			    l->member_unit_fen != ORDER_NONE);
			p[8] = PI(l->list_fen);
			p[9] = PI(l->net_fen);
			p[10] = PS(gift);
			p[11] = PI(l->tender[TD_POINTS]);
			p[12] = PI(l->tender[TD_PRINCIPAL]);
			p[13] = PI(l->tender[TD_BONUS]);
			p[14] = PI(l->tender[TD_CASH]);
			p[15] = PI(l->tender[TD_CARD]);
			p[16] = PI(l->tender[TD_ONLINE]);
			p[17] = PNULL;
			p[18] = PNULL;
		}
		if ((k = rows_run(w, S_LINE_INSERT, v, ORDER_LINE_NP, &nr))
		    != OK)
			return k;
		for (i = 0; i < o->nlines; i++) {
			const struct priced_line *l = &o->lines[i];
			int j;

			for (j = 0; j < o->nadj; j++) {
				struct param *p;

				if (l->alloc[j] <= 0)
					continue;
				if (nr == ORDER_ROWS_CHUNK && (k = rows_run(w,
				    S_ALLOC_INSERT, v, ORDER_ALLOC_NP, &nr))
				    != OK)
					return k;
				p = &v[nr++ * ORDER_ALLOC_NP];
				p[0] = PI(id);
				p[1] = PI(l->line_no);
				p[2] = PI(j + 1);
				p[3] = PI(l->alloc[j]);
			}
		}
		if ((k = rows_run(w, S_ALLOC_INSERT, v, ORDER_ALLOC_NP, &nr))
		    != OK)
			return k;
		for (i = 0; i < o->nadj; i++) {
			const struct priced_adj *a = &o->adj[i];
			struct param *p;

			if (nr == ORDER_ROWS_CHUNK && (k = rows_run(w,
			    S_ADJ_INSERT, v, ORDER_ADJ_NP, &nr)) != OK)
				return k;
			p = &v[nr++ * ORDER_ADJ_NP];
			p[0] = PI(id);
			p[1] = PI(a->seq);
			p[2] = PS(order_adj_kind_name(a->kind));
			p[3] = PS(a->ref);
			p[4] = PI(a->base_fen);
			p[5] = PI(a->amount_fen);
		}
		if ((k = rows_run(w, S_ADJ_INSERT, v, ORDER_ADJ_NP, &nr))
		    != OK)
			return k;
	}
	for (k = 0; k < o->nadj; k++) {
		const struct priced_adj *a = &o->adj[k];

		if (a->kind != ADJ_COUPON || a->ref == NULL)
			continue;
		RUN(S_COUPON_USE, &r, PI(store_id), PNULL, PI(id),
		    PI(o->total_list_fen), PI(a->amount_fen), PI(merchant_id),
		    PI(member), PS(a->ref));
		if (r.affected != 1)
			return refuse("a coupon was taken meanwhile");
	}
	/* points_spend: from the lots, oldest expiry first */
	if (o->points_used > 0) {
		int64_t left[64], take[64];
		int nl;

		RUN(S_PM_LOCK, &r, PI(merchant_id), PI(member));
		if (r.nrows != 1 || cint(&r, 0, 0) < o->points_used)
			return refuse("points short");
		RUN(S_PM_DEBIT, &r, PI(o->points_used), PI(0), PI(merchant_id),
		    PI(member), PI(o->points_used));
		if (r.affected != 1)
			return refuse("points short");
		RUN(S_LOTS_FIFO, &r, PI(merchant_id), PI(member));
		nl = r.nrows < 64 ? r.nrows : 64;
		for (i = 0; i < nl; i++)
			left[i] = cint(&r, i, 1);
		if (points_take(left, nl, o->points_used, take) !=
		    o->points_used)
			return refuse("the lots hold less than the points");
		for (i = 0; i < nl; i++) {
			struct res u;
			int64_t lot = cint(&r, i, 0);

			if (take[i] == 0)
				continue;
			RUN(S_LOT_TAKE, &u, PI(take[i]), PI(lot),
			    PI(merchant_id), PI(take[i]));
			if (u.affected != 1)
				return refuse("a lot changed meanwhile");
			RUN(S_LOT_USE_INSERT, &u, PI(merchant_id), PI(member),
			    PS(ref), PI(lot), PI(take[i]));
		}
		RUN(S_POINTS_ENTRY, &r, PI(merchant_id), PI(member),
		    PS("order"), PI(-o->points_used), PS(ref));
	}
	/* wallet_move: the balance taken */
	if (o->tender[TD_PRINCIPAL] != 0 || o->tender[TD_BONUS] != 0) {
		int64_t p = -o->tender[TD_PRINCIPAL], b = -o->tender[TD_BONUS];

		RUN(S_MOVE, &r, PI(p), PI(b), PI(merchant_id), PI(member),
		    PI(p), PI(b));
		if (r.affected != 1)
			return refuse("balance short");
		RUN(S_ENTRY_INSERT, &r, PI(merchant_id), PI(member),
		    PS("order"), PI(p), PI(b), PS(ref), PNULL, PI(store_id));
		RUN(S_ENTRY_ROLLUP, &r, PI(tz_off), PI(merchant_id));
	}
	/* order_settle_paid: points_earn_order (the settings, capped, a
	   lot), the growth, then EV_ORDER_PAID (the referral, a scratch
	   card, the member's spend, the analytics' rollups) */
	if (o->earn_points > 0) {
		int64_t pay, lot, neg, cap_order, cap_day, got;
		time_t t = (time_t)(now + tz_off);
		struct tm tm;
		char today[11];

		RUN(S_PS_GET, &r, PI(merchant_id));
		if (r.nrows != 1)
			return refuse("no merchant row");
		if (cstr(&r, 0, 0) != NULL && (cint(&r, 0, 0) == 0 ||
		    cstr(&r, 0, 2) != NULL || (cstr(&r, 0, 5) != NULL &&
		    strcmp(cstr(&r, 0, 5), "never") != 0)))
			return refuse("points settings with earning off, a day "
			    "cap or an expiry: not what the bench makes");
		cap_order = cstr(&r, 0, 0) != NULL && cstr(&r, 0, 1) != NULL ?
		    cint(&r, 0, 1) : POINTS_NONE;
		cap_day = POINTS_NONE;
		got = points_capped(o->earn_points, cap_order, cap_day, 0);
		if (got != o->earn_points)
			return refuse("a per-order cap: not what the bench makes");
		RUN(S_PM_LOCK, &r, PI(merchant_id), PI(member));
		if (r.nrows != 1)
			return refuse("no member points");
		neg = cint(&r, 0, 1);
		gmtime_r(&t, &tm);
		strftime(today, sizeof(today), "%Y-%m-%d", &tm);
		RUN(S_EARN_DAY_ADD, &r, PI(merchant_id), PI(member), PS(today),
		    PI(got));
		points_credit_split(got, neg, &pay, &lot);
		if (lot > 0)
			RUN(S_LOT_INSERT, &r, PI(merchant_id), PI(member), PI(lot),
			    PI(lot), PNULL, PS("order_earn"), PS(ref));
		RUN(S_PM_CREDIT, &r, PI(lot), PI(pay), PI(merchant_id),
		    PI(member), PI(pay));
		if (r.affected != 1)
			return refuse("the earn found no member");
		RUN(S_POINTS_ENTRY, &r, PI(merchant_id), PI(member),
		    PS("order_earn"), PI(got), PS(ref));
	}
	if (o->earn_growth != 0 &&
	    (k = growth_move(w, member, o->earn_growth, ref)) != OK)
		return k;
	RUN(S_REF_SETTINGS, &r, PI(merchant_id));
	if (r.nrows > 0 && cint(&r, 0, 0) != 0 &&
	    strcmp(cstr(&r, 0, 5) ? cstr(&r, 0, 5) : "", "join") != 0) {
		RUN(S_REF_PENDING, &r, PI(merchant_id), PI(member));
		if (r.nrows > 0)
			return refuse("a pending referral: its reward is not "
			    "part of this bench");
	}
	RUN(S_SCRATCH_QUALIFY, &r, PI(merchant_id), PI(o->total_fen),
	    PI(store_id));
	if (r.nrows != 0)
		return refuse("a scratch campaign: not part of this bench");
	RUN(S_MEMBER_PAID, &r, PI(id), PI(merchant_id), PI(member));
	RUN(S_ORDER_DAYS, &r, PI(tz_off), PI(merchant_id), PI(id));
	RUN(S_ORDER_MEMBERS, &r, PI(tz_off), PI(merchant_id), PI(id));
	RUN(S_ORDER_COUPONS, &r, PI(tz_off), PI(merchant_id), PI(id));
	RUN(S_ORDER_ACTIVE, &r, PI(tz_off), PI(merchant_id), PI(id));
	RUN(S_ORDER_COHORT, &r, PI(tz_off), PI(merchant_id), PI(id));
	/* the used coupons counted on their templates, last */
	for (k = 0; k < o->nadj; k++) {
		const struct priced_adj *a = &o->adj[k];

		if (a->kind == ADJ_COUPON && a->ref != NULL) {
			RUN(S_COUPON_TPL_USED, &r, PI(merchant_id),
			    PI(merchant_id), PS(a->ref));
			RUN(S_COUPON_USE_ROLLUP, &r, PI(tz_off),
			    PI(merchant_id), PS(a->ref));
		}
	}
	/* idem_tx: the response kept */
	resp = aalloc(w, (size_t)response_bytes + 1);
	memset(resp, ' ', (size_t)response_bytes);
	i = snprintf(resp, (size_t)response_bytes + 1, "{\"data\":{\"order\":"
	    "{\"quote_hash\":\"%s\",\"id\":%lld,\"total_fen\":%lld}}}", qh,
	    (long long)id, (long long)o->total_fen);
	if (i < response_bytes)
		resp[i] = ' ';
	RUN(S_IDEM_SAVE, &r, PI(201), PS("application/json; charset=utf-8"),
	    PB(resp, (size_t)response_bytes), PI(merchant_id), PS(actor),
	    PS(key));
	return OK;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	long m, round = 0;
	char key[64];

	while (!stop) {
		for (m = w->idx; m < count && !stop; m += nthreads) {
			int rc = FAILED, tries;

			snprintf(key, sizeof(key), "r%s-%d-%ld", stamp, w->idx,
			    w->seq++);
			if (quote) {
				rc = order_tx(w, m, round, key);
				tries = TX_TRIES;
			} else
				tries = 0;
			for (; tries < TX_TRIES; tries++) {
				if (query(w, S_BEGIN, "START TRANSACTION") !=
				    0) {
					rc = FAILED;
					break;
				}
				rc = order_tx(w, m, round, key);
				if (rc == OK) {
					double t0 = timing ? now_us() : 0;

					if (mysql_commit(w->db) != 0) {
						rc = retryable(mysql_errno(
						    w->db)) ? RETRY : FAILED;
						mysql_rollback(w->db);
					}
					tick(w, S_COMMIT, t0);
				} else
					mysql_rollback(w->db);
				if (rc != RETRY)
					break;
				w->retries++;
			}
			if (rc == OK)
				w->orders++;
			else {
				w->errors++;
				stop = 1;
			}
		}
		round++;
	}
	return NULL;
}

static int
load_setup(MYSQL *db, const char *code)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	char q[256];
	long i;

	snprintf(q, sizeof(q), "SELECT id, tz FROM merchants WHERE code = '%s'",
	    strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-") ==
	    strlen(code) ? code : "-");
	if (mysql_query(db, q) != 0 || (res = mysql_store_result(db)) == NULL ||
	    (row = mysql_fetch_row(res)) == NULL) {
		fprintf(stderr, "order_raw: no merchant %s\n", code);
		return -1;
	}
	merchant_id = strtoll(row[0], NULL, 10);
	tz_off = tz_offset(row[1]);
	mysql_free_result(res);
	members = calloc((size_t)count + 1, sizeof(*members));
	phones = calloc((size_t)count + 1, sizeof(*phones));
	snprintf(q, sizeof(q), "SELECT id, phone FROM members WHERE "
	    "merchant_id = %lld AND phone >= '199%08ld' AND phone <= "
	    "'199%08ld' ORDER BY phone", (long long)merchant_id, first,
	    first + count - 1);
	if (mysql_query(db, q) != 0 || (res = mysql_store_result(db)) == NULL)
		return -1;
	for (i = 0; i < count && (row = mysql_fetch_row(res)) != NULL; i++) {
		members[i] = strtoll(row[0], NULL, 10);
		phones[i] = strdup(row[1]);
	}
	mysql_free_result(res);
	if (i != count) {
		fprintf(stderr, "order_raw: %ld of %ld bench members found "
		    "(app bench-members)\n", i, count);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct worker *w;
	struct timespec t0, t1;
	MYSQL *db;
	const char *p;
	double secs, stmts = 0;
	long orders = 0, errors = 0, retries = 0, seconds;
	long long n[S_N];
	double us[S_N];
	int i, k;

	if (argc == 2 && strcmp(argv[1], "--sql") == 0) {
		for (k = 0; k < S_N; k++)
			if (sqls[k].sql != NULL && k != S_QUOTE_FLOOR)
				puts(sqls[k].sql);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--quote-floor") == 0) {
		const char *t = env("BENCH_STAFF_TOKEN", "");

		quote = floor_only = 1;
		argc--;
		argv++;
		if (sodium_init() < 0 || *t == '\0') {
			fputs("order_raw: BENCH_STAFF_TOKEN is needed\n", stderr);
			return 2;
		}
	} else if (argc > 1 && strcmp(argv[1], "--quote") == 0) {
		quote = 1;
		argc--;
		argv++;
		if (*env("BENCH_STAFF_TOKEN", "") == '\0') {
			fputs("order_raw: BENCH_STAFF_TOKEN is needed\n", stderr);
			return 2;
		}
	}
	if (argc < 4) {
		fputs("usage: order_raw [--quote|--quote-floor] <merchant> "
		    "<first> <count> [threads] [seconds]\n"
		    "       order_raw --sql\n", stderr);
		return 2;
	}
	if (sodium_init() < 0 || mysql_library_init(0, NULL, NULL) != 0)
		return 1;
	snprintf(merchant_code, sizeof(merchant_code), "%s", argv[1]);
	first = atol(argv[2]);
	count = atol(argv[3]);
	nthreads = argc > 4 ? atoi(argv[4]) : 4;
	seconds = argc > 5 ? atol(argv[5]) : 10;
	if (nthreads < 1 || nthreads > 256)
		nthreads = 4;
	if (count < nthreads || first < 0) {
		fputs("order_raw: fewer members than threads\n", stderr);
		return 2;
	}
	if (sodium_hex2bin(secret, sizeof(secret), env("APP_SECRET", ""), 64,
	    NULL, NULL, NULL) != 0) {
		fputs("order_raw: APP_SECRET (64 hex) is needed\n", stderr);
		return 2;
	}
	if (quote) {
		const char *t = env("BENCH_STAFF_TOKEN", "");

		hash_hex(t, strlen(t), token_hash);
	}
	store_id = atoll(env("BENCH_STORE_ID", "1"));
	points_offered = atoll(env("BENCH_POINTS", "500"));
	k0 = atol(env("BENCH_K0", "0"));
	response_bytes = atol(env("BENCH_RESPONSE_BYTES", "3000"));
	if (response_bytes < 200)
		response_bytes = 200;
	timing = strcmp(env("BENCH_TIMES", "0"), "1") == 0;
	for (p = env("BENCH_PRODUCTS", ""); *p != '\0' && nproducts < 16;) {
		products[nproducts++] = strtoll(p, (char **)&p, 10);
		if (*p == ',')
			p++;
		else
			break;
	}
	if (nproducts < 1) {
		fputs("order_raw: BENCH_PRODUCTS is needed\n", stderr);
		return 2;
	}
	snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));

	db = raw_connect();
	if (load_setup(db, argv[1]) == -1)
		return 1;
	mysql_close(db);

	w = calloc((size_t)nthreads, sizeof(*w));
	for (i = 0; i < nthreads; i++) {
		w[i].idx = i;
		w[i].tiers_rev = -1;
		w[i].cfg_rev = -1;
		w[i].arena = malloc(ARENA_SZ);
		w[i].db = raw_connect();
		for (k = 0; k < S_N; k++)
			if (sqls[k].sql != NULL)
				raw_prepare(w[i].db, &w[i].s[k], sqls[k].sql);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i].t, NULL, worker_main, &w[i]);
	for (i = 0; i < seconds * 10 && !stop; i++) {
		struct timespec ts = { 0, 100000000 };

		nanosleep(&ts, NULL);
	}
	stop = 1;
	memset(n, 0, sizeof(n));
	memset(us, 0, sizeof(us));
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].t, NULL);
		orders += w[i].orders;
		errors += w[i].errors;
		retries += w[i].retries;
		for (k = 0; k < S_N; k++) {
			n[k] += w[i].n[k];
			us[k] += w[i].us[k];
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	for (k = 0; k < S_N; k++)
		stmts += (double)n[k];
	printf("%s orders=%ld errors=%ld retries=%ld secs=%.3f "
	    "orders_per_s=%.0f", floor_only ? "QUOTEFLOOR" : quote ? "QUOTERAW" : "ORDERRAW", orders, errors, retries, secs,
	    secs > 0 ? (double)orders / secs : 0);
	if (timing && orders > 0)
		printf(" statements_per_order=%.1f", stmts / (double)orders);
	putchar('\n');
	if (timing && orders > 0) {
		double all = 0;

		for (k = 0; k < S_N; k++)
			all += us[k];
		printf("%-18s %8s %9s %9s %6s\n", "statement", "runs",
		    "per_order", "mean_us", "share");
		for (k = 0; k < S_N; k++)
			if (n[k] > 0)
				printf("%-18s %8lld %9.2f %9.1f %5.1f%%\n",
				    sqls[k].name, n[k], (double)n[k] /
				    (double)orders, us[k] / (double)n[k],
				    100 * us[k] / all);
		printf("%-18s %8s %9s %9.1f  (client-side time per order, "
		    "all statements)\n", "total", "", "", all /
		    (double)orders);
	}
	for (i = 0; i < nthreads; i++)
		mysql_close(w[i].db);
	mysql_library_end();
	return errors > 0 ? 1 : 0;
}
