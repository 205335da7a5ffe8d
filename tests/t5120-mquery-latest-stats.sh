#!/bin/sh
test_description='mquery --latest and --stats'
. "${0%/*}/tap.sh"

T=1700000300

# Newest samples: load{host="a"} has one after T, load{host="b"} only one
# older than the lookback, api.calls a name that needs quoting.
cat >latest.jsonl <<'EOF'
{"name":"load","type":"gauge","value":1.5,"ts":1700000000000,"labels":{"host":"a"}}
{"name":"load","type":"gauge","value":2.25,"ts":1700000240000,"labels":{"host":"a"}}
{"name":"load","type":"gauge","value":3,"ts":1700000400000,"labels":{"host":"a"}}
{"name":"load","type":"gauge","value":0.5,"ts":1699999000000,"labels":{"host":"b"}}
{"name":"load","type":"gauge","value":7,"ts":1700000290000,"labels":{"host":"c"}}
{"name":"reqs","type":"counter","value":100,"ts":1700000100000,"labels":{"code":"200"}}
{"name":"api.calls","type":"counter","unit":"calls","help":"API calls","value":42,"ts":1700000299000,"labels":{"path":"/x,y"}}
EOF

# Statistics by hand: x{s="a"} 1 2 3 4 10; x{s="b"} 5 NaN -1, and one
# sample after the range.
cat >stats.jsonl <<'EOF'
{"name":"x","value":1,"ts":1700000000000,"labels":{"s":"a"}}
{"name":"x","value":2,"ts":1700000015000,"labels":{"s":"a"}}
{"name":"x","value":3,"ts":1700000030000,"labels":{"s":"a"}}
{"name":"x","value":4,"ts":1700000045000,"labels":{"s":"a"}}
{"name":"x","value":10,"ts":1700000060000,"labels":{"s":"a"}}
{"name":"x","value":5,"ts":1700000000000,"labels":{"s":"b"}}
{"name":"x","value":"NaN","ts":1700000015000,"labels":{"s":"b"}}
{"name":"x","value":-1,"ts":1700000030000,"labels":{"s":"b"}}
{"name":"x","value":99,"ts":1700000075000,"labels":{"s":"b"}}
EOF
RANGE="--start 1700000000 --end 1700000060"

test_expect_success 'setup: a store with both' '
	mstore init -d store --retention raw=100000d &&
	cat latest.jsonl stats.jsonl | mstore -d store
'

test_expect_success '--latest of a selector: the newest sample in the lookback, at its time' '
	mquery -f latest.jsonl --latest --time $T -o table "{__name__=~\".+\"}" >actual &&
	cat >expect <<-\EOT &&
	SERIES                     TIME                  VALUE  TREND
	{"api.calls",path="/x,y"}  2023-11-14T22:18:19Z     42                 ▄
	load{host="a"}             2023-11-14T22:17:20Z   2.25                ▁█
	load{host="c"}             2023-11-14T22:18:10Z      7                 ▄
	reqs{code="200"}           2023-11-14T22:15:00Z    100                 ▄
	EOT
	test_cmp expect actual
'

# The TREND of --latest: the hour up to --time in sixteen steps of 225
# seconds.  rise climbs a step each; gap has samples in the first and
# last quarters only; flat is the same all along; old has its newest
# sample in the hour but before the lookback, so no row.
T2=1700003600
awk 'BEGIN {
	for (i = 0; i < 16; i++) {
		t = 1700000100 + 225 * i
		printf "{\"name\":\"rise\",\"value\":%d,\"ts\":%d000}\n", i, t
		if (i < 4 || i >= 12)
			printf "{\"name\":\"gap\",\"value\":%d,\"ts\":%d000}\n", i < 4 ? 1 : 2, t
		printf "{\"name\":\"flat\",\"value\":3,\"ts\":%d000}\n", t
		if (i < 8)
			printf "{\"name\":\"old\",\"value\":%d,\"ts\":%d000}\n", i, t
	}
	# Before the hour up to T2: not in its sparklines; in an earlier one.
	print "{\"name\":\"rise\",\"value\":100,\"ts\":1699999000000}"
}' >trend.jsonl

