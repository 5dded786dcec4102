/*
 * WeChat Pay API v3 (微信支付): the `wechatpay` payment provider, a
 * merchant's account as stored (wxpay_settings, wxpay_platform_keys), and
 * the signatures and AEAD of the v3 protocol over OpenSSL's libcrypto.
 *
 * Requests to WeChat Pay carry
 *	Authorization: WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",
 *	    signature="..",timestamp="..",serial_no=".."
 * where signature is base64 RSA-SHA256 (PKCS#1 v1.5) under the merchant's
 * API private key of "METHOD\nPATH?QUERY\nTS\nNONCE\nBODY\n". Its answers
 * and notifies are signed by WeChat Pay over "TS\nNONCE\nBODY\n" with the
 * key Wechatpay-Serial names: a platform certificate's, or the WeChat Pay
 * public key's (PUB_KEY_ID_...). A notify's resource is AEAD_AES_256_GCM
 * under the APIv3 key (the last 16 bytes of the ciphertext are the tag).
 *
 * A client pays a prepay_id with wx.requestPayment / WeixinJSBridge
 * {appId, timeStamp, nonceStr, package:"prepay_id=..", signType:"RSA",
 * paySign}: paySign is the same RSA-SHA256 over
 * "appId\ntimeStamp\nnonceStr\npackage\n".
 */
#ifndef WXPAY_H
#define WXPAY_H
#include <stddef.h>
#include <stdint.h>

struct req;
struct arena;
struct httpc_resp;

#define WXPAY_KEYS_MAX	4	/* platform keys kept at once */

struct wxpay_key {
	const char	*serial;	/* certificate serial or PUB_KEY_ID_.. */
	const char	*kind;		/* "certificate" | "public_key" */
	const char	*pem;
	const char	*expires_at;	/* UTC "YYYY-MM-DD HH:MM:SS", or NULL */
};

/* A merchant's WeChat Pay account, secrets opened. */
struct wxpay_cfg {
	int		 configured;	/* a row exists */
	const char	*mchid, *appid, *cert_serial;
	const char	*private_key;	/* PEM, opened; NULL if it does not open */
	const char	*apiv3_key;	/* 32 bytes, opened; NULL likewise */
	int		 nkeys;
	struct wxpay_key keys[WXPAY_KEYS_MAX];
};

/* r->m's account. 0 (configured 0 when none), or the error status. */
int	 wxpay_cfg_load(struct req *, struct wxpay_cfg *);
/* The platform key named serial, or NULL. */
const struct wxpay_key *wxpay_key_find(const struct wxpay_cfg *,
	    const char *serial);

/*
 * A signed call to WeChat Pay (path with its query; body NULL for GET),
 * its answer's signature verified. 0 with *h filled (any status below
 * 500), or the error status (recorded): 503 unreachable, slow or down,
 * 502 an answer not signed by a key of cfg.
 */
int	 wxpay_call(struct req *, const struct wxpay_cfg *, const char *method,
	    const char *path, const char *body, struct httpc_resp *h);

/*
 * A refund notify (or answer) said out_refund_no of r->m is done: marked
 * so once. *found 0 when no such refund. 0, or the error status
 * (recorded: 400 amount_mismatch when refund_fen is not the refund's).
 */
int	 wxpay_refund_settle(struct req *, const char *out_refund_no,
	    int64_t refund_fen, const char *refund_id, int *found);

/*
 * WeChat Pay's notify (wxpay_notify.c), for r->m or, with r->m NULL, for
 * the merchant whose platform key Wechatpay-Serial names and verifies:
 * verified, opened, checked and settled once; answered 204, or 4xx/5xx
 * {"code":"FAIL","message"} for WeChat Pay to retry. Returns the status.
 */
int	 wxpay_notify_handle(struct req *);

/* ---- the v3 crypto (OpenSSL) ---- */

/* base64 RSA-SHA256 of msg under a PEM private key, or NULL. */
char	*wxpay_sign(struct arena *, const char *pem_private, const char *msg,
	    size_t len);
/* 0 when sig_b64 is the RSA-SHA256 of msg under the PEM certificate or
   public key; -1 otherwise. */
int	 wxpay_verify(const char *pem, const char *msg, size_t len,
	    const char *sig_b64);
/* AEAD_AES_256_GCM open of base64 ciphertext+tag: plain (NUL-terminated,
   *len) or NULL when the tag does not match. */
char	*wxpay_decrypt(struct arena *, const char *key32, const char *nonce,
	    const char *ad, const char *ct_b64, size_t *len);
/* The Authorization header value for a request. NULL on failure. */
char	*wxpay_authorization(struct arena *, const struct wxpay_cfg *,
	    const char *method, const char *path, const char *body,
	    int64_t ts, const char *nonce);
/* A random nonce of 32 uppercase hex characters. */
char	*wxpay_nonce(struct arena *);
/*
 * What a PEM is: kind "certificate" (serial as uppercase hex, expiry as
 * UTC "YYYY-MM-DD HH:MM:SS"), "public_key" (serial and expiry NULL) or
 * "private_key" (an RSA private key); -1 when it is none.
 */
int	 wxpay_pem_inspect(struct arena *, const char *pem, const char **kind,
	    const char **serial, const char **expires_at);

/*
 * Verify a WeChat Pay signature of headers and body against cfg's keys:
 * 0, or -1 with *why set to a Chinese reason (SIGNTEST probe, timestamp
 * more than 300 s from now, unknown serial, bad signature).
 */
int	 wxpay_check_signed(const struct wxpay_cfg *, const char *ts,
	    const char *nonce, const char *serial, const char *sig,
	    const char *body, size_t len, int64_t now, const char **why);

#endif
