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
 * Per template: coupons claimed in the period and what has become of them
 * (used, cancelled, expired unused, by now), and the coupons used in the
 * period with their discount and order amounts. Templates with either, and
 * every active template. (merchant, start, end) twice, then merchant.
 */
enum { TP_ID, TP_NAME, TP_KIND, TP_STATUS, TP_STOCK, TP_STOCK_LEFT, TP_ISSUED,
    TP_ISSUED_USED, TP_CANCELLED, TP_EXPIRED, TP_USED, TP_DISCOUNT,
    TP_ORDERS, TP_NCOLS };
DB_SQL_COLS(q_stats_templates, TP_NCOLS,
    "SELECT t.id, t.name, t.kind, t.status, t.stock, t.stock_left,"
    " IFNULL(i.issued, 0), IFNULL(i.used, 0), IFNULL(i.cancelled, 0),"
    " IFNULL(i.expired, 0), IFNULL(u.used, 0), IFNULL(u.discount, 0),"
    " IFNULL(u.orders, 0)"
    " FROM coupon_templates t"
    " LEFT JOIN (SELECT template_id, COUNT(*) AS issued,"
    "  SUM(status = 'used') AS used, SUM(status = 'cancelled') AS cancelled,"
    "  SUM(status = 'unused' AND valid_until < UTC_TIMESTAMP()) AS expired"
    "  FROM coupons WHERE merchant_id = ? AND claimed_at >= ?"
    "  AND claimed_at < ? GROUP BY template_id) i ON i.template_id = t.id"
    " LEFT JOIN (SELECT template_id, COUNT(*) AS used,"
    "  SUM(IFNULL(discount_fen, 0)) AS discount,"
    "  SUM(IFNULL(order_fen, 0)) AS orders"
    "  FROM coupons WHERE merchant_id = ? AND status = 'used'"
    "  AND used_at >= ? AND used_at < ? GROUP BY template_id) u"
    " ON u.template_id = t.id"
    " WHERE t.merchant_id = ? AND (i.template_id IS NOT NULL"
    " OR u.template_id IS NOT NULL OR t.status = 'active')"
    " ORDER BY t.id DESC");
/* (tz offset s, merchant, start, end): day, claimed */
enum { CD_DAY, CD_ISSUED, CD_NCOLS };
DB_SQL_COLS(q_stats_claims_daily, CD_NCOLS,
    "SELECT DATE(claimed_at + INTERVAL ? SECOND), COUNT(*) FROM coupons"
    " WHERE merchant_id = ? AND claimed_at >= ? AND claimed_at < ?"
    " GROUP BY 1");
/* (tz offset s, merchant, start, end): day, used, discount, orders */
enum { UD_DAY, UD_USED, UD_DISCOUNT, UD_ORDERS, UD_NCOLS };
DB_SQL_COLS(q_stats_uses_daily, UD_NCOLS,
    "SELECT DATE(used_at + INTERVAL ? SECOND), COUNT(*),"
    " SUM(IFNULL(discount_fen, 0)), SUM(IFNULL(order_fen, 0))"
    " FROM coupons WHERE merchant_id = ? AND status = 'used'"
    " AND used_at >= ? AND used_at < ? GROUP BY 1");

/* (start, end, start, end, merchant): members now, new, new referred */
enum { MT_MEMBERS, MT_NEW, MT_REFERRED, MT_NCOLS };
DB_SQL_COLS(q_stats_members_total, MT_NCOLS,
    "SELECT COUNT(*), IFNULL(SUM(joined_at >= ? AND joined_at < ?), 0),"
    " IFNULL(SUM(joined_at >= ? AND joined_at < ?"
    " AND referrer_id IS NOT NULL), 0)"
    " FROM members WHERE merchant_id = ?");
enum { CH_CHANNEL, CH_NEW, CH_NCOLS };
DB_SQL_COLS(q_stats_channels, CH_NCOLS,
    "SELECT channel, COUNT(*) FROM members WHERE merchant_id = ?"
    " AND joined_at >= ? AND joined_at < ? GROUP BY channel"
    " ORDER BY 2 DESC, 1");
enum { JD_DAY, JD_NEW, JD_NCOLS };
DB_SQL_COLS(q_stats_joins_daily, JD_NCOLS,
    "SELECT DATE(joined_at + INTERVAL ? SECOND), COUNT(*) FROM members"
    " WHERE merchant_id = ? AND joined_at >= ? AND joined_at < ?"
    " GROUP BY 1");
/*
 * (start, end, merchant, merchant): each tier of the ladder with
 * its members now (tier from growth, as the card has it) and those of them
 * who joined in the period.
 */
