/*
 * The flash-sale claim transaction straight against MariaDB, without
 * nginx and the app: the same statements (handlers/coupon.h), the same
 * code generation and validity (handlers/coupon_rules.c), one connection
 * per thread, each thread claiming for its own share of the members once.
 *
 *   claim_raw <merchant> <template_id> [threads (64)] [members (all)]
 *
 * The members are the benchmark's (`app bench-members`, phones 199...).
 * Connection settings come from the environment like the app's:
 * DB_SOCKET or DB_HOST/DB_PORT, DB_NAME, DB_USER, DB_PASSWORD.
 * The sale is timed from the start to the last coupon issued. Prints:
 *   RAW created=N sold_out=N limit=N errors=N retries=N sale_s=S claims_per_s=N
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "raw_db.h"

#include "core/core_rules.h"
#include "coupon/coupon.h"
#include "member/member.h"

#define CODE_TRIES	8
#define TX_TRIES	10

struct worker {
	pthread_t	 t;
	int		 idx, nthreads;
	MYSQL		*db;
	struct stmt	 blocked, tpl, bump, insert, rollup, byid, take;
	long		 created, sold_out, limit, errors, retries;
	struct timespec	 last;		/* the last coupon issued */
};

/* A parameter: an integer, a string, or NULL (s NULL and is_int 0). */
struct param {
	int		 is_int;
	long long	 i;
	const char	*s;
};

#define PI(x)	((struct param){ 1, (x), NULL })
#define PS(x)	((struct param){ 0, 0, (x) })

static int64_t	 merchant_id, template_id;
static long	 tz_off;
static int64_t	*members;
static long	 nmembers;


/*
 * Execute with the parameters; fetch the first row into s->col (NUL-
 * terminated, NULL columns as ""). Returns the MariaDB error (0 ok) and
 * *rows / *affected.
 */
static unsigned
run(struct stmt *s, const struct param *p, int n, int *rows,
    unsigned long long *affected)
{
	MYSQL_BIND b[32];
	unsigned long len[32];
	int i;

	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		if (p[i].is_int) {
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = (void *)&p[i].i;
		} else if (p[i].s != NULL) {
			len[i] = strlen(p[i].s);
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)p[i].s;
			b[i].buffer_length = len[i];
			b[i].length = &len[i];
		} else
			b[i].buffer_type = MYSQL_TYPE_NULL;
	}
	if (mysql_stmt_bind_param(s->st, b) != 0 ||
	    mysql_stmt_execute(s->st) != 0)
		return mysql_stmt_errno(s->st);
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(s->st);
	if (rows != NULL)
		*rows = 0;
	if (s->ncols > 0) {
		int rc;

		if (mysql_stmt_store_result(s->st) != 0)
			return mysql_stmt_errno(s->st);
		rc = mysql_stmt_fetch(s->st);
		if ((rc == 0 || rc == MYSQL_DATA_TRUNCATED) && rows != NULL) {
			*rows = 1;
			for (i = 0; i < s->ncols; i++)
				s->col[i][s->null[i] ? 0 : s->len[i]] = '\0';
		}
		mysql_stmt_free_result(s->st);
	}
	return 0;
}

static const char *
col(struct stmt *s, int i)
{
	return s->null[i] ? NULL : s->col[i];
}

static int64_t
col_int(struct stmt *s, int i)
{
	return s->null[i] ? COUPON_NONE : strtoll(s->col[i], NULL, 10);
}

static int64_t
col_time(struct stmt *s, int i)
{
	int64_t t;

	if (s->null[i] || time_sql_parse(s->col[i], &t) == -1)
		return COUPON_NONE;
	return t;
}

static uint32_t
rand_fn(uint32_t upper)
{
	return upper < 2 ? 0 : randombytes_uniform(upper);
}

enum { OK_CREATED, SOLD_OUT, LIMIT, RETRY, FAILED };

static int
retryable(unsigned e)
{
	return e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT;
}

#define CHECK(e)	do { unsigned _e = (e); if (_e != 0) \
	return retryable(_e) ? RETRY : (fprintf(stderr, "claim_raw: %u %s\n", \
	_e, mysql_error(w->db)), FAILED); } while (0)

