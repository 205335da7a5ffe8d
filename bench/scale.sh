#!/bin/sh
# scale.sh - mtk at a million series, and beside a writer holding 50 M
# samples, against VictoriaMetrics on the same data.
#
# usage: sh bench/scale.sh BUILD_DIR
#
# 1. A store of BENCH_SERIES (default 1,000,000) series x{host,i}, 1,000
#    hosts, 3 samples each, ingested by mstore (peak RSS: every series
#    active at once) and fed to VictoriaMetrics (/api/v1/import).  Then,
#    each query run BENCH_ROUNDS times (default 5), medians:
#      one     one series, instant            (target 10 ms, and < VM)
#      sumby   sum by (host) of 1,000 series  (target 30 ms)
#      count   count(x) of every series       (target 1 s, 512 MiB)
#      values  the values of label host       (target 50 ms)
#    and malert check of the one series        (target 10 ms).
#    mquery end to end, process start included, on core 0; VM on core 1
#    (GOMAXPROCS=1) over HTTP: curl's own time (the server's answer),
#    and the whole curl process on core 0 (a client per query, as
#    mquery is); the ratio is of the latter.
# 2. A writer that keeps running, holding BENCH_LIVE (default 50,000,000)
#    samples of 100,000 series in its current window, then one tenth of
#    that: a one-series query each time (target 20 ms, the same for both);
#    for the first, again with 400,000 more samples in the writer's log,
#    just under its bound, the most a reader reads of it.
set -eu
build=${1:-build}
bin=$build/bin
tools=$build/bench
series=${BENCH_SERIES:-1000000}
live=${BENCH_LIVE:-50000000}
rounds=${BENCH_ROUNDS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-scale.XXXXXX")
vmpid= wpid=
cleanup() {
	[ -n "$vmpid" ] && kill "$vmpid" 2>/dev/null && wait "$vmpid" 2>/dev/null
	exec 9>&- 2>/dev/null || true
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null && wait "$wpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/common.sh"

now=$(date +%s)
t0=$(( (now - 120) * 1000 ))
at=$(( now - 60 ))		# the instant the queries ask about
"$tools/genscale" -s "$series" -H 1000 -n 3 -i 15000 -t "$t0" >"$tmp/in.jsonl"
echo "data: $series series x 3 samples, $(wc -c <"$tmp/in.jsonl") bytes of JSON Lines"

# --- mstore ingest: every series active ---
"$bin/mstore" init -d "$tmp/s"
taskset -c 0 "$tools/rusage" "$bin/mstore" -d "$tmp/s" --max-series 0 \
	<"$tmp/in.jsonl" 2>"$tmp/ingest"
echo "ingest  mstore, $series active series: $(wall "$tmp/ingest") s, peak RSS $(( $(rss "$tmp/ingest") / 1024 )) MiB (target 512 MiB)"
echo "size    mstore: $(du -sb "$tmp/s/raw" | cut -f1) bytes"

# mq NAME ARGS...: the median wall time of mquery ARGS, one core.
mq() {
	name=$1
	shift
	for r in $(seq "$rounds"); do
		taskset -c 0 "$tools/rusage" "$bin/mquery" -d "$tmp/s" "$@" \
			>"$tmp/out.$name" 2>"$tmp/q.$r"
		wall "$tmp/q.$r"
	done | median >"$tmp/mq.$name"
	rss "$tmp/q.1" >"$tmp/mqrss.$name"
}
mq one -o csv --time "$at" 'x{host="h5",i="7"}'
mq sumby -o csv --time "$at" 'sum by (host) (x{host="h5"})'
mq count -o csv --time "$at" 'count(x)'
mq values --start $(( now - 3600 )) --label-values host
# malert check of one series (target 10 ms): no thresholds, so OK.
for r in $(seq "$rounds"); do
	taskset -c 0 "$tools/rusage" "$bin/malert" check -d "$tmp/s" \
		--time "$at" 'x{host="h5",i="7"}' >"$tmp/out.check" 2>"$tmp/c.$r" ||
		{ cat "$tmp/out.check" >&2; exit 1; }
	wall "$tmp/c.$r"
done | median >"$tmp/check.wall"
awk -v w="$(cat "$tmp/check.wall")" 'BEGIN {
	printf "check   malert check, one series: %.1f ms (target 10 ms)\n", w * 1000 }'

# --- VictoriaMetrics, the same samples ---
vm=$(command -v victoria-metrics || true)
if [ -n "$vm" ] && command -v curl >/dev/null; then
	"$tools/tovm" <"$tmp/in.jsonl" >"$tmp/vm.jsonl"
	port=$(( 20000 + $$ % 20000 ))
	GOMAXPROCS=1 taskset -c 1 "$vm" -storageDataPath="$tmp/vm" -retentionPeriod=100y \
		-httpListenAddr="127.0.0.1:$port" -loggerLevel=ERROR \
		-search.latencyOffset=0s -search.maxUniqueTimeseries=2000000 \
		>"$tmp/vm.log" 2>&1 &
	vmpid=$!
	i=0
	until curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 200 ] || { echo "victoria-metrics did not start" >&2; exit 1; }
		sleep 0.1
	done
	curl -fs --data-binary "@$tmp/vm.jsonl" "http://127.0.0.1:$port/api/v1/import"
	curl -fs "http://127.0.0.1:$port/internal/force_flush"
	sleep 3
	# vq NAME PATH: the median of curl's own total time for GET PATH
	# (the server's answer), and of the whole curl process, started on
	# core 0 as mquery is (the same end to end: a client per query).
	vq() {
		for r in $(seq "$rounds"); do
			curl -fs -o "$tmp/vm.$1" -w '%{time_total}\n' \
				"http://127.0.0.1:$port$2"
		done | median >"$tmp/vq.$1"
		for r in $(seq "$rounds"); do
			taskset -c 0 "$tools/rusage" curl -fs -o "$tmp/vm.$1" \
				"http://127.0.0.1:$port$2" 2>"$tmp/vc.$r"
			wall "$tmp/vc.$r"
		done | median >"$tmp/vp.$1"
	}
	q='x%7Bhost%3D%22h5%22%2Ci%3D%227%22%7D'
	vq one "/api/v1/query?query=$q&time=$at"
	vq sumby "/api/v1/query?query=sum%20by%20(host)%20(x%7Bhost%3D%22h5%22%7D)&time=$at"
	vq count "/api/v1/query?query=count(x)&time=$at"
	vq values "/api/v1/label/host/values?start=$(( now - 3600 ))&end=$now"
	kill "$vmpid"; wait "$vmpid" 2>/dev/null || true; vmpid=
