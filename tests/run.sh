#!/usr/bin/env bash
#
# Run the test suites against a throwaway stack:
#   1. var/build/unit_tests-san         (pure rules, no servers)
#   2. tests/fuzz/smoke.sh              (each libFuzzer target for FUZZ_TIME s)
#   3. tests/http/*.test.mjs            (node --test, through nginx, real MariaDB)
#   4. tests/browser/*.test.mjs         (node --test + playwright-core + chromium)
#   5. the sanitizer reports            (each one found counts as a failure)
#
#   tests/run.sh [filter]
#
# filter: only the HTTP and browser test files and fuzz targets whose name
# contains it, and only the unit cases whose name contains it.
# Environment: KEEP=1 keeps the instance directory (logs, database) for a
# look afterwards; FILE_TIMEOUT (seconds, default 600) bounds one test file;
# FUZZ_TIME (seconds, default 10) is each fuzz target's run; SAN=0 runs the
# unit, HTTP and browser suites against the plain build (var/build/app,
# var/build/unit_tests) instead of the sanitizer build (make san).
#
# Prints every suite's output as it runs; the last line is the total,
# "N passed, M failed". Exits non-zero when anything failed.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT" || exit 1

FILTER=${1:-}
FILE_TIMEOUT=${FILE_TIMEOUT:-600}
INST=$ROOT/var/test.$$
STACK=$ROOT/conf/stack.sh
PASS=0
FAIL=0
CLEANED=

export APP_ENV=test MEMBER_CODE_TTL=60

# The binaries under test. The app's are the sanitizer build unless SAN=0:
# AddressSanitizer (with LeakSanitizer) and UndefinedBehaviorSanitizer, UB
# fatal. Their reports go to files in the instance's log folder (GCC's
# UBSan runtime beside ASan's ignores log_path and writes to stderr, that
# is app.log), which step 5 counts once the stack is down: a worker checks
# for leaks when it stops.
if [ "${SAN:-1}" = 0 ]; then
	UNIT_BIN=var/build/unit_tests
	export APP_BIN=$ROOT/var/build/app
else
	UNIT_BIN=var/build/unit_tests-san
	export APP_BIN=$ROOT/var/build/app-san
fi
SAN_COMMON=halt_on_error=1:detect_leaks=1
SAN_UBSAN=halt_on_error=1:print_stacktrace=1

note() { printf '\n==== %s\n' "$*"; }

# free_port, stack_cleanup (the instance down and removed, once)
# shellcheck source=tests/port.sh
. "$ROOT/tests/port.sh"

finish() {
	stack_cleanup
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit
}

