/*
 * The privileges by date in a quote: the readable name of the adjustment
 * a privilege made ("会员日 9折"), and the quote's privileges list, each
 * rule on for this order with whether it applied and why not, and the
 * points multiplier in earn.
 */
#include <string.h>

#include "app.h"
#include "order.h"
#include "order_db.h"
#include "tier/tier.h"

static const char *const kind_keys[PRIV_NKINDS] = {
	"birthday", "member_day", "holiday"
};

static const char *
reason_cn(const char *why)
{
	if (why == NULL || strcmp(why, "applied") == 0)
		return "本单已享";
	if (strcmp(why, "lower_priority") == 0)
		return "按商户规则，同时满足时只享优先的一项";
	return "同时满足时只享对您最优惠的一项";
}

/* "会员日 9折" / "生日特权 积分2倍". */
static const char *
priv_label(struct req *r, const struct priv_rule *p)
{
	const char *what = "";

	if (p->discount_pct != PRIV_NONE)
		what = privilege_pct_cn(r, p->discount_pct);
	if (p->mult_pct != 100)
		what = arena_printf(r->a, "%s%s%s", what, what[0] ? " · " : "",
		    privilege_mult_cn(r, p->mult_pct));
	return arena_printf(r->a, "%s %s", p->name, what);
}

const char *
order_priv_adj_name(struct req *r, const struct order_in *in,
    const struct priced *o, int i)
{
	int k;

	if (i < 0 || i >= o->nadj || o->adj[i].kind < ADJ_BIRTHDAY ||
	    o->adj[i].kind > ADJ_HOLIDAY)
		return NULL;
	for (k = 0; k < o->npriv; k++)
		if (o->priv[k].applied)
			return priv_label(r, &in->priv.rules[o->priv[k].rule]);
	return NULL;
}

void
order_priv_json(struct req *r, const struct order_in *in,
    const struct priced *o, cJSON *d)
{
	cJSON *arr = j_arr(), *earn;
	int k;

	for (k = 0; k < o->npriv; k++) {
		const struct priced_priv *pp = &o->priv[k];
		const struct priv_rule *p = &in->priv.rules[pp->rule];
		cJSON *x = j_obj();

		j_str(x, "kind", kind_keys[p->kind]);
		j_str(x, "name", p->name);
		j_str(x, "label", priv_label(r, p));
		j_str(x, "desc", privilege_desc(r, p));
		j_bool(x, "applied", pp->applied);
		j_str(x, "reason", pp->reason);
		j_str(x, "reason_text", reason_cn(pp->reason));
		if (p->discount_pct != PRIV_NONE)
			j_int(x, "discount_pct", p->discount_pct);
		else
			j_null(x, "discount_pct");
		cJSON_AddNumberToObject(x, "points_multiplier",
		    (double)p->mult_pct / 100);
		j_int(x, "discount_fen", pp->discount_fen);
		j_int(x, "extra_points", pp->extra_points);
		j_add(arr, NULL, x);
	}
	j_add(d, "privileges", arr);
	earn = cJSON_GetObjectItem(d, "earn");
	if (earn == NULL || o->priv_mult_pct == 100)
		return;
	cJSON_AddNumberToObject(earn, "privilege_multiplier",
	    (double)o->priv_mult_pct / 100);
	for (k = 0; k < o->npriv; k++)
		if (o->priv[k].applied && o->priv_mult_pct != 100)
			j_str(earn, "privilege",
			    in->priv.rules[o->priv[k].rule].name);
}
