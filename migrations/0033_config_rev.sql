-- A revision of what a merchant's quotes are priced from besides the
-- member, the merchant's own row and the tier ladder (tiers_rev): the
-- checkout, wallet and privilege settings, the deduction ranges, the
-- recharge packages (a quote's top-up suggestions), the stores and who
-- works at them, the products and their member prices.
-- Any change to one of them raises it, so that each worker may keep them
-- (order/order_quote.c, catalog/catalog.c) and read one number along with
-- the member to know its copy is still current. A table of its own, not a
-- column of merchants: a trigger may not change a table its statement
-- reads, and statements such as INSERT INTO products ... SELECT ... FROM
-- merchants are common. No row: revision 0. Rows are changed by staff
-- only: no hot path writes these tables.
CREATE TABLE config_revs (
	merchant_id	BIGINT PRIMARY KEY,
	rev		BIGINT NOT NULL
) ENGINE=InnoDB;

CREATE TRIGGER checkout_rev_insert AFTER INSERT ON checkout_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER checkout_rev_update AFTER UPDATE ON checkout_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER checkout_rev_delete AFTER DELETE ON checkout_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER wallet_settings_rev_insert AFTER INSERT ON wallet_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER wallet_settings_rev_update AFTER UPDATE ON wallet_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER wallet_settings_rev_delete AFTER DELETE ON wallet_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER deduction_ranges_rev_insert AFTER INSERT ON deduction_ranges FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER deduction_ranges_rev_update AFTER UPDATE ON deduction_ranges FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER deduction_ranges_rev_delete AFTER DELETE ON deduction_ranges FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER recharge_packages_rev_insert AFTER INSERT ON recharge_packages FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER recharge_packages_rev_update AFTER UPDATE ON recharge_packages FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER recharge_packages_rev_delete AFTER DELETE ON recharge_packages FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER privilege_settings_rev_insert AFTER INSERT ON privilege_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER privilege_settings_rev_update AFTER UPDATE ON privilege_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER privilege_settings_rev_delete AFTER DELETE ON privilege_settings FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER stores_rev_insert AFTER INSERT ON stores FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER stores_rev_update AFTER UPDATE ON stores FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER stores_rev_delete AFTER DELETE ON stores FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER staff_stores_rev_insert AFTER INSERT ON staff_stores FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	SELECT merchant_id, 1 FROM stores WHERE id = NEW.store_id
	ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER staff_stores_rev_update AFTER UPDATE ON staff_stores FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	SELECT merchant_id, 1 FROM stores WHERE id = NEW.store_id
	ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER staff_stores_rev_delete AFTER DELETE ON staff_stores FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	SELECT merchant_id, 1 FROM stores WHERE id = OLD.store_id
	ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER products_rev_insert AFTER INSERT ON products FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER products_rev_update AFTER UPDATE ON products FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (NEW.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER products_rev_delete AFTER DELETE ON products FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	VALUES (OLD.merchant_id, 1) ON DUPLICATE KEY UPDATE rev = rev + 1;

CREATE TRIGGER member_prices_rev_insert AFTER INSERT ON product_member_prices FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	SELECT merchant_id, 1 FROM products WHERE id = NEW.product_id
	ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER member_prices_rev_update AFTER UPDATE ON product_member_prices FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	SELECT merchant_id, 1 FROM products WHERE id = NEW.product_id
	ON DUPLICATE KEY UPDATE rev = rev + 1;
CREATE TRIGGER member_prices_rev_delete AFTER DELETE ON product_member_prices FOR EACH ROW
	INSERT INTO config_revs (merchant_id, rev)
	SELECT merchant_id, 1 FROM products WHERE id = OLD.product_id
	ON DUPLICATE KEY UPDATE rev = rev + 1;
