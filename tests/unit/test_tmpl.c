/*
 * Template engine: escapers, value printing, lookup, sections, partials,
 * parse errors (logged as name:line), limits and tmpl_load_dir.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "tmpl.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Stderr goes to a temporary file between cap_start() and cap_end(). */
static FILE	*cap_file;
static int	 cap_saved = -1;

static void
cap_start(void)
{
	fflush(stderr);
	if ((cap_file = tmpfile()) == NULL)
		abort();
	cap_saved = dup(STDERR_FILENO);
	dup2(fileno(cap_file), STDERR_FILENO);
}

static const char *
cap_end(void)
{
	static char buf[4096];
	size_t n;

	fflush(stderr);
	dup2(cap_saved, STDERR_FILENO);
	close(cap_saved);
	rewind(cap_file);
	n = fread(buf, 1, sizeof(buf) - 1, cap_file);
	buf[n] = '\0';
	fclose(cap_file);
	return buf;
}

/* Render src (registered as "t") against json; NULL on any failure. */
static const char *
render(struct arena *a, const char *src, const char *json)
{
	cJSON *ctx = NULL;
	char *out;
	size_t len;
	int rc;

	if (json != NULL && (ctx = cJSON_Parse(json)) == NULL)
		return NULL;
	if (tmpl_add("t", src, strlen(src)) == -1) {
		cJSON_Delete(ctx);
		return NULL;
	}
	rc = tmpl_render(a, "t", ctx, &out, &len);
	cJSON_Delete(ctx);
	if (rc == -1)
		return NULL;
	if (strlen(out) != len)
		return "(length mismatch)";
	return out;
}

static int
add(const char *name, const char *src)
{
	return tmpl_add(name, src, strlen(src));
}

struct rcase {
	const char	*src;
	const char	*json;
	const char	*want;
};

static void
run_cases(const struct rcase *c, size_t n)
{
	struct arena *a = arena_new(4096);
	size_t i;

	for (i = 0; i < n; i++) {
		const char *got = render(a, c[i].src, c[i].json);

		if (got == NULL || strcmp(got, c[i].want) != 0) {
			unit_failed_checks++;
			fprintf(stderr, "  case %zu: %s with %s\n"
			    "    got  \"%s\"\n    want \"%s\"\n", i, c[i].src,
			    c[i].json ? c[i].json : "(null)",
			    got ? got : "(failed)", c[i].want);
		}
	}
	arena_free(a);
	tmpl_free_all();
}

struct ecase {
	const char	*in;
	const char	*want;
};

static void
run_esc(void (*fn)(struct sbuf *, const char *, size_t),
    const struct ecase *c, size_t n)
{
	struct arena *a = arena_new(1024);
	struct sbuf sb;
	size_t i;

	for (i = 0; i < n; i++) {
		sbuf_init(&sb, a, 0);
		fn(&sb, c[i].in, strlen(c[i].in));
		EXPECT_STR(sbuf_str(&sb), c[i].want);
		EXPECT_INT(sb.len, strlen(c[i].want));
	}
	arena_free(a);
}

TEST(tmpl_esc_html_cases)
{
	static const struct ecase c[] = {
		{ "", "" },
		{ "plain text", "plain text" },
		{ "a&b<c>\"d'e", "a&amp;b&lt;c&gt;&quot;d&#39;e" },
		{ "<script>alert(1)</script>",
		  "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "\" onmouseover=\"x", "&quot; onmouseover=&quot;x" },
		{ "' onfocus='x", "&#39; onfocus=&#39;x" },
		{ "&amp;", "&amp;amp;" },
		{ "咖啡 <券>", "咖啡 &lt;券&gt;" },
		{ "\xff<\xc3\"", "\xff&lt;\xc3&quot;" },	/* bad UTF-8 */
		{ "<<>>", "&lt;&lt;&gt;&gt;" },
	};

	run_esc(tmpl_esc_html, c, NELEM(c));
}

