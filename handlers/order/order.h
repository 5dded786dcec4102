/*
 * order: the pricing engine of orders and the pure rules of their refunds
 * (order_rules.c, order_refund_rules.c). No request, no database, no
 * clock: the caller reads everything (catalogue prices, the member, the
 * card, the coupons, the settings, the balance) and passes it in; time is
 * an argument. Nothing is allocated: fixed maximums, input beyond them is
 * refused. Every amount is integer fen. Includes the wallet and coupon
 * public headers.
 *
 * price_order(in, now, out) fills a quote (api.md, Orders). The steps, in
 * this order, each one adjustment with the next sequence number:
 *
 *  1. member_price: each product line with a member unit price below its
 *     list price pays the member price; one adjustment for the order
 *     (base: the list of those lines), each line's share exactly its own
 *     (unit - member unit) x qty. A member price at or above the list
 *     price is no member price.
 *  2. tier_discount: the tier's discount_pct ("pay that percent") on the
 *     net of the lines without a member price, or of every line when
 *     tier_discount_with_member_price; discount = base x (100 - pct) / 100
 *     rounded down (as coupon_discount does).
 *  2b. the privilege by date (settings/privileges, tier/privilege_rules.h):
 *     of the rules on for the member on the merchant's local day (now +
 *     tz_off), one applies: with by_priority the first by rank (then the
 *     first holiday listed), else the best for the member, the most fen
 *     its discount takes plus its extra points at the points-to-cash rate
 *     (ties: by rank). Its discount_pct ("pay that percent") applies to
 *     the net of every line after the tier discount (base x (100 - pct) /
 *     100 rounded down), one adjustment of kind birthday, member_day or
 *     holiday (ref "birthday", "member_day", "holiday:<i>"); its points
 *     multiplier (priv_mult_pct) multiplies the tier's in the earn. Every
 *     rule on is in priv[], the others with reason "not_best" or
 *     "lower_priority". Only for a member whose card applies.
 *  3. coupons, one adjustment each (ref: the code), in a fixed order:
 *     product-scoped coupons (nscope > 0; base: the net of the lines whose
 *     product is in the scope), then order coupons (base: the order's net),
 *     then promo-code coupons; within a step threshold (满减), percent
 *     (with its cap), instant, promo, gift; then by code. Each computes by
 *     coupon_discount() on its base as it stands after the steps before it
 *     (so a 满减 threshold is measured on the eligible subtotal after member
 *     prices, the tier discount and earlier coupons). An instant coupon
 *     larger than its base gives the base. A gift coupon adds its gift line
 *     (qty 1, price 0, name the gift item) and an adjustment of 0.
 *  4. points: points to cash, points_per_yuan points a yuan, at most
 *     max_pct % of total_fen (rounded down), max_points, the points offered
 *     and the member's points; points_fen is the most whole fen those
 *     points buy and points_used the fewest points that buy it (rounded
 *     up). A tender, not a discount: the adjustment shows each line's share
 *     but discount_fen and net_fen leave it out.
 *  5. the balance (use_balance and a member): deduction_compute() on
 *     total_fen - points_fen under the merchant's deduction rules.
 *  6. counter tenders, in the order given: each takes what it names (or,
 *     with no amount, all still due) up to what is due; what a tender
 *     gives beyond is change_fen, what none covers is uncovered_fen.
 *
 * Allocation (分摊): every adjustment but member_price, and every tender,
 * is split across the lines it applies to in proportion to their net at
 * that point (for tenders: what of the net is still unpaid), in whole fen
 * by the largest remainder (ties to the earlier line): the parts add up to
 * the amount exactly and no line goes below zero. Each line ends with
 * list_fen = unit x qty, its share of each adjustment (alloc[], index =
 * seq - 1), net_fen = list_fen - its discount shares, and its share of
 * each tender (tender[]); line nets add up to total_fen.
 *
 * The card: a member whose card has expired (card_valid_until < now) or
 * does not cover the store (card_store_ids, as coupon_store_allowed reads
 * it) is priced as a non-member: no member prices, no tier discount, and
 * nothing earned; member_reason says "card_expired" or
 * "card_store_not_allowed". What is the member's own stays usable: the
 * coupons (each under its own store scope), points and balance.
 *
 * tier_discount_only_if_balance_covers: the order is priced with the tier
 * discount; when the balance does not then pay all of total_fen -
 * points_fen, it is priced again without it (coupons chosen again) and
 * tier_reason says "balance_not_covering".
 *
 * Stacking: an order takes either one non-stackable coupon alone (a
 * non-stackable coupon excludes every other, as WeChat and Youzan do), or
 * 1..max_stackable stackable ones (below 1 counts as 1).
 *
 * Coupons named (ncodes >= 0): exactly those, in the order named. A code
 * not offered is skipped "not_found", a repeated one "duplicate"; one
 * whose status, window, store, audience or product scope fails is skipped
 * with that reason ("used", "cancelled", "not_started", "expired",
 * "store_not_allowed", "not_eligible"); the rest are taken in the order
 * named while stacking allows ("not_stackable", "limit_exceeded" after
 * max_stackable). Then they are applied in the fixed order; one that does
 * not hold at its step ("threshold_not_met", or "no_discount" when it
 * would take nothing off) is skipped and the choice is made again without
 * it, until every coupon taken holds.
 *
 * Coupons not named (ncodes == -1): the engine proposes the usable set
 * with the largest total coupon discount under the stacking rules,
 * searched exhaustively (every single non-stackable coupon, every set of
 * up to max_stackable stackable ones: at most 2^16 sets, no allocation;
 * a set that fails at a step is dropped with every set it starts, and a
 * branch that cannot beat the best so far is cut, since no coupon takes
 * more off later than it takes alone first). Ties: fewer
 * coupons, then the set whose expiries, sorted, are earlier at the first
 * difference, then the set whose codes, sorted, come first. Gift coupons
 * are used only when named. Every offered coupon left out is in skipped
 * with why: its own reason, "threshold_not_met"/"no_discount" when it
 * fails alone, "not_stackable" or "limit_exceeded" against the chosen set,
 * else "not_best". ncodes == 0: no coupon, nothing skipped.
 *
 * Earn: growth = wallet_growth(money) and points = wallet_points(money,
 * earn_points_per_yuan, mult_pct), money = total_fen - points_fen: what
 * the member pays with money, the balance included (principal and bonus,
 * as a balance payment earns today), the part paid with points not.
 * Nothing is earned without a member or when the card does not apply.
 *
 * The quote hash input (order_hash_input): a canonical byte string of the
 * whole input but the time and the counter tenders (every line, the
 * member, card and wallet, the settings and deduction rules, each coupon
 * offered with its terms, status, window, scope and audience, the codes,
 * points, balance) followed by the whole quote it gave but what the
 * counter tenders decide (it holds every decision the time made: the
 * card's reason, each coupon taken or skipped and why). Two quotes of the
 * same input at times that decide nothing differently give the same
 * bytes, and so do two that differ only in how the rest is paid (cash,
 * card, online): a quote made before the cashier types the cash received
 * stays good.
 *
 * Refunds (refund_compute), given the priced order, the refunds made
 * before (as refund_compute gave them) and a request:
 *  - by lines and quantities: each line's parts of every tender and of
 *    every adjustment are laid out over its units, unit by unit, each
 *    part's fen spread over the units with the odd fen going to
 *    consecutive units (a part's odd fen start where the previous part's
 *    ended), so that units differ by at most one fen and any run of units
 *    holds each part pro rata; refunding units R..R+q-1 gives back what
 *    those units hold (at most what the line has left in each tender), and
 *    the refund that takes the line's last unit gives back all it has left.
 *  - by amount: money only (balance, cash, card, online; not points, not
 *    discounts: the goods stay with the customer): split across the lines
 *    by what each has left of money, then within a line across its tenders
 *    by what is left in each, both by the largest remainder.
 *  - neither: every unit not yet refunded (the rest of the order).
 * Every refund is pro rata with the largest remainder or exact unit runs,
 * never more than is left per tender, and the last one closes the order
 * exactly. Points come back as points_used x points fen refunded /
 * points_fen, counted over all refunds (so the last gives back the rest);
 * earned points and growth are taken back by wallet_keep() over the money
 * refunded so far, as a balance refund does.
 *
 * A threshold coupon whose threshold no longer holds after a partial
 * refund (Youzan 按分摊退款, Shopify): nothing is re-priced or clawed back.
 * The discount stays allocated as it was: each refunded unit gives back
 * its net (its list less its share of every discount), the lines kept
 * keep their shares, and the coupon comes back only when every unit of
 * the order is refunded (all_lines; the checkout setting coupon_return
 * then decides).
 *
 * Conventions: price_order and refund_compute return 0, or -1 with
 * err_code ("invalid_field", or for refunds "refund_exceeds_paid",
 * "already_refunded") and err_field ("lines[2].qty"). The outputs point
 * into the input's strings: keep the input while using them.
 */
