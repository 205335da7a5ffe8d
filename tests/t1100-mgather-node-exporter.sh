#!/bin/sh
test_description='mgather agrees with the real node_exporter on shared metrics'
. "${0%/*}/tap.sh"

NE=prometheus-node-exporter
test_have_prog $NE || test_skip_all "$NE not installed"
test_have_prog curl || test_skip_all 'curl not installed'

# The collectors both have; node_exporter's others would only be noise.
ne_flags="--collector.disable-defaults --collector.cpu --collector.meminfo
	--collector.vmstat --collector.loadavg --collector.stat --collector.time
	--collector.filesystem --collector.diskstats --collector.netdev
	--collector.filefd --collector.pressure --collector.processes"

# Start node_exporter on 127.0.0.1 on a free ephemeral port: try a few
# random ones until one answers.  Sets ne_pid and ne_url.
ne_pid=
tries=0
while [ -z "$ne_pid" ] && [ $tries -lt 10 ]; do
	tries=$((tries + 1))
	port=$(awk -v s="$$$tries" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
	# shellcheck disable=SC2086
	$NE --web.listen-address=127.0.0.1:$port $ne_flags >"$TRASH/ne.log" 2>&1 &
	pid=$!
	i=0
	while [ $i -lt 50 ] && kill -0 $pid 2>/dev/null; do
		if curl -sf "http://127.0.0.1:$port/metrics" >/dev/null 2>&1; then
			ne_pid=$pid
			ne_url=http://127.0.0.1:$port/metrics
			break
		fi
		sleep 0.1
		i=$((i + 1))
	done
	if [ -z "$ne_pid" ]; then
		kill $pid 2>/dev/null
		wait $pid 2>/dev/null
	fi
done
[ -n "$ne_pid" ] || test_skip_all "$NE did not start: $(tail -n 1 "$TRASH/ne.log")"
trap 'kill $ne_pid 2>/dev/null; wait $ne_pid 2>/dev/null; test_cleanup' EXIT
export ne_url

# prom FILE: Prometheus text to "name{a="x",b="y"} value" (the labels are
# sorted by name in both outputs), without comments.
prom() {
	grep -v '^#' "$1" | sed 's/{}//'
}

# jsonl FILE: mgather's samples in the same form.
jsonl() {
	sed -e 's/^{"name":"\([^"]*\)","type":"[a-z]*","value":\([^,]*\),"ts":[0-9]*,"labels":{\(.*\)}}$/\1{\3} \2/' \
	    -e 's/^{"name":"\([^"]*\)","type":"[a-z]*","value":\([^,]*\),"ts":[0-9]*}$/\1 \2/' \
	    -e 's/"\([A-Za-z_][A-Za-z0-9_]*\)":"/\1="/g' "$1"
}

# Label-name signatures: "name{a,b}".
signatures() {
	sed -e 's/ [^ ]*$//' -e 's/="[^"]*"//g' "$1" | sort -u
}

test_expect_success 'scrape, run mgather, scrape again' '
	curl -sf "$ne_url" >ne1.txt &&
	mgather -l host= -C all,-process >mg.jsonl 2>err &&
	curl -sf "$ne_url" >ne2.txt &&
	prom ne1.txt >ne1 && prom ne2.txt >ne2 && jsonl mg.jsonl >mg &&
	test -s ne1 && test -s mg &&
	! grep "^{" mg
'

test_expect_success 'every node_ metric of mgather is in node_exporter, same label names' '
	grep "^node_" mg >mg.node &&
	signatures mg.node >mg.sig && signatures ne1 >ne.sig &&
	comm -23 mg.sig ne.sig >missing &&
	test_must_be_empty missing
'

test_expect_success 'and the same series: CPUs, devices, mount points, memory fields' '
	for n in node_cpu_seconds_total node_cpu_guest_seconds_total \
	    node_filesystem_size_bytes node_filesystem_readonly \
	    node_network_receive_bytes_total node_disk_read_bytes_total \
	    node_disk_io_now node_pressure_; do
		grep "^$n" mg | sed "s/ [^ ]*\$//" | sort >a &&
		grep "^$n" ne1 | sed "s/ [^ ]*\$//" | sort >b &&
		test_cmp b a || exit 1
	done &&
	grep "^node_memory_" mg | sed "s/ .*//" | sort >a &&
	grep "^node_memory_" ne1 | sed "s/ .*//" | sort >b &&
	test_cmp b a
'

# check KIND PATTERN: compare mgather's series matching PATTERN with the
# two scrapes.  KIND "exact": equal to both; "between": a counter read
# between the scrapes, so within them (give or take a tick's rounding);
# "close": within 1 of the first scrape.
check() {
	awk -v kind="$1" -v pat="$2" '
	# The value is the last field; label values may hold blanks.
	{ k = substr($0, 1, length($0) - length($NF) - 1); v = $NF + 0 }
	FILENAME == "ne1" { a[k] = v; next }
	FILENAME == "ne2" { b[k] = v; next }
	k ~ pat {
		n++
		if (!(k in a)) { print "no " k " in node_exporter"; bad++; next }
		lo = a[k]; hi = (k in b) ? b[k] : a[k]
		tol = 1e-9 * (v < 0 ? -v : v) + 0.011
		if (kind == "exact" && (v != lo || v != hi)) {
			print k ": " v " != " lo; bad++
		} else if (kind == "between" && (v < lo - tol || v > hi + tol)) {
			print k ": " v " not in [" lo ", " hi "]"; bad++
		} else if (kind == "close" && (v - lo > 1 || lo - v > 1)) {
			print k ": " v " far from " lo; bad++
		}
	}
	END {
		if (n == 0) { print "nothing matches " pat; bad++ }
		exit bad > 0
	}' ne1 ne2 mg
}

test_expect_success 'constants are exact: MemTotal, filefd maximum, fs sizes' '
	check exact "^node_memory_MemTotal_bytes" &&
	check exact "^node_memory_SwapTotal_bytes" &&
	check exact "^node_memory_Hugepagesize_bytes" &&
	check exact "^node_filefd_maximum" &&
	check exact "^node_filesystem_size_bytes" &&
	check exact "^node_filesystem_files[{]" &&
	check exact "^node_filesystem_readonly" &&
	check exact "^node_processes_max_processes" &&
	check exact "^node_processes_max_threads"
'

test_expect_success 'boot time within a second' '
	check close "^node_boot_time_seconds"
'

test_expect_success 'counters lie between the two scrapes' '
	check between "^node_cpu_seconds_total" &&
	check between "^node_context_switches_total" &&
	check between "^node_forks_total" &&
	check between "^node_intr_total" &&
	check between "^node_network_(receive|transmit)_(bytes|packets)_total" &&
	check between "^node_disk_(reads|writes)_completed_total" &&
	check between "^node_disk_(read|written)_bytes_total" &&
	check between "^node_disk_io_time_seconds_total" &&
	check between "^node_vmstat_pgfault" &&
	check between "^node_pressure_cpu_waiting_seconds_total"
'

test_expect_success 'node_time_seconds agrees with node_exporter clock' '
	awk "FILENAME == \"ne1\" && \$1 == \"node_time_seconds\" { a = \$2 + 0 }
	    FILENAME == \"ne2\" && \$1 == \"node_time_seconds\" { b = \$2 + 0 }
	    FILENAME == \"mg\" && \$1 == \"node_time_seconds\" { v = \$2 + 0 }
	    END { exit !(v >= a - 0.01 && v <= b + 0.01) }" ne1 ne2 mg
'

test_expect_success 'types: node_exporter counters are mgather counters' '
	sed -n "s/^# TYPE \([^ ]*\) counter$/\1/p" ne1.txt | sort >ne.counters &&
	sed -n "s/^{\"name\":\"\(node_[^\"]*\)\",\"type\":\"counter\".*/\1/p" mg.jsonl |
	    sort -u >mg.counters &&
	comm -13 mg.counters ne.counters >a &&
	sed "s/ .*//;s/{.*//" mg | sort -u >names &&
	comm -12 a names >wrong &&
	test_must_be_empty wrong
'

test_done
