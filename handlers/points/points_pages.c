/*
 * Points H5 pages: 我的积分 (balance, negative points, what expires next
 * and when, the ledger) and 积分商城 (items to exchange), and the staff
 * console for the points settings and shop items. Server-rendered;
 * static/js/points.js lists the shop and exchanges, staff_points.js runs the console.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "points.h"

#define PAGE_ENTRIES	30

/* "2026-12-31" as people write it: "2026年12月31日". */
static const char *
date_cn(struct req *r, const char *d)
{
	int y, m, dd;

	if (d == NULL || date_parse(d, &y, &m, &dd) == -1)
		return d;
	return arena_printf(r->a, "%d年%d月%d日", y, m, dd);
}

/* GET /m/{merchant}/points: 我的积分. */
static int
page_points(struct req *r)
{
	cJSON *c, *d, *e, *x, *arr;
	int st;

	if ((st = page_member_gate(r)) != 0)
		return st;
	if ((d = points_me_json(r, r->auth.member_id, 0, PAGE_ENTRIES)) ==
	    NULL)
		return r->status;
	c = page_ctx("我的积分", "page-points", "points.js");
	j_int(c, "points", cJSON_GetObjectItem(d, "points")->valueint);
	if (cJSON_GetObjectItem(d, "negative_points")->valuedouble > 0)
		j_int(c, "negative_points", (int64_t)cJSON_GetObjectItem(d,
		    "negative_points")->valuedouble);
	arr = j_arr();
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(d, "expiring")) {
		x = j_obj();
		j_int(x, "points", (int64_t)cJSON_GetObjectItem(e,
		    "points")->valuedouble);
		j_str(x, "on", date_cn(r, cJSON_GetStringValue(
		    cJSON_GetObjectItem(e, "on"))));
		j_add(arr, NULL, x);
	}
	if (cJSON_GetArraySize(arr) > 0) {
		j_add(c, "next_expiry", cJSON_Duplicate(cJSON_GetArrayItem(arr,
		    0), 1));
		j_add(c, "expiring", arr);
	}
	arr = j_arr();
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(d, "entries")) {
		int64_t p = (int64_t)cJSON_GetObjectItem(e,
		    "points")->valuedouble;
		const char *at = cJSON_GetStringValue(cJSON_GetObjectItem(e,
		    "at"));

		x = j_obj();
		j_str(x, "kind", cJSON_GetStringValue(cJSON_GetObjectItem(e,
		    "kind")));
		j_str(x, "title", cJSON_GetStringValue(cJSON_GetObjectItem(e,
		    "title")));
		j_str(x, "points", arena_printf(r->a, p > 0 ? "+%lld" : "%lld",
		    (long long)p));
		j_bool(x, "minus", p < 0);
		j_str(x, "at", at ? arena_printf(r->a, "%s %.5s",
		    date_cn(r, at), at + 11) : "");
		j_add(arr, NULL, x);
	}
	j_add(c, "entries", arr);
	return resp_html(r, 200, "pages/points", c);
}

/* GET /m/{merchant}/points-shop: 积分商城 (member or not). */
static int
page_points_shop(struct req *r)
{
	cJSON *c = page_ctx("积分商城", "page-points-shop", "points.js");

	j_bool(c, "signed_in", r->auth.kind == AUTH_KIND_MEMBER &&
	    r->auth.member_id > 0);
	return resp_html(r, 200, "pages/points_shop", c);
}

/* GET /m/{merchant}/staff/points: points settings and the shop's items. */
static int
page_staff_points(struct req *r)
{
	return resp_html(r, 200, "pages/staff_points",
	    page_staff_ctx("积分设置", "staff_points.js"));
}

ROUTES(points_page_routes) = {
	{ M_GET, "/m/:merchant/points", page_points, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/points-shop", page_points_shop,
	    AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/staff/points", page_staff_points, HTML },
	{ 0, NULL, NULL, 0 }
};
