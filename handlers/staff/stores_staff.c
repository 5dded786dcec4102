/*
 * Stores as owners manage them: create and edit the merchant's own stores
 * and its partners' (异业合作: a neighbouring shop that accepts the
 * merchant's shared coupons). A store is never deleted; deactivating it
 * keeps its orders, redemptions and staff. The list is GET staff/stores
 * ?all=1 (staff.c, beside the stores a staff member acts at). Demo data:
 * one partner store with its partner account and a shared template.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "cmd.h"
#include "core/core.h"
#include "db.h"

DB_SQL(q_store_insert,
    "INSERT INTO stores (merchant_id, name, address, phone, kind, active,"
    " created_at) VALUES (?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
DB_SQL(q_store_update,
    "UPDATE stores SET name = ?, address = ?, phone = ?, kind = ?,"
    " active = ? WHERE id = ? AND merchant_id = ?");
enum { SL_ID, SL_NAME, SL_ADDRESS, SL_PHONE, SL_KIND, SL_ACTIVE, SL_NCOLS };
DB_SQL_COLS(q_store_lock, SL_NCOLS,
    "SELECT id, name, address, phone, kind, active FROM stores"
    " WHERE merchant_id = ? AND id = ? FOR UPDATE");
/* every active own store, locked: deactivating one cannot race another */
enum { SO_ID, SO_NCOLS };
DB_SQL_COLS(q_stores_own_lock, SO_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND kind = 'own'"
    " AND active = 1 ORDER BY id FOR UPDATE");
enum { SU_N, SU_NCOLS };
DB_SQL_COLS(q_store_in_use, SU_NCOLS,
    "SELECT (SELECT COUNT(*) FROM staff_stores ss JOIN staff st"
    " ON st.id = ss.staff_id WHERE ss.store_id = ? AND st.merchant_id = ?)"
    " + (SELECT COUNT(*) FROM coupon_template_partners"
    " WHERE merchant_id = ? AND store_id = ?)");

#define STORE_NAME_MAX		64
#define STORE_ADDRESS_MAX	255
#define STORE_PHONE_MAX		20

struct store_in {
	int64_t		 id;
	const char	*name, *address, *phone, *kind;
	int		 active;
	cJSON		*out;
};

/* Digits with - + ( ) and spaces, 5..20 characters: 0 or -1. */
static int
phone_ok(const char *s)
{
	size_t n = strlen(s), i, digits = 0;

	if (n < 5 || n > STORE_PHONE_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (strchr("-+() ", s[i]) == NULL)
			return -1;
	}
	return digits >= 5 ? 0 : -1;
}

static int
blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return 0;
	return 1;
}

/*
 * The body's fields over c (creating: name required, the rest defaults;
 * a change: absent keeps, null clears address and phone). 0, or 400
 * invalid_field (recorded).
 */
static int
store_fields(struct req *r, struct store_in *c, int creating)
{
	cJSON *f;
	const char *s;
	int rc, b;

	if (creating || cJSON_GetObjectItemCaseSensitive(r->json, "name")) {
		if (req_json_str(r, "name", 1, 1, STORE_NAME_MAX, &s) == -1)
			return r->status;
		if (blank(s))
			return resp_bad_field(r, "name", "请填写门店名称");
		c->name = s;
	}
	if ((f = cJSON_GetObjectItemCaseSensitive(r->json, "address"))) {
		if (req_json_str(r, "address", 0, 0, STORE_ADDRESS_MAX, &s) ==
		    -1)
			return r->status;
		c->address = s != NULL && !blank(s) ? s : NULL;
	}
	if ((f = cJSON_GetObjectItemCaseSensitive(r->json, "phone"))) {
		if (req_json_str(r, "phone", 0, 0, STORE_PHONE_MAX, &s) == -1)
			return r->status;
		if (s != NULL && *s != '\0' && phone_ok(s) == -1)
			return resp_bad_field(r, "phone",
			    "电话应为数字，可含 - 和空格，如 021-63210000");
		c->phone = s != NULL && *s != '\0' ? s : NULL;
	}
	if ((rc = req_json_str(r, "kind", 0, 1, 16, &s)) == -1)
		return r->status;
	if (rc == 0) {
		if (strcmp(s, "own") != 0 && strcmp(s, "partner") != 0)
			return resp_bad_field(r, "kind",
			    "门店类型应为自营门店或合作门店");
		c->kind = s;
	}
	if ((rc = req_json_bool(r, "active", 0, &b)) == -1)
		return r->status;
	if (rc == 0)
		c->active = b;
	return 0;
}

