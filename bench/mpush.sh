#!/bin/sh
# mpush.sh - mpush beside curl: one sample from a script, a stream to an
# mtk listener, a stream to VictoriaMetrics by remote_write.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/mpush.sh [BUILD_DIR]
#
#  - one sample: 'mpush gauge NAME V --to URL' against 'curl
#    --data-binary' posting the same stream line to the same listener,
#    and /bin/true (what starting any program costs on this machine),
#    hyperfine, RUNS runs each (medians);
#  - a stream of LINES generated samples to 'mgather listen --http'
#    (writing to /dev/null, core 0), mpush on core 1 (every sample
#    journaled, batches of 1,000), against bench/push_send posting
#    batches of 1,000 straight from memory (no journal): what the spool
#    costs;
#  - the same stream to victoria-metrics by remote_write, against curl
#    posting it whole to VictoriaMetrics' own /api/v1/import (its JSON,
#    made by bench/tovm beforehand).
# ROUNDS rounds; medians and ratios.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
lines=${LINES:-1000000}
rounds=${ROUNDS:-3}
runs=${RUNS:-200}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-mpush.XXXXXX")
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
XDG_STATE_HOME=$tmp/state
export XDG_STATE_HOME

# listener: mgather listen --http on core 0 into /dev/null; its URL in $url.
listener() {
	taskset -c 0 "$build/bin/mgather" listen --http 127.0.0.1:0 \
		--max-body 1073741824 >/dev/null 2>"$tmp/err" &
	pid=$!
	i=0
	until grep -q "http on" "$tmp/err"; do
		i=$((i + 1)); [ $i -lt 50 ] || exit 1; sleep 0.1
	done
	url=$(sed -n 's/.*http on \(127.0.0.1:[0-9]*\)$/http:\/\/\1/p' "$tmp/err")
}

"$build/bench/gen" -n "$lines" >"$tmp/stream.jsonl"
"$build/bench/tovm" <"$tmp/stream.jsonl" >"$tmp/vm.jsonl"
printf '{"name":"bench_one","value":1}\n' >"$tmp/one.jsonl"

# One sample.
listener
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/h.json" \
		"$build/bin/mpush gauge bench_one 1 --to $url/api/v1/push" \
		"curl -s -o /dev/null --data-binary @$tmp/one.jsonl $url/api/v1/push" \
		"/bin/true" >/dev/null 2>&1
	perl -MJSON::PP -e '
		local $/; my $r = decode_json(<STDIN>)->{results};
		printf "mpush one sample: %.2f ms (median), curl %.2f ms: %.2fx\n",
		    $r->[0]{median} * 1000, $r->[1]{median} * 1000,
		    $r->[0]{median} / $r->[1]{median};
		printf "  /bin/true %.2f ms: mpush takes %.2f ms more than starting a program\n",
		    $r->[2]{median} * 1000,
		    ($r->[0]{median} - $r->[2]{median}) * 1000' <"$tmp/h.json"
fi
kill $pid; wait $pid 2>/dev/null || true; pid=

for r in $(seq "$rounds"); do
	listener
	"$build/bench/rusage" sh -c "taskset -c 1 '$build/bin/mpush' \
		--to '$url/api/v1/push' --batch 1000 --spool '$tmp/spool' \
		<'$tmp/stream.jsonl'" 2>"$tmp/ru" >/dev/null
	s=$(wall "$tmp/ru")
	echo "$lines $s" | awk '{ print $1 / $2 }' >>"$tmp/m"
	taskset -c 1 "$build/bench/push_send" "$url/api/v1/push" \
		$((lines / 1000)) 1000 |
		awk '{ split($1, a, "="); split($2, b, "="); print a[2] / b[2] }' \
		>>"$tmp/p"
	kill $pid; wait $pid 2>/dev/null || true; pid=
	if command -v victoria-metrics >/dev/null; then
		p=$(port)
		rm -rf "$tmp/vmdata"
		taskset -c 0 victoria-metrics -storageDataPath="$tmp/vmdata" \
			-httpListenAddr=127.0.0.1:$p -retentionPeriod=100y >/dev/null 2>&1 &
		pid=$!
		until curl -sf "http://127.0.0.1:$p/health" >/dev/null; do sleep 0.1; done
		"$build/bench/rusage" sh -c "taskset -c 1 '$build/bin/mpush' \
			--to 'remote-write+http://127.0.0.1:$p/api/v1/write' \
			--batch 10000 --spool '$tmp/spool-vm' <'$tmp/stream.jsonl'" \
			2>"$tmp/ru" >/dev/null
		echo "$lines $(wall "$tmp/ru")" | awk '{ print $1 / $2 }' >>"$tmp/rw"
		"$build/bench/rusage" taskset -c 1 curl -sf -o /dev/null \
			--data-binary @"$tmp/vm.jsonl" \
			"http://127.0.0.1:$p/api/v1/import" 2>"$tmp/ru"
		echo "$lines $(wall "$tmp/ru")" | awk '{ print $1 / $2 }' >>"$tmp/c"
		kill $pid; wait $pid 2>/dev/null || true; pid=
	fi
done
m=$(median <"$tmp/m")
p=$(median <"$tmp/p")
awk -v m="$m" -v p="$p" 'BEGIN { printf "mpush stream to mgather listen: %.0f samples/s (every sample journaled), push_send from memory %.0f samples/s: %.2fx\n", m, p, m / p }'
if [ -s "$tmp/rw" ]; then
	rw=$(median <"$tmp/rw")
	c=$(median <"$tmp/c")
	awk -v m="$rw" -v c="$c" 'BEGIN { printf "mpush remote_write to victoria-metrics: %.0f samples/s, curl of /api/v1/import %.0f samples/s: %.2fx\n", m, c, m / c }'
fi
