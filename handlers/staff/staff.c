/*
 * Staff sign-in and sign-out, the signed-in staff member and its stores,
 * staff management by owners and the audit log listing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"

#define STAFF_SESSION_S		(12L * 3600)
#define LOGIN_MAX_FAILS		5
#define LOCK_S			(15 * 60)
#define PASSWORD_MIN		8
#define PASSWORD_MAX		64
#define STAFF_STORES_MAX	50

/*
 * An argon2id hash of a random password, verified against when the
 * username is unknown so that the answer takes as long as for a real one.
 */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$Zgf7HK2b0dUSfEL3iEgOvg$"
    "PhNBhTJ+p+wvGLosRsHwhtyMYMOSI9r+XeIonQMPpMc";

enum { SU_ID, SU_NAME, SU_ROLE, SU_HASH, SU_DISABLED, SU_LOCKED, SU_WAIT,
    SU_NCOLS };
DB_SQL_COLS(q_staff_by_username, SU_NCOLS,
    "SELECT id, name, role, password_hash, disabled,"
    " locked_until IS NOT NULL AND locked_until > UTC_TIMESTAMP(),"
    " TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), locked_until)"
    " FROM staff WHERE merchant_id = ? AND username = ?");
/* Count a failure; the fifth in a row locks and starts the count over. */
DB_SQL(q_staff_fail,
    "UPDATE staff SET"
    " locked_until = IF(failed_logins + 1 >= ?,"
    "  UTC_TIMESTAMP() + INTERVAL ? SECOND, NULL),"
    " failed_logins = IF(failed_logins + 1 >= ?, 0, failed_logins + 1)"
    " WHERE id = ? AND merchant_id = ?"
    " AND (locked_until IS NULL OR locked_until <= UTC_TIMESTAMP())");
enum { LS_FAILS, LS_LOCKED, LS_NCOLS };
DB_SQL_COLS(q_staff_lock_state, LS_NCOLS,
    "SELECT failed_logins, locked_until IS NOT NULL"
    " AND locked_until > UTC_TIMESTAMP() FROM staff WHERE id = ?");
/* Success: always changes the row (login_count), unless locked meanwhile. */
DB_SQL(q_staff_ok,
    "UPDATE staff SET failed_logins = 0, locked_until = NULL,"
    " last_login_at = UTC_TIMESTAMP(), login_count = login_count + 1"
    " WHERE id = ? AND merchant_id = ?"
    " AND (locked_until IS NULL OR locked_until <= UTC_TIMESTAMP())");
