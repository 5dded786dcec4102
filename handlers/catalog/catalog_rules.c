/*
 * The catalogue's pure rules: a product's checks, yuan, and the CSV of
 * the export and import (catalog_rules.h).
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "catalog_rules.h"

/* Yuan written in a CSV cell: at most this many digits before the point. */
#define YUAN_DIGITS	12

static void
say(char msg[CATALOG_MSG_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(char msg[CATALOG_MSG_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, CATALOG_MSG_MAX, fmt, ap);
	va_end(ap);
}

/*
 * One UTF-8 sequence at s (len bytes left): its length with the code
 * point in *cp, or 0 when it is not a valid one (overlong, a surrogate,
 * past U+10FFFF, cut short).
 */
static size_t
utf8_next(const unsigned char *s, size_t len, unsigned *cp)
{
	unsigned c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		*cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		*cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		*cp = c & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

static int
utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;
	unsigned cp;

	while (i < len) {
		if ((k = utf8_next(p + i, len - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

int
catalog_text_ok(const char *s, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, k, n = 0;
	unsigned cp;

	while (i < len) {
		if ((k = utf8_next(p + i, len - i, &cp)) == 0)
			return -1;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029)
			return -1;
		i += k;
		n++;
	}
	*chars = n;
	return 0;
}

/* s without the blanks (ASCII, and the full-width space) at either end,
   in place. */
static char *
trim(char *s)
{
	char *e;

	for (;;) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if (strncmp(s, "\xe3\x80\x80", 3) == 0)
			s += 3;
		else
			break;
	}
	e = s + strlen(s);
	for (;;) {
		if (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		else if (e - s >= 3 && strncmp(e - 3, "\xe3\x80\x80", 3) == 0)
			e -= 3;
		else
			break;
	}
	*e = '\0';
	return s;
}

/* The same for a text the caller keeps: a trimmed copy in buf. */
static const char *
trim_copy(const char *s, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s", s);
	return trim(buf);
}

int
catalog_yuan_parse(const char *in, int64_t max_fen, int64_t *fen)
{
	char buf[64];
	const char *s;
	int64_t yuan = 0, cents = 0;
	int digits = 0, i;

	if (in == NULL || strlen(in) >= sizeof(buf))
		return -1;
	s = trim_copy(in, buf, sizeof(buf));
	if (strncmp(s, "\xc2\xa5", 2) == 0)		/* ¥ */
		s += 2;
	else if (strncmp(s, "\xef\xbf\xa5", 3) == 0)	/* ￥ */
		s += 3;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > YUAN_DIGITS)
			return -1;
		yuan = yuan * 10 + (*s - '0');
	}
	if (digits == 0)
		return -1;
	if (*s == '.') {
		s++;
		for (i = 0; i < 2 && *s >= '0' && *s <= '9'; i++, s++)
			cents = cents * 10 + (*s - '0');
		if (i == 0)
			return -1;
		if (i == 1)
			cents *= 10;
	}
	if (*s != '\0')
		return -1;
	if (yuan > (max_fen - cents) / 100)
		return -1;
	*fen = yuan * 100 + cents;
	return *fen <= max_fen ? 0 : -1;
}

void
catalog_yuan_format(int64_t fen, char out[32])
{
	int64_t a = fen < 0 ? -fen : fen;

	snprintf(out, 32, "%s%lld.%02lld", fen < 0 ? "-" : "",
	    (long long)(a / 100), (long long)(a % 100));
}

/* A separator of a CSV cell's list at s: its length, or 0. */
static size_t
list_sep(const char *s)
{
	if (*s == ';')
		return 1;
	if (strncmp(s, "\xef\xbc\x9b", 3) == 0)	/* ； */
		return 3;
	return 0;
}

/*
 * The next item of a list cell at *s, trimmed, into buf: 1, or 0 when
 * none is left. Empty items (";;", a ';' at the end) are skipped.
 */
static int
list_item(const char **s, char *buf, size_t cap)
{
	const char *p = *s, *start;
	char *t;
	size_t k, n;

	for (;;) {
		start = p;
		while (*p != '\0' && list_sep(p) == 0)
			p++;
		n = (size_t)(p - start);
		if (n >= cap)
			n = cap - 1;
		memcpy(buf, start, n);
		buf[n] = '\0';
		if ((k = list_sep(p)) > 0)
			p += k;
		t = trim(buf);
		if (*t != '\0') {
			memmove(buf, t, strlen(t) + 1);
			*s = p;
			return 1;
		}
		if (*p == '\0') {
			*s = p;
			return 0;
		}
	}
}

/* An id or a level: 1..max in decimal digits only. 0 or -1. */
static int
digits_int(const char *s, int64_t max, int64_t *out)
{
	int64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	if (v < 1)
		return -1;
	*out = v;
	return 0;
}

int
catalog_prices_parse(const char *s, int64_t max_fen,
    struct catalog_price out[CATALOG_PRICES_MAX], int *n,
    char msg[CATALOG_MSG_MAX])
{
	static const char *const usage = "会员价应写成“等级:价格”，"
	    "多个用分号隔开，如 2:20.00;3:18.00";
	char item[96];
	int64_t level, fen;

	*n = 0;
	while (list_item(&s, item, sizeof(item))) {
		char *colon = strchr(item, ':'), *rest;

		if (colon != NULL) {
			*colon = '\0';
			rest = colon + 1;
		} else if ((colon = strstr(item, "\xef\xbc\x9a")) != NULL) {
			*colon = '\0';			/* ： */
			rest = colon + 3;
		} else {
			say(msg, "%s", usage);
			return -1;
		}
		if (digits_int(trim(item), 99, &level) == -1) {
			say(msg, "%s", usage);
			return -1;
		}
		if (catalog_yuan_parse(rest, INT64_MAX / 2, &fen) == -1) {
			say(msg, "等级 %lld 的会员价应为不小于 0 的金额，"
			    "最多两位小数", (long long)level);
			return -1;
		}
		if (fen > max_fen) {
			char y[32];

			catalog_yuan_format(max_fen, y);
			say(msg, "等级 %lld 的会员价不能超过 %s 元",
			    (long long)level, y);
			return -1;
		}
		if (*n == CATALOG_PRICES_MAX) {
			say(msg, "会员价最多 %d 个", CATALOG_PRICES_MAX);
			return -1;
		}
		out[*n].tier_level = (int)level;
		out[*n].price_fen = fen;
		(*n)++;
	}
	return 0;
}

size_t
catalog_prices_format(const struct catalog_price *p, int n, char *out,
    size_t cap)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		char y[32];
		int k;

		catalog_yuan_format(p[i].price_fen, y);
		k = snprintf(out + len, cap - len, "%s%d:%s", i ? ";" : "",
		    p[i].tier_level, y);
		if (k < 0 || (size_t)k >= cap - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)k;
	}
	return len;
}

int
catalog_stores_parse(const char *s, int64_t out[CATALOG_STORES_MAX], int *n,
    char msg[CATALOG_MSG_MAX])
{
	char item[64], all[16];
	const char *t;
	int64_t id;

	*n = 0;
	if (strlen(s) < sizeof(all)) {
		t = trim_copy(s, all, sizeof(all));
		if (*t == '\0' || strcasecmp(t, "all") == 0 ||
		    strcmp(t, "全部") == 0) {
			*n = CATALOG_ALL_STORES;
			return 0;
		}
	}
	while (list_item(&s, item, sizeof(item))) {
		if (digits_int(item, INT64_MAX, &id) == -1) {
			say(msg, "门店应为 all 或用分号隔开的门店编号，"
			    "如 1;3");
			return -1;
		}
		if (*n == CATALOG_STORES_MAX) {
			say(msg, "门店最多 %d 个", CATALOG_STORES_MAX);
			return -1;
		}
		out[(*n)++] = id;
	}
	if (*n == 0)
		*n = CATALOG_ALL_STORES;
	return 0;
}

size_t
catalog_stores_format(const int64_t *ids, int n, char *out, size_t cap)
{
	size_t len = 0;
	int i;

	if (n == CATALOG_ALL_STORES)
		return (size_t)snprintf(out, cap, "all");
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		int k = snprintf(out + len, cap - len, "%s%lld", i ? ";" : "",
		    (long long)ids[i]);

		if (k < 0 || (size_t)k >= cap - len) {
			out[len] = '\0';
			break;
		}
		len += (size_t)k;
	}
	return len;
}

int
catalog_active_parse(const char *in, int *active)
{
	static const struct {
		const char	*word;
		int		 on;
	} words[] = {
		{ "", 1 }, { "1", 1 }, { "0", 0 }, { "true", 1 },
		{ "false", 0 }, { "yes", 1 }, { "no", 0 }, { "是", 1 },
		{ "否", 0 }, { "上架", 1 }, { "下架", 0 },
	};
	char buf[16];
	const char *s;
	size_t i;

	if (strlen(in) >= sizeof(buf))
		return -1;
	s = trim_copy(in, buf, sizeof(buf));
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i].word) == 0) {
			*active = words[i].on;
			return 0;
		}
	return -1;
}

