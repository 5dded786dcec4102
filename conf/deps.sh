#!/usr/bin/env bash
#
# Install the Debian packages the project needs, only those missing.
#
#   conf/deps.sh          build, run and test (make deps), clang included:
#                         make test builds and runs the fuzz targets
#   conf/deps.sh --fuzz   clang and its libFuzzer runtime alone (make fuzz)
#   conf/deps.sh --lint   clang-format and cppcheck (make lint)
#
# Fast when everything is there: one dpkg-query, no apt-get update.
# As root it installs with apt-get; otherwise it names what to install
# and fails.

set -euo pipefail

case "${1:-}" in
--fuzz)
	want=(clang libclang-rt-dev)
	;;
--lint)
	want=(clang-format cppcheck)
	;;
"")
	want=(gcc make pkg-config
	    libfcgi-dev libfcgi-bin libcjson-dev libmariadb-dev
	    libqrencode-dev libsodium-dev libpng-dev libjpeg-dev
	    libcurl4-openssl-dev libssl-dev openssl
	    mariadb-server mariadb-client
	    curl wrk chromium zbar-tools fonts-wqy-microhei
	    clang libclang-rt-dev)
	;;
*)
	echo "usage: $0 [--fuzz|--lint]" >&2
	exit 2
	;;
esac

installed() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null |
	    grep -q '^ii'
}

missing=()
for p in "${want[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ -z "${1:-}" ]; then
	# Any flavour of nginx will do.
	nginx_ok=
	for p in nginx-light nginx-core nginx-full nginx-extras nginx; do
		if installed "$p" && [ -x /usr/sbin/nginx ]; then
			nginx_ok=1
			break
		fi
	done
	[ -n "$nginx_ok" ] || missing+=(nginx)
	# Node.js (with npm) may come from elsewhere than Debian.
	command -v node >/dev/null || missing+=(nodejs)
	command -v npm >/dev/null || missing+=(npm)
fi

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing Debian packages: ${missing[*]}" >&2
	echo "install them as root: apt-get install --no-install-recommends" \
	    "${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing: ${missing[*]}"

# Packages such as mariadb-server and nginx start their system service
# when installed; the project runs its own servers, so keep those off.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 0755 "$policy"
	made_policy=1
fi
cleanup() {
	if [ -n "$made_policy" ]; then
		rm -f "$policy"
	fi
}
trap cleanup EXIT

apt-get update -q

resolved=()
for p in "${missing[@]}"; do
	case "$p" in
	nginx)
		# nginx-light is the smallest build that has what we use;
		# newer Debian releases have only nginx.
		if apt-cache show nginx-light >/dev/null 2>&1; then
			p=nginx-light
		fi
		;;
	esac
	resolved+=("$p")
done

apt-get install -y -q --no-install-recommends "${resolved[@]}"
