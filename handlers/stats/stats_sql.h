/*
 * The statements that keep the daily rollups (migration 0027), each over
 * the rows a WHERE picks: ONE(alias) for the row of an event (tz,
 * merchant, id), SPAN(alias, column) for a day of rows in the rebuild
 * (tz, merchant, UTC start, UTC end). Private to handlers/stats/ and to
 * the bench's straight-to-MariaDB client (tests/bench/order_raw.c), which
 * runs the order's as the app does.
 */
#ifndef STATS_SQL_H
#define STATS_SQL_H

#define TZ0		"(SELECT ? AS tz) p0 STRAIGHT_JOIN "
#define LOCAL(col)	"DATE(" col " + INTERVAL p0.tz SECOND)"
/* The store of a join channel "store:<id>", else 0. */
#define STORE_OF(ch) \
	"IF(" ch " REGEXP '^store:[0-9]{1,18}$', CAST(SUBSTRING(" ch ", 7)" \
	" AS UNSIGNED), 0)"
/* How a recharge was paid: checkout (a top-up inside a checkout, provider
   counter), counter (cash or card at the counter) or online. */
#define RC_CHANNEL(p) \
	"CASE " p " WHEN 'counter' THEN 'checkout' WHEN 'cash' THEN 'counter'" \
	" WHEN 'card' THEN 'counter' ELSE 'online' END"
#define ADD(t, c)	c " = " t "." c " + VALUES(" c ")"

/* ---- the statements, by source ---- */

#define SQL_JOIN_DAYS(w, s) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot," \
	" new_members, referred_members) SELECT x.merchant_id, x.day," \
	" x.store_id, " s ", COUNT(*)," \
	" SUM(x.referred) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, " \
	STORE_OF("mb.channel") " AS store_id," \
	" mb.referrer_id IS NOT NULL AS referred FROM " TZ0 "members mb" \
	" WHERE " w ") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_days", "new_members") ", " \
	ADD("stats_days", "referred_members")
#define SQL_JOIN_CHANNELS(w, s) \
	"INSERT INTO stats_channel_days (merchant_id, day, store_id, kind," \
	" channel, slot, n) SELECT x.merchant_id, x.day, x.store_id, 'join'," \
	" x.channel, " s ", COUNT(*) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, " \
	STORE_OF("mb.channel") " AS store_id," \
	" mb.channel FROM " TZ0 "members mb WHERE " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.channel" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_channel_days", "n")
#define SQL_JOIN_REFERRERS(w) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id," \
	" store_id," \
	" join_day, referred) SELECT x.merchant_id, x.day, x.referrer_id, 0," \
	" x.join_day, COUNT(*) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, mb.referrer_id, " \
	LOCAL("rr.joined_at") " AS join_day FROM " TZ0 "members mb" \
	" JOIN members rr ON rr.id = mb.referrer_id WHERE " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.referrer_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_member_days", "referred")

/* Members by join day and the tier they are in (stats_tier_days): a
   join, or the rebuild's count of a day's members by their tier now;
   tier moves add theirs by TIER_SQL_MOVE_ROLLUP (tier/tier.h). */
#define SQL_JOIN_TIERS(w, s) \
	"INSERT INTO stats_tier_days (merchant_id, day, level, slot, members)" \
	" SELECT x.merchant_id, x.day, x.level, " s ", COUNT(*) FROM (" \
	" SELECT mb.merchant_id, " LOCAL("mb.joined_at") " AS day," \
	" mb.tier_level AS level FROM " TZ0 "members mb WHERE " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.level" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_tier_days", "members")