/* One claim, the app's transaction: 0 .. FAILED. */
static int
claim_tx(struct worker *w, int64_t member)
{
	struct coupon_tpl t;
	struct claim_view v;
	char code[COUPON_CODE_LEN + 1], from_s[20], until_s[20], now_s[20];
	struct stmt *tp = &w->tpl;
	int64_t now = (int64_t)time(NULL), from, until, stock_left, id;
	unsigned long long aff;
	int rows, tries;
	unsigned e = 0;

	/* member_blocked_check: a member frozen by staff claims nothing */
	CHECK(run(&w->blocked, (struct param[]){ PI(merchant_id),
	    PI(member) }, 2, &rows, NULL));
	if (rows != 1 || col_int(&w->blocked, 0) != 0)
		return FAILED;
	CHECK(run(&w->tpl, (struct param[]){ PI(merchant_id),
	    PI(template_id) }, 2, &rows, NULL));
	if (rows != 1)
		return FAILED;
	coupon_tpl_init(&t);
	t.kind = coupon_kind_from(col(&w->tpl, TC_KIND));
	t.value_fen = col_int(&w->tpl, TC_VALUE);
	t.threshold_fen = col_int(&w->tpl, TC_THRESHOLD);
	t.discount_pct = col_int(&w->tpl, TC_PCT);
	t.max_discount_fen = col_int(&w->tpl, TC_MAX);
	t.per_member_limit = col_int(&w->tpl, TC_LIMIT);
	t.claim_from = col_time(&w->tpl, TC_CLAIM_FROM);
	t.claim_until = col_time(&w->tpl, TC_CLAIM_UNTIL);
	t.valid_from = col_time(&w->tpl, TC_VALID_FROM);
	t.valid_until = col_time(&w->tpl, TC_VALID_UNTIL);
	t.valid_days = col_int(&w->tpl, TC_VALID_DAYS);
	t.valid_next_day = col_int(&w->tpl, TC_NEXT_DAY) == 1;
	t.status = coupon_tpl_status_from(col(&w->tpl, TC_STATUS));
	stock_left = col_int(&w->tpl, TC_STOCK_LEFT);

	memset(&v, 0, sizeof(v));
	v.status = t.status;
	v.kind = t.kind;
	v.listed = (int)col_int(&w->tpl, TC_LISTED);
	v.claim_from = t.claim_from;
	v.claim_until = t.claim_until;
	v.fixed_until = t.valid_days == COUPON_NONE ? t.valid_until :
	    COUPON_NONE;
	v.stock_left = COUPON_NONE;
	v.per_member_limit = t.per_member_limit;
	if (coupon_claim_reason(&v, CLAIM_CENTRE, now) != NULL)
		return FAILED;

	CHECK(run(&w->bump, (struct param[]){ PI(template_id), PI(member),
	    PI(merchant_id), PI(t.per_member_limit) }, 4, NULL, &aff));
	if (aff == 0)
		return LIMIT;
	if (stock_left != COUPON_NONE && stock_left <= 0)
		return SOLD_OUT;

	coupon_validity(&t, now, tz_off, &from, &until);
	time_sql(from, from_s);
	time_sql(until, until_s);
	time_sql(now, now_s);
	for (tries = 0; tries < CODE_TRIES; tries++) {
		coupon_code_make(code, rand_fn);
		/* the template's columns stay in its statement's buffers */
		e = run(&w->insert, (struct param[]){ PI(merchant_id),
		    PI(template_id), PI(member), PS(code), PS(col(tp, TC_NAME)),
		    PS(col(tp, TC_KIND)), PS(col(tp, TC_VALUE)),
		    PS(col(tp, TC_THRESHOLD)), PS(col(tp, TC_PCT)),
		    PS(col(tp, TC_MAX)), PS(col(tp, TC_GIFT)),
		    PS(col(tp, TC_STORES)), PI(col_int(tp, TC_STACKABLE)),
		    PS(col(tp, TC_DESC)), PS(from_s), PS(until_s), PS("claim"),
		    PS(now_s), PS(NULL) }, 19, NULL, NULL);
		if (e != ER_DUP_ENTRY)
			break;
	}
	CHECK(e);
	id = (int64_t)mysql_stmt_insert_id(w->insert.st);
	/* the day's claims of the template, for analytics */
	CHECK(run(&w->rollup, (struct param[]){ PI(tz_off), PI(merchant_id),
	    PI(id) }, 3, NULL, NULL));
	CHECK(run(&w->byid, (struct param[]){ PI(id) }, 1, &rows, NULL));
	CHECK(run(&w->take, (struct param[]){ PI(template_id),
	    PI(merchant_id) }, 2, NULL, &aff));
	return aff == 1 ? OK_CREATED : SOLD_OUT;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	long i;

	for (i = w->idx; i < nmembers; i += w->nthreads) {
		int rc = FAILED, tries;

		for (tries = 0; tries < TX_TRIES; tries++) {
			if (mysql_query(w->db, "START TRANSACTION") != 0) {
				rc = FAILED;
				break;
			}
			rc = claim_tx(w, members[i]);
			if (rc == OK_CREATED) {
				if (mysql_commit(w->db) != 0) {
					rc = retryable(mysql_errno(w->db)) ?
					    RETRY : FAILED;
					mysql_rollback(w->db);
				}
			} else
				mysql_rollback(w->db);
			if (rc != RETRY)
				break;
			w->retries++;
		}
		switch (rc) {
		case OK_CREATED:
			w->created++;
			clock_gettime(CLOCK_MONOTONIC, &w->last);
			break;
		case SOLD_OUT: w->sold_out++; break;
		case LIMIT: w->limit++; break;
		default: w->errors++; break;
		}
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct worker *w;
	struct timespec t0, t1 = { 0, 0 };
	MYSQL *db;
	MYSQL_RES *res;
	MYSQL_ROW row;
	char q[256];
	long want;
	int nthreads, i;
	double secs;
	long created = 0, sold = 0, limit = 0, errors = 0, retries = 0;

	if (argc < 3) {
		fputs("usage: claim_raw <merchant> <template_id> [threads] "
		    "[members]\n", stderr);
		return 2;
	}
	if (sodium_init() < 0 || mysql_library_init(0, NULL, NULL) != 0)
		return 1;
	template_id = strtoll(argv[2], NULL, 10);
	nthreads = argc > 3 ? atoi(argv[3]) : 64;
	want = argc > 4 ? atol(argv[4]) : -1;
	if (nthreads < 1 || nthreads > 1024)
		nthreads = 64;

	db = raw_connect();
	snprintf(q, sizeof(q), "SELECT id, tz FROM merchants WHERE code = '%s'",
	    strspn(argv[1], "abcdefghijklmnopqrstuvwxyz0123456789-") ==
	    strlen(argv[1]) ? argv[1] : "-");
	if (mysql_query(db, q) != 0 || (res = mysql_store_result(db)) == NULL ||
	    (row = mysql_fetch_row(res)) == NULL) {
		fprintf(stderr, "claim_raw: no merchant %s\n", argv[1]);
		return 1;
	}
	merchant_id = strtoll(row[0], NULL, 10);
	tz_off = tz_offset(row[1]);
	mysql_free_result(res);
	snprintf(q, sizeof(q), "SELECT id FROM members WHERE merchant_id = %lld"
	    " AND phone LIKE '199%%' ORDER BY id", (long long)merchant_id);
	if (mysql_query(db, q) != 0 || (res = mysql_store_result(db)) == NULL)
		return 1;
	nmembers = (long)mysql_num_rows(res);
	if (want >= 0 && want < nmembers)
		nmembers = want;
	members = calloc((size_t)nmembers + 1, sizeof(*members));
	for (i = 0; i < nmembers && (row = mysql_fetch_row(res)) != NULL; i++)
		members[i] = strtoll(row[0], NULL, 10);
	mysql_free_result(res);
	mysql_close(db);
	if (nmembers == 0) {
		fputs("claim_raw: no benchmark members (app bench-members)\n",
		    stderr);
		return 1;
	}

	w = calloc((size_t)nthreads, sizeof(*w));
	for (i = 0; i < nthreads; i++) {
		w[i].idx = i;
		w[i].nthreads = nthreads;
		w[i].db = raw_connect();
		raw_prepare(w[i].db, &w[i].blocked, MEMBER_SQL_BLOCKED);
		raw_prepare(w[i].db, &w[i].tpl, COUPON_SQL_TPL_GET);
		raw_prepare(w[i].db, &w[i].bump, COUPON_SQL_CLAIM_BUMP);
		raw_prepare(w[i].db, &w[i].insert, COUPON_SQL_INSERT);
		raw_prepare(w[i].db, &w[i].rollup, COUPON_SQL_CLAIM_ROLLUP(
		    "c.merchant_id = ? AND c.id = ?"));
		raw_prepare(w[i].db, &w[i].byid, COUPON_SQL_BY_ID);
		raw_prepare(w[i].db, &w[i].take, COUPON_SQL_STOCK_TAKE);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nthreads; i++)
		pthread_create(&w[i].t, NULL, worker_main, &w[i]);
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].t, NULL);
		created += w[i].created;
		sold += w[i].sold_out;
		limit += w[i].limit;
		errors += w[i].errors;
		retries += w[i].retries;
		if (w[i].last.tv_sec > t1.tv_sec || (w[i].last.tv_sec ==
		    t1.tv_sec && w[i].last.tv_nsec > t1.tv_nsec))
			t1 = w[i].last;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (created == 0)
		secs = 0;
	printf("RAW created=%ld sold_out=%ld limit=%ld errors=%ld retries=%ld "
	    "sale_s=%.3f claims_per_s=%.0f\n", created, sold, limit, errors,
	    retries, secs, secs > 0 ? (double)created / secs : 0);
	for (i = 0; i < nthreads; i++)
		mysql_close(w[i].db);
	mysql_library_end();
	return errors > 0 ? 1 : 0;
}
