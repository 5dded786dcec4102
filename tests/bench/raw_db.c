/* The raw benchmark clients' connection and statements (raw_db.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "raw_db.h"

const char *
env(const char *k, const char *def)
{
	const char *v = getenv(k);

	return v != NULL && *v != '\0' ? v : def;
}

MYSQL *
raw_connect(void)
{
	MYSQL *db = mysql_init(NULL);
	my_bool off = 0;

	/* the app's session settings (fcgi/db.c) */
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(db, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', SESSION sql_mode = "
	    "'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
	    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
	mysql_options(db, MYSQL_OPT_RECONNECT, &off);
	if (mysql_real_connect(db, env("DB_HOST", NULL), env("DB_USER", "app"),
	    env("DB_PASSWORD", NULL), env("DB_NAME", "app"),
	    (unsigned)atoi(env("DB_PORT", "0")), env("DB_SOCKET", NULL), 0) ==
	    NULL) {
		fprintf(stderr, "%s: connect: %s\n",
		    program_invocation_short_name, mysql_error(db));
		exit(1);
	}
	return db;
}

void
raw_prepare(MYSQL *db, struct stmt *s, const char *sql)
{
	MYSQL_RES *meta;
	MYSQL_BIND b[MAXCOLS];
	int i;

	s->st = mysql_stmt_init(db);
	if (mysql_stmt_prepare(s->st, sql, strlen(sql)) != 0) {
		fprintf(stderr, "%s: prepare: %s: %s\n",
		    program_invocation_short_name,
		    mysql_stmt_error(s->st), sql);
		exit(1);
	}
	s->ncols = 0;
	if ((meta = mysql_stmt_result_metadata(s->st)) != NULL) {
		s->ncols = (int)mysql_num_fields(meta);
		mysql_free_result(meta);
	}
	if (s->ncols > MAXCOLS) {
		fprintf(stderr, "%s: %d columns, more than %d: %s\n",
		    program_invocation_short_name, s->ncols, MAXCOLS, sql);
		exit(1);
	}
	memset(b, 0, sizeof(b));
	for (i = 0; i < s->ncols; i++) {
		b[i].buffer_type = MYSQL_TYPE_STRING;
		b[i].buffer = s->col[i];
		b[i].buffer_length = COLSZ - 1;
		b[i].length = &s->len[i];
		b[i].is_null = &s->null[i];
	}
	if (s->ncols > 0 && mysql_stmt_bind_result(s->st, b) != 0) {
		fprintf(stderr, "%s: bind result: %s\n",
		    program_invocation_short_name,
		    mysql_stmt_error(s->st));
		exit(1);
	}
}
