/*
 * Consumer sign-in by phone and SMS code, sessions, joining, the member,
 * the card and the tier ladder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "app.h"
#include "coupon_rules.h"
#include "db.h"
#include "growth.h"
#include "member.h"
#include "rules.h"

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
DB_SQL(q_rate_get,
    "SELECT sent, TIMESTAMPDIFF(SECOND, last_at, UTC_TIMESTAMP())"
    " FROM sms_rate WHERE merchant_id = ? AND phone = ? AND day = ?");
DB_SQL(q_code_insert,
    "INSERT INTO sms_codes (merchant_id, phone, code_hash, created_at,"
    " expires_at) VALUES (?, ?, ?, UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP() + INTERVAL ? SECOND)");
DB_SQL(q_code_latest,
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
DB_SQL(q_session_expiry,
    "SELECT expires_at FROM sessions WHERE id = ?");
DB_SQL(q_session_revoke,
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND revoked_at IS NULL");
DB_SQL(q_member_id_by_phone,
    "SELECT id FROM members WHERE merchant_id = ? AND phone = ?");
DB_SQL(q_member_insert,
    "INSERT INTO members (merchant_id, phone, name, birthday, gender,"
    " card_no, channel, referral_code, referrer_id, joined_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_member_get,
    "SELECT id, phone, name, birthday, gender, joined_at, card_no, channel"
    " FROM members WHERE merchant_id = ? AND id = ?");
/*
 * The card: the member (CARD_COLS), the unused coupon count and the
 * merchant's card settings with the tier ladder's revision (SETTINGS_COLS).
 * From a member id (q_card_member) the count is a plain COUNT of the unused
 * coupons not past valid_until, as the coupon area reads a coupon's status.
 * From a session token (the hot path: one lookup by token, then primary
 * keys) it is the member's coupon counters (migration 0009): CARD_LIVE is
 * exact unless CARD_NEXT has passed (one of the counted coupons has expired
 * since they were counted); then coupons_recount() counts afresh. The
 * session's state comes back as columns and is checked here, against the
 * same clock the app's other times use: comparisons and functions in a
 * statement cost MariaDB more on every execution than the columns do.
 *
 * q_card_lean leaves the merchants row out: a worker whose copy of the
 * settings is fresh (card_settings_fresh) uses it; otherwise q_card_full
 * reads the settings along and the copy is renewed.
 */
#define CARD_COLS \
    "mb.card_no, mb.growth, mb.points, mb.principal_fen, mb.bonus_fen," \
    " mb.joined_at"
enum { CARD_NO, CARD_GROWTH, CARD_POINTS, CARD_PRINCIPAL, CARD_BONUS,
    CARD_JOINED, CARD_NCOLS };
#define SETTINGS_COLS \
    "m.card_name, m.card_bg_url, m.card_validity, m.card_valid_until," \
    " m.card_valid_months, m.card_store_ids, m.tiers_rev"
enum { SET_NAME, SET_BG, SET_VALIDITY, SET_UNTIL, SET_MONTHS, SET_STORES,
    SET_TIERS_REV };
/* q_card_member: CARD_COLS, the count, SETTINGS_COLS */
enum { CARD_COUPONS = CARD_NCOLS, CARD_M_SETTINGS };
/* q_card_lean and q_card_full: CARD_COLS, these, SETTINGS_COLS (full) */
enum { CARD_LIVE = CARD_NCOLS, CARD_NEXT, CARD_REV, CARD_MEMBER,
    CARD_MERCHANT, CARD_KIND, CARD_REVOKED, CARD_EXPIRES, CARD_S_SETTINGS };

DB_SQL(q_card_member,
    "SELECT " CARD_COLS ", (SELECT COUNT(*) FROM coupons c"
    " WHERE c.merchant_id = mb.merchant_id AND c.member_id = mb.id"
    " AND c.status = 'unused' AND c.valid_until >= UTC_TIMESTAMP()), "
    SETTINGS_COLS
    " FROM members mb"
    " JOIN merchants m ON m.id = mb.merchant_id"
    " WHERE mb.merchant_id = ? AND mb.id = ?");
