/*
 * The catalogue for staff (owners and marketing): products with their
 * member prices (会员价) and stores, listed, read, created and changed,
 * and the whole catalogue as CSV, exported and imported (the format is
 * in catalog_rules.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "catalog.h"
#include "catalog_rules.h"
#include "core/core.h"
#include "db.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

#define CSV_ROWS_MAX	2000	/* products in one import */
#define LEVEL_ANY	1000000000	/* a level read before it is checked */
#define PRODUCT_COLS \
	"p.id, p.name, p.category, p.price_fen, p.store_ids, p.active," \
	" p.position, p.created_at, p.updated_at"

enum { PR_ID, PR_NAME, PR_CATEGORY, PR_PRICE, PR_STORES, PR_ACTIVE,
    PR_POSITION, PR_CREATED, PR_UPDATED, PR_NCOLS };
DB_SQL_COLS(q_pr_get, PR_NCOLS,
    "SELECT " PRODUCT_COLS " FROM products p"
    " WHERE p.merchant_id = ? AND p.id = ?");
DB_SQL_COLS(q_pr_lock, PR_NCOLS,
    "SELECT " PRODUCT_COLS " FROM products p"
    " WHERE p.merchant_id = ? AND p.id = ? FOR UPDATE");
/* ?category= exact, ?active= 0/1 (-1: either), ?q= a LIKE pattern. */
DB_SQL_COLS(q_pr_list, PR_NCOLS,
    "SELECT " PRODUCT_COLS " FROM products p"
    " WHERE p.merchant_id = ? AND p.id < ?"
    " AND (? = '' OR p.category = ?) AND (? < 0 OR p.active = ?)"
    " AND (? = '' OR p.name LIKE ? ESCAPE '!')"
    " ORDER BY p.id DESC LIMIT ?");
DB_SQL_COLS(q_pr_all, PR_NCOLS,
    "SELECT " PRODUCT_COLS " FROM products p WHERE p.merchant_id = ?"
    " ORDER BY p.id");
enum { MP_PRODUCT, MP_LEVEL, MP_PRICE, MP_NCOLS };
DB_SQL_COLS(q_mp_range, MP_NCOLS,
    "SELECT mp.product_id, mp.tier_level, mp.price_fen"
    " FROM product_member_prices mp JOIN products p ON p.id = mp.product_id"
    " WHERE p.merchant_id = ? AND mp.product_id BETWEEN ? AND ?"
    " ORDER BY mp.product_id, mp.tier_level");
