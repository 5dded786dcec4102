/*
 * Scratch campaigns (刮刮乐) for owners and marketing: the trigger (a paid
 * order of at least min_order_fen at some stores within a period), the
 * prizes (a coupon template, bonus balance or points, each with its stock
 * and weight) beside the weight of no prize, the daily cap of chances a
 * member; create, edit, stop; and per campaign the odds, prizes given,
 * stock left and the cost so far. Routes only (the draw is scratch.c's).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "growth.h"

#define SC_STORES_MAX	50
#define SC_MIN_ORDER_MAX	100000000	/* ¥1,000,000.00 */
#define SC_DAILY_CAP_MAX	100
#define SC_BONUS_MAX	1000000		/* ¥10,000.00 a prize */
#define SC_POINTS_MAX	1000000
#define SC_STOCK_MAX	10000000

#define SC_COLS \
    "id, name, min_order_fen, all_stores, starts_at, ends_at, daily_cap," \
    " none_weight, status, created_at, updated_at," \
    " starts_at > UTC_TIMESTAMP(), ends_at <= UTC_TIMESTAMP()"
enum { SC_ID, SC_NAME, SC_MIN, SC_ALL, SC_STARTS, SC_ENDS, SC_CAP, SC_NONE,
    SC_STATUS, SC_CREATED, SC_UPDATED, SC_BEFORE, SC_AFTER, SC_NCOLS };
DB_SQL_COLS(q_sc_by_id, SC_NCOLS,
    "SELECT " SC_COLS " FROM scratch_campaigns WHERE merchant_id = ?"
    " AND id = ?");
DB_SQL_COLS(q_sc_list, SC_NCOLS,
    "SELECT " SC_COLS " FROM scratch_campaigns WHERE merchant_id = ?"
    " AND id < ? ORDER BY id DESC LIMIT ?");
DB_SQL(q_sc_insert,
    "INSERT INTO scratch_campaigns (merchant_id, name, min_order_fen,"
    " all_stores, starts_at, ends_at, daily_cap, none_weight, status,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " UTC_TIMESTAMP(), UTC_TIMESTAMP())");
DB_SQL(q_sc_update,
    "UPDATE scratch_campaigns SET name = ?, min_order_fen = ?,"
    " all_stores = ?, starts_at = ?, ends_at = ?, daily_cap = ?,"
    " none_weight = ?, status = ?, updated_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ?");
enum { SS_STORE, SS_NCOLS };
DB_SQL_COLS(q_sc_stores, SS_NCOLS,
    "SELECT s.store_id FROM scratch_campaign_stores s"
    " JOIN scratch_campaigns c ON c.id = s.campaign_id"
    " WHERE c.merchant_id = ? AND s.campaign_id = ? ORDER BY s.store_id");
DB_SQL(q_sc_stores_clear,
    "DELETE FROM scratch_campaign_stores WHERE campaign_id = ?");
DB_SQL(q_sc_store_add,
    "INSERT INTO scratch_campaign_stores (campaign_id, store_id)"
    " VALUES (?, ?)");
enum { SK_ID, SK_NCOLS };
DB_SQL_COLS(q_sc_store_ok, SK_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND id = ?"
    " AND kind = 'own'");
DB_SQL_COLS(q_sc_tpl_ok, SK_NCOLS,
    "SELECT id FROM coupon_templates WHERE merchant_id = ? AND id = ?");
enum { PR_ID, PR_KIND, PR_TEMPLATE, PR_AMOUNT, PR_WEIGHT, PR_STOCK,
    PR_LEFT, PR_TNAME, PR_TKIND, PR_TVALUE, PR_NCOLS };
DB_SQL_COLS(q_sc_prizes, PR_NCOLS,
    "SELECT p.id, p.kind, p.template_id, p.amount, p.weight, p.stock,"
    " p.stock_left, t.name, t.kind, t.value_fen FROM scratch_prizes p"
    " JOIN scratch_campaigns c ON c.id = p.campaign_id"
    " LEFT JOIN coupon_templates t ON t.id = p.template_id"
    " AND t.merchant_id = c.merchant_id"
    " WHERE c.merchant_id = ? AND p.campaign_id = ? AND p.active = 1"
    " ORDER BY p.position, p.id");
