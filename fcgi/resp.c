/*
 * Responses: status, headers, the contract's JSON envelope and errors,
 * HTML through templates. Everything is buffered in the arena and written
 * once by resp_send().
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "req.h"
#include "tmpl.h"

/* cJSON allocations come from the current request's arena while one runs. */
static struct arena *json_arena;

static void *
json_malloc(size_t n)
{
	return json_arena != NULL ? arena_alloc(json_arena, n) : malloc(n);
}

static void
json_free(void *p)
{
	if (json_arena == NULL)
		free(p);
}

void
json_hooks_arena(struct arena *a)
{
	static int installed;

	if (!installed) {
		cJSON_Hooks h = { json_malloc, json_free };

		cJSON_InitHooks(&h);
		installed = 1;
	}
	json_arena = a;
}

cJSON *
j_obj(void)
{
	return cJSON_CreateObject();
}

cJSON *
j_arr(void)
{
	return cJSON_CreateArray();
}

void
j_str(cJSON *o, const char *k, const char *v)
{
	if (v == NULL)
		cJSON_AddNullToObject(o, k);
	else
		cJSON_AddStringToObject(o, k, v);
}

void
j_int(cJSON *o, const char *k, int64_t v)
{
	cJSON_AddNumberToObject(o, k, (double)v);
}

void
j_bool(cJSON *o, const char *k, int v)
{
	cJSON_AddBoolToObject(o, k, v);
}

void
j_null(cJSON *o, const char *k)
{
	cJSON_AddNullToObject(o, k);
}

void
j_add(cJSON *o, const char *k, cJSON *v)
{
	if (v == NULL)
		cJSON_AddNullToObject(o, k);
	else if (cJSON_IsArray(o))
		cJSON_AddItemToArray(o, v);
	else
		cJSON_AddItemToObject(o, k, v);
}

void
resp_header(struct req *r, const char *name, const char *value)
{
	struct hdr *h = arena_alloc(r->a, sizeof(*h)), **pp;

	h->name = arena_strdup(r->a, name);
	h->value = arena_strdup(r->a, value);
	h->next = NULL;
	for (pp = &r->hdrs; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = h;
}

void
resp_reset(struct req *r)
{
	r->status = 0;
	r->hdrs = NULL;
	r->out = NULL;
	r->outlen = 0;
	r->ctype = NULL;
	r->err_code = NULL;
}

/*
 * JSON text of a cJSON tree, byte for byte what cJSON_PrintUnformatted()
 * gives (tests/unit compares them), without its sprintf/sscanf round trip
 * for every number: integers, which are nearly all of ours, are printed
 * directly.
 */
static void
json_put_string(struct sbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run;

	sbuf_putc(b, '"');
	if (s == NULL)
		s = "";
	for (run = s; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[6] = { '\\', 0, 0, 0, 0, 0 };
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		sbuf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		sbuf_add(b, esc, n);
	}
	sbuf_add(b, run, (size_t)(s - run));
	sbuf_putc(b, '"');
}

static void
json_put_number(struct sbuf *b, double d)
{
	char buf[32];
	double test;
	int n;

	if (isnan(d) || isinf(d)) {
		sbuf_add(b, "null", 4);
		return;
	}
	/* what %1.15g prints without an exponent or a fraction */
	if (d > -1e15 && d < 1e15 && d == (double)(int64_t)d &&
	    !(d == 0 && signbit(d))) {
		int64_t v = (int64_t)d;
		uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
		char *p = buf + sizeof(buf);

		do
			*--p = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (v < 0)
			*--p = '-';
		sbuf_add(b, p, (size_t)(buf + sizeof(buf) - p));
		return;
	}
	/* cJSON's way: 15 digits when they read back as the same number */
	n = snprintf(buf, sizeof(buf), "%1.15g", d);
	if (sscanf(buf, "%lg", &test) != 1 ||
	    fabs(test - d) > fmax(fabs(test), fabs(d)) * DBL_EPSILON)
		n = snprintf(buf, sizeof(buf), "%1.17g", d);
	sbuf_add(b, buf, (size_t)n);
}

/* 0, or -1 for a tree cJSON would not print (an invalid or empty raw item). */
static int
json_put(struct sbuf *b, const cJSON *j)
{
	const cJSON *c;

	switch (j->type & 0xFF) {
	case cJSON_NULL:
		sbuf_add(b, "null", 4);
		return 0;
	case cJSON_False:
		sbuf_add(b, "false", 5);
		return 0;
	case cJSON_True:
		sbuf_add(b, "true", 4);
		return 0;
	case cJSON_Number:
		json_put_number(b, j->valuedouble);
		return 0;
	case cJSON_String:
		json_put_string(b, j->valuestring);
		return 0;
	case cJSON_Raw:
		if (j->valuestring == NULL)
			return -1;
		sbuf_puts(b, j->valuestring);
		return 0;
	case cJSON_Array:
	case cJSON_Object:
		sbuf_putc(b, (j->type & 0xFF) == cJSON_Array ? '[' : '{');
		for (c = j->child; c != NULL; c = c->next) {
			if (c != j->child)
				sbuf_putc(b, ',');
			if ((j->type & 0xFF) == cJSON_Object) {
				json_put_string(b, c->string);
				sbuf_putc(b, ':');
			}
			if (json_put(b, c) == -1)
				return -1;
		}
		sbuf_putc(b, (j->type & 0xFF) == cJSON_Array ? ']' : '}');
		return 0;
	default:
		return -1;
	}
}

char *
json_print(struct arena *a, const cJSON *j, size_t *len)
{
	struct sbuf b;

	sbuf_init(&b, a, 512);
	if (j == NULL || json_put(&b, j) == -1)
		return NULL;
	if (len != NULL)
		*len = b.len;
	return b.buf;
}

static int
set_json(struct req *r, int status, cJSON *root)
{
	size_t n;
	char *s = json_print(r->a, root, &n);

	if (s == NULL)
		return resp_internal(r);
	r->status = status;
	r->ctype = "application/json; charset=utf-8";
	r->out = s;
	r->outlen = n;
	return status;
}

int
resp_data(struct req *r, int status, cJSON *data)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "data", data ? data : cJSON_CreateNull());
	return set_json(r, status, root);
}

