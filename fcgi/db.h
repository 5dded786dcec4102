/*
 * Database access: prepared statements only, prepared at start-up on each
 * worker's connection. db.c is the only file that includes mysql.h.
 *
 * A statement that returns rows names its columns in an enum and declares
 * their count with DB_SQL_COLS(); one that returns none is a DB_SQL().
 * Both counts are checked when the statements are prepared, so a column
 * added to a SELECT without its name refuses to start (`app serve` checks
 * before it forks):
 *
 *	enum { MB_ID, MB_NAME, MB_NCOLS };
 *	DB_SQL_COLS(q_member_by_phone, MB_NCOLS,
 *	    "SELECT id, name FROM members WHERE merchant_id = ? AND phone = ?");
 *	struct db_res res;
 *	if (DB(r, &q_member_by_phone, &res, DBI(r->m->id), DBS(phone)) != DB_OK)
 *		return db_fail(r);
 *	if (res.nrows == 0) ...
 *	db_int(&res, 0, MB_ID), db_str(&res, 0, MB_NAME)
 *
 * Failures: a function that fails on the database returns db_fail(r),
 * the one place that decides what the client hears: nothing yet while a
 * transaction waits to be run again (deadlock, lock wait), 503 unavailable
 * with Retry-After when the connection was lost (nothing was committed),
 * 503 report_timeout when a report's statement ran past the request's
 * deadline (DB_REPORT_COLS), else 500 internal. Plumbing (db_run) returns DB_OK, DB_DUP, DB_RETRY or
 * DB_ERR and logs once, where it failed.
 */
#ifndef DB_H
#define DB_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct req;

/* What DB_SQL() declares: a statement with no result columns. */
#define DB_NOROWS	0

struct db_sql {
	const char	*text;
	int		 idx;		/* slot in the connection's statements */
	int		 nparams, ncols;	/* as prepared */
	int		 want_cols;	/* as declared */
	const char	*name, *file;
	int		 report;	/* DB_REPORT_COLS: bounded in time */
};

/*
 * A file whose every statement is a report's (see DB_REPORT_COLS below)
 * says so once, before its first #include: #define DB_FILE_REPORT 1.
 */
#ifndef DB_FILE_REPORT
#define DB_FILE_REPORT	0
#endif
/* A statement that returns no rows. */
#define DB_SQL(name, sqltext) DB_SQL_COLS(name, DB_NOROWS, sqltext)
/* A statement that returns rows of ncols columns (an enum's count). */
#define DB_SQL_COLS(name, ncols, sqltext) \
	static struct db_sql name = { sqltext, -1, 0, 0, (ncols), #name, \
	    __FILE__, DB_FILE_REPORT }; \
	static struct db_sql *const name##_reg \
	    __attribute__((used, section("db_sql"))) = &name

/*
 * A statement that a staff report, list or export runs: bounded in time in
 * MariaDB itself, by a deadline for the whole request rather than for each
 * statement. A served request has cfg.report_ms milliseconds from its start
 * (REPORT_DEADLINE_MS, default 20000, at most 45000: a clear margin below
 * nginx's fastcgi_read_timeout of 60 s, conf/nginx.conf.in) for all its
 * report statements together: each runs with max_statement_time set to
 * the time left (SET SESSION before it, reset to none before any other
 * statement, so that nothing that changes data is ever bounded), and one
 * whose request has no time left is not started at all. Past the deadline
 * MariaDB stops the statement; db_run() returns DB_ERR and db_fail()
 * answers 503 report_timeout. Outside a served request (a command, a job:
 * r->deadline_ms is 0) each report statement has the whole bound itself.
 */
#define DB_REPORT_COLS(name, ncols, sqltext) \
	static struct db_sql name = { sqltext, -1, 0, 0, (ncols), #name, \
	    __FILE__, 1 }; \
	static struct db_sql *const name##_reg \
	    __attribute__((used, section("db_sql"))) = &name

enum db_type { DB_T_NULL = 0, DB_T_INT, DB_T_STR };

