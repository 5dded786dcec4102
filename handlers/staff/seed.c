/*
 * Commands that load data: `app seed` (demo merchants, stores, tiers,
 * staff and the demo menu; only with APP_ENV dev or test; safe to run
 * twice) and
 * `app bench-members <merchant> <n> <file>` (signed-in members for the
 * benchmark, tokens written one per line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "cmd.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"

DB_SQL(q_seed_merchant,
    "INSERT IGNORE INTO merchants (code, name, card_name) VALUES (?, ?, ?)");
enum { SM_ID, SM_CODE, SM_NAME, SM_TZ, SM_NCOLS };
DB_SQL_COLS(q_seed_merchant_id, SM_NCOLS,
    "SELECT id, code, name, tz FROM merchants WHERE code = ?");
enum { SC_COUNT, SC_NCOLS };
DB_SQL_COLS(q_seed_store_count, SC_NCOLS,
    "SELECT COUNT(*) FROM stores WHERE merchant_id = ?");
DB_SQL(q_seed_store,
    "INSERT INTO stores (merchant_id, name, address) VALUES (?, ?, ?)");
enum { SD_ID, SD_NCOLS };
DB_SQL_COLS(q_seed_store_ids, SD_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? ORDER BY id");
DB_SQL(q_seed_tier,
    "INSERT IGNORE INTO tiers (merchant_id, level, name, growth, discount_pct,"
    " points_multiplier, privileges) VALUES (?, ?, ?, ?, ?, ?, ?)");
DB_SQL(q_seed_staff,
    "INSERT IGNORE INTO staff (merchant_id, username, name, role,"
    " password_hash) VALUES (?, ?, ?, ?, ?)");
enum { SF_ID, SF_NCOLS };
DB_SQL_COLS(q_seed_staff_id, SF_NCOLS,
    "SELECT id FROM staff WHERE merchant_id = ? AND username = ?");
DB_SQL(q_seed_staff_store,
    "INSERT IGNORE INTO staff_stores (staff_id, store_id) VALUES (?, ?)");
DB_SQL(q_bench_member,
    "INSERT IGNORE INTO members (merchant_id, phone, name, card_no, channel,"
    " growth, joined_at) VALUES (?, ?, ?, ?, 'organic', ?, UTC_TIMESTAMP())");

static const struct {
	int		 level;
	const char	*name;
	int64_t		 growth;
	int		 discount;	/* 0: none */
	const char	*mult;
	const char	*privileges;
} demo_tiers[] = {
	{ 1, "普通会员", 0, 0, "1.00",
	  "[{\"title\":\"会员价\",\"desc\":\"指定商品享会员价\"},"
	  "{\"title\":\"积分\",\"desc\":\"消费 1 元积 1 分\"}]" },
	{ 2, "银卡会员", 1000, 98, "1.20",
	  "[{\"title\":\"9.8 折\",\"desc\":\"全场消费 9.8 折\"},"
	  "{\"title\":\"1.2 倍积分\",\"desc\":\"消费积分 1.2 倍\"},"
	  "{\"title\":\"生日礼\",\"desc\":\"生日当月赠饮品一杯\"}]" },
	{ 3, "金卡会员", 5000, 95, "1.50",
	  "[{\"title\":\"9.5 折\",\"desc\":\"全场消费 9.5 折\"},"
	  "{\"title\":\"1.5 倍积分\",\"desc\":\"消费积分 1.5 倍\"},"
	  "{\"title\":\"生日礼\",\"desc\":\"生日当月赠蛋糕一份\"},"
	  "{\"title\":\"专属客服\",\"desc\":\"一对一专属客服\"}]" },
};

static int
load_merchant(struct req *r, const char *code)
{
	struct db_res res;

	if (DB(r, &q_seed_merchant_id, &res, DBS(code)) != DB_OK ||
	    res.nrows != 1)
		return -1;
	r->m = arena_alloc(r->a, sizeof(*r->m));
	r->m->id = db_int(&res, 0, SM_ID);
	r->m->code = db_str(&res, 0, SM_CODE);
	r->m->name = db_str(&res, 0, SM_NAME);
	r->m->tz = db_str(&res, 0, SM_TZ);
	return 0;
}

