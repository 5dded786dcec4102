/*
 * Refunds of a priced order: order.h says how a refund by lines, by
 * amount or of the rest is shared out. In: the priced order, the refunds
 * made before, the request. Out: what this refund gives back, per line
 * and in total, or -1 with the field at fault.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "order.h"

#define HAS(x)	((x) != ORDER_NONE)

static int
fail(struct order_refund *out, const char *code, const char *fmt, ...)
{
	va_list ap;

	out->err_code = code;
	va_start(ap, fmt);
	vsnprintf(out->err_field, sizeof(out->err_field), fmt, ap);
	va_end(ap);
	return -1;
}

static int64_t
min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/*
 * What units [0, x) of a line of q units hold of a part of p fen: each
 * unit p / q, and the p % q odd fen one each to the units from start on,
 * round the end back to the first (0 <= start < q, 0 <= x <= q).
 */
static int64_t
units_hold(int64_t p, int64_t q, int64_t start, int64_t x)
{
	int64_t r = p % q, extra;

	if (x >= q)
		return p;
	if (start + r <= q)
		extra = x <= start ? 0 : min64(x, start + r) - start;
	else
		extra = (x > start ? x - start : 0) + min64(x, start + r - q);
	return p / q * x + extra;
}

/*
 * Give back units [r0, r0 + q) of line l: of each of n parts (all, left
 * still refundable) what those units hold, at most what is left; all that
 * is left when they are the line's last.
 */
static void
units_give(const int64_t *all, const int64_t *left, int n, int64_t qty,
    int64_t r0, int64_t q, int64_t *out)
{
	int64_t start = 0;
	int k;

	for (k = 0; k < n; k++) {
		if (r0 + q >= qty)
			out[k] = left[k];
		else
			out[k] = min64(left[k], units_hold(all[k], qty, start,
			    r0 + q) - units_hold(all[k], qty, start, r0));
		if (out[k] < 0)
			out[k] = 0;
		start = (start + all[k] % qty) % qty;
	}
}

