#!/bin/sh
test_description='mgather read: the Prometheus text format and OpenMetrics into the stream, from files and real exporters'
. "${0%/*}/tap.sh"

# Samples without the time they were read at, for comparing.
nots() {
	sed 's/,"ts":[0-9]*//' "$@"
}

test_expect_success 'the text format: types, help, escapes, timestamps' '
	cat >in.prom <<-\EOF &&
	# HELP http_requests_total The total number of HTTP requests.
	# TYPE http_requests_total counter
	http_requests_total{method="post",code="200"} 1027 1395066363000
	http_requests_total{method="post",code="400"}    3 1395066363000

	msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
	# TYPE rpc_duration_seconds summary
	rpc_duration_seconds{quantile="0.99"} 76656
	rpc_duration_seconds_sum 1.7560473e+07
	rpc_duration_seconds_count 2693
	EOF
	mgather read --format prometheus in.prom >out &&
	cat >expect <<-\EOF &&
	{"name":"http_requests_total","type":"counter","value":1027,"labels":{"code":"200","method":"post"},"help":"The total number of HTTP requests."}
	{"name":"http_requests_total","type":"counter","value":3,"labels":{"code":"400","method":"post"}}
	{"name":"msdos_file_access_time_seconds","type":"gauge","value":1458255915,"labels":{"error":"Cannot find file:\n\"FILE.TXT\"","path":"C:\\DIR\\FILE.TXT"}}
	{"name":"rpc_duration_seconds","type":"gauge","value":76656,"labels":{"quantile":"0.99"}}
	{"name":"rpc_duration_seconds_sum","type":"counter","value":17560473}
	{"name":"rpc_duration_seconds_count","type":"counter","value":2693}
	EOF
	nots out | test_cmp expect - &&
	grep -c "\"ts\":1395066363000," out >n && echo 2 >two && test_cmp two n
'

