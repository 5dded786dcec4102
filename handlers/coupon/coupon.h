/*
 * coupon: templates, claims, promo codes, my coupons, redemption and the
 * discount rules. Floor: a ledger above core and tier; includes neither
 * member nor wallet.
 *
 *	coupon.c	claims and grants, the centre, my coupons, the coupon
 *			JSON other files share
 *	coupon_rules.c	pure: validation, validity, codes, eligibility,
 *			discounts
 *	coupon_partner.c	templates shared with partner stores
 *	coupon_api.c, coupon_staff.c, coupon_pages.c	routes only
 */
#ifndef COUPON_H
#define COUPON_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "coupon_rules.h"

struct req;
struct db_res;

/* Columns of a template row, in this order (see enum tpl_col). */
#define COUPON_TPL_COLS \
	"t.id, t.name, t.kind, t.value_fen, t.threshold_fen, t.discount_pct," \
	" t.max_discount_fen, t.gift_item, t.stock, t.stock_left," \
	" t.per_member_limit, t.claim_from, t.claim_until, t.valid_from," \
	" t.valid_until, t.valid_days, t.valid_next_day, t.store_ids," \
	" t.stackable, t.audience, t.audience_tiers, t.listed, t.status," \
	" t.description, t.created_at, t.updated_at"

enum tpl_col {
	TC_ID, TC_NAME, TC_KIND, TC_VALUE, TC_THRESHOLD, TC_PCT, TC_MAX,
	TC_GIFT, TC_STOCK, TC_STOCK_LEFT, TC_LIMIT, TC_CLAIM_FROM,
	TC_CLAIM_UNTIL, TC_VALID_FROM, TC_VALID_UNTIL, TC_VALID_DAYS,
	TC_NEXT_DAY, TC_STORES, TC_STACKABLE, TC_AUDIENCE, TC_TIERS,
	TC_LISTED, TC_STATUS, TC_DESC, TC_CREATED, TC_UPDATED, TC_NCOLS
};

/* A template as stored. */
struct coupon_tpl_row {
	int64_t			 id;
	struct coupon_tpl	 t;
	const char		*name;
	const char		*store_ids;	/* NULL: all stores */
	const char		*description;
	int64_t			 stock_left;	/* COUPON_NONE: unlimited */
	int			 stackable, listed;
	const char		*created_at, *updated_at;	/* SQL UTC */
};

/* Columns of a coupon row, in this order (see enum coupon_col). */
#define COUPON_COLS \
	"c.id, c.code, c.template_id, c.name, c.kind, c.status," \
	" c.valid_from, c.valid_until, c.value_fen, c.threshold_fen," \
	" c.discount_pct, c.max_discount_fen, c.gift_item, c.description," \
	" c.store_ids, c.stackable, c.channel, c.claimed_at, c.used_at," \
	" c.used_store_id, c.order_fen, c.discount_fen, c.cancelled_at," \
	" c.cancel_reason, c.member_id"

enum coupon_col {
	CC_ID, CC_CODE, CC_TEMPLATE, CC_NAME, CC_KIND, CC_STATUS,
	CC_VALID_FROM, CC_VALID_UNTIL, CC_VALUE, CC_THRESHOLD, CC_PCT, CC_MAX,
	CC_GIFT, CC_DESC, CC_STORES, CC_STACKABLE, CC_CHANNEL, CC_CLAIMED_AT,
	CC_USED_AT, CC_USED_STORE, CC_ORDER, CC_DISCOUNT, CC_CANCELLED_AT,
	CC_CANCEL_REASON, CC_MEMBER, CC_NCOLS
};

/*
 * The statements of one claim, in the order it runs them (the benchmark's
 * raw client runs the very same text).
 */
#define COUPON_SQL_TPL_GET \
	"SELECT " COUPON_TPL_COLS " FROM coupon_templates t" \
	" WHERE t.merchant_id = ? AND t.id = ?"
/* Affected rows: 1 inserted, 2 raised, 0 at the limit already. */
#define COUPON_SQL_CLAIM_BUMP \
	"INSERT INTO coupon_claims (template_id, member_id, merchant_id," \
	" claimed) VALUES (?, ?, ?, 1) ON DUPLICATE KEY UPDATE" \
	" claimed = IF(claimed < ?, claimed + 1, claimed)"
