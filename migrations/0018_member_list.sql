-- The member list for staff (GET staff/members): what its filters and
-- sorts read, on the members row, each behind an index that starts with
-- merchant_id, so that one page of a merchant with a million members is
-- one short index range (the sort's index read in order, LIMIT n + 1,
-- or a selective filter's index and a small sort).
--
-- members.last_order_at: when the member's latest order was paid, in UTC;
-- '1000-01-01 00:00:00' when the member has no paid order yet (like
-- coupons_cut, so that the sort and its cursor compare one NOT NULL
-- column and "never" sorts before every order). Readers show it as null.
-- members.spend_fen: the money the member's paid orders took (balance,
-- cash, card, online; points are no money) less the money refunded.
-- Both are kept in the transaction that pays or refunds an order, by one
-- statement each (handlers/staff/members_staff.c, on EV_ORDER_PAID and
-- EV_ORDER_REFUNDED), and filled here from the orders so far.
--
-- members.balance_fen (principal + bonus), birthday_month and phone_last4
-- are generated from the row, so nothing has to keep them; stored, not
-- virtual, because MariaDB pushes no index condition down into an index
-- that holds a virtual column.
--
-- The indexes of birthday month, channel and unused coupons carry the
-- other small filter columns after their own, so that a page with several
-- filters that each let many members through drops the members the others
-- refuse on the index entries (index condition pushdown) and reads only
-- the rows that pass: a rare combination of common filters costs a range
-- of index entries, not a row read for each.

ALTER TABLE members
	ADD COLUMN last_order_at DATETIME NOT NULL DEFAULT '1000-01-01 00:00:00',
	ADD COLUMN spend_fen BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN balance_fen BIGINT AS (principal_fen + bonus_fen) PERSISTENT,
	ADD COLUMN birthday_month TINYINT AS (MONTH(birthday)) PERSISTENT,
	ADD COLUMN phone_last4 CHAR(4) CHARACTER SET ascii COLLATE ascii_bin
	    AS (RIGHT(phone, 4)) PERSISTENT,
	ADD KEY ix_member_last_order (merchant_id, last_order_at),
	ADD KEY ix_member_balance (merchant_id, balance_fen),
	ADD KEY ix_member_spend (merchant_id, spend_fen),
	ADD KEY ix_member_points (merchant_id, points),
	ADD KEY ix_member_growth (merchant_id, growth),
	ADD KEY ix_member_birth_month (merchant_id, birthday_month, channel,
	    growth, points, balance_fen, coupons_live),
	ADD KEY ix_member_last4 (merchant_id, phone_last4),
	ADD KEY ix_member_name (merchant_id, name),
	ADD KEY ix_member_channel (merchant_id, channel, birthday_month, growth,
	    points, balance_fen, coupons_live),
	ADD KEY ix_member_coupons (merchant_id, coupons_live, birthday_month,
	    channel, growth, points, balance_fen),
	ADD CONSTRAINT ck_member_spend CHECK (spend_fen >= 0);

UPDATE members mb JOIN (
	SELECT o.member_id,
	    MAX(IFNULL(o.paid_at, o.created_at)) AS last_at,
	    SUM(o.principal_fen + o.bonus_fen + o.cash_fen + o.card_fen
		+ o.online_fen - o.refunded_fen) AS spent
	FROM orders o
	WHERE o.member_id IS NOT NULL
	AND o.status IN ('paid', 'completed', 'refunded', 'partially_refunded')
	GROUP BY o.member_id) x ON x.member_id = mb.id
	SET mb.last_order_at = x.last_at, mb.spend_fen = GREATEST(x.spent, 0);
