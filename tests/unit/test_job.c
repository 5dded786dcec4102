/* The job runner's pure part (fcgi/job.h): zones, periods, due, --date. */
#include <time.h>

#include "job.h"
#include "unit.h"

/* unix seconds of a UTC wall time */
static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (int64_t)timegm(&tm);
}

TEST(jobs_tz_offsets)
{
	EXPECT_INT(job_tz_offset("+08:00"), 8 * 3600);
	EXPECT_INT(job_tz_offset("-05:30"), -(5 * 3600 + 30 * 60));
	EXPECT_INT(job_tz_offset("+00:00"), 0);
	EXPECT_INT(job_tz_offset("+14:00"), 14 * 3600);
	/* anything else is China's */
	EXPECT_INT(job_tz_offset("+15:00"), 8 * 3600);
	EXPECT_INT(job_tz_offset("+8:00"), 8 * 3600);
	EXPECT_INT(job_tz_offset("08:00"), 8 * 3600);
	EXPECT_INT(job_tz_offset("+08:60"), 8 * 3600);
	EXPECT_INT(job_tz_offset(NULL), 8 * 3600);
}

TEST(jobs_when_minute_periods_in_the_merchants_zone)
{
	struct job_when w;

	/* 2026-12-01 15:59 UTC is 23:59 in Beijing, 10:59 in New York */
	job_when(JOB_MINUTE, 0, utc(2026, 12, 1, 15, 59) + 42, 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-01T23:59");
	EXPECT_STR(w.day, "2026-12-01");
	EXPECT_INT(w.due, 1);
	EXPECT_INT(w.day_start, utc(2026, 11, 30, 16, 0));
	/* a minute later it is the next local day */
	job_when(JOB_MINUTE, 0, utc(2026, 12, 1, 16, 0), 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-02T00:00");
	EXPECT_INT(w.day_start, utc(2026, 12, 1, 16, 0));
	job_when(JOB_MINUTE, 0, utc(2026, 12, 1, 3, 5), -5 * 3600, &w);
	EXPECT_STR(w.period, "2026-11-30T22:05");
	EXPECT_INT(w.day_start, utc(2026, 11, 30, 5, 0));
	/* half-hour zones */
	job_when(JOB_MINUTE, 0, utc(2026, 12, 1, 18, 45), 5 * 3600 + 1800, &w);
	EXPECT_STR(w.period, "2026-12-02T00:15");
}

TEST(jobs_when_daily_due_from_the_local_hour)
{
	struct job_when w;

	/* due from 03:00 Beijing = 19:00 UTC the day before */
	job_when(JOB_DAILY, 3, utc(2026, 11, 30, 18, 59), 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-01");
	EXPECT_INT(w.hour, 2);
	EXPECT_INT(w.due, 0);
	job_when(JOB_DAILY, 3, utc(2026, 11, 30, 19, 0), 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-01");
	EXPECT_INT(w.due, 1);
	/* and all day long after that, for the same period */
	job_when(JOB_DAILY, 3, utc(2026, 12, 1, 15, 59), 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-01");
	EXPECT_INT(w.due, 1);
	/* local midnight starts the next day, not yet due */
	job_when(JOB_DAILY, 3, utc(2026, 12, 1, 16, 0), 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-02");
	EXPECT_INT(w.due, 0);
	/* hour 0: due at once */
	job_when(JOB_DAILY, 0, utc(2026, 12, 1, 16, 0), 8 * 3600, &w);
	EXPECT_INT(w.due, 1);
	/* the UTC date is not the local one west of Greenwich */
	job_when(JOB_DAILY, 9, utc(2026, 12, 1, 2, 0), -8 * 3600, &w);
	EXPECT_STR(w.period, "2026-11-30");
	EXPECT_INT(w.due, 1);		/* 18:00 local */
	/* new year, leap day */
	job_when(JOB_DAILY, 3, utc(2027, 12, 31, 16, 30), 8 * 3600, &w);
	EXPECT_STR(w.period, "2028-01-01");
	job_when(JOB_DAILY, 0, utc(2028, 2, 28, 16, 0), 8 * 3600, &w);
	EXPECT_STR(w.period, "2028-02-29");
	/* before 1970 locally */
	job_when(JOB_MINUTE, 0, 0, -3600, &w);
	EXPECT_STR(w.period, "1969-12-31T23:00");
	EXPECT_INT(w.day_start, -23 * 3600);
}

TEST(jobs_date_is_the_day_at_the_jobs_hour)
{
	struct job_when w;
	int64_t t = 0;

	EXPECT_INT(job_date("2026-12-01", JOB_DAILY, 3, 8 * 3600, &t), 0);
	EXPECT_INT(t, utc(2026, 11, 30, 19, 0));
	job_when(JOB_DAILY, 3, t, 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-01");
	EXPECT_INT(w.due, 1);
	EXPECT_INT(job_date("2026-12-01", JOB_MINUTE, 3, 8 * 3600, &t), 0);
	EXPECT_INT(t, utc(2026, 11, 30, 16, 0));
	job_when(JOB_MINUTE, 0, t, 8 * 3600, &w);
	EXPECT_STR(w.period, "2026-12-01T00:00");
	EXPECT_INT(job_date("2024-02-29", JOB_DAILY, 0, 0, &t), 0);
	EXPECT_INT(t, utc(2024, 2, 29, 0, 0));
	EXPECT_INT(job_date("2025-02-29", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("2026-04-31", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("2026-13-01", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("2026-00-10", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("2026-1-01", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("2026-01-01T", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("20260101", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date("1969-12-31", JOB_DAILY, 0, 0, &t), -1);
	EXPECT_INT(job_date(NULL, JOB_DAILY, 0, 0, &t), -1);
}

TEST(jobs_a_batch_set_aside_backs_off_doubling_to_an_hour)
{
	EXPECT_INT(job_retry_after(60, 1), 60);
	EXPECT_INT(job_retry_after(60, 2), 120);
	EXPECT_INT(job_retry_after(60, 3), 240);
	EXPECT_INT(job_retry_after(60, 4), 480);
	EXPECT_INT(job_retry_after(60, 7), 3600);
	EXPECT_INT(job_retry_after(60, 1000), 3600);
	EXPECT_INT(job_retry_after(600, 4), 3600);
	EXPECT_INT(job_retry_after(5000, 1), 3600);
	/* JOB_RETRY_S=0 in tests: due at once, every time */
	EXPECT_INT(job_retry_after(0, 1), 0);
	EXPECT_INT(job_retry_after(0, 4), 0);
}
