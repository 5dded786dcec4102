-- Scratch cards (刮刮乐) after a paid order: marketing's campaigns with
-- their trigger, prizes and odds; one chance per (campaign, order) that
-- qualifies; the draw stored once on the chance when the member scratches.

CREATE TABLE scratch_campaigns (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	name		VARCHAR(64) NOT NULL,
	min_order_fen	BIGINT NOT NULL,	-- an order's total_fen at least this
	all_stores	TINYINT NOT NULL,	-- 0: the stores of scratch_campaign_stores
	starts_at	DATETIME NOT NULL,	-- UTC, the order's payment inside
	ends_at		DATETIME NOT NULL,
	daily_cap	INT NOT NULL,		-- chances a member a merchant day
	none_weight	INT NOT NULL,		-- the weight of "no prize"
	status		ENUM('active', 'stopped') NOT NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	KEY ix_sc_merchant (merchant_id, status, id),
	CONSTRAINT fk_sc_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_sc_window CHECK (ends_at > starts_at),
	CONSTRAINT ck_sc_counts CHECK (min_order_fen >= 0 AND daily_cap >= 1
	    AND none_weight >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE scratch_campaign_stores (
	campaign_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	PRIMARY KEY (campaign_id, store_id),
	CONSTRAINT fk_scs_campaign FOREIGN KEY (campaign_id) REFERENCES scratch_campaigns (id),
	CONSTRAINT fk_scs_store FOREIGN KEY (store_id) REFERENCES stores (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A prize: a coupon of a template, bonus balance (amount in fen) or points
-- (amount in points), with its weight and stock. stock_left is taken by a
-- conditional update (never below zero); a prize taken off a campaign by
-- an edit stays (active 0) for the chances that won it.
CREATE TABLE scratch_prizes (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	campaign_id	BIGINT NOT NULL,
	position	INT NOT NULL,
	kind		ENUM('coupon', 'bonus', 'points') NOT NULL,
	template_id	BIGINT NULL,
	amount		BIGINT NOT NULL DEFAULT 0,
	weight		INT NOT NULL,
	stock		INT NOT NULL,
	stock_left	INT NOT NULL,
	active		TINYINT NOT NULL DEFAULT 1,
	KEY ix_sp_campaign (campaign_id, active, position),
	CONSTRAINT fk_sp_campaign FOREIGN KEY (campaign_id) REFERENCES scratch_campaigns (id),
	CONSTRAINT ck_sp_stock CHECK (stock_left >= 0 AND stock_left <= stock),
	CONSTRAINT ck_sp_weight CHECK (weight >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One chance per (campaign, order), granted in the order's transaction.
-- Scratching moves it from unscratched to scratched once (a conditional
-- update) with what it won: prize_id NULL is no prize. A fully refunded
-- order's unscratched chance is void. face_fen: the coupon's face value
-- when its kind has one (the cost the console shows).
CREATE TABLE scratch_chances (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	campaign_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	order_id	BIGINT NOT NULL,
	status		ENUM('unscratched', 'scratched', 'void') NOT NULL,
	prize_id	BIGINT NULL,
	prize_kind	ENUM('coupon', 'bonus', 'points') NULL,
	amount		BIGINT NOT NULL DEFAULT 0,
	template_id	BIGINT NULL,
	coupon_code	VARCHAR(32) CHARACTER SET ascii NULL,
	prize_name	VARCHAR(64) NULL,
	face_fen	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	scratched_at	DATETIME NULL,
	voided_at	DATETIME NULL,
	UNIQUE KEY uq_sch_order (campaign_id, order_id),
	KEY ix_sch_member (merchant_id, member_id, id),
	KEY ix_sch_order (merchant_id, order_id),
	KEY ix_sch_prize (campaign_id, prize_id),
	CONSTRAINT fk_sch_campaign FOREIGN KEY (campaign_id) REFERENCES scratch_campaigns (id),
	CONSTRAINT fk_sch_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Chances granted per campaign, member and merchant day: the daily cap is
-- a conditional update of this counter.
CREATE TABLE scratch_daily (
	campaign_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	granted		INT NOT NULL DEFAULT 0,
	PRIMARY KEY (campaign_id, member_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bonus balance won by a scratch is a ledger entry of its own kind.
ALTER TABLE wallet_entries MODIFY kind
	ENUM('recharge', 'payment', 'refund', 'adjustment', 'order',
	    'order_refund', 'scratch') NOT NULL;
