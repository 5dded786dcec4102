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