TEST(tmpl_esc_url_cases)
{
	static const struct ecase c[] = {
		{ "", "" },
		{ "AZaz09-_.~", "AZaz09-_.~" },
		{ "优惠券", "%E4%BC%98%E6%83%A0%E5%88%B8" },
		{ "a b&c=d/e?f#g", "a%20b%26c%3Dd%2Fe%3Ff%23g" },
		{ "+%:@!$'()*,;[]", "%2B%25%3A%40%21%24%27%28%29%2A%2C%3B%5B%5D" },
		{ "\"<>\\", "%22%3C%3E%5C" },
		{ "\x01\x7f\xff", "%01%7F%FF" },
		{ "javascript:alert(1)", "javascript%3Aalert%281%29" },
	};

	run_esc(tmpl_esc_url, c, NELEM(c));
}

TEST(tmpl_esc_js_cases)
{
	static const struct ecase c[] = {
		{ "", "\"\"" },
		{ "abc", "\"abc\"" },
		{ "</script><script>alert(1)</script>",
		  "\"\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"
		  "\\u003c/script\\u003e\"" },
		{ "<!-- a & b", "\"\\u003c!-- a \\u0026 b\"" },
		{ "a\xe2\x80\xa8" "b\xe2\x80\xa9" "c", "\"a\\u2028b\\u2029c\"" },
		{ "\xe2\x80", "\"\xe2\x80\"" },		/* truncated */
		{ "\xe2\x82\xac", "\"\xe2\x82\xac\"" },	/* euro sign */
		{ "\"\\", "\"\\\"\\\\\"" },
		{ "a\nb\rc\td", "\"a\\nb\\rc\\td\"" },
		{ "\x01\x1f", "\"\\u0001\\u001f\"" },
		{ "'single'", "\"'single'\"" },
		{ "\xff\"", "\"\xff\\\"\"" },
		{ "中文", "\"中文\"" },
	};

	run_esc(tmpl_esc_js, c, NELEM(c));
}

TEST(tmpl_filters)
{
	static const struct rcase c[] = {
		{ "{{name}}", "{\"name\":\"<b>\\\"Tom's\\\" & co</b>\"}",
		  "&lt;b&gt;&quot;Tom&#39;s&quot; &amp; co&lt;/b&gt;" },
		{ "<a title=\"{{t|attr}}\">", "{\"t\":\"x' onclick='y\\\"\"}",
		  "<a title=\"x&#39; onclick=&#39;y&quot;\">" },
		{ "{{x|raw}}", "{\"x\":\"<b>&amp;</b>\"}", "<b>&amp;</b>" },
		{ "?q={{q|url}}", "{\"q\":\"咖啡 & tea/1\"}",
		  "?q=%E5%92%96%E5%95%A1%20%26%20tea%2F1" },
		{ "{{n|url}}", "{\"n\":12}", "12" },
		{ "{{b|url}}", "{\"b\":true}", "true" },
		{ "<script>var d={{d|js}};</script>",
		  "{\"d\":{\"s\":\"</script><script>\",\"n\":[1,2.5,true,"
		  "false,null],\"u\":\"\\u2028\",\"o\":{}}}",
		  "<script>var d={\"s\":\"\\u003c/script\\u003e\\u003cscript"
		  "\\u003e\",\"n\":[1,2.5,true,false,null],\"u\":\"\\u2028\","
		  "\"o\":{}};</script>" },
		{ "{{d|js}}", "{\"d\":{\"</script>\":1}}",
		  "{\"\\u003c/script\\u003e\":1}" },
		{ "{{missing|js}}", "{}", "null" },
		{ "{{n|js}}", "{\"n\":null}", "null" },
		{ "{{s|js}}", "{\"s\":\"a\"}", "\"a\"" },
		{ "{{n|js}}", "{\"n\":-3}", "-3" },
		{ "{{a|js}}", "{\"a\":[]}", "[]" },
		{ "{{ name | url }}", "{\"name\":\"a b\"}", "a%20b" },
		{ "{{x|raw}}", "{\"x\":5}", "5" },
	};

	run_cases(c, NELEM(c));
}

