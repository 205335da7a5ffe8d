#!/bin/sh
# statsd.sh - StatsD over UDP: what mgather listen takes, and drops.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/statsd.sh [BUILD_DIR]
#
# 'mgather listen --statsd' on core 0; bench/statsd_send on core 1 sends
# COUNT packets (default 2,000,000) at RATE a second (100,000), then as
# fast as it can.  For each: the packets mgather counted, those the
# kernel dropped (mtk_statsd_packets_dropped_total), and mgather's CPU
# time per 100,000 packets.  No StatsD daemon is packaged in Debian to
# run beside it: the figures are absolute.
set -eu
build=${1:-build}
count=${COUNT:-2000000}
rate=${RATE:-100000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-statsd.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

for r in "$rate" 0; do
	# taskset execs mgather: $! is its pid, its CPU time in /proc.
	taskset -c 0 "$build/bin/mgather" listen \
		--statsd 127.0.0.1:0 --flush 1s >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	i=0
	until grep -q "statsd on" "$tmp/err"; do
		i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1
	done
	port=$(sed -n 's/.*statsd on 127.0.0.1:\([0-9]*\) .*/\1/p' "$tmp/err")
	sent=$(taskset -c 1 "$build/bench/statsd_send" "$port" "$count" "$r")
	sleep 1.5
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$pid/stat")
	kill -TERM $pid
	wait $pid || true
	pid=
	got=$(grep '"mtk_statsd_packets_total"' "$tmp/out" | tail -n 1 |
		sed 's/.*"value":\([0-9]*\),.*/\1/')
	drop=$(grep '"mtk_statsd_packets_dropped_total"' "$tmp/out" | tail -n 1 |
		sed 's/.*"value":\([0-9]*\),.*/\1/')
	awk -v r="$r" -v s="$sent" -v g="$got" -v d="$drop" -v c="$cpu" 'BEGIN {
		split(s, a, /[= ]/)
		printf "statsd: %s: %s, received %d, dropped %d, %.3f s CPU per 100,000\n",
		    r ? r " a second" : "as fast as it can", s, g, d, c / (g / 100000) }'
done