CHILD=
TAIL=
# shellcheck disable=SC2317  # called by the trap
interrupted() {
	trap - INT TERM
	echo "interrupted"
	[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
	[ -n "$TAIL" ] && kill -TERM "$TAIL" 2>/dev/null
	wait
	FAIL=$((FAIL + 1))
	finish
}
trap interrupted INT TERM
trap stack_cleanup EXIT

# count <file> <pattern>: lines matching an extended regex.
count() {
	grep -cE "$2" "$1" || true
}

# tally <what> <prefix> <output> <exit code>: add the "ok N" and "not ok N"
# lines of a runner's output; one more failure when it ended without its
# "<prefix>: N passed, M failed" summary, or failed with nothing failed.
tally() {
	local p f
	p=$(count "$3" '^ok [0-9]+ ')
	f=$(count "$3" '^not ok [0-9]+ ')
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	if ! grep -qE "^$2: [0-9]+ passed, [0-9]+ failed" "$3"; then
		echo "$1 ended without its summary (exit $4): counted as 1 failed"
		FAIL=$((FAIL + 1))
	elif [ "$4" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$1 exited $4 with nothing failed: counted as 1 failed"
		FAIL=$((FAIL + 1))
	fi
}


show_logs() {
	local f
	for f in "$INST"/log/*.log; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f"
		tail -n 40 "$f"
	done
}

mkdir -p "$INST/log"
OUT=$INST/log/suites
mkdir -p "$OUT"

# ---- 1. unit --------------------------------------------------------------

# A report here is in the output, and ends the run before its summary or
# with a non-zero exit.
note "unit: $UNIT_BIN $FILTER"
if [ ! -x "$UNIT_BIN" ]; then
	echo "$UNIT_BIN missing (make build san)"
	FAIL=$((FAIL + 1))
else
	ASAN_OPTIONS=$SAN_COMMON UBSAN_OPTIONS=$SAN_UBSAN \
	    "$UNIT_BIN" ${FILTER:+"$FILTER"} 2>&1 | tee "$OUT/unit.out"
	tally unit_tests unit "$OUT/unit.out" "${PIPESTATUS[0]}"
fi

# ---- 2. fuzz smoke --------------------------------------------------------

note "fuzz: tests/fuzz/smoke.sh $FILTER"
FUZZ_OUT=$INST/fuzz tests/fuzz/smoke.sh ${FILTER:+"$FILTER"} 2>&1 |
    tee "$OUT/fuzz.out"
tally "fuzz smoke" fuzz "$OUT/fuzz.out" "${PIPESTATUS[0]}"

# ---- the stack ------------------------------------------------------------

# For the app and every app command the tests run (they inherit this).
export ASAN_OPTIONS=$SAN_COMMON:log_path=$INST/log/asan
export UBSAN_OPTIONS=$SAN_UBSAN:log_path=$INST/log/ubsan

files() {
	local f
	for f in "$1"/*.test.mjs; do
		[ -e "$f" ] || continue
		case "$(basename "$f")" in
		*"$FILTER"*) echo "$f" ;;
		esac
	done
}

mapfile -t HTTP_FILES < <(files tests/http)
mapfile -t BROWSER_FILES < <(files tests/browser)

stack_up() {
	local port
	for _ in 1 2 3; do
		port=$(free_port) || { echo "no free port"; return 1; }
		note "stack: $STACK up $INST $port test"
		if "$STACK" up "$INST" "$port" test; then
			return 0
		fi
		# Another run may have taken the port in between: try another.
		grep -q 'Address already in use' "$INST/log/nginx-error.log" \
		    2>/dev/null || return 1
		: >"$INST/log/nginx-error.log"
	done
	return 1
}

STACK_UP=
if [ ${#HTTP_FILES[@]} -gt 0 ] || [ ${#BROWSER_FILES[@]} -gt 0 ]; then
	if stack_up; then
		STACK_UP=1
		set -a
		# shellcheck disable=SC1091
		. "$INST/env"
		set +a
	else
		echo "the stack did not come up: counted as 1 failed"
		show_logs
		FAIL=$((FAIL + 1))
	fi
fi

# ---- 3. and 4. node --test ------------------------------------------------

NODE_ARGS=(--test --test-reporter=tap)
if node --help 2>/dev/null | grep -q -- '--test-timeout'; then
	NODE_ARGS+=(--test-timeout=180000)
fi
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
# Screenshots the browser tests take of every member page and console, kept
# after the run (the instance folder is not) for people to look at.
export SHOTS=${SHOTS:-$ROOT/var/shots/test}

# node_file <suite> <file>: run one test file, add its TAP summary.
node_file() {
	local suite=$1 f=$2 out rc p fl c
	out=$OUT/$suite.$(basename "$f").out
	note "$suite: $f"
	# In the background so that an interrupt can stop it (and the test
	# processes node starts, in timeout's process group); tail shows
	# the output as it comes.
	: >"$out"
	timeout -k 10 "$FILE_TIMEOUT" node "${NODE_ARGS[@]}" "$f" >"$out" 2>&1 &
	CHILD=$!
	tail -s 0.2 --pid="$CHILD" -n +1 -f "$out" &
	TAIL=$!
	wait "$CHILD"
	rc=$?
	wait "$TAIL"
	CHILD=''
	TAIL=''
	p=$(grep -E '^# pass [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
	fl=$(grep -E '^# fail [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
	c=$(grep -E '^# cancelled [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
	if [ -z "$p" ] || [ -z "$fl" ]; then
		if [ "$rc" -eq 124 ]; then
			echo "$f: timed out after $FILE_TIMEOUT s: counted as 1 failed"
		else
			echo "$f: no TAP summary (exit $rc): counted as 1 failed"
		fi
		FAIL=$((FAIL + 1))
		return
	fi
	PASS=$((PASS + p))
	FAIL=$((FAIL + fl + ${c:-0}))
	if [ "$rc" -ne 0 ] && [ "$fl" -eq 0 ] && [ "${c:-0}" -eq 0 ]; then
		echo "$f: exit $rc with nothing failed: counted as 1 failed"
		FAIL=$((FAIL + 1))
	fi
}

if [ -n "$STACK_UP" ]; then
	for f in "${HTTP_FILES[@]}"; do
		node_file http "$f"
	done
	for f in "${BROWSER_FILES[@]}"; do
		node_file browser "$f"
	done
fi

if [ "${FAIL}" -gt 0 ] && [ -n "$STACK_UP" ]; then
	note "server logs"
	for f in "$INST"/log/app.log "$INST"/log/nginx-error.log; do
		[ -s "$f" ] || continue
		echo "---- last lines of $f"
		tail -n 30 "$f"
	done
fi

# ---- 5. sanitizer reports -------------------------------------------------

# After the stack is down: workers check for leaks as they stop.
if [ -d "$INST" ]; then
	"$STACK" down "$INST" || true
fi
note "sanitizer reports"
n=0
for f in "$INST"/log/asan.* "$INST"/log/ubsan.*; do
	[ -s "$f" ] || continue
	echo "---- $f"
	head -n 100 "$f"
	n=$((n + 1))
done
for f in "$INST"/log/*.log; do
	[ -s "$f" ] || continue
	c=$(count "$f" ': runtime error: |^==[0-9]+==ERROR: ')
	[ "$c" -gt 0 ] || continue
	echo "---- $f: $c report(s)"
	grep -E -A 12 ': runtime error: |^==[0-9]+==ERROR: ' "$f" | head -n 200
	n=$((n + c))
done
if [ "$n" -gt 0 ]; then
	echo "$n sanitizer report(s): counted as $n failed"
	FAIL=$((FAIL + n))
else
	echo "none"
fi

note "done"
finish
