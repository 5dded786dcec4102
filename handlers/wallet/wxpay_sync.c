/*
 * WeChat Pay after the prepay: refunds through the v3 refund API with a
 * stable out_refund_no, and the job `wxpay-sync` for what no notify
 * settled: a trade whose notify never came is queried and settled or
 * closed, a refund whose answer was lost is sent again (the same
 * out_refund_no: WeChat Pay answers with the refund it has).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "httpc.h"
#include "job.h"
#include "payprovider.h"
#include "wallet.h"
#include "wxpay.h"

#define SYNC_BATCH		20
#define SYNC_QUIET_S		60	/* a trade or refund younger than this,
					   or touched since, waits for its
					   notify */
#define SYNC_CLOSE_S		(30 * 60)	/* an unpaid trade older than
						   this is closed */

enum { TT_AMOUNT, TT_STATE, TT_NCOLS };
DB_SQL_COLS(q_sync_trade, TT_NCOLS,
    "SELECT amount_fen, state FROM wxpay_trades"
    " WHERE merchant_id = ? AND out_trade_no = ?");
DB_SQL(q_sync_refund_add,
    "INSERT IGNORE INTO wxpay_refunds (merchant_id, out_refund_no,"
    " out_trade_no, refund_fen, total_fen, state, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, 'sent', UTC_TIMESTAMP(), UTC_TIMESTAMP())");
enum { RR_TRADE, RR_REFUND, RR_TOTAL, RR_STATE, RR_NCOLS };
DB_SQL_COLS(q_sync_refund_get, RR_NCOLS,
    "SELECT out_trade_no, refund_fen, total_fen, state FROM wxpay_refunds"
    " WHERE merchant_id = ? AND out_refund_no = ?");
DB_SQL(q_sync_refund_state,
    "UPDATE wxpay_refunds SET state = ?, refund_id = IFNULL(?, refund_id),"
    " updated_at = UTC_TIMESTAMP(), done_at = IF(? = 'success',"
    " UTC_TIMESTAMP(), done_at) WHERE merchant_id = ? AND out_refund_no = ?"
    " AND state NOT IN ('success', 'failed')");
enum { OT_NO, OT_AMOUNT, OT_AGE, OT_NCOLS };
DB_SQL_COLS(q_sync_open_trades, OT_NCOLS,
    "SELECT out_trade_no, amount_fen,"
    " TIMESTAMPDIFF(SECOND, created_at, UTC_TIMESTAMP())"
    " FROM wxpay_trades WHERE merchant_id = ? AND state = 'open'"
    " AND updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND"
    " ORDER BY updated_at LIMIT ?");
DB_SQL(q_sync_trade_touch,
    "UPDATE wxpay_trades SET updated_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND out_trade_no = ? AND state = 'open'");
DB_SQL(q_sync_trade_state,
    "UPDATE wxpay_trades SET state = ?, transaction_id = IFNULL(?,"
    " transaction_id), updated_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND out_trade_no = ? AND state = 'open'");
DB_SQL(q_sync_refund_touch,
    "UPDATE wxpay_refunds SET updated_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND out_refund_no = ?");
enum { OR_NO, OR_NCOLS };
DB_SQL_COLS(q_sync_open_refunds, OR_NCOLS,
    "SELECT out_refund_no FROM wxpay_refunds WHERE merchant_id = ?"
    " AND state IN ('sent', 'processing')"
    " AND updated_at < UTC_TIMESTAMP() - INTERVAL ? SECOND"
    " ORDER BY updated_at LIMIT ?");

/* b as text in r's arena; b deleted. */
static const char *
json_text(struct req *r, cJSON *b)
{
	char *p = cJSON_PrintUnformatted(b);
	const char *s = p ? arena_strdup(r->a, p) : "{}";

	cJSON_free(p);
	cJSON_Delete(b);
	return s;
}