enum { PO_KIND, PO_TEMPLATE, PO_AMOUNT, PO_GIVEN, PO_NCOLS };
DB_SQL_COLS(q_sc_prize_one, PO_NCOLS,
    "SELECT kind, template_id, amount, stock - stock_left FROM scratch_prizes"
    " WHERE campaign_id = ? AND id = ?");
DB_SQL(q_sc_prizes_off,
    "UPDATE scratch_prizes SET active = 0 WHERE campaign_id = ?");
DB_SQL(q_sc_prize_add,
    "INSERT INTO scratch_prizes (campaign_id, position, kind, template_id,"
    " amount, weight, stock, stock_left, active)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)");
/* stock_left first: it reads the old stock (SET runs left to right) */
DB_SQL(q_sc_prize_set,
    "UPDATE scratch_prizes SET stock_left = ? - (stock - stock_left),"
    " stock = ?, weight = ?, position = ?, active = 1"
    " WHERE campaign_id = ? AND id = ? AND ? >= stock - stock_left");
enum { PG_PRIZE, PG_COUNT, PG_FACE, PG_AMOUNT, PG_NCOLS };
DB_SQL_COLS(q_sc_given, PG_NCOLS,
    "SELECT prize_id, COUNT(*), COALESCE(SUM(face_fen), 0),"
    " COALESCE(SUM(amount), 0) FROM scratch_chances"
    " WHERE merchant_id = ? AND campaign_id = ? AND status = 'scratched'"
    " AND prize_id IS NOT NULL GROUP BY prize_id");
enum { ST_CHANCES, ST_UNSCRATCHED, ST_SCRATCHED, ST_VOID, ST_NONE,
    ST_COUPONS, ST_FACE, ST_BONUS, ST_POINTS, ST_NCOLS };
DB_SQL_COLS(q_sc_totals, ST_NCOLS,
    "SELECT COUNT(*), COALESCE(SUM(status = 'unscratched'), 0),"
    " COALESCE(SUM(status = 'scratched'), 0),"
    " COALESCE(SUM(status = 'void'), 0),"
    " COALESCE(SUM(status = 'scratched' AND prize_id IS NULL), 0),"
    " COALESCE(SUM(prize_kind = 'coupon'), 0),"
    " COALESCE(SUM(IF(prize_kind = 'coupon', face_fen, 0)), 0),"
    " COALESCE(SUM(IF(prize_kind = 'bonus', amount, 0)), 0),"
    " COALESCE(SUM(IF(prize_kind = 'points', amount, 0)), 0)"
    " FROM scratch_chances WHERE merchant_id = ? AND campaign_id = ?");

struct sc_prize {
	int64_t		 id;		/* 0: a new prize */
	const char	*kind;		/* "coupon" | "bonus" | "points" */
	int64_t		 template_id, amount, weight, stock;
};

struct sc {
	int64_t		 id;
	const char	*name, *status;
	const char	*starts_at, *ends_at;	/* SQL UTC */
	int64_t		 min_order_fen, daily_cap, none_weight;
	int		 all_stores, nstores, stores_given;
	int64_t		 stores[SC_STORES_MAX];
	int		 nprizes, prizes_given;
	struct sc_prize	 prizes[SCRATCH_PRIZES_MAX];
};

static int
not_found(struct req *r)
{
	return resp_err(r, 404, "not_found", "刮刮乐活动不存在", NULL);
}

/*
 * The campaign id of r->m into c (the stored fields; stores and prizes
 * are only given by a PATCH), *found 0 when there is none. 0, or the
 * error status (recorded).
 */