#define CARD_SESSION_COLS \
    "SELECT " CARD_COLS ", mb.coupons_live, mb.coupons_next, mb.coupons_rev," \
    " mb.id, mb.merchant_id, s.kind, s.revoked_at, s.expires_at"
DB_SQL(q_card_lean,
    CARD_SESSION_COLS
    " FROM sessions s"
    " JOIN members mb ON mb.id = s.member_id"
    " WHERE s.token_hash = ? AND s.merchant_id = ?");
DB_SQL(q_card_full,
    CARD_SESSION_COLS ", " SETTINGS_COLS
    " FROM sessions s"
    " JOIN members mb ON mb.id = s.member_id"
    " JOIN merchants m ON m.id = s.merchant_id"
    " WHERE s.token_hash = ? AND s.merchant_id = ?");
/* UTC_TIMESTAMP() is one value throughout a statement. */
DB_SQL(q_coupons_count,
    "SELECT COUNT(*), MIN(valid_until), UTC_TIMESTAMP() FROM coupons"
    " WHERE merchant_id = ? AND member_id = ? AND status = 'unused'"
    " AND valid_until >= UTC_TIMESTAMP()");
DB_SQL(q_coupons_recount,
    "UPDATE members SET coupons_cut = ?, coupons_live = ?, coupons_next = ?,"
    " coupons_rev = coupons_rev + 1"
    " WHERE merchant_id = ? AND id = ? AND coupons_rev = ?");
DB_SQL(q_tiers_rev, "SELECT tiers_rev FROM merchants WHERE id = ?");
DB_SQL(q_tiers,
    "SELECT level, name, growth, discount_pct, points_multiplier, privileges"
    " FROM tiers WHERE merchant_id = ? ORDER BY level");

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
	    != DB_OK) {
		resp_internal(r);
		return -1;
	}
	if (DB(r, &q_session_expiry, &res, DBI((int64_t)res.insert_id)) !=
	    DB_OK || res.nrows != 1) {
		resp_internal(r);
		return -1;
	}
	*token = tok;
	*expires = time_rfc3339(r, db_str(&res, 0, 0));
	return 0;
}

cJSON *
member_get_json(struct req *r, int64_t id)
{
	struct db_res res;
	char masked[16];
	cJSON *m;

	if (DB(r, &q_member_get, &res, DBI(r->m->id), DBI(id)) != DB_OK) {
		resp_internal(r);
		return NULL;
	}
	if (res.nrows == 0)
		return NULL;
	phone_mask(db_str(&res, 0, 1), masked, sizeof(masked));
	m = j_obj();
	j_int(m, "id", db_int(&res, 0, 0));
	j_str(m, "phone_masked", masked);
	j_str(m, "name", db_str(&res, 0, 2));
	j_str(m, "birthday", db_str(&res, 0, 3));
	j_str(m, "gender", db_str(&res, 0, 4));
	j_str(m, "joined_at", time_rfc3339(r, db_str(&res, 0, 5)));
	j_str(m, "card_no", db_str(&res, 0, 6));
	j_str(m, "channel", db_str(&res, 0, 7));
	return m;
}

