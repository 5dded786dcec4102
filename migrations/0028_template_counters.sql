-- Counters of each coupon template, so that the staff list of templates
-- (and a change to a limited stock) reads them instead of counting the
-- template's coupons: claimed_count, every coupon ever issued of it
-- (used, cancelled and expired ones included), and used_count, those used
-- now (a refund that gives a coupon back counts it out again). Each moves
-- by one conditional statement in the transaction that issues, uses or
-- gives back the coupon (handlers/coupon/coupon.h, COUPON_SQL_STOCK_TAKE,
-- COUPON_SQL_TPL_USED, COUPON_SQL_TPL_RETURNED). Expired is never stored
-- (an unused coupon past valid_until reads so) and has no counter.

ALTER TABLE coupon_templates
	ADD COLUMN claimed_count BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN used_count BIGINT NOT NULL DEFAULT 0,
	ADD CONSTRAINT ck_tpl_counts CHECK (used_count >= 0
	    AND used_count <= claimed_count);

UPDATE coupon_templates t
JOIN (SELECT merchant_id, template_id, COUNT(*) AS n,
	SUM(status = 'used') AS u
	FROM coupons GROUP BY merchant_id, template_id) c
	ON c.template_id = t.id AND c.merchant_id = t.merchant_id
SET t.claimed_count = c.n, t.used_count = c.u;
