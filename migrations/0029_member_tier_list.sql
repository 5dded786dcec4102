-- The member list's tier filter (GET staff/members?tier=3) in each sort's
-- order among the tier's own members: members.tier_level (migration 0014,
-- the tier the member was last moved to, kept by tier_move() in the
-- transaction of every move: growth by an order or a recharge, a refund,
-- the review's ups and downs, a tier set by hand) before each sort's
-- column, so that a page of a tier is its own rows wherever the tier's
-- members stand in the sort (tier 3 by joining, when the newest 5000 are
-- all tier 1, read every member of the merchant before: 4 s of a
-- million).
--
-- The list's tier is still the growth band (members.growth within the
-- tier's thresholds), which the page keeps as its condition: tier_level
-- only chooses the index. tier_level lags the band after a change of the
-- thresholds until the next tier review moves the members, so a page asks
-- first, by ix_member_tier_growth, which tier levels have members in the
-- band (a loose index scan: a few index dives, one for each level); only
-- when that is the filtered tier alone does it read ix_member_tier_*
-- (handlers/staff/members_staff.c, the "tier" statements), and otherwise
-- the plans as before.

ALTER TABLE members
	ADD KEY ix_member_tier_growth (merchant_id, tier_level, growth),
	ADD KEY ix_member_tier_joined (merchant_id, tier_level, joined_at),
	ADD KEY ix_member_tier_last_order (merchant_id, tier_level,
	    last_order_at),
	ADD KEY ix_member_tier_balance (merchant_id, tier_level, balance_fen),
	ADD KEY ix_member_tier_spend (merchant_id, tier_level, spend_fen);
