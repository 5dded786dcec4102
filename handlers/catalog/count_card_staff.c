/*
 * Count-card products (次卡) for staff (owners and marketing): listed,
 * created and changed. A product is sold as an order line
 * {count_card_product_id, qty}; the card it issues copies its terms when
 * the order is paid (handlers/card/), so a change applies to the cards
 * sold after it.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "catalog_rules.h"
#include "core/core.h"
#include "db.h"
#include "wallet/wallet.h"

#define CCP_IDS_MAX	100	/* products or stores named */
#define CCP_COLS \
	"id, name, uses, price_fen, validity_kind, validity_days," \
	" validity_until, product_ids, store_ids, active, created_at," \
	" updated_at"
enum { CP_ID, CP_NAME, CP_USES, CP_PRICE, CP_KIND, CP_DAYS, CP_UNTIL,
    CP_PRODUCTS, CP_STORES, CP_ACTIVE, CP_CREATED, CP_UPDATED, CP_NCOLS };
DB_SQL_COLS(q_ccp_get, CP_NCOLS,
    "SELECT " CCP_COLS " FROM count_card_products"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL_COLS(q_ccp_lock, CP_NCOLS,
    "SELECT " CCP_COLS " FROM count_card_products"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
DB_SQL_COLS(q_ccp_list, CP_NCOLS,
    "SELECT " CCP_COLS " FROM count_card_products"
    " WHERE merchant_id = ? AND id < ? AND (? < 0 OR active = ?)"
    " ORDER BY id DESC LIMIT ?");
DB_SQL(q_ccp_insert,
    "INSERT INTO count_card_products (merchant_id, name, uses, price_fen,"
    " validity_kind, validity_days, validity_until, product_ids,"
    " store_ids, active, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP())");
DB_SQL(q_ccp_update,
    "UPDATE count_card_products SET name = ?, uses = ?, price_fen = ?,"
    " validity_kind = ?, validity_days = ?, validity_until = ?,"
    " product_ids = ?, store_ids = ?, active = ?,"
    " updated_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND id = ?");
enum { EX_ONE, EX_NCOLS };
DB_SQL_COLS(q_ccp_product_ok, EX_NCOLS,
    "SELECT 1 FROM products WHERE merchant_id = ? AND id = ?");
DB_SQL_COLS(q_ccp_store_ok, EX_NCOLS,
    "SELECT 1 FROM stores WHERE merchant_id = ? AND id = ?"
    " AND kind = 'own'");

/* The payload as it is checked and stored. */
struct ccp {
	const char	*name;
	int64_t		 uses, price_fen;
	int		 days_kind;
	int64_t		 days;
	const char	*until;		/* "YYYY-MM-DD" */
	const char	*product_ids;	/* "[1,3]" */
	const char	*store_ids;	/* NULL: every store */
	int		 active;
};

static cJSON *
ccp_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *d = j_obj(), *v = j_obj();
	int days = strcmp(db_str(res, i, CP_KIND), "days") == 0;

	j_int(d, "id", db_int(res, i, CP_ID));
	j_str(d, "name", db_str(res, i, CP_NAME));
	j_int(d, "uses", db_int(res, i, CP_USES));
	j_int(d, "price_fen", db_int(res, i, CP_PRICE));
	j_str(v, "kind", days ? "days" : "until");
	if (days)
		j_int(v, "days", db_int(res, i, CP_DAYS));
	else
		j_str(v, "until", db_str(res, i, CP_UNTIL));
	j_add(d, "validity", v);
	j_add(d, "product_ids",
	    count_card_ids_json(db_str(res, i, CP_PRODUCTS)));
	if (db_isnull(res, i, CP_STORES))
		j_str(d, "store_ids", "all");
	else
		j_add(d, "store_ids",
		    count_card_ids_json(db_str(res, i, CP_STORES)));
	j_bool(d, "active", db_int(res, i, CP_ACTIVE) != 0);
	j_str(d, "created_at", time_rfc3339(r, db_str(res, i, CP_CREATED)));
	j_str(d, "updated_at", time_rfc3339(r, db_str(res, i, CP_UPDATED)));
	return d;
}

static void
ccp_from_row(const struct db_res *res, struct ccp *p)
{
	p->name = db_str(res, 0, CP_NAME);
	p->uses = db_int(res, 0, CP_USES);
	p->price_fen = db_int(res, 0, CP_PRICE);
	p->days_kind = strcmp(db_str(res, 0, CP_KIND), "days") == 0;
	p->days = db_int(res, 0, CP_DAYS);
	p->until = db_str(res, 0, CP_UNTIL);
	p->product_ids = db_str(res, 0, CP_PRODUCTS);
	p->store_ids = db_str(res, 0, CP_STORES);
	p->active = db_int(res, 0, CP_ACTIVE) != 0;
}

/*
 * A list of ids of q (products or stores of r->m), each checked, into
 * "[1,3]" (repeats once). 0, or 400 naming the field.
 */
static int
ids_apply(struct req *r, const cJSON *a, const char *name,
    struct db_sql *q, const char *what, const char **out)
{
	int64_t seen[CCP_IDS_MAX];
	struct db_res res;
	struct sbuf s;
	const cJSON *it;
	int i = 0, n = 0, k;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1)
		return resp_bad_field(r, name, arena_printf(r->a,
		    "请至少选择一个%s", what));
	if (cJSON_GetArraySize(a) > CCP_IDS_MAX)
		return resp_bad_field(r, name, arena_printf(r->a,
		    "%s最多 %d 个", what, CCP_IDS_MAX));
	sbuf_init(&s, r->a, 64);
	sbuf_putc(&s, '[');
	for (it = a->child; it != NULL; it = it->next, i++) {
		int64_t id;

		if (json_integer(it, &id) == -1 || id < 1)
			return resp_bad_field(r, arena_printf(r->a, "%s[%d]",
			    name, i), arena_printf(r->a, "应为%s编号", what));
		for (k = 0; k < n && seen[k] != id; k++)
			;
		if (k < n)
			continue;
		if (DB(r, q, &res, DBI(r->m->id), DBI(id)) != DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, arena_printf(r->a, "%s[%d]",
			    name, i), arena_printf(r->a, "%s不存在", what));
		seen[n++] = id;
		sbuf_printf(&s, "%s%lld", n > 1 ? "," : "", (long long)id);
	}
	sbuf_putc(&s, ']');
	*out = sbuf_str(&s);
	return 0;
}

