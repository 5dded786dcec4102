/*
 * The catalogue's pure rules, no I/O (the catalogue's own files and the
 * unit tests): one product's fields and their checks, shared by the JSON
 * API and the rows of a CSV import; amounts in yuan as people write them;
 * the CSV of the export and import (RFC 4180).
 *
 * The CSV file: UTF-8 (a BOM first is read and written; a file that is
 * not UTF-8 is read as GB18030, what Excel saves on Chinese Windows), a
 * header row, then one product a row, seven columns:
 *
 *	id,name,category,price_yuan,member_prices,store_ids,active
 *	12,拿铁,咖啡,22.00,2:20.00;3:18.00,all,1
 *	,"冷萃, 大杯",咖啡,25.00,,1;3,0
 *
 * id empty for a new product; price_yuan in yuan with at most two
 * decimals; member_prices "level:yuan" pairs split by ';' (empty: none);
 * store_ids "all" (or empty) or store ids split by ';'; active 1 or 0
 * (empty: 1). Fields with a comma, a quote, a line break or blanks at
 * either end are quoted, quotes doubled. A text that Excel would take
 * for a formula (it starts with = + - @ or a tab) is written with a ' in
 * front, which reading takes off again.
 *
 * Messages (msg out, CATALOG_MSG_MAX bytes) are for people, in Chinese,
 * and name no field: the callers add the field (JSON) or the row (CSV).
 */
#ifndef CATALOG_RULES_H
#define CATALOG_RULES_H
#include <stddef.h>
#include <stdint.h>

#define CATALOG_PRICES_MAX	16	/* member prices of one product */
#define CATALOG_STORES_MAX	100	/* stores named by one product */
#define CATALOG_ALL_STORES	(-1)	/* nstores: sold at every store */
#define CATALOG_POSITION_MAX	1000000
#define CATALOG_CSV_COLS	7
#define CATALOG_CSV_HEADER \
	"id,name,category,price_yuan,member_prices,store_ids,active"
#define CATALOG_MSG_MAX		160
#define CATALOG_FIELD_MAX	48

struct catalog_price {
	int		 tier_level;
	int64_t		 price_fen;
};

/* One product as given: by the JSON API or a CSV row. */
struct catalog_product {
	int64_t		 id;		/* 0: a new one */
	const char	*name;
	const char	*category;	/* NULL: none */
	int64_t		 price_fen;
	struct catalog_price prices[CATALOG_PRICES_MAX];
	int		 nprices;
	int64_t		 store_ids[CATALOG_STORES_MAX];
	int		 nstores;	/* CATALOG_ALL_STORES: every store */
	int		 active;
};

/*
 * What a product may name, the merchant's as they are: the levels of its
 * tier ladder and the ids of its stores.
 */
struct catalog_scope {
	const int	*levels;
	int		 nlevels;
	const int64_t	*stores;
	int		 nstores;
	int64_t		 max_fen;	/* the highest price */
};

/*
 * The checks of a product: name 1..64 characters of text without line
 * breaks or other control characters, category at most 32 (NULL: none),
 * price 0..max_fen, member prices of levels of the ladder, each at most
 * once and not above the price, store ids of the merchant's stores. 0,
 * or -1 with the field at fault ("name", "member_prices[1].price_fen",
 * "store_ids[0]") in field and the reason in msg. Sorts the member
 * prices by level and the store ids, and drops repeated store ids.
 */
int	 catalog_product_check(struct catalog_product *,
	    const struct catalog_scope *, char field[CATALOG_FIELD_MAX],
	    char msg[CATALOG_MSG_MAX]);
/* Member prices above a new price: the index of the first, or -1. */
int	 catalog_prices_above(const struct catalog_price *, int n,
	    int64_t price_fen);

/*
 * Text as a name or category must be: valid UTF-8 without control
 * characters (line breaks and tabs included). 0 with its length in
 * characters, or -1.
 */
int	 catalog_text_ok(const char *, size_t *chars);

/*
 * An amount in yuan as people write it: "12", "12.5", "12.50", blanks
 * around, a ¥ or ￥ in front. 0 with fen out (0..max_fen), or -1.
 */
int	 catalog_yuan_parse(const char *, int64_t max_fen, int64_t *fen);
/* fen as yuan with two decimals: 1250 -> "12.50". */
void	 catalog_yuan_format(int64_t fen, char out[32]);

/*
 * The member prices of a CSV cell, "2:20.00;3:18.00" (full-width ： and
 * ； too, blanks between): 0 with n pairs out, or -1 with msg. The pairs
 * are not checked against a ladder (catalog_product_check does that).
 */
int	 catalog_prices_parse(const char *, int64_t max_fen,
	    struct catalog_price out[CATALOG_PRICES_MAX], int *n,
	    char msg[CATALOG_MSG_MAX]);
/* "2:20.00;3:18.00" into out (cap bytes, at least 1): its length. */
size_t	 catalog_prices_format(const struct catalog_price *, int n,
	    char *out, size_t cap);
/*
 * The stores of a CSV cell: "all", "全部" or empty (n CATALOG_ALL_STORES),
 * or ids split by ';'. 0, or -1 with msg.
 */
int	 catalog_stores_parse(const char *,
	    int64_t out[CATALOG_STORES_MAX], int *n, char msg[CATALOG_MSG_MAX]);
/* "all" or "1;3" into out (cap bytes, at least 1): its length. */
size_t	 catalog_stores_format(const int64_t *, int n, char *out,
	    size_t cap);
/* 1, 0, true, false, 是, 否, 上架, 下架, or empty (1): 0, or -1. */
int	 catalog_active_parse(const char *, int *active);

/*
 * One data row of the CSV (fields as read, n of them) into p, against
 * the scope: 0, or -1 with msg (the row number is the caller's). The
 * texts of p point into the fields.
 */
int	 catalog_csv_row(char **fields, int n, const struct catalog_scope *,
	    struct catalog_product *p, char msg[CATALOG_MSG_MAX]);
/* Whether the fields are the header row (names in any case). */
int	 catalog_csv_header_ok(char **fields, int n);

/*
 * ---- reading CSV ----
 * The reader takes the whole text and copies each record's fields,
 * unquoted and NUL-terminated, into buf (at least len + 1 bytes).
 */
struct catalog_csv {
	const char	*p, *end;
	char		*out;
	int		 record;	/* of the record read last, from 1 */
};

/* Start reading in[0..len), a UTF-8 BOM first skipped. */
void	 catalog_csv_init(struct catalog_csv *, const char *in, size_t len,
	    char *buf);
/*
 * The next record: 1 with its fields (at most max stored, their number
 * in *n, which may be more), 0 at the end, or -1 with msg for a quote
 * left open or text after a closing quote. An empty line is a record of
 * one empty field.
 */
int	 catalog_csv_read(struct catalog_csv *, char **fields, int max,
	    int *n, char msg[CATALOG_MSG_MAX]);

/*
 * ---- writing CSV ----
 * s as one field into out (at least catalog_csv_quote_cap(s) bytes):
 * quoted when it must be, a ' before what Excel would take for a
 * formula. Its length.
 */
size_t	 catalog_csv_quote_cap(const char *);
size_t	 catalog_csv_quote(const char *, char *out);

/*
 * Text that is not valid UTF-8 read as GB18030 into out (cap bytes, at
 * least 2 * len + 1): 0 with its length in *outlen, or -1 when it is
 * neither. Valid UTF-8 is not copied: 1.
 */
int	 catalog_text_to_utf8(const char *in, size_t len, char *out,
	    size_t cap, size_t *outlen);

#endif