test_expect_success '--latest table: TREND draws the hour up to --time' '
	mquery -f trend.jsonl --latest --time $T2 -o table "{__name__=~\".+\"}" >actual &&
	cat >expect <<-\EOT &&
	SERIES  TIME                  VALUE  TREND
	flat    2023-11-14T23:11:15Z      3  ▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄▄
	gap     2023-11-14T23:11:15Z      2  ▁▁▁▁        ████
	rise    2023-11-14T23:11:15Z     15  ▁▁▂▂▃▃▄▄▅▅▆▆▇▇██
	EOT
	test_cmp expect actual
'

test_expect_success '--latest table: the same from a store; CSV and JSONL without TREND' '
	mstore init -d tstore --retention raw=100000d &&
	mstore -d tstore trend.jsonl &&
	mquery -d tstore --latest --time $T2 -o table "{__name__=~\".+\"}" >actual &&
	test_cmp expect actual &&
	mquery -d tstore --latest --time $T2 -o csv rise >actual &&
	printf "%s\n" series,timestamp,value rise,1700003475000,15 >expect &&
	test_cmp expect actual
'

test_expect_success '--latest table: an earlier --time draws an earlier hour' '
	mquery -f trend.jsonl --latest --time 1700001900 -o table rise >actual &&
	cat >expect <<-\EOT &&
	SERIES  TIME                  VALUE  TREND
	rise    2023-11-14T22:45:00Z      8     █    ▁▁▁▁▁▁▁▂
	EOT
	test_cmp expect actual
'

test_expect_success '--latest table of an expression: TREND of its range query over the hour' '
	mquery -f trend.jsonl --latest --time $T2 -o table "rise * 2" >actual &&
	cat >expect <<-\EOT &&
	SERIES  TIME                  VALUE  TREND
	{}      2023-11-14T23:13:20Z     30   ▁▁▂▂▃▃▄▄▅▅▆▆▇▇█
	EOT
	test_cmp expect actual &&
	mquery -f trend.jsonl --latest --time $T2 -o table "scalar(rise)" >actual &&
	cat >expect <<-\EOT &&
	SERIES  TIME                  VALUE  TREND
	scalar  2023-11-14T23:13:20Z     15   ▁▁▂▂▃▃▄▄▅▅▆▆▇▇█
	EOT
	test_cmp expect actual
'

# The TREND column, from its heading on (ASCII up to there).
trend() {
	col=$(head -1 "$1" | awk "{ print index(\$0, \"TREND\") }") &&
	cut -b "$col"- "$1"
}

test_expect_success '--latest TREND of an expression: what --stats draws at 225 s steps' '
	for q in "rise * 2" "{__name__=~\"rise|gap\"} > 1" "sum(flat) + rise"; do
		mquery -f trend.jsonl --latest --time $T2 -o table "$q" >latest &&
		mquery -f trend.jsonl --stats --start $((T2 - 3600)) --end $T2 \
			--step 225s -o table "$q" >stats &&
		trend latest >expect && trend stats >actual &&
		test_cmp expect actual && test $(wc -l <expect) -ge 2 || exit 1
	done
'

test_expect_success '--latest of an expression: CSV as the instant query; no TREND for a range vector or past --max-samples' '
	mquery -f trend.jsonl --latest --time $T2 -o csv "rise * 2" >actual &&
	mquery -f trend.jsonl --time $T2 -o csv "rise * 2" >expect &&
	test_cmp expect actual &&
	mquery -f trend.jsonl --latest --time $T2 --max-samples 5 -o table \
		"rise * 2" >actual &&
	cat >expect <<-\EOT &&
	SERIES  TIME                  VALUE
	{}      2023-11-14T23:13:20Z     30
	EOT
	test_cmp expect actual &&
	mquery -f trend.jsonl --latest --time $T2 -o table "rise[5m]" >actual &&
	cat >expect <<-\EOT &&
	SERIES  TIME                  VALUE
	rise    2023-11-14T23:11:15Z     15
	EOT
	test_cmp expect actual
'

