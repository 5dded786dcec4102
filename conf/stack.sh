#!/usr/bin/env bash
#
# One self-contained stack (MariaDB, the app, nginx) in an instance
# directory, so that several can run at once on different ports.
#
#   conf/stack.sh up     <instance_dir> <port> <dev|test|prod>
#   conf/stack.sh fg     <instance_dir> <port> <dev|test|prod>  (up, wait, down on Ctrl-C)
#   conf/stack.sh down   <instance_dir>
#   conf/stack.sh status <instance_dir>
#
# A stack that runs its own MariaDB also runs a guard beside it, which
# starts MariaDB again whenever it dies (a crash, a kill) without `down`
# having stopped it, and writes each outage, with how long it lasted, to
# log/stack.log. A clean shutdown someone asked for (mariadb-admin
# shutdown) is left alone, as a service manager's on-failure restart does.
#
# Instance layout:
#   my.cnf  secrets.env  env          rendered MariaDB config, generated
#                                     secrets (dev/test), app environment
#   mysql/  datadir      run/  sockets and pid files (0755: nginx reaches app.sock)
#   log/    mariadb.log app.log nginx-error.log nginx-access.log stack.log
#   nginx/  nginx.conf and temp dirs  uploads/  files the app stores
#
# Environment read by `up`:
#   APP_BIN          the app binary (default var/build/app)
#   APP_WORKERS      FastCGI workers (default 2 per core)
#   DB_THREADS       MariaDB thread pool groups, the cores its statements
#                    run on at once (default half the cores, at least 1: it
#                    shares the machine with nginx and the app); 0 for a
#                    thread per connection instead of the pool
#   DB_BUFFER_POOL   MariaDB's buffer pool: "auto" (30% of MemTotal,
#                    at least 256M, at most 16G, in 128M steps; the default
#                    for dev and prod, and what make bench asks for) or a
#                    size such as 512M or 2G (test instances default to
#                    256M: several run at once). The size chosen is written
#                    to log/stack.log.
#   DB_BULK          1: MariaDB set for a throwaway instance loaded in bulk
#                    (make bench-scale; dev and test only, never make run
#                    or make test): no flush of the redo log at each commit
#                    (innodb_flush_log_at_trx_commit=0), no doublewrite
#                    buffer, a 2G redo log, interleaved auto-increment
#                    locks (parallel INSERT ... SELECT into one table) and
#                    64M to sort in when an index is built. A
#                    crash of the machine may lose the last second's
#                    commits or tear pages: for data nobody keeps.
#   MEMBER_CODE_TTL  seconds a member code lives (default 60)
#   PUBLIC_URL       external URL (default http://127.0.0.1:<port>)
#   prod only, required: APP_SECRET (64 hex), DB_PASSWORD; optional:
#   SANDBOX_PAY_KEY, DB_NAME, DB_USER, and DB_SOCKET or DB_HOST/DB_PORT
#   for a database run elsewhere (without them, MariaDB runs in the
#   instance like in dev, with the given password). Nothing is generated
#   and no demo data is loaded in prod.

set -euo pipefail
# `&` in a ${var//pat/rep} replacement is literal here (bash 5.2 would
# otherwise put the match there).
shopt -u patsub_replacement 2>/dev/null || true

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
ME=$(id -un)

say() { printf 'stack: %s\n' "$*"; }
die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

