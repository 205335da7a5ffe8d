#!/bin/sh
test_description='mquery evaluates PromQL over a store or a stream'
. "${0%/*}/tap.sh"

SMALL=$FIXTURES/promql/small.jsonl
T=1700000120

test_expect_success 'an instant query, as Prometheus writes its answer' '
	mquery -f "$SMALL" --time $T -o prom-json "sum by (job) (rate(http_requests_total[5m]))" >actual &&
	cat >expect <<-\EOT &&
	{"resultType":"vector","result":[{"metric":{"job":"api"},"value":[1700000120,"0.44"]},{"metric":{"job":"web"},"value":[1700000120,"0.23333333333333336"]}]}
	EOT
	test_cmp expect actual
'

test_expect_success 'the same from a store' '
	mstore init -d store --retention raw=100000d &&
	mstore -d store <"$SMALL" &&
	mquery -d store --time $T -o prom-json "sum by (job) (rate(http_requests_total[5m]))" >actual2 &&
	test_cmp expect actual2
'

test_expect_success 'and from standard input' '
	mquery -f - --time $T -o prom-json "sum by (job) (rate(http_requests_total[5m]))" <"$SMALL" >actual3 &&
	test_cmp expect actual3
'

test_expect_success 'a range query: NaN is a value, the lookback fills the last step' '
	mquery -f "$SMALL" --start 1700000000 --end 1700000180 --step 60 -o prom-json temp >actual &&
	cat >expect <<-\EOT &&
	{"resultType":"matrix","result":[{"metric":{"__name__":"temp","room":"a"},"values":[[1700000000,"21.5"],[1700000060,"NaN"],[1700000120,"22.25"],[1700000180,"22.25"]]}]}
	EOT
	test_cmp expect actual
'

test_expect_success 'a result without a name: stream lines without one, refused by mstore' '
	mquery -f "$SMALL" --time $T -o jsonl "sum by (job) (http_requests_total)" >out &&
	grep "^{\"type\":\"gauge\",\"value\":[0-9.]*,\"ts\":[0-9]*,\"labels\":{\"job\":\"api\"}}$" out &&
	mstore init -d nameless &&
	test_expect_code 1 mstore -d nameless <out 2>err &&
	grep "^mstore: <stdin>:1: missing member .name. (a query result without one: give it with mquery --name)$" err &&
	test_expect_code 1 mquery -f "$SMALL" --time $T -o openmetrics "sum by (job) (http_requests_total)" 2>err &&
	grep "^mquery: result series .{job=\"api\"}. has no metric name: name it with --name$" err
'

test_expect_success 'a recording rule: --name, then back into a store' '
	mquery -d store --time $T -o jsonl --name job:requests:rate5m "sum by (job) (rate(http_requests_total[5m]))" >rule.jsonl &&
	cat >expect <<-\EOT &&
	{"name":"job:requests:rate5m","type":"gauge","value":0.44,"ts":1700000120000,"labels":{"job":"api"}}
	{"name":"job:requests:rate5m","type":"gauge","value":0.23333333333333336,"ts":1700000120000,"labels":{"job":"web"}}
	EOT
	test_cmp expect rule.jsonl &&
	mstore -d store <rule.jsonl &&
	mquery -d store --time $T -o prom-json "job:requests:rate5m{job=\"web\"}" >back &&
	grep -F "\"value\":[1700000120,\"0.23333333333333336\"]" back
'

test_expect_success 'a bare selector without --time prints raw samples' '
	mquery -f "$SMALL" -o jsonl --start 1700000000 --end 1700000060 temp >actual &&
	cat >expect <<-\EOT &&
	{"name":"temp","type":"gauge","value":21.5,"ts":1700000000000,"labels":{"room":"a"}}
	{"name":"temp","type":"gauge","value":"NaN","ts":1700000060000,"labels":{"room":"a"}}
	EOT
	test_cmp expect actual
'

test_expect_success 'a table, CSV and a scalar' '
	mquery -f "$SMALL" --time $T -o table "scalar(sum(temp))" >actual &&
	printf "%s\n" "SERIES  TIME                  VALUE" "scalar  2023-11-14T22:15:20Z  22.25" >expect &&
	test_cmp expect actual &&
	mquery -f "$SMALL" --time $T -o csv "temp * 2" >actual &&
	printf "%s\n" "series,timestamp,value" "\"{room=\"\"a\"\"}\",1700000120000,44.5" >expect &&
	test_cmp expect actual
'