static int
cmp_price(const void *a, const void *b)
{
	const struct catalog_price *x = a, *y = b;

	return x->tier_level - y->tier_level;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A name or category: 0, or -1 with msg (what names the text). */
static int
text_check(const char *s, const char *what, size_t min, size_t max,
    char msg[CATALOG_MSG_MAX])
{
	size_t chars;

	if (!utf8_valid(s, strlen(s))) {
		say(msg, "%s包含无效字符", what);
		return -1;
	}
	if (catalog_text_ok(s, &chars) == -1) {
		say(msg, "%s不能包含换行等控制字符", what);
		return -1;
	}
	if (chars < min) {
		say(msg, "%s不能为空", what);
		return -1;
	}
	if (chars > max) {
		say(msg, "%s不能超过 %zu 个字", what, max);
		return -1;
	}
	return 0;
}

int
catalog_prices_above(const struct catalog_price *p, int n, int64_t price_fen)
{
	int i;

	for (i = 0; i < n; i++)
		if (p[i].price_fen > price_fen)
			return i;
	return -1;
}

int
catalog_product_check(struct catalog_product *p,
    const struct catalog_scope *sc, char field[CATALOG_FIELD_MAX],
    char msg[CATALOG_MSG_MAX])
{
	char y[32];
	int i, j, k, ok;

	if (text_check(p->name ? p->name : "", "名称", 1, CATALOG_NAME_MAX,
	    msg) == -1) {
		snprintf(field, CATALOG_FIELD_MAX, "name");
		return -1;
	}
	if (p->category != NULL && text_check(p->category, "分类", 1,
	    CATALOG_CATEGORY_MAX, msg) == -1) {
		snprintf(field, CATALOG_FIELD_MAX, "category");
		return -1;
	}
	if (p->price_fen < 0 || p->price_fen > sc->max_fen) {
		catalog_yuan_format(sc->max_fen, y);
		snprintf(field, CATALOG_FIELD_MAX, "price_fen");
		say(msg, "价格应在 0 到 %s 元之间", y);
		return -1;
	}
	for (i = 0; i < p->nprices; i++) {
		const struct catalog_price *mp = &p->prices[i];

		for (k = 0, ok = 0; k < sc->nlevels; k++)
			if (sc->levels[k] == mp->tier_level)
				ok = 1;
		if (!ok) {
			snprintf(field, CATALOG_FIELD_MAX,
			    "member_prices[%d].tier_level", i);
			say(msg, "会员等级 %d 不存在", mp->tier_level);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (p->prices[j].tier_level == mp->tier_level) {
				snprintf(field, CATALOG_FIELD_MAX,
				    "member_prices[%d].tier_level", i);
				say(msg, "会员等级 %d 重复设置了会员价",
				    mp->tier_level);
				return -1;
			}
		if (mp->price_fen < 0 || mp->price_fen > sc->max_fen) {
			catalog_yuan_format(sc->max_fen, y);
			snprintf(field, CATALOG_FIELD_MAX,
			    "member_prices[%d].price_fen", i);
			say(msg, "等级 %d 的会员价应在 0 到 %s 元之间",
			    mp->tier_level, y);
			return -1;
		}
		if (mp->price_fen > p->price_fen) {
			snprintf(field, CATALOG_FIELD_MAX,
			    "member_prices[%d].price_fen", i);
			say(msg, "等级 %d 的会员价不能高于价格",
			    mp->tier_level);
			return -1;
		}
	}
	for (i = 0; p->nstores != CATALOG_ALL_STORES && i < p->nstores; i++) {
		for (k = 0, ok = 0; k < sc->nstores; k++)
			if (sc->stores[k] == p->store_ids[i])
				ok = 1;
		if (!ok) {
			snprintf(field, CATALOG_FIELD_MAX, "store_ids[%d]", i);
			say(msg, "门店 %lld 不存在",
			    (long long)p->store_ids[i]);
			return -1;
		}
	}
	qsort(p->prices, (size_t)p->nprices, sizeof(p->prices[0]), cmp_price);
	if (p->nstores > 0) {
		qsort(p->store_ids, (size_t)p->nstores, sizeof(int64_t),
		    cmp_i64);
		for (i = 1, k = 1; i < p->nstores; i++)
			if (p->store_ids[i] != p->store_ids[k - 1])
				p->store_ids[k++] = p->store_ids[i];
		p->nstores = k;
	}
	return 0;
}

/* A text field as read: the ' written before a formula-like text off. */
static char *
unguard(char *s)
{
	if (s[0] == '\'' && s[1] != '\0' && strchr("=+-@\t\r", s[1]) != NULL)
		return s + 1;
	return s;
}

static const char *const header[CATALOG_CSV_COLS] = {
	"id", "name", "category", "price_yuan", "member_prices", "store_ids",
	"active",
};

int
catalog_csv_header_ok(char **f, int n)
{
	char buf[32];
	int i;

	for (i = 0; i < n; i++)
		if (i >= CATALOG_CSV_COLS ? *f[i] != '\0' :
		    strlen(f[i]) >= sizeof(buf) || strcasecmp(trim_copy(f[i],
		    buf, sizeof(buf)), header[i]) != 0)
			return 0;
	return n >= CATALOG_CSV_COLS;
}

int
catalog_csv_row(char **f, int n, const struct catalog_scope *sc,
    struct catalog_product *p, char msg[CATALOG_MSG_MAX])
{
	char *col[CATALOG_CSV_COLS], field[CATALOG_FIELD_MAX], y[32];
	char empty[CATALOG_CSV_COLS][1];
	int i;

	for (i = CATALOG_CSV_COLS; i < n; i++)
		if (*trim(f[i]) != '\0') {
			say(msg, "列数过多，应为 %d 列：%s", CATALOG_CSV_COLS,
			    CATALOG_CSV_HEADER);
			return -1;
		}
	for (i = 0; i < CATALOG_CSV_COLS; i++) {
		empty[i][0] = '\0';
		col[i] = i < n ? f[i] : empty[i];
	}
	memset(p, 0, sizeof(*p));
	col[0] = trim(col[0]);
	if (*col[0] != '\0' && digits_int(col[0], INT64_MAX, &p->id) == -1) {
		say(msg, "商品编号应为数字（新商品留空）");
		return -1;
	}
	p->name = trim(unguard(col[1]));
	p->category = trim(unguard(col[2]));
	if (*p->category == '\0')
		p->category = NULL;
	if (catalog_yuan_parse(col[3], INT64_MAX / 2, &p->price_fen) == -1) {
		say(msg, "价格应为不小于 0 的金额，最多两位小数");
		return -1;
	}
	if (p->price_fen > sc->max_fen) {
		catalog_yuan_format(sc->max_fen, y);
		say(msg, "价格不能超过 %s 元", y);
		return -1;
	}
	if (catalog_prices_parse(col[4], sc->max_fen, p->prices, &p->nprices,
	    msg) == -1 ||
	    catalog_stores_parse(col[5], p->store_ids, &p->nstores, msg) == -1)
		return -1;
	if (catalog_active_parse(col[6], &p->active) == -1) {
		say(msg, "上架应为 1（上架）或 0（下架）");
		return -1;
	}
	return catalog_product_check(p, sc, field, msg);
}

/* ---- reading CSV ---- */

void
catalog_csv_init(struct catalog_csv *c, const char *in, size_t len,
    char *buf)
{
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		in += 3;
		len -= 3;
	}
	c->p = in;
	c->end = in + len;
	c->out = buf;
	c->record = 0;
}

int
catalog_csv_read(struct catalog_csv *c, char **fields, int max, int *n,
    char msg[CATALOG_MSG_MAX])
{
	const char *p = c->p, *end = c->end;
	char *o = c->out;

	*n = 0;
	if (p >= end)
		return 0;
	c->record++;
	for (;;) {
		char *start = o;

		if (p < end && *p == '"') {
			for (p++;; p++) {
				if (p >= end) {
					say(msg, "引号未闭合");
					return -1;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"')
						p++;
					else
						break;
				}
				*o++ = *p;
			}
			p++;
			if (p < end && *p != ',' && *p != '\r' && *p != '\n') {
				say(msg, "引号后应紧跟逗号或换行（字段中的"
				    "引号请写成两个 \"\"）");
				return -1;
			}
		} else
			while (p < end && *p != ',' && *p != '\r' && *p != '\n')
				*o++ = *p++;
		*o++ = '\0';
		if (*n < max)
			fields[*n] = start;
		(*n)++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		/* the end of the record: CRLF, LF or a lone CR */
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		break;
	}
	c->p = p;
	c->out = o;
	return 1;
}

/* ---- writing CSV ---- */

size_t
catalog_csv_quote_cap(const char *s)
{
	return 2 * strlen(s) + 4;
}

size_t
catalog_csv_quote(const char *s, char *out)
{
	size_t len = strlen(s), n = 0;
	int quote = len > 0 && (s[0] == ' ' || s[0] == '\t' ||
	    s[len - 1] == ' ' || s[len - 1] == '\t');
	const char *p;

	if (strpbrk(s, ",\"\r\n") != NULL)
		quote = 1;
	if (quote)
		out[n++] = '"';
	if (len > 0 && strchr("=+-@\t\r", s[0]) != NULL)
		out[n++] = '\'';
	for (p = s; *p; p++) {
		if (*p == '"')
			out[n++] = '"';
		out[n++] = *p;
	}
	if (quote)
		out[n++] = '"';
	out[n] = '\0';
	return n;
}

int
catalog_text_to_utf8(const char *in, size_t len, char *out, size_t cap,
    size_t *outlen)
{
	iconv_t cd;
	char *ip = (char *)in, *op = out;
	size_t il = len, ol = cap - 1, rc;

	if (utf8_valid(in, len))
		return 1;
	if ((cd = iconv_open("UTF-8", "GB18030")) == (iconv_t)-1)
		return -1;
	rc = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (rc == (size_t)-1 || il != 0)
		return -1;
	*op = '\0';
	*outlen = (size_t)(op - out);
	return 0;
}
