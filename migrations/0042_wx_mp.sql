-- A merchant's mini-program and official account (JS-SDK), the access
-- tokens and jsapi tickets WeChat issues for them, and the phone a WeChat
-- identity proved.
--
-- wx_apps: the appid and the app secret of each, the secret sealed
-- (secret_seal, purpose "wx.secret") and never returned.
--
-- wx_tokens: one cached access_token or jsapi_ticket per app, sealed, with
-- WeChat's expiry. Whoever finds it due claims it by one conditional
-- UPDATE of lease_until (a lease of a few seconds, lease_id its holder),
-- fetches a new one outside any transaction and stores it; the others use
-- the old one while it is valid, or wait briefly for the new one. So all
-- workers and hosts fetch once per expiry.
--
-- wx_identities.phone: the phone getPhoneNumber proved for that openid;
-- the member with that phone is the identity's member (linked at once when
-- the phone has joined, else by the trigger below when it joins).
-- sessions.wx_identity_id: the WeChat identity a session signed in with
-- auth/wx-login, which auth/wx-phone binds the phone of.
CREATE TABLE wx_apps (
	merchant_id	BIGINT NOT NULL,
	kind		ENUM('mp', 'oa') NOT NULL,
	appid		VARCHAR(32) NOT NULL,
	secret_sealed	VARCHAR(255) NULL,
	updated_at	DATETIME NOT NULL,
	PRIMARY KEY (merchant_id, kind)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

CREATE TABLE wx_tokens (
	merchant_id	BIGINT NOT NULL,
	appid		VARCHAR(32) NOT NULL,
	kind		ENUM('access_token', 'jsapi_ticket') NOT NULL,
	value_sealed	VARCHAR(1024) NULL,
	expires_at	DATETIME NULL,
	lease_until	DATETIME(3) NULL,
	lease_id	CHAR(32) NULL,
	fetched_at	DATETIME NULL,
	PRIMARY KEY (merchant_id, appid, kind)
) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin;

ALTER TABLE wx_identities
	ADD COLUMN phone VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER unionid,
	ADD KEY ix_wx_phone (merchant_id, phone);

ALTER TABLE sessions ADD COLUMN wx_identity_id BIGINT NULL AFTER member_id;

CREATE TRIGGER members_wx_identities AFTER INSERT ON members FOR EACH ROW
	UPDATE wx_identities SET member_id = NEW.id, updated_at = UTC_TIMESTAMP()
	WHERE merchant_id = NEW.merchant_id AND phone = NEW.phone
	AND member_id IS NULL;
