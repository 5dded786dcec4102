/* Pure tier rules (see tier.h). */
#include <stddef.h>

#include "tier.h"

int
tier_for_growth(const struct tier_step *t, int n, int64_t growth, int *next)
{
	int i, cur = 0;

	for (i = 0; i < n; i++)
		if (growth >= t[i].growth)
			cur = i;
	if (next != NULL)
		*next = cur + 1 < n ? cur + 1 : -1;
	return n > 0 ? cur : -1;
}

/* ---- growth rules ---- */

void
tier_policy_default(struct tier_policy *p)
{
	p->per_yuan_paid = 1;
	p->per_order = 0;
	p->per_yuan_recharged = 0;
	p->mode = TIER_NONE;
	p->step_qualify = 0;
	p->months = 12;
	p->days = 365;
	p->min_days = 0;
	p->notice_days = 15;
}

int64_t
tier_growth_of_order(const struct tier_policy *p, int64_t money_fen)
{
	int64_t g = p->per_order > 0 ? p->per_order : 0;

	if (money_fen > 0 && p->per_yuan_paid > 0)
		g += money_fen / 100 * p->per_yuan_paid;
	return g;
}

int64_t
tier_growth_of_recharge(const struct tier_policy *p, int64_t pay_fen)
{
	if (pay_fen <= 0 || p->per_yuan_recharged <= 0)
		return 0;
	return pay_fen / 100 * p->per_yuan_recharged;
}

/* ---- days ---- */

int64_t
tier_day(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
tier_ymd(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
month_days(int y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return md[m - 1];
}

int64_t
tier_add_months(int64_t day, int months)
{
	int y, m, d, k;

	tier_ymd(day, &y, &m, &d);
	k = y * 12 + (m - 1) + months;
	y = k >= 0 ? k / 12 : (k - 11) / 12;
	m = k - y * 12 + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	return tier_day(y, m, d);
}

int64_t
tier_window_first(int64_t day, int months)
{
	return tier_add_months(day, -months) + 1;
}

int64_t
tier_window_leaves(int64_t e, int months)
{
	int64_t d = tier_add_months(e, months);

	while (tier_window_first(d, months) <= e)
		d++;
	while (d > e && tier_window_first(d - 1, months) > e)
		d--;
	return d;
}

/* ---- the review ---- */

void
tier_review_rule(const struct tier_policy *p, const struct tier_rung *t,
    int n, const struct tier_member *m, int64_t today, struct tier_verdict *v)
{
	int i, derived = 0, cur = m->cur;

	v->kind = TIER_STAY;
	v->to = cur;
	v->growth_to = -1;
	if (n <= 0)
		return;
	if (cur < 0)
		cur = 0;
	if (cur >= n)
		cur = n - 1;
	for (i = 0; i < n; i++)
		if (m->growth >= t[i].growth)
			derived = i;
	if (derived > cur) {
		v->kind = TIER_UP;
		v->to = derived;
		return;
	}
	if (derived < cur || cur != m->cur) {
		v->kind = TIER_DOWN_RULES;
		v->to = derived;
		return;
	}
	if (p->mode == TIER_NONE || cur == 0)
		return;
	if (today - m->since_day < p->min_days)
		return;
	if (p->mode == TIER_FIXED && today < m->since_day + p->days)
		return;
	if (m->window >= t[cur].keep) {
		if (p->mode == TIER_FIXED)
			v->kind = TIER_RENEW;
		return;
	}
	v->kind = TIER_DOWN_KEEP;
	v->to = cur - 1;
	if (p->step_qualify)
		for (v->to = 0, i = cur - 1; i > 0; i--)
			if (m->window >= t[i].keep) {
				v->to = i;
				break;
			}
	v->growth_to = t[v->to].growth < m->growth ? t[v->to].growth :
	    m->growth;
}

int64_t
tier_rolling_deadline(const int64_t *days, const int64_t *growth, int nd,
    int64_t keep, int months, int64_t today, int64_t earliest, int64_t *need)
{
	int64_t sum = 0, at = today;
	int i;

	for (i = 0; i < nd; i++)
		sum += growth[i];
	*need = keep - sum > 0 ? keep - sum : 0;
	for (i = 0; i < nd && sum >= keep; i++) {
		sum -= growth[i];
		/* the entries of one day leave together */
		while (i + 1 < nd && days[i + 1] == days[i])
			sum -= growth[++i];
		if (sum < keep) {
			at = tier_window_leaves(days[i], months);
			*need = keep - sum;
		}
	}
	if (at < today)
		at = today;
	return at > earliest ? at : earliest;
}

unsigned
tier_reward_due(int from, int to, unsigned had)
{
	unsigned due = 0;
	int lv;

	for (lv = from + 1; lv <= to && lv < 32; lv++)
		if (lv >= 1 && !(had & (1u << lv)))
			due |= 1u << lv;
	return due;
}
