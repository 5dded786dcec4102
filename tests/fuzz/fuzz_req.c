/*
 * The request parser and the JSON input layer: arbitrary bytes as the
 * body, the query string and the cookie header of a request, through the
 * same helpers handlers use. Nothing may crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "app.h"
#include "req.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena *a;
	struct req r;
	const char *s;
	int64_t i;
	int b;
	char *buf;

	if (a == NULL)
		a = arena_new(64 * 1024);
	json_hooks_arena(a);
	memset(&r, 0, sizeof(r));
	r.a = a;
	buf = arena_alloc(a, size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';

	/* the whole input as a JSON body */
	r.content_type = "application/json";
	r.body = buf;
	r.body_len = size;
	if (req_json_body(&r) == 0) {
		req_json_str(&r, "phone", 1, 1, 16, &s);
		req_json_str(&r, "name", 0, 0, 32, &s);
		req_json_int(&r, "template_id", 1, 1, INT64_MAX, &i);
		req_json_int(&r, "order_fen", 0, 0, 100000000, &i);
		req_json_bool(&r, "enabled", 0, &b);
	}
	resp_reset(&r);

	/* the same bytes as a query string and a cookie header */
	r.query = strlen(buf) < size ? "" : buf;
	req_query(&r, "status");
	req_query(&r, "limit");
	req_query_int(&r, "limit", 0, 1, 100, &i);
	r.cookie_hdr = buf;
	req_cookie(&r, "sid", 0);
	req_cookie(&r, "sid", 1);
	url_decode(a, buf, size, 1);
	json_depth_ok(buf, size, JSON_MAX_DEPTH);
	utf8_ok(buf, size, NULL);
	parse_int(buf, INT64_MIN, INT64_MAX, &i);

	json_hooks_arena(NULL);
	arena_reset(a);
	return 0;
}
