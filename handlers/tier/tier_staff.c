/*
 * The dry run of a tier rule change for staff: POST
 * settings/tiers/preview with the body settings/tiers would take.
 */
#include <stdlib.h>

#include "app.h"
#include "tier.h"

/*
 * In: the PUT's body ({tiers:[{level, name, growth, keep_growth?,
 * upgrade_rewards?}], growth_rules?, downgrade?}). Out: {moves_up,
 * moves_down, rewards:{coupons, bonus_fen, points}, sample:[{member_id,
 * card_no, growth, from_level, to_level, to_name, reason}]}: what the
 * daily review would do today under these rules. Writes nothing.
 * Errors: invalid_field naming the field.
 */
static int
tiers_preview(struct req *r)
{
	struct tier_terms_in *in = arena_calloc(r->a, 1, sizeof(*in));
	cJSON *arr, *o, *d;
	int64_t prev = -1, g;
	int n = 0, st;

	if (req_json_body(r) == -1)
		return r->status;
	arr = json_member(r->json, "tiers");
	if (arr == NULL)
		return resp_bad_field(r, "tiers", "缺少必填项");
	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1 ||
	    cJSON_GetArraySize(arr) > 7)
		return resp_bad_field(r, "tiers", "应为 1 到 7 个等级");
	for (o = arr->child; o != NULL; o = o->next, n++) {
		const char *f = arena_printf(r->a, "tiers[%d].growth", n);

		if (!cJSON_IsObject(o))
			return resp_bad_field(r, arena_printf(r->a,
			    "tiers[%d]", n), "应为对象");
		if (req_obj_int(r, o, "growth", f, 1, 0,
		    INT64_C(1000000000000), &g) == -1)
			return r->status;
		if (n == 0 && g != 0)
			return resp_bad_field(r, f, "第 1 级的成长值门槛应为 0");
		if (n > 0 && g <= prev)
			return resp_bad_field(r, f, "成长值门槛应逐级升高");
		prev = g;
	}
	if ((st = tier_terms_arg(r, r->json, n, in)) != 0)
		return st;
	if ((d = tier_preview(r, in, time_now())) == NULL)
		return r->status;
	return resp_data(r, 200, d);
}

ROUTES(tier_staff_routes) = {
	{ M_POST, "/api/v1/m/:merchant/staff/settings/tiers/preview",
	    tiers_preview, AUTH_STAFF | ROLE_MARKETING | CSRF },
	{ 0, NULL, NULL, 0 }
};
