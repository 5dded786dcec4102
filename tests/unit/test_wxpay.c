/*
 * WeChat Pay v3's crypto (wallet/wxpay.c) against known answers made once
 * with the openssl command line and node's crypto:
 *	printf '1700000000\nNONCE123\n{"a":1}\n' | openssl dgst -sha256 \
 *	    -sign key.pem | base64
 * (RSA PKCS#1 v1.5 is deterministic), and AES-256-GCM of
 * {"out_trade_no":"R1"} under key 0123456789abcdef0123456789abcdef, nonce
 * abcdefghijkl, associated data "transaction".
 */
#include <string.h>

#include "arena.h"
#include "unit.h"
#include "wallet/wxpay.h"

static const char key_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBALfoE4zQTiyzmMSO\n"
	"rfTpPrKmLL+JoudS9VN3FRlYIzD0S0/HFPDZw0y5gEkcz5lcy8BV6u/WzjkSUeL0\n"
	"/zni6zxJQ8xyxYMlZRk+fnKZjYDAe5L//GeP4OyiEsDx2eGds68DeoXzlvX38yXQ\n"
	"+yU/lnHbG9EvEFZkaJk/LgyMnWuBAgMBAAECgYBT9QgPzf0SXT9N5JE38M+lwUVG\n"
	"f/A1yOKkowWn11vhenVzS0CdH90QBtOxDQ0dR4bhHJgvvBHTbjCh+xUVeSnISgBT\n"
	"ugDapiqxDtdimHlhNCScizxnxvUu/0FTbhKTiUy+sALt7wru0BQwISu3uwq7L224\n"
	"f9VMNagUY4yQq6dSQQJBAO2TVhHk5Y2byvBAT2j1TF4L+sT2cEUXm9nqU+nuu6Hd\n"
	"E32vHOCeiLVStcU9G7xnYNtqU8WlOky6YIDFTapNoDkCQQDGKzuEEKeG2any9Xjz\n"
	"wi08RGm6Rmm22JBCIIxRgyyFnJPvZsDE7aWc43eOK10Tnv/vl0YJ0a8VeqSgYpDm\n"
	"XhWJAkAsn94s4kfT/41w70N7PYgoqitiT7/q2nJlzkQQzszjrHj6xKex8VVQacbG\n"
	"06GgE/L3g9NUbqKywtdZmLXr5UTRAkEAwFFglxBapOJErsdPtLDzmZODUAXZvlt5\n"
	"1NMlmk3FPX3xi9qapgNEQHf4pP6se8hI9cpHbGwUkLHPZt+BZDBWkQJAWuvasgRm\n"
	"riy74GFQNU+YZXfgaj//y8N2UQas+YBOO+V4JGD6g4TkzNqByKOpPKU8l0cVBBmm\n"
	"IUnnku+h53NqPA==\n"
	"-----END PRIVATE KEY-----\n";
static const char pub_pem[] =
	"-----BEGIN PUBLIC KEY-----\n"
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC36BOM0E4ss5jEjq306T6ypiy/\n"
	"iaLnUvVTdxUZWCMw9EtPxxTw2cNMuYBJHM+ZXMvAVerv1s45ElHi9P854us8SUPM\n"
	"csWDJWUZPn5ymY2AwHuS//xnj+DsohLA8dnhnbOvA3qF85b19/Ml0PslP5Zx2xvR\n"
	"LxBWZGiZPy4MjJ1rgQIDAQAB\n"
	"-----END PUBLIC KEY-----\n";
static const char want_sig[] = "m4KRYaAD+ypcf945hWYqYuuBR3x5iQnpu5I/+TF1LuVgl8it3NeKYWJ4e0DH3rmUvHM25Gm61TpXyHdMxQnk8RhbRJpk2r+wvLc4+wK0LjRA9zIOBoYdSlT6XVu7SC+ohLTdAzQJUkssrSagiP9oOpNKngGhj6ETfs+GG1MW548=";
static const char msg[] = "1700000000\nNONCE123\n{\"a\":1}\n";

