/*
 * Properties of the pricing engine and refunds over 100,000 random
 * orders (seeded, so every run prices the same orders): each quote's
 * invariants (order_test_invariants, which the tables in test_order.c run
 * too), the same input quoted twice gives the same bytes, the proposed
 * coupons beat every other set the stacking rules allow, and a random
 * sequence of partial refunds ending with the rest never goes negative,
 * never returns more than was paid per line and tender, and closes the
 * order exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "order/order.h"

#define NOW	1700000000LL
#define DAY	86400LL
#define N	ORDER_NONE
#define ORDERS	100000
#define HAS_PCT(x)	((x) != ORDER_NONE)

int	 order_test_invariants(const struct order_in *, const struct priced *);

static int nbad;

#define BAD(cond, ...) do { if (cond) { nbad++; if (nbad <= 5) { \
	fprintf(stderr, "  invariant (%s:%d) ", __FILE__, __LINE__); \
	fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } } while (0)

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* Every invariant of a quote of in at NOW; the number that failed. */
int
order_test_invariants(const struct order_in *in, const struct priced *q)
{
	const struct checkout_settings *s = &in->settings;
	int64_t sum, disc = 0, list = 0, nets = 0, open = 0, t[TD_N];
	int i, l, k, ncoup = 0, nonstack = 0, pts_adj = -1, before = nbad;
	unsigned usedset = 0;

	memset(t, 0, sizeof(t));
	BAD(q->nadj < 0 || q->nadj > ORDER_MAX_ADJ, "nadj %d", q->nadj);
	BAD(q->nlines < in->nlines || q->nlines > in->nlines + in->ncoupons,
	    "nlines %d", q->nlines);
	for (i = 0; i < q->nadj; i++) {
		const struct priced_adj *a = &q->adj[i];

		BAD(a->seq != i + 1, "seq %d at %d", a->seq, i);
		BAD(a->amount_fen < 0 || a->amount_fen > a->base_fen,
		    "adj %d amount %lld base %lld", i, (long long)a->amount_fen,
		    (long long)a->base_fen);
		sum = 0;
		for (l = 0; l < q->nlines; l++) {
			BAD(q->lines[l].alloc[i] < 0, "alloc < 0");
			sum += q->lines[l].alloc[i];
		}
		BAD(sum != a->amount_fen, "adj %d: lines %lld, amount %lld",
		    i, (long long)sum, (long long)a->amount_fen);
		if (a->kind == ADJ_POINTS)
			pts_adj = i;
		else
			disc += a->amount_fen;
		if (i > 0)
			BAD(a->kind < q->adj[i - 1].kind, "steps out of order");
		if (a->kind == ADJ_TIER_DISCOUNT)
			BAD(!HAS_PCT(in->member.discount_pct) || a->amount_fen !=
			    a->base_fen * (100 - in->member.discount_pct) / 100,
			    "tier discount %lld on %lld", (long long)a->amount_fen,
			    (long long)a->base_fen);
		if (a->kind == ADJ_COUPON) {
			const struct order_coupon_in *c = &in->coupons[a->coupon];
			int64_t want;

			if (c->terms.kind != CK_GIFT)
				BAD(coupon_discount(&c->terms, a->base_fen, &want) !=
				    RD_OK || want != a->amount_fen,
				    "coupon %s: %lld on %lld", c->code,
				    (long long)a->amount_fen,
				    (long long)a->base_fen);
			ncoup++;
			nonstack += !c->stackable;
			BAD(usedset & (1u << a->coupon), "coupon used twice");
			usedset |= 1u << a->coupon;
			BAD(strcmp(c->status, "unused") != 0, "status %s",
			    c->status);
			BAD(NOW < c->valid_from || NOW > c->valid_until,
			    "window");
			BAD(!coupon_store_allowed(c->store_ids, in->store_id),
			    "coupon store");
			BAD(!c->audience_ok, "audience");
			BAD(strcmp(a->ref, c->code) != 0, "ref");
			BAD(c->terms.kind != CK_GIFT && a->amount_fen <= 0,
			    "coupon of 0");
		}
	}
	for (l = 0; l < q->nlines; l++) {
		const struct priced_line *pl = &q->lines[l];
		int64_t d = 0, paid = 0;

		BAD(pl->line_no != l + 1, "line_no");
		BAD(pl->list_fen != pl->unit_fen * pl->qty, "list");
		for (i = 0; i < q->nadj; i++)
			if (i != pts_adj)
				d += pl->alloc[i];
		BAD(pl->net_fen != pl->list_fen - d, "line %d net", l);
		BAD(pl->net_fen < 0, "line %d below zero", l);
		for (k = 0; k < TD_N; k++) {
			BAD(pl->tender[k] < 0, "line %d tender %d < 0", l, k);
			paid += pl->tender[k];
			t[k] += pl->tender[k];
		}
		BAD(paid > pl->net_fen, "line %d paid %lld > net %lld", l,
		    (long long)paid, (long long)pl->net_fen);
		open += pl->net_fen - paid;
		BAD(pts_adj >= 0 && pl->alloc[pts_adj] != pl->tender[TD_POINTS],
		    "points share");
		if (l >= in->nlines && pl->gift_coupon < 0)
			BAD(1, "line %d no gift", l);
		else if (l >= in->nlines)
			BAD(pl->list_fen != 0 || !(usedset &
			    (1u << pl->gift_coupon)) ||
			    in->coupons[pl->gift_coupon].terms.kind != CK_GIFT,
			    "gift line");
		list += pl->list_fen;
		nets += pl->net_fen;
	}
	BAD(list != q->total_list_fen, "total_list");
	BAD(disc != q->discount_fen, "discount_fen");
	BAD(nets != q->total_fen, "nets %lld total %lld", (long long)nets,
	    (long long)q->total_fen);
	BAD(q->total_fen != q->total_list_fen - q->discount_fen, "total");
	for (k = 0; k < TD_N; k++)
		BAD(t[k] != q->tender[k], "tender %d total", k);
	BAD(q->tender[TD_POINTS] != q->points_fen, "points tender");
	BAD(q->tender[TD_PRINCIPAL] != q->balance.principal_fen, "principal");
	BAD(q->tender[TD_BONUS] != q->balance.bonus_fen, "bonus");
	BAD(q->balance.paid_fen != q->balance.principal_fen +
	    q->balance.bonus_fen, "paid");
	BAD(q->due_fen != q->total_fen - q->points_fen - q->balance.paid_fen,
	    "due");
	BAD(q->due_fen != q->tender[TD_CASH] + q->tender[TD_CARD] +
	    q->tender[TD_ONLINE] + q->uncovered_fen, "due by tenders");
	BAD(open != q->uncovered_fen, "uncovered");
	BAD(q->change_fen < 0 || q->uncovered_fen < 0, "change/uncovered");
	if (q->balance.paid_fen > 0)
		BAD(in->member.id == 0 || !in->use_balance, "balance unasked");

	/* points: the caps each way, and the fewest points for the fen */
	if (q->points_fen == 0) {
		BAD(q->points_used != 0, "points without fen");
	} else {
		int64_t avail = min64(in->points, in->member.points);

		BAD(in->member.id == 0 || !s->points_enabled, "points unasked");
		if (s->points_max_points != N)
			avail = min64(avail, s->points_max_points);
		BAD(q->points_used > avail, "points over the caps");
		BAD(q->points_fen != min64(avail * 100 / s->points_per_yuan,
		    q->total_fen * s->points_max_pct / 100), "points fen");
		BAD(q->points_used != (q->points_fen * s->points_per_yuan +
		    99) / 100, "points used");
	}

	/* stacking, and every coupon accounted for */
	if (nonstack > 0)
		BAD(ncoup != 1, "a non-stackable coupon with others");
	BAD(ncoup > (s->max_stackable < 1 ? 1 : s->max_stackable),
	    "over max_stackable");
	for (i = 0; i < q->nskipped; i++)
		for (k = 0; k < in->ncoupons; k++)
			if (strcmp(q->skipped[i].code, in->coupons[k].code) == 0)
				BAD((usedset & (1u << k)) && in->ncodes == -1,
				    "used and skipped");
	if (in->ncodes == -1)
		BAD(ncoup + q->nskipped != in->ncoupons, "proposal accounts");
	else
		BAD(ncoup + q->nskipped != in->ncodes, "named accounts");

	/* the card, the tier, what is earned */
	BAD(q->member_priced && (in->member.id == 0 ||
	    q->member_reason != NULL), "member priced");
	if (s->tier_discount_only_if_balance_covers)
		for (i = 0; i < q->nadj; i++)
			if (q->adj[i].kind == ADJ_TIER_DISCOUNT)
				BAD(q->balance.paid_fen != q->balance_asked_fen,
				    "tier kept without the balance covering");
	if (q->member_priced) {
		BAD(q->earn_growth != wallet_growth(q->total_fen -
		    q->points_fen), "growth");
		BAD(q->earn_points != wallet_points(q->total_fen -
		    q->points_fen, in->member.earn_points_per_yuan,
		    in->member.mult_pct * q->priv_mult_pct / 100),
		    "earn points");
	} else
		BAD(q->earn_growth != 0 || q->earn_points != 0, "earned");
	return nbad - before;
}