TEST(tmpl_values)
{
	static const struct rcase c[] = {
		{ "[{{x}}]", "{}", "[]" },
		{ "[{{x}}]", "{\"x\":null}", "[]" },
		{ "[{{x}}]", "{\"x\":true}", "[true]" },
		{ "[{{x}}]", "{\"x\":false}", "[false]" },
		{ "[{{x}}]", "{\"x\":42}", "[42]" },
		{ "[{{x}}]", "{\"x\":-7}", "[-7]" },
		{ "[{{x}}]", "{\"x\":0}", "[0]" },
		{ "[{{x}}]", "{\"x\":-0.0}", "[0]" },
		{ "[{{x}}]", "{\"x\":1e3}", "[1000]" },
		{ "[{{x}}]", "{\"x\":2.5}", "[2.5]" },
		{ "[{{x}}]", "{\"x\":0.1}", "[0.1]" },
		{ "[{{x}}]", "{\"x\":19.99}", "[19.99]" },
		{ "[{{x}}]", "{\"x\":123456789012}", "[123456789012]" },
		{ "[{{x}}]", "{\"x\":9007199254740992}", "[9007199254740992]" },
		{ "[{{x}}]", "{\"x\":1e20}", "[1e+20]" },
		{ "[{{x}}]", "{\"x\":0.30000000000000004}",
		  "[0.30000000000000004]" },
		{ "[{{x}}]", "{\"x\":{\"a\":1}}", "[]" },
		{ "[{{x}}]", "{\"x\":[1,2]}", "[]" },
		{ "[{{x}}]", "{\"x\":\"\"}", "[]" },
		{ "[{{x}}]", NULL, "[]" },
		{ "no tags at all", NULL, "no tags at all" },
		{ "", NULL, "" },
		{ "{a} }} { b }", NULL, "{a} }} { b }" },
		{ "a{{! hidden }}b", NULL, "ab" },
		{ "a{{!multi\nline {{x}} }}b", NULL, "a }}b" },
		{ "a{{!}}b{{ ! spaced }}c", NULL, "abc" },
		{ "{{x}}{{x}}", "{\"x\":\"é\"}", "éé" },
	};

	run_cases(c, NELEM(c));
}

