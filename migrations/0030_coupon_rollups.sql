-- The coupon report (GET staff/stats/coupons) from the rollups alone, and
-- the hot rows of a coupon's use spread over slots.
--
-- stats_coupon_days gains, besides the orders' columns of 0027:
--  * the claim side, on the day of the claim at the store it was issued
--    at (coupons.store_id, 0 when none), per valid_until of the coupons:
--    claims (every coupon issued), claimed_used and claimed_cancelled
--    (those of them used or voided now); the unused ones are the rest, and
--    those whose valid_until has passed are the expired;
--  * the use side, on the day of the use at the store it was used at,
--    valid_until 1970-01-01: redeemed (coupons used now, through an order
--    or at the counter without one), redeemed_discount_fen and
--    redeemed_order_fen (the coupons' discount and order amounts).
-- A use, a coupon given back and a void each move their rows in the
-- transaction that changes the coupon (COUPON_SQL_MOVE_ROLLUP,
-- coupon/coupon.h); `app stats rebuild` recomputes them from the coupons.
--
-- slot: each writer adds to its own row (CONNECTION_ID() % 16), so that
-- orders and claims of one template on one day and store do not queue on
-- one row until their commits; the rebuild writes slot 0; readers SUM.

ALTER TABLE coupons ADD COLUMN store_id BIGINT NULL;
-- An order's coupons, found by the order when a refund or an expiry gives
-- them back (three statements there), instead of through every coupon of
-- the merchant, each locked by the locking reads of the give-back.
ALTER TABLE coupons ADD KEY ix_coupon_order (merchant_id, order_id);

ALTER TABLE stats_coupon_days
	ADD COLUMN valid_until DATETIME NOT NULL DEFAULT '1970-01-01 00:00:00'
	    AFTER template_id,
	ADD COLUMN slot TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER valid_until,
	ADD COLUMN claimed_used BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN claimed_cancelled BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN redeemed BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN redeemed_discount_fen BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN redeemed_order_fen BIGINT NOT NULL DEFAULT 0,
	DROP PRIMARY KEY,
	ADD PRIMARY KEY (merchant_id, day, template_id, store_id, valid_until,
	    slot);

-- The claim and use sides of every coupon so far, in the merchant's days.
UPDATE stats_coupon_days SET claims = 0, new_claims = 0;
INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id,
	valid_until, claims, new_claims, claimed_used, claimed_cancelled)
SELECT x.merchant_id, x.day, 0, x.template_id, x.valid_until, COUNT(*),
	IFNULL(SUM(x.day = x.join_day), 0), SUM(x.status = 'used'),
	SUM(x.status = 'cancelled')
FROM (SELECT c.merchant_id, c.template_id, c.valid_until, c.status,
	DATE(CONVERT_TZ(c.claimed_at, '+00:00', mc.tz)) AS day,
	DATE(CONVERT_TZ(mb.joined_at, '+00:00', mc.tz)) AS join_day
	FROM coupons c JOIN merchants mc ON mc.id = c.merchant_id
	LEFT JOIN members mb ON mb.id = c.member_id) x
GROUP BY x.merchant_id, x.day, x.template_id, x.valid_until
ON DUPLICATE KEY UPDATE claims = VALUES(claims),
	new_claims = VALUES(new_claims), claimed_used = VALUES(claimed_used),
	claimed_cancelled = VALUES(claimed_cancelled);
INSERT INTO stats_coupon_days (merchant_id, day, store_id, template_id,
	redeemed, redeemed_discount_fen, redeemed_order_fen)
SELECT c.merchant_id, DATE(CONVERT_TZ(c.used_at, '+00:00', mc.tz)),
	IFNULL(c.used_store_id, 0), c.template_id, COUNT(*),
	SUM(IFNULL(c.discount_fen, 0)), SUM(IFNULL(c.order_fen, 0))
FROM coupons c JOIN merchants mc ON mc.id = c.merchant_id
WHERE c.status = 'used' AND c.used_at IS NOT NULL
GROUP BY 1, 2, 3, 4
ON DUPLICATE KEY UPDATE redeemed = VALUES(redeemed),
	redeemed_discount_fen = VALUES(redeemed_discount_fen),
	redeemed_order_fen = VALUES(redeemed_order_fen);
DELETE FROM stats_coupon_days WHERE claims = 0 AND new_claims = 0
	AND orders = 0 AND uses = 0 AND discount_fen = 0 AND order_fen = 0
	AND redeemed = 0 AND redeemed_discount_fen = 0
	AND redeemed_order_fen = 0;

-- The coupons of each template used now, counted off the template row: a
-- use adds one to its connection's slot, a coupon given back takes one
-- off its own (a slot may go below zero, their sum is the count). The
-- staff list of templates sums a template's slots.
CREATE TABLE coupon_template_used (
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	slot		TINYINT UNSIGNED NOT NULL,
	used		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, template_id, slot)
) ENGINE=InnoDB;

INSERT INTO coupon_template_used (merchant_id, template_id, slot, used)
SELECT merchant_id, id, 0, used_count FROM coupon_templates
WHERE used_count <> 0;

ALTER TABLE coupon_templates DROP CONSTRAINT ck_tpl_counts,
	DROP COLUMN used_count;
