#!/bin/sh
# push.sh - HTTP pushes into a store: mgather listen --store beside
# VictoriaMetrics' /api/v1/import/prometheus.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/push.sh [BUILD_DIR]
#
# bench/push_send (core 1) POSTs BATCHES batches of 1,000 samples of the
# text format, one after the other, to 'mgather listen --http --store'
# and to victoria-metrics (each on core 0, a fresh store each round);
# samples a second over ROUNDS rounds, medians, and the ratio.  mgather
# syncs every batch before it answers; VictoriaMetrics answers first and
# writes later (it buffers): the figure is what each promises.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
batches=${BATCHES:-1000}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-push.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# rate: samples a second from push_send's line.
rate() { awk '{ split($1, a, "="); split($2, b, "="); print a[2] / b[2] }'; }

for r in $(seq "$rounds"); do
	rm -rf "$tmp/s" && "$build/bin/mstore" init -d "$tmp/s" --retention raw=100000d
	taskset -c 0 "$build/bin/mgather" listen --http 127.0.0.1:0 \
		--store "$tmp/s" 2>"$tmp/err" &
	pid=$!
	i=0
	until grep -q "http on" "$tmp/err"; do
		i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1
	done
	url=$(sed -n 's/.*http on \(127.0.0.1:[0-9]*\)$/http:\/\/\1/p' "$tmp/err")
	taskset -c 1 "$build/bench/push_send" "$url/api/v1/push" "$batches" 1000 |
		rate >>"$tmp/m"
	kill $pid; wait $pid || true; pid=
	if command -v victoria-metrics >/dev/null; then
		p=$(port)
		rm -rf "$tmp/vm"
		taskset -c 0 victoria-metrics -storageDataPath="$tmp/vm" \
			-httpListenAddr=127.0.0.1:$p -retentionPeriod=100y >/dev/null 2>&1 &
		pid=$!
		until curl -sf "http://127.0.0.1:$p/health" >/dev/null; do sleep 0.1; done
		taskset -c 1 "$build/bench/push_send" \
			"http://127.0.0.1:$p/api/v1/import/prometheus" "$batches" 1000 |
			rate >>"$tmp/v"
		kill $pid; wait $pid || true; pid=
	fi
done
m=$(median <"$tmp/m")
if [ -s "$tmp/v" ]; then
	v=$(median <"$tmp/v")
	awk -v m="$m" -v v="$v" 'BEGIN { printf "push: mgather listen --store %.0f samples/s (each batch synced), victoria-metrics %.0f samples/s: %.2fx\n", m, v, m / v }'
else
	awk -v m="$m" 'BEGIN { printf "push: mgather listen --store %.0f samples/s (victoria-metrics missing)\n", m }'
fi
