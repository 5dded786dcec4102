-- The gift coupon of a member day or a holiday (settings/privileges
-- coupon_template_id), issued by the job privilege-coupons on the day: a
-- row per member and occurrence ("md:2026-12-01", "hd:2026-11-11:2026-11-11")
-- decides that it is issued once however often the job runs.
CREATE TABLE privilege_gifts (
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	occurrence	VARCHAR(40) CHARACTER SET ascii NOT NULL,
	template_id	BIGINT NOT NULL,
	coupon_code	VARCHAR(64) CHARACTER SET ascii NULL,	-- NULL: refused
	result		VARCHAR(16) CHARACTER SET ascii NOT NULL,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, member_id, occurrence, template_id),
	CONSTRAINT fk_pg_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