#define COUPON_SQL_INSERT \
	"INSERT INTO coupons (merchant_id, template_id, member_id, code," \
	" name, kind, value_fen, threshold_fen, discount_pct," \
	" max_discount_fen, gift_item, store_ids, stackable, description," \
	" valid_from, valid_until, status, channel, claimed_at, store_id)" \
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unused'," \
	" ?, ?, ?)"
/*
 * The slot of stats_coupon_days and coupon_template_used a statement
 * adds to (migration 0030): each connection its own row, so that uses and
 * claims of one template and day do not wait on each other's commits.
 * `app stats rebuild` writes slot 0; every reader sums the slots.
 */
#define COUPON_SLOT	"CONNECTION_ID() % 16"
/*
 * The daily rollup of claims by template (stats_coupon_days, migrations
 * 0027, 0030 and 0039): (tz offset s, then the parameters of where, over
 * coupons c), added to what is there, on the day of the claim at the
 * store the coupon was issued at (coupons.store_id). Two rows: the day's
 * totals at valid_until 1970-01-01 (claims, new_claims, and what has
 * become of those coupons now: claimed_used, claimed_cancelled), and the
 * coupons still unused by their valid_until (unused), for the coupon
 * report's expired (unused past valid_until); the report reads the
 * latter only once valid_until has passed, so that a coupon still valid
 * costs it nothing. until is the valid_until the unused are kept at: the
 * claim's own (COUPON_UNTIL), or for the rebuild 1970-01-02 once it has
 * passed (COUPON_UNTIL_MERGED, as stats-fold merges them). The claim runs
 * it for its coupon (c.id) at COUPON_SLOT; `app stats rebuild` for a day
 * of claims at slot 0.
 */
#define COUPON_UNTIL		"c.valid_until"
#define COUPON_UNTIL_MERGED \
	"IF(c.valid_until < UTC_TIMESTAMP(), TIMESTAMP'1970-01-02 00:00:00'," \
	" c.valid_until)"
#define COUPON_SQL_CLAIM_ROLLUP_AT(slot, until, where) \
	"INSERT INTO stats_coupon_days (merchant_id, day, store_id," \
	" template_id, valid_until, slot, claims, new_claims, claimed_used," \
	" claimed_cancelled, unused)" \
	" SELECT x.merchant_id, x.day, x.store_id, x.template_id," \
	" IF(k.side, x.until, TIMESTAMP'1970-01-01 00:00:00') AS vu, " slot "," \
	" IF(k.side, 0, COUNT(*)), IF(k.side, 0, IFNULL(SUM(x.day =" \
	" x.join_day), 0)), IF(k.side, 0, SUM(x.status = 'used'))," \
	" IF(k.side, 0, SUM(x.status = 'cancelled'))," \
	" IF(k.side, SUM(x.status = 'unused'), 0)" \
	" FROM (SELECT c.merchant_id, c.template_id," \
	" IFNULL(c.store_id, 0) AS store_id, " until " AS until, c.status," \
	" DATE(c.claimed_at + INTERVAL p0.tz SECOND) AS day," \
	" DATE(m.joined_at + INTERVAL p0.tz SECOND) AS join_day" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN coupons c" \
	" LEFT JOIN members m ON m.id = c.member_id WHERE " where ") x" \
	" JOIN (SELECT 0 AS side UNION ALL SELECT 1) k" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.template_id, k.side, vu" \
	" HAVING k.side = 0 OR SUM(x.status = 'unused') <> 0" \
	" ON DUPLICATE KEY UPDATE claims = stats_coupon_days.claims +" \
	" VALUES(claims), new_claims = stats_coupon_days.new_claims +" \
	" VALUES(new_claims), claimed_used = stats_coupon_days.claimed_used +" \
	" VALUES(claimed_used), claimed_cancelled =" \
	" stats_coupon_days.claimed_cancelled + VALUES(claimed_cancelled)," \
	" unused = stats_coupon_days.unused + VALUES(unused)"
