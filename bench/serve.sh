#!/bin/sh
# serve.sh - a Grafana dashboard through mquery serve and through Prometheus.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/serve.sh BUILD_DIR
#
# Generates 26 h of node_exporter-like series at 15 s for BENCH_HOSTS
# hosts (default 30: 93 series a host, 8x8 CPU counters, network
# counters, gauges and a latency histogram; gen -b), ending at
# 2026-01-01T00:00:00Z, into an mtk store that `mroll` then rolls into its
# tiers, as a user's store would be; exports the raw samples with `mquery -o
# openmetrics` and imports them with promtool into Prometheus.  Both
# servers are started on 127.0.0.1, pinned to the same core (BENCH_CORE,
# default 1): Prometheus, `mquery serve --tier auto` (a step of 1 m
# reads the 1m tier) and `mquery serve --tier raw` (the samples
# Prometheus has: what serve reads by default, --tier exact, while the
# raw tier holds the range).  bench/serve_load, on another core, loads a dashboard of ten
# panels (those of contrib/grafana/mtk-node.json on these metrics, with
# the host variable at "All", ".*", and $__rate_interval as Grafana makes
# it for a 1 m step and a 15 s scrape interval: 1m15s) as 24 h range
# queries at step=60: each query alone (GET, kept-alive), then all ten
# at once as Grafana sends them.  The first load after a server starts,
# one query after the other, is reported as cold (the page cache is
# warm for both: the data was just written; what the server keeps in
# memory is not); then BENCH_ROUNDS (default 5) loads, the servers taking
# turns, give the warm medians: per query, the dashboard one query after
# the other (the sum), and the ten at once; ratios are mtk's time over
# Prometheus'.  Answers are compared with Prometheus' (bench/serve_cmp.pl):
# from the raw tier they must agree within 1e-9; from the 1m tier the
# differences are reported, not failed.
#
# A quick run: BENCH_HOSTS=4 BENCH_ROUNDS=3 sh bench/serve.sh build
set -eu
build=${1:-build}
bin=$build/bin
tools=$build/bench
here=$(cd "$(dirname "$0")" && pwd)
hosts=${BENCH_HOSTS:-30}
rounds=${BENCH_ROUNDS:-5}
core=${BENCH_CORE:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-serve.XXXXXX")
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
# A signal (a reader of the output gone, ^C) ends the run through EXIT.
trap 'exit 1' HUP INT PIPE TERM

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
	echo "serve: prometheus not installed, skipped"
	exit 0
fi
perl -MJSON::PP -e 1 2>/dev/null || { echo "serve: perl JSON::PP missing, skipped"; exit 0; }
. "$here/common.sh"
# The servers on one core, the client on another when there is one.
if [ "$(nproc)" -gt 1 ]; then
	client_core=$(( core == 0 ? 1 : 0 ))
	client="taskset -c $client_core"
else
	client=
fi

end=1767225600				# 2026-01-01T00:00:00Z
start=$(( end - 26 * 3600 ))		# 2 h before the range: rates at its start
series=$(( hosts * (79 + 14) ))
n=$(( series * 26 * 240 ))
"$tools/gen" -b -H "$hosts" -n "$n" -t $(( start * 1000 )) >"$tmp/in.jsonl"
"$bin/mstore" init -d "$tmp/s" --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d
"$bin/mstore" -d "$tmp/s" <"$tmp/in.jsonl"
rm -f "$tmp/in.jsonl"
"$bin/mroll" --no-self-metrics -d "$tmp/s"
"$bin/mquery" -d "$tmp/s" -o openmetrics --start 0 --end 4102444800 '{__name__=~".+"}' >"$tmp/in.om"
promtool tsdb create-blocks-from openmetrics "$tmp/in.om" "$tmp/prom" >/dev/null
rm -f "$tmp/in.om"
tiers=$("$bin/mstore" stats -d "$tmp/s" | awk '$1 ~ /^(raw|1m|5m|1h)$/ { printf "%s%s %s rows", sep, $1, $4; sep = ", " }')
echo "data: $n samples, $series series ($hosts hosts), 15 s, 26 h ending $(date -u -d @$end +%FT%TZ); store tiers: $tiers"

# up NAME URL LOG: wait until the server answers.
up() {
	i=0
	until curl -sf "$2/api/v1/query?query=1" >/dev/null; do
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "serve: $1 did not start" >&2; cat "$3" >&2; exit 1; }
		sleep 0.2
	done
}
pport=$(port)
printf 'global:\n  scrape_interval: 15s\n' >"$tmp/prometheus.yml"
taskset -c "$core" prometheus --config.file="$tmp/prometheus.yml" \
	--storage.tsdb.path="$tmp/prom" --storage.tsdb.retention.time=100y \
	--query.max-samples=100000000 \
	--web.listen-address=127.0.0.1:$pport >"$tmp/prom.log" 2>&1 &
pids="$pids $!"
mport=$(port)
taskset -c "$core" "$bin/mquery" serve -d "$tmp/s" --tier auto \
	--listen 127.0.0.1:$mport 2>"$tmp/mtk.log" &
