/* Pure coupon rules (see coupon_rules.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "coupon_rules.h"

#define HAS(x)		((x) != COUPON_NONE)
#define MAX_FEN		100000000LL	/* 1,000,000 yuan */
#define MAX_STOCK	100000000LL
#define MAX_LIMIT	100
#define MAX_DAYS	3650

const char coupon_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static const char *const kind_names[] = {
	"threshold", "discount", "instant", "gift", "promo_code"
};
static const char *const status_names[] = {
	"draft", "active", "paused", "ended"
};

#define NELEM(a)	((int)(sizeof(a) / sizeof((a)[0])))

int
coupon_kind_from(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < NELEM(kind_names); i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

const char *
coupon_kind_name(int k)
{
	return k >= 0 && k < NELEM(kind_names) ? kind_names[k] : NULL;
}

int
coupon_tpl_status_from(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < NELEM(status_names); i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return -1;
}

const char *
coupon_tpl_status_name(int st)
{
	return st >= 0 && st < NELEM(status_names) ? status_names[st] : NULL;
}

void
coupon_tpl_init(struct coupon_tpl *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = CK_NONE;
	t->value_fen = t->threshold_fen = t->discount_pct = COUPON_NONE;
	t->max_discount_fen = t->stock = t->per_member_limit = COUPON_NONE;
	t->claim_from = t->claim_until = COUPON_NONE;
	t->valid_from = t->valid_until = t->valid_days = COUPON_NONE;
	t->audience = AUD_ALL;
	t->status = TS_DRAFT;
}

#define FAIL(f, m)	do { *field = (f); *msg = (m); return -1; } while (0)

static int
fen_ok(int64_t v, int64_t min)
{
	return v >= min && v <= MAX_FEN;
}

int
coupon_tpl_validate(const struct coupon_tpl *t, int64_t now,
    const char **field, const char **msg)
{
	int fixed, days;

	switch (t->kind) {
	case CK_THRESHOLD:
		if (!HAS(t->value_fen))
			FAIL("value_fen", "满减券需要设置减免金额");
		if (!fen_ok(t->value_fen, 1))
			FAIL("value_fen", "减免金额应在 0.01 到 1000000 元之间");
		if (!HAS(t->threshold_fen))
			FAIL("threshold_fen", "满减券需要设置门槛金额");
		if (!fen_ok(t->threshold_fen, 1))
			FAIL("threshold_fen", "门槛金额应在 0.01 到 1000000 元之间");
		if (t->threshold_fen < t->value_fen)
			FAIL("threshold_fen", "门槛金额不能低于减免金额");
		if (HAS(t->discount_pct))
			FAIL("discount_pct", "满减券不设折扣");
		if (HAS(t->max_discount_fen))
			FAIL("max_discount_fen", "满减券不设优惠上限");
		break;
	case CK_DISCOUNT:
		if (!HAS(t->discount_pct))
			FAIL("discount_pct", "折扣券需要设置折扣");
		if (t->discount_pct < 1 || t->discount_pct > 99)
			FAIL("discount_pct", "折扣应为 1 到 99（85 即 8.5 折）");
		if (HAS(t->value_fen))
			FAIL("value_fen", "折扣券不设减免金额");
		if (HAS(t->max_discount_fen) && !fen_ok(t->max_discount_fen, 1))
			FAIL("max_discount_fen", "优惠上限应在 0.01 到 1000000 元之间");
		if (HAS(t->threshold_fen) && !fen_ok(t->threshold_fen, 0))
			FAIL("threshold_fen", "门槛金额应在 0 到 1000000 元之间");
		break;
	case CK_INSTANT:
		if (!HAS(t->value_fen))
			FAIL("value_fen", "立减券需要设置减免金额");
		if (!fen_ok(t->value_fen, 1))
			FAIL("value_fen", "减免金额应在 0.01 到 1000000 元之间");
		if (HAS(t->threshold_fen) && t->threshold_fen != 0)
			FAIL("threshold_fen", "立减券没有使用门槛");
		if (HAS(t->discount_pct))
			FAIL("discount_pct", "立减券不设折扣");
		if (HAS(t->max_discount_fen))
			FAIL("max_discount_fen", "立减券不设优惠上限");
		break;
	case CK_GIFT:
		if (t->gift_item == NULL || t->gift_item[0] == '\0')
			FAIL("gift_item", "礼品券需要填写礼品名称");
		if (HAS(t->value_fen))
			FAIL("value_fen", "礼品券不设减免金额");
		if (HAS(t->threshold_fen))
			FAIL("threshold_fen", "礼品券不设使用门槛");
		if (HAS(t->discount_pct))
			FAIL("discount_pct", "礼品券不设折扣");
		if (HAS(t->max_discount_fen))
			FAIL("max_discount_fen", "礼品券不设优惠上限");
		break;
	case CK_PROMO:
		if (HAS(t->value_fen) == HAS(t->discount_pct))
			FAIL("value_fen", "优惠码券需设置减免金额或折扣（二选一）");
		if (HAS(t->value_fen)) {
			if (!fen_ok(t->value_fen, 1))
				FAIL("value_fen", "减免金额应在 0.01 到 1000000 元之间");
			if (HAS(t->threshold_fen) && t->threshold_fen != 0 &&
			    (!fen_ok(t->threshold_fen, 1) ||
			    t->threshold_fen < t->value_fen))
				FAIL("threshold_fen", "门槛金额不能低于减免金额");
			if (HAS(t->max_discount_fen))
				FAIL("max_discount_fen", "按金额减免时不设优惠上限");
		} else {
			if (t->discount_pct < 1 || t->discount_pct > 99)
				FAIL("discount_pct",
				    "折扣应为 1 到 99（85 即 8.5 折）");
			if (HAS(t->max_discount_fen) &&
			    !fen_ok(t->max_discount_fen, 1))
				FAIL("max_discount_fen",
				    "优惠上限应在 0.01 到 1000000 元之间");
			if (HAS(t->threshold_fen) &&
			    !fen_ok(t->threshold_fen, 0))
				FAIL("threshold_fen",
				    "门槛金额应在 0 到 1000000 元之间");
		}
		break;
	default:
		FAIL("kind", "类型应为 threshold、discount、instant、gift 或 "
		    "promo_code");
	}
	if (t->kind != CK_GIFT && t->gift_item != NULL)
		FAIL("gift_item", "只有礼品券填写礼品名称");
	if (HAS(t->stock) && (t->stock < 1 || t->stock > MAX_STOCK))
		FAIL("stock", "库存应为 1 到 100000000 的整数，不限量填 null");
	if (!HAS(t->per_member_limit))
		FAIL("per_member_limit", "缺少必填项");
	if (t->per_member_limit < 1 || t->per_member_limit > MAX_LIMIT)
		FAIL("per_member_limit", "每人限领应为 1 到 100");
	if (HAS(t->claim_from) && HAS(t->claim_until) &&
	    t->claim_until <= t->claim_from)
		FAIL("claim_until", "领取截止时间应晚于开始时间");
	days = HAS(t->valid_days);
	fixed = HAS(t->valid_from) || HAS(t->valid_until);
	if (days && fixed)
		FAIL("valid_days", "领取后天数不能与固定有效期同时设置");
	if (!days && !fixed)
		FAIL("valid_until", "请设置有效期：固定日期或领取后天数");
	if (days) {
		if (t->valid_days < 1 || t->valid_days > MAX_DAYS)
			FAIL("valid_days", "领取后有效天数应为 1 到 3650");
	} else {
		if (!HAS(t->valid_until))
			FAIL("valid_until", "缺少有效期结束时间");
		if (HAS(t->valid_from) && t->valid_until <= t->valid_from)
			FAIL("valid_until", "有效期结束时间应晚于开始时间");
		if (t->valid_next_day)
			FAIL("valid_next_day", "次日生效只适用于领取后天数");
		if (now > 0 && t->valid_until <= now)
			FAIL("valid_until", "有效期已经结束");
		if (HAS(t->claim_until) && t->claim_until > t->valid_until)
			FAIL("claim_until", "领取截止时间不能晚于有效期结束");
		if (HAS(t->claim_from) && t->claim_from >= t->valid_until)
			FAIL("claim_from", "领取开始时间应早于有效期结束");
	}
	if (t->audience == AUD_TIERS && t->ntiers == 0)
		FAIL("audience", "请至少选择一个会员等级");
	if (t->status < TS_DRAFT || t->status > TS_ENDED)
		FAIL("status", "状态应为 draft、active、paused 或 ended");
	return 0;
}

void
coupon_validity(const struct coupon_tpl *t, int64_t claim_ts, long tz_off,
    int64_t *from, int64_t *until)
{
	int64_t day, start;

	if (HAS(t->valid_days)) {
		day = floor_div(claim_ts + tz_off, 86400) * 86400;
		start = day + (t->valid_next_day ? 86400 : 0);
		*from = t->valid_next_day ? start - tz_off : claim_ts;
		*until = start + t->valid_days * 86400 - 1 - tz_off;
		return;
	}
	*from = HAS(t->valid_from) ? t->valid_from : claim_ts;
	*until = t->valid_until;
}

/* ---- codes ---- */

void
coupon_code_make(char out[COUPON_CODE_LEN + 1], uint32_t (*rand_fn)(uint32_t))
{
	uint32_t n = (uint32_t)(sizeof(coupon_alphabet) - 1);
	int i;

	for (i = 0; i < COUPON_CODE_LEN; i++)
		out[i] = coupon_alphabet[rand_fn(n) % n];
	out[COUPON_CODE_LEN] = '\0';
}

char
coupon_code_lookalike(const char *s)
{
	for (; s != NULL && *s; s++)
		if (strchr("01OoIiLl", *s) != NULL)
			return *s;
	return 0;
}

int
coupon_code_normalize(const char *s, char out[COUPON_CODE_LEN + 1])
{
	int n = 0;

	out[0] = '\0';
	if (s == NULL)
		return -1;
	for (; *s; s++) {
		char c = *s;

		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (strchr(coupon_alphabet, c) == NULL || n == COUPON_CODE_LEN)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n == COUPON_CODE_LEN ? 0 : -1;
}

int
coupon_store_allowed(const char *ids, int64_t store_id)
{
	return store_list_allows(ids, store_id);
}

/* ---- claims ---- */

int
coupon_audience_ok(int audience, const int *tiers, int ntiers,
    int64_t joined_at, int tier_level, int64_t now)
{
	int i;

	switch (audience) {
	case AUD_ALL:
		return 1;
	case AUD_NEW_MEMBERS:
		return HAS(joined_at) &&
		    now - joined_at <= COUPON_NEW_MEMBER_DAYS * 86400LL;
	case AUD_TIERS:
		for (i = 0; i < ntiers; i++)
			if (tiers[i] == tier_level)
				return 1;
		return 0;
	}
	return 0;
}

const char *
coupon_claim_reason(const struct claim_view *v, int mode, int64_t now)
{
	if (v->status != TS_ACTIVE)
		return "ended";
	if (mode == CLAIM_CENTRE && (v->kind == CK_PROMO || !v->listed))
		return "not_eligible";
	if (mode == CLAIM_PROMO && v->kind != CK_PROMO)
		return "not_eligible";
	if (HAS(v->fixed_until) && now > v->fixed_until)
		return "ended";
	if (mode != CLAIM_GRANT) {
		if (HAS(v->claim_from) && now < v->claim_from)
			return "not_started";
		if (HAS(v->claim_until) && now > v->claim_until)
			return "ended";
		if (v->has_member && !coupon_audience_ok(v->audience, v->tiers,
		    v->ntiers, v->joined_at, v->tier_level, now))
			return "not_eligible";
	}
	if (v->has_member && v->claimed_by_me >= v->per_member_limit)
		return "limit_reached";
	if (HAS(v->stock_left) && v->stock_left <= 0)
		return "out_of_stock";
	return NULL;
}

/* ---- redemption ---- */

int
coupon_redeem_check(const char *status, int64_t valid_from,
    int64_t valid_until, const char *store_ids, int64_t store_id,
    int64_t now)
{
	if (strcmp(status, "used") == 0)
		return RD_ALREADY_USED;
	if (strcmp(status, "cancelled") == 0)
		return RD_CANCELLED;
	if (now < valid_from)
		return RD_NOT_STARTED;
	if (now > valid_until)
		return RD_EXPIRED;
	if (!coupon_store_allowed(store_ids, store_id))
		return RD_WRONG_STORE;
	return RD_OK;
}

static int
pct_discount(const struct coupon_terms *t, int64_t order, int64_t *d)
{
	if (HAS(t->threshold_fen) && order < t->threshold_fen)
		return RD_THRESHOLD_NOT_MET;
	*d = order * (100 - t->discount_pct) / 100;
	if (HAS(t->max_discount_fen) && *d > t->max_discount_fen)
		*d = t->max_discount_fen;
	return RD_OK;
}

static int
value_discount(const struct coupon_terms *t, int64_t order, int64_t *d)
{
	if (HAS(t->threshold_fen) && order < t->threshold_fen)
		return RD_THRESHOLD_NOT_MET;
	*d = t->value_fen;
	return RD_OK;
}

int
coupon_discount(const struct coupon_terms *t, int64_t order, int64_t *d)
{
	int rc;

	*d = 0;
	if (t->kind == CK_GIFT)
		return RD_OK;
	if (order < 0)
		return RD_NEED_ORDER;
	switch (t->kind) {
	case CK_THRESHOLD:
	case CK_INSTANT:
		rc = value_discount(t, order, d);
		break;
	case CK_DISCOUNT:
		rc = pct_discount(t, order, d);
		break;
	case CK_PROMO:
		rc = HAS(t->discount_pct) ? pct_discount(t, order, d) :
		    value_discount(t, order, d);
		break;
	default:
		return RD_NEED_ORDER;
	}
	if (rc == RD_OK && *d > order)
		*d = order;
	return rc;
}

/* ---- display ---- */

void
coupon_yuan(int64_t fen, char *out, size_t n)
{
	int64_t a = fen < 0 ? -fen : fen;
	const char *sign = fen < 0 ? "-" : "";

	if (a % 100 == 0)
		snprintf(out, n, "%s%lld", sign, (long long)(a / 100));
	else if (a % 10 == 0)
		snprintf(out, n, "%s%lld.%lld", sign, (long long)(a / 100),
		    (long long)(a % 100 / 10));
	else
		snprintf(out, n, "%s%lld.%02lld", sign, (long long)(a / 100),
		    (long long)(a % 100));
}

static void
pct_text(int64_t pct, char *out, size_t n)
{
	if (pct % 10 == 0)
		snprintf(out, n, "%lld折", (long long)(pct / 10));
	else
		snprintf(out, n, "%lld.%lld折", (long long)(pct / 10),
		    (long long)(pct % 10));
}

void
coupon_summary(const struct coupon_terms *t, const char *gift, char *out,
    size_t n)
{
	char v[32], th[64], p[48], cap[64];
	int pct = HAS(t->discount_pct) &&
	    (t->kind == CK_DISCOUNT || t->kind == CK_PROMO);

	if (t->kind == CK_GIFT) {
		snprintf(out, n, "兑换：%s", gift ? gift : "礼品");
		return;
	}
	if (pct) {
		pct_text(t->discount_pct, p, sizeof(p));
		cap[0] = th[0] = '\0';
		if (HAS(t->max_discount_fen)) {
			coupon_yuan(t->max_discount_fen, v, sizeof(v));
			snprintf(cap, sizeof(cap), " 最高减%s", v);
		}
		if (HAS(t->threshold_fen) && t->threshold_fen > 0) {
			coupon_yuan(t->threshold_fen, v, sizeof(v));
			snprintf(th, sizeof(th), "满%s享", v);
		}
		snprintf(out, n, "%s%s%s", th, p, cap);
		return;
	}
	coupon_yuan(HAS(t->value_fen) ? t->value_fen : 0, v, sizeof(v));
	if (HAS(t->threshold_fen) && t->threshold_fen > 0) {
		coupon_yuan(t->threshold_fen, th, sizeof(th));
		snprintf(out, n, "满%s减%s", th, v);
	} else
		snprintf(out, n, "立减%s元", v);
}
