/*
 * WeChat for members: sign-in from the mini-program (auth/wx-login), the
 * phone from getPhoneNumber (auth/wx-phone), and the JS-SDK signature H5
 * pages opened inside WeChat configure wx with (wx/jssdk-config).
 *
 * Who is who: a WeChat identity (wx_identities: appid + openid) signs in
 * its member. An identity without one gets a session without a phone; once
 * getPhoneNumber proves a phone, the member with that phone (joined by SMS
 * or at the counter) is the identity's member, or the session may join
 * with that phone (POST /members). A member keeps one identity per app:
 * binding the phone from another WeChat account moves it there.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "wechat.h"

#define WX_SESSION_S	(30L * 24 * 3600)
#define URL_MAX		1024

DB_SQL(q_id_upsert,
    "INSERT INTO wx_identities (merchant_id, appid, openid, unionid,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE"
    " unionid = COALESCE(VALUES(unionid), unionid)");
enum { ID_ID, ID_MEMBER, ID_PHONE, ID_MPHONE, ID_APPID, ID_NCOLS };
DB_SQL_COLS(q_id_get, ID_NCOLS,
    "SELECT i.id, i.member_id, i.phone, mb.phone, i.appid"
    " FROM wx_identities i LEFT JOIN members mb"
    " ON mb.merchant_id = i.merchant_id AND mb.id = i.member_id"
    " WHERE i.merchant_id = ? AND i.appid = ? AND i.openid = ? FOR UPDATE");
DB_SQL_COLS(q_id_lock, ID_NCOLS,
    "SELECT i.id, i.member_id, i.phone, mb.phone, i.appid"
    " FROM wx_identities i LEFT JOIN members mb"
    " ON mb.merchant_id = i.merchant_id AND mb.id = i.member_id"
    " WHERE i.merchant_id = ? AND i.id = ? FOR UPDATE");
enum { UN_MEMBER, UN_PHONE, UN_NCOLS };
DB_SQL_COLS(q_id_by_union, UN_NCOLS,
    "SELECT i.member_id, mb.phone FROM wx_identities i JOIN members mb"
    " ON mb.merchant_id = i.merchant_id AND mb.id = i.member_id"
    " WHERE i.merchant_id = ? AND i.unionid = ? AND i.id <> ? LIMIT 1");
/* the member and its phone on the identity (one identity per app) */
DB_SQL(q_id_unlink_others,
    "UPDATE wx_identities SET member_id = NULL, phone = NULL,"
    " updated_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND appid = ?"
    " AND member_id = ? AND id <> ?");
DB_SQL(q_id_bind,
    "UPDATE wx_identities SET member_id = ?, phone = ?,"
    " updated_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND id = ?");
DB_SQL(q_sess_wx,
    "UPDATE sessions SET wx_identity_id = ? WHERE merchant_id = ?"
    " AND token_hash = ?");
enum { SI_IDENT, SI_NCOLS };
DB_SQL_COLS(q_sess_ident, SI_NCOLS,
    "SELECT wx_identity_id FROM sessions WHERE merchant_id = ? AND id = ?");
/* every live session of the identity gets the phone and its member */
DB_SQL(q_sess_bind,
    "UPDATE sessions SET phone = ?, member_id = ? WHERE merchant_id = ?"
    " AND wx_identity_id = ? AND kind = 'member' AND revoked_at IS NULL"
    " AND expires_at > UTC_TIMESTAMP()");

/* ---- auth/wx-login ---- */

struct wx_login {
	const char	*appid, *openid, *unionid;
	const char	*phone;		/* the session's: the member's, or proved */
	int64_t		 member_id;
	const char	*token, *expires;
};

/*
 * The identity (made on first sight), its member found by the phone it
 * proved or by a unionid another of the merchant's apps knows, and the
 * session.
 */
