/*
 * The member: joining (and what it sets off, through EV_MEMBER_JOINED),
 * /me, and the referral code each member has.
 */
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member.h"

enum { RM_ID, RM_PHONE, RM_NCOLS };
DB_SQL_COLS(q_ref_member, RM_NCOLS,
    "SELECT id, phone FROM members WHERE merchant_id = ? AND id = ?");
enum { MP_ID, MP_NCOLS };
DB_SQL_COLS(q_member_id_by_phone, MP_NCOLS,
    "SELECT id FROM members WHERE merchant_id = ? AND phone = ?");
DB_SQL(q_member_insert,
    "INSERT INTO members (merchant_id, phone, name, birthday, gender,"
    " card_no, channel, referral_code, referrer_id, joined_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
enum { MG_ID, MG_PHONE, MG_NAME, MG_BIRTHDAY, MG_GENDER, MG_JOINED,
    MG_CARD_NO, MG_CHANNEL, MG_BLOCKED, MG_PIN, MG_NCOLS };
DB_SQL_COLS(q_member_get, MG_NCOLS,
    "SELECT id, phone, name, birthday, gender, joined_at, card_no, channel,"
    " blocked_at IS NOT NULL, pin_hash IS NOT NULL"
    " FROM members WHERE merchant_id = ? AND id = ?");

cJSON *
member_get_json(struct req *r, int64_t id, int *found)
{
	struct db_res res;
	char masked[16];
	cJSON *m;

	if (found != NULL)
		*found = 1;
	if (DB(r, &q_member_get, &res, DBI(r->m->id), DBI(id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	if (res.nrows == 0) {
		if (found != NULL)
			*found = 0;
		return NULL;
	}
	phone_mask(db_str(&res, 0, MG_PHONE), masked, sizeof(masked));
	m = j_obj();
	j_int(m, "id", db_int(&res, 0, MG_ID));
	j_str(m, "phone_masked", masked);
	j_str(m, "name", db_str(&res, 0, MG_NAME));
	j_str(m, "birthday", db_str(&res, 0, MG_BIRTHDAY));
	j_str(m, "gender", db_str(&res, 0, MG_GENDER));
	j_str(m, "joined_at", time_rfc3339(r, db_str(&res, 0, MG_JOINED)));
	j_str(m, "card_no", db_str(&res, 0, MG_CARD_NO));
	j_str(m, "channel", db_str(&res, 0, MG_CHANNEL));
	/* frozen by staff: pays and claims nothing (member_status.c) */
	j_bool(m, "blocked", db_int(&res, 0, MG_BLOCKED) != 0);
	j_bool(m, "pin_set", db_int(&res, 0, MG_PIN) != 0);
	return m;
}

int
member_id_by_phone(struct req *r, const char *phone, int64_t *id)
{
	struct db_res res;

	*id = 0;
	if (DB(r, &q_member_id_by_phone, &res, DBI(r->m->id), DBS(phone)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows != 0)
		*id = db_int(&res, 0, MP_ID);
	return 0;
}

/* ---- referral codes ---- */

static void
referral_key(unsigned char key[32])
{
	crypto_kdf_derive_from_key(key, 32, 1, "referral", cfg.secret);
}

const char *
referral_code(struct req *r, int64_t member_id)
{
	unsigned char key[32];
	char *code = arena_alloc(r->a, REFERRAL_CODE_LEN + 1);

	referral_key(key);
	referral_encode(key, (uint32_t)r->m->id, (uint32_t)member_id, code);
	sodium_memzero(key, sizeof(key));
	return code;
}

int
referral_check(const char *code, uint32_t *merchant, uint32_t *member)
{
	unsigned char key[32];
	int rc;

	referral_key(key);
	rc = referral_decode(key, code, merchant, member);
	sodium_memzero(key, sizeof(key));
	return rc;
}

int
referral_resolve(struct req *r, const char *code, int64_t *referrer)
{
	uint32_t mid, member;
	struct db_res res;

	if (referral_check(code, &mid, &member) == -1 ||
	    (int64_t)mid != r->m->id)
		return resp_bad_field(r, "referral_code", "推荐码无效");
	if (DB(r, &q_ref_member, &res, DBI(r->m->id), DBI(member)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_bad_field(r, "referral_code", "推荐人不存在");
	*referrer = member;
	return 0;
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
 * meanwhile makes it "already a member"), then what joining sets off
 * (EV_MEMBER_JOINED: the referral, a campaign's gift pack), all in one
 * transaction.
 */
static int
join_tx(struct req *r, void *arg)
{
	struct join *j = arg;
	struct member_joined ev;
	struct db_res res;
	int tries, rc = DB_ERR, st;

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
		if ((st = member_id_by_phone(r, r->auth.phone, &j->id)) != 0)
			return st;
		if (j->id != 0)
			return 200;	/* already a member: nothing changes */
	}
	if (rc != DB_OK)
		return db_fail(r);
	j->id = (int64_t)res.insert_id;
	j->created = 1;
	ev.member_id = j->id;
	ev.referrer_id = j->referrer;
	ev.channel = j->channel;
	if ((st = event_emit(r, EV_MEMBER_JOINED, &ev)) != 0)
		return st;
	return 201;
}

/*
 * Join as a member (idempotent per phone).
 * In: {name?, birthday?, gender?, referral_code?, channel?}; without a
 * referral_code in the body, the one a referral link left in the ref
 * cookie counts. Out: 201 {member, created:true}, or 200 {member,
 * created:false} when already a member (nothing changed). Errors:
 * invalid_field (a forged or unknown referral code too), 409 phone_required
 * (a WeChat session before auth/wx-phone). Writes: members,
 * referrals and their rewards, a campaign's gift pack.
 */
static int
member_join(struct req *r)
{
	struct join j;
	cJSON *d, *m;
	char today[20];
	int found, st;

	memset(&j, 0, sizeof(j));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "name", 0, 1, 32, &j.name) == -1 ||
	    req_json_str(r, "birthday", 0, 10, 10, &j.birthday) == -1 ||
	    req_json_str(r, "gender", 0, 1, 8, &j.gender) == -1 ||
	    req_json_str(r, "referral_code", 0, 1, 64, &j.ref) == -1 ||
	    req_json_str(r, "channel", 0, 1, 64, &j.channel) == -1)
		return r->status;
	/* up to the merchant's today */
	time_sql(time_now() + tz_offset(r->m->tz), today);
	today[10] = '\0';
	if (j.birthday != NULL && !date_valid(j.birthday, today))
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
	/* signed in by WeChat, the phone not yet bound (auth/wx-phone) */
	if (r->auth.phone == NULL)
		return resp_err(r, 409, "phone_required",
		    "请先授权手机号再开卡", NULL);
	if (j.ref == NULL && r->auth.via_cookie) {
		const char *c = req_cookie(r, "ref", 0);

		if (c != NULL && referral_resolve(r, c, &j.referrer) == 0)
			j.ref = c;
		resp_reset(r);	/* a stale cookie is no error of this call */
	} else if (j.ref != NULL &&
	    (st = referral_resolve(r, j.ref, &j.referrer)) != 0)
		return st;
	if (j.channel == NULL)
		j.channel = j.ref != NULL ? "referral" : "organic";
	st = db_tx(r, join_tx, &j);
	if (st >= 400)
		return st;
done:
	/* just joined, or the session's member: absent only by a fault */
	m = member_get_json(r, j.id, &found);
	if (!found)
		return resp_internal(r);
	if (m == NULL)
		return r->status;
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
	int found;

	m = member_get_json(r, r->auth.member_id, &found);
	if (!found)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	if (m == NULL)
		return r->status;
	d = j_obj();
	j_add(d, "member", m);
	return resp_data(r, 200, d);
}

ROUTES(member_routes) = {
	{ M_POST, "/api/v1/m/:merchant/members", member_join,
	    AUTH_MEMBER | PHONE_SESSION | IDEMPOTENT },
	{ M_GET, "/api/v1/m/:merchant/me", member_me, AUTH_MEMBER },
	{ 0, NULL, NULL, 0 }
};