static int
validity_apply(struct req *r, const cJSON *v, struct ccp *p)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(v, "kind"), *x;
	char today[20];
	int64_t t;

	if (!cJSON_IsObject(v))
		return resp_bad_field(r, "validity",
		    "请选择有效期：购买后若干天，或到某一天为止");
	if (cJSON_IsString(k) && strcmp(k->valuestring, "days") == 0) {
		x = cJSON_GetObjectItemCaseSensitive(v, "days");
		if (x == NULL || json_integer(x, &p->days) == -1 ||
		    p->days < 1 || p->days > 3650)
			return resp_bad_field(r, "validity.days",
			    "有效天数应为 1 到 3650 天");
		p->days_kind = 1;
		p->until = NULL;
		return 0;
	}
	if (!cJSON_IsString(k) || strcmp(k->valuestring, "until") != 0)
		return resp_bad_field(r, "validity.kind",
		    "有效期应为购买后若干天，或到某一天为止");
	x = cJSON_GetObjectItemCaseSensitive(v, "until");
	t = time_now() + tz_offset(r->m->tz);
	time_sql(t, today);	/* the merchant's day: YYYY-MM-DD first */
	today[10] = '\0';
	if (!cJSON_IsString(x) || strlen(x->valuestring) != 10 ||
	    !date_valid(x->valuestring, "9999-12-31"))
		return resp_bad_field(r, "validity.until",
		    "请填写截止日期，如 2026-12-31");
	if (strcmp(x->valuestring, today) < 0)
		return resp_bad_field(r, "validity.until",
		    "截止日期不能早于今天");
	p->days_kind = 0;
	p->days = 0;
	p->until = x->valuestring;
	return 0;
}