#define SQL_ORDER_DAYS(w, s) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot," \
	" member_orders, member_order_fen, non_member_orders," \
	" non_member_order_fen, coupon_orders, coupon_order_fen," \
	" coupon_discount_fen)" \
	" SELECT x.merchant_id, x.day, x.store_id, " s ", SUM(x.mem)," \
	" SUM(IF(x.mem, x.total_fen, 0)), SUM(NOT x.mem)," \
	" SUM(IF(x.mem, 0, x.total_fen)), SUM(x.disc IS NOT NULL)," \
	" SUM(IF(x.disc IS NULL, 0, x.total_fen)), IFNULL(SUM(x.disc), 0)" \
	" FROM (SELECT o.merchant_id, " LOCAL("o.paid_at") " AS day," \
	" o.store_id, o.member_id IS NOT NULL AS mem, o.total_fen," \
	" (SELECT SUM(a.amount_fen) FROM order_adjustments a" \
	"  WHERE a.order_id = o.id AND a.kind = 'coupon'" \
	"  AND a.ref IS NOT NULL) AS disc" \
	" FROM " TZ0 "orders o WHERE o.paid_at IS NOT NULL AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id ON DUPLICATE KEY UPDATE " \
	ADD("stats_days", "member_orders") ", " \
	ADD("stats_days", "member_order_fen") ", " \
	ADD("stats_days", "non_member_orders") ", " \
	ADD("stats_days", "non_member_order_fen") ", " \
	ADD("stats_days", "coupon_orders") ", " \
	ADD("stats_days", "coupon_order_fen") ", " \
	ADD("stats_days", "coupon_discount_fen")
#define SQL_ORDER_MEMBERS(w) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id," \
	" store_id," \
	" join_day, orders, order_fen) SELECT x.merchant_id, x.day," \
	" x.member_id, x.store_id, x.join_day, COUNT(*), SUM(x.total_fen)" \
	" FROM (SELECT o.merchant_id, " LOCAL("o.paid_at") " AS day," \
	" o.member_id, o.store_id, " LOCAL("mb.joined_at") " AS join_day," \
	" o.total_fen FROM " TZ0 "orders o JOIN members mb" \
	" ON mb.id = o.member_id WHERE o.paid_at IS NOT NULL AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.member_id, x.store_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_member_days", "orders") ", " \
	ADD("stats_member_days", "order_fen")
/* At a slot (migration 0030): COUPON_SLOT (coupon/coupon.h, included
   before this file) for an event, "0" for the rebuild. */
#define SQL_ORDER_COUPONS(w)	SQL_ORDER_COUPONS_AT(COUPON_SLOT, w)
#define SQL_ORDER_COUPONS_AT(slot, w) \
	"INSERT INTO stats_coupon_days (merchant_id, day, store_id," \
	" template_id, slot, orders, uses, discount_fen, order_fen)" \
	" SELECT y.merchant_id, y.day, y.store_id, y.template_id, " slot "," \
	" COUNT(*)," \
	" SUM(y.uses), SUM(y.disc), SUM(y.total_fen) FROM (" \
	" SELECT o.id, o.merchant_id, " LOCAL("o.paid_at") " AS day," \
	" o.store_id, c.template_id, COUNT(*) AS uses," \
	" SUM(a.amount_fen) AS disc, MAX(o.total_fen) AS total_fen" \
	" FROM " TZ0 "orders o JOIN order_adjustments a ON a.order_id = o.id" \
	" AND a.kind = 'coupon' JOIN coupons c" \
	" ON c.merchant_id = o.merchant_id AND c.code = a.ref" \
	" WHERE o.paid_at IS NOT NULL AND " w \
	" GROUP BY o.id, o.merchant_id, day, o.store_id, c.template_id) y" \
	" GROUP BY y.merchant_id, y.day, y.store_id, y.template_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_coupon_days", "orders") ", " \
	ADD("stats_coupon_days", "uses") ", " \
	ADD("stats_coupon_days", "discount_fen") ", " \
	ADD("stats_coupon_days", "order_fen")

#define SQL_REFUND_DAYS(w, s) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot, refunds," \
	" refund_fen) SELECT x.merchant_id, x.day, x.store_id, " s \
	", COUNT(*)," \
	" SUM(x.amount_fen) FROM (SELECT f.merchant_id, " LOCAL("f.done_at") \
	" AS day, o.store_id, f.amount_fen FROM " TZ0 "order_refunds f" \
	" JOIN orders o ON o.id = f.order_id WHERE f.status = 'done' AND " w \
	") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_days", "refunds") ", " \
	ADD("stats_days", "refund_fen")

