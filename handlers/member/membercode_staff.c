/*
 * The counter scan of a member code: verified, used once, and answered
 * with the member, the card's figures, the coupons usable at the store
 * and a ticket for the counter's next actions (routes only).
 */
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "member.h"

DB_SQL(q_code_use,
    "INSERT INTO member_codes_used (code, merchant_id, member_id, store_id,"
    " staff_id, issued_at, used_at)"
    " VALUES (?, ?, ?, ?, ?, FROM_UNIXTIME(?), UTC_TIMESTAMP())");
/*
 * Failed scans (a code that is forged, malformed, expired or another
 * merchant's) per cashier session and per address of one merchant: a
 * counter is a place to try codes, not to guess them.
 */
static const struct fail_limit scan_per_session = { "scan.session", 50, 60,
    "扫码失败次数过多，请一分钟后再试" };
static const struct fail_limit scan_per_addr = { "scan.addr", 600, 60,
    "扫码失败次数过多，请一分钟后再试" };

DB_SQL(q_code_purge,
    "DELETE FROM member_codes_used WHERE merchant_id = ?"
    " AND used_at < UTC_TIMESTAMP() - INTERVAL 1 DAY LIMIT 500");

struct scan_ctx {
	const char	*code;		/* NULL: a physical card */
	int64_t		 store_id;
	struct mcode	 mc;
	int		 no_balance;	/* a card without its PIN */
	cJSON		*out;
};

static int
scan_tx(struct req *r, void *arg)
{
	struct scan_ctx *c = arg;
	const char *ticket, *texp;
	cJSON *member, *card, *coupons, *d;
	int found, rc, st;

	member = member_get_json(r, c->mc.member_id, &found);
	if (!found)
		return resp_err(r, 400, "invalid_member_code", "会员码无效",
		    "member_code");
	if (member == NULL)
		return r->status;
	rc = c->code == NULL ? DB_OK : DB(r, &q_code_use, NULL, DBS(c->code),
	    DBI(r->m->id), DBI(c->mc.member_id), DBI(c->store_id),
	    DBI(r->auth.staff_id), DBI(c->mc.issued_at));
	if (rc == DB_DUP)
		return resp_err(r, 409, "member_code_used",
		    "该会员码已使用，请让顾客刷新后再扫", "member_code");
	if (rc != DB_OK)
		return db_fail(r);
	if ((st = ticket_issue_as(r, c->mc.member_id, c->store_id,
	    c->no_balance, &ticket, &texp)) != 0)
		return st;
	if ((card = card_build(r, c->mc.member_id)) == NULL)
		return r->status;
	if ((coupons = coupons_usable_json(r, c->mc.member_id,
	    c->store_id)) == NULL)
		return r->status;
	if ((st = audit_log(r, "member.scan", arena_printf(r->a, "member:%lld",
	    (long long)c->mc.member_id), c->code != NULL ? NULL :
	    c->no_balance ? "card" : "card+pin", c->store_id)) != 0)
		return st;
	d = j_obj();
	j_add(d, "member", member);
	j_add(d, "tier", cJSON_DetachItemFromObject(card, "tier"));
	j_add(d, "balance", cJSON_DetachItemFromObject(card, "balance"));
	j_add(d, "coupons", coupons);
	j_str(d, "ticket", ticket);
	j_str(d, "ticket_expires_at", texp);
	j_add(d, "growth", cJSON_DetachItemFromObject(card, "growth"));
	j_add(d, "points", cJSON_DetachItemFromObject(card, "points"));
	j_add(d, "next_tier", cJSON_DetachItemFromObject(card, "next_tier"));
	j_add(d, "privileges", cJSON_DetachItemFromObject(card,
	    "privileges"));
	j_int(d, "store_id", c->store_id);
	j_str(d, "via", c->code != NULL ? "member_code" : "card");
	j_bool(d, "balance_usable", !c->no_balance);
	c->out = d;
	return 200;
}

/* A refused code or card: counted against the session and the address. */
static int
scan_failed_at(struct req *r, const char *session, const char *addr,
    int status, const char *code, const char *message, const char *field)
{
	int st;

	if ((st = fail_count(r, &scan_per_session, session)) != 0 ||
	    (st = fail_count(r, &scan_per_addr, addr)) != 0)
		return st;
	return resp_err(r, status, code, message, field);
}

static int
scan_failed(struct req *r, const char *session, const char *addr, int status,
    const char *code, const char *message)
{
	return scan_failed_at(r, session, addr, status, code, message,
	    "member_code");
}

/*
 * A physical card typed or read at the counter: its member, and with the
 * right PIN a ticket like a member code's; without a PIN a ticket that
 * pays nothing from the balance (points and coupons only). An unknown
 * card counts as a refused scan; a wrong PIN counts on the member's PIN.
 */
