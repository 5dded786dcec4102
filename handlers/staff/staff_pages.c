/*
 * Staff H5 pages: the store counter (sign in, pick the store, scan a
 * member code, act on it), the orders console, the settings console, the
 * catalogue, the stores console and a partner store's 核销 page. Server-rendered shells; static/js/staff.js,
 * staff_orders.js, staff_settings.js and staff_products.js call the
 * staff API with the staff cookie and the CSRF header.
 */
#include "app.h"

static cJSON *
page(const char *title, const char *body_class, const char *const *js)
{
	cJSON *c = j_obj(), *s = j_arr();

	j_str(c, "title", title);
	j_str(c, "body_class", body_class);
	for (; *js != NULL; js++)
		j_add(s, NULL, cJSON_CreateString(*js));
	j_add(c, "scripts", s);
	return c;
}

/* GET /m/{merchant}/staff: to the counter page. */
static int
staff_page_redirect(struct req *r)
{
	return resp_redirect(r, 302, arena_printf(r->a, "/m/%s/staff/",
	    r->m->code));
}

/*
 * GET /m/{merchant}/staff/: the counter. Its tabs (templates/counter/):
 * the checkout, coupon redemption and the wallet panel, which act on the
 * member after a scan. counter_checkout.js before the coupon panel, so
 * that a coupon code scanned at the checkout is its own to take.
 */
static int
staff_page_counter(struct req *r)
{
	static const char *const js[] = { "staff.js", "counter_checkout.js",
	    "counter_coupons.js", "counter_wallet.js", "counter_count_cards.js",
	    NULL };

	return resp_html(r, 200, "pages/staff", page("会员收银台",
	    "page-staff", js));
}

/*
 * GET /m/{merchant}/staff/orders: find orders, the itemised receipt,
 * complete, cancel, refund.
 */
static int
staff_page_orders(struct req *r)
{
	static const char *const js[] = { "staff.js", "staff_orders.js",
	    NULL };

	return resp_html(r, 200, "pages/staff_orders", page("订单",
	    "page-staff", js));
}

/*
 * GET /m/{merchant}/staff/settings: card, tiers, checkout and refunds,
 * staff accounts.
 */
static int
staff_page_settings(struct req *r)
{
	static const char *const js[] = { "staff.js", "staff_tier_keep.js",
	    "staff_settings.js", "staff_privileges.js",
	    "staff_new_member_gift.js", "staff_wxpay.js", NULL };

	return resp_html(r, 200, "pages/staff_settings", page("商户设置",
	    "page-staff", js));
}

/*
 * GET /m/{merchant}/staff/products: the catalogue console (owners and
 * marketing): products with their member prices and stores, the CSV
 * export and import.
 */
static int
staff_page_products(struct req *r)
{
	static const char *const js[] = { "staff.js", "staff_products.js",
	    NULL };

	return resp_html(r, 200, "pages/staff_products", page("商品管理",
	    "page-staff", js));
}

/*
 * GET /m/{merchant}/staff/members: the members console (owners and
 * marketing): search, filters, the sortable list, the CSV export, one
 * member's detail.
 */
static int
staff_page_members(struct req *r)
{
	static const char *const js[] = { "staff.js", "staff_members.js",
	    "staff_member_actions.js", NULL };

	return resp_html(r, 200, "pages/staff_members", page("会员管理",
	    "page-staff", js));
}

/*
 * GET /m/{merchant}/staff/stores: the stores console (owners): own and
 * partner stores, opening and closing them, a partner store's accounts
 * and the templates shared with it.
 */
static int
staff_page_stores(struct req *r)
{
	static const char *const js[] = { "staff.js", "staff_stores.js",
	    NULL };

	return resp_html(r, 200, "pages/staff_stores", page("门店管理",
	    "page-staff", js));
}

/*
 * GET /m/{merchant}/staff/partner: a partner store's 核销 page, all a
 * partner account sees (phone first): scan or type a coupon code, look it
 * up, redeem it, its latest redemptions.
 */
static int
staff_page_partner(struct req *r)
{
	static const char *const js[] = { "staff.js", "staff_partner.js",
	    NULL };

	return resp_html(r, 200, "pages/staff_partner", page("核销",
	    "page-staff", js));
}

ROUTES(staff_page_routes) = {
	{ M_GET, "/m/:merchant/staff", staff_page_redirect, HTML },
	{ M_GET, "/m/:merchant/staff/", staff_page_counter, HTML },
	{ M_GET, "/m/:merchant/staff/orders", staff_page_orders, HTML },
	{ M_GET, "/m/:merchant/staff/settings", staff_page_settings, HTML },
	{ M_GET, "/m/:merchant/staff/products", staff_page_products, HTML },
	{ M_GET, "/m/:merchant/staff/members", staff_page_members, HTML },
	{ M_GET, "/m/:merchant/staff/stores", staff_page_stores, HTML },
	{ M_GET, "/m/:merchant/staff/partner", staff_page_partner, HTML },
	{ 0, NULL, NULL, 0 }
};