static int64_t
member_id_by_phone(struct req *r, const char *phone, int *err)
{
	struct db_res res;

	*err = 0;
	if (DB(r, &q_member_id_by_phone, &res, DBI(r->m->id), DBS(phone)) !=
	    DB_OK) {
		*err = 1;
		return 0;
	}
	return res.nrows ? db_int(&res, 0, 0) : 0;
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
		return resp_internal(r);
	if (res.affected == 0) {
		if (DB(r, &q_rate_first, &res, DBI(r->m->id), DBS(c->phone),
		    DBS(c->day)) != DB_OK)
			return resp_internal(r);
		if (res.affected == 0) {
			c->limited = 1;
			return 429;
		}
	}
	if (DB(r, &q_code_insert, &res, DBI(r->m->id), DBS(c->phone),
	    DBS(c->hash), DBI(SMS_TTL_S)) != DB_OK)
		return resp_internal(r);
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
			if (db_int(&res, 0, 0) >= SMS_PER_DAY) {
				time_t now = time(NULL);

				wait = 86400 - (long)((now + 8 * 3600) %
				    86400);
			} else
				wait = SMS_GAP_S - (long)db_int(&res, 0, 1);
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
	int err;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "phone", 1, 1, 16, &phone) == -1 ||
	    req_json_str(r, "code", 1, 1, 16, &code) == -1)
		return r->status;
	if (!phone_valid(phone))
		return resp_bad_field(r, "phone", "手机号格式不正确");
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return resp_bad_field(r, "code", "验证码应为 6 位数字");
	if (DB(r, &q_code_latest, &res, DBI(r->m->id), DBS(phone)) != DB_OK)
		return resp_internal(r);
	if (res.nrows == 0 || db_int(&res, 0, 2) >= SMS_MAX_ATTEMPTS ||
	    db_int(&res, 0, 3) == 0 || db_int(&res, 0, 4) == 0)
		return resp_err(r, 401, "invalid_code",
		    "验证码错误或已失效，请重新获取", "code");
	code_id = db_int(&res, 0, 0);
	if (sodium_memcmp(db_str(&res, 0, 1), code_hash(r, phone, code), 64)
	    != 0) {
		if (DB(r, &q_code_miss, NULL, DBI(code_id),
		    DBI(SMS_MAX_ATTEMPTS)) != DB_OK)
			return resp_internal(r);
		return resp_err(r, 401, "invalid_code", "验证码错误", "code");
	}
	if (DB(r, &q_code_use, &res, DBI(code_id), DBI(SMS_MAX_ATTEMPTS)) !=
	    DB_OK)
		return resp_internal(r);
	if (res.affected != 1)
		return resp_err(r, 401, "invalid_code",
		    "验证码错误或已失效，请重新获取", "code");
	if (session_create(r, "member", phone, 0, MEMBER_SESSION_S, &token,
	    &expires, NULL) == -1)
		return r->status;
	mid = member_id_by_phone(r, phone, &err);
	if (err)
		return resp_internal(r);
	d = j_obj();
	j_str(d, "token", token);
	j_str(d, "expires_at", expires);
	j_add(d, "member", mid ? member_get_json(r, mid) : NULL);
	resp_cookie(r, "sid", token, "/", MEMBER_SESSION_S);
	return resp_data(r, 200, d);
}

/* Revoke the current session. Out: {logged_out:true}; clears sid. */
static int
member_logout(struct req *r)
{
	cJSON *d;

	if (DB(r, &q_session_revoke, NULL, DBI(r->auth.session_id)) != DB_OK)
		return resp_internal(r);
	if (r->auth.via_cookie)
		resp_cookie(r, "sid", "", "/", 0);
	d = j_obj();
	j_bool(d, "logged_out", 1);
	return resp_data(r, 200, d);
}

/* ---- joining ---- */

static int
channel_valid(const char *s)
{
	size_t i, n = strlen(s);
	int colon = 0;

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == ':') {
			if (colon++ || i == 0 || i == n - 1)
				return 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '-' || (colon && c >= 'A' && c <= 'Z')))
			return 0;
	}
	return 1;
}

static int
printable(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return 0;
	return 1;
}

struct join {
	const char	*name, *birthday, *gender, *ref, *channel;
	int64_t		 referrer;
	int64_t		 id;
	int		 created;
};

/*
 * Insert the member (a card number clash is retried; the phone joining
 * meanwhile makes it "already a member"), then what joining sets off:
 * the referral and a campaign's gift pack, all in one transaction.
 */
