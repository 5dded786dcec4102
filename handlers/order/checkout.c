/*
 * settings/checkout as orders read it; a merchant that never saved them
 * has the defaults of api.md (false, false, 3, {true, 100, 50, null},
 * {true, true, false}, null, 15).
 */
#include <string.h>

#include "app.h"
#include "db.h"
#include "order.h"
#include "order_db.h"

DB_SQL_COLS(q_checkout, CK_NCOLS,
    "SELECT " CHECKOUT_COLS " FROM checkout_settings ck"
    " WHERE ck.merchant_id = ?");
DB_SQL_COLS(q_order_settings, OS_NCOLS, ORDER_SETTINGS_SQL);

void
checkout_cfg_from_row(const struct db_res *res, int row, int col,
    struct checkout_cfg *c)
{
	memset(c, 0, sizeof(*c));
	checkout_settings_default(&c->price);
	c->return_on_cancel = 1;
	c->return_before_complete = 1;
	c->return_after_complete = 0;
	c->refund_approval_over_fen = ORDER_NONE;
	c->unpaid_expiry_min = 15;
	if (res == NULL || db_isnull(res, row, col + CK_MERCHANT))
		return;
	c->price.tier_discount_with_member_price =
	    db_int(res, row, col + CK_WITH_MP) != 0;
	c->price.tier_discount_only_if_balance_covers =
	    db_int(res, row, col + CK_ONLY_BAL) != 0;
	c->price.max_stackable = (int)db_int(res, row, col + CK_MAX_STACK);
	c->price.points_enabled = db_int(res, row, col + CK_PTS_ON) != 0;
	c->price.points_per_yuan = db_int(res, row, col + CK_PTS_RATE);
	c->price.points_max_pct = (int)db_int(res, row, col + CK_PTS_PCT);
	c->price.points_max_points = db_isnull(res, row, col + CK_PTS_MAX) ?
	    ORDER_NONE : db_int(res, row, col + CK_PTS_MAX);
	c->return_on_cancel = db_int(res, row, col + CK_RET_CANCEL) != 0;
	c->return_before_complete = db_int(res, row, col + CK_RET_BEFORE) != 0;
	c->return_after_complete = db_int(res, row, col + CK_RET_AFTER) != 0;
	c->refund_approval_over_fen = db_isnull(res, row, col + CK_APPROVAL) ?
	    ORDER_NONE : db_int(res, row, col + CK_APPROVAL);
	c->unpaid_expiry_min = (int)db_int(res, row, col + CK_EXPIRY);
}

int
checkout_cfg_load(struct req *r, struct checkout_cfg *c)
{
	struct db_res res;

	if (DB(r, &q_checkout, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	checkout_cfg_from_row(res.nrows ? &res : NULL, 0, 0, c);
	return 0;
}

int
order_settings_load(struct req *r, struct checkout_cfg *ck,
    struct wallet_cfg *wc, struct priv_cfg *priv)
{
	struct db_res res;
	int st;

	if (DB(r, &q_order_settings, &res, DBI(r->m->id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	checkout_cfg_from_row(&res, 0, OS_CK, ck);
	if ((st = wallet_cfg_from_row(r, &res, 0, OS_WS, wc)) != 0)
		return st;
	priv_cfg_init(priv);
	privilege_cfg_from_text(r, db_str(&res, 0, OS_PRIV), priv);
	return 0;
}
