/*
 * Pure points rules: expiry, caps, negative points, lots. See
 * points_rules.h.
 */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "points_rules.h"

void
points_cfg_default(struct points_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->earn_enabled = 1;
	c->per_yuan = 1;
	c->per_order_cap = POINTS_NONE;
	c->per_day_cap = POINTS_NONE;
	c->expiry = PX_NEVER;
	c->months = 12;
}

static const char *const expiry_names[] = { "never", "months", "year_end" };

int
points_expiry_parse(const char *s, enum points_expiry *out)
{
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 3; i++)
		if (strcmp(s, expiry_names[i]) == 0) {
			*out = (enum points_expiry)i;
			return 0;
		}
	return -1;
}

const char *
points_expiry_name(enum points_expiry e)
{
	return (unsigned)e < 3 ? expiry_names[e] : "never";
}

int
points_expiry_date(enum points_expiry mode, int months, const char *earned,
    char out[11])
{
	int y, m, d;

	out[0] = '\0';
	if (earned == NULL || date_parse(earned, &y, &m, &d) == -1)
		return -1;
	switch (mode) {
	case PX_NEVER:
		return 0;
	case PX_MONTHS:
		if (months < 1 || months > POINTS_MONTHS_MAX)
			return -1;
		return date_plus_months(earned, months, out) == -1 ? -1 : 1;
	case PX_YEAR_END:
		if (y + 1 > 9999)
			return -1;
		snprintf(out, 11, "%04u-12-31", (unsigned)(y + 1) % 10000u);
		return 1;
	}
	return -1;
}

int64_t
points_capped(int64_t raw, int64_t per_order_cap, int64_t per_day_cap,
    int64_t earned_today)
{
	int64_t v = raw < 0 ? 0 : raw, room;

	if (per_order_cap != POINTS_NONE && v > per_order_cap)
		v = per_order_cap;
	if (per_day_cap != POINTS_NONE) {
		room = per_day_cap - (earned_today > 0 ? earned_today : 0);
		if (room < 0)
			room = 0;
		if (v > room)
			v = room;
	}
	return v < 0 ? 0 : v;
}

void
points_credit_split(int64_t points, int64_t negative, int64_t *pay_off,
    int64_t *to_lot)
{
	if (points <= 0) {
		*pay_off = *to_lot = 0;
		return;
	}
	*pay_off = negative > 0 ? (negative < points ? negative : points) : 0;
	*to_lot = points - *pay_off;
}

int64_t
points_take(const int64_t *left, int nlots, int64_t n, int64_t *take)
{
	int64_t got = 0, t;
	int i;

	for (i = 0; i < nlots; i++) {
		t = 0;
		if (got < n && left[i] > 0) {
			t = n - got < left[i] ? n - got : left[i];
			got += t;
		}
		take[i] = t;
	}
	return got;
}

void
points_take_back_split(int64_t n, int64_t held, int64_t *taken,
    int64_t *owed)
{
	if (n <= 0) {
		*taken = *owed = 0;
		return;
	}
	*taken = held > 0 ? (held < n ? held : n) : 0;
	*owed = n - *taken;
}