static int
sc_load(struct req *r, int64_t id, struct sc *c, int *found)
{
	struct db_res res;
	int i;

	memset(c, 0, sizeof(*c));
	*found = 0;
	if (DB(r, &q_sc_by_id, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	c->id = id;
	c->name = db_str(&res, 0, SC_NAME);
	c->min_order_fen = db_int(&res, 0, SC_MIN);
	c->all_stores = (int)db_int(&res, 0, SC_ALL);
	c->starts_at = db_str(&res, 0, SC_STARTS);
	c->ends_at = db_str(&res, 0, SC_ENDS);
	c->daily_cap = db_int(&res, 0, SC_CAP);
	c->none_weight = db_int(&res, 0, SC_NONE);
	c->status = db_str(&res, 0, SC_STATUS);
	if (DB(r, &q_sc_stores, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows && i < SC_STORES_MAX; i++)
		c->stores[i] = db_int(&res, i, SS_STORE);
	c->nstores = i;
	*found = 1;
	return 0;
}

/* ---- input ---- */

/* An integer member of a prize, named prizes[i].key in errors. */
static int
prize_int(struct req *r, cJSON *o, int i, const char *key, int required,
    int64_t min, int64_t max, int64_t *out)
{
	return req_obj_int(r, o, key, arena_printf(r->a, "prizes[%d].%s", i,
	    key), required, min, max, out);
}

/*
 * prizes[i] into p: a new one, or (with id, on a PATCH) one of the
 * campaign's whose kind and value stay and whose stock may not go below
 * what it gave. 0, or the error status (recorded).
 */
static int
prize_parse(struct req *r, const struct sc *c, cJSON *o, int i,
    struct sc_prize *p)
{
	const char *f = arena_printf(r->a, "prizes[%d]", i);
	struct db_res res;
	cJSON *k;
	int64_t given = 0;
	int rc;

	memset(p, 0, sizeof(*p));
	if (!cJSON_IsObject(o))
		return resp_bad_field(r, f, "应为奖品对象");
	if ((rc = prize_int(r, o, i, "id", 0, 1, INT64_MAX, &p->id)) == -1)
		return r->status;
	if (rc == 0) {
		if (c->id == 0)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.id", f), "新建活动的奖品不能带编号");
		if (DB(r, &q_sc_prize_one, &res, DBI(c->id), DBI(p->id)) !=
		    DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.id", f), "该奖品不属于这个活动");
		p->kind = db_str(&res, 0, PO_KIND);
		p->template_id = db_int(&res, 0, PO_TEMPLATE);
		p->amount = db_int(&res, 0, PO_AMOUNT);
		given = db_int(&res, 0, PO_GIVEN);
		k = cJSON_GetObjectItemCaseSensitive(o, "kind");
		if (k != NULL && !cJSON_IsNull(k) && (!cJSON_IsString(k) ||
		    strcmp(k->valuestring, p->kind) != 0))
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.kind", f),
			    "已有奖品不能改成别的类型，请删除后新增");
	} else {
		k = cJSON_GetObjectItemCaseSensitive(o, "kind");
		if (k == NULL || cJSON_IsNull(k))
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.kind", f), "缺少必填项");
		if (!cJSON_IsString(k) || (strcmp(k->valuestring, "coupon") &&
		    strcmp(k->valuestring, "bonus") &&
		    strcmp(k->valuestring, "points")))
			return resp_bad_field(r, arena_printf(r->a,
			    "%s.kind", f), "应为优惠券、赠送金或积分");
		p->kind = k->valuestring;
		if (strcmp(p->kind, "coupon") == 0) {
			if (prize_int(r, o, i, "template_id", 1, 1,
			    INT64_MAX, &p->template_id) == -1)
				return r->status;
			if (DB(r, &q_sc_tpl_ok, &res, DBI(r->m->id),
			    DBI(p->template_id)) != DB_OK)
				return db_fail(r);
			if (res.nrows == 0)
				return resp_bad_field(r, arena_printf(r->a,
				    "%s.template_id", f), "优惠券模板不存在");
		} else if (strcmp(p->kind, "bonus") == 0) {
			if (prize_int(r, o, i, "bonus_fen", 1, 1, SC_BONUS_MAX,
			    &p->amount) == -1)
				return r->status;
		} else if (prize_int(r, o, i, "points", 1, 1, SC_POINTS_MAX,
		    &p->amount) == -1)
			return r->status;
	}
	if (prize_int(r, o, i, "weight", 1, 0, SCRATCH_WEIGHT_MAX,
	    &p->weight) == -1 ||
	    prize_int(r, o, i, "stock", 1, 0, SC_STOCK_MAX, &p->stock) == -1)
		return r->status;
	if (p->stock < given)
		return resp_bad_field(r, arena_printf(r->a, "%s.stock", f),
		    arena_printf(r->a, "库存不能少于已发出的 %lld 份",
		    (long long)given));
	return 0;
}

/* The prizes list into c (*c->prizes_given). 0, or the error status. */
static int
prizes_parse(struct req *r, struct sc *c, int required)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "prizes"), *v;
	int i = 0, j, st;

	if (a == NULL || cJSON_IsNull(a)) {
		if (required)
			return resp_bad_field(r, "prizes", "缺少必填项");
		return 0;
	}
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > SCRATCH_PRIZES_MAX)
		return resp_bad_field(r, "prizes", arena_printf(r->a,
		    "应为 1 到 %d 个奖品", SCRATCH_PRIZES_MAX));
	for (v = a->child; v != NULL; v = v->next, i++) {
		if ((st = prize_parse(r, c, v, i, &c->prizes[i])) != 0)
			return st;
		for (j = 0; j < i && c->prizes[i].id; j++)
			if (c->prizes[j].id == c->prizes[i].id)
				return resp_bad_field(r, arena_printf(r->a,
				    "prizes[%d].id", i), "奖品重复");
	}
	c->nprizes = i;
	c->prizes_given = 1;
	return 0;
}

