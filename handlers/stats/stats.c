/*
 * Analytics for owners and marketing: coupons (claims, use, discount cost,
 * ROI), members (new members by day, channel and tier; what members spend
 * from stored value) and stored value (recharges by day, package and
 * provider; balance used; the balance outstanding).
 *
 * Every route takes ?from=&to= (local dates of the merchant, both included;
 * by default the 30 days up to today; at most 366 days) and answers the
 * period with totals and a "daily" series that has every day of the period,
 * days without activity at zero. Rates and ratios are numbers rounded to
 * four places, null when there is nothing to divide by. Times are bucketed
 * into days in the merchant's zone.
 */
/* every statement here is a report's: bounded in time (fcgi/db.h) */
#define DB_FILE_REPORT 1
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "core/core.h"
#include "db.h"
#include "stats.h"

/* ---- statements: (merchant, UTC start, UTC end) unless said ---- */

/*
 * The coupon report from the rollups (stats_coupon_days, migrations 0027,
 * 0030 and 0039), summed over days, slots and stores by template: the
 * period's totals at valid_until 1970-01-01 (coupons claimed and what has
 * become of them by now: used, voided; coupons used with their discount
 * and order amounts), then the unused past valid_until (expired: merged at
 * 1970-01-02, or by their valid_until since the last stats-fold): ranges
 * of the key that lead with valid_until, so that the rows of the coupons
 * still valid are never read (by the key: with the day's index MariaDB
 * read every row of the days). Two rows at most per template, whatever
 * the days (the app adds them): a year's rows are summed here, not in the
 * app (a row per day and template was ~7,300 rows for a year, grouped in
 * a temporary table and summed again), and the totals' sums are not taken
 * over the expired rows, which carry unused alone. (merchant, first day,
 * last day, store, store, merchant, first day, last day, first, last,
 * store, store).
 */
enum { CR_TEMPLATE, CR_ISSUED, CR_ISSUED_USED, CR_CANCELLED, CR_EXPIRED,
    CR_USED, CR_DISCOUNT, CR_ORDERS, CR_NEW, CR_NCOLS };
DB_SQL_COLS(q_stats_coupon_templates, CR_NCOLS,
    "SELECT template_id, SUM(claims), SUM(claimed_used),"
    " SUM(claimed_cancelled), 0, SUM(redeemed), SUM(redeemed_discount_fen),"
    " SUM(redeemed_order_fen), SUM(new_claims)"
    " FROM stats_coupon_days FORCE INDEX (PRIMARY) WHERE merchant_id = ?"
    " AND valid_until = '1970-01-01 00:00:00' AND day BETWEEN ? AND ?"
    " AND (? = 0 OR store_id = ?) GROUP BY template_id"
    " UNION ALL SELECT template_id, 0, 0, 0, SUM(unused), 0, 0, 0, 0"
    " FROM stats_coupon_days FORCE INDEX (PRIMARY) WHERE merchant_id = ?"
    " AND ((valid_until = '1970-01-02 00:00:00' AND day BETWEEN ? AND ?)"
    " OR (valid_until > '1970-01-02 00:00:00'"
    " AND valid_until < UTC_TIMESTAMP() AND day BETWEEN ? AND ?))"
    " AND (? = 0 OR store_id = ?) GROUP BY template_id");
/*
 * The daily series of the coupon report: claims and uses of each day, all
 * templates. They are on the totals rows only (valid_until 1970-01-01: the
 * rows by valid_until, merged or not, carry unused alone), one range of
 * the key in the order of its days, so that MariaDB groups as it reads: a
 * row per day. (merchant, first day, last day, store, store).
 */
enum { CD_DAY, CD_ISSUED, CD_USED, CD_DISCOUNT, CD_ORDERS, CD_NCOLS };
DB_SQL_COLS(q_stats_coupon_series, CD_NCOLS,
    "SELECT day, SUM(claims), SUM(redeemed), SUM(redeemed_discount_fen),"
    " SUM(redeemed_order_fen)"
    " FROM stats_coupon_days FORCE INDEX (PRIMARY) WHERE merchant_id = ?"
    " AND valid_until = '1970-01-01 00:00:00' AND day BETWEEN ? AND ?"
    " AND (? = 0 OR store_id = ?) GROUP BY day");
/* The merchant's templates, newest first. */
enum { TP_ID, TP_NAME, TP_KIND, TP_STATUS, TP_STOCK, TP_STOCK_LEFT,
    TP_NCOLS };
DB_SQL_COLS(q_stats_templates, TP_NCOLS,
    "SELECT id, name, kind, status, stock, stock_left FROM coupon_templates"
    " WHERE merchant_id = ? ORDER BY id DESC");

/* ---- the period ---- */

struct period {
	struct stats_period	 p;
	long			 tz;		/* seconds east of UTC */
	char			 start[20], end[20];	/* UTC, end excluded */
};

/* The period of ?from=&to=. 0, or the error status (recorded). */
static int
period_arg(struct req *r, struct period *pd)
{
	const char *field, *why;
	char today[11];

	pd->tz = tz_offset(r->m->tz);
	stats_date((long)((time_now() + pd->tz) / 86400), today);
	if (stats_period(req_query(r, "from"), req_query(r, "to"), today,
	    &pd->p, &field, &why) == -1)
		return resp_bad_field(r, field, why);
	time_sql((int64_t)pd->p.first * 86400 - pd->tz, pd->start);
	time_sql((int64_t)(pd->p.last + 1) * 86400 - pd->tz, pd->end);
	return 0;
}

#define PERIOD(pd)	DBS((pd)->start), DBS((pd)->end)
#define PERIOD_REV(pd)	DBS((pd)->end), DBS((pd)->start)

static cJSON *
period_obj(const struct period *pd)
{
	cJSON *d = j_obj();

	j_str(d, "from", pd->p.from);
	j_str(d, "to", pd->p.to);
	return d;
}

static void
j_rate(cJSON *o, const char *name, int64_t num, int64_t den)
{
	double v = stats_rate(num, den);

	if (v < 0)
		j_null(o, name);
	else
		cJSON_AddNumberToObject(o, name, v);
}

/*
 * A column of a result as a JSON field: its name, its type ('i' integer,
 * 'n' integer or null, 's' string or null) and the column it is read
 * from. Tables of fields end with a NULL name.
 */
struct field {
	const char	*name;
	char		 type;
	int		 col;
};

/* The daily series: one object per day of the period, {date} and the
   named counters at zero (daily_add() fills them). */
static cJSON *
daily(const struct period *pd, const char *const *names)
{
	cJSON *arr = j_arr();
	long d;

	for (d = pd->p.first; d <= pd->p.last; d++) {
		cJSON *o = j_obj();
		char date[11];
		int k;

		stats_date(d, date);
		j_str(o, "date", date);
		for (k = 0; names[k] != NULL; k++)
			j_int(o, names[k], 0);
		j_add(arr, NULL, o);
	}
	return arr;
}

/*
 * Add the rows of res to the series: the day in column day, the counters
 * named by f from their columns. 0, or the error status (recorded): a
 * day outside the period (the queries' bounds rule it out) is an
 * internal error.
 */
static int
daily_add(struct req *r, const struct period *pd, cJSON *arr,
    const struct db_res *res, int day, const struct field *f)
{
	int i, k;

	for (i = 0; i < res->nrows; i++) {
		long d = stats_day(db_str(res, i, day));
		cJSON *o;

		if (d < pd->p.first || d > pd->p.last) {
			log_err(r, "stats: day %s outside %s..%s",
			    db_str(res, i, day), pd->p.from, pd->p.to);
			return resp_internal(r);
		}
		o = cJSON_GetArrayItem(arr, (int)(d - pd->p.first));
		for (k = 0; f[k].name != NULL; k++) {
			cJSON *v = cJSON_GetObjectItem(o, f[k].name);

			cJSON_SetNumberValue(v, v->valuedouble +
			    (double)db_int(res, i, f[k].col));
		}
	}
	return 0;
}

/* The rows of res as objects with the fields of f, in its order. */
static cJSON *
rows_json(const struct db_res *res, const struct field *f)
{
	cJSON *arr = j_arr();
	int i, k;

	for (i = 0; i < res->nrows; i++) {
		cJSON *o = j_obj();

		for (k = 0; f[k].name != NULL; k++)
			if (f[k].type == 's')
				j_str(o, f[k].name, db_str(res, i, f[k].col));
			else if (f[k].type == 'n' &&
			    db_isnull(res, i, f[k].col))
				j_null(o, f[k].name);
			else
				j_int(o, f[k].name, db_int(res, i, f[k].col));
		j_add(arr, NULL, o);
	}
	return arr;
}

/* ---- coupons ---- */

/* The counts of a template, or their sums over all templates. */
enum { CN_ISSUED, CN_ISSUED_USED, CN_CANCELLED, CN_EXPIRED, CN_USED,
    CN_DISCOUNT, CN_ORDERS, CN_NEW, CN_N };

static void j_avg(cJSON *, const char *, int64_t, int64_t);

/* The counts with their rates. */
static void
coupon_counts(cJSON *o, const int64_t v[CN_N])
{
	j_int(o, "issued", v[CN_ISSUED]);
	j_int(o, "issued_used", v[CN_ISSUED_USED]);
	j_int(o, "cancelled", v[CN_CANCELLED]);
	j_int(o, "expired", v[CN_EXPIRED]);
	j_rate(o, "use_rate", v[CN_ISSUED_USED], v[CN_ISSUED]);
	j_int(o, "used", v[CN_USED]);
	j_int(o, "discount_fen", v[CN_DISCOUNT]);
	j_int(o, "order_fen", v[CN_ORDERS]);
	j_rate(o, "roi", v[CN_ORDERS], v[CN_DISCOUNT]);
	j_avg(o, "aov_fen", v[CN_ORDERS], v[CN_USED]);
	j_int(o, "new_claims", v[CN_NEW]);
}

