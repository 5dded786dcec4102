/*
 * Templates: each source is parsed once into a flat array of nodes in
 * document order. A section node records the index one past its body,
 * so the array holds the tree and rendering never scans tag syntax
 * again. Text nodes and names point into the template's own copy of
 * the source; partials are looked up by name when rendered.
 *
 * Rendering keeps a stack of cJSON pointers (the context) and appends
 * to a struct sbuf in the caller's arena. The cJSON tree is only read:
 * nothing here allocates or frees through cJSON, so it does not matter
 * whose hooks (malloc or a request arena) own it.
 *
 * The only process state is the registry of parsed templates.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "tmpl.h"

#define TMPL_MAX_DEPTH		32	/* context stack entries */
#define TMPL_MAX_NEST		(TMPL_MAX_DEPTH - 1) /* sections in one template */
#define TMPL_MAX_PARTIAL	16	/* partials within partials */
#define TMPL_MAX_DIRS		16	/* subdirectory depth in tmpl_load_dir */
#define TMPL_MAX_FILE		(4 * 1024 * 1024)
#define TMPL_NBUCKET		128

#define ADDLIT(o, s)	sbuf_add((o), (s), sizeof(s) - 1)

enum ntype {
	N_TEXT,
	N_VAR,
	N_SECTION,
	N_INVERTED,
	N_PARTIAL,
};

enum filter {
	F_HTML,		/* default and |attr */
	F_URL,
	F_JS,
	F_RAW,
};

/* One segment of a dotted name, in the template's source copy. */
struct seg {
	size_t		 off, len;
};

struct node {
	enum ntype	 type;
	enum filter	 filter;
	int		 line;
	size_t		 off, len;	/* text; tag name (partial, section) */
	size_t		 seg, nseg;	/* name segments; nseg 0 is "." */
	size_t		 end;		/* section: index one past its body */
};

struct tmpl {
	struct tmpl	*next;		/* hash chain */
	char		*name;
	char		*src;
	size_t		 srclen;
	struct node	*nodes;
	size_t		 nnodes, nodecap;
	struct seg	*segs;
	size_t		 nsegs, segcap;
	size_t		 hint;		/* output size of the last render */
};

struct parser {
	struct tmpl	*t;
	size_t		 open[TMPL_MAX_NEST];
	int		 nopen;
};

struct render {
	struct sbuf	 out;
	const cJSON	*stack[TMPL_MAX_DEPTH];
	int		 depth;
	int		 partials;
	const char	*top;		/* template named in tmpl_render */
};

static struct tmpl *registry[TMPL_NBUCKET];

static int	render_range(struct render *, const struct tmpl *,
		    size_t, size_t);

static void *
xrealloc(void *p, size_t n, size_t sz)
{
	if (sz && n > SIZE_MAX / sz) {
		fputs("tmpl: out of memory\n", stderr);
		abort();
	}
	if ((p = realloc(p, n * sz)) == NULL) {
		fputs("tmpl: out of memory\n", stderr);
		abort();
	}
	return p;
}

static unsigned int
hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	while (n-- > 0) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h % TMPL_NBUCKET;
}

static struct tmpl *
find(const char *name, size_t n)
{
	struct tmpl *t;

	for (t = registry[hash(name, n)]; t != NULL; t = t->next)
		if (strncmp(t->name, name, n) == 0 && t->name[n] == '\0')
			return t;
	return NULL;
}

static void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->src);
	free(t->nodes);
	free(t->segs);
	free(t);
}

/*
 * Parsing.
 */

