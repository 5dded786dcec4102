-- Coupons: templates marketing defines, the per-member claim counters,
-- issued coupons (each a copy of its template's rules at issue time),
-- and promo codes handed out outside the app.
-- The claim path (coupon_claims, coupons) has no foreign keys: each
-- would take a shared lock on its parent row inside the flash-sale
-- transaction. Every row carries merchant_id and every query names it.

CREATE TABLE coupon_templates (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	name		VARCHAR(64) NOT NULL,
	kind		ENUM('threshold', 'discount', 'instant', 'gift', 'promo_code') NOT NULL,
	value_fen	BIGINT NULL,
	threshold_fen	BIGINT NULL,
	discount_pct	TINYINT NULL,
	max_discount_fen BIGINT NULL,
	gift_item	VARCHAR(64) NULL,
	stock		BIGINT NULL,		-- NULL: unlimited
	stock_left	BIGINT NULL,		-- NULL: unlimited
	per_member_limit INT NOT NULL,
	claim_from	DATETIME NULL,
	claim_until	DATETIME NULL,
	valid_from	DATETIME NULL,		-- fixed range ...
	valid_until	DATETIME NULL,
	valid_days	INT NULL,		-- ... or N days after claiming
	valid_next_day	TINYINT NOT NULL DEFAULT 0,
	store_ids	VARCHAR(1024) NULL,	-- JSON array of store ids; NULL: all
	stackable	TINYINT NOT NULL DEFAULT 0,
	audience	ENUM('all', 'new_members', 'tiers') NOT NULL DEFAULT 'all',
	audience_tiers	VARCHAR(255) NULL,	-- JSON array of tier levels
	listed		TINYINT NOT NULL DEFAULT 1,	-- shown and claimable in the coupon centre
	status		ENUM('draft', 'active', 'paused', 'ended') NOT NULL DEFAULT 'draft',
	description	VARCHAR(1000) NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	KEY ix_tpl_merchant (merchant_id, status, id),
	CONSTRAINT fk_tpl_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_tpl_stock CHECK (stock_left IS NULL OR stock_left >= 0),
	CONSTRAINT ck_tpl_stock_max CHECK (stock_left IS NULL OR stock_left <= stock),
	CONSTRAINT ck_tpl_limit CHECK (per_member_limit >= 1),
	CONSTRAINT ck_tpl_discount CHECK (discount_pct IS NULL OR discount_pct BETWEEN 1 AND 99)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- How many coupons of a template a member has claimed: raised only by a
-- conditional upsert bounded by the template's per-member limit.
CREATE TABLE coupon_claims (
	template_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	merchant_id	BIGINT NOT NULL,
	claimed		INT NOT NULL,
	PRIMARY KEY (template_id, member_id),
	KEY ix_claims_member (merchant_id, member_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE coupons (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	code		CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	name		VARCHAR(64) NOT NULL,
	kind		ENUM('threshold', 'discount', 'instant', 'gift', 'promo_code') NOT NULL,
	value_fen	BIGINT NULL,
	threshold_fen	BIGINT NULL,
	discount_pct	TINYINT NULL,
	max_discount_fen BIGINT NULL,
	gift_item	VARCHAR(64) NULL,
	store_ids	VARCHAR(1024) NULL,
	stackable	TINYINT NOT NULL DEFAULT 0,
	description	VARCHAR(1000) NULL,
	valid_from	DATETIME NOT NULL,
	valid_until	DATETIME NOT NULL,
	-- 'expired' is never stored: an unused coupon past valid_until reads so
	status		ENUM('unused', 'used', 'cancelled') NOT NULL DEFAULT 'unused',
	channel		VARCHAR(80) NOT NULL,
	claimed_at	DATETIME NOT NULL,
	used_at		DATETIME NULL,
	used_store_id	BIGINT NULL,
	used_staff_id	BIGINT NULL,
	order_fen	BIGINT NULL,
	discount_fen	BIGINT NULL,
	cancelled_at	DATETIME NULL,
	cancelled_by	BIGINT NULL,
	cancel_reason	VARCHAR(200) NULL,
	UNIQUE KEY uq_coupon_code (merchant_id, code),
	KEY ix_coupon_member (merchant_id, member_id, id),
	KEY ix_coupon_template (merchant_id, template_id, status),
	KEY ix_coupon_used (merchant_id, used_at),
	CONSTRAINT ck_coupon_discount CHECK (discount_fen IS NULL OR discount_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE promo_code_batches (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	count		INT NOT NULL,
	created_by	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_batch_template (merchant_id, template_id),
	CONSTRAINT fk_batch_template FOREIGN KEY (template_id) REFERENCES coupon_templates (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Each code binds to the first member who redeems it (member_id set by a
-- conditional update from NULL).
CREATE TABLE promo_codes (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	batch_id	BIGINT NOT NULL,
	code		CHAR(12) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	member_id	BIGINT NULL,
	bound_at	DATETIME NULL,
	coupon_id	BIGINT NULL,
	UNIQUE KEY uq_promo_code (merchant_id, code),
	KEY ix_promo_template (merchant_id, template_id, batch_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
