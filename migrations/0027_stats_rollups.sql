-- Daily rollups of analytics (handlers/stats/stats_rollup.c): one row per
-- merchant, merchant-local day and store (0: no store), raised by
-- INSERT ... ON DUPLICATE KEY UPDATE x = x + ? in the transaction of the
-- event they count, and recomputed from the raw rows for a range of days by
-- `app stats rebuild --from --to`. The reports read these, never members,
-- orders or coupons over a period.
--
-- Orders count on the day they were paid (gross: a later refund does not
-- take them back, refunds count on their own day); recharges on the day
-- they were paid; members on the day they joined, at the store of a
-- `store:<id>` channel, else 0.

CREATE TABLE stats_days (
	merchant_id		BIGINT NOT NULL,
	day			DATE NOT NULL,
	store_id		BIGINT NOT NULL,
	new_members		BIGINT NOT NULL DEFAULT 0,
	referred_members	BIGINT NOT NULL DEFAULT 0,
	member_orders		BIGINT NOT NULL DEFAULT 0,
	member_order_fen	BIGINT NOT NULL DEFAULT 0,
	non_member_orders	BIGINT NOT NULL DEFAULT 0,
	non_member_order_fen	BIGINT NOT NULL DEFAULT 0,
	coupon_orders		BIGINT NOT NULL DEFAULT 0,
	coupon_order_fen	BIGINT NOT NULL DEFAULT 0,
	coupon_discount_fen	BIGINT NOT NULL DEFAULT 0,
	refunds			BIGINT NOT NULL DEFAULT 0,
	refund_fen		BIGINT NOT NULL DEFAULT 0,
	recharges		BIGINT NOT NULL DEFAULT 0,
	recharge_fen		BIGINT NOT NULL DEFAULT 0,
	recharge_bonus_fen	BIGINT NOT NULL DEFAULT 0,
	-- what the day's stored-value ledger moved (wallet_entries, signed):
	-- their sum up to a day is the balance members held at its end
	balance_principal_fen	BIGINT NOT NULL DEFAULT 0,
	balance_bonus_fen	BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, store_id)
) ENGINE=InnoDB;

-- New members by join channel (kind 'join': members.channel) and
-- recharges by how they were paid (kind 'recharge': counter = cash or card
-- at the counter, online = a payment provider, checkout = the top-up inside
-- a checkout).
CREATE TABLE stats_channel_days (
	merchant_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	store_id	BIGINT NOT NULL,
	kind		ENUM('join', 'recharge') NOT NULL,
	channel		VARCHAR(64) NOT NULL,
	n		BIGINT NOT NULL DEFAULT 0,
	fen		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, kind, channel, store_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per coupon template: claims on the day of the claim (store 0; new_claims
-- of them by members who joined that same day), and coupons applied to
-- orders paid that day at the order's store (orders: distinct orders,
-- uses: coupons, order_fen: what those orders cost after discounts).
CREATE TABLE stats_coupon_days (
	merchant_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	store_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	claims		BIGINT NOT NULL DEFAULT 0,
	new_claims	BIGINT NOT NULL DEFAULT 0,
	orders		BIGINT NOT NULL DEFAULT 0,
	uses		BIGINT NOT NULL DEFAULT 0,
	discount_fen	BIGINT NOT NULL DEFAULT 0,
	order_fen	BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, template_id, store_id)
) ENGINE=InnoDB;

-- What one member did on one day at one store: orders paid, recharges,
-- new members referred; join_day for the cohorts of retention.
CREATE TABLE stats_member_days (
	merchant_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	member_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	join_day	DATE NOT NULL,
	orders		BIGINT NOT NULL DEFAULT 0,
	order_fen	BIGINT NOT NULL DEFAULT 0,
	recharges	BIGINT NOT NULL DEFAULT 0,
	recharge_fen	BIGINT NOT NULL DEFAULT 0,
	referred	BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, member_id, store_id),
	KEY ix_smd_cohort (merchant_id, join_day, day)
) ENGINE=InnoDB;

-- The rebuild reads refunds by the day they were done, the ledger by
-- the day of its entries.
ALTER TABLE wallet_entries ADD KEY ix_we_created (merchant_id, created_at);
ALTER TABLE order_refunds ADD KEY ix_or_done (merchant_id, done_at);
ALTER TABLE orders ADD KEY ix_order_paid (merchant_id, paid_at);
