#!/bin/sh
test_description='malert check: a Monitoring Plugins check over the store or a stream'
. "${0%/*}/tap.sh"

# A store whose writer is still running, as it is when Nagios asks.
mstore init -d store || exit 1
test_writer_start store

test_expect_success 'setup: a store with a running writer' '
	printf "%s\n" \
		"{\"name\":\"node_load1\",\"value\":0.42,\"labels\":{\"instance\":\"a\"}}" \
		"{\"name\":\"node_load1\",\"value\":3.1,\"labels\":{\"instance\":\"b\"}}" \
		"{\"name\":\"node_load1\",\"value\":5,\"labels\":{\"instance\":\"c\"}}" >&9 &&
	# Seen once the writer has committed (within a second).
	for i in 1 2 3 4 5 6 7 8 9 10; do
		mquery -d store --latest node_load1 >seen 2>/dev/null
		[ $(wc -l <seen) = 3 ] && break
		sleep 0.5
	done &&
	test $(wc -l <seen) = 3
'

test_expect_success 'OK: the guidelines line, exit 0' '
	malert check -d store --service LOAD "node_load1{instance=\"a\"}" -w 2 -c 4 >out &&
	echo "LOAD OK - node_load1{instance=\"a\"}=0.42 | '"'"'node_load1{instance:\"a\"}'"'"'=0.42;2;4" >expect &&
	test_cmp expect out
'

test_expect_success 'WARNING (exit 1) and CRITICAL (exit 2); the worst state wins' '
	test_expect_code 1 malert check -d store --label instance node_load1 -w 3 -c 10 >out &&
	echo "CHECK WARNING - b=3.1, c=5, a=0.42 | a=0.42;3;10 b=3.1;3;10 c=5;3;10" >expect &&
	test_cmp expect out &&
	test_expect_code 2 malert check -d store --label instance node_load1 -w 1 -c 4 >out &&
	echo "CHECK CRITICAL - c=5, b=3.1, a=0.42 | a=0.42;1;4 b=3.1;1;4 c=5;1;4" >expect &&
	test_cmp expect out
'

test_expect_success 'ranges: 10:, ~:10, @10:20' '
	malert check -d store "sum(node_load1)" -c 8: >out &&
	grep "^CHECK OK - value=8.52 | value=8.52;;8:\$" out &&
	test_expect_code 2 malert check -d store "sum(node_load1)" -c 9: &&
	test_expect_code 2 malert check -d store "sum(node_load1)" -c "~:8" &&
	test_expect_code 1 malert check -d store "sum(node_load1)" -w @8:9 &&
	malert check -d store "sum(node_load1)" -w @9:10
'

test_expect_success 'a scalar, and NaN: UNKNOWN unless something is worse' '
	malert check -d store "1 + 1" -c 3 >out &&
	grep "^CHECK OK - value=2 | value=2;;3\$" out &&
	test_expect_code 3 malert check -d store "0/0" >out &&
	grep "^CHECK UNKNOWN - value=NaN | value=U\$" out
'

test_expect_success 'nothing: UNKNOWN with the reason, or the state --empty gives' '
	test_expect_code 3 malert check -d store absent_metric >out &&
	echo "CHECK UNKNOWN - no data: the query returned nothing" >expect &&
	test_cmp expect out &&
	malert check -d store absent_metric --empty ok >out &&
	grep "^CHECK OK - no data" out &&
	test_expect_code 2 malert check -d store absent_metric --empty critical
'

test_expect_success 'errors are UNKNOWN (exit 3), on stdout, with the reason' '
	test_expect_code 3 malert check -d store "sum(" >out &&
	grep "^CHECK UNKNOWN - 1:5: parse error" out &&
	test_expect_code 3 malert check -d store "node_load1[5m]" >out &&
	grep "^CHECK UNKNOWN - the expression gives a range vector" out &&
	test_expect_code 3 malert check -d nowhere node_load1 >out &&
	grep "^CHECK UNKNOWN - .*nowhere" out
'

test_expect_success 'usage errors are UNKNOWN too (exit 3), not CRITICAL' '
	test_expect_code 3 malert check -d store node_load1 -w 5:1 2>err &&
	grep "range .5:1. starts after it ends" err &&
	test_expect_code 3 malert check -d store node_load1 -c x 2>err &&
	grep "invalid range" err &&
	test_expect_code 3 malert check 2>err &&
	test_expect_code 3 malert 2>err &&
	grep "rules (-r FILE) or a command" err &&
	test_expect_code 3 malert check -d store --empty maybe x 2>err &&
	grep "unknown state .maybe." err
'

test_expect_success 'over a stream: -f, its end is "now"' '
	printf "%s\n" \
		"{\"name\":\"temp\",\"value\":20,\"ts\":1700000000000}" \
		"{\"name\":\"temp\",\"value\":31,\"ts\":1700000060000}" >s.jsonl &&
	test_expect_code 1 malert check -f s.jsonl temp -w 30 >out &&
	grep "^CHECK WARNING - temp=31 " out &&
	malert check -f s.jsonl temp -w 30 --time 1700000030 >out &&
	grep "^CHECK OK - temp=20 " out &&
	malert check -f - "avg_over_time(temp[5m])" -c 30 <s.jsonl >out &&
	grep "^CHECK OK - value=25.5 " out
'

test_expect_success 'output into a full pipe or disk fails, not silently' '
	test_expect_code 3 malert check -d store node_load1 >/dev/full 2>err
'

test_writer_end_clean

test_done
