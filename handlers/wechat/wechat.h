/*
 * wechat: the merchant's mini-program and official account on WeChat's
 * server APIs: sign-in by wx.login's code, the phone from getPhoneNumber,
 * the access tokens and jsapi tickets every worker shares (cached in
 * MariaDB, fetched once per expiry), the JS-SDK signature for H5 pages.
 *
 *	wx_mp.c		the apps' settings, the token cache, the calls
 *	wx_rules.c	pure: inputs, errcodes, the JS-SDK signature
 *	wx_api.c	auth/wx-login, auth/wx-phone, wx/jssdk-config (routes)
 *	wx_staff.c	staff/settings/wechat (routes)
 *
 * Every call to WeChat runs outside any transaction, bounded by
 * WX_TIMEOUT_MS. Errors are recorded as fcgi/app.h says: 400 invalid_code
 * (a code WeChat refused or had seen), 429 too_many_requests (WeChat's
 * quota), 503 unavailable (WeChat slow, down or confused), 409
 * not_configured (the merchant has not set the app up).
 */
#ifndef WECHAT_H
#define WECHAT_H
#include <stdint.h>
#include "wx_rules.h"

struct req;

#define WX_TIMEOUT_MS	3000

/* The kinds of app a merchant connects. */
#define WX_MP	"mp"	/* mini-program: sign-in, phone */
#define WX_OA	"oa"	/* official account: JS-SDK on H5 pages */

/*
 * The merchant's app of that kind: appid and the secret opened (arena),
 * *found 0 when it has none (or no secret). 0, or the error status.
 */
int	 wx_app_get(struct req *, const char *kind, const char **appid,
	    const char **secret, int *found);

/*
 * A valid access token (kind "access_token") or jsapi ticket
 * ("jsapi_ticket") of the merchant's app, from the cache; the one claimant
 * among all workers fetches a new one when it is due. stale: a value
 * WeChat has just refused (40001/42001), refreshed even before its expiry;
 * NULL for none. 0 with *value out, or the error status (recorded).
 */
int	 wx_cached(struct req *, const char *app_kind, const char *kind,
	    const char *stale, const char **value);

/* jscode2session: the openid (and unionid, NULL when none) of a code. */
int	 wx_code_session(struct req *, const char *code, const char **appid,
	    const char **openid, const char **unionid);
/* getuserphonenumber: the mainland phone of a getPhoneNumber code. */
int	 wx_phone_of_code(struct req *, const char *code, const char **phone);

#endif
