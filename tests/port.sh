# shellcheck shell=bash
# Shared by tests/run.sh and tests/bench/lib.sh (sourced; bash).
#
# free_port: prints a TCP port in 20000-29999 that nothing on 127.0.0.1
# listens on, or fails after 100 tries.
free_port() {
	local p i
	for ((i = 0; i < 100; i++)); do
		p=$((20000 + RANDOM % 10000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# stack_cleanup: on exit, once: the instance INST down ($STACK) and
# removed (KEEP=1 keeps it), and SCRATCH when the script has one
CLEANED=
stack_cleanup() {
	[ -n "$CLEANED" ] && return
	CLEANED=1
	# Another Ctrl-C must not cut the shutdown short (stack.sh inherits
	# the ignored signals).
	trap '' INT TERM
	if [ -d "$INST" ]; then
		"$STACK" down "$INST" || true
		if [ "${KEEP:-}" = 1 ]; then
			echo "instance kept in $INST"
		else
			rm -rf "$INST"
		fi
	fi
	[ -z "${SCRATCH:-}" ] || rm -rf "$SCRATCH"
}