enum { TI_LEVEL, TI_NAME, TI_MEMBERS, TI_NEW, TI_NCOLS };
DB_SQL_COLS(q_stats_tiers, TI_NCOLS,
    "SELECT l.level, l.name, COUNT(mb.id),"
    " IFNULL(SUM(mb.joined_at >= ? AND mb.joined_at < ?), 0)"
    " FROM (SELECT level, name, growth,"
    "  LEAD(growth) OVER (ORDER BY level) AS next_growth"
    "  FROM tiers WHERE merchant_id = ?) l"
    " LEFT JOIN members mb ON mb.merchant_id = ? AND mb.growth >= l.growth"
    " AND (l.next_growth IS NULL OR mb.growth < l.next_growth)"
    " GROUP BY l.level, l.name ORDER BY l.level");

/* Balance payments made in the period (members paying from stored value),
   and what refunds in the period gave back. */
enum { PM_COUNT, PM_ORDER, PM_PRINCIPAL, PM_BONUS, PM_MEMBERS, PM_NCOLS };
DB_SQL_COLS(q_stats_payments, PM_NCOLS,
    "SELECT COUNT(*), IFNULL(SUM(order_fen), 0),"
    " IFNULL(SUM(principal_fen), 0), IFNULL(SUM(bonus_fen), 0),"
    " COUNT(DISTINCT member_id)"
    " FROM payments WHERE merchant_id = ? AND created_at >= ?"
    " AND created_at < ?");
enum { RF_COUNT, RF_PRINCIPAL, RF_BONUS, RF_NCOLS };
DB_SQL_COLS(q_stats_refunds, RF_NCOLS,
    "SELECT COUNT(*), IFNULL(SUM(principal_fen), 0),"
    " IFNULL(SUM(bonus_fen), 0)"
    " FROM refunds WHERE merchant_id = ? AND created_at >= ?"
    " AND created_at < ?");

/* Recharges paid in the period. */
enum { RC_COUNT, RC_PAY, RC_BONUS, RC_MEMBERS, RC_NCOLS };
DB_SQL_COLS(q_stats_recharges, RC_NCOLS,
    "SELECT COUNT(*), IFNULL(SUM(pay_fen), 0), IFNULL(SUM(bonus_fen), 0),"
    " COUNT(DISTINCT member_id)"
    " FROM recharges WHERE merchant_id = ? AND status = 'paid'"
    " AND paid_at >= ? AND paid_at < ?");
enum { PK_PACKAGE, PK_LABEL, PK_PAY, PK_BONUS, PK_COUNT, PK_PAY_TOTAL,
    PK_BONUS_TOTAL, PK_NCOLS };
DB_SQL_COLS(q_stats_packages, PK_NCOLS,
    "SELECT r.package_id, p.label, p.pay_fen, p.bonus_fen, COUNT(*),"
    " SUM(r.pay_fen), SUM(r.bonus_fen)"
    " FROM recharges r LEFT JOIN recharge_packages p"
    " ON p.id = r.package_id AND p.merchant_id = r.merchant_id"
    " WHERE r.merchant_id = ? AND r.status = 'paid'"
    " AND r.paid_at >= ? AND r.paid_at < ?"
    " GROUP BY r.package_id, p.label, p.pay_fen, p.bonus_fen"
    " ORDER BY 6 DESC, 1");
enum { PV_PROVIDER, PV_COUNT, PV_PAY, PV_NCOLS };
DB_SQL_COLS(q_stats_providers, PV_NCOLS,
    "SELECT provider, COUNT(*), SUM(pay_fen) FROM recharges"
    " WHERE merchant_id = ? AND status = 'paid'"
    " AND paid_at >= ? AND paid_at < ? GROUP BY provider ORDER BY 3 DESC, 1");
enum { RD_DAY, RD_COUNT, RD_PAY, RD_BONUS, RD_NCOLS };
DB_SQL_COLS(q_stats_recharges_daily, RD_NCOLS,
    "SELECT DATE(paid_at + INTERVAL ? SECOND), COUNT(*), SUM(pay_fen),"
    " SUM(bonus_fen) FROM recharges WHERE merchant_id = ?"
    " AND status = 'paid' AND paid_at >= ? AND paid_at < ? GROUP BY 1");
/* (merchant): the balance outstanding now. */
enum { BL_PRINCIPAL, BL_BONUS, BL_HOLDERS, BL_NCOLS };
DB_SQL_COLS(q_stats_balance, BL_NCOLS,
    "SELECT IFNULL(SUM(principal_fen), 0), IFNULL(SUM(bonus_fen), 0),"
    " IFNULL(SUM(principal_fen + bonus_fen > 0), 0)"
    " FROM members WHERE merchant_id = ?");

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

