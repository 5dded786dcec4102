-- The coupon report over a year without a row per coupon still valid.
--
-- stats_coupon_days kept its claim side by each coupon's valid_until (a
-- row per coupon or nearly, as valid_until goes to the second), so that
-- the report read a row for every coupon still valid and, until
-- stats-fold merged them, for every one expired. Now:
--  * the claim side's totals of a day, template and store (claims,
--    new_claims, claimed_used, claimed_cancelled) are on the row at
--    valid_until 1970-01-01 with the uses and orders: a row per day,
--    template and store (and slot) whatever the coupons;
--  * the rows at a coupon's valid_until carry only unused (the coupons
--    of that claim day still unused, +1 at a claim, -1 at a use or a void,
--    +1 when a use is given back), those past it merged by stats-fold at
--    1970-01-02 as before; the report reads them only once valid_until has
--    passed (its expired), so the key leads with valid_until: the
--    period's totals are one range and the expired another, and the
--    coupons still valid are never read.
ALTER TABLE stats_coupon_days
	ADD COLUMN unused BIGINT NOT NULL DEFAULT 0,
	DROP PRIMARY KEY,
	ADD PRIMARY KEY (merchant_id, valid_until, day, template_id, store_id,
	    slot),
	ADD KEY ix_scd_day (merchant_id, day);

INSERT INTO stats_coupon_days (merchant_id, valid_until, day, template_id,
	store_id, slot, claims, new_claims, claimed_used, claimed_cancelled)
SELECT merchant_id, '1970-01-01 00:00:00', day, template_id, store_id, slot,
	SUM(claims), SUM(new_claims), SUM(claimed_used), SUM(claimed_cancelled)
FROM stats_coupon_days WHERE valid_until > '1970-01-01 00:00:00'
GROUP BY merchant_id, day, template_id, store_id, slot
ON DUPLICATE KEY UPDATE claims = stats_coupon_days.claims + VALUES(claims),
	new_claims = stats_coupon_days.new_claims + VALUES(new_claims),
	claimed_used = stats_coupon_days.claimed_used + VALUES(claimed_used),
	claimed_cancelled = stats_coupon_days.claimed_cancelled +
	    VALUES(claimed_cancelled);
UPDATE stats_coupon_days
SET unused = claims - claimed_used - claimed_cancelled, claims = 0,
	new_claims = 0, claimed_used = 0, claimed_cancelled = 0
WHERE valid_until > '1970-01-01 00:00:00';
DELETE FROM stats_coupon_days
WHERE valid_until > '1970-01-01 00:00:00' AND unused = 0;

-- The retention figures and the recharging members of one store from
-- rollups too (they counted the store's member-days one by one): the
-- rows of stats_active_days (kinds order, order2, recharge) and of
-- stats_cohort_days gain a store, 0 for the merchant's (every row so
-- far), a store's own for the member's days at that store only (a
-- member's order before at that store, the first order there after the
-- join day). Written by the order's (or recharge's) transaction beside
-- the merchant's, and by `app stats rebuild`; the rows of stores are
-- computed below from the member-days for the days so far.
-- (the store after the day: the rebuild deletes a day of every store by
-- the key, and a report reads a range of days of one kind)
ALTER TABLE stats_active_days
	ADD COLUMN store_id BIGINT NOT NULL DEFAULT 0 AFTER day,
	DROP PRIMARY KEY,
	ADD PRIMARY KEY (merchant_id, kind, day, store_id, prev_day, slot);
ALTER TABLE stats_cohort_days
	ADD COLUMN store_id BIGINT NOT NULL DEFAULT 0 AFTER merchant_id,
	DROP PRIMARY KEY,
	ADD PRIMARY KEY (merchant_id, store_id, join_day, day, slot);

-- The stores' rows of the days so far, from the member-days (as `app
-- stats rebuild` computes them, handlers/stats/stats_sql.h): each order
-- of a member at a store by the member's order-day before at that store
-- (order: the day's first by the day before, the others by the day
-- itself) and by the one two before (order2: the first by the day before
-- when it had two orders or more, else the one before that; the second by
-- the day before; the others by the day itself), ...
INSERT INTO stats_active_days (merchant_id, kind, store_id, day, prev_day,
	members)
SELECT merchant_id, kind, store_id, day, prev_day, SUM(n) FROM (
	SELECT w.merchant_id, k.kind, w.store_id, w.day,
		CASE k.k WHEN 1 THEN w.p WHEN 3 THEN IF(w.cp >= 2, w.p, w.pp)
		    WHEN 4 THEN w.p ELSE w.day END AS prev_day,
		CASE k.k WHEN 2 THEN w.c - 1 WHEN 4 THEN w.c >= 2
		    WHEN 5 THEN GREATEST(w.c - 2, 0) ELSE 1 END AS n
	FROM (SELECT merchant_id, store_id, day, orders AS c,
		IFNULL(LAG(day) OVER mw, '1000-01-01') AS p,
		IFNULL(LAG(orders) OVER mw, 0) AS cp,
		IFNULL(LAG(day, 2) OVER mw, '1000-01-01') AS pp
		FROM stats_member_days WHERE store_id <> 0 AND orders > 0
		WINDOW mw AS (PARTITION BY merchant_id, member_id, store_id
		    ORDER BY day)) w
	JOIN (SELECT 1 AS k, 'order' AS kind UNION ALL SELECT 2, 'order'
	    UNION ALL SELECT 3, 'order2' UNION ALL SELECT 4, 'order2'
	    UNION ALL SELECT 5, 'order2') k) u
WHERE n <> 0
GROUP BY merchant_id, kind, store_id, day, prev_day
ON DUPLICATE KEY UPDATE members = stats_active_days.members + VALUES(members);
-- ... each member's days with a recharge at a store by the one before
-- there, ...
INSERT INTO stats_active_days (merchant_id, kind, store_id, day, prev_day,
	members)
SELECT merchant_id, 'recharge', store_id, day, prev_day, COUNT(*) FROM (
	SELECT merchant_id, store_id, day, IFNULL(LAG(day) OVER (
		PARTITION BY merchant_id, member_id, store_id ORDER BY day),
		'1000-01-01') AS prev_day
	FROM stats_member_days WHERE store_id <> 0 AND recharges > 0) w
GROUP BY merchant_id, store_id, day, prev_day
ON DUPLICATE KEY UPDATE members = stats_active_days.members + VALUES(members);
-- ... and each member's first order-day at a store after the join day,
-- within 30 days.
INSERT INTO stats_cohort_days (merchant_id, store_id, join_day, day, members)
SELECT merchant_id, store_id, join_day, day, COUNT(*) FROM (
	SELECT merchant_id, store_id, member_id, MAX(join_day) AS join_day,
		MIN(day) AS day
	FROM stats_member_days WHERE store_id <> 0 AND orders > 0
		AND day > join_day
	GROUP BY merchant_id, store_id, member_id) f
WHERE DATEDIFF(day, join_day) <= 30
GROUP BY merchant_id, store_id, join_day, day
ON DUPLICATE KEY UPDATE members = stats_cohort_days.members + VALUES(members);
