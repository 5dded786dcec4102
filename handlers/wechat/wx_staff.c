/*
 * The merchant's WeChat apps, set by the owner: the mini-program (sign-in
 * and phone) and the official account (the JS-SDK on H5 pages), each an
 * appid and its AppSecret. The secrets are sealed (secret_seal) and never
 * returned: the console sees whether one is set.
 */
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "wechat.h"

enum { WA_KIND, WA_APPID, WA_SET, WA_NCOLS };
DB_SQL_COLS(q_apps, WA_NCOLS,
    "SELECT kind, appid, secret_sealed IS NOT NULL FROM wx_apps"
    " WHERE merchant_id = ?");
enum { WL_APPID, WL_SECRET, WL_NCOLS };
DB_SQL_COLS(q_app_lock, WL_NCOLS,
    "SELECT appid, secret_sealed FROM wx_apps WHERE merchant_id = ?"
    " AND kind = ? FOR UPDATE");
DB_SQL(q_app_save,
    "INSERT INTO wx_apps (merchant_id, kind, appid, secret_sealed,"
    " updated_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP()) ON DUPLICATE KEY"
    " UPDATE appid = VALUES(appid), secret_sealed = VALUES(secret_sealed),"
    " updated_at = VALUES(updated_at)");
DB_SQL(q_app_delete,
    "DELETE FROM wx_apps WHERE merchant_id = ? AND kind = ?");
/* tokens of an app whose secret changed or that left are fetched anew */
DB_SQL(q_tokens_forget,
    "DELETE FROM wx_tokens WHERE merchant_id = ? AND appid = ?");

static const struct {
	const char	*key, *kind, *label;
} apps[] = {
	{ "mini_program", WX_MP, "小程序" },
	{ "official_account", WX_OA, "公众号" },
};
#define NAPPS	(sizeof(apps) / sizeof(apps[0]))

