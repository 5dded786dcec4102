/*
 * tier: the tier ladder, read in one place (tier.c) and kept by each
 * worker by the merchant's revision (merchants.tiers_rev, raised by
 * triggers on tiers), and the pure rule of which tier a growth is in
 * (tier_rules.c). Includes core only.
 *
 * Tiers move both ways (tier_move.c): growth is earned by the merchant's
 * growth rules and moves only through tier_growth_move() (a conditional
 * update and a growth_entries row); every tier move goes through
 * tier_move(), which writes the history row and grants the upgrade reward
 * of each tier reached once per member (tier_rewards decides) by emitting
 * EV_TIER_REWARDED, which the wallet (bonus), the points and the coupons
 * (templates) subscribe. The daily job tier-review (tier_review.c) keeps
 * or lowers tiers by the merchant's mode; the settings' extra fields and
 * the preview are tier_policy.c.
 *
 * Conventions: as fcgi/app.h says (0 or a recorded status; NULL with the
 * status in r->status); tier_for_growth() is a pure rule.
 */
#ifndef TIER_H
#define TIER_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "privilege_rules.h"

struct req;

struct tier_row {
	int		 level;
	char		*name;
	int64_t		 growth;
	int		 has_discount;
	int64_t		 discount_pct;
	double		 mult;
	char		*privileges;	/* JSON text */
	int64_t		 keep_growth;	/* to keep it (保级) */
	int64_t		 reward_tpl[5];	/* upgrade reward: coupon templates */
	int		 nreward_tpl;
	int64_t		 reward_bonus_fen, reward_points;
};

#define TIER_REWARD_TPL_MAX	5

enum tier_mode { TIER_NONE, TIER_ROLLING, TIER_FIXED };

/* A merchant's growth rules and keep-and-downgrade mode (defaults: today's
   behaviour, a point of growth a yuan paid and tiers that never fall). */
struct tier_policy {
	int64_t		 per_yuan_paid, per_order, per_yuan_recharged;
	int		 mode;		/* enum tier_mode */
	int		 step_qualify;	/* fall to the tier qualified for, not
					   one level */
	int64_t		 months;	/* rolling window */
	int64_t		 days;		/* fixed term */
	int64_t		 min_days;	/* in a tier before it may fall */
	int64_t		 notice_days;	/* card notice before a downgrade */
};

/*
 * The ladder of r->m, by level: rows and count out, owned by the worker's
 * copy (valid until the next call). tiers_at() takes a revision the caller
 * read already (the card reads it with the member). 0, or the error
 * status (recorded).
 */
int	 tiers_load(struct req *, const struct tier_row **, int *n);
int	 tiers_at(struct req *, int64_t rev, const struct tier_row **, int *n);
/*
 * The tier a member with this growth is in (NULL when the merchant has no
 * tiers) and the next one (NULL at the top; next may be NULL). 0, or the
 * error status (recorded).
 */
int	 tier_of_growth(struct req *, int64_t growth,
	    const struct tier_row **cur, const struct tier_row **next);
/* The policy of r->m (read with the ladder, kept by its revision). 0, or
   the error status (recorded). */
int	 tier_policy_load(struct req *, struct tier_policy *);
/* The same with the ladder's revision read already (as tiers_at()), or
   rev -1 right after a tiers_load() or tier_of_growth() of r->m. */
int	 tier_policy_at(struct req *, int64_t rev, struct tier_policy *);

/*
 * Move the member's growth by delta (signed) inside the caller's
 * transaction: one conditional update and one growth_entries row of kind
 * ("order", "order_clawback", "refund", "recharge") and ref ("order:12"),
 * then the tier follows the growth through tier_move() (reason "growth"
 * or "refund"). What is taken back is at most what the member holds. 0,
 * or the error status (recorded).
 */
int	 tier_growth_move(struct req *, int64_t member_id, int64_t delta,
	    const char *kind, const char *ref);
/*
 * Move a member from tier level `from` to `to` (levels) inside the caller's
 * transaction: a conditional update of the member's tier (0 with *moved 0
 * when it is no longer at `from`), a tier_changes row (reason "growth",
 * "refund", "keep", "rules"; source "order:12", "job:2027-03-01"), and on
 * the way up the upgrade reward of each level reached that this member
 * never had. growth_to >= 0 sets the member's growth too (a downgrade sets
 * it to the new tier's threshold, with a "downgrade" growth entry).
 * *rewards (may be NULL) gets the rewards granted. 0, or the error status.
 */
struct tier_granted {
	int64_t		 rewards, coupons, coupons_refused, bonus_fen, points;
};
int	 tier_move(struct req *, int64_t member_id, int from, int to,
	    int64_t growth_to, const char *reason, const char *source,
	    int64_t at, int *moved, struct tier_granted *);

