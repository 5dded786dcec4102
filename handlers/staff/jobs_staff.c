/*
 * The merchant's background jobs as the owner sees them (后台任务 in the
 * settings console): the last runs of the jobs that no request starts
 * (fcgi/job.h), read-only.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "db.h"
#include "job.h"
#include "req.h"

#define JOBS_SHOWN	50

enum { SJ_JOB, SJ_PERIOD, SJ_STATUS, SJ_C1, SJ_C2, SJ_C3, SJ_C4, SJ_ERROR,
    SJ_STARTED, SJ_FINISHED, SJ_RETRY_AT, SJ_WAITING, SJ_GIVEN_UP,
    SJ_NCOLS };
DB_SQL_COLS(q_staff_job_runs, SJ_NCOLS,
    "SELECT job, period, status, c1, c2, c3, c4, error, started_at,"
    " finished_at, retry_at,"
    " (SELECT COUNT(*) FROM job_batch_fails f WHERE f.run_id = job_runs.id"
    "  AND f.status = 'waiting'),"
    " (SELECT COUNT(*) FROM job_batch_fails f WHERE f.run_id = job_runs.id"
    "  AND f.status = 'failed')"
    " FROM job_runs WHERE merchant_id = ?"
    " AND NOT (period LIKE '%T%' AND status = 'done'"
    " AND c1 = 0 AND c2 = 0 AND c3 = 0 AND c4 = 0)"
    " ORDER BY id DESC LIMIT ?");

/*
 * GET staff/jobs (owner): the merchant's last 50 runs, newest first.
 * Out: [{job, title, period, status, counts:[{label, value}], started_at,
 * finished_at, error, batches_waiting, batches_given_up, retry_at}]
 * (batches set aside, job.h: to be tried again from retry_at, given up).
 * A minute job's run that found nothing to do (done, every count 0: most
 * of them) is left out, so that the owner sees
 * the runs that did something. A run of a job this build no longer has
 * keeps its name as its title and shows no counts. Writes nothing.
 */
static int
staff_jobs(struct req *r)
{
	struct db_res res;
	cJSON *arr = j_arr();
	int i, c;

	if (DB(r, &q_staff_job_runs, &res, DBI(r->m->id),
	    DBI(JOBS_SHOWN)) != DB_OK)
		return db_fail(r);
	for (i = 0; i < res.nrows; i++) {
		const char *name = db_str(&res, i, SJ_JOB);
		const struct job *job = job_find(name);
		cJSON *o = j_obj(), *counts = j_arr();

		j_str(o, "job", name);
		j_str(o, "title", job != NULL ? job->title : name);
		j_str(o, "period", db_str(&res, i, SJ_PERIOD));
		j_str(o, "status", db_str(&res, i, SJ_STATUS));
		for (c = 0; job != NULL && c < JOB_COUNTS; c++) {
			cJSON *n;

			if (job->counts[c] == NULL)
				continue;
			n = j_obj();
			j_str(n, "label", job->counts[c]);
			j_int(n, "value", db_int(&res, i, SJ_C1 + c));
			j_add(counts, NULL, n);
		}
		j_add(o, "counts", counts);
		j_str(o, "started_at", time_rfc3339(r,
		    db_str(&res, i, SJ_STARTED)));
		j_str(o, "finished_at", time_rfc3339(r,
		    db_str(&res, i, SJ_FINISHED)));
		j_str(o, "error", db_str(&res, i, SJ_ERROR));
		j_int(o, "batches_waiting", db_int(&res, i, SJ_WAITING));
		j_int(o, "batches_given_up", db_int(&res, i, SJ_GIVEN_UP));
		j_str(o, "retry_at", time_rfc3339(r,
		    db_str(&res, i, SJ_RETRY_AT)));
		j_add(arr, NULL, o);
	}
	return resp_data(r, 200, arr);
}

#define BASE "/api/v1/m/:merchant/staff"

ROUTES(jobs_staff_routes) = {
	{ M_GET, BASE "/jobs", staff_jobs, AUTH_STAFF | ROLE_OWNER },
	{ 0, NULL, NULL, 0 }
};