static int
join_tx(struct req *r, void *arg)
{
	struct join *j = arg;
	struct db_res res;
	int tries, rc = DB_ERR, err, st;

	j->created = 0;
	for (tries = 0; tries < 8; tries++) {
		char card[17];

		card_no_make(card, rand_uniform);
		rc = DB(r, &q_member_insert, &res, DBI(r->m->id),
		    DBS(r->auth.phone), DBS(j->name), DBS(j->birthday),
		    DBS(j->gender ? j->gender : "unknown"), DBS(card),
		    DBS(j->channel), DBS(j->ref),
		    DBIN(j->referrer, j->referrer != 0));
		if (rc != DB_DUP)
			break;
		j->id = member_id_by_phone(r, r->auth.phone, &err);
		if (err)
			return db_retry_pending() ? 500 : resp_internal(r);
		if (j->id != 0)
			return 200;	/* already a member: nothing changes */
	}
	if (rc != DB_OK)
		return db_retry_pending() ? 500 : resp_internal(r);
	j->id = (int64_t)res.insert_id;
	j->created = 1;
	if (j->referrer != 0 &&
	    (st = referral_on_join(r, j->id, j->referrer)) >= 400)
		return st;
	if ((st = campaign_on_join(r, j->id, j->channel)) >= 400)
		return st;
	return 201;
}

/*
 * Join as a member (idempotent per phone).
 * In: {name?, birthday?, gender?, referral_code?, channel?}; without a
 * referral_code in the body, the one a referral link left in the ref
 * cookie counts. Out: 201 {member, created:true}, or 200 {member,
 * created:false} when already a member (nothing changed). Errors:
 * invalid_field (a forged or unknown referral code too). Writes: members,
 * referrals and their rewards, a campaign's gift pack.
 */
static int
member_join(struct req *r)
{
	struct join j;
	cJSON *d, *m;
	int st;

	memset(&j, 0, sizeof(j));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "name", 0, 1, 32, &j.name) == -1 ||
	    req_json_str(r, "birthday", 0, 10, 10, &j.birthday) == -1 ||
	    req_json_str(r, "gender", 0, 1, 8, &j.gender) == -1 ||
	    req_json_str(r, "referral_code", 0, 1, 64, &j.ref) == -1 ||
	    req_json_str(r, "channel", 0, 1, 64, &j.channel) == -1)
		return r->status;
	if (j.birthday != NULL && !date_valid(j.birthday))
		return resp_bad_field(r, "birthday", "日期应为 YYYY-MM-DD");
	if (j.gender != NULL && strcmp(j.gender, "male") &&
	    strcmp(j.gender, "female") && strcmp(j.gender, "unknown"))
		return resp_bad_field(r, "gender",
		    "应为 male、female 或 unknown");
	if (j.ref != NULL && !printable(j.ref))
		return resp_bad_field(r, "referral_code", "推荐码无效");
	if (j.channel != NULL && !channel_valid(j.channel))
		return resp_bad_field(r, "channel", "渠道格式不正确");
	if (r->auth.member_id != 0) {
		j.id = r->auth.member_id;
		goto done;
	}
	if (j.ref == NULL && r->auth.via_cookie) {
		const char *c = req_cookie(r, "ref", 0);

		if (c != NULL && referral_resolve(r, c, &j.referrer) == 0)
			j.ref = c;
		resp_reset(r);	/* a stale cookie is no error of this call */
	} else if (j.ref != NULL &&
	    referral_resolve(r, j.ref, &j.referrer) == -1)
		return r->status;
	if (j.channel == NULL)
		j.channel = j.ref != NULL ? "referral" : "organic";
	st = db_tx(r, join_tx, &j);
	if (st >= 400)
		return st;
done:
	if ((m = member_get_json(r, j.id)) == NULL)
		return resp_internal(r);
	d = j_obj();
	j_add(d, "member", m);
	j_bool(d, "created", j.created);
	return resp_data(r, j.created ? 201 : 200, d);
}

