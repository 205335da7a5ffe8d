#!/bin/sh
test_description='PromQL range functions over rolled tiers read the aggregate that answers them'
. "${0%/*}/tap.sh"

START=2026-01-01T02:00:00Z
END=2026-01-01T09:00:00Z
# q TIER EXPR: a range query from START to END at a 1 h step, as CSV.
q() {
	mquery -d s --tier "$1" --start $START --end $END --step 1h -o csv "$2"
}
# close A B TOL: the CSV files A and B have the same series and times,
# and values within a relative tolerance TOL.
close() {
	perl -e '
		my ($tol, $a, $b) = @ARGV;
		open(my $fa, "<", $a) or die; open(my $fb, "<", $b) or die;
		my @a = <$fa>; my @b = <$fb>;
		@a == @b or die "$a: ", scalar @a, " lines, $b: ", scalar @b, "\n";
		@a > 2 or die "$a: no points\n";
		for my $i (0 .. $#a) {
			my ($ka, $va) = $a[$i] =~ /^(.*),([^,]*)$/;
			my ($kb, $vb) = $b[$i] =~ /^(.*),([^,]*)$/;
			$ka eq $kb or die "line ", $i + 1, ": $ka against $kb\n";
			next if $i == 0;
			my $d = abs($va - $vb), $m = abs($va) > abs($vb) ? abs($va) : abs($vb);
			$d <= $tol * $m or die "line ", $i + 1, ": $va against $vb\n";
		}' "$3" "$1" "$2"
}

# rankcheck FILE...: each FILE (qNN.TIER, CSV of quantile_over_time(0.NN,
# http_request_duration_seconds[1h])) is within 1% of the observation of
# rank floor(q (n - 1)) of its hour in in.jsonl: what the sketch answers
# for (sketch.h).
rankcheck() {
	perl -e '
	my %v;
	open(my $in, "<", "in.jsonl") or die;
	while (<$in>) {
		/"http_request_duration_seconds".*"value":([^,]*),"ts":(\d+)/ or next;
		push @{$v{int(($2 / 1000 - 1) / 3600) + 1}}, $1;
	}
	for my $f (@ARGV) {
		my ($q) = $f =~ /^q(\d+)/; $q /= 100;
		open(my $fh, "<", $f) or die; <$fh>; my $n = 0;
		while (<$fh>) {
			my ($t, $got) = /,(\d+),([^,]+)$/ or die;
			my @s = sort { $a <=> $b } @{$v{$t / 3600000}};
			my $want = $s[int($q * (@s - 1))];
			$n++;
			abs($got - $want) <= 0.01 * abs($want) or
			    die "$f: at $t: $got, rank value $want\n";
		}
		$n == 8 or die "$f: $n points\n";
	}' "$@"
}

test_expect_success 'ten hours of a gauge, a counter and observations, rolled' '
	# Samples at 7 s past each 15 s: none on a window edge, so a range
	# [t - 1h, t] holds the same samples as the windows of (t - 1h, t).
	gen -H 1 -i 15s -n 200000 -t 1767225607000 |
	grep -E "\"name\":\"(node_load1|node_network_receive_bytes_total|http_request_duration_seconds)\"" >in.jsonl &&
	mstore init -d s --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d &&
	mstore -d s <in.jsonl &&
	mroll -d s --now 2026-01-03T00:00:00Z --no-self-metrics &&
	test -n "$(ls s/1h)"
'

test_expect_success 'max, min, count and last over 1m, 5m and 1h rows equal raw' '
	for f in max min count last; do
		for m in node_load1 node_network_receive_bytes_total \
		    http_request_duration_seconds; do
			q raw "${f}_over_time($m[1h])" >raw &&
			for t in 1m 5m 1h; do
				q $t "${f}_over_time($m[1h])" >$t &&
				test_cmp raw $t || return 1
			done || return 1
		done
	done
'

