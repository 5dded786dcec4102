-- Count cards (次卡): what is sold (count_card_products), the cards issued
-- when an order that sells one is paid (count_cards), and each use at the
-- counter (count_card_uses).

-- A count card on sale: uses, price, validity, the catalogue products a
-- use covers and the stores that sell it and take its uses.
CREATE TABLE count_card_products (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	name		VARCHAR(64) NOT NULL,
	uses		INT NOT NULL,
	price_fen	BIGINT NOT NULL,
	validity_kind	ENUM('days', 'until') NOT NULL,
	validity_days	INT NULL,
	validity_until	DATE NULL,
	product_ids	VARCHAR(1024) NOT NULL,	-- "[1,3]": the products a use covers
	store_ids	VARCHAR(1024) NULL,	-- NULL: every store; "[1,3]"
	active		TINYINT NOT NULL DEFAULT 1,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	KEY ix_ccp_merchant (merchant_id, id),
	CONSTRAINT fk_ccp_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id),
	CONSTRAINT ck_ccp_values CHECK (uses BETWEEN 1 AND 999 AND price_fen >= 0
	    AND (validity_kind = 'until' OR validity_days BETWEEN 1 AND 3650))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A card of a member, issued by the paid order's line (one card a line:
-- qty x uses uses). uses_total = uses_left + used + refunded_uses at all
-- times; uses_left only falls by conditional updates (a use, a refund)
-- and rises by the reversal of a use. Its terms are copied from the
-- product when it is issued.
CREATE TABLE count_cards (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	product_id	BIGINT NOT NULL,	-- count_card_products.id
	order_id	BIGINT NOT NULL,
	line_no		INT NOT NULL,
	name		VARCHAR(64) NOT NULL,
	uses_total	INT NOT NULL,
	uses_left	INT NOT NULL,
	refunded_uses	INT NOT NULL DEFAULT 0,
	product_ids	VARCHAR(1024) NOT NULL,
	store_ids	VARCHAR(1024) NULL,
	expires_at	DATETIME NOT NULL,	-- the last second it may be used (UTC)
	created_at	DATETIME NOT NULL,
	UNIQUE KEY ux_cc_line (order_id, line_no),
	-- the member's cards, and the member list's filters (EXISTS by member)
	KEY ix_cc_member (merchant_id, member_id, uses_left, expires_at),
	CONSTRAINT fk_cc_member FOREIGN KEY (member_id) REFERENCES members (id),
	CONSTRAINT fk_cc_order FOREIGN KEY (order_id) REFERENCES orders (id),
	CONSTRAINT ck_cc_uses CHECK (uses_left >= 0 AND refunded_uses >= 0
	    AND uses_left + refunded_uses <= uses_total)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A use of a card at the counter, with its store and cashier; reversed
-- (撤销) on the same local day, the last first.
CREATE TABLE count_card_uses (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	card_id		BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	uses		INT NOT NULL,
	product_id	BIGINT NULL,
	store_id	BIGINT NOT NULL,
	staff_id	BIGINT NOT NULL,
	ticket_id	BIGINT NULL,
	status		ENUM('done', 'reversed') NOT NULL DEFAULT 'done',
	created_at	DATETIME NOT NULL,
	reversed_at	DATETIME NULL,
	reversed_by	BIGINT NULL,
	KEY ix_ccu_card (card_id, id),
	CONSTRAINT fk_ccu_card FOREIGN KEY (card_id) REFERENCES count_cards (id),
	CONSTRAINT ck_ccu_uses CHECK (uses >= 1)
) ENGINE=InnoDB;

-- An order line that sells a count card: the product, and the uses each
-- unit gives. A refund of such a line counts uses (qty x card_uses of
-- them), so refunded_qty may reach that.
ALTER TABLE order_lines
	ADD COLUMN count_card_product_id BIGINT NULL,
	ADD COLUMN card_uses INT NULL,
	DROP CONSTRAINT ck_ol_amounts,
	ADD CONSTRAINT ck_ol_amounts CHECK (qty >= 1 AND net_fen >= 0
	    AND refunded_qty BETWEEN 0 AND qty * IFNULL(card_uses, 1));
