/*
 * The job runner (job.h): `app jobs tick`, `app jobs run NAME`, `app jobs
 * list`.
 *
 * A run is a row of job_runs per (job, merchant, period). Whoever inserts
 * it runs it; a running row whose heartbeat is older than JOB_STALE
 * seconds is taken over by a conditional UPDATE, a failed one is retried
 * (fewer than JOB_ATTEMPTS claims so far), a done one is left alone
 * (but `app jobs run` of a minute job opens its minute's done row again
 * from cursor 0, counts kept: a minute job sweeps what is due, such as
 * expired orders, so a second sweep finds only what is left). Each
 * batch runs in one transaction that first locks the row as its claimant
 * (a lost claim rolls back and stops), reads the cursor and counts, calls
 * the job's batch and writes the cursor and counts back: what a batch did
 * and the cursor that says so commit together.
 *
 * A batch of a job that declares set_aside and fails is set aside (a row
 * of job_batch_fails, with the run's cursor moved past it in one
 * transaction) and the run goes on; once the run's own batches are done,
 * the batches set aside that are due are tried again, each once a run,
 * bounded by the cursors it had (j->retry, j->cursor_end). A batch that
 * fails again waits twice as long (JOB_RETRY s, then 2, 4... times, at
 * most JOB_RETRY_MAX); after JOB_BATCH_TRIES attempts it is given up. The
 * run ends 'failed' while any is left, with retry_at its next retry (the
 * claim takes a failed run again only from then), and 'done' once none
 * is; with one given up and none waiting it is not taken again. A minute
 * job's run is its minute's: the next minute's run sweeps from the start.
 *
 * Knobs for tests, read only when APP_ENV=test: JOB_BATCH (what
 * job_batch_limit() gives), JOB_PAUSE_MS (a sleep after every committed
 * batch, so that a test can kill a run half way), JOB_STALE_S (instead
 * of 120 s), JOB_RETRY_S (instead of 60 s) and JOB_FAIL_BATCH=N (the N-th
 * batch of a run, counting the committed and the set aside ones, fails
 * with 500 after doing its work, as a batch that hits an error half way
 * would: its work is rolled back; tried again, it fails again: a poison
 * batch).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "app.h"
#include "cmd.h"
#include "db.h"
#include "job.h"
#include "req.h"

#define JOB_STALE	120	/* s without a heartbeat: the runner died */
#define JOB_ATTEMPTS	5	/* claims of a run before it is left failed */
#define JOB_KEEP_MINUTES 2	/* days a minute job's rows are kept */
#define JOB_BATCH_TRIES	5	/* attempts of a batch set aside */
#define JOB_RETRY	60	/* s before its first retry, doubled after */
#define JOB_RETRY_MAX	3600
#define JOB_ASIDE_MAX	100	/* batches a run sets aside; then it fails */

extern const struct job_prepare *const __start_app_job_prep[]
    __attribute__((weak));
extern const struct job_prepare *const __stop_app_job_prep[]
    __attribute__((weak));

/* The job's JOB_PREPARE function, or NULL. */
static int
(*job_prepare_fn(const struct job *job))(struct job_run *)
{
	const struct job_prepare *const *p;

	if (__start_app_job_prep == NULL)
		return NULL;
	for (p = __start_app_job_prep; p < __stop_app_job_prep; p++)
		if ((*p)->job == job)
			return (*p)->fn;
	return NULL;
}

extern const struct job *const __start_app_jobs[] __attribute__((weak));
extern const struct job *const __stop_app_jobs[] __attribute__((weak));

const struct job *
job_at(int i)
{
	if (__start_app_jobs == NULL || i < 0 ||
	    i >= (int)(__stop_app_jobs - __start_app_jobs))
		return NULL;
	return __start_app_jobs[i];
}

const struct job *
job_find(const char *name)
{
	const struct job *j;
	int i;

	for (i = 0; (j = job_at(i)) != NULL; i++)
		if (strcmp(j->name, name) == 0)
			return j;
	return NULL;
}

/* ---- the pure part ---- */