/*
 * A period's daily query q (tz offset, merchant, start, end -> the day in
 * column day, the counters of f) run and added to the series. 0, or the
 * error status (recorded).
 */
static int
daily_query(struct req *r, const struct period *pd, cJSON *series,
    struct db_sql *q, int day, const struct field *f)
{
	struct db_res res;

	if (DB(r, q, &res, DBI(pd->tz), DBI(r->m->id), PERIOD(pd)) != DB_OK)
		return db_fail(r);
	return daily_add(r, pd, series, &res, day, f);
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

/* Balance payments and refunds made in the period. */
struct paid_out {
	int64_t	 payments, order_fen, principal_fen, bonus_fen, members;
	int64_t	 refunded_fen;
};

/* The period's paid_out. 0, or the error status (recorded). */
static int
paid_out(struct req *r, const struct period *pd, struct paid_out *p)
{
	struct db_res res, ref;

	if (DB(r, &q_stats_payments, &res, DBI(r->m->id), PERIOD(pd)) !=
	    DB_OK || res.nrows != 1 ||
	    DB(r, &q_stats_refunds, &ref, DBI(r->m->id), PERIOD(pd)) !=
	    DB_OK || ref.nrows != 1)
		return db_fail(r);
	p->payments = db_int(&res, 0, PM_COUNT);
	p->order_fen = db_int(&res, 0, PM_ORDER);
	p->principal_fen = db_int(&res, 0, PM_PRINCIPAL);
	p->bonus_fen = db_int(&res, 0, PM_BONUS);
	p->members = db_int(&res, 0, PM_MEMBERS);
	p->refunded_fen = db_int(&ref, 0, RF_PRINCIPAL) +
	    db_int(&ref, 0, RF_BONUS);
	return 0;
}

/* ---- coupons ---- */

/* The counts of a template, or their sums over all templates. */
enum { CN_ISSUED, CN_ISSUED_USED, CN_CANCELLED, CN_EXPIRED, CN_USED,
    CN_DISCOUNT, CN_ORDERS, CN_N };

/* The counts of row i of q_stats_templates. */
static void
coupon_counts_row(const struct db_res *res, int i, int64_t v[CN_N])
{
	v[CN_ISSUED] = db_int(res, i, TP_ISSUED);
	v[CN_ISSUED_USED] = db_int(res, i, TP_ISSUED_USED);
	v[CN_CANCELLED] = db_int(res, i, TP_CANCELLED);
	v[CN_EXPIRED] = db_int(res, i, TP_EXPIRED);
	v[CN_USED] = db_int(res, i, TP_USED);
	v[CN_DISCOUNT] = db_int(res, i, TP_DISCOUNT);
	v[CN_ORDERS] = db_int(res, i, TP_ORDERS);
}

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
}

/*
 * Out: {from, to, totals:{issued, issued_used, cancelled, expired,
 * use_rate, used, discount_fen, order_fen, roi}, templates:[{id, name,
 * kind, status, stock, claimed, claim_rate, issued, issued_used, cancelled,
 * expired, use_rate, used, discount_fen, order_fen, roi}], daily:[{date,
 * issued, used, discount_fen, order_fen}]}.
 * issued: coupons claimed in the period; issued_used, cancelled, expired:
 * what has become of those by now; use_rate = issued_used / issued. used,
 * discount_fen, order_fen: coupons redeemed in the period (whenever
 * claimed), the discount they gave and the orders they were used on; roi =
 * order_fen / discount_fen. claimed and claim_rate: of the template's stock
 * since it was made (claim_rate null for unlimited stock).
 */
