/*
 * Online payment providers for recharges: a small interface, and the
 * `sandbox` provider (enabled only with APP_ENV dev or test and a key in
 * SANDBOX_PAY_KEY, 64 hex characters).
 *
 * Sandbox notify: POST /api/v1/payments/notify/sandbox with the JSON body
 *	{"out_trade_no": "...", "amount_fen": 12000, "status": "SUCCESS",
 *	 "sign": "<64 hex>"}
 * where sign is the lowercase hex HMAC-SHA256, under the 32 key bytes
 * SANDBOX_PAY_KEY decodes to, of the canonical string: the signed fields
 * in ascending name order as name=value joined by '&', the amount as a
 * decimal integer:
 *	amount_fen=12000&out_trade_no=R0123abcd&status=SUCCESS
 * Only status SUCCESS credits; any other status is acknowledged and
 * changes nothing.
 */
#ifndef PAYPROVIDER_H
#define PAYPROVIDER_H
#include <stddef.h>
#include <stdint.h>
#include "cjson/cJSON.h"

struct req;

/* A provider's callback, verified and decoded. */
struct pay_notify {
	const char	*out_trade_no;
	int64_t		 amount_fen;
	int		 success;	/* the payment went through */
};

/* A pending recharge the member is about to pay. */
struct pay_order {
	int64_t		 recharge_id;
	int64_t		 member_id;	/* the payer, 0 when none */
	const char	*out_trade_no;
	int64_t		 amount_fen;
	const char	*subject;
};

struct pay_provider {
	const char	*name;
	/* Usable in this environment (configured, allowed). */
	int		(*enabled)(void);
	/* The data a client needs to pay: fill the payment object. 0, or
	   the error status (recorded). */
	int		(*checkout)(struct req *, const struct pay_order *,
			    cJSON *payment);
	/*
	 * Read and verify the callback in the request body. 0, or the error
	 * status (recorded): 400 invalid_signature, invalid_field, ...
	 */
	int		(*verify)(struct req *, struct pay_notify *);
	/* The answer that tells the provider to stop retrying. */
	int		(*ack)(struct req *);
	/*
	 * NULL, or what must ask the provider over the network once the
	 * trade is committed (never inside a transaction): wechatpay's
	 * prepay, adding the client's parameters to payment. 0, or the
	 * error status (recorded).
	 */
	int		(*prepay)(struct req *, const struct pay_order *,
			    cJSON *payment);
	/*
	 * NULL, or the whole notify taken by the provider itself (verify,
	 * apply, its own answers, errors included): wechatpay's.
	 */
	int		(*notify)(struct req *);
};

/* WeChat Pay v3 (wxpay.c, wxpay.h). */
extern const struct pay_provider wxpay_provider;

/*
 * Apply a verified notify of provider for r->m: the pending recharge of
 * that trade number credited once, or the order it pays (an event). 0
 * (also for a notify saying the payment failed), or the error status
 * (recorded): not_found, amount_mismatch, a database failure.
 */
int	 payprovider_apply(struct req *, const char *provider,
	    const struct pay_notify *);

/* An enabled provider by name, or NULL (unknown or disabled). */
const struct pay_provider *payprovider_find(const char *name);

/* ---- the sandbox's signature, exposed for tests and the dev helper ---- */

/* "amount_fen=..&out_trade_no=..&status=.." into buf; -1 if too long. */
int	 sandbox_canonical(char *buf, size_t, const char *out_trade_no,
	    int64_t amount_fen, const char *status);
/* Lowercase hex HMAC-SHA256 of msg under key (65 bytes with the NUL). */
void	 sandbox_sign(char hex[65], const unsigned char *key, size_t keylen,
	    const char *msg, size_t msglen);
/* The configured key (32 bytes) or NULL when none or malformed. */
const unsigned char *sandbox_key(void);

#endif