#define SQL_RECHARGE_DAYS(w, s) \
	"INSERT INTO stats_days (merchant_id, day, store_id, slot, recharges," \
	" recharge_fen, recharge_bonus_fen) SELECT x.merchant_id, x.day," \
	" x.store_id, " s ", COUNT(*), SUM(x.pay_fen), SUM(x.bonus_fen) FROM (" \
	" SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" IFNULL(rc.store_id, 0) AS store_id, rc.pay_fen, rc.bonus_fen" \
	" FROM " TZ0 "recharges rc WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id ON DUPLICATE KEY UPDATE " \
	ADD("stats_days", "recharges") ", " ADD("stats_days", "recharge_fen") \
	", " ADD("stats_days", "recharge_bonus_fen")
/* Three rows a recharge: kind 'recharge' by how it was paid
   (RC_CHANNEL) at its store, 'package' by its package ('0': a custom
   amount) and 'provider' by its provider, both at store 0 (the merchant's
   figures: a tenth of the rows to read). */
#define SQL_RECHARGE_CHANNELS(w, s) \
	"INSERT INTO stats_channel_days (merchant_id, day, store_id, kind," \
	" channel, slot, n, fen, bonus_fen) SELECT x.merchant_id, x.day," \
	" x.store_id, x.kind, x.channel, " s ", COUNT(*), SUM(x.pay_fen)," \
	" SUM(x.bonus_fen) FROM (" \
	" SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" IF(k.k = 1, IFNULL(rc.store_id, 0), 0) AS store_id," \
	" ELT(k.k, 'recharge', 'package', 'provider') AS kind," \
	" CASE k.k WHEN 1 THEN " RC_CHANNEL("rc.provider") \
	" WHEN 2 THEN CAST(IFNULL(rc.package_id, 0) AS CHAR)" \
	" ELSE rc.provider END AS channel, rc.pay_fen, rc.bonus_fen" \
	" FROM " TZ0 "recharges rc JOIN (SELECT 1 AS k UNION ALL SELECT 2" \
	" UNION ALL SELECT 3) k WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.kind, x.channel" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_channel_days", "n") ", " \
	ADD("stats_channel_days", "fen") ", " \
	ADD("stats_channel_days", "bonus_fen")
#define SQL_RECHARGE_MEMBERS(w) \
	"INSERT INTO stats_member_days (merchant_id, day, member_id," \
	" store_id," \
	" join_day, recharges, recharge_fen) SELECT x.merchant_id, x.day," \
	" x.member_id, x.store_id, x.join_day, COUNT(*), SUM(x.pay_fen)" \
	" FROM (SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" rc.member_id, IFNULL(rc.store_id, 0) AS store_id, " \
	LOCAL("mb.joined_at") " AS join_day, rc.pay_fen" \
	" FROM " TZ0 "recharges rc JOIN members mb ON mb.id = rc.member_id" \
	" WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.member_id, x.store_id, x.join_day" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_member_days", "recharges") \
	", " ADD("stats_member_days", "recharge_fen")

/*
 * A member's orders by the day of the one before and of the one two
 * before (stats_active_days kinds order and order2, migration 0035) and
 * the join cohorts (stats_cohort_days), from the member-days x (merchant,
 * day, member_id, store_id) after their stats_member_days rows: Z_ORDERS
 * gives each its orders that day (c), the member's order-day before (p,
 * with cp orders), the one before that (pp) and the join day. A day of c
 * orders holds orders with (prev, prev2): (p, cp >= 2 ? p : pp), (day,
 * p), then (day, day); C0 is the orders of the day counted already (the
 * event: c - 1, the order just paid is the last; the rebuild: 0), so that
 * each adds the rows of its own orders only. An x of store 0 counts the
 * member's days at every store (the merchant's figures), one of a store
 * only those at that store (migration 0039: the figures of one store);
 * each order or member-day comes as both.
 */
#define AT_STORE(s, x) \
	" AND (" x ".store_id = 0 OR " s ".store_id = " x ".store_id)"
