/* One line per event on stderr, each with the request id. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "app.h"

static void
vlog(struct req *r, const char *level, const char *fmt, va_list ap)
{
	char ts[32], msg[2048];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s.%03ldZ %s pid=%d rid=%s %s\n", ts,
	    now.tv_nsec / 1000000, level, (int)getpid(),
	    r != NULL && r->request_id != NULL ? r->request_id : "-", msg);
}

void
log_info(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(r, "info", fmt, ap);
	va_end(ap);
}

void
log_warn(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(r, "warn", fmt, ap);
	va_end(ap);
}

void
log_err(struct req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(r, "error", fmt, ap);
	va_end(ap);
}