/*
 * A tier set by hand (tier_manual.c), inside the caller's transaction:
 * the member's growth brought into the tier's band (a "manual" growth
 * entry that no keep window counts), the move by tier_move() with reason
 * "manual", source ("staff:3") and the staff's note on its history row
 * (a row of its own when the level stays), and the hold through until, a
 * merchant-local "YYYY-MM-DD" (NULL: until set again). *from the level
 * it had. 0, or the error status (400 invalid_field level for a level
 * the ladder has not, 404 not_found).
 */
int	 tier_set_manual(struct req *, int64_t member_id, int level,
	    const char *until, const char *note, const char *source,
	    int *from, struct tier_granted *);
/*
 * Growth taken back (*delta < 0) from a member whose tier is held by
 * hand stops at the tier's threshold: *delta made smaller when it would
 * go below (the member's row locked). 0, or the error status.
 */
int	 tier_hold_floor(struct req *, int64_t member_id, int64_t *delta);
/* The merchant-local day of unix time t, "YYYY-MM-DD" in the arena. */
const char *tier_local_day(struct req *, int64_t t);
/*
 * EV_TIER_REWARDED: the upgrade reward of a level, granted once per
 * member, inside the move's transaction. The wallet credits bonus_fen,
 * the points ledger points (a lot), the coupons issue one of each template
 * (a refusal of stock or limit is counted in *coupons_refused, not an
 * error).
 */
struct tier_rewarded {
	int64_t		 member_id;
	int		 level;
	const int64_t	*template_ids;
	int		 ntemplates;
	int64_t		 bonus_fen, points;
	const char	*ref;		/* "tier:3" */
	int64_t		*coupons, *coupons_refused;
};

/*
 * The card's keep-tier object of a member in tier t (index cur of the
 * ladder): {mode, keep_growth, earned, needed, by, by_text, window_months?,
 * notice|null}, or a JSON null when nothing is asked (mode none, the
 * lowest tier). rev: the ladder's revision as tiers_at() takes it;
 * tier_since: unix s. NULL with r->status on failure.
 */
cJSON	*tier_keep_json(struct req *, int64_t rev, int64_t member_id,
	    int cur, int64_t tier_since, int64_t now);

/*
 * The settings' extra fields (GET|PUT settings/tiers): keep_growth and
 * upgrade_rewards in each tier, growth_rules and downgrade at the top.
 */
struct tier_terms_in {
	int		 n;
	int64_t		 growth[8];
	const char	*name[8];
	struct {
		int		 given;		/* any new field in the tier */
		int64_t		 keep, bonus, points;
		int64_t		 tpl[TIER_REWARD_TPL_MAX];
		int		 ntpl;
	} t[8];
	int		 policy_given;
	struct tier_policy pol;
};
/* Read the extra fields of body (absent ones keep what is stored) for n
   tiers. 0, or 400 invalid_field recorded. */
int	 tier_terms_arg(struct req *, cJSON *body, int n,
	    struct tier_terms_in *);
/* Write them inside the caller's transaction. 0, or the error status. */
int	 tier_terms_save(struct req *, const struct tier_terms_in *);
/* Add the extra fields to d ({tiers:[...]} as tiers_build gives). 0, or
   the error status. */
int	 tier_terms_json(struct req *, cJSON *d);
/*
 * The dry run of a PUT body (parsed already into in, the thresholds in
 * in->growth): {moves_up, moves_down, rewards:{coupons, bonus_fen,
 * points}, sample:[...]} over r->m's members as of now; writes nothing.
 */
cJSON	*tier_preview(struct req *, const struct tier_terms_in *, int64_t now);

/* {level, name, discount_pct|null, points_multiplier} of a tier. */
cJSON	*tier_json(const struct tier_row *);
/* A tier's privileges (JSON text) as an array, [] when unreadable. */
cJSON	*tier_privileges_json(const char *);
/*
 * The tier ladder as GET /tiers returns it, or NULL with the error status
 * in r->status.
 */
cJSON	*tiers_build(struct req *);

/* ---- pure (tier_rules.c) ---- */

struct tier_step {
	int	 level;
	int64_t	 growth;
};
/*
 * Index of the tier a member with this growth is in (the highest whose
 * threshold is reached; tiers sorted by level, thresholds rising), and the
 * index of the next one or -1.
 */
int	 tier_for_growth(const struct tier_step *, int n, int64_t growth,
	    int *next);

/* Growth earned by an order paying money_fen, and by a recharge. */
int64_t	 tier_growth_of_order(const struct tier_policy *, int64_t money_fen);
int64_t	 tier_growth_of_recharge(const struct tier_policy *, int64_t pay_fen);
/* The default policy (today's behaviour). */
void	 tier_policy_default(struct tier_policy *);

