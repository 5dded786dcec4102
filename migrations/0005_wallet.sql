-- Stored value: recharge packages and deduction settings, recharges, the
-- principal/bonus ledger, bonus received per day (frozen-bonus rule),
-- balance payments, refunds and the points ledger.
-- members.principal_fen / bonus_fen / points (0001) are the accounts; each
-- always equals the sum of the member's ledger entries, and every change
-- writes its entry in the same transaction.

-- One row per merchant: the custom-amount limits and the deduction rules.
CREATE TABLE wallet_settings (
	merchant_id	BIGINT PRIMARY KEY,
	custom_enabled	TINYINT NOT NULL DEFAULT 1,
	custom_min_fen	BIGINT NOT NULL DEFAULT 1000,
	custom_max_fen	BIGINT NOT NULL DEFAULT 500000,
	split		ENUM('principal_first', 'bonus_first', 'proportional')
			NOT NULL DEFAULT 'principal_first',
	bonus_pct	TINYINT NULL,
	freeze_same_day_bonus TINYINT NOT NULL DEFAULT 0,
	cap_kind	ENUM('none', 'first_amount', 'first_pct', 'each_amount',
			'each_pct', 'order_ranges') NOT NULL DEFAULT 'none',
	cap_amount_fen	BIGINT NULL,
	cap_pct		TINYINT NULL,
	updated_at	DATETIME NOT NULL,
	CONSTRAINT fk_ws_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_ws_custom CHECK (custom_min_fen >= 1 AND custom_max_fen >= custom_min_fen),
	CONSTRAINT ck_ws_bonus_pct CHECK (bonus_pct IS NULL OR bonus_pct BETWEEN 1 AND 99),
	CONSTRAINT ck_ws_cap_pct CHECK (cap_pct IS NULL OR cap_pct BETWEEN 1 AND 100)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The cap by order range: [from_fen, to_fen] -> cap_fen, in order.
CREATE TABLE deduction_ranges (
	merchant_id	BIGINT NOT NULL,
	position	INT NOT NULL,
	from_fen	BIGINT NOT NULL,
	to_fen		BIGINT NOT NULL,
	cap_fen		BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, position),
	CONSTRAINT fk_dr_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_dr_range CHECK (from_fen >= 0 AND to_fen >= from_fen AND cap_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Packages (pay X get Y). Recharges name them, so a package taken off the
-- list is only marked inactive.
CREATE TABLE recharge_packages (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	position	INT NOT NULL,
	pay_fen		BIGINT NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	label		VARCHAR(32) NOT NULL,
	recommended	TINYINT NOT NULL DEFAULT 0,
	active		TINYINT NOT NULL DEFAULT 1,
	created_at	DATETIME NOT NULL,
	KEY ix_rp_merchant (merchant_id, active, position),
	CONSTRAINT fk_rp_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_rp_amounts CHECK (pay_fen >= 1 AND bonus_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Recharges: online ones start pending and become paid only through the
-- provider's notify (a conditional update decides, once); counter ones
-- (cash or card) are paid when created.
CREATE TABLE recharges (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	package_id	BIGINT NULL,
	provider	VARCHAR(16) NOT NULL,	-- sandbox | cash | card
	out_trade_no	VARCHAR(64) NOT NULL,
	pay_fen		BIGINT NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	status		ENUM('pending', 'paid') NOT NULL,
	store_id	BIGINT NULL,
	staff_id	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	paid_at		DATETIME NULL,
	UNIQUE KEY uq_recharge_trade (provider, out_trade_no),
	KEY ix_recharge_member (merchant_id, member_id, id),
	KEY ix_recharge_paid (merchant_id, paid_at),
	CONSTRAINT fk_rc_member FOREIGN KEY (member_id) REFERENCES members (id),
	CONSTRAINT ck_rc_amounts CHECK (pay_fen >= 1 AND bonus_fen >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Balance payments. Refunds raise refunded_* by a conditional update that
-- can never pass what was paid from each account. One payment per ticket.
CREATE TABLE payments (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	staff_id	BIGINT NULL,
	ticket_id	BIGINT NULL,
	channel		ENUM('counter', 'app') NOT NULL,
	order_fen	BIGINT NOT NULL,
	principal_fen	BIGINT NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	refunded_principal_fen BIGINT NOT NULL DEFAULT 0,
	refunded_bonus_fen BIGINT NOT NULL DEFAULT 0,
	growth		BIGINT NOT NULL,
	points		BIGINT NOT NULL,
	growth_kept	BIGINT NOT NULL,	-- what refunds have not taken back
	points_kept	BIGINT NOT NULL,
	created_at	DATETIME NOT NULL,
	UNIQUE KEY uq_payment_ticket (ticket_id),
	KEY ix_payment_member (merchant_id, member_id, id),
	KEY ix_payment_store (merchant_id, store_id, id),
	CONSTRAINT fk_pay_member FOREIGN KEY (member_id) REFERENCES members (id),
	CONSTRAINT ck_pay_amounts CHECK (principal_fen >= 0 AND bonus_fen >= 0
	    AND principal_fen + bonus_fen <= order_fen),
	CONSTRAINT ck_pay_refunds CHECK (refunded_principal_fen BETWEEN 0 AND principal_fen
	    AND refunded_bonus_fen BETWEEN 0 AND bonus_fen),
	CONSTRAINT ck_pay_kept CHECK (growth_kept BETWEEN 0 AND growth
	    AND points_kept BETWEEN 0 AND points)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE refunds (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	payment_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	amount_fen	BIGINT NOT NULL,
	principal_fen	BIGINT NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	growth		BIGINT NOT NULL,	-- taken back
	points		BIGINT NOT NULL,	-- taken back
	staff_id	BIGINT NULL,
	store_id	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_refund_payment (payment_id),
	KEY ix_refund_merchant (merchant_id, created_at),
	CONSTRAINT fk_refund_payment FOREIGN KEY (payment_id) REFERENCES payments (id),
	CONSTRAINT ck_refund_amounts CHECK (amount_fen >= 1
	    AND principal_fen >= 0 AND bonus_fen >= 0
	    AND principal_fen + bonus_fen = amount_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The money ledger: immutable, one entry per movement, both accounts.
-- Signed: a recharge or refund is positive, a payment negative.
CREATE TABLE wallet_entries (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	kind		ENUM('recharge', 'payment', 'refund', 'adjustment') NOT NULL,
	principal_fen	BIGINT NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	ref		VARCHAR(64) NOT NULL,	-- "recharge:12", "payment:34"
	staff_id	BIGINT NULL,
	store_id	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_we_member (merchant_id, member_id, id),
	CONSTRAINT fk_we_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Bonus received per member per merchant-local day (recharges only): what
-- the frozen-bonus rule holds back on that day.
CREATE TABLE wallet_bonus_days (
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	bonus_fen	BIGINT NOT NULL,
	PRIMARY KEY (merchant_id, member_id, day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The points ledger, like the money ledger: members.points is its sum.
CREATE TABLE points_entries (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	kind		VARCHAR(16) NOT NULL,	-- payment | refund | adjustment | ...
	points		BIGINT NOT NULL,
	ref		VARCHAR(64) NOT NULL,
	created_at	DATETIME NOT NULL,
	KEY ix_pe_member (merchant_id, member_id, id),
	CONSTRAINT fk_pe_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