#define Z_ORDERS(x) \
	"(SELECT y2.merchant_id, y2.store_id, y2.day, y2.member_id, y2.p," \
	" y2.pp, SUM(IF(f.day = y2.day, f.orders, 0)) AS c," \
	" SUM(IF(f.day = y2.p, f.orders, 0)) AS cp, MAX(f.join_day) AS join_day" \
	" FROM (SELECT y.merchant_id, y.store_id, y.day, y.member_id, y.p," \
	" IFNULL(MAX(s.day), '1000-01-01') AS pp FROM (" \
	" SELECT x.merchant_id, x.store_id, x.day, x.member_id," \
	" IFNULL(MAX(s.day), '1000-01-01') AS p FROM " x \
	" LEFT JOIN stats_member_days s FORCE INDEX (ix_smd_member)" \
	" ON s.merchant_id = x.merchant_id AND s.member_id = x.member_id" \
	" AND s.day < x.day AND s.orders > 0" AT_STORE("s", "x") \
	" GROUP BY x.merchant_id, x.store_id, x.day, x.member_id) y" \
	" LEFT JOIN stats_member_days s FORCE INDEX (ix_smd_member)" \
	" ON s.merchant_id = y.merchant_id AND s.member_id = y.member_id" \
	" AND s.day < y.p AND s.orders > 0" AT_STORE("s", "y") \
	" GROUP BY y.merchant_id, y.store_id, y.day, y.member_id, y.p) y2" \
	" JOIN stats_member_days f FORCE INDEX (ix_smd_member)" \
	" ON f.merchant_id = y2.merchant_id AND f.member_id = y2.member_id" \
	" AND f.day IN (y2.day, y2.p)" AT_STORE("f", "y2") \
	" GROUP BY y2.merchant_id, y2.store_id, y2.day, y2.member_id, y2.p," \
	" y2.pp) z"
#define C0_EV		"z.c - 1"
#define C0_RB		"0"
#define SQL_ORDER_ACTIVE(x, c0, s) \
	"INSERT INTO stats_active_days (merchant_id, kind, store_id, day," \
	" prev_day, slot, members) SELECT w.merchant_id, w.kind, w.store_id," \
	" w.day, w.q, " s ", SUM(w.n) FROM (" \
	" SELECT z.merchant_id, k.kind, z.store_id, z.day, CASE k.k" \
	" WHEN 1 THEN z.p" \
	" WHEN 3 THEN IF(z.cp >= 2, z.p, z.pp) WHEN 4 THEN z.p ELSE z.day" \
	" END AS q, CASE k.k WHEN 2 THEN GREATEST(z.c - 1, 0) -" \
	" GREATEST(" c0 " - 1, 0) WHEN 4 THEN (z.c >= 2) - (" c0 " >= 2)" \
	" WHEN 5 THEN GREATEST(z.c - 2, 0) - GREATEST(" c0 " - 2, 0)" \
	" ELSE (z.c >= 1) - (" c0 " >= 1) END AS n FROM " Z_ORDERS(x) \
	" JOIN (SELECT 1 AS k, 'order' AS kind UNION ALL SELECT 2, 'order'" \
	" UNION ALL SELECT 3, 'order2' UNION ALL SELECT 4, 'order2'" \
	" UNION ALL SELECT 5, 'order2') k) w WHERE w.n <> 0" \
	" GROUP BY w.merchant_id, w.kind, w.store_id, w.day, w.q" \
	" ON DUPLICATE KEY UPDATE" \
	" members = stats_active_days.members + VALUES(members)"
/* A member's first order after the join day, within 30 days (at any
   store, and at the store of a store's x). */
#define SQL_ORDER_COHORT(x, c0, s) \
	"INSERT INTO stats_cohort_days (merchant_id, store_id, join_day, day," \
	" slot, members) SELECT z.merchant_id, z.store_id, z.join_day, z.day, " \
	s ", COUNT(*) FROM " \
	Z_ORDERS(x) " WHERE z.c >= 1 AND " c0 " = 0 AND z.p <= z.join_day" \
	" AND z.day > z.join_day AND DATEDIFF(z.day, z.join_day) <= 30" \
	" GROUP BY z.merchant_id, z.store_id, z.join_day, z.day" \
	" ON DUPLICATE KEY UPDATE" \
	" members = stats_cohort_days.members + VALUES(members)"
/* Both x of a row: k 0 the merchant's (store 0), k 1 its store's (when it
   has one). */
