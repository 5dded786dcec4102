#include "app.h"
#include "hooks.h"

__attribute__((weak)) cJSON *
coupons_usable_json(struct req *r, int64_t member_id, int64_t store_id)
{
	(void)r;
	(void)member_id;
	(void)store_id;
	return j_arr();
}

__attribute__((weak)) int64_t
coupons_unused_count(struct req *r, int64_t member_id)
{
	(void)r;
	(void)member_id;
	return 0;
}

__attribute__((weak)) int
coupon_grant(struct req *r, int64_t member_id, int64_t template_id,
    const char *channel, cJSON **coupon_out)
{
	(void)member_id;
	(void)template_id;
	(void)channel;
	*coupon_out = NULL;
	return resp_err(r, 404, "not_found", "优惠券模板不存在", NULL);
}
