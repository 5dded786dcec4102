/* Payment providers for online recharges; see payprovider.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "payprovider.h"

/* ---- sandbox ---- */

int
sandbox_canonical(char *buf, size_t n, const char *no, int64_t amount,
    const char *status)
{
	int w = snprintf(buf, n, "amount_fen=%lld&out_trade_no=%s&status=%s",
	    (long long)amount, no, status);

	return w < 0 || (size_t)w >= n ? -1 : 0;
}

void
sandbox_sign(char hex[65], const unsigned char *key, size_t keylen,
    const char *msg, size_t len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, 65, mac, sizeof(mac));
}

const unsigned char *
sandbox_key(void)
{
	static unsigned char key[32];
	static char loaded_from[65];
	const char *s = getenv("SANDBOX_PAY_KEY");
	size_t bin = 0;

	if (s == NULL || strlen(s) != 64)
		return NULL;
	if (strcmp(s, loaded_from) == 0)
		return key;
	if (sodium_hex2bin(key, sizeof(key), s, 64, NULL, &bin, NULL) != 0 ||
	    bin != sizeof(key))
		return NULL;
	snprintf(loaded_from, sizeof(loaded_from), "%s", s);
	return key;
}

static int
sandbox_enabled(void)
{
	return cfg_is_dev() && sandbox_key() != NULL;
}

static int
sandbox_checkout(struct req *r, const struct pay_order *o, cJSON *p)
{
	cJSON *f = j_arr();

	j_str(p, "provider", "sandbox");
	j_str(p, "out_trade_no", o->out_trade_no);
	j_int(p, "amount_fen", o->amount_fen);
	j_str(p, "subject", o->subject);
	j_str(p, "notify_url", arena_printf(r->a,
	    "%s/api/v1/payments/notify/sandbox", cfg.public_url));
	j_str(p, "sign_method", "HMAC-SHA256");
	cJSON_AddItemToArray(f, cJSON_CreateString("amount_fen"));
	cJSON_AddItemToArray(f, cJSON_CreateString("out_trade_no"));
	cJSON_AddItemToArray(f, cJSON_CreateString("status"));
	j_add(p, "sign_fields", f);
	if (r->m != NULL)
		j_str(p, "sandbox_pay_url", arena_printf(r->a,
		    "/api/v1/m/%s/me/recharges/%lld/sandbox-pay", r->m->code,
		    (long long)o->recharge_id));
	return 0;
}

static int
sandbox_verify(struct req *r, struct pay_notify *n)
{
	const char *no, *status, *sign;
	const unsigned char *key = sandbox_key();
	char canon[256], want[65];
	int64_t amount;

	if (req_json_body(r) == -1 ||
	    req_json_str(r, "out_trade_no", 1, 1, 64, &no) == -1 ||
	    req_json_int(r, "amount_fen", 1, 1, INT64_MAX / 4, &amount) == -1 ||
	    req_json_str(r, "status", 1, 1, 32, &status) == -1 ||
	    req_json_str(r, "sign", 1, 1, 128, &sign) == -1)
		return r->status;
	if (key == NULL)
		return resp_err(r, 404, "not_found", "支付渠道不可用", NULL);
	if (sandbox_canonical(canon, sizeof(canon), no, amount, status) == -1 ||
	    strlen(sign) != 64)
		return resp_err(r, 400, "invalid_signature", "签名错误", "sign");
	sandbox_sign(want, key, 32, canon, strlen(canon));
	if (sodium_memcmp(want, sign, 64) != 0)
		return resp_err(r, 400, "invalid_signature", "签名错误", "sign");
	n->out_trade_no = no;
	n->amount_fen = amount;
	n->success = strcmp(status, "SUCCESS") == 0;
	return 0;
}

static int
sandbox_ack(struct req *r)
{
	cJSON *d = j_obj();

	j_str(d, "status", "ok");
	return resp_data(r, 200, d);
}

static const struct pay_provider sandbox = {
	"sandbox", sandbox_enabled, sandbox_checkout, sandbox_verify,
	sandbox_ack, NULL, NULL
};

static const struct pay_provider *const providers[] = { &sandbox,
    &wxpay_provider };

const struct pay_provider *
payprovider_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < sizeof(providers) /
	    sizeof(providers[0]); i++)
		if (strcmp(providers[i]->name, name) == 0)
			return providers[i]->enabled() ? providers[i] : NULL;
	return NULL;
}
