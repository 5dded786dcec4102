-- A year of a large merchant for make bench-scale (tests/bench/scale.sh),
-- made in bulk with sequence tables, on demo (whose card the bench
-- measures before and after): @members members (phones 171xxxxxxxx, card
-- numbers 8xxxxxxxxxxxxxxx), @coupons coupons of twenty templates of its
-- own, @orders member orders paid from the balance, each with its
-- payment (one in a hundred refunded whole, order_refunds), @walkins walk-in orders paid
-- in cash, and @recharges recharges at the counter and online, spread
-- over the 365 days before now. Each value is spread by a multiplier so
-- that no two columns move together. The balances, points and growth on
-- members are drawn, not the sum of a ledger (no wallet or points
-- entries are written): the reports and lists read them as they are.
-- Run once on a fresh instance (phones, codes and trade numbers are
-- unique). Set before: @members, @coupons, @orders, @walkins, @recharges.
--
-- Parts: scale.sh runs the part "members" first, then "coupons",
-- "orders" and "recharges" (with the walk-ins) at once in sessions of
-- their own (they write different tables, or different rows of orders),
-- then "end"; each
-- session runs the lines above the first part first, so that all of them
-- see the same @now (kept in scale_now by the first). Run whole, in one
-- session, the file does the same one part after the other.

SET SESSION foreign_key_checks = 0, unique_checks = 0;
CREATE TABLE IF NOT EXISTS scale_now (k INT PRIMARY KEY, now DATETIME NOT NULL)
	ENGINE=InnoDB;
INSERT IGNORE INTO scale_now VALUES (1, UTC_TIMESTAMP() - INTERVAL 1 MINUTE);
SET @m = (SELECT id FROM merchants WHERE code = 'demo');
SET @now = (SELECT now FROM scale_now WHERE k = 1);
SET @year = 31536000;
SET @s1 = (SELECT MIN(id) FROM stores WHERE merchant_id = @m);
SET @s2 = (SELECT MAX(id) FROM stores WHERE merchant_id = @m);
SET @g2 = IFNULL((SELECT growth FROM tiers WHERE merchant_id = @m AND level = 2), 1000);
SET @g3 = IFNULL((SELECT growth FROM tiers WHERE merchant_id = @m AND level = 3), 5000);
SET @pk1 = (SELECT MIN(id) FROM recharge_packages WHERE merchant_id = @m);
SET @pk2 = (SELECT MAX(id) FROM recharge_packages WHERE merchant_id = @m);

-- @part members
-- ---- members: seven in ten joined in the year, the rest the year before;
-- coupons_cut far ahead while the coupons go in (were the card's trigger
-- on, it would skip them; scale.sh sets it aside), set right at the end
INSERT INTO members (merchant_id, phone, name, birthday, card_no, channel,
	growth, tier_level, points, principal_fen, bonus_fen, joined_at,
	last_order_at, spend_fen, coupons_cut)
SELECT @m, CONCAT('171', LPAD(s.seq, 8, '0')),
	CONCAT(ELT(1 + s.seq % 20, '张', '王', '李', '赵', '刘', '陈', '杨',
	    '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林',
	    '高', '罗'),
	    ELT(1 + (s.seq DIV 20) % 10, '伟', '芳', '娜', '敏', '静', '磊',
	    '洋', '勇', '艳', '杰')),
	IF(s.seq % 5 = 0, NULL,
	    '1960-01-01' + INTERVAL (s.seq * 7919) % 16000 DAY),
	CONCAT('8', LPAD(s.seq, 15, '0')),
	ELT(1 + (s.seq DIV 3) % 6, 'organic', 'campaign:spring', 'referral',
	    CONCAT('store:', @s1), CONCAT('store:', @s2), 'organic'),
	(s.seq * 37) % 8000,
	IF((s.seq * 37) % 8000 >= @g3, 3, IF((s.seq * 37) % 8000 >= @g2, 2, 1)),
	(s.seq * 53) % 20000,
	IF(s.seq % 3 = 0, 0, (s.seq * 101) % 200000),
	IF(s.seq % 3 = 0, 0, (s.seq * 13) % 20000),
	IF(s.seq % 10 < 7,
	    @now - INTERVAL (s.seq * 7) % @year SECOND,
	    @now - INTERVAL @year SECOND - INTERVAL (s.seq * 11) % @year SECOND),
	IF(s.seq % 10 < 3, '1000-01-01 00:00:00',
	    @now - INTERVAL (s.seq * 97) % @year SECOND),
	IF(s.seq % 10 < 3, 0, (s.seq * 211) % 2000000),
	'2999-01-01 00:00:00'
