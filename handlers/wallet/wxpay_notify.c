/*
 * WeChat Pay's notify: POST /api/v1/payments/notify/wechatpay/{merchant}
 * (the notify_url each prepay names; each merchant's keys are its own),
 * or /api/v1/payments/notify/wechatpay, where the merchant is the one
 * whose platform key Wechatpay-Serial names and whose keys verify and
 * open it. Answers as WeChat Pay v3 expects: 204 without a body when
 * handled (also a repeat), so WeChat stops; 4xx/5xx with
 * {"code":"FAIL","message":".."} so it retries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "payprovider.h"
#include "wxpay.h"

#define SERIAL_MERCHANTS	8

enum { SM_ID, SM_CODE, SM_NAME, SM_TZ, SM_NCOLS };
/* the one read that finds the merchant: by the serial WeChat Pay signs with */
DB_SQL_COLS(q_wxpay_serial_merchants, SM_NCOLS,
    "SELECT m.id, m.code, m.name, m.tz FROM wxpay_platform_keys k"
    " JOIN merchants m ON m.id = k.merchant_id AND m.active = 1"
    " WHERE k.serial = ? ORDER BY m.id LIMIT 8");
DB_SQL(q_wxpay_trade_paid,
    "UPDATE wxpay_trades SET state = 'paid', transaction_id = ?,"
    " updated_at = UTC_TIMESTAMP() WHERE merchant_id = ? AND"
    " out_trade_no = ? AND state <> 'paid'");

static int
wx_fail(struct req *r, int status, const char *message)
{
	cJSON *o = j_obj();
	char *s;

	resp_reset(r);
	j_str(o, "code", "FAIL");
	j_str(o, "message", message);
	s = arena_strdup(r->a, cJSON_PrintUnformatted(o));
	cJSON_Delete(o);
	log_warn(r, "wxpay notify: %d %s", status, message);
	return resp_raw(r, status, "application/json", s, strlen(s));
}