#define COUPON_SQL_CLAIM_ROLLUP(where) \
	COUPON_SQL_CLAIM_ROLLUP_AT(COUPON_SLOT, COUPON_UNTIL, where)
/*
 * The coupons used now, on the day of the use at the store of the use
 * (stats_coupon_days, valid_until 1970-01-01): (tz offset s, then the
 * parameters of where, over coupons c). `app stats rebuild` runs it for a
 * day of uses at slot 0.
 */
#define COUPON_SQL_REDEEMED_ROLLUP_AT(slot, where) \
	"INSERT INTO stats_coupon_days (merchant_id, day, store_id," \
	" template_id, slot, redeemed, redeemed_discount_fen," \
	" redeemed_order_fen)" \
	" SELECT x.merchant_id, x.day, x.store_id, x.template_id, " slot "," \
	" COUNT(*), SUM(x.discount_fen), SUM(x.order_fen) FROM (" \
	" SELECT c.merchant_id, c.template_id," \
	" DATE(c.used_at + INTERVAL p0.tz SECOND) AS day," \
	" IFNULL(c.used_store_id, 0) AS store_id," \
	" IFNULL(c.discount_fen, 0) AS discount_fen," \
	" IFNULL(c.order_fen, 0) AS order_fen" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN coupons c" \
	" WHERE c.status = 'used' AND " where ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.template_id" \
	" ON DUPLICATE KEY UPDATE redeemed = stats_coupon_days.redeemed +" \
	" VALUES(redeemed), redeemed_discount_fen =" \
	" stats_coupon_days.redeemed_discount_fen +" \
	" VALUES(redeemed_discount_fen), redeemed_order_fen =" \
	" stats_coupon_days.redeemed_order_fen + VALUES(redeemed_order_fen)"
/*
 * A coupon used (sign "1", right after it became used) or given back
 * (sign "-1", right before it becomes unused again) moves three rows of
 * stats_coupon_days at COUPON_SLOT: claimed_used on its claim day's
 * totals, unused the other way on its valid_until's row, and redeemed
 * with its discount and order amounts on its use's row. One statement:
 * (tz offset s, then the parameters of where, over coupons c, which picks
 * used coupons).
 */
#define COUPON_SQL_MOVE_ROLLUP(sign, where) \
	"INSERT INTO stats_coupon_days (merchant_id, day, store_id," \
	" template_id, valid_until, slot, claimed_used, unused, redeemed," \
	" redeemed_discount_fen, redeemed_order_fen)" \
	" SELECT c.merchant_id, DATE(IF(k.side = 1, c.used_at, c.claimed_at)" \
	" + INTERVAL p0.tz SECOND), IF(k.side = 1, IFNULL(c.used_store_id, 0)," \
	" IFNULL(c.store_id, 0)), c.template_id," \
	" IF(k.side = 2, c.valid_until, TIMESTAMP'1970-01-01 00:00:00'), " \
	COUPON_SLOT ", IF(k.side = 0, " sign ", 0)," \
	" IF(k.side = 2, -(" sign "), 0), IF(k.side = 1, " sign ", 0)," \
	" IF(k.side = 1, " sign " * IFNULL(c.discount_fen, 0), 0)," \
	" IF(k.side = 1, " sign " * IFNULL(c.order_fen, 0), 0)" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN coupons c" \
	" JOIN (SELECT 0 AS side UNION ALL SELECT 1 UNION ALL SELECT 2) k" \
	" WHERE c.status = 'used' AND " where \
	" ON DUPLICATE KEY UPDATE claimed_used =" \
	" stats_coupon_days.claimed_used + VALUES(claimed_used)," \
	" unused = stats_coupon_days.unused + VALUES(unused), redeemed =" \
	" stats_coupon_days.redeemed + VALUES(redeemed)," \
	" redeemed_discount_fen = stats_coupon_days.redeemed_discount_fen +" \
	" VALUES(redeemed_discount_fen), redeemed_order_fen =" \
	" stats_coupon_days.redeemed_order_fen + VALUES(redeemed_order_fen)"
