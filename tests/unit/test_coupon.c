/*
 * Coupon rules: every template validation rule, time input, the validity
 * a coupon gets, the code alphabet, claim eligibility, redemption checks,
 * the discount and the summaries.
 */
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "core/core_rules.h"
#include "coupon/coupon_rules.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define N		COUPON_NONE
#define DAY		86400LL
/* 2026-01-01T00:00:00Z */
#define NOW		1767225600LL
#define CST		(8 * 3600L)

static int64_t
at(const char *s)
{
	int64_t t = 0;

	if (time_parse(s, CST, 0, &t) == -1) {
		fprintf(stderr, "  bad time in test: %s\n", s);
		unit_failed_checks++;
	}
	return t;
}

TEST(coupon_kind_and_status_names)
{
	static const char *const kinds[] = { "threshold", "discount",
	    "instant", "gift", "promo_code" };
	static const char *const st[] = { "draft", "active", "paused",
	    "ended" };
	size_t i;

	for (i = 0; i < NELEM(kinds); i++) {
		EXPECT_INT(coupon_kind_from(kinds[i]), (int)i);
		EXPECT_STR(coupon_kind_name((int)i), kinds[i]);
	}
	for (i = 0; i < NELEM(st); i++) {
		EXPECT_INT(coupon_tpl_status_from(st[i]), (int)i);
		EXPECT_STR(coupon_tpl_status_name((int)i), st[i]);
	}
	EXPECT_INT(coupon_kind_from("cash"), -1);
	EXPECT_INT(coupon_kind_from(NULL), -1);
	EXPECT_INT(coupon_tpl_status_from("Active"), -1);
	EXPECT(coupon_kind_name(5) == NULL);
	EXPECT(coupon_tpl_status_name(-1) == NULL);
}

