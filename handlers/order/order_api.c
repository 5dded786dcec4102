/*
 * The member's order routes: table ordering in the app, my orders.
 */
#include "app.h"
#include "db.h"
#include "order_db.h"

/*
 * Price the member's own order (table QR) without writing anything.
 * In: {store_id, lines:[{product_id, qty}], coupon_codes?, points?,
 * use_balance?, tenders?:[{kind:"online"}]}. Out: the quote.
 */
static int
me_order_quote(struct req *r)
{
	struct order_ctx *c = order_ctx_new(r, OC_APP);

	c->for_member = 1;
	return order_quote_respond(r, c);
}

/*
 * Place and pay the member's own order: the body plus quote_hash, with
 * Idempotency-Key. Out: 201 {order} (pending with payment when the rest
 * goes online).
 */
static int
me_order_create(struct req *r)
{
	struct order_ctx *c = order_ctx_new(r, OC_APP);
	int st;

	c->for_member = 1;
	if ((st = order_expire_due(r, r->auth.member_id)) != 0)
		return st;
	return order_create_respond(r, c);
}

static int
id_param(struct req *r, int64_t *id)
{
	if (req_param_id(r, "id", id) == -1)
		return resp_err(r, 404, "not_found", "订单不存在", NULL);
	return 0;
}

/* My orders, newest first. */
static int
me_order_list(struct req *r)
{
	return order_list(r, r->auth.member_id);
}

/* One of my orders: the itemised receipt. */
static int
me_order_get(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, &id)) != 0 ||
	    (st = order_expire_due(r, r->auth.member_id)) != 0)
		return st;
	return order_get(r, id, r->auth.member_id);
}

/* Cancel my unpaid order (409 not_pending once paid). */
static int
me_order_cancel(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, &id)) != 0)
		return st;
	return order_cancel(r, id, r->auth.member_id);
}

/* Development and test: pay my pending order in the sandbox. */
static int
me_order_sandbox_pay(struct req *r)
{
	int64_t id;
	int st;

	if ((st = id_param(r, &id)) != 0)
		return st;
	return order_sandbox_pay(r, id, r->auth.member_id);
}

/*
 * The member pays an amount from the balance in the app (table QR), as a
 * one-line order under the same rules as at the counter.
 * In: {order_fen, store_id}, Idempotency-Key. Out: 201 {payment:{id,
 * order_id, order_fen, discount_fen, total_fen, paid_fen, principal_fen,
 * bonus_fen, remaining_due_fen, balance_after, growth_added,
 * points_added, ...}}. Errors: invalid_field, insufficient_balance.
 */
static int
me_pay(struct req *r)
{
	struct order_balance_pay p;
	cJSON *d;
	int st;

	memset(&p, 0, sizeof(p));
	if (req_json_body(r) == -1 ||
	    req_json_int(r, "order_fen", 1, 1, WALLET_MAX_FEN, &p.order_fen) ==
	    -1 ||
	    req_json_int(r, "store_id", 1, 1, INT64_MAX / 2, &p.store_id) == -1)
		return r->status;
	p.member_id = r->auth.member_id;
	st = db_tx(r, order_balance_pay_tx, &p);
	if (st >= 400)
		return st;
	d = j_obj();
	j_add(d, "payment", p.out);
	return resp_data(r, 201, d);
}

#define MBASE "/api/v1/m/:merchant/me/orders"

ROUTES(order_me_routes) = {
	{ M_POST, MBASE "/quote", me_order_quote, AUTH_MEMBER | AUTH_SELF },
	{ M_POST, MBASE, me_order_create, AUTH_MEMBER | IDEMPOTENT },
	{ M_GET, MBASE, me_order_list, AUTH_MEMBER },
	{ M_POST, "/api/v1/m/:merchant/me/payments", me_pay,
	    AUTH_MEMBER | IDEMPOTENT },
	{ M_GET, MBASE "/:id", me_order_get, AUTH_MEMBER },
	{ M_POST, MBASE "/:id/cancel", me_order_cancel,
	    AUTH_MEMBER | IDEMPOTENT },
	{ M_POST, MBASE "/:id/sandbox-pay", me_order_sandbox_pay, AUTH_MEMBER },
	{ 0, NULL, NULL, 0 }
};
