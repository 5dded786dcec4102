/*
 * Staff actions on one member (owner only, each with a reason and an
 * audit row in its transaction): adjust points (through the points
 * ledger's lots) or the bonus balance (never principal; a wallet ledger
 * entry of kind staff_adjust), set the tier by hand until a day, block
 * and unblock, bind a physical card and unbind it. Routes only.
 */
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "points/points.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

#define REASON_MAX	100	/* characters */
#define ADJUST_MAX	100000000	/* points, or fen (a million yuan) */

enum { AM_POINTS, AM_BONUS, AM_PRINCIPAL, AM_NCOLS };
DB_SQL_COLS(q_am_lock, AM_NCOLS,
    "SELECT points, bonus_fen, principal_fen FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL(q_am_block,
    "UPDATE members SET blocked_at = UTC_TIMESTAMP(), blocked_reason = ?"
    " WHERE merchant_id = ? AND id = ? AND blocked_at IS NULL");
DB_SQL(q_am_unblock,
    "UPDATE members SET blocked_at = NULL, blocked_reason = NULL"
    " WHERE merchant_id = ? AND id = ? AND blocked_at IS NOT NULL");
enum { AC_CARD, AC_NCOLS };
DB_SQL_COLS(q_am_card_get, AC_NCOLS,
    "SELECT physical_card_no FROM members"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL(q_am_card_set,
    "UPDATE members SET physical_card_no = ?"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_am_card_clear,
    "UPDATE members SET physical_card_no = NULL"
    " WHERE merchant_id = ? AND id = ? AND physical_card_no = ?");

/* The member of the path: 0 with the id, or 404 (recorded). */
static int
member_of_path(struct req *r, int64_t *id)
{
	if (req_param_id(r, "id", id) == -1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	return 0;
}

/* The required reason: 0, or 400 invalid_field reason (recorded). */
static int
reason_arg(struct req *r, const char **reason)
{
	size_t chars;
	const char *s;

	if (req_json_str(r, "reason", 1, 1, 400, &s) == -1)
		return r->status;
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\0')
		return resp_bad_field(r, "reason", "请填写操作原因");
	if (!utf8_text_ok(s, &chars) || chars > REASON_MAX)
		return resp_bad_field(r, "reason", "原因最多 100 个字");
	*reason = s;
	return 0;
}

/* The audit row's detail: the body's fields as JSON text. */
static const char *
detail_text(cJSON *d)
{
	return cJSON_PrintUnformatted(d);
}

static const char *
target_of(struct req *r, int64_t id)
{
	return arena_printf(r->a, "member:%lld", (long long)id);
}

/* ---- adjustments ---- */

struct adjust {
	int64_t		 id, amount;
	int		 bonus;
	const char	*reason;
	cJSON		*out;
};

static int
adjust_tx(struct req *r, void *arg)
{
	struct adjust *a = arg;
	struct db_res res;
	const char *ref = arena_printf(r->a, "staff:%lld",
	    (long long)r->auth.staff_id);
	int64_t points, bonus, principal;
	cJSON *d;
	int st;

	if (DB(r, &q_am_lock, &res, DBI(r->m->id), DBI(a->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	points = db_int(&res, 0, AM_POINTS);
	bonus = db_int(&res, 0, AM_BONUS);
	principal = db_int(&res, 0, AM_PRINCIPAL);
	if (!a->bonus) {
		if (a->amount > 0)
			st = points_grant(r, a->id, a->amount, "staff_adjust",
			    ref);
		else
			st = points_spend(r, a->id, -a->amount,
			    "staff_adjust", ref);
		if (st == 409)
			return resp_err(r, 409, "insufficient_points",
			    arena_printf(r->a, "会员现有 %lld 积分，最多可扣减 "
			    "%lld 积分", (long long)points, (long long)points),
			    "amount");
		if (st != 0)
			return st;
		points += a->amount;
	} else {
		/* the bonus only: the conditional update keeps it >= 0 */
		st = wallet_move(r, a->id, 0, a->amount, "staff_adjust", ref,
		    r->auth.staff_id, 0);
		if (st == 409)
			return resp_err(r, 409, "insufficient_balance",
			    arena_printf(r->a, "会员赠送金只有 %s 元，最多可扣减 "
			    "%s 元", page_yuan(r, bonus), page_yuan(r, bonus)),
			    "amount");
		if (st != 0)
			return st;
		bonus += a->amount;
	}
	d = j_obj();
	j_str(d, "kind", a->bonus ? "bonus" : "points");
	j_int(d, "amount", a->amount);
	j_str(d, "reason", a->reason);
	if ((st = audit_log(r, "member.adjust", target_of(r, a->id),
	    detail_text(d), 0)) != 0)
		return st;
	j_int(d, "member_id", a->id);
	j_int(d, "points", points);
	j_add(d, "balance", wallet_balance_json(principal, bonus));
	a->out = d;
	return 201;
}

/*
 * Adjust a member's points or bonus balance by hand (owner).
 * In: {kind:"points"|"bonus", amount (signed, not 0; bonus in fen),
 * reason}, Idempotency-Key. Out: 201 {kind, amount, reason, member_id,
 * points, balance}. Errors: invalid_field, not_found,
 * insufficient_points (409), insufficient_balance (409: the bonus would
 * go below zero). Writes: the points lots and ledger, or the bonus and
 * its wallet entry (staff_adjust); the audit log.
 */
static int
member_adjust(struct req *r)
{
	struct adjust a;
	const char *kind;
	int st;

	memset(&a, 0, sizeof(a));
	if ((st = member_of_path(r, &a.id)) != 0)
		return st;
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "kind", 1, 1, 16, &kind) == -1)
		return r->status;
	if (strcmp(kind, "points") != 0 && strcmp(kind, "bonus") != 0)
		return resp_bad_field(r, "kind", "调整类型应为积分或赠送金");
	a.bonus = strcmp(kind, "bonus") == 0;
	if (req_json_int(r, "amount", 1, -ADJUST_MAX, ADJUST_MAX,
	    &a.amount) == -1)
		return r->status;
	if (a.amount == 0)
		return resp_bad_field(r, "amount", "调整数量不能为 0");
	if ((st = reason_arg(r, &a.reason)) != 0)
		return st;
	if ((st = db_tx(r, adjust_tx, &a)) >= 400)
		return st;
	return resp_data(r, 201, a.out);
}

/* ---- the tier by hand ---- */

struct tier_set {
	int64_t		 id, level;
	const char	*until, *reason;
	cJSON		*out;
};

static int
tier_tx(struct req *r, void *arg)
{
	struct tier_set *t = arg;
	struct tier_granted g;
	cJSON *d;
	int from, st;

	memset(&g, 0, sizeof(g));
	if ((st = tier_set_manual(r, t->id, (int)t->level, t->until,
	    t->reason, arena_printf(r->a, "staff:%lld",
	    (long long)r->auth.staff_id), &from, &g)) != 0)
		return st;
	d = j_obj();
	j_int(d, "level", t->level);
	j_str(d, "until", t->until);
	j_str(d, "reason", t->reason);
	j_int(d, "from_level", from);
	if ((st = audit_log(r, "member.tier", target_of(r, t->id),
	    detail_text(d), 0)) != 0)
		return st;
	j_int(d, "member_id", t->id);
	j_int(d, "rewards", g.rewards);
	t->out = d;
	return 200;
}

/*
 * Set a member's tier by hand (owner), held through until (a merchant-
 * local day, today or later; absent: until set again).
 * In: {level, until?, reason}. Out: {level, until, reason, from_level,
 * member_id, rewards}. Errors: invalid_field (level not in the ladder,
 * until not a date or past), not_found. Writes: growth and its entry,
 * the tier and its history row with the reason, the hold, the audit log.
 */
static int
member_tier_put(struct req *r)
{
	struct tier_set t;
	int y, mo, d, st;

	memset(&t, 0, sizeof(t));
	if ((st = member_of_path(r, &t.id)) != 0)
		return st;
	if (req_json_body(r) == -1 ||
	    req_json_int(r, "level", 1, 0, 100, &t.level) == -1 ||
	    req_json_str(r, "until", 0, 10, 10, &t.until) == -1)
		return r->status;
	if (t.until != NULL) {
		if (date_parse(t.until, &y, &mo, &d) == -1)
			return resp_bad_field(r, "until",
			    "截止日期应写成 2026-12-31 这样的日期");
		if (strcmp(t.until, tier_local_day(r, time_now())) < 0)
			return resp_bad_field(r, "until",
			    "截止日期不能早于今天");
	}
	if ((st = reason_arg(r, &t.reason)) != 0)
		return st;
	if ((st = db_tx(r, tier_tx, &t)) >= 400)
		return st;
	return resp_data(r, 200, t.out);
}

/* ---- block, unblock ---- */

struct block {
	int64_t		 id;
	int		 block;
	const char	*reason;
	cJSON		*out;
};

static int
block_tx(struct req *r, void *arg)
{
	struct block *b = arg;
	struct db_res res;
	cJSON *d;
	int rc, st;

	rc = b->block ? DB(r, &q_am_block, &res, DBS(b->reason),
	    DBI(r->m->id), DBI(b->id)) : DB(r, &q_am_unblock, &res,
	    DBI(r->m->id), DBI(b->id));
	if (rc != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		if (DB(r, &q_am_card_get, &res, DBI(r->m->id), DBI(b->id)) !=
		    DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_err(r, 404, "not_found", "会员不存在",
			    NULL);
		return resp_err(r, 409, "conflict", b->block ?
		    "该会员已经冻结" : "该会员没有被冻结", NULL);
	}
	d = j_obj();
	j_str(d, "reason", b->reason);
	if ((st = audit_log(r, b->block ? "member.block" : "member.unblock",
	    target_of(r, b->id), detail_text(d), 0)) != 0)
		return st;
	j_int(d, "member_id", b->id);
	j_bool(d, "blocked", b->block);
	b->out = d;
	return 200;
}

static int
block_run(struct req *r, int block)
{
	struct block b;
	int st;

	memset(&b, 0, sizeof(b));
	b.block = block;
	if ((st = member_of_path(r, &b.id)) != 0)
		return st;
	if (req_json_body(r) == -1 || (st = reason_arg(r, &b.reason)) != 0)
		return r->status;
	if ((st = db_tx(r, block_tx, &b)) >= 400)
		return st;
	return resp_data(r, 200, b.out);
}

/*
 * Block (freeze) a member (owner): it pays nothing (orders, quotes,
 * balance payments) and claims nothing (coupons, promo codes, the points
 * shop, scratch cards) until unblocked; its own pages say so.
 * In: {reason}. Out: {reason, member_id, blocked}. Errors:
 * invalid_field, not_found, conflict (blocked already). Writes: the
 * member, the audit log.
 */
static int
member_block(struct req *r)
{
	return block_run(r, 1);
}

/* Unblock a member (owner). As member_block; conflict: not blocked. */
static int
member_unblock(struct req *r)
{
	return block_run(r, 0);
}

/* ---- the physical card ---- */

struct card_bind {
	int64_t		 id;
	char		 no[PHYSICAL_CARD_MAX + 1];
	const char	*reason;
	cJSON		*out;
};

/* A card bound (no) or unbound (NULL) in the audit log, in the same
   transaction, and c->out: {card_no, old_card_no, reason, member_id}.
   200, or the status. */
static int
card_audit(struct req *r, struct card_bind *c, const char *action,
    const char *no, const char *old)
{
	cJSON *d = j_obj();
	int st;

	if (no != NULL)
		j_str(d, "card_no", no);
	else
		j_null(d, "card_no");
	j_str(d, "old_card_no", old);
	j_str(d, "reason", c->reason);
	if ((st = audit_log(r, action, target_of(r, c->id),
	    detail_text(d), 0)) != 0)
		return st;
	j_int(d, "member_id", c->id);
	c->out = d;
	return 200;
}

static int
card_tx(struct req *r, void *arg)
{
	struct card_bind *c = arg;
	struct db_res res;
	const char *old;
	int rc;

	if (DB(r, &q_am_card_get, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	old = db_str(&res, 0, AC_CARD);
	rc = DB(r, &q_am_card_set, &res, DBS(c->no), DBI(r->m->id),
	    DBI(c->id));
	if (rc == DB_DUP)
		return resp_err(r, 409, "card_bound", "该实体卡已绑定其他会员，"
		    "请先核对卡号", "card_no");
	if (rc != DB_OK)
		return db_fail(r);
	return card_audit(r, c, "member.card", c->no, old);
}

/*
 * Bind a physical card to a member (owner); a new card replaces the old,
 * whose number is free again.
 * In: {card_no (6 to 20 letters and digits; spaces and dashes ignored,
 * letters read as capitals), reason?}. Out: {card_no, old_card_no,
 * reason, member_id}. Errors: invalid_field, not_found, card_bound (409:
 * the card is another member's). Writes: the member, the audit log.
 */
static int
member_card_bind(struct req *r)
{
	struct card_bind c;
	const char *in;
	int st;

	memset(&c, 0, sizeof(c));
	if ((st = member_of_path(r, &c.id)) != 0)
		return st;
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "card_no", 1, 1, 64, &in) == -1)
		return r->status;
	if (physical_card_normalize(in, c.no) == -1)
		return resp_bad_field(r, "card_no", "实体卡号应为 6 到 20 位"
		    "字母或数字");
	if (json_member(r->json, "reason") != NULL &&
	    (st = reason_arg(r, &c.reason)) != 0)
		return st;
	if ((st = db_tx(r, card_tx, &c)) >= 400)
		return st;
	return resp_data(r, 200, c.out);
}

static int
uncard_tx(struct req *r, void *arg)
{
	struct card_bind *c = arg;
	struct db_res res;
	const char *old;

	if (DB(r, &q_am_card_get, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	if ((old = db_str(&res, 0, AC_CARD)) == NULL)
		return resp_err(r, 409, "conflict", "该会员没有绑定实体卡",
		    NULL);
	old = arena_strdup(r->a, old);
	if (DB(r, &q_am_card_clear, &res, DBI(r->m->id), DBI(c->id),
	    DBS(old)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "conflict", "该会员没有绑定实体卡",
		    NULL);
	return card_audit(r, c, "member.card_unbind", NULL, old);
}

/*
 * Unbind the member's physical card (owner: a card lost or handed back);
 * its number is free for another member, and the card finds no one at
 * the counter.
 * In: {reason?}. Out: {card_no: null, old_card_no, reason, member_id}.
 * Errors: invalid_field (reason), not_found, conflict (409: no card
 * bound). Writes: the member, the audit log.
 */
static int
member_card_unbind(struct req *r)
{
	struct card_bind c;
	int st;

	memset(&c, 0, sizeof(c));
	if ((st = member_of_path(r, &c.id)) != 0)
		return st;
	if (req_json_body(r) == -1)
		return r->status;
	if (json_member(r->json, "reason") != NULL &&
	    (st = reason_arg(r, &c.reason)) != 0)
		return st;
	if ((st = db_tx(r, uncard_tx, &c)) >= 400)
		return st;
	return resp_data(r, 200, c.out);
}

#define MBASE "/api/v1/m/:merchant/staff/members/:id"
#define OWNER (AUTH_STAFF | ROLE_OWNER | CSRF)

ROUTES(member_action_routes) = {
	{ M_POST, MBASE "/adjustments", member_adjust, OWNER | IDEMPOTENT },
	{ M_PUT, MBASE "/tier", member_tier_put, OWNER },
	{ M_POST, MBASE "/block", member_block, OWNER },
	{ M_POST, MBASE "/unblock", member_unblock, OWNER },
	{ M_POST, MBASE "/physical-card", member_card_bind, OWNER },
	{ M_POST, MBASE "/physical-card/unbind", member_card_unbind, OWNER },
	{ 0, NULL, NULL, 0 }
};