/* ---- random orders ---- */

static uint64_t rs;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

/* 0..n */
static int64_t
upto(int64_t n)
{
	return (int64_t)(rnd() % (uint64_t)(n + 1));
}

static int
chance(int pct)
{
	return (int)(rnd() % 100) < pct;
}

static struct order_in in;
static struct priced q, q2;
static char codes[ORDER_MAX_COUPONS][8];
static char hin1[1 << 16], hin2[1 << 16];

static void
gen_coupon(int i)
{
	struct order_coupon_in *c = &in.coupons[i];
	struct coupon_terms *t = &c->terms;
	static const char *const st[] = { "used", "cancelled", "expired" };
	int k;

	memset(c, 0, sizeof(*c));
	snprintf(codes[i], sizeof(codes[i]), "%c%d", 'A' + (int)upto(25), i);
	c->code = codes[i];
	t->kind = (int)upto(4);
	t->value_fen = t->threshold_fen = t->discount_pct =
	    t->max_discount_fen = N;
	switch (t->kind) {
	case CK_THRESHOLD:
		t->value_fen = 100 * (1 + upto(50));
		t->threshold_fen = chance(80) ? t->value_fen + 100 * upto(100) :
		    N;
		break;
	case CK_DISCOUNT:
		t->discount_pct = 50 + upto(49);
		t->max_discount_fen = chance(50) ? 100 * upto(30) + 1 : N;
		t->threshold_fen = chance(30) ? 100 * upto(100) : N;
		break;
	case CK_INSTANT:
		t->value_fen = 1 + upto(5000);
		break;
	case CK_PROMO:
		if (chance(50))
			t->discount_pct = 50 + upto(49);
		else
			t->value_fen = 1 + upto(3000);
		t->threshold_fen = chance(40) ? upto(10000) : N;
		break;
	case CK_GIFT:
		c->gift_item = "赠品";
		c->gift_product_id = upto(3);
		t->threshold_fen = chance(30) ? upto(10000) : N;
		break;
	}
	c->stackable = chance(60);
	c->status = chance(85) ? "unused" : st[upto(2)];
	c->valid_from = chance(5) ? NOW + 1 + upto(100) : NOW - upto(10 * DAY);
	c->valid_until = chance(5) ? NOW - 1 - upto(100) :
	    NOW + upto(30 * DAY);
	c->store_ids = chance(15) ? "[2]" : NULL;
	c->audience_ok = chance(92);
	if (chance(25)) {
		c->nscope = 1 + (int)upto(2);
		for (k = 0; k < c->nscope; k++)
			c->scope[k] = 1 + upto(5);
	}
}