DB_SQL(q_staff_session_revoke,
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND merchant_id = ? AND revoked_at IS NULL");
DB_SQL(q_staff_sessions_revoke_all,
    "UPDATE sessions SET revoked_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND kind = 'staff' AND staff_id = ?"
    " AND id <> ? AND revoked_at IS NULL");
/* q_stores_all and q_stores_of_staff */
enum { SS_ID, SS_NAME, SS_ADDRESS, SS_PHONE, SS_KIND, SS_NCOLS };
DB_SQL_COLS(q_stores_all, SS_NCOLS,
    "SELECT id, name, address, phone, kind FROM stores WHERE merchant_id = ?"
    " AND active = 1 AND kind = 'own' ORDER BY id");
DB_SQL_COLS(q_stores_of_staff, SS_NCOLS,
    "SELECT s.id, s.name, s.address, s.phone, s.kind FROM staff_stores ss"
    " JOIN stores s ON s.id = ss.store_id"
    " WHERE ss.staff_id = ? AND s.merchant_id = ? AND s.active = 1"
    " AND s.kind = IF(? = 'partner', 'partner', 'own') ORDER BY s.id");
/* q_staff_get and q_staff_list: an account */
enum { SA_ID, SA_USERNAME, SA_NAME, SA_ROLE, SA_DISABLED, SA_FAILS,
    SA_LOCKED, SA_LAST_LOGIN, SA_CREATED, SA_NCOLS };
DB_SQL_COLS(q_staff_get, SA_NCOLS,
    "SELECT id, username, name, role, disabled, failed_logins,"
    " locked_until IS NOT NULL AND locked_until > UTC_TIMESTAMP(),"
    " last_login_at, created_at"
    " FROM staff WHERE merchant_id = ? AND id = ?");
DB_SQL_COLS(q_staff_list, SA_NCOLS,
    "SELECT id, username, name, role, disabled, failed_logins,"
    " locked_until IS NOT NULL AND locked_until > UTC_TIMESTAMP(),"
    " last_login_at, created_at"
    " FROM staff WHERE merchant_id = ? AND id > ? ORDER BY id LIMIT ?");
enum { SI_STORE, SI_NCOLS };
DB_SQL_COLS(q_staff_store_ids, SI_NCOLS,
    "SELECT ss.store_id FROM staff_stores ss"
    " JOIN stores s ON s.id = ss.store_id"
    " WHERE ss.staff_id = ? AND s.merchant_id = ? ORDER BY ss.store_id");
enum { SV_KIND, SV_NCOLS };
DB_SQL_COLS(q_store_active, SV_NCOLS,
    "SELECT kind FROM stores WHERE id = ? AND merchant_id = ? AND active = 1");
enum { SK_PARTNER, SK_OWN, SK_NCOLS };
DB_SQL_COLS(q_staff_store_kinds, SK_NCOLS,
    "SELECT COALESCE(SUM(s.kind = 'partner'), 0),"
    " COALESCE(SUM(s.kind = 'own'), 0) FROM staff_stores ss"
    " JOIN stores s ON s.id = ss.store_id"
    " WHERE ss.staff_id = ? AND s.merchant_id = ?");
DB_SQL(q_staff_insert,
    "INSERT INTO staff (merchant_id, username, name, role, password_hash,"
    " created_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_staff_store_add,
    "INSERT IGNORE INTO staff_stores (staff_id, store_id) VALUES (?, ?)");
DB_SQL(q_staff_stores_clear,
    "DELETE FROM staff_stores WHERE staff_id = ?");
DB_SQL(q_staff_set_name,
    "UPDATE staff SET name = ? WHERE id = ? AND merchant_id = ?");
DB_SQL(q_staff_set_role,
    "UPDATE staff SET role = ? WHERE id = ? AND merchant_id = ?");
DB_SQL(q_staff_set_disabled,
    "UPDATE staff SET disabled = ? WHERE id = ? AND merchant_id = ?");
DB_SQL(q_staff_set_password,
    "UPDATE staff SET password_hash = ?, failed_logins = 0,"
    " locked_until = NULL WHERE id = ? AND merchant_id = ?");
/* q_audit_list and q_audit_list_action */
enum { AU_ID, AU_AT, AU_STAFF, AU_STAFF_NAME, AU_STORE, AU_ACTION,
    AU_TARGET, AU_DETAIL, AU_REQUEST, AU_NCOLS };
DB_SQL_COLS(q_audit_list, AU_NCOLS,
    "SELECT a.id, a.at, a.staff_id, st.name, a.store_id, a.action,"
    " a.target, a.detail, a.request_id"
    " FROM audit_log a LEFT JOIN staff st ON st.id = a.staff_id"
    " WHERE a.merchant_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?");
DB_SQL_COLS(q_audit_list_action, AU_NCOLS,
    "SELECT a.id, a.at, a.staff_id, st.name, a.store_id, a.action,"
    " a.target, a.detail, a.request_id"
    " FROM audit_log a LEFT JOIN staff st ON st.id = a.staff_id"
    " WHERE a.merchant_id = ? AND a.id < ? AND a.action = ?"
    " ORDER BY a.id DESC LIMIT ?");

/* ---- helpers ---- */

static int
role_valid(const char *s)
{
	return strcmp(s, "owner") == 0 || strcmp(s, "marketing") == 0 ||
	    strcmp(s, "cashier") == 0 || strcmp(s, "partner") == 0;
}

#define ROLE_HINT	"应为 owner、marketing、cashier 或 partner"

/*
 * The stores an account of role would have, npartner of them partner
 * stores and nown the merchant's own: a partner works at exactly one
 * partner store, every other role at own stores only, a cashier at one
 * or more. 0, or 400 invalid_field store_ids (recorded).
 */
static int
role_stores_check(struct req *r, const char *role, int npartner, int nown)
{
	if (strcmp(role, "partner") == 0) {
		if (npartner != 1 || nown != 0)
			return resp_bad_field(r, "store_ids",
			    "合作方账号需要且只能关联一个合作门店");
		return 0;
	}
	if (npartner > 0)
		return resp_bad_field(r, "store_ids",
		    "合作门店只能关联合作方账号");
	if (strcmp(role, "cashier") == 0 && nown < 1)
		return resp_bad_field(r, "store_ids", "收银员至少需要一个门店");
	return 0;
}

static int
username_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 2 || n > 32)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

