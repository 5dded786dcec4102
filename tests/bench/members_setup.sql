-- A million members of demo for the member-list scenarios (make bench):
-- phones 170xxxxxxxx (the other scenarios' members are 199...), card
-- numbers 9xxxxxxxxxxxxxxx, names from twenty surnames and ten given
-- names, a fifth with no birthday, five channels, two years of joining,
-- three in ten with no order yet, one in fifty with an unused coupon;
-- each value spread by a multiplier so that no two columns move together,
-- but for growth: the newest one in a hundred (10,000 of the million) are
-- all below the second tier, as new members are, so that the top tier
-- by joining has none among the first 5000 in order (the shape that read
-- every member before ix_member_tier_*, migration 0029). tier_level is
-- the tier of the growth, as tier_move() keeps it.
-- @n members; run once (the phones are unique).
INSERT INTO members (merchant_id, phone, name, birthday, card_no, channel,
	growth, points, principal_fen, bonus_fen, joined_at, last_order_at,
	spend_fen, coupons_live, coupons_next, tier_level)
SELECT (SELECT id FROM merchants WHERE code = 'demo'),
	CONCAT('170', LPAD(s.seq, 8, '0')),
	CONCAT(ELT(1 + s.seq % 20, '张', '王', '李', '赵', '刘', '陈', '杨',
	    '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭', '何', '林',
	    '高', '罗'),
	    ELT(1 + (s.seq DIV 20) % 10, '伟', '芳', '娜', '敏', '静', '磊',
	    '洋', '勇', '艳', '杰')),
	IF(s.seq % 5 = 0, NULL,
	    '1960-01-01' + INTERVAL (s.seq * 7919) % 16000 DAY),
	CONCAT('9', LPAD(s.seq, 15, '0')),
	ELT(1 + (s.seq DIV 3) % 5, 'organic', 'campaign:spring', 'referral',
	    'store:1', 'poster:2'),
	IF(s.seq >= @n - @n DIV 100, (s.seq * 37) % 1000,
	    (s.seq * 37) % 6000),
	(s.seq * 53) % 20000,
	(s.seq * 101) % 200000,
	(s.seq * 13) % 5000,
	'2024-12-01 00:00:00' + INTERVAL (s.seq * 7) % 63072000 SECOND,
	IF(s.seq % 10 < 3, '1000-01-01 00:00:00',
	    '2026-01-01 00:00:00' + INTERVAL (s.seq * 97) % 28944000 SECOND),
	IF(s.seq % 10 < 3, 0, (s.seq * 211) % 2000000),
	IF(s.seq % 50 = 7, 1, 0),
	IF(s.seq % 50 = 7, '2099-01-01 00:00:00', NULL),
	COALESCE((SELECT MAX(t.level) FROM tiers t
	    WHERE t.merchant_id = (SELECT id FROM merchants WHERE code = 'demo')
	    AND t.growth <= IF(s.seq >= @n - @n DIV 100, (s.seq * 37) % 1000,
	    (s.seq * 37) % 6000)), 1)
FROM seq_0_to_999999 s
WHERE s.seq < @n;
