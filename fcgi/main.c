/*
 * app: the FastCGI master and its workers, plus the small commands that
 * share the runtime (migrate, version, and those handlers register).
 *
 * The master opens the socket, forks N workers, restarts one that dies,
 * stops them gracefully on SIGTERM/SIGINT and replaces them on SIGHUP.
 * Each worker has its own database connection and serves one request at
 * a time with its own arena.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "app.h"
#include "cmd.h"
#include "db.h"
#include "req.h"
#include "tmpl.h"

/*
 * A worker leaves with _exit(), which skips LeakSanitizer's check at exit:
 * in the sanitizer build it checks once it has closed its connection and
 * freed its arena, so that memory a request allocated outside its arena
 * and never freed (what would grow a long-lived worker) is reported.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define worker_leak_check()	__lsan_do_leak_check()
#else
#define worker_leak_check()	((void)0)
#endif

extern const struct command *const __start_app_commands[];
extern const struct command *const __stop_app_commands[];

/* listen(2) backlog; the kernel caps it at net.core.somaxconn */
#define SOMAXCONN_WANT	4096

static volatile sig_atomic_t got_term, got_hup, got_chld;

static void
on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

static void
worker_on_term(int sig)
{
	(void)sig;
	got_term = 1;
	FCGX_ShutdownPending();
}

static void
set_handler(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: accept() must return */
	sigaction(sig, &sa, NULL);
}

static int
load_templates(void)
{
	char dir[4096];

	tmpl_free_all();
	snprintf(dir, sizeof(dir), "%s/templates", cfg.root);
	return tmpl_load_dir(dir);
}

static void
serve_one(struct req *r)
{
	int64_t t0 = time_mono_ms();
	long ms;

	r->deadline_ms = t0 + cfg.report_ms;	/* its reports' (db.h) */

	if (req_begin(r, r->io) == 0)
		router_dispatch(r);
	if (db_retry_pending())
		log_err(r, "retry flag left set");
	resp_send(r);
	ms = (long)(time_mono_ms() - t0);
	if (r->status >= 500 || ms > 1000)
		log_warn(r, "%s %s -> %d%s%s in %ld ms", r->method_name,
		    r->path, r->status, r->err_code ? " " : "",
		    r->err_code ? r->err_code : "", ms);
}