test_expect_success 'OpenMetrics of a result, and of a store, typed where the store knows' '
	mquery -f "$SMALL" --time $T -o openmetrics --name x "sum(http_requests_total) by (code)" >actual &&
	printf "%s\n" "# TYPE x unknown" "x{code=\"200\"} 190 1700000120" "x{code=\"500\"} 12 1700000120" "# EOF" >expect &&
	test_cmp expect actual &&
	mquery -d store -o openmetrics --start 0 --end 4102444800 temp >actual &&
	printf "%s\n" "# TYPE temp gauge" "temp{room=\"a\"} 21.5 1700000000" "temp{room=\"a\"} NaN 1700000060" \
		"temp{room=\"a\"} 22.25 1700000120" "# EOF" >expect &&
	test_cmp expect actual
'

test_expect_success 'an aggregation of nothing is nothing, exit 0' '
	mquery -f "$SMALL" --time $T -o csv "sum(nonexistent)" >out &&
	echo "series,timestamp,value" >expect &&
	test_cmp expect out &&
	mquery -f "$SMALL" --start $((T - 120)) --end $T --step 60 -o csv "count by (job) (nonexistent)" >out &&
	test_cmp expect out
'

test_expect_success 'a parse error is located, exit 1' '
	test_expect_code 1 mquery -f "$SMALL" --time $T "sum(" 2>err &&
	echo "mquery: 1:5: parse error: unclosed left parenthesis" >expect &&
	test_cmp expect err
'

test_expect_success 'an evaluation error is Prometheus'"'"', exit 1' '
	test_expect_code 1 mquery -f "$SMALL" --time $T -o prom-json \
		"http_requests_total + on(job) http_requests_total" 2>err &&
	grep "many-to-many matching not allowed: matching labels must be unique on one side$" err
'

test_expect_success 'a range query of a range vector is refused' '
	test_expect_code 1 mquery -f "$SMALL" --start $T --end $T --step 1m "temp[5m]" 2>err &&
	grep "invalid expression type \"range vector\" for range query" err
'

test_expect_success '--max-samples stops a query that holds too much' '
	test_expect_code 1 mquery -f "$SMALL" --max-samples 5 --time $T -o prom-json \
		"sum_over_time(http_requests_total[5m])" 2>err &&
	grep "query processing would load too many samples into memory in query execution" err
'

test_expect_success 'bad records are reported, the rest is evaluated, exit 1' '
	{ cat "$SMALL" && echo "{\"name\":\"x\"" ; } >bad.jsonl &&
	test_expect_code 1 mquery -f bad.jsonl --time $T -o prom-json "count(temp)" >out 2>err &&
	grep "^mquery: bad.jsonl:13: " err &&
	grep -F "[1700000120,\"1\"]" out
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mquery -f "$SMALL" --time $T --start $T temp 2>err &&
	grep "exclude" err &&
	test_expect_code 2 mquery -f "$SMALL" --step nope temp 2>err &&
	test_expect_code 2 mquery -o nope temp 2>err &&
	test_expect_code 2 mquery -f "$SMALL" --latest --since 1h temp 2>err
'

test_expect_success 'a NUL in a string of the query is a byte of the label value' '
	mquery -f /dev/null --time 1700000000 -o prom-json \
		"absent(x{job=\"a\\000b\",k=\"v\"})" >actual &&
	cat >expect <<-\EOT &&
	{"resultType":"vector","result":[{"metric":{"job":"a\u0000b","k":"v"},"value":[1700000000,"1"]}]}
	EOT
	test_cmp expect actual &&
	mquery -f /dev/null --time 1700000000 -o csv \
		"absent_over_time(x{job=\"a\\x00b\",k=\"v\"}[5m])" >actual &&
	printf "%s\n" "series,timestamp,value" "\"{job=\"\"a\\x00b\"\",k=\"\"v\"\"}\",1700000000000,1" >expect &&
	test_cmp expect actual
'

test_expect_success '@ at the ends of time finds nothing, without overflow' '
	for q in "temp @ -9223372036854775" "temp @ 9223372036854775 offset -1m" \
	    "temp[5m] @ -9223372036854775" "temp[5m:1m] @ -9223372036854775"; do
		mquery -f "$SMALL" --time $T -o csv "$q" >actual &&
		echo "series,timestamp,value" >expect &&
		test_cmp expect actual || exit 1
	done
'

test_expect_success 'a range given without a step picks one' '
	mquery -f "$SMALL" --start 1700000000 --end 1700000500 -o csv "vector(1)" >actual &&
	test $(wc -l <actual) -eq 252 &&
	sed -n 3p actual >line && echo "{},1700000002000,1" >expect && test_cmp expect line
'

test_done
