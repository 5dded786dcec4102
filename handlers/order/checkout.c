/*
 * settings/checkout as orders read it; a merchant that never saved them
 * has the defaults of api.md (false, false, 3, {true, 100, 50, null},
 * {true, true, false}, null, 15).
 */
#include <string.h>

#include "app.h"
#include "db.h"
#include "order.h"

enum { CK_WITH_MP, CK_ONLY_BAL, CK_MAX_STACK, CK_PTS_ON, CK_PTS_RATE,
    CK_PTS_PCT, CK_PTS_MAX, CK_RET_CANCEL, CK_RET_BEFORE, CK_RET_AFTER,
    CK_APPROVAL, CK_EXPIRY, CK_NCOLS };
DB_SQL_COLS(q_checkout, CK_NCOLS,
    "SELECT tier_with_member_price, tier_only_if_balance, max_stackable,"
    " points_enabled, points_per_yuan, points_max_pct, points_max_points,"
    " return_on_cancel, return_before_complete, return_after_complete,"
    " refund_approval_over_fen, unpaid_expiry_min"
    " FROM checkout_settings WHERE merchant_id = ?");

int
checkout_cfg_load(struct req *r, struct checkout_cfg *c)
{
	struct db_res res;

	memset(c, 0, sizeof(*c));
	checkout_settings_default(&c->price);
	c->return_on_cancel = 1;
	c->return_before_complete = 1;
	c->return_after_complete = 0;
	c->refund_approval_over_fen = ORDER_NONE;
	c->unpaid_expiry_min = 15;
	if (DB(r, &q_checkout, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	c->price.tier_discount_with_member_price =
	    db_int(&res, 0, CK_WITH_MP) != 0;
	c->price.tier_discount_only_if_balance_covers =
	    db_int(&res, 0, CK_ONLY_BAL) != 0;
	c->price.max_stackable = (int)db_int(&res, 0, CK_MAX_STACK);
	c->price.points_enabled = db_int(&res, 0, CK_PTS_ON) != 0;
	c->price.points_per_yuan = db_int(&res, 0, CK_PTS_RATE);
	c->price.points_max_pct = (int)db_int(&res, 0, CK_PTS_PCT);
	c->price.points_max_points = db_isnull(&res, 0, CK_PTS_MAX) ?
	    ORDER_NONE : db_int(&res, 0, CK_PTS_MAX);
	c->return_on_cancel = db_int(&res, 0, CK_RET_CANCEL) != 0;
	c->return_before_complete = db_int(&res, 0, CK_RET_BEFORE) != 0;
	c->return_after_complete = db_int(&res, 0, CK_RET_AFTER) != 0;
	c->refund_approval_over_fen = db_isnull(&res, 0, CK_APPROVAL) ?
	    ORDER_NONE : db_int(&res, 0, CK_APPROVAL);
	c->unpaid_expiry_min = (int)db_int(&res, 0, CK_EXPIRY);
	return 0;
}
