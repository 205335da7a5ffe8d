#!/bin/sh
# roll.sh - mroll against rrdtool consolidating the same samples.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/roll.sh BUILD_DIR
#
# Generates exactly 24 h of 1,027 node_exporter-like series at 15 s
# (gen -H 13: 5,915,520 samples) ending at 2026-01-01T00:00:00Z, and
# measures on one core (taskset -c 0), medians of BENCH_ROUNDS (default
# 3), each round on a fresh store:
#   ingest  mstore from the stream into a store that expires nothing;
#   roll    one mroll pass over it: raw into 1m, 1m into 5m, 5m into 1h
#           (target: 2 s, memory bounded), its wall time and peak RSS;
#           the tiers are then checked to hold one row per series and
#           minute, five minutes and hour;
#   rrdtool the same samples into one RRD per series, step 15 s,
#           RRAs AVERAGE, MIN and MAX of 4, 20 and 240 steps (1m, 5m,
#           1h), fed through `rrdtool -` with one update command per
#           series holding all its samples, rrdtool's cheapest feed
#           (bench/torrd.c writes the commands beforehand and explains
#           the DS types: GAUGE, and DDERIVE for counters).  rrdtool
#           consolidates as it updates, so mroll is compared with the
#           updates alone, and mstore + mroll with create + updates.
# The RRAs have rows for the 24 h and no more, the smallest RRDs that
# hold the data.  rrdtool preallocates a file's rows, so its bytes are
# reported both so and for RRAs sized to mtk's default retentions of the
# rolled tiers (7 d, 30 d, 365 d), exactly (every RRD has the same size);
# mtk's store grows with the data instead: its bytes at those retentions
# are projected from this day's.  mtk's rows also hold more than
# rrdtool's three values (count, sum, min, max, last; first and increase
# for counters; a quantile sketch for observations).  mstore and mroll
# sync what they write; rrdtool does not.
#
# One series is compared between the two: the hourly average, minimum
# and maximum of node_load1{host="host-000"} must agree.
set -eu
build=${1:-build}
bin=$build/bin
tools=$build/bench
rounds=${BENCH_ROUNDS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-roll.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.sh"
# bytes PATH...: the sizes of the regular files under PATHs, summed.
bytes() { find "$@" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }
fail() { echo "roll: $*" >&2; exit 1; }

end=1767225600				# 2026-01-01T00:00:00Z
series=1027				# gen -H 13: 79 series a host
n=$(( series * 5760 ))			# 24 h at 15 s
"$tools/gen" -H 13 -n "$n" -t $(( (end - 86400) * 1000 )) >"$tmp/in.jsonl"
echo "data: $n samples, $series series, 15 s interval, 24 h ending $(date -u -d @$end +%FT%TZ)"

# Rows each rolled tier must have: one per series and window.
expect_1m=$(( series * 1440 )) expect_5m=$(( series * 288 )) expect_1h=$(( series * 24 ))
check_rows() {
	"$bin/mstore" stats -d "$1" >"$tmp/stats"
	awk -v a="$expect_1m" -v b="$expect_5m" -v c="$expect_1h" '
		$1 == "1m" { x = $4 } $1 == "5m" { y = $4 } $1 == "1h" { z = $4 }
		END { if (x != a || y != b || z != c) {
			printf "roll: rows 1m %s 5m %s 1h %s, want %d %d %d\n",
			    x, y, z, a, b, c > "/dev/stderr"; exit 1 } }' "$tmp/stats" ||
		{ cat "$tmp/stats" >&2; fail "mroll did not roll every window"; }
}

# --- mstore ingest, then mroll, on a fresh store each round ---
for r in $(seq "$rounds"); do
	rm -rf "$tmp/s"
	"$bin/mstore" init -d "$tmp/s" --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d
	taskset -c 0 "$tools/rusage" "$bin/mstore" -d "$tmp/s" <"$tmp/in.jsonl" 2>"$tmp/in.$r"
	taskset -c 0 "$tools/rusage" "$bin/mroll" -d "$tmp/s" 2>"$tmp/roll.$r" ||
		{ cat "$tmp/roll.$r" >&2; fail "mroll failed"; }
	check_rows "$tmp/s"
done
in_wall=$(for r in $(seq "$rounds"); do wall "$tmp/in.$r"; done | median)
roll_wall=$(for r in $(seq "$rounds"); do wall "$tmp/roll.$r"; done | median)
roll_rss=$(for r in $(seq "$rounds"); do rss "$tmp/roll.$r"; done | median)
b_raw=$(bytes "$tmp/s/raw") b_1m=$(bytes "$tmp/s/1m") b_5m=$(bytes "$tmp/s/5m")
b_1h=$(bytes "$tmp/s/1h") b_store=$(bytes "$tmp/s")

awk -v n="$n" -v w="$roll_wall" -v rss="$roll_rss" -v a="$expect_1m" \
    -v b="$expect_5m" -v c="$expect_1h" 'BEGIN {
	printf "mroll    %6.2f s  (%.2f M samples, %.2f M samples/s)  peak RSS %d MiB  rows 1m %d, 5m %d, 1h %d\n",
	    w, n / 1e6, n / w / 1e6, rss / 1024, a, b, c }'