/* The body's fields over p; creating: every field but store_ids and
   active is required. 0, or the status (400 invalid_field). */
static int
ccp_apply(struct req *r, struct ccp *p, int creating)
{
	cJSON *j = r->json, *f;
	size_t chars;
	int st;

	if ((f = json_member(j, "name")) != NULL || creating) {
		if (!cJSON_IsString(f) || catalog_text_ok(f->valuestring,
		    &chars) == -1 || chars < 1 || chars > CATALOG_NAME_MAX)
			return resp_bad_field(r, "name",
			    "请填写次卡名称（1 到 64 个字）");
		p->name = f->valuestring;
	}
	if ((json_member(j, "uses") != NULL || creating) &&
	    req_obj_int(r, j, "uses", "uses", 1, 1, COUNT_CARD_USES_MAX,
	    &p->uses) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "uses", arena_printf(r->a,
		    "次数应为 1 到 %d 次", COUNT_CARD_USES_MAX));
	}
	if ((json_member(j, "price_fen") != NULL || creating) &&
	    req_obj_int(r, j, "price_fen", "price_fen", 1, 0, WALLET_MAX_FEN,
	    &p->price_fen) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "price_fen",
		    "售价应为不小于 0 的整数（单位：分）");
	}
	if (((f = json_member(j, "validity")) != NULL || creating) &&
	    (st = validity_apply(r, f, p)) != 0)
		return st;
	if (((f = json_member(j, "product_ids")) != NULL || creating) &&
	    (st = ids_apply(r, f, "product_ids", &q_ccp_product_ok, "商品",
	    &p->product_ids)) != 0)
		return st;
	if ((f = json_member(j, "store_ids")) != NULL) {
		if (cJSON_IsString(f) && strcmp(f->valuestring, "all") == 0)
			p->store_ids = NULL;
		else if ((st = ids_apply(r, f, "store_ids", &q_ccp_store_ok,
		    "门店", &p->store_ids)) != 0)
			return st;
	}
	if ((f = json_member(j, "active")) != NULL) {
		if (!cJSON_IsBool(f))
			return resp_bad_field(r, "active",
			    "应为 true 或 false");
		p->active = cJSON_IsTrue(f);
	}
	return 0;
}

struct ccp_ctx {
	int64_t		 id;
	cJSON		*out;
};

