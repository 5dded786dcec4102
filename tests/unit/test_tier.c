/* The pure tier rules: growth earned, days and months, the review of every
   mode (keep threshold, window edge, minimum days), the card's deadline. */
#include "unit.h"
#include "tier/tier.h"

#define D(y, m, d)	tier_day((y), (m), (d))

TEST(tier_days_and_months)
{
	int y, m, d;

	EXPECT_INT(D(1970, 1, 1), 0);
	EXPECT_INT(D(2027, 3, 1) - D(2027, 2, 28), 1);
	EXPECT_INT(D(2028, 3, 1) - D(2028, 2, 28), 2);	/* leap */
	tier_ymd(D(2026, 12, 31), &y, &m, &d);
	EXPECT_INT(y, 2026);
	EXPECT_INT(m, 12);
	EXPECT_INT(d, 31);
	EXPECT_INT(tier_add_months(D(2026, 3, 31), -1), D(2026, 2, 28));
	EXPECT_INT(tier_add_months(D(2026, 1, 31), 1), D(2026, 2, 28));
	EXPECT_INT(tier_add_months(D(2026, 11, 15), 3), D(2027, 2, 15));
	EXPECT_INT(tier_add_months(D(2027, 2, 15), -14), D(2025, 12, 15));
}

TEST(tier_window_edge)
{
	/* growth of 2026-03-01 counts in a 12-month window through
	   2027-02-28 and no longer on 2027-03-01 */
	EXPECT_INT(tier_window_first(D(2027, 2, 28), 12), D(2026, 3, 1));
	EXPECT_INT(tier_window_first(D(2027, 3, 1), 12), D(2026, 3, 2));
	EXPECT_INT(tier_window_leaves(D(2026, 3, 1), 12), D(2027, 3, 1));
	/* month ends: Jan 31 + 1 month leaves on Mar 1 (Feb 28 still
	   counts it: its window starts on Jan 29) */
	EXPECT_INT(tier_window_first(D(2026, 2, 28), 1), D(2026, 1, 29));
	EXPECT_INT(tier_window_leaves(D(2026, 1, 31), 1), D(2026, 3, 1));
	EXPECT_INT(tier_window_leaves(D(2026, 1, 15), 1), D(2026, 2, 15));
}

TEST(tier_growth_rules)
{
	struct tier_policy p;

	tier_policy_default(&p);
	/* the default is today's: a point a whole yuan paid, none for a
	   recharge */
	EXPECT_INT(tier_growth_of_order(&p, 12999), 129);
	EXPECT_INT(tier_growth_of_order(&p, 99), 0);
	EXPECT_INT(tier_growth_of_recharge(&p, 50000), 0);
	p.per_yuan_paid = 2;
	p.per_order = 5;
	p.per_yuan_recharged = 1;
	EXPECT_INT(tier_growth_of_order(&p, 1050), 25);
	EXPECT_INT(tier_growth_of_order(&p, 0), 5);
	EXPECT_INT(tier_growth_of_recharge(&p, 50099), 500);
	EXPECT_INT(tier_growth_of_recharge(&p, -100), 0);
}

/* silver 100 (keep 50), gold 1000 (keep 300), black 5000 (keep 2000) */
static const struct tier_rung ladder[] = {
	{ 0, 0 }, { 100, 50 }, { 1000, 300 }, { 5000, 2000 },
};

static const struct {
	const char	*name;
	int		 mode, qualify;
	int64_t		 min_days;
	int		 cur;
	int64_t		 growth, since_day, window, today;
	int		 kind, to;
	int64_t		 growth_to;
} review_cases[] = {
	/* every mode: growth above the tier moves up, below it down */
	{ "none up", TIER_NONE, 0, 0, 1, 1200, 0, 0, 10, TIER_UP, 2, -1 },
	{ "none up two", TIER_NONE, 0, 0, 0, 6000, 0, 0, 10, TIER_UP, 3, -1 },
	{ "none thresholds raised", TIER_NONE, 0, 0, 2, 500, 0, 0, 10,
	    TIER_DOWN_RULES, 1, -1 },
	{ "none never falls", TIER_NONE, 0, 0, 2, 1500, 0, 0, 9999,
	    TIER_STAY, 2, -1 },
	{ "rolling up", TIER_ROLLING, 0, 0, 1, 1000, 0, 0, 10, TIER_UP, 2,
	    -1 },
	/* keep threshold: exactly keep_growth keeps, one less falls */
	{ "rolling kept at keep", TIER_ROLLING, 0, 0, 2, 1500, 0, 300, 400,
	    TIER_STAY, 2, -1 },
	{ "rolling falls one", TIER_ROLLING, 0, 0, 2, 1500, 0, 299, 400,
	    TIER_DOWN_KEEP, 1, 100 },
	{ "rolling step one from top", TIER_ROLLING, 0, 0, 3, 6000, 0, 0, 400,
	    TIER_DOWN_KEEP, 2, 1000 },
	{ "rolling qualify to base", TIER_ROLLING, 1, 0, 3, 6000, 0, 10, 400,
	    TIER_DOWN_KEEP, 0, 0 },
	{ "rolling qualify to silver", TIER_ROLLING, 1, 0, 3, 6000, 0, 60, 400,
	    TIER_DOWN_KEEP, 1, 100 },
	{ "rolling qualify to gold", TIER_ROLLING, 1, 0, 3, 6000, 0, 1999, 400,
	    TIER_DOWN_KEEP, 2, 1000 },
	{ "rolling base never falls", TIER_ROLLING, 0, 0, 0, 50, 0, 0, 400,
	    TIER_STAY, 0, -1 },
	/* minimum days in a tier: not a day before */
	{ "rolling min days not yet", TIER_ROLLING, 0, 30, 2, 1500, 100, 0,
	    129, TIER_STAY, 2, -1 },
	{ "rolling min days reached", TIER_ROLLING, 0, 30, 2, 1500, 100, 0,
	    130, TIER_DOWN_KEEP, 1, 100 },
	{ "min days do not hold an upgrade", TIER_ROLLING, 0, 30, 1, 1000,
	    100, 0, 101, TIER_UP, 2, -1 },
	/* fixed: the term runs days (365) from since_day, then re-evaluated */
	{ "fixed within the term", TIER_FIXED, 0, 0, 2, 1500, 100, 0, 464,
	    TIER_STAY, 2, -1 },
	{ "fixed term ends, falls", TIER_FIXED, 0, 0, 2, 1500, 100, 0, 465,
	    TIER_DOWN_KEEP, 1, 100 },
	{ "fixed term ends, renewed", TIER_FIXED, 0, 0, 2, 1500, 100, 300, 465,
	    TIER_RENEW, 2, -1 },
	{ "fixed qualify", TIER_FIXED, 1, 0, 3, 9000, 100, 400, 470,
	    TIER_DOWN_KEEP, 2, 1000 },
	{ "fixed min days beyond the term", TIER_FIXED, 0, 400, 2, 1500, 100,
	    0, 470, TIER_STAY, 2, -1 },
	{ "fixed growth below threshold", TIER_FIXED, 0, 0, 2, 900, 100, 0,
	    200, TIER_DOWN_RULES, 1, -1 },
};

