-- WeChat Pay API v3: a merchant's account (mchid, the appid it pays
-- under, its API certificate's serial, its private key and APIv3 key
-- sealed by secret_seal), the keys WeChat Pay signs with (platform
-- certificates and/or the WeChat Pay public key: both during a switch),
-- and the trades and refunds sent to it.
CREATE TABLE wxpay_settings (
	merchant_id	BIGINT PRIMARY KEY,
	mchid		VARCHAR(32) NOT NULL,
	appid		VARCHAR(32) NOT NULL,
	cert_serial	VARCHAR(64) NOT NULL,
	private_key	TEXT NOT NULL,		-- sealed, purpose wxpay.key
	apiv3_key	VARCHAR(255) NOT NULL,	-- sealed, purpose wxpay.v3
	updated_at	DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- serial: a platform certificate's serial, or the public key's id
-- (PUB_KEY_ID_...), as WeChat Pay names it in Wechatpay-Serial.
CREATE TABLE wxpay_platform_keys (
	merchant_id	BIGINT NOT NULL,
	serial		VARCHAR(64) NOT NULL,
	kind		ENUM('certificate', 'public_key') NOT NULL,
	pem		TEXT NOT NULL,
	expires_at	DATETIME NULL,
	PRIMARY KEY (merchant_id, serial)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A trade prepaid with WeChat Pay (a recharge's or an order's
-- out_trade_no): what the query job asks about when no notify came.
CREATE TABLE wxpay_trades (
	merchant_id	BIGINT NOT NULL,
	out_trade_no	VARCHAR(64) NOT NULL,
	amount_fen	BIGINT NOT NULL,
	prepay_id	VARCHAR(64) NULL,
	state		ENUM('open', 'paid', 'closed') NOT NULL DEFAULT 'open',
	transaction_id	VARCHAR(64) NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, out_trade_no),
	KEY ix_wxpay_open (state, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A refund sent to WeChat Pay: out_refund_no is stable (an order
-- refund's id), so a refund sent again after a lost answer is the same
-- refund at WeChat Pay, never a second one. sent: no answer yet (the job
-- sends it again); processing: accepted; success: the money is back
-- (the answer or the refund notify said so, once).
CREATE TABLE wxpay_refunds (
	merchant_id	BIGINT NOT NULL,
	out_refund_no	VARCHAR(64) NOT NULL,
	out_trade_no	VARCHAR(64) NOT NULL,
	refund_fen	BIGINT NOT NULL,
	total_fen	BIGINT NOT NULL,
	state		ENUM('sent', 'processing', 'success', 'failed') NOT NULL
			DEFAULT 'sent',
	refund_id	VARCHAR(64) NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	done_at		DATETIME NULL,
	PRIMARY KEY (merchant_id, out_refund_no),
	KEY ix_wxpay_refund_open (state, updated_at),
	CONSTRAINT ck_wxpay_refund CHECK (refund_fen >= 1 AND refund_fen <= total_fen)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
