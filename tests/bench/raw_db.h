/*
 * What the raw benchmark clients (claim_raw.c, order_raw.c) share: a
 * connection with the app's session settings and statements prepared with
 * every column bound as a string.
 */
#ifndef RAW_DB_H
#define RAW_DB_H
#include <mysql.h>

#define MAXCOLS		64
#define COLSZ		1100	/* the longest column: store_ids, 1024 */

struct stmt {
	MYSQL_STMT	*st;
	int		 ncols;
	char		 col[MAXCOLS][COLSZ];
	unsigned long	 len[MAXCOLS];
	my_bool		 null[MAXCOLS];
};

/* The environment's value of k, or def when unset or empty. */
const char	*env(const char *k, const char *def);
/* A connection as the app makes one (fcgi/db.c); exits on failure, the
   message prefixed with the program's name. */
MYSQL		*raw_connect(void);
/* Prepare sql into s with its result columns bound; exits on failure. */
void		 raw_prepare(MYSQL *, struct stmt *, const char *sql);

#endif