int
refund_compute(const struct priced *o, const struct order_refund *done,
    int ndone, const struct refund_req *q, struct order_refund *out)
{
	static const int money[] = { TD_PRINCIPAL, TD_BONUS, TD_CASH, TD_CARD,
	    TD_ONLINE };
	enum { NMONEY = sizeof(money) / sizeof(money[0]) };
	int64_t rqty[ORDER_MAX_ALL_LINES], want[ORDER_MAX_ALL_LINES];
	int64_t rt[ORDER_MAX_ALL_LINES][TD_N];
	int64_t ra[ORDER_MAX_ALL_LINES][ORDER_MAX_ADJ];
	int64_t m0 = 0, mb = 0, pb = 0, v;
	int n = o->nlines, i, l, k, all = 1, left_any = 0;

	if (n < 0 || n > ORDER_MAX_ALL_LINES)
		n = 0;
	memset(out, 0, offsetof(struct order_refund, lines));
	memset(out->lines, 0, sizeof(out->lines[0]) * n);
	memset(out->tender, 0, sizeof(*out) -
	    offsetof(struct order_refund, tender));
	out->nlines = n;
	memset(rqty, 0, sizeof(rqty[0]) * n);
	memset(want, 0, sizeof(want[0]) * n);
	memset(rt, 0, sizeof(rt[0]) * n);
	memset(ra, 0, sizeof(ra[0]) * n);
	for (i = 0; i < ndone; i++)
		for (l = 0; l < n && l < done[i].nlines; l++) {
			rqty[l] += done[i].lines[l].qty;
			for (k = 0; k < TD_N; k++)
				rt[l][k] += done[i].lines[l].tender[k];
			for (k = 0; k < o->nadj; k++)
				ra[l][k] += done[i].lines[l].adj[k];
		}
	for (l = 0; l < n; l++)
		for (k = 0; k < NMONEY; k++) {
			m0 += o->lines[l].tender[money[k]];
			mb += rt[l][money[k]];
		}
	for (l = 0; l < n; l++)
		pb += rt[l][TD_POINTS];

	if (q->nlines < 0 || q->nlines > ORDER_MAX_ALL_LINES)
		return fail(out, "invalid_field", "lines");
	if (q->nlines > 0 && HAS(q->amount_fen))
		return fail(out, "invalid_field", "amount_fen");
	if (HAS(q->amount_fen)) {
		int64_t ml[ORDER_MAX_ALL_LINES], a[ORDER_MAX_ALL_LINES];
		int64_t w[NMONEY], part[NMONEY], total = 0;

		if (q->amount_fen < 1)
			return fail(out, "invalid_field", "amount_fen");
		for (l = 0; l < n; l++) {
			ml[l] = 0;
			for (k = 0; k < NMONEY; k++)
				ml[l] += o->lines[l].tender[money[k]] -
				    rt[l][money[k]];
			total += ml[l];
		}
		if (total == 0)
			return fail(out, "already_refunded", "amount_fen");
		if (q->amount_fen > total)
			return fail(out, "refund_exceeds_paid", "amount_fen");
		order_split(q->amount_fen, ml, n, a);
		for (l = 0; l < n; l++) {
			for (k = 0; k < NMONEY; k++)
				w[k] = o->lines[l].tender[money[k]] -
				    rt[l][money[k]];
			order_split(a[l], w, NMONEY, part);
			for (k = 0; k < NMONEY; k++)
				out->lines[l].tender[money[k]] = part[k];
		}
	} else {
		if (q->nlines == 0) {
			for (l = 0; l < n; l++) {
				want[l] = o->lines[l].qty - rqty[l];
				left_any |= want[l] > 0;
			}
			if (!left_any)
				return fail(out, "already_refunded", "lines");
		}
		for (i = 0; i < q->nlines; i++) {
			const struct refund_line_req *r = &q->lines[i];

			if (r->line_no < 1 || r->line_no > n ||
			    want[r->line_no - 1] != 0)
				return fail(out, "invalid_field",
				    "lines[%d].line_no", i);
			if (r->qty < 1)
				return fail(out, "invalid_field",
				    "lines[%d].qty", i);
			l = r->line_no - 1;
			if (o->lines[l].qty - rqty[l] == 0)
				return fail(out, "already_refunded",
				    "lines[%d].line_no", i);
			if (r->qty > o->lines[l].qty - rqty[l])
				return fail(out, "refund_exceeds_paid",
				    "lines[%d].qty", i);
			want[l] = r->qty;
		}
		for (l = 0; l < n; l++) {
			const struct priced_line *pl = &o->lines[l];
			struct refund_part *p = &out->lines[l];
			int64_t tl[TD_N], al[ORDER_MAX_ADJ];

			if (want[l] == 0)
				continue;
			p->qty = want[l];
			for (k = 0; k < TD_N; k++)
				tl[k] = pl->tender[k] - rt[l][k];
			for (k = 0; k < o->nadj; k++)
				al[k] = pl->alloc[k] - ra[l][k];
			units_give(pl->tender, tl, TD_N, pl->qty, rqty[l],
			    want[l], p->tender);
			units_give(pl->alloc, al, o->nadj, pl->qty, rqty[l],
			    want[l], p->adj);
			/* the points adjustment is the points tender */
			for (k = 0; k < o->nadj; k++)
				if (o->adj[k].kind == ADJ_POINTS)
					p->adj[k] = p->tender[TD_POINTS];
		}
	}

	for (l = 0; l < n; l++) {
		const struct refund_part *p = &out->lines[l];

		for (k = 0; k < TD_N; k++) {
			out->tender[k] += p->tender[k];
			if (o->lines[l].tender[k] - rt[l][k] !=
			    p->tender[k])
				left_any = -1;
		}
		for (k = 0; k < o->nadj; k++) {
			out->adj[k] += p->adj[k];
			if (o->lines[l].alloc[k] - ra[l][k] - p->adj[k] != 0)
				left_any = -1;
		}
		if (rqty[l] + p->qty != o->lines[l].qty)
			all = 0;
	}
	for (k = 0; k < NMONEY; k++)
		out->amount_fen += out->tender[money[k]];
	out->points_fen = out->tender[TD_POINTS];
	out->all_lines = all;
	out->closes_order = all && left_any != -1;

	/* points back, counted over every refund so the last gives the rest */
	if (o->points_fen > 0) {
		int64_t pa = pb + out->points_fen;

		v = pa >= o->points_fen ? o->points_used :
		    (int64_t)((__int128)o->points_used * pa / o->points_fen);
		out->points_returned = v - (pb >= o->points_fen ?
		    o->points_used : (int64_t)((__int128)o->points_used * pb /
		    o->points_fen));
	}
	/* what was earned, kept on the money not refunded (wallet_keep) */
	out->points_taken_back = wallet_keep(o->earn_points, m0, m0 - mb) -
	    wallet_keep(o->earn_points, m0, m0 - mb - out->amount_fen);
	out->growth_taken_back = wallet_keep(o->earn_growth, m0, m0 - mb) -
	    wallet_keep(o->earn_growth, m0, m0 - mb - out->amount_fen);
	return 0;
}
