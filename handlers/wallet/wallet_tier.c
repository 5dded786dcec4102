/*
 * The wallet's part of a tier's upgrade reward (EV_TIER_REWARDED): the
 * bonus balance with its ledger entry, inside the move's transaction (the
 * points are the points ledger's: points/points.c).
 */
#include "app.h"
#include "tier/tier.h"
#include "wallet.h"

static int
wallet_on_tier_rewarded(struct req *r, const void *payload)
{
	const struct tier_rewarded *ev = payload;

	return ev->bonus_fen > 0 ? wallet_move(r, ev->member_id, 0,
	    ev->bonus_fen, "tier_reward", ev->ref, 0, 0) : 0;
}
ON_EVENT(EV_TIER_REWARDED, 10, wallet_on_tier_rewarded);