/* Out: {member}. */
static int
member_me(struct req *r)
{
	cJSON *d, *m;

	if ((m = member_get_json(r, r->auth.member_id)) == NULL)
		return r->status ? r->status :
		    resp_err(r, 404, "not_found", "会员不存在", NULL);
	d = j_obj();
	j_add(d, "member", m);
	return resp_data(r, 200, d);
}

/* ---- tiers and the card ---- */

struct tier_row {
	int		 level;
	char		*name;
	int64_t		 growth;
	int		 has_discount;
	int64_t		 discount_pct;
	double		 mult;
	char		*privileges;	/* JSON text */
};

/*
 * Each worker keeps the ladders it has read, with the revision they were
 * read at; merchants.tiers_rev (raised by triggers on tiers) says when a
 * ladder must be read again. Memory outside the request arena.
 */
#define TIER_CACHE	16

static struct tier_cache {
	int64_t		 merchant_id, rev;
	struct tier_row	*rows;
	int		 n;
} tier_cache[TIER_CACHE];

static void
tier_cache_clear(struct tier_cache *c)
{
	int i;

	for (i = 0; i < c->n; i++) {
		free(c->rows[i].name);
		free(c->rows[i].privileges);
	}
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

/* The ladder of r->m at revision rev: rows and count out. 0 or -1. */
static int
tiers_at(struct req *r, int64_t rev, const struct tier_row **out, int *n)
{
	struct tier_cache *c = NULL;
	struct db_res res;
	int i;

	for (i = 0; i < TIER_CACHE; i++)
		if (tier_cache[i].merchant_id == r->m->id) {
			c = &tier_cache[i];
			break;
		}
	if (c != NULL && c->rev == rev) {
		*out = c->rows;
		*n = c->n;
		return 0;
	}
	if (DB(r, &q_tiers, &res, DBI(r->m->id)) != DB_OK) {
		resp_internal(r);
		return -1;
	}
	if (c == NULL)
		c = &tier_cache[r->m->id % TIER_CACHE];
	tier_cache_clear(c);
	if ((c->rows = calloc((size_t)res.nrows + 1, sizeof(*c->rows))) ==
	    NULL) {
		resp_internal(r);
		return -1;
	}
	for (i = 0; i < res.nrows; i++) {
		struct tier_row *t = &c->rows[i];

		t->level = (int)db_int(&res, i, 0);
		t->name = strdup(db_str(&res, i, 1));
		t->growth = db_int(&res, i, 2);
		t->has_discount = !db_isnull(&res, i, 3);
		t->discount_pct = db_int(&res, i, 3);
		t->mult = strtod(db_str(&res, i, 4), NULL);
		t->privileges = strdup(db_str(&res, i, 5));
	}
	c->n = res.nrows;
	c->merchant_id = r->m->id;
	/* a ladder changed while it was read is read again next time */
	c->rev = rev;
	*out = c->rows;
	*n = c->n;
	return 0;
}

static int
tiers_load(struct req *r, const struct tier_row **out, int *n)
{
	struct db_res res;

	if (DB(r, &q_tiers_rev, &res, DBI(r->m->id)) != DB_OK ||
	    res.nrows != 1) {
		resp_internal(r);
		return -1;
	}
	return tiers_at(r, db_int(&res, 0, 0), out, n);
}

static cJSON *
privileges_json(const char *s)
{
	cJSON *p = s ? cJSON_Parse(s) : NULL;

	return cJSON_IsArray(p) ? p : cJSON_CreateArray();
}

/* {level, name, discount_pct|null, points_multiplier} of a tier. */
static cJSON *
tier_json(const struct tier_row *t)
{
	cJSON *o = j_obj();

	j_int(o, "level", t->level);
	j_str(o, "name", t->name);
	if (t->has_discount)
		j_int(o, "discount_pct", t->discount_pct);
	else
		j_null(o, "discount_pct");
	cJSON_AddNumberToObject(o, "points_multiplier", t->mult);
	return o;
}

cJSON *
tiers_build(struct req *r)
{
	const struct tier_row *t;
	cJSON *arr;
	int n, i;

	if (tiers_load(r, &t, &n) == -1)
		return NULL;
	arr = j_arr();
	for (i = 0; i < n; i++) {
		cJSON *o = tier_json(&t[i]);

		j_int(o, "growth", t[i].growth);
		j_add(o, "privileges", privileges_json(t[i].privileges));
		j_add(arr, NULL, o);
	}
	return arr;
}

/* ---- the card settings each worker keeps ---- */

/*
 * A merchant's card settings and tier-ladder revision. Each worker keeps
 * the ones it read last, for CARD_SETTINGS_TTL_MS: a change staff make
 * reaches every card within that time, and at once on the worker that
 * made it (card_settings_forget()). The slot of a merchant is its id
 * modulo the cache size; memory outside the request arena.
 */
#define CARD_SETTINGS_CACHE	16
#define CARD_SETTINGS_TTL_MS	1000

struct card_settings {
	int64_t		 merchant_id, tiers_rev, months;
	char		*name, *bg, *validity, *until, *stores;
	int64_t		 at_ms;		/* when read; 0: empty */
};

static struct card_settings settings_cache[CARD_SETTINGS_CACHE];

static struct card_settings *
settings_slot(int64_t merchant_id)
{
	return &settings_cache[(uint64_t)merchant_id % CARD_SETTINGS_CACHE];
}

static void
settings_clear(struct card_settings *c)
{
	free(c->name);
	free(c->bg);
	free(c->validity);
	free(c->until);
	free(c->stores);
	memset(c, 0, sizeof(*c));
}

void
card_settings_forget(int64_t merchant_id)
{
	struct card_settings *c = settings_slot(merchant_id);

	if (c->merchant_id == merchant_id)
		settings_clear(c);
}

/* This worker's settings of r->m if read less than the TTL ago, or NULL. */
static const struct card_settings *
card_settings_fresh(struct req *r, int64_t now_ms)
{
	const struct card_settings *c = settings_slot(r->m->id);

	return c->at_ms != 0 && c->merchant_id == r->m->id &&
	    now_ms - c->at_ms < CARD_SETTINGS_TTL_MS ? c : NULL;
}

/* The SETTINGS_COLS from column col of row 0, pointing into res. */
static void
settings_from_row(struct req *r, const struct db_res *res, int col,
    struct card_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->merchant_id = r->m->id;
	s->name = (char *)db_str(res, 0, col + SET_NAME);
	s->bg = (char *)db_str(res, 0, col + SET_BG);
	s->validity = (char *)db_str(res, 0, col + SET_VALIDITY);
	s->until = (char *)db_str(res, 0, col + SET_UNTIL);
	s->months = db_int(res, 0, col + SET_MONTHS);
	s->stores = (char *)db_str(res, 0, col + SET_STORES);
	s->tiers_rev = db_int(res, 0, col + SET_TIERS_REV);
}

static char *
dup_or_null(const char *s, int *failed)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return d;
}

