/*
 * Member H5 pages: home (sign in, join, or the card), join. Server-rendered;
 * the small scripts in static/js/member.js call the same API a
 * mini-program calls.
 */
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "member.h"

/*
 * GET /m/{merchant}/: the member's card with tier progress, balance and
 * coupons; sign-in when there is no session; to join when signed in but
 * not a member yet.
 */
/* What the card page says of keeping the tier (card.keep_tier). */
static void
page_keep_tier(struct req *r, cJSON *c, cJSON *card)
{
	cJSON *k = cJSON_GetObjectItem(card, "keep_tier"), *tier;
	const char *name = "当前等级", *mode;
	int64_t keep, earned, needed, pct;

	if (!cJSON_IsObject(k))
		return;
	tier = cJSON_GetObjectItem(card, "tier");
	if (cJSON_IsString(cJSON_GetObjectItem(tier, "name")))
		name = cJSON_GetObjectItem(tier, "name")->valuestring;
	mode = cJSON_GetObjectItem(k, "mode")->valuestring;
	keep = (int64_t)cJSON_GetObjectItem(k, "keep_growth")->valuedouble;
	earned = (int64_t)cJSON_GetObjectItem(k, "earned")->valuedouble;
	needed = (int64_t)cJSON_GetObjectItem(k, "needed")->valuedouble;
	pct = keep > 0 ? earned * 100 / keep : 100;
	j_int(c, "keep_pct", pct < 0 ? 0 : pct > 100 ? 100 : pct);
	j_str(c, "keep_title", strcmp(mode, "rolling") == 0 ?
	    arena_printf(r->a, "近 %lld 个月成长值", (long long)
	    cJSON_GetObjectItem(k, "window_months")->valuedouble) :
	    "本期成长值");
	j_str(c, "keep_text", needed > 0 ? arena_printf(r->a,
	    "%s前再获得 %lld 成长值即可保持%s",
	    cJSON_GetObjectItem(k, "by_text")->valuestring,
	    (long long)needed, name) : arena_printf(r->a,
	    "已达保级条件，%s起续享%s",
	    cJSON_GetObjectItem(k, "by_text")->valuestring, name));
}

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
	page_keep_tier(r, c, card);
	bal = cJSON_GetObjectItem(card, "balance");
	total = (int64_t)cJSON_GetObjectItem(bal, "total_fen")->valuedouble;
	j_str(c, "balance_yuan", page_yuan(r, total));
	j_str(c, "principal_yuan", page_yuan(r, (int64_t)cJSON_GetObjectItem(bal,
	    "principal_fen")->valuedouble));
	j_str(c, "bonus_yuan", page_yuan(r, (int64_t)cJSON_GetObjectItem(bal,
	    "bonus_fen")->valuedouble));
	j_add(c, "card", card);
	j_add(c, "member", member_get_json(r, r->auth.member_id, NULL));
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
		return resp_redirect(r, 302, page_next_url(r));
	c = page_ctx("加入会员", "page-join", "member.js");
	page_join_query(r, c);
	return resp_html(r, 200, "pages/join", c);
}

ROUTES(page_routes) = {
	{ M_GET, "/m/:merchant/", page_home, AUTH_OPTIONAL | HTML },
	{ M_GET, "/m/:merchant/join", page_join, AUTH_OPTIONAL | HTML },
	{ 0, NULL, NULL, 0 }
};