/* store_ids: "all" or [ids] of the merchant's stores. 0, or the status. */
static int
stores_parse(struct req *r, struct sc *c, int required)
{
	cJSON *a = cJSON_GetObjectItemCaseSensitive(r->json, "store_ids"), *v;
	struct db_res res;
	int64_t id;
	int i = 0, j;

	if (a == NULL || cJSON_IsNull(a)) {
		if (required) {
			c->all_stores = 1;	/* absent: every store */
			c->stores_given = 1;
		}
		return 0;
	}
	c->stores_given = 1;
	if (cJSON_IsString(a) && strcmp(a->valuestring, "all") == 0) {
		c->all_stores = 1;
		c->nstores = 0;
		return 0;
	}
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 1 ||
	    cJSON_GetArraySize(a) > SC_STORES_MAX)
		return resp_bad_field(r, "store_ids",
		    "应为全部门店，或 1 到 50 个门店");
	for (v = a->child; v != NULL; v = v->next, i++) {
		const char *f = arena_printf(r->a, "store_ids[%d]", i);

		if (json_integer(v, &id) == -1 || id < 1)
			return resp_bad_field(r, f, "应为门店编号");
		if (DB(r, &q_sc_store_ok, &res, DBI(r->m->id), DBI(id)) !=
		    DB_OK)
			return db_fail(r);
		if (res.nrows == 0)
			return resp_bad_field(r, f, "门店不存在");
		for (j = 0; j < i; j++)
			if (c->stores[j] == id)
				return resp_bad_field(r, f, "门店重复");
		c->stores[i] = id;
	}
	c->all_stores = 0;
	c->nstores = i;
	return 0;
}

/*
 * The body over c: every field on create (store_ids and status may be
 * left out: every store, active), those given on a PATCH, then the whole
 * checked again. 0, or the error status (recorded).
 */
static int
sc_parse(struct req *r, struct sc *c, int create)
{
	int64_t total, w[SCRATCH_PRIZES_MAX];
	const char *status = NULL, *name = NULL, *starts, *ends;
	int i, st;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "name", create, 1, 64, &name) == -1 ||
	    req_json_int(r, "min_order_fen", create, 0, SC_MIN_ORDER_MAX,
	    &c->min_order_fen) == -1 ||
	    json_time_field(r, "starts_at", create, &starts) == -1 ||
	    json_time_field(r, "ends_at", create, &ends) == -1 ||
	    req_json_int(r, "daily_cap", create, 1, SC_DAILY_CAP_MAX,
	    &c->daily_cap) == -1 ||
	    req_json_int(r, "none_weight", create, 0, SCRATCH_WEIGHT_MAX,
	    &c->none_weight) == -1 ||
	    req_json_str(r, "status", 0, 1, 16, &status) == -1)
		return r->status;
	if (starts != NULL)
		c->starts_at = starts;
	if (ends != NULL)
		c->ends_at = ends;
	if (name != NULL) {
		if (strspn(name, " \t\n") == strlen(name))
			return resp_bad_field(r, "name", "请填写活动名称");
		c->name = name;
	}
	if (status != NULL) {
		if (strcmp(status, "active") && strcmp(status, "stopped"))
			return resp_bad_field(r, "status",
			    "应为进行中或已停止");
		c->status = status;
	} else if (create)
		c->status = "active";
	if (strcmp(c->ends_at, c->starts_at) <= 0)
		return resp_bad_field(r, "ends_at", "结束时间应晚于开始时间");
	if ((st = stores_parse(r, c, create)) != 0 ||
	    (st = prizes_parse(r, c, create)) != 0)
		return st;
	if (c->prizes_given) {
		for (i = 0; i < c->nprizes; i++)
			w[i] = c->prizes[i].weight;
		total = scratch_total_weight(w, c->nprizes, c->none_weight);
		if (total <= 0)
			return resp_bad_field(r, "none_weight",
			    "奖品和未中奖的权重不能都为 0");
	}
	return 0;
}