static int
perr(struct parser *ps, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
perr(struct parser *ps, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tmpl: %s:%d: ", ps->t->name, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static struct node *
node_new(struct parser *ps, enum ntype type, int line, size_t off,
    size_t len)
{
	struct tmpl *t = ps->t;
	struct node *n;

	if (t->nnodes == t->nodecap) {
		t->nodecap = t->nodecap ? t->nodecap * 2 : 16;
		t->nodes = xrealloc(t->nodes, t->nodecap, sizeof(*t->nodes));
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->filter = F_HTML;
	n->line = line;
	n->off = off;
	n->len = len;
	return n;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_name(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * Split name [b, e) into segments: "." alone, or seg(.seg)* where a
 * segment is one or more of [A-Za-z0-9_-].
 */
static int
parse_path(struct parser *ps, struct node *n, size_t b, size_t e)
{
	struct tmpl *t = ps->t;
	const char *s = t->src;
	size_t i, start;

	n->seg = t->nsegs;
	n->nseg = 0;
	if (e - b == 1 && s[b] == '.')
		return 0;
	for (start = i = b; i <= e; i++) {
		if (i < e && is_name(s[i]))
			continue;
		if (i == start || (i < e && s[i] != '.'))
			return perr(ps, n->line, "bad name \"%.*s\"",
			    (int)(e - b), s + b);
		if (t->nsegs == t->segcap) {
			t->segcap = t->segcap ? t->segcap * 2 : 16;
			t->segs = xrealloc(t->segs, t->segcap,
			    sizeof(*t->segs));
		}
		t->segs[t->nsegs].off = start;
		t->segs[t->nsegs].len = i - start;
		t->nsegs++;
		n->nseg++;
		start = i + 1;
	}
	return 0;
}

static int
parse_filter(struct parser *ps, struct node *n, size_t b, size_t e)
{
	static const struct {
		const char	*name;
		enum filter	 f;
	} filters[] = {
		{ "attr", F_HTML },
		{ "url", F_URL },
		{ "js", F_JS },
		{ "raw", F_RAW },
	};
	const char *s = ps->t->src;
	size_t i;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
		if (strlen(filters[i].name) == e - b &&
		    memcmp(filters[i].name, s + b, e - b) == 0) {
			n->filter = filters[i].f;
			return 0;
		}
	return perr(ps, n->line, "unknown filter \"%.*s\"",
	    (int)(e - b), s + b);
}

/* One tag whose contents (between the braces) are [b, e). */
static int
parse_tag(struct parser *ps, size_t b, size_t e, int line)
{
	struct tmpl *t = ps->t;
	const char *s = t->src;
	struct node *n, *open;
	size_t ne, fb, i;
	char sig = '\0';

	while (b < e && is_space(s[b]))
		b++;
	if (b < e && s[b] == '!')
		return 0;
	while (e > b && is_space(s[e - 1]))
		e--;
	if (b == e)
		return perr(ps, line, "empty tag");
	if (s[b] == '#' || s[b] == '^' || s[b] == '/' || s[b] == '>') {
		sig = s[b++];
		while (b < e && is_space(s[b]))
			b++;
	}

	/* Name [b, ne), then an optional filter. */
	ne = b;
	while (ne < e && s[ne] != '|')
		ne++;
	fb = ne;
	while (ne > b && is_space(s[ne - 1]))
		ne--;
	if (ne == b)
		return perr(ps, line, "tag without a name");
	if (fb < e && sig != '\0')
		return perr(ps, line, "filter on a {{%c}} tag", sig);

	switch (sig) {
	case '/':
		if (ps->nopen == 0)
			return perr(ps, line, "close tag {{/%.*s}} without "
			    "an open section", (int)(ne - b), s + b);
		open = &t->nodes[ps->open[ps->nopen - 1]];
		if (open->len != ne - b ||
		    memcmp(s + open->off, s + b, ne - b) != 0)
			return perr(ps, line, "mismatched close tag {{/%.*s}}, "
			    "expected {{/%.*s}} (opened at line %d)",
			    (int)(ne - b), s + b, (int)open->len,
			    s + open->off, open->line);
		open->end = t->nnodes;
		ps->nopen--;
		return 0;
	case '>':
		for (i = b; i < ne; i++)
			if (!is_name(s[i]) && s[i] != '/' && s[i] != '.')
				return perr(ps, line, "bad partial name "
				    "\"%.*s\"", (int)(ne - b), s + b);
		node_new(ps, N_PARTIAL, line, b, ne - b);
		return 0;
	case '#':
	case '^':
		if (ps->nopen == TMPL_MAX_NEST)
			return perr(ps, line, "sections nested deeper "
			    "than %d", TMPL_MAX_NEST);
		n = node_new(ps, sig == '#' ? N_SECTION : N_INVERTED,
		    line, b, ne - b);
		ps->open[ps->nopen++] = t->nnodes - 1;
		return parse_path(ps, n, b, ne);
	default:
		n = node_new(ps, N_VAR, line, b, ne - b);
		if (parse_path(ps, n, b, ne) == -1)
			return -1;
		if (fb == e)
			return 0;
		fb++;
		while (fb < e && is_space(s[fb]))
			fb++;
		return parse_filter(ps, n, fb, e);
	}
}

static int
count_lines(const char *s, size_t n)
{
	const char *p, *end = s + n;
	int lines = 0;

	while ((p = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		lines++;
		s = p + 1;
	}
	return lines;
}

static int
parse(struct parser *ps)
{
	struct tmpl *t = ps->t;
	const char *s = t->src, *q, *r;
	size_t p = 0, b;
	int line = 1;
	struct node *open;

	while (p < t->srclen) {
		q = memmem(s + p, t->srclen - p, "{{", 2);
		if (q == NULL) {
			node_new(ps, N_TEXT, line, p, t->srclen - p);
			break;
		}
		b = (size_t)(q - s);
		if (b > p) {
			node_new(ps, N_TEXT, line, p, b - p);
			line += count_lines(s + p, b - p);
		}
		r = memmem(q + 2, t->srclen - b - 2, "}}", 2);
		if (r == NULL)
			return perr(ps, line, "unterminated tag");
		if (parse_tag(ps, b + 2, (size_t)(r - s), line) == -1)
			return -1;
		line += count_lines(q, (size_t)(r - q));
		p = (size_t)(r - s) + 2;
	}
	if (ps->nopen > 0) {
		open = &t->nodes[ps->open[ps->nopen - 1]];
		return perr(ps, open->line, "unclosed section {{%c%.*s}}",
		    open->type == N_SECTION ? '#' : '^', (int)open->len,
		    s + open->off);
	}
	return 0;
}

int
tmpl_add(const char *name, const char *src, size_t len)
{
	struct parser ps;
	struct tmpl *t, **pp;
	unsigned int h;

	if (name == NULL || *name == '\0' || (src == NULL && len > 0)) {
		fputs("tmpl: tmpl_add: no name or source\n", stderr);
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->name = strdup(name)) == NULL ||
	    (t->src = malloc(len + 1)) == NULL) {
		fputs("tmpl: out of memory\n", stderr);
		abort();
	}
	if (len > 0)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	t->srclen = len;

	memset(&ps, 0, sizeof(ps));
	ps.t = t;
	if (parse(&ps) == -1) {
		tmpl_free(t);
		return -1;
	}

	/* A template of the same name is replaced. */
	h = hash(name, strlen(name));
	for (pp = &registry[h]; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0) {
			struct tmpl *old = *pp;

			*pp = old->next;
			tmpl_free(old);
			break;
		}
	t->next = registry[h];
	registry[h] = t;
	return 0;
}

int
tmpl_exists(const char *name)
{
	return name != NULL && find(name, strlen(name)) != NULL;
}

void
tmpl_free_all(void)
{
	struct tmpl *t, *next;
	size_t i;

	for (i = 0; i < TMPL_NBUCKET; i++) {
		for (t = registry[i]; t != NULL; t = next) {
			next = t->next;
			tmpl_free(t);
		}
		registry[i] = NULL;
	}
}

/*
 * Loading a directory.
 */

static int
load_file(const char *path, const char *name)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "tmpl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		fprintf(stderr, "tmpl: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (st.st_size > TMPL_MAX_FILE) {
		fprintf(stderr, "tmpl: %s: larger than %d bytes\n", path,
		    TMPL_MAX_FILE);
		goto out;
	}
	buf = xrealloc(NULL, (size_t)st.st_size + 1, 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "tmpl: %s: %s\n", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	rc = tmpl_add(name, buf, got);
out:
	free(buf);
	close(fd);
	return rc;
}

/*
 * Walk path (of length len; root is the first rootlen bytes) and load
 * every regular *.html file as the name relative to root, without
 * the suffix. Keeps going after an error so all of them are logged.
 */
static int
load_walk(char *path, size_t len, size_t rootlen, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	size_t n;
	int rc = 0;

	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "tmpl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = strlen(de->d_name);
		if (len + 1 + n + 1 > PATH_MAX) {
			fprintf(stderr, "tmpl: %s/%s: path too long\n",
			    path, de->d_name);
			rc = -1;
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, de->d_name, n + 1);
		if (stat(path, &st) == -1) {
			fprintf(stderr, "tmpl: %s: %s\n", path,
			    strerror(errno));
			rc = -1;
		} else if (S_ISDIR(st.st_mode)) {
			if (depth >= TMPL_MAX_DIRS) {
				fprintf(stderr, "tmpl: %s: directories nested "
				    "too deeply\n", path);
				rc = -1;
			} else if (load_walk(path, len + 1 + n, rootlen,
			    depth + 1) == -1)
				rc = -1;
		} else if (S_ISREG(st.st_mode) && n > 5 &&
		    strcmp(de->d_name + n - 5, ".html") == 0) {
			char name[PATH_MAX];
			size_t namelen = len + 1 + n - 5 - (rootlen + 1);

			memcpy(name, path + rootlen + 1, namelen);
			name[namelen] = '\0';
			if (load_file(path, name) == -1)
				rc = -1;
		}
		path[len] = '\0';
	}
	closedir(d);
	return rc;
}

/* Every partial named by a registered template must exist. */
static int
check_partials(void)
{
	const struct tmpl *t;
	const struct node *n;
	size_t i, j;
	int rc = 0;

	for (i = 0; i < TMPL_NBUCKET; i++)
		for (t = registry[i]; t != NULL; t = t->next)
			for (j = 0; j < t->nnodes; j++) {
				n = &t->nodes[j];
				if (n->type != N_PARTIAL ||
				    find(t->src + n->off, n->len) != NULL)
					continue;
				fprintf(stderr, "tmpl: %s:%d: unknown partial "
				    "\"%.*s\"\n", t->name, n->line,
				    (int)n->len, t->src + n->off);
				rc = -1;
			}
	return rc;
}

int
tmpl_load_dir(const char *dir)
{
	char path[PATH_MAX];
	size_t len;
	int rc;

	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (len + 1 > sizeof(path)) {
		fprintf(stderr, "tmpl: %s: path too long\n", dir);
		return -1;
	}
	memcpy(path, dir, len);
	path[len] = '\0';
	rc = load_walk(path, len, len, 0);
	if (check_partials() == -1)
		rc = -1;
	return rc;
}

/*
 * Escaping. Each escaper copies runs of safe bytes in one piece.
 * They work byte by byte, so invalid UTF-8 passes through without
 * ever producing a byte that ends the context.
 */

void
tmpl_esc_html(struct sbuf *o, const char *s, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < n; i++) {
		const char *rep;
		size_t replen;

		switch (s[i]) {
		case '&':
			rep = "&amp;";
			replen = 5;
			break;
		case '<':
			rep = "&lt;";
			replen = 4;
			break;
		case '>':
			rep = "&gt;";
			replen = 4;
			break;
		case '"':
			rep = "&quot;";
			replen = 6;
			break;
		case '\'':
			rep = "&#39;";
			replen = 5;
			break;
		default:
			continue;
		}
		if (i > run)
			sbuf_add(o, s + run, i - run);
		sbuf_add(o, rep, replen);
		run = i + 1;
	}
	if (n > run)
		sbuf_add(o, s + run, n - run);
}

static int
is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

void
tmpl_esc_url(struct sbuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, run = 0;
	char pct[3];

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c))
			continue;
		if (i > run)
			sbuf_add(o, s + run, i - run);
		pct[0] = '%';
		pct[1] = hex[c >> 4];
		pct[2] = hex[c & 0xf];
		sbuf_add(o, pct, 3);
		run = i + 1;
	}
	if (n > run)
		sbuf_add(o, s + run, n - run);
}