/* Keep a copy of s as read at now_ms (out of memory: keep nothing). */
static void
card_settings_keep(const struct card_settings *s, int64_t now_ms)
{
	struct card_settings *c = settings_slot(s->merchant_id);
	int failed = 0;

	settings_clear(c);
	c->merchant_id = s->merchant_id;
	c->tiers_rev = s->tiers_rev;
	c->months = s->months;
	c->name = dup_or_null(s->name, &failed);
	c->bg = dup_or_null(s->bg, &failed);
	c->validity = dup_or_null(s->validity, &failed);
	c->until = dup_or_null(s->until, &failed);
	c->stores = dup_or_null(s->stores, &failed);
	if (failed)
		settings_clear(c);
	else
		c->at_ms = now_ms;
}

/* ---- the card ---- */

/*
 * The card from row 0 of a CARD_COLS result, the merchant's card settings
 * and the unused coupon count.
 */
static cJSON *
card_from_row(struct req *r, const struct db_res *res,
    const struct card_settings *cs, int64_t coupons)
{
	struct tier_step *steps;
	const struct tier_row *t;
	cJSON *d, *o, *stores;
	int n, i, cur, next;
	int64_t growth, principal, bonus;
	char until[11];

	if (tiers_at(r, cs->tiers_rev, &t, &n) == -1)
		return NULL;
	steps = arena_calloc(r->a, (size_t)n + 1, sizeof(*steps));
	for (i = 0; i < n; i++) {
		steps[i].level = t[i].level;
		steps[i].growth = t[i].growth;
	}
	growth = db_int(res, 0, CARD_GROWTH);
	cur = tier_for_growth(steps, n, growth, &next);
	principal = db_int(res, 0, CARD_PRINCIPAL);
	bonus = db_int(res, 0, CARD_BONUS);

	d = j_obj();
	j_str(d, "card_no", db_str(res, 0, CARD_NO));
	j_str(d, "card_name", cs->name);
	j_str(d, "background_url", cs->bg);
	if (cs->validity != NULL && strcmp(cs->validity, "until") == 0)
		j_str(d, "valid_until", cs->until);
	else if (cs->validity != NULL && strcmp(cs->validity, "months") == 0 &&
	    date_plus_months(db_str(res, 0, CARD_JOINED), (int)cs->months,
	    until) == 0)
		j_str(d, "valid_until", until);
	else
		j_null(d, "valid_until");
	stores = cs->stores != NULL ? cJSON_Parse(cs->stores) : NULL;
	if (cJSON_IsArray(stores))
		j_add(d, "stores", stores);
	else {
		cJSON_Delete(stores);
		j_str(d, "stores", "all");
	}
	j_add(d, "tier", cur >= 0 ? tier_json(&t[cur]) : j_obj());
	j_int(d, "growth", growth);
	if (next >= 0) {
		o = j_obj();
		j_int(o, "level", t[next].level);
		j_str(o, "name", t[next].name);
		j_int(o, "growth", t[next].growth);
		j_int(o, "growth_needed", t[next].growth - growth);
		j_add(d, "next_tier", o);
	} else
		j_null(d, "next_tier");
	o = j_obj();
	j_int(o, "principal_fen", principal);
	j_int(o, "bonus_fen", bonus);
	j_int(o, "total_fen", principal + bonus);
	j_add(d, "balance", o);
	j_int(d, "points", db_int(res, 0, CARD_POINTS));
	j_int(d, "coupons_unused", coupons);
	j_add(d, "privileges", cur >= 0 ? privileges_json(t[cur].privileges) :
	    j_arr());
	return d;
}

