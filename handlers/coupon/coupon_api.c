/*
 * The coupon centre and the claim, whose ?campaign= and "campaign" narrow
 * them to a live campaign's coupons (routes only: growth/ knows campaigns).
 */
#include "app.h"
#include "coupon.h"
#include "growth/growth.h"

#define CBASE	"/api/v1/m/:merchant"

/*
 * Claim one coupon of a template for the signed-in member.
 * In: {template_id, campaign?}. Out: 201 {coupon}. Errors: not_found,
 * out_of_stock, limit_reached, not_started, ended, not_eligible.
 * Writes: coupon_claims, coupons, coupon_templates.stock_left.
 */
static int
coupon_claim(struct req *r)
{
	const char *campaign = NULL, *channel = "claim";
	int64_t ids[CAMPAIGN_MAX], tpl;
	int st, n, i, in_campaign = 0;
	cJSON *d, *coupon;

	if (req_json_body(r) == -1 ||
	    req_json_int(r, "template_id", 1, 1, INT64_MAX, &tpl) == -1 ||
	    req_json_str(r, "campaign", 0, 1, 64, &campaign) == -1)
		return r->status;
	if (campaign != NULL) {
		if (!campaign_slug_ok(campaign))
			return resp_bad_field(r, "campaign", "活动标识无效");
		if ((st = campaign_template_ids(r, campaign, ids, CAMPAIGN_MAX,
		    &n)) != 0)
			return st;
		for (i = 0; i < n; i++)
			if (ids[i] == tpl)
				in_campaign = 1;
		if (!in_campaign)
			return resp_err(r, 403, "not_eligible",
			    "该优惠券不属于此活动", "template_id");
		channel = arena_printf(r->a, "campaign:%s", campaign);
	}
	if ((st = coupon_claim_run(r, tpl, channel, in_campaign,
	    &coupon)) != 0)
		return st;
	d = j_obj();
	j_add(d, "coupon", coupon);
	return resp_data(r, 201, d);
}

/*
 * The claimable templates (coupon centre), newest first, with the
 * signed-in member's own state when there is one.
 * In: ?cursor, ?limit (pages of the centre), or ?campaign=slug (that
 * campaign's coupons, whole, in its order). Out: [{id, name, kind,
 * threshold_fen, value_fen, discount_pct, max_discount_fen, gift_item,
 * summary, validity, per_member_limit, stock, stock_left, claimed_by_me,
 * claimable, reason, reason_text, ...}]. Errors: invalid_field,
 * not_found (campaign). Writes nothing.
 */
static int
coupon_centre(struct req *r)
{
	const char *campaign = req_query(r, "campaign");
	int64_t limit, cursor, next, ids[CAMPAIGN_MAX];
	int st, n = 0;
	cJSON *arr;

	if (campaign != NULL && *campaign == '\0')
		campaign = NULL;
	if (campaign != NULL && !campaign_slug_ok(campaign))
		return resp_bad_field(r, "campaign", "活动标识无效");
	if (req_page(r, &limit, &cursor) == -1)
		return r->status;
	if (campaign != NULL && (st = campaign_template_ids(r, campaign, ids,
	    CAMPAIGN_MAX, &n)) != 0)
		return st;
	arr = coupon_centre_json(r, r->auth.kind == AUTH_KIND_MEMBER ?
	    r->auth.member_id : 0, campaign != NULL ? ids : NULL, n, cursor,
	    limit, &next);
	if (arr == NULL)
		return r->status;
	return resp_list(r, arr, next);
}

ROUTES(coupon_api_routes) = {
	{ M_GET, CBASE "/coupon-templates", coupon_centre, AUTH_OPTIONAL },
	{ M_POST, CBASE "/coupons", coupon_claim, AUTH_MEMBER | IDEMPOTENT },
	{ 0, NULL, NULL, 0 }
};