/*
 * A quoted JSON string literal that is also safe inside a <script>
 * element: < > & are \u escaped (no "</script>" or "<!--"), and so are
 * U+2028 and U+2029, which end a line in older JavaScript.
 */
void
tmpl_esc_js(struct sbuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, run = 0, skip;
	char esc[6];
	const char *rep;
	size_t replen;

	sbuf_putc(o, '"');
	for (i = 0; i < n; i++) {
		skip = 0;
		switch (u[i]) {
		case '"':
			rep = "\\\"";
			replen = 2;
			break;
		case '\\':
			rep = "\\\\";
			replen = 2;
			break;
		case '\n':
			rep = "\\n";
			replen = 2;
			break;
		case '\r':
			rep = "\\r";
			replen = 2;
			break;
		case '\t':
			rep = "\\t";
			replen = 2;
			break;
		case 0xe2:
			if (i + 2 < n && u[i + 1] == 0x80 &&
			    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
				rep = u[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
				replen = 6;
				skip = 2;
				break;
			}
			continue;
		default:
			/* Controls, and < > & as \u003c \u003e \u0026. */
			if (u[i] >= 0x20 && u[i] != '<' && u[i] != '>' &&
			    u[i] != '&')
				continue;
			esc[0] = '\\';
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[u[i] >> 4];
			esc[5] = hex[u[i] & 0xf];
			rep = esc;
			replen = 6;
			break;
		}
		if (i > run)
			sbuf_add(o, s + run, i - run);
		sbuf_add(o, rep, replen);
		i += skip;
		run = i + 1;
	}
	if (n > run)
		sbuf_add(o, s + run, n - run);
	sbuf_putc(o, '"');
}

/*
 * Values.
 */

/*
 * Integral numbers within +-2^53 print without a decimal point; others
 * in the shortest of %.15g and %.17g that reads back the same. Returns
 * 0 for NaN and infinities, which JSON cannot express.
 */
static size_t
fmt_num(char *buf, size_t sz, double d)
{
	int n;

	if (!isfinite(d))
		return 0;
	if (d >= -9007199254740992.0 && d <= 9007199254740992.0 &&
	    (double)(int64_t)d == d)
		n = snprintf(buf, sz, "%" PRId64, (int64_t)d);
	else {
		n = snprintf(buf, sz, "%.15g", d);
		if (strtod(buf, NULL) != d)
			n = snprintf(buf, sz, "%.17g", d);
	}
	return n > 0 && (size_t)n < sz ? (size_t)n : 0;
}

static void
emit_js(struct sbuf *o, const cJSON *v)
{
	const cJSON *c;
	char nb[32];
	size_t n;

	if (v == NULL)
		ADDLIT(o, "null");
	else if (cJSON_IsTrue(v))
		ADDLIT(o, "true");
	else if (cJSON_IsFalse(v))
		ADDLIT(o, "false");
	else if (cJSON_IsNumber(v)) {
		if ((n = fmt_num(nb, sizeof(nb), v->valuedouble)) == 0)
			ADDLIT(o, "null");
		else
			sbuf_add(o, nb, n);
	} else if (cJSON_IsString(v) || cJSON_IsRaw(v)) {
		if (v->valuestring == NULL)
			ADDLIT(o, "null");
		else
			tmpl_esc_js(o, v->valuestring,
			    strlen(v->valuestring));
	} else if (cJSON_IsArray(v)) {
		sbuf_putc(o, '[');
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				sbuf_putc(o, ',');
			emit_js(o, c);
		}
		sbuf_putc(o, ']');
	} else if (cJSON_IsObject(v)) {
		sbuf_putc(o, '{');
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				sbuf_putc(o, ',');
			tmpl_esc_js(o, c->string ? c->string : "",
			    c->string ? strlen(c->string) : 0);
			sbuf_putc(o, ':');
			emit_js(o, c);
		}
		sbuf_putc(o, '}');
	} else
		ADDLIT(o, "null");
}

