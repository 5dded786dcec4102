-- Points that expire and pay: every earning is a lot with its expiry,
-- spending takes lots oldest expiry first, a daily job expires what is
-- left, and a refund that takes back more than the member still holds
-- records the shortfall as negative points, which later earnings pay off
-- first. Invariants (tests/http/points.test.mjs):
--   members.points = SUM(points_lots.left_points) >= 0
--   SUM(points_entries.points) = members.points - members.negative_points

-- Earning, caps, bonuses and expiry (the rate a yuan stays in
-- merchants.points_per_yuan). Defaults when no row: earn, no caps, no
-- bonuses, never expire.
CREATE TABLE points_settings (
	merchant_id	BIGINT PRIMARY KEY,
	earn_enabled	TINYINT NOT NULL DEFAULT 1,
	per_order_cap	BIGINT NULL,		-- NULL: no cap
	per_day_cap	BIGINT NULL,
	join_points	BIGINT NOT NULL DEFAULT 0,
	profile_points	BIGINT NOT NULL DEFAULT 0,
	expiry_mode	ENUM('never', 'months', 'year_end') NOT NULL DEFAULT 'never',
	expiry_months	INT NOT NULL DEFAULT 12,
	updated_at	DATETIME NOT NULL,
	CONSTRAINT fk_pts_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB;

-- One lot per earning: what is left of it and the last local day it can
-- be spent (NULL: never expires).
CREATE TABLE points_lots (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	points		BIGINT NOT NULL,
	left_points	BIGINT NOT NULL,
	expires_on	DATE NULL,
	kind		VARCHAR(16) CHARACTER SET ascii NOT NULL,
	ref		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_pl_member (merchant_id, member_id, expires_on),
	KEY ix_pl_ref (merchant_id, member_id, ref),
	KEY ix_pl_expiry (merchant_id, expires_on, member_id),
	CONSTRAINT fk_pl_member FOREIGN KEY (member_id) REFERENCES members (id),
	CONSTRAINT ck_pl_left CHECK (left_points >= 0 AND left_points <= points)
) ENGINE=InnoDB;

-- What a spending (ref "order:12", "exchange:5") took from which lot, so
-- that points given back return to the lots they came from.
CREATE TABLE points_lot_uses (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	ref		VARCHAR(64) CHARACTER SET ascii NOT NULL,
	lot_id		BIGINT NOT NULL,
	points		BIGINT NOT NULL,
	KEY ix_plu_ref (merchant_id, member_id, ref),
	CONSTRAINT fk_plu_lot FOREIGN KEY (lot_id) REFERENCES points_lots (id),
	CONSTRAINT ck_plu_points CHECK (points >= 0)
) ENGINE=InnoDB;

-- Points earned by orders on one local day, for the daily cap.
CREATE TABLE points_earn_days (
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	points		BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, member_id, day)
) ENGINE=InnoDB;

-- The points shop: a coupon template offered for points, with its own
-- stock and limit per member.
CREATE TABLE points_shop_items (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	title		VARCHAR(64) NOT NULL,
	points		BIGINT NOT NULL,
	stock		BIGINT NOT NULL,
	stock_left	BIGINT NOT NULL,
	per_member_limit INT NOT NULL DEFAULT 1,
	active		TINYINT NOT NULL DEFAULT 1,
	position	INT NOT NULL DEFAULT 0,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	KEY ix_psi_merchant (merchant_id, active, position, id),
	CONSTRAINT fk_psi_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT fk_psi_template FOREIGN KEY (template_id) REFERENCES coupon_templates (id),
	CONSTRAINT ck_psi_stock CHECK (stock_left >= 0 AND stock_left <= stock),
	CONSTRAINT ck_psi_points CHECK (points > 0)
) ENGINE=InnoDB;

-- Exchanges per item and member, raised by a conditional update (the limit).
CREATE TABLE points_shop_counts (
	item_id		BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	merchant_id	BIGINT NOT NULL,
	exchanged	INT NOT NULL,
	PRIMARY KEY (item_id, member_id)
) ENGINE=InnoDB;

CREATE TABLE points_exchanges (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	item_id		BIGINT NOT NULL,
	points		BIGINT NOT NULL,
	coupon_code	VARCHAR(32) NOT NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_px_member (merchant_id, member_id, id),
	KEY ix_px_item (merchant_id, item_id),
	CONSTRAINT fk_px_item FOREIGN KEY (item_id) REFERENCES points_shop_items (id)
) ENGINE=InnoDB;

-- What a refund took back beyond what the member held.
ALTER TABLE members ADD COLUMN negative_points BIGINT NOT NULL DEFAULT 0 AFTER points;

-- A balance that went below zero on a clawback becomes negative points.
UPDATE members SET negative_points = -points, points = 0 WHERE points < 0;
ALTER TABLE members ADD CONSTRAINT ck_member_points CHECK (points >= 0);
ALTER TABLE members ADD CONSTRAINT ck_member_negative CHECK (negative_points >= 0);

-- Existing points become one lot each, expiring never (the default), so
-- that the lots still add up to the balance.
INSERT INTO points_lots (merchant_id, member_id, points, left_points,
	expires_on, kind, ref, created_at)
SELECT merchant_id, id, points, points, NULL, 'opening', 'migration:0015',
	UTC_TIMESTAMP()
FROM members WHERE points > 0;
