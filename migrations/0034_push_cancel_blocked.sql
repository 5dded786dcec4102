-- Coupon pushes: a push can be cancelled (owners and marketing; a running
-- one stops before its next batch, what it issued so far stays), and a
-- member blocked by staff is passed over by a push (outcome 'blocked',
-- counted in blocked), as over_limit is: reported, the push goes on.
ALTER TABLE coupon_pushes
	MODIFY status ENUM('queued', 'running', 'done', 'failed', 'cancelled')
		NOT NULL DEFAULT 'queued',
	ADD COLUMN blocked INT NOT NULL DEFAULT 0 AFTER skipped,
	ADD COLUMN cancelled_at DATETIME NULL AFTER finished_at;

ALTER TABLE coupon_push_members
	MODIFY outcome ENUM('issued', 'over_limit', 'out_of_stock', 'skipped',
		'blocked') NULL;
