/*
 * Request layer: CGI parameters copied into the request's arena, the body
 * read within hard limits, query string, cookies and the JSON input helpers.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "app.h"
#include "req.h"

static const char *
param(struct req *r, FCGX_ParamArray env, const char *name)
{
	const char *v = FCGX_GetParam(name, env);

	return v != NULL ? arena_strdup(r->a, v) : NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode (and '+' to space when form is set); -1 on bad escapes. */
char *
url_decode(struct arena *a, const char *s, size_t n, int form)
{
	char *out = arena_alloc(a, n + 1), *p = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int h, l;

			if (i + 2 >= n)
				return NULL;
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
			if (h < 0 || l < 0)
				return NULL;
			*p++ = (char)(h * 16 + l);
			i += 2;
		} else if (s[i] == '+' && form)
			*p++ = ' ';
		else
			*p++ = s[i];
	}
	*p = '\0';
	if (memchr(out, '\0', (size_t)(p - out)) != NULL)
		return NULL;
	return out;
}

static int
method_of(const char *m)
{
	if (m == NULL)
		return 0;
	if (strcmp(m, "GET") == 0)
		return M_GET;
	if (strcmp(m, "HEAD") == 0)
		return M_HEAD;
	if (strcmp(m, "POST") == 0)
		return M_POST;
	if (strcmp(m, "PUT") == 0)
		return M_PUT;
	if (strcmp(m, "PATCH") == 0)
		return M_PATCH;
	if (strcmp(m, "DELETE") == 0)
		return M_DELETE;
	return 0;
}

/*
 * Copy what the request carries into the arena. Returns 0, or -1 with an
 * error response recorded (path not decodable).
 */
int
req_begin(struct req *r, void *io)
{
	FCGX_Request *f = io;
	FCGX_ParamArray env = f->envp;
	const char *uri, *q;
	size_t plen;

	r->io = io;
	r->request_id = param(r, env, "REQUEST_ID");
	if (r->request_id == NULL || *r->request_id == '\0') {
		unsigned char id[12];

		rand_bytes(id, sizeof(id));
		r->request_id = hex_encode(r->a, id, sizeof(id));
	}
	r->method_name = param(r, env, "REQUEST_METHOD");
	r->method = method_of(r->method_name);
	r->remote_addr = param(r, env, "REMOTE_ADDR");
	r->content_type = param(r, env, "CONTENT_TYPE");
	r->host = param(r, env, "HTTP_HOST");
	r->scheme = FCGX_GetParam("HTTPS", env) != NULL &&
	    strcmp(FCGX_GetParam("HTTPS", env), "on") == 0 ? "https" : "http";
	r->cookie_hdr = param(r, env, "HTTP_COOKIE");
	r->authz_hdr = param(r, env, "HTTP_AUTHORIZATION");
	r->csrf_hdr = param(r, env, "HTTP_X_CSRF_TOKEN");
	r->idem_key = param(r, env, "HTTP_IDEMPOTENCY_KEY");
	r->user_agent = param(r, env, "HTTP_USER_AGENT");
	uri = FCGX_GetParam("REQUEST_URI", env);
	if (uri == NULL)
		uri = FCGX_GetParam("SCRIPT_NAME", env);
	if (uri == NULL)
		uri = "/";
	q = strchr(uri, '?');
	plen = q != NULL ? (size_t)(q - uri) : strlen(uri);
	r->query = arena_strdup(r->a, q != NULL ? q + 1 : "");
	r->path = url_decode(r->a, uri, plen, 0);
	if (r->path == NULL || r->path[0] != '/') {
		r->path = "/";
		resp_err(r, 400, "invalid_field", "请求路径无效", "path");
		return -1;
	}
	r->ctype = NULL;
	r->status = 0;
	return 0;
}

/*
 * Read the body after the route is known (its flags set the limit).
 * CONTENT_LENGTH absent or empty means no body. Non-numeric, negative,
 * over the limit, or more than what arrives: a contract error, and the
 * body is never read past the limit.
 */
int
req_read_body(struct req *r, size_t limit)
{
	FCGX_Request *f = r->io;
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", f->envp);
	char *end, *buf;
	long long n;
	int got;

	r->body = "";
	r->body_len = 0;
	if (cl == NULL || *cl == '\0')
		return 0;
	errno = 0;
	n = strtoll(cl, &end, 10);
	if (*end != '\0' || !isdigit((unsigned char)cl[0]) ||
	    (errno != 0 && errno != ERANGE))
		return resp_err(r, 400, "invalid_json", "请求体长度无效", NULL),
		    -1;
	/* all digits: too many of them is a body too large */
	if (errno == ERANGE || (unsigned long long)n > limit)
		return resp_err(r, 413, "body_too_large", "请求体过大", NULL),
		    -1;
	buf = arena_alloc(r->a, (size_t)n + 1);
	got = n > 0 ? FCGX_GetStr(buf, (int)n, f->in) : 0;
	if (got != (int)n)
		return resp_err(r, 400, "invalid_json", "请求体不完整", NULL),
		    -1;
	buf[n] = '\0';
	r->body = buf;
	r->body_len = (size_t)n;
	return 0;
}

