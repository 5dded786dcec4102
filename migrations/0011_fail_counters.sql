-- Failed attempts counted per bucket in fixed windows (the counter scan:
-- per session and per address), so that workers and app machines share
-- one count. A row is reset when its window has passed.
CREATE TABLE fail_counters (
	bucket		VARBINARY(96) NOT NULL,
	window_start	DATETIME NOT NULL,
	failures	INT NOT NULL,
	PRIMARY KEY (bucket)
) ENGINE=InnoDB;
