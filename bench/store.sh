#!/bin/sh
# store.sh - mstore and mquery against VictoriaMetrics on the same data.
#
# usage: sh bench/store.sh BUILD_DIR
#
# Generates BENCH_SAMPLES (default 10,000,000) node_exporter-like samples
# of 1,027 series at a 15 s interval, ending now, then measures on one
# core (taskset -c 0):
#   ingest  mstore from a pipe into a durable store (cat, on any core,
#           writing the pipe), and from the file itself, against
#           VictoriaMetrics fed the same samples on /api/v1/import
#           (curl, on any core, sending them; its GOMAXPROCS is 1);
#   size    bytes on disk once sealed (mstore: raw/; VictoriaMetrics: its
#           data directory after a forced flush and its merges);
#   decode  every block of the raw tier, decompression included;
#   read    mquery of every sample to CSV and JSON Lines;
#   memory  peak RSS of mstore ingesting 100,000 active series.
# Each timing is the median of BENCH_ROUNDS (default 3) runs.
set -eu
build=${1:-build}
bin=$build/bin
tools=$build/bench
n=${BENCH_SAMPLES:-10000000}
rounds=${BENCH_ROUNDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-store.XXXXXX")
vmpid=
cleanup() {
	[ -n "$vmpid" ] && kill "$vmpid" 2>/dev/null && wait "$vmpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/common.sh"

now=$(date +%s)
span=$(( n / 1027 * 15 + 60 ))
"$tools/gen" -H 13 -n "$n" -t $(( (now - span) * 1000 )) >"$tmp/in.jsonl"
echo "data: $n samples, 1027 series, 15 s interval, $(( span / 3600 )) h, $(wc -c <"$tmp/in.jsonl") bytes of JSON Lines"

# --- mstore ingest, from a pipe, then from the file ---
for r in $(seq "$rounds"); do
	rm -rf "$tmp/s"
	"$bin/mstore" init -d "$tmp/s" --retention raw=3650d
	cat "$tmp/in.jsonl" |
		taskset -c 0 "$tools/rusage" "$bin/mstore" -d "$tmp/s" 2>"$tmp/r.$r"
	wall "$tmp/r.$r"
done | median >"$tmp/mstore.wall"
mstore_wall=$(cat "$tmp/mstore.wall")
for r in $(seq "$rounds"); do
	rm -rf "$tmp/s"
	"$bin/mstore" init -d "$tmp/s" --retention raw=3650d
	taskset -c 0 "$tools/rusage" "$bin/mstore" -d "$tmp/s" <"$tmp/in.jsonl" 2>"$tmp/r.$r"
	wall "$tmp/r.$r"
done | median >"$tmp/mstore.fwall"
mstore_fwall=$(cat "$tmp/mstore.fwall")
mstore_bytes=$(du -sb "$tmp/s/raw" | cut -f1)

# --- VictoriaMetrics ingest ---
vm=$(command -v victoria-metrics || true)
vm_wall= vm_bytes=
if [ -n "$vm" ] && command -v curl >/dev/null; then
	"$tools/tovm" <"$tmp/in.jsonl" >"$tmp/vm.jsonl"
	for r in $(seq "$rounds"); do
		rm -rf "$tmp/vm"
		port=$(( 20000 + $$ % 20000 + r ))
		taskset -c 0 "$vm" -storageDataPath="$tmp/vm" -retentionPeriod=100y \
			-httpListenAddr="127.0.0.1:$port" -loggerLevel=ERROR >"$tmp/vm.log" 2>&1 &
		vmpid=$!
		i=0
		until curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
			i=$((i + 1)); [ $i -lt 100 ] || { echo "victoria-metrics did not start" >&2; exit 1; }
			sleep 0.1
		done
		t0=$(date +%s.%N)
		curl -fs --data-binary "@$tmp/vm.jsonl" "http://127.0.0.1:$port/api/v1/import"
		curl -fs "http://127.0.0.1:$port/internal/force_flush"
		t1=$(date +%s.%N)
		awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
		sleep 5	# let it merge parts before measuring the size
		curl -fs "http://127.0.0.1:$port/internal/force_merge" >/dev/null 2>&1 || true
		sleep 5
		du -sb "$tmp/vm" | cut -f1 >"$tmp/vm.bytes"
		kill "$vmpid"; wait "$vmpid" 2>/dev/null || true; vmpid=
	done | median >"$tmp/vm.wall"
	vm_wall=$(cat "$tmp/vm.wall")
	vm_bytes=$(cat "$tmp/vm.bytes")
fi

awk -v n="$n" -v mw="$mstore_wall" -v mf="$mstore_fwall" -v mb="$mstore_bytes" \
    -v vw="$vm_wall" -v vb="$vm_bytes" 'BEGIN {
	printf "ingest  mstore           %12.0f samples/s (%.2f s, from a pipe)\n", n / mw, mw
	printf "ingest  mstore           %12.0f samples/s (%.2f s, from the file)\n", n / mf, mf
	if (vw != "") printf "ingest  victoria-metrics %12.0f samples/s (%.2f s)   mstore/vm %.2fx\n", n / vw, vw, vw / mw
	printf "size    mstore           %12.3f bytes/sample (%d bytes)\n", mb / n, mb
	if (vb != "") printf "size    victoria-metrics %12.3f bytes/sample (%d bytes)   mstore/vm %.2fx\n", vb / n, vb, mb / vb
}'

# --- decode ---
taskset -c 0 "$tools/decode" "$tmp/s/raw" 5

# --- mquery read ---
for fmt in csv jsonl; do
	for r in $(seq "$rounds"); do
		taskset -c 0 "$tools/rusage" "$bin/mquery" -d "$tmp/s" -o $fmt --start 0 \
			'{__name__=~".+"}' >"$tmp/out.$fmt" 2>"$tmp/q.$r"
		wall "$tmp/q.$r"
	done | median >"$tmp/q.wall"
	lines=$(wc -l <"$tmp/out.$fmt")
	awk -v l="$lines" -v w="$(cat "$tmp/q.wall")" -v f=$fmt 'BEGIN {
		printf "read    mquery -o %-6s %12.0f lines/s (%.2f s for %d lines)\n", f, l / w, w, l }'
done

# --- memory with 100,000 active series ---
rm -rf "$tmp/m"
"$bin/mstore" init -d "$tmp/m"
"$tools/gen" -H 1266 -n 1000000 -i 15s -t $(( (now - 300) * 1000 )) |
	"$tools/rusage" "$bin/mstore" -d "$tmp/m" 2>"$tmp/mem"
echo "memory  mstore, 100,014 active series: peak RSS $(( $(rss "$tmp/mem") / 1024 )) MiB"
