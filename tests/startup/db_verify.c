/*
 * db_verify() against a real MariaDB, with the statements of this file
 * and no others: the runtime's db.c, util.c (cfg_load), log.c and arena.c
 * linked with this file alone, so the db_sql section holds exactly what
 * is declared here. Prints "db_verify N" (0 all counts match, -1 a
 * statement refused, 1 no database) with db.c's log on stderr.
 *
 * Built twice by tests/http/startup_checks.test.mjs, with the flags the
 * Makefile gives the app: as is (every declared count right) and with
 * -DDB_VERIFY_BAD (two counts wrong, one too few, one too many). It reads
 * the database from the environment as the app does (DB_SOCKET DB_NAME
 * DB_USER DB_PASSWORD, APP_ENV).
 */
#include <stdio.h>

#include "app.h"
#include "db.h"

enum { LIT_A, LIT_B, LIT_NCOLS };
DB_SQL_COLS(q_good_literal, LIT_NCOLS, "SELECT 1, 2");

enum { GM_ID, GM_CODE, GM_TZ, GM_NCOLS };
DB_SQL_COLS(q_good_table, GM_NCOLS,
    "SELECT id, code, tz FROM merchants WHERE code = ?");

DB_SQL(q_good_norows, "UPDATE merchants SET name = name WHERE id = ?");

#ifdef DB_VERIFY_BAD
/* names one column of two */
DB_SQL_COLS(q_bad, 1, "SELECT 1, 2");
/* names three columns of two */
enum { BW_ID, BW_CODE, BW_TZ, BW_NCOLS };
DB_SQL_COLS(q_bad_wide, BW_NCOLS,
    "SELECT id, code FROM merchants WHERE code = ?");
#endif

/* What db.c answers a failed request with; db_verify() runs none. */
int
resp_err(struct req *r, int status, const char *code, const char *message,
    const char *field)
{
	(void)r;
	(void)code;
	(void)message;
	(void)field;
	return status;
}

int
resp_internal(struct req *r)
{
	(void)r;
	return 500;
}

void
resp_reset(struct req *r)
{
	(void)r;
}

int
main(void)
{
	if (cfg_load() == -1)
		return 2;
	printf("db_verify %d\n", db_verify());
	return 0;
}