static void
gen_order(void)
{
	static const int64_t ppy[] = { 1, 3, 7, 10, 100, 300 };
	struct order_member_in *m = &in.member;
	struct deduction_rules *d = &in.deduction;
	int i, n;

	order_in_init(&in);
	in.store_id = 1 + upto(1);
	in.nlines = 1 + (int)upto(chance(5) ? 29 : 5);
	for (i = 0; i < in.nlines; i++) {
		struct order_line_in *l = &in.lines[i];

		l->product_id = upto(6);
		l->name = l->product_id ? "商品" : "临时";
		l->qty = 1 + upto(chance(10) ? 40 : 3);
		l->unit_fen = chance(5) ? 0 : chance(3) ? upto(1000000) :
		    upto(5000);
		l->member_unit_fen = l->product_id != 0 && chance(40) ?
		    upto(l->unit_fen + 100) : N;
	}
	if (chance(70)) {
		m->id = 1 + upto(1000);
		m->tier_level = (int)upto(3);
		m->discount_pct = chance(60) ? 50 + upto(49) : N;
		m->card_valid_until = chance(15) ? NOW - 1 - upto(100) :
		    chance(10) ? NOW + upto(100) : N;
		m->card_store_ids = chance(15) ? "[2]" : chance(10) ? "[1,2]" :
		    NULL;
		m->points = upto(chance(20) ? 100 : 20000) - (chance(5) ? 50 : 0);
		m->earn_points_per_yuan = upto(3);
		m->mult_pct = 100 + 10 * upto(10);
		m->wallet.principal_fen = upto(30000);
		m->wallet.bonus_fen = upto(10000);
		m->wallet.bonus_today_fen = upto(m->wallet.bonus_fen);
		m->wallet.first_payment = chance(50);
	}
	in.settings.tier_discount_with_member_price = chance(50);
	in.settings.tier_discount_only_if_balance_covers = chance(30);
	in.settings.max_stackable = chance(3) ? 16 : (int)upto(4);
	in.settings.points_enabled = chance(80);
	in.settings.points_per_yuan = ppy[upto(5)];
	in.settings.points_max_pct = (int)upto(100);
	in.settings.points_max_points = chance(50) ? N : upto(5000);
	d->split = (enum wallet_split)upto(2);
	d->bonus_pct = 1 + (int)upto(98);
	d->freeze_same_day_bonus = chance(30);
	d->cap = (enum wallet_cap)upto(5);
	d->cap_amount_fen = 1 + upto(20000);
	d->cap_pct = 1 + (int)upto(99);
	d->nranges = 2;
	d->ranges[0].from_fen = 0;
	d->ranges[0].to_fen = 5000;
	d->ranges[0].cap_fen = upto(3000);
	d->ranges[1].from_fen = 5001;
	d->ranges[1].to_fen = 20000;
	d->ranges[1].cap_fen = upto(10000);
	in.ncoupons = (int)upto(chance(5) ? 10 : 6);
	for (i = 0; i < in.ncoupons; i++)
		gen_coupon(i);
	if (chance(50))
		in.ncodes = -1;
	else if (chance(20))
		in.ncodes = 0;
	else {
		in.ncodes = (int)upto(in.ncoupons + 1 < 5 ? in.ncoupons + 1 : 5);
		for (i = 0; i < in.ncodes; i++)
			in.codes[i] = in.ncoupons > 0 && chance(90) ?
			    in.coupons[upto(in.ncoupons - 1)].code : "ZZ-NOPE";
	}
	in.points = chance(40) ? upto(20000) : 0;
	in.use_balance = chance(60);
	n = (int)upto(3);
	for (i = 0; i < n; i++) {
		in.tenders[i].kind = TD_CASH + (int)upto(2);
		in.tenders[i].amount_fen = chance(50) ? N : upto(20000);
	}
	if (chance(85)) {
		in.tenders[n].kind = TD_CASH + (int)upto(2);
		in.tenders[n++].amount_fen = N;
	}
	in.ntenders = n;
}

