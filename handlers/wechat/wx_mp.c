/*
 * The merchant's WeChat apps, the token cache and the calls to WeChat's
 * server APIs: see wechat.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "httpc.h"
#include "wechat.h"

#define SEAL_SECRET	"wx.secret"
#define SEAL_TOKEN	"wx.token"
/* refreshed this long before WeChat's expiry; the old one is used meanwhile */
#define TOKEN_MARGIN_S	300
/* the claimant's lease: past it another may claim (a fetch takes at most
   WX_TIMEOUT_MS) */
#define LEASE_S		10
/* how long one without a valid value waits for the claimant's */
#define WAIT_MS		(2 * WX_TIMEOUT_MS + 1000)
#define POLL_MS		50

enum { AP_APPID, AP_SECRET, AP_NCOLS };
DB_SQL_COLS(q_app_get, AP_NCOLS,
    "SELECT appid, secret_sealed FROM wx_apps WHERE merchant_id = ?"
    " AND kind = ?");

enum { TK_VALUE, TK_FRESH, TK_VALID, TK_NCOLS };
DB_SQL_COLS(q_tok_get, TK_NCOLS,
    "SELECT value_sealed,"
    " expires_at > UTC_TIMESTAMP() + INTERVAL 300 SECOND,"
    " expires_at > UTC_TIMESTAMP()"
    " FROM wx_tokens WHERE merchant_id = ? AND appid = ? AND kind = ?");
DB_SQL(q_tok_seed,
    "INSERT IGNORE INTO wx_tokens (merchant_id, appid, kind)"
    " VALUES (?, ?, ?)");
/* claim when due (a refused value is due at once) and nobody holds an
   unexpired lease */
DB_SQL(q_tok_claim,
    "UPDATE wx_tokens SET lease_until = UTC_TIMESTAMP(3) + INTERVAL ? SECOND,"
    " lease_id = ? WHERE merchant_id = ? AND appid = ? AND kind = ?"
    " AND (lease_until IS NULL OR lease_until <= UTC_TIMESTAMP(3))"
    " AND (value_sealed IS NULL OR expires_at IS NULL"
    " OR expires_at <= UTC_TIMESTAMP() + INTERVAL 300 SECOND)");
DB_SQL(q_tok_store,
    "UPDATE wx_tokens SET value_sealed = ?,"
    " expires_at = UTC_TIMESTAMP() + INTERVAL ? SECOND,"
    " fetched_at = UTC_TIMESTAMP(), lease_until = NULL, lease_id = NULL"
    " WHERE merchant_id = ? AND appid = ? AND kind = ? AND lease_id = ?");
DB_SQL(q_tok_release,
    "UPDATE wx_tokens SET lease_until = NULL, lease_id = NULL"
    " WHERE merchant_id = ? AND appid = ? AND kind = ? AND lease_id = ?");
/* a value WeChat refused is no longer valid for anyone */
DB_SQL(q_tok_refused,
    "UPDATE wx_tokens SET expires_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND appid = ? AND kind = ? AND value_sealed = ?");

int
wx_app_get(struct req *r, const char *kind, const char **appid,
    const char **secret, int *found)
{
	struct db_res res;

	*found = 0;
	if (DB(r, &q_app_get, &res, DBI(r->m->id), DBS(kind)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || db_isnull(&res, 0, AP_SECRET))
		return 0;
	*appid = db_str(&res, 0, AP_APPID);
	*secret = secret_open(r->a, SEAL_SECRET, db_str(&res, 0, AP_SECRET),
	    NULL);
	if (*secret == NULL) {
		/* sealed under another APP_SECRET: as good as none */
		log_warn(r, "wx: merchant %lld %s secret does not open",
		    (long long)r->m->id, kind);
		return 0;
	}
	*found = 1;
	return 0;
}

static int
not_configured(struct req *r, const char *kind)
{
	return resp_err(r, 409, "not_configured", strcmp(kind, WX_MP) == 0 ?
	    "商户尚未接入微信小程序" : "商户尚未接入微信公众号", NULL);
}

static int
unavailable(struct req *r)
{
	resp_header(r, "Retry-After", "5");
	return resp_err(r, 503, "unavailable", "微信服务暂不可用，请稍后再试",
	    NULL);
}

/*
 * GET or POST url, the answer's JSON out (in the request's arena, as
 * every cJSON tree of a request is): 0, or the
 * error status recorded (503 when WeChat did not answer in time or not
 * with JSON).
 */
static int
wx_call(struct req *r, const char *method, const char *url, const char *body,
    cJSON **out)
{
	static const char *const json_hdr[] = {
		"Content-Type: application/json", NULL };
	struct httpc_resp resp;
	enum httpc_err e;
	cJSON *j;

	e = httpc_do(r->a, method, url, body ? json_hdr : NULL, body,
	    body ? strlen(body) : 0, WX_TIMEOUT_MS, &resp);
	if (e != HTTPC_OK) {
		log_warn(r, "wx: no answer (%s)", e == HTTPC_TIMEOUT ?
		    "timeout" : e == HTTPC_TOO_BIG ? "too big" : "unreachable");
		return unavailable(r);
	}
	if (resp.status != 200 || (j = cJSON_Parse(resp.body)) == NULL) {
		log_warn(r, "wx: HTTP %ld, not JSON", resp.status);
		return unavailable(r);
	}
	*out = j;
	return 0;
}

static int64_t
errcode_of(const cJSON *j)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "errcode");

	return cJSON_IsNumber(e) ? (int64_t)e->valuedouble : 0;
}

