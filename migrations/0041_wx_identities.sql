-- WeChat identities: who signed in from a merchant's mini-program (or
-- official account) as which openid. A known openid signs its member in;
-- an unknown one is kept, without a member, until the person joins or
-- binds a phone. WeChat Pay's JSAPI and mini-program payments name the
-- payer by this openid (appid + openid).
CREATE TABLE wx_identities (
	id		BIGINT AUTO_INCREMENT PRIMARY KEY,
	merchant_id	BIGINT NOT NULL,
	appid		VARCHAR(32) NOT NULL,
	openid		VARCHAR(64) NOT NULL,
	unionid		VARCHAR(64) NULL,
	member_id	BIGINT NULL,
	created_at	DATETIME NOT NULL,
	updated_at	DATETIME NOT NULL,
	UNIQUE KEY uq_wx_openid (merchant_id, appid, openid),
	KEY ix_wx_member (merchant_id, member_id),
	KEY ix_wx_unionid (merchant_id, unionid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
