/*
 * The route table and the dispatcher. Handler files register their tables
 * with ROUTES(); the dispatcher matches the path, reads the body within the
 * route's limit, resolves {merchant}, checks the session, role and CSRF
 * token, and wraps IDEMPOTENT routes in the idempotency record, all before
 * the handler runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "db.h"
#include "req.h"

extern const struct route_table *const __start_app_routes[];
extern const struct route_table *const __stop_app_routes[];

/*
 * Match pattern against path segment by segment; ":name" binds one
 * non-empty segment. A trailing "/" in the pattern must be in the path.
 */
int
router_match_pattern(struct req *r, const char *pat, const char *path)
{
	/* where each parameter's name and value are: copied into the
	   request only once the whole pattern matched (most of the table
	   fails after the merchant's segment) */
	const char *pn[REQ_MAX_PARAMS], *pv[REQ_MAX_PARAMS];
	size_t pnl[REQ_MAX_PARAMS], pvl[REQ_MAX_PARAMS];
	int n = 0, i;

	while (*pat != '\0' && *path != '\0') {
		if (*pat == ':') {
			const char *pe = pat + 1, *se = path;

			while (*pe != '\0' && *pe != '/')
				pe++;
			while (*se != '\0' && *se != '/')
				se++;
			/* a literal suffix after the parameter: ":code.svg" */
			if (se == path || n == REQ_MAX_PARAMS)
				return 0;
			{
				const char *dot = memchr(pat, '.', (size_t)(pe - pat));

				if (dot != NULL) {
					size_t sl = (size_t)(pe - dot);

					if ((size_t)(se - path) <= sl ||
					    strncmp(se - sl, dot, sl) != 0)
						return 0;
					pn[n] = pat + 1;
					pnl[n] = (size_t)(dot - pat - 1);
					pv[n] = path;
					pvl[n++] = (size_t)(se - path) - sl;
				} else {
					pn[n] = pat + 1;
					pnl[n] = (size_t)(pe - pat - 1);
					pv[n] = path;
					pvl[n++] = (size_t)(se - path);
				}
			}
			pat = pe;
			path = se;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	for (i = 0; i < n; i++) {
		r->pname[i] = arena_strndup(r->a, pn[i], pnl[i]);
		r->pval[i] = arena_strndup(r->a, pv[i], pvl[i]);
	}
	r->nparams = n;
	return 1;
}

const struct route *
router_match(struct req *r, int *allowed)
{
	const struct route_table *const *t;
	const struct route *rt;

	*allowed = 0;
	for (t = __start_app_routes; t < __stop_app_routes; t++)
		for (rt = (*t)->routes; rt->pattern != NULL; rt++) {
			r->nparams = 0;
			if (!router_match_pattern(r, rt->pattern, r->path))
				continue;
			if (rt->methods & r->method ||
			    (r->method == M_HEAD && rt->methods & M_GET))
				return rt;
			*allowed |= rt->methods;
		}
	r->nparams = 0;
	return NULL;
}

/* ---- the table as a whole ---- */

/* The end of the segment that starts at s. */
static const char *
seg_end(const char *s)
{
	while (*s != '\0' && *s != '/')
		s++;
	return s;
}

/* The literal suffix of a parameter segment (":code.svg": ".svg"). */
static void
seg_suffix(const char *s, const char *e, const char **sfx, size_t *n)
{
	const char *dot = memchr(s, '.', (size_t)(e - s));

	*sfx = dot ? dot : e;
	*n = (size_t)(e - *sfx);
}

/*
 * Whether some one segment can match both pattern segments [a, ae) and
 * [b, be): two literals when equal; a parameter (one or more characters,
 * then its suffix) and a literal when the literal is longer than the
 * suffix and ends with it; two parameters when one suffix ends the other.
 */
static int
seg_overlap(const char *a, const char *ae, const char *b, const char *be)
{
	const char *sa, *sb;
	size_t na, nb, lit;

	if (*a != ':' && *b != ':')
		return ae - a == be - b && memcmp(a, b, (size_t)(ae - a)) == 0;
	if (*a != ':') {
		const char *t = a, *te = ae;

		a = b;
		ae = be;
		b = t;
		be = te;
	}
	seg_suffix(a, ae, &sa, &na);
	if (*b != ':') {
		lit = (size_t)(be - b);
		return lit > na && memcmp(be - na, sa, na) == 0;
	}
	seg_suffix(b, be, &sb, &nb);
	return na <= nb ? memcmp(sb + nb - na, sa, na) == 0 :
	    memcmp(sa + na - nb, sb, nb) == 0;
}

/* Whether one path can match both patterns. */
int
router_patterns_overlap(const char *a, const char *b)
{
	for (;;) {
		const char *ae = seg_end(a), *be = seg_end(b);

		if (!seg_overlap(a, ae, b, be))
			return 0;
		if (*ae == '\0' || *be == '\0')
			return *ae == *be;
		a = ae + 1;
		b = be + 1;
	}
}

/* GET answers HEAD too. */
static int
methods_of(const struct route *rt)
{
	return rt->methods | (rt->methods & M_GET ? M_HEAD : 0);
}

/*
 * Whether two routes of the n tables can take one request (a path both
 * patterns match, a method both serve): each such pair logged, then -1;
 * else 0. router_check() runs it over every registered table.
 */
int
router_check_tables(const struct route_table *const *tables, size_t n)
{
	const struct route_table *const *t, *const *u, *const *end;
	const struct route *a, *b;
	int bad = 0;

	end = tables + n;
	for (t = tables; t < end; t++)
		for (a = (*t)->routes; a->pattern != NULL; a++)
			for (u = t; u < end; u++)
				for (b = u == t ? a + 1 : (*u)->routes;
				    b->pattern != NULL; b++) {
					if (!(methods_of(a) & methods_of(b)) ||
					    !router_patterns_overlap(a->pattern,
					    b->pattern))
						continue;
					log_err(NULL, "router: %s (%s) and %s "
					    "(%s) match the same paths",
					    a->pattern, (*t)->file, b->pattern,
					    (*u)->file);
					bad = 1;
				}
	return bad ? -1 : 0;
}

int
router_check(void)
{
	return router_check_tables(__start_app_routes,
	    (size_t)(__stop_app_routes - __start_app_routes));
}

void
router_print(void)
{
	static const struct { int bit; const char *name; } flags[] = {
		{ AUTH_MEMBER, "AUTH_MEMBER" }, { AUTH_STAFF, "AUTH_STAFF" },
		{ AUTH_OPTIONAL, "AUTH_OPTIONAL" }, { AUTH_SELF, "AUTH_SELF" },
		{ PHONE_SESSION, "PHONE_SESSION" }, { CSRF, "CSRF" },
		{ IDEMPOTENT, "IDEMPOTENT" }, { UPLOAD, "UPLOAD" },
		{ HTML, "HTML" }, { ROLE_OWNER, "ROLE_OWNER" },
		{ ROLE_MARKETING, "ROLE_MARKETING" },
		{ ROLE_CASHIER, "ROLE_CASHIER" },
		{ ROLE_PARTNER, "ROLE_PARTNER" },
	};
	static const struct { int bit; const char *name; } methods[] = {
		{ M_GET, "GET" }, { M_POST, "POST" }, { M_PUT, "PUT" },
		{ M_PATCH, "PATCH" }, { M_DELETE, "DELETE" },
	};
	const struct route_table *const *t;
	const struct route *rt;
	size_t i, m;

	for (t = __start_app_routes; t < __stop_app_routes; t++)
		for (rt = (*t)->routes; rt->pattern != NULL; rt++)
			for (m = 0; m < sizeof(methods) / sizeof(*methods);
			    m++) {
				int any = 0;

				if (!(rt->methods & methods[m].bit))
					continue;
				printf("%-6s %-64s ", methods[m].name,
				    rt->pattern);
				for (i = 0; i < sizeof(flags) / sizeof(*flags);
				    i++)
					if (rt->flags & flags[i].bit)
						printf("%s%s", any++ ? "|" : "",
						    flags[i].name);
				printf("%s %s\n", any ? "" : "-", (*t)->file);
			}
}

static const char *
allow_list(struct req *r, int m)
{
	struct sbuf s;

	sbuf_init(&s, r->a, 64);
	if (m & M_GET)
		sbuf_puts(&s, "GET, HEAD, ");
	if (m & M_POST)
		sbuf_puts(&s, "POST, ");
	if (m & M_PUT)
		sbuf_puts(&s, "PUT, ");
	if (m & M_PATCH)
		sbuf_puts(&s, "PATCH, ");
	if (m & M_DELETE)
		sbuf_puts(&s, "DELETE, ");
	if (s.len >= 2)
		s.buf[s.len - 2] = '\0';
	return s.buf;
}

/* ---- merchants: a short-lived per-worker read cache ---- */

enum { MC_ID, MC_CODE, MC_NAME, MC_TZ, MC_NCOLS };
DB_SQL_COLS(q_merchant_by_code, MC_NCOLS,
    "SELECT id, code, name, tz FROM merchants WHERE code = ? AND active = 1");

#define MCACHE 32
#define MCACHE_TTL 10

static struct {
	char		 code[40];
	struct merchant	 m;
	char		 name[128], tz[8];
	time_t		 at;
} mcache[MCACHE];

static int
merchant_code_ok(const char *c)
{
	size_t n = strlen(c), i;

	if (n < 2 || n > 32)
		return 0;
	for (i = 0; i < n; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') ||
		    (c[i] >= '0' && c[i] <= '9') || c[i] == '-'))
			return 0;
	return 1;
}

/* 0 found, 1 not found, -1 database error (response recorded). */
int
merchant_load(struct req *r, const char *code)
{
	struct db_res res;
	time_t now = time(NULL);
	int i, slot = -1;

	if (!merchant_code_ok(code))
		return 1;
	for (i = 0; i < MCACHE; i++) {
		if (mcache[i].at != 0 && now - mcache[i].at < MCACHE_TTL &&
		    strcmp(mcache[i].code, code) == 0) {
			r->m = arena_alloc(r->a, sizeof(*r->m));
			*r->m = mcache[i].m;
			return 0;
		}
		if (slot == -1 && (mcache[i].at == 0 ||
		    now - mcache[i].at >= MCACHE_TTL))
			slot = i;
	}
	if (DB(r, &q_merchant_by_code, &res, DBS(code)) != DB_OK) {
		resp_err(r, 503, "unavailable", "服务暂不可用，请稍后再试",
		    NULL);
		return -1;
	}
	if (res.nrows == 0)
		return 1;
	r->m = arena_calloc(r->a, 1, sizeof(*r->m));
	r->m->id = db_int(&res, 0, MC_ID);
	r->m->code = db_str(&res, 0, MC_CODE);
	r->m->name = db_str(&res, 0, MC_NAME);
	r->m->tz = db_str(&res, 0, MC_TZ);
	if (slot == -1)
		slot = (int)(now % MCACHE);
	snprintf(mcache[slot].code, sizeof(mcache[slot].code), "%s", code);
	snprintf(mcache[slot].name, sizeof(mcache[slot].name), "%s",
	    r->m->name);
	snprintf(mcache[slot].tz, sizeof(mcache[slot].tz), "%s", r->m->tz);
	mcache[slot].m.id = r->m->id;
	mcache[slot].m.code = mcache[slot].code;
	mcache[slot].m.name = mcache[slot].name;
	mcache[slot].m.tz = mcache[slot].tz;
	mcache[slot].at = now;
	return 0;
}

/* ---- sessions ---- */

/*
 * A member session carries its member's id once the phone has joined
 * (migration 0009: triggers fill it when either is made). One made while
 * its phone was joining may miss it: q_session_member finds the member by
 * phone then, and q_session_link records it.
 */
enum { SS_ID, SS_KIND, SS_MERCHANT, SS_PHONE, SS_STAFF, SS_CSRF, SS_MEMBER,
    SS_ROLE, SS_NAME, SS_DISABLED, SS_NCOLS };
DB_SQL_COLS(q_session, SS_NCOLS,
    "SELECT s.id, s.kind, s.merchant_id, s.phone, s.staff_id, s.csrf_hash,"
    " s.member_id, st.role, st.name, st.disabled"
    " FROM sessions s"
    " LEFT JOIN staff st ON st.id = s.staff_id AND s.kind = 'staff'"
    " WHERE s.token_hash = ? AND s.revoked_at IS NULL"
    " AND s.expires_at > UTC_TIMESTAMP()");
enum { SM_ID, SM_NCOLS };
DB_SQL_COLS(q_session_member, SM_NCOLS,
    "SELECT id FROM members WHERE merchant_id = ? AND phone = ?");
DB_SQL(q_session_link,
    "UPDATE sessions SET member_id = ? WHERE id = ? AND merchant_id = ?"
    " AND kind = 'member' AND member_id IS NULL");

/*
 * The member of a member session without one recorded, 0 for none yet,
 * -1 when the database failed.
 */
static int64_t
session_member(struct req *r)
{
	struct db_res res, upd;
	int64_t id;

	if (DB(r, &q_session_member, &res, DBI(r->m->id),
	    DBS(r->auth.phone)) != DB_OK)
		return -1;
	if (res.nrows == 0)
		return 0;
	id = db_int(&res, 0, SM_ID);
	(void)DB(r, &q_session_link, &upd, DBI(id), DBI(r->auth.session_id),
	    DBI(r->m->id));
	return id;
}

/*
 * Result of looking at every token the request carries: 0 a session of
 * the wanted kind for this merchant (r->auth filled), 1 no valid session,
 * 2 a valid session of another merchant or kind.
 */
static int
auth_resolve(struct req *r, enum auth_kind want)
{
	const char *tok[8];
	int cookie[8], n = 0, i, other = 0;

	if (r->authz_hdr != NULL && strncasecmp(r->authz_hdr, "Bearer ", 7)
	    == 0) {
		tok[n] = r->authz_hdr + 7;
		cookie[n++] = 0;
	} else {
		const char *c;

		while (n < 8 && (c = req_cookie(r, "sid", n)) != NULL) {
			tok[n] = c;
			cookie[n++] = 1;
		}
	}
	for (i = 0; i < n; i++) {
		struct db_res res;
		size_t tl = strlen(tok[i]);
		enum auth_kind kind;

		if (tl < 16 || tl > 128)
			continue;
		if (DB(r, &q_session, &res, DBS(hash_hex(r, tok[i], tl))) !=
		    DB_OK)
			return -1;
		if (res.nrows == 0)
			continue;
		kind = strcmp(db_str(&res, 0, SS_KIND), "staff") == 0 ?
		    AUTH_KIND_STAFF : AUTH_KIND_MEMBER;
		if (kind == AUTH_KIND_STAFF && db_int(&res, 0, SS_DISABLED) != 0)
			continue;	/* a disabled account signs nobody in */
		if (db_int(&res, 0, SS_MERCHANT) != r->m->id || kind != want) {
			other = 1;
			continue;
		}
		r->auth.kind = kind;
		r->auth.session_id = db_int(&res, 0, SS_ID);
		r->auth.via_cookie = cookie[i];
		if (kind == AUTH_KIND_MEMBER) {
			r->auth.phone = db_str(&res, 0, SS_PHONE);
			r->auth.member_id = db_isnull(&res, 0, SS_MEMBER) ?
			    session_member(r) : db_int(&res, 0, SS_MEMBER);
			if (r->auth.member_id == -1)
				return -1;
		} else {
			r->auth.staff_id = db_int(&res, 0, SS_STAFF);
			r->auth.role = db_str(&res, 0, SS_ROLE);
			r->auth.staff_name = db_str(&res, 0, SS_NAME);
			r->auth.csrf_hash = db_str(&res, 0, SS_CSRF);
		}
		return 0;
	}
	return other ? 2 : 1;
}

static int
csrf_ok(struct req *r)
{
	const char *want = r->auth.csrf_hash;

	if (!r->auth.via_cookie)
		return 1;
	if (r->csrf_hdr == NULL || want == NULL || strlen(r->csrf_hdr) > 128)
		return 0;
	return strcmp(hash_hex(r, r->csrf_hdr, strlen(r->csrf_hdr)), want)
	    == 0;
}

/*
 * May the signed-in staff member's role call a route with these flags? A
 * partner only where the route names ROLE_PARTNER; the merchant's own roles
 * as the other ROLE_ bits say (none: every one of them).
 */
static int
role_ok(struct req *r, int flags)
{
	int need = flags & (ROLE_OWNER | ROLE_MARKETING | ROLE_CASHIER);
	const char *role = r->auth.role ? r->auth.role : "";

	if (strcmp(role, "partner") == 0)
		return (flags & ROLE_PARTNER) != 0;
	if (need == 0 || strcmp(role, "owner") == 0)
		return 1;
	if ((need & ROLE_MARKETING) && strcmp(role, "marketing") == 0)
		return 1;
	if ((need & ROLE_CASHIER) && strcmp(role, "cashier") == 0)
		return 1;
	return 0;
}

/* ---- idempotency ---- */

DB_SQL(q_idem_reclaim,
    "UPDATE idempotency_keys SET body_hash = ?, status = 0, ctype = NULL,"
    " response = NULL, created_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND actor = ? AND idem_key = ?"
    " AND created_at < UTC_TIMESTAMP() - INTERVAL 1 DAY");
DB_SQL(q_idem_insert,
    "INSERT INTO idempotency_keys (merchant_id, actor, idem_key, body_hash,"
    " created_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP())");
enum { IK_HASH, IK_STATUS, IK_CTYPE, IK_RESPONSE, IK_NCOLS };
DB_SQL_COLS(q_idem_get, IK_NCOLS,
    "SELECT body_hash, status, ctype, response FROM idempotency_keys"
    " WHERE merchant_id = ? AND actor = ? AND idem_key = ?");
DB_SQL(q_idem_save,
    "UPDATE idempotency_keys SET status = ?, ctype = ?, response = ?"
    " WHERE merchant_id = ? AND actor = ? AND idem_key = ?");

struct idem {
	const char	*actor, *hash;
	int64_t		 mid;
};

static int
idem_key_ok(const char *k)
{
	size_t n = strlen(k), i;

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (k[i] < 0x21 || k[i] > 0x7e)
			return 0;
	return 1;
}

static int
idem_tx(struct req *r, void *arg)
{
	struct idem *c = arg;
	struct db_res res;
	int rc, st;

	/*
	 * Insert first (an expired-key DELETE before it would lock the gap
	 * and deadlock concurrent requests of one actor); a key older than a
	 * day is taken over by one conditional update.
	 */
	rc = DB(r, &q_idem_insert, NULL, DBI(c->mid), DBS(c->actor),
	    DBS(r->idem_key), DBS(c->hash));
	if (rc == DB_DUP) {
		if (DB(r, &q_idem_reclaim, &res, DBS(c->hash), DBI(c->mid),
		    DBS(c->actor), DBS(r->idem_key)) != DB_OK)
			return db_fail(r);
		if (res.affected == 1)
			rc = DB_OK;
	}
	if (rc == DB_DUP) {
		if (DB(r, &q_idem_get, &res, DBI(c->mid), DBS(c->actor),
		    DBS(r->idem_key)) != DB_OK || res.nrows == 0)
			return db_fail(r);
		if (strcmp(db_str(&res, 0, IK_HASH), c->hash) != 0)
			return resp_err(r, 409, "idempotency_key_reused",
			    "该幂等键已用于不同的请求", "Idempotency-Key");
		st = (int)db_int(&res, 0, IK_STATUS);
		if (st == 0)	/* cannot be seen after commit; be safe */
			return resp_err(r, 409, "conflict",
			    "请求正在处理中", NULL);
		resp_raw(r, st, db_str(&res, 0, IK_CTYPE),
		    db_str(&res, 0, IK_RESPONSE), db_len(&res, 0, IK_RESPONSE));
		resp_header(r, "Idempotent-Replayed", "true");
		return 200;
	}
	if (rc != DB_OK)
		return db_fail(r);
	if (db_exec_simple("SAVEPOINT handler") == -1)
		return db_fail(r);
	st = r->route->fn(r);
	if (db_retry_pending())
		return 500;
	if (st >= 500)
		return st;
	if (st >= 400 && db_exec_simple("ROLLBACK TO SAVEPOINT handler") == -1)
		return db_fail(r);
	if (DB(r, &q_idem_save, NULL, DBI(r->status), DBS(r->ctype),
	    DBB(r->out, r->outlen), DBI(c->mid), DBS(c->actor),
	    DBS(r->idem_key)) != DB_OK)
		return db_fail(r);
	return 200;
}

static int
run_idempotent(struct req *r)
{
	struct idem c;
	struct sbuf s;

	if (!idem_key_ok(r->idem_key))
		return resp_err(r, 400, "invalid_field",
		    "Idempotency-Key 应为 1 到 64 个可打印字符",
		    "Idempotency-Key");
	c.mid = r->m != NULL ? r->m->id : 0;
	if (r->auth.kind == AUTH_KIND_STAFF)
		c.actor = arena_printf(r->a, "s:%lld",
		    (long long)r->auth.staff_id);
	else if (r->auth.kind == AUTH_KIND_MEMBER && r->auth.phone != NULL)
		c.actor = arena_printf(r->a, "m:%s", r->auth.phone);
	else if (r->auth.kind == AUTH_KIND_MEMBER)	/* no phone bound yet */
		c.actor = arena_printf(r->a, "ms:%lld",
		    (long long)r->auth.session_id);
	else
		c.actor = arena_printf(r->a, "ip:%s",
		    r->remote_addr ? r->remote_addr : "-");
	sbuf_init(&s, r->a, r->body_len + 128);
	sbuf_printf(&s, "%s %s\n", r->method_name, r->path);
	sbuf_add(&s, r->body, r->body_len);
	c.hash = hash_hex(r, s.buf, s.len);
	db_tx(r, idem_tx, &c);
	return r->status;
}

/*
 * The route's session, role and CSRF checks. 0 when the request may go
 * on (r->auth filled), else the error status with the response recorded.
 */
int
auth_require(struct req *r)
{
	int flags = r->route->flags, rc;
	enum auth_kind want = flags & AUTH_STAFF ? AUTH_KIND_STAFF :
	    AUTH_KIND_MEMBER;

	if (!(flags & (AUTH_MEMBER | AUTH_STAFF | AUTH_OPTIONAL)))
		return 0;
	if (r->m == NULL)
		return resp_internal(r);
	memset(&r->auth, 0, sizeof(r->auth));
	rc = auth_resolve(r, want);
	if (rc == -1)
		return resp_err(r, 503, "unavailable",
		    "服务暂不可用，请稍后再试", NULL);
	if (rc != 0 && !(flags & AUTH_OPTIONAL)) {
		if (rc == 2)
			return resp_err(r, 403, "forbidden", "无权访问", NULL);
		return resp_err(r, 401, "unauthorized", "请先登录", NULL);
	}
	if (rc == 0 && want == AUTH_KIND_MEMBER && r->auth.member_id == 0 &&
	    (flags & AUTH_MEMBER) && !(flags & PHONE_SESSION))
		return resp_err(r, 403, "not_member", "请先加入会员", NULL);
	if (rc == 0 && want == AUTH_KIND_STAFF) {
		if (!role_ok(r, flags))
			return resp_err(r, 403, "forbidden",
			    "当前角色无权执行此操作", NULL);
		if ((flags & CSRF) && !csrf_ok(r))
			return resp_err(r, 403, "forbidden",
			    "缺少或错误的 X-CSRF-Token", NULL);
	}
	return 0;
}

int
auth_accept(struct req *r, const struct auth_row *a)
{
	int flags = r->route->flags;
	enum auth_kind want = flags & AUTH_STAFF ? AUTH_KIND_STAFF :
	    AUTH_KIND_MEMBER;
	enum auth_kind kind;
	time_t t = (time_t)time_now();
	struct tm tm;
	char now[20];

	if (a->kind == NULL || a->revoked || a->expires_at == NULL ||
	    r->m == NULL || a->merchant_id != r->m->id)
		return 1;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M:%S", &tm);
	if (strcmp(a->expires_at, now) <= 0)
		return 1;
	kind = strcmp(a->kind, "staff") == 0 ? AUTH_KIND_STAFF :
	    AUTH_KIND_MEMBER;
	if (kind != want)
		return 1;
	memset(&r->auth, 0, sizeof(r->auth));
	r->auth.kind = kind;
	r->auth.session_id = a->session_id;
	r->auth.via_cookie = r->authz_hdr == NULL ||
	    strncasecmp(r->authz_hdr, "Bearer ", 7) != 0;
	if (kind == AUTH_KIND_MEMBER) {
		if (a->member_id <= 0)
			return 1;
		r->auth.phone = a->phone;
		r->auth.member_id = a->member_id;
		return 0;
	}
	if (a->disabled || a->role == NULL)
		return 1;
	r->auth.staff_id = a->staff_id;
	r->auth.role = a->role;
	r->auth.staff_name = a->staff_name;
	r->auth.csrf_hash = a->csrf_hash;
	if (!role_ok(r, flags) || ((flags & CSRF) && !csrf_ok(r)))
		return 1;
	return 0;
}

const char *
auth_token_hash(struct req *r)
{
	const char *t = NULL;

	if (r->authz_hdr != NULL && strncasecmp(r->authz_hdr, "Bearer ", 7)
	    == 0)
		t = r->authz_hdr + 7;
	else
		t = req_cookie(r, "sid", 0);
	if (t == NULL || strlen(t) < 16 || strlen(t) > 128)
		return NULL;
	return hash_hex(r, t, strlen(t));
}

int
router_dispatch(struct req *r)
{
	const struct route *rt;
	const char *mcode;
	int allowed, rc;

	if (r->method == 0)
		return resp_err(r, 405, "method_not_allowed",
		    "不支持的请求方法", NULL);
	if ((rt = router_match(r, &allowed)) == NULL) {
		if (allowed) {
			resp_header(r, "Allow", allow_list(r, allowed));
			return resp_err(r, 405, "method_not_allowed",
			    "不支持的请求方法", NULL);
		}
		return resp_err(r, 404, "not_found", "页面或接口不存在",
		    NULL);
	}
	r->route = rt;
	if (req_read_body(r, rt->flags & UPLOAD ? REQ_UPLOAD_MAX :
	    REQ_BODY_MAX) == -1)
		return r->status;
	if ((mcode = req_param(r, "merchant")) != NULL) {
		rc = merchant_load(r, mcode);
		if (rc == -1)
			return r->status;
		if (rc == 1)
			return resp_err(r, 404, "not_found", "商户不存在",
			    NULL);
	}
	if (!(rt->flags & AUTH_SELF) && (rc = auth_require(r)) != 0)
		return rc;
	if ((rt->flags & IDEMPOTENT) && r->idem_key != NULL)
		return run_idempotent(r);
	return rt->fn(r);
}