const char *
req_param(struct req *r, const char *name)
{
	int i;

	for (i = 0; i < r->nparams; i++)
		if (strcmp(r->pname[i], name) == 0)
			return r->pval[i];
	return NULL;
}

const char *
req_query(struct req *r, const char *name)
{
	const char *p = r->query;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;

		if (klen == nl && strncmp(p, name, nl) == 0) {
			const char *v;

			if (eq == NULL)
				return "";
			v = url_decode(r->a, eq + 1, len - klen - 1, 1);
			/*
			 * Given but unreadable (a broken %-escape, a NUL):
			 * not absent, but a control character that every
			 * check of a value refuses.
			 */
			return v != NULL ? v : "\x7f";
		}
		p = amp ? amp + 1 : NULL;
	}
	return NULL;
}

const char *
req_header(struct req *r, const char *cgi_name)
{
	FCGX_Request *f = r->io;

	return f != NULL ? FCGX_GetParam(cgi_name, f->envp) : NULL;
}

const char *
req_cookie(struct req *r, const char *name, int nth)
{
	const char *p = r->cookie_hdr;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *semi, *eq;
		size_t len;

		while (*p == ' ' || *p == '\t')
			p++;
		semi = strchr(p, ';');
		len = semi ? (size_t)(semi - p) : strlen(p);
		eq = memchr(p, '=', len);
		if (eq != NULL && (size_t)(eq - p) == nl &&
		    strncmp(p, name, nl) == 0 && nth-- == 0) {
			size_t vl = len - nl - 1;

			while (vl > 0 && (eq[vl] == ' ' || eq[vl] == '\t'))
				vl--;
			return arena_strndup(r->a, eq + 1, vl);
		}
		p = semi ? semi + 1 : NULL;
	}
	return NULL;
}

/* Nesting depth of a JSON text, strings skipped; > JSON_MAX_DEPTH stops. */
int
json_depth_ok(const char *s, size_t n, int max)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth > max)
				return 0;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return 1;
}

/*
 * "\u0000" decodes to a NUL that would end a C string early, so that the
 * checks see less than the client sent: read it as U+0001 instead, a
 * control character every text check refuses. A copy only when needed.
 */
static const char *
json_nul_escapes(struct req *r, const char *s, size_t n)
{
	char *c = NULL;
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 6 <= n &&
		    memcmp(s + i + 2, "0000", 4) == 0) {
			if (c == NULL)
				c = arena_strndup(r->a, s, n);
			c[i + 5] = '1';
		}
		i++;	/* the escaped character */
	}
	return c != NULL ? c : s;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string,
	    (*(const cJSON *const *)b)->string);
}

/*
 * The first key that an object of the tree has twice, or NULL. Parsers
 * differ on which of two keys wins, so a gateway and the app could read
 * different requests: neither is taken. Sorted, not compared in pairs,
 * so that a body of many keys costs n log n.
 */
static const char *
json_dup_key(struct req *r, const cJSON *j)
{
	const cJSON *c, **keys;
	const char *d;
	size_t n = 0, i;

	for (c = j->child; c != NULL; c = c->next) {
		n++;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) &&
		    (d = json_dup_key(r, c)) != NULL)
			return d;
	}
	if (!cJSON_IsObject(j) || n < 2)
		return NULL;
	keys = arena_calloc(r->a, n, sizeof(*keys));
	for (i = 0, c = j->child; c != NULL; c = c->next)
		keys[i++] = c;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(keys[i - 1]->string, keys[i]->string) == 0)
			return keys[i]->string;
	return NULL;
}

int
req_json_body(struct req *r)
{
	const char *ct = r->content_type;
	const char *end = NULL, *body, *dup;
	cJSON *j;

	if (r->json != NULL)
		return 0;
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		resp_err(r, 415, "unsupported_media_type",
		    "请使用 application/json 提交", NULL);
		return -1;
	}
	if (r->body_len == 0) {
		resp_err(r, 400, "invalid_json", "请求体为空", NULL);
		return -1;
	}
	if (!json_depth_ok(r->body, r->body_len, JSON_MAX_DEPTH)) {
		resp_err(r, 400, "invalid_json", "JSON 嵌套过深", NULL);
		return -1;
	}
	body = json_nul_escapes(r, r->body, r->body_len);
	j = cJSON_ParseWithLengthOpts(body, r->body_len, &end, 0);
	if (j == NULL) {
		resp_err(r, 400, "invalid_json", "JSON 格式错误", NULL);
		return -1;
	}
	while (end != NULL && end < body + r->body_len &&
	    isspace((unsigned char)*end))
		end++;
	if (end != body + r->body_len) {
		resp_err(r, 400, "invalid_json", "JSON 格式错误", NULL);
		return -1;
	}
	if (!cJSON_IsObject(j)) {
		resp_err(r, 400, "invalid_json", "请求体必须是 JSON 对象",
		    NULL);
		return -1;
	}
	if ((dup = json_dup_key(r, j)) != NULL) {
		resp_err(r, 400, "invalid_json", "同一字段出现了两次", dup);
		return -1;
	}
	r->json = j;
	return 0;
}

