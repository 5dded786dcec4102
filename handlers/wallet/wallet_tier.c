/*
 * The wallet's part of a tier's upgrade reward (EV_TIER_REWARDED): the
 * bonus balance and the points, each with its ledger entry, inside the
 * move's transaction.
 */
#include "app.h"
#include "tier/tier.h"
#include "wallet.h"

static int
wallet_on_tier_rewarded(struct req *r, const void *payload)
{
	const struct tier_rewarded *ev = payload;
	int st;

	if (ev->bonus_fen > 0 && (st = wallet_move(r, ev->member_id, 0,
	    ev->bonus_fen, "tier_reward", ev->ref, 0, 0)) != 0)
		return st;
	if (ev->points > 0 && (st = wallet_points_move(r, ev->member_id,
	    ev->points, 0, 0, "tier_reward", ev->ref)) != 0)
		return st;
	return 0;
}
ON_EVENT(EV_TIER_REWARDED, 10, wallet_on_tier_rewarded);