/* ---- writing ---- */

static int
sc_save_tx(struct req *r, void *arg)
{
	struct sc *c = arg;
	struct db_res res;
	int i, st;

	if (c->id == 0) {
		if (DB(r, &q_sc_insert, &res, DBI(r->m->id), DBS(c->name),
		    DBI(c->min_order_fen), DBI(c->all_stores),
		    DBS(c->starts_at), DBS(c->ends_at), DBI(c->daily_cap),
		    DBI(c->none_weight), DBS(c->status)) != DB_OK)
			return db_fail(r);
		c->id = (int64_t)res.insert_id;
	} else if (DB(r, &q_sc_update, NULL, DBS(c->name),
	    DBI(c->min_order_fen), DBI(c->all_stores), DBS(c->starts_at),
	    DBS(c->ends_at), DBI(c->daily_cap), DBI(c->none_weight),
	    DBS(c->status), DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (c->stores_given) {
		if (DB(r, &q_sc_stores_clear, NULL, DBI(c->id)) != DB_OK)
			return db_fail(r);
		for (i = 0; i < c->nstores && !c->all_stores; i++)
			if (DB(r, &q_sc_store_add, NULL, DBI(c->id),
			    DBI(c->stores[i])) != DB_OK)
				return db_fail(r);
	}
	if (c->prizes_given) {
		if (DB(r, &q_sc_prizes_off, NULL, DBI(c->id)) != DB_OK)
			return db_fail(r);
		for (i = 0; i < c->nprizes; i++) {
			const struct sc_prize *p = &c->prizes[i];

			if (p->id == 0) {
				if (DB(r, &q_sc_prize_add, NULL, DBI(c->id),
				    DBI(i), DBS(p->kind),
				    DBIN(p->template_id, p->template_id > 0),
				    DBI(p->amount), DBI(p->weight),
				    DBI(p->stock), DBI(p->stock)) != DB_OK)
					return db_fail(r);
				continue;
			}
			if (DB(r, &q_sc_prize_set, &res, DBI(p->stock),
			    DBI(p->stock), DBI(p->weight), DBI(i), DBI(c->id),
			    DBI(p->id), DBI(p->stock)) != DB_OK)
				return db_fail(r);
			if (res.affected != 1)
				return resp_err(r, 409, "conflict",
				    "奖品刚刚又发出了几份，库存少于已发出的数量，"
				    "请刷新后重试", arena_printf(r->a,
				    "prizes[%d].stock", i));
		}
	}
	if ((st = audit_log(r, "scratch_campaign.save", arena_printf(r->a,
	    "scratch_campaign:%lld", (long long)c->id), r->body, 0)) != 0)
		return st;
	return 200;
}

/* ---- output ---- */

/* The campaign of row i with its stores, prizes (odds, stock, given,
   cost) and totals; NULL with the status recorded. */
static cJSON *
sc_json(struct req *r, const struct db_res *cres, int row)
{
	int64_t id = db_int(cres, row, SC_ID), w[64], total;
	struct db_res res, given;
	cJSON *d = j_obj(), *a, *p, *s;
	const char *state;
	int i, j, n;

	j_int(d, "id", id);
	j_str(d, "name", db_str(cres, row, SC_NAME));
	j_int(d, "min_order_fen", db_int(cres, row, SC_MIN));
	if (db_int(cres, row, SC_ALL))
		j_str(d, "store_ids", "all");
	else {
		if (DB(r, &q_sc_stores, &res, DBI(r->m->id), DBI(id)) !=
		    DB_OK) {
			db_fail(r);
			return NULL;
		}
		a = j_arr();
		for (i = 0; i < res.nrows; i++)
			j_add(a, NULL, cJSON_CreateNumber((double)db_int(&res,
			    i, SS_STORE)));
		j_add(d, "store_ids", a);
	}
	j_str(d, "starts_at", time_rfc3339(r, db_str(cres, row, SC_STARTS)));
	j_str(d, "ends_at", time_rfc3339(r, db_str(cres, row, SC_ENDS)));
	j_int(d, "daily_cap", db_int(cres, row, SC_CAP));
	j_int(d, "none_weight", db_int(cres, row, SC_NONE));
	j_str(d, "status", db_str(cres, row, SC_STATUS));
	if (strcmp(db_str(cres, row, SC_STATUS), "stopped") == 0)
		state = "stopped";
	else if (db_int(cres, row, SC_BEFORE))
		state = "scheduled";
	else if (db_int(cres, row, SC_AFTER))
		state = "ended";
	else
		state = "live";
	j_str(d, "state", state);
	j_str(d, "created_at", time_rfc3339(r, db_str(cres, row, SC_CREATED)));
	j_str(d, "updated_at", time_rfc3339(r, db_str(cres, row, SC_UPDATED)));

	if (DB(r, &q_sc_prizes, &res, DBI(r->m->id), DBI(id)) != DB_OK ||
	    DB(r, &q_sc_given, &given, DBI(r->m->id), DBI(id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	n = res.nrows < 64 ? res.nrows : 64;
	for (i = 0; i < n; i++)
		w[i] = db_int(&res, i, PR_WEIGHT);
	total = scratch_total_weight(w, n, db_int(cres, row, SC_NONE));
	j_add(d, "none_odds", cJSON_CreateNumber(scratch_odds(db_int(cres,
	    row, SC_NONE), total)));
	a = j_arr();
	for (i = 0; i < n; i++) {
		const char *kind = db_str(&res, i, PR_KIND);
		int64_t pid = db_int(&res, i, PR_ID), cnt = 0, face = 0, amt = 0;

		for (j = 0; j < given.nrows; j++)
			if (db_int(&given, j, PG_PRIZE) == pid) {
				cnt = db_int(&given, j, PG_COUNT);
				face = db_int(&given, j, PG_FACE);
				amt = db_int(&given, j, PG_AMOUNT);
			}
		p = j_obj();
		j_int(p, "id", pid);
		j_str(p, "kind", kind);
		if (strcmp(kind, "coupon") == 0) {
			j_int(p, "template_id", db_int(&res, i, PR_TEMPLATE));
			j_str(p, "template_name", db_str(&res, i, PR_TNAME));
			j_str(p, "coupon_kind", db_str(&res, i, PR_TKIND));
			if (db_isnull(&res, i, PR_TVALUE) || db_str(&res, i,
			    PR_TKIND) == NULL || strcmp(db_str(&res, i,
			    PR_TKIND), "discount") == 0)
				j_null(p, "value_fen");
			else
				j_int(p, "value_fen", db_int(&res, i,
				    PR_TVALUE));
			j_int(p, "cost_fen", face);
		} else if (strcmp(kind, "bonus") == 0) {
			j_int(p, "bonus_fen", db_int(&res, i, PR_AMOUNT));
			j_int(p, "cost_fen", amt);
		} else {
			j_int(p, "points", db_int(&res, i, PR_AMOUNT));
			j_int(p, "points_given", amt);
		}
		j_int(p, "weight", w[i]);
		j_add(p, "odds", cJSON_CreateNumber(scratch_odds(w[i],
		    total)));
		j_int(p, "stock", db_int(&res, i, PR_STOCK));
		j_int(p, "stock_left", db_int(&res, i, PR_LEFT));
		j_int(p, "given", cnt);
		j_add(a, NULL, p);
	}
	j_add(d, "prizes", a);

	if (DB(r, &q_sc_totals, &res, DBI(r->m->id), DBI(id)) != DB_OK) {
		db_fail(r);
		return NULL;
	}
	s = j_obj();
	j_int(s, "chances", db_int(&res, 0, ST_CHANCES));
	j_int(s, "unscratched", db_int(&res, 0, ST_UNSCRATCHED));
	j_int(s, "scratched", db_int(&res, 0, ST_SCRATCHED));
	j_int(s, "void", db_int(&res, 0, ST_VOID));
	j_int(s, "no_prize", db_int(&res, 0, ST_NONE));
	j_int(s, "coupons", db_int(&res, 0, ST_COUPONS));
	j_int(s, "coupon_face_fen", db_int(&res, 0, ST_FACE));
	j_int(s, "bonus_fen", db_int(&res, 0, ST_BONUS));
	j_int(s, "points", db_int(&res, 0, ST_POINTS));
	j_add(d, "stats", s);
	return d;
}

/* The campaign id as the API shows it: status, or the error (recorded). */
static int
sc_answer(struct req *r, int64_t id, int status)
{
	struct db_res res;
	cJSON *d;

	if (DB(r, &q_sc_by_id, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return not_found(r);
	if ((d = sc_json(r, &res, 0)) == NULL)
		return r->status;
	return resp_data(r, status, d);
}

/* ---- routes ---- */

/*
 * Create a scratch campaign. In: {name, min_order_fen, store_ids?
 * ("all" or [ids]; absent: all), starts_at, ends_at, daily_cap,
 * none_weight, status? ("active"|"stopped"), prizes:[{kind:"coupon",
 * template_id | kind:"bonus", bonus_fen | kind:"points", points, weight,
 * stock}]}. Out: 201 the campaign. Errors: invalid_field. Writes:
 * scratch_campaigns, its stores and prizes, audit_log.
 */
static int
scratch_campaign_create(struct req *r)
{
	struct sc c;
	int st;

	memset(&c, 0, sizeof(c));
	c.starts_at = c.ends_at = "";
	if ((st = sc_parse(r, &c, 1)) != 0)
		return st;
	if ((st = db_tx(r, sc_save_tx, &c)) >= 400)
		return st;
	return sc_answer(r, c.id, 201);
}

/*
 * Change fields of a campaign (the create payload, every field optional;
 * status "stopped" stops it). prizes, when given, is the whole list: a
 * prize with its id keeps its kind and value and may change weight and
 * stock (not below what it gave); one left out is taken off (what it gave
 * stays counted). Out: the campaign. Errors: invalid_field, 404, 409
 * conflict (a stock lowered below what was given meanwhile).
 */
static int
scratch_campaign_patch(struct req *r)
{
	struct sc c;
	int64_t id;
	int found, st;

	if (req_param_id(r, "id", &id) == -1)
		return not_found(r);
	if ((st = sc_load(r, id, &c, &found)) != 0)
		return st;
	if (!found)
		return not_found(r);
	if ((st = sc_parse(r, &c, 0)) != 0)
		return st;
	if ((st = db_tx(r, sc_save_tx, &c)) >= 400)
		return st;
	return sc_answer(r, id, 200);
}

/* One campaign with its prizes, odds and totals. */
static int
scratch_campaign_get(struct req *r)
{
	int64_t id;

	if (req_param_id(r, "id", &id) == -1)
		return not_found(r);
	return sc_answer(r, id, 200);
}

/* The merchant's scratch campaigns, newest first, paged. */
static int
scratch_campaign_list(struct req *r)
{
	int64_t limit, cursor, next;
	struct db_res res;
	cJSON *arr, *o;
	int i, n;

	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (DB(r, &q_sc_list, &res, DBI(r->m->id),
	    DBI(cursor ? cursor : INT64_MAX),
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	n = db_page(&res, limit, SC_ID, &next);
	arr = j_arr();
	for (i = 0; i < n; i++) {
		if ((o = sc_json(r, &res, i)) == NULL)
			return r->status;
		j_add(arr, NULL, o);
	}
	return resp_list(r, arr, next);
}

/* GET /m/{merchant}/staff/scratch: the 刮刮乐 console (staff_scratch.js). */
static int
page_scratch_console(struct req *r)
{
	return resp_html(r, 200, "pages/staff_scratch",
	    page_staff_ctx("刮刮乐", "staff_scratch.js"));
}

#define SBASE "/api/v1/m/:merchant/staff/scratch-campaigns"
ROUTES(scratch_staff_routes) = {
	{ M_POST, SBASE, scratch_campaign_create,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, SBASE, scratch_campaign_list, AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, SBASE "/:id", scratch_campaign_get,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_PATCH, SBASE "/:id", scratch_campaign_patch,
	    AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ M_GET, "/m/:merchant/staff/scratch", page_scratch_console, HTML },
	{ 0, NULL, NULL, 0 }
};