# --- rrdtool ---
have_rrd=
if command -v rrdtool >/dev/null; then
	have_rrd=1
	rras="RRA:AVERAGE:0.5:4:1440 RRA:MIN:0.5:4:1440 RRA:MAX:0.5:4:1440
	    RRA:AVERAGE:0.5:20:288 RRA:MIN:0.5:20:288 RRA:MAX:0.5:20:288
	    RRA:AVERAGE:0.5:240:24 RRA:MIN:0.5:240:24 RRA:MAX:0.5:240:24"
	# shellcheck disable=SC2086
	"$tools/torrd" "$tmp/rrd" 15 "$tmp/create.txt" "$tmp/update.txt" $rras <"$tmp/in.jsonl"
	[ "$(wc -l <"$tmp/create.txt")" -eq "$series" ] || fail "torrd: not $series series"
	for r in $(seq "$rounds"); do
		rm -rf "$tmp/rrd"
		mkdir "$tmp/rrd"
		taskset -c 0 "$tools/rusage" rrdtool - <"$tmp/create.txt" >"$tmp/c.out" 2>"$tmp/create.$r"
		taskset -c 0 "$tools/rusage" rrdtool - <"$tmp/update.txt" >"$tmp/u.out" 2>"$tmp/update.$r"
		# Pipe mode answers each command with OK or ERROR.
		if [ "$(grep -c '^OK' "$tmp/c.out")" -ne "$series" ] ||
		    [ "$(grep -c '^OK' "$tmp/u.out")" -ne "$series" ]; then
			grep -v '^OK' "$tmp/c.out" "$tmp/u.out" | head -5 >&2
			fail "rrdtool failed"
		fi
	done
	create_wall=$(for r in $(seq "$rounds"); do wall "$tmp/create.$r"; done | median)
	update_wall=$(for r in $(seq "$rounds"); do wall "$tmp/update.$r"; done | median)
	update_rss=$(for r in $(seq "$rounds"); do rss "$tmp/update.$r"; done | median)
	b_rrd=$(bytes "$tmp/rrd")
	# The same RRD with rows for mtk's default retentions, 7 d of 1m,
	# 30 d of 5m and 365 d of 1h: every file has that size.
	rrdtool create "$tmp/big.rrd" --start "$end" --step 15 DS:v:GAUGE:60:U:U \
		RRA:AVERAGE:0.5:4:10080 RRA:MIN:0.5:4:10080 RRA:MAX:0.5:4:10080 \
		RRA:AVERAGE:0.5:20:8640 RRA:MIN:0.5:20:8640 RRA:MAX:0.5:20:8640 \
		RRA:AVERAGE:0.5:240:8760 RRA:MIN:0.5:240:8760 RRA:MAX:0.5:240:8760
	b_big=$(( $(bytes "$tmp/big.rrd") * series ))

	# Both consolidated the same samples into the same rows.
	q='node_load1{host="host-000"}'
	f="$tmp/rrd/node_load1,host=host-000.rrd"
	for agg in avg min max; do
		case $agg in avg) cf=AVERAGE ;; min) cf=MIN ;; max) cf=MAX ;; esac
		"$bin/mquery" -d "$tmp/s" --tier 1h --agg "$agg" -o csv \
			--start $((end - 86400)) --end $end "$q" >"$tmp/m.$agg"
		rrdtool fetch "$f" "$cf" -r 3600 -s $((end - 86400)) -e $end >"$tmp/r.$agg"
		awk -F'[,:]' -v agg=$agg '
			FNR == NR { if (FNR > 1) m[$(NF - 1) / 1000] = $NF; next }
			NF == 2 && $2 !~ /nan/ {
				k++
				if (!($1 in m)) { bad++; next }
				d = $2 - m[$1]; if (d < 0) d = -d
				s = m[$1] < 0 ? -m[$1] : m[$1]
				if (d > 1e-9 * (s > 1 ? s : 1)) bad++
			}
			END { if (k != 24 || bad) {
				printf "roll: %s: %d rrdtool rows, %d differ\n", agg, k, bad > "/dev/stderr"
				exit 1 } }' "$tmp/m.$agg" "$tmp/r.$agg" ||
			fail "mtk and rrdtool disagree on the hourly $agg of $q"
	done

	awk -v n="$n" -v w="$update_wall" -v c="$create_wall" -v rss="$update_rss" \
	    -v mw="$roll_wall" -v iw="$in_wall" 'BEGIN {
		printf "rrdtool  %6.2f s  (update: %.2f M samples/s; create %.2f s)  peak RSS %d MiB  mroll/rrdtool %.1fx\n",
		    w, n / w / 1e6, c, rss / 1024, w / mw
		printf "ingest+roll  mstore %.2f s + mroll %.2f s = %.2f s  rrdtool create+update %.2f s  mtk/rrdtool %.1fx\n",
		    iw, mw, iw + mw, c + w, (c + w) / (iw + mw) }'
	echo "check: hourly avg, min, max of $q equal in both"
