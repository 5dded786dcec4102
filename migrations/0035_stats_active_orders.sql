-- The retention report (GET staff/stats/retention) and the recharging
-- members of the consumption report from rollups, not by counting
-- members one by one over stats_member_days.
--
-- stats_active_days gains three kinds, each kept in the transaction of
-- its event and recomputed by `app stats rebuild`:
--  * order: every paid order of a member, by its day and the day of the
--    member's order before it (prev_day; '1000-01-01': none; the same day
--    for a member's second order of a day). The members who ordered in a
--    period are its orders whose prev_day is before the period (each
--    member's first of the period); DAU, WAU, MAU and the daily active
--    members likewise.
--  * order2: the same orders by the day of the member's order two before
--    (LAG 2). A member with n orders in a period has n - 1 of them with
--    prev_day in the period and max(n - 2, 0) with the order two before
--    in it: the difference, summed, is the members with two orders or
--    more (repurchase), whatever the members.
--  * referral: a member's days with a new member referred, by the day
--    of that kind before (the referrers of a period).
--
-- slot: the orders of a day share a few rows (the day and 'none' before
-- it, the day itself), so an order adds to the row of its connection's
-- slot (CONNECTION_ID() % 16) as in stats_days; the rebuild and the other
-- kinds write slot 0, readers SUM, stats-fold folds the days past.
ALTER TABLE stats_active_days
	MODIFY kind ENUM('payment', 'recharge', 'order', 'order2', 'referral')
	    NOT NULL,
	ADD COLUMN slot TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER prev_day,
	DROP PRIMARY KEY,
	ADD PRIMARY KEY (merchant_id, kind, day, prev_day, slot);

-- Join cohorts: the members who joined on join_day by the day of their
-- first paid order after it (day, within 30 days): the next-day, 7-day
-- and 30-day returns of a cohort are its rows with day - join_day = 1,
-- <= 7, <= 30. Counted by that first order's transaction, at its slot.
CREATE TABLE stats_cohort_days (
	merchant_id	BIGINT NOT NULL,
	join_day	DATE NOT NULL,
	day		DATE NOT NULL,
	slot		TINYINT UNSIGNED NOT NULL DEFAULT 0,
	members		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, join_day, day, slot),
	KEY ix_scd_day (merchant_id, day)
) ENGINE=InnoDB;

-- The campaigns report's coupon figures by day, store and template, for
-- the days that are over: stats_coupon_days keeps the claims of a day by
-- each coupon's valid_until (for the expired of the coupon report), a row
-- per coupon or nearly, so that a year of claims was as many rows to
-- read. These six columns of a day no longer change once it is over
-- (claims and orders count on their own day; a use given back or a void
-- moves only claimed_used, claimed_cancelled and redeemed), so stats-fold
-- and `app stats rebuild` sum a finished day here, with a row of
-- template 0 that marks the day done; the report reads these for the
-- days marked from the period's first on, and stats_coupon_days for the
-- rest.
CREATE TABLE stats_campaign_days (
	merchant_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	template_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	claims		BIGINT NOT NULL DEFAULT 0,
	new_claims	BIGINT NOT NULL DEFAULT 0,
	orders		BIGINT NOT NULL DEFAULT 0,
	uses		BIGINT NOT NULL DEFAULT 0,
	discount_fen	BIGINT NOT NULL DEFAULT 0,
	order_fen	BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, template_id, store_id)
) ENGINE=InnoDB;
