-- A revision of each merchant's tier ladder, raised by any change to its
-- tiers, so that workers may keep the ladder and read one number to know
-- it is still current.
ALTER TABLE merchants ADD COLUMN tiers_rev BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER tiers_rev_insert AFTER INSERT ON tiers FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = NEW.merchant_id;
CREATE TRIGGER tiers_rev_update AFTER UPDATE ON tiers FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1
	WHERE id IN (OLD.merchant_id, NEW.merchant_id);
CREATE TRIGGER tiers_rev_delete AFTER DELETE ON tiers FOR EACH ROW
	UPDATE merchants SET tiers_rev = tiers_rev + 1 WHERE id = OLD.merchant_id;
