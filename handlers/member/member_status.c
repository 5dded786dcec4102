/*
 * The holds on a member (member.h): blocked by staff, the physical card
 * bound to it, its payment PIN with the wrong tries counted.
 */
#include <string.h>
#include <sodium.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member.h"
#include "tier/tier.h"

#define BLOCKED_MESSAGE "会员账户已冻结，暂不能支付或领取优惠，请联系商家"

enum { BK_BLOCKED, BK_NCOLS };
DB_SQL_COLS(q_blocked, BK_NCOLS, MEMBER_SQL_BLOCKED);
enum { BC_ID, BC_NCOLS };
DB_SQL_COLS(q_by_card, BC_NCOLS,
    "SELECT id FROM members WHERE merchant_id = ? AND physical_card_no = ?");
enum { PN_HASH, PN_FAILS, PN_NCOLS };
DB_SQL_COLS(q_pin_get, PN_NCOLS,
    "SELECT pin_hash, pin_fails FROM members"
    " WHERE merchant_id = ? AND id = ?");
/* a wrong try: one more, never past the lock */
DB_SQL(q_pin_fail,
    "UPDATE members SET pin_fails = pin_fails + 1"
    " WHERE merchant_id = ? AND id = ? AND pin_fails < ?");
/* a right one: the count starts again, unless it locked meanwhile */
DB_SQL(q_pin_ok,
    "UPDATE members SET pin_fails = 0"
    " WHERE merchant_id = ? AND id = ? AND pin_hash = ? AND pin_fails < ?");
/* a new PIN, on the condition that the old one is still what was read */
DB_SQL(q_pin_set,
    "UPDATE members SET pin_hash = ?, pin_fails = 0"
    " WHERE merchant_id = ? AND id = ? AND pin_hash <=> ?");

enum { HD_BLOCKED_AT, HD_REASON, HD_UNTIL, HD_CARD, HD_PIN, HD_FAILS,
    HD_NCOLS };
DB_SQL_COLS(q_holds, HD_NCOLS,
    "SELECT blocked_at, blocked_reason, tier_manual_until, physical_card_no,"
    " pin_hash IS NOT NULL, pin_fails FROM members"
    " WHERE merchant_id = ? AND id = ?");
enum { SA_ID, SA_ACTION, SA_DETAIL, SA_AT, SA_STAFF, SA_NCOLS };
DB_SQL_COLS(q_staff_actions, SA_NCOLS,
    "SELECT a.id, a.action, a.detail, a.at, s.name FROM audit_log a"
    " LEFT JOIN staff s ON s.id = a.staff_id AND s.merchant_id = a.merchant_id"
    " WHERE a.merchant_id = ? AND a.target = ? AND a.action <> 'member.scan'"
    " ORDER BY a.id DESC LIMIT 20");

int
member_blocked_error(struct req *r)
{
	return resp_err(r, 409, "member_blocked", BLOCKED_MESSAGE, NULL);
}