/*
 * The stores a staff member may act at: a cashier's own, a partner's one
 * partner store, every active own store of the merchant for owners and
 * marketing. Array of {id, name, address, phone, kind}, or NULL with the
 * error recorded.
 */
static cJSON *
stores_for(struct req *r, int64_t staff_id, const char *role)
{
	struct db_res res;
	cJSON *arr;
	int i, rc;

	if (strcmp(role, "cashier") == 0 || strcmp(role, "partner") == 0)
		rc = DB(r, &q_stores_of_staff, &res, DBI(staff_id),
		    DBI(r->m->id), DBS(role));
	else
		rc = DB(r, &q_stores_all, &res, DBI(r->m->id));
	if (rc != DB_OK) {
		db_fail(r);
		return NULL;
	}
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", db_int(&res, i, SS_ID));
		j_str(o, "name", db_str(&res, i, SS_NAME));
		j_str(o, "address", db_str(&res, i, SS_ADDRESS));
		j_str(o, "phone", db_str(&res, i, SS_PHONE));
		j_str(o, "kind", db_str(&res, i, SS_KIND));
		j_add(arr, NULL, o);
	}
	return arr;
}

/*
 * {id, name, role, store_ids}: store_ids are where the staff may act. NULL
 * with the error status in r->status.
 */
static cJSON *
staff_json(struct req *r, int64_t id, const char *name, const char *role)
{
	cJSON *stores = stores_for(r, id, role), *ids, *s, *o;

	if (stores == NULL)
		return NULL;
	ids = j_arr();
	for (s = stores->child; s != NULL; s = s->next)
		j_add(ids, NULL, cJSON_CreateNumber(
		    cJSON_GetObjectItem(s, "id")->valuedouble));
	o = j_obj();
	j_int(o, "id", id);
	j_str(o, "name", name);
	j_str(o, "role", role);
	j_add(o, "store_ids", ids);
	return o;
}

/*
 * A staff account as owners manage it: {id, username, name, role,
 * disabled, locked, store_ids (assigned), last_login_at, created_at}.
 * res row i of q_staff_get / q_staff_list. NULL with the error status in
 * r->status.
 */