test_expect_success 'OpenMetrics: units, exemplars, timestamps in seconds, # EOF' '
	cat >in.om <<-\EOF &&
	# TYPE foo_seconds counter
	# UNIT foo_seconds seconds
	# HELP foo_seconds Time spent.
	foo_seconds_total{a="b"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
	# EOF
	EOF
	mgather read --format openmetrics <in.om >out &&
	echo "{\"name\":\"foo_seconds_total\",\"type\":\"counter\",\"value\":17,\"ts\":1520879607789,\"labels\":{\"a\":\"b\"},\"unit\":\"seconds\",\"help\":\"Time spent.\"}" >expect &&
	test_cmp expect out
'

test_expect_success 'InfluxDB line protocol: a sample a number field, tags as labels' '
	printf "cpu,host=a idle=92.5,user=3i,name=\"x\" 1700000000000000000\nbad\n" >in.influx &&
	test_expect_code 1 mgather read --format influx in.influx >out 2>err &&
	cat >expect <<-\EOF &&
	{"name":"cpu_idle","type":"gauge","value":92.5,"ts":1700000000000,"labels":{"host":"a"}}
	{"name":"cpu_user","type":"gauge","value":3,"ts":1700000000000,"labels":{"host":"a"}}
	EOF
	test_cmp expect out &&
	grep "^mgather: in.influx:2: no fields\$" err
'

test_expect_success 'Graphite plaintext: paths as names, tags as labels, seconds' '
	printf "servers.web1.load 0.42 1700000000\ndisk.used;host=a;dev=sda 75.5 1700000000.5\nnoval\n" >in.graphite &&
	test_expect_code 1 mgather read --format graphite in.graphite >out 2>err &&
	cat >expect <<-\EOF &&
	{"name":"servers_web1_load","type":"gauge","value":0.42,"ts":1700000000000}
	{"name":"disk_used","type":"gauge","value":75.5,"ts":1700000000500,"labels":{"dev":"sda","host":"a"}}
	EOF
	test_cmp expect out &&
	grep "^mgather: in.graphite:3: no value after the path\$" err
'

test_expect_success 'bad lines: file:line: why, the good ones kept, exit 1; --strict stops' '
	printf "a 1\nb{x=\"1\" 2\nc 3\n9d 4\ne 5\n" >bad.prom &&
	test_expect_code 1 mgather read --format prometheus bad.prom >out 2>err &&
	test $(wc -l <out) = 3 &&
	grep "^mgather: bad.prom:2: .,. or .}. expected after a label\$" err &&
	grep "^mgather: bad.prom:4: invalid metric name\$" err &&
	grep "^mgather: 2 bad lines, 0 samples rejected\$" err &&
	test_expect_code 1 mgather read --format prometheus --strict bad.prom >out 2>err &&
	test $(wc -l <out) = 1
'

test_expect_success 'an OpenMetrics document cut before # EOF is said' '
	printf "# TYPE a gauge\na 1\n" >cut.om &&
	test_expect_code 1 mgather read --format openmetrics cut.om >out 2>err &&
	test $(wc -l <out) = 1 &&
	grep "^mgather: cut.om:2: no .# EOF. at the end: the document was cut\$" err
'

test_expect_success 'usage: an unknown format, a format for the system collectors' '
	test_expect_code 2 mgather read --format yaml in.prom 2>err &&
	grep "yaml" err &&
	test_expect_code 2 mgather --format prometheus 2>err
'

test_expect_success 'a stream into a store, read back; OpenMetrics out of mquery, in again' '
	mstore init -d s --retention raw=100000d &&
	mgather read --format prometheus in.prom | mstore -d s &&
	mquery -d s -o jsonl --time 1395066363 "http_requests_total" >got &&
	test $(wc -l <got) = 2 &&
	mquery -d s -o openmetrics --start 0 --end 4102444800 "{__name__=~\".+\"}" >all.om &&
	mgather read --format openmetrics all.om >back &&
	mquery -d s -o jsonl --start 0 --end 4102444800 "{__name__=~\".+\"}" |
		sed "s/,\"type\":\"[a-z]*\"//" | sort >want &&
	sed "s/,\"type\":\"[a-z]*\"//" back | sort >have &&
	test_cmp want have
'

NE=prometheus-node-exporter
if test_have_prog $NE && test_have_prog curl &&
	test_serve $NE --web.listen-address=127.0.0.1:@PORT@; then
	ne_pid=$SERVE_PID ne_url=$SERVE_URL/metrics
	trap 'kill $ne_pid 2>/dev/null; test_cleanup' EXIT
	test_expect_success 'node_exporter: every sample line of its /metrics, no error' '
		curl -sf "$ne_url" >ne.prom &&
		mgather read --format prometheus ne.prom >out 2>err &&
		test_must_be_empty err &&
		test $(wc -l <out) = $(grep -vc "^#" ne.prom) &&
		grep "^{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\"," out &&
		grep "^{\"name\":\"go_gc_duration_seconds\",\"type\":\"gauge\",.*\"quantile\":\"0\"" out
	'
	kill $ne_pid
else
	test_skip 'node_exporter: every sample line of its /metrics' "$NE not here"
fi

PG=prometheus-pushgateway
if test_have_prog $PG && test_have_prog curl &&
	test_serve $PG --web.listen-address=127.0.0.1:@PORT@ --persistence.file=; then
	pg_pid=$SERVE_PID pg_url=$SERVE_URL
	trap 'kill $pg_pid 2>/dev/null; test_cleanup' EXIT
	test_expect_success 'a Pushgateway: what was pushed is what is read from its /metrics' '
		cat >push.prom <<-\EOF &&
		# TYPE jobs_done counter
		# HELP jobs_done Jobs done.
		jobs_done{queue="a"} 42
		# TYPE temp gauge
		temp{room="kitchen \"north\"",path="C:\\x"} -21.5
		temp{room="hall"} NaN
		# TYPE lat histogram
		lat_bucket{le="0.1"} 3
		lat_bucket{le="+Inf"} 5
		lat_sum 1.25
		lat_count 5
		EOF
		curl -sf --data-binary @push.prom "$pg_url/metrics/job/batch/instance/h1" &&
		curl -sf "$pg_url/metrics" >pg.prom &&
		mgather read --format prometheus pg.prom >out 2>err &&
		test_must_be_empty err &&
		grep "\"job\":\"batch\"" out | grep -v "push_time_seconds\|push_failure" |
			nots | sort >got &&
		sort >expect <<-\EOF &&
		{"name":"jobs_done","type":"counter","value":42,"labels":{"instance":"h1","job":"batch","queue":"a"},"help":"Jobs done."}
		{"name":"temp","type":"gauge","value":-21.5,"labels":{"instance":"h1","job":"batch","path":"C:\\x","room":"kitchen \"north\""}}
		{"name":"temp","type":"gauge","value":"NaN","labels":{"instance":"h1","job":"batch","room":"hall"}}
		{"name":"lat_bucket","type":"counter","value":3,"labels":{"instance":"h1","job":"batch","le":"0.1"}}
		{"name":"lat_bucket","type":"counter","value":5,"labels":{"instance":"h1","job":"batch","le":"+Inf"}}
		{"name":"lat_sum","type":"counter","value":1.25,"labels":{"instance":"h1","job":"batch"}}
		{"name":"lat_count","type":"counter","value":5,"labels":{"instance":"h1","job":"batch"}}
		EOF
		test_cmp expect got
	'
	kill $pg_pid
else
	test_skip 'a Pushgateway: what was pushed is what is read' "$PG not here"
fi

test_done