TEST(tmpl_lookup)
{
	static const struct rcase c[] = {
		{ "{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "deep" },
		{ "[{{a.x.c}}]", "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "[]" },
		{ "[{{a.b}}]", "{\"a\":{\"b\":{\"c\":1}}}", "[]" },
		{ "[{{a.b}}]", "{\"a\":\"str\"}", "[]" },
		{ "[{{a.0}}]", "{\"a\":[1]}", "[]" },
		{ "{{my-key}} {{my_key}}", "{\"my-key\":1,\"my_key\":2}", "1 2" },
		{ "{{Name}}{{name}}", "{\"name\":\"l\",\"Name\":\"U\"}", "Ul" },
		/* innermost first */
		{ "{{#o}}{{name}}{{/o}}|{{name}}",
		  "{\"name\":\"outer\",\"o\":{\"name\":\"inner\"}}",
		  "inner|outer" },
		/* the first segment decides; no fallback for the rest */
		{ "[{{#o}}{{a.b}}{{/o}}]",
		  "{\"a\":{\"b\":\"outer\"},\"o\":{\"a\":{\"c\":1}}}", "[]" },
		{ "{{#items}}{{shop.name}}:{{name}} {{/items}}",
		  "{\"shop\":{\"name\":\"S\"},\"items\":[{\"name\":\"a\"},"
		  "{\"name\":\"b\"}]}", "S:a S:b " },
		{ "{{#tags}}[{{.}}]{{/tags}}", "{\"tags\":[\"x\",\"<y>\",3,true]}",
		  "[x][&lt;y&gt;][3][true]" },
		{ "{{#a.b}}{{c}}{{/a.b}}", "{\"a\":{\"b\":{\"c\":\"ok\"}}}", "ok" },
		{ "[{{.}}]", "{\"a\":1}", "[]" },
		{ "{{.|js}}", "{\"a\":1}", "{\"a\":1}" },
	};

	run_cases(c, NELEM(c));
}

TEST(tmpl_sections)
{
	static const struct rcase c[] = {
		{ "{{#a}}<{{n}}>{{/a}}", "{\"a\":[{\"n\":1},{\"n\":2},{\"n\":3}]}",
		  "<1><2><3>" },
		{ "[{{#a}}x{{/a}}]", "{\"a\":[]}", "[]" },
		{ "{{#a}}{{n}}{{/a}}", "{\"a\":{\"n\":\"obj\"}}", "obj" },
		{ "[{{#a}}x{{/a}}]", "{\"a\":{}}", "[x]" },
		{ "[{{#a}}yes {{.}}{{/a}}]", "{\"a\":true}", "[yes true]" },
		{ "[{{#a}}x{{/a}}]", "{\"a\":false}", "[]" },
		{ "[{{#a}}x{{/a}}]", "{\"a\":null}", "[]" },
		{ "[{{#a}}x{{/a}}]", "{}", "[]" },
		{ "[{{#a}}x{{/a}}]", "{\"a\":0}", "[]" },
		{ "[{{#a}}x{{.}}{{/a}}]", "{\"a\":5}", "[x5]" },
		{ "[{{#a}}x{{.}}{{/a}}]", "{\"a\":-0.5}", "[x-0.5]" },
		{ "[{{#a}}x{{/a}}]", "{\"a\":\"\"}", "[]" },
		{ "[{{#a}}x{{.}}{{/a}}]", "{\"a\":\"s\"}", "[xs]" },
		{ "[{{#a}}{{.}}{{/a}}]", "{\"a\":[null,false,0]}",
		  "[false0]" },
		{ "{{#m}}{{#.}}{{.}}{{/.}}|{{/m}}", "{\"m\":[[1,2],[3]]}",
		  "12|3|" },
		{ "{{#cats}}{{name}}:{{#items}}{{name}}@{{cat}}/{{title}},"
		  "{{/items}};{{/cats}}",
		  "{\"title\":\"T\",\"cats\":[{\"name\":\"c1\",\"cat\":1,"
		  "\"items\":[{\"name\":\"i1\"},{\"name\":\"i2\",\"cat\":9}]},"
		  "{\"name\":\"c2\",\"cat\":2,\"items\":[]}]}",
		  "c1:i1@1/T,i2@9/T,;c2:;" },
		{ "{{# a }}x{{/ a }}", "{\"a\":1}", "x" },
		{ "{{#a}}{{#a}}{{a}}{{/a}}{{/a}}", "{\"a\":\"v\"}", "v" },
		{ "{{#a}}{{/a}}", "{\"a\":[1,2]}", "" },
	};

	run_cases(c, NELEM(c));
}

TEST(tmpl_inverted)
{
	static const struct rcase c[] = {
		{ "[{{^x}}none{{/x}}]", "{\"x\":[]}", "[none]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":[1]}", "[]" },
		{ "[{{^x}}none{{/x}}]", "{}", "[none]" },
		{ "[{{^x}}none{{/x}}]", NULL, "[none]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":null}", "[none]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":false}", "[none]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":true}", "[]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":0}", "[none]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":3}", "[]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":\"\"}", "[none]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":\"a\"}", "[]" },
		{ "[{{^x}}none{{/x}}]", "{\"x\":{}}", "[]" },
		/* the context is not pushed */
		{ "{{^x}}{{y}}{{/x}}", "{\"x\":false,\"y\":\"Y\"}", "Y" },
		{ "{{#l}}{{n}}{{/l}}{{^l}}empty{{/l}}", "{\"l\":[]}", "empty" },
		{ "{{#l}}{{n}}{{/l}}{{^l}}empty{{/l}}", "{\"l\":[{\"n\":1}]}",
		  "1" },
		{ "{{#a}}{{^b}}{{c}}{{/b}}{{/a}}",
		  "{\"c\":\"out\",\"a\":[{\"b\":true},{\"b\":false}]}", "out" },
	};

	run_cases(c, NELEM(c));
}