static const char *
j_s(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int
wxpay_refund_settle(struct req *r, const char *out_refund_no,
    int64_t refund_fen, const char *refund_id, int *found)
{
	struct db_res res;

	*found = 0;
	if (DB(r, &q_sync_refund_get, &res, DBI(r->m->id),
	    DBS(out_refund_no)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	*found = 1;
	if (db_int(&res, 0, RR_REFUND) != refund_fen)
		return resp_err(r, 400, "amount_mismatch",
		    "退款金额与退款单不符", "amount");
	if (DB(r, &q_sync_refund_state, &res, DBS("success"), DBS(refund_id),
	    DBS("success"), DBI(r->m->id), DBS(out_refund_no)) != DB_OK)
		return db_fail(r);
	if (res.affected == 1)
		log_info(r, "wxpay: refund %s of %lld fen done", out_refund_no,
		    (long long)refund_fen);
	return 0;
}

/*
 * Send the stored refund out_refund_no (again): 0 with *state its state
 * after WeChat Pay's answer, or the error status (recorded; it stays
 * 'sent' for the job).
 */
static int
refund_send(struct req *r, const struct wxpay_cfg *c,
    const char *out_refund_no, const char **state)
{
	struct httpc_resp h;
	struct db_res res;
	cJSON *b, *a, *ans;
	const char *body, *s, *id;
	int64_t refund, total;
	int st;

	*state = "sent";
	if (DB(r, &q_sync_refund_get, &res, DBI(r->m->id),
	    DBS(out_refund_no)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 404, "not_found", "退款单不存在", NULL);
	refund = db_int(&res, 0, RR_REFUND);
	total = db_int(&res, 0, RR_TOTAL);
	b = j_obj();
	j_str(b, "out_trade_no", db_str(&res, 0, RR_TRADE));
	j_str(b, "out_refund_no", out_refund_no);
	j_str(b, "notify_url", arena_printf(r->a,
	    "%s/api/v1/payments/notify/wechatpay/%s", cfg.public_url,
	    r->m->code));
	a = j_obj();
	j_int(a, "refund", refund);
	j_int(a, "total", total);
	j_str(a, "currency", "CNY");
	j_add(b, "amount", a);
	body = json_text(r, b);
	if ((st = wxpay_call(r, c, "POST", "/v3/refund/domestic/refunds", body,
	    &h)) != 0)
		return st;
	ans = cJSON_Parse(h.body);
	s = ans ? j_s(ans, "status") : NULL;
	if (h.status != 200 || s == NULL) {
		log_warn(r, "wxpay: refund %s: HTTP %ld %.200s", out_refund_no,
		    h.status, h.body);
		cJSON_Delete(ans);
		return resp_err(r, 502, "unavailable",
		    "微信支付退款未受理，请稍后再试", NULL);
	}
	id = arena_strdup(r->a, j_s(ans, "refund_id") ? j_s(ans, "refund_id") :
	    "");
	*state = strcmp(s, "SUCCESS") == 0 ? "success" : strcmp(s,
	    "ABNORMAL") == 0 || strcmp(s, "CLOSED") == 0 ? "failed" :
	    "processing";
	cJSON_Delete(ans);
	if (DB(r, &q_sync_refund_state, &res, DBS(*state), DBS(*id ? id :
	    NULL), DBS(*state), DBI(r->m->id), DBS(out_refund_no)) != DB_OK)
		return db_fail(r);
	return 0;
}

int
wallet_online_refund(struct req *r, const char *out_trade_no,
    const char *out_refund_no, int64_t refund_fen, cJSON **out)
{
	struct wxpay_cfg c;
	struct db_res res;
	const char *state = "sent";
	int st;

	*out = NULL;
	if (out_trade_no == NULL || refund_fen <= 0)
		return 0;
	if (DB(r, &q_sync_trade, &res, DBI(r->m->id), DBS(out_trade_no)) !=
	    DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || strcmp(db_str(&res, 0, TT_STATE), "paid") != 0)
		return 0;	/* not paid through WeChat Pay */
	if (DB(r, &q_sync_refund_add, NULL, DBI(r->m->id), DBS(out_refund_no),
	    DBS(out_trade_no), DBI(refund_fen), DBI(db_int(&res, 0,
	    TT_AMOUNT))) != DB_OK)
		return db_fail(r);
	*out = j_obj();
	j_str(*out, "provider", "wechatpay");
	j_str(*out, "out_refund_no", out_refund_no);
	j_int(*out, "amount_fen", refund_fen);
	if ((st = wxpay_cfg_load(r, &c)) != 0 ||
	    (st = refund_send(r, &c, out_refund_no, &state)) != 0) {
		/* kept as sent: the job sends it again */
		resp_reset(r);
		j_str(*out, "status", "sent");
		return 0;
	}
	j_str(*out, "status", state);
	return 0;
}

/* ---- the job ---- */

struct sync_done {
	int64_t		 settled, closed, open, refunds;
	int		 more;
};

static int trade_apply(struct req *, const struct wxpay_cfg *, const char *,
    int64_t, int64_t, struct httpc_resp *, const cJSON *, struct sync_done *);

/* Query one open trade, settle or close it. 0, or the error status. */
static int
trade_sync(struct req *r, const struct wxpay_cfg *c, const char *no,
    int64_t amount, int64_t age, struct sync_done *d)
{
	struct httpc_resp h;
	cJSON *ans;
	int st;

	if (DB(r, &q_sync_trade_touch, NULL, DBI(r->m->id), DBS(no)) != DB_OK)
		return db_fail(r);
	if ((st = wxpay_call(r, c, "GET", arena_printf(r->a,
	    "/v3/pay/transactions/out-trade-no/%s?mchid=%s", no, c->mchid),
	    NULL, &h)) != 0)
		return st;
	/* in the request's arena, or malloc'd when there is none: deleted
	   here either way */
	ans = cJSON_Parse(h.body);
	st = trade_apply(r, c, no, amount, age, &h, ans, d);
	cJSON_Delete(ans);
	return st;
}

static int
trade_apply(struct req *r, const struct wxpay_cfg *c, const char *no,
    int64_t amount, int64_t age, struct httpc_resp *hq, const cJSON *ans,
    struct sync_done *d)
{
	struct httpc_resp hc, *h = hq;
	struct pay_notify n;
	const cJSON *amt;
	const char *s;
	int st;

	s = ans ? j_s(ans, "trade_state") : NULL;
	if (h->status == 404 || (s != NULL && (strcmp(s, "CLOSED") == 0 ||
	    strcmp(s, "REVOKED") == 0 || strcmp(s, "PAYERROR") == 0))) {
		if (DB(r, &q_sync_trade_state, NULL, DBS("closed"), DBNULL,
		    DBI(r->m->id), DBS(no)) != DB_OK)
			return db_fail(r);
		d->closed++;
		return 0;
	}
	if (h->status != 200 || s == NULL)
		return resp_err(r, 502, "unavailable", "微信支付查询失败", NULL);
	if (strcmp(s, "SUCCESS") == 0) {
		amt = cJSON_GetObjectItem(ans, "amount");
		amt = amt ? cJSON_GetObjectItem(amt, "total") : NULL;
		if (j_s(ans, "mchid") == NULL || strcmp(j_s(ans, "mchid"),
		    c->mchid) != 0 || j_s(ans, "appid") == NULL ||
		    strcmp(j_s(ans, "appid"), c->appid) != 0 ||
		    !cJSON_IsNumber(amt) || (int64_t)amt->valuedouble != amount) {
			log_err(r, "wxpay: trade %s: the query does not match",
			    no);
			d->open++;
			return 0;
		}
		n.out_trade_no = no;
		n.amount_fen = amount;
		n.success = 1;
		if ((st = payprovider_apply(r, wxpay_provider.name, &n)) != 0)
			return st;
		if (DB(r, &q_sync_trade_state, NULL, DBS("paid"),
		    DBS(j_s(ans, "transaction_id")), DBI(r->m->id), DBS(no)) !=
		    DB_OK)
			return db_fail(r);
		d->settled++;
		return 0;
	}
	if (age >= SYNC_CLOSE_S) {
		if ((st = wxpay_call(r, c, "POST", arena_printf(r->a,
		    "/v3/pay/transactions/out-trade-no/%s/close", no),
		    arena_printf(r->a, "{\"mchid\":\"%s\"}", c->mchid), &hc))
		    != 0)
			return st;
		h = &hc;
		if (h->status == 204 || h->status == 200) {
			if (DB(r, &q_sync_trade_state, NULL, DBS("closed"),
			    DBNULL, DBI(r->m->id), DBS(no)) != DB_OK)
				return db_fail(r);
			d->closed++;
			return 0;
		}
	}
	d->open++;
	return 0;
}

static int
sync_prepare(struct job_run *j)
{
	struct req *r = j->r;
	struct sync_done *d = arena_calloc(r->a, 1, sizeof(*d));
	struct wxpay_cfg c;
	struct db_res res;
	const char *state;
	int i, st, lim = job_batch_limit(SYNC_BATCH);

	j->data = d;
	if ((st = wxpay_cfg_load(r, &c)) != 0)
		return st;
	if (!c.configured || c.private_key == NULL)
		return 0;
	if (DB(r, &q_sync_open_trades, &res, DBI(r->m->id),
	    DBI(SYNC_QUIET_S), DBI(lim)) != DB_OK)
		return db_fail(r);
	d->more = res.nrows == lim;
	for (i = 0; i < res.nrows; i++)
		if ((st = trade_sync(r, &c, db_str(&res, i, OT_NO),
		    db_int(&res, i, OT_AMOUNT), db_int(&res, i, OT_AGE), d)) !=
		    0) {
			/* WeChat Pay unreachable: the next run asks again */
			log_warn(r, "wxpay-sync: trade %s: %d",
			    db_str(&res, i, OT_NO), st);
			resp_reset(r);
			d->open++;
		}
	if (DB(r, &q_sync_open_refunds, &res, DBI(r->m->id),
	    DBI(SYNC_QUIET_S), DBI(lim)) != DB_OK)
		return db_fail(r);
	d->more |= res.nrows == lim;
	for (i = 0; i < res.nrows; i++) {
		if (refund_send(r, &c, db_str(&res, i, OR_NO), &state) != 0) {
			log_warn(r, "wxpay-sync: refund %s not sent",
			    db_str(&res, i, OR_NO));
			resp_reset(r);
			if (DB(r, &q_sync_refund_touch, NULL, DBI(r->m->id),
			    DBS(db_str(&res, i, OR_NO))) != DB_OK)
				return db_fail(r);
			continue;
		}
		d->refunds++;
	}
	return 0;
}

static int
sync_batch(struct job_run *j)
{
	const struct sync_done *d = j->data;

	if (d == NULL)
		return JOB_DONE;
	j->count[0] += d->settled;
	j->count[1] += d->closed;
	j->count[2] += d->open;
	j->count[3] += d->refunds;
	/* what is still open was touched: the next batch takes others */
	return d->more ? JOB_MORE : JOB_DONE;
}

JOB(wxpay_sync_job) = {
	"wxpay-sync", "微信支付对账", JOB_MINUTE, 0,
	{ "补记支付", "关闭订单", "仍未支付", "重发退款" },
	sync_batch,
	0,	/* a failing batch fails the run: the next minute's asks again */
};
JOB_PREPARE(wxpay_sync_job, sync_prepare);
