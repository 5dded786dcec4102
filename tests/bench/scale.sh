#!/usr/bin/env bash
#
# make bench-scale: the staff reports and lists of a large merchant, and
# the member's card before and after it grew. A throwaway stack
# (APP_ENV=test); demo gets MEMBERS signed-in members (app bench-members,
# 10,000) and the card's rate is measured against livez; then a year of a
# large merchant is made in bulk on demo (tests/bench/scale_setup.sql:
# 1,000,000 members, 3,000,000 coupons, 1,400,000 member orders with
# their balance payments, 300,000 walk-in orders, 600,000 recharges), the
# rollups are rebuilt when the app has them (app stats rebuild), the card
# is measured again, and every route below is asked SAMPLES times in turn
# (one at a time: what one member of staff waits for) for its p50 and p99.
#
# The seed is a bulk load of a throwaway instance, and is made as one:
# MariaDB with a machine-sized buffer pool and DB_BULK=1 (conf/stack.sh:
# no redo flush at commit, no doublewrite, a large redo log), the
# secondary indexes of the loaded tables set aside and built again once
# the rows are in, the parts of scale_setup.sql that write different
# tables in sessions at once, and the rebuild of the rollups cut into
# runs of days, a process each (app stats rebuild --jobs). Each step's time is printed, and each
# statement of a second or more (MariaDB's own time).
#
#   tests/bench/scale.sh
#
# Environment: MEMBERS (the card's members, 10000), SCALE_MEMBERS
# (1000000), SCALE_COUPONS (3000000), SCALE_ORDERS (1400000),
# SCALE_WALKINS (300000), SCALE_RECHARGES (600000), SAMPLES (asks of each
# list, 20), STATS_SAMPLES (asks of each report and period, 3), PERIODS
# (the reports' periods in days, ending today: "30 366"), STATS_ROUTES
# (the reports under staff/stats/ to ask; one that answers 404 is
# skipped), PAIRS and PAIR_DURATION (the card against livez in
# alternating rounds, 5 of 3s), THREADS (2), CONNECTIONS (32), APP_WORKERS,
# REPORT_DEADLINE_MS (a report request's deadline for its statements in
# the database, the app's default 20000), REBUILD_JOBS (app stats rebuild
# --jobs: processes at once over the year, 2), REBUILD_ROUNDS (1; more:
# the year rebuilt again, in one process and in REBUILD_JOBS by turns, for
# their times), STORE_ROUTES (the reports
# also asked for one store: consumption retention coupons),
# DB_BUFFER_POOL (auto) and
# DB_BULK (1: MariaDB set for the bulk load, conf/stack.sh), KEEP=1 (keep the instance directory).
#
# Add a route: a line in LISTS below (name and path), or a name in
# STATS_ROUTES for a report that takes ?from=&to=.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT" || exit 1
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
MEMBERS=${MEMBERS:-10000}
SAMPLES=${SAMPLES:-20}
STATS_SAMPLES=${STATS_SAMPLES:-3}
PERIODS=${PERIODS:-30 366}
STATS_ROUTES=${STATS_ROUTES:-overview members consumption coupons recharges retention campaigns}
STORE_ROUTES=${STORE_ROUTES:-consumption retention coupons}
PAIRS=${PAIRS:-5}
INST=$ROOT/var/bench-scale.$$
# MariaDB's temporary files (the seed's large updates make some) beside
# the instance rather than in a /tmp that others may sweep meanwhile
SCRATCH=$INST.tmp
STACK=$ROOT/conf/stack.sh
APP=${APP_BIN:-$ROOT/var/build/app}

export APP_ENV=test
# a machine-sized buffer pool, as make bench; and MariaDB set for a bulk
# load of a throwaway instance (conf/stack.sh, DB_BULK)
export DB_BUFFER_POOL=${DB_BUFFER_POOL:-auto} DB_BULK=${DB_BULK:-1}
export APP_WORKERS=${APP_WORKERS:-$((2 * $(nproc 2>/dev/null || echo 1)))}
export BENCH_LUA_DIR=$ROOT/tests/bench

trap stack_cleanup EXIT
trap 'echo interrupted; exit 130' INT TERM

command -v wrk >/dev/null || { echo "wrk not found (make deps)"; exit 1; }
PORT=$(free_port) || { echo "no free port"; exit 1; }
mkdir -p "$SCRATCH" && export TMPDIR=$SCRATCH
"$STACK" up "$INST" "$PORT" test || { echo "the stack did not come up"; exit 1; }
set -a
# shellcheck disable=SC1091
. "$INST/env"
set +a
FAILED=0

