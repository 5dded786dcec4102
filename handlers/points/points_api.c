/*
 * Points routes: the member's points (GET me/points), the points shop and
 * its exchanges, the staff points settings and shop items. Routes and
 * JSON only; the ledger is points.c.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "db.h"
#include "member/member.h"
#include "points.h"

#define ITEMS_MAX	100
#define STOCK_MAX	10000000
#define LIMIT_MAX	100

/* ---- statements ---- */

/* template columns first (coupon_tpl_from_row), then the item's */
enum { IT_ID = TC_NCOLS, IT_TEMPLATE, IT_TITLE, IT_POINTS, IT_STOCK,
    IT_STOCK_LEFT, IT_LIMIT, IT_ACTIVE, IT_POSITION, IT_CREATED, IT_UPDATED,
    IT_MINE, IT_NCOLS };
#define ITEM_SELECT \
	"SELECT " COUPON_TPL_COLS ", i.id, i.template_id, i.title, i.points," \
	" i.stock, i.stock_left, i.per_member_limit, i.active, i.position," \
	" i.created_at, i.updated_at, COALESCE(c.exchanged, 0)" \
	" FROM points_shop_items i" \
	" JOIN coupon_templates t ON t.id = i.template_id" \
	"  AND t.merchant_id = i.merchant_id" \
	" LEFT JOIN points_shop_counts c ON c.item_id = i.id AND c.member_id = ?"
DB_SQL_COLS(q_items, IT_NCOLS, ITEM_SELECT
    " WHERE i.merchant_id = ? AND (? = 0 OR (i.active = 1"
    " AND t.status = 'active'))"
    " ORDER BY i.position, i.id LIMIT 101");
DB_SQL_COLS(q_item, IT_NCOLS, ITEM_SELECT
    " WHERE i.merchant_id = ? AND i.id = ?");
enum { MP_POINTS, MP_NCOLS };
DB_SQL_COLS(q_my_points, MP_NCOLS,
    "SELECT points FROM members WHERE merchant_id = ? AND id = ?");
DB_SQL(q_count_bump,
    "INSERT INTO points_shop_counts (item_id, member_id, merchant_id,"
    " exchanged) VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE"
    " exchanged = IF(exchanged < ?, exchanged + 1, exchanged)");
DB_SQL(q_stock_take,
    "UPDATE points_shop_items SET stock_left = stock_left - 1"
    " WHERE id = ? AND merchant_id = ? AND active = 1 AND stock_left > 0");
DB_SQL(q_exchange_insert,
    "INSERT INTO points_exchanges (merchant_id, member_id, item_id, points,"
    " coupon_code, created_at) VALUES (?, ?, ?, ?, '', UTC_TIMESTAMP())");
DB_SQL(q_exchange_code,
    "UPDATE points_exchanges SET coupon_code = ? WHERE id = ?");
enum { TP_ID, TP_NAME, TP_NCOLS };
DB_SQL_COLS(q_tpl_ok, TP_NCOLS,
    "SELECT id, name FROM coupon_templates"
    " WHERE merchant_id = ? AND id = ? AND kind <> 'promo_code'");
DB_SQL(q_item_insert,
    "INSERT INTO points_shop_items (merchant_id, template_id, title, points,"
    " stock, stock_left, per_member_limit, active, position, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP())");
/* a new total stock moves what is left by as much, never below 0 */
DB_SQL(q_item_update,
    "UPDATE points_shop_items SET title = ?, points = ?,"
    " stock_left = stock_left + (? - stock), stock = ?,"
    " per_member_limit = ?, active = ?, position = ?,"
    " updated_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND stock_left + (? - stock) >= 0");

/* ---- JSON ---- */

