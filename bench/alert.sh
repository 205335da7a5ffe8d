#!/bin/sh
# alert.sh - malert evaluating 1,000 rules over 10,000 live series, and
# Prometheus evaluating the same rules over the same samples.
#
# usage: sh bench/alert.sh BUILD_DIR
#
# 10,000 series (a gauge g and a counter c, 100 hosts x 50), a sample
# every 15 s for the last 10 minutes, held by an mstore writer that is
# still running (its log, the live read path).  1,000 alerting rules: 400
# thresholds of one host's gauges, 300 rates of one host's counters, 300
# aggregations by host.  mtk: the wall time of one 'malert -r' run on
# core 0 (process start, rules loaded, state read and written), median of
# BENCH_ROUNDS (default 5); target 1 s.  Prometheus: the same samples as
# blocks (promtool tsdb create-blocks-from openmetrics), the rules in one
# group evaluated every 10 s on core 1 (GOMAXPROCS=1), and its own
# prometheus_rule_group_last_duration_seconds, median of its evaluations.
set -eu
build=${1:-build}
bin=$build/bin
rounds=${BENCH_ROUNDS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-alert.XXXXXX")
wpid= ppid=
cleanup() {
	exec 9>&- 2>/dev/null || true
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	[ -n "$ppid" ] && kill "$ppid" 2>/dev/null && wait "$ppid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/common.sh"

now=$(date +%s)
# The samples: 41 rounds, 15 s apart, ending now.
awk -v now="$now" 'BEGIN {
	for (r = 40; r >= 0; r--) {
		t = (now - r * 15) * 1000
		for (h = 0; h < 100; h++)
			for (i = 0; i < 50; i++) {
				printf "{\"name\":\"g\",\"value\":%d,\"ts\":%.0f,\"labels\":{\"host\":\"h%d\",\"i\":\"%d\"}}\n", (h * 7 + i * 3 + r) % 10, t, h, i
				printf "{\"name\":\"c\",\"type\":\"counter\",\"value\":%d,\"ts\":%.0f,\"labels\":{\"host\":\"h%d\",\"i\":\"%d\"}}\n", (40 - r) * (i + 1), t, h, i
			}
	}
}' >"$tmp/in.jsonl"
{
	echo "groups:"
	echo "  - name: bench"
	echo "    interval: 10s"
	echo "    rules:"
	awk 'BEGIN {
		for (k = 0; k < 1000; k++) {
			h = k % 100
			if (k < 400)
				printf "      - alert: Gauge%d\n        expr: g{host=\"h%d\"} > 7\n        for: 1m\n", k, h
			else if (k < 700)
				printf "      - alert: Rate%d\n        expr: rate(c{host=\"h%d\"}[5m]) > 0.1\n", k, h
			else
				printf "      - alert: Avg%d\n        expr: avg by (host) (g{host=\"h%d\"}) > 4\n        labels:\n          summary: \"{{ $labels.host }} {{ $value | humanize }}\"\n", k, h
		}
	}'
} >"$tmp/rules.yml"
"$bin/malert" lint "$tmp/rules.yml" >/dev/null
echo "data: 10,000 series x 41 samples, 1,000 rules"

# --- malert, over a running writer ---
"$bin/mstore" init -d "$tmp/s"
mkfifo "$tmp/fifo"
"$bin/mstore" -d "$tmp/s" <"$tmp/fifo" &
wpid=$!
exec 9>"$tmp/fifo"
cat "$tmp/in.jsonl" >&9
settle "$tmp/s/raw" 1
for r in $(seq "$rounds"); do
	taskset -c 0 "$build/bench/rusage" "$bin/malert" -r "$tmp/rules.yml" \
		-d "$tmp/s" --state "$tmp/state.json" >"$tmp/events.$r" 2>"$tmp/a.$r"
	wall "$tmp/a.$r"
done | median >"$tmp/malert.wall"
fired=$(grep -c '"status":"firing"' "$tmp/events.1" || true)

# --- Prometheus, the same samples and rules ---
if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
	"$bin/mquery" -d "$tmp/s" -o openmetrics --start $((now - 700)) --end "$now" \
		'{__name__=~"g|c"}' >"$tmp/in.om"
	promtool tsdb create-blocks-from openmetrics "$tmp/in.om" "$tmp/prom" >/dev/null
	port=$(( 30000 + $$ % 20000 ))
	printf 'global:\n  scrape_interval: 1m\n  evaluation_interval: 10s\nrule_files:\n  - %s\n' \
		"$tmp/rules.yml" >"$tmp/prometheus.yml"
	GOMAXPROCS=1 taskset -c 1 prometheus --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/prom" --storage.tsdb.retention.time=100y \
		--web.listen-address=127.0.0.1:$port >"$tmp/prom.log" 2>&1 &
	ppid=$!
	i=0
	until curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null; do
		i=$((i + 1)); [ $i -lt 300 ] || { cat "$tmp/prom.log"; exit 1; }
		sleep 0.2
	done
	# Its evaluations, one every 10 s: the median of what it reports.
	for r in $(seq "$rounds"); do
		sleep 10
		curl -sf "http://127.0.0.1:$port/metrics" |
			sed -n 's/^prometheus_rule_group_last_duration_seconds{[^}]*} //p'
	done | median >"$tmp/prom.eval"
	firing=$(curl -sf "http://127.0.0.1:$port/api/v1/alerts" | grep -o '"state":"[a-z]*"' | sort | uniq -c | tr '\n' ' ')
	kill "$ppid"; wait "$ppid" 2>/dev/null || true; ppid=
fi
awk -v m="$(cat "$tmp/malert.wall")" -v p="$(cat "$tmp/prom.eval" 2>/dev/null || echo)" \
    -v f="$fired" -v pf="${firing:-}" 'BEGIN {
	printf "alert   malert, 1,000 rules over 10,000 live series: %.3f s a run (target 1 s); %d alerts fired\n", m, f
	if (p != "") printf "        prometheus, its evaluation of the group: %.3f s (%s)   malert run/prometheus evaluation %.2fx\n", p, pf, m / p
}'
