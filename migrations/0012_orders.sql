-- The catalogue, checkout settings, orders and their refunds.
--
-- An order keeps what the pricing engine gave (handlers/order/order.h):
-- its lines with each line's share of every tender, its adjustments, and
-- each line's share of each adjustment (order_allocations), so that a
-- refund computes from exactly what was charged. Money moves only with a
-- ledger entry (wallet_entries, points_entries) in the same transaction.

CREATE TABLE products (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	name		VARCHAR(64) NOT NULL,
	category	VARCHAR(32) NULL,
	price_fen	BIGINT NOT NULL,
	store_ids	VARCHAR(1024) NULL,	-- NULL: every store; "[1,3]"
	active		TINYINT NOT NULL DEFAULT 1,
	position	INT NOT NULL DEFAULT 0,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	KEY ix_product_merchant (merchant_id, active, position, id),
	CONSTRAINT fk_product_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_product_price CHECK (price_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A tier's price of a product (会员价), below or at its list price.
CREATE TABLE product_member_prices (
	product_id	BIGINT NOT NULL,
	tier_level	TINYINT NOT NULL,
	price_fen	BIGINT NOT NULL,
	PRIMARY KEY (product_id, tier_level),
	CONSTRAINT fk_pmp_product FOREIGN KEY (product_id) REFERENCES products (id)
	    ON DELETE CASCADE,
	CONSTRAINT ck_pmp_price CHECK (price_fen >= 0)
) ENGINE=InnoDB;

-- settings/checkout; a merchant without a row has the defaults.
CREATE TABLE checkout_settings (
	merchant_id		BIGINT PRIMARY KEY,
	tier_with_member_price	TINYINT NOT NULL DEFAULT 0,
	tier_only_if_balance	TINYINT NOT NULL DEFAULT 0,
	max_stackable		INT NOT NULL DEFAULT 3,
	points_enabled		TINYINT NOT NULL DEFAULT 1,
	points_per_yuan		BIGINT NOT NULL DEFAULT 100,
	points_max_pct		INT NOT NULL DEFAULT 50,
	points_max_points	BIGINT NULL,
	return_on_cancel	TINYINT NOT NULL DEFAULT 1,
	return_before_complete	TINYINT NOT NULL DEFAULT 1,
	return_after_complete	TINYINT NOT NULL DEFAULT 0,
	refund_approval_over_fen BIGINT NULL,
	unpaid_expiry_min	INT NOT NULL DEFAULT 15,
	CONSTRAINT fk_cs_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_cs_values CHECK (max_stackable BETWEEN 1 AND 16
	    AND points_per_yuan >= 1 AND points_max_pct BETWEEN 0 AND 100
	    AND unpaid_expiry_min BETWEEN 1 AND 1440)
) ENGINE=InnoDB;

-- One row per order. The tender columns are what each kind paid; the
-- refunded_* columns rise by conditional updates that cannot pass them.
CREATE TABLE orders (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	member_id	BIGINT NULL,		-- NULL: a walk-in non-member
	staff_id	BIGINT NULL,
	ticket_id	BIGINT NULL,
	channel		ENUM('counter', 'phone', 'app') NOT NULL,
	status		ENUM('pending', 'paid', 'completed', 'cancelled',
			    'refunded', 'partially_refunded') NOT NULL,
	tier_level	INT NULL,
	member_reason	VARCHAR(32) NULL,
	tier_reason	VARCHAR(32) NULL,
	total_list_fen	BIGINT NOT NULL,
	discount_fen	BIGINT NOT NULL,
	total_fen	BIGINT NOT NULL,
	points_used	BIGINT NOT NULL,
	points_fen	BIGINT NOT NULL,
	principal_fen	BIGINT NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	cash_fen	BIGINT NOT NULL,
	card_fen	BIGINT NOT NULL,
	online_fen	BIGINT NOT NULL,
	change_fen	BIGINT NOT NULL,
	earn_points	BIGINT NOT NULL,
	earn_growth	BIGINT NOT NULL,
	refunded_fen	BIGINT NOT NULL DEFAULT 0,	-- money, not points
	quote_hash	CHAR(64) CHARACTER SET ascii NOT NULL,
	out_trade_no	CHAR(25) CHARACTER SET ascii NULL,	-- online tender
	topup_recharge_id BIGINT NULL,
	was_completed	TINYINT NOT NULL DEFAULT 0,	-- completed before a refund
	created_at	DATETIME NOT NULL,
	paid_at		DATETIME NULL,
	completed_at	DATETIME NULL,
	cancelled_at	DATETIME NULL,
	expires_at	DATETIME NULL,		-- pending only
	UNIQUE KEY uq_order_ticket (ticket_id),
	UNIQUE KEY uq_order_trade (out_trade_no),
	KEY ix_order_merchant (merchant_id, id),
	KEY ix_order_store (merchant_id, store_id, id),
	KEY ix_order_member (merchant_id, member_id, id),
	KEY ix_order_pending (status, expires_at),
	KEY ix_order_day (merchant_id, created_at),
	CONSTRAINT fk_order_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT fk_order_member FOREIGN KEY (member_id) REFERENCES members (id),
	CONSTRAINT ck_order_amounts CHECK (total_fen >= 0 AND discount_fen >= 0
	    AND total_list_fen = total_fen + discount_fen AND points_fen >= 0
	    AND principal_fen >= 0 AND bonus_fen >= 0 AND cash_fen >= 0
	    AND card_fen >= 0 AND online_fen >= 0 AND change_fen >= 0
	    AND points_fen + principal_fen + bonus_fen + cash_fen + card_fen
	        + online_fen = total_fen),
	CONSTRAINT ck_order_refunded CHECK (refunded_fen BETWEEN 0
	    AND principal_fen + bonus_fen + cash_fen + card_fen + online_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A line as priced: t_* its share of each tender.
CREATE TABLE order_lines (
	order_id	BIGINT NOT NULL,
	line_no		INT NOT NULL,
	product_id	BIGINT NULL,
	name		VARCHAR(200) NOT NULL,
	category	VARCHAR(32) NULL,
	qty		BIGINT NOT NULL,
	unit_fen	BIGINT NOT NULL,
	member_unit_fen	BIGINT NULL,
	list_fen	BIGINT NOT NULL,
	net_fen		BIGINT NOT NULL,
	gift_coupon	VARCHAR(64) CHARACTER SET ascii NULL,
	t_points	BIGINT NOT NULL,
	t_principal	BIGINT NOT NULL,
	t_bonus		BIGINT NOT NULL,
	t_cash		BIGINT NOT NULL,
	t_card		BIGINT NOT NULL,
	t_online	BIGINT NOT NULL,
	refunded_qty	BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (order_id, line_no),
	KEY ix_ol_product (product_id),
	CONSTRAINT fk_ol_order FOREIGN KEY (order_id) REFERENCES orders (id),
	CONSTRAINT ck_ol_amounts CHECK (qty >= 1 AND net_fen >= 0
	    AND refunded_qty BETWEEN 0 AND qty)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE order_adjustments (
	order_id	BIGINT NOT NULL,
	seq		INT NOT NULL,
	kind		VARCHAR(16) NOT NULL,
	ref		VARCHAR(64) CHARACTER SET ascii NULL,
	base_fen	BIGINT NOT NULL,
	amount_fen	BIGINT NOT NULL,
	PRIMARY KEY (order_id, seq),
	CONSTRAINT fk_oa_order FOREIGN KEY (order_id) REFERENCES orders (id),
	CONSTRAINT ck_oa_amount CHECK (amount_fen >= 0)
) ENGINE=InnoDB;

-- Each line's share of each adjustment (分摊); rows of 0 are not kept.
CREATE TABLE order_allocations (
	order_id	BIGINT NOT NULL,
	line_no		INT NOT NULL,
	seq		INT NOT NULL,
	amount_fen	BIGINT NOT NULL,
	PRIMARY KEY (order_id, line_no, seq),
	CONSTRAINT fk_oal_order FOREIGN KEY (order_id) REFERENCES orders (id),
	CONSTRAINT ck_oal_amount CHECK (amount_fen > 0)
) ENGINE=InnoDB;

-- A refund of an order. status 'awaiting_approval' moves nothing until an
-- owner approves it; 'done' has moved what its columns say.
CREATE TABLE order_refunds (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	order_id	BIGINT NOT NULL,
	status		ENUM('awaiting_approval', 'done', 'rejected') NOT NULL,
	request		VARCHAR(4000) NOT NULL,	-- the body asked (JSON)
	reason		VARCHAR(200) NULL,
	amount_fen	BIGINT NOT NULL,	-- money
	t_points	BIGINT NOT NULL,
	t_principal	BIGINT NOT NULL,
	t_bonus		BIGINT NOT NULL,
	t_cash		BIGINT NOT NULL,
	t_card		BIGINT NOT NULL,
	t_online	BIGINT NOT NULL,
	points_returned	BIGINT NOT NULL,
	points_taken_back BIGINT NOT NULL,
	growth_taken_back BIGINT NOT NULL,
	coupons_returned VARCHAR(1200) CHARACTER SET ascii NULL,	-- "A,B"
	staff_id	BIGINT NULL,
	approved_by	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	done_at		DATETIME NULL,
	KEY ix_or_order (order_id, id),
	KEY ix_or_merchant (merchant_id, status, id),
	CONSTRAINT fk_or_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What one done refund took of one line: units, each tender, and each
-- adjustment's share ("seq:fen,seq:fen").
CREATE TABLE order_refund_lines (
	refund_id	BIGINT NOT NULL,
	line_no		INT NOT NULL,
	qty		BIGINT NOT NULL,
	t_points	BIGINT NOT NULL,
	t_principal	BIGINT NOT NULL,
	t_bonus		BIGINT NOT NULL,
	t_cash		BIGINT NOT NULL,
	t_card		BIGINT NOT NULL,
	t_online	BIGINT NOT NULL,
	adj		VARCHAR(600) CHARACTER SET ascii NOT NULL,
	PRIMARY KEY (refund_id, line_no),
	CONSTRAINT fk_orl_refund FOREIGN KEY (refund_id) REFERENCES order_refunds (id)
) ENGINE=InnoDB;

-- The order a coupon was used in (NULL for a redemption at the counter
-- without an order).
ALTER TABLE coupons ADD COLUMN order_id BIGINT NULL AFTER used_staff_id;

ALTER TABLE wallet_entries MODIFY kind
	ENUM('recharge', 'payment', 'refund', 'adjustment', 'order',
	    'order_refund') NOT NULL;

-- Points earned by an order and spent before the order is refunded are
-- taken back all the same: the balance of points may then be negative,
-- and what is spent is still checked by a conditional update (never
-- below zero by spending).
ALTER TABLE members DROP CONSTRAINT ck_member_points;

-- A balance payment is a one-line order since orders exist; the payment
-- row keeps its own view (what the balance paid, what refunds gave back).
ALTER TABLE payments ADD COLUMN order_id BIGINT NULL AFTER ticket_id;