#ifndef ORDER_H
#define ORDER_H
#include <stddef.h>
#include <stdint.h>
#include "cjson/cJSON.h"
#include "coupon/coupon.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

#define ORDER_NONE		COUPON_NONE	/* an absent optional number */
#define ORDER_MAX_LINES		100
#define ORDER_MAX_COUPONS	16
#define ORDER_MAX_ALL_LINES	(ORDER_MAX_LINES + ORDER_MAX_COUPONS)
#define ORDER_MAX_SCOPE		32
#define ORDER_MAX_TENDERS	8
#define ORDER_MAX_ADJ		(4 + ORDER_MAX_COUPONS)
#define ORDER_MAX_QTY		9999
#define ORDER_MAX_CODE		64
#define ORDER_MAX_NAME		200
#define ORDER_ERR_FIELD		48

enum order_adj_kind {
	ADJ_MEMBER_PRICE = 0,
	ADJ_TIER_DISCOUNT,
	ADJ_BIRTHDAY,		/* the privileges by date, PRIV_* in order */
	ADJ_MEMBER_DAY,
	ADJ_HOLIDAY,
	ADJ_COUPON,
	ADJ_POINTS
};

/* What pays a line, in the order the engine applies them. */
enum order_tender {
	TD_POINTS = 0,
	TD_PRINCIPAL,
	TD_BONUS,
	TD_CASH,
	TD_CARD,
	TD_ONLINE,
	TD_N
};

