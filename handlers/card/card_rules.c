/* Pure rules of count cards: card_rules.h says what each decides. */
#include <string.h>

#include "card_rules.h"

const char *
count_card_status(int64_t uses_left, int64_t refunded_uses,
    int64_t expires_at, int64_t now)
{
	if (uses_left <= 0)
		return refunded_uses > 0 ? "refunded" : "used_up";
	if (now > expires_at)
		return "expired";
	return "active";
}

const char *
count_card_status_cn(const char *s)
{
	if (s == NULL)
		return "";
	if (strcmp(s, "active") == 0)
		return "可使用";
	if (strcmp(s, "used_up") == 0)
		return "已用完";
	if (strcmp(s, "expired") == 0)
		return "已过期";
	if (strcmp(s, "refunded") == 0)
		return "已退款";
	return "";
}

static int64_t
fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t
count_card_day(int64_t t, long tz_off)
{
	return fdiv(t + tz_off, 86400);
}

int64_t
count_card_expires(int by_days, int64_t days, int64_t until_end,
    int64_t now, long tz_off)
{
	if (!by_days)
		return until_end;
	if (days < 1)
		days = 1;
	return (count_card_day(now, tz_off) + days) * 86400 - tz_off - 1;
}

int
count_card_refund_check(int64_t asked, int64_t uses_left)
{
	if (uses_left <= 0)
		return CC_REFUND_USED_UP;
	if (asked > uses_left)
		return CC_REFUND_EXCEEDS;
	return CC_REFUND_OK;
}

/* What uses [0, x) of total hold of paid fen. */
static int64_t
held(int64_t paid, int64_t total, int64_t x)
{
	int64_t odd = paid % total;

	if (x >= total)
		return paid;
	return paid / total * x + (x < odd ? x : odd);
}

int64_t
count_card_refund_fen(int64_t paid_fen, int64_t total, int64_t done,
    int64_t k)
{
	if (total <= 0 || paid_fen <= 0 || k <= 0 || done < 0 ||
	    done >= total)
		return 0;
	if (done + k > total)
		k = total - done;
	return held(paid_fen, total, done + k) - held(paid_fen, total, done);
}
