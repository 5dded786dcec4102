/*
 * Order H5 pages: my orders, one order's itemised receipt (小票), and a
 * store's menu to order and pay at the table (扫码点餐). The server
 * renders each page's frame with what it knows without the order API
 * (the merchant's store names, the member's points and balance, the
 * store of a menu); static/js/orders.js, order.js and menu.js fill it
 * from the same API a mini-program calls: GET /me/orders, GET
 * /me/orders/{id} and its cancel, GET /products and POST
 * /me/orders/quote and /me/orders.
 *
 * The menu's address is /m/{merchant}/menu/{store_id}: a path, so that a
 * table's QR code stays short and the sign-in page comes back to it
 * (page_next_url keeps paths only, never a query).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"

enum { OS_ID, OS_NAME, OS_ADDRESS, OS_ACTIVE, OS_NCOLS };
DB_SQL_COLS(q_op_stores, OS_NCOLS,
    "SELECT id, name, address, active FROM stores WHERE merchant_id = ?"
    " ORDER BY id");
enum { OM_POINTS, OM_PRINCIPAL, OM_BONUS, OM_NCOLS };
DB_SQL_COLS(q_op_member, OM_NCOLS,
    "SELECT points, principal_fen, bonus_fen FROM members"
    " WHERE merchant_id = ? AND id = ?");

/*
 * The merchant's stores, closed ones too (an old order names its store),
 * into c as stores:[{id, name}]; *found the store asked about (0: none),
 * filled when it is open. 0, or the error status (recorded).
 */
static int
add_stores(struct req *r, cJSON *c, int64_t want, cJSON **found)
{
	struct db_res res;
	cJSON *arr = j_arr();
	int i;

	if (found != NULL)
		*found = NULL;
	if (DB(r, &q_op_stores, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();
		int64_t id = db_int(&res, i, OS_ID);

		j_int(o, "id", id);
		j_str(o, "name", db_str(&res, i, OS_NAME));
		j_add(arr, NULL, o);
		if (found != NULL && id == want &&
		    db_int(&res, i, OS_ACTIVE) != 0) {
			*found = j_obj();
			j_int(*found, "id", id);
			j_str(*found, "name", db_str(&res, i, OS_NAME));
			j_str(*found, "address", db_str(&res, i, OS_ADDRESS));
		}
	}
	j_add(c, "stores", arr);
	return 0;
}

/* A page's context: orders.js (what the pages share), then its script. */
static cJSON *
ctx(const char *title, const char *body_class, const char *script)
{
	cJSON *c = page_ctx(title, body_class, "orders.js");

	if (script != NULL)
		cJSON_AddItemToArray(cJSON_GetObjectItem(c, "scripts"),
		    cJSON_CreateString(script));
	return c;
}

/* GET /m/{merchant}/orders: my orders, newest first (orders.js lists). */
static int
page_orders(struct req *r)
{
	cJSON *c;
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	c = ctx("我的订单", "page-orders", NULL);
	j_bool(c, "tab_orders", 1);
	if ((st = add_stores(r, c, 0, NULL)) != 0)
		return st;
	return resp_html(r, 200, "pages/orders", c);
}

/*
 * GET /m/{merchant}/orders/{id}: one order's receipt, with its payment
 * and its cancellation while it is pending (order.js reads the order;
 * an order that is not the member's answers its 404 there).
 */
static int
page_order(struct req *r)
{
	int64_t id;
	cJSON *c;
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "订单不存在", NULL);
	c = ctx("订单详情", "page-order", "order.js");
	j_bool(c, "tab_orders", 1);
	j_int(c, "order_id", id);
	j_bool(c, "sandbox", cfg_is_dev());
	if ((st = add_stores(r, c, 0, NULL)) != 0)
		return st;
	return resp_html(r, 200, "pages/order", c);
}

/*
 * GET /m/{merchant}/menu/{store_id}: an open store's menu with a cart,
 * priced live by the quote, and 下单支付 (menu.js). The member's points
 * and balance say which toggles to offer.
 */
static int
page_menu(struct req *r)
{
	struct db_res res;
	int64_t sid, p, b;
	cJSON *c, *store;
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	if (req_param_id(r, "store_id", &sid) == -1)
		return resp_err(r, 404, "not_found", "门店不存在", NULL);
	c = ctx("扫码点餐", "page-menu", "menu.js");
	if ((st = add_stores(r, c, sid, &store)) != 0)
		return st;
	if (store == NULL)
		return resp_err(r, 404, "not_found", "门店不存在或暂停营业",
		    NULL);
	j_add(c, "store", store);
	if (DB(r, &q_op_member, &res, DBI(r->m->id),
	    DBI(r->auth.member_id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	p = db_int(&res, 0, OM_PRINCIPAL);
	b = db_int(&res, 0, OM_BONUS);
	j_int(c, "points", db_int(&res, 0, OM_POINTS));
	j_int(c, "balance_fen", p + b);
	j_str(c, "balance_yuan", page_yuan(r, p + b));
	j_bool(c, "sandbox", cfg_is_dev());
	return resp_html(r, 200, "pages/menu", c);
}

ROUTES(order_page_routes) = {
	{ M_GET, "/m/:merchant/orders", page_orders, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/orders/:id", page_order, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/menu/:store_id", page_menu,
	    AUTH_OPTIONAL | HTML },
	{ 0, NULL, NULL, 0 }
};
