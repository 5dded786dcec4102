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

#define SQL_JOIN_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, new_members," \
	" referred_members) SELECT x.merchant_id, x.day, x.store_id," \
	" COUNT(*)," \
	" SUM(x.referred) FROM (SELECT mb.merchant_id, " \
	LOCAL("mb.joined_at") " AS day, " \
	STORE_OF("mb.channel") " AS store_id," \
	" mb.referrer_id IS NOT NULL AS referred FROM " TZ0 "members mb" \
	" WHERE " w ") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_days", "new_members") ", " \
	ADD("stats_days", "referred_members")
#define SQL_JOIN_CHANNELS(w) \
	"INSERT INTO stats_channel_days (merchant_id, day, store_id, kind," \
	" channel, n) SELECT x.merchant_id, x.day, x.store_id, 'join'," \
	" x.channel, COUNT(*) FROM (SELECT mb.merchant_id, " \
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

#define SQL_ORDER_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, member_orders," \
	" member_order_fen, non_member_orders, non_member_order_fen," \
	" coupon_orders, coupon_order_fen, coupon_discount_fen)" \
	" SELECT x.merchant_id, x.day, x.store_id, SUM(x.mem)," \
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

#define SQL_REFUND_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, refunds," \
	" refund_fen) SELECT x.merchant_id, x.day, x.store_id, COUNT(*)," \
	" SUM(x.amount_fen) FROM (SELECT f.merchant_id, " LOCAL("f.done_at") \
	" AS day, o.store_id, f.amount_fen FROM " TZ0 "order_refunds f" \
	" JOIN orders o ON o.id = f.order_id WHERE f.status = 'done' AND " w \
	") x GROUP BY x.merchant_id, x.day, x.store_id" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_days", "refunds") ", " \
	ADD("stats_days", "refund_fen")

#define SQL_RECHARGE_DAYS(w) \
	"INSERT INTO stats_days (merchant_id, day, store_id, recharges," \
	" recharge_fen, recharge_bonus_fen) SELECT x.merchant_id, x.day," \
	" x.store_id, COUNT(*), SUM(x.pay_fen), SUM(x.bonus_fen) FROM (" \
	" SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" IFNULL(rc.store_id, 0) AS store_id, rc.pay_fen, rc.bonus_fen" \
	" FROM " TZ0 "recharges rc WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id ON DUPLICATE KEY UPDATE " \
	ADD("stats_days", "recharges") ", " ADD("stats_days", "recharge_fen") \
	", " ADD("stats_days", "recharge_bonus_fen")
#define SQL_RECHARGE_CHANNELS(w) \
	"INSERT INTO stats_channel_days (merchant_id, day, store_id, kind," \
	" channel, n, fen) SELECT x.merchant_id, x.day, x.store_id," \
	" 'recharge', x.channel, COUNT(*), SUM(x.pay_fen) FROM (" \
	" SELECT rc.merchant_id, " LOCAL("rc.paid_at") " AS day," \
	" IFNULL(rc.store_id, 0) AS store_id, " RC_CHANNEL("rc.provider") \
	" AS channel, rc.pay_fen FROM " TZ0 "recharges rc" \
	" WHERE rc.status = 'paid' AND " w ") x" \
	" GROUP BY x.merchant_id, x.day, x.store_id, x.channel" \
	" ON DUPLICATE KEY UPDATE " ADD("stats_channel_days", "n") ", " \
	ADD("stats_channel_days", "fen")
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

/* One row, for an event: (tz, merchant, id). */
#define ONE(a)		a ".merchant_id = ? AND " a ".id = ?"
/* A day's rows, for the rebuild: (tz, merchant, UTC start, UTC end). */
#define SPAN(a, t)	a ".merchant_id = ? AND " a "." t " >= ? AND " \
			a "." t " < ?"

#endif