static cJSON *
settings_json(struct req *r)
{
	struct db_res res;
	cJSON *d;
	size_t i;
	int k;

	if (DB(r, &q_apps, &res, DBI(r->m->id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	d = j_obj();
	for (i = 0; i < NAPPS; i++) {
		cJSON *o = j_obj();
		int set = 0;

		j_null(o, "appid");
		for (k = 0; k < res.nrows; k++)
			if (strcmp(db_str(&res, k, WA_KIND), apps[i].kind) == 0) {
				cJSON_DeleteItemFromObject(o, "appid");
				j_str(o, "appid", db_str(&res, k, WA_APPID));
				set = db_int(&res, k, WA_SET) != 0;
			}
		j_bool(o, "secret_set", set);
		j_add(d, apps[i].key, o);
	}
	return d;
}

/* Out: {mini_program:{appid|null, secret_set}, official_account:{...}}. */
static int
wx_settings_get(struct req *r)
{
	cJSON *d = settings_json(r);

	return d == NULL ? r->status : resp_data(r, 200, d);
}

struct app_in {
	int		 given, remove;
	const char	*appid, *secret;	/* secret NULL: keep */
};

struct wx_put {
	struct app_in	 in[NAPPS];
};

static int
put_tx(struct req *r, void *arg)
{
	struct wx_put *p = arg;
	struct db_res res;
	size_t i;
	int st;

	for (i = 0; i < NAPPS; i++) {
		const struct app_in *a = &p->in[i];
		const char *old = NULL, *sealed;

		if (!a->given)
			continue;
		if (DB(r, &q_app_lock, &res, DBI(r->m->id),
		    DBS(apps[i].kind)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 1)
			old = db_str(&res, 0, WL_APPID);
		if (a->remove) {
			if (old == NULL)
				continue;
			if (DB(r, &q_app_delete, NULL, DBI(r->m->id),
			    DBS(apps[i].kind)) != DB_OK ||
			    DB(r, &q_tokens_forget, NULL, DBI(r->m->id),
			    DBS(old)) != DB_OK)
				return db_fail(r);
			if ((st = audit_log(r, "settings.wechat",
			    "merchant:wechat", arena_printf(r->a,
			    "{\"app\":\"%s\",\"removed\":true}", apps[i].key),
			    0)) != 0)
				return st;
			continue;
		}
		if (a->secret != NULL)
			sealed = secret_seal(r->a, "wx.secret", a->secret,
			    strlen(a->secret));
		else if (old != NULL && strcmp(old, a->appid) == 0 &&
		    !db_isnull(&res, 0, WL_SECRET))
			sealed = db_str(&res, 0, WL_SECRET);
		else
			return resp_bad_field(r, arena_printf(r->a, "%s.secret",
			    apps[i].key), arena_printf(r->a, "请填写%s的 AppSecret",
			    apps[i].label));
		if (DB(r, &q_app_save, NULL, DBI(r->m->id), DBS(apps[i].kind),
		    DBS(a->appid), DBS(sealed)) != DB_OK)
			return db_fail(r);
		if (old != NULL && (a->secret != NULL ||
		    strcmp(old, a->appid) != 0) && DB(r, &q_tokens_forget, NULL,
		    DBI(r->m->id), DBS(old)) != DB_OK)
			return db_fail(r);
		if ((st = audit_log(r, "settings.wechat", "merchant:wechat",
		    arena_printf(r->a, "{\"app\":\"%s\",\"appid\":\"%s\","
		    "\"secret_changed\":%s}", apps[i].key, a->appid,
		    a->secret != NULL ? "true" : "false"), 0)) != 0)
			return st;
	}
	return 200;
}

/*
 * In: {mini_program?, official_account?}, each {appid, secret?} (secret
 * may be left out to keep the one set for the same appid) or null to
 * disconnect the app; one left out stays as it is. Out: as GET.
 * Errors: invalid_field (mini_program.appid, ...secret). Writes: wx_apps,
 * wx_tokens (forgotten for a changed app), audit_log.
 */
static int
wx_settings_put(struct req *r)
{
	struct wx_put p;
	cJSON *d;
	size_t i;
	int st;

	memset(&p, 0, sizeof(p));
	if (req_json_body(r) == -1)
		return r->status;
	for (i = 0; i < NAPPS; i++) {
		cJSON *o = cJSON_GetObjectItemCaseSensitive(r->json,
		    apps[i].key), *v;
		struct app_in *a = &p.in[i];

		if (o == NULL)
			continue;
		a->given = 1;
		if (cJSON_IsNull(o)) {
			a->remove = 1;
			continue;
		}
		if (!cJSON_IsObject(o))
			return resp_bad_field(r, apps[i].key, arena_printf(r->a,
			    "%s的设置格式不正确", apps[i].label));
		v = cJSON_GetObjectItemCaseSensitive(o, "appid");
		if (!cJSON_IsString(v) || !wx_appid_ok(v->valuestring))
			return resp_bad_field(r, arena_printf(r->a, "%s.appid",
			    apps[i].key), arena_printf(r->a,
			    "%s的 AppID 应为 wx 开头的 18 位字符", apps[i].label));
		a->appid = v->valuestring;
		v = cJSON_GetObjectItemCaseSensitive(o, "secret");
		if (v != NULL && !cJSON_IsNull(v)) {
			if (!cJSON_IsString(v) || !wx_secret_ok(v->valuestring))
				return resp_bad_field(r, arena_printf(r->a,
				    "%s.secret", apps[i].key), arena_printf(r->a,
				    "%s的 AppSecret 应为 16 到 64 位字母或数字",
				    apps[i].label));
			a->secret = v->valuestring;
		}
	}
	if ((st = db_tx(r, put_tx, &p)) >= 400)
		return st;
	if ((d = settings_json(r)) == NULL)
		return r->status;
	return resp_data(r, 200, d);
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(wx_staff_routes) = {
	{ M_GET, BASE "/settings/wechat", wx_settings_get,
	    AUTH_STAFF | ROLE_OWNER },
	{ M_PUT, BASE "/settings/wechat", wx_settings_put,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ 0, NULL, NULL, 0 }
};
