#!/usr/bin/env bash
#
# Benchmarks: a throwaway stack (APP_ENV=test), wrk scenarios against it,
# a table of the results and the app workers' memory.
#
#   tests/bench/run.sh
#
# Environment: DURATION (wrk -d, default 10s), THREADS (-t, 2),
# CONNECTIONS (-c, 32), WARMUP (a discarded run first, default 2s; 0 for
# none), APP_WORKERS (default 2 per core), MEMBERS (default 10000),
# KEEP=1 (keep the instance directory), SCENARIOS (names to run, separated
# by spaces, e.g. "card healthz"; livez always runs, as the baseline),
# LIST_MEMBERS (members seeded for the member-list scenarios, default
# 1000000), LIST_DURATION and LIST_CONNECTIONS (theirs: 5s, APP_WORKERS),
# PAIRS and PAIR_DURATION (the card against livez in alternating rounds,
# default 5 of 3s; PAIRS=0 for none), ORDER_COUPONS (coupons given to
# each member that orders, one an order: default 16; MEMBERS at most
# 99999, the coupon codes hold five digits of the member), TIER_MEMBERS
# (members of the tier review, default 100000; "tier-review" in SCENARIOS),
# DB_BUFFER_POOL (MariaDB's buffer pool, default auto: conf/stack.sh).
#
# The order figures, under the table: order-quote against livez, and
# order-commit against the same transaction run by var/build/order_raw
# straight against MariaDB (tests/bench/order_raw.c), with what each
# costs the database in statements.
#
# Add a scenario: a Lua script here that loads common.lua, then a line in
# the "scenarios" part below:
#   scenario <name> <script.lua> <path> [more wrk options]
# Data a scenario needs is made in the "setup" part, with the app's own
# commands or with api (curl) calls. A scenario fails when any response
# was not 2xx: errors are fast and would pass for throughput.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT" || exit 1

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WARMUP=${WARMUP:-2s}
MEMBERS=${MEMBERS:-10000}
INST=$ROOT/var/bench.$$
STACK=$ROOT/conf/stack.sh
APP=${APP_BIN:-$ROOT/var/build/app}

export APP_ENV=test
# the buffer pool from the machine's memory, as make run has it, not the
# small one of test instances: the member list's million must fit
export DB_BUFFER_POOL=${DB_BUFFER_POOL:-auto}
export APP_WORKERS=${APP_WORKERS:-$((2 * $(nproc 2>/dev/null || echo 1)))}
export BENCH_LUA_DIR=$ROOT/tests/bench

# stack_cleanup, free_port, api, staff_token, sql, field, line_rps, ratio,
# rate, median
# shellcheck source=tests/bench/lib.sh
. "$ROOT/tests/bench/lib.sh"
trap stack_cleanup EXIT
trap 'echo interrupted; exit 130' INT TERM

command -v wrk >/dev/null || { echo "wrk not found (make deps)"; exit 1; }



PORT=$(free_port) || { echo "no free port"; exit 1; }
if ! "$STACK" up "$INST" "$PORT" test; then
	echo "the stack did not come up"
	exit 1
fi
set -a
# shellcheck disable=SC1091
. "$INST/env"
set +a


# ---- results --------------------------------------------------------------

NAMES=()
RPS=()
P99=()
BAD=()
NOTE=()
FAILED=0
LIVEZ_RPS=

# wanted <name>: whether SCENARIOS (when set) names it, or its group
# (members-search for members-search-card: the name up to its last dash)
wanted() {
	[ -z "${SCENARIOS:-}" ] || [ "$1" = livez ] ||
	    [[ " $SCENARIOS " == *" $1 "* ]] ||
	    [[ " $SCENARIOS " == *" ${1%-*} "* ]]
}

