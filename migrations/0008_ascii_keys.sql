-- Hex hashes and phone numbers are ASCII: compared byte for byte, their
-- index lookups (every authenticated request finds its session by
-- token_hash) need no Unicode collation.
ALTER TABLE sessions
	MODIFY token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	MODIFY csrf_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
	MODIFY phone VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL;
ALTER TABLE members
	MODIFY phone VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE sms_codes
	MODIFY phone VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	MODIFY code_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE sms_rate
	MODIFY phone VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
ALTER TABLE tickets
	MODIFY token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
