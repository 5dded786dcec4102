/* Which statements are bounded in time as a report's (fcgi/db.h,
   DB_REPORT_COLS and DB_FILE_REPORT): the staff reports, lists and
   exports are; the statements that change money, coupons or counters in
   a transaction never are (a bound there would undo a payment half way). */
#include <string.h>

#include "db.h"
#include "unit.h"

extern struct db_sql *const __start_db_sql[];
extern struct db_sql *const __stop_db_sql[];

static int
ends_with(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);

	return a >= b && strcmp(s + a - b, end) == 0;
}

/* The statement called name in the file ending with file, or NULL. */
static const struct db_sql *
find(const char *file, const char *name)
{
	struct db_sql *const *p;

	for (p = __start_db_sql; p < __stop_db_sql; p++)
		if (strcmp((*p)->name, name) == 0 && ends_with((*p)->file, file))
			return *p;
	return NULL;
}

#define BOUNDED(file, name, want) do { \
	const struct db_sql *_q = find(file, name); \
	EXPECT(_q != NULL); \
	if (_q != NULL) \
		EXPECT_INT(_q->report, want); \
} while (0)

TEST(report_bound_every_stats_statement)
{
	struct db_sql *const *p;
	int n = 0;

	for (p = __start_db_sql; p < __stop_db_sql; p++) {
		if (!ends_with((*p)->file, "handlers/stats/stats.c"))
			continue;
		n++;
		if (!(*p)->report)
			fprintf(stderr, "  not bounded: %s\n", (*p)->name);
		EXPECT_INT((*p)->report, 1);
	}
	EXPECT(n > 0);
}

TEST(report_bound_staff_lists_and_exports)
{
	static const char *const ml[] = {
		"q_ml_joined_asc", "q_ml_joined_desc", "q_mlf_joined_asc",
		"q_mlf_joined_desc", "q_ml_balance_asc", "q_mlf_spend_desc",
	};
	size_t i;

	for (i = 0; i < sizeof(ml) / sizeof(ml[0]); i++)
		BOUNDED("handlers/staff/members_staff.c", ml[i], 1);
	BOUNDED("handlers/order/order_after.c", "q_list", 1);
	BOUNDED("handlers/coupon/coupon_staff.c", "q_st_tpl_list", 1);
	BOUNDED("handlers/coupon/coupon_staff.c", "q_st_tpl_counts", 1);
	BOUNDED("handlers/coupon/coupon_staff.c", "q_st_codes_csv", 1);
	BOUNDED("handlers/wallet/wallet_staff.c", "q_st_payments", 1);
}

TEST(report_bound_never_in_a_transaction)
{
	BOUNDED("handlers/coupon/coupon.c", "q_stock_take", 0);
	BOUNDED("handlers/coupon/coupon.c", "q_coupon_insert", 0);
	BOUNDED("handlers/order/order.c", "q_coupon_use", 0);
	BOUNDED("handlers/order/order.c", "q_coupon_tpl_used", 0);
	BOUNDED("handlers/order/order_after.c", "q_coupons_return", 0);
	BOUNDED("handlers/coupon/coupon_staff.c", "q_st_redeem", 0);
	BOUNDED("handlers/staff/members_staff.c", "q_ml_paid", 0);
}