TEST(tier_review_modes)
{
	struct tier_policy p;
	struct tier_member m;
	struct tier_verdict v;
	size_t i;

	for (i = 0; i < sizeof(review_cases) / sizeof(review_cases[0]); i++) {
		tier_policy_default(&p);
		p.mode = review_cases[i].mode;
		p.step_qualify = review_cases[i].qualify;
		p.min_days = review_cases[i].min_days;
		m.cur = review_cases[i].cur;
		m.growth = review_cases[i].growth;
		m.since_day = review_cases[i].since_day;
		m.window = review_cases[i].window;
		tier_review_rule(&p, ladder, 4, &m, review_cases[i].today, &v);
		if (v.kind != review_cases[i].kind ||
		    v.to != review_cases[i].to ||
		    v.growth_to != review_cases[i].growth_to)
			fprintf(stderr, "  case %s\n", review_cases[i].name);
		EXPECT_INT(v.kind, review_cases[i].kind);
		EXPECT_INT(v.to, review_cases[i].to);
		EXPECT_INT(v.growth_to, review_cases[i].growth_to);
	}
}

TEST(tier_review_no_ladder)
{
	struct tier_policy p;
	struct tier_member m = { 0, 500, 0, 0 };
	struct tier_verdict v;

	tier_policy_default(&p);
	tier_review_rule(&p, ladder, 0, &m, 10, &v);
	EXPECT_INT(v.kind, TIER_STAY);
	/* a level the ladder no longer has goes where its growth is */
	m.cur = 6;
	tier_review_rule(&p, ladder, 4, &m, 10, &v);
	EXPECT_INT(v.kind, TIER_DOWN_RULES);
	EXPECT_INT(v.to, 1);
}

TEST(tier_rolling_deadline_card)
{
	int64_t days[] = { D(2026, 3, 1), D(2026, 5, 10), D(2026, 9, 1) };
	int64_t growth[] = { 200, 150, 100 };
	int64_t need, by;

	/* 450 earned, keep 300: 2026-03-01 leaves on 2027-03-01 (250 left,
	   50 short) */
	by = tier_rolling_deadline(days, growth, 3, 300, 12, D(2026, 12, 1),
	    0, &need);
	EXPECT_INT(by, D(2027, 3, 1));
	EXPECT_INT(need, 50);
	/* keep 200: still 250 then; 2026-05-10 leaving is the day */
	by = tier_rolling_deadline(days, growth, 3, 200, 12, D(2026, 12, 1),
	    0, &need);
	EXPECT_INT(by, D(2027, 5, 10));
	EXPECT_INT(need, 100);
	/* short already: falls at the next review, not before min days */
	by = tier_rolling_deadline(days, growth, 3, 1000, 12, D(2026, 12, 1),
	    D(2026, 12, 20), &need);
	EXPECT_INT(by, D(2026, 12, 20));
	EXPECT_INT(need, 550);
	by = tier_rolling_deadline(days, growth, 0, 10, 12, D(2026, 12, 1),
	    0, &need);
	EXPECT_INT(by, D(2026, 12, 1));
	EXPECT_INT(need, 10);
}

TEST(tier_reward_once)
{
	unsigned had = 0, due;

	/* 1 -> 3 grants levels 2 and 3 */
	due = tier_reward_due(1, 3, had);
	EXPECT_INT(due, (1u << 2) | (1u << 3));
	had |= due;
	/* down to 2, up to 3 again: nothing; on to 4: level 4 only */
	EXPECT_INT(tier_reward_due(2, 3, had), 0);
	EXPECT_INT(tier_reward_due(2, 4, had), 1u << 4);
	/* a downgrade grants nothing */
	EXPECT_INT(tier_reward_due(3, 1, 0), 0);
	EXPECT_INT(tier_reward_due(1, 1, 0), 0);
}
