-- Stores the owner manages (a phone, own or a partner's, created when) and
-- the partner role: a partner's staff account works at exactly one partner
-- store and redeems only the coupons of templates the owner has shared
-- with that store. A store is never deleted: deactivating it keeps its
-- history (orders, redemptions, staff assignments).
ALTER TABLE stores
	ADD COLUMN phone	VARCHAR(20) NULL AFTER address,
	ADD COLUMN kind		ENUM('own', 'partner') NOT NULL DEFAULT 'own' AFTER phone,
	ADD COLUMN created_at	DATETIME NULL;

ALTER TABLE staff
	MODIFY role ENUM('owner', 'marketing', 'cashier', 'partner') NOT NULL;

-- The partner stores a coupon template is shared with.
CREATE TABLE coupon_template_partners (
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	store_id	BIGINT NOT NULL,
	created_at	DATETIME NOT NULL,
	PRIMARY KEY (template_id, store_id),
	KEY ix_ctp_store (merchant_id, store_id),
	CONSTRAINT fk_ctp_template FOREIGN KEY (template_id) REFERENCES coupon_templates (id),
	CONSTRAINT fk_ctp_store FOREIGN KEY (store_id) REFERENCES stores (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A staff member's own redemptions, newest first (the partner's 核销 page).
ALTER TABLE coupons
	ADD KEY ix_coupon_used_staff (merchant_id, used_staff_id, used_at);
