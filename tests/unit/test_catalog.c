/*
 * The catalogue's rules: yuan as people write them, the cells of the CSV
 * (member prices, stores, active), the RFC 4180 reader and writer with
 * their round trip, a row against the merchant's ladder and stores, the
 * product checks with the field they name, and GB18030 files.
 */
#include <stdlib.h>

#include "catalog/catalog_rules.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_FEN		100000000LL

static const int levels[] = { 1, 2, 3 };
static const int64_t stores[] = { 1, 2, 5 };
static const struct catalog_scope scope = { levels, 3, stores, 3, MAX_FEN };

TEST(catalog_yuan_parse_table)
{
	static const struct {
		const char	*in;
		int		 rc;
		int64_t		 fen;
	} cases[] = {
		{ "0", 0, 0 }, { "12", 0, 1200 }, { "12.5", 0, 1250 },
		{ "12.50", 0, 1250 }, { "12.05", 0, 1205 }, { " 7.1 ", 0, 710 },
		{ "¥18", 0, 1800 }, { "￥18.00", 0, 1800 }, { "0.01", 0, 1 },
		{ "1000000", 0, 100000000 }, { "1000000.00", 0, 100000000 },
		{ "\xe3\x80\x80" "3\xe3\x80\x80", 0, 300 },
		{ "1000000.01", -1, 0 }, { "", -1, 0 }, { " ", -1, 0 },
		{ "-1", -1, 0 }, { "+1", -1, 0 }, { "1.234", -1, 0 },
		{ "1.", -1, 0 }, { ".5", -1, 0 }, { "1,000", -1, 0 },
		{ "abc", -1, 0 }, { "12元", -1, 0 }, { "1e3", -1, 0 },
		{ "99999999999999999999", -1, 0 }, { "1 2", -1, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		int64_t fen = -7;
		int rc = catalog_yuan_parse(cases[i].in, MAX_FEN, &fen);

		if (rc != cases[i].rc)
			fprintf(stderr, "  yuan case %zu: \"%s\"\n", i,
			    cases[i].in);
		EXPECT_INT(rc, cases[i].rc);
		if (rc == 0)
			EXPECT_INT(fen, cases[i].fen);
	}
}

TEST(catalog_yuan_format_table)
{
	static const struct {
		int64_t		 fen;
		const char	*out;
	} cases[] = {
		{ 0, "0.00" }, { 1, "0.01" }, { 1250, "12.50" },
		{ 1800, "18.00" }, { 100000000, "1000000.00" }, { -5, "-0.05" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		char out[32];
		int64_t back;

		catalog_yuan_format(cases[i].fen, out);
		EXPECT_STR(out, cases[i].out);
		if (cases[i].fen >= 0) {
			EXPECT_INT(catalog_yuan_parse(out, MAX_FEN, &back), 0);
			EXPECT_INT(back, cases[i].fen);
		}
	}
}

TEST(catalog_prices_cell)
{
	struct catalog_price p[CATALOG_PRICES_MAX];
	char msg[CATALOG_MSG_MAX], out[256];
	int n = -1;

	EXPECT_INT(catalog_prices_parse("", MAX_FEN, p, &n, msg), 0);
	EXPECT_INT(n, 0);
	EXPECT_INT(catalog_prices_parse("2:20.00;3:18", MAX_FEN, p, &n, msg),
	    0);
	EXPECT_INT(n, 2);
	EXPECT_INT(p[0].tier_level, 2);
	EXPECT_INT(p[0].price_fen, 2000);
	EXPECT_INT(p[1].tier_level, 3);
	EXPECT_INT(p[1].price_fen, 1800);
	/* full-width separators, blanks, a ';' at the end */
	EXPECT_INT(catalog_prices_parse(" 1 ： 9.5 ； 2:8 ;", MAX_FEN, p, &n,
	    msg), 0);
	EXPECT_INT(n, 2);
	EXPECT_INT(p[0].price_fen, 950);
	EXPECT_INT(p[1].tier_level, 2);
	catalog_prices_format(p, n, out, sizeof(out));
	EXPECT_STR(out, "1:9.50;2:8.00");
	catalog_prices_format(p, 0, out, sizeof(out));
	EXPECT_STR(out, "");

	EXPECT_INT(catalog_prices_parse("2=20", MAX_FEN, p, &n, msg), -1);
	EXPECT(strstr(msg, "等级:价格") != NULL);
	EXPECT_INT(catalog_prices_parse("x:20", MAX_FEN, p, &n, msg), -1);
	EXPECT_INT(catalog_prices_parse("0:20", MAX_FEN, p, &n, msg), -1);
	EXPECT_INT(catalog_prices_parse("2:abc", MAX_FEN, p, &n, msg), -1);
	EXPECT_STR(msg, "等级 2 的会员价应为不小于 0 的金额，最多两位小数");
	EXPECT_INT(catalog_prices_parse("2:-1", MAX_FEN, p, &n, msg), -1);
	EXPECT_INT(catalog_prices_parse("2:1000001", MAX_FEN, p, &n, msg), -1);
	EXPECT_STR(msg, "等级 2 的会员价不能超过 1000000.00 元");
	EXPECT_INT(catalog_prices_parse("1:1;2:1;3:1;4:1;5:1;6:1;7:1;8:1;9:1;"
	    "10:1;11:1;12:1;13:1;14:1;15:1;16:1;17:1", MAX_FEN, p, &n, msg),
	    -1);
	EXPECT(strstr(msg, "最多 16 个") != NULL);
}

TEST(catalog_stores_cell)
{
	int64_t ids[CATALOG_STORES_MAX];
	char msg[CATALOG_MSG_MAX], out[64];
	int n = 0;
	const char *all[] = { "", "all", " ALL ", "全部", "   ", ";" };
	size_t i;

	for (i = 0; i < NELEM(all); i++) {
		n = 0;
		EXPECT_INT(catalog_stores_parse(all[i], ids, &n, msg), 0);
		EXPECT_INT(n, CATALOG_ALL_STORES);
	}
	EXPECT_INT(catalog_stores_parse("1;3", ids, &n, msg), 0);
	EXPECT_INT(n, 2);
	EXPECT_INT(ids[0], 1);
	EXPECT_INT(ids[1], 3);
	EXPECT_INT(catalog_stores_parse(" 7 ； 2 ", ids, &n, msg), 0);
	EXPECT_INT(n, 2);
	EXPECT_INT(ids[0], 7);
	catalog_stores_format(ids, n, out, sizeof(out));
	EXPECT_STR(out, "7;2");
	catalog_stores_format(ids, CATALOG_ALL_STORES, out, sizeof(out));
	EXPECT_STR(out, "all");
	EXPECT_INT(catalog_stores_parse("1,3", ids, &n, msg), -1);
	EXPECT(strstr(msg, "1;3") != NULL);
	EXPECT_INT(catalog_stores_parse("allx", ids, &n, msg), -1);
	EXPECT_INT(catalog_stores_parse("0", ids, &n, msg), -1);
	EXPECT_INT(catalog_stores_parse("-2", ids, &n, msg), -1);
}

TEST(catalog_active_cell)
{
	static const struct {
		const char	*in;
		int		 rc, on;
	} cases[] = {
		{ "", 0, 1 }, { "1", 0, 1 }, { "0", 0, 0 }, { " 0 ", 0, 0 },
		{ "TRUE", 0, 1 }, { "false", 0, 0 }, { "是", 0, 1 },
		{ "否", 0, 0 }, { "上架", 0, 1 }, { "下架", 0, 0 },
		{ "2", -1, 0 }, { "on", -1, 0 }, { "yes please", -1, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		int on = -1;

		EXPECT_INT(catalog_active_parse(cases[i].in, &on), cases[i].rc);
		if (cases[i].rc == 0)
			EXPECT_INT(on, cases[i].on);
	}
}

/* Every record of text as fields joined by '|', records by '/'. */
static int
read_all(const char *text, char *got, size_t cap, char msg[CATALOG_MSG_MAX])
{
	struct catalog_csv c;
	char *fields[16];
	char *buf = malloc(strlen(text) + 1);
	int n, i, rc, k = 0;
	size_t len = 0;

	got[0] = '\0';
	catalog_csv_init(&c, text, strlen(text), buf);
	while ((rc = catalog_csv_read(&c, fields, 16, &n, msg)) == 1) {
		len += (size_t)snprintf(got + len, cap - len, "%s", k++ ? "/" :
		    "");
		for (i = 0; i < n && i < 16; i++)
			len += (size_t)snprintf(got + len, cap - len, "%s%s",
			    i ? "|" : "", fields[i]);
	}
	free(buf);
	return rc == -1 ? -c.record : c.record;
}

TEST(catalog_csv_reader_table)
{
	static const struct {
		const char	*in, *out;
		int		 records;	/* -N: an error in record N */
	} cases[] = {
		{ "", "", 0 },
		{ "a,b,c", "a|b|c", 1 },
		{ "a,b\r\nc,d\r\n", "a|b/c|d", 2 },
		{ "a,b\nc,d\n", "a|b/c|d", 2 },
		{ "a\rb\r", "a/b", 2 },
		{ "\xef\xbb\xbf" "id,name\n", "id|name", 1 },
		{ "a,,c,\n", "a||c|", 1 },
		{ "\n\nx", "//x", 3 },
		{ "\"a,b\",c", "a,b|c", 1 },
		{ "\"say \"\"hi\"\"\",x", "say \"hi\"|x", 1 },
		{ "\"two\nlines\",2\r\nnext", "two\nlines|2/next", 2 },
		{ "\"\"", "", 1 },
		{ "\"\",\"\"", "|", 1 },
		{ "拿铁,\"咖啡\"\n", "拿铁|咖啡", 1 },
		{ "ab\"c,d", "ab\"c|d", 1 },
		{ "x\n\"open", "", -2 },
		{ "\"a\"b,c", "", -1 },
		{ "ok\nok\n\"a\" ,b", "", -3 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		char got[256], msg[CATALOG_MSG_MAX] = "";
		int rc = read_all(cases[i].in, got, sizeof(got), msg);

		if (rc != cases[i].records)
			fprintf(stderr, "  csv case %zu\n", i);
		EXPECT_INT(rc, cases[i].records);
		if (rc >= 0)
			EXPECT_STR(got, cases[i].out);
		else
			EXPECT(msg[0] != '\0');
	}
}

TEST(catalog_csv_quote_round_trip)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "拿铁", "拿铁" }, { "", "" }, { "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" }, { " pad", "\" pad\"" },
		{ "=1+2", "'=1+2" }, { "-5度", "'-5度" }, { "@x", "'@x" },
		{ "+86", "'+86" }, { "=a,b", "\"'=a,b\"" },
		{ "'quoted", "'quoted" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		char *q = malloc(catalog_csv_quote_cap(cases[i].in));
		size_t n = catalog_csv_quote(cases[i].in, q);

		EXPECT_STR(q, cases[i].out);
		EXPECT_INT(n, strlen(cases[i].out));
		free(q);
	}
}

/* A row of text read and checked against the scope. */
static int
row(const char *text, struct catalog_product *p, char msg[CATALOG_MSG_MAX])
{
	static char buf[1024];
	struct catalog_csv c;
	char *f[12];
	int n;

	catalog_csv_init(&c, text, strlen(text), buf);
	if (catalog_csv_read(&c, f, 12, &n, msg) != 1)
		return -2;
	return catalog_csv_row(f, n < 12 ? n : 12, &scope, p, msg);
}

TEST(catalog_csv_rows)
{
	struct catalog_product p;
	char msg[CATALOG_MSG_MAX];

	EXPECT_INT(row("12,拿铁,咖啡,22.00,3:18.00;2:20.00,2;1;2,1", &p, msg), 0);
	EXPECT_INT(p.id, 12);
	EXPECT_STR(p.name, "拿铁");
	EXPECT_STR(p.category, "咖啡");
	EXPECT_INT(p.price_fen, 2200);
	EXPECT_INT(p.nprices, 2);
	EXPECT_INT(p.prices[0].tier_level, 2);	/* sorted by level */
	EXPECT_INT(p.prices[1].price_fen, 1800);
	EXPECT_INT(p.nstores, 2);		/* sorted, once each */
	EXPECT_INT(p.store_ids[0], 1);
	EXPECT_INT(p.store_ids[1], 2);
	EXPECT_INT(p.active, 1);

	EXPECT_INT(row(",\"冷萃, 大杯\",,25,,all,0", &p, msg), 0);
	EXPECT_INT(p.id, 0);
	EXPECT_STR(p.name, "冷萃, 大杯");
	EXPECT(p.category == NULL);
	EXPECT_INT(p.nprices, 0);
	EXPECT_INT(p.nstores, CATALOG_ALL_STORES);
	EXPECT_INT(p.active, 0);

	/* fewer columns read as empty; a formula guard comes off */
	EXPECT_INT(row(",'=SUM(A1),,4", &p, msg), 0);
	EXPECT_STR(p.name, "=SUM(A1)");
	EXPECT_INT(p.active, 1);
	EXPECT_INT(p.nstores, CATALOG_ALL_STORES);
	/* empty trailing columns are fine, text in them is not */
	EXPECT_INT(row(",水,,4,,,1,,", &p, msg), 0);
	EXPECT_INT(row(",水,,4,,,1,x", &p, msg), -1);
	EXPECT(strstr(msg, "列数过多") != NULL);
}

TEST(catalog_csv_row_errors)
{
	static const struct {
		const char	*row, *msg;
	} cases[] = {
		{ "x,拿铁,,22", "商品编号应为数字（新商品留空）" },
		{ "-1,拿铁,,22", "商品编号应为数字（新商品留空）" },
		{ ",,,22", "名称不能为空" },
		{ ",拿铁,,", "价格应为不小于 0 的金额，最多两位小数" },
		{ ",拿铁,,-3", "价格应为不小于 0 的金额，最多两位小数" },
		{ ",拿铁,,2.345", "价格应为不小于 0 的金额，最多两位小数" },
		{ ",拿铁,,1000001", "价格不能超过 1000000.00 元" },
		{ ",拿铁,,22,9:10", "会员等级 9 不存在" },
		{ ",拿铁,,22,2:10;2:11", "会员等级 2 重复设置了会员价" },
		{ ",拿铁,,22,2:23", "等级 2 的会员价不能高于价格" },
		{ ",拿铁,,22,,3", "门店 3 不存在" },
		{ ",拿铁,,22,,1;x", "门店应为 all 或用分号隔开的门店编号，如 1;3" },
		{ ",拿铁,,22,,all,maybe", "上架应为 1（上架）或 0（下架）" },
		{ ",\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
		  "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
		  "一二三四五\",,1", "名称不能超过 64 个字" },
		{ ",拿铁,一二三四五六七八九十一二三四五六七八九十一二三四五六七八"
		  "九十一二三,1", "分类不能超过 32 个字" },
		{ ",\"拿\ttie\",,1", "名称不能包含换行等控制字符" },
		{ ",\"拿\n铁\",,1", "名称不能包含换行等控制字符" },
		{ ",\xff\xfe,,1", "名称包含无效字符" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct catalog_product p;
		char msg[CATALOG_MSG_MAX] = "";

		EXPECT_INT(row(cases[i].row, &p, msg), -1);
		if (strcmp(msg, cases[i].msg) != 0)
			fprintf(stderr, "  row case %zu\n", i);
		EXPECT_STR(msg, cases[i].msg);
	}
}

TEST(catalog_csv_header)
{
	char *ok[] = { "id", "Name", " category ", "price_yuan",
		"member_prices", "store_ids", "active", "" };
	char *short_[] = { "id", "name", "category", "price_yuan" };
	char *wrong[] = { "id", "名称", "category", "price_yuan",
		"member_prices", "store_ids", "active" };
	char *extra[] = { "id", "name", "category", "price_yuan",
		"member_prices", "store_ids", "active", "note" };

	EXPECT(catalog_csv_header_ok(ok, 7));
	EXPECT(catalog_csv_header_ok(ok, 8));
	EXPECT(!catalog_csv_header_ok(short_, 4));
	EXPECT(!catalog_csv_header_ok(wrong, 7));
	EXPECT(!catalog_csv_header_ok(extra, 8));
}

TEST(catalog_product_check_fields)
{
	static const struct {
		int64_t		 price;
		struct catalog_price mp[3];
		int		 nmp;
		int64_t		 stores[3];
		int		 nstores;
		const char	*field;	/* NULL: passes */
	} cases[] = {
		{ 2200, { { 2, 2000 }, { 1, 2100 } }, 2, { 5, 1, 5 }, 3, NULL },
		{ 2200, { { 0 } }, 0, { 0 }, CATALOG_ALL_STORES, NULL },
		{ 0, { { 1, 0 } }, 1, { 0 }, CATALOG_ALL_STORES, NULL },
		{ MAX_FEN + 1, { { 0 } }, 0, { 0 }, CATALOG_ALL_STORES,
		  "price_fen" },
		{ -1, { { 0 } }, 0, { 0 }, CATALOG_ALL_STORES, "price_fen" },
		{ 2200, { { 1, 2000 }, { 4, 1000 } }, 2, { 0 },
		  CATALOG_ALL_STORES, "member_prices[1].tier_level" },
		{ 2200, { { 1, 2000 }, { 2, 2300 } }, 2, { 0 },
		  CATALOG_ALL_STORES, "member_prices[1].price_fen" },
		{ 2200, { { 3, 2000 }, { 2, 1000 }, { 3, 1 } }, 3, { 0 },
		  CATALOG_ALL_STORES, "member_prices[2].tier_level" },
		{ 2200, { { 3, -1 } }, 1, { 0 }, CATALOG_ALL_STORES,
		  "member_prices[0].price_fen" },
		{ 2200, { { 0 } }, 0, { 1, 3 }, 2, "store_ids[1]" },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++) {
		struct catalog_product p;
		char field[CATALOG_FIELD_MAX] = "", msg[CATALOG_MSG_MAX] = "";
		int rc;

		memset(&p, 0, sizeof(p));
		p.name = "拿铁";
		p.price_fen = cases[i].price;
		memcpy(p.prices, cases[i].mp, sizeof(cases[i].mp));
		p.nprices = cases[i].nmp;
		memcpy(p.store_ids, cases[i].stores, sizeof(cases[i].stores));
		p.nstores = cases[i].nstores;
		rc = catalog_product_check(&p, &scope, field, msg);
		if (cases[i].field == NULL) {
			EXPECT_INT(rc, 0);
			continue;
		}
		EXPECT_INT(rc, -1);
		EXPECT_STR(field, cases[i].field);
		EXPECT(msg[0] != '\0');
		/* the message is for people: no field names in it */
		EXPECT(strstr(msg, "_") == NULL);
	}
	{
		struct catalog_product p;
		char field[CATALOG_FIELD_MAX], msg[CATALOG_MSG_MAX];

		memset(&p, 0, sizeof(p));
		p.name = "拿铁";
		p.price_fen = 2200;
		p.prices[0] = (struct catalog_price){ 3, 1800 };
		p.prices[1] = (struct catalog_price){ 1, 2100 };
		p.nprices = 2;
		p.store_ids[0] = 5;
		p.store_ids[1] = 1;
		p.store_ids[2] = 5;
		p.nstores = 3;
		EXPECT_INT(catalog_product_check(&p, &scope, field, msg), 0);
		EXPECT_INT(p.prices[0].tier_level, 1);
		EXPECT_INT(p.nstores, 2);
		EXPECT_INT(p.store_ids[0], 1);
		EXPECT_INT(p.store_ids[1], 5);
		EXPECT_INT(catalog_prices_above(p.prices, 2, 2000), 0);
		EXPECT_INT(catalog_prices_above(p.prices, 2, 2100), -1);
	}
}

TEST(catalog_text_gb18030)
{
	/* "拿铁,22" as Excel saves it on Chinese Windows */
	static const char gbk[] = "\xc4\xc3\xcc\xfa,22";
	char out[64];
	size_t len = 0;

	EXPECT_INT(catalog_text_to_utf8("拿铁,22", strlen("拿铁,22"), out,
	    sizeof(out), &len), 1);
	EXPECT_INT(catalog_text_to_utf8(gbk, strlen(gbk), out, sizeof(out),
	    &len), 0);
	EXPECT_STR(out, "拿铁,22");
	EXPECT_INT(len, strlen("拿铁,22"));
	/* neither UTF-8 nor GB18030 (a lead byte with nothing after it) */
	EXPECT_INT(catalog_text_to_utf8("\x81", 1, out, sizeof(out), &len),
	    -1);
}

TEST(catalog_text_ok_table)
{
	size_t chars = 0;

	EXPECT_INT(catalog_text_ok("燕麦拿铁", &chars), 0);
	EXPECT_INT(chars, 4);
	EXPECT_INT(catalog_text_ok("a\tb", &chars), -1);
	EXPECT_INT(catalog_text_ok("a\x7f", &chars), -1);
	EXPECT_INT(catalog_text_ok("\xc0\x80", &chars), -1);	/* overlong */
	EXPECT_INT(catalog_text_ok("\xed\xa0\x80", &chars), -1); /* surrogate */
	EXPECT_INT(catalog_text_ok("\xe6\x8b", &chars), -1);	/* cut short */
}
