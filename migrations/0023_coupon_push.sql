-- Coupon pushes (定向发券): staff issue one template's coupon to members
-- of the member list's filter, to pasted phones or card numbers, or to
-- named members. The push row holds its progress; the job coupon-pushes
-- works through it in batches, each batch in one transaction with the
-- push's cursor and counts. A filter's members are first collected into
-- coupon_push_members (phase 'collect'), a list's when the push is made;
-- then each row's outcome is set once (phase 'issue'), in the transaction
-- that issues its coupon: the primary key (push_id, member_id) and the
-- conditional update of a row still without an outcome make it once per
-- member and push however often a batch is run again.
CREATE TABLE coupon_pushes (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	template_id	BIGINT NOT NULL,
	target		ENUM('filter', 'phones', 'member_ids') NOT NULL,
	filter		VARCHAR(1024) NULL,	-- the member list's query string
	status		ENUM('queued', 'running', 'done', 'failed') NOT NULL
			DEFAULT 'queued',
	phase		ENUM('collect', 'issue') NOT NULL,
	collect_cursor	VARCHAR(64) CHARACTER SET ascii NULL,
	max_member_id	BIGINT NOT NULL,	-- who had joined when it was made
	`cursor`	BIGINT NOT NULL DEFAULT 0,	-- the last member issued
	total		INT NULL,		-- NULL while a filter collects
	issued		INT NOT NULL DEFAULT 0,
	over_limit	INT NOT NULL DEFAULT 0,
	out_of_stock	INT NOT NULL DEFAULT 0,
	skipped		INT NOT NULL DEFAULT 0,
	unknown		TEXT NULL,		-- JSON array: pasted, not found
	unknown_count	INT NOT NULL DEFAULT 0,
	send_at		DATETIME NULL,		-- not before (UTC); NULL: now
	error		VARCHAR(255) NULL,
	staff_id	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	started_at	DATETIME NULL,
	finished_at	DATETIME NULL,
	KEY ix_push_merchant (merchant_id, id),
	KEY ix_push_pending (merchant_id, status, id),
	CONSTRAINT fk_push_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE coupon_push_members (
	push_id		BIGINT NOT NULL,
	member_id	BIGINT NOT NULL,
	merchant_id	BIGINT NOT NULL,
	outcome		ENUM('issued', 'over_limit', 'out_of_stock', 'skipped') NULL,
	coupon_id	BIGINT NULL,
	PRIMARY KEY (push_id, member_id),
	KEY ix_cpm_outcome (push_id, outcome),
	CONSTRAINT fk_cpm_push FOREIGN KEY (push_id) REFERENCES coupon_pushes (id),
	CONSTRAINT fk_cpm_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The standing new-member gift (settings/new-member-gift): templates
-- granted to every member in the transaction of joining, by any channel.
CREATE TABLE new_member_gifts (
	merchant_id	BIGINT PRIMARY KEY,
	enabled		TINYINT(1) NOT NULL DEFAULT 0,
	template_ids	VARCHAR(512) CHARACTER SET ascii NOT NULL DEFAULT '[]',
	updated_at	DATETIME NOT NULL,
	CONSTRAINT fk_nmg_merchant FOREIGN KEY (merchant_id) REFERENCES merchants (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
