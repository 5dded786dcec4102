/*
 * The pricing engine: order.h says what each step does. In: an order_in
 * and the time. Out: a priced quote, or -1 with the field at fault.
 * Nothing here allocates; the coupon search keeps its states on the stack
 * (at most ORDER_MAX_COUPONS + 1 copies of the line nets).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "order.h"
#include "tier/tier.h"

#define HAS(x)		((x) != ORDER_NONE)
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_TENDER_FEN	1000000000000000LL	/* 10^13 yuan */

static const char *const adj_names[] = {
	"member_price", "tier_discount", "birthday", "member_day", "holiday",
	"coupon", "points"
};
static const char *const tender_names[] = {
	"points", "balance_principal", "balance_bonus", "cash", "card", "online"
};

const char *
order_adj_kind_name(int k)
{
	return k >= 0 && (size_t)k < NELEM(adj_names) ? adj_names[k] : NULL;
}

const char *
order_tender_name(int k)
{
	return k >= 0 && (size_t)k < NELEM(tender_names) ? tender_names[k] :
	    NULL;
}

int
order_tender_parse(const char *s)
{
	int k;

	for (k = TD_CASH; s != NULL && k < TD_N; k++)
		if (strcmp(s, tender_names[k]) == 0)
			return k;
	return -1;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

void
checkout_settings_default(struct checkout_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->max_stackable = 3;
	s->points_enabled = 1;
	s->points_per_yuan = 100;
	s->points_max_pct = 50;
	s->points_max_points = ORDER_NONE;
}

void
order_in_init(struct order_in *in)
{
	memset(in, 0, sizeof(*in));
	in->member.tier_level = -1;
	in->member.discount_pct = ORDER_NONE;
	in->member.card_valid_until = ORDER_NONE;
	checkout_settings_default(&in->settings);
	in->ncodes = -1;
	deduction_rules_default(&in->deduction);
	priv_cfg_init(&in->priv);
}

/* ---- the largest remainder ---- */

struct rem {
	int64_t		 r;
	int		 i;
};

/* Does a come first: the larger remainder, then the lower index. */
static int
rem_first(const struct rem *a, const struct rem *b)
{
	return a->r != b->r ? a->r > b->r : a->i < b->i;
}

/*
 * Move the k that come first of v[0..n) into v[0..k), in any order
 * (quickselect; the order is total, so the k are the same however found).
 */
static void
rem_select(struct rem *v, int n, int k)
{
	struct rem p, t;
	int lo = 0, hi = n - 1, i, j;

	while (lo < hi) {
		p = v[lo + (hi - lo) / 2];
		i = lo;
		j = hi;
		while (i <= j) {
			while (rem_first(&v[i], &p))
				i++;
			while (rem_first(&p, &v[j]))
				j--;
			if (i <= j) {
				t = v[i];
				v[i++] = v[j];
				v[j--] = t;
			}
		}
		if (k - 1 <= j)
			hi = j;
		else if (k - 1 >= i)
			lo = i;
		else
			break;
	}
}

void
order_split(int64_t amount, const int64_t *w, int n, int64_t *out)
{
	struct rem rm[ORDER_MAX_ALL_LINES];
	int64_t total = 0, given = 0, left;
	int i, k = 0;

	if (n > ORDER_MAX_ALL_LINES)
		n = ORDER_MAX_ALL_LINES;
	for (i = 0; i < n; i++) {
		out[i] = 0;
		if (w[i] > 0)
			total += w[i];
	}
	if (amount <= 0 || total == 0)
		return;
	if (amount >= total) {
		for (i = 0; i < n; i++)
			out[i] = w[i] > 0 ? w[i] : 0;
		return;
	}
	for (i = 0; i < n; i++) {
		__int128 p;

		if (w[i] <= 0)
			continue;
		p = (__int128)amount * w[i];
		out[i] = (int64_t)(p / total);
		given += out[i];
		if (p % total != 0) {
			rm[k].r = (int64_t)(p % total);
			rm[k].i = i;
			k++;
		}
	}
	left = amount - given;
	if (left <= 0)
		return;
	if (left < k)
		rem_select(rm, k, (int)left);
	for (i = 0; i < left && i < k; i++)
		out[rm[i].i]++;
}

/* ---- input ---- */

static int
bad(struct priced *o, const char *fmt, ...)
{
	va_list ap;

	o->err_code = "invalid_field";
	va_start(ap, fmt);
	vsnprintf(o->err_field, sizeof(o->err_field), fmt, ap);
	va_end(ap);
	return -1;
}

static int
fen_ok(int64_t v)
{
	return v >= 0 && v <= WALLET_MAX_FEN;
}

static int
opt_fen_ok(int64_t v)
{
	return !HAS(v) || fen_ok(v);
}

static int
pct_ok(int64_t v)
{
	return v >= 1 && v <= 99;
}

static int
coupon_check(const struct order_in *in, int i, struct priced *o)
{
	const struct order_coupon_in *c = &in->coupons[i];
	const struct coupon_terms *t = &c->terms;
	int j;

	if (c->code == NULL || c->code[0] == '\0' ||
	    strlen(c->code) >= ORDER_MAX_CODE)
		return bad(o, "coupons[%d].code", i);
	for (j = 0; j < i; j++)
		if (strcmp(in->coupons[j].code, c->code) == 0)
			return bad(o, "coupons[%d].code", i);
	if (c->status == NULL)
		return bad(o, "coupons[%d].status", i);
	if (!opt_fen_ok(t->value_fen))
		return bad(o, "coupons[%d].value_fen", i);
	if (!opt_fen_ok(t->threshold_fen))
		return bad(o, "coupons[%d].threshold_fen", i);
	if (!opt_fen_ok(t->max_discount_fen))
		return bad(o, "coupons[%d].max_discount_fen", i);
	if (HAS(t->discount_pct) && !pct_ok(t->discount_pct))
		return bad(o, "coupons[%d].discount_pct", i);
	switch (t->kind) {
	case CK_THRESHOLD:
	case CK_INSTANT:
		if (!HAS(t->value_fen))
			return bad(o, "coupons[%d].value_fen", i);
		break;
	case CK_DISCOUNT:
		if (!HAS(t->discount_pct))
			return bad(o, "coupons[%d].discount_pct", i);
		break;
	case CK_PROMO:
		if (!HAS(t->discount_pct) && !HAS(t->value_fen))
			return bad(o, "coupons[%d].value_fen", i);
		break;
	case CK_GIFT:
		if (c->gift_item == NULL || c->gift_item[0] == '\0' ||
		    strlen(c->gift_item) > ORDER_MAX_NAME)
			return bad(o, "coupons[%d].gift_item", i);
		if (c->gift_product_id < 0)
			return bad(o, "coupons[%d].gift_product_id", i);
		break;
	default:
		return bad(o, "coupons[%d].kind", i);
	}
	if (c->nscope < 0 || c->nscope > ORDER_MAX_SCOPE)
		return bad(o, "coupons[%d].scope", i);
	return 0;
}

static int
order_check(const struct order_in *in, struct priced *o)
{
	const struct checkout_settings *s = &in->settings;
	int i;

	if (in->store_id < 1)
		return bad(o, "store_id");
	if (in->nlines < 1 || in->nlines > ORDER_MAX_LINES)
		return bad(o, "lines");
	for (i = 0; i < in->nlines; i++) {
		const struct order_line_in *l = &in->lines[i];

		if (l->product_id < 0)
			return bad(o, "lines[%d].product_id", i);
		if (l->name == NULL || l->name[0] == '\0' ||
		    strlen(l->name) > ORDER_MAX_NAME)
			return bad(o, "lines[%d].name", i);
		if (l->qty < 1 || l->qty > ORDER_MAX_QTY)
			return bad(o, "lines[%d].qty", i);
		if (!fen_ok(l->unit_fen))
			return bad(o, "lines[%d].price_fen", i);
		if (!opt_fen_ok(l->member_unit_fen) ||
		    (l->product_id == 0 && HAS(l->member_unit_fen)))
			return bad(o, "lines[%d].member_price_fen", i);
	}
	if (in->member.id < 0)
		return bad(o, "member.id");
	if (HAS(in->member.discount_pct) && !pct_ok(in->member.discount_pct))
		return bad(o, "member.discount_pct");
	if (s->points_enabled && s->points_per_yuan < 1)
		return bad(o, "settings.points_to_cash.points_per_yuan");
	if (s->points_max_pct < 0 || s->points_max_pct > 100)
		return bad(o, "settings.points_to_cash.max_pct");
	if (HAS(s->points_max_points) && s->points_max_points < 0)
		return bad(o, "settings.points_to_cash.max_points");
	if (in->ncoupons < 0 || in->ncoupons > ORDER_MAX_COUPONS)
		return bad(o, "coupons");
	for (i = 0; i < in->ncoupons; i++)
		if (coupon_check(in, i, o) == -1)
			return -1;
	if (in->ncodes < -1 || in->ncodes > ORDER_MAX_COUPONS)
		return bad(o, "coupon_codes");
	for (i = 0; i < in->ncodes; i++)
		if (in->codes[i] == NULL)
			return bad(o, "coupon_codes[%d]", i);
	if (in->points < 0)
		return bad(o, "points");
	if (in->priv.nrules < 0 || in->priv.nrules > PRIV_MAX_RULES)
		return bad(o, "privileges");
	for (i = 0; i < in->priv.nrules; i++) {
		const struct priv_rule *p = &in->priv.rules[i];

		if (p->kind < 0 || p->kind >= PRIV_NKINDS)
			return bad(o, "privileges[%d].kind", i);
		if (p->discount_pct != PRIV_NONE && !pct_ok(p->discount_pct))
			return bad(o, "privileges[%d].discount_pct", i);
		if (p->mult_pct < 100 || p->mult_pct > 1000)
			return bad(o, "privileges[%d].points_multiplier", i);
	}
	if (in->ntenders < 0 || in->ntenders > ORDER_MAX_TENDERS)
		return bad(o, "tenders");
	for (i = 0; i < in->ntenders; i++) {
		const struct order_tender_in *t = &in->tenders[i];

		if (t->kind < TD_CASH || t->kind >= TD_N)
			return bad(o, "tenders[%d].kind", i);
		if (HAS(t->amount_fen) && (t->amount_fen < 0 ||
		    t->amount_fen > MAX_TENDER_FEN))
			return bad(o, "tenders[%d].amount_fen", i);
	}
	return 0;
}

/* ---- the context of one pricing ---- */

struct ctx {
	const struct order_in	*in;
	int64_t			 now;
	struct priced		*o;
	int			 n;		/* the input's lines */
	const char		*why[ORDER_MAX_COUPONS];	/* or NULL */
	unsigned char		 elig[ORDER_MAX_COUPONS][ORDER_MAX_LINES];
	int			 canon[ORDER_MAX_COUPONS];	/* in order */
	int64_t			 base_net[ORDER_MAX_LINES];	/* no coupon */
};

static int
scoped(const struct order_coupon_in *c)
{
	return c->nscope > 0;
}

/* The step and the place in it: scoped, order, promo; kinds within. */
static int
coupon_order_key(const struct order_coupon_in *c)
{
	static const int kind_rank[] = {
		[CK_THRESHOLD] = 0, [CK_DISCOUNT] = 1, [CK_INSTANT] = 2,
		[CK_PROMO] = 3, [CK_GIFT] = 4
	};
	int step = scoped(c) ? 0 : c->terms.kind == CK_PROMO ? 2 : 1;

	return step * 10 + kind_rank[c->terms.kind];
}

/* Does coupon a come before b in the fixed order? */
static int
canon_before(const struct order_in *in, int a, int b)
{
	const struct order_coupon_in *x = &in->coupons[a], *y = &in->coupons[b];
	int kx = coupon_order_key(x), ky = coupon_order_key(y);

	if (kx != ky)
		return kx < ky;
	return strcmp(x->code, y->code) < 0;
}

static void
canon_sort(struct ctx *x)
{
	int i, j, k;

	for (i = 0; i < x->in->ncoupons; i++) {
		k = i;
		for (j = i; j > 0 && canon_before(x->in, k, x->canon[j - 1]);
		    j--)
			x->canon[j] = x->canon[j - 1];
		x->canon[j] = k;
	}
}

/* Why a coupon cannot be used on this order at all, or NULL. */
static const char *
coupon_why(struct ctx *x, int ci)
{
	const struct order_coupon_in *c = &x->in->coupons[ci];
	int64_t from = HAS(c->valid_from) ? c->valid_from : INT64_MIN;
	int64_t until = HAS(c->valid_until) ? c->valid_until : INT64_MAX;
	int l, s, any = 0;

	if (strcmp(c->status, "unused") != 0 &&
	    strcmp(c->status, "used") != 0 &&
	    strcmp(c->status, "cancelled") != 0)
		return strcmp(c->status, "expired") == 0 ? "expired" :
		    "not_eligible";
	switch (coupon_redeem_check(c->status, from, until, c->store_ids,
	    x->in->store_id, x->now)) {
	case RD_ALREADY_USED:
		return "used";
	case RD_CANCELLED:
		return "cancelled";
	case RD_NOT_STARTED:
		return "not_started";
	case RD_EXPIRED:
		return "expired";
	case RD_WRONG_STORE:
		return "store_not_allowed";
	}
	if (!c->audience_ok)
		return "not_eligible";
	for (l = 0; l < x->n; l++) {
		x->elig[ci][l] = !scoped(c);
		for (s = 0; s < c->nscope && !x->elig[ci][l]; s++)
			if (x->in->lines[l].product_id != 0 &&
			    x->in->lines[l].product_id == c->scope[s])
				x->elig[ci][l] = 1;
		any |= x->elig[ci][l];
	}
	if (!any)
		return "not_eligible";
	return NULL;
}

/*
 * Apply coupon ci to a state of the lines: nets (the input's lines) and
 * their total. Out: its base and amount, or the reason it does not hold.
 * A scoped coupon always updates nets; an order coupon only when share is
 * given (the search needs only the total once the scoped ones are past).
 * share, when given, gets each line's part.
 */
static const char *
coupon_apply(const struct ctx *x, int ci, int64_t *nets, int64_t *total,
    int64_t *base, int64_t *amount, int64_t *share)
{
	const struct order_coupon_in *c = &x->in->coupons[ci];
	int64_t w[ORDER_MAX_LINES], part[ORDER_MAX_LINES], b = 0, d = 0;
	int l, rc;

	for (l = 0; l < x->n; l++) {
		w[l] = x->elig[ci][l] ? nets[l] : 0;
		b += w[l];
	}
	if (!scoped(c))
		b = *total;
	*base = b;
	*amount = 0;
	if (c->terms.kind == CK_GIFT) {
		if (HAS(c->terms.threshold_fen) && b < c->terms.threshold_fen)
			return "threshold_not_met";
	} else {
		rc = coupon_discount(&c->terms, b, &d);
		if (rc == RD_THRESHOLD_NOT_MET)
			return "threshold_not_met";
		if (rc != RD_OK || d <= 0)
			return "no_discount";
	}
	*amount = d;
	*total -= d;
	if (!scoped(c) && share == NULL)
		return NULL;
	order_split(d, w, x->n, part);
	for (l = 0; l < x->n; l++) {
		nets[l] -= part[l];
		if (share != NULL)
			share[l] = part[l];
	}
	return NULL;
}

static int64_t
sum(const int64_t *v, int n)
{
	int64_t s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += v[i];
	return s;
}

static int
popcount(unsigned v)
{
	return __builtin_popcount(v);
}

/*
 * Apply a set in the fixed order from the state before coupons. Out: the
 * total discount, or -1 with the first coupon that does not hold and why.
 */
static int64_t
set_eval(const struct ctx *x, unsigned set, int *failed, const char **why)
{
	int64_t nets[ORDER_MAX_LINES], total, base, amount, disc = 0;
	const char *r;
	int i, ci;

	memcpy(nets, x->base_net, sizeof(nets[0]) * x->n);
	total = sum(nets, x->n);
	for (i = 0; i < x->in->ncoupons; i++) {
		ci = x->canon[i];
		if (!(set & (1u << ci)))
			continue;
		if ((r = coupon_apply(x, ci, nets, &total, &base, &amount,
		    NULL)) != NULL) {
			*failed = ci;
			*why = r;
			return -1;
		}
		disc += amount;
	}
	return disc;
}

/* ---- the best combination ---- */

static void
sort64(int64_t *v, int n)
{
	int i, j;
	int64_t k;

	for (i = 1; i < n; i++) {
		k = v[i];
		for (j = i; j > 0 && v[j - 1] > k; j--)
			v[j] = v[j - 1];
		v[j] = k;
	}
}

static void
sortstr(const char **v, int n)
{
	int i, j;
	const char *k;

	for (i = 1; i < n; i++) {
		k = v[i];
		for (j = i; j > 0 && strcmp(v[j - 1], k) > 0; j--)
			v[j] = v[j - 1];
		v[j] = k;
	}
}

/* Is set a (discount da) better than b (db)? See order.h for the ties. */
static int
set_better(const struct ctx *x, unsigned a, int64_t da, unsigned b,
    int64_t db)
{
	int64_t ea[ORDER_MAX_COUPONS], eb[ORDER_MAX_COUPONS];
	const char *ca[ORDER_MAX_COUPONS], *cb[ORDER_MAX_COUPONS];
	int na = 0, nb = 0, i, c;

	if (da != db)
		return da > db;
	if (popcount(a) != popcount(b))
		return popcount(a) < popcount(b);
	for (i = 0; i < x->in->ncoupons; i++) {
		const struct order_coupon_in *cp = &x->in->coupons[i];
		int64_t until = HAS(cp->valid_until) ? cp->valid_until :
		    INT64_MAX;

		if (a & (1u << i)) {
			ea[na] = until;
			ca[na++] = cp->code;
		}
		if (b & (1u << i)) {
			eb[nb] = until;
			cb[nb++] = cp->code;
		}
	}
	sort64(ea, na);
	sort64(eb, nb);
	for (i = 0; i < na; i++)
		if (ea[i] != eb[i])
			return ea[i] < eb[i];
	sortstr(ca, na);
	sortstr(cb, nb);
	for (i = 0; i < na; i++)
		if ((c = strcmp(ca[i], cb[i])) != 0)
			return c < 0;
	return 0;
}

struct search {
	const struct ctx	*x;
	int			 u[ORDER_MAX_COUPONS];	/* stackable */
	int64_t			 rest[ORDER_MAX_COUPONS + 1];	/* of u[i..] */
	int			 nu, max;
	unsigned		 best;
	int64_t			 best_d;
	int64_t			 nets[ORDER_MAX_COUPONS + 1][ORDER_MAX_LINES];
};

static void
consider(struct search *s, unsigned set, int64_t d)
{
	if (set_better(s->x, set, d, s->best, s->best_d)) {
		s->best = set;
		s->best_d = d;
	}
}

/*
 * Every set of stackable coupons extending the one at depth, adding
 * u[start..] in the fixed order: a coupon that does not hold ends the
 * branch (it would not hold after any set beginning so either). Bases
 * only fall as coupons apply and no kind takes more off a smaller base,
 * so what each coupon takes alone from the start bounds what it takes
 * anywhere: a branch whose bound cannot beat the best is not searched.
 */
static void
dfs(struct search *s, int depth, int start, unsigned set, int64_t total,
    int64_t disc)
{
	const struct ctx *x = s->x;
	int i, ci;

	if (disc + s->rest[start] < s->best_d)
		return;
	for (i = start; i < s->nu; i++) {
		int64_t t = total, base, amount;

		ci = s->u[i];
		if (scoped(&x->in->coupons[ci]))
			memcpy(s->nets[depth + 1], s->nets[depth],
			    sizeof(s->nets[0][0]) * x->n);
		if (coupon_apply(x, ci, s->nets[depth + 1], &t, &base, &amount,
		    NULL) != NULL)
			continue;
		consider(s, set | (1u << ci), disc + amount);
		if (depth + 1 < s->max)
			dfs(s, depth + 1, i + 1, set | (1u << ci), t,
			    disc + amount);
	}
}

static int
max_stackable(const struct ctx *x)
{
	int m = x->in->settings.max_stackable;

	return m < 1 ? 1 : m > ORDER_MAX_COUPONS ? ORDER_MAX_COUPONS : m;
}

static void
skip(struct priced *o, const char *code, const char *reason)
{
	if (o->nskipped < ORDER_MAX_COUPONS) {
		o->skipped[o->nskipped].code = code;
		o->skipped[o->nskipped].reason = reason;
		o->nskipped++;
	}
}

/* Why a usable coupon left out of the chosen set was left out. */
static const char *
left_out(const struct ctx *x, int ci, unsigned set)
{
	const struct order_coupon_in *c = &x->in->coupons[ci];
	const char *why;
	int failed, i;

	if (set_eval(x, 1u << ci, &failed, &why) == -1)
		return why;
	if (set != 0 && !c->stackable)
		return "not_stackable";
	for (i = 0; i < x->in->ncoupons; i++)
		if ((set & (1u << i)) && !x->in->coupons[i].stackable)
			return "not_stackable";
	if (popcount(set) >= max_stackable(x))
		return "limit_exceeded";
	return "not_best";
}

static unsigned
choose_best(struct ctx *x)
{
	struct search s;
	int i, ci, failed;
	int64_t d;
	const char *why;

	s.x = x;
	s.nu = 0;
	s.max = max_stackable(x);
	s.best = 0;
	s.best_d = 0;
	for (i = 0; i < x->in->ncoupons; i++) {
		ci = x->canon[i];
		if (x->why[ci] != NULL ||
		    x->in->coupons[ci].terms.kind == CK_GIFT)
			continue;
		if ((d = set_eval(x, 1u << ci, &failed, &why)) <= 0)
			continue;	/* fails alone: fails after any other */
		if (x->in->coupons[ci].stackable) {
			s.rest[s.nu] = d;
			s.u[s.nu++] = ci;
		} else
			consider(&s, 1u << ci, d);
	}
	s.rest[s.nu] = 0;
	for (i = s.nu - 1; i >= 0; i--)
		s.rest[i] += s.rest[i + 1];
	memcpy(s.nets[0], x->base_net, sizeof(s.nets[0][0]) * x->n);
	dfs(&s, 0, 0, 0, sum(x->base_net, x->n), 0);
	for (ci = 0; ci < x->in->ncoupons; ci++) {
		if (s.best & (1u << ci))
			continue;
		skip(x->o, x->in->coupons[ci].code, x->why[ci] != NULL ?
		    x->why[ci] : left_out(x, ci, s.best));
	}
	return s.best;
}

/* ---- the coupons named ---- */

static unsigned
choose_named(struct ctx *x)
{
	const struct order_in *in = x->in;
	const char *reason[ORDER_MAX_COUPONS];
	int ci_of[ORDER_MAX_COUPONS];
	unsigned seen = 0, set;
	int j, ci, f, any_non;

	for (j = 0; j < in->ncodes; j++) {
		reason[j] = NULL;
		ci_of[j] = -1;
		for (ci = 0; ci < in->ncoupons; ci++)
			if (strcmp(in->coupons[ci].code, in->codes[j]) == 0)
				ci_of[j] = ci;
		if ((ci = ci_of[j]) == -1)
			reason[j] = "not_found";
		else if (seen & (1u << ci))
			reason[j] = "duplicate";
		else
			reason[j] = x->why[ci];
		if (ci != -1)
			seen |= 1u << ci;
	}
	for (;;) {
		const char *why;

		set = 0;
		any_non = 0;
		for (j = 0; j < in->ncodes; j++) {
			ci = ci_of[j];
			if (reason[j] != NULL)
				continue;
			if (set == 0) {
				set = 1u << ci;
				any_non = !in->coupons[ci].stackable;
			} else if (!any_non && in->coupons[ci].stackable &&
			    popcount(set) < max_stackable(x))
				set |= 1u << ci;
		}
		/* one that does not hold frees its place: choose again */
		if (set_eval(x, set, &f, &why) != -1)
			break;
		for (j = 0; j < in->ncodes; j++)
			if (ci_of[j] == f && reason[j] == NULL)
				reason[j] = why;
	}
	any_non = 0;
	for (ci = 0; ci < in->ncoupons; ci++)
		if ((set & (1u << ci)) && !in->coupons[ci].stackable)
			any_non = 1;
	for (j = 0; j < in->ncodes; j++) {
		ci = ci_of[j];
		if (reason[j] == NULL && !(set & (1u << ci)))
			reason[j] = any_non || !in->coupons[ci].stackable ?
			    "not_stackable" : "limit_exceeded";
		if (reason[j] != NULL)
			skip(x->o, in->codes[j], reason[j]);
	}
	return set;
}

/* ---- one pricing ---- */

static struct priced_adj *
adj_add(struct priced *o, int kind, const char *ref, int coupon,
    int64_t base, int64_t amount)
{
	struct priced_adj *a = &o->adj[o->nadj];

	a->seq = ++o->nadj;
	a->kind = kind;
	a->ref = ref;
	a->coupon = coupon;
	a->base_fen = base;
	a->amount_fen = amount;
	return a;
}

/* Split amount over w (what is still open of each line) as tender k. */
static void
tender_split(struct priced *o, int k, int64_t amount, int64_t *w)
{
	int64_t part[ORDER_MAX_ALL_LINES];
	int l;

	order_split(amount, w, o->nlines, part);
	for (l = 0; l < o->nlines; l++) {
		o->lines[l].tender[k] += part[l];
		w[l] -= part[l];
	}
	o->tender[k] += amount;
}

static void
points_step(struct ctx *x)
{
	const struct order_in *in = x->in;
	const struct checkout_settings *s = &in->settings;
	struct priced *o = x->o;
	struct priced_adj *a;
	int64_t avail, fen;
	int64_t nets[ORDER_MAX_ALL_LINES], part[ORDER_MAX_ALL_LINES];
	int l;

	if (in->member.id == 0 || !s->points_enabled || in->points <= 0 ||
	    o->total_fen <= 0)
		return;
	avail = min64(in->points, in->member.points);
	if (HAS(s->points_max_points))
		avail = min64(avail, s->points_max_points);
	if (avail <= 0)
		return;
	fen = (int64_t)((__int128)avail * 100 / s->points_per_yuan);
	fen = min64(fen, (int64_t)((__int128)o->total_fen *
	    s->points_max_pct / 100));
	if (fen <= 0)
		return;
	o->points_fen = fen;
	o->points_used = (int64_t)(((__int128)fen * s->points_per_yuan + 99) /
	    100);
	a = adj_add(o, ADJ_POINTS, NULL, -1, o->total_fen, fen);
	for (l = 0; l < o->nlines; l++)
		nets[l] = o->lines[l].net_fen;
	order_split(fen, nets, o->nlines, part);
	for (l = 0; l < o->nlines; l++) {
		o->lines[l].alloc[a->seq - 1] = part[l];
		o->lines[l].tender[TD_POINTS] = part[l];
	}
	o->tender[TD_POINTS] = fen;
}

static void
pay_steps(struct ctx *x)
{
	const struct order_in *in = x->in;
	struct priced *o = x->o;
	int64_t open[ORDER_MAX_ALL_LINES], kind_fen[TD_N], left, take;
	int l, i, k;

	for (l = 0; l < o->nlines; l++)
		open[l] = o->lines[l].net_fen - o->lines[l].tender[TD_POINTS];
	o->balance_asked_fen = o->total_fen - o->points_fen;
	if (in->member.id != 0 && in->use_balance) {
		deduction_compute(&in->deduction, &in->member.wallet,
		    o->balance_asked_fen, &o->balance);
		tender_split(o, TD_PRINCIPAL, o->balance.principal_fen, open);
		tender_split(o, TD_BONUS, o->balance.bonus_fen, open);
	} else {
		memset(&o->balance, 0, sizeof(o->balance));
		o->balance.cap_fen = -1;
		o->balance.remaining_due_fen = o->balance_asked_fen;
	}
	o->due_fen = o->balance_asked_fen - o->balance.paid_fen;
	left = o->due_fen;
	memset(kind_fen, 0, sizeof(kind_fen));
	for (i = 0; i < in->ntenders; i++) {
		const struct order_tender_in *t = &in->tenders[i];

		take = HAS(t->amount_fen) ? min64(t->amount_fen, left) : left;
		if (HAS(t->amount_fen))
			o->change_fen += t->amount_fen - take;
		kind_fen[t->kind] += take;
		left -= take;
	}
	for (k = TD_CASH; k < TD_N; k++)
		tender_split(o, k, kind_fen[k], open);
	o->uncovered_fen = left;
}

static void
line_init(struct ctx *x)
{
	struct priced *o = x->o;
	int l;

	for (l = 0; l < x->n; l++) {
		const struct order_line_in *li = &x->in->lines[l];
		struct priced_line *pl = &o->lines[l];

		pl->line_no = l + 1;
		pl->product_id = li->product_id;
		pl->name = li->name;
		pl->qty = li->qty;
		pl->unit_fen = li->unit_fen;
		pl->member_unit_fen = ORDER_NONE;
		pl->list_fen = li->unit_fen * li->qty;
		pl->net_fen = pl->list_fen;
		pl->gift_coupon = -1;
		o->total_list_fen += pl->list_fen;
	}
	o->nlines = x->n;
}

static void
member_steps(struct ctx *x, int with_tier)
{
	const struct order_in *in = x->in;
	struct priced *o = x->o;
	struct priced_adj *a;
	int64_t base = 0, amount = 0, w[ORDER_MAX_LINES], part[ORDER_MAX_LINES];
	int has_mp[ORDER_MAX_LINES], l;

	for (l = 0; l < x->n; l++) {
		const struct order_line_in *li = &in->lines[l];

		has_mp[l] = o->member_priced && li->product_id != 0 &&
		    HAS(li->member_unit_fen) &&
		    li->member_unit_fen < li->unit_fen;
		if (has_mp[l]) {
			base += o->lines[l].list_fen;
			amount += (li->unit_fen - li->member_unit_fen) *
			    li->qty;
		}
	}
	if (amount > 0) {
		a = adj_add(o, ADJ_MEMBER_PRICE, NULL, -1, base, amount);
		for (l = 0; l < x->n; l++) {
			const struct order_line_in *li = &in->lines[l];

			if (!has_mp[l])
				continue;
			o->lines[l].member_unit_fen = li->member_unit_fen;
			o->lines[l].alloc[a->seq - 1] =
			    (li->unit_fen - li->member_unit_fen) * li->qty;
			o->lines[l].net_fen -= o->lines[l].alloc[a->seq - 1];
		}
	}
	if (!with_tier || !o->member_priced || !HAS(in->member.discount_pct))
		return;
	base = 0;
	for (l = 0; l < x->n; l++) {
		w[l] = !has_mp[l] ||
		    in->settings.tier_discount_with_member_price ?
		    o->lines[l].net_fen : 0;
		base += w[l];
	}
	amount = base * (100 - in->member.discount_pct) / 100;
	if (amount <= 0)
		return;
	a = adj_add(o, ADJ_TIER_DISCOUNT, NULL, -1, base, amount);
	order_split(amount, w, x->n, part);
	for (l = 0; l < x->n; l++) {
		o->lines[l].alloc[a->seq - 1] = part[l];
		o->lines[l].net_fen -= part[l];
	}
}

/* ---- the privilege by date ---- */

static const char *const priv_refs[PRIV_MAX_RULES] = {
	"holiday:0", "holiday:1", "holiday:2", "holiday:3", "holiday:4",
	"holiday:5", "holiday:6", "holiday:7", "holiday:8", "holiday:9",
	"holiday:10", "holiday:11", "holiday:12", "holiday:13", "holiday:14",
	"holiday:15", "holiday:16", "holiday:17", "holiday:18", "holiday:19",
	"holiday:20", "holiday:21"
};

/* Does rule a go before rule b by the merchant's ranks? */
static int
priv_first(const struct priv_cfg *c, int a, int b)
{
	int ra = c->rank[c->rules[a].kind], rb = c->rank[c->rules[b].kind];

	return ra != rb ? ra < rb : a < b;
}

static void
privilege_step(struct ctx *x)
{
	const struct order_in *in = x->in;
	const struct priv_cfg *c = &in->priv;
	const struct priv_rule *p;
	struct priced *o = x->o;
	struct priced_adj *a;
	int64_t day, base = 0, w[ORDER_MAX_LINES], part[ORDER_MAX_LINES];
	int64_t val[PRIV_MAX_RULES], rate, mult = in->member.mult_pct, d;
	int i, k, l, win = -1, holiday = 0;

	o->priv_mult_pct = 100;
	if (in->member.id == 0 || !o->member_priced || c->nrules == 0)
		return;
	day = priv_local_day(x->now, in->tz_off);
	rate = in->settings.points_per_yuan > 0 ? in->settings.points_per_yuan :
	    100;
	for (l = 0; l < x->n; l++) {
		w[l] = o->lines[l].net_fen;
		base += w[l];
	}
	for (i = 0; i < c->nrules; i++) {
		struct priced_priv *pp;

		p = &c->rules[i];
		/* a day that only gives a coupon (the job issues it) does
		   nothing at the order */
		if ((p->discount_pct == PRIV_NONE && p->mult_pct == 100) ||
		    !priv_rule_on(p, day, in->member.tier_level,
		    in->member.birth_month, in->member.birth_day))
			continue;
		pp = &o->priv[o->npriv];
		pp->rule = i;
		d = p->discount_pct != PRIV_NONE ?
		    base * (100 - p->discount_pct) / 100 : 0;
		pp->discount_fen = d;
		pp->extra_points = wallet_points(base - d,
		    in->member.earn_points_per_yuan, mult * p->mult_pct / 100) -
		    wallet_points(base - d, in->member.earn_points_per_yuan,
		    mult);
		val[o->npriv] = d + (int64_t)((__int128)pp->extra_points * 100 /
		    rate);
		if (win < 0 || (c->by_priority ? priv_first(c, i,
		    o->priv[win].rule) : val[o->npriv] > val[win] ||
		    (val[o->npriv] == val[win] && priv_first(c, i,
		    o->priv[win].rule))))
			win = o->npriv;
		o->npriv++;
	}
	if (win < 0)
		return;
	for (k = 0; k < o->npriv; k++) {
		o->priv[k].applied = k == win;
		o->priv[k].reason = k == win ? "applied" : c->by_priority ?
		    "lower_priority" : "not_best";
	}
	p = &c->rules[o->priv[win].rule];
	o->priv_mult_pct = p->mult_pct;
	if ((d = o->priv[win].discount_fen) <= 0)
		return;
	for (i = 0; i < o->priv[win].rule; i++)
		holiday += c->rules[i].kind == PRIV_HOLIDAY;
	a = adj_add(o, ADJ_BIRTHDAY + p->kind, p->kind == PRIV_BIRTHDAY ?
	    "birthday" : p->kind == PRIV_MEMBER_DAY ? "member_day" :
	    priv_refs[holiday], -1, base, d);
	order_split(d, w, x->n, part);
	for (l = 0; l < x->n; l++) {
		o->lines[l].alloc[a->seq - 1] = part[l];
		o->lines[l].net_fen -= part[l];
	}
}

static void
coupon_steps(struct ctx *x, unsigned set)
{
	const struct order_in *in = x->in;
	struct priced *o = x->o;
	struct priced_adj *a;
	int64_t nets[ORDER_MAX_LINES], share[ORDER_MAX_LINES], total, base, amt;
	int i, ci, l;

	for (l = 0; l < x->n; l++)
		nets[l] = o->lines[l].net_fen;
	total = sum(nets, x->n);
	for (i = 0; i < in->ncoupons; i++) {
		const struct order_coupon_in *c;

		ci = x->canon[i];
		if (!(set & (1u << ci)))
			continue;
		c = &in->coupons[ci];
		/* set_eval() held for this set: the same steps hold here */
		coupon_apply(x, ci, nets, &total, &base, &amt, share);
		a = adj_add(o, ADJ_COUPON, c->code, ci, base, amt);
		for (l = 0; l < x->n; l++) {
			o->lines[l].alloc[a->seq - 1] = share[l];
			o->lines[l].net_fen -= share[l];
		}
		if (c->terms.kind == CK_GIFT) {
			struct priced_line *g = &o->lines[o->nlines];

			memset(g, 0, sizeof(*g));
			g->line_no = ++o->nlines;
			g->product_id = c->gift_product_id;
			g->name = c->gift_item;
			g->qty = 1;
			g->member_unit_fen = ORDER_NONE;
			g->gift_coupon = ci;
		}
	}
}

/* Clear a quote: all but the lines, and the input's lines. */
static void
priced_clear(struct priced *o, int nlines)
{
	memset(o, 0, offsetof(struct priced, lines));
	memset(o->lines, 0, sizeof(o->lines[0]) * nlines);
	memset(&o->nadj, 0, sizeof(*o) - offsetof(struct priced, nadj));
}

static void
price_once(struct ctx *x, int with_tier)
{
	const struct order_in *in = x->in;
	struct priced *o = x->o;
	unsigned set = 0;
	int i, l;

	priced_clear(o, x->n);
	o->member_id = in->member.id;
	o->tier_level = in->member.id != 0 ? in->member.tier_level : -1;
	if (in->member.id != 0) {
		if (HAS(in->member.card_valid_until) &&
		    x->now > in->member.card_valid_until)
			o->member_reason = "card_expired";
		else if (!coupon_store_allowed(in->member.card_store_ids,
		    in->store_id))
			o->member_reason = "card_store_not_allowed";
		o->member_priced = o->member_reason == NULL;
	}
	line_init(x);
	member_steps(x, with_tier);
	privilege_step(x);
	for (l = 0; l < x->n; l++)
		x->base_net[l] = o->lines[l].net_fen;
	for (i = 0; i < in->ncoupons; i++)
		x->why[i] = coupon_why(x, i);
	if (in->ncodes == -1)
		set = choose_best(x);
	else if (in->ncodes > 0)
		set = choose_named(x);
	coupon_steps(x, set);
	for (i = 0; i < o->nadj; i++)
		o->discount_fen += o->adj[i].amount_fen;
	for (l = 0; l < o->nlines; l++)
		o->total_fen += o->lines[l].net_fen;
	points_step(x);
	pay_steps(x);
	if (o->member_priced) {
		int64_t money = o->total_fen - o->points_fen;

		o->earn_growth = in->member.growth_rules != NULL ?
		    tier_growth_of_order(in->member.growth_rules, money) :
		    wallet_growth(money);
		o->earn_points = wallet_points(money,
		    in->member.earn_points_per_yuan,
		    in->member.mult_pct * o->priv_mult_pct / 100);
	}
}

int
price_order(const struct order_in *in, int64_t now, struct priced *o)
{
	struct ctx x;
	int i, had_tier = 0;

	priced_clear(o, 0);
	if (order_check(in, o) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	x.in = in;
	x.now = now;
	x.o = o;
	x.n = in->nlines;
	canon_sort(&x);
	price_once(&x, 1);
	if (!in->settings.tier_discount_only_if_balance_covers)
		return 0;
	for (i = 0; i < o->nadj; i++)
		if (o->adj[i].kind == ADJ_TIER_DISCOUNT)
			had_tier = 1;
	if (!had_tier || (in->member.id != 0 && in->use_balance &&
	    o->balance.paid_fen == o->balance_asked_fen))
		return 0;
	price_once(&x, 0);
	o->tier_reason = "balance_not_covering";
	return 0;
}

/* ---- the quote hash input ---- */

/* Bytes counted whether or not they fit: snprintf's contract. */
struct wbuf {
	char		*p;
	size_t		 n, len;
};

static void
put(struct wbuf *b, const char *s, size_t k)
{
	if (b->len + 1 < b->n) {
		size_t room = b->n - 1 - b->len;

		memcpy(b->p + b->len, s, k < room ? k : room);
	}
	b->len += k;
}

static void
lit(struct wbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
num(struct wbuf *b, int64_t v)
{
	char d[24], *e = d + sizeof(d), *p = e;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	put(b, p, (size_t)(e - p));
}

/* A separator, then a number ("-" when absent). */
static void
wi(struct wbuf *b, const char *sep, int64_t v)
{
	lit(b, sep);
	if (HAS(v))
		num(b, v);
	else
		put(b, "-", 1);
}

/* A separator, then a string as length:bytes ("-" for none). */
static void
ws(struct wbuf *b, const char *sep, const char *s)
{
	lit(b, sep);
	if (s == NULL) {
		put(b, "-", 1);
		return;
	}
	num(b, (int64_t)strlen(s));
	put(b, ":", 1);
	lit(b, s);
}

size_t
order_hash_input(const struct order_in *in, const struct priced *o,
    char *buf, size_t n)
{
	struct wbuf b = { buf, n, 0 };
	const struct order_member_in *m = &in->member;
	const struct checkout_settings *s = &in->settings;
	const struct deduction_rules *d = &in->deduction;
	int i, j, k;

	lit(&b, "order-quote/1");
	wi(&b, "\nstore=", in->store_id);
	for (i = 0; i < in->nlines; i++) {
		const struct order_line_in *l = &in->lines[i];

		wi(&b, "\nline=", l->product_id);
		wi(&b, ",", l->qty);
		wi(&b, ",", l->unit_fen);
		wi(&b, ",", l->member_unit_fen);
		ws(&b, ",", l->name);
	}
	wi(&b, "\nmember=", m->id);
	wi(&b, ",", m->tier_level);
	wi(&b, ",", m->discount_pct);
	wi(&b, ",", m->card_valid_until);
	ws(&b, ",", m->card_store_ids);
	wi(&b, ",", m->points);
	wi(&b, ",", m->earn_points_per_yuan);
	wi(&b, ",", m->mult_pct);
	wi(&b, ",", m->birth_month);
	wi(&b, ",", m->birth_day);
	wi(&b, "\nwallet=", m->wallet.principal_fen);
	wi(&b, ",", m->wallet.bonus_fen);
	wi(&b, ",", m->wallet.bonus_today_fen);
	wi(&b, ",", m->wallet.first_payment);
	wi(&b, "\nsettings=", s->tier_discount_with_member_price);
	wi(&b, ",", s->tier_discount_only_if_balance_covers);
	wi(&b, ",", s->max_stackable);
	wi(&b, ",", s->points_enabled);
	wi(&b, ",", s->points_per_yuan);
	wi(&b, ",", s->points_max_pct);
	wi(&b, ",", s->points_max_points);
	wi(&b, "\ndeduction=", d->split);
	wi(&b, ",", d->bonus_pct);
	wi(&b, ",", d->freeze_same_day_bonus);
	wi(&b, ",", d->cap);
	wi(&b, ",", d->cap_amount_fen);
	wi(&b, ",", d->cap_pct);
	for (i = 0; i < d->nranges && i < WALLET_MAX_RANGES; i++) {
		wi(&b, ",", d->ranges[i].from_fen);
		wi(&b, ":", d->ranges[i].to_fen);
		wi(&b, ":", d->ranges[i].cap_fen);
	}
	for (i = 0; i < in->ncoupons; i++) {
		const struct order_coupon_in *c = &in->coupons[i];
		const struct coupon_terms *t = &c->terms;

		ws(&b, "\ncoupon=", c->code);
		wi(&b, ",", t->kind);
		wi(&b, ",", t->value_fen);
		wi(&b, ",", t->threshold_fen);
		wi(&b, ",", t->discount_pct);
		wi(&b, ",", t->max_discount_fen);
		wi(&b, ",", c->valid_from);
		wi(&b, ",", c->valid_until);
		ws(&b, ",", c->gift_item);
		wi(&b, ",", c->gift_product_id);
		wi(&b, ",", c->stackable != 0);
		wi(&b, ",", c->audience_ok != 0);
		ws(&b, ",", c->status);
		ws(&b, ",", c->store_ids);
		for (k = 0; k < c->nscope && k < ORDER_MAX_SCOPE; k++)
			wi(&b, ",", c->scope[k]);
	}
	wi(&b, "\ncodes=", in->ncodes);
	for (i = 0; i < in->ncodes; i++)
		ws(&b, ",", in->codes[i]);
	wi(&b, "\npoints=", in->points);
	wi(&b, "\nuse_balance=", in->use_balance != 0);
	/* counter tenders decide how the rest is paid, not what it is */
	if (in->priv.nrules > 0) {
		const struct priv_cfg *pc = &in->priv;

		wi(&b, "\npriv=", pc->by_priority);
		for (k = 0; k < PRIV_NKINDS; k++)
			wi(&b, ",", pc->rank[k]);
		wi(&b, ",", in->tz_off);
		for (i = 0; i < pc->nrules; i++) {
			const struct priv_rule *p = &pc->rules[i];

			wi(&b, "\nprule=", p->kind);
			wi(&b, ",", p->window);
			wi(&b, ",", p->day);
			wi(&b, ",", p->from);
			wi(&b, ",", p->to);
			ws(&b, ",", p->name);
			wi(&b, ",", p->discount_pct == PRIV_NONE ? ORDER_NONE :
			    p->discount_pct);
			wi(&b, ",", p->mult_pct);
			for (k = 0; k < p->ntiers && k < PRIV_MAX_TIERS; k++)
				wi(&b, k ? ":" : ";", p->tiers[k]);
		}
	}

	/* the quote */
	wi(&b, "\nquote=", o->member_id);
	wi(&b, ",", o->tier_level);
	wi(&b, ",", o->member_priced);
	ws(&b, ",", o->member_reason);
	ws(&b, ",", o->tier_reason);
	for (i = 0; i < o->nadj; i++) {
		const struct priced_adj *a = &o->adj[i];

		wi(&b, "\nadj=", a->seq);
		wi(&b, ",", a->kind);
		ws(&b, ",", a->ref);
		wi(&b, ",", a->base_fen);
		wi(&b, ",", a->amount_fen);
	}
	for (i = 0; i < o->nlines; i++) {
		const struct priced_line *l = &o->lines[i];

		wi(&b, "\nqline=", l->line_no);
		wi(&b, ",", l->product_id);
		ws(&b, ",", l->name);
		wi(&b, ",", l->qty);
		wi(&b, ",", l->unit_fen);
		wi(&b, ",", l->member_unit_fen);
		wi(&b, ",", l->list_fen);
		wi(&b, ",", l->net_fen);
		for (j = 0; j < o->nadj; j++)
			wi(&b, j ? "," : ";", l->alloc[j]);
		for (k = 0; k < TD_CASH; k++)
			wi(&b, k ? "," : ";", l->tender[k]);
	}
	for (i = 0; i < o->nskipped; i++) {
		ws(&b, "\nskip=", o->skipped[i].code);
		ws(&b, ",", o->skipped[i].reason);
	}
	for (i = 0; i < o->npriv; i++) {
		wi(&b, "\npriv=", o->priv[i].rule);
		ws(&b, ",", o->priv[i].reason);
		wi(&b, ",", o->priv[i].discount_fen);
		wi(&b, ",", o->priv[i].extra_points);
	}
	wi(&b, "\ntotals=", o->total_list_fen);
	wi(&b, ",", o->discount_fen);
	wi(&b, ",", o->total_fen);
	wi(&b, ",", o->points_used);
	wi(&b, ",", o->points_fen);
	wi(&b, ",", o->balance_asked_fen);
	wi(&b, ",", o->balance.principal_fen);
	wi(&b, ",", o->balance.bonus_fen);
	wi(&b, ",", o->due_fen);
	wi(&b, ",", o->earn_points);
	wi(&b, ",", o->earn_growth);
	put(&b, "\n", 1);
	if (n > 0)
		buf[b.len < n ? b.len : n - 1] = '\0';
	return b.len;
}