int
member_blocked_check(struct req *r, int64_t member_id)
{
	struct db_res res;

	if (DB(r, &q_blocked, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 1 && db_int(&res, 0, BK_BLOCKED))
		return member_blocked_error(r);
	return 0;
}

int
member_by_card(struct req *r, const char *card_no, int64_t *member_id)
{
	struct db_res res;

	*member_id = 0;
	if (DB(r, &q_by_card, &res, DBI(r->m->id), DBS(card_no)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 1)
		*member_id = db_int(&res, 0, BC_ID);
	return 0;
}

static int
pin_locked(struct req *r)
{
	return resp_err(r, 409, "pin_locked", "支付密码连续输错 5 次已锁定，"
	    "请会员在手机上重新设置支付密码", "pin");
}

/* A wrong try counted: 403 with the tries left, or the lock. */
static int
pin_wrong(struct req *r, int64_t member_id, const char *field)
{
	struct db_res res;
	int64_t fails;

	if (DB(r, &q_pin_fail, &res, DBI(r->m->id), DBI(member_id),
	    DBI(MEMBER_PIN_TRIES)) != DB_OK ||
	    DB(r, &q_pin_get, &res, DBI(r->m->id), DBI(member_id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	fails = db_int(&res, 0, PN_FAILS);
	if (fails >= MEMBER_PIN_TRIES)
		return pin_locked(r);
	return resp_err(r, 403, "invalid_pin", arena_printf(r->a,
	    "支付密码错误，还可再试 %lld 次",
	    (long long)(MEMBER_PIN_TRIES - fails)), field);
}

int
member_pin_verify(struct req *r, int64_t member_id, const char *pin)
{
	struct db_res res;
	const char *hash;

	if (DB(r, &q_pin_get, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	if ((hash = db_str(&res, 0, PN_HASH)) == NULL)
		return resp_err(r, 409, "pin_not_set", "该会员还没有设置支付"
		    "密码，请会员在手机上设置后再刷卡使用余额", "pin");
	if (db_int(&res, 0, PN_FAILS) >= MEMBER_PIN_TRIES)
		return pin_locked(r);
	if (pin_check(pin) == -1 ||
	    crypto_pwhash_str_verify(hash, pin, strlen(pin)) != 0)
		return pin_wrong(r, member_id, "pin");
	if (DB(r, &q_pin_ok, NULL, DBI(r->m->id), DBI(member_id), DBS(hash),
	    DBI(MEMBER_PIN_TRIES)) != DB_OK ||
	    DB(r, &q_pin_get, &res, DBI(r->m->id), DBI(member_id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	/* locked by tries that came in while this one was checked */
	if (db_int(&res, 0, PN_FAILS) >= MEMBER_PIN_TRIES)
		return pin_locked(r);
	if (db_str(&res, 0, PN_HASH) == NULL ||
	    strcmp(db_str(&res, 0, PN_HASH), hash) != 0)
		return resp_err(r, 403, "invalid_pin", "支付密码刚刚修改过，"
		    "请重新输入", "pin");
	return 0;
}

int
member_pin_set(struct req *r, int64_t member_id, const char *pin,
    const char *old_pin)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_res res;
	const char *old;
	int rc;

	if ((rc = pin_check(pin)) == -1)
		return resp_bad_field(r, "pin", "支付密码应为 6 位数字");
	if (rc == 1)
		return resp_bad_field(r, "pin", "支付密码太简单，请不要用六个"
		    "相同或连续的数字");
	if (DB(r, &q_pin_get, &res, DBI(r->m->id), DBI(member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	old = db_str(&res, 0, PN_HASH);
	if (old != NULL && db_int(&res, 0, PN_FAILS) < MEMBER_PIN_TRIES) {
		if (old_pin == NULL)
			return resp_bad_field(r, "old_pin", "请输入原支付密码");
		if (pin_check(old_pin) == -1 ||
		    crypto_pwhash_str_verify(old, old_pin, strlen(old_pin)) != 0)
			return pin_wrong(r, member_id, "old_pin");
	}
	if (crypto_pwhash_str(hash, pin, strlen(pin),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_err(r, "pin: crypto_pwhash_str failed");
		return resp_internal(r);
	}
	if (DB(r, &q_pin_set, &res, DBS(hash), DBI(r->m->id), DBI(member_id),
	    DBS(old)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "conflict", "支付密码刚刚被修改过，"
		    "请刷新后再试", NULL);
	return 0;
}

cJSON *
member_holds_json(struct req *r, int64_t member_id)
{
	struct db_res res, a;
	cJSON *d, *arr, *x, *detail;
	int i;

	if (DB(r, &q_holds, &res, DBI(r->m->id), DBI(member_id)) != DB_OK ||
	    DB(r, &q_staff_actions, &a, DBI(r->m->id),
	    DBS(arena_printf(r->a, "member:%lld", (long long)member_id))) !=
	    DB_OK) {
		db_fail(r);
		return NULL;
	}
	d = j_obj();
	if (res.nrows != 1)
		return d;
	j_bool(d, "blocked", !db_isnull(&res, 0, HD_BLOCKED_AT));
	if (db_isnull(&res, 0, HD_BLOCKED_AT))
		j_null(d, "blocked_at");
	else
		j_str(d, "blocked_at", time_rfc3339(r, db_str(&res, 0,
		    HD_BLOCKED_AT)));
	j_str(d, "blocked_reason", db_str(&res, 0, HD_REASON));
	/* a hold without an end is kept as the last day there is */
	j_str(d, "tier_manual_until", db_isnull(&res, 0, HD_UNTIL) ||
	    strcmp(db_str(&res, 0, HD_UNTIL), "9999-12-31") == 0 ? NULL :
	    db_str(&res, 0, HD_UNTIL));
	/* in force through its last day, the merchant's */
	j_bool(d, "tier_manual", !db_isnull(&res, 0, HD_UNTIL) &&
	    strcmp(db_str(&res, 0, HD_UNTIL), tier_local_day(r,
	    time_now())) >= 0);
	j_str(d, "physical_card_no", db_str(&res, 0, HD_CARD));
	j_bool(d, "pin_set", db_int(&res, 0, HD_PIN) != 0);
	j_bool(d, "pin_locked", db_int(&res, 0, HD_FAILS) >= MEMBER_PIN_TRIES);
	arr = j_arr();
	for (i = 0; i < a.nrows; i++) {
		const char *text = db_str(&a, i, SA_DETAIL);

		x = j_obj();
		j_int(x, "id", db_int(&a, i, SA_ID));
		j_str(x, "action", db_str(&a, i, SA_ACTION));
		j_str(x, "at", time_rfc3339(r, db_str(&a, i, SA_AT)));
		j_str(x, "staff_name", db_str(&a, i, SA_STAFF));
		detail = text != NULL ? cJSON_Parse(text) : NULL;
		if (cJSON_IsObject(detail)) {
			cJSON *why = cJSON_GetObjectItem(detail, "reason");

			j_str(x, "reason", cJSON_IsString(why) ?
			    why->valuestring : NULL);
			j_add(x, "detail", detail);
		} else {
			if (detail != NULL)
				cJSON_Delete(detail);
			j_null(x, "reason");
			j_null(x, "detail");
		}
		j_add(arr, NULL, x);
	}
	j_add(d, "staff_actions", arr);
	return d;
}