/* One template per row; field is the one validation names, NULL: valid. */
static const struct tpl_case {
	const char	*what;
	int		 kind;
	int64_t		 value, threshold, pct, max;
	const char	*gift;
	int64_t		 stock, limit;
	int64_t		 cf, cu, vf, vu, days;	/* offsets from NOW, or N */
	int		 next_day, audience, ntiers, status;
	const char	*field;
} tpl_cases[] = {
#define ST TS_ACTIVE
	/* threshold: spend X, Y off */
	{ "threshold ok", CK_THRESHOLD, 1000, 5000, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, NULL },
	{ "threshold equal to value", CK_THRESHOLD, 1000, 1000, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, NULL },
	{ "threshold below value", CK_THRESHOLD, 1000, 999, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "threshold without value", CK_THRESHOLD, N, 5000, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "threshold value 0", CK_THRESHOLD, 0, 5000, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "threshold value too big", CK_THRESHOLD, 100000001, 200000000, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "threshold without threshold", CK_THRESHOLD, 1000, N, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "threshold 0", CK_THRESHOLD, 1000, 0, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "threshold with pct", CK_THRESHOLD, 1000, 5000, 85, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "threshold with cap", CK_THRESHOLD, 1000, 5000, N, 500, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "max_discount_fen" },
	{ "threshold with gift", CK_THRESHOLD, 1000, 5000, N, N, "杯子", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "gift_item" },
	/* discount: pay N% */
	{ "discount ok", CK_DISCOUNT, N, N, 85, 2000, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, NULL },
	{ "discount 1", CK_DISCOUNT, N, N, 1, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, NULL },
	{ "discount 99", CK_DISCOUNT, N, N, 99, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, NULL },
	{ "discount 0", CK_DISCOUNT, N, N, 0, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "discount 100", CK_DISCOUNT, N, N, 100, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "discount missing", CK_DISCOUNT, N, N, N, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "discount with value", CK_DISCOUNT, 500, N, 85, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "discount cap 0", CK_DISCOUNT, N, N, 85, 0, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "max_discount_fen" },
	{ "discount threshold negative", CK_DISCOUNT, N, -1, 85, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "discount threshold 0", CK_DISCOUNT, N, 0, 85, N, NULL, N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, NULL },
	{ "discount with gift", CK_DISCOUNT, N, N, 85, N, "杯子", N, 2, N, N, N, N, 7, 0, AUD_ALL, 0, ST, "gift_item" },
	/* instant: Y off */
	{ "instant ok", CK_INSTANT, 500, N, N, N, NULL, 500, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "instant threshold 0", CK_INSTANT, 500, 0, N, N, NULL, 500, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "instant with threshold", CK_INSTANT, 500, 1000, N, N, NULL, 500, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "instant without value", CK_INSTANT, N, N, N, N, NULL, 500, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "instant with pct", CK_INSTANT, 500, N, 85, N, NULL, 500, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "instant with cap", CK_INSTANT, 500, N, N, 100, NULL, 500, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "max_discount_fen" },
	/* gift */
	{ "gift ok", CK_GIFT, N, N, N, N, "美式咖啡", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, NULL },
	{ "gift without item", CK_GIFT, N, N, N, N, NULL, 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "gift_item" },
	{ "gift empty item", CK_GIFT, N, N, N, N, "", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "gift_item" },
	{ "gift with value", CK_GIFT, 500, N, N, N, "咖啡", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "gift with threshold", CK_GIFT, N, 500, N, N, "咖啡", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "gift with pct", CK_GIFT, N, N, 50, N, "咖啡", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "gift with cap", CK_GIFT, N, N, N, 50, "咖啡", 100, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "max_discount_fen" },
	/* promo_code: value or pct */
	{ "promo value", CK_PROMO, 1000, 3000, N, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, NULL },
	{ "promo value no threshold", CK_PROMO, 1000, N, N, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, NULL },
	{ "promo pct", CK_PROMO, N, N, 90, 1000, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, NULL },
	{ "promo both", CK_PROMO, 1000, N, 90, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "promo neither", CK_PROMO, N, N, N, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "value_fen" },
	{ "promo threshold below value", CK_PROMO, 1000, 500, N, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "threshold_fen" },
	{ "promo pct 100", CK_PROMO, N, N, 100, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "discount_pct" },
	{ "promo value with cap", CK_PROMO, 1000, N, N, 500, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "max_discount_fen" },
	{ "promo with gift", CK_PROMO, 1000, N, N, N, "杯子", N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "gift_item" },
	{ "unknown kind", -1, 1000, N, N, N, NULL, N, 1, N, N, N, N, 30, 0, AUD_ALL, 0, ST, "kind" },
	/* stock and limit */
	{ "stock 0", CK_INSTANT, 500, N, N, N, NULL, 0, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "stock" },
	{ "stock negative", CK_INSTANT, 500, N, N, N, NULL, -5, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "stock" },
	{ "stock too big", CK_INSTANT, 500, N, N, N, NULL, 100000001, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "stock" },
	{ "stock at the maximum", CK_INSTANT, 500, N, N, N, NULL, 100000000, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "stock 1", CK_INSTANT, 500, N, N, N, NULL, 1, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "value at the maximum", CK_INSTANT, 100000000, N, N, N, NULL, 1, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "days 3650", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 3650, 0, AUD_ALL, 0, ST, NULL },
	{ "stock unlimited", CK_INSTANT, 500, N, N, N, NULL, N, 1, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "limit missing", CK_INSTANT, 500, N, N, N, NULL, 10, N, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "per_member_limit" },
	{ "limit 0", CK_INSTANT, 500, N, N, N, NULL, 10, 0, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "per_member_limit" },
	{ "limit 101", CK_INSTANT, 500, N, N, N, NULL, 10, 101, N, N, N, N, 14, 0, AUD_ALL, 0, ST, "per_member_limit" },
	{ "limit 100", CK_INSTANT, 500, N, N, N, NULL, 10, 100, N, N, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	/* claim window */
	{ "window ok", CK_INSTANT, 500, N, N, N, NULL, 10, 1, DAY, 2 * DAY, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	{ "window empty", CK_INSTANT, 500, N, N, N, NULL, 10, 1, DAY, DAY, N, N, 14, 0, AUD_ALL, 0, ST, "claim_until" },
	{ "window ends before it starts", CK_INSTANT, 500, N, N, N, NULL, 10, 1, 2 * DAY, DAY, N, N, 14, 0, AUD_ALL, 0, ST, "claim_until" },
	{ "window open start", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, DAY, N, N, 14, 0, AUD_ALL, 0, ST, NULL },
	/* validity */
	{ "fixed range ok", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, 0, 30 * DAY, N, 0, AUD_ALL, 0, ST, NULL },
	{ "fixed until only", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, 30 * DAY, N, 0, AUD_ALL, 0, ST, NULL },
	{ "fixed and days", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, 0, 30 * DAY, 7, 0, AUD_ALL, 0, ST, "valid_days" },
	{ "no validity", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, N, 0, AUD_ALL, 0, ST, "valid_until" },
	{ "days 0", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 0, 0, AUD_ALL, 0, ST, "valid_days" },
	{ "days 3651", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 3651, 0, AUD_ALL, 0, ST, "valid_days" },
	{ "days next day", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 1, AUD_ALL, 0, ST, NULL },
	{ "fixed from only", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, 0, N, N, 0, AUD_ALL, 0, ST, "valid_until" },
	{ "fixed until before from", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, 5 * DAY, 4 * DAY, N, 0, AUD_ALL, 0, ST, "valid_until" },
	{ "fixed until equals from", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, 5 * DAY, 5 * DAY, N, 0, AUD_ALL, 0, ST, "valid_until" },
	{ "fixed with next day", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, 0, 30 * DAY, N, 1, AUD_ALL, 0, ST, "valid_next_day" },
	{ "fixed already ended", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, -30 * DAY, -DAY, N, 0, AUD_ALL, 0, ST, "valid_until" },
	{ "fixed ends exactly now", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, -30 * DAY, 0, N, 0, AUD_ALL, 0, ST, "valid_until" },
	{ "fixed ends a second from now", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, -30 * DAY, 1, N, 0, AUD_ALL, 0, ST, NULL },
	{ "claims end with validity", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, 30 * DAY, 0, 30 * DAY, N, 0, AUD_ALL, 0, ST, NULL },
	{ "claims start a second before validity ends", CK_INSTANT, 500, N, N, N, NULL, 10, 1, 30 * DAY - 1, N, 0, 30 * DAY, N, 0, AUD_ALL, 0, ST, NULL },
	{ "claims after validity", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, 31 * DAY, 0, 30 * DAY, N, 0, AUD_ALL, 0, ST, "claim_until" },
	{ "claims start after validity", CK_INSTANT, 500, N, N, N, NULL, 10, 1, 30 * DAY, N, 0, 30 * DAY, N, 0, AUD_ALL, 0, ST, "claim_from" },
	/* audience and status */
	{ "tiers none", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_TIERS, 0, ST, "audience" },
	{ "tiers one", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_TIERS, 1, ST, NULL },
	{ "new members", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_NEW_MEMBERS, 0, ST, NULL },
	{ "bad status", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_ALL, 0, 7, "status" },
	{ "draft", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_ALL, 0, TS_DRAFT, NULL },
	{ "paused", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_ALL, 0, TS_PAUSED, NULL },
	{ "ended", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_ALL, 0, TS_ENDED, NULL },
	{ "status below draft", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_ALL, 0, -1, "status" },
	{ "status past ended", CK_INSTANT, 500, N, N, N, NULL, 10, 1, N, N, N, N, 7, 0, AUD_ALL, 0, TS_ENDED + 1, "status" },
#undef ST
};

static int64_t
rel(int64_t off)
{
	return off == N ? N : NOW + off;
}

static void
tpl_of(const struct tpl_case *c, struct coupon_tpl *t)
{
	coupon_tpl_init(t);
	t->kind = c->kind;
	t->value_fen = c->value;
	t->threshold_fen = c->threshold;
	t->discount_pct = c->pct;
	t->max_discount_fen = c->max;
	t->gift_item = c->gift;
	t->stock = c->stock;
	t->per_member_limit = c->limit;
	t->claim_from = rel(c->cf);
	t->claim_until = rel(c->cu);
	t->valid_from = rel(c->vf);
	t->valid_until = rel(c->vu);
	t->valid_days = c->days;
	t->valid_next_day = c->next_day;
	t->audience = c->audience;
	t->ntiers = c->ntiers;
	t->tiers[0] = 2;
	t->status = c->status;
}

TEST(coupon_template_validation)
{
	size_t i;

	for (i = 0; i < NELEM(tpl_cases); i++) {
		const struct tpl_case *c = &tpl_cases[i];
		struct coupon_tpl t;
		const char *field = NULL, *msg = NULL;
		int rc;

		tpl_of(c, &t);
		rc = coupon_tpl_validate(&t, NOW, &field, &msg);
		if (c->field == NULL) {
			if (rc != 0)
				fprintf(stderr, "  %s: refused (%s: %s)\n",
				    c->what, field, msg);
			EXPECT_INT(rc, 0);
		} else {
			if (rc != -1 || field == NULL ||
			    strcmp(field, c->field) != 0)
				fprintf(stderr, "  %s: expected %s, got %s\n",
				    c->what, c->field, rc ? field : "ok");
			EXPECT_INT(rc, -1);
			EXPECT_STR(field, c->field);
			EXPECT(msg != NULL && msg[0] != '\0');
		}
	}
}

TEST(coupon_template_past_validity_only_checked_with_now)
{
	struct coupon_tpl t;
	const char *field = NULL, *msg = NULL;

	coupon_tpl_init(&t);
	t.kind = CK_INSTANT;
	t.value_fen = 500;
	t.per_member_limit = 1;
	t.valid_from = NOW - 30 * DAY;
	t.valid_until = NOW - DAY;
	EXPECT_INT(coupon_tpl_validate(&t, NOW, &field, &msg), -1);
	EXPECT_STR(field, "valid_until");
	EXPECT_INT(coupon_tpl_validate(&t, 0, &field, &msg), 0);
}

TEST(tz_offsets)
{
	EXPECT_INT(tz_offset("+08:00"), 28800);
	EXPECT_INT(tz_offset("-05:30"), -19800);
	EXPECT_INT(tz_offset("+00:00"), 0);
	EXPECT_INT(tz_offset("bad"), 28800);
	EXPECT_INT(tz_offset(NULL), 28800);
	EXPECT_INT(tz_offset("+8:00"), 28800);
	/* the widest zones there are, and one hour past them */
	EXPECT_INT(tz_offset("+14:00"), 50400);
	EXPECT_INT(tz_offset("-14:00"), -50400);
	EXPECT_INT(tz_offset("+15:00"), 28800);
	EXPECT_INT(tz_offset("+05:59"), 21540);
	EXPECT_INT(tz_offset("+05:60"), 28800);
}

TEST(coupon_time_input)
{
	static const struct {
		const char *s;
		int end;
		int rc;
		int64_t want;
	} c[] = {
		/* a date is the merchant's day: 2026-01-01 00:00 +08:00 */
		{ "2026-01-01", 0, 0, NOW - CST },
		{ "2026-01-01", 1, 0, NOW - CST + DAY - 1 },
		{ "2026-01-01T00:00:00Z", 0, 0, NOW },
		{ "2026-01-01T00:00:00z", 0, 0, NOW },
		{ "2026-01-01T08:00:00+08:00", 0, 0, NOW },
		{ "2025-12-31T19:00:00-05:00", 0, 0, NOW },
		{ "2026-01-01T08:00:00", 0, 0, NOW },
		{ "2026-01-01 08:00:00", 0, 0, NOW },
		{ "2026-01-01T00:00:00.123Z", 0, 0, NOW },
		{ "2024-02-29", 0, 0, 1709164800LL - CST },
		{ "1970-01-01T00:00:00Z", 0, 0, 0 },
		{ "2023-02-29", 0, -1, 0 },
		{ "2026-13-01", 0, -1, 0 },
		{ "2026-04-31", 0, -1, 0 },
		{ "2026-1-1", 0, -1, 0 },
		{ "2026-01-01T24:00:00Z", 0, -1, 0 },
		{ "2026-01-01T23:60:00Z", 0, -1, 0 },
		{ "2026-01-01T00:00:00+8:00", 0, -1, 0 },
		{ "2026-01-01T00:00:00+08:00x", 0, -1, 0 },
		{ "2026-01-01T00:00:00.Z", 0, -1, 0 },
		{ "2026-01-01T00:00", 0, -1, 0 },
		{ "20260101", 0, -1, 0 },
		{ "", 0, -1, 0 },
		{ "1969-12-31", 0, -1, 0 },
		/* upper bounds: 23:59:59, offsets up to +-14:00, minutes to 59 */
		{ "2026-01-01T23:59:59Z", 0, 0, NOW + DAY - 1 },
		{ "2026-01-01T00:00:59Z", 0, 0, NOW + 59 },
		{ "2026-01-01T00:00:60Z", 0, -1, 0 },
		{ "2026-01-01T00:00:99Z", 0, -1, 0 },
		{ "2026-01-01T14:00:00+14:00", 0, 0, NOW },
		{ "2025-12-31T10:00:00-14:00", 0, 0, NOW },
		{ "2026-01-01T00:00:00+15:00", 0, -1, 0 },
		{ "2026-01-01T05:59:00+05:59", 0, 0, NOW },
		{ "2026-01-01T00:00:00+05:60", 0, -1, 0 },
		{ "9999-12-31T23:59:59Z", 0, 0, 253402300799LL },
		{ "2000-02-29", 0, 0, 951782400LL - CST },
		{ "2100-02-29", 0, -1, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		int64_t t = -7;
		int rc = time_parse(c[i].s, CST, c[i].end, &t);

		if (rc != c[i].rc)
			fprintf(stderr, "  %s\n", c[i].s);
		EXPECT_INT(rc, c[i].rc);
		if (c[i].rc == 0)
			EXPECT_INT(t, c[i].want);
	}
	EXPECT_INT(time_parse(NULL, CST, 0, &(int64_t){ 0 }), -1);
}

TEST(time_sqls)
{
	char buf[20];
	int64_t t = 0;

	time_sql(NOW + 3723, buf);
	EXPECT_STR(buf, "2026-01-01 01:02:03");
	EXPECT_INT(time_sql_parse(buf, &t), 0);
	EXPECT_INT(t, NOW + 3723);
	EXPECT_INT(time_sql_parse("2026-01-01T01:02:03", &t), -1);
	EXPECT_INT(time_sql_parse("2026-01-01", &t), -1);
	EXPECT_INT(time_sql_parse(NULL, &t), -1);
}

TEST(coupon_validity_computation)
{
	static const struct {
		const char *claim;	/* local (+08:00) */
		int64_t days;
		int next;
		const char *from, *until;
	} c[] = {
		{ "2026-01-01T10:00:00", 7, 0, "2026-01-01T10:00:00",
		  "2026-01-07T23:59:59" },
		{ "2026-01-01T10:00:00", 7, 1, "2026-01-02T00:00:00",
		  "2026-01-08T23:59:59" },
		{ "2026-01-01T23:30:00", 1, 0, "2026-01-01T23:30:00",
		  "2026-01-01T23:59:59" },
		{ "2026-01-01T23:30:00", 1, 1, "2026-01-02T00:00:00",
		  "2026-01-02T23:59:59" },
		/* just after local midnight: the UTC date is the day before */
		{ "2026-01-02T00:10:00", 1, 0, "2026-01-02T00:10:00",
		  "2026-01-02T23:59:59" },
		{ "2026-01-02T07:59:59", 2, 1, "2026-01-03T00:00:00",
		  "2026-01-04T23:59:59" },
		/* across a month and a leap day */
		{ "2024-02-28T12:00:00", 3, 0, "2024-02-28T12:00:00",
		  "2024-03-01T23:59:59" },
		{ "2025-12-31T20:00:00", 30, 1, "2026-01-01T00:00:00",
		  "2026-01-30T23:59:59" },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		struct coupon_tpl t;
		int64_t from = 0, until = 0;

		coupon_tpl_init(&t);
		t.valid_days = c[i].days;
		t.valid_next_day = c[i].next;
		coupon_validity(&t, at(c[i].claim), CST, &from, &until);
		EXPECT_INT(from, at(c[i].from));
		EXPECT_INT(until, at(c[i].until));
	}
}

TEST(coupon_validity_other_zones_and_fixed)
{
	struct coupon_tpl t;
	int64_t from = 0, until = 0, claim;

	/* -05:00: a claim at 2026-01-01T22:00-05:00 is 03:00Z next day */
	coupon_tpl_init(&t);
	t.valid_days = 1;
	claim = NOW + DAY + 3 * 3600;
	coupon_validity(&t, claim, -5 * 3600L, &from, &until);
	EXPECT_INT(from, claim);
	EXPECT_INT(until, NOW + DAY + 5 * 3600 - 1);
	t.valid_next_day = 1;
	coupon_validity(&t, claim, -5 * 3600L, &from, &until);
	EXPECT_INT(from, NOW + DAY + 5 * 3600);
	EXPECT_INT(until, NOW + 2 * DAY + 5 * 3600 - 1);

	/* fixed range: as given; without a start, from the claim */
	coupon_tpl_init(&t);
	t.valid_from = NOW + DAY;
	t.valid_until = NOW + 10 * DAY;
	coupon_validity(&t, NOW, CST, &from, &until);
	EXPECT_INT(from, NOW + DAY);
	EXPECT_INT(until, NOW + 10 * DAY);
	t.valid_from = N;
	coupon_validity(&t, NOW + 3, CST, &from, &until);
	EXPECT_INT(from, NOW + 3);
	EXPECT_INT(until, NOW + 10 * DAY);
}

TEST(coupon_code_alphabet)
{
	const char *a = coupon_alphabet;
	size_t i, j, n = strlen(a);

	EXPECT_INT(n, 31);
	for (i = 0; i < n; i++) {
		EXPECT((a[i] >= '2' && a[i] <= '9') ||
		    (a[i] >= 'A' && a[i] <= 'Z'));
		for (j = i + 1; j < n; j++)
			EXPECT(a[i] != a[j]);
	}
	EXPECT(strchr(a, '0') == NULL);
	EXPECT(strchr(a, 'O') == NULL);
	EXPECT(strchr(a, '1') == NULL);
	EXPECT(strchr(a, 'I') == NULL);
	EXPECT(strchr(a, 'L') == NULL);
}

static uint32_t
rand_zero(uint32_t upper)
{
	(void)upper;
	return 0;
}

static uint32_t
rand_top(uint32_t upper)
{
	return upper - 1;
}

static int
cmp_code(const void *x, const void *y)
{
	return memcmp(x, y, COUPON_CODE_LEN + 1);
}

TEST(coupon_code_generation)
{
	enum { MANY = 20000 };
	char (*codes)[COUPON_CODE_LEN + 1];
	char c[COUPON_CODE_LEN + 1];
	int seen[128] = { 0 };
	size_t i, k, distinct = 0;

	coupon_code_make(c, rand_zero);
	EXPECT_STR(c, "222222222222");
	coupon_code_make(c, rand_top);
	EXPECT_STR(c, "ZZZZZZZZZZZZ");
	codes = calloc(MANY, sizeof(*codes));
	for (i = 0; i < MANY; i++) {
		coupon_code_make(codes[i], rand_uniform);
		EXPECT_INT(strlen(codes[i]), COUPON_CODE_LEN);
		for (k = 0; k < COUPON_CODE_LEN; k++) {
			EXPECT(strchr(coupon_alphabet, codes[i][k]) != NULL);
			seen[(unsigned char)codes[i][k]] = 1;
		}
	}
	/* every symbol turns up; no code twice */
	for (i = 0; i < 128; i++)
		distinct += (size_t)seen[i];
	EXPECT_INT(distinct, 31);
	qsort(codes, MANY, sizeof(*codes), cmp_code);
	for (i = 1; i < MANY; i++)
		EXPECT(memcmp(codes[i - 1], codes[i], COUPON_CODE_LEN) != 0);
	free(codes);
}

TEST(coupon_code_typed_in)
{
	static const struct {
		const char *in, *out;
	} c[] = {
		{ "ABCDEFGHJKMN", "ABCDEFGHJKMN" },
		{ "abcd-efgh-jkmn", "ABCDEFGHJKMN" },
		{ " 2345 6789 ABCD ", "23456789ABCD" },
		{ "ABCDEFGHJKM0", NULL },	/* zero */
		{ "ABCDEFGHJKMO", NULL },	/* letter O */
		{ "ABCDEFGHJKM1", NULL },
		{ "ABCDEFGHJKMI", NULL },
		{ "abcdefghjkml", NULL },	/* l folds to L */
		{ "ABCDEFGHJKM", NULL },	/* 11 */
		{ "ABCDEFGHJKMNP", NULL },	/* 13 */
		{ "ABCDEFGHJKM!", NULL },
		{ "", NULL },
	};
	char out[COUPON_CODE_LEN + 1];
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		int rc = coupon_code_normalize(c[i].in, out);

		EXPECT_INT(rc, c[i].out ? 0 : -1);
		if (c[i].out)
			EXPECT_STR(out, c[i].out);
	}
	EXPECT_INT(coupon_code_normalize(NULL, out), -1);
	/* a tab between groups is white space too */
	EXPECT_INT(coupon_code_normalize("ABCD\tEFGH\tJKMN", out), 0);
	EXPECT_STR(out, "ABCDEFGHJKMN");
}

TEST(coupon_code_lookalikes)
{
	EXPECT_INT(coupon_code_lookalike("ABCDEFGHJKLM"), 'L');
	EXPECT_INT(coupon_code_lookalike("abcdefghjkmo"), 'o');
	EXPECT_INT(coupon_code_lookalike("ABCD EFGH 1"), '1');
	EXPECT_INT(coupon_code_lookalike("0"), '0');
	EXPECT_INT(coupon_code_lookalike("i"), 'i');
	EXPECT_INT(coupon_code_lookalike("ABCDEFGHJKMN"), 0);
	EXPECT_INT(coupon_code_lookalike("23456789"), 0);
	EXPECT_INT(coupon_code_lookalike(""), 0);
	EXPECT_INT(coupon_code_lookalike(NULL), 0);
}

TEST(coupon_store_scope)
{
	EXPECT_INT(coupon_store_allowed(NULL, 7), 1);
	EXPECT_INT(coupon_store_allowed("[1,3]", 3), 1);
	EXPECT_INT(coupon_store_allowed("[1,3]", 1), 1);
	EXPECT_INT(coupon_store_allowed("[1,3]", 2), 0);
	EXPECT_INT(coupon_store_allowed("[12]", 1), 0);
	EXPECT_INT(coupon_store_allowed("[12]", 2), 0);
	EXPECT_INT(coupon_store_allowed("[12]", 12), 1);
	EXPECT_INT(coupon_store_allowed("[]", 1), 0);
}

TEST(coupon_audience)
{
	static const int tiers[] = { 2, 3 };

	EXPECT_INT(coupon_audience_ok(AUD_ALL, NULL, 0, N, -1, NOW), 1);
	EXPECT_INT(coupon_audience_ok(AUD_NEW_MEMBERS, NULL, 0, NOW - DAY,
	    1, NOW), 1);
	EXPECT_INT(coupon_audience_ok(AUD_NEW_MEMBERS, NULL, 0,
	    NOW - 30 * DAY, 1, NOW), 1);
	EXPECT_INT(coupon_audience_ok(AUD_NEW_MEMBERS, NULL, 0,
	    NOW - 30 * DAY - 1, 1, NOW), 0);
	EXPECT_INT(coupon_audience_ok(AUD_NEW_MEMBERS, NULL, 0, N, 1, NOW),
	    0);
	EXPECT_INT(coupon_audience_ok(AUD_TIERS, tiers, 2, N, 1, NOW), 0);
	EXPECT_INT(coupon_audience_ok(AUD_TIERS, tiers, 2, N, 2, NOW), 1);
	EXPECT_INT(coupon_audience_ok(AUD_TIERS, tiers, 2, N, 3, NOW), 1);
	EXPECT_INT(coupon_audience_ok(AUD_TIERS, tiers, 2, N, -1, NOW), 0);
}

TEST(coupon_claim_rules)
{
	static const int tiers[] = { 2, 3 };
	static const struct {
		const char *what;
		int status, kind, listed, mode;
		int64_t cf, cu, fixed, stock, limit, mine;
		int member, audience;
		int64_t joined;
		int tier;
		const char *want;
	} c[] = {
		{ "ok", TS_ACTIVE, CK_THRESHOLD, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "draft", TS_DRAFT, CK_THRESHOLD, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "ended" },
		{ "paused", TS_PAUSED, CK_THRESHOLD, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "ended" },
		{ "ended", TS_ENDED, CK_THRESHOLD, 1, CLAIM_GRANT, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "ended" },
		{ "promo in centre", TS_ACTIVE, CK_PROMO, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "not_eligible" },
		{ "promo by code", TS_ACTIVE, CK_PROMO, 0, CLAIM_PROMO, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "code of another kind", TS_ACTIVE, CK_INSTANT, 1, CLAIM_PROMO, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "not_eligible" },
		{ "unlisted in centre", TS_ACTIVE, CK_INSTANT, 0, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "not_eligible" },
		{ "unlisted granted", TS_ACTIVE, CK_INSTANT, 0, CLAIM_GRANT, N, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "before window", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, 1, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "not_started" },
		{ "window start", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, 0, N, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "window end", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, 0, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "after window", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, -1, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "ended" },
		{ "grant ignores window", TS_ACTIVE, CK_INSTANT, 1, CLAIM_GRANT, N, -1, N, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "validity ends now", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, 0, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "validity ends now, grant", TS_ACTIVE, CK_INSTANT, 1, CLAIM_GRANT, N, N, 0, 10, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
		{ "validity over", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, -1, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "ended" },
		{ "validity over, grant", TS_ACTIVE, CK_INSTANT, 1, CLAIM_GRANT, N, N, -1, 10, 1, 0, 1, AUD_ALL, -DAY, 1, "ended" },
		{ "new member", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_NEW_MEMBERS, -10 * DAY, 1, NULL },
		{ "old member", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_NEW_MEMBERS, -31 * DAY, 1, "not_eligible" },
		{ "old member, grant", TS_ACTIVE, CK_INSTANT, 1, CLAIM_GRANT, N, N, N, 10, 1, 0, 1, AUD_NEW_MEMBERS, -31 * DAY, 1, NULL },
		{ "tier not in list", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_TIERS, -DAY, 1, "not_eligible" },
		{ "tier in list", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 1, 0, 1, AUD_TIERS, -DAY, 3, NULL },
		{ "tier in list, promo code", TS_ACTIVE, CK_PROMO, 0, CLAIM_PROMO, N, N, N, 10, 1, 0, 1, AUD_TIERS, -DAY, 2, NULL },
		{ "tier not in list, promo code", TS_ACTIVE, CK_PROMO, 0, CLAIM_PROMO, N, N, N, 10, 1, 0, 1, AUD_TIERS, -DAY, 1, "not_eligible" },
		{ "nobody signed in", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 1, 5, 0, AUD_TIERS, N, -1, NULL },
		{ "limit reached", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 2, 2, 1, AUD_ALL, -DAY, 1, "limit_reached" },
		{ "below limit", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 10, 2, 1, 1, AUD_ALL, -DAY, 1, NULL },
		{ "out of stock", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 0, 2, 0, 1, AUD_ALL, -DAY, 1, "out_of_stock" },
		{ "limit before stock", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, 0, 1, 1, 1, AUD_ALL, -DAY, 1, "limit_reached" },
		{ "unlimited", TS_ACTIVE, CK_INSTANT, 1, CLAIM_CENTRE, N, N, N, N, 1, 0, 1, AUD_ALL, -DAY, 1, NULL },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		struct claim_view v;
		const char *got;

		memset(&v, 0, sizeof(v));
		v.status = c[i].status;
		v.kind = c[i].kind;
		v.listed = c[i].listed;
		v.claim_from = rel(c[i].cf);
		v.claim_until = rel(c[i].cu);
		v.fixed_until = rel(c[i].fixed);
		v.stock_left = c[i].stock;
		v.per_member_limit = c[i].limit;
		v.claimed_by_me = c[i].mine;
		v.audience = c[i].audience;
		v.tiers = tiers;
		v.ntiers = 2;
		v.has_member = c[i].member;
		v.joined_at = rel(c[i].joined);
		v.tier_level = c[i].tier;
		got = coupon_claim_reason(&v, c[i].mode, NOW);
		if (got == NULL ? c[i].want != NULL :
		    c[i].want == NULL || strcmp(got, c[i].want) != 0)
			fprintf(stderr, "  %s: got %s\n", c[i].what,
			    got ? got : "(claimable)");
		EXPECT_STR(got, c[i].want);
	}
}

TEST(coupon_redemption_checks)
{
	static const struct {
		const char *status;
		int64_t from, until;
		const char *stores;
		int64_t store, now;
		int want;
	} c[] = {
		{ "unused", 0, 100, NULL, 1, 50, RD_OK },
		{ "unused", 0, 100, NULL, 1, 0, RD_OK },
		{ "unused", 0, 100, NULL, 1, 100, RD_OK },
		{ "unused", 10, 100, NULL, 1, 9, RD_NOT_STARTED },
		{ "unused", 0, 100, NULL, 1, 101, RD_EXPIRED },
		{ "unused", 0, 100, "[2,3]", 1, 50, RD_WRONG_STORE },
		{ "unused", 0, 100, "[2,3]", 3, 50, RD_OK },
		{ "used", 0, 100, NULL, 1, 50, RD_ALREADY_USED },
		{ "used", 0, 100, NULL, 1, 500, RD_ALREADY_USED },
		{ "cancelled", 0, 100, NULL, 1, 50, RD_CANCELLED },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++)
		EXPECT_INT(coupon_redeem_check(c[i].status, c[i].from,
		    c[i].until, c[i].stores, c[i].store, c[i].now), c[i].want);
}

TEST(coupon_discount_math)
{
	static const struct {
		int kind;
		int64_t value, threshold, pct, max, order;
		int rc;
		int64_t discount;
	} c[] = {
		/* 满100减20 */
		{ CK_THRESHOLD, 2000, 10000, N, N, 10000, RD_OK, 2000 },
		{ CK_THRESHOLD, 2000, 10000, N, N, 25000, RD_OK, 2000 },
		{ CK_THRESHOLD, 2000, 10000, N, N, 9999, RD_THRESHOLD_NOT_MET, 0 },
		{ CK_THRESHOLD, 2000, 10000, N, N, -1, RD_NEED_ORDER, 0 },
		/* 满20减20: never more than the order */
		{ CK_THRESHOLD, 2000, 2000, N, N, 2000, RD_OK, 2000 },
		/* 立减5元 */
		{ CK_INSTANT, 500, N, N, N, 3000, RD_OK, 500 },
		{ CK_INSTANT, 500, N, N, N, 300, RD_OK, 300 },
		{ CK_INSTANT, 500, N, N, N, 0, RD_OK, 0 },
		{ CK_INSTANT, 500, 0, N, N, 800, RD_OK, 500 },
		{ CK_INSTANT, 500, N, N, N, -1, RD_NEED_ORDER, 0 },
		/* 8.5折: the discount rounds down to the fen */
		{ CK_DISCOUNT, N, N, 85, N, 10000, RD_OK, 1500 },
		{ CK_DISCOUNT, N, N, 85, N, 10001, RD_OK, 1500 },
		{ CK_DISCOUNT, N, N, 85, N, 10007, RD_OK, 1501 },
		{ CK_DISCOUNT, N, N, 85, N, 1, RD_OK, 0 },
		{ CK_DISCOUNT, N, N, 85, 1000, 100000, RD_OK, 1000 },
		{ CK_DISCOUNT, N, N, 85, 1000, 5000, RD_OK, 750 },
		{ CK_DISCOUNT, N, 5000, 85, N, 4999, RD_THRESHOLD_NOT_MET, 0 },
		{ CK_DISCOUNT, N, 5000, 85, N, 5000, RD_OK, 750 },
		{ CK_DISCOUNT, N, N, 1, N, 100, RD_OK, 99 },
		{ CK_DISCOUNT, N, N, 99, N, 100, RD_OK, 1 },
		{ CK_DISCOUNT, N, N, 85, N, -1, RD_NEED_ORDER, 0 },
		/* gift: nothing off, order optional */
		{ CK_GIFT, N, N, N, N, -1, RD_OK, 0 },
		{ CK_GIFT, N, N, N, N, 5000, RD_OK, 0 },
		/* promo codes: by value or by percent */
		{ CK_PROMO, 1000, 3000, N, N, 3000, RD_OK, 1000 },
		{ CK_PROMO, 1000, 3000, N, N, 2999, RD_THRESHOLD_NOT_MET, 0 },
		{ CK_PROMO, 1000, N, N, N, 600, RD_OK, 600 },
		{ CK_PROMO, 1000, 0, N, N, 600, RD_OK, 600 },
		{ CK_PROMO, N, N, 90, 500, 10000, RD_OK, 500 },
		{ CK_PROMO, N, N, 90, N, 10000, RD_OK, 1000 },
		{ CK_PROMO, N, N, 90, N, -1, RD_NEED_ORDER, 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(c); i++) {
		struct coupon_terms t = { c[i].kind, c[i].value,
		    c[i].threshold, c[i].pct, c[i].max };
		int64_t d = -1;
		int rc = coupon_discount(&t, c[i].order, &d);

		if (rc != c[i].rc || (rc == RD_OK && d != c[i].discount))
			fprintf(stderr, "  case %zu: rc %d discount %lld\n", i,
			    rc, (long long)d);
		EXPECT_INT(rc, c[i].rc);
		if (rc == RD_OK)
			EXPECT_INT(d, c[i].discount);
	}
}

TEST(coupon_summaries)
{
	static const struct {
		int64_t fen;
		const char *s;
	} y[] = {
		{ 2000, "20" }, { 1050, "10.5" }, { 1005, "10.05" }, { 5, "0.05" },
		{ 0, "0" }, { -150, "-1.5" },
	};
	static const struct {
		int kind;
		int64_t value, threshold, pct, max;
		const char *gift, *s;
	} c[] = {
		{ CK_THRESHOLD, 1000, 5000, N, N, NULL, "满50减10" },
		{ CK_DISCOUNT, N, N, 85, 2000, NULL, "8.5折 最高减20" },
		{ CK_DISCOUNT, N, 5000, 90, N, NULL, "满50享9折" },
		{ CK_DISCOUNT, N, 0, 88, N, NULL, "8.8折" },
		{ CK_INSTANT, 500, N, N, N, NULL, "立减5元" },
		{ CK_GIFT, N, N, N, N, "美式咖啡", "兑换：美式咖啡" },
		{ CK_PROMO, 1000, 3000, N, N, NULL, "满30减10" },
		{ CK_PROMO, 1050, N, N, N, NULL, "立减10.5元" },
		{ CK_PROMO, N, N, 95, N, NULL, "9.5折" },
	};
	char out[128];
	size_t i;

	for (i = 0; i < NELEM(y); i++) {
		coupon_yuan(y[i].fen, out, sizeof(out));
		EXPECT_STR(out, y[i].s);
	}
	for (i = 0; i < NELEM(c); i++) {
		struct coupon_terms t = { c[i].kind, c[i].value,
		    c[i].threshold, c[i].pct, c[i].max };

		coupon_summary(&t, c[i].gift, out, sizeof(out));
		EXPECT_STR(out, c[i].s);
	}
}