TEST(tmpl_partials)
{
	struct arena *a = arena_new(1024);
	cJSON *ctx;
	char *out;
	size_t len;

	EXPECT_INT(add("partials/head", "<h1>{{title}}</h1>"), 0);
	EXPECT_INT(add("partials/item", "<li>{{name}} {{title}}</li>"), 0);
	EXPECT_INT(add("page", "{{> partials/head }}<ul>{{#items}}"
	    "{{>partials/item}}{{/items}}</ul>"), 0);
	ctx = cJSON_Parse("{\"title\":\"<T>\",\"items\":[{\"name\":\"a\"},"
	    "{\"name\":\"b\",\"title\":\"own\"}]}");
	EXPECT_INT(tmpl_render(a, "page", ctx, &out, &len), 0);
	EXPECT_STR(out, "<h1>&lt;T&gt;</h1><ul><li>a &lt;T&gt;</li>"
	    "<li>b own</li></ul>");
	EXPECT_INT(len, strlen(out));

	/* Partials are looked up when rendering: a later one is found. */
	EXPECT_INT(add("late", "[{{>later}}]"), 0);
	cap_start();
	EXPECT_INT(tmpl_render(a, "late", ctx, &out, &len), -1);
	EXPECT(strstr(cap_end(), "tmpl: late:1: unknown partial \"later\"")
	    != NULL);
	EXPECT(out == NULL);
	EXPECT_INT(add("later", "L"), 0);
	EXPECT_INT(tmpl_render(a, "late", ctx, &out, &len), 0);
	EXPECT_STR(out, "[L]");

	/*
	 * Recursion through a section ends when the data ends; a leaf
	 * needs its own empty "kids", or the lookup finds its parent's.
	 */
	EXPECT_INT(add("tree", "{{name}}{{#kids}}({{>tree}}){{/kids}}"), 0);
	cJSON_Delete(ctx);
	ctx = cJSON_Parse("{\"name\":\"r\",\"kids\":[{\"name\":\"a\","
	    "\"kids\":[{\"name\":\"b\",\"kids\":[]}]},{\"name\":\"c\",\"kids\":[]}]}");
	EXPECT_INT(tmpl_render(a, "tree", ctx, &out, &len), 0);
	EXPECT_STR(out, "r(a(b))(c)");

	cJSON_Delete(ctx);
	arena_free(a);
	tmpl_free_all();
}

TEST(tmpl_limits)
{
	struct arena *a = arena_new(1024);
	cJSON *ctx, *cur, *kid;
	char *out, src[1024];
	size_t len;
	int i;

	/* A partial including itself fails instead of recursing. */
	EXPECT_INT(add("self", "x{{>self}}"), 0);
	cap_start();
	EXPECT_INT(tmpl_render(a, "self", NULL, &out, &len), -1);
	EXPECT(strstr(cap_end(), "partials nested deeper") != NULL);
	EXPECT(out == NULL);
	EXPECT_INT(len, 0);

	/* So do two that include each other. */
	EXPECT_INT(add("ping", "{{>pong}}"), 0);
	EXPECT_INT(add("pong", "{{>ping}}"), 0);
	cap_start();
	EXPECT_INT(tmpl_render(a, "ping", NULL, &out, &len), -1);
	cap_end();

	/*
	 * Data deeper than the context stack: four sections per partial,
	 * so the stack (32) runs out before the partial limit (16).
	 */
	EXPECT_INT(add("deep", "{{#k}}{{#k}}{{#k}}{{#k}}{{>deep}}"
	    "{{/k}}{{/k}}{{/k}}{{/k}}"), 0);
	ctx = cur = cJSON_CreateObject();
	for (i = 0; i < 28; i++) {
		kid = cJSON_CreateObject();
		cJSON_AddItemToObject(cur, "k", kid);
		cur = kid;
	}
	kid = cJSON_AddFalseToObject(cur, "k");
	EXPECT_INT(tmpl_render(a, "deep", ctx, &out, &len), 0);
	EXPECT_STR(out, "");
	cJSON_DetachItemViaPointer(cur, kid);
	cJSON_Delete(kid);
	for (; i < 40; i++) {
		kid = cJSON_CreateObject();
		cJSON_AddItemToObject(cur, "k", kid);
		cur = kid;
	}
	cJSON_AddFalseToObject(cur, "k");
	cap_start();
	EXPECT_INT(tmpl_render(a, "deep", ctx, &out, &len), -1);
	EXPECT(strstr(cap_end(), "tmpl: render deep: context deeper than 32")
	    != NULL);
	cJSON_Delete(ctx);

	/* The deepest nesting one template may have, and one more. */
	src[0] = '\0';
	for (i = 0; i < 31; i++)
		strcat(src, "{{#a}}");
	strcat(src, "{{a}}");
	for (i = 0; i < 31; i++)
		strcat(src, "{{/a}}");
	EXPECT_INT(tmpl_add("nest", src, strlen(src)), 0);
	ctx = cJSON_Parse("{\"a\":\"v\"}");
	EXPECT_INT(tmpl_render(a, "nest", ctx, &out, &len), 0);
	EXPECT_STR(out, "v");
	cJSON_Delete(ctx);
	memmove(src + 6, src, strlen(src) + 1);
	memcpy(src, "{{#a}}", 6);
	strcat(src, "{{/a}}");
	cap_start();
	EXPECT_INT(tmpl_add("nest2", src, strlen(src)), -1);
	EXPECT(strstr(cap_end(), "tmpl: nest2:1: sections nested") != NULL);

	arena_free(a);
	tmpl_free_all();
}