static int store_arg(struct req *, int64_t *);

static const char *const coupons_defs[] = {
	"issued", "发券数：期间内领取或发放的券（按领取时间，商户时区自然日）。",
	"issued_used",
	    "其中已核销、已作废、已过期：这些券到现在的去向；核销率 = 已核销 ÷ "
	    "发券数。",
	"used",
	    "核销数：期间内核销的券（按核销时间），经订单使用的与柜台直接核销的"
	    "都算；之后退款退回的券不再计入。",
	"discount_fen", "优惠金额：这些券抵扣的金额。",
	"order_fen",
	    "用券订单额：这些券所在订单的原价金额（柜台直接核销时为填写的订单"
	    "金额）；一单用多张券时每张各计一次。",
	"roi", "费效比：用券订单额 ÷ 优惠金额；没有优惠时显示“—”。",
	"aov_fen", "用券笔单价：用券订单额 ÷ 核销数，四舍五入到分。",
	"new_claims", "拉新数：领券当天刚加入的会员领的券。",
	"claim_rate", "领取率：已领取 ÷ 发行量（不限量的券不计算）。",
	"store_id",
	    "门店：选了门店时，发券只算在该门店发放的（如在该门店入会的新会员"
	    "礼包），核销只算在该门店核销的。",
	NULL
};

static cJSON *definitions(const char *const *);

/*
 * Out: {from, to, store_id, totals:{issued, issued_used, cancelled,
 * expired, use_rate, used, discount_fen, order_fen, roi, aov_fen,
 * new_claims}, templates:[{id, name, kind, status, stock, claimed,
 * claim_rate, <the same>}], daily:[{date, issued, used, discount_fen,
 * order_fen}], definitions}.
 * issued: coupons claimed in the period; issued_used, cancelled, expired:
 * what has become of those by now; use_rate = issued_used / issued. used,
 * discount_fen, order_fen: coupons redeemed in the period (whenever
 * claimed), the discount they gave and the orders they were used on; roi =
 * order_fen / discount_fen; aov_fen = order_fen / used. claimed and
 * claim_rate: of the template's stock since it was made (claim_rate null
 * for unlimited stock). Every figure from the rollups, never the coupons.
 */
