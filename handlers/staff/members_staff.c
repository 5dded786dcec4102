/*
 * Members for staff (owner and marketing): the list with its search,
 * filters, sorts and cursor, the same list as a streamed CSV, and one
 * member's detail (profile, tier, the latest wallet and points entries,
 * coupons and orders). Read-only; cashiers get 403 (the counter finds its
 * member by the member code, and a cashier has no need to browse the
 * member base).
 *
 * Also keeps members.last_order_at and spend_fen (migration 0018) in the
 * transaction that pays or refunds an order (EV_ORDER_PAID,
 * EV_ORDER_REFUNDED), one statement each.
 *
 * Lends its filter to coupon pushes (staff.h): the same query string,
 * read by the same code, a page at a time in the order members joined.
 *
 * The list is one prepared statement per sort and direction, every filter
 * in it either a range whose absent ends are the widest values or a
 * "? IS NULL OR ..." that the optimizer drops when its value is NULL (it
 * plans each execution with the values bound), so that each page is one
 * index range: the sort's index read in order for wide filters, a
 * selective filter's index and a small sort otherwise, a name's start
 * by the entries of ix_member_search alone, a tier in the order of its
 * own ix_member_tier_* index, count cards from the cards' members
 * (README, EXPLAIN).
 * The cursor is the last row's sort value and id, and names its sort.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app.h"
#include "card/card.h"
#include "core/core.h"
#include "db.h"
#include "member/member.h"
#include "order/order.h"
#include "req.h"
#include "staff.h"
#include "tier/tier.h"

#define NEVER_SQL	"1000-01-01 00:00:00"	/* last_order_at: no order yet */
#define FAR_SQL		"9999-12-31 23:59:59"
#define CSV_PAGE	500
#define Q_MAX		32	/* characters of a search */

/* ---- the list ---- */

enum { ML_ID, ML_NAME, ML_PHONE, ML_CARD, ML_GROWTH, ML_BALANCE, ML_POINTS,
    ML_JOINED, ML_LAST, ML_SPEND, ML_NCOLS };

#define ML_COLS \
	"SELECT mb.id, mb.name, mb.phone, mb.card_no, mb.growth," \
	" mb.balance_fen, mb.points, mb.joined_at, mb.last_order_at," \
	" mb.spend_fen"
#define ML_SELECT(hint) ML_COLS " FROM members mb " hint ML_WHERE
/*
 * Every filter; its params are bound by ml_run, the page's after them.
 * ML_FILTERS are columns of ix_member_search (migration 0026), all the
 * named statements read; a filter that is not (a subquery) goes after
 * them, and keeps a name search off the named statements (ml_page).
 */
#define ML_WHERE ML_FILTERS ML_TIER ML_COUPONS COUNT_CARD_ML_SQL
/*
 * The members of the count cards in the filter's state, for the count
 * cards statements: the cards' members (a range of the cards' ix_cc_member,
 * one row each), then their rows by id, the other filters, sorted; the
 * statement's values first, as COUNT_CARD_ML_BINDS binds them after the
 * merchant (ml_run). Instead of a row of every member of the merchant and
 * a probe of its cards (1.2 s of a million when no member of the first
 * 5000 in order has such a card, and the optimizer would still start from
 * the members of a tier).
 */
#define ML_CARDS_FROM ML_COLS \
	" FROM (SELECT DISTINCT cc.member_id FROM count_cards cc" \
	" FORCE INDEX (ix_cc_member)" \
	" WHERE cc.merchant_id = ? AND ? = 1" \
	" AND cc.uses_left BETWEEN ? AND ? AND cc.expires_at >= ?" \
	" AND cc.expires_at < ? AND cc.refunded_uses BETWEEN ? AND ?) cm" \
	" STRAIGHT_JOIN members mb ON mb.id = cm.member_id"
#define ML_CARDS_NBINDS	8	/* the merchant and COUNT_CARD_ML_BINDS */
/* the tier filter's level, bound only when no other level has a member in
   the tier's growth band (tier_check): it lets the tier's indexes drive */
#define ML_TIER " AND (? IS NULL OR mb.tier_level = ?)"
#define ML_FILTERS \
	" WHERE mb.merchant_id = ?" \
	" AND (? IS NULL OR mb.phone = ?)" \
	" AND (? IS NULL OR mb.phone_last4 = ?)" \
	" AND (? IS NULL OR mb.card_no = ?)" \
	" AND (? IS NULL OR mb.name LIKE ?)" \
	" AND (? IS NULL OR mb.name_first = ?)" \
	" AND mb.growth >= ? AND mb.growth < ?" \
	" AND (? IS NULL OR mb.channel = ?)" \
	" AND mb.joined_at >= ? AND mb.joined_at < ?" \
	" AND (? IS NULL OR mb.birthday_month = ?)" \
	" AND mb.balance_fen >= ? AND mb.balance_fen <= ?" \
	" AND mb.points >= ? AND mb.points <= ?" \
	" AND mb.last_order_at >= ? AND mb.last_order_at < ?"
#define ML_COUPONS \
	" AND (? IS NULL OR (? = 1 AND mb.coupons_live > 0 AND " ML_LIVE ")" \
	"  OR (? = 0 AND NOT (mb.coupons_live > 0 AND " ML_LIVE ")))"
/*
 * An unused coupon not expired (migration 0009: coupons_next). The
 * coupons are asked only of a member whose earliest coupon has passed, by
 * a scalar subquery (ix_coupon_member, per member): as an EXISTS, MariaDB
 * turned it into a materialized scan of every unused coupon of the table,
 * whose rows counted against ROWS EXAMINED (17,000 coupons: the in-order
 * read stopped at its first such member and the page fell to the slow
 * plans).
 */
#define ML_LIVE \
	"(mb.coupons_next >= UTC_TIMESTAMP() OR (SELECT 1" \
	" FROM coupons c WHERE c.merchant_id = mb.merchant_id" \
	" AND c.member_id = mb.id AND c.status = 'unused'" \
	" AND c.valid_until >= UTC_TIMESTAMP() LIMIT 1) IS NOT NULL)"
/* after the cursor (value, id) in the order of col, then the page */
#define ML_PAGE(col, cmp, dir) \
	" AND (mb." col " " cmp " ? OR (mb." col " = ? AND mb.id " cmp " ?))" \
	" ORDER BY mb." col " " dir ", mb.id " dir " LIMIT ?"
/*
 * Each sort four ways. In order: the sort's index read in order, at most
 * ML_EXAMINED rows, which finds a page at once when the filters let
 * through more than one row in a few hundred; for a surname (a name's
 * start of one character), its ix_member_first_* index (migration 0026:
 * the name's first character, then the sort's column), which holds only
 * the surname's members in the sort's order.
 * Filtered: the sort's index kept from ordering, so that the optimizer
 * starts from the most selective filter's index and sorts the few rows
 * that pass; asked when the first came back short (a rare filter, or the
 * list's end). Named: a name's start, when the first came back short (a
 * rare name, or a name and other filters): the page's ids from the range
 * of ix_member_search (migration 0026), which holds every column the
 * filters and sorts read, so that the names' members are compared and
 * sorted on index entries alone, then the page's rows by their ids
 * (q_ml_rows). Only ML_FILTERS: with a subquery in the statement (the
 * unused coupons' EXISTS), MariaDB 10.11 reads the index entries alone
 * on a prepared statement's first execution only, and a row for each
 * name's member on every later one (50,000 for a surname: 0.5 s).
 * Without it, it still reads a row for the entries that pass the filters
 * on some executions (index condition pushdown instead of the entries
 * alone), seen with a filter that lets few of them through, where it
 * costs little.
 */
#define ML_EXAMINED "5000"
/*
 * Filtered without a name: not ix_member_search, which holds every column
 * of the statement, and which MariaDB would otherwise read whole (all the
 * merchant's entries) for a filter that lets many members through but
 * none of the first 5000 in order (tier 3 when the newest are all tier 1).
 * With a name (and the unused coupons filter), the same statement that
 * may take it (q_mlfn_*).
 */
#define ML_NOT_NAMES " IGNORE INDEX (ix_member_search)"
/*
 * Nor, for the order, the filters' own indexes by joining (migration
 * 0038), which the in-order reads take: the optimizer would read a
 * channel's every member in order (200,000 of a million) to spare the
 * sort of the 80 that a channel, a month, a tier and points let through.
 */
#define ML_NOT_OWN ", ix_member_coupons_joined, ix_member_channel_joined," \
	" ix_member_month_joined, ix_member_balance_joined," \
	" ix_member_points_joined"
#define ML_STATEMENTS(name, col, ix) \
	DB_REPORT_COLS(q_mlt_##name##_asc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (ix_member_tier_" #name ")") \
	    ML_PAGE(col, ">", "ASC") " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_mlt_##name##_desc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (ix_member_tier_" #name ")") \
	    ML_PAGE(col, "<", "DESC") " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_ml_##name##_asc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (" ix ")") ML_PAGE(col, ">", "ASC") \
	    " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_ml_##name##_desc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (" ix ")") ML_PAGE(col, "<", "DESC") \
	    " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_mlf_##name##_asc, ML_NCOLS, \
	    ML_SELECT("IGNORE INDEX FOR ORDER BY (" ix ", ix_member_tier_" \
	    #name ML_NOT_OWN ")" ML_NOT_NAMES) ML_PAGE(col, ">", "ASC")); \
	DB_REPORT_COLS(q_mlf_##name##_desc, ML_NCOLS, \
	    ML_SELECT("IGNORE INDEX FOR ORDER BY (" ix ", ix_member_tier_" \
	    #name ML_NOT_OWN ")" ML_NOT_NAMES) ML_PAGE(col, "<", "DESC")); \
	DB_REPORT_COLS(q_mlc_##name##_asc, ML_NCOLS, ML_CARDS_FROM \
	    ML_FILTERS ML_TIER ML_COUPONS ML_PAGE(col, ">", "ASC")); \
	DB_REPORT_COLS(q_mlc_##name##_desc, ML_NCOLS, ML_CARDS_FROM \
	    ML_FILTERS ML_TIER ML_COUPONS ML_PAGE(col, "<", "DESC")); \
	DB_REPORT_COLS(q_mlfn_##name##_asc, ML_NCOLS, \
	    ML_SELECT("IGNORE INDEX FOR ORDER BY (" ix ML_NOT_OWN ")") \
	    ML_PAGE(col, ">", "ASC")); \
	DB_REPORT_COLS(q_mlfn_##name##_desc, ML_NCOLS, \
	    ML_SELECT("IGNORE INDEX FOR ORDER BY (" ix ML_NOT_OWN ")") \
	    ML_PAGE(col, "<", "DESC")); \
	DB_REPORT_COLS(q_mls_##name##_asc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (ix_member_first_" #name ")") \
	    ML_PAGE(col, ">", "ASC") " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_mls_##name##_desc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (ix_member_first_" #name ")") \
	    ML_PAGE(col, "<", "DESC") " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_mln_##name##_asc, 1, "SELECT mb.id FROM members mb" \
	    " FORCE INDEX (ix_member_search)" ML_FILTERS \
	    ML_PAGE(col, ">", "ASC")); \
	DB_REPORT_COLS(q_mln_##name##_desc, 1, "SELECT mb.id FROM members mb" \
	    " FORCE INDEX (ix_member_search)" ML_FILTERS \
	    ML_PAGE(col, "<", "DESC"))

