#!/bin/sh
# expo.sh - exposition parsing: mgather read against promtool, one core.
# SPDX-License-Identifier: MIT
#
# usage: sh bench/expo.sh [BUILD_DIR]
#
# A real node_exporter's /metrics (started on 127.0.0.1, scraped once) is
# copied COPIES times, each copy's samples labelled copy="N", into one
# file of the text format.  'mgather read' (parse, check, write stream
# lines to /dev/null) and 'promtool check metrics' (Go's expfmt parser,
# with its lint) read it ROUNDS times each on core 0; the medians of
# their wall times, in MB/s, and the ratio.  Knobs: COPIES (default
# 3000, about 90 MB), ROUNDS (5).
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/common.sh"
copies=${COPIES:-3000}
rounds=${ROUNDS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-expo.XXXXXX")
cleanup() {
	rm -rf "$tmp"
}
trap cleanup EXIT

command -v prometheus-node-exporter >/dev/null && command -v promtool >/dev/null || {
	echo "expo: prometheus-node-exporter or promtool missing: skipped"
	exit 0
}
node_exporter_body "$tmp/one.prom" ||
	{ echo "expo: node_exporter did not start"; exit 1; }
perl -e '
	my ($n, $f) = @ARGV;
	open(my $in, "<", $f) or die; my @l = <$in>;
	for my $c (1 .. $n) {
		for (@l) {
			if (/^#/) { print if $c == 1; next; }
			my $x = $_;
			$x =~ s/^([a-zA-Z_:][a-zA-Z0-9_:]*)\{/$1\{copy="$c",/ or
			    $x =~ s/^([a-zA-Z_:][a-zA-Z0-9_:]*) /$1\{copy="$c"\} /;
			print $x;
		}
	}' "$copies" "$tmp/one.prom" >"$tmp/big.prom"
bytes=$(wc -c <"$tmp/big.prom")
lines=$(grep -vc '^#' "$tmp/big.prom")
echo "expo: $bytes bytes, $lines samples ($copies copies of a node_exporter's /metrics)"
for r in $(seq "$rounds"); do
	taskset -c 0 "$build/bench/rusage" "$build/bin/mgather" read --format prometheus \
		"$tmp/big.prom" >/dev/null 2>"$tmp/m.$r"
	wall "$tmp/m.$r" >>"$tmp/m.walls"
	taskset -c 0 "$build/bench/rusage" promtool check metrics <"$tmp/big.prom" \
		>/dev/null 2>"$tmp/p.$r" || true
	wall "$tmp/p.$r" >>"$tmp/p.walls"
done
m=$(median <"$tmp/m.walls")
p=$(median <"$tmp/p.walls")
awk -v b="$bytes" -v m="$m" -v p="$p" 'BEGIN {
	printf "expo: mgather read %.1f MB/s (%.3f s), promtool check metrics %.1f MB/s (%.3f s): %.2fx its time\n",
	    b / m / 1e6, m, b / p / 1e6, p, m / p }'
