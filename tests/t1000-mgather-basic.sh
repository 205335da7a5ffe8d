#!/bin/sh
test_description='mgather on this machine: passes, timestamps, labels, options'
. "${0%/*}/tap.sh"

# value FILE NAME ['"label":"value"'...]: the values of the samples
# called NAME that have every label given.
value() {
	_f=$1 _n=$2
	shift 2
	grep -F "{\"name\":\"$_n\"," "$_f" >.value || true
	for _l; do
		grep -F "$_l" .value >.value2 || true
		mv .value2 .value
	done
	sed 's/.*"value":\([^,]*\),.*/\1/' .value
}

# The distinct timestamps of FILE, in order of appearance.
stamps() {
	sed 's/.*"ts":\([0-9]*\).*/\1/' "$1" | uniq
}

test_expect_success 'one pass by default, every line a stamped sample' '
	mgather >out 2>err &&
	test_must_be_empty err &&
	test $(wc -l <out) -gt 50 &&
	! grep -v "^{\"name\":\"[a-z_A-Z0-9]*\",\"type\":\"[a-z]*\",\"value\":[-0-9.e+]*,\"ts\":[0-9]*[,}]" out &&
	stamps out >ts && test $(wc -l <ts) -eq 1
'

test_expect_success 'the core collectors are all there, with node_exporter names' '
	for n in node_cpu_seconds_total node_memory_MemTotal_bytes node_load1 \
	    node_load5 node_load15 node_boot_time_seconds node_time_seconds \
	    node_context_switches_total node_forks_total node_intr_total \
	    node_procs_running node_procs_blocked node_filefd_allocated \
	    node_filefd_maximum node_vmstat_pgfault node_filesystem_size_bytes \
	    node_disk_read_bytes_total node_network_receive_bytes_total; do
		grep -q "{\"name\":\"$n\"" out || { echo "no $n"; exit 1; }
	done
'

test_expect_success '-n 3 -i: three passes, one timestamp each, in order' '
	mgather -C loadavg -n 3 -i 50ms >out &&
	stamps out >ts &&
	test $(wc -l <ts) -eq 3 &&
	sort -n ts | test_cmp ts - &&
	test $(wc -l <out) -eq 9
'

# From the third pass on, so that a slow start (valgrind) does not count.
test_expect_success 'passes keep to their deadlines (no drift)' '
	mgather -C time -n 6 -i 200ms >out &&
	stamps out >ts &&
	test $(wc -l <ts) -eq 6 &&
	first=$(sed -n 3p ts) && last=$(sed -n 6p ts) &&
	span=$((last - first)) &&
	echo "span $span" &&
	test $span -ge 595 && test $span -le 680
'

test_expect_success '-i 0 with -n runs passes back to back' '
	mgather -C loadavg -n 50 -i 0 >out &&
	test $(wc -l <out) -eq 150
'

test_expect_success 'node_time_seconds is the pass timestamp' '
	mgather -C time >out &&
	ts=$(stamps out) && v=$(value out node_time_seconds) &&
	awk -v ts=$ts -v v=$v "BEGIN { d = v * 1000 - ts; exit !(d < 0.5 && d > -0.5) }"
'

test_expect_success 'the host label is the host name by default' '
	mgather -C loadavg >out &&
	host=$(uname -n) &&
	test $(grep -c -F "\"labels\":{\"host\":\"$host\"}" out) -eq 3
'

test_expect_success '-l adds labels, overrides host, keeps them sorted' '
	mgather -C loadavg,netdev -l zone=b -l host=web1 -l az=a >out &&
	test $(grep -c -F "\"labels\":{\"az\":\"a\",\"host\":\"web1\",\"zone\":\"b\"}" out) -eq 3 &&
	grep -F "node_network_receive_bytes_total" out >net &&
	! grep -v -F "{\"az\":\"a\",\"device\":" net
'

test_expect_success '-l host= (empty) removes the host label' '
	mgather -C loadavg -l host= >out &&
	! grep -F "\"host\"" out &&
	! grep -F "\"labels\"" out
'

test_expect_success 'a collector label wins over an -l label of the same name' '
	mgather -C netdev -l device=x -l host= >out &&
	! grep -F "\"device\":\"x\"" out
'

test_expect_success '-C chooses collectors; -name removes, +name adds' '
	mgather -C loadavg >out &&
	! grep -v "\"name\":\"node_load" out &&
	mgather -C -cpu,-meminfo >out &&
	! grep -F "\"node_cpu_" out && ! grep -F "\"node_memory_" out &&
	grep -F "\"node_load1\"" out &&
	! grep -F "\"node_processes_pids\"" out &&
	mgather -C +processes >out &&
	grep -F "\"node_processes_pids\"" out &&
	grep -F "\"node_cpu_seconds_total\"" out &&
	mgather -C loadavg -C time >out &&
	test $(wc -l <out) -eq 4
'

