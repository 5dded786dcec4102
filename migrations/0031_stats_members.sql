-- The members and stored-value reports from rollups (handlers/stats/), and
-- the rollups' hot rows spread.
--
-- Slots: an order, a payment or a recharge at a store raised the one
-- stats_days row of its store and day (and a stats_channel_days row),
-- held until commit, so that orders at one store queued behind each
-- other. Writers now add to the row of their slot, CONNECTION_ID() % 16,
-- each worker's connection its own; `app stats rebuild` writes slot 0;
-- readers SUM over the slots, as they sum over days and stores.
ALTER TABLE stats_days
	ADD COLUMN slot TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER store_id,
	-- balance payments (payments rows) on the day they were made: how
	-- many, their orders' amount, what the balance paid of them
	ADD COLUMN wallet_payments BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN wallet_payment_order_fen BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN wallet_paid_principal_fen BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN wallet_paid_bonus_fen BIGINT NOT NULL DEFAULT 0,
	-- what refunds of balance payments (refunds rows) gave back that day
	ADD COLUMN wallet_refunded_fen BIGINT NOT NULL DEFAULT 0,
	-- members whose balance became positive that day minus those whose
	-- balance fell to zero (by each ledger entry): their sum over all
	-- days is the members who hold a balance now
	ADD COLUMN balance_holders BIGINT NOT NULL DEFAULT 0,
	DROP PRIMARY KEY,
	ADD PRIMARY KEY (merchant_id, day, store_id, slot);

-- Recharges also by package (channel: the package's id, '0' a custom
-- amount; bonus_fen their bonus) and by provider (channel: cash, card,
-- counter, sandbox, ...), both at store 0 (merchant-wide figures). The
-- daily job stats-fold folds the slots of days past into slot 0 (every
-- counter column of the slotted tables is listed there).
ALTER TABLE stats_channel_days
	MODIFY kind ENUM('join', 'recharge', 'package', 'provider') NOT NULL,
	ADD COLUMN slot TINYINT UNSIGNED NOT NULL DEFAULT 0 AFTER channel,
	ADD COLUMN bonus_fen BIGINT NOT NULL DEFAULT 0,
	DROP PRIMARY KEY,
	-- a report reads one kind over its days
	ADD PRIMARY KEY (merchant_id, kind, day, channel, store_id, slot);

-- Balance payments of a member on a day at a store; a member's days in
-- order (the day before a day, for stats_active_days).
ALTER TABLE stats_member_days
	ADD COLUMN payments BIGINT NOT NULL DEFAULT 0,
	ADD KEY ix_smd_member (merchant_id, member_id, day);

-- The members who paid from stored value (kind payment) or recharged
-- (recharge) in a period, without counting them one by one: a member's
-- first day of the kind in a period is a day of the period whose previous
-- day of that kind (prev_day; '1000-01-01': none) is before the period.
-- members counts the member-days by (day, prev_day), so that those of a
-- period are SUM(members) WHERE day BETWEEN first AND last AND prev_day <
-- first: at most a row per pair of days, whatever the members.
CREATE TABLE stats_active_days (
	merchant_id	BIGINT NOT NULL,
	kind		ENUM('payment', 'recharge') NOT NULL,
	day		DATE NOT NULL,
	prev_day	DATE NOT NULL,
	members		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, kind, day, prev_day)
) ENGINE=InnoDB;

-- Members by the day they joined (merchant-local) and the tier they are
-- in now (members.tier_level): +1 at the tier of the join, and at every
-- tier move (tier/tier_move.c) -1 at the tier left and +1 at the tier
-- reached, on the row of the member's join day. Summed over all days: the
-- members of each tier now; over the days of a period: those of the
-- period's new members. `app stats rebuild` counts a day's members by
-- their tier again.
CREATE TABLE stats_tier_days (
	merchant_id	BIGINT NOT NULL,
	day		DATE NOT NULL,
	level		TINYINT NOT NULL,
	slot		TINYINT UNSIGNED NOT NULL DEFAULT 0,
	members		BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (merchant_id, day, level, slot)
) ENGINE=InnoDB;

-- The members of each merchant as they are now, into the new table (the
-- rest is `app stats rebuild --from <first day> --to <today>`).
INSERT INTO stats_tier_days (merchant_id, day, level, members)
SELECT mb.merchant_id, DATE(CONVERT_TZ(mb.joined_at, '+00:00',
	IF(m.tz REGEXP '^[+-][0-9]{2}:[0-9]{2}$', m.tz, '+08:00'))),
	mb.tier_level, COUNT(*)
FROM members mb JOIN merchants m ON m.id = mb.merchant_id
GROUP BY 1, 2, 3;