FROM seq_0_to_9999999 s
WHERE s.seq < @members;

-- member i's id, for the rows below
CREATE TABLE scale_members (i INT PRIMARY KEY, id BIGINT NOT NULL)
	ENGINE=InnoDB;
INSERT INTO scale_members (i, id)
SELECT CAST(SUBSTRING(phone, 4) AS UNSIGNED), id FROM members
WHERE merchant_id = @m AND phone LIKE '171%';

-- ---- coupon templates (twenty) and their coupons: about a third used
-- (with the order and the discount), three in a hundred cancelled, the
-- rest unused, half of them expired by now
CREATE TABLE scale_templates (n INT PRIMARY KEY, id BIGINT NOT NULL,
	kind VARCHAR(16), value_fen BIGINT, threshold_fen BIGINT,
	discount_pct INT, name VARCHAR(64)) ENGINE=InnoDB;
INSERT INTO coupon_templates (merchant_id, name, kind, value_fen,
	threshold_fen, discount_pct, max_discount_fen, stock, stock_left,
	per_member_limit, valid_days, stackable, status, description,
	created_at, updated_at)
SELECT @m, CONCAT(ELT(1 + s.seq % 4, '满50减10 ', '9折券 ', '立减5元 ',
	'满100减20 '), s.seq),
	ELT(1 + s.seq % 4, 'threshold', 'discount', 'instant', 'threshold'),
	ELT(1 + s.seq % 4, 1000, NULL, 500, 2000),
	ELT(1 + s.seq % 4, 5000, NULL, NULL, 10000),
	IF(s.seq % 4 = 1, 90, NULL), IF(s.seq % 4 = 1, 2000, NULL),
	NULL, NULL, 100, 30, 0, IF(s.seq < 16, 'active', 'ended'),
	CONCAT('scale-', s.seq), @now - INTERVAL @year SECOND,
	@now - INTERVAL @year SECOND
FROM seq_0_to_19 s;
INSERT INTO scale_templates
SELECT CAST(SUBSTRING(description, 7) AS UNSIGNED), id, kind, value_fen,
	threshold_fen, discount_pct, name
FROM coupon_templates WHERE merchant_id = @m AND description LIKE 'scale-%';

-- @part coupons
INSERT INTO coupons (merchant_id, template_id, member_id, code, name, kind,
	value_fen, threshold_fen, discount_pct, stackable, valid_from,
	valid_until, status, channel, claimed_at, used_at, used_store_id,
	order_fen, discount_fen, cancelled_at)
SELECT @m, t.id, sm.id, CONCAT('S', LPAD(c.seq, 11, '0')), t.name, t.kind,
	t.value_fen, t.threshold_fen, t.discount_pct, 0,
	c.at, c.at + INTERVAL 30 DAY,
	ELT(1 + (c.h >= 35) + (c.h >= 38), 'used', 'cancelled', 'unused'),
	ELT(1 + c.seq % 4, 'claim', 'campaign:spring', 'grant', 'points_shop'),
	c.at,
	IF(c.h < 35, LEAST(@now, c.at + INTERVAL c.h * 17 HOUR), NULL),
	IF(c.h < 35, IF(c.seq % 2 = 0, @s1, @s2), NULL),
	IF(c.h < 35, 6000 + (c.seq * 37) % 20000, NULL),
	IF(c.h < 35, IFNULL(t.value_fen, 600), NULL),
	IF(c.h >= 35 AND c.h < 38, c.at + INTERVAL 1 DAY, NULL)
