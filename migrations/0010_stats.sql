-- Analytics (handlers/stats.c) read a merchant's rows by time: coupons by
-- the time they were claimed, balance payments by the time they were made.
-- The other times they read are indexed already (members.joined_at,
-- coupons.used_at, recharges.paid_at, refunds.created_at).

ALTER TABLE coupons ADD KEY ix_coupon_claimed (merchant_id, claimed_at);
ALTER TABLE payments ADD KEY ix_payment_created (merchant_id, created_at);
