/*
 * The only file that includes mysql.h. One connection per worker process;
 * every statement registered with DB_SQL() is prepared on it at start-up
 * (so a typo in SQL stops the worker from starting, not a request later).
 */
#include <errno.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include "app.h"
#include "db.h"

extern struct db_sql *const __start_db_sql[];
extern struct db_sql *const __stop_db_sql[];

static MYSQL		*conn;
static MYSQL_STMT	**stmts;
static int		 nstmts;
static int		 tx_depth;
static int		 retry_pending;
static int		 conn_lost;	/* the last failure lost the connection */
static int		 refused;	/* a statement failed its checks */
static int		 timed_out;	/* the last failure: a report's bound */

#define COL_INIT	64

static int
is_conn_error(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONN_HOST_ERROR || e == CR_CONNECTION_ERROR ||
	    e == ER_CONNECTION_KILLED || e == CR_COMMANDS_OUT_OF_SYNC ||
	    e == 1927 /* ER_CONNECTION_KILLED (older) */ ||
	    e == ER_SERVER_SHUTDOWN || e == 4031 /* idle timeout */;
}

static int
is_retry_error(unsigned e)
{
	return e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT ||
	    e == 1180 /* commit failed (Galera) */;
}

static int
connect_raw(int multi)
{
	unsigned long flags = 0;
	my_bool off = 0;
	unsigned int timeout = 5;

	if ((conn = mysql_init(NULL)) == NULL)
		return -1;
	mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(conn, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', SESSION sql_mode = "
	    "'STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,"
	    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
	mysql_options(conn, MYSQL_OPT_RECONNECT, &off);
	mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (multi)
		flags |= CLIENT_MULTI_STATEMENTS;
	if (mysql_real_connect(conn, cfg.db_host, cfg.db_user, cfg.db_pass,
	    cfg.db_name, cfg.db_port, cfg.db_socket, flags) == NULL) {
		log_err(NULL, "db: connect: %s", mysql_error(conn));
		mysql_close(conn);
		conn = NULL;
		return -1;
	}
	return 0;
}

/*
 * The session's max_statement_time, as the report statements set it
 * (db.h, DB_REPORT_COLS): 0 when none is set, else the bound in ms, the
 * request deadline it was set for and when. A new connection has none.
 */
static int		 sess_bound_ms;
static int64_t		 sess_deadline, sess_set_at;

/* A bound set for this deadline serves the next statements for as long */
#define BOUND_REUSE_MS	20

static int
set_bound(int ms)
{
	char q[64];

	snprintf(q, sizeof(q), "SET SESSION max_statement_time = %d.%03d",
	    ms / 1000, ms % 1000);
	if (mysql_query(conn, q) != 0) {
		unsigned e = mysql_errno(conn);

		log_err(NULL, "db: %u %s: %s", e, mysql_error(conn), q);
		if ((conn_lost = is_conn_error(e)))
			db_close();
		return -1;
	}
	sess_bound_ms = ms;
	return 0;
}

/* No bound on what runs next (anything that is not a report's). */
static int
unbound(void)
{
	if (sess_bound_ms == 0 || conn == NULL)
		return 0;
	return set_bound(0);
}

/*
 * The bound of a report statement of r about to run: the time its request
 * has left (*ms), or 0 when none is left (the statement must not start).
 */
static int
report_left(struct req *r, int64_t now, int *ms)
{
	int64_t left;

	if (r->deadline_ms == 0) {
		*ms = cfg.report_ms;	/* a command's, a job's: its own */
		return 1;
	}
	left = r->deadline_ms - now;
	if (left <= 0)
		return 0;
	*ms = (int)(left < cfg.report_ms ? left : cfg.report_ms);
	return 1;
}

/* The session bounded for a report statement of r that may run ms. */
static int
bound_for(struct req *r, int64_t now, int ms)
{
	if (sess_bound_ms > 0 && r->deadline_ms != 0 &&
	    sess_deadline == r->deadline_ms &&
	    now - sess_set_at <= BOUND_REUSE_MS)
		return 0;
	if (set_bound(ms) == -1)
		return -1;
	sess_deadline = r->deadline_ms;
	sess_set_at = now;
	return 0;
}

static int
prepare_all(void)
{
	struct db_sql *const *p;
	int i = 0;

	refused = 0;
	nstmts = (int)(__stop_db_sql - __start_db_sql);
	stmts = calloc((size_t)nstmts + 1, sizeof(*stmts));
	if (stmts == NULL)
		return -1;
	for (p = __start_db_sql; p < __stop_db_sql; p++, i++) {
		struct db_sql *q = *p;
		const char *text = q->text;
		MYSQL_STMT *st;
		MYSQL_RES *meta;

		if ((st = mysql_stmt_init(conn)) == NULL)
			return -1;
		if (mysql_stmt_prepare(st, text, strlen(text)) != 0) {
			if (!is_conn_error(mysql_stmt_errno(st)))
				refused = 1;
			log_err(NULL, "db: prepare failed: %s: %s (%s, %s)",
			    mysql_stmt_error(st), q->text, q->name, q->file);
			mysql_stmt_close(st);
			return -1;
		}
		q->idx = i;
		q->nparams = (int)mysql_stmt_param_count(st);
		q->ncols = 0;
		if ((meta = mysql_stmt_result_metadata(st)) != NULL) {
			q->ncols = (int)mysql_num_fields(meta);
			mysql_free_result(meta);
		}
		stmts[i] = st;
		if (q->ncols != q->want_cols) {
			refused = 1;
			log_err(NULL, "db: %s (%s) returns %d columns, its "
			    "declaration names %d: %s", q->name, q->file,
			    q->ncols, q->want_cols, q->text);
		}
	}
	return refused ? -1 : 0;
}

void
db_close(void)
{
	int i;

	if (stmts != NULL) {
		for (i = 0; i < nstmts; i++)
			if (stmts[i] != NULL)
				mysql_stmt_close(stmts[i]);
		free(stmts);
		stmts = NULL;
	}
	if (conn != NULL)
		mysql_close(conn);
	conn = NULL;
	tx_depth = 0;
	sess_bound_ms = 0;
}

int
db_verify(void)
{
	int rc;

	if (connect_raw(0) == -1)
		return 1;
	rc = prepare_all();
	db_close();
	if (rc == 0)
		return 0;
	return refused ? -1 : 1;
}

int
db_connect(void)
{
	if (connect_raw(0) == -1)
		return -1;
	if (prepare_all() == -1) {
		db_close();
		return -1;
	}
	return 0;
}

static int
reconnect(void)
{
	int i;

	db_close();
	for (i = 0; i < 3; i++) {
		if (db_connect() == 0) {
			log_info(NULL, "db: reconnected");
			return 0;
		}
		usleep(200000);
	}
	return -1;
}

int
db_ping(void)
{
	if (conn == NULL && reconnect() == -1)
		return -1;
	if (mysql_ping(conn) != 0) {
		if (reconnect() == -1)
			return -1;
		return mysql_ping(conn) == 0 ? 0 : -1;
	}
	return 0;
}

static int
bind_and_exec(struct req *r, MYSQL_STMT *st, const struct db_val *v, int n)
{
	MYSQL_BIND *b = NULL;
	int i;

	if (n > 0) {
		b = arena_calloc(r->a, (size_t)n, sizeof(*b));
		for (i = 0; i < n; i++) {
			switch (v[i].type) {
			case DB_T_INT:
				b[i].buffer_type = MYSQL_TYPE_LONGLONG;
				b[i].buffer = (void *)&v[i].i;
				break;
			case DB_T_STR:
				b[i].buffer_type = MYSQL_TYPE_STRING;
				b[i].buffer = (void *)(v[i].s ? v[i].s : "");
				b[i].buffer_length = (unsigned long)v[i].len;
				b[i].length = &b[i].buffer_length;
				break;
			default:
				b[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
		}
		if (mysql_stmt_bind_param(st, b) != 0)
			return -1;
	}
	return mysql_stmt_execute(st) == 0 ? 0 : -1;
}

/*
 * Column c of st as a date or a date and time the library hands over as
 * MYSQL_TIME (its own conversion to text is an sprintf a value, a tenth
 * of a quote's time in the app): 10 (DATE), 19 (DATETIME, TIMESTAMP
 * without a fraction of a second), else 0 (read as text).
 */
static int
temporal_len(MYSQL_STMT *st, int c)
{
	const MYSQL_FIELD *f;

	if (st->fields == NULL || (unsigned)c >= st->field_count)
		return 0;
	f = &st->fields[c];
	/* the library prints a fraction for 1 to 6 decimals */
	if (f->type == MYSQL_TYPE_DATE)
		return 10;
	if ((f->type == MYSQL_TYPE_DATETIME ||
	    f->type == MYSQL_TYPE_TIMESTAMP) &&
	    (f->decimals == 0 || f->decimals > 6))
		return 19;
	return 0;
}

/* t as the library prints it ("%04u-%02u-%02u %02u:%02u:%02u", the
   first 10 for a date) into s (n + 1 bytes). */
static void
temporal_text(const MYSQL_TIME *t, int n, char *s)
{
	unsigned v[6] = { t->year, t->month, t->day, t->hour, t->minute,
	    t->second };
	char d[32];
	int i, k = 0;

	for (i = 0; i < 6; i++) {
		unsigned x = v[i];
		char w[12];
		int j = 0, width = i == 0 ? 4 : 2;

		do
			w[j++] = (char)('0' + x % 10);
		while ((x /= 10) != 0 && j < 11);
		while (j < width)
			w[j++] = '0';
		while (j > 0)
			d[k++] = w[--j];
		if (i < 5)
			d[k++] = i < 2 ? '-' : i == 2 ? ' ' : ':';
	}
	/* a year past 9999 would be wider: keep the library's text then */
	memcpy(s, d, (size_t)n);
	s[n] = '\0';
}

static int
fetch_all(struct req *r, MYSQL_STMT *st, int ncols, struct db_res *res)
{
	MYSQL_BIND *b;
	unsigned long *len;
	my_bool *isnull, *err;
	char **bufs;
	int *tlen;
	MYSQL_TIME *tm;
	int cap = 8, rc, c;

	if (mysql_stmt_store_result(st) != 0)
		return -1;
	b = arena_calloc(r->a, (size_t)ncols, sizeof(*b));
	len = arena_calloc(r->a, (size_t)ncols, sizeof(*len));
	isnull = arena_calloc(r->a, (size_t)ncols, sizeof(*isnull));
	err = arena_calloc(r->a, (size_t)ncols, sizeof(*err));
	bufs = arena_calloc(r->a, (size_t)ncols, sizeof(*bufs));
	tlen = arena_calloc(r->a, (size_t)ncols, sizeof(*tlen));
	tm = arena_calloc(r->a, (size_t)ncols, sizeof(*tm));
	for (c = 0; c < ncols; c++) {
		b[c].length = &len[c];
		b[c].is_null = &isnull[c];
		b[c].error = &err[c];
		if ((tlen[c] = temporal_len(st, c)) > 0) {
			b[c].buffer_type = tlen[c] == 10 ? MYSQL_TYPE_DATE :
			    MYSQL_TYPE_DATETIME;
			b[c].buffer = &tm[c];
			b[c].buffer_length = sizeof(tm[c]);
			continue;
		}
		bufs[c] = arena_alloc(r->a, COL_INIT);
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = bufs[c];
		b[c].buffer_length = COL_INIT;
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		goto fail;
	res->ncols = ncols;
	res->vals = arena_calloc(r->a, (size_t)cap * ncols, sizeof(char *));
	res->lens = arena_calloc(r->a, (size_t)cap * ncols, sizeof(size_t));
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		if (res->nrows == cap) {
			res->vals = arena_realloc(r->a, res->vals,
			    sizeof(char *) * cap * ncols,
			    sizeof(char *) * cap * 2 * ncols);
			res->lens = arena_realloc(r->a, res->lens,
			    sizeof(size_t) * cap * ncols,
			    sizeof(size_t) * cap * 2 * ncols);
			cap *= 2;
		}
		for (c = 0; c < ncols; c++) {
			int k = res->nrows * ncols + c;
			char *s;

			if (isnull[c]) {
				res->vals[k] = NULL;
				res->lens[k] = 0;
				continue;
			}
			if (tlen[c] > 0 && tm[c].year <= 9999) {
				s = arena_alloc(r->a, (size_t)tlen[c] + 1);
				temporal_text(&tm[c], tlen[c], s);
				res->vals[k] = s;
				res->lens[k] = (size_t)tlen[c];
				continue;
			}
			if (tlen[c] > 0) {
				/* wider than the usual text: the library's */
				MYSQL_BIND fb;
				char tb[64];
				unsigned long tl = 0;

				memset(&fb, 0, sizeof(fb));
				fb.buffer_type = MYSQL_TYPE_STRING;
				fb.buffer = tb;
				fb.buffer_length = sizeof(tb) - 1;
				fb.length = &tl;
				if (mysql_stmt_fetch_column(st, &fb,
				    (unsigned)c, 0) != 0)
					goto fail;
				if (tl > sizeof(tb) - 1)
					tl = sizeof(tb) - 1;
				res->vals[k] = arena_strndup(r->a, tb, tl);
				res->lens[k] = tl;
				continue;
			}
			s = arena_alloc(r->a, len[c] + 1);
			if (len[c] > COL_INIT) {
				MYSQL_BIND fb;

				memset(&fb, 0, sizeof(fb));
				fb.buffer_type = MYSQL_TYPE_STRING;
				fb.buffer = s;
				fb.buffer_length = len[c];
				if (mysql_stmt_fetch_column(st, &fb,
				    (unsigned)c, 0) != 0)
					goto fail;
			} else
				memcpy(s, bufs[c], len[c]);
			s[len[c]] = '\0';
			res->vals[k] = s;
			res->lens[k] = len[c];
		}
		res->nrows++;
	}
	if (rc != MYSQL_NO_DATA)
		goto fail;
	mysql_stmt_free_result(st);
	return 0;
fail:
	mysql_stmt_free_result(st);
	return -1;
}

int
db_run(struct req *r, struct db_sql *q, struct db_res *res,
    const struct db_val *v, int n)
{
	struct db_res local;
	MYSQL_STMT *st;
	unsigned e;
	int64_t t0 = 0;
	int attempt, bound = 0;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	if (q->idx < 0) {
		log_err(r, "db: statement not prepared: %s", q->text);
		return DB_ERR;
	}
	if (n != q->nparams) {
		log_err(r, "db: %d parameters for %d: %s", n, q->nparams,
		    q->text);
		return DB_ERR;
	}
	if (retry_pending)
		return DB_RETRY;
	timed_out = 0;
	if (q->report) {
		t0 = time_mono_ms();
		if (!report_left(r, t0, &bound)) {
			/* the request's time is up: nothing more starts */
			log_warn(r, "db: %s (%s) not started: the request's "
			    "%d ms are up", q->name, q->file, cfg.report_ms);
			conn_lost = 0;
			timed_out = 1;
			return DB_ERR;
		}
	}
	for (attempt = 0; attempt < 2; attempt++) {
		if (conn == NULL && reconnect() == -1) {
			conn_lost = 1;
			return DB_ERR;
		}
		if ((q->report ? bound_for(r, t0, bound) : unbound()) == -1) {
			if (conn_lost && tx_depth == 0)
				continue;	/* reconnects */
			return DB_ERR;
		}
		st = stmts[q->idx];
		if (bind_and_exec(r, st, v, n) == 0) {
			res->affected = mysql_stmt_affected_rows(st);
			res->insert_id = mysql_stmt_insert_id(st);
			if (q->ncols > 0 && fetch_all(r, st, q->ncols, res) != 0)
				goto err;
			conn_lost = 0;
			return DB_OK;
		}
err:
		e = mysql_stmt_errno(st);
		if (e == ER_DUP_ENTRY || e == ER_DUP_KEY)
			return DB_DUP;
		if (is_retry_error(e)) {
			if (tx_depth > 0)
				retry_pending = 1;
			log_warn(r, "db: %u %s", e, mysql_stmt_error(st));
			return DB_RETRY;
		}
		if (e == ER_STATEMENT_TIMEOUT && q->report) {
			/* MariaDB stopped it: nothing runs on */
			log_warn(r, "db: %s (%s) stopped after %lld ms, at "
			    "its request's deadline", q->name, q->file,
			    (long long)(time_mono_ms() - t0));
			conn_lost = 0;
			timed_out = 1;
			return DB_ERR;
		}
		log_err(r, "db: %u %s: %s", e, mysql_stmt_error(st), q->text);
		conn_lost = is_conn_error(e);
		if (conn_lost && tx_depth == 0) {
			if (reconnect() == -1)
				return DB_ERR;
			continue;
		}
		if (conn_lost)
			db_close();
		return DB_ERR;
	}
	return DB_ERR;
}

/* The index of row, col in res, or -1 (logged) outside it. */
static int
cell(const struct db_res *res, int row, int col)
{
	if (row < 0 || row >= res->nrows || col < 0 || col >= res->ncols) {
		log_err(NULL, "db: row %d column %d read from a result of %d "
		    "rows of %d columns", row, col, res->nrows, res->ncols);
		return -1;
	}
	return row * res->ncols + col;
}

int64_t
db_int(const struct db_res *res, int row, int col)
{
	int k = cell(res, row, col);

	return k < 0 || res->vals[k] == NULL ? 0 :
	    strtoll(res->vals[k], NULL, 10);
}

const char *
db_str(const struct db_res *res, int row, int col)
{
	int k = cell(res, row, col);

	return k < 0 ? NULL : res->vals[k];
}

size_t
db_len(const struct db_res *res, int row, int col)
{
	int k = cell(res, row, col);

	return k < 0 ? 0 : res->lens[k];
}

int
db_isnull(const struct db_res *res, int row, int col)
{
	int k = cell(res, row, col);

	return k < 0 || res->vals[k] == NULL;
}

int
db_page(const struct db_res *res, int64_t limit, int col, int64_t *next)
{
	int n = res->nrows > limit ? (int)limit : res->nrows;

	*next = res->nrows > limit && n > 0 ? db_int(res, n - 1, col) : 0;
	return n;
}

int
db_in_tx(void)
{
	return tx_depth > 0;
}

int
db_retry_pending(void)
{
	return retry_pending;
}

int
db_fail(struct req *r)
{
	if (retry_pending)
		return 500;	/* db_tx runs the transaction again */
	if (conn_lost || conn == NULL)
		return resp_err(r, 503, "unavailable",
		    "服务暂不可用，请稍后再试", NULL);
	if (timed_out)
		return resp_err(r, 503, "report_timeout",
		    "查询的数据较多，未能及时完成，请缩小时间或筛选范围后再试", NULL);
	return resp_internal(r);
}

int
db_exec_simple(const char *sql)
{
	if (conn == NULL && reconnect() == -1)
		return -1;
	if (unbound() == -1)
		return -1;
	if (mysql_query(conn, sql) != 0) {
		unsigned e = mysql_errno(conn);

		if (is_retry_error(e) && tx_depth > 0)
			retry_pending = 1;
		log_err(NULL, "db: %u %s: %s", e, mysql_error(conn), sql);
		if ((conn_lost = is_conn_error(e)))
			db_close();
		return -1;
	}
	return 0;
}

int
db_tx(struct req *r, db_tx_fn fn, void *ctx)
{
	int attempt, status = 500;

	if (tx_depth > 0)
		return fn(r, ctx);
	for (attempt = 0; attempt < 10; attempt++) {
		if (attempt > 0) {
			struct timespec ts = { 0, (long)rand_uniform(
			    2000000u * (unsigned)attempt) + 500000 };

			nanosleep(&ts, NULL);
			resp_reset(r);
		}
		retry_pending = 0;
		if (conn == NULL && reconnect() == -1)
			return resp_err(r, 503, "unavailable",
			    "服务暂不可用，请稍后再试", NULL);
		/* a lost connection shows in the START that follows */
		(void)unbound();
		if (conn == NULL && reconnect() == -1)
			return resp_err(r, 503, "unavailable",
			    "服务暂不可用，请稍后再试", NULL);
		if (mysql_query(conn, "START TRANSACTION") != 0) {
			if (is_conn_error(mysql_errno(conn)) &&
			    reconnect() == 0 &&
			    mysql_query(conn, "START TRANSACTION") == 0)
				goto started;
			log_err(r, "db: begin: %s", mysql_error(conn));
			conn_lost = is_conn_error(mysql_errno(conn));
			if (conn_lost)
				db_close();
			return db_fail(r);
		}
started:
		tx_depth = 1;
		status = fn(r, ctx);
		tx_depth = 0;
		if (retry_pending) {
			if (conn != NULL)
				mysql_rollback(conn);
			continue;
		}
		if (status >= 400) {
			if (conn != NULL)
				mysql_rollback(conn);
			return status;
		}
		if (conn != NULL)
			(void)unbound();	/* a report's bound, in here */
		if (conn == NULL || mysql_commit(conn) != 0) {
			unsigned e = conn ? mysql_errno(conn) : CR_SERVER_LOST;

			if (conn != NULL && is_retry_error(e)) {
				mysql_rollback(conn);
				continue;
			}
			log_err(r, "db: commit: %u", e);
			resp_reset(r);
			conn_lost = is_conn_error(e);
			if (conn_lost)
				db_close();
			return db_fail(r);
		}
		return status;
	}
	retry_pending = 0;
	log_err(r, "db: transaction still conflicting after retries");
	resp_reset(r);
	return resp_err(r, 503, "unavailable", "系统繁忙，请稍后再试", NULL);
}

int
db_exec_script(const char *sql, size_t len)
{
	int status;

	if (mysql_real_query(conn, sql, (unsigned long)len) != 0)
		goto fail;
	do {
		MYSQL_RES *res = mysql_store_result(conn);

		if (res != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(conn) != 0)
			goto fail;
		if ((status = mysql_next_result(conn)) > 0)
			goto fail;
	} while (status == 0);
	return 0;
fail:
	log_err(NULL, "db: script: %u %s", mysql_errno(conn),
	    mysql_error(conn));
	return -1;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Apply migrations/NNNN_name.sql in order, each recorded in
 * schema_migrations. Safe to run twice: applied files are skipped.
 */
int
db_migrate(const char *dir)
{
	static const char q_applied[] =
	    "SELECT 1 FROM schema_migrations WHERE version = ?";
	static const char q_record[] =
	    "INSERT INTO schema_migrations (version) VALUES (?)";
	DIR *d;
	struct dirent *de;
	char *names[512];
	int n = 0, i, rc = -1, applied = 0;

	if (connect_raw(1) == -1)
		return -1;
	if (db_exec_simple("CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version VARCHAR(128) PRIMARY KEY, "
	    "applied_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)"
	    " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4") == -1)
		goto out;
	if ((d = opendir(dir)) == NULL) {
		log_err(NULL, "migrate: %s: %s", dir, strerror(errno));
		goto out;
	}
	while ((de = readdir(d)) != NULL && n < 512) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".sql") == 0)
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
	for (i = 0; i < n; i++) {
		MYSQL_STMT *st;
		MYSQL_BIND b[1];
		unsigned long vl = (unsigned long)strlen(names[i]);
		char path[4096], *buf = NULL;
		FILE *f;
		long sz;
		int done;

		st = mysql_stmt_init(conn);
		if (mysql_stmt_prepare(st, q_applied, strlen(q_applied)) != 0) {
			mysql_stmt_close(st);
			goto names;
		}
		memset(b, 0, sizeof(b));
		b[0].buffer_type = MYSQL_TYPE_STRING;
		b[0].buffer = names[i];
		b[0].buffer_length = vl;
		b[0].length = &vl;
		mysql_stmt_bind_param(st, b);
		if (mysql_stmt_execute(st) != 0 ||
		    mysql_stmt_store_result(st) != 0) {
			mysql_stmt_close(st);
			goto names;
		}
		done = mysql_stmt_num_rows(st) > 0;
		mysql_stmt_close(st);
		if (done)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((f = fopen(path, "rb")) == NULL)
			goto names;
		fseek(f, 0, SEEK_END);
		sz = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc((size_t)sz + 1);
		if (buf == NULL || fread(buf, 1, (size_t)sz, f) != (size_t)sz) {
			fclose(f);
			free(buf);
			goto names;
		}
		fclose(f);
		buf[sz] = '\0';
		if (db_exec_script(buf, (size_t)sz) == -1) {
			log_err(NULL, "migrate: %s failed", names[i]);
			free(buf);
			goto names;
		}
		free(buf);
		st = mysql_stmt_init(conn);
		if (mysql_stmt_prepare(st, q_record, strlen(q_record)) != 0 ||
		    mysql_stmt_bind_param(st, b) != 0 ||
		    mysql_stmt_execute(st) != 0) {
			log_err(NULL, "migrate: record %s: %s", names[i],
			    mysql_stmt_error(st));
			mysql_stmt_close(st);
			goto names;
		}
		mysql_stmt_close(st);
		printf("applied %s\n", names[i]);
		applied++;
	}
	printf("migrations: %d applied, %d total\n", applied, n);
	rc = 0;
names:
	for (i = 0; i < n; i++)
		free(names[i]);
out:
	db_close();
	return rc;
}