/* Names as the API spells them ("member_price"; "cash"); NULL if unknown. */
const char *order_adj_kind_name(int);
const char *order_tender_name(int);
/* A counter tender's kind from "cash" | "card" | "online", or -1. */
int	 order_tender_parse(const char *);

struct order_line_in {
	int64_t		 product_id;	/* 0: a free line (typed in) */
	const char	*name;
	const char	*category;	/* or NULL; carried, not priced */
	int64_t		 qty;		/* 1..ORDER_MAX_QTY */
	int64_t		 unit_fen;	/* list unit price, 0..WALLET_MAX_FEN */
	int64_t		 member_unit_fen;	/* the tier's, ORDER_NONE */
};

struct tier_policy;

struct order_member_in {
	int64_t		 id;		/* 0: no member (walk-in) */
	int		 tier_level;	/* -1: none */
	int64_t		 discount_pct;	/* the tier's, 1..99, or ORDER_NONE */
	int64_t		 card_valid_until;	/* ORDER_NONE: permanent */
	const char	*card_store_ids;	/* "[1,3]", NULL: all */
	int64_t		 points;		/* the member's points */
	int64_t		 earn_points_per_yuan;	/* the earning rate */
	int64_t		 mult_pct;		/* tier multiplier x 100 */
	int		 birth_month, birth_day;	/* 0: unknown */
	struct wallet_state wallet;
	const struct tier_policy *growth_rules;	/* NULL: a yuan a point */
};

struct order_coupon_in {
	const char	*code;
	struct coupon_terms terms;
	const char	*gift_item;		/* gift: the item's name */
	int64_t		 gift_product_id;	/* gift: 0 when not a product */
	int		 stackable;
	const char	*status;		/* "unused", "used", ... */
	int64_t		 valid_from, valid_until;
	const char	*store_ids;		/* NULL: every store */
	int		 audience_ok;		/* coupon_audience_ok() */
	int		 nscope;		/* 0: the whole order */
	int64_t		 scope[ORDER_MAX_SCOPE];	/* product ids */
};

/* settings/checkout, as far as pricing reads it. */
struct checkout_settings {
	int		 tier_discount_with_member_price;
	int		 tier_discount_only_if_balance_covers;
	int		 max_stackable;
	int		 points_enabled;
	int64_t		 points_per_yuan;	/* 1.. */
	int		 points_max_pct;	/* 0..100 */
	int64_t		 points_max_points;	/* ORDER_NONE: no cap */
};