# ---- the card at MEMBERS members ------------------------------------------

TOKENS=$INST/tokens.txt
echo
echo "==== setup: $MEMBERS signed-in members of demo"
"$APP" bench-members demo "$MEMBERS" "$TOKENS" && [ -s "$TOKENS" ] ||
    { echo "app bench-members failed"; exit 1; }

# card_rounds <label>: PAIRS alternating rounds of livez and the card;
# sets CARD (median req/s), LIVEZ (median req/s), CARD_RATIO (median of
# the rounds' ratios, with the smallest and largest)
card_rounds() {
	local i l c cs=() ls=() rs=()
	echo
	echo "==== card vs livez ($1): $PAIRS alternating rounds of ${PAIR_DURATION:-3s}"
	for ((i = 0; i < PAIRS; i++)); do
		if ! l=$(rate livez.lua /livez) ||
		    ! c=$(BENCH_TOKENS=$TOKENS rate card.lua /api/v1/m/demo/me/card); then
			echo "error: a round failed (wrk, or responses not 2xx)"
			FAILED=$((FAILED + 1))
			CARD='' LIVEZ='' CARD_RATIO=''
			return
		fi
		ls+=("$l") cs+=("$c") rs+=("$(ratio "$c" "$l")")
		echo "round $((i + 1)): livez $l, card $c, ratio ${rs[-1]}"
	done
	CARD=$(median "${cs[@]}" | cut -d' ' -f1)
	LIVEZ=$(median "${ls[@]}" | cut -d' ' -f1)
	CARD_RATIO=$(median "${rs[@]}")
}
card_rounds "$MEMBERS members"
CARD_SMALL=$CARD LIVEZ_SMALL=$LIVEZ RATIO_SMALL=$CARD_RATIO

# ---- a year of a large merchant -------------------------------------------

echo
echo "==== setup: ${SCALE_MEMBERS:=1000000} members, ${SCALE_COUPONS:=3000000} coupons," \
    "${SCALE_ORDERS:=1400000} member orders with payments, ${SCALE_WALKINS:=300000} walk-ins," \
    "${SCALE_RECHARGES:=600000} recharges over a year"
t0=$SECONDS
SETUP=$BENCH_LUA_DIR/scale_setup.sql
VARS="SET @members = $SCALE_MEMBERS, @coupons = $SCALE_COUPONS, @orders = $SCALE_ORDERS, @walkins = $SCALE_WALKINS, @recharges = $SCALE_RECHARGES;"
STEPS=()	# "name seconds" of each step, for the report

# now: seconds since the epoch, to the millisecond
now() { date +%s.%3N; }
# step <name> <start>: the step's time recorded and printed
step() {
	local s
	s=$(awk -v a="$2" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')
	STEPS+=("$1 $s")
	echo "seed step $1: ${s}s"
}
# part <name>: the lines of scale_setup.sql above its first part, then
# the part's own
part() {
	awk -v want="$1" '/^-- @part / { inpart = ($3 == want); seen = 1; next }
	    !seen || inpart' "$SETUP"
}
# run_part <name>: the part in a session of its own; MariaDB's time for
# each statement in $INST/seed-<name>.log, those of a second or more
# printed
run_part() {
	local a
	a=$(now)
	if ! { echo "$VARS"; part "$1"; } | sql -vvv >"$INST/seed-$1.log" 2>&1; then
		echo "error: part $1 of tests/bench/scale_setup.sql failed:"
		tail -n 5 "$INST/seed-$1.log"
		return 1
	fi
	awk -v p="$1" '/^--------------$/ { if (inq) inq = 0; else { inq = 1; first = "" }; next }
	    inq && first == "" { first = substr($0, 1, 60) }
	    match($0, /\(([0-9]+ (hour|hours|min) )*[0-9.]+ sec\)$/) {
		n = split(substr($0, RSTART + 1, RLENGTH - 2), w, " "); t = 0
		for (i = 1; i < n; i += 2)
			t += w[i] * (w[i + 1] ~ /^hour/ ? 3600 : w[i + 1] == "min" ? 60 : 1)
		if (t >= 1) printf "  %-9s %7.1fs  %s\n", p, t, first }' \
	    "$INST/seed-$1.log"
	step "$1" "$a"
}

# The card's insert trigger on coupons (migration 0009) would look up a
# member for each of the millions of coupons; the seed sets the card's
# counters itself in one pass, so the trigger is set aside meanwhile and
# put back as the database had it.
TRIGGERS=$INST/coupon_triggers.sql
sql --raw -e "SELECT CONCAT('CREATE TRIGGER ', TRIGGER_NAME, ' ',
    ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ON ', EVENT_OBJECT_TABLE,
    ' FOR EACH ROW ', ACTION_STATEMENT, ';')
    FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()
    AND EVENT_OBJECT_TABLE = 'coupons' AND EVENT_MANIPULATION = 'INSERT'" \
    >"$TRIGGERS" || { echo "error: reading the triggers"; exit 1; }