static void
worker_main(int fd)
{
	FCGX_Request f;
	struct arena *a;
	int tries;

	set_handler(SIGTERM, worker_on_term);
	set_handler(SIGINT, SIG_IGN);
	set_handler(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	for (tries = 0; tries < 5 && db_connect() == -1; tries++)
		sleep(1);	/* requests reconnect lazily after this */
	a = arena_new(64 * 1024);
	if (FCGX_InitRequest(&f, fd, 0) != 0)
		_exit(1);
	while (!got_term && FCGX_Accept_r(&f) >= 0) {
		struct req r;

		memset(&r, 0, sizeof(r));
		r.a = a;
		r.io = &f;
		json_hooks_arena(a);
		serve_one(&r);
		FCGX_Finish_r(&f);
		json_hooks_arena(NULL);
		arena_reset(a);
	}
	db_close();
	arena_free(a);
	worker_leak_check();
	_exit(0);
}

/* Sleep whole seconds even when signals arrive meanwhile. */
static void
pause_s(int s)
{
	struct timespec ts = { s, 0 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR && !got_term)
		;
}

static pid_t
spawn(int fd)
{
	pid_t pid = fork();

	if (pid == 0)
		worker_main(fd);
	return pid;
}

static int
cmd_serve(int argc, char *argv[])
{
	pid_t *pids, *old = NULL;
	time_t *started;
	int fd, i, n = cfg.workers, alive;
	sigset_t mask, prev;

	(void)argc;
	(void)argv;
	if (load_templates() == -1) {
		log_err(NULL, "templates failed to load");
		return 1;
	}
	if (cfg_asset_version() == -1)
		return 1;
	if (event_init() == -1) {
		log_err(NULL, "event subscriptions refused");
		return 1;
	}
	if (router_check() == -1) {
		log_err(NULL, "route table refused");
		return 1;
	}
	switch (db_verify()) {
	case -1:
		log_err(NULL, "statements refused");
		return 1;
	case 1:
		log_warn(NULL, "database not reachable yet: workers connect "
		    "when it is");
		break;
	}
	if (FCGX_Init() != 0) {
		log_err(NULL, "FastCGI library failed to initialise");
		return 1;
	}
	unlink(cfg.socket);
	/* a flash-sale burst queues here while the workers serve */
	if ((fd = FCGX_OpenSocket(cfg.socket, SOMAXCONN_WANT)) < 0) {
		log_err(NULL, "cannot listen on %s", cfg.socket);
		return 1;
	}
	chmod(cfg.socket, 0666);
	pids = calloc((size_t)n, sizeof(*pids));
	started = calloc((size_t)n, sizeof(*started));
	set_handler(SIGTERM, on_signal);
	set_handler(SIGINT, on_signal);
	set_handler(SIGHUP, on_signal);
	set_handler(SIGCHLD, on_signal);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n; i++) {
		pids[i] = spawn(fd);
		started[i] = time(NULL);
	}
	log_info(NULL, "serving on %s with %d workers (%s)", cfg.socket, n,
	    cfg.env);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	while (!got_term) {
		pid_t pid;
		int status;

		sigprocmask(SIG_BLOCK, &mask, &prev);
		if (!got_term && !got_hup && !got_chld)
			sigsuspend(&prev);
		sigprocmask(SIG_SETMASK, &prev, NULL);
		if (got_hup) {
			got_hup = 0;
			log_info(NULL, "reload: replacing workers");
			if (load_templates() == -1)
				log_err(NULL, "reload: templates failed, "
				    "keeping the old ones");
			(void)cfg_asset_version();	/* new static files */
			old = calloc((size_t)n, sizeof(*old));
			for (i = 0; i < n; i++) {
				old[i] = pids[i];
				pids[i] = spawn(fd);
				started[i] = time(NULL);
			}
			for (i = 0; i < n; i++)
				if (old[i] > 0)
					kill(old[i], SIGTERM);
			free(old);
			old = NULL;
		}
		if (got_chld) {
			got_chld = 0;
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
				for (i = 0; i < n; i++)
					if (pids[i] == pid)
						break;
				if (i == n || got_term)
					continue;	/* a replaced worker */
				log_warn(NULL, "worker %d exited (%d); "
				    "restarting", (int)pid, status);
				if (time(NULL) - started[i] < 2)
					pause_s(1);	/* crash loop: slow down */
				pids[i] = spawn(fd);
				started[i] = time(NULL);
			}
		}
	}
	log_info(NULL, "stopping workers");
	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (alive = 1, i = 0; alive && i < 100; i++) {
		pid_t pid;

		while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (pid == -1 && errno == ECHILD)
			alive = 0;
		else
			usleep(50000);
	}
	for (i = 0; alive && i < n; i++)
		kill(pids[i], SIGKILL);
	unlink(cfg.socket);
	close(fd);
	free(pids);
	free(started);
	return 0;
}

static int
cmd_migrate(int argc, char *argv[])
{
	char dir[4096];

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "%s/migrations", cfg.root);
	return db_migrate(dir) == 0 ? 0 : 1;
}

static int
cmd_version(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	printf("%s\n", cfg.version);
	return 0;
}

static int
cmd_routes(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	router_print();
	return router_check() == -1 ? 1 : 0;
}

static int
cmd_events(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	if (event_init() == -1)
		return 1;
	event_print();
	return 0;
}

static const struct command builtin[] = {
	{ "serve", "run the FastCGI master and workers", cmd_serve },
	{ "migrate", "apply migrations/ in order", cmd_migrate },
	{ "version", "print the version", cmd_version },
	{ "routes", "print the route table: method, pattern, flags, file",
	    cmd_routes },
	{ "events", "print the event subscriptions in the order they run",
	    cmd_events },
	{ NULL, NULL, NULL }
};

static void
usage(void)
{
	const struct command *const *t;
	const struct command *c;

	fputs("usage: app <command> [args]\n", stderr);
	for (c = builtin; c->name; c++)
		fprintf(stderr, "  %-16s %s\n", c->name, c->help);
	for (t = __start_app_commands; t < __stop_app_commands; t++)
		for (c = *t; c->name; c++)
			fprintf(stderr, "  %-16s %s\n", c->name, c->help);
}

int
main(int argc, char *argv[])
{
	const struct command *const *t;
	const struct command *c;

	if (argc < 2) {
		usage();
		return 2;
	}
	if (cfg_load() == -1)
		return 1;
	for (c = builtin; c->name; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(argc - 1, argv + 1);
	for (t = __start_app_commands; t < __stop_app_commands; t++)
		for (c = *t; c->name; c++)
			if (strcmp(c->name, argv[1]) == 0)
				return c->fn(argc - 1, argv + 1);
	usage();
	return 2;
}
