#!/bin/sh
test_description='mgather over fixture trees: parsing, hotplug, wraps, missing files'
. "${0%/*}/tap.sh"

F=$FIXTURES/mgather

# value FILE NAME ['"label":"value"'...]: the values of the samples
# called NAME that have every label given, one per line.
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

# pass FILE N: the lines of the Nth pass of FILE: a pass starts where
# the series of the first line comes again.  Not by timestamp: a pass
# that ran late is followed at once by the next, maybe in the same
# millisecond.
pass() {
	awk -v n="$2" '
		{ k = $0; sub(/"value":[^,]*,"ts":[0-9]*,/, "", k) }
		NR == 1 { first = k }
		k == first { p++ }
		p == n' "$1"
}

# no_ts FILE: FILE with every timestamp 0, to compare with a fixture.
no_ts() {
	sed 's/"ts":[0-9]*/"ts":0/' "$1"
}

hz=$(getconf CLK_TCK)
pagesize=$(getconf PAGESIZE)

if [ "$hz" = 100 ]; then
	test_expect_success 'a whole fake /proc and /sys: every collector' '
		mgather --procfs "$F/proc" --sysfs "$F/sys" -l host=fixture \
		    -C all,-time,-filesystem,-process >out 2>err &&
		test_must_be_empty err &&
		no_ts out >actual &&
		test_cmp "$F/full.expect" actual
	'
else
	test_skip 'a whole fake /proc and /sys' "USER_HZ is $hz, not 100"
fi

test_expect_success 'cgroup v1: cpu, cpuacct and memory hierarchies' '
	mgather --procfs "$F/cgv1/proc" --sysfs "$F/cgv1/sys" -l host= \
	    -C cgroup >out 2>err &&
	test_must_be_empty err &&
	no_ts out >actual &&
	test_cmp "$F/cgv1.expect" actual
'

test_expect_success 'USER_HZ ticks become seconds' '
	mgather --procfs "$F/hotplug/1" -C cpu >out &&
	v=$(value out node_cpu_seconds_total "\"cpu\":\"2\"" "\"mode\":\"user\"") &&
	awk -v v=$v -v hz=$hz "BEGIN { exit !(v == 300 / hz) }"
'

# hotplug/N/stat: pass 1 has cpu0-2; in pass 2 cpu1 is offline (so cpu2 is
# the second "cpuN" line) and cpu0's iowait goes back; in pass 3 cpu1 is
# back with less idle time than before.
test_expect_success 'CPU hotplug: offline CPU left out, indexes from "cpuN"' '
	mgather --procfs "$F/hotplug/%p" -C cpu -l host= -n 3 -i 10ms \
	    --rates >out &&
	pass out 2 >p2 &&
	! grep -F "\"cpu\":\"1\"" p2 &&
	test "$(value p2 node_cpu_seconds_total "\"cpu\":\"2\"" "\"mode\":\"user\"")" = 3.1 &&
	test "$(value p2 node_cpu_seconds_total "\"cpu\":\"0\"" "\"mode\":\"user\"")" = 1.1 &&
	test $(grep -c -F "{\"name\":\"node_cpu_seconds_total\"" p2) -eq 16
'

test_expect_success 'CPU counters never go back while the CPU stays online' '
	test "$(value p2 node_cpu_seconds_total "\"cpu\":\"0\"" "\"mode\":\"iowait\"")" = 0.1
'

test_expect_success 'a CPU back online starts afresh, and gets no rates yet' '
	pass out 3 >p3 &&
	test "$(value p3 node_cpu_seconds_total "\"cpu\":\"1\"" "\"mode\":\"idle\"")" = 5 &&
	test "$(value p3 node_cpu_seconds_total "\"cpu\":\"1\"" "\"mode\":\"user\"")" = 2.05 &&
	! grep -F "\"name\":\"mtk_cpu_percent\"" p3 | grep -F "\"cpu\":\"1\"" &&
	grep -F "\"name\":\"mtk_cpu_percent\"" p3 | grep -F "\"cpu\":\"0\""
'

test_expect_success '--rates: CPU percentages per mode and "all"' '
	pass out 1 >p1 &&
	! grep -F "\"name\":\"mtk_" p1 &&
	test "$(value p2 mtk_cpu_busy_percent "\"cpu\":\"0\"")" = 13.043478260869565 &&
	value p2 mtk_cpu_percent "\"cpu\":\"all\"" >pct &&
	awk "{ s += \$1 } END { exit !(s > 99.999 && s < 100.001) }" pct
'

# wrap/N/net/dev: eth0's 32-bit receive counter wraps between passes 1
# and 2; big0's 64-bit one drops (a reset).
test_expect_success 'net/dev: a 32-bit counter that wraps is extended' '
	mgather --procfs "$F/wrap/%p" -C netdev -l host= -n 3 -i 50ms \
	    --rates >out &&
	value out node_network_receive_bytes_total "\"device\":\"eth0\"" >actual &&
	printf "%s\n" 4294967000 4294968000 4294969296 >expect &&
	test_cmp expect actual
'