test_expect_success 'sum and avg over rows equal raw but for rounding' '
	for f in sum avg; do
		for m in node_load1 node_network_receive_bytes_total \
		    http_request_duration_seconds; do
			q raw "${f}_over_time($m[1h])" >raw &&
			for t in 1m 5m 1h; do
				q $t "${f}_over_time($m[1h])" >$t &&
				close raw $t 1e-12 || return 1
			done || return 1
		done
	done
'

test_expect_success 'a 2 h range takes only the windows wholly inside it' '
	q raw "count_over_time(node_load1[2h])" >raw &&
	q 1h "count_over_time(node_load1[2h])" >1h &&
	test_cmp raw 1h &&
	grep -q ",480$" 1h
'

test_expect_success 'quantile_over_time from merged sketches: within 1% of the raw rank' '
	for t in 1m 5m 1h; do
		q $t "quantile_over_time(0.99, http_request_duration_seconds[1h])" >q99.$t &&
		q $t "quantile_over_time(0.5, http_request_duration_seconds[1h])" >q50.$t ||
		return 1
	done &&
	rankcheck q99.1m q99.5m q99.1h q50.1m q50.5m q50.1h
'

test_expect_success '--stats over rows: count, min, max exact, avg and quantiles close' '
	for t in raw 1m 5m 1h; do
		mquery -d s --tier $t --stats --start 2026-01-01T01:00:00Z \
		    --end 2026-01-01T09:00:00Z -o csv \
		    "{__name__=~\"node_load1|http_request_duration_seconds\"}" >stats.$t ||
		return 1
	done &&
	test $(wc -l <stats.raw) -eq 3 &&
	for t in 1m 5m 1h; do
		cut -d, -f1-3,5 stats.raw >want && cut -d, -f1-3,5 stats.$t >got &&
		test_cmp want got &&
		perl -F, -lane "
			BEGIN { open(R, q(<), q(stats.raw)); <R>; <>; }
			my @w = split /,/, <R>;
			abs(\$F[3] - \$w[3]) <= 1e-12 * abs(\$w[3]) or die qq(avg \$F[3] \$w[3]);
			# Observations have sketches: within their 1% of the
			# rank value, and so close to the interpolated one.
			next unless /http_request/;
			for my \$i (5, 6, 7) {
				abs(\$F[\$i] - \$w[\$i]) <= 0.05 * abs(\$w[\$i]) or
				    die qq(quantile \$i: \$F[\$i] \$w[\$i]);
			}" stats.$t || return 1
	done
'

test_expect_success 'sketches count against --max-samples' '
	mquery -d s --tier 5m --max-samples 500 --start $START --end $END \
	    --step 1h -o csv "max_over_time(http_request_duration_seconds[1h])" >max &&
	test $(wc -l <max) -eq 9 &&
	test_expect_code 1 mquery -d s --tier 5m --max-samples 500 --start $START \
	    --end $END --step 1h -o csv \
	    "quantile_over_time(0.99, http_request_duration_seconds[1h])" 2>err &&
	grep "too many samples" err
'

test_expect_success 'rate and increase from the rows'"'"' reset-aware increases' '
	q raw "increase(node_network_receive_bytes_total[1h])" >raw &&
	q 5m "increase(node_network_receive_bytes_total[1h])" >5m &&
	# From 03:00: at 02:00 a 2 h range starts before the first sample,
	# and Prometheus extrapolates a lone hour of rows to the whole range.
	for t in raw 1h; do
		mquery -d s --tier $t --start 2026-01-01T03:00:00Z --end $END \
		    --step 1h -o csv \
		    "increase(node_network_receive_bytes_total[2h])" >$t.2h ||
		return 1
	done &&
	# Raw: the 239 intervals between the samples in the range,
	# extrapolated to it; rows: the 240 from the last sample before the
	# range to the last in it.  Both estimate the same increase.
	close raw 5m 0.03 &&
	close raw.2h 1h.2h 0.03
'