TEST(tmpl_parse_errors)
{
	static const struct {
		const char	*src;
		const char	*log;	/* after "tmpl: bad:" */
	} c[] = {
		{ "{{#a}}x", "1: unclosed section {{#a}}" },
		{ "x\n{{^list}}\n", "2: unclosed section {{^list}}" },
		{ "{{#a}}{{#b}}{{/b}}", "1: unclosed section {{#a}}" },
		{ "line1\n{{#a}}\n{{/b}}",
		  "3: mismatched close tag {{/b}}, expected {{/a}}" },
		{ "{{^a}}{{#b}}{{/a}}{{/b}}",
		  "1: mismatched close tag {{/a}}, expected {{/b}}" },
		{ "{{#a.b}}{{/a}}", "1: mismatched close tag" },
		{ "\n{{/a}}", "2: close tag {{/a}} without an open section" },
		{ "{{#a}}{{/a}}{{/a}}", "1: close tag {{/a}} without" },
		{ "{{x|bogus}}", "1: unknown filter \"bogus\"" },
		{ "{{x|}}", "1: unknown filter \"\"" },
		{ "{{x|URL}}", "1: unknown filter \"URL\"" },
		{ "{{x|url|raw}}", "1: unknown filter \"url|raw\"" },
		{ "{{x|html}}", "1: unknown filter \"html\"" },
		{ "a\n\nb {{x", "3: unterminated tag" },
		{ "{{", "1: unterminated tag" },
		{ "{{x}", "1: unterminated tag" },
		{ "{{! never closed", "1: unterminated tag" },
		{ "{{}}", "1: empty tag" },
		{ "{{ \n }}", "1: empty tag" },
		{ "{{#}}", "1: tag without a name" },
		{ "{{>}}", "1: tag without a name" },
		{ "{{|url}}", "1: tag without a name" },
		{ "{{a..b}}", "1: bad name \"a..b\"" },
		{ "{{.a}}", "1: bad name \".a\"" },
		{ "{{a.}}", "1: bad name \"a.\"" },
		{ "{{a b}}", "1: bad name \"a b\"" },
		{ "{{{x}}}", "1: bad name \"{x\"" },
		{ "{{&x}}", "1: bad name \"&x\"" },
		{ "{{#a|url}}{{/a}}", "1: filter on a {{#}} tag" },
		{ "{{>p|raw}}", "1: filter on a {{>}} tag" },
		{ "{{>a b}}", "1: bad partial name \"a b\"" },
		{ "{{x}}\n{{y}}\n\n{{z|nope}}", "4: unknown filter \"nope\"" },
		{ "{{!a\nb}}\n{{#x}}", "3: unclosed section {{#x}}" },
	};
	struct arena *a = arena_new(1024);
	char want[256], *out;
	const char *log;
	size_t i, len;

	for (i = 0; i < NELEM(c); i++) {
		cap_start();
		EXPECT_INT(tmpl_add("bad", c[i].src, strlen(c[i].src)), -1);
		log = cap_end();
		snprintf(want, sizeof(want), "tmpl: bad:%s", c[i].log);
		if (strstr(log, want) == NULL) {
			unit_failed_checks++;
			fprintf(stderr, "  case %zu: %s\n    log  \"%s\"\n"
			    "    want \"%s\"\n", i, c[i].src, log, want);
		}
		EXPECT(!tmpl_exists("bad"));
	}

	/* A failed replacement keeps the template that was there. */
	EXPECT_INT(add("keep", "old"), 0);
	cap_start();
	EXPECT_INT(add("keep", "{{#x}}"), -1);
	cap_end();
	EXPECT_INT(tmpl_render(a, "keep", NULL, &out, &len), 0);
	EXPECT_STR(out, "old");
	EXPECT_INT(add("keep", "new"), 0);
	EXPECT_INT(tmpl_render(a, "keep", NULL, &out, &len), 0);
	EXPECT_STR(out, "new");

	/* Bad arguments. */
	cap_start();
	EXPECT_INT(add("", "x"), -1);
	EXPECT_INT(tmpl_add(NULL, "x", 1), -1);
	EXPECT_INT(tmpl_add("n", NULL, 1), -1);
	cap_end();
	EXPECT_INT(tmpl_add("n", NULL, 0), 0);
	EXPECT_INT(tmpl_render(a, "n", NULL, &out, &len), 0);
	EXPECT_STR(out, "");

	arena_free(a);
	tmpl_free_all();
}

