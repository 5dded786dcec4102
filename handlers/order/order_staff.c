/*
 * The counter's and the console's order routes: quote, ring up, and what
 * follows (order_after.c does the work).
 */
#include "app.h"
#include "db.h"
#include "order_db.h"

/*
 * Price an order at the counter without writing anything.
 * In: the order body (api.md, Orders). Out: the quote with quote_hash.
 * Errors: invalid_field, invalid_ticket, forbidden, not_found.
 */
static int
staff_order_quote(struct req *r)
{
	return order_quote_respond(r, order_ctx_new(r, OC_COUNTER));
}

/*
 * Ring up an order: the body plus quote_hash, with Idempotency-Key.
 * Out: 201 {order}. Errors: quote_stale, insufficient_balance,
 * ticket_used, due_not_covered, invalid_field, invalid_ticket.
 */
static int
staff_order_create(struct req *r)
{
	return order_create_respond(r, order_ctx_new(r, OC_COUNTER));
}

static int
id_param(struct req *r, const char *name, int64_t *id)
{
	if (req_param_id(r, name, id) == -1)
		return resp_err(r, 404, "not_found", "订单不存在", NULL);
	return 0;
}

/* GET: ?store_id=&status=&member_id=&from=&to=&cursor=&limit=. */
static int
staff_order_list(struct req *r)
{
	return order_list(r, 0);
}

static int
staff_order_get(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, "id", &id)) != 0 ||
	    (st = order_expire_due(r, 0)) != 0)
		return st;
	return order_get(r, id, 0);
}

/* Mark a paid order served: paid -> completed; 409 conflict else. */
static int
staff_order_complete(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, "id", &id)) != 0)
		return st;
	return order_complete(r, id);
}

/* Cancel an unpaid order: its coupons, points, balance back; 409
   not_pending when it is not pending. */
static int
staff_order_cancel(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, "id", &id)) != 0)
		return st;
	return order_cancel(r, id, 0);
}

/*
 * Refund by lines, by amount, or the rest: {lines?:[{line_no, qty}],
 * amount_fen?, reason?}, Idempotency-Key. 201 {refund, order}, or 202
 * {status:"awaiting_approval", refund, order} over the approval amount.
 * Errors: refund_exceeds_paid, already_refunded, invalid_field.
 */
static int
staff_order_refund(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, "id", &id)) != 0)
		return st;
	return order_refund(r, id, 0, 0);
}

/* An owner approves (or rejects) a refund awaiting approval. */
static int
refund_decide(struct req *r, int reject)
{
	int64_t id, rid;
	int st;

	if ((st = id_param(r, "id", &id)) != 0 ||
	    (st = id_param(r, "refund_id", &rid)) != 0)
		return st;
	return order_refund(r, id, rid, reject);
}

static int
staff_refund_approve(struct req *r)
{
	return refund_decide(r, 0);
}

static int
staff_refund_reject(struct req *r)
{
	return refund_decide(r, 1);
}

#define OBASE "/api/v1/m/:merchant/staff/orders"

ROUTES(order_staff_routes) = {
	{ M_POST, OBASE "/quote", staff_order_quote,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_MARKETING | CSRF | AUTH_SELF },
	{ M_POST, OBASE, staff_order_create,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_MARKETING | CSRF | IDEMPOTENT },
	{ M_GET, OBASE, staff_order_list,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_MARKETING },
	{ M_GET, OBASE "/:id", staff_order_get,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_MARKETING },
	{ M_POST, OBASE "/:id/complete", staff_order_complete,
	    AUTH_STAFF | ROLE_CASHIER | CSRF },
	{ M_POST, OBASE "/:id/cancel", staff_order_cancel,
	    AUTH_STAFF | ROLE_CASHIER | ROLE_MARKETING | CSRF | IDEMPOTENT },
	{ M_POST, OBASE "/:id/refunds", staff_order_refund,
	    AUTH_STAFF | ROLE_CASHIER | CSRF | IDEMPOTENT },
	{ M_POST, OBASE "/:id/refunds/:refund_id/approve", staff_refund_approve,
	    AUTH_STAFF | ROLE_OWNER | CSRF | IDEMPOTENT },
	{ M_POST, OBASE "/:id/refunds/:refund_id/reject", staff_refund_reject,
	    AUTH_STAFF | ROLE_OWNER | CSRF },
	{ 0, NULL, NULL, 0 }
};