static int
ccp_reload(struct req *r, struct ccp_ctx *c)
{
	struct db_res res;

	if (DB(r, &q_ccp_get, &res, DBI(r->m->id), DBI(c->id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	c->out = ccp_json(r, &res, 0);
	return 0;
}

/* Update product id to p. */
static int
ccp_write(struct req *r, const struct ccp *p, int64_t id)
{
	struct db_val kind = DBS(p->days_kind ? "days" : "until");
	struct db_val days = DBIN(p->days, p->days_kind);

	return DB(r, &q_ccp_update, NULL, DBS(p->name), DBI(p->uses),
	    DBI(p->price_fen), kind, days, DBS(p->until), DBS(p->product_ids),
	    DBS(p->store_ids), DBI(p->active), DBI(r->m->id), DBI(id));
}

static int
ccp_create_tx(struct req *r, void *arg)
{
	struct ccp_ctx *c = arg;
	struct ccp p;
	struct db_res res;
	int st;

	memset(&p, 0, sizeof(p));
	p.active = 1;
	if ((st = ccp_apply(r, &p, 1)) != 0)
		return st;
	if (DB(r, &q_ccp_insert, &res, DBI(r->m->id), DBS(p.name),
	    DBI(p.uses), DBI(p.price_fen), DBS(p.days_kind ? "days" : "until"),
	    DBIN(p.days, p.days_kind), DBS(p.until), DBS(p.product_ids),
	    DBS(p.store_ids), DBI(p.active)) != DB_OK)
		return db_fail(r);
	c->id = (int64_t)res.insert_id;
	if ((st = audit_log(r, "count_card_product.create", arena_printf(r->a,
	    "count_card_product:%lld", (long long)c->id), r->body, 0)) != 0 ||
	    (st = ccp_reload(r, c)) != 0)
		return st;
	return 201;
}

/*
 * Create a count-card product.
 * In: {name, uses (1..999), price_fen, validity:{kind:"days", days} |
 * {kind:"until", until:"YYYY-MM-DD"}, product_ids:[catalogue products a
 * use covers], store_ids? ("all" or ids: where it is sold and used),
 * active? (true)}. Out: 201 the product. Errors: invalid_field.
 * Writes: count_card_products, audit_log.
 */
static int
ccp_create(struct req *r)
{
	struct ccp_ctx c = { 0, NULL };
	int st;

	if (req_json_body(r) == -1)
		return r->status;
	st = db_tx(r, ccp_create_tx, &c);
	return st >= 400 ? st : resp_data(r, 201, c.out);
}

static int
ccp_update_tx(struct req *r, void *arg)
{
	struct ccp_ctx *c = arg;
	struct ccp p;
	struct db_res res;
	int st;

	if (DB(r, &q_ccp_lock, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	ccp_from_row(&res, &p);
	if ((st = ccp_apply(r, &p, 0)) != 0)
		return st;
	if (ccp_write(r, &p, c->id) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "count_card_product.update", arena_printf(r->a,
	    "count_card_product:%lld", (long long)c->id), r->body, 0)) != 0 ||
	    (st = ccp_reload(r, c)) != 0)
		return st;
	return 200;
}

/*
 * Change a count-card product: the fields given replace the stored ones
 * (product_ids and store_ids the whole list). Cards sold before keep
 * their terms. Out: the product. Errors: not_found, invalid_field.
 */
static int
ccp_update(struct req *r)
{
	struct ccp_ctx c = { 0, NULL };
	int st;

	if (req_param_id(r, "id", &c.id) == -1)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	if (req_json_body(r) == -1)
		return r->status;
	st = db_tx(r, ccp_update_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

static int
ccp_get(struct req *r)
{
	struct db_res res;
	int64_t id;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	if (DB(r, &q_ccp_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "次卡不存在", NULL);
	return resp_data(r, 200, ccp_json(r, &res, 0));
}

/* The count-card products, newest first. In: ?active=true|false,
   ?cursor, ?limit. Out: list. */
static int
ccp_list(struct req *r)
{
	const char *act = req_query(r, "active");
	struct db_res res;
	int64_t limit, cursor, next, active = -1;
	cJSON *arr;
	int i, n;

	if (act != NULL && *act != '\0') {
		if (strcmp(act, "true") == 0)
			active = 1;
		else if (strcmp(act, "false") == 0)
			active = 0;
		else
			return resp_bad_field(r, "active",
			    "应为 true 或 false");
	}
	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_ccp_list, &res, DBI(r->m->id),
	    DBI(cursor > 0 ? cursor : INT64_MAX), DBI(active), DBI(active),
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, CP_ID, &next);
	arr = j_arr();
	for (i = 0; i < n; i++)
		j_add(arr, NULL, ccp_json(r, &res, i));
	return resp_list(r, arr, next);
}

#define SBASE	"/api/v1/m/:merchant/staff"
#define CAT	(AUTH_STAFF | ROLE_OWNER | ROLE_MARKETING)

ROUTES(count_card_staff_routes) = {
	{ M_GET, SBASE "/count-card-products", ccp_list,
	    AUTH_STAFF },
	{ M_POST, SBASE "/count-card-products", ccp_create, CAT | CSRF },
	{ M_GET, SBASE "/count-card-products/:id", ccp_get, AUTH_STAFF },
	{ M_PATCH, SBASE "/count-card-products/:id", ccp_update,
	    CAT | CSRF },
	{ 0, NULL, NULL, 0 }
};