static cJSON *
item_json(struct req *r, const struct db_res *res, int i, int staff,
    int64_t my_points)
{
	struct coupon_tpl_row t;
	struct coupon_terms k;
	char summary[96];
	cJSON *o = j_obj(), *c;
	int64_t left = db_int(res, i, IT_STOCK_LEFT);
	int64_t limit = db_int(res, i, IT_LIMIT), mine = db_int(res, i,
	    IT_MINE), pts = db_int(res, i, IT_POINTS);
	const char *reason = NULL;

	coupon_tpl_from_row(res, i, &t);
	memset(&k, 0, sizeof(k));
	k.kind = t.t.kind;
	k.value_fen = t.t.value_fen;
	k.threshold_fen = t.t.threshold_fen;
	k.discount_pct = t.t.discount_pct;
	k.max_discount_fen = t.t.max_discount_fen;
	coupon_summary(&k, t.t.gift_item, summary, sizeof(summary));
	j_int(o, "id", db_int(res, i, IT_ID));
	j_int(o, "template_id", db_int(res, i, IT_TEMPLATE));
	j_str(o, "title", db_str(res, i, IT_TITLE));
	j_int(o, "points", pts);
	j_int(o, "stock", db_int(res, i, IT_STOCK));
	j_int(o, "stock_left", left);
	j_int(o, "per_member_limit", limit);
	c = j_obj();
	j_str(c, "name", t.name);
	j_str(c, "kind", coupon_kind_name(t.t.kind));
	j_str(c, "summary", summary);
	j_add(o, "coupon", c);
	if (staff) {
		j_bool(o, "active", db_int(res, i, IT_ACTIVE) != 0);
		j_int(o, "position", db_int(res, i, IT_POSITION));
		j_int(o, "exchanged", db_int(res, i, IT_STOCK) - left);
		j_str(o, "created_at", time_rfc3339(r, db_str(res, i,
		    IT_CREATED)));
		j_str(o, "updated_at", time_rfc3339(r, db_str(res, i,
		    IT_UPDATED)));
		return o;
	}
	j_int(o, "exchanged_by_me", mine);
	if (left <= 0)
		reason = "out_of_stock";
	else if (mine >= limit)
		reason = "limit_reached";
	else if (my_points >= 0 && my_points < pts)
		reason = "insufficient_points";
	j_bool(o, "exchangeable", reason == NULL && my_points >= 0);
	j_str(o, "reason", reason);
	return o;
}

/* ---- member routes ---- */

/*
 * The member's points: balance, negative points, what expires next and
 * when, and one page of the ledger (?cursor=&limit=).
 * Out: {points, negative_points, expiring:[{points, on}], entries:[{id,
 * kind, title, points, ref, at}], next_cursor}.
 */
static int
points_me(struct req *r)
{
	int64_t limit, cursor;
	cJSON *d;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if ((d = points_me_json(r, r->auth.member_id, cursor, limit)) == NULL)
		return r->status;
	return resp_data(r, 200, d);
}

/*
 * The points shop: active items in their order, with exchanged_by_me,
 * exchangeable and reason (out_of_stock, limit_reached,
 * insufficient_points) when a member is signed in.
 */
static int
points_shop(struct req *r)
{
	struct db_res res;
	int64_t member = r->auth.member_id, mine = -1;
	cJSON *arr;
	int i;

	if (member > 0) {
		if (DB(r, &q_my_points, &res, DBI(r->m->id), DBI(member)) !=
		    DB_OK)
			return db_fail(r);
		mine = res.nrows ? db_int(&res, 0, MP_POINTS) : -1;
	}
	if (DB(r, &q_items, &res, DBI(member), DBI(r->m->id), DBI(1)) !=
	    DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows && i < ITEMS_MAX; i++)
		j_add(arr, NULL, item_json(r, &res, i, 0, mine));
	return resp_list(r, arr, 0);
}

struct exchange {
	int64_t		 item_id;
	cJSON		*out;
};