# scenario <name> <script.lua> <path> [wrk options]
scenario() {
	local name=$1 lua=$2 path=$3 out line req bad p99 rps sock
	shift 3
	wanted "$name" || return 0
	out=$INST/log/bench-$name.out
	echo
	echo "==== $name: $path ($lua, $THREADS threads, $CONNECTIONS connections, $DURATION)"
	if [ "$WARMUP" != 0 ]; then
		wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" \
		    -s "$BENCH_LUA_DIR/$lua" "$BASE_URL$path" >/dev/null 2>&1
	fi
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" \
	    -s "$BENCH_LUA_DIR/$lua" "$BASE_URL$path" 2>&1 | tee "$out"
	line=$(grep '^BENCH ' "$out" | tail -n 1)
	NAMES+=("$name")
	if [ -z "$line" ]; then
		RPS+=("-") P99+=("-") BAD+=("-") NOTE+=("FAILED: wrk gave no result")
		FAILED=$((FAILED + 1))
		return
	fi
	req=$(field "$line" requests)
	bad=$(field "$line" non2xx)
	p99=$(field "$line" p99_us)
	sock=$(($(field "$line" connect) + $(field "$line" read) +
	    $(field "$line" write) + $(field "$line" timeout)))
	rps=$(line_rps "$line")
	RPS+=("$rps")
	P99+=("$(awk -v u="$p99" 'BEGIN { printf "%.2fms", u / 1000 }')")
	BAD+=("$bad")
	if [ "$bad" -gt 0 ]; then
		NOTE+=("FAILED: $bad responses not 2xx")
		echo "error: $name: $bad of $req responses were not 2xx"
		FAILED=$((FAILED + 1))
	elif [ "$sock" -gt 0 ]; then
		NOTE+=("$sock socket errors")
	else
		NOTE+=("ok")
	fi
	if [ "$name" = livez ] && [ "$bad" -eq 0 ]; then
		LIVEZ_RPS=$rps
	fi
}

# skip <name> <reason>
skip() {
	echo
	echo "==== $1: skipped: $2"
	NAMES+=("$1") RPS+=("-") P99+=("-") BAD+=("-") NOTE+=("skipped: $2")
}






# ---- setup ----------------------------------------------------------------

TOKENS=$INST/tokens.txt
CARD_OK=
echo
echo "==== setup: $MEMBERS signed-in members of demo"
if "$APP" bench-members demo "$MEMBERS" "$TOKENS" &&
    [ -s "$TOKENS" ]; then
	CARD_OK=1
	echo "$(wc -l <"$TOKENS") tokens in $TOKENS"
else
	echo "app bench-members failed: the card scenario is skipped"
fi

# A live campaign page with two coupons, as a visitor from a share sees it.
CAMPAIGN_OK=
echo
echo "==== setup: a live campaign page"
MKT=$(staff_token marketing)
if [ -n "$MKT" ]; then
	tpl() {
		curl -fsS -X POST -H 'Content-Type: application/json' \
		    -H "Authorization: Bearer $MKT" --data-binary "$1" \
		    "$BASE_URL/api/v1/m/demo/staff/coupon-templates" |
		    sed -n 's/^{"data":{"id":\([0-9]*\).*/\1/p'
	}
	T1=$(tpl '{"name":"满50减10","kind":"threshold","value_fen":1000,"threshold_fen":5000,"stock":100000,"per_member_limit":1,"valid_days":30,"status":"active"}')
	T2=$(tpl '{"name":"9折券","kind":"discount","discount_pct":90,"stock":null,"per_member_limit":1,"valid_days":30,"status":"active"}')
	if [ -n "$T1" ] && [ -n "$T2" ] && curl -fsS -o /dev/null -X POST \
	    -H 'Content-Type: application/json' -H "Authorization: Bearer $MKT" \
	    --data-binary "{\"name\":\"会员日\",\"slug\":\"bench-day\",\"starts_at\":\"2020-01-01T00:00:00+08:00\",\"ends_at\":\"2099-01-01T00:00:00+08:00\",\"template_ids\":[$T1,$T2],\"rules_text\":\"每人限领一张\",\"share\":{\"title\":\"会员日\",\"desc\":\"来领券\"}}" \
	    "$BASE_URL/api/v1/m/demo/staff/campaigns"; then
		CAMPAIGN_OK=1
	fi
fi
[ -n "$CAMPAIGN_OK" ] || echo "campaign setup failed: the campaign scenario is skipped"

# ---- scenarios ------------------------------------------------------------

WALLET_OK=

scenario livez livez.lua /livez
# one database round trip (SELECT 1): the floor of any scenario that asks
# the database
scenario healthz livez.lua /healthz

if [ -n "$CARD_OK" ]; then
	BENCH_TOKENS=$TOKENS scenario card card.lua /api/v1/m/demo/me/card
	BENCH_TOKENS=$TOKENS scenario code-png membercode.lua \
	    /api/v1/m/demo/me/member-code.png
	BENCH_TOKENS=$TOKENS scenario code-svg membercode.lua \
	    /api/v1/m/demo/me/member-code.svg
	# balance payments: 100,000 yuan on every bench member first
	if ! wanted pay-distinct && ! wanted pay-one; then
		:
	elif "$APP" bench-wallet demo 10000000; then
		WALLET_OK=1
		BENCH_TOKENS=$TOKENS scenario pay-distinct payment.lua \
		    /api/v1/m/demo/me/payments
		BENCH_TOKENS=$TOKENS BENCH_ONE=1 scenario pay-one payment.lua \
		    /api/v1/m/demo/me/payments
	else
		skip pay-distinct "app bench-wallet failed"
	fi