struct order_tender_in {
	int		 kind;			/* TD_CASH .. TD_ONLINE */
	int64_t		 amount_fen;		/* ORDER_NONE: all still due */
};

struct order_in {
	int64_t		 store_id;
	int		 nlines;
	struct order_line_in lines[ORDER_MAX_LINES];
	struct order_member_in member;
	struct checkout_settings settings;
	int		 ncoupons;		/* the member's coupons */
	struct order_coupon_in coupons[ORDER_MAX_COUPONS];
	int		 ncodes;		/* -1: propose, 0: none */
	const char	*codes[ORDER_MAX_COUPONS];
	int64_t		 points;		/* points offered, 0: none */
	int		 use_balance;
	struct deduction_rules deduction;
	int		 ntenders;
	struct order_tender_in tenders[ORDER_MAX_TENDERS];
	struct priv_cfg	 priv;			/* settings/privileges */
	long		 tz_off;		/* the merchant's, seconds */
};

struct priced_line {
	int		 line_no;		/* 1.. */
	int64_t		 product_id;		/* 0: none */
	const char	*name;
	int64_t		 qty, unit_fen;
	int64_t		 member_unit_fen;	/* ORDER_NONE: none applied */
	int64_t		 list_fen, net_fen;
	int64_t		 alloc[ORDER_MAX_ADJ];	/* of adjustment seq i+1 */
	int64_t		 tender[TD_N];		/* share of each tender */
	int		 gift_coupon;		/* a gift line's coupon, -1 */
};

struct priced_adj {
	int		 seq;			/* 1.. */
	int		 kind;			/* enum order_adj_kind */
	const char	*ref;			/* the coupon's code, or NULL */
	int		 coupon;		/* coupon index, or -1 */
	int64_t		 base_fen, amount_fen;
};

struct priced_skip {
	const char	*code;
	const char	*reason;
};

/* A privilege by date that is on for this order: applied or why not. */
struct priced_priv {
	int		 rule;			/* index in in->priv.rules */
	int		 applied;
	const char	*reason;		/* "applied", "not_best",
						   "lower_priority" */
	int64_t		 discount_fen;		/* what it takes (or would) */
	int64_t		 extra_points;		/* its multiplier adds */
};

struct priced {
	const char	*err_code;
	char		 err_field[ORDER_ERR_FIELD];
	int64_t		 member_id;		/* 0: none */
	int		 tier_level;
	int		 member_priced;		/* the card's prices apply */
	const char	*member_reason;		/* why not, or NULL */
	const char	*tier_reason;		/* why the tier was dropped */
	int		 nlines;
	struct priced_line lines[ORDER_MAX_ALL_LINES];
	int		 nadj;
	struct priced_adj adj[ORDER_MAX_ADJ];
	int		 nskipped;
	struct priced_skip skipped[ORDER_MAX_COUPONS];
	int64_t		 total_list_fen, discount_fen, total_fen;
	int64_t		 points_used, points_fen;
	int64_t		 balance_asked_fen;	/* for topup_suggest() */
	struct deduction balance;
	int64_t		 due_fen;
	int64_t		 tender[TD_N];		/* totals */
	int64_t		 change_fen, uncovered_fen;
	int64_t		 earn_points, earn_growth;
	int		 npriv;
	struct priced_priv priv[PRIV_MAX_RULES];
	int64_t		 priv_mult_pct;		/* applied, 100: none */
};

/* Defaults of settings/checkout: false, false, 3, {true, 100, 50, none}. */
void	 checkout_settings_default(struct checkout_settings *);
/* An empty order: no lines, no member, codes absent, default settings. */
void	 order_in_init(struct order_in *);
/* Price an order at now (see above). 0, or -1 with err_code, err_field. */
int	 price_order(const struct order_in *, int64_t now, struct priced *);
/*
 * The canonical bytes a quote hash is taken of (see above), written to
 * buf as snprintf does; returns the length the whole string needs.
 */
size_t	 order_hash_input(const struct order_in *, const struct priced *,
	    char *buf, size_t n);