ML_STATEMENTS(joined, "joined_at", "ix_member_joined");
ML_STATEMENTS(last_order, "last_order_at", "ix_member_last_order");
ML_STATEMENTS(balance, "balance_fen", "ix_member_balance");
ML_STATEMENTS(spend, "spend_fen", "ix_member_spend");

/*
 * In the order of joining among a filter's own members (migration 0038):
 * unused coupons (members.coupons_on, kept with the coupons' count by the
 * coupons triggers), a balance or points range above nothing (members.
 * balance_on, points_on: members who hold some), a channel, a birthday
 * month, each with its index
 * before the joining time, so that a page is the filter's own rows
 * wherever they stand among the newest (unused coupons by joining, when
 * the newest 50,000 hold none, read each of them and probed its coupons:
 * 115 ms of a million). The in-order read of the sort, on that index:
 * ML_EXAMINED rows at most, then the covered or filtered statements as
 * for any short read. coupons_on is the index's range; the page keeps
 * ML_COUPONS (a coupon expired since coupons_next passed is asked of the
 * coupons).
 */
#define ML_OWN_STATEMENTS(name, ix, cond) \
	DB_REPORT_COLS(q_mlo_##name##_asc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (" ix ")") cond \
	    ML_PAGE("joined_at", ">", "ASC") " ROWS EXAMINED " ML_EXAMINED); \
	DB_REPORT_COLS(q_mlo_##name##_desc, ML_NCOLS, \
	    ML_SELECT("FORCE INDEX (" ix ")") cond \
	    ML_PAGE("joined_at", "<", "DESC") " ROWS EXAMINED " ML_EXAMINED)
ML_OWN_STATEMENTS(coupons, "ix_member_coupons_joined",
    " AND mb.coupons_on = 1");
ML_OWN_STATEMENTS(balance, "ix_member_balance_joined",
    " AND mb.balance_on = 1");
ML_OWN_STATEMENTS(points, "ix_member_points_joined",
    " AND mb.points_on = 1");
ML_OWN_STATEMENTS(channel, "ix_member_channel_joined", "");
ML_OWN_STATEMENTS(month, "ix_member_month_joined", "");

/*
 * Covered, in the order of joining only: a balance or points range, a
 * channel or a birthday month (and the joining dates) that lets many
 * members through but none of the first 5000 in order (the newest
 * members of a campaign hold no balance and came by one channel).
 * ix_member_joined (migration 0036) holds those columns after the joining
 * time and the id, so that the page's ids are read in order from its
 * entries alone (50,000 entries in 15 ms, where the filtered statement
 * read and sorted every member of the range: 8 s of a million), then the
 * page's rows by their ids (q_ml_rows). Asked when each filter lets more
 * than ML_COVER_FEW members through (q_ml_few_*: a count on the filter's
 * own index, stopped there); fewer, the filtered statement starts from
 * them and sorts them.
 */
#define ML_COVER_WHERE \
	" WHERE mb.merchant_id = ?" \
	" AND (? IS NULL OR mb.channel = ?)" \
	" AND mb.joined_at >= ? AND mb.joined_at < ?" \
	" AND (? IS NULL OR mb.birthday_month = ?)" \
	" AND mb.balance_fen >= ? AND mb.balance_fen <= ?" \
	" AND mb.points >= ? AND mb.points <= ?" \
	" AND mb.growth >= ? AND mb.growth < ?"
DB_REPORT_COLS(q_mlw_joined_asc, 1, "SELECT mb.id FROM members mb"
    " FORCE INDEX (ix_member_joined)" ML_COVER_WHERE
    ML_PAGE("joined_at", ">", "ASC"));
DB_REPORT_COLS(q_mlw_joined_desc, 1, "SELECT mb.id FROM members mb"
    " FORCE INDEX (ix_member_joined)" ML_COVER_WHERE
    ML_PAGE("joined_at", "<", "DESC"));
/*
 * Range filters only (a balance, points, a tier's growth band; no channel
 * or birthday month, whose index holds the others for a count of them
 * together), each letting many through: the covered read bounded
 * (ML_COVER_EXAMINED entries: as much as the unbounded read cost when a
 * page passes within them, one member in a few thousand), then, short, a
 * count of each range on its own index up to ML_RANGE_FEW; one of them at
 * most that, the filtered statement starts from it (its rows, sorted),
 * else the covered read unbounded. Before, the covered read went on until
 * a page passed: when few pass together, every entry of the merchant (25
 * of a million: 0.15 s in MariaDB, 0.5 s through nginx; now 0.14 s).
 */
#define ML_COVER_EXAMINED	"100000"
DB_REPORT_COLS(q_mlb_joined_asc, 1, "SELECT mb.id FROM members mb"
    " FORCE INDEX (ix_member_joined)" ML_COVER_WHERE
    ML_PAGE("joined_at", ">", "ASC") " ROWS EXAMINED " ML_COVER_EXAMINED);
DB_REPORT_COLS(q_mlb_joined_desc, 1, "SELECT mb.id FROM members mb"
    " FORCE INDEX (ix_member_joined)" ML_COVER_WHERE
    ML_PAGE("joined_at", "<", "DESC") " ROWS EXAMINED " ML_COVER_EXAMINED);
#define ML_RANGE_FEW	"20000"
#define ML_RANGE_FEW_1	"20001"
#define ML_RANGE(name, ix, cond) DB_SQL_COLS(name, 1, \
    "SELECT COUNT(*) <= " ML_RANGE_FEW " FROM (SELECT 1 FROM members" \
    " FORCE INDEX (" ix ") WHERE merchant_id = ? AND " cond \
    " LIMIT " ML_RANGE_FEW_1 ") x")
ML_RANGE(q_ml_range_balance, "ix_member_balance", "balance_fen BETWEEN ? AND ?");
ML_RANGE(q_ml_range_points, "ix_member_points", "points BETWEEN ? AND ?");
ML_RANGE(q_ml_range_growth, "ix_member_growth", "growth >= ? AND growth < ?");
#define ML_COVER_FEW	"5000"
#define ML_COVER_FEW_1	"5001"
/* each filter's members on the entries of its own index alone (a bound
   of the filters' together: one of them few, they are few), the joining
   dates left out (they bound the covered read itself) */
#define ML_FEW(name, ix, cond) DB_SQL_COLS(name, 1, \
    "SELECT COUNT(*) <= " ML_COVER_FEW " FROM (SELECT 1 FROM members" \
    " FORCE INDEX (" ix ") WHERE merchant_id = ? AND " cond \
    " LIMIT " ML_COVER_FEW_1 ") x")
ML_FEW(q_ml_few_channel, "ix_member_channel", "channel = ?");
ML_FEW(q_ml_few_month, "ix_member_birth_month", "birthday_month = ?");
ML_FEW(q_ml_few_balance, "ix_member_balance", "balance_fen BETWEEN ? AND ?");
ML_FEW(q_ml_few_points, "ix_member_points", "points BETWEEN ? AND ?");
ML_FEW(q_ml_few_growth, "ix_member_growth", "growth >= ? AND growth < ?");
/* a birthday month or a channel with other filters: the combination on
   the entries of ix_member_birth_month or ix_member_channel, which hold
   the other set filter, growth, points and balance after their own (the
   range of the month, or of the month and channel, read at most) */
#define ML_FEW_COMBO "(? IS NULL OR channel = ?)" \
	" AND (? IS NULL OR birthday_month = ?)" \
	" AND growth >= ? AND growth < ? AND points BETWEEN ? AND ?" \
	" AND balance_fen BETWEEN ? AND ? AND coupons_live >= ?"
ML_FEW(q_ml_few_combo_month, "ix_member_birth_month",
    "birthday_month IS NOT NULL AND " ML_FEW_COMBO);
ML_FEW(q_ml_few_combo_channel, "ix_member_channel",
    "channel IS NOT NULL AND " ML_FEW_COMBO);

/* the rows of a named page by their ids, ML_IDS_MAX at a time (0: none) */
#define ML_IDS_MAX	101	/* limit + 1 of the largest list page */
#define ML_IDS10	"?,?,?,?,?,?,?,?,?,?,"
DB_SQL_COLS(q_ml_rows, ML_NCOLS, ML_COLS " FROM members mb"
    " WHERE mb.merchant_id = ? AND mb.id IN (" ML_IDS10 ML_IDS10 ML_IDS10
    ML_IDS10 ML_IDS10 ML_IDS10 ML_IDS10 ML_IDS10 ML_IDS10 ML_IDS10 "?)");

enum sort_key { SORT_JOINED, SORT_LAST, SORT_BALANCE, SORT_SPEND, SORT_N };

