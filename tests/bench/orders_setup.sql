-- The order benchmarks' data, on top of `app bench-members` (phones
-- 199xxxxxxxx, index i = the phone's last eight digits) and
-- `app bench-wallet`. tests/bench/run.sh sets @members (how many bench
-- members there are) and @k (coupons per committing member) first.
--
--   members [0, @members/2)            the quote: 4 coupons each, proposed
--   members [@members/2, 3*@members/4)  orders through the app
--   members [3*@members/4, @members)    the same orders by order_raw
--
-- A committing member i has @k instant coupons, codes BO<i:5><k:3>, one
-- named by each of its orders. Every bench member gets points. Products
-- are the catalogue's when it has some (the catalogue's seed), else six
-- of the bench's own with member prices for tiers 2 and 3.

SET @m = (SELECT id FROM merchants WHERE code = 'demo');
SET @now = UTC_TIMESTAMP();

INSERT INTO products (merchant_id, name, category, price_fen, store_ids,
    active, position, created_at, updated_at)
SELECT @m, p.name, p.category, p.price_fen, NULL, 1, p.pos, @now, @now
FROM (SELECT '拿铁' name, '咖啡' category, 2800 price_fen, 1 pos
    UNION ALL SELECT '美式', '咖啡', 2200, 2
    UNION ALL SELECT '可颂', '烘焙', 1800, 3
    UNION ALL SELECT '芝士蛋糕', '甜点', 3200, 4
    UNION ALL SELECT '冷萃', '咖啡', 3000, 5
    UNION ALL SELECT '火腿三明治', '轻食', 2600, 6) p
WHERE NOT EXISTS (SELECT 1 FROM products WHERE merchant_id = @m);

-- member prices for the bench's own products only (their positions)
INSERT IGNORE INTO product_member_prices (product_id, tier_level, price_fen)
SELECT p.id, t.level, p.price_fen - t.off * (p.position % 2 + 1)
FROM products p
JOIN (SELECT 2 level, 100 off UNION ALL SELECT 3, 200) t
WHERE p.merchant_id = @m AND p.created_at = @now AND p.position IN (1, 2, 4);

UPDATE members SET points = 1000000
WHERE merchant_id = @m AND phone LIKE '199%';

-- the points as the points ledger holds them: the lots add up to them
INSERT INTO points_lots (merchant_id, member_id, points, left_points,
    expires_on, kind, ref, created_at)
SELECT mb.merchant_id, mb.id, mb.points - COALESCE(l.n, 0),
    mb.points - COALESCE(l.n, 0), NULL, 'adjustment', 'bench', @now
FROM members mb
LEFT JOIN (SELECT member_id, SUM(left_points) n FROM points_lots
    WHERE merchant_id = @m GROUP BY member_id) l ON l.member_id = mb.id
WHERE mb.merchant_id = @m AND mb.phone LIKE '199%'
    AND mb.points > COALESCE(l.n, 0);

-- the members by index (coupons' triggers update members: a statement
-- that inserts coupons cannot read members itself)
CREATE TEMPORARY TABLE bench_members (id BIGINT PRIMARY KEY, i INT NOT NULL)
SELECT id, SUBSTRING(phone, 4) + 0 i FROM members
WHERE merchant_id = @m AND phone LIKE '199%';

INSERT INTO coupon_templates (merchant_id, name, kind, value_fen,
    threshold_fen, discount_pct, max_discount_fen, per_member_limit,
    valid_days, stackable, listed, status, description, created_at,
    updated_at)
VALUES
    (@m, '满50减10', 'threshold', 1000, 5000, NULL, NULL, 100, 30, 0, 0,
	'active', 'bench-order-1', @now, @now),
    (@m, '9折券', 'discount', NULL, NULL, 90, 2000, 100, 30, 0, 0,
	'active', 'bench-order-2', @now, @now),
    (@m, '立减5元', 'instant', 500, NULL, NULL, NULL, 100, 30, 1, 0,
	'active', 'bench-order-3', @now, @now),
    (@m, '满30减3', 'threshold', 300, 3000, NULL, NULL, 100, 30, 1, 0,
	'active', 'bench-order-4', @now, @now),
    (@m, '立减3元', 'instant', 300, NULL, NULL, NULL, 100, 30, 0, 0,
	'active', 'bench-order-c', @now, @now);

INSERT INTO coupons (merchant_id, template_id, member_id, code, name, kind,
    value_fen, threshold_fen, discount_pct, max_discount_fen, stackable,
    valid_from, valid_until, status, channel, claimed_at)
SELECT @m, t.id, mb.id,
    CONCAT('BQ', LPAD(mb.i, 5, '0'),
	RIGHT(t.description, 1)),
    t.name, t.kind, t.value_fen, t.threshold_fen, t.discount_pct,
    t.max_discount_fen, t.stackable, @now - INTERVAL 1 DAY,
    @now + INTERVAL 30 DAY, 'unused', 'bench', @now
FROM bench_members mb
JOIN coupon_templates t ON t.merchant_id = @m AND t.created_at = @now
    AND t.description IN ('bench-order-1', 'bench-order-2', 'bench-order-3',
	'bench-order-4')
WHERE mb.i < @members DIV 2;

INSERT INTO coupons (merchant_id, template_id, member_id, code, name, kind,
    value_fen, threshold_fen, discount_pct, max_discount_fen, stackable,
    valid_from, valid_until, status, channel, claimed_at)
SELECT @m, t.id, mb.id,
    CONCAT('BO', LPAD(mb.i, 5, '0'),
	LPAD(s.seq, 3, '0')),
    t.name, t.kind, t.value_fen, t.threshold_fen, t.discount_pct,
    t.max_discount_fen, t.stackable, @now - INTERVAL 1 DAY,
    @now + INTERVAL 30 DAY, 'unused', 'bench', @now
FROM bench_members mb
JOIN coupon_templates t ON t.merchant_id = @m AND t.created_at = @now
    AND t.description = 'bench-order-c'
JOIN seq_0_to_999 s ON s.seq < @k
WHERE mb.i >= @members DIV 2 AND mb.i < @members;

-- the templates' counters (migration 0028), as the claims would have kept them
UPDATE coupon_templates t
JOIN (SELECT template_id, COUNT(*) AS n, SUM(status = 'used') AS u
    FROM coupons WHERE merchant_id = @m GROUP BY template_id) c
    ON c.template_id = t.id
SET t.claimed_count = c.n
WHERE t.merchant_id = @m AND t.created_at = @now;
-- and the coupons used now, on slot 0 (migration 0030)
INSERT INTO coupon_template_used (merchant_id, template_id, slot, used)
SELECT c.merchant_id, c.template_id, 0, SUM(c.status = 'used')
FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
WHERE c.merchant_id = @m AND t.created_at = @now
GROUP BY c.merchant_id, c.template_id
ON DUPLICATE KEY UPDATE used = VALUES(used);

-- what the bench reads back: store, products (six, sold at the store)
SELECT (SELECT MIN(id) FROM stores WHERE merchant_id = @m AND active = 1);
SELECT GROUP_CONCAT(id ORDER BY id) FROM (SELECT id FROM products
    WHERE merchant_id = @m AND active = 1 AND store_ids IS NULL
    ORDER BY position, id LIMIT 6) p;