static int
login_tx(struct req *r, void *arg)
{
	struct wx_login *l = arg;
	struct db_res res;
	int64_t ident;
	int st;

	if (DB(r, &q_id_upsert, NULL, DBI(r->m->id), DBS(l->appid),
	    DBS(l->openid), DBS(l->unionid)) != DB_OK ||
	    DB(r, &q_id_get, &res, DBI(r->m->id), DBS(l->appid),
	    DBS(l->openid)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	ident = db_int(&res, 0, ID_ID);
	l->member_id = db_int(&res, 0, ID_MEMBER);
	l->phone = l->member_id ? db_str(&res, 0, ID_MPHONE) :
	    db_str(&res, 0, ID_PHONE);
	if (l->member_id == 0 && l->phone != NULL) {
		if ((st = member_id_by_phone(r, l->phone, &l->member_id)) != 0)
			return st;
	} else if (l->member_id == 0 && l->unionid != NULL) {
		if (DB(r, &q_id_by_union, &res, DBI(r->m->id),
		    DBS(l->unionid), DBI(ident)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 1) {
			l->member_id = db_int(&res, 0, UN_MEMBER);
			l->phone = db_str(&res, 0, UN_PHONE);
		}
	}
	if (l->member_id != 0) {
		if (DB(r, &q_id_unlink_others, NULL, DBI(r->m->id),
		    DBS(l->appid), DBI(l->member_id), DBI(ident)) != DB_OK ||
		    DB(r, &q_id_bind, NULL, DBI(l->member_id), DBS(l->phone),
		    DBI(r->m->id), DBI(ident)) != DB_OK)
			return db_fail(r);
	}
	if ((st = session_create(r, "member", l->phone, 0, WX_SESSION_S,
	    &l->token, &l->expires, NULL)) != 0)
		return st;
	if (DB(r, &q_sess_wx, NULL, DBI(ident), DBI(r->m->id),
	    DBS(hash_hex(r, l->token, strlen(l->token)))) != DB_OK)
		return db_fail(r);
	return 200;
}

/*
 * Sign in from the mini-program with wx.login's code.
 * In: {code}. Out: {token, expires_at, member|null, phone_bound}; sets sid.
 * A known openid signs its member in; an unknown one gets a session that
 * binds the phone (auth/wx-phone), then joins (POST /members).
 * Errors: invalid_field, 400 invalid_code (invalid or used), 429
 * too_many_requests, 503 unavailable (WeChat slow or down), 409
 * not_configured. Writes: wx_identities, sessions.
 */
static int
wx_login(struct req *r)
{
	struct wx_login l;
	const char *code;
	cJSON *d;
	int st;

	memset(&l, 0, sizeof(l));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "code", 1, 1, 128, &code) == -1)
		return r->status;
	if (!wx_code_ok(code))
		return resp_bad_field(r, "code", "授权码格式不正确");
	/* WeChat first, outside any transaction */
	if ((st = wx_code_session(r, code, &l.appid, &l.openid, &l.unionid)) !=
	    0)
		return st;
	if ((st = db_tx(r, login_tx, &l)) >= 400)
		return st;
	d = j_obj();
	j_str(d, "token", l.token);
	j_str(d, "expires_at", l.expires);
	if (l.member_id != 0) {
		cJSON *m = member_get_json(r, l.member_id, NULL);

		if (m == NULL)
			return r->status;
		j_add(d, "member", m);
	} else
		j_null(d, "member");
	j_bool(d, "phone_bound", l.phone != NULL);
	resp_cookie(r, "sid", l.token, "/", WX_SESSION_S);
	return resp_data(r, 200, d);
}

/* ---- auth/wx-phone ---- */

struct wx_bind {
	int64_t		 ident, member_id;
	const char	*phone;
};

static int
bind_tx(struct req *r, void *arg)
{
	struct wx_bind *b = arg;
	struct db_res res;
	const char *appid;
	int64_t had;
	int st;

	if (DB(r, &q_id_lock, &res, DBI(r->m->id), DBI(b->ident)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1)
		return resp_err(r, 409, "wx_login_required",
		    "请先通过微信登录", NULL);
	had = db_int(&res, 0, ID_MEMBER);
	appid = db_str(&res, 0, ID_APPID);
	if ((st = member_id_by_phone(r, b->phone, &b->member_id)) != 0)
		return st;
	/* a member's phone never changes: another phone is another person */
	if (had != 0 && had != b->member_id)
		return resp_err(r, 409, "conflict",
		    "该微信已绑定其他手机号的会员", NULL);
	if (b->member_id != 0 && DB(r, &q_id_unlink_others, NULL,
	    DBI(r->m->id), DBS(appid), DBI(b->member_id), DBI(b->ident)) !=
	    DB_OK)
		return db_fail(r);
	if (DB(r, &q_id_bind, NULL, DBIN(b->member_id, b->member_id != 0),
	    DBS(b->phone), DBI(r->m->id), DBI(b->ident)) != DB_OK ||
	    DB(r, &q_sess_bind, NULL, DBS(b->phone),
	    DBIN(b->member_id, b->member_id != 0), DBI(r->m->id),
	    DBI(b->ident)) != DB_OK)
		return db_fail(r);
	return 200;
}

/*
 * Bind the phone getPhoneNumber proved to the session's WeChat identity.
 * In: {code}. Out: {phone_masked, member|null}: the member with that phone
 * (joined by SMS or at the counter) is now this WeChat's member and the
 * session signs it in; with none, the session may join with that phone.
 * Errors: invalid_field, 400 invalid_code, 409 wx_login_required (not a
 * session of auth/wx-login), 409 conflict (this WeChat is another phone's
 * member), 429, 503. Writes: wx_identities, sessions.
 */
static int
wx_phone(struct req *r)
{
	struct wx_bind b;
	struct db_res res;
	const char *code;
	char masked[16];
	cJSON *d;
	int st;

	memset(&b, 0, sizeof(b));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "code", 1, 1, 128, &code) == -1)
		return r->status;
	if (!wx_code_ok(code))
		return resp_bad_field(r, "code", "授权码格式不正确");
	if (DB(r, &q_sess_ident, &res, DBI(r->m->id),
	    DBI(r->auth.session_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows != 1 || db_isnull(&res, 0, SI_IDENT))
		return resp_err(r, 409, "wx_login_required",
		    "请先通过微信登录", NULL);
	b.ident = db_int(&res, 0, SI_IDENT);
	if ((st = wx_phone_of_code(r, code, &b.phone)) != 0)
		return st;
	if ((st = db_tx(r, bind_tx, &b)) >= 400)
		return st;
	d = j_obj();
	phone_mask(b.phone, masked, sizeof(masked));
	j_str(d, "phone_masked", masked);
	if (b.member_id != 0) {
		cJSON *m = member_get_json(r, b.member_id, NULL);

		if (m == NULL)
			return r->status;
		j_add(d, "member", m);
	} else
		j_null(d, "member");
	return resp_data(r, 200, d);
}

/* ---- wx/jssdk-config ---- */

/*
 * Whether url is one of this merchant's pages: on PUBLIC_URL's site,
 * under /m/{merchant}.
 */
static int
url_is_merchants(struct req *r, const char *url)
{
	const char *p = strstr(url, "://"), *path;
	size_t bl, n;

	if (!wx_url_on_site(url, cfg.public_url))
		return 0;
	path = p + 3 + strcspn(p + 3, "/?#");
	/* PUBLIC_URL's own path, if it has one, comes first */
	p = strstr(cfg.public_url, "://");
	p += 3 + strcspn(p + 3, "/");
	bl = strlen(p);
	while (bl > 0 && p[bl - 1] == '/')
		bl--;
	path += bl;
	if (strncmp(path, "/m/", 3) != 0)
		return 0;
	/* no dot segments: the path is the page's as the browser has it */
	p = arena_strndup(r->a, path, strcspn(path, "?#"));
	if (strstr(p, "/.") != NULL || strcasestr(p, "%2e") != NULL)
		return 0;
	n = strlen(r->m->code);
	return strncmp(path + 3, r->m->code, n) == 0 &&
	    strchr("/?#", path[3 + n]) != NULL;
}

/*
 * The JS-SDK configuration for a page of the merchant's opened inside
 * WeChat. In: ?url= (the page's URL; any #fragment is dropped). Out:
 * {appId, timestamp, nonceStr, signature}. Errors: 400 invalid_field url
 * (missing, or not this merchant's page), 409 not_configured (no official
 * account), 429, 503.
 */
static int
wx_jssdk_config(struct req *r)
{
	static const char alnum[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	const char *url = req_query(r, "url"), *ticket, *appid, *secret;
	char nonce[17], sig[41];
	int64_t ts;
	cJSON *d;
	int found, st, i;

	if (url == NULL || url[0] == '\0')
		return resp_bad_field(r, "url", "缺少页面地址");
	if (strlen(url) > URL_MAX || !url_is_merchants(r, url))
		return resp_bad_field(r, "url", "只能为本商户的页面签名");
	if ((st = wx_cached(r, WX_OA, "jsapi_ticket", NULL, &ticket)) != 0)
		return st;
	if ((st = wx_app_get(r, WX_OA, &appid, &secret, &found)) != 0)
		return st;
	if (!found)
		return resp_err(r, 409, "not_configured",
		    "商户尚未接入微信公众号", NULL);
	for (i = 0; i < 16; i++)
		nonce[i] = alnum[rand_uniform(sizeof(alnum) - 1)];
	nonce[16] = '\0';
	ts = time_now();
	if (wx_jssdk_sign(ticket, nonce, ts, url, sig) == -1)
		return resp_internal(r);
	d = j_obj();
	j_str(d, "appId", appid);
	j_int(d, "timestamp", ts);
	j_str(d, "nonceStr", nonce);
	j_str(d, "signature", sig);
	resp_header(r, "Cache-Control", "no-store");
	return resp_data(r, 200, d);
}

ROUTES(wx_routes) = {
	{ M_POST, "/api/v1/m/:merchant/auth/wx-login", wx_login, 0 },
	{ M_POST, "/api/v1/m/:merchant/auth/wx-phone", wx_phone,
	    AUTH_MEMBER | PHONE_SESSION },
	{ M_GET, "/api/v1/m/:merchant/wx/jssdk-config", wx_jssdk_config, 0 },
	{ 0, NULL, NULL, 0 }
};