for t in $(sql -e "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS
    WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'coupons'
    AND EVENT_MANIPULATION = 'INSERT'"); do
	sql -e "DROP TRIGGER $t" || exit 1
done
# The secondary indexes of the tables loaded in bulk are set aside and
# built again after the load, each in one sorted pass instead of a
# million insertions (those an InnoDB foreign key needs stay: MariaDB
# refuses to drop them).
BULK_TABLES="members coupons orders payments recharges"
KEYS=$INST/scale_keys.sql
# shape <table>: the table's definition, a line each, sorted (the indexes
# built again come last) and without its next AUTO_INCREMENT
shape() {
	sql --raw -e "SHOW CREATE TABLE $1" |
	    sed 's/,$//; s/ AUTO_INCREMENT=[0-9]*//' | sort
}
a=$(now)
: >"$KEYS"
for t in $BULK_TABLES; do
	shape "$t" >"$INST/shape-$t.before"
	mapfile -t defs < <(sql --raw -e "SHOW CREATE TABLE $t" |
	    grep -E '^ +(UNIQUE )?KEY `' | sed 's/^ *//; s/,$//')
	[ "${#defs[@]}" -gt 0 ] || continue
	mapfile -t names < <(printf '%s\n' "${defs[@]}" | sed 's/^[^`]*`\([^`]*\)`.*/\1/')
	all=$(printf ', DROP KEY `%s`' "${names[@]}")
	adds=
	# all at once; when a foreign key needs one of them, one at a time
	if sql -e "ALTER TABLE $t ${all#, }" 2>/dev/null; then
		adds=$(printf ', ADD %s' "${defs[@]}")
	else
		for i in "${!defs[@]}"; do
			if sql -e "ALTER TABLE $t DROP KEY \`${names[$i]}\`" 2>/dev/null; then
				adds+=", ADD ${defs[$i]}"
			fi
		done
	fi
	[ -n "$adds" ] && echo "ALTER TABLE $t ${adds#, };" >>"$KEYS"
done
step keys-off "$a"
run_part members || exit 1
# the three parts write different tables (or different rows of orders)
pids=()
for p in coupons orders recharges; do
	run_part "$p" >"$INST/seed-$p.out" 2>&1 &
	pids+=($!)
done
a=$(now)
ok=1
for pid in "${pids[@]}"; do wait "$pid" || ok=; done
for p in coupons orders recharges; do
	cat "$INST/seed-$p.out"
	STEPS+=("$(sed -n "s/^seed step \($p\): \([0-9.]*\)s$/\1 \2/p" "$INST/seed-$p.out")")
done
[ -n "$ok" ] || exit 1
step parallel "$a"
# the indexes again, a session per table
a=$(now)
pids=()
while IFS= read -r alter; do
	sql -e "$alter" &
	pids+=($!)
done <"$KEYS"
ok=1
for pid in "${pids[@]}"; do wait "$pid" || ok=; done
[ -n "$ok" ] || { echo "error: the indexes were not built again"; exit 1; }
for t in $BULK_TABLES; do
	if ! shape "$t" | cmp -s "$INST/shape-$t.before" -; then
		echo "error: $t is not as it was before the load:"
		shape "$t" | diff "$INST/shape-$t.before" - | head -n 10
		exit 1
	fi
done
step keys-on "$a"
a=$(now)
if ! COUNTS=$( { echo "$VARS"; part end; } | sql | tail -n 1); then
	echo "error: tests/bench/scale_setup.sql (end) failed"
	exit 1
fi
step analyze "$a"
sql <"$TRIGGERS" && [ "$(sql -e "SELECT COUNT(*) FROM information_schema.TRIGGERS
    WHERE TRIGGER_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = 'coupons'
    AND EVENT_MANIPULATION = 'INSERT'")" = "$(grep -c '^CREATE TRIGGER' "$TRIGGERS")" ] ||
    { echo "error: the triggers on coupons not restored"; exit 1; }
SEED_S=$((SECONDS - t0))
SEED_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
read -r N_MEMBERS N_COUPONS N_ORDERS N_PAYMENTS N_RECHARGES <<<"$COUNTS"
echo "seeded in ${SEED_S}s: demo has $N_MEMBERS members, $N_COUPONS coupons," \
    "$N_ORDERS orders, $N_PAYMENTS payments, $N_RECHARGES recharges"

# ---- hook: the daily rollups (handlers/stats/), when the app has them -------
# The seed writes raw rows only; a build whose reports read rollups fills
# them for the seeded year here with its own command.
ROLLUP_NOTE="no rollups in this build (no app stats)"
# (the app's usage ends in a failure: pipefail must not take it for grep's)
if { "$APP" 2>&1 || true; } | grep -qE '^  stats +'; then
	from=$(TZ=Asia/Shanghai date -d '-366 day' +%F)
	to=$(TZ=Asia/Shanghai date +%F)
	echo
	jobs=${REBUILD_JOBS:-2}
	echo "==== setup: app stats rebuild --from $from --to $to --merchant demo" \
	    "--jobs $jobs"
	# each pass over the days in runs of days, a process each (the
	# command's --jobs)
	a=$(now)
	ok=1
	"$APP" stats rebuild --from "$from" --to "$to" --merchant demo \
	    --jobs "$jobs" >"$INST/rebuild.log" 2>&1 || ok=
	cat "$INST/rebuild.log"
	if [ -n "$ok" ]; then
		step rebuild "$a"
		ROLLUP_NOTE="rollups rebuilt for $from to $to in ${STEPS[-1]#* }s ($jobs runs at once)"
		# REBUILD_ROUNDS > 1: the year rebuilt again, in one process and
		# in $jobs by turns, for their times side by side
		for ((k = 2; k <= ${REBUILD_ROUNDS:-1}; k++)); do
			j=$((k % 2 == 0 ? 1 : jobs))
			a=$(now)
			"$APP" stats rebuild --from "$from" --to "$to" \
			    --merchant demo --jobs "$j" || { ok=; break; }
			step "rebuild-$k-jobs-$j" "$a"
		done
		[ -n "$ok" ] || { echo "error: a rebuild again failed"; FAILED=$((FAILED + 1)); }
		# the seed's order refunds, as the rollups count them
		read -r rf_raw rf_rollup <<<"$(sql -e "SELECT
		    (SELECT COUNT(*) FROM order_refunds f JOIN merchants m ON m.id = f.merchant_id
		    WHERE m.code = 'demo' AND f.status = 'done'),
		    (SELECT IFNULL(SUM(s.refunds), 0) FROM stats_days s JOIN merchants m ON m.id = s.merchant_id
		    WHERE m.code = 'demo')")"
		echo "order refunds: $rf_raw done, $rf_rollup in the rollups"
		if [ "$rf_raw" = 0 ] || [ "$rf_raw" != "$rf_rollup" ]; then
			echo "error: the seed's refunds are not what the rollups count"
			FAILED=$((FAILED + 1))
		fi
		# and the night's fold, as a running merchant has it: the
		# slots of the week and the unused coupons past their
		# valid_until (today's: the rebuild opens a run done before
		# again, so that it is not "done before")
		a=$(now)
		if "$APP" jobs run stats-fold --merchant demo --now |
		    tee "$INST/fold.log" && grep -q '(done)$' "$INST/fold.log"; then
			step fold "$a"
			ROLLUP_NOTE="$ROLLUP_NOTE, folded in ${STEPS[-1]#* }s"
		else
			echo "error: stats-fold failed"
			FAILED=$((FAILED + 1))
		fi
	else
		ROLLUP_NOTE="app stats rebuild failed"
		echo "error: $ROLLUP_NOTE"
		FAILED=$((FAILED + 1))
	fi
fi

card_rounds "$N_MEMBERS members"
CARD_BIG=$CARD LIVEZ_BIG=$LIVEZ RATIO_BIG=$CARD_RATIO

# ---- the routes -----------------------------------------------------------

OWNER=$(staff_token owner)
[ -n "$OWNER" ] || { echo "error: no owner sign-in"; exit 1; }
S1=$(sql -e "SELECT MIN(id) FROM stores WHERE merchant_id = (SELECT id FROM merchants WHERE code = 'demo')")
TODAY=$(TZ=Asia/Shanghai date +%F)

# The staff lists: name and path under /api/v1/m/demo.
LISTS=(
	"members /staff/members"
	"members-balance /staff/members?sort=balance&order=desc"
	"members-search /staff/members?q=17100123456"
	"orders /staff/orders"
	"orders-store /staff/orders?store_id=$S1"
	"coupon-templates /staff/coupon-templates"
	"payments /staff/payments"
)
for name in $STATS_ROUTES; do
	for d in $PERIODS; do
		LISTS+=("stats-$name-${d}d /staff/stats/$name?from=$(TZ=Asia/Shanghai date -d "-$((d - 1)) day" +%F)&to=$TODAY")
	done
done
# and the reports that take a store, for one store
for name in $STORE_ROUTES; do
	for d in $PERIODS; do
		LISTS+=("stats-$name-store-${d}d /staff/stats/$name?from=$(TZ=Asia/Shanghai date -d "-$((d - 1)) day" +%F)&to=$TODAY&store_id=$S1")
	done
done

R_NAME=() R_P50=() R_P99=() R_N=() R_NOTE=()
# ask <name> <path> <samples>: the route asked in turn, its answers timed
ask() {
	local name=$1 path=$2 n=$3 i out code t times=() codes=() bad=0 note
	out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
	    -H "Authorization: Bearer $OWNER" "$BASE_URL/api/v1/m/demo$path")
	code=${out% *}
	if [ "$code" = 404 ]; then
		echo "$name: 404, skipped (no such route in this build)"
		return
	fi
	codes+=("$code") times+=("${out#* }")
	for ((i = 1; i < n; i++)); do
		out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
		    -H "Authorization: Bearer $OWNER" "$BASE_URL/api/v1/m/demo$path")
		codes+=("${out% *}") times+=("${out#* }")
	done
	for code in "${codes[@]}"; do
		[[ "$code" == 2* ]] || bad=$((bad + 1))
	done
	note=ok
	if [ "$bad" -gt 0 ]; then
		note="$bad not 2xx: $(printf '%s\n' "${codes[@]}" | sort | uniq -c |
		    awk '{ printf "%s%s x%s", (NR > 1) ? ", " : "", $2, $1 }')"
	fi
	R_NAME+=("$name") R_N+=("$n") R_NOTE+=("$note")
	R_P50+=("$(awk -v t="$(percentile 50 "${times[@]}")" 'BEGIN { printf "%.1fms", t * 1000 }')")
	R_P99+=("$(awk -v t="$(percentile 99 "${times[@]}")" 'BEGIN { printf "%.1fms", t * 1000 }')")
	echo "$name: p50 ${R_P50[-1]}, p99 ${R_P99[-1]} ($n asks, $note)"
}

