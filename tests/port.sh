# shellcheck shell=bash
# free_port (sourced; bash), for tests/run.sh and tests/bench/lib.sh:
# prints a TCP port in 20000-29999 that nothing on 127.0.0.1 listens on,
# or fails after 100 tries.
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
