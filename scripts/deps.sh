#!/bin/sh
# Install the Debian packages mtk needs, when missing.
#
# usage: sh scripts/deps.sh [build|test|bench|fuzz|fresh]
#
# "build" (the default) covers compiling; "test" adds what 'make check'
# runs against (prove, mandoc, the real node_exporter and Prometheus used
# as peers, zsh and fish to check their completions);
# "bench" adds the peers the benchmarks measure against; "fuzz" adds
# clang and its libFuzzer and sanitizer runtimes for 'make fuzz';
# "fresh" is what 'make check-fresh' needs to make a Debian root
# (debootstrap).  Run as root, the missing packages are installed with
# apt-get; otherwise the exact command is printed and the script fails.
set -eu

build_pkgs="gcc make pkg-config libjansson-dev libarchive-dev libreadline-dev libzstd-dev libxxhash-dev libpcre2-dev libyaml-dev libcurl4-openssl-dev libmicrohttpd-dev zlib1g-dev libprotobuf-c-dev protobuf-c-compiler libsnappy-dev"
test_pkgs="perl mandoc prometheus-node-exporter prometheus prometheus-alertmanager prometheus-pushgateway victoria-metrics influxdb graphite-carbon procps curl jq openssl zstd zsh fish libxml2-utils tmux librsvg2-bin chromium"
bench_pkgs="prometheus-node-exporter hyperfine procps curl victoria-metrics prometheus rrdtool perl"
fuzz_pkgs="clang libclang-rt-14-dev"
fresh_pkgs="debootstrap git"

case "${1:-build}" in
build) want="$build_pkgs" ;;
test)  want="$build_pkgs $test_pkgs" ;;
bench) want="$build_pkgs $bench_pkgs" ;;
fuzz)  want="$build_pkgs $fuzz_pkgs" ;;
fresh) want="$fresh_pkgs" ;;
*)     echo "usage: sh scripts/deps.sh [build|test|bench|fuzz|fresh]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	case " $missing " in *" $p "*) continue ;; esac
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists; update once on failure.
# shellcheck disable=SC2086
if ! apt-get install -y --no-install-recommends $missing >/dev/null 2>&1; then
	apt-get update >/dev/null
	apt-get install -y --no-install-recommends $missing >/dev/null
fi
