/* WeChat Pay API v3: the account, the crypto, the provider; see wxpay.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "app.h"
#include "db.h"
#include "httpc.h"
#include "payprovider.h"
#include "wxpay.h"

#define WXPAY_TIMEOUT_MS	5000
#define WXPAY_SKEW_S		300

/* ---- the account ---- */

enum { WS_MCHID, WS_APPID, WS_SERIAL, WS_KEY, WS_V3, WS_NCOLS };
DB_SQL_COLS(q_wxpay_cfg, WS_NCOLS,
    "SELECT mchid, appid, cert_serial, private_key, apiv3_key"
    " FROM wxpay_settings WHERE merchant_id = ?");
enum { WK_SERIAL, WK_KIND, WK_PEM, WK_EXPIRES, WK_NCOLS };
DB_SQL_COLS(q_wxpay_keys, WK_NCOLS,
    "SELECT serial, kind, pem, DATE_FORMAT(expires_at, '%Y-%m-%d %H:%i:%s')"
    " FROM wxpay_platform_keys WHERE merchant_id = ? ORDER BY serial"
    " LIMIT 4");
enum { WO_OPENID, WO_NCOLS };
DB_SQL_COLS(q_wxpay_openid, WO_NCOLS,
    "SELECT openid FROM wx_identities WHERE merchant_id = ? AND appid = ?"
    " AND member_id = ? ORDER BY updated_at DESC, id DESC LIMIT 1");
/* before the prepay is sent, so that the job asks about it even when its
   answer is lost */
DB_SQL(q_wxpay_trade_open,
    "INSERT IGNORE INTO wxpay_trades (merchant_id, out_trade_no, amount_fen,"
    " state, created_at, updated_at) VALUES (?, ?, ?, 'open',"
    " UTC_TIMESTAMP(), UTC_TIMESTAMP())");
DB_SQL(q_wxpay_trade_prepaid,
    "UPDATE wxpay_trades SET prepay_id = ? WHERE merchant_id = ?"
    " AND out_trade_no = ?");

int
wxpay_cfg_load(struct req *r, struct wxpay_cfg *c)
{
	struct db_res res;
	size_t len;
	int i;

	memset(c, 0, sizeof(*c));
	if (DB(r, &q_wxpay_cfg, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return 0;
	c->configured = 1;
	c->mchid = db_str(&res, 0, WS_MCHID);
	c->appid = db_str(&res, 0, WS_APPID);
	c->cert_serial = db_str(&res, 0, WS_SERIAL);
	c->private_key = secret_open(r->a, "wxpay.key", db_str(&res, 0,
	    WS_KEY), NULL);
	c->apiv3_key = secret_open(r->a, "wxpay.v3", db_str(&res, 0, WS_V3),
	    &len);
	if (c->apiv3_key != NULL && len != 32)
		c->apiv3_key = NULL;
	if (DB(r, &q_wxpay_keys, &res, DBI(r->m->id)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows && i < WXPAY_KEYS_MAX; i++) {
		c->keys[i].serial = db_str(&res, i, WK_SERIAL);
		c->keys[i].kind = db_str(&res, i, WK_KIND);
		c->keys[i].pem = db_str(&res, i, WK_PEM);
		c->keys[i].expires_at = db_str(&res, i, WK_EXPIRES);
	}
	c->nkeys = i;
	return 0;
}

const struct wxpay_key *
wxpay_key_find(const struct wxpay_cfg *c, const char *serial)
{
	int i;

	for (i = 0; serial != NULL && i < c->nkeys; i++)
		if (strcmp(c->keys[i].serial, serial) == 0)
			return &c->keys[i];
	return NULL;
}

/* ---- crypto ---- */

static char *
b64_encode(struct arena *a, const unsigned char *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL);
	char *out = arena_alloc(a, cap);

	return sodium_bin2base64(out, cap, p, n,
	    sodium_base64_VARIANT_ORIGINAL);
}

static unsigned char *
b64_decode(struct arena *a, const char *s, size_t *n)
{
	size_t cap = strlen(s) / 4 * 3 + 3;
	unsigned char *out = arena_alloc(a, cap);

	if (sodium_base642bin(out, cap, s, strlen(s), NULL, n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return NULL;
	return out;
}

char *
wxpay_sign(struct arena *a, const char *pem, const char *msg, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *out = NULL;

	if (bio == NULL || (k = PEM_read_bio_PrivateKey(bio, NULL, NULL,
	    NULL)) == NULL || EVP_PKEY_base_id(k) != EVP_PKEY_RSA ||
	    (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)msg,
	    len) != 1)
		goto out;
	sig = arena_alloc(a, siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)msg, len)
	    != 1)
		goto out;
	out = b64_encode(a, sig, siglen);
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	BIO_free(bio);
	return out;
}

/* The public key of a PEM certificate or public key (caller frees). */
static EVP_PKEY *
pem_public(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = NULL;
	X509 *x;

	if (bio == NULL)
		return NULL;
	if (strstr(pem, "BEGIN CERTIFICATE") != NULL) {
		if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
			k = X509_get_pubkey(x);
			X509_free(x);
		}
	} else
		k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (k != NULL && EVP_PKEY_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		k = NULL;
	}
	return k;
}