TEST(tmpl_registry)
{
	struct arena *a = arena_new(1024);
	char *out = (char *)"x";
	size_t len = 7;
	char src[] = "a{{x}}\0b";

	cap_start();
	EXPECT_INT(tmpl_render(a, "nope", NULL, &out, &len), -1);
	EXPECT(strstr(cap_end(), "tmpl: render nope: unknown template")
	    != NULL);
	EXPECT(out == NULL);
	EXPECT_INT(len, 0);

	EXPECT(!tmpl_exists("one"));
	EXPECT_INT(add("one", "1"), 0);
	EXPECT(tmpl_exists("one"));
	EXPECT(!tmpl_exists("on"));
	EXPECT(!tmpl_exists("one1"));

	/* The source is copied; a NUL byte in it is text. */
	EXPECT_INT(tmpl_add("nul", src, sizeof(src) - 1), 0);
	memset(src, 'z', sizeof(src) - 1);
	EXPECT_INT(tmpl_render(a, "nul", NULL, &out, &len), 0);
	EXPECT_INT(len, 3);
	EXPECT(memcmp(out, "a\0b", 4) == 0);

	tmpl_free_all();
	EXPECT(!tmpl_exists("one"));
	EXPECT(!tmpl_exists("nul"));
	arena_free(a);
}

TEST(tmpl_large)
{
	struct arena *a = arena_new(1024);
	cJSON *ctx, *arr, *it;
	char *out;
	size_t len, want = 0;
	int i;

	ctx = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(ctx, "items");
	for (i = 0; i < 20000; i++) {
		it = cJSON_CreateObject();
		cJSON_AddNumberToObject(it, "id", i);
		cJSON_AddStringToObject(it, "t", "<&>");
		cJSON_AddItemToArray(arr, it);
		want += (size_t)snprintf(NULL, 0, "<li id=\"%d\">&lt;&amp;&gt;"
		    "</li>", i);
	}
	EXPECT_INT(add("big", "<ul>{{#items}}<li id=\"{{id}}\">{{t}}"
	    "</li>{{/items}}</ul>"), 0);
	EXPECT_INT(tmpl_render(a, "big", ctx, &out, &len), 0);
	EXPECT_INT(len, want + 9);
	EXPECT_INT(strlen(out), len);
	EXPECT(strncmp(out + len - 30, "19999\">&lt;&amp;&gt;</li></ul>",
	    30) == 0);
	/* Again, now with the size hint from the first render. */
	EXPECT_INT(tmpl_render(a, "big", ctx, &out, &len), 0);
	EXPECT_INT(len, want + 9);
	cJSON_Delete(ctx);
	arena_free(a);
	tmpl_free_all();
}