static int
store_create_tx(struct req *r, void *arg)
{
	struct store_in *c = arg;
	struct db_res res;
	int st;

	if (DB(r, &q_store_insert, &res, DBI(r->m->id), DBS(c->name),
	    DBS(c->address), DBS(c->phone), DBS(c->kind), DBI(c->active)) !=
	    DB_OK)
		return db_fail(r);
	c->id = (int64_t)res.insert_id;
	if ((st = audit_log(r, "store.create", arena_printf(r->a, "store:%lld",
	    (long long)c->id), c->name, c->id)) != 0)
		return st;
	if ((st = store_get(r, c->id, &c->out)) != 0)
		return st;
	return 201;
}

/*
 * Create a store (owners).
 * In: {name (1..64), address? (..255), phone? (digits, - + ( ) and
 * spaces, 5..20), kind? ("own" default | "partner"), active? (true)}.
 * Out: 201 the store (store_get). Errors: invalid_field.
 * Writes: stores, audit_log.
 */
static int
store_create(struct req *r)
{
	struct store_in c;
	int st;

	memset(&c, 0, sizeof(c));
	c.kind = "own";
	c.active = 1;
	if (req_json_body(r) == -1)
		return r->status;
	if ((st = store_fields(r, &c, 1)) != 0)
		return st;
	st = db_tx(r, store_create_tx, &c);
	return st >= 400 ? st : resp_data(r, 201, c.out);
}

