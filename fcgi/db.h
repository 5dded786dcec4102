/*
 * Database access: prepared statements only, prepared at start-up on each
 * worker's connection. db.c is the only file that includes mysql.h.
 *
 *	DB_SQL(q_member_by_phone,
 *	    "SELECT id, name FROM members WHERE merchant_id = ? AND phone = ?");
 *	struct db_res res;
 *	if (DB(r, &q_member_by_phone, &res, DBI(r->m->id), DBS(phone)) != DB_OK)
 *		return resp_internal(r);
 *	if (res.nrows == 0) ...
 *	db_int(&res, 0, 0), db_str(&res, 0, 1)
 */
#ifndef DB_H
#define DB_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct req;

struct db_sql {
	const char	*text;
	int		 idx;		/* slot in the connection's statements */
	int		 nparams, ncols;
};

#define DB_SQL(name, sqltext) \
	static struct db_sql name = { sqltext, -1, 0, 0 }; \
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

/* Connection management (runtime). */
int	 db_connect(void);		/* connect + prepare all; 0 or -1 */
void	 db_close(void);
int	 db_ping(void);
/* Run a multi-statement SQL script outside prepared statements (migrations). */
int	 db_exec_script(const char *sql, size_t len);
int	 db_exec_simple(const char *sql);
int	 db_migrate(const char *dir);

#endif