static int
write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void
remove_file(const char *dir, const char *rel, int isdir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if (isdir)
		rmdir(path);
	else
		unlink(path);
}

TEST(tmpl_load_dir_tree)
{
	static const char *const files[] = {
		"layout.html", "pages/card.html", "pages/deep/x.html",
		"partials/head.html", "notes.txt", ".hidden.html",
		"partials/.html",
	};
	struct arena *a = arena_new(1024);
	char dir[] = "/tmp/tmpl_test_XXXXXX", sub[512], *out;
	cJSON *ctx;
	size_t len, i;
	const char *log;

	if (mkdtemp(dir) == NULL) {
		EXPECT(0);
		return;
	}
	snprintf(sub, sizeof(sub), "%s/pages", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/pages/deep", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/partials", dir);
	mkdir(sub, 0700);
	EXPECT_INT(write_file(dir, "layout.html",
	    "<html>{{>partials/head}}{{>pages/card}}</html>\n"), 0);
	EXPECT_INT(write_file(dir, "pages/card.html", "card {{n}}"), 0);
	EXPECT_INT(write_file(dir, "pages/deep/x.html", "x"), 0);
	EXPECT_INT(write_file(dir, "partials/head.html",
	    "<title>{{title}}</title>"), 0);
	EXPECT_INT(write_file(dir, "notes.txt", "{{#broken"), 0);
	EXPECT_INT(write_file(dir, ".hidden.html", "{{#broken"), 0);
	EXPECT_INT(write_file(dir, "partials/.html", "{{#broken"), 0);

	EXPECT_INT(tmpl_load_dir(dir), 0);
	EXPECT(tmpl_exists("layout"));
	EXPECT(tmpl_exists("pages/card"));
	EXPECT(tmpl_exists("pages/deep/x"));
	EXPECT(tmpl_exists("partials/head"));
	EXPECT(!tmpl_exists("pages/card.html"));
	EXPECT(!tmpl_exists("notes"));
	EXPECT(!tmpl_exists(".hidden"));
	ctx = cJSON_Parse("{\"title\":\"A&B\",\"n\":3}");
	EXPECT_INT(tmpl_render(a, "layout", ctx, &out, &len), 0);
	EXPECT_STR(out, "<html><title>A&amp;B</title>card 3</html>\n");
	cJSON_Delete(ctx);
	tmpl_free_all();

	/* Errors: every one is logged, the good files still load. */
	EXPECT_INT(write_file(dir, "pages/bad.html", "ok\n{{#a}}\n{{/b}}"),
	    0);
	EXPECT_INT(write_file(dir, "pages/card.html", "{{>partials/nope}}"),
	    0);
	cap_start();
	EXPECT_INT(tmpl_load_dir(dir), -1);
	log = cap_end();
	EXPECT(strstr(log, "tmpl: pages/bad:3: mismatched close tag") != NULL);
	EXPECT(strstr(log, "tmpl: pages/card:1: unknown partial "
	    "\"partials/nope\"") != NULL);
	EXPECT(tmpl_exists("layout"));
	EXPECT(!tmpl_exists("pages/bad"));
	tmpl_free_all();

	cap_start();
	EXPECT_INT(tmpl_load_dir("/nonexistent/tmpl/dir"), -1);
	EXPECT(strstr(cap_end(), "/nonexistent/tmpl/dir") != NULL);

	for (i = 0; i < NELEM(files); i++)
		remove_file(dir, files[i], 0);
	remove_file(dir, "pages/bad.html", 0);
	remove_file(dir, "pages/deep", 1);
	remove_file(dir, "pages", 1);
	remove_file(dir, "partials", 1);
	rmdir(dir);
	arena_free(a);
}