static const struct sort_def {
	const char	*name;
	char		 tag;		/* the cursor's first character */
	int		 is_time;
	int		 col;
	struct db_sql	*asc, *desc, *f_asc, *f_desc, *n_asc, *n_desc;
	struct db_sql	*s_asc, *s_desc;	/* in order, a surname's */
	struct db_sql	*fn_asc, *fn_desc;	/* filtered, with a name */
	struct db_sql	*t_asc, *t_desc;	/* in order, a tier's */
	struct db_sql	*c_asc, *c_desc;	/* filtered, count cards */
} sorts[SORT_N] = {
	{ "joined", 'j', 1, ML_JOINED, &q_ml_joined_asc, &q_ml_joined_desc,
	    &q_mlf_joined_asc, &q_mlf_joined_desc, &q_mln_joined_asc,
	    &q_mln_joined_desc, &q_mls_joined_asc, &q_mls_joined_desc,
	    &q_mlfn_joined_asc, &q_mlfn_joined_desc, &q_mlt_joined_asc,
	    &q_mlt_joined_desc,
	    &q_mlc_joined_asc, &q_mlc_joined_desc },
	{ "last_order", 'l', 1, ML_LAST, &q_ml_last_order_asc,
	    &q_ml_last_order_desc, &q_mlf_last_order_asc,
	    &q_mlf_last_order_desc, &q_mln_last_order_asc,
	    &q_mln_last_order_desc, &q_mls_last_order_asc,
	    &q_mls_last_order_desc, &q_mlfn_last_order_asc,
	    &q_mlfn_last_order_desc, &q_mlt_last_order_asc,
	    &q_mlt_last_order_desc,
	    &q_mlc_last_order_asc, &q_mlc_last_order_desc },
	{ "balance", 'b', 0, ML_BALANCE, &q_ml_balance_asc,
	    &q_ml_balance_desc, &q_mlf_balance_asc, &q_mlf_balance_desc,
	    &q_mln_balance_asc, &q_mln_balance_desc, &q_mls_balance_asc,
	    &q_mls_balance_desc, &q_mlfn_balance_asc,
	    &q_mlfn_balance_desc, &q_mlt_balance_asc, &q_mlt_balance_desc,
	    &q_mlc_balance_asc, &q_mlc_balance_desc },
	{ "spend", 's', 0, ML_SPEND, &q_ml_spend_asc, &q_ml_spend_desc,
	    &q_mlf_spend_asc, &q_mlf_spend_desc, &q_mln_spend_asc,
	    &q_mln_spend_desc, &q_mls_spend_asc, &q_mls_spend_desc,
	    &q_mlfn_spend_asc, &q_mlfn_spend_desc, &q_mlt_spend_asc,
	    &q_mlt_spend_desc,
	    &q_mlc_spend_asc, &q_mlc_spend_desc },
};

