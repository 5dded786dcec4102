/*
 * What the order folder's files share (order.c, order_after.c and the
 * routes): the context of one quote or order, from its body to its
 * priced result. Not for other folders: they read order.h.
 */
#ifndef ORDER_DB_H
#define ORDER_DB_H
#include <stdint.h>
#include "cjson/cJSON.h"
#include "core/core.h"
#include "coupon/coupon.h"
#include "member/member.h"
#include "order.h"
#include "tier/tier.h"
#include "wallet/wallet.h"

struct db_res;
struct tier_row;

/* Where an order is made. */
enum { OC_COUNTER = 1, OC_PHONE, OC_APP };

struct order_req_line {
	int64_t		 product_id;		/* 0: a free line */
	int64_t		 count_card_product_id;	/* 0: no count card */
	const char	*name;
	int64_t		 price_fen, qty;
};

/* The body of a quote or an order, as given. */
struct order_body {
	int64_t		 store_id;
	const char	*ticket, *member_phone, *quote_hash;
	int		 nlines;
	struct order_req_line lines[ORDER_MAX_LINES];
	int		 ncodes;		/* -1: absent */
	const char	*codes[ORDER_MAX_COUPONS];
	int64_t		 points;
	int		 use_balance;		/* -1: absent */
	int		 ntenders, online;
	struct order_tender_in tenders[ORDER_MAX_TENDERS];
	int		 topup;
	int64_t		 topup_package_id, topup_pay_fen;
};

struct order_ctx {
	int		 channel;		/* OC_* */
	int		 for_member;		/* a member's own order */
	int		 who_known;		/* member_id, ticket set */
	const char	*ledger_kind, *ledger_ref;	/* the balance's entry */
	struct order_body body;
	/* a quote: the session token's hash to check in its statement (NULL:
	   checked), the config_revs.rev its merchant's settings are of (-1:
	   read afresh, as a commit does), its coupons read with the member */
	const char	*quote_token;
	int64_t		 config_rev;
	int		 coupons_read;
	/* who */
	int64_t		 member_id;
	int		 has_ticket;
	int		 member_blocked;	/* frozen by staff */
	struct ticket	 ticket;
	int64_t		 growth;
	const struct tier_row *tier;
	/* settings */
	struct tier_policy growth_rules;
	struct checkout_cfg ck;
	struct wallet_cfg wc;
	int64_t		 topup_pay_fen, topup_bonus_fen;
	/* priced */
	struct order_in	 in;
	const char	*coupon_name[ORDER_MAX_COUPONS];
	int		 ncards;		/* lines that sell a count card */
	int64_t		 card_uses[ORDER_MAX_LINES];	/* uses a unit gives */
	struct priced	 out;
	const char	*hash;
	/* committed */
	int64_t		 order_id;
	const char	*status;
	cJSON		*payment;
};

/*
 * settings/checkout as a statement reads it, the table as ck (LEFT JOIN
 * it: a merchant that never saved them has no row), and the settings
 * from column col of row of such a result (res NULL or ck.merchant_id
 * NULL: the defaults).
 */
#define CHECKOUT_COLS \
    "ck.merchant_id, ck.tier_with_member_price, ck.tier_only_if_balance," \
    " ck.max_stackable, ck.points_enabled, ck.points_per_yuan," \
    " ck.points_max_pct, ck.points_max_points, ck.return_on_cancel," \
    " ck.return_before_complete, ck.return_after_complete," \
    " ck.refund_approval_over_fen, ck.unpaid_expiry_min"
enum { CK_MERCHANT, CK_WITH_MP, CK_ONLY_BAL, CK_MAX_STACK, CK_PTS_ON,
    CK_PTS_RATE, CK_PTS_PCT, CK_PTS_MAX, CK_RET_CANCEL, CK_RET_BEFORE,
    CK_RET_AFTER, CK_APPROVAL, CK_EXPIRY, CK_NCOLS };
void	 checkout_cfg_from_row(const struct db_res *, int row, int col,
	    struct checkout_cfg *);

/*
 * The settings an order is priced by in one statement (checkout.c
 * order_settings_load): checkout (ck), wallet (ws) and privileges by
 * date (ps), each LEFT JOINed (a merchant that never saved them has no
 * row: the defaults). Parameter: the merchant.
 */
#define ORDER_SETTINGS_SQL \
    "SELECT " CHECKOUT_COLS ", " WALLET_CFG_COLS ", ps.body" \
    " FROM merchants m" \
    " LEFT JOIN checkout_settings ck ON ck.merchant_id = m.id" \
    " LEFT JOIN wallet_settings ws ON ws.merchant_id = m.id" \
    " LEFT JOIN privilege_settings ps ON ps.merchant_id = m.id" \
    " WHERE m.id = ?"
