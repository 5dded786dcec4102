/* The audit log, store checks and counter tickets (see core.h). */
#include <string.h>

#include "app.h"
#include "core.h"
#include "db.h"

DB_SQL(q_audit_insert,
    "INSERT INTO audit_log (merchant_id, staff_id, store_id, action, target,"
    " detail, request_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())");
enum { ST_ID, ST_KIND, ST_NCOLS };
DB_SQL_COLS(q_store_of_merchant, ST_NCOLS,
    "SELECT id, kind FROM stores WHERE id = ? AND merchant_id = ?"
    " AND active = 1");
/* q_store_get and q_stores_list: a store as owners manage it */
enum { SR_ID, SR_NAME, SR_ADDRESS, SR_PHONE, SR_KIND, SR_ACTIVE,
    SR_CREATED, SR_NCOLS };
DB_SQL_COLS(q_store_get, SR_NCOLS,
    "SELECT id, name, address, phone, kind, active, created_at FROM stores"
    " WHERE merchant_id = ? AND id = ?");
DB_SQL_COLS(q_stores_list, SR_NCOLS,
    "SELECT id, name, address, phone, kind, active, created_at FROM stores"
    " WHERE merchant_id = ? ORDER BY id");
enum { AT_ONE, AT_NCOLS };
DB_SQL_COLS(q_staff_at_store, AT_NCOLS,
    "SELECT 1 FROM staff_stores WHERE staff_id = ? AND store_id = ?");
DB_SQL(q_ticket_insert,
    "INSERT INTO tickets (token_hash, merchant_id, staff_id, store_id,"
    " member_id, no_balance, created_at, expires_at) VALUES (?, ?, ?, ?, ?,"
    " ?, UTC_TIMESTAMP(), UTC_TIMESTAMP() + INTERVAL ? SECOND)");
enum { TX_EXPIRES, TX_NCOLS };
DB_SQL_COLS(q_ticket_expiry, TX_NCOLS,
    "SELECT expires_at FROM tickets WHERE id = ?");
enum { TK_ID, TK_MEMBER, TK_STORE, TK_STAFF, TK_NO_BALANCE, TK_NCOLS };
DB_SQL_COLS(q_ticket_get, TK_NCOLS,
    "SELECT id, member_id, store_id, staff_id, no_balance FROM tickets"
    " WHERE token_hash = ? AND merchant_id = ? AND staff_id = ?"
    " AND expires_at > UTC_TIMESTAMP()");
DB_SQL(q_ticket_use,
    "UPDATE tickets SET used_at = UTC_TIMESTAMP()"
    " WHERE id = ? AND used_at IS NULL");

int
audit_log(struct req *r, const char *action, const char *target,
    const char *detail, int64_t store_id)
{
	if (DB(r, &q_audit_insert, NULL, DBI(r->m->id),
	    DBIN(r->auth.staff_id, r->auth.kind == AUTH_KIND_STAFF),
	    DBIN(store_id, store_id > 0), DBS(action), DBS(target),
	    DBS(detail), DBS(r->request_id)) != DB_OK) {
		log_err(r, "audit: %s %s not written", action,
		    target ? target : "");
		return db_fail(r);
	}
	return 0;
}

