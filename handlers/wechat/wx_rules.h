/*
 * Pure rules of WeChat's mini-program and JS-SDK APIs: what an appid, a
 * secret and a code look like, what WeChat's errcodes mean to a client,
 * and the JS-SDK signature. No request, no database, no clock.
 */
#ifndef WX_RULES_H
#define WX_RULES_H
#include <stddef.h>
#include <stdint.h>

/* An appid as WeChat issues them: "wx" and 16 hex digits. */
int	 wx_appid_ok(const char *);
/* An AppSecret: 16..64 letters and digits (WeChat's are 32 hex digits). */
int	 wx_secret_ok(const char *);
/* A code from wx.login or getPhoneNumber: 1..128 of [A-Za-z0-9_-]. */
int	 wx_code_ok(const char *);

/* What a WeChat errcode means for the client that sent the code. */
enum wx_fault {
	WX_FAULT_NONE = 0,
	WX_FAULT_CODE,		/* 40029 invalid, 40163 used: 400 invalid_code */
	WX_FAULT_RATE,		/* 45011 and other quotas: 429 */
	WX_FAULT_TOKEN,		/* 40001, 42001, 40014: the access token is stale */
	WX_FAULT_CONFIG,	/* 40013, 40125, 40164 ...: the merchant's settings */
	WX_FAULT_BUSY,		/* -1 and anything else: 503, try again */
};
enum wx_fault wx_errcode_fault(int64_t errcode);

/*
 * The URL a JS-SDK signature is made for: url without its #fragment, in
 * out (at most outsz - 1 bytes); -1 when it does not fit.
 */
int	 wx_url_unfragment(const char *url, char *out, size_t outsz);
/*
 * Whether url (fragment removed) is a page of the site at public_url
 * (scheme, host and port equal; the path under public_url's path, if any).
 */
int	 wx_url_on_site(const char *url, const char *public_url);
/*
 * The JS-SDK signature: SHA-1 hex of
 * "jsapi_ticket=T&noncestr=N&timestamp=S&url=U" (keys in that order, the
 * values as they are, url without its fragment). out gets 40 hex digits
 * and a NUL. 0, or -1 when the string does not fit (4 KiB).
 */
int	 wx_jssdk_sign(const char *ticket, const char *noncestr,
	    int64_t timestamp, const char *url, char out[41]);

#endif
