/*
 * Pure rules of count cards (次卡), reached by the unit tests: a card's
 * status at a time, its expiry from the product's validity, the
 * merchant's day, what a refund of its uses may take. No request, no
 * database, no clock. Part of card.h.
 */
#ifndef CARD_RULES_H
#define CARD_RULES_H
#include <stdint.h>

/*
 * The status of a card at now, always current (no job):
 * "used_up" when no use is left and none was refunded, "refunded" when
 * none is left and some were refunded, "expired" when uses are left but
 * now is past expires_at (the last second it may be used), else "active".
 */
const char *count_card_status(int64_t uses_left, int64_t refunded_uses,
	    int64_t expires_at, int64_t now);
/* The same for people: "可使用", "已用完", "已过期", "已退款". */
const char *count_card_status_cn(const char *status);

/*
 * The last second a card sold at now may be used, in the merchant's zone
 * tz_off: validity by days: the end of the local day days - 1 after the
 * day of the sale (30 days: the day of the sale and 29 more); until: the
 * end of that day as given (until_end).
 */
int64_t	 count_card_expires(int by_days, int64_t days, int64_t until_end,
	    int64_t now, long tz_off);

/* The merchant's local day (days since 1970-01-01) of a time. */
int64_t	 count_card_day(int64_t t, long tz_off);

/*
 * A refund of asked uses of a card with uses_left left: 0 when it may
 * take them, CC_REFUND_USED_UP when nothing is left to refund (used up,
 * or refunded already), CC_REFUND_EXCEEDS when it asks more than is left.
 */
enum { CC_REFUND_OK = 0, CC_REFUND_USED_UP, CC_REFUND_EXCEEDS };
int	 count_card_refund_check(int64_t asked, int64_t uses_left);

/*
 * What a refund of k uses gives back of a line that paid paid_fen for
 * total uses, after done uses were refunded before: each use holds
 * paid_fen / total, the odd fen one each to the first uses, so any run
 * of uses holds its share and the last refund (done + k == total) takes
 * all that is left. The order's refund (order_refund_rules.c) spreads
 * every tender of the line over its uses the same way; this is the sum.
 */
int64_t	 count_card_refund_fen(int64_t paid_fen, int64_t total,
	    int64_t done, int64_t k);

#endif