test_expect_success 'cumulative metrics are counters, levels are gauges' '
	mgather -C all >out &&
	grep "_total\"" out >totals && test -s totals &&
	! grep -v "\"type\":\"counter\"" totals &&
	value out node_load1 >/dev/null &&
	grep -F "{\"name\":\"node_load1\",\"type\":\"gauge\"" out &&
	grep -F "{\"name\":\"node_memory_MemTotal_bytes\",\"type\":\"gauge\"" out
'

# wait_lines FILE N: wait up to ten seconds for FILE to have N lines.
wait_lines() {
	_i=0
	while [ $_i -lt 100 ]; do
		[ -f "$1" ] && [ $(wc -l <"$1") -ge "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# Each of these writes a file of its own: one left by an earlier test
# could be taken for the first pass before mgather has even started.
test_expect_success 'output is flushed each pass; SIGTERM ends cleanly' '
	mgather -C loadavg -i 30s -n 3 >term.out 2>term.err &
	pid=$! &&
	{ wait_lines term.out 3 || { kill $pid; exit 1; }; } &&
	kill -TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc -eq 0 &&
	test $(wc -l <term.out) -eq 3 &&
	test_must_be_empty term.err
'

test_expect_success 'SIGINT while sleeping ends cleanly too' '
	mgather -C loadavg -i 30s -n 3 >int.out 2>int.err &
	pid=$! &&
	{ wait_lines int.out 3 || { kill $pid; exit 1; }; } &&
	kill -INT $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc -eq 0 && test $(wc -l <int.out) -eq 3 &&
	test_must_be_empty int.err
'

test_expect_success 'bad option values are usage errors (exit 2)' '
	for args in "-i 1x" "-i -5s" "-i 0" "-n 0" "-n x" "-n 3" "-l 9a=1" \
	    "-l novalue" "-l __x=1" "-C nope" "-C cpu,,bad" "-p abc" "-p 0" \
	    "--fs-timeout 0" "extra"; do
		test_expect_code 2 mgather $args >out 2>err &&
		test_must_be_empty out &&
		head -n 1 err | grep "^mgather: " &&
		grep "^usage: mgather" err || { echo "args: $args"; exit 1; }
	done &&
	mgather -i 1x 2>err; grep -x "mgather: bad interval '"'"'1x'"'"'" err &&
	mgather -l 9a=1 2>err; grep -x "mgather: bad label name '"'"'9a'"'"'" err &&
	mgather -C nope 2>err; grep -x "mgather: unknown collector '"'"'nope'"'"'" err
'

test_expect_success 'a write error is a failure (exit 1)' '
	test_expect_code 1 mgather -C loadavg >/dev/full 2>err &&
	grep "write error" err
'

test_expect_success '-L lists every collector with a description' '
	mgather -L >out &&
	for c in cpu meminfo vmstat loadavg stat time filesystem diskstats \
	    netdev filefd pressure processes cgroup process; do
		grep "^$c  *[a-zA-Z]" out || { echo "no $c"; exit 1; }
	done
'

test_expect_success '-p and --process report processes' '
	sleep 30 &
	spid=$! &&
	mgather -C loadavg -p $$ --process sleep >out &&
	kill $spid &&
	grep -F "\"name\":\"mtk_process_resident_memory_bytes\"" out >rss &&
	grep -F "\"pid\":\"$$\"" rss &&
	grep -F "\"comm\":\"sleep\"" rss | grep -F "\"pid\":\"$spid\"" &&
	for n in mtk_process_cpu_seconds_total mtk_process_virtual_memory_bytes \
	    mtk_process_threads mtk_process_open_fds \
	    mtk_process_start_time_seconds; do
		grep -F "\"name\":\"$n\"" out | grep -F "\"pid\":\"$$\"" ||
			{ echo "no $n"; exit 1; }
	done
'

test_expect_success 'a missing -p process is warned about once' '
	mgather -C loadavg -p 2147483646 -n 3 -i 10ms >out 2>err &&
	test $(wc -l <out) -eq 9 &&
	test $(wc -l <err) -eq 1 &&
	grep -x "mgather: process: no process 2147483646" err
'

test_expect_success '--rates: rates from the second pass on' '
	mgather -C cpu,diskstats,netdev --rates -n 2 -i 100ms >out &&
	stamps out >ts &&
	first=$(head -n 1 ts) &&
	! grep "\"ts\":$first," out | grep -F "\"name\":\"mtk_" &&
	grep -F "{\"name\":\"mtk_cpu_percent\"" out | grep -F "\"cpu\":\"all\"" &&
	grep -F "{\"name\":\"mtk_cpu_busy_percent\"" out &&
	grep -F "{\"name\":\"mtk_disk_read_bytes_per_second\"" out &&
	grep -F "{\"name\":\"mtk_network_receive_bytes_per_second\"" out &&
	value out mtk_cpu_percent "\"cpu\":\"all\"" >pct &&
	awk "{ s += \$1 } END { exit !(s > 99.9 && s < 100.1) }" pct
'

test_done