# Past 10,000 series a table has no TREND: reading an hour of each would
# cost several times what the lookback does.
test_expect_success '--latest table: TREND for up to 10,000 series, not past' '
	awk "BEGIN { for (i = 0; i < 10001; i++)
		printf \"{\\\"name\\\":\\\"m\\\",\\\"value\\\":1,\\\"ts\\\":1700000000000,\\\"labels\\\":{\\\"i\\\":\\\"%d\\\"}}\\n\", i }" >many.jsonl &&
	mquery -f many.jsonl --latest --time 1700000000 -o table "m{i!=\"0\"}" >actual &&
	head -1 actual | grep "^SERIES  *TIME  *VALUE  TREND$" &&
	test $(wc -l <actual) = 10001 &&
	mquery -f many.jsonl --latest --time 1700000000 -o table m >actual &&
	head -1 actual | grep "^SERIES  *TIME  *VALUE$" &&
	test $(wc -l <actual) = 10002 &&
	mquery -f many.jsonl --latest --time 1700000000 -o table "m * 1" >actual &&
	head -1 actual | grep "^SERIES  *TIME  *VALUE$" &&
	mquery -f many.jsonl --latest --time 1700000000 -o table "m{i!=\"0\"} * 1" >actual &&
	head -1 actual | grep "^SERIES  *TIME  *VALUE  TREND$"
'

test_expect_success '--latest: CSV, and the same from the store' '
	mquery -f latest.jsonl --latest --time $T -o csv "{__name__=~\"api.calls|load|reqs\"}" >actual &&
	cat >expect <<-\EOT &&
	series,timestamp,value
	"{""api.calls"",path=""/x,y""}",1700000299000,42
	"load{host=""a""}",1700000240000,2.25
	"load{host=""c""}",1700000290000,7
	"reqs{code=""200""}",1700000100000,100
	EOT
	test_cmp expect actual &&
	mquery -d store --latest --time $T -o csv "{__name__=~\"api.calls|load|reqs\"}" >actual &&
	test_cmp expect actual
'

test_expect_success '--latest -o jsonl from a store keeps type, unit and help' '
	mquery -d store --latest --time $T -o jsonl "{__name__=~\"api.calls|reqs\"}" >actual &&
	cat >expect <<-\EOT &&
	{"name":"api.calls","type":"counter","value":42,"ts":1700000299000,"labels":{"path":"/x,y"},"unit":"calls","help":"API calls"}
	{"name":"reqs","type":"counter","value":100,"ts":1700000100000,"labels":{"code":"200"}}
	EOT
	test_cmp expect actual
'

test_expect_success '--latest -o prom-json: a vector at the samples'"'"' times' '
	mquery -d store --latest --time $T -o prom-json load >actual &&
	cat >expect <<-\EOT &&
	{"resultType":"vector","result":[{"metric":{"__name__":"load","host":"a"},"value":[1700000240,"2.25"]},{"metric":{"__name__":"load","host":"c"},"value":[1700000290,"7"]}]}
	EOT
	test_cmp expect actual
'

test_expect_success '--latest -o openmetrics' '
	mquery -d store --latest --time $T -o openmetrics load >actual &&
	printf "%s\n" "load{host=\"a\"} 2.25 1700000240" "load{host=\"c\"} 7 1700000290" "# EOF" >expect &&
	test_cmp expect actual
'

test_expect_success '--latest: --lookback and --time move the window' '
	mquery -d store --latest --time $T --lookback 1h -o csv load >actual &&
	grep -x "\"load{host=\"\"b\"\"}\",1699999000000,0.5" actual &&
	mquery -d store --latest --time 1700000239 -o csv "load{host=\"a\"}" >actual &&
	printf "%s\n" series,timestamp,value "\"load{host=\"\"a\"\"}\",1700000000000,1.5" >expect &&
	test_cmp expect actual &&
	mquery -d store --latest --time 1600000000 -o csv load >actual &&
	test_must_be_empty actual
'

test_expect_success '--latest of an expression is its instant value' '
	mquery -d store --latest --time $T -o prom-json "sum by (host) (load) * 2" >actual &&
	mquery -d store --time $T -o prom-json "sum by (host) (load) * 2" >expect &&
	test_cmp expect actual &&
	grep -F "\"value\":[1700000300,\"14\"]" actual