fi
for q in one sumby count values; do
	m=$(cat "$tmp/mq.$q")
	v=$(cat "$tmp/vq.$q" 2>/dev/null || echo)
	p=$(cat "$tmp/vp.$q" 2>/dev/null || echo)
	awk -v q=$q -v m="$m" -v v="$v" -v p="$p" -v r="$(cat "$tmp/mqrss.$q")" 'BEGIN {
		printf "query   %-7s mquery %7.1f ms (peak RSS %d MiB)", q, m * 1000, r / 1024
		if (v != "") printf "   victoria-metrics %7.1f ms, with curl %7.1f ms   vm+curl/mquery %.2fx", v * 1000, p * 1000, p / m
		printf "\n" }'
done

# --- a writer that keeps running ---
# one_live: the median wall time of the one-series query on the live store.
one_live() {
	for r in $(seq "$rounds"); do
		taskset -c 0 "$tools/rusage" "$bin/mquery" -d "$tmp/l" \
			'x{host="h5",i="7"}' >"$tmp/out.live" 2>"$tmp/l.$r"
		wall "$tmp/l.$r"
	done | median
}

# live N: a new store whose writer holds N samples of 100,000 series in
# the current two-hour window, still running; the median one-series query.
live_query() {
	n=$1
	rm -rf "$tmp/l" "$tmp/fifo"
	"$bin/mstore" init -d "$tmp/l"
	mkfifo "$tmp/fifo"
	"$bin/mstore" -d "$tmp/l" --max-series 0 <"$tmp/fifo" &
	wpid=$!
	exec 9>"$tmp/fifo"
	now=$(date +%s)
	win=$(( now / 7200 * 7200 ))
	per=$(( n / 100000 ))
	[ "$per" -ge 1 ] || per=1
	# Spread the rounds over what has passed of the window (at least 1 ms).
	step=$(( (now - win) * 1000 / per ))
	[ "$step" -ge 1 ] || step=1
	"$tools/genscale" -s 100000 -H 100 -n "$per" -i "$step" -t $(( win * 1000 )) >&9
	# Until the writer has taken it all (its files stop growing).
	settle "$tmp/l/raw" 2
	one_live >"$tmp/live.$n"
	blocks=$(ls "$tmp/l/raw"/*.blk 2>/dev/null | wc -l)
	wal=$(du -sb "$tmp/l/raw/wal" | cut -f1)
	awk -v n="$n" -v w="$(cat "$tmp/live.$n")" -v b="$blocks" -v l="$wal" 'BEGIN {
		printf "live    writer holding %d samples of 100,000 series: one-series query %.1f ms (%d blocks, %d bytes of log)\n", n, w * 1000, b, l }'
	if [ "${2:-}" = full ]; then
		# Then 400,000 more, just under the log's bound (500,000):
		# they stay in the log, the worst a reader meets.
		"$tools/genscale" -s 100000 -H 100 -n 4 -i 1 -t $(( $(date +%s) * 1000 )) >&9
		settle "$tmp/l/raw/wal" 2
		one_live >"$tmp/live.full"
		blocks=$(ls "$tmp/l/raw"/*.blk 2>/dev/null | wc -l)
		wal=$(du -sb "$tmp/l/raw/wal" | cut -f1)
		awk -v w="$(cat "$tmp/live.full")" -v b="$blocks" -v l="$wal" 'BEGIN {
			printf "live    ... and 400,000 more in its log (its bound: 500,000): one-series query %.1f ms (%d blocks, %d bytes of log)\n", w * 1000, b, l }'
	fi
	exec 9>&-
	wait "$wpid" || true
	wpid=
}
live_query "$live" full
live_query $(( live / 10 ))
