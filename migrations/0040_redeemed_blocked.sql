-- Two gaps closed.
--
-- The campaigns report (GET staff/stats/campaigns) counts every
-- redemption of a campaign's coupons, at the counter without an order
-- (staff redeem) as on an order: stats_campaign_days, the finished days
-- of stats_coupon_days summed, keeps their redeemed count too. The days
-- summed before are given theirs from stats_coupon_days, and a summed day
-- whose only figure for a template is redemptions gets its row.
ALTER TABLE stats_campaign_days
	ADD COLUMN redeemed BIGINT NOT NULL DEFAULT 0 AFTER uses;

UPDATE stats_campaign_days d JOIN (SELECT merchant_id, day, template_id,
    store_id, SUM(redeemed) AS redeemed FROM stats_coupon_days
    GROUP BY merchant_id, day, template_id, store_id) s
    ON s.merchant_id = d.merchant_id AND s.day = d.day
    AND s.template_id = d.template_id AND s.store_id = d.store_id
    SET d.redeemed = s.redeemed
    WHERE d.template_id <> 0;

INSERT IGNORE INTO stats_campaign_days (merchant_id, day, template_id,
    store_id, redeemed)
    SELECT s.merchant_id, s.day, s.template_id, s.store_id, SUM(s.redeemed)
    FROM stats_coupon_days s
    WHERE s.template_id <> 0 AND EXISTS (SELECT 1 FROM stats_campaign_days m
	WHERE m.merchant_id = s.merchant_id AND m.day = s.day
	AND m.template_id = 0 AND m.store_id = 0)
    GROUP BY s.merchant_id, s.day, s.template_id, s.store_id
    HAVING SUM(s.redeemed) <> 0;

-- A referral whose referrer is blocked by staff (冻结) when it would be
-- rewarded: the referrer gets nothing and the referral is not counted as
-- one that rewarded them ('blocked', for good: not rewarded later).
ALTER TABLE referrals
	MODIFY status ENUM('pending', 'rewarded', 'capped', 'off', 'blocked')
	    NOT NULL;