static int64_t
coupon_sum(const struct priced *p)
{
	int64_t s = 0;
	int i;

	for (i = 0; i < p->nadj; i++)
		if (p->adj[i].kind == ADJ_COUPON)
			s += p->adj[i].amount_fen;
	return s;
}

/* No set the stacking rules allow, named, takes more off than the best. */
static void
check_best(void)
{
	int64_t best = coupon_sum(&q);
	int max = in.settings.max_stackable < 1 ? 1 : in.settings.max_stackable;
	unsigned set;
	int i, k, nonstack;

	for (set = 1; set < (1u << in.ncoupons); set++) {
		nonstack = 0;
		for (i = 0; i < in.ncoupons; i++)
			if ((set & (1u << i)) && !in.coupons[i].stackable)
				nonstack++;
		if ((nonstack > 0 && __builtin_popcount(set) > 1) ||
		    __builtin_popcount(set) > max)
			continue;
		in.ncodes = 0;
		for (i = 0; i < in.ncoupons; i++)
			if (set & (1u << i))
				in.codes[in.ncodes++] = in.coupons[i].code;
		k = price_order(&in, NOW, &q2);
		BAD(k != 0 || coupon_sum(&q2) > best,
		    "set %x takes %lld off, the best %lld", set,
		    (long long)coupon_sum(&q2), (long long)best);
	}
	in.ncodes = -1;
}

