#!/bin/sh
# fuzz.sh - run the libFuzzer targets of tests/fuzz/ (make fuzz)
#
# usage: sh scripts/fuzz.sh BUILD SECONDS TARGET...
#
# Runs each target built in BUILD/fuzz/ (make FUZZ=1 fuzz-build) for
# SECONDS seconds, one after the other, starting from its seed corpus
# tests/fuzz/corpus/TARGET/ (and, for the block, WAL and csv targets,
# files just written by BUILD/fuzz/seeds) and from what earlier runs found
# in BUILD/corpus/TARGET/, where new inputs go.  An input that crashes,
# times out or allocates absurdly is saved in BUILD/crashes/TARGET/: add
# it to the seed corpus once fixed, so that 'make check' replays it.
# Prints one line per target: executions, coverage (cov: edges, ft:
# features) and corpus size.  Exits 1 if any target found something.
#
# FUZZ_FLAGS adds libFuzzer options, e.g. "-fork=1 -ignore_crashes=1"
# to go on after a crash, "-jobs=2" to use two cores.
set -eu
[ $# -ge 3 ] || { echo "usage: sh scripts/fuzz.sh BUILD SECONDS TARGET..." >&2; exit 2; }
build=$1 secs=$2
shift 2

"$build/fuzz/seeds" "$build/seeds"
status=0
for t; do
	bin=$build/fuzz/$t
	corpus=$build/corpus/$t
	crashes=$build/crashes/$t
	log=$build/fuzz-$t.log
	mkdir -p "$corpus" "$crashes"
	case $t in
	block*) extra=$build/seeds/block ;;
	wal*)   extra=$build/seeds/wal ;;
	csv)    extra=$build/seeds/csv ;;
	*)      extra= ;;
	esac
	# One dictionary per input language: stream.dict, promql.dict.
	dict=tests/fuzz/${t%%_*}.dict
	[ -f "$dict" ] && dict=-dict=$dict || dict=
	# 256 MiB in one allocation is absurd for inputs of a few KiB.
	# shellcheck disable=SC2086
	if ! "$bin" -max_total_time="$secs" -timeout=30 -malloc_limit_mb=256 \
	    -print_final_stats=1 -artifact_prefix="$crashes/" $dict \
	    ${FUZZ_FLAGS:-} "$corpus" "tests/fuzz/corpus/$t" $extra \
	    >"$log" 2>&1; then
		status=1
		echo "fuzz: $t: found a problem: see $log and $crashes/" >&2
	fi
	# The final statistics; with -fork, the last progress line.
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] ||
		execs=$(sed -n 's/^#\([0-9]*\): cov:.*/\1/p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
	printf '%-14s %12s execs  cov %6s  ft %6s  corpus %6s files\n' "$t" \
	    "${execs:-?}" "${cov:-?}" "${ft:-?}" "$(ls "$corpus" | wc -l)"
done
exit $status
