-- The runs of the jobs that no request starts (fcgi/job.h): one row per
-- (job, merchant, period), which decides who runs it however many app
-- hosts try. A runner claims the row (inserts it, takes over a running
-- one whose heartbeat has gone stale, or retries a failed one), then moves
-- cursor and counts on in the same transaction as each batch of work, so
-- a run that dies is resumed after its last committed batch.
CREATE TABLE job_runs (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	job		VARCHAR(32) NOT NULL,
	merchant_id	BIGINT NOT NULL,
	period		VARCHAR(16) NOT NULL,	-- "2026-12-01" or "2026-12-01T14:05", local
	status		ENUM('running', 'done', 'failed') NOT NULL,
	claimed_by	VARCHAR(96) NOT NULL,	-- host:pid:random of the runner
	`cursor`	BIGINT NOT NULL DEFAULT 0,
	c1		BIGINT NOT NULL DEFAULT 0,
	c2		BIGINT NOT NULL DEFAULT 0,
	c3		BIGINT NOT NULL DEFAULT 0,
	c4		BIGINT NOT NULL DEFAULT 0,
	batches		INT NOT NULL DEFAULT 0,
	attempts	INT NOT NULL DEFAULT 1,
	error		VARCHAR(512) NULL,
	run_for		DATETIME NOT NULL,	-- the moment the run is for (UTC)
	started_at	DATETIME NOT NULL,
	heartbeat_at	DATETIME NOT NULL,
	finished_at	DATETIME NULL,
	UNIQUE KEY uq_job_run (job, merchant_id, period),
	KEY ix_job_run_merchant (merchant_id, id),
	CONSTRAINT fk_job_run_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
