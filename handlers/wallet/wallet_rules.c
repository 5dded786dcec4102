/* Stored-value rules: see wallet_rules.h for the semantics. */
#include <stdio.h>
#include <string.h>

#include "wallet_rules.h"

static const char *const split_names[] = {
	"principal_first", "bonus_first", "proportional"
};
static const char *const cap_names[] = {
	"none", "first_amount", "first_pct", "each_amount", "each_pct",
	"order_ranges"
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

const char *
wallet_split_name(enum wallet_split s)
{
	return (size_t)s < NELEM(split_names) ? split_names[s] :
	    "principal_first";
}

int
wallet_split_parse(const char *s, enum wallet_split *out)
{
	size_t i;

	for (i = 0; s != NULL && i < NELEM(split_names); i++)
		if (strcmp(s, split_names[i]) == 0) {
			*out = (enum wallet_split)i;
			return 0;
		}
	return -1;
}

const char *
wallet_cap_name(enum wallet_cap c)
{
	return (size_t)c < NELEM(cap_names) ? cap_names[c] : "none";
}

int
wallet_cap_parse(const char *s, enum wallet_cap *out)
{
	size_t i;

	for (i = 0; s != NULL && i < NELEM(cap_names); i++)
		if (strcmp(s, cap_names[i]) == 0) {
			*out = (enum wallet_cap)i;
			return 0;
		}
	return -1;
}

void
deduction_rules_default(struct deduction_rules *d)
{
	memset(d, 0, sizeof(*d));
	d->split = SPLIT_PRINCIPAL_FIRST;
	d->cap = CAP_NONE;
}

int
deduction_rules_check(const struct deduction_rules *d, char *field,
    size_t fl, const char **msg)
{
	int i;

	if (d->split == SPLIT_PROPORTIONAL &&
	    (d->bonus_pct < 1 || d->bonus_pct > 99)) {
		snprintf(field, fl, "bonus_pct");
		*msg = "按比例抵扣时应为 1 到 99 的整数";
		return -1;
	}
	switch (d->cap) {
	case CAP_FIRST_AMOUNT:
	case CAP_EACH_AMOUNT:
		if (d->cap_amount_fen < 1 ||
		    d->cap_amount_fen > WALLET_MAX_FEN) {
			snprintf(field, fl, "cap.amount_fen");
			*msg = "应为 1 到 100000000 的整数（分）";
			return -1;
		}
		break;
	case CAP_FIRST_PCT:
	case CAP_EACH_PCT:
		if (d->cap_pct < 1 || d->cap_pct > 100) {
			snprintf(field, fl, "cap.pct");
			*msg = "应为 1 到 100 的整数";
			return -1;
		}
		break;
	case CAP_ORDER_RANGES:
		if (d->nranges < 1 || d->nranges > WALLET_MAX_RANGES) {
			snprintf(field, fl, "cap.ranges");
			*msg = "应有 1 到 20 行";
			return -1;
		}
		for (i = 0; i < d->nranges; i++) {
			const struct cap_range *g = &d->ranges[i];

			if (g->from_fen < 0 || g->from_fen > WALLET_MAX_FEN) {
				snprintf(field, fl, "cap.ranges[%d].from_fen",
				    i);
				*msg = "应为 0 到 100000000 的整数（分）";
				return -1;
			}
			if (g->to_fen < g->from_fen ||
			    g->to_fen > WALLET_MAX_FEN) {
				snprintf(field, fl, "cap.ranges[%d].to_fen", i);
				*msg = "应不小于 from_fen 且不超过 100000000";
				return -1;
			}
			if (g->cap_fen < 0 || g->cap_fen > WALLET_MAX_FEN) {
				snprintf(field, fl, "cap.ranges[%d].cap_fen",
				    i);
				*msg = "应为 0 到 100000000 的整数（分）";
				return -1;
			}
			if (i > 0 && g->from_fen <= d->ranges[i - 1].to_fen) {
				snprintf(field, fl, "cap.ranges[%d].from_fen",
				    i);
				*msg = "各行应按金额从小到大排列且不重叠";
				return -1;
			}
		}
		break;
	case CAP_NONE:
		break;
	}
	return 0;
}

/* Amount paid by x under the proportional rule: principal needed. */
static int64_t
prop_principal(int64_t x, int64_t bonus, int pct)
{
	return x - min64(bonus, x * pct / 100);
}

void
deduction_compute(const struct deduction_rules *d,
    const struct wallet_state *st, int64_t order, struct deduction *out)
{
	int64_t principal = max64(st->principal_fen, 0);
	int64_t bonus = max64(st->bonus_fen, 0);
	int64_t total = principal + bonus, frozen = 0, limit, cap = -1;
	int i;

	memset(out, 0, sizeof(*out));
	if (order < 0)
		order = 0;
	if (d->freeze_same_day_bonus)
		frozen = min64(max64(st->bonus_today_fen, 0), bonus);
	bonus -= frozen;
	switch (d->cap) {
	case CAP_FIRST_AMOUNT:
		if (st->first_payment)
			cap = d->cap_amount_fen;
		break;
	case CAP_FIRST_PCT:
		if (st->first_payment)
			cap = total * d->cap_pct / 100;
		break;
	case CAP_EACH_AMOUNT:
		cap = d->cap_amount_fen;
		break;
	case CAP_EACH_PCT:
		cap = total * d->cap_pct / 100;
		break;
	case CAP_ORDER_RANGES:
		for (i = 0; i < d->nranges && i < WALLET_MAX_RANGES; i++)
			if (order >= d->ranges[i].from_fen &&
			    order <= d->ranges[i].to_fen) {
				cap = d->ranges[i].cap_fen;
				break;
			}
		break;
	case CAP_NONE:
		break;
	}
	if (cap >= 0)
		cap = max64(cap, 0);
	limit = cap >= 0 ? min64(order, cap) : order;
	out->cap_fen = cap;
	out->bonus_usable_fen = bonus;
	switch (d->split) {
	case SPLIT_BONUS_FIRST:
		out->bonus_fen = min64(bonus, limit);
		out->principal_fen = min64(principal, limit - out->bonus_fen);
		break;
	case SPLIT_PROPORTIONAL: {
		int pct = d->bonus_pct < 0 ? 0 : d->bonus_pct > 99 ? 99 :
		    d->bonus_pct;
		int64_t lo = 0, hi = limit;

		/* the largest x whose principal part fits the principal */
		while (lo < hi) {
			int64_t mid = lo + (hi - lo + 1) / 2;

			if (prop_principal(mid, bonus, pct) <= principal)
				lo = mid;
			else
				hi = mid - 1;
		}
		out->bonus_fen = min64(bonus, lo * pct / 100);
		out->principal_fen = lo - out->bonus_fen;
		break;
	}
	case SPLIT_PRINCIPAL_FIRST:
	default:
		out->principal_fen = min64(principal, limit);
		out->bonus_fen = min64(bonus, limit - out->principal_fen);
		break;
	}
	out->paid_fen = out->principal_fen + out->bonus_fen;
	out->remaining_due_fen = order - out->paid_fen;
}

/* ---- smart top-up ---- */

int64_t
topup_round(int64_t fen)
{
	int64_t step = fen <= 10000 ? 1000 : fen <= 100000 ? 5000 : 10000;

	if (fen <= 0)
		return step;
	return (fen + step - 1) / step * step;
}

/*
 * After recharging pay (principal) and bonus, is the order paid in full
 * from the balance with something left? *after: the balance left.
 */
static int
covers(const struct deduction_rules *d, const struct wallet_state *st,
    int64_t order, int64_t pay, int64_t bonus, int64_t *after)
{
	struct wallet_state s = *st;
	struct deduction x;

	s.principal_fen += pay;
	s.bonus_fen += bonus;
	s.bonus_today_fen += bonus;
	deduction_compute(d, &s, order, &x);
	*after = s.principal_fen + s.bonus_fen - x.paid_fen;
	return x.remaining_due_fen == 0 && *after > 0;
}

static void
reason_make(struct topup *t, const struct deduction_rules *d,
    int64_t shortfall)
{
	char pay[32], bonus[32], after[32], short_y[32];

	wallet_yuan(pay, sizeof(pay), t->pay_fen);
	wallet_yuan(bonus, sizeof(bonus), t->bonus_fen);
	wallet_yuan(after, sizeof(after), t->balance_after_fen);
	wallet_yuan(short_y, sizeof(short_y), shortfall);
	if (t->package_id != 0 && t->bonus_fen > 0)
		snprintf(t->reason, sizeof(t->reason),
		    "还差%s元：充%s送%s，本单可全部用余额支付，余额剩%s元%s",
		    short_y, pay, bonus, after, d->freeze_same_day_bonus ?
		    "（赠送金次日起可用）" : "");
	else if (t->package_id != 0)
		snprintf(t->reason, sizeof(t->reason),
		    "还差%s元：充%s元，本单可全部用余额支付，余额剩%s元",
		    short_y, pay, after);
	else
		snprintf(t->reason, sizeof(t->reason),
		    "还差%s元：自定义充值%s元，本单可全部用余额支付，余额剩%s元",
		    short_y, pay, after);
}

int
topup_suggest(const struct deduction_rules *d, const struct wallet_state *st,
    int64_t order, const struct recharge_pkg *pkgs, int npkgs,
    const struct custom_amount *custom, struct topup out[TOPUP_MAX],
    int64_t *payable)
{
	struct deduction now;
	struct recharge_pkg sorted[64];
	struct topup cust;
	int n = 0, i, j, nq = 0, maxpk, have_custom = 0;
	int64_t shortfall, after;

	deduction_compute(d, st, order, &now);
	*payable = now.paid_fen;
	if (now.remaining_due_fen == 0)
		return 0;
	shortfall = now.remaining_due_fen;

	/* qualifying packages, smallest pay first (more bonus on a tie) */
	if (npkgs > 64)
		npkgs = 64;
	for (i = 0; i < npkgs; i++) {
		if (pkgs[i].pay_fen <= 0 || pkgs[i].bonus_fen < 0 ||
		    !covers(d, st, order, pkgs[i].pay_fen, pkgs[i].bonus_fen,
		    &after))
			continue;
		for (j = nq; j > 0 && (sorted[j - 1].pay_fen >
		    pkgs[i].pay_fen || (sorted[j - 1].pay_fen ==
		    pkgs[i].pay_fen && sorted[j - 1].bonus_fen <
		    pkgs[i].bonus_fen)); j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = pkgs[i];
		nq++;
	}

	/* the least custom amount that covers, rounded to a round figure */
	memset(&cust, 0, sizeof(cust));
	if (custom != NULL && custom->enabled && custom->max_fen >= 1 &&
	    custom->max_fen >= custom->min_fen &&
	    covers(d, st, order, custom->max_fen, 0, &after)) {
		int64_t lo = 1, hi = custom->max_fen, c;

		while (lo < hi) {
			int64_t mid = lo + (hi - lo) / 2;

			if (covers(d, st, order, mid, 0, &after))
				hi = mid;
			else
				lo = mid + 1;
		}
		c = topup_round(lo);
		if (c < custom->min_fen)
			c = custom->min_fen;
		if (c > custom->max_fen)
			c = custom->max_fen;
		covers(d, st, order, c, 0, &after);
		cust.pay_fen = c;
		cust.balance_after_fen = after;
		have_custom = 1;
		for (i = 0; i < nq && i < TOPUP_MAX - 1; i++)
			if (sorted[i].pay_fen == c)
				have_custom = 0;
	}
	maxpk = have_custom ? TOPUP_MAX - 1 : TOPUP_MAX;
	for (i = 0; i < nq && n < maxpk; i++) {
		struct topup *t = &out[n++];

		memset(t, 0, sizeof(*t));
		t->pay_fen = sorted[i].pay_fen;
		t->bonus_fen = sorted[i].bonus_fen;
		t->package_id = sorted[i].id;
		covers(d, st, order, t->pay_fen, t->bonus_fen,
		    &t->balance_after_fen);
		reason_make(t, d, shortfall);
	}
	if (have_custom) {
		/* keep the list in order of pay */
		for (j = n; j > 0 && out[j - 1].pay_fen > cust.pay_fen; j--)
			out[j] = out[j - 1];
		out[j] = cust;
		reason_make(&out[j], d, shortfall);
		n++;
	}
	return n;
}

/* ---- refunds, growth, points ---- */

void
refund_split(int64_t amount, int64_t rp, int64_t rb, int64_t *p, int64_t *b)
{
	__int128 np, nb;
	int64_t total, remp, remb;

	*p = *b = 0;
	rp = max64(rp, 0);
	rb = max64(rb, 0);
	total = rp + rb;
	if (amount <= 0 || total == 0)
		return;
	if (amount >= total) {
		*p = rp;
		*b = rb;
		return;
	}
	np = (__int128)amount * rp;
	nb = (__int128)amount * rb;
	*p = (int64_t)(np / total);
	*b = (int64_t)(nb / total);
	remp = (int64_t)(np % total);
	remb = (int64_t)(nb % total);
	if (*p + *b < amount) {
		if (remp >= remb)
			(*p)++;
		else
			(*b)++;
	}
}

int64_t
wallet_growth(int64_t paid_fen)
{
	return paid_fen > 0 ? paid_fen / 100 : 0;
}

int64_t
wallet_points(int64_t paid_fen, int64_t per_yuan, int64_t mult_pct)
{
	if (paid_fen <= 0 || per_yuan <= 0 || mult_pct <= 0)
		return 0;
	return (int64_t)((__int128)paid_fen * per_yuan * mult_pct / 10000);
}

int64_t
wallet_keep(int64_t earned, int64_t paid, int64_t unrefunded)
{
	if (earned <= 0 || paid <= 0 || unrefunded <= 0)
		return 0;
	if (unrefunded >= paid)
		return earned;
	return (int64_t)((__int128)earned * unrefunded / paid);
}

/* ---- display ---- */

void
wallet_yuan(char *buf, size_t n, int64_t fen)
{
	const char *sign = fen < 0 ? "-" : "";
	unsigned long long a = fen < 0 ? (unsigned long long)(-(fen + 1)) + 1 :
	    (unsigned long long)fen;

	if (a % 100 == 0)
		snprintf(buf, n, "%s%llu", sign, a / 100);
	else
		snprintf(buf, n, "%s%llu.%02llu", sign, a / 100, a % 100);
}

void
wallet_pkg_label(char *buf, size_t n, int64_t pay, int64_t bonus)
{
	char p[32], b[32];

	wallet_yuan(p, sizeof(p), pay);
	wallet_yuan(b, sizeof(b), bonus);
	if (bonus > 0)
		snprintf(buf, n, "充%s送%s", p, b);
	else
		snprintf(buf, n, "充%s元", p);
}
