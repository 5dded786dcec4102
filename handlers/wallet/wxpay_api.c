/*
 * WeChat Pay's notify for one merchant (wxpay_notify.c):
 * POST /api/v1/payments/notify/wechatpay/{merchant}, the notify_url each
 * prepay names. POST /api/v1/payments/notify/wechatpay (the providers'
 * route, wallet.c) takes the same notify and finds the merchant by its
 * platform key.
 */
#include "app.h"
#include "wxpay.h"

static int
wxpay_notify(struct req *r)
{
	return wxpay_notify_handle(r);
}

ROUTES(wxpay_api_routes) = {
	{ M_POST, "/api/v1/payments/notify/wechatpay/:merchant", wxpay_notify,
	    0 },
	{ 0, NULL, NULL, 0 }
};