/* What the query string asks for, checked, as the statement binds it. */
struct ml_query {
	const char	*phone, *last4, *card, *name_like;
	const char	*name_first;	/* a name's start of one character */
	int64_t		 growth_min, growth_max;
	int64_t		 tier_level;	/* the tier filter's level */
	int		 tier_ok;	/* tier_level bound (tier_check) */
	const char	*channel;
	char		 joined_from[20], joined_to[20];
	int64_t		 bmonth;	/* 0: any */
	int64_t		 bal_min, bal_max, pts_min, pts_max;
	char		 last_from[20], last_to[20];
	int		 coupons;	/* -1 any, 0 none, 1 some */
	struct count_card_filter cards;
	const struct sort_def *sort;
	int		 desc;
	/* the page */
	int64_t		 limit;
	int		 has_cursor;
	char		 cur_time[20];
	int64_t		 cur_int, cur_id;
};

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/* "name%" with the LIKE wildcards of the search taken literally. */
static const char *
like_prefix(struct req *r, const char *q)
{
	size_t n = strlen(q);
	char *out = arena_alloc(r->a, n * 2 + 2), *p = out;

	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*p++ = '\\';
		*p++ = *q;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

/*
 * The search: digits that make a mobile phone, the phone; four digits,
 * the phone's last four; a bound physical card's number, its member; other
 * digits, the card number; anything else, the start of the name (a surname
 * finds its members). 0 or 400.
 */
/*
 * A physical card number bound to a member (staff/members/{id}/physical-
 * card) is searched as that member's card: *card its card number, or NULL
 * (not a card's form, or no member has it). 0, or the failure's status.
 */
enum { PC_CARD, PC_NCOLS };
DB_SQL_COLS(q_ml_physical, PC_NCOLS,
    "SELECT card_no FROM members WHERE merchant_id = ?"
    " AND physical_card_no = ?");

static int
physical_card_search(struct req *r, const char *t, const char **card)
{
	char no[PHYSICAL_CARD_MAX + 1];
	struct db_res res;

	*card = NULL;
	if (physical_card_normalize(t, no) == -1)
		return 0;
	if (DB(r, &q_ml_physical, &res, DBI(r->m->id), DBS(no)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 1)
		*card = arena_strdup(r->a, db_str(&res, 0, PC_CARD));
	return 0;
}

static int
parse_search(struct req *r, struct ml_query *f)
{
	const char *q = req_query(r, "q"), *card = NULL;
	size_t chars;
	char *t, *e;
	int st;

	if (q == NULL)
		return 0;
	t = arena_strdup(r->a, q);
	while (*t == ' ')
		t++;
	for (e = t + strlen(t); e > t && e[-1] == ' '; e--)
		;
	*e = '\0';
	if (*t == '\0')
		return 0;
	if (utf8_text_ok(t, &chars) == -1 || chars > Q_MAX ||
	    strchr(t, '\n') != NULL || strchr(t, '\t') != NULL)
		return resp_bad_field(r, "q", "搜索内容不正确，最多 32 个字");
	if (all_digits(t) && strlen(t) == 4)
		f->last4 = t;
	else if (all_digits(t) && phone_valid(t))
		f->phone = t;
	else if ((st = physical_card_search(r, t, &card)) != 0)
		return st;
	else if (card != NULL)
		f->card = card;
	else if (all_digits(t))
		f->card = t;
	else {
		f->name_like = like_prefix(r, t);
		if (chars == 1)
			f->name_first = t;
	}
	return 0;
}

/* A date filter pair: [from 00:00, to 24:00) of the merchant's days. */
static int
parse_days(struct req *r, const char *from_name, const char *to_name,
    const char *from_dflt, char from_s[20], char to_s[20])
{
	long tz = tz_offset(r->m->tz);
	const char *q;
	int64_t from = 0, to = 0;
	int has_from = 0, has_to = 0;

	if ((q = req_query(r, from_name)) != NULL) {
		if (time_parse(q, tz, 0, &from) == -1)
			return resp_bad_field(r, from_name,
			    "日期格式应为 2026-12-01");
		has_from = 1;
	}
	if ((q = req_query(r, to_name)) != NULL) {
		if (time_parse(q, tz, 1, &to) == -1)
			return resp_bad_field(r, to_name,
			    "日期格式应为 2026-12-01");
		has_to = 1;
	}
	if (has_from && has_to && from > to)
		return resp_bad_field(r, to_name, "结束日期不能早于开始日期");
	if (has_from)
		time_sql(from, from_s);
	else
		snprintf(from_s, 20, "%s", from_dflt);
	if (has_to)
		time_sql(to + 1, to_s);
	else
		snprintf(to_s, 20, "%s", FAR_SQL);
	return 0;
}

/* An optional integer range of the query: min..max, both within lo..hi. */
static int
parse_range(struct req *r, const char *min_name, const char *max_name,
    int64_t lo, int64_t hi, const char *msg, const char *order_msg,
    int64_t *min, int64_t *max)
{
	const char *q;

	*min = lo;
	*max = hi;
	if ((q = req_query(r, min_name)) != NULL && (*q == '\0' ||
	    req_query_int(r, min_name, 0, lo, hi, min) == -1)) {
		resp_reset(r);
		return resp_bad_field(r, min_name, msg);
	}
	if ((q = req_query(r, max_name)) != NULL && (*q == '\0' ||
	    req_query_int(r, max_name, 0, lo, hi, max) == -1)) {
		resp_reset(r);
		return resp_bad_field(r, max_name, msg);
	}
	if (*min > *max)
		return resp_bad_field(r, max_name, order_msg);
	return 0;
}

/*
 * May the tier filter's page read the tier's own indexes (ix_member_tier_*,
 * migration 0029)? The list's tier is the growth band, and tier_level the
 * tier the member was last moved to, which every move keeps (tier_move())
 * but which lags the band after the thresholds change, until the next
 * tier review. So first whether any member of another level is in the
 * band, or of a level the ladder has not (levels 1..n): one index range of
 * ix_member_tier_growth a level (an index dive each, LIMIT 1). When none
 * is, "tier_level = level" leaves out no member of the band and
 * f->tier_ok binds it; otherwise the page keeps the plans without it.
 * 0, or the failure's status.
 */
#define TL_LEVELS	8	/* TIERS_MAX */
DB_SQL_COLS(q_ml_tier_others, 1,
    "SELECT 1 FROM members FORCE INDEX (ix_member_tier_growth)"
    " WHERE merchant_id = ? AND ((tier_level IN (?, ?, ?, ?, ?, ?, ?, ?)"
    " AND growth >= ? AND growth < ?) OR tier_level < 1 OR tier_level > ?)"
    " LIMIT 1");

static int
tier_check(struct req *r, struct ml_query *f, int n)
{
	struct db_val v[TL_LEVELS + 4];
	struct db_res res;
	int i, k = 1;

	if (n > TL_LEVELS)
		return 0;
	v[0] = DBI(r->m->id);
	for (i = 1; i <= n; i++)
		if (i != f->tier_level)
			v[k++] = DBI(i);
	while (k <= TL_LEVELS)
		v[k++] = DBI(-1);
	v[k++] = DBI(f->growth_min);
	v[k++] = DBI(f->growth_max);
	v[k++] = DBI(n);
	if (db_run(r, &q_ml_tier_others, &res, v, k) != DB_OK)
		return db_fail(r);
	f->tier_ok = res.nrows == 0;
	return 0;
}

/* The tier of level as a growth range [min, max). 0 or 400. */
static int
parse_tier(struct req *r, struct ml_query *f)
{
	const struct tier_row *t;
	const char *q = req_query(r, "tier");
	int64_t level;
	int i, n, st;

	f->growth_min = INT64_MIN;
	f->growth_max = INT64_MAX;
	if (q == NULL)
		return 0;
	if (*q == '\0' || req_query_int(r, "tier", 0, 1, 1000, &level) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "tier", "会员等级不正确");
	}
	if ((st = tiers_load(r, &t, &n)) != 0)
		return st;
	for (i = 0; i < n; i++)
		if (t[i].level == level)
			break;
	if (i == n)
		return resp_bad_field(r, "tier", "没有这个会员等级");
	/* the lowest tier also holds whoever is below its threshold */
	f->growth_min = i == 0 ? INT64_MIN : t[i].growth;
	f->growth_max = i + 1 < n ? t[i + 1].growth : INT64_MAX;
	f->tier_level = level;
	/* the ladder's levels are 1..n (settings/tiers) */
	return t[n - 1].level == n ? tier_check(r, f, n) : 0;
}

/* "j20261201083000.123" (time) or "b1250.123" (fen): the sort's tag. */
static int
parse_cursor(struct req *r, struct ml_query *f)
{
	const char *q = req_query(r, "cursor"), *dot;
	char *end;
	size_t vlen;

	if (q == NULL || *q == '\0')
		return 0;
	dot = strrchr(q, '.');
	if (q[0] != f->sort->tag || q[1] != (f->desc ? 'd' : 'a') ||
	    dot == NULL || !all_digits(dot + 1) || strlen(dot + 1) > 18)
		goto bad;
	vlen = (size_t)(dot - (q + 2));
	f->cur_id = strtoll(dot + 1, &end, 10);
	if (f->sort->is_time) {
		char v[15];

		if (vlen != 14)
			goto bad;
		memcpy(v, q + 2, 14);
		v[14] = '\0';
		if (!all_digits(v))
			goto bad;
		snprintf(f->cur_time, sizeof(f->cur_time),
		    "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", v, v + 4, v + 6, v + 8,
		    v + 10, v + 12);
	} else {
		char v[21];

		if (vlen == 0 || vlen > 19)
			goto bad;
		memcpy(v, q + 2, vlen);
		v[vlen] = '\0';
		if (!all_digits(v[0] == '-' ? v + 1 : v))
			goto bad;
		f->cur_int = strtoll(v, &end, 10);
	}
	f->has_cursor = 1;
	return 0;
bad:
	return resp_bad_field(r, "cursor", "翻页参数不正确，请从第一页重新查询");
}

static const char *
make_cursor(struct req *r, const struct ml_query *f, const struct db_res *res,
    int row)
{
	const char *v = db_str(res, row, f->sort->col);
	char digits[15];
	int i, k;

	if (!f->sort->is_time)
		return arena_printf(r->a, "%c%c%lld.%lld", f->sort->tag,
		    f->desc ? 'd' : 'a', (long long)db_int(res, row,
		    f->sort->col), (long long)db_int(res, row, ML_ID));
	for (i = 0, k = 0; v != NULL && v[i] != '\0' && k < 14; i++)
		if (isdigit((unsigned char)v[i]))
			digits[k++] = v[i];
	while (k < 14)
		digits[k++] = '0';
	digits[14] = '\0';
	return arena_printf(r->a, "%c%c%s.%lld", f->sort->tag,
	    f->desc ? 'd' : 'a', digits, (long long)db_int(res, row, ML_ID));
}

/* Everything of the query string but the page: 0 or 400 (recorded). */
static int
parse_filters(struct req *r, struct ml_query *f)
{
	const char *q;
	int st, i;

	memset(f, 0, sizeof(*f));
	if ((st = count_card_filter_parse(r, &f->cards)) != 0 ||
	    (st = parse_search(r, f)) != 0 || (st = parse_tier(r, f)) != 0)
		return st;
	if ((q = req_query(r, "channel")) != NULL && *q != '\0') {
		size_t chars;

		if (utf8_text_ok(q, &chars) == -1 || chars > 64 ||
		    strchr(q, '\n') != NULL || strchr(q, '\t') != NULL)
			return resp_bad_field(r, "channel", "来源渠道不正确");
		f->channel = q;
	}
	if ((st = parse_days(r, "joined_from", "joined_to", "1000-01-01 00:00:00",
	    f->joined_from, f->joined_to)) != 0 ||
	    (st = parse_days(r, "last_order_from", "last_order_to",
	    NEVER_SQL, f->last_from, f->last_to)) != 0)
		return st;
	/* a last-order filter leaves out who has not ordered yet */
	if (strcmp(f->last_from, NEVER_SQL) == 0 &&
	    (req_query(r, "last_order_to") != NULL))
		snprintf(f->last_from, sizeof(f->last_from),
		    "1000-01-01 00:00:01");
	if ((q = req_query(r, "birthday_month")) != NULL && (*q == '\0' ||
	    req_query_int(r, "birthday_month", 0, 1, 12, &f->bmonth) == -1)) {
		resp_reset(r);
		return resp_bad_field(r, "birthday_month",
		    "生日月份应为 1 到 12 月");
	}
	if ((st = parse_range(r, "balance_min_fen", "balance_max_fen", 0,
	    INT64_C(100000000000), "余额应为不小于 0 的整数（单位：分）",
	    "最低余额不能高于最高余额", &f->bal_min, &f->bal_max)) != 0 ||
	    (st = parse_range(r, "points_min", "points_max",
	    -INT64_C(100000000000), INT64_C(100000000000), "积分应为整数",
	    "最低积分不能高于最高积分", &f->pts_min, &f->pts_max)) != 0)
		return st;
	/* a balance filter's open end is the widest balance there is */
	if (req_query(r, "balance_min_fen") == NULL)
		f->bal_min = INT64_MIN;
	if (req_query(r, "balance_max_fen") == NULL)
		f->bal_max = INT64_MAX;
	if (req_query(r, "points_min") == NULL)
		f->pts_min = INT64_MIN;
	if (req_query(r, "points_max") == NULL)
		f->pts_max = INT64_MAX;
	f->coupons = -1;
	if ((q = req_query(r, "has_unused_coupons")) != NULL) {
		if (strcmp(q, "true") == 0 || strcmp(q, "1") == 0)
			f->coupons = 1;
		else if (strcmp(q, "false") == 0 || strcmp(q, "0") == 0)
			f->coupons = 0;
		else
			return resp_bad_field(r, "has_unused_coupons",
			    "是否有未使用的优惠券只能选“有”或“没有”");
	}
	f->sort = &sorts[SORT_JOINED];
	if ((q = req_query(r, "sort")) != NULL) {
		for (i = 0; i < SORT_N; i++)
			if (strcmp(q, sorts[i].name) == 0)
				break;
		if (i == SORT_N)
			return resp_bad_field(r, "sort",
			    "排序方式只能是入会时间、最近消费、余额或累计消费");
		f->sort = &sorts[i];
	}
	f->desc = 1;
	if ((q = req_query(r, "order")) != NULL) {
		if (strcmp(q, "asc") == 0)
			f->desc = 0;
		else if (strcmp(q, "desc") != 0)
			return resp_bad_field(r, "order",
			    "排序方向只能是升序或降序");
	}
	return 0;
}

/* One page of the list after the cursor, by statement q (cards_first:
   a count cards statement, ML_CARDS_FROM's values before the others). */
static int
ml_run(struct req *r, struct db_sql *q, const struct ml_query *f,
    int64_t limit, struct db_res *res)
{
	struct db_val cv, ci;
	const char *nm = f->name_like;
	int64_t bm = f->bmonth;
	int cp = f->coupons >= 0, n, cards_first = q == f->sort->c_asc ||
	    q == f->sort->c_desc;

	if (f->sort->is_time)
		cv = DBS(f->has_cursor ? f->cur_time : f->desc ? FAR_SQL :
		    NEVER_SQL);
	else
		cv = DBI(f->has_cursor ? f->cur_int : f->desc ? INT64_MAX :
		    INT64_MIN);
	ci = DBI(f->has_cursor ? f->cur_id : f->desc ? INT64_MAX : 0);
	{
		struct db_val v[] = { DBI(r->m->id), DBS(f->phone),
		    DBS(f->phone), DBS(f->last4), DBS(f->last4), DBS(f->card),
		    DBS(f->card), DBS(nm), DBS(nm), DBS(f->name_first),
		    DBS(f->name_first), DBI(f->growth_min), DBI(f->growth_max),
		    DBS(f->channel), DBS(f->channel), DBS(f->joined_from),
		    DBS(f->joined_to), DBIN(bm, bm > 0), DBIN(bm, bm > 0),
		    DBI(f->bal_min), DBI(f->bal_max), DBI(f->pts_min),
		    DBI(f->pts_max), DBS(f->last_from), DBS(f->last_to),
		    DBIN(f->tier_level, f->tier_ok),
		    DBIN(f->tier_level, f->tier_ok), DBIN(f->coupons, cp),
		    DBIN(f->coupons, cp), DBIN(f->coupons, cp),
		    COUNT_CARD_ML_BINDS(&f->cards), cv, cv, ci,
		    DBI(limit + 1) };
		struct db_val w[sizeof(v) / sizeof(v[0]) + 1];
		const struct db_val *args = v;
		int c0 = (int)(sizeof(v) / sizeof(v[0])) - 4 -
		    (ML_CARDS_NBINDS - 1);

		n = (int)(sizeof(v) / sizeof(v[0]));
		if (cards_first) {
			/* the merchant, the cards' values, then the rest */
			w[0] = v[0];
			memcpy(w + 1, v + c0, (ML_CARDS_NBINDS - 1) *
			    sizeof(*v));
			memcpy(w + ML_CARDS_NBINDS, v, (size_t)c0 *
			    sizeof(*v));
			memcpy(w + ML_CARDS_NBINDS + c0, v + c0 +
			    ML_CARDS_NBINDS - 1, 4 * sizeof(*v));
			n++;
			args = w;
		}
		if (db_run(r, q, res, args, n) != DB_OK)
			return db_fail(r);
	}
	return 0;
}

/* The ids of a name's page (ML_FILTERS and the page), by the named
   statement of the sort. */
static int
ml_run_named(struct req *r, const struct ml_query *f, int64_t limit,
    struct db_res *res)
{
	struct db_val cv, ci;
	const char *nm = f->name_like;
	int64_t bm = f->bmonth;

	if (f->sort->is_time)
		cv = DBS(f->has_cursor ? f->cur_time : f->desc ? FAR_SQL :
		    NEVER_SQL);
	else
		cv = DBI(f->has_cursor ? f->cur_int : f->desc ? INT64_MAX :
		    INT64_MIN);
	ci = DBI(f->has_cursor ? f->cur_id : f->desc ? INT64_MAX : 0);
	if (DB(r, f->desc ? f->sort->n_desc : f->sort->n_asc, res,
	    DBI(r->m->id), DBS(f->phone), DBS(f->phone), DBS(f->last4),
	    DBS(f->last4), DBS(f->card), DBS(f->card), DBS(nm), DBS(nm),
	    DBS(f->name_first), DBS(f->name_first),
	    DBI(f->growth_min), DBI(f->growth_max), DBS(f->channel),
	    DBS(f->channel), DBS(f->joined_from), DBS(f->joined_to),
	    DBIN(bm, bm > 0), DBIN(bm, bm > 0), DBI(f->bal_min),
	    DBI(f->bal_max), DBI(f->pts_min), DBI(f->pts_max),
	    DBS(f->last_from), DBS(f->last_to), cv, cv, ci,
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	return 0;
}

/* A name's page: its ids in the page's order, then their rows by
   ML_IDS_MAX at a time, put in that order (a member gone since: left out). */
static int
ml_by_ids(struct req *r, const struct db_res *idsp, struct db_res *res)
{
	struct db_val v[1 + ML_IDS_MAX];
	struct db_res part;
	const struct db_res ids = *idsp;
	char **vals;
	size_t *lens;
	int at, i, j, k = 0;

	vals = arena_calloc(r->a, (size_t)ids.nrows * ML_NCOLS + 1,
	    sizeof(*vals));
	lens = arena_calloc(r->a, (size_t)ids.nrows * ML_NCOLS + 1,
	    sizeof(*lens));
	for (at = 0; at < ids.nrows; at += ML_IDS_MAX) {
		v[0] = DBI(r->m->id);
		for (i = 0; i < ML_IDS_MAX; i++)
			v[1 + i] = DBI(at + i < ids.nrows ?
			    db_int(&ids, at + i, 0) : 0);
		if (db_run(r, &q_ml_rows, &part, v, 1 + ML_IDS_MAX) != DB_OK)
			return db_fail(r);
		for (i = at; i < ids.nrows && i < at + ML_IDS_MAX; i++) {
			for (j = 0; j < part.nrows; j++)
				if (db_int(&part, j, ML_ID) ==
				    db_int(&ids, i, 0))
					break;
			if (j == part.nrows)
				continue;
			memcpy(vals + (size_t)k * ML_NCOLS,
			    part.vals + (size_t)j * ML_NCOLS,
			    ML_NCOLS * sizeof(*vals));
			memcpy(lens + (size_t)k * ML_NCOLS,
			    part.lens + (size_t)j * ML_NCOLS,
			    ML_NCOLS * sizeof(*lens));
			k++;
		}
	}
	memset(res, 0, sizeof(*res));
	res->ncols = ML_NCOLS;
	res->vals = vals;
	res->lens = lens;
	res->nrows = k;
	return 0;
}

static int
ml_named(struct req *r, const struct ml_query *f, int64_t limit,
    struct db_res *res)
{
	struct db_res ids;
	int st;

	if ((st = ml_run_named(r, f, limit, &ids)) != 0)
		return st;
	return ml_by_ids(r, &ids, res);
}

/* May the page read the covered statements: in the order of joining, and
   no filter but those ix_member_joined holds (a tier is its growth band,
   migration 0038; a search, a last order's dates, unused coupons or count
   cards read other columns). */
static int
ml_cover_ok(const struct ml_query *f)
{
	return f->sort == &sorts[SORT_JOINED] && f->phone == NULL &&
	    f->last4 == NULL && f->card == NULL && f->name_like == NULL &&
	    strcmp(f->last_from, NEVER_SQL) == 0 &&
	    strcmp(f->last_to, FAR_SQL) == 0 && f->coupons < 0 &&
	    !f->cards.on;
}

/* The covered filters' values, as ML_COVER_WHERE binds them. */
#define ML_COVER_BINDS(r, f) DBI((r)->m->id), DBS((f)->channel), \
	DBS((f)->channel), DBS((f)->joined_from), DBS((f)->joined_to), \
	DBIN((f)->bmonth, (f)->bmonth > 0), \
	DBIN((f)->bmonth, (f)->bmonth > 0), DBI((f)->bal_min), \
	DBI((f)->bal_max), DBI((f)->pts_min), DBI((f)->pts_max), \
	DBI((f)->growth_min), DBI((f)->growth_max)

/* More than ML_COVER_FEW members through each covered filter the query
   names: 1, 0, or -1 on a failure (recorded). */
static int
ml_few_run(struct req *r, struct db_sql *q, struct db_val *v, int n)
{
	struct db_res res;

	if (db_run(r, q, &res, v, n) != DB_OK) {
		db_fail(r);
		return -1;
	}
	return res.nrows == 1 && db_int(&res, 0, 0) == 1;
}

/* How many of the covered filters the query names. */
static int
ml_cover_named(const struct ml_query *f)
{
	return (f->channel != NULL) + (f->bmonth > 0) +
	    (f->bal_min != INT64_MIN || f->bal_max != INT64_MAX) +
	    (f->pts_min != INT64_MIN || f->pts_max != INT64_MAX) +
	    (f->growth_min != INT64_MIN || f->growth_max != INT64_MAX);
}

/*
 * A set filter (a channel, a birthday month) and others, by joining:
 * whether they let few members through together, though each lets many
 * (a tier, a channel, a month and points: 80 of a million), counted on
 * the entries of the set filter's index (the month's, or the month's and
 * the channel's range, read at most); unused coupons as the counter the
 * index holds (all who may have one). 1, 0 (or not such a query), -1 on
 * a failure (recorded).
 */
static int
ml_combo_few(struct req *r, const struct ml_query *f)
{
	struct db_val w[] = { DBI(r->m->id), DBS(f->channel),
	    DBS(f->channel), DBIN(f->bmonth, f->bmonth > 0),
	    DBIN(f->bmonth, f->bmonth > 0), DBI(f->growth_min),
	    DBI(f->growth_max), DBI(f->pts_min), DBI(f->pts_max),
	    DBI(f->bal_min), DBI(f->bal_max),
	    DBI(f->coupons == 1 ? 1 : INT64_MIN) };

	if ((f->channel == NULL && f->bmonth == 0) ||
	    ml_cover_named(f) + (f->coupons == 1) < 2 || f->phone != NULL ||
	    f->card != NULL || f->last4 != NULL || f->name_like != NULL ||
	    f->cards.on)
		return 0;
	return ml_few_run(r, f->bmonth > 0 ? &q_ml_few_combo_month :
	    &q_ml_few_combo_channel, w, (int)(sizeof(w) / sizeof(w[0])));
}

static int
ml_cover_many(struct req *r, const struct ml_query *f)
{
	struct db_val v[3];
	int few;

	v[0] = DBI(r->m->id);
	few = ml_combo_few(r, f);
	if (few == 0 && f->channel != NULL) {
		v[1] = DBS(f->channel);
		few = ml_few_run(r, &q_ml_few_channel, v, 2);
	}
	if (few == 0 && f->bmonth > 0) {
		v[1] = DBI(f->bmonth);
		few = ml_few_run(r, &q_ml_few_month, v, 2);
	}
	if (few == 0 && (f->bal_min != INT64_MIN || f->bal_max != INT64_MAX)) {
		v[1] = DBI(f->bal_min);
		v[2] = DBI(f->bal_max);
		few = ml_few_run(r, &q_ml_few_balance, v, 3);
	}
	if (few == 0 && (f->pts_min != INT64_MIN || f->pts_max != INT64_MAX)) {
		v[1] = DBI(f->pts_min);
		v[2] = DBI(f->pts_max);
		few = ml_few_run(r, &q_ml_few_points, v, 3);
	}
	/* a tier: its growth band (tier_check may not have let its own
	   index drive, or its own read came back short) */
	if (few == 0 && (f->growth_min != INT64_MIN ||
	    f->growth_max != INT64_MAX)) {
		v[1] = DBI(f->growth_min);
		v[2] = DBI(f->growth_max);
		few = ml_few_run(r, &q_ml_few_growth, v, 3);
	}
	return few < 0 ? -1 : !few;
}

/* A covered page: its ids from ix_member_joined's entries, then rows
   (bounded: ML_COVER_EXAMINED entries at most, res empty when that
   passes fewer than a page). */
static int
ml_covered_by(struct req *r, const struct ml_query *f, int64_t limit,
    int bounded, struct db_res *res)
{
	struct db_val cv, ci;
	struct db_res ids;
	struct db_sql *q = bounded ?
	    (f->desc ? &q_mlb_joined_desc : &q_mlb_joined_asc) :
	    (f->desc ? &q_mlw_joined_desc : &q_mlw_joined_asc);

	cv = DBS(f->has_cursor ? f->cur_time : f->desc ? FAR_SQL : NEVER_SQL);
	ci = DBI(f->has_cursor ? f->cur_id : f->desc ? INT64_MAX : 0);
	if (DB(r, q, &ids, ML_COVER_BINDS(r, f), cv, cv, ci,
	    DBI(limit + 1)) != DB_OK)
		return db_fail(r);
	if (bounded && ids.nrows <= limit) {
		memset(res, 0, sizeof(*res));
		res->ncols = ML_NCOLS;
		return 0;
	}
	return ml_by_ids(r, &ids, res);
}

static int
ml_covered(struct req *r, const struct ml_query *f, int64_t limit,
    struct db_res *res)
{
	return ml_covered_by(r, f, limit, 0, res);
}

/* One of the ranges the query names lets at most ML_RANGE_FEW members
   through (its own index's entries, the count stopped there): 1, 0, -1
   on a failure (recorded). */
static int
ml_range_few(struct req *r, const struct ml_query *f)
{
	struct db_val v[3];
	int few = 0;

	v[0] = DBI(r->m->id);
	if (f->bal_min != INT64_MIN || f->bal_max != INT64_MAX) {
		v[1] = DBI(f->bal_min);
		v[2] = DBI(f->bal_max);
		few = ml_few_run(r, &q_ml_range_balance, v, 3);
	}
	if (few == 0 && (f->pts_min != INT64_MIN || f->pts_max != INT64_MAX)) {
		v[1] = DBI(f->pts_min);
		v[2] = DBI(f->pts_max);
		few = ml_few_run(r, &q_ml_range_points, v, 3);
	}
	if (few == 0 && (f->growth_min != INT64_MIN ||
	    f->growth_max != INT64_MAX)) {
		v[1] = DBI(f->growth_min);
		v[2] = DBI(f->growth_max);
		few = ml_few_run(r, &q_ml_range_growth, v, 3);
	}
	return few;
}

/*
 * Few count cards in the filter's state (at most ML_CARDS_FEW; counting
 * stops there): then the page starts from them at once, instead of after
 * the in-order read's 5000 rows and a probe of the cards for each. 0 or
 * 1, -1 on a failure (recorded).
 */
#define ML_CARDS_FEW	"500"
#define ML_CARDS_FEW_1	"501"
DB_SQL_COLS(q_ml_cards_few, 1,
    "SELECT COUNT(*) <= " ML_CARDS_FEW " FROM (SELECT 1 FROM count_cards cc"
    " FORCE INDEX (ix_cc_member)"
    " WHERE cc.merchant_id = ? AND ? = 1"
    " AND cc.uses_left BETWEEN ? AND ? AND cc.expires_at >= ?"
    " AND cc.expires_at < ? AND cc.refunded_uses BETWEEN ? AND ?"
    " LIMIT " ML_CARDS_FEW_1 ") x");

static int
ml_cards_few(struct req *r, const struct ml_query *f)
{
	struct db_res res;

	if (DB(r, &q_ml_cards_few, &res, DBI(r->m->id),
	    COUNT_CARD_ML_BINDS(&f->cards)) != DB_OK) {
		db_fail(r);
		return -1;
	}
	return res.nrows == 1 && db_int(&res, 0, 0) == 1;
}

/*
 * One page (limit + 1 rows, or fewer at the end) into res: in the sort's
 * order first (a surname, one character, in the order of its own
 * ix_member_first_* index), filtered (named for a name, unless a filter
 * outside ML_FILTERS, unused coupons or count cards, asks for more) when that comes back short; a name of
 * more than one character (a whole name, 张伟, or a compound surname,
 * 欧阳) has few members, which the named statement finds at once. A
 * phone or a card number, or the last four of a phone (one member in ten
 * thousand), finds its members by its own index at once.
 */
/* By joining with covered filters only: the entries in order when many
   pass (ml_cover_many), else the filtered statement from the fewest. */
static int
ml_cover_or_filtered(struct req *r, const struct ml_query *f, int64_t limit,
    struct db_res *res)
{
	int many;

	int st, few;

	if ((many = ml_cover_many(r, f)) < 0)
		return r->status;
	if (many && f->channel == NULL && f->bmonth == 0 &&
	    ml_cover_named(f) > 1) {
		/* ranges only, each wide: bounded, then by the narrowest */
		if ((st = ml_covered_by(r, f, limit, 1, res)) != 0 ||
		    res->nrows > limit)
			return st;
		if ((few = ml_range_few(r, f)) < 0)
			return r->status;
		many = !few;
	}
	if (many)
		return ml_covered(r, f, limit, res);
	return ml_run(r, f->desc ? f->sort->f_desc : f->sort->f_asc, f, limit,
	    res);
}

/*
 * The in-order statement by joining among a filter's own members, or NULL
 * (another sort, a search, count cards, or none of those filters): unused
 * coupons first (one member in fifty), then a tier whose own index may be
 * read (ix_member_tier_joined, as before), a balance above nothing, points
 * above nothing, a channel, a birthday month.
 */
static struct db_sql *
ml_own(const struct ml_query *f)
{
	if (f->sort != &sorts[SORT_JOINED] || f->phone != NULL ||
	    f->card != NULL || f->last4 != NULL || f->name_like != NULL ||
	    f->cards.on)
		return NULL;
	if (f->coupons == 1)
		return f->desc ? &q_mlo_coupons_desc : &q_mlo_coupons_asc;
	if (f->tier_ok)
		return NULL;
	if (f->bal_min > 0)
		return f->desc ? &q_mlo_balance_desc : &q_mlo_balance_asc;
	if (f->pts_min > 0)
		return f->desc ? &q_mlo_points_desc : &q_mlo_points_asc;
	if (f->channel != NULL)
		return f->desc ? &q_mlo_channel_desc : &q_mlo_channel_asc;
	if (f->bmonth > 0)
		return f->desc ? &q_mlo_month_desc : &q_mlo_month_asc;
	return NULL;
}

static int
ml_page(struct req *r, const struct ml_query *f, int64_t limit,
    struct db_res *res)
{
	struct db_sql *own;
	int st, few;

	/* few count cards: from their members at once */
	if (f->cards.on && f->name_like == NULL && f->phone == NULL &&
	    f->card == NULL && f->last4 == NULL) {
		if ((few = ml_cards_few(r, f)) < 0)
			return r->status;
		if (few)
			return ml_run(r, f->desc ? f->sort->c_desc :
			    f->sort->c_asc, f, limit, res);
	}
	/* more than a surname's first character: few members, named at once */
	if (f->name_like != NULL && f->coupons < 0 && !f->cards.on &&
	    f->name_first == NULL)
		return ml_named(r, f, limit, res);
	if (f->name_first != NULL) {
		if ((st = ml_run(r, f->desc ? f->sort->s_desc : f->sort->s_asc,
		    f, limit, res)) != 0 || res->nrows > limit)
			return st;
	} else if (ml_cover_ok(f) && ml_cover_named(f) > 1) {
		/* several filters by joining: the covered read in order when
		   many pass together, else the filtered statement from the
		   fewest (before, the in-order read's 5000 rows first) */
		return ml_cover_or_filtered(r, f, limit, res);
	} else if ((own = ml_own(f)) != NULL) {
		/* by joining among a filter's own members (migration 0038) */
		if ((st = ml_run(r, own, f, limit, res)) != 0 ||
		    res->nrows > limit)
			return st;
	} else if (f->phone == NULL && f->card == NULL && f->last4 == NULL &&
	    f->tier_ok) {
		/* a tier among its own members, in the sort's order */
		if ((st = ml_run(r, f->desc ? f->sort->t_desc : f->sort->t_asc,
		    f, limit, res)) != 0 || res->nrows > limit)
			return st;
	} else if (ml_cover_ok(f) && ml_cover_named(f) == 1) {
		/* a balance or points range, or a tier whose own index may not
		   be read, alone: as several (a wide one absent from the newest
		   read 5000 rows before its entries) */
		return ml_cover_or_filtered(r, f, limit, res);
	} else if (f->phone == NULL && f->card == NULL && f->last4 == NULL) {
		if ((st = ml_run(r, f->desc ? f->sort->desc : f->sort->asc, f,
		    limit, res)) != 0 || res->nrows > limit)
			return st;
	}
	if (f->name_like != NULL && f->coupons < 0 && !f->cards.on)
		return ml_named(r, f, limit, res);
	/* many members through, not among the first in order: covered */
	if (ml_cover_ok(f)) {
		if ((few = ml_cover_many(r, f)) < 0)
			return r->status;
		if (few)
			return ml_covered(r, f, limit, res);
	}
	if (f->name_like != NULL)
		return ml_run(r, f->desc ? f->sort->fn_desc :
		    f->sort->fn_asc, f, limit, res);
	if (f->cards.on)
		return ml_run(r, f->desc ? f->sort->c_desc : f->sort->c_asc,
		    f, limit, res);
	return ml_run(r, f->desc ? f->sort->f_desc : f->sort->f_asc, f, limit,
	    res);
}

/* The tier ladder, read once for a page of rows. */
struct ladder {
	const struct tier_row	*t;
	struct tier_step	*steps;
	int			 n;
};

static int
ladder_load(struct req *r, struct ladder *l)
{
	int i, st;

	if ((st = tiers_load(r, &l->t, &l->n)) != 0)
		return st;
	l->steps = arena_calloc(r->a, (size_t)l->n + 1, sizeof(*l->steps));
	for (i = 0; i < l->n; i++) {
		l->steps[i].level = l->t[i].level;
		l->steps[i].growth = l->t[i].growth;
	}
	return 0;
}

static const struct tier_row *
row_tier(const struct ladder *l, const struct db_res *res, int i)
{
	int next, c = tier_for_growth(l->steps, l->n, db_int(res, i,
	    ML_GROWTH), &next);

	return c >= 0 ? &l->t[c] : NULL;
}

/* The stored time as RFC 3339, null for "never". */
static void
j_when(struct req *r, cJSON *o, const char *k, const char *sql)
{
	if (sql == NULL || strncmp(sql, "1000-01-01", 10) == 0)
		j_null(o, k);
	else
		j_str(o, k, time_rfc3339(r, sql));
}

static cJSON *
ml_json(struct req *r, const struct ladder *l, const struct db_res *res,
    int i)
{
	const struct tier_row *t = row_tier(l, res, i);
	cJSON *x = j_obj(), *tj;
	char masked[32];

	j_int(x, "id", db_int(res, i, ML_ID));
	j_str(x, "name", db_str(res, i, ML_NAME));
	phone_mask(db_str(res, i, ML_PHONE), masked, sizeof(masked));
	j_str(x, "phone_masked", masked);
	j_str(x, "card_no", db_str(res, i, ML_CARD));
	if (t == NULL)
		j_null(x, "tier");
	else {
		tj = j_obj();
		j_int(tj, "level", t->level);
		j_str(tj, "name", t->name);
		j_add(x, "tier", tj);
	}
	j_int(x, "balance_fen", db_int(res, i, ML_BALANCE));
	j_int(x, "points", db_int(res, i, ML_POINTS));
	j_when(r, x, "joined_at", db_str(res, i, ML_JOINED));
	j_when(r, x, "last_order_at", db_str(res, i, ML_LAST));
	j_int(x, "spend_fen", db_int(res, i, ML_SPEND));
	return x;
}

/*
 * GET staff/members: one page of the filtered, sorted list.
 * Out: {data:[member], next_cursor}. Errors: 400 invalid_field (the
 * filter named).
 */
static int
staff_member_list(struct req *r)
{
	struct ml_query f;
	struct ladder l;
	struct db_res res;
	cJSON *root, *arr;
	int i, n, st;

	if ((st = parse_filters(r, &f)) != 0)
		return st;
	f.limit = 20;
	if (req_query_int(r, "limit", 0, 1, 100, &f.limit) == -1) {
		resp_reset(r);
		return resp_bad_field(r, "limit", "每页条数应为 1 到 100");
	}
	if ((st = parse_cursor(r, &f)) != 0 ||
	    (st = ml_page(r, &f, f.limit, &res)) != 0 ||
	    (st = ladder_load(r, &l)) != 0)
		return st;
	n = res.nrows > f.limit ? (int)f.limit : res.nrows;
	arr = j_arr();
	for (i = 0; i < n; i++)
		j_add(arr, NULL, ml_json(r, &l, &res, i));
	root = j_obj();
	j_add(root, "data", arr);
	if (res.nrows > f.limit)
		j_str(root, "next_cursor", make_cursor(r, &f, &res, n - 1));
	else
		j_null(root, "next_cursor");
	/* resp_list's envelope, with the cursor this list pages by */
	{
		size_t len;
		char *s = json_print(r->a, root, &len);

		if (s == NULL)
			return resp_internal(r);
		return resp_raw(r, 200, "application/json; charset=utf-8", s,
		    len);
	}
}

/* ---- the filter, for coupon pushes (staff.h) ---- */

/* The filters of a stored query string, in the order members joined. */
static int
filter_of(struct req *r, const char *query, struct ml_query *f)
{
	const char *keep = r->query;
	int st;

	r->query = query != NULL ? query : "";
	st = parse_filters(r, f);
	r->query = keep;
	f->sort = &sorts[SORT_JOINED];
	f->desc = 0;
	return st;
}

int
members_filter_check(struct req *r, const char *query)
{
	struct ml_query f;

	return filter_of(r, query, &f);
}

int
members_filter_page(struct req *r, const char *query, const char *cursor,
    int64_t limit, int64_t *ids, int *n, const char **next)
{
	const char *keep = r->query;
	struct ml_query f;
	struct db_res res;
	int i, st;

	*n = 0;
	*next = NULL;
	if ((st = filter_of(r, query, &f)) != 0)
		return st;
	if (cursor != NULL && *cursor != '\0') {
		r->query = arena_printf(r->a, "cursor=%s", cursor);
		st = parse_cursor(r, &f);
		r->query = keep;
		if (st != 0)
			return st;
	}
	if ((st = ml_page(r, &f, limit, &res)) != 0)
		return st;
	*n = res.nrows > limit ? (int)limit : res.nrows;
	for (i = 0; i < *n; i++)
		ids[i] = db_int(&res, i, ML_ID);
	if (res.nrows > limit)
		*next = make_cursor(r, &f, &res, *n - 1);
	return 0;
}

/* ---- the CSV ---- */

#define CSV_HEADER "会员编号,姓名,手机号,卡号,会员等级,余额（元）,积分," \
	"入会时间,最近消费,累计消费（元）"

/* A CSV field: quoted when it must be (and with a tab); a leading =+-@
   made text with a ' before it, as staff/products.csv does. */
static void
csv_field(struct sbuf *b, const char *s)
{
	const char *p;

	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n\t") == NULL && (*s == '\0' ||
	    strchr("=+-@", *s) == NULL)) {
		sbuf_puts(b, s);
		return;
	}
	sbuf_putc(b, '"');
	if (*s != '\0' && strchr("=+-@", *s) != NULL)
		sbuf_putc(b, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			sbuf_putc(b, '"');
		sbuf_putc(b, *p);
	}
	sbuf_putc(b, '"');
}

/* "2026-12-01 14:05" in the merchant's zone; "" for never. */
static void
csv_time(struct sbuf *b, const char *sql, long tz)
{
	int64_t t;
	char s[20];

	if (sql == NULL || strncmp(sql, "1000-01-01", 10) == 0 ||
	    time_sql_parse(sql, &t) == -1)
		return;
	time_sql(t + tz, s);
	sbuf_add(b, s, 16);
}

static void
csv_yuan(struct sbuf *b, int64_t fen)
{
	sbuf_printf(b, "%s%lld.%02lld", fen < 0 ? "-" : "",
	    (long long)(llabs(fen) / 100), (long long)(llabs(fen) % 100));
}

static void
csv_row(const struct ladder *l, struct sbuf *b, const struct db_res *res,
    int i, long tz)
{
	const struct tier_row *t = row_tier(l, res, i);
	char masked[32];

	sbuf_printf(b, "%lld,", (long long)db_int(res, i, ML_ID));
	csv_field(b, db_str(res, i, ML_NAME));
	sbuf_putc(b, ',');
	phone_mask(db_str(res, i, ML_PHONE), masked, sizeof(masked));
	sbuf_puts(b, masked);
	sbuf_putc(b, ',');
	/* a tab after it, so that Excel keeps all sixteen digits as text */
	csv_field(b, arena_printf(b->a, "%s\t", db_str(res, i, ML_CARD)));
	sbuf_putc(b, ',');
	csv_field(b, t != NULL ? t->name : "");
	sbuf_putc(b, ',');
	csv_yuan(b, db_int(res, i, ML_BALANCE));
	sbuf_printf(b, ",%lld,", (long long)db_int(res, i, ML_POINTS));
	csv_time(b, db_str(res, i, ML_JOINED), tz);
	sbuf_putc(b, ',');
	csv_time(b, db_str(res, i, ML_LAST), tz);
	sbuf_putc(b, ',');
	csv_yuan(b, db_int(res, i, ML_SPEND));
	sbuf_puts(b, "\r\n");
}

/*
 * GET staff/members.csv: the whole filtered list (cursor and limit are
 * ignored) as CSV, UTF-8 with a BOM so that Excel reads the Chinese,
 * streamed a page of CSV_PAGE rows at a time: each page is read, written
 * and its memory let go before the next, so an export of a million
 * members holds one page. X-Total-Count is not sent (counting first would
 * read the list twice); the console counts the rows as they come.
 * Errors: as the list, before the first byte; one past it (the request's
 * deadline for its reports, db.h) ends the download as failed
 * (resp_stream_abort), never as a shorter file.
 */
static int
staff_member_csv(struct req *r)
{
	struct ml_query f;
	struct arena *keep = r->a, *page;
	struct ladder l;
	struct db_res res;
	struct sbuf b;
	long tz = tz_offset(r->m->tz);
	int64_t rows = 0;
	int i, n, st, more = 1;

	if ((st = parse_filters(r, &f)) != 0)
		return st;
	/* the first page before the head, so that its failure is an answer */
	if ((page = arena_new(256 * 1024)) == NULL)
		return resp_internal(r);
	r->a = page;
	st = ml_page(r, &f, CSV_PAGE, &res);
	if (st == 0)
		st = ladder_load(r, &l);
	r->a = keep;
	if (st != 0) {
		arena_free(page);
		return st;
	}
	resp_header(r, "Content-Disposition", arena_printf(r->a,
	    "attachment; filename=\"members-%s.csv\"", r->m->code));
	if (resp_stream_begin(r, 200, "text/csv; charset=utf-8") == -1 ||
	    resp_stream_write(r, "\xEF\xBB\xBF" CSV_HEADER "\r\n",
	    sizeof("\xEF\xBB\xBF" CSV_HEADER "\r\n") - 1) == -1 ||
	    r->method == M_HEAD)
		more = 0;
	while (more) {
		r->a = page;
		n = res.nrows > CSV_PAGE ? CSV_PAGE : res.nrows;
		sbuf_init(&b, page, 64 * 1024);
		for (i = 0; i < n; i++)
			csv_row(&l, &b, &res, i, tz);
		rows += n;
		more = res.nrows > CSV_PAGE;
		if (resp_stream_write(r, b.buf, b.len) == -1)
			more = 0;
		if (more) {
			/* the cursor of the last row, out of the page's arena */
			f.has_cursor = 1;
			f.cur_id = db_int(&res, n - 1, ML_ID);
			if (f.sort->is_time)
				snprintf(f.cur_time, sizeof(f.cur_time), "%s",
				    db_str(&res, n - 1, f.sort->col));
			else
				f.cur_int = db_int(&res, n - 1, f.sort->col);
			arena_reset(page);
			if (cfg.export_pause_ms > 0)	/* test knob */
				usleep((useconds_t)cfg.export_pause_ms * 1000);
			if (ml_page(r, &f, CSV_PAGE, &res) != 0 ||
			    ladder_load(r, &l) != 0) {
				/* past the head: no error answer is left, and
				   the client must not take the part for all */
				log_err(r, "members.csv: cut short after %lld"
				    " rows (%s)", (long long)rows,
				    r->err_code ? r->err_code : "error");
				resp_stream_abort(r);
				more = 0;
			}
		}
		r->a = keep;
	}
	arena_free(page);
	return 200;
}

/* ---- one member ---- */

enum { MD_ID, MD_NAME, MD_PHONE, MD_CARD, MD_BIRTHDAY, MD_GENDER,
    MD_CHANNEL, MD_GROWTH, MD_POINTS, MD_PRINCIPAL, MD_BONUS, MD_JOINED,
    MD_LAST, MD_SPEND, MD_COUPONS, MD_NCOLS };
DB_SQL_COLS(q_md_member, MD_NCOLS,
    "SELECT mb.id, mb.name, mb.phone, mb.card_no, mb.birthday, mb.gender,"
    " mb.channel, mb.growth, mb.points, mb.principal_fen, mb.bonus_fen,"
    " mb.joined_at, mb.last_order_at, mb.spend_fen,"
    " (SELECT COUNT(*) FROM coupons c WHERE c.merchant_id = mb.merchant_id"
    "  AND c.member_id = mb.id AND c.status = 'unused'"
    "  AND c.valid_until >= UTC_TIMESTAMP())"
    " FROM members mb WHERE mb.merchant_id = ? AND mb.id = ?");

enum { WE_ID, WE_KIND, WE_PRINCIPAL, WE_BONUS, WE_REF, WE_AT, WE_NCOLS };
DB_SQL_COLS(q_md_wallet, WE_NCOLS,
    "SELECT id, kind, principal_fen, bonus_fen, ref, created_at"
    " FROM wallet_entries WHERE merchant_id = ? AND member_id = ?"
    " ORDER BY id DESC LIMIT 20");

enum { PE_ID, PE_KIND, PE_POINTS, PE_REF, PE_AT, PE_NCOLS };
DB_SQL_COLS(q_md_points, PE_NCOLS,
    "SELECT id, kind, points, ref, created_at"
    " FROM points_entries WHERE merchant_id = ? AND member_id = ?"
    " ORDER BY id DESC LIMIT 20");

enum { CP_CODE, CP_NAME, CP_KIND, CP_STATUS, CP_FROM, CP_UNTIL,
    CP_CLAIMED, CP_USED, CP_NCOLS };
DB_SQL_COLS(q_md_coupons, CP_NCOLS,
    "SELECT code, name, kind, IF(status = 'unused' AND valid_until"
    " < UTC_TIMESTAMP(), 'expired', status), valid_from, valid_until,"
    " claimed_at, used_at FROM coupons WHERE merchant_id = ?"
    " AND member_id = ? ORDER BY id DESC LIMIT 20");

enum { OD_ID, OD_STORE, OD_STATUS, OD_TOTAL, OD_REFUNDED, OD_CREATED,
    OD_NCOLS };
DB_SQL_COLS(q_md_orders, OD_NCOLS,
    "SELECT id, store_id, status, total_fen, refunded_fen, created_at"
    " FROM orders WHERE merchant_id = ? AND member_id = ?"
    " ORDER BY id DESC LIMIT 10");

/*
 * GET staff/members/{id}: the member's profile, tier, balance and
 * points, the latest 20 wallet and points entries and coupons, the
 * latest 10 orders, the holds (member_holds_json). Errors: 404 not_found.
 */
static int
staff_member_get(struct req *r)
{
	const struct tier_row *cur = NULL, *next = NULL;
	struct db_res res, w;
	int64_t id;
	cJSON *d, *x, *arr;
	char masked[32];
	int i, st;

	if (req_param_id(r, "id", &id) == -1)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	if (DB(r, &q_md_member, &res, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "会员不存在", NULL);
	if ((st = tier_of_growth(r, db_int(&res, 0, MD_GROWTH), &cur,
	    &next)) != 0)
		return st;
	d = j_obj();
	j_int(d, "id", id);
	j_str(d, "name", db_str(&res, 0, MD_NAME));
	phone_mask(db_str(&res, 0, MD_PHONE), masked, sizeof(masked));
	j_str(d, "phone_masked", masked);
	j_str(d, "card_no", db_str(&res, 0, MD_CARD));
	j_str(d, "birthday", db_str(&res, 0, MD_BIRTHDAY));
	j_str(d, "gender", db_str(&res, 0, MD_GENDER));
	j_str(d, "channel", db_str(&res, 0, MD_CHANNEL));
	j_when(r, d, "joined_at", db_str(&res, 0, MD_JOINED));
	j_add(d, "tier", cur != NULL ? tier_json(cur) : NULL);
	if (next != NULL) {
		x = j_obj();
		j_int(x, "level", next->level);
		j_str(x, "name", next->name);
		j_int(x, "growth_needed", next->growth -
		    db_int(&res, 0, MD_GROWTH));
		j_add(d, "next_tier", x);
	} else
		j_null(d, "next_tier");
	j_int(d, "growth", db_int(&res, 0, MD_GROWTH));
	x = j_obj();
	j_int(x, "principal_fen", db_int(&res, 0, MD_PRINCIPAL));
	j_int(x, "bonus_fen", db_int(&res, 0, MD_BONUS));
	j_int(x, "total_fen", db_int(&res, 0, MD_PRINCIPAL) +
	    db_int(&res, 0, MD_BONUS));
	j_add(d, "balance", x);
	j_int(d, "points", db_int(&res, 0, MD_POINTS));
	j_int(d, "spend_fen", db_int(&res, 0, MD_SPEND));
	j_when(r, d, "last_order_at", db_str(&res, 0, MD_LAST));
	j_int(d, "coupons_unused", db_int(&res, 0, MD_COUPONS));

	if (DB(r, &q_md_wallet, &w, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < w.nrows; i++) {
		x = j_obj();
		j_int(x, "id", db_int(&w, i, WE_ID));
		j_str(x, "at", time_rfc3339(r, db_str(&w, i, WE_AT)));
		j_str(x, "kind", db_str(&w, i, WE_KIND));
		j_int(x, "principal_fen", db_int(&w, i, WE_PRINCIPAL));
		j_int(x, "bonus_fen", db_int(&w, i, WE_BONUS));
		j_str(x, "ref", db_str(&w, i, WE_REF));
		j_add(arr, NULL, x);
	}
	j_add(d, "wallet_entries", arr);

	if (DB(r, &q_md_points, &w, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < w.nrows; i++) {
		x = j_obj();
		j_int(x, "id", db_int(&w, i, PE_ID));
		j_str(x, "at", time_rfc3339(r, db_str(&w, i, PE_AT)));
		j_str(x, "kind", db_str(&w, i, PE_KIND));
		j_int(x, "points", db_int(&w, i, PE_POINTS));
		j_str(x, "ref", db_str(&w, i, PE_REF));
		j_add(arr, NULL, x);
	}
	j_add(d, "points_entries", arr);

	if (DB(r, &q_md_coupons, &w, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < w.nrows; i++) {
		x = j_obj();
		j_str(x, "code", db_str(&w, i, CP_CODE));
		j_str(x, "name", db_str(&w, i, CP_NAME));
		j_str(x, "kind", db_str(&w, i, CP_KIND));
		j_str(x, "status", db_str(&w, i, CP_STATUS));
		j_str(x, "valid_from", time_rfc3339(r, db_str(&w, i, CP_FROM)));
		j_str(x, "valid_until", time_rfc3339(r, db_str(&w, i,
		    CP_UNTIL)));
		j_str(x, "claimed_at", time_rfc3339(r, db_str(&w, i,
		    CP_CLAIMED)));
		j_when(r, x, "used_at", db_str(&w, i, CP_USED));
		j_add(arr, NULL, x);
	}
	j_add(d, "coupons", arr);

	if (DB(r, &q_md_orders, &w, DBI(r->m->id), DBI(id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < w.nrows; i++) {
		x = j_obj();
		j_int(x, "id", db_int(&w, i, OD_ID));
		j_int(x, "store_id", db_int(&w, i, OD_STORE));
		j_str(x, "status", db_str(&w, i, OD_STATUS));
		j_int(x, "total_fen", db_int(&w, i, OD_TOTAL));
		j_int(x, "refunded_fen", db_int(&w, i, OD_REFUNDED));
		j_str(x, "created_at", time_rfc3339(r, db_str(&w, i,
		    OD_CREATED)));
		j_add(arr, NULL, x);
	}
	j_add(d, "orders", arr);
	/* blocked, the tier held by hand, the card, the staff's actions */
	if ((x = member_holds_json(r, id)) == NULL)
		return r->status;
	j_add(d, "holds", x);
	if ((arr = count_cards_of_member(r, id, 0)) == NULL)
		return r->status;
	j_add(d, "count_cards", arr);
	return resp_data(r, 200, d);
}

/* ---- what orders change ---- */

/* The money the order took, and when it was paid, onto its member. */
DB_SQL(q_ml_paid,
    "UPDATE members mb JOIN orders o ON o.merchant_id = mb.merchant_id"
    " AND o.member_id = mb.id AND o.id = ?"
    " SET mb.spend_fen = mb.spend_fen + (o.principal_fen + o.bonus_fen"
    "  + o.cash_fen + o.card_fen + o.online_fen),"
    " mb.last_order_at = GREATEST(mb.last_order_at,"
    "  IFNULL(o.paid_at, UTC_TIMESTAMP()))"
    " WHERE mb.merchant_id = ? AND mb.id = ?");
DB_SQL(q_ml_refunded,
    "UPDATE members SET spend_fen = spend_fen - ?"
    " WHERE merchant_id = ? AND id = ? AND spend_fen >= ?");

static int
members_on_paid(struct req *r, const void *arg)
{
	const struct order_paid *e = arg;
	struct db_res res;

	if (e->member_id <= 0)
		return 0;
	if (DB(r, &q_ml_paid, &res, DBI(e->order_id), DBI(r->m->id),
	    DBI(e->member_id)) != DB_OK)
		return db_fail(r);
	return 0;
}

static int
members_on_refunded(struct req *r, const void *arg)
{
	const struct order_refunded *e = arg;
	struct db_res res;

	if (e->member_id <= 0 || e->amount_fen <= 0)
		return 0;
	if (DB(r, &q_ml_refunded, &res, DBI(e->amount_fen), DBI(r->m->id),
	    DBI(e->member_id), DBI(e->amount_fen)) != DB_OK)
		return db_fail(r);
	/* spend counts every paid order's money, so a refund always fits;
	   a figure for the list is not worth refusing a refund over */
	if (res.affected != 1)
		log_warn(r, "member %lld: spend_fen below refund %lld",
		    (long long)e->member_id, (long long)e->amount_fen);
	return 0;
}

ON_EVENT(EV_ORDER_PAID, 70, members_on_paid);
ON_EVENT(EV_ORDER_REFUNDED, 70, members_on_refunded);

#define MBASE "/api/v1/m/:merchant/staff/members"

ROUTES(members_staff_routes) = {
	{ M_GET, MBASE, staff_member_list,
	    AUTH_STAFF | ROLE_OWNER | ROLE_MARKETING },
	{ M_GET, MBASE ".csv", staff_member_csv,
	    AUTH_STAFF | ROLE_OWNER | ROLE_MARKETING },
	{ M_GET, MBASE "/:id", staff_member_get,
	    AUTH_STAFF | ROLE_OWNER | ROLE_MARKETING },
	{ 0, NULL, NULL, 0 }
};