int
wxpay_verify(const char *pem, const char *msg, size_t len, const char *b64)
{
	unsigned char sig[1024];
	size_t siglen = 0;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md = NULL;
	int rc = -1;

	if (b64 == NULL || strlen(b64) > 1300 ||
	    sodium_base642bin(sig, sizeof(sig), b64, strlen(b64), NULL,
	    &siglen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    (k = pem_public(pem)) == NULL || (md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k) != 1)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, (const unsigned char *)msg,
	    len) == 1)
		rc = 0;
out:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	return rc;
}

char *
wxpay_decrypt(struct arena *a, const char *key, const char *nonce,
    const char *ad, const char *ct_b64, size_t *len)
{
	EVP_CIPHER_CTX *x = NULL;
	unsigned char *ct, *pt;
	size_t n = 0;
	int w = 0, f = 0;
	char *out = NULL;

	if (key == NULL || nonce == NULL || ct_b64 == NULL ||
	    (ct = b64_decode(a, ct_b64, &n)) == NULL || n < 16 ||
	    (x = EVP_CIPHER_CTX_new()) == NULL)
		goto out;
	pt = arena_alloc(a, n + 1);
	if (EVP_DecryptInit_ex(x, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_IVLEN, (int)strlen(nonce),
	    NULL) != 1 ||
	    EVP_DecryptInit_ex(x, NULL, NULL, (const unsigned char *)key,
	    (const unsigned char *)nonce) != 1)
		goto out;
	if (ad != NULL && *ad != '\0' && EVP_DecryptUpdate(x, NULL, &w,
	    (const unsigned char *)ad, (int)strlen(ad)) != 1)
		goto out;
	if (EVP_DecryptUpdate(x, pt, &w, ct, (int)(n - 16)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_SET_TAG, 16, ct + n - 16) != 1
	    || EVP_DecryptFinal_ex(x, pt + w, &f) != 1)
		goto out;
	pt[w + f] = '\0';
	if (len != NULL)
		*len = (size_t)(w + f);
	out = (char *)pt;
out:
	EVP_CIPHER_CTX_free(x);
	return out;
}

char *
wxpay_nonce(struct arena *a)
{
	unsigned char raw[16];
	char *h;
	size_t i;

	rand_bytes(raw, sizeof(raw));
	h = hex_encode(a, raw, sizeof(raw));
	for (i = 0; h[i] != '\0'; i++)
		if (h[i] >= 'a' && h[i] <= 'f')
			h[i] = (char)(h[i] - 'a' + 'A');
	return h;
}