else
	skip card "no member tokens (app bench-members)"
fi

# Orders (tests/bench/orders_setup.sql makes their data): a quote at the
# counter as the owner for members by phone, three catalogue lines with
# the coupons proposed, points and the balance, against livez; then
# members' own orders through nginx and the app (three lines, a coupon,
# points, the balance, each with its own Idempotency-Key), against the
# same transaction straight against MariaDB (var/build/order_raw) with
# as many threads as the app has workers, on other members.
ORDER_COUPONS=${ORDER_COUPONS:-16}
QR=()
QUOTE_RPS='' QUOTE_RAW='' QUOTE_FLOOR='' QUOTE_NOTE='' ORDER_APP='' ORDER_RAW='' ORDER_NOTE=''
# statements the server has run (Questions: each execution of a prepared
# statement, each plain query), and per request over a run
questions() {
	sql -e "SHOW GLOBAL STATUS LIKE 'Questions'" | awk '{ print $2 }'
}
per() {
	awk -v q="$1" -v n="$2" 'BEGIN { printf "%.1f", (n > 0) ? q / n : 0 }'
}
secs=${DURATION%s}
[[ "$secs" =~ ^[0-9]+$ ]] || secs=10
if ! wanted order-quote && ! wanted order-commit; then
	:
elif [ -z "$CARD_OK" ]; then
	skip order-quote "no member tokens (app bench-members)"
elif ! { [ -n "$WALLET_OK" ] || "$APP" bench-wallet demo 10000000; } ||
    ! ORDER_SET=$( { echo "SET @members = $MEMBERS, @k = $ORDER_COUPONS;"
	cat "$BENCH_LUA_DIR/orders_setup.sql"; } | sql) ||
    ! OWNER=$(staff_token owner) || [ -z "$OWNER" ]; then
	skip order-quote "order setup failed (bench-wallet, SQL or owner sign-in)"
