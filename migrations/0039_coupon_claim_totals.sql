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