char *
wxpay_authorization(struct arena *a, const struct wxpay_cfg *c,
    const char *method, const char *path, const char *body, int64_t ts,
    const char *nonce)
{
	char *msg = arena_printf(a, "%s\n%s\n%lld\n%s\n%s\n", method, path,
	    (long long)ts, nonce, body ? body : "");
	char *sig;

	if (c->private_key == NULL ||
	    (sig = wxpay_sign(a, c->private_key, msg, strlen(msg))) == NULL)
		return NULL;
	return arena_printf(a, "WECHATPAY2-SHA256-RSA2048 mchid=\"%s\","
	    "nonce_str=\"%s\",signature=\"%s\",timestamp=\"%lld\","
	    "serial_no=\"%s\"", c->mchid, nonce, sig, (long long)ts,
	    c->cert_serial);
}

int
wxpay_pem_inspect(struct arena *a, const char *pem, const char **kind,
    const char **serial, const char **expires)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	struct tm tm;
	int rc = -1;

	*kind = *serial = *expires = NULL;
	if (bio == NULL)
		return -1;
	if (strstr(pem, "BEGIN CERTIFICATE") != NULL) {
		if ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL ||
		    (k = X509_get_pubkey(x)) == NULL ||
		    EVP_PKEY_base_id(k) != EVP_PKEY_RSA ||
		    (bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL))
		    == NULL || (hex = BN_bn2hex(bn)) == NULL ||
		    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) != 1)
			goto out;
		*kind = "certificate";
		*serial = arena_strdup(a, hex);
		*expires = arena_printf(a, "%04d-%02d-%02d %02d:%02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	} else if (strstr(pem, "BEGIN PUBLIC KEY") != NULL) {
		if ((k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)) == NULL ||
		    EVP_PKEY_base_id(k) != EVP_PKEY_RSA)
			goto out;
		*kind = "public_key";
	} else if (strstr(pem, "PRIVATE KEY") != NULL) {
		if ((k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) ==
		    NULL || EVP_PKEY_base_id(k) != EVP_PKEY_RSA)
			goto out;
		*kind = "private_key";
	} else
		goto out;
	rc = 0;
out:
	OPENSSL_free(hex);
	BN_free(bn);
	EVP_PKEY_free(k);
	X509_free(x);
	BIO_free(bio);
	return rc;
}

int
wxpay_check_signed(const struct wxpay_cfg *c, const char *ts,
    const char *nonce, const char *serial, const char *sig, const char *body,
    size_t len, int64_t now, const char **why)
{
	const struct wxpay_key *k;
	char *msg, *end;
	long long t;
	int ok;

	if (ts == NULL || nonce == NULL || serial == NULL || sig == NULL) {
		*why = "缺少签名";
		return -1;
	}
	if (strncmp(sig, "WECHATPAY/SIGNTEST/", 19) == 0) {
		*why = "签名探测";
		return -1;
	}
	t = strtoll(ts, &end, 10);
	if (*ts == '\0' || *end != '\0' || t < now - WXPAY_SKEW_S ||
	    t > now + WXPAY_SKEW_S) {
		*why = "时间戳超出允许范围";
		return -1;
	}
	if ((k = wxpay_key_find(c, serial)) == NULL) {
		*why = "未知的平台证书或公钥";
		return -1;
	}
	if (strlen(nonce) > 64 || len > HTTPC_MAX_BODY) {
		*why = "签名错误";
		return -1;
	}
	msg = malloc(strlen(ts) + strlen(nonce) + len + 4);
	if (msg == NULL) {
		*why = "签名错误";
		return -1;
	}
	sprintf(msg, "%s\n%s\n", ts, nonce);
	end = msg + strlen(msg);
	memcpy(end, body, len);
	end[len] = '\n';
	ok = wxpay_verify(k->pem, msg, (size_t)(end - msg) + len + 1, sig);
	free(msg);
	if (ok != 0) {
		*why = "签名错误";
		return -1;
	}
	return 0;
}