TEST(wxpay_sign_known_answer)
{
	struct arena *a = arena_new(16384);

	EXPECT_STR(wxpay_sign(a, key_pem, msg, strlen(msg)), want_sig);
	EXPECT_INT(wxpay_verify(pub_pem, msg, strlen(msg), want_sig), 0);
	/* one byte of the message changed */
	EXPECT_INT(wxpay_verify(pub_pem, "1700000000\nNONCE123\n{\"a\":2}\n",
	    strlen(msg), want_sig), -1);
	EXPECT(wxpay_sign(a, pub_pem, msg, strlen(msg)) == NULL);
	arena_free(a);
}

TEST(wxpay_check_signed_window_probe_serial)
{
	struct wxpay_cfg c;
	const char *why = NULL;
	const char *body = "{\"a\":1}";

	memset(&c, 0, sizeof(c));
	c.nkeys = 1;
	c.keys[0].serial = "PUB_KEY_ID_01";
	c.keys[0].kind = "public_key";
	c.keys[0].pem = pub_pem;
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE123",
	    "PUB_KEY_ID_01", want_sig, body, strlen(body), 1700000000 + 300,
	    &why), 0);
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE123",
	    "PUB_KEY_ID_01", want_sig, body, strlen(body), 1700000000 - 300,
	    &why), 0);
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE123",
	    "PUB_KEY_ID_01", want_sig, body, strlen(body), 1700000000 + 301,
	    &why), -1);
	EXPECT_STR(why, "时间戳超出允许范围");
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE123",
	    "PUB_KEY_ID_01", want_sig, body, strlen(body), 1700000000 - 301,
	    &why), -1);
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE123",
	    "PUB_KEY_ID_02", want_sig, body, strlen(body), 1700000000, &why),
	    -1);
	EXPECT_STR(why, "未知的平台证书或公钥");
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE123",
	    "PUB_KEY_ID_01", "WECHATPAY/SIGNTEST/abc", body, strlen(body),
	    1700000000, &why), -1);
	EXPECT_STR(why, "签名探测");
	EXPECT_INT(wxpay_check_signed(&c, "1700000000", "NONCE124",
	    "PUB_KEY_ID_01", want_sig, body, strlen(body), 1700000000, &why),
	    -1);
	EXPECT_STR(why, "签名错误");
	EXPECT_INT(wxpay_check_signed(&c, "17e8", "NONCE123", "PUB_KEY_ID_01",
	    want_sig, body, strlen(body), 1700000000, &why), -1);
}

TEST(wxpay_decrypt_known_answer)
{
	struct arena *a = arena_new(4096);
	const char *k = "0123456789abcdef0123456789abcdef";
	const char *ct = "Eu6myr+6GaECeJdOZPZ6BX5jij3EPGrS3XyN7XSxkEphpWBRLg==";
	const char *bad = "Eu6myr+6GaECeJdOZPZ6BX5jij3EPGrS3XyN7XSxkEphpWBRLw==";
	size_t n = 0;

	EXPECT_STR(wxpay_decrypt(a, k, "abcdefghijkl", "transaction", ct, &n),
	    "{\"out_trade_no\":\"R1\"}");
	EXPECT_INT(n, 21);
	EXPECT(wxpay_decrypt(a, k, "abcdefghijkl", "transaction", bad, &n) ==
	    NULL);	/* the tag's last byte */
	EXPECT(wxpay_decrypt(a, k, "abcdefghijkl", "certificate", ct, &n) ==
	    NULL);	/* other associated data */
	EXPECT(wxpay_decrypt(a, "0123456789abcdef0123456789abcdeF",
	    "abcdefghijkl", "transaction", ct, &n) == NULL);
	EXPECT(wxpay_decrypt(a, k, "abcdefghijkl", "transaction", "!!", &n) ==
	    NULL);
	arena_free(a);
}
