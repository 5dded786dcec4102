-- The tier review's benchmark data: a merchant of its own (benchtier)
-- with three tiers kept over a rolling 12-month window, silver's upgrade
-- reward (1 yuan of bonus and 10 points), and @members members (phones
-- 198xxxxxxxx). tiers_reset.sql then gives member i its state; run again
-- it puts them back before another run. tests/bench/run.sh sets @members.

INSERT IGNORE INTO merchants (code, name, card_name)
VALUES ('benchtier', '等级复核压测', '压测会员卡');
SET @m = (SELECT id FROM merchants WHERE code = 'benchtier');

INSERT IGNORE INTO tiers (merchant_id, level, name, growth, discount_pct,
    points_multiplier, privileges)
VALUES (@m, 1, '普通会员', 0, NULL, 1.00, '[]'),
    (@m, 2, '银卡会员', 100, 98, 1.00, '[]'),
    (@m, 3, '金卡会员', 1000, 95, 1.50, '[]');
INSERT IGNORE INTO tier_terms (merchant_id, level, keep_growth,
    reward_templates, reward_bonus_fen, reward_points)
VALUES (@m, 2, 50, '[]', 100, 10), (@m, 3, 300, '[]', 0, 0);
INSERT IGNORE INTO tier_policies (merchant_id, mode, months, step)
VALUES (@m, 'rolling', 12, 'one');
UPDATE tier_policies SET min_days_in_tier = 30 WHERE merchant_id = @m;

INSERT IGNORE INTO members (merchant_id, phone, name, card_no, channel,
    growth, joined_at)
SELECT @m, CONCAT('198', LPAD(seq, 8, '0')), '压测会员',
    CONCAT('7', LPAD(seq, 15, '0')), 'organic', 0,
    UTC_TIMESTAMP() - INTERVAL 2 YEAR
FROM seq_1_to_100000 WHERE seq <= @members;
