/*
 * Templates, parsed once at start-up, rendered against a cJSON context.
 *
 *   {{name}}          value, HTML-escaped (the default)
 *   {{a.b.c}}         dotted lookup; each name is looked up through the
 *                     context stack from the innermost outwards
 *   {{.}}             the current item
 *   {{name|url}}      percent-encoded for a URL component
 *   {{name|js}}       a JSON literal safe inside <script> (< > & U+2028/9 escaped)
 *   {{name|attr}}     HTML-escaped (same as default; for readability)
 *   {{name|raw}}      unescaped: rare, and easy to spot in review
 *   {{#name}}..{{/name}}   section: array -> once per item (item is the
 *                     context); object -> once with it pushed; true, non-zero
 *                     number, non-empty string -> once; else skipped
 *   {{^name}}..{{/name}}   inverted section: rendered when the value is
 *                     missing, null, false, 0, "" or []
 *   {{>partial}}      another template by name, same context
 *   {{! comment }}
 * Numbers print as integers when integral. Booleans print true/false.
 * Null, missing values, objects and arrays print nothing (|js: JSON).
 * Names are [A-Za-z0-9_-] segments joined by dots; blanks inside the
 * braces are ignored; a filter goes only on a {{name}} tag.
 */
#ifndef TMPL_H
#define TMPL_H
#include <stddef.h>
#include "cjson/cJSON.h"

struct arena;

/*
 * Parse every *.html under dir (names without ".html", subdirs as "a/b").
 * Returns -1 if any file fails to load or parse, or a template names a
 * partial that does not exist; each problem is logged as name:line.
 */
int	 tmpl_load_dir(const char *dir);
/*
 * Parse one template from memory and register it under name, replacing
 * one of the same name. On a parse error logs name:line, returns -1 and
 * leaves the registry as it was.
 */
int	 tmpl_add(const char *name, const char *src, size_t len);
int	 tmpl_exists(const char *name);
/* Render into arena memory. Returns 0, or -1 (unknown template, depth). */
int	 tmpl_render(struct arena *, const char *name, const cJSON *ctx,
	    char **out, size_t *outlen);
void	 tmpl_free_all(void);

/*
 * Escapers, exposed for unit tests and other callers; append to sbuf.
 * tmpl_esc_js appends a quoted JSON string literal, quotes included.
 */
struct sbuf;
void	 tmpl_esc_html(struct sbuf *, const char *, size_t);
void	 tmpl_esc_url(struct sbuf *, const char *, size_t);
void	 tmpl_esc_js(struct sbuf *, const char *, size_t);

#endif