cJSON *
card_build(struct req *r, int64_t member_id)
{
	struct card_settings cs;
	struct db_res res;

	if (DB(r, &q_card_member, &res, DBI(r->m->id), DBI(member_id)) !=
	    DB_OK) {
		resp_internal(r);
		return NULL;
	}
	if (res.nrows == 0) {
		resp_err(r, 404, "not_found", "会员不存在", NULL);
		return NULL;
	}
	settings_from_row(r, &res, CARD_M_SETTINGS, &cs);
	card_settings_keep(&cs, time_mono_ms());
	return card_from_row(r, &res, &cs, db_int(&res, 0, CARD_COUPONS));
}

/*
 * The unused, unexpired coupons of the member in row 0 of a q_card_lean or
 * q_card_full result whose counters have gone stale: counted afresh, and
 * the counters moved to this count unless a coupon changed since the card
 * read them (coupons_rev), which leaves them for the next view (as does an
 * update that fails: the count stands). -1 when the count failed (the
 * response is set).
 */
static int64_t
coupons_recount(struct req *r, const struct db_res *card)
{
	int64_t member = db_int(card, 0, CARD_MEMBER);
	struct db_res res, upd;

	if (DB(r, &q_coupons_count, &res, DBI(r->m->id), DBI(member)) !=
	    DB_OK || res.nrows != 1) {
		resp_internal(r);
		return -1;
	}
	(void)DB(r, &q_coupons_recount, &upd, DBS(db_str(&res, 0, 2)),
	    DBI(db_int(&res, 0, 0)), DBS(db_str(&res, 0, 1)), DBI(r->m->id),
	    DBI(member), DBI(db_int(card, 0, CARD_REV)));
	return db_int(&res, 0, 0);
}

