/*
 * The runtime's public face for handlers: the request context, input
 * helpers, responses, routes, events. Knows nothing about coupons.
 *
 * Conventions, for every function of handlers/:
 *  - A route handler returns the HTTP status of the response it recorded.
 *  - A domain function that returns int returns 0 on success, or an HTTP
 *    status (>= 400) whose error response it has recorded; its caller
 *    passes the status on: if ((st = f(r, ...)) != 0) return st;
 *    Absence that is not an error to every caller is an out value (an id
 *    of 0, a NULL pointer, a found flag), never a third return value.
 *  - A function that builds a value (cJSON *, const char *) returns it,
 *    or NULL with the recorded status in r->status.
 *  - A transaction function given to db_tx() returns the status the
 *    handler answers with (< 400 commits).
 *  - A failure of the database is answered by db_fail(r) (db.h) and by
 *    nothing else: it knows a retried transaction and a lost connection.
 *  - Pure rules (*_rules.c) take no request and return what their header
 *    says (0 or -1, a value); plumbing in fcgi/ returns 0 or -1 and logs
 *    once, where it failed.
 *  - Input helpers (req_json_*, req_query_int, req_page) record a 400
 *    themselves and return -1; the caller returns r->status.
 */
#ifndef APP_H
#define APP_H
#include <stddef.h>
#include <stdint.h>
#include "cjson/cJSON.h"
#include "arena.h"

#define REQ_MAX_PARAMS	8
#define REQ_BODY_MAX	(64 * 1024)
#define REQ_UPLOAD_MAX	(2 * 1024 * 1024)
#define JSON_MAX_DEPTH	32

enum { M_GET = 1, M_POST = 2, M_PUT = 4, M_PATCH = 8, M_DELETE = 16, M_HEAD = 32 };

/* Route flags: what the dispatcher checks before a handler runs. */
#define AUTH_MEMBER	0x01	/* member session of this merchant */
#define AUTH_STAFF	0x02	/* staff session of this merchant */
#define AUTH_OPTIONAL	0x04	/* resolve a member session if present */
#define CSRF		0x08	/* cookie sessions need X-CSRF-Token */
#define IDEMPOTENT	0x10	/* Idempotency-Key honoured (one transaction) */
#define UPLOAD		0x20	/* body up to REQ_UPLOAD_MAX, any media type */
#define HTML		0x40	/* errors rendered as an HTML page */
#define PHONE_SESSION	0x80	/* AUTH_MEMBER satisfied by a signed-in phone
				   that has not joined yet */
#define AUTH_SELF	0x800	/* the handler checks the session itself in
				   its own query, calling auth_require()
				   when that finds nothing */
#define ROLE_OWNER	0x100	/* staff roles allowed (none set: owner,
				   marketing and cashier) */
#define ROLE_MARKETING	0x200
#define ROLE_CASHIER	0x400
#define ROLE_PARTNER	0x1000	/* a partner store's staff: refused by every
				   staff route that does not name it, so a
				   new route never opens to partners unasked */

struct req;
typedef int (*handler_fn)(struct req *);

struct route {
	int		 methods;
	const char	*pattern;	/* "/api/v1/m/:merchant/me/card" */
	handler_fn	 fn;
	int		 flags;
};

struct route_table {
	const struct route	*routes;
	const char		*file;
};

/*
 * Each handler file lists its routes in a table ending with a zeroed
 * entry and registers it with ROUTES(); the router collects every table
 * and refuses to start when two patterns can match one path with a
 * method in common (`app routes` prints the whole table).
 */
#define ROUTES(name) \
	static const struct route name[]; \
	static const struct route_table name##_table = { name, __FILE__ }; \
	static const struct route_table *const name##_reg \
	    __attribute__((used, section("app_routes"))) = &name##_table; \
	static const struct route name[]

struct merchant {
	int64_t		 id;
	const char	*code;
	const char	*name;
	const char	*tz;		/* "+08:00" */
	/* the tier ladder's revision as this request read it (tier/) */
	int		 tiers_rev_known;
	int64_t		 tiers_rev;
};

enum auth_kind { AUTH_NONE = 0, AUTH_KIND_MEMBER, AUTH_KIND_STAFF };