static const char *
str_of(const cJSON *j, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

/*
 * The status for WeChat's errcode e (not 0) on behalf of the client's code,
 * recorded. A stale token is reported as 503 here; callers that can
 * refresh it look at the fault first.
 */
static int
fault_status(struct req *r, const char *what, int64_t e, const cJSON *j)
{
	const char *msg = str_of(j, "errmsg");

	switch (wx_errcode_fault(e)) {
	case WX_FAULT_CODE:
		return resp_err(r, 400, "invalid_code",
		    "微信授权已失效，请重新进入小程序", "code");
	case WX_FAULT_RATE:
		log_warn(r, "wx: %s: errcode %lld (%s)", what, (long long)e,
		    msg ? msg : "");
		resp_header(r, "Retry-After", "60");
		return resp_err(r, 429, "too_many_requests",
		    "请求过于频繁，请稍后再试", NULL);
	case WX_FAULT_CONFIG:
		log_err(r, "wx: %s: merchant %lld: errcode %lld (%s): check "
		    "the appid and secret", what, (long long)r->m->id,
		    (long long)e, msg ? msg : "");
		return resp_err(r, 503, "unavailable",
		    "商户的微信配置有误，请联系商家", NULL);
	default:
		log_warn(r, "wx: %s: errcode %lld (%s)", what, (long long)e,
		    msg ? msg : "");
		return unavailable(r);
	}
}

/* ---- the token cache ---- */

/* Fetch a new value of kind for the app: value and lifetime out. */
static int
token_fetch(struct req *r, const char *app_kind, const char *kind,
    const char *appid, const char **value, int64_t *expires_in)
{
	const cJSON *ei;
	cJSON *j;
	int64_t e;
	int st;

	if (strcmp(kind, "access_token") == 0) {
		const char *secret;
		int found;

		if ((st = wx_app_get(r, app_kind, &appid, &secret, &found)) !=
		    0)
			return st;
		if (!found)
			return not_configured(r, app_kind);
		if ((st = wx_call(r, "GET", arena_printf(r->a,
		    "%s/cgi-bin/token?grant_type=client_credential&appid=%s"
		    "&secret=%s", cfg.wx_api_base, appid, secret), NULL, &j))
		    != 0)
			return st;
		*value = str_of(j, "access_token");
	} else {
		const char *at;

		if ((st = wx_cached(r, app_kind, "access_token", NULL, &at)) !=
		    0)
			return st;
		if ((st = wx_call(r, "GET", arena_printf(r->a,
		    "%s/cgi-bin/ticket/getticket?access_token=%s&type=jsapi",
		    cfg.wx_api_base, at), NULL, &j)) != 0)
			return st;
		if (wx_errcode_fault(errcode_of(j)) == WX_FAULT_TOKEN) {
			/* the token was refused: once more with a new one */
			if ((st = wx_cached(r, app_kind, "access_token", at,
			    &at)) != 0)
				return st;
			if ((st = wx_call(r, "GET", arena_printf(r->a,
			    "%s/cgi-bin/ticket/getticket?access_token=%s"
			    "&type=jsapi", cfg.wx_api_base, at), NULL, &j)) !=
			    0)
				return st;
		}
		*value = str_of(j, "ticket");
	}
	if ((e = errcode_of(j)) != 0)
		return fault_status(r, kind, e, j);
	ei = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	if (*value == NULL || strlen(*value) > 512 || !cJSON_IsNumber(ei) ||
	    ei->valuedouble < 1 || ei->valuedouble > 86400) {
		log_warn(r, "wx: %s: an answer without a value", kind);
		return unavailable(r);
	}
	*expires_in = (int64_t)ei->valuedouble;
	return 0;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
wx_cached(struct req *r, const char *app_kind, const char *kind,
    const char *stale, const char **value)
{
	const char *appid, *secret;
	int64_t deadline = time_mono_ms() + WAIT_MS;
	struct db_res res;
	int found, st, seeded = 0, valid;

	if ((st = wx_app_get(r, app_kind, &appid, &secret, &found)) != 0)
		return st;
	if (!found)
		return not_configured(r, app_kind);
	for (;;) {
		const char *sealed, *fresh = NULL, *lease;
		unsigned char raw[16];
		int64_t expires_in = 0;

		if (DB(r, &q_tok_get, &res, DBI(r->m->id), DBS(appid),
		    DBS(kind)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0) {
			if (seeded++ > 0)
				return resp_internal(r);
			if (DB(r, &q_tok_seed, NULL, DBI(r->m->id), DBS(appid),
			    DBS(kind)) != DB_OK)
				return db_fail(r);
			continue;
		}
		sealed = db_str(&res, 0, TK_VALUE);
		if (sealed != NULL) {
			fresh = secret_open(r->a, SEAL_TOKEN, sealed, NULL);
			if (stale != NULL && fresh != NULL &&
			    strcmp(fresh, stale) == 0) {
				/* refused: nobody may use it any more */
				if (DB(r, &q_tok_refused, NULL, DBI(r->m->id),
				    DBS(appid), DBS(kind), DBS(sealed)) !=
				    DB_OK)
					return db_fail(r);
				stale = NULL;
				continue;
			}
		}
		if (fresh != NULL && db_int(&res, 0, TK_FRESH)) {
			*value = fresh;
			return 0;
		}
		valid = fresh != NULL && db_int(&res, 0, TK_VALID);
		rand_bytes(raw, sizeof(raw));
		lease = hex_encode(r->a, raw, sizeof(raw));
		if (DB(r, &q_tok_claim, &res, DBI(LEASE_S), DBS(lease),
		    DBI(r->m->id), DBS(appid), DBS(kind)) != DB_OK)
			return db_fail(r);
		if (res.affected == 1) {
			const char *v = NULL;

			st = token_fetch(r, app_kind, kind, appid, &v,
			    &expires_in);
			if (st != 0) {
				(void)DB(r, &q_tok_release, NULL,
				    DBI(r->m->id), DBS(appid), DBS(kind),
				    DBS(lease));
				return st;
			}
			if (DB(r, &q_tok_store, &res, DBS(secret_seal(r->a,
			    SEAL_TOKEN, v, strlen(v))), DBI(expires_in),
			    DBI(r->m->id), DBS(appid), DBS(kind), DBS(lease)) !=
			    DB_OK)
				return db_fail(r);
			log_info(r, "wx: merchant %lld: new %s for %s, %lld s",
			    (long long)r->m->id, kind, appid,
			    (long long)expires_in);
			*value = v;
			return 0;
		}
		/* another holds the lease: the old value while it is valid */
		if (valid) {
			*value = fresh;
			return 0;
		}
		if (time_mono_ms() >= deadline) {
			log_warn(r, "wx: merchant %lld: no %s within %d ms",
			    (long long)r->m->id, kind, WAIT_MS);
			return unavailable(r);
		}
		sleep_ms(POLL_MS);
	}
}

/* ---- the calls ---- */

int
wx_code_session(struct req *r, const char *code, const char **appid,
    const char **openid, const char **unionid)
{
	const char *secret;
	cJSON *j;
	int64_t e;
	int found, st;

	if ((st = wx_app_get(r, WX_MP, appid, &secret, &found)) != 0)
		return st;
	if (!found)
		return not_configured(r, WX_MP);
	if ((st = wx_call(r, "GET", arena_printf(r->a,
	    "%s/sns/jscode2session?appid=%s&secret=%s&js_code=%s"
	    "&grant_type=authorization_code", cfg.wx_api_base, *appid, secret,
	    code), NULL, &j)) != 0)
		return st;
	if ((e = errcode_of(j)) != 0)
		return fault_status(r, "jscode2session", e, j);
	/* session_key stays here: nothing needs it, so it is not kept */
	*openid = str_of(j, "openid");
	*unionid = str_of(j, "unionid");
	if (*openid == NULL || strlen(*openid) > 64 ||
	    (*unionid != NULL && strlen(*unionid) > 64)) {
		log_warn(r, "wx: jscode2session: an answer without an openid");
		return unavailable(r);
	}
	return 0;
}

int
wx_phone_of_code(struct req *r, const char *code, const char **phone)
{
	const char *at, *cc, *body;
	const cJSON *pi;
	cJSON *j = NULL, *b;
	int64_t e = 0;
	int st, tries;

	b = j_obj();
	j_str(b, "code", code);
	body = cJSON_PrintUnformatted(b);
	if (body == NULL)
		return resp_internal(r);
	for (tries = 0, at = NULL; tries < 2; tries++) {
		if ((st = wx_cached(r, WX_MP, "access_token", at, &at)) != 0)
			return st;
		if ((st = wx_call(r, "POST", arena_printf(r->a,
		    "%s/wxa/business/getuserphonenumber?access_token=%s",
		    cfg.wx_api_base, at), body, &j)) != 0)
			return st;
		e = errcode_of(j);
		if (wx_errcode_fault(e) != WX_FAULT_TOKEN)
			break;
	}
	if (e != 0)
		return fault_status(r, "getuserphonenumber", e, j);
	pi = cJSON_GetObjectItemCaseSensitive(j, "phone_info");
	*phone = str_of(pi, "purePhoneNumber");
	cc = str_of(pi, "countryCode");
	if (*phone == NULL) {
		log_warn(r, "wx: getuserphonenumber: no phone in the answer");
		return unavailable(r);
	}
	if ((cc != NULL && strcmp(cc, "86") != 0) || !phone_valid(*phone))
		return resp_err(r, 400, "invalid_field",
		    "仅支持中国大陆手机号", "code");
	return 0;
}
