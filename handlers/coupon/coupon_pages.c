/*
 * Coupon H5 pages: the coupon centre with my coupons by status, one
 * coupon with its QR code, and the marketing console for templates.
 * Server-rendered; static/js/coupons.js claims and redeems promo codes,
 * static/js/staff_coupons.js drives the console through the staff API.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "coupon.h"

static const struct {
	const char	*key, *label;
} status_tabs[] = {
	{ "unused", "未使用" },
	{ "used", "已使用" },
	{ "expired", "已过期" },
	{ "cancelled", "已作废" },
};

/* "2026-12-24T23:59:59+08:00" -> "2026-12-24 23:59". */
static const char *
short_time(struct req *r, const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);
	char *s;

	if (!cJSON_IsString(v) || strlen(v->valuestring) < 16)
		return NULL;
	s = arena_strndup(r->a, v->valuestring, 16);
	s[10] = ' ';
	return s;
}

static const char *
status_label(const char *st)
{
	size_t i;

	for (i = 0; st != NULL && i < sizeof(status_tabs) /
	    sizeof(status_tabs[0]); i++)
		if (strcmp(st, status_tabs[i].key) == 0)
			return status_tabs[i].label;
	return "";
}

/* Display fields a page shows beside a coupon object. */
static void
coupon_display(struct req *r, cJSON *c)
{
	const cJSON *st = cJSON_GetObjectItem(c, "status");
	const char *s = cJSON_IsString(st) ? st->valuestring : "";

	j_str(c, "from_text", short_time(r, c, "valid_from"));
	j_str(c, "until_text", short_time(r, c, "valid_until"));
	j_str(c, "used_text", short_time(r, c, "used_at"));
	j_str(c, "status_text", status_label(s));
	j_bool(c, "is_unused", strcmp(s, "unused") == 0);
}

static int
page_centre(struct req *r, cJSON *c)
{
	int64_t cursor = 0, next;
	cJSON *list, *it;

	if (req_query_int(r, "cursor", 0, 1, INT64_MAX, &cursor) == -1)
		return r->status;
	list = coupon_centre_json(r, r->auth.member_id, NULL, 0, cursor, 20,
	    &next);
	if (list == NULL)
		return r->status;
	for (it = list->child; it != NULL; it = it->next) {
		const cJSON *mine = cJSON_GetObjectItem(it, "claimed_by_me");

		if (cJSON_IsNumber(mine) && mine->valuedouble > 0)
			j_bool(it, "claimed_some", 1);
	}
	j_bool(c, "tab_centre", 1);
	j_add(c, "templates", list);
	if (next > 0)
		j_str(c, "next_url", arena_printf(r->a,
		    "/m/%s/coupons?cursor=%lld", r->m->code, (long long)next));
	return 0;
}

static int
page_mine(struct req *r, cJSON *c)
{
	const char *status = req_query(r, "status");
	cJSON *list, *counts, *tabs, *it;
	int64_t limit = 20, cursor = 0, next;
	size_t i;
	int found = 0;

	if (status == NULL)
		status = "unused";
	for (i = 0; i < sizeof(status_tabs) / sizeof(status_tabs[0]); i++)
		if (strcmp(status, status_tabs[i].key) == 0)
			found = 1;
	if (!found)
		status = "unused";
	if (req_query_int(r, "cursor", 0, 1, INT64_MAX, &cursor) == -1)
		return r->status;
	if ((list = coupon_list_json(r, r->auth.member_id, status, cursor,
	    limit, &next)) == NULL ||
	    (counts = coupon_counts_json(r, r->auth.member_id)) == NULL)
		return r->status;
	for (it = list->child; it != NULL; it = it->next)
		coupon_display(r, it);
	tabs = j_arr();
	for (i = 0; i < sizeof(status_tabs) / sizeof(status_tabs[0]); i++) {
		cJSON *t = j_obj();
		const cJSON *n = cJSON_GetObjectItem(counts,
		    status_tabs[i].key);

		j_str(t, "key", status_tabs[i].key);
		j_str(t, "label", status_tabs[i].label);
		j_int(t, "count", (int64_t)n->valuedouble);
		j_bool(t, "active", strcmp(status, status_tabs[i].key) == 0);
		j_add(tabs, NULL, t);
	}
	j_bool(c, "tab_mine", 1);
	j_str(c, "status", status);
	j_str(c, "status_text", status_label(status));
	j_add(c, "status_tabs", tabs);
	j_add(c, "coupons", list);
	if (next > 0)
		j_str(c, "next_url", arena_printf(r->a,
		    "/m/%s/coupons?tab=mine&status=%s&cursor=%lld", r->m->code,
		    status, (long long)next));
	return 0;
}

