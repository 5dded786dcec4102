/*
 * Pure coupon rules with no I/O, reached by unit tests: template
 * validation, the validity a coupon gets when issued, the
 * code alphabet, claim eligibility, redemption checks and the discount.
 *
 * Times are Unix seconds (UTC); a merchant's offset is seconds east of
 * UTC. Optional numbers hold COUPON_NONE when absent.
 */
#ifndef COUPON_RULES_H
#define COUPON_RULES_H
#include <stddef.h>
#include <stdint.h>

#define COUPON_NONE		INT64_MIN
#define COUPON_CODE_LEN		12
/* Days after joining during which a member counts as new. */
#define COUPON_NEW_MEMBER_DAYS	30

/*
 * Digits and capitals without the look-alikes 0/O, 1/I/L: 31 symbols, so
 * a code carries 12 * log2(31) ~ 59 bits.
 */
extern const char coupon_alphabet[];

enum coupon_kind {
	CK_NONE = -1,
	CK_THRESHOLD = 0,	/* spend threshold_fen, value_fen off */
	CK_DISCOUNT,		/* pay discount_pct %, optional cap */
	CK_INSTANT,		/* value_fen off, no threshold */
	CK_GIFT,		/* exchange for gift_item */
	CK_PROMO		/* codes handed out outside the app */
};

enum coupon_audience { AUD_ALL = 0, AUD_NEW_MEMBERS, AUD_TIERS };

enum coupon_tpl_status { TS_DRAFT = 0, TS_ACTIVE, TS_PAUSED, TS_ENDED };

#define COUPON_MAX_TIERS	16

struct coupon_tpl {
	int		 kind;
	int64_t		 value_fen, threshold_fen, discount_pct;
	int64_t		 max_discount_fen;
	const char	*gift_item;
	int64_t		 stock;			/* COUPON_NONE: unlimited */
	int64_t		 per_member_limit;
	int64_t		 claim_from, claim_until;
	int64_t		 valid_from, valid_until;	/* fixed range */
	int64_t		 valid_days;			/* or N days */
	int		 valid_next_day;
	int		 audience;
	int		 ntiers;
	int		 tiers[COUPON_MAX_TIERS];
	int		 status;
};

/* Name <-> enum; -1 for an unknown name, NULL for an unknown value. */
int		 coupon_kind_from(const char *);
const char	*coupon_kind_name(int);
int		 coupon_tpl_status_from(const char *);
const char	*coupon_tpl_status_name(int);

/* A template with every optional field absent. */
void	 coupon_tpl_init(struct coupon_tpl *);

/*
 * Check a whole template. now > 0 also rejects a fixed validity that has
 * already ended. Returns 0, or -1 with the offending field and a zh-CN
 * message.
 */
int	 coupon_tpl_validate(const struct coupon_tpl *, int64_t now,
	    const char **field, const char **msg);

/*
 * The validity of a coupon issued at claim_ts: a fixed range (from the
 * claim when valid_from is absent), or valid_days calendar days in the
 * merchant's zone counting the start day as the first, ending 23:59:59
 * local; valid_next_day starts at the next local midnight.
 */
void	 coupon_validity(const struct coupon_tpl *, int64_t claim_ts,
	    long tz_off, int64_t *from, int64_t *until);

/* 12 symbols of the alphabet from rand_fn (uniform in [0, upper)). */
void	 coupon_code_make(char out[COUPON_CODE_LEN + 1],
	    uint32_t (*rand_fn)(uint32_t));
/*
 * A code as a person types it: case folded, blanks and '-' dropped.
 * 0 when the result is 12 symbols of the alphabet, else -1.
 */
int	 coupon_code_normalize(const char *, char out[COUPON_CODE_LEN + 1]);
/*
 * The first character of s that the alphabet leaves out because it looks
 * like another (0 O, 1 I L, in either case), or 0 when there is none: why
 * a code typed from paper does not read.
 */
char	 coupon_code_lookalike(const char *);

/*
 * A store list as stored: NULL (every store) or a JSON array of ids such
 * as "[1,3]". 1 when the store is in it.
 */
int	 coupon_store_allowed(const char *store_ids, int64_t store_id);

/* What the claim rules look at. */
struct claim_view {
	int		 status;
	int		 kind;
	int		 listed;
	int64_t		 claim_from, claim_until;
	int64_t		 fixed_until;		/* COUPON_NONE: N days */
	int64_t		 stock_left;		/* COUPON_NONE: unlimited */
	int64_t		 per_member_limit;
	int64_t		 claimed_by_me;
	int		 audience;
	int		 ntiers;
	const int	*tiers;
	/* the member, when known */
	int		 has_member;
	int64_t		 joined_at;
	int		 tier_level;		/* -1: none */
};

enum claim_mode {
	CLAIM_CENTRE = 0,	/* POST /coupons: listed, not promo_code */
	CLAIM_PROMO,		/* a typed promo code */
	CLAIM_GRANT		/* issued by the system: status only */
};

/*
 * Why this member may not claim now, as the contract's error code
 * ("ended", "not_started", "not_eligible", "limit_reached",
 * "out_of_stock"), or NULL when the claim may go ahead. Limit and stock
 * are only a preview here: the claim decides them by conditional
 * statements.
 */
const char *coupon_claim_reason(const struct claim_view *, int mode,
	    int64_t now);
/* May a member who joined at joined_at with that tier claim? */
int	 coupon_audience_ok(int audience, const int *tiers, int ntiers,
	    int64_t joined_at, int tier_level, int64_t now);

/* The terms a coupon carries. */
struct coupon_terms {
	int		 kind;
	int64_t		 value_fen, threshold_fen, discount_pct;
	int64_t		 max_discount_fen;
};

enum redeem_result {
	RD_OK = 0,
	RD_ALREADY_USED,
	RD_CANCELLED,
	RD_NOT_STARTED,
	RD_EXPIRED,
	RD_WRONG_STORE,
	RD_NEED_ORDER,
	RD_THRESHOLD_NOT_MET
};

/* Status, window and store checks of a stored coupon at now. */
int	 coupon_redeem_check(const char *status, int64_t valid_from,
	    int64_t valid_until, const char *store_ids, int64_t store_id,
	    int64_t now);
/*
 * The discount on an order: threshold -> value_fen once the order reaches
 * threshold_fen; discount -> order * (100 - pct) / 100 rounded down,
 * capped by max_discount_fen; instant -> value_fen; promo_code -> as
 * discount when it has discount_pct, else as threshold (no threshold:
 * instant); gift -> 0. Never more than the order. order_fen < 0: none
 * given. RD_OK, RD_NEED_ORDER or RD_THRESHOLD_NOT_MET.
 */
int	 coupon_discount(const struct coupon_terms *, int64_t order_fen,
	    int64_t *discount_fen);

/* Fen as yuan without trailing zeros: 2000 -> "20", 1050 -> "10.5". */
void	 coupon_yuan(int64_t fen, char *out, size_t n);
/*
 * A one-line summary for people: "满100减20", "8.5折 最高减20",
 * "立减5元", "兑换：美式咖啡".
 */
void	 coupon_summary(const struct coupon_terms *, const char *gift_item,
	    char *out, size_t n);

#endif