struct auth {
	enum auth_kind	 kind;
	int64_t		 session_id;
	int		 via_cookie;
	/* member sessions */
	const char	*phone;
	int64_t		 member_id;	/* 0: signed in, not joined yet */
	/* staff sessions */
	int64_t		 staff_id;
	const char	*role;		/* "owner" | "marketing" | "cashier" |
					   "partner" */
	const char	*staff_name;
	const char	*csrf_hash;
};

struct hdr {
	const char	*name, *value;
	struct hdr	*next;
};

struct req {
	struct arena	*a;
	void		*io;		/* runtime-private (FCGX_Request) */
	/* request */
	int		 method;
	const char	*method_name;
	const char	*path;		/* decoded path, no query */
	const char	*query;		/* raw query string ("" if none) */
	const char	*request_id;
	const char	*remote_addr;
	const char	*content_type;
	const char	*host;
	const char	*scheme;	/* "http" | "https" */
	const char	*cookie_hdr;
	const char	*authz_hdr;
	const char	*csrf_hdr;
	const char	*idem_key;
	const char	*user_agent;
	const char	*body;		/* NUL-terminated, body_len bytes */
	size_t		 body_len;
	cJSON		*json;		/* parsed body object, or NULL */
	int		 nparams;
	const char	*pname[REQ_MAX_PARAMS];
	const char	*pval[REQ_MAX_PARAMS];
	const struct route *route;
	struct merchant	*m;
	struct auth	 auth;
	/* response */
	int		 status;
	const char	*ctype;
	struct hdr	*hdrs;
	const char	*out;
	size_t		 outlen;
	const char	*err_code;	/* for logs */
	int		 streamed;	/* resp_stream_begin(): head sent */
	/* time_mono_ms() by which its report statements must be done (db.h);
	   0 outside a served request */
	int64_t		 deadline_ms;
};

/* Configuration read from the environment at start-up. */
struct config {
	const char	*env;		/* "dev" | "test" | "prod" */
	const char	*root;		/* project root (templates/, migrations/) */
	const char	*socket;	/* FastCGI listen socket */
	int		 workers;
	const char	*db_host, *db_socket, *db_name, *db_user, *db_pass;
	unsigned	 db_port;
	unsigned char	 secret[32];	/* APP_SECRET, hex-decoded */
	int		 member_code_ttl;	/* seconds, default 60 */
	int		 report_ms;	/* a request's deadline for its reports (db.h) */
	int		 export_pause_ms;	/* test only: EXPORT_PAGE_PAUSE_MS */
	const char	*public_url;	/* "http://127.0.0.1:8080" */
	const char	*upload_dir;	/* where uploads go; nginx serves /uploads/ */
	/* WeChat's server APIs and WeChat Pay's (httpc.h): WX_API_BASE,
	   WXPAY_API_BASE, no trailing slash */
	const char	*wx_api_base, *wxpay_api_base;
	const char	*version;
	char		 asset_v[17];	/* hash of static/: ?v= of its URLs */
};
extern struct config cfg;
/* cfg.report_ms: REPORT_DEADLINE_MS, its default and its largest value */
#define REPORT_DEADLINE_DEFAULT	20000
#define REPORT_DEADLINE_MAX	45000
int	 cfg_is_dev(void);	/* dev or test */
int	 cfg_load(void);
/*
 * cfg.asset_v: 16 hex characters of a hash over the names and contents of
 * the files under static/ that pages link (css, js, vendor), so that their
 * URLs change when they do and nginx may keep them a year. 0 or -1.
 */
int	 cfg_asset_version(void);

/* ---- input (req.c). Each helper records the error response itself. ---- */

const char *req_param(struct req *, const char *);	/* path parameter */
/* Decoded, or NULL when absent; a value that cannot be decoded (a broken
   %-escape, a NUL) reads as "\x7f", which every value check refuses. */
const char *req_query(struct req *, const char *);
/* A path parameter that must be a positive id: 0, or -1 (nothing recorded). */
int	 req_param_id(struct req *, const char *, int64_t *);
/* Valid UTF-8 text without control characters but \n and \t; chars out. */
int	 utf8_text_ok(const char *, size_t *chars);
const char *req_header(struct req *, const char *);	/* "HTTP_X_FOO" style name */
/* The n-th cookie called name (cookies of one name may repeat). */
const char *req_cookie(struct req *, const char *, int n);
/* Parse the JSON body into r->json: 0, or -1 with the error recorded. */
int	 req_json_body(struct req *);
/*
 * Fields of the JSON body object. Return 0 when present and valid, 1 when
 * absent (or null) and not required, -1 with 400 invalid_field recorded.
 */