/* ---- the provider ---- */

static int
wxpay_enabled(void)
{
	return 1;	/* per merchant: checkout answers when not configured */
}

static int
wxpay_unavailable(struct req *r)
{
	return resp_err(r, 503, "unavailable", "商户尚未开通微信支付", NULL);
}

/* In the transaction that makes the trade: what is known without WeChat. */
static int
wxpay_checkout(struct req *r, const struct pay_order *o, cJSON *p)
{
	struct wxpay_cfg c;
	int st;

	if ((st = wxpay_cfg_load(r, &c)) != 0)
		return st;
	if (!c.configured || c.private_key == NULL || c.apiv3_key == NULL ||
	    c.nkeys == 0)
		return wxpay_unavailable(r);
	j_str(p, "provider", "wechatpay");
	j_str(p, "out_trade_no", o->out_trade_no);
	j_int(p, "amount_fen", o->amount_fen);
	j_str(p, "subject", o->subject);
	return 0;
}

/* A WeChat Pay answer signed as it must be: 0, or -1 (logged). */
static int
wxpay_answer_ok(struct req *r, const struct wxpay_cfg *c,
    const struct httpc_resp *h)
{
	const char *why = NULL;

	if (wxpay_check_signed(c, httpc_header(h, "Wechatpay-Timestamp"),
	    httpc_header(h, "Wechatpay-Nonce"), httpc_header(h,
	    "Wechatpay-Serial"), httpc_header(h, "Wechatpay-Signature"),
	    h->body, h->len, time_now(), &why) != 0) {
		log_warn(r, "wxpay: answer refused: %s", why);
		return -1;
	}
	return 0;
}

int
wxpay_call(struct req *r, const struct wxpay_cfg *c, const char *method,
    const char *path, const char *body, struct httpc_resp *h)
{
	const char *nonce = wxpay_nonce(r->a);
	const char *auth = wxpay_authorization(r->a, c, method, path, body,
	    time_now(), nonce);
	const char *hdrs[5];
	enum httpc_err e;

	if (auth == NULL) {
		log_err(r, "wxpay: cannot sign (private key)");
		return resp_err(r, 503, "unavailable", "微信支付配置有误",
		    NULL);
	}
	hdrs[0] = arena_printf(r->a, "Authorization: %s", auth);
	hdrs[1] = "Accept: application/json";
	hdrs[2] = "Content-Type: application/json";
	hdrs[3] = "User-Agent: member-app/1";
	hdrs[4] = NULL;
	e = httpc_do(r->a, method, arena_printf(r->a, "%s%s",
	    cfg.wxpay_api_base, path), hdrs, body, body ? strlen(body) : 0,
	    WXPAY_TIMEOUT_MS, h);
	if (e != HTTPC_OK)
		return resp_err(r, 503, "unavailable",
		    "微信支付暂时无法连接，请稍后再试", NULL);
	if (h->status >= 500)
		return resp_err(r, 503, "unavailable",
		    "微信支付暂时不可用，请稍后再试", NULL);
	if (wxpay_answer_ok(r, c, h) != 0)
		return resp_err(r, 502, "unavailable",
		    "微信支付的应答签名无效", NULL);
	return 0;
}

/*
 * After the commit: the JSAPI prepay, and the client's parameters with
 * paySign. 0, or the error status (recorded).
 */
