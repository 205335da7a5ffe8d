#!/bin/sh
test_description='mquery over a stream as users pipe one: its own "now", listings, errors first, names optional'
. "${0%/*}/tap.sh"

now=$(date +%s)
day=$(( (now - 86400) * 1000 ))	# yesterday, in milliseconds

test_expect_success 'a file of yesterday: five samples of two series' '
	for i in 0 1 2 3 4; do
		printf "{\"name\":\"old\",\"value\":%s,\"ts\":%s,\"labels\":{\"host\":\"a\"}}\n" $i $(( day + i * 15000 ))
		printf "{\"name\":\"old\",\"value\":%s,\"ts\":%s,\"labels\":{\"host\":\"b\"}}\n" $(( i * 2 )) $(( day + i * 15000 ))
	done >old.jsonl
'

test_expect_success '-f: "now" is the end of the stream, not the clock' '
	mquery -f old.jsonl -o csv "old{host=\"a\"}" >out &&
	test $(wc -l <out) -eq 6 &&
	mquery -f old.jsonl -o csv "sum(old)" >out &&
	printf "series,timestamp,value\n{},%s,12\n" $(( day + 60000 )) >expect &&
	test_cmp expect out
'

test_expect_success '-f with --series, --labels and --label-values' '
	mquery -f old.jsonl -o table --series old >out &&
	printf "old{host=\"a\"}\nold{host=\"b\"}\n" >expect &&
	test_cmp expect out &&
	mquery -f old.jsonl -o jsonl --series "old{host=\"b\"}" >out &&
	echo "{\"__name__\":\"old\",\"host\":\"b\"}" >expect &&
	test_cmp expect out &&
	mquery -f old.jsonl -o jsonl --labels >out &&
	printf "__name__\nhost\n" >expect &&
	test_cmp expect out &&
	mquery -f old.jsonl -o jsonl --label-values host >out &&
	printf "a\nb\n" >expect &&
	test_cmp expect out
'

test_expect_success 'a syntax error is told before the stream is read' '
	mkfifo never &&
	exec 8<>never &&
	start=$(date +%s) &&
	test_expect_code 1 timeout 20 mquery -f never "sum(" 2>err &&
	exec 8>&- &&
	test $(( $(date +%s) - start )) -lt 10 &&
	grep "^mquery: 1:5: parse error: unclosed left parenthesis$" err
'

test_expect_success 'listings of a store are of all its time, as in Prometheus' '
	mstore init -d s --retention raw=3d &&
	mstore -d s <old.jsonl &&
	mquery -d s -o jsonl --label-values host >out &&
	printf "a\nb\n" >expect &&
	test_cmp expect out &&
	mquery -d s -o jsonl --series old >out &&
	test $(wc -l <out) -eq 2 &&
	mquery -d s -o jsonl --since 1h --label-values host >out &&
	test_must_be_empty out
'

test_expect_success 'an unnamed result piped into a filter: lines without a name' '
	mquery -d s --time $(( day / 1000 + 60 )) "sum by (host) (old)" | grep -c "\"host\"" >n &&
	echo 2 >expect &&
	test_cmp expect n
'

test_expect_success 'OpenMetrics of a store: each family typed, counters by their family name' '
	T=$(( day + 60000 )) &&
	sed "s/@T@/$T/" >in.jsonl <<-\EOT &&
	{"name":"req_total","type":"counter","value":5,"ts":@T@,"help":"Requests, \\ and \"quotes\"."}
	{"name":"restarts","type":"counter","value":1,"ts":@T@}
	{"name":"latency","type":"histogram","value":0.2,"ts":@T@}
	EOT
	mstore -d s <in.jsonl &&
	mquery -d s -o openmetrics --start $(( T / 1000 )) --end $(( T / 1000 )) "{__name__=~\"req_total|restarts|latency\"}" >out &&
	sed "s/@T@/$(( T / 1000 ))/" >expect <<-\EOT &&
	# TYPE latency unknown
	latency 0.2 @T@
	# TYPE req counter
	# HELP req Requests, \\ and \"quotes\".
	req_total 5 @T@
	# TYPE restarts unknown
	restarts 1 @T@
	# EOF
	EOT
	test_cmp expect out
'

test_done
