/*
 * The merchant's WeChat Pay account (owner only): GET|PUT
 * staff/settings/wechatpay. GET never returns a secret: whether each is
 * set, the serials and the certificates' expiry, the notify URL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "wxpay.h"

DB_SQL(q_wxs_save,
    "INSERT INTO wxpay_settings (merchant_id, mchid, appid, cert_serial,"
    " private_key, apiv3_key, updated_at) VALUES (?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP()) ON DUPLICATE KEY UPDATE mchid = VALUES(mchid),"
    " appid = VALUES(appid), cert_serial = VALUES(cert_serial),"
    " private_key = VALUES(private_key), apiv3_key = VALUES(apiv3_key),"
    " updated_at = VALUES(updated_at)");
enum { WX_KEY, WX_V3, WX_NCOLS };
DB_SQL_COLS(q_wxs_secrets, WX_NCOLS,
    "SELECT private_key, apiv3_key FROM wxpay_settings"
    " WHERE merchant_id = ? FOR UPDATE");
DB_SQL(q_wxs_keys_clear,
    "DELETE FROM wxpay_platform_keys WHERE merchant_id = ?");
DB_SQL(q_wxs_key_add,
    "INSERT INTO wxpay_platform_keys (merchant_id, serial, kind, pem,"
    " expires_at) VALUES (?, ?, ?, ?, ?)");

static cJSON *
wxs_json(struct req *r, const struct wxpay_cfg *c)
{
	cJSON *d = j_obj(), *arr = j_arr();
	int i, cert = 0, pub = 0;

	j_bool(d, "configured", c->configured && c->private_key != NULL &&
	    c->apiv3_key != NULL && c->nkeys > 0);
	j_str(d, "mchid", c->configured ? c->mchid : NULL);
	j_str(d, "appid", c->configured ? c->appid : NULL);
	j_str(d, "cert_serial", c->configured ? c->cert_serial : NULL);
	j_bool(d, "private_key_set", c->private_key != NULL);
	j_bool(d, "apiv3_key_set", c->apiv3_key != NULL);
	for (i = 0; i < c->nkeys; i++) {
		cJSON *k = j_obj();

		j_str(k, "serial", c->keys[i].serial);
		j_str(k, "kind", c->keys[i].kind);
		j_str(k, "expires_at", c->keys[i].expires_at ?
		    time_rfc3339(r, c->keys[i].expires_at) : NULL);
		j_add(arr, NULL, k);
		if (strcmp(c->keys[i].kind, "certificate") == 0)
			cert = 1;
		else
			pub = 1;
	}
	j_add(d, "platform_keys", arr);
	j_str(d, "verify_mode", cert && pub ? "both" : pub ? "public_key" :
	    cert ? "certificate" : NULL);
	j_str(d, "notify_url", arena_printf(r->a,
	    "%s/api/v1/payments/notify/wechatpay/%s", cfg.public_url,
	    r->m->code));
	return d;
}

/* Out: {configured, mchid, appid, cert_serial, private_key_set,
   apiv3_key_set, platform_keys:[{serial, kind, expires_at}], verify_mode,
   notify_url}. */
static int
wxs_get(struct req *r)
{
	struct wxpay_cfg c;
	int st;

	if ((st = wxpay_cfg_load(r, &c)) != 0)
		return st;
	return resp_data(r, 200, wxs_json(r, &c));
}

struct wxs_put {
	const char	*mchid, *appid, *serial, *key, *v3;	/* key, v3 sealed
								   or NULL */
	int		 nkeys;
	struct wxpay_key keys[WXPAY_KEYS_MAX];
	int		 replace_keys;
};