DB_SQL(q_pr_insert,
    "INSERT INTO products (merchant_id, name, category, price_fen,"
    " store_ids, active, position, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
DB_SQL(q_pr_update,
    "UPDATE products SET name = ?, category = ?, price_fen = ?,"
    " store_ids = ?, active = ?, position = ?, updated_at = ?"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL(q_mp_clear,
    "DELETE mp FROM product_member_prices mp"
    " JOIN products p ON p.id = mp.product_id"
    " WHERE p.merchant_id = ? AND mp.product_id = ?");
DB_SQL(q_mp_insert,
    "INSERT INTO product_member_prices (product_id, tier_level, price_fen)"
    " SELECT id, ?, ? FROM products WHERE merchant_id = ? AND id = ?");
enum { SI_ID, SI_NCOLS };
/* the stores a product may be sold at: own ones, not partner stores */
DB_SQL_COLS(q_pr_store_ids, SI_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND kind = 'own'"
    " ORDER BY id");
/* Every product of the merchant, locked for an import. */
enum { PI_ID, PI_POSITION, PI_NCOLS };
DB_SQL_COLS(q_pr_ids_lock, PI_NCOLS,
    "SELECT id, position FROM products WHERE merchant_id = ? ORDER BY id"
    " FOR UPDATE");

/* A product with what only the API has: its place on the menu. */
struct product {
	struct catalog_product	 p;
	int64_t			 position;
};

/* ---- reading ---- */

/* "[1,3]" as stored (NULL: every store) into p. */
static void
stores_from_text(const char *s, struct catalog_product *p)
{
	p->nstores = CATALOG_ALL_STORES;
	if (s == NULL)
		return;
	p->nstores = 0;
	while (*s && p->nstores < CATALOG_STORES_MAX) {
		if (*s >= '0' && *s <= '9') {
			char *end;

			p->store_ids[p->nstores++] = strtoll(s, &end, 10);
			s = end;
		} else
			s++;
	}
}

/* The stores of p as stored: NULL for every store, else "[1,3]". */
static const char *
stores_to_text(struct req *r, const struct catalog_product *p)
{
	struct sbuf s;
	int i;

	if (p->nstores == CATALOG_ALL_STORES)
		return NULL;
	sbuf_init(&s, r->a, 16 + (size_t)p->nstores * 8);
	sbuf_putc(&s, '[');
	for (i = 0; i < p->nstores; i++)
		sbuf_printf(&s, "%s%lld", i ? "," : "",
		    (long long)p->store_ids[i]);
	sbuf_putc(&s, ']');
	return sbuf_str(&s);
}

/*
 * Row i of res (products) into w, with its member prices from mp (rows
 * of q_mp_range, which may hold other products' too).
 */
static void
product_from_row(const struct db_res *res, int i, const struct db_res *mp,
    struct product *w)
{
	struct catalog_product *p = &w->p;
	int k;

	memset(w, 0, sizeof(*w));
	p->id = db_int(res, i, PR_ID);
	p->name = db_str(res, i, PR_NAME);
	p->category = db_str(res, i, PR_CATEGORY);
	p->price_fen = db_int(res, i, PR_PRICE);
	p->active = db_int(res, i, PR_ACTIVE) != 0;
	w->position = db_int(res, i, PR_POSITION);
	stores_from_text(db_str(res, i, PR_STORES), p);
	for (k = 0; mp != NULL && k < mp->nrows; k++)
		if (db_int(mp, k, MP_PRODUCT) == p->id &&
		    p->nprices < CATALOG_PRICES_MAX) {
			p->prices[p->nprices].tier_level =
			    (int)db_int(mp, k, MP_LEVEL);
			p->prices[p->nprices].price_fen =
			    db_int(mp, k, MP_PRICE);
			p->nprices++;
		}
}

/* The product of row i as the API answers it. */
static cJSON *
product_json(struct req *r, const struct db_res *res, int i,
    const struct db_res *mp)
{
	struct product w;
	struct catalog_product *p = &w.p;
	cJSON *o = j_obj(), *a;
	int k;

	product_from_row(res, i, mp, &w);
	j_int(o, "id", p->id);
	j_str(o, "name", p->name);
	j_str(o, "category", p->category);
	j_int(o, "price_fen", p->price_fen);
	a = j_arr();
	for (k = 0; k < p->nprices; k++) {
		cJSON *x = j_obj();

		j_int(x, "tier_level", p->prices[k].tier_level);
		j_int(x, "price_fen", p->prices[k].price_fen);
		j_add(a, NULL, x);
	}
	j_add(o, "member_prices", a);
	if (p->nstores == CATALOG_ALL_STORES)
		j_str(o, "store_ids", "all");
	else {
		a = j_arr();
		for (k = 0; k < p->nstores; k++)
			j_add(a, NULL, cJSON_CreateNumber((double)
			    p->store_ids[k]));
		j_add(o, "store_ids", a);
	}
	j_bool(o, "active", p->active);
	j_int(o, "position", w.position);
	j_str(o, "created_at", time_rfc3339(r, db_str(res, i, PR_CREATED)));
	j_str(o, "updated_at", time_rfc3339(r, db_str(res, i, PR_UPDATED)));
	return o;
}

/*
 * The stored product id into res and its member prices into mp; *found
 * 0 when r->m has none of that id. lock: FOR UPDATE. 0, or the error
 * status (recorded).
 */
static int
product_load(struct req *r, int64_t id, int lock, struct db_res *res,
    struct db_res *mp, int *found)
{
	*found = 0;
	if (DB(r, lock ? &q_pr_lock : &q_pr_get, res, DBI(r->m->id), DBI(id))
	    != DB_OK)
		return db_fail(r);
	if (res->nrows == 0)
		return 0;
	if (DB(r, &q_mp_range, mp, DBI(r->m->id), DBI(id), DBI(id)) != DB_OK)
		return db_fail(r);
	*found = 1;
	return 0;
}

static int
not_found(struct req *r)
{
	return resp_err(r, 404, "not_found", "商品不存在", NULL);
}

/* The path's :id into *id: 0, or 404 not_found (recorded). */
static int
path_id(struct req *r, int64_t *id)
{
	if (req_param_id(r, "id", id) == -1)
		return not_found(r);
	return 0;
}

/*
 * What a product may name, read now: the levels of the merchant's tier
 * ladder and the ids of its stores. 0, or the error status (recorded).
 */
static int
scope_load(struct req *r, struct catalog_scope *sc)
{
	const struct tier_row *tiers;
	struct db_res res;
	int *levels, i, n, st;
	int64_t *stores;

	if ((st = tiers_load(r, &tiers, &n)) != 0)
		return st;
	levels = arena_calloc(r->a, (size_t)n + 1, sizeof(*levels));
	for (i = 0; i < n; i++)
		levels[i] = tiers[i].level;
	if (DB(r, &q_pr_store_ids, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	stores = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(*stores));
	for (i = 0; i < res.nrows; i++)
		stores[i] = db_int(&res, i, SI_ID);
	sc->levels = levels;
	sc->nlevels = n;
	sc->stores = stores;
	sc->nstores = res.nrows;
	sc->max_fen = WALLET_MAX_FEN;
	return 0;
}

/* ---- the JSON payload ---- */

static cJSON *
field(struct req *r, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(r->json, name);
}

/*
 * A name or category as given, blanks at either end off (spaces, and the
 * full-width space, as the CSV import takes them off).
 */
static const char *
trimmed(struct req *r, const char *s)
{
	static const char wide[] = "\xe3\x80\x80";	/* U+3000 */
	size_t n;

	for (;;) {
		if (*s == ' ')
			s++;
		else if (strncmp(s, wide, 3) == 0)
			s += 3;
		else
			break;
	}
	n = strlen(s);
	for (;;) {
		if (n > 0 && s[n - 1] == ' ')
			n--;
		else if (n >= 3 && memcmp(s + n - 3, wide, 3) == 0)
			n -= 3;
		else
			break;
	}
	return arena_strndup(r->a, s, n);
}

/* An integer of a nested field: 0, or 400 invalid_field (recorded). */
static int
nested_int(struct req *r, const cJSON *o, const char *key, const char *name,
    int64_t min, int64_t max, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL || cJSON_IsNull(v))
		return resp_bad_field(r, name, "缺少必填项");
	if (json_integer(v, out) == -1)
		return resp_bad_field(r, name, "应为整数");
	if (*out < min || *out > max)
		return resp_bad_field(r, name, "超出允许范围");
	return 0;
}

/* member_prices given: replace p's whole. 0, or the error status. */
static int
apply_prices(struct req *r, const cJSON *a, struct catalog_product *p)
{
	const cJSON *it;
	int i = 0, st;

	p->nprices = 0;
	if (cJSON_IsNull(a))
		return 0;
	if (!cJSON_IsArray(a))
		return resp_bad_field(r, "member_prices",
		    "会员价应为数组，每项含等级和价格");
	if (cJSON_GetArraySize(a) > CATALOG_PRICES_MAX)
		return resp_bad_field(r, "member_prices", arena_printf(r->a,
		    "会员价最多 %d 个", CATALOG_PRICES_MAX));
	for (it = a->child; it != NULL; it = it->next, i++) {
		int64_t level, price;

		if (!cJSON_IsObject(it))
			return resp_bad_field(r, arena_printf(r->a,
			    "member_prices[%d]", i),
			    "每个会员价应包含等级和价格");
		if ((st = nested_int(r, it, "tier_level", arena_printf(r->a,
		    "member_prices[%d].tier_level", i), -LEVEL_ANY, LEVEL_ANY,
		    &level)) != 0)
			return st;
		/* the ranges: catalog_product_check(), in words */
		if ((st = nested_int(r, it, "price_fen", arena_printf(r->a,
		    "member_prices[%d].price_fen", i), INT64_MIN, INT64_MAX,
		    &price)) != 0)
			return st;
		p->prices[p->nprices].tier_level = (int)level;
		p->prices[p->nprices].price_fen = price;
		p->nprices++;
	}
	return 0;
}

/* store_ids given: "all" (or null), or ids. 0, or the error status. */
static int
apply_stores(struct req *r, const cJSON *a, struct catalog_product *p)
{
	const cJSON *it;
	int i = 0;

	if (cJSON_IsNull(a) || (cJSON_IsString(a) &&
	    strcmp(a->valuestring, "all") == 0)) {
		p->nstores = CATALOG_ALL_STORES;
		return 0;
	}
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1)
		return resp_bad_field(r, "store_ids",
		    "应为 \"all\" 或门店编号的数组");
	if (cJSON_GetArraySize(a) > CATALOG_STORES_MAX)
		return resp_bad_field(r, "store_ids", arena_printf(r->a,
		    "门店最多 %d 个", CATALOG_STORES_MAX));
	p->nstores = 0;
	for (it = a->child; it != NULL; it = it->next, i++) {
		int64_t id;

		if (json_integer(it, &id) == -1 || id < 1)
			return resp_bad_field(r, arena_printf(r->a,
			    "store_ids[%d]", i), "应为门店编号");
		p->store_ids[p->nstores++] = id;
	}
	return 0;
}

/*
 * The body's fields over w (a new product: the defaults; a change: the
 * stored one), then the whole checked against the merchant's ladder and
 * stores. creating makes name and price_fen required. 0, or the error
 * status (recorded: 400 invalid_field, or a database failure).
 */
static int
product_apply(struct req *r, struct product *w, int creating)
{
	struct catalog_product *p = &w->p;
	struct catalog_price kept[CATALOG_PRICES_MAX];
	struct catalog_scope sc;
	char fname[CATALOG_FIELD_MAX], msg[CATALOG_MSG_MAX];
	cJSON *f;
	int64_t v;
	int nkept = -1, st, i;

	if ((f = field(r, "name")) != NULL || creating) {
		if (f == NULL || cJSON_IsNull(f))
			return resp_bad_field(r, "name", "请填写名称");
		if (!cJSON_IsString(f))
			return resp_bad_field(r, "name", "应为字符串");
		p->name = trimmed(r, f->valuestring);
	}
	if ((f = field(r, "category")) != NULL) {
		if (!cJSON_IsNull(f) && !cJSON_IsString(f))
			return resp_bad_field(r, "category",
			    "应为字符串或 null");
		p->category = cJSON_IsString(f) ? trimmed(r, f->valuestring) :
		    NULL;
		if (p->category != NULL && *p->category == '\0')
			p->category = NULL;
	}
	if ((f = field(r, "price_fen")) != NULL || creating) {
		if (f == NULL || cJSON_IsNull(f))
			return resp_bad_field(r, "price_fen", "请填写价格");
		if (json_integer(f, &p->price_fen) == -1)
			return resp_bad_field(r, "price_fen",
			    "价格应为整数（单位：分）");
	}
	if ((f = field(r, "member_prices")) != NULL) {
		if ((st = apply_prices(r, f, p)) != 0)
			return st;
	} else if (!creating) {
		/* kept as stored: not checked against today's ladder */
		nkept = p->nprices;
		memcpy(kept, p->prices, sizeof(kept));
		p->nprices = 0;
	}
	if ((f = field(r, "store_ids")) != NULL &&
	    (st = apply_stores(r, f, p)) != 0)
		return st;
	if ((f = field(r, "active")) != NULL && !cJSON_IsNull(f)) {
		if (!cJSON_IsBool(f))
			return resp_bad_field(r, "active",
			    "应为 true 或 false");
		p->active = cJSON_IsTrue(f);
	}
	if ((f = field(r, "position")) != NULL && !cJSON_IsNull(f)) {
		if (json_integer(f, &v) == -1 || v < 0 ||
		    v > CATALOG_POSITION_MAX)
			return resp_bad_field(r, "position", arena_printf(r->a,
			    "排序应为 0 到 %d 的整数", CATALOG_POSITION_MAX));
		w->position = v;
	}
	if ((st = scope_load(r, &sc)) != 0)
		return st;
	if (catalog_product_check(p, &sc, fname, msg) == -1)
		return resp_bad_field(r, arena_strdup(r->a, fname),
		    arena_strdup(r->a, msg));
	if (nkept >= 0) {
		memcpy(p->prices, kept, sizeof(kept));
		p->nprices = nkept;
		if ((i = catalog_prices_above(p->prices, p->nprices,
		    p->price_fen)) >= 0)
			return resp_bad_field(r, "price_fen", arena_printf(r->a,
			    "价格不能低于已设置的会员价（等级 %d）",
			    p->prices[i].tier_level));
	}
	return 0;
}

/* ---- writing ---- */

/*
 * Write p (a new one when p->id is 0: its id set) with its member
 * prices. prices: replace the stored member prices. 0, or the error
 * status (recorded).
 */
static int
product_write(struct req *r, struct catalog_product *p, int64_t position,
    int prices)
{
	char now[20];
	struct db_res res;
	int i;

	time_sql(time_now(), now);
	if (p->id == 0) {
		if (DB(r, &q_pr_insert, &res, DBI(r->m->id), DBS(p->name),
		    DBS(p->category), DBI(p->price_fen),
		    DBS(stores_to_text(r, p)), DBI(p->active), DBI(position),
		    DBS(now), DBS(now)) != DB_OK)
			return db_fail(r);
		p->id = (int64_t)res.insert_id;
	} else {
		if (DB(r, &q_pr_update, NULL, DBS(p->name), DBS(p->category),
		    DBI(p->price_fen), DBS(stores_to_text(r, p)),
		    DBI(p->active), DBI(position), DBS(now), DBI(r->m->id),
		    DBI(p->id)) != DB_OK)
			return db_fail(r);
		if (prices && DB(r, &q_mp_clear, NULL, DBI(r->m->id),
		    DBI(p->id)) != DB_OK)
			return db_fail(r);
	}
	for (i = 0; prices && i < p->nprices; i++)
		if (DB(r, &q_mp_insert, NULL, DBI(p->prices[i].tier_level),
		    DBI(p->prices[i].price_fen), DBI(r->m->id), DBI(p->id)) !=
		    DB_OK)
			return db_fail(r);
	return 0;
}

struct product_ctx {
	int64_t		 id;
	cJSON		*out;
};

/* The stored product as JSON into c->out: 0, or the error status. */
static int
product_reload(struct req *r, struct product_ctx *c)
{
	struct db_res res, mp;
	int found, st;

	if ((st = product_load(r, c->id, 0, &res, &mp, &found)) != 0)
		return st;
	if (!found)
		return resp_internal(r);
	c->out = product_json(r, &res, 0, &mp);
	return 0;
}

static int
product_create_tx(struct req *r, void *arg)
{
	struct product_ctx *c = arg;
	struct product w;
	int st;

	memset(&w, 0, sizeof(w));
	w.p.nstores = CATALOG_ALL_STORES;
	w.p.active = 1;
	if ((st = product_apply(r, &w, 1)) != 0 ||
	    (st = product_write(r, &w.p, w.position, 1)) != 0)
		return st;
	c->id = w.p.id;
	if ((st = audit_log(r, "product.create", arena_printf(r->a,
	    "product:%lld", (long long)c->id), r->body, 0)) != 0 ||
	    (st = product_reload(r, c)) != 0)
		return st;
	return 201;
}

/*
 * Create a product.
 * In: {name, category?, price_fen, member_prices?:[{tier_level,
 * price_fen}], store_ids? ("all" or ids), active? (true), position?
 * (0)}. Out: 201 the product. Errors: invalid_field naming the field
 * ("member_prices[1].price_fen"). Writes: products,
 * product_member_prices, audit_log.
 */
static int
product_create(struct req *r)
{
	struct product_ctx c = { 0, NULL };
	int st;

	if (req_json_body(r) == -1)
		return r->status;
	st = db_tx(r, product_create_tx, &c);
	return st >= 400 ? st : resp_data(r, 201, c.out);
}

static int
product_update_tx(struct req *r, void *arg)
{
	struct product_ctx *c = arg;
	struct product w;
	struct db_res res, mp;
	int found, st;

	if ((st = product_load(r, c->id, 1, &res, &mp, &found)) != 0)
		return st;
	if (!found)
		return not_found(r);
	product_from_row(&res, 0, &mp, &w);
	if ((st = product_apply(r, &w, 0)) != 0 ||
	    (st = product_write(r, &w.p, w.position,
	    field(r, "member_prices") != NULL)) != 0)
		return st;
	if ((st = audit_log(r, "product.update", arena_printf(r->a,
	    "product:%lld", (long long)c->id), r->body, 0)) != 0 ||
	    (st = product_reload(r, c)) != 0)
		return st;
	return 200;
}

/*
 * Change a product: the fields given replace the stored ones (a null
 * category clears it; member_prices and store_ids replace the whole
 * list), and the whole is checked again. A new price is never below the
 * member prices kept.
 * In: any fields of the payload. Out: the product. Errors: not_found,
 * invalid_field. Writes: products, product_member_prices, audit_log.
 */
static int
product_update(struct req *r)
{
	struct product_ctx c = { 0, NULL };
	int st;

	if ((st = path_id(r, &c.id)) != 0)
		return st;
	if (req_json_body(r) == -1)
		return r->status;
	st = db_tx(r, product_update_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

/* Out: the product. Errors: not_found. */
static int
product_get(struct req *r)
{
	struct db_res res, mp;
	int64_t id;
	int found, st;

	if ((st = path_id(r, &id)) != 0)
		return st;
	if ((st = product_load(r, id, 0, &res, &mp, &found)) != 0)
		return st;
	if (!found)
		return not_found(r);
	return resp_data(r, 200, product_json(r, &res, 0, &mp));
}

/* ?q= as a LIKE pattern: "%q%", with % _ ! escaped by '!'. */
static const char *
like_pattern(struct req *r, const char *q)
{
	struct sbuf s;

	sbuf_init(&s, r->a, strlen(q) * 2 + 3);
	sbuf_putc(&s, '%');
	for (; *q; q++) {
		if (*q == '%' || *q == '_' || *q == '!')
			sbuf_putc(&s, '!');
		sbuf_putc(&s, *q);
	}
	sbuf_putc(&s, '%');
	return sbuf_str(&s);
}

/*
 * The merchant's products, newest first.
 * In: ?category= (exactly), ?active=true|false, ?q= (the name contains
 * it), ?cursor, ?limit. Out: list of products. Errors: invalid_field.
 */
static int
product_list(struct req *r)
{
	const char *cat = req_query(r, "category"), *act = req_query(r,
	    "active"), *q = req_query(r, "q"), *like = "";
	struct db_res res, mp;
	int64_t limit, cursor, next, active = -1;
	size_t chars;
	cJSON *arr;
	int i, n;

	if (cat == NULL)
		cat = "";
	if (*cat != '\0' && (catalog_text_ok(cat, &chars) == -1 ||
	    chars > CATALOG_CATEGORY_MAX))
		return resp_bad_field(r, "category", "分类无效");
	if (act != NULL && *act != '\0') {
		if (strcmp(act, "true") == 0)
			active = 1;
		else if (strcmp(act, "false") == 0)
			active = 0;
		else
			return resp_bad_field(r, "active",
			    "应为 true 或 false");
	}
	if (q != NULL && *q != '\0') {
		if (catalog_text_ok(q, &chars) == -1 ||
		    chars > CATALOG_NAME_MAX)
			return resp_bad_field(r, "q", "搜索词无效");
		like = like_pattern(r, q);
	}
	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_pr_list, &res, DBI(r->m->id),
	    DBI(cursor > 0 ? cursor : INT64_MAX), DBS(cat), DBS(cat),
	    DBI(active), DBI(active), DBS(like), DBS(like), DBI(limit + 1)) !=
	    DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, PR_ID, &next);
	memset(&mp, 0, sizeof(mp));
	if (n > 0 && DB(r, &q_mp_range, &mp, DBI(r->m->id),
	    DBI(db_int(&res, n - 1, PR_ID)), DBI(db_int(&res, 0, PR_ID))) !=
	    DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < n; i++)
		j_add(arr, NULL, product_json(r, &res, i, &mp));
	return resp_list(r, arr, next);
}

/* ---- CSV ---- */

static void
csv_put(struct sbuf *s, const char *text)
{
	char *q = arena_alloc(s->a, catalog_csv_quote_cap(text));
	size_t n = catalog_csv_quote(text, q);

	sbuf_add(s, q, n);
}

/*
 * The whole catalogue as CSV, UTF-8 with a BOM so that Excel reads it:
 * id,name,category,price_yuan,member_prices,store_ids,active, one product
 * a row by id (catalog_rules.h). What the import reads back.
 */
static int
product_csv_export(struct req *r)
{
	struct db_res res, mp;
	struct sbuf s;
	int i;

	if (DB(r, &q_pr_all, &res, DBI(r->m->id)) != DB_OK ||
	    DB(r, &q_mp_range, &mp, DBI(r->m->id), DBI(1), DBI(INT64_MAX)) !=
	    DB_OK)
		return db_fail(r);
	sbuf_init(&s, r->a, 128 + (size_t)res.nrows * 96);
	sbuf_puts(&s, "\xEF\xBB\xBF" CATALOG_CSV_HEADER "\r\n");
	for (i = 0; i < res.nrows; i++) {
		struct product w;
		struct catalog_product *p = &w.p;
		char y[32], cell[CATALOG_PRICES_MAX * 40 + 1];

		product_from_row(&res, i, &mp, &w);
		catalog_yuan_format(p->price_fen, y);
		sbuf_printf(&s, "%lld,", (long long)p->id);
		csv_put(&s, p->name);
		sbuf_putc(&s, ',');
		csv_put(&s, p->category ? p->category : "");
		sbuf_printf(&s, ",%s,", y);
		catalog_prices_format(p->prices, p->nprices, cell,
		    sizeof(cell));
		sbuf_puts(&s, cell);
		sbuf_putc(&s, ',');
		catalog_stores_format(p->store_ids, p->nstores, cell,
		    sizeof(cell));
		sbuf_puts(&s, cell);
		sbuf_printf(&s, ",%d\r\n", p->active);
	}
	resp_header(r, "Content-Disposition", arena_printf(r->a,
	    "attachment; filename=\"products-%s.csv\"", r->m->code));
	resp_header(r, "Cache-Control", "no-store");
	return resp_raw(r, 200, "text/csv; charset=utf-8", s.buf, s.len);
}

struct import {
	const char		*text;
	size_t			 len;
	struct product		*rows;
	int			*rowno;	/* of each product, in the file */
	int			 n;
	int64_t			 created, updated;
};

static int
csv_bad(struct req *r, int row, const char *msg)
{
	return resp_bad_field(r, "csv", row > 0 ? arena_printf(r->a,
	    "第 %d 行：%s", row, msg) : msg);
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Every row of the file read and checked, nothing written yet: 0, or
 * 400 invalid_field csv naming the first bad row (recorded).
 */
static int
import_read(struct req *r, struct import *im, const struct catalog_scope *sc,
    const int64_t *ids, int nids)
{
	struct catalog_csv c;
	char *f[CATALOG_CSV_COLS + 8], msg[CATALOG_MSG_MAX];
	int n, rc, i, k;

	catalog_csv_init(&c, im->text, im->len, arena_alloc(r->a,
	    im->len + 1));
	rc = catalog_csv_read(&c, f, CATALOG_CSV_COLS + 8, &n, msg);
	if (rc == -1)
		return csv_bad(r, c.record, msg);
	if (rc == 0)
		return csv_bad(r, 0, "文件为空");
	if (!catalog_csv_header_ok(f, n < CATALOG_CSV_COLS + 8 ? n :
	    CATALOG_CSV_COLS + 8))
		return csv_bad(r, 1, "应为表头 " CATALOG_CSV_HEADER);
	while ((rc = catalog_csv_read(&c, f, CATALOG_CSV_COLS + 8, &n,
	    msg)) == 1) {
		struct catalog_product *p;
		int blank = 1;

		for (i = 0; i < n && i < CATALOG_CSV_COLS + 8; i++)
			if (strspn(f[i], " \t") != strlen(f[i]))
				blank = 0;
		if (blank)
			continue;
		if (n > CATALOG_CSV_COLS + 8)
			return csv_bad(r, c.record, arena_printf(r->a,
			    "列数过多，应为 %d 列", CATALOG_CSV_COLS));
		if (im->n == CSV_ROWS_MAX)
			return csv_bad(r, 0, arena_printf(r->a,
			    "一次最多导入 %d 个商品", CSV_ROWS_MAX));
		p = &im->rows[im->n].p;
		if (catalog_csv_row(f, n, sc, p, msg) == -1)
			return csv_bad(r, c.record, msg);
		if (p->id != 0 && bsearch(&p->id, ids, (size_t)nids,
		    sizeof(*ids), cmp_id) == NULL)
			return csv_bad(r, c.record, arena_printf(r->a,
			    "商品编号 %lld 不存在（新商品请留空编号）",
			    (long long)p->id));
		for (k = 0; p->id != 0 && k < im->n; k++)
			if (im->rows[k].p.id == p->id)
				return csv_bad(r, c.record, arena_printf(r->a,
				    "商品编号 %lld 与第 %d 行重复",
				    (long long)p->id, im->rowno[k]));
		/* the texts point into the reader's buffer, which stays */
		im->rowno[im->n++] = c.record;
	}
	if (rc == -1)
		return csv_bad(r, c.record, msg);
	return 0;
}

static int
import_tx(struct req *r, void *arg)
{
	struct import *im = arg;
	struct catalog_scope sc;
	struct db_res res;
	struct sbuf made, changed;
	int64_t *ids, *pos;
	int i, st;

	im->n = 0;
	im->created = im->updated = 0;
	if ((st = scope_load(r, &sc)) != 0)
		return st;
	if (DB(r, &q_pr_ids_lock, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	ids = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(*ids));
	pos = arena_calloc(r->a, (size_t)res.nrows + 1, sizeof(*pos));
	for (i = 0; i < res.nrows; i++) {
		ids[i] = db_int(&res, i, PI_ID);
		pos[i] = db_int(&res, i, PI_POSITION);
	}
	if ((st = import_read(r, im, &sc, ids, res.nrows)) != 0)
		return st;
	sbuf_init(&made, r->a, 64);
	sbuf_init(&changed, r->a, 64);
	for (i = 0; i < im->n; i++) {
		struct catalog_product *p = &im->rows[i].p;
		int64_t position = 0, *at = NULL;
		int updating = p->id != 0;

		/* an update keeps the product's place on the menu */
		if (updating && (at = bsearch(&p->id, ids, (size_t)res.nrows,
		    sizeof(*ids), cmp_id)) != NULL)
			position = pos[at - ids];
		if ((st = product_write(r, p, position, 1)) != 0)
			return st;
		if (updating)
			sbuf_printf(&changed, "%s%lld", im->updated++ ? "," :
			    "", (long long)p->id);
		else
			sbuf_printf(&made, "%s%lld", im->created++ ? "," : "",
			    (long long)p->id);
	}
	if ((st = audit_log(r, "product.import", NULL, arena_printf(r->a,
	    "{\"created\":[%s],\"updated\":[%s]}", sbuf_str(&made),
	    sbuf_str(&changed)), 0)) != 0)
		return st;
	return 200;
}

/* The media types a .csv file is sent with (Excel's on Windows too). */
static int
csv_type(const char *ct)
{
	static const char *const types[] = { "text/csv", "text/plain",
		"application/csv", "application/vnd.ms-excel",
		"text/comma-separated-values" };
	size_t i, n;

	if (ct == NULL)
		return 0;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		n = strlen(types[i]);
		if (strncasecmp(ct, types[i], n) == 0 && (ct[n] == '\0' ||
		    ct[n] == ';' || ct[n] == ' '))
			return 1;
	}
	return 0;
}

/*
 * Import the catalogue from CSV, all or nothing in one transaction: a
 * row with an id of this merchant changes that product (its member
 * prices and stores replaced, its place on the menu kept), a row
 * without one adds a product. The first bad row refuses the whole file.
 * In: the CSV (text/csv; UTF-8, a BOM allowed, or GB18030), the header
 * row first (catalog_rules.h). Out: {created, updated}. Errors:
 * unsupported_media_type, invalid_field csv ("第 3 行：…").
 * Writes: products, product_member_prices, audit_log.
 */
static int
product_csv_import(struct req *r)
{
	struct import im;
	size_t cap, lines = 1, i;
	char *conv;
	cJSON *d;
	int rc, st;

	if (!csv_type(r->content_type))
		return resp_err(r, 415, "unsupported_media_type",
		    "请上传 CSV 文件（text/csv）", NULL);
	if (r->body_len == 0)
		return csv_bad(r, 0, "文件为空");
	if (memchr(r->body, '\0', r->body_len) != NULL)
		return csv_bad(r, 0, "文件不是文本格式的 CSV");
	memset(&im, 0, sizeof(im));
	cap = 2 * r->body_len + 1;
	conv = arena_alloc(r->a, cap);
	rc = catalog_text_to_utf8(r->body, r->body_len, conv, cap, &im.len);
	if (rc == -1)
		return csv_bad(r, 0, "文件编码无法识别，请在 Excel 中另存为"
		    "“CSV UTF-8（逗号分隔）”后再导入");
	if (rc == 1) {
		im.text = r->body;
		im.len = r->body_len;
	} else
		im.text = conv;
	for (i = 0; i < im.len; i++)
		if (im.text[i] == '\n' || im.text[i] == '\r')
			lines++;
	if (lines > CSV_ROWS_MAX)
		lines = CSV_ROWS_MAX;
	im.rows = arena_calloc(r->a, lines, sizeof(*im.rows));
	im.rowno = arena_calloc(r->a, lines, sizeof(*im.rowno));
	st = db_tx(r, import_tx, &im);
	if (st >= 400)
		return st;
	d = j_obj();
	j_int(d, "created", im.created);
	j_int(d, "updated", im.updated);
	return resp_data(r, 200, d);
}

#define SBASE	"/api/v1/m/:merchant/staff"
#define CAT	(AUTH_STAFF | ROLE_OWNER | ROLE_MARKETING)

ROUTES(catalog_staff_routes) = {
	{ M_GET, SBASE "/products", product_list, CAT },
	{ M_POST, SBASE "/products", product_create, CAT | CSRF },
	{ M_GET, SBASE "/products/:id", product_get, CAT },
	{ M_PATCH, SBASE "/products/:id", product_update, CAT | CSRF },
	{ M_GET, SBASE "/products.csv", product_csv_export, CAT },
	{ M_POST, SBASE "/products.csv", product_csv_import,
	    CAT | CSRF | IDEMPOTENT },
	{ 0, NULL, NULL, 0 }
};