static int
two_digits(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int
job_tz_offset(const char *tz)
{
	int h, m;

	if (tz == NULL || strlen(tz) != 6 || (tz[0] != '+' && tz[0] != '-') ||
	    tz[3] != ':' || (h = two_digits(tz + 1)) < 0 ||
	    (m = two_digits(tz + 4)) < 0 || h > 14 || m > 59)
		return 8 * 3600;
	return (tz[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

void
job_when(enum job_every every, int hour, int64_t now, int tz_off,
    struct job_when *w)
{
	int64_t local = now + tz_off;
	time_t t = (time_t)local;
	struct tm tm;

	memset(w, 0, sizeof(*w));
	gmtime_r(&t, &tm);
	w->day_start = floor_div(local, 86400) * 86400 - tz_off;
	w->hour = tm.tm_hour;
	strftime(w->day, sizeof(w->day), "%Y-%m-%d", &tm);
	if (every == JOB_MINUTE) {
		strftime(w->period, sizeof(w->period), "%Y-%m-%dT%H:%M", &tm);
		w->due = 1;
	} else {
		memcpy(w->period, w->day, sizeof(w->day));
		w->due = tm.tm_hour >= hour;
	}
}

int
job_date(const char *ymd, enum job_every every, int hour, int tz_off,
    int64_t *now)
{
	struct tm tm, back;
	time_t t;
	int y, mo, d;

	if (ymd == NULL || strlen(ymd) != 10 || ymd[4] != '-' ||
	    ymd[7] != '-' || (y = two_digits(ymd)) < 0 ||
	    two_digits(ymd + 2) < 0 || (mo = two_digits(ymd + 5)) < 1 ||
	    (d = two_digits(ymd + 8)) < 1)
		return -1;
	y = y * 100 + two_digits(ymd + 2);
	if (y < 1970 || mo > 12 || d > 31)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	gmtime_r(&t, &back);
	if (back.tm_mday != d || back.tm_mon != mo - 1)
		return -1;	/* 2026-02-30 */
	*now = (int64_t)t - tz_off +
	    (every == JOB_DAILY && hour > 0 && hour < 24 ? hour * 3600 : 0);
	return 0;
}

int64_t
job_retry_after(int64_t first, int attempts)
{
	int64_t s = first;
	int i;

	if (s <= 0)
		return 0;
	for (i = 1; i < attempts && s < JOB_RETRY_MAX; i++)
		s *= 2;
	return s < JOB_RETRY_MAX ? s : JOB_RETRY_MAX;
}

/* ---- knobs ---- */

static int
is_test(void)
{
	return cfg.env != NULL && strcmp(cfg.env, "test") == 0;
}

static long
knob(const char *name, long def, long lo, long hi)
{
	const char *v;
	char *end;
	long n;

	if (!is_test() || (v = getenv(name)) == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return def;
	return n;
}

int
job_batch_limit(int def)
{
	return (int)knob("JOB_BATCH", def, 1, 100000);
}

/* ---- statements ---- */

enum { JM_ID, JM_CODE, JM_NAME, JM_TZ, JM_NCOLS };
DB_SQL_COLS(q_job_merchants, JM_NCOLS,
    "SELECT id, code, name, tz FROM merchants WHERE active = 1"
    " AND (? = '' OR code = ?) ORDER BY id");
DB_SQL(q_job_insert,
    "INSERT IGNORE INTO job_runs (job, merchant_id, period, status,"
    " claimed_by, run_for, started_at, heartbeat_at)"
    " VALUES (?, ?, ?, 'running', ?, FROM_UNIXTIME(?), UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP())");
/* Assignments run left to right: cursor and attempts read the old
   status. A done row is opened again only when asked (reopen = 1). */
DB_SQL(q_job_take,
    "UPDATE job_runs SET `cursor` = IF(status = 'done', 0, `cursor`),"
    " attempts = IF(status = 'done', 1, attempts + 1),"
    " claimed_by = ?, status = 'running', error = NULL,"
    " finished_at = NULL, retry_at = NULL, heartbeat_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND job = ? AND period = ?"
    " AND ((status = 'running'"
    " AND heartbeat_at < UTC_TIMESTAMP() - INTERVAL ? SECOND)"
    " OR (status = 'failed' AND (retry_at IS NULL AND attempts < ?"
    " OR retry_at <= UTC_TIMESTAMP()))"
    " OR (status = 'done' AND ? = 1))");
enum { JR_ID, JR_STATUS, JR_CLAIMED, JR_RUN_FOR, JR_ATTEMPTS, JR_C1, JR_C2,
    JR_C3, JR_C4, JR_ERROR, JR_RETRY_AT, JR_NCOLS };
DB_SQL_COLS(q_job_row, JR_NCOLS,
    "SELECT id, status, claimed_by, UNIX_TIMESTAMP(run_for), attempts,"
    " c1, c2, c3, c4, error, retry_at FROM job_runs"
    " WHERE merchant_id = ? AND job = ? AND period = ?");
enum { JL_CURSOR, JL_C1, JL_C2, JL_C3, JL_C4, JL_BATCHES, JL_ASIDE,
    JL_NCOLS };
DB_SQL_COLS(q_job_lock, JL_NCOLS,
    "SELECT `cursor`, c1, c2, c3, c4, batches, set_aside FROM job_runs"
    " WHERE merchant_id = ? AND id = ? AND claimed_by = ?"
    " AND status = 'running' FOR UPDATE");
DB_SQL(q_job_step,
    "UPDATE job_runs SET `cursor` = ?, c1 = ?, c2 = ?, c3 = ?, c4 = ?,"
    " batches = batches + 1, heartbeat_at = UTC_TIMESTAMP(),"
    " status = IF(? = 1, 'done', 'running'),"
    " finished_at = IF(? = 1, UTC_TIMESTAMP(), NULL)"
    " WHERE merchant_id = ? AND id = ? AND claimed_by = ?");
DB_SQL(q_job_fail,
    "UPDATE job_runs SET status = 'failed', error = ?,"
    " heartbeat_at = UTC_TIMESTAMP(), finished_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND claimed_by = ?"
    " AND status = 'running'");
/* ---- batches set aside (job_batch_fails) ---- */
enum { JF_TO, JF_FROM, JF_ORDINAL, JF_ATTEMPTS, JF_WAITING, JF_DUE,
    JF_NCOLS };
DB_SQL_COLS(q_fail_load, JF_NCOLS,
    "SELECT cursor_to, cursor_from, ordinal, attempts, status = 'waiting',"
    " retry_at <= UTC_TIMESTAMP() FROM job_batch_fails WHERE run_id = ?"
    " ORDER BY cursor_to LIMIT ?");
DB_SQL(q_fail_insert,
    "INSERT INTO job_batch_fails (run_id, cursor_to, cursor_from, ordinal,"
    " error, failed_at, retry_at) VALUES (?, ?, ?, ?, ?, UTC_TIMESTAMP(),"
    " UTC_TIMESTAMP() + INTERVAL ? SECOND)");
DB_SQL(q_fail_aside,
    "UPDATE job_runs SET `cursor` = ?, set_aside = set_aside + 1,"
    " heartbeat_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND claimed_by = ?");
/* Assignments run left to right: status reads the new attempts. */
DB_SQL(q_fail_again,
    "UPDATE job_batch_fails SET attempts = attempts + 1, error = ?,"
    " failed_at = UTC_TIMESTAMP(),"
    " retry_at = UTC_TIMESTAMP() + INTERVAL ? SECOND,"
    " status = IF(attempts >= ?, 'failed', 'waiting')"
    " WHERE run_id = ? AND cursor_to = ?");
DB_SQL(q_fail_done,
    "DELETE FROM job_batch_fails WHERE run_id = ? AND cursor_to = ?");
DB_SQL(q_fail_progress,
    "UPDATE job_batch_fails SET cursor_from = ?"
    " WHERE run_id = ? AND cursor_to = ?");
DB_SQL(q_job_retry_step,
    "UPDATE job_runs SET c1 = ?, c2 = ?, c3 = ?, c4 = ?,"
    " batches = batches + 1, heartbeat_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND claimed_by = ?");
enum { JS_WAITING, JS_FAILED, JS_RETRY_AT, JS_ERROR, JS_NCOLS };
DB_SQL_COLS(q_fail_sum, JS_NCOLS,
    "SELECT COALESCE(SUM(status = 'waiting'), 0),"
    " COALESCE(SUM(status = 'failed'), 0),"
    " MIN(IF(status = 'waiting', retry_at, NULL)),"
    " (SELECT error FROM job_batch_fails WHERE run_id = ?"
    "  ORDER BY failed_at DESC, cursor_to DESC LIMIT 1)"
    " FROM job_batch_fails WHERE run_id = ?");
DB_SQL(q_job_finish,
    "UPDATE job_runs SET status = ?, error = ?,"
    " attempts = GREATEST(attempts, ?),"
    " retry_at = (SELECT MIN(f.retry_at) FROM job_batch_fails f"
    "  WHERE f.run_id = job_runs.id AND f.status = 'waiting'),"
    " heartbeat_at = UTC_TIMESTAMP(), finished_at = UTC_TIMESTAMP()"
    " WHERE merchant_id = ? AND id = ? AND claimed_by = ?"
    " AND status = 'running'");
DB_SQL(q_job_prune,
    "DELETE FROM job_runs WHERE merchant_id = ? AND job = ?"
    " AND status <> 'running'"
    " AND started_at < UTC_TIMESTAMP() - INTERVAL ? DAY LIMIT 1000");
enum { JLS_ID, JLS_CODE, JLS_PERIOD, JLS_STATUS, JLS_C1, JLS_C2, JLS_C3,
    JLS_C4, JLS_BATCHES, JLS_ATTEMPTS, JLS_ERROR, JLS_STARTED, JLS_FINISHED,
    JLS_RETRY_AT, JLS_WAITING, JLS_GIVEN_UP, JLS_NCOLS };
DB_SQL_COLS(q_job_last, JLS_NCOLS,
    "SELECT r.id, m.code, r.period, r.status, r.c1, r.c2, r.c3, r.c4,"
    " r.batches, r.attempts, r.error, r.started_at, r.finished_at,"
    " r.retry_at, (SELECT COUNT(*) FROM job_batch_fails f"
    "  WHERE f.run_id = r.id AND f.status = 'waiting'),"
    " (SELECT COUNT(*) FROM job_batch_fails f"
    "  WHERE f.run_id = r.id AND f.status = 'failed')"
    " FROM job_runs r JOIN merchants m ON m.id = r.merchant_id"
    " WHERE r.job = ? AND (? = '' OR m.code = ?)"
    " ORDER BY r.id DESC LIMIT 5");

/* ---- the runner ---- */

struct jmerchant {
	int64_t		 id;
	char		 code[40], name[80], tz[8];
};

struct runner {
	struct req	 r;
	char		 me[96];	/* claimed_by: host:pid:random */
	int		 pause_ms, stale_s, fail_batch, retry_s;
	int		 quiet;		/* tick: print only runs that did
					   something */
	int		 sweep;		/* run: a minute job sweeps again
					   though its minute's run is done */
};

/* A batch set aside, as loaded when the run was claimed. */
struct aside {
	int64_t		 to, from;
	int		 ordinal, attempts, waiting, due;
};

/* What one batch's transaction needs. */
struct step {
	struct runner	*rn;
	struct job_run	*j;
	int		 batches;	/* committed before this one */
	int		 ordinal;	/* the run's n-th batch */
	int		 done;
	int		 lost;
	int		 hold;		/* batches set aside: the last batch
					   leaves the run running */
	struct aside	*retry;		/* NULL: the run's own batches */
	int64_t		 start, reached;	/* j->cursor before, after the
					   batch (also when it failed) */
};

enum run_end { RUN_DONE, RUN_SKIPPED, RUN_FAILED };

static int
step_tx(struct req *r, void *arg)
{
	struct step *s = arg;
	struct job_run *j = s->j;
	struct db_res res;
	int st, i;

	s->lost = s->done = 0;
	if (DB(r, &q_job_lock, &res, DBI(r->m->id), DBI(j->id),
	    DBS(s->rn->me)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0) {
		s->lost = 1;
		return resp_err(r, 409, "claim_lost", "claim lost", NULL);
	}
	j->cursor = s->retry ? s->retry->from : db_int(&res, 0, JL_CURSOR);
	for (i = 0; i < JOB_COUNTS; i++)
		j->count[i] = db_int(&res, 0, JL_C1 + i);
	s->batches = (int)db_int(&res, 0, JL_BATCHES);
	s->ordinal = s->retry ? s->retry->ordinal :
	    s->batches + (int)db_int(&res, 0, JL_ASIDE) + 1;
	j->retry = s->retry != NULL;
	j->cursor_end = s->retry ? s->retry->to : 0;
	s->start = s->reached = j->cursor;
	st = j->job->batch(j);
	s->reached = j->cursor;
	if (st >= 400 || db_retry_pending())
		return st >= 400 ? st : 500;
	if (s->rn->fail_batch > 0 && s->ordinal == s->rn->fail_batch)
		return resp_err(r, 500, "internal",
		    "JOB_FAIL_BATCH: this batch fails after its work", NULL);
	s->done = st == JOB_DONE;
	if (s->retry != NULL) {
		/* the run's cursor stays; the batch set aside is done, or
		   goes on from where this one stopped */
		if (j->cursor > s->retry->to)
			return resp_err(r, 500, "internal", "the batch went"
			    " past the end of the batch set aside", NULL);
		if (s->done)
			st = DB(r, &q_fail_done, NULL, DBI(j->id),
			    DBI(s->retry->to));
		else
			st = DB(r, &q_fail_progress, NULL, DBI(j->cursor),
			    DBI(j->id), DBI(s->retry->to));
		if (st != DB_OK || DB(r, &q_job_retry_step, &res,
		    DBI(j->count[0]), DBI(j->count[1]), DBI(j->count[2]),
		    DBI(j->count[3]), DBI(r->m->id), DBI(j->id),
		    DBS(s->rn->me)) != DB_OK)
			return db_fail(r);
	} else if (DB(r, &q_job_step, &res, DBI(j->cursor), DBI(j->count[0]),
	    DBI(j->count[1]), DBI(j->count[2]), DBI(j->count[3]),
	    DBI(s->done && !s->hold), DBI(s->done && !s->hold),
	    DBI(r->m->id), DBI(j->id), DBS(s->rn->me)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1) {
		s->lost = 1;
		return resp_err(r, 409, "claim_lost", "claim lost", NULL);
	}
	return 200;
}

/* What setting a failed batch aside needs. */
struct aside_tx {
	struct runner	*rn;
	struct job_run	*j;
	struct step	*s;
	const char	*error;
	int		 lost, dup;
};

/*
 * Set the batch that failed aside: its row, waiting for its retry, and
 * the run's cursor moved to where the batch had got (the run goes on
 * from there), under the run's row lock as its claimant.
 */
static int
aside_tx(struct req *r, void *arg)
{
	struct aside_tx *a = arg;
	struct db_res res;
	int rc;

	a->lost = a->dup = 0;
	if (DB(r, &q_job_lock, &res, DBI(r->m->id), DBI(a->j->id),
	    DBS(a->rn->me)) != DB_OK)
		return db_fail(r);
	if (res.nrows == 0) {
		a->lost = 1;
		return resp_err(r, 409, "claim_lost", "claim lost", NULL);
	}
	rc = DB(r, &q_fail_insert, NULL, DBI(a->j->id), DBI(a->s->reached),
	    DBI(a->s->start), DBI(a->s->ordinal), DBS(a->error),
	    DBI(a->rn->retry_s));
	if (rc == DB_DUP) {
		a->dup = 1;
		return resp_err(r, 409, "conflict", "set aside already", NULL);
	}
	if (rc != DB_OK || DB(r, &q_fail_aside, NULL, DBI(a->s->reached),
	    DBI(r->m->id), DBI(a->j->id), DBS(a->rn->me)) != DB_OK)
		return db_fail(r);
	return 200;
}

static int64_t
retry_after(const struct runner *rn, int attempts)
{
	return job_retry_after(rn->retry_s, attempts);
}

/* What claiming a run needs, and the row as claimed (q_job_row). */
struct claim {
	struct runner	*rn;
	const struct job *job;
	const char	*period;
	int64_t		 now;
	struct db_res	 row;
};

/*
 * Claim the run of (job, r->m, period): insert its row, or take it over
 * when it is stale, failed or (a sweep) done; then read it. Whether it is
 * ours is the row's claimed_by and status. One transaction, so that two
 * claimants' insert and update that deadlock are run again.
 */
static int
claim_tx(struct req *r, void *arg)
{
	struct claim *c = arg;
	const struct job *job = c->job;
	struct db_res res;

	if (DB(r, &q_job_insert, &res, DBS(job->name), DBI(r->m->id),
	    DBS(c->period), DBS(c->rn->me), DBI(c->now)) != DB_OK)
		return db_fail(r);
	if (res.affected != 1 && DB(r, &q_job_take, &res, DBS(c->rn->me),
	    DBI(r->m->id), DBS(job->name), DBS(c->period),
	    DBI(c->rn->stale_s), DBI(JOB_ATTEMPTS),
	    DBI(c->rn->sweep && job->every == JOB_MINUTE)) != DB_OK)
		return db_fail(r);
	if (DB(r, &q_job_row, &c->row, DBI(r->m->id), DBS(job->name),
	    DBS(c->period)) != DB_OK)
		return db_fail(r);
	if (c->row.nrows != 1)
		return resp_internal(r);
	return 200;
}

static void
print_counts(const struct job *job, const int64_t *count)
{
	int i, n = 0;

	for (i = 0; i < JOB_COUNTS; i++) {
		if (job->counts[i] == NULL)
			continue;
		printf("%s%s %lld", n++ ? ", " : "", job->counts[i],
		    (long long)count[i]);
	}
}

static void
print_line(const struct job *job, const struct jmerchant *m,
    const char *period, const int64_t *count, const char *what)
{
	printf("%s %s %s: ", job->name, m->code, period);
	if (count != NULL)
		print_counts(job, count);
	printf("%s(%s)\n", count != NULL ? " " : "", what);
	fflush(stdout);
}

static int
any_count(const int64_t *count)
{
	int i;

	for (i = 0; i < JOB_COUNTS; i++)
		if (count[i] != 0)
			return 1;
	return 0;
}

/* The error of a failed batch as an operator reads it: status, code,
   message (the response as recorded). */
static const char *
error_text(struct req *r, int st)
{
	size_t n = r->out != NULL ? r->outlen : 0;

	if (n > 400) {		/* whole UTF-8 characters only */
		n = 400;
		while (n > 0 && ((unsigned char)r->out[n] & 0xc0) == 0x80)
			n--;
	}
	return arena_printf(r->a, "%d %s%s%.*s", st,
	    r->err_code ? r->err_code : "error", n ? ": " : "", (int)n,
	    n ? r->out : "");
}

static void
pause_after(const struct runner *rn)
{
	if (rn->pause_ms > 0) {
		struct timespec ts = { rn->pause_ms / 1000,
		    (long)(rn->pause_ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
	}
}

/*
 * Claim and run one (job, merchant, period), now the moment it is for.
 * Prints a line for it (tick: only when it did something or failed).
 */
/* One batch: the job's preparation outside any transaction, then the
   batch in its own. The status of whichever failed, or db_tx's. */
static int
batch_once(struct req *r, int (*prep)(struct job_run *), struct step *s)
{
	int st;

	arena_reset(r->a);
	resp_reset(r);
	s->j->data = NULL;
	st = prep != NULL ? prep(s->j) : 0;
	return st < 400 ? db_tx(r, step_tx, s) : st;
}

static enum run_end
run_one(struct runner *rn, const struct job *job, struct jmerchant *jm,
    int64_t now)
{
	struct req *r = &rn->r;
	struct merchant mc;
	struct job_when w;
	struct job_run j;
	struct step s;
	int (*prep)(struct job_run *);
	struct db_res res;
	char period[17];
	int64_t count[JOB_COUNTS], committed[JOB_COUNTS];
	struct claim cl;
	struct aside aside[JOB_ASIDE_MAX];
	int tz = job_tz_offset(jm->tz), st, i, k, naside, nloaded;
	enum run_end end;

	memset(&mc, 0, sizeof(mc));
	mc.id = jm->id;
	mc.code = jm->code;
	mc.name = jm->name;
	mc.tz = jm->tz;
	r->m = &mc;
	job_when(job->every, job->hour, now, tz, &w);
	snprintf(period, sizeof(period), "%s", w.period);

	memset(&cl, 0, sizeof(cl));
	cl.rn = rn;
	cl.job = job;
	cl.period = period;
	cl.now = now;
	if (db_tx(r, claim_tx, &cl) >= 400)
		goto dberr;
	res = cl.row;
	for (i = 0; i < JOB_COUNTS; i++)
		committed[i] = count[i] = db_int(&res, 0, JR_C1 + i);
	if (strcmp(db_str(&res, 0, JR_CLAIMED), rn->me) != 0 ||
	    strcmp(db_str(&res, 0, JR_STATUS), "running") != 0) {
		const char *status = db_str(&res, 0, JR_STATUS);

		if (!rn->quiet)
			print_line(job, jm, period, count,
			    strcmp(status, "done") == 0 ? "done before" :
			    strcmp(status, "failed") != 0 ?
			    "running elsewhere" :
			    db_isnull(&res, 0, JR_RETRY_AT) ?
			    "failed, no more attempts" : arena_printf(r->a,
			    "failed, batches set aside retried from %s UTC",
			    db_str(&res, 0, JR_RETRY_AT)));
		arena_reset(r->a);
		return RUN_SKIPPED;
	}

	memset(&j, 0, sizeof(j));
	j.r = r;
	j.job = job;
	j.id = db_int(&res, 0, JR_ID);
	j.period = period;
	j.now = db_int(&res, 0, JR_RUN_FOR);	/* a resumed run keeps its
						   moment */
	job_when(job->every, job->hour, j.now, tz, &w);
	memcpy(j.day, w.day, sizeof(j.day));
	j.day_start = w.day_start;
	j.tz_off = tz;
	memset(&s, 0, sizeof(s));
	s.rn = rn;
	s.j = &j;
	/* the batches set aside before: each tried once more this run when
	   due, after the run's own */
	naside = 0;
	if (job->set_aside) {
		if (DB(r, &q_fail_load, &res, DBI(j.id), DBI(JOB_ASIDE_MAX)) !=
		    DB_OK)
			goto dberr;
		for (i = 0; i < res.nrows; i++) {
			aside[i].to = db_int(&res, i, JF_TO);
			aside[i].from = db_int(&res, i, JF_FROM);
			aside[i].ordinal = (int)db_int(&res, i, JF_ORDINAL);
			aside[i].attempts = (int)db_int(&res, i, JF_ATTEMPTS);
			aside[i].waiting = db_int(&res, i, JF_WAITING) != 0;
			aside[i].due = aside[i].waiting &&
			    db_int(&res, i, JF_DUE) != 0;
		}
		naside = res.nrows;
	}
	nloaded = naside;
	s.hold = naside > 0;
	prep = job_prepare_fn(job);
	for (;;) {
		st = batch_once(r, prep, &s);
		if (s.lost) {
			end = RUN_SKIPPED;
			print_line(job, jm, period, NULL, "claim lost");
			goto out;
		}
		if (st >= 400) {
			const char *e = error_text(r, st);
			struct aside_tx a;

			resp_reset(r);
			/* set aside when the batch said where it got to, which
			   is no batch's set aside already */
			for (i = 0; i < naside && aside[i].to != s.reached; i++)
				;
			if (job->set_aside && s.reached > 0 && i == naside &&
			    naside < JOB_ASIDE_MAX) {
				memset(&a, 0, sizeof(a));
				a.rn = rn;
				a.j = &j;
				a.s = &s;
				a.error = e;
				if (db_tx(r, aside_tx, &a) < 400) {
					printf("%s %s %s: batch %d set aside"
					    " (%lld..%lld): %s\n", job->name,
					    jm->code, period, s.ordinal,
					    (long long)s.start,
					    (long long)s.reached, e);
					fflush(stdout);
					aside[naside].to = s.reached;
					aside[naside].from = s.start;
					aside[naside].waiting = 1;
					aside[naside].due = 0;
					naside++;
					s.hold = 1;
					continue;
				}
				resp_reset(r);
				if (a.lost) {
					end = RUN_SKIPPED;
					print_line(job, jm, period, NULL,
					    "claim lost");
					goto out;
				}
			}
			if (DB(r, &q_job_fail, &res, DBS(e), DBI(jm->id),
			    DBI(j.id), DBS(rn->me)) != DB_OK)
				log_err(r, "jobs: %s %s %s: cannot mark failed",
				    job->name, jm->code, period);
			print_line(job, jm, period, committed, "failed");
			printf("  %s\n", e);
			fflush(stdout);
			end = RUN_FAILED;
			goto out;
		}
		memcpy(committed, j.count, sizeof(committed));
		if (s.done)
			break;
		pause_after(rn);
	}
	/* the run's own batches are done: those set aside before, due */
	for (k = 0; k < nloaded; k++) {
		int n;

		if (!aside[k].due)
			continue;
		s.retry = &aside[k];
		for (n = 0; n < 10000; n++) {
			st = batch_once(r, prep, &s);
			if (s.lost) {
				end = RUN_SKIPPED;
				print_line(job, jm, period, NULL, "claim lost");
				goto out;
			}
			if (st >= 400) {
				const char *e = error_text(r, st);

				resp_reset(r);
				if (DB(r, &q_fail_again, NULL, DBS(e),
				    DBI(retry_after(rn, aside[k].attempts + 1)),
				    DBI(JOB_BATCH_TRIES), DBI(j.id),
				    DBI(aside[k].to)) != DB_OK)
					goto dberr;
				printf("%s %s %s: batch %d set aside failed"
				    " again (attempt %d of %d): %s\n",
				    job->name, jm->code, period,
				    aside[k].ordinal, aside[k].attempts + 1,
				    JOB_BATCH_TRIES, e);
				fflush(stdout);
				break;
			}
			memcpy(committed, j.count, sizeof(committed));
			if (s.done)
				break;
			aside[k].from = j.cursor;
			pause_after(rn);
		}
	}
	s.retry = NULL;
	end = RUN_DONE;
	if (s.hold) {
		int64_t waiting, failed;
		const char *err;

		arena_reset(r->a);
		resp_reset(r);
		if (DB(r, &q_fail_sum, &res, DBI(j.id), DBI(j.id)) != DB_OK)
			goto dberr;
		waiting = db_int(&res, 0, JS_WAITING);
		failed = db_int(&res, 0, JS_FAILED);
		err = db_isnull(&res, 0, JS_ERROR) ? NULL :
		    db_str(&res, 0, JS_ERROR);
		if (waiting + failed > 0)
			end = RUN_FAILED;
		if (DB(r, &q_job_finish, NULL, DBS(end == RUN_DONE ? "done" :
		    "failed"), end == RUN_DONE || err == NULL ? DBNULL :
		    DBS(err), DBI(waiting == 0 && failed > 0 ? JOB_ATTEMPTS :
		    0), DBI(jm->id), DBI(j.id), DBS(rn->me)) != DB_OK)
			goto dberr;
		if (end == RUN_FAILED) {
			print_line(job, jm, period, j.count, "failed");
			if (waiting > 0)
				printf("  %lld batch(es) set aside, retried"
				    " from %s UTC; %lld given up\n",
				    (long long)waiting,
				    db_str(&res, 0, JS_RETRY_AT),
				    (long long)failed);
			else
				printf("  %lld batch(es) set aside given up"
				    " after %d attempts\n", (long long)failed,
				    JOB_BATCH_TRIES);
			fflush(stdout);
			goto out;
		}
	}
	if (!rn->quiet || any_count(j.count))
		print_line(job, jm, period, j.count, "done");
out:
	arena_reset(r->a);
	resp_reset(r);
	r->m = NULL;
	return end;
dberr:
	log_err(r, "jobs: %s %s %s: cannot claim", job->name, jm->code,
	    period);
	printf("%s %s %s: cannot claim (database)\n", job->name, jm->code,
	    period);
	fflush(stdout);
	arena_reset(r->a);
	resp_reset(r);
	r->m = NULL;
	return RUN_FAILED;
}

static int
runner_init(struct runner *rn)
{
	char host[64];
	uint32_t rnd;

	memset(rn, 0, sizeof(*rn));
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	rand_bytes(&rnd, sizeof(rnd));
	snprintf(rn->me, sizeof(rn->me), "%s:%ld:%08x", host, (long)getpid(),
	    (unsigned)rnd);
	rn->pause_ms = (int)knob("JOB_PAUSE_MS", 0, 0, 600000);
	rn->stale_s = (int)knob("JOB_STALE_S", JOB_STALE, 1, 86400);
	rn->fail_batch = (int)knob("JOB_FAIL_BATCH", 0, 0, 1000000);
	rn->retry_s = (int)knob("JOB_RETRY_S", JOB_RETRY, 0, 86400);
	return cmd_req_init(&rn->r);
}

/* The active merchants (code: only that one, "" all), malloc'd. */
static struct jmerchant *
merchants_load(struct req *r, const char *code, int *n)
{
	struct jmerchant *ms;
	struct db_res res;
	int i;

	*n = 0;
	if (DB(r, &q_job_merchants, &res, DBS(code), DBS(code)) != DB_OK)
		return NULL;
	if ((ms = calloc((size_t)res.nrows + 1, sizeof(*ms))) == NULL)
		return NULL;
	for (i = 0; i < res.nrows; i++) {
		ms[i].id = db_int(&res, i, JM_ID);
		snprintf(ms[i].code, sizeof(ms[i].code), "%s",
		    db_str(&res, i, JM_CODE));
		snprintf(ms[i].name, sizeof(ms[i].name), "%s",
		    db_str(&res, i, JM_NAME));
		snprintf(ms[i].tz, sizeof(ms[i].tz), "%s",
		    db_str(&res, i, JM_TZ));
	}
	*n = res.nrows;
	arena_reset(r->a);
	return ms;
}

/* ---- a run started by a request ---- */

int
job_start(const char *name, const char *code)
{
	char exe[4096];
	ssize_t n;
	pid_t pid;
	int st;

	if (job_find(name) == NULL || code == NULL ||
	    (n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0) {
		log_err(NULL, "jobs: cannot start %s for %s", name,
		    code ? code : "-");
		return -1;
	}
	exe[n] = '\0';
	if ((pid = fork()) == -1) {
		log_err(NULL, "jobs: fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* the child only forks the runner and goes, so that init
		   reaps the runner and this worker waits for nobody */
		sigset_t none;
		int fd;

		setsid();
		if (fork() != 0)
			_exit(0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		/* nothing of the worker's: its FastCGI and database sockets */
		for (fd = 3; fd < 1024; fd++)
			close(fd);
		execl(exe, exe, "jobs", "run", name, "--merchant", code,
		    (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return 0;
}

/* ---- commands ---- */

static void
jobs_usage(void)
{
	fputs("usage: app jobs tick\n"
	    "       app jobs run NAME [--now] [--merchant CODE]"
	    " [--date YYYY-MM-DD]\n"
	    "       app jobs list [--merchant CODE]\n", stderr);
}

/*
 * Every registered job for every active merchant, what is due now: a
 * minute job for the current local minute, a daily job for today's local
 * date once its hour has come. Prunes minute jobs' rows after two days.
 */
static int
jobs_tick(void)
{
	struct runner rn;
	struct jmerchant *ms = NULL;
	const struct job *job;
	struct job_when w;
	struct db_res res;
	int64_t now = time_now();
	int n = 0, i, k, rc = 1;

	if (runner_init(&rn) == -1)
		goto out;
	rn.quiet = 1;
	if ((ms = merchants_load(&rn.r, "", &n)) == NULL)
		goto out;
	rc = 0;
	for (k = 0; (job = job_at(k)) != NULL; k++) {
		for (i = 0; i < n; i++) {
			job_when(job->every, job->hour, now,
			    job_tz_offset(ms[i].tz), &w);
			if (!w.due)
				continue;
			if (run_one(&rn, job, &ms[i], now) == RUN_FAILED)
				rc = 1;
			if (job->every == JOB_MINUTE) {
				struct merchant mc = { .id = ms[i].id,
				    .code = ms[i].code, .name = ms[i].name,
				    .tz = ms[i].tz };

				rn.r.m = &mc;
				if (DB(&rn.r, &q_job_prune, &res,
				    DBI(ms[i].id), DBS(job->name),
				    DBI(JOB_KEEP_MINUTES)) != DB_OK)
					rc = 1;
				rn.r.m = NULL;
				arena_reset(rn.r.a);
			}
		}
	}
out:
	free(ms);
	cmd_req_done(&rn.r);
	return rc;
}

static int
jobs_run(int argc, char *argv[])
{
	struct runner rn;
	struct jmerchant *ms = NULL;
	const struct job *job;
	struct job_when w;
	const char *code = "", *date = NULL;
	int64_t now = time_now(), at;
	int force = 0, n = 0, i, rc = 1;

	if (argc < 1 || (job = job_find(argv[0])) == NULL) {
		fprintf(stderr, "jobs run: no such job%s%s\n",
		    argc >= 1 ? " " : "", argc >= 1 ? argv[0] : "");
		jobs_usage();
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0)
			force = 1;
		else if (strcmp(argv[i], "--merchant") == 0 && i + 1 < argc)
			code = argv[++i];
		else if (strcmp(argv[i], "--date") == 0 && i + 1 < argc)
			date = argv[++i];
		else {
			jobs_usage();
			return 2;
		}
	}
	if (date != NULL && job_date(date, job->every, job->hour, 0,
	    &at) == -1) {
		fprintf(stderr, "jobs run: --date %s is no date"
		    " (YYYY-MM-DD)\n", date);
		return 2;
	}
	if (runner_init(&rn) == -1)
		goto out;
	rn.sweep = 1;
	if ((ms = merchants_load(&rn.r, code, &n)) == NULL)
		goto out;
	if (n == 0) {
		fprintf(stderr, "jobs run: no active merchant%s%s\n",
		    *code ? " " : "", code);
		goto out;
	}
	rc = 0;
	for (i = 0; i < n; i++) {
		int tz = job_tz_offset(ms[i].tz);
		int64_t t = now;

		if (date != NULL)
			(void)job_date(date, job->every, job->hour, tz, &t);
		else {
			job_when(job->every, job->hour, now, tz, &w);
			if (!w.due && !force) {
				printf("%s %s %s: due from %02d:00 (--now"
				    " runs it before)\n", job->name,
				    ms[i].code, w.period, job->hour);
				continue;
			}
		}
		if (run_one(&rn, job, &ms[i], t) == RUN_FAILED)
			rc = 1;
	}
out:
	free(ms);
	cmd_req_done(&rn.r);
	return rc;
}

static int
jobs_list(int argc, char *argv[])
{
	struct req r;
	const struct job *job;
	struct db_res res;
	const char *code = "";
	int k, i, c, rc = 1;

	if (argc == 2 && strcmp(argv[0], "--merchant") == 0)
		code = argv[1];
	else if (argc != 0) {
		jobs_usage();
		return 2;
	}
	if (cmd_req_init(&r) == -1)
		goto out;
	for (k = 0; (job = job_at(k)) != NULL; k++) {
		if (job->every == JOB_MINUTE)
			printf("%s\tevery minute\t%s\n", job->name,
			    job->title);
		else
			printf("%s\tdaily from %02d:00\t%s\n", job->name,
			    job->hour, job->title);
		if (DB(&r, &q_job_last, &res, DBS(job->name), DBS(code),
		    DBS(code)) != DB_OK)
			goto out;
		for (i = 0; i < res.nrows; i++) {
			int n = 0;

			printf("  %s %s %s", db_str(&res, i, JLS_CODE),
			    db_str(&res, i, JLS_PERIOD),
			    db_str(&res, i, JLS_STATUS));
			for (c = 0; c < JOB_COUNTS; c++)
				if (job->counts[c] != NULL)
					printf("%s%s %lld", n++ ? ", " : " ",
					    job->counts[c], (long long)db_int(
					    &res, i, JLS_C1 + c));
			printf(" (batches %lld, attempts %lld, started %s%s%s)"
			    "\n", (long long)db_int(&res, i, JLS_BATCHES),
			    (long long)db_int(&res, i, JLS_ATTEMPTS),
			    db_str(&res, i, JLS_STARTED),
			    db_isnull(&res, i, JLS_FINISHED) ? "" :
			    ", finished ", db_isnull(&res, i, JLS_FINISHED) ?
			    "" : db_str(&res, i, JLS_FINISHED));
			if (!db_isnull(&res, i, JLS_ERROR))
				printf("    %s\n", db_str(&res, i, JLS_ERROR));
			if (db_int(&res, i, JLS_WAITING) > 0 ||
			    db_int(&res, i, JLS_GIVEN_UP) > 0)
				printf("    batches set aside: %lld to retry%s,"
				    " %lld given up\n",
				    (long long)db_int(&res, i, JLS_WAITING),
				    db_isnull(&res, i, JLS_RETRY_AT) ? "" :
				    arena_printf(r.a, " from %s UTC",
				    db_str(&res, i, JLS_RETRY_AT)),
				    (long long)db_int(&res, i, JLS_GIVEN_UP));
		}
		arena_reset(r.a);
	}
	rc = 0;
out:
	cmd_req_done(&r);
	return rc;
}

static int
cmd_jobs(int argc, char *argv[])
{
	if (argc >= 2 && strcmp(argv[1], "tick") == 0 && argc == 2)
		return jobs_tick();
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return jobs_run(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return jobs_list(argc - 2, argv + 2);
	jobs_usage();
	return 2;
}

COMMANDS(job_commands) = {
	{ "jobs", "tick | run NAME [--now] [--merchant CODE] [--date DAY]"
	  " | list: the jobs", cmd_jobs },
	{ NULL, NULL, NULL }
};
