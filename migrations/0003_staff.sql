-- Staff sign-in bookkeeping and the member codes the counter has accepted.

-- A successful sign-in always changes the row (login_count), so the
-- conditional update that clears the failure counter can tell "signed in"
-- from "locked meanwhile" by its affected-row count.
ALTER TABLE staff
	ADD COLUMN last_login_at DATETIME NULL,
	ADD COLUMN login_count BIGINT NOT NULL DEFAULT 0;

-- One row per member code scanned: the primary key makes a code usable
-- once across every worker and machine (a duplicate insert is a replay).
-- Rows older than a day are purged; by then every code has expired.
CREATE TABLE member_codes_used (
	code		CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	staff_id	BIGINT NOT NULL,
	issued_at	DATETIME NOT NULL,
	used_at		DATETIME NOT NULL,
	PRIMARY KEY (code),
	KEY ix_mcu_used (merchant_id, used_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
