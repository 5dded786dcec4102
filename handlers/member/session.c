/*
 * Consumer sign-in by phone and SMS code, and the sessions members and
 * staff sign in to.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member.h"

#define SMS_TTL_S		300
#define SMS_PER_DAY		10
#define SMS_GAP_S		60
#define SMS_MAX_ATTEMPTS	5
#define MEMBER_SESSION_S	(30L * 24 * 3600)

/* ---- the SMS sender interface; the only sender writes to the log ---- */

struct sms_sender {
	const char	*name;
	int		(*send)(struct req *, const char *phone,
			    const char *code);
};

static int
sms_log_send(struct req *r, const char *phone, const char *code)
{
	char masked[16];

	phone_mask(phone, masked, sizeof(masked));
	if (cfg_is_dev())
		log_info(r, "sms: merchant %s phone %s code %s", r->m->code,
		    masked, code);
	else
		log_warn(r, "sms: merchant %s phone %s: no SMS gateway "
		    "configured, code not delivered", r->m->code, masked);
	return 0;
}

static const struct sms_sender sms_log = { "log", sms_log_send };
static const struct sms_sender *sms = &sms_log;

/* ---- statements ---- */

DB_SQL(q_rate_bump,
    "UPDATE sms_rate SET sent = sent + 1, last_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND phone = ? AND day = ? AND sent < ?"
    " AND last_at <= UTC_TIMESTAMP() - INTERVAL ? SECOND");
DB_SQL(q_rate_first,
    "INSERT IGNORE INTO sms_rate (merchant_id, phone, day, sent, last_at)"
    " VALUES (?, ?, ?, 1, UTC_TIMESTAMP())");
enum { RG_SENT, RG_AGE, RG_NCOLS };
DB_SQL_COLS(q_rate_get, RG_NCOLS,
    "SELECT sent, TIMESTAMPDIFF(SECOND, last_at, UTC_TIMESTAMP())"
    " FROM sms_rate WHERE merchant_id = ? AND phone = ? AND day = ?");
DB_SQL(q_code_insert,
    "INSERT INTO sms_codes (merchant_id, phone, code_hash, created_at,"
    " expires_at) VALUES (?, ?, ?, UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP() + INTERVAL ? SECOND)");
enum { CL_ID, CL_HASH, CL_ATTEMPTS, CL_LIVE, CL_UNUSED, CL_NCOLS };
DB_SQL_COLS(q_code_latest, CL_NCOLS,
    "SELECT id, code_hash, attempts, expires_at > UTC_TIMESTAMP(),"
    " used_at IS NULL FROM sms_codes WHERE merchant_id = ? AND phone = ?"
    " ORDER BY id DESC LIMIT 1");
DB_SQL(q_code_miss,
    "UPDATE sms_codes SET attempts = attempts + 1"
    " WHERE id = ? AND attempts < ? AND used_at IS NULL");
DB_SQL(q_code_use,
    "UPDATE sms_codes SET used_at = UTC_TIMESTAMP() WHERE id = ?"
    " AND used_at IS NULL AND attempts < ? AND expires_at > UTC_TIMESTAMP()");
DB_SQL(q_session_insert,
    "INSERT INTO sessions (token_hash, kind, merchant_id, phone, staff_id,"
    " csrf_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL ? SECOND)");
enum { SX_EXPIRES, SX_NCOLS };
DB_SQL_COLS(q_session_expiry, SX_NCOLS,
    "SELECT expires_at FROM sessions WHERE id = ?");