static int
wxs_put_tx(struct req *r, void *arg)
{
	struct wxs_put *p = arg;
	struct db_res res;
	const char *key = p->key, *v3 = p->v3;
	int i;

	if (DB(r, &q_wxs_secrets, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (key == NULL && res.nrows == 1)
		key = db_str(&res, 0, WX_KEY);
	if (v3 == NULL && res.nrows == 1)
		v3 = db_str(&res, 0, WX_V3);
	if (key == NULL)
		return resp_bad_field(r, "private_key", "请填写商户API私钥");
	if (v3 == NULL)
		return resp_bad_field(r, "apiv3_key", "请填写APIv3密钥");
	if (DB(r, &q_wxs_save, NULL, DBI(r->m->id), DBS(p->mchid),
	    DBS(p->appid), DBS(p->serial), DBS(key), DBS(v3)) != DB_OK)
		return db_fail(r);
	if (p->replace_keys) {
		if (DB(r, &q_wxs_keys_clear, NULL, DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		for (i = 0; i < p->nkeys; i++)
			if (DB(r, &q_wxs_key_add, NULL, DBI(r->m->id),
			    DBS(p->keys[i].serial), DBS(p->keys[i].kind),
			    DBS(p->keys[i].pem), DBS(p->keys[i].expires_at)) !=
			    DB_OK)
				return db_fail(r);
	}
	return audit_log(r, "settings.wechatpay", "merchant:wechatpay",
	    arena_printf(r->a, "{\"mchid\":\"%s\",\"keys\":%d}", p->mchid,
	    p->nkeys), 0) != 0 ? r->status : 200;
}

static int
digits_ok(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
token_ok(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= 'a' && *s <= 'z') || *s == '_'))
			return 0;
	return 1;
}

/*
 * In: {mchid, appid, cert_serial, private_key? (PEM), apiv3_key? (32
 * characters), platform_keys?: [{pem, serial?}]} — a certificate names its
 * own serial, a public key needs its id (PUB_KEY_ID_...); private_key and
 * apiv3_key absent keep what is stored; platform_keys given replaces them
 * (both kinds at once during a switch). Out: as GET. Errors:
 * invalid_field. Writes: wxpay_settings, wxpay_platform_keys, audit.
 */
static int
wxs_put(struct req *r)
{
	struct wxs_put p;
	struct wxpay_cfg c;
	const char *key = NULL, *v3 = NULL, *kind, *serial, *exp;
	cJSON *arr, *it;
	int i, st;

	memset(&p, 0, sizeof(p));
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "mchid", 1, 1, 32, &p.mchid) == -1 ||
	    req_json_str(r, "appid", 1, 1, 32, &p.appid) == -1 ||
	    req_json_str(r, "cert_serial", 1, 1, 64, &p.serial) == -1 ||
	    req_json_str(r, "private_key", 0, 1, 8192, &key) == -1 ||
	    req_json_str(r, "apiv3_key", 0, 1, 64, &v3) == -1)
		return r->status;
	if (!digits_ok(p.mchid))
		return resp_bad_field(r, "mchid", "商户号应为数字");
	if (!token_ok(p.appid))
		return resp_bad_field(r, "appid", "应用号格式不正确");
	if (!token_ok(p.serial))
		return resp_bad_field(r, "cert_serial", "证书序列号格式不正确");
	if (key != NULL) {
		if (wxpay_pem_inspect(r->a, key, &kind, &serial, &exp) != 0 ||
		    strcmp(kind, "private_key") != 0)
			return resp_bad_field(r, "private_key",
			    "商户API私钥无法读取，请粘贴 apiclient_key.pem 的"
			    "全部内容");
		if ((p.key = secret_seal(r->a, "wxpay.key", key, strlen(key)))
		    == NULL)
			return resp_internal(r);
	}
	if (v3 != NULL) {
		if (strlen(v3) != 32)
			return resp_bad_field(r, "apiv3_key",
			    "APIv3密钥应为32个字符");
		if ((p.v3 = secret_seal(r->a, "wxpay.v3", v3, 32)) == NULL)
			return resp_internal(r);
	}
	arr = cJSON_GetObjectItem(r->json, "platform_keys");
	if (arr != NULL && !cJSON_IsNull(arr)) {
		if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
		    cJSON_GetArraySize(arr) > WXPAY_KEYS_MAX)
			return resp_bad_field(r, "platform_keys",
			    "请提供1到4个平台证书或微信支付公钥");
		p.replace_keys = 1;
		cJSON_ArrayForEach(it, arr) {
			const char *pem = NULL, *id = NULL;
			const char *f = arena_printf(r->a,
			    "platform_keys[%d]", p.nkeys);

			if (!cJSON_IsObject(it) || !cJSON_IsString(
			    cJSON_GetObjectItem(it, "pem")))
				return resp_bad_field(r, f,
				    "请粘贴平台证书或微信支付公钥");
			pem = cJSON_GetObjectItem(it, "pem")->valuestring;
			if (cJSON_IsString(cJSON_GetObjectItem(it, "serial")))
				id = cJSON_GetObjectItem(it,
				    "serial")->valuestring;
			if (strlen(pem) > 8192 || wxpay_pem_inspect(r->a, pem,
			    &kind, &serial, &exp) != 0 ||
			    strcmp(kind, "private_key") == 0)
				return resp_bad_field(r, f,
				    "平台证书或微信支付公钥无法读取");
			if (strcmp(kind, "public_key") == 0) {
				if (id == NULL || strncmp(id, "PUB_KEY_ID_",
				    11) != 0 || strlen(id) > 64 ||
				    !token_ok(id))
					return resp_bad_field(r, arena_printf(
					    r->a, "%s.serial", f),
					    "请填写微信支付公钥ID（PUB_KEY_ID_开头）");
				serial = id;
			}
			for (i = 0; i < p.nkeys; i++)
				if (strcmp(p.keys[i].serial, serial) == 0)
					return resp_bad_field(r, f,
					    "平台证书或公钥重复");
			p.keys[p.nkeys].serial = serial;
			p.keys[p.nkeys].kind = kind;
			p.keys[p.nkeys].pem = pem;
			p.keys[p.nkeys].expires_at = exp;
			p.nkeys++;
		}
	}
	st = db_tx(r, wxs_put_tx, &p);
	if (st >= 400)
		return st;
	if ((st = wxpay_cfg_load(r, &c)) != 0)
		return st;
	return resp_data(r, 200, wxs_json(r, &c));
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(wxpay_staff_routes) = {
	{ M_GET, BASE "/settings/wechatpay", wxs_get, AUTH_STAFF | ROLE_OWNER },
	{ M_PUT, BASE "/settings/wechatpay", wxs_put,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ 0, NULL, NULL, 0 }
};
