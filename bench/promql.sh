#!/bin/sh
# promql.sh - mquery against Prometheus' HTTP API on the same data.
#
# usage: sh bench/promql.sh BUILD_DIR
#
# Generates BENCH_SAMPLES (default 10,000,000) samples of 1,209 series at
# 15 s (gen -b: node_exporter-like series and a latency histogram per
# host), ending at a fixed time, loads them into an mtk store and, through
# `mquery -o openmetrics` and promtool, into a Prometheus started on
# 127.0.0.1; then times typical dashboard queries as 24 h range queries at
# a 1 m step, and full-range instant aggregations: over the 64 CPU series
# of each host (69% of all samples), and over every sample (target: 0.5 s
# for 10 M samples).
# mquery runs pinned to one core; Prometheus answers over HTTP with its
# defaults.  Medians of BENCH_ROUNDS (default 3); both answers are checked
# to have the same number of series.
set -eu
build=${1:-build}
bin=$build/bin
tools=$build/bench
n=${BENCH_SAMPLES:-10000000}
rounds=${BENCH_ROUNDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-promql.XXXXXX")
prom_pid=
cleanup() {
	[ -n "$prom_pid" ] && kill "$prom_pid" 2>/dev/null && wait "$prom_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
	echo "promql: prometheus not installed, skipped"
	exit 0
fi
. "$(dirname "$0")/common.sh"
now_s() { date +%s.%N; }

end=1767225600				# 2026-01-01T00:00:00Z
series=$(( 13 * (79 + 14) ))		# gen -b: per host, 79 series and 14 of the histogram
span=$(( n / series * 15 ))
start=$(( end - span ))
"$tools/gen" -b -H 13 -n "$n" -t $(( start * 1000 )) >"$tmp/in.jsonl"
"$bin/mstore" init -d "$tmp/s" --retention raw=100000d
"$bin/mstore" -d "$tmp/s" <"$tmp/in.jsonl"
"$bin/mquery" -d "$tmp/s" -o openmetrics --start 0 --end 4102444800 '{__name__=~".+"}' >"$tmp/in.om"
rm -f "$tmp/in.jsonl"
promtool tsdb create-blocks-from openmetrics "$tmp/in.om" "$tmp/prom" >/dev/null
rm -f "$tmp/in.om"
port=$(( 30000 + $$ % 20000 ))
printf 'global:\n  scrape_interval: 1m\n' >"$tmp/prometheus.yml"
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
	--storage.tsdb.retention.time=100y --query.max-samples=100000000 \
	--web.listen-address=127.0.0.1:$port >"$tmp/prom.log" 2>&1 &
prom_pid=$!
i=0
until curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null; do
	i=$((i + 1)); [ $i -lt 300 ] || { cat "$tmp/prom.log"; exit 1; }
	sleep 0.2
done
echo "data: $n samples, $series series, $((span / 3600)) h ending $(date -u -d @$end +%FT%TZ)"

# run MODE QUERY [TITLE]: MODE "range" (last 24 h, 1 m step) or "instant".
run() {
	q=$2; mode=$1; title=${3:-$2}
	if [ "$mode" = range ]; then
		qs="start=$((end - 86400))&end=$end&step=60"
		margs="--start $((end - 86400)) --end $end --step 1m"
		api=query_range
	else
		qs="time=$end"; margs="--time $end"; api=query
	fi
	for r in $(seq "$rounds"); do
		t0=$(now_s)
		# shellcheck disable=SC2086
		taskset -c 0 "$bin/mquery" -d "$tmp/s" -o prom-json $margs "$q" >"$tmp/m.json"
		t1=$(now_s)
		awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
	done | median >"$tmp/mt"
	for r in $(seq "$rounds"); do
		t0=$(now_s)
		curl -sf --data-urlencode "query=$q" "http://127.0.0.1:$port/api/v1/$api?$qs" >"$tmp/p.json"
		t1=$(now_s)
		awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
	done | median >"$tmp/pt"
	ms=$(grep -o '"metric"' "$tmp/m.json" | wc -l)
	ps=$(grep -o '"metric"' "$tmp/p.json" | wc -l)
	awk -v m="$(cat "$tmp/mt")" -v p="$(cat "$tmp/pt")" -v mode="$mode" \
	    -v ms="$ms" -v ps="$ps" -v q="$title" 'BEGIN {
		printf "%-7s mquery %6.3f s  prometheus %6.3f s  %5.1fx  series %d/%d  %s\n",
		    mode, m, p, p / m, ms, ps, q }'
}

run range 'sum by (host) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))'
run range 'topk(5, rate(node_network_receive_bytes_total[5m]))'
run range 'avg_over_time(node_load1[1h])'
run range 'max by (host) (node_memory_MemAvailable_bytes)'
run range 'sum(rate(node_network_transmit_bytes_total[5m])) by (device)'
run range 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))'
run instant "sum(sum_over_time(node_cpu_seconds_total[$((span + 60))s]))"
# Every sample: count_over_time() drops the metric name, so series of
# different names would collide in one vector; one term per name.
all=$("$bin/mquery" -d "$tmp/s" --start 0 --end 4102444800 --label-values=__name__ |
	awk -v r=$((span + 60)) '{ printf "%ssum(count_over_time(%s[%ds]))", (NR > 1 ? " + " : ""), $0, r }')
run instant "$all" "sum(count_over_time(NAME[$((span + 60))s])) + ... for all $(echo "$all" | grep -o count_over_time | wc -l) names"
# That last one counts every sample: check the count, and the target.
got=$(sed -n 's/.*"value":\[[0-9.]*,"\([0-9]*\)"\].*/\1/p' "$tmp/m.json")
awk -v t="$(cat "$tmp/mt")" -v n="$n" -v got="$got" 'BEGIN {
	printf "all samples: %d counted (of %d) in %.3f s, target 0.5 s for 10 M: %s\n",
	    got, n, t, t * 1e7 / n <= 0.5 ? "met" : "MISSED" }'
