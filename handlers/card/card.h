/*
 * card: count cards (次卡) of members. Floor 5½, above the orders that
 * sell them and below growth: a card is issued in the transaction that
 * pays the order selling it (EV_ORDER_PAID at 30: one card a line, qty x
 * the product's uses, its terms copied from the product, catalog/), and a
 * refund of that line takes the refunded uses off it (EV_ORDER_REFUNDED
 * at 30; the money is the order's refund, by the use). A use at the
 * counter names the member's ticket and takes uses by one conditional
 * update; the last use of a day may be reversed that day.
 *
 *	card.c		issuing and refunding (the events), the member's
 *			cards as JSON, the member list's filter
 *	card_rules.c	pure: status, expiry, the merchant's day, refunds
 *	card_staff.c	routes only: uses and reversals, the counter's list
 *	card_api.c	routes only: the member's cards and their uses
 *	card_pages.c	routes only: the H5 page 我的次卡
 *
 * Conventions: as fcgi/app.h says.
 */
#ifndef CARD_H
#define CARD_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "card_rules.h"

struct req;

/* Columns of a card, as count_card_json() reads them (table cc). */
#define COUNT_CARD_COLS \
	"cc.id, cc.member_id, cc.product_id, cc.order_id, cc.name," \
	" cc.uses_total, cc.uses_left, cc.refunded_uses, cc.product_ids," \
	" cc.store_ids, cc.expires_at, cc.created_at"
enum { CCC_ID, CCC_MEMBER, CCC_PRODUCT, CCC_ORDER, CCC_NAME, CCC_TOTAL,
    CCC_LEFT, CCC_REFUNDED, CCC_PRODUCTS, CCC_STORES, CCC_EXPIRES,
    CCC_CREATED, CCC_NCOLS };
struct db_res;

/* Row i of res (COUNT_CARD_COLS first) as the API shows a card: {id,
   name, uses_total, uses_left, uses_used, refunded_uses, expires_at,
   status, status_text, product_ids, store_ids, order_id, created_at}. */
cJSON	*count_card_json(struct req *, const struct db_res *, int i,
	    int64_t now);
/*
 * The member's cards, newest first (at most 100): store_id > 0 adds
 * usable_here (the card's stores take it there). NULL with the status.
 */
cJSON	*count_cards_of_member(struct req *, int64_t member_id,
	    int64_t store_id);

/*
 * The member list's filter ?count_cards=active|expired|used_up|expiring
 * &expiring_days=N (1..365, default 7; only with expiring): members with
 * at least one card in that state now. COUNT_CARD_ML_SQL is its
 * condition on members mb (a scalar subquery, LIMIT 1, on the cards'
 * (merchant_id, member_id, uses_left, expires_at) index: the member's own
 * cards only; as an EXISTS, MariaDB could materialize every card of the
 * state, whose rows counted against the list's ROWS EXAMINED),
 * COUNT_CARD_ML_BINDS(f) its values in order; off when the query names
 * none.
 */
struct count_card_filter {
	int		 on;
	int64_t		 left_min, left_max, ref_min, ref_max;
	char		 exp_from[20], exp_to[20];
};
int	 count_card_filter_parse(struct req *, struct count_card_filter *);
#define COUNT_CARD_ML_SQL \
	" AND (? IS NULL OR (SELECT 1 FROM count_cards cc FORCE INDEX (ix_cc_member)" \
	" WHERE cc.merchant_id = mb.merchant_id AND cc.member_id = mb.id" \
	" AND cc.uses_left BETWEEN ? AND ? AND cc.expires_at >= ?" \
	" AND cc.expires_at < ? AND cc.refunded_uses BETWEEN ? AND ?" \
	" LIMIT 1) IS NOT NULL)"
#define COUNT_CARD_ML_BINDS(f) \
	DBIN(1, (f)->on), DBI((f)->left_min), DBI((f)->left_max), \
	DBS((f)->exp_from), DBS((f)->exp_to), DBI((f)->ref_min), \
	DBI((f)->ref_max)

#endif
