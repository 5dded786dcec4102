/*
 * Member H5 pages: home (sign in, join, or the card), join. Server-rendered;
 * the small scripts in static/js/member.js call the same API a
 * mini-program calls.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "member.h"
#include "page.h"

cJSON *
page_ctx(const char *title, const char *body_class, const char *script)
{
	cJSON *c = j_obj(), *s = j_arr();

	j_str(c, "title", title);
	j_str(c, "body_class", body_class);
	cJSON_AddItemToArray(s, cJSON_CreateString(script));
	j_add(c, "scripts", s);
	return c;
}

cJSON *
page_staff_ctx(const char *title, const char *script)
{
	cJSON *c = page_ctx(title, "page-staff", "staff.js");

	cJSON_AddItemToArray(cJSON_GetObjectItem(c, "scripts"),
	    cJSON_CreateString(script));
	return c;
}

const char *
page_yuan(struct req *r, int64_t fen)
{
	int64_t a = fen < 0 ? -fen : fen;

	return arena_printf(r->a, "%s%lld.%02lld", fen < 0 ? "-" : "",
	    (long long)(a / 100), (long long)(a % 100));
}

/*
 * Where to go after signing in or joining: a path of this merchant's
 * pages given as ?next= (nothing else, so no open redirect), or home.
 */
static const char *
next_url(struct req *r)
{
	const char *n = req_query(r, "next");
	const char *home = arena_printf(r->a, "/m/%s/", r->m->code);
	size_t i;

	if (n == NULL)	/* this page, unless it is the join page */
		n = strcmp(r->path + strlen(home) - 1, "/join") == 0 ?
		    home : r->path;
	if (strncmp(n, home, strlen(home)) != 0 || strlen(n) > 200)
		return home;
	for (i = 0; n[i]; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') ||
		    (n[i] >= 'A' && n[i] <= 'Z') ||
		    (n[i] >= '0' && n[i] <= '9') || n[i] == '/' ||
		    n[i] == '-' || n[i] == '_'))
			return home;
	return n;
}

/*
 * Query values a page passes on to the join call, validated by the API;
 * a referral link leaves its code in the ref cookie.
 */
static void
add_join_query(struct req *r, cJSON *c)
{
	const char *ch = req_query(r, "channel"), *ref = req_query(r, "ref");

	if (ref == NULL)
		ref = req_cookie(r, "ref", 0);
	if (ch != NULL && strlen(ch) <= 64)
		j_str(c, "channel", ch);
	if (ref != NULL && strlen(ref) <= 64)
		j_str(c, "ref", ref);
	j_str(c, "next_url", next_url(r));
}

int
page_signin(struct req *r)
{
	cJSON *c = page_ctx("登录", "page-signin", "member.js");

	add_join_query(r, c);
	return resp_html(r, 200, "pages/signin", c);
}

int
page_member_gate(struct req *r)
{
	if (r->auth.kind != AUTH_KIND_MEMBER)
		return page_signin(r);
	if (r->auth.member_id == 0)
		return resp_redirect(r, 302, arena_printf(r->a,
		    "/m/%s/join?next=%s", r->m->code, r->path));
	return 0;
}

/*
 * GET /m/{merchant}/: the member's card with tier progress, balance and
 * coupons; sign-in when there is no session; to join when signed in but
 * not a member yet.
 */
static int
page_home(struct req *r)
{
	cJSON *c, *card, *next, *bal;
	int64_t growth, needed, total;

	if (r->auth.kind != AUTH_KIND_MEMBER)
		return page_signin(r);
	if (r->auth.member_id == 0)
		return resp_redirect(r, 302, arena_printf(r->a,
		    "/m/%s/join%s%s", r->m->code, *r->query ? "?" : "",
		    r->query));
	if ((card = card_build(r, r->auth.member_id)) == NULL)
		return r->status;
	c = page_ctx(cJSON_GetObjectItem(card, "card_name")->valuestring,
	    "page-home", "member.js");
	j_bool(c, "tab_home", 1);
	growth = (int64_t)cJSON_GetObjectItem(card, "growth")->valuedouble;
	next = cJSON_GetObjectItem(card, "next_tier");
	if (cJSON_IsObject(next)) {
		int64_t at = (int64_t)cJSON_GetObjectItem(next, "growth")
		    ->valuedouble;

		needed = (int64_t)cJSON_GetObjectItem(next, "growth_needed")
		    ->valuedouble;
		j_int(c, "progress_pct", at > 0 ? growth * 100 / at : 100);
		j_int(c, "growth_needed", needed);
	} else
		j_int(c, "progress_pct", 100);
	bal = cJSON_GetObjectItem(card, "balance");
	total = (int64_t)cJSON_GetObjectItem(bal, "total_fen")->valuedouble;
	j_str(c, "balance_yuan", page_yuan(r, total));
	j_str(c, "principal_yuan", page_yuan(r, (int64_t)cJSON_GetObjectItem(bal,
	    "principal_fen")->valuedouble));
	j_str(c, "bonus_yuan", page_yuan(r, (int64_t)cJSON_GetObjectItem(bal,
	    "bonus_fen")->valuedouble));
	j_add(c, "card", card);
	j_add(c, "member", member_get_json(r, r->auth.member_id));
	return resp_html(r, 200, "pages/home", c);
}

/* GET /m/{merchant}/join: the join form (sign-in first when needed). */
static int
page_join(struct req *r)
{
	cJSON *c;

	if (r->auth.kind != AUTH_KIND_MEMBER)
		return page_signin(r);
	if (r->auth.member_id != 0)
		return resp_redirect(r, 302, next_url(r));
	c = page_ctx("加入会员", "page-join", "member.js");
	add_join_query(r, c);
	return resp_html(r, 200, "pages/join", c);
}

ROUTES(page_routes) = {
	{ M_GET, "/m/:merchant/", page_home, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/join", page_join, AUTH_OPTIONAL | HTML },
	{ 0, NULL, NULL, 0 }
};
