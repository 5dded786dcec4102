-- The state of the tier review's bench members (tiers_setup.sql), by the
-- index i of the phone: i % 4 = 0 gold with 1500 growth, = 1 silver with
-- 300, each with one order's growth earned (i % 24) months ago (so about
-- half fall out of the window: one level down); = 2 at level 1 with 150
-- growth (the thresholds moved it up: silver, with its reward); = 3 at
-- level 1 with 10 (no move). Run again, it undoes a review: what the
-- review wrote is deleted (its bonus and points with their ledger rows).

SET @m = (SELECT id FROM merchants WHERE code = 'benchtier');
SET @now = UTC_TIMESTAMP();

DELETE FROM growth_entries WHERE merchant_id = @m;
DELETE FROM tier_changes WHERE merchant_id = @m;
DELETE FROM tier_rewards WHERE merchant_id = @m;
DELETE FROM wallet_entries WHERE merchant_id = @m;
DELETE FROM points_entries WHERE merchant_id = @m;
DELETE FROM job_runs WHERE merchant_id = @m;

UPDATE members SET
    growth = ELT(SUBSTRING(phone, 4) % 4 + 1, 1500, 300, 150, 10),
    tier_level = ELT(SUBSTRING(phone, 4) % 4 + 1, 3, 2, 1, 1),
    tier_since = @now - INTERVAL 13 MONTH,
    bonus_fen = 0, points = 0
WHERE merchant_id = @m;

INSERT INTO growth_entries (merchant_id, member_id, kind, growth, ref,
    created_at)
SELECT @m, id, 'order_earn', IF(SUBSTRING(phone, 4) % 4 = 0, 400, 80),
    'bench', @now - INTERVAL (SUBSTRING(phone, 4) % 24) MONTH
    - INTERVAL 1 DAY
FROM members WHERE merchant_id = @m AND SUBSTRING(phone, 4) % 4 < 2;

SELECT COUNT(*) FROM members WHERE merchant_id = @m;