/* Whether row 0 of a q_card_lean/full result is a live member session of
   r->m at now ("YYYY-MM-DD HH:MM:SS", UTC). */
static int
card_session_live(struct req *r, const struct db_res *res, const char *now)
{
	const char *kind = db_str(res, 0, CARD_KIND);
	const char *expires = db_str(res, 0, CARD_EXPIRES);

	return kind != NULL && strcmp(kind, "member") == 0 &&
	    db_isnull(res, 0, CARD_REVOKED) && expires != NULL &&
	    strcmp(expires, now) > 0 &&
	    db_int(res, 0, CARD_MERCHANT) == r->m->id;
}

/*
 * Out: the card (see api.md). The hot path is one query that checks the
 * session too (a second and third only when the coupon counters went
 * stale); when it finds nothing, the usual checks say why (and find the
 * member of a session made while its phone was joining, see router.c).
 */
static int
member_card(struct req *r)
{
	const char *h = auth_token_hash(r);
	struct db_res res;
	cJSON *d;
	int st;

	if (h != NULL) {
		int64_t now_ms = time_mono_ms();
		const struct card_settings *fresh = card_settings_fresh(r,
		    now_ms);
		struct card_settings cs;
		char now[20];

		if (DB(r, fresh ? &q_card_lean : &q_card_full, &res, DBS(h),
		    DBI(r->m->id)) != DB_OK)
			return resp_internal(r);
		coupon_sql_time(time_now(), now);
		if (res.nrows == 1 && card_session_live(r, &res, now)) {
			const char *next = db_str(&res, 0, CARD_NEXT);
			int64_t n = db_int(&res, 0, CARD_LIVE);

			if (fresh != NULL)
				cs = *fresh;
			else {
				settings_from_row(r, &res, CARD_S_SETTINGS,
				    &cs);
				card_settings_keep(&cs, now_ms);
			}
			if (next != NULL && strcmp(next, now) < 0 &&
			    (n = coupons_recount(r, &res)) == -1)
				return r->status;
			d = card_from_row(r, &res, &cs, n);
			return d ? resp_data(r, 200, d) : r->status;
		}
	}
	if ((st = auth_require(r)) != 0)
		return st;
	d = card_build(r, r->auth.member_id);
	return d ? resp_data(r, 200, d) : r->status;
}

/* Out: [{level, name, growth, discount_pct, points_multiplier,
   privileges}] by level. Public. */
static int
member_tiers(struct req *r)
{
	cJSON *arr = tiers_build(r);

	return arr ? resp_data(r, 200, arr) : r->status;
}

ROUTES(member_routes) = {
	{ M_POST, "/api/v1/m/:merchant/auth/sms-code", member_sms_code, 0 },
	{ M_POST, "/api/v1/m/:merchant/auth/login", member_login, 0 },
	{ M_POST, "/api/v1/m/:merchant/auth/logout", member_logout,
	    AUTH_MEMBER | PHONE_SESSION },
	{ M_POST, "/api/v1/m/:merchant/members", member_join,
	    AUTH_MEMBER | PHONE_SESSION | IDEMPOTENT },
	{ M_GET, "/api/v1/m/:merchant/me", member_me, AUTH_MEMBER },
	{ M_GET, "/api/v1/m/:merchant/me/card", member_card,
	    AUTH_MEMBER | AUTH_SELF },
	{ M_GET, "/api/v1/m/:merchant/tiers", member_tiers, 0 },
	{ 0, NULL, NULL, 0 }
};