echo
echo "==== staff routes over $N_MEMBERS members, one ask at a time"
for l in "${LISTS[@]}"; do
	name=${l%% *} path=${l#* }
	case $name in
	stats-*) ask "$name" "$path" "$STATS_SAMPLES" ;;
	*) ask "$name" "$path" "$SAMPLES" ;;
	esac
done

# what MariaDB still runs once every answer is in: nothing of the reports
LEFT=$(sql -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST
    WHERE USER = '$DB_USER' AND COMMAND <> 'Sleep' AND INFO NOT LIKE '%PROCESSLIST%'")

stack_cleanup
trap - EXIT

# ---- report ---------------------------------------------------------------

echo
echo "seed: $N_MEMBERS members, $N_COUPONS coupons, $N_ORDERS orders," \
    "$N_PAYMENTS payments, $N_RECHARGES recharges in ${SEED_S}s; $ROLLUP_NOTE"
line=
for x in "${STEPS[@]}"; do line+="${line:+, }${x% *} ${x#* }s"; done
echo "seed steps: $line"
echo "machine load at the end of the seed: $SEED_LOAD"
echo
printf '%-28s %10s %10s %6s  %s\n' route p50 p99 asks result
for i in "${!R_NAME[@]}"; do
	printf '%-28s %10s %10s %6s  %s\n' "${R_NAME[$i]}" "${R_P50[$i]}" \
	    "${R_P99[$i]}" "${R_N[$i]}" "${R_NOTE[$i]}"
done
echo
echo "statements of the app still running in MariaDB after the last answer: ${LEFT:-?}"
if [ -n "$CARD_SMALL" ] && [ -n "$CARD_BIG" ]; then
	read -r rs rs_lo rs_hi <<<"$RATIO_SMALL"
	read -r rb rb_lo rb_hi <<<"$RATIO_BIG"
	echo
	echo "card at $MEMBERS members: $CARD_SMALL req/s, $rs of livez ($rs_lo to $rs_hi; livez $LIVEZ_SMALL req/s)"
	echo "card at $N_MEMBERS members: $CARD_BIG req/s, $rb of livez ($rb_lo to $rb_hi; livez $LIVEZ_BIG req/s)"
	echo "card at scale against the $MEMBERS-member run: $(ratio "$rb" "$rs") (of livez), $(ratio "$CARD_BIG" "$CARD_SMALL") (req/s)"
fi
[ "$FAILED" -eq 0 ]