/* A coupon just voided: claimed_cancelled on its claim day's totals, one
   unused fewer at its valid_until (tz, the merchant, the coupon's id). */
#define COUPON_SQL_CANCEL_ROLLUP \
	"INSERT INTO stats_coupon_days (merchant_id, day, store_id," \
	" template_id, valid_until, slot, claimed_cancelled, unused)" \
	" SELECT c.merchant_id, DATE(c.claimed_at + INTERVAL p0.tz SECOND)," \
	" IFNULL(c.store_id, 0), c.template_id," \
	" IF(k.side, c.valid_until, TIMESTAMP'1970-01-01 00:00:00'), " \
	COUPON_SLOT ", IF(k.side, 0, 1), IF(k.side, -1, 0)" \
	" FROM (SELECT ? AS tz) p0 STRAIGHT_JOIN coupons c" \
	" JOIN (SELECT 0 AS side UNION ALL SELECT 1) k" \
	" WHERE c.merchant_id = ? AND c.id = ? AND c.status = 'cancelled'" \
	" ON DUPLICATE KEY UPDATE claimed_cancelled =" \
	" stats_coupon_days.claimed_cancelled + VALUES(claimed_cancelled)," \
	" unused = stats_coupon_days.unused + VALUES(unused)"
#define COUPON_SQL_BY_ID \
	"SELECT " COUPON_COLS " FROM coupons c WHERE c.id = ?"
/*
 * The template's counters (migrations 0028 and 0030): claimed_count on
 * the template row, every coupon ever issued of it (whatever became of
 * it), and the coupons used now in coupon_template_used, a row per slot
 * (COUPON_SLOT) summed by the staff list, so that the order's transaction
 * does not hold the template's row until its commit. Each moves by one
 * statement in the transaction that changes the coupon. A claim takes one
 * from a limited stock and counts it (an unlimited stock_left stays
 * NULL); 0 rows: out of stock or not active.
 */
#define COUPON_SQL_STOCK_TAKE \
	"UPDATE coupon_templates SET stock_left = stock_left - 1," \
	" claimed_count = claimed_count + 1" \
	" WHERE id = ? AND merchant_id = ? AND status = 'active'" \
	" AND (stock_left IS NULL OR stock_left > 0)"
/* The coupon of a code was just used: its template counts one more
   (params merchant, merchant, code). */
#define COUPON_SQL_TPL_USED \
	"INSERT INTO coupon_template_used (merchant_id, template_id, slot," \
	" used) SELECT ?, template_id, " COUPON_SLOT ", 1 FROM coupons" \
	" WHERE merchant_id = ? AND code = ?" \
	" ON DUPLICATE KEY UPDATE used = coupon_template_used.used + 1"
/* An order's used coupons are about to be given back: each template
   counts its own out (params merchant, order). Run before the coupons
   change, while they still name the order. */
#define COUPON_SQL_TPL_RETURNED \
	"INSERT INTO coupon_template_used (merchant_id, template_id, slot," \
	" used) SELECT merchant_id, template_id, " COUPON_SLOT ", -COUNT(*)" \
	" FROM coupons WHERE merchant_id = ? AND order_id = ?" \
	" AND status = 'used' GROUP BY merchant_id, template_id" \
	" ON DUPLICATE KEY UPDATE used = coupon_template_used.used +" \
	" VALUES(used)"

/* Fill a template from row i of a COUPON_TPL_COLS result. */
void	 coupon_tpl_from_row(const struct db_res *, int row,
	    struct coupon_tpl_row *);
/*
 * The template as staff see it: the payload's fields plus id, stock_left,
 * claimed, used, listed, created_at, updated_at.
 */
cJSON	*coupon_tpl_staff_json(struct req *, const struct coupon_tpl_row *,
	    int64_t claimed, int64_t used);
/* A stored store list as JSON: "all" or [ids]. */
cJSON	*coupon_stores_json(const char *store_ids);

/*
 * A coupon from row i of a COUPON_COLS result: {code, template_id, name,
 * kind, status, valid_from, valid_until, ...}; status is current
 * ("expired" once valid_until has passed).
 */