int
resp_list(struct req *r, cJSON *arr, int64_t next)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddItemToObject(root, "data", arr);
	if (next > 0)
		cJSON_AddStringToObject(root, "next_cursor",
		    arena_printf(r->a, "%lld", (long long)next));
	else
		cJSON_AddNullToObject(root, "next_cursor");
	return set_json(r, 200, root);
}

static const char *
status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

int
resp_err(struct req *r, int status, const char *code, const char *message,
    const char *field)
{
	cJSON *root, *e;

	r->err_code = code;
	if (r->route != NULL && (r->route->flags & HTML)) {
		cJSON *ctx = cJSON_CreateObject();

		cJSON_AddNumberToObject(ctx, "status", status);
		cJSON_AddStringToObject(ctx, "code", code);
		cJSON_AddStringToObject(ctx, "message", message);
		cJSON_AddStringToObject(ctx, "title", message);
		if (tmpl_exists("pages/error"))
			return resp_html(r, status, "pages/error", ctx);
	}
	root = cJSON_CreateObject();
	e = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	if (field != NULL)
		cJSON_AddStringToObject(e, "field", field);
	return set_json(r, status, root);
}

int
resp_bad_field(struct req *r, const char *field, const char *message)
{
	return resp_err(r, 400, "invalid_field", message, field);
}

int
resp_internal(struct req *r)
{
	return resp_err(r, 500, "internal", "系统错误，请稍后再试", NULL);
}

int
resp_raw(struct req *r, int status, const char *ctype, const void *p,
    size_t n)
{
	r->status = status;
	r->ctype = arena_strdup(r->a, ctype);
	r->out = p;
	r->outlen = n;
	return status;
}

int
resp_html(struct req *r, int status, const char *name, cJSON *ctx)
{
	char *out;
	size_t len;

	if (ctx == NULL)
		ctx = cJSON_CreateObject();
	if (r->m != NULL && cJSON_GetObjectItem(ctx, "merchant") == NULL) {
		cJSON *m = cJSON_AddObjectToObject(ctx, "merchant");

		cJSON_AddStringToObject(m, "code", r->m->code);
		cJSON_AddStringToObject(m, "name", r->m->name);
	}
	/* the ?v= of static URLs, so that they are kept long (see nginx) */
	if (cJSON_GetObjectItem(ctx, "asset_v") == NULL)
		cJSON_AddStringToObject(ctx, "asset_v", cfg.asset_v);
	if (tmpl_render(r->a, name, ctx, &out, &len) == -1) {
		log_err(r, "template %s failed", name);
		r->route = NULL;	/* plain JSON error, no recursion */
		return resp_internal(r);
	}
	r->status = status;
	r->ctype = "text/html; charset=utf-8";
	r->out = out;
	r->outlen = len;
	return status;
}