usage() {
	sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# ---- helpers --------------------------------------------------------------

# alive <pidfile> <name>: the pid in the file runs a program called name.
alive() {
	local pid
	[ -s "$1" ] || return 1
	pid=$(cat "$1" 2>/dev/null) || return 1
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

# wait_gone <pid> <seconds>: 0 when the process has gone.
wait_gone() {
	local pid=$1 i
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# render <template> <output> KEY=VALUE...: replace each @KEY@.
render() {
	local in=$1 out=$2 text kv
	shift 2
	text=$(<"$in")
	for kv in "$@"; do
		text=${text//@${kv%%=*}@/${kv#*=}}
	done
	if [[ "$text" =~ @[A-Z_]+@ ]]; then
		die "$in: placeholder ${BASH_REMATCH[0]} left unfilled"
	fi
	printf '%s\n' "$text" >"$out"
}

hex32() {
	od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
}

sql_quote() {
	local s=${1//\\/\\\\}
	printf "'%s'" "${s//\'/\'\'}"
}

tail_logs() {
	local f
	for f in "$INST"/log/*.log; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f"
		tail -n 25 "$f"
	done >&2
}

set_instance() {
	[ -n "${1:-}" ] || usage
	INST=$(cd "$1" && pwd -P)
	RUN=$INST/run
	LOG=$INST/log
	MYCNF=$INST/my.cnf
	DB_SOCK=$RUN/mysql.sock
	APP_PID=$RUN/app.pid
	NGINX_PID=$RUN/nginx.pid
	MYSQL_PID=$RUN/mysql.pid
	GUARD_PID=$RUN/dbguard.pid
	WXFAKE_PID=$RUN/wxfake.pid
	DB_STOPPING=$RUN/db.stopping
}

db_root() {
	mariadb --defaults-file="$MYCNF" --user=root
}

# ---- MariaDB --------------------------------------------------------------

# buffer_pool: the buffer pool size for my.cnf, in MiB with an M, from
# DB_BUFFER_POOL (see the top): auto takes 30% of the machine's memory,
# between a floor that holds a small merchant's working set and a cap that
# leaves the rest to the OS, nginx and the app, a multiple of InnoDB's
# 128M chunk so that the server does not round it itself.
buffer_pool() {
	local want=${DB_BUFFER_POOL:-} kb mb
	if [ -z "$want" ]; then
		if [ "$ENV" = test ]; then want=256M; else want=auto; fi
	fi
	if [ "$want" = auto ]; then
		kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null)
		[[ "$kb" =~ ^[0-9]+$ ]] || kb=$((1024 * 1024))
		mb=$((kb * 30 / 100 / 1024 / 128 * 128))
		[ "$mb" -lt 256 ] && mb=256
		[ "$mb" -gt 16384 ] && mb=16384
		echo "${mb}M"
		return
	fi
	[[ "$want" =~ ^[0-9]+[MG]$ ]] ||
	    die "DB_BUFFER_POOL: auto or a size like 512M or 2G, not $want"
	echo "$want"
}

db_up() {
	local flush=1 threads handling=pool-of-threads pool
	local logsize=64M doublewrite=ON autoinc=1 sortbuf=1M
	[ "$ENV" = test ] && flush=2
	if [ "${DB_BULK:-}" = 1 ]; then
		[ "$ENV" != prod ] || die "DB_BULK=1 is for throwaway instances, not prod"
		flush=0 logsize=2G doublewrite=OFF autoinc=2 sortbuf=64M
	fi
	pool=$(buffer_pool)
	threads=${DB_THREADS:-$(($(nproc 2>/dev/null || echo 2) / 2))}
	[[ "$threads" =~ ^[0-9]+$ ]] || die "DB_THREADS: a number, not $threads"
	if [ "$threads" -eq 0 ]; then
		handling=one-thread-per-connection threads=1
	fi
	render "$ROOT/conf/my.cnf.in" "$MYCNF" "INST=$INST" \
	    "FLUSH_AT_COMMIT=$flush" "DB_THREADS=$threads" \
	    "DB_THREADING=$handling" "BUFFER_POOL=$pool" \
	    "LOG_FILE_SIZE=$logsize" "DOUBLEWRITE=$doublewrite" \
	    "AUTOINC_LOCK_MODE=$autoinc" "SORT_BUFFER=$sortbuf"
	if alive "$MYSQL_PID" mariadbd; then
		say "MariaDB already running"
		return 0
	fi
	say "MariaDB buffer pool $pool (DB_BUFFER_POOL=${DB_BUFFER_POOL:-default}, $ENV${DB_BULK:+, DB_BULK=$DB_BULK})" |
	    tee -a "$LOG/stack.log"
	if [ ! -d "$INST/mysql/mysql" ]; then
		say "initialising MariaDB in $INST/mysql"
		rm -rf "$INST/mysql"
		mkdir -p "$INST/mysql"
		if ! mariadb-install-db --defaults-file="$MYCNF" --user="$ME" \
		    --auth-root-authentication-method=normal --skip-test-db \
		    >"$LOG/mariadb-install.log" 2>&1; then
			tail -n 30 "$LOG/mariadb-install.log" >&2
			die "mariadb-install-db failed"
		fi
	fi
	db_start || die "MariaDB did not start in 30 s"
	say "MariaDB up on $DB_SOCK"
}

# db_start: start mariadbd on the rendered my.cnf and wait until it
# answers (30 s at most). 0 when it does.
db_start() {
	local pid deadline
	rm -f "$DB_SOCK"
	setsid mariadbd --defaults-file="$MYCNF" --user="$ME" \
	    </dev/null >>"$LOG/mariadb.log" 2>&1 &
	pid=$!
	# mariadbd writes the same pid there once started; written now, an
	# interrupted `up` followed by `down` still finds it.
	echo "$pid" >"$MYSQL_PID"
	deadline=$((SECONDS + 30))
	while [ "$SECONDS" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
		if mariadb-admin --defaults-file="$MYCNF" --user=root \
		    --connect-timeout=1 ping >/dev/null 2>&1; then
			# root has no password (local tool use): only the
			# instance's owner may reach the socket. Networking is off.
			chmod 0600 "$DB_SOCK"
			return 0
		fi
		sleep 0.1
	done
	tail -n 30 "$LOG/mariadb.log" >&2
	return 1
}

# ---- the MariaDB guard ----------------------------------------------------

# Whether the MariaDB that last started has shut down cleanly: its log
# says "Shutdown complete" after its last "ready for connections". The
# last of those lines is read whole: no reader in the pipe stops early
# (tac | grep -m1 did, and under pipefail tac's SIGPIPE made a clean
# shutdown read as a crash now and then, which the guard then undid).
db_shut_cleanly() {
	local last
	last=$(grep -E 'ready for connections|Shutdown complete' \
	    "$LOG/mariadb.log" 2>/dev/null | tail -n 1) || return 1
	[[ $last == *'Shutdown complete'* ]]
}

# running <pid>: the process exists and has not exited (a zombie has).
# Builtins only: the guard asks twice a second for as long as the stack
# runs, beside a database that benchmarks measure.
running() {
	local stat
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
	    read -r stat <"/proc/$1/stat" 2>/dev/null || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# The guard's loop (`stack.sh guard <dir>`, detached by guard_up): every
# half second, MariaDB must be running unless `down` is stopping it or it was
# shut down cleanly; when it is not, it is started again and the outage
# logged. Every 30 s it starts a fresh `app jobs tick` in the background
# (the environment is up's, which started it), unless the last one still
# runs, so a slow tick never holds up the watch (README: Jobs). The process
# it watches decides, not the pid file alone, which MariaDB removes while
# it is still shutting down.
cmd_guard() {
	local pid t0 ms ticks=0 tick=
	set_instance "$1"
	trap 'exit 0' TERM INT
	pid=$(cat "$MYSQL_PID" 2>/dev/null || true)
	while [ ! -e "$DB_STOPPING" ]; do
		sleep 0.5
		# twice a minute: the jobs that are due (fcgi/job.h)
		ticks=$((ticks + 1))
		if [ $((ticks % 60)) = 0 ] && running "$pid" &&
		    ! running "$tick"; then
			"${APP_BIN:-$ROOT/var/build/app}" jobs tick \
			    >>"$LOG/app.log" 2>&1 </dev/null &
			tick=$!
		fi
		running "$pid" && continue
		if alive "$MYSQL_PID" mariadbd; then	# started by someone else
			pid=$(cat "$MYSQL_PID")
			continue
		fi
		[ -e "$DB_STOPPING" ] && break
		db_shut_cleanly && continue
		t0=$(date +%s%N)
		say "$(date -u +%FT%TZ) MariaDB is gone; starting it again"
		if db_start; then
			ms=$((($(date +%s%N) - t0) / 1000000))
			say "$(date -u +%FT%TZ) MariaDB back after ${ms} ms"
		else
			say "$(date -u +%FT%TZ) MariaDB did not start; trying again"
		fi
		pid=$(cat "$MYSQL_PID" 2>/dev/null || true)
	done
}

guard_up() {
	rm -f "$DB_STOPPING"
	alive "$GUARD_PID" "stack.sh guard" && return 0
	setsid bash "$ROOT/conf/stack.sh" guard "$INST" \
	    </dev/null >>"$LOG/stack.log" 2>&1 &
	echo "$!" >"$GUARD_PID"
}

guard_down() {
	local pid
	touch "$DB_STOPPING"
	alive "$GUARD_PID" "stack.sh guard" || { rm -f "$GUARD_PID"; return 0; }
	pid=$(cat "$GUARD_PID")
	kill -TERM "$pid" 2>/dev/null || true
	wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$GUARD_PID"
}

db_setup() {
	local pw
	pw=$(sql_quote "$DB_PASSWORD")
	db_root <<-EOF
		CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`
		    CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
		CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY $pw;
		ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY $pw;
		GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'localhost';
	EOF
}

db_down() {
	local pid
	alive "$MYSQL_PID" mariadbd || return 0
	pid=$(cat "$MYSQL_PID")
	say "stopping MariaDB"
	mariadb-admin --defaults-file="$MYCNF" --user=root \
	    --connect-timeout=2 shutdown >/dev/null 2>&1 ||
	    kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 60; then
		say "MariaDB did not stop in 60 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
}

# ---- environment ----------------------------------------------------------

load_env() {
	local port=$1 workers
	workers=${APP_WORKERS:-$((2 * $(nproc 2>/dev/null || echo 1)))}
	LOCAL_DB=1
	if [ "$ENV" = prod ]; then
		[ -n "${APP_SECRET:-}" ] ||
		    die "APP_ENV=prod needs APP_SECRET (64 hex characters) in the environment"
		[[ "$APP_SECRET" =~ ^[0-9a-fA-F]{64}$ ]] ||
		    die "APP_SECRET must be 64 hex characters"
		[ -n "${DB_PASSWORD:-}" ] ||
		    die "APP_ENV=prod needs DB_PASSWORD (and DB_SOCKET or DB_HOST for an outside database) in the environment"
		if [ -n "${DB_SOCKET:-}" ] || [ -n "${DB_HOST:-}" ]; then
			LOCAL_DB=
		fi
		SANDBOX_PAY_KEY=${SANDBOX_PAY_KEY:-}
		DB_NAME=${DB_NAME:-app}
		DB_USER=${DB_USER:-app}
	else
		if [ ! -s "$INST/secrets.env" ]; then
			(
				umask 077
				printf 'DB_PASSWORD=%s\nAPP_SECRET=%s\nSANDBOX_PAY_KEY=%s\n' \
				    "$(hex32)" "$(hex32)" "$(hex32)" \
				    >"$INST/secrets.env"
			)
		fi
		# shellcheck disable=SC1091
		. "$INST/secrets.env"
		DB_NAME=app
		DB_USER=app
		DB_HOST=
		DB_PORT=
	fi
	if [ -n "$LOCAL_DB" ]; then
		DB_SOCKET=$DB_SOCK
		DB_HOST=
		DB_PORT=
	fi

	export APP_ENV=$ENV APP_ROOT=$ROOT APP_SOCKET=$RUN/app.sock
	export APP_WORKERS=$workers MEMBER_CODE_TTL=${MEMBER_CODE_TTL:-60}
	export PUBLIC_URL=${PUBLIC_URL:-http://127.0.0.1:$port}
	export UPLOAD_DIR=$INST/uploads BASE_URL=http://127.0.0.1:$port
	export DB_SOCKET=${DB_SOCKET:-} DB_HOST=${DB_HOST:-} DB_PORT=${DB_PORT:-}
	export DB_NAME DB_USER DB_PASSWORD APP_SECRET SANDBOX_PAY_KEY
	export INSTANCE_DIR=$INST PORT=$port

	# Shell-sourceable, for tests, bench and humans. In prod the
	# operator's secrets stay in the operator's environment only.
	local v vars=(APP_ENV APP_ROOT APP_SOCKET APP_WORKERS DB_SOCKET DB_HOST
	    DB_PORT DB_NAME DB_USER MEMBER_CODE_TTL PUBLIC_URL UPLOAD_DIR
	    BASE_URL INSTANCE_DIR PORT)
	[ "$ENV" = prod ] || vars+=(DB_PASSWORD APP_SECRET SANDBOX_PAY_KEY)
	(
		umask 077
		for v in "${vars[@]}"; do
			printf '%s=%q\n' "$v" "${!v}"
		done >"$INST/env"
	)
}

# ---- app ------------------------------------------------------------------

app_bin() {
	APP=${APP_BIN:-$ROOT/var/build/app}
	[ -x "$APP" ] || die "$APP not found: run make build"
}

app_up() {
	local pid deadline
	say "migrating"
	"$APP" migrate 2>&1 | tee -a "$LOG/app.log" ||
	    die "app migrate failed"
	if [ "$ENV" != prod ]; then
		say "loading demo data"
		"$APP" seed 2>&1 | tee -a "$LOG/app.log" ||
		    die "app seed failed"
	fi
	rm -f "$APP_SOCKET"
	setsid "$APP" serve </dev/null >>"$LOG/app.log" 2>&1 &
	pid=$!
	echo "$pid" >"$APP_PID"
	deadline=$((SECONDS + 15))
	while [ "$SECONDS" -lt "$deadline" ] && [ ! -S "$APP_SOCKET" ] &&
	    kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
	done
	if ! kill -0 "$pid" 2>/dev/null || [ ! -S "$APP_SOCKET" ]; then
		tail -n 30 "$LOG/app.log" >&2
		die "app serve did not start"
	fi
	say "app serving on $APP_SOCKET (pid $pid, $APP_WORKERS workers)"
}

app_down() {
	local pid
	alive "$APP_PID" " serve" || { rm -f "$APP_PID"; return 0; }
	pid=$(cat "$APP_PID")
	say "stopping app"
	kill -TERM "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 15; then
		say "app did not stop in 15 s; killing its process group"
		kill -KILL -- "-$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || true
	fi
	rm -f "$APP_PID" "$RUN/app.sock"
}

# ---- the local fake of WeChat's servers (dev and test) --------------------

# A dev or test stack cannot reach WeChat: tests/fake/wechat.mjs answers
# as WeChat's server APIs and WeChat Pay do, on a loopback port it picks
# itself, with keys made for the run in $INST/wxfake. The app's
# WX_API_BASE and WXPAY_API_BASE point at it unless already given. In
# prod the app talks to WeChat (or to the bases the operator gives).
wxfake_up() {
	local pid deadline dir=$INST/wxfake port
	[ "$ENV" != prod ] || return 0
	command -v node >/dev/null || { say "node not found: no WeChat fake"; return 0; }
	wxfake_down
	rm -rf "$dir"
	mkdir -p "$dir"
	setsid node "$ROOT/tests/fake/wechat.mjs" --dir "$dir" </dev/null \
	    >>"$LOG/wxfake.log" 2>&1 &
	pid=$!
	echo "$pid" >"$WXFAKE_PID"
	deadline=$((SECONDS + 15))
	while [ "$SECONDS" -lt "$deadline" ] && [ ! -s "$dir/port" ] &&
	    kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
	done
	[ -s "$dir/port" ] || { tail -n 20 "$LOG/wxfake.log" >&2; die "the WeChat fake did not start"; }
	port=$(cat "$dir/port")
	export WX_FAKE_URL=http://127.0.0.1:$port WX_FAKE_DIR=$dir
	export WX_API_BASE=${WX_API_BASE:-$WX_FAKE_URL}
	export WXPAY_API_BASE=${WXPAY_API_BASE:-$WX_FAKE_URL}
	printf '%s=%q\n' WX_FAKE_URL "$WX_FAKE_URL" WX_FAKE_DIR "$WX_FAKE_DIR" \
	    WX_API_BASE "$WX_API_BASE" WXPAY_API_BASE "$WXPAY_API_BASE" \
	    >>"$INST/env"
	say "WeChat fake on $WX_FAKE_URL (pid $pid)"
}

wxfake_down() {
	local pid
	alive "$WXFAKE_PID" wechat.mjs || { rm -f "$WXFAKE_PID"; return 0; }
	pid=$(cat "$WXFAKE_PID")
	kill -TERM "$pid" 2>/dev/null || true
	wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$WXFAKE_PID"
}

# ---- nginx ----------------------------------------------------------------

# The user line for nginx.conf. As root, nginx runs its workers as an
# unprivileged user; they must reach static/, uploads/ and the FastCGI
# socket. A checkout under a 0700 directory is out of their reach, and
# then the workers run as root too.
nginx_user() {
	local u g
	if [ "$(id -u)" -ne 0 ]; then
		echo "# not started as root: workers run as $ME"
		return
	fi
	for u in www-data nobody; do
		id -u "$u" >/dev/null 2>&1 && break
		u=
	done
	# shellcheck disable=SC2016
	if [ -n "$u" ] && runuser -u "$u" -- sh -c '
	    test -r "$1/static" && test -x "$1/static" &&
	    test -x "$2/run" && test -x "$2/uploads" && test -x "$2/nginx"
	    ' sh "$ROOT" "$INST" 2>/dev/null; then
		g=$(id -gn "$u")
		echo "user $u $g;"
	else
		echo "# ${u:-www-data} cannot reach $ROOT/static or $INST: workers run as root"
		echo "user root;"
	fi
}

nginx_up() {
	local port=$1 rate burst
	if [ "$ENV" = test ]; then
		# Tests sign in many members from 127.0.0.1.
		rate=100r/s burst=2000
	else
		rate=30r/m burst=20
	fi
	render "$ROOT/conf/nginx.conf.in" "$INST/nginx/nginx.conf" \
	    "ROOT=$ROOT" "INST=$INST" "PORT=$port" "ENV=$ENV" \
	    "USER=$(nginx_user)" "AUTH_RATE=$rate" "AUTH_BURST=$burst"
	if ! nginx -q -t -p "$INST/nginx" -c "$INST/nginx/nginx.conf" \
	    -e "$LOG/nginx-error.log"; then
		die "nginx configuration test failed"
	fi
	nginx -p "$INST/nginx" -c "$INST/nginx/nginx.conf" \
	    -e "$LOG/nginx-error.log" </dev/null ||
	    die "nginx did not start (port $port in use?)"
	say "nginx listening on 127.0.0.1:$port"
}

nginx_down() {
	local pid
	alive "$NGINX_PID" nginx || return 0
	pid=$(cat "$NGINX_PID")
	say "stopping nginx"
	kill -QUIT "$pid" 2>/dev/null || true
	if ! wait_gone "$pid" 10; then
		kill -TERM "$pid" 2>/dev/null || true
		if ! wait_gone "$pid" 5; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	fi
}

# ---- commands -------------------------------------------------------------

cmd_up() {
	local port=$2 ok deadline
	if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] ||
	    [ "$port" -gt 65535 ]; then
		die "bad port: $port"
	fi
	case "$ENV" in dev | test | prod) ;; *) die "env must be dev, test or prod" ;; esac
	app_bin
	mkdir -p "$1"
	set_instance "$1"
	mkdir -p "$INST/mysql" "$RUN" "$LOG" "$INST/nginx" "$INST/uploads"
	chmod 0755 "$INST" "$RUN" "$INST/nginx" "$INST/uploads"
	chmod 0700 "$INST/mysql"

	load_env "$port"
	# A second `up` replaces the app and nginx, keeps the database.
	nginx_down
	app_down
	if [ -n "$LOCAL_DB" ]; then
		db_up
		db_setup
		guard_up
	fi
	wxfake_up
	app_up
	nginx_up "$port"

	ok=
	deadline=$((SECONDS + 20))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if curl -fsS -o /dev/null --max-time 2 "$BASE_URL/livez" \
		    2>/dev/null; then
			ok=1
			break
		fi
		sleep 0.2
	done
	if [ -z "$ok" ]; then
		curl -sS --max-time 2 "$BASE_URL/livez" >&2 || true
		tail_logs
		die "$BASE_URL/livez does not answer"
	fi
	say "up: environment in $INST/env"
	echo "$BASE_URL/m/demo/"
}

cmd_down() {
	[ -d "$1" ] || return 0
	set_instance "$1"
	nginx_down
	app_down
	wxfake_down
	guard_down
	db_down
	rm -f "$RUN"/*.sock "$RUN"/*.pid "$DB_STOPPING"
}

cmd_status() {
	[ -d "$1" ] || { echo "no instance in $1"; return 3; }
	set_instance "$1"
	local rc=0
	if alive "$MYSQL_PID" mariadbd; then
		echo "mariadb: running (pid $(cat "$MYSQL_PID"))"
		if alive "$GUARD_PID" "stack.sh guard"; then
			echo "mariadb guard: running (pid $(cat "$GUARD_PID"))"
		fi
	else
		echo "mariadb: stopped"
		rc=3
	fi
	if alive "$APP_PID" " serve"; then
		echo "app: running (pid $(cat "$APP_PID"))"
	else
		echo "app: stopped"
		rc=3
	fi
	if alive "$NGINX_PID" nginx; then
		echo "nginx: running (pid $(cat "$NGINX_PID"))"
	else
		echo "nginx: stopped"
		rc=3
	fi
	return "$rc"
}

cmd_fg() {
	FG_INST=$1
	# Once stopping, further Ctrl-C are ignored (by the down too) so
	# that nothing is left half-stopped.
	trap 'trap "" INT TERM; trap - EXIT; echo; cmd_down "$FG_INST"; exit 0' INT TERM
	trap 'cmd_down "$FG_INST"' EXIT
	cmd_up "$@"
	say "running; Ctrl-C (or make stop) stops it"
	# Leave when interrupted, or when someone else took nginx or the app down.
	while alive "$NGINX_PID" nginx && alive "$APP_PID" " serve"; do
		sleep 1 &
		wait $! || true
	done
	say "a server has stopped; taking the rest down"
	trap "" INT TERM
	trap - EXIT
	cmd_down "$FG_INST"
}

[ $# -ge 2 ] || usage
cmd=$1
shift
case "$cmd" in
up | fg)
	[ $# -eq 3 ] || usage
	ENV=$3
	"cmd_$cmd" "$1" "$2"
	;;
down | status | guard)
	"cmd_$cmd" "$1"
	;;
*)
	usage
	;;
esac