DB_SQL(q_session_revoke,
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND revoked_at IS NULL");

/* ---- helpers ---- */

/* The merchant's calendar day now, "YYYY-MM-DD". */
static const char *
merchant_today(struct req *r)
{
	const char *t = time_rfc3339_t(r, time_now());

	return arena_strndup(r->a, t, 10);
}

static const char *
code_hash(struct req *r, const char *phone, const char *code)
{
	const char *s = arena_printf(r->a, "sms:%lld:%s:%s",
	    (long long)r->m->id, phone, code);

	return hash_hex(r, s, strlen(s));
}

int
session_create(struct req *r, const char *kind, const char *phone,
    int64_t staff_id, long ttl, const char **token, const char **expires,
    const char **csrf)
{
	unsigned char raw[16], craw[16];
	struct db_res res;
	const char *tok, *ctok = NULL;

	rand_bytes(raw, sizeof(raw));
	tok = hex_encode(r->a, raw, sizeof(raw));
	if (csrf != NULL) {
		rand_bytes(craw, sizeof(craw));
		ctok = hex_encode(r->a, craw, sizeof(craw));
		*csrf = ctok;
	}
	if (DB(r, &q_session_insert, &res, DBS(hash_hex(r, tok, strlen(tok))),
	    DBS(kind), DBI(r->m->id), DBS(phone),
	    DBIN(staff_id, staff_id != 0),
	    DBS(ctok ? hash_hex(r, ctok, strlen(ctok)) : NULL), DBI(ttl))
	    != DB_OK ||
	    DB(r, &q_session_expiry, &res, DBI((int64_t)res.insert_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	*token = tok;
	*expires = time_rfc3339(r, db_str(&res, 0, SX_EXPIRES));
	return 0;
}

/* ---- sign-in ---- */

struct sms_ctx {
	const char	*phone, *day, *hash;
	int		 limited;
};

static int
sms_tx(struct req *r, void *arg)
{
	struct sms_ctx *c = arg;
	struct db_res res;

	if (DB(r, &q_rate_bump, &res, DBI(r->m->id), DBS(c->phone),
	    DBS(c->day), DBI(SMS_PER_DAY), DBI(SMS_GAP_S)) != DB_OK)
		return db_fail(r);
	if (res.affected == 0) {
		if (DB(r, &q_rate_first, &res, DBI(r->m->id), DBS(c->phone),
		    DBS(c->day)) != DB_OK)
			return db_fail(r);
		if (res.affected == 0) {
			c->limited = 1;
			return 429;
		}
	}
	if (DB(r, &q_code_insert, &res, DBI(r->m->id), DBS(c->phone),
	    DBS(c->hash), DBI(SMS_TTL_S)) != DB_OK)
		return db_fail(r);
	return 200;
}

/*
 * Send a sign-in code.
 * In: {phone}. Out: {sent, dev_code (dev only)}. Errors: invalid_field,
 * too_many_requests (one a minute, ten a day per phone).
 * Writes: sms_rate, sms_codes.
 */
static int
member_sms_code(struct req *r)
{
	struct sms_ctx c;
	char code[8];
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "phone", 1, 1, 16, &c.phone) == -1)
		return r->status;
	if (!phone_valid(c.phone))
		return resp_bad_field(r, "phone", "手机号格式不正确");
	snprintf(code, sizeof(code), "%06u",
	    (unsigned)rand_uniform(1000000));
	c.day = merchant_today(r);
	c.hash = code_hash(r, c.phone, code);
	c.limited = 0;
	st = db_tx(r, sms_tx, &c);
	if (c.limited) {
		struct db_res res;
		long wait = SMS_GAP_S;

		if (DB(r, &q_rate_get, &res, DBI(r->m->id), DBS(c.phone),
		    DBS(c.day)) == DB_OK && res.nrows == 1) {
			if (db_int(&res, 0, RG_SENT) >= SMS_PER_DAY) {
				time_t now = time(NULL);

				wait = 86400 - (long)((now + 8 * 3600) %
				    86400);
			} else
				wait = SMS_GAP_S -
				    (long)db_int(&res, 0, RG_AGE);
		}
		if (wait < 1)
			wait = 1;
		resp_reset(r);
		resp_header(r, "Retry-After", arena_printf(r->a, "%ld", wait));
		return resp_err(r, 429, "too_many_requests",
		    "验证码发送过于频繁，请稍后再试", NULL);
	}
	if (st >= 400)
		return st;
	sms->send(r, c.phone, code);
	d = j_obj();
	j_bool(d, "sent", 1);
	if (cfg_is_dev())
		j_str(d, "dev_code", code);
	return resp_data(r, 200, d);
}

/*
 * Sign in with the code.
 * In: {phone, code}. Out: {token, expires_at, member|null}; sets sid.
 * Errors: invalid_field, invalid_code (wrong, expired, used, or void after
 * five wrong tries). Writes: sms_codes (attempts, used_at), sessions.
 */
static int
member_login(struct req *r)
{
	const char *phone, *code, *token, *expires;
	struct db_res res;
	int64_t code_id, mid;
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "phone", 1, 1, 16, &phone) == -1 ||
	    req_json_str(r, "code", 1, 1, 16, &code) == -1)
		return r->status;
	if (!phone_valid(phone))
		return resp_bad_field(r, "phone", "手机号格式不正确");
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return resp_bad_field(r, "code", "验证码应为 6 位数字");
	if (DB(r, &q_code_latest, &res, DBI(r->m->id), DBS(phone)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0 ||
	    db_int(&res, 0, CL_ATTEMPTS) >= SMS_MAX_ATTEMPTS ||
	    db_int(&res, 0, CL_LIVE) == 0 || db_int(&res, 0, CL_UNUSED) == 0)
		return resp_err(r, 401, "invalid_code",
		    "验证码错误或已失效，请重新获取", "code");
	code_id = db_int(&res, 0, CL_ID);
	if (sodium_memcmp(db_str(&res, 0, CL_HASH), code_hash(r, phone, code),
	    64) != 0) {
		if (DB(r, &q_code_miss, NULL, DBI(code_id),
		    DBI(SMS_MAX_ATTEMPTS)) != DB_OK)
			return db_fail(r);
		return resp_err(r, 401, "invalid_code", "验证码错误", "code");
	}
	if (DB(r, &q_code_use, &res, DBI(code_id), DBI(SMS_MAX_ATTEMPTS)) !=
	    DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 401, "invalid_code",
		    "验证码错误或已失效，请重新获取", "code");
	if ((st = session_create(r, "member", phone, 0, MEMBER_SESSION_S,
	    &token, &expires, NULL)) != 0)
		return st;
	if ((st = member_id_by_phone(r, phone, &mid)) != 0)
		return st;
	d = j_obj();
	j_str(d, "token", token);
	j_str(d, "expires_at", expires);
	j_add(d, "member", mid ? member_get_json(r, mid, NULL) : NULL);
	resp_cookie(r, "sid", token, "/", MEMBER_SESSION_S);
	return resp_data(r, 200, d);
}

/* Revoke the current session. Out: {logged_out:true}; clears sid. */
static int
member_logout(struct req *r)
{
	cJSON *d;

	if (DB(r, &q_session_revoke, NULL, DBI(r->auth.session_id)) != DB_OK)
		return db_fail(r);
	if (r->auth.via_cookie)
		resp_cookie(r, "sid", "", "/", 0);
	d = j_obj();
	j_bool(d, "logged_out", 1);
	return resp_data(r, 200, d);
}

ROUTES(session_routes) = {
	{ M_POST, "/api/v1/m/:merchant/auth/sms-code", member_sms_code, 0 },
	{ M_POST, "/api/v1/m/:merchant/auth/login", member_login, 0 },
	{ M_POST, "/api/v1/m/:merchant/auth/logout", member_logout,
	    AUTH_MEMBER | PHONE_SESSION },
	{ 0, NULL, NULL, 0 }
};