struct db_val {
	enum db_type	 type;
	int64_t		 i;
	const char	*s;
	size_t		 len;
};

#define DBI(x)	((struct db_val){ .type = DB_T_INT, .i = (int64_t)(x) })
#define DBS(x)	db_val_str(x)
#define DBB(p, n) ((struct db_val){ .type = DB_T_STR, .s = (p), .len = (n) })
#define DBNULL	((struct db_val){ .type = DB_T_NULL })
/* Integer, or NULL when the flag is false. */
#define DBIN(x, present) ((present) ? DBI(x) : DBNULL)

static inline struct db_val
db_val_str(const char *s)
{
	struct db_val v = { DB_T_NULL, 0, NULL, 0 };
	if (s != NULL) {
		v.type = DB_T_STR;
		v.s = s;
		v.len = strlen(s);
	}
	return v;
}

struct db_res {
	int		 nrows, ncols;
	char		**vals;		/* nrows * ncols, NULL for SQL NULL */
	size_t		*lens;
	uint64_t	 affected;
	uint64_t	 insert_id;
};

/* Return codes of db_run(). */
#define DB_OK		0
#define DB_DUP		1	/* duplicate key (1062) */
#define DB_RETRY	2	/* deadlock or lock wait timeout: tx retried */
#define DB_ERR		(-1)

int	 db_run(struct req *, struct db_sql *, struct db_res *,
	    const struct db_val *, int nparams);
#define DB(r, q, res, ...) \
	db_run((r), (q), (res), (const struct db_val[]){ __VA_ARGS__ }, \
	    (int)(sizeof((struct db_val[]){ __VA_ARGS__ }) / sizeof(struct db_val)))
#define DB0(r, q, res) db_run((r), (q), (res), NULL, 0)

/*
 * A value of row, col: a row or column outside the result is logged and
 * reads as NULL (0, NULL, 0, true).
 */
int64_t	 db_int(const struct db_res *, int row, int col);	/* NULL -> 0 */
const char *db_str(const struct db_res *, int row, int col);	/* NULL -> NULL */
size_t	 db_len(const struct db_res *, int row, int col);
int	 db_isnull(const struct db_res *, int row, int col);
/*
 * One page of a list read with LIMIT limit + 1, ordered by the id in
 * column col: the rows to show (at most limit), and *next the cursor of
 * the next page (the last shown id) or 0 when none is left.
 */
int	 db_page(const struct db_res *, int64_t limit, int col, int64_t *next);

/*
 * Run fn inside one transaction, retrying the whole of it on deadlock or
 * lock wait timeout (also how a Galera certification failure arrives).
 * fn returns an HTTP status with the response set: < 400 commits, else
 * rolls back. Nested calls run fn inside the outer transaction.
 */
typedef int (*db_tx_fn)(struct req *, void *);
int	 db_tx(struct req *, db_tx_fn, void *);
int	 db_in_tx(void);
/* Set while a DB_RETRY is pending inside db_tx; handlers just return. */
int	 db_retry_pending(void);
/*
 * The status of a database failure, with the response recorded: 500
 * with nothing recorded while a retry is pending (db_tx runs the whole
 * transaction again), 503 unavailable (Retry-After) when the connection
 * is lost, 503 report_timeout (Retry-After) when a report's statement was
 * stopped at its bound, else 500 internal.
 */
int	 db_fail(struct req *);

/* Connection management (runtime). */
int	 db_connect(void);		/* connect + prepare all; 0 or -1 */
/*
 * Prepare every statement once and check the declared column counts:
 * 0 all good, 1 the database cannot be reached (workers connect later),
 * -1 a statement is refused (logged: the app must not start).
 */
int	 db_verify(void);
void	 db_close(void);
int	 db_ping(void);
/* Run a multi-statement SQL script outside prepared statements (migrations). */
int	 db_exec_script(const char *sql, size_t len);
int	 db_exec_simple(const char *sql);
int	 db_migrate(const char *dir);

#endif
