/*
 * Stored value, staff side: recharges and balance payments at the counter
 * (with the ticket of a scan), refunds, the payment list, the settings
 * for recharge packages and deduction rules, demo data and the bench
 * helper.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cmd.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "order/order.h"
#include "points/points.h"
#include "req.h"
#include "tier/tier.h"
#include "wallet.h"

/* ---- statements ---- */

enum { SB_PRINCIPAL, SB_BONUS, SB_NCOLS };
DB_SQL_COLS(q_st_balance, SB_NCOLS,
    "SELECT principal_fen, bonus_fen FROM members"
    " WHERE merchant_id = ? AND id = ?");
enum { PL_MEMBER, PL_STORE, PL_ORDER, PL_PRINCIPAL, PL_BONUS,
    PL_REFUNDED_PRINCIPAL, PL_REFUNDED_BONUS, PL_GROWTH, PL_POINTS,
    PL_GROWTH_KEPT, PL_POINTS_KEPT, PL_ORDER_ID, PL_NCOLS };
DB_SQL_COLS(q_st_pay_lock, PL_NCOLS,
    "SELECT member_id, store_id, order_fen, principal_fen, bonus_fen,"
    " refunded_principal_fen, refunded_bonus_fen, growth, points,"
    " growth_kept, points_kept, order_id FROM payments"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
enum { ML_PRINCIPAL, ML_BONUS, ML_GROWTH, ML_POINTS, ML_NCOLS };
DB_SQL_COLS(q_st_member_lock, ML_NCOLS,
    "SELECT principal_fen, bonus_fen, growth, points FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL(q_st_pay_refund,
    "UPDATE payments SET refunded_principal_fen = refunded_principal_fen + ?,"
    " refunded_bonus_fen = refunded_bonus_fen + ?, growth_kept = ?,"
    " points_kept = ? WHERE merchant_id = ? AND id = ?"
    " AND refunded_principal_fen + ? <= principal_fen"
    " AND refunded_bonus_fen + ? <= bonus_fen");
DB_SQL(q_st_refund_credit,
    "UPDATE members SET principal_fen = principal_fen + ?,"
    " bonus_fen = bonus_fen + ?, growth = growth - ?, points = points - ?"
    " WHERE merchant_id = ? AND id = ? AND growth >= ? AND points >= ?");
DB_SQL(q_st_refund_insert,
    "INSERT INTO refunds (merchant_id, payment_id, member_id, amount_fen,"
    " principal_fen, bonus_fen, growth, points, staff_id, store_id,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_st_entry,
    "INSERT INTO wallet_entries (merchant_id, member_id, kind, principal_fen,"
    " bonus_fen, ref, staff_id, store_id, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_st_entry_rollup,
    WALLET_SQL_BALANCE_ROLLUP("e.merchant_id = ? AND e.id = LAST_INSERT_ID()",
    WALLET_EV_SLOT, WALLET_EV_AFTER));
/* the refund row just inserted, into the day's rollup (analytics) */
DB_SQL(q_st_refund_rollup,
    WALLET_SQL_REFUND_ROLLUP("f.merchant_id = ? AND f.id = ?",
    WALLET_EV_SLOT));
/* q_st_payments and q_st_payment (payment_row_json) */
enum { PY_ID, PY_MEMBER, PY_STORE, PY_CHANNEL, PY_ORDER, PY_PRINCIPAL,
    PY_BONUS, PY_REFUNDED_PRINCIPAL, PY_REFUNDED_BONUS, PY_CREATED,
    PY_NCOLS };
DB_REPORT_COLS(q_st_payments, PY_NCOLS,
    "SELECT p.id, p.member_id, p.store_id, p.channel, p.order_fen,"
    " p.principal_fen, p.bonus_fen, p.refunded_principal_fen,"
    " p.refunded_bonus_fen, p.created_at FROM payments p"
    " WHERE p.merchant_id = ? AND (? = 0 OR p.member_id = ?)"
    " AND (? = 0 OR p.store_id IN (SELECT ss.store_id FROM staff_stores ss"
    "  WHERE ss.staff_id = ?))"
    " AND (? = 0 OR p.id < ?) ORDER BY p.id DESC LIMIT ?");
DB_SQL_COLS(q_st_payment, PY_NCOLS,
    "SELECT p.id, p.member_id, p.store_id, p.channel, p.order_fen,"
    " p.principal_fen, p.bonus_fen, p.refunded_principal_fen,"
    " p.refunded_bonus_fen, p.created_at FROM payments p"
    " WHERE p.merchant_id = ? AND p.id = ?");
enum { PI_ID, PI_NCOLS };
DB_SQL_COLS(q_st_pkg_ids, PI_NCOLS,
    "SELECT id FROM recharge_packages WHERE merchant_id = ?");
DB_SQL(q_st_pkg_retire,
    "UPDATE recharge_packages SET active = 0"
    " WHERE merchant_id = ? AND active = 1");
DB_SQL(q_st_pkg_update,
    "UPDATE recharge_packages SET position = ?, pay_fen = ?, bonus_fen = ?,"
    " label = ?, recommended = ?, active = 1"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_st_pkg_insert,
    "INSERT INTO recharge_packages (merchant_id, position, pay_fen,"
    " bonus_fen, label, recommended, active, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, 1, UTC_TIMESTAMP())");
DB_SQL(q_st_custom_save,
    "INSERT INTO wallet_settings (merchant_id, custom_enabled,"
    " custom_min_fen, custom_max_fen, updated_at)"
    " VALUES (?, ?, ?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE"
    " custom_enabled = VALUES(custom_enabled),"
    " custom_min_fen = VALUES(custom_min_fen),"
    " custom_max_fen = VALUES(custom_max_fen),"
    " updated_at = VALUES(updated_at)");
DB_SQL(q_st_rules_save,
    "INSERT INTO wallet_settings (merchant_id, split, bonus_pct,"
    " freeze_same_day_bonus, cap_kind, cap_amount_fen, cap_pct, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE"
    " split = VALUES(split), bonus_pct = VALUES(bonus_pct),"
    " freeze_same_day_bonus = VALUES(freeze_same_day_bonus),"
    " cap_kind = VALUES(cap_kind), cap_amount_fen = VALUES(cap_amount_fen),"
    " cap_pct = VALUES(cap_pct), updated_at = VALUES(updated_at)");
DB_SQL(q_st_ranges_clear,
    "DELETE FROM deduction_ranges WHERE merchant_id = ?");
DB_SQL(q_st_range_insert,
    "INSERT INTO deduction_ranges (merchant_id, position, from_fen, to_fen,"
    " cap_fen) VALUES (?, ?, ?, ?, ?)");
enum { SC_COUNT, SC_NCOLS };
DB_SQL_COLS(q_seed_pkg_count, SC_NCOLS,
    "SELECT COUNT(*) FROM recharge_packages WHERE merchant_id = ?");
DB_SQL(q_seed_settings,
    "INSERT IGNORE INTO wallet_settings (merchant_id, updated_at)"
    " VALUES (?, UTC_TIMESTAMP())");
DB_SQL(q_bench_credit,
    "UPDATE members SET principal_fen = principal_fen + ?"
    " WHERE merchant_id = ? AND phone LIKE '199%'");
DB_SQL(q_bench_entries,
    "INSERT INTO wallet_entries (merchant_id, member_id, kind, principal_fen,"
    " bonus_fen, ref, created_at) SELECT merchant_id, id, 'adjustment', ?, 0,"
    " 'bench', UTC_TIMESTAMP() FROM members"
    " WHERE merchant_id = ? AND phone LIKE '199%'");
enum { BM_ID, BM_CODE, BM_NAME, BM_TZ, BM_NCOLS };
DB_SQL_COLS(q_bench_merchant, BM_NCOLS,
    "SELECT id, code, name, tz FROM merchants WHERE code = ?");

/* ---- JSON input below the top level: errors name the whole path ---- */

static const char *
jpath(struct req *r, const char *prefix, const char *name)
{
	return prefix ? arena_printf(r->a, "%s.%s", prefix, name) : name;
}

/* 0 present, 1 absent and optional, -1 error recorded. */
static int
jint(struct req *r, cJSON *o, const char *prefix, const char *name,
    int required, int64_t min, int64_t max, int64_t *out)
{
	return req_obj_int(r, o, name, jpath(r, prefix, name), required, min,
	    max, out);
}

static int
jbool(struct req *r, cJSON *o, const char *prefix, const char *name,
    int required, int *out)
{
	cJSON *v = json_member(o, name);

	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, jpath(r, prefix, name), "缺少必填项");
		return -1;
	}
	if (!cJSON_IsBool(v)) {
		resp_bad_field(r, jpath(r, prefix, name),
		    "应为 true 或 false");
		return -1;
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

static int
jstr(struct req *r, cJSON *o, const char *prefix, const char *name,
    int required, size_t maxchars, const char **out)
{
	cJSON *v = json_member(o, name);
	size_t chars = 0;

	*out = NULL;
	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, jpath(r, prefix, name), "缺少必填项");
		return -1;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		resp_bad_field(r, jpath(r, prefix, name), "应为字符串");
		return -1;
	}
	if (!utf8_ok(v->valuestring, strlen(v->valuestring), &chars) ||
	    chars < 1 || chars > maxchars) {
		resp_bad_field(r, jpath(r, prefix, name),
		    arena_printf(r->a, "应为 1 到 %zu 个字符", maxchars));
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* An object member that must be an object (or array when want_array). */
static cJSON *
jnode(struct req *r, cJSON *o, const char *prefix, const char *name,
    int want_array)
{
	cJSON *v = json_member(o, name);

	if (v == NULL) {
		resp_bad_field(r, jpath(r, prefix, name), "缺少必填项");
		return NULL;
	}
	if (want_array ? !cJSON_IsArray(v) : !cJSON_IsObject(v)) {
		resp_bad_field(r, jpath(r, prefix, name), want_array ?
		    "应为数组" : "应为对象");
		return NULL;
	}
	return v;
}

/* ---- helpers ---- */

/* The member's balance now into *out. 0, or the error status (recorded). */
static int
balance_now(struct req *r, int64_t member_id, cJSON **out)
{
	struct db_res res;

	*out = NULL;
	if (DB(r, &q_st_balance, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	*out = wallet_balance_json(db_int(&res, 0, SB_PRINCIPAL),
	    db_int(&res, 0, SB_BONUS));
	return 0;
}

static cJSON *
payment_row_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *o = j_obj();
	int64_t p = db_int(res, i, PY_PRINCIPAL), b = db_int(res, i, PY_BONUS);
	int64_t rp = db_int(res, i, PY_REFUNDED_PRINCIPAL);
	int64_t rb = db_int(res, i, PY_REFUNDED_BONUS);

	j_int(o, "id", db_int(res, i, PY_ID));
	j_int(o, "member_id", db_int(res, i, PY_MEMBER));
	j_int(o, "store_id", db_int(res, i, PY_STORE));
	j_str(o, "channel", db_str(res, i, PY_CHANNEL));
	j_int(o, "order_fen", db_int(res, i, PY_ORDER));
	j_int(o, "paid_fen", p + b);
	j_int(o, "principal_fen", p);
	j_int(o, "bonus_fen", b);
	j_int(o, "refunded_fen", rp + rb);
	j_int(o, "refunded_principal_fen", rp);
	j_int(o, "refunded_bonus_fen", rb);
	j_int(o, "refundable_fen", p + b - rp - rb);
	j_str(o, "created_at", time_rfc3339(r, db_str(res, i, PY_CREATED)));
	return o;
}

/* Package or custom amount of a recharge request. 0, or the error
   status (recorded). */
static int
recharge_amount(struct req *r, int64_t *package_id, int64_t *pay,
    int64_t *bonus)
{
	struct wallet_cfg cfg;
	struct wallet_pkg pk;
	char lo[32], hi[32];
	int hp, hc, st;

	*package_id = *pay = *bonus = 0;
	if ((hp = req_json_int(r, "package_id", 0, 1, INT64_MAX,
	    package_id)) == -1 ||
	    (hc = req_json_int(r, "pay_fen", 0, 1, WALLET_MAX_FEN, pay)) == -1)
		return r->status;
	if (hp == 1 && hc == 1)
		return resp_bad_field(r, "package_id",
		    "请选择充值套餐或填写充值金额");
	if (hp == 0 && hc == 0)
		return resp_bad_field(r, "pay_fen",
		    "充值套餐与自定义金额只能选一个");
	if (hp == 0) {
		if ((st = wallet_pkg_get(r, *package_id, &pk)) != 0)
			return st;
		*pay = pk.pay_fen;
		*bonus = pk.bonus_fen;
		return 0;
	}
	*package_id = 0;
	if ((st = wallet_cfg_load(r, &cfg)) != 0)
		return st;
	if (!cfg.custom.enabled)
		return resp_bad_field(r, "pay_fen", "暂不支持自定义金额");
	if (*pay < cfg.custom.min_fen || *pay > cfg.custom.max_fen) {
		wallet_yuan(lo, sizeof(lo), cfg.custom.min_fen);
		wallet_yuan(hi, sizeof(hi), cfg.custom.max_fen);
		return resp_bad_field(r, "pay_fen", arena_printf(r->a,
		    "充值金额应在 %s 到 %s 元之间", lo, hi));
	}
	return 0;
}

/* ---- counter: recharge ---- */

struct counter_recharge {
	struct ticket	 t;
	int64_t		 package_id, pay_fen, bonus_fen;
	const char	*method;
	cJSON		*out;
};

static int
counter_recharge_tx(struct req *r, void *arg)
{
	struct counter_recharge *c = arg;
	int64_t id;
	cJSON *rec, *bal;
	int st;

	if ((st = wallet_recharge_insert(r, c->t.member_id, c->package_id,
	    c->method, wallet_trade_no(r, 'C'), c->pay_fen, c->bonus_fen, 1,
	    c->t.store_id, r->auth.staff_id, &id)) != 0 ||
	    (st = wallet_credit(r, id, c->t.member_id, c->pay_fen,
	    c->bonus_fen, c->t.store_id, r->auth.staff_id)) != 0)
		return st;
	if ((st = audit_log(r, "wallet.recharge", arena_printf(r->a,
	    "recharge:%lld", (long long)id), arena_printf(r->a,
	    "{\"member_id\":%lld,\"pay_fen\":%lld,\"bonus_fen\":%lld,"
	    "\"method\":\"%s\"}", (long long)c->t.member_id,
	    (long long)c->pay_fen, (long long)c->bonus_fen, c->method),
	    c->t.store_id)) != 0)
		return st;
	if ((rec = wallet_recharge_json(r, id)) == NULL)
		return r->status;
	if ((st = balance_now(r, c->t.member_id, &bal)) != 0)
		return st;
	c->out = j_obj();
	j_add(c->out, "recharge", rec);
	j_add(c->out, "balance", bal);
	return 201;
}

/*
 * A recharge paid at the counter (cash or card), credited at once.
 * In: {ticket, package_id} or {ticket, pay_fen}, method? ("cash" |
 * "card", default cash), Idempotency-Key. Out: 201 {recharge:{id,
 * status:"paid", ...}, balance}. Errors: invalid_field, invalid_ticket,
 * member_blocked (409: a frozen member's money is not taken).
 * Writes: recharges, the accounts, a ledger entry, today's bonus record,
 * the audit log.
 */
static int
wallet_counter_recharge(struct req *r)
{
	struct counter_recharge c;
	const char *ticket;
	int st;

	memset(&c, 0, sizeof(c));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "ticket", 1, 1, 128, &ticket) == -1 ||
	    req_json_str(r, "method", 0, 1, 8, &c.method) == -1)
		return r->status;
	if (c.method == NULL)
		c.method = "cash";
	if (strcmp(c.method, "cash") != 0 && strcmp(c.method, "card") != 0)
		return resp_bad_field(r, "method", "应为 cash 或 card");
	if ((st = recharge_amount(r, &c.package_id, &c.pay_fen,
	    &c.bonus_fen)) != 0 ||
	    (st = ticket_resolve(r, ticket, &c.t)) != 0 ||
	    (st = member_blocked_check(r, c.t.member_id)) != 0)
		return st;
	st = db_tx(r, counter_recharge_tx, &c);
	if (st >= 400)
		return st;
	return resp_data(r, 201, c.out);
}