cJSON	*coupon_json(struct req *, const struct db_res *, int row);
/*
 * ---- partner stores (coupon_partner.c) ----
 * Is the template shared with this partner store (a locking read, so that
 * an unshare waits for a redemption under way)? *shared out. 0, or the
 * error status (recorded).
 */
int	 coupon_partner_shared(struct req *, int64_t template_id,
	    int64_t store_id, int *shared);
/* The partner stores a template is shared with: [ids], or NULL with the
   error recorded. */
cJSON	*coupon_partner_store_ids(struct req *, int64_t template_id);
/*
 * Add to a template's staff JSON: partner_store_ids, and used_by_store:
 * [{store_id, store_name, kind, used, discount_fen}] of its coupons used,
 * per store. 0, or the error status (recorded).
 */
int	 coupon_partner_stats(struct req *, int64_t template_id, cJSON *tpl);
/*
 * Add partner_store_ids to each template of the array tpls (staff JSON,
 * their ids between lo and hi). 0, or the error status (recorded).
 */
int	 coupon_partner_list(struct req *, cJSON *tpls, int64_t lo, int64_t hi);

/* The current status of row i: unused, used, expired or cancelled. */
const char *coupon_status_now(const struct db_res *, int row, int64_t now);
/* The terms of row i, for the discount rules. */
void	 coupon_terms_from_row(const struct db_res *, int row,
	    struct coupon_terms *);

/*
 * The claimable templates for the coupon centre, as GET
 * {base}/coupon-templates returns them; member_id 0 when nobody is
 * signed in. ids NULL: one page of all listed templates, newest first
 * (ids below cursor, 0 for the first page; at most limit), *next the
 * cursor of the next page or 0. Else the nids templates of a campaign,
 * in its order (active, not promo codes), *next 0. NULL with the error
 * recorded.
 */
cJSON	*coupon_centre_json(struct req *, int64_t member_id,
	    const int64_t *ids, int nids, int64_t cursor, int64_t limit,
	    int64_t *next);
/*
 * One page of a member's coupons (status "all" or one status), newest
 * first; *next the cursor for the next page or 0. NULL with the error
 * recorded.
 */
cJSON	*coupon_list_json(struct req *, int64_t member_id,
	    const char *status, int64_t cursor, int64_t limit, int64_t *next);
/*
 * {unused, used, expired, cancelled} for a member, or NULL with the error
 * recorded.
 */
cJSON	*coupon_counts_json(struct req *, int64_t member_id);
/*
 * One coupon of a member by code: the coupon object, or NULL with the
 * error recorded (404 not_found when the member has no such coupon).
 */
cJSON	*coupon_mine_json(struct req *, int64_t member_id, const char *code);

/* The most templates a campaign lists. */
#define CAMPAIGN_MAX	50

/*
 * Claim one coupon of a template for the signed-in member from the centre
 * (its own transaction, the stock and limit checks deciding); in_campaign
 * when the template is one of the live campaign's the claim names
 * (channel "campaign:<slug>"). 0 with *coupon set, or the error status
 * (recorded).
 */
int	 coupon_claim_run(struct req *, int64_t template_id,
	    const char *channel, int in_campaign, cJSON **coupon);
/*
 * Issue one coupon of a template to a member inside the caller's
 * transaction, with the same stock and limit checks as a claim (a refusal
 * leaves the caller's transaction as it was). 0 with *coupon_out set, or
 * the error status (recorded; a 4xx is a refusal, a 5xx a failure).
 */
int	 coupon_grant(struct req *, int64_t member_id, int64_t template_id,
	    const char *channel, cJSON **coupon_out);
/* The same, issued at a store (the claim's store in the analytics; 0:
   none), e.g. the gift of a member who joined at a store's counter. */
int	 coupon_grant_at(struct req *, int64_t member_id, int64_t template_id,
	    const char *channel, int64_t store_id, cJSON **coupon_out);
/*
 * The member's coupons usable now at a store (counter scan): an array, or
 * NULL with the error recorded.
 */
cJSON	*coupons_usable_json(struct req *, int64_t member_id,
	    int64_t store_id);

#endif
