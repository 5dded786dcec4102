# Helpers of the benchmark scripts (sourced; bash), for tests/bench/run.sh
# and tests/bench/scale.sh. They read
# THREADS, CONNECTIONS, PAIR_DURATION, BENCH_LUA_DIR, BASE_URL and the
# instance's DB_* environment.

# free_port, stack_cleanup (tests/port.sh)
# shellcheck source=tests/port.sh
. "$(dirname "${BASH_SOURCE[0]}")/../port.sh"

# api <method> <path> [json]: one request with curl; prints the body,
# fails on a non-2xx answer.
api() {
	curl -fsS -X "$1" -H 'Content-Type: application/json' \
	    ${3:+--data-binary "$3"} "$BASE_URL$2"
}

# staff_token <username>: a demo staff session's token
staff_token() {
	api POST /api/v1/m/demo/staff/login \
	    "{\"username\":\"$1\",\"password\":\"demo1234\"}" |
	    sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p'
}

# sql [mariadb options]: the instance's database as the app's user
sql() {
	MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults --socket="$DB_SOCKET" \
	    --user="$DB_USER" "$DB_NAME" -N -B "$@"
}

# field <BENCH line> <name>: one number of common.lua's line
field() {
	sed -n "s/.* $2=\([0-9]*\).*/\1/p" <<<" $1"
}

# line_rps <BENCH line>: requests a second
line_rps() {
	awk -v r="$(field "$1" requests)" -v d="$(field "$1" duration_us)" \
	    'BEGIN { printf "%.0f", (d > 0) ? r * 1e6 / d : 0 }'
}

# ratio <a> <b>: a / b to three places
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0) ? a / b : 0 }'
}

# rate <script.lua> <path>: one short run (PAIR_DURATION, 3s); its
# requests a second, or failure when any answer was not 2xx
rate() {
	local line
	line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${PAIR_DURATION:-3s}" \
	    -s "$BENCH_LUA_DIR/$1" "$BASE_URL$2" 2>/dev/null | grep '^BENCH ' |
	    tail -n 1)
	[ -n "$line" ] && [ "$(field "$line" non2xx)" = 0 ] &&
	    [ "$(field "$line" requests)" -gt 0 ] || return 1
	line_rps "$line"
}

# median <numbers...>: the median, and the smallest and the largest
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
	    printf "%s %s %s\n", (NR % 2) ? v[(NR + 1) / 2] :
		(v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
}

# percentile <p> <numbers...>: the nearest-rank p-th percentile
percentile() {
	local p=$1
	shift
	printf '%s\n' "$@" | sort -n | awk -v p="$p" '{ v[NR] = $1 } END {
	    k = int((p * NR + 99) / 100); if (k < 1) k = 1; print v[k] }'
}
