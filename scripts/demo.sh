#!/bin/sh
# demo.sh - run the mtk pipeline as far as it exists, on this machine.
#
# usage: sh scripts/demo.sh BINDIR
#
# Gathers two passes of real system metrics one second apart (the second
# with per-second rates), and prints them as an aligned table of
# series and values.
set -eu
bindir=${1:-build/bin}
out=$(mktemp "${TMPDIR:-/tmp}/mtk-demo.XXXXXX")
trap 'rm -f "$out"' EXIT

echo "== mgather -n 2 -i 1s --rates: $(uname -n), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
"$bindir/mgather" -n 2 -i 1s --rates >"$out"
echo "== $(wc -l <"$out") samples; the last pass:"
last=$(tail -n 1 "$out" | sed 's/.*"ts":\([0-9]*\).*/\1/')
grep "\"ts\":$last[,}]" "$out" |
sed -e 's/^{"name":"\([^"]*\)","type":"\([^"]*\)","value":\([^,]*\),"ts":[0-9]*/\1 \2 \3/' \
    -e 's/,"labels":{\(.*\)}}$/ {\1}/' -e 's/}$//' -e 's/"//g' |
awk '{ printf "%-45s %-9s %18s  %s\n", $1, $2, $3, $4 }'