else
	echo "rrdtool: not installed, skipped"
fi

awk -v raw="$b_raw" -v m1="$b_1m" -v m5="$b_5m" -v h1="$b_1h" -v all="$b_store" \
    -v rrd="${b_rrd:-0}" -v big="${b_big:-}" -v series="$series" -v have="$have_rrd" 'BEGIN {
	M = 1e6
	printf "bytes    mtk rolled tiers %.1f MB (1m %.1f, 5m %.1f, 1h %.2f), whole store %.1f MB (raw %.1f)\n",
	    (m1 + m5 + h1) / M, m1 / M, m5 / M, h1 / M, all / M, raw / M
	if (have) {
		printf "bytes    rrdtool %.1f MB (%d files of %d bytes, rows for 24 h)   mtk rolled/rrdtool %.2fx\n",
		    rrd / M, series, rrd / series, (m1 + m5 + h1) / rrd
		printf "bytes    at the default retentions (raw 24 h, 1m 7 d, 5m 30 d, 1h 365 d): mtk %.0f MB (projected), rrdtool %.0f MB (preallocated)\n",
		    (raw + 7 * m1 + 30 * m5 + 365 * h1) / M, big / M
	}
}'
awk -v w="$roll_wall" 'BEGIN { printf "target 2 s for 24 h of 1,000 series: %s\n", w <= 2 ? "met" : "MISSED" }'