static cJSON *
account_json(struct req *r, const struct db_res *res, int i)
{
	struct db_res sr;
	int64_t id = db_int(res, i, SA_ID);
	cJSON *o, *ids;
	int k;

	if (DB(r, &q_staff_store_ids, &sr, DBI(id), DBI(r->m->id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	ids = j_arr();
	for (k = 0; k < sr.nrows; k++)
		j_add(ids, NULL, cJSON_CreateNumber(
		    (double)db_int(&sr, k, SI_STORE)));
	o = j_obj();
	j_int(o, "id", id);
	j_str(o, "username", db_str(res, i, SA_USERNAME));
	j_str(o, "name", db_str(res, i, SA_NAME));
	j_str(o, "role", db_str(res, i, SA_ROLE));
	j_bool(o, "disabled", db_int(res, i, SA_DISABLED) != 0);
	j_int(o, "failed_logins", db_int(res, i, SA_FAILS));
	j_bool(o, "locked", db_int(res, i, SA_LOCKED) != 0);
	j_add(o, "store_ids", ids);
	j_str(o, "last_login_at", time_rfc3339(r,
	    db_str(res, i, SA_LAST_LOGIN)));
	j_str(o, "created_at", time_rfc3339(r, db_str(res, i, SA_CREATED)));
	return o;
}

/* Act as this staff member for the audit rows of a sign-in. */
static void
auth_as(struct req *r, int64_t id, const char *name, const char *role)
{
	r->auth.kind = AUTH_KIND_STAFF;
	r->auth.staff_id = id;
	r->auth.staff_name = name;
	r->auth.role = role;
}

/* ---- sign-in ---- */

struct login_ctx {
	int64_t		 id;
	const char	*name, *role, *token, *expires, *csrf;
	int		 locked;
	cJSON		*staff;
};

static int
login_fail_tx(struct req *r, void *arg)
{
	struct login_ctx *c = arg;
	struct db_res res;
	int st;

	if (DB(r, &q_staff_fail, &res, DBI(LOGIN_MAX_FAILS), DBI(LOCK_S),
	    DBI(LOGIN_MAX_FAILS), DBI(c->id), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.affected == 0) {
		/* locked by a parallel attempt meanwhile */
		c->locked = 1;
		return 200;
	}
	if (DB(r, &q_staff_lock_state, &res, DBI(c->id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	if ((st = audit_log(r, "staff.login_failed", arena_printf(r->a,
	    "staff:%lld", (long long)c->id), NULL, 0)) != 0)
		return st;
	if (db_int(&res, 0, LS_LOCKED) != 0 && (st = audit_log(r,
	    "staff.locked", arena_printf(r->a, "staff:%lld", (long long)c->id),
	    arena_printf(r->a, "{\"minutes\":%d}", LOCK_S / 60), 0)) != 0)
		return st;
	return 200;
}

static int
login_ok_tx(struct req *r, void *arg)
{
	struct login_ctx *c = arg;
	struct db_res res;
	int st;

	if (DB(r, &q_staff_ok, &res, DBI(c->id), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		c->locked = 1;
		return 409;
	}
	if ((st = session_create(r, "staff", NULL, c->id, STAFF_SESSION_S,
	    &c->token, &c->expires, &c->csrf)) != 0)
		return st;
	if ((c->staff = staff_json(r, c->id, c->name, c->role)) == NULL)
		return r->status;
	if ((st = audit_log(r, "staff.login", arena_printf(r->a, "staff:%lld",
	    (long long)c->id), NULL, 0)) != 0)
		return st;
	return 200;
}

static int
locked_answer(struct req *r, long wait)
{
	resp_reset(r);
	if (wait < 1)
		wait = 1;
	resp_header(r, "Retry-After", arena_printf(r->a, "%ld", wait));
	return resp_err(r, 429, "too_many_requests",
	    "登录失败次数过多，账号已锁定 15 分钟", NULL);
}

static int
bad_credentials(struct req *r)
{
	return resp_err(r, 401, "invalid_credentials", "用户名或密码错误",
	    NULL);
}

/*
 * Sign in a staff member.
 * In: {username, password}. Out: {token, expires_at, csrf_token,
 * staff:{id, name, role, store_ids}}; sets the sid cookie on the staff API
 * path only. Errors: invalid_field, invalid_credentials (401, unknown
 * user, wrong password or disabled account alike), too_many_requests (429
 * with Retry-After while locked: five failures in a row lock 15 minutes).
 * Writes: staff (failure counter, lock, last sign-in), sessions, audit_log.
 */
static int
staff_login(struct req *r)
{
	const char *user, *pw, *hash;
	struct login_ctx c;
	struct db_res res;
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "username", 1, 1, 32, &user) == -1 ||
	    req_json_str(r, "password", 1, 1, 128, &pw) == -1)
		return r->status;
	if (DB(r, &q_staff_by_username, &res, DBI(r->m->id), DBS(user)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0) {
		/* the same work as for a real account; always fails */
		if (crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
			log_warn(r, "staff: dummy hash matched");
		return bad_credentials(r);
	}
	memset(&c, 0, sizeof(c));
	c.id = db_int(&res, 0, SU_ID);
	c.name = db_str(&res, 0, SU_NAME);
	c.role = db_str(&res, 0, SU_ROLE);
	hash = db_str(&res, 0, SU_HASH);
	if (db_int(&res, 0, SU_LOCKED) != 0)
		return locked_answer(r, (long)db_int(&res, 0, SU_WAIT));
	if (crypto_pwhash_str_verify(hash, pw, strlen(pw)) != 0) {
		if (db_int(&res, 0, SU_DISABLED) != 0)
			return bad_credentials(r);
		auth_as(r, c.id, c.name, c.role);
		st = db_tx(r, login_fail_tx, &c);
		memset(&r->auth, 0, sizeof(r->auth));
		if (st >= 400)
			return st;
		if (c.locked)
			return locked_answer(r, LOCK_S);
		return bad_credentials(r);
	}
	if (db_int(&res, 0, SU_DISABLED) != 0)
		return bad_credentials(r);
	auth_as(r, c.id, c.name, c.role);
	st = db_tx(r, login_ok_tx, &c);
	memset(&r->auth, 0, sizeof(r->auth));
	if (c.locked)
		return locked_answer(r, LOCK_S);
	if (st >= 400)
		return st;
	d = j_obj();
	j_str(d, "token", c.token);
	j_str(d, "expires_at", c.expires);
	j_str(d, "csrf_token", c.csrf);
	j_add(d, "staff", c.staff);
	resp_cookie(r, "sid", c.token, arena_printf(r->a,
	    "/api/v1/m/%s/staff", r->m->code), STAFF_SESSION_S);
	return resp_data(r, 200, d);
}

static int
logout_tx(struct req *r, void *arg)
{
	int st;

	(void)arg;
	if (DB(r, &q_staff_session_revoke, NULL, DBI(r->auth.session_id),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "staff.logout", arena_printf(r->a, "staff:%lld",
	    (long long)r->auth.staff_id), NULL, 0)) != 0)
		return st;
	return 200;
}

/*
 * Sign out: the session no longer works. Out: {logged_out:true}; clears
 * the staff cookie. Writes: sessions, audit_log.
 */
static int
staff_logout(struct req *r)
{
	cJSON *d;
	int st;

	if ((st = db_tx(r, logout_tx, NULL)) >= 400)
		return st;
	if (r->auth.via_cookie)
		resp_cookie(r, "sid", "", arena_printf(r->a,
		    "/api/v1/m/%s/staff", r->m->code), 0);
	d = j_obj();
	j_bool(d, "logged_out", 1);
	return resp_data(r, 200, d);
}

/* Out: {staff:{id, name, role, store_ids}}. */
static int
staff_me(struct req *r)
{
	cJSON *d, *s;

	if ((s = staff_json(r, r->auth.staff_id, r->auth.staff_name,
	    r->auth.role)) == NULL)
		return r->status;
	d = j_obj();
	j_add(d, "staff", s);
	return resp_data(r, 200, d);
}

/*
 * Out: [{id, name, address, phone, kind}]: the stores the staff member
 * may act at. ?all=1 (owners): every store of the merchant as owners
 * manage them (store_get in core.h), partner and inactive ones too.
 */
static int
staff_stores(struct req *r)
{
	const char *all = req_query(r, "all");
	cJSON *arr;
	int st;

	if (all != NULL && strcmp(all, "1") != 0 && strcmp(all, "true") != 0 &&
	    strcmp(all, "0") != 0 && strcmp(all, "false") != 0)
		return resp_bad_field(r, "all", "应为 1 或 0");
	if (all != NULL && (strcmp(all, "1") == 0 || strcmp(all, "true") == 0)) {
		if (strcmp(r->auth.role, "owner") != 0)
			return resp_err(r, 403, "forbidden",
			    "当前角色无权执行此操作", NULL);
		if ((st = stores_list(r, &arr)) != 0)
			return st;
		return resp_list(r, arr, 0);
	}
	arr = stores_for(r, r->auth.staff_id, r->auth.role);
	return arr ? resp_list(r, arr, 0) : r->status;
}

/* ---- staff management (owners) ---- */

/*
 * Parse the store_ids array of the body: distinct active stores of the
 * merchant, *npartner of them partner stores. n_out -1 when absent. 0, or
 * the error status (recorded).
 */
static int
store_ids_arg(struct req *r, int64_t *ids, int *n_out, int *npartner)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "store_ids"), *e;
	int n = 0, k;

	*n_out = -1;
	*npartner = 0;
	if (a == NULL || cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return resp_bad_field(r, "store_ids", "应为门店编号数组");
	if (cJSON_GetArraySize(a) > STAFF_STORES_MAX)
		return resp_bad_field(r, "store_ids", "门店过多");
	for (e = a->child; e != NULL; e = e->next) {
		struct db_res res;
		const char *f = arena_printf(r->a, "store_ids[%d]", n);
		int64_t id;

		if (!cJSON_IsNumber(e) || e->valuedouble < 1 ||
		    e->valuedouble > 9007199254740991.0 ||
		    e->valuedouble != (double)(int64_t)e->valuedouble)
			return resp_bad_field(r, f, "应为门店编号");
		id = (int64_t)e->valuedouble;
		for (k = 0; k < n; k++)
			if (ids[k] == id)
				return resp_bad_field(r, f, "门店重复");
		if (DB(r, &q_store_active, &res, DBI(id), DBI(r->m->id)) !=
		    DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "门店不存在");
		if (strcmp(db_str(&res, 0, SV_KIND), "partner") == 0)
			(*npartner)++;
		ids[n++] = id;
	}
	*n_out = n;
	return 0;
}

/*
 * The password of the body into pw and its hash into hash (*pw NULL when
 * absent and not required). 0, or the error status (recorded).
 */
static int
password_arg(struct req *r, int required, const char **pw, char *hash)
{
	if (req_json_str(r, "password", required, PASSWORD_MIN, PASSWORD_MAX,
	    pw) == -1)
		return r->status;
	if (*pw == NULL)
		return 0;
	if (crypto_pwhash_str(hash, *pw, strlen(*pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		log_err(r, "staff: password hashing failed");
		return resp_internal(r);
	}
	return 0;
}

/* Out: [account] by id; see account_json. Owners only. */
static int
staff_accounts_list(struct req *r)
{
	struct db_res res;
	int64_t limit, cursor, next;
	cJSON *arr;
	int i, n;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_staff_list, &res, DBI(r->m->id), DBI(cursor),
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	n = db_page(&res, limit, SA_ID, &next);
	for (i = 0; i < n; i++) {
		cJSON *o = account_json(r, &res, i);

		if (o == NULL)
			return r->status;
		j_add(arr, NULL, o);
	}
	return resp_list(r, arr, next);
}

/* The account (account_json) of r->m's staff member id, or NULL with the
   error status in r->status: 404 not_found when there is none. */
static cJSON *
account_get(struct req *r, int64_t id)
{
	struct db_res res;

	if (DB(r, &q_staff_get, &res, DBI(r->m->id), DBI(id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	if (res.nrows == 0) {
		resp_err(r, 404, "not_found", "员工不存在", NULL);
		return NULL;
	}
	return account_json(r, &res, 0);
}

/* The :id of the path, out; 0, or 404 not_found (recorded). */
static int
path_id(struct req *r, int64_t *id)
{
	const char *s = req_param(r, "id");
	char *end = NULL;

	*id = 0;
	if (s != NULL && *s >= '1' && *s <= '9' && strlen(s) <= 18)
		*id = strtoll(s, &end, 10);
	if (*id <= 0 || end == NULL || *end != '\0')
		return resp_err(r, 404, "not_found", "员工不存在", NULL);
	return 0;
}

/* Out: {staff: account}. Owners only. Errors: not_found. */
static int
staff_account_get(struct req *r)
{
	int64_t id;
	cJSON *o, *d;
	int st;

	if ((st = path_id(r, &id)) != 0)
		return st;
	if ((o = account_get(r, id)) == NULL)
		return r->status;
	d = j_obj();
	j_add(d, "staff", o);
	return resp_data(r, 200, d);
}

struct account_ctx {
	int64_t		 id;
	const char	*username, *name, *role, *hash;
	int64_t		 stores[STAFF_STORES_MAX];
	int		 nstores;
	int		 disabled;	/* -1 unchanged */
	cJSON		*out;
};

static int
account_create_tx(struct req *r, void *arg)
{
	struct account_ctx *c = arg;
	struct db_res res;
	int i, rc, st, np;

	if ((st = store_ids_arg(r, c->stores, &c->nstores, &np)) != 0)
		return st;
	if ((st = role_stores_check(r, c->role, np, c->nstores < 0 ? 0 :
	    c->nstores - np)) != 0)
		return st;
	rc = DB(r, &q_staff_insert, &res, DBI(r->m->id), DBS(c->username),
	    DBS(c->name), DBS(c->role), DBS(c->hash));
	if (rc == DB_DUP)
		return resp_err(r, 409, "username_taken", "用户名已被使用",
		    "username");
	if (rc != DB_OK)
		return db_fail(r);
	c->id = (int64_t)res.insert_id;
	for (i = 0; i < c->nstores; i++)
		if (DB(r, &q_staff_store_add, NULL, DBI(c->id),
		    DBI(c->stores[i])) != DB_OK)
			return db_fail(r);
	if ((st = audit_log(r, "staff.create", arena_printf(r->a, "staff:%lld",
	    (long long)c->id), arena_printf(r->a,
	    "{\"username\":\"%s\",\"role\":\"%s\"}", c->username, c->role),
	    0)) != 0)
		return st;
	if ((c->out = account_get(r, c->id)) == NULL)
		return r->status;
	return 201;
}

/*
 * Create a staff account (owners).
 * In: {username ([A-Za-z0-9_.-]{2,32}), name, role, password (8..64),
 * store_ids?: [ids] (a cashier needs at least one own store, a partner
 * exactly one partner store, other roles none of those)}. Out: 201 {staff:
 * account}. Errors: invalid_field, username_taken (409).
 * Writes: staff, staff_stores, audit_log.
 */
static int
staff_account_create(struct req *r)
{
	char hash[crypto_pwhash_STRBYTES];
	struct account_ctx *c = arena_calloc(r->a, 1, sizeof(*c));
	const char *pw;
	cJSON *d;
	int st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "username", 1, 2, 32, &c->username) == -1 ||
	    req_json_str(r, "name", 1, 1, 32, &c->name) == -1 ||
	    req_json_str(r, "role", 1, 1, 16, &c->role) == -1)
		return r->status;
	if (!username_valid(c->username))
		return resp_bad_field(r, "username",
		    "只能包含字母、数字和 _ . -");
	if (!role_valid(c->role))
		return resp_bad_field(r, "role", ROLE_HINT);
	if ((st = password_arg(r, 1, &pw, hash)) != 0)
		return st;
	c->hash = hash;
	if ((st = db_tx(r, account_create_tx, c)) >= 400)
		return st;
	d = j_obj();
	j_add(d, "staff", c->out);
	return resp_data(r, 201, d);
}

static int
account_update_tx(struct req *r, void *arg)
{
	struct account_ctx *c = arg;
	struct db_res res;
	const char *role;
	cJSON *cur, *changed = j_arr();
	int i, revoke = 0, st, np;

	if ((cur = account_get(r, c->id)) == NULL)
		return r->status;
	role = cJSON_GetObjectItem(cur, "role")->valuestring;
	if ((st = store_ids_arg(r, c->stores, &c->nstores, &np)) != 0)
		return st;
	if (c->nstores >= 0)
		st = role_stores_check(r, c->role ? c->role : role, np,
		    c->nstores - np);
	else if (DB(r, &q_staff_store_kinds, &res, DBI(c->id),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	else
		st = role_stores_check(r, c->role ? c->role : role,
		    (int)db_int(&res, 0, SK_PARTNER),
		    (int)db_int(&res, 0, SK_OWN));
	if (st != 0)
		return st;
	if (c->name != NULL) {
		if (DB(r, &q_staff_set_name, NULL, DBS(c->name), DBI(c->id),
		    DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		j_add(changed, NULL, cJSON_CreateString("name"));
	}
	if (c->role != NULL && strcmp(c->role, role) != 0) {
		if (DB(r, &q_staff_set_role, NULL, DBS(c->role), DBI(c->id),
		    DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		j_add(changed, NULL, cJSON_CreateString("role"));
		revoke = 1;
	}
	if (c->disabled != -1) {
		if (DB(r, &q_staff_set_disabled, NULL, DBI(c->disabled),
		    DBI(c->id), DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		j_add(changed, NULL, cJSON_CreateString("disabled"));
		revoke |= c->disabled;
	}
	if (c->hash != NULL) {
		if (DB(r, &q_staff_set_password, NULL, DBS(c->hash),
		    DBI(c->id), DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		j_add(changed, NULL, cJSON_CreateString("password"));
		revoke = 1;
	}
	if (c->nstores >= 0) {
		if (DB(r, &q_staff_stores_clear, NULL, DBI(c->id)) != DB_OK)
			return db_fail(r);
		for (i = 0; i < c->nstores; i++)
			if (DB(r, &q_staff_store_add, NULL, DBI(c->id),
			    DBI(c->stores[i])) != DB_OK)
				return db_fail(r);
		j_add(changed, NULL, cJSON_CreateString("store_ids"));
	}
	/* other sessions of that account end with a new password, role or
	   when disabled; the owner's own current session stays */
	if (revoke && DB(r, &q_staff_sessions_revoke_all, &res,
	    DBI(r->m->id), DBI(c->id), DBI(r->auth.session_id)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "staff.update", arena_printf(r->a, "staff:%lld",
	    (long long)c->id), cJSON_PrintUnformatted(changed), 0)) != 0)
		return st;
	if ((c->out = account_get(r, c->id)) == NULL)
		return r->status;
	return 200;
}

/*
 * Change a staff account (owners).
 * In: {name?, role?, disabled?, password? (a reset; also lifts a lock),
 * store_ids?}. An owner cannot disable or change the role of its own
 * account. Out: {staff: account}. Errors: invalid_field, not_found.
 * Writes: staff, staff_stores, sessions (revoked on password, role or
 * disabling), audit_log.
 */
static int
staff_account_update(struct req *r)
{
	char hash[crypto_pwhash_STRBYTES];
	struct account_ctx *c = arena_calloc(r->a, 1, sizeof(*c));
	const char *pw;
	cJSON *d;
	int rc, st;

	if ((st = path_id(r, &c->id)) != 0)
		return st;
	if (req_json_body(r) == -1 ||
	    req_json_str(r, "name", 0, 1, 32, &c->name) == -1 ||
	    req_json_str(r, "role", 0, 1, 16, &c->role) == -1 ||
	    (rc = req_json_bool(r, "disabled", 0, &c->disabled)) == -1)
		return r->status;
	if (rc == 1)
		c->disabled = -1;
	if (c->role != NULL && !role_valid(c->role))
		return resp_bad_field(r, "role", ROLE_HINT);
	if (c->id == r->auth.staff_id && c->disabled == 1)
		return resp_bad_field(r, "disabled", "不能停用自己的账号");
	if (c->id == r->auth.staff_id && c->role != NULL &&
	    strcmp(c->role, r->auth.role) != 0)
		return resp_bad_field(r, "role", "不能修改自己的角色");
	if ((st = password_arg(r, 0, &pw, hash)) != 0)
		return st;
	c->hash = pw != NULL ? hash : NULL;
	if ((st = db_tx(r, account_update_tx, c)) >= 400)
		return st;
	d = j_obj();
	j_add(d, "staff", c->out);
	return resp_data(r, 200, d);
}

/*
 * The audit log, newest first (owners).
 * In: ?limit&cursor&action. Out: [{id, at, staff_id, staff_name, store_id,
 * action, target, detail, request_id}], next_cursor.
 */
static int
staff_audit(struct req *r)
{
	const char *action = req_query(r, "action");
	struct db_res res;
	int64_t limit, cursor, next;
	cJSON *arr;
	int i, n, rc;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (cursor == 0)
		cursor = INT64_MAX;
	if (action != NULL && *action != '\0') {
		if (strlen(action) > 64)
			return resp_bad_field(r, "action", "过长");
		rc = DB(r, &q_audit_list_action, &res, DBI(r->m->id),
		    DBI(cursor), DBS(action), DBI(limit + 1));
	} else
		rc = DB(r, &q_audit_list, &res, DBI(r->m->id), DBI(cursor),
		    DBI(limit + 1));
	if (rc != DB_OK)
		return db_fail(r);
	arr = j_arr();
	n = db_page(&res, limit, AU_ID, &next);
	for (i = 0; i < n; i++) {
		cJSON *o = j_obj();

		j_int(o, "id", db_int(&res, i, AU_ID));
		j_str(o, "at", time_rfc3339(r, db_str(&res, i, AU_AT)));
		if (db_isnull(&res, i, AU_STAFF))
			j_null(o, "staff_id");
		else
			j_int(o, "staff_id", db_int(&res, i, AU_STAFF));
		j_str(o, "staff_name", db_str(&res, i, AU_STAFF_NAME));
		if (db_isnull(&res, i, AU_STORE))
			j_null(o, "store_id");
		else
			j_int(o, "store_id", db_int(&res, i, AU_STORE));
		j_str(o, "action", db_str(&res, i, AU_ACTION));
		j_str(o, "target", db_str(&res, i, AU_TARGET));
		j_str(o, "detail", db_str(&res, i, AU_DETAIL));
		j_str(o, "request_id", db_str(&res, i, AU_REQUEST));
		j_add(arr, NULL, o);
	}
	return resp_list(r, arr, next);
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(staff_routes) = {
	{ M_POST, BASE "/login", staff_login, 0 },
	{ M_POST, BASE "/logout", staff_logout,
	    AUTH_STAFF | ROLE_PARTNER | CSRF },
	{ M_GET, BASE "/me", staff_me, AUTH_STAFF | ROLE_PARTNER },
	{ M_GET, BASE "/stores", staff_stores, AUTH_STAFF | ROLE_PARTNER },
	{ M_GET, BASE "/accounts", staff_accounts_list,
	    AUTH_STAFF | ROLE_OWNER },
	{ M_POST, BASE "/accounts", staff_account_create,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ M_GET, BASE "/accounts/:id", staff_account_get,
	    AUTH_STAFF | ROLE_OWNER },
	{ M_PATCH, BASE "/accounts/:id", staff_account_update,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ M_GET, BASE "/audit", staff_audit, AUTH_STAFF | ROLE_OWNER },
	{ 0, NULL, NULL, 0 }
};
