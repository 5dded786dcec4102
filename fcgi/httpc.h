/*
 * Outbound HTTPS for the providers the app talks to (WeChat's server APIs,
 * WeChat Pay), over libcurl with OpenSSL. One connection cache per worker
 * process, reused across requests; every call has a bounded timeout, so a
 * slow or unreachable provider costs a request at most that long and never
 * hangs a worker. Never called inside a database transaction.
 *
 * The base URLs come from the environment (cfg.wx_api_base,
 * cfg.wxpay_api_base): WeChat's own by default, the local fake of
 * tests/fake/ on dev and test stacks.
 */
#ifndef HTTPC_H
#define HTTPC_H
#include <stddef.h>

struct arena;

struct httpc_resp {
	long		 status;	/* HTTP status, 0 when none came */
	char		*body;		/* NUL-terminated, arena-allocated */
	size_t		 len;
	char		**headers;	/* "name: value" lines as received */
	int		 nheaders;
};

/* What went wrong when no answer came. */
enum httpc_err {
	HTTPC_OK = 0,
	HTTPC_TIMEOUT,		/* no complete answer within timeout_ms */
	HTTPC_UNREACHABLE,	/* refused, unresolvable, TLS failure */
	HTTPC_TOO_BIG,		/* the answer passed HTTPC_MAX_BODY */
};

#define HTTPC_MAX_BODY	(1024 * 1024)

/*
 * method "GET" or "POST" (any verb curl knows); headers a NULL-terminated
 * list of "Name: value" or NULL; body may be NULL. Fills *out (in arena a)
 * with whatever status came and returns HTTPC_OK, or one of the errors
 * (out->status 0). Logs failures with the URL's path, never its query
 * (it may carry secrets).
 */
enum httpc_err httpc_do(struct arena *a, const char *method, const char *url,
	    const char *const *headers, const char *body, size_t body_len,
	    int timeout_ms, struct httpc_resp *out);

/* A response header's value (name case-insensitive), or NULL. */
const char *httpc_header(const struct httpc_resp *, const char *name);

#endif