'

test_expect_success '--latest usage errors exit 2' '
	test_expect_code 2 mquery -d store --latest --since 1h load 2>err &&
	grep "^mquery: --latest takes --time, not --start, --since, --end or --step$" err &&
	test_expect_code 2 mquery -d store --latest --step 1m load 2>err &&
	test_expect_code 2 mquery -d store --latest 2>err &&
	grep "^mquery: an expression is needed$" err &&
	test_expect_code 2 mquery -d store --latest --stats load 2>err &&
	grep "exclude each other" err &&
	test_expect_code 2 mquery -d store --latest --series load 2>err
'

test_expect_success '--latest: a bad selector and a missing store exit 1' '
	test_expect_code 1 mquery -d store --latest "load{" 2>err &&
	grep "^mquery: 1:6: parse error" err &&
	test_expect_code 1 mquery -d nostore --latest load 2>err
'

test_expect_success '--stats of a selector: a table' '
	mquery -f stats.jsonl --stats $RANGE -o table x >actual &&
	cat >expect <<-\EOT &&
	SERIES    COUNT  MIN  AVG  MAX  P50                P95                P99  TREND
	x{s="a"}      5    1    4   10    3  8.799999999999999               9.76  ▁   ▂   ▃   ▃  █
	x{s="b"}      3   -1  NaN    5   -1                4.4  4.880000000000001  █       ▁
	EOT
	test_cmp expect actual
'

test_expect_success '--stats: CSV and JSON Lines, the same from the store' '
	mquery -d store --stats $RANGE -o csv x >actual &&
	cat >expect <<-\EOT &&
	series,count,min,avg,max,p50,p95,p99
	"x{s=""a""}",5,1,4,10,3,8.799999999999999,9.76
	"x{s=""b""}",3,-1,NaN,5,-1,4.4,4.880000000000001
	EOT
	test_cmp expect actual &&
	mquery -d store --stats $RANGE -o jsonl x >actual &&
	cat >expect <<-\EOT &&
	{"name":"x","labels":{"s":"a"},"count":5,"min":1,"avg":4,"max":10,"p50":3,"p95":8.799999999999999,"p99":9.76}
	{"name":"x","labels":{"s":"b"},"count":3,"min":-1,"avg":"NaN","max":5,"p50":-1,"p95":4.4,"p99":4.880000000000001}
	EOT
	test_cmp expect actual
'

test_expect_success '--stats agrees with PromQL'"'"'s *_over_time functions' '
	for f in count_over_time min_over_time avg_over_time max_over_time \
	    "quantile_over_time(0.5," "quantile_over_time(0.95," "quantile_over_time(0.99,"; do
		case $f in
		*,) q="$f x[60s] @ 1700000060)" ;;
		*) q="$f(x[60s] @ 1700000060)" ;;
		esac
		mquery -d store --time 1700000060 -o csv "$q" | sed 1d | cut -d, -f3 | tr "\n" " " || exit 1
		echo
	done >promql &&
	mquery -d store --stats $RANGE -o csv x | sed 1d | cut -d, -f2- |
		awk -F, "{ for (i = 1; i <= NF; i++) v[i, NR] = \$i }
		    END { for (i = 1; i <= 7; i++) print v[i, 1] \" \" v[i, 2] \" \" }" >stats &&
	test_cmp promql stats
'

# 3 series of 200 samples each, deterministic (Park-Miller), with two decimals.
awk 'BEGIN {
	s = 42
	for (i = 0; i < 200; i++)
		for (h = 0; h < 3; h++) {
			s = (s * 16807) % 2147483647
			printf "{\"name\":\"gen\",\"value\":%.2f,\"ts\":%d000,\"labels\":{\"h\":\"%d\"}}\n",
			    (s % 100000) / 100 - 300, 1700000000 + 15 * i, h
		}
}' >gen.jsonl

