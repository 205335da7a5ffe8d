#!/bin/sh
# run.sh - mtk's benchmarks, each next to a peer measured in the same run.
#
# usage: sh bench/run.sh BUILD_DIR
#
# Figures are medians over several rounds, with ratios against the peer.
# Set BENCH_LINES to change the size of the generated stream.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
lines=${BENCH_LINES:-2000000}

echo "== machine: $(nproc) cores, $(uname -r), $(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "== stream: parse and write $lines generated node_exporter-like lines (one core)"
"$build/bench/gen" -n "$lines" >"$tmp/stream.jsonl"
taskset -c 0 "$build/bench/parse" "$tmp/stream.jsonl" 5 2>/dev/null ||
	"$build/bench/parse" "$tmp/stream.jsonl" 5

if [ -f "$here/mgather.sh" ]; then
	echo "== mgather: one pass, against prometheus-node-exporter"
	sh "$here/mgather.sh" "$build/bin"
fi
echo "== expo: parsing the Prometheus text format, against promtool"
sh "$here/expo.sh" "$build"
echo "== statsd: mgather listen, packets taken and dropped"
sh "$here/statsd.sh" "$build"
echo "== push: HTTP batches into a store, against victoria-metrics"
sh "$here/push.sh" "$build"
echo "== mpush: one sample, a stream to a listener, remote_write, against curl"
sh "$here/mpush.sh" "$build"
echo "== mshell: the first prompt, completion over 100,000 series"
sh "$here/mshell.sh" "$build"
echo "== store: mstore and mquery against victoria-metrics"
sh "$here/store.sh" "$build"
echo "== scrape: scraping node_exporter bodies into a store, against prometheus"
sh "$here/scrape.sh" "$build"
echo "== roll: mroll against rrdtool"
sh "$here/roll.sh" "$build"
echo "== promql: mquery against prometheus"
sh "$here/promql.sh" "$build"
echo "== serve: a Grafana dashboard through mquery serve, against prometheus"
sh "$here/serve.sh" "$build"
echo "== scale: a million series, and a running writer's 50 M samples, against victoria-metrics"
sh "$here/scale.sh" "$build"
echo "== alert: 1,000 rules over 10,000 live series, against prometheus"
sh "$here/alert.sh" "$build"
echo "== anomaly: what the anomaly rules of malert(1) find, and their false positives"
sh "$here/anomaly.sh" "$build"
