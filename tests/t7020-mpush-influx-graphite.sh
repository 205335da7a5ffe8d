#!/bin/sh
test_description='mpush to the real InfluxDB 1.x and Graphite (carbon-cache), read back'
. "${0%/*}/tap.sh"

test_have_prog curl || test_skip_all 'curl not installed'
test_have_prog influxd || test_skip_all 'influxdb not installed'
test_have_prog carbon-cache || test_skip_all 'graphite-carbon not installed'
test_have_prog whisper-fetch || test_skip_all 'whisper-fetch not installed'
trap 'test_kill_pids "$TRASH/pids"; test_cleanup' EXIT

XDG_STATE_HOME=$TRASH/state
export XDG_STATE_HOME

free_port() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(Listen => 1,
		    LocalAddr => "127.0.0.1:0") or exit 1;
		print $s->sockport'
}

# Whole seconds a few minutes ago (Graphite keeps seconds).
T0=$(( ($(date +%s) - 300) * 1000 ))
cat >in.jsonl <<EOF
{"name":"req_total","type":"counter","value":1,"ts":$T0,"labels":{"path":"/a b","code":"200"}}
{"name":"req_total","type":"counter","value":4,"ts":$((T0 + 1000)),"labels":{"path":"/a b","code":"200"}}
{"name":"req_total","type":"counter","value":2,"ts":$T0,"labels":{"path":"/c","code":"500"}}
{"name":"temp_celsius","value":-1.5,"ts":$T0,"labels":{"room":"x=y,z"}}
{"name":"temp_celsius","value":1e3,"ts":$((T0 + 1000)),"labels":{"room":"x=y,z"}}
EOF

test_expect_success 'setup: influxd on 127.0.0.1, a database' '
	HP=$(free_port) && RP=$(free_port) &&
	cat >influxdb.conf <<-EOF &&
	reporting-disabled = true
	bind-address = "127.0.0.1:$RP"
	[meta]
	  dir = "$PWD/ifx/meta"
	[data]
	  dir = "$PWD/ifx/data"
	  wal-dir = "$PWD/ifx/wal"
	  query-log-enabled = false
	[http]
	  bind-address = "127.0.0.1:$HP"
	  log-enabled = false
	[logging]
	  level = "error"
	EOF
	{ influxd -config influxdb.conf >influxd.log 2>&1 & echo $! >>../pids; } &&
	i=0 && until curl -s -o /dev/null "http://127.0.0.1:$HP/ping"; do
		i=$((i + 1)); test $i -lt 100 || { cat influxd.log; exit 1; }
		sleep 0.1
	done &&
	curl -sf -XPOST "http://127.0.0.1:$HP/query" \
		--data-urlencode "q=CREATE DATABASE mtk" >/dev/null &&
	echo $HP >hport
'

test_expect_success 'the line protocol to InfluxDB: tags, times, values read back' '
	HP=$(cat hport) &&
	mpush --to "influx+http://127.0.0.1:$HP/write?db=mtk" <in.jsonl 2>err &&
	test_must_be_empty err &&
	curl -sfG "http://127.0.0.1:$HP/query" --data-urlencode db=mtk \
		--data-urlencode epoch=ms \
		--data-urlencode "q=SELECT * FROM req_total; SELECT * FROM temp_celsius" |
		jq -r ".results[].series[] | .name as \$n | .columns as \$c |
			.values[] | [\$n, (. as \$v | [range(1; \$c | length)] |
			map(\"\(\$c[.])=\(\$v[.])\") | join(\",\")), (.[0] | tostring)] |
			join(\" \")" | sort >got &&
	cat >expect <<-EOF &&
	req_total code=200,path=/a b,value=1 $T0
	req_total code=200,path=/a b,value=4 $((T0 + 1000))
	req_total code=500,path=/c,value=2 $T0
	temp_celsius room=x=y,z,value=-1.5 $T0
	temp_celsius room=x=y,z,value=1000 $((T0 + 1000))
	EOF
	test_cmp expect got
'

test_expect_success 'a bad database: InfluxDB says so, the batch is given up' '
	HP=$(cat hport) &&
	test_expect_code 1 mpush --to "influx+http://127.0.0.1:$HP/write?db=nodb" \
		<in.jsonl 2>err &&
	grep "HTTP 404" err && grep "database not found" err
'

test_expect_success 'setup: carbon-cache on 127.0.0.1, a second a point' '
	LP=$(free_port) && PP=$(free_port) && QP=$(free_port) &&
	mkdir -p gr/whisper gr/log gr/pid &&
	cat >carbon.conf <<-EOF &&
	[cache]
	STORAGE_DIR = $PWD/gr/
	LOCAL_DATA_DIR = $PWD/gr/whisper/
	WHITELISTS_DIR = $PWD/gr/lists/
	CONF_DIR = $PWD/
	LOG_DIR = $PWD/gr/log/
	PID_DIR = $PWD/gr/pid/
	ENABLE_LOGROTATION = False
	USER =
	MAX_CACHE_SIZE = inf
	MAX_UPDATES_PER_SECOND = 10000
	MAX_CREATES_PER_MINUTE = inf
	LINE_RECEIVER_INTERFACE = 127.0.0.1
	LINE_RECEIVER_PORT = $LP
	ENABLE_UDP_LISTENER = False
	PICKLE_RECEIVER_INTERFACE = 127.0.0.1
	PICKLE_RECEIVER_PORT = $PP
	CACHE_QUERY_INTERFACE = 127.0.0.1
	CACHE_QUERY_PORT = $QP
	LOG_LISTENER_CONN_SUCCESS = False
	LOG_UPDATES = False
	LOG_CREATES = False
	ENABLE_TAGS = False
	EOF
	printf "[all]\npattern = .*\nretentions = 1s:1d\n" >storage-schemas.conf &&
	{ carbon-cache --config="$PWD/carbon.conf" --nodaemon start \
		>carbon.log 2>&1 & echo $! >>../pids; } &&
	i=0 && until grep -q "CarbonReceiverFactory starting on $LP" carbon.log; do
		i=$((i + 1)); test $i -lt 150 || { cat carbon.log; exit 1; }
		sleep 0.1
	done &&
	echo $LP >gport
'

# wsp FILE: its points in [T0, T0 + 1 s], "seconds value", as whisper keeps them.
wsp() {
	_i=0
	until test -f "gr/whisper/$1"; do
		_i=$((_i + 1)); test $_i -lt 100 || return 1; sleep 0.1
	done
	sleep 0.5
	whisper-fetch --from=$((T0 / 1000 - 1)) --until=$((T0 / 1000 + 1)) \
		"gr/whisper/$1" | grep -v None
}

test_expect_success 'Graphite dotted to carbon: a file a series, its points' '
	mpush --to graphite://127.0.0.1:$(cat gport) --graphite-dotted \
		<in.jsonl 2>err &&
	test_must_be_empty err &&
	wsp req_total/200/_a_b.wsp >got &&
	printf "%s\t1.000000\n%s\t4.000000\n" $((T0 / 1000)) $((T0 / 1000 + 1)) >expect &&
	test_cmp expect got &&
	wsp req_total/500/_c.wsp >got &&
	printf "%s\t2.000000\n" $((T0 / 1000)) >expect && test_cmp expect got &&
	wsp temp_celsius/x=y,z.wsp >got &&
	printf "%s\t-1.500000\n%s\t1000.000000\n" $((T0 / 1000)) $((T0 / 1000 + 1)) >expect &&
	test_cmp expect got
'

test_done