static void
emit(struct sbuf *o, const cJSON *v, enum filter f)
{
	char nb[32];
	const char *s;
	size_t n;

	if (f == F_JS) {
		emit_js(o, v);
		return;
	}
	if (v == NULL)
		return;
	if (cJSON_IsString(v) || cJSON_IsRaw(v)) {
		if ((s = v->valuestring) == NULL)
			return;
		n = strlen(s);
	} else if (cJSON_IsNumber(v)) {
		n = fmt_num(nb, sizeof(nb), v->valuedouble);
		s = nb;
	} else if (cJSON_IsTrue(v)) {
		s = "true";
		n = 4;
	} else if (cJSON_IsFalse(v)) {
		s = "false";
		n = 5;
	} else
		return;		/* null, objects, arrays */

	switch (f) {
	case F_URL:
		tmpl_esc_url(o, s, n);
		break;
	case F_RAW:
		sbuf_add(o, s, n);
		break;
	default:
		tmpl_esc_html(o, s, n);
		break;
	}
}

static const cJSON *
member(const cJSON *obj, const char *key, size_t len)
{
	const cJSON *c;

	if (obj == NULL || !cJSON_IsObject(obj))
		return NULL;
	for (c = obj->child; c != NULL; c = c->next)
		if (c->string != NULL && strncmp(c->string, key, len) == 0 &&
		    c->string[len] == '\0')
			return c;
	return NULL;
}