cJSON *
json_member(const cJSON *o, const char *key)
{
	cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return v == NULL || cJSON_IsNull(v) ? NULL : v;
}

static cJSON *
field(struct req *r, const char *name)
{
	return json_member(r->json, name);
}

/* Valid UTF-8 without control characters other than \n and \t. */
int
utf8_ok(const char *s, size_t n, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, c = 0;

	while (i < n) {
		unsigned ch = p[i];
		int k;

		if (ch < 0x80) {
			if ((ch < 0x20 && ch != '\n' && ch != '\t') ||
			    ch == 0x7f)
				return 0;
			i++;
			c++;
			continue;
		}
		if ((ch & 0xe0) == 0xc0 && ch >= 0xc2)
			k = 1;
		else if ((ch & 0xf0) == 0xe0)
			k = 2;
		else if ((ch & 0xf8) == 0xf0 && ch <= 0xf4)
			k = 3;
		else
			return 0;
		if (i + (size_t)k >= n)
			return 0;
		for (int j = 1; j <= k; j++)
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
		if (k == 2 && ch == 0xe0 && p[i + 1] < 0xa0)
			return 0;
		if (k == 2 && ch == 0xed && p[i + 1] >= 0xa0)
			return 0;
		if (k == 3 && ch == 0xf0 && p[i + 1] < 0x90)
			return 0;
		if (k == 3 && ch == 0xf4 && p[i + 1] >= 0x90)
			return 0;
		i += (size_t)k + 1;
		c++;
	}
	if (chars)
		*chars = c;
	return 1;
}

int
req_json_str(struct req *r, const char *name, int required, size_t minlen,
    size_t maxlen, const char **out)
{
	cJSON *v = field(r, name);
	size_t chars = 0;

	*out = NULL;
	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, name, "缺少必填项");
		return -1;
	}
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		resp_bad_field(r, name, "应为字符串");
		return -1;
	}
	if (!utf8_ok(v->valuestring, strlen(v->valuestring), &chars)) {
		resp_bad_field(r, name, "包含无效字符");
		return -1;
	}
	if (chars < minlen || chars > maxlen) {
		resp_bad_field(r, name, "长度不符合要求");
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

int
json_integer(const cJSON *v, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	/* in range before the cast: casting 1e300 is undefined behaviour */
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) ||
	    d != (double)(int64_t)d)
		return -1;
	*out = (int64_t)d;
	return 0;
}

int
req_obj_int(struct req *r, cJSON *o, const char *key, const char *name,
    int required, int64_t min, int64_t max, int64_t *out)
{
	cJSON *v = json_member(o, key);
	int64_t i;

	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, name, "缺少必填项");
		return -1;
	}
	if (json_integer(v, &i) == -1) {
		resp_bad_field(r, name, "应为整数");
		return -1;
	}
	if (i < min || i > max) {
		resp_bad_field(r, name, "超出允许范围");
		return -1;
	}
	*out = i;
	return 0;
}

int
req_json_int(struct req *r, const char *name, int required, int64_t min,
    int64_t max, int64_t *out)
{
	return req_obj_int(r, r->json, name, name, required, min, max, out);
}

int
req_json_bool(struct req *r, const char *name, int required, int *out)
{
	cJSON *v = field(r, name);

	if (v == NULL) {
		if (!required)
			return 1;
		resp_bad_field(r, name, "缺少必填项");
		return -1;
	}
	if (!cJSON_IsBool(v)) {
		resp_bad_field(r, name, "应为 true 或 false");
		return -1;
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

/* A decimal integer in full, within range; no signs other than '-'. */
int
parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s) || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
req_query_int(struct req *r, const char *name, int required, int64_t min,
    int64_t max, int64_t *out)
{
	const char *v = req_query(r, name);

	if (v == NULL || *v == '\0') {
		if (!required)
			return 1;
		resp_bad_field(r, name, "缺少必填项");
		return -1;
	}
	if (parse_int(v, min, max, out) == -1) {
		resp_bad_field(r, name, "应为范围内的整数");
		return -1;
	}
	return 0;
}

int
req_page(struct req *r, int64_t *limit, int64_t *cursor)
{
	*limit = 20;
	*cursor = 0;
	if (req_query_int(r, "limit", 0, 1, 100, limit) == -1)
		return -1;
	if (req_query_int(r, "cursor", 0, 1, INT64_MAX, cursor) == -1)
		return -1;
	return 0;
}

int
req_param_id(struct req *r, const char *name, int64_t *out)
{
	return parse_int(req_param(r, name), 1, INT64_MAX, out);
}

int
utf8_text_ok(const char *s, size_t *chars)
{
	return utf8_ok(s, strlen(s), chars);
}
