-- Campaign pages with their coupons and gift pack, their counters, and
-- referrals with their rewards and caps.

CREATE TABLE campaigns (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	slug		VARCHAR(64) NOT NULL,
	name		VARCHAR(64) NOT NULL,
	starts_at	DATETIME NOT NULL,
	ends_at		DATETIME NOT NULL,
	banner_url	VARCHAR(255) NULL,
	rules_text	TEXT NULL,
	published	TINYINT NOT NULL DEFAULT 1,	-- 0: draft, not shown
	paused		TINYINT NOT NULL DEFAULT 0,	-- manual pause inside the window
	share_title	VARCHAR(64) NOT NULL,
	share_desc	VARCHAR(128) NOT NULL,
	share_image_url	VARCHAR(255) NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	UNIQUE KEY uq_campaign_slug (merchant_id, slug),
	CONSTRAINT fk_campaign_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_campaign_window CHECK (ends_at > starts_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The coupons a campaign offers (gift = 0) and its gift pack for members
-- who join through it (gift = 1).
CREATE TABLE campaign_templates (
	campaign_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	gift		TINYINT NOT NULL,
	position	INT NOT NULL,
	PRIMARY KEY (campaign_id, gift, template_id),
	CONSTRAINT fk_ct_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Page views, unique visitors and shares per campaign and merchant day;
-- joins and claims are counted from members.channel and coupons.channel.
CREATE TABLE campaign_stats (
	campaign_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	views		BIGINT NOT NULL DEFAULT 0,
	visitors	BIGINT NOT NULL DEFAULT 0,
	shares		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (campaign_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE campaign_visitors (
	campaign_id	BIGINT NOT NULL,
	visitor		CHAR(32) CHARACTER SET ascii NOT NULL,
	first_at	DATETIME NOT NULL,
	PRIMARY KEY (campaign_id, visitor)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE referral_settings (
	merchant_id		BIGINT PRIMARY KEY,
	enabled			TINYINT NOT NULL DEFAULT 0,
	referrer_template_id	BIGINT NULL,
	referrer_points		BIGINT NOT NULL DEFAULT 0,
	referee_template_id	BIGINT NULL,
	referee_points		BIGINT NOT NULL DEFAULT 0,
	reward_when		ENUM('join', 'first_payment') NOT NULL DEFAULT 'join',
	daily_cap		INT NOT NULL DEFAULT 10,
	total_cap		INT NOT NULL DEFAULT 100,
	updated_at		DATETIME NOT NULL,
	CONSTRAINT fk_rs_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A referee has exactly one referrer, for good (the unique key).
CREATE TABLE referrals (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	referrer_id	BIGINT NOT NULL,
	referee_id	BIGINT NOT NULL,
	status		ENUM('pending', 'rewarded', 'capped', 'off') NOT NULL,
	created_at	DATETIME NOT NULL,
	rewarded_at	DATETIME NULL,
	UNIQUE KEY uq_referee (referee_id),
	KEY ix_referrer (merchant_id, referrer_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rewarded referrals per referrer and merchant day, and in total: raised
-- only by conditional updates bounded by the caps.
CREATE TABLE referral_counts (
	referrer_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	rewarded	INT NOT NULL,
	PRIMARY KEY (referrer_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE members ADD COLUMN referrals_rewarded INT NOT NULL DEFAULT 0;