static int
stats_coupons(struct req *r)
{
	static const struct field days[] = { { "issued", 'i', CD_ISSUED },
	    { "used", 'i', CD_USED }, { "discount_fen", 'i', CD_DISCOUNT },
	    { "order_fen", 'i', CD_ORDERS }, { .name = NULL } };
	static const char *const names[] = { "issued", "used", "discount_fen",
	    "order_fen", NULL };
	int64_t tot[CN_N] = { 0 }, store, (*v)[CN_N];
	struct period pd;
	struct db_res res, tp, ds;
	cJSON *d, *arr, *o, *series;
	int i, k, lo, hi, st;

	if ((st = period_arg(r, &pd)) != 0 || (st = store_arg(r, &store)) != 0)
		return st;
	if (DB(r, &q_stats_templates, &tp, DBI(r->m->id)) != DB_OK ||
	    DB(r, &q_stats_coupon_templates, &res, DBI(r->m->id),
	    DBS(pd.p.from), DBS(pd.p.to), DBI(store), DBI(store),
	    DBI(r->m->id), DBS(pd.p.from), DBS(pd.p.to), DBS(pd.p.from),
	    DBS(pd.p.to), DBI(store), DBI(store)) != DB_OK ||
	    DB(r, &q_stats_coupon_series, &ds, DBI(r->m->id), DBS(pd.p.from),
	    DBS(pd.p.to), DBI(store), DBI(store)) != DB_OK)
		return db_fail(r);
	/* each template's figures to it (tp: ids descending) */
	v = arena_alloc(r->a, sizeof(*v) * (size_t)(tp.nrows + 1));
	memset(v, 0, sizeof(*v) * (size_t)(tp.nrows + 1));
	for (i = 0; i < res.nrows; i++) {
		int64_t id = db_int(&res, i, CR_TEMPLATE);

		for (lo = 0, hi = tp.nrows; lo < hi; ) {
			int mid = (lo + hi) / 2;

			if (db_int(&tp, mid, TP_ID) > id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo >= tp.nrows || db_int(&tp, lo, TP_ID) != id)
			continue;	/* not the merchant's template */
		for (k = 0; k < CN_N; k++)
			v[lo][k] += db_int(&res, i, CR_ISSUED + k);
	}
	arr = j_arr();
	for (i = 0; i < tp.nrows; i++) {
		int64_t stock = db_int(&tp, i, TP_STOCK);
		int64_t claimed = stock - db_int(&tp, i, TP_STOCK_LEFT);

		/* templates with claims or uses in the period, and every
		   active one */
		if (v[i][CN_ISSUED] == 0 && v[i][CN_USED] == 0 &&
		    strcmp(db_str(&tp, i, TP_STATUS), "active") != 0)
			continue;
		o = j_obj();
		j_int(o, "id", db_int(&tp, i, TP_ID));
		j_str(o, "name", db_str(&tp, i, TP_NAME));
		j_str(o, "kind", db_str(&tp, i, TP_KIND));
		j_str(o, "status", db_str(&tp, i, TP_STATUS));
		if (db_isnull(&tp, i, TP_STOCK)) {
			j_null(o, "stock");
			j_null(o, "claimed");
			j_null(o, "claim_rate");
		} else {
			j_int(o, "stock", stock);
			j_int(o, "claimed", claimed);
			j_rate(o, "claim_rate", claimed, stock);
		}
		coupon_counts(o, v[i]);
		j_add(arr, NULL, o);
		for (k = 0; k < CN_N; k++)
			tot[k] += v[i][k];
	}
	d = period_obj(&pd);
	if (store > 0)
		j_int(d, "store_id", store);
	else
		j_null(d, "store_id");
	o = j_obj();
	coupon_counts(o, tot);
	j_add(d, "totals", o);
	j_add(d, "templates", arr);

	series = daily(&pd, names);
	j_add(d, "daily", series);
	if ((st = daily_add(r, &pd, series, &ds, CD_DAY, days)) != 0)
		return st;
	j_add(d, "definitions", definitions(coupons_defs));
	return resp_data(r, 200, d);
}

/* ---- reports from the daily rollups (stats_rollup.c, 0027) ----
 *
 * overview, consumption, retention and campaigns read only the rollups:
 * a year of a large merchant is a few thousand rows of stats_days, never
 * its orders, members or coupons. Each takes ?store_id= (a store of the
 * merchant; absent: every store) and carries the definition (口径) of each
 * figure in "definitions".
 */

/* The sums of stats_days over days and stores, in this order. */
#define SD_SUMS \
	" IFNULL(SUM(new_members), 0), IFNULL(SUM(referred_members), 0)," \
	" IFNULL(SUM(member_orders), 0), IFNULL(SUM(member_order_fen), 0)," \
	" IFNULL(SUM(non_member_orders), 0)," \
	" IFNULL(SUM(non_member_order_fen), 0)," \
	" IFNULL(SUM(coupon_orders), 0), IFNULL(SUM(coupon_order_fen), 0)," \
	" IFNULL(SUM(coupon_discount_fen), 0), IFNULL(SUM(refunds), 0)," \
	" IFNULL(SUM(refund_fen), 0), IFNULL(SUM(recharges), 0)," \
	" IFNULL(SUM(recharge_fen), 0), IFNULL(SUM(recharge_bonus_fen), 0)," \
	" IFNULL(SUM(wallet_payments), 0)," \
	" IFNULL(SUM(wallet_payment_order_fen), 0)," \
	" IFNULL(SUM(wallet_paid_principal_fen), 0)," \
	" IFNULL(SUM(wallet_paid_bonus_fen), 0)," \
	" IFNULL(SUM(wallet_refunded_fen), 0)"
enum { SD_NEW, SD_REFERRED, SD_MO, SD_MF, SD_NO, SD_NF, SD_CO, SD_CF,
    SD_CD, SD_FO, SD_FF, SD_RO, SD_RF, SD_RB, SD_WP, SD_WO, SD_WPP, SD_WPB,
    SD_WR, SD_N };
/* (merchant, first day, last day, store, store) */
#define SD_WHERE \
	" FROM stats_days WHERE merchant_id = ? AND day BETWEEN ? AND ?" \
	" AND (? = 0 OR store_id = ?)"
DB_SQL_COLS(q_rp_sums, SD_N, "SELECT" SD_SUMS SD_WHERE);
enum { SDD_DAY, SDD_NCOLS = SD_N + 1 };
DB_SQL_COLS(q_rp_sums_daily, SDD_NCOLS,
    "SELECT day," SD_SUMS SD_WHERE " GROUP BY day");
enum { SDS_STORE, SDS_NAME, SDS_NCOLS = SD_N + 2 };
DB_SQL_COLS(q_rp_sums_stores, SDS_NCOLS,
    "SELECT s.store_id, st.name," SD_SUMS " FROM stats_days s"
    " LEFT JOIN stores st ON st.id = s.store_id"
    " AND st.merchant_id = s.merchant_id"
    " WHERE s.merchant_id = ? AND s.day BETWEEN ? AND ?"
    " AND (? = 0 OR s.store_id = ?) GROUP BY s.store_id, st.name"
    " ORDER BY s.store_id");
/* (merchant, last day): members who joined up to that day. */
enum { MC_MEMBERS, MC_NCOLS };
DB_SQL_COLS(q_rp_members_upto, MC_NCOLS,
    "SELECT IFNULL(SUM(new_members), 0) FROM stats_days"
    " WHERE merchant_id = ? AND day <= ?");
/* (merchant, last day): the balance members held at the end of that day
   (the ledger's movements up to it), and what recharges ever paid in. */
enum { BU_PRINCIPAL, BU_BONUS, BU_STORED, BU_NCOLS };
DB_SQL_COLS(q_rp_balance_upto, BU_NCOLS,
    "SELECT IFNULL(SUM(balance_principal_fen), 0),"
    " IFNULL(SUM(balance_bonus_fen), 0), IFNULL(SUM(recharge_fen), 0)"
    " FROM stats_days WHERE merchant_id = ? AND day <= ?");
/* (merchant): what the ledger holds now, over every day of the
   merchant: the balance and the members who hold one. */
enum { BN_PRINCIPAL, BN_BONUS, BN_HOLDERS, BN_NCOLS };
DB_SQL_COLS(q_rp_balance_now, BN_NCOLS,
    "SELECT IFNULL(SUM(balance_principal_fen), 0),"
    " IFNULL(SUM(balance_bonus_fen), 0), IFNULL(SUM(balance_holders), 0)"
    " FROM stats_days WHERE merchant_id = ?");
/* (first, last, merchant): each tier of the ladder with its members now
   and those of them who joined in the period (stats_tier_days). */
enum { TI_LEVEL, TI_NAME, TI_MEMBERS, TI_NEW, TI_NCOLS };
DB_SQL_COLS(q_rp_tiers, TI_NCOLS,
    "SELECT l.level, l.name, IFNULL(SUM(s.members), 0),"
    " IFNULL(SUM(IF(s.day BETWEEN ? AND ?, s.members, 0)), 0)"
    " FROM tiers l LEFT JOIN stats_tier_days s"
    " ON s.merchant_id = l.merchant_id AND s.level = l.level"
    " WHERE l.merchant_id = ? GROUP BY l.level, l.name ORDER BY l.level");
/* (merchant, first, last): recharges by package ('0': custom amounts),
   with the package as it is now. */
enum { PK_PACKAGE, PK_LABEL, PK_PAY, PK_BONUS, PK_COUNT, PK_PAY_TOTAL,
    PK_BONUS_TOTAL, PK_NCOLS };
DB_SQL_COLS(q_rp_packages, PK_NCOLS,
    "SELECT NULLIF(s.package_id, 0), p.label, p.pay_fen, p.bonus_fen,"
    " s.n, s.fen, s.bonus_fen FROM (SELECT merchant_id,"
    " CAST(channel AS UNSIGNED) AS package_id, SUM(n) AS n, SUM(fen) AS fen,"
    " SUM(bonus_fen) AS bonus_fen FROM stats_channel_days"
    " WHERE merchant_id = ? AND kind = 'package' AND day BETWEEN ? AND ?"
    " GROUP BY merchant_id, package_id) s LEFT JOIN recharge_packages p"
    " ON p.id = s.package_id AND p.merchant_id = s.merchant_id"
    " ORDER BY 6 DESC, 1");
/* (merchant, kind, store, first, last, first): the members who paid from
   stored value (payment), recharged (recharge) or ordered (order) in the
   period, all stores (store 0) or at one (order and recharge, migration
   0039): those whose day before their first of the period is before it
   (stats_active_days). */
DB_SQL_COLS(q_rp_active_members, 1,
    "SELECT IFNULL(SUM(members), 0) FROM stats_active_days"
    " WHERE merchant_id = ? AND kind = ? AND store_id = ?"
    " AND day BETWEEN ? AND ? AND prev_day < ?");
/* (merchant, first, last): recharges by provider. */
DB_SQL_COLS(q_rp_providers, 3,
    "SELECT channel, SUM(n), SUM(fen) FROM stats_channel_days"
    " WHERE merchant_id = ? AND kind = 'provider' AND day BETWEEN ? AND ?"
    " GROUP BY channel ORDER BY 3 DESC, 1");
/* (merchant, kind, first, last, store, store): by channel. */
enum { SC_CHANNEL, SC_N, SC_FEN, SC_NCOLS };
DB_SQL_COLS(q_rp_channels, SC_NCOLS,
    "SELECT channel, SUM(n), SUM(fen) FROM stats_channel_days"
    " WHERE merchant_id = ? AND kind = ? AND day BETWEEN ? AND ?"
    " AND (? = 0 OR store_id = ?) GROUP BY channel ORDER BY 2 DESC, 1");
/* The names channels are shown with. */
enum { SN_ID, SN_NAME, SN_NCOLS };
DB_SQL_COLS(q_rp_store_names, SN_NCOLS,
    "SELECT id, name FROM stores WHERE merchant_id = ? ORDER BY id");
enum { CN_SLUG, CN_NAME, CN_NCOLS };
DB_SQL_COLS(q_rp_campaign_names, CN_NCOLS,
    "SELECT slug, name FROM campaigns WHERE merchant_id = ?");
enum { ST_ID, ST_NCOLS };
DB_SQL_COLS(q_rp_store, ST_NCOLS,
    "SELECT id FROM stores WHERE merchant_id = ? AND id = ?");

enum { AC_BUYERS, AC_REPEAT, AC_NCOLS };
enum { AD_DAY, AD_ACTIVE, AD_NCOLS };
enum { CO_DAY, CO_D1, CO_D7, CO_D30, CO_NCOLS };
enum { CS_DAY, CS_NEW, CS_NCOLS };
DB_SQL_COLS(q_rp_cohort_sizes, CS_NCOLS,
    "SELECT day, SUM(new_members) FROM stats_days WHERE merchant_id = ?"
    " AND day BETWEEN ? AND ? GROUP BY day");

/* From the rollups of migrations 0035 and 0039 (stats_active_days kinds
   order and order2, stats_cohort_days), all stores (store 0) or one:
   the figures without counting members. (first, first, merchant, store,
   first, last): the members who ordered in the period, those with two
   orders or more. */
DB_SQL_COLS(q_ra_buyers, AC_NCOLS,
    "SELECT IFNULL(SUM(IF(kind = 'order' AND prev_day < ?, members, 0)), 0),"
    " IFNULL(SUM(IF(prev_day >= ?, IF(kind = 'order', members, -members),"
    " 0)), 0) FROM stats_active_days WHERE merchant_id = ?"
    " AND kind IN ('order', 'order2') AND store_id = ?"
    " AND day BETWEEN ? AND ?");
/* (merchant, store, first, last): each day's members with an order. */
DB_SQL_COLS(q_ra_active_daily, AD_NCOLS,
    "SELECT day, SUM(members) FROM stats_active_days WHERE merchant_id = ?"
    " AND kind = 'order' AND store_id = ? AND day BETWEEN ? AND ?"
    " AND prev_day < day GROUP BY day");
/* (merchant, store, first, last): the cohorts' first returns. */
DB_SQL_COLS(q_ra_cohorts, CO_NCOLS,
    "SELECT join_day, IFNULL(SUM(IF(DATEDIFF(day, join_day) = 1, members,"
    " 0)), 0), IFNULL(SUM(IF(DATEDIFF(day, join_day) <= 7, members, 0)), 0),"
    " IFNULL(SUM(members), 0) FROM stats_cohort_days WHERE merchant_id = ?"
    " AND store_id = ? AND join_day BETWEEN ? AND ? GROUP BY join_day");

/* Per template of the period (merchant, first, last, store, store). */
#define CP_SUMS \
	" IFNULL(SUM(s.claims), 0), IFNULL(SUM(s.new_claims), 0)," \
	" IFNULL(SUM(s.orders), 0), IFNULL(SUM(s.redeemed), 0)," \
	" IFNULL(SUM(s.discount_fen), 0), IFNULL(SUM(s.order_fen), 0)"
enum { CP_CLAIMS, CP_NEW, CP_ORDERS, CP_USES, CP_DISCOUNT, CP_ORDER_FEN,
    CP_N };
enum { CT_ID, CT_NAME, CT_KIND, CT_NCOLS = CP_N + 3 };
/* The rows of the period: the finished days summed (stats_campaign_days,
   migration 0035) from its first to the last marked done without a gap
   (merchant, first, that day), stats_coupon_days after it (merchant, the
   day after, last). */
#define CU_ROWS \
	"(SELECT template_id, store_id, claims, new_claims, orders, redeemed," \
	" discount_fen, order_fen FROM stats_campaign_days" \
	" WHERE merchant_id = ? AND day BETWEEN ? AND ? AND template_id <> 0" \
	" UNION ALL SELECT template_id, store_id, claims, new_claims, orders," \
	" redeemed, discount_fen, order_fen" \
	" FROM stats_coupon_days FORCE INDEX (ix_scd_day)" \
	" WHERE merchant_id = ? AND day BETWEEN ? AND ?)"
/* (CU_ROWS, merchant, store, store) */
DB_SQL_COLS(q_rp_templates, CT_NCOLS,
    "SELECT s.template_id, t.name, t.kind," CP_SUMS
    " FROM " CU_ROWS " s JOIN coupon_templates t"
    " ON t.id = s.template_id AND t.merchant_id = ?"
    " WHERE (? = 0 OR s.store_id = ?) GROUP BY s.template_id, t.name, t.kind"
    " ORDER BY 9 DESC, 1 DESC");
/* (merchant, first, last): the days of the period summed and done. */
DB_SQL_COLS(q_rp_campaign_done, 1,
    "SELECT day FROM stats_campaign_days WHERE merchant_id = ?"
    " AND day BETWEEN ? AND ? AND template_id = 0 AND store_id = 0"
    " ORDER BY day");
/* The campaigns whose window meets the period (merchant, UTC end, UTC
   start), with their coupon figures (CU_ROWS, store, store ahead of them)
   and their page counters (first, last). */
enum { CA_ID, CA_SLUG, CA_NAME, CA_VIEWS, CA_VISITORS, CA_SHARES,
    CA_NCOLS = CP_N + 6 };
DB_SQL_COLS(q_rp_campaigns, CA_NCOLS,
    "SELECT c.id, c.slug, c.name, IFNULL(v.views, 0), IFNULL(v.visitors, 0),"
    " IFNULL(v.shares, 0)," CP_SUMS " FROM campaigns c"
    " LEFT JOIN (SELECT DISTINCT campaign_id, template_id"
    "  FROM campaign_templates) ct ON ct.campaign_id = c.id"
    " LEFT JOIN (SELECT template_id, SUM(claims) AS claims,"
    "  SUM(new_claims) AS new_claims, SUM(orders) AS orders,"
    "  SUM(redeemed) AS redeemed, SUM(discount_fen) AS discount_fen,"
    "  SUM(order_fen) AS order_fen FROM " CU_ROWS " u"
    "  WHERE (? = 0 OR store_id = ?) GROUP BY template_id) s"
    "  ON s.template_id = ct.template_id"
    " LEFT JOIN (SELECT campaign_id, SUM(views) AS views,"
    "  SUM(visitors) AS visitors, SUM(shares) AS shares FROM campaign_stats"
    "  WHERE day BETWEEN ? AND ? GROUP BY campaign_id) v"
    "  ON v.campaign_id = c.id"
    " WHERE c.merchant_id = ? AND c.starts_at < ? AND c.ends_at > ?"
    " GROUP BY c.id, c.slug, c.name, v.views, v.visitors, v.shares"
    " ORDER BY c.id DESC LIMIT 100");

/* A report's request: the period, the store (0: all), today. */
struct report {
	struct period	 pd;
	int64_t		 store;
	long		 today;
	char		 first[11], last[11];
};

#define SPAN_ARGS(a, b)	DBS(a), DBS(b)
#define STORE_ARGS(rp)	DBI((rp)->store), DBI((rp)->store)

/* ?store_id=: 0, or the error status (recorded). */
static int
store_arg(struct req *r, int64_t *store)
{
	struct db_res res;
	int rc;

	*store = 0;
	if ((rc = req_query_int(r, "store_id", 0, 1, INT64_MAX / 2, store)) ==
	    -1)
		return r->status;
	if (rc == 1) {
		*store = 0;
		return 0;
	}
	if (DB(r, &q_rp_store, &res, DBI(r->m->id), DBI(*store)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_bad_field(r, "store_id", "门店不存在");
	return 0;
}

/* ?from=&to=&store_id=. 0, or the error status (recorded). */
static int
report_arg(struct req *r, struct report *rp)
{
	int st;

	if ((st = period_arg(r, &rp->pd)) != 0 ||
	    (st = store_arg(r, &rp->store)) != 0)
		return st;
	rp->today = (long)((time_now() + rp->pd.tz) / 86400);
	snprintf(rp->first, sizeof(rp->first), "%s", rp->pd.p.from);
	snprintf(rp->last, sizeof(rp->last), "%s", rp->pd.p.to);
	return 0;
}

/* The sums of stats_days over days a..b of the report's store. */
static int
sums_of(struct req *r, const struct report *rp, long a, long b,
    int64_t v[SD_N])
{
	struct db_res res;
	char from[11], to[11];
	int k;

	stats_date(a, from);
	stats_date(b, to);
	if (DB(r, &q_rp_sums, &res, DBI(r->m->id), SPAN_ARGS(from, to),
	    STORE_ARGS(rp)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	for (k = 0; k < SD_N; k++)
		v[k] = db_int(&res, 0, k);
	return 0;
}

/* The members of kind with a day in a..b, all stores (store 0) or at
   one (q_rp_active_members). */
static int
active_in(struct req *r, const char *kind, int64_t store, const char *a,
    const char *b, int64_t *n)
{
	struct db_res res;

	if (DB(r, &q_rp_active_members, &res, DBI(r->m->id), DBS(kind),
	    DBI(store), SPAN_ARGS(a, b), DBS(a)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	*n = db_int(&res, 0, 0);
	return 0;
}

static void
j_change(cJSON *o, const char *name, int64_t now, int64_t before)
{
	double c = stats_change(now, before);

	if (c == STATS_NO_CHANGE)
		j_null(o, name);
	else
		cJSON_AddNumberToObject(o, name, c);
}

/* An average in whole fen, or null. */
static void
j_avg(cJSON *o, const char *name, int64_t sum, int64_t n)
{
	if (n > 0)
		j_int(o, name, (sum + n / 2) / n);
	else
		j_null(o, name);
}

static cJSON *
definitions(const char *const *defs)
{
	cJSON *o = j_obj();
	int k;

	for (k = 0; defs[k] != NULL; k += 2)
		j_str(o, defs[k], defs[k + 1]);
	return o;
}

/* The readable name of a join or recharge channel. */
struct names {
	struct db_res	 stores, campaigns;
};

static int
names_load(struct req *r, struct names *n)
{
	if (DB(r, &q_rp_store_names, &n->stores, DBI(r->m->id)) != DB_OK ||
	    DB(r, &q_rp_campaign_names, &n->campaigns, DBI(r->m->id)) !=
	    DB_OK)
		return db_fail(r);
	return 0;
}

static const char *
channel_name(struct req *r, const struct names *n, const char *ch)
{
	static const struct { const char *code, *name; } fixed[] = {
		{ "organic", "自然" }, { "referral", "推荐" },
		{ "counter", "柜台充值" }, { "online", "在线充值" },
		{ "checkout", "结账时充值" }, { "scratch", "刮刮卡" },
		{ "birthday", "生日礼" },
	};
	size_t k;
	int i;

	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
		if (strcmp(ch, fixed[k].code) == 0)
			return fixed[k].name;
	if (strncmp(ch, "store:", 6) == 0) {
		for (i = 0; i < n->stores.nrows; i++)
			if (strcmp(db_str(&n->stores, i, SN_ID), ch + 6) == 0)
				return arena_printf(r->a, "门店·%s",
				    db_str(&n->stores, i, SN_NAME));
		return arena_printf(r->a, "门店 %s", ch + 6);
	}
	if (strncmp(ch, "campaign:", 9) == 0) {
		for (i = 0; i < n->campaigns.nrows; i++)
			if (strcmp(db_str(&n->campaigns, i, CN_SLUG), ch + 9) ==
			    0)
				return arena_printf(r->a, "活动·%s",
				    db_str(&n->campaigns, i, CN_NAME));
		return arena_printf(r->a, "活动 %s", ch + 9);
	}
	if (strncmp(ch, "poster:", 7) == 0)
		return arena_printf(r->a, "海报 %s", ch + 7);
	return ch;
}

/* The channels of kind in the period: [{channel, name, count, fen?,
   share}], share of the total count. */
static int
channels_json(struct req *r, const struct report *rp, const struct names *n,
    const char *kind, int with_fen, cJSON **out)
{
	struct db_res res;
	int64_t total = 0;
	int i;

	*out = NULL;
	if (DB(r, &q_rp_channels, &res, DBI(r->m->id), DBS(kind),
	    SPAN_ARGS(rp->first, rp->last), STORE_ARGS(rp)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++)
		total += db_int(&res, i, SC_N);
	*out = j_arr();
	for (i = 0; i < res.nrows; i++) {
		cJSON *o = j_obj();

		j_str(o, "channel", db_str(&res, i, SC_CHANNEL));
		j_str(o, "channel_name", channel_name(r, n,
		    db_str(&res, i, SC_CHANNEL)));
		j_int(o, "count", db_int(&res, i, SC_N));
		if (with_fen)
			j_int(o, "pay_fen", db_int(&res, i, SC_FEN));
		j_rate(o, "share", db_int(&res, i, SC_N), total);
		j_add(*out, NULL, o);
	}
	return 0;
}

/* ---- overview ---- */

static const char *const overview_defs[] = {
	"new_members",
	    "新会员：当天加入的会员人数（按加入时间，商户时区的自然日）。",
	"orders",
	    "订单数：当天支付的订单笔数（会员与非会员），含之后退款的订单；退"
	    "款在退款当天另计。",
	"order_fen",
	    "营业额：这些订单优惠后的应付金额（含积分抵扣、余额、现金、刷卡、"
	    "在线支付）。",
	"member_orders",
	    "会员订单：下单时识别为会员（扫码、手机号或会员自己下单）的已支付"
	    "订单。",
	"member_order_fen", "会员消费：会员订单优惠后的金额。",
	"non_member_orders", "非会员订单：未识别会员的散客已支付订单。",
	"non_member_order_fen", "非会员消费：散客订单优惠后的金额。",
	"recharges", "充值笔数：当天到账的储值充值（柜台、在线、结账时充值）。",
	"recharge_fen", "充值金额：这些充值的实付金额，不含赠送。",
	"previous",
	    "上期：与本期等长的上一周期——今日比昨日，本周（周一至今天）比上周"
	    "同期，本月（1 日至今天）比上月同期。",
	"last_year", "去年同期：去年的同一些日期（2 月 29 日对 2 月 28 日）。",
	"change", "环比：（本期 − 上期）÷ 上期；上期为 0 时不计算，显示“—”。",
	"change_yoy",
	    "同比：（本期 − 去年同期）÷ 去年同期；去年同期为 0 时不计算，显示“"
	    "—”。",
	"store_id",
	    "门店：选了门店时，只统计该门店的订单、充值和从该门店入会的会员。",
	NULL
};

static const char *const overview_figures[] = { "new_members", "orders",
    "order_fen", "member_orders", "member_order_fen", "non_member_orders",
    "non_member_order_fen", "recharges", "recharge_fen", NULL };

/* The figures of overview_figures from sums. */
static void
overview_values(const int64_t v[SD_N], int64_t out[9])
{
	out[0] = v[SD_NEW];
	out[1] = v[SD_MO] + v[SD_NO];
	out[2] = v[SD_MF] + v[SD_NF];
	out[3] = v[SD_MO];
	out[4] = v[SD_MF];
	out[5] = v[SD_NO];
	out[6] = v[SD_NF];
	out[7] = v[SD_RO];
	out[8] = v[SD_RF];
}

static cJSON *
span_obj(const struct stats_span *s, const int64_t f[9])
{
	cJSON *o = j_obj();
	char a[11], b[11];
	int k;

	stats_date(s->first, a);
	stats_date(s->last, b);
	j_str(o, "from", a);
	j_str(o, "to", b);
	for (k = 0; overview_figures[k] != NULL; k++)
		j_int(o, overview_figures[k], f[k]);
	return o;
}

/*
 * Out: {today, week, month: {from, to, <figures>, previous: {from, to,
 * <figures>}, last_year: {...}, change: {<figure>: rate|null},
 * change_yoy: {...}}, store_id, definitions}.
 */
static int
stats_overview(struct req *r)
{
	static const char *const names[] = { "today", "week", "month" };
	struct stats_span sp[3][3];
	struct report rp;
	cJSON *d;
	int k, j, f, st;

	if ((st = store_arg(r, &rp.store)) != 0)
		return st;
	rp.pd.tz = tz_offset(r->m->tz);
	rp.today = (long)((time_now() + rp.pd.tz) / 86400);
	stats_periods(rp.today, sp);
	d = j_obj();
	for (k = 0; k < 3; k++) {
		int64_t v[3][SD_N], fig[3][9];
		cJSON *o, *ch, *yoy;

		for (j = 0; j < 3; j++) {
			if ((st = sums_of(r, &rp, sp[k][j].first,
			    sp[k][j].last, v[j])) != 0)
				return st;
			overview_values(v[j], fig[j]);
		}
		o = span_obj(&sp[k][0], fig[0]);
		j_add(o, "previous", span_obj(&sp[k][1], fig[1]));
		j_add(o, "last_year", span_obj(&sp[k][2], fig[2]));
		ch = j_obj();
		yoy = j_obj();
		for (f = 0; overview_figures[f] != NULL; f++) {
			j_change(ch, overview_figures[f], fig[0][f],
			    fig[1][f]);
			j_change(yoy, overview_figures[f], fig[0][f],
			    fig[2][f]);
		}
		j_add(o, "change", ch);
		j_add(o, "change_yoy", yoy);
		j_add(d, names[k], o);
	}
	if (rp.store > 0)
		j_int(d, "store_id", rp.store);
	else
		j_null(d, "store_id");
	j_add(d, "definitions", definitions(overview_defs));
	return resp_data(r, 200, d);
}

/* ---- consumption: members and walk-ins, new members, stored value ---- */

static const char *const consumption_defs[] = {
	"orders",
	    "订单数：期间内支付的订单（按支付时间，商户时区自然日），含之后退"
	    "款的订单。",
	"order_fen",
	    "营业额：订单优惠后的金额（含积分、余额、现金等各种支付）；退款不"
	    "扣减，另见退款。",
	"members", "会员消费：下单时识别为会员的订单的笔数与金额。",
	"non_members", "非会员消费：未识别会员的散客订单的笔数与金额。",
	"order_share",
	    "订单数占比：该类订单数 ÷ 全部订单数；没有订单时显示“—”。",
	"fen_share", "消费占比：该类订单金额 ÷ 全部订单金额。",
	"aov_fen",
	    "客单价：订单金额 ÷ 订单数，四舍五入到分；没有订单时显示“—”。",
	"refunds",
	    "退款：期间内完成的退款笔数与金额（按退款完成时间），不含待审批与"
	    "已拒绝的。",
	"net_fen", "净额：营业额 − 退款金额。",
	"coupons",
	    "用券订单：用了至少一张优惠券的已支付订单；费效比 = 用券订单金额 ÷"
	    " 券的优惠金额；用券笔单价 = 用券订单金额 ÷ 用券订单数。",
	"new_members",
	    "新会员：期间内加入的会员，按入会渠道（活动、门店、推荐、自然）分"
	    "列占比；会员总数为截至结束日的全部会员。",
	"stored_value",
	    "储值：期间内到账的充值笔数、实付金额与赠送金额，充值会员为其中的"
	    "人数；渠道分柜台充值（现金或刷卡）、在线充值（支付平台）、结账时"
	    "充值。",
	"balance",
	    "储值余额：截至结束日会员持有的余额（本金与赠送分列，全部门店）"
	    "，即储值账本截至当日的全部变动之和；累计储值为截至当日所有充值"
	    "的实付金额。",
	"previous", "上期：紧挨本期之前、天数相同的周期。",
	"change", "环比：（本期 − 上期）÷ 上期；上期为 0 时不计算，显示“—”。",
	"store_id",
	    "门店：选了门店时，只统计该门店的订单、退款、充值和从该门店入会的"
	    "会员。",
	NULL
};

/* {orders, order_fen, order_share, fen_share, aov_fen} of one side. */
static cJSON *
side_json(int64_t n, int64_t fen, int64_t all_n, int64_t all_fen)
{
	cJSON *o = j_obj();

	j_int(o, "orders", n);
	j_int(o, "order_fen", fen);
	j_rate(o, "order_share", n, all_n);
	j_rate(o, "fen_share", fen, all_fen);
	j_avg(o, "aov_fen", fen, n);
	return o;
}

/*
 * Out: {from, to, store_id, totals:{orders, order_fen, refunds,
 * refund_fen, net_fen}, members, non_members: {orders, order_fen,
 * order_share, fen_share, aov_fen}, coupons:{orders, order_fen,
 * discount_fen, roi, aov_fen}, previous:{from, to, orders, order_fen},
 * change:{orders, order_fen}, daily:[{date, member_orders,
 * member_order_fen, non_member_orders, non_member_order_fen, refund_fen,
 * new_members, recharges, recharge_fen}], stores:[{store_id, store_name,
 * ...}], new_members:{count, referred, members_total, change, channels},
 * stored_value:{count, pay_fen, bonus_fen, members, change:{count,
 * pay_fen}, channels, stores, balance:{principal_fen, bonus_fen,
 * total_fen, stored_fen}}, definitions}.
 */
static int
stats_consumption(struct req *r)
{
	static const char *const names[] = { "member_orders",
	    "member_order_fen", "non_member_orders", "non_member_order_fen",
	    "refund_fen", "new_members", "recharges", "recharge_fen", NULL };
	static const struct field days[] = {
	    { "member_orders", 'i', 1 + SD_MO },
	    { "member_order_fen", 'i', 1 + SD_MF },
	    { "non_member_orders", 'i', 1 + SD_NO },
	    { "non_member_order_fen", 'i', 1 + SD_NF },
	    { "refund_fen", 'i', 1 + SD_FF },
	    { "new_members", 'i', 1 + SD_NEW },
	    { "recharges", 'i', 1 + SD_RO },
	    { "recharge_fen", 'i', 1 + SD_RF }, { .name = NULL } };
	struct report rp;
	struct names nm;
	struct db_res res;
	int64_t v[SD_N], pv[SD_N], all_n, all_fen, pn, pfen;
	cJSON *d, *o, *c, *series, *arr, *sv;
	char pa[11], pb[11];
	int i, st;

	if ((st = report_arg(r, &rp)) != 0 || (st = names_load(r, &nm)) != 0 ||
	    (st = sums_of(r, &rp, rp.pd.p.first, rp.pd.p.last, v)) != 0 ||
	    (st = sums_of(r, &rp, rp.pd.p.first - rp.pd.p.days,
	    rp.pd.p.first - 1, pv)) != 0)
		return st;
	d = period_obj(&rp.pd);
	if (rp.store > 0)
		j_int(d, "store_id", rp.store);
	else
		j_null(d, "store_id");
	all_n = v[SD_MO] + v[SD_NO];
	all_fen = v[SD_MF] + v[SD_NF];
	o = j_obj();
	j_int(o, "orders", all_n);
	j_int(o, "order_fen", all_fen);
	j_avg(o, "aov_fen", all_fen, all_n);
	j_int(o, "refunds", v[SD_FO]);
	j_int(o, "refund_fen", v[SD_FF]);
	j_int(o, "net_fen", all_fen - v[SD_FF]);
	j_add(d, "totals", o);
	j_add(d, "members", side_json(v[SD_MO], v[SD_MF], all_n, all_fen));
	j_add(d, "non_members", side_json(v[SD_NO], v[SD_NF], all_n,
	    all_fen));
	o = j_obj();
	j_int(o, "orders", v[SD_CO]);
	j_int(o, "order_fen", v[SD_CF]);
	j_int(o, "discount_fen", v[SD_CD]);
	j_rate(o, "roi", v[SD_CF], v[SD_CD]);
	j_avg(o, "aov_fen", v[SD_CF], v[SD_CO]);
	j_add(d, "coupons", o);
	pn = pv[SD_MO] + pv[SD_NO];
	pfen = pv[SD_MF] + pv[SD_NF];
	o = j_obj();
	stats_date(rp.pd.p.first - rp.pd.p.days, pa);
	stats_date(rp.pd.p.first - 1, pb);
	j_str(o, "from", pa);
	j_str(o, "to", pb);
	j_int(o, "orders", pn);
	j_int(o, "order_fen", pfen);
	j_int(o, "new_members", pv[SD_NEW]);
	j_int(o, "recharges", pv[SD_RO]);
	j_int(o, "recharge_fen", pv[SD_RF]);
	j_add(d, "previous", o);
	o = j_obj();
	j_change(o, "orders", all_n, pn);
	j_change(o, "order_fen", all_fen, pfen);
	j_add(d, "change", o);

	series = daily(&rp.pd, names);
	if (DB(r, &q_rp_sums_daily, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last), STORE_ARGS(&rp)) != DB_OK)
		return db_fail(r);
	if ((st = daily_add(r, &rp.pd, series, &res, SDD_DAY, days)) != 0)
		return st;
	j_add(d, "daily", series);

	if (DB(r, &q_rp_sums_stores, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last), STORE_ARGS(&rp)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	sv = j_arr();
	for (i = 0; i < res.nrows; i++) {
		int64_t id = db_int(&res, i, SDS_STORE);
		const char *name = id == 0 ? "线上（不属门店）" :
		    db_isnull(&res, i, SDS_NAME) ? arena_printf(r->a,
		    "门店 %lld", (long long)id) : db_str(&res, i, SDS_NAME);
		int64_t mo = db_int(&res, i, 2 + SD_MO),
		    no = db_int(&res, i, 2 + SD_NO);

		if (mo + no > 0) {
			o = j_obj();
			j_int(o, "store_id", id);
			j_str(o, "store_name", name);
			j_int(o, "member_orders", mo);
			j_int(o, "member_order_fen", db_int(&res, i,
			    2 + SD_MF));
			j_int(o, "non_member_orders", no);
			j_int(o, "non_member_order_fen", db_int(&res, i,
			    2 + SD_NF));
			j_add(arr, NULL, o);
		}
		if (db_int(&res, i, 2 + SD_RO) > 0) {
			o = j_obj();
			j_int(o, "store_id", id);
			j_str(o, "store_name", name);
			j_int(o, "count", db_int(&res, i, 2 + SD_RO));
			j_int(o, "pay_fen", db_int(&res, i, 2 + SD_RF));
			j_add(sv, NULL, o);
		}
	}
	j_add(d, "stores", arr);

	o = j_obj();
	j_int(o, "count", v[SD_NEW]);
	j_int(o, "referred", v[SD_REFERRED]);
	if (DB(r, &q_rp_members_upto, &res, DBI(r->m->id), DBS(rp.last)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	j_int(o, "members_total", db_int(&res, 0, MC_MEMBERS));
	c = j_obj();
	j_change(c, "count", v[SD_NEW], pv[SD_NEW]);
	j_add(o, "change", c);
	if ((st = channels_json(r, &rp, &nm, "join", 0, &arr)) != 0)
		return st;
	j_add(o, "channels", arr);
	j_add(d, "new_members", o);

	o = j_obj();
	j_int(o, "count", v[SD_RO]);
	j_int(o, "pay_fen", v[SD_RF]);
	j_int(o, "bonus_fen", v[SD_RB]);
	{
		int64_t n;

		if ((st = active_in(r, "recharge", rp.store, rp.first,
		    rp.last, &n)) != 0)
			return st;
		j_int(o, "members", n);
	}
	c = j_obj();
	j_change(c, "count", v[SD_RO], pv[SD_RO]);
	j_change(c, "pay_fen", v[SD_RF], pv[SD_RF]);
	j_add(o, "change", c);
	if ((st = channels_json(r, &rp, &nm, "recharge", 1, &arr)) != 0)
		return st;
	j_add(o, "channels", arr);
	j_add(o, "stores", sv);
	if (DB(r, &q_rp_balance_upto, &res, DBI(r->m->id), DBS(rp.last)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	c = j_obj();
	j_int(c, "principal_fen", db_int(&res, 0, BU_PRINCIPAL));
	j_int(c, "bonus_fen", db_int(&res, 0, BU_BONUS));
	j_int(c, "total_fen", db_int(&res, 0, BU_PRINCIPAL) +
	    db_int(&res, 0, BU_BONUS));
	j_int(c, "stored_fen", db_int(&res, 0, BU_STORED));
	j_add(o, "balance", c);
	j_add(d, "stored_value", o);
	j_add(d, "definitions", definitions(consumption_defs));
	return resp_data(r, 200, d);
}

/* ---- retention and growth ---- */

static const char *const retention_defs[] = {
	"cohorts",
	    "留存（按加入日）：当天加入的新会员中，加入后第 1 天（次日）、第 1"
	    "–7 天、第 1–30 天内有过已支付订单的人数占比；观察期还没过完时显示"
	    "“—”。",
	"repurchase",
	    "复购率：期间内下单 2 笔及以上的会员 ÷ 期间内下过单的会员。",
	"active",
	    "活跃会员（按订单）：日活为结束日当天下单的会员数，周活为截至结束"
	    "日 7 天内、月活为 30 天内下过单的会员数（去重）；每日曲线为每天的"
	    "日活。",
	"arpu_fen", "ARPU：期间会员消费 ÷ 截至结束日的会员总数。",
	"arppu_fen", "ARPPU：期间会员消费 ÷ 期间内下过单的会员数。",
	"referral",
	    "推荐：推荐占比 = 经会员推荐加入的新会员 ÷ 新会员；K 因子 = 人均邀"
	    "请数 × 邀请转化率 = 推荐加入的新会员 ÷ 期初会员数（期初为 0 时显"
	    "示“—”）。",
	"store_id",
	    "门店：选了门店时，回访、复购、活跃与 ARPU 只算在该门店的订单；新"
	    "会员与推荐按全部门店。",
	NULL
};

/*
 * Out: {from, to, store_id, cohorts:[{date, members, day1, day7, day30,
 * day1_rate, day7_rate, day30_rate}], repurchase:{buyers, repeat_buyers,
 * rate}, active:{dau, wau, mau, avg_dau, daily:[{date, active}]},
 * members_total, member_order_fen, arpu_fen, arppu_fen, referral:{
 * new_members, referred, share, referrers, members_at_start, k_factor},
 * definitions}.
 */
static int
stats_retention(struct req *r)
{
	static const char *const names[] = { "active", NULL };
	static const struct field act[] = { { "active", 'i', AD_ACTIVE },
	    { .name = NULL } };
	struct report rp;
	struct db_res res, sizes;
	int64_t v[SD_N], total, start, buyers, sum_dau = 0;
	cJSON *d, *o, *arr, *series;
	char a[11];
	int i, k, st;
	long day;

	if ((st = report_arg(r, &rp)) != 0 ||
	    (st = sums_of(r, &rp, rp.pd.p.first, rp.pd.p.last, v)) != 0)
		return st;
	d = period_obj(&rp.pd);
	if (rp.store > 0)
		j_int(d, "store_id", rp.store);
	else
		j_null(d, "store_id");

	if (DB(r, &q_rp_cohort_sizes, &sizes, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last)) != DB_OK ||
	    DB(r, &q_ra_cohorts, &res, DBI(r->m->id), DBI(rp.store),
	    SPAN_ARGS(rp.first, rp.last)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < sizes.nrows; i++) {
		int64_t n = db_int(&sizes, i, CS_NEW), got[3] = { 0, 0, 0 };
		static const char *const cols[] = { "day1", "day7", "day30" };
		static const char *const rates[] = { "day1_rate",
		    "day7_rate", "day30_rate" };
		static const int span[] = { 1, 7, 30 };

		if (n == 0)
			continue;
		day = stats_day(db_str(&sizes, i, CS_DAY));
		for (k = 0; k < res.nrows; k++)
			if (strcmp(db_str(&res, k, CO_DAY),
			    db_str(&sizes, i, CS_DAY)) == 0) {
				got[0] = db_int(&res, k, CO_D1);
				got[1] = db_int(&res, k, CO_D7);
				got[2] = db_int(&res, k, CO_D30);
			}
		o = j_obj();
		j_str(o, "date", db_str(&sizes, i, CS_DAY));
		j_int(o, "members", n);
		for (k = 0; k < 3; k++) {
			j_int(o, cols[k], got[k]);
			if (day + span[k] > rp.today)
				j_null(o, rates[k]);	/* not yet seen */
			else
				j_rate(o, rates[k], got[k], n);
		}
		j_add(arr, NULL, o);
	}
	j_add(d, "cohorts", arr);

	if (DB(r, &q_ra_buyers, &res, DBS(rp.first), DBS(rp.first),
	    DBI(r->m->id), DBI(rp.store), SPAN_ARGS(rp.first, rp.last)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	buyers = db_int(&res, 0, AC_BUYERS);
	o = j_obj();
	j_int(o, "buyers", buyers);
	j_int(o, "repeat_buyers", db_int(&res, 0, AC_REPEAT));
	j_rate(o, "rate", db_int(&res, 0, AC_REPEAT), buyers);
	j_add(d, "repurchase", o);

	o = j_obj();
	{
		static const int back[] = { 0, 6, 29 };
		static const char *const an[] = { "dau", "wau", "mau" };

		for (k = 0; k < 3; k++) {
			int64_t n;

			stats_date(rp.pd.p.last - back[k], a);
			if ((st = active_in(r, "order", rp.store, a, rp.last,
			    &n)) != 0)
				return st;
			j_int(o, an[k], n);
		}
	}
	series = daily(&rp.pd, names);
	if (DB(r, &q_ra_active_daily, &res, DBI(r->m->id), DBI(rp.store),
	    SPAN_ARGS(rp.first, rp.last)) != DB_OK)
		return db_fail(r);
	if ((st = daily_add(r, &rp.pd, series, &res, AD_DAY, act)) != 0)
		return st;
	for (i = 0; i < res.nrows; i++)
		sum_dau += db_int(&res, i, AD_ACTIVE);
	j_int(o, "avg_dau", (sum_dau + rp.pd.p.days / 2) / rp.pd.p.days);
	j_add(o, "daily", series);
	j_add(d, "active", o);

	if (DB(r, &q_rp_members_upto, &res, DBI(r->m->id), DBS(rp.last)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	total = db_int(&res, 0, MC_MEMBERS);
	stats_date(rp.pd.p.first - 1, a);
	if (DB(r, &q_rp_members_upto, &res, DBI(r->m->id), DBS(a)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	start = db_int(&res, 0, MC_MEMBERS);
	j_int(d, "members_total", total);
	j_int(d, "member_order_fen", v[SD_MF]);
	j_avg(d, "arpu_fen", v[SD_MF], total);
	j_avg(d, "arppu_fen", v[SD_MF], buyers);

	/* new members and referrals are the merchant's, whatever the store */
	{
		struct report all = rp;
		int64_t w[SD_N], referrers;

		if ((st = active_in(r, "referral", 0, rp.first, rp.last,
		    &referrers)) != 0)
			return st;

		all.store = 0;
		if ((st = sums_of(r, &all, rp.pd.p.first, rp.pd.p.last, w)) !=
		    0)
			return st;
		o = j_obj();
		j_int(o, "new_members", w[SD_NEW]);
		j_int(o, "referred", w[SD_REFERRED]);
		j_rate(o, "share", w[SD_REFERRED], w[SD_NEW]);
		j_int(o, "referrers", referrers);
		j_int(o, "members_at_start", start);
		j_rate(o, "k_factor", w[SD_REFERRED], start);
		j_add(d, "referral", o);
	}
	j_add(d, "definitions", definitions(retention_defs));
	return resp_data(r, 200, d);
}

/* ---- campaigns and coupon templates ---- */

static const char *const campaigns_defs[] = {
	"claims",
	    "领券数：期间内领取的券（按领取时间；选了门店时只算在该门店发放的，"
	    "如在该门店入会的新会员礼包，券中心领的券不属于门店）。",
	"new_claims", "拉新数（券）：领券当天刚加入的会员领的券。",
	"orders", "用券订单：期间内支付、用了该券的订单数；一单可用多张券。",
	"discount_fen",
	    "优惠金额：这些券在订单上抵扣的金额（订单之后退款不扣减）。",
	"order_fen", "用券订单额：这些订单优惠后的金额。",
	"roi",
	    "费效比：用券订单额 ÷ 优惠金额，即每 1 元优惠带来的订单金额；没有"
	    "优惠时显示“—”。",
	"aov_fen", "用券笔单价：用券订单额 ÷ 用券订单数。",
	"uses",
	    "核销数：期间内核销的券，柜台直接核销的和订单上用的都算（之后退回的"
	    "不算）。",
	"use_rate", "核销率：期间内核销的券 ÷ 期间内领取的券。",
	"new_members", "拉新数（活动）：期间内通过该活动链接加入的会员。",
	"views", "浏览：活动页在期间内的浏览次数（另有去重访客与分享次数）。",
	"campaigns",
	    "活动：时间与期间有交集的活动；券的数字为活动所含券（领取券与入会"
	    "礼包）之和；核销数含柜台直接核销的券，用券订单、优惠金额与用券"
	    "订单额只算订单上用的券。",
	NULL
};

/* The coupon figures of row i from column base. */
static void
coupon_figures(cJSON *o, const struct db_res *res, int i, int base)
{
	int64_t claims = db_int(res, i, base + CP_CLAIMS),
	    orders = db_int(res, i, base + CP_ORDERS),
	    uses = db_int(res, i, base + CP_USES),
	    disc = db_int(res, i, base + CP_DISCOUNT),
	    fen = db_int(res, i, base + CP_ORDER_FEN);

	j_int(o, "claims", claims);
	j_int(o, "new_claims", db_int(res, i, base + CP_NEW));
	j_int(o, "orders", orders);
	j_int(o, "uses", uses);
	j_rate(o, "use_rate", uses, claims);
	j_int(o, "discount_fen", disc);
	j_int(o, "order_fen", fen);
	j_rate(o, "roi", fen, disc);
	j_avg(o, "aov_fen", fen, orders);
}

/*
 * Out: {from, to, store_id, totals:{claims, new_claims, orders, uses,
 * use_rate, discount_fen, order_fen, roi, aov_fen}, templates:[{id, name,
 * kind, <the same>}], campaigns:[{id, slug, name, new_members, views,
 * visitors, shares, <the same>}], definitions}.
 */
static int
stats_campaigns(struct req *r)
{
	struct report rp;
	struct db_res res, joins;
	int64_t tot[CP_N] = { 0 };
	cJSON *d, *o, *arr;
	char hd[11], rd[11];
	long done;
	int i, k, st;

	if ((st = report_arg(r, &rp)) != 0)
		return st;
	d = period_obj(&rp.pd);
	if (rp.store > 0)
		j_int(d, "store_id", rp.store);
	else
		j_null(d, "store_id");
	/* the last day summed, from the first without a gap */
	if (DB(r, &q_rp_campaign_done, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last)) != DB_OK)
		return db_fail(r);
	done = rp.pd.p.first - 1;
	for (i = 0; i < res.nrows && stats_day(db_str(&res, i, 0)) ==
	    done + 1; i++)
		done++;
	stats_date(done, hd);
	stats_date(done + 1, rd);
#define CU_ARGS	DBI(r->m->id), DBS(rp.first), DBS(hd), DBI(r->m->id), \
	DBS(rd), DBS(rp.last)
	if (DB(r, &q_rp_templates, &res, CU_ARGS, DBI(r->m->id),
	    STORE_ARGS(&rp)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		o = j_obj();
		j_int(o, "id", db_int(&res, i, CT_ID));
		j_str(o, "name", db_str(&res, i, CT_NAME));
		j_str(o, "kind", db_str(&res, i, CT_KIND));
		coupon_figures(o, &res, i, 3);
		j_add(arr, NULL, o);
		for (k = 0; k < CP_N; k++)
			tot[k] += db_int(&res, i, 3 + k);
	}
	o = j_obj();
	j_int(o, "claims", tot[CP_CLAIMS]);
	j_int(o, "new_claims", tot[CP_NEW]);
	j_int(o, "orders", tot[CP_ORDERS]);
	j_int(o, "uses", tot[CP_USES]);
	j_rate(o, "use_rate", tot[CP_USES], tot[CP_CLAIMS]);
	j_int(o, "discount_fen", tot[CP_DISCOUNT]);
	j_int(o, "order_fen", tot[CP_ORDER_FEN]);
	j_rate(o, "roi", tot[CP_ORDER_FEN], tot[CP_DISCOUNT]);
	j_avg(o, "aov_fen", tot[CP_ORDER_FEN], tot[CP_ORDERS]);
	j_add(d, "totals", o);
	j_add(d, "templates", arr);

	if (DB(r, &q_rp_channels, &joins, DBI(r->m->id), DBS("join"),
	    SPAN_ARGS(rp.first, rp.last), STORE_ARGS(&rp)) != DB_OK ||
	    DB(r, &q_rp_campaigns, &res, CU_ARGS, STORE_ARGS(&rp),
	    SPAN_ARGS(rp.first, rp.last), DBI(r->m->id),
	    PERIOD_REV(&rp.pd)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		const char *ch = arena_printf(r->a, "campaign:%s",
		    db_str(&res, i, CA_SLUG));
		int64_t joined = 0;

		for (k = 0; k < joins.nrows; k++)
			if (strcmp(db_str(&joins, k, SC_CHANNEL), ch) == 0)
				joined = db_int(&joins, k, SC_N);
		o = j_obj();
		j_int(o, "id", db_int(&res, i, CA_ID));
		j_str(o, "slug", db_str(&res, i, CA_SLUG));
		j_str(o, "name", db_str(&res, i, CA_NAME));
		j_int(o, "new_members", joined);
		j_int(o, "views", db_int(&res, i, CA_VIEWS));
		j_int(o, "visitors", db_int(&res, i, CA_VISITORS));
		j_int(o, "shares", db_int(&res, i, CA_SHARES));
		coupon_figures(o, &res, i, 6);
		j_add(arr, NULL, o);
	}
	j_add(d, "campaigns", arr);
	j_add(d, "definitions", definitions(campaigns_defs));
	return resp_data(r, 200, d);
}

/* ---- members and stored value, from the rollups ---- */

/* The report of ?from=&to= over every store. 0, or the error status. */
static int
all_stores_arg(struct req *r, struct report *rp)
{
	int st;

	if ((st = period_arg(r, &rp->pd)) != 0)
		return st;
	rp->store = 0;
	rp->today = (long)((time_now() + rp->pd.tz) / 86400);
	snprintf(rp->first, sizeof(rp->first), "%s", rp->pd.p.from);
	snprintf(rp->last, sizeof(rp->last), "%s", rp->pd.p.to);
	return 0;
}

/* The members of kind in the period (q_rp_active_members). */
static int
active_members(struct req *r, const struct report *rp, const char *kind,
    int64_t *n)
{
	struct db_res res;

	if (DB(r, &q_rp_active_members, &res, DBI(r->m->id), DBS(kind),
	    DBI(0), SPAN_ARGS(rp->first, rp->last), DBS(rp->first)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	*n = db_int(&res, 0, 0);
	return 0;
}

/*
 * Out: {from, to, members, new_members, referred, channels:[{channel,
 * new_members}], tiers:[{level, name, members, new_members, share}],
 * daily:[{date, new_members}], spending:{members:{orders, order_fen,
 * balance_fen, refunded_fen, paying_members, avg_order_fen}, non_members}}.
 * members: all members now; new_members (referred: by a member's link)
 * joined in the period. tiers: the tier each member is in now
 * (members.tier_level, as the card has it), share of all members.
 * spending: orders members paid from stored value in the period
 * (balance_fen of them from the balance, refunded_fen given back by
 * refunds in the period); orders paid otherwise are not recorded, so
 * non_members is null. All from the rollups (stats_days,
 * stats_channel_days, stats_tier_days, stats_member_days).
 */
static int
stats_members(struct req *r)
{
	static const char *const names[] = { "new_members", NULL };
	static const struct field joins[] = {
	    { "new_members", 'i', 1 + SD_NEW }, { .name = NULL } };
	static const struct field channels[] = {
	    { "channel", 's', SC_CHANNEL }, { "new_members", 'i', SC_N },
	    { .name = NULL } };
	struct report rp;
	struct db_res res;
	int64_t v[SD_N], total, paying;
	cJSON *d, *o, *arr, *series, *sp;
	int i, st;

	if ((st = all_stores_arg(r, &rp)) != 0 ||
	    (st = sums_of(r, &rp, rp.pd.p.first, rp.pd.p.last, v)) != 0)
		return st;
	if (DB(r, &q_rp_members_upto, &res, DBI(r->m->id),
	    DBS("9999-12-31")) != DB_OK || res.nrows != 1)
		return db_fail(r);
	total = db_int(&res, 0, MC_MEMBERS);
	d = period_obj(&rp.pd);
	j_int(d, "members", total);
	j_int(d, "new_members", v[SD_NEW]);
	j_int(d, "referred", v[SD_REFERRED]);
	if (DB(r, &q_rp_channels, &res, DBI(r->m->id), DBS("join"),
	    SPAN_ARGS(rp.first, rp.last), STORE_ARGS(&rp)) != DB_OK)
		return db_fail(r);
	j_add(d, "channels", rows_json(&res, channels));
	if (DB(r, &q_rp_tiers, &res, SPAN_ARGS(rp.first, rp.last),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		o = j_obj();
		j_int(o, "level", db_int(&res, i, TI_LEVEL));
		j_str(o, "name", db_str(&res, i, TI_NAME));
		j_int(o, "members", db_int(&res, i, TI_MEMBERS));
		j_int(o, "new_members", db_int(&res, i, TI_NEW));
		j_rate(o, "share", db_int(&res, i, TI_MEMBERS), total);
		j_add(arr, NULL, o);
	}
	j_add(d, "tiers", arr);
	series = daily(&rp.pd, names);
	j_add(d, "daily", series);
	if (DB(r, &q_rp_sums_daily, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last), STORE_ARGS(&rp)) != DB_OK)
		return db_fail(r);
	if ((st = daily_add(r, &rp.pd, series, &res, SDD_DAY, joins)) != 0 ||
	    (st = active_members(r, &rp, "payment", &paying)) != 0)
		return st;
	sp = j_obj();
	o = j_obj();
	j_int(o, "orders", v[SD_WP]);
	j_int(o, "order_fen", v[SD_WO]);
	j_int(o, "balance_fen", v[SD_WPP] + v[SD_WPB]);
	j_int(o, "refunded_fen", v[SD_WR]);
	j_int(o, "paying_members", paying);
	j_avg(o, "avg_order_fen", v[SD_WO], v[SD_WP]);
	j_add(sp, "members", o);
	j_null(sp, "non_members");
	j_add(d, "spending", sp);
	return resp_data(r, 200, d);
}

/*
 * Out: {from, to, recharges:{count, members, pay_fen, bonus_fen},
 * packages:[{package_id, label, pay_fen, bonus_fen, count, pay_fen_total,
 * bonus_fen_total}] (package_id and label null: custom amounts),
 * providers:[{provider, count, pay_fen}], daily:[{date, count, pay_fen,
 * bonus_fen}], used:{payments, principal_fen, bonus_fen, refunded_fen},
 * balance:{principal_fen, bonus_fen, total_fen, members}}.
 * recharges: paid in the period; used: stored value paid out in the period
 * (refunded_fen: given back by refunds in the period); balance: what
 * members hold now (the ledger's movements over all days). All from the
 * rollups.
 */
static int
stats_recharges(struct req *r)
{
	static const char *const names[] = { "count", "pay_fen", "bonus_fen",
	    NULL };
	static const struct field days[] = { { "count", 'i', 1 + SD_RO },
	    { "pay_fen", 'i', 1 + SD_RF }, { "bonus_fen", 'i', 1 + SD_RB },
	    { .name = NULL } };
	static const struct field packages[] = {
	    { "package_id", 'n', PK_PACKAGE }, { "label", 's', PK_LABEL },
	    { "pay_fen", 'n', PK_PAY }, { "bonus_fen", 'n', PK_BONUS },
	    { "count", 'i', PK_COUNT }, { "pay_fen_total", 'i', PK_PAY_TOTAL },
	    { "bonus_fen_total", 'i', PK_BONUS_TOTAL }, { .name = NULL } };
	static const struct field providers[] = {
	    { "provider", 's', SC_CHANNEL }, { "count", 'i', SC_N },
	    { "pay_fen", 'i', SC_FEN }, { .name = NULL } };
	struct report rp;
	struct db_res res;
	int64_t v[SD_N], members;
	cJSON *d, *o, *series;
	int st;

	if ((st = all_stores_arg(r, &rp)) != 0 ||
	    (st = sums_of(r, &rp, rp.pd.p.first, rp.pd.p.last, v)) != 0 ||
	    (st = active_members(r, &rp, "recharge", &members)) != 0)
		return st;
	d = period_obj(&rp.pd);
	o = j_obj();
	j_int(o, "count", v[SD_RO]);
	j_int(o, "members", members);
	j_int(o, "pay_fen", v[SD_RF]);
	j_int(o, "bonus_fen", v[SD_RB]);
	j_add(d, "recharges", o);
	if (DB(r, &q_rp_packages, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last)) != DB_OK)
		return db_fail(r);
	j_add(d, "packages", rows_json(&res, packages));
	if (DB(r, &q_rp_providers, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last)) != DB_OK)
		return db_fail(r);
	j_add(d, "providers", rows_json(&res, providers));
	series = daily(&rp.pd, names);
	j_add(d, "daily", series);
	if (DB(r, &q_rp_sums_daily, &res, DBI(r->m->id),
	    SPAN_ARGS(rp.first, rp.last), STORE_ARGS(&rp)) != DB_OK)
		return db_fail(r);
	if ((st = daily_add(r, &rp.pd, series, &res, SDD_DAY, days)) != 0)
		return st;
	o = j_obj();
	j_int(o, "payments", v[SD_WP]);
	j_int(o, "principal_fen", v[SD_WPP]);
	j_int(o, "bonus_fen", v[SD_WPB]);
	j_int(o, "refunded_fen", v[SD_WR]);
	j_add(d, "used", o);
	if (DB(r, &q_rp_balance_now, &res, DBI(r->m->id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	o = j_obj();
	j_int(o, "principal_fen", db_int(&res, 0, BN_PRINCIPAL));
	j_int(o, "bonus_fen", db_int(&res, 0, BN_BONUS));
	j_int(o, "total_fen", db_int(&res, 0, BN_PRINCIPAL) +
	    db_int(&res, 0, BN_BONUS));
	j_int(o, "members", db_int(&res, 0, BN_HOLDERS));
	j_add(d, "balance", o);
	return resp_data(r, 200, d);
}

/* ---- CSV beside every report ---- */

/*
 * The report of fn as CSV (stats_csv()), streamed as an attachment named
 * after the report and its period.
 */
static int
csv_of(struct req *r, int (*fn)(struct req *), const char *name,
    const char *title)
{
	const cJSON *root, *data, *from, *to;
	const char *csv;
	size_t n, off;
	int st;

	if ((st = fn(r)) != 200)
		return st;
	root = cJSON_ParseWithLength(r->out, r->outlen);
	data = cJSON_GetObjectItemCaseSensitive(root, "data");
	if (data == NULL) {
		log_err(r, "stats: csv of %s: no data", name);
		return resp_internal(r);
	}
	from = cJSON_GetObjectItemCaseSensitive(data, "from");
	to = cJSON_GetObjectItemCaseSensitive(data, "to");
	csv = stats_csv(r->a, title, data, &n);
	resp_header(r, "Content-Disposition", arena_printf(r->a,
	    "attachment; filename=\"stats-%s-%s%s%s.csv\"", name,
	    cJSON_IsString(from) ? from->valuestring : "today",
	    cJSON_IsString(to) ? "-" : "",
	    cJSON_IsString(to) ? to->valuestring : ""));
	if (resp_stream_begin(r, 200, "text/csv; charset=utf-8") == -1)
		return 200;
	for (off = 0; off < n; off += 32 * 1024)
		if (resp_stream_write(r, csv + off, n - off > 32 * 1024 ?
		    32 * 1024 : n - off) == -1)
			break;
	return 200;
}

static int
stats_overview_csv(struct req *r)
{
	return csv_of(r, stats_overview, "overview", "经营概览");
}
static int
stats_consumption_csv(struct req *r)
{
	return csv_of(r, stats_consumption, "consumption", "会员消费与储值");
}
static int
stats_retention_csv(struct req *r)
{
	return csv_of(r, stats_retention, "retention", "留存与增长");
}
static int
stats_campaigns_csv(struct req *r)
{
	return csv_of(r, stats_campaigns, "campaigns", "活动与优惠券效果");
}
static int
stats_coupons_csv(struct req *r)
{
	return csv_of(r, stats_coupons, "coupons", "优惠券");
}
static int
stats_members_csv(struct req *r)
{
	return csv_of(r, stats_members, "members", "会员");
}
static int
stats_recharges_csv(struct req *r)
{
	return csv_of(r, stats_recharges, "recharges", "储值");
}

/*
 * GET /m/{merchant}/staff/stats: the analytics console (HTML shell);
 * static/js/staff_stats.js reads the three routes below and draws them
 * with ECharts.
 */
static int
page_staff_stats(struct req *r)
{
	return resp_html(r, 200, "pages/staff_stats",
	    page_staff_ctx("数据分析", "staff_stats.js"));
}

#define STATS "/api/v1/m/:merchant/staff/stats"

ROUTES(stats_routes) = {
	{ M_GET, STATS "/coupons", stats_coupons,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/members", stats_members,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/recharges", stats_recharges,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/overview", stats_overview,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/consumption", stats_consumption,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/retention", stats_retention,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/campaigns", stats_campaigns,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/coupons.csv", stats_coupons_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/members.csv", stats_members_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/recharges.csv", stats_recharges_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/overview.csv", stats_overview_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/consumption.csv", stats_consumption_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/retention.csv", stats_retention_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, STATS "/campaigns.csv", stats_campaigns_csv,
	    AUTH_STAFF | ROLE_MARKETING },
	{ M_GET, "/m/:merchant/staff/stats", page_staff_stats, HTML },
	{ 0, NULL, NULL, 0 }
};