test_expect_success 'net/dev: a 64-bit counter that drops starts again' '
	value out node_network_receive_bytes_total "\"device\":\"big0\"" >actual &&
	printf "%s\n" 1000000000000 5 10 >expect &&
	test_cmp expect actual
'

test_expect_success 'net/dev rates: across the wrap, none across the reset' '
	pass out 2 >p2 &&
	# 1000 bytes received across the wrap, 100 sent, in the same time.
	r=$(value p2 mtk_network_receive_bytes_per_second "\"device\":\"eth0\"") &&
	t=$(value p2 mtk_network_transmit_bytes_per_second "\"device\":\"eth0\"") &&
	awk -v r=$r -v t=$t "BEGIN { exit !(r / t > 9.999999 && r / t < 10.000001) }" &&
	test -z "$(value p2 mtk_network_receive_bytes_per_second "\"device\":\"big0\"")" &&
	pass out 3 >p3 &&
	test -n "$(value p3 mtk_network_receive_bytes_per_second "\"device\":\"big0\"")"
'

test_expect_success 'a missing source: one warning, the others still run' '
	mgather --procfs "$F/partial" -C loadavg,meminfo,stat -n 3 -i 10ms \
	    -l host= >out 2>err &&
	test $(wc -l <err) -eq 1 &&
	grep -x "mgather: meminfo: cannot read '"'"'$F/partial/meminfo'"'"': No such file or directory; collector disabled" err &&
	test $(value out node_load1 | wc -l) -eq 3 &&
	test $(value out node_boot_time_seconds | wc -l) -eq 3
'

test_expect_success 'a missing /proc altogether: a warning per collector, exit 0' '
	mgather --procfs "$PWD/nonexistent" --sysfs "$PWD/nonexistent" \
	    -C all,-time -n 2 -i 10ms >out 2>err &&
	test_must_be_empty out &&
	test $(wc -l <err) -eq 12 &&
	! grep -v "collector disabled$" err
'

test_expect_success 'filesystems: exclusions, escapes, ro, errors, duplicates' '
	mkdir -p root/"with space" root/var/lib/dockerx root/roflag &&
	mgather --procfs "$F/mounts" --rootfs "$PWD/root" -C filesystem \
	    -l host= >out 2>err &&
	test_must_be_empty err &&
	sed -n "s/.*\"mountpoint\":\"\([^\"]*\)\".*/\1/p" out | sort -u >actual &&
	printf "%s\n" / /gone /roflag /var/lib/dockerx "/with space" >expect &&
	test_cmp expect actual &&
	test $(grep -c -F "\"mountpoint\":\"/\"}" out) -eq 7 &&
	test "$(value out node_filesystem_readonly "\"mountpoint\":\"/with space\"")" = 1 &&
	test "$(value out node_filesystem_readonly "\"mountpoint\":\"/roflag\"")" = 0 &&
	test "$(value out node_filesystem_device_error "\"mountpoint\":\"/gone\"")" = 1 &&
	test -z "$(value out node_filesystem_size_bytes "\"mountpoint\":\"/gone\"")" &&
	test -z "$(value out node_filesystem_readonly "\"mountpoint\":\"/gone\"")" &&
	test "$(value out node_filesystem_device_error "\"mountpoint\":\"/roflag\"")" = 0 &&
	grep -F "\"device\":\"tmpfs\",\"fstype\":\"tmpfs\",\"mountpoint\":\"/with space\"" out
'

test_expect_success 'filesystems: sizes are what statfs says' '
	set -- $(stat -f -c "%b %s %a %c" root/roflag) &&
	test "$(value out node_filesystem_files "\"mountpoint\":\"/roflag\"")" = $4 &&
	awk -v got="$(value out node_filesystem_size_bytes "\"mountpoint\":\"/roflag\"")" \
	    -v want=$(($1 * $2)) "BEGIN { exit !(got == want) }"
'

test_expect_success 'process: pid, comm with spaces and parentheses, units' '
	mgather --procfs "$F/proc" -C process -p 4242 -l host= >out 2>err &&
	test_must_be_empty err &&
	l="\"comm\":\"my (odd) app\"" &&
	test "$(value out mtk_process_cpu_seconds_total "$l" "\"mode\":\"user\"")" = 2.5 &&
	test "$(value out mtk_process_cpu_seconds_total "$l" "\"mode\":\"system\"")" = 1.25 &&
	test "$(value out mtk_process_threads "$l")" = 3 &&
	test "$(value out mtk_process_open_fds "$l")" = 3 &&
	test "$(value out mtk_process_virtual_memory_bytes "$l")" = 104857600 &&
	test "$(value out mtk_process_resident_memory_bytes "$l")" = $((25 * pagesize)) &&
	test "$(value out mtk_process_start_time_seconds "$l")" = 1700000010 &&
	grep -F "\"labels\":{\"comm\":\"my (odd) app\",\"mode\":\"user\",\"pid\":\"4242\"}" out
'

test_expect_success 'process: --process finds processes by name' '
	mgather --procfs "$F/proc" -C process --process "my (odd) app" \
	    --process systemd -l host= >out 2>err &&
	test_must_be_empty err &&
	value out mtk_process_threads >actual &&
	printf "%s\n" 1 3 >expect && sort actual | test_cmp expect -
'

test_done
