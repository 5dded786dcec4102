/*
 * Stored-value rules with no I/O, reached by unit tests: how a balance
 * payment splits between the principal (本金) and bonus (赠送金) accounts
 * under the merchant's deduction settings, smart top-up suggestions, the
 * refund split, and the growth and points a payment earns.
 *
 * Deduction, given the order amount, the member's accounts and the rules:
 *
 *  1. Usable bonus. With freeze_same_day_bonus, bonus received today (the
 *     merchant's calendar day, from recharges) cannot be used:
 *     usable bonus = bonus - min(bonus, bonus received today).
 *  2. The cap: how much of the balance this payment may use.
 *     none          no cap;
 *     first_amount  the member's first balance payment is capped at
 *                   amount_fen, later payments are not capped;
 *     first_pct     the first payment is capped at pct% of the total
 *                   balance (principal + bonus, frozen bonus included),
 *                   rounded down; later payments are not capped;
 *     each_amount   every payment is capped at amount_fen;
 *     each_pct      every payment is capped at pct% of the total balance,
 *                   rounded down;
 *     order_ranges  the row whose [from_fen, to_fen] (both ends included)
 *                   contains order_fen gives cap_fen; an order that falls
 *                   in no row is not capped (rows do not overlap).
 *     limit = min(order_fen, cap).
 *  3. The split of at most limit between the accounts:
 *     principal_first  principal first, then usable bonus;
 *     bonus_first      usable bonus first, then principal;
 *     proportional     bonus covers at most bonus_pct% of the amount paid
 *                      (rounded down), principal the rest; the amount paid
 *                      is the largest that fits within limit, principal
 *                      and that share (so bonus alone never pays).
 *  4. paid = principal + bonus taken; remaining_due = order - paid, to be
 *     paid another way. paid == 0 means nothing is usable.
 *
 * Growth: 1 per whole yuan paid from the balance (paid_fen / 100, rounded
 * down). Points: points_per_yuan x the member's tier multiplier (before
 * the payment) x paid yuan, rounded down. A refund takes back the growth
 * and points of the refunded part: what the payment keeps is its earning
 * scaled by the share of it not refunded, rounded down (points never below
 * zero: what the member has spent meanwhile is not taken back).
 *
 * Refund split: money goes back to the accounts it came from, in
 * proportion to what is still refundable in each, with the largest
 * remainder rule (the fen left by rounding down goes to the account with
 * the larger remainder, principal on a tie): the parts add up to the
 * amount exactly and never exceed what is refundable in either account.
 */
#ifndef WALLET_RULES_H
#define WALLET_RULES_H
#include <stddef.h>
#include <stdint.h>

#define WALLET_MAX_RANGES	20
#define WALLET_MAX_PACKAGES	20
#define WALLET_MAX_FEN		100000000LL	/* 1,000,000 yuan: one amount */
#define TOPUP_MAX		3

enum wallet_split {
	SPLIT_PRINCIPAL_FIRST = 0,
	SPLIT_BONUS_FIRST,
	SPLIT_PROPORTIONAL
};

enum wallet_cap {
	CAP_NONE = 0,
	CAP_FIRST_AMOUNT,
	CAP_FIRST_PCT,
	CAP_EACH_AMOUNT,
	CAP_EACH_PCT,
	CAP_ORDER_RANGES
};

struct cap_range {
	int64_t		 from_fen, to_fen, cap_fen;
};

struct deduction_rules {
	enum wallet_split split;
	int		 bonus_pct;		/* proportional: 1..99 */
	int		 freeze_same_day_bonus;
	enum wallet_cap	 cap;
	int64_t		 cap_amount_fen;	/* first_amount, each_amount */
	int		 cap_pct;		/* first_pct, each_pct */
	int		 nranges;
	struct cap_range ranges[WALLET_MAX_RANGES];
};

/* A member's accounts at the moment of a payment. */
struct wallet_state {
	int64_t		 principal_fen, bonus_fen;
	int64_t		 bonus_today_fen;	/* bonus received today */
	int		 first_payment;		/* no balance payment yet */
};