/* The first segment through the stack, innermost first; the rest inside. */
static const cJSON *
lookup(const struct render *r, const struct tmpl *t, const struct node *n)
{
	const struct seg *sg;
	const cJSON *v = NULL;
	size_t i;
	int d;

	if (n->nseg == 0)
		return r->depth > 0 ? r->stack[r->depth - 1] : NULL;
	sg = &t->segs[n->seg];
	for (d = r->depth - 1; d >= 0 && v == NULL; d--)
		v = member(r->stack[d], t->src + sg[0].off, sg[0].len);
	for (i = 1; i < n->nseg && v != NULL; i++)
		v = member(v, t->src + sg[i].off, sg[i].len);
	return v;
}

static int
truthy(const cJSON *v)
{
	if (v == NULL)
		return 0;
	if (cJSON_IsTrue(v) || cJSON_IsObject(v))
		return 1;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v) || cJSON_IsRaw(v))
		return v->valuestring != NULL && v->valuestring[0] != '\0';
	if (cJSON_IsArray(v))
		return v->child != NULL;
	return 0;
}

static int
push(struct render *r, const cJSON *v)
{
	if (r->depth == TMPL_MAX_DEPTH) {
		fprintf(stderr, "tmpl: render %s: context deeper than %d\n",
		    r->top, TMPL_MAX_DEPTH);
		return -1;
	}
	r->stack[r->depth++] = v;
	return 0;
}