pids="$pids $!"
rport=$(port)
taskset -c "$core" "$bin/mquery" serve -d "$tmp/s" --tier raw \
	--listen 127.0.0.1:$rport 2>"$tmp/raw.log" &
pids="$pids $!"
up prometheus "http://127.0.0.1:$pport" "$tmp/prom.log"
up "mquery serve --tier auto" "http://127.0.0.1:$mport" "$tmp/mtk.log"
up "mquery serve --tier raw" "http://127.0.0.1:$rport" "$tmp/raw.log"

# The panels of contrib/grafana/mtk-node.json with these metrics.
cat >"$tmp/queries" <<'EOF'
100 * (1 - avg by (host) (rate(node_cpu_seconds_total{mode="idle",host=~".*"}[1m15s])))
sum by (mode) (rate(node_cpu_seconds_total{mode!="idle",host=~".*"}[1m15s])) / scalar(count(node_cpu_seconds_total{mode="idle",host=~".*"}))
node_load1{host=~".*"}
node_load5{host=~".*"}
node_memory_MemTotal_bytes{host=~".*"} - node_memory_MemAvailable_bytes{host=~".*"}
sum by (host, device) (rate(node_network_receive_bytes_total{host=~".*"}[1m15s]))
sum by (host, device) (rate(node_network_transmit_bytes_total{host=~".*"}[1m15s]))
max by (host) (node_hwmon_temp_celsius{host=~".*"})
histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{host=~".*"}[1m15s])))
sum by (host) (rate(http_request_duration_seconds_sum{host=~".*"}[1m15s])) / sum by (host) (rate(http_request_duration_seconds_count{host=~".*"}[1m15s]))
EOF
nq=$(wc -l <"$tmp/queries")

# load NAME PORT ROUND [DIR]: one round of serve_load, its lines tagged.
load() {
	# shellcheck disable=SC2086
	$client "$tools/serve_load" "http://127.0.0.1:$2" $((end - 86400)) $end 60 1 \
		${4:-} <"$tmp/queries" | awk -v s="$1" -v r="$3" '{ $2 = r; print s, $0 }' >>"$tmp/times"
}
: >"$tmp/times"
mkdir "$tmp/a.prom" "$tmp/a.mtk" "$tmp/a.raw"
load prom "$pport" 0 "$tmp/a.prom"
load mtk "$mport" 0 "$tmp/a.mtk"
load raw "$rport" 0 "$tmp/a.raw"
for r in $(seq "$rounds"); do
	load prom "$pport" "$r"
	load mtk "$mport" "$r"
	load raw "$rport" "$r"
done

# med SERVER KIND QUERY: the median of the warm rounds ('sum': of the
# sequential dashboard), or with KIND "coldsum" the first load's.
med() {
	case $2 in
	seq) awk -v s="$1" -v q="$3" '$1 == s && $2 == "seq" && $3 > 0 && $4 == q { print $5 }' "$tmp/times" | median ;;
	sum) awk -v s="$1" '$1 == s && $2 == "seq" && $3 > 0 { t[$3] += $5 } END { for (r in t) print t[r] }' "$tmp/times" | median ;;
	par) awk -v s="$1" '$1 == s && $2 == "par" && $3 > 0 { print $4 }' "$tmp/times" | median ;;
	coldsum) awk -v s="$1" '$1 == s && $2 == "seq" && $3 == 0 { t += $5 } END { print t }' "$tmp/times" ;;
	esac
}
# row TITLE P M R: times in ms, ratios mtk/Prometheus.
row() {
	awk -v t="$1" -v p="$2" -v m="$3" -v r="$4" 'BEGIN {
		printf "%-22s prometheus %8.1f ms  mtk %8.1f ms %5.2f  mtk raw %8.1f ms %5.2f\n",
		    t, p * 1000, m * 1000, m / p, r * 1000, r / p }'
}
echo "24 h at step=60, ms, medians of $rounds warm loads; ratios mtk/prometheus (servers on core $core)"
q=0
while IFS= read -r expr; do
	q=$((q + 1))
	row "query $q" "$(med prom seq $q)" "$(med mtk seq $q)" "$(med raw seq $q)"
done <"$tmp/queries"
row "dashboard, in turn" "$(med prom sum)" "$(med mtk sum)" "$(med raw sum)"
row "dashboard, at once" "$(med prom par)" "$(med mtk par)" "$(med raw par)"
row "cold, in turn" "$(med prom coldsum)" "$(med mtk coldsum)" "$(med raw coldsum)"

echo "answers against prometheus' (raw tier: within 1e-9; 1m tier: reported)"
q=0
bad=0
while IFS= read -r expr; do
	q=$((q + 1))
	printf 'query %d  %s\n' "$q" "$expr"
	printf '  raw: '
	perl "$here/serve_cmp.pl" 1e-9 "$tmp/a.prom/$q.json" "$tmp/a.raw/$q.json" || bad=$((bad + 1))
	printf '  1m:  '
	perl "$here/serve_cmp.pl" 1e-9 "$tmp/a.prom/$q.json" "$tmp/a.mtk/$q.json" || :
done <"$tmp/queries"
[ $bad -eq 0 ] || { echo "serve: $bad of $nq answers from the raw tier differ from Prometheus'" >&2; exit 1; }
