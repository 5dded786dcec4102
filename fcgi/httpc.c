/* Outbound HTTPS over libcurl (httpc.h). */
#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "arena.h"
#include "httpc.h"

static CURL *handle;		/* this worker's, with its connection cache */

struct sink {
	struct arena	*a;
	struct sbuf	 body;
	int		 too_big;
	char		**hdr;
	int		 nhdr, caphdr;
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (s->body.len + size * n > HTTPC_MAX_BODY) {
		s->too_big = 1;
		return 0;		/* curl stops with CURLE_WRITE_ERROR */
	}
	sbuf_add(&s->body, p, size * n);
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;
	size_t len = size * n;

	/* A new status line (redirects are off, but 100 Continue is not)
	   starts the set again. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		s->nhdr = 0;
		return len;
	}
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (len == 0 || memchr(p, ':', len) == NULL)
		return size * n;
	if (s->nhdr == s->caphdr) {
		int cap = s->caphdr ? 2 * s->caphdr : 16;

		s->hdr = arena_realloc(s->a, s->hdr,
		    sizeof(char *) * (size_t)s->caphdr,
		    sizeof(char *) * (size_t)cap);
		s->caphdr = cap;
	}
	s->hdr[s->nhdr++] = arena_strndup(s->a, p, len);
	return size * n;
}

/* The URL without its query, for logs. */
static const char *
url_path(struct arena *a, const char *url)
{
	const char *q = strchr(url, '?');

	return q != NULL ? arena_strndup(a, url, (size_t)(q - url)) : url;
}

enum httpc_err
httpc_do(struct arena *a, const char *method, const char *url,
    const char *const *headers, const char *body, size_t body_len,
    int timeout_ms, struct httpc_resp *out)
{
	struct curl_slist *hl = NULL;
	struct sink s = { .a = a };
	CURLcode rc;
	enum httpc_err err = HTTPC_OK;

	memset(out, 0, sizeof(*out));
	if (handle == NULL) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		handle = curl_easy_init();
		if (handle == NULL)
			return HTTPC_UNREACHABLE;
	}
	curl_easy_reset(handle);
	sbuf_init(&s.body, a, 1024);
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	/* No "Expect: 100-continue" round trip for bodies over 1 KB. */
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(handle, CURLOPT_URL, url);
	curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(handle, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(timeout_ms < 3000 ? timeout_ms : 3000));
	curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(handle, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(handle, CURLOPT_HEADERDATA, &s);
	if (body != NULL) {
		curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)body_len);
	} else if (strcmp(method, "GET") == 0)
		curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
	rc = curl_easy_perform(handle);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		err = s.too_big ? HTTPC_TOO_BIG :
		    rc == CURLE_OPERATION_TIMEDOUT ? HTTPC_TIMEOUT :
		    HTTPC_UNREACHABLE;
		log_warn(NULL, "httpc: %s %s: %s", method, url_path(a, url),
		    curl_easy_strerror(rc));
		return err;
	}
	curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &out->status);
	out->len = s.body.len;
	sbuf_putc(&s.body, '\0');
	out->body = s.body.buf;
	out->headers = s.hdr;
	out->nheaders = s.nhdr;
	return HTTPC_OK;
}

const char *
httpc_header(const struct httpc_resp *r, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = r->nheaders - 1; i >= 0; i--) {
		const char *h = r->headers[i];

		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			h += n + 1;
			while (*h == ' ' || *h == '\t')
				h++;
			return h;
		}
	}
	return NULL;
}