enum { OS_CK = 0, OS_WS = CK_NCOLS, OS_PRIV = OS_WS + WALLET_CFG_NCOLS,
    OS_NCOLS };
/* ORDER_SETTINGS_SQL into ck, wc, priv. 0, or the status (recorded). */
int	 order_settings_load(struct req *, struct checkout_cfg *ck,
	    struct wallet_cfg *wc, struct priv_cfg *priv);

/*
 * A quote's one statement (order_quote.c): the merchant's revisions (cr,
 * m: migration 0033, 0007), its points a yuan and card terms (m), the session of the request's token
 * (s, st: NULL when it is not one of the merchant's), the member (mb) by
 * phone, by id or by the session's, and with coupons the member's usable
 * coupons, a row each (all of them: at most QUOTE_COUPONS_MAX are taken
 * from it, in the order the coupon statement gives; more, and that
 * statement reads them). Parameters: the token's hash, the phone or id
 * (none by the session's), with coupons the time twice, the merchant.
 * The session's state and the member's birthday and freeze come back as
 * plain columns the app reads.
 */
#define QUOTE_COUPONS_MAX	200
#define QUOTE_SQL(member_by, with_coupons) \
    "SELECT cr.rev, m.tiers_rev, m.points_per_yuan, " \
    CARD_TERMS_COLS "," \
    " s.kind, s.id, s.revoked_at, s.expires_at, s.phone, s.member_id," \
    " s.staff_id, s.csrf_hash, st.role, st.name, st.disabled," \
    " mb.id, mb.principal_fen, mb.bonus_fen, mb.growth, mb.points," \
    " mb.joined_at, mb.birthday, mb.blocked_at" \
    QUOTE_SQL_C1_##with_coupons \
    " FROM merchants m" \
    " LEFT JOIN config_revs cr ON cr.merchant_id = m.id" \
    " LEFT JOIN sessions s ON s.token_hash = ? AND s.merchant_id = m.id" \
    " LEFT JOIN staff st ON st.id = s.staff_id AND s.kind = 'staff'" \
    " LEFT JOIN members mb ON mb.merchant_id = m.id AND " member_by \
    QUOTE_SQL_C2_##with_coupons \
    " WHERE m.id = ?" QUOTE_SQL_C3_##with_coupons
#define QUOTE_SQL_C1_0	""
#define QUOTE_SQL_C2_0	""
#define QUOTE_SQL_C3_0	""
#define QUOTE_SQL_C1_1	", " COUPON_COLS
#define QUOTE_SQL_C2_1 \
    " LEFT JOIN coupons c ON c.merchant_id = m.id AND c.member_id = mb.id" \
    " AND c.status = 'unused' AND c.valid_from <= ? AND c.valid_until >= ?"
#define QUOTE_SQL_C3_1	" LIMIT 201"
enum { QS_CONFIG_REV, QS_TIERS_REV, QS_PER_YUAN, QS_CARD,
    QS_KIND = QS_CARD + CARD_TERMS_NCOLS, QS_SESSION, QS_REVOKED,
    QS_EXPIRES, QS_PHONE, QS_S_MEMBER, QS_STAFF, QS_CSRF, QS_ROLE,
    QS_STAFF_NAME, QS_DISABLED, QS_MEMBER, QS_PRINCIPAL, QS_BONUS,
    QS_GROWTH, QS_POINTS, QS_JOINED, QS_BIRTHDAY, QS_BLOCKED, QS_NCOLS,
    QS_COUPON = QS_NCOLS, QS_C_NCOLS = QS_COUPON + CC_NCOLS };
/* What a quote asks of a store for the copy (order_quote.c): the store's
   kind (NULL: none open), the cashier (0: none) at it, so that the quote
   refuses what the commit refuses. Parameters: merchant, store, staff,
   store. */
#define QUOTE_STORE_SQL \
    "SELECT (SELECT st.kind FROM stores st WHERE st.merchant_id = ?" \
    " AND st.id = ? AND st.active = 1)," \
    " (SELECT 1 FROM staff_stores ss WHERE ss.staff_id = ?" \
    " AND ss.store_id = ?)"
enum { QT_STORE, QT_STAFF_AT, QT_NCOLS };
/* order_quote_load(): the token signs nobody in (auth_require() next) */
#define QUOTE_NOT_SIGNED_IN	1