#define X_BOTH		" JOIN (SELECT 0 AS k UNION ALL SELECT 1) k"
#define X_STORE(col)	"IF(k.k = 1, IFNULL(" col ", 0), 0)"
#define X_HAS_STORE(col) " AND (k.k = 0 OR IFNULL(" col ", 0) <> 0)"
/* The order of an event as x: (tz, merchant, id). */
#define X_ORDER \
	"(SELECT o.merchant_id, " X_STORE("o.store_id") " AS store_id, " \
	LOCAL("o.paid_at") " AS day, o.member_id" \
	" FROM " TZ0 "orders o" X_BOTH " WHERE " ONE("o") \
	" AND o.paid_at IS NOT NULL AND o.member_id IS NOT NULL" \
	X_HAS_STORE("o.store_id") ") x"
/* A day's members with orders as x, for the rebuild: (merchant, day). */
#define X_ORDER_DAY	X_DAY("orders")
#define X_DAY(col) \
	"(SELECT DISTINCT s.merchant_id, " X_STORE("s.store_id") " AS store_id," \
	" s.day, s.member_id FROM stats_member_days s" X_BOTH \
	" WHERE s.merchant_id = ? AND s.day = ? AND s." col " > 0" \
	X_HAS_STORE("s.store_id") ") x"

/*
 * The members who recharged in a period, the merchant's and a store's
 * (stats_active_days kind recharge, migrations 0031 and 0039): a
 * member's day of the kind by the member's day of that kind before it,
 * at any store (x of store 0) or at the store (x of a store), from the
 * member-days x (merchant, store_id, day, member_id) after their rows;
 * cond picks the x counted (the event: the member's first of the day
 * there, SQL_ACTIVE_FIRST; the rebuild: "1").
 */
#define SQL_ACTIVE(kind, col, x, cond) \
	"INSERT INTO stats_active_days (merchant_id, kind, store_id, day," \
	" prev_day, members) SELECT y.merchant_id, '" kind "', y.store_id," \
	" y.day, y.prev_day, COUNT(*) FROM (SELECT x.merchant_id, x.store_id," \
	" x.day, x.member_id, IFNULL(MAX(s.day), '1000-01-01') AS prev_day" \
	" FROM " x " LEFT JOIN stats_member_days s FORCE INDEX (ix_smd_member)" \
	" ON s.merchant_id = x.merchant_id AND s.member_id = x.member_id" \
	" AND s.day < x.day AND s." col " > 0" AT_STORE("s", "x") \
	" WHERE " cond " GROUP BY x.merchant_id, x.store_id, x.day," \
	" x.member_id) y GROUP BY y.merchant_id, y.store_id, y.day," \
	" y.prev_day ON DUPLICATE KEY UPDATE" \
	" members = stats_active_days.members + VALUES(members)"
#define SQL_ACTIVE_FIRST(col) \
	"(SELECT SUM(f." col ") FROM stats_member_days f" \
	" WHERE f.merchant_id = x.merchant_id AND f.day = x.day" \
	" AND f.member_id = x.member_id" AT_STORE("f", "x") ") = 1"
/* The recharge of an event as x: (tz, merchant, id). */
#define X_RECHARGE \
	"(SELECT rc.merchant_id, " X_STORE("rc.store_id") " AS store_id, " \
	LOCAL("rc.paid_at") " AS day, rc.member_id FROM " TZ0 "recharges rc" \
	X_BOTH " WHERE " ONE("rc") X_HAS_STORE("rc.store_id") ") x"

/* The row an event adds to: its connection's, so that concurrent
   orders at one store do not queue on one row (migration 0031); the
   rebuild writes slot 0. Readers SUM over slots. */
#define EV_SLOT		"CONNECTION_ID() % 16"
#define RB_SLOT		"0"

/* One row, for an event: (tz, merchant, id). */
#define ONE(a)		a ".merchant_id = ? AND " a ".id = ?"
/* A day's rows, for the rebuild: (tz, merchant, UTC start, UTC end). */
#define SPAN(a, t)	a ".merchant_id = ? AND " a "." t " >= ? AND " \
			a "." t " < ?"

#endif