/* ---- refunds ---- */

static struct order_refund done[8];
static int64_t cum_t[ORDER_MAX_ALL_LINES][TD_N];
static int64_t cum_a[ORDER_MAX_ALL_LINES][ORDER_MAX_ADJ];
static int64_t cum_q[ORDER_MAX_ALL_LINES];
static int64_t cum_pts, cum_ptb, cum_grb;
static int touched[ORDER_MAX_ALL_LINES];	/* by an amount refund */

/* What units [0, x) of q hold of p fen, the odd fen on the first units. */
static int64_t
hold(int64_t p, int64_t q, int64_t x)
{
	return p / q * x + min64(x, p % q);
}

static int64_t
money_left(void)
{
	int64_t m = 0;
	int l, k;

	for (l = 0; l < q.nlines; l++)
		for (k = TD_PRINCIPAL; k < TD_N; k++)
			m += q.lines[l].tender[k] - cum_t[l][k];
	return m;
}

/* Check a refund that went through and add it to what is refunded. */
static void
take_refund(const struct order_refund *r)
{
	int64_t tt[TD_N], money = 0;
	int l, k, all = 1, closed = 1;

	memset(tt, 0, sizeof(tt));
	for (l = 0; l < q.nlines; l++) {
		const struct refund_part *p = &r->lines[l];

		BAD(p->qty < 0 || cum_q[l] + p->qty > q.lines[l].qty, "qty");
		if (p->qty == 0) {
			for (k = 0; k < TD_N; k++)
				touched[l] |= p->tender[k] != 0;
		} else if (!touched[l]) {
			int64_t paid = 0, got = 0;

			/* unit by unit: within a fen of pro rata */
			for (k = 0; k < TD_N; k++) {
				paid += q.lines[l].tender[k];
				got += p->tender[k];
			}
			BAD(got != hold(paid, q.lines[l].qty, cum_q[l] +
			    p->qty) - hold(paid, q.lines[l].qty, cum_q[l]),
			    "line %d units %lld+%lld gave %lld of %lld", l,
			    (long long)cum_q[l], (long long)p->qty,
			    (long long)got, (long long)paid);
		}
		cum_q[l] += p->qty;
		all &= cum_q[l] == q.lines[l].qty;
		for (k = 0; k < TD_N; k++) {
			BAD(p->tender[k] < 0, "refund part < 0");
			cum_t[l][k] += p->tender[k];
			BAD(cum_t[l][k] > q.lines[l].tender[k],
			    "line %d tender %d: %lld refunded of %lld", l, k,
			    (long long)cum_t[l][k],
			    (long long)q.lines[l].tender[k]);
			closed &= cum_t[l][k] == q.lines[l].tender[k];
			tt[k] += p->tender[k];
			if (k != TD_POINTS)
				money += p->tender[k];
		}
		for (k = 0; k < q.nadj; k++) {
			BAD(p->adj[k] < 0, "adj part < 0");
			cum_a[l][k] += p->adj[k];
			BAD(cum_a[l][k] > q.lines[l].alloc[k], "adj over");
			closed &= cum_a[l][k] == q.lines[l].alloc[k];
		}
	}
	for (k = 0; k < TD_N; k++)
		BAD(tt[k] != r->tender[k], "refund tender total");
	BAD(money != r->amount_fen, "refund amount");
	BAD(r->points_fen != r->tender[TD_POINTS], "refund points");
	BAD(r->all_lines != all, "all_lines");
	BAD(r->closes_order != (all && closed), "closes_order");
	BAD(r->points_returned < 0 || r->points_taken_back < 0 ||
	    r->growth_taken_back < 0, "negative back");
	cum_pts += r->points_returned;
	cum_ptb += r->points_taken_back;
	cum_grb += r->growth_taken_back;
	BAD(cum_pts > q.points_used, "points returned");
	BAD(cum_ptb > q.earn_points || cum_grb > q.earn_growth, "taken back");
}

