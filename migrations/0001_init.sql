-- Foundation: merchants, stores, tiers, members, sign-in codes, sessions,
-- staff accounts, the audit log and idempotency records.
-- All times are UTC (the app's connections use time_zone '+00:00').

CREATE TABLE merchants (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	code		VARCHAR(32) NOT NULL,
	name		VARCHAR(64) NOT NULL,
	tz		CHAR(6) NOT NULL DEFAULT '+08:00',
	active		TINYINT NOT NULL DEFAULT 1,
	card_name	VARCHAR(32) NOT NULL DEFAULT '会员卡',
	card_bg_url	VARCHAR(255) NULL,
	card_validity	ENUM('permanent', 'until', 'months') NOT NULL DEFAULT 'permanent',
	card_valid_until DATE NULL,
	card_valid_months INT NULL,
	card_store_ids	VARCHAR(1024) NULL,	-- JSON array of store ids; NULL: all
	points_per_yuan	INT NOT NULL DEFAULT 1,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY uq_merchant_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE stores (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	name		VARCHAR(64) NOT NULL,
	address		VARCHAR(255) NULL,
	active		TINYINT NOT NULL DEFAULT 1,
	KEY ix_store_merchant (merchant_id),
	CONSTRAINT fk_store_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tiers (
	merchant_id	BIGINT NOT NULL,
	level		TINYINT NOT NULL,
	name		VARCHAR(32) NOT NULL,
	growth		BIGINT NOT NULL,
	discount_pct	TINYINT NULL,
	points_multiplier DECIMAL(4,2) NOT NULL DEFAULT 1.00,
	privileges	TEXT NOT NULL,		-- JSON [{title, desc}]
	PRIMARY KEY (merchant_id, level),
	CONSTRAINT fk_tier_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_tier_growth CHECK (growth >= 0),
	CONSTRAINT ck_tier_discount CHECK (discount_pct IS NULL OR discount_pct BETWEEN 1 AND 99)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE members (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	phone		VARCHAR(16) NOT NULL,
	name		VARCHAR(32) NULL,
	birthday	DATE NULL,
	gender		ENUM('male', 'female', 'unknown') NOT NULL DEFAULT 'unknown',
	card_no		VARCHAR(20) NOT NULL,
	channel		VARCHAR(64) NOT NULL DEFAULT 'organic',
	referral_code	VARCHAR(64) NULL,	-- as given on joining
	referrer_id	BIGINT NULL,
	growth		BIGINT NOT NULL DEFAULT 0,
	points		BIGINT NOT NULL DEFAULT 0,
	principal_fen	BIGINT NOT NULL DEFAULT 0,
	bonus_fen	BIGINT NOT NULL DEFAULT 0,
	joined_at	DATETIME NOT NULL,
	UNIQUE KEY uq_member_phone (merchant_id, phone),
	UNIQUE KEY uq_member_card (merchant_id, card_no),
	KEY ix_member_joined (merchant_id, joined_at),
	CONSTRAINT fk_member_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_member_points CHECK (points >= 0),
	CONSTRAINT ck_member_principal CHECK (principal_fen >= 0),
	CONSTRAINT ck_member_bonus CHECK (bonus_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE sms_codes (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	phone		VARCHAR(16) NOT NULL,
	code_hash	CHAR(64) NOT NULL,
	attempts	INT NOT NULL DEFAULT 0,
	created_at	DATETIME NOT NULL,
	expires_at	DATETIME NOT NULL,
	used_at		DATETIME NULL,
	KEY ix_sms_phone (merchant_id, phone, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per phone and day: the send counter and the last send, changed
-- only by conditional statements.
CREATE TABLE sms_rate (
	merchant_id	BIGINT NOT NULL,
	phone		VARCHAR(16) NOT NULL,
	day		DATE NOT NULL,
	sent		INT NOT NULL,
	last_at		DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, phone, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE staff (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	username	VARCHAR(32) NOT NULL,
	name		VARCHAR(32) NOT NULL,
	role		ENUM('owner', 'marketing', 'cashier') NOT NULL,
	password_hash	VARCHAR(255) NOT NULL,
	disabled	TINYINT NOT NULL DEFAULT 0,
	failed_logins	INT NOT NULL DEFAULT 0,
	locked_until	DATETIME NULL,
	created_at	DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	UNIQUE KEY uq_staff_username (merchant_id, username),
	CONSTRAINT fk_staff_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE staff_stores (
	staff_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	PRIMARY KEY (staff_id, store_id),
	CONSTRAINT fk_ss_staff FOREIGN KEY (staff_id) REFERENCES staff (id),
	CONSTRAINT fk_ss_store FOREIGN KEY (store_id) REFERENCES stores (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Member and staff sessions. Tokens are never stored, only their keyed hash.
CREATE TABLE sessions (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	token_hash	CHAR(64) NOT NULL,
	kind		ENUM('member', 'staff') NOT NULL,
	merchant_id	BIGINT NOT NULL,
	phone		VARCHAR(16) NULL,
	staff_id	BIGINT NULL,
	csrf_hash	CHAR(64) NULL,
	created_at	DATETIME NOT NULL,
	expires_at	DATETIME NOT NULL,
	revoked_at	DATETIME NULL,
	UNIQUE KEY uq_session_token (token_hash),
	KEY ix_session_member (merchant_id, phone)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE audit_log (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	staff_id	BIGINT NULL,
	store_id	BIGINT NULL,
	action		VARCHAR(64) NOT NULL,
	target		VARCHAR(128) NULL,
	detail		TEXT NULL,
	request_id	VARCHAR(64) NULL,
	at		DATETIME NOT NULL,
	KEY ix_audit_merchant (merchant_id, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE idempotency_keys (
	merchant_id	BIGINT NOT NULL,
	actor		VARCHAR(64) NOT NULL,
	idem_key	VARCHAR(64) NOT NULL,
	body_hash	CHAR(64) NOT NULL,
	status		INT NOT NULL DEFAULT 0,
	ctype		VARCHAR(64) NULL,
	response	MEDIUMBLOB NULL,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, actor, idem_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