static int
stats_coupons(struct req *r)
{
	static const struct field claims[] = { { "issued", 'i', CD_ISSUED },
	    { .name = NULL } };
	static const struct field uses[] = { { "used", 'i', UD_USED },
	    { "discount_fen", 'i', UD_DISCOUNT },
	    { "order_fen", 'i', UD_ORDERS }, { .name = NULL } };
	static const char *const names[] = { "issued", "used", "discount_fen",
	    "order_fen", NULL };
	int64_t tot[CN_N] = { 0 };
	struct period pd;
	struct db_res res;
	cJSON *d, *arr, *o, *series;
	int i, k, st;

	if ((st = period_arg(r, &pd)) != 0)
		return st;
	if (DB(r, &q_stats_templates, &res, DBI(r->m->id), PERIOD(&pd),
	    DBI(r->m->id), PERIOD(&pd), DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	arr = j_arr();
	for (i = 0; i < res.nrows; i++) {
		int64_t stock = db_int(&res, i, TP_STOCK);
		int64_t claimed = stock - db_int(&res, i, TP_STOCK_LEFT);
		int64_t v[CN_N];

		coupon_counts_row(&res, i, v);
		o = j_obj();
		j_int(o, "id", db_int(&res, i, TP_ID));
		j_str(o, "name", db_str(&res, i, TP_NAME));
		j_str(o, "kind", db_str(&res, i, TP_KIND));
		j_str(o, "status", db_str(&res, i, TP_STATUS));
		if (db_isnull(&res, i, TP_STOCK)) {
			j_null(o, "stock");
			j_null(o, "claimed");
			j_null(o, "claim_rate");
		} else {
			j_int(o, "stock", stock);
			j_int(o, "claimed", claimed);
			j_rate(o, "claim_rate", claimed, stock);
		}
		coupon_counts(o, v);
		j_add(arr, NULL, o);
		for (k = 0; k < CN_N; k++)
			tot[k] += v[k];
	}
	d = period_obj(&pd);
	o = j_obj();
	coupon_counts(o, tot);
	j_add(d, "totals", o);
	j_add(d, "templates", arr);

	series = daily(&pd, names);
	j_add(d, "daily", series);
	if ((st = daily_query(r, &pd, series, &q_stats_claims_daily, CD_DAY,
	    claims)) != 0 ||
	    (st = daily_query(r, &pd, series, &q_stats_uses_daily, UD_DAY,
	    uses)) != 0)
		return st;
	return resp_data(r, 200, d);
}

/* ---- members ---- */

/*
 * Out: {from, to, members, new_members, referred, channels:[{channel,
 * new_members}], tiers:[{level, name, members, new_members}],
 * daily:[{date, new_members}], spending:{members:{orders, order_fen,
 * balance_fen, refunded_fen, paying_members, avg_order_fen}, non_members}}.
 * members: all members now; new_members (referred: by a member's link)
 * joined in the period. tiers: the tier each member is in now, from
 * growth. spending: orders members paid from stored value in the period
 * (balance_fen of them from the balance, refunded_fen given back by
 * refunds in the period); orders paid otherwise are not recorded, so
 * non_members is null.
 */
static int
stats_members(struct req *r)
{
	static const char *const names[] = { "new_members", NULL };
	static const struct field joins[] = { { "new_members", 'i', JD_NEW },
	    { .name = NULL } };
	static const struct field channels[] = {
	    { "channel", 's', CH_CHANNEL }, { "new_members", 'i', CH_NEW },
	    { .name = NULL } };
	static const struct field tiers[] = { { "level", 'i', TI_LEVEL },
	    { "name", 's', TI_NAME }, { "members", 'i', TI_MEMBERS },
	    { "new_members", 'i', TI_NEW }, { .name = NULL } };
	struct period pd;
	struct paid_out po;
	struct db_res res;
	cJSON *d, *o, *series, *sp;
	int st;

	if ((st = period_arg(r, &pd)) != 0)
		return st;
	if (DB(r, &q_stats_members_total, &res, PERIOD(&pd), PERIOD(&pd),
	    DBI(r->m->id)) != DB_OK || res.nrows != 1)
		return db_fail(r);
	d = period_obj(&pd);
	j_int(d, "members", db_int(&res, 0, MT_MEMBERS));
	j_int(d, "new_members", db_int(&res, 0, MT_NEW));
	j_int(d, "referred", db_int(&res, 0, MT_REFERRED));
	if (DB(r, &q_stats_channels, &res, DBI(r->m->id), PERIOD(&pd)) !=
	    DB_OK)
		return db_fail(r);
	j_add(d, "channels", rows_json(&res, channels));
	if (DB(r, &q_stats_tiers, &res, PERIOD(&pd), DBI(r->m->id),
	    DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	j_add(d, "tiers", rows_json(&res, tiers));
	series = daily(&pd, names);
	j_add(d, "daily", series);
	if ((st = daily_query(r, &pd, series, &q_stats_joins_daily, JD_DAY,
	    joins)) != 0 ||
	    (st = paid_out(r, &pd, &po)) != 0)
		return st;
	sp = j_obj();
	o = j_obj();
	j_int(o, "orders", po.payments);
	j_int(o, "order_fen", po.order_fen);
	j_int(o, "balance_fen", po.principal_fen + po.bonus_fen);
	j_int(o, "refunded_fen", po.refunded_fen);
	j_int(o, "paying_members", po.members);
	if (po.payments > 0)
		j_int(o, "avg_order_fen", (po.order_fen + po.payments / 2) /
		    po.payments);
	else
		j_null(o, "avg_order_fen");
	j_add(sp, "members", o);
	j_null(sp, "non_members");
	j_add(d, "spending", sp);
	return resp_data(r, 200, d);
}

/* ---- stored value ---- */

/*
 * Out: {from, to, recharges:{count, members, pay_fen, bonus_fen},
 * packages:[{package_id, label, pay_fen, bonus_fen, count, pay_fen_total,
 * bonus_fen_total}] (package_id and label null: custom amounts),
 * providers:[{provider, count, pay_fen}], daily:[{date, count, pay_fen,
 * bonus_fen}], used:{payments, principal_fen, bonus_fen, refunded_fen},
 * balance:{principal_fen, bonus_fen, total_fen, members}}.
 * recharges: paid in the period; used: stored value paid out in the period
 * (refunded_fen: given back by refunds in the period); balance: what
 * members hold now.
 */
static int
stats_recharges(struct req *r)
{
	static const char *const names[] = { "count", "pay_fen", "bonus_fen",
	    NULL };
	static const struct field days[] = { { "count", 'i', RD_COUNT },
	    { "pay_fen", 'i', RD_PAY }, { "bonus_fen", 'i', RD_BONUS },
	    { .name = NULL } };
	static const struct field packages[] = {
	    { "package_id", 'n', PK_PACKAGE }, { "label", 's', PK_LABEL },
	    { "pay_fen", 'n', PK_PAY }, { "bonus_fen", 'n', PK_BONUS },
	    { "count", 'i', PK_COUNT }, { "pay_fen_total", 'i', PK_PAY_TOTAL },
	    { "bonus_fen_total", 'i', PK_BONUS_TOTAL }, { .name = NULL } };
	static const struct field providers[] = {
	    { "provider", 's', PV_PROVIDER }, { "count", 'i', PV_COUNT },
	    { "pay_fen", 'i', PV_PAY }, { .name = NULL } };
	struct period pd;
	struct paid_out po;
	struct db_res res;
	cJSON *d, *o, *series;
	int st;

	if ((st = period_arg(r, &pd)) != 0)
		return st;
	if (DB(r, &q_stats_recharges, &res, DBI(r->m->id), PERIOD(&pd)) !=
	    DB_OK || res.nrows != 1)
		return db_fail(r);
	d = period_obj(&pd);
	o = j_obj();
	j_int(o, "count", db_int(&res, 0, RC_COUNT));
	j_int(o, "members", db_int(&res, 0, RC_MEMBERS));
	j_int(o, "pay_fen", db_int(&res, 0, RC_PAY));
	j_int(o, "bonus_fen", db_int(&res, 0, RC_BONUS));
	j_add(d, "recharges", o);
	if (DB(r, &q_stats_packages, &res, DBI(r->m->id), PERIOD(&pd)) !=
	    DB_OK)
		return db_fail(r);
	j_add(d, "packages", rows_json(&res, packages));
	if (DB(r, &q_stats_providers, &res, DBI(r->m->id), PERIOD(&pd)) !=
	    DB_OK)
		return db_fail(r);
	j_add(d, "providers", rows_json(&res, providers));
	series = daily(&pd, names);
	j_add(d, "daily", series);
	if ((st = daily_query(r, &pd, series, &q_stats_recharges_daily,
	    RD_DAY, days)) != 0 ||
	    (st = paid_out(r, &pd, &po)) != 0)
		return st;
	o = j_obj();
	j_int(o, "payments", po.payments);
	j_int(o, "principal_fen", po.principal_fen);
	j_int(o, "bonus_fen", po.bonus_fen);
	j_int(o, "refunded_fen", po.refunded_fen);
	j_add(d, "used", o);
	if (DB(r, &q_stats_balance, &res, DBI(r->m->id)) != DB_OK ||
	    res.nrows != 1)
		return db_fail(r);
	o = j_obj();
	j_int(o, "principal_fen", db_int(&res, 0, BL_PRINCIPAL));
	j_int(o, "bonus_fen", db_int(&res, 0, BL_BONUS));
	j_int(o, "total_fen", db_int(&res, 0, BL_PRINCIPAL) +
	    db_int(&res, 0, BL_BONUS));
	j_int(o, "members", db_int(&res, 0, BL_HOLDERS));
	j_add(d, "balance", o);
	return resp_data(r, 200, d);
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
	{ M_GET, "/m/:merchant/staff/stats", page_staff_stats, HTML },
	{ 0, NULL, NULL, 0 }
};
