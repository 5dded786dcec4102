/* Scratch cards: the draw over weights and no prize, and the odds. */
#include "growth/scratch_rules.h"
#include "unit.h"

TEST(scratch_pick_table)
{
	static const int64_t w[] = { 5, 0, 3 };
	static const struct { int64_t none, roll; int want; } cases[] = {
		{ 2, 0, 0 }, { 2, 4, 0 }, { 2, 5, 2 }, { 2, 7, 2 },
		{ 2, 8, -1 }, { 2, 9, -1 },	/* no prize: the last 2 */
		{ 2, 10, -1 }, { 2, -1, -1 },	/* out of range */
		{ 0, 7, 2 }, { 0, 8, -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_INT(scratch_pick(w, 3, cases[i].none, cases[i].roll),
		    cases[i].want);
	EXPECT_INT(scratch_total_weight(w, 3, 2), 10);
	EXPECT_INT(scratch_total_weight(w, 3, -4), 8);
	EXPECT_INT(scratch_total_weight(NULL, 0, 0), 0);
	EXPECT_INT(scratch_pick(NULL, 0, 0, 0), -1);
	EXPECT_INT(scratch_pick(NULL, 0, 1, 0), -1);
}

TEST(scratch_pick_every_roll_counts_its_weight)
{
	static const int64_t w[] = { 1, 7, 0, 12 };
	int hits[5] = { 0 }, i;

	for (i = 0; i < 30; i++) {
		int p = scratch_pick(w, 4, 10, i);

		hits[p < 0 ? 4 : p]++;
	}
	EXPECT_INT(hits[0], 1);
	EXPECT_INT(hits[1], 7);
	EXPECT_INT(hits[2], 0);
	EXPECT_INT(hits[3], 12);
	EXPECT_INT(hits[4], 10);
}

TEST(scratch_odds_four_places)
{
	EXPECT(scratch_odds(1, 3) == 0.3333);
	EXPECT(scratch_odds(2, 3) == 0.6667);
	EXPECT(scratch_odds(5, 5) == 1.0);
	EXPECT(scratch_odds(0, 5) == 0.0);
	EXPECT(scratch_odds(3, 0) == 0.0);
}