struct deduction {
	int64_t		 cap_fen;		/* -1: no cap applied */
	int64_t		 bonus_usable_fen;
	int64_t		 principal_fen, bonus_fen;
	int64_t		 paid_fen, remaining_due_fen;
};

/* Names as the API spells them; parse returns 0 or -1. */
const char *wallet_split_name(enum wallet_split);
int	 wallet_split_parse(const char *, enum wallet_split *);
const char *wallet_cap_name(enum wallet_cap);
int	 wallet_cap_parse(const char *, enum wallet_cap *);

/* The default rules: principal first, nothing frozen, no cap. */
void	 deduction_rules_default(struct deduction_rules *);
/*
 * Check rules as settings/deduction stores them: 0, or -1 with the field
 * at fault ("bonus_pct", "cap.amount_fen", "cap.ranges[1].to_fen") and a
 * message written to field/msg.
 */
int	 deduction_rules_check(const struct deduction_rules *, char *field,
	    size_t fieldlen, const char **msg);
/* Split a payment of order_fen (>= 0) under the rules (see above). */
void	 deduction_compute(const struct deduction_rules *,
	    const struct wallet_state *, int64_t order_fen, struct deduction *);

/* ---- smart top-up ---- */

struct recharge_pkg {
	int64_t		 id, pay_fen, bonus_fen;
};

struct custom_amount {
	int		 enabled;
	int64_t		 min_fen, max_fen;
};

struct topup {
	int64_t		 pay_fen, bonus_fen;
	int64_t		 balance_after_fen;	/* after the order */
	int64_t		 package_id;		/* 0: a custom amount */
	char		 reason[256];		/* zh-CN, for the member */
};

/*
 * Top-up suggestions for paying order_fen from the balance. *payable_fen
 * gets what the balance can pay now. If that covers the order, returns
 * 0. Otherwise up to TOPUP_MAX suggestions, smallest pay first: the
 * smallest packages after which the order is paid in full from the
 * balance with something left over (at most two when a custom amount is
 * offered), and a custom amount (no bonus) that does the same: the least
 * amount that does, rounded up to a round figure (10 yuan up to 100 yuan,
 * 50 yuan up to 1,000 yuan, 100 yuan above), within the merchant's
 * minimum and maximum. A recharge's bonus counts as received today (the
 * frozen-bonus rule holds it back). Returns the number written to out.
 */
int	 topup_suggest(const struct deduction_rules *,
	    const struct wallet_state *, int64_t order_fen,
	    const struct recharge_pkg *, int npkgs,
	    const struct custom_amount *, struct topup out[TOPUP_MAX],
	    int64_t *payable_fen);
/* The round figure a custom top-up of at least fen is rounded up to. */
int64_t	 topup_round(int64_t fen);

/* ---- refunds, growth, points ---- */

/*
 * Split a refund of amount_fen (0..rem_principal + rem_bonus) between the
 * accounts, in proportion to what is refundable in each (largest
 * remainder, principal on a tie).
 */
void	 refund_split(int64_t amount_fen, int64_t rem_principal,
	    int64_t rem_bonus, int64_t *principal, int64_t *bonus);

/* Growth of a payment: paid_fen / 100. */
int64_t	 wallet_growth(int64_t paid_fen);
/*
 * Points of a payment: points_per_yuan x mult_pct / 100 x paid_fen / 100,
 * rounded down (mult_pct: the tier multiplier x 100, 120 for 1.2).
 */
int64_t	 wallet_points(int64_t paid_fen, int64_t points_per_yuan,
	    int64_t mult_pct);
/*
 * What a payment keeps of something it earned once a part is refunded:
 * earned x unrefunded_fen / paid_fen, rounded down.
 */
int64_t	 wallet_keep(int64_t earned, int64_t paid_fen, int64_t unrefunded_fen);

/* ---- display ---- */

/* Yuan from fen: "100", "100.50", "-3.05". */
void	 wallet_yuan(char *, size_t, int64_t fen);
/* Default package label: "充100送20", or "充100元" without bonus. */
void	 wallet_pkg_label(char *, size_t, int64_t pay_fen, int64_t bonus_fen);

#endif
