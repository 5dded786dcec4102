-- Staff actions on a member (owner): adjustments of points and bonus,
-- a tier set by hand until a day, blocking; the physical card and its
-- PIN.
--
-- members.blocked_at, blocked_reason: a blocked (frozen) member pays
-- nothing and claims nothing until unblocked (handlers/member/
-- member_status.c decides, every pay and claim path asks it).
-- members.tier_manual_until: the last merchant-local day a tier set by
-- hand holds ('9999-12-31': until staff set it again); the daily
-- tier-review leaves such a member alone through that day and nothing
-- lowers its growth below its tier's threshold meanwhile.
-- members.physical_card_no: a physical card bound by staff, unique per
-- merchant (NULLs repeat); rebinding overwrites and frees the old number.
-- members.pin_hash (crypto_pwhash_str), pin_fails: wrong tries in a row,
-- raised by a conditional UPDATE, at 5 the PIN is locked until the member
-- sets a new one on the phone.
ALTER TABLE members
	ADD COLUMN blocked_at DATETIME NULL,
	ADD COLUMN blocked_reason VARCHAR(200) NULL,
	ADD COLUMN tier_manual_until DATE NULL,
	ADD COLUMN physical_card_no VARCHAR(20) CHARACTER SET ascii NULL,
	ADD COLUMN pin_hash VARCHAR(128) CHARACTER SET ascii NULL,
	ADD COLUMN pin_fails INT NOT NULL DEFAULT 0,
	ADD UNIQUE KEY uq_member_physical_card (merchant_id, physical_card_no),
	ADD CONSTRAINT ck_member_pin_fails CHECK (pin_fails >= 0 AND pin_fails <= 5);

-- A counter ticket from a card scan without its PIN identifies the
-- member (points, coupons) but pays nothing from the balance.
ALTER TABLE tickets ADD COLUMN no_balance TINYINT NOT NULL DEFAULT 0;

-- The staff's reason of a tier set by hand, beside its history row.
ALTER TABLE tier_changes ADD COLUMN note VARCHAR(200) NULL;

-- A member's detail lists the staff actions on it.
ALTER TABLE audit_log ADD KEY ix_audit_target (merchant_id, target, id);

-- Every kind of a stored-value ledger entry, with the staff's adjustment
-- of the bonus balance.
ALTER TABLE wallet_entries MODIFY kind
	ENUM('recharge', 'payment', 'refund', 'adjustment', 'order',
	    'order_refund', 'tier_reward', 'scratch', 'staff_adjust') NOT NULL;
