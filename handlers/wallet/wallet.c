/*
 * Stored value, member side: recharge packages, smart top-up, online
 * recharges and the provider's notify, balance payments in the app, the
 * wallet (balance and ledger). The shared pieces (settings, credit of a
 * recharge, the balance payment) are declared in wallet.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "payprovider.h"
#include "wxpay.h"
#include "tier/tier.h"
#include "wallet.h"

/* ---- statements ---- */

DB_SQL_COLS(q_ws_get, WALLET_CFG_NCOLS,
    "SELECT " WALLET_CFG_COLS " FROM wallet_settings ws"
    " WHERE ws.merchant_id = ?");
enum { RG_FROM, RG_TO, RG_CAP, RG_NCOLS };
DB_SQL_COLS(q_ws_ranges, RG_NCOLS,
    "SELECT from_fen, to_fen, cap_fen FROM deduction_ranges"
    " WHERE merchant_id = ? ORDER BY position LIMIT 20");
/* q_pkgs and q_pkg_get */
enum { PK_ID, PK_PAY, PK_BONUS, PK_LABEL, PK_RECOMMENDED, PK_NCOLS };
DB_SQL_COLS(q_pkgs, PK_NCOLS,
    "SELECT id, pay_fen, bonus_fen, label, recommended FROM recharge_packages"
    " WHERE merchant_id = ? AND active = 1 ORDER BY position, id LIMIT 20");
DB_SQL_COLS(q_pkg_get, PK_NCOLS,
    "SELECT id, pay_fen, bonus_fen, label, recommended FROM recharge_packages"
    " WHERE merchant_id = ? AND id = ? AND active = 1");
/* q_member_lock and q_member_read */
enum { MA_PRINCIPAL, MA_BONUS, MA_GROWTH, MA_NCOLS };
DB_SQL_COLS(q_member_lock, MA_NCOLS,
    "SELECT principal_fen, bonus_fen, growth FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL_COLS(q_member_read, MA_NCOLS,
    "SELECT principal_fen, bonus_fen, growth FROM members"
    " WHERE merchant_id = ? AND id = ?");
/* q_bonus_today and q_bonus_today_lock */
enum { BD_BONUS, BD_NCOLS };
DB_SQL_COLS(q_bonus_today, BD_NCOLS,
    "SELECT bonus_fen FROM wallet_bonus_days"
    " WHERE merchant_id = ? AND member_id = ? AND day = ?");
DB_SQL_COLS(q_bonus_today_lock, BD_NCOLS,
    "SELECT bonus_fen FROM wallet_bonus_days"
    " WHERE merchant_id = ? AND member_id = ? AND day = ? LOCK IN SHARE MODE");
enum { PB_ID, PB_NCOLS };
DB_SQL_COLS(q_paid_before, PB_NCOLS,
    "SELECT id FROM payments WHERE merchant_id = ? AND member_id = ?"
    " UNION ALL SELECT id FROM orders WHERE merchant_id = ? AND member_id = ?"
    " AND principal_fen + bonus_fen > 0 AND status <> 'cancelled' LIMIT 1");
DB_SQL(q_credit,
    "UPDATE members SET principal_fen = principal_fen + ?,"
    " bonus_fen = bonus_fen + ? WHERE merchant_id = ? AND id = ?");