else
	ORDER_STORE=$(sed -n 1p <<<"$ORDER_SET")
	ORDER_PRODUCTS=$(sed -n 2p <<<"$ORDER_SET")
	echo
	echo "==== setup: orders at store $ORDER_STORE, products $ORDER_PRODUCTS," \
	    "$ORDER_COUPONS coupons for each ordering member"
	export BENCH_STORE_ID=$ORDER_STORE BENCH_PRODUCTS=$ORDER_PRODUCTS \
	    BENCH_POINTS=500
	q0=$(questions)
	BENCH_STAFF_TOKEN=$OWNER BENCH_QUOTE_MEMBERS=$((MEMBERS / 2)) \
	    scenario order-quote order_quote.lua \
	    /api/v1/m/demo/staff/orders/quote
	q1=$(questions)
	if [ "${NAMES[-1]}" = order-quote ] && [ "${NOTE[-1]}" = ok ]; then
		QUOTE_RPS=${RPS[-1]}
		# the quotes of the warm-up too: nginx logged them all (and
		# writes its log within a second)
		sleep 1.5
		nq=$(grep -c 'POST /api/v1/m/demo/staff/orders/quote ' \
		    "$INST/log/nginx-access.log")
		# the quote against livez in alternating short rounds too, as
		# the card (below): livez at the start of the run is minutes
		# away on a machine whose speed drifts
		QL=() QQ=() QR=()
		if [ "${PAIRS:-5}" -gt 0 ]; then
			echo
			echo "==== order quote vs livez: ${PAIRS:-5} alternating rounds of ${PAIR_DURATION:-3s}"
		fi
		for ((i = 0; i < ${PAIRS:-5}; i++)); do
			if ! l=$(rate livez.lua /livez) ||
			    ! c=$(BENCH_STAFF_TOKEN=$OWNER \
			    BENCH_QUOTE_MEMBERS=$((MEMBERS / 2)) rate \
			    order_quote.lua /api/v1/m/demo/staff/orders/quote)
			then
				echo "error: a paired round failed (wrk, or responses not 2xx)"
				FAILED=$((FAILED + 1))
				QR=()
				break
			fi
			QL+=("$l") QQ+=("$c") QR+=("$(ratio "$c" "$l")")
			echo "round $((i + 1)): livez $l, quote $c, ratio ${QR[-1]}"
		done
		# the quote's statements alone, straight against MariaDB, as
		# many at once as the app has workers: what the database asks
		# of the machine before nginx and the app add anything
		echo
		echo "==== quote-raw: the quote's statements straight against MariaDB, $APP_WORKERS threads, ${secs}s"
		q2=$(questions)
		BENCH_TIMES=1 BENCH_STAFF_TOKEN=$OWNER \
		    "$ROOT/var/build/order_raw" --quote demo 0 \
		    $((MEMBERS / 2)) "$APP_WORKERS" "$secs" |
		    tee "$INST/log/bench-quote-raw.out"
		q3=$(questions)
		line=$(grep '^QUOTERAW ' "$INST/log/bench-quote-raw.out" | tail -n 1)
		[ "$(field "$line" errors)" = 0 ] &&
		    QUOTE_RAW=$(field "$line" orders_per_s)
		# the least any quote reads (session, member, coupons) in one
		# statement: no quote on this machine can be faster than this
		echo
		echo "==== quote-floor: a quote's least reads in one statement straight against MariaDB, $APP_WORKERS threads, ${secs}s"
		BENCH_STAFF_TOKEN=$OWNER "$ROOT/var/build/order_raw" \
		    --quote-floor demo 0 $((MEMBERS / 2)) "$APP_WORKERS" \
		    "$secs" | tee "$INST/log/bench-quote-floor.out"
		fl=$(grep '^QUOTEFLOOR ' "$INST/log/bench-quote-floor.out" |
		    tail -n 1)
		[ "$(field "$fl" errors)" = 0 ] &&
		    QUOTE_FLOOR=$(field "$fl" orders_per_s)
		QUOTE_NOTE="statements per quote: app $(per $((q1 - q0)) "$nq"),"
		QUOTE_NOTE+=" raw $(per $((q3 - q2)) "$(field "$line" orders)")"
	fi
	if wanted order-commit; then
		q0=$(questions)
		WARMUP=0 BENCH_TOKENS=$TOKENS BENCH_THREADS=$THREADS \
		    BENCH_FIRST=$((MEMBERS / 2)) BENCH_COUNT=$((MEMBERS / 4)) \
		    scenario order-commit order_commit.lua \
		    /api/v1/m/demo/me/orders
		q1=$(questions)
		out=$INST/log/bench-order-commit.out
		made=$(sed -n 's/^ORDERS created=\([0-9]*\).*/\1/p' "$out" | tail -n 1)
		bytes=$(sed -n 's/^ORDERS .*response_bytes=\([0-9]*\).*/\1/p' "$out" | tail -n 1)
		[ "${NOTE[-1]}" = ok ] && ORDER_APP=${RPS[-1]}
		echo
		echo "==== order-raw: the same transaction straight against MariaDB, $APP_WORKERS threads, ${secs}s"
		# every statement order_raw runs must be one of the app's, byte
		# for byte, or it no longer measures the app's transaction
		strings -n 8 "$APP" >"$INST/app.strings"
		missing=0
		while IFS= read -r stmt; do
			grep -qxF -- "$stmt" "$INST/app.strings" && continue
			echo "error: order_raw runs a statement the app does not have: $stmt"
			missing=$((missing + 1))
		done < <("$ROOT/var/build/order_raw" --sql)
		q2=$(questions)
		BENCH_TIMES=1 BENCH_RESPONSE_BYTES=${bytes:-3000} \
		    "$ROOT/var/build/order_raw" demo $((MEMBERS * 3 / 4)) \
		    $((MEMBERS / 4)) "$APP_WORKERS" "$secs" |
		    tee "$INST/log/bench-order-raw.out"
		q3=$(questions)
		raw_line=$(grep '^ORDERRAW ' "$INST/log/bench-order-raw.out" | tail -n 1)
		raw_n=$(field "$raw_line" orders)
		[ "$missing" -eq 0 ] && [ "$(field "$raw_line" errors)" = 0 ] &&
		    ORDER_RAW=$(field "$raw_line" orders_per_s)
		# what the database holds: every order with its coupon
		counts=$(sql -e "SELECT CONCAT(COUNT(DISTINCT o.id), ' ',
		    COUNT(a.order_id), ' ', COALESCE(SUM(SUBSTRING(mb.phone, 4) + 0 >=
		    $((MEMBERS * 3 / 4))), 0))
		    FROM orders o JOIN members mb ON mb.id = o.member_id
		    LEFT JOIN order_adjustments a ON a.order_id = o.id
		    AND a.kind = 'coupon' WHERE mb.phone LIKE '199%'
		    AND SUBSTRING(mb.phone, 4) + 0 >= $((MEMBERS / 2))
		    AND NOT EXISTS (SELECT 1 FROM payments p
		    WHERE p.order_id = o.id)")
		read -r all_o with_c raw_o <<<"$counts"
		app_o=$((all_o - raw_o))
		echo "orders: app $app_o (wrk saw ${made:-0} answered), raw $raw_o (order_raw counted ${raw_n:-0}), with a coupon $with_c of $all_o"
		if [ "$with_c" != "$all_o" ] || [ "$raw_o" != "${raw_n:-x}" ] ||
		    [ "$app_o" -lt "${made:-0}" ] ||
		    [ "$app_o" -gt $((${made:-0} + CONNECTIONS)) ]; then
			echo "error: the orders in the database are not those the runs counted"
			FAILED=$((FAILED + 1))
			ORDER_APP='' ORDER_RAW=''
		fi
		[ -n "$ORDER_RAW" ] || { echo "error: order-raw failed"; FAILED=$((FAILED + 1)); }
		ORDER_NOTE="statements per order: app $(per $((q1 - q0)) \
		    "$app_o"), raw $(per $((q3 - q2)) "${raw_n:-0}")"
	fi