static int
exchange_tx(struct req *r, void *arg)
{
	struct exchange *x = arg;
	struct db_res res;
	int64_t member = r->auth.member_id, tpl, pts, limit, id;
	const char *ref, *code;
	cJSON *coupon, *e;
	int st;

	/* a member frozen by staff exchanges nothing */
	if ((st = member_blocked_check(r, member)) != 0)
		return st;

	if (DB(r, &q_item, &res, DBI(member), DBI(r->m->id),
	    DBI(x->item_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || db_int(&res, 0, IT_ACTIVE) == 0)
		return resp_err(r, 404, "not_found", "该商品不存在或已下架",
		    NULL);
	tpl = db_int(&res, 0, IT_TEMPLATE);
	pts = db_int(&res, 0, IT_POINTS);
	limit = db_int(&res, 0, IT_LIMIT);
	/* the limit per member, then the stock: conditional updates */
	if (DB(r, &q_count_bump, &res, DBI(x->item_id), DBI(member),
	    DBI(r->m->id), DBI(limit)) != DB_OK)
		return db_fail(r);
	if (res.affected == 0)
		return resp_err(r, 409, "limit_reached", arena_printf(r->a,
		    "每人最多兑换 %lld 次，您已兑换过", (long long)limit),
		    NULL);
	if (DB(r, &q_stock_take, &res, DBI(x->item_id), DBI(r->m->id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "out_of_stock", "已兑完", NULL);
	if (DB(r, &q_exchange_insert, &res, DBI(r->m->id), DBI(member),
	    DBI(x->item_id), DBI(pts)) != DB_OK)
		return db_fail(r);
	id = (int64_t)res.insert_id;
	ref = arena_printf(r->a, "exchange:%lld", (long long)id);
	if ((st = points_spend(r, member, pts, "exchange", ref)) != 0)
		return st;
	if ((st = coupon_grant(r, member, tpl, "points_shop", &coupon)) != 0)
		return st;
	code = cJSON_GetStringValue(cJSON_GetObjectItem(coupon, "code"));
	if (DB(r, &q_exchange_code, NULL, DBS(code ? code : ""), DBI(id)) !=
	    DB_OK)
		return db_fail(r);
	if (DB(r, &q_my_points, &res, DBI(r->m->id), DBI(member)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	x->out = j_obj();
	j_add(x->out, "coupon", coupon);
	e = j_obj();
	j_int(e, "id", id);
	j_int(e, "item_id", x->item_id);
	j_int(e, "points", pts);
	j_int(e, "points_left", db_int(&res, 0, MP_POINTS));
	j_add(x->out, "exchange", e);
	return 201;
}

/*
 * Exchange points for an item's coupon, once per request
 * (Idempotency-Key). In: {item_id}. Out: 201 {coupon, exchange:{id,
 * item_id, points, points_left}}. Errors: 404 not_found, 409
 * limit_reached, out_of_stock, insufficient_points (and the template's
 * own refusals). Writes: the item's stock, the member's count, the
 * points lots and ledger, the coupon, points_exchanges.
 */
static int
points_exchange(struct req *r)
{
	struct exchange x;
	int st;

	memset(&x, 0, sizeof(x));
	if (req_json_body(r) == -1 || req_json_int(r, "item_id", 1, 1,
	    INT64_MAX, &x.item_id) == -1)
		return r->status;
	if ((st = db_tx(r, exchange_tx, &x)) >= 400)
		return st;
	return resp_data(r, 201, x.out);
}

/* ---- staff: settings ---- */

/* A bool member of o: 0 present, 1 absent (required: 400), -1 recorded. */
static int
obj_bool(struct req *r, cJSON *o, const char *key, const char *field,
    int required, int *out)
{
	cJSON *v = json_member(o, key);

	if (v == NULL) {
		if (required)
			return resp_bad_field(r, field, "缺少必填项"), -1;
		return 1;
	}
	if (!cJSON_IsBool(v))
		return resp_bad_field(r, field, "应为是或否"), -1;
	*out = cJSON_IsTrue(v);
	return 0;
}

static cJSON *
obj_obj(struct req *r, cJSON *o, const char *key, int required)
{
	cJSON *v = json_member(o, key);

	if (v == NULL) {
		if (required)
			resp_bad_field(r, key, "缺少必填项");
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		resp_bad_field(r, key, "格式不正确");
		return NULL;
	}
	return v;
}

/* A cap: absent or null none, else 1..POINTS_MAX. */
static int
cap_arg(struct req *r, cJSON *o, const char *key, const char *field,
    int64_t *out)
{
	int rc;

	*out = POINTS_NONE;
	if (o == NULL)
		return 0;
	if ((rc = req_obj_int(r, o, key, field, 0, 1, POINTS_MAX, out)) == -1)
		return -1;
	if (rc == 1)
		*out = POINTS_NONE;
	return 0;
}

/*
 * The points settings (owner, marketing). Out: {earn:{enabled,
 * points_per_yuan}, caps:{per_order|null, per_day|null}, bonus:{join,
 * profile}, expiry:{mode:"never"|"months"|"year_end", months}}.
 */
static int
settings_points_get(struct req *r)
{
	struct points_cfg c;
	int st;

	if ((st = points_cfg_load(r, &c)) != 0)
		return st;
	return resp_data(r, 200, points_cfg_json(&c));
}

struct cfg_put {
	struct points_cfg	 c;
	cJSON			*out;
};

static int
cfg_put_tx(struct req *r, void *arg)
{
	struct cfg_put *x = arg;
	int st;

	if ((st = points_cfg_save(r, &x->c)) != 0)
		return st;
	x->out = points_cfg_json(&x->c);
	if ((st = audit_log(r, "settings.points", "merchant:points",
	    cJSON_PrintUnformatted(x->out), 0)) != 0)
		return st;
	return 200;
}

/*
 * Replace the points settings (owner, marketing). In: the shape GET
 * returns; earn and expiry required, caps and bonus optional (absent: no
 * caps, no bonus). Ranges: points_per_yuan 1..10000, caps 1..10^9 or
 * null, bonuses 0..10^6, months 1..120 (required for "months"). Applies
 * to points earned from now on; lots keep the expiry they were given.
 * Errors: invalid_field naming the field. Writes: points_settings,
 * merchants.points_per_yuan, audit_log.
 */
static int
settings_points_put(struct req *r)
{
	struct cfg_put x;
	struct points_cfg *c = &x.c;
	cJSON *o;
	const char *mode;
	int64_t v;
	int rc, st;

	memset(&x, 0, sizeof(x));
	points_cfg_default(c);
	if (req_json_body(r) == -1)
		return r->status;
	if ((o = obj_obj(r, r->json, "earn", 1)) == NULL)
		return r->status;
	if (obj_bool(r, o, "enabled", "earn.enabled", 1, &c->earn_enabled) ==
	    -1 || req_obj_int(r, o, "points_per_yuan", "earn.points_per_yuan",
	    1, 1, 10000, &c->per_yuan) == -1)
		return r->status;
	o = obj_obj(r, r->json, "caps", 0);
	if (o == NULL && r->status >= 400)
		return r->status;
	if (cap_arg(r, o, "per_order", "caps.per_order", &c->per_order_cap) ==
	    -1 || cap_arg(r, o, "per_day", "caps.per_day", &c->per_day_cap) ==
	    -1)
		return r->status;
	o = obj_obj(r, r->json, "bonus", 0);
	if (o == NULL && r->status >= 400)
		return r->status;
	if (o != NULL && (req_obj_int(r, o, "join", "bonus.join", 0, 0,
	    1000000, &c->join_points) == -1 || req_obj_int(r, o, "profile",
	    "bonus.profile", 0, 0, 1000000, &c->profile_points) == -1))
		return r->status;
	if ((o = obj_obj(r, r->json, "expiry", 1)) == NULL)
		return r->status;
	mode = cJSON_GetStringValue(json_member(o, "mode"));
	if (points_expiry_parse(mode, &c->expiry) == -1)
		return resp_bad_field(r, "expiry.mode",
		    "请选择永不过期、获得后若干个月或次年年底");
	if ((rc = req_obj_int(r, o, "months", "expiry.months",
	    c->expiry == PX_MONTHS, 1, POINTS_MONTHS_MAX, &v)) == -1)
		return r->status;
	if (rc == 0)
		c->months = (int)v;
	if ((st = db_tx(r, cfg_put_tx, &x)) >= 400)
		return st;
	return resp_data(r, 200, x.out);
}

/* ---- staff: shop items ---- */

static int
staff_items(struct req *r)
{
	struct db_res res;
	cJSON *arr;
	int i;

	if (DB(r, &q_items, &res, DBI(0), DBI(r->m->id), DBI(0)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows && i < ITEMS_MAX; i++)
		j_add(arr, NULL, item_json(r, &res, i, 1, -1));
	return resp_list(r, arr, 0);
}

/* The item id of the path, read as staff see it: 0, or the status. */
static int
item_read(struct req *r, int64_t id, cJSON **out)
{
	struct db_res res;

	if (DB(r, &q_item, &res, DBI(0), DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "积分商品不存在", NULL);
	*out = item_json(r, &res, 0, 1, -1);
	return 0;
}

static int
staff_item_get(struct req *r)
{
	int64_t id;
	cJSON *o;
	int st;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "积分商品不存在", NULL);
	if ((st = item_read(r, id, &o)) != 0)
		return st;
	return resp_data(r, 200, o);
}

struct item_in {
	int64_t		 id, template_id, points, stock, limit, position;
	const char	*title;
	int		 active;
	cJSON		*out;
};

/* The fields of a body into x; required ones when creating. */
static int
item_args(struct req *r, struct item_in *x, int create)
{
	size_t chars;
	int rc;

	if (req_json_body(r) == -1)
		return r->status;
	if (create && req_json_int(r, "template_id", 1, 1, INT64_MAX,
	    &x->template_id) == -1)
		return r->status;
	if ((rc = req_json_str(r, "title", 0, 1, 256, &x->title)) == -1)
		return r->status;
	if (rc == 0 && (!utf8_text_ok(x->title, &chars) || chars > 32))
		return resp_bad_field(r, "title", "名称最多 32 个字");
	if (req_json_int(r, "points", create, 1, POINTS_MAX, &x->points) ==
	    -1 || req_json_int(r, "stock", create, 0, STOCK_MAX, &x->stock) ==
	    -1 || req_json_int(r, "per_member_limit", 0, 1, LIMIT_MAX,
	    &x->limit) == -1 || req_json_bool(r, "active", 0, &x->active) ==
	    -1 || req_json_int(r, "position", 0, 0, 10000, &x->position) == -1)
		return r->status;
	return 0;
}

static int
item_create_tx(struct req *r, void *arg)
{
	struct item_in *x = arg;
	struct db_res res;
	int st;

	if (DB(r, &q_tpl_ok, &res, DBI(r->m->id), DBI(x->template_id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_bad_field(r, "template_id", "请选择本店的优惠券");
	if (x->title == NULL)
		x->title = arena_strdup(r->a, db_str(&res, 0, TP_NAME));
	if (DB(r, &q_item_insert, &res, DBI(r->m->id), DBI(x->template_id),
	    DBS(x->title), DBI(x->points), DBI(x->stock), DBI(x->stock),
	    DBI(x->limit), DBI(x->active), DBI(x->position)) != DB_OK)
		return db_fail(r);
	x->id = (int64_t)res.insert_id;
	if ((st = audit_log(r, "points_shop.create", arena_printf(r->a,
	    "points_item:%lld", (long long)x->id), NULL, 0)) != 0 ||
	    (st = item_read(r, x->id, &x->out)) != 0)
		return st;
	return 201;
}

/*
 * Offer a coupon template for points (owner, marketing). In:
 * {template_id, title?, points, stock, per_member_limit? (1),
 * active? (true), position? (0)}. Out: 201 the item. Errors:
 * invalid_field. Writes: points_shop_items, audit_log.
 */
static int
staff_item_create(struct req *r)
{
	struct item_in x;
	int st;

	memset(&x, 0, sizeof(x));
	x.limit = 1;
	x.active = 1;
	if ((st = item_args(r, &x, 1)) != 0)
		return st;
	if ((st = db_tx(r, item_create_tx, &x)) >= 400)
		return st;
	return resp_data(r, 201, x.out);
}

enum { IX_TITLE, IX_POINTS, IX_STOCK, IX_LIMIT, IX_ACTIVE, IX_POSITION,
    IX_NCOLS };
DB_SQL_COLS(q_item_lock, IX_NCOLS,
    "SELECT title, points, stock, per_member_limit, active, position"
    " FROM points_shop_items WHERE merchant_id = ? AND id = ? FOR UPDATE");

static int
item_patch_tx(struct req *r, void *arg)
{
	struct item_in *x = arg;
	struct db_res res;
	int st;

	if (DB(r, &q_item_lock, &res, DBI(r->m->id), DBI(x->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "积分商品不存在", NULL);
	if (x->title == NULL)
		x->title = arena_strdup(r->a, db_str(&res, 0, IX_TITLE));
	if (x->points == 0)
		x->points = db_int(&res, 0, IX_POINTS);
	if (x->stock < 0)
		x->stock = db_int(&res, 0, IX_STOCK);
	if (x->limit == 0)
		x->limit = db_int(&res, 0, IX_LIMIT);
	if (x->active < 0)
		x->active = (int)db_int(&res, 0, IX_ACTIVE);
	if (x->position < 0)
		x->position = db_int(&res, 0, IX_POSITION);
	if (DB(r, &q_item_update, &res, DBS(x->title), DBI(x->points),
	    DBI(x->stock), DBI(x->stock), DBI(x->limit), DBI(x->active),
	    DBI(x->position), DBI(r->m->id), DBI(x->id), DBI(x->stock)) !=
	    DB_OK)
		return db_fail(r);
	if (res.affected == 0 && DB(r, &q_item_lock, &res, DBI(r->m->id),
	    DBI(x->id)) == DB_OK && db_int(&res, 0, IX_STOCK) != x->stock)
		return resp_bad_field(r, "stock", "库存不能少于已兑换的数量");
	if ((st = audit_log(r, "points_shop.update", arena_printf(r->a,
	    "points_item:%lld", (long long)x->id), NULL, 0)) != 0 ||
	    (st = item_read(r, x->id, &x->out)) != 0)
		return st;
	return 200;
}

/*
 * Change an item (owner, marketing): any of title, points, stock (the
 * total; what is left moves by as much, never below what was
 * exchanged), per_member_limit, active, position. Out: the item.
 * Errors: 404 not_found, invalid_field.
 */
static int
staff_item_patch(struct req *r)
{
	struct item_in x;
	int st;

	memset(&x, 0, sizeof(x));
	if (req_param_id(r, "id", &x.id) == -1)
		return resp_err(r, 404, "not_found", "积分商品不存在", NULL);
	x.stock = -1;
	x.active = -1;
	x.position = -1;
	if ((st = item_args(r, &x, 0)) != 0)
		return st;
	if ((st = db_tx(r, item_patch_tx, &x)) >= 400)
		return st;
	return resp_data(r, 200, x.out);
}

#define BASE "/api/v1/m/:merchant"

ROUTES(points_routes) = {
	{ M_GET, BASE "/me/points", points_me, AUTH_MEMBER },
	{ M_GET, BASE "/points-shop", points_shop, AUTH_OPTIONAL },
	{ M_POST, BASE "/me/points-exchanges", points_exchange,
	    AUTH_MEMBER | IDEMPOTENT },
	{ M_GET, BASE "/staff/settings/points", settings_points_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PUT, BASE "/staff/settings/points", settings_points_put,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, BASE "/staff/points-shop", staff_items,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_POST, BASE "/staff/points-shop", staff_item_create,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, BASE "/staff/points-shop/:id", staff_item_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PATCH, BASE "/staff/points-shop/:id", staff_item_patch,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ 0, NULL, NULL, 0 }
};