static int
wxpay_prepay(struct req *r, const struct pay_order *o, cJSON *p)
{
	struct wxpay_cfg c;
	struct httpc_resp h;
	struct db_res res;
	cJSON *b, *a, *ans, *pid, *cp;
	const char *openid, *ts, *nonce, *pkg, *sig, *body;
	int st;

	if ((st = wxpay_cfg_load(r, &c)) != 0)
		return st;
	if (!c.configured || c.private_key == NULL)
		return wxpay_unavailable(r);
	if (DB(r, &q_wxpay_openid, &res, DBI(r->m->id), DBS(c.appid),
	    DBI(o->member_id)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0)
		return resp_err(r, 409, "no_openid",
		    "请先用微信登录小程序后再支付", NULL);
	openid = db_str(&res, 0, WO_OPENID);
	b = j_obj();
	j_str(b, "appid", c.appid);
	j_str(b, "mchid", c.mchid);
	j_str(b, "description", o->subject);
	j_str(b, "out_trade_no", o->out_trade_no);
	j_str(b, "notify_url", arena_printf(r->a,
	    "%s/api/v1/payments/notify/wechatpay/%s", cfg.public_url,
	    r->m->code));
	a = j_obj();
	j_int(a, "total", o->amount_fen);
	j_str(a, "currency", "CNY");
	j_add(b, "amount", a);
	a = j_obj();
	j_str(a, "openid", openid);
	j_add(b, "payer", a);
	{
		char *t = cJSON_PrintUnformatted(b);

		body = t ? arena_strdup(r->a, t) : "{}";
		cJSON_free(t);
		cJSON_Delete(b);
	}
	if (DB(r, &q_wxpay_trade_open, NULL, DBI(r->m->id),
	    DBS(o->out_trade_no), DBI(o->amount_fen)) != DB_OK)
		return db_fail(r);
	if ((st = wxpay_call(r, &c, "POST", "/v3/pay/transactions/jsapi",
	    body, &h)) != 0)
		return st;
	ans = cJSON_Parse(h.body);
	pid = ans ? cJSON_GetObjectItem(ans, "prepay_id") : NULL;
	if (h.status != 200 || !cJSON_IsString(pid) ||
	    strlen(pid->valuestring) > 64) {
		log_warn(r, "wxpay: prepay %s: HTTP %ld %.200s",
		    o->out_trade_no, h.status, h.body);
		cJSON_Delete(ans);
		return resp_err(r, 502, "unavailable",
		    "微信支付下单失败，请稍后再试", NULL);
	}
	pkg = arena_printf(r->a, "prepay_id=%s", pid->valuestring);
	if (DB(r, &q_wxpay_trade_prepaid, NULL, DBS(pid->valuestring),
	    DBI(r->m->id), DBS(o->out_trade_no)) != DB_OK) {
		cJSON_Delete(ans);
		return db_fail(r);
	}
	cJSON_Delete(ans);
	ts = arena_printf(r->a, "%lld", (long long)time_now());
	nonce = wxpay_nonce(r->a);
	sig = wxpay_sign(r->a, c.private_key, arena_printf(r->a,
	    "%s\n%s\n%s\n%s\n", c.appid, ts, nonce, pkg), strlen(c.appid) +
	    strlen(ts) + strlen(nonce) + strlen(pkg) + 4);
	if (sig == NULL)
		return resp_internal(r);
	cp = j_obj();
	j_str(cp, "appId", c.appid);
	j_str(cp, "timeStamp", ts);
	j_str(cp, "nonceStr", nonce);
	j_str(cp, "package", pkg);
	j_str(cp, "signType", "RSA");
	j_str(cp, "paySign", sig);
	j_add(p, "request_payment", cp);
	return 0;
}

static int
wxpay_verify_generic(struct req *r, struct pay_notify *n)
{
	(void)n;
	/* not reached: wxpay_notify_handle takes the notify whole */
	return resp_err(r, 404, "not_found", "支付渠道不存在", NULL);
}

static int
wxpay_ack(struct req *r)
{
	return resp_raw(r, 204, "application/json", "", 0);
}

const struct pay_provider wxpay_provider = {
	"wechatpay", wxpay_enabled, wxpay_checkout, wxpay_verify_generic,
	wxpay_ack, wxpay_prepay, wxpay_notify_handle
};