/* Days since 1970-01-01 of a civil date, and back. */
int64_t	 tier_day(int y, int m, int d);
void	 tier_ymd(int64_t day, int *y, int *m, int *d);
/* day plus (or minus) whole months, kept within the month's last day. */
int64_t	 tier_add_months(int64_t day, int months);
/*
 * The first day a rolling window of months counts on review day `day`: a
 * growth earned on day e counts through the day before e + months, so a
 * member who stops earning falls on that day (window (day - months, day]).
 */
int64_t	 tier_window_first(int64_t day, int months);
/* The day growth earned on day e stops counting in a window of months. */
int64_t	 tier_window_leaves(int64_t e, int months);

/*
 * The levels whose upgrade reward a move from level `from` to `to` grants
 * (bit n: level n), given those the member had (had, same bits): each
 * level reached on the way up, once. (tier_move() lets a tier_rewards row
 * decide, which is this rule under concurrency.)
 */
unsigned tier_reward_due(int from, int to, unsigned had);

/* One member under review: indexes into the ladder, local days. */
struct tier_rung {
	int64_t		 growth, keep;
};
struct tier_member {
	int		 cur;		/* index of the tier it is in */
	int64_t		 growth;
	int64_t		 since_day;	/* the day its term began */
	int64_t		 window;	/* growth earned in the window (fixed:
					   since since_day) */
};
enum tier_verdict_kind {
	TIER_STAY,		/* nothing to do */
	TIER_UP,		/* growth reaches a higher tier */
	TIER_DOWN_RULES,	/* growth is below its tier (thresholds) */
	TIER_DOWN_KEEP,		/* not kept: falls, growth to the threshold */
	TIER_RENEW		/* fixed: kept, a new term begins today */
};
struct tier_verdict {
	int		 kind;		/* enum tier_verdict_kind */
	int		 to;		/* index */
	int64_t		 growth_to;	/* -1: growth unchanged */
};
/* What the review on day `today` does to m under policy p. */
void	 tier_review_rule(const struct tier_policy *, const struct tier_rung *,
	    int n, const struct tier_member *, int64_t today,
	    struct tier_verdict *);
/*
 * Rolling mode, for the card: the day the member falls if it earns nothing
 * more, given what it earned by day within today's window (days
 * ascending, nd of them), and into *need the growth to earn before then
 * to stay. Never before since_day + min_days.
 */
int64_t	 tier_rolling_deadline(const int64_t *days, const int64_t *growth,
	    int nd, int64_t keep, int months, int64_t today, int64_t earliest,
	    int64_t *need);


/* ---- privileges by date (privilege.c; the rules in privilege_rules.h) ---- */

/*
 * The merchant's settings/privileges read into c (priv_cfg_init() when
 * never saved). 0, or the error status (recorded).
 */
int	 privilege_cfg_load(struct req *, struct priv_cfg *c);
/* The same from the saved text (NULL: never saved) a caller read. */
void	 privilege_cfg_from_text(struct req *, const char *body,
	    struct priv_cfg *c);
/*
 * settings/privileges as saved (the JSON GET returns) into c: 0, or -1
 * when it cannot be read (c is then empty).
 */
int	 privilege_cfg_parse(const cJSON *, struct priv_cfg *c);
/* The settings' JSON as GET returns it for a merchant that never saved. */
cJSON	*privilege_default_json(void);
/*
 * The privileges by date a member of tier_level has, appended to arr as
 * the card's {title, desc} (holidays that have not ended by day only).
 */
void	 privilege_card_add(struct req *, const struct priv_cfg *,
	    int tier_level, int64_t day, cJSON *arr);
/* "8.5折" / "9折"; "积分2倍" / "积分1.5倍", in the request's arena. */
const char *privilege_pct_cn(struct req *, int64_t pct);
const char *privilege_mult_cn(struct req *, int64_t mult_pct);
/* "生日当周 8.5折 · 积分2倍": what one rule gives and when. */
const char *privilege_desc(struct req *, const struct priv_rule *);

/*
 * A tier move into the analytics' members by join day and tier
 * (stats_tier_days, migration 0031): -1 at the tier left, +1 at the tier
 * reached, on the member's join day (merchant-local), in the row of the
 * connection's slot. (tz offset s, from, to, merchant, member.) Run by
 * tier_move() with the move; bench's raw client too.
 */
#define TIER_SQL_MOVE_ROLLUP \
	"INSERT INTO stats_tier_days (merchant_id, day, level, slot, members)" \
	" SELECT mb.merchant_id, DATE(mb.joined_at + INTERVAL p0.tz SECOND)," \
	" v.level, CONNECTION_ID() % 16, v.n FROM (SELECT ? AS tz) p0" \
	" JOIN (SELECT ? AS level, -1 AS n UNION ALL SELECT ?, 1) v" \
	" STRAIGHT_JOIN members mb WHERE mb.merchant_id = ? AND mb.id = ?" \
	" ON DUPLICATE KEY UPDATE members = stats_tier_days.members +" \
	" VALUES(members)"

#endif
