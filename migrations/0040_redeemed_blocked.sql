-- Three gaps closed.
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

-- A batch of a job that fails is set aside instead of failing its whole
-- run (fcgi/job.c): the run goes on after it, and the batch is tried
-- again later, backing off, up to a bounded number of attempts. A row
-- per batch set aside, keyed by where it would have ended (cursor_to: the
-- run went on from there); cursor_from is where its retry starts.
-- status waiting: to be tried again from retry_at; failed: given up. The
-- run is 'failed' while any is left, with retry_at the next retry's
-- (NULL: none; a failed run without one is retried as before).
CREATE TABLE job_batch_fails (
	run_id		BIGINT NOT NULL,
	cursor_to	BIGINT NOT NULL,
	cursor_from	BIGINT NOT NULL,
	ordinal		INT NOT NULL,	-- the run's n-th batch (JOB_FAIL_BATCH)
	attempts	INT NOT NULL DEFAULT 1,
	status		ENUM('waiting', 'failed') NOT NULL DEFAULT 'waiting',
	error		VARCHAR(512) NULL,
	failed_at	DATETIME NOT NULL,
	retry_at	DATETIME NOT NULL,
	PRIMARY KEY (run_id, cursor_to),
	CONSTRAINT fk_job_batch_fail_run FOREIGN KEY (run_id)
	    REFERENCES job_runs (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE job_runs
	ADD COLUMN set_aside INT NOT NULL DEFAULT 0 AFTER batches,
	ADD COLUMN retry_at DATETIME NULL AFTER finished_at;