static int
store_update_tx(struct req *r, void *arg)
{
	struct store_in *c = arg, w;
	struct db_res res, own;
	int st, was_active, i;
	const char *was_kind;

	if (DB(r, &q_store_lock, &res, DBI(r->m->id), DBI(c->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "门店不存在", NULL);
	/* the stored values, then the body's over them */
	w.name = db_str(&res, 0, SL_NAME);
	w.address = db_str(&res, 0, SL_ADDRESS);
	w.phone = db_str(&res, 0, SL_PHONE);
	w.kind = was_kind = db_str(&res, 0, SL_KIND);
	w.active = was_active = (int)db_int(&res, 0, SL_ACTIVE);
	if (c->name != NULL)
		w.name = c->name;
	if (cJSON_GetObjectItemCaseSensitive(r->json, "address"))
		w.address = c->address;
	if (cJSON_GetObjectItemCaseSensitive(r->json, "phone"))
		w.phone = c->phone;
	if (c->kind != NULL)
		w.kind = c->kind;
	if (c->active != -1)
		w.active = c->active;
	if (strcmp(w.kind, was_kind) != 0) {
		if (DB(r, &q_store_in_use, &res, DBI(c->id), DBI(r->m->id),
		    DBI(r->m->id), DBI(c->id)) != DB_OK)
			return db_fail(r);
		if (db_int(&res, 0, SU_N) > 0)
			return resp_err(r, 409, "conflict", "该门店已有员工账号"
			    "或共享的优惠券，不能更改门店类型", "kind");
	}
	/* an own store that stops counting as one: another must remain */
	if (strcmp(was_kind, "own") == 0 && was_active &&
	    (!w.active || strcmp(w.kind, "own") != 0)) {
		int others = 0;

		if (DB(r, &q_stores_own_lock, &own, DBI(r->m->id)) != DB_OK)
			return db_fail(r);
		for (i = 0; i < own.nrows; i++)
			if (db_int(&own, i, SO_ID) != c->id)
				others++;
		if (others == 0)
			return resp_err(r, 409, "conflict",
			    "至少需要保留一家营业中的自营门店", "active");
	}
	if (DB(r, &q_store_update, NULL, DBS(w.name), DBS(w.address),
	    DBS(w.phone), DBS(w.kind), DBI(w.active), DBI(c->id),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if ((st = audit_log(r, "store.update", arena_printf(r->a, "store:%lld",
	    (long long)c->id), r->body, c->id)) != 0)
		return st;
	if ((st = store_get(r, c->id, &c->out)) != 0)
		return st;
	return 200;
}

/*
 * Change a store (owners): the fields given replace the stored ones,
 * null clears address or phone. active:false closes it (its history
 * stays; nobody acts at it until it opens again). The last active own
 * store cannot close or become a partner's; the kind of a store with
 * staff accounts or shared templates cannot change.
 * In: any fields of store_create. Out: the store. Errors: not_found,
 * invalid_field, conflict. Writes: stores, audit_log.
 */
static int
store_update(struct req *r)
{
	struct store_in c;
	int st;

	memset(&c, 0, sizeof(c));
	c.active = -1;
	if (req_param_id(r, "id", &c.id) == -1)
		return resp_err(r, 404, "not_found", "门店不存在", NULL);
	if (req_json_body(r) == -1)
		return r->status;
	if ((st = store_fields(r, &c, 0)) != 0)
		return st;
	st = db_tx(r, store_update_tx, &c);
	return st >= 400 ? st : resp_data(r, 200, c.out);
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(stores_staff_routes) = {
	{ M_POST, BASE "/stores", store_create,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ M_PATCH, BASE "/stores/:id", store_update,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ 0, NULL, NULL, 0 }
};

/* ---- demo data ---- */

enum { SP_COUNT, SP_NCOLS };
DB_SQL_COLS(q_seed_partner_count, SP_NCOLS,
    "SELECT COUNT(*) FROM stores WHERE merchant_id = ? AND kind = 'partner'");
DB_SQL(q_seed_partner_store,
    "INSERT INTO stores (merchant_id, name, address, phone, kind,"
    " created_at) VALUES (?, ?, ?, ?, 'partner', UTC_TIMESTAMP())");
DB_SQL(q_seed_partner_staff,
    "INSERT IGNORE INTO staff (merchant_id, username, name, role,"
    " password_hash) VALUES (?, 'partner', ?, 'partner', ?)");
DB_SQL(q_seed_partner_staff_store,
    "INSERT IGNORE INTO staff_stores (staff_id, store_id)"
    " SELECT id, ? FROM staff WHERE merchant_id = ? AND username = 'partner'");
DB_SQL(q_seed_partner_share,
    "INSERT IGNORE INTO coupon_template_partners (merchant_id, template_id,"
    " store_id, created_at) SELECT merchant_id, id, ?, UTC_TIMESTAMP()"
    " FROM coupon_templates WHERE merchant_id = ? AND name = ?");

/*
 * The demo merchant's neighbour: a bakery that accepts its 立减5元
 * coupons, with the partner account `partner` (password demo1234). Once.
 */
static int
stores_seed(struct req *r)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_res res;
	int64_t id;

	if (strcmp(r->m->code, "demo") != 0)
		return 0;
	if (DB(r, &q_seed_partner_count, &res, DBI(r->m->id)) != DB_OK)
		return -1;
	if (db_int(&res, 0, SP_COUNT) > 0)
		return 0;
	if (DB(r, &q_seed_partner_store, &res, DBI(r->m->id),
	    DBS("麦香面包坊（异业合作）"), DBS("上海市黄浦区人民大道 102 号"),
	    DBS("021-63210000")) != DB_OK)
		return -1;
	id = (int64_t)res.insert_id;
	if (crypto_pwhash_str(hash, "demo1234", 8,
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	if (DB(r, &q_seed_partner_staff, NULL, DBI(r->m->id),
	    DBS("麦香面包坊"), DBS(hash)) != DB_OK ||
	    DB(r, &q_seed_partner_staff_store, NULL, DBI(id),
	    DBI(r->m->id)) != DB_OK ||
	    DB(r, &q_seed_partner_share, NULL, DBI(id), DBI(r->m->id),
	    DBS("立减5元")) != DB_OK)
		return -1;
	return 0;
}
SEEDER(stores_seed);