/* ---- counter: payment ---- */

static int
counter_pay_tx(struct req *r, void *arg)
{
	struct order_balance_pay *p = arg;
	cJSON *id;
	int paid, st;

	if ((paid = order_balance_pay_tx(r, p)) >= 400)
		return paid;
	id = cJSON_GetObjectItem(p->out, "id");
	if ((st = audit_log(r, "wallet.payment", arena_printf(r->a,
	    "payment:%lld", (long long)id->valuedouble),
	    cJSON_PrintUnformatted(p->out), p->store_id)) != 0)
		return st;
	return paid;
}

/*
 * Pay an order from the balance at the counter, one payment per ticket:
 * a one-line order priced by the order engine (order_balance_pay_tx).
 * In: {ticket, order_fen}, Idempotency-Key. Out: 201 {payment:{id,
 * order_fen, paid_fen, principal_fen, bonus_fen, remaining_due_fen,
 * balance_after, growth_added, points_added, ...}}. Errors:
 * invalid_field, invalid_ticket, ticket_used (409), insufficient_balance
 * (409). Writes: payments, ticket, the accounts, growth, points, ledger
 * entries, the audit log.
 */
static int
wallet_counter_pay(struct req *r)
{
	struct order_balance_pay p;
	struct ticket t;
	const char *ticket;
	int st;
	cJSON *d;

	memset(&p, 0, sizeof(p));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "ticket", 1, 1, 128, &ticket) == -1 ||
	    req_json_int(r, "order_fen", 1, 1, WALLET_MAX_FEN, &p.order_fen) ==
	    -1)
		return r->status;
	if ((st = ticket_resolve(r, ticket, &t)) != 0)
		return st;
	p.member_id = t.member_id;
	p.store_id = t.store_id;
	p.ticket = &t;
	st = db_tx(r, counter_pay_tx, &p);
	if (st >= 400)
		return st;
	d = j_obj();
	j_add(d, "payment", p.out);
	return resp_data(r, 201, d);
}