/*
 * Split amount (0..sum of w) across n weights (>= 0) in proportion, in
 * whole units by the largest remainder (ties to the lower index): the
 * parts add up to amount and none exceeds its weight.
 */
void	 order_split(int64_t amount, const int64_t *w, int n, int64_t *out);

/* ---- refunds (order_refund_rules.c) ---- */

struct refund_line_req {
	int		 line_no;
	int64_t		 qty;
};

/* By lines, by amount (money), or neither: the rest of the order. */
struct refund_req {
	int		 nlines;
	struct refund_line_req lines[ORDER_MAX_ALL_LINES];
	int64_t		 amount_fen;		/* ORDER_NONE: not by amount */
};

struct refund_part {
	int64_t		 qty;
	int64_t		 tender[TD_N];
	int64_t		 adj[ORDER_MAX_ADJ];	/* of adjustment seq i+1 */
};

struct order_refund {
	const char	*err_code;
	char		 err_field[ORDER_ERR_FIELD];
	int		 nlines;
	struct refund_part lines[ORDER_MAX_ALL_LINES];
	int64_t		 tender[TD_N];		/* totals */
	int64_t		 adj[ORDER_MAX_ADJ];
	int64_t		 amount_fen;		/* money (not points) */
	int64_t		 points_fen, points_returned;
	int64_t		 points_taken_back, growth_taken_back;
	int		 all_lines;		/* every unit now refunded */
	int		 closes_order;		/* and nothing at all left */
};

/*
 * What a refund gives back (see above), after the ndone refunds in done.
 * 0, or -1 with err_code and err_field: "invalid_field" (a line_no not in
 * the order, qty < 1, a line named twice, amount_fen < 1, lines and amount
 * both), "refund_exceeds_paid" (more units than are left, more money than
 * is left), "already_refunded" (nothing left of what is asked).
 */
int	 refund_compute(const struct priced *, const struct order_refund *done,
	    int ndone, const struct refund_req *, struct order_refund *out);

/* ---- checkout settings (checkout.c) ---- */

/* settings/checkout whole: what pricing reads and what orders obey. */
struct checkout_cfg {
	struct checkout_settings price;
	int		 return_on_cancel;		/* coupons come back */
	int		 return_before_complete;
	int		 return_after_complete;
	int64_t		 refund_approval_over_fen;	/* ORDER_NONE: never */
	int		 unpaid_expiry_min;
};

struct req;

/* The merchant's settings, the defaults when never saved. 0, or the
   error status (recorded). */
int	 checkout_cfg_load(struct req *, struct checkout_cfg *);

/* EV_ORDER_PAID: an order was paid, inside the transaction that paid it. */
struct order_paid {
	int64_t		 order_id;
	int64_t		 member_id;		/* 0: a walk-in non-member */
	int64_t		 store_id, total_fen;
	int		 count_cards;		/* lines that sell a count card */
};

/* EV_ORDER_REFUNDED: money of an order went back, in that transaction. */
struct order_refunded {
	int64_t		 order_id, refund_id, member_id, amount_fen;
	int		 count_cards;		/* count-card lines refunded */
};

/*
 * A balance payment (POST staff/payments, me/payments) as a one-line
 * order of order_fen ("消费"): priced by the engine (the tier discount
 * applies), paid from the balance under the deduction rules, the rest
 * recorded as taken in cash at the counter; a payments row keeps the
 * payment's own view. db_tx function: 201 with the payment object in out,
 * or the error status (409 insufficient_balance when the balance pays
 * nothing, ticket_used).
 */
struct ticket;
struct order_balance_pay {
	int64_t		 member_id, store_id, order_fen;
	const struct ticket *ticket;		/* counter: consumed */
	cJSON		*out;
};
int	 order_balance_pay_tx(struct req *, void *);

/*
 * Refund amount_fen (0: all that is left) of a balance payment's order
 * back to the balance only (what was taken in cash stays with the cash
 * drawer), inside the caller's transaction: into *refund the refund's
 * {id, amount_fen, principal_fen, bonus_fen, growth_reversed,
 * points_reversed}. 0, or the error status (409 already_refunded,
 * refund_exceeds_paid).
 */
int	 order_payment_refund(struct req *, int64_t order_id,
	    int64_t amount_fen, cJSON **refund);

#endif
