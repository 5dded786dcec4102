-- What the member card reads on every view, kept where one row lookup
-- finds it.
--
-- sessions.member_id: the member a member session belongs to, so that the
-- card joins sessions to members by primary key. Filled when the session
-- is made (its phone has joined already) and when the phone joins (its
-- sessions so far). A member's phone never changes.
--
-- members.coupons_live, coupons_next, coupons_cut, coupons_rev: the member's
-- unused coupons that were still valid at coupons_cut, how many
-- (coupons_live) and the earliest valid_until among them (coupons_next,
-- NULL when none). Kept by the triggers below in the transaction that
-- changes a coupon. While coupons_next has not passed, coupons_live is
-- exactly the number of unused coupons not expired (the others expired
-- before coupons_cut). Once it has passed, the card counts afresh and
-- moves coupons_cut to the moment it counted, on the condition that
-- coupons_rev (raised by every trigger) is what it read; see
-- handlers/member.c. A coupon's merchant and member never change.

ALTER TABLE sessions ADD COLUMN member_id BIGINT NULL AFTER phone;

ALTER TABLE members
	ADD COLUMN coupons_live INT NOT NULL DEFAULT 0,
	ADD COLUMN coupons_next DATETIME NULL,
	ADD COLUMN coupons_cut DATETIME NOT NULL DEFAULT '1000-01-01 00:00:00',
	ADD COLUMN coupons_rev BIGINT NOT NULL DEFAULT 0;

UPDATE sessions s JOIN members mb
	ON mb.merchant_id = s.merchant_id AND mb.phone = s.phone
	SET s.member_id = mb.id
	WHERE s.kind = 'member';

UPDATE members mb SET
	coupons_live = (SELECT COUNT(*) FROM coupons c
	    WHERE c.merchant_id = mb.merchant_id AND c.member_id = mb.id
	    AND c.status = 'unused'),
	coupons_next = (SELECT MIN(c.valid_until) FROM coupons c
	    WHERE c.merchant_id = mb.merchant_id AND c.member_id = mb.id
	    AND c.status = 'unused');

CREATE TRIGGER sessions_member BEFORE INSERT ON sessions FOR EACH ROW
	SET NEW.member_id = IF(NEW.kind = 'member', (SELECT mb.id FROM members mb
	    WHERE mb.merchant_id = NEW.merchant_id AND mb.phone = NEW.phone),
	    NULL);

CREATE TRIGGER members_sessions AFTER INSERT ON members FOR EACH ROW
	UPDATE sessions SET member_id = NEW.id
	WHERE merchant_id = NEW.merchant_id AND phone = NEW.phone
	AND kind = 'member';

CREATE TRIGGER coupons_live_insert AFTER INSERT ON coupons FOR EACH ROW
	UPDATE members SET
	    coupons_live = coupons_live + 1,
	    coupons_next = LEAST(IFNULL(coupons_next, NEW.valid_until),
		NEW.valid_until),
	    coupons_rev = coupons_rev + 1
	WHERE id = NEW.member_id AND NEW.status = 'unused'
	AND NEW.valid_until >= coupons_cut;

CREATE TRIGGER coupons_live_update AFTER UPDATE ON coupons FOR EACH ROW
	UPDATE members SET
	    coupons_live = coupons_live
		- (OLD.status = 'unused' AND OLD.valid_until >= coupons_cut)
		+ (NEW.status = 'unused' AND NEW.valid_until >= coupons_cut),
	    coupons_next = (SELECT MIN(c.valid_until) FROM coupons c
		WHERE c.merchant_id = NEW.merchant_id
		AND c.member_id = NEW.member_id AND c.status = 'unused'
		AND c.valid_until >= members.coupons_cut),
	    coupons_rev = coupons_rev + 1
	WHERE id = NEW.member_id
	AND NOT (OLD.status <=> NEW.status AND OLD.valid_until <=> NEW.valid_until)
	AND ((OLD.status = 'unused' AND OLD.valid_until >= coupons_cut)
	    OR (NEW.status = 'unused' AND NEW.valid_until >= coupons_cut));

CREATE TRIGGER coupons_live_delete AFTER DELETE ON coupons FOR EACH ROW
	UPDATE members SET
	    coupons_live = coupons_live - 1,
	    coupons_next = (SELECT MIN(c.valid_until) FROM coupons c
		WHERE c.merchant_id = OLD.merchant_id
		AND c.member_id = OLD.member_id AND c.status = 'unused'
		AND c.valid_until >= members.coupons_cut),
	    coupons_rev = coupons_rev + 1
	WHERE id = OLD.member_id AND OLD.status = 'unused'
	AND OLD.valid_until >= coupons_cut;
