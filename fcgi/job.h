/*
 * Jobs: work that no request starts (tier reviews, points expiry,
 * birthday coupons, unpaid orders), run once per merchant and period
 * however many app hosts try.
 *
 * A domain declares a job beside the code it runs, like a route table:
 *
 *	static int tier_review_batch(struct job_run *);
 *	JOB(tier_review_job) = {
 *		"tier-review", "会员等级复核", JOB_DAILY, 3,
 *		{ "升级人数", "降级人数", "发放奖励", NULL },
 *		tier_review_batch,
 *	};
 *
 * The runner (job.c; `app jobs tick`, which the stack runs twice a
 * minute, and `app jobs run NAME`) claims a row of job_runs per (job,
 * merchant, period): the row decides who runs it. It then calls the job's
 * batch function again and again, each call inside one transaction that
 * also moves the run's cursor and counts on, so a run that dies half way
 * is resumed after its last committed batch by the next claimant and
 * nothing is done twice. A batch does a bounded amount of work (a few
 * hundred members), sets j->cursor to where the next one starts, adds
 * what it did to j->count[], and returns JOB_MORE, or JOB_DONE when
 * nothing is left; any status >= 400 (db_fail(r) too) rolls the batch
 * back and fails the run, which a later tick tries again. A batch makes
 * no network call (it runs inside a transaction and may be run again).
 *
 * A job that declares set_aside (the field after batch) lets the runner
 * set a failing batch aside instead, so that one poison batch does not
 * hold back the rest of the run: the run goes on from where the batch
 * had set j->cursor (so such a batch sets j->cursor to the end of what
 * it takes before it works on it), and the batch is tried again later,
 * backing off, with j->retry set, j->cursor where it started and
 * j->cursor_end where it ended: it then takes nothing after cursor_end
 * (a batch that does is rolled back). After JOB_BATCH_TRIES attempts it
 * is given up, which the run's status and `app jobs list` show.
 */
#ifndef JOB_H
#define JOB_H
#include <stdint.h>

struct req;

#define JOB_COUNTS	4

enum job_every {
	JOB_MINUTE,	/* period "2026-12-01T14:05", every minute */
	JOB_DAILY	/* period "2026-12-01", due from the job's hour */
};

#define JOB_DONE	0
#define JOB_MORE	1

struct job_run {
	struct req	*r;		/* r->m is the merchant */
	const struct job *job;
	int64_t		 id;		/* job_runs.id */
	const char	*period;	/* in the merchant's time zone */
	char		 day[11];	/* the period's local date */
	int64_t		 now;		/* the moment the run is for (unix s);
					   `--date` moves it */
	int64_t		 day_start;	/* unix s of the local midnight that
					   begins day */
	int		 tz_off;	/* the merchant's offset, seconds */
	int64_t		 cursor;	/* where the last batch stopped, 0 */
	int64_t		 count[JOB_COUNTS];
	int		 retry;		/* a batch set aside, tried again */
	int64_t		 cursor_end;	/* in a retry: take nothing after it
					   (0 otherwise) */
	void		*data;		/* from prepare to its batch */
};

struct job {
	const char	*name;		/* "tier-review": app jobs run NAME */
	const char	*title;		/* for the console */
	enum job_every	 every;
	int		 hour;		/* JOB_DAILY: local hour it is due */
	const char	*counts[JOB_COUNTS];	/* labels of count[], NULL:
						   unused */
	int		(*batch)(struct job_run *);
	int		 set_aside;	/* 1: a failing batch is set aside and
					   retried later (see above) */
};

/*
 * What a job must do before each batch outside any transaction (calls to
 * a provider over the network), each change it makes committed on its
 * own and safe to repeat; it leaves in j->data what the batch then
 * records. fn returns 0, or a status >= 400 that fails the run like a
 * batch's. Declared beside the job:
 *
 *	JOB_PREPARE(wxpay_sync_job, sync_prepare);
 */
struct job_prepare {
	const struct job *job;
	int		(*fn)(struct job_run *);
};
#define JOB_PREPARE(jobname, func) \
	static const struct job_prepare jobname##_prep = { &jobname, func }; \
	static const struct job_prepare *const jobname##_prep_reg \
	    __attribute__((used, section("app_job_prep"))) = &jobname##_prep

#define JOB(name) \
	static const struct job name; \
	static const struct job *const name##_reg \
	    __attribute__((used, section("app_jobs"))) = &name; \
	static const struct job name

/* The registered jobs, NULL-terminated iteration: job_at(0), job_at(1)... */
const struct job *job_at(int i);
const struct job *job_find(const char *name);

/*
 * How many items a batch takes: def, or in APP_ENV=test the JOB_BATCH of
 * the environment (tests make runs of many small batches).
 */
int	 job_batch_limit(int def);

/*
 * Run NAME for one merchant now, as `app jobs run NAME --merchant CODE`
 * in a process of its own, detached, so that work a request has just
 * queued starts without waiting for the next tick (the claim rows decide
 * who runs it, as for a tick). Call it once the work is committed (from
 * an arena_defer(), which runs after the response). 0, or -1 (logged):
 * the next tick runs it then.
 */
int	 job_start(const char *name, const char *merchant_code);

/* ---- the pure part of the runner: no request, no database, no clock ---- */

/* "+08:00" -> seconds east of UTC; anything else is +08:00. */
int	 job_tz_offset(const char *tz);

/* The period of a job at a moment, in a zone, and whether it is due. */
struct job_when {
	char		 period[17];	/* "2026-12-01" or "2026-12-01T14:05" */
	char		 day[11];	/* the local date */
	int64_t		 day_start;	/* unix s of its local midnight */
	int		 hour;		/* the local hour of now */
	int		 due;		/* JOB_MINUTE: always; JOB_DAILY: the
					   local hour has reached the job's */
};
void	 job_when(enum job_every, int hour, int64_t now, int tz_off,
	    struct job_when *);
/*
 * `--date YYYY-MM-DD`: the moment a run for that local date is for, the
 * date at the job's hour (JOB_MINUTE: midnight). 0, or -1 when ymd is no
 * calendar date.
 */
int	 job_date(const char *ymd, enum job_every, int hour, int tz_off,
	    int64_t *now);

/*
 * Seconds a batch set aside waits after its attempts so far (1: the
 * first failure): first, doubled after each further one, at most an hour
 * (first 0: none).
 */
int64_t	 job_retry_after(int64_t first, int attempts);

#endif