test_expect_success 'the tier chosen for a 5 m step is the 5m tier' '
	mquery -d s --start $START --end $END --step 5m -o csv \
	    "max_over_time(node_load1[10m])" >auto &&
	mquery -d s --tier 5m --start $START --end $END --step 5m -o csv \
	    "max_over_time(node_load1[10m])" >forced &&
	test_cmp forced auto &&
	test $(wc -l <auto) -eq 86
'

test_expect_success '--agg sets plain values, not what a function needs' '
	q 5m "max_over_time(node_load1[1h])" >max &&
	mquery -d s --tier 5m --agg min --start $START --end $END --step 1h \
	    -o csv "max_over_time(node_load1[1h])" >agg &&
	test_cmp max agg &&
	mquery -d s --tier 5m --agg min --start $START --end $END --step 1h \
	    -o csv "min_over_time(node_load1[5m])" >min5 &&
	mquery -d s --tier 5m --agg min --start $START --end $END --step 1h \
	    -o csv "node_load1 + 0" >plain &&
	test_cmp min5 plain
'

test_expect_success 'an instant query where only hourly rows are left finds the last one' '
	cp -a s old &&
	mstore init -d old --retention raw=1h,1m=1h,5m=1h &&
	mroll -d old --now 2026-01-03T00:00:00Z --no-self-metrics &&
	! ls old/1m/*.blk old/5m/*.blk 2>/dev/null &&
	mquery -d old -o csv --time 2026-01-01T05:30:00Z node_load1 >got &&
	mquery -d s --tier 1h -o csv --time 2026-01-01T05:00:00Z node_load1 |
		sed "s/,1767243600000,/,1767245400000,/" >want &&
	test $(wc -l <want) -eq 2 &&
	test_cmp want got
'

test_expect_success 'rate across rolled rows and the raw samples after them: no false reset' '
	# 10/s, reset to 0 at 03:00; raw kept for the last 4 hours only.
	awk "BEGIN { v = 1000000
		for (t = 1767225607; t < 1767261600; t += 15) {
			if (t == 1767236407) v = 0
			v += 150
			printf \"{\\\"name\\\":\\\"c_total\\\",\\\"type\\\":\\\"counter\\\",\\\"value\\\":%d,\\\"ts\\\":%d000}\\n\", v, t
		} }" >c.jsonl &&
	mstore init -d j --retention raw=100000d,1m=100000d,5m=100000d,1h=100000d &&
	mstore -d j <c.jsonl &&
	mstore init -d j --retention raw=4h &&
	mroll -d j --now 2026-01-01T10:00:00Z --no-self-metrics &&
	ls j/1m/*.blk && ls j/raw/*.blk &&
	mquery -d j -o csv --start 2026-01-01T02:00:00Z --end 2026-01-01T09:59:00Z \
	    --step 1m "rate(c_total[5m])" >rate &&
	test $(wc -l <rate) -eq 481 &&
	# Within 5%: a row stands at the end of its window, its value a few
	# seconds older; a false reset would give hundreds.
	awk -F, "NR > 1 && (\$3 < 9.5 || \$3 > 10.5)" rate >bad &&
	test_must_be_empty bad
'

test_expect_success '--tier exact: raw samples where kept, rolled rows before them' '
	# The store of the test before: raw kept for the last four hours.
	R="--start 2026-01-01T02:00:00Z --end 2026-01-01T09:59:00Z --step 1m" &&
	mquery -d j -o csv $R --tier exact "c_total" >exact &&
	mquery -d j -o csv $R --tier raw "c_total" >raw &&
	mquery -d j -o csv $R --tier 1m "c_total" >rolled &&
	test $(wc -l <exact) -eq 481 &&
	# At 07:00 the raw samples; at 03:00, before them, the rolled rows.
	grep ",1767250800000," exact >e && grep ",1767250800000," raw >r &&
	test_cmp r e &&
	grep ",1767232800000," exact >e && grep ",1767232800000," rolled >r &&
	test_cmp r e &&
	! grep -q ",1767232800000," raw &&
	test_expect_code 2 mquery -d j --tier nearest c_total 2>err &&
	grep "auto, exact, raw, 1m, 5m, 1h" err
'

test_done