int
staff_store_check(struct req *r, int64_t store_id)
{
	struct db_res res;
	int partner;

	if (DB(r, &q_store_of_merchant, &res, DBI(store_id), DBI(r->m->id)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_bad_field(r, "store_id", "门店不存在");
	partner = strcmp(db_str(&res, 0, ST_KIND), "partner") == 0;
	if (r->auth.role != NULL && strcmp(r->auth.role, "partner") == 0) {
		if (!partner)
			return resp_err(r, 403, "forbidden",
			    "您不在该门店任职", "store_id");
	} else if (partner)
		return resp_err(r, 403, "forbidden",
		    "这是合作门店，只能由合作方账号操作", "store_id");
	else if (r->auth.role != NULL && strcmp(r->auth.role, "cashier") != 0)
		return 0;
	if (DB(r, &q_staff_at_store, &res, DBI(r->auth.staff_id),
	    DBI(store_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 403, "forbidden", "您不在该门店任职",
		    "store_id");
	return 0;
}

int
ticket_issue(struct req *r, int64_t member_id, int64_t store_id,
    const char **ticket, const char **expires_at)
{
	return ticket_issue_as(r, member_id, store_id, 0, ticket, expires_at);
}

int
ticket_issue_as(struct req *r, int64_t member_id, int64_t store_id,
    int no_balance, const char **ticket, const char **expires_at)
{
	unsigned char raw[16];
	struct db_res res;
	const char *tok;

	rand_bytes(raw, sizeof(raw));
	tok = hex_encode(r->a, raw, sizeof(raw));
	if (DB(r, &q_ticket_insert, &res, DBS(hash_hex(r, tok, strlen(tok))),
	    DBI(r->m->id), DBI(r->auth.staff_id), DBI(store_id),
	    DBI(member_id), DBI(no_balance != 0), DBI(TICKET_TTL_S)) != DB_OK ||
	    DB(r, &q_ticket_expiry, &res, DBI((int64_t)res.insert_id)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	*ticket = tok;
	*expires_at = time_rfc3339(r, db_str(&res, 0, TX_EXPIRES));
	return 0;
}

int
ticket_resolve(struct req *r, const char *ticket, struct ticket *t)
{
	struct db_res res;
	size_t n = ticket ? strlen(ticket) : 0;

	if (n >= 16 && n <= 128 && DB(r, &q_ticket_get, &res,
	    DBS(hash_hex(r, ticket, n)), DBI(r->m->id),
	    DBI(r->auth.staff_id)) != DB_OK)
		return db_fail(r);
	if (n < 16 || n > 128 || res.nrows == 0)
		return resp_err(r, 400, "invalid_ticket",
		    "核销凭证无效或已过期，请重新扫码", "ticket");
	t->id = db_int(&res, 0, TK_ID);
	t->member_id = db_int(&res, 0, TK_MEMBER);
	t->store_id = db_int(&res, 0, TK_STORE);
	t->staff_id = db_int(&res, 0, TK_STAFF);
	t->no_balance = (int)db_int(&res, 0, TK_NO_BALANCE);
	return 0;
}

int
ticket_consume(struct req *r, const struct ticket *t)
{
	struct db_res res;

	if (DB(r, &q_ticket_use, &res, DBI(t->id)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1)
		return resp_err(r, 409, "ticket_used", "该凭证已完成一次支付",
		    "ticket");
	return 0;
}

static cJSON *
store_row_json(struct req *r, const struct db_res *res, int i)
{
	cJSON *o = j_obj();

	j_int(o, "id", db_int(res, i, SR_ID));
	j_str(o, "name", db_str(res, i, SR_NAME));
	j_str(o, "address", db_str(res, i, SR_ADDRESS));
	j_str(o, "phone", db_str(res, i, SR_PHONE));
	j_str(o, "kind", db_str(res, i, SR_KIND));
	j_bool(o, "active", db_int(res, i, SR_ACTIVE) != 0);
	j_str(o, "created_at", time_rfc3339(r, db_str(res, i, SR_CREATED)));
	return o;
}

int
store_get(struct req *r, int64_t id, cJSON **out)
{
	struct db_res res;

	if (DB(r, &q_store_get, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "门店不存在", NULL);
	*out = store_row_json(r, &res, 0);
	return 0;
}

int
stores_list(struct req *r, cJSON **out)
{
	struct db_res res;
	int i;

	if (DB(r, &q_stores_list, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	*out = j_arr();
	for (i = 0; i < res.nrows; i++)
		j_add(*out, NULL, store_row_json(r, &res, i));
	return 0;
}