FROM (SELECT s.seq, (s.seq * 7) % 100 AS h,
	@now - INTERVAL (s.seq * 104729) % @year SECOND AS at
	FROM seq_0_to_9999999 s WHERE s.seq < @coupons) c
JOIN scale_members sm ON sm.i = (c.seq * 7919) % @members
JOIN scale_templates t ON t.n = (c.seq * 13) % 20;

UPDATE coupon_templates t
JOIN (SELECT template_id, COUNT(*) AS n, SUM(status = 'used') AS u
	FROM coupons WHERE merchant_id = @m GROUP BY template_id) c
	ON c.template_id = t.id
SET t.claimed_count = c.n
WHERE t.merchant_id = @m AND t.description LIKE 'scale-%';
-- and the coupons used now, on slot 0 (migration 0030)
INSERT INTO coupon_template_used (merchant_id, template_id, slot, used)
SELECT c.merchant_id, c.template_id, 0, SUM(c.status = 'used')
FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
WHERE c.merchant_id = @m AND t.description LIKE 'scale-%'
GROUP BY c.merchant_id, c.template_id
ON DUPLICATE KEY UPDATE used = VALUES(used);

-- the card's counters of these members (migration 0009), as of now
UPDATE scale_members sm
STRAIGHT_JOIN members mb ON mb.id = sm.id
LEFT JOIN (SELECT member_id, COUNT(*) AS n, MIN(valid_until) AS nx
	FROM coupons WHERE merchant_id = @m AND status = 'unused'
	AND valid_until >= @now AND code LIKE 'S%' GROUP BY member_id) c
	ON c.member_id = mb.id
SET mb.coupons_live = IFNULL(c.n, 0), mb.coupons_next = c.nx,
	mb.coupons_cut = @now;

-- @part orders
-- ---- member orders paid from the balance, each with its payment
INSERT INTO orders (merchant_id, store_id, member_id, channel, status,
	tier_level, total_list_fen, discount_fen, total_fen, points_used,
	points_fen, principal_fen, bonus_fen, cash_fen, card_fen, online_fen,
	change_fen, earn_points, earn_growth, quote_hash, created_at, paid_at,
	completed_at)
SELECT @m, IF(o.seq % 3 = 0, @s2, @s1), sm.id,
	IF(o.seq % 4 = 0, 'app', 'counter'), 'completed', 1,
	o.total + o.disc, o.disc, o.total, 0, 0, o.total - o.total DIV 10,
	o.total DIV 10, 0, 0, 0, 0, o.total DIV 100, o.total DIV 100,
	REPEAT('5', 64), o.at, o.at, o.at + INTERVAL 10 MINUTE
FROM (SELECT s.seq, 1000 + (s.seq * 7919) % 30000 AS total,
	IF(s.seq % 5 = 0, 500, 0) AS disc,
	@now - INTERVAL (s.seq * 15485863) % @year SECOND AS at
	FROM seq_0_to_9999999 s WHERE s.seq < @orders) o
JOIN scale_members sm ON sm.i = (o.seq * 104723) % @members;

INSERT INTO payments (merchant_id, member_id, store_id, order_id, channel,
	order_fen, principal_fen, bonus_fen, growth, points, growth_kept,
	points_kept, created_at)
SELECT merchant_id, member_id, store_id, id, channel, total_fen,
	principal_fen, bonus_fen, earn_growth, earn_points, earn_growth,
	earn_points, paid_at
FROM orders WHERE merchant_id = @m AND quote_hash = REPEAT('5', 64);

-- one in a hundred refunded whole a day later (within the year), as the
-- app's refund of an order writes it (order/order_after.c): a done
-- order_refunds row with what it gave back by tender (the balance here)
-- and the points and growth it took back, and the order refunded; the
-- balance goes back by the ledger (not written here, as above), the
-- payment row stays as paid (refunds is the staff refund of a balance
-- payment without an order, another thing)
INSERT INTO order_refunds (merchant_id, order_id, status, request, reason,
	amount_fen, t_points, t_principal, t_bonus, t_cash, t_card, t_online,
	points_returned, points_taken_back, growth_taken_back,
	coupons_returned, staff_id, approved_by, created_at, done_at)
