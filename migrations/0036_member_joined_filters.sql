-- The member list in the order of joining (the default sort, and the
-- order of coupon pushes) with a wide range or set filter whose members
-- are absent from the newest: a balance or points range, a channel, a
-- birthday month, when the newest 50,000 members (a fresh campaign) hold
-- no balance, no points and came by one channel. The page read every
-- member of the filter's range and sorted them before (8 s of a million):
-- ix_member_joined now holds, after the joining time and the id (the
-- page's order), the columns of those filters, so that the page's ids are
-- read from its entries alone, in order, until a page passes (50,000
-- entries: 15 ms), and then the page's rows by their ids
-- (handlers/staff/members_staff.c, the "covered" statements).
--
-- Its write cost: the entry is rewritten when a member's balance, points,
-- channel or birthday change (a balance movement rewrote seven of the
-- member's index entries before, eight now; a points movement five, now
-- six); the joining time never changes. 60,000 points updates took
-- 15.2-17.4 s with it against 15.9-16.4 s with the narrow index (noise).

ALTER TABLE members
	DROP KEY ix_member_joined,
	ADD KEY ix_member_joined (merchant_id, joined_at, id, balance_fen,
	    points, channel, birthday_month);