static int
render_tmpl(struct render *r, const struct tmpl *t)
{
	int rc;

	if (r->partials == TMPL_MAX_PARTIAL) {
		fprintf(stderr, "tmpl: render %s: partials nested deeper "
		    "than %d (at %s)\n", r->top, TMPL_MAX_PARTIAL, t->name);
		return -1;
	}
	r->partials++;
	rc = render_range(r, t, 0, t->nnodes);
	r->partials--;
	return rc;
}

static int
render_range(struct render *r, const struct tmpl *t, size_t i, size_t end)
{
	const struct node *n;
	const struct tmpl *p;
	const cJSON *v, *c;

	while (i < end) {
		n = &t->nodes[i];
		switch (n->type) {
		case N_TEXT:
			sbuf_add(&r->out, t->src + n->off, n->len);
			i++;
			break;
		case N_VAR:
			emit(&r->out, lookup(r, t, n), n->filter);
			i++;
			break;
		case N_SECTION:
			v = lookup(r, t, n);
			if (v != NULL && cJSON_IsArray(v)) {
				for (c = v->child; c != NULL; c = c->next) {
					if (push(r, c) == -1 ||
					    render_range(r, t, i + 1,
					    n->end) == -1)
						return -1;
					r->depth--;
				}
			} else if (truthy(v)) {
				if (push(r, v) == -1 ||
				    render_range(r, t, i + 1, n->end) == -1)
					return -1;
				r->depth--;
			}
			i = n->end;
			break;
		case N_INVERTED:
			if (!truthy(lookup(r, t, n)) &&
			    render_range(r, t, i + 1, n->end) == -1)
				return -1;
			i = n->end;
			break;
		case N_PARTIAL:
			if ((p = find(t->src + n->off, n->len)) == NULL) {
				fprintf(stderr, "tmpl: %s:%d: unknown partial "
				    "\"%.*s\"\n", t->name, n->line,
				    (int)n->len, t->src + n->off);
				return -1;
			}
			if (render_tmpl(r, p) == -1)
				return -1;
			i++;
			break;
		}
	}
	return 0;
}

int
tmpl_render(struct arena *a, const char *name, const cJSON *ctx,
    char **out, size_t *outlen)
{
	struct render r;
	struct tmpl *t;

	*out = NULL;
	*outlen = 0;
	if ((t = find(name, strlen(name))) == NULL) {
		fprintf(stderr, "tmpl: render %s: unknown template\n", name);
		return -1;
	}
	r.depth = 0;
	r.partials = 0;
	r.top = t->name;
	if (ctx != NULL)
		r.stack[r.depth++] = ctx;
	sbuf_init(&r.out, a, (t->hint > t->srclen ? t->hint : t->srclen) +
	    256);
	if (render_tmpl(&r, t) == -1)
		return -1;
	t->hint = r.out.len;
	*out = r.out.buf;
	*outlen = r.out.len;
	return 0;
}