# The statistics of "series value" lines, computed apart from mquery:
# %.17g, the average (a plain sum here) to 12 digits.
cat >stats.pl <<'EOF'
my %v;
while (<STDIN>) { my ($k, $x) = split; push @{$v{$k}}, $x; }
for my $k (sort keys %v) {
	my @s = sort { $a <=> $b } @{$v{$k}};
	my ($n, $sum) = (scalar @s, 0);
	$sum += $_ for @s;
	my @q = map {
		my $r = $_ * ($n - 1); my $lo = int($r); my $hi = $lo + 1 < $n ? $lo + 1 : $n - 1;
		my $w = $r - $lo; $s[$lo] * (1 - $w) + $s[$hi] * $w;
	} (0.5, 0.95, 0.99);
	printf "%s %d %.17g %.12g %.17g %.17g %.17g %.17g\n", $k, $n, $s[0], $sum / $n, $s[-1], @q;
}
EOF
# The same from mquery --stats -o jsonl.
cat >jsonl.pl <<'EOF'
while (<STDIN>) {
	my ($h) = /"h":"(\d+)"/;
	my %f = /"(count|min|avg|max|p50|p95|p99)":([^,}]+)/g;
	printf "%s %d %.17g %.12g %.17g %.17g %.17g %.17g\n", "h$h",
	    map { $f{$_} } qw(count min avg max p50 p95 p99);
}
EOF

test_expect_success '--stats of 600 samples: as computed apart' '
	sed "s/.*\"value\":\([^,]*\),.*\"h\":\"\([0-9]\)\".*/h\2 \1/" gen.jsonl |
		perl stats.pl >expect &&
	test $(wc -l <expect) -eq 3 &&
	mquery -f gen.jsonl --stats --start 1699999000 --end 1700003000 -o jsonl gen >out &&
	perl jsonl.pl <out >actual &&
	test_cmp expect actual
'

test_expect_success '--stats of an expression: the points of the range query' '
	mquery -f gen.jsonl --start 1700000000 --end 1700002985 --step 60s -o csv \
		"gen * 2" >points &&
	sed -e 1d -e "s/^\"{h=\"\"\([0-9]\)\"\"}\",[0-9]*,/h\1 /" points | perl stats.pl >expect &&
	mquery -f gen.jsonl --stats --start 1700000000 --end 1700002985 --step 60s \
		-o jsonl "gen * 2" >out &&
	! grep "\"name\"" out &&
	perl jsonl.pl <out >actual &&
	test_cmp expect actual
'

test_expect_success '--stats: --name names an expression'"'"'s series; {} without labels' '
	mquery -f stats.jsonl --stats $RANGE --step 15s -o jsonl --name y "x{s=\"a\"} * 1" >actual &&
	grep "^{\"name\":\"y\",\"labels\":{\"s\":\"a\"},\"count\":5," actual &&
	mquery -f stats.jsonl --stats $RANGE --step 15s -o csv "sum(x)" >actual &&
	sed -n "2s/,.*//p" actual >series &&
	echo "{}" >expect && test_cmp expect series
'

test_expect_success '--stats: nothing in the range, nothing out' '
	mquery -d store --stats --start 1600000000 --end 1600000100 -o table x >actual &&
	test_must_be_empty actual &&
	mquery -d store --stats --start 1600000000 --end 1600000100 -o csv x >actual &&
	echo "series,count,min,avg,max,p50,p95,p99" >expect &&
	test_cmp expect actual
'

test_expect_success '--stats usage errors exit 2, evaluation errors 1' '
	test_expect_code 2 mquery -d store --stats --time $T x 2>err &&
	grep "^mquery: --stats needs a range" err &&
	test_expect_code 2 mquery -d store --stats -o prom-json x 2>err &&
	grep "^mquery: --stats writes table, csv or jsonl$" err &&
	test_expect_code 2 mquery -d store --stats -o openmetrics x 2>err &&
	test_expect_code 1 mquery -d store --stats $RANGE "x[5m]" 2>err &&
	grep "invalid expression type \"range vector\" for range query" err
'

test_expect_success '--latest and --stats fail on a full disk' '
	test_expect_code 1 mquery -d store --latest --time $T load >/dev/full 2>err &&
	grep "write error" err &&
	test_expect_code 1 mquery -d store --stats $RANGE x >/dev/full 2>err &&
	grep "write error" err
'

test_done