SELECT merchant_id, id, 'done', '{"all":true}', NULL,
	principal_fen + bonus_fen, 0, principal_fen, bonus_fen, 0, 0, 0, 0,
	earn_points, earn_growth, NULL, NULL, NULL,
	LEAST(@now, paid_at + INTERVAL 1 DAY),
	LEAST(@now, paid_at + INTERVAL 1 DAY)
FROM orders WHERE merchant_id = @m AND quote_hash = REPEAT('5', 64)
	AND id % 100 = 0 AND principal_fen + bonus_fen > 0;
-- (the order_refunds first: the secondary indexes of orders are set
-- aside during the load, scale.sh)
UPDATE order_refunds f STRAIGHT_JOIN orders o ON o.id = f.order_id
SET o.status = 'refunded', o.refunded_fen = f.amount_fen, o.was_completed = 1
WHERE f.merchant_id = @m AND o.merchant_id = @m;

-- @part recharges
-- ---- walk-in orders paid in cash
INSERT INTO orders (merchant_id, store_id, member_id, channel, status,
	total_list_fen, discount_fen, total_fen, points_used, points_fen,
	principal_fen, bonus_fen, cash_fen, card_fen, online_fen, change_fen,
	earn_points, earn_growth, quote_hash, created_at, paid_at, completed_at)
SELECT @m, IF(s.seq % 2 = 0, @s1, @s2), NULL, 'counter', 'completed',
	1000 + (s.seq * 6173) % 20000, 0, 1000 + (s.seq * 6173) % 20000, 0, 0,
	0, 0, 1000 + (s.seq * 6173) % 20000, 0, 0, 0, 0, 0, REPEAT('6', 64),
	@now - INTERVAL (s.seq * 179426549) % @year SECOND,
	@now - INTERVAL (s.seq * 179426549) % @year SECOND,
	@now - INTERVAL (s.seq * 179426549) % @year SECOND + INTERVAL 5 MINUTE
FROM seq_0_to_9999999 s WHERE s.seq < @walkins;

-- ---- recharges: packages and custom amounts, at the counter (cash, card)
-- and online (sandbox)
INSERT INTO recharges (merchant_id, member_id, package_id, provider,
	out_trade_no, pay_fen, bonus_fen, status, store_id, created_at, paid_at)
SELECT @m, sm.id, IF(r.seq % 4 = 3, NULL, @pk1 + r.seq % (@pk2 - @pk1 + 1)),
	ELT(1 + r.seq % 3, 'sandbox', 'cash', 'card'), CONCAT('scale', r.seq),
	IF(r.seq % 4 = 3, 5000 + (r.seq * 31) % 50000,
	    ELT(1 + r.seq % (@pk2 - @pk1 + 1), 10000, 50000, 100000)),
	IF(r.seq % 4 = 3, 0, ELT(1 + r.seq % (@pk2 - @pk1 + 1), 2000, 8000,
	    20000)),
	'paid', IF(r.seq % 3 = 0, NULL, IF(r.seq % 2 = 0, @s1, @s2)), r.at, r.at
FROM (SELECT s.seq, @now - INTERVAL (s.seq * 2750159) % @year SECOND AS at
	FROM seq_0_to_9999999 s WHERE s.seq < @recharges) r
JOIN scale_members sm ON sm.i = (r.seq * 15485867) % @members;

-- @part end
DROP TABLE scale_members;
DROP TABLE scale_templates;
DROP TABLE scale_now;
SET SESSION foreign_key_checks = 1, unique_checks = 1;
ANALYZE TABLE members, coupons, coupon_templates, orders, payments,
	order_refunds, recharges;

-- what the bench reads back: the merchant's rows now
SELECT CONCAT((SELECT COUNT(*) FROM members WHERE merchant_id = @m), ' ',
	(SELECT COUNT(*) FROM coupons WHERE merchant_id = @m), ' ',
	(SELECT COUNT(*) FROM orders WHERE merchant_id = @m), ' ',
	(SELECT COUNT(*) FROM payments WHERE merchant_id = @m), ' ',
	(SELECT COUNT(*) FROM recharges WHERE merchant_id = @m));