static int
scan_card(struct req *r, struct scan_ctx *c, const char *card,
    const char *pin, const char *session, const char *addr)
{
	char no[PHYSICAL_CARD_MAX + 1];
	int64_t id;
	int st;

	if (physical_card_normalize(card, no) == -1)
		return resp_bad_field(r, "card_no", "实体卡号应为 6 到 20 位"
		    "字母或数字");
	if ((st = member_by_card(r, no, &id)) != 0)
		return st;
	if (id == 0)
		return scan_failed_at(r, session, addr, 404, "not_found",
		    "未找到该实体卡，请核对卡号", "card_no");
	if (pin != NULL && (st = member_pin_verify(r, id, pin)) != 0)
		return st;
	c->mc.member_id = id;
	c->no_balance = pin == NULL;
	return 0;
}

/*
 * A cashier scans a member code at a store (cashiers at their own stores,
 * owners anywhere; marketing cannot), or a physical card with its PIN.
 * In: {member_code, store_id} or {card_no, pin?, store_id}. Out: {member,
 * tier, balance, coupons (usable now at that store), ticket,
 * ticket_expires_at, growth, points, next_tier, privileges, store_id,
 * via, balance_usable (false: a card without its PIN)}. The code is
 * consumed. A card: 404 not_found (no such card), 403 invalid_pin, 409
 * pin_locked, 409 pin_not_set.
 * Errors: invalid_field, forbidden (403: a store not the cashier's, or a
 * code of another merchant), invalid_member_code (400: forged, malformed
 * or expired), member_code_used (409), too_many_requests (429 with
 * Retry-After: 50 refused codes in a minute from this session, or 600
 * from this address at this merchant; refused scans do not count).
 * Writes: member_codes_used, tickets, audit_log, fail_counters.
 */
static int
membercode_scan(struct req *r)
{
	char code[MCODE_LEN + 1];
	struct scan_ctx c;
	const char *in = NULL, *card = NULL, *pin = NULL, *session, *addr;
	int st;

	memset(&c, 0, sizeof(c));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "card_no", 0, 1, 64, &card) == -1 ||
	    req_json_str(r, "pin", 0, 1, 16, &pin) == -1 ||
	    req_json_str(r, "member_code", card == NULL, 1, 64, &in) == -1 ||
	    req_json_int(r, "store_id", 1, 1, INT64_MAX, &c.store_id) == -1)
		return r->status;
	if (in != NULL && card != NULL)
		return resp_bad_field(r, "card_no", "会员码和实体卡号只需其一");
	if ((st = staff_store_check(r, c.store_id)) != 0)
		return st;
	session = arena_printf(r->a, "%lld", (long long)r->auth.session_id);
	addr = arena_printf(r->a, "%lld:%s", (long long)r->m->id,
	    r->remote_addr ? r->remote_addr : "");
	if ((st = fail_limit_check(r, &scan_per_session, session)) != 0 ||
	    (st = fail_limit_check(r, &scan_per_addr, addr)) != 0)
		return st;
	if (card != NULL) {
		if ((st = scan_card(r, &c, card, pin, session, addr)) != 0 ||
		    (st = db_tx(r, scan_tx, &c)) >= 400)
			return st;
		return resp_data(r, 200, c.out);
	}
	switch (mcode_verify(cfg.secret, in, time_now(), cfg.member_code_ttl,
	    &c.mc)) {
	case MCODE_OK:
		break;
	case MCODE_EXPIRED:
		if (c.mc.merchant_id == r->m->id)
			return scan_failed(r, session, addr, 400,
			    "invalid_member_code", "会员码已过期，请让顾客刷新");
		break;
	default:
		return scan_failed(r, session, addr, 400,
		    "invalid_member_code", "会员码无效");
	}
	if (c.mc.merchant_id != r->m->id)
		return scan_failed(r, session, addr, 403, "forbidden",
		    "该会员码不属于本商户");
	mcode_normalize(in, code);
	c.code = code;
	if ((st = db_tx(r, scan_tx, &c)) >= 400)
		return st;
	/* codes are refused after their lifetime: old rows can go */
	if (rand_uniform(64) == 0)
		(void)DB(r, &q_code_purge, NULL, DBI(r->m->id));
	return resp_data(r, 200, c.out);
}

ROUTES(membercode_staff_routes) = {
	{ M_POST, "/api/v1/m/:merchant/staff/scan", membercode_scan,
	    AUTH_STAFF | ROLE_CASHIER | CSRF },
	{ 0, NULL, NULL, 0 }
};
