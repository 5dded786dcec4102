-- After members_setup.sql (@n members): the newest one in twenty of demo's
-- members by joining (50,000 of a million, as a fresh campaign brings
-- them) hold no balance and no points, all came by one channel, were all
-- born in March and have no unused coupon, so that a filter that many
-- members pass (a balance or points range, another channel, another
-- birthday month) has none among the first 5000 in the order of joining:
-- the members-filter mix's wide shapes, which read and sorted every member
-- of the filter's range before ix_member_joined held their columns
-- (migration 0036). Growth stays as it was (the tier shapes' newest).
SET @newest = GREATEST(@n DIV 20, 1);
PREPARE correlate FROM 'UPDATE members SET principal_fen = 0, bonus_fen = 0,
	points = 0, channel = ''campaign:spring'', birthday = ''1995-03-15'',
	coupons_live = 0, coupons_next = NULL
WHERE merchant_id = (SELECT id FROM merchants WHERE code = ''demo'')
	AND phone LIKE ''170%''
ORDER BY joined_at DESC
LIMIT ?';
EXECUTE correlate USING @newest;
DEALLOCATE PREPARE correlate;