int	 req_json_str(struct req *, const char *, int required, size_t minlen,
	    size_t maxlen, const char **);
int	 req_json_int(struct req *, const char *, int required, int64_t min,
	    int64_t max, int64_t *);
int	 req_json_bool(struct req *, const char *, int required, int *);
/* Member key of object o, or NULL when o is no object or the member is
   absent or null. */
cJSON	*json_member(const cJSON *o, const char *key);
/* Like req_json_int for member key of object o, name naming it in errors
   ("lines[2].qty"). */
int	 req_obj_int(struct req *, cJSON *o, const char *key, const char *name,
	    int required, int64_t min, int64_t max, int64_t *out);
/* A JSON number that is an integer within +-2^53, into *out: 0 or -1. */
int	 json_integer(const cJSON *, int64_t *out);
/* Query-string integer: same return convention. */
int	 req_query_int(struct req *, const char *, int required, int64_t min,
	    int64_t max, int64_t *);
/* Pagination: limit (1..100, default 20) and opaque cursor (an id). */
int	 req_page(struct req *, int64_t *limit, int64_t *cursor_id);

/* ---- the route table (router.c) ---- */

/* Refuse patterns that overlap (logged): 0, or -1. */
int	 router_check(void);
/* The route table, one route a line: method, pattern, flags, file. */
void	 router_print(void);

/* ---- sessions (router.c) ---- */

/* The route's session, role and CSRF checks: 0, or the error status. */
int	 auth_require(struct req *);
/* The keyed hash of the request's first session token, or NULL. */
const char *auth_token_hash(struct req *);
/*
 * A session an AUTH_SELF handler read by auth_token_hash() in its own
 * statement, as columns (sessions s, staff st for a staff session).
 */
struct auth_row {
	const char	*kind;		/* NULL: no session of that token */
	int64_t		 session_id, merchant_id;
	int		 revoked;	/* s.revoked_at IS NOT NULL */
	const char	*expires_at;	/* "YYYY-MM-DD HH:MM:SS", UTC */
	const char	*phone;
	int64_t		 member_id;	/* 0: none recorded */
	int64_t		 staff_id;
	const char	*role, *staff_name, *csrf_hash;
	int		 disabled;
};
/*
 * 0 when that session signs the request in for its route (r->auth filled,
 * role and CSRF checked as auth_require() does); 1 when the handler must
 * call auth_require() instead, which says why not (or finds another
 * token that does).
 */
int	 auth_accept(struct req *, const struct auth_row *);

/* ---- output (resp.c) ---- */

void	 resp_header(struct req *, const char *, const char *);
/* {"data": data}; takes data. Returns status. */
int	 resp_data(struct req *, int status, cJSON *data);
/* {"data": [...], "next_cursor": cursor|null}; takes arr. */
int	 resp_list(struct req *, cJSON *arr, int64_t next_cursor_id);
/* Contract error; message in zh-CN for the end user; field may be NULL. */
int	 resp_err(struct req *, int status, const char *code,
	    const char *message, const char *field);
int	 resp_bad_field(struct req *, const char *field, const char *message);
int	 resp_internal(struct req *);
int	 resp_raw(struct req *, int status, const char *ctype, const void *,
	    size_t);
int	 resp_html(struct req *, int status, const char *tmpl, cJSON *ctx);
int	 resp_redirect(struct req *, int status, const char *location);
/*
 * A streamed response, for an export too large to hold: the status and
 * headers (r->hdrs) go out now without Content-Length, then the body in
 * pieces as it is made, each flushed; nothing else is sent afterwards,
 * so an error past the head cannot become an error answer: the handler
 * calls resp_stream_abort() (and logs why), never just stops writing.
 * 0, or -1 when the client has gone (logged).
 */
int	 resp_stream_begin(struct req *, int status, const char *ctype);
int	 resp_stream_write(struct req *, const void *, size_t);
/*
 * A streamed body that cannot be finished: the FastCGI connection is ended
 * in a way nginx takes as the upstream's failure (resp.c), so that it drops
 * the client's connection without the last chunk and the client sees a
 * failed download (curl: error 18; a browser: 失败), not a shorter file
 * that looks whole. Nothing more is written for this request.
 */
void	 resp_stream_abort(struct req *);
void	 resp_reset(struct req *);
/* Set-Cookie with HttpOnly, SameSite=Lax, Secure when https. */
void	 resp_cookie(struct req *, const char *name, const char *value,
	    const char *path, long max_age);

