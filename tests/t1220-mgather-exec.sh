#!/bin/sh
test_description='mgather exec: a command every interval, its output as samples, killed on time'
. "${0%/*}/tap.sh"

nots() {
	sed 's/,"ts":[0-9]*//' "$@"
}

test_expect_success 'a check: performance data in base units, thresholds, exit status' '
	cat >check <<-\EOF &&
	#!/bin/sh
	echo "LOAD WARNING - load 6 | load1=6;5;10;0; '"'"'disk used'"'"'=75%;80;90 time=150ms size=2KB hits=7c gone=U"
	echo "long text | extra=2s"
	exit 1
	EOF
	chmod +x check &&
	mgather exec -n 1 -l env=prod -- ./check >out 2>err &&
	test_must_be_empty err &&
	l="\"labels\":{\"command\":\"check\",\"env\":\"prod\"}" &&
	cat >expect <<-EOF &&
	{"name":"load1","type":"gauge","value":6,$l}
	{"name":"load1_warning","type":"gauge","value":5,$l}
	{"name":"load1_critical","type":"gauge","value":10,$l}
	{"name":"load1_min","type":"gauge","value":0,$l}
	{"name":"disk_used_ratio","type":"gauge","value":0.75,$l}
	{"name":"disk_used_ratio_warning","type":"gauge","value":0.8,$l}
	{"name":"disk_used_ratio_critical","type":"gauge","value":0.9,$l}
	{"name":"time_seconds","type":"gauge","value":0.15,$l}
	{"name":"size_bytes","type":"gauge","value":2048,$l}
	{"name":"hits_total","type":"counter","value":7,$l}
	{"name":"extra_seconds","type":"gauge","value":2,$l}
	{"name":"mtk_exec_exit_status","type":"gauge","value":1,$l}
	EOF
	nots out | head -n 12 | test_cmp expect - &&
	grep "\"name\":\"mtk_exec_samples\",\"type\":\"gauge\",\"value\":11," out &&
	test $(cut -d, -f4 out | sort -u | wc -l) = 1
'

test_expect_success 'stream lines and the text format, told apart by their first line' '
	mgather exec -n 1 -- printf "{\"name\":\"a\",\"value\":1,\"labels\":{\"x\":\"y\"}}\nnot a line\n" >out 2>err &&
	grep "^{\"name\":\"a\",\"type\":\"gauge\",\"value\":1,\"ts\":[0-9]*,\"labels\":{\"x\":\"y\"}}\$" out &&
	grep "^mgather: printf: output line 2: " err &&
	grep "\"name\":\"mtk_exec_bad_lines\",\"type\":\"gauge\",\"value\":1," out &&
	mgather exec -n 1 -- printf "# TYPE c counter\nc{k=\"v\"} 3\n" >out &&
	grep "^{\"name\":\"c\",\"type\":\"counter\",\"value\":3,\"ts\":[0-9]*,\"labels\":{\"k\":\"v\"}}\$" out &&
	mgather exec -n 1 --format nagios -- printf "c 3\n" >out &&
	! grep "\"name\":\"c\"" out
'

test_expect_success 'no shell: an argument with a semicolon is an argument' '
	mgather exec -n 1 -- printf "%s\n" "x 1; touch injected" >out 2>err;
	! test -e injected
'

test_expect_success 'a command that hangs, and its children, killed at the timeout; the schedule keeps on' '
	cat >hang <<-\EOF &&
	#!/bin/sh
	echo $$ >hang.pid
	sleep 30 &
	echo $! >child.pid
	wait
	EOF
	chmod +x hang &&
	start=$(date +%s) &&
	mgather exec -i 1s -n 3 --timeout 500ms -- ./hang >out 2>err &&
	test $(( $(date +%s) - start )) -lt 6 &&
	test $(grep -c "\"name\":\"mtk_exec_timed_out\",\"type\":\"gauge\",\"value\":1," out) = 3 &&
	grep "^mgather: ./hang: timed out after [0-9]* ms, killed\$" err &&
	# Killed with its parent (a zombie for a moment, until init reaps it).
	i=0 && while kill -0 $(cat child.pid) 2>/dev/null; do
		i=$((i + 1)); test $i -lt 20 || exit 1; sleep 0.1
	done
'

test_expect_success '--store: what the command prints goes into a store' '
	mstore init -d st &&
	mgather exec -n 2 -i 1s --store st -- printf "{\"name\":\"e\",\"value\":7}\n" >out &&
	test_must_be_empty out &&
	mquery -d st -o csv "count_over_time(e[1m])" >n &&
	grep ",2\$" n
'

test_expect_success 'usage: no command, a format exec does not have' '
	test_expect_code 2 mgather exec 2>err &&
	test_expect_code 2 mgather exec --format openmetrics -- true 2>err
'

test_done
