-- Privileges by date (settings/privileges): the birthday, the member day
-- and the merchant's holidays, kept as the settings' JSON whole (what GET
-- returns), read by the pricing engine through privilege_cfg_load().
CREATE TABLE privilege_settings (
	merchant_id	BIGINT PRIMARY KEY,
	body		TEXT NOT NULL,
	updated_at	DATETIME NOT NULL,
	CONSTRAINT fk_priv_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- When the member last set the birthday: a member sets it once, and again
-- only a year later; staff (owner) change it with a reason, audited.
ALTER TABLE members ADD COLUMN birthday_set_at DATETIME NULL AFTER birthday;
UPDATE members SET birthday_set_at = joined_at WHERE birthday IS NOT NULL;

-- The birthday coupon of a member for a year: the unique row decides that
-- it is issued once per member and year, however often the job runs.
CREATE TABLE birthday_grants (
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	year		SMALLINT NOT NULL,
	birthday	DATE NOT NULL,
	template_id	BIGINT NOT NULL,
	coupon_code	VARCHAR(64) CHARACTER SET ascii NULL,	-- NULL: refused
	result		VARCHAR(16) CHARACTER SET ascii NOT NULL,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, member_id, year),
	CONSTRAINT fk_bg_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
