-- Counter tickets: a cashier's scan of a member code issues one, bound to
-- that cashier, store and member, valid five minutes; later counter
-- actions (payment, recharge) name it. Tokens are stored hashed.
CREATE TABLE tickets (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	token_hash	CHAR(64) NOT NULL,
	merchant_id	BIGINT NOT NULL,
	staff_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	created_at	DATETIME NOT NULL,
	expires_at	DATETIME NOT NULL,
	used_at		DATETIME NULL,
	UNIQUE KEY uq_ticket_token (token_hash),
	KEY ix_ticket_member (merchant_id, member_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