static void
refund_sequence(void)
{
	struct refund_req req;
	int nd = 0, steps = (int)upto(4), s, l, k, left_units, rc;
	int64_t m;

	memset(cum_t, 0, sizeof(cum_t[0]) * q.nlines);
	memset(cum_a, 0, sizeof(cum_a[0]) * q.nlines);
	memset(cum_q, 0, sizeof(cum_q[0]) * q.nlines);
	memset(touched, 0, sizeof(touched[0]) * q.nlines);
	cum_pts = cum_ptb = cum_grb = 0;
	for (s = 0; s < steps; s++) {
		memset(&req, 0, offsetof(struct refund_req, lines));
		req.amount_fen = N;
		if (chance(35)) {
			m = money_left();
			if (m == 0)
				continue;
			req.amount_fen = chance(5) ? m + 1 : 1 + upto(m - 1);
			rc = refund_compute(&q, done, nd, &req, &done[nd]);
			if (req.amount_fen > m) {
				BAD(rc != -1 || strcmp(done[nd].err_code,
				    "refund_exceeds_paid") != 0, "over money");
				continue;
			}
		} else {
			int over = chance(5);

			for (l = 0; l < q.nlines; l++) {
				int64_t left = q.lines[l].qty - cum_q[l];

				if (left == 0 || !chance(50))
					continue;
				req.lines[req.nlines].line_no = l + 1;
				req.lines[req.nlines++].qty = over ? left + 1 :
				    1 + upto(left - 1);
			}
			if (req.nlines == 0)
				continue;
			rc = refund_compute(&q, done, nd, &req, &done[nd]);
			if (over) {
				BAD(rc != -1 || strcmp(done[nd].err_code,
				    "refund_exceeds_paid") != 0, "over qty");
				continue;
			}
		}
		BAD(rc != 0, "refund refused: %s %s", done[nd].err_code,
		    done[nd].err_field);
		if (rc != 0)
			return;
		take_refund(&done[nd++]);
	}
	/* the rest */
	left_units = 0;
	for (l = 0; l < q.nlines; l++)
		left_units += q.lines[l].qty - cum_q[l] > 0;
	memset(&req, 0, offsetof(struct refund_req, lines));
	req.amount_fen = N;
	rc = refund_compute(&q, done, nd, &req, &done[nd]);
	if (left_units == 0) {
		BAD(rc != -1 || strcmp(done[nd].err_code, "already_refunded"),
		    "rest of nothing");
	} else {
		BAD(rc != 0, "rest refused");
		if (rc != 0)
			return;
		BAD(!done[nd].closes_order, "the rest does not close");
		take_refund(&done[nd++]);
	}
	for (l = 0; l < q.nlines; l++) {
		for (k = 0; k < TD_N; k++)
			BAD(cum_t[l][k] != q.lines[l].tender[k], "not closed");
		for (k = 0; k < q.nadj; k++)
			BAD(cum_a[l][k] != q.lines[l].alloc[k], "adj not closed");
	}
	BAD(cum_pts != q.points_used, "points not all returned");
	if (q.uncovered_fen == 0)
		BAD(cum_ptb != q.earn_points || cum_grb != q.earn_growth,
		    "earn not all taken back");
}

TEST(order_property_random_orders)
{
	int i, n_best = 0, n_two = 0;
	size_t n1, n2;

	nbad = 0;
	rs = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < ORDERS && nbad < 20; i++) {
		gen_order();
		if (price_order(&in, NOW, &q) != 0) {
			BAD(1, "order %d refused: %s", i, q.err_field);
			continue;
		}
		order_test_invariants(&in, &q);
		/* the same input twice: the same quote, the same bytes */
		EXPECT_INT(price_order(&in, NOW, &q2), 0);
		n1 = order_hash_input(&in, &q, hin1, sizeof(hin1));
		n2 = order_hash_input(&in, &q2, hin2, sizeof(hin2));
		BAD(n1 != n2 || n1 >= sizeof(hin1) || memcmp(hin1, hin2, n1),
		    "order %d quoted twice differs", i);
		BAD(memcmp(q.lines, q2.lines, sizeof(q.lines[0]) * q.nlines) ||
		    memcmp(q.adj, q2.adj, sizeof(q.adj[0]) * q.nadj),
		    "order %d lines differ", i);
		n_two += q.tier_reason != NULL;
		if (in.ncodes == -1 && in.ncoupons <= 7 && i % 20 == 0 &&
		    !in.settings.tier_discount_only_if_balance_covers) {
			check_best();
			n_best++;
		}
		refund_sequence();
	}
	EXPECT_INT(nbad, 0);
	EXPECT(n_best > 1000);
	EXPECT(n_two > 100);	/* priced both ways, the tier dropped */
}
