#!/bin/sh
# mgather.sh - CPU per pass and memory of mgather against node_exporter.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/mgather.sh [BIN_DIR]
#
# mgather: ROUNDS runs of PASSES back-to-back passes (-i 0); CPU per pass
# is the children's user+system time the shell's 'times' reports after
# each run, over PASSES.  Its RSS is read from /proc/PID/status while it
# runs at an interval.  node_exporter: started on 127.0.0.1 on a free
# port, scraped SCRAPES times with curl per round; CPU per scrape is the
# change in utime+stime of /proc/PID/stat, RSS its VmRSS and VmHWM after
# the rounds.  Medians over the rounds, and the ratios.
#
# Knobs: PASSES (default 1000), SCRAPES (200), ROUNDS (5), MGATHER_FLAGS
# (default: the default collectors), NE_FLAGS (default: node_exporter's
# defaults).
set -eu
bin=${1:-build/bin}
passes=${PASSES:-1000}
scrapes=${SCRAPES:-200}
rounds=${ROUNDS:-5}
ne=prometheus-node-exporter
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-mgather.XXXXXX")
ne_pid=
cleanup() {
	if [ -n "$ne_pid" ]; then
		kill "$ne_pid" 2>/dev/null || true
		wait "$ne_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
hz=$(getconf CLK_TCK)

# median: the median of the numbers on standard input.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "nan"
		else if (NR % 2) print v[(NR + 1) / 2]
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# status_kb PID FIELD: a field of /proc/PID/status, in kB.
status_kb() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

# cpu_ticks PID: utime + stime of PID, in clock ticks.
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# mgather: CPU per pass, in milliseconds, one line per round.
# shellcheck disable=SC2086
"$bin/mgather" ${MGATHER_FLAGS:-} >"$tmp/one.jsonl"
samples=$(wc -l <"$tmp/one.jsonl")
r=0
while [ $r -lt "$rounds" ]; do
	# shellcheck disable=SC2086
	( "$bin/mgather" ${MGATHER_FLAGS:-} -n "$passes" -i 0 >/dev/null; times ) |
	    tail -n 1 | tr 'ms' '  ' |
	    awk -v n="$passes" '{ print ($1 * 60 + $2 + $3 * 60 + $4) * 1000 / n }'
	r=$((r + 1))
done >"$tmp/mg.cpu"

# shellcheck disable=SC2086
"$bin/mgather" ${MGATHER_FLAGS:-} -i 20ms -n 100 >/dev/null &
mg_pid=$!
sleep 1
mg_rss=$(status_kb $mg_pid VmRSS)
mg_hwm=$(status_kb $mg_pid VmHWM)
wait $mg_pid

mg_cpu=$(median <"$tmp/mg.cpu")
printf 'mgather:       %s samples/pass, CPU %.3f ms/pass (median of %d x %d), RSS %d KiB, peak %d KiB\n' \
    "$samples" "$mg_cpu" "$rounds" "$passes" "$mg_rss" "$mg_hwm"

if ! command -v "$ne" >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
	echo "node_exporter: skipped ($ne or curl not installed)"
	exit 0
fi

tries=0
while [ -z "$ne_pid" ] && [ $tries -lt 10 ]; do
	tries=$((tries + 1))
	port=$(awk -v s="$$$tries" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
	# shellcheck disable=SC2086
	"$ne" --web.listen-address="127.0.0.1:$port" ${NE_FLAGS:-} >"$tmp/ne.log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 50 ] && kill -0 $pid 2>/dev/null; do
		if curl -sf "http://127.0.0.1:$port/metrics" >"$tmp/ne.txt" 2>/dev/null; then
			ne_pid=$pid
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$ne_pid" ] || { kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; }
done
if [ -z "$ne_pid" ]; then
	echo "node_exporter: did not start: $(tail -n 1 "$tmp/ne.log")"
	exit 0
fi
url=http://127.0.0.1:$port/metrics
ne_samples=$(grep -c -v '^#' "$tmp/ne.txt")

r=0
while [ $r -lt "$rounds" ]; do
	t0=$(cpu_ticks "$ne_pid")
	i=0
	while [ $i -lt "$scrapes" ]; do
		curl -sf "$url" >/dev/null
		i=$((i + 1))
	done
	t1=$(cpu_ticks "$ne_pid")
	awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$scrapes" 'BEGIN { print d / hz * 1000 / n }'
	r=$((r + 1))
done >"$tmp/ne.cpu"
ne_rss=$(status_kb "$ne_pid" VmRSS)
ne_hwm=$(status_kb "$ne_pid" VmHWM)
ne_cpu=$(median <"$tmp/ne.cpu")
printf 'node_exporter: %s samples/scrape, CPU %.3f ms/scrape (median of %d x %d), RSS %d KiB, peak %d KiB\n' \
    "$ne_samples" "$ne_cpu" "$rounds" "$scrapes" "$ne_rss" "$ne_hwm"
awk -v a="$ne_cpu" -v b="$mg_cpu" -v c="$ne_rss" -v d="$mg_rss" -v e="$ne_hwm" -v f="$mg_hwm" 'BEGIN {
	printf "ratio:         node_exporter/mgather CPU %.1fx, RSS %.1fx, peak %.1fx\n",
	    a / b, c / d, e / f }'