struct order_ctx *order_ctx_new(struct req *, int channel);
/* Read the body (commit: with quote_hash). 0, or 400 (recorded). */
int	 order_body_parse(struct req *, struct order_ctx *, int commit);
/* Load what prices it (lock: the member's row). 0, or the status. */
int	 order_prepare(struct req *, struct order_ctx *, int lock, int64_t now);
/* A quote's part of it (order_quote.c): 0, the status, or
   QUOTE_NOT_SIGNED_IN when c->quote_token signs nobody in. */
int	 order_quote_load(struct req *, struct order_ctx *, int64_t now);
/* The merchant's active recharge packages (at most WALLET_MAX_PACKAGES)
   into rp, from the quote's copy (c->config_rev >= 0) or read. 0, or the
   status. */
int	 order_quote_pkgs(struct req *, const struct order_ctx *,
	    struct recharge_pkg *rp, int *n);
/* The member's terms from what was read of them. 0, or the status. */
int	 order_member_fill(struct req *, struct order_ctx *, int64_t growth,
	    int64_t points, int64_t per_yuan, int64_t until, const char *stores);
/* Price it and take its hash. 0, or 400 (recorded). */
int	 order_price(struct req *, struct order_ctx *, int64_t now);
void	 coupon_in_from_row(struct req *, struct order_ctx *,
	    const struct db_res *, int row);
cJSON	*order_quote_json(struct req *, struct order_ctx *);
/* db_tx: price again under the lock and commit; 201, or the status. */
int	 order_commit_tx(struct req *, void *);
cJSON	*order_created_json(struct req *, struct order_ctx *);
/* Earn, and emit EV_ORDER_PAID, once an order is paid. 0, or status. */
int	 order_settle_paid(struct req *, int64_t order_id, int64_t member_id,
	    int64_t store_id, int64_t total_fen, int64_t points,
	    int64_t growth, int count_cards);

/*
 * The order's rows (order_rows.c), written a chunk at a time: a statement
 * of n rows for each n up to ORDER_ROWS_CHUNK (1 is the single row), so
 * that three lines, their allocations and the adjustments are three
 * statements, not fifteen; more rows than a chunk take a statement of
 * ORDER_ROWS_CHUNK and one of the rest. Shared with the bench's raw twin
 * (tests/bench/order_raw.c), which runs the same texts.
 */
#define ORDER_ROWS_CHUNK	16
#define ORDER_ROWS_1(r)		r
#define ORDER_ROWS_2(r)		r ", " r
#define ORDER_ROWS_3(r)		ORDER_ROWS_2(r) ", " r
#define ORDER_ROWS_4(r)		ORDER_ROWS_2(r) ", " ORDER_ROWS_2(r)
#define ORDER_ROWS_5(r)		ORDER_ROWS_4(r) ", " r
#define ORDER_ROWS_6(r)		ORDER_ROWS_4(r) ", " ORDER_ROWS_2(r)
#define ORDER_ROWS_7(r)		ORDER_ROWS_4(r) ", " ORDER_ROWS_3(r)
#define ORDER_ROWS_8(r)		ORDER_ROWS_4(r) ", " ORDER_ROWS_4(r)
#define ORDER_ROWS_9(r)		ORDER_ROWS_8(r) ", " r
#define ORDER_ROWS_10(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_2(r)
#define ORDER_ROWS_11(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_3(r)
#define ORDER_ROWS_12(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_4(r)
#define ORDER_ROWS_13(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_5(r)
#define ORDER_ROWS_14(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_6(r)
#define ORDER_ROWS_15(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_7(r)
#define ORDER_ROWS_16(r)	ORDER_ROWS_8(r) ", " ORDER_ROWS_8(r)
/* order_lines: ORDER_LINE_NP parameters a row */
#define ORDER_LINE_NP		19
#define ORDER_LINE_SQL(n) \
    "INSERT INTO order_lines (order_id, line_no, product_id, name, category," \
    " qty, unit_fen, member_unit_fen, list_fen, net_fen, gift_coupon," \
    " t_points, t_principal, t_bonus, t_cash, t_card, t_online," \
    " count_card_product_id, card_uses)" \
    " VALUES " ORDER_ROWS_##n("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?," \
    " ?, ?, ?, ?, ?)")
#define ORDER_ADJ_NP		6
#define ORDER_ADJ_SQL(n) \
    "INSERT INTO order_adjustments (order_id, seq, kind, ref, base_fen," \
    " amount_fen) VALUES " ORDER_ROWS_##n("(?, ?, ?, ?, ?, ?)")
