/*
 * libFuzzer target for the template engine. The input is a template
 * source, a NUL byte, then a JSON context: parse the template, render
 * it (and through a partial that includes it, for recursion), run the
 * escapers over the raw bytes, and free everything.
 *
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *	-D_GNU_SOURCE -I fcgi tests/fuzz/fuzz_tmpl.c fcgi/tmpl.c \
 *	fcgi/arena.c -lcjson -o fuzz_tmpl
 *   ./fuzz_tmpl -close_fd_mask=2 -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "tmpl.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char wrap[] = "<{{#x}}{{>f}}{{/x}}{{^x}}{{>f}}{{/x}}>";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data, *nul;
	size_t srclen = size;
	struct arena *a;
	struct sbuf sb;
	cJSON *ctx = NULL;
	char *out;
	size_t outlen;

	if ((nul = memchr(data, '\0', size)) != NULL) {
		srclen = (size_t)(nul - src);
		ctx = cJSON_ParseWithLength(nul + 1, size - srclen - 1);
	}

	a = arena_new(1024);
	if (tmpl_add("f", src, srclen) == 0) {
		if (tmpl_render(a, "f", ctx, &out, &outlen) == 0 &&
		    strlen(out) > outlen)
			abort();
		if (tmpl_add("w", wrap, sizeof(wrap) - 1) != 0)
			abort();
		(void)tmpl_render(a, "w", ctx, &out, &outlen);
	}

	sbuf_init(&sb, a, 0);
	tmpl_esc_html(&sb, src, size);
	tmpl_esc_url(&sb, src, size);
	tmpl_esc_js(&sb, src, size);

	cJSON_Delete(ctx);
	arena_free(a);
	tmpl_free_all();
	return 0;
}