static int
seed_merchant(struct req *r, const char *code, const char *name,
    const char *card, const char *const *stores, int nstores,
    int with_staff)
{
	struct db_res res;
	char hash[crypto_pwhash_STRBYTES];
	int64_t store_ids[8];
	size_t i;
	int n = 0;
	static const struct {
		const char *user, *name, *role;
	} staff[] = {
		{ "owner", "李建国", "owner" },
		{ "marketing", "张晓雯", "marketing" },
		{ "cashier", "王小明", "cashier" },
	};

	if (DB(r, &q_seed_merchant, NULL, DBS(code), DBS(name), DBS(card))
	    != DB_OK || load_merchant(r, code) == -1)
		return -1;
	if (DB(r, &q_seed_store_count, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	if (db_int(&res, 0, SC_COUNT) == 0)
		for (i = 0; i < (size_t)nstores; i++)
			if (DB(r, &q_seed_store, NULL, DBI(r->m->id),
			    DBS(stores[2 * i]), DBS(stores[2 * i + 1])) != DB_OK)
				return -1;
	if (DB(r, &q_seed_store_ids, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	for (n = 0; n < res.nrows && n < 8; n++)
		store_ids[n] = db_int(&res, n, SD_ID);
	for (i = 0; i < sizeof(demo_tiers) / sizeof(demo_tiers[0]); i++)
		if (DB(r, &q_seed_tier, NULL, DBI(r->m->id),
		    DBI(demo_tiers[i].level), DBS(demo_tiers[i].name),
		    DBI(demo_tiers[i].growth),
		    DBIN(demo_tiers[i].discount, demo_tiers[i].discount != 0),
		    DBS(demo_tiers[i].mult), DBS(demo_tiers[i].privileges)) !=
		    DB_OK)
			return -1;
	if (!with_staff)
		return 0;
	for (i = 0; i < sizeof(staff) / sizeof(staff[0]); i++) {
		if (crypto_pwhash_str(hash, "demo1234", 8,
		    crypto_pwhash_OPSLIMIT_INTERACTIVE,
		    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
			return -1;
		if (DB(r, &q_seed_staff_id, &res, DBI(r->m->id),
		    DBS(staff[i].user)) != DB_OK)
			return -1;
		if (res.nrows == 0 && DB(r, &q_seed_staff, NULL, DBI(r->m->id),
		    DBS(staff[i].user), DBS(staff[i].name), DBS(staff[i].role),
		    DBS(hash)) != DB_OK)
			return -1;
		if (strcmp(staff[i].role, "cashier") != 0 || n == 0)
			continue;
		if (DB(r, &q_seed_staff_id, &res, DBI(r->m->id),
		    DBS(staff[i].user)) != DB_OK || res.nrows != 1)
			return -1;
		/* the demo cashier works at the first store only */
		if (DB(r, &q_seed_staff_store, NULL,
		    DBI(db_int(&res, 0, SF_ID)), DBI(store_ids[0])) != DB_OK)
			return -1;
	}
	return 0;
}

/* ---- the demo menu ---- */

enum { SP_COUNT, SP_NCOLS };
DB_SQL_COLS(q_seed_product_count, SP_NCOLS,
    "SELECT COUNT(*) FROM products WHERE merchant_id = ?");
DB_SQL(q_seed_product,
    "INSERT INTO products (merchant_id, name, category, price_fen,"
    " store_ids, active, position, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, 1, ?, UTC_TIMESTAMP(), UTC_TIMESTAMP())");
DB_SQL(q_seed_member_price,
    "INSERT INTO product_member_prices (product_id, tier_level, price_fen)"
    " SELECT id, ?, ? FROM products WHERE merchant_id = ? AND id = ?");
DB_SQL(q_seed_count_card,
    "INSERT INTO count_card_products (merchant_id, name, uses, price_fen,"
    " validity_kind, validity_days, product_ids, store_ids, active,"
    " created_at, updated_at) VALUES (?, ?, 10, 15000, 'days', 365, ?, NULL,"
    " 1, UTC_TIMESTAMP(), UTC_TIMESTAMP())");

/*
 * A coffee shop's menu for the demo merchant, once: list prices, member
 * prices of the demo tiers (levels 1..3, demo_tiers above; 0: none), and
 * cold brew at the second store only; and a count card of ten
 * americanos (美式咖啡 10 次卡, 150 yuan, a year) sold at every store.
 */
static int
seed_products(struct req *r)
{
	static const struct {
		const char	*name, *category;
		int64_t		 price, member[3];
		int		 second_store_only;
	} menu[] = {
		{ "美式咖啡", "咖啡", 1800, { 1600, 1500, 1400 }, 0 },
		{ "拿铁", "咖啡", 2200, { 0, 2000, 1800 }, 0 },
		{ "燕麦拿铁", "咖啡", 2600, { 0, 2400, 2200 }, 0 },
		{ "卡布奇诺", "咖啡", 2400, { 0, 0, 2100 }, 0 },
		{ "冷萃", "咖啡", 2500, { 0, 0, 0 }, 1 },
		{ "可颂", "烘焙", 1200, { 0, 1000, 900 }, 0 },
		{ "芝士蛋糕", "烘焙", 2800, { 0, 0, 2500 }, 0 },
		{ "瓶装水", "饮品", 400, { 0, 0, 0 }, 0 },
	};
	struct db_res res;
	const char *second = NULL;
	size_t i, k;
	int64_t americano = 0;

	if (strcmp(r->m->code, "demo") != 0)
		return 0;
	if (DB(r, &q_seed_product_count, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	if (db_int(&res, 0, SP_COUNT) > 0)
		return 0;
	if (DB(r, &q_seed_store_ids, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	if (res.nrows > 1)
		second = arena_printf(r->a, "[%lld]",
		    (long long)db_int(&res, 1, SD_ID));
	for (i = 0; i < sizeof(menu) / sizeof(menu[0]); i++) {
		int64_t id;

		if (DB(r, &q_seed_product, &res, DBI(r->m->id),
		    DBS(menu[i].name), DBS(menu[i].category),
		    DBI(menu[i].price), DBS(menu[i].second_store_only ?
		    second : NULL), DBI((int64_t)(i + 1) * 10)) != DB_OK)
			return -1;
		id = (int64_t)res.insert_id;
		if (i == 0)
			americano = id;
		for (k = 0; k < 3; k++)
			if (menu[i].member[k] > 0 && DB(r, &q_seed_member_price,
			    NULL, DBI(demo_tiers[k].level),
			    DBI(menu[i].member[k]), DBI(r->m->id), DBI(id)) !=
			    DB_OK)
				return -1;
	}
	if (DB(r, &q_seed_count_card, NULL, DBI(r->m->id),
	    DBS("美式咖啡 10 次卡"), DBS(arena_printf(r->a, "[%lld]",
	    (long long)americano))) != DB_OK)
		return -1;
	return 0;
}
SEEDER(seed_products);

extern const seeder_fn __start_app_seeders[];
extern const seeder_fn __stop_app_seeders[];

/* The base demo data of a merchant exists; now each area's own. */
static int
seed_areas(struct req *r, const char *code)
{
	const seeder_fn *s;

	if (load_merchant(r, code) == -1)
		return -1;
	for (s = __start_app_seeders; s < __stop_app_seeders; s++)
		if ((*s)(r) == -1)
			return -1;
	return 0;
}

/* The section exists even before any area registers a seeder. */
static int
seed_nothing(struct req *r)
{
	(void)r;
	return 0;
}
SEEDER(seed_nothing);

static int
cmd_seed(int argc, char *argv[])
{
	static const char *const demo_stores[] = {
		"人民广场店", "上海市黄浦区人民大道 100 号",
		"静安寺店", "上海市静安区南京西路 1618 号",
	};
	static const char *const demo2_stores[] = {
		"旗舰店", "杭州市西湖区文三路 1 号",
	};
	struct req r;
	int rc = 1;

	(void)argc;
	(void)argv;
	if (!cfg_is_dev()) {
		fputs("seed: demo data is loaded only with APP_ENV dev or "
		    "test\n", stderr);
		return 1;
	}
	if (cmd_req_init(&r) == -1)
		goto out;
	if (seed_merchant(&r, "demo", "示例咖啡", "示例咖啡会员卡",
	    demo_stores, 2, 1) == -1 ||
	    seed_merchant(&r, "demo2", "隔壁烘焙", "隔壁烘焙会员卡",
	    demo2_stores, 1, 1) == -1 || seed_areas(&r, "demo") == -1 ||
	    seed_areas(&r, "demo2") == -1) {
		fputs("seed: failed\n", stderr);
		goto out;
	}
	printf("seed: demo data ready (merchants demo, demo2)\n");
	rc = 0;
out:
	cmd_req_done(&r);
	return rc;
}

/*
 * Create n members of a merchant with sessions and write their tokens to
 * a file, for the benchmark. Phones 199xxxxxxxx keep them apart.
 */
static int
cmd_bench_members(int argc, char *argv[])
{
	struct req r;
	FILE *f = NULL;
	long n, i;
	int rc = 1;

	if (argc != 4) {
		fputs("usage: app bench-members <merchant> <n> <file>\n",
		    stderr);
		return 2;
	}
	if (!cfg_is_dev()) {
		fputs("bench-members: only with APP_ENV dev or test\n", stderr);
		return 1;
	}
	n = strtol(argv[2], NULL, 10);
	if (cmd_req_init(&r) == -1 || load_merchant(&r, argv[1]) == -1)
		goto out;
	if ((f = fopen(argv[3], "w")) == NULL)
		goto out;
	db_exec_simple("START TRANSACTION");
	for (i = 0; i < n; i++) {
		char phone[24], card[17];
		const char *tok, *exp;

		snprintf(phone, sizeof(phone), "199%08ld", i);
		card_no_make(card, rand_uniform);
		if (DB(&r, &q_bench_member, NULL, DBI(r.m->id), DBS(phone),
		    DBS("压测会员"), DBS(card), DBI(i % 7000)) != DB_OK)
			goto out;
		if (session_create(&r, "member", phone, 0, 86400, &tok, &exp,
		    NULL) != 0)
			goto out;
		fprintf(f, "%s\n", tok);
		if (i % 1000 == 999) {
			db_exec_simple("COMMIT");
			db_exec_simple("START TRANSACTION");
			arena_reset(r.a);
			load_merchant(&r, argv[1]);
		}
	}
	db_exec_simple("COMMIT");
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	cmd_req_done(&r);
	return rc;
}

COMMANDS(seed_commands) = {
	{ "seed", "load demo data (APP_ENV dev or test)", cmd_seed },
	{ "bench-members", "create signed-in members for the benchmark",
	  cmd_bench_members },
	{ NULL, NULL, NULL }
};
