-- The member list in the order of joining (the default sort, and the
-- order of coupon pushes) with a filter whose members are absent from the
-- newest (a fresh campaign's members: no coupon, one channel, one
-- birthday month, below the upper tiers).
--
-- members.coupons_on: whether the member holds an unused coupon that was
-- still valid at coupons_cut (coupons_live > 0, migration 0009), generated
-- from the count that the coupons triggers keep in the transaction of
-- every coupon move (a claim, a push, a gift, a campaign's pack: an
-- insert; a redemption, an order's use, a void: an update away from
-- unused; a refund's return: back to unused; coupon rows deleted). A
-- member without it holds no unused coupon that is not expired; a member
-- with it holds one, unless every such coupon has expired since (its
-- coupons_next has passed), which the list still asks of the coupons
-- (ML_LIVE). Before, "has unused coupons" by joining, when the newest
-- 50,000 hold none, read each of them and probed its coupons (115 ms of a
-- million).
--
-- members.balance_on, points_on: whether the member holds any balance,
-- any points (generated from the row); a balance range above nothing, or
-- points above nothing, lets through only members who have some. New
-- members have none (before, balance_min_fen=100000 by joining, when the
-- newest 50,000 hold nothing, read their 50,000 entries of
-- ix_member_joined: 30-55 ms of a million).
--
-- ix_member_coupons_joined, ix_member_balance_joined,
-- ix_member_points_joined, ix_member_channel_joined,
-- ix_member_month_joined: the filter's own members in the order of
-- joining (as ix_member_tier_joined for a tier, migration 0029), so that
-- a page of the filter is its own rows wherever they stand among the
-- newest. Their write cost is nearly nothing: the joining time never
-- changes, a channel and a birthday month hardly ever, and a flag only
-- when it turns (a member's first unused coupon comes or the last one
-- goes, the balance or the points leave zero or come back to it), not on
-- each claim, payment or points movement.
--
-- ix_member_joined holds growth too (after the columns of migration
-- 0036), so that a tier's page by joining (its growth band) is read from
-- the entries alone when the tier's own index may not be used (after a
-- change of the thresholds, until the tier review has moved the members):
-- the band's first members by joining, not the band's every member read
-- and sorted. Growth moves with a paid order or a recharge, which rewrite
-- the member's entries of last order, spend, balance and tier already.

ALTER TABLE members
	ADD COLUMN coupons_on TINYINT AS (coupons_live > 0) PERSISTENT,
	ADD COLUMN balance_on TINYINT AS (principal_fen + bonus_fen > 0)
	    PERSISTENT,
	ADD COLUMN points_on TINYINT AS (points > 0) PERSISTENT,
	ADD KEY ix_member_coupons_joined (merchant_id, coupons_on, joined_at),
	ADD KEY ix_member_balance_joined (merchant_id, balance_on, joined_at),
	ADD KEY ix_member_points_joined (merchant_id, points_on, joined_at),
	ADD KEY ix_member_channel_joined (merchant_id, channel, joined_at),
	ADD KEY ix_member_month_joined (merchant_id, birthday_month,
	    joined_at),
	DROP KEY ix_member_joined,
	ADD KEY ix_member_joined (merchant_id, joined_at, id, balance_fen,
	    points, channel, birthday_month, growth);
