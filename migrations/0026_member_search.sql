-- The member list's name search (GET staff/members?q=张).
--
-- members.name_first: the name's first character, generated, and an index
-- of it before each sort's column (ix_member_first_joined, _last_order,
-- _balance, _spend), so that a surname (one character) is read in the
-- sort's order among its own members only: a page is its rows, wherever
-- the surname's members stand in the sort (王 by last order, when no 王
-- has ordered yet, read 700,000 entries of ix_member_last_order before).
--
-- ix_member_search in place of ix_member_name (merchant_id, name): the same
-- range with every column the list's filters, sorts and cursor read after
-- the name, so that a longer name (a whole name, 张伟, or a compound
-- surname, 欧阳), and a surname whose page the in-order read cannot find
-- (a surname and other filters), is answered from index entries alone: the
-- name's members that the filters let through are sorted on the entries
-- and only the page's rows are read (handlers/staff/members_staff.c, the
-- "named" statements: the page's ids, then its rows by id). Before, such a
-- page read a row for each of the name's members: 50,000 of a million for
-- 张, 0.5 s, 2.3 s with a cold buffer pool.
--
-- A name search is the start of the name, not any part of it: staff type
-- a surname (张) or a whole name (张三), and a prefix is one range of these
-- indexes. Any part ("三") would read every member of the merchant for
-- each page: MariaDB's full-text indexes split words at spaces and
-- punctuation, which Chinese names have none of, and it has no n-gram
-- parser (MySQL's ngram, Mroonga) in this stack.
--
-- The plans of each kind of search and filter on a merchant of 1,000,000
-- members, and their times, are in the README ("Members for staff").

ALTER TABLE members
	ADD COLUMN name_first VARCHAR(1) AS (LEFT(name, 1)) PERSISTENT,
	DROP KEY ix_member_name,
	ADD KEY ix_member_search (merchant_id, name, joined_at, last_order_at,
	    balance_fen, spend_fen, growth, points, channel, birthday_month,
	    coupons_live, coupons_next, phone, phone_last4, card_no,
	    name_first),
	ADD KEY ix_member_first_joined (merchant_id, name_first, joined_at),
	ADD KEY ix_member_first_last_order (merchant_id, name_first,
	    last_order_at),
	ADD KEY ix_member_first_balance (merchant_id, name_first, balance_fen),
	ADD KEY ix_member_first_spend (merchant_id, name_first, spend_fen);
