-- Tiers that move both ways (保级与降级), what earns growth, upgrade rewards
-- and the history of every tier move.
--
-- members.growth stays the one number a tier is read from (tier/tier.h);
-- members.tier_level is the tier the member was last moved to and
-- tier_since when (the start of the term that keeping counts from). Every
-- change of growth is a row of growth_entries in the same transaction, so
-- that "growth earned in the last N months" can be read; a downgrade sets
-- growth to the new tier's threshold with an entry of kind 'downgrade',
-- which no window counts.

CREATE TABLE tier_policies (
	merchant_id	BIGINT PRIMARY KEY,
	per_yuan_paid	INT NOT NULL DEFAULT 1,		-- growth a yuan paid
	per_order	INT NOT NULL DEFAULT 0,		-- growth an order
	per_yuan_recharged INT NOT NULL DEFAULT 0,	-- growth a yuan recharged
	mode		ENUM('none', 'rolling', 'fixed') NOT NULL DEFAULT 'none',
	months		INT NOT NULL DEFAULT 12,	-- rolling: the window
	days		INT NOT NULL DEFAULT 365,	-- fixed: a term
	step		ENUM('one', 'qualify') NOT NULL DEFAULT 'one',
	min_days_in_tier INT NOT NULL DEFAULT 0,
	notice_days	INT NOT NULL DEFAULT 15,
	CONSTRAINT fk_tier_policy_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a tier asks to be kept and gives on reaching it, by level (the
-- tiers rows are replaced whole by the settings; these stay by level).
CREATE TABLE tier_terms (
	merchant_id	BIGINT NOT NULL,
	level		TINYINT NOT NULL,
	keep_growth	BIGINT NOT NULL DEFAULT 0,
	reward_templates VARCHAR(255) NOT NULL DEFAULT '[]',	-- JSON ids
	reward_bonus_fen BIGINT NOT NULL DEFAULT 0,
	reward_points	BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, level),
	CONSTRAINT fk_tier_terms_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_tier_terms CHECK (keep_growth >= 0 AND reward_bonus_fen >= 0 AND reward_points >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Workers keep the policy and terms with the ladder (tier/tier.c): a
-- change to either raises the ladder's revision, as one to tiers does.
CREATE TRIGGER tier_policy_rev_insert AFTER INSERT ON tier_policies FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = NEW.merchant_id;
CREATE TRIGGER tier_policy_rev_update AFTER UPDATE ON tier_policies FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = NEW.merchant_id;
CREATE TRIGGER tier_terms_rev_insert AFTER INSERT ON tier_terms FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = NEW.merchant_id;
CREATE TRIGGER tier_terms_rev_update AFTER UPDATE ON tier_terms FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = NEW.merchant_id;
CREATE TRIGGER tier_terms_rev_delete AFTER DELETE ON tier_terms FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = OLD.merchant_id;

ALTER TABLE members
	ADD COLUMN tier_level TINYINT NOT NULL DEFAULT 1,
	ADD COLUMN tier_since DATETIME NULL;

UPDATE members mb SET tier_level = COALESCE((SELECT MAX(t.level) FROM tiers t
	WHERE t.merchant_id = mb.merchant_id AND t.growth <= mb.growth), 1);

CREATE TABLE growth_entries (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	kind		VARCHAR(16) NOT NULL,	-- order, order_clawback, refund,
						-- recharge, downgrade
	growth		BIGINT NOT NULL,	-- signed
	ref		VARCHAR(64) NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_growth_member (merchant_id, member_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE tier_changes (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	from_level	TINYINT NOT NULL,
	to_level	TINYINT NOT NULL,
	reason		VARCHAR(16) NOT NULL,	-- growth, refund, keep, rules
	source		VARCHAR(64) NOT NULL,	-- order:12, job:2027-03-01
	created_at	DATETIME NOT NULL,
	KEY ix_tier_change_member (merchant_id, member_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The upgrade reward of a tier, once per member and level: the row
-- decides, whatever the member's path up and down.
CREATE TABLE tier_rewards (
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	level		TINYINT NOT NULL,
	coupons		INT NOT NULL DEFAULT 0,
	coupons_refused	INT NOT NULL DEFAULT 0,
	bonus_fen	BIGINT NOT NULL DEFAULT 0,
	points		BIGINT NOT NULL DEFAULT 0,
	source		VARCHAR(64) NOT NULL,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, member_id, level)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The bonus balance a tier's upgrade reward credits.
ALTER TABLE wallet_entries MODIFY kind
	ENUM('recharge', 'payment', 'refund', 'adjustment', 'order',
	    'order_refund', 'tier_reward') NOT NULL;