DB_SQL(q_entry_insert,
    "INSERT INTO wallet_entries (merchant_id, member_id, kind, principal_fen,"
    " bonus_fen, ref, staff_id, store_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
/* the entry just inserted, into the day's rollup (analytics) */
DB_SQL(q_entry_rollup,
    WALLET_SQL_BALANCE_ROLLUP("e.merchant_id = ? AND e.id = LAST_INSERT_ID()",
    WALLET_EV_SLOT, WALLET_EV_AFTER));
DB_SQL(q_bonus_day_add,
    "INSERT INTO wallet_bonus_days (merchant_id, member_id, day, bonus_fen)"
    " VALUES (?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE bonus_fen = bonus_fen + VALUES(bonus_fen)");
enum { PR_PER_YUAN, PR_NCOLS };
DB_SQL_COLS(q_points_rate, PR_NCOLS,
    "SELECT points_per_yuan FROM merchants WHERE id = ?");
DB_SQL(q_pay_insert,
    "INSERT INTO payments (merchant_id, member_id, store_id, staff_id,"
    " ticket_id, order_id, channel, order_fen, principal_fen, bonus_fen,"
    " growth, points, growth_kept, points_kept, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
/* the payment just recorded, into the day's rollups (analytics) */
DB_SQL(q_pay_rollup,
    WALLET_SQL_PAYMENT_ROLLUP("p.merchant_id = ? AND p.id = ?",
    WALLET_EV_SLOT));
DB_SQL(q_pay_rollup_member,
    WALLET_SQL_PAYMENT_MEMBERS("p.merchant_id = ? AND p.id = ?"));
DB_SQL(q_pay_rollup_active, WALLET_SQL_ACTIVE("payment", "payments",
    WALLET_ACTIVE_PAYMENT, WALLET_ACTIVE_FIRST("payments")));
DB_SQL(q_points_entry,
    "INSERT INTO points_entries (merchant_id, member_id, kind, points, ref,"
    " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())");
enum { SO_ID, SO_NCOLS };
DB_SQL_COLS(q_store_ok, SO_NCOLS,
    "SELECT id FROM stores WHERE id = ? AND merchant_id = ? AND active = 1"
    " AND kind = 'own'");
DB_SQL(q_recharge_insert,
    "INSERT INTO recharges (merchant_id, member_id, package_id, provider,"
    " out_trade_no, pay_fen, bonus_fen, status, store_id, staff_id,"
    " created_at, paid_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP(), IF(? = 1, UTC_TIMESTAMP(), NULL))");
enum { RC_ID, RC_MEMBER, RC_PACKAGE, RC_PROVIDER, RC_TRADE_NO, RC_PAY,
    RC_BONUS, RC_STATUS, RC_STORE, RC_CREATED, RC_PAID, RC_NCOLS };
DB_SQL_COLS(q_recharge_get, RC_NCOLS,
    "SELECT id, member_id, package_id, provider, out_trade_no, pay_fen,"
    " bonus_fen, status, store_id, created_at, paid_at FROM recharges"
    " WHERE merchant_id = ? AND id = ?");
enum { RM_TRADE_NO, RM_PAY, RM_PROVIDER, RM_NCOLS };
DB_SQL_COLS(q_recharge_mine, RM_NCOLS,
    "SELECT out_trade_no, pay_fen, provider FROM recharges"
    " WHERE merchant_id = ? AND id = ? AND member_id = ?");
enum { RT_ID, RT_MERCHANT, RT_MEMBER, RT_PAY, RT_BONUS, RT_M_CODE, RT_M_NAME,
    RT_M_TZ, RT_NCOLS };
DB_SQL_COLS(q_recharge_by_trade, RT_NCOLS,
    "SELECT rc.id, rc.merchant_id, rc.member_id, rc.pay_fen, rc.bonus_fen,"
    " m.code, m.name, m.tz FROM recharges rc"
    " JOIN merchants m ON m.id = rc.merchant_id"
    " WHERE rc.provider = ? AND rc.out_trade_no = ?");
DB_SQL(q_recharge_settle,
    "UPDATE recharges SET status = 'paid', paid_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND status = 'pending'");
enum { WB_PRINCIPAL, WB_BONUS, WB_NCOLS };
DB_SQL_COLS(q_wallet_balance, WB_NCOLS,
    "SELECT principal_fen, bonus_fen FROM members"
    " WHERE merchant_id = ? AND id = ?");
enum { WE_ID, WE_AT, WE_KIND, WE_PRINCIPAL, WE_BONUS, WE_REF, WE_STORE,
    WE_NCOLS };
DB_SQL_COLS(q_wallet_entries, WE_NCOLS,
    "SELECT id, created_at, kind, principal_fen, bonus_fen, ref, store_id"
    " FROM wallet_entries WHERE merchant_id = ? AND member_id = ?"
    " AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?");

/* ---- shared pieces (wallet.h) ---- */

int
wallet_param_id(struct req *r, const char *name, const char *gone,
    int64_t *id)
{
	const char *s = req_param(r, name);
	char *end;
	long long v;

	*id = 0;
	if (s != NULL && *s >= '1' && *s <= '9' && strlen(s) <= 18) {
		v = strtoll(s, &end, 10);
		if (*end == '\0' && v > 0)
			*id = (int64_t)v;
	}
	if (*id == 0)
		return resp_err(r, 404, "not_found", gone, NULL);
	return 0;
}

const char *
wallet_today(struct req *r)
{
	return arena_strndup(r->a, time_rfc3339_t(r, time_now()), 10);
}

const char *
wallet_trade_no(struct req *r, char prefix)
{
	unsigned char raw[12];

	rand_bytes(raw, sizeof(raw));
	return arena_printf(r->a, "%c%s", prefix,
	    hex_encode(r->a, raw, sizeof(raw)));
}

cJSON *
wallet_balance_json(int64_t principal, int64_t bonus)
{
	cJSON *o = j_obj();

	j_int(o, "principal_fen", principal);
	j_int(o, "bonus_fen", bonus);
	j_int(o, "total_fen", principal + bonus);
	return o;
}

int
wallet_cfg_from_row(struct req *r, const struct db_res *res, int row,
    int col, struct wallet_cfg *c)
{
	struct db_res rg;
	int i;

	memset(c, 0, sizeof(*c));
	deduction_rules_default(&c->rules);
	c->custom.enabled = 1;
	c->custom.min_fen = 1000;
	c->custom.max_fen = 500000;
	if (res == NULL || db_isnull(res, row, col + WS_MERCHANT))
		return 0;
	c->custom.enabled = db_int(res, row, col + WS_CUSTOM_ENABLED) != 0;
	c->custom.min_fen = db_int(res, row, col + WS_CUSTOM_MIN);
	c->custom.max_fen = db_int(res, row, col + WS_CUSTOM_MAX);
	wallet_split_parse(db_str(res, row, col + WS_SPLIT), &c->rules.split);
	c->rules.bonus_pct = (int)db_int(res, row, col + WS_BONUS_PCT);
	c->rules.freeze_same_day_bonus =
	    db_int(res, row, col + WS_FREEZE_BONUS) != 0;
	wallet_cap_parse(db_str(res, row, col + WS_CAP_KIND), &c->rules.cap);
	c->rules.cap_amount_fen = db_int(res, row, col + WS_CAP_AMOUNT);
	c->rules.cap_pct = (int)db_int(res, row, col + WS_CAP_PCT);
	if (c->rules.cap != CAP_ORDER_RANGES)
		return 0;
	if (DB(r, &q_ws_ranges, &rg, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < rg.nrows && i < WALLET_MAX_RANGES; i++) {
		c->rules.ranges[i].from_fen = db_int(&rg, i, RG_FROM);
		c->rules.ranges[i].to_fen = db_int(&rg, i, RG_TO);
		c->rules.ranges[i].cap_fen = db_int(&rg, i, RG_CAP);
	}
	c->rules.nranges = i;
	return 0;
}

int
wallet_cfg_load(struct req *r, struct wallet_cfg *c)
{
	struct db_res res;

	if (DB(r, &q_ws_get, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	return wallet_cfg_from_row(r, res.nrows ? &res : NULL, 0, 0, c);
}

static void
pkg_row(const struct db_res *res, int i, struct wallet_pkg *p)
{
	p->id = db_int(res, i, PK_ID);
	p->pay_fen = db_int(res, i, PK_PAY);
	p->bonus_fen = db_int(res, i, PK_BONUS);
	p->label = db_str(res, i, PK_LABEL);
	p->recommended = db_int(res, i, PK_RECOMMENDED) != 0;
}

int
wallet_pkgs_load(struct req *r, struct wallet_pkg **out, int *n)
{
	struct db_res res;
	int i;

	if (DB(r, &q_pkgs, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	*out = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(**out));
	for (i = 0; i < res.nrows; i++)
		pkg_row(&res, i, &(*out)[i]);
	*n = res.nrows;
	return 0;
}

int
wallet_pkg_get(struct req *r, int64_t id, struct wallet_pkg *p)
{
	struct db_res res;

	if (DB(r, &q_pkg_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_bad_field(r, "package_id", "充值套餐不存在");
	pkg_row(&res, 0, p);
	return 0;
}

/*
 * The member row is read with its lock when paying, so the balance is
 * the latest. Today's bonus is then read with a shared lock when the
 * frozen-bonus rule is on (a recharge credited meanwhile must count).
 * Whether a payment was made before is a plain read, and only when a
 * first-payment cap asks: a stale answer can only say "first" when it is
 * not, which caps more, never less.
 */
int
wallet_state_rest(struct req *r, int64_t member_id, int lock,
    const struct wallet_cfg *c, struct wallet_state *st)
{
	struct db_res res;

	st->bonus_today_fen = 0;
	st->first_payment = 0;
	if (c->rules.freeze_same_day_bonus) {
		if (DB(r, lock ? &q_bonus_today_lock : &q_bonus_today, &res,
		    DBI(r->m->id), DBI(member_id), DBS(wallet_today(r))) !=
		    DB_OK)
			return db_fail(r);
		st->bonus_today_fen = res.nrows ? db_int(&res, 0, BD_BONUS) : 0;
	}
	if (c->rules.cap != CAP_FIRST_AMOUNT && c->rules.cap != CAP_FIRST_PCT)
		return 0;
	if (DB(r, &q_paid_before, &res, DBI(r->m->id), DBI(member_id),
	    DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	st->first_payment = res.nrows == 0;
	return 0;
}

int
wallet_state_load(struct req *r, int64_t member_id, int lock,
    const struct wallet_cfg *c, struct wallet_state *st, int64_t *growth,
    int *found)
{
	struct db_res res;

	memset(st, 0, sizeof(*st));
	*found = 0;
	if (DB(r, lock ? &q_member_lock : &q_member_read, &res, DBI(r->m->id),
	    DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	*found = 1;
	st->principal_fen = db_int(&res, 0, MA_PRINCIPAL);
	st->bonus_fen = db_int(&res, 0, MA_BONUS);
	if (growth != NULL)
		*growth = db_int(&res, 0, MA_GROWTH);
	return wallet_state_rest(r, member_id, lock, c, st);
}

/* The growth a recharge earns by the merchant's growth rules. */
static int
wallet_recharge_growth(struct req *r, int64_t recharge_id, int64_t member_id,
    int64_t pay)
{
	struct tier_policy p;
	int st;

	if ((st = tier_policy_load(r, &p)) != 0)
		return st;
	return tier_growth_move(r, member_id, tier_growth_of_recharge(&p, pay),
	    "recharge", arena_printf(r->a, "recharge:%lld",
	    (long long)recharge_id));
}

int
wallet_credit(struct req *r, int64_t recharge_id, int64_t member_id,
    int64_t pay, int64_t bonus, int64_t store_id, int64_t staff_id)
{
	struct db_res res;

	if (DB(r, &q_credit, &res, DBI(pay), DBI(bonus), DBI(r->m->id),
	    DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		log_err(r, "wallet: credit of recharge %lld: member %lld "
		    "not found", (long long)recharge_id, (long long)member_id);
		return resp_internal(r);
	}
	if (DB(r, &q_entry_insert, NULL, DBI(r->m->id), DBI(member_id),
	    DBS("recharge"), DBI(pay), DBI(bonus),
	    DBS(arena_printf(r->a, "recharge:%lld", (long long)recharge_id)),
	    DBIN(staff_id, staff_id > 0), DBIN(store_id, store_id > 0)) !=
	    DB_OK || DB(r, &q_entry_rollup, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (bonus > 0 && DB(r, &q_bonus_day_add, NULL, DBI(r->m->id),
	    DBI(member_id), DBS(wallet_today(r)), DBI(bonus)) != DB_OK)
		return db_fail(r);
	return wallet_recharge_growth(r, recharge_id, member_id, pay);
}

DB_SQL(q_move,
    "UPDATE members SET principal_fen = principal_fen + ?,"
    " bonus_fen = bonus_fen + ? WHERE merchant_id = ? AND id = ?"
    " AND principal_fen + ? >= 0 AND bonus_fen + ? >= 0");

int
wallet_move(struct req *r, int64_t member_id, int64_t principal,
    int64_t bonus, const char *kind, const char *ref, int64_t staff_id,
    int64_t store_id)
{
	struct db_res res;

	if (principal == 0 && bonus == 0)
		return 0;
	if (DB(r, &q_move, &res, DBI(principal), DBI(bonus), DBI(r->m->id),
	    DBI(member_id), DBI(principal), DBI(bonus)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "insufficient_balance", "余额不足",
		    NULL);
	if (DB(r, &q_entry_insert, NULL, DBI(r->m->id), DBI(member_id),
	    DBS(kind), DBI(principal), DBI(bonus), DBS(ref),
	    DBIN(staff_id, staff_id > 0), DBIN(store_id, store_id > 0)) !=
	    DB_OK || DB(r, &q_entry_rollup, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	return 0;
}

DB_SQL(q_points_move,
    "UPDATE members SET points = points + ?"
    " WHERE merchant_id = ? AND id = ? AND (? >= 0 OR points + ? >= 0)");

int
wallet_points_move(struct req *r, int64_t member_id, int64_t points,
    int64_t growth, int may_go_negative, const char *kind, const char *ref)
{
	struct db_res res;

	if (points == 0 && growth == 0)
		return 0;
	if (points != 0) {
		if (DB(r, &q_points_move, &res, DBI(points), DBI(r->m->id),
		    DBI(member_id), DBI(may_go_negative ? 0 : points),
		    DBI(points)) != DB_OK)
			return db_fail(r);
		if (res.affected != 1)
			return resp_err(r, 409, "insufficient_points",
			    "积分不足", NULL);
		if (DB(r, &q_points_entry, NULL, DBI(r->m->id),
		    DBI(member_id), DBS(kind), DBI(points), DBS(ref)) !=
		    DB_OK)
			return db_fail(r);
	}
	/* growth has its own ledger, and the tier follows it */
	return tier_growth_move(r, member_id, growth, kind, ref);
}

int
wallet_recharge_insert(struct req *r, int64_t member_id, int64_t package_id,
    const char *provider, const char *trade_no, int64_t pay, int64_t bonus,
    int paid, int64_t store_id, int64_t staff_id, int64_t *id)
{
	struct db_res res;

	*id = 0;
	if (DB(r, &q_recharge_insert, &res, DBI(r->m->id), DBI(member_id),
	    DBIN(package_id, package_id > 0), DBS(provider), DBS(trade_no),
	    DBI(pay), DBI(bonus), DBS(paid ? "paid" : "pending"),
	    DBIN(store_id, store_id > 0), DBIN(staff_id, staff_id > 0),
	    DBI(paid ? 1 : 0)) != DB_OK)
		return db_fail(r);
	*id = (int64_t)res.insert_id;
	if (paid) {
		struct recharged ev = { *id, member_id };

		return event_emit(r, EV_RECHARGED, &ev);
	}
	return 0;
}

cJSON *
wallet_recharge_json(struct req *r, int64_t id)
{
	struct db_res res;
	cJSON *o;

	if (DB(r, &q_recharge_get, &res, DBI(r->m->id), DBI(id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	if (res.nrows == 0) {
		resp_err(r, 404, "not_found", "充值记录不存在", NULL);
		return NULL;
	}
	o = j_obj();
	j_int(o, "id", db_int(&res, 0, RC_ID));
	j_int(o, "member_id", db_int(&res, 0, RC_MEMBER));
	if (db_isnull(&res, 0, RC_PACKAGE))
		j_null(o, "package_id");
	else
		j_int(o, "package_id", db_int(&res, 0, RC_PACKAGE));
	j_str(o, "provider", db_str(&res, 0, RC_PROVIDER));
	j_str(o, "out_trade_no", db_str(&res, 0, RC_TRADE_NO));
	j_int(o, "pay_fen", db_int(&res, 0, RC_PAY));
	j_int(o, "bonus_fen", db_int(&res, 0, RC_BONUS));
	j_str(o, "status", db_str(&res, 0, RC_STATUS));
	if (db_isnull(&res, 0, RC_STORE))
		j_null(o, "store_id");
	else
		j_int(o, "store_id", db_int(&res, 0, RC_STORE));
	j_str(o, "created_at", time_rfc3339(r, db_str(&res, 0, RC_CREATED)));
	j_str(o, "paid_at", time_rfc3339(r, db_str(&res, 0, RC_PAID)));
	return o;
}

/* The tier multiplier x 100 for a growth, and the merchant's rate. 0, or
   the error status (recorded). */
int
wallet_earn_terms(struct req *r, int64_t growth, int64_t *per_yuan,
    int64_t *mult_pct)
{
	const struct tier_row *cur;
	struct db_res res;
	int st;

	*per_yuan = 0;
	*mult_pct = 100;
	if (DB(r, &q_points_rate, &res, DBI(r->m->id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	*per_yuan = db_int(&res, 0, PR_PER_YUAN);
	if ((st = tier_of_growth(r, growth, &cur, NULL)) != 0)
		return st;
	*mult_pct = wallet_earn_mult_pct(cur);
	return 0;
}

int64_t
wallet_earn_mult_pct(const struct tier_row *cur)
{
	return cur != NULL ? (int64_t)(cur->mult * 100 + 0.5) : 100;
}

int
wallet_payment_record(struct req *r, int64_t member_id, int64_t store_id,
    int64_t staff_id, int64_t ticket_id, int64_t order_fen, int64_t principal,
    int64_t bonus, int64_t growth, int64_t points, int64_t *id)
{
	struct db_res res;
	int rc;

	rc = DB(r, &q_pay_insert, &res, DBI(r->m->id), DBI(member_id),
	    DBI(store_id), DBIN(staff_id, staff_id > 0),
	    DBIN(ticket_id, ticket_id > 0), DBNULL,
	    DBS(ticket_id > 0 ? "counter" : "app"), DBI(order_fen),
	    DBI(principal), DBI(bonus), DBI(growth), DBI(points), DBI(growth),
	    DBI(points));
	if (rc == DB_DUP)
		return resp_err(r, 409, "ticket_used", "该凭证已完成一次支付",
		    "ticket");
	if (rc != DB_OK)
		return db_fail(r);
	*id = (int64_t)res.insert_id;
	if (DB(r, &q_pay_rollup, NULL, DBI(tz_offset(r->m->tz)), DBI(r->m->id),
	    DBI(*id)) != DB_OK ||
	    DB(r, &q_pay_rollup_member, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id), DBI(*id)) != DB_OK ||
	    DB(r, &q_pay_rollup_active, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id), DBI(*id)) != DB_OK)
		return db_fail(r);
	return 0;
}

DB_SQL(q_pay_link,
    "UPDATE payments SET order_id = ? WHERE merchant_id = ? AND id = ?");

int
wallet_payment_link(struct req *r, int64_t payment_id, int64_t order_id)
{
	if (DB(r, &q_pay_link, NULL, DBI(order_id), DBI(r->m->id),
	    DBI(payment_id)) != DB_OK)
		return db_fail(r);
	return 0;
}

/* ---- packages and suggestions ---- */

static cJSON *
pkg_json(const struct wallet_pkg *p)
{
	cJSON *o = j_obj();

	j_int(o, "id", p->id);
	j_int(o, "pay_fen", p->pay_fen);
	j_int(o, "bonus_fen", p->bonus_fen);
	j_str(o, "label", p->label);
	j_bool(o, "recommended", p->recommended);
	return o;
}

/* Out: [{id, pay_fen, bonus_fen, label, recommended}] in order. Public. */
static int
wallet_packages(struct req *r)
{
	struct wallet_pkg *p;
	cJSON *arr;
	int n, i, st;

	if ((st = wallet_pkgs_load(r, &p, &n)) != 0)
		return st;
	arr = j_arr();
	for (i = 0; i < n; i++)
		j_add(arr, NULL, pkg_json(&p[i]));
	return resp_data(r, 200, arr);
}

/*
 * Smart top-up for an order.
 * In: ?order_fen=. Out: up to three {pay_fen, bonus_fen,
 * balance_after_fen, package_id|null, reason}, [] when the balance
 * covers the order. Errors: invalid_field. Writes: nothing.
 */
static int
wallet_suggestions(struct req *r)
{
	struct wallet_cfg c;
	struct wallet_state ws;
	struct wallet_pkg *p;
	struct recharge_pkg rp[WALLET_MAX_PACKAGES];
	struct topup t[TOPUP_MAX];
	int64_t order, payable;
	cJSON *arr;
	int n, i, k, found, st;

	if (req_query_int(r, "order_fen", 1, 1, WALLET_MAX_FEN, &order) == -1)
		return r->status;
	if ((st = wallet_cfg_load(r, &c)) != 0 ||
	    (st = wallet_pkgs_load(r, &p, &n)) != 0 ||
	    (st = wallet_state_load(r, r->auth.member_id, 0, &c, &ws, NULL,
	    &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	for (i = 0; i < n && i < WALLET_MAX_PACKAGES; i++) {
		rp[i].id = p[i].id;
		rp[i].pay_fen = p[i].pay_fen;
		rp[i].bonus_fen = p[i].bonus_fen;
	}
	k = topup_suggest(&c.rules, &ws, order, rp, i, &c.custom, t, &payable);
	arr = j_arr();
	for (i = 0; i < k; i++) {
		cJSON *o = j_obj();

		j_int(o, "pay_fen", t[i].pay_fen);
		j_int(o, "bonus_fen", t[i].bonus_fen);
		j_int(o, "balance_after_fen", t[i].balance_after_fen);
		if (t[i].package_id)
			j_int(o, "package_id", t[i].package_id);
		else
			j_null(o, "package_id");
		j_str(o, "reason", t[i].reason);
		j_add(arr, NULL, o);
	}
	return resp_data(r, 200, arr);
}

/* ---- online recharges ---- */

struct recharge_new {
	const struct pay_provider *pp;
	int64_t		 package_id, pay_fen, bonus_fen;
	const char	*label;
	cJSON		*out, *pay;
	struct pay_order o;
};

static int
recharge_new_tx(struct req *r, void *arg)
{
	struct recharge_new *c = arg;
	struct pay_order *o = &c->o;
	const char *no = wallet_trade_no(r, 'R');
	int64_t id;
	cJSON *pay;
	int st;

	if ((st = wallet_recharge_insert(r, r->auth.member_id, c->package_id,
	    c->pp->name, no, c->pay_fen, c->bonus_fen, 0, 0, 0, &id)) != 0)
		return st;
	if ((c->out = wallet_recharge_json(r, id)) == NULL)
		return r->status;
	o->recharge_id = id;
	o->member_id = r->auth.member_id;
	o->out_trade_no = no;
	o->amount_fen = c->pay_fen;
	o->subject = arena_printf(r->a, "%s 储值 %s", r->m->name, c->label);
	pay = j_obj();
	if ((st = c->pp->checkout(r, o, pay)) != 0)
		return st;
	j_add(c->out, "payment", pay);
	c->pay = pay;
	return 201;
}

/*
 * Start an online recharge.
 * In: {package_id} or {pay_fen} (custom amount), provider? ("sandbox").
 * Out: 201 {recharge:{id, status:"pending", pay_fen, bonus_fen, ...,
 * payment:{provider, out_trade_no, amount_fen, notify_url, sign_fields,
 * ...}}}. Errors: invalid_field (package_id, pay_fen, provider),
 * unavailable (no provider enabled), member_blocked (409, before any
 * provider order). Writes: recharges (pending).
 */
static int
wallet_recharge_create(struct req *r)
{
	struct recharge_new c;
	struct wallet_cfg cfg;
	struct wallet_pkg pk;
	const char *prov = NULL;
	char label[48], lo[32], hi[32];
	cJSON *d;
	int hp = 1, hc = 1, st;

	memset(&c, 0, sizeof(c));
	if (req_json_body(r) == -1 ||
	    (hp = req_json_int(r, "package_id", 0, 1, INT64_MAX,
	    &c.package_id)) == -1 ||
	    (hc = req_json_int(r, "pay_fen", 0, 1, WALLET_MAX_FEN,
	    &c.pay_fen)) == -1 ||
	    req_json_str(r, "provider", 0, 1, 16, &prov) == -1)
		return r->status;
	if (hp == 1 && hc == 1)
		return resp_bad_field(r, "package_id",
		    "请选择充值套餐或填写充值金额");
	if (hp == 0 && hc == 0)
		return resp_bad_field(r, "pay_fen",
		    "充值套餐与自定义金额只能选一个");
	if ((c.pp = payprovider_find(prov ? prov : "sandbox")) == NULL) {
		if (prov != NULL)
			return resp_bad_field(r, "provider", "不支持的支付渠道");
		return resp_err(r, 503, "unavailable", "在线充值暂不可用",
		    NULL);
	}
	if (hp == 0) {
		if ((st = wallet_pkg_get(r, c.package_id, &pk)) != 0)
			return st;
		c.pay_fen = pk.pay_fen;
		c.bonus_fen = pk.bonus_fen;
		c.label = pk.label;
	} else {
		if ((st = wallet_cfg_load(r, &cfg)) != 0)
			return st;
		if (!cfg.custom.enabled)
			return resp_bad_field(r, "pay_fen", "暂不支持自定义金额");
		if (c.pay_fen < cfg.custom.min_fen ||
		    c.pay_fen > cfg.custom.max_fen) {
			wallet_yuan(lo, sizeof(lo), cfg.custom.min_fen);
			wallet_yuan(hi, sizeof(hi), cfg.custom.max_fen);
			return resp_bad_field(r, "pay_fen", arena_printf(r->a,
			    "充值金额应在 %s 到 %s 元之间", lo, hi));
		}
		c.package_id = 0;
		wallet_pkg_label(label, sizeof(label), c.pay_fen, 0);
		c.label = arena_strdup(r->a, label);
	}
	/* a member frozen by staff puts no money in: no provider order */
	if ((st = member_blocked_check(r, r->auth.member_id)) != 0)
		return st;
	st = db_tx(r, recharge_new_tx, &c);
	if (st >= 400)
		return st;
	/* the provider's own order, once ours is committed (the recharge
	   stays pending, unpaid, when that fails) */
	if (c.pp->prepay != NULL && (st = c.pp->prepay(r, &c.o, c.pay)) != 0)
		return st;
	d = j_obj();
	j_add(d, "recharge", c.out);
	return resp_data(r, 201, d);
}

/* Out: {recharge:{...}} of the signed-in member. Errors: not_found. */
static int
wallet_recharge_get(struct req *r)
{
	int64_t id;
	cJSON *o, *d, *mid;
	int st;

	if ((st = wallet_param_id(r, "id", "充值记录不存在", &id)) != 0)
		return st;
	if ((o = wallet_recharge_json(r, id)) == NULL)
		return r->status;
	mid = cJSON_GetObjectItem(o, "member_id");
	if ((int64_t)mid->valuedouble != r->auth.member_id)
		return resp_err(r, 404, "not_found", "充值记录不存在", NULL);
	d = j_obj();
	j_add(d, "recharge", o);
	return resp_data(r, 200, d);
}

int
wallet_online_checkout(struct req *r, const char *trade_no, int64_t amount,
    const char *subject, const char *pay_url, cJSON *payment)
{
	const struct pay_provider *pp = payprovider_find("sandbox");
	struct wxpay_cfg wc;
	struct pay_order o;
	int st;

	/* a merchant with a WeChat Pay account is paid through it */
	if ((st = wxpay_cfg_load(r, &wc)) != 0)
		return st;
	if (wc.configured)
		pp = &wxpay_provider;
	if (pp == NULL)
		return resp_err(r, 503, "unavailable", "在线支付暂不可用", NULL);
	o.recharge_id = 0;
	o.member_id = 0;
	o.out_trade_no = trade_no;
	o.amount_fen = amount;
	o.subject = subject;
	if ((st = pp->checkout(r, &o, payment)) != 0)
		return st;
	if (pay_url != NULL && pp->prepay == NULL) {
		cJSON_DeleteItemFromObject(payment, "sandbox_pay_url");
		j_str(payment, "sandbox_pay_url", pay_url);
	}
	return 0;
}

int
wallet_online_prepay(struct req *r, int64_t member_id, cJSON *payment)
{
	const cJSON *pv = cJSON_GetObjectItem(payment, "provider");
	const cJSON *no = cJSON_GetObjectItem(payment, "out_trade_no");
	const cJSON *amt = cJSON_GetObjectItem(payment, "amount_fen");
	const cJSON *subj = cJSON_GetObjectItem(payment, "subject");
	struct pay_order o;

	if (member_id <= 0 || !cJSON_IsString(pv) ||
	    strcmp(pv->valuestring, wxpay_provider.name) != 0 ||
	    !cJSON_IsString(no) || !cJSON_IsNumber(amt) ||
	    !cJSON_IsString(subj))
		return 0;
	o.recharge_id = 0;
	o.member_id = member_id;
	o.out_trade_no = no->valuestring;
	o.amount_fen = (int64_t)amt->valuedouble;
	o.subject = subj->valuestring;
	return wxpay_provider.prepay(r, &o, payment);
}

struct settle {
	int64_t		 recharge_id, member_id, pay_fen, bonus_fen;
	int		 credited;
};

static int
settle_tx(struct req *r, void *arg)
{
	struct settle *s = arg;
	struct recharged ev;
	struct db_res res;
	int st;

	s->credited = 0;
	if (DB(r, &q_recharge_settle, &res, DBI(s->recharge_id)) != DB_OK)
		return db_fail(r);
	if (res.affected == 0)
		return 200;	/* paid already: credited once, before */
	if ((st = wallet_credit(r, s->recharge_id, s->member_id, s->pay_fen,
	    s->bonus_fen, 0, 0)) != 0)
		return st;
	ev.recharge_id = s->recharge_id;
	ev.member_id = s->member_id;
	if ((st = event_emit(r, EV_RECHARGED, &ev)) != 0)
		return st;
	s->credited = 1;
	return 200;
}

/* Another domain's trade number (an order's): its subscriber applies it. */
static int
notified_tx(struct req *r, void *arg)
{
	int st = event_emit(r, EV_ONLINE_NOTIFIED, arg);

	return st != 0 ? st : 200;
}

/*
 * Apply a verified notify: check it against the pending recharge and
 * credit it once (the pending -> paid update decides). Sets r->m from
 * the recharge when the route has no merchant. 0 (also for a notify
 * that says the payment failed), or the error status (recorded);
 * *recharge_id gets the recharge.
 */
static int
notify_apply(struct req *r, const char *provider, const struct pay_notify *n,
    int64_t *recharge_id)
{
	struct db_res res;
	struct settle s;
	int st;

	if (DB(r, &q_recharge_by_trade, &res, DBS(provider),
	    DBS(n->out_trade_no)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0) {
		struct online_notified ev;
		int handled = 0;

		ev.provider = provider;
		ev.out_trade_no = n->out_trade_no;
		ev.amount_fen = n->amount_fen;
		ev.success = n->success;
		ev.handled = &handled;
		st = db_tx(r, notified_tx, &ev);
		if (st >= 400)
			return st;
		if (handled)
			return 0;
	}
	if (res.nrows == 0 ||
	    (r->m != NULL && r->m->id != db_int(&res, 0, RT_MERCHANT)))
		return resp_err(r, 404, "not_found", "充值订单不存在",
		    "out_trade_no");
	if (r->m == NULL) {
		r->m = arena_calloc(r->a, 1, sizeof(*r->m));
		r->m->id = db_int(&res, 0, RT_MERCHANT);
		r->m->code = db_str(&res, 0, RT_M_CODE);
		r->m->name = db_str(&res, 0, RT_M_NAME);
		r->m->tz = db_str(&res, 0, RT_M_TZ);
	}
	s.recharge_id = db_int(&res, 0, RT_ID);
	s.member_id = db_int(&res, 0, RT_MEMBER);
	s.pay_fen = db_int(&res, 0, RT_PAY);
	s.bonus_fen = db_int(&res, 0, RT_BONUS);
	if (recharge_id != NULL)
		*recharge_id = s.recharge_id;
	if (n->amount_fen != s.pay_fen)
		return resp_err(r, 400, "amount_mismatch",
		    "支付金额与充值订单不符", "amount_fen");
	if (!n->success)
		return 0;
	st = db_tx(r, settle_tx, &s);
	if (st >= 400)
		return st;
	if (s.credited)
		log_info(r, "wallet: recharge %lld paid via %s, %lld+%lld fen "
		    "credited", (long long)s.recharge_id, provider,
		    (long long)s.pay_fen, (long long)s.bonus_fen);
	return 0;
}

int
payprovider_apply(struct req *r, const char *provider,
    const struct pay_notify *n)
{
	return notify_apply(r, provider, n, NULL);
}

/*
 * A payment provider's signed callback (no session: the signature
 * authenticates it; the recharge names the merchant).
 * In: the provider's body (sandbox: see payprovider.h). Out: the
 * provider's acknowledgement (sandbox: {status:"ok"}), also for a
 * repeated notify. Errors: not_found (provider unknown or disabled, no
 * such order), invalid_signature, amount_mismatch, invalid_field.
 * Writes: the recharge (pending -> paid), the accounts, a ledger entry,
 * today's bonus record — once, however often it comes.
 */
static int
wallet_notify(struct req *r)
{
	const struct pay_provider *pp = payprovider_find(req_param(r,
	    "provider"));
	struct pay_notify n;
	int st;

	if (pp == NULL)
		return resp_err(r, 404, "not_found", "支付渠道不存在", NULL);
	if (pp->notify != NULL)
		return pp->notify(r);
	if ((st = pp->verify(r, &n)) != 0 ||
	    (st = notify_apply(r, pp->name, &n, NULL)) != 0)
		return st;
	return pp->ack(r);
}

int
wallet_sandbox_notify(struct req *r, const char *trade_no, int64_t amount,
    cJSON **notify)
{
	const unsigned char *key = sandbox_key();
	struct pay_notify n;
	char canon[256], sign[65];
	int st;

	*notify = NULL;
	if (!cfg_is_dev() || payprovider_find("sandbox") == NULL ||
	    key == NULL)
		return resp_err(r, 404, "not_found", "页面或接口不存在", NULL);
	n.out_trade_no = trade_no;
	n.amount_fen = amount;
	n.success = 1;
	if (sandbox_canonical(canon, sizeof(canon), n.out_trade_no,
	    n.amount_fen, "SUCCESS") == -1)
		return resp_internal(r);
	sandbox_sign(sign, key, 32, canon, strlen(canon));
	if ((st = notify_apply(r, "sandbox", &n, NULL)) != 0)
		return st;
	*notify = j_obj();
	j_str(*notify, "out_trade_no", n.out_trade_no);
	j_int(*notify, "amount_fen", n.amount_fen);
	j_str(*notify, "status", "SUCCESS");
	j_str(*notify, "sign", sign);
	return 0;
}

/*
 * Development and test only: pay a pending sandbox recharge of the
 * signed-in member as the sandbox would, by signing its notify and
 * applying it here.
 * Out: {recharge, balance, notify:{out_trade_no, amount_fen, status,
 * sign}}. Errors: not_found (also outside dev/test). Writes: as notify.
 */
static int
wallet_sandbox_pay(struct req *r)
{
	const unsigned char *key = sandbox_key();
	struct pay_notify n;
	struct db_res res;
	char canon[256], sign[65];
	int64_t id;
	cJSON *d, *o, *rec;
	int st;

	if (!cfg_is_dev() || payprovider_find("sandbox") == NULL ||
	    key == NULL)
		return resp_err(r, 404, "not_found", "页面或接口不存在", NULL);
	if ((st = wallet_param_id(r, "id", "充值记录不存在", &id)) != 0)
		return st;
	/* a failed read answers not_found too (a development helper) */
	if (DB(r, &q_recharge_mine, &res, DBI(r->m->id), DBI(id),
	    DBI(r->auth.member_id)) != DB_OK || res.nrows == 0 ||
	    strcmp(db_str(&res, 0, RM_PROVIDER), "sandbox") != 0)
		return resp_err(r, 404, "not_found", "充值记录不存在", NULL);
	n.out_trade_no = db_str(&res, 0, RM_TRADE_NO);
	n.amount_fen = db_int(&res, 0, RM_PAY);
	n.success = 1;
	if (sandbox_canonical(canon, sizeof(canon), n.out_trade_no,
	    n.amount_fen, "SUCCESS") == -1)
		return resp_internal(r);
	sandbox_sign(sign, key, 32, canon, strlen(canon));
	if ((st = notify_apply(r, "sandbox", &n, NULL)) != 0)
		return st;
	if ((rec = wallet_recharge_json(r, id)) == NULL)
		return r->status;
	if (DB(r, &q_wallet_balance, &res, DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	d = j_obj();
	j_add(d, "recharge", rec);
	j_add(d, "balance", wallet_balance_json(db_int(&res, 0, WB_PRINCIPAL),
	    db_int(&res, 0, WB_BONUS)));
	o = j_obj();
	j_str(o, "out_trade_no", n.out_trade_no);
	j_int(o, "amount_fen", n.amount_fen);
	j_str(o, "status", "SUCCESS");
	j_str(o, "sign", sign);
	j_add(d, "notify", o);
	return resp_data(r, 200, d);
}

/* ---- the wallet ---- */

static const char *
entry_kind_name(const char *k)
{
	if (strcmp(k, "recharge") == 0)
		return "充值";
	if (strcmp(k, "payment") == 0 || strcmp(k, "order") == 0)
		return "消费";
	if (strcmp(k, "refund") == 0 || strcmp(k, "order_refund") == 0)
		return "退款";
	if (strcmp(k, "scratch") == 0)
		return "刮刮乐";
	return "调整";
}

/*
 * Out: {balance:{principal_fen, bonus_fen, total_fen}, entries:[{id, at,
 * kind, kind_name, principal_fen, bonus_fen, ref, store_id}] newest
 * first, next_cursor}. ?limit= (1..100, default 20), ?cursor=.
 */
static int
wallet_me(struct req *r)
{
	struct db_res res;
	int64_t limit, cursor, next;
	cJSON *d, *arr;
	int i, n;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_wallet_balance, &res, DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	d = j_obj();
	j_add(d, "balance", wallet_balance_json(db_int(&res, 0, WB_PRINCIPAL),
	    db_int(&res, 0, WB_BONUS)));
	if (DB(r, &q_wallet_entries, &res, DBI(r->m->id),
	    DBI(r->auth.member_id), DBI(cursor), DBI(cursor), DBI(limit + 1)) !=
	    DB_OK)
		return db_fail(r);
	arr = j_arr();
	n = db_page(&res, limit, WE_ID, &next);
	for (i = 0; i < n; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", db_int(&res, i, WE_ID));
		j_str(o, "at", time_rfc3339(r, db_str(&res, i, WE_AT)));
		j_str(o, "kind", db_str(&res, i, WE_KIND));
		j_str(o, "kind_name", entry_kind_name(db_str(&res, i,
		    WE_KIND)));
		j_int(o, "principal_fen", db_int(&res, i, WE_PRINCIPAL));
		j_int(o, "bonus_fen", db_int(&res, i, WE_BONUS));
		j_str(o, "ref", db_str(&res, i, WE_REF));
		if (db_isnull(&res, i, WE_STORE))
			j_null(o, "store_id");
		else
			j_int(o, "store_id", db_int(&res, i, WE_STORE));
		j_add(arr, NULL, o);
	}
	j_add(d, "entries", arr);
	if (next > 0)
		j_str(d, "next_cursor", arena_printf(r->a, "%lld",
		    (long long)next));
	else
		j_null(d, "next_cursor");
	return resp_data(r, 200, d);
}

ROUTES(wallet_routes) = {
	{ M_GET, "/api/v1/m/:merchant/recharge-packages", wallet_packages, 0 },
	{ M_GET, "/api/v1/m/:merchant/me/recharge-suggestions",
	    wallet_suggestions, AUTH_MEMBER },
	{ M_POST, "/api/v1/m/:merchant/me/recharges", wallet_recharge_create,
	    AUTH_MEMBER | IDEMPOTENT },
	{ M_GET, "/api/v1/m/:merchant/me/recharges/:id", wallet_recharge_get,
	    AUTH_MEMBER },
	{ M_POST, "/api/v1/m/:merchant/me/recharges/:id/sandbox-pay",
	    wallet_sandbox_pay, AUTH_MEMBER },
	{ M_GET, "/api/v1/m/:merchant/me/wallet", wallet_me, AUTH_MEMBER },
	{ M_POST, "/api/v1/payments/notify/:provider", wallet_notify, 0 },
	{ 0, NULL, NULL, 0 }
};