/* cJSON trees parsed here live in the request's arena (resp.c's hooks). */
static const char *
j_s(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* REFUND.SUCCESS (or .ABNORMAL, .CLOSED) for a refund of r->m. */
static int
refund_notified(struct req *r, const char *event, const cJSON *plain)
{
	const char *no = j_s(plain, "out_refund_no");
	const cJSON *amt = cJSON_GetObjectItem(plain, "amount");
	int found = 0, st;

	amt = amt ? cJSON_GetObjectItem(amt, "refund") : NULL;
	if (no == NULL || strlen(no) > 64 || !cJSON_IsNumber(amt))
		return wx_fail(r, 400, "通知内容不完整");
	if (strcmp(event, "REFUND.SUCCESS") != 0) {
		log_warn(r, "wxpay: refund %s: %s", no, event);
		return wxpay_provider.ack(r);
	}
	if ((st = wxpay_refund_settle(r, no, (int64_t)amt->valuedouble,
	    j_s(plain, "refund_id"), &found)) != 0)
		return wx_fail(r, st == 400 ? 400 : 500, st == 400 ?
		    "退款金额与退款单不符" : "系统繁忙");
	if (!found)
		return wx_fail(r, 404, "退款单不存在");
	return wxpay_provider.ack(r);
}

static int
signed_ok(struct req *r, const struct wxpay_cfg *c, const char **why)
{
	return wxpay_check_signed(c, req_header(r, "HTTP_WECHATPAY_TIMESTAMP"),
	    req_header(r, "HTTP_WECHATPAY_NONCE"), req_header(r,
	    "HTTP_WECHATPAY_SERIAL"), req_header(r,
	    "HTTP_WECHATPAY_SIGNATURE"), r->body ? r->body : "",
	    r->body_len, time_now(), why);
}

/*
 * No merchant in the path: the merchant whose platform key the serial
 * names and whose key verifies the signature; r->m and *c set. 0, or the
 * FAIL answer's status.
 */
static int
merchant_by_serial(struct req *r, struct wxpay_cfg *c)
{
	const char *serial = req_header(r, "HTTP_WECHATPAY_SERIAL");
	const char *why = "未知的平台证书或公钥";
	struct db_res res;
	int i, st;

	memset(c, 0, sizeof(*c));
	if (serial == NULL || strlen(serial) > 64)
		return wx_fail(r, 401, "缺少签名");
	if (DB(r, &q_wxpay_serial_merchants, &res, DBS(serial)) != DB_OK)
		return wx_fail(r, 503, "系统繁忙");
	for (i = 0; i < res.nrows && i < SERIAL_MERCHANTS; i++) {
		r->m = arena_calloc(r->a, 1, sizeof(*r->m));
		r->m->id = db_int(&res, i, SM_ID);
		r->m->code = db_str(&res, i, SM_CODE);
		r->m->name = db_str(&res, i, SM_NAME);
		r->m->tz = db_str(&res, i, SM_TZ);
		if ((st = wxpay_cfg_load(r, c)) != 0)
			return wx_fail(r, st, "系统繁忙");
		if (signed_ok(r, c, &why) == 0)
			return 0;
	}
	r->m = NULL;
	return wx_fail(r, 401, why);
}

/*
 * In: WeChat Pay's notify (Wechatpay-* headers, the JSON body with its
 * encrypted resource). Out: 204, or FAIL. Writes: as the provider notify
 * (the recharge credited or the order paid, once), the trade's state.
 */
int
wxpay_notify_handle(struct req *r)
{
	struct wxpay_cfg c;
	struct pay_notify n;
	cJSON *body, *res, *plain, *amt;
	const char *why, *pt, *s, *no;
	size_t len;
	int st;

	if (r->m == NULL && (st = merchant_by_serial(r, &c)) != 0)
		return st;
	if (r->m != NULL && (st = wxpay_cfg_load(r, &c)) != 0)
		return wx_fail(r, st, "系统繁忙");
	if (!c.configured || c.apiv3_key == NULL)
		return wx_fail(r, 404, "商户未开通微信支付");
	if (signed_ok(r, &c, &why) != 0)
		return wx_fail(r, 401, why);
	if ((body = cJSON_ParseWithLength(r->body, r->body_len)) == NULL)
		return wx_fail(r, 400, "通知内容无法解析");
	res = cJSON_GetObjectItem(body, "resource");
	if (!cJSON_IsObject(res) || (s = j_s(res, "algorithm")) == NULL ||
	    strcmp(s, "AEAD_AES_256_GCM") != 0)
		return wx_fail(r, 400, "通知内容无法解析");
	if ((pt = wxpay_decrypt(r->a, c.apiv3_key, j_s(res, "nonce"),
	    j_s(res, "associated_data"), j_s(res, "ciphertext"), &len)) ==
	    NULL)
		return wx_fail(r, 400, "通知内容无法解密");
	if ((plain = cJSON_ParseWithLength(pt, len)) == NULL)
		return wx_fail(r, 400, "通知内容无法解析");
	if ((s = j_s(plain, "mchid")) == NULL || strcmp(s, c.mchid) != 0)
		return wx_fail(r, 400, "商户号不符");
	if ((s = j_s(body, "event_type")) != NULL && strncmp(s, "REFUND.", 7)
	    == 0)
		return refund_notified(r, s, plain);
	if ((s = j_s(plain, "appid")) == NULL || strcmp(s, c.appid) != 0)
		return wx_fail(r, 400, "应用号不符");
	amt = cJSON_GetObjectItem(plain, "amount");
	amt = amt ? cJSON_GetObjectItem(amt, "total") : NULL;
	if ((no = j_s(plain, "out_trade_no")) == NULL || strlen(no) > 64 ||
	    !cJSON_IsNumber(amt) || amt->valuedouble < 1 ||
	    amt->valuedouble > 1e12 || (s = j_s(plain, "trade_state")) ==
	    NULL)
		return wx_fail(r, 400, "通知内容不完整");
	n.out_trade_no = no;
	n.amount_fen = (int64_t)amt->valuedouble;
	n.success = strcmp(s, "SUCCESS") == 0;
	if ((st = payprovider_apply(r, "wechatpay", &n)) != 0) {
		if (st == 400)
			return wx_fail(r, 400, "金额与订单不符");
		if (st == 404)
			return wx_fail(r, 404, "订单不存在");
		return wx_fail(r, st >= 500 ? st : 500, "系统繁忙");
	}
	if (n.success && DB(r, &q_wxpay_trade_paid, NULL,
	    DBS(j_s(plain, "transaction_id")), DBI(r->m->id), DBS(no)) !=
	    DB_OK)
		log_warn(r, "wxpay: trade %s settled, state not recorded", no);
	return wxpay_provider.ack(r);
}
