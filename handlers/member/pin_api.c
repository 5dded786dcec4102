/*
 * The member's payment PIN (支付密码), asked at the counter with a
 * physical card before the balance pays: PUT me/pin and its page.
 * Routes only; the rules are member_status.c's.
 */
#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member.h"

enum { PS_SET, PS_FAILS, PS_CARD, PS_BLOCKED, PS_NCOLS };
DB_SQL_COLS(q_pin_state, PS_NCOLS,
    "SELECT pin_hash IS NOT NULL, pin_fails, physical_card_no,"
    " blocked_at IS NOT NULL FROM members WHERE merchant_id = ? AND id = ?");

/* {pin_set, pin_locked, physical_card_no, blocked}, NULL with r->status. */
static cJSON *
pin_state_json(struct req *r)
{
	struct db_res res;
	cJSON *d;

	if (DB(r, &q_pin_state, &res, DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	if (res.nrows != 1) {
		resp_err(r, 404, "not_found", "会员不存在", NULL);
		return NULL;
	}
	d = j_obj();
	j_bool(d, "pin_set", db_int(&res, 0, PS_SET) != 0);
	j_bool(d, "pin_locked", db_int(&res, 0, PS_FAILS) >= MEMBER_PIN_TRIES);
	j_str(d, "physical_card_no", db_str(&res, 0, PS_CARD));
	j_bool(d, "blocked", db_int(&res, 0, PS_BLOCKED) != 0);
	return d;
}

/*
 * Set or change the member's payment PIN.
 * In: {pin (6 digits, not six alike or in a row), old_pin? (asked when a
 * PIN is set and not locked)}. Out: {pin_set, pin_locked,
 * physical_card_no, blocked}. Errors: invalid_field pin / old_pin,
 * invalid_pin (403: old_pin wrong, a try counted), pin_locked (409: that
 * was the fifth), conflict. Writes: members.pin_hash, pin_fails.
 */
static int
me_pin_put(struct req *r)
{
	const char *pin, *old = NULL;
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "pin", 1, 1, 16, &pin) == -1 ||
	    req_json_str(r, "old_pin", 0, 1, 16, &old) == -1)
		return r->status;
	if ((st = member_pin_set(r, r->auth.member_id, pin, old)) != 0)
		return st;
	if ((d = pin_state_json(r)) == NULL)
		return r->status;
	return resp_data(r, 200, d);
}

/* GET me/pin: {pin_set, pin_locked, physical_card_no, blocked}. */
static int
me_pin_get(struct req *r)
{
	cJSON *d = pin_state_json(r);

	return d == NULL ? r->status : resp_data(r, 200, d);
}

/* GET /m/{merchant}/pin: set or change the PIN (支付密码). */
static int
page_pin(struct req *r)
{
	cJSON *c, *d;
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	if ((d = pin_state_json(r)) == NULL)
		return r->status;
	c = page_ctx("支付密码", "page-pin", "pin.js");
	j_add(c, "pin", d);
	return resp_html(r, 200, "pages/pin", c);
}

ROUTES(pin_routes) = {
	{ M_GET, "/api/v1/m/:merchant/me/pin", me_pin_get, AUTH_MEMBER },
	{ M_PUT, "/api/v1/m/:merchant/me/pin", me_pin_put, AUTH_MEMBER },
	{ M_GET, "/m/:merchant/pin", page_pin, AUTH_OPTIONAL | HTML },
	{ 0, NULL, NULL, 0 }
};
