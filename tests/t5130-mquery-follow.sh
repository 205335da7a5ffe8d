#!/bin/sh
test_description='mquery --follow: the live view of a store'
. "${0%/*}/tap.sh"

# follow_start ARGS...: mquery --follow ARGS in the background, its
# output in 'out' and 'err', its PID in 'pid'.  follow_stop [SIGNAL]:
# signal it (TERM by default) and require exit status 0.  The trap stops
# one a failed test left running.
follow_start() {
	: >out
	mquery --follow "$@" >out 2>err &
	echo $! >pid
}
follow_stop() {
	kill -"${1:-TERM}" "$(cat pid)" &&
	wait "$(cat pid)"
	st=$?
	rm -f pid
	[ "$st" -eq 0 ] || { echo "mquery --follow exited $st" >&2; cat err >&2; return 1; }
}
trap '[ -f "$TRASH/work/pid" ] && kill "$(cat "$TRASH/work/pid")" 2>/dev/null; test_cleanup' EXIT

# A test that starts one stops it whatever happened in between: the
# steps between follow_start and follow_stop are grouped, their status
# kept in 'rc', and follow_stop comes after the group, not chained to it.
#
# wait_for FILE N: until FILE has N lines (at most a minute, for slow
# sanitizer and valgrind runs).
wait_for() {
	i=0
	while [ "$(wc -l <"$1")" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || { echo "waited in vain for $2 lines in $1:" >&2; cat "$1" >&2; return 1; }
		sleep 0.1
	done
}

sample() {
	printf '{"name":"%s","type":"gauge","value":%s,"ts":%s,"labels":{"a":"%s"}}\n' "$@"
}

test_expect_success 'setup: a store with a sample' '
	mstore init -d store --retention raw=100000d &&
	sample x 1 1700000000000 1 | mstore -d store
'

test_expect_success 'a selector: new samples once, in order, until SIGTERM (exit 0)' '
	follow_start -d store -o jsonl --start 1699999000 x &&
	{
		wait_for out 1 &&
		{ sample x 2 1700000015000 1 && sample x 3 1700000015000 2; } | mstore -d store &&
		wait_for out 3 &&
		# Late for a=1 (older than its last), then new for both.
		{ sample x 9 1700000010000 1 && sample x 4 1700000030000 1 &&
		  sample x 5 1700000030000 2; } | mstore -d store &&
		wait_for out 5
		rc=$?
	}
	follow_stop && test $rc -eq 0 &&
	cat >expect <<-\EOT &&
	{"name":"x","type":"gauge","value":1,"ts":1700000000000,"labels":{"a":"1"}}
	{"name":"x","type":"gauge","value":2,"ts":1700000015000,"labels":{"a":"1"}}
	{"name":"x","type":"gauge","value":3,"ts":1700000015000,"labels":{"a":"2"}}
	{"name":"x","type":"gauge","value":4,"ts":1700000030000,"labels":{"a":"1"}}
	{"name":"x","type":"gauge","value":5,"ts":1700000030000,"labels":{"a":"2"}}
	EOT
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'without a start only what comes after; SIGINT ends it, exit 0' '
	follow_start -d store -o csv x &&
	{
		# A minute ahead, so as to be after the start whenever it was.
		t=$(($(date +%s) + 60))000 &&
		sample x 7 $t 3 | mstore -d store &&
		wait_for out 2
		rc=$?
	}
	follow_stop INT && test $rc -eq 0 &&
	printf "%s\n" series,timestamp,value "\"x{a=\"\"3\"\"}\",$t,7" >expect &&
	test_cmp expect out &&
	test_must_be_empty err
'

test_expect_success 'an expression: a point per step as the clock passes it' '
	mstore init -d live &&
	now=$(date +%s) &&
	sample y 1 ${now}000 1 | mstore -d live &&
	follow_start -d live -o csv --step 1s "sum(y)" &&
	{
		wait_for out 3 &&
		now=$(date +%s) &&
		sample y 5 ${now}000 2 | mstore -d live &&
		n=$(($(wc -l <out) + 3)) &&
		wait_for out $n
		rc=$?
	}
	follow_stop && test $rc -eq 0 &&
	test $(grep -c "^series,timestamp,value$" out) -eq 1 &&
	sed 1d out >points &&
	{ grep -v "^{},[0-9]*000,[16]$" points >bad || :; } &&
	test_must_be_empty bad &&
	cut -d, -f2 points >times && sort -un times >sorted && test_cmp sorted times &&
	grep -q ",1$" points && test "$(tail -n 1 points | cut -d, -f3)" = 6
'

test_expect_success 'an expression with a start: the steps since then first' '
	mstore init -d hist &&
	t=$(($(date +%s) - 20)) &&
	sample y 1 ${t}000 1 | mstore -d hist &&
	follow_start -d hist -o jsonl --step 1s --since 30s --name total "sum(y)" &&
	{ wait_for out 6; rc=$?; } &&
	follow_stop && test $rc -eq 0 &&
	head -n 1 out >first &&
	echo "{\"name\":\"total\",\"type\":\"gauge\",\"value\":1,\"ts\":${t}000}" >expect &&
	test_cmp expect first
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mquery --follow -f /dev/null x 2>err &&
	grep "^mquery: --follow reads the store, not a stream$" err &&
	test_expect_code 2 mquery -d store --follow --end now x 2>err &&
	test_expect_code 2 mquery -d store --follow --time now x 2>err &&
	grep "^mquery: --follow runs until stopped: no --time or --end$" err &&
	test_expect_code 2 mquery -d store --follow -o prom-json x 2>err &&
	grep "^mquery: --follow writes table, csv or jsonl$" err &&
	test_expect_code 2 mquery -d store --follow --stats x 2>err
'

test_expect_success 'errors stop it at once, exit 1' '
	test_expect_code 1 timeout 60 mquery -d store --follow "x[1m]" 2>err &&
	grep "invalid expression type \"range vector\" for range query" err &&
	test_expect_code 1 timeout 60 mquery -d store --follow "sum(" 2>err &&
	test_expect_code 1 timeout 60 mquery -d store --follow -o jsonl --start 1699999000 x >/dev/full 2>err &&
	grep "write error" err &&
	test_expect_code 1 timeout 60 mquery -d nostore --follow x 2>err
'

test_done