/* JSON helpers that allocate in the request arena (via cJSON hooks). */
cJSON	*j_obj(void);
cJSON	*j_arr(void);
void	 j_str(cJSON *, const char *, const char *);	/* NULL -> null */
void	 j_int(cJSON *, const char *, int64_t);
void	 j_bool(cJSON *, const char *, int);
void	 j_null(cJSON *, const char *);
void	 j_add(cJSON *, const char *, cJSON *);

/*
 * ---- events (event.c) ----
 * What one domain sets off in another that it must not call by name: the
 * lower domain emits, the upper subscribes. A subscriber runs inside the
 * emitter's transaction (it opens none), in the order it declares (two
 * subscribers of one event at the same order refuse to start), and
 * returns 0 or an HTTP status with the response recorded; the first
 * status ends the run and is what event_emit() returns. The payload is
 * the emitter's struct, declared in its domain's header.
 *
 *	ON_EVENT(EV_MEMBER_JOINED, 20, referral_on_joined);
 */
enum event {
	EV_MEMBER_JOINED = 1,	/* struct member_joined (member/member.h) */
	EV_ORDER_PAID,		/* struct order_paid (order/order.h) */
	EV_ORDER_REFUNDED,	/* struct order_refunded (order/order.h) */
	EV_ONLINE_NOTIFIED,	/* struct online_notified (wallet/wallet.h) */
	EV_TIER_REWARDED,	/* struct tier_rewarded (tier/tier.h) */
	EV_RECHARGED,		/* struct recharged (wallet/wallet.h) */
	EV_NEVENTS
};

typedef int (*event_fn)(struct req *, const void *payload);

struct event_sub {
	int		 ev;
	int		 order;		/* lower runs first */
	event_fn	 fn;
	const char	*name, *file;
};

#define ON_EVENT(event, ord, func) \
	static const struct event_sub func##_sub = { (event), (ord), (func), \
	    #func, __FILE__ }; \
	static const struct event_sub *const func##_sub_reg \
	    __attribute__((used, section("app_events"))) = &func##_sub

/* Sort the subscriptions and check their order: 0, or -1 (printed). */
int	 event_init(void);
/* Run ev's subscribers: 0, or the first error status (recorded). */
int	 event_emit(struct req *, int ev, const void *payload);
const char *event_name(int ev);
/* The subscriptions in the order they run, one a line (app events). */
void	 event_print(void);

/* ---- logging (log.c) ---- */
void	 log_info(struct req *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_warn(struct req *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 log_err(struct req *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* ---- time (util.c) ---- */
/* RFC 3339 in the merchant's offset from a "YYYY-MM-DD HH:MM:SS" UTC string. */
const char *time_rfc3339(struct req *, const char *utc_sql);
const char *time_rfc3339_t(struct req *, int64_t unix_ts);
int64_t	 time_now(void);
/* Milliseconds of the monotonic clock (intervals, ages). */
int64_t	 time_mono_ms(void);

/* ---- heap copies for what a worker keeps across requests (util.c) ---- */
/* strdup(s), NULL for NULL; out of memory: NULL and *failed set. */
char	*strdup_kept(const char *s, int *failed);

/* ---- crypto helpers over libsodium (util.c) ---- */
void	 rand_bytes(void *, size_t);
uint32_t rand_uniform(uint32_t upper);
/* Hex of a keyed BLAKE2b-256 of data under the app secret (tokens, codes). */
char	*hash_hex(struct req *, const char *data, size_t len);
char	*hex_encode(struct arena *, const unsigned char *, size_t);
/*
 * Secrets kept in the database (a merchant's WeChat app secret, its
 * WeChat Pay private key and APIv3 key): sealed with XChaCha20-Poly1305
 * under a key derived from APP_SECRET for `purpose` (a short fixed label,
 * e.g. "wx.secret"), so a copy of the database alone reveals nothing and
 * a sealed value moved to another purpose does not open.
 * secret_seal: base64 text "v1:<nonce+ciphertext>" in arena a.
 * secret_open: the plain bytes (NUL-terminated, *len set when len) or
 * NULL when the value is not one we sealed for that purpose.
 */
char	*secret_seal(struct arena *, const char *purpose, const void *plain,
	    size_t len);
char	*secret_open(struct arena *, const char *purpose, const char *sealed,
	    size_t *len);

#endif