/*
 * GET /m/{merchant}/coupons: the coupon centre (?tab=centre, default)
 * or my coupons (?tab=mine&status=unused|used|expired|cancelled) with
 * counts per status. Anyone may look at the centre; claiming and my
 * coupons need a member (?signin=1 shows the sign-in form).
 */
static int
page_coupons(struct req *r)
{
	const char *tab = req_query(r, "tab");
	int mine = tab != NULL && strcmp(tab, "mine") == 0;
	cJSON *c, *counts;
	int st;

	if (r->auth.kind == AUTH_KIND_MEMBER && r->auth.member_id == 0)
		return resp_redirect(r, 302, arena_printf(r->a, "/m/%s/join",
		    r->m->code));
	if (r->auth.kind != AUTH_KIND_MEMBER &&
	    (mine || req_query(r, "signin") != NULL))
		return page_signin(r);
	c = page_ctx("优惠券", "page-coupons", "coupons.js");
	j_bool(c, "tab_coupons", 1);
	j_bool(c, "signed_in", r->auth.kind == AUTH_KIND_MEMBER);
	if ((st = mine ? page_mine(r, c) : page_centre(r, c)) != 0)
		return st;
	if (!mine && r->auth.kind == AUTH_KIND_MEMBER) {
		if ((counts = coupon_counts_json(r, r->auth.member_id)) == NULL)
			return r->status;
		j_add(c, "counts", counts);
	}
	return resp_html(r, 200, "pages/coupons", c);
}

/*
 * GET /m/{merchant}/coupons/{code}: one of the member's coupons with the
 * QR code the counter scans, its rules and how it was used.
 */
static int
page_coupon(struct req *r)
{
	char code[COUPON_CODE_LEN + 1], spaced[COUPON_CODE_LEN + 4];
	cJSON *c, *cp;
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	if (coupon_code_normalize(req_param(r, "code"), code) == -1)
		return resp_err(r, 404, "not_found", "优惠券不存在", NULL);
	if ((cp = coupon_mine_json(r, r->auth.member_id, code)) == NULL)
		return r->status;
	coupon_display(r, cp);
	snprintf(spaced, sizeof(spaced), "%.4s %.4s %.4s", code, code + 4,
	    code + 8);
	j_str(cp, "code_spaced", spaced);
	j_str(cp, "qr_svg_url", arena_printf(r->a,
	    "/api/v1/m/%s/me/coupons/%s/qr.svg", r->m->code, code));
	{
		const cJSON *st = cJSON_GetObjectItem(cp, "store_ids");

		j_bool(cp, "all_stores", cJSON_IsString(st));
	}
	c = page_ctx(cJSON_GetObjectItem(cp, "name")->valuestring,
	    "page-coupon", "coupons.js");
	j_bool(c, "tab_coupons", 1);
	j_add(c, "coupon", cp);
	return resp_html(r, 200, "pages/coupon", c);
}

/*
 * GET /m/{merchant}/staff/coupons: the marketing console for coupon
 * templates, promo code batches and their CSV (staff sign-in on the
 * page; owners and marketing).
 */
static int
page_staff_coupons(struct req *r)
{
	return resp_html(r, 200, "pages/staff_coupons",
	    page_staff_ctx("优惠券管理", "staff_coupons.js"));
}

ROUTES(coupon_page_routes) = {
	{ M_GET, "/m/:merchant/coupons", page_coupons, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/coupons/:code", page_coupon,
	    AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/staff/coupons", page_staff_coupons, HTML },
	{ 0, NULL, NULL, 0 }
};
