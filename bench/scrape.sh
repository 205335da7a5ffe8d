#!/bin/sh
# scrape.sh - scraping into a store: mgather scrape | mstore against Prometheus.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/scrape.sh [BUILD_DIR]
#
# A real node_exporter's /metrics (started on 127.0.0.1, scraped once),
# COPIES times over with a label copy="N" (about 500 samples each), is
# served as a static file by python3 on core 1.  TARGETS targets (the
# same file, told apart by a label t="N" given in a file_sd targets
# file, which all read) are scraped every INTERVAL seconds into a store
# by 'mgather scrape --targets | mstore', by 'mgather scrape --store'
# and by Prometheus (into its TSDB), all on core 0, at once, for WARMUP
# then DURATION seconds.  The CPU
# time (utime + stime of /proc/PID/stat) each spent in the measured
# window over the scrapes it made there (counted from its own up
# series), in ms per scrape and per 1,000 samples; ROUNDS rounds,
# medians, and the ratios.  Knobs: COPIES (20), TARGETS (10), INTERVAL
# (2), WARMUP (10), DURATION (40), ROUNDS (3).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
copies=${COPIES:-20}
targets=${TARGETS:-10}
interval=${INTERVAL:-2}
warmup=${WARMUP:-10}
secs=${DURATION:-40}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-scrape.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

for p in prometheus-node-exporter prometheus python3 curl; do
	command -v $p >/dev/null || { echo "scrape: $p missing: skipped"; exit 0; }
done

# The body: node_exporter's, COPIES times, each sample with copy="N".
node_exporter_body "$tmp/one.prom" ||
	{ echo "scrape: node_exporter did not start"; exit 1; }
mkdir "$tmp/www"
for c in $(seq "$copies"); do
	sed -e '/^#/d' -e "s/^\([a-zA-Z_:][a-zA-Z0-9_:]*\){/\1{copy=\"$c\",/" \
	    -e "s/^\([a-zA-Z_:][a-zA-Z0-9_:]*\) /\1{copy=\"$c\"} /" "$tmp/one.prom"
done >"$tmp/www/metrics"
per=$(wc -l <"$tmp/www/metrics")

sport=$(port)
(cd "$tmp/www" && exec taskset -c 1 python3 -m http.server "$sport" \
	--bind 127.0.0.1 >/dev/null 2>&1) &
pids="$pids $!"
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$sport/metrics"; do
	i=$((i + 1)); [ $i -lt 50 ] || { echo "scrape: the file server did not start"; exit 1; }
	sleep 0.1
done

# The targets, as file_sd JSON: the same address, a label t each.
{
	printf '['
	for t in $(seq "$targets"); do
		[ "$t" = 1 ] || printf ','
		printf '{"targets":["127.0.0.1:%s"],"labels":{"t":"%s"}}' "$sport" "$t"
	done
	printf ']\n'
} >"$tmp/targets.json"

# cpu PID...: their utime + stime, ms.
cpu() {
	hz=$(getconf CLK_TCK)
	for p; do cut -d' ' -f14,15 "/proc/$p/stat"; done |
		awk -v hz="$hz" '{ t += $1 + $2 } END { printf "%.0f\n", t * 1000 / hz }'
}

echo "scrape: $targets targets of $per samples (node_exporter x $copies), every ${interval}s, ${secs}s measured after ${warmup}s"
: >"$tmp/res"
for r in $(seq "$rounds"); do
	rm -rf "$tmp/s" "$tmp/d" "$tmp/prom"
	"$build/bin/mstore" init -d "$tmp/s"
	"$build/bin/mstore" init -d "$tmp/d"
	taskset -c 0 "$build/bin/mgather" scrape -i "${interval}s" --job bench \
		--targets "$tmp/targets.json" 2>"$tmp/mgather.err" |
		taskset -c 0 "$build/bin/mstore" -d "$tmp/s" 2>"$tmp/mstore.err" &
	mst=$!
	mg=$(pgrep -n -f "mgather scrape -i ${interval}s --job bench --targets")
	taskset -c 0 "$build/bin/mgather" scrape -i "${interval}s" --job direct \
		--targets "$tmp/targets.json" --store "$tmp/d" 2>"$tmp/direct.err" &
	md=$!
	pport=$(port)
	printf 'global:\n  scrape_interval: %ss\n  scrape_timeout: %ss\nscrape_configs:\n  - job_name: bench\n    file_sd_configs:\n      - files: [%s]\n' \
		"$interval" "$interval" "$tmp/targets.json" >"$tmp/prometheus.yml"
	taskset -c 0 prometheus --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/prom" \
		--web.listen-address=127.0.0.1:$pport >"$tmp/prom.log" 2>&1 &
	pr=$!
	pids="$pids $mst $md $pr"
	sleep "$warmup"
	t0=$(date +%s)
	c0m=$(cpu $mg $mst)
	c0d=$(cpu $md)
	c0p=$(cpu $pr)
	sleep "$secs"
	c1m=$(cpu $mg $mst)
	c1d=$(cpu $md)
	c1p=$(cpu $pr)
	t1=$(date +%s)
	sleep 1
	# Scrapes in the window, from each one's up series.
	np=$(curl -s "http://127.0.0.1:$pport/api/v1/query" \
		--data-urlencode "query=sum(count_over_time(up[$((t1 - t0))s]))" \
		--data-urlencode "time=$t1" | sed -n 's/.*"value":\[[^,]*,"\([0-9]*\)".*/\1/p')
	nm=$("$build/bin/mquery" -d "$tmp/s" -o csv --time "$t1" \
		"sum(count_over_time(up[$((t1 - t0))s]))" | sed -n '2s/.*,//p')
	nd=$("$build/bin/mquery" -d "$tmp/d" -o csv --time "$t1" \
		"sum(count_over_time(up[$((t1 - t0))s]))" | sed -n '2s/.*,//p')
	kill $mg $md $pr 2>/dev/null || true
	wait $mst $md $pr 2>/dev/null || true
	[ "${np:-0}" -gt 0 ] && [ "${nm:-0}" -gt 0 ] && [ "${nd:-0}" -gt 0 ] || {
		echo "scrape: no scrapes counted (prometheus '$np', mtk '$nm', '$nd')"
		cat "$tmp/prom.log" "$tmp/mgather.err" "$tmp/mstore.err" \
		    "$tmp/direct.err" | tail -20
		exit 1
	}
	echo "$((c1m - c0m)) $nm $((c1d - c0d)) $nd $((c1p - c0p)) $np" >>"$tmp/res"
	tail -1 "$tmp/res" | awk '{ printf "  round: | mstore %.2f ms/scrape (%d), --store %.2f (%d), prometheus %.2f (%d)\n", $1 / $2, $2, $3 / $4, $4, $5 / $6, $6 }'
done
mt=$(awk '{ print $1 / $2 }' "$tmp/res" | median)
dt=$(awk '{ print $3 / $4 }' "$tmp/res" | median)
pt=$(awk '{ print $5 / $6 }' "$tmp/res" | median)
awk -v m="$mt" -v d="$dt" -v p="$pt" -v per="$per" 'BEGIN {
	printf "scrape: CPU per scrape of %d samples, medians: prometheus %.2f ms (%.3f per 1,000 samples); mgather scrape | mstore %.2f ms (%.3f): %.2fx; mgather scrape --store %.2f ms (%.3f): %.2fx\n",
	    per, p, p * 1000 / per, m, m * 1000 / per, m / p, d, d * 1000 / per, d / p }'