/* ---- counter: refund ---- */

struct refund_ctx {
	int64_t		 payment_id;
	int64_t		 amount;	/* 0: all that is left */
	cJSON		*out;
};

/*
 * The payment being refunded, as q_st_pay_lock reads it: what it took
 * from each account, what refunds gave back to each so far, the growth
 * and points it earned and how much of them it still keeps.
 */
struct refunded_payment {
	int64_t		 member_id, store_id;
	int64_t		 principal_fen, bonus_fen;
	int64_t		 refunded_principal_fen, refunded_bonus_fen;
	int64_t		 growth, points;
	int64_t		 growth_kept, points_kept;
};

/*
 * A payment made as an order: the refund is the order's (back to the
 * balance only), and the payment row follows what it gave back.
 */
static int
order_pay_refund(struct req *r, struct refund_ctx *c,
    const struct refunded_payment *pay, int64_t order_id)
{
	struct db_res res;
	int64_t to_principal, to_bonus, growth_back, points_back;
	cJSON *f, *row;
	int st;

	if ((st = order_payment_refund(r, order_id, c->amount, &f)) != 0)
		return st;
	to_principal = (int64_t)cJSON_GetObjectItem(f,
	    "principal_fen")->valuedouble;
	to_bonus = (int64_t)cJSON_GetObjectItem(f, "bonus_fen")->valuedouble;
	growth_back = (int64_t)cJSON_GetObjectItem(f,
	    "growth_reversed")->valuedouble;
	points_back = (int64_t)cJSON_GetObjectItem(f,
	    "points_reversed")->valuedouble;
	if (DB(r, &q_st_pay_refund, &res, DBI(to_principal), DBI(to_bonus),
	    DBI(pay->growth_kept > growth_back ? pay->growth_kept - growth_back :
	    0), DBI(pay->points_kept > points_back ? pay->points_kept -
	    points_back : 0), DBI(r->m->id), DBI(c->payment_id),
	    DBI(to_principal), DBI(to_bonus)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "refund_exceeds_paid",
		    "退款金额超过可退金额", "amount_fen");
	/* the payment's own refund row, as its reads and the analytics see */
	if (DB(r, &q_st_refund_insert, &res, DBI(r->m->id),
	    DBI(c->payment_id), DBI(pay->member_id), DBI(to_principal +
	    to_bonus), DBI(to_principal), DBI(to_bonus), DBI(growth_back),
	    DBI(points_back), DBI(r->auth.staff_id), DBI(pay->store_id)) !=
	    DB_OK || DB(r, &q_st_refund_rollup, NULL,
	    DBI(tz_offset(r->m->tz)), DBI(r->m->id),
	    DBI((int64_t)res.insert_id)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "wallet.refund", arena_printf(r->a,
	    "payment:%lld", (long long)c->payment_id), arena_printf(r->a,
	    "{\"order_id\":%lld,\"amount_fen\":%lld,\"principal_fen\":%lld,"
	    "\"bonus_fen\":%lld}", (long long)order_id,
	    (long long)(to_principal + to_bonus), (long long)to_principal,
	    (long long)to_bonus), pay->store_id)) != 0)
		return st;
	j_int(f, "payment_id", c->payment_id);
	j_str(f, "created_at", time_rfc3339_t(r, time_now()));
	if (DB(r, &q_st_payment, &res, DBI(r->m->id), DBI(c->payment_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	row = payment_row_json(r, &res, 0);
	c->out = j_obj();
	j_add(c->out, "refund", f);
	j_add(c->out, "payment", row);
	if (DB(r, &q_st_balance, &res, DBI(r->m->id), DBI(pay->member_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	j_add(c->out, "balance_after", wallet_balance_json(db_int(&res, 0,
	    SB_PRINCIPAL), db_int(&res, 0, SB_BONUS)));
	return 201;
}

static int
refund_tx(struct req *r, void *arg)
{
	struct refund_ctx *c = arg;
	struct refunded_payment pay;
	struct db_res res;
	int64_t paid, left, amount, to_principal, to_bonus, refund_id;
	int64_t growth_kept, points_kept, growth_back, points_back;
	int64_t held_principal, held_bonus, held_growth, held_points;
	const char *ref;
	cJSON *o, *row;
	int st;

	if (DB(r, &q_st_pay_lock, &res, DBI(r->m->id), DBI(c->payment_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "支付记录不存在", NULL);
	pay.member_id = db_int(&res, 0, PL_MEMBER);
	pay.store_id = db_int(&res, 0, PL_STORE);
	pay.principal_fen = db_int(&res, 0, PL_PRINCIPAL);
	pay.bonus_fen = db_int(&res, 0, PL_BONUS);
	pay.refunded_principal_fen = db_int(&res, 0, PL_REFUNDED_PRINCIPAL);
	pay.refunded_bonus_fen = db_int(&res, 0, PL_REFUNDED_BONUS);
	pay.growth = db_int(&res, 0, PL_GROWTH);
	pay.points = db_int(&res, 0, PL_POINTS);
	pay.growth_kept = db_int(&res, 0, PL_GROWTH_KEPT);
	pay.points_kept = db_int(&res, 0, PL_POINTS_KEPT);
	if ((st = staff_store_check(r, pay.store_id)) != 0)
		return st;
	if (!db_isnull(&res, 0, PL_ORDER_ID))
		return order_pay_refund(r, c, &pay, db_int(&res, 0,
		    PL_ORDER_ID));
	paid = pay.principal_fen + pay.bonus_fen;
	left = paid - pay.refunded_principal_fen - pay.refunded_bonus_fen;
	if (left <= 0)
		return resp_err(r, 409, "already_refunded", "该笔支付已全额退款",
		    NULL);
	amount = c->amount ? c->amount : left;
	if (amount > left)
		return resp_err(r, 409, "refund_exceeds_paid",
		    arena_printf(r->a, "退款金额超过可退金额（最多 %lld 分）",
		    (long long)left), "amount_fen");
	/* the amount goes back to the accounts it came from; the growth and
	   points of what stays paid are kept, the rest is taken back */
	refund_split(amount, pay.principal_fen - pay.refunded_principal_fen,
	    pay.bonus_fen - pay.refunded_bonus_fen, &to_principal, &to_bonus);
	growth_kept = wallet_keep(pay.growth, paid, left - amount);
	points_kept = wallet_keep(pay.points, paid, left - amount);
	growth_back = pay.growth_kept > growth_kept ?
	    pay.growth_kept - growth_kept : 0;
	points_back = pay.points_kept > points_kept ?
	    pay.points_kept - points_kept : 0;

	if (DB(r, &q_st_member_lock, &res, DBI(r->m->id),
	    DBI(pay.member_id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	held_principal = db_int(&res, 0, ML_PRINCIPAL);
	held_bonus = db_int(&res, 0, ML_BONUS);
	held_growth = db_int(&res, 0, ML_GROWTH);
	held_points = db_int(&res, 0, ML_POINTS);
	/* what the member has spent meanwhile is not taken back */
	if (growth_back > held_growth)
		growth_back = held_growth;
	if (points_back > held_points)
		points_back = held_points;

	if (DB(r, &q_st_pay_refund, &res, DBI(to_principal), DBI(to_bonus),
	    DBI(growth_kept), DBI(points_kept), DBI(r->m->id),
	    DBI(c->payment_id), DBI(to_principal), DBI(to_bonus)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "refund_exceeds_paid",
		    "退款金额超过可退金额", "amount_fen");
	/* the growth moves with its own ledger entry (tier_growth_move), the
	   points through the points ledger (its lots), below */
	if (DB(r, &q_st_refund_credit, &res, DBI(to_principal),
	    DBI(to_bonus), DBI(0), DBI(0), DBI(r->m->id),
	    DBI(pay.member_id), DBI(0), DBI(0)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "conflict", "会员账户已变化，请重试",
		    NULL);
	if ((st = tier_growth_move(r, pay.member_id, -growth_back, "refund",
	    arena_printf(r->a, "payment:%lld", (long long)c->payment_id))) !=
	    0)
		return st;
	if (DB(r, &q_st_refund_insert, &res, DBI(r->m->id),
	    DBI(c->payment_id), DBI(pay.member_id), DBI(amount),
	    DBI(to_principal), DBI(to_bonus), DBI(growth_back),
	    DBI(points_back), DBI(r->auth.staff_id), DBI(pay.store_id)) !=
	    DB_OK)
		return db_fail(r);
	refund_id = (int64_t)res.insert_id;
	if (DB(r, &q_st_refund_rollup, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id), DBI(refund_id)) != DB_OK)
		return db_fail(r);
	ref = arena_printf(r->a, "refund:%lld", (long long)refund_id);
	if (DB(r, &q_st_entry, NULL, DBI(r->m->id), DBI(pay.member_id),
	    DBS("refund"), DBI(to_principal), DBI(to_bonus), DBS(ref),
	    DBI(r->auth.staff_id), DBI(pay.store_id)) != DB_OK ||
	    DB(r, &q_st_entry_rollup, NULL, DBI(tz_offset(r->m->tz)),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if ((st = points_take_back(r, pay.member_id, points_back, "refund",
	    ref, NULL)) != 0)
		return st;
	if ((st = audit_log(r, "wallet.refund", arena_printf(r->a,
	    "payment:%lld", (long long)c->payment_id), arena_printf(r->a,
	    "{\"refund_id\":%lld,\"amount_fen\":%lld,\"principal_fen\":%lld,"
	    "\"bonus_fen\":%lld}", (long long)refund_id, (long long)amount,
	    (long long)to_principal, (long long)to_bonus), pay.store_id)) != 0)
		return st;

	o = j_obj();
	j_int(o, "id", refund_id);
	j_int(o, "payment_id", c->payment_id);
	j_int(o, "amount_fen", amount);
	j_int(o, "principal_fen", to_principal);
	j_int(o, "bonus_fen", to_bonus);
	j_int(o, "growth_reversed", growth_back);
	j_int(o, "points_reversed", points_back);
	j_str(o, "created_at", time_rfc3339_t(r, time_now()));
	if (DB(r, &q_st_payment, &res, DBI(r->m->id), DBI(c->payment_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	row = payment_row_json(r, &res, 0);
	c->out = j_obj();
	j_add(c->out, "refund", o);
	j_add(c->out, "payment", row);
	j_add(c->out, "balance_after", wallet_balance_json(
	    held_principal + to_principal, held_bonus + to_bonus));
	return 201;
}

/*
 * Refund a balance payment, whole or in part, possibly several times,
 * never more than was paid: the money goes back to the accounts it came
 * from (in proportion, largest remainder), and the growth and points of
 * the refunded part are taken back.
 * In: {amount_fen?} (absent: all that is left; an empty body is fine;
 * null is refused),
 * Idempotency-Key. Out: 201 {refund:{id, payment_id, amount_fen,
 * principal_fen, bonus_fen, growth_reversed, points_reversed,
 * created_at}, payment:{..., refunded_fen, refundable_fen},
 * balance_after}. Errors: invalid_field, not_found, forbidden (a
 * cashier's other store), already_refunded (409), refund_exceeds_paid
 * (409). Writes: payments, refunds, the accounts, growth, points,
 * ledger entries, the audit log.
 */
static int
wallet_refund(struct req *r)
{
	struct refund_ctx c;
	int st;

	memset(&c, 0, sizeof(c));
	if ((st = wallet_param_id(r, "id", "支付记录不存在",
	    &c.payment_id)) != 0)
		return st;
	if (r->body_len > 0 && (req_json_body(r) == -1 ||
	    req_json_int(r, "amount_fen", 0, 1, WALLET_MAX_FEN, &c.amount) ==
	    -1))
		return r->status;
	/* an amount given as null is no amount: only an absent one is all */
	if (r->json != NULL && cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(
	    r->json, "amount_fen")))
		return resp_bad_field(r, "amount_fen", "请填写退款金额");
	st = db_tx(r, refund_tx, &c);
	if (st >= 400)
		return st;
	return resp_data(r, 201, c.out);
}

/* ---- payments list ---- */

static int
cashier_only(struct req *r)
{
	return r->auth.role != NULL && strcmp(r->auth.role, "cashier") == 0;
}

/*
 * Balance payments, newest first; a cashier sees those of its stores.
 * In: ?member_id=&limit=&cursor=. Out: [{id, member_id, store_id,
 * channel, order_fen, paid_fen, principal_fen, bonus_fen, refunded_fen,
 * refundable_fen, created_at}], next_cursor.
 */
static int
wallet_payments_list(struct req *r)
{
	struct db_res res;
	int64_t limit, cursor, member = 0, next;
	int cashier = cashier_only(r), i, n;
	cJSON *arr;

	if (req_page(r, &limit, &cursor) == -1 ||
	    req_query_int(r, "member_id", 0, 1, INT64_MAX, &member) == -1)
		return r->status;
	if (DB(r, &q_st_payments, &res, DBI(r->m->id), DBI(member),
	    DBI(member), DBI(cashier), DBI(r->auth.staff_id), DBI(cursor),
	    DBI(cursor), DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	n = db_page(&res, limit, PY_ID, &next);
	for (i = 0; i < n; i++)
		j_add(arr, NULL, payment_row_json(r, &res, i));
	return resp_list(r, arr, next);
}

/* Out: {payment:{...}}. Errors: not_found, forbidden (other store). */
static int
wallet_payment_get(struct req *r)
{
	struct db_res res;
	int64_t id;
	cJSON *d;
	int st;

	if ((st = wallet_param_id(r, "id", "支付记录不存在", &id)) != 0)
		return st;
	if (DB(r, &q_st_payment, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "支付记录不存在", NULL);
	if ((st = staff_store_check(r, db_int(&res, 0, PY_STORE))) != 0)
		return st;
	d = j_obj();
	j_add(d, "payment", payment_row_json(r, &res, 0));
	return resp_data(r, 200, d);
}

/* ---- settings: recharge packages ---- */

/* The packages and the custom-amount limits into *out. 0, or the error
   status (recorded). */
static int
packages_json(struct req *r, cJSON **out)
{
	struct wallet_cfg cfg;
	struct wallet_pkg *p;
	cJSON *d, *arr, *c;
	int n, i, st;

	if ((st = wallet_cfg_load(r, &cfg)) != 0 ||
	    (st = wallet_pkgs_load(r, &p, &n)) != 0)
		return st;
	d = j_obj();
	arr = j_arr();
	for (i = 0; i < n; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", p[i].id);
		j_int(o, "pay_fen", p[i].pay_fen);
		j_int(o, "bonus_fen", p[i].bonus_fen);
		j_str(o, "label", p[i].label);
		j_bool(o, "recommended", p[i].recommended);
		j_add(arr, NULL, o);
	}
	j_add(d, "packages", arr);
	c = j_obj();
	j_bool(c, "enabled", cfg.custom.enabled);
	j_int(c, "min_fen", cfg.custom.min_fen);
	j_int(c, "max_fen", cfg.custom.max_fen);
	j_add(d, "custom", c);
	*out = d;
	return 0;
}

/* Out: {packages:[{id, pay_fen, bonus_fen, label, recommended}],
   custom:{enabled, min_fen, max_fen}}. */
static int
wallet_settings_packages_get(struct req *r)
{
	cJSON *d;
	int st;

	if ((st = packages_json(r, &d)) != 0)
		return st;
	return resp_data(r, 200, d);
}

struct pkg_in {
	int64_t		 id, pay_fen, bonus_fen;
	const char	*label;
	int		 recommended;
};

struct pkgs_put {
	struct pkg_in	 p[WALLET_MAX_PACKAGES];
	int		 n;
	struct custom_amount custom;
};

static int
pkgs_put_tx(struct req *r, void *arg)
{
	struct pkgs_put *c = arg;
	struct db_res res;
	int i, st;

	if (DB(r, &q_st_pkg_retire, NULL, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < c->n; i++) {
		struct pkg_in *p = &c->p[i];

		if (p->id != 0) {
			if (DB(r, &q_st_pkg_update, &res, DBI(i),
			    DBI(p->pay_fen), DBI(p->bonus_fen), DBS(p->label),
			    DBI(p->recommended), DBI(r->m->id), DBI(p->id)) !=
			    DB_OK)
				return db_fail(r);
		} else if (DB(r, &q_st_pkg_insert, NULL, DBI(r->m->id), DBI(i),
		    DBI(p->pay_fen), DBI(p->bonus_fen), DBS(p->label),
		    DBI(p->recommended)) != DB_OK)
			return db_fail(r);
	}
	if (DB(r, &q_st_custom_save, NULL, DBI(r->m->id),
	    DBI(c->custom.enabled), DBI(c->custom.min_fen),
	    DBI(c->custom.max_fen)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "settings.recharge_packages", "wallet",
	    r->body, 0)) != 0)
		return st;
	return 200;
}

/*
 * Replace the recharge packages and the custom-amount limits.
 * In: {packages:[{id?, pay_fen, bonus_fen, label?, recommended?}] (at
 * most 20; an id keeps that package or brings a retired one back,
 * packages left out are retired),
 * custom:{enabled, min_fen, max_fen}}. Out: as GET. Errors:
 * invalid_field naming the field ("packages[1].pay_fen",
 * "custom.max_fen"). Writes: recharge_packages, wallet_settings, audit.
 */
static int
wallet_settings_packages_put(struct req *r)
{
	struct pkgs_put c;
	struct db_res res;
	cJSON *arr, *it, *cu, *d;
	int i, j, st;

	memset(&c, 0, sizeof(c));
	if (req_json_body(r) == -1 ||
	    (arr = jnode(r, r->json, NULL, "packages", 1)) == NULL)
		return r->status;
	if (cJSON_GetArraySize(arr) > WALLET_MAX_PACKAGES)
		return resp_bad_field(r, "packages", "最多 20 个套餐");
	i = 0;
	for (it = arr ? arr->child : NULL; it != NULL; it = it->next) {
		struct pkg_in *p = &c.p[i];
		const char *pre = arena_printf(r->a, "packages[%d]", i);
		char label[48];

		if (!cJSON_IsObject(it))
			return resp_bad_field(r, pre, "应为对象");
		if (jint(r, it, pre, "id", 0, 1, INT64_MAX, &p->id) == -1 ||
		    jint(r, it, pre, "pay_fen", 1, 1, WALLET_MAX_FEN,
		    &p->pay_fen) == -1 ||
		    jint(r, it, pre, "bonus_fen", 1, 0, WALLET_MAX_FEN,
		    &p->bonus_fen) == -1 ||
		    jstr(r, it, pre, "label", 0, 32, &p->label) == -1 ||
		    jbool(r, it, pre, "recommended", 0, &p->recommended) == -1)
			return r->status;
		if (p->label == NULL) {
			wallet_pkg_label(label, sizeof(label), p->pay_fen,
			    p->bonus_fen);
			p->label = arena_strdup(r->a, label);
		}
		i++;
	}
	c.n = i;
	if ((cu = jnode(r, r->json, NULL, "custom", 0)) == NULL ||
	    jbool(r, cu, "custom", "enabled", 1, &c.custom.enabled) == -1 ||
	    jint(r, cu, "custom", "min_fen", 1, 1, WALLET_MAX_FEN,
	    &c.custom.min_fen) == -1 ||
	    jint(r, cu, "custom", "max_fen", 1, 1, WALLET_MAX_FEN,
	    &c.custom.max_fen) == -1)
		return r->status;
	if (c.custom.max_fen < c.custom.min_fen)
		return resp_bad_field(r, "custom.max_fen", "应不小于 min_fen");
	/* an id must name a package of the merchant (a retired one comes
	   back), once */
	if (DB(r, &q_st_pkg_ids, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < c.n; i++) {
		int found = 0;

		if (c.p[i].id == 0)
			continue;
		for (j = 0; j < res.nrows; j++)
			if (db_int(&res, j, PI_ID) == c.p[i].id)
				found = 1;
		for (j = 0; j < i; j++)
			if (c.p[j].id == c.p[i].id)
				found = 0;
		if (!found)
			return resp_bad_field(r, arena_printf(r->a,
			    "packages[%d].id", i), "套餐不存在或重复");
	}
	if ((st = db_tx(r, pkgs_put_tx, &c)) >= 400 ||
	    (st = packages_json(r, &d)) != 0)
		return st;
	return resp_data(r, 200, d);
}

/* ---- settings: deduction rules ---- */

static cJSON *
rules_json(const struct deduction_rules *d)
{
	cJSON *o = j_obj(), *cap = j_obj(), *arr = j_arr();
	int i;

	j_str(o, "split", wallet_split_name(d->split));
	if (d->split == SPLIT_PROPORTIONAL)
		j_int(o, "bonus_pct", d->bonus_pct);
	else
		j_null(o, "bonus_pct");
	j_bool(o, "freeze_same_day_bonus", d->freeze_same_day_bonus);
	j_str(cap, "kind", wallet_cap_name(d->cap));
	if (d->cap == CAP_FIRST_AMOUNT || d->cap == CAP_EACH_AMOUNT)
		j_int(cap, "amount_fen", d->cap_amount_fen);
	else
		j_null(cap, "amount_fen");
	if (d->cap == CAP_FIRST_PCT || d->cap == CAP_EACH_PCT)
		j_int(cap, "pct", d->cap_pct);
	else
		j_null(cap, "pct");
	for (i = 0; d->cap == CAP_ORDER_RANGES && i < d->nranges; i++) {
		cJSON *g = j_obj();

		j_int(g, "from_fen", d->ranges[i].from_fen);
		j_int(g, "to_fen", d->ranges[i].to_fen);
		j_int(g, "cap_fen", d->ranges[i].cap_fen);
		j_add(arr, NULL, g);
	}
	j_add(cap, "ranges", arr);
	j_add(o, "cap", cap);
	return o;
}

/* Out: {split, bonus_pct|null, freeze_same_day_bonus, cap:{kind,
   amount_fen|null, pct|null, ranges:[{from_fen, to_fen, cap_fen}]}}. */
static int
wallet_settings_rules_get(struct req *r)
{
	struct wallet_cfg cfg;
	int st;

	if ((st = wallet_cfg_load(r, &cfg)) != 0)
		return st;
	return resp_data(r, 200, rules_json(&cfg.rules));
}

static int
rules_put_tx(struct req *r, void *arg)
{
	struct deduction_rules *d = arg;
	int amount = d->cap == CAP_FIRST_AMOUNT || d->cap == CAP_EACH_AMOUNT;
	int pct = d->cap == CAP_FIRST_PCT || d->cap == CAP_EACH_PCT;
	int i, st;

	if (DB(r, &q_st_rules_save, NULL, DBI(r->m->id),
	    DBS(wallet_split_name(d->split)),
	    DBIN(d->bonus_pct, d->split == SPLIT_PROPORTIONAL),
	    DBI(d->freeze_same_day_bonus), DBS(wallet_cap_name(d->cap)),
	    DBIN(d->cap_amount_fen, amount), DBIN(d->cap_pct, pct)) != DB_OK ||
	    DB(r, &q_st_ranges_clear, NULL, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; d->cap == CAP_ORDER_RANGES && i < d->nranges; i++)
		if (DB(r, &q_st_range_insert, NULL, DBI(r->m->id), DBI(i),
		    DBI(d->ranges[i].from_fen), DBI(d->ranges[i].to_fen),
		    DBI(d->ranges[i].cap_fen)) != DB_OK)
			return db_fail(r);
	if ((st = audit_log(r, "settings.deduction", "wallet", r->body,
	    0)) != 0)
		return st;
	return 200;
}

/*
 * Set the balance-deduction rules.
 * In: {split, bonus_pct? (proportional: 1..99), freeze_same_day_bonus,
 * cap:{kind, amount_fen?, pct?, ranges?:[{from_fen, to_fen, cap_fen}]}}
 * (rules in wallet_rules.h). Out: as GET. Errors: invalid_field naming
 * the field ("cap.ranges[0].to_fen"). Writes: wallet_settings,
 * deduction_ranges, audit.
 */
static int
wallet_settings_rules_put(struct req *r)
{
	struct deduction_rules d;
	const char *split, *kind, *msg = NULL;
	char field[64];
	cJSON *cap, *ranges, *it;
	int64_t v;
	int i, st;

	deduction_rules_default(&d);
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "split", 1, 1, 32, &split) == -1)
		return r->status;
	if (wallet_split_parse(split, &d.split) == -1)
		return resp_bad_field(r, "split",
		    "应为 principal_first、bonus_first 或 proportional");
	if ((i = req_json_int(r, "bonus_pct", 0, 1, 99, &v)) == -1)
		return r->status;
	if (i == 0)
		d.bonus_pct = (int)v;
	if (req_json_bool(r, "freeze_same_day_bonus", 1,
	    &d.freeze_same_day_bonus) == -1 ||
	    (cap = jnode(r, r->json, NULL, "cap", 0)) == NULL ||
	    jstr(r, cap, "cap", "kind", 1, 32, &kind) == -1)
		return r->status;
	if (wallet_cap_parse(kind, &d.cap) == -1)
		return resp_bad_field(r, "cap.kind", "未知的上限规则");
	if (jint(r, cap, "cap", "amount_fen", 0, 1, WALLET_MAX_FEN,
	    &d.cap_amount_fen) == -1)
		return r->status;
	if ((i = jint(r, cap, "cap", "pct", 0, 1, 100, &v)) == -1)
		return r->status;
	if (i == 0)
		d.cap_pct = (int)v;
	if (d.cap == CAP_ORDER_RANGES) {
		if ((ranges = jnode(r, cap, "cap", "ranges", 1)) == NULL)
			return r->status;
		if (cJSON_GetArraySize(ranges) > WALLET_MAX_RANGES)
			return resp_bad_field(r, "cap.ranges", "最多 20 行");
		i = 0;
		for (it = ranges ? ranges->child : NULL; it != NULL;
		    it = it->next) {
			const char *pre = arena_printf(r->a, "cap.ranges[%d]",
			    i);
			struct cap_range *g = &d.ranges[i];

			if (!cJSON_IsObject(it))
				return resp_bad_field(r, pre, "应为对象");
			if (jint(r, it, pre, "from_fen", 1, 0, WALLET_MAX_FEN,
			    &g->from_fen) == -1 ||
			    jint(r, it, pre, "to_fen", 1, 0, WALLET_MAX_FEN,
			    &g->to_fen) == -1 ||
			    jint(r, it, pre, "cap_fen", 1, 0, WALLET_MAX_FEN,
			    &g->cap_fen) == -1)
				return r->status;
			i++;
		}
		d.nranges = i;
	}
	if (deduction_rules_check(&d, field, sizeof(field), &msg) == -1)
		return resp_bad_field(r, arena_strdup(r->a, field), msg);
	if ((st = db_tx(r, rules_put_tx, &d)) >= 400)
		return st;
	return resp_data(r, 200, rules_json(&d));
}

ROUTES(wallet_staff_routes) = {
	{ M_POST, "/api/v1/m/:merchant/staff/recharges",
	    wallet_counter_recharge,
	    AUTH_STAFF | ROLE_CASHIER | CSRF | IDEMPOTENT },
	{ M_POST, "/api/v1/m/:merchant/staff/payments", wallet_counter_pay,
	    AUTH_STAFF | ROLE_CASHIER | CSRF | IDEMPOTENT },
	{ M_GET, "/api/v1/m/:merchant/staff/payments", wallet_payments_list,
	    AUTH_STAFF | ROLE_CASHIER },
	{ M_GET, "/api/v1/m/:merchant/staff/payments/:id", wallet_payment_get,
	    AUTH_STAFF | ROLE_CASHIER },
	{ M_POST, "/api/v1/m/:merchant/staff/payments/:id/refund",
	    wallet_refund, AUTH_STAFF | ROLE_CASHIER | CSRF | IDEMPOTENT },
	{ M_GET, "/api/v1/m/:merchant/staff/settings/recharge-packages",
	    wallet_settings_packages_get, AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, "/api/v1/m/:merchant/staff/settings/recharge-packages",
	    wallet_settings_packages_put, AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, "/api/v1/m/:merchant/staff/settings/deduction",
	    wallet_settings_rules_get, AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, "/api/v1/m/:merchant/staff/settings/deduction",
	    wallet_settings_rules_put, AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ 0, NULL, NULL, 0 }
};

/* ---- demo data and the bench helper ---- */

/*
 * Demo packages 充100送20 (recommended), 充500送80, 充1000送200; custom
 * amounts from 10 to 5,000 yuan; principal first, no cap. Only when the
 * merchant has no packages yet.
 */
static int
wallet_seed(struct req *r)
{
	static const struct {
		int64_t pay, bonus;
		int recommended;
	} demo[] = {
		{ 10000, 2000, 1 }, { 50000, 8000, 0 }, { 100000, 20000, 0 },
	};
	struct db_res res;
	char label[48];
	size_t i;

	if (DB(r, &q_seed_pkg_count, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	if (db_int(&res, 0, SC_COUNT) == 0)
		for (i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
			wallet_pkg_label(label, sizeof(label), demo[i].pay,
			    demo[i].bonus);
			if (DB(r, &q_st_pkg_insert, NULL, DBI(r->m->id),
			    DBI((int64_t)i), DBI(demo[i].pay),
			    DBI(demo[i].bonus), DBS(label),
			    DBI(demo[i].recommended)) != DB_OK)
				return -1;
		}
	return DB(r, &q_seed_settings, NULL, DBI(r->m->id)) == DB_OK ? 0 : -1;
}
SEEDER(wallet_seed);

/*
 * `app bench-wallet <merchant> <fen>`: credit every benchmark member
 * (phones 199..., from `app bench-members`) with fen of principal, as an
 * adjustment with its ledger entry. APP_ENV dev or test only.
 */
static int
cmd_bench_wallet(int argc, char *argv[])
{
	struct req r;
	struct db_res res;
	long long fen;
	int64_t mid;
	int rc = 1;

	if (argc != 3) {
		fputs("usage: app bench-wallet <merchant> <fen>\n", stderr);
		return 2;
	}
	if (!cfg_is_dev()) {
		fputs("bench-wallet: only with APP_ENV dev or test\n", stderr);
		return 1;
	}
	fen = strtoll(argv[2], NULL, 10);
	if (fen < 1 || fen > WALLET_MAX_FEN) {
		fputs("bench-wallet: fen must be 1..100000000\n", stderr);
		return 2;
	}
	if (cmd_req_init(&r) == -1)
		goto out;
	if (DB(&r, &q_bench_merchant, &res, DBS(argv[1])) != DB_OK ||
	    res.nrows != 1) {
		fprintf(stderr, "bench-wallet: no merchant %s\n", argv[1]);
		goto out;
	}
	mid = db_int(&res, 0, BM_ID);
	db_exec_simple("START TRANSACTION");
	if (DB(&r, &q_bench_credit, &res, DBI(fen), DBI(mid)) != DB_OK ||
	    DB(&r, &q_bench_entries, NULL, DBI(fen), DBI(mid)) != DB_OK) {
		db_exec_simple("ROLLBACK");
		goto out;
	}
	db_exec_simple("COMMIT");
	printf("bench-wallet: %llu members credited %lld fen\n",
	    (unsigned long long)res.affected, fen);
	rc = 0;
out:
	cmd_req_done(&r);
	return rc;
}

COMMANDS(wallet_commands) = {
	{ "bench-wallet", "credit benchmark members' balances (dev/test)",
	  cmd_bench_wallet },
	{ NULL, NULL, NULL }
};