fi

# The member list for staff over a million members of demo
# (tests/bench/members_setup.sql, LIST_MEMBERS of them, default 1000000,
# then members_correlate.sql: the newest one in twenty hold no balance;
# phones 170..., apart from bench-members' 199...): each kind of search
# (members-search-last4, -phone, -surname, -card) and the heaviest filters
# (members-filter: members.lua names them, among them the top tier by
# joining and count cards active, which read every member before
# migration 0029), as the owner, LIST_DURATION each (default 5s) with
# LIST_CONNECTIONS (default APP_WORKERS: every worker busy, none queueing
# in nginx, so that the latency is an answer's, not a queue's); their p50,
# p99 and rate against livez under the table. Only these (and livez):
#   SCENARIOS="members-search members-filter" MEMBERS=200 make bench
LIST_LINES=()
if ! wanted members-search-x && ! wanted members-filter; then
	:
elif ! OWNER=${OWNER:-$(staff_token owner)} || [ -z "$OWNER" ]; then
	skip members-search "no owner sign-in"
else
	echo
	echo "==== setup: ${LIST_MEMBERS:-1000000} members for the member list"
	t0=$SECONDS
	if { echo "SET @n = ${LIST_MEMBERS:-1000000};"
	    cat "$BENCH_LUA_DIR/members_setup.sql"
	    cat "$BENCH_LUA_DIR/members_correlate.sql"
	    echo "ANALYZE TABLE members;"; } | sql >/dev/null; then
		echo "seeded in $((SECONDS - t0))s"
		saved_d=$DURATION saved_c=$CONNECTIONS
		DURATION=${LIST_DURATION:-5s}
		CONNECTIONS=${LIST_CONNECTIONS:-$APP_WORKERS}
		for kind in search-last4 search-phone search-surname search-card \
		    filter; do
			wanted "members-$kind" || continue
			BENCH_STAFF_TOKEN=$OWNER BENCH_MEMBER_KIND=${kind#search-} \
			    scenario "members-$kind" members.lua \
			    /api/v1/m/demo/staff/members
			line=$(grep '^BENCH ' "$INST/log/bench-members-$kind.out" |
			    tail -n 1)
			[ -n "$line" ] && LIST_LINES+=("members-$kind: p50 $(awk -v u="$(field "$line" p50_us)" 'BEGIN { printf "%.2fms", u / 1000 }'), p99 $(awk -v u="$(field "$line" p99_us)" 'BEGIN { printf "%.2fms", u / 1000 }'), $(line_rps "$line") req/s, $(ratio "$(line_rps "$line")" "${LIVEZ_RPS:-1}") of livez")
		done
		DURATION=$saved_d CONNECTIONS=$saved_c
	else
		skip members-search "members_setup.sql failed"
	fi
fi

# The flash sale: one template, distinct members, 64 connections, through
# nginx and the app; then the same transaction straight against MariaDB
# (var/build/claim_raw) on a twin template; the ratio of the two rates.
CLAIM_APP='' CLAIM_RAW=''
if ! wanted claim; then
	:
elif [ -n "$CARD_OK" ] && [ -n "$MKT" ] && [ -x "$ROOT/var/build/claim_raw" ]; then
	stock=$((MEMBERS / 2))
	claim_tpl='{"name":"秒杀券","kind":"instant","value_fen":500,"stock":'$stock',"per_member_limit":1,"valid_days":30,"status":"active"}'
	TA=$(tpl "$claim_tpl")
	TB=$(tpl "$claim_tpl")
	WARMUP=0 CONNECTIONS=64 BENCH_TOKENS=$TOKENS BENCH_TEMPLATE=$TA \
	    BENCH_THREADS=$THREADS scenario claim claim.lua \
	    /api/v1/m/demo/coupons
	CLAIM_APP=$(sed -n 's/^CLAIM .*claims_per_s=\([0-9]*\).*/\1/p' \
	    "$INST/log/bench-claim.out" | tail -n 1)
	# wrk's rate counts the /livez filler of finished threads too
	[ "${NOTE[-1]}" = ok ] && NOTE[-1]="req/s includes filler; claims/s below"
	echo
	echo "==== claim-raw: the same transaction straight against MariaDB, 64 threads"
	"$ROOT/var/build/claim_raw" demo "$TB" 64 | tee "$INST/log/bench-claim-raw.out"
	CLAIM_RAW=$(sed -n 's/^RAW .*claims_per_s=\([0-9]*\).*/\1/p' \
	    "$INST/log/bench-claim-raw.out" | tail -n 1)
	for t in "$TA" "$TB"; do
		issued=$(MYSQL_PWD=$DB_PASSWORD mariadb --no-defaults \
		    --socket="$DB_SOCKET" --user="$DB_USER" "$DB_NAME" -N -B -e \
		    "SELECT CONCAT(COUNT(*), ' ', (SELECT stock_left FROM coupon_templates WHERE id = $t)) FROM coupons WHERE template_id = $t")
		echo "template $t: stock $stock, issued ${issued% *}, stock left ${issued#* }"
		if [ "${issued% *}" != "$stock" ] || [ "${issued#* }" != 0 ]; then
			echo "error: template $t did not issue exactly its stock"
			FAILED=$((FAILED + 1))
		fi
	done
else
	skip claim "no members, marketing sign-in or claim_raw"
fi

if [ -n "$CAMPAIGN_OK" ]; then
	# anonymous visitors (nginx keeps the page a second), then members
	# (every view rendered by the app)
	scenario campaign common.lua /m/demo/c/bench-day
	[ -n "$CARD_OK" ] && BENCH_TOKENS=$TOKENS scenario campaign-member \
	    card.lua /m/demo/c/bench-day
else
	skip campaign "no campaign (setup failed)"
fi

# The card against livez in alternating short rounds: each round's ratio
# compares two rates measured seconds apart, so a machine whose speed
# drifts during the run (a shared, noisy one) moves both alike. PAIRS
# rounds (default 5; 0 for none) of PAIR_DURATION (3s) each.
PAIR_RATIOS=()
if [ -n "$CARD_OK" ] && wanted card && [ "${PAIRS:-5}" -gt 0 ]; then
	echo
	echo "==== card vs livez: ${PAIRS:-5} alternating rounds of ${PAIR_DURATION:-3s}"
	for ((i = 0; i < ${PAIRS:-5}; i++)); do
		if ! l=$(rate livez.lua /livez) ||
		    ! c=$(BENCH_TOKENS=$TOKENS rate card.lua /api/v1/m/demo/me/card); then
			echo "error: a paired round failed (wrk, or responses not 2xx)"
			FAILED=$((FAILED + 1))
			PAIR_RATIOS=()
			break
		fi
		PAIR_RATIOS+=("$(ratio "$c" "$l")")
		echo "round $((i + 1)): livez $l, card $c, ratio ${PAIR_RATIOS[-1]}"
	done
fi

# The daily tier review (tier-review) over TIER_MEMBERS (100,000) members
# of a merchant of its own, made with SQL (tests/bench/tiers_setup.sql,
# tiers_reset.sql): a run that moves about half of them (members moved a
# second), against the next day's run, which moves none (members reviewed
# a second, the floor of any run); then the card (demo's members) while a
# review runs, against the card with no review running, in the same
# length of run.
TIER_MEMBERS=${TIER_MEMBERS:-100000}
TIER_MOVE='' TIER_IDLE='' TIER_CARD_ALONE='' TIER_CARD_DURING=''
# tier_review <day>: the run's output line; TIER_S its seconds, TIER_N the
# members it moved
tier_review() {
	local t0 t1 out
	t0=$(date +%s.%N)
	out=$("$APP" jobs run tier-review --merchant benchtier --date "$1" 2>&1)
	t1=$(date +%s.%N)
	echo "$out"
	TIER_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	TIER_N=$(sed -n 's/.*升级人数 \([0-9]*\), 降级人数 \([0-9]*\).*(done)$/\1 \2/p' <<<"$out" |
	    awk '{ print $1 + $2 }')
	[ -n "$TIER_N" ]
}
tier_day() {
	TZ=Asia/Shanghai date -d "+$1 day" +%F
}
if ! wanted tier-review; then
	:
elif ! { echo "SET @members = $TIER_MEMBERS;"
	cat "$BENCH_LUA_DIR/tiers_setup.sql" "$BENCH_LUA_DIR/tiers_reset.sql"; } |
    sql >/dev/null; then
	skip tier-review "setup failed (tests/bench/tiers_setup.sql)"
else
	echo
	echo "==== tier-review: $TIER_MEMBERS members of benchtier, a run that moves about half"
	if tier_review "$(tier_day 0)"; then
		TIER_MOVE="$TIER_N members moved in ${TIER_S}s: $(awk -v n="$TIER_N" -v s="$TIER_S" 'BEGIN { printf "%.0f", n / s }') moved/s, $(awk -v n="$TIER_MEMBERS" -v s="$TIER_S" 'BEGIN { printf "%.0f", n / s }') reviewed/s"
		move_s=$TIER_S
		echo "$TIER_MOVE"
	else
		echo "error: the review failed"
		FAILED=$((FAILED + 1))
	fi
	echo
	echo "==== tier-review: the next day's run, which moves none (min days in tier)"
	if tier_review "$(tier_day 1)"; then
		TIER_IDLE="$TIER_N moved in ${TIER_S}s: $(awk -v n="$TIER_MEMBERS" -v s="$TIER_S" 'BEGIN { printf "%.0f", n / s }') reviewed/s"
		echo "$TIER_IDLE"
	else
		echo "error: the review failed"
		FAILED=$((FAILED + 1))
	fi
	if [ -n "$CARD_OK" ] && [ -n "$TIER_MOVE" ]; then
		d=$(awk -v s="${move_s:-3}" 'BEGIN { d = int(s * 0.8); print (d < 3) ? 3 : (d > 30) ? 30 : d }')
		echo
		echo "==== card alone, then card while a review moves half of benchtier (${d}s each)"
		if TIER_CARD_ALONE=$(BENCH_TOKENS=$TOKENS PAIR_DURATION=${d}s \
		    rate card.lua /api/v1/m/demo/me/card); then
			sql <"$BENCH_LUA_DIR/tiers_reset.sql" >/dev/null
			tier_review "$(tier_day 2)" >"$INST/log/bench-tier-during.out" &
			pid=$!
			TIER_CARD_DURING=$(BENCH_TOKENS=$TOKENS \
			    PAIR_DURATION=${d}s rate card.lua \
			    /api/v1/m/demo/me/card) || TIER_CARD_DURING=''
			wait "$pid" || { echo "error: the review failed"; FAILED=$((FAILED + 1)); }
			cat "$INST/log/bench-tier-during.out"
		fi
		if [ -z "$TIER_CARD_DURING" ]; then
			echo "error: a card run failed (wrk, or responses not 2xx)"
			FAILED=$((FAILED + 1))
		else
			echo "card alone $TIER_CARD_ALONE/s, during the review $TIER_CARD_DURING/s"
		fi
	fi
fi

# Memory of the app's workers (the master's children), while they run.
master=$(cat "$INST/run/app.pid" 2>/dev/null)
sum=0 max=0 n=0
for st in /proc/[0-9]*/status; do
	ppid=$(awk '/^PPid:/ { print $2 }' "$st" 2>/dev/null)
	[ "$ppid" = "$master" ] || continue
	rss=$(awk '/^VmRSS:/ { print $2 }' "$st" 2>/dev/null)
	[ -n "$rss" ] || continue
	n=$((n + 1))
	sum=$((sum + rss))
	[ "$rss" -gt "$max" ] && max=$rss
done

# Servers down first, so that the table ends the output.
stack_cleanup
trap - EXIT

# ---- report ---------------------------------------------------------------

echo
printf '%-12s %10s %10s %8s %8s  %s\n' scenario req/s p99 ratio non-2xx result
for i in "${!NAMES[@]}"; do
	rel=-
	if [ -n "$LIVEZ_RPS" ] && [ "${RPS[$i]}" != - ] && [ "$LIVEZ_RPS" -gt 0 ]; then
		rel=$(ratio "${RPS[$i]}" "$LIVEZ_RPS")
	fi
	printf '%-12s %10s %10s %8s %8s  %s\n' "${NAMES[$i]}" "${RPS[$i]}" \
	    "${P99[$i]}" "$rel" "${BAD[$i]}" "${NOTE[$i]}"
done

if [ -n "$CLAIM_APP" ] && [ -n "$CLAIM_RAW" ] && [ "$CLAIM_RAW" -gt 0 ]; then
	echo
	echo "flash sale: app $CLAIM_APP claims/s, raw MariaDB $CLAIM_RAW claims/s, ratio $(ratio "$CLAIM_APP" "$CLAIM_RAW")"
fi
if [ -n "$QUOTE_RPS" ] && [ -n "$LIVEZ_RPS" ] && [ "$LIVEZ_RPS" -gt 0 ]; then
	echo
	if [ "${#QR[@]}" -gt 0 ]; then
		read -r qr qr_lo qr_hi <<<"$(median "${QR[@]}")"
		ql=$(median "${QL[@]}" | cut -d' ' -f1)
		echo "order quote/livez $qr (quote $(median "${QQ[@]}" | cut -d' ' -f1)/s, livez $ql/s: medians of ${#QR[@]} alternating rounds, ratios $qr_lo to $qr_hi; the table's runs $(ratio "$QUOTE_RPS" "$LIVEZ_RPS"))"
	else
		ql=$LIVEZ_RPS
		echo "order quote/livez $(ratio "$QUOTE_RPS" "$LIVEZ_RPS") (quote $QUOTE_RPS/s, livez $LIVEZ_RPS/s)"
	fi
	[ -n "$QUOTE_RAW" ] && echo "  the quote's statements alone against MariaDB: $QUOTE_RAW/s, $(ratio "$QUOTE_RAW" "$ql") of livez; $QUOTE_NOTE"
	[ -n "$QUOTE_FLOOR" ] && echo "  a quote's least reads (session, member, coupons) in one statement against MariaDB: $QUOTE_FLOOR/s, $(ratio "$QUOTE_FLOOR" "$ql") of livez (no quote here can do better)"
fi
if [ -n "$ORDER_APP" ] && [ -n "$ORDER_RAW" ] && [ "$ORDER_RAW" -gt 0 ]; then
	[ -n "$QUOTE_RPS" ] || echo
	echo "order commit/raw $(ratio "$ORDER_APP" "$ORDER_RAW") (app $ORDER_APP orders/s, raw MariaDB $ORDER_RAW orders/s)"
	echo "  $ORDER_NOTE"
fi
if [ "${#LIST_LINES[@]}" -gt 0 ]; then
	echo
	echo "member list over ${LIST_MEMBERS:-1000000} members (${LIST_CONNECTIONS:-$APP_WORKERS} connections; livez $LIVEZ_RPS req/s):"
	printf '  %s\n' "${LIST_LINES[@]}"
fi
if [ -n "$TIER_MOVE" ]; then
	echo
	echo "tier review ($TIER_MEMBERS members): $TIER_MOVE; the next day's, moving none: $TIER_IDLE"
	[ -n "$TIER_CARD_DURING" ] && echo "  card while it runs $TIER_CARD_DURING/s against $TIER_CARD_ALONE/s without it (ratio $(ratio "$TIER_CARD_DURING" "$TIER_CARD_ALONE"))"
fi
if [ "${#PAIR_RATIOS[@]}" -gt 0 ]; then
	echo
	printf '%s\n' "${PAIR_RATIOS[@]}" | sort -n | awk '
	    { v[NR] = $1 }
	    END { printf "card vs livez, %d alternating rounds: median %.3f (%.3f to %.3f)\n",
		NR, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
fi
echo
echo "app workers: $n, VmRSS sum $((sum / 1024)) MiB, max $((max / 1024)) MiB ($sum kB, $max kB)"

[ "$FAILED" -eq 0 ]
