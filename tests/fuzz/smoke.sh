#!/usr/bin/env bash
#
# Run every libFuzzer target (tests/fuzz/fuzz_*.c, built by make fuzz as
# var/build/fuzz_*) for a bounded time, starting from its seeds in
# tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/smoke.sh [filter]
#
# filter: only the targets whose name contains it.
# Environment: FUZZ_TIME (seconds per target, default 10), FUZZ_JOBS
# (targets at once, default the number of cores), FUZZ_OUT (scratch
# folder for the corpus a run grows and its logs, default
# var/fuzz/smoke.<pid>, removed afterwards unless KEEP=1).
#
# One line per target, "ok N fuzz_x ..." or "not ok N fuzz_x ..." with the
# fuzzer's report under it; an input that failed is copied to
# var/fuzz/crashes/. A target that is not built fails: this never skips.
# The last line is "fuzz: N passed, M failed"; exits non-zero when one
# failed.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT" || exit 1

FILTER=${1:-}
FUZZ_TIME=${FUZZ_TIME:-10}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
OWN_OUT=
if [ -z "${FUZZ_OUT:-}" ]; then
	FUZZ_OUT=$ROOT/var/fuzz/smoke.$$
	OWN_OUT=1
fi
CRASHES=$ROOT/var/fuzz/crashes

[[ "$FUZZ_TIME" =~ ^[0-9]+$ ]] && [ "$FUZZ_TIME" -gt 0 ] ||
    { echo "FUZZ_TIME: a number of seconds, not $FUZZ_TIME"; exit 2; }
[[ "$FUZZ_JOBS" =~ ^[0-9]+$ ]] && [ "$FUZZ_JOBS" -gt 0 ] || FUZZ_JOBS=1

# The targets are the sources: a target whose binary is missing fails.
TARGETS=()
for f in tests/fuzz/fuzz_*.c; do
	[ -e "$f" ] || continue
	t=$(basename "$f" .c)
	case "$t" in *"$FILTER"*) TARGETS+=("$t") ;; esac
done

cleanup() {
	if [ -n "$OWN_OUT" ] && [ "${KEEP:-}" != 1 ]; then
		rm -rf "$FUZZ_OUT"
	fi
}
trap cleanup EXIT
declare -A PID_OF=() RC_OF=()
trap 'trap - INT TERM; kill -TERM "${PID_OF[@]}" 2>/dev/null; wait; exit 130' \
    INT TERM

# Reports go to stderr, which is the target's log. UB aborts anyway
# (-fno-sanitize-recover); leaks are checked after every input.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# start <target>: the fuzzer in the background, its pid in PID_OF.
start() {
	local t=$1 dir=$FUZZ_OUT/$1 seeds=tests/fuzz/corpus/$1
	local args=(-max_total_time="$FUZZ_TIME" -timeout=10 -rss_limit_mb=2048
	    -print_final_stats=1 -artifact_prefix="$dir/" "$dir/corpus")
	mkdir -p "$dir/corpus"
	[ -f "tests/fuzz/$t.dict" ] && args+=(-dict="tests/fuzz/$t.dict")
	# New inputs go to the first folder, the scratch one: the seeds in
	# the tree are only read.
	[ -d "$seeds" ] && args+=("$seeds")
	"var/build/$t" "${args[@]}" >"$dir.log" 2>&1 &
	PID_OF[$t]=$!
}

# reap: wait for one fuzzer, its status in RC_OF.
reap() {
	local pid rc t
	wait -n -p pid
	rc=$?
	if [ -z "${pid:-}" ]; then
		# nothing left to wait for (cannot happen): do not spin
		for t in "${!PID_OF[@]}"; do
			RC_OF[$t]=$rc
		done
		PID_OF=()
		return
	fi
	for t in "${!PID_OF[@]}"; do
		if [ "${PID_OF[$t]}" = "$pid" ]; then
			RC_OF[$t]=$rc
			unset "PID_OF[$t]"
		fi
	done
}

mkdir -p "$FUZZ_OUT"
for t in "${TARGETS[@]}"; do
	[ -x "var/build/$t" ] || continue
	while [ "${#PID_OF[@]}" -ge "$FUZZ_JOBS" ]; do
		reap
	done
	start "$t"
done
while [ "${#PID_OF[@]}" -gt 0 ]; do
	reap
done

pass=0 fail=0 n=0
for t in "${TARGETS[@]}"; do
	n=$((n + 1))
	log=$FUZZ_OUT/$t.log
	if [ ! -x "var/build/$t" ]; then
		echo "not ok $n $t: var/build/$t missing (make fuzz)"
		fail=$((fail + 1))
		continue
	fi
	rc=${RC_OF[$t]:-?}
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" |
	    tail -n 1 | sed 's/DONE *//')
	if [ "$rc" = 0 ]; then
		echo "ok $n $t: ${runs:-?} inputs in ${FUZZ_TIME} s${cov:+, $cov}"
		pass=$((pass + 1))
		continue
	fi
	echo "not ok $n $t: exit $rc"
	fail=$((fail + 1))
	echo "---- $log (last 80 lines)"
	tail -n 80 "$log"
	mkdir -p "$CRASHES"
	for a in "$FUZZ_OUT/$t"/crash-* "$FUZZ_OUT/$t"/leak-* \
	    "$FUZZ_OUT/$t"/timeout-* "$FUZZ_OUT/$t"/oom-*; do
		[ -e "$a" ] || continue
		cp "$a" "$CRASHES/$t-$(basename "$a")"
		echo "input kept: $CRASHES/$t-$(basename "$a")" \
		    "(again: var/build/$t $CRASHES/$t-$(basename "$a"))"
	done
done

echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
