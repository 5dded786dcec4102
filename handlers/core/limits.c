/*
 * Failed attempts counted per bucket in fixed windows, in MariaDB so that
 * every worker and app machine sees one count (see core.h). A bucket over
 * its limit is refused with 429 and Retry-After until its window ends;
 * attempts refused so do not count, so a window always ends.
 */
#include <string.h>

#include "app.h"
#include "core.h"
#include "db.h"

enum { FC_FAILURES, FC_LEFT, FC_NCOLS };
DB_SQL_COLS(q_fail_get, FC_NCOLS,
    "SELECT failures, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(),"
    " window_start + INTERVAL ? SECOND) FROM fail_counters"
    " WHERE bucket = ? AND window_start > UTC_TIMESTAMP() - INTERVAL ? SECOND");
/* One statement: a new bucket, a new window, or one more failure. */
DB_SQL(q_fail_bump,
    "INSERT INTO fail_counters (bucket, window_start, failures)"
    " VALUES (?, UTC_TIMESTAMP(), 1) ON DUPLICATE KEY UPDATE"
    " failures = IF(window_start <= UTC_TIMESTAMP() - INTERVAL ? SECOND,"
    " 1, failures + 1),"
    " window_start = IF(window_start <= UTC_TIMESTAMP() - INTERVAL ? SECOND,"
    " UTC_TIMESTAMP(), window_start)");

int
fail_limit_check(struct req *r, const struct fail_limit *l, const char *key)
{
	const char *b = arena_printf(r->a, "%s:%s", l->name, key);
	struct db_res res;
	int64_t left;

	if (DB(r, &q_fail_get, &res, DBI(l->window_s), DBS(b),
	    DBI(l->window_s)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0 || db_int(&res, 0, FC_FAILURES) < l->limit)
		return 0;
	left = db_int(&res, 0, FC_LEFT);
	resp_header(r, "Retry-After", arena_printf(r->a, "%lld",
	    (long long)(left < 1 ? 1 : left)));
	return resp_err(r, 429, "too_many_requests", l->message, NULL);
}

int
fail_count(struct req *r, const struct fail_limit *l, const char *key)
{
	const char *b = arena_printf(r->a, "%s:%s", l->name, key);

	if (DB(r, &q_fail_bump, NULL, DBS(b), DBI(l->window_s),
	    DBI(l->window_s)) != DB_OK)
		return db_fail(r);
	return 0;
}