#define ORDER_ALLOC_NP		4
#define ORDER_ALLOC_SQL(n) \
    "INSERT INTO order_allocations (order_id, line_no, seq, amount_fen)" \
    " VALUES " ORDER_ROWS_##n("(?, ?, ?, ?)")
/* The order's lines, adjustments and allocations (c->out) as rows of
   order id. 0, or the status. */
int	 order_rows_insert(struct req *, struct order_ctx *, int64_t id);

/*
 * What a commit reads of the member besides the wallet (order.c
 * member_load, after the member's row is locked): points, birthday,
 * freeze, the merchant's points a yuan and ladder revision, the card's
 * terms. Parameters: merchant, member.
 */
#define ORDER_MEMBER_TERMS_SQL \
    "SELECT mb.points, MONTH(mb.birthday), DAYOFMONTH(mb.birthday)," \
    " mb.blocked_at IS NOT NULL, m.points_per_yuan, m.tiers_rev," \
    " mb.joined_at, " CARD_TERMS_COLS " FROM members mb" \
    " JOIN merchants m ON m.id = mb.merchant_id" \
    " WHERE mb.merchant_id = ? AND mb.id = ?"
enum { MT_POINTS, MT_BMONTH, MT_BDAY, MT_BLOCKED, MT_PER_YUAN,
    MT_TIERS_REV, MT_JOINED, MT_CARD, MT_NCOLS = MT_CARD + CARD_TERMS_NCOLS };

/* ---- lines that sell a count card (order_card.c) ---- */

/* Line l (field name f) as {count_card_product_id, qty} into q: 0 when
   it names none, 1 when read, -1 with 400 recorded. */
int	 order_card_line_parse(struct req *, cJSON *l, const char *f,
	    struct order_req_line *q);
/* Line i of the body priced from its count-card product (the member
   known). 0, or the status (400 recorded). */
int	 order_card_line_load(struct req *, struct order_ctx *, int i);
/* The hash input buf (len bytes) with the count-card lines after it:
   the new buffer, its length in *out_len. */
char	*order_card_hash(struct req *, const struct order_ctx *, char *buf,
	    size_t len, size_t *out_len);
/* Into the lines' JSON: count_card_product_id and card_uses. */
void	 order_card_lines_json(const struct order_ctx *, cJSON *lines);

/* Names for people. */
const char *order_adj_name(int kind);
const char *order_tender_cn(int kind);
const char *order_skip_cn(const char *reason);
cJSON	*order_lines_json(const struct priced *, const char *const *cats);
cJSON	*order_adjs_json(const struct priced *, const char *const *names);
cJSON	*order_tenders_json(const int64_t *tender);
/* Into d: the totals, points, balance, due, tenders, change, earn. */
void	 order_totals_json(cJSON *d, const struct priced *);
/* The privileges by date (order_priv.c): the name of adjustment i when
   it is one (else NULL), and into d the quote's privileges and earn. */
const char *order_priv_adj_name(struct req *, const struct order_in *,
	    const struct priced *, int i);
void	 order_priv_json(struct req *, const struct order_in *,
	    const struct priced *, cJSON *d);
/* The routes' work: parse, price (and commit), answer. */
int	 order_quote_respond(struct req *, struct order_ctx *);
int	 order_create_respond(struct req *, struct order_ctx *);

/* ---- order_after.c ---- */

/* The payment a pending order's online tender asks for. 0, or status. */
int	 order_online_checkout(struct req *, int64_t order_id,
	    const char *trade_no, int64_t amount_fen, int member,
	    cJSON **payment);

/* Reads: one order (member_id > 0: that member's), a page of them (the
   staff's filters from the query when member_id is 0). Status recorded. */
int	 order_get(struct req *, int64_t id, int64_t member_id);
int	 order_list(struct req *, int64_t member_id);
/* Cancel the pending orders whose time ran out (member_id 0: all). */
int	 order_expire_due(struct req *, int64_t member_id);
/* Cancel a pending order (member_id > 0: the member's own). */
int	 order_cancel(struct req *, int64_t id, int64_t member_id);
/* Mark a paid order served. */
int	 order_complete(struct req *, int64_t id);
/* A refund from the body; or approve (reject) an awaiting one. */
int	 order_refund(struct req *, int64_t id, int64_t approve_id,
	    int reject);
/* Dev and test: pay a pending order's online part in the sandbox. */
int	 order_sandbox_pay(struct req *, int64_t id, int64_t member_id);

#endif
