#!/bin/sh
# anomaly.sh - how well the anomaly rules of malert(1) find injected
# anomalies, and how often they fire on data without any.
#
# usage: sh bench/anomaly.sh BUILD_DIR
#
# Generated series, one sample every 5 minutes for 10 days: a daily cycle
# 100 + 30 sin(2 pi t / 1d) with Gaussian noise (sigma 3), 20 series of
# each kind:
#   clean   nothing injected
#   spike   +25 (about 8 sigma) for one sample
#   shift   +20 from one sample on (a level shift)
#   drift   +0.5 per sample from one sample on (+6 an hour)
#   dip     the daily cycle flattened to 100 for 2 hours (a seasonal
#           anomaly: every value stays in the usual range)
# each injected at a random time of the last two days.  Each detector, a
# PromQL expression of malert(1), is evaluated every 5 minutes over the
# last two days (mquery, a range query); an anomaly is found when the
# detector fires within an hour of its start (six for a drift); false
# positives are the firings on clean series, per series and day.
set -eu
build=${1:-build}
bin=$build/bin
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mtk-bench-anomaly.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

end=1767225600			# 2026-01-01T00:00:00Z
step=300
points=$(( 10 * 86400 / step ))
awk -v end="$end" -v step="$step" -v points="$points" -v seed=42 '
function gauss() {	# Box-Muller
	return sqrt(-2 * log(1 - rand())) * cos(6.283185307179586 * rand())
}
BEGIN {
	srand(seed)
	split("clean spike shift drift dip", kinds, " ")
	for (k = 1; k <= 5; k++)
		for (s = 0; s < 20; s++) {
			kind = kinds[k]
			# The anomaly: a sample of the last two days, not the last hour.
			at = points - 1 - int(rand() * (2 * 86400 / step - 24)) - 12
			printf "%s %d %d\n", kind, s, end - (points - 1 - at) * step > "/dev/stderr"
			for (i = 0; i < points; i++) {
				t = end - (points - 1 - i) * step
				v = 100 + 30 * sin(6.283185307179586 * t / 86400) + 3 * gauss()
				if (kind == "spike" && i == at) v += 25
				if (kind == "shift" && i >= at) v += 20
				if (kind == "drift" && i >= at) v += 0.5 * (i - at)
				if (kind == "dip" && i >= at && i < at + 24) v = 100 + 3 * gauss()
				printf "{\"name\":\"x\",\"value\":%.3f,\"ts\":%.0f,\"labels\":{\"kind\":\"%s\",\"s\":\"%d\"}}\n", v, t * 1000, kind, s
			}
		}
}' >"$tmp/in.jsonl" 2>"$tmp/truth"
"$bin/mstore" init -d "$tmp/s" --retention raw=100000d
"$bin/mstore" -d "$tmp/s" <"$tmp/in.jsonl"

# detect NAME EXPR: the fraction found of each kind, false positives a day.
detect() {
	"$bin/mquery" -d "$tmp/s" -o csv --start $((end - 2 * 86400)) --end "$end" \
		--step 5m "$2" >"$tmp/out.$1"
	awk -F, -v name="$1" -v days=2 '
	FNR == NR { split($0, f, " "); start[f[1] " " f[2]] = f[3]; next }
	FNR == 1 { next }
	{
		# "{kind=""spike"",s=""3""}",TIME,VALUE
		match($0, /kind=""[a-z]*""/); kind = substr($0, RSTART + 7, RLENGTH - 9)
		match($0, /s=""[0-9]*""/); s = substr($0, RSTART + 4, RLENGTH - 6)
		t = $(NF - 1) / 1000
		if (kind == "clean") { fp++; next }
		k = kind " " s
		# Found within an hour; a drift, within six (it grows slowly).
		if (t >= start[k] && t <= start[k] + (kind == "drift" ? 21600 : 3600))
			found[k] = 1
	}
	END {
		split("spike shift drift dip", kinds, " ")
		printf "%-9s", name
		for (i = 1; i <= 4; i++) {
			n = 0
			for (s = 0; s < 20; s++) n += found[kinds[i] " " s]
			printf "  %-5s %3d%%", kinds[i], n * 5
		}
		printf "   false positives %.2f per series and day\n", fp / 20 / days
	}' "$tmp/truth" "$tmp/out.$1"
}
echo "data: 100 series, 10 days every 5 minutes; found within an hour (drift: six), of 20 each:"
detect zscore 'abs(x - avg_over_time(x[1h])) / stddev_over_time(x[1h]) > 3'
detect robust 'abs(x - quantile_over_time(0.5, x[1h])) / (1.4826 * mad_over_time(x[1h])) > 5'
detect seasonal 'abs(x - avg_over_time(x[1h] offset 1d)) / stddev_over_time(x[1h] offset 1d) > 5'
detect weekly 'abs(x - avg_over_time(x[1h] offset 1w)) / stddev_over_time(x[1h] offset 1w) > 5'
detect trend 'abs(deriv(x[2h]) - deriv(x[2h] offset 1d)) * 3600 > 5'