int
resp_redirect(struct req *r, int status, const char *location)
{
	resp_header(r, "Location", location);
	r->status = status;
	r->ctype = "text/plain; charset=utf-8";
	r->out = "";
	r->outlen = 0;
	return status;
}

void
resp_cookie(struct req *r, const char *name, const char *value,
    const char *path, long max_age)
{
	resp_header(r, "Set-Cookie", arena_printf(r->a,
	    "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name,
	    value, path, max_age,
	    strcmp(r->scheme ? r->scheme : "http", "https") == 0 ?
	    "; Secure" : ""));
}

/* The status line and headers; Content-Length only when not streamed. */
static void
send_head(struct req *r, int with_length)
{
	FCGX_Request *f = r->io;
	struct hdr *h;
	int has_cc = 0, has_retry = 0;

	FCGX_FPrintF(f->out, "Status: %d %s\r\n", r->status,
	    status_text(r->status));
	FCGX_FPrintF(f->out, "Content-Type: %s\r\n",
	    r->ctype ? r->ctype : "application/json; charset=utf-8");
	if (with_length)
		FCGX_FPrintF(f->out, "Content-Length: %lu\r\n",
		    (unsigned long)r->outlen);
	FCGX_FPrintF(f->out, "X-Request-Id: %s\r\n", r->request_id);
	FCGX_PutS("X-Content-Type-Options: nosniff\r\n", f->out);
	for (h = r->hdrs; h != NULL; h = h->next) {
		if (strcasecmp(h->name, "Cache-Control") == 0)
			has_cc = 1;
		if (strcasecmp(h->name, "Retry-After") == 0)
			has_retry = 1;
		FCGX_FPrintF(f->out, "%s: %s\r\n", h->name, h->value);
	}
	if (!has_cc)
		FCGX_PutS("Cache-Control: no-store\r\n", f->out);
	if ((r->status == 429 || r->status == 503) && !has_retry)
		FCGX_PutS(r->status == 429 ? "Retry-After: 60\r\n" :
		    "Retry-After: 5\r\n", f->out);
	FCGX_PutS("\r\n", f->out);
}

int
resp_stream_begin(struct req *r, int status, const char *ctype)
{
	FCGX_Request *f = r->io;

	r->status = status;
	r->ctype = arena_strdup(r->a, ctype);
	r->out = NULL;
	r->outlen = 0;
	r->streamed = 1;
	send_head(r, 0);
	return FCGX_GetError(f->out) == 0 ? 0 : -1;
}

int
resp_stream_write(struct req *r, const void *p, size_t n)
{
	FCGX_Request *f = r->io;

	if (r->method == M_HEAD || n == 0)
		return 0;
	if (FCGX_PutStr(p, (int)n, f->out) != (int)n ||
	    FCGX_FFlush(f->out) == -1) {
		log_warn(r, "stream: the client is gone");
		return -1;
	}
	return 0;
}

/*
 * FastCGI has no record by which an application says that a response
 * failed, and nginx takes the end of the connection before the end of the
 * request as the end of the body (fastcgi_keep_conn off: it sends the last
 * chunk). A record header of protocol version 0, which nginx must refuse,
 * is what makes it end the client's response as failed instead ("upstream
 * sent unsupported FastCGI protocol version: 0" in its error log): it drops
 * the client's connection without the last chunk. The socket is then shut,
 * so that what FCGX_Finish_r() adds (the end of the stream and of the
 * request) goes nowhere (EPIPE; SIGPIPE is ignored).
 */
void
resp_stream_abort(struct req *r)
{
	static const unsigned char refused[8] = { 0 };
	FCGX_Request *f = r->io;

	if (!r->streamed || f == NULL || f->ipcFd < 0)
		return;
	FCGX_FFlush(f->out);	/* what was written goes first */
	f->keepConnection = 0;
	if (write(f->ipcFd, refused, sizeof(refused)) != (ssize_t)sizeof(refused))
		log_warn(r, "stream: the connection is gone already");
	shutdown(f->ipcFd, SHUT_RDWR);
	log_warn(r, "stream: cut off, the response ends as failed");
}

void
resp_send(struct req *r)
{
	FCGX_Request *f = r->io;

	if (r->streamed)
		return;		/* head and body are out already */
	if (r->status == 0)
		resp_internal(r);
	send_head(r, 1);
	if (r->method != M_HEAD && r->outlen > 0)
		FCGX_PutStr(r->out, (int)r->outlen, f->out);
}
