/*
 * What every H5 page shares: its context, yuan, where to go after signing
 * in, and the sign-in gate of members' pages (see core.h).
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core.h"

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
const char *
page_next_url(struct req *r)
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
void
page_join_query(struct req *r, cJSON *c)
{
	const char *ch = req_query(r, "channel"), *ref = req_query(r, "ref");

	if (ref == NULL)
		ref = req_cookie(r, "ref", 0);
	if (ch != NULL && strlen(ch) <= 64)
		j_str(c, "channel", ch);
	if (ref != NULL && strlen(ref) <= 64)
		j_str(c, "ref", ref);
	j_str(c, "next_url", page_next_url(r));
}

int
page_signin(struct req *r)
{
	cJSON *c = page_ctx("登录", "page-signin", "member.js");

	page_join_query(r, c);
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

int
json_time_field(struct req *r, const char *name, int required,
    const char **out)
{
	const char *s;
	int64_t t;
	char *sql;
	int rc;

	*out = NULL;
	if ((rc = req_json_str(r, name, required, 1, 40, &s)) != 0)
		return rc;
	if (time_parse(s, tz_offset(r->m->tz), 0, &t) == -1) {
		resp_bad_field(r, name,
		    "应为带时区的时间，如 2026-12-01T10:00:00+08:00");
		return -1;
	}
	sql = arena_alloc(r->a, 20);
	time_sql(t, sql);
	*out = sql;
	return 0;
}
